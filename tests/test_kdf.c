/*
 * Tests for crypto/pbkdf.c:
 *  - PBKDF2 (RFC 8018 §5.2): RFC 6070 PBKDF2-HMAC-SHA1 cases 1-3, 5, 6
 *    and the same inputs with HMAC-SHA-256/384/512 (vectors/kdf/pbkdf2.txt),
 *    on the portable SHA-2 block functions and on the accelerated ones;
 *    RFC 6070 case 4 (16,777,216 iterations) is refused by the bound;
 *  - the PKCS#12 KDF (RFC 7292 Appendix B.2): 96 outputs of OpenSSL's
 *    PKCS12_key_gen_uni (vectors/kdf/pkcs12_kdf.txt: ids 1-3, SHA-1/256/
 *    384/512, no password, empty and long passwords, empty and long salts,
 *    outputs of several blocks);
 *  - EVP_BytesToKey-MD5: 56 keys from OpenSSL's EVP_BytesToKey for AES-128/
 *    192/256-CBC and DES-EDE3-CBC (vectors/kdf/evp_bytes_to_key.txt);
 *  - the limits and argument errors, including the iteration bound itself;
 *  - with libcrypto: random inputs against PKCS5_PBKDF2_HMAC,
 *    PKCS12_key_gen_uni and EVP_BytesToKey live.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/pbkdf.h"
#include "tests/util/hashpaths.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/pkcs12.h>
#endif

static tern_hash_alg alg_of(const char *name) {
    static const struct {
        const char *name;
        tern_hash_alg alg;
    } t[] = {{"sha1", TERN_HASH_SHA1}, {"sha256", TERN_HASH_SHA256}, {"sha384", TERN_HASH_SHA384},
             {"sha512", TERN_HASH_SHA512}};
    for (size_t i = 0; i < TERN_ARRAY_LEN(t); i++)
        if (strcmp(name, t[i].name) == 0)
            return t[i].alg;
    fail_msg("unknown hash %s", name);
    return (tern_hash_alg)0;
}

static void check(const uint8_t *got, const uint8_t *want, size_t n, const char *what, int line) {
    if (memcmp(got, want, n) != 0) {
        char *g = tv_hex(got, n), *w = tv_hex(want, n);
        fail_msg("%s (line %d)\n  got  %s\n  want %s", what, line, g, w);
    }
}

static void test_pbkdf2_vectors(void **state) {
    SKIP_UNLESS_PATH(state);
    tv_file *f = tv_open(tv_path("kdf/pbkdf2.txt"));
    tv_case c;
    int n = 0;
    while (tv_next(f, &c)) {
        size_t pl, sl, dl;
        uint8_t *p = tv_get_hex(&c, "p", &pl), *s = tv_get_hex(&c, "s", &sl), *dk = tv_get_hex(&c, "dk", &dl);
        uint8_t out[128];
        assert_true(dl <= sizeof out);
        memset(out, 0xee, sizeof out);
        assert_int_equal(tern_pbkdf2(alg_of(tv_get(&c, "prf")), p, pl, s, sl, (uint32_t)tv_get_long(&c, "c", 0), out, dl),
                         0);
        check(out, dk, dl, tv_get(&c, "case"), c.line);
        /* Nothing written past outlen. */
        assert_int_equal(out[dl], 0xee);
        n++;
        free(p);
        free(s);
        free(dk);
    }
    tv_close(f);
    assert_int_equal(n, 20);
}

