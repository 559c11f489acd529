/*
 * Bad peers: a real tern client and server talk in memory while the test
 * plays the network and rewrites what one of them sends, so each side in
 * turn faces a scripted malicious peer.  Every case checks the specific
 * error and the alert sent (or, where the peer's behaviour is legal, that
 * the connection carries on), that the failure is sticky, and that no
 * application data is released by a failed connection.  Leaks: the binary
 * runs under ASan/LeakSanitizer in `make check` and under valgrind in
 * tests/leak.test.sh.
 *
 * Cases: oversized records (plaintext, protected, each content type),
 * zero-length records of each type (before and after the handshake, and
 * a flood of empty application data), a handshake message longer than the
 * configured limit (both sides; a ClientHello over it is parsed as it
 * arrives, over the largest well-formed size refused), messages split
 * into 1-byte records (the handshake still completes), a ClientHello with
 * 2^16-1 bytes of extensions (over the default limit and under a larger
 * one),
 * duplicate extensions (ClientHello and ServerHello), small-order and
 * all-zero X25519 shares (both directions; the server's one re-signed so
 * that only the share is wrong), RSA signatures one byte short and long,
 * ChangeCipherSpec out of order (before ServerHello, before
 * ClientKeyExchange, after the handshake), application data before
 * Finished (in the clear and under the new keys), alerts of unknown types
 * and levels, malformed alert records, and garbage after close_notify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/session.h"
#include "lib/conn.h"
#include "lib/record.h"
#include "lib/sig.h"
#include "lib/engine.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

/* The pair, its pipes (which the test rewrites: mp_take, mp_put,
 * mp_put_record) and the handshake pump are tests/mempair.h's. */
static tern_config *server_cfg(void) { return mp_config(NULL, "certs/server-chain.pem", "certs/server.key"); }
static tern_config *client_cfg(void) { return mp_config("certs/root-ca.crt", NULL, NULL); }

static tern_config *g_scfg, *g_ccfg;

static void pair_init(mp_pair *p) { mp_init(p, g_ccfg, g_scfg, "localhost"); }

/* The error, the alert sent, words in the message; sticky; no data. */
static void expect_fail(tern_conn *c, long rc, int err, int alert, const char *words) {
    mp_expect_fail(c, rc, err, alert, words, MP_FAIL_READ | MP_FAIL_WRITE);
}

/* The other side learns the alert. */
static void expect_peer_alert(tern_conn *c, int alert) {
    uint8_t b[16];
    long rc = tern_read(c, b, sizeof b);
    if (rc != TERN_ERR_PEER_ALERT)
        fail_msg("expected the peer's alert, got %ld: %s", rc, tern_error(c));
    assert_int_equal(tern_alert_received(c), alert);
}

/* ---- flights: the plaintext handshake records in a pipe, as messages ---- */
#define MAXMSG 8
typedef struct {
    uint8_t *msg[MAXMSG]; /* each malloc'd, header included */
    size_t len[MAXMSG];
    size_t n;
    uint8_t *rest;        /* from the first non-handshake record on, verbatim */
    size_t rest_len;
} flight;

static void flight_take(mp_pipe *p, flight *f) {
    memset(f, 0, sizeof *f);
    size_t n;
    uint8_t *all = mp_take(p, &n);
    uint8_t *hs = malloc(n + 1);
    size_t hs_len = 0, off = 0;
    while (off + 5 <= n && all[off] == TERN_CT_HANDSHAKE) {
        size_t rl = tern_load_be16(all + off + 3);
        assert_true(off + 5 + rl <= n);
        memcpy(hs + hs_len, all + off + 5, rl);
        hs_len += rl;
        off += 5 + rl;
    }
    f->rest_len = n - off;
    f->rest = malloc(f->rest_len + 1);
    memcpy(f->rest, all + off, f->rest_len);
    size_t m = 0;
    while (m + 4 <= hs_len) {
        size_t bl = tern_load_be24(hs + m + 1);
        assert_true(m + 4 + bl <= hs_len && f->n < MAXMSG);
        f->msg[f->n] = malloc(4 + bl);
        memcpy(f->msg[f->n], hs + m, 4 + bl);
        f->len[f->n++] = 4 + bl;
        m += 4 + bl;
    }
    assert_int_equal(m, hs_len);
    free(hs);
    free(all);
}

/* Put the flight back: each message in records of at most frag bytes. */
static void flight_put(flight *f, mp_pipe *p, size_t frag) {
    for (size_t i = 0; i < f->n; i++) {
        for (size_t o = 0; o < f->len[i]; o += frag) {
            size_t k = f->len[i] - o < frag ? f->len[i] - o : frag;
            mp_put_record(p, TERN_CT_HANDSHAKE, f->msg[i] + o, k);
        }
        free(f->msg[i]);
    }
    mp_put(p, f->rest, f->rest_len);
    free(f->rest);
    memset(f, 0, sizeof *f);
}

