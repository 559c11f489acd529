/*
 * Tests for crypto/p256.c: every Wycheproof ecdh_secp256r1_ecpoint_test.json
 * case (valid: exact shared secret; invalid: rejected), the SPKI-wrapped
 * ecdh_secp256r1_test.json cases whose SubjectPublicKeyInfo is the plain
 * named-curve form (others need an ASN.1 parser and are counted as skipped),
 * point validation edge cases, key generation, the fixed-base table against
 * the variable-base code on edge scalars, scalar arithmetic mod n, and with
 * libcrypto a cross-check of public keys and ECDH against OpenSSL.
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
#include "crypto/p256.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include "tests/util/ossl_ec.h"
#endif

/* Every vector runs on the portable field code and on the default path
 * (the BMI2/ADX multiplication where the CPU has it). */
static const char *const paths[] = {"portable", NULL};
#define NPATHS (sizeof paths / sizeof paths[0])

static const uint8_t G_ENC[65] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};
static const char *const N_HEX = "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551";
static const char *const P_HEX = "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff";

/* A Wycheproof private key (big-endian, may be shorter than 32 bytes or
 * carry a leading 00) as exactly 32 bytes. */
static void priv32(const char *hex, uint8_t out[32]) {
    size_t len;
    uint8_t *b = tv_unhex(hex, &len);
    size_t skip = 0;
    while (len - skip > 32) {
        assert_int_equal(b[skip], 0);
        skip++;
    }
    memset(out, 0, 32);
    memcpy(out + 32 - (len - skip), b + skip, len - skip);
    free(b);
}

/* Runs one ECDH case with a raw public point; returns 1 if it was
 * accepted. */
static int run_ecdh(const uint8_t *pub, size_t publen, const char *priv_hex, const char *shared_hex, int tcid,
                    int must_accept) {
    uint8_t priv[32], out[32];
    priv32(priv_hex, priv);
    if (publen != 65) {
        /* The API takes exactly 65 bytes: a compressed (33-byte), empty or
         * truncated point cannot even be passed in.  The TLS layer checks
         * the length before calling. */
        return 0;
    }
    memset(out, 0xaa, sizeof out);
    int rc = tern_p256_ecdh(out, priv, pub);
    if (rc == 0) {
        if (must_accept) {
            size_t slen;
            uint8_t *want = tv_unhex(shared_hex, &slen);
            assert_int_equal(slen, 32);
            if (memcmp(out, want, 32) != 0)
                fail_msg("tcId %d: wrong shared secret", tcid);
            free(want);
        }
        return 1;
    }
    assert_int_equal(rc, TERN_ERR_BAD_KEY);
    static const uint8_t zero[32];
    assert_memory_equal(out, zero, 32);
    return 0;
}

static void run_wycheproof_ecpoint(const char *path) {
    tv_use_cpu(path);
    json *j = json_load(tv_path("wycheproof/ecdh_secp256r1_ecpoint_test.json"));
    const json *groups = json_get(j, "testGroups");
    int valid = 0, invalid = 0, acceptable_rejected = 0, acceptable_accepted = 0;
    for (size_t g = 0; g < groups->n; g++) {
        const json *grp = groups->items[g];
        assert_string_equal(json_str(grp, "curve"), "secp256r1");
        assert_string_equal(json_str(grp, "encoding"), "ecpoint");
        const json *tests = json_get(grp, "tests");
        for (size_t t = 0; t < tests->n; t++) {
            const json *tc = tests->items[t];
            const char *result = json_str(tc, "result");
            int tcid = (int)json_num(tc, "tcId", -1);
            size_t publen;
            uint8_t *pub = tv_unhex(json_str(tc, "public"), &publen);
            int ok = run_ecdh(pub, publen, json_str(tc, "private"), json_str(tc, "shared"), tcid,
                              strcmp(result, "valid") == 0);
            if (strcmp(result, "valid") == 0) {
                if (!ok)
                    fail_msg("tcId %d (%s): valid case rejected", tcid, json_str(tc, "comment"));
                valid++;
            } else if (strcmp(result, "invalid") == 0) {
                if (ok)
                    fail_msg("tcId %d (%s): invalid case accepted", tcid, json_str(tc, "comment"));
                invalid++;
            } else {
                /* The one acceptable case is a compressed point, which TLS
                 * 1.2 with uncompressed-only ec_point_formats must refuse. */
                assert_true(json_has_flag(tc, "CompressedPoint"));
                assert_false(ok);
                ok ? acceptable_accepted++ : acceptable_rejected++;
            }
            free(pub);
        }
    }
    json_free(j);
    printf("  [%s] Wycheproof ECDH ecpoint: %d valid passed, %d invalid rejected, %d acceptable (compressed) "
           "rejected\n",
           tv_cpu_name(path), valid, invalid, acceptable_rejected);
    assert_int_equal(valid, 330);
    assert_int_equal(invalid, 24);
    assert_int_equal(acceptable_rejected + acceptable_accepted, 1);
}

