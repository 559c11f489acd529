/*
 * NIST P-256 (FIPS 186-4 §D.1.2.3; SEC 1 v2 §2.3, §3.2.2, §3.3.1):
 * field arithmetic, complete point formulas, constant-time scalar
 * multiplication, ECDH, key generation, and arithmetic mod the group order
 * for ECDSA.  See p256.h.
 *
 * Field: p = 2^256 - 2^224 + 2^192 + 2^96 - 1, elements as four 64-bit
 * limbs in the Montgomery domain (a stands for a * 2^256 mod p), always
 * fully reduced (< p).  Multiplication is a schoolbook product followed by
 * Montgomery reduction (p256_adx.c interleaves the two with mulx/adx and is
 * used when the CPU has them); since p = -1 mod 2^64, the per-word factor
 * -p^-1 mod 2^64 is 1, so the reduction multiplier is simply the low word.
 *
 * Points: homogeneous projective (X : Y : Z), x = X/Z, y = Y/Z, identity
 * (0 : 1 : 0), for the fixed-base walk, with the Renes-Costello-Batina
 * mixed addition for a = -3 (eprint 2015/1060, Algorithm 5), complete on
 * this prime-order curve for every accumulator value, the identity
 * included.  The variable-base ladder, which is mostly doublings, uses
 * Jacobian coordinates (doubling 3M + 5S against the complete formula's
 * 8M + 3S + 2 mults by b) with a guarded addition; see jac_add() and
 * point_mul() for why the guard suffices.  Verification, where every input
 * is public, uses a variable-time interleaved wNAF (tern_p256_mul2_x) and
 * compares x(R) mod n with r without leaving Jacobian coordinates
 * (tern_p256_mul2_check_r: X = r Z^2, or (r + n) Z^2 when r + n < p).
 *
 * Scalar multiplication: signed radix-2^5 digits d_i in [-16, 16]
 * (k = sum d_i 2^(5i), Booth recoding), 52 windows.  Variable base: a table
 * of 1P..16P, five doublings and one addition per window.  Fixed base: the
 * precomputed affine table j * 2^(5i) * G (p256_table.h), one mixed
 * addition per window and no doublings.  Every lookup reads all 16 entries
 * and keeps the wanted one with a mask; the sign is applied by a masked
 * negation.  Nothing branches on or indexes by a secret.
 */
#include "crypto/p256.h"

#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/rand.h"

__extension__ typedef unsigned __int128 u128;
typedef uint64_t fe[4];

#include "crypto/p256_table.h"

/* ---- Constants (limbs least significant first; checked by the tests and
 * by p256_table_gen.py's arithmetic) ---- */
static const uint64_t P[4] = {0xffffffffffffffffu, 0x00000000ffffffffu, 0x0000000000000000u, 0xffffffff00000001u};
/* 2^256 mod p: the Montgomery form of 1. */
static const fe FE_ONE = {0x0000000000000001u, 0xffffffff00000000u, 0xffffffffffffffffu, 0x00000000fffffffeu};
/* 2^512 mod p: multiplying by it converts into the Montgomery domain. */
static const fe FE_R2 = {0x0000000000000003u, 0xfffffffbffffffffu, 0xfffffffffffffffeu, 0x00000004fffffffdu};
/* The curve's b, Montgomery form. */
static const fe FE_B = {0xd89cdf6229c4bddfu, 0xacf005cd78843090u, 0xe5a220abf7212ed6u, 0xdc30061d04874834u};

/* Group order n, 2^512 mod n, and -n^-1 mod 2^64 for Montgomery mod n. */
static const uint64_t N[4] = {0xf3b9cac2fc632551u, 0xbce6faada7179e84u, 0xffffffffffffffffu, 0xffffffff00000000u};
static const uint64_t N_R2[4] = {0x83244c95be79eea2u, 0x4699799c49bd6fa6u, 0x2845b2392b6bec59u,
                                 0x66e12d94f3d95620u};
static const uint64_t N_N0 = 0xccd1c8aaee00bc4fu;
/* n - 2, the inversion exponent (public). */
static const uint64_t N_MINUS_2[4] = {0xf3b9cac2fc63254fu, 0xbce6faada7179e84u, 0xffffffffffffffffu,
                                      0xffffffff00000000u};

/* ---- Word helpers ----
 * Add-with-carry and subtract-with-borrow.  On x86-64 the compiler's
 * carry intrinsics turn each into one adc/sbb (the 128-bit spelling below
 * is correct everywhere but GCC compiles it into long, spilling chains);
 * elsewhere the portable spelling is used.  Either way: no branch. */
#if defined(__x86_64__)
#include <x86intrin.h>
static inline uint64_t addc(uint64_t a, uint64_t b, uint64_t *carry) {
    unsigned long long s;
    *carry = _addcarry_u64((unsigned char)*carry, a, b, &s);
    return (uint64_t)s;
}
static inline uint64_t subb(uint64_t a, uint64_t b, uint64_t *borrow) {
    unsigned long long d;
    *borrow = _subborrow_u64((unsigned char)*borrow, a, b, &d);
    return (uint64_t)d;
}
#else
static inline uint64_t addc(uint64_t a, uint64_t b, uint64_t *carry) {
    u128 t = (u128)a + b + *carry;
    *carry = (uint64_t)(t >> 64);
    return (uint64_t)t;
}
/* a - b - *borrow; *borrow becomes 1 on wrap.  (The 128-bit difference is
 * negative exactly when it wraps, and then its high word is all ones.) */
static inline uint64_t subb(uint64_t a, uint64_t b, uint64_t *borrow) {
    u128 t = (u128)a - b - *borrow;
    *borrow = (uint64_t)(t >> 64) & 1;
    return (uint64_t)t;
}
#endif

/* r = (top:t) - m if that does not go negative, else t.  Used after an
 * addition or Montgomery product whose value is known to be < 2m.  Written
 * out limb by limb (no loops, no arrays) so the compiler keeps everything in
 * registers and emits plain sbb chains. */
static inline void cond_sub(uint64_t r[4], uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3, uint64_t top,
                            const uint64_t m[4]) {
    uint64_t br = 0;
    uint64_t s0 = subb(t0, m[0], &br);
    uint64_t s1 = subb(t1, m[1], &br);
    uint64_t s2 = subb(t2, m[2], &br);
    uint64_t s3 = subb(t3, m[3], &br);
    (void)subb(top, 0, &br);
    uint64_t keep_t = tern_ct_mask_u64(br); /* borrow: (top:t) < m */
    r[0] = tern_ct_select_u64(keep_t, t0, s0);
    r[1] = tern_ct_select_u64(keep_t, t1, s1);
    r[2] = tern_ct_select_u64(keep_t, t2, s2);
    r[3] = tern_ct_select_u64(keep_t, t3, s3);
}

/* r = a + b mod m, for a, b < m. */
static inline void mod_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4]) {
    uint64_t c = 0;
    uint64_t t0 = addc(a[0], b[0], &c);
    uint64_t t1 = addc(a[1], b[1], &c);
    uint64_t t2 = addc(a[2], b[2], &c);
    uint64_t t3 = addc(a[3], b[3], &c);
    cond_sub(r, t0, t1, t2, t3, c, m);
}

/* r = a - b mod m, for a, b < m: subtract, then add m back under the
 * borrow mask. */
static inline void mod_sub(uint64_t r[4], const uint64_t a[4], const uint64_t b[4], const uint64_t m[4]) {
    uint64_t br = 0, c = 0;
    uint64_t t0 = subb(a[0], b[0], &br);
    uint64_t t1 = subb(a[1], b[1], &br);
    uint64_t t2 = subb(a[2], b[2], &br);
    uint64_t t3 = subb(a[3], b[3], &br);
    uint64_t mask = tern_ct_mask_u64(br);
    r[0] = addc(t0, m[0] & mask, &c);
    r[1] = addc(t1, m[1] & mask, &c);
    r[2] = addc(t2, m[2] & mask, &c);
    r[3] = addc(t3, m[3] & mask, &c);
}

