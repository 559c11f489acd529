/*
 * Protocol conformance: what an independent TLS 1.2 conformance suite
 * checks, replayed in memory (tests/mempair.h) with the test playing the
 * network.  Each case checks the exact error and the exact alert sent (or
 * that the connection carries on where the peer's behaviour is legal).
 *
 *   - ChangeCipherSpec that is not the single byte 1, both directions:
 *     unexpected_message (lib/hs_change_cipher_spec.c says why).
 *   - Alert levels (RFC 5246 §7.2, §7.2.2): descriptions that are always
 *     fatal end the connection even at warning level; user_canceled,
 *     no_renegotiation, certificate warnings and unknown descriptions at
 *     warning level are ignored; a level other than 1 or 2 is
 *     illegal_parameter; a flood of warnings (before, during or after the
 *     handshake) ends at the fifth in a row with unexpected_message; a
 *     flood of empty records ends at the 33rd.
 *   - Key shares that do not parse (empty, short, long; ClientKeyExchange
 *     and ServerKeyExchange; x25519 and secp256r1) and a ServerKeyExchange
 *     framed wrong: decode_error; a well-formed point off the curve or
 *     compressed: illegal_parameter.
 *   - Finished of another length: decode_error; one that does not match:
 *     decrypt_error (both directions).
 *   - The server's Certificate framed wrong (an empty list among them):
 *     decode_error; a certificate signature that does not verify:
 *     bad_certificate.
 *   - RFC 7627 §5.3 on resumption, server and client side.
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
#include "lib/hs.h"
#include "lib/record.h"
#include "lib/engine.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

static tern_config *server_cfg(void) { return mp_config(NULL, "certs/server-chain.pem", "certs/server.key"); }
static tern_config *client_cfg(void) { return mp_config("certs/root-ca.crt", NULL, NULL); }

static tern_config *g_scfg, *g_ccfg;

/* The error, the alert sent, words in the message; sticky. */
static void expect_fail(tern_conn *c, long rc, int err, int alert, const char *words) {
    mp_expect_fail(c, rc, err, alert, words, MP_FAIL_READ);
}

/* The peer's fatal alert ended c (it sends none back). */
static void expect_peer_alert(tern_conn *c, long rc, int alert) {
    if (rc != TERN_ERR_PEER_ALERT)
        fail_msg("expected the peer's alert %d, got %ld: %s", alert, rc, tern_error(c));
    assert_int_equal(tern_alert_received(c), alert);
    assert_int_equal(tern_alert_sent(c), -1);
}

/* A protected record from `from` (under its current write keys). */
static void inject(tern_conn *from, uint8_t type, const void *p, size_t n) {
    assert_int_equal(tern_rec_write(from, type, p, n), 0);
    assert_int_equal(tern_io_flush(from), 0);
}

/* Replace the first record of `type` in pipe q by one holding body. */
static void replace_record(mp_pipe *q, uint8_t type, const uint8_t *body, size_t n) {
    size_t len;
    uint8_t *all = mp_take(q, &len);
    int done = 0;
    for (size_t off = 0; off + 5 <= len;) {
        size_t rl = tern_load_be16(all + off + 3);
        assert_true(off + 5 + rl <= len);
        if (!done && all[off] == type) {
            mp_put_record(q, type, body, n);
            done = 1;
        } else {
            mp_put(q, all + off, 5 + rl);
        }
        off += 5 + rl;
    }
    free(all);
    assert_true(done);
}

/* Replace handshake message `type` in pipe q by a message of that type
 * with this body. */
static void replace_body(mp_pipe *q, int type, const uint8_t *body, size_t n) {
    uint8_t *m = malloc(4 + n + 1);
    assert_non_null(m);
    m[0] = (uint8_t)type;
    m[1] = (uint8_t)(n >> 16);
    m[2] = (uint8_t)(n >> 8);
    m[3] = (uint8_t)n;
    if (n > 0)
        memcpy(m + 4, body, n);
    mp_replace(q, type, m, 4 + n);
    free(m);
}

