/*
 * Arithmetic in GF(2^255 - 19) for X25519 (RFC 7748 §4.1, §5): the portable
 * constant-time field code, radix 2^51 (five 64-bit limbs, products in
 * unsigned __int128).  Private to crypto/x25519*.c and their tests.
 *
 * An element h = h[0] + h[1]*2^51 + h[2]*2^102 + h[3]*2^153 + h[4]*2^204 is
 * kept loosely reduced: its value is only fixed mod p, and the limbs may
 * exceed 2^51.  The bounds each function accepts and returns are written next
 * to it; callers keep to them (x25519.c says why each chain is in range).
 * "tight" means every limb < 2^51 + 2^15 (what fe_mul/fe_sq/fe_carry give);
 * fe_add of two tight values gives limbs < 2^52 + 2^16; fe_mul and fe_sq
 * accept limbs up to 2^54 (so 19 * 5 * 2^54 * 2^54 < 2^116 fits in 128 bits).
 *
 * Every function runs in time independent of the values: no branch and no
 * memory index depends on a limb.
 */
#ifndef TERN_CRYPTO_FE25519_H
#define TERN_CRYPTO_FE25519_H

#include <stdint.h>

#include "crypto/common.h"
#include "crypto/ct.h"

__extension__ typedef unsigned __int128 tern_u128;

typedef uint64_t fe25519[5];

#define FE25519_MASK51 ((uint64_t)0x7ffffffffffff)

static inline void fe25519_copy(fe25519 h, const fe25519 f) {
    for (int i = 0; i < 5; i++)
        h[i] = f[i];
}

static inline void fe25519_0(fe25519 h) {
    for (int i = 0; i < 5; i++)
        h[i] = 0;
}

static inline void fe25519_1(fe25519 h) {
    fe25519_0(h);
    h[0] = 1;
}

/* h = f + g.  No carry: limbs grow by at most the sum of the inputs'. */
static inline void fe25519_add(fe25519 h, const fe25519 f, const fe25519 g) {
    for (int i = 0; i < 5; i++)
        h[i] = f[i] + g[i];
}

/* h = f - g, computed as f + 4p - g so no limb goes negative.  4p has limbs
 * 2^53 - 76 (lowest) and 2^53 - 4 (others), so g's limbs must be < 2^53 - 76
 * (any tight or once-added value qualifies).  Result limbs < f's + 2^53. */
static inline void fe25519_sub(fe25519 h, const fe25519 f, const fe25519 g) {
    h[0] = (f[0] + ((uint64_t)1 << 53) - 76) - g[0];
    for (int i = 1; i < 5; i++)
        h[i] = (f[i] + ((uint64_t)1 << 53) - 4) - g[i];
}

/* h = -f (same bound as fe25519_sub with f = 0). */
static inline void fe25519_neg(fe25519 h, const fe25519 f) {
    fe25519 z;
    fe25519_0(z);
    fe25519_sub(h, z, f);
}

/* One carry pass over 128-bit column sums r[0..4] into tight limbs.  The
 * carry out of the top limb is worth 2^255 = 19 (mod p), so it re-enters
 * the bottom limb times 19, and one more step from limb 0 to limb 1 leaves
 * h[0] < 2^51, h[1] < 2^51 + 2^15, the rest < 2^51.  Requires every r < 2^115
 * so each carry (r >> 51, plus an incoming carry) fits 64 bits: fe25519_mul
 * on limbs < 2^54 gives r < 5 * 19 * 2^108 < 2^114.6. */
static inline void fe25519_carry128(fe25519 h, tern_u128 r0, tern_u128 r1, tern_u128 r2, tern_u128 r3,
                                    tern_u128 r4) {
    r1 += (uint64_t)(r0 >> 51);
    h[0] = (uint64_t)r0 & FE25519_MASK51;
    r2 += (uint64_t)(r1 >> 51);
    h[1] = (uint64_t)r1 & FE25519_MASK51;
    r3 += (uint64_t)(r2 >> 51);
    h[2] = (uint64_t)r2 & FE25519_MASK51;
    r4 += (uint64_t)(r3 >> 51);
    h[3] = (uint64_t)r3 & FE25519_MASK51;
    uint64_t c = (uint64_t)(r4 >> 51);
    h[4] = (uint64_t)r4 & FE25519_MASK51;
    /* c < 2^64 here, so 19 * c needs the 128-bit multiply. */
    tern_u128 t = (tern_u128)h[0] + (tern_u128)c * 19;
    h[0] = (uint64_t)t & FE25519_MASK51;
    h[1] += (uint64_t)(t >> 51);
}

