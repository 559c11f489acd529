/*
 * X25519 (RFC 7748 §5) and its key generation, portable constant-time C.
 *
 * The variable-base function is the Montgomery ladder of RFC 7748 §5 on
 * projective (X:Z) u-coordinates, with a masked conditional swap per bit and
 * one inversion by a fixed addition chain at the end.  The field code is in
 * crypto/fe25519.h.  On x86-64 with BMI2 and ADX the same ladder runs on
 * 4x64-bit limbs with mulx/adcx/adox (crypto/x25519_adx.c).
 * RFC 7748 §6.1 / RFC 8422 §5.11: an all-zero shared secret (the peer sent
 * a point of small order) is reported as TERN_ERR_ZERO_SECRET.
 *
 * The fixed-base function (public keys) works on edwards25519, the twisted
 * Edwards curve birationally equivalent to curve25519 (RFC 7748 §4.1):
 * k * B is computed with a precomputed table of small multiples of B and
 * signed radix-16 digits of k (64 table additions and 4 doublings instead of
 * 255 ladder steps), then mapped to u = (1 + y) / (1 - y).  Every table
 * lookup reads all eight entries of its row with masked selects, so the
 * memory access pattern does not depend on the digits.
 */
#include "crypto/x25519.h"

#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/fe25519.h"
#include "crypto/rand.h"
#include "crypto/x25519_internal.h"
#include "crypto/x25519_table.h"

/* RFC 7748 §5 decodeScalar25519: clear the three low bits (a multiple of the
 * cofactor 8, so small-subgroup components vanish), clear bit 255 and set
 * bit 254 (a fixed bit length, so the ladder's running time is the same for
 * every key). */
void tern_x25519_clamp(uint8_t k[32], const uint8_t scalar[32]) {
    memcpy(k, scalar, 32);
    k[0] &= 248;
    k[31] &= 127;
    k[31] |= 64;
}

/* The ladder state: every field here depends on the scalar and is wiped. */
struct ladder {
    fe25519 x1, x2, z2, x3, z3;
    fe25519 a, b, c, d, aa, bb, e, da, cb;
};

/* One ladder step (RFC 7748 §5, the loop body after the swap):
 * (x2:z2) <- 2 (x2:z2), (x3:z3) <- (x2:z2) + (x3:z3), given x1 = u of the
 * difference.  Bounds: x2..z3 and x1 are tight (< 2^51 + 2^15), so sums are
 * < 2^52.1 and differences < 2^53.1, all within fe25519_mul's 2^54. */
static void ladder_step(struct ladder *s) {
    fe25519_add(s->a, s->x2, s->z2);        /* A = x2 + z2 */
    fe25519_sub(s->b, s->x2, s->z2);        /* B = x2 - z2 */
    fe25519_add(s->c, s->x3, s->z3);        /* C = x3 + z3 */
    fe25519_sub(s->d, s->x3, s->z3);        /* D = x3 - z3 */
    fe25519_mul(s->da, s->d, s->a);         /* DA */
    fe25519_mul(s->cb, s->c, s->b);         /* CB */
    fe25519_sq(s->aa, s->a);                /* AA */
    fe25519_sq(s->bb, s->b);                /* BB */
    fe25519_add(s->x3, s->da, s->cb);
    fe25519_sq(s->x3, s->x3);               /* x3 = (DA + CB)^2 */
    fe25519_sub(s->z3, s->da, s->cb);
    fe25519_sq(s->z3, s->z3);
    fe25519_mul(s->z3, s->z3, s->x1);       /* z3 = x1 (DA - CB)^2 */
    fe25519_mul(s->x2, s->aa, s->bb);       /* x2 = AA BB */
    fe25519_sub(s->e, s->aa, s->bb);        /* E = AA - BB */
    fe25519_mul_small(s->a, s->e, 121665);  /* a24 E, a24 = (486662 - 2) / 4 */
    fe25519_add(s->a, s->a, s->aa);
    fe25519_mul(s->z2, s->e, s->a);         /* z2 = E (AA + a24 E) */
}

void tern_x25519_ladder(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]) {
    struct ladder s;
    fe25519_frombytes(s.x1, u);
    fe25519_1(s.x2);
    fe25519_0(s.z2);
    fe25519_copy(s.x3, s.x1);
    fe25519_1(s.z3);
    uint64_t swap = 0;
    /* Bit 255 of a clamped scalar is 0 and bit 254 is 1; the loop covers
     * bits 254..0 as RFC 7748 §5 writes it.  The bit index t is public; the
     * bit value only ever feeds a mask. */
    for (int t = 254; t >= 0; t--) {
        uint64_t bit = (uint64_t)(k[t >> 3] >> (t & 7)) & 1;
        swap ^= bit;
        uint64_t mask = tern_ct_mask_u64(swap);
        fe25519_cswap(mask, s.x2, s.x3);
        fe25519_cswap(mask, s.z2, s.z3);
        swap = bit;
        ladder_step(&s);
    }
    uint64_t mask = tern_ct_mask_u64(swap);
    fe25519_cswap(mask, s.x2, s.x3);
    fe25519_cswap(mask, s.z2, s.z3);
    fe25519_invert(s.z2, s.z2);
    fe25519_mul(s.x2, s.x2, s.z2);
    fe25519_tobytes(out, s.x2);
    tern_wipe(&s, sizeof s);
    tern_wipe(&swap, sizeof swap);
    tern_wipe(&mask, sizeof mask);
}

