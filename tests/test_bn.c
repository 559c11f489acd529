/*
 * Tests for crypto/bn.h: Montgomery multiplication (portable and MULX/ADX,
 * forced through TERN_CPU), exponentiation, the CRT reduction and the
 * constant-time inverse, against a slow shift-and-subtract reference
 * written here, and against OpenSSL's BIGNUM when libcrypto is there.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/bn.h"
#include "crypto/cpu.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/bn.h>
#endif

#define MAXL TERN_BN_MAX_LIMBS

static uint64_t seed = 0x6e2b5a1f00c0ffeeull;

static void rnd(uint64_t *x, size_t n) {
    assert_int_equal(tv_rng(&seed, (uint8_t *)x, n * 8), 0);
}

/* Reference: r (n limbs) = x (xn limbs) mod m, one bit at a time. */
static void ref_mod(uint64_t *r, const uint64_t *x, size_t xn, const uint64_t *m, size_t n) {
    uint64_t acc[MAXL + 1] = {0}, mm[MAXL + 1] = {0}, d[MAXL + 1];
    memcpy(mm, m, n * 8);
    for (size_t bit = 64 * xn; bit-- > 0;) {
        /* acc = 2 acc + bit */
        for (size_t i = n; i > 0; i--)
            acc[i] = acc[i] << 1 | acc[i - 1] >> 63;
        acc[0] = acc[0] << 1 | ((x[bit / 64] >> (bit % 64)) & 1);
        if (!tern_bn_sub(d, acc, mm, n + 1))
            memcpy(acc, d, (n + 1) * 8);
    }
    memcpy(r, acc, n * 8);
}

/* Random odd modulus of n limbs; kind 0 random, 1 top limb tiny, 2 all ones. */
static void rnd_mod(uint64_t *m, size_t n, int kind) {
    rnd(m, n);
    if (kind == 1)
        m[n - 1] = (m[n - 1] & 0xff) | 1;
    if (kind == 2)
        for (size_t i = 0; i < n; i++)
            m[i] = ~(uint64_t)0;
    if (n == 1 && m[0] < 3)
        m[0] = 3;
    m[0] |= 1;
    m[n - 1] |= kind == 1 ? 0 : (uint64_t)1 << 63;
}

/* Random x < m. */
static void rnd_below(uint64_t *x, const uint64_t *m, size_t n) {
    uint64_t t[2 * MAXL];
    rnd(t, n);
    ref_mod(x, t, n, m, n);
}

static const size_t sizes[] = {1, 2, 3, 4, 5, 8, 16, 17, 24, 31, 32, 48, 64, 100, 128};

static void check_mont_mul(tern_bn_mont_mul_fn mul, tern_bn_mont_sqr_fn sqr) {
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        /* the bit-serial reference is slow at 8192 bits: fewer cases there */
        int kinds = n >= 100 ? 1 : 3, iters = n >= 100 ? 3 : 6;
        for (int kind = 0; kind < kinds; kind++) {
            uint64_t m[MAXL], a[MAXL], b[MAXL], r[MAXL], p[2 * MAXL + 2], x[2 * MAXL + 2], e1[MAXL], e2[MAXL];
            rnd_mod(m, n, kind);
            uint64_t m0inv = tern_bn_neg_inv64(m[0]);
            assert_true(m0inv * m[0] == ~(uint64_t)0);
            for (int it = 0; it < iters; it++) {
                rnd_below(a, m, n);
                if (it == 0) { /* extremes: a = m - 1, b = R - 1 */
                    memcpy(a, m, n * 8);
                    a[0] -= 1;
                    memset(b, 0xff, n * 8);
                } else if (it == 1) {
                    memset(a, 0, n * 8);
                    rnd(b, n);
                } else {
                    rnd(b, n); /* b < R: allowed */
                }
                /* squaring agrees with multiplying a by itself */
                uint64_t s1[MAXL], s2[MAXL];
                sqr(s1, a, m, m0inv, n);
                tern_bn_mont_mul_portable(s2, a, a, m, m0inv, n);
                assert_memory_equal(s1, s2, n * 8);
                sqr(s2, s2, m, m0inv, n); /* aliasing */
                tern_bn_mont_mul_portable(s1, s1, s1, m, m0inv, n);
                assert_memory_equal(s1, s2, n * 8);
                mul(r, a, b, m, m0inv, n);
                /* r R = a b (mod m), and r < m */
                assert_true(tern_bn_lt(r, m, n));
                memset(x, 0, sizeof x);
                memcpy(x + n, r, n * 8);
                ref_mod(e1, x, 2 * n, m, n);
                tern_bn_mul(p, a, n, b, n);
                ref_mod(e2, p, 2 * n, m, n);
                assert_memory_equal(e1, e2, n * 8);
                /* aliasing r = a */
                mul(a, a, b, m, m0inv, n);
                assert_memory_equal(a, r, n * 8);
            }
        }
    }
}