/* ---- ChangeCipherSpec ---- */
static void test_ccs_not_one(void **state) {
    (void)state;
    static const uint8_t bad[][3] = {{2}, {0}, {0xff}, {1, 1}, {1, 0, 0}};
    static const size_t lens[] = {1, 1, 1, 2, 3};
    for (size_t i = 0; i < TERN_ARRAY_LEN(lens); i++) {
        /* The client's CCS, to the server. */
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_step_client(&p);
        mp_step_server(&p);
        mp_step_client(&p);
        replace_record(&p.c2s, TERN_CT_CHANGE_CIPHER_SPEC, bad[i], lens[i]);
        mp_step_server(&p);
        expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "ChangeCipherSpec");
        mp_step_client(&p);
        expect_peer_alert(p.c, p.crc, TERN_ALERT_UNEXPECTED_MESSAGE);
        mp_free(&p);
        /* The server's CCS, to the client. */
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_step_client(&p);
        mp_step_server(&p);
        mp_step_client(&p);
        mp_step_server(&p);
        replace_record(&p.s2c, TERN_CT_CHANGE_CIPHER_SPEC, bad[i], lens[i]);
        mp_step_client(&p);
        expect_fail(p.c, p.crc, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "ChangeCipherSpec");
        mp_free(&p);
    }
}

/* ---- HelloRequest with a body (RFC 5246 §7.4.1.1: it has none) ---- */
static void test_hello_request_body(void **state) {
    (void)state;
    static const uint8_t hr[5] = {TERN_HT_HELLO_REQUEST, 0, 0, 1, 0};
    /* During the handshake: in front of the ServerHello. */
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    size_t len;
    uint8_t *flight = mp_take(&p.s2c, &len);
    mp_put_record(&p.s2c, TERN_CT_HANDSHAKE, hr, sizeof hr);
    mp_put(&p.s2c, flight, len);
    free(flight);
    mp_step_client(&p);
    expect_fail(p.c, p.crc, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "HelloRequest with a 1-byte body");
    mp_free(&p);
    /* After the handshake. */
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    inject(p.s, TERN_CT_HANDSHAKE, hr, sizeof hr);
    uint8_t b[8];
    long rc = tern_read(p.c, b, sizeof b);
    expect_fail(p.c, rc, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "HelloRequest with a 1-byte body");
    mp_free(&p);
}

/* ---- alert levels ---- */
static const uint8_t always_fatal[] = {10, 20, 21, 22, 30, 40, 47, 48, 49, 50, 51, 60, 70, 71, 80, 110};

static void test_warning_always_fatal(void **state) {
    (void)state;
    uint8_t b[16];
    for (size_t i = 0; i < sizeof always_fatal; i++) {
        /* After the handshake, under the keys. */
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_handshake_ok(&p);
        uint8_t a[2] = {1, always_fatal[i]};
        inject(p.s, TERN_CT_ALERT, a, 2);
        inject(p.s, TERN_CT_APPLICATION_DATA, "no", 2);
        expect_peer_alert(p.c, tern_read(p.c, b, sizeof b), always_fatal[i]);
        assert_non_null(strstr(tern_error(p.c), "always fatal"));
        assert_int_equal(tern_read(p.c, b, sizeof b), TERN_ERR_PEER_ALERT); /* sticky, no data */
        mp_free(&p);
        /* During the handshake, in the clear, to the server. */
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_step_client(&p);
        mp_put_record(&p.c2s, TERN_CT_ALERT, a, 2);
        mp_step_server(&p);
        /* The ClientHello came first: the server answered it, then read
         * the alert. */
        expect_peer_alert(p.s, p.src, always_fatal[i]);
        mp_free(&p);
    }
}