/* ---- Field arithmetic mod p ---- */

/* (hi:lo) = a * b. */
static inline void mul64(uint64_t *lo, uint64_t *hi, uint64_t a, uint64_t b) {
    u128 t = (u128)a * b;
    *lo = (uint64_t)t;
    *hi = (uint64_t)(t >> 64);
}

/* One Montgomery reduction round on t[i..i+4] (passed as t0..t4) with the
 * pending carry word cb for t4: add m * p * 2^(64 i), m = t0.  Because
 * -p^-1 = 1 mod 2^64 the multiplier is t0 itself; p's low limb 2^64 - 1
 * turns t0 into a carry of exactly m (t0 + m (2^64 - 1) = m 2^64), p's
 * limb 2 is 0, and limbs 1 and 3 are multiplied out.  Afterwards t0 is
 * zero (dropped) and cb holds what overflowed t4, for the next round. */
#define REDUCE_ROUND(t0, t1, t2, t3, t4, cb)      \
    do {                                            \
        uint64_t m_ = (t0), l1_, h1_, l3_, h3_, c_; \
        mul64(&l1_, &h1_, m_, P[1]);                \
        mul64(&l3_, &h3_, m_, P[3]);                \
        c_ = 0;                                     \
        t1 = addc(t1, l1_, &c_);                    \
        t2 = addc(t2, h1_, &c_);                    \
        t3 = addc(t3, l3_, &c_);                    \
        t4 = addc(t4, h3_, &c_);                    \
        uint64_t c2_ = 0;                           \
        t1 = addc(t1, m_, &c2_);                    \
        t2 = addc(t2, 0, &c2_);                     \
        t3 = addc(t3, 0, &c2_);                     \
        t4 = addc(t4, (cb), &c2_);                  \
        (cb) = c_ + c2_;                            \
    } while (0)

/* r = t / 2^256 mod p for t = (t7..t0) < p 2^256 (Montgomery reduction):
 * four rounds, then the value (cb:t7..t4) is < 2p and one conditional
 * subtraction finishes. */
static inline void fe_mont_reduce(fe r, uint64_t t0, uint64_t t1, uint64_t t2, uint64_t t3, uint64_t t4,
                                  uint64_t t5, uint64_t t6, uint64_t t7) {
    uint64_t cb = 0;
    REDUCE_ROUND(t0, t1, t2, t3, t4, cb);
    REDUCE_ROUND(t1, t2, t3, t4, t5, cb);
    REDUCE_ROUND(t2, t3, t4, t5, t6, cb);
    REDUCE_ROUND(t3, t4, t5, t6, t7, cb);
    cond_sub(r, t4, t5, t6, t7, cb, P);
}

/* Row i of the schoolbook product: (t_i .. t_{i+4}) += a * b_i, as two
 * carry chains, one over the low halves of the four partial products and
 * one over the high halves.  t_{i+4} enters as 0. */
#define MUL_ROW(ti, ti1, ti2, ti3, ti4, bi)         \
    do {                                            \
        uint64_t l0_, h0_, l1_, h1_, l2_, h2_, l3_, h3_, c_ = 0; \
        mul64(&l0_, &h0_, a0, bi);                  \
        mul64(&l1_, &h1_, a1, bi);                  \
        mul64(&l2_, &h2_, a2, bi);                  \
        mul64(&l3_, &h3_, a3, bi);                  \
        ti = addc(ti, l0_, &c_);                    \
        ti1 = addc(ti1, l1_, &c_);                  \
        ti2 = addc(ti2, l2_, &c_);                  \
        ti3 = addc(ti3, l3_, &c_);                  \
        ti4 = c_;                                   \
        c_ = 0;                                     \
        ti1 = addc(ti1, h0_, &c_);                  \
        ti2 = addc(ti2, h1_, &c_);                  \
        ti3 = addc(ti3, h2_, &c_);                  \
        ti4 = addc(ti4, h3_, &c_);                  \
    } while (0)

/* r = a * b / 2^256 mod p: schoolbook 4x4 product, then the reduction. */
static void fe_mul_c(fe r, const fe a, const fe b) {
    const uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4, t5, t6, t7;
    MUL_ROW(t0, t1, t2, t3, t4, b[0]);
    MUL_ROW(t1, t2, t3, t4, t5, b[1]);
    MUL_ROW(t2, t3, t4, t5, t6, b[2]);
    MUL_ROW(t3, t4, t5, t6, t7, b[3]);
    fe_mont_reduce(r, t0, t1, t2, t3, t4, t5, t6, t7);
}

/* r = a^2 / 2^256 mod p: the six cross products once, doubled, plus the
 * four squares (10 multiplications instead of 16). */
static void fe_sqr_c(fe r, const fe a) {
    const uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    uint64_t t0, t1, t2, t3, t4, t5, t6, t7, c, lo, hi, l2, h2;
    /* cross products a_i a_j (i < j) at position i + j */
    mul64(&t1, &t2, a0, a1);
    mul64(&lo, &t3, a0, a2);
    mul64(&l2, &t4, a0, a3);
    c = 0;
    t2 = addc(t2, lo, &c);
    t3 = addc(t3, l2, &c);
    t4 = addc(t4, 0, &c);
    mul64(&lo, &hi, a1, a2);
    mul64(&l2, &h2, a1, a3);
    mul64(&t5 /* placeholder */, &t6, a2, a3);
    /* add a1a2 at 3, a1a3 at 4, a2a3 at 5 */
    uint64_t l5 = t5;
    c = 0;
    t3 = addc(t3, lo, &c);
    t4 = addc(t4, hi, &c);
    t5 = addc(0, 0, &c);
    c = 0;
    t4 = addc(t4, l2, &c);
    t5 = addc(t5, h2, &c);
    t6 = addc(t6, 0, &c);
    c = 0;
    t5 = addc(t5, l5, &c);
    t6 = addc(t6, 0, &c);
    /* double them */
    t7 = t6 >> 63;
    t6 = (t6 << 1) | (t5 >> 63);
    t5 = (t5 << 1) | (t4 >> 63);
    t4 = (t4 << 1) | (t3 >> 63);
    t3 = (t3 << 1) | (t2 >> 63);
    t2 = (t2 << 1) | (t1 >> 63);
    t1 = t1 << 1;
    /* add the squares a_i^2 at position 2i */
    c = 0;
    mul64(&t0, &hi, a0, a0);
    t1 = addc(t1, hi, &c);
    mul64(&lo, &hi, a1, a1);
    t2 = addc(t2, lo, &c);
    t3 = addc(t3, hi, &c);
    mul64(&lo, &hi, a2, a2);
    t4 = addc(t4, lo, &c);
    t5 = addc(t5, hi, &c);
    mul64(&lo, &hi, a3, a3);
    t6 = addc(t6, lo, &c);
    t7 = addc(t7, hi, &c);
    fe_mont_reduce(r, t0, t1, t2, t3, t4, t5, t6, t7);
}

/* The multiplications in use (field mod p, and Montgomery mod n for the
 * scalars): the C code in this file, or on x86-64 with BMI2 and ADX the
 * mulx versions in p256_adx.c.  Picked once per public operation
 * from tern_cpu() and passed down as F; fe_mul()/fe_sqr() below go
 * through it. */
