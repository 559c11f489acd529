/*
 * The constant-time table read of the fixed-window exponentiation (bn.c)
 * with AVX2: every entry is loaded and masked, 4 limbs per instruction.
 * Compiled with -mavx2; only called after crypto/cpu.c saw AVX2.
 */
#include "crypto/bn.h"

#include <immintrin.h>

void tern_bn_select_avx2(uint64_t *out, const uint64_t *tab, size_t count, size_t n, uint64_t idx) {
    __m256i want = _mm256_set1_epi64x((long long)idx);
    for (size_t i = 0; i + 4 <= n; i += 4) {
        __m256i acc = _mm256_setzero_si256();
        for (size_t k = 0; k < count; k++) {
            /* all-ones lanes where k == idx: a compare, not a branch */
            __m256i mask = _mm256_cmpeq_epi64(_mm256_set1_epi64x((long long)k), want);
            __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(tab + k * n + i));
            acc = _mm256_or_si256(acc, _mm256_and_si256(mask, v));
        }
        _mm256_storeu_si256((__m256i *)(void *)(out + i), acc);
    }
}
