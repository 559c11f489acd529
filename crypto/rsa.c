/*
 * RSA (RFC 8017): key loading, the public and the private (CRT) primitive,
 * RSASSA-PKCS1-v1_5 (§8.2, §9.2), RSASSA-PSS with MGF1 (§8.1, §9.1, B.2.1),
 * RSAES-PKCS1-v1_5 (§7.2) and the TLS 1.2 server's premaster decryption
 * (RFC 5246 §7.4.7.1).
 *
 * The private operation: the input is blinded with r^e for a fresh random
 * r (so the exponentiation never sees attacker-chosen values), each half
 * is a constant-time exponentiation mod p and mod q, unblinded with r^-1
 * mod p / mod q (constant-time inverse), recombined with Garner's formula,
 * and checked with the public exponent before anything leaves (a fault in
 * one CRT half would otherwise reveal a factor: Boneh-DeMillo-Lipton).
 *
 * Signature verification never parses the decrypted block: it builds the
 * one encoding it would accept and compares all of it (Bleichenbacher's
 * 2006 e = 3 forgeries relied on lenient parsers).
 */
#include "crypto/rsa.h"

#include "crypto/bn.h"
#include "crypto/ct.h"
#include "crypto/rand.h"

/* Under valgrind (make ctgrind) secrets are "undefined" and any branch on
 * them is reported.  The one place where the private operation branches on
 * a secret-derived bit on purpose is the final fault check (and the final
 * result of the general PKCS#1 v1.5 decryption): that bit is declared
 * public here.  A client request is a few no-op instructions outside
 * valgrind. (TERN_DECLASSIFY: crypto/ct.h) */

#define HALF (TERN_RSA_LIMBS / 2)

size_t tern_rsa_len(const tern_rsa_public *k) {
    return (k->bits + 7) / 8;
}

/* ---- key loading --------------------------------------------------------- */

/* Strip leading zero bytes (public: they only shape the encoding). */
static tern_rsa_bytes strip(tern_rsa_bytes b) {
    while (b.len > 0 && b.p[0] == 0) {
        b.p++;
        b.len--;
    }
    return b;
}

int tern_rsa_public_init(tern_rsa_public *k, tern_rsa_bytes n, tern_rsa_bytes e) {
    memset(k, 0, sizeof *k);
    TERN_ENSURE((n.p || !n.len) && (e.p || !e.len), TERN_ERR_INVALID_ARG);
    n = strip(n);
    e = strip(e);
    TERN_ENSURE(n.len <= TERN_RSA_MAX_BYTES && e.len <= 8 && e.len > 0, TERN_ERR_BAD_KEY);
    TERN_TRY(tern_bn_from_be(k->n, TERN_RSA_LIMBS, n.p, n.len));
    k->bits = tern_bn_bits_vartime(k->n, TERN_RSA_LIMBS);
    TERN_ENSURE(k->bits >= TERN_RSA_MIN_BITS && k->bits <= TERN_RSA_MAX_BITS, TERN_ERR_BAD_KEY);
    TERN_ENSURE(k->n[0] & 1, TERN_ERR_BAD_KEY);
    uint64_t ev = 0;
    for (size_t i = 0; i < e.len; i++)
        ev = ev << 8 | e.p[i];
    TERN_ENSURE(ev >= 3 && (ev & 1), TERN_ERR_BAD_KEY);
    k->e = ev;
    k->nlimbs = (k->bits + 63) / 64;
    k->n0inv = tern_bn_neg_inv64(k->n[0]);
    tern_bn_mont_rr(k->rr, k->n, k->n0inv, k->nlimbs, k->bits - 1);
    return 0;
}

static void pub_ctx(const tern_rsa_public *k, tern_bn_mont *c) {
    tern_bn_mont_init(c, k->n, k->rr, k->n0inv, k->nlimbs);
}

/* r = x^e mod n for x < n (constant time in x; e is public). */
static void rsa_public_op(const tern_rsa_public *k, uint64_t *r, const uint64_t *x) {
    tern_bn_mont c;
    uint64_t t[TERN_RSA_LIMBS];
    pub_ctx(k, &c);
    tern_bn_to_mont(&c, t, x);
    tern_bn_mont_exp_pub(&c, t, t, k->e);
    tern_bn_from_mont(&c, r, t);
    tern_wipe(t, sizeof t);
}