static size_t flight_find(const flight *f, int type) {
    for (size_t i = 0; i < f->n; i++)
        if (f->msg[i][0] == type)
            return i;
    fail_msg("message %d not in the flight", type);
    return 0;
}

/* Replace message i's body. */
static void flight_set_body(flight *f, size_t i, const uint8_t *body, size_t n) {
    uint8_t *m = malloc(4 + n + 1);
    m[0] = f->msg[i][0];
    m[1] = (uint8_t)(n >> 16);
    m[2] = (uint8_t)(n >> 8);
    m[3] = (uint8_t)n;
    memcpy(m + 4, body, n);
    free(f->msg[i]);
    f->msg[i] = m;
    f->len[i] = 4 + n;
}

static void flight_free(flight *f) {
    for (size_t i = 0; i < f->n; i++)
        free(f->msg[i]);
    free(f->rest);
}

/* A protected record from `from` (under its current write keys). */
static void inject(tern_conn *from, uint8_t type, const void *p, size_t n) {
    assert_int_equal(tern_rec_write(from, type, p, n), 0);
    assert_int_equal(tern_io_flush(from), 0);
}

/* Nothing in buf..n contains the secret marker (no plaintext leaked into
 * anything the application could see). */
static const char secret[] = "TOP-SECRET-APPLICATION-DATA";

/* ---- 1. oversized records ---- */
static void test_oversized_records(void **state) {
    (void)state;
    static const uint8_t types[] = {TERN_CT_CHANGE_CIPHER_SPEC, TERN_CT_ALERT, TERN_CT_HANDSHAKE,
                                    TERN_CT_APPLICATION_DATA};
    for (size_t t = 0; t < sizeof types; t++) {
        /* In the clear: 2^14 + 1 announced, refused from the header alone. */
        mp_pair p;
        pair_init(&p);
        uint8_t hdr[5] = {types[t], 3, 3, 0x40, 0x01};
        mp_put(&p.c2s, hdr, 5);
        mp_step_server(&p);
        expect_fail(p.s, p.src, TERN_ERR_RECORD_OVERFLOW, TERN_ALERT_RECORD_OVERFLOW, "16385");
        mp_step_client(&p);
        expect_peer_alert(p.c, TERN_ALERT_RECORD_OVERFLOW);
        mp_free(&p);

        /* Protected: 2^14 + 24 is the most AES-GCM needs; + 1 is refused.
         * The biggest legal length, 0xffff, too. */
        static const size_t lens[] = {16384 + 25, 0xffff};
        for (int k = 0; k < 2; k++) {
            pair_init(&p);
            mp_handshake_ok(&p);
            uint8_t big[5] = {types[t], 3, 3, (uint8_t)(lens[k] >> 8), (uint8_t)lens[k]};
            mp_put(&p.s2c, big, 5);
            uint8_t b[8];
            expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_RECORD_OVERFLOW, TERN_ALERT_RECORD_OVERFLOW,
                        "record of");
            expect_peer_alert(p.s, TERN_ALERT_RECORD_OVERFLOW);
            mp_free(&p);
        }
    }
    /* A full-size protected record (2^14 plaintext) is fine. */
    mp_pair p;
    pair_init(&p);
    mp_handshake_ok(&p);
    uint8_t *big = malloc(16384), *got = malloc(16384);
    memset(big, 'a', 16384);
    inject(p.s, TERN_CT_APPLICATION_DATA, big, 16384);
    assert_int_equal(tern_read(p.c, got, 16384), 16384);
    assert_memory_equal(got, big, 16384);
    free(big);
    free(got);
    mp_free(&p);
}

/* ---- 2. zero-length records of each type ---- */
static void test_zero_length_records(void **state) {
    (void)state;
    /* Before the handshake, in the clear: handshake, alert and CCS must not
     * be empty (RFC 5246 §6.2.1); application data is not allowed yet. */
    static const struct {
        uint8_t type;
        const char *words;
    } clear[] = {
        {TERN_CT_HANDSHAKE, "empty record of content type 22"},
        {TERN_CT_ALERT, "empty record of content type 21"},
        {TERN_CT_CHANGE_CIPHER_SPEC, "empty record of content type 20"},
        {TERN_CT_APPLICATION_DATA, "application data arrived during the handshake"},
    };
    for (size_t t = 0; t < sizeof clear / sizeof clear[0]; t++) {
        mp_pair p;
        pair_init(&p);
        mp_put_record(&p.c2s, clear[t].type, (const uint8_t *)"", 0);
        mp_step_server(&p);
        expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, clear[t].words);
        mp_free(&p);
    }
    /* Content types that do not exist (heartbeat 24 is not supported, 0 and
     * 255 never were): unexpected_message, empty or not. */
    static const uint8_t unknown_types[] = {0, 19, 24, 255};
    for (size_t t = 0; t < sizeof unknown_types; t++) {
        mp_pair p;
        pair_init(&p);
        mp_put_record(&p.c2s, unknown_types[t], (const uint8_t *)"x", t % 2);
        mp_step_server(&p);
        expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "unknown content type");
        mp_free(&p);
    }
    /* After it, protected: the same three refused; empty application data
     * is legal and skipped, but not a flood of it. */
    static const uint8_t types[] = {TERN_CT_HANDSHAKE, TERN_CT_ALERT, TERN_CT_CHANGE_CIPHER_SPEC};
    for (size_t t = 0; t < sizeof types; t++) {
        mp_pair p;
        pair_init(&p);
        mp_handshake_ok(&p);
        inject(p.s, types[t], "", 0);
        uint8_t b[8];
        expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                    "empty record");
        expect_peer_alert(p.s, TERN_ALERT_UNEXPECTED_MESSAGE);
        mp_free(&p);
    }
    mp_pair p;
    pair_init(&p);
    mp_handshake_ok(&p);
    for (int i = 0; i < 5; i++)
        inject(p.s, TERN_CT_APPLICATION_DATA, "", 0);
    inject(p.s, TERN_CT_APPLICATION_DATA, "hi", 2);
    uint8_t b[8];
    assert_int_equal(tern_read(p.c, b, sizeof b), 2);
    assert_memory_equal(b, "hi", 2);
    for (int i = 0; i < 40; i++)
        inject(p.s, TERN_CT_APPLICATION_DATA, "", 0);
    expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "too many empty records");
    mp_free(&p);
}

