/*
 * Fixed-size big integers for RSA (see bn.h): portable Montgomery
 * multiplication and squaring by product scanning with the reduction
 * folded in (Koc, Acar, Kaliski, "Analyzing and Comparing Montgomery
 * Multiplication Algorithms", IEEE Micro 1996: FIPS), constant-time fixed-window
 * exponentiation, small-exponent public exponentiation, the CRT
 * reductions, and a constant-time modular inverse after Bernstein & Yang,
 * "Fast constant-time gcd computation and modular inversion" (TCHES 2019),
 * in batches of 62 divsteps.
 *
 * Nothing here branches on or indexes memory by a limb value; loops run
 * over public limb counts and public exponent lengths only.
 */
#include "crypto/bn.h"

#include "crypto/cpu.h"
#include "crypto/ct.h"

__extension__ typedef unsigned __int128 tern_u128;
__extension__ typedef __int128 tern_i128;

uint64_t tern_bn_neg_inv64(uint64_t m0) {
    /* Newton iteration x <- x (2 - m0 x) doubles the number of correct low
     * bits; m0 * m0 = 1 mod 8 for odd m0 gives 3 to start, so five steps
     * give 96 >= 64. */
    uint64_t x = m0;
    for (int i = 0; i < 5; i++)
        x *= 2 - m0 * x;
    return (uint64_t)0 - x;
}

/* ---- plain limb arithmetic -------------------------------------------- */

uint64_t tern_bn_add(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n) {
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        tern_u128 s = (tern_u128)a[i] + b[i] + c;
        r[i] = (uint64_t)s;
        c = (uint64_t)(s >> 64);
    }
    return c;
}

uint64_t tern_bn_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n) {
    uint64_t br = 0;
    for (size_t i = 0; i < n; i++) {
        tern_u128 d = (tern_u128)a[i] - b[i] - br;
        r[i] = (uint64_t)d;
        br = (uint64_t)(d >> 64) & 1; /* a wrap leaves all-ones above bit 63 */
    }
    return br;
}

uint64_t tern_bn_lt(const uint64_t *a, const uint64_t *b, size_t n) {
    uint64_t br = 0;
    for (size_t i = 0; i < n; i++) {
        tern_u128 d = (tern_u128)a[i] - b[i] - br;
        br = (uint64_t)(d >> 64) & 1;
    }
    return br; /* a borrow out of a - b means a < b */
}

uint64_t tern_bn_is_zero(const uint64_t *x, size_t n) {
    uint64_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= x[i];
    return tern_ct_is_zero_u64(acc);
}

/* r = mask ? a : b, limb by limb. */
static void bn_select(uint64_t *r, uint64_t mask, const uint64_t *a, const uint64_t *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        r[i] = tern_ct_select_u64(mask, a[i], b[i]);
}

void tern_bn_mod_add(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, size_t n) {
    uint64_t s[TERN_BN_MAX_LIMBS], d[TERN_BN_MAX_LIMBS];
    uint64_t carry = tern_bn_add(s, a, b, n);
    uint64_t borrow = tern_bn_sub(d, s, m, n);
    /* a + b >= m exactly when the sum carried out or m fitted under it. */
    uint64_t use_d = carry | (borrow ^ 1);
    bn_select(r, tern_ct_mask_u64(use_d), d, s, n);
}

void tern_bn_mod_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, size_t n) {
    uint64_t d[TERN_BN_MAX_LIMBS], s[TERN_BN_MAX_LIMBS];
    uint64_t borrow = tern_bn_sub(d, a, b, n);
    (void)tern_bn_add(s, d, m, n); /* wraps back into [0, m) when a < b */
    bn_select(r, tern_ct_mask_u64(borrow), s, d, n);
}

void tern_bn_mul(uint64_t *r, const uint64_t *a, size_t an, const uint64_t *b, size_t bn) {
    for (size_t i = 0; i < an + bn; i++)
        r[i] = 0;
    for (size_t i = 0; i < an; i++) {
        uint64_t c = 0;
        for (size_t j = 0; j < bn; j++) {
            tern_u128 s = (tern_u128)a[i] * b[j] + r[i + j] + c;
            r[i + j] = (uint64_t)s;
            c = (uint64_t)(s >> 64);
        }
        r[i + bn] = c;
    }
}

/* ---- bytes <-> limbs --------------------------------------------------- */