/* An RNG whose output is fixed: blinding for the key-load self test, whose
 * input is a public constant. */
static int fixed_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    memset(buf, 0x5c, len);
    return 0;
}

/* out = c^d mod n via CRT, blinded, checked.  c < n (nlimbs limbs).
 * Returns 0, TERN_ERR_RNG, or TERN_ERR_INTERNAL when the check fails (a
 * fault or a corrupted key): out is then zero. */
static int rsa_private_op(const tern_rsa_private *k, uint64_t *out, const uint64_t *c, tern_rng_fn rng,
                          void *rng_arg) {
    const tern_rsa_public *pk = &k->pub;
    size_t nl = pk->nlimbs, pl = k->plimbs;
    tern_bn_mont cn, cp, cq;
    uint64_t r[TERN_RSA_LIMBS], t[TERN_RSA_LIMBS], cb[TERN_RSA_LIMBS], prod[TERN_RSA_LIMBS + 2];
    uint64_t x[HALF], mp[HALF], mq[HALF], rinv[HALF], a[HALF];
    uint8_t rb[TERN_RSA_MAX_BYTES];
    int rc;

    /* r: uniform below 2^(bits-1) <= n, forced odd so it is never 0. */
    rc = tern_rand_fill(rng, rng_arg, rb, 8 * nl);
    if (rc < 0)
        return rc;
    rc = tern_bn_from_be(r, nl, rb, 8 * nl);
    if (rc < 0)
        return TERN_ERR_INTERNAL;
    {
        size_t top = pk->bits - 1; /* keep bits 0 .. bits-2 */
        for (size_t i = 0; i < nl; i++) {
            if (i * 64 >= top)
                r[i] = 0;
            else if (i * 64 + 64 > top)
                r[i] &= ((uint64_t)1 << (top - i * 64)) - 1;
        }
    }
    r[0] |= 1;

    /* cb = c r^e mod n */
    pub_ctx(pk, &cn);
    tern_bn_to_mont(&cn, t, r);
    tern_bn_mont_exp_pub(&cn, t, t, pk->e); /* r^e R */
    tern_bn_mont_mul(&cn, cb, c, t);        /* c r^e */

    /* m mod p = (cb^dp mod p) r^-1, likewise mod q. */
    tern_bn_mont_init(&cp, k->p, k->rrp, k->p0inv, pl);
    tern_bn_mont_init(&cq, k->q, k->rrq, k->q0inv, pl);

    tern_bn_reduce_to_mont(&cp, x, cb, nl);
    tern_bn_mont_exp_ct(&cp, x, x, k->dp, 64 * pl);
    tern_bn_reduce_to_mont(&cp, a, r, nl);
    tern_bn_from_mont(&cp, a, a); /* r mod p */
    tern_bn_mod_inv_ct(rinv, a, k->p, k->p0inv, pl);
    tern_bn_mont_mul(&cp, mp, x, rinv); /* (cb^dp R) r^-1 / R */

    tern_bn_reduce_to_mont(&cq, x, cb, nl);
    tern_bn_mont_exp_ct(&cq, x, x, k->dq, 64 * pl);
    tern_bn_reduce_to_mont(&cq, a, r, nl);
    tern_bn_from_mont(&cq, a, a);
    tern_bn_mod_inv_ct(rinv, a, k->q, k->q0inv, pl);
    tern_bn_mont_mul(&cq, mq, x, rinv);

    /* Garner: m = mq + q ((mp - mq) qInv mod p).  mq < q < 2^(64 pl) may
     * exceed p, so both go through the Montgomery domain mod p first. */
    tern_bn_mont_mul(&cp, a, mq, k->rrp);  /* mq R mod p */
    tern_bn_mont_mul(&cp, x, mp, k->rrp);  /* mp R mod p */
    tern_bn_mod_sub(x, x, a, k->p, pl);    /* (mp - mq) R */
    tern_bn_mont_mul(&cp, x, x, k->qinv);  /* (mp - mq) qInv */
    tern_bn_mul(prod, k->q, pl, x, pl);    /* 2 pl >= nl limbs */
    {
        uint64_t carry = tern_bn_add(prod, prod, mq, pl);
        for (size_t i = pl; i < 2 * pl; i++) {
            uint64_t s = prod[i] + carry;
            carry = tern_ct_lt_u64(s, carry);
            prod[i] = s;
        }
    }

    /* Fault check: (m)^e must give back c. */
    rsa_public_op(pk, t, prod);
    uint32_t ok = tern_ct_memeq(t, c, nl * sizeof(uint64_t));
    /* Only upper limbs beyond nl could be set by a corrupted key. */
    ok &= (uint32_t)tern_bn_is_zero(prod + nl, 2 * pl - nl);
    TERN_DECLASSIFY(&ok, sizeof ok);
    for (size_t i = 0; i < nl; i++)
        out[i] = prod[i] & tern_ct_mask_u64(ok);

    tern_wipe(r, sizeof r);
    tern_wipe(t, sizeof t);
    tern_wipe(cb, sizeof cb);
    tern_wipe(prod, sizeof prod);
    tern_wipe(x, sizeof x);
    tern_wipe(mp, sizeof mp);
    tern_wipe(mq, sizeof mq);
    tern_wipe(rinv, sizeof rinv);
    tern_wipe(a, sizeof a);
    tern_wipe(rb, sizeof rb);
    return ok ? 0 : TERN_ERR_INTERNAL;
}