typedef struct {
    void (*mul)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
    void (*sqr)(uint64_t r[4], const uint64_t a[4]);
    void (*scmul)(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]); /* Montgomery mod n */
} fe_ops;
static void sc_montmul_c(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
static const fe_ops OPS_C = {fe_mul_c, fe_sqr_c, sc_montmul_c};
#if defined(__x86_64__)
static const fe_ops OPS_ADX = {tern_p256_fe_mul_adx, tern_p256_fe_sqr_adx, tern_p256_sc_mul_adx};
static const fe_ops *fe_pick(void) {
    return tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX) ? &OPS_ADX : &OPS_C;
}
#else
static const fe_ops *fe_pick(void) {
    return &OPS_C;
}
#endif
#define fe_mul(r, a, b) F->mul((r), (a), (b))
#define fe_sqr(r, a) F->sqr((r), (a))
#define sc_montmul(r, a, b) F->scmul((r), (a), (b))

static inline void fe_add(fe r, const fe a, const fe b) {
    mod_add(r, a, b, P);
}
static inline void fe_sub(fe r, const fe a, const fe b) {
    mod_sub(r, a, b, P);
}
static inline void fe_copy(fe r, const fe a) {
    memcpy(r, a, sizeof(fe));
}
/* r = a where mask is all-ones; unchanged where 0. */
static inline void fe_cmov(fe r, const fe a, uint64_t mask) {
    /* One barrier on the mask (the optimiser then cannot know it is 0 or
     * all-ones), then plain and/xor the compiler may vectorise:
     * r ^ ((r ^ a) & mask) is a where mask is all-ones, r where it is 0. */
    mask = tern_ct_barrier_u64(mask);
    for (int i = 0; i < 4; i++)
        r[i] ^= (r[i] ^ a[i]) & mask;
}
/* Mask: all-ones when a == 0 (values are fully reduced, so that is the
 * only representation of zero). */
static inline uint64_t fe_is_zero(const fe a) {
    return tern_ct_mask_u64(tern_ct_is_zero_u64(a[0] | a[1] | a[2] | a[3]));
}
static inline uint64_t fe_eq(const fe a, const fe b) {
    return tern_ct_mask_u64(tern_ct_is_zero_u64((a[0] ^ b[0]) | (a[1] ^ b[1]) | (a[2] ^ b[2]) | (a[3] ^ b[3])));
}

static void fe_sqr_n(const fe_ops *F, fe r, const fe a, int n) {
    fe_sqr(r, a);
    for (int i = 1; i < n; i++)
        fe_sqr(r, r);
}

/* r = a^(p-2) = a^-1 (0 for 0), Fermat.  The bits of p - 2 from the top:
 * 32 ones, 31 zeros, a one, 96 zeros, 94 ones, a zero, a one.  x_k below
 * is a^(2^k - 1); 255 squarings and 11 multiplications. */
static void fe_inv(const fe_ops *F, fe r, const fe a) {
    fe x2, x3, x6, x12, x15, x30, x32, t;
    fe_sqr(t, a);
    fe_mul(x2, t, a);
    fe_sqr(t, x2);
    fe_mul(x3, t, a);
    fe_sqr_n(F, t, x3, 3);
    fe_mul(x6, t, x3);
    fe_sqr_n(F, t, x6, 6);
    fe_mul(x12, t, x6);
    fe_sqr_n(F, t, x12, 3);
    fe_mul(x15, t, x3);
    fe_sqr_n(F, t, x15, 15);
    fe_mul(x30, t, x15);
    fe_sqr_n(F, t, x30, 2);
    fe_mul(x32, t, x2);
    fe_sqr_n(F, t, x32, 32);          /* 32 ones, 32 zeros */
    fe_mul(t, t, a);               /* ... 31 zeros, one   (64 bits) */
    fe_sqr_n(F, t, t, 128);           /* 96 zeros + room for 32 */
    fe_mul(t, t, x32);             /* 32 ones             (192 bits) */
    fe_sqr_n(F, t, t, 32);
    fe_mul(t, t, x32);             /* 32 ones             (224 bits) */
    fe_sqr_n(F, t, t, 30);
    fe_mul(t, t, x30);             /* 30 ones             (254 bits) */
    fe_sqr_n(F, t, t, 2);
    fe_mul(r, t, a);               /* 0, 1                (256 bits) */
}

/* Big-endian bytes <-> limbs (no domain change). */
static void limbs_from_bytes(uint64_t r[4], const uint8_t b[32]) {
    for (int i = 0; i < 4; i++)
        r[i] = tern_load_be64(b + 24 - 8 * i);
}
static void limbs_to_bytes(uint8_t b[32], const uint64_t a[4]) {
    for (int i = 0; i < 4; i++)
        tern_store_be64(b + 24 - 8 * i, a[i]);
}
/* Bit: 1 if a < m. */
static uint64_t limbs_lt(const uint64_t a[4], const uint64_t m[4]) {
    uint64_t br = 0;
    for (int i = 0; i < 4; i++)
        (void)subb(a[i], m[i], &br);
    return br;
}
static void fe_to_mont(const fe_ops *F, fe r, const fe a) {
    fe_mul(r, a, FE_R2);
}
static void fe_from_mont(const fe_ops *F, fe r, const fe a) {
    static const fe one = {1, 0, 0, 0};
    fe_mul(r, a, one);
}

/* ---- Points ---- */
typedef struct {
    fe x, y, z;
} ppoint; /* homogeneous projective (X : Y : Z): x = X/Z, y = Y/Z */
typedef struct {
    fe x, y;
} apoint; /* affine, Z = 1 implied */

static void point_set_identity(ppoint *r) {
    memset(r, 0, sizeof *r);
    fe_copy(r->y, FE_ONE);
}

/* r = p + q with q affine, RCB Algorithm 5: 11M + 2 mults by b.  Complete
 * for every p (the identity included) as long as q is a curve point; with
 * q not a curve point the result is garbage, which callers discard by
 * mask.  r may alias p. */
static void point_add_mixed(const fe_ops *F, ppoint *r, const ppoint *p, const apoint *q) {
    fe t0, t1, t2, t3, t4, x3, y3, z3;
    fe_mul(t0, p->x, q->x);
    fe_mul(t1, p->y, q->y);
    fe_add(t3, q->x, q->y);
    fe_add(t4, p->x, p->y);
    fe_mul(t3, t3, t4);
    fe_add(t4, t0, t1);
    fe_sub(t3, t3, t4);
    fe_mul(t4, q->y, p->z);
    fe_add(t4, t4, p->y);
    fe_mul(y3, q->x, p->z);
    fe_add(y3, y3, p->x);
    fe_mul(z3, FE_B, p->z);
    fe_sub(x3, y3, z3);
    fe_add(z3, x3, x3);
    fe_add(x3, x3, z3);
    fe_sub(z3, t1, x3);
    fe_add(x3, t1, x3);
    fe_mul(y3, FE_B, y3);
    fe_add(t1, p->z, p->z);
    fe_add(t2, t1, p->z);
    fe_sub(y3, y3, t2);
    fe_sub(y3, y3, t0);
    fe_add(t1, y3, y3);
    fe_add(y3, t1, y3);
    fe_add(t1, t0, t0);
    fe_add(t0, t1, t0);
    fe_sub(t0, t0, t2);
    fe_mul(t1, t4, y3);
    fe_mul(t2, t0, y3);
    fe_mul(y3, x3, z3);
    fe_add(y3, y3, t2);
    fe_mul(x3, x3, t3);
    fe_sub(x3, x3, t1);
    fe_mul(z3, z3, t4);
    fe_mul(t1, t3, t0);
    fe_add(z3, z3, t1);
    fe_copy(r->x, x3);
    fe_copy(r->y, y3);
    fe_copy(r->z, z3);
}

/* Affine coordinates of p; returns a mask, all-ones unless p is the
 * identity (Z = 0), in which case x, y come out 0. */
