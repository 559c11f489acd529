/*
 * ECDSA over P-256 and P-384 (FIPS 186-4 §6; SEC 1 v2 §4.1) on a
 * precomputed digest (the curves: crypto/p256.c, crypto/p384.c),
 * with the DER signature encoding TLS and X.509 use (RFC 8422 §5.4,
 * RFC 5480 §2.2.3 / RFC 3279 §2.2.3: SEQUENCE { INTEGER r, INTEGER s }).
 *
 * Digests: SHA-256, SHA-384 or SHA-512 (tern_hash_alg); a digest longer
 * than the group order is truncated to its leftmost 256 (P-256) or 384
 * (P-384) bits (FIPS 186-4 §6.4, "bits2int").
 *
 * Nonces: RFC 6979 deterministic generation (HMAC-DRBG keyed by the private
 * key and the digest, with the signing hash), hedged with 32 fresh random
 * bytes passed as RFC 6979 §3.6 "additional data": a broken RNG then still
 * gives a safe nonce, and fault attacks on a fully deterministic signer are
 * blunted.  Signing is constant time in the private key and the nonce.
 *
 * The DER codec is strict (DER, not BER): short-form lengths only (a P-256
 * signature is at most 72 bytes, a P-384 one 104), minimal INTEGERs (no leading 00 unless
 * the next byte has its top bit set), no negative values, no trailing bytes.
 */
#ifndef TERN_CRYPTO_ECDSA_H
#define TERN_CRYPTO_ECDSA_H

#include "crypto/common.h"
#include "crypto/sha2.h"

/* 30 len 02 21 00 r(32) 02 21 00 s(32) */
#define TERN_ECDSA_P256_MAX_SIG_LEN 72
#define TERN_ECDSA_P256_RAW_SIG_LEN 64
/* 30 len 02 31 00 r(48) 02 31 00 s(48) */
#define TERN_ECDSA_P384_MAX_SIG_LEN 104
#define TERN_ECDSA_P384_RAW_SIG_LEN 96
#define TERN_ECDSA_MAX_SIG_LEN TERN_ECDSA_P384_MAX_SIG_LEN

/* Sign the digest (tern_hash_len(alg) bytes) with priv; writes the DER
 * signature into sig_der (cap bytes available; TERN_ECDSA_P256_MAX_SIG_LEN
 * always suffices) and its length into *siglen.  rng (NULL = the OS)
 * supplies the hedging bytes.  Returns 0; TERN_ERR_BAD_KEY for a priv of 0
 * or >= n; TERN_ERR_UNSUPPORTED for an unknown alg; TERN_ERR_RNG;
 * TERN_ERR_BUFFER_TOO_SMALL. */
TERN_MUST_CHECK int tern_ecdsa_p256_sign(const uint8_t priv[32], tern_hash_alg alg, const uint8_t *digest,
                                         uint8_t *sig_der, size_t cap, size_t *siglen, tern_rng_fn rng,
                                         void *rng_arg);

/* Verify a DER signature over the digest under the uncompressed public
 * point pub (04 || X || Y).  Returns 0 if it is valid;
 * TERN_ERR_BAD_SIGNATURE for any malformed or wrong signature (not strict
 * DER, r or s outside [1, n-1], equation fails); TERN_ERR_BAD_KEY if pub is
 * not a valid point; TERN_ERR_UNSUPPORTED for an unknown alg. */
TERN_MUST_CHECK int tern_ecdsa_p256_verify(const uint8_t pub[65], tern_hash_alg alg, const uint8_t *digest,
                                           const uint8_t *sig_der, size_t siglen);

/* The same on raw r || s (32 bytes each, big-endian), e.g. for formats
 * other than DER. */
TERN_MUST_CHECK int tern_ecdsa_p256_sign_raw(const uint8_t priv[32], tern_hash_alg alg, const uint8_t *digest,
                                             uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN], tern_rng_fn rng,
                                             void *rng_arg);
