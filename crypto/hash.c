/*
 * Hash by algorithm id: SHA-256/384/512 (and MD5 and SHA-1, for key
 * derivation from files only) behind one context, keyed by the TLS
 * HashAlgorithm codes (RFC 5246 §7.4.1.4.1), for the PRF, HMAC, the
 * handshake transcript, signature verification and crypto/pbkdf.c.  An unknown id is
 * refused at init (TERN_ERR_UNSUPPORTED); later calls on a context that
 * failed init do nothing rather than touch an unset state.
 */
#include "crypto/sha2.h"

size_t tern_hash_len(tern_hash_alg alg) {
    switch (alg) {
    case TERN_HASH_MD5: return TERN_MD5_LEN;
    case TERN_HASH_SHA1: return TERN_SHA1_LEN;
    case TERN_HASH_SHA256: return TERN_SHA256_LEN;
    case TERN_HASH_SHA384: return TERN_SHA384_LEN;
    case TERN_HASH_SHA512: return TERN_SHA512_LEN;
    }
    return 0;
}

size_t tern_hash_block_len(tern_hash_alg alg) {
    switch (alg) {
    case TERN_HASH_MD5: return TERN_MD5_BLOCK;
    case TERN_HASH_SHA1: return TERN_SHA1_BLOCK;
    case TERN_HASH_SHA256: return TERN_SHA256_BLOCK;
    case TERN_HASH_SHA384:
    case TERN_HASH_SHA512: return TERN_SHA512_BLOCK;
    }
    return 0;
}

int tern_hash_init(tern_hash_ctx *ctx, tern_hash_alg alg) {
    switch (alg) {
    case TERN_HASH_MD5:
        tern_md5_init(&ctx->u.md5);
        break;
    case TERN_HASH_SHA1:
        tern_sha1_init(&ctx->u.sha1);
        break;
    case TERN_HASH_SHA256:
        tern_sha256_init(&ctx->u.sha256);
        break;
    case TERN_HASH_SHA384:
        tern_sha384_init(&ctx->u.sha512);
        break;
    case TERN_HASH_SHA512:
        tern_sha512_init(&ctx->u.sha512);
        break;
    default:
        /* Mark the context unusable: 0 is not a hash id we accept. */
        ctx->alg = (tern_hash_alg)0;
        TERN_FAIL(TERN_ERR_UNSUPPORTED);
    }
    ctx->alg = alg;
    return 0;
}

void tern_hash_update(tern_hash_ctx *ctx, const void *data, size_t len) {
    switch (ctx->alg) {
    case TERN_HASH_MD5:
        tern_md5_update(&ctx->u.md5, data, len);
        break;
    case TERN_HASH_SHA1:
        tern_sha1_update(&ctx->u.sha1, data, len);
        break;
    case TERN_HASH_SHA256:
        tern_sha256_update(&ctx->u.sha256, data, len);
        break;
    case TERN_HASH_SHA384:
    case TERN_HASH_SHA512:
        tern_sha512_update(&ctx->u.sha512, data, len);
        break;
    }
}

void tern_hash_final(tern_hash_ctx *ctx, uint8_t *out) {
    switch (ctx->alg) {
    case TERN_HASH_MD5:
        tern_md5_final(&ctx->u.md5, out);
        break;
    case TERN_HASH_SHA1:
        tern_sha1_final(&ctx->u.sha1, out);
        break;
    case TERN_HASH_SHA256:
        tern_sha256_final(&ctx->u.sha256, out);
        break;
    case TERN_HASH_SHA384:
        tern_sha384_final(&ctx->u.sha512, out);
        break;
    case TERN_HASH_SHA512:
        tern_sha512_final(&ctx->u.sha512, out);
        break;
    }
    /* The member's final() wiped the state; the rest of the union never
     * held data.  Clearing alg makes a reused context inert. */
    ctx->alg = (tern_hash_alg)0;
}

int tern_hash(tern_hash_alg alg, uint8_t *out, const void *data, size_t len) {
    tern_hash_ctx ctx;
    TERN_TRY(tern_hash_init(&ctx, alg));
    tern_hash_update(&ctx, data, len);
    tern_hash_final(&ctx, out);
    return 0;
}
