/*
 * Signature schemes and P-384 in the handshake, client and server in memory
 * (tests/mempair.h).  What an independent TLS 1.2 conformance suite found,
 * each as a test:
 *   - CertificateRequest lists every scheme tern handles (ECDSA with
 *     SHA-256 / SHA-384, RSA-PSS and PKCS#1 v1.5 with SHA-256 / -384 /
 *     -512) under every suite, not only the PRF hash's;
 *   - the server checks a CertificateVerify made with any of them, whatever
 *     the PRF hash: the test plays the client, rebuilding the transcript
 *     from the wire and signing it with each scheme that fits the client's
 *     key (RSA, P-256, P-384), under SHA-256 and SHA-384 suites (the
 *     server then fails at Finished, the client having hashed its own
 *     CertificateVerify; end to end with SHA-384/512 signatures is
 *     tests/interop_sigs.test.sh against OpenSSL);
 *   - the client picks, from a request listing only one scheme, that one
 *     (SHA-384 / SHA-512 included), and SHA-256 when offered;
 *   - alerts: a scheme not offered or not fitting the key is
 *     illegal_parameter; a signature that does not verify (flipped bit,
 *     PKCS#1 signature labelled PSS, RSA-PSS with a salt that is not the
 *     hash length, ECDSA over the wrong hash) is decrypt_error;
 *   - P-384: key stores (PKCS#8 and SEC 1) on both sides, the secp384r1
 *     group (alone and in preference order), a P-384 server refused to a
 *     client whose supported_groups lacks secp384r1, a server with P-256
 *     and P-384 identities choosing by the client's curves, P-384 client
 *     certificates under every suite;
 *   - the transcript keeps the extra hashes only while a CertificateVerify
 *     may still need them.
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
#include "lib/kx.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#endif

/* ---- configurations ---- */

enum { K_RSA, K_P256, K_P384, K_P384_SEC1, K_COUNT };
static const char *key_name[] = {"RSA", "P-256", "P-384", "P-384 (SEC 1 key)"};
static const char *key_chain[] = {"certs/p384/rsa-client.crt", "certs/ecdsa-client-chain.pem",
                                  "certs/p384/client-chain.pem", "certs/p384/client-chain.pem"};
static const char *key_file[] = {"certs/p384/rsa-client.key", "certs/ecdsa-client.key", "certs/p384/client.key",
                                 "certs/p384/client-sec1.key"};

/* A client trusting both test roots (RSA hierarchy and P-384), with the
 * client key store of kind k (or none for k < 0). */
static tern_config *client_cfg(int k) {
    tern_config *cfg = mp_config("certs/root-ca.crt", k >= 0 ? key_chain[k] : NULL, k >= 0 ? key_file[k] : NULL);
    assert_int_equal(tern_config_load_truststore(cfg, tv_path("certs/p384/root.crt")), 0);
    return cfg;
}

/* A server with the RSA chain (rsa = 1) or the P-384 chain (PKCS#8 or
 * SEC 1 key), asking for client certificates from the P-384 root (which
 * issued the RSA and P-384 client leaves) and the ECDSA root (P-256
 * client) when auth is set. */
static tern_config *server_cfg(int rsa, int sec1, int auth) {
    tern_config *cfg = rsa ? mp_config("certs/p384/root.crt", "certs/server-chain.pem", "certs/server.key")
                           : mp_config("certs/p384/root.crt", "certs/p384/server-chain.pem",
                                       sec1 ? "certs/p384/server-sec1.key" : "certs/p384/server.key");
    assert_int_equal(tern_config_load_truststore(cfg, tv_path("certs/ecdsa-root.crt")), 0);
    if (auth)
        assert_int_equal(tern_config_set_client_auth(cfg, TERN_CLIENT_AUTH_REQUIRED), 0);
    return cfg;
}

static void exchange(mp_pair *p) {
    uint8_t buf[16];
    assert_int_equal(tern_write(p->c, "ping", 4), 4);
    assert_int_equal(tern_read(p->s, buf, sizeof buf), 4);
    assert_memory_equal(buf, "ping", 4);
}

/* ---- the transcript, rebuilt from the wire ----
 * Records before ChangeCipherSpec are plaintext: the handshake bytes of
 * the unread records of a pipe, appended to a log. */
typedef struct {
    uint8_t b[65536];
    size_t n;
} hslog;