static void test_warnings_ignored(void **state) {
    (void)state;
    /* user_canceled, no_renegotiation, the certificate warnings (RFC 5246
     * §7.2.2 does not make them fatal), unrecognized_name, and
     * descriptions nobody defined: ignored, data flows. */
    static const uint8_t warn[] = {90, 100, 41, 42, 43, 44, 45, 46, 112, 1, 99, 199, 255};
    uint8_t b[16];
    for (size_t i = 0; i < sizeof warn; i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_handshake_ok(&p);
        uint8_t a[2] = {1, warn[i]};
        inject(p.s, TERN_CT_ALERT, a, 2);
        inject(p.s, TERN_CT_APPLICATION_DATA, "ok", 2);
        assert_int_equal(tern_read(p.c, b, sizeof b), 2);
        assert_memory_equal(b, "ok", 2);
        assert_int_equal(tern_alert_sent(p.c), -1);
        mp_free(&p);
    }
    /* A warning during the handshake, in the clear, before the
     * ClientHello: the handshake goes on. */
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    static const uint8_t uc[2] = {1, 90};
    mp_put_record(&p.c2s, TERN_CT_ALERT, uc, 2);
    mp_handshake_ok(&p);
    mp_free(&p);
}

static void test_invalid_alert_level(void **state) {
    (void)state;
    static const uint8_t bad[][2] = {{0, 90}, {3, 0}, {255, 10}, {0, 0}, {7, 40}};
    uint8_t b[16];
    for (size_t i = 0; i < TERN_ARRAY_LEN(bad); i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_handshake_ok(&p);
        inject(p.s, TERN_CT_ALERT, bad[i], 2);
        inject(p.s, TERN_CT_APPLICATION_DATA, "no", 2);
        expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER,
                    "level");
        assert_int_equal(tern_alert_received(p.c), -1);
        /* The server hears why. */
        expect_peer_alert(p.s, tern_read(p.s, b, sizeof b), TERN_ALERT_ILLEGAL_PARAMETER);
        mp_free(&p);
    }
    /* In the clear, during the handshake. */
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_step_client(&p);
    mp_put_record(&p.c2s, TERN_CT_ALERT, bad[0], 2);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "level");
    mp_free(&p);
}

static void test_warning_flood(void **state) {
    (void)state;
    uint8_t b[16];
    static const uint8_t kinds[][2] = {{1, 90}, {1, 199}, {1, 100}};
    for (size_t k = 0; k < TERN_ARRAY_LEN(kinds); k++) {
        /* Four in a row, then data: fine, and the count starts again. */
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_handshake_ok(&p);
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 4; i++)
                inject(p.s, TERN_CT_ALERT, kinds[k], 2);
            inject(p.s, TERN_CT_APPLICATION_DATA, "ok", 2);
            assert_int_equal(tern_read(p.c, b, sizeof b), 2);
        }
        /* Thousands: the fifth ends it. */
        for (int i = 0; i < 3000; i++)
            inject(p.s, TERN_CT_ALERT, kinds[k], 2);
        expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                    "too many warning alerts in a row (5");
        mp_free(&p);
        /* Several in one record count one by one. */
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_handshake_ok(&p);
        uint8_t five[10];
        for (int i = 0; i < 5; i++)
            memcpy(five + 2 * i, kinds[k], 2);
        inject(p.s, TERN_CT_ALERT, five, 8);
        inject(p.s, TERN_CT_APPLICATION_DATA, "ok", 2);
        assert_int_equal(tern_read(p.c, b, sizeof b), 2);
        inject(p.s, TERN_CT_ALERT, five, 10);
        expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                    "too many warning alerts");
        mp_free(&p);
        /* Empty records between the warnings do not reset the count. */
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_handshake_ok(&p);
        for (int i = 0; i < 5; i++) {
            inject(p.s, TERN_CT_APPLICATION_DATA, "", 0);
            inject(p.s, TERN_CT_ALERT, kinds[k], 2);
        }
        expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                    "too many warning alerts");
        mp_free(&p);
        /* Before the handshake, in the clear, to the server: four, then the
         * ClientHello, is a handshake; a flood is refused at the fifth. */
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        for (int i = 0; i < 4; i++)
            mp_put_record(&p.c2s, TERN_CT_ALERT, kinds[k], 2);
        mp_handshake_ok(&p);
        mp_free(&p);
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        for (int i = 0; i < 3000; i++)
            mp_put_record(&p.c2s, TERN_CT_ALERT, kinds[k], 2);
        mp_step_server(&p);
        expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "too many warning alerts");
        mp_free(&p);
    }
}

