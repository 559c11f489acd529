/*
 * SHA-1 (FIPS 180-4) and MD5 (RFC 1321), for key derivation from files
 * only: PKCS#12 (RFC 7292 Appendix B.2 with SHA-1, HMAC-SHA-1 MACs),
 * PBKDF2-HMAC-SHA-1 (RFC 8018) and OpenSSL's legacy PEM encryption
 * (EVP_BytesToKey with MD5).  Neither is collision resistant; TLS and
 * X.509 never choose them for a signature (lib/sig.c, lib/x509/x509.c and
 * verify.c map only SHA-2 code points and OIDs to hashes).
 *
 * Contexts behave like the SHA-2 ones (crypto/sha2.h): plain structs that
 * can be copied to snapshot a running hash; final() wipes the context.
 * Both take time independent of the data's values (only of its length).
 */
#ifndef TERN_CRYPTO_SHA1_H
#define TERN_CRYPTO_SHA1_H

#include "crypto/common.h"

#define TERN_SHA1_LEN 20
#define TERN_SHA1_BLOCK 64
#define TERN_MD5_LEN 16
#define TERN_MD5_BLOCK 64

typedef struct {
    uint32_t h[5];
    uint64_t total;                /* bytes hashed so far */
    uint8_t buf[TERN_SHA1_BLOCK];  /* partial block */
    size_t buflen;
} tern_sha1_ctx;

typedef struct {
    uint32_t h[4];
    uint64_t total;
    uint8_t buf[TERN_MD5_BLOCK];
    size_t buflen;
} tern_md5_ctx;

/* As tern_sha256_*: init, update (data may be NULL when len is 0), final
 * (writes the digest, wipes ctx), and the three in one. */
void tern_sha1_init(tern_sha1_ctx *ctx);
void tern_sha1_update(tern_sha1_ctx *ctx, const void *data, size_t len);
void tern_sha1_final(tern_sha1_ctx *ctx, uint8_t out[TERN_SHA1_LEN]);
void tern_sha1(uint8_t out[TERN_SHA1_LEN], const void *data, size_t len);

void tern_md5_init(tern_md5_ctx *ctx);
void tern_md5_update(tern_md5_ctx *ctx, const void *data, size_t len);
void tern_md5_final(tern_md5_ctx *ctx, uint8_t out[TERN_MD5_LEN]);
void tern_md5(uint8_t out[TERN_MD5_LEN], const void *data, size_t len);

#endif