static void log_pipe(hslog *log, const mp_pipe *q) {
    size_t at = q->off;
    while (at + 5 <= q->len && q->buf[at] != TERN_CT_CHANGE_CIPHER_SPEC) {
        size_t rlen = tern_load_be16(q->buf + at + 3);
        assert_true(at + 5 + rlen <= q->len);
        if (q->buf[at] == TERN_CT_HANDSHAKE) {
            assert_true(log->n + rlen <= sizeof log->b);
            memcpy(log->b + log->n, q->buf + at + 5, rlen);
            log->n += rlen;
        }
        at += 5 + rlen;
    }
}

/* Offset of handshake message `type` in the log (from `from`), or n. */
static size_t log_find(const hslog *log, size_t from, int type) {
    size_t m = from;
    while (m + 4 <= log->n) {
        if (log->b[m] == type)
            return m;
        m += 4 + tern_load_be24(log->b + m + 1);
    }
    return log->n;
}

/* Run a client-auth handshake until the client's flight (Certificate,
 * ClientKeyExchange, CertificateVerify, ...) waits in c2s, logging every
 * handshake message; *cv_at is where CertificateVerify starts in the log,
 * i.e. the length of what it signs. */
static void run_to_client_cv(mp_pair *p, hslog *log, size_t *cv_at) {
    log->n = 0;
    mp_step_client(p); /* ClientHello */
    log_pipe(log, &p->c2s);
    mp_step_server(p); /* ServerHello .. ServerHelloDone */
    assert_int_equal(p->c2s.len, 0);
    log_pipe(log, &p->s2c);
    size_t server_end = log->n;
    mp_step_client(p); /* Certificate, ClientKeyExchange, CertificateVerify, CCS, Finished */
    assert_int_equal(p->s2c.len, 0);
    log_pipe(log, &p->c2s);
    *cv_at = log_find(log, server_end, TERN_HT_CERTIFICATE_VERIFY);
    if (*cv_at == log->n)
        fail_msg("the client sent no CertificateVerify (%s)", tern_error(p->c));
}

/* A CertificateVerify message: scheme, then the signature. */
static size_t cv_message(uint8_t *out, uint16_t scheme, const uint8_t *sig, size_t siglen) {
    out[0] = TERN_HT_CERTIFICATE_VERIFY;
    tern_store_be24(out + 1, (uint32_t)(4 + siglen));
    tern_store_be16(out + 4, scheme);
    tern_store_be16(out + 6, (uint16_t)siglen);
    memcpy(out + 8, sig, siglen);
    return 8 + siglen;
}

/* Sign the logged transcript (up to cv_at) as the client's key store with
 * scheme, under hash alg (normally the scheme's; another to test a wrong
 * digest). */
static size_t sign_cv(const tern_keystore *ks, uint16_t scheme, tern_hash_alg alg, const hslog *log, size_t cv_at,
                      uint8_t *out) {
    uint8_t digest[TERN_HASH_MAX_LEN], sig[1024];
    size_t siglen = 0;
    assert_int_equal(tern_hash(alg, digest, log->b, cv_at), 0);
    tern_hash_alg dummy;
    tern_keystore_sig kind = tern_sig_is_ecdsa(scheme, &dummy) ? TERN_KEYSTORE_ECDSA
                             : tern_sigalg_info(scheme, &dummy) == 1 ? TERN_KEYSTORE_RSA_PSS
                                                                     : TERN_KEYSTORE_RSA_PKCS1;
    if ((kind == TERN_KEYSTORE_ECDSA) != (ks->key_type == TERN_X509_KEY_EC)) /* a scheme of the other kind */
        kind = ks->key_type == TERN_X509_KEY_EC ? TERN_KEYSTORE_ECDSA : TERN_KEYSTORE_RSA_PKCS1;
    assert_int_equal(tern_keystore_sign(ks, kind, alg, digest, sig, sizeof sig, &siglen, NULL, NULL), 0);
    return cv_message(out, scheme, sig, siglen);
}

/* Replace the client's CertificateVerify with msg and finish.  The client
 * hashed the CertificateVerify it made, so when the server accepts ours the
 * two transcripts part there and the server fails at the client's Finished
 * (TERN_ERR_FINISHED): that error, and no other, means the
 * CertificateVerify checked out. */
static void finish_with_cv(mp_pair *p, const uint8_t *msg, size_t len) {
    mp_replace(&p->c2s, TERN_HT_CERTIFICATE_VERIFY, msg, len);
    mp_handshake(p);
}
#define CV_ACCEPTED TERN_ERR_FINISHED