static void test_empty_record_flood(void **state) {
    (void)state;
    uint8_t b[16];
    /* 32 empty application data records in a row, then data: fine. */
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_handshake_ok(&p);
    for (int i = 0; i < 32; i++)
        inject(p.s, TERN_CT_APPLICATION_DATA, "", 0);
    inject(p.s, TERN_CT_APPLICATION_DATA, "ok", 2);
    assert_int_equal(tern_read(p.c, b, sizeof b), 2);
    /* Thousands: the 33rd ends it. */
    for (int i = 0; i < 5000; i++)
        inject(p.s, TERN_CT_APPLICATION_DATA, "", 0);
    expect_fail(p.c, tern_read(p.c, b, sizeof b), TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "too many empty records");
    mp_free(&p);
}

/* ---- key shares that do not parse ---- */

/* Run to the client's second flight; the test then rewrites its
 * ClientKeyExchange to hold this ECPoint. */
static void cke_case(tern_config *scfg, const uint8_t *point, size_t n, int vec_len, int err, int alert,
                     const char *words) {
    mp_pair p;
    mp_init(&p, g_ccfg, scfg, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    mp_step_client(&p);
    uint8_t body[128];
    assert_true(n + 1 <= sizeof body);
    body[0] = (uint8_t)vec_len;
    if (n > 0)
        memcpy(body + 1, point, n);
    replace_body(&p.c2s, TERN_HT_CLIENT_KEY_EXCHANGE, body, 1 + n);
    mp_step_server(&p);
    expect_fail(p.s, p.src, err, alert, words);
    mp_step_client(&p);
    expect_peer_alert(p.c, p.crc, alert);
    mp_free(&p);
}

static void test_cke_shares(void **state) {
    (void)state;
    uint8_t pt[100];
    memset(pt, 9, sizeof pt);
    /* x25519 (the default choice): empty, short, long. */
    cke_case(g_scfg, pt, 0, 0, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "0 bytes, not 32");
    cke_case(g_scfg, pt, 31, 31, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "31 bytes, not 32");
    cke_case(g_scfg, pt, 33, 33, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "33 bytes, not 32");
    cke_case(g_scfg, pt, 65, 65, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "65 bytes, not 32");
    /* A vector longer than the message, and trailing bytes. */
    cke_case(g_scfg, pt, 20, 32, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL);
    cke_case(g_scfg, pt, 33, 32, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL);
    /* secp256r1: empty, short, long, 33 bytes that are not a compressed
     * point; and a well-formed uncompressed point that is not on the
     * curve: illegal_parameter. */
    tern_config *p256 = server_cfg();
    assert_int_equal(tern_config_set_groups(p256, "secp256r1"), 0);
    cke_case(p256, pt, 0, 0, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "0 bytes, not 65");
    pt[0] = 4;
    cke_case(p256, pt, 64, 64, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "64 bytes, not 65");
    cke_case(p256, pt, 66, 66, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "66 bytes, not 65");
    cke_case(p256, pt, 32, 32, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "32 bytes, not 65");
    cke_case(p256, pt, 33, 33, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "33 bytes, not 65");
    /* A compressed point (02 or 03 || X) is a well-formed ECPoint in a
     * format RFC 8422 lets us refuse: illegal_parameter. */
    pt[0] = 2;
    cke_case(p256, pt, 33, 33, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "compressed");
    pt[0] = 3;
    cke_case(p256, pt, 33, 33, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "compressed");
    pt[0] = 4;
    cke_case(p256, pt, 65, 65, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "not an uncompressed point");
    tern_config_free(p256);
}

/* The server's ServerKeyExchange with its point made n bytes long (the
 * signature no longer matches, but the share is read first). */
static void test_ske_shares(void **state) {
    (void)state;
    static const size_t lens[] = {0, 1, 31, 33, 64};
    for (size_t i = 0; i < TERN_ARRAY_LEN(lens); i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_step_client(&p);
        mp_step_server(&p);
        size_t len;
        uint8_t *ske = mp_copy(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, &len);
        assert_non_null(ske);
        /* 4-byte header, curve_type 3, group, vec8 point, scheme, signature */
        assert_int_equal(ske[4], 3);
        size_t plen = ske[7];
        assert_int_equal(plen, 32);
        size_t rest = len - (8 + plen);
        uint8_t body[1024];
        assert_true(4 + lens[i] + rest <= sizeof body);
        memcpy(body, ske + 4, 3);
        body[3] = (uint8_t)lens[i];
        memset(body + 4, 0x55, lens[i]);
        memcpy(body + 4 + lens[i], ske + 8 + plen, rest);
        replace_body(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, body, 4 + lens[i] + rest);
        free(ske);
        mp_step_client(&p);
        char words[32];
        snprintf(words, sizeof words, "%zu bytes, not 32", lens[i]);
        expect_fail(p.c, p.crc, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, words);
        mp_free(&p);
    }
}

/* ServerKeyExchange framed wrong: a byte after the signature, the
 * signature vector cut short, the message ending inside the params. */
static void test_ske_framing(void **state) {
    (void)state;
    for (int kind = 0; kind < 3; kind++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_step_client(&p);
        mp_step_server(&p);
        size_t len;
        uint8_t *ske = mp_copy(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, &len);
        assert_non_null(ske);
        uint8_t body[1024];
        size_t n = len - 4;
        assert_true(n + 1 <= sizeof body);
        memcpy(body, ske + 4, n);
        if (kind == 0)
            body[n++] = 0;
        else if (kind == 1)
            n--;
        else
            n = 20; /* inside the 32-byte point */
        replace_body(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, body, n);
        free(ske);
        mp_step_client(&p);
        expect_fail(p.c, p.crc, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "ServerKeyExchange");
        mp_free(&p);
    }
}

/* ---- Finished: a length other than 12 does not parse (decode_error); 12
 * bytes that do not match are decrypt_error (RFC 5246 §7.2.2). ---- */

/* Drop the last record in pipe q (the sender's encrypted Finished). */
static void drop_last_record(mp_pipe *q) {
    size_t len;
    uint8_t *all = mp_take(q, &len);
    size_t off = 0, last = 0;
    while (off + 5 <= len) {
        last = off;
        off += 5 + tern_load_be16(all + off + 3);
    }
    assert_int_equal(off, len);
    mp_put(q, all, last);
    free(all);
}

static void test_finished(void **state) {
    (void)state;
    static const struct {
        size_t len;
        int err, alert;
        const char *words;
    } cases[] = {
        {12, TERN_ERR_FINISHED, TERN_ALERT_DECRYPT_ERROR, "Finished does not match"},
        {11, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "Finished"},
        {13, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "Finished"},
        {0, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "Finished"},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        uint8_t fin[4 + 13];
        memset(fin, 0x5a, sizeof fin);
        fin[0] = TERN_HT_FINISHED;
        fin[1] = fin[2] = 0;
        fin[3] = (uint8_t)cases[i].len;
        for (int server_side = 0; server_side < 2; server_side++) {
            mp_pair p;
            mp_init(&p, g_ccfg, g_scfg, "localhost");
            mp_step_client(&p);
            mp_step_server(&p);
            mp_step_client(&p);
            if (server_side) {
                /* The client's Finished, replaced under the client's keys
                 * (same sequence number), to the server. */
                drop_last_record(&p.c2s);
                p.c->wr.seq--;
                inject(p.c, TERN_CT_HANDSHAKE, fin, 4 + cases[i].len);
                mp_step_server(&p);
                expect_fail(p.s, p.src, cases[i].err, cases[i].alert, cases[i].words);
            } else {
                mp_step_server(&p);
                drop_last_record(&p.s2c);
                p.s->wr.seq--;
                inject(p.s, TERN_CT_HANDSHAKE, fin, 4 + cases[i].len);
                mp_step_client(&p);
                expect_fail(p.c, p.crc, cases[i].err, cases[i].alert, cases[i].words);
            }
            mp_free(&p);
        }
    }
}

/* ---- The server's Certificate: an empty list, a zero-length entry,
 * bytes after the list, a list longer than the message: decode_error. ---- */
static void test_server_certificate_framing(void **state) {
    (void)state;
    static const struct {
        uint8_t body[12];
        size_t len;
    } cases[] = {
        {{0, 0, 0}, 3},                      /* certificate_list<0..2^24-1> empty */
        {{0, 0, 3, 0, 0, 0}, 6},             /* one ASN.1Cert<1..2^24-1> of 0 bytes */
        {{0, 0, 0, 0x30}, 4},                /* a byte after the empty list */
        {{0, 0, 9, 0, 0, 6, 0x30, 4}, 8},    /* the list claims more than the message */
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_step_client(&p);
        mp_step_server(&p);
        replace_body(&p.s2c, TERN_HT_CERTIFICATE, cases[i].body, cases[i].len);
        mp_step_client(&p);
        expect_fail(p.c, p.crc, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL);
        mp_free(&p);
    }
}

/* ---- A certificate whose signature does not verify: bad_certificate
 * (RFC 5246 §7.2.2: "contained signatures that did not verify
 * correctly"), not decrypt_error, which is for the handshake's own
 * signatures (ServerKeyExchange, CertificateVerify) and Finished. ---- */
static void test_certificate_signature(void **state) {
    (void)state;
    size_t l1, l2, lk;
    char *leaf = tv_slurp(tv_path("certs/server.crt"), &l1);
    char *evil = tv_slurp(tv_path("certs/int-ca-evil.crt"), &l2);
    char *key = tv_slurp(tv_path("certs/server.key"), &lk);
    assert_non_null(leaf);
    assert_non_null(evil);
    assert_non_null(key);
    uint8_t *chain = malloc(l1 + l2);
    assert_non_null(chain);
    memcpy(chain, leaf, l1);
    memcpy(chain + l1, evil, l2);
    /* The leaf with an intermediate of the right name but another key. */
    tern_config *scfg = tern_config_new();
    assert_non_null(scfg);
    assert_int_equal(tern_config_add_keystore_pem(scfg, chain, l1 + l2, (const uint8_t *)key, lk), 0);
    mp_pair p;
    mp_init(&p, g_ccfg, scfg, "localhost");
    mp_handshake(&p);
    expect_fail(p.c, p.crc, TERN_ERR_CERT_SIGNATURE, TERN_ALERT_BAD_CERTIFICATE, "signature");
    expect_peer_alert(p.s, p.src, TERN_ALERT_BAD_CERTIFICATE);
    mp_free(&p);
    tern_config_free(scfg);
    free(chain);
    free(leaf);
    free(evil);
    free(key);
}

/* ---- RFC 7627 §5.3 ---- */
typedef struct {
    uint8_t id[32], data[1024];
    size_t id_len, len;
} ext_store;
static int ext_put(void *arg, const uint8_t *id, size_t id_len, const uint8_t *data, size_t len) {
    ext_store *e = arg;
    if (id_len > 32 || len > sizeof e->data)
        return -1;
    memcpy(e->id, id, id_len);
    e->id_len = id_len;
    memcpy(e->data, data, len);
    e->len = len;
    return 0;
}
static long ext_get(void *arg, const uint8_t *id, size_t id_len, uint8_t *data, size_t cap) {
    ext_store *e = arg;
    if (e->len == 0 || id_len != e->id_len || memcmp(id, e->id, id_len) != 0 || cap < e->len)
        return -1;
    memcpy(data, e->data, e->len);
    return (long)e->len;
}

/* One handshake offering s (forced past the client's own checks when
 * force); returns the pair for the caller to check and free. */
static void offer(mp_pair *p, const tern_config *ccfg, const tern_config *scfg, const tern_session *s, int force) {
    mp_init(p, ccfg, scfg, "localhost");
    if (s != NULL && force)
        assert_int_equal(tern_sess_client_offer(p->c, s), 0);
    else if (s != NULL)
        assert_int_equal(tern_set_session(p->c, s), 0);
    mp_handshake(p);
}

static void test_ems_resumption_server(void **state) {
    (void)state;
    ext_store e;
    memset(&e, 0, sizeof e);
    tern_config *scfg = server_cfg();
    assert_int_equal(tern_config_set_session_store(scfg, ext_put, ext_get, NULL, &e), 0);
    tern_config *noems = client_cfg();
    noems->no_ems = 1; /* a client without RFC 7627 */

    /* A session made with EMS. */
    mp_pair p;
    offer(&p, g_ccfg, scfg, NULL, 0);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    assert_int_equal(p.c->ems, 1);
    tern_session *s = tern_get_session(p.c);
    assert_non_null(s);
    mp_free(&p);
    /* Offered with EMS: resumed. */
    offer(&p, g_ccfg, scfg, s, 0);
    assert_int_equal(p.crc, 0);
    assert_int_equal(tern_session_reused(p.s), 1);
    mp_free(&p);
    /* Offered without EMS: "the server MUST abort the abbreviated
     * handshake" (§5.3), with handshake_failure (§5.2). */
    offer(&p, noems, scfg, s, 0);
    expect_fail(p.s, p.src, TERN_ERR_HANDSHAKE_FAILURE, TERN_ALERT_HANDSHAKE_FAILURE, "7627");
    expect_peer_alert(p.c, p.crc, TERN_ALERT_HANDSHAKE_FAILURE);
    mp_free(&p);

    /* A session made without EMS (the store says so: byte 3 of the
     * encoding, lib/session.c). */
    offer(&p, g_ccfg, scfg, NULL, 0);
    tern_session *s2 = tern_get_session(p.c);
    assert_non_null(s2);
    mp_free(&p);
    assert_int_equal(e.data[3], 1);
    e.data[3] = 0;
    /* Offered without EMS: "the server SHOULD abort the handshake". */
    offer(&p, noems, scfg, s2, 1);
    expect_fail(p.s, p.src, TERN_ERR_HANDSHAKE_FAILURE, TERN_ALERT_HANDSHAKE_FAILURE, "made without");
    mp_free(&p);
    /* Offered with EMS: "MUST NOT perform the abbreviated handshake ...
     * SHOULD continue with a full handshake". */
    e.data[3] = 0;
    offer(&p, g_ccfg, scfg, s2, 1);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    assert_int_equal(tern_session_reused(p.s), 0);
    assert_int_equal(tern_session_reused(p.c), 0);
    assert_int_equal(p.c->ems, 1);
    mp_free(&p);

    /* A full handshake without EMS makes no session to resume: no ID,
     * no ticket. */
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(noems, 1, 600), 0);
    memset(&e, 0, sizeof e);
    offer(&p, noems, scfg, NULL, 0);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    assert_int_equal(p.c->ems, 0);
    assert_int_equal(e.len, 0);
    assert_null(tern_get_session(p.c));
    mp_free(&p);

    tern_session_free(s);
    tern_session_free(s2);
    tern_config_free(noems);
    tern_config_free(scfg);
}

