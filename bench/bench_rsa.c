/*
 * RSA rows for make bench (order 400).  Keys: the Wycheproof
 * rsa_pkcs1_{2048,3072,4096}_test.json keys (e = 65537), read from
 * vectors/ (run from the top of the tree); OpenSSL gets the same key from
 * its PKCS#8 encoding.  OpenSSL contexts are made once, outside the timing.
 *   rsaN/sign              tern_rsa_pkcs1_sign (SHA-256 digest, fresh
 *                          blinding from getrandom, CRT, result check)
 *                          against EVP_PKEY_sign (PKCS#1 v1.5, SHA-256).
 *   rsa2048/sign-portable  the same with TERN_CPU=portable (the __int128
 *                          Montgomery path) against the same OpenSSL row.
 *   rsa2048/verify         tern_rsa_pkcs1_verify against EVP_PKEY_verify.
 *   rsa2048/decrypt        tern_rsa_tls_premaster_decrypt of a 48-byte
 *                          premaster (what a TLS server runs) against
 *                          EVP_PKEY_decrypt with PKCS#1 v1.5 padding.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cpu.h"
#include "crypto/rsa.h"

#ifdef TERN_BENCH_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif

/* The hex string value of "key" at or after `from` in a JSON text. */
static size_t json_hex(const char *text, const char *from, const char *key, uint8_t *out, size_t cap) {
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\"", key);
    const char *p = strstr(from, pat);
    if (!p)
        return 0;
    p = strchr(p + strlen(pat), '"');
    if (!p)
        return 0;
    p++;
    size_t n = 0;
    while (p[0] && p[0] != '"' && p[1] && n < cap) {
        unsigned v;
        if (sscanf(p, "%2x", &v) != 1)
            return 0;
        out[n++] = (uint8_t)v;
        p += 2;
    }
    (void)text;
    return n;
}

static char *slurp(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)len + 1);
    if (buf && fread(buf, 1, (size_t)len, f) != (size_t)len) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[len] = 0;
    fclose(f);
    return buf;
}

typedef struct {
    tern_rsa_private key;
    uint8_t digest[32];
    uint8_t sig[TERN_RSA_MAX_BYTES];
    uint8_t ct[TERN_RSA_MAX_BYTES];
    size_t len;
#ifdef TERN_BENCH_HAVE_OPENSSL
    EVP_PKEY *pkey;
    EVP_PKEY_CTX *sctx, *vctx, *dctx;
#endif
} rsa_bench;

static int load(rsa_bench *b, int bits) {
    char path[128];
    snprintf(path, sizeof path, "vectors/wycheproof/rsa_pkcs1_%d_test.json", bits);
    char *text = slurp(path);
    if (!text) {
        fprintf(stderr, "bench_rsa: %s not found (run from the top of the tree)\n", path);
        return -1;
    }
    static const char *names[8] = {"modulus",  "publicExponent", "privateExponent", "prime1",
                                   "prime2",   "exponent1",      "exponent2",       "coefficient"};
    static uint8_t parts[8][1024];
    tern_rsa_bytes f[8];
    const char *pk = strstr(text, "\"privateKey\"");
    for (int i = 0; i < 8; i++) {
        f[i].p = parts[i];
        f[i].len = pk ? json_hex(text, pk, names[i], parts[i], sizeof parts[i]) : 0;
    }
    int rc = tern_rsa_private_init(&b->key, f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7]);
    if (rc) {
        fprintf(stderr, "bench_rsa: key load failed (%d)\n", rc);
        free(text);
        return -1;
    }
    b->len = tern_rsa_len(&b->key.pub);
    for (int i = 0; i < 32; i++)
        b->digest[i] = (uint8_t)(i * 13 + 1);
    uint8_t pms[48];
    memset(pms, 0x42, sizeof pms);
    pms[0] = 3, pms[1] = 3;
    if (tern_rsa_pkcs1_sign(&b->key, TERN_HASH_SHA256, b->digest, b->sig, sizeof b->sig, NULL, NULL) ||
        tern_rsa_pkcs1_encrypt(&b->key.pub, pms, 48, b->ct, sizeof b->ct, NULL, NULL)) {
        free(text);
        return -1;
    }