static uint64_t point_to_affine(const fe_ops *F, apoint *r, const ppoint *p) {
    fe zinv;
    uint64_t finite = ~fe_is_zero(p->z);
    fe_inv(F, zinv, p->z);
    fe_mul(r->x, p->x, zinv);
    fe_mul(r->y, p->y, zinv);
    tern_wipe(zinv, sizeof zinv);
    return finite;
}

/* y^2 == x^3 - 3x + b, on Montgomery-form coordinates. */
static uint64_t apoint_on_curve(const fe_ops *F, const apoint *a) {
    fe lhs, rhs, t;
    fe_sqr(lhs, a->y);
    fe_sqr(rhs, a->x);
    fe_mul(rhs, rhs, a->x);
    fe_add(t, a->x, a->x);
    fe_add(t, t, a->x);
    fe_sub(rhs, rhs, t);
    fe_add(rhs, rhs, FE_B);
    return fe_eq(lhs, rhs);
}

/* Decode 04 || X || Y into Montgomery-form affine coordinates and check it
 * (SEC 1 §3.2.2.1 public key validation: not infinity, which 04||X||Y
 * cannot encode; coordinates in [0, p-1]; on the curve; n*Q = O holds for
 * every curve point because the cofactor is 1).  Public data: may branch. */
static int point_decode(const fe_ops *F, apoint *r, const uint8_t in[65]) {
    fe x, y;
    TERN_ENSURE(in[0] == 0x04, TERN_ERR_BAD_KEY);
    limbs_from_bytes(x, in + 1);
    limbs_from_bytes(y, in + 33);
    TERN_ENSURE(limbs_lt(x, P) && limbs_lt(y, P), TERN_ERR_BAD_KEY);
    fe_to_mont(F, r->x, x);
    fe_to_mont(F, r->y, y);
    TERN_ENSURE(apoint_on_curve(F, r) != 0, TERN_ERR_BAD_KEY);
    return 0;
}

static void apoint_encode(const fe_ops *F, uint8_t out[65], const apoint *a) {
    fe t;
    out[0] = 0x04;
    fe_from_mont(F, t, a->x);
    limbs_to_bytes(out + 1, t);
    fe_from_mont(F, t, a->y);
    limbs_to_bytes(out + 33, t);
    tern_wipe(t, sizeof t);
}

/* ---- Jacobian coordinates for the variable-base ladder ----
 * (X : Y : Z) with x = X/Z^2, y = Y/Z^3; Z = 0 is the point at infinity.
 * Doubling is 3M + 5S against the complete formula's 8M + 3S + 2 mults by
 * b, and the ladder is five doublings per addition, so this is where the
 * time goes.  The addition formula is not complete; it is guarded:
 *   - an input at infinity is handled by constant-time selection (the
 *     other input is the result);
 *   - P + (-P) needs nothing: H = 0 makes Z3 = 0, the right answer;
 *   - P + P (H = 0 and R = 0, both finite) would need a doubling.  It
 *     cannot occur in point_mul for 1 <= k <= n-1 (see there), but it is
 *     still detected, in constant time, and reported through the returned
 *     mask so that no caller can silently use a wrong point. */
typedef struct {
    fe x, y, z;
} jacpoint;

/* r = 2p, dbl-2001-b for a = -3 (Bernstein-Lange EFD):
 *   delta = Z^2, gamma = Y^2, beta = X gamma, alpha = 3 (X - delta)(X + delta),
 *   X3 = alpha^2 - 8 beta, Z3 = (Y + Z)^2 - gamma - delta,
 *   Y3 = alpha (4 beta - X3) - 8 gamma^2.
 * Infinity (Z = 0) stays infinity (Z3 = Y^2 - gamma = 0); P-256 has no point
 * of order 2 (prime order), so no finite input gives Z3 = 0.  r may alias p. */
static void jac_dbl(const fe_ops *F, jacpoint *r, const jacpoint *p) {
    fe delta, gamma, beta, alpha, t0, t1;
    fe_sqr(delta, p->z);
    fe_sqr(gamma, p->y);
    fe_mul(beta, p->x, gamma);
    fe_sub(t0, p->x, delta);
    fe_add(t1, p->x, delta);
    fe_mul(t0, t0, t1);
    fe_add(alpha, t0, t0);
    fe_add(alpha, alpha, t0);
    fe_add(t0, p->y, p->z);
    fe_sqr(t0, t0);
    fe_sub(t0, t0, gamma);
    fe_sub(r->z, t0, delta); /* p->y, p->z are not read after this */
    fe_add(beta, beta, beta);
    fe_add(beta, beta, beta); /* 4 beta */
    fe_add(t0, beta, beta);   /* 8 beta */
    fe_sqr(t1, alpha);
    fe_sub(r->x, t1, t0);
    fe_sub(t0, beta, r->x);
    fe_mul(t0, alpha, t0);
    fe_sqr(t1, gamma);
    fe_add(t1, t1, t1);
    fe_add(t1, t1, t1);
    fe_add(t1, t1, t1); /* 8 gamma^2 */
    fe_sub(r->y, t0, t1);
}

/* r = p + q, add-2007-bl (EFD), 11M + 5S:
 *   U1 = X1 Z2^2, U2 = X2 Z1^2, S1 = Y1 Z2^3, S2 = Y2 Z1^3, H = U2 - U1,
 *   I = (2H)^2, J = H I, R = 2 (S2 - S1), V = U1 I,
 *   X3 = R^2 - J - 2V, Y3 = R (V - X3) - 2 S1 J,
 *   Z3 = ((Z1 + Z2)^2 - Z1^2 - Z2^2) H,
 * with the guards described above.  Returns a mask: all-ones if p and q
 * were the same finite point (the result is then wrong).  r may alias p or q. */
static uint64_t jac_add(const fe_ops *F, jacpoint *r, const jacpoint *p, const jacpoint *q) {
    fe z1z1, z2z2, u1, u2, s1, s2, h, i, j, rr, v, t0;
    jacpoint out;
    fe_sqr(z1z1, p->z);
    fe_sqr(z2z2, q->z);
    fe_mul(u1, p->x, z2z2);
    fe_mul(u2, q->x, z1z1);
    fe_mul(s1, p->y, q->z);
    fe_mul(s1, s1, z2z2);
    fe_mul(s2, q->y, p->z);
    fe_mul(s2, s2, z1z1);
    fe_sub(h, u2, u1);
    fe_add(i, h, h);
    fe_sqr(i, i);
    fe_mul(j, h, i);
    fe_sub(rr, s2, s1);
    fe_add(rr, rr, rr);
    fe_mul(v, u1, i);
    fe_sqr(out.x, rr);
    fe_sub(out.x, out.x, j);
    fe_sub(out.x, out.x, v);
    fe_sub(out.x, out.x, v);
    fe_sub(t0, v, out.x);
    fe_mul(out.y, rr, t0);
    fe_mul(t0, s1, j);
    fe_add(t0, t0, t0);
    fe_sub(out.y, out.y, t0);
    fe_add(t0, p->z, q->z);
    fe_sqr(t0, t0);
    fe_sub(t0, t0, z1z1);
    fe_sub(t0, t0, z2z2);
    fe_mul(out.z, t0, h);

    uint64_t inf1 = fe_is_zero(p->z), inf2 = fe_is_zero(q->z);
    uint64_t same = fe_is_zero(h) & fe_is_zero(rr) & ~inf1 & ~inf2;
    /* p at infinity: the sum is q; q at infinity: the sum is p. */
    fe_cmov(out.x, q->x, inf1);
    fe_cmov(out.y, q->y, inf1);
    fe_cmov(out.z, q->z, inf1);
    fe_cmov(out.x, p->x, inf2);
    fe_cmov(out.y, p->y, inf2);
    fe_cmov(out.z, p->z, inf2);
    *r = out;
    return same;
}