static void test_mont_mul_portable(void **state) {
    (void)state;
    check_mont_mul(tern_bn_mont_mul_portable, tern_bn_mont_sqr_portable);
}

static void test_mont_mul_adx(void **state) {
    (void)state;
    tv_use_cpu(NULL);
    if (!tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX)) {
        print_message("no BMI2+ADX on this CPU: skipped\n");
        skip();
    }
    check_mont_mul(tern_bn_mont_mul_adx, tern_bn_mont_sqr_adx);
}

/* The context picks the path from TERN_CPU. */
static void test_dispatch(void **state) {
    (void)state;
    uint64_t m[1] = {7}, rr[1] = {0};
    tern_bn_mont c;
    tv_use_cpu("portable");
    tern_bn_mont_init(&c, m, rr, tern_bn_neg_inv64(7), 1);
    assert_ptr_equal(c.mul, tern_bn_mont_mul_portable);
    assert_ptr_equal(c.sqr, tern_bn_mont_sqr_portable);
    assert_ptr_equal(c.select, tern_bn_select_portable);
    tv_use_cpu(NULL);
    tern_bn_mont_init(&c, m, rr, tern_bn_neg_inv64(7), 1);
    if (tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX))
        assert_ptr_equal(c.mul, tern_bn_mont_mul_adx);
    if (tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX))
        assert_ptr_equal(c.sqr, tern_bn_mont_sqr_adx);
}

/* The table read: both versions return exactly entry idx. */
static void test_select(void **state) {
    (void)state;
    tv_use_cpu(NULL);
    uint64_t tab[32 * 16], out[16], out2[16];
    rnd(tab, 32 * 16);
    for (size_t n = 4; n <= 16; n += 4) {
        for (uint64_t idx = 0; idx < 33; idx++) { /* 32: out of range -> all zero */
            tern_bn_select_portable(out, tab, 32, n, idx);
            if (idx < 32)
                assert_memory_equal(out, tab + idx * n, n * 8);
            else
                assert_true(tern_bn_is_zero(out, n));
            if (tern_cpu_has(TERN_CPU_AVX2)) {
                tern_bn_select_avx2(out2, tab, 32, n, idx);
                assert_memory_equal(out, out2, n * 8);
            }
        }
    }
    tern_bn_select_portable(out, tab, 3, 5, 2); /* count and n not multiples of 4 */
    assert_memory_equal(out, tab + 10, 5 * 8);
}

static void test_bytes(void **state) {
    (void)state;
    uint8_t in[20], out[20];
    for (int i = 0; i < 20; i++)
        in[i] = (uint8_t)(i + 1);
    uint64_t x[3];
    assert_int_equal(tern_bn_from_be(x, 3, in, 20), 0);
    assert_true(x[0] == 0x0d0e0f1011121314ull && x[1] == 0x05060708090a0b0cull && x[2] == 0x01020304ull);
    tern_bn_to_be(out, 20, x, 3);
    assert_memory_equal(in, out, 20);
    assert_int_equal(tern_bn_from_be(x, 2, in, 20), TERN_ERR_BAD_KEY);
    uint8_t z[20] = {0};
    z[19] = 5;
    assert_int_equal(tern_bn_from_be(x, 2, z, 20), 0); /* leading zeros fit */
    assert_true(x[0] == 5 && x[1] == 0);
    assert_int_equal(tern_bn_bits_vartime(x, 2), 3);
    assert_int_equal(tern_bn_from_be(x, 2, z, 0), 0);
    assert_true(tern_bn_is_zero(x, 2));
}

