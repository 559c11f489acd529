/*
 * AES-CBC decryption rows for make bench (order 210), MB/s of ciphertext
 * decrypted (no padding):
 *   aes-128-cbc-dec/16384, aes-256-cbc-dec/16384
 *        tern_aes_cbc_decrypt (the path tern_cpu() picks; the API takes the
 *        raw key, so every call includes the key expansion) against
 *        OpenSSL's EVP_aes_{128,256}_cbc on an EVP_CIPHER_CTX initialised
 *        once with the key, where each operation re-initialises only the IV,
 *        then one update and final (padding off).
 *   aes-256-cbc-dec-portable/16384
 *        tern's portable constant-time path (TERN_CPU=portable while the row
 *        runs) against the same OpenSSL figure.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/aes_cbc.h"
#include "crypto/cpu.h"

#ifdef TERN_BENCH_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static uint8_t cbc_in[16384], cbc_out[16384 + 16];
static const uint8_t cbc_key[32] = {0x31, 0x42, 0x53, 0x64, 0x75, 0x86, 0x97, 0xa8, 0xb9, 0xca, 0xdb,
                                    0xec, 0xfd, 0x0e, 0x1f, 0x20, 0x02, 0x13, 0x24, 0x35, 0x46, 0x57,
                                    0x68, 0x79, 0x8a, 0x9b, 0xac, 0xbd, 0xce, 0xdf, 0xe0, 0xf1};
static const uint8_t cbc_iv[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

typedef struct {
    size_t keylen, len;
} tern_cbc_job;

static void tern_cbc_run(void *ctx, size_t iters) {
    tern_cbc_job *j = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (tern_aes_cbc_decrypt(cbc_key, j->keylen, cbc_iv, cbc_in, j->len, cbc_out) != 0)
            abort();
        bench_sink(cbc_out, 16);
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
typedef struct {
    EVP_CIPHER_CTX *ctx;
    size_t len;
} ossl_cbc_job;

static void ossl_cbc_run(void *ctx, size_t iters) {
    ossl_cbc_job *j = ctx;
    int n, m;
    for (size_t i = 0; i < iters; i++) {
        if (EVP_DecryptInit_ex(j->ctx, NULL, NULL, NULL, cbc_iv) != 1 ||
            EVP_DecryptUpdate(j->ctx, cbc_out, &n, cbc_in, (int)j->len) != 1 ||
            EVP_DecryptFinal_ex(j->ctx, cbc_out + n, &m) != 1)
            abort();
        bench_sink(cbc_out, 16);
    }
}
#endif

static void row(const char *item, size_t keylen, size_t len, int portable) {
    tern_cbc_job tj = {keylen, len};
    const char *saved = getenv("TERN_CPU");
    char *restore = saved ? strdup(saved) : NULL;
    if (portable) {
        setenv("TERN_CPU", "portable", 1);
        tern_cpu_reset();
    }
#ifdef TERN_BENCH_HAVE_OPENSSL
    ossl_cbc_job oj = {EVP_CIPHER_CTX_new(), len};
    if (oj.ctx == NULL ||
        EVP_DecryptInit_ex(oj.ctx, keylen == 16 ? EVP_aes_128_cbc() : EVP_aes_256_cbc(), NULL, cbc_key, cbc_iv) !=
            1)
        abort();
    EVP_CIPHER_CTX_set_padding(oj.ctx, 0);
    bench_pair(item, len, tern_cbc_run, &tj, ossl_cbc_run, &oj);
    EVP_CIPHER_CTX_free(oj.ctx);
#else
    bench_pair(item, len, tern_cbc_run, &tj, NULL, NULL);
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

BENCH_GROUP(210, bench_cbc)
static void bench_cbc(void) {
    for (size_t i = 0; i < sizeof cbc_in; i++)
        cbc_in[i] = (uint8_t)(i * 151 + 3);
    row("aes-128-cbc-dec/16384", 16, 16384, 0);
    row("aes-256-cbc-dec/16384", 32, 16384, 0);
    row("aes-256-cbc-dec-portable/16384", 32, 16384, 1);
    fprintf(stderr, "# aes-cbc: tern path %s\n", tern_aes_cbc_impl_name());
}