/* r = x mod (m - 1) for odd m: the modulus is even, so Montgomery does not
 * apply; bit-serial long division instead, one conditional subtraction per
 * bit of x (xn limbs), m and r n <= HALF limbs.  Constant time in x and m.
 * Invariant r < m - 1: then 2r + bit <= 2(m - 1) - 1, so one subtraction
 * is enough; the shifted-out top bit c counts as 2^(64 n) >= m - 1. */
static void mod_pm1(uint64_t *r, const uint64_t *x, size_t xn, const uint64_t *m, size_t n) {
    uint64_t m1[HALF], t[HALF];
    memcpy(m1, m, n * sizeof(uint64_t));
    m1[0] ^= 1; /* m odd: m - 1 without a borrow */
    memset(r, 0, n * sizeof(uint64_t));
    for (size_t i = 64 * xn; i-- > 0;) {
        uint64_t c = r[n - 1] >> 63;
        for (size_t j = n - 1; j > 0; j--)
            r[j] = r[j] << 1 | r[j - 1] >> 63;
        r[0] = r[0] << 1 | ((x[i / 64] >> (i % 64)) & 1);
        uint64_t borrow = tern_bn_sub(t, r, m1, n);
        uint64_t mask = tern_ct_mask_u64(c | (borrow ^ 1));
        for (size_t j = 0; j < n; j++)
            r[j] = tern_ct_select_u64(mask, t[j], r[j]);
    }
    tern_wipe(m1, sizeof m1);
    tern_wipe(t, sizeof t);
}

static size_t limbs_of(tern_rsa_bytes b) {
    b = strip(b);
    return (b.len + 7) / 8;
}