/* ---- 3. a handshake message longer than the configured limit ---- */
static void test_message_over_limit(void **state) {
    (void)state;
    /* Server, default limit 16384: a ClientHello announcing 16385 bytes is
     * not refused (it is parsed as it arrives: lib/hs_client_hello.c), the
     * server waits for it; one announcing 2^24 - 1 bytes, the most the
     * header can say and more than any well-formed ClientHello, is refused
     * as soon as its header is in. */
    mp_pair p;
    pair_init(&p);
    uint8_t hdr[4] = {TERN_HT_CLIENT_HELLO, 0, 0x40, 0x01};
    mp_put_record(&p.c2s, TERN_CT_HANDSHAKE, hdr, 4);
    mp_step_server(&p);
    assert_int_equal(p.src, TERN_WANT_READ);
    mp_free(&p);
    pair_init(&p);
    uint8_t hdr2[4] = {TERN_HT_CLIENT_HELLO, 0xff, 0xff, 0xff};
    mp_put_record(&p.c2s, TERN_CT_HANDSHAKE, hdr2, 4);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "16777215");
    mp_free(&p);

    /* Client with a small limit (4096): the server's Certificate (two RSA
     * certificates, under 4096) fits, a padded one does not. */
    tern_config *ccfg = client_cfg();
    assert_int_equal(tern_config_set_buffer_sizes(ccfg, 16384, 4096), 0);
    mp_init(&p, ccfg, g_scfg, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    flight f;
    flight_take(&p.s2c, &f);
    size_t i = flight_find(&f, TERN_HT_CERTIFICATE);
    size_t n = 4097;
    uint8_t *body = calloc(1, n);
    memcpy(body, f.msg[i] + 4, f.len[i] - 4);
    flight_set_body(&f, i, body, n);
    flight_put(&f, &p.s2c, 16384);
    mp_step_client(&p);
    expect_fail(p.c, p.crc, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER,
                "Certificate of 4097 bytes is larger than the configured maximum of 4096");
    free(body);
    mp_free(&p);
    tern_config_free(ccfg);
}

/* ---- 4. messages split into 1-byte records: still works ---- */
static void test_one_byte_records(void **state) {
    (void)state;
    mp_pair p;
    pair_init(&p);
    mp_step_client(&p); /* ClientHello */
    flight f;
    flight_take(&p.c2s, &f);
    size_t nrec = 0;
    for (size_t i = 0; i < f.n; i++)
        nrec += f.len[i];
    flight_put(&f, &p.c2s, 1);
    assert_true(nrec > 100);
    mp_step_server(&p); /* the server's flight */
    assert_int_equal(p.src, TERN_WANT_READ);
    flight_take(&p.s2c, &f);
    assert_int_equal(f.n, 4);
    flight_put(&f, &p.s2c, 1);
    mp_step_client(&p); /* ClientKeyExchange, CCS, Finished */
    assert_int_equal(p.crc, TERN_WANT_READ);
    flight_take(&p.c2s, &f);
    assert_int_equal(f.n, 1);
    flight_put(&f, &p.c2s, 1);
    mp_handshake_ok(&p);
    /* And application data flows both ways. */
    uint8_t b[16];
    assert_int_equal(tern_write(p.c, "ping", 4), 4);
    assert_int_equal(tern_read(p.s, b, sizeof b), 4);
    assert_memory_equal(b, "ping", 4);
    assert_int_equal(tern_write(p.s, "pong", 4), 4);
    assert_int_equal(tern_read(p.c, b, sizeof b), 4);
    assert_memory_equal(b, "pong", 4);
    mp_free(&p);

    /* A handshake message split across records with an alert in between is
     * refused (RFC 5246 §6.2.1 allows only handshake records there). */
    pair_init(&p);
    mp_step_client(&p);
    flight_take(&p.c2s, &f);
    size_t half = f.len[0] / 2;
    mp_put_record(&p.c2s, TERN_CT_HANDSHAKE, f.msg[0], half);
    static const uint8_t warn[2] = {1, 112};
    mp_put_record(&p.c2s, TERN_CT_ALERT, warn, 2);
    mp_put_record(&p.c2s, TERN_CT_HANDSHAKE, f.msg[0] + half, f.len[0] - half);
    flight_free(&f);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "inside a fragmented handshake message");
    mp_free(&p);
}

