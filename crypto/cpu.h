/*
 * CPU feature detection, done once, with an environment override.
 *
 * tern_cpu() returns a bit set of TERN_CPU_* features that are both present
 * (cpuid) and usable (the OS saves the wider registers: XGETBV), minus the
 * ones the TERN_CPU environment variable switches off:
 *   TERN_CPU=portable        no accelerated path at all;
 *   TERN_CPU=-vaes,-shani    drop the named features (names as below);
 *   TERN_CPU=aesni,pclmul    keep only the named features.
 * Each accelerated implementation is chosen from this once per key/context,
 * never per call, and the portable constant-time path is always built.
 */
#ifndef TERN_CRYPTO_CPU_H
#define TERN_CRYPTO_CPU_H

#include <stdint.h>

#define TERN_CPU_AESNI      (1u << 0)
#define TERN_CPU_PCLMUL     (1u << 1)
#define TERN_CPU_SHANI      (1u << 2)
#define TERN_CPU_AVX2       (1u << 3)
#define TERN_CPU_BMI2       (1u << 4)
#define TERN_CPU_ADX        (1u << 5)
#define TERN_CPU_AVX512F    (1u << 6)
#define TERN_CPU_AVX512VL   (1u << 7)
#define TERN_CPU_AVX512BW   (1u << 8)
#define TERN_CPU_AVX512IFMA (1u << 9)
#define TERN_CPU_VAES       (1u << 10)
#define TERN_CPU_VPCLMUL    (1u << 11)
#define TERN_CPU_SSSE3      (1u << 12)
#define TERN_CPU_SSE41      (1u << 13)

/* The usable features, after the TERN_CPU override.  Thread-safe. */
uint32_t tern_cpu(void);

/* Re-read the hardware and the TERN_CPU variable (tests that switch paths
 * call this after setenv()).  Not thread-safe; tests only. */
void tern_cpu_reset(void);

/* Human-readable list of the features in `mask`, e.g. "aesni pclmul shani".
 * Writes at most `len` bytes including the NUL. */
void tern_cpu_describe(uint32_t mask, char *buf, unsigned len);

/* True when every bit of `need` is usable. */
static inline int tern_cpu_has(uint32_t need) {
    return (tern_cpu() & need) == need;
}

#endif
