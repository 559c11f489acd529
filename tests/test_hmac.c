/*
 * Tests for crypto/hmac.c: RFC 4231 cases 1-7 (case 5 truncated, 6 and 7
 * with keys longer than a block) for HMAC-SHA-256/384/512, one-shot, with
 * a prepared key fed byte at a time, and split at every offset; all of
 * Wycheproof hmac_sha256/384/512 (valid tags accepted, modified tags
 * rejected, compared with tern_ct_memeq on the file's tagSize); key reuse,
 * long-key hashing, wiping, refusals; and (with libcrypto) random key and
 * message lengths against OpenSSL.  Every suite runs on the portable block
 * functions and on the accelerated ones (SHA-NI, AVX2 for SHA-384/512).
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
#include "crypto/ct.h"
#include "crypto/hmac.h"
#include "crypto/sha2_impl.h"
#include "tests/util/hashpaths.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

/* Which block functions each suite runs on: tests/util/hashpaths.h. */

static const struct {
    const char *field;
    tern_hash_alg alg;
} algs[] = {{"hmac_sha256", TERN_HASH_SHA256}, {"hmac_sha384", TERN_HASH_SHA384}, {"hmac_sha512", TERN_HASH_SHA512}};

static void expect_prefix(const uint8_t *got, const uint8_t *want, size_t n, const char *what, int line,
                          const char *alg) {
    if (memcmp(got, want, n) != 0) {
        char *g = tv_hex(got, n), *w = tv_hex(want, n);
        print_message("rfc4231 line %d %s: %s\n  got  %s\n  want %s\n", line, alg, what, g, w);
        free(g);
        free(w);
        fail();
    }
}

/* ---- RFC 4231 ---- */
static void test_rfc4231(void **state) {
    SKIP_UNLESS_PATH(state);
    tv_file *f = tv_open(tv_path("kat/rfc4231_hmac.txt"));
    tv_case c;
    int ncases = 0, nmacs = 0;
    while (tv_next(f, &c)) {
        size_t kl, ml;
        uint8_t *key = tv_get_hex(&c, "key", &kl);
        uint8_t *msg = tv_get_hex(&c, "data", &ml);
        assert_non_null(key);
        assert_non_null(msg);
        long trunc = tv_get_long(&c, "trunc", 0);
        for (size_t i = 0; i < TERN_ARRAY_LEN(algs); i++) {
            size_t tl, hl = tern_hash_len(algs[i].alg);
            uint8_t *tag = tv_get_hex(&c, algs[i].field, &tl);
            assert_non_null(tag);
            /* Case 5 gives only a prefix; the others the whole MAC. */
            assert_int_equal(tl, trunc ? (size_t)trunc : hl);
            uint8_t out[TERN_HASH_MAX_LEN];

            assert_int_equal(tern_hmac(algs[i].alg, key, kl, msg, ml, out), 0);
            expect_prefix(out, tag, tl, "one-shot", c.line, algs[i].field);

            tern_hmac_key k;
            tern_hmac_ctx m;
            assert_int_equal(tern_hmac_key_init(&k, algs[i].alg, key, kl), 0);
            tern_hmac_start(&m, &k);
            for (size_t j = 0; j < ml; j++)
                tern_hmac_update(&m, msg + j, 1);
            tern_hmac_final(&m, out);
            expect_prefix(out, tag, tl, "byte at a time", c.line, algs[i].field);

            for (size_t cut = 0; cut <= ml; cut++) {
                tern_hmac_start(&m, &k);
                tern_hmac_update(&m, msg, cut);
                tern_hmac_update(&m, msg + cut, ml - cut);
                tern_hmac_final(&m, out);
                expect_prefix(out, tag, tl, "split at an offset", c.line, algs[i].field);
            }
            tern_hmac_key_wipe(&k);
            free(tag);
            nmacs++;
        }
        free(key);
        free(msg);
        ncases++;
    }
    tv_close(f);
    assert_int_equal(ncases, 7);
    assert_int_equal(nmacs, 21);
}

