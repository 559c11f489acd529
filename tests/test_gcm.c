/*
 * Tests for crypto/gcm.h (AES-128/256-GCM, SP 800-38D) on every
 * implementation path: portable (bitsliced), aesni+pclmul, vaes+vpclmul.
 * Each path is forced with TERN_CPU + tern_cpu_reset(); a path the CPU lacks
 * is skipped with a message.
 *
 * Vectors: McGrew-Viega spec cases (96-bit IV, 128/256-bit keys), NIST CAVP
 * gcmEncryptExtIV128/256 and gcmDecrypt128/256 (96-bit IV, 128-bit tag),
 * Wycheproof aes_gcm_test.json.  Then random cross-checks between paths,
 * in place vs out of place, and against OpenSSL when it is linked.  Last,
 * the key's memory contract: tern_gcm_key_size() per path, keys held in
 * storage of exactly that size (heap, so ASan flags a byte beyond it) and
 * at every 16-byte alignment, and what tern_gcm_wipe clears.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/aes_internal.h"
#include "crypto/cpu.h"
#include "crypto/gcm.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

/* ---- implementation paths ---- */

typedef struct {
    const char *name;     /* what tern_gcm_impl_name must report */
    const char *env;      /* TERN_CPU value (NULL: unset, all features) */
    uint32_t need;        /* CPU features the path needs */
} gcm_path;

static const gcm_path paths[] = {
    {"portable", "portable", 0},
    {"aesni+pclmul", "-vaes,-vpclmul", TERN_CPU_AESNI | TERN_CPU_PCLMUL | TERN_CPU_SSSE3 | TERN_CPU_SSE41},
    {"vaes+vpclmul", NULL,
     TERN_CPU_VAES | TERN_CPU_VPCLMUL | TERN_CPU_AVX2 | TERN_CPU_AESNI | TERN_CPU_PCLMUL | TERN_CPU_SSSE3 |
         TERN_CPU_SSE41},
};
#define NPATHS (sizeof paths / sizeof paths[0])

/* Force path i for the following tern_gcm_init calls.  Returns 0 (and says
 * so) when the CPU lacks it. */
static int use_path(size_t i) {
    tv_use_cpu(paths[i].env);
    if (!tern_cpu_has(paths[i].need)) {
        print_message("  [skip] %s: this CPU lacks the features it needs\n", paths[i].name);
        return 0;
    }
    return 1;
}

static void restore_env(void) {
    tv_use_cpu(NULL);
}

/* Init on the forced path and check that path was really chosen. */
static void init_on_path(tern_gcm_key *k, size_t path, const uint8_t *key, size_t keylen) {
    assert_int_equal(tern_gcm_init(k, key, keylen), 0);
    assert_string_equal(tern_gcm_impl_name(k), paths[path].name);
}

/* One known answer on the current path: seal out of place and in place,
 * open accepts and gives the plaintext back; when fail is set, the tag is
 * wrong: open must reject and leave zeros. */
static void check_case(size_t path, const uint8_t *key, size_t keylen, const uint8_t *iv, const uint8_t *aad,
                       size_t aadlen, const uint8_t *pt, const uint8_t *ct, size_t len, const uint8_t *tag,
                       int fail, const char *what) {
    tern_gcm_key k;
    init_on_path(&k, path, key, keylen);
    uint8_t *buf = malloc(len + 1), *buf2 = malloc(len + 1);
    uint8_t t[16];
    assert_non_null(buf);
    assert_non_null(buf2);
    if (!fail) {
        tern_gcm_seal(&k, iv, aad, aadlen, pt, len, buf, t);
        if (memcmp(buf, ct, len) != 0 || memcmp(t, tag, 16) != 0)
            fail_msg("%s (%s): seal gives the wrong ciphertext or tag", what, paths[path].name);
        memcpy(buf, pt, len);
        tern_gcm_seal(&k, iv, aad, aadlen, buf, len, buf, t);
        if (memcmp(buf, ct, len) != 0 || memcmp(t, tag, 16) != 0)
            fail_msg("%s (%s): in-place seal differs", what, paths[path].name);
        memset(buf2, 0xa5, len);
        if (tern_gcm_open(&k, iv, aad, aadlen, ct, len, tag, buf2) != 0 || memcmp(buf2, pt, len) != 0)
            fail_msg("%s (%s): open rejects a valid record or gives the wrong plaintext", what,
                     paths[path].name);
        memcpy(buf2, ct, len);
        if (tern_gcm_open(&k, iv, aad, aadlen, buf2, len, tag, buf2) != 0 || memcmp(buf2, pt, len) != 0)
            fail_msg("%s (%s): in-place open fails", what, paths[path].name);
    } else {
        memset(buf2, 0xa5, len);
        if (tern_gcm_open(&k, iv, aad, aadlen, ct, len, tag, buf2) != TERN_ERR_BAD_RECORD_MAC)
            fail_msg("%s (%s): open accepts a forgery", what, paths[path].name);
        for (size_t i = 0; i < len; i++)
            if (buf2[i] != 0)
                fail_msg("%s (%s): open left output bytes after rejecting", what, paths[path].name);
    }
    free(buf);
    free(buf2);
    tern_gcm_wipe(&k);
}

