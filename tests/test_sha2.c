/*
 * Tests for crypto/sha256.c, sha256_shani.c, sha512.c and hash.c:
 * FIPS 180 example messages and NIST CAVP SHA-256/384/512 ShortMsg and
 * LongMsg, each message hashed one-shot, byte at a time, in uneven chunks,
 * and (ShortMsg) split at every offset; through the direct API and the
 * hash-by-id layer.  Every suite runs on the portable block functions
 * (TERN_CPU=portable) and on the accelerated ones: SHA-NI for SHA-256, AVX2
 * for SHA-384/512 (skipped with a message when the CPU lacks them).  Plus: context copies snapshot a running hash, final() wipes,
 * unknown ids are refused, and (with libcrypto) random lengths agree with
 * OpenSSL.
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
#include "crypto/sha2.h"
#include "crypto/sha2_impl.h"
#include "tests/util/hashpaths.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

/* Which block functions each suite runs on: tests/util/hashpaths.h. */

/* ---- hashing a message several ways ---- */
static size_t alg_len(tern_hash_alg alg) { return tern_hash_len(alg); }

/* Direct API, one context, message fed in pieces of the given sizes
 * (cycled); a piece size of 0 means "all at once". */
static void direct_chunked(tern_hash_alg alg, const uint8_t *m, size_t n, const size_t *pieces, size_t npieces,
                           uint8_t *out) {
    tern_sha256_ctx c256;
    tern_sha512_ctx c512;
    size_t off = 0, k = 0;
    switch (alg) {
    case TERN_HASH_SHA256: tern_sha256_init(&c256); break;
    case TERN_HASH_SHA384: tern_sha384_init(&c512); break;
    case TERN_HASH_SHA512: tern_sha512_init(&c512); break;
    default: fail_msg("not a SHA-2 id");
    }
    while (off < n) {
        size_t take = pieces[k++ % npieces];
        if (take == 0 || take > n - off)
            take = n - off;
        if (alg == TERN_HASH_SHA256)
            tern_sha256_update(&c256, m + off, take);
        else if (alg == TERN_HASH_SHA384)
            tern_sha384_update(&c512, m + off, take);
        else
            tern_sha512_update(&c512, m + off, take);
        off += take;
    }
    switch (alg) {
    case TERN_HASH_SHA256: tern_sha256_final(&c256, out); break;
    case TERN_HASH_SHA384: tern_sha384_final(&c512, out); break;
    case TERN_HASH_SHA512: tern_sha512_final(&c512, out); break;
    default: break;
    }
}

static void oneshot(tern_hash_alg alg, const uint8_t *m, size_t n, uint8_t *out) {
    switch (alg) {
    case TERN_HASH_SHA256: tern_sha256(out, m, n); break;
    case TERN_HASH_SHA384: tern_sha384(out, m, n); break;
    case TERN_HASH_SHA512: tern_sha512(out, m, n); break;
    default: fail_msg("not a SHA-2 id");
    }
}

static void expect_digest(const uint8_t *got, const uint8_t *want, size_t n, const char *what, const char *where,
                          int line) {
    if (memcmp(got, want, n) != 0) {
        char *g = tv_hex(got, n), *w = tv_hex(want, n);
        print_message("%s: %s (line %d)\n  got  %s\n  want %s\n", where, what, line, g, w);
        free(g);
        free(w);
        fail();
    }
}

/* All the ways; split_every adds "split at every offset" (short messages). */
static void check_all_ways(tern_hash_alg alg, const uint8_t *m, size_t n, const uint8_t *md, int split_every,
                           const char *where, int line) {
    uint8_t out[TERN_HASH_MAX_LEN];
    size_t dl = alg_len(alg);
    static const size_t one[] = {1};
    static const size_t odd[] = {3, 61, 64, 1, 127, 128, 129, 0};
    static const size_t whole[] = {0};

    oneshot(alg, m, n, out);
    expect_digest(out, md, dl, "one-shot", where, line);
    direct_chunked(alg, m, n, whole, 1, out);
    expect_digest(out, md, dl, "single update", where, line);
    direct_chunked(alg, m, n, one, 1, out);
    expect_digest(out, md, dl, "byte at a time", where, line);
    direct_chunked(alg, m, n, odd, TERN_ARRAY_LEN(odd), out);
    expect_digest(out, md, dl, "uneven chunks", where, line);

    /* The by-id layer, in two halves. */
    tern_hash_ctx hc;
    assert_int_equal(tern_hash_init(&hc, alg), 0);
    tern_hash_update(&hc, m, n / 2);
    tern_hash_update(&hc, m + n / 2, n - n / 2);
    tern_hash_final(&hc, out);
    expect_digest(out, md, dl, "tern_hash_* in halves", where, line);
    memset(out, 0, sizeof out);
    assert_int_equal(tern_hash(alg, out, m, n), 0);
    expect_digest(out, md, dl, "tern_hash", where, line);

    if (split_every) {
        for (size_t cut = 0; cut <= n; cut++) {
            size_t pieces[2] = {cut, n - cut};
            /* A zero piece would mean "rest"; feed explicitly instead. */
            tern_hash_ctx c;
            assert_int_equal(tern_hash_init(&c, alg), 0);
            tern_hash_update(&c, m, pieces[0]);
            tern_hash_update(&c, m + cut, pieces[1]);
            tern_hash_final(&c, out);
            expect_digest(out, md, dl, "split at an offset", where, line);
        }
    }
}

