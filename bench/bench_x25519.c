/*
 * X25519 rows for make bench (order 300):
 *   x25519/shared  one variable-base multiply: tern_x25519() against
 *                  EVP_PKEY_derive() on a context made once (peer set).
 *   x25519/keygen  a key pair, i.e. random bytes plus one fixed-base
 *                  multiply: tern_x25519_keygen() with the OS RNG against
 *                  EVP_PKEY_keygen() on a context made once.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>

#include "crypto/x25519.h"

#ifdef TERN_BENCH_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static const uint8_t priv_a[32] = {0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
                                   0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
                                   0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
static const uint8_t pub_b[32] = {0xde, 0x9e, 0xdb, 0x7d, 0x7b, 0x7d, 0xc1, 0xb4, 0xd3, 0x5b, 0x61,
                                  0xc2, 0xec, 0xe4, 0x35, 0x37, 0x3f, 0x83, 0x43, 0xc8, 0x5b, 0x78,
                                  0x67, 0x4d, 0xad, 0xfc, 0x7e, 0x14, 0x6f, 0x88, 0x2b, 0x4f};

static void tern_shared(void *ctx, size_t iters) {
    (void)ctx;
    uint8_t out[32];
    for (size_t i = 0; i < iters; i++) {
        if (tern_x25519(out, priv_a, pub_b) != 0)
            abort();
        bench_sink(out, sizeof out);
    }
}

static void tern_keygen(void *ctx, size_t iters) {
    (void)ctx;
    uint8_t priv[32], pub[32];
    for (size_t i = 0; i < iters; i++) {
        if (tern_x25519_keygen(priv, pub, NULL, NULL) != 0)
            abort();
        bench_sink(pub, sizeof pub);
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
static void ossl_shared(void *ctx, size_t iters) {
    uint8_t out[32];
    for (size_t i = 0; i < iters; i++) {
        size_t n = sizeof out;
        if (EVP_PKEY_derive(ctx, out, &n) != 1)
            abort();
        bench_sink(out, n);
    }
}

static void ossl_keygen(void *ctx, size_t iters) {
    for (size_t i = 0; i < iters; i++) {
        EVP_PKEY *k = NULL;
        if (EVP_PKEY_keygen(ctx, &k) != 1)
            abort();
        EVP_PKEY_free(k);
    }
}
#endif

BENCH_GROUP(300, bench_x25519)
static void bench_x25519(void) {
#ifdef TERN_BENCH_HAVE_OPENSSL
    EVP_PKEY *a = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv_a, 32);
    EVP_PKEY *b = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub_b, 32);
    EVP_PKEY_CTX *dctx = a ? EVP_PKEY_CTX_new(a, NULL) : NULL;
    EVP_PKEY_CTX *gctx = EVP_PKEY_CTX_new_id(EVP_PKEY_X25519, NULL);
    if (!b || !dctx || EVP_PKEY_derive_init(dctx) != 1 || EVP_PKEY_derive_set_peer(dctx, b) != 1 || !gctx ||
        EVP_PKEY_keygen_init(gctx) != 1) {
        fprintf(stderr, "bench_x25519: OpenSSL setup failed\n");
        abort();
    }
    bench_pair("x25519/shared", 0, tern_shared, NULL, ossl_shared, dctx);
    bench_pair("x25519/keygen", 0, tern_keygen, NULL, ossl_keygen, gctx);
    EVP_PKEY_CTX_free(gctx);
    EVP_PKEY_CTX_free(dctx);
    EVP_PKEY_free(b);
    EVP_PKEY_free(a);
#else
    bench_pair("x25519/shared", 0, tern_shared, NULL, NULL, NULL);
    bench_pair("x25519/keygen", 0, tern_keygen, NULL, NULL, NULL);
#endif
}
