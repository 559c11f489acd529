/*
 * OCSP stapling in the handshake (RFC 6066 §8, RFC 6960, RFC 7633), a
 * client and a server in memory, with the fixtures of vectors/ocsp
 * (tests/certs/make-ocsp.sh: responses made 2026-12-08 01:39:29 UTC, valid
 * 20 years but expired.der, one minute):
 *   - the modes: soft and hard with a good staple, with none; off never
 *     asks; the verdict, and the response kept only when asked;
 *   - must-staple (RFC 7633): a good staple passes, none fails even in soft
 *     mode, off does not ask (so nothing is enforced);
 *   - what a server staples that a client must refuse (set without the
 *     server's check, as a broken server would): revoked (certificate_revoked),
 *     unknown (soft accepts, hard refuses), expired, for another
 *     certificate, from an unrelated CA, garbage: bad_certificate_status_response;
 *     the RSA key exchange's table (full_rsa) too;
 *   - the server's own checks: at set time (expired, another certificate,
 *     revoked, unknown, no such identity; a refused one drops the previous
 *     one), at handshake time (expired since: not stapled, the trace says
 *     why), per identity (the SNI-chosen identity's response);
 *   - the wire: status_request in the ClientHello malformed or well formed
 *     with responder IDs, another status_type ignored; status_request in a
 *     ServerHello not asked for (unsupported_extension) or not empty
 *     (decode_error); CertificateStatus unannounced or not asked for
 *     (unexpected_message), with another status_type, empty, with trailing
 *     bytes (decode_error);
 *   - the trace: the message, its RFC section, the CHECK verdict;
 *   - memory: a stapling server connection is no larger than any other; a
 *     client keeping the response holds hs_max more; a response replaced
 *     or removed during a handshake that staples it stays valid for that
 *     handshake (ASan checks the rest); resumption sends no staple.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/conn.h"
#include "lib/hs.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

/* 2026-12-09 00:00:00 UTC: after the responses' thisUpdate (2026-12-08
 * 01:39:29), after expired.der's nextUpdate (01:40:29) plus the skew. */
#define T_LATER 1796774400
/* 2026-12-08 01:40:00: expired.der is still valid. */
#define T_EARLY 1796694000
static int64_t now_value = T_LATER;
static int64_t test_clock(void *arg) {
    (void)arg;
    return now_value;
}

static uint8_t *load(const char *name, size_t *len) {
    char rel[128];
    snprintf(rel, sizeof rel, "ocsp/%s", name);
    uint8_t *b = (uint8_t *)tv_slurp(tv_path(rel), len);
    assert_non_null(b);
    return b;
}

static tern_config *client_cfg(int mode) {
    tern_config *cfg = mp_config("ocsp/ca.crt", NULL, NULL);
    tern_config_set_clock(cfg, test_clock, NULL);
    assert_int_equal(tern_config_request_ocsp(cfg, mode), 0);
    return cfg;
}

/* A server with the chain vectors/ocsp/<chain> (leaf.key), and, unless
 * resp is NULL, that response set (checked: must succeed). */
static tern_config *server_cfg(const char *chain, const char *resp) {
    char c[64];
    snprintf(c, sizeof c, "ocsp/%s", chain);
    tern_config *cfg = mp_config(NULL, c, "ocsp/leaf.key");
    tern_config_set_clock(cfg, test_clock, NULL);
    if (resp != NULL) {
        size_t n;
        uint8_t *der = load(resp, &n);
        if (tern_config_set_ocsp_response(cfg, 0, der, n) != 0)
            fail_msg("set %s: %s", resp, tern_config_error(cfg));
        free(der);
    }
    return cfg;
}

/* A server stapling resp whatever it says (no check). */
static tern_config *server_raw(const char *chain, const char *resp) {
    tern_config *cfg = server_cfg(chain, NULL);
    size_t n;
    uint8_t *der = load(resp, &n);
    assert_int_equal(tern_staple_set_unchecked(cfg, 0, der, n), 0);
    free(der);
    return cfg;
}

/* ---- the trace ---- */

typedef struct {
    int kind, sent, is_server, msg_type, status;
    char name[64], rfc[64], detail[400];
} rec_event;
static rec_event events[256];
static size_t nevents;

static void record(void *arg, const tern_trace_event *ev) {
    (void)arg;
    if (nevents == sizeof events / sizeof events[0])
        return;
    rec_event *e = &events[nevents++];
    e->kind = ev->kind;
    e->sent = ev->sent;
    e->is_server = ev->is_server;
    e->msg_type = ev->msg_type;
    e->status = ev->status;
    snprintf(e->name, sizeof e->name, "%s", ev->name);
    snprintf(e->rfc, sizeof e->rfc, "%s", ev->rfc);
    snprintf(e->detail, sizeof e->detail, "%s", ev->detail);
}

static const rec_event *find_event(int is_server, int kind, const char *name) {
    for (size_t i = 0; i < nevents; i++)
        if (events[i].is_server == is_server && events[i].kind == kind && strcmp(events[i].name, name) == 0)
            return &events[i];
    return NULL;
}

/* ---- running ---- */

/* A handshake that must succeed; the client's verdict is returned. */
static int run_ok(tern_config *ccfg, tern_config *scfg) {
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake_ok(&p);
    int v = tern_ocsp_verdict(p.c);
    mp_free(&p);
    return v;
}

/* A handshake the client must refuse with err and alert (its sentence
 * holding words); the server must have received the alert.  Returns the
 * client's verdict. */