int tern_rsa_private_init(tern_rsa_private *k, tern_rsa_bytes n, tern_rsa_bytes e, tern_rsa_bytes d,
                          tern_rsa_bytes p, tern_rsa_bytes q, tern_rsa_bytes dp, tern_rsa_bytes dq,
                          tern_rsa_bytes qinv) {
    int rc = TERN_ERR_BAD_KEY;
    memset(k, 0, sizeof *k);
    if ((!p.p && p.len) || (!q.p && q.len) || (!d.p && d.len) || (!dp.p && dp.len) || (!dq.p && dq.len) ||
        (!qinv.p && qinv.len))
        return TERN_ERR_INVALID_ARG;
    rc = tern_rsa_public_init(&k->pub, n, e);
    if (rc < 0)
        goto fail;
    rc = TERN_ERR_BAD_KEY;
    size_t nl = k->pub.nlimbs;
    /* The limb count of the primes is public (it follows from the key size
     * for any sane key). */
    size_t pl = limbs_of(p) > limbs_of(q) ? limbs_of(p) : limbs_of(q);
    if (pl == 0 || pl > HALF || 2 * pl < nl)
        goto fail;
    k->plimbs = pl;
    if (tern_bn_from_be(k->p, pl, p.p, p.len) < 0 || tern_bn_from_be(k->q, pl, q.p, q.len) < 0 ||
        tern_bn_from_be(k->dp, pl, dp.p, dp.len) < 0 || tern_bn_from_be(k->dq, pl, dq.p, dq.len) < 0 ||
        tern_bn_from_be(k->qinv, pl, qinv.p, qinv.len) < 0 || tern_bn_from_be(k->d, nl, d.p, d.len) < 0)
        goto fail;

    /* Consistency: p, q odd and > 1, p q = n, dP < p, dQ < q, qInv < p,
     * d < n, d mod (p - 1) = dP and d mod (q - 1) = dQ (d itself is never
     * used, but a damaged d is a damaged key file).  Computed without early
     * exits; one branch on the verdict. */
    uint64_t prod[TERN_RSA_LIMBS + 2], one[HALF] = {1}, dm[HALF];
    tern_bn_mul(prod, k->p, pl, k->q, pl);
    uint64_t good = k->p[0] & k->q[0] & 1;
    good &= tern_bn_lt(one, k->p, pl) & tern_bn_lt(one, k->q, pl);
    good &= tern_ct_memeq(prod, k->pub.n, nl * 8);
    good &= tern_bn_is_zero(prod + nl, 2 * pl - nl);
    good &= tern_bn_lt(k->dp, k->p, pl) & tern_bn_lt(k->dq, k->q, pl) & tern_bn_lt(k->qinv, k->p, pl);
    good &= tern_bn_lt(k->d, k->pub.n, nl);
    mod_pm1(dm, k->d, nl, k->p, pl);
    good &= tern_ct_memeq(dm, k->dp, pl * sizeof(uint64_t));
    mod_pm1(dm, k->d, nl, k->q, pl);
    good &= tern_ct_memeq(dm, k->dq, pl * sizeof(uint64_t));
    tern_wipe(prod, sizeof prod);
    tern_wipe(dm, sizeof dm);
    if (!tern_ct_barrier_u64(good))
        goto fail;

    k->p0inv = tern_bn_neg_inv64(k->p[0]);
    k->q0inv = tern_bn_neg_inv64(k->q[0]);
    /* p, q > n / 2^(64 pl) >= 2^(bits - 1 - 64 pl): a public lower bound. */
    size_t start = k->pub.bits - 1 > 64 * pl ? k->pub.bits - 1 - 64 * pl : 0;
    tern_bn_mont_rr(k->rrp, k->p, k->p0inv, pl, start);
    tern_bn_mont_rr(k->rrq, k->q, k->q0inv, pl, start);

    /* dP, dQ, qInv against e: one private operation on a fixed value must
     * survive the public-key check. */
    uint64_t x[TERN_RSA_LIMBS] = {0}, y[TERN_RSA_LIMBS];
    x[0] = 0x746572e2;
    if (rsa_private_op(k, y, x, fixed_rng, NULL) < 0)
        goto fail;
    tern_wipe(y, sizeof y);
    return 0;
fail:
    tern_wipe(k, sizeof *k);
    return rc;
}

void tern_rsa_private_wipe(tern_rsa_private *k) {
    tern_wipe(k, sizeof *k);
}

/* ---- helpers on byte strings ----------------------------------------------- */

/* s (siglen bytes, must be k bytes and < n) -> em = s^e mod n, k bytes. */
static int public_bytes(const tern_rsa_public *k, const uint8_t *s, size_t slen, uint8_t *em) {
    uint64_t x[TERN_RSA_LIMBS];
    size_t klen = tern_rsa_len(k);
    TERN_ENSURE(slen == klen, TERN_ERR_BAD_SIGNATURE);
    TERN_ENSURE(tern_bn_from_be(x, k->nlimbs, s, slen) == 0, TERN_ERR_BAD_SIGNATURE);
    TERN_ENSURE(tern_bn_lt(x, k->n, k->nlimbs), TERN_ERR_BAD_SIGNATURE);
    rsa_public_op(k, x, x);
    tern_bn_to_be(em, klen, x, k->nlimbs);
    return 0;
}

