/*
 * Tests for crypto/x25519.c (RFC 7748): the §5.2 and §6.1 known answers,
 * every Wycheproof x25519_test.json case (with the zero-secret error), key
 * generation with a deterministic RNG, the fixed-base path against the
 * ladder, field encoding edge cases, and (with libcrypto) a cross-check
 * against OpenSSL on random inputs.  Every vector runs on each
 * implementation path: TERN_CPU=portable and the default (accelerated) one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/cpu.h"
#include "crypto/fe25519.h"
#include "crypto/x25519.h"
#include "crypto/x25519_internal.h"
#include "crypto/x25519_table.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

/* The implementation paths every vector runs on.  NULL = no override. */
static const char *const paths[] = {"portable", NULL};
#define NPATHS (sizeof paths / sizeof paths[0])

static const char *path_name(const char *p) {
    if (p)
        return p;
    return tern_x25519_have_adx() && tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX) ? "default=mulx/adx" : "default";
}

static void hex_into(const char *hex, uint8_t out[32]) {
    assert_non_null(hex);
    assert_int_equal(tv_unhex_into(hex, out, 32), 0);
}

static void test_rfc7748(void **state) {
    (void)state;
    const int slow = getenv("TERN_SLOW_TESTS") && strcmp(getenv("TERN_SLOW_TESTS"), "1") == 0;
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        tv_file *f = tv_open(tv_path("kat/rfc7748_x25519.txt"));
        tv_case c;
        int single = 0, iter = 0, dh = 0;
        while (tv_next(f, &c)) {
            uint8_t k[32], u[32], want[32], out[32];
            if (tv_get(&c, "alice_private")) {
                uint8_t ap[32], apub[32], bp[32], bpub[32], s1[32], s2[32];
                hex_into(tv_get(&c, "alice_private"), ap);
                hex_into(tv_get(&c, "alice_public"), apub);
                hex_into(tv_get(&c, "bob_private"), bp);
                hex_into(tv_get(&c, "bob_public"), bpub);
                hex_into(tv_get(&c, "shared"), want);
                tern_x25519_base(out, ap);
                assert_memory_equal(out, apub, 32);
                tern_x25519_base(out, bp);
                assert_memory_equal(out, bpub, 32);
                /* The public keys again, through the variable-base ladder. */
                static const uint8_t nine[32] = {9};
                assert_int_equal(tern_x25519(out, ap, nine), 0);
                assert_memory_equal(out, apub, 32);
                assert_int_equal(tern_x25519(s1, ap, bpub), 0);
                assert_int_equal(tern_x25519(s2, bp, apub), 0);
                assert_memory_equal(s1, want, 32);
                assert_memory_equal(s2, want, 32);
                dh++;
                continue;
            }
            hex_into(tv_get(&c, "scalar"), k);
            hex_into(tv_get(&c, "u"), u);
            hex_into(tv_get(&c, "out"), want);
            long n = tv_get_long(&c, "iterations", 0);
            if (n == 0) {
                assert_int_equal(tern_x25519(out, k, u), 0);
                assert_memory_equal(out, want, 32);
                single++;
                continue;
            }
            if (n > 1000 && !slow) {
                printf("  [%s] %s: skipped (%ld iterations; set TERN_SLOW_TESTS=1 to run)\n",
                       path_name(paths[pi]), tv_get(&c, "case"), n);
                continue;
            }
            /* RFC 7748 §5.2: each round (k, u) <- (X25519(k, u), k). */
            for (long i = 0; i < n; i++) {
                assert_int_equal(tern_x25519(out, k, u), 0);
                memcpy(u, k, 32);
                memcpy(k, out, 32);
            }
            assert_memory_equal(k, want, 32);
            iter++;
        }
        tv_close(f);
        printf("  [%s] RFC 7748: %d single, %d iterated, %d Diffie-Hellman cases passed\n", path_name(paths[pi]),
               single, iter, dh);
        assert_int_equal(single, 2);
        assert_true(iter >= 2);
        assert_int_equal(dh, 1);
    }
    tv_use_cpu(NULL);
}

