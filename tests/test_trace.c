/*
 * The handshake trace and the key log (lib/trace.c), with a client and a
 * server talking in memory:
 *   - every step arrives, in the order of RFC 5246 §7.3, on both sides
 *     (messages, the chain verdict with each certificate, key-schedule steps,
 *     alerts, done);
 *   - no event carries the master secret or a traffic key (raw or hex);
 *   - the key-log line is well formed, the same on both sides, and it is
 *     enough to decrypt a captured record, as Wireshark would: key block
 *     from the logged master secret and the randoms (RFC 5246 §6.3), then
 *     AES-GCM open of the client's first application-data record (RFC 5288);
 *   - a refused chain and skipped verification are reported as such, with
 *     the alert on both sides;
 *   - the table-free hex matches printf.
 * What the narration says about each suite, group and key, and about a
 * signature that does not verify, is tests/test_trace_matrix.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/keysched.h"
#include "lib/trace.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

/* ---- an event recorder ---- */
typedef struct {
    char steps[64][64]; /* "C>ClientHello", "C:chain valid", ... */
    size_t n;
    uint8_t all[1 << 16]; /* every byte and string an event carried, for the secret scan */
    size_t all_len;
    uint8_t msgs[16][4096]; /* message bytes by arrival (for the decoder test) */
    size_t msg_len[16];
    int msg_type[16];
    size_t nmsgs;
    uint8_t server_random[32];
    int chain_status;
    int no_bytes; /* message events without their bytes */
    char keylog[256];
    int keylog_calls;
} recorder;

static void keep(recorder *r, const void *p, size_t n) {
    if (p != NULL && r->all_len + n <= sizeof r->all) {
        memcpy(r->all + r->all_len, p, n);
        r->all_len += n;
    }
}

static void record(void *arg, const tern_trace_event *ev) {
    recorder *r = arg;
    char who = ev->is_server ? 'S' : 'C';
    char *s = r->steps[r->n < 64 ? r->n : 63];
    switch (ev->kind) {
    case TERN_TRACE_MESSAGE:
        snprintf(s, 64, "%c%c%s", who, ev->sent ? '>' : '<', ev->name);
        r->no_bytes += ev->bytes == NULL;
        if (ev->bytes != NULL && r->nmsgs < 16 && ev->len <= sizeof r->msgs[0]) {
            memcpy(r->msgs[r->nmsgs], ev->bytes, ev->len);
            r->msg_len[r->nmsgs] = ev->len;
            r->msg_type[r->nmsgs++] = ev->msg_type;
        }
        if (ev->msg_type == 2 && ev->bytes != NULL && ev->len >= 38)
            memcpy(r->server_random, ev->bytes + 6, 32);
        keep(r, ev->bytes, ev->len);
        break;
    case TERN_TRACE_CERT: snprintf(s, 64, "%c:cert %s", who, ev->name); break;
    case TERN_TRACE_CHAIN:
        snprintf(s, 64, "%c:%s", who, ev->name);
        r->chain_status = ev->status;
        break;
    case TERN_TRACE_KEYS: snprintf(s, 64, "%c:keys %s", who, ev->name); break;
    case TERN_TRACE_ALERT: snprintf(s, 64, "%c!%s %s", who, ev->sent ? "sent" : "received", ev->name); break;
    case TERN_TRACE_DONE: snprintf(s, 64, "%c:done", who); break;
    case TERN_TRACE_CHECK: snprintf(s, 64, "%c:check %s", who, ev->name); break;
    default: snprintf(s, 64, "%c?", who); break;
    }
    r->n++;
    assert_non_null(ev->rfc);
    assert_non_null(ev->detail);
    keep(r, ev->detail, strlen(ev->detail));
    for (size_t i = 0; i < ev->nfields; i++) {
        keep(r, ev->fields[i].name, strlen(ev->fields[i].name));
        keep(r, ev->fields[i].value, strlen(ev->fields[i].value));
    }
}

static void keylog(void *arg, const char *line) {
    recorder *r = arg;
    snprintf(r->keylog, sizeof r->keylog, "%s", line);
    r->keylog_calls++;
}

/* ---- a client/server pair (tests/mempair.h) with its configurations and recorders ---- */
typedef struct {
    tern_config *ccfg, *scfg;
    mp_pair mp;      /* the connections, the pipes, the handshake results */
    recorder rc, rs; /* client's and server's events */
    uint64_t seed_c, seed_s;
} pair;