/* ---- 5. a ClientHello with 2^16 - 1 bytes of extensions ---- */

/* The ClientHello's body with its extensions block grown to `total` bytes
 * by a padding extension (RFC 7685, type 21) at the end; returns the new
 * body (malloc'd) and its length. */
static uint8_t *pad_hello(const uint8_t *body, size_t len, size_t total, size_t *out_len) {
    tern_reader r, v;
    tern_rd_init(&r, body, len);
    assert_int_equal(tern_rd_skip(&r, 2 + 32), 0);
    assert_int_equal(tern_rd_vec8(&r, &v), 0);
    assert_int_equal(tern_rd_vec16(&r, &v), 0);
    assert_int_equal(tern_rd_vec8(&r, &v), 0);
    size_t head = (size_t)(r.p - body);
    size_t ext_len = tern_load_be16(r.p);
    assert_int_equal(head + 2 + ext_len, len);
    assert_true(total >= ext_len + 4);
    size_t pad = total - ext_len - 4;
    *out_len = head + 2 + total;
    uint8_t *out = calloc(1, *out_len);
    memcpy(out, body, head);
    tern_store_be16(out + head, (uint16_t)total);
    memcpy(out + head + 2, body + head + 2, ext_len);
    uint8_t *x = out + head + 2 + ext_len;
    tern_store_be16(x, 21);
    tern_store_be16(x + 2, (uint16_t)pad);
    return out;
}

static void test_huge_extensions(void **state) {
    (void)state;
    /* Over the default 16384-byte limit (the ClientHello is then parsed as
     * it arrives) and under a larger one (hs_max 128 KB: gathered whole),
     * the hello is parsed: the padding is skipped, the real extensions are
     * used, and the server answers with its flight.  (The client's own
     * transcript differs, so the handshake then ends at the Finished
     * check: the tampering is caught.) */
    mp_pair p;
    flight f;
    size_t n;
    uint8_t *body;
    tern_config *scfg = server_cfg();
    assert_int_equal(tern_config_set_buffer_sizes(scfg, 16384, 131072), 0);
    tern_config *ccfg = client_cfg();
    ccfg->no_ems = 1; /* so the mismatch shows in Finished, not in the keys */
    for (int k = 0; k < 2; k++) {
        mp_init(&p, ccfg, k ? scfg : g_scfg, "localhost");
        mp_step_client(&p);
        flight_take(&p.c2s, &f);
        body = pad_hello(f.msg[0] + 4, f.len[0] - 4, 0xffff, &n);
        flight_set_body(&f, 0, body, n);
        free(body);
        flight_put(&f, &p.c2s, 16384);
        mp_step_server(&p);
        assert_int_equal(p.src, TERN_WANT_READ);
        flight_take(&p.s2c, &f);
        assert_int_equal(f.n, 4);
        assert_int_equal(f.msg[0][0], TERN_HT_SERVER_HELLO);
        flight_put(&f, &p.s2c, 16384);
        mp_handshake(&p);
        expect_fail(p.s, p.src, TERN_ERR_FINISHED, TERN_ALERT_DECRYPT_ERROR, "Finished");
        mp_free(&p);
    }

    /* An extensions length one more than the bytes present: decode_error. */
    mp_init(&p, ccfg, scfg, "localhost");
    mp_step_client(&p);
    flight_take(&p.c2s, &f);
    body = pad_hello(f.msg[0] + 4, f.len[0] - 4, 0xfff0, &n);
    tern_store_be16(body + n - 0xfff0 - 2, 0xfff1);
    flight_set_body(&f, 0, body, n);
    free(body);
    flight_put(&f, &p.c2s, 16384);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "ClientHello");
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* ---- 6. duplicate extensions ---- */

/* The offset of the extensions block (after its 2-byte length) in a hello
 * body; server hellos have no suites list / a single suite. */
static size_t ext_offset(const uint8_t *body, size_t len, int server) {
    tern_reader r, v;
    tern_rd_init(&r, body, len);
    assert_int_equal(tern_rd_skip(&r, 2 + 32), 0);
    assert_int_equal(tern_rd_vec8(&r, &v), 0);
    if (server) {
        assert_int_equal(tern_rd_skip(&r, 3), 0);
    } else {
        assert_int_equal(tern_rd_vec16(&r, &v), 0);
        assert_int_equal(tern_rd_vec8(&r, &v), 0);
    }
    return (size_t)(r.p - body) + 2;
}