static const uint16_t suites[] = {0xC02F, 0xC030, 0xC02B, 0xC02C};
static const char *suite_name[] = {"ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES256-GCM-SHA384",
                                   "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384"};

/* ---- CertificateRequest ---- */

static void test_request_lists_every_scheme(void **state) {
    (void)state;
    tern_config *scfg = server_cfg(1, 0, 1);
    for (size_t s = 0; s < TERN_ARRAY_LEN(suites); s++) {
        tern_conn *c = tern_server_new(scfg);
        assert_non_null(c);
        c->suite = tern_suite_by_id(suites[s]);
        uint8_t m[8192];
        tern_writer w;
        tern_wr_init(&w, m, sizeof m);
        assert_int_equal(tern_hs_certificate_request_write(c, &w), 0);
        tern_reader r, types, algs;
        tern_rd_init(&r, m, tern_wr_len(&w));
        assert_int_equal(tern_rd_vec8(&r, &types), 0);
        assert_int_equal(tern_rd_vec16(&r, &algs), 0);
        static const uint16_t want[] = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};
        if (tern_rd_left(&algs) != sizeof want)
            fail_msg("%s: CertificateRequest lists %zu schemes, want %zu", suite_name[s], tern_rd_left(&algs) / 2,
                     TERN_ARRAY_LEN(want));
        for (size_t i = 0; i < TERN_ARRAY_LEN(want); i++)
            assert_int_equal(tern_load_be16(algs.p + 2 * i), want[i]);
        tern_free(c);
    }
    tern_config_free(scfg);
}

/* ---- the server checks CertificateVerify with every scheme ---- */

static int scheme_fits(uint16_t scheme, int k) {
    tern_hash_alg h;
    return k == K_RSA ? tern_sigalg_info(scheme, &h) >= 0 : tern_sig_is_ecdsa(scheme, &h);
}

static void test_server_accepts_every_scheme(void **state) {
    (void)state;
    static const uint16_t schemes[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601};
    int runs = 0;
    for (int k = 0; k < K_COUNT; k++) {
        tern_config *ccfg = client_cfg(k);
        for (size_t s = 0; s < TERN_ARRAY_LEN(suites); s++) {
            tern_config *scfg = server_cfg(s < 2, 0, 1);
            assert_int_equal(tern_config_set_cipher_suites(scfg, suite_name[s]), 0);
            for (size_t i = 0; i < TERN_ARRAY_LEN(schemes); i++) {
                if (!scheme_fits(schemes[i], k))
                    continue;
                mp_pair p;
                hslog *log = malloc(sizeof *log);
                size_t cv_at;
                mp_init(&p, ccfg, scfg, "localhost");
                run_to_client_cv(&p, log, &cv_at);
                tern_hash_alg alg;
                if (!tern_sig_is_ecdsa(schemes[i], &alg))
                    assert_true(tern_sigalg_info(schemes[i], &alg) >= 0);
                uint8_t cv[1200];
                size_t n = sign_cv(&ccfg->keys, schemes[i], alg, log, cv_at, cv);
                finish_with_cv(&p, cv, n);
                if (p.src != CV_ACCEPTED || strstr(tern_error(p.s), "Finished") == NULL)
                    fail_msg("%s client key, %s, CertificateVerify 0x%04x: server %d (%s), client %d (%s)",
                             key_name[k], suite_name[s], schemes[i], p.src, tern_error(p.s), p.crc, tern_error(p.c));
                mp_free(&p);
                free(log);
                runs++;
            }
            tern_config_free(scfg);
        }
        tern_config_free(ccfg);
    }
    /* RSA: 6 schemes, each EC key: 2; four suites. */
    assert_int_equal(runs, 4 * (6 + 3 * 2));
    printf("  %d handshakes: every scheme x client key x suite, CertificateVerify checked\n", runs);
}

/* ---- the client's choice of scheme ---- */

/* The client's choice from a CertificateRequest listing only `scheme`
 * (rsa_sign and ecdsa_sign, no CA names): the scheme, or 0 when it would
 * send no certificate. */
