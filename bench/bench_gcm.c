/*
 * AES-GCM rows for make bench (order 200), MB/s of plaintext sealed:
 *   aes-128-gcm/16384, aes-128-gcm/1024, aes-128-gcm/64, aes-256-gcm/16384
 *        tern_gcm_seal on a key set up once (the path tern_cpu() picks)
 *        against OpenSSL's EVP_aes_{128,256}_gcm on an EVP_CIPHER_CTX
 *        initialised once with the key, where each operation re-initialises
 *        only the IV, then AAD update, data update, final and GET_TAG.
 *   aes-128-gcm-portable/16384
 *        tern's portable constant-time path (forced with TERN_CPU=portable
 *        while the key is set up) against the same OpenSSL figure.
 * Both sides seal like a TLS 1.2 record: a 13-byte AAD and a fresh nonce per
 * call (the last 8 bytes count up, as RFC 5288's explicit nonce may).
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cpu.h"
#include "crypto/gcm.h"

#ifdef TERN_BENCH_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static uint8_t gcm_in[16384], gcm_out[16384 + 16];
static const uint8_t gcm_key[32] = {0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xa9, 0xba,
                                    0xcb, 0xdc, 0xed, 0xfe, 0x0f, 0x01, 0x12, 0x23, 0x34, 0x45, 0x56,
                                    0x67, 0x78, 0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0};
static const uint8_t gcm_aad[13] = {0, 0, 0, 0, 0, 0, 0, 1, 23, 3, 3, 0x40, 0};

typedef struct {
    tern_gcm_key key;
    size_t len;
    uint8_t nonce[12];
} tern_gcm_job;

static void bump(uint8_t nonce[12]) {
    for (int i = 11; i >= 4; i--)
        if (++nonce[i] != 0)
            break;
}

static void tern_gcm_run(void *ctx, size_t iters) {
    tern_gcm_job *j = ctx;
    uint8_t tag[16];
    for (size_t i = 0; i < iters; i++) {
        bump(j->nonce);
        tern_gcm_seal(&j->key, j->nonce, gcm_aad, sizeof gcm_aad, gcm_in, j->len, gcm_out, tag);
        bench_sink(tag, sizeof tag);
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
typedef struct {
    EVP_CIPHER_CTX *ctx;
    size_t len;
    uint8_t nonce[12];
} ossl_gcm_job;

static void ossl_gcm_run(void *ctx, size_t iters) {
    ossl_gcm_job *j = ctx;
    uint8_t tag[16];
    int n, m;
    for (size_t i = 0; i < iters; i++) {
        bump(j->nonce);
        if (EVP_EncryptInit_ex(j->ctx, NULL, NULL, NULL, j->nonce) != 1 ||
            EVP_EncryptUpdate(j->ctx, NULL, &n, gcm_aad, (int)sizeof gcm_aad) != 1 ||
            EVP_EncryptUpdate(j->ctx, gcm_out, &n, gcm_in, (int)j->len) != 1 ||
            EVP_EncryptFinal_ex(j->ctx, gcm_out + n, &m) != 1 ||
            EVP_CIPHER_CTX_ctrl(j->ctx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
            abort();
        bench_sink(tag, sizeof tag);
    }
}

static void ossl_gcm_setup(ossl_gcm_job *j, size_t keylen, size_t len) {
    memset(j, 0, sizeof *j);
    j->len = len;
    j->ctx = EVP_CIPHER_CTX_new();
    if (j->ctx == NULL ||
        EVP_EncryptInit_ex(j->ctx, keylen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), NULL, gcm_key,
                           j->nonce) != 1)
        abort();
}
#endif

static void tern_gcm_setup(tern_gcm_job *j, size_t keylen, size_t len) {
    memset(j->nonce, 0, sizeof j->nonce);
    j->len = len;
    if (tern_gcm_init(&j->key, gcm_key, keylen) != 0)
        abort();
}

static void row(const char *item, size_t keylen, size_t len, int portable) {
    static tern_gcm_job tj; /* static: keeps the key off the stack, 16-byte aligned */
    const char *saved = getenv("TERN_CPU");
    char *restore = saved ? strdup(saved) : NULL;
    if (portable) {
        setenv("TERN_CPU", "portable", 1);
        tern_cpu_reset();
    }
    tern_gcm_setup(&tj, keylen, len);
    if (portable) {
        if (restore)
            setenv("TERN_CPU", restore, 1);
        else
            unsetenv("TERN_CPU");
        tern_cpu_reset();
    }
    free(restore);
#ifdef TERN_BENCH_HAVE_OPENSSL
    ossl_gcm_job oj;
    ossl_gcm_setup(&oj, keylen, len);
    bench_pair(item, len, tern_gcm_run, &tj, ossl_gcm_run, &oj);
    EVP_CIPHER_CTX_free(oj.ctx);
#else
    bench_pair(item, len, tern_gcm_run, &tj, NULL, NULL);
#endif
    tern_gcm_wipe(&tj.key);
}

BENCH_GROUP(200, bench_gcm)
static void bench_gcm(void) {
    for (size_t i = 0; i < sizeof gcm_in; i++)
        gcm_in[i] = (uint8_t)(i * 131 + 7);
    row("aes-128-gcm/16384", 16, 16384, 0);
    row("aes-128-gcm/1024", 16, 1024, 0);
    row("aes-128-gcm/64", 16, 64, 0);
    row("aes-256-gcm/16384", 32, 16384, 0);
    row("aes-128-gcm-portable/16384", 16, 16384, 1);
    tern_gcm_key k;
    if (tern_gcm_init(&k, gcm_key, 16) == 0)
        fprintf(stderr, "# aes-gcm: tern path %s, key %zu bytes (tern_gcm_key_size; sizeof %zu)\n",
                tern_gcm_impl_name(&k), tern_gcm_key_size(), sizeof k);
    tern_gcm_wipe(&k);
}