/* ---- direct AES check (FIPS 197 Appendix C.1 and C.3), portable ---- */

static void test_aes_ct64_fips197(void **state) {
    (void)state;
    uint8_t key[32], in[128], out[128], want128[16], want256[16];
    uint64_t sk[TERN_AES_CT64_SKEY_WORDS]; /* exactly what AES-256 needs: ASan sees any overrun */
    for (int i = 0; i < 32; i++)
        key[i] = (uint8_t)i;
    /* Slots 2 and 7 hold the FIPS plaintext, the others junk: slots (and
     * the two lanes) are independent. */
    for (int i = 0; i < 128; i++)
        in[i] = (uint8_t)(i * 37 + 1);
    for (int i = 0; i < 16; i++)
        in[32 + i] = in[112 + i] = (uint8_t)(i * 0x11);
    assert_int_equal(tv_unhex_into("69c4e0d86a7b0430d8cdb78070b4c55a", want128, 16), 0);
    assert_int_equal(tv_unhex_into("8ea2b7ca516745bfeafc49904b496089", want256, 16), 0);
    assert_int_equal(tern_aes_ct64_keysched(sk, key, 16), 10);
    tern_aes_ct64_encrypt8(sk, 10, in, out);
    assert_memory_equal(out + 32, want128, 16);
    assert_memory_equal(out + 112, want128, 16);
    assert_int_equal(tern_aes_ct64_keysched(sk, key, 32), 14);
    tern_aes_ct64_encrypt8(sk, 14, in, out);
    assert_memory_equal(out + 32, want256, 16);
    assert_memory_equal(out + 112, want256, 16);
    assert_int_equal(tern_aes_ct64_keysched(sk, key, 24), 0);
}

/* SP 800-38D §6.3 Algorithm 1, bit by bit: the reference for GHASH. */
static void ref_gf_mul(uint8_t z[16], const uint8_t x[16], const uint8_t y[16]) {
    uint8_t v[16], r[16] = {0};
    memcpy(v, y, 16);
    for (int i = 0; i < 128; i++) {
        if (x[i / 8] & (0x80 >> (i % 8)))
            for (int j = 0; j < 16; j++)
                r[j] ^= v[j];
        int lsb = v[15] & 1;
        for (int j = 15; j > 0; j--)
            v[j] = (uint8_t)(v[j] >> 1 | v[j - 1] << 7);
        v[0] >>= 1;
        if (lsb)
            v[0] ^= 0xe1;
    }
    memcpy(z, r, 16);
}

/* Portable GHASH (both the 128-bit-product variant and the bit-reversal
 * variant used where unsigned __int128 is missing) against Algorithm 1. */
static void test_ghash_ct64(void **state) {
    (void)state;
    uint64_t seed = 0x6768617368ull;
    uint8_t h[16], data[100], y1[16], y2[16], yr[16];
    for (int iter = 0; iter < 200; iter++) {
        tv_rng(&seed, h, sizeof h);
        tv_rng(&seed, data, sizeof data);
        if (iter == 0)
            memset(h, 0xff, 16), memset(data, 0xff, sizeof data);
        size_t len = (size_t)iter % (sizeof data + 1);
        tern_ghash_ct64_key gk;
        tern_ghash_ct64_init(&gk, h);
        memset(y1, 0, 16);
        memset(y2, 0, 16);
        memset(yr, 0, 16);
        tern_ghash_ct64(&gk, y1, data, len);
        tern_ghash_ct64_rev(&gk, y2, data, len);
        for (size_t off = 0; off < len; off += 16) {
            uint8_t blk[16] = {0};
            memcpy(blk, data + off, len - off < 16 ? len - off : 16);
            for (int j = 0; j < 16; j++)
                yr[j] ^= blk[j];
            ref_gf_mul(yr, yr, h);
        }
        assert_memory_equal(y1, yr, 16);
        assert_memory_equal(y2, yr, 16);
    }
}

