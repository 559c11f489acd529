/*
 * Fixed-size big integers for RSA: 64-bit limbs, least significant first,
 * no heap.  Montgomery multiplication and squaring (Koç, Acar, Kaliski
 * 1996; HAC 14.36), constant-time fixed-window
 * modular exponentiation, a variable-time exponentiation for small public
 * exponents, a constant-time modular inverse (Bernstein-Yang "safegcd"
 * divsteps, 2019), and the reductions the RSA CRT needs.
 *
 * Every function here runs in time that depends only on the limb counts
 * and, where named, on a public exponent; never on limb values.  Limb
 * counts and exponent bit lengths are always public.
 *
 * The Montgomery multiplication has two implementations chosen at run time
 * through crypto/cpu.h: portable C with unsigned __int128 (always built and
 * tested) and a MULX/ADCX/ADOX one (crypto/bn_adx.c) when BMI2+ADX exist;
 * the exponentiation's table read likewise has an AVX2 version
 * (crypto/bn_avx2.c).
 */
#ifndef TERN_CRYPTO_BN_H
#define TERN_CRYPTO_BN_H

#include "crypto/common.h"

/* Largest integers handled: 8192 bits (RSA moduli up to TERN_RSA_MAX_BITS). */
#define TERN_BN_MAX_LIMBS 128

/* r = a * b * 2^(-64 n) mod m.  Needs m odd, a < m and b < 2^(64 n) (or the
 * other way round); the result is fully reduced (< m).  r may alias a or b.
 * m0inv = -m^-1 mod 2^64. */
typedef void (*tern_bn_mont_mul_fn)(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m,
                                    uint64_t m0inv, size_t n);
void tern_bn_mont_mul_portable(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m,
                               uint64_t m0inv, size_t n);
/* MULX/ADX version (bn_adx.c): only call when tern_cpu_has(BMI2|ADX). */
void tern_bn_mont_mul_adx(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t m0inv,
                          size_t n);

/* r = a^2 R^-1 mod m, a < m; same contract as the multiplication. */
typedef void (*tern_bn_mont_sqr_fn)(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0inv, size_t n);
void tern_bn_mont_sqr_portable(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0inv, size_t n);
void tern_bn_mont_sqr_adx(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0inv, size_t n);

/* out = tab[idx n .. idx n + n) out of count entries of n limbs, reading
 * every entry (constant time in idx).  The AVX2 one needs n % 4 == 0. */
typedef void (*tern_bn_select_fn)(uint64_t *out, const uint64_t *tab, size_t count, size_t n, uint64_t idx);
void tern_bn_select_portable(uint64_t *out, const uint64_t *tab, size_t count, size_t n, uint64_t idx);
void tern_bn_select_avx2(uint64_t *out, const uint64_t *tab, size_t count, size_t n, uint64_t idx);

/* A Montgomery context: points at the modulus and R^2 mod m held by the
 * caller (inside an RSA key), plus the chosen multiplication.  Cheap to
 * build; built once per operation. */
typedef struct {
    const uint64_t *m;  /* odd modulus, n limbs (top limbs may be zero) */
    const uint64_t *rr; /* R^2 mod m, R = 2^(64 n) */
    uint64_t m0inv;     /* -m^-1 mod 2^64 */
    size_t n;
    tern_bn_mont_mul_fn mul;
    tern_bn_mont_sqr_fn sqr;
    tern_bn_select_fn select; /* the exponentiation's table read */
} tern_bn_mont;

/* Fill ctx, choosing the multiplication from tern_cpu(). */
void tern_bn_mont_init(tern_bn_mont *ctx, const uint64_t *m, const uint64_t *rr, uint64_t m0inv, size_t n);

/* -m0^-1 mod 2^64 for odd m0. */
uint64_t tern_bn_neg_inv64(uint64_t m0);

/* rr = R^2 mod m, R = 2^(64 n), for odd m > 1 with 2^start < m (start is a
 * public lower bound on the bit length: bits(m) - 1 when m is public).
 * Constant time in m: (64 n - start) + a modular doublings to reach
 * 2^a R mod m, where 64 n = a 2^k with a odd, then k Montgomery squarings,
 * each doubling the power of two. */
void tern_bn_mont_rr(uint64_t *rr, const uint64_t *m, uint64_t m0inv, size_t n, size_t start);

/* Big-endian bytes -> n limbs.  Returns 0, or TERN_ERR_BAD_KEY if the value
 * does not fit in n limbs.  Runs over all len bytes whatever they hold. */
TERN_MUST_CHECK int tern_bn_from_be(uint64_t *x, size_t n, const uint8_t *in, size_t len);
/* n limbs -> len big-endian bytes (the value must fit; higher limbs are
 * dropped, missing ones are zero). */
void tern_bn_to_be(uint8_t *out, size_t len, const uint64_t *x, size_t n);

/* Exact bit length of x.  NOT constant time: public values only. */
size_t tern_bn_bits_vartime(const uint64_t *x, size_t n);

/* r = a + b, returns the carry (0/1); r = a - b, returns the borrow (0/1). */
uint64_t tern_bn_add(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n);
uint64_t tern_bn_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, size_t n);
/* Returns bit: 1 if a < b. */
uint64_t tern_bn_lt(const uint64_t *a, const uint64_t *b, size_t n);
/* Returns bit: 1 if x == 0. */
uint64_t tern_bn_is_zero(const uint64_t *x, size_t n);
/* r = a + b mod m and r = a - b mod m, for a, b < m. */
void tern_bn_mod_add(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, size_t n);
void tern_bn_mod_sub(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, size_t n);
/* r (an + bn limbs) = a * b.  r must not alias a or b. */
void tern_bn_mul(uint64_t *r, const uint64_t *a, size_t an, const uint64_t *b, size_t bn);

/* Montgomery helpers over ctx (all constant time). */
static inline void tern_bn_mont_mul(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *b) {
    ctx->mul(r, a, b, ctx->m, ctx->m0inv, ctx->n);
}
static inline void tern_bn_mont_sqr(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a) {
    ctx->sqr(r, a, ctx->m, ctx->m0inv, ctx->n);
}
/* r = a R mod m (a < 2^(64 n)). */
void tern_bn_to_mont(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a);
/* r = a R^-1 mod m (a < m): out of the Montgomery domain. */
void tern_bn_from_mont(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a);
/* r = x R mod m for x of xn <= 2 n limbs: the reduction the RSA CRT uses
 * to bring c mod n into each prime's Montgomery domain. */
void tern_bn_reduce_to_mont(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *x, size_t xn);

/* r = a^e in the Montgomery domain (a and r in Montgomery form, a < m):
 * fixed 5-bit windows over all ebits bits of e (ebits public), every table
 * entry read at every step.  Constant time in a, e and m. */
void tern_bn_mont_exp_ct(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a, const uint64_t *e, size_t ebits);

/* r = a^e in the Montgomery domain for a public e >= 1: square-and-multiply
 * branching on the bits of e only (constant time in a and m). */
void tern_bn_mont_exp_pub(const tern_bn_mont *ctx, uint64_t *r, const uint64_t *a, uint64_t e);

/* r = x^-1 mod m for odd m > 1 and x < m (meaningless when gcd(x, m) != 1:
 * callers that cannot rule that out check the product).
 * Constant time in x and m (Bernstein-Yang divsteps, fixed count for 64 n
 * bits).  m0inv = -m^-1 mod 2^64 as for Montgomery. */
void tern_bn_mod_inv_ct(uint64_t *r, const uint64_t *x, const uint64_t *m, uint64_t m0inv, size_t n);

#endif