/* ---- FIPS 180 example messages ---- */
static void run_fips180(int only_sha256) {
    tv_file *f = tv_open(tv_path("kat/fips180_sha_examples.txt"));
    tv_case c;
    int ncases = 0;
    static const struct {
        const char *field;
        tern_hash_alg alg;
    } algs[] = {{"sha256", TERN_HASH_SHA256}, {"sha384", TERN_HASH_SHA384}, {"sha512", TERN_HASH_SHA512}};
    while (tv_next(f, &c)) {
        size_t n;
        uint8_t *m;
        const char *rep = tv_get(&c, "repeat");
        if (rep) {
            size_t rn;
            uint8_t *r = tv_unhex(rep, &rn);
            assert_int_equal(rn, 1);
            n = (size_t)tv_get_long(&c, "count", -1);
            m = malloc(n ? n : 1);
            assert_non_null(m);
            memset(m, r[0], n);
            free(r);
        } else {
            m = tv_get_hex(&c, "msg", &n);
            assert_non_null(m);
        }
        assert_int_equal((long)n * 8, tv_get_long(&c, "len_bits", -1));
        for (size_t i = 0; i < TERN_ARRAY_LEN(algs); i++) {
            if (only_sha256 && algs[i].alg != TERN_HASH_SHA256)
                continue;
            size_t dl;
            uint8_t *md = tv_get_hex(&c, algs[i].field, &dl);
            assert_non_null(md);
            assert_int_equal(dl, tern_hash_len(algs[i].alg));
            check_all_ways(algs[i].alg, m, n, md, n <= 256, tv_get(&c, "case"), c.line);
            free(md);
        }
        free(m);
        ncases++;
    }
    tv_close(f);
    assert_int_equal(ncases, 5);
}

static void test_fips180_sha256(void **state) {
    SKIP_UNLESS_PATH(state);
    run_fips180(1);
}

static void test_fips180_sha512_family(void **state) {
    SKIP_UNLESS_PATH(state);
    run_fips180(0);
}

/* ---- NIST CAVP ---- */
static int run_cavp(const char *file, tern_hash_alg alg, int is_short) {
    tv_file *f = tv_open(tv_path(file));
    tv_case c;
    int n = 0;
    while (tv_next(f, &c)) {
        long bits = tv_get_long(&c, "Len", -1);
        assert_true(bits >= 0 && bits % 8 == 0);
        size_t ml, dl;
        uint8_t *m = tv_get_hex(&c, "Msg", &ml);
        uint8_t *md = tv_get_hex(&c, "MD", &dl);
        assert_non_null(m);
        assert_non_null(md);
        /* Len = 0 is written "Msg = 00": the length field rules. */
        if (bits == 0)
            ml = 0;
        assert_int_equal(ml, (size_t)bits / 8);
        assert_int_equal(dl, tern_hash_len(alg));
        check_all_ways(alg, m, ml, md, is_short, file, c.line);
        free(m);
        free(md);
        n++;
    }
    tv_close(f);
    return n;
}

static void test_cavp_sha256(void **state) {
    SKIP_UNLESS_PATH(state);
    assert_int_equal(run_cavp("kat/nist-cavp/SHA256ShortMsg.rsp", TERN_HASH_SHA256, 1), 65);
    assert_int_equal(run_cavp("kat/nist-cavp/SHA256LongMsg.rsp", TERN_HASH_SHA256, 0), 64);
}