/* Every case of Wycheproof x25519_test.json: the computed value must equal
 * `shared` for valid and acceptable cases alike (X25519 is a total
 * function), and an all-zero expected result must come with
 * TERN_ERR_ZERO_SECRET. */
#define MAX_FLAGS 32
static void test_wycheproof(void **state) {
    (void)state;
    json *j = json_load(tv_path("wycheproof/x25519_test.json"));
    const json *groups = json_get(j, "testGroups");
    assert_non_null(groups);
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        const char *flag_name[MAX_FLAGS];
        int flag_count[MAX_FLAGS];
        int nflags = 0, total = 0, zero = 0;
        for (size_t g = 0; g < groups->n; g++) {
            const json *grp = groups->items[g];
            assert_string_equal(json_str(grp, "curve"), "curve25519");
            const json *tests = json_get(grp, "tests");
            for (size_t t = 0; t < tests->n; t++) {
                const json *tc = tests->items[t];
                uint8_t pub[32], priv[32], want[32], out[32];
                hex_into(json_str(tc, "public"), pub);
                hex_into(json_str(tc, "private"), priv);
                hex_into(json_str(tc, "shared"), want);
                static const uint8_t zeros[32];
                int want_rc = memcmp(want, zeros, 32) == 0 ? TERN_ERR_ZERO_SECRET : 0;
                memset(out, 0xaa, sizeof out);
                int rc = tern_x25519(out, priv, pub);
                if (rc != want_rc || memcmp(out, want, 32) != 0) {
                    char *got = tv_hex(out, 32);
                    fail_msg("[%s] tcId %d (%s): rc %d (want %d), out %s", path_name(paths[pi]),
                             (int)json_num(tc, "tcId", -1), json_str(tc, "comment"), rc, want_rc, got);
                }
                if (want_rc)
                    zero++;
                total++;
                const json *flags = json_get(tc, "flags");
                for (size_t fi = 0; flags && fi < flags->n; fi++) {
                    const char *fl = flags->items[fi]->str;
                    int k = 0;
                    while (k < nflags && strcmp(flag_name[k], fl) != 0)
                        k++;
                    if (k == nflags) {
                        assert_true(nflags < MAX_FLAGS);
                        flag_name[nflags] = fl;
                        flag_count[nflags++] = 0;
                    }
                    flag_count[k]++;
                }
            }
        }
        printf("  [%s] Wycheproof x25519: %d/%d cases passed (%d with an all-zero secret -> TERN_ERR_ZERO_SECRET)\n",
               path_name(paths[pi]), total, (int)json_num(j, "numberOfTests", 0), zero);
        printf("  [%s]   by flag:", path_name(paths[pi]));
        for (int k = 0; k < nflags; k++)
            printf(" %s=%d", flag_name[k], flag_count[k]);
        printf("\n");
        assert_int_equal(total, (int)json_num(j, "numberOfTests", 0));
        assert_int_equal(zero, 31);
    }
    json_free(j);
    tv_use_cpu(NULL);
}

/* The fixed-base function must agree with the ladder on u = 9, for scalars
 * that stress the comb's digit recoding (all-ones bytes, 0x80 runs, zero)
 * and for random ones. */
static void test_base_vs_ladder(void **state) {
    (void)state;
    static const uint8_t nine[32] = {9};
    uint64_t seed = 7;
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        for (int i = 0; i < 300; i++) {
            uint8_t s[32], a[32], b[32];
            if (i == 0)
                memset(s, 0, 32);
            else if (i == 1)
                memset(s, 0xff, 32);
            else if (i == 2)
                memset(s, 0x88, 32);
            else if (i == 3)
                memset(s, 0x77, 32);
            else if (i == 4)
                memset(s, 0x08, 32);
            else
                assert_int_equal(tv_rng(&seed, s, 32), 0);
            tern_x25519_base(a, s);
            assert_int_equal(tern_x25519(b, s, nine), 0);
            assert_memory_equal(a, b, 32);
        }
    }
    tv_use_cpu(NULL);
}

