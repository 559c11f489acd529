/*
 * P-384 rows for make bench: the curve (order 510) and a whole handshake
 * (order 825), tern against OpenSSL in one process.
 *   p384/ecdh        one shared secret: tern_p384_ecdh() (peer point
 *                    validated each time) against EVP_PKEY_derive() on a
 *                    context made once with the peer set.
 *   p384/sign        a DER signature of a 48-byte digest (SHA-384 size):
 *                    tern_ecdsa_p384_sign() (RFC 6979 hedged with OS
 *                    randomness) against EVP_PKEY_sign().
 *   p384/verify      tern_ecdsa_p384_verify() against EVP_PKEY_verify() on
 *                    the same signature.
 *   handshake/ecdhe-ecdsa-p384
 *                    full handshakes per second with P-384 everywhere:
 *                    TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, ECDHE over
 *                    secp384r1, the P-384 server chain of
 *                    vectors/certs/p384/ (leaf signed by a P-384 root), no
 *                    resumption; tern engines over memory against libssl
 *                    over a BIO pair.
 * tern's P-384 is portable C (fixed 4-bit windows over the complete
 * formulas, generic Montgomery multiplication), written for constant time
 * rather than speed.  Keys come from OpenSSL so both sides use the same
 * ones.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/tls_pair.h"
#include "crypto/ecdsa.h"
#include "crypto/p384.h"
#include "lib/conn.h"

#ifdef TERN_BENCH_HAVE_OPENSSL
#include <openssl/core_names.h>
#include <openssl/evp.h>
#endif
#if defined(TERN_BENCH_HAVE_OPENSSL) && defined(TERN_BENCH_HAVE_LIBSSL)
#define HAVE_SSL 1
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

typedef struct {
    uint8_t priv[48], pub[97], peer[97], digest[48], sig[TERN_ECDSA_P384_MAX_SIG_LEN];
    size_t siglen;
} p384_job;

static void tern_ecdh_run(void *ctx, size_t iters) {
    p384_job *j = ctx;
    uint8_t out[48];
    for (size_t i = 0; i < iters; i++) {
        if (tern_p384_ecdh(out, j->priv, j->peer) != 0)
            abort();
        bench_sink(out, sizeof out);
    }
}
static void tern_sign_run(void *ctx, size_t iters) {
    p384_job *j = ctx;
    uint8_t sig[TERN_ECDSA_P384_MAX_SIG_LEN];
    size_t len;
    for (size_t i = 0; i < iters; i++) {
        if (tern_ecdsa_p384_sign(j->priv, TERN_HASH_SHA384, j->digest, sig, sizeof sig, &len, NULL, NULL) != 0)
            abort();
        bench_sink(sig, len);
    }
}
static void tern_verify_run(void *ctx, size_t iters) {
    p384_job *j = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (tern_ecdsa_p384_verify(j->pub, TERN_HASH_SHA384, j->digest, j->sig, j->siglen) != 0)
            abort();
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
typedef struct {
    EVP_PKEY_CTX *derive, *sign, *verify;
    const uint8_t *digest, *sig;
    size_t siglen;
} ossl_job;

static void ossl_ecdh_run(void *ctx, size_t iters) {
    ossl_job *j = ctx;
    uint8_t out[48];
    for (size_t i = 0; i < iters; i++) {
        size_t n = sizeof out;
        if (EVP_PKEY_derive(j->derive, out, &n) != 1)
            abort();
        bench_sink(out, n);
    }
}
static void ossl_sign_run(void *ctx, size_t iters) {
    ossl_job *j = ctx;
    uint8_t sig[128];
    for (size_t i = 0; i < iters; i++) {
        size_t n = sizeof sig;
        if (EVP_PKEY_sign(j->sign, sig, &n, j->digest, 48) != 1)
            abort();
        bench_sink(sig, n);
    }
}
static void ossl_verify_run(void *ctx, size_t iters) {
    ossl_job *j = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (EVP_PKEY_verify(j->verify, j->sig, j->siglen, j->digest, 48) != 1)
            abort();
    }
}
static EVP_PKEY *ossl_key(EVP_PKEY_CTX *gen, uint8_t priv[48], uint8_t pub[97]) {
    EVP_PKEY *pk = NULL;
    BIGNUM *bn = NULL;
    size_t len = 0;
    if (EVP_PKEY_keygen(gen, &pk) != 1 || EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1 ||
        BN_bn2binpad(bn, priv, 48) != 48 ||
        EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pub, 97, &len) != 1 || len != 97)
        abort();
    BN_clear_free(bn);
    return pk;
}
#endif

BENCH_GROUP(510, bench_p384)
static void bench_p384(void) {
    static p384_job tj;
    for (int i = 0; i < 48; i++)
        tj.digest[i] = (uint8_t)(i * 37 + 1);
#ifdef TERN_BENCH_HAVE_OPENSSL
    ossl_job oj;
    uint8_t peer_priv[48];
    EVP_PKEY_CTX *gen = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!gen || EVP_PKEY_keygen_init(gen) != 1 || EVP_PKEY_CTX_set_group_name(gen, "P-384") != 1)
        abort();
    EVP_PKEY *me = ossl_key(gen, tj.priv, tj.pub);
    EVP_PKEY *peer = ossl_key(gen, peer_priv, tj.peer);
    oj.derive = EVP_PKEY_CTX_new(me, NULL);
    oj.sign = EVP_PKEY_CTX_new(me, NULL);
    oj.verify = EVP_PKEY_CTX_new(me, NULL);
    if (!oj.derive || EVP_PKEY_derive_init(oj.derive) != 1 || EVP_PKEY_derive_set_peer(oj.derive, peer) != 1 ||
        !oj.sign || EVP_PKEY_sign_init(oj.sign) != 1 || !oj.verify || EVP_PKEY_verify_init(oj.verify) != 1)
        abort();
    if (tern_ecdsa_p384_sign(tj.priv, TERN_HASH_SHA384, tj.digest, tj.sig, sizeof tj.sig, &tj.siglen, NULL, NULL))
        abort();
    oj.digest = tj.digest;
    oj.sig = tj.sig;
    oj.siglen = tj.siglen;
    bench_pair("p384/ecdh", 0, tern_ecdh_run, &tj, ossl_ecdh_run, &oj);
    bench_pair("p384/sign", 0, tern_sign_run, &tj, ossl_sign_run, &oj);
    bench_pair("p384/verify", 0, tern_verify_run, &tj, ossl_verify_run, &oj);
    EVP_PKEY_CTX_free(oj.derive);
    EVP_PKEY_CTX_free(oj.sign);
    EVP_PKEY_CTX_free(oj.verify);
    EVP_PKEY_CTX_free(gen);
    EVP_PKEY_free(me);
    EVP_PKEY_free(peer);
#else
    uint8_t peer_priv[48];
    if (tern_p384_keygen(tj.priv, tj.pub, NULL, NULL) || tern_p384_keygen(peer_priv, tj.peer, NULL, NULL) ||
        tern_ecdsa_p384_sign(tj.priv, TERN_HASH_SHA384, tj.digest, tj.sig, sizeof tj.sig, &tj.siglen, NULL, NULL))
        abort();
    bench_pair("p384/ecdh", 0, tern_ecdh_run, &tj, NULL, NULL);
    bench_pair("p384/sign", 0, tern_sign_run, &tj, NULL, NULL);
    bench_pair("p384/verify", 0, tern_verify_run, &tj, NULL, NULL);
#endif
}

#define P384 "vectors/certs/p384/"
#define SUITE "ECDHE-ECDSA-AES256-GCM-SHA384"

BENCH_GROUP(825, bench_tls_p384)
static void bench_tls_p384(void) {
    static tls_pair t;
    memset(&t, 0, sizeof t);
    t.who = "bench_p384";
    t.ccfg = tern_config_new();
    t.scfg = tern_config_new();
    if (!t.ccfg || !t.scfg || tern_config_load_truststore(t.ccfg, P384 "root.crt") != 0 ||
        tern_config_load_keystore(t.scfg, P384 "server-chain.pem", P384 "server.key") != 0 ||
        tern_config_set_cipher_suites(t.ccfg, SUITE) != 0 || tern_config_set_groups(t.ccfg, "secp384r1") != 0) {
        fprintf(stderr, "bench_p384: cannot load vectors/certs/p384 (run from the top of the tree)\n");
        tern_config_free(t.ccfg);
        tern_config_free(t.scfg);
        return;
    }
#ifdef HAVE_SSL
    static tls_ossl_pair o;
    int have_ossl = tls_ossl_ctx_pair(&o.sctx, &o.cctx, SUITE, "P-384", P384 "server-chain.pem", P384 "server.key",
                                      P384 "root.crt", 1) == 0;
    if (!have_ossl)
        ERR_print_errors_fp(stderr);
    bench_pair("handshake/ecdhe-ecdsa-p384", 0, tls_pair_handshakes, &t, have_ossl ? tls_ossl_handshakes : NULL, &o);
    SSL_CTX_free(o.sctx);
    SSL_CTX_free(o.cctx);
#else
    bench_pair("handshake/ecdhe-ecdsa-p384", 0, tls_pair_handshakes, &t, NULL, NULL);
#endif
    tern_config_free(t.ccfg);
    tern_config_free(t.scfg);
}
