/*
 * The NIST P-256 curve (secp256r1; FIPS 186-4 §D.1.2.3, SEC 2 v2 §2.4.2):
 * key generation, public-key validation and ECDH (SEC 1 v2 §3.3.1) for the
 * TLS group secp256r1 (RFC 8422 §5.10), plus the scalar and point helpers
 * crypto/ecdsa.c builds on.
 *
 * Everything that touches a private scalar runs in constant time: field
 * arithmetic mod p in Montgomery form on four 64-bit limbs; the complete
 * projective mixed addition (Renes-Costello-Batina, eprint 2015/1060) for
 * the fixed-base table walk; Jacobian doubling with a
 * guarded addition (infinity handled by selection, the doubling case
 * detected and reported) for the variable-base ladder; signed 5-bit windows
 * with every table entry read on each lookup; and a precomputed table of
 * multiples of G (crypto/p256_table.h, from crypto/p256_table_gen.py).
 *
 * Encodings: scalars are 32 bytes big-endian; points are the uncompressed
 * SEC 1 form 04 || X || Y (65 bytes), the only one TLS 1.2 peers may send
 * with ec_point_formats = uncompressed (RFC 8422 §5.1.2).  Compressed points
 * and the point at infinity are rejected.
 */
#ifndef TERN_CRYPTO_P256_H
#define TERN_CRYPTO_P256_H

#include "crypto/common.h"

#define TERN_P256_SCALAR_LEN 32
#define TERN_P256_PUBLIC_LEN 65
#define TERN_P256_SHARED_LEN 32

/* A fresh key pair: priv uniform in [1, n-1] (FIPS 186-4 §B.4.2, testing
 * candidates: a 32-byte candidate >= n or zero is drawn again), pub =
 * priv * G.  rng NULL means the OS.  Returns 0 or TERN_ERR_RNG (both
 * outputs zeroed on failure). */
TERN_MUST_CHECK int tern_p256_keygen(uint8_t priv[TERN_P256_SCALAR_LEN], uint8_t pub[TERN_P256_PUBLIC_LEN],
                                     tern_rng_fn rng, void *rng_arg);

/* pub = priv * G.  Returns 0, or TERN_ERR_BAD_KEY (pub zeroed) when priv
 * is 0 or >= n.  Constant time in priv (the validity shows only in the
 * returned status). */
TERN_MUST_CHECK int tern_p256_public_from_private(uint8_t pub[TERN_P256_PUBLIC_LEN],
                                                  const uint8_t priv[TERN_P256_SCALAR_LEN]);

/* ECDH: out = the X coordinate of priv * peer (SEC 1 §3.3.1, as TLS uses
 * it: RFC 8422 §5.10).  peer must be 04 || X || Y with X, Y < p and on the
 * curve; anything else is TERN_ERR_BAD_KEY (out zeroed) before any secret
 * is touched.  A priv of 0 or >= n also gives TERN_ERR_BAD_KEY.  Constant
 * time in priv. */
TERN_MUST_CHECK int tern_p256_ecdh(uint8_t out[TERN_P256_SHARED_LEN], const uint8_t priv[TERN_P256_SCALAR_LEN],
                                   const uint8_t peer[TERN_P256_PUBLIC_LEN]);

/* 0 if pub is a valid uncompressed P-256 point (04 prefix, coordinates
 * < p, on the curve; the curve has prime order, so that excludes every
 * small-subgroup point), else TERN_ERR_BAD_KEY.  pub is public: not
 * constant time. */
TERN_MUST_CHECK int tern_p256_check_public(const uint8_t pub[TERN_P256_PUBLIC_LEN]);

/* 0 if 1 <= priv <= n-1, else TERN_ERR_BAD_KEY. */
TERN_MUST_CHECK int tern_p256_check_private(const uint8_t priv[TERN_P256_SCALAR_LEN]);

/* ---- Internal: scalars mod n and point helpers for crypto/ecdsa.c ----
 * Scalars are four 64-bit limbs, least significant first.  All of these
 * are constant time in their scalar arguments. */

/* Load 32 big-endian bytes (no reduction) / store. */
void tern_p256_scalar_from_bytes(uint64_t r[4], const uint8_t b[32]);
void tern_p256_scalar_to_bytes(uint8_t b[32], const uint64_t a[4]);
/* Mask: all-ones when 1 <= a <= n-1, else 0. */
uint64_t tern_p256_scalar_is_valid(const uint64_t a[4]);
/* r = a mod n for any a < 2^256 (one conditional subtraction suffices
 * because 2^256 < 2n). */
void tern_p256_scalar_reduce(uint64_t r[4], const uint64_t a[4]);
/* r = a + b mod n; r = a * b mod n; r = a^-1 mod n (a^(n-2); 0 gives 0).
 * Inputs must be < n. */
void tern_p256_scalar_add(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
void tern_p256_scalar_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
void tern_p256_scalar_inv(uint64_t r[4], const uint64_t a[4]);
/* The same inverse in variable time (binary extended Euclid), for a
 * public a only (ECDSA verification's s); 0 for 0. */
void tern_p256_scalar_inv_vartime(uint64_t r[4], const uint64_t a[4]);

/* x = the X coordinate (32 bytes, < p) of k * G, k any value < 2^256.
 * Returns a mask: all-ones when k * G is not the point at infinity, i.e.
 * when k mod n != 0; for the point at infinity the mask is 0 and x is all
 * zeros. */
uint64_t tern_p256_base_mul_x(uint8_t x[32], const uint64_t k[4]);

/* x = the X coordinate of u1 * G + u2 * Q for the public point pub (ECDSA
 * verification; all inputs public, so this runs in variable time:
 * interleaved width-5 NAF).  Returns 0, TERN_ERR_BAD_KEY for an invalid
 * pub, or TERN_ERR_BAD_SIGNATURE when the sum is the point at infinity. */
TERN_MUST_CHECK int tern_p256_mul2_x(uint8_t x[32], const uint64_t u1[4], const uint64_t u2[4],
                                     const uint8_t pub[TERN_P256_PUBLIC_LEN]);

/* ECDSA's final check (SEC 1 §4.1.4 steps 5-8) without an inversion:
 * returns 0 when u1 * G + u2 * Q is finite and its X coordinate reduced
 * mod n equals r (r in [1, n-1], limbs); TERN_ERR_BAD_SIGNATURE when not,
 * TERN_ERR_BAD_KEY for an invalid pub.  Variable time (public inputs). */
TERN_MUST_CHECK int tern_p256_mul2_check_r(const uint64_t r[4], const uint64_t u1[4], const uint64_t u2[4],
                                           const uint8_t pub[65]);

/* Internal: the BMI2/ADX field multiplication (crypto/p256_adx.c, x86-64
 * only): r = a * b / 2^256 mod p in the Montgomery domain, a, b < p.  Only
 * call after tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX). */
void tern_p256_fe_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);
/* r = a^2 / 2^256 mod p, the same way. */
void tern_p256_fe_sqr_adx(uint64_t r[4], const uint64_t a[4]);
/* r = a * b / 2^256 mod n (the group order), a, b < n, the same way. */
void tern_p256_sc_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]);

/* For tests: out = k * P through the variable-base window code (not the
 * G table), P an encoded public point, 1 <= k <= n-1.  Returns like
 * tern_p256_ecdh but writes the whole encoded point (04 || X || Y). */
TERN_MUST_CHECK int tern_p256_point_mul(uint8_t out[TERN_P256_PUBLIC_LEN], const uint8_t k[TERN_P256_SCALAR_LEN],
                                        const uint8_t p[TERN_P256_PUBLIC_LEN]);

#endif