/* h = f * g.  Inputs: limbs < 2^54.  Output: tight. */
static inline void fe25519_mul(fe25519 h, const fe25519 f, const fe25519 g) {
    uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
    uint64_t g0 = g[0], g1 = g[1], g2 = g[2], g3 = g[3], g4 = g[4];
    /* 2^255 = 19 (mod p): a product landing at 2^(51*k) with k >= 5 is
     * folded down to 2^(51*(k-5)) times 19. */
    uint64_t g1_19 = 19 * g1, g2_19 = 19 * g2, g3_19 = 19 * g3, g4_19 = 19 * g4;
    tern_u128 r0 = (tern_u128)f0 * g0 + (tern_u128)f1 * g4_19 + (tern_u128)f2 * g3_19 + (tern_u128)f3 * g2_19 +
                   (tern_u128)f4 * g1_19;
    tern_u128 r1 = (tern_u128)f0 * g1 + (tern_u128)f1 * g0 + (tern_u128)f2 * g4_19 + (tern_u128)f3 * g3_19 +
                   (tern_u128)f4 * g2_19;
    tern_u128 r2 = (tern_u128)f0 * g2 + (tern_u128)f1 * g1 + (tern_u128)f2 * g0 + (tern_u128)f3 * g4_19 +
                   (tern_u128)f4 * g3_19;
    tern_u128 r3 = (tern_u128)f0 * g3 + (tern_u128)f1 * g2 + (tern_u128)f2 * g1 + (tern_u128)f3 * g0 +
                   (tern_u128)f4 * g4_19;
    tern_u128 r4 = (tern_u128)f0 * g4 + (tern_u128)f1 * g3 + (tern_u128)f2 * g2 + (tern_u128)f3 * g1 +
                   (tern_u128)f4 * g0;
    fe25519_carry128(h, r0, r1, r2, r3, r4);
}

/* h = f^2.  Input: limbs < 2^54.  Output: tight. */
static inline void fe25519_sq(fe25519 h, const fe25519 f) {
    uint64_t f0 = f[0], f1 = f[1], f2 = f[2], f3 = f[3], f4 = f[4];
    uint64_t f0_2 = 2 * f0, f1_2 = 2 * f1;
    uint64_t f3_19 = 19 * f3, f4_19 = 19 * f4;
    uint64_t f3_38 = 2 * f3_19, f4_38 = 2 * f4_19;
    tern_u128 r0 = (tern_u128)f0 * f0 + (tern_u128)f1 * f4_38 + (tern_u128)f2 * f3_38;
    tern_u128 r1 = (tern_u128)f0_2 * f1 + (tern_u128)f2 * f4_38 + (tern_u128)f3 * f3_19;
    tern_u128 r2 = (tern_u128)f0_2 * f2 + (tern_u128)f1 * f1 + (tern_u128)f3 * f4_38;
    tern_u128 r3 = (tern_u128)f0_2 * f3 + (tern_u128)f1_2 * f2 + (tern_u128)f4 * f4_19;
    tern_u128 r4 = (tern_u128)f0_2 * f4 + (tern_u128)f1_2 * f3 + (tern_u128)f2 * f2;
    fe25519_carry128(h, r0, r1, r2, r3, r4);
}

/* h = f^(2^n), n >= 1. */
static inline void fe25519_sqn(fe25519 h, const fe25519 f, int n) {
    fe25519_sq(h, f);
    for (int i = 1; i < n; i++)
        fe25519_sq(h, h);
}

/* h = f * c for a small constant c < 2^17.  Input limbs < 2^54.  Output:
 * tight. */
static inline void fe25519_mul_small(fe25519 h, const fe25519 f, uint32_t c) {
    fe25519_carry128(h, (tern_u128)f[0] * c, (tern_u128)f[1] * c, (tern_u128)f[2] * c, (tern_u128)f[3] * c,
                     (tern_u128)f[4] * c);
}

/* Bring any limbs < 2^63 back to tight. */
static inline void fe25519_carry(fe25519 h) {
    fe25519_carry128(h, h[0], h[1], h[2], h[3], h[4]);
}

/* h = f^(p-2) = 1/f (0 for f = 0), by Fermat's little theorem.  The
 * exponent p - 2 = 2^255 - 21 is public and fixed, so a fixed chain of 254
 * squarings and 11 multiplications is constant time by construction:
 * 2^255 - 21 = (2^250 - 1) * 2^5 + 11, and 2^250 - 1 is built from
 * 2^5 - 1 = 31 by doubling the run of ones (2^10-1, 2^20-1, 2^40-1, 2^50-1,
 * 2^100-1, 2^200-1, 2^250-1).  Input limbs < 2^54; output tight. */
