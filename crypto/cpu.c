/*
 * CPU feature detection with cpuid/xgetbv (Intel SDM Vol. 2A, CPUID leaf 1
 * and leaf 7), and the TERN_CPU override described in cpu.h.
 */
#include "crypto/cpu.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define TERN_X86 1
#else
#define TERN_X86 0
#endif

static const struct {
    const char *name;
    uint32_t bit;
} feature_names[] = {
    {"aesni", TERN_CPU_AESNI},     {"pclmul", TERN_CPU_PCLMUL},     {"shani", TERN_CPU_SHANI},
    {"avx2", TERN_CPU_AVX2},       {"bmi2", TERN_CPU_BMI2},         {"adx", TERN_CPU_ADX},
    {"avx512f", TERN_CPU_AVX512F}, {"avx512vl", TERN_CPU_AVX512VL}, {"avx512bw", TERN_CPU_AVX512BW},
    {"avx512ifma", TERN_CPU_AVX512IFMA}, {"vaes", TERN_CPU_VAES},   {"vpclmul", TERN_CPU_VPCLMUL},
    {"ssse3", TERN_CPU_SSSE3},     {"sse41", TERN_CPU_SSE41},
};

static uint32_t detect_hardware(void) {
    uint32_t f = 0;
#if TERN_X86
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d))
        return 0;
    int osxsave = (c >> 27) & 1;
    if (c & (1u << 25)) f |= TERN_CPU_AESNI;
    if (c & (1u << 1))  f |= TERN_CPU_PCLMUL;
    if (c & (1u << 9))  f |= TERN_CPU_SSSE3;
    if (c & (1u << 19)) f |= TERN_CPU_SSE41;
    int avx = (c >> 28) & 1;

    /* XCR0: bits 1,2 = SSE/AVX state; bits 5,6,7 = AVX-512 state. */
    uint64_t xcr0 = 0;
    if (osxsave) {
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        xcr0 = (uint64_t)hi << 32 | lo;
    }
    int ymm_ok = avx && (xcr0 & 0x6) == 0x6;
    int zmm_ok = ymm_ok && (xcr0 & 0xe0) == 0xe0;

    unsigned maxleaf = __get_cpuid_max(0, NULL);
    if (maxleaf >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        if (b & (1u << 29)) f |= TERN_CPU_SHANI;
        if (b & (1u << 8))  f |= TERN_CPU_BMI2;
        if (b & (1u << 19)) f |= TERN_CPU_ADX;
        if (ymm_ok) {
            if (b & (1u << 5))  f |= TERN_CPU_AVX2;
            if (c & (1u << 9))  f |= TERN_CPU_VAES;
            if (c & (1u << 10)) f |= TERN_CPU_VPCLMUL;
        }
        if (zmm_ok) {
            if (b & (1u << 16)) f |= TERN_CPU_AVX512F;
            if (b & (1u << 31)) f |= TERN_CPU_AVX512VL;
            if (b & (1u << 30)) f |= TERN_CPU_AVX512BW;
            if (b & (1u << 21)) f |= TERN_CPU_AVX512IFMA;
        }
    }
#endif
    return f;
}

static uint32_t lookup(const char *name, size_t n) {
    for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
        if (strlen(feature_names[i].name) == n && memcmp(feature_names[i].name, name, n) == 0)
            return feature_names[i].bit;
    return 0;
}

/* Apply TERN_CPU: "portable", a list of names to keep, or "-name" to drop. */
static uint32_t apply_override(uint32_t hw, const char *env) {
    if (env == NULL || *env == '\0')
        return hw;
    if (strcmp(env, "portable") == 0)
        return 0;
    uint32_t keep = 0, drop = 0;
    int any_keep = 0;
    const char *p = env;
    while (*p) {
        const char *q = p;
        while (*q && *q != ',')
            q++;
        if (*p == '-') {
            drop |= lookup(p + 1, (size_t)(q - p - 1));
        } else if (q > p) {
            keep |= lookup(p, (size_t)(q - p));
            any_keep = 1;
        }
        p = *q ? q + 1 : q;
    }
    if (any_keep)
        hw &= keep;
    return hw & ~drop;
}

static uint32_t cached;
static int cached_valid;

void tern_cpu_reset(void) {
    uint32_t v = apply_override(detect_hardware(), getenv("TERN_CPU"));
    __atomic_store_n(&cached, v, __ATOMIC_RELAXED);
    __atomic_store_n(&cached_valid, 1, __ATOMIC_RELEASE);
}

/* Racing first calls compute the same value; the release/acquire pair makes
 * the value visible before the flag. */
uint32_t tern_cpu(void) {
    if (!__atomic_load_n(&cached_valid, __ATOMIC_ACQUIRE))
        tern_cpu_reset();
    return __atomic_load_n(&cached, __ATOMIC_RELAXED);
}

void tern_cpu_describe(uint32_t mask, char *buf, unsigned len) {
    size_t used = 0;
    if (len == 0)
        return;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++) {
        if (!(mask & feature_names[i].bit))
            continue;
        size_t n = strlen(feature_names[i].name);
        if (used + n + 2 > len)
            break;
        if (used)
            buf[used++] = ' ';
        memcpy(buf + used, feature_names[i].name, n);
        used += n;
        buf[used] = '\0';
    }
    if (used == 0 && len > 8)
        memcpy(buf, "portable", 9);
}
