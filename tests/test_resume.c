/*
 * Session resumption, client and server in memory:
 *   - resume by session ID and by ticket, for every suite (ECDHE and RSA
 *     key exchange, AES-GCM and ChaCha20-Poly1305, RSA and ECDSA servers),
 *     sessions carried as bytes; the abbreviated shape is
 *     checked from the server's trace (no Certificate, no key exchange);
 *   - ticket-key rotation: an old ticket opens inside the window (and is
 *     renewed under the new key), not after; application ticket keys
 *     shared by two servers; keys that differ;
 *   - expired sessions (cache and ticket), cache eviction (LRU order, the
 *     count, the eviction counter), a server that forgot the session;
 *   - refusals that end in a full handshake: another server name, a suite
 *     not offered / no longer allowed, the EMS state (RFC 7627 §5.3) both
 *     ways, corrupted / truncated / foreign tickets;
 *   - the client's checks: a server that "resumes" with another suite or
 *     another EMS state is refused (illegal_parameter, handshake_failure);
 *   - mutual TLS: the client identity is restored on resumption; a server
 *     requiring client certificates does not resume an anonymous session;
 *   - the external store hook; the cache under several threads, and
 *     resumptions from four threads over one server configuration;
 *   - default rotation (a ticket lives its lifetime across key changes);
 *   - failed handshakes leave no session; a fatal alert after the
 *     handshake voids the session (RFC 5246 §7.2.2); an unsolicited
 *     SessionTicket extension is refused;
 *   - tern_session bytes: round trip, truncations, a bad format byte and
 *     an unknown suite refused;
 *   - ticket room only in clients configured for tickets: a client without
 *     it refuses a ticket-only session and offers an ID+ticket session by
 *     ID (no SessionTicket extension); the offered session's subject shows
 *     only once the server resumes it (not before, not after a full or a
 *     failed handshake, whose offered master secret is wiped).
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
#include "lib/trace.h"
#include "lib/engine.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

static const char *suite_names[] = {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                    "AES128-GCM-SHA256", "AES256-GCM-SHA384"};
static const char *all_suites = "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256:"
                                "AES256-GCM-SHA384";

/* A clock the test moves. */
static int64_t clock_now(void *arg) { return *(int64_t *)arg; }

/* Counts what the server sent: Certificate and NewSessionTicket. */
typedef struct {
    int certs, tickets, key_exchanges;
} counts;
static void count_trace(void *arg, const tern_trace_event *ev) {
    counts *n = arg;
    if (ev->kind != TERN_TRACE_MESSAGE || !ev->sent || !ev->is_server)
        return;
    n->certs += ev->msg_type == TERN_HT_CERTIFICATE;
    n->tickets += ev->msg_type == TERN_HT_NEW_SESSION_TICKET;
    n->key_exchanges += ev->msg_type == TERN_HT_SERVER_KEY_EXCHANGE;
}

static tern_config *client_cfg(void) { return mp_config("certs/root-ca.crt", NULL, NULL); }
static tern_config *server_cfg(void) { return mp_config(NULL, "certs/server-chain.pem", "certs/server.key"); }

