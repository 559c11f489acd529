/*
 * Rules of the TLS 1.2 engine (RFC 5246, 5746, 7627, 7301, 6066) that a peer
 * breaks by misbehaving: message order around ChangeCipherSpec, an
 * extension not offered, which check comes first, how often renegotiation
 * is refused, and what the application is handed (close retried, a peer's
 * names).  Each case is a peer behaviour the RFC says to refuse or bound;
 * the test plays the attacker on the in-memory pipe (tests/mempair.h) and,
 * for records under the new keys, seals them with the sending engine's own
 * write state.
 *
 * Cases:
 *   - a HelloRequest between the server's ChangeCipherSpec and its Finished
 *     (RFC 5246 §7.4.9: Finished is "always sent immediately after a change
 *     cipher spec message"): unexpected_message, not ignored;
 *   - an extended_master_secret extension in ServerHello that the client
 *     did not offer (RFC 5246 §7.4.1.4, RFC 7627 §5.2): unsupported_extension;
 *   - a ClientHello below TLS 1.2 whose ALPN offer has no overlap: the
 *     server answers protocol_version (the version is decided before the
 *     extensions), not no_application_protocol;
 *   - a peer asking again and again to renegotiate after the handshake
 *     (HelloRequest to a client, ClientHello to a server): the first
 *     TERN_RENEG_ANSWERS get a no_renegotiation warning, the rest are
 *     ignored (no amplification), and data keeps flowing;
 *   - tern_close() that returned TERN_WANT_WRITE, called again once the
 *     transport drains, sends what it queued (it returned the sticky error
 *     and left the alerts unsent when the close had failed the connection).
 */
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
#include "lib/record.h"
#include "lib/engine.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

static tern_config *g_scfg, *g_ccfg;

static int setup(void **state) {
    (void)state;
    g_scfg = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    g_ccfg = mp_config("certs/root-ca.crt", NULL, NULL);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    tern_config_free(g_scfg);
    tern_config_free(g_ccfg);
    return 0;
}

/* The failure, its alert, and that it sticks. */
static void expect_fail(tern_conn *c, long rc, int err, int alert) {
    mp_expect_fail(c, rc, err, alert, NULL, MP_FAIL_READ | MP_FAIL_WRITE);
}

/* A record sealed under `from`'s current write keys, at sequence seq. */
static void inject_at(tern_conn *from, uint64_t seq, uint8_t type, const uint8_t *p, size_t n) {
    tern_rec_dir saved = from->wr;
    from->wr.seq = seq;
    assert_int_equal(tern_rec_write(from, type, p, n), 0);
    assert_int_equal(tern_io_flush(from), 0);
    from->wr = saved;
}

/* ---- HelloRequest between ChangeCipherSpec and Finished ---- */
static void test_hello_request_after_ccs(void **state) {
    (void)state;
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_step_client(&p); /* ClientHello */
    mp_step_server(&p); /* ServerHello .. ServerHelloDone */
    mp_step_client(&p); /* ClientKeyExchange, CCS, Finished */
    mp_step_server(&p); /* [NewSessionTicket,] CCS, Finished */
    assert_int_equal(p.src, 0);
    /* Keep everything up to and including the server's CCS; put a
     * HelloRequest (seq 0) and then the same Finished (seq 1) behind it. */
    mp_pipe *q = &p.s2c;
    size_t at = q->off;
    while (at + 5 <= q->len && q->buf[at] != TERN_CT_CHANGE_CIPHER_SPEC)
        at += 5 + tern_load_be16(q->buf + at + 3);
    assert_true(at + 6 <= q->len);
    q->len = at + 6;
    static const uint8_t hello_request[4] = {TERN_HT_HELLO_REQUEST, 0, 0, 0};
    uint8_t fin[4 + TERN_VERIFY_LEN] = {TERN_HT_FINISHED, 0, 0, TERN_VERIFY_LEN};
    memcpy(fin + 4, p.s->server_verify, TERN_VERIFY_LEN);
    inject_at(p.s, 0, TERN_CT_HANDSHAKE, hello_request, sizeof hello_request);
    inject_at(p.s, 1, TERN_CT_HANDSHAKE, fin, sizeof fin);
    mp_step_client(&p);
    expect_fail(p.c, p.crc, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE);
    assert_non_null(strstr(tern_error(p.c), "HelloRequest"));
    mp_free(&p);

    /* Control: the same surgery without the HelloRequest completes (the
     * sealing above is what the server would have sent). */
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    mp_step_client(&p);
    mp_step_server(&p);
    q = &p.s2c;
    at = q->off;
    while (at + 5 <= q->len && q->buf[at] != TERN_CT_CHANGE_CIPHER_SPEC)
        at += 5 + tern_load_be16(q->buf + at + 3);
    q->len = at + 6;
    memcpy(fin + 4, p.s->server_verify, TERN_VERIFY_LEN);
    inject_at(p.s, 0, TERN_CT_HANDSHAKE, fin, sizeof fin);
    mp_step_client(&p);
    if (p.crc != 0)
        fail_msg("control handshake: %d %s", p.crc, tern_error(p.c));
    mp_free(&p);
}