/* em (k bytes, the caller made sure it is < n) -> out = em^d, k bytes. */
static int private_bytes(const tern_rsa_private *k, const uint8_t *em, uint8_t *out, tern_rng_fn rng,
                         void *rng_arg) {
    uint64_t x[TERN_RSA_LIMBS];
    size_t klen = tern_rsa_len(&k->pub);
    if (tern_bn_from_be(x, k->pub.nlimbs, em, klen) < 0)
        return TERN_ERR_INTERNAL;
    int rc = rsa_private_op(k, x, x, rng, rng_arg);
    if (rc == 0)
        tern_bn_to_be(out, klen, x, k->pub.nlimbs);
    tern_wipe(x, sizeof x);
    return rc;
}

/* ---- RSASSA-PKCS1-v1_5 ------------------------------------------------------ */

/* DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
static const uint8_t di_sha256[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};
static const uint8_t di_sha384[] = {0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30};
static const uint8_t di_sha512[] = {0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                    0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40};

/* EMSA-PKCS1-v1_5 (§9.2): 00 01 FF..FF 00 DigestInfo, klen bytes. */
static int pkcs1_encode(uint8_t *em, size_t klen, tern_hash_alg alg, const uint8_t *digest) {
    const uint8_t *di;
    size_t dilen = 19, hlen = tern_hash_len(alg);
    switch (alg) {
    case TERN_HASH_SHA256:
        di = di_sha256;
        break;
    case TERN_HASH_SHA384:
        di = di_sha384;
        break;
    case TERN_HASH_SHA512:
        di = di_sha512;
        break;
    default:
        return TERN_ERR_UNSUPPORTED;
    }
    size_t tlen = dilen + hlen;
    TERN_ENSURE(klen >= tlen + 11, TERN_ERR_BAD_KEY);
    em[0] = 0x00;
    em[1] = 0x01;
    memset(em + 2, 0xff, klen - tlen - 3);
    em[klen - tlen - 1] = 0x00;
    memcpy(em + klen - tlen, di, dilen);
    memcpy(em + klen - hlen, digest, hlen);
    return 0;
}

int tern_rsa_pkcs1_verify(const tern_rsa_public *k, tern_hash_alg alg, const uint8_t *digest, const uint8_t *sig,
                          size_t siglen) {
    uint8_t em[TERN_RSA_MAX_BYTES], want[TERN_RSA_MAX_BYTES];
    size_t klen = tern_rsa_len(k);
    TERN_TRY(pkcs1_encode(want, klen, alg, digest));
    TERN_TRY(public_bytes(k, sig, siglen, em));
    /* Public data, but the whole block is compared either way. */
    return tern_ct_memeq(em, want, klen) ? 0 : TERN_ERR_BAD_SIGNATURE;
}

int tern_rsa_pkcs1_sign(const tern_rsa_private *k, tern_hash_alg alg, const uint8_t *digest, uint8_t *sig,
                        size_t sigcap, tern_rng_fn rng, void *rng_arg) {
    uint8_t em[TERN_RSA_MAX_BYTES];
    size_t klen = tern_rsa_len(&k->pub);
    TERN_ENSURE(sigcap >= klen, TERN_ERR_BUFFER_TOO_SMALL);
    TERN_TRY(pkcs1_encode(em, klen, alg, digest));
    return private_bytes(k, em, sig, rng, rng_arg);
}

/* ---- RSASSA-PSS ---------------------------------------------------------------- */

