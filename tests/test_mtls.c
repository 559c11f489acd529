/*
 * Client certificates, client and server in memory:
 *   - the matrix: every suite (ECDHE and RSA, AES-128/256) x server mode
 *     none / optional / required x client without a certificate, with a
 *     good one, an expired one, one from an untrusted CA (CA names on and
 *     off), one with the wrong extKeyUsage: each with its outcome, the
 *     error on the server, and the alert the client receives;
 *   - the verified identity (subject, SAN, chain DER) on the server, and
 *     an anonymous client in optional mode;
 *   - CertificateRequest: CA names listed, bounded, switched off; the
 *     client picks its key store by the names and the certificate types;
 *   - an attacker on the wire: CertificateVerify with a bad signature, a
 *     scheme not offered, dropped; the client Certificate dropped;
 *     truncated CertificateRequest / Certificate / CertificateVerify;
 *   - several identities: the server picks by SNI (default otherwise), the
 *     client by the CA names of the request;
 *   - ECDSA client certificates (ecdsa_sign): every suite, tampering, a
 *     client with an RSA and an ECDSA identity.
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
#include "lib/sig.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

static const uint16_t suite_ids[] = {0xC02F, 0xC030, 0x009C, 0x009D};
static const char *suite_names[] = {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                    "AES128-GCM-SHA256", "AES256-GCM-SHA384"};

static int64_t clock_2046(void *arg) {
    (void)arg;
    return 2400000000; /* 2046-01-19: after client.crt's notAfter (2045-01-01) */
}

enum { C_NONE, C_GOOD, C_EXPIRED, C_UNTRUSTED, C_UNTRUSTED_NAMED, C_WRONG_EKU, C_KU_ENCIPHER, C_COUNT };
static const char *client_kind_name[] = {"no certificate",       "good",      "expired",
                                         "untrusted (no CA names)", "untrusted (CA names)", "wrong EKU",
                                         "keyUsage keyEncipherment only"};

/* The client's configuration for a kind. */
static tern_config *client_for(int kind) {
    if (kind == C_NONE)
        return mp_config("certs/root-ca.crt", NULL, NULL);
    if (kind == C_WRONG_EKU || kind == C_KU_ENCIPHER) {
        /* wrong-eku.crt (codeSigning, emailProtection), or
         * profile/client-ku-encipher.crt (clientAuth, but keyUsage
         * keyEncipherment only: it cannot sign CertificateVerify), with
         * their issuer. */
        tern_config *cfg = mp_config("certs/root-ca.crt", NULL, NULL);
        size_t l1, l2, lk;
        char *leaf = tv_slurp(
            tv_path(kind == C_WRONG_EKU ? "certs/wrong-eku.crt" : "certs/profile/client-ku-encipher.crt"), &l1);
        char *ica = tv_slurp(tv_path("certs/int-ca.crt"), &l2);
        char *key = tv_slurp(tv_path("certs/leaf.key"), &lk);
        char *chain = malloc(l1 + l2);
        memcpy(chain, leaf, l1);
        memcpy(chain + l1, ica, l2);
        int rc = tern_config_add_keystore_pem(cfg, (uint8_t *)chain, l1 + l2, (uint8_t *)key, lk);
        if (rc != 0)
            fail_msg("wrong-eku keystore: %s", tern_config_error(cfg));
        free(leaf);
        free(ica);
        free(key);
        free(chain);
        return cfg;
    }
    return mp_config("certs/root-ca.crt", "certs/client-chain.pem", "certs/client.key");
}