int tern_bn_from_be(uint64_t *x, size_t n, const uint8_t *in, size_t len) {
    uint64_t overflow = 0;
    for (size_t i = 0; i < n; i++)
        x[i] = 0;
    for (size_t i = 0; i < len; i++) {
        size_t pos = len - 1 - i; /* byte weight 256^pos */
        uint8_t b = in[i];
        if (pos / 8 < n)
            x[pos / 8] |= (uint64_t)b << (8 * (pos % 8));
        else
            overflow |= b;
    }
    /* The branch is on whether the value fits, which DER lengths and the
     * key size already make public. */
    return tern_ct_barrier_u64(overflow) ? TERN_ERR_BAD_KEY : 0;
}

void tern_bn_to_be(uint8_t *out, size_t len, const uint64_t *x, size_t n) {
    for (size_t i = 0; i < len; i++) {
        size_t pos = len - 1 - i;
        out[i] = pos / 8 < n ? (uint8_t)(x[pos / 8] >> (8 * (pos % 8))) : 0;
    }
}

size_t tern_bn_bits_vartime(const uint64_t *x, size_t n) {
    for (size_t i = n; i-- > 0;) {
        if (x[i]) {
            size_t b = 64;
            while (!(x[i] >> (b - 1)))
                b--;
            return 64 * i + b;
        }
    }
    return 0;
}

/* ---- Montgomery multiplication, portable ------------------------------- */

/* Portable Montgomery multiplication by product scanning with the
 * reduction folded in (Koc, Acar, Kaliski 1996, "FIPS"): column k sums
 * every a[j] b[k-j] and q[j] m[k-j]; for k < n the column also fixes
 * q[k] = (column mod 2^64) (-m^-1) so its low word vanishes.  Each column
 * keeps two 192-bit accumulators (products of a b, and of q m) so that two
 * carry chains run side by side. */
typedef struct {
    tern_u128 lo;
    uint64_t hi;
} acc192;

static inline void acc_add(acc192 *x, tern_u128 p) {
    tern_u128 s = x->lo + p;
    x->hi += (uint64_t)(s < p);
    x->lo = s;
}

/* x += y */
static inline void acc_add_acc(acc192 *x, const acc192 *y) {
    tern_u128 s = x->lo + y->lo;
    x->hi += y->hi + (uint64_t)(s < y->lo);
    x->lo = s;
}

/* x >>= 64 */
static inline void acc_shift(acc192 *x) {
    x->lo = x->lo >> 64 | (tern_u128)x->hi << 64;
    x->hi = 0;
}

/* The shared tail of a column: add the q m sum, choose q[k] when k < n
 * (so the column's low word vanishes), emit a result limb when k >= n,
 * carry 64 bits up. */
static inline void column_finish(acc192 *carry, acc192 *col, const acc192 *red, uint64_t *q, uint64_t *r,
                                 const uint64_t *m, uint64_t m0inv, size_t n, size_t k) {
    acc_add_acc(col, red);
    if (k < n) {
        q[k] = (uint64_t)col->lo * m0inv;
        acc_add(col, (tern_u128)q[k] * m[0]); /* low word becomes 0 */
    } else {
        r[k - n] = (uint64_t)col->lo;
    }
    acc_shift(col);
    *carry = *col;
}

/* r (< m) from the n low limbs of t plus the bit top above them, t < 2m. */
static void final_reduce(uint64_t *r, const uint64_t *t, uint64_t top, const uint64_t *m, size_t n) {
    uint64_t d[TERN_BN_MAX_LIMBS];
    uint64_t borrow = tern_bn_sub(d, t, m, n);
    bn_select(r, tern_ct_mask_u64(top | (borrow ^ 1)), d, t, n);
}

void tern_bn_mont_mul_portable(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m,
                               uint64_t m0inv, size_t n) {
    uint64_t q[TERN_BN_MAX_LIMBS], t[TERN_BN_MAX_LIMBS];
    acc192 carry = {0, 0};
    for (size_t k = 0; k < 2 * n - 1; k++) {
        /* q m terms: j in [lo, hi); a b terms: the same j, plus j = k when
         * k < n.  One loop feeds both accumulators so the two carry chains
         * interleave. */
        size_t lo = k < n ? 0 : k - n + 1, hi = k < n ? k : n;
        acc192 col = {0, 0}, red = carry;
        for (size_t j = lo; j < hi; j++) {
            acc_add(&col, (tern_u128)a[j] * b[k - j]);
            acc_add(&red, (tern_u128)q[j] * m[k - j]);
        }
        if (k < n)
            acc_add(&col, (tern_u128)a[k] * b[0]);
        column_finish(&carry, &col, &red, q, t, m, m0inv, n, k);
    }
    /* The last column's carry is limb n-1 plus the top bit. */
    t[n - 1] = (uint64_t)carry.lo;
    final_reduce(r, t, (uint64_t)(carry.lo >> 64), m, n);
    tern_wipe(q, sizeof q);
}