#ifdef TERN_BENCH_HAVE_OPENSSL
    static uint8_t der[4096];
    size_t dlen = json_hex(text, text, "privateKeyPkcs8", der, sizeof der);
    const unsigned char *dp = der;
    b->pkey = d2i_AutoPrivateKey(NULL, &dp, (long)dlen);
    b->sctx = b->pkey ? EVP_PKEY_CTX_new(b->pkey, NULL) : NULL;
    b->vctx = b->pkey ? EVP_PKEY_CTX_new(b->pkey, NULL) : NULL;
    b->dctx = b->pkey ? EVP_PKEY_CTX_new(b->pkey, NULL) : NULL;
    if (!b->sctx || !b->vctx || !b->dctx || EVP_PKEY_sign_init(b->sctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(b->sctx, RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(b->sctx, EVP_sha256()) <= 0 || EVP_PKEY_verify_init(b->vctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(b->vctx, RSA_PKCS1_PADDING) <= 0 ||
        EVP_PKEY_CTX_set_signature_md(b->vctx, EVP_sha256()) <= 0 || EVP_PKEY_decrypt_init(b->dctx) != 1 ||
        EVP_PKEY_CTX_set_rsa_padding(b->dctx, RSA_PKCS1_PADDING) <= 0) {
        fprintf(stderr, "bench_rsa: OpenSSL setup failed\n");
        abort();
    }
    /* Same key, same deterministic signature on both sides. */
    uint8_t osig[TERN_RSA_MAX_BYTES];
    size_t olen = sizeof osig;
    if (EVP_PKEY_sign(b->sctx, osig, &olen, b->digest, 32) != 1 || olen != b->len ||
        memcmp(osig, b->sig, olen) != 0) {
        fprintf(stderr, "bench_rsa: OpenSSL and tern signatures differ\n");
        abort();
    }
#endif
    free(text);
    return 0;
}

static void tern_sign(void *ctx, size_t iters) {
    rsa_bench *b = ctx;
    uint8_t sig[TERN_RSA_MAX_BYTES];
    for (size_t i = 0; i < iters; i++) {
        if (tern_rsa_pkcs1_sign(&b->key, TERN_HASH_SHA256, b->digest, sig, sizeof sig, NULL, NULL) != 0)
            abort();
        bench_sink(sig, b->len);
    }
}

static void tern_verify(void *ctx, size_t iters) {
    rsa_bench *b = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (tern_rsa_pkcs1_verify(&b->key.pub, TERN_HASH_SHA256, b->digest, b->sig, b->len) != 0)
            abort();
    }
}

static void tern_decrypt(void *ctx, size_t iters) {
    rsa_bench *b = ctx;
    uint8_t pms[48];
    for (size_t i = 0; i < iters; i++) {
        if (tern_rsa_tls_premaster_decrypt(&b->key, b->ct, b->len, 0x0303, pms, NULL, NULL) != 0 || pms[2] != 0x42)
            abort();
        bench_sink(pms, sizeof pms);
    }
}

#ifdef TERN_BENCH_HAVE_OPENSSL
static void ossl_sign(void *ctx, size_t iters) {
    rsa_bench *b = ctx;
    uint8_t sig[TERN_RSA_MAX_BYTES];
    for (size_t i = 0; i < iters; i++) {
        size_t n = sizeof sig;
        if (EVP_PKEY_sign(b->sctx, sig, &n, b->digest, 32) != 1)
            abort();
        bench_sink(sig, n);
    }
}

static void ossl_verify(void *ctx, size_t iters) {
    rsa_bench *b = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (EVP_PKEY_verify(b->vctx, b->sig, b->len, b->digest, 32) != 1)
            abort();
    }
}

static void ossl_decrypt(void *ctx, size_t iters) {
    rsa_bench *b = ctx;
    uint8_t out[TERN_RSA_MAX_BYTES];
    for (size_t i = 0; i < iters; i++) {
        size_t n = sizeof out;
        if (EVP_PKEY_decrypt(b->dctx, out, &n, b->ct, b->len) != 1 || n != 48)
            abort();
        bench_sink(out, n);
    }
}
#define OSSL(fn) fn
#else
#define OSSL(fn) NULL
#endif

static void release(rsa_bench *b) {
    tern_rsa_private_wipe(&b->key);
#ifdef TERN_BENCH_HAVE_OPENSSL
    EVP_PKEY_CTX_free(b->sctx);
    EVP_PKEY_CTX_free(b->vctx);
    EVP_PKEY_CTX_free(b->dctx);
    EVP_PKEY_free(b->pkey);
#endif
}

BENCH_GROUP(400, bench_rsa)
static void bench_rsa(void) {
    static rsa_bench b;
    if (load(&b, 2048) == 0) {
        bench_pair("rsa2048/sign", 0, tern_sign, &b, OSSL(ossl_sign), &b);
        bench_pair("rsa2048/verify", 0, tern_verify, &b, OSSL(ossl_verify), &b);
        bench_pair("rsa2048/decrypt", 0, tern_decrypt, &b, OSSL(ossl_decrypt), &b);
        const char *saved = getenv("TERN_CPU");
        char keep[128] = "";
        if (saved)
            snprintf(keep, sizeof keep, "%s", saved);
        setenv("TERN_CPU", "portable", 1);
        tern_cpu_reset();
        bench_pair("rsa2048/sign-portable", 0, tern_sign, &b, OSSL(ossl_sign), &b);
        if (saved)
            setenv("TERN_CPU", keep, 1);
        else
            unsetenv("TERN_CPU");
        tern_cpu_reset();
        release(&b);
    }
    if (load(&b, 3072) == 0) {
        bench_pair("rsa3072/sign", 0, tern_sign, &b, OSSL(ossl_sign), &b);
        release(&b);
    }
    if (load(&b, 4096) == 0) {
        bench_pair("rsa4096/sign", 0, tern_sign, &b, OSSL(ossl_sign), &b);
        release(&b);
    }
}