/* Affine coordinates of p; returns a mask, all-ones unless p is infinity. */
static uint64_t jac_to_affine(const fe_ops *F, apoint *r, const jacpoint *p) {
    fe zinv, zinv2;
    uint64_t finite = ~fe_is_zero(p->z);
    fe_inv(F, zinv, p->z);
    fe_sqr(zinv2, zinv);
    fe_mul(r->x, p->x, zinv2);
    fe_mul(zinv2, zinv2, zinv);
    fe_mul(r->y, p->y, zinv2);
    tern_wipe(zinv, sizeof zinv);
    tern_wipe(zinv2, sizeof zinv2);
    return finite;
}

/* ---- Signed-window recoding ---- */

/* The 6 bits k[5i-1 .. 5i+4] (k[-1] = 0) for window i.  Indices depend
 * only on i. */
static uint32_t booth_bits(const uint64_t k[4], int i) {
    if (i == 0)
        return (uint32_t)(k[0] << 1) & 63;
    int pos = 5 * i - 1, w = pos >> 6, off = pos & 63;
    uint64_t v = k[w] >> off;
    if (off > 58 && w < 3)
        v |= k[w + 1] << (64 - off);
    return (uint32_t)v & 63;
}

/* Booth digit of window i: d = k[5i-1] + sum_{j<4} 2^j k[5i+j] - 16 k[5i+4],
 * in [-16, 16]; these telescope to k = sum d_i 2^(5i) because each top bit
 * counted -16 * 2^(5i) here comes back as +1 * 2^(5i+5) in window i+1.
 * Computed as ((b & 31) + 1) >> 1 (the low part: bit 0 of b is the
 * borrowed k[5i-1]) minus 16 times the top bit.  Outputs |d| (0..16) and
 * a mask that is all-ones when d < 0. */
static void booth_digit(const uint64_t k[4], int i, uint32_t *abs, uint64_t *neg) {
    uint32_t b = booth_bits(k, i);
    uint32_t low = ((b & 31) + 1) >> 1; /* 0..16 */
    uint32_t top = b >> 5;
    *abs = tern_ct_select_u32(tern_ct_mask_u32(top), 16 - low, low);
    *neg = tern_ct_mask_u64(top);
}

#define NWIN 52 /* ceil(257 / 5): the top window holds bits 254..255 and a 0 */

/* r = k * p in Jacobian coordinates, constant time in k.  Returns a mask:
 * all-ones unless the guarded addition met the P + P case.  Why that does
 * not happen for 1 <= k <= n-1: at window i the accumulator is 32K P and
 * the table point d P, where K >= 0 is the value of the windows above i,
 * |d| <= 16, and K_i = 32K + d is the value of the windows from i up.
 * Equal points need 32K = d (mod n), i.e. K_i = 2d (mod n).  For i >= 1,
 * 0 <= K_i < 2^252 and |2d| <= 32, so K_i = 2d exactly, then 32K = d,
 * which forces K = d = 0: both at infinity, handled by selection.  For
 * i = 0, K_0 = k, and k = 2d (mod n) with 1 <= k < n leaves k = 2d (as
 * before, impossible with K >= 1) or k = n + 2d with d < 0, which needs
 * 32K = k - d = n + d, i.e. n + d = 0 (mod 32); but n = 17 (mod 32) and
 * -16 <= d < 0.  The table additions (j+1) P + P, 2 <= j+1 <= 15, are
 * never doublings either.  For k >= n callers discard the result. */
static uint64_t point_mul(const fe_ops *F, jacpoint *r, const apoint *p, const uint64_t k[4]) {
    jacpoint table[16], acc, q;
    uint64_t bad = 0;
    /* table[j] = (j + 1) * p */
    memcpy(table[0].x, p->x, sizeof(fe));
    memcpy(table[0].y, p->y, sizeof(fe));
    fe_copy(table[0].z, FE_ONE);
    jac_dbl(F, &table[1], &table[0]);
    for (int j = 2; j < 16; j++)
        bad |= jac_add(F, &table[j], &table[j - 1], &table[0]);

    memset(&acc, 0, sizeof acc); /* Z = 0: infinity */
    for (int i = NWIN - 1; i >= 0; i--) {
        if (i != NWIN - 1) { /* public: the loop position */
            for (int d = 0; d < 5; d++)
                jac_dbl(F, &acc, &acc);
        }
        uint32_t abs;
        uint64_t neg;
        booth_digit(k, i, &abs, &neg);
        memset(&q, 0, sizeof q); /* |d| = 0 leaves q at infinity */
        for (int j = 0; j < 16; j++) {
            uint64_t m = tern_ct_mask_u64(tern_ct_eq_u32(abs, (uint32_t)j + 1));
            fe_cmov(q.x, table[j].x, m);
            fe_cmov(q.y, table[j].y, m);
            fe_cmov(q.z, table[j].z, m);
        }
        fe negy;
        fe_sub(negy, (const uint64_t[4]){0, 0, 0, 0}, q.y);
        fe_cmov(q.y, negy, neg);
        tern_wipe(negy, sizeof negy);
        bad |= jac_add(F, &acc, &acc, &q);
    }
    *r = acc;
    tern_wipe(table, sizeof table);
    tern_wipe(&acc, sizeof acc);
    tern_wipe(&q, sizeof q);
    return ~bad;
}

/* r = k * G from the precomputed table, constant time in k. */
static void point_mul_base(const fe_ops *F, ppoint *r, const uint64_t k[4]) {
    ppoint acc, t;
    apoint q;
    point_set_identity(&acc);
    for (int i = 0; i < NWIN; i++) {
        uint32_t abs;
        uint64_t neg;
        booth_digit(k, i, &abs, &neg);
        memset(&q, 0, sizeof q);
        for (int j = 0; j < 16; j++) {
            uint64_t m = tern_ct_mask_u64(tern_ct_eq_u32(abs, (uint32_t)j + 1));
            fe_cmov(q.x, p256_base_table[i][j], m);
            fe_cmov(q.y, p256_base_table[i][j] + 4, m);
        }
        fe negy;
        fe_sub(negy, (const uint64_t[4]){0, 0, 0, 0}, q.y);
        fe_cmov(q.y, negy, neg);
        tern_wipe(negy, sizeof negy);
        /* A zero digit adds nothing: compute anyway (q = (0, 0) is not on
         * the curve, so t is garbage) and keep acc by mask. */
        point_add_mixed(F, &t, &acc, &q);
        uint64_t use = ~tern_ct_mask_u64(tern_ct_is_zero_u32(abs));
        fe_cmov(acc.x, t.x, use);
        fe_cmov(acc.y, t.y, use);
        fe_cmov(acc.z, t.z, use);
    }
    *r = acc;
    tern_wipe(&acc, sizeof acc);
    tern_wipe(&t, sizeof t);
    tern_wipe(&q, sizeof q);
}

/* ---- Scalars mod n ---- */

void tern_p256_scalar_from_bytes(uint64_t r[4], const uint8_t b[32]) {
    limbs_from_bytes(r, b);
}
void tern_p256_scalar_to_bytes(uint8_t b[32], const uint64_t a[4]) {
    limbs_to_bytes(b, a);
}
uint64_t tern_p256_scalar_is_valid(const uint64_t a[4]) {
    uint64_t lt = limbs_lt(a, N);
    uint64_t nz = tern_ct_is_nonzero_u64(a[0] | a[1] | a[2] | a[3]);
    return tern_ct_mask_u64(lt & nz);
}
void tern_p256_scalar_reduce(uint64_t r[4], const uint64_t a[4]) {
    cond_sub(r, a[0], a[1], a[2], a[3], 0, N);
}
void tern_p256_scalar_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    mod_add(r, a, b, N);
}