static void test_wycheproof_ecpoint(void **state) {
    (void)state;
    for (size_t i = 0; i < NPATHS; i++)
        run_wycheproof_ecpoint(paths[i]);
    tv_use_cpu(NULL);
}

/* ecdh_secp256r1_test.json wraps the peer key in a SubjectPublicKeyInfo.
 * The plain named-curve P-256 SPKI is a fixed 26-byte prefix followed by
 * the 65-byte point; cases with exactly that shape run here.  The rest
 * (explicit curve parameters, odd-but-parseable or broken DER, compressed
 * points) belong to the X.509 layer's SPKI parser and are counted as
 * skipped. */
static void test_wycheproof_spki(void **state) {
    (void)state;
    static const uint8_t prefix[26] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                       0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                       0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
    json *j = json_load(tv_path("wycheproof/ecdh_secp256r1_test.json"));
    const json *groups = json_get(j, "testGroups");
    int run_valid = 0, run_invalid = 0, run_acceptable = 0, skipped = 0;
    for (size_t g = 0; g < groups->n; g++) {
        const json *tests = json_get(groups->items[g], "tests");
        for (size_t t = 0; t < tests->n; t++) {
            const json *tc = tests->items[t];
            const char *result = json_str(tc, "result");
            int tcid = (int)json_num(tc, "tcId", -1);
            size_t len;
            uint8_t *spki = tv_unhex(json_str(tc, "public"), &len);
            if (len != sizeof prefix + 65 || memcmp(spki, prefix, sizeof prefix) != 0) {
                skipped++;
                free(spki);
                continue;
            }
            int ok = run_ecdh(spki + sizeof prefix, 65, json_str(tc, "private"), json_str(tc, "shared"), tcid,
                              strcmp(result, "valid") == 0);
            if (strcmp(result, "valid") == 0) {
                if (!ok)
                    fail_msg("tcId %d (%s): valid case rejected", tcid, json_str(tc, "comment"));
                run_valid++;
            } else if (strcmp(result, "invalid") == 0) {
                if (ok)
                    fail_msg("tcId %d (%s): invalid case accepted", tcid, json_str(tc, "comment"));
                run_invalid++;
            } else {
                run_acceptable++;
            }
            free(spki);
        }
    }
    json_free(j);
    printf("  Wycheproof ECDH SPKI: %d valid passed, %d invalid rejected, %d acceptable run; %d skipped "
           "(SPKI not the plain named-curve form: needs the ASN.1 layer)\n",
           run_valid, run_invalid, run_acceptable, skipped);
    assert_int_equal(run_valid, 330);
    assert_true(run_invalid >= 16);
}

static void hex32(const char *hex, uint8_t out[32]) {
    assert_int_equal(tv_unhex_into(hex, out, 32), 0);
}