static inline void fe25519_invert(fe25519 out, const fe25519 z) {
    fe25519 z2, z9, z11, t0, t1, t2;
    fe25519_sq(z2, z);              /* 2 */
    fe25519_sqn(t0, z2, 2);         /* 8 */
    fe25519_mul(z9, t0, z);         /* 9 */
    fe25519_mul(z11, z9, z2);       /* 11 */
    fe25519_sq(t0, z11);            /* 22 */
    fe25519_mul(t0, t0, z9);        /* 31 = 2^5 - 1 */
    fe25519_sqn(t1, t0, 5);         /* (2^5 - 1) * 2^5 */
    fe25519_mul(t0, t1, t0);        /* 2^10 - 1 */
    fe25519_sqn(t1, t0, 10);
    fe25519_mul(t1, t1, t0);        /* 2^20 - 1 */
    fe25519_sqn(t2, t1, 20);
    fe25519_mul(t1, t2, t1);        /* 2^40 - 1 */
    fe25519_sqn(t1, t1, 10);
    fe25519_mul(t0, t1, t0);        /* 2^50 - 1 */
    fe25519_sqn(t1, t0, 50);
    fe25519_mul(t1, t1, t0);        /* 2^100 - 1 */
    fe25519_sqn(t2, t1, 100);
    fe25519_mul(t1, t2, t1);        /* 2^200 - 1 */
    fe25519_sqn(t1, t1, 50);
    fe25519_mul(t0, t1, t0);        /* 2^250 - 1 */
    fe25519_sqn(t0, t0, 5);         /* 2^255 - 32 */
    fe25519_mul(out, t0, z11);      /* 2^255 - 21 */
    tern_wipe(z2, sizeof z2);
    tern_wipe(z9, sizeof z9);
    tern_wipe(z11, sizeof z11);
    tern_wipe(t0, sizeof t0);
    tern_wipe(t1, sizeof t1);
    tern_wipe(t2, sizeof t2);
}

/* Load 32 little-endian bytes; the top bit (bit 255) is ignored, as RFC 7748
 * §5 asks of u-coordinates.  Values in [p, 2^255) (non-canonical encodings)
 * are accepted and reduce mod p in later arithmetic.  Output: limbs < 2^51. */
static inline void fe25519_frombytes(fe25519 h, const uint8_t s[32]) {
    uint64_t w0 = tern_load_le64(s), w1 = tern_load_le64(s + 8), w2 = tern_load_le64(s + 16),
             w3 = tern_load_le64(s + 24);
    h[0] = w0 & FE25519_MASK51;
    h[1] = (w0 >> 51 | w1 << 13) & FE25519_MASK51;
    h[2] = (w1 >> 38 | w2 << 26) & FE25519_MASK51;
    h[3] = (w2 >> 25 | w3 << 39) & FE25519_MASK51;
    h[4] = (w3 >> 12) & FE25519_MASK51;
}

/* Store the unique representative in [0, p) as 32 little-endian bytes.
 * Input limbs < 2^63. */
static inline void fe25519_tobytes(uint8_t s[32], const fe25519 f) {
    fe25519 h;
    fe25519_copy(h, f);
    fe25519_carry(h);
    fe25519_carry(h); /* now every limb <= 2^51: a value below 2p */
    /* h < 2^255 + small now, and in fact h < 2p.  h >= p exactly when
     * h + 19 >= 2^255: q is that carry out of bit 255. */
    uint64_t q = (h[0] + 19) >> 51;
    q = (h[1] + q) >> 51;
    q = (h[2] + q) >> 51;
    q = (h[3] + q) >> 51;
    q = (h[4] + q) >> 51;
    /* Subtract q*p = add 19q and drop bit 255. */
    h[0] += 19 * q;
    h[1] += h[0] >> 51;
    h[0] &= FE25519_MASK51;
    h[2] += h[1] >> 51;
    h[1] &= FE25519_MASK51;
    h[3] += h[2] >> 51;
    h[2] &= FE25519_MASK51;
    h[4] += h[3] >> 51;
    h[3] &= FE25519_MASK51;
    h[4] &= FE25519_MASK51;
    tern_store_le64(s, h[0] | h[1] << 51);
    tern_store_le64(s + 8, h[1] >> 13 | h[2] << 38);
    tern_store_le64(s + 16, h[2] >> 26 | h[3] << 25);
    tern_store_le64(s + 24, h[3] >> 39 | h[4] << 12);
    tern_wipe(h, sizeof h);
}

/* If mask is all-ones, swap f and g; if 0, leave them.  Takes a mask. */
static inline void fe25519_cswap(uint64_t mask, fe25519 f, fe25519 g) {
    mask = tern_ct_barrier_u64(mask);
    for (int i = 0; i < 5; i++) {
        uint64_t t = (f[i] ^ g[i]) & mask;
        f[i] ^= t;
        g[i] ^= t;
    }
}

/* If mask is all-ones, h = f; if 0, leave h.  Takes a mask. */
static inline void fe25519_cmov(fe25519 h, const fe25519 f, uint64_t mask) {
    mask = tern_ct_barrier_u64(mask);
    for (int i = 0; i < 5; i++)
        h[i] ^= (h[i] ^ f[i]) & mask;
}

#endif