TERN_MUST_CHECK int tern_ecdsa_p256_verify_raw(const uint8_t pub[65], tern_hash_alg alg, const uint8_t *digest,
                                               const uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN]);

/* Strict DER SEQUENCE { INTEGER r, INTEGER s } <-> r || s.  Decoding
 * accepts any non-negative r, s below 2^256 (the range check against n is
 * the verifier's); returns 0 or TERN_ERR_DECODE.  Encoding returns 0 or
 * TERN_ERR_BUFFER_TOO_SMALL. */
TERN_MUST_CHECK int tern_ecdsa_sig_from_der(uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN], const uint8_t *der,
                                            size_t len);
TERN_MUST_CHECK int tern_ecdsa_sig_to_der(uint8_t *der, size_t cap, size_t *len,
                                          const uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN]);

/* ECDSA P-384 verification (CA signatures, TLS peers; crypto/p384.c):
 * pub is 04 || X || Y (97 bytes), the digest is tern_hash_len(alg) bytes
 * (SHA-256, -384 or -512; the leftmost 384 bits count), the signature is
 * strict DER with r, s of at most 48 bytes.  Returns like
 * tern_ecdsa_p256_verify(). */
TERN_MUST_CHECK int tern_ecdsa_p384_verify(const uint8_t pub[97], tern_hash_alg alg, const uint8_t *digest,
                                           const uint8_t *sig_der, size_t siglen);

/* ECDSA P-384 signing, like tern_ecdsa_p256_sign (RFC 6979 nonce hedged
 * with 32 random bytes; TERN_ECDSA_P384_MAX_SIG_LEN always suffices). */
TERN_MUST_CHECK int tern_ecdsa_p384_sign(const uint8_t priv[48], tern_hash_alg alg, const uint8_t *digest,
                                         uint8_t *sig_der, size_t cap, size_t *siglen, tern_rng_fn rng,
                                         void *rng_arg);
/* Strict DER <-> r || s for P-384 (48 bytes each). */
TERN_MUST_CHECK int tern_ecdsa_p384_sig_from_der(uint8_t sig[TERN_ECDSA_P384_RAW_SIG_LEN], const uint8_t *der,
                                                 size_t len);
TERN_MUST_CHECK int tern_ecdsa_p384_sig_to_der(uint8_t *der, size_t cap, size_t *len,
                                               const uint8_t sig[TERN_ECDSA_P384_RAW_SIG_LEN]);

/* ---- Internal (tests, ctgrind) ---- */

/* RFC 6979 P-384 signing with explicit additional data (NULL/0: the plain
 * deterministic signature, checked against RFC 6979 A.2.6). */
TERN_MUST_CHECK int tern_ecdsa_p384_sign_det(const uint8_t priv[48], tern_hash_alg alg, const uint8_t *digest,
                                             const uint8_t *extra, size_t extralen,
                                             uint8_t sig[TERN_ECDSA_P384_RAW_SIG_LEN]);

/* RFC 6979 signing with explicit additional data (extra may be NULL/0 for
 * the plain deterministic signature of RFC 6979 §3.2, which the tests
 * check against the Appendix A.2.5 vectors). */
TERN_MUST_CHECK int tern_ecdsa_p256_sign_det(const uint8_t priv[32], tern_hash_alg alg, const uint8_t *digest,
                                             const uint8_t *extra, size_t extralen,
                                             uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN]);

/* One signing attempt with a given nonce k (32 bytes): no branch at all,
 * so ctgrind can run it with the key and the nonce undefined.  Returns a
 * mask: all-ones when the signature is usable (priv and k in [1, n-1],
 * r != 0, s != 0); sig is then r || s, otherwise garbage. */
uint64_t tern_ecdsa_p256_sign_with_k(const uint8_t priv[32], const uint8_t *digest, size_t digestlen,
                                     const uint8_t k[32], uint8_t sig[TERN_ECDSA_P256_RAW_SIG_LEN]);

#endif