/* Squaring: each column's off-diagonal products once, doubled, plus the
 * diagonal square (1.5 n^2 products instead of 2 n^2). */
void tern_bn_mont_sqr_portable(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0inv, size_t n) {
    uint64_t q[TERN_BN_MAX_LIMBS], t[TERN_BN_MAX_LIMBS];
    acc192 carry = {0, 0};
    for (size_t k = 0; k < 2 * n - 1; k++) {
        size_t lo = k < n ? 0 : k - n + 1, hi = k < n ? k : n;
        size_t mid = (k + 1) / 2; /* off-diagonal a terms: j in [lo, mid) */
        acc192 col = {0, 0}, red = carry;
        size_t j = lo;
        for (; j < mid; j++) {
            acc_add(&col, (tern_u128)a[j] * a[k - j]);
            acc_add(&red, (tern_u128)q[j] * m[k - j]);
        }
        for (; j < hi; j++)
            acc_add(&red, (tern_u128)q[j] * m[k - j]);
        col.hi = col.hi << 1 | (uint64_t)(col.lo >> 127);
        col.lo <<= 1;
        if (k % 2 == 0) /* k is public */
            acc_add(&col, (tern_u128)a[k / 2] * a[k / 2]);
        column_finish(&carry, &col, &red, q, t, m, m0inv, n, k);
    }
    t[n - 1] = (uint64_t)carry.lo;
    final_reduce(r, t, (uint64_t)(carry.lo >> 64), m, n);
    tern_wipe(q, sizeof q);
}

void tern_bn_mont_init(tern_bn_mont *ctx, const uint64_t *m, const uint64_t *rr, uint64_t m0inv, size_t n) {
    ctx->m = m;
    ctx->rr = rr;
    ctx->m0inv = m0inv;
    ctx->n = n;
    int adx = tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX);
    ctx->mul = adx ? tern_bn_mont_mul_adx : tern_bn_mont_mul_portable;
    ctx->sqr = adx ? tern_bn_mont_sqr_adx : tern_bn_mont_sqr_portable;
    ctx->select = n % 4 == 0 && tern_cpu_has(TERN_CPU_AVX2) ? tern_bn_select_avx2 : tern_bn_select_portable;
}

/* x = 2 x mod m, for x < m. */
static void bn_mod_double(uint64_t *x, const uint64_t *m, size_t n) {
    uint64_t d[TERN_BN_MAX_LIMBS];
    uint64_t top = x[n - 1] >> 63;
    for (size_t i = n - 1; i > 0; i--)
        x[i] = x[i] << 1 | x[i - 1] >> 63;
    x[0] <<= 1;
    uint64_t borrow = tern_bn_sub(d, x, m, n);
    bn_select(x, tern_ct_mask_u64(top | (borrow ^ 1)), d, x, n);
    tern_wipe(d, sizeof d);
}

void tern_bn_mont_rr(uint64_t *rr, const uint64_t *m, uint64_t m0inv, size_t n, size_t start) {
    uint64_t x[TERN_BN_MAX_LIMBS];
    size_t total = 64 * n, a = total, k = 0;
    while (a % 2 == 0) {
        a /= 2;
        k++;
    }
    if (start >= total)
        start = total - 1;
    for (size_t i = 0; i < n; i++)
        x[i] = 0;
    x[start / 64] = (uint64_t)1 << (start % 64); /* 2^start < m */
    /* 2^start -> R = 2^(64 n) -> 2^a R, all mod m. */
    for (size_t i = 0; i < total - start + a; i++)
        bn_mod_double(x, m, n);
    /* mont(2^b R, 2^b R) = 2^(2b) R: k squarings take 2^a R to 2^(64 n) R = R^2. */
    for (size_t i = 0; i < k; i++)
        tern_bn_mont_mul_portable(x, x, x, m, m0inv, n);
    for (size_t i = 0; i < n; i++)
        rr[i] = x[i];
    tern_wipe(x, sizeof x);
}