/* Hand-made bad points and bad private keys. */
static void test_validation(void **state) {
    (void)state;
    uint8_t pt[65], priv[32], out[32];
    assert_int_equal(tern_p256_check_public(G_ENC), 0);
    /* Wrong prefixes. */
    static const uint8_t prefixes[] = {0x00, 0x02, 0x03, 0x05, 0x06, 0x07, 0x44, 0xff};
    for (size_t i = 0; i < sizeof prefixes; i++) {
        memcpy(pt, G_ENC, 65);
        pt[0] = prefixes[i];
        assert_int_equal(tern_p256_check_public(pt), TERN_ERR_BAD_KEY);
    }
    /* Every single-bit flip of X or Y leaves the curve. */
    for (int bit = 8; bit < 65 * 8; bit++) {
        memcpy(pt, G_ENC, 65);
        pt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(tern_p256_check_public(pt), TERN_ERR_BAD_KEY);
    }
    /* (0, 0) (what "infinity" would look like), coordinates >= p. */
    memset(pt, 0, 65);
    pt[0] = 4;
    assert_int_equal(tern_p256_check_public(pt), TERN_ERR_BAD_KEY);
    memcpy(pt, G_ENC, 65);
    hex32(P_HEX, pt + 1);
    assert_int_equal(tern_p256_check_public(pt), TERN_ERR_BAD_KEY);
    memset(pt + 1, 0xff, 32);
    assert_int_equal(tern_p256_check_public(pt), TERN_ERR_BAD_KEY);
    /* Y all ones (>= p). */
    memcpy(pt, G_ENC, 65);
    memset(pt + 33, 0xff, 32);
    assert_int_equal(tern_p256_check_public(pt), TERN_ERR_BAD_KEY);

    /* Private keys 0, n, n+1, 2^256-1 are refused; n-1 and 1 accepted. */
    memset(priv, 0, 32);
    memset(out, 0xaa, 32);
    assert_int_equal(tern_p256_ecdh(out, priv, G_ENC), TERN_ERR_BAD_KEY);
    for (int i = 0; i < 32; i++)
        assert_int_equal(out[i], 0);
    assert_int_equal(tern_p256_check_private(priv), TERN_ERR_BAD_KEY);
    hex32(N_HEX, priv);
    assert_int_equal(tern_p256_ecdh(out, priv, G_ENC), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_p256_check_private(priv), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_p256_public_from_private(pt, priv), TERN_ERR_BAD_KEY);
    priv[31]++;
    assert_int_equal(tern_p256_ecdh(out, priv, G_ENC), TERN_ERR_BAD_KEY);
    memset(priv, 0xff, 32);
    assert_int_equal(tern_p256_ecdh(out, priv, G_ENC), TERN_ERR_BAD_KEY);
    hex32(N_HEX, priv);
    priv[31]--; /* n - 1 */
    assert_int_equal(tern_p256_check_private(priv), 0);
    assert_int_equal(tern_p256_public_from_private(pt, priv), 0);
    /* (n-1) G = -G: same x, y = p - Gy. */
    assert_memory_equal(pt, G_ENC, 33);
    assert_memory_not_equal(pt + 33, G_ENC + 33, 32);
    assert_int_equal(tern_p256_ecdh(out, priv, G_ENC), 0);
    assert_memory_equal(out, G_ENC + 1, 32);
    memset(priv, 0, 32);
    priv[31] = 1;
    assert_int_equal(tern_p256_public_from_private(pt, priv), 0);
    assert_memory_equal(pt, G_ENC, 65);
}

/* k G from the table must equal k G through the variable-base code, on
 * scalars that hit every digit edge: small values, values around n and
 * 2^255, runs of ones and zeros (digits +16 / -16 / 0 and their borrows),
 * and random ones. */