static uint16_t client_choice(const tern_config *ccfg, uint16_t suite, const uint16_t *schemes, size_t n) {
    uint8_t m[64];
    size_t len = 0;
    m[len++] = 2;
    m[len++] = 1;
    m[len++] = 64;
    tern_store_be16(m + len, (uint16_t)(2 * n));
    len += 2;
    for (size_t i = 0; i < n; i++, len += 2)
        tern_store_be16(m + len, schemes[i]);
    tern_store_be16(m + len, 0);
    len += 2;
    tern_conn *c = tern_client_new(ccfg, "localhost");
    assert_non_null(c);
    c->suite = tern_suite_by_id(suite);
    tern_reader r;
    tern_rd_init(&r, m, len);
    assert_int_equal(tern_hs_certificate_request_parse(c, &r), 0);
    uint16_t got = c->hs_state->client_may_send ? c->hs_state->cv_scheme : 0;
    tern_free(c);
    return got;
}

static void test_client_choice(void **state) {
    (void)state;
    static const uint16_t all[] = {0x0403, 0x0503, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601};
    for (int k = 0; k < K_COUNT; k++) {
        tern_config *ccfg = client_cfg(k);
        for (size_t s = 0; s < TERN_ARRAY_LEN(suites); s++) {
            /* One scheme listed: that one when it fits the key. */
            for (size_t i = 0; i < TERN_ARRAY_LEN(all); i++) {
                uint16_t got = client_choice(ccfg, suites[s], &all[i], 1);
                uint16_t want = scheme_fits(all[i], k) ? all[i] : 0;
                if (got != want)
                    fail_msg("%s key, %s, request lists 0x%04x: chose 0x%04x, want 0x%04x", key_name[k],
                             suite_name[s], all[i], got, want);
            }
            /* Everything listed, longest hash first: SHA-256 preferred. */
            static const uint16_t rev[] = {0x0601, 0x0806, 0x0501, 0x0805, 0x0503, 0x0401, 0x0804, 0x0403};
            uint16_t got = client_choice(ccfg, suites[s], rev, TERN_ARRAY_LEN(rev));
            assert_int_equal(got, k == K_RSA ? 0x0804 : 0x0403);
            /* Not ours: ecdsa_secp521r1_sha512, rsa_pkcs1_sha1, ed25519. */
            static const uint16_t foreign[] = {0x0603, 0x0201, 0x0807};
            assert_int_equal(client_choice(ccfg, suites[s], foreign, 3), 0);
        }
        tern_config_free(ccfg);
    }
}

/* ---- alerts on a bad CertificateVerify ---- */

typedef enum {
    B_NOT_OFFERED,  /* ecdsa_secp521r1_sha512 */
    B_WRONG_KIND,   /* an ECDSA scheme with an RSA key, or an RSA one with an EC key */
    B_FLIPPED,      /* one bit of the signature */
    B_PKCS1_AS_PSS, /* a PKCS#1 v1.5 signature labelled rsa_pss_rsae_sha256 */
    B_WRONG_HASH,   /* signed over SHA-384, labelled _sha256 */
    B_PSS_SALT20,   /* RSA-PSS with a 20-byte salt (OpenSSL) */
    B_PSS_SALT32    /* the same with the right salt: accepted (control) */
} bad_cv;

static void bad(int k, bad_cv b, int want_err, int want_alert) {
    tern_config *ccfg = client_cfg(k);
    tern_config *scfg = server_cfg(1, 0, 1);
    assert_int_equal(tern_config_set_cipher_suites(scfg, suite_name[0]), 0);
    mp_pair p;
    hslog *log = malloc(sizeof *log);
    size_t cv_at, n = 0;
    uint8_t cv[1200];
    mp_init(&p, ccfg, scfg, "localhost");
    run_to_client_cv(&p, log, &cv_at);
    uint16_t native = k == K_RSA ? 0x0804 : 0x0403;
    switch (b) {
    case B_NOT_OFFERED: n = sign_cv(&ccfg->keys, 0x0603, TERN_HASH_SHA512, log, cv_at, cv); break;
    case B_WRONG_KIND:
        n = sign_cv(&ccfg->keys, k == K_RSA ? 0x0403 : 0x0804, TERN_HASH_SHA256, log, cv_at, cv);
        break;
    case B_FLIPPED:
        n = sign_cv(&ccfg->keys, native, TERN_HASH_SHA256, log, cv_at, cv);
        cv[n - 1] ^= 1;
        break;
    case B_PKCS1_AS_PSS:
        n = sign_cv(&ccfg->keys, 0x0401, TERN_HASH_SHA256, log, cv_at, cv);
        tern_store_be16(cv + 4, 0x0804);
        break;
    case B_WRONG_HASH: n = sign_cv(&ccfg->keys, native, TERN_HASH_SHA384, log, cv_at, cv); break;
    case B_PSS_SALT20:
    case B_PSS_SALT32: {
#ifdef TERN_TEST_HAVE_OPENSSL
        FILE *f = fopen(tv_path(key_file[K_RSA]), "r");
        assert_non_null(f);
        EVP_PKEY *pk = PEM_read_PrivateKey(f, NULL, NULL, NULL);
        fclose(f);
        assert_non_null(pk);
        uint8_t digest[32], sig[512];
        size_t siglen = sizeof sig;
        assert_int_equal(tern_hash(TERN_HASH_SHA256, digest, log->b, cv_at), 0);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING), 1);
        assert_int_equal(EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()), 1);
        assert_int_equal(EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, b == B_PSS_SALT20 ? 20 : 32), 1);
        assert_int_equal(EVP_PKEY_sign(ctx, sig, &siglen, digest, sizeof digest), 1);
        EVP_PKEY_CTX_free(ctx);
        EVP_PKEY_free(pk);
        n = cv_message(cv, 0x0804, sig, siglen);