void tern_bn_to_mont(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a) {
    tern_bn_mont_mul(ctx, r, a, ctx->rr);
}

void tern_bn_from_mont(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a) {
    uint64_t one[TERN_BN_MAX_LIMBS];
    for (size_t i = 0; i < ctx->n; i++)
        one[i] = 0;
    one[0] = 1;
    tern_bn_mont_mul(ctx, r, a, one);
}

void tern_bn_reduce_to_mont(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *x, size_t xn) {
    /* x = hi R + lo with hi, lo < R.  Then x R = hi R^2 + lo R (mod m):
     * mont(mont(hi, R^2), R^2) = hi R^2 and mont(lo, R^2) = lo R, each with
     * one operand below m as the multiplication needs. */
    size_t n = ctx->n;
    uint64_t lo[TERN_BN_MAX_LIMBS], hi[TERN_BN_MAX_LIMBS], t[TERN_BN_MAX_LIMBS];
    for (size_t i = 0; i < n; i++) {
        lo[i] = i < xn ? x[i] : 0;
        hi[i] = n + i < xn ? x[n + i] : 0;
    }
    tern_bn_mont_mul(ctx, hi, hi, ctx->rr);
    tern_bn_mont_mul(ctx, hi, hi, ctx->rr);
    tern_bn_mont_mul(ctx, t, lo, ctx->rr);
    tern_bn_mod_add(r, hi, t, ctx->m, n);
    tern_wipe(lo, sizeof lo);
    tern_wipe(hi, sizeof hi);
    tern_wipe(t, sizeof t);
}

/* ---- exponentiation ----------------------------------------------------- */

#define EXP_WIN 5
#define EXP_TAB (1u << EXP_WIN)

/* w bits of e starting at bit pos (pos public, bits past ebits read as 0). */
static uint64_t exp_window(const uint64_t *e, size_t elimbs, size_t pos, unsigned w) {
    size_t li = pos / 64, off = pos % 64;
    uint64_t v = li < elimbs ? e[li] >> off : 0;
    if (off + w > 64 && li + 1 < elimbs)
        v |= e[li + 1] << (64 - off);
    return v & ((1u << w) - 1);
}

void tern_bn_select_portable(uint64_t *out, const uint64_t *tab, size_t count, size_t n, uint64_t idx) {
    for (size_t i = 0; i < n; i++)
        out[i] = 0;
    /* Four entries per pass over out. */
    size_t k = 0;
    for (; k + 4 <= count; k += 4) {
        uint64_t m0 = tern_ct_mask_u64(tern_ct_eq_u64(k, idx));
        uint64_t m1 = tern_ct_mask_u64(tern_ct_eq_u64(k + 1, idx));
        uint64_t m2 = tern_ct_mask_u64(tern_ct_eq_u64(k + 2, idx));
        uint64_t m3 = tern_ct_mask_u64(tern_ct_eq_u64(k + 3, idx));
        const uint64_t *t0 = tab + k * n, *t1 = t0 + n, *t2 = t1 + n, *t3 = t2 + n;
        for (size_t i = 0; i < n; i++)
            out[i] |= (t0[i] & m0) | (t1[i] & m1) | (t2[i] & m2) | (t3[i] & m3);
    }
    for (; k < count; k++) {
        uint64_t mk = tern_ct_mask_u64(tern_ct_eq_u64(k, idx));
        for (size_t i = 0; i < n; i++)
            out[i] |= tab[k * n + i] & mk;
    }
}