static void test_init_args(void **state) {
    (void)state;
    tern_gcm_key k;
    uint8_t key[32] = {0};
    assert_int_equal(tern_gcm_init(&k, key, 24), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_gcm_init(&k, key, 0), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_gcm_init(&k, key, 33), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_gcm_init(&k, NULL, 16), TERN_ERR_INVALID_ARG);
}

/* ---- McGrew-Viega spec cases ---- */

static void test_mcgrew_viega(void **state) {
    (void)state;
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        tv_file *f = tv_open(tv_path("kat/gcm_spec_mcgrew_viega.txt"));
        tv_case c;
        int ran = 0, skipped = 0;
        while (tv_next(f, &c)) {
            size_t kl, ivl, al, pl, cl, tl;
            uint8_t *key = tv_get_hex(&c, "key", &kl), *iv = tv_get_hex(&c, "iv", &ivl);
            uint8_t *aad = tv_get_hex(&c, "aad", &al), *pt = tv_get_hex(&c, "pt", &pl);
            uint8_t *ct = tv_get_hex(&c, "ct", &cl), *tag = tv_get_hex(&c, "tag", &tl);
            assert_true(key && iv && aad && pt && ct && tag);
            assert_int_equal(pl, cl);
            assert_int_equal(tl, 16);
            if (ivl != 12 || (kl != 16 && kl != 32)) {
                skipped++;
                /* A 192-bit key must be refused, not mishandled. */
                if (kl == 24) {
                    tern_gcm_key k;
                    assert_int_equal(tern_gcm_init(&k, key, kl), TERN_ERR_INVALID_ARG);
                }
            } else {
                check_case(p, key, kl, iv, aad, al, pt, ct, pl, tag, 0, tv_get(&c, "case"));
                /* and the same with the tag's last bit flipped */
                tag[15] ^= 1;
                check_case(p, key, kl, iv, aad, al, pt, ct, pl, tag, 1, tv_get(&c, "case"));
                ran++;
            }
            free(key), free(iv), free(aad), free(pt), free(ct), free(tag);
        }
        tv_close(f);
        print_message("  %s: McGrew-Viega %d cases passed, %d skipped (192-bit key or IV not 96 bits)\n",
                      paths[p].name, ran, skipped);
        assert_int_equal(ran, 8);
        assert_int_equal(skipped, 10);
    }
    restore_env();
}

/* ---- NIST CAVP ---- */

typedef struct {
    uint8_t key[32], iv[12], tag[16];
    size_t keylen, len, aadlen;
    uint8_t *pt, *ct, *aad;
    int fail;
} nist_case;

static nist_case *nist;
static size_t nnist, nist_skipped_tag, nist_skipped_iv, nist_fail_cases;

static void load_nist(const char *file, int decrypt) {
    tv_file *f = tv_open(tv_path(file));
    tv_case c;
    while (tv_next(f, &c)) {
        long ivlen = tv_get_long(&c, "IVlen", -1), taglen = tv_get_long(&c, "Taglen", -1);
        long keylen = tv_get_long(&c, "Keylen", -1);
        assert_true(keylen == 128 || keylen == 256);
        if (ivlen != 96) {
            nist_skipped_iv++;
            continue;
        }
        if (taglen != 128) {
            nist_skipped_tag++;
            continue;
        }
        nist = realloc(nist, (nnist + 1) * sizeof *nist);
        assert_non_null(nist);
        nist_case *n = &nist[nnist++];
        memset(n, 0, sizeof *n);
        n->keylen = (size_t)keylen / 8;
        assert_int_equal(tv_unhex_into(tv_get(&c, "Key"), n->key, n->keylen), 0);
        assert_int_equal(tv_unhex_into(tv_get(&c, "IV"), n->iv, 12), 0);
        assert_int_equal(tv_unhex_into(tv_get(&c, "Tag"), n->tag, 16), 0);
        size_t cl;
        n->ct = tv_get_hex(&c, "CT", &cl);
        n->aad = tv_get_hex(&c, "AAD", &n->aadlen);
        assert_non_null(n->ct);
        assert_non_null(n->aad);
        n->len = cl;
        n->fail = decrypt && tv_get(&c, "FAIL") != NULL;
        if (n->fail) {
            nist_fail_cases++;
            n->pt = malloc(1);
        } else {
            size_t pl;
            n->pt = tv_get_hex(&c, "PT", &pl);
            assert_non_null(n->pt);
            assert_int_equal(pl, cl);
        }
        assert_int_equal(tv_get_long(&c, "PTlen", -1), (long)cl * 8);
    }
    tv_close(f);
}