/* ---- the fixed-base table, recomputed independently ----
 * Affine edwards25519 arithmetic (one inversion per addition: slow, simple,
 * and a different formula from the library's projective one):
 *   x3 = (x1 y2 + y1 x2) / (1 + d x1 x2 y1 y2)
 *   y3 = (y1 y2 + x1 x2) / (1 - d x1 x2 y1 y2)        (a = -1)
 * The base point is y = 4/5 with x even (RFC 7748 §4.1), which we check is
 * on the curve and maps to u = 9. */
struct aff {
    fe25519 x, y;
};

static fe25519 ed_d;

static void canon(fe25519 f) {
    uint8_t b[32];
    fe25519_tobytes(b, f);
    fe25519_frombytes(f, b);
}

static void aff_add(struct aff *r, const struct aff *p, const struct aff *q) {
    fe25519 x1y2, y1x2, y1y2, x1x2, t, num, den, one;
    fe25519_1(one);
    fe25519_mul(x1y2, p->x, q->y);
    fe25519_mul(y1x2, p->y, q->x);
    fe25519_mul(y1y2, p->y, q->y);
    fe25519_mul(x1x2, p->x, q->x);
    fe25519_mul(t, x1x2, y1y2);
    fe25519_mul(t, t, ed_d);
    fe25519_add(num, x1y2, y1x2);
    fe25519_add(den, one, t);
    fe25519_invert(den, den);
    fe25519_mul(r->x, num, den);
    fe25519_add(num, y1y2, x1x2);
    fe25519_sub(den, one, t);
    fe25519_invert(den, den);
    fe25519_mul(r->y, num, den);
    canon(r->x);
    canon(r->y);
}

static void base_point(struct aff *b) {
    fe25519 n, five;
    /* d = -121665 / 121666 */
    fe25519_0(n);
    n[0] = 121666;
    fe25519_invert(n, n);
    fe25519_0(five);
    five[0] = 121665;
    fe25519_mul(ed_d, n, five);
    fe25519_neg(ed_d, ed_d);
    canon(ed_d);
    /* y = 4/5; x from its standard encoding, checked below. */
    fe25519_0(five);
    five[0] = 5;
    fe25519_invert(five, five);
    fe25519_0(n);
    n[0] = 4;
    fe25519_mul(b->y, n, five);
    canon(b->y);
    uint8_t xb[32];
    hex_into("1ad5258f602d56c9b2a7259560c72c695cdcd6fd31e2a4c0fe536ecdd3366921", xb);
    fe25519_frombytes(b->x, xb);
    assert_int_equal(xb[0] & 1, 0);
    /* On the curve: -x^2 + y^2 - 1 - d x^2 y^2 == 0. */
    fe25519 x2, y2, t, one;
    uint8_t z[32];
    fe25519_1(one);
    fe25519_sq(x2, b->x);
    fe25519_sq(y2, b->y);
    fe25519_mul(t, x2, y2);
    fe25519_mul(t, t, ed_d);
    fe25519_sub(n, y2, x2);
    fe25519_sub(n, n, one);
    fe25519_carry(n);
    fe25519_sub(n, n, t);
    fe25519_tobytes(z, n);
    assert_true(tern_ct_is_zero_mem(z, 32));
    /* u = (1 + y) / (1 - y) == 9. */
    fe25519 num, den;
    fe25519_add(num, one, b->y);
    fe25519_sub(den, one, b->y);
    fe25519_invert(den, den);
    fe25519_mul(num, num, den);
    fe25519_tobytes(z, num);
    static const uint8_t nine[32] = {9};
    assert_memory_equal(z, nine, 32);
}