/* ---- fixed base: edwards25519 ---- */

/* Extended coordinates (X:Y:Z:T), x = X/Z, y = Y/Z, x*y = T/Z (Hisil,
 * Wong, Carter, Dawson 2008).  All limbs tight after every operation. */
struct ge_p3 {
    fe25519 X, Y, Z, T;
};

/* r = p + q for a table point q, with the a = -1 unified addition
 * ("add-2008-hwcd-3" with Z2 = 1).  It is complete on edwards25519 (d is
 * not a square), so the identity, equal or opposite inputs need no special
 * case.  Bounds: every input tight; the sums are < 2^52.6 and the
 * differences < 2^53.6, inside fe25519_mul's 2^54. */
static void ge_madd(struct ge_p3 *r, const struct ge_p3 *p, const struct tern_x25519_niels *q) {
    fe25519 a, b, c, d, e, f, g, h;
    fe25519_sub(a, p->Y, p->X);
    fe25519_mul(a, a, q->ymx);      /* A = (Y1 - X1)(y2 - x2) */
    fe25519_add(b, p->Y, p->X);
    fe25519_mul(b, b, q->ypx);      /* B = (Y1 + X1)(y2 + x2) */
    fe25519_mul(c, p->T, q->xy2d);  /* C = T1 * 2d * x2 y2 */
    fe25519_add(d, p->Z, p->Z);     /* D = 2 Z1 */
    fe25519_sub(e, b, a);           /* E = B - A */
    fe25519_sub(f, d, c);           /* F = D - C */
    fe25519_add(g, d, c);           /* G = D + C */
    fe25519_add(h, b, a);           /* H = B + A */
    fe25519_mul(r->X, e, f);
    fe25519_mul(r->Y, g, h);
    fe25519_mul(r->T, e, h);
    fe25519_mul(r->Z, f, g);
}

/* r = 2p ("dbl-2008-hwcd" with a = -1):
 *   A = X^2, B = Y^2, C = 2 Z^2, E = (X + Y)^2 - A - B, G = B - A,
 *   F = G - C, H = -A - B;  X3 = E F, Y3 = G H, T3 = E H, Z3 = F G.
 * Written as E = (X+Y)^2 - (A+B), F = B - (A+C), H = -(A+B) so that every
 * multiplier input stays below 2^54. */
static void ge_dbl(struct ge_p3 *r, const struct ge_p3 *p) {
    fe25519 a, b, c, e, f, g, h, s;
    fe25519_sq(a, p->X);
    fe25519_sq(b, p->Y);
    fe25519_sq(c, p->Z);
    fe25519_add(c, c, c);
    fe25519_add(s, p->X, p->Y);
    fe25519_sq(s, s);
    fe25519_add(h, a, b);           /* A + B */
    fe25519_sub(e, s, h);           /* E */
    fe25519_sub(g, b, a);           /* G */
    fe25519_add(a, a, c);           /* A + C */
    fe25519_sub(f, b, a);           /* F */
    fe25519_neg(h, h);              /* H */
    fe25519_mul(r->X, e, f);
    fe25519_mul(r->Y, g, h);
    fe25519_mul(r->T, e, h);
    fe25519_mul(r->Z, f, g);
}

/* t = digit * 256^row * B for a signed digit in [-8, 8], reading all eight
 * entries of the row.  Negation on Edwards is (x, y) -> (-x, y), which in
 * this form swaps y+x with y-x and negates 2dxy. */
static void table_select(struct tern_x25519_niels *t, int row, int8_t digit) {
    uint32_t ud = (uint32_t)(int32_t)digit;
    uint32_t neg = ud >> 31;                          /* bit: digit < 0 */
    uint32_t mag = (ud ^ (0u - neg)) + neg;          /* |digit| (two's complement) */
    fe25519_1(t->ypx);
    fe25519_1(t->ymx);
    fe25519_0(t->xy2d);                               /* the identity */
    for (int j = 0; j < TERN_X25519_TABLE_COLS; j++) {
        uint64_t m = tern_ct_mask_u64(tern_ct_eq_u32(mag, (uint32_t)j + 1));
        fe25519_cmov(t->ypx, x25519_base_table[row][j].ypx, m);
        fe25519_cmov(t->ymx, x25519_base_table[row][j].ymx, m);
        fe25519_cmov(t->xy2d, x25519_base_table[row][j].xy2d, m);
    }
    uint64_t nm = tern_ct_mask_u64(neg);
    fe25519 nxy;
    fe25519_neg(nxy, t->xy2d);
    fe25519_cswap(nm, t->ypx, t->ymx);
    fe25519_cmov(t->xy2d, nxy, nm);
    tern_wipe(nxy, sizeof nxy);
}

