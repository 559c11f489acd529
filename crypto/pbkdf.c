/*
 * PBKDF2 (RFC 8018 §5.2), the PKCS#12 KDF (RFC 7292 Appendix B.2) and
 * OpenSSL's EVP_BytesToKey with MD5 (legacy PEM encryption).
 *
 * The password only ever goes through the hashes, HMAC (crypto/hmac.c),
 * XOR and a carry-propagating addition written without branches, so no
 * branch or memory index depends on it; lengths, salt and iteration count
 * are public.  Every buffer that held password-derived bytes is wiped.
 */
#include "crypto/pbkdf.h"

#include "crypto/ct.h"
#include "crypto/hmac.h"

/* The PRFs RFC 8018 Appendix B.1 lists that key stores use: HMAC with
 * SHA-1 or SHA-2 (not MD5), also the hashes the PKCS#12 KDF accepts. */
static int kdf_hash_ok(tern_hash_alg alg) {
    return alg == TERN_HASH_SHA1 || alg == TERN_HASH_SHA256 || alg == TERN_HASH_SHA384 || alg == TERN_HASH_SHA512;
}

/* The checks shared by PBKDF2 and the PKCS#12 KDF; out is zeroed first so
 * that a failure never leaves stale bytes behind. */
static int kdf_args(tern_hash_alg alg, const uint8_t *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
                    uint32_t iterations, uint8_t *out, size_t outlen) {
    TERN_ENSURE(out != NULL && outlen != 0, TERN_ERR_INVALID_ARG);
    memset(out, 0, outlen);
    TERN_ENSURE(kdf_hash_ok(alg), TERN_ERR_UNSUPPORTED);
    TERN_ENSURE((pw != NULL || pwlen == 0) && (salt != NULL || saltlen == 0), TERN_ERR_INVALID_ARG);
    TERN_ENSURE(iterations != 0, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(iterations <= TERN_PBKDF_MAX_ITERATIONS, TERN_ERR_LIMIT);
    return 0;
}

int tern_pbkdf2(tern_hash_alg prf, const uint8_t *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
                uint32_t iterations, uint8_t *out, size_t outlen) {
    size_t hl = tern_hash_len(prf);
    /* §5.2 step 1: dkLen > (2^32 - 1) * hLen is "derived key too long"
     * (checked before kdf_args writes outlen bytes of zeros). */
    TERN_ENSURE(hl == 0 || outlen == 0 || (outlen - 1) / hl < UINT32_MAX, TERN_ERR_INVALID_ARG);
    TERN_TRY(kdf_args(prf, pw, pwlen, salt, saltlen, iterations, out, outlen));

    /* The HMAC key (the password) is prepared once: every U_j restarts
     * from the two saved pad states (RFC 8018 §5.2 PRF = HMAC(P, .)). */
    tern_hmac_key k;
    TERN_TRY(tern_hmac_key_init(&k, prf, pw, pwlen));
    tern_hmac_ctx m;
    uint8_t u[TERN_HASH_MAX_LEN], t[TERN_HASH_MAX_LEN], be[4];
    uint32_t block = 1;
    for (size_t off = 0; off < outlen; off += hl, block++) {
        /* §5.2 step 3: U_1 = PRF(P, S || INT(i)), U_j = PRF(P, U_{j-1}),
         * T_i = U_1 ^ ... ^ U_c. */
        tern_store_be32(be, block);
        tern_hmac_start(&m, &k);
        tern_hmac_update(&m, salt, saltlen);
        tern_hmac_update(&m, be, sizeof be);
        tern_hmac_final(&m, u);
        memcpy(t, u, hl);
        for (uint32_t j = 1; j < iterations; j++) {
            tern_hmac_start(&m, &k);
            tern_hmac_update(&m, u, hl);
            tern_hmac_final(&m, u);
            for (size_t b = 0; b < hl; b++)
                t[b] ^= u[b];
        }
        /* Steps 4-5: DK = T_1 || T_2 || ..., the last one truncated. */
        size_t take = outlen - off < hl ? outlen - off : hl;
        memcpy(out + off, t, take);
    }
    tern_hmac_key_wipe(&k);
    tern_wipe(u, sizeof u);
    tern_wipe(t, sizeof t);
    return 0;
}

/* RFC 7292 Appendix B.2 steps 2-3: a string repeated to fill whole
 * v-byte blocks (ceil(len / v) of them; none for the empty string). */
static size_t fill_blocks(uint8_t *dst, const uint8_t *src, size_t len, size_t v) {
    size_t n = (len + v - 1) / v * v;
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i % len];
    return n;
}