static void compute_table(struct tern_x25519_niels tab[TERN_X25519_TABLE_ROWS][TERN_X25519_TABLE_COLS]) {
    struct aff p, m;
    base_point(&p);
    for (int i = 0; i < TERN_X25519_TABLE_ROWS; i++) {
        m = p;
        for (int j = 0; j < TERN_X25519_TABLE_COLS; j++) {
            if (j > 0)
                aff_add(&m, &m, &p);
            struct tern_x25519_niels *e = &tab[i][j];
            fe25519_add(e->ypx, m.y, m.x);
            fe25519_sub(e->ymx, m.y, m.x);
            fe25519_mul(e->xy2d, m.x, m.y);
            fe25519_mul(e->xy2d, e->xy2d, ed_d);
            fe25519_add(e->xy2d, e->xy2d, e->xy2d);
            canon(e->ypx);
            canon(e->ymx);
            canon(e->xy2d);
        }
        for (int k = 0; k < 8; k++) /* p <- 256 p */
            aff_add(&p, &p, &p);
    }
}

static struct tern_x25519_niels want_table[TERN_X25519_TABLE_ROWS][TERN_X25519_TABLE_COLS];

static void test_base_table(void **state) {
    (void)state;
    compute_table(want_table);
    for (int i = 0; i < TERN_X25519_TABLE_ROWS; i++)
        for (int j = 0; j < TERN_X25519_TABLE_COLS; j++)
            if (memcmp(&want_table[i][j], &x25519_base_table[i][j], sizeof want_table[i][j]) != 0)
                fail_msg("crypto/x25519_table.h: entry [%d][%d] differs (regenerate with "
                         "TERN_X25519_PRINT_TABLE=1 build/tests/test_x25519)",
                         i, j);
}

/* Writes crypto/x25519_table.h to stdout. */
static void print_table(void) {
    compute_table(want_table);
    printf("/*\n"
           " * The fixed-base table for tern_x25519_base (crypto/x25519.c), generated by\n"
           " *   TERN_X25519_PRINT_TABLE=1 build/tests/test_x25519 > crypto/x25519_table.h\n"
           " * and checked entry by entry by that test.  Row i, entry j is the edwards25519\n"
           " * point (j + 1) * 256^i * B (B: y = 4/5, x even, the point with u = 9; RFC 7748\n"
           " * §4.1) as {y + x, y - x, 2 d x y}, canonical radix-2^51 limbs.\n"
           " */\n"
           "#ifndef TERN_CRYPTO_X25519_TABLE_H\n"
           "#define TERN_CRYPTO_X25519_TABLE_H\n\n"
           "#include \"crypto/x25519_internal.h\"\n\n"
           "static const struct tern_x25519_niels x25519_base_table[TERN_X25519_TABLE_ROWS][TERN_X25519_TABLE_COLS] = {\n");
    for (int i = 0; i < TERN_X25519_TABLE_ROWS; i++) {
        printf("    { /* row %d: 256^%d B */\n", i, i);
        for (int j = 0; j < TERN_X25519_TABLE_COLS; j++) {
            const struct tern_x25519_niels *e = &want_table[i][j];
            const uint64_t *f[3] = {e->ypx, e->ymx, e->xy2d};
            printf("        {");
            for (int k = 0; k < 3; k++) {
                printf("%s{", k ? ",\n         " : "");
                for (int l = 0; l < 5; l++)
                    printf("0x%013llxull%s", (unsigned long long)f[k][l], l < 4 ? ", " : "");
                printf("}");
            }
            printf("},\n");
        }
        printf("    },\n");
    }
    printf("};\n\n#endif\n");
}

static int failing_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    memset(buf, 0x55, len);
    return -1;
}