static void test_cavp_sha384(void **state) {
    SKIP_UNLESS_PATH(state);
    assert_int_equal(run_cavp("kat/nist-cavp/SHA384ShortMsg.rsp", TERN_HASH_SHA384, 1), 129);
    assert_int_equal(run_cavp("kat/nist-cavp/SHA384LongMsg.rsp", TERN_HASH_SHA384, 0), 128);
}

static void test_cavp_sha512(void **state) {
    SKIP_UNLESS_PATH(state);
    assert_int_equal(run_cavp("kat/nist-cavp/SHA512ShortMsg.rsp", TERN_HASH_SHA512, 1), 129);
    assert_int_equal(run_cavp("kat/nist-cavp/SHA512LongMsg.rsp", TERN_HASH_SHA512, 0), 128);
}

/* ---- contexts ---- */

/* A copied context is a snapshot: finishing the copy gives the hash of the
 * prefix, and the original goes on unaffected (the transcript hash). */
static void test_copy_snapshot(void **state) {
    SKIP_UNLESS_PATH(state);
    uint8_t msg[300], a[TERN_HASH_MAX_LEN], b[TERN_HASH_MAX_LEN];
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 13 + 1);
    static const tern_hash_alg algs[] = {TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};
    for (size_t k = 0; k < TERN_ARRAY_LEN(algs); k++) {
        for (size_t cut = 0; cut <= sizeof msg; cut += 7) {
            tern_hash_ctx c, snap;
            assert_int_equal(tern_hash_init(&c, algs[k]), 0);
            tern_hash_update(&c, msg, cut);
            snap = c;
            tern_hash_final(&snap, a);
            assert_int_equal(tern_hash(algs[k], b, msg, cut), 0);
            assert_memory_equal(a, b, tern_hash_len(algs[k]));
            tern_hash_update(&c, msg + cut, sizeof msg - cut);
            tern_hash_final(&c, a);
            assert_int_equal(tern_hash(algs[k], b, msg, sizeof msg), 0);
            assert_memory_equal(a, b, tern_hash_len(algs[k]));
        }
    }
}

/* final() leaves nothing of the message or state behind. */
static void test_final_wipes(void **state) {
    SKIP_UNLESS_PATH(state);
    uint8_t out[TERN_HASH_MAX_LEN];
    tern_sha256_ctx c256;
    tern_sha512_ctx c512;
    tern_sha256_init(&c256);
    tern_sha256_update(&c256, "secret secret secret", 20);
    tern_sha256_final(&c256, out);
    assert_true(tv_all_zero(&c256, sizeof c256));
    tern_sha384_init(&c512);
    tern_sha384_update(&c512, "secret secret secret", 20);
    tern_sha384_final(&c512, out);
    assert_true(tv_all_zero(&c512, sizeof c512));
    tern_sha512_init(&c512);
    tern_sha512_update(&c512, "secret secret secret", 20);
    tern_sha512_final(&c512, out);
    assert_true(tv_all_zero(&c512, sizeof c512));
    tern_hash_ctx h;
    assert_int_equal(tern_hash_init(&h, TERN_HASH_SHA384), 0);
    tern_hash_update(&h, "secret", 6);
    tern_hash_final(&h, out);
    assert_true(tv_all_zero(&h.u.sha512, sizeof h.u.sha512));
}

/* ---- the by-id layer's refusals and sizes ---- */
static void test_hash_ids(void **state) {
    (void)state;
    uint8_t out[TERN_HASH_MAX_LEN];
    tern_hash_ctx c;
    assert_int_equal(tern_hash_len(TERN_HASH_SHA256), 32);
    assert_int_equal(tern_hash_len(TERN_HASH_SHA384), 48);
    assert_int_equal(tern_hash_len(TERN_HASH_SHA512), 64);
    assert_int_equal(tern_hash_block_len(TERN_HASH_SHA256), 64);
    assert_int_equal(tern_hash_block_len(TERN_HASH_SHA384), 128);
    assert_int_equal(tern_hash_block_len(TERN_HASH_SHA512), 128);
    /* TLS HashAlgorithm codes we do not do: none(0), sha224(3), and junk
     * (md5(1) and sha1(2) exist for key stores: tests/test_sha1_md5.c). */
    static const int bad[] = {0, 3, 7, 8, 255, -1};
    for (size_t i = 0; i < TERN_ARRAY_LEN(bad); i++) {
        tern_hash_alg a = (tern_hash_alg)bad[i];
        assert_int_equal(tern_hash_len(a), 0);
        assert_int_equal(tern_hash_block_len(a), 0);
        assert_int_equal(tern_hash_init(&c, a), TERN_ERR_UNSUPPORTED);
        /* A context whose init failed ignores update/final. */
        memset(out, 0xa5, sizeof out);
        tern_hash_update(&c, "x", 1);
        tern_hash_final(&c, out);
        assert_int_equal(out[0], 0xa5);
        assert_int_equal(tern_hash(a, out, "abc", 3), TERN_ERR_UNSUPPORTED);
    }
}

