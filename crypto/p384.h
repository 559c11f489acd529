/*
 * NIST P-384 (secp384r1; FIPS 186-4 §D.1.2.4, SEC 2 v2 §2.5.1): public-key
 * validation and ECDSA verification (FIPS 186-4 §6.4.2, SEC 1 v2 §4.1.4)
 * for X.509 and TLS peers, and the secret side for the TLS group
 * secp384r1 (24, RFC 8422 §5.1.1) and P-384 key stores: key generation,
 * ECDH (SEC 1 v2 §3.3.1, RFC 8422 §5.10) and ECDSA signing attempts
 * (crypto/ecdsa.c adds the RFC 6979 nonce and the DER wrapper:
 * tern_ecdsa_p384_sign / _verify).
 *
 * Everything that touches a private scalar or a nonce runs in constant
 * time (crypto/p384.c says how); verification, which sees only public
 * data, does not.
 *
 * Encodings: scalars are 48 bytes big-endian; points the uncompressed
 * SEC 1 form 04 || X || Y (97 bytes).  Compressed points and the point at
 * infinity are rejected.
 */
#ifndef TERN_CRYPTO_P384_H
#define TERN_CRYPTO_P384_H

#include "crypto/common.h"

#define TERN_P384_SCALAR_LEN 48
#define TERN_P384_PUBLIC_LEN 97
#define TERN_P384_SHARED_LEN 48

/* 0 if pub is 04 || X || Y with X, Y < p and on the curve (the curve has
 * prime order, so every such point is in the group), else
 * TERN_ERR_BAD_KEY. */
TERN_MUST_CHECK int tern_p384_check_public(const uint8_t pub[TERN_P384_PUBLIC_LEN]);

/* 0 if 1 <= priv <= n-1, else TERN_ERR_BAD_KEY.  Constant time. */
TERN_MUST_CHECK int tern_p384_check_private(const uint8_t priv[TERN_P384_SCALAR_LEN]);

/* A fresh key pair: priv uniform in [1, n-1] (FIPS 186-4 §B.4.2), pub =
 * priv * G.  rng NULL means the OS.  Returns 0 or TERN_ERR_RNG. */
TERN_MUST_CHECK int tern_p384_keygen(uint8_t priv[TERN_P384_SCALAR_LEN], uint8_t pub[TERN_P384_PUBLIC_LEN],
                                     tern_rng_fn rng, void *rng_arg);

/* pub = priv * G.  Returns 0, or TERN_ERR_BAD_KEY (pub zeroed) when priv
 * is 0 or >= n.  Constant time in priv (the validity shows only in the
 * returned status). */
TERN_MUST_CHECK int tern_p384_public_from_private(uint8_t pub[TERN_P384_PUBLIC_LEN],
                                                  const uint8_t priv[TERN_P384_SCALAR_LEN]);

/* ECDH: out = the X coordinate of priv * peer (48 bytes, leading zeros
 * kept).  peer must be a valid uncompressed point (checked first, before
 * the secret is touched); otherwise, or for priv 0 or >= n,
 * TERN_ERR_BAD_KEY with out zeroed.  Constant time in priv. */
TERN_MUST_CHECK int tern_p384_ecdh(uint8_t out[TERN_P384_SHARED_LEN], const uint8_t priv[TERN_P384_SCALAR_LEN],
                                   const uint8_t peer[TERN_P384_PUBLIC_LEN]);

/* ECDSA verification on raw r || s (48 bytes each, big-endian) over a
 * digest of dlen bytes (its leftmost 384 bits are used).  Returns 0,
 * TERN_ERR_BAD_SIGNATURE (r or s outside [1, n-1], or the equation fails),
 * or TERN_ERR_BAD_KEY for an invalid pub. */
TERN_MUST_CHECK int tern_p384_ecdsa_verify_raw(const uint8_t pub[TERN_P384_PUBLIC_LEN], const uint8_t *digest,
                                               size_t dlen, const uint8_t sig[2 * TERN_P384_SCALAR_LEN]);

/* ---- Internal (crypto/ecdsa.c, tests, ctgrind) ---- */

/* One ECDSA signing attempt with nonce k: r = x(k G) mod n,
 * s = k^-1 (e + r d) mod n, e = bits2int(digest) mod n.  No branch at all.
 * Returns a mask: all-ones when the signature is usable (priv and k in
 * [1, n-1], r != 0, s != 0); sig is then r || s, otherwise garbage. */
uint64_t tern_p384_ecdsa_sign_with_k(const uint8_t priv[TERN_P384_SCALAR_LEN], const uint8_t *digest, size_t dlen,
                                     const uint8_t k[TERN_P384_SCALAR_LEN], uint8_t sig[2 * TERN_P384_SCALAR_LEN]);

/* RFC 6979 §2.3.4 bits2octets: bits2int(digest) mod n as 48 bytes. */
void tern_p384_bits2octets(uint8_t out[TERN_P384_SCALAR_LEN], const uint8_t *digest, size_t dlen);

/* For tests: out = k * P (the whole encoded point) through the same
 * constant-time multiplication ECDH uses.  Returns like tern_p384_ecdh. */
TERN_MUST_CHECK int tern_p384_point_mul(uint8_t out[TERN_P384_PUBLIC_LEN], const uint8_t k[TERN_P384_SCALAR_LEN],
                                        const uint8_t p[TERN_P384_PUBLIC_LEN]);

#endif
