/*
 * The TLS 1.2 PRF (RFC 5246 §5):
 *
 *   PRF(secret, label, seed) = P_<hash>(secret, label || seed)
 *   P_hash(secret, s) = HMAC(secret, A(1) || s) || HMAC(secret, A(2) || s) || ...
 *   A(0) = s,  A(i) = HMAC(secret, A(i-1))
 *
 * truncated to the length asked for.  The secret is keyed into HMAC once;
 * label || seed1 || seed2 is fed in pieces, never concatenated.  TLS 1.2
 * suites use P_SHA256 or P_SHA384; P_SHA512 works the same way (it is only
 * used by the tests' published vector).
 */
#include "crypto/hmac.h"

#include "crypto/ct.h"

static void feed_seed(tern_hmac_ctx *c, const char *label, size_t labellen, const uint8_t *seed1,
                      size_t seed1len, const uint8_t *seed2, size_t seed2len) {
    tern_hmac_update(c, label, labellen);
    tern_hmac_update(c, seed1, seed1len);
    tern_hmac_update(c, seed2, seed2len);
}

int tern_tls12_prf(tern_hash_alg alg, const uint8_t *secret, size_t secretlen, const char *label,
                   const uint8_t *seed1, size_t seed1len, const uint8_t *seed2, size_t seed2len,
                   uint8_t *out, size_t outlen) {
    tern_hmac_key k;
    tern_hmac_ctx c;
    uint8_t a[TERN_HASH_MAX_LEN], blk[TERN_HASH_MAX_LEN];
    size_t labellen = label ? strlen(label) : 0;
    size_t hl = tern_hash_len(alg);

    /* SHA-2 only (RFC 5246 §5): P_MD5 and P_SHA1 are not TLS 1.2 PRFs. */
    TERN_ENSURE(hl >= TERN_SHA256_LEN, TERN_ERR_UNSUPPORTED);
    TERN_ENSURE((seed1 != NULL || seed1len == 0) && (seed2 != NULL || seed2len == 0), TERN_ERR_INVALID_ARG);
    TERN_ENSURE(out != NULL || outlen == 0, TERN_ERR_INVALID_ARG);
    if (outlen == 0)
        return 0;
    TERN_TRY(tern_hmac_key_init(&k, alg, secret, secretlen));

    /* A(1) = HMAC(secret, label || seed). */
    tern_hmac_start(&c, &k);
    feed_seed(&c, label, labellen, seed1, seed1len, seed2, seed2len);
    tern_hmac_final(&c, a);

    for (;;) {
        tern_hmac_start(&c, &k);
        tern_hmac_update(&c, a, hl);
        feed_seed(&c, label, labellen, seed1, seed1len, seed2, seed2len);
        if (outlen < hl) {
            tern_hmac_final(&c, blk);
            memcpy(out, blk, outlen);
            break;
        }
        tern_hmac_final(&c, out);
        out += hl;
        outlen -= hl;
        if (outlen == 0)
            break;
        /* A(i+1) = HMAC(secret, A(i)). */
        tern_hmac_start(&c, &k);
        tern_hmac_update(&c, a, hl);
        tern_hmac_final(&c, a);
    }

    tern_wipe(a, sizeof a);
    tern_wipe(blk, sizeof blk);
    tern_hmac_key_wipe(&k);
    return 0;
}
