/*
 * ECDSA on P-256 and P-384 (FIPS 186-4 §6.4, SEC 1 v2 §4.1.3 / §4.1.4), RFC 6979
 * deterministic nonces hedged with fresh randomness (RFC 6979 §3.2, §3.6),
 * and the strict DER signature codec.  See ecdsa.h.
 *
 * Signing: s = k^-1 (e + r d) mod n, r = x(k G) mod n.  All of it is
 * straight-line code over the constant-time scalar and fixed-base routines
 * of p256.c; the only branches are on the key being in [1, n-1] (the
 * caller's error either way) and the RFC 6979 retry when a candidate nonce
 * is out of range or gives r = 0 or s = 0, which happens with probability
 * about 2^-32 and reveals nothing about the nonce finally used.
 *
 * Verification works on public data only and may branch freely.
 */
#include "crypto/ecdsa.h"

#include "crypto/ct.h"
#include "crypto/hmac.h"
#include "crypto/p256.h"
#include "crypto/p384.h"
#include "crypto/rand.h"

/* Under valgrind (make ctgrind) the private key is "undefined" and a branch
 * on anything derived from it is reported.  Signing branches on purpose on
 * two verdicts that carry no information about the key or the nonce kept:
 * whether the key is in range, and whether a candidate nonce was usable.
 * Those are declared public here (a client request: a few no-op
 * instructions outside valgrind). (TERN_DECLASSIFY: crypto/ct.h) */

/* bits2int(digest) mod n (RFC 6979 §2.3.2, §2.3.4; FIPS 186-4 §6.4): the
 * leftmost 256 bits of the digest as a big-endian integer, reduced once
 * (it is < 2^256 < 2n). */
static void digest_to_scalar(uint64_t e[4], const uint8_t *digest, size_t len) {
    uint8_t buf[32] = {0};
    if (len >= 32)
        memcpy(buf, digest, 32);
    else
        memcpy(buf + 32 - len, digest, len);
    tern_p256_scalar_from_bytes(e, buf);
    tern_p256_scalar_reduce(e, e);
}

static uint64_t scalar_nonzero_mask(const uint64_t a[4]) {
    return tern_ct_mask_u64(tern_ct_is_nonzero_u64(a[0] | a[1] | a[2] | a[3]));
}

uint64_t tern_ecdsa_p256_sign_with_k(const uint8_t priv[32], const uint8_t *digest, size_t digestlen,
                                     const uint8_t kb[32], uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN]) {
    uint64_t d[4], k[4], e[4], r[4], s[4], kinv[4];
    uint8_t x[32];
    tern_p256_scalar_from_bytes(d, priv);
    tern_p256_scalar_from_bytes(k, kb);
    uint64_t ok = tern_p256_scalar_is_valid(d) & tern_p256_scalar_is_valid(k);
    digest_to_scalar(e, digest, digestlen);

    ok &= tern_p256_base_mul_x(x, k); /* R = k G; x(R) < p */
    tern_p256_scalar_from_bytes(r, x);
    tern_p256_scalar_reduce(r, r); /* p < 2n, so one subtraction */
    ok &= scalar_nonzero_mask(r);

    tern_p256_scalar_inv(kinv, k);
    tern_p256_scalar_mul(s, r, d);
    tern_p256_scalar_add(s, s, e);
    tern_p256_scalar_mul(s, kinv, s);
    ok &= scalar_nonzero_mask(s);

    tern_p256_scalar_to_bytes(sig, r);
    tern_p256_scalar_to_bytes(sig + 32, s);
    tern_wipe(d, sizeof d);
    tern_wipe(k, sizeof k);
    tern_wipe(kinv, sizeof kinv);
    tern_wipe(x, sizeof x);
    return ok;
}

static int sig_to_der(uint8_t *der, size_t cap, size_t *len, const uint8_t *sig, size_t size);

/* ---- RFC 6979 §3.2 HMAC-DRBG ---- */

typedef struct {
    tern_hash_alg alg;
    size_t hlen;
    uint8_t K[TERN_HASH_MAX_LEN];
    uint8_t V[TERN_HASH_MAX_LEN];
} drbg;