static void test_keygen(void **state) {
    (void)state;
    static const uint8_t nine[32] = {9};
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        uint64_t seed = 0x5eed;
        uint8_t a_priv[32], a_pub[32], b_priv[32], b_pub[32], chk[32], s1[32], s2[32];
        assert_int_equal(tern_x25519_keygen(a_priv, a_pub, tv_rng, &seed), 0);
        assert_int_equal(tern_x25519_keygen(b_priv, b_pub, tv_rng, &seed), 0);
        assert_memory_not_equal(a_priv, b_priv, 32);
        assert_memory_not_equal(a_pub, b_pub, 32);
        /* pub == base(priv), and == the ladder on 9. */
        tern_x25519_base(chk, a_priv);
        assert_memory_equal(chk, a_pub, 32);
        assert_int_equal(tern_x25519(chk, b_priv, nine), 0);
        assert_memory_equal(chk, b_pub, 32);
        /* The private key is what the RNG gave, byte for byte. */
        uint64_t seed2 = 0x5eed;
        uint8_t raw[32];
        assert_int_equal(tv_rng(&seed2, raw, 32), 0);
        assert_memory_equal(raw, a_priv, 32);
        /* Diffie-Hellman agreement. */
        assert_int_equal(tern_x25519(s1, a_priv, b_pub), 0);
        assert_int_equal(tern_x25519(s2, b_priv, a_pub), 0);
        assert_memory_equal(s1, s2, 32);
        /* The OS RNG path. */
        assert_int_equal(tern_x25519_keygen(a_priv, a_pub, NULL, NULL), 0);
        tern_x25519_base(chk, a_priv);
        assert_memory_equal(chk, a_pub, 32);
        /* A failing RNG is an error, and leaves nothing usable behind. */
        static const uint8_t zeros[32];
        assert_int_equal(tern_x25519_keygen(a_priv, a_pub, failing_rng, NULL), TERN_ERR_RNG);
        assert_memory_equal(a_priv, zeros, 32);
        assert_memory_equal(a_pub, zeros, 32);
    }
    tv_use_cpu(NULL);
}

/* Small-order points give the zero secret and the error, with out written
 * (zeros); the top bit of u is ignored; non-canonical u (>= p) is reduced. */
static void test_edge_inputs(void **state) {
    (void)state;
    uint8_t k[32], out[32], out2[32], u[32];
    uint64_t seed = 99;
    assert_int_equal(tv_rng(&seed, k, 32), 0);
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        /* u = 0 and u = 1 have small order. */
        memset(u, 0, 32);
        memset(out, 0xaa, 32);
        assert_int_equal(tern_x25519(out, k, u), TERN_ERR_ZERO_SECRET);
        assert_true(tern_ct_is_zero_mem(out, 32));
        u[0] = 1;
        memset(out, 0xaa, 32);
        assert_int_equal(tern_x25519(out, k, u), TERN_ERR_ZERO_SECRET);
        assert_true(tern_ct_is_zero_mem(out, 32));
        /* u = p is 0 and u = p + 1 is 1: also zero secrets. */
        memset(u, 0xff, 32);
        u[0] = 0xed;
        u[31] = 0x7f;
        assert_int_equal(tern_x25519(out, k, u), TERN_ERR_ZERO_SECRET);
        u[0] = 0xee;
        assert_int_equal(tern_x25519(out, k, u), TERN_ERR_ZERO_SECRET);
        /* Top bit ignored: u and u | 2^255 agree. */
        assert_int_equal(tv_rng(&seed, u, 32), 0);
        u[31] &= 0x7f;
        assert_int_equal(tern_x25519(out, k, u), 0);
        u[31] |= 0x80;
        assert_int_equal(tern_x25519(out2, k, u), 0);
        assert_memory_equal(out, out2, 32);
        /* u = 9 + p equals u = 9. */
        static const uint8_t nine[32] = {9};
        uint8_t nine_p[32];
        memset(nine_p, 0xff, 32);
        nine_p[0] = 0xed + 9;
        nine_p[31] = 0x7f;
        assert_int_equal(tern_x25519(out, k, nine), 0);
        assert_int_equal(tern_x25519(out2, k, nine_p), 0);
        assert_memory_equal(out, out2, 32);
        /* The clamp: bits 0-2 and 255 of the scalar do not matter, bit 254
         * is forced. */
        uint8_t k2[32];
        memcpy(k2, k, 32);
        k2[0] ^= 7;
        k2[31] ^= 0x80;
        assert_int_equal(tern_x25519(out2, k2, nine), 0);
        assert_memory_equal(out, out2, 32);
    }
    tv_use_cpu(NULL);
}