static int run_fail(tern_config *ccfg, tern_config *scfg, int err, int alert, const char *words) {
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    mp_expect_fail(p.c, p.crc, err, alert, words, 0);
    assert_int_equal(p.src, TERN_ERR_PEER_ALERT);
    assert_int_equal(tern_alert_received(p.s), alert);
    int v = tern_ocsp_verdict(p.c);
    mp_free(&p);
    return v;
}

static void test_modes(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *good = server_cfg("leaf-chain.pem", "good.der");
    tern_config *none = server_cfg("leaf-chain.pem", NULL);
    tern_config *soft = client_cfg(TERN_OCSP_SOFT), *hard = client_cfg(TERN_OCSP_HARD);
    tern_config *off = client_cfg(TERN_OCSP_OFF);
    assert_int_equal(run_ok(soft, good), TERN_STAPLE_GOOD);
    assert_int_equal(run_ok(hard, good), TERN_STAPLE_GOOD);
    assert_int_equal(run_ok(off, good), TERN_STAPLE_NONE); /* not asked: not sent */
    assert_int_equal(run_ok(soft, none), TERN_STAPLE_NONE);
    assert_int_equal(run_fail(hard, none, TERN_ERR_CERT_REVOCATION_UNKNOWN, TERN_ALERT_CERTIFICATE_UNKNOWN,
                              "did not answer status_request"),
                     TERN_STAPLE_MISSING);
    /* The response itself: only when asked to keep it. */
    mp_pair p;
    mp_init(&p, soft, good, "localhost");
    mp_handshake_ok(&p);
    size_t len = 99;
    assert_null(tern_ocsp_response(p.c, &len));
    assert_int_equal(len, 0);
    mp_free(&p);
    tern_config *keep = client_cfg(TERN_OCSP_SOFT | TERN_OCSP_KEEP_RESPONSE);
    mp_init(&p, keep, good, "localhost");
    mp_handshake_ok(&p);
    size_t n;
    uint8_t *der = load("good.der", &n);
    const uint8_t *got = tern_ocsp_response(p.c, &len);
    assert_non_null(got);
    assert_int_equal(len, n);
    assert_memory_equal(got, der, n);
    assert_null(tern_ocsp_response(p.s, &len)); /* a server keeps none */
    mp_free(&p);
    free(der);
    /* Bad modes. */
    assert_int_equal(tern_config_request_ocsp(keep, 3), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_request_ocsp(keep, TERN_OCSP_OFF | TERN_OCSP_KEEP_RESPONSE), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_request_ocsp(keep, -1), TERN_ERR_INVALID_ARG);
    tern_config_free(keep);
    tern_config_free(good);
    tern_config_free(none);
    tern_config_free(soft);
    tern_config_free(hard);
    tern_config_free(off);
}