/* out = HMAC_K(part0 || part1 || ...), parts given as (ptr, len) pairs. */
typedef struct {
    const uint8_t *p;
    size_t n;
} part;
TERN_MUST_CHECK static int hmac_parts(const drbg *st, uint8_t *out, const part *parts, size_t nparts) {
    tern_hmac_key key;
    tern_hmac_ctx ctx;
    TERN_TRY(tern_hmac_key_init(&key, st->alg, st->K, st->hlen));
    tern_hmac_start(&ctx, &key);
    for (size_t i = 0; i < nparts; i++)
        tern_hmac_update(&ctx, parts[i].p, parts[i].n);
    tern_hmac_final(&ctx, out);
    tern_hmac_key_wipe(&key);
    return 0;
}

/* Steps b-g of RFC 6979 §3.2, with k' (additional data, §3.6) appended to
 * the seed material of steps d and f.  x and h1 are rlen bytes (32 for
 * P-256, 48 for P-384): int2octets(x) and bits2octets(h1). */
TERN_MUST_CHECK static int drbg_init(drbg *st, tern_hash_alg alg, const uint8_t *x, const uint8_t *h1, size_t rlen,
                                     const uint8_t *extra, size_t extralen) {
    static const uint8_t zero = 0x00, one = 0x01;
    st->alg = alg;
    st->hlen = tern_hash_len(alg);
    memset(st->V, 0x01, st->hlen);
    memset(st->K, 0x00, st->hlen);
    part seed[5] = {{st->V, st->hlen}, {&zero, 1}, {x, rlen}, {h1, rlen}, {extra, extra ? extralen : 0}};
    TERN_TRY(hmac_parts(st, st->K, seed, 5)); /* d */
    part v[1] = {{st->V, st->hlen}};
    TERN_TRY(hmac_parts(st, st->V, v, 1)); /* e */
    seed[1].p = &one;
    TERN_TRY(hmac_parts(st, st->K, seed, 5)); /* f */
    TERN_TRY(hmac_parts(st, st->V, v, 1));    /* g */
    return 0;
}

/* Step h: the next candidate of rlen bytes: T = V || V' || ... until T
 * has qlen bits (one V for P-256; two for P-384 with SHA-256), then
 * bits2int(T) keeps its leftmost qlen = 8 rlen bits. */
TERN_MUST_CHECK static int drbg_next(drbg *st, uint8_t *k, size_t rlen) {
    part v[1] = {{st->V, st->hlen}};
    for (size_t have = 0; have < rlen; have += st->hlen) {
        TERN_TRY(hmac_parts(st, st->V, v, 1));
        size_t n = rlen - have < st->hlen ? rlen - have : st->hlen;
        memcpy(k + have, st->V, n);
    }
    return 0;
}

/* Step h.3 after a rejected candidate: K = HMAC_K(V || 0x00), V = HMAC_K(V). */
TERN_MUST_CHECK static int drbg_reseed(drbg *st) {
    static const uint8_t zero = 0x00;
    part kv[2] = {{st->V, st->hlen}, {&zero, 1}};
    TERN_TRY(hmac_parts(st, st->K, kv, 2));
    TERN_TRY(hmac_parts(st, st->V, kv, 1));
    return 0;
}

/* One signing attempt with nonce k (tern_ecdsa_p256_sign_with_k,
 * tern_p384_ecdsa_sign_with_k): a mask, all-ones when sig is usable. */
typedef uint64_t (*sign_with_k_fn)(const uint8_t *priv, const uint8_t *digest, size_t dlen, const uint8_t *k,
                                   uint8_t *sig);

/* RFC 6979 §3.2 steps h.2-h.3: draw candidate nonces of klen bytes from the
 * DRBG until one gives a usable signature.  A candidate fails with
 * probability about 2^-32 on P-256 (2^-190 on P-384); 32 failures in a row
 * mean something is broken, not bad luck.  k is klen bytes of scratch,
 * wiped; sig (2 * klen bytes) is zeroed on failure. */