void tern_bn_mont_exp_ct(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *e, size_t ebits) {
    size_t n = ctx->n;
    size_t elimbs = (ebits + 63) / 64;
    /* Entries packed at stride n so the whole table stays small in L1. */
    uint64_t tab[EXP_TAB * TERN_BN_MAX_LIMBS];
    uint64_t acc[TERN_BN_MAX_LIMBS], sel[TERN_BN_MAX_LIMBS];
#define TAB(k) (tab + (size_t)(k) * n)

    /* tab[k] = a^k (Montgomery form); tab[0] = R mod m = the form of 1. */
    for (size_t i = 0; i < n; i++)
        sel[i] = 0;
    sel[0] = 1;
    tern_bn_to_mont(ctx, TAB(0), sel);
    for (size_t i = 0; i < n; i++)
        TAB(1)[i] = a[i];
    for (unsigned k = 2; k < EXP_TAB; k++) {
        if (k % 2 == 0)
            tern_bn_mont_sqr(ctx, TAB(k), TAB(k / 2));
        else
            tern_bn_mont_mul(ctx, TAB(k), TAB(k - 1), a);
    }

    /* acc starts as the form of 1, so an empty exponent gives 1. */
    for (size_t i = 0; i < n; i++)
        acc[i] = TAB(0)[i];
    size_t nwin = (ebits + EXP_WIN - 1) / EXP_WIN;
    for (size_t wi = nwin; wi-- > 0;) {
        if (wi + 1 != nwin) {
            for (unsigned s = 0; s < EXP_WIN; s++)
                tern_bn_mont_sqr(ctx, acc, acc);
        }
        uint64_t bits = exp_window(e, elimbs, wi * EXP_WIN, EXP_WIN);
        /* Read every entry; keep the one whose index equals the window. */
        ctx->select(sel, tab, EXP_TAB, n, bits);
        if (wi + 1 == nwin) {
            for (size_t i = 0; i < n; i++)
                acc[i] = sel[i];
        } else {
            tern_bn_mont_mul(ctx, acc, acc, sel);
        }
    }
#undef TAB
    for (size_t i = 0; i < n; i++)
        r[i] = acc[i];
    tern_wipe(tab, EXP_TAB * n * sizeof(uint64_t));
    tern_wipe(acc, sizeof acc);
    tern_wipe(sel, sizeof sel);
}

void tern_bn_mont_exp_pub(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a, uint64_t e) {
    size_t n = ctx->n;
    uint64_t acc[TERN_BN_MAX_LIMBS], base[TERN_BN_MAX_LIMBS];
    for (size_t i = 0; i < n; i++)
        base[i] = acc[i] = a[i];
    int top = 63;
    while (top > 0 && !((e >> top) & 1))
        top--;
    for (int b = top - 1; b >= 0; b--) {
        tern_bn_mont_sqr(ctx, acc, acc);
        if ((e >> b) & 1) /* e is public */
            tern_bn_mont_mul(ctx, acc, acc, base);
    }
    for (size_t i = 0; i < n; i++)
        r[i] = acc[i];
    tern_wipe(acc, sizeof acc);
    tern_wipe(base, sizeof base);
}

/* ---- constant-time modular inverse (safegcd) --------------------------- */

/* Numbers here are "signed62": limbs 0 .. len-2 hold 62 bits each in
 * [0, 2^62), the top limb is a signed int64.  64 n bits plus sign and
 * headroom for values in (-2m, 2m) fit in 64 n / 62 + 1 limbs. */
#define S62_MAX (TERN_BN_MAX_LIMBS * 64 / 62 + 2)
#define M62 (((uint64_t)1 << 62) - 1)

typedef struct {
    int64_t u, v, q, r;
} divstep_mat;

/* 62 divsteps on the low bits of f (odd) and g.  Tracks the matrix T with
 * 2^i (f_i, g_i) = T (f_0, g_0) after i steps: |u|+|v| and |q|+|r| stay at
 * most 2^i <= 2^62.  Each step, branch-free:
 *   delta > 0 and g odd:  (delta, f, g) <- (1 - delta, g, (g - f) / 2)
 *   g odd:                (delta, f, g) <- (1 + delta, f, (g + f) / 2)
 *   g even:               (delta, f, g) <- (1 + delta, f, g / 2)
 * done as "conditionally swap (f, g) and negate g", then "if g odd, add f",
 * then halve g.  Only low bits matter: step i reads bit 0 of g, which
 * depends on the low i+1 bits of the inputs. */