static void test_rr_and_reduce(void **state) {
    (void)state;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        uint64_t m[MAXL], rr[MAXL], x[2 * MAXL + 2] = {0}, e[MAXL], r[MAXL], big[2 * MAXL], t[4 * MAXL + 2] = {0};
        rnd_mod(m, n, (int)(si % 2));
        tern_bn_mont_rr(rr, m, tern_bn_neg_inv64(m[0]), n, si % 3 == 0 ? 0 : tern_bn_bits_vartime(m, n) - 1);
        x[2 * n] = 1; /* R^2 */
        ref_mod(e, x, 2 * n + 1, m, n);
        assert_memory_equal(rr, e, n * 8);
        tern_bn_mont c;
        tern_bn_mont_init(&c, m, rr, tern_bn_neg_inv64(m[0]), n);
        /* reduce_to_mont(x) = x R mod m for 2n-limb x */
        for (size_t xn = 1; xn <= 2 * n; xn += (n > 4 ? n / 2 : 1)) {
            rnd(big, xn);
            tern_bn_reduce_to_mont(&c, r, big, xn);
            memset(t, 0, sizeof t);
            memcpy(t + n, big, xn * 8);
            ref_mod(e, t, n + xn, m, n);
            assert_memory_equal(r, e, n * 8);
            /* and back */
            tern_bn_from_mont(&c, r, r);
            ref_mod(e, big, xn, m, n);
            assert_memory_equal(r, e, n * 8);
        }
    }
}

static void test_mod_add_sub_lt(void **state) {
    (void)state;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        uint64_t m[MAXL], a[MAXL], b[MAXL], s[MAXL], d[MAXL], t[MAXL + 1], e[MAXL];
        rnd_mod(m, n, 0);
        for (int it = 0; it < (n >= 100 ? 4 : 20); it++) {
            rnd_below(a, m, n);
            rnd_below(b, m, n);
            if (it == 0)
                memcpy(b, a, n * 8);
            tern_bn_mod_add(s, a, b, m, n);
            t[n] = tern_bn_add(t, a, b, n);
            ref_mod(e, t, n + 1, m, n);
            assert_memory_equal(s, e, n * 8);
            tern_bn_mod_sub(d, s, b, m, n);
            assert_memory_equal(d, a, n * 8);
            assert_int_equal(tern_bn_lt(a, b, n), tern_bn_sub(t, a, b, n));
            assert_int_equal(tern_bn_lt(a, a, n), 0);
        }
    }
}

static void check_exp(void) {
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        if (n > 32)
            continue; /* the reference below is quadratic per step: keep it quick */
        uint64_t m[MAXL], rr[MAXL], a[MAXL], am[MAXL], r[MAXL], ref[MAXL], e[MAXL], p[2 * MAXL];
        rnd_mod(m, n, 0);
        tern_bn_mont_rr(rr, m, tern_bn_neg_inv64(m[0]), n, tern_bn_bits_vartime(m, n) - 1);
        tern_bn_mont c;
        tern_bn_mont_init(&c, m, rr, tern_bn_neg_inv64(m[0]), n);
        for (int it = 0; it < 3; it++) {
            rnd_below(a, m, n);
            size_t elimbs = 1 + (size_t)it;
            rnd(e, elimbs);
            if (it == 0)
                e[0] = 0; /* includes zero windows */
            size_t ebits = 64 * elimbs - (size_t)it * 3; /* not a multiple of the window */
            if (ebits < 64 * elimbs)
                e[elimbs - 1] &= ((uint64_t)1 << (ebits % 64)) - 1;
            tern_bn_to_mont(&c, am, a);
            tern_bn_mont_exp_ct(&c, r, am, e, ebits);
            tern_bn_from_mont(&c, r, r);
            /* reference: left-to-right with plain multiply + ref_mod */
            memset(ref, 0, sizeof ref);
            ref[0] = 1;
            ref_mod(ref, ref, n, m, n);
            for (size_t bit = ebits; bit-- > 0;) {
                tern_bn_mul(p, ref, n, ref, n);
                ref_mod(ref, p, 2 * n, m, n);
                if ((e[bit / 64] >> (bit % 64)) & 1) {
                    tern_bn_mul(p, ref, n, a, n);
                    ref_mod(ref, p, 2 * n, m, n);
                }
            }
            assert_memory_equal(r, ref, n * 8);
            /* public exponent path agrees on the low limb of e */
            uint64_t e0 = e[0] | 1;
            uint64_t e0v[1] = {e0};
            uint64_t r2[MAXL];
            tern_bn_mont_exp_pub(&c, r, am, e0);
            tern_bn_mont_exp_ct(&c, r2, am, e0v, 64);
            assert_memory_equal(r, r2, n * 8);
        }
        /* a^1 = a, a^0 = 1 */
        uint64_t one[1] = {1}, zero[1] = {0};
        rnd_below(a, m, n);
        tern_bn_to_mont(&c, am, a);
        tern_bn_mont_exp_ct(&c, r, am, one, 1);
        assert_memory_equal(r, am, n * 8);
        tern_bn_mont_exp_pub(&c, r, am, 1);
        assert_memory_equal(r, am, n * 8);
        tern_bn_mont_exp_ct(&c, r, am, zero, 7);
        tern_bn_from_mont(&c, r, r);
        memset(ref, 0, sizeof ref);
        ref[0] = 1;
        ref_mod(ref, ref, n, m, n);
        assert_memory_equal(r, ref, n * 8);
    }
}

