/*
 * HMAC (RFC 2104 §2; FIPS 198-1 §4) over SHA-256/384/512, and over SHA-1
 * and MD5 (RFC 2202 vectors) for PKCS#12 MACs and PBKDF2-HMAC-SHA-1.
 *
 *   HMAC(K, m) = H((K0 ^ opad) || H((K0 ^ ipad) || m))
 *
 * where K0 is K padded with zeros to the hash's block length, or H(K)
 * padded if K is longer than a block.  tern_hmac_key_init absorbs the two
 * padded key blocks once, so each MAC starts from copies of those two hash
 * states and costs only the message blocks plus two finalisations.
 *
 * The key only ever goes through XOR and the hash, so nothing branches on
 * it; its length is public.  Every buffer that held key material is wiped.
 */
#include "crypto/hmac.h"

#include "crypto/ct.h"

/* Copy the live member of a hash context only: SHA-256 states are much
 * smaller than the union, and HMAC copies two states per message. */
static void hash_ctx_copy(tern_hash_ctx *dst, const tern_hash_ctx *src) {
    dst->alg = src->alg;
    switch (src->alg) {
    case TERN_HASH_MD5: dst->u.md5 = src->u.md5; break;
    case TERN_HASH_SHA1: dst->u.sha1 = src->u.sha1; break;
    case TERN_HASH_SHA256: dst->u.sha256 = src->u.sha256; break;
    case TERN_HASH_SHA384:
    case TERN_HASH_SHA512: dst->u.sha512 = src->u.sha512; break;
    }
}

int tern_hmac_key_init(tern_hmac_key *k, tern_hash_alg alg, const uint8_t *key, size_t keylen) {
    uint8_t k0[TERN_HASH_MAX_BLOCK];
    size_t bl = tern_hash_block_len(alg);
    TERN_ENSURE(bl != 0, TERN_ERR_UNSUPPORTED);
    TERN_ENSURE(key != NULL || keylen == 0, TERN_ERR_INVALID_ARG);

    /* RFC 2104 §2 step 1: a key longer than the block is hashed first. */
    int rc = 0;
    memset(k0, 0, sizeof k0);
    if (keylen > bl)
        rc = tern_hash(alg, k0, key, keylen);
    else if (keylen)
        memcpy(k0, key, keylen);

    for (size_t i = 0; i < bl; i++)
        k0[i] ^= 0x36;
    if (rc == 0)
        rc = tern_hash_init(&k->inner, alg);
    if (rc == 0)
        tern_hash_update(&k->inner, k0, bl);
    /* 0x36 ^ 0x5c turns ipad into opad without a second copy of the key. */
    for (size_t i = 0; i < bl; i++)
        k0[i] ^= 0x36 ^ 0x5c;
    if (rc == 0)
        rc = tern_hash_init(&k->outer, alg);
    if (rc == 0)
        tern_hash_update(&k->outer, k0, bl);
    tern_wipe(k0, sizeof k0);
    if (rc != 0)
        tern_wipe(k, sizeof *k);
    return rc;
}

void tern_hmac_key_wipe(tern_hmac_key *k) {
    tern_wipe(k, sizeof *k);
}

void tern_hmac_start(tern_hmac_ctx *ctx, const tern_hmac_key *k) {
    hash_ctx_copy(&ctx->inner, &k->inner);
    hash_ctx_copy(&ctx->outer, &k->outer);
}

void tern_hmac_update(tern_hmac_ctx *ctx, const void *data, size_t len) {
    tern_hash_update(&ctx->inner, data, len);
}

void tern_hmac_final(tern_hmac_ctx *ctx, uint8_t *out) {
    uint8_t d[TERN_HASH_MAX_LEN];
    size_t n = tern_hash_len(ctx->inner.alg);
    tern_hash_final(&ctx->inner, d);
    tern_hash_update(&ctx->outer, d, n);
    tern_hash_final(&ctx->outer, out);
    tern_wipe(d, sizeof d);
}

int tern_hmac(tern_hash_alg alg, const uint8_t *key, size_t keylen, const void *msg, size_t msglen,
              uint8_t *out) {
    tern_hmac_key k;
    tern_hmac_ctx ctx;
    TERN_ENSURE(msg != NULL || msglen == 0, TERN_ERR_INVALID_ARG);
    int rc = tern_hmac_key_init(&k, alg, key, keylen);
    if (rc == 0) {
        tern_hmac_start(&ctx, &k);
        tern_hmac_update(&ctx, msg, msglen);
        tern_hmac_final(&ctx, out);
    }
    tern_hmac_key_wipe(&k);
    return rc;
}