static int64_t divsteps_62(int64_t delta, uint64_t f, uint64_t g, divstep_mat *t) {
    uint64_t u = 1, v = 0, q = 0, r = 1;
    uint64_t d = (uint64_t)delta;
    for (int i = 0; i < 62; i++) {
        uint64_t dpos = ((uint64_t)0 - d) >> 63; /* 1 iff delta > 0 (|delta| < 2^62) */
        uint64_t godd = (uint64_t)0 - (g & 1);   /* mask */
        uint64_t x = tern_ct_barrier_u64((uint64_t)0 - dpos) & godd;
        uint64_t tmp;
        d = (d ^ x) - x;
        tmp = (f ^ g) & x;
        f ^= tmp;
        g ^= tmp;
        g = (g ^ x) - x;
        tmp = (u ^ q) & x;
        u ^= tmp;
        q ^= tmp;
        q = (q ^ x) - x;
        tmp = (v ^ r) & x;
        v ^= tmp;
        r ^= tmp;
        r = (r ^ x) - x;
        g += f & godd;
        q += u & godd;
        r += v & godd;
        g >>= 1;
        u <<= 1;
        v <<= 1;
        d += 1;
    }
    t->u = (int64_t)u;
    t->v = (int64_t)v;
    t->q = (int64_t)q;
    t->r = (int64_t)r;
    return (int64_t)d;
}

/* (f, g) <- T (f, g) / 2^62, exactly (the low 62 bits vanish). */
static void s62_update_fg(int64_t *f, int64_t *g, const divstep_mat *t, size_t len) {
    tern_i128 cf = (tern_i128)t->u * f[0] + (tern_i128)t->v * g[0];
    tern_i128 cg = (tern_i128)t->q * f[0] + (tern_i128)t->r * g[0];
    cf >>= 62;
    cg >>= 62;
    for (size_t i = 1; i < len; i++) {
        cf += (tern_i128)t->u * f[i] + (tern_i128)t->v * g[i];
        cg += (tern_i128)t->q * f[i] + (tern_i128)t->r * g[i];
        f[i - 1] = (int64_t)((uint64_t)cf & M62);
        g[i - 1] = (int64_t)((uint64_t)cg & M62);
        cf >>= 62;
        cg >>= 62;
    }
    f[len - 1] = (int64_t)cf;
    g[len - 1] = (int64_t)cg;
}

/* (d, e) <- T (d, e) / 2^62 mod m, keeping d, e in (-2m, m): first add m to
 * a negative input (so both lie in (-m, m)), then add the multiple k m with
 * k = -(T (d, e)) m^-1 mod 2^62 chosen in [x - 2^62, x] that clears the low
 * 62 bits; the shifted result is then in (-2m, m) again. */
static void s62_update_de(int64_t *d, int64_t *e, const divstep_mat *t, const int64_t *m, uint64_t minv62,
                          size_t len) {
    uint64_t sd = (uint64_t)(d[len - 1] >> 63), se = (uint64_t)(e[len - 1] >> 63); /* masks */
    uint64_t md = ((uint64_t)t->u & sd) + ((uint64_t)t->v & se);
    uint64_t me = ((uint64_t)t->q & sd) + ((uint64_t)t->r & se);
    tern_i128 cd = (tern_i128)t->u * d[0] + (tern_i128)t->v * e[0];
    tern_i128 ce = (tern_i128)t->q * d[0] + (tern_i128)t->r * e[0];
    md -= (minv62 * (uint64_t)cd + md) & M62;
    me -= (minv62 * (uint64_t)ce + me) & M62;
    cd += (tern_i128)m[0] * (int64_t)md;
    ce += (tern_i128)m[0] * (int64_t)me;
    cd >>= 62;
    ce >>= 62;
    for (size_t i = 1; i < len; i++) {
        cd += (tern_i128)t->u * d[i] + (tern_i128)t->v * e[i] + (tern_i128)m[i] * (int64_t)md;
        ce += (tern_i128)t->q * d[i] + (tern_i128)t->r * e[i] + (tern_i128)m[i] * (int64_t)me;
        d[i - 1] = (int64_t)((uint64_t)cd & M62);
        e[i - 1] = (int64_t)((uint64_t)ce & M62);
        cd >>= 62;
        ce >>= 62;
    }
    d[len - 1] = (int64_t)cd;
    e[len - 1] = (int64_t)ce;
}

/* x += (a & mask) or x -= (a & mask), then carry-normalise the limbs. */
static void s62_addsub_masked(int64_t *x, const int64_t *a, uint64_t mask, int sub, size_t len) {
    tern_i128 c = 0;
    for (size_t i = 0; i < len; i++) {
        int64_t ai = (int64_t)((uint64_t)a[i] & mask);
        c += x[i];
        c += sub ? -(tern_i128)ai : (tern_i128)ai; /* sub is a constant per call site */
        if (i + 1 < len) {
            x[i] = (int64_t)((uint64_t)c & M62);
            c >>= 62;
        } else {
            x[i] = (int64_t)c;
        }
    }
}