static void exchange(mp_pair *p) {
    uint8_t buf[16];
    assert_int_equal(tern_write(p->c, "ping", 4), 4);
    assert_int_equal(tern_read(p->s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(tern_write(p->s, "pong!", 5), 5);
    assert_int_equal(tern_read(p->c, buf, sizeof buf), 5);
    assert_memory_equal(buf, "pong!", 5);
}

/* One connection.  offer (may be NULL) is offered with tern_set_session,
 * or, with force, put in place past the client's own checks (to test the
 * server's).  The handshake must succeed; returns the client's new session
 * (or NULL) and sets *resumed (both sides must agree). */
static tern_session *run(const tern_config *ccfg, const tern_config *scfg, const char *name, const tern_session *offer,
                         int force, int *resumed) {
    mp_pair p;
    mp_init(&p, ccfg, scfg, name);
    if (offer != NULL && !force)
        assert_int_equal(tern_set_session(p.c, offer), 0);
    if (offer != NULL && force)
        assert_int_equal(tern_sess_client_offer(p.c, offer), 0);
    mp_handshake(&p);
    if (p.crc != 0 || p.src != 0)
        fail_msg("handshake: client %d (%s), server %d (%s)", p.crc, tern_error(p.c), p.src, tern_error(p.s));
    assert_int_equal(tern_session_reused(p.c), tern_session_reused(p.s));
    *resumed = tern_session_reused(p.c);
    assert_non_null(tern_peer_subject(p.c)); /* restored on resumption too */
    assert_non_null(strstr(tern_peer_subject(p.c), "CN=localhost"));
    exchange(&p);
    tern_session *s = tern_get_session(p.c);
    mp_free(&p);
    return s;
}

/* Like run(), through the session's bytes. */
static tern_session *via_bytes(const tern_session *s) {
    long n = tern_session_to_bytes(s, NULL, 0);
    assert_true(n > 0);
    uint8_t *b = malloc((size_t)n);
    assert_int_equal(tern_session_to_bytes(s, b, (size_t)n), n);
    if (n > 1)
        assert_int_equal(tern_session_to_bytes(s, b, (size_t)n - 1), TERN_ERR_BUFFER_TOO_SMALL);
    tern_session *t = tern_session_from_bytes(b, (size_t)n);
    assert_non_null(t);
    free(b);
    return t;
}

static void test_resume_by_id_and_ticket(void **state) {
    (void)state;
    for (int mode = 0; mode < 2; mode++) /* 0: session ID, 1: ticket */
        for (size_t i = 0; i < TERN_ARRAY_LEN(suite_names); i++) {
            tern_config *ccfg = client_cfg(), *scfg = server_cfg();
            counts n = {0, 0, 0};
            tern_config_set_trace(scfg, count_trace, &n);
            assert_int_equal(tern_config_set_cipher_suites(ccfg, suite_names[i]), 0);
            assert_int_equal(tern_config_set_cipher_suites(scfg, all_suites), 0);
            if (mode == 0) {
                assert_int_equal(tern_config_set_session_cache(scfg, 16, 600), 0);
            } else {
                assert_int_equal(tern_config_set_session_tickets(scfg, 1, 600), 0);
                assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
            }
            int resumed = -1;
            tern_session *s1 = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
            assert_int_equal(resumed, 0);
            assert_non_null(s1);
            assert_int_equal(n.certs, 1);
            assert_int_equal(n.tickets, mode);
            if (mode == 0) {
                assert_int_equal(s1->id_len, 32);
                assert_int_equal(s1->ticket_len, 0);
                assert_int_equal(tern_session_cache_count(scfg->sess->cache, NULL), 1);
            } else {
                assert_int_equal(s1->id_len, 0); /* no cache: no ID */
                assert_true(s1->ticket_len > tern_ticket_overhead());
            }
            tern_session *b = via_bytes(s1);
            for (int k = 0; k < 3; k++) { /* resume the same session several times */
                tern_session *s2 = run(ccfg, scfg, "localhost", b, 0, &resumed);
                if (!resumed)
                    fail_msg("%s mode %d: not resumed", suite_names[i], mode);
                assert_non_null(s2);
                assert_memory_equal(s2->core.master, s1->core.master, 48);
                assert_int_equal(s2->core.suite, s1->core.suite);
                tern_session_free(s2);
            }
            /* Abbreviated: no new Certificate, key exchange or ticket. */
            assert_int_equal(n.certs, 1);
            assert_int_equal(n.tickets, mode);
            assert_int_equal(n.key_exchanges, i < 2 ? 1 : 0);
            tern_session_free(b);
            tern_session_free(s1);
            tern_config_free(ccfg);
            tern_config_free(scfg);
        }
}

/* The newer suites: ChaCha20-Poly1305 records and ECDSA servers
 * resume the same way (the session holds the suite; the abbreviated
 * handshake needs neither the certificate nor its key). */
static void test_resume_chacha_ecdsa(void **state) {
    (void)state;
    static const struct {
        const char *suite;
        int ecdsa;
    } cases[] = {{"ECDHE-RSA-CHACHA20-POLY1305", 0},
                 {"ECDHE-ECDSA-AES128-GCM-SHA256", 1},
                 {"ECDHE-ECDSA-AES256-GCM-SHA384", 1},
                 {"ECDHE-ECDSA-CHACHA20-POLY1305", 1}};
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++)
        for (int mode = 0; mode < 2; mode++) {
            tern_config *ccfg = mp_config(cases[i].ecdsa ? "certs/ecdsa-root.crt" : "certs/root-ca.crt", NULL, NULL);
            tern_config *scfg = cases[i].ecdsa ? mp_config(NULL, "certs/ecdsa-server-chain.pem", "certs/ecdsa-server.key")
                                               : server_cfg();
            assert_int_equal(tern_config_set_cipher_suites(ccfg, cases[i].suite), 0);
            if (mode == 0) {
                assert_int_equal(tern_config_set_session_cache(scfg, 4, 600), 0);
            } else {
                assert_int_equal(tern_config_set_session_tickets(scfg, 1, 600), 0);
                assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
            }
            int resumed;
            tern_session *s1 = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
            assert_non_null(s1);
            tern_session *s2 = run(ccfg, scfg, "localhost", s1, 0, &resumed);
            if (!resumed)
                fail_msg("%s mode %d: not resumed", cases[i].suite, mode);
            assert_int_equal(s2->core.suite, tern_suite_by_name(cases[i].suite, strlen(cases[i].suite))->id);
            tern_session_free(s1);
            tern_session_free(s2);
            tern_config_free(ccfg);
            tern_config_free(scfg);
        }
}

static void test_ticket_rotation(void **state) {
    (void)state;
    int64_t t = 1800000000;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg();
    tern_config_set_clock(ccfg, clock_now, &t);
    tern_config_set_clock(scfg, clock_now, &t);
    counts n = {0, 0, 0};
    tern_config_set_trace(scfg, count_trace, &n);
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 3600), 0);
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 3600), 0);
    assert_int_equal(tern_config_set_ticket_rotation(scfg, 100, 50), 0);
    int resumed;
    tern_session *old = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    assert_non_null(old);
    uint8_t old_name[16];
    memcpy(old_name, old->ticket, 16);
    /* Inside the rotation period: resumed, no new ticket. */
    t += 50;
    tern_session *s = run(ccfg, scfg, "localhost", old, 0, &resumed);
    assert_int_equal(resumed, 1);
    assert_int_equal(n.tickets, 1);
    assert_memory_equal(s->ticket, old->ticket, old->ticket_len);
    tern_session_free(s);
    /* Past it: the key is due to rotate; the ticket still opens and is
     * renewed under a new key (renewal rotates). */
    t += 70;
    tern_session *renewed = run(ccfg, scfg, "localhost", old, 0, &resumed);
    assert_int_equal(resumed, 1);
    assert_int_equal(n.tickets, 2);
    assert_memory_not_equal(renewed->ticket, old_name, 16);
    /* The old ticket inside the window (50 s after the rotation): accepted. */
    t += 40;
    s = run(ccfg, scfg, "localhost", old, 0, &resumed);
    assert_int_equal(resumed, 1);
    tern_session_free(s);
    /* After the window: refused, full handshake. */
    t += 20;
    s = run(ccfg, scfg, "localhost", old, 0, &resumed);
    assert_int_equal(resumed, 0);
    assert_non_null(s);
    tern_session_free(s);
    /* The renewed one is under the current key. */
    s = run(ccfg, scfg, "localhost", renewed, 0, &resumed);
    assert_int_equal(resumed, 1);
    tern_session_free(s);
    tern_session_free(renewed);
    tern_session_free(old);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

/* Default rotation (a new key every hour; old keys open tickets for the
 * ticket lifetime): a ticket lives its whole lifetime across rotations. */
static void test_default_rotation(void **state) {
    (void)state;
    int64_t t = 1800000000;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg();
    tern_config_set_clock(ccfg, clock_now, &t);
    tern_config_set_clock(scfg, clock_now, &t);
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 7200), 0);
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 7200), 0);
    int resumed;
    tern_session *old = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    t += 3700; /* the key rotates with the next ticket sealed */
    tern_session *other = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    assert_int_equal(resumed, 0);
    assert_memory_not_equal(other->ticket, old->ticket, 16); /* a new key name */
    t += 3400; /* 7100 s after the first ticket */
    tern_session *x = run(ccfg, scfg, "localhost", old, 0, &resumed);
    assert_int_equal(resumed, 1);
    assert_memory_equal(x->ticket, other->ticket, 16); /* renewed under the new key */
    tern_session_free(x);
    t += 100; /* past its lifetime (7200 s) */
    tern_conn *cc = tern_client_new(ccfg, "localhost");
    assert_int_equal(tern_set_session(cc, old), TERN_ERR_INVALID_ARG);
    tern_free(cc);
    x = run(ccfg, scfg, "localhost", old, 1, &resumed); /* forced: the server refuses too */
    assert_int_equal(resumed, 0);
    tern_session_free(x);
    tern_session_free(other);
    tern_session_free(old);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

