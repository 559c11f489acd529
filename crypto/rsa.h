/*
 * RSA (RFC 8017): PKCS#1 v1.5 and PSS signatures, and PKCS#1 v1.5
 * encryption as TLS 1.2 uses it for the RSA key exchange (RFC 5246
 * §7.4.7.1).  Moduli of 2048 to 8192 bits (TERN_RSA_MIN_BITS ..
 * TERN_RSA_MAX_BITS); no heap.  Private operations are constant time, use
 * CRT with base blinding, and check their result with the public key.
 *
 * The struct contents are private to crypto/rsa*.c and crypto/bn*.c;
 * callers use only sizeof and the functions.  Keys are loaded from
 * big-endian byte strings (as they come out of DER).
 */
#ifndef TERN_CRYPTO_RSA_H
#define TERN_CRYPTO_RSA_H

#include "crypto/sha2.h"

#define TERN_RSA_MIN_BITS 2048
#define TERN_RSA_MAX_BITS 8192
#define TERN_RSA_MAX_BYTES (TERN_RSA_MAX_BITS / 8)
#define TERN_RSA_LIMBS (TERN_RSA_MAX_BITS / 64)

typedef struct {
    uint64_t n[TERN_RSA_LIMBS];
    uint64_t e;                       /* public exponent (odd, 3 .. 2^64-1) */
    uint64_t n0inv;                   /* -n^-1 mod 2^64, for Montgomery */
    uint64_t rr[TERN_RSA_LIMBS];      /* R^2 mod n */
    size_t nlimbs;
    size_t bits;                      /* exact bit length of n */
} tern_rsa_public;

typedef struct {
    tern_rsa_public pub;
    uint64_t d[TERN_RSA_LIMBS];
    uint64_t p[TERN_RSA_LIMBS / 2], q[TERN_RSA_LIMBS / 2];
    uint64_t dp[TERN_RSA_LIMBS / 2], dq[TERN_RSA_LIMBS / 2], qinv[TERN_RSA_LIMBS / 2];
    uint64_t p0inv, q0inv;
    uint64_t rrp[TERN_RSA_LIMBS / 2], rrq[TERN_RSA_LIMBS / 2];
    size_t plimbs;
} tern_rsa_private;

/* A big-endian integer as it comes from DER (leading zeros allowed). */
typedef struct {
    const uint8_t *p;
    size_t len;
} tern_rsa_bytes;

/* Load a public key.  Rejects n of the wrong size or even, e even or < 3.
 * Returns 0 or TERN_ERR_BAD_KEY. */
TERN_MUST_CHECK int tern_rsa_public_init(tern_rsa_public *k, tern_rsa_bytes n, tern_rsa_bytes e);

/* Load a private key from its PKCS#1 parts and check they are consistent:
 * p, q odd, p*q = n, d < n, dP < p, dQ < q, qInv < p, d ≡ dP mod (p-1),
 * d ≡ dQ mod (q-1), and one private operation (CRT with dP, dQ, qInv) on a
 * fixed value must survive the check with e.  The operations use the CRT
 * parts only; d is checked, not used.  Returns 0 or TERN_ERR_BAD_KEY. */
TERN_MUST_CHECK int tern_rsa_private_init(tern_rsa_private *k, tern_rsa_bytes n, tern_rsa_bytes e, tern_rsa_bytes d,
                                          tern_rsa_bytes p, tern_rsa_bytes q, tern_rsa_bytes dp, tern_rsa_bytes dq,
                                          tern_rsa_bytes qinv);
void tern_rsa_private_wipe(tern_rsa_private *k);

/* Modulus length in bytes (the signature / ciphertext length). */
size_t tern_rsa_len(const tern_rsa_public *k);

/* Private operations (sign, decrypt) return TERN_ERR_INTERNAL and release
 * nothing when the result fails its check against the public key (a fault
 * or a corrupted key), and TERN_ERR_RNG when rng fails.
 *
 * RSASSA-PKCS1-v1_5 (RFC 8017 §8.2) over a precomputed digest of alg.
 * Verify rebuilds the whole expected encoding and compares it; returns 0 or
 * TERN_ERR_BAD_SIGNATURE.  Sign writes tern_rsa_len() bytes to sig
 * (sigcap must be at least that); rng feeds the blinding. */
TERN_MUST_CHECK int tern_rsa_pkcs1_verify(const tern_rsa_public *k, tern_hash_alg alg, const uint8_t *digest,
                                          const uint8_t *sig, size_t siglen);
TERN_MUST_CHECK int tern_rsa_pkcs1_sign(const tern_rsa_private *k, tern_hash_alg alg, const uint8_t *digest,
                                        uint8_t *sig, size_t sigcap, tern_rng_fn rng, void *rng_arg);

/* RSASSA-PSS (RFC 8017 §8.1) with MGF1 over the same hash and a salt as
 * long as the digest (what TLS rsa_pss_rsae_* requires). */
TERN_MUST_CHECK int tern_rsa_pss_verify(const tern_rsa_public *k, tern_hash_alg alg, const uint8_t *digest,
                                        const uint8_t *sig, size_t siglen);
TERN_MUST_CHECK int tern_rsa_pss_sign(const tern_rsa_private *k, tern_hash_alg alg, const uint8_t *digest,
                                      uint8_t *sig, size_t sigcap, tern_rng_fn rng, void *rng_arg);

/* RSAES-PKCS1-v1_5 encryption (RFC 8017 §7.2.1): out gets tern_rsa_len()
 * bytes.  For the TLS client's premaster secret. */
TERN_MUST_CHECK int tern_rsa_pkcs1_encrypt(const tern_rsa_public *k, const uint8_t *msg, size_t msglen, uint8_t *out,
                                           size_t outcap, tern_rng_fn rng, void *rng_arg);

/* General RSAES-PKCS1-v1_5 decryption (RFC 8017 §7.2.2), constant time up
 * to the final length: returns the message length, or TERN_ERR_DECRYPT.
 * For tests (Wycheproof); TLS uses the function below. */
TERN_MUST_CHECK int tern_rsa_pkcs1_decrypt(const tern_rsa_private *k, const uint8_t *ct, size_t ctlen, uint8_t *out,
                                           size_t outcap, tern_rng_fn rng, void *rng_arg);

/* The TLS server's premaster decryption (RFC 5246 §7.4.7.1, the
 * Bleichenbacher countermeasure): always writes 48 bytes to pms and always
 * returns 0 unless rng fails (TERN_ERR_RNG).  A failed fault check also
 * leaves the random premaster.  If the padding is wrong, the length is not
 * 48, or the first two bytes differ from client_version, pms is a random
 * value drawn before decryption, chosen with constant-time selects; no
 * branch or memory index depends on which happened. */
TERN_MUST_CHECK int tern_rsa_tls_premaster_decrypt(const tern_rsa_private *k, const uint8_t *ct, size_t ctlen,
                                                   uint16_t client_version, uint8_t pms[48], tern_rng_fn rng,
                                                   void *rng_arg);

#endif