/* Duplicate the first extension of message i of the flight. */
static void duplicate_first_ext(flight *f, size_t i, int server) {
    const uint8_t *body = f->msg[i] + 4;
    size_t len = f->len[i] - 4;
    size_t at = ext_offset(body, len, server);
    size_t first = 4 + tern_load_be16(body + at + 2);
    uint8_t *nb = malloc(len + first);
    memcpy(nb, body, len);
    memcpy(nb + len, body + at, first);
    tern_store_be16(nb + at - 2, (uint16_t)(tern_load_be16(body + at - 2) + first));
    flight_set_body(f, i, nb, len + first);
    free(nb);
}

static void test_duplicate_extensions(void **state) {
    (void)state;
    mp_pair p;
    pair_init(&p);
    mp_step_client(&p);
    flight f;
    flight_take(&p.c2s, &f);
    duplicate_first_ext(&f, 0, 0);
    flight_put(&f, &p.c2s, 16384);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "appears twice");
    mp_step_client(&p);
    assert_int_equal(p.crc, TERN_ERR_PEER_ALERT);
    mp_free(&p);

    pair_init(&p);
    mp_step_client(&p);
    mp_step_server(&p);
    flight_take(&p.s2c, &f);
    duplicate_first_ext(&f, flight_find(&f, TERN_HT_SERVER_HELLO), 1);
    flight_put(&f, &p.s2c, 16384);
    mp_step_client(&p);
    expect_fail(p.c, p.crc, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "appears twice");
    mp_free(&p);
}

/* ---- 7. small-order / all-zero X25519 shares ---- */
static const uint8_t bad_points[][32] = {
    {0},                                                                    /* u = 0 */
    {1},                                                                    /* u = 1 (order 4) */
    {0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, /* u = p */
    {0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a,
     0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00}, /* order 8 */
};

static void test_bad_x25519_shares(void **state) {
    (void)state;
    for (size_t k = 0; k < sizeof bad_points / sizeof bad_points[0]; k++) {
        /* From the client, in ClientKeyExchange. */
        mp_pair p;
        pair_init(&p);
        mp_step_client(&p);
        mp_step_server(&p);
        mp_step_client(&p);
        flight f;
        flight_take(&p.c2s, &f);
        uint8_t cke[33] = {32};
        memcpy(cke + 1, bad_points[k], 32);
        flight_set_body(&f, flight_find(&f, TERN_HT_CLIENT_KEY_EXCHANGE), cke, sizeof cke);
        flight_put(&f, &p.c2s, 16384);
        mp_step_server(&p);
        expect_fail(p.s, p.src, TERN_ERR_ZERO_SECRET, TERN_ALERT_ILLEGAL_PARAMETER, "small-order");
        mp_free(&p);

        /* From the server, in a ServerKeyExchange re-signed with the
         * server's real key so that the share is the only thing wrong. */
        pair_init(&p);
        mp_step_client(&p);
        mp_step_server(&p);
        flight_take(&p.s2c, &f);
        size_t i = flight_find(&f, TERN_HT_SERVER_KEY_EXCHANGE);
        uint8_t *ske = f.msg[i] + 4;
        size_t ske_len = f.len[i] - 4;
        memcpy(ske + 4, bad_points[k], 32);
        uint16_t scheme = tern_load_be16(ske + 36);
        tern_hash_alg alg;
        int pss = tern_sigalg_info(scheme, &alg);
        assert_true(pss >= 0);
        tern_hash_ctx h;
        uint8_t digest[TERN_HASH_MAX_LEN];
        assert_int_equal(tern_hash_init(&h, alg), 0);
        tern_hash_update(&h, p.s->hs_state->client_random, 32);
        tern_hash_update(&h, p.s->hs_state->server_random, 32);
        tern_hash_update(&h, ske, 36);
        tern_hash_final(&h, digest);
        size_t siglen = 0;
        assert_int_equal(tern_keystore_sign(&g_scfg->keys, pss ? TERN_KEYSTORE_RSA_PSS : TERN_KEYSTORE_RSA_PKCS1,
                                            alg, digest, ske + 40, ske_len - 40, &siglen, NULL, NULL),
                         0);
        assert_int_equal(siglen, ske_len - 40);
        flight_put(&f, &p.s2c, 16384);
        mp_step_client(&p);
        expect_fail(p.c, p.crc, TERN_ERR_ZERO_SECRET, TERN_ALERT_ILLEGAL_PARAMETER, "small-order");
        mp_free(&p);
    }
    /* A share of the wrong size, 31 bytes, does not parse: decode_error
     * (RFC 8446 §6.2; it was illegal_parameter before the alerts audit). */
    mp_pair p;
    pair_init(&p);
    mp_step_client(&p);
    mp_step_server(&p);
    mp_step_client(&p);
    flight f;
    flight_take(&p.c2s, &f);
    uint8_t cke[32] = {31, 9};
    flight_set_body(&f, flight_find(&f, TERN_HT_CLIENT_KEY_EXCHANGE), cke, sizeof cke);
    flight_put(&f, &p.c2s, 16384);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "31 bytes");
    mp_free(&p);
}