/* Field encoding: tobytes always gives the canonical value in [0, p). */
static void test_field_encoding(void **state) {
    (void)state;
    static const char *const cases[][2] = {
        /* input (bit 255 ignored), canonical output */
        {"0000000000000000000000000000000000000000000000000000000000000000",
         "0000000000000000000000000000000000000000000000000000000000000000"},
        {"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
         "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"}, /* p - 1 */
        {"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
         "0000000000000000000000000000000000000000000000000000000000000000"}, /* p */
        {"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
         "0100000000000000000000000000000000000000000000000000000000000000"}, /* p + 1 */
        {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
         "1200000000000000000000000000000000000000000000000000000000000000"}, /* 2^255 - 1 */
        {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
         "1200000000000000000000000000000000000000000000000000000000000000"}, /* top bit masked */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t in[32], want[32], got[32];
        hex_into(cases[i][0], in);
        hex_into(cases[i][1], want);
        fe25519 f;
        fe25519_frombytes(f, in);
        fe25519_tobytes(got, f);
        assert_memory_equal(got, want, 32);
    }
    /* (p - 1) * (p - 1) = 1, and x * x^-1 = 1 for a few x; 0^-1 = 0. */
    uint8_t b[32], one[32] = {1};
    fe25519 f, g, h;
    hex_into(cases[1][0], b);
    fe25519_frombytes(f, b);
    fe25519_mul(h, f, f);
    fe25519_tobytes(b, h);
    assert_memory_equal(b, one, 32);
    uint64_t seed = 3;
    for (int i = 0; i < 50; i++) {
        assert_int_equal(tv_rng(&seed, b, 32), 0);
        fe25519_frombytes(f, b);
        fe25519_invert(g, f);
        fe25519_mul(h, f, g);
        fe25519_tobytes(b, h);
        assert_memory_equal(b, one, 32);
    }
    fe25519_0(f);
    fe25519_invert(g, f);
    fe25519_tobytes(b, g);
    assert_true(tern_ct_is_zero_mem(b, 32));
    /* Sums and differences of maximal tight values stay exact. */
    uint8_t x[32], y[32], s[32], d[32];
    for (int i = 0; i < 50; i++) {
        assert_int_equal(tv_rng(&seed, x, 32), 0);
        assert_int_equal(tv_rng(&seed, y, 32), 0);
        fe25519_frombytes(f, x);
        fe25519_frombytes(g, y);
        fe25519_add(h, f, g);
        fe25519_sub(h, h, g); /* (f + g) - g == f */
        fe25519_tobytes(s, h);
        fe25519_tobytes(d, f);
        assert_memory_equal(s, d, 32);
    }
}

/* The mulx/adx ladder against the portable one, directly, on u values that
 * stress the 2^256 = 38 folds (limbs of all ones, values around p and
 * 2^255, single bits) and on random ones, each with several scalars. */