/* ---- Wycheproof ---- */
static void run_wycheproof(const char *file, tern_hash_alg alg, const char *algname) {
    json *j = json_load(tv_path(file));
    assert_string_equal(json_str(j, "algorithm"), algname);
    const json *groups = json_get(j, "testGroups");
    assert_non_null(groups);
    int total = 0, valid = 0, invalid = 0;
    for (size_t g = 0; g < groups->n; g++) {
        const json *grp = groups->items[g];
        size_t tagbytes = (size_t)json_num(grp, "tagSize", -1) / 8;
        size_t keybytes = (size_t)json_num(grp, "keySize", -1) / 8;
        assert_true(tagbytes > 0 && tagbytes <= tern_hash_len(alg));
        const json *tests = json_get(grp, "tests");
        assert_non_null(tests);
        for (size_t t = 0; t < tests->n; t++) {
            const json *tc = tests->items[t];
            size_t kl, ml, tl;
            uint8_t *key = tv_unhex(json_str(tc, "key"), &kl);
            uint8_t *msg = tv_unhex(json_str(tc, "msg"), &ml);
            uint8_t *tag = tv_unhex(json_str(tc, "tag"), &tl);
            const char *result = json_str(tc, "result");
            int tcid = (int)json_num(tc, "tcId", -1);
            uint8_t out[TERN_HASH_MAX_LEN];
            assert_int_equal(kl, keybytes);
            assert_int_equal(tern_hmac(alg, key, kl, msg, ml, out), 0);
            /* Accept exactly when the tag has the group's length and its
             * bytes match the MAC's prefix of that length. */
            uint32_t ok = 0;
            if (tl == tagbytes)
                ok = tern_ct_memeq(out, tag, tagbytes);
            if (strcmp(result, "valid") == 0) {
                if (!ok)
                    print_message("%s tcId %d: valid tag rejected\n", file, tcid);
                assert_int_equal(ok, 1);
                valid++;
            } else {
                assert_string_equal(result, "invalid");
                if (ok)
                    print_message("%s tcId %d: invalid tag accepted\n", file, tcid);
                assert_int_equal(ok, 0);
                invalid++;
            }
            total++;
            free(key);
            free(msg);
            free(tag);
        }
    }
    assert_int_equal(total, (int)json_num(j, "numberOfTests", -1));
    assert_int_equal(valid, 66);
    assert_int_equal(invalid, 108);
    json_free(j);
}

static void test_wycheproof_sha256(void **state) {
    SKIP_UNLESS_PATH(state);
    run_wycheproof("wycheproof/hmac_sha256_test.json", TERN_HASH_SHA256, "HMACSHA256");
}

static void test_wycheproof_sha384(void **state) {
    SKIP_UNLESS_PATH(state);
    run_wycheproof("wycheproof/hmac_sha384_test.json", TERN_HASH_SHA384, "HMACSHA384");
}

static void test_wycheproof_sha512(void **state) {
    SKIP_UNLESS_PATH(state);
    run_wycheproof("wycheproof/hmac_sha512_test.json", TERN_HASH_SHA512, "HMACSHA512");
}

/* ---- key handling ---- */

/* RFC 2104 §2: a key longer than the block is replaced by its hash, so
 * HMAC(K) == HMAC(H(K)); a key of exactly one block is used as is, and a
 * key is zero-padded, so HMAC(K) == HMAC(K || 00). */
static void test_key_lengths(void **state) {
    SKIP_UNLESS_PATH(state);
    uint8_t key[300], hk[TERN_HASH_MAX_LEN], a[TERN_HASH_MAX_LEN], b[TERN_HASH_MAX_LEN];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(0x30 + i);
    for (size_t i = 0; i < TERN_ARRAY_LEN(algs); i++) {
        tern_hash_alg alg = algs[i].alg;
        size_t bl = tern_hash_block_len(alg), hl = tern_hash_len(alg);
        for (size_t kl = bl - 1; kl <= bl + 2; kl++) {
            assert_int_equal(tern_hmac(alg, key, kl, "msg", 3, a), 0);
            if (kl > bl) {
                assert_int_equal(tern_hash(alg, hk, key, kl), 0);
                assert_int_equal(tern_hmac(alg, hk, hl, "msg", 3, b), 0);
                assert_memory_equal(a, b, hl);
            } else {
                /* A block-length key is not hashed: its hash gives another MAC. */
                assert_int_equal(tern_hash(alg, hk, key, kl), 0);
                assert_int_equal(tern_hmac(alg, hk, hl, "msg", 3, b), 0);
                assert_memory_not_equal(a, b, hl);
            }
        }
        uint8_t padded[TERN_HASH_MAX_BLOCK] = {0};
        memcpy(padded, key, 20);
        assert_int_equal(tern_hmac(alg, key, 20, "m", 1, a), 0);
        assert_int_equal(tern_hmac(alg, padded, 21, "m", 1, b), 0);
        assert_memory_equal(a, b, hl);
        /* The empty key pads to the same block as five zero bytes, and
         * differs from a non-zero key. */
        assert_int_equal(tern_hmac(alg, NULL, 0, "m", 1, a), 0);
        assert_int_equal(tern_hmac(alg, key, 5, "m", 1, b), 0);
        assert_memory_not_equal(a, b, hl);
        memset(padded, 0, sizeof padded);
        assert_int_equal(tern_hmac(alg, padded, 5, "m", 1, b), 0);
        assert_memory_equal(a, b, hl);
    }
}