static void test_nist_cavp(void **state) {
    (void)state;
    load_nist("kat/nist-cavp/gcmEncryptExtIV128.rsp", 0);
    load_nist("kat/nist-cavp/gcmEncryptExtIV256.rsp", 0);
    load_nist("kat/nist-cavp/gcmDecrypt128.rsp", 1);
    load_nist("kat/nist-cavp/gcmDecrypt256.rsp", 1);
    print_message("  NIST CAVP: %zu cases with 96-bit IV and 128-bit tag (%zu of them FAIL cases); "
                  "skipped %zu with other IV lengths and %zu with tags under 128 bits\n",
                  nnist, nist_fail_cases, nist_skipped_iv, nist_skipped_tag);
    /* 375 + 375 + 375 + 375 (the 96-bit IV, 128-bit tag groups). */
    assert_int_equal(nnist, 1500);
    assert_true(nist_fail_cases > 0);
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        for (size_t i = 0; i < nnist; i++) {
            nist_case *n = &nist[i];
            char what[64];
            snprintf(what, sizeof what, "NIST case %zu", i);
            check_case(p, n->key, n->keylen, n->iv, n->aad, n->aadlen, n->pt, n->ct, n->len, n->tag, n->fail,
                       what);
        }
        print_message("  %s: NIST CAVP %zu cases passed\n", paths[p].name, nnist);
    }
    for (size_t i = 0; i < nnist; i++)
        free(nist[i].pt), free(nist[i].ct), free(nist[i].aad);
    free(nist);
    nist = NULL;
    nnist = 0;
    restore_env();
}

/* ---- Wycheproof ---- */

static void test_wycheproof(void **state) {
    (void)state;
    json *root = json_load(tv_path("wycheproof/aes_gcm_test.json"));
    const json *groups = json_get(root, "testGroups");
    assert_non_null(groups);
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        int valid = 0, invalid = 0, unsup_iv = 0, unsup_key = 0;
        for (size_t g = 0; g < groups->n; g++) {
            const json *grp = groups->items[g];
            int ivsize = (int)json_num(grp, "ivSize", -1), keysize = (int)json_num(grp, "keySize", -1);
            int tagsize = (int)json_num(grp, "tagSize", -1);
            const json *tests = json_get(grp, "tests");
            for (size_t t = 0; t < tests->n; t++) {
                const json *tc = tests->items[t];
                size_t kl, ivl, al, ml, cl, tl;
                uint8_t *key = tv_unhex(json_str(tc, "key"), &kl), *iv = tv_unhex(json_str(tc, "iv"), &ivl);
                uint8_t *aad = tv_unhex(json_str(tc, "aad"), &al), *msg = tv_unhex(json_str(tc, "msg"), &ml);
                uint8_t *ct = tv_unhex(json_str(tc, "ct"), &cl), *tag = tv_unhex(json_str(tc, "tag"), &tl);
                const char *result = json_str(tc, "result");
                char what[64];
                snprintf(what, sizeof what, "Wycheproof tcId %d", (int)json_num(tc, "tcId", -1));
                assert_int_equal(tagsize, 128);
                assert_int_equal(tl, 16);
                if (kl != 16 && kl != 32) {
                    /* AES-192: refused at init. */
                    tern_gcm_key k;
                    assert_int_equal(tern_gcm_init(&k, key, kl), TERN_ERR_INVALID_ARG);
                    unsup_key++;
                } else if (ivsize != 96 || ivl != 12) {
                    /* The API takes exactly 12-byte nonces: such a record
                     * cannot even be expressed, so it is never accepted. */
                    unsup_iv++;
                } else if (strcmp(result, "valid") == 0) {
                    assert_int_equal(ml, cl);
                    check_case(p, key, kl, iv, aad, al, msg, ct, ml, tag, 0, what);
                    valid++;
                } else {
                    assert_string_equal(result, "invalid");
                    check_case(p, key, kl, iv, aad, al, msg, ct, cl, tag, 1, what);
                    invalid++;
                }
                (void)keysize;
                free(key), free(iv), free(aad), free(msg), free(ct), free(tag);
            }
        }
        print_message("  %s: Wycheproof %d valid accepted, %d invalid rejected; unsupported: %d with IVs "
                      "other than 96 bits, %d with 192-bit keys\n",
                      paths[p].name, valid, invalid, unsup_iv, unsup_key);
        assert_int_equal(valid, 79);
        assert_int_equal(invalid, 54);
    }
    json_free(root);
    restore_env();
}