/* Remove extension `ext` from the ServerHello in pipe q. */
static void strip_server_hello_ext(mp_pipe *q, uint16_t ext) {
    size_t len;
    uint8_t *sh = mp_copy(q, TERN_HT_SERVER_HELLO, &len);
    assert_non_null(sh);
    size_t at = 4 + 2 + 32;
    at += 1 + sh[at];     /* session_id */
    at += 2 + 1;          /* cipher_suite, compression_method */
    size_t exts = at + 2; /* extensions<0..2^16-1> */
    size_t end = exts + tern_load_be16(sh + at);
    assert_int_equal(end, len);
    uint8_t out[1024];
    assert_true(len <= sizeof out);
    size_t o = exts, found = 0;
    memcpy(out, sh, exts);
    for (size_t e = exts; e + 4 <= end;) {
        size_t el = tern_load_be16(sh + e + 2);
        if (tern_load_be16(sh + e) == ext)
            found = 1;
        else {
            memcpy(out + o, sh + e, 4 + el);
            o += 4 + el;
        }
        e += 4 + el;
    }
    assert_true(found);
    tern_store_be16(out + at, (uint16_t)(o - exts));
    out[1] = (uint8_t)((o - 4) >> 16);
    out[2] = (uint8_t)((o - 4) >> 8);
    out[3] = (uint8_t)(o - 4);
    mp_replace(q, TERN_HT_SERVER_HELLO, out, o);
    free(sh);
}