/* out ^= MGF1(seed, len) (§B.2.1). */
static int mgf1_xor(tern_hash_alg alg, const uint8_t *seed, size_t seedlen, uint8_t *out, size_t len) {
    uint8_t block[TERN_HASH_MAX_LEN], ctr[4];
    size_t hlen = tern_hash_len(alg);
    for (uint32_t c = 0; len > 0; c++) {
        tern_hash_ctx h;
        TERN_TRY(tern_hash_init(&h, alg));
        tern_store_be32(ctr, c);
        tern_hash_update(&h, seed, seedlen);
        tern_hash_update(&h, ctr, 4);
        tern_hash_final(&h, block);
        size_t take = len < hlen ? len : hlen;
        for (size_t i = 0; i < take; i++)
            out[i] ^= block[i];
        out += take;
        len -= take;
    }
    return 0;
}

/* H = Hash(00 x 8 || mHash || salt) (§9.1.1 steps 5-6). */
static int pss_hash(tern_hash_alg alg, const uint8_t *mhash, const uint8_t *salt, size_t slen, uint8_t *out) {
    static const uint8_t zeros[8] = {0};
    tern_hash_ctx h;
    TERN_TRY(tern_hash_init(&h, alg));
    tern_hash_update(&h, zeros, 8);
    tern_hash_update(&h, mhash, tern_hash_len(alg));
    tern_hash_update(&h, salt, slen);
    tern_hash_final(&h, out);
    return 0;
}

int tern_rsa_pss_verify(const tern_rsa_public *k, tern_hash_alg alg, const uint8_t *digest, const uint8_t *sig,
                        size_t siglen) {
    uint8_t m[TERN_RSA_MAX_BYTES], h2[TERN_HASH_MAX_LEN];
    size_t hlen = tern_hash_len(alg), slen = hlen;
    /* SHA-2 only: MD5 and SHA-1 (lengths 16, 20) are never signature hashes. */
    TERN_ENSURE(hlen >= TERN_SHA256_LEN, TERN_ERR_UNSUPPORTED);
    size_t klen = tern_rsa_len(k);
    size_t embits = k->bits - 1, emlen = (embits + 7) / 8;
    TERN_ENSURE(emlen >= hlen + slen + 2, TERN_ERR_BAD_SIGNATURE);
    TERN_TRY(public_bytes(k, sig, siglen, m));
    /* I2OSP(m, emLen): when emLen = k - 1 the top byte must be zero. */
    uint32_t ok = 1;
    for (size_t i = 0; i < klen - emlen; i++)
        ok &= tern_ct_is_zero_u32(m[i]);
    uint8_t *em = m + (klen - emlen);
    size_t dblen = emlen - hlen - 1;
    uint8_t *db = em, *hh = em + dblen;
    uint8_t topmask = (uint8_t)(0xff >> (8 * emlen - embits));
    ok &= tern_ct_eq_u32(em[emlen - 1], 0xbc);
    ok &= tern_ct_is_zero_u32(db[0] & (uint8_t)~topmask);
    TERN_TRY(mgf1_xor(alg, hh, hlen, db, dblen));
    db[0] &= topmask;
    size_t pslen = emlen - hlen - slen - 2;
    for (size_t i = 0; i < pslen; i++)
        ok &= tern_ct_is_zero_u32(db[i]);
    ok &= tern_ct_eq_u32(db[pslen], 0x01);
    TERN_TRY(pss_hash(alg, digest, db + dblen - slen, slen, h2));
    ok &= tern_ct_memeq(h2, hh, hlen);
    return ok ? 0 : TERN_ERR_BAD_SIGNATURE;
}

