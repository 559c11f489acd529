/*
 * Client and server engines talking to each other in memory through the
 * public API (tern_set_io over a memory pipe that never blocks the
 * writer and answers TERN_WANT_READ when empty):
 *   - every suite x ALPN on/off x EMS on/off x record size 16384/512
 *     (512 splits the Certificate message across records);
 *   - byte-at-a-time delivery, 1-byte and 16 KB writes, 1 MB echoed,
 *     reads split at odd sizes;
 *   - negatives, each with its specific error and alert: tampered record
 *     tag, tampered handshake (Finished mismatch; with EMS the keys differ),
 *     bad ServerKeyExchange signature, a missing message (unexpected order),
 *     oversized records, truncation, wrong name, expired and untrusted
 *     chains, no common ALPN / suite;
 *   - close_notify both ways, TCP close without it, HelloRequest and a
 *     renegotiating ClientHello refused with no_renegotiation warnings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/conn.h"
#include "lib/record.h"
#include "lib/engine.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

/* The pair, its pipes (with the chunk, limit and closed knobs this file
 * uses for byte-at-a-time delivery, a small transport and a TCP close) and
 * the handshake pump are tests/mempair.h's. */

static uint8_t *find_bytes(uint8_t *hay, size_t n, const char *needle) {
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return hay + i;
    return NULL;
}

/* ---- configurations ---- */
static tern_config *server_cfg(void) { return mp_config(NULL, "certs/server-chain.pem", "certs/server.key"); }

static tern_config *client_cfg(const char *root) { return mp_config(root ? root : "certs/root-ca.crt", NULL, NULL); }

/* Move all of data from `from` to `to` with writes of wsize and reads
 * cycling through odd sizes; checks the bytes. */
static void transfer(mp_pair *p, tern_conn *from, tern_conn *to, const uint8_t *data, size_t len, size_t wsize) {
    static const size_t rsizes[] = {1, 7, 1000, 4097, 16384, 3, 65536};
    uint8_t *got = malloc(len + 1);
    size_t sent = 0, recvd = 0, k = 0;
    (void)p;
    while (recvd < len) {
        if (sent < len) {
            size_t n = len - sent < wsize ? len - sent : wsize;
            long w = tern_write(from, data + sent, n);
            if (w != TERN_WANT_WRITE) {
                if (w <= 0)
                    fail_msg("write: %ld %s", w, tern_error(from));
                sent += (size_t)w;
            }
        } else if (tern_write(from, data, 0) < 0) { /* flush what is still queued */
            fail_msg("flush: %s", tern_error(from));
        }
        for (;;) {
            size_t want = rsizes[k++ % TERN_ARRAY_LEN(rsizes)];
            if (want > len - recvd)
                want = len - recvd;
            if (want == 0)
                break;
            long r = tern_read(to, got + recvd, want);
            if (r == TERN_WANT_READ)
                break;
            if (r <= 0)
                fail_msg("read: %ld %s", r, tern_error(to));
            recvd += (size_t)r;
        }
    }
    assert_memory_equal(got, data, len);
    free(got);
}

static uint8_t *pattern(size_t len, uint32_t seed) {
    uint8_t *b = malloc(len);
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16);
    }
    return b;
}