/* ---- random cross-checks between paths and against OpenSSL ---- */

#ifdef TERN_TEST_HAVE_OPENSSL
static void openssl_seal(const uint8_t *key, size_t keylen, const uint8_t *iv, const uint8_t *aad, size_t aadlen,
                         const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16]) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n;
    assert_non_null(ctx);
    assert_int_equal(EVP_EncryptInit_ex(ctx, keylen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), NULL, key, iv),
                     1);
    assert_int_equal(EVP_EncryptUpdate(ctx, NULL, &n, aad, (int)aadlen), 1);
    if (len)
        assert_int_equal(EVP_EncryptUpdate(ctx, out, &n, in, (int)len), 1);
    assert_int_equal(EVP_EncryptFinal_ex(ctx, out + len, &n), 1);
    assert_int_equal(EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag), 1);
    EVP_CIPHER_CTX_free(ctx);
}
#endif

#define XMAX 2048
static void test_cross_random(void **state) {
    (void)state;
    uint64_t seed = 0x7465726e67636d31ull;
    static uint8_t pt[XMAX + 16], aad[80], ref[XMAX + 16], out[XMAX + 16], buf[XMAX + 16];
    uint8_t key[32], iv[12], reftag[16], tag[16];
    int have[NPATHS], compared = 0, ossl = 0;
    for (size_t p = 0; p < NPATHS; p++)
        have[p] = use_path(p);
    for (int iter = 0; iter < 300; iter++) {
        size_t keylen = (iter & 1) ? 32 : 16;
        uint8_t r[4];
        tv_rng(&seed, key, sizeof key);
        tv_rng(&seed, iv, sizeof iv);
        tv_rng(&seed, r, sizeof r);
        /* Lengths 0..2048, mostly not multiples of 16; some edges. */
        size_t len = ((size_t)r[0] << 8 | r[1]) % (XMAX + 1);
        static const size_t edges[] = {0, 1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 2047, 2048};
        if (iter < (int)(sizeof edges / sizeof edges[0]))
            len = edges[iter];
        size_t aadlen = r[2] % 70;
        tv_rng(&seed, pt, len);
        tv_rng(&seed, aad, aadlen);
        int have_ref = 0;
        for (size_t p = 0; p < NPATHS; p++) {
            if (!have[p])
                continue;
            use_path(p);
            tern_gcm_key k;
            init_on_path(&k, p, key, keylen);
            tern_gcm_seal(&k, iv, aad, aadlen, pt, len, out, tag);
            if (!have_ref) {
                memcpy(ref, out, len);
                memcpy(reftag, tag, 16);
                have_ref = 1;
            } else {
                if (memcmp(ref, out, len) != 0 || memcmp(reftag, tag, 16) != 0)
                    fail_msg("iter %d len %zu aad %zu: %s differs from portable", iter, len, aadlen,
                             paths[p].name);
                compared++;
            }
            /* in place */
            memcpy(buf, pt, len);
            tern_gcm_seal(&k, iv, aad, aadlen, buf, len, buf, tag);
            assert_memory_equal(buf, ref, len);
            assert_memory_equal(tag, reftag, 16);
            assert_int_equal(tern_gcm_open(&k, iv, aad, aadlen, buf, len, tag, buf), 0);
            assert_memory_equal(buf, pt, len);
            /* a flipped bit anywhere (ciphertext, aad, tag) is rejected, output zeroed */
            size_t where = ((size_t)r[3] * 131) % (len + aadlen + 16);
            uint8_t *flip = where < len ? ref + where : where < len + aadlen ? aad + (where - len)
                                                                                : reftag + (where - len - aadlen);
            *flip ^= (uint8_t)(1u << (r[3] & 7));
            memset(buf, 0x5a, len);
            assert_int_equal(tern_gcm_open(&k, iv, aad, aadlen, ref, len, reftag, buf), TERN_ERR_BAD_RECORD_MAC);
            for (size_t i = 0; i < len; i++)
                assert_int_equal(buf[i], 0);
            *flip ^= (uint8_t)(1u << (r[3] & 7));
            tern_gcm_wipe(&k);
        }
#ifdef TERN_TEST_HAVE_OPENSSL
        openssl_seal(key, keylen, iv, aad, aadlen, pt, len, out, tag);
        if (memcmp(ref, out, len) != 0 || memcmp(reftag, tag, 16) != 0)
            fail_msg("iter %d len %zu aad %zu: OpenSSL differs", iter, len, aadlen);
        ossl++;
#endif
    }
    print_message("  random: 300 key/nonce/length sets, %d cross-path comparisons, %d OpenSSL comparisons\n",
                  compared, ossl);
    restore_env();
}