/* The block functions themselves agree on 0..13 blocks at a time (the
 * AVX2 one works in groups of four, so this crosses every group shape),
 * from a non-initial state. */
static void test_block_functions_agree(void **state) {
    (void)state;
    static uint8_t buf[27 * 64];
    uint64_t seed = 0x626c6f636bull;
    assert_int_equal(tv_rng(&seed, buf, sizeof buf), 0);
    int shani = tern_cpu_has(TERN_CPU_SHANI | TERN_CPU_SSSE3 | TERN_CPU_SSE41);
    int avx2 = tern_cpu_has(TERN_CPU_AVX2 | TERN_CPU_BMI2);
    if (!shani)
        print_message("(no SHA-NI here: SHA-256 block comparison not run)\n");
    if (!avx2)
        print_message("(no AVX2+BMI2 here: AVX2 block comparisons not run)\n");
    /* SHA-256: up to 27 blocks (the AVX2 path groups eight: 0..3 groups,
     * every tail); SHA-512: up to 13 (groups of four). */
    for (size_t n = 0; n <= 27; n++) {
        uint32_t a32[8], b32[8], c32[8];
        uint64_t a64[8], b64[8];
        for (int i = 0; i < 8; i++) {
            a32[i] = b32[i] = c32[i] = 0x01234567u * (uint32_t)(i + 1);
            a64[i] = b64[i] = 0x0123456789abcdefull * (uint64_t)(i + 3);
        }
        tern_sha256_blocks_portable(a32, buf, n);
        if (shani) {
            tern_sha256_blocks_shani(b32, buf, n);
            assert_memory_equal(a32, b32, sizeof a32);
        }
        if (avx2) {
            tern_sha256_blocks_avx2(c32, buf, n);
            assert_memory_equal(a32, c32, sizeof a32);
        }
        if (avx2 && n <= 13) {
            tern_sha512_blocks_portable(a64, buf, n);
            tern_sha512_blocks_avx2(b64, buf, n);
            assert_memory_equal(a64, b64, sizeof a64);
        }
    }
}

#ifdef TERN_TEST_HAVE_OPENSSL
/* Random lengths around the block boundaries, against OpenSSL. */
static void test_vs_openssl(void **state) {
    SKIP_UNLESS_PATH(state);
    static uint8_t buf[2100];
    uint64_t seed = 0x5a2a5a2a1234ull;
    assert_int_equal(tv_rng(&seed, buf, sizeof buf), 0);
    static const struct {
        tern_hash_alg alg;
        const char *name;
    } algs[] = {{TERN_HASH_SHA256, "SHA256"}, {TERN_HASH_SHA384, "SHA384"}, {TERN_HASH_SHA512, "SHA512"}};
    for (size_t k = 0; k < TERN_ARRAY_LEN(algs); k++) {
        const EVP_MD *md = EVP_get_digestbyname(algs[k].name);
        assert_non_null(md);
        for (size_t n = 0; n < sizeof buf; n += (n < 300 ? 1 : 37)) {
            uint8_t a[64], b[64];
            unsigned bl = 0;
            assert_int_equal(tern_hash(algs[k].alg, a, buf, n), 0);
            assert_int_equal(EVP_Digest(buf, n, b, &bl, md, NULL), 1);
            assert_int_equal(bl, tern_hash_len(algs[k].alg));
            assert_memory_equal(a, b, bl);
        }
    }
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        SHA256_PATHS(test_fips180_sha256),
        SHA512_PATHS(test_fips180_sha512_family),
        SHA256_PATHS(test_cavp_sha256),
        SHA512_PATHS(test_cavp_sha384),
        SHA512_PATHS(test_cavp_sha512),
        ALL_PATHS(test_copy_snapshot),
        ALL_PATHS(test_final_wipes),
        cmocka_unit_test(test_hash_ids),
        cmocka_unit_test_teardown(test_block_functions_agree, restore_path),
#ifdef TERN_TEST_HAVE_OPENSSL
        ALL_PATHS(test_vs_openssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