static void test_ems_resumption_client(void **state) {
    (void)state;
    tern_config *scfg = server_cfg();
    assert_int_equal(tern_config_set_session_cache(scfg, 16, 600), 0);
    mp_pair p;
    offer(&p, g_ccfg, scfg, NULL, 0);
    tern_session *s = tern_get_session(p.c);
    assert_non_null(s);
    mp_free(&p);
    /* The server resumes the EMS session but its ServerHello lacks the
     * extension: "the client MUST abort the handshake" (§5.3). */
    mp_init(&p, g_ccfg, scfg, "localhost");
    assert_int_equal(tern_set_session(p.c, s), 0);
    mp_step_client(&p);
    mp_step_server(&p);
    strip_server_hello_ext(&p.s2c, TERN_EXT_EXTENDED_MASTER_SECRET);
    mp_step_client(&p);
    expect_fail(p.c, p.crc, TERN_ERR_HANDSHAKE_FAILURE, TERN_ALERT_HANDSHAKE_FAILURE, "7627");
    assert_null(tern_get_session(p.c));
    mp_free(&p);
    /* Untouched, the same offer resumes. */
    offer(&p, g_ccfg, scfg, s, 0);
    assert_int_equal(p.crc, 0);
    assert_int_equal(tern_session_reused(p.c), 1);
    mp_free(&p);
    /* The other case: the client's session says "no EMS" but the server
     * resumes it with EMS.  tern_set_session never offers such a session
     * with EMS (RFC 7627 §5.3: "SHOULD NOT"), so the test forces it in,
     * over the server's record of the same session (which has EMS). */
    tern_session nonems = *s;
    nonems.core.ems = 0;
    mp_init(&p, g_ccfg, scfg, "localhost");
    assert_int_equal(tern_set_session(p.c, &nonems), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_sess_client_offer(p.c, &nonems), 0);
    mp_handshake(&p);
    expect_fail(p.c, p.crc, TERN_ERR_HANDSHAKE_FAILURE, TERN_ALERT_HANDSHAKE_FAILURE, "made without");
    expect_peer_alert(p.s, p.src, TERN_ALERT_HANDSHAKE_FAILURE);
    mp_free(&p);
    tern_session_free(s);
    tern_config_free(scfg);
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
        cmocka_unit_test(test_ccs_not_one),
        cmocka_unit_test(test_hello_request_body),
        cmocka_unit_test(test_warning_always_fatal),
        cmocka_unit_test(test_warnings_ignored),
        cmocka_unit_test(test_invalid_alert_level),
        cmocka_unit_test(test_warning_flood),
        cmocka_unit_test(test_empty_record_flood),
        cmocka_unit_test(test_cke_shares),
        cmocka_unit_test(test_ske_shares),
        cmocka_unit_test(test_ske_framing),
        cmocka_unit_test(test_finished),
        cmocka_unit_test(test_certificate_signature),
        cmocka_unit_test(test_server_certificate_framing),
        cmocka_unit_test(test_ems_resumption_server),
        cmocka_unit_test(test_ems_resumption_client),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