static void test_pkcs12_vectors(void **state) {
    (void)state;
    tv_file *f = tv_open(tv_path("kdf/pkcs12_kdf.txt"));
    tv_case c;
    int n = 0;
    while (tv_next(f, &c)) {
        size_t pl, sl, kl;
        uint8_t *p = tv_get_hex(&c, "pw", &pl), *s = tv_get_hex(&c, "salt", &sl), *key = tv_get_hex(&c, "key", &kl);
        uint8_t out[256];
        assert_true(kl < sizeof out);
        memset(out, 0xee, sizeof out);
        assert_int_equal(tern_pkcs12_kdf(alg_of(tv_get(&c, "alg")), (uint8_t)tv_get_long(&c, "id", 0), p, pl, s, sl,
                                         (uint32_t)tv_get_long(&c, "c", 0), out, kl),
                         0);
        check(out, key, kl, tv_get(&c, "case"), c.line);
        assert_int_equal(out[kl], 0xee);
        n++;
        free(p);
        free(s);
        free(key);
    }
    tv_close(f);
    assert_int_equal(n, 96);
}

static void test_evp_vectors(void **state) {
    (void)state;
    tv_file *f = tv_open(tv_path("kdf/evp_bytes_to_key.txt"));
    tv_case c;
    int n = 0;
    while (tv_next(f, &c)) {
        size_t pl, sl, kl;
        uint8_t *p = tv_get_hex(&c, "pw", &pl), *s = tv_get_hex(&c, "salt", &sl), *key = tv_get_hex(&c, "key", &kl);
        uint8_t out[64];
        assert_int_equal(sl, 8);
        assert_true(kl < sizeof out);
        memset(out, 0xee, sizeof out);
        assert_int_equal(tern_evp_bytes_to_key_md5(p, pl, s, out, kl), 0);
        check(out, key, kl, tv_get(&c, "case"), c.line);
        assert_int_equal(out[kl], 0xee);
        n++;
        free(p);
        free(s);
        free(key);
    }
    tv_close(f);
    assert_int_equal(n, 56);
}