static pair *pair_new(const char *root, int skip_verify) {
    pair *p = calloc(1, sizeof *p);
    assert_non_null(p);
    p->scfg = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    p->ccfg = mp_config(root, NULL, NULL);
    if (skip_verify)
        tern_config_insecure_skip_verify(p->ccfg);
    p->seed_c = 1;
    p->seed_s = 2;
    tern_config_set_rng(p->ccfg, tv_rng, &p->seed_c);
    tern_config_set_rng(p->scfg, tv_rng, &p->seed_s);
    tern_config_set_trace(p->ccfg, record, &p->rc);
    tern_config_set_trace(p->scfg, record, &p->rs);
    tern_config_set_keylog(p->ccfg, keylog, &p->rc);
    tern_config_set_keylog(p->scfg, keylog, &p->rs);
    mp_init(&p->mp, p->ccfg, p->scfg, "localhost");
    return p;
}

static void pair_free(pair *p) {
    mp_free(&p->mp);
    tern_config_free(p->ccfg);
    tern_config_free(p->scfg);
    free(p);
}

static void expect_steps(const recorder *r, const char *const *want, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (i >= r->n || strcmp(r->steps[i], want[i]) != 0) {
            for (size_t k = 0; k < r->n; k++)
                print_message("  %s\n", r->steps[k]);
            fail_msg("step %zu: expected %s, got %s", i, want[i], i < r->n ? r->steps[i] : "nothing");
        }
}

static int contains(const uint8_t *hay, size_t n, const void *needle, size_t m) {
    for (size_t i = 0; i + m <= n; i++)
        if (memcmp(hay + i, needle, m) == 0)
            return 1;
    return 0;
}

static void test_steps_in_order(void **state) {
    (void)state;
    pair *p = pair_new("certs/root-ca.crt", 0);
    mp_handshake(&p->mp);
    assert_int_equal(p->mp.crc, 0);
    assert_int_equal(p->mp.src, 0);
    static const char *const client[] = {
        "C>ClientHello", "C<ServerHello", "C<Certificate", "C:cert leaf", "C:cert intermediate CA",
        "C:cert trust anchor", "C:chain valid", "C<ServerKeyExchange", "C:check signature verified", "C<ServerHelloDone", "C>ClientKeyExchange",
        "C>ChangeCipherSpec", "C:keys premaster_secret", "C:keys master_secret", "C:keys key_block",
        "C:keys write keys on", "C>Finished", "C<ChangeCipherSpec", "C:keys read keys on", "C<Finished", "C:done"};
    static const char *const server[] = {
        "S<ClientHello", "S>ServerHello", "S>Certificate", "S>ServerKeyExchange", "S>ServerHelloDone",
        "S<ClientKeyExchange", "S<ChangeCipherSpec", "S:keys premaster_secret", "S:keys master_secret",
        "S:keys key_block", "S:keys read keys on", "S<Finished", "S>ChangeCipherSpec", "S:keys write keys on",
        "S>Finished", "S:done"};
    expect_steps(&p->rc, client, TERN_ARRAY_LEN(client));
    expect_steps(&p->rs, server, TERN_ARRAY_LEN(server));
    assert_int_equal(p->rc.n, TERN_ARRAY_LEN(client));
    assert_int_equal(p->rs.n, TERN_ARRAY_LEN(server));
    assert_int_equal(p->rc.chain_status, 0);
    /* Every message either side sent or received is shown with its bytes
     * (each parser reports while the message is still there). */
    assert_int_equal(p->rc.no_bytes, 0);
    assert_int_equal(p->rs.no_bytes, 0);

    /* The close: close_notify sent by one side, received by the other. */
    assert_int_equal(tern_close(p->mp.c), 0);
    uint8_t b[16];
    assert_int_equal(tern_read(p->mp.s, b, sizeof b), 0);
    assert_string_equal(p->rc.steps[p->rc.n - 1], "C!sent close_notify");
    assert_string_equal(p->rs.steps[p->rs.n - 1], "S!received close_notify");
    pair_free(p);
}