static void run_base_vs_var(const char *path) {
    tv_use_cpu(path);
    uint8_t k[32], a[65], b[65];
    uint64_t seed = 256;
    int n = 0;
    for (int c = 0; c < 120; c++) {
        memset(k, 0, 32);
        if (c < 20) {
            k[31] = (uint8_t)(c + 1);
        } else if (c < 40) {
            hex32(N_HEX, k);
            k[31] = (uint8_t)(k[31] - (c - 19)); /* n - 1 .. n - 20 */
        } else if (c < 60) {
            /* 2^(c-40+230) and its neighbours */
            int bit = c - 40 + 230;
            k[31 - bit / 8] = (uint8_t)(1u << (bit % 8));
            if (c & 1)
                k[31] |= 1;
        } else if (c < 80) {
            /* repeating 5-bit patterns: every digit the same */
            static const uint8_t pats[] = {0x1f, 0x10, 0x0f, 0x11, 0x01};
            uint8_t pat = pats[c % 5];
            uint64_t limb[4] = {0, 0, 0, 0};
            for (int w = 0; w < 51; w++) {
                int pos = 5 * w;
                for (int bb = 0; bb < 5; bb++)
                    if ((pat >> bb) & 1) {
                        int bit = pos + bb;
                        if (bit < 255)
                            limb[bit / 64] |= (uint64_t)1 << (bit % 64);
                    }
            }
            if (c >= 75)
                limb[0] ^= 0x5a5a;
            tern_p256_scalar_to_bytes(k, limb);
        } else {
            tv_rng(&seed, k, 32);
            k[0] &= 0x7f;
        }
        if (tern_p256_check_private(k) != 0)
            continue;
        assert_int_equal(tern_p256_public_from_private(a, k), 0);
        assert_int_equal(tern_p256_point_mul(b, k, G_ENC), 0);
        if (memcmp(a, b, 65) != 0) {
            char *kh = tv_hex(k, 32);
            fail_msg("fixed-base and variable-base differ for k = %s", kh);
        }
        assert_int_equal(tern_p256_check_public(a), 0);
        n++;
    }
    printf("  [%s] fixed-base table vs variable-base windows: %d scalars agree\n", tv_cpu_name(path), n);
    assert_true(n >= 110);
}

static void test_base_vs_var(void **state) {
    (void)state;
    for (size_t i = 0; i < NPATHS; i++)
        run_base_vs_var(paths[i]);
    tv_use_cpu(NULL);
}

/* tern_p256_mul2_check_r (ECDSA's projective comparison) against the
 * affine X from tern_p256_mul2_x: for random u1, u2 and Q, r = x mod n
 * passes, r + 1 and r - 1 fail, and a bad Q is a bad key.  (The r + n < p
 * branch is met by Wycheproof's large-x vectors in test_ecdsa.) */
static void run_mul2(const char *path) {
    tv_use_cpu(path);
    uint64_t seed = 4147, u1[4], u2[4], r[4], r2[4];
    uint8_t k[32], pub[65], x[32];
    for (int i = 0; i < 40; i++) {
        tv_rng(&seed, k, 32);
        k[0] &= 0x7f;
        assert_int_equal(tern_p256_public_from_private(pub, k), 0);
        tv_rng(&seed, k, 32);
        tern_p256_scalar_from_bytes(u1, k);
        tern_p256_scalar_reduce(u1, u1);
        tv_rng(&seed, k, 32);
        tern_p256_scalar_from_bytes(u2, k);
        tern_p256_scalar_reduce(u2, u2);
        assert_int_equal(tern_p256_mul2_x(x, u1, u2, pub), 0);
        tern_p256_scalar_from_bytes(r, x);
        tern_p256_scalar_reduce(r, r);
        assert_int_equal(tern_p256_mul2_check_r(r, u1, u2, pub), 0);
        tern_p256_scalar_add(r2, r, (const uint64_t[4]){1, 0, 0, 0});
        assert_int_equal(tern_p256_mul2_check_r(r2, u1, u2, pub), TERN_ERR_BAD_SIGNATURE);
        tern_p256_scalar_add(r2, r, (const uint64_t[4]){0xf3b9cac2fc632550u, 0xbce6faada7179e84u,
                                                         0xffffffffffffffffu, 0xffffffff00000000u}); /* r - 1 */
        assert_int_equal(tern_p256_mul2_check_r(r2, u1, u2, pub), TERN_ERR_BAD_SIGNATURE);
        pub[64] ^= 1;
        assert_int_equal(tern_p256_mul2_check_r(r, u1, u2, pub), TERN_ERR_BAD_KEY);
    }
}

