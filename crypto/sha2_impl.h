/*
 * Private to crypto/sha*.c and crypto/hash.c: the block functions behind
 * the SHA-2 contexts.  Each processes `nblocks` whole blocks into the state;
 * which one a context uses is chosen once, at init, from tern_cpu().
 */
#ifndef TERN_CRYPTO_SHA2_IMPL_H
#define TERN_CRYPTO_SHA2_IMPL_H

#include "crypto/sha2.h"

/* Portable C (crypto/sha256.c), always built and always tested. */
void tern_sha256_blocks_portable(uint32_t h[8], const uint8_t *p, size_t nblocks);
/* x86 SHA extensions (crypto/sha256_shani.c); needs SHA-NI, SSSE3, SSE4.1. */
void tern_sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks);
/* AVX2 message schedule for eight blocks at once + BMI2 scalar rounds
 * (crypto/sha256_avx2.c), for CPUs with AVX2 and BMI2 but no SHA-NI. */
void tern_sha256_blocks_avx2(uint32_t h[8], const uint8_t *p, size_t nblocks);

/* Portable C (crypto/sha512.c). */
void tern_sha512_blocks_portable(uint64_t h[8], const uint8_t *p, size_t nblocks);
/* AVX2 message schedule for four blocks at once + BMI2 scalar rounds
 * (crypto/sha512_avx2.c); needs AVX2 and BMI2. */
void tern_sha512_blocks_avx2(uint64_t h[8], const uint8_t *p, size_t nblocks);

#endif
