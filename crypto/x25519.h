/*
 * X25519 Diffie-Hellman (RFC 7748 §5, §6.1).  Constant time in the scalar.
 */
#ifndef TERN_CRYPTO_X25519_H
#define TERN_CRYPTO_X25519_H

#include "crypto/common.h"

#define TERN_X25519_LEN 32

/* out = X25519(scalar, point).  The scalar is clamped, the top bit of the
 * point is ignored (RFC 7748 §5).  Returns TERN_ERR_ZERO_SECRET when the
 * result is all zeros (a small-order peer point; RFC 7748 §6.1, RFC 8422
 * §5.11), with out still written; else 0. */
TERN_MUST_CHECK int tern_x25519(uint8_t out[TERN_X25519_LEN], const uint8_t scalar[TERN_X25519_LEN],
                                const uint8_t point[TERN_X25519_LEN]);

/* out = X25519(scalar, 9): the public key for a private scalar. */
void tern_x25519_base(uint8_t out[TERN_X25519_LEN], const uint8_t scalar[TERN_X25519_LEN]);

/* A fresh key pair from rng (NULL = the OS).  Returns 0 or TERN_ERR_RNG. */
TERN_MUST_CHECK int tern_x25519_keygen(uint8_t priv[TERN_X25519_LEN], uint8_t pub[TERN_X25519_LEN], tern_rng_fn rng,
                                       void *rng_arg);

#endif