static void test_adx_vs_portable(void **state) {
    (void)state;
    tv_use_cpu(NULL);
    if (!tern_x25519_have_adx() || !tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX)) {
        printf("  mulx/adx ladder not available on this CPU/build: skipped\n");
        skip();
    }
    uint8_t us[64][32];
    int nu = 0;
    memset(us[nu++], 0xff, 32);
    for (int limb = 0; limb < 4; limb++) {
        memset(us[nu], 0, 32);
        memset(us[nu] + 8 * limb, 0xff, 8);
        nu++;
        memset(us[nu], 0xff, 32);
        memset(us[nu] + 8 * limb, 0, 8);
        nu++;
    }
    for (int d = -3; d <= 3; d++) { /* p + d and 2^255 - 1 - d */
        memset(us[nu], 0xff, 32);
        us[nu][31] = 0x7f;
        us[nu][0] = (uint8_t)(0xed + d);
        nu++;
        memset(us[nu], 0xff, 32);
        us[nu][31] = 0x7f;
        us[nu][0] = (uint8_t)(0xff - 3 - d);
        nu++;
    }
    for (int b = 0; b < 255; b += 17) {
        memset(us[nu], 0, 32);
        us[nu][b / 8] = (uint8_t)(1 << (b % 8));
        nu++;
    }
    uint64_t seed = 0xadc;
    while (nu < 64)
        assert_int_equal(tv_rng(&seed, us[nu++], 32), 0);
    int n = 0;
    for (int i = 0; i < nu; i++) {
        for (int j = 0; j < 8; j++) {
            uint8_t s[32], k[32], a[32], b[32];
            if (j == 0)
                memset(s, 0xff, 32);
            else
                assert_int_equal(tv_rng(&seed, s, 32), 0);
            tern_x25519_clamp(k, s);
            tern_x25519_ladder(a, k, us[i]);
            tern_x25519_ladder_adx(b, k, us[i]);
            if (memcmp(a, b, 32) != 0) {
                char *uh = tv_hex(us[i], 32), *kh = tv_hex(k, 32);
                fail_msg("adx ladder differs for k=%s u=%s", kh, uh);
            }
            n++;
        }
    }
    printf("  mulx/adx ladder == portable ladder on %d (scalar, u) pairs\n", n);
}

/* The mulx/adx field operations on raw 256-bit inputs that hit every carry
 * and borrow fold (0, 1, 37, 38, p, 2p, 2^255, 2^256 - 1, ...), against the
 * portable radix-2^51 code.  a (< 2^256) is loaded into the portable code as
 * (a mod 2^255) + 19 * bit255. */
static void fe_from256(fe25519 f, const uint64_t a[4]) {
    uint8_t b[32];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 8; j++)
            b[8 * i + j] = (uint8_t)(a[i] >> (8 * j));
    fe25519_frombytes(f, b); /* drops bit 255 */
    fe25519 t;
    fe25519_0(t);
    t[0] = 19 * (a[3] >> 63);
    fe25519_add(f, f, t);
}

static void test_adx_field(void **state) {
    (void)state;
    tv_use_cpu(NULL);
    if (!tern_x25519_have_adx() || !tern_cpu_has(TERN_CPU_BMI2 | TERN_CPU_ADX)) {
        printf("  mulx/adx field code not available on this CPU/build: skipped\n");
        skip();
    }
    const uint64_t M = ~0ull, P0 = 0xffffffffffffffedull, H = 0x7fffffffffffffffull;
    uint64_t v[40][4] = {
        {0, 0, 0, 0}, {1, 0, 0, 0}, {2, 0, 0, 0}, {19, 0, 0, 0}, {37, 0, 0, 0}, {38, 0, 0, 0}, {39, 0, 0, 0},
        {P0 - 1, M, M, H}, {P0, M, M, H}, {P0 + 1, M, M, H}, {M, M, M, H},        /* p-1, p, p+1, 2^255-1 */
        {0, 0, 0, 1ull << 63}, {1, 0, 0, 1ull << 63},                           /* 2^255, 2^255+1 */
        {M - 37, M, M, M}, {M - 38, M, M, M}, {M - 36, M, M, M}, {M - 1, M, M, M}, {M, M, M, M}, /* 2p, ... */
        {M, 0, 0, 0}, {0, M, 0, 0}, {0, 0, M, 0}, {0, 0, 0, M}, {M, M, 0, 0}, {0, 0, M, M},
        {M - 18, M, M, M}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1},
    };
    int nv = 28;
    uint64_t seed = 0xf1e1d;
    while (nv < 40) {
        uint8_t b[32];
        assert_int_equal(tv_rng(&seed, b, 32), 0);
        for (int i = 0; i < 4; i++)
            v[nv][i] = tern_load_le64(b + 8 * i);
        nv++;
    }
    int n = 0;
    for (int i = 0; i < nv; i++) {
        for (int j = 0; j < nv; j++) {
            fe25519 a, b, r;
            uint8_t want[32], got[32];
            fe_from256(a, v[i]);
            fe_from256(b, v[j]);
            for (int op = 0; op < 9; op++) {
                if (op >= 3 && op <= 5 && j > 0)
                    continue; /* unary ops once per a */
                switch (op) {
                case 0: fe25519_add(r, a, b); break;
                case 1: fe25519_sub(r, a, b); break;
                case 2: fe25519_mul(r, a, b); break;
                case 3: fe25519_sq(r, a); break;
                case 4: fe25519_mul_small(r, a, 121665); break;
                case 5: fe25519_invert(r, a); break;
                case 6: fe25519_add(r, a, b); break;
                case 7: fe25519_sub(r, a, b); break;
                default:
                    fe25519_mul_small(r, a, 121665);
                    fe25519_add(r, r, b);
                    break;
                }
                fe25519_tobytes(want, r);
                tern_x25519_fe64_op(op, got, v[i], v[j]);
                if (memcmp(want, got, 32) != 0)
                    fail_msg("fe64 op %d differs for inputs %d, %d", op, i, j);
                n++;
            }
        }
    }
    printf("  mulx/adx field ops == portable on %d edge/random cases\n", n);
}