/* ---- 8. an RSA signature of the wrong length ---- */
static void test_signature_length(void **state) {
    (void)state;
    for (int longer = 0; longer < 2; longer++) {
        mp_pair p;
        pair_init(&p);
        mp_step_client(&p);
        mp_step_server(&p);
        flight f;
        flight_take(&p.s2c, &f);
        size_t i = flight_find(&f, TERN_HT_SERVER_KEY_EXCHANGE);
        const uint8_t *ske = f.msg[i] + 4;
        size_t len = f.len[i] - 4, siglen = tern_load_be16(ske + 38);
        assert_int_equal(siglen, 256);
        /* 255 bytes (the last dropped) or 257 (a zero in front). */
        size_t nl = longer ? len + 1 : len - 1;
        uint8_t *nb = calloc(1, nl);
        memcpy(nb, ske, 40);
        tern_store_be16(nb + 38, (uint16_t)(longer ? 257 : 255));
        memcpy(nb + 40 + (size_t)longer, ske + 40, longer ? 256 : 255);
        flight_set_body(&f, i, nb, nl);
        free(nb);
        flight_put(&f, &p.s2c, 16384);
        mp_step_client(&p);
        expect_fail(p.c, p.crc, TERN_ERR_BAD_SIGNATURE, TERN_ALERT_DECRYPT_ERROR, "ServerKeyExchange signature");
        mp_step_server(&p);
        assert_int_equal(p.src, TERN_ERR_PEER_ALERT);
        assert_int_equal(tern_alert_received(p.s), TERN_ALERT_DECRYPT_ERROR);
        mp_free(&p);
    }
}

/* ---- 9. ChangeCipherSpec out of order ---- */
static void test_ccs_out_of_order(void **state) {
    (void)state;
    static const uint8_t one = 1;
    /* Before ServerHello (client side). */
    mp_pair p;
    pair_init(&p);
    mp_step_client(&p);
    mp_put_record(&p.s2c, TERN_CT_CHANGE_CIPHER_SPEC, &one, 1);
    mp_step_client(&p);
    expect_fail(p.c, p.crc, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "expected ServerHello, received ChangeCipherSpec");
    mp_free(&p);
    /* Before ClientKeyExchange (server side). */
    pair_init(&p);
    mp_step_client(&p);
    mp_step_server(&p);
    mp_step_client(&p);
    flight f;
    flight_take(&p.c2s, &f); /* CKE | CCS | Finished */
    flight_free(&f);
    mp_put_record(&p.c2s, TERN_CT_CHANGE_CIPHER_SPEC, &one, 1);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "expected ClientKeyExchange, received ChangeCipherSpec");
    mp_free(&p);
    /* Before ServerKeyExchange: inside the server's flight. */
    pair_init(&p);
    mp_step_client(&p);
    mp_step_server(&p);
    flight_take(&p.s2c, &f);
    for (size_t i = 0; i < f.n; i++) {
        if (f.msg[i][0] == TERN_HT_SERVER_KEY_EXCHANGE)
            mp_put_record(&p.s2c, TERN_CT_CHANGE_CIPHER_SPEC, &one, 1);
        mp_put_record(&p.s2c, TERN_CT_HANDSHAKE, f.msg[i], f.len[i]);
    }
    flight_free(&f);
    mp_step_client(&p);
    expect_fail(p.c, p.crc, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "expected ServerKeyExchange, received ChangeCipherSpec");
    mp_free(&p);
    /* A second CCS, under the new keys, where the client's Finished
     * belongs (same keys and sequence number, so it authenticates). */
    pair_init(&p);
    mp_step_client(&p);
    mp_step_server(&p);
    mp_step_client(&p);
    flight_take(&p.c2s, &f); /* CKE, then rest = CCS | Finished */
    assert_int_equal(f.rest[0], TERN_CT_CHANGE_CIPHER_SPEC);
    for (size_t i = 0; i < f.n; i++)
        mp_put_record(&p.c2s, TERN_CT_HANDSHAKE, f.msg[i], f.len[i]);
    mp_put(&p.c2s, f.rest, 6);
    flight_free(&f);
    tern_rec_dir saved = p.c->wr;
    p.c->wr.seq = 0;
    inject(p.c, TERN_CT_CHANGE_CIPHER_SPEC, &one, 1);
    p.c->wr = saved;
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "expected Finished, received ChangeCipherSpec");
    mp_free(&p);
    /* After the handshake, protected. */
    pair_init(&p);
    mp_handshake_ok(&p);
    inject(p.s, TERN_CT_CHANGE_CIPHER_SPEC, &one, 1);
    uint8_t b[8];
    expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "ChangeCipherSpec after the handshake");
    mp_free(&p);
}