/* One Montgomery round mod n on t[i..i+4] with pending carry word cb:
 * add m * n * 2^(64 i) with m = t_i * (-n^-1 mod 2^64), which zeroes t_i.
 * Low halves of the four partial products in one carry chain, high halves
 * in another. */
#define REDUCE_N_ROUND(t0, t1, t2, t3, t4, cb)                        \
    do {                                                              \
        uint64_t m_ = (t0) * N_N0, l0_, h0_, l1_, h1_, l2_, h2_, l3_, h3_; \
        uint64_t c_ = 0, c2_ = 0;                                     \
        mul64(&l0_, &h0_, m_, N[0]);                                  \
        mul64(&l1_, &h1_, m_, N[1]);                                  \
        mul64(&l2_, &h2_, m_, N[2]);                                  \
        mul64(&l3_, &h3_, m_, N[3]);                                  \
        t0 = addc(t0, l0_, &c_);                                      \
        t1 = addc(t1, l1_, &c_);                                      \
        t2 = addc(t2, l2_, &c_);                                      \
        t3 = addc(t3, l3_, &c_);                                      \
        t4 = addc(t4, (cb), &c_);                                     \
        t1 = addc(t1, h0_, &c2_);                                     \
        t2 = addc(t2, h1_, &c2_);                                     \
        t3 = addc(t3, h2_, &c2_);                                     \
        t4 = addc(t4, h3_, &c2_);                                     \
        (cb) = c_ + c2_;                                              \
    } while (0)

/* r = a * b / 2^256 mod n for a, b < n: the product, four reduction rounds
 * (the value then is < 2n), one conditional subtraction. */
static void sc_montmul_c(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    const uint64_t a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3];
    uint64_t t0 = 0, t1 = 0, t2 = 0, t3 = 0, t4, t5, t6, t7, cb = 0;
    MUL_ROW(t0, t1, t2, t3, t4, b[0]);
    MUL_ROW(t1, t2, t3, t4, t5, b[1]);
    MUL_ROW(t2, t3, t4, t5, t6, b[2]);
    MUL_ROW(t3, t4, t5, t6, t7, b[3]);
    REDUCE_N_ROUND(t0, t1, t2, t3, t4, cb);
    REDUCE_N_ROUND(t1, t2, t3, t4, t5, cb);
    REDUCE_N_ROUND(t2, t3, t4, t5, t6, cb);
    REDUCE_N_ROUND(t3, t4, t5, t6, t7, cb);
    (void)t0;
    (void)t1;
    (void)t2;
    (void)t3;
    cond_sub(r, t4, t5, t6, t7, cb, N);
}

void tern_p256_scalar_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    const fe_ops *F = fe_pick();
    uint64_t t[4];
    sc_montmul(t, a, b);     /* a b / R */
    sc_montmul(r, t, N_R2);  /* a b / R * R^2 / R = a b */
    tern_wipe(t, sizeof t);
}

/* acc = acc^(2^n), Montgomery mod n. */
static void sc_sqr_n(const fe_ops *F, uint64_t acc[4], int n) {
    for (int i = 0; i < n; i++)
        sc_montmul(acc, acc, acc);
}

/* a^(n-2) mod n (Fermat; 0 for 0).  The exponent is public, so the chain
 * may branch on its bits and index a table by them.  From the top, n - 2
 * is 32 ones, 32 zeros, 64 ones, then the 128 bits
 * 0xbce6faada7179e84f3b9cac2fc63254f.  With odd[k] = a^(2k + 1) for
 * k < 16: x_j = a^(2^j - 1) is built as x5 = odd[15],
 * x10 = x5^(2^5) x5, x20 = x10^(2^10) x10, x30 = x20^(2^10) x10,
 * x32 = x30^(2^2) odd[1], and the top 128 bits are
 * ((x32^(2^64)) x32)^(2^32) x32; the low 128 bits go through a
 * left-to-right sliding window of up to 5 bits ending in a one, one
 * multiplication by odd[] per window.  251 squarings and 45
 * multiplications besides the two domain conversions (the fixed 4-bit
 * window this replaces took 256 and 78). */
void tern_p256_scalar_inv(uint64_t r[4], const uint64_t a[4]) {
    const fe_ops *F = fe_pick();
    uint64_t odd[16][4], a2[4], x10[4], x32[4], acc[4];
    static const uint64_t one[4] = {1, 0, 0, 0};
    sc_montmul(odd[0], a, N_R2); /* a in Montgomery form */
    sc_montmul(a2, odd[0], odd[0]);
    for (int k = 1; k < 16; k++)
        sc_montmul(odd[k], odd[k - 1], a2);
    memcpy(acc, odd[15], sizeof acc); /* x5 */
    sc_sqr_n(F, acc, 5);
    sc_montmul(x10, acc, odd[15]);
    memcpy(acc, x10, sizeof acc);
    sc_sqr_n(F, acc, 10);
    sc_montmul(acc, acc, x10); /* x20 */
    sc_sqr_n(F, acc, 10);
    sc_montmul(acc, acc, x10); /* x30 */
    sc_sqr_n(F, acc, 2);
    sc_montmul(x32, acc, odd[1]);
    memcpy(acc, x32, sizeof acc);
    sc_sqr_n(F, acc, 64);
    sc_montmul(acc, acc, x32);
    sc_sqr_n(F, acc, 32);
    sc_montmul(acc, acc, x32); /* the top 128 bits done */
    int i = 127;
    while (i >= 0) {
        if (((N_MINUS_2[i / 64] >> (i % 64)) & 1) == 0) {
            sc_montmul(acc, acc, acc);
            i--;
            continue;
        }
        int j = i - 4 < 0 ? 0 : i - 4;
        while (((N_MINUS_2[j / 64] >> (j % 64)) & 1) == 0)
            j++;
        unsigned v = 0;
        for (int b = i; b >= j; b--)
            v = (v << 1) | (unsigned)((N_MINUS_2[b / 64] >> (b % 64)) & 1);
        sc_sqr_n(F, acc, i - j + 1);
        sc_montmul(acc, acc, odd[v >> 1]);
        i = j - 1;
    }
    sc_montmul(r, acc, one); /* out of Montgomery form */
    tern_wipe(odd, sizeof odd);
    tern_wipe(a2, sizeof a2);
    tern_wipe(x10, sizeof x10);
    tern_wipe(x32, sizeof x32);
    tern_wipe(acc, sizeof acc);
}

/* x = x / 2 mod n for x < n: n is odd, so x + n is even when x is odd;
 * the sum's carry becomes the top bit.  Variable time (public inputs). */
static void sc_half_vt(uint64_t x[4]) {
    uint64_t c = 0;
    if (x[0] & 1) {
        for (int i = 0; i < 4; i++)
            x[i] = addc(x[i], N[i], &c);
    }
    for (int i = 0; i < 3; i++)
        x[i] = (x[i] >> 1) | (x[i + 1] << 63);
    x[3] = (x[3] >> 1) | (c << 63);
}

/* a^-1 mod n for public a in [1, n-1] by the binary extended Euclidean
 * algorithm (HAC Algorithm 14.61 specialised to an odd modulus): the
 * invariants x1 a = u and x2 a = v (mod n) hold throughout, u and v are
 * halved while even and the larger reduced by the smaller, until one
 * reaches 1.  Branches on a, so only for ECDSA verification's s. */