#ifdef TERN_TEST_HAVE_OPENSSL
static void ossl_x25519(uint8_t out[32], const uint8_t priv[32], const uint8_t pub[32]) {
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    EVP_PKEY *p = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pub, 32);
    assert_non_null(k);
    assert_non_null(p);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k, NULL);
    assert_non_null(c);
    assert_int_equal(EVP_PKEY_derive_init(c), 1);
    assert_int_equal(EVP_PKEY_derive_set_peer(c, p), 1);
    size_t n = 32;
    assert_int_equal(EVP_PKEY_derive(c, out, &n), 1);
    assert_int_equal(n, 32);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(p);
    EVP_PKEY_free(k);
}

static void ossl_pub(uint8_t out[32], const uint8_t priv[32]) {
    EVP_PKEY *k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, priv, 32);
    assert_non_null(k);
    size_t n = 32;
    assert_int_equal(EVP_PKEY_get_raw_public_key(k, out, &n), 1);
    EVP_PKEY_free(k);
}

static void test_openssl_cross(void **state) {
    (void)state;
    uint64_t seed = 0xc0ffee;
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        for (int i = 0; i < 200; i++) {
            uint8_t priv[32], peer[32], a[32], b[32];
            assert_int_equal(tv_rng(&seed, priv, 32), 0);
            assert_int_equal(tv_rng(&seed, peer, 32), 0);
            peer[31] &= 0x7f; /* OpenSSL masks it too; keep the input plain */
            ossl_pub(a, priv);
            tern_x25519_base(b, priv);
            assert_memory_equal(a, b, 32);
            ossl_x25519(a, priv, peer);
            assert_int_equal(tern_x25519(b, priv, peer), 0);
            assert_memory_equal(a, b, 32);
        }
    }
    tv_use_cpu(NULL);
}
#endif

int main(void) {
    if (getenv("TERN_X25519_PRINT_TABLE")) {
        print_table();
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_encoding), cmocka_unit_test(test_rfc7748),
        cmocka_unit_test(test_wycheproof),     cmocka_unit_test(test_base_table),
        cmocka_unit_test(test_base_vs_ladder),
        cmocka_unit_test(test_keygen),         cmocka_unit_test(test_edge_inputs),
        cmocka_unit_test(test_adx_field),      cmocka_unit_test(test_adx_vs_portable),
#ifdef TERN_TEST_HAVE_OPENSSL
        cmocka_unit_test(test_openssl_cross),
#endif
    };
    return cmocka_run_group_tests_name("x25519", tests, NULL, NULL);
}