static void test_must_staple(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *with = server_cfg("leaf-staple-chain.pem", "staple-good.der");
    tern_config *without = server_cfg("leaf-staple-chain.pem", NULL);
    tern_config *soft = client_cfg(TERN_OCSP_SOFT), *off = client_cfg(TERN_OCSP_OFF);
    assert_int_equal(run_ok(soft, with), TERN_STAPLE_GOOD);
    assert_int_equal(run_fail(soft, without, TERN_ERR_CERT_REVOCATION_UNKNOWN, TERN_ALERT_CERTIFICATE_UNKNOWN,
                              "must-staple"),
                     TERN_STAPLE_MISSING);
    /* RFC 7633 §4.2.3.1 binds features the client offered: off asks nothing. */
    assert_int_equal(run_ok(off, without), TERN_STAPLE_NONE);
    /* A must-staple leaf whose server answers status_request but then sends
     * no CertificateStatus (the RFC lets it): still refused. */
    mp_pair p;
    mp_init(&p, soft, with, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    mp_drop(&p.s2c, TERN_HT_CERTIFICATE_STATUS);
    mp_handshake(&p);
    mp_expect_fail(p.c, p.crc, TERN_ERR_CERT_REVOCATION_UNKNOWN, TERN_ALERT_CERTIFICATE_UNKNOWN,
                   "sent no CertificateStatus", 0);
    mp_free(&p);
    /* ... which soft mode accepts for a leaf without must-staple. */
    tern_config *plain = server_cfg("leaf-chain.pem", "good.der");
    mp_init(&p, soft, plain, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    mp_drop(&p.s2c, TERN_HT_CERTIFICATE_STATUS);
    mp_step_client(&p);
    assert_int_equal(tern_ocsp_verdict(p.c), TERN_STAPLE_NONE);
    assert_true(mp_pending(p.crc));
    mp_free(&p);
    tern_config_free(plain);
    tern_config_free(with);
    tern_config_free(without);
    tern_config_free(soft);
    tern_config_free(off);
}

/* Responses a server should not staple, stapled anyway. */
static void test_client_refuses(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *soft = client_cfg(TERN_OCSP_SOFT), *hard = client_cfg(TERN_OCSP_HARD);
    tern_config *s;
    s = server_raw("leaf-revoked-chain.pem", "revoked.der");
    assert_int_equal(run_fail(soft, s, TERN_ERR_CERT_REVOKED, TERN_ALERT_CERTIFICATE_REVOKED, "keyCompromise"),
                     TERN_STAPLE_REVOKED);
    tern_config_free(s);
    s = server_raw("leaf-revoked-chain.pem", "delegated-revoked.der");
    assert_int_equal(run_fail(hard, s, TERN_ERR_CERT_REVOKED, TERN_ALERT_CERTIFICATE_REVOKED, "revoked"),
                     TERN_STAPLE_REVOKED);
    tern_config_free(s);
    s = server_raw("leaf-unknown-chain.pem", "unknown.der");
    assert_int_equal(run_ok(soft, s), TERN_STAPLE_UNKNOWN);
    assert_int_equal(run_fail(hard, s, TERN_ERR_CERT_REVOCATION_UNKNOWN, TERN_ALERT_CERTIFICATE_UNKNOWN, "hard mode"),
                     TERN_STAPLE_UNKNOWN);
    tern_config_free(s);
    static const char *const bad[] = {"expired.der", "other-cert.der", "unrelated-ca.der", "noeku.der",
                                      "other-responder.der"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        s = server_raw("leaf-chain.pem", bad[i]);
        assert_int_equal(run_fail(soft, s, TERN_ERR_OCSP_BAD, TERN_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, NULL),
                         TERN_STAPLE_BAD);
        tern_config_free(s);
    }
    /* Not a response at all. */
    s = server_raw("leaf-chain.pem", "index.txt");
    assert_int_equal(run_fail(soft, s, TERN_ERR_OCSP_BAD, TERN_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, NULL),
                     TERN_STAPLE_BAD);
    tern_config_free(s);
    /* A delegated responder's good answer is good. */
    s = server_raw("leaf-chain.pem", "delegated-good.der");
    assert_int_equal(run_ok(hard, s), TERN_STAPLE_GOOD);
    tern_config_free(s);
    /* With verification off nothing is checked, even garbage. */
    tern_config *blind = client_cfg(TERN_OCSP_HARD);
    tern_config_insecure_skip_verify(blind);
    s = server_raw("leaf-chain.pem", "index.txt");
    assert_int_equal(run_ok(blind, s), TERN_STAPLE_NONE);
    tern_config_free(s);
    tern_config_free(blind);
    tern_config_free(soft);
    tern_config_free(hard);
}

/* The RSA key exchange's table (full_rsa) has the row too: an RSA server
 * (vectors/certs) stapling a response for another certificate. */
static void test_full_rsa(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *s = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    tern_config_set_clock(s, test_clock, NULL);
    assert_int_equal(tern_config_set_cipher_suites(s, "AES128-GCM-SHA256"), 0);
    size_t n;
    uint8_t *der = load("good.der", &n);
    /* The checked setter refuses it: not for this certificate. */
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, n), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(tern_config_error(s), "identity 0"));
    assert_int_equal(tern_staple_set_unchecked(s, 0, der, n), 0);
    free(der);
    tern_config *c = mp_config("certs/root-ca.crt", NULL, NULL);
    tern_config_set_clock(c, test_clock, NULL);
    assert_int_equal(tern_config_set_cipher_suites(c, "AES128-GCM-SHA256"), 0);
    assert_int_equal(tern_config_request_ocsp(c, TERN_OCSP_SOFT), 0);
    mp_pair p;
    mp_init(&p, c, s, "localhost");
    mp_handshake(&p);
    mp_expect_fail(p.c, p.crc, TERN_ERR_OCSP_BAD, TERN_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, NULL, 0);
    assert_int_equal(tern_cipher_suite_id(p.c), 0x009C);
    mp_free(&p);
    tern_config_free(s);
    tern_config_free(c);
}

static void test_server_checks(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *s = server_cfg("leaf-chain.pem", NULL);
    size_t n;
    uint8_t *der;
    der = load("expired.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, n), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(tern_config_error(s), "will not be stapled"));
    free(der);
    der = load("other-cert.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, n), TERN_ERR_OCSP_BAD);
    free(der);
    der = load("good.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(s, 1, der, n), TERN_ERR_INVALID_ARG); /* no identity 1 */
    assert_int_equal(tern_config_set_ocsp_response(s, 0, NULL, 0), 0); /* removes: there was none */
    assert_int_equal(tern_config_set_ocsp_response(s, 0, NULL, 5), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, 0), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, n), 0);
    free(der);
    tern_config *hard = client_cfg(TERN_OCSP_HARD);
    assert_int_equal(run_ok(hard, s), TERN_STAPLE_GOOD);
    /* A refused response drops the one set before. */
    der = load("other-cert.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, n), TERN_ERR_OCSP_BAD);
    free(der);
    run_fail(hard, s, TERN_ERR_CERT_REVOCATION_UNKNOWN, TERN_ALERT_CERTIFICATE_UNKNOWN, NULL);
    tern_config_free(s);
    /* Revoked and unknown are refused for the certificates they name. */
    s = server_cfg("leaf-revoked-chain.pem", NULL);
    der = load("revoked.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, n), TERN_ERR_CERT_REVOKED);
    free(der);
    tern_config_free(s);
    s = server_cfg("leaf-unknown-chain.pem", NULL);
    der = load("unknown.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, n), TERN_ERR_CERT_REVOCATION_UNKNOWN);
    free(der);
    tern_config_free(s);
    /* Set while valid, expired at the handshake: not sent, and said. */
    now_value = T_EARLY;
    s = server_cfg("leaf-chain.pem", "expired.der");
    tern_config *soft = client_cfg(TERN_OCSP_SOFT);
    tern_config_set_trace(s, record, NULL);
    assert_int_equal(run_ok(soft, s), TERN_STAPLE_GOOD);
    now_value = T_LATER;
    nevents = 0;
    assert_int_equal(run_ok(soft, s), TERN_STAPLE_NONE);
    const rec_event *e = find_event(1, TERN_TRACE_CHECK, "OCSP response not stapled");
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "expired at its nextUpdate"));
    run_fail(hard, s, TERN_ERR_CERT_REVOCATION_UNKNOWN, TERN_ALERT_CERTIFICATE_UNKNOWN, NULL);
    tern_config_free(s);
    /* The certificate the response was checked for is replaced. */
    s = server_cfg("leaf-chain.pem", "good.der");
    char c[256], k[256];
    snprintf(c, sizeof c, "%s", tv_path("ocsp/leaf-other-chain.pem"));
    snprintf(k, sizeof k, "%s", tv_path("ocsp/leaf.key"));
    assert_int_equal(tern_config_load_keystore(s, c, k), 0);
    tern_config_set_trace(s, record, NULL);
    nevents = 0;
    assert_int_equal(run_ok(soft, s), TERN_STAPLE_NONE);
    e = find_event(1, TERN_TRACE_CHECK, "OCSP response not stapled");
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "another certificate"));
    tern_config_free(s);
    /* A response larger than this server's handshake messages may be. */
    s = server_cfg("leaf-chain.pem", NULL);
    assert_int_equal(tern_config_set_buffer_sizes(s, 16384, 4096), 0);
    uint8_t *big = calloc(1, 5000);
    assert_int_equal(tern_staple_set_unchecked(s, 0, big, 5000), 0);
    free(big);
    tern_config_set_trace(s, record, NULL);
    nevents = 0;
    assert_int_equal(run_ok(soft, s), TERN_STAPLE_NONE);
    e = find_event(1, TERN_TRACE_CHECK, "OCSP response not stapled");
    assert_non_null(e);
    assert_non_null(strstr(e->detail, "does not fit"));
    tern_config_free(s);
    tern_config_free(soft);
    tern_config_free(hard);
}

