/*
 * P-256, ECDSA and ChaCha20-Poly1305 rows for make bench (order 500):
 *   p256/ecdh            one shared secret: tern_p256_ecdh() (peer point
 *                        validated each time) against EVP_PKEY_derive() on
 *                        a context made once with the peer set.
 *   p256/keygen          a key pair with the OS RNG: tern_p256_keygen()
 *                        against EVP_PKEY_keygen() on a context made once.
 *   p256/sign            a DER signature of a 32-byte digest:
 *                        tern_ecdsa_p256_sign() (RFC 6979 hedged with OS
 *                        randomness) against EVP_PKEY_sign().
 *   p256/verify          tern_ecdsa_p256_verify() against EVP_PKEY_verify()
 *                        on the same signature.
 *   chacha20-poly1305/16384, chacha20-poly1305/64
 *                        MB/s sealed like a TLS record (13-byte AAD, fresh
 *                        nonce per call): tern_chacha20poly1305_seal() on
 *                        the path tern_cpu() picks against
 *                        EVP_chacha20_poly1305 on a context keyed once.
 *   chacha20-poly1305-portable/16384
 *                        the same with TERN_CPU=portable for tern.
 * Keys come from OpenSSL so both sides use the same ones.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/chacha20poly1305.h"
#include "crypto/cpu.h"
#include "crypto/ecdsa.h"
#include "crypto/p256.h"

#ifdef TERN_BENCH_HAVE_OPENSSL
#include <openssl/core_names.h>
#include <openssl/evp.h>
#endif

/* ---- P-256 / ECDSA ---- */

typedef struct {
    uint8_t priv[32], pub[65], peer[65], digest[32], sig[72];
    size_t siglen;
} ec_job;

static void tern_ecdh_run(void *ctx, size_t iters) {
    ec_job *j = ctx;
    uint8_t out[32];
    for (size_t i = 0; i < iters; i++) {
        if (tern_p256_ecdh(out, j->priv, j->peer) != 0)
            abort();
        bench_sink(out, sizeof out);
    }
}
static void tern_keygen_run(void *ctx, size_t iters) {
    (void)ctx;
    uint8_t priv[32], pub[65];
    for (size_t i = 0; i < iters; i++) {
        if (tern_p256_keygen(priv, pub, NULL, NULL) != 0)
            abort();
        bench_sink(pub, sizeof pub);
    }
}
static void tern_sign_run(void *ctx, size_t iters) {
    ec_job *j = ctx;
    uint8_t sig[72];
    size_t len;
    for (size_t i = 0; i < iters; i++) {
        if (tern_ecdsa_p256_sign(j->priv, TERN_HASH_SHA256, j->digest, sig, sizeof sig, &len, NULL, NULL) != 0)
            abort();
        bench_sink(sig, len);
    }
}
static void tern_verify_run(void *ctx, size_t iters) {
    ec_job *j = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (tern_ecdsa_p256_verify(j->pub, TERN_HASH_SHA256, j->digest, j->sig, j->siglen) != 0)
            abort();
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
typedef struct {
    EVP_PKEY_CTX *derive, *keygen, *sign, *verify;
    const uint8_t *digest, *sig;
    size_t siglen;
} ossl_ec_job;

static void ossl_ecdh_run(void *ctx, size_t iters) {
    ossl_ec_job *j = ctx;
    uint8_t out[32];
    for (size_t i = 0; i < iters; i++) {
        size_t n = sizeof out;
        if (EVP_PKEY_derive(j->derive, out, &n) != 1)
            abort();
        bench_sink(out, n);
    }
}
static void ossl_keygen_run(void *ctx, size_t iters) {
    ossl_ec_job *j = ctx;
    for (size_t i = 0; i < iters; i++) {
        EVP_PKEY *k = NULL;
        if (EVP_PKEY_keygen(j->keygen, &k) != 1)
            abort();
        EVP_PKEY_free(k);
    }
}
static void ossl_sign_run(void *ctx, size_t iters) {
    ossl_ec_job *j = ctx;
    uint8_t sig[80];
    for (size_t i = 0; i < iters; i++) {
        size_t n = sizeof sig;
        if (EVP_PKEY_sign(j->sign, sig, &n, j->digest, 32) != 1)
            abort();
        bench_sink(sig, n);
    }
}
static void ossl_verify_run(void *ctx, size_t iters) {
    ossl_ec_job *j = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (EVP_PKEY_verify(j->verify, j->sig, j->siglen, j->digest, 32) != 1)
            abort();
    }
}