/* ---- the matrix ---- */
static void test_matrix(void **state) {
    (void)state;
    static const char *suites[] = {"ECDHE-RSA-AES128-GCM-SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"};
    static const uint16_t ids[] = {0xC02F, 0xC030};
    uint8_t *data = pattern(40000, 1);
    for (int s = 0; s < 2; s++)
        for (int alpn = 0; alpn < 2; alpn++)
            for (int ems = 0; ems < 2; ems++)
                for (int small = 0; small < 2; small++) {
                    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
                    assert_int_equal(tern_config_set_cipher_suites(scfg, suites[s]), 0);
                    if (alpn) {
                        assert_int_equal(tern_config_set_alpn(ccfg, "h2,http/1.1"), 0);
                        assert_int_equal(tern_config_set_alpn(scfg, "http/1.1,spdy"), 0);
                    }
                    if (!ems)
                        ccfg->no_ems = 1;
                    if (small) {
                        assert_int_equal(tern_config_set_buffer_sizes(scfg, 512, 16384), 0);
                        assert_int_equal(tern_config_set_buffer_sizes(ccfg, 512, 16384), 0);
                    }
                    mp_pair p;
                    mp_init(&p, ccfg, scfg, "localhost");
                    mp_handshake(&p);
                    if (p.crc != 0 || p.src != 0)
                        fail_msg("suite %d alpn %d ems %d small %d: client %d (%s) server %d (%s)", s, alpn, ems,
                                 small, p.crc, tern_error(p.c), p.src, tern_error(p.s));
                    assert_int_equal(tern_cipher_suite_id(p.c), ids[s]);
                    assert_int_equal(tern_cipher_suite_id(p.s), ids[s]);
                    assert_int_equal(tern_extended_master_secret(p.c), ems);
                    assert_int_equal(tern_extended_master_secret(p.s), ems);
                    if (alpn) {
                        assert_string_equal(tern_alpn(p.c), "http/1.1");
                        assert_string_equal(tern_alpn(p.s), "http/1.1");
                    } else {
                        assert_null(tern_alpn(p.c));
                        assert_null(tern_alpn(p.s));
                    }
                    assert_string_equal(tern_server_name(p.s), "localhost");
                    assert_non_null(strstr(tern_peer_subject(p.c), "CN=localhost"));
                    assert_int_equal(tern_signature_scheme(p.c), TERN_SIG_RSA_PSS_RSAE_SHA256);
                    assert_string_equal(tern_version(p.c), "TLSv1.2");
                    /* both directions: the master secrets agree */
                    assert_memory_equal(p.c->master, p.s->master, 48);
                    transfer(&p, p.c, p.s, data, 40000, 16384);
                    transfer(&p, p.s, p.c, data, 40000, 3000);
                    mp_free(&p);
                    tern_config_free(scfg);
                    tern_config_free(ccfg);
                }
    free(data);
}