static void test_exp(void **state) {
    (void)state;
    tv_use_cpu("portable");
    check_exp();
    tv_use_cpu(NULL);
    check_exp();
}

/* A 1024-bit prime (RFC 2409 Oakley group 2 modulus) for Fermat checks. */
static const char *P1024 =
    "ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404dd"
    "ef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed"
    "ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff";

static void test_fermat_and_inverse(void **state) {
    (void)state;
    size_t blen;
    uint8_t *pb = tv_unhex(P1024, &blen);
    uint64_t p[16], rr[16], pm1[16], pm2[16], a[16], am[16], r[16], inv[16], one[16] = {1};
    assert_int_equal(tern_bn_from_be(p, 16, pb, blen), 0);
    free(pb);
    tern_bn_mont_rr(rr, p, tern_bn_neg_inv64(p[0]), 16, 0); /* slowest start */
    tern_bn_mont c;
    uint64_t p0inv = tern_bn_neg_inv64(p[0]);
    tern_bn_mont_init(&c, p, rr, p0inv, 16);
    memcpy(pm1, p, sizeof p);
    pm1[0] -= 1;
    memcpy(pm2, p, sizeof p);
    pm2[0] -= 2;
    for (int it = 0; it < 4; it++) {
        rnd_below(a, p, 16);
        tern_bn_to_mont(&c, am, a);
        tern_bn_mont_exp_ct(&c, r, am, pm1, 1024);
        tern_bn_from_mont(&c, r, r);
        assert_memory_equal(r, one, sizeof one); /* a^(p-1) = 1 */
        /* a^(p-2) = a^-1 = mod_inv_ct(a) */
        tern_bn_mont_exp_ct(&c, r, am, pm2, 1024);
        tern_bn_from_mont(&c, r, r);
        tern_bn_mod_inv_ct(inv, a, p, p0inv, 16);
        assert_memory_equal(r, inv, sizeof inv);
    }
}

/* Reference: 1 if gcd(x, m) == 1 (m odd), binary gcd. */
static int ref_coprime(const uint64_t *x, const uint64_t *m, size_t n) {
    uint64_t u[MAXL], v[MAXL], t[MAXL];
    memcpy(u, x, n * 8);
    memcpy(v, m, n * 8);
    while (!tern_bn_is_zero(u, n)) {
        while (!(u[0] & 1)) {
            for (size_t i = 0; i + 1 < n; i++)
                u[i] = u[i] >> 1 | u[i + 1] << 63;
            u[n - 1] >>= 1;
        }
        if (tern_bn_lt(u, v, n)) {
            memcpy(t, u, n * 8);
            memcpy(u, v, n * 8);
            memcpy(v, t, n * 8);
        }
        tern_bn_sub(u, u, v, n);
    }
    memset(t, 0, n * 8);
    t[0] = 1;
    return memcmp(v, t, n * 8) == 0;
}