void tern_p256_scalar_inv_vartime(uint64_t r[4], const uint64_t a[4]) {
    uint64_t u[4], v[4], x1[4] = {1, 0, 0, 0}, x2[4] = {0, 0, 0, 0};
    memcpy(u, a, sizeof u);
    memcpy(v, N, sizeof v);
    if ((a[0] | a[1] | a[2] | a[3]) == 0) {
        memset(r, 0, 4 * sizeof r[0]);
        return;
    }
    for (;;) {
        if (u[0] == 1 && (u[1] | u[2] | u[3]) == 0) {
            memcpy(r, x1, sizeof x1);
            return;
        }
        if (v[0] == 1 && (v[1] | v[2] | v[3]) == 0) {
            memcpy(r, x2, sizeof x2);
            return;
        }
        while ((u[0] & 1) == 0) {
            for (int i = 0; i < 3; i++)
                u[i] = (u[i] >> 1) | (u[i + 1] << 63);
            u[3] >>= 1;
            sc_half_vt(x1);
        }
        while ((v[0] & 1) == 0) {
            for (int i = 0; i < 3; i++)
                v[i] = (v[i] >> 1) | (v[i + 1] << 63);
            v[3] >>= 1;
            sc_half_vt(x2);
        }
        uint64_t br = 0, d[4];
        for (int i = 0; i < 4; i++)
            d[i] = subb(u[i], v[i], &br);
        if (!br) { /* u >= v */
            memcpy(u, d, sizeof u);
            mod_sub(x1, x1, x2, N);
        } else {
            br = 0;
            for (int i = 0; i < 4; i++)
                v[i] = subb(v[i], u[i], &br);
            mod_sub(x2, x2, x1, N);
        }
    }
}

/* ---- Public operations ---- */

uint64_t tern_p256_base_mul_x(uint8_t x[32], const uint64_t k[4]) {
    const fe_ops *F = fe_pick();
    ppoint R;
    apoint a;
    fe t;
    point_mul_base(F, &R, k);
    uint64_t ok = point_to_affine(F, &a, &R);
    fe_from_mont(F, t, a.x);
    limbs_to_bytes(x, t);
    tern_wipe(&R, sizeof R);
    tern_wipe(&a, sizeof a);
    tern_wipe(t, sizeof t);
    return ok;
}

/* ---- Variable-time double-scalar multiplication for verification ----
 * u1 G + u2 Q with u1, u2, Q all public (ECDSA verification), so this may
 * branch on the data: interleaved width-5 NAF (Straus/Shamir), one shared
 * run of doublings, and exceptional cases of the addition handled by
 * plain branches. */

/* r = p + q (Jacobian + Jacobian), every case handled by branching. */
static void jac_add_vt(const fe_ops *F, jacpoint *r, const jacpoint *p, const jacpoint *q) {
    if (fe_is_zero(p->z)) {
        *r = *q;
        return;
    }
    if (fe_is_zero(q->z)) {
        *r = *p;
        return;
    }
    fe z1z1, z2z2, u1, u2, s1, s2, h, rr;
    fe_sqr(z1z1, p->z);
    fe_sqr(z2z2, q->z);
    fe_mul(u1, p->x, z2z2);
    fe_mul(u2, q->x, z1z1);
    fe_mul(s1, p->y, q->z);
    fe_mul(s1, s1, z2z2);
    fe_mul(s2, q->y, p->z);
    fe_mul(s2, s2, z1z1);
    fe_sub(h, u2, u1);
    fe_sub(rr, s2, s1);
    if (fe_is_zero(h)) {
        if (fe_is_zero(rr))
            jac_dbl(F, r, p); /* p == q */
        else
            memset(r, 0, sizeof *r); /* p == -q: infinity */
        return;
    }
    (void)jac_add(F, r, p, q); /* the general case; no guard can trip now */
}

/* r = p + q with q affine (Z = 1), madd-2007-bl (EFD), 7M + 4S:
 *   U2 = X2 Z1^2, S2 = Y2 Z1^3, H = U2 - X1, I = 4 H^2, J = H I,
 *   R = 2 (S2 - Y1), V = X1 I, X3 = R^2 - J - 2V, Y3 = R (V - X3) - 2 Y1 J,
 *   Z3 = (Z1 + H)^2 - Z1^2 - H^2.  r may alias p. */
static void jac_add_affine_vt(const fe_ops *F, jacpoint *r, const jacpoint *p, const apoint *q) {
    if (fe_is_zero(p->z)) {
        fe_copy(r->x, q->x);
        fe_copy(r->y, q->y);
        fe_copy(r->z, FE_ONE);
        return;
    }
    fe z1z1, u2, s2, h, hh, i, j, rr, v, t0;
    fe_sqr(z1z1, p->z);
    fe_mul(u2, q->x, z1z1);
    fe_mul(s2, q->y, p->z);
    fe_mul(s2, s2, z1z1);
    fe_sub(h, u2, p->x);
    fe_sub(rr, s2, p->y);
    if (fe_is_zero(h)) {
        if (fe_is_zero(rr))
            jac_dbl(F, r, p);
        else
            memset(r, 0, sizeof *r);
        return;
    }
    fe_add(rr, rr, rr);
    fe_sqr(hh, h);
    fe_add(i, hh, hh);
    fe_add(i, i, i);
    fe_mul(j, h, i);
    fe_mul(v, p->x, i);
    jacpoint out;
    fe_sqr(out.x, rr);
    fe_sub(out.x, out.x, j);
    fe_sub(out.x, out.x, v);
    fe_sub(out.x, out.x, v);
    fe_sub(t0, v, out.x);
    fe_mul(out.y, rr, t0);
    fe_mul(t0, p->y, j);
    fe_add(t0, t0, t0);
    fe_sub(out.y, out.y, t0);
    fe_add(t0, p->z, h);
    fe_sqr(t0, t0);
    fe_sub(t0, t0, z1z1);
    fe_sub(out.z, t0, hh);
    *r = out;
}

/* Width-5 NAF of k < 2^256: digits in {0, +-1, +-3, ..., +-15}, any two
 * non-zero digits at least 5 apart; returns the length (<= 257). */
static int wnaf5(int8_t naf[257], const uint64_t k_in[4]) {
    uint64_t k[5] = {k_in[0], k_in[1], k_in[2], k_in[3], 0};
    int len = 0;
    memset(naf, 0, 257);
    while ((k[0] | k[1] | k[2] | k[3] | k[4]) != 0) {
        int d = 0;
        if (k[0] & 1) {
            d = (int)(k[0] & 31);
            if (d >= 16)
                d -= 32;
            /* k -= d (d odd, |d| < 16): a borrow or carry ripples up. */
            uint64_t c = 0;
            if (d > 0) {
                uint64_t dd = (uint64_t)d;
                for (int w = 0; w < 5; w++) {
                    k[w] = subb(k[w], dd, &c);
                    dd = 0;
                }
            } else {
                uint64_t dd = (uint64_t)(-d);
                for (int w = 0; w < 5; w++) {
                    k[w] = addc(k[w], dd, &c);
                    dd = 0;
                }
            }
        }
        naf[len++] = (int8_t)d;
        for (int w = 0; w < 4; w++)
            k[w] = (k[w] >> 1) | (k[w + 1] << 63);
        k[4] >>= 1;
    }
    return len;
}