static EVP_PKEY *ossl_p256_key(EVP_PKEY_CTX *gen, uint8_t priv[32], uint8_t pub[65]) {
    EVP_PKEY *pk = NULL;
    BIGNUM *bn = NULL;
    size_t len = 0;
    if (EVP_PKEY_keygen(gen, &pk) != 1 || EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bn) != 1 ||
        BN_bn2binpad(bn, priv, 32) != 32 ||
        EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pub, 65, &len) != 1 || len != 65)
        abort();
    BN_clear_free(bn);
    return pk;
}
#endif

static void bench_p256(void) {
    static ec_job tj;
    for (int i = 0; i < 32; i++)
        tj.digest[i] = (uint8_t)(i * 37 + 1);
#ifdef TERN_BENCH_HAVE_OPENSSL
    ossl_ec_job oj;
    uint8_t peer_priv[32];
    oj.keygen = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    if (!oj.keygen || EVP_PKEY_keygen_init(oj.keygen) != 1 || EVP_PKEY_CTX_set_group_name(oj.keygen, "P-256") != 1)
        abort();
    EVP_PKEY *me = ossl_p256_key(oj.keygen, tj.priv, tj.pub);
    EVP_PKEY *peer = ossl_p256_key(oj.keygen, peer_priv, tj.peer);
    oj.derive = EVP_PKEY_CTX_new(me, NULL);
    oj.sign = EVP_PKEY_CTX_new(me, NULL);
    oj.verify = EVP_PKEY_CTX_new(me, NULL);
    if (!oj.derive || EVP_PKEY_derive_init(oj.derive) != 1 || EVP_PKEY_derive_set_peer(oj.derive, peer) != 1 ||
        !oj.sign || EVP_PKEY_sign_init(oj.sign) != 1 || !oj.verify || EVP_PKEY_verify_init(oj.verify) != 1)
        abort();
    if (tern_ecdsa_p256_sign(tj.priv, TERN_HASH_SHA256, tj.digest, tj.sig, sizeof tj.sig, &tj.siglen, NULL, NULL))
        abort();
    oj.digest = tj.digest;
    oj.sig = tj.sig;
    oj.siglen = tj.siglen;
    bench_pair("p256/ecdh", 0, tern_ecdh_run, &tj, ossl_ecdh_run, &oj);
    bench_pair("p256/keygen", 0, tern_keygen_run, &tj, ossl_keygen_run, &oj);
    bench_pair("p256/sign", 0, tern_sign_run, &tj, ossl_sign_run, &oj);
    bench_pair("p256/verify", 0, tern_verify_run, &tj, ossl_verify_run, &oj);
    EVP_PKEY_CTX_free(oj.derive);
    EVP_PKEY_CTX_free(oj.sign);
    EVP_PKEY_CTX_free(oj.verify);
    EVP_PKEY_CTX_free(oj.keygen);
    EVP_PKEY_free(me);
    EVP_PKEY_free(peer);
#else
    uint8_t peer_priv[32];
    if (tern_p256_keygen(tj.priv, tj.pub, NULL, NULL) || tern_p256_keygen(peer_priv, tj.peer, NULL, NULL) ||
        tern_ecdsa_p256_sign(tj.priv, TERN_HASH_SHA256, tj.digest, tj.sig, sizeof tj.sig, &tj.siglen, NULL, NULL))
        abort();
    bench_pair("p256/ecdh", 0, tern_ecdh_run, &tj, NULL, NULL);
    bench_pair("p256/keygen", 0, tern_keygen_run, &tj, NULL, NULL);
    bench_pair("p256/sign", 0, tern_sign_run, &tj, NULL, NULL);
    bench_pair("p256/verify", 0, tern_verify_run, &tj, NULL, NULL);
#endif
}