/* Inverse modulo random odd (composite) moduli of every size: x x^-1 = 1. */
static void test_inverse(void **state) {
    (void)state;
    int invertible = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof sizes[0]; si++) {
        size_t n = sizes[si];
        for (int kind = 0; kind < (n >= 100 ? 1 : 3); kind++) {
            uint64_t m[MAXL], rr[MAXL], x[MAXL], inv[MAXL], r[MAXL], xm[MAXL], one[MAXL] = {1};
            rnd_mod(m, n, kind);
            if (kind == 2 && n == 1)
                continue;
            tern_bn_mont_rr(rr, m, tern_bn_neg_inv64(m[0]), n, tern_bn_bits_vartime(m, n) - 1);
            tern_bn_mont c;
            tern_bn_mont_init(&c, m, rr, tern_bn_neg_inv64(m[0]), n);
            for (int it = 0; it < (n >= 100 ? 4 : 8); it++) {
                rnd_below(x, m, n);
                if (it == 0) {
                    memset(x, 0, n * 8);
                    x[0] = 1;
                } else if (it == 1) {
                    memcpy(x, m, n * 8);
                    x[0] -= 1; /* m - 1 = -1 */
                } else if (it == 2) {
                    memset(x, 0, n * 8);
                    x[0] = 2;
                }
                /* Non-invertible x (m is composite) give no inverse: check
                 * only the units, counted to make sure most cases are. */
                tern_bn_mod_inv_ct(inv, x, m, c.m0inv, n);
                assert_true(tern_bn_lt(inv, m, n));
                tern_bn_to_mont(&c, xm, x);
                tern_bn_mont_mul(&c, r, xm, inv); /* x inv */
                if (ref_coprime(x, m, n)) {
                    assert_memory_equal(r, one, n * 8);
                    invertible++;
                } else {
                    assert_true(it >= 3); /* 1, -1 and 2 are always units */
                }
            }
        }
    }
    assert_true(invertible > 200);
}

#ifdef TERN_TEST_HAVE_OPENSSL
static BIGNUM *to_bn(const uint64_t *x, size_t n) {
    uint8_t buf[8 * MAXL];
    tern_bn_to_be(buf, 8 * n, x, n);
    return BN_bin2bn(buf, (int)(8 * n), NULL);
}

/* Cross-check exponentiation with OpenSSL at RSA sizes. */
static void test_openssl_exp(void **state) {
    (void)state;
    BN_CTX *bctx = BN_CTX_new();
    for (size_t n = 16; n <= 64; n += 16) {
        uint64_t m[MAXL], rr[MAXL], a[MAXL], e[MAXL], am[MAXL], r[MAXL];
        rnd_mod(m, n, 0);
        tern_bn_mont_rr(rr, m, tern_bn_neg_inv64(m[0]), n, tern_bn_bits_vartime(m, n) - 1);
        tern_bn_mont c;
        tern_bn_mont_init(&c, m, rr, tern_bn_neg_inv64(m[0]), n);
        rnd_below(a, m, n);
        rnd(e, n);
        tern_bn_to_mont(&c, am, a);
        tern_bn_mont_exp_ct(&c, r, am, e, 64 * n);
        tern_bn_from_mont(&c, r, r);
        BIGNUM *bm = to_bn(m, n), *ba = to_bn(a, n), *be = to_bn(e, n), *br = BN_new(), *bt = to_bn(r, n);
        assert_int_equal(BN_mod_exp(br, ba, be, bm, bctx), 1);
        assert_int_equal(BN_cmp(br, bt), 0);
        BN_free(bm);
        BN_free(ba);
        BN_free(be);
        BN_free(br);
        BN_free(bt);
    }
    BN_CTX_free(bctx);
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_select),
        cmocka_unit_test(test_mont_mul_portable),
        cmocka_unit_test(test_mont_mul_adx),
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_rr_and_reduce),
        cmocka_unit_test(test_mod_add_sub_lt),
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_fermat_and_inverse),
        cmocka_unit_test(test_inverse),
#ifdef TERN_TEST_HAVE_OPENSSL
        cmocka_unit_test(test_openssl_exp),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