int tern_rsa_pss_sign(const tern_rsa_private *k, tern_hash_alg alg, const uint8_t *digest, uint8_t *sig,
                      size_t sigcap, tern_rng_fn rng, void *rng_arg) {
    uint8_t m[TERN_RSA_MAX_BYTES], salt[TERN_HASH_MAX_LEN];
    size_t hlen = tern_hash_len(alg), slen = hlen;
    /* SHA-2 only: MD5 and SHA-1 (lengths 16, 20) are never signature hashes. */
    TERN_ENSURE(hlen >= TERN_SHA256_LEN, TERN_ERR_UNSUPPORTED);
    size_t klen = tern_rsa_len(&k->pub);
    TERN_ENSURE(sigcap >= klen, TERN_ERR_BUFFER_TOO_SMALL);
    size_t embits = k->pub.bits - 1, emlen = (embits + 7) / 8;
    TERN_ENSURE(emlen >= hlen + slen + 2, TERN_ERR_BAD_KEY);
    TERN_TRY(tern_rand_fill(rng, rng_arg, salt, slen));
    memset(m, 0, klen);
    uint8_t *em = m + (klen - emlen);
    size_t dblen = emlen - hlen - 1, pslen = emlen - hlen - slen - 2;
    uint8_t *db = em, *hh = em + dblen;
    TERN_TRY(pss_hash(alg, digest, salt, slen, hh));
    db[pslen] = 0x01;
    memcpy(db + pslen + 1, salt, slen);
    TERN_TRY(mgf1_xor(alg, hh, hlen, db, dblen));
    db[0] &= (uint8_t)(0xff >> (8 * emlen - embits));
    em[emlen - 1] = 0xbc;
    int rc = private_bytes(k, m, sig, rng, rng_arg);
    tern_wipe(salt, sizeof salt);
    return rc;
}

/* ---- RSAES-PKCS1-v1_5 ------------------------------------------------------------- */

int tern_rsa_pkcs1_encrypt(const tern_rsa_public *k, const uint8_t *msg, size_t msglen, uint8_t *out, size_t outcap,
                           tern_rng_fn rng, void *rng_arg) {
    uint8_t em[TERN_RSA_MAX_BYTES];
    uint64_t x[TERN_RSA_LIMBS];
    size_t klen = tern_rsa_len(k);
    TERN_ENSURE(outcap >= klen, TERN_ERR_BUFFER_TOO_SMALL);
    TERN_ENSURE(msglen + 11 <= klen, TERN_ERR_INVALID_ARG);
    size_t pslen = klen - msglen - 3;
    em[0] = 0x00;
    em[1] = 0x02;
    TERN_TRY(tern_rand_fill(rng, rng_arg, em + 2, pslen));
    /* Redraw zero bytes.  Which positions were redrawn says nothing about
     * the message. */
    for (size_t i = 0; i < pslen; i++) {
        while (em[2 + i] == 0)
            TERN_TRY(tern_rand_fill(rng, rng_arg, em + 2 + i, 1));
    }
    em[2 + pslen] = 0x00;
    memcpy(em + 3 + pslen, msg, msglen);
    if (tern_bn_from_be(x, k->nlimbs, em, klen) < 0)
        return TERN_ERR_INTERNAL;
    rsa_public_op(k, x, x); /* em < 2^(8(k-1)) <= n */
    tern_bn_to_be(out, klen, x, k->nlimbs);
    tern_wipe(em, sizeof em);
    tern_wipe(x, sizeof x);
    return 0;
}

/* The ciphertext as an integer below n, or an error (public checks). */
static int load_ct(const tern_rsa_public *k, const uint8_t *ct, size_t ctlen, uint64_t *x) {
    TERN_ENSURE(ctlen == tern_rsa_len(k), TERN_ERR_DECRYPT);
    TERN_ENSURE(tern_bn_from_be(x, k->nlimbs, ct, ctlen) == 0, TERN_ERR_DECRYPT);
    TERN_ENSURE(tern_bn_lt(x, k->n, k->nlimbs), TERN_ERR_DECRYPT);
    return 0;
}