void tern_x25519_base_comb(uint8_t out[32], const uint8_t k[32]) {
    /* k = sum e[i] 16^i with e[i] in [-8, 8): split into nibbles, then move
     * each nibble >= 8 to nibble - 16 with a carry into the next.  e + 8 is
     * never negative, so the shift is plain.  The top nibble of a clamped
     * scalar is at most 7, so e[63] ends <= 8: still a table entry. */
    int8_t e[64];
    for (int i = 0; i < 32; i++) {
        e[2 * i] = (int8_t)(k[i] & 15);
        e[2 * i + 1] = (int8_t)(k[i] >> 4);
    }
    int8_t carry = 0;
    for (int i = 0; i < 63; i++) {
        e[i] = (int8_t)(e[i] + carry);
        carry = (int8_t)((e[i] + 8) >> 4);
        e[i] = (int8_t)(e[i] - carry * 16);
    }
    e[63] = (int8_t)(e[63] + carry);

    /* k B = 16 * sum_odd e[2m+1] 256^m B + sum_even e[2m] 256^m B. */
    struct ge_p3 h;
    struct tern_x25519_niels t;
    fe25519_0(h.X);
    fe25519_1(h.Y);
    fe25519_1(h.Z);
    fe25519_0(h.T);
    for (int i = 1; i < 64; i += 2) {
        table_select(&t, i / 2, e[i]);
        ge_madd(&h, &h, &t);
    }
    ge_dbl(&h, &h);
    ge_dbl(&h, &h);
    ge_dbl(&h, &h);
    ge_dbl(&h, &h);
    for (int i = 0; i < 64; i += 2) {
        table_select(&t, i / 2, e[i]);
        ge_madd(&h, &h, &t);
    }

    /* RFC 7748 §4.1: u = (1 + y) / (1 - y) = (Z + Y) / (Z - Y).  Z - Y = 0
     * only for the identity, which k B never is: k is not a multiple of the
     * group order for any clamped k (and 0^-1 = 0 would give u = 0, the
     * ladder's answer for the identity, anyway). */
    fe25519 num, den;
    fe25519_add(num, h.Z, h.Y);
    fe25519_sub(den, h.Z, h.Y);
    fe25519_invert(den, den);
    fe25519_mul(num, num, den);
    fe25519_tobytes(out, num);
    tern_wipe(e, sizeof e);
    tern_wipe(&carry, sizeof carry);
    tern_wipe(&h, sizeof h);
    tern_wipe(&t, sizeof t);
    tern_wipe(num, sizeof num);
    tern_wipe(den, sizeof den);
}

/* Returns TERN_ERR_ZERO_SECRET when out is all zeros, else 0, without a
 * branch on out (the caller decides what to do with a public error). */
static int zero_check(const uint8_t out[32]) {
    int zero = (int)tern_ct_is_zero_mem(out, 32);
    return -zero & TERN_ERR_ZERO_SECRET;
}

int tern_x25519(uint8_t out[TERN_X25519_LEN], const uint8_t scalar[TERN_X25519_LEN],
                const uint8_t point[TERN_X25519_LEN]) {
    uint8_t k[32];
    tern_x25519_clamp(k, scalar);
    /* The implementation is chosen per call from the cached CPU features:
     * mulx/adx when present (and not switched off by TERN_CPU). */
    if (tern_x25519_have_adx() && tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX))
        tern_x25519_ladder_adx(out, k, point);
    else
        tern_x25519_ladder(out, k, point);
    tern_wipe(k, sizeof k);
    return zero_check(out);
}

void tern_x25519_base(uint8_t out[TERN_X25519_LEN], const uint8_t scalar[TERN_X25519_LEN]) {
    uint8_t k[32];
    tern_x25519_clamp(k, scalar);
    tern_x25519_base_comb(out, k);
    tern_wipe(k, sizeof k);
}

int tern_x25519_keygen(uint8_t priv[TERN_X25519_LEN], uint8_t pub[TERN_X25519_LEN], tern_rng_fn rng,
                       void *rng_arg) {
    int rc = tern_rand_fill(rng, rng_arg, priv, TERN_X25519_LEN);
    if (rc < 0) {
        memset(pub, 0, TERN_X25519_LEN);
        return rc;
    }
    tern_x25519_base(pub, priv);
    return 0;
}
