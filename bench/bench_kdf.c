/*
 * Key-derivation row for make bench (order 110, after the hashes):
 *   pbkdf2-sha256/2048   derivations per second (ops/s) of a 32-byte key
 *        from an 8-byte password and a 16-byte salt with PBKDF2-HMAC-SHA-256
 *        and 2048 iterations (OpenSSL's default for PKCS#12 and encrypted
 *        PKCS#8): tern_pbkdf2() against PKCS5_PBKDF2_HMAC() (which also
 *        prepares the HMAC key once and copies the pad states per
 *        iteration).  Both must give the same key.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/pbkdf.h"

#ifdef TERN_BENCH_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static const uint8_t pw[8] = "password";
static const uint8_t salt[16] = {0x3a, 0x91, 0x5c, 0x07, 0xe2, 0x44, 0xb8, 0x16,
                                 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef};
#define ITER 2048

static void tern_pbkdf2_run(void *ctx, size_t iters) {
    (void)ctx;
    uint8_t out[32];
    for (size_t i = 0; i < iters; i++) {
        if (tern_pbkdf2(TERN_HASH_SHA256, pw, sizeof pw, salt, sizeof salt, ITER, out, sizeof out) != 0)
            abort();
        bench_sink(out, sizeof out);
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
static void ossl_pbkdf2_run(void *ctx, size_t iters) {
    (void)ctx;
    uint8_t out[32];
    for (size_t i = 0; i < iters; i++) {
        if (PKCS5_PBKDF2_HMAC((const char *)pw, sizeof pw, salt, sizeof salt, ITER, EVP_sha256(), sizeof out, out) != 1)
            abort();
        bench_sink(out, sizeof out);
    }
}
#endif

BENCH_GROUP(110, bench_kdf)
static void bench_kdf(void) {
#ifdef TERN_BENCH_HAVE_OPENSSL
    uint8_t a[32], b[32];
    if (tern_pbkdf2(TERN_HASH_SHA256, pw, sizeof pw, salt, sizeof salt, ITER, a, sizeof a) != 0 ||
        PKCS5_PBKDF2_HMAC((const char *)pw, sizeof pw, salt, sizeof salt, ITER, EVP_sha256(), sizeof b, b) != 1 ||
        memcmp(a, b, sizeof a) != 0) {
        fprintf(stderr, "bench_kdf: tern and OpenSSL PBKDF2 outputs differ\n");
        abort();
    }
    bench_pair("pbkdf2-sha256/2048", 0, tern_pbkdf2_run, NULL, ossl_pbkdf2_run, NULL);
#else
    bench_pair("pbkdf2-sha256/2048", 0, tern_pbkdf2_run, NULL, NULL, NULL);
#endif
}