int tern_rsa_pkcs1_decrypt(const tern_rsa_private *k, const uint8_t *ct, size_t ctlen, uint8_t *out, size_t outcap,
                           tern_rng_fn rng, void *rng_arg) {
    uint64_t x[TERN_RSA_LIMBS];
    uint8_t em[TERN_RSA_MAX_BYTES];
    size_t klen = tern_rsa_len(&k->pub);
    TERN_TRY(load_ct(&k->pub, ct, ctlen, x));
    int rc = rsa_private_op(k, x, x, rng, rng_arg);
    if (rc < 0)
        return rc;
    tern_bn_to_be(em, klen, x, k->pub.nlimbs);
    tern_wipe(x, sizeof x);

    /* EM = 00 02 PS(>= 8 nonzero) 00 M.  Find the first zero after the
     * type byte without branching or indexing on the bytes. */
    uint32_t good = tern_ct_is_zero_u32(em[0]) & tern_ct_eq_u32(em[1], 2);
    uint32_t looking = 1, zero_at = 0;
    for (size_t i = 2; i < klen; i++) {
        uint32_t z = tern_ct_is_zero_u32(em[i]);
        zero_at = tern_ct_select_u32(tern_ct_mask_u32(looking & z), (uint32_t)i, zero_at);
        looking &= z ^ 1;
    }
    good &= looking ^ 1;
    good &= tern_ct_ge_u32(zero_at, 10); /* at least 8 bytes of PS */
    uint32_t mlen = (uint32_t)klen - zero_at - 1;
    size_t maxm = klen - 11; /* public bound on the message length */
    size_t copy = outcap < maxm ? outcap : maxm;
    good &= tern_ct_le_u32(mlen, (uint32_t)copy);

    /* Move em[klen - maxm ..] so the message starts at 0: shift left by
     * maxm - mlen in log2 steps, each step over the whole buffer. */
    uint8_t *buf = em + 11;
    uint32_t shift = (uint32_t)maxm - (mlen & tern_ct_mask_u32(good));
    for (unsigned sh = 0; ((size_t)1 << sh) <= maxm; sh++) {
        /* Bit sh of the secret shift, by a shift and not a division: DIV
         * timing depends on the dividend on many x86 cores. */
        size_t step = (size_t)1 << sh;
        uint32_t mask = tern_ct_mask_u32((shift >> sh) & 1);
        for (size_t i = 0; i < maxm; i++) {
            uint8_t from = i + step < maxm ? buf[i + step] : 0;
            buf[i] = tern_ct_select_u8(mask, from, buf[i]);
        }
    }
    uint32_t gmask = tern_ct_mask_u32(good);
    for (size_t i = 0; i < copy; i++)
        out[i] = (uint8_t)(buf[i] & gmask & tern_ct_mask_u32(tern_ct_lt_u32((uint32_t)i, mlen)));
    tern_wipe(em, sizeof em);
    /* The final result is public by definition. */
    TERN_DECLASSIFY(&good, sizeof good);
    TERN_DECLASSIFY(&mlen, sizeof mlen);
    return good ? (int)mlen : TERN_ERR_DECRYPT;
}

int tern_rsa_tls_premaster_decrypt(const tern_rsa_private *k, const uint8_t *ct, size_t ctlen,
                                   uint16_t client_version, uint8_t pms[48], tern_rng_fn rng, void *rng_arg) {
    uint64_t x[TERN_RSA_LIMBS];
    uint8_t em[TERN_RSA_MAX_BYTES];
    size_t klen = tern_rsa_len(&k->pub);
    /* RFC 5246 §7.4.7.1 step 1: the random premaster comes first. */
    TERN_TRY(tern_rand_fill(rng, rng_arg, pms, 48));
    /* A ciphertext of the wrong length or >= n is rejected on public data
     * alone; the handshake then goes on with the random premaster. */
    if (load_ct(&k->pub, ct, ctlen, x) < 0)
        return 0;
    int rc = rsa_private_op(k, x, x, rng, rng_arg);
    if (rc == TERN_ERR_RNG)
        return rc;
    /* A failed fault check released nothing: out (x) is zero, so the
     * padding check below fails and the random premaster stays. */
    tern_bn_to_be(em, klen, x, k->pub.nlimbs);
    tern_wipe(x, sizeof x);

    /* 00 02 PS (klen - 51 nonzero bytes) 00 version(2) random(46). */
    uint32_t good = tern_ct_is_zero_u32(em[0]) & tern_ct_eq_u32(em[1], 2);
    for (size_t i = 2; i < klen - 49; i++)
        good &= tern_ct_is_nonzero_u32(em[i]);
    good &= tern_ct_is_zero_u32(em[klen - 49]);
    good &= tern_ct_eq_u32(em[klen - 48], client_version >> 8);
    good &= tern_ct_eq_u32(em[klen - 47], client_version & 0xff);
    tern_ct_copy_if(tern_ct_mask_u32(good), pms, em + klen - 48, 48);
    tern_wipe(em, sizeof em);
    return 0;
}