/* One prepared key, many MACs; the key is not consumed, and the running
 * context and the key are wiped when done. */
static void test_key_reuse_and_wipe(void **state) {
    SKIP_UNLESS_PATH(state);
    for (size_t i = 0; i < TERN_ARRAY_LEN(algs); i++) {
        tern_hash_alg alg = algs[i].alg;
        size_t hl = tern_hash_len(alg);
        tern_hmac_key k;
        tern_hmac_ctx m;
        uint8_t a[TERN_HASH_MAX_LEN], b[TERN_HASH_MAX_LEN];
        assert_int_equal(tern_hmac_key_init(&k, alg, (const uint8_t *)"key", 3), 0);
        for (int r = 0; r < 3; r++) {
            char msg[32];
            snprintf(msg, sizeof msg, "message %d", r);
            tern_hmac_start(&m, &k);
            tern_hmac_update(&m, msg, strlen(msg));
            tern_hmac_final(&m, a);
            /* The live union member held the key-derived state. */
            if (alg == TERN_HASH_SHA256) {
                assert_true(tv_all_zero(&m.inner.u.sha256, sizeof m.inner.u.sha256));
                assert_true(tv_all_zero(&m.outer.u.sha256, sizeof m.outer.u.sha256));
            } else {
                assert_true(tv_all_zero(&m.inner.u.sha512, sizeof m.inner.u.sha512));
                assert_true(tv_all_zero(&m.outer.u.sha512, sizeof m.outer.u.sha512));
            }
            assert_int_equal(tern_hmac(alg, (const uint8_t *)"key", 3, msg, strlen(msg), b), 0);
            assert_memory_equal(a, b, hl);
        }
        tern_hmac_key_wipe(&k);
        assert_true(tv_all_zero(&k, sizeof k));
    }
}

static void test_refusals(void **state) {
    (void)state;
    tern_hmac_key k;
    uint8_t out[TERN_HASH_MAX_LEN];
    /* md5(1) and sha1(2) are HMAC hashes too (tests/test_sha1_md5.c). */
    static const int bad[] = {0, 3, 7, 255};
    for (size_t i = 0; i < TERN_ARRAY_LEN(bad); i++) {
        assert_int_equal(tern_hmac_key_init(&k, (tern_hash_alg)bad[i], (const uint8_t *)"k", 1), TERN_ERR_UNSUPPORTED);
        assert_int_equal(tern_hmac((tern_hash_alg)bad[i], (const uint8_t *)"k", 1, "m", 1, out), TERN_ERR_UNSUPPORTED);
    }
    /* A NULL key or message with a non-zero length is a caller bug. */
    assert_int_equal(tern_hmac_key_init(&k, TERN_HASH_SHA256, NULL, 5), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_hmac(TERN_HASH_SHA256, (const uint8_t *)"k", 1, NULL, 5, out), TERN_ERR_INVALID_ARG);
}

#ifdef TERN_TEST_HAVE_OPENSSL
static void test_vs_openssl(void **state) {
    SKIP_UNLESS_PATH(state);
    static uint8_t buf[1200];
    uint64_t seed = 0x686d6163ull;
    assert_int_equal(tv_rng(&seed, buf, sizeof buf), 0);
    const EVP_MD *mds[] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    for (size_t i = 0; i < TERN_ARRAY_LEN(algs); i++) {
        for (size_t n = 0; n < 700; n += 13) {
            size_t kl = (n * 7) % 260;
            uint8_t a[64], b[64];
            unsigned bl = 0;
            assert_int_equal(tern_hmac(algs[i].alg, buf + 900, kl, buf, n, a), 0);
            assert_non_null(HMAC(mds[i], buf + 900, (int)kl, buf, n, b, &bl));
            assert_int_equal(bl, tern_hash_len(algs[i].alg));
            assert_memory_equal(a, b, bl);
        }
    }
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        ALL_PATHS(test_rfc4231),
        SHA256_PATHS(test_wycheproof_sha256),
        SHA512_PATHS(test_wycheproof_sha384),
        SHA512_PATHS(test_wycheproof_sha512),
        ALL_PATHS(test_key_lengths),
        ALL_PATHS(test_key_reuse_and_wipe),
        cmocka_unit_test(test_refusals),
#ifdef TERN_TEST_HAVE_OPENSSL
        ALL_PATHS(test_vs_openssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
