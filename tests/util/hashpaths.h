/*
 * Test-only helper shared by tests/test_sha2.c, test_hmac.c and test_prf.c:
 * which SHA-2 block functions a cmocka suite runs on.
 *
 * [portable]: TERN_CPU=portable, both SHA-256 and SHA-512 must pick the
 * portable C.  [sha-ni] / [avx2] / [accelerated]: the CPU's own features;
 * SHA-256 must pick SHA-NI (else AVX2) and SHA-512 AVX2 where the CPU has
 * them.  [avx2-no-sha-ni]: TERN_CPU=-shani, SHA-256 must pick its AVX2
 * path.  A suite that exists to test a path is skipped (with a message)
 * when the CPU lacks it.
 *
 * Header-only (static inline) on purpose: every .c file in tests/util/ is also
 * linked into the fuzz targets, which do not link cmocka.  Include it after
 * <cmocka.h>.
 */
#ifndef TERN_TESTS_HASHPATHS_H
#define TERN_TESTS_HASHPATHS_H

#include <stdlib.h>

#include "crypto/cpu.h"
#include "crypto/sha2.h"
#include "crypto/sha2_impl.h"
#include "tests/util/testutil.h"

enum { PATH_PORTABLE, PATH_SHANI, PATH_AVX2, PATH_ACCEL, PATH_SHA256_AVX2 };
static const int path_portable __attribute__((unused)) = PATH_PORTABLE,
                 path_shani __attribute__((unused)) = PATH_SHANI,
                 path_avx2 __attribute__((unused)) = PATH_AVX2,
                 path_accel __attribute__((unused)) = PATH_ACCEL,
                 path_sha256_avx2 __attribute__((unused)) = PATH_SHA256_AVX2;

/* Force the path; returns 0 (after printing why) when it cannot run here. */
static inline int use_path(void **state) {
    int p = *(const int *)*state;
    tv_use_cpu(p == PATH_PORTABLE ? "portable" : p == PATH_SHA256_AVX2 ? "-shani" : NULL);
    int shani = tern_cpu_has(TERN_CPU_SHANI | TERN_CPU_SSSE3 | TERN_CPU_SSE41);
    int avx2 = tern_cpu_has(TERN_CPU_AVX2 | TERN_CPU_BMI2);
    if (p == PATH_SHANI && !shani) {
        print_message("[   SKIP   ] this CPU has no SHA-NI (+SSSE3/SSE4.1): SHA-NI path not tested here\n");
        return 0;
    }
    if ((p == PATH_AVX2 || p == PATH_SHA256_AVX2) && !avx2) {
        print_message("[   SKIP   ] this CPU has no AVX2+BMI2: the AVX2 paths are not tested here\n");
        return 0;
    }
    /* Make sure new contexts really pick the path asked for. */
    tern_sha256_ctx c256;
    tern_sha512_ctx c512;
    tern_sha256_init(&c256);
    tern_sha512_init(&c512);
    if (p == PATH_PORTABLE) {
        assert_ptr_equal(c256.blocks, tern_sha256_blocks_portable);
        assert_ptr_equal(c512.blocks, tern_sha512_blocks_portable);
    } else {
        assert_ptr_equal(c256.blocks, shani  ? tern_sha256_blocks_shani
                                      : avx2 ? tern_sha256_blocks_avx2
                                             : tern_sha256_blocks_portable);
        assert_ptr_equal(c512.blocks, avx2 ? tern_sha512_blocks_avx2 : tern_sha512_blocks_portable);
    }
    return 1;
}

static inline int restore_path(void **state) {
    (void)state;
    tv_use_cpu(NULL);
    return 0;
}

#define SKIP_UNLESS_PATH(state) \
    do {                        \
        if (!use_path(state))   \
            skip();             \
    } while (0)

/* A suite on the portable path and on the accelerated one it exists for. */
#define ON_PATHS(fn, accel_name, accel)                                  \
    {#fn " [portable]", fn, NULL, restore_path, (void *)&path_portable}, \
        {#fn " [" accel_name "]", fn, NULL, restore_path, (void *)&(accel)}
#define SHA256_PATHS(fn)                                                                  \
    ON_PATHS(fn, "sha-ni", path_shani),                                                    \
        {#fn " [avx2-no-sha-ni]", fn, NULL, restore_path, (void *)&path_sha256_avx2}
#define SHA512_PATHS(fn) ON_PATHS(fn, "avx2", path_avx2)
#define ALL_PATHS(fn) ON_PATHS(fn, "accelerated", path_accel)

#endif