static void test_mul2(void **state) {
    (void)state;
    for (size_t i = 0; i < NPATHS; i++)
        run_mul2(paths[i]);
    tv_use_cpu(NULL);
}

/* Key generation: valid keys, pub = priv G, both ECDH directions agree,
 * the RNG failure path, and deterministic output for a fixed RNG. */
static int failing_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    memset(buf, 0x11, len);
    return -1;
}
/* Returns all-ones bytes (>= n) for the first *arg calls. */
static int high_rng(void *arg, uint8_t *buf, size_t len) {
    int *left = arg;
    if (*left > 0) {
        memset(buf, 0xff, len);
        (*left)--;
    } else {
        memset(buf, 0x42, len);
    }
    return 0;
}

static void test_keygen(void **state) {
    (void)state;
    uint64_t seed = 99;
    for (int i = 0; i < 20; i++) {
        uint8_t pa[32], qa[65], pb[32], qb[65], sa[32], sb[32], chk[65];
        assert_int_equal(tern_p256_keygen(pa, qa, tv_rng, &seed), 0);
        assert_int_equal(tern_p256_keygen(pb, qb, tv_rng, &seed), 0);
        assert_int_equal(tern_p256_check_private(pa), 0);
        assert_int_equal(tern_p256_check_public(qa), 0);
        assert_int_equal(tern_p256_public_from_private(chk, pa), 0);
        assert_memory_equal(chk, qa, 65);
        assert_int_equal(tern_p256_ecdh(sa, pa, qb), 0);
        assert_int_equal(tern_p256_ecdh(sb, pb, qa), 0);
        assert_memory_equal(sa, sb, 32);
        assert_memory_not_equal(pa, pb, 32);
    }
    uint8_t priv[32], pub[65];
    assert_int_equal(tern_p256_keygen(priv, pub, failing_rng, NULL), TERN_ERR_RNG);
    static const uint8_t z65[65];
    assert_memory_equal(pub, z65, 65);
    /* Candidates >= n are drawn again. */
    int left = 3;
    assert_int_equal(tern_p256_keygen(priv, pub, high_rng, &left), 0);
    assert_int_equal(left, 0);
    assert_int_equal(priv[0], 0x42);
    /* An RNG that never yields a valid candidate is reported. */
    left = 1000;
    assert_int_equal(tern_p256_keygen(priv, pub, high_rng, &left), TERN_ERR_RNG);
    /* The OS RNG. */
    assert_int_equal(tern_p256_keygen(priv, pub, NULL, NULL), 0);
    assert_int_equal(tern_p256_check_public(pub), 0);
}

/* Scalar arithmetic mod n: a * a^-1 = 1, (a + b) - b via a + (n - b),
 * reduce, and multiplication against a slow shift-and-add reference. */
static void sc_slow_mul(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    uint64_t acc[4] = {0, 0, 0, 0}, dbl[4];
    memcpy(dbl, a, sizeof dbl);
    for (int bit = 0; bit < 256; bit++) {
        if ((b[bit / 64] >> (bit % 64)) & 1)
            tern_p256_scalar_add(acc, acc, dbl);
        tern_p256_scalar_add(dbl, dbl, dbl);
    }
    memcpy(r, acc, sizeof acc);
}

