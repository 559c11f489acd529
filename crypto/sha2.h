/*
 * SHA-256, SHA-384 and SHA-512 (FIPS 180-4), and a small "hash by
 * algorithm id" layer that TLS and X.509 use.  Contexts are plain structs:
 * copying one snapshots a running hash (the handshake transcript needs
 * that).  final() wipes the context.
 *
 * The struct contents are private to crypto/sha256*.c, sha512*.c and
 * hash.c (callers use only sizeof, struct copy and the functions); the
 * prototypes are the contract.  Each context records at init which block
 * function it uses (portable C; SHA-NI or AVX2 for SHA-256; AVX2 for
 * SHA-384/512),
 * from tern_cpu(), so TERN_CPU=portable + tern_cpu_reset() affects contexts
 * initialised afterwards.  A copy keeps its source's choice.
 *
 * Rules for callers: init before update/final; after final the context is
 * zeroed and must be initialised again before reuse; contexts are not
 * thread-safe (one thread at a time per context).  The hashes take time
 * independent of the data's values (only of its length).
 */
#ifndef TERN_CRYPTO_SHA2_H
#define TERN_CRYPTO_SHA2_H

#include "crypto/common.h"
#include "crypto/sha1.h"

#define TERN_SHA256_LEN 32
#define TERN_SHA384_LEN 48
#define TERN_SHA512_LEN 64
#define TERN_SHA256_BLOCK 64
#define TERN_SHA512_BLOCK 128
#define TERN_HASH_MAX_LEN 64
#define TERN_HASH_MAX_BLOCK 128

typedef struct {
    uint32_t h[8];
    uint64_t total;                  /* bytes hashed so far */
    uint8_t buf[TERN_SHA256_BLOCK];  /* partial block */
    size_t buflen;
    /* Block function (portable, SHA-NI or AVX2), chosen by init from tern_cpu(). */
    void (*blocks)(uint32_t h[8], const uint8_t *p, size_t nblocks);
} tern_sha256_ctx;

typedef struct {
    uint64_t h[8];
    uint64_t total;                  /* bytes hashed so far (2^64 is plenty) */
    uint8_t buf[TERN_SHA512_BLOCK];
    size_t buflen;
    /* Block function, chosen by init from tern_cpu(). */
    void (*blocks)(uint64_t h[8], const uint8_t *p, size_t nblocks);
} tern_sha512_ctx;
typedef tern_sha512_ctx tern_sha384_ctx;

/* init: start a hash.  update: absorb len bytes at data (data may be NULL
 * when len is 0; any number of calls, any split).  final: write the digest
 * to out and wipe ctx.  tern_sha256(): the three in one. */
void tern_sha256_init(tern_sha256_ctx *ctx);
void tern_sha256_update(tern_sha256_ctx *ctx, const void *data, size_t len);
void tern_sha256_final(tern_sha256_ctx *ctx, uint8_t out[TERN_SHA256_LEN]);
void tern_sha256(uint8_t out[TERN_SHA256_LEN], const void *data, size_t len);

/* The same for SHA-384 and SHA-512 (one context type; SHA-384 is SHA-512
 * with other initial values, truncated). */

void tern_sha384_init(tern_sha384_ctx *ctx);
void tern_sha384_update(tern_sha384_ctx *ctx, const void *data, size_t len);
void tern_sha384_final(tern_sha384_ctx *ctx, uint8_t out[TERN_SHA384_LEN]);
void tern_sha384(uint8_t out[TERN_SHA384_LEN], const void *data, size_t len);

void tern_sha512_init(tern_sha512_ctx *ctx);
void tern_sha512_update(tern_sha512_ctx *ctx, const void *data, size_t len);
void tern_sha512_final(tern_sha512_ctx *ctx, uint8_t out[TERN_SHA512_LEN]);
void tern_sha512(uint8_t out[TERN_SHA512_LEN], const void *data, size_t len);

/* Hash by id.  The numbers are the TLS HashAlgorithm codes (RFC 5246
 * §7.4.1.4.1), so a SignatureAndHashAlgorithm's hash byte maps directly.
 * MD5 and SHA-1 (crypto/sha1.h) are here for key derivation from files
 * (crypto/pbkdf.h) and HMAC-SHA-1 only: TLS and X.509 code never maps a
 * code point or OID to them, so no signature with them is accepted. */
typedef enum {
    TERN_HASH_MD5 = 1,
    TERN_HASH_SHA1 = 2,
    TERN_HASH_SHA256 = 4,
    TERN_HASH_SHA384 = 5,
    TERN_HASH_SHA512 = 6
} tern_hash_alg;

typedef struct {
    tern_hash_alg alg;
    union {
        tern_sha256_ctx sha256;
        tern_sha512_ctx sha512; /* also SHA-384 */
        tern_sha1_ctx sha1;
        tern_md5_ctx md5;
    } u;
} tern_hash_ctx;

/* Digest length of alg, or 0 for an unknown id. */
size_t tern_hash_len(tern_hash_alg alg);
/* Block length of alg (64 or 128), or 0 for an unknown id. */
size_t tern_hash_block_len(tern_hash_alg alg);
/* TERN_ERR_UNSUPPORTED for an unknown id. */
TERN_MUST_CHECK int tern_hash_init(tern_hash_ctx *ctx, tern_hash_alg alg);
void tern_hash_update(tern_hash_ctx *ctx, const void *data, size_t len);
/* Writes tern_hash_len(ctx->alg) bytes and wipes ctx. */
void tern_hash_final(tern_hash_ctx *ctx, uint8_t *out);
TERN_MUST_CHECK int tern_hash(tern_hash_alg alg, uint8_t *out, const void *data, size_t len);

#endif