/* x <- -x when mask is all-ones. */
static void s62_neg_masked(int64_t *x, uint64_t mask, size_t len) {
    tern_i128 c = 0;
    for (size_t i = 0; i < len; i++) {
        c += (int64_t)(((uint64_t)x[i] ^ mask) - mask);
        if (i + 1 < len) {
            x[i] = (int64_t)((uint64_t)c & M62);
            c >>= 62;
        } else {
            x[i] = (int64_t)c;
        }
    }
}

static void s62_from_limbs(int64_t *s, size_t len, const uint64_t *x, size_t n) {
    for (size_t i = 0; i < len; i++) {
        size_t bit = 62 * i, li = bit / 64, off = bit % 64;
        uint64_t v = li < n ? x[li] >> off : 0;
        if (off > 2 && li + 1 < n)
            v |= x[li + 1] << (64 - off);
        s[i] = (int64_t)(i + 1 < len ? v & M62 : v);
    }
}

/* Non-negative, normalised signed62 -> n limbs. */
static void s62_to_limbs(uint64_t *x, size_t n, const int64_t *s, size_t len) {
    tern_u128 acc = 0;
    unsigned have = 0;
    size_t j = 0;
    for (size_t i = 0; i < len && j < n; i++) {
        acc |= (tern_u128)((uint64_t)s[i] & M62) << have;
        have += 62;
        if (have >= 64) {
            x[j++] = (uint64_t)acc;
            acc >>= 64;
            have -= 64;
        }
    }
    while (j < n) {
        x[j++] = (uint64_t)acc;
        acc >>= 64;
    }
}

void tern_bn_mod_inv_ct(uint64_t *r, const uint64_t *x, const uint64_t *m, uint64_t m0inv, size_t n) {
    int64_t f[S62_MAX], g[S62_MAX], d[S62_MAX], e[S62_MAX], ms[S62_MAX];
    size_t len = 64 * n / 62 + 1;
    s62_from_limbs(ms, len, m, n);
    s62_from_limbs(f, len, m, n);
    s62_from_limbs(g, len, x, n);
    for (size_t i = 0; i < len; i++)
        d[i] = e[i] = 0;
    e[0] = 1;
    /* Invariants: f = d x, g = e x (mod m).  Bernstein-Yang Theorem 11.2:
     * for inputs below 2^b (b >= 46), floor((49 b + 57) / 17) divsteps
     * bring g to 0 and leave f = +-gcd. */
    size_t bits = 64 * n;
    size_t steps = (49 * bits + 57) / 17;
    size_t batches = (steps + 61) / 62;
    uint64_t minv62 = ((uint64_t)0 - m0inv) & M62; /* m^-1 mod 2^62 */
    int64_t delta = 1;
    for (size_t b = 0; b < batches; b++) {
        divstep_mat t;
        delta = divsteps_62(delta, (uint64_t)f[0], (uint64_t)g[0], &t);
        s62_update_fg(f, g, &t, len);
        s62_update_de(d, e, &t, ms, minv62, len);
    }
    /* f = +-1 (when invertible) and f = d x: the inverse is sign(f) d.
     * d is in (-2m, m), so sign(f) d is in (-m, 2m): add m if negative
     * (giving [0, 2m)), then subtract m if the value is still >= m. */
    uint64_t fneg = (uint64_t)(f[len - 1] >> 63);
    s62_neg_masked(d, fneg, len);
    s62_addsub_masked(d, ms, (uint64_t)(d[len - 1] >> 63), 0, len);
    int64_t tmp[S62_MAX];
    for (size_t i = 0; i < len; i++)
        tmp[i] = d[i];
    s62_addsub_masked(tmp, ms, ~(uint64_t)0, 1, len);
    uint64_t ge = ~(uint64_t)(tmp[len - 1] >> 63); /* d - m >= 0 */
    for (size_t i = 0; i < len; i++)
        d[i] = (int64_t)tern_ct_select_u64(ge, (uint64_t)tmp[i], (uint64_t)d[i]);
    s62_to_limbs(r, n, d, len);
    tern_wipe(f, sizeof f);
    tern_wipe(g, sizeof g);
    tern_wipe(d, sizeof d);
    tern_wipe(e, sizeof e);
    tern_wipe(ms, sizeof ms);
    tern_wipe(tmp, sizeof tmp);
}