/* Record-sized inputs (up to a full TLS record plus expansion), and AAD
 * longer than one GHASH aggregation (256 bytes), give the same output on
 * every path and in OpenSSL. */
static void test_cross_large(void **state) {
    (void)state;
    static const size_t lens[] = {4096 + 1, 16384, 16384 + 2048 - 3, 0, 33};
    static const size_t aadlens[] = {13, 1000, 257, 4097, 256};
    size_t maxlen = 16384 + 2048;
    uint8_t *pt = malloc(maxlen), *ref = malloc(maxlen), *out = malloc(maxlen);
    uint8_t key[32], iv[12], aad[4097], reftag[16], tag[16];
    uint64_t seed = 0x6c61726765ull;
    assert_true(pt && ref && out);
    for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
        size_t len = lens[li], aadlen = aadlens[li], keylen = (li & 1) ? 32 : 16;
        tv_rng(&seed, key, sizeof key);
        tv_rng(&seed, iv, sizeof iv);
        tv_rng(&seed, aad, aadlen);
        tv_rng(&seed, pt, len);
        int have_ref = 0;
        for (size_t p = 0; p < NPATHS; p++) {
            if (!use_path(p))
                continue;
            tern_gcm_key k;
            init_on_path(&k, p, key, keylen);
            tern_gcm_seal(&k, iv, aad, aadlen, pt, len, out, tag);
            if (!have_ref) {
                memcpy(ref, out, len);
                memcpy(reftag, tag, 16);
                have_ref = 1;
            } else if (memcmp(ref, out, len) != 0 || memcmp(reftag, tag, 16) != 0) {
                fail_msg("len %zu aad %zu: %s differs from portable", len, aadlen, paths[p].name);
            }
            assert_int_equal(tern_gcm_open(&k, iv, aad, aadlen, out, len, tag, out), 0);
            assert_memory_equal(out, pt, len);
            tern_gcm_wipe(&k);
        }
#ifdef TERN_TEST_HAVE_OPENSSL
        openssl_seal(key, keylen, iv, aad, aadlen, pt, len, out, tag);
        assert_memory_equal(out, ref, len);
        assert_memory_equal(tag, reftag, 16);
#endif
    }
    free(pt), free(ref), free(out);
    restore_env();
}

/* ---- the key's memory: tern_gcm_key_size, short storage, wipe ---- */

/* What tern_gcm_key_size() must say on each path (crypto/aes_internal.h):
 * portable 16 + 120 * 8 + 15 * 8 = 1096 -> 1104; the PCLMUL paths
 * 16 + 240 + 16 * 16 + 9 * 16 = 656. */
static const size_t path_key_size[NPATHS] = {1104, 656, 656};

static void test_key_size(void **state) {
    (void)state;
    assert_true(sizeof(tern_gcm_key) <= 1104);
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        size_t size = tern_gcm_key_size();
        print_message("  %s: tern_gcm_key_size() = %zu (sizeof(tern_gcm_key) = %zu)\n", paths[p].name, size,
                      sizeof(tern_gcm_key));
        assert_int_equal(size % 16, 0);
        assert_true(size <= sizeof(tern_gcm_key));
        assert_int_equal(size, path_key_size[p]);
        /* and it is what a key made now uses, for either key length */
        uint8_t key[32] = {7};
        tern_gcm_key k;
        for (size_t kl = 16; kl <= 32; kl += 16) {
            assert_int_equal(tern_gcm_init(&k, key, kl), 0);
            assert_int_equal(tern_gcm_impl_key_size(k.impl), size);
            tern_gcm_wipe(&k);
        }
    }
    assert_int_equal(tern_gcm_impl_key_size(TERN_GCM_IMPL_NONE), 16);
    assert_int_equal(tern_gcm_impl_key_size(TERN_GCM_NIMPL), 16);
    assert_int_equal(tern_gcm_impl_key_size(0xffffffffu), 16);
    restore_env();
}