static tern_config *server_for(int kind, int mode) {
    int untrusted = kind == C_UNTRUSTED || kind == C_UNTRUSTED_NAMED;
    tern_config *cfg =
        mp_config(untrusted ? "certs/root2-ca.crt" : "certs/root-ca.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_client_auth(cfg, mode), 0);
    if (kind == C_EXPIRED)
        tern_config_set_clock(cfg, clock_2046, NULL);
    if (kind == C_UNTRUSTED)
        assert_int_equal(tern_config_set_client_ca_names(cfg, 0), 0);
    return cfg;
}

static void check_identity(mp_pair *p, const tern_config *ccfg, const tern_config *scfg) {
    assert_non_null(tern_peer_subject(p->s));
    assert_non_null(strstr(tern_peer_subject(p->s), "CN=Test Client"));
    assert_string_equal(tern_peer_san(p->s), "DNS:client.test");
    size_t len = 0;
    const uint8_t *d = tern_peer_cert(p->s, 0, &len);
    assert_non_null(d);
    assert_int_equal(len, ccfg->keys.chain_len[0]);
    assert_memory_equal(d, ccfg->keys.chain[0], len);
    d = tern_peer_cert(p->s, 1, &len); /* the intermediate */
    assert_non_null(d);
    assert_int_equal(len, ccfg->keys.chain_len[1]);
    assert_memory_equal(d, ccfg->keys.chain[1], len);
    d = tern_peer_cert(p->s, 2, &len); /* the anchor, from the server's trust store */
    assert_non_null(d);
    assert_int_equal(len, scfg->trust.anchors[0].len);
    assert_memory_equal(d, scfg->trust.anchors[0].der, len);
    assert_null(tern_peer_cert(p->s, 3, &len));
    assert_null(tern_peer_cert(p->c, 0, &len)); /* client side: not in this version */
}

static void check_anonymous(mp_pair *p) {
    size_t len;
    assert_null(tern_peer_subject(p->s));
    assert_null(tern_peer_san(p->s));
    assert_null(tern_peer_cert(p->s, 0, &len));
}

static void exchange(mp_pair *p) {
    uint8_t buf[16];
    assert_int_equal(tern_write(p->c, "ping", 4), 4);
    assert_int_equal(tern_read(p->s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "ping", 4);
    assert_int_equal(tern_write(p->s, "pong!", 5), 5);
    assert_int_equal(tern_read(p->c, buf, sizeof buf), 5);
    assert_memory_equal(buf, "pong!", 5);
}

static void test_matrix(void **state) {
    (void)state;
    int runs = 0;
    for (size_t s = 0; s < TERN_ARRAY_LEN(suite_ids); s++)
        for (int mode = TERN_CLIENT_AUTH_NONE; mode <= TERN_CLIENT_AUTH_REQUIRED; mode++)
            for (int kind = 0; kind < C_COUNT; kind++) {
                tern_config *ccfg = client_for(kind), *scfg = server_for(kind, mode);
                assert_int_equal(tern_config_set_cipher_suites(ccfg, suite_names[s]), 0);
                assert_int_equal(tern_config_set_cipher_suites(scfg, suite_names[s]), 0);
                mp_pair p;
                mp_init(&p, ccfg, scfg, "localhost");
                mp_handshake(&p);
                runs++;
                /* The expected outcome: 0, or the server's error and alert. */
                int err = 0, alert = -1;
                if (mode != TERN_CLIENT_AUTH_NONE) {
                    switch (kind) {
                    case C_NONE:
                    case C_UNTRUSTED_NAMED: /* no name matches: the client sends no certificate */
                        if (mode == TERN_CLIENT_AUTH_REQUIRED)
                            err = TERN_ERR_HANDSHAKE_FAILURE, alert = TERN_ALERT_HANDSHAKE_FAILURE;
                        break;
                    case C_EXPIRED: err = TERN_ERR_CERT_EXPIRED, alert = TERN_ALERT_CERTIFICATE_EXPIRED; break;
                    case C_UNTRUSTED: err = TERN_ERR_CERT_UNKNOWN_CA, alert = TERN_ALERT_UNKNOWN_CA; break;
                    case C_WRONG_EKU: err = TERN_ERR_CERT_PURPOSE, alert = TERN_ALERT_UNSUPPORTED_CERTIFICATE; break;
                    case C_KU_ENCIPHER: err = TERN_ERR_CERT_PURPOSE, alert = TERN_ALERT_UNSUPPORTED_CERTIFICATE; break;
                    default: break;
                    }
                }
                const char *what = client_kind_name[kind];
                if (err == 0) {
                    if (p.crc != 0 || p.src != 0)
                        fail_msg("%s mode %d %s: client %d (%s) server %d (%s)", suite_names[s], mode, what, p.crc,
                                 tern_error(p.c), p.src, tern_error(p.s));
                    assert_int_equal(tern_cipher_suite_id(p.s), suite_ids[s]);
                    assert_int_equal(tern_extended_master_secret(p.s), 1);
                    if (mode != TERN_CLIENT_AUTH_NONE && kind == C_GOOD)
                        check_identity(&p, ccfg, scfg);
                    else
                        check_anonymous(&p);
                    exchange(&p);
                } else {
                    if (p.src != err || tern_alert_sent(p.s) != alert || p.crc != TERN_ERR_PEER_ALERT ||
                        tern_alert_received(p.c) != alert)
                        fail_msg("%s mode %d %s: expected %d/alert %d; server %d alert %d (%s), client %d alert %d "
                                 "(%s)",
                                 suite_names[s], mode, what, err, alert, p.src, tern_alert_sent(p.s), tern_error(p.s),
                                 p.crc, tern_alert_received(p.c), tern_error(p.c));
                    check_anonymous(&p);
                    if (err != TERN_ERR_HANDSHAKE_FAILURE && !strstr(tern_error(p.s), "client certificate: "))
                        fail_msg("%s: \"%s\"", what, tern_error(p.s));
                    if (kind == C_KU_ENCIPHER &&
                        !strstr(tern_error(p.s), "keyUsage lacks digitalSignature, which CertificateVerify needs"))
                        fail_msg("%s: \"%s\"", what, tern_error(p.s));
                }
                mp_free(&p);
                tern_config_free(ccfg);
                tern_config_free(scfg);
            }
    assert_int_equal(runs, 4 * 3 * C_COUNT);
}

/* Write a CertificateRequest for suite id from a server configuration. */
static size_t write_request(const tern_config *scfg, uint16_t suite, uint8_t *out, size_t cap) {
    tern_conn *s = tern_server_new(scfg);
    assert_non_null(s);
    s->suite = tern_suite_by_id(suite);
    tern_writer w;
    tern_wr_init(&w, out, cap);
    assert_int_equal(tern_hs_certificate_request_write(s, &w), 0);
    assert_int_equal(s->hs_state->cert_requested, 1);
    tern_free(s);
    return tern_wr_len(&w);
}

/* Split a CertificateRequest body: types, schemes, names (count, bytes). */
static void split_request(const uint8_t *m, size_t n, tern_reader *types, tern_reader *algs, size_t *nnames,
                          size_t *names_len) {
    tern_reader r, cas;
    tern_rd_init(&r, m, n);
    assert_int_equal(tern_rd_vec8(&r, types), 0);
    assert_int_equal(tern_rd_vec16(&r, algs), 0);
    assert_int_equal(tern_rd_vec16(&r, &cas), 0);
    assert_int_equal(tern_rd_end(&r), 0);
    *names_len = tern_rd_left(&cas);
    *nnames = 0;
    while (tern_rd_left(&cas) > 0) {
        tern_reader dn;
        assert_int_equal(tern_rd_vec16(&cas, &dn), 0);
        (*nnames)++;
    }
}

static void test_certificate_request_contents(void **state) {
    (void)state;
    uint8_t m[70000];
    tern_reader types, algs;
    size_t nn, nl;
    tern_config *scfg = mp_config("certs/root-ca.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_load_truststore(scfg, tv_path("certs/root2-ca.crt")), 0);
    assert_int_equal(tern_config_set_client_auth(scfg, TERN_CLIENT_AUTH_REQUIRED), 0);

    /* Default: both roots named; rsa_sign and ecdsa_sign; every scheme
     * tern handles, whatever the suite's PRF hash (lib/sig.c). */
    size_t n = write_request(scfg, 0xC02F, m, sizeof m);
    split_request(m, n, &types, &algs, &nn, &nl);
    assert_int_equal(tern_rd_left(&types), 2);
    assert_int_equal(types.p[0], 1);
    assert_int_equal(types.p[1], 64);
    assert_int_equal(tern_rd_left(&algs), 2 * TERN_ARRAY_LEN(tern_sigalgs_offer));
    for (size_t i = 0; i < TERN_ARRAY_LEN(tern_sigalgs_offer); i++)
        assert_int_equal(tern_load_be16(algs.p + 2 * i), tern_sigalgs_offer[i]);
    assert_int_equal(nn, 2);
    size_t want = 4 + scfg->trust.anchors[0].cert.subject.len + scfg->trust.anchors[1].cert.subject.len;
    assert_int_equal(nl, want);
    assert_memory_equal(m + n - nl + 2, scfg->trust.anchors[0].cert.subject.p, scfg->trust.anchors[0].cert.subject.len);
    n = write_request(scfg, 0x009D, m, sizeof m);
    split_request(m, n, &types, &algs, &nn, &nl);
    assert_int_equal(tern_rd_left(&algs), 2 * TERN_ARRAY_LEN(tern_sigalgs_offer));
    assert_int_equal(tern_load_be16(algs.p), TERN_SIG_ECDSA_SECP256R1_SHA256);

    /* A budget the names exceed: none are sent, not a partial list. */
    assert_int_equal(tern_config_set_client_ca_names(scfg, want - 1), 0);
    n = write_request(scfg, 0xC02F, m, sizeof m);
    split_request(m, n, &types, &algs, &nn, &nl);
    assert_int_equal(nn, 0);
    assert_int_equal(tern_config_set_client_ca_names(scfg, want), 0);
    n = write_request(scfg, 0xC02F, m, sizeof m);
    split_request(m, n, &types, &algs, &nn, &nl);
    assert_int_equal(nn, 2);
    /* Switched off. */
    assert_int_equal(tern_config_set_client_ca_names(scfg, 0), 0);
    n = write_request(scfg, 0xC02F, m, sizeof m);
    split_request(m, n, &types, &algs, &nn, &nl);
    assert_int_equal(nn, 0);
    assert_int_equal(tern_config_set_client_ca_names(scfg, 65536), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_set_client_auth(scfg, 3), TERN_ERR_INVALID_ARG);
    tern_config_free(scfg);

    /* A large store (the system's, when there is one) stays small on the
     * wire with the default budget. */
    scfg = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_client_auth(scfg, TERN_CLIENT_AUTH_OPTIONAL), 0);
    if (tern_config_load_system_truststore(scfg) == 0 && scfg->trust.n > 60) {
        n = write_request(scfg, 0xC02F, m, sizeof m);
        split_request(m, n, &types, &algs, &nn, &nl);
        assert_int_equal(nn, 0);
        assert_true(n < 64);
        assert_int_equal(tern_config_set_client_ca_names(scfg, 65535), 0);
        n = write_request(scfg, 0xC02F, m, sizeof m);
        split_request(m, n, &types, &algs, &nn, &nl);
        assert_true(nn == 0 || nn == scfg->trust.n); /* all, or none if the buffer cannot hold them */
    }
    tern_config_free(scfg);
}

/* The client's side of a request: does it offer its key store? */
static int client_would_send(const tern_config *ccfg, uint16_t suite, const uint8_t *body, size_t n, int *rc) {
    tern_conn *c = tern_client_new(ccfg, "localhost");
    assert_non_null(c);
    c->suite = tern_suite_by_id(suite);
    tern_reader r;
    tern_rd_init(&r, body, n);
    *rc = tern_hs_certificate_request_parse(c, &r);
    int may = c->hs_state->client_may_send;
    tern_free(c);
    return may;
}

static void test_client_choice(void **state) {
    (void)state;
    uint8_t m[4096];
    int rc;
    tern_config *ccfg = client_for(C_GOOD), *none = client_for(C_NONE);
    tern_config *scfg = mp_config("certs/root-ca.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_client_auth(scfg, TERN_CLIENT_AUTH_REQUIRED), 0);
    size_t n = write_request(scfg, 0xC02F, m, sizeof m);
    assert_int_equal(client_would_send(ccfg, 0xC02F, m, n, &rc), 1); /* root named: issued the intermediate */
    assert_int_equal(rc, 0);
    assert_int_equal(client_would_send(none, 0xC02F, m, n, &rc), 0); /* no key store */

    /* Only ecdsa_sign accepted: our RSA key does not fit. */
    assert_int_equal(m[0], 2);
    m[1] = 64;
    assert_int_equal(client_would_send(ccfg, 0xC02F, m, n, &rc), 0);
    assert_int_equal(rc, 0);
    m[1] = 1;
    /* Only schemes that are not ours or do not fit an RSA key: none
     * usable.  (Another hash than the suite's is fine: test_sigschemes.) */
    uint8_t alt[4096];
    memcpy(alt, m, n);
    size_t nalgs = tern_load_be16(alt + 3) / 2;
    assert_int_equal(nalgs, TERN_ARRAY_LEN(tern_sigalgs_offer));
    for (size_t i = 0; i < nalgs; i++)
        tern_store_be16(alt + 5 + 2 * i, i % 3 == 0 ? 0x0603 /* ecdsa_secp521r1_sha512: not ours */
                                         : i % 3 == 1 ? 0x0201 /* rsa_pkcs1_sha1: refused */
                                                      : TERN_SIG_ECDSA_SECP384R1_SHA384);
    assert_int_equal(client_would_send(ccfg, 0xC02F, alt, n, &rc), 0);
    /* The same request under the SHA-384 suite: usable too. */
    assert_int_equal(client_would_send(ccfg, 0xC030, m, n, &rc), 1);
    tern_config_free(scfg);

    /* The intermediate as the server's only anchor: it issued our leaf. */
    scfg = mp_config("certs/int-ca.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_client_auth(scfg, TERN_CLIENT_AUTH_REQUIRED), 0);
    n = write_request(scfg, 0xC02F, m, sizeof m);
    assert_int_equal(client_would_send(ccfg, 0xC02F, m, n, &rc), 1);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    if (p.crc != 0 || p.src != 0)
        fail_msg("anchored at the intermediate: %s / %s", tern_error(p.c), tern_error(p.s));
    size_t len;
    assert_non_null(tern_peer_cert(p.s, 0, &len));
    assert_non_null(tern_peer_cert(p.s, 1, &len)); /* the anchor: int-ca itself */
    assert_int_equal(len, scfg->trust.anchors[0].len);
    assert_null(tern_peer_cert(p.s, 2, &len));
    mp_free(&p);
    tern_config_free(scfg);

    /* Only an unrelated CA named: an empty Certificate. */
    scfg = mp_config("certs/root2-ca.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_client_auth(scfg, TERN_CLIENT_AUTH_OPTIONAL), 0);
    n = write_request(scfg, 0xC02F, m, sizeof m);
    assert_int_equal(client_would_send(ccfg, 0xC02F, m, n, &rc), 0);
    /* Malformed requests: every truncation and an empty name fail. */
    for (size_t cut = 0; cut < n; cut++) {
        assert_true(client_would_send(ccfg, 0xC02F, m, cut, &rc) == 0);
        assert_true(rc < 0);
    }
    uint8_t bad[] = {1, 1, 0, 2, 0x08, 0x04, 0, 2, 0, 0}; /* a zero-length DistinguishedName */
    (void)client_would_send(ccfg, 0xC02F, bad, sizeof bad, &rc);
    assert_int_equal(rc, TERN_ERR_DECODE);
    uint8_t notypes[] = {0, 0, 2, 0x08, 0x04, 0, 0};
    (void)client_would_send(ccfg, 0xC02F, notypes, sizeof notypes, &rc);
    assert_int_equal(rc, TERN_ERR_DECODE);
    tern_config_free(scfg);
    tern_config_free(ccfg);
    tern_config_free(none);
}

/* Run until the client's message `type` waits in c2s (unread by the server). */
static void run_until_client_sent(mp_pair *p, int type) {
    size_t rec, msg, len;
    for (int i = 0; i < 100; i++) {
        mp_step_client(p);
        if (mp_find(&p->c2s, type, &rec, &msg, &len))
            return;
        mp_step_server(p);
    }
    fail_msg("the client never sent message %d", type);
}

typedef enum { T_CV_SIG, T_CV_SCHEME, T_CV_SCHEME_SHA1, T_CV_DROP, T_CERT_DROP, T_CV_TRUNC } tamper;

static void tampered(tamper t, int expect_err, int expect_alert) {
    tern_config *ccfg = client_for(C_GOOD);
    tern_config *scfg = server_for(C_GOOD, TERN_CLIENT_AUTH_OPTIONAL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    run_until_client_sent(&p, TERN_HT_CERTIFICATE_VERIFY);
    size_t len;
    uint8_t *cv = mp_copy(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, &len);
    switch (t) {
    case T_CV_SIG: cv[len - 1] ^= 1; mp_replace(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, cv, len); break;
    case T_CV_SCHEME:
        tern_store_be16(cv + 4, 0x0603); /* ecdsa_secp521r1_sha512: not offered */
        mp_replace(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, cv, len);
        break;
    case T_CV_SCHEME_SHA1:
        tern_store_be16(cv + 4, 0x0201); /* rsa_pkcs1_sha1 */
        mp_replace(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, cv, len);
        break;
    case T_CV_DROP: mp_drop(&p.c2s, TERN_HT_CERTIFICATE_VERIFY); break;
    case T_CERT_DROP: mp_drop(&p.c2s, TERN_HT_CERTIFICATE); break;
    case T_CV_TRUNC:
        tern_store_be24(cv + 1, (uint32_t)(len - 4 - 1));
        mp_replace(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, cv, len - 1);
        break;
    }
    free(cv);
    mp_handshake(&p);
    if (p.src != expect_err || tern_alert_sent(p.s) != expect_alert || tern_alert_received(p.c) != expect_alert)
        fail_msg("tamper %d: server %d alert %d (%s); client got alert %d", t, p.src, tern_alert_sent(p.s),
                 tern_error(p.s), tern_alert_received(p.c));
    check_anonymous(&p); /* no identity is published without a proof */
    mp_free(&p);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

static void test_attacker(void **state) {
    (void)state;
    tampered(T_CV_SIG, TERN_ERR_BAD_SIGNATURE, TERN_ALERT_DECRYPT_ERROR);
    tampered(T_CV_SCHEME, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER);
    tampered(T_CV_SCHEME_SHA1, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER);
    tampered(T_CV_DROP, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE);
    tampered(T_CERT_DROP, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE);
    tampered(T_CV_TRUNC, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR);
}

/* The server's parsers of the client's messages, at every truncation. */
static void test_truncated_client_messages(void **state) {
    (void)state;
    tern_config *ccfg = client_for(C_GOOD);
    tern_config *scfg = server_for(C_GOOD, TERN_CLIENT_AUTH_REQUIRED);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    run_until_client_sent(&p, TERN_HT_CERTIFICATE_VERIFY);
    size_t clen, vlen;
    uint8_t *cert = mp_copy(&p.c2s, TERN_HT_CERTIFICATE, &clen);
    uint8_t *cv = mp_copy(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, &vlen);
    mp_free(&p);
    for (size_t cut = 0; cut < clen - 4; cut += (cut < 64 ? 1 : 97)) {
        tern_conn *s = tern_server_new(scfg);
        s->suite = tern_suite_by_id(0xC02F);
        tern_reader r;
        tern_rd_init(&r, cert + 4, cut);
        assert_true(tern_hs_client_certificate_parse(s, &r) < 0);
        tern_free(s);
    }
    /* The whole message parses and verifies on a fresh server. */
    tern_conn *s = tern_server_new(scfg);
    s->suite = tern_suite_by_id(0xC02F);
    tern_reader r;
    tern_rd_init(&r, cert + 4, clen - 4);
    assert_int_equal(tern_hs_client_certificate_parse(s, &r), 0);
    assert_int_equal(s->hs_state->client_cert_sent, 1);
    /* CertificateVerify truncations: decode errors before any check. */
    for (size_t cut = 0; cut < vlen - 4; cut++) {
        tern_conn *s2 = tern_server_new(scfg);
        s2->suite = tern_suite_by_id(0xC02F);
        s2->hs_state->have_peer_key = 1;
        s2->hs_state->peer_rsa = s->hs_state->peer_rsa;
        tern_rd_init(&r, cv + 4, cut);
        assert_int_equal(tern_hs_certificate_verify_parse(s2, &r), TERN_ERR_DECODE);
        tern_free(s2);
    }
    tern_free(s);
    free(cert);
    free(cv);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

/* A chain PEM of two fixture files, added as another identity. */
static void add_identity2(tern_config *cfg, const char *leaf_file, const char *ca_file, const char *key_file) {
    size_t l1, l2 = 0, lk;
    char *leaf = tv_slurp(tv_path(leaf_file), &l1);
    char *ica = ca_file ? tv_slurp(tv_path(ca_file), &l2) : NULL;
    char *key = tv_slurp(tv_path(key_file), &lk);
    char *chain = malloc(l1 + l2 + 1);
    memcpy(chain, leaf, l1);
    if (ica)
        memcpy(chain + l1, ica, l2);
    if (tern_config_add_identity_pem(cfg, (uint8_t *)chain, l1 + l2, (uint8_t *)key, lk) != 0)
        fail_msg("identity %s: %s", leaf_file, tern_config_error(cfg));
    free(leaf);
    free(ica);
    free(key);
    free(chain);
}

/* Several server identities, picked by SNI, with a default. */
static void test_sni_identities(void **state) {
    (void)state;
    tern_config *scfg = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    add_identity2(scfg, "certs/wildcard.crt", "certs/int-ca.crt", "certs/leaf.key");
    assert_int_equal(scfg->nmore_keys, 1);
    assert_int_equal(tern_config_set_cipher_suites(scfg, "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256"), 0);
    struct {
        const char *name, *suite;
        int ok;
        const char *subject;
    } cases[] = {
        {"a.wild.test", "ECDHE-RSA-AES128-GCM-SHA256", 1, "CN=wildcard"},
        {"b.wild.test", "AES128-GCM-SHA256", 1, "CN=wildcard"}, /* the picked key decrypts the premaster */
        {"mixed.case.test", "ECDHE-RSA-AES128-GCM-SHA256", 1, "CN=wildcard"},
        {"localhost", "ECDHE-RSA-AES128-GCM-SHA256", 1, "CN=localhost"},
        {"server.test", "AES128-GCM-SHA256", 1, "CN=localhost"},
        {"127.0.0.1", "ECDHE-RSA-AES128-GCM-SHA256", 1, "CN=localhost"}, /* no SNI: the default */
        {"other.test", "ECDHE-RSA-AES128-GCM-SHA256", 0, NULL},          /* the default, refused by the client */
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        tern_config *ccfg = mp_config("certs/root-ca.crt", NULL, NULL);
        assert_int_equal(tern_config_set_cipher_suites(ccfg, cases[i].suite), 0);
        mp_pair p;
        mp_init(&p, ccfg, scfg, cases[i].name);
        mp_handshake(&p);
        if (cases[i].ok) {
            if (p.crc != 0 || p.src != 0)
                fail_msg("%s: %s / %s", cases[i].name, tern_error(p.c), tern_error(p.s));
            assert_non_null(strstr(tern_peer_subject(p.c), cases[i].subject));
            exchange(&p);
        } else {
            assert_int_equal(p.crc, TERN_ERR_CERT_NAME);
            assert_int_equal(tern_alert_received(p.s), TERN_ALERT_BAD_CERTIFICATE);
            assert_non_null(strstr(tern_error(p.c), "other.test"));
        }
        mp_free(&p);
        tern_config_free(ccfg);
    }
    /* A P-256 identity is accepted (it serves the ECDHE_ECDSA
     * suites, tests/test_ec_tls.c); the count is bounded. */
    char ecc[512], eck[512]; /* tv_path returns a static buffer */
    snprintf(ecc, sizeof ecc, "%s", tv_path("certs/ec-server-chain.pem"));
    snprintf(eck, sizeof eck, "%s", tv_path("certs/ec-server.key"));
    assert_int_equal(tern_config_add_identity(scfg, ecc, eck), 0);
    assert_int_equal(scfg->nmore_keys, 2);
    for (int i = 0; i < 13; i++)
        add_identity2(scfg, "certs/wildcard.crt", "certs/int-ca.crt", "certs/leaf.key");
    size_t lc, lk;
    char *chain = tv_slurp(tv_path("certs/server-chain.pem"), &lc), *key = tv_slurp(tv_path("certs/server.key"), &lk);
    assert_int_equal(tern_config_add_identity_pem(scfg, (uint8_t *)chain, lc, (uint8_t *)key, lk), TERN_ERR_LIMIT);
    assert_int_equal(scfg->nmore_keys, 15);
    free(chain);
    free(key);
    tern_config_free(scfg);
}

/* A client with two identities answers with the one the server's CA
 * names fit; with no names, the default. */
static void test_client_identities(void **state) {
    (void)state;
    tern_config *ccfg = mp_config("certs/root-ca.crt", NULL, NULL);
    add_identity2(ccfg, "certs/root2-ca.crt", NULL, "certs/root2-ca.key"); /* default: from another CA */
    add_identity2(ccfg, "certs/client.crt", "certs/int-ca.crt", "certs/client.key");
    assert_int_equal(ccfg->nmore_keys, 1);
    tern_config *scfg = server_for(C_GOOD, TERN_CLIENT_AUTH_REQUIRED);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    if (p.crc != 0 || p.src != 0)
        fail_msg("%s / %s", tern_error(p.c), tern_error(p.s));
    assert_non_null(strstr(tern_peer_subject(p.s), "CN=Test Client"));
    mp_free(&p);
    /* No CA names: the default identity goes, and is not trusted. */
    assert_int_equal(tern_config_set_client_ca_names(scfg, 0), 0);
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.src, TERN_ERR_CERT_UNKNOWN_CA);
    assert_int_equal(tern_alert_received(p.c), TERN_ALERT_UNKNOWN_CA);
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* ECDSA client certificates (P-256 key from a P-256 intermediate under a
 * P-384 root): every suite, the CertificateVerify scheme (SHA-256 under
 * every suite); a tampered signature; a scheme of the wrong kind for the key; and
 * a client holding both an RSA and an ECDSA identity. */
static void test_ecdsa_client(void **state) {
    (void)state;
    tern_config *ccfg = mp_config("certs/root-ca.crt", "certs/ecdsa-client-chain.pem", "certs/ecdsa-client.key");
    tern_config *scfg = mp_config("certs/ecdsa-root.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_client_auth(scfg, TERN_CLIENT_AUTH_REQUIRED), 0);
    for (size_t s = 0; s < TERN_ARRAY_LEN(suite_ids); s++) {
        assert_int_equal(tern_config_set_cipher_suites(ccfg, suite_names[s]), 0);
        assert_int_equal(tern_config_set_cipher_suites(scfg, suite_names[s]), 0);
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        run_until_client_sent(&p, TERN_HT_CERTIFICATE_VERIFY);
        size_t len;
        uint8_t *cv = mp_copy(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, &len);
        /* SHA-256 whatever the suite's hash (lib/sig.c). */
        assert_int_equal(tern_load_be16(cv + 4), TERN_SIG_ECDSA_SECP256R1_SHA256);
        free(cv);
        mp_handshake(&p);
        if (p.crc != 0 || p.src != 0)
            fail_msg("%s: %s / %s", suite_names[s], tern_error(p.c), tern_error(p.s));
        assert_non_null(strstr(tern_peer_subject(p.s), "CN=Test ECDSA Client"));
        size_t l;
        assert_non_null(tern_peer_cert(p.s, 2, &l)); /* leaf, P-256 intermediate, P-384 root */
        assert_null(tern_peer_cert(p.s, 3, &l));
        exchange(&p);
        mp_free(&p);
    }
    assert_int_equal(tern_config_set_cipher_suites(ccfg, suite_names[0]), 0);
    assert_int_equal(tern_config_set_cipher_suites(scfg, suite_names[0]), 0);
    for (int t = 0; t < 2; t++) {
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        run_until_client_sent(&p, TERN_HT_CERTIFICATE_VERIFY);
        size_t len;
        uint8_t *cv = mp_copy(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, &len);
        if (t == 0)
            cv[len - 3] ^= 0x10; /* inside s */
        else
            tern_store_be16(cv + 4, TERN_SIG_RSA_PKCS1_SHA256); /* offered, but not for an EC key */
        mp_replace(&p.c2s, TERN_HT_CERTIFICATE_VERIFY, cv, len);
        free(cv);
        mp_handshake(&p);
        int err = t == 0 ? TERN_ERR_BAD_SIGNATURE : TERN_ERR_ILLEGAL_PARAMETER;
        if (p.src != err || tern_alert_received(p.c) != tern_error_alert(err))
            fail_msg("ECDSA tamper %d: %d (%s)", t, p.src, tern_error(p.s));
        check_anonymous(&p);
        mp_free(&p);
    }
    tern_config_free(ccfg);

    /* RSA identity first, ECDSA second: the server names only the ECDSA
     * root, so the client answers with the second. */
    ccfg = mp_config("certs/root-ca.crt", "certs/client-chain.pem", "certs/client.key");
    char c[512], k[512];
    snprintf(c, sizeof c, "%s", tv_path("certs/ecdsa-client-chain.pem"));
    snprintf(k, sizeof k, "%s", tv_path("certs/ecdsa-client.key"));
    assert_int_equal(tern_config_add_identity(ccfg, c, k), 0);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    if (p.crc != 0 || p.src != 0)
        fail_msg("two identities: %s / %s", tern_error(p.c), tern_error(p.s));
    assert_non_null(strstr(tern_peer_subject(p.s), "CN=Test ECDSA Client"));
    mp_free(&p);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_certificate_request_contents),
        cmocka_unit_test(test_client_choice),
        cmocka_unit_test(test_attacker),
        cmocka_unit_test(test_truncated_client_messages),
        cmocka_unit_test(test_sni_identities),
        cmocka_unit_test(test_client_identities),
        cmocka_unit_test(test_ecdsa_client),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