#endif
        break;
    }
    }
    finish_with_cv(&p, cv, n);
    if (p.src != want_err || tern_alert_sent(p.s) != want_alert || tern_alert_received(p.c) != want_alert)
        fail_msg("%s key, case %d: server %d alert %d (%s), client received %d; want %d / %d", key_name[k], b, p.src,
                 tern_alert_sent(p.s), tern_error(p.s), tern_alert_received(p.c), want_err, want_alert);
    if (want_err != CV_ACCEPTED)
        assert_null(tern_peer_subject(p.s)); /* no identity without a proof */
    mp_free(&p);
    free(log);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

static void test_bad_certificate_verify(void **state) {
    (void)state;
    for (int k = 0; k < K_COUNT; k++) {
        bad(k, B_NOT_OFFERED, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER);
        bad(k, B_WRONG_KIND, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER);
        bad(k, B_FLIPPED, TERN_ERR_BAD_SIGNATURE, TERN_ALERT_DECRYPT_ERROR);
        bad(k, B_WRONG_HASH, TERN_ERR_BAD_SIGNATURE, TERN_ALERT_DECRYPT_ERROR);
    }
    bad(K_RSA, B_PKCS1_AS_PSS, TERN_ERR_BAD_SIGNATURE, TERN_ALERT_DECRYPT_ERROR);
#ifdef TERN_TEST_HAVE_OPENSSL
    bad(K_RSA, B_PSS_SALT32, CV_ACCEPTED, TERN_ALERT_DECRYPT_ERROR);
    bad(K_RSA, B_PSS_SALT20, TERN_ERR_BAD_SIGNATURE, TERN_ALERT_DECRYPT_ERROR);
#else
    printf("  RSA-PSS salt-length case skipped (no libcrypto)\n");
#endif
}

/* ---- P-384 servers and the secp384r1 group ---- */