/* A session of a failed handshake is never cached nor ticketed. */
static void test_failed_not_cached(void **state) {
    (void)state;
    tern_config *untrusting = mp_config("certs/root2-ca.crt", NULL, NULL), *scfg = server_cfg();
    counts n = {0, 0, 0};
    tern_config_set_trace(scfg, count_trace, &n);
    assert_int_equal(tern_config_set_session_cache(scfg, 4, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(untrusting, 1, 600), 0);
    mp_pair p;
    mp_init(&p, untrusting, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, TERN_ERR_CERT_UNKNOWN_CA);
    assert_int_equal(p.src, TERN_ERR_PEER_ALERT);
    assert_null(tern_get_session(p.c));
    mp_free(&p);
    /* mTLS: the client's certificate is refused by the server. */
    tern_config *ccfg = mp_config("certs/root-ca.crt", "certs/client-chain.pem", "certs/client.key");
    tern_config *req = mp_config("certs/root2-ca.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_client_auth(req, TERN_CLIENT_AUTH_REQUIRED), 0);
    assert_int_equal(tern_config_set_client_ca_names(req, 0), 0); /* so the client sends its chain */
    assert_int_equal(tern_config_set_session_cache(req, 4, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(req, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
    mp_init(&p, ccfg, req, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.src, TERN_ERR_CERT_UNKNOWN_CA);
    assert_null(tern_get_session(p.c));
    mp_free(&p);
    assert_int_equal(tern_session_cache_count(scfg->sess->cache, NULL), 0);
    assert_int_equal(tern_session_cache_count(req->sess->cache, NULL), 0);
    assert_int_equal(n.tickets, 0);
    tern_config_free(untrusting);
    tern_config_free(scfg);
    tern_config_free(ccfg);
    tern_config_free(req);
}

/* RFC 5246 §7.2.2: a connection ended by a fatal alert is not resumed:
 * the server drops the session from its cache (and from the external
 * store), the client no longer hands it out. */
static int removed;
static void ext_remove(void *arg, const uint8_t *id, size_t id_len) {
    (void)arg, (void)id, (void)id_len;
    removed++;
}
static long ext_none(void *arg, const uint8_t *id, size_t id_len, uint8_t *data, size_t cap) {
    (void)arg, (void)id, (void)id_len, (void)data, (void)cap;
    return -1;
}
static int ext_ok(void *arg, const uint8_t *id, size_t id_len, const uint8_t *data, size_t len) {
    (void)arg, (void)id, (void)id_len, (void)data, (void)len;
    return 0;
}

static void test_fatal_alert_invalidates(void **state) {
    (void)state;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg(), *sstore = server_cfg();
    assert_int_equal(tern_config_set_session_cache(scfg, 4, 600), 0);
    assert_int_equal(tern_config_set_session_store(sstore, ext_ok, ext_none, ext_remove, NULL), 0);
    int resumed;
    tern_session *s = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    for (int round = 0; round < 2; round++) { /* a resumed connection, then a new one */
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        if (round == 0)
            assert_int_equal(tern_set_session(p.c, s), 0);
        mp_handshake(&p);
        assert_int_equal(p.crc, 0);
        assert_int_equal(tern_session_reused(p.c), round == 0);
        tern_session *mine = tern_get_session(p.c);
        assert_non_null(mine);
        assert_int_equal(tern_write(p.c, "data", 4), 4);
        p.c2s.buf[p.c2s.len - 1] ^= 1; /* the record's tag */
        uint8_t buf[8];
        assert_int_equal(tern_read(p.s, buf, sizeof buf), TERN_ERR_BAD_RECORD_MAC);
        assert_int_equal(tern_read(p.c, buf, sizeof buf), TERN_ERR_PEER_ALERT);
        assert_null(tern_get_session(p.c));
        mp_free(&p);
        tern_session *x = run(ccfg, scfg, "localhost", mine, 0, &resumed);
        assert_int_equal(resumed, 0);
        tern_session_free(x);
        tern_session_free(mine);
    }
    /* the external store is told to forget it too */
    mp_pair p;
    mp_init(&p, ccfg, sstore, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(tern_write(p.c, "data", 4), 4);
    p.c2s.buf[p.c2s.len - 1] ^= 1;
    uint8_t buf[8];
    assert_int_equal(tern_read(p.s, buf, sizeof buf), TERN_ERR_BAD_RECORD_MAC);
    mp_free(&p);
    assert_int_equal(removed, 1);
    tern_session_free(s);
    tern_config_free(ccfg);
    tern_config_free(scfg);
    tern_config_free(sstore);
}

/* RFC 5246 §7.4.1.4 / RFC 5077 §3.2: a SessionTicket extension the client
 * did not send is refused. */
static void test_unsolicited_ticket_ext(void **state) {
    (void)state;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg();
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 600), 0);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_step_client(&p); /* ClientHello with the extension */
    assert_int_equal(p.c->hs_state->sess.ticket_ext, 1);
    p.c->hs_state->sess.ticket_ext = 0; /* as if it had not been sent */
    mp_handshake(&p);
    assert_int_equal(p.crc, TERN_ERR_UNSUPPORTED_EXTENSION);
    assert_int_equal(tern_alert_received(p.s), TERN_ALERT_UNSUPPORTED_EXTENSION);
    mp_free(&p);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

static void test_app_ticket_keys(void **state) {
    (void)state;
    uint8_t keys[2 * 48];
    for (size_t i = 0; i < sizeof keys; i++)
        keys[i] = (uint8_t)(i * 7 + 1);
    tern_config *ccfg = client_cfg(), *s1 = server_cfg(), *s2 = server_cfg(), *s3 = server_cfg();
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
    assert_int_equal(tern_config_set_ticket_keys(s1, keys, 1), 0);
    /* s2 seals with a new key, still opens the first */
    assert_int_equal(tern_config_set_ticket_keys(s2, keys + 48, 1), 0);
    uint8_t both[2 * 48];
    memcpy(both, keys + 48, 48);
    memcpy(both + 48, keys, 48);
    assert_int_equal(tern_config_set_ticket_keys(s2, both, 2), 0);
    assert_int_equal(tern_config_set_ticket_keys(s3, keys + 48, 1), 0); /* only the new key */
    assert_int_equal(tern_config_set_ticket_keys(s3, keys, 5), TERN_ERR_INVALID_ARG);
    int resumed;
    tern_session *a = run(ccfg, s1, "localhost", NULL, 0, &resumed);
    assert_memory_equal(a->ticket, keys, 16); /* the key name leads the ticket */
    tern_session *b = run(ccfg, s2, "localhost", a, 0, &resumed);
    assert_int_equal(resumed, 1); /* another server, the same keys */
    assert_memory_equal(b->ticket, keys + 48, 16); /* renewed under s2's current key */
    tern_session *c = run(ccfg, s3, "localhost", a, 0, &resumed);
    assert_int_equal(resumed, 0); /* s3 does not know the first key */
    tern_session_free(c);
    c = run(ccfg, s3, "localhost", b, 0, &resumed);
    assert_int_equal(resumed, 1);
    tern_session_free(a);
    tern_session_free(b);
    tern_session_free(c);
    tern_config_free(ccfg);
    tern_config_free(s1);
    tern_config_free(s2);
    tern_config_free(s3);
}

static void test_expiry_and_eviction(void **state) {
    (void)state;
    int64_t tc = 1800000000, ts = 1800000000;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg();
    tern_config_set_clock(ccfg, clock_now, &tc);
    tern_config_set_clock(scfg, clock_now, &ts);
    assert_int_equal(tern_config_set_session_cache(scfg, 2, 10), 0);
    int resumed;
    tern_session *a = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    tern_session *b = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    assert_int_equal(tern_session_cache_count(scfg->sess->cache, NULL), 2);
    /* Touch a: b becomes the least recently used, and goes when c comes. */
    tern_session *x = run(ccfg, scfg, "localhost", a, 0, &resumed);
    assert_int_equal(resumed, 1);
    tern_session_free(x);
    tern_session *c = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    uint64_t ev = 0;
    assert_int_equal(tern_session_cache_count(scfg->sess->cache, &ev), 2);
    assert_int_equal(ev, 1);
    x = run(ccfg, scfg, "localhost", a, 0, &resumed);
    assert_int_equal(resumed, 1);
    tern_session_free(x);
    x = run(ccfg, scfg, "localhost", b, 0, &resumed);
    assert_int_equal(resumed, 0); /* evicted: the server forgot it */
    tern_session_free(x);         /* (and its new session evicted c) */
    assert_int_equal(tern_session_cache_count(scfg->sess->cache, &ev), 2);
    assert_int_equal(ev, 2);
    /* Expired on the server (its clock moved 10 s, the client's did not). */
    ts += 9;
    x = run(ccfg, scfg, "localhost", a, 0, &resumed);
    assert_int_equal(resumed, 1);
    tern_session_free(x);
    ts += 1;
    x = run(ccfg, scfg, "localhost", a, 0, &resumed);
    assert_int_equal(resumed, 0);
    tern_session_free(x);
    /* Expired on the client: tern_set_session refuses it. */
    tc += 7200;
    tern_conn *cc = tern_client_new(ccfg, "localhost");
    assert_int_equal(tern_set_session(cc, a), TERN_ERR_INVALID_ARG);
    tern_free(cc);
    tern_session_free(a);
    tern_session_free(b);
    tern_session_free(c);
    /* An expired ticket. */
    tern_config_free(scfg);
    scfg = server_cfg();
    tern_config_set_clock(scfg, clock_now, &ts);
    tc = ts;
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 30), 0);
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 30), 0);
    a = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    assert_int_equal(a->core.lifetime, 30); /* the lifetime hint */
    ts += 29;
    x = run(ccfg, scfg, "localhost", a, 0, &resumed);
    assert_int_equal(resumed, 1);
    tern_session_free(x);
    ts += 1;
    x = run(ccfg, scfg, "localhost", a, 0, &resumed);
    assert_int_equal(resumed, 0);
    tern_session_free(x);
    tern_session_free(a);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

static void test_mismatches(void **state) {
    (void)state;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg();
    assert_int_equal(tern_config_set_cipher_suites(ccfg, all_suites), 0);
    assert_int_equal(tern_config_set_cipher_suites(scfg, all_suites), 0);
    assert_int_equal(tern_config_set_session_cache(scfg, 16, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
    int resumed;
    tern_session *s = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    assert_int_equal(s->core.suite, 0xC02F);
    assert_true(s->id_len == 32 && s->ticket_len > 0);
    tern_session *x;

    /* Another server name: the client will not offer it; forced, the
     * server refuses (SNI "" vs "localhost"; 127.0.0.1 is not sent). */
    tern_conn *cc = tern_client_new(ccfg, "server.test");
    assert_int_equal(tern_set_session(cc, s), TERN_ERR_INVALID_ARG);
    tern_free(cc);
    x = run(ccfg, scfg, "127.0.0.1", s, 1, &resumed);
    assert_int_equal(resumed, 0);
    tern_session_free(x);
    x = run(ccfg, scfg, "server.test", s, 1, &resumed);
    assert_int_equal(resumed, 0);
    tern_session_free(x);

    /* A suite the client no longer offers: refused by the client, and
     * (forced) by the server. */
    tern_config *c256 = client_cfg();
    assert_int_equal(tern_config_set_cipher_suites(c256, "ECDHE-RSA-AES256-GCM-SHA384"), 0);
    assert_int_equal(tern_config_set_session_tickets(c256, 1, 600), 0);
    cc = tern_client_new(c256, "localhost");
    assert_int_equal(tern_set_session(cc, s), TERN_ERR_INVALID_ARG);
    tern_free(cc);
    x = run(c256, scfg, "localhost", s, 1, &resumed);
    assert_int_equal(resumed, 0);
    tern_session_free(x);
    /* A suite the server no longer allows. */
    tern_config *s256 = server_cfg();
    assert_int_equal(tern_config_set_cipher_suites(s256, "ECDHE-RSA-AES256-GCM-SHA384"), 0);
    assert_int_equal(tern_config_set_session_tickets(s256, 1, 600), 0);
    memcpy(s256->sess->keys, scfg->sess->keys, sizeof scfg->sess->keys); /* same ticket keys */
    x = run(ccfg, s256, "localhost", s, 0, &resumed);
    assert_int_equal(resumed, 0);
    tern_session_free(x);

    /* EMS (RFC 7627 §5.3).  A full handshake without EMS makes no session
     * (the server would refuse to resume it: see tests/test_conformance.c,
     * which also covers sessions made without EMS on the server side). */
    tern_config *cnoems = client_cfg();
    cnoems->no_ems = 1;
    assert_int_equal(tern_config_set_session_tickets(cnoems, 1, 600), 0);
    tern_session *plain = run(cnoems, scfg, "localhost", NULL, 0, &resumed);
    assert_null(plain);
    /* A session without EMS is not offered by a client that offers EMS. */
    tern_session nonems = *s;
    nonems.core.ems = 0;
    cc = tern_client_new(ccfg, "localhost");
    assert_int_equal(tern_set_session(cc, &nonems), TERN_ERR_INVALID_ARG);
    tern_free(cc);
    /* An EMS session offered without EMS: the server aborts with
     * handshake_failure ("MUST abort the abbreviated handshake"; it used to
     * fall back to a full handshake). */
    {
        mp_pair q;
        mp_init(&q, cnoems, scfg, "localhost");
        assert_int_equal(tern_set_session(q.c, s), 0);
        mp_handshake(&q);
        assert_int_equal(q.src, TERN_ERR_HANDSHAKE_FAILURE);
        assert_int_equal(tern_alert_sent(q.s), TERN_ALERT_HANDSHAKE_FAILURE);
        assert_int_equal(q.crc, TERN_ERR_PEER_ALERT);
        mp_free(&q);
    }

    /* Corrupted tickets (no session ID, so only the ticket could resume):
     * every one means a full handshake, never an error. */
    tern_session bad = *s;
    bad.id_len = 0;
    x = run(ccfg, scfg, "localhost", &bad, 0, &resumed);
    assert_int_equal(resumed, 1); /* the untouched ticket works alone */
    tern_session_free(x);
    size_t flips[] = {0, 15, 16, 27, 28, 40, s->ticket_len - 17, s->ticket_len - 1};
    for (size_t i = 0; i < TERN_ARRAY_LEN(flips); i++) {
        bad = *s;
        bad.id_len = 0;
        bad.ticket[flips[i]] ^= 0x01;
        x = run(ccfg, scfg, "localhost", &bad, 0, &resumed);
        if (resumed)
            fail_msg("ticket with byte %zu flipped was accepted", flips[i]);
        tern_session_free(x);
    }
    size_t lens[] = {1, 16, 44, s->ticket_len - 1};
    for (size_t i = 0; i < TERN_ARRAY_LEN(lens); i++) {
        bad = *s;
        bad.id_len = 0;
        bad.ticket_len = lens[i];
        x = run(ccfg, scfg, "localhost", &bad, 0, &resumed);
        assert_int_equal(resumed, 0);
        tern_session_free(x);
    }
    bad = *s;
    bad.id_len = 0;
    bad.ticket_len = TERN_TICKET_MAX;
    memset(bad.ticket, 0xa5, sizeof bad.ticket);
    x = run(ccfg, scfg, "localhost", &bad, 0, &resumed);
    assert_int_equal(resumed, 0);
    tern_session_free(x);

    /* A server that forgot everything (a new configuration). */
    tern_config *fresh = server_cfg();
    assert_int_equal(tern_config_set_session_cache(fresh, 16, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(fresh, 1, 600), 0);
    x = run(ccfg, fresh, "localhost", s, 0, &resumed);
    assert_int_equal(resumed, 0);
    assert_non_null(x);
    assert_memory_not_equal(x->id, s->id, 32);
    tern_session *y = run(ccfg, fresh, "localhost", x, 0, &resumed); /* the new one works */
    assert_int_equal(resumed, 1);
    tern_session_free(y);
    tern_session_free(x);
    /* A server without resumption. */
    tern_config *none = server_cfg();
    x = run(ccfg, none, "localhost", s, 0, &resumed);
    assert_int_equal(resumed, 0);
    assert_null(x); /* neither ID nor ticket: nothing to resume later */

    tern_session_free(s);
    tern_config_free(none);
    tern_config_free(fresh);
    tern_config_free(cnoems);
    tern_config_free(s256);
    tern_config_free(c256);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

/* ---- an external store the test can tamper with ---- */
typedef struct {
    uint8_t id[32], data[1024];
    size_t id_len, len;
    int stores, fetches;
} ext_store;
static int ext_put(void *arg, const uint8_t *id, size_t id_len, const uint8_t *data, size_t len) {
    ext_store *e = arg;
    if (id_len > 32 || len > sizeof e->data)
        return -1;
    memcpy(e->id, id, id_len);
    e->id_len = id_len;
    memcpy(e->data, data, len);
    e->len = len;
    e->stores++;
    return 0;
}
static long ext_get(void *arg, const uint8_t *id, size_t id_len, uint8_t *data, size_t cap) {
    ext_store *e = arg;
    e->fetches++;
    if (e->len == 0 || id_len != e->id_len || memcmp(id, e->id, id_len) != 0 || cap < e->len)
        return -1;
    memcpy(data, e->data, e->len);
    return (long)e->len;
}

static void test_store_and_client_checks(void **state) {
    (void)state;
    ext_store e;
    memset(&e, 0, sizeof e);
    tern_config *ccfg = client_cfg(), *scfg = server_cfg();
    assert_int_equal(tern_config_set_cipher_suites(ccfg, all_suites), 0);
    assert_int_equal(tern_config_set_session_store(scfg, ext_put, ext_get, NULL, &e), 0);
    int resumed;
    tern_session *s = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    assert_int_equal(e.stores, 1);
    assert_memory_equal(e.id, s->id, 32);
    tern_session *x = run(ccfg, scfg, "localhost", s, 0, &resumed);
    assert_int_equal(resumed, 1);
    assert_int_equal(e.fetches, 1);
    tern_session_free(x);

    /* A server that resumes with another suite: the client refuses
     * (the stored suite is at offset 1). */
    uint8_t saved[1024];
    memcpy(saved, e.data, e.len);
    tern_store_be16(e.data + 1, 0xC030);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    assert_int_equal(tern_set_session(p.c, s), 0);
    mp_handshake(&p);
    assert_int_equal(p.crc, TERN_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(tern_alert_received(p.s), TERN_ALERT_ILLEGAL_PARAMETER);
    assert_null(tern_get_session(p.c));
    mp_free(&p);
    /* A client without EMS offering an EMS session that the store says was
     * made without EMS: the server aborts (RFC 7627 §5.3, "SHOULD abort";
     * it used to resume, and the client then aborted on the EMS mismatch,
     * which tests/test_conformance.c now checks with a rewritten
     * ServerHello). */
    memcpy(e.data, saved, e.len);
    e.data[3] = 0;
    tern_config *cnoems = client_cfg();
    cnoems->no_ems = 1;
    mp_init(&p, cnoems, scfg, "localhost");
    assert_int_equal(tern_set_session(p.c, s), 0);
    mp_handshake(&p);
    assert_int_equal(p.src, TERN_ERR_HANDSHAKE_FAILURE);
    assert_non_null(strstr(tern_error(p.s), "7627"));
    assert_int_equal(p.crc, TERN_ERR_PEER_ALERT);
    assert_int_equal(tern_alert_received(p.c), TERN_ALERT_HANDSHAKE_FAILURE);
    mp_free(&p);
    /* A store returning garbage: a full handshake. */
    memset(e.data, 0x5a, e.len);
    x = run(ccfg, scfg, "localhost", s, 0, &resumed);
    assert_int_equal(resumed, 0);
    tern_session_free(x);
    tern_session_free(s);
    tern_config_free(cnoems);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

static void test_mtls_identity(void **state) {
    (void)state;
    tern_config *ccfg = mp_config("certs/root-ca.crt", "certs/client-chain.pem", "certs/client.key");
    tern_config *anon = client_cfg();
    tern_config *req = mp_config("certs/root-ca.crt", "certs/server-chain.pem", "certs/server.key");
    tern_config *opt = mp_config("certs/root-ca.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_client_auth(req, TERN_CLIENT_AUTH_REQUIRED), 0);
    assert_int_equal(tern_config_set_client_auth(opt, TERN_CLIENT_AUTH_OPTIONAL), 0);
    uint8_t keys[48];
    memset(keys, 0x42, sizeof keys);
    assert_int_equal(tern_config_set_ticket_keys(req, keys, 1), 0);
    assert_int_equal(tern_config_set_ticket_keys(opt, keys, 1), 0);
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(anon, 1, 600), 0);
    int resumed;
    tern_session *s = run(ccfg, req, "localhost", NULL, 0, &resumed);
    mp_pair p;
    mp_init(&p, ccfg, req, "localhost");
    assert_int_equal(tern_set_session(p.c, s), 0);
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    assert_int_equal(tern_session_reused(p.s), 1);
    assert_non_null(tern_peer_subject(p.s));
    assert_non_null(strstr(tern_peer_subject(p.s), "CN=Test Client"));
    assert_string_equal(tern_peer_san(p.s), "DNS:client.test");
    size_t len;
    assert_null(tern_peer_cert(p.s, 0, &len)); /* the chain is not kept in the session */
    mp_free(&p);
    /* An anonymous session (optional mode) is not resumed where client
     * certificates are required: the full handshake then asks for one. */
    tern_session *a = run(anon, opt, "localhost", NULL, 0, &resumed);
    mp_init(&p, anon, req, "localhost");
    assert_int_equal(tern_set_session(p.c, a), 0);
    mp_handshake(&p);
    assert_int_equal(tern_session_reused(p.s), 0);
    assert_int_equal(p.src, TERN_ERR_HANDSHAKE_FAILURE);
    mp_free(&p);
    /* ... but is where they are optional, still anonymous. */
    mp_init(&p, anon, opt, "localhost");
    assert_int_equal(tern_set_session(p.c, a), 0);
    mp_handshake(&p);
    assert_int_equal(p.src, 0);
    assert_int_equal(tern_session_reused(p.s), 1);
    assert_null(tern_peer_subject(p.s));
    assert_null(tern_peer_san(p.s));
    mp_free(&p);
    tern_session_free(a);
    tern_session_free(s);
    tern_config_free(ccfg);
    tern_config_free(anon);
    tern_config_free(req);
    tern_config_free(opt);
}

static void test_session_bytes(void **state) {
    (void)state;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg();
    assert_int_equal(tern_config_set_session_cache(scfg, 4, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
    int resumed;
    tern_session *s = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    uint8_t b[4096];
    long n = tern_session_to_bytes(s, b, sizeof b);
    assert_true(n > 0);
    /* What it holds: no more than the core, the ID and the ticket. */
    assert_int_equal((size_t)n, 1 + 2 + 1 + 1 + 48 + 8 + 4 + 3 + strlen("localhost") + strlen(s->core.peer_subject) +
                                    1 + 32 + 2 + s->ticket_len);
    for (long cut = 0; cut < n; cut++)
        assert_null(tern_session_from_bytes(b, (size_t)cut));
    uint8_t longer[4097];
    memcpy(longer, b, (size_t)n);
    longer[n] = 0;
    assert_null(tern_session_from_bytes(longer, (size_t)n + 1));
    b[0] ^= 1; /* format */
    assert_null(tern_session_from_bytes(b, (size_t)n));
    b[0] ^= 1;
    b[1] = 0x13; /* unknown suite */
    assert_null(tern_session_from_bytes(b, (size_t)n));
    assert_null(tern_get_session(NULL));
    tern_session_free(NULL);
    tern_session_free(s);
    /* A client that skipped verification keeps no session. */
    tern_config *insecure = client_cfg();
    tern_config_insecure_skip_verify(insecure);
    mp_pair p;
    mp_init(&p, insecure, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_null(tern_get_session(p.c));
    mp_free(&p);
    tern_config_free(insecure);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

/* The cache from several threads: put, get, evict, concurrently. */
typedef struct {
    tern_session_cache *cache;
    int id;
    int hits;
} worker;
static void *cache_worker(void *arg) {
    worker *w = arg;
    tern_sess_core st, out;
    memset(&st, 0, sizeof st);
    st.lifetime = 100;
    st.created = 1000;
    for (int i = 0; i < 3000; i++) {
        uint8_t id[32] = {0};
        id[0] = (uint8_t)w->id;
        id[1] = (uint8_t)(i % 50);
        st.suite = (uint16_t)i;
        if (tern_session_cache_put(w->cache, id, 32, &st) != 0)
            return NULL;
        w->hits += tern_session_cache_get(w->cache, id, 32, 1050, &out);
        id[1] = (uint8_t)((i * 7) % 50);
        if (i % 5 == 0)
            tern_session_cache_remove(w->cache, id, 32);
    }
    return NULL;
}

static void test_cache_threads(void **state) {
    (void)state;
    tern_session_cache *cache;
    assert_int_equal(tern_session_cache_new(&cache, 64), 0);
    pthread_t th[4];
    worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (worker){cache, i, 0};
        assert_int_equal(pthread_create(&th[i], NULL, cache_worker, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    uint64_t ev;
    size_t n = tern_session_cache_count(cache, &ev);
    assert_true(n <= 64 && n > 0);
    assert_true(ev > 0);
    for (int i = 0; i < 4; i++)
        assert_true(w[i].hits > 0);
    /* expired entries are dropped when looked up */
    tern_sess_core st, out;
    memset(&st, 0, sizeof st);
    st.created = 1000;
    st.lifetime = 10;
    uint8_t id[32] = {9};
    assert_int_equal(tern_session_cache_put(cache, id, 32, &st), 0);
    assert_int_equal(tern_session_cache_get(cache, id, 32, 1009, &out), 1);
    assert_int_equal(tern_session_cache_get(cache, id, 32, 1010, &out), 0);
    assert_int_equal(tern_session_cache_get(cache, id, 32, 1009, &out), 0); /* gone */
    tern_session_cache_free(cache);
}

/* One server configuration (cache + tickets, keys created lazily by the
 * first ticket) serving resumptions from several threads at once. */
typedef struct {
    const tern_config *ccfg, *scfg;
    const tern_session *id_sess, *ticket_sess;
    int resumed, full;
} hs_worker;
static void *hs_thread(void *arg) {
    hs_worker *w = arg;
    for (int i = 0; i < 24; i++) {
        tern_session *s = NULL;
        int resumed = 0;
        const tern_session *offer = i % 3 == 0 ? NULL : i % 3 == 1 ? w->id_sess : w->ticket_sess;
        mp_pair p;
        mp_init(&p, w->ccfg, w->scfg, "localhost");
        if (offer != NULL && tern_set_session(p.c, offer) != 0)
            return NULL;
        mp_handshake(&p);
        if (p.crc == 0 && p.src == 0) {
            resumed = tern_session_reused(p.s);
            s = tern_get_session(p.c);
        }
        mp_free(&p);
        if (s == NULL)
            return NULL;
        tern_session_free(s);
        w->resumed += resumed;
        w->full += !resumed;
    }
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg(), *cnt = client_cfg();
    assert_int_equal(tern_config_set_session_cache(scfg, 8, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(scfg, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
    int resumed;
    tern_session *ts = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    tern_session *is = run(cnt, scfg, "localhost", NULL, 0, &resumed); /* no ticket: by ID */
    assert_int_equal(is->ticket_len, 0);
    pthread_t th[4];
    hs_worker w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (hs_worker){ccfg, scfg, is, ts, 0, 0};
        assert_int_equal(pthread_create(&th[i], NULL, hs_thread, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        /* 8 full handshakes each; the 16 resumptions by ticket always work,
         * those by ID unless 8 newer sessions evicted it (the cache holds 8
         * and the full handshakes of the other threads fill it). */
        assert_int_equal(w[i].resumed + w[i].full, 24);
        assert_true(w[i].resumed >= 8);
    }
    assert_true(tern_session_cache_count(scfg->sess->cache, NULL) <= 8);
    tern_session_free(ts);
    tern_session_free(is);
    tern_config_free(ccfg);
    tern_config_free(cnt);
    tern_config_free(scfg);
}

/* Does the ClientHello waiting in pipe q carry the SessionTicket
 * extension? */
static int hello_has_ticket_ext(const mp_pipe *q) {
    size_t len;
    uint8_t *ch = mp_copy(q, TERN_HT_CLIENT_HELLO, &len);
    assert_non_null(ch);
    size_t at = 4 + 2 + 32; /* header, version, random */
    at += 1 + ch[at];                       /* session_id */
    at += 2 + tern_load_be16(ch + at);      /* cipher_suites */
    at += 1 + ch[at];                       /* compression_methods */
    int found = 0;
    assert_true(at + 2 <= len);
    size_t end = at + 2 + tern_load_be16(ch + at);
    assert_int_equal(end, len);
    for (at += 2; at + 4 <= end; at += 4 + tern_load_be16(ch + at + 2))
        found |= tern_load_be16(ch + at) == TERN_EXT_SESSION_TICKET;
    free(ch);
    return found;
}

/* Ticket room only in clients configured for tickets: such a client
 * resumes by ticket; one without refuses a ticket-only session
 * (TERN_ERR_INVALID_ARG, also past the policy checks) and offers a session
 * holding an ID and a ticket by its ID alone (no SessionTicket extension),
 * which the server resumes. */
static void test_ticket_room(void **state) {
    (void)state;
    tern_config *ccfg = client_cfg(), *cnt = client_cfg(), *tonly = server_cfg(), *both = server_cfg();
    assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(tonly, 1, 600), 0);
    assert_int_equal(tern_config_set_session_tickets(both, 1, 600), 0);
    assert_int_equal(tern_config_set_session_cache(both, 16, 600), 0);
    int resumed;

    /* ticket only */
    tern_session *t = run(ccfg, tonly, "localhost", NULL, 0, &resumed);
    assert_non_null(t);
    assert_int_equal(t->id_len, 0);
    assert_true(t->ticket_len > 0);
    tern_session *t2 = run(ccfg, tonly, "localhost", t, 0, &resumed);
    assert_int_equal(resumed, 1);
    assert_non_null(t2);
    assert_true(t2->ticket_len > 0);
    mp_pair p;
    mp_init(&p, cnt, tonly, "localhost");
    assert_int_equal(p.c->sess.cl->ticket_cap, 0);
    assert_int_equal(tern_set_session(p.c, t), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_sess_client_offer(p.c, t), TERN_ERR_INVALID_ARG);
    assert_int_equal(p.c->sess.offered, 0);
    mp_step_client(&p);
    assert_false(hello_has_ticket_ext(&p.c2s));
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    assert_int_equal(tern_session_reused(p.c), 0);
    assert_null(tern_get_session(p.c)); /* no ID (no cache), no ticket room */
    mp_free(&p);

    /* ID and ticket */
    tern_session *b = run(ccfg, both, "localhost", NULL, 0, &resumed);
    assert_non_null(b);
    assert_true(b->id_len > 0 && b->ticket_len > 0);
    mp_init(&p, ccfg, both, "localhost"); /* (the helper sees the extension where it is) */
    assert_int_equal(tern_set_session(p.c, b), 0);
    mp_step_client(&p);
    assert_true(hello_has_ticket_ext(&p.c2s));
    mp_free(&p);
    mp_init(&p, cnt, both, "localhost");
    assert_int_equal(tern_set_session(p.c, b), 0);
    assert_null(tern_peer_subject(p.c)); /* not before the server answers */
    mp_step_client(&p);
    assert_false(hello_has_ticket_ext(&p.c2s));
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    assert_int_equal(tern_session_reused(p.c), 1);
    assert_int_equal(tern_session_reused(p.s), 1);
    assert_non_null(strstr(tern_peer_subject(p.c), "CN=localhost"));
    exchange(&p);
    tern_session *r = tern_get_session(p.c);
    assert_non_null(r);
    assert_int_equal(r->ticket_len, 0);
    assert_int_equal(r->id_len, b->id_len);
    assert_memory_equal(r->id, b->id, b->id_len);
    assert_memory_equal(r->core.master, b->core.master, 48);
    assert_int_equal(r->core.suite, b->core.suite);
    assert_int_equal(r->core.created, b->core.created);
    assert_string_equal(r->core.peer_subject, b->core.peer_subject);
    mp_free(&p);

    tern_session_free(t);
    tern_session_free(t2);
    tern_session_free(b);
    tern_session_free(r);
    tern_config_free(ccfg);
    tern_config_free(cnt);
    tern_config_free(tonly);
    tern_config_free(both);
}

static const uint8_t zero48[48];

/* The offered session's server subject shows only when the server resumes
 * it: not before the ServerHello, not after a full handshake (the real
 * subject then), not after a handshake that failed before the server's
 * Certificate (NULL; the offered master secret is wiped too).  The
 * session's subject is changed so that it cannot pass for the real one. */
static void test_offered_subject(void **state) {
    (void)state;
    tern_config *ccfg = client_cfg(), *scfg = server_cfg();
    assert_int_equal(tern_config_set_session_cache(scfg, 16, 600), 0);
    int resumed;
    tern_session *s = run(ccfg, scfg, "localhost", NULL, 0, &resumed);
    assert_non_null(s);
    snprintf(s->core.peer_subject, sizeof s->core.peer_subject, "%s", "CN=the offered session");
    mp_pair p;

    /* resumed: the session's subject */
    mp_init(&p, ccfg, scfg, "localhost");
    assert_int_equal(tern_set_session(p.c, s), 0);
    assert_null(tern_peer_subject(p.c));
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(tern_session_reused(p.c), 1);
    assert_string_equal(tern_peer_subject(p.c), "CN=the offered session");
    mp_free(&p);

    /* the server forgot it (cache cleared): a full handshake, the real subject */
    assert_int_equal(tern_config_set_session_cache(scfg, 16, 600), 0);
    mp_init(&p, ccfg, scfg, "localhost");
    assert_int_equal(tern_set_session(p.c, s), 0);
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    assert_int_equal(tern_session_reused(p.c), 0);
    assert_non_null(strstr(tern_peer_subject(p.c), "CN=localhost"));
    tern_session *n = tern_get_session(p.c);
    assert_non_null(n);
    assert_non_null(strstr(n->core.peer_subject, "CN=localhost"));
    assert_true(memcmp(n->core.master, s->core.master, 48) != 0);
    assert_false(n->id_len == s->id_len && memcmp(n->id, s->id, s->id_len) == 0);
    tern_session_free(n);
    mp_free(&p);

    /* a full handshake that fails at the server's Certificate (it does not
     * parse): after the ServerHello, before any subject */
    assert_int_equal(tern_config_set_session_cache(scfg, 16, 600), 0);
    mp_init(&p, ccfg, scfg, "localhost");
    assert_int_equal(tern_set_session(p.c, s), 0);
    mp_step_client(&p);
    mp_step_server(&p);
    static const uint8_t junk_cert[] = {TERN_HT_CERTIFICATE, 0, 0, 7, 0, 0, 4, 0, 0, 1, 0x30};
    mp_replace(&p.s2c, TERN_HT_CERTIFICATE, junk_cert, sizeof junk_cert);
    mp_handshake(&p);
    assert_int_equal(p.crc, TERN_ERR_CERT_BAD);
    assert_int_equal(tern_session_reused(p.c), 0);
    assert_null(tern_peer_subject(p.c));
    assert_memory_equal(p.c->master, zero48, 48);
    mp_free(&p);

    /* failures before the ServerHello: a fatal alert, a closed transport */
    for (int how = 0; how < 2; how++) {
        mp_init(&p, ccfg, scfg, "localhost");
        assert_int_equal(tern_set_session(p.c, s), 0);
        mp_step_client(&p);
        assert_int_equal(p.crc, TERN_WANT_READ);
        assert_null(tern_peer_subject(p.c));
        if (how == 0) {
            static const uint8_t alert[] = {TERN_CT_ALERT, 3, 3, 0, 2, 2, 40}; /* fatal handshake_failure */
            assert_int_equal(mp_send(&p.se, alert, sizeof alert), (int)sizeof alert);
            assert_int_equal(tern_handshake(p.c), TERN_ERR_PEER_ALERT);
        } else {
            tern_engine_recv_done(p.c, 0);
            assert_int_equal(tern_handshake(p.c), TERN_ERR_TRUNCATED);
        }
        assert_null(tern_peer_subject(p.c));
        assert_memory_equal(p.c->master, zero48, 48);
        assert_null(tern_get_session(p.c));
        mp_free(&p);
    }

    tern_session_free(s);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_resume_by_id_and_ticket), cmocka_unit_test(test_ticket_rotation),
        cmocka_unit_test(test_app_ticket_keys),         cmocka_unit_test(test_expiry_and_eviction),
        cmocka_unit_test(test_mismatches),              cmocka_unit_test(test_store_and_client_checks),
        cmocka_unit_test(test_mtls_identity),           cmocka_unit_test(test_session_bytes),
        cmocka_unit_test(test_cache_threads),           cmocka_unit_test(test_default_rotation),
        cmocka_unit_test(test_failed_not_cached),       cmocka_unit_test(test_threads),
        cmocka_unit_test(test_fatal_alert_invalidates), cmocka_unit_test(test_unsolicited_ticket_ext),
        cmocka_unit_test(test_resume_chacha_ecdsa),     cmocka_unit_test(test_ticket_room),
        cmocka_unit_test(test_offered_subject),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
