/*
 * Internals of the X25519 implementation (crypto/x25519*.c), exposed for the
 * tests and the constant-time checks only.  Not part of the API.
 */
#ifndef TERN_CRYPTO_X25519_INTERNAL_H
#define TERN_CRYPTO_X25519_INTERNAL_H

#include <stdint.h>

#include "crypto/fe25519.h"

/* k = decodeScalar25519(scalar) (RFC 7748 §5). */
void tern_x25519_clamp(uint8_t k[32], const uint8_t scalar[32]);

/* out = X25519 of an already clamped k and u, by the portable Montgomery
 * ladder (radix 2^51).  No zero check. */
void tern_x25519_ladder(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]);

/* The same ladder on four 64-bit limbs with mulx/adcx/adox
 * (crypto/x25519_adx.c).  Call only when tern_x25519_have_adx() is 1 and
 * tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX). */
void tern_x25519_ladder_adx(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]);

/* 1 when this build has the x86-64 mulx/adx ladder at all. */
int tern_x25519_have_adx(void);

/* Tests only: one mulx/adx field operation on raw 256-bit inputs (any value
 * below 2^256), encoded canonically.  op: 0 a+b, 1 a-b, 2 a*b, 3 a^2,
 * 4 121665*a, 5 1/a, 6 a+b and 7 a-b (both from the fused add/sub),
 * 8 b + 121665*a. */
void tern_x25519_fe64_op(int op, uint8_t out[32], const uint64_t a[4], const uint64_t b[4]);

/* out = X25519(k, 9) for an already clamped k, by the fixed-base comb on
 * the birationally equivalent Edwards curve (see x25519.c). */
void tern_x25519_base_comb(uint8_t out[32], const uint8_t k[32]);

/* An affine point of edwards25519 (-x^2 + y^2 = 1 + d x^2 y^2, RFC 7748
 * §4.1 "edwards25519"), precomputed for mixed addition: y + x, y - x and
 * 2 d x y, each with canonical limbs (< 2^51). */
struct tern_x25519_niels {
    fe25519 ypx, ymx, xy2d;
};

/* The comb table: row i, entry j is (j + 1) * 256^i * B for the Edwards
 * base point B (y = 4/5, x even; it maps to u = 9).  Defined in
 * crypto/x25519_table.h, which tests/test_x25519.c regenerates and checks. */
#define TERN_X25519_TABLE_ROWS 32
#define TERN_X25519_TABLE_COLS 8

#endif