/* *out = u1 G + u2 Q (Jacobian, Z = 0 for infinity), Q decoded from pub. */
static int mul2(const fe_ops *F, jacpoint *out, const uint64_t u1[4], const uint64_t u2[4], const uint8_t pub[65]) {
    apoint q, gtab[8];
    jacpoint qtab[8], q2, acc;
    int8_t n1[257], n2[257];
    TERN_TRY(point_decode(F, &q, pub));
    /* Odd multiples 1, 3, ..., 15 of G (affine, from the fixed-base
     * table's first window) and of Q (Jacobian). */
    for (int i = 0; i < 8; i++) {
        memcpy(gtab[i].x, p256_base_table[0][2 * i], sizeof(fe));
        memcpy(gtab[i].y, p256_base_table[0][2 * i] + 4, sizeof(fe));
    }
    fe_copy(qtab[0].x, q.x);
    fe_copy(qtab[0].y, q.y);
    fe_copy(qtab[0].z, FE_ONE);
    jac_dbl(F, &q2, &qtab[0]);
    for (int i = 1; i < 8; i++)
        jac_add_vt(F, &qtab[i], &qtab[i - 1], &q2);

    int l1 = wnaf5(n1, u1), l2 = wnaf5(n2, u2);
    int len = l1 > l2 ? l1 : l2;
    memset(&acc, 0, sizeof acc);
    for (int i = len - 1; i >= 0; i--) {
        if (!fe_is_zero(acc.z))
            jac_dbl(F, &acc, &acc);
        if (n1[i] != 0) {
            apoint g = gtab[(n1[i] < 0 ? -n1[i] : n1[i]) / 2];
            if (n1[i] < 0)
                fe_sub(g.y, (const uint64_t[4]){0, 0, 0, 0}, g.y);
            jac_add_affine_vt(F, &acc, &acc, &g);
        }
        if (n2[i] != 0) {
            jacpoint qq = qtab[(n2[i] < 0 ? -n2[i] : n2[i]) / 2];
            if (n2[i] < 0)
                fe_sub(qq.y, (const uint64_t[4]){0, 0, 0, 0}, qq.y);
            jac_add_vt(F, &acc, &acc, &qq);
        }
    }
    *out = acc;
    return 0;
}

int tern_p256_mul2_x(uint8_t x[32], const uint64_t u1[4], const uint64_t u2[4], const uint8_t pub[65]) {
    const fe_ops *F = fe_pick();
    jacpoint acc;
    apoint a;
    fe t;
    TERN_TRY(mul2(F, &acc, u1, u2, pub));
    TERN_ENSURE(jac_to_affine(F, &a, &acc) != 0, TERN_ERR_BAD_SIGNATURE);
    fe_from_mont(F, t, a.x);
    limbs_to_bytes(x, t);
    return 0;
}

/* The comparison without the inversion: with R = (X : Y : Z) Jacobian,
 * x = X / Z^2, and x mod n = r holds exactly when x = r or x = r + n (x <
 * p < 2n), so when X = r Z^2 or, if r + n < p, X = (r + n) Z^2. */
int tern_p256_mul2_check_r(const uint64_t r[4], const uint64_t u1[4], const uint64_t u2[4], const uint8_t pub[65]) {
    const fe_ops *F = fe_pick();
    jacpoint acc;
    fe z2, c, cx;
    TERN_TRY(mul2(F, &acc, u1, u2, pub));
    TERN_ENSURE(!fe_is_zero(acc.z), TERN_ERR_BAD_SIGNATURE);
    fe_sqr(z2, acc.z);
    fe_to_mont(F, c, r); /* r < n < p */
    fe_mul(cx, c, z2);
    if (fe_eq(cx, acc.x))
        return 0;
    uint64_t rn[4], carry = 0;
    for (int i = 0; i < 4; i++)
        rn[i] = addc(r[i], N[i], &carry);
    TERN_ENSURE(carry == 0 && limbs_lt(rn, P), TERN_ERR_BAD_SIGNATURE);
    fe_to_mont(F, c, rn);
    fe_mul(cx, c, z2);
    TERN_ENSURE(fe_eq(cx, acc.x), TERN_ERR_BAD_SIGNATURE);
    return 0;
}

int tern_p256_check_public(const uint8_t pub[65]) {
    const fe_ops *F = fe_pick();
    apoint q;
    return point_decode(F, &q, pub);
}

int tern_p256_check_private(const uint8_t priv[32]) {
    uint64_t k[4];
    limbs_from_bytes(k, priv);
    uint64_t ok = tern_p256_scalar_is_valid(k);
    tern_wipe(k, sizeof k);
    return (int)tern_ct_select_u32((uint32_t)ok, 0, (uint32_t)TERN_ERR_BAD_KEY);
}

/* Zero n bytes unless mask is all-ones. */
static void mask_bytes(uint8_t *b, size_t n, uint64_t mask) {
    uint8_t m = (uint8_t)tern_ct_barrier_u64(mask);
    for (size_t i = 0; i < n; i++)
        b[i] &= m;
}

int tern_p256_public_from_private(uint8_t pub[65], const uint8_t priv[32]) {
    const fe_ops *F = fe_pick();
    uint64_t k[4];
    ppoint R;
    apoint a;
    limbs_from_bytes(k, priv);
    uint64_t ok = tern_p256_scalar_is_valid(k);
    point_mul_base(F, &R, k);
    ok &= point_to_affine(F, &a, &R);
    apoint_encode(F, pub, &a);
    mask_bytes(pub, 65, ok);
    tern_wipe(k, sizeof k);
    tern_wipe(&R, sizeof R);
    tern_wipe(&a, sizeof a);
    return (int)tern_ct_select_u32((uint32_t)ok, 0, (uint32_t)TERN_ERR_BAD_KEY);
}

int tern_p256_ecdh(uint8_t out[32], const uint8_t priv[32], const uint8_t peer[65]) {
    const fe_ops *F = fe_pick();
    apoint q, a;
    jacpoint R;
    uint64_t k[4];
    fe t;
    int rc = point_decode(F, &q, peer);
    if (rc < 0) {
        memset(out, 0, 32);
        return rc;
    }
    limbs_from_bytes(k, priv);
    uint64_t ok = tern_p256_scalar_is_valid(k);
    ok &= point_mul(F, &R, &q, k);
    /* With 1 <= k < n and q of prime order n the product is never the
     * identity; the check costs nothing and keeps the invariant local. */
    ok &= jac_to_affine(F, &a, &R);
    fe_from_mont(F, t, a.x);
    limbs_to_bytes(out, t);
    mask_bytes(out, 32, ok);
    tern_wipe(k, sizeof k);
    tern_wipe(&R, sizeof R);
    tern_wipe(&a, sizeof a);
    tern_wipe(t, sizeof t);
    return (int)tern_ct_select_u32((uint32_t)ok, 0, (uint32_t)TERN_ERR_BAD_KEY);
}

int tern_p256_point_mul(uint8_t out[65], const uint8_t kb[32], const uint8_t p[65]) {
    const fe_ops *F = fe_pick();
    apoint q, a;
    jacpoint R;
    uint64_t k[4];
    TERN_TRY(point_decode(F, &q, p));
    limbs_from_bytes(k, kb);
    uint64_t ok = point_mul(F, &R, &q, k);
    ok &= jac_to_affine(F, &a, &R);
    apoint_encode(F, out, &a);
    mask_bytes(out, 65, ok);
    tern_wipe(k, sizeof k);
    tern_wipe(&R, sizeof R);
    tern_wipe(&a, sizeof a);
    return (int)tern_ct_select_u32((uint32_t)ok, 0, (uint32_t)TERN_ERR_BAD_KEY);
}

int tern_p256_keygen(uint8_t priv[32], uint8_t pub[65], tern_rng_fn rng, void *rng_arg) {
    uint64_t k[4];
    /* FIPS 186-4 §B.4.2: draw 256 bits and retry while the candidate is
     * 0 or >= n.  A retry happens with probability about 2^-32 and reveals
     * nothing about the key finally kept. */
    for (int tries = 0; tries < 64; tries++) {
        int rc = tern_rand_fill(rng, rng_arg, priv, 32);
        if (rc < 0) {
            memset(pub, 0, 65);
            return rc;
        }
        limbs_from_bytes(k, priv);
        uint64_t ok = tern_p256_scalar_is_valid(k);
        tern_wipe(k, sizeof k);
        if (ok)
            return tern_p256_public_from_private(pub, priv);
    }
    /* 64 invalid draws in a row: the generator is broken. */
    tern_wipe(priv, 32);
    memset(pub, 0, 65);
    return TERN_ERR_RNG;
}