static int sign_attempts(drbg *st, sign_with_k_fn try_k, const uint8_t *priv, const uint8_t *digest, size_t hlen,
                         uint8_t *k, size_t klen, uint8_t *sig) {
    int rc = 0;
    for (int tries = 0; tries < 32; tries++) {
        rc = drbg_next(st, k, klen);
        if (rc < 0)
            break;
        uint64_t usable = try_k(priv, digest, hlen, k, sig);
        TERN_DECLASSIFY(&usable, sizeof usable);
        if (usable) {
            tern_wipe(k, klen);
            return 0;
        }
        rc = drbg_reseed(st);
        if (rc < 0)
            break;
    }
    if (rc == 0)
        rc = TERN_ERR_INTERNAL;
    memset(sig, 0, 2 * klen);
    tern_wipe(k, klen);
    return rc;
}

int tern_ecdsa_p256_sign_det(const uint8_t priv[32], tern_hash_alg alg, const uint8_t *digest,
                             const uint8_t *extra, size_t extralen, uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN]) {
    int rc = TERN_ERR_INTERNAL;
    size_t hlen = tern_hash_len(alg);
    TERN_ENSURE(hlen >= 32, TERN_ERR_UNSUPPORTED);
    rc = tern_p256_check_private(priv);
    TERN_DECLASSIFY(&rc, sizeof rc);
    if (rc < 0)
        return rc;

    uint64_t e[4];
    uint8_t h1[32], k[32];
    drbg st;
    digest_to_scalar(e, digest, hlen);
    tern_p256_scalar_to_bytes(h1, e); /* bits2octets(h1) */
    rc = drbg_init(&st, alg, priv, h1, 32, extra, extralen);
    if (rc == 0)
        rc = sign_attempts(&st, tern_ecdsa_p256_sign_with_k, priv, digest, hlen, k, 32, sig);
    tern_wipe(&st, sizeof st);
    return rc;
}

int tern_ecdsa_p256_sign_raw(const uint8_t priv[32], tern_hash_alg alg, const uint8_t *digest,
                             uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN], tern_rng_fn rng, void *rng_arg) {
    uint8_t extra[32];
    int rc = tern_rand_fill(rng, rng_arg, extra, sizeof extra);
    if (rc == 0)
        rc = tern_ecdsa_p256_sign_det(priv, alg, digest, extra, sizeof extra, sig);
    tern_wipe(extra, sizeof extra);
    return rc;
}

int tern_ecdsa_p256_sign(const uint8_t priv[32], tern_hash_alg alg, const uint8_t *digest, uint8_t *sig_der,
                         size_t cap, size_t *siglen, tern_rng_fn rng, void *rng_arg) {
    uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN];
    *siglen = 0;
    TERN_TRY(tern_ecdsa_p256_sign_raw(priv, alg, digest, sig, rng, rng_arg));
    return tern_ecdsa_sig_to_der(sig_der, cap, siglen, sig);
}

int tern_ecdsa_p384_sign_det(const uint8_t priv[48], tern_hash_alg alg, const uint8_t *digest,
                             const uint8_t *extra, size_t extralen, uint8_t sig[TERN_ECDSA_P384_RAW_SIG_LEN]) {
    int rc = TERN_ERR_INTERNAL;
    size_t hlen = tern_hash_len(alg);
    TERN_ENSURE(hlen >= 32, TERN_ERR_UNSUPPORTED);
    rc = tern_p384_check_private(priv);
    TERN_DECLASSIFY(&rc, sizeof rc);
    if (rc < 0)
        return rc;

    uint8_t h1[48], k[48];
    drbg st;
    tern_p384_bits2octets(h1, digest, hlen);
    rc = drbg_init(&st, alg, priv, h1, 48, extra, extralen);
    if (rc == 0)
        rc = sign_attempts(&st, tern_p384_ecdsa_sign_with_k, priv, digest, hlen, k, 48, sig);
    tern_wipe(&st, sizeof st);
    return rc;
}