/* What Wireshark does with the key log: derive the keys, open a record. */
static void test_keylog_decrypts_a_record(void **state) {
    (void)state;
    pair *p = pair_new("certs/root-ca.crt", 0);
    mp_handshake(&p->mp);
    assert_int_equal(p->mp.crc, 0);
    assert_int_equal(p->mp.src, 0);
    /* Once per connection, on each side; both lines the same. */
    assert_int_equal(p->rc.keylog_calls, 1);
    assert_int_equal(p->rs.keylog_calls, 1);
    assert_string_equal(p->rc.keylog, p->rs.keylog);
    const char *line = p->rc.keylog;
    assert_int_equal(strlen(line), 14 + 64 + 1 + 96);
    assert_memory_equal(line, "CLIENT_RANDOM ", 14);
    for (size_t i = 14; i < strlen(line); i++)
        assert_true(i == 78 ? line[i] == ' ' : ((line[i] >= '0' && line[i] <= '9') || (line[i] >= 'a' && line[i] <= 'f')));
    uint8_t client_random[32], master[48];
    char hex[97];
    memcpy(hex, line + 14, 64);
    hex[64] = '\0';
    assert_int_equal(tv_unhex_into(hex, client_random, sizeof client_random), 0);
    memcpy(hex, line + 79, 96);
    hex[96] = '\0';
    assert_int_equal(tv_unhex_into(hex, master, sizeof master), 0);
    /* The ClientHello on the wire carries this client_random. */
    assert_int_equal(p->rc.msg_type[0], 1);
    assert_memory_equal(p->rc.msgs[0] + 6, client_random, 32);

    /* The client sends a message; capture its record from the pipe. */
    static const char secret[] = "attack at dawn";
    size_t before = p->mp.c2s.len;
    assert_int_equal(tern_write(p->mp.c, secret, sizeof secret - 1), (long)(sizeof secret - 1));
    const uint8_t *rec = p->mp.c2s.buf + before;
    size_t rlen = p->mp.c2s.len - before;
    assert_int_equal(rlen, 5 + 8 + (sizeof secret - 1) + 16);
    assert_int_equal(rec[0], 23);

    /* Keys from the logged master (RFC 5246 §6.3; AES-128: 16+16+4+4). */
    uint8_t kb[40];
    assert_int_equal(tern_ks_derive_key_block(TERN_HASH_SHA256, master, client_random, p->rc.server_random, kb,
                                              sizeof kb),
                     0);
    tern_gcm_key k;
    assert_int_equal(tern_gcm_init(&k, kb, 16), 0);
    uint8_t nonce[12], aad[13], out[64];
    memcpy(nonce, kb + 32, 4); /* client_write_IV: the implicit part */
    memcpy(nonce + 4, rec + 5, 8);
    /* seq 1: the client's Finished was record 0 under these keys. */
    size_t clen = rlen - 5 - 8 - 16;
    tern_store_be64(aad, 1);
    aad[8] = 23;
    aad[9] = 3;
    aad[10] = 3;
    tern_store_be16(aad + 11, (uint16_t)clen);
    assert_int_equal(tern_gcm_open(&k, nonce, aad, sizeof aad, rec + 13, clen, rec + 13 + clen, out), 0);
    assert_memory_equal(out, secret, clen);
    /* A wrong master secret does not open it. */
    master[0] ^= 1;
    assert_int_equal(tern_ks_derive_key_block(TERN_HASH_SHA256, master, client_random, p->rc.server_random, kb,
                                              sizeof kb),
                     0);
    tern_gcm_key k2;
    assert_int_equal(tern_gcm_init(&k2, kb, 16), 0);
    assert_int_not_equal(tern_gcm_open(&k2, nonce, aad, sizeof aad, rec + 13, clen, rec + 13 + clen, out), 0);
    master[0] ^= 1;

    /* No event carried the master secret or a traffic key, raw or in hex. */
    char mhex[97];
    tern_trace_hex(mhex, master, 48);
    assert_int_equal(tern_ks_derive_key_block(TERN_HASH_SHA256, master, client_random, p->rc.server_random, kb,
                                              sizeof kb),
                     0);
    char khex[33];
    tern_trace_hex(khex, kb, 16);
    recorder *rs[2] = {&p->rc, &p->rs};
    for (int i = 0; i < 2; i++) {
        assert_true(rs[i]->all_len > 1000);
        assert_false(contains(rs[i]->all, rs[i]->all_len, master, 48));
        assert_false(contains(rs[i]->all, rs[i]->all_len, mhex, 96));
        assert_false(contains(rs[i]->all, rs[i]->all_len, kb, 16));
        assert_false(contains(rs[i]->all, rs[i]->all_len, kb + 16, 16));
        assert_false(contains(rs[i]->all, rs[i]->all_len, khex, 32));
    }
    tern_gcm_wipe(&k);
    tern_gcm_wipe(&k2);
    pair_free(p);
}