static void run_scalar(const char *path) {
    tv_use_cpu(path);
    uint64_t seed = 6979, a[4], b[4], r[4], s[4], nn[4];
    uint8_t buf[32];
    hex32(N_HEX, buf);
    tern_p256_scalar_from_bytes(nn, buf);
    assert_true(tern_p256_scalar_is_valid(nn) == 0);
    tern_p256_scalar_reduce(r, nn);
    assert_true((r[0] | r[1] | r[2] | r[3]) == 0);
    for (int i = 0; i < 200; i++) {
        tv_rng(&seed, buf, 32);
        if (i == 0)
            memset(buf, 0xff, 32);
        tern_p256_scalar_from_bytes(a, buf);
        tern_p256_scalar_reduce(a, a);
        tv_rng(&seed, buf, 32);
        tern_p256_scalar_from_bytes(b, buf);
        tern_p256_scalar_reduce(b, b);
        if (i == 1)
            memcpy(a, (uint64_t[4]){1, 0, 0, 0}, sizeof a);
        tern_p256_scalar_mul(r, a, b);
        sc_slow_mul(s, a, b);
        assert_memory_equal(r, s, sizeof r);
        tern_p256_scalar_inv(s, a);
        tern_p256_scalar_mul(r, a, s);
        assert_true(r[0] == 1 && r[1] == 0 && r[2] == 0 && r[3] == 0);
        /* The variable-time inverse gives the same value. */
        tern_p256_scalar_inv_vartime(r, a);
        assert_memory_equal(r, s, sizeof r);
    }
    uint64_t z[4] = {0, 0, 0, 0};
    tern_p256_scalar_inv(r, z);
    assert_true((r[0] | r[1] | r[2] | r[3]) == 0);
    tern_p256_scalar_inv_vartime(r, z);
    assert_true((r[0] | r[1] | r[2] | r[3]) == 0);
    /* n - 1 = -1 is its own inverse; small values and 2^k. */
    uint64_t nm1[4] = {nn[0] - 1, nn[1], nn[2], nn[3]};
    tern_p256_scalar_inv_vartime(r, nm1);
    assert_memory_equal(r, nm1, sizeof r);
    for (int k = 0; k < 256; k += 5) {
        uint64_t pw[4] = {0, 0, 0, 0};
        pw[k / 64] = (uint64_t)1 << (k % 64);
        if (k == 255 || tern_p256_scalar_is_valid(pw) == 0)
            continue;
        tern_p256_scalar_inv_vartime(s, pw);
        tern_p256_scalar_inv(r, pw);
        assert_memory_equal(r, s, sizeof r);
    }
}

static void test_scalar(void **state) {
    (void)state;
    for (size_t i = 0; i < NPATHS; i++)
        run_scalar(paths[i]);
    tv_use_cpu(NULL);
}

#ifdef TERN_TEST_HAVE_OPENSSL

static void test_openssl(void **state) {
    (void)state;
    int n = 0;
    for (int i = 0; i < 40; i++) {
        tv_use_cpu(paths[i % NPATHS]);
        EVP_PKEY *ka = tv_ossl_ec_keygen("P-256"), *kb = tv_ossl_ec_keygen("P-256");
        uint8_t pa[32], qa[65], pb[32], qb[65], chk[65], s1[32], s2[32];
        size_t slen = sizeof s2;
        tv_ossl_ec_export(ka, pa, 32, qa, 65);
        tv_ossl_ec_export(kb, pb, 32, qb, 65);
        assert_int_equal(tern_p256_public_from_private(chk, pa), 0);
        assert_memory_equal(chk, qa, 65);
        assert_int_equal(tern_p256_ecdh(s1, pa, qb), 0);
        EVP_PKEY_CTX *d = EVP_PKEY_CTX_new(kb, NULL);
        assert_int_equal(EVP_PKEY_derive_init(d), 1);
        assert_int_equal(EVP_PKEY_derive_set_peer(d, ka), 1);
        assert_int_equal(EVP_PKEY_derive(d, s2, &slen), 1);
        assert_int_equal(slen, 32);
        assert_memory_equal(s1, s2, 32);
        EVP_PKEY_CTX_free(d);
        EVP_PKEY_free(ka);
        EVP_PKEY_free(kb);
        n++;
    }
    tv_use_cpu(NULL);
    printf("  P-256 against OpenSSL: %d public keys and ECDH secrets agree (both paths)\n", n);
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wycheproof_ecpoint),
        cmocka_unit_test(test_wycheproof_spki),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_base_vs_var),
        cmocka_unit_test(test_mul2),
        cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_scalar),
#ifdef TERN_TEST_HAVE_OPENSSL
        cmocka_unit_test(test_openssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