/* ---- an extended_master_secret the client did not offer ---- */
static void test_unsolicited_ems(void **state) {
    (void)state;
    tern_config *ccfg = mp_config("certs/root-ca.crt", NULL, NULL);
    ccfg->no_ems = 1; /* a client that does not offer RFC 7627 */
    mp_pair p;
    mp_init(&p, ccfg, g_scfg, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    size_t len;
    uint8_t *sh = mp_copy(&p.s2c, TERN_HT_SERVER_HELLO, &len);
    assert_non_null(sh);
    /* header 4, version 2, random 32, session_id <..32>, suite 2, comp 1,
     * extensions <..2^16-1> */
    size_t ext = 4 + 2 + 32 + 1 + sh[4 + 2 + 32] + 2 + 1;
    assert_true(ext + 2 <= len);
    size_t elen = tern_load_be16(sh + ext);
    assert_int_equal(ext + 2 + elen, len);
    uint8_t *m = malloc(len + 4);
    assert_non_null(m);
    memcpy(m, sh, len);
    static const uint8_t ems[4] = {0x00, 0x17, 0x00, 0x00};
    memcpy(m + len, ems, 4);
    tern_store_be16(m + ext, (uint16_t)(elen + 4));
    size_t body = len + 4 - 4;
    m[1] = (uint8_t)(body >> 16);
    m[2] = (uint8_t)(body >> 8);
    m[3] = (uint8_t)body;
    mp_replace(&p.s2c, TERN_HT_SERVER_HELLO, m, len + 4);
    free(m);
    free(sh);
    mp_step_client(&p);
    expect_fail(p.c, p.crc, TERN_ERR_UNSUPPORTED_EXTENSION, TERN_ALERT_UNSUPPORTED_EXTENSION);
    assert_int_equal(tern_extended_master_secret(p.c), 0);
    mp_free(&p);
    tern_config_free(ccfg);
}

/* ---- a pre-1.2 ClientHello gets protocol_version, whatever its
 * extensions say (RFC 5246 Appendix E.1: the version decides first) ---- */
static void test_old_client_version_first(void **state) {
    (void)state;
    tern_config *ccfg = mp_config("certs/root-ca.crt", NULL, NULL);
    tern_config *scfg = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_alpn(ccfg, "h2"), 0);
    assert_int_equal(tern_config_set_alpn(scfg, "http/1.1"), 0);
    static const uint16_t versions[3] = {0x0300, 0x0301, 0x0302};
    for (size_t i = 0; i < 3; i++) {
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        mp_step_client(&p);
        size_t rec, msg, mlen;
        assert_true(mp_find(&p.c2s, TERN_HT_CLIENT_HELLO, &rec, &msg, &mlen));
        tern_store_be16(p.c2s.buf + msg + 4, versions[i]); /* client_version */
        mp_step_server(&p);
        expect_fail(p.s, p.src, TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION);
        mp_free(&p);
    }
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

/* ---- tern_close after TERN_WANT_WRITE: calling again must finish the
 * flush (tern.h: WANT_WRITE means "call again"), also when the close
 * abandoned a handshake (the connection is failed by then) ---- */
typedef struct {
    int blocked;
    uint8_t buf[256];
    size_t len;
} slow_io;

static int slow_recv(void *arg, uint8_t *b, size_t n) {
    (void)arg;
    (void)b;
    (void)n;
    return TERN_WANT_READ;
}

static int slow_send(void *arg, const uint8_t *b, size_t n) {
    slow_io *io = arg;
    if (io->blocked)
        return TERN_WANT_WRITE;
    assert_true(io->len + n <= sizeof io->buf);
    memcpy(io->buf + io->len, b, n);
    io->len += n;
    return (int)n;
}

static void test_close_want_write_repeats(void **state) {
    (void)state;
    tern_conn *c = tern_client_new(g_ccfg, "localhost");
    assert_non_null(c);
    slow_io io = {1, {0}, 0};
    assert_int_equal(tern_set_io(c, slow_recv, slow_send, &io), 0);
    assert_int_equal(tern_close(c), TERN_WANT_WRITE); /* the transport is full */
    io.blocked = 0;
    (void)tern_close(c); /* again, as WANT_WRITE asks */
    /* user_canceled then close_notify, two plaintext alert records */
    static const uint8_t want[14] = {TERN_CT_ALERT, 3, 3, 0, 2, 1, TERN_ALERT_USER_CANCELED,
                                     TERN_CT_ALERT, 3, 3, 0, 2, 1, TERN_ALERT_CLOSE_NOTIFY};
    assert_int_equal(io.len, sizeof want);
    assert_memory_equal(io.buf, want, sizeof want);
    assert_int_equal(tern_handshake(c), TERN_ERR_CLOSED); /* and the failure sticks */
    tern_free(c);
}

/* tern_peer_san() hands the application a string it may print: a SAN with
 * an escape sequence (IA5 allows bytes 1..31) must come out printable. */
static void test_peer_san_printable(void **state) {
    (void)state;
    static const uint8_t san[] = {0x82, 0x07, 'a', 0x1b, '[', '3', '1', 'm', 'b', 0x81, 0x03, 'x', 0x07, 'y',
                                  0x87, 0x04, 10,  0,    0,   1};
    tern_x509_cert cert;
    memset(&cert, 0, sizeof cert);
    cert.has_san = 1;
    cert.san.p = san;
    cert.san.len = sizeof san;
    char out[128];
    tern_hs_san_text(&cert, out, sizeof out);
    for (const char *p = out; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    assert_string_equal(out, "DNS:a?[31mb, email:x?y, IP:10.0.0.1");
    /* Truncation keeps the string terminated and printable. */
    char small[10];
    tern_hs_san_text(&cert, small, sizeof small);
    assert_string_equal(small, "DNS:a?[31");
}

/* ---- renegotiation requests after the handshake are answered a bounded number of times ---- */

/* Records of content type `type` among the unread bytes of pipe q. */
static size_t count_records(const mp_pipe *q, uint8_t type) {
    size_t n = 0;
    for (size_t at = q->off; at + 5 <= q->len; at += 5 + tern_load_be16(q->buf + at + 3))
        n += q->buf[at] == type;
    return n;
}

static void renegotiation_flood(tern_conn *asker, tern_conn *refuser, const mp_pipe *back, const uint8_t *msg,
                                size_t len) {
    for (int i = 0; i < 3 * TERN_RENEG_ANSWERS; i++)
        assert_int_equal(tern_rec_write(asker, TERN_CT_HANDSHAKE, msg, len), 0);
    assert_int_equal(tern_write(asker, "data", 4), 4);
    uint8_t b[16];
    assert_int_equal(tern_read(refuser, b, sizeof b), 4); /* the requests are skipped, data flows */
    assert_memory_equal(b, "data", 4);
    assert_int_equal(tern_write(refuser, "ok", 2), 2); /* flushes the warnings */
    assert_int_equal(count_records(back, TERN_CT_ALERT), TERN_RENEG_ANSWERS);
    assert_int_equal(tern_read(asker, b, sizeof b), 2);
    assert_int_equal(tern_alert_received(asker), TERN_ALERT_NO_RENEGOTIATION);
    assert_int_equal(tern_alert_sent(refuser), -1); /* warnings only: nothing failed */
}

static void test_renegotiation_requests_bounded(void **state) {
    (void)state;
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    static const uint8_t hello_request[4] = {TERN_HT_HELLO_REQUEST, 0, 0, 0};
    renegotiation_flood(p.s, p.c, &p.c2s, hello_request, sizeof hello_request);
    mp_free(&p);
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_handshake(&p);
    static const uint8_t client_hello[8] = {TERN_HT_CLIENT_HELLO, 0, 0, 4, 3, 3, 0, 0};
    renegotiation_flood(p.c, p.s, &p.s2c, client_hello, sizeof client_hello);
    mp_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_request_after_ccs),
        cmocka_unit_test(test_unsolicited_ems),
        cmocka_unit_test(test_old_client_version_first),
        cmocka_unit_test(test_close_want_write_repeats),
        cmocka_unit_test(test_peer_san_printable),
        cmocka_unit_test(test_renegotiation_requests_bounded),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