int tern_ecdsa_p384_sign(const uint8_t priv[48], tern_hash_alg alg, const uint8_t *digest, uint8_t *sig_der,
                         size_t cap, size_t *siglen, tern_rng_fn rng, void *rng_arg) {
    uint8_t sig[TERN_ECDSA_P384_RAW_SIG_LEN], extra[32];
    *siglen = 0;
    int rc = tern_rand_fill(rng, rng_arg, extra, sizeof extra);
    if (rc == 0)
        rc = tern_ecdsa_p384_sign_det(priv, alg, digest, extra, sizeof extra, sig);
    tern_wipe(extra, sizeof extra);
    if (rc == 0)
        rc = sig_to_der(sig_der, cap, siglen, sig, 48);
    return rc;
}

int tern_ecdsa_p256_verify_raw(const uint8_t pub[65], tern_hash_alg alg, const uint8_t *digest,
                               const uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN]) {
    size_t hlen = tern_hash_len(alg);
    TERN_ENSURE(hlen >= 32, TERN_ERR_UNSUPPORTED);
    uint64_t r[4], s[4], e[4], w[4], u1[4], u2[4];
    tern_p256_scalar_from_bytes(r, sig);
    tern_p256_scalar_from_bytes(s, sig + 32);
    /* SEC 1 §4.1.4 step 1: r and s in [1, n-1]. */
    TERN_ENSURE(tern_p256_scalar_is_valid(r) && tern_p256_scalar_is_valid(s), TERN_ERR_BAD_SIGNATURE);
    digest_to_scalar(e, digest, hlen);
    tern_p256_scalar_inv_vartime(w, s); /* s is public */
    tern_p256_scalar_mul(u1, e, w);
    tern_p256_scalar_mul(u2, r, w);
    /* R = u1 G + u2 Q; infinity or x(R) mod n != r is a bad signature, a
     * bad Q a bad key.  Compared in projective coordinates. */
    return tern_p256_mul2_check_r(r, u1, u2, pub);
}

int tern_ecdsa_p256_verify(const uint8_t pub[65], tern_hash_alg alg, const uint8_t *digest, const uint8_t *sig_der,
                           size_t siglen) {
    uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN];
    TERN_ENSURE(tern_hash_len(alg) >= 32, TERN_ERR_UNSUPPORTED);
    TERN_ENSURE(tern_ecdsa_sig_from_der(sig, sig_der, siglen) == 0, TERN_ERR_BAD_SIGNATURE);
    return tern_ecdsa_p256_verify_raw(pub, alg, digest, sig);
}

/* ---- Strict DER ---- */

/* One INTEGER at der[*off], inside a SEQUENCE body of len bytes.  Writes
 * its value as `size` big-endian bytes (32 for P-256, 48 for P-384).
 * Every length is checked against what is left before it is used. */
TERN_MUST_CHECK static int der_int(const uint8_t *der, size_t len, size_t *off, uint8_t *out, size_t size) {
    size_t left = len - *off;
    TERN_ENSURE(left >= 2, TERN_ERR_DECODE);
    const uint8_t *p = der + *off;
    TERN_ENSURE(p[0] == 0x02, TERN_ERR_DECODE); /* INTEGER */
    size_t ilen = p[1];
    /* A long-form length would be >= 128 in DER (shorter ones must use the
     * short form), far beyond the 49 bytes a P-384 value can take. */
    TERN_ENSURE(ilen < 0x80, TERN_ERR_DECODE);
    TERN_ENSURE(ilen >= 1 && ilen <= left - 2, TERN_ERR_DECODE);
    const uint8_t *v = p + 2;
    TERN_ENSURE((v[0] & 0x80) == 0, TERN_ERR_DECODE); /* negative */
    size_t vlen = ilen;
    if (v[0] == 0x00 && vlen > 1) {
        /* A leading 00 is only allowed to keep the next byte's top bit
         * from reading as a sign (X.690 §8.3.2). */
        TERN_ENSURE((v[1] & 0x80) != 0, TERN_ERR_DECODE);
        v++;
        vlen--;
    }
    TERN_ENSURE(vlen <= size, TERN_ERR_DECODE);
    memset(out, 0, size);
    memcpy(out + size - vlen, v, vlen);
    *off += 2 + ilen;
    return 0;
}

