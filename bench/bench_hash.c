/*
 * Hash, HMAC and PRF rows for make bench (order 100):
 *   sha256/16384, sha256/64, sha384/16384   one-shot hash of a buffer (MB/s):
 *        tern_sha256()/tern_sha384() against EVP_DigestInit_ex2/Update/Final_ex
 *        on an EVP_MD fetched once and an EVP_MD_CTX reused across calls
 *        (OpenSSL's cheapest EVP path; EVP_Digest() allocates per call).
 *   hmac-sha256/64   a MAC over 64 bytes with a 32-byte key prepared once
 *        (MB/s): tern_hmac_start/update/final on a tern_hmac_key against
 *        EVP_MAC_init(ctx, NULL, ...)/update/final on an EVP_MAC_CTX whose
 *        key was set once (OpenSSL then restarts from its saved pads too).
 *   prf-sha256/104   a TLS 1.2 key block (ops/s): tern_tls12_prf() from a
 *        48-byte master secret, "key expansion", two 32-byte randoms, 104
 *        bytes out, against EVP_KDF_derive() on a "TLS1-PRF" EVP_KDF_CTX
 *        whose digest/secret/seed were set once.
 * Which SHA-256 path tern uses follows tern_cpu() (TERN_CPU=portable to
 * measure the portable one).
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hmac.h"

#ifdef TERN_BENCH_HAVE_OPENSSL
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#endif

static uint8_t data[16384];

typedef struct {
    size_t len;
    tern_hash_alg alg;
} tern_hash_job;

static void tern_hash_run(void *ctx, size_t iters) {
    const tern_hash_job *j = ctx;
    uint8_t out[TERN_HASH_MAX_LEN];
    for (size_t i = 0; i < iters; i++) {
        if (j->alg == TERN_HASH_SHA256)
            tern_sha256(out, data, j->len);
        else
            tern_sha384(out, data, j->len);
        bench_sink(out, 32);
    }
}

static void tern_hmac_run(void *ctx, size_t iters) {
    const tern_hmac_key *k = ctx;
    tern_hmac_ctx m;
    uint8_t out[TERN_SHA256_LEN];
    for (size_t i = 0; i < iters; i++) {
        tern_hmac_start(&m, k);
        tern_hmac_update(&m, data, 64);
        tern_hmac_final(&m, out);
        bench_sink(out, sizeof out);
    }
}

/* master secret = data[0..47], client_random = data[100..131],
 * server_random = data[200..231]. */
static void tern_prf_run(void *ctx, size_t iters) {
    (void)ctx;
    uint8_t out[104];
    for (size_t i = 0; i < iters; i++) {
        if (tern_tls12_prf(TERN_HASH_SHA256, data, 48, "key expansion", data + 200, 32, data + 100, 32, out,
                           sizeof out) != 0)
            abort();
        bench_sink(out, sizeof out);
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
typedef struct {
    size_t len;
    EVP_MD *md;
    EVP_MD_CTX *mctx;
} ossl_hash_job;

static void ossl_hash_run(void *ctx, size_t iters) {
    ossl_hash_job *j = ctx;
    uint8_t out[EVP_MAX_MD_SIZE];
    unsigned n;
    for (size_t i = 0; i < iters; i++) {
        if (EVP_DigestInit_ex2(j->mctx, j->md, NULL) != 1 || EVP_DigestUpdate(j->mctx, data, j->len) != 1 ||
            EVP_DigestFinal_ex(j->mctx, out, &n) != 1)
            abort();
        bench_sink(out, n);
    }
}

static void ossl_hmac_run(void *ctx, size_t iters) {
    EVP_MAC_CTX *m = ctx;
    uint8_t out[32];
    size_t n;
    for (size_t i = 0; i < iters; i++) {
        if (EVP_MAC_init(m, NULL, 0, NULL) != 1 || EVP_MAC_update(m, data, 64) != 1 ||
            EVP_MAC_final(m, out, &n, sizeof out) != 1)
            abort();
        bench_sink(out, n);
    }
}

static void ossl_prf_run(void *ctx, size_t iters) {
    EVP_KDF_CTX *k = ctx;
    uint8_t out[104];
    for (size_t i = 0; i < iters; i++) {
        if (EVP_KDF_derive(k, out, sizeof out, NULL) != 1)
            abort();
        bench_sink(out, sizeof out);
    }
}

static void hash_row(const char *item, const char *mdname, tern_hash_alg alg, size_t len) {
    tern_hash_job tj = {len, alg};
    ossl_hash_job oj = {len, EVP_MD_fetch(NULL, mdname, NULL), EVP_MD_CTX_new()};
    if (!oj.md || !oj.mctx)
        abort();
    bench_pair(item, len, tern_hash_run, &tj, ossl_hash_run, &oj);
    EVP_MD_CTX_free(oj.mctx);
    EVP_MD_free(oj.md);
}

static void hmac_row(const tern_hmac_key *k) {
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *m = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
                       OSSL_PARAM_construct_end()};
    if (!m || EVP_MAC_init(m, data + 300, 32, p) != 1)
        abort();
    bench_pair("hmac-sha256/64", 64, tern_hmac_run, (void *)k, ossl_hmac_run, m);
    EVP_MAC_CTX_free(m);
    EVP_MAC_free(mac);
}

static void prf_row(void) {
    uint8_t seed[13 + 64];
    memcpy(seed, "key expansion", 13);
    memcpy(seed + 13, data + 200, 32);
    memcpy(seed + 45, data + 100, 32);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *k = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
    OSSL_PARAM p[4] = {OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0),
                       OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, data, 48),
                       OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, sizeof seed),
                       OSSL_PARAM_construct_end()};
    if (!k || EVP_KDF_CTX_set_params(k, p) != 1)
        abort();
    /* Both sides must compute the same key block. */
    uint8_t a[104], b[104];
    if (tern_tls12_prf(TERN_HASH_SHA256, data, 48, "key expansion", data + 200, 32, data + 100, 32, a, sizeof a) != 0 ||
        EVP_KDF_derive(k, b, sizeof b, NULL) != 1 || memcmp(a, b, sizeof a) != 0) {
        fprintf(stderr, "bench_hash: tern and OpenSSL PRF outputs differ\n");
        abort();
    }
    bench_pair("prf-sha256/104", 0, tern_prf_run, NULL, ossl_prf_run, k);
    EVP_KDF_CTX_free(k);
    EVP_KDF_free(kdf);
}
#else
static void hash_row(const char *item, const char *mdname, tern_hash_alg alg, size_t len) {
    (void)mdname;
    tern_hash_job tj = {len, alg};
    bench_pair(item, len, tern_hash_run, &tj, NULL, NULL);
}
static void hmac_row(const tern_hmac_key *k) {
    bench_pair("hmac-sha256/64", 64, tern_hmac_run, (void *)k, NULL, NULL);
}
static void prf_row(void) {
    bench_pair("prf-sha256/104", 0, tern_prf_run, NULL, NULL, NULL);
}
#endif

BENCH_GROUP(100, bench_hash)
static void bench_hash(void) {
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 31 + 7);
    hash_row("sha256/16384", "SHA256", TERN_HASH_SHA256, 16384);
    hash_row("sha256/64", "SHA256", TERN_HASH_SHA256, 64);
    hash_row("sha384/16384", "SHA384", TERN_HASH_SHA384, 16384);
    tern_hmac_key k;
    if (tern_hmac_key_init(&k, TERN_HASH_SHA256, data + 300, 32) != 0)
        abort();
    hmac_row(&k);
    tern_hmac_key_wipe(&k);
    prf_row();
}