static void test_p384_server(void **state) {
    (void)state;
    static const char *groups[] = {"secp384r1", "x25519:secp256r1:secp384r1", "secp384r1:x25519", "P-384"};
    static const uint16_t want_group[] = {24, 29, 24, 24};
    for (int sec1 = 0; sec1 < 2; sec1++)
        for (size_t s = 2; s < 4; s++)
            for (size_t g = 0; g < TERN_ARRAY_LEN(groups); g++) {
                tern_config *ccfg = client_cfg(-1), *scfg = server_cfg(0, sec1, 0);
                assert_int_equal(tern_config_set_cipher_suites(ccfg, suite_name[s]), 0);
                assert_int_equal(tern_config_set_groups(ccfg, groups[g]), 0);
                assert_int_equal(tern_config_set_groups(scfg, groups[g]), 0);
                mp_pair p;
                mp_init(&p, ccfg, scfg, "localhost");
                mp_handshake(&p);
                if (p.crc != 0 || p.src != 0)
                    fail_msg("P-384 server (%s key), %s, groups %s: client %s / server %s", sec1 ? "SEC 1" : "PKCS#8",
                             suite_name[s], groups[g], tern_error(p.c), tern_error(p.s));
                assert_int_equal(p.c->kx_group, want_group[g]);
                assert_int_equal(p.s->kx_group, want_group[g]);
                assert_int_equal(p.c->sigscheme, TERN_SIG_ECDSA_SECP256R1_SHA256);
                exchange(&p);
                mp_free(&p);
                tern_config_free(ccfg);
                tern_config_free(scfg);
            }
    /* A client that cannot verify P-384 (supported_groups without
     * secp384r1) gets no P-384 certificate: handshake_failure, with why. */
    tern_config *ccfg = client_cfg(-1), *scfg = server_cfg(0, 0, 0);
    assert_int_equal(tern_config_set_groups(ccfg, "x25519:secp256r1"), 0);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.src, TERN_ERR_HANDSHAKE_FAILURE);
    assert_non_null(strstr(tern_error(p.s), "secp384r1"));
    mp_free(&p);
    tern_config_free(ccfg);
    tern_config_free(scfg);
    /* The default groups offer and accept secp384r1; group names. */
    tern_config *d = tern_config_new();
    const uint16_t *g = tern_kx_groups(d);
    assert_int_equal(g[0], 29);
    assert_int_equal(g[1], 23);
    assert_int_equal(g[2], 24);
    assert_int_equal(g[3], 0);
    assert_int_equal(tern_config_set_groups(d, "secp384r1:secp256r1:x25519"), 0);
    assert_int_equal(tern_config_set_groups(d, "secp521r1"), TERN_ERR_INVALID_ARG);
    tern_config_free(d);
}

/* A server with a P-256 and a P-384 ECDSA identity (both "localhost"):
 * the certificate follows the curves the client's supported_groups
 * admits (RFC 8422 §5.1), whichever identity comes first. */
static void test_identity_by_curve(void **state) {
    (void)state;
    for (int order = 0; order < 2; order++)
        for (int want384 = 0; want384 < 2; want384++) {
            tern_config *scfg = mp_config(NULL, order ? "certs/p384/server-chain.pem" : "certs/ecdsa-server-chain.pem",
                                          order ? "certs/p384/server.key" : "certs/ecdsa-server.key");
            char c[512], k[512];
            snprintf(c, sizeof c, "%s", tv_path(order ? "certs/ecdsa-server-chain.pem" : "certs/p384/server-chain.pem"));
            snprintf(k, sizeof k, "%s", tv_path(order ? "certs/ecdsa-server.key" : "certs/p384/server.key"));
            assert_int_equal(tern_config_add_identity(scfg, c, k), 0);
            tern_config *ccfg = client_cfg(-1);
            assert_int_equal(tern_config_load_truststore(ccfg, tv_path("certs/ecdsa-root.crt")), 0);
            assert_int_equal(tern_config_set_cipher_suites(ccfg, suite_name[2]), 0);
            assert_int_equal(tern_config_set_groups(ccfg, want384 ? "x25519:secp384r1" : "x25519:secp256r1"), 0);
            mp_pair p;
            mp_init(&p, ccfg, scfg, "localhost");
            mp_handshake(&p);
            if (p.crc != 0 || p.src != 0)
                fail_msg("identities %s first, client wants %s: client %s / server %s", order ? "P-384" : "P-256",
                         want384 ? "P-384" : "P-256", tern_error(p.c), tern_error(p.s));
            assert_int_equal(p.s->keys->ec_curve, want384 ? TERN_X509_CURVE_P384 : TERN_X509_CURVE_P256);
            mp_free(&p);
            tern_config_free(ccfg);
            tern_config_free(scfg);
        }
}