/* SEQUENCE { INTEGER r, INTEGER s } -> r || s, each `size` bytes. */
TERN_MUST_CHECK static int sig_from_der(uint8_t *sig, size_t size, const uint8_t *der, size_t len) {
    TERN_ENSURE(der != NULL && len >= 2, TERN_ERR_DECODE);
    TERN_ENSURE(der[0] == 0x30, TERN_ERR_DECODE); /* SEQUENCE, constructed */
    size_t body = der[1];
    TERN_ENSURE(body < 0x80, TERN_ERR_DECODE);  /* short form only (see der_int) */
    TERN_ENSURE(body == len - 2, TERN_ERR_DECODE); /* nothing after the SEQUENCE */
    const uint8_t *b = der + 2;
    size_t off = 0;
    TERN_TRY(der_int(b, body, &off, sig, size));
    TERN_TRY(der_int(b, body, &off, sig + size, size));
    TERN_ENSURE(off == body, TERN_ERR_DECODE); /* nothing after s inside it */
    return 0;
}

int tern_ecdsa_sig_from_der(uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN], const uint8_t *der, size_t len) {
    return sig_from_der(sig, 32, der, len);
}

int tern_ecdsa_p384_sig_from_der(uint8_t sig[TERN_ECDSA_P384_RAW_SIG_LEN], const uint8_t *der, size_t len) {
    return sig_from_der(sig, 48, der, len);
}

int tern_ecdsa_p384_sig_to_der(uint8_t *der, size_t cap, size_t *len, const uint8_t sig[TERN_ECDSA_P384_RAW_SIG_LEN]) {
    return sig_to_der(der, cap, len, sig, 48);
}

int tern_ecdsa_p384_verify(const uint8_t pub[97], tern_hash_alg alg, const uint8_t *digest, const uint8_t *sig_der,
                           size_t siglen) {
    uint8_t sig[96];
    size_t hlen = tern_hash_len(alg);
    TERN_ENSURE(hlen >= 32, TERN_ERR_UNSUPPORTED);
    TERN_ENSURE(sig_from_der(sig, 48, sig_der, siglen) == 0, TERN_ERR_BAD_SIGNATURE);
    return tern_p384_ecdsa_verify_raw(pub, digest, hlen, sig);
}

/* Minimal DER INTEGER for a size-byte non-negative value: drop leading
 * zero bytes (keeping one byte), then prepend 00 if the top bit is set.
 * (The signature is public once made: branching on it is fine.) */
static size_t der_int_put(uint8_t *out, const uint8_t *v, size_t size) {
    size_t skip = 0;
    while (skip < size - 1 && v[skip] == 0)
        skip++;
    size_t pad = (v[skip] & 0x80) ? 1 : 0;
    size_t n = size - skip + pad;
    if (out) {
        out[0] = 0x02;
        out[1] = (uint8_t)n;
        out[2] = 0;
        memcpy(out + 2 + pad, v + skip, size - skip);
    }
    return 2 + n;
}

/* r || s (size bytes each) -> SEQUENCE { INTEGER r, INTEGER s }.  For
 * size <= 48 the body is at most 2 * 51 = 102 < 128 bytes: short form. */
static int sig_to_der(uint8_t *der, size_t cap, size_t *len, const uint8_t *sig, size_t size) {
    size_t lr = der_int_put(NULL, sig, size), ls = der_int_put(NULL, sig + size, size);
    size_t total = 2 + lr + ls;
    TERN_ENSURE(cap >= total, TERN_ERR_BUFFER_TOO_SMALL);
    der[0] = 0x30;
    der[1] = (uint8_t)(lr + ls);
    der_int_put(der + 2, sig, size);
    der_int_put(der + 2 + lr, sig + size, size);
    *len = total;
    return 0;
}

int tern_ecdsa_sig_to_der(uint8_t *der, size_t cap, size_t *len, const uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN]) {
    return sig_to_der(der, cap, len, sig, 32);
}