/* ---- 10. application data before Finished ---- */
static void test_data_before_finished(void **state) {
    (void)state;
    uint8_t b[64];
    /* In the clear, right after ClientHello. */
    mp_pair p;
    pair_init(&p);
    mp_step_client(&p);
    mp_put_record(&p.c2s, TERN_CT_APPLICATION_DATA, (const uint8_t *)secret, sizeof secret);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "application data arrived during the handshake");
    mp_free(&p);

    /* Under the new keys, in place of the client's Finished: it
     * authenticates (same keys, same sequence number) but is not Finished.
     * The server must fail without releasing it. */
    pair_init(&p);
    mp_step_client(&p);
    mp_step_server(&p);
    mp_step_client(&p);
    flight f;
    flight_take(&p.c2s, &f); /* CKE, rest = CCS | Finished(seq 0) */
    for (size_t i = 0; i < f.n; i++)
        mp_put_record(&p.c2s, TERN_CT_HANDSHAKE, f.msg[i], f.len[i]);
    mp_put(&p.c2s, f.rest, 6);
    flight_free(&f);
    tern_rec_dir saved = p.c->wr;
    p.c->wr.seq = 0;
    inject(p.c, TERN_CT_APPLICATION_DATA, secret, sizeof secret);
    p.c->wr = saved;
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "application data arrived during the handshake");
    assert_null(strstr(tern_error(p.s), secret));
    mp_free(&p);

    /* The same from the server to the client, before the server's
     * Finished: the client's read returns the error, never the data. */
    pair_init(&p);
    mp_step_client(&p);
    mp_step_server(&p);
    mp_step_client(&p);
    mp_step_server(&p); /* CCS | Finished to the client */
    size_t n;
    uint8_t *all = mp_take(&p.s2c, &n);
    assert_int_equal(all[0], TERN_CT_CHANGE_CIPHER_SPEC);
    mp_put(&p.s2c, all, 6);
    free(all);
    saved = p.s->wr;
    p.s->wr.seq = 0;
    inject(p.s, TERN_CT_APPLICATION_DATA, secret, sizeof secret);
    p.s->wr = saved;
    memset(b, 0, sizeof b);
    long r = tern_read(p.c, b, sizeof b);
    expect_fail(p.c, r, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "application data arrived during the handshake");
    assert_null(strstr((const char *)b, "SECRET"));
    mp_free(&p);
}

/* ---- 11. alerts of unknown types ---- */
static void test_unknown_alerts(void **state) {
    (void)state;
    uint8_t b[16];
    /* A warning of an unknown description is ignored (RFC 5246 §7.2: an
     * unknown alert is a warning when it says so); data then flows. */
    mp_pair p;
    pair_init(&p);
    mp_handshake_ok(&p);
    static const uint8_t warn_unknown[2] = {1, 199};
    inject(p.s, TERN_CT_ALERT, warn_unknown, 2);
    inject(p.s, TERN_CT_APPLICATION_DATA, "ok", 2);
    assert_int_equal(tern_read(p.c, b, sizeof b), 2);
    assert_int_equal(tern_alert_sent(p.c), -1);
    /* But not an endless stream of them. */
    for (int i = 0; i < 20; i++)
        inject(p.s, TERN_CT_ALERT, warn_unknown, 2);
    expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "too many warning alerts");
    mp_free(&p);

    /* A fatal alert of an unknown description ends the connection, named
     * by its number; no alert is sent back. */
    static const uint8_t fatal_unknown[2] = {2, 199}, odd_level[2] = {7, 40};
    pair_init(&p);
    mp_handshake_ok(&p);
    inject(p.s, TERN_CT_ALERT, fatal_unknown, 2);
    long r = tern_read(p.c, b, sizeof b);
    assert_int_equal(r, TERN_ERR_PEER_ALERT);
    assert_int_equal(tern_alert_received(p.c), 199);
    assert_int_equal(tern_alert_sent(p.c), -1);
    assert_non_null(strstr(tern_error(p.c), "unknown (199)"));
    assert_int_equal(tern_read(p.c, b, sizeof b), TERN_ERR_PEER_ALERT);
    mp_free(&p);
    /* A level that is neither warning (1) nor fatal (2) is a field out of
     * range: illegal_parameter (it used to count as a fatal alert received;
     * tests/test_conformance.c has the other levels). */
    pair_init(&p);
    mp_handshake_ok(&p);
    inject(p.s, TERN_CT_ALERT, odd_level, 2);
    expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER,
                "level 7");
    mp_free(&p);
    /* During the handshake: an unknown fatal alert in the clear. */
    pair_init(&p);
    mp_step_client(&p);
    mp_put_record(&p.s2c, TERN_CT_ALERT, fatal_unknown, 2);
    mp_step_client(&p);
    assert_int_equal(p.crc, TERN_ERR_PEER_ALERT);
    assert_int_equal(tern_alert_received(p.c), 199);
    assert_int_equal(tern_read(p.c, b, sizeof b), TERN_ERR_PEER_ALERT);
    mp_free(&p);
    /* Alert records of 1 and 3 bytes: decode_error. */
    static const uint8_t three[3] = {1, 199, 1};
    for (size_t len = 1; len <= 3; len += 2) {
        pair_init(&p);
        mp_handshake_ok(&p);
        inject(p.s, TERN_CT_ALERT, three, len);
        expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "odd length");
        mp_free(&p);
    }
}