int tern_pkcs12_kdf(tern_hash_alg alg, uint8_t id, const uint8_t *bmp_pw, size_t bmp_pwlen, const uint8_t *salt,
                    size_t saltlen, uint32_t iterations, uint8_t *out, size_t outlen) {
    TERN_TRY(kdf_args(alg, bmp_pw, bmp_pwlen, salt, saltlen, iterations, out, outlen));
    TERN_ENSURE(id >= 1 && id <= 3, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(saltlen <= TERN_PBKDF_MAX_INPUT_LEN && bmp_pwlen <= TERN_PBKDF_MAX_INPUT_LEN, TERN_ERR_LIMIT);
    size_t v = tern_hash_block_len(alg), u = tern_hash_len(alg);

    /* Step 1: D = v copies of the ID byte.  Steps 2-4: I = S || P, each
     * padded by repetition to a multiple of v.  TERN_PBKDF_MAX_INPUT_LEN
     * is a multiple of every v, so I fits twice it. */
    uint8_t d[TERN_HASH_MAX_BLOCK], I[2 * TERN_PBKDF_MAX_INPUT_LEN], a[TERN_HASH_MAX_LEN], b[TERN_HASH_MAX_BLOCK];
    memset(d, id, v);
    size_t ilen = fill_blocks(I, salt, saltlen, v);
    ilen += fill_blocks(I + ilen, bmp_pw, bmp_pwlen, v);

    tern_hash_ctx h;
    int rc = 0;
    for (size_t off = 0; off < outlen; off += u) {
        /* Step 6a: A_i = H^r(D || I). */
        rc = tern_hash_init(&h, alg);
        if (rc != 0)
            break;
        tern_hash_update(&h, d, v);
        tern_hash_update(&h, I, ilen);
        tern_hash_final(&h, a);
        for (uint32_t r = 1; r < iterations; r++) {
            rc = tern_hash(alg, a, a, u);
            if (rc != 0)
                break;
        }
        if (rc != 0)
            break;
        /* Step 7: A = A_1 || A_2 || ..., truncated to n bytes. */
        size_t take = outlen - off < u ? outlen - off : u;
        memcpy(out + off, a, take);
        if (off + u >= outlen)
            break;
        /* Step 6b: B = A_i repeated to v bytes.  Step 6c: each v-byte block
         * I_j of I becomes (I_j + B + 1) mod 2^(8v), as big-endian
         * integers; the carry is arithmetic, never a branch. */
        for (size_t k = 0; k < v; k++)
            b[k] = a[k % u];
        for (size_t j = 0; j < ilen; j += v) {
            unsigned carry = 1;
            for (size_t k = v; k-- > 0;) {
                unsigned x = (unsigned)I[j + k] + b[k] + carry;
                I[j + k] = (uint8_t)x;
                carry = x >> 8;
            }
        }
    }
    tern_wipe(I, sizeof I);
    tern_wipe(a, sizeof a);
    tern_wipe(b, sizeof b);
    if (rc != 0)
        tern_wipe(out, outlen);
    return rc;
}

int tern_evp_bytes_to_key_md5(const uint8_t *pw, size_t pwlen, const uint8_t salt[8], uint8_t *key,
                              size_t keylen) {
    TERN_ENSURE(key != NULL && keylen != 0, TERN_ERR_INVALID_ARG);
    memset(key, 0, keylen);
    TERN_ENSURE(salt != NULL && (pw != NULL || pwlen == 0), TERN_ERR_INVALID_ARG);
    /* OpenSSL's EVP_BytesToKey, count 1: D_1 = MD5(pw || salt),
     * D_i = MD5(D_{i-1} || pw || salt); the key is D_1 || D_2 || ... cut
     * to keylen (the IV, which OpenSSL would take next, is not needed:
     * DEK-Info carries it). */
    uint8_t dig[TERN_MD5_LEN];
    tern_md5_ctx m;
    for (size_t off = 0; off < keylen; off += TERN_MD5_LEN) {
        tern_md5_init(&m);
        if (off != 0)
            tern_md5_update(&m, dig, sizeof dig);
        tern_md5_update(&m, pw, pwlen);
        tern_md5_update(&m, salt, 8);
        tern_md5_final(&m, dig);
        size_t take = keylen - off < TERN_MD5_LEN ? keylen - off : TERN_MD5_LEN;
        memcpy(key + off, dig, take);
    }
    tern_wipe(dig, sizeof dig);
    return 0;
}