/* Run seal and open (in and out of place, a forgery) through key kt and the
 * reference key kr (a full struct, same key, same path) over a spread of
 * lengths; everything must agree. */
static void same_results(const tern_gcm_key *kt, const tern_gcm_key *kr, uint64_t *seed, const char *what) {
    static const size_t lens[] = {0, 1, 13, 16, 100, 112, 113, 255, 256, 257, 1000, 4096 + 7, 16384};
    static uint8_t pt[16384], ref[16384], out[16384], buf[16384];
    uint8_t iv[12], aad[40], reftag[16], tag[16];
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = lens[i], aadlen = (i * 7) % sizeof aad;
        tv_rng(seed, iv, sizeof iv);
        tv_rng(seed, aad, aadlen);
        tv_rng(seed, pt, len);
        tern_gcm_seal(kr, iv, aad, aadlen, pt, len, ref, reftag);
        tern_gcm_seal(kt, iv, aad, aadlen, pt, len, out, tag);
        if (memcmp(out, ref, len) != 0 || memcmp(tag, reftag, 16) != 0)
            fail_msg("%s: len %zu: seal differs from the full-struct key", what, len);
        memcpy(buf, pt, len);
        tern_gcm_seal(kt, iv, aad, aadlen, buf, len, buf, tag);
        assert_memory_equal(buf, ref, len);
        assert_memory_equal(tag, reftag, 16);
        assert_int_equal(tern_gcm_open(kt, iv, aad, aadlen, buf, len, tag, buf), 0);
        assert_memory_equal(buf, pt, len);
        memset(out, 0x33, len);
        assert_int_equal(tern_gcm_open(kt, iv, aad, aadlen, ref, len, reftag, out), 0);
        assert_memory_equal(out, pt, len);
        /* a forgery: the tag's bit i % 128 flipped */
        reftag[(i % 128) / 8] ^= (uint8_t)(1u << (i % 8));
        memset(out, 0x5a, len);
        assert_int_equal(tern_gcm_open(kt, iv, aad, aadlen, ref, len, reftag, out), TERN_ERR_BAD_RECORD_MAC);
        for (size_t j = 0; j < len; j++)
            assert_int_equal(out[j], 0);
    }
}

/* A key in a heap block of exactly tern_gcm_key_size() bytes (ASan reports
 * any access past it), AES-128 and AES-256, against a full struct. */
static void test_short_storage(void **state) {
    (void)state;
    uint64_t seed = 0x73686f7274ull;
    uint8_t key[32];
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        size_t size = tern_gcm_key_size();
        for (size_t kl = 16; kl <= 32; kl += 16) {
            tv_rng(&seed, key, sizeof key);
            uint8_t *mem = malloc(size);
            assert_non_null(mem);
            assert_int_equal((uintptr_t)mem % 16, 0); /* what glibc's malloc gives */
            tern_gcm_key *k = (tern_gcm_key *)(void *)mem;
            tern_gcm_key full;
            init_on_path(k, p, key, kl);
            init_on_path(&full, p, key, kl);
            /* the used bytes are the same in both */
            assert_memory_equal(mem, &full, size);
            char what[64];
            snprintf(what, sizeof what, "%s AES-%zu, %zu-byte key storage", paths[p].name, 8 * kl, size);
            same_results(k, &full, &seed, what);
            tern_gcm_wipe(k);
            if (!tv_all_zero(mem, size))
                fail_msg("%s: wipe left bytes", what);
            assert_string_equal(tern_gcm_impl_name(k), "none");
            tern_gcm_wipe(k); /* a second wipe is harmless */
            free(mem);
            tern_gcm_wipe(&full);
        }
        print_message("  %s: keys in %zu-byte heap blocks give the full-struct results (AES-128/256)\n",
                      paths[p].name, size);
    }
    restore_env();
}

/* The key at 16, 32 and 48 bytes past a 64-byte boundary (16-byte
 * alignment is all the storage promises), with a guard band after
 * tern_gcm_key_size() bytes that nothing may change. */