/* ---- 12. garbage after close_notify ---- */
static void test_garbage_after_close(void **state) {
    (void)state;
    uint8_t b[64];
    static const uint8_t close_notify[2] = {1, 0};
    for (int k = 0; k < 3; k++) {
        mp_pair p;
        pair_init(&p);
        mp_handshake_ok(&p);
        inject(p.s, TERN_CT_APPLICATION_DATA, "last", 4);
        if (k == 0) {
            inject(p.s, TERN_CT_ALERT, close_notify, 2);
            /* Bytes that are not even a record. */
            static const uint8_t junk[] = "\xff\xfe garbage after the end \x00\x01";
            mp_put(&p.s2c, junk, sizeof junk);
        } else if (k == 1) {
            inject(p.s, TERN_CT_ALERT, close_notify, 2);
            /* A valid, authenticated data record after the end. */
            inject(p.s, TERN_CT_APPLICATION_DATA, secret, sizeof secret);
        } else {
            /* close_notify with trailing bytes in the same alert record. */
            static const uint8_t more[4] = {1, 0, 2, 40};
            inject(p.s, TERN_CT_ALERT, more, 4);
        }
        assert_int_equal(tern_read(p.c, b, sizeof b), 4);
        assert_memory_equal(b, "last", 4);
        memset(b, 0, sizeof b);
        assert_int_equal(tern_read(p.c, b, sizeof b), 0);
        assert_int_equal(tern_read(p.c, b, sizeof b), 0);
        assert_null(strstr((const char *)b, "SECRET"));
        assert_int_equal(tern_alert_sent(p.c), -1);
        assert_int_equal(tern_alert_received(p.c), 0);
        /* We may still close our side cleanly. */
        assert_int_equal(tern_close(p.c), 0);
        assert_int_equal(tern_read(p.s, b, sizeof b), 0);
        mp_free(&p);
    }
}

/* ---- regression: tern_read(c, NULL, 0) (allowed by tern.h) reached
 * memcpy(NULL, p, 0), undefined behaviour (found by clang-tidy's
 * NonNullParamChecker; UBSan's nonnull-attribute check reports it in
 * `make check`).  A zero-length read must take nothing and leave the
 * pending data for the next read. ---- */
static void test_zero_length_read(void **state) {
    (void)state;
    mp_pair p;
    pair_init(&p);
    mp_handshake_ok(&p);
    assert_int_equal(tern_write(p.s, "data", 4), 4);
    (void)tern_read(p.c, NULL, 0);
    uint8_t b[8];
    assert_int_equal(tern_read(p.c, b, sizeof b), 4);
    assert_memory_equal(b, "data", 4);
    mp_free(&p);
}

/* ---- regression: a saved session whose creation time is far in the past
 * (tern_session_from_bytes accepts any int64) made the expiry check
 * compute now - created in int64_t and overflow (found by fuzz_session;
 * UBSan reports it in `make check`).  Such a session is simply expired. ---- */
static void test_session_time_overflow(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg();
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 3600), 0);
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 3600), 0);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake_ok(&p);
    tern_session *s = tern_get_session(p.c);
    assert_non_null(s);
    mp_free(&p);
    /* It resumes as it is ... */
    tern_conn *c = tern_client_new(ccfg, "localhost");
    assert_int_equal(tern_set_session(c, s), 0);
    tern_free(c);
    /* ... but not from the far past or the future. */
    static const int64_t times[] = {INT64_MIN, INT64_MIN + 1, -1, INT64_MAX};
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        s->core.created = times[i];
        c = tern_client_new(ccfg, "localhost");
        assert_int_equal(tern_set_session(c, s), TERN_ERR_INVALID_ARG);
        tern_free(c);
    }
    tern_session_free(s);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static int setup(void **state) {
    (void)state;
    g_scfg = server_cfg();
    g_ccfg = client_cfg();
    return 0;
}

static int teardown(void **state) {
    (void)state;
    tern_config_free(g_scfg);
    tern_config_free(g_ccfg);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oversized_records),    cmocka_unit_test(test_zero_length_records),
        cmocka_unit_test(test_message_over_limit),   cmocka_unit_test(test_one_byte_records),
        cmocka_unit_test(test_huge_extensions),      cmocka_unit_test(test_duplicate_extensions),
        cmocka_unit_test(test_bad_x25519_shares),    cmocka_unit_test(test_signature_length),
        cmocka_unit_test(test_ccs_out_of_order),     cmocka_unit_test(test_data_before_finished),
        cmocka_unit_test(test_unknown_alerts),       cmocka_unit_test(test_garbage_after_close),
        cmocka_unit_test(test_zero_length_read),      cmocka_unit_test(test_session_time_overflow),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