/* A bad secp384r1 share from either side: illegal_parameter. */
static void test_bad_p384_share(void **state) {
    (void)state;
    for (int side = 0; side < 2; side++) {
        tern_config *ccfg = client_cfg(-1), *scfg = server_cfg(0, 0, 0);
        assert_int_equal(tern_config_set_groups(ccfg, "secp384r1"), 0);
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        int type = side == 0 ? TERN_HT_CLIENT_KEY_EXCHANGE : TERN_HT_SERVER_KEY_EXCHANGE;
        mp_pipe *q = side == 0 ? &p.c2s : &p.s2c;
        size_t rec, msg, len;
        for (int i = 0; i < 20; i++) {
            mp_step_client(&p);
            if (mp_find(q, type, &rec, &msg, &len))
                break;
            mp_step_server(&p);
            if (mp_find(q, type, &rec, &msg, &len))
                break;
        }
        assert_true(mp_find(q, type, &rec, &msg, &len));
        /* The point: after the length byte (CKE) or curve type, group, length (SKE). */
        size_t pt = msg + 4 + (side == 0 ? 1 : 4);
        assert_int_equal(q->buf[pt - 1], 97);
        assert_int_equal(q->buf[pt], 0x04);
        q->buf[pt + 96] ^= 1; /* off the curve */
        mp_handshake(&p);
        tern_conn *victim = side == 0 ? p.s : p.c;
        if (side == 1) {
            /* The ServerKeyExchange signature covers the point: the client
             * refuses it as a bad signature first. */
            assert_int_equal(p.crc, TERN_ERR_BAD_SIGNATURE);
        } else {
            assert_int_equal(p.src, TERN_ERR_ILLEGAL_PARAMETER);
            assert_int_equal(tern_alert_sent(victim), TERN_ALERT_ILLEGAL_PARAMETER);
            assert_non_null(strstr(tern_error(victim), "secp384r1"));
        }
        mp_free(&p);
        tern_config_free(ccfg);
        tern_config_free(scfg);
    }
}

/* ---- P-384 (and every other) client certificate, end to end ---- */

static void test_client_certificates(void **state) {
    (void)state;
    int runs = 0;
    for (int k = 0; k < K_COUNT; k++)
        for (size_t s = 0; s < TERN_ARRAY_LEN(suites); s++) {
            tern_config *ccfg = client_cfg(k), *scfg = server_cfg(s < 2, 0, 1);
            assert_int_equal(tern_config_set_cipher_suites(ccfg, suite_name[s]), 0);
            mp_pair p;
            mp_init(&p, ccfg, scfg, "localhost");
            mp_handshake(&p);
            if (p.crc != 0 || p.src != 0)
                fail_msg("%s client certificate, %s: client %s / server %s", key_name[k], suite_name[s],
                         tern_error(p.c), tern_error(p.s));
            const char *subj = tern_peer_subject(p.s);
            assert_non_null(subj);
            assert_non_null(strstr(subj, k == K_RSA ? "Test RSA Client" : k == K_P256 ? "Test ECDSA Client"
                                                                                        : "Test P-384 Client"));
            exchange(&p);
            mp_free(&p);
            tern_config_free(ccfg);
            tern_config_free(scfg);
            runs++;
        }
    printf("  %d handshakes with RSA, P-256 and P-384 client certificates under four suites\n", runs);
}

/* ---- which transcript hashes are kept ---- */

static void test_transcript_hashes(void **state) {
    (void)state;
    for (int auth = 0; auth < 2; auth++)
        for (size_t s = 0; s < 2; s++) {
            tern_config *ccfg = client_cfg(auth ? K_P384 : -1), *scfg = server_cfg(1, 0, auth);
            assert_int_equal(tern_config_set_cipher_suites(scfg, suite_name[s]), 0);
            unsigned prf = s == 0 ? TERN_TH_SHA256 : TERN_TH_SHA384;
            mp_pair p;
            mp_init(&p, ccfg, scfg, "localhost");
            mp_step_client(&p);
            assert_int_equal(p.c->hs_state->th_live, TERN_TH_ALL); /* the suite is not known yet */
            mp_step_server(&p);
            /* A server that asks for a certificate keeps all three until
             * CertificateVerify; otherwise only the PRF hash. */
            assert_int_equal(p.s->hs_state->th_live, auth ? TERN_TH_ALL : prf);
            mp_step_client(&p);
            /* The client, after its flight: CertificateVerify is made, so
             * only the PRF hash is left. */
            assert_int_equal(p.c->hs_state->th_live, prf);
            mp_step_server(&p);
            mp_handshake_ok(&p);
            mp_free(&p);
            tern_config_free(ccfg);
            tern_config_free(scfg);
        }
    /* The handshake state still leaves the input buffer its 8 KB. */
    assert_true(sizeof(tern_hs_state) + 8192 <= TERN_REC_HDR + TERN_MAX_CIPHERTEXT);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_lists_every_scheme),
        cmocka_unit_test(test_server_accepts_every_scheme),
        cmocka_unit_test(test_client_choice),
        cmocka_unit_test(test_bad_certificate_verify),
        cmocka_unit_test(test_p384_server),
        cmocka_unit_test(test_identity_by_curve),
        cmocka_unit_test(test_bad_p384_share),
        cmocka_unit_test(test_client_certificates),
        cmocka_unit_test(test_transcript_hashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