static void test_limits(void **state) {
    (void)state;
    const uint8_t *pw = (const uint8_t *)"password", *salt = (const uint8_t *)"saltsalt";
    uint8_t out[64], big[TERN_PBKDF_MAX_INPUT_LEN + 1];
    memset(big, 0x41, sizeof big);

    /* RFC 6070 case 4 asks for 16,777,216 iterations: above the bound. */
    memset(out, 0xee, sizeof out);
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA1, pw, 8, salt, 4, 16777216, out, 20), TERN_ERR_LIMIT);
    assert_true(tv_all_zero(out, 20));
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, pw, 8, salt, 8, TERN_PBKDF_MAX_ITERATIONS + 1, out, 32),
                     TERN_ERR_LIMIT);
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, pw, 8, salt, 8, UINT32_MAX, out, 32), TERN_ERR_LIMIT);
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA1, 1, pw, 8, salt, 8, TERN_PBKDF_MAX_ITERATIONS + 1, out, 24),
                     TERN_ERR_LIMIT);
    /* The bound itself is accepted (SHA-256: the cheapest, ~0.5 s here). */
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, pw, 8, salt, 8, TERN_PBKDF_MAX_ITERATIONS, out, 32), 0);
    assert_false(tv_all_zero(out, 32));
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA256, 3, pw, 8, salt, 8, TERN_PBKDF_MAX_ITERATIONS, out, 32), 0);
    assert_false(tv_all_zero(out, 32));

    /* Zero iterations, zero output, NULL buffers with lengths. */
    memset(out, 0xee, sizeof out);
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, pw, 8, salt, 8, 0, out, 32), TERN_ERR_INVALID_ARG);
    assert_true(tv_all_zero(out, 32));
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, pw, 8, salt, 8, 1, out, 0), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, pw, 8, salt, 8, 1, NULL, 32), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, NULL, 8, salt, 8, 1, out, 32), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, pw, 8, NULL, 8, 1, out, 32), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA1, 1, pw, 8, salt, 8, 0, out, 24), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA1, 1, pw, 8, salt, 8, 1, out, 0), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA1, 1, NULL, 8, salt, 8, 1, out, 24), TERN_ERR_INVALID_ARG);
    /* RFC 8018 §5.2 step 1: more than (2^32 - 1) * hLen bytes (never written). */
    if (SIZE_MAX / 20 > UINT32_MAX)
        assert_int_equal(tern_pbkdf2(TERN_HASH_SHA1, pw, 8, salt, 8, 1, out, (size_t)UINT32_MAX * 20 + 1),
                         TERN_ERR_INVALID_ARG);
    /* NULL with length 0 is an empty password / salt. */
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA256, NULL, 0, NULL, 0, 2, out, 32), 0);
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA256, 1, NULL, 0, NULL, 0, 2, out, 32), 0);

    /* Hashes: MD5 is no PBKDF2 PRF or PKCS#12 hash here; unknown ids. */
    static const int bad[] = {0, TERN_HASH_MD5, 3, 7, 255};
    for (size_t i = 0; i < TERN_ARRAY_LEN(bad); i++) {
        memset(out, 0xee, sizeof out);
        assert_int_equal(tern_pbkdf2((tern_hash_alg)bad[i], pw, 8, salt, 8, 1, out, 16), TERN_ERR_UNSUPPORTED);
        assert_true(tv_all_zero(out, 16));
        assert_int_equal(tern_pkcs12_kdf((tern_hash_alg)bad[i], 1, pw, 8, salt, 8, 1, out, 16), TERN_ERR_UNSUPPORTED);
    }
    /* PKCS#12 ids 1-3 only; salt and password bounded. */
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA1, 0, pw, 8, salt, 8, 1, out, 20), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA1, 4, pw, 8, salt, 8, 1, out, 20), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA1, 1, pw, 8, big, sizeof big, 1, out, 20), TERN_ERR_LIMIT);
    assert_int_equal(tern_pkcs12_kdf(TERN_HASH_SHA1, 1, big, sizeof big, salt, 8, 1, out, 20), TERN_ERR_LIMIT);
    assert_int_equal(
        tern_pkcs12_kdf(TERN_HASH_SHA512, 1, big, sizeof big - 1, big, sizeof big - 1, 1, out, 64), 0);

    /* EVP_BytesToKey. */
    assert_int_equal(tern_evp_bytes_to_key_md5(pw, 8, salt, out, 0), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_evp_bytes_to_key_md5(pw, 8, NULL, out, 16), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_evp_bytes_to_key_md5(NULL, 8, salt, out, 16), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_evp_bytes_to_key_md5(pw, 8, salt, NULL, 16), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_evp_bytes_to_key_md5(NULL, 0, salt, out, 64), 0);
}

/* A longer output is the shorter one extended (blocks are independent). */
static void test_prefixes(void **state) {
    (void)state;
    static const tern_hash_alg algs[] = {TERN_HASH_SHA1, TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};
    const uint8_t *pw = (const uint8_t *)"\0p\0w\0\0", *salt = (const uint8_t *)"0123456789";
    for (size_t a = 0; a < TERN_ARRAY_LEN(algs); a++) {
        uint8_t l[200], s[200];
        assert_int_equal(tern_pbkdf2(algs[a], pw, 6, salt, 10, 3, l, sizeof l), 0);
        for (size_t n = 1; n < sizeof s; n += 13) {
            assert_int_equal(tern_pbkdf2(algs[a], pw, 6, salt, 10, 3, s, n), 0);
            assert_memory_equal(l, s, n);
        }
        assert_int_equal(tern_pkcs12_kdf(algs[a], 2, pw, 6, salt, 10, 3, l, sizeof l), 0);
        for (size_t n = 1; n < sizeof s; n += 13) {
            assert_int_equal(tern_pkcs12_kdf(algs[a], 2, pw, 6, salt, 10, 3, s, n), 0);
            assert_memory_equal(l, s, n);
        }
    }
}