static void test_byte_at_a_time_and_sizes(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "127.0.0.1"); /* an IP: checked against the SAN, not sent as SNI */
    p.c2s.chunk = p.s2c.chunk = 1;
    mp_handshake(&p);
    if (p.crc != 0 || p.src != 0)
        fail_msg("client %s / server %s", tern_error(p.c), tern_error(p.s));
    assert_null(tern_server_name(p.s));
    uint8_t *data = pattern(70000, 7);
    transfer(&p, p.c, p.s, data, 5000, 1); /* 1-byte writes, delivered a byte at a time */
    p.c2s.chunk = p.s2c.chunk = 0;
    transfer(&p, p.s, p.c, data, 70000, 16384); /* full records */
    transfer(&p, p.c, p.s, data, 70000, 16385); /* one byte over a record */
    mp_free(&p);
    free(data);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static void test_megabyte_echo(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    size_t total = 1 << 20;
    uint8_t *data = pattern(total, 99), *back = malloc(total);
    uint8_t buf[20000];
    size_t sent = 0, echoed = 0, got = 0;
    static const size_t rs[] = {16384, 1, 999, 20000, 4096 + 5};
    size_t k = 0;
    while (got < total) {
        if (sent < total) {
            size_t n = total - sent < 16384 ? total - sent : 16384;
            long w = tern_write(p.c, data + sent, n);
            assert_true(w > 0);
            sent += (size_t)w;
        }
        for (;;) { /* the server echoes whatever arrives */
            long r = tern_read(p.s, buf, rs[k++ % 5]);
            if (r == TERN_WANT_READ)
                break;
            assert_true(r > 0);
            assert_int_equal(tern_write(p.s, buf, (size_t)r), r);
            echoed += (size_t)r;
        }
        for (;;) {
            long r = tern_read(p.c, back + got, total - got);
            if (r == TERN_WANT_READ)
                break;
            assert_true(r > 0);
            got += (size_t)r;
        }
    }
    assert_int_equal(echoed, total);
    assert_memory_equal(back, data, total);

    /* close_notify both ways: the server sees 0, answers, the client sees 0. */
    assert_int_equal(tern_close(p.c), 0);
    assert_int_equal(tern_read(p.s, buf, sizeof buf), 0);
    assert_int_equal(tern_close(p.s), 0);
    assert_int_equal(tern_read(p.c, buf, sizeof buf), 0);
    assert_int_equal(tern_write(p.c, "x", 1), TERN_ERR_CLOSED);
    mp_free(&p);
    free(data);
    free(back);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* ---- negatives ---- */

static void expect_fail(tern_conn *c, int rc, int err, int alert, const char *words) {
    mp_expect_fail(c, rc, err, alert, words, MP_FAIL_READ);
}

static void test_bad_record_tag(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(tern_write(p.c, "hello", 5), 5);
    p.c2s.buf[p.c2s.len - 1] ^= 1; /* the last byte of the tag */
    uint8_t b[16];
    expect_fail(p.s, (int)tern_read(p.s, b, sizeof b), TERN_ERR_BAD_RECORD_MAC, TERN_ALERT_BAD_RECORD_MAC,
                "authentication");
    /* The client learns it from the alert, encrypted under the keys. */
    assert_int_equal(tern_read(p.c, b, sizeof b), TERN_ERR_PEER_ALERT);
    assert_int_equal(tern_alert_received(p.c), TERN_ALERT_BAD_RECORD_MAC);
    assert_non_null(strstr(tern_error(p.c), "bad_record_mac"));
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* A man in the middle changes one byte of the ClientHello (the SNI name).
 * Without EMS the keys still agree, so the server's Finished check catches
 * it; with EMS the master secrets already differ and the first protected
 * record fails to authenticate. */
static void test_tampered_handshake(void **state) {
    (void)state;
    for (int ems = 0; ems < 2; ems++) {
        tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
        ccfg->no_ems = !ems;
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        p.crc = tern_handshake(p.c); /* ClientHello in the pipe */
        uint8_t *at = find_bytes(p.c2s.buf, p.c2s.len, "localhost");
        assert_non_null(at);
        at[3] = 'b';
        mp_handshake(&p);
        if (!ems)
            expect_fail(p.s, p.src, TERN_ERR_FINISHED, TERN_ALERT_DECRYPT_ERROR, "Finished");
        else
            expect_fail(p.s, p.src, TERN_ERR_BAD_RECORD_MAC, TERN_ALERT_BAD_RECORD_MAC, NULL);
        assert_int_equal(p.crc, TERN_ERR_PEER_ALERT);
        mp_free(&p);
        tern_config_free(scfg);
        tern_config_free(ccfg);
    }
}

static void test_bad_ske_signature(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_step(&p); /* ClientHello read, the server's flight is in the pipe */
    size_t rec, m, mlen;
    assert_true(mp_find(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, &rec, &m, &mlen));
    assert_true(m > 0);
    p.s2c.buf[m + mlen - 10] ^= 0x80; /* inside the signature */
    mp_handshake(&p);
    expect_fail(p.c, p.crc, TERN_ERR_BAD_SIGNATURE, TERN_ALERT_DECRYPT_ERROR, "ServerKeyExchange");
    assert_int_equal(p.src, TERN_ERR_PEER_ALERT);
    assert_int_equal(tern_alert_received(p.s), TERN_ALERT_DECRYPT_ERROR);
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static void test_unexpected_order(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_step(&p);
    /* Cut the Certificate message out of the server's record. */
    mp_drop(&p.s2c, TERN_HT_CERTIFICATE);
    mp_handshake(&p);
    expect_fail(p.c, p.crc, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE,
                "expected Certificate, received ServerKeyExchange");
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static void test_oversized_records(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    /* Plaintext: 2^14 + 1 bytes announced in the very first record. */
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    uint8_t hdr[5] = {TERN_CT_HANDSHAKE, 3, 3, 0x40, 0x01};
    mp_send(&p.ce, hdr, 5);
    p.src = tern_handshake(p.s);
    expect_fail(p.s, p.src, TERN_ERR_RECORD_OVERFLOW, TERN_ALERT_RECORD_OVERFLOW, "16385");
    mp_free(&p);
    /* Protected: 2^14 + 24 is the most AES-GCM can need; one more is refused
     * from the header alone. */
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    uint8_t big[5] = {TERN_CT_APPLICATION_DATA, 3, 3, (uint8_t)((16384 + 25) >> 8), (uint8_t)(16384 + 25)};
    mp_send(&p.se, big, 5);
    uint8_t b[8];
    expect_fail(p.c, (int)tern_read(p.c, b, sizeof b), TERN_ERR_RECORD_OVERFLOW, TERN_ALERT_RECORD_OVERFLOW, NULL);
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static void test_truncation(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    /* The transport closes halfway through the server's flight. */
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_step(&p);
    p.s2c.len = p.s2c.off + (p.s2c.len - p.s2c.off) / 2;
    p.s2c.closed = 1;
    mp_handshake(&p);
    assert_int_equal(p.crc, TERN_ERR_TRUNCATED);
    assert_int_equal(tern_alert_sent(p.c), -1);
    mp_free(&p);
    /* After the handshake: data, then a close without close_notify. */
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(tern_write(p.s, "abc", 3), 3);
    p.s2c.closed = 1;
    uint8_t b[8];
    assert_int_equal(tern_read(p.c, b, sizeof b), 3);
    assert_int_equal(tern_read(p.c, b, sizeof b), TERN_ERR_TRUNCATED);
    assert_non_null(strstr(tern_error(p.c), "close_notify"));
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static int64_t clock_2046(void *arg) {
    (void)arg;
    return 2398291200; /* 2046-01-01: after every fixture's notAfter */
}

static void test_certificate_failures(void **state) {
    (void)state;
    tern_config *scfg = server_cfg();
    struct {
        const char *root, *name;
        int expired;
        int err, alert;
        const char *words;
    } cases[] = {
        {NULL, "wrong.test", 0, TERN_ERR_CERT_NAME, TERN_ALERT_BAD_CERTIFICATE, "wrong.test"},
        {NULL, "localhost", 1, TERN_ERR_CERT_EXPIRED, TERN_ALERT_CERTIFICATE_EXPIRED, NULL},
        {"certs/root2-ca.crt", "localhost", 0, TERN_ERR_CERT_UNKNOWN_CA, TERN_ALERT_UNKNOWN_CA, NULL},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        tern_config *ccfg = client_cfg(cases[i].root);
        if (cases[i].expired)
            tern_config_set_clock(ccfg, clock_2046, NULL);
        mp_pair p;
        mp_init(&p, ccfg, scfg, cases[i].name);
        mp_handshake(&p);
        expect_fail(p.c, p.crc, cases[i].err, cases[i].alert, cases[i].words);
        assert_int_equal(p.src, TERN_ERR_PEER_ALERT);
        assert_int_equal(tern_alert_received(p.s), cases[i].alert);
        assert_null(tern_peer_subject(p.c));
        mp_free(&p);
        tern_config_free(ccfg);
    }
    /* The loud opt-out really skips the checks (and only then). */
    tern_config *ccfg = client_cfg("certs/root2-ca.crt");
    tern_config_insecure_skip_verify(ccfg);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "wrong.test");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    mp_free(&p);
    tern_config_free(ccfg);
    /* A client without a name and with verification on cannot be made. */
    ccfg = client_cfg(NULL);
    assert_null(tern_client_new(ccfg, NULL));
    assert_null(tern_client_new(ccfg, ""));
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

static void test_no_common_parameters(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    assert_int_equal(tern_config_set_alpn(ccfg, "h2"), 0);
    assert_int_equal(tern_config_set_alpn(scfg, "http/1.1"), 0);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    expect_fail(p.s, p.src, TERN_ERR_NO_ALPN, TERN_ALERT_NO_APPLICATION_PROTOCOL, NULL);
    assert_int_equal(p.crc, TERN_ERR_PEER_ALERT);
    assert_int_equal(tern_alert_received(p.c), TERN_ALERT_NO_APPLICATION_PROTOCOL);
    mp_free(&p);
    assert_int_equal(tern_config_set_alpn(scfg, NULL), 0);
    assert_int_equal(tern_config_set_cipher_suites(ccfg, "ECDHE-RSA-AES128-GCM-SHA256"), 0);
    assert_int_equal(tern_config_set_cipher_suites(scfg, "ECDHE-RSA-AES256-GCM-SHA384"), 0);
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    expect_fail(p.s, p.src, TERN_ERR_HANDSHAKE_FAILURE, TERN_ALERT_HANDSHAKE_FAILURE, "cipher suite");
    mp_free(&p);
    /* EMS required by the server, not offered by the client. */
    assert_int_equal(tern_config_set_cipher_suites(ccfg, "ECDHE-RSA-AES256-GCM-SHA384"), 0);
    ccfg->no_ems = 1;
    tern_config_require_extended_master_secret(scfg, 1);
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    expect_fail(p.s, p.src, TERN_ERR_MISSING_EXTENSION, TERN_ALERT_HANDSHAKE_FAILURE, "RFC 7627");
    mp_free(&p);
    assert_int_equal(tern_config_set_cipher_suites(ccfg, "nonsense"), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_set_alpn(ccfg, "a,,b"), TERN_ERR_INVALID_ARG);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static void test_no_renegotiation(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    /* The server asks for renegotiation (HelloRequest), then sends data. */
    static const uint8_t hello_request[4] = {TERN_HT_HELLO_REQUEST, 0, 0, 0};
    assert_int_equal(tern_rec_write(p.s, TERN_CT_HANDSHAKE, hello_request, 4), 0);
    assert_int_equal(tern_io_flush(p.s), 0);
    assert_int_equal(tern_write(p.s, "data", 4), 4);
    uint8_t b[16];
    assert_int_equal(tern_read(p.c, b, sizeof b), 4); /* ignored; data flows */
    assert_memory_equal(b, "data", 4);
    assert_int_equal(tern_write(p.c, "more", 4), 4); /* flushes the warning too */
    assert_int_equal(tern_read(p.s, b, sizeof b), 4);
    assert_int_equal(tern_alert_received(p.s), TERN_ALERT_NO_RENEGOTIATION);
    /* A renegotiating ClientHello gets the same answer from the server. */
    static const uint8_t ch[8] = {TERN_HT_CLIENT_HELLO, 0, 0, 4, 3, 3, 0, 0};
    assert_int_equal(tern_rec_write(p.c, TERN_CT_HANDSHAKE, ch, sizeof ch), 0);
    assert_int_equal(tern_write(p.c, "x", 1), 1);
    assert_int_equal(tern_read(p.s, b, sizeof b), 1);
    assert_int_equal(tern_write(p.s, "y", 1), 1);
    assert_int_equal(tern_read(p.c, b, sizeof b), 1);
    assert_int_equal(tern_alert_received(p.c), TERN_ALERT_NO_RENEGOTIATION);
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* A transport that holds at most 700 bytes each way: writes come back
 * partial or TERN_WANT_WRITE, the handshake flights need many flushes. */
static void test_small_transport(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    p.c2s.limit = p.s2c.limit = 700;
    for (int i = 0; i < 10000 && (mp_pending(p.crc) || mp_pending(p.src)); i++) {
        mp_step(&p);
        /* the peer drains what it can: each step above reads */
    }
    if (p.crc != 0 || p.src != 0)
        fail_msg("client %d %s / server %d %s", p.crc, tern_error(p.c), p.src, tern_error(p.s));
    uint8_t *data = pattern(100000, 5);
    transfer(&p, p.c, p.s, data, 100000, 16384);
    transfer(&p, p.s, p.c, data, 100000, 5000);
    free(data);
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* Every byte of each first flight, flipped in turn (stepping through the
 * bytes): the receiver must fail cleanly (an error, never a crash or a
 * completed handshake), sending an alert unless the transport is waiting
 * for bytes that a corrupted length promised. */
static void test_corrupted_flights(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    size_t checked = 0;
    for (int dir = 0; dir < 2; dir++) {
        size_t flight_len = 0;
        for (size_t at = 0;; at += dir ? 13 : 5) {
            mp_pair p;
            mp_init(&p, ccfg, scfg, "localhost");
            p.crc = tern_handshake(p.c); /* ClientHello queued */
            mp_pipe *pp = &p.c2s;
            if (dir) {
                p.src = tern_handshake(p.s); /* server flight queued */
                pp = &p.s2c;
            }
            flight_len = pp->len - pp->off;
            if (at >= flight_len) {
                mp_free(&p);
                break;
            }
            /* The ClientHello record's version bytes are not authenticated
             * (0x0301..0x0303 are all accepted there): skip them. */
            if (!(dir == 0 && (at == 1 || at == 2))) {
                pp->buf[pp->off + at] ^= 0x41;
                mp_handshake(&p);
                if (p.crc == 0 && p.src == 0)
                    fail_msg("dir %d byte %zu: handshake completed despite the change", dir, at);
                /* Whoever noticed first said so with an alert, unless a
                 * corrupted length left a side waiting for more bytes. */
                if (!mp_pending(p.crc) && !mp_pending(p.src) && tern_alert_sent(p.c) < 0 && tern_alert_sent(p.s) < 0)
                    fail_msg("dir %d byte %zu: failed without an alert: %s / %s", dir, at, tern_error(p.c),
                             tern_error(p.s));
                checked++;
            }
            mp_free(&p);
        }
        assert_true(flight_len > 100);
    }
    if (checked <= 150)
        fail_msg("only %zu corruptions checked", checked);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* Real file descriptors: a non-blocking socketpair through tern_set_fd,
 * so EAGAIN becomes TERN_WANT_READ / TERN_WANT_WRITE; then a close of the
 * socket without close_notify is a truncation, not end of data. */
static void test_nonblocking_fds(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(), *ccfg = client_cfg(NULL);
    int sv[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(fcntl(sv[i], F_SETFL, fcntl(sv[i], F_GETFL) | O_NONBLOCK), 0);
    tern_conn *c = tern_client_new(ccfg, "localhost"), *s = tern_server_new(scfg);
    assert_int_equal(tern_set_fd(c, sv[0]), 0);
    assert_int_equal(tern_set_fd(s, sv[1]), 0);
    int rc = TERN_WANT_READ, rs = TERN_WANT_READ, wants = 0;
    for (int i = 0; i < 1000 && (rc != 0 || rs != 0); i++) {
        if (rc != 0)
            rc = tern_handshake(c);
        if (rs != 0)
            rs = tern_handshake(s);
        wants += mp_pending(rc) + mp_pending(rs);
        assert_true(rc == 0 || mp_pending(rc));
        assert_true(rs == 0 || mp_pending(rs));
    }
    assert_int_equal(rc, 0);
    assert_int_equal(rs, 0);
    assert_true(wants > 0);
    /* 300 KB one way: more than the socket buffers hold, so the writer
     * sees TERN_WANT_WRITE (or short counts) and must wait for the reader. */
    size_t total = 300000, sent = 0, got = 0;
    uint8_t *data = pattern(total, 3), *back = malloc(total);
    int saw_want_write = 0;
    while (got < total) {
        if (sent < total) {
            long w = tern_write(c, data + sent, total - sent);
            if (w == TERN_WANT_WRITE)
                saw_want_write = 1;
            else {
                assert_true(w > 0);
                sent += (size_t)w;
                saw_want_write |= sent < total;
            }
        } else {
            long w = tern_write(c, data, 0); /* flush */
            assert_true(w == 0 || w == TERN_WANT_WRITE);
        }
        for (;;) {
            long r = tern_read(s, back + got, total - got);
            if (r == TERN_WANT_READ)
                break;
            assert_true(r > 0);
            got += (size_t)r;
        }
    }
    assert_memory_equal(back, data, total);
    assert_true(saw_want_write);
    /* The client's socket closes with no close_notify. */
    close(sv[0]);
    uint8_t b[16];
    long r;
    while ((r = tern_read(s, b, sizeof b)) == TERN_WANT_READ) {
        struct pollfd pf = {sv[1], POLLIN, 0};
        assert_true(poll(&pf, 1, 2000) == 1);
    }
    assert_int_equal(r, TERN_ERR_TRUNCATED);
    tern_free(c);
    tern_free(s);
    close(sv[1]);
    free(data);
    free(back);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_byte_at_a_time_and_sizes),
        cmocka_unit_test(test_megabyte_echo),
        cmocka_unit_test(test_bad_record_tag),
        cmocka_unit_test(test_tampered_handshake),
        cmocka_unit_test(test_bad_ske_signature),
        cmocka_unit_test(test_unexpected_order),
        cmocka_unit_test(test_oversized_records),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_certificate_failures),
        cmocka_unit_test(test_no_common_parameters),
        cmocka_unit_test(test_no_renegotiation),
        cmocka_unit_test(test_small_transport),
        cmocka_unit_test(test_corrupted_flights),
        cmocka_unit_test(test_nonblocking_fds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