/* ---- ChaCha20-Poly1305 ---- */

static uint8_t cc_in[16384], cc_out[16384];
static const uint8_t cc_key[32] = {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a,
                                   0x8b, 0x8c, 0x8d, 0x8e, 0x8f, 0x90, 0x91, 0x92, 0x93, 0x94, 0x95,
                                   0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b, 0x9c, 0x9d, 0x9e, 0x9f};
static const uint8_t cc_aad[13] = {0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0x40, 0};

typedef struct {
    size_t len;
    uint8_t nonce[12];
#ifdef TERN_BENCH_HAVE_OPENSSL
    EVP_CIPHER_CTX *ctx;
#endif
} cc_job;

static void bump(uint8_t nonce[12]) {
    for (int i = 11; i >= 4; i--)
        if (++nonce[i] != 0)
            break;
}

static void tern_cc_run(void *ctx, size_t iters) {
    cc_job *j = ctx;
    uint8_t tag[16];
    for (size_t i = 0; i < iters; i++) {
        bump(j->nonce);
        if (tern_chacha20poly1305_seal(cc_key, j->nonce, cc_aad, sizeof cc_aad, cc_in, j->len, cc_out, tag) != 0)
            abort();
        bench_sink(tag, sizeof tag);
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
static void ossl_cc_run(void *ctx, size_t iters) {
    cc_job *j = ctx;
    uint8_t tag[16];
    int n, m;
    for (size_t i = 0; i < iters; i++) {
        bump(j->nonce);
        if (EVP_EncryptInit_ex(j->ctx, NULL, NULL, NULL, j->nonce) != 1 ||
            EVP_EncryptUpdate(j->ctx, NULL, &n, cc_aad, (int)sizeof cc_aad) != 1 ||
            EVP_EncryptUpdate(j->ctx, cc_out, &n, cc_in, (int)j->len) != 1 ||
            EVP_EncryptFinal_ex(j->ctx, cc_out + n, &m) != 1 ||
            EVP_CIPHER_CTX_ctrl(j->ctx, EVP_CTRL_AEAD_GET_TAG, 16, tag) != 1)
            abort();
        bench_sink(tag, sizeof tag);
    }
}
#endif

/* A portable row switches tern's path for its duration only. */
static void cc_row(const char *item, size_t len, int portable) {
    cc_job tj, oj;
    memset(&tj, 0, sizeof tj);
    memset(&oj, 0, sizeof oj);
    tj.len = oj.len = len;
    const char *saved = getenv("TERN_CPU");
    char *restore = saved ? strdup(saved) : NULL;
    if (portable) {
        setenv("TERN_CPU", "portable", 1);
        tern_cpu_reset();
    }
#ifdef TERN_BENCH_HAVE_OPENSSL
    oj.ctx = EVP_CIPHER_CTX_new();
    if (!oj.ctx || EVP_EncryptInit_ex(oj.ctx, EVP_chacha20_poly1305(), NULL, cc_key, oj.nonce) != 1)
        abort();
    bench_pair(item, len, tern_cc_run, &tj, ossl_cc_run, &oj);
    EVP_CIPHER_CTX_free(oj.ctx);
#else
    bench_pair(item, len, tern_cc_run, &tj, NULL, NULL);
#endif
    if (portable) {
        if (restore)
            setenv("TERN_CPU", restore, 1);
        else
            unsetenv("TERN_CPU");
        tern_cpu_reset();
    }
    free(restore);
}

BENCH_GROUP(500, bench_ec)
static void bench_ec(void) {
    bench_p256();
    for (size_t i = 0; i < sizeof cc_in; i++)
        cc_in[i] = (uint8_t)(i * 131 + 7);
    cc_row("chacha20-poly1305/16384", 16384, 0);
    cc_row("chacha20-poly1305/64", 64, 0);
    cc_row("chacha20-poly1305-portable/16384", 16384, 1);
}
