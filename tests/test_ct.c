/*
 * Tests for crypto/ct.h: every helper on edge values (0, 1, all-ones, top
 * bit set), and the wipe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/ct.h"

static const uint32_t e32[] = {0, 1, 2, 0x7fffffffu, 0x80000000u, 0x80000001u, 0xfffffffeu, 0xffffffffu};
static const uint64_t e64[] = {0, 1, 2, 0x7fffffffffffffffull, 0x8000000000000000ull,
                               0x8000000000000001ull, 0xfffffffffffffffeull, 0xffffffffffffffffull};
#define N32 (sizeof e32 / sizeof e32[0])
#define N64 (sizeof e64 / sizeof e64[0])

static void test_masks(void **state) {
    (void)state;
    assert_int_equal(tern_ct_mask_u32(0), 0);
    assert_int_equal(tern_ct_mask_u32(1), 0xffffffffu);
    assert_true(tern_ct_mask_u64(1) == ~0ull);
    assert_true(tern_ct_mask_u64(0) == 0);
}

static void test_compare32(void **state) {
    (void)state;
    for (size_t i = 0; i < N32; i++) {
        uint32_t a = e32[i];
        assert_int_equal(tern_ct_is_zero_u32(a), a == 0);
        assert_int_equal(tern_ct_is_nonzero_u32(a), a != 0);
        for (size_t j = 0; j < N32; j++) {
            uint32_t b = e32[j];
            assert_int_equal(tern_ct_eq_u32(a, b), a == b);
            assert_int_equal(tern_ct_lt_u32(a, b), a < b);
            assert_int_equal(tern_ct_gt_u32(a, b), a > b);
            assert_int_equal(tern_ct_le_u32(a, b), a <= b);
            assert_int_equal(tern_ct_ge_u32(a, b), a >= b);
            assert_int_equal(tern_ct_select_u32(0xffffffffu, a, b), a);
            assert_int_equal(tern_ct_select_u32(0, a, b), b);
        }
    }
}

static void test_compare64(void **state) {
    (void)state;
    for (size_t i = 0; i < N64; i++) {
        uint64_t a = e64[i];
        assert_true(tern_ct_is_zero_u64(a) == (a == 0));
        assert_true(tern_ct_is_nonzero_u64(a) == (a != 0));
        for (size_t j = 0; j < N64; j++) {
            uint64_t b = e64[j];
            assert_true(tern_ct_eq_u64(a, b) == (a == b));
            assert_true(tern_ct_lt_u64(a, b) == (a < b));
            assert_true(tern_ct_ge_u64(a, b) == (a >= b));
            assert_true(tern_ct_select_u64(~0ull, a, b) == a);
            assert_true(tern_ct_select_u64(0, a, b) == b);
        }
    }
}

static void test_memeq(void **state) {
    (void)state;
    uint8_t a[33], b[33];
    for (size_t i = 0; i < sizeof a; i++)
        a[i] = b[i] = (uint8_t)(i * 7 + 1);
    assert_int_equal(tern_ct_memeq(a, b, sizeof a), 1);
    assert_int_equal(tern_ct_memeq(a, b, 0), 1);
    for (size_t i = 0; i < sizeof a; i++) {
        for (int bit = 0; bit < 8; bit++) {
            b[i] ^= (uint8_t)(1 << bit);
            assert_int_equal(tern_ct_memeq(a, b, sizeof a), 0);
            b[i] ^= (uint8_t)(1 << bit);
        }
    }
    uint8_t z[16] = {0};
    assert_int_equal(tern_ct_is_zero_mem(z, sizeof z), 1);
    z[15] = 0x80;
    assert_int_equal(tern_ct_is_zero_mem(z, sizeof z), 0);
    assert_int_equal(tern_ct_is_zero_mem(z, 15), 1);
}

static void test_copy_swap(void **state) {
    (void)state;
    uint8_t a[5] = {1, 2, 3, 4, 5}, b[5] = {0xff, 0xfe, 0x80, 0x00, 0x7f};
    uint8_t a0[5], b0[5];
    memcpy(a0, a, 5);
    memcpy(b0, b, 5);
    tern_ct_cswap(0, a, b, 5);
    assert_memory_equal(a, a0, 5);
    assert_memory_equal(b, b0, 5);
    tern_ct_cswap(0xffffffffu, a, b, 5);
    assert_memory_equal(a, b0, 5);
    assert_memory_equal(b, a0, 5);

    uint8_t d[5] = {9, 9, 9, 9, 9};
    tern_ct_copy_if(0, d, a0, 5);
    assert_memory_equal(d, ((uint8_t[]){9, 9, 9, 9, 9}), 5);
    tern_ct_copy_if(0xffffffffu, d, a0, 5);
    assert_memory_equal(d, a0, 5);

    uint64_t x[2] = {1, ~0ull}, y[2] = {0x8000000000000000ull, 0};
    tern_ct_cswap_u64(0, x, y, 2);
    assert_true(x[0] == 1 && y[1] == 0);
    tern_ct_cswap_u64(~0ull, x, y, 2);
    assert_true(x[0] == 0x8000000000000000ull && x[1] == 0 && y[0] == 1 && y[1] == ~0ull);
}

static void test_wipe(void **state) {
    (void)state;
    uint8_t buf[64];
    memset(buf, 0xa5, sizeof buf);
    tern_wipe(buf, sizeof buf);
    for (size_t i = 0; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0);
    tern_wipe(NULL, 0); /* zero length touches nothing */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_masks),   cmocka_unit_test(test_compare32), cmocka_unit_test(test_compare64),
        cmocka_unit_test(test_memeq),   cmocka_unit_test(test_copy_swap), cmocka_unit_test(test_wipe),
    };
    return cmocka_run_group_tests_name("ct", tests, NULL, NULL);
}
