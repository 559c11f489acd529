/*
 * Internals of the X25519 implementation (crypto/x25519*.c), exposed for the
 * tests and the constant-time checks only.  Not part of the API.
 */
#ifndef TERN_CRYPTO_X25519_INTERNAL_H
#define TERN_CRYPTO_X25519_INTERNAL_H

#include <stdint.h>

/* k = decodeScalar25519(scalar) (RFC 7748 §5). */
void tern_x25519_clamp(uint8_t k[32], const uint8_t scalar[32]);

/* out = X25519 of an already clamped k and u, by the portable Montgomery
 * ladder (radix 2^51).  No zero check. */
void tern_x25519_ladder(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]);

#endif