static void test_key_alignment(void **state) {
    (void)state;
    uint64_t seed = 0x616c69676eull;
    uint8_t key[32];
    /* aligned_alloc wants a multiple of the alignment */
    const size_t total = (64 + sizeof(tern_gcm_key) + 64 + 63) / 64 * 64;
    uint8_t *mem = aligned_alloc(64, total);
    assert_non_null(mem);
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        size_t size = tern_gcm_key_size();
        for (size_t off = 16; off < 64; off += 16) {
            size_t kl = off == 32 ? 16 : 32;
            tv_rng(&seed, key, sizeof key);
            memset(mem, 0xa5, total);
            tern_gcm_key *k = (tern_gcm_key *)(void *)(mem + off);
            tern_gcm_key full;
            init_on_path(k, p, key, kl);
            init_on_path(&full, p, key, kl);
            char what[64];
            snprintf(what, sizeof what, "%s AES-%zu at 64n+%zu", paths[p].name, 8 * kl, off);
            same_results(k, &full, &seed, what);
            tern_gcm_wipe(k);
            assert_true(tv_all_zero(mem + off, size));
            for (size_t i = 0; i < total; i++)
                if ((i < off || i >= off + size) && mem[i] != 0xa5)
                    fail_msg("%s: byte %zd from the key's start changed", what, (ptrdiff_t)i - (ptrdiff_t)off);
            tern_gcm_wipe(&full);
        }
    }
    free(mem);
    restore_env();
}

/* tern_gcm_wipe clears exactly the bytes the key's implementation uses;
 * a key never set up (zeroed, a failed init, a header tern_gcm_init did not
 * write) gets its header wiped and nothing else, seals zeros and opens
 * nothing. */
static void test_wipe_and_unset_keys(void **state) {
    (void)state;
    uint8_t key[32] = {1, 2, 3, 4};
    static tern_gcm_key k;
    uint8_t *raw = (uint8_t *)&k;
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        size_t size = tern_gcm_key_size();
        for (size_t kl = 16; kl <= 32; kl += 16) {
            memset(&k, 0xc3, sizeof k);
            init_on_path(&k, p, key, kl);
            /* init wrote nothing past its size */
            for (size_t i = size; i < sizeof k; i++)
                assert_int_equal(raw[i], 0xc3);
            assert_false(tv_all_zero(raw + 16, size - 16));
            tern_gcm_wipe(&k);
            assert_true(tv_all_zero(raw, size));
            for (size_t i = size; i < sizeof k; i++)
                assert_int_equal(raw[i], 0xc3);
        }
    }
    restore_env();

    uint8_t pt[40], out[40], tag[16], iv[12] = {0};
    memset(pt, 0x77, sizeof pt);
    /* a zeroed key, a failed init, garbage headers */
    for (int v = 0; v < 5; v++) {
        memset(&k, 0xc3, sizeof k);
        switch (v) {
        case 0: k.rounds = 0, k.impl = 0; break;
        case 1: assert_int_equal(tern_gcm_init(&k, key, 24), TERN_ERR_INVALID_ARG); break;
        case 2: assert_int_equal(tern_gcm_init(&k, NULL, 16), TERN_ERR_INVALID_ARG); break;
        case 3: k.rounds = 10, k.impl = TERN_GCM_NIMPL; break;
        default: k.rounds = 12, k.impl = TERN_GCM_IMPL_AESNI; break;
        }
        assert_string_equal(tern_gcm_impl_name(&k), "none");
        memset(out, 0x11, sizeof out);
        memset(tag, 0x11, sizeof tag);
        tern_gcm_seal(&k, iv, NULL, 0, pt, sizeof pt, out, tag);
        assert_true(tv_all_zero(out, sizeof out));
        assert_true(tv_all_zero(tag, sizeof tag));
        /* not even the tag such a key "makes" opens */
        memset(out, 0x11, sizeof out);
        assert_int_equal(tern_gcm_open(&k, iv, NULL, 0, pt, sizeof pt, tag, out), TERN_ERR_BAD_RECORD_MAC);
        assert_true(tv_all_zero(out, sizeof out));
        tern_gcm_wipe(&k);
        assert_true(tv_all_zero(raw, 16));
        for (size_t i = 16; i < sizeof k; i++)
            assert_int_equal(raw[i], 0xc3);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_aes_ct64_fips197), cmocka_unit_test(test_ghash_ct64), cmocka_unit_test(test_init_args),
        cmocka_unit_test(test_mcgrew_viega),     cmocka_unit_test(test_nist_cavp),
        cmocka_unit_test(test_wycheproof),       cmocka_unit_test(test_cross_random),
        cmocka_unit_test(test_cross_large),      cmocka_unit_test(test_key_size),
        cmocka_unit_test(test_short_storage),    cmocka_unit_test(test_key_alignment),
        cmocka_unit_test(test_wipe_and_unset_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