static void test_refused_chain(void **state) {
    (void)state;
    pair *p = pair_new("certs/root2-ca.crt", 0); /* a CA that did not issue the server's chain */
    mp_handshake(&p->mp);
    assert_int_equal(p->mp.crc, TERN_ERR_CERT_UNKNOWN_CA);
    assert_int_equal(p->rc.chain_status, TERN_ERR_CERT_UNKNOWN_CA);
    static const char *const client[] = {"C>ClientHello", "C<ServerHello", "C<Certificate"};
    expect_steps(&p->rc, client, TERN_ARRAY_LEN(client));
    assert_string_equal(p->rc.steps[p->rc.n - 2], "C:chain refused");
    assert_string_equal(p->rc.steps[p->rc.n - 1], "C!sent unknown_ca");
    assert_string_equal(p->rs.steps[p->rs.n - 1], "S!received unknown_ca");
    assert_int_equal(p->rc.keylog_calls, 0); /* no keys were made */
    assert_true(strstr(tern_error(p->mp.c), "trust store") != NULL);
    pair_free(p);

    p = pair_new("certs/root2-ca.crt", 1);
    mp_handshake(&p->mp);
    assert_int_equal(p->mp.crc, 0);
    assert_string_equal(p->rc.steps[3], "C:not verified");
    pair_free(p);
}

/* Mutual TLS (RFC 5246 §7.4.4, §7.4.6, §7.4.8): the extra messages, the
 * server's check of the client's chain, and both signature checks. */
static void test_mutual_tls_steps(void **state) {
    (void)state;
    pair *p = pair_new("certs/root-ca.crt", 0);
    mp_free(&p->mp); /* new connections once the configurations ask for mutual TLS */
    char chain[512];
    snprintf(chain, sizeof chain, "%s", tv_path("certs/client-chain.pem"));
    assert_int_equal(tern_config_load_keystore(p->ccfg, chain, tv_path("certs/client.key")), 0);
    assert_int_equal(tern_config_load_truststore(p->scfg, tv_path("certs/root-ca.crt")), 0);
    assert_int_equal(tern_config_set_client_auth(p->scfg, TERN_CLIENT_AUTH_REQUIRED), 0);
    mp_init(&p->mp, p->ccfg, p->scfg, "localhost");
    mp_handshake(&p->mp);
    assert_int_equal(p->mp.crc, 0);
    assert_int_equal(p->mp.src, 0);
    static const char *const client[] = {
        "C>ClientHello", "C<ServerHello", "C<Certificate", "C:cert leaf", "C:cert intermediate CA",
        "C:cert trust anchor", "C:chain valid", "C<ServerKeyExchange", "C:check signature verified",
        "C<CertificateRequest", "C<ServerHelloDone", "C>Certificate", "C>ClientKeyExchange",
        /* with the extended master secret the session hash ends at ClientKeyExchange, so the master secret
         * is derived before CertificateVerify joins the transcript */
        "C:keys premaster_secret", "C:keys master_secret", "C:keys key_block", "C>CertificateVerify",
        "C>ChangeCipherSpec"};
    static const char *const server[] = {
        "S<ClientHello", "S>ServerHello", "S>Certificate", "S>ServerKeyExchange", "S>CertificateRequest",
        "S>ServerHelloDone", "S<Certificate", "S:cert leaf", "S:cert intermediate CA", "S:cert trust anchor",
        "S:chain valid", "S<ClientKeyExchange", "S<CertificateVerify", "S:keys premaster_secret",
        "S:keys master_secret", "S:keys key_block", "S:check client signature verified", "S<ChangeCipherSpec"};
    expect_steps(&p->rc, client, TERN_ARRAY_LEN(client));
    expect_steps(&p->rs, server, TERN_ARRAY_LEN(server));
    assert_string_equal(p->rc.steps[p->rc.n - 1], "C:done");
    assert_string_equal(p->rs.steps[p->rs.n - 1], "S:done");
    pair_free(p);
}