/* The identity the negotiation picks staples its own response: identity 0
 * an RSA certificate, identity 1 the OCSP leaf (P-256); a client that
 * offers only ECDSA suites gets identity 1 and its response. */
static void test_identities(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *s = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    tern_config_set_clock(s, test_clock, NULL);
    char c[256], k[256];
    snprintf(c, sizeof c, "%s", tv_path("ocsp/leaf-chain.pem"));
    snprintf(k, sizeof k, "%s", tv_path("ocsp/leaf.key"));
    assert_int_equal(tern_config_add_identity(s, c, k), 0);
    size_t n;
    uint8_t *der = load("good.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(s, 0, der, n), TERN_ERR_OCSP_BAD); /* not identity 0's */
    assert_int_equal(tern_config_set_ocsp_response(s, 1, der, n), 0);
    free(der);
    tern_config *hard = client_cfg(TERN_OCSP_HARD);
    assert_int_equal(tern_config_set_cipher_suites(hard, "ECDHE-ECDSA-AES128-GCM-SHA256"), 0);
    assert_int_equal(run_ok(hard, s), TERN_STAPLE_GOOD);
    tern_config_free(hard);
    tern_config_free(s);
}

/* ---- the wire ---- */

/* The extensions block of a hello message (header included) at m: *at its
 * offset (the 2-byte length), *end the message's end. */
static void hello_exts(const uint8_t *m, size_t len, int client, size_t *at) {
    size_t o = 4 + 2 + 32;
    o += 1 + m[o];
    if (client) {
        o += 2 + tern_load_be16(m + o);
        o += 1 + m[o];
    } else {
        o += 3;
    }
    assert_true(o + 2 <= len);
    *at = o;
}

/* Replace the body of extension `type` in the hello of pipe q (adding the
 * extension at the end when it is not there, or always with `append`),
 * fixing the lengths. */
static void put_ext(mp_pipe *q, int hello, uint16_t type, const uint8_t *body, size_t blen, int append) {
    size_t len;
    uint8_t *m = mp_copy(q, hello, &len);
    assert_non_null(m);
    size_t at;
    hello_exts(m, len, hello == TERN_HT_CLIENT_HELLO, &at);
    size_t o = at + 2, from = len, to = len; /* the old extension's span, or the end */
    while (!append && o + 4 <= len) {
        size_t el = tern_load_be16(m + o + 2);
        if (tern_load_be16(m + o) == type) {
            from = o;
            to = o + 4 + el;
            break;
        }
        o += 4 + el;
    }
    size_t nlen = len - (to - from) + 4 + blen;
    uint8_t *n = malloc(nlen);
    assert_non_null(n);
    memcpy(n, m, from);
    tern_store_be16(n + from, type);
    tern_store_be16(n + from + 2, (uint16_t)blen);
    if (blen)
        memcpy(n + from + 4, body, blen);
    memcpy(n + from + 4 + blen, m + to, len - to);
    n[1] = (uint8_t)((nlen - 4) >> 16);
    tern_store_be16(n + 2, (uint16_t)(nlen - 4));
    tern_store_be16(n + at, (uint16_t)(nlen - at - 2));
    mp_replace(q, hello, n, nlen);
    free(m);
    free(n);
}

static void set_ext(mp_pipe *q, int hello, uint16_t type, const uint8_t *body, size_t blen) {
    put_ext(q, hello, type, body, blen, 0);
}

/* A CertificateStatus message: status_type, then the 3-byte length and
 * the bytes of body (tail more bytes after it). */
static uint8_t *status_msg(uint8_t type, const uint8_t *body, size_t blen, size_t tail, size_t *len) {
    *len = 4 + 1 + 3 + blen + tail;
    uint8_t *m = calloc(1, *len);
    assert_non_null(m);
    m[0] = TERN_HT_CERTIFICATE_STATUS;
    tern_store_be24(m + 1, (uint32_t)(*len - 4));
    m[4] = type;
    tern_store_be24(m + 5, (uint32_t)blen);
    if (blen)
        memcpy(m + 8, body, blen);
    return m;
}

/* Put message msg right after the server's Certificate in pipe q. */
static void insert_after_certificate(mp_pipe *q, const uint8_t *msg, size_t mlen) {
    size_t clen;
    uint8_t *cert = mp_copy(q, TERN_HT_CERTIFICATE, &clen);
    assert_non_null(cert);
    uint8_t *both = malloc(clen + mlen);
    memcpy(both, cert, clen);
    memcpy(both + clen, msg, mlen);
    mp_replace(q, TERN_HT_CERTIFICATE, both, clen + mlen);
    free(cert);
    free(both);
}

/* Cut the plaintext handshake records of pipe q again into records of at
 * most 16384 bytes (a ClientHello grown past one record). */
static void resplit(mp_pipe *q) {
    size_t n;
    uint8_t *all = mp_take(q, &n);
    uint8_t *hs = malloc(n);
    size_t hn = 0;
    for (size_t at = 0; at + 5 <= n;) {
        size_t rl = tern_load_be16(all + at + 3);
        assert_int_equal(all[at], TERN_CT_HANDSHAKE);
        memcpy(hs + hn, all + at + 5, rl);
        hn += rl;
        at += 5 + rl;
    }
    for (size_t off = 0; off < hn; off += 16384)
        mp_put_record(q, TERN_CT_HANDSHAKE, hs + off, hn - off < 16384 ? hn - off : 16384);
    free(all);
    free(hs);
}

/* The server's ClientHello with this status_request body: the server's
 * outcome (0: it answered; else the error and alert it sent). */
static void client_hello_sr(const uint8_t *body, size_t blen, int err, int stapled) {
    tern_config *s = server_cfg("leaf-chain.pem", "good.der");
    tern_config *c = client_cfg(TERN_OCSP_SOFT);
    mp_pair p;
    mp_init(&p, c, s, "localhost");
    mp_step_client(&p);
    set_ext(&p.c2s, TERN_HT_CLIENT_HELLO, TERN_EXT_STATUS_REQUEST, body, blen);
    resplit(&p.c2s);
    mp_step_server(&p);
    if (err != 0) {
        mp_expect_fail(p.s, p.src, err, tern_error_alert(err), "status_request", 0);
    } else {
        assert_true(mp_pending(p.src));
        size_t rec, msg, mlen;
        assert_int_equal(mp_find(&p.s2c, TERN_HT_CERTIFICATE_STATUS, &rec, &msg, &mlen), stapled);
    }
    mp_free(&p);
    tern_config_free(s);
    tern_config_free(c);
}

static void test_wire_client_hello(void **state) {
    (void)state;
    now_value = T_LATER;
    static const uint8_t ok_ids[] = {1, 0, 6, 0, 1, 0xaa, 0, 1, 0xbb, 0, 0};
    static const uint8_t ok_exts[] = {1, 0, 0, 0, 3, 0x30, 1, 0};
    static const uint8_t other_type[] = {2, 0xde, 0xad};
    static const uint8_t only_type[] = {1};
    static const uint8_t no_exts[] = {1, 0, 0};
    static const uint8_t empty_id[] = {1, 0, 2, 0, 0, 0, 0};
    static const uint8_t id_past[] = {1, 0, 3, 0, 5, 0xaa, 0, 0};
    static const uint8_t ids_past[] = {1, 0, 9, 0, 1, 0xaa, 0, 0};
    static const uint8_t trailing[] = {1, 0, 0, 0, 0, 0xff};
    static const uint8_t exts_past[] = {1, 0, 0, 0, 4, 0x30, 0};
    client_hello_sr(ok_ids, sizeof ok_ids, 0, 1);
    client_hello_sr(ok_exts, sizeof ok_exts, 0, 1);
    client_hello_sr(other_type, sizeof other_type, 0, 0); /* not ocsp: ignored, not answered */
    client_hello_sr(NULL, 0, TERN_ERR_DECODE, 0);
    client_hello_sr(only_type, sizeof only_type, TERN_ERR_DECODE, 0);
    client_hello_sr(no_exts, sizeof no_exts, TERN_ERR_DECODE, 0);
    client_hello_sr(empty_id, sizeof empty_id, TERN_ERR_DECODE, 0);
    client_hello_sr(id_past, sizeof id_past, TERN_ERR_DECODE, 0);
    client_hello_sr(ids_past, sizeof ids_past, TERN_ERR_DECODE, 0);
    client_hello_sr(trailing, sizeof trailing, TERN_ERR_DECODE, 0);
    client_hello_sr(exts_past, sizeof exts_past, TERN_ERR_DECODE, 0);
    /* Twice: the duplicate check of every ClientHello extension. */
    {
        static const uint8_t sr[] = {1, 0, 0, 0, 0};
        tern_config *s = server_cfg("leaf-chain.pem", "good.der"), *c = client_cfg(TERN_OCSP_SOFT);
        mp_pair p;
        mp_init(&p, c, s, "localhost");
        mp_step_client(&p);
        put_ext(&p.c2s, TERN_HT_CLIENT_HELLO, TERN_EXT_STATUS_REQUEST, sr, sizeof sr, 1);
        mp_step_server(&p);
        mp_expect_fail(p.s, p.src, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "appears twice", 0);
        mp_free(&p);
        tern_config_free(s);
        tern_config_free(c);
    }
    /* A long list of responder IDs, item by item: 2,000 of 30 bytes. */
    size_t blen = 1 + 2 + 2000 * 32 + 2;
    uint8_t *big = calloc(1, blen);
    big[0] = 1;
    tern_store_be16(big + 1, 2000 * 32);
    for (size_t i = 0; i < 2000; i++)
        tern_store_be16(big + 3 + i * 32, 30);
    client_hello_sr(big, blen, 0, 1);
    free(big);
}

/* What the client does with the server's flight changed: mutate runs after
 * the server wrote it. */
typedef void (*mutate_fn)(mp_pipe *q);

static void client_sees(int mode, const char *resp, mutate_fn mutate, int err, const char *words) {
    tern_config *s = server_cfg("leaf-chain.pem", resp);
    tern_config *c = client_cfg(mode);
    mp_pair p;
    mp_init(&p, c, s, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    mutate(&p.s2c);
    mp_step_client(&p);
    mp_expect_fail(p.c, p.crc, err, tern_error_alert(err), words, 0);
    mp_free(&p);
    tern_config_free(s);
    tern_config_free(c);
}

static void sh_add_empty(mp_pipe *q) { set_ext(q, TERN_HT_SERVER_HELLO, TERN_EXT_STATUS_REQUEST, NULL, 0); }
static void sh_twice(mp_pipe *q) { put_ext(q, TERN_HT_SERVER_HELLO, TERN_EXT_STATUS_REQUEST, NULL, 0, 1); }
static void sh_not_empty(mp_pipe *q) {
    static const uint8_t one[] = {0};
    set_ext(q, TERN_HT_SERVER_HELLO, TERN_EXT_STATUS_REQUEST, one, 1);
}
static void cs_insert_good(mp_pipe *q) {
    size_t n, len;
    uint8_t *der = load("good.der", &n);
    uint8_t *m = status_msg(1, der, n, 0, &len);
    insert_after_certificate(q, m, len);
    free(der);
    free(m);
}
static void cs_replace(mp_pipe *q, uint8_t type, size_t blen, size_t tail) {
    size_t n, len;
    uint8_t *der = load("good.der", &n);
    uint8_t *m = status_msg(type, der, blen <= n ? blen : n, tail, &len);
    mp_replace(q, TERN_HT_CERTIFICATE_STATUS, m, len);
    free(der);
    free(m);
}
static void cs_type2(mp_pipe *q) { cs_replace(q, 2, 100, 0); }
static void cs_empty(mp_pipe *q) { cs_replace(q, 1, 0, 0); }
static void cs_trailing(mp_pipe *q) { cs_replace(q, 1, 10000, 1); }
static void cs_truncated(mp_pipe *q) {
    /* the response's length says one byte more than the message holds */
    size_t len;
    uint8_t *m = mp_copy(q, TERN_HT_CERTIFICATE_STATUS, &len);
    tern_store_be24(m + 5, tern_load_be24(m + 5) + 1);
    mp_replace(q, TERN_HT_CERTIFICATE_STATUS, m, len);
    free(m);
}
static void cs_flipped(mp_pipe *q) {
    /* one byte inside the signed ResponseData changed (its responderID) */
    size_t len;
    uint8_t *m = mp_copy(q, TERN_HT_CERTIFICATE_STATUS, &len);
    m[8 + 70] ^= 1;
    mp_replace(q, TERN_HT_CERTIFICATE_STATUS, m, len);
    free(m);
}

/* A HelloRequest (which a client skips during the handshake, RFC 5246
 * §7.4.1.1) between Certificate and CertificateStatus changes nothing. */
static void hello_request_first(mp_pipe *q) {
    static const uint8_t hr[4] = {TERN_HT_HELLO_REQUEST, 0, 0, 0};
    insert_after_certificate(q, hr, sizeof hr);
}

static void test_hello_request_between(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *s = server_cfg("leaf-chain.pem", "good.der");
    tern_config *c = client_cfg(TERN_OCSP_HARD);
    mp_pair p;
    mp_init(&p, c, s, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    hello_request_first(&p.s2c);
    mp_step_client(&p);
    assert_int_equal(tern_ocsp_verdict(p.c), TERN_STAPLE_GOOD);
    assert_true(mp_pending(p.crc));
    mp_free(&p);
    tern_config_free(s);
    tern_config_free(c);
}

static void test_wire_server_flight(void **state) {
    (void)state;
    now_value = T_LATER;
    /* status_request in ServerHello when we did not ask */
    client_sees(TERN_OCSP_OFF, NULL, sh_add_empty, TERN_ERR_UNSUPPORTED_EXTENSION, "status_request");
    /* ... twice (RFC 5246 §7.4.1.4) */
    client_sees(TERN_OCSP_SOFT, "good.der", sh_twice, TERN_ERR_ILLEGAL_PARAMETER, "appears twice");
    /* ... not empty */
    client_sees(TERN_OCSP_SOFT, "good.der", sh_not_empty, TERN_ERR_DECODE, "not empty");
    /* CertificateStatus not announced by the ServerHello */
    client_sees(TERN_OCSP_SOFT, NULL, cs_insert_good, TERN_ERR_UNEXPECTED_MESSAGE, "did not answer");
    /* CertificateStatus when we did not ask: the table expects ServerKeyExchange */
    client_sees(TERN_OCSP_OFF, NULL, cs_insert_good, TERN_ERR_UNEXPECTED_MESSAGE, "CertificateStatus");
    /* Two of them: the second is not what the table expects next */
    client_sees(TERN_OCSP_SOFT, "good.der", cs_insert_good, TERN_ERR_UNEXPECTED_MESSAGE,
                "expected ServerKeyExchange, received CertificateStatus");
    client_sees(TERN_OCSP_SOFT, "good.der", cs_type2, TERN_ERR_DECODE, "status_type 2");
    client_sees(TERN_OCSP_SOFT, "good.der", cs_empty, TERN_ERR_DECODE, "empty OCSPResponse");
    client_sees(TERN_OCSP_SOFT, "good.der", cs_trailing, TERN_ERR_DECODE, NULL);
    client_sees(TERN_OCSP_SOFT, "good.der", cs_truncated, TERN_ERR_DECODE, NULL);
    client_sees(TERN_OCSP_SOFT, "good.der", cs_flipped, TERN_ERR_OCSP_BAD, NULL);
}

static void test_trace(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *s = server_cfg("leaf-staple-chain.pem", "staple-good.der");
    tern_config *c = client_cfg(TERN_OCSP_HARD);
    tern_config_set_trace(s, record, NULL);
    tern_config_set_trace(c, record, NULL);
    nevents = 0;
    assert_int_equal(run_ok(c, s), TERN_STAPLE_GOOD);
    /* Both sides show the message with its RFC section, in order after
     * Certificate; the client's verdict follows its message. */
    size_t cert_c = 0, status_c = 0, check_c = 0, status_s = 0;
    for (size_t i = 0; i < nevents; i++) {
        const rec_event *e = &events[i];
        if (e->kind == TERN_TRACE_MESSAGE && e->msg_type == TERN_HT_CERTIFICATE && !e->is_server && !cert_c)
            cert_c = i + 1;
        if (e->kind == TERN_TRACE_MESSAGE && e->msg_type == TERN_HT_CERTIFICATE_STATUS) {
            assert_string_equal(e->name, "CertificateStatus");
            assert_string_equal(e->rfc, "RFC 6066 8");
            if (e->is_server) {
                assert_int_equal(e->sent, 1);
                status_s = i + 1;
            } else {
                assert_int_equal(e->sent, 0);
                status_c = i + 1;
            }
        }
        if (e->kind == TERN_TRACE_CHECK && !e->is_server && strcmp(e->name, "OCSP response good") == 0) {
            check_c = i + 1;
            assert_int_equal(e->status, 0);
            assert_non_null(strstr(e->rfc, "RFC 7633")); /* a must-staple leaf */
            assert_non_null(strstr(e->detail, "serial 1002"));
        }
    }
    assert_true(status_s > 0);
    assert_true(cert_c > 0 && status_c > cert_c && check_c > status_c);
    /* A refusal: the CHECK carries the error, then the alert. */
    tern_config_free(s);
    s = server_raw("leaf-revoked-chain.pem", "revoked.der");
    nevents = 0;
    run_fail(c, s, TERN_ERR_CERT_REVOKED, TERN_ALERT_CERTIFICATE_REVOKED, NULL);
    const rec_event *e = find_event(0, TERN_TRACE_CHECK, "OCSP response: revoked");
    assert_non_null(e);
    assert_int_equal(e->status, TERN_ERR_CERT_REVOKED);
    assert_non_null(find_event(0, TERN_TRACE_ALERT, "certificate_revoked"));
    tern_config_free(s);
    tern_config_free(c);
}

/* ---- memory and lifetime ---- */

static void test_memory(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *with = server_cfg("leaf-chain.pem", "good.der");
    tern_config *without = server_cfg("leaf-chain.pem", NULL);
    tern_conn *a = tern_server_new(with), *b = tern_server_new(without);
    assert_int_equal(a->alloc_size, b->alloc_size); /* the staple lives in the config only */
    tern_free(a);
    tern_free(b);
    tern_config *soft = client_cfg(TERN_OCSP_SOFT), *off = client_cfg(TERN_OCSP_OFF);
    tern_config *keep = client_cfg(TERN_OCSP_SOFT | TERN_OCSP_KEEP_RESPONSE);
    a = tern_client_new(soft, "localhost");
    b = tern_client_new(off, "localhost");
    tern_conn *k = tern_client_new(keep, "localhost");
    assert_int_equal(a->alloc_size, b->alloc_size);   /* the verdict only */
    assert_true(k->alloc_size >= a->alloc_size + 16384); /* hs_max more when keeping */
    tern_free(a);
    tern_free(b);
    tern_free(k);

    /* Replaced, then removed, while handshakes that staple it run: each
     * writes (and its client checks) the response it started with. */
    mp_pair p1, p2;
    mp_init(&p1, soft, with, "localhost");
    mp_step_client(&p1);
    mp_step_server(&p1); /* the flight with CertificateStatus is written */
    size_t n;
    uint8_t *der = load("good-sha256.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(with, 0, der, n), 0);
    free(der);
    mp_init(&p2, soft, with, "localhost");
    mp_step_client(&p2);
    mp_step_server(&p2); /* takes the new one */
    assert_int_equal(tern_config_set_ocsp_response(with, 0, NULL, 0), 0);
    mp_handshake_ok(&p1);
    mp_handshake_ok(&p2);
    assert_int_equal(tern_ocsp_verdict(p1.c), TERN_STAPLE_GOOD);
    assert_int_equal(tern_ocsp_verdict(p2.c), TERN_STAPLE_GOOD);
    mp_free(&p1);
    mp_free(&p2);
    /* A server freed in the middle of its handshake gives its reference back
     * (a leak checker would see it otherwise). */
    der = load("good.der", &n);
    assert_int_equal(tern_config_set_ocsp_response(with, 0, der, n), 0);
    free(der);
    mp_init(&p1, soft, with, "localhost");
    mp_step_client(&p1);
    mp_step_server(&p1);
    assert_non_null(p1.s->staple);
    mp_free(&p1);
    tern_config_free(with);
    tern_config_free(without);
    tern_config_free(soft);
    tern_config_free(off);
    tern_config_free(keep);
}

/* Threads making handshakes from one stapling configuration while the
 * main thread keeps replacing its response (tern.h allows it): every client
 * gets a good response, whichever of the two; ASan checks that no freed
 * response is ever written. */
typedef struct {
    tern_config *c, *s;
    int good, rounds;
} race_job;

static void *race_thread(void *arg) {
    race_job *j = arg;
    for (int i = 0; i < j->rounds; i++) {
        mp_pair p;
        memset(&p, 0, sizeof p);
        p.c = tern_client_new(j->c, "localhost");
        p.s = tern_server_new(j->s);
        if (p.c == NULL || p.s == NULL)
            break;
        p.ce.in = &p.s2c;
        p.ce.out = &p.c2s;
        p.se.in = &p.c2s;
        p.se.out = &p.s2c;
        if (tern_set_io(p.c, mp_recv, mp_send, &p.ce) != 0 || tern_set_io(p.s, mp_recv, mp_send, &p.se) != 0)
            break;
        p.crc = p.src = TERN_WANT_READ;
        for (int k = 0; k < 100 && (mp_pending(p.crc) || mp_pending(p.src)); k++) {
            if (mp_pending(p.crc))
                p.crc = tern_handshake(p.c);
            if (mp_pending(p.src))
                p.src = tern_handshake(p.s);
        }
        if (p.crc == 0 && p.src == 0 && tern_ocsp_verdict(p.c) == TERN_STAPLE_GOOD)
            j->good++;
        mp_free(&p);
    }
    return NULL;
}

static void test_replace_while_serving(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *s = server_cfg("leaf-chain.pem", "good.der");
    tern_config *c = client_cfg(TERN_OCSP_HARD);
    size_t n1, n2;
    uint8_t *r1 = load("good.der", &n1), *r2 = load("good-sha256.der", &n2);
    enum { THREADS = 4, ROUNDS = 15 };
    race_job jobs[THREADS];
    pthread_t t[THREADS];
    for (int i = 0; i < THREADS; i++) {
        jobs[i] = (race_job){c, s, 0, ROUNDS};
        assert_int_equal(pthread_create(&t[i], NULL, race_thread, &jobs[i]), 0);
    }
    for (int i = 0; i < 200; i++)
        assert_int_equal(tern_config_set_ocsp_response(s, 0, i % 2 ? r1 : r2, i % 2 ? n1 : n2), 0);
    int good = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        good += jobs[i].good;
    }
    assert_int_equal(good, THREADS * ROUNDS);
    free(r1);
    free(r2);
    tern_config_free(s);
    tern_config_free(c);
}

/* A resumed session: no certificate, no staple, verdict NONE. */
static void test_resumption(void **state) {
    (void)state;
    now_value = T_LATER;
    tern_config *s = server_cfg("leaf-chain.pem", "good.der");
    assert_int_equal(tern_config_set_session_tickets(s, 1, 3600), 0);
    tern_config *c = client_cfg(TERN_OCSP_HARD);
    assert_int_equal(tern_config_set_session_tickets(c, 1, 3600), 0);
    mp_pair p;
    mp_init(&p, c, s, "localhost");
    mp_handshake_ok(&p);
    assert_int_equal(tern_ocsp_verdict(p.c), TERN_STAPLE_GOOD);
    tern_session *sess = tern_get_session(p.c);
    assert_non_null(sess);
    mp_free(&p);
    mp_init(&p, c, s, "localhost");
    assert_int_equal(tern_set_session(p.c, sess), 0);
    mp_handshake_ok(&p);
    assert_int_equal(tern_session_reused(p.c), 1);
    assert_int_equal(tern_ocsp_verdict(p.c), TERN_STAPLE_NONE);
    assert_null(p.s->staple);
    mp_free(&p);
    tern_session_free(sess);
    tern_config_free(s);
    tern_config_free(c);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_modes),
        cmocka_unit_test(test_must_staple),
        cmocka_unit_test(test_client_refuses),
        cmocka_unit_test(test_full_rsa),
        cmocka_unit_test(test_server_checks),
        cmocka_unit_test(test_identities),
        cmocka_unit_test(test_wire_client_hello),
        cmocka_unit_test(test_wire_server_flight),
        cmocka_unit_test(test_hello_request_between),
        cmocka_unit_test(test_trace),
        cmocka_unit_test(test_memory),
        cmocka_unit_test(test_replace_while_serving),
        cmocka_unit_test(test_resumption),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
