/*
 * Randomness from the operating system.
 */
#ifndef TERN_CRYPTO_RAND_H
#define TERN_CRYPTO_RAND_H

#include "crypto/common.h"

/* Fill buf with len bytes from getrandom(2), blocking until the kernel pool
 * is initialised.  Loops on EINTR and short reads.  Returns 0, or
 * TERN_ERR_RNG if the kernel refuses: there is never a weaker fallback.
 * Matches tern_rng_fn (arg is ignored), so it is the default config RNG. */
TERN_MUST_CHECK int tern_rand_os(void *arg, uint8_t *buf, size_t len);

/* Call rng (or tern_rand_os when rng is NULL) and map any failure to
 * TERN_ERR_RNG.  On failure buf is zeroed so that no caller can use stale
 * bytes by mistake. */
TERN_MUST_CHECK int tern_rand_fill(tern_rng_fn rng, void *arg, uint8_t *buf, size_t len);

#endif