/* Resumption with a ticket (RFC 5077 §3.1): the full handshake ends with
 * a NewSessionTicket; the second connection is abbreviated, says so, and
 * names the reused master secret instead of a key exchange.  The key log
 * gets a line for the resumed connection too (its own client_random, the
 * session's master secret), the same on both sides. */
static void test_resumption_steps(void **state) {
    (void)state;
    pair *p = pair_new("certs/root-ca.crt", 0);
    assert_int_equal(tern_config_set_session_tickets(p->ccfg, 1, 3600), 0);
    assert_int_equal(tern_config_set_session_tickets(p->scfg, 1, 3600), 0);
    mp_free(&p->mp); /* new connections once the configurations have tickets */
    mp_init(&p->mp, p->ccfg, p->scfg, "localhost");
    mp_handshake(&p->mp);
    assert_int_equal(p->mp.crc, 0);
    assert_int_equal(p->mp.src, 0);
    assert_string_equal(p->rs.steps[p->rs.n - 5], "S>NewSessionTicket");
    char first_line[256];
    snprintf(first_line, sizeof first_line, "%s", p->rc.keylog);
    tern_session *sess = tern_get_session(p->mp.c);
    assert_non_null(sess);

    /* The second connection, offering the session. */
    mp_free(&p->mp);
    memset(&p->rc, 0, sizeof p->rc);
    memset(&p->rs, 0, sizeof p->rs);
    mp_init(&p->mp, p->ccfg, p->scfg, "localhost");
    assert_int_equal(tern_set_session(p->mp.c, sess), 0);
    mp_handshake(&p->mp);
    assert_int_equal(p->mp.crc, 0);
    assert_int_equal(p->mp.src, 0);
    assert_int_equal(tern_session_reused(p->mp.c), 1);
    static const char *const client[] = {"C>ClientHello", "C<ServerHello", "C:check session resumed"};
    static const char *const server[] = {"S<ClientHello", "S:check session resumed", "S>ServerHello"};
    expect_steps(&p->rc, client, TERN_ARRAY_LEN(client));
    expect_steps(&p->rs, server, TERN_ARRAY_LEN(server));
    /* No certificate, no key exchange; the reused master secret is named. */
    recorder *rs[2] = {&p->rc, &p->rs};
    for (int i = 0; i < 2; i++) {
        int master = 0;
        for (size_t k = 0; k < rs[i]->n; k++) {
            assert_null(strstr(rs[i]->steps[k], "Certificate"));
            assert_null(strstr(rs[i]->steps[k], "KeyExchange"));
            assert_null(strstr(rs[i]->steps[k], "premaster"));
            master += strstr(rs[i]->steps[k], "keys master_secret") != NULL;
        }
        assert_int_equal(master, 1);
        assert_string_equal(rs[i]->steps[rs[i]->n - 1], i ? "S:done" : "C:done");
    }
    assert_true(contains(p->rc.all, p->rc.all_len, "yes (abbreviated handshake)", 27));
    /* Key log: one line on each side, equal, new client_random, same master. */
    assert_int_equal(p->rc.keylog_calls, 1);
    assert_string_equal(p->rc.keylog, p->rs.keylog);
    assert_memory_not_equal(p->rc.keylog, first_line, 14 + 64);
    assert_string_equal(p->rc.keylog + 79, first_line + 79);
    tern_session_free(sess);
    pair_free(p);
}

static void test_hex(void **state) {
    (void)state;
    uint8_t all[256];
    for (int i = 0; i < 256; i++)
        all[i] = (uint8_t)i;
    char got[513], want[513];
    tern_trace_hex(got, all, sizeof all);
    for (int i = 0; i < 256; i++)
        snprintf(want + 2 * i, 3, "%02x", i);
    assert_string_equal(got, want);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_steps_in_order),
        cmocka_unit_test(test_keylog_decrypts_a_record),
        cmocka_unit_test(test_refused_chain),
        cmocka_unit_test(test_mutual_tls_steps),
        cmocka_unit_test(test_resumption_steps),
        cmocka_unit_test(test_hex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