#ifdef TERN_TEST_HAVE_OPENSSL
static const EVP_MD *md_of(tern_hash_alg a) {
    return a == TERN_HASH_SHA1     ? EVP_sha1()
           : a == TERN_HASH_SHA256 ? EVP_sha256()
           : a == TERN_HASH_SHA384 ? EVP_sha384()
                                   : EVP_sha512();
}

static void test_vs_openssl(void **state) {
    SKIP_UNLESS_PATH(state);
    static const tern_hash_alg algs[] = {TERN_HASH_SHA1, TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};
    uint64_t seed = 0x6b6466ull;
    uint8_t r[8], pw[300], salt[200], t[300], o[300];
    for (int i = 0; i < 400; i++) {
        assert_int_equal(tv_rng(&seed, r, sizeof r), 0);
        assert_int_equal(tv_rng(&seed, pw, sizeof pw), 0);
        assert_int_equal(tv_rng(&seed, salt, sizeof salt), 0);
        tern_hash_alg a = algs[r[0] % 4];
        /* Lengths across block boundaries; a password over a block is hashed
         * first by HMAC, and is repeated by the PKCS#12 KDF. */
        size_t pwlen = (size_t)(r[1] % 2 ? r[2] % 20 : r[2] + r[3] % 45), saltlen = r[4] % 3 ? r[5] % 24 : r[5] % 200;
        size_t outlen = 1 + (size_t)(r[6] % 2 ? r[7] % 64 : (r[7] + r[1]) % 299);
        uint32_t iter = 1 + r[3] % 40;

        assert_int_equal(tern_pbkdf2(a, pw, pwlen, salt, saltlen, iter, t, outlen), 0);
        assert_int_equal(
            PKCS5_PBKDF2_HMAC((const char *)pw, (int)pwlen, salt, (int)saltlen, (int)iter, md_of(a), (int)outlen, o), 1);
        check(t, o, outlen, "PBKDF2 vs PKCS5_PBKDF2_HMAC", i);

        /* PKCS#12: a BMPString-shaped password (even length; OpenSSL's NULL
         * password is the empty one). */
        size_t bl = pwlen & ~(size_t)1;
        uint8_t id = (uint8_t)(1 + r[0] % 3);
        assert_int_equal(tern_pkcs12_kdf(a, id, pw, bl, salt, saltlen, iter, t, outlen), 0);
        assert_int_equal(PKCS12_key_gen_uni(bl ? pw : NULL, (int)bl, salt, (int)saltlen, id, (int)iter, (int)outlen, o,
                                            md_of(a)),
                         1);
        check(t, o, outlen, "PKCS#12 KDF vs PKCS12_key_gen_uni", i);

        /* EVP_BytesToKey: DES-EDE3 (24), AES-256 (32) and AES-128 (16). */
        const EVP_CIPHER *ciphers[3] = {EVP_des_ede3_cbc(), EVP_aes_256_cbc(), EVP_aes_128_cbc()};
        const EVP_CIPHER *ci = ciphers[i % 3];
        uint8_t iv[16];
        int kl = EVP_BytesToKey(ci, EVP_md5(), salt, pw, (int)pwlen, 1, o, iv);
        assert_int_equal(kl, EVP_CIPHER_get_key_length(ci));
        assert_int_equal(tern_evp_bytes_to_key_md5(pw, pwlen, salt, t, (size_t)kl), 0);
        check(t, o, (size_t)kl, "EVP_BytesToKey vs OpenSSL", i);
    }
}
#else
static void test_vs_openssl(void **state) {
    (void)state;
    print_message("OpenSSL's libcrypto not found at build time: cross-check skipped\n");
    skip();
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        ALL_PATHS(test_pbkdf2_vectors),
        cmocka_unit_test(test_pkcs12_vectors),
        cmocka_unit_test(test_evp_vectors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_prefixes),
#ifdef TERN_TEST_HAVE_OPENSSL
        ALL_PATHS(test_vs_openssl),
#else
        cmocka_unit_test(test_vs_openssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
