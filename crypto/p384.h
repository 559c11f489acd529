/*
 * NIST P-384 (secp384r1; FIPS 186-4 §D.1.2.4, SEC 2 v2 §2.5.1), for
 * verification only: public-key validation and the ECDSA verification
 * equation (FIPS 186-4 §6.4.2, SEC 1 v2 §4.1.4), which X.509 path
 * validation needs for P-384 CA signatures.  There is no P-384 signing or
 * ECDH, so nothing here handles a secret and the code may (and does) run
 * in variable time.  The DER signature wrapper lives in crypto/ecdsa.h
 * (tern_ecdsa_p384_verify).
 */
#ifndef TERN_CRYPTO_P384_H
#define TERN_CRYPTO_P384_H

#include "crypto/common.h"

#define TERN_P384_SCALAR_LEN 48
#define TERN_P384_PUBLIC_LEN 97

/* 0 if pub is 04 || X || Y with X, Y < p and on the curve (the curve has
 * prime order, so every such point is in the group), else
 * TERN_ERR_BAD_KEY. */
TERN_MUST_CHECK int tern_p384_check_public(const uint8_t pub[TERN_P384_PUBLIC_LEN]);

/* ECDSA verification on raw r || s (48 bytes each, big-endian) over a
 * digest of dlen bytes (its leftmost 384 bits are used).  Returns 0,
 * TERN_ERR_BAD_SIGNATURE (r or s outside [1, n-1], or the equation fails),
 * or TERN_ERR_BAD_KEY for an invalid pub. */
TERN_MUST_CHECK int tern_p384_ecdsa_verify_raw(const uint8_t pub[TERN_P384_PUBLIC_LEN], const uint8_t *digest,
                                               size_t dlen, const uint8_t sig[2 * TERN_P384_SCALAR_LEN]);

#endif
