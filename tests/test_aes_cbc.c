/*
 * Tests for crypto/aes_cbc.h: AES-CBC (SP 800-38A §6.2) with 128/192/256-bit
 * keys on every implementation path this CPU has (portable bitsliced,
 * aesni), forced with TERN_CPU + tern_cpu_reset(); a path the CPU lacks is
 * skipped with a message.  And the PKCS#7 padding check tern_cbc_unpad.
 *
 * Vectors: FIPS 197 Appendix C (C.1-C.3: the single-block cipher, checked
 * in both directions as one-block CBC with a zero IV, and eight blocks at
 * once through the bitsliced decrypt8), NIST SP 800-38A Appendix F.2
 * (F.2.1-F.2.6: CBC-AES128/192/256 encrypt and decrypt, four blocks).
 * Then random round trips against OpenSSL's EVP (when linked) and between
 * the paths, in place, every length from 0 to 40 blocks (the 8-block
 * batches and their tails), bad arguments, and the padding check: every
 * last-byte value, every single-byte corruption, and agreement with
 * OpenSSL's EVP_DecryptFinal_ex on random blocks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/aes_cbc.h"
#include "crypto/aes_internal.h"
#include "crypto/cpu.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

/* ---- implementation paths ---- */

typedef struct {
    const char *name; /* what tern_aes_cbc_impl_name must report */
    const char *env;  /* TERN_CPU value (NULL: unset, all features) */
    uint32_t need;    /* CPU features the path needs */
} cbc_path;

static const cbc_path paths[] = {
    {"portable", "portable", 0},
    {"aesni", NULL, TERN_CPU_AESNI | TERN_CPU_SSSE3 | TERN_CPU_SSE41},
};
#define NPATHS (sizeof paths / sizeof paths[0])

static int use_path(size_t i) {
    tv_use_cpu(paths[i].env);
    if (!tern_cpu_has(paths[i].need)) {
        print_message("  [skip] %s: this CPU lacks the features it needs\n", paths[i].name);
        return 0;
    }
    assert_string_equal(tern_aes_cbc_impl_name(), paths[i].name);
    return 1;
}

static uint8_t *unhex(const char *hex, size_t *len) {
    uint8_t *p = tv_unhex(hex, len);
    assert_non_null(p);
    return p;
}

/* ---- FIPS 197 Appendix C ---- */

static const struct {
    const char *key, *pt, *ct;
} fips197[] = {
    {"000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", "69c4e0d86a7b0430d8cdb78070b4c55a"},
    {"000102030405060708090a0b0c0d0e0f1011121314151617", "00112233445566778899aabbccddeeff",
     "dda97ca4864cdfe06eaf70a0ec0d7191"},
    {"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", "00112233445566778899aabbccddeeff",
     "8ea2b7ca516745bfeafc49904b496089"},
};

static void test_fips197(void **state) {
    (void)state;
    static const uint8_t zero_iv[16] = {0};
    int ran = 0;
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        for (size_t i = 0; i < 3; i++) {
            size_t kl, pl, cl;
            uint8_t *key = unhex(fips197[i].key, &kl), *pt = unhex(fips197[i].pt, &pl),
                    *ct = unhex(fips197[i].ct, &cl);
            uint8_t out[16];
            assert_int_equal(tern_aes_cbc_decrypt(key, kl, zero_iv, ct, 16, out), 0);
            if (memcmp(out, pt, 16) != 0)
                fail_msg("FIPS 197 C.%zu inverse cipher (%s) wrong", i + 1, paths[p].name);
            assert_int_equal(tern_aes_cbc_encrypt(key, kl, zero_iv, pt, 16, out), 0);
            if (memcmp(out, ct, 16) != 0)
                fail_msg("FIPS 197 C.%zu cipher (%s) wrong", i + 1, paths[p].name);
            ran++;
            free(key);
            free(pt);
            free(ct);
        }
    }
    tv_use_cpu(NULL);
    /* The bitsliced cipher directly: eight different blocks in every slot
     * (so a mix-up between slots or lanes shows), both directions. */
    for (size_t i = 0; i < 3; i++) {
        size_t kl, pl, cl;
        uint8_t *key = unhex(fips197[i].key, &kl), *pt = unhex(fips197[i].pt, &pl), *ct = unhex(fips197[i].ct, &cl);
        uint32_t w[60];
        uint64_t sk[TERN_AES_CT64_SKEY_WORDS];
        unsigned rounds = tern_aes_expand_key(w, key, kl);
        assert_int_equal(rounds, 6 + kl / 4);
        tern_aes_ct64_skey_from_words(sk, w, rounds);
        uint8_t blocks[128], enc[128], dec[128];
        for (int b = 0; b < 8; b++)
            for (int j = 0; j < 16; j++)
                blocks[16 * b + j] = (uint8_t)(pt[j] ^ (b * 0x11));
        tern_aes_ct64_encrypt8(sk, rounds, blocks, enc);
        assert_memory_equal(enc, ct, 16); /* block 0 is the FIPS plaintext */
        tern_aes_ct64_decrypt8(sk, rounds, enc, dec);
        assert_memory_equal(dec, blocks, 128);
        for (int b = 0; b < 8; b++) {
            uint8_t one[128] = {0};
            memcpy(one, enc + 16 * b, 16);
            tern_aes_ct64_decrypt8(sk, rounds, one, one);
            assert_memory_equal(one, blocks + 16 * b, 16);
        }
        free(key);
        free(pt);
        free(ct);
    }
    print_message("  FIPS 197 C.1-C.3: %d path/key cases, both directions\n", ran);
    assert_true(ran >= 3);
}

/* ---- SP 800-38A F.2 ---- */

#define SP_IV "000102030405060708090a0b0c0d0e0f"
#define SP_PT                                                                                              \
    "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52ef" \
    "f69f2445df4f9b17ad2b417be66c3710"

static const struct {
    const char *name, *key, *ct;
} sp800_38a[] = {
    {"F.2.1/F.2.2 CBC-AES128", "2b7e151628aed2a6abf7158809cf4f3c",
     "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b273bed6b8e3c1743b7116e69e22229516"
     "3ff1caa1681fac09120eca307586e1a7"},
    {"F.2.3/F.2.4 CBC-AES192", "8e73b0f7da0e6452c810f32b809079e562f8ead2522c6b7b",
     "4f021db243bc633d7178183a9fa071e8b4d9ada9ad7dedf4e5e738763f69145a571b242012fb7ae07fa9baac3df102e0"
     "08b0e27988598881d920a9e64f5615cd"},
    {"F.2.5/F.2.6 CBC-AES256", "603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4",
     "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d39f23369a9d9bacfa530e26304231461"
     "b2eb05e2c39be9fcda6c19078c6a9d1b"},
};

static void test_sp800_38a(void **state) {
    (void)state;
    int ran = 0;
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        for (size_t i = 0; i < 3; i++) {
            size_t kl, ivl, pl, cl;
            uint8_t *key = unhex(sp800_38a[i].key, &kl), *iv = unhex(SP_IV, &ivl), *pt = unhex(SP_PT, &pl),
                    *ct = unhex(sp800_38a[i].ct, &cl);
            assert_int_equal(pl, 64);
            assert_int_equal(cl, 64);
            uint8_t out[64];
            assert_int_equal(tern_aes_cbc_encrypt(key, kl, iv, pt, 64, out), 0);
            if (memcmp(out, ct, 64) != 0)
                fail_msg("SP 800-38A %s encrypt (%s) wrong", sp800_38a[i].name, paths[p].name);
            assert_int_equal(tern_aes_cbc_decrypt(key, kl, iv, ct, 64, out), 0);
            if (memcmp(out, pt, 64) != 0)
                fail_msg("SP 800-38A %s decrypt (%s) wrong", sp800_38a[i].name, paths[p].name);
            /* in place, both directions */
            memcpy(out, pt, 64);
            assert_int_equal(tern_aes_cbc_encrypt(key, kl, iv, out, 64, out), 0);
            assert_memory_equal(out, ct, 64);
            assert_int_equal(tern_aes_cbc_decrypt(key, kl, iv, out, 64, out), 0);
            assert_memory_equal(out, pt, 64);
            /* a suffix decrypts with the previous ciphertext block as IV */
            assert_int_equal(tern_aes_cbc_decrypt(key, kl, ct + 16, ct + 32, 32, out), 0);
            assert_memory_equal(out, pt + 32, 32);
            ran++;
            free(key);
            free(iv);
            free(pt);
            free(ct);
        }
    }
    tv_use_cpu(NULL);
    print_message("  SP 800-38A F.2: %d path/key cases (encrypt, decrypt, in place)\n", ran);
    assert_true(ran >= 3);
}

/* ---- random round trips, across paths and against OpenSSL ---- */

#define MAXBLK 40

#ifdef TERN_TEST_HAVE_OPENSSL
static const EVP_CIPHER *evp_cbc(size_t keylen) {
    return keylen == 16 ? EVP_aes_128_cbc() : keylen == 24 ? EVP_aes_192_cbc() : EVP_aes_256_cbc();
}

static void openssl_cbc(int enc, const uint8_t *key, size_t keylen, const uint8_t *iv, const uint8_t *in, size_t len,
                        uint8_t *out) {
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int n = 0, m = 0;
    assert_non_null(ctx);
    assert_int_equal(EVP_CipherInit_ex(ctx, evp_cbc(keylen), NULL, key, iv, enc), 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    assert_int_equal(EVP_CipherUpdate(ctx, out, &n, in, (int)len), 1);
    assert_int_equal(EVP_CipherFinal_ex(ctx, out + n, &m), 1);
    assert_int_equal((size_t)(n + m), len);
    EVP_CIPHER_CTX_free(ctx);
}
#endif

static void test_random(void **state) {
    (void)state;
    static const size_t keylens[3] = {16, 24, 32};
    uint64_t seed = 0xcbcu;
    uint8_t key[32], iv[16], pt[16 * MAXBLK], ct[16 * MAXBLK], ref[16 * MAXBLK], out[16 * MAXBLK];
    int cases = 0, openssl_cases = 0;
    for (size_t nblk = 0; nblk <= MAXBLK; nblk++) {
        for (size_t k = 0; k < 3; k++) {
            size_t kl = keylens[k], len = 16 * nblk;
            assert_int_equal(tv_rng(&seed, key, sizeof key), 0);
            assert_int_equal(tv_rng(&seed, iv, sizeof iv), 0);
            assert_int_equal(tv_rng(&seed, pt, sizeof pt), 0);
            /* The reference: the portable path (checked against the
             * published vectors above). */
            tv_use_cpu("portable");
            assert_int_equal(tern_aes_cbc_encrypt(key, kl, iv, pt, len, ref), 0);
#ifdef TERN_TEST_HAVE_OPENSSL
            if (len > 0) {
                openssl_cbc(1, key, kl, iv, pt, len, out);
                if (memcmp(out, ref, len) != 0)
                    fail_msg("AES-%zu-CBC %zu blocks: OpenSSL's ciphertext differs", 8 * kl, nblk);
                openssl_cbc(0, key, kl, iv, ref, len, out);
                assert_memory_equal(out, pt, len);
                openssl_cases++;
            }
#endif
            for (size_t p = 0; p < NPATHS; p++) {
                tv_use_cpu(paths[p].env);
                if (!tern_cpu_has(paths[p].need))
                    continue;
                memset(ct, 0xa5, sizeof ct);
                assert_int_equal(tern_aes_cbc_encrypt(key, kl, iv, pt, len, ct), 0);
                if (memcmp(ct, ref, len) != 0)
                    fail_msg("AES-%zu-CBC %zu blocks: %s encrypt differs", 8 * kl, nblk, paths[p].name);
                if (len < sizeof ct)
                    assert_int_equal(ct[len], 0xa5); /* no overrun */
                memset(out, 0x5a, sizeof out);
                assert_int_equal(tern_aes_cbc_decrypt(key, kl, iv, ct, len, out), 0);
                if (memcmp(out, pt, len) != 0)
                    fail_msg("AES-%zu-CBC %zu blocks: %s decrypt differs", 8 * kl, nblk, paths[p].name);
                if (len < sizeof out)
                    assert_int_equal(out[len], 0x5a);
                /* in place */
                memcpy(out, ct, len);
                assert_int_equal(tern_aes_cbc_decrypt(key, kl, iv, out, len, out), 0);
                if (memcmp(out, pt, len) != 0)
                    fail_msg("AES-%zu-CBC %zu blocks: %s in-place decrypt differs", 8 * kl, nblk, paths[p].name);
                assert_int_equal(tern_aes_cbc_encrypt(key, kl, iv, out, len, out), 0);
                assert_memory_equal(out, ct, len);
                cases++;
            }
        }
    }
    tv_use_cpu(NULL);
#ifdef TERN_TEST_HAVE_OPENSSL
    print_message("  %d path cases (0..%d blocks, 3 key sizes); %d checked against OpenSSL\n", cases, MAXBLK,
                  openssl_cases);
    assert_int_equal(openssl_cases, MAXBLK * 3);
#else
    print_message("  %d path cases; OpenSSL comparison skipped (libcrypto not linked)\n", cases);
#endif
}

/* Larger buffers (a 16 KiB record-sized one and an odd size) between
 * the paths and, when linked, OpenSSL. */
static void test_large(void **state) {
    (void)state;
    const size_t len = 16384 + 16 * 7;
    uint8_t *pt = malloc(len), *ref = malloc(len), *out = malloc(len);
    assert_non_null(pt);
    assert_non_null(ref);
    assert_non_null(out);
    uint64_t seed = 7;
    uint8_t key[32], iv[16];
    assert_int_equal(tv_rng(&seed, pt, len), 0);
    assert_int_equal(tv_rng(&seed, key, 32), 0);
    assert_int_equal(tv_rng(&seed, iv, 16), 0);
    tv_use_cpu("portable");
    assert_int_equal(tern_aes_cbc_encrypt(key, 32, iv, pt, len, ref), 0);
#ifdef TERN_TEST_HAVE_OPENSSL
    openssl_cbc(1, key, 32, iv, pt, len, out);
    assert_memory_equal(out, ref, len);
#endif
    for (size_t p = 0; p < NPATHS; p++) {
        if (!use_path(p))
            continue;
        assert_int_equal(tern_aes_cbc_decrypt(key, 32, iv, ref, len, out), 0);
        assert_memory_equal(out, pt, len);
    }
    tv_use_cpu(NULL);
    free(pt);
    free(ref);
    free(out);
}

static void test_bad_args(void **state) {
    (void)state;
    uint8_t key[32] = {0}, iv[16] = {0}, buf[64] = {0};
    static const size_t badkeys[] = {0, 1, 8, 15, 17, 20, 23, 25, 31, 33, 64};
    for (size_t i = 0; i < sizeof badkeys / sizeof badkeys[0]; i++) {
        assert_int_equal(tern_aes_cbc_encrypt(key, badkeys[i], iv, buf, 16, buf), TERN_ERR_INVALID_ARG);
        assert_int_equal(tern_aes_cbc_decrypt(key, badkeys[i], iv, buf, 16, buf), TERN_ERR_INVALID_ARG);
    }
    static const size_t badlens[] = {1, 15, 17, 31, 33, 63};
    for (size_t i = 0; i < sizeof badlens / sizeof badlens[0]; i++) {
        assert_int_equal(tern_aes_cbc_encrypt(key, 16, iv, buf, badlens[i], buf), TERN_ERR_INVALID_ARG);
        assert_int_equal(tern_aes_cbc_decrypt(key, 16, iv, buf, badlens[i], buf), TERN_ERR_INVALID_ARG);
    }
    assert_int_equal(tern_aes_cbc_decrypt(NULL, 16, iv, buf, 16, buf), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_aes_cbc_decrypt(key, 16, NULL, buf, 16, buf), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_aes_cbc_decrypt(key, 16, iv, NULL, 16, buf), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_aes_cbc_decrypt(key, 16, iv, buf, 16, NULL), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_aes_cbc_encrypt(key, 16, iv, NULL, 16, buf), TERN_ERR_INVALID_ARG);
    /* Nothing was written by the rejected calls. */
    uint8_t zero[64] = {0};
    assert_memory_equal(buf, zero, 64);
    /* len 0 is a valid empty message. */
    assert_int_equal(tern_aes_cbc_decrypt(key, 24, iv, NULL, 0, NULL), 0);
    assert_int_equal(tern_aes_cbc_encrypt(key, 24, iv, NULL, 0, NULL), 0);
    /* The key expansion itself. */
    uint32_t w[60];
    assert_int_equal(tern_aes_expand_key(w, key, 20), 0);
    assert_int_equal(tern_aes_expand_key(w, key, 24), 12);
}

/* ---- PKCS#7 padding ---- */

/* The obvious (branching) definition, to compare against. */
static int ref_unpad(const uint8_t *buf, size_t len, size_t *outlen) {
    if (len == 0 || len % 16 != 0)
        return TERN_ERR_DECRYPT_FAILED;
    size_t p = buf[len - 1];
    if (p < 1 || p > 16)
        return TERN_ERR_DECRYPT_FAILED;
    for (size_t i = 0; i < p; i++)
        if (buf[len - 1 - i] != p)
            return TERN_ERR_DECRYPT_FAILED;
    *outlen = len - p;
    return 0;
}

static void check_unpad(const uint8_t *buf, size_t len) {
    size_t got = 12345, want = 0;
    int rc = tern_cbc_unpad(buf, len, &got);
    int rrc = ref_unpad(buf, len, &want);
    if (rc != rrc)
        fail_msg("unpad of %zu bytes ending %02x: %d, want %d", len, len ? buf[len - 1] : 0, rc, rrc);
    assert_int_equal(got, rc == 0 ? want : 0);
}

static void test_unpad(void **state) {
    (void)state;
    uint8_t buf[48];
    int valid = 0, invalid = 0;
    for (size_t len = 16; len <= 48; len += 16) {
        for (unsigned p = 0; p < 256; p++) {
            memset(buf, 0x77, sizeof buf);
            for (size_t i = 0; i < 16 && i < p; i++)
                buf[len - 1 - i] = (uint8_t)p;
            buf[len - 1] = (uint8_t)p;
            check_unpad(buf, len);
            size_t out;
            if (p >= 1 && p <= 16) {
                assert_int_equal(tern_cbc_unpad(buf, len, &out), 0);
                assert_int_equal(out, len - p);
                valid++;
            } else {
                assert_int_equal(tern_cbc_unpad(buf, len, &out), TERN_ERR_DECRYPT_FAILED);
                invalid++;
            }
            /* every single-byte change of the last block */
            for (size_t j = 0; j < 16; j++)
                for (unsigned flip = 1; flip < 256; flip <<= 1) {
                    buf[len - 16 + j] ^= (uint8_t)flip;
                    check_unpad(buf, len);
                    buf[len - 16 + j] ^= (uint8_t)flip;
                }
        }
    }
    /* Bytes before the padding do not matter, even if they look like it. */
    memset(buf, 0x10, 32);
    buf[31] = 1;
    size_t out = 0;
    assert_int_equal(tern_cbc_unpad(buf, 32, &out), 0);
    assert_int_equal(out, 31);
    memset(buf, 0x10, 32);
    assert_int_equal(tern_cbc_unpad(buf, 32, &out), 0); /* a whole block of padding */
    assert_int_equal(out, 16);
    buf[16] = 0x0f;
    assert_int_equal(tern_cbc_unpad(buf, 32, &out), TERN_ERR_DECRYPT_FAILED);
    assert_int_equal(out, 0);
    /* Lengths and pointers. */
    assert_int_equal(tern_cbc_unpad(buf, 0, &out), TERN_ERR_DECRYPT_FAILED);
    assert_int_equal(tern_cbc_unpad(buf, 15, &out), TERN_ERR_DECRYPT_FAILED);
    assert_int_equal(tern_cbc_unpad(buf, 17, &out), TERN_ERR_DECRYPT_FAILED);
    assert_int_equal(tern_cbc_unpad(NULL, 16, &out), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_cbc_unpad(buf, 16, NULL), TERN_ERR_INVALID_ARG);
    print_message("  padding: %d valid and %d invalid last bytes x 3 lengths, each with 128 one-bit changes\n",
                  valid / 3, invalid / 3);
}

/* tern_cbc_unpad against OpenSSL's own PKCS#7 check: random last blocks,
 * half of them with a valid-looking padding byte, decrypted by OpenSSL with
 * padding on and by tern raw + unpad. */
static void test_unpad_openssl(void **state) {
    (void)state;
#ifdef TERN_TEST_HAVE_OPENSSL
    uint64_t seed = 0x7ad;
    uint8_t key[16], iv[16], pt[32], ct[32], raw[32], ossl[48];
    int agree_ok = 0, agree_bad = 0;
    for (int iter = 0; iter < 4000; iter++) {
        assert_int_equal(tv_rng(&seed, key, sizeof key), 0);
        assert_int_equal(tv_rng(&seed, iv, sizeof iv), 0);
        assert_int_equal(tv_rng(&seed, pt, sizeof pt), 0);
        unsigned p = 1 + pt[0] % 16;
        int style = iter % 4;
        if (style == 0) { /* valid padding */
            memset(pt + 32 - p, (int)p, p);
        } else if (style == 1) { /* valid but one byte off */
            memset(pt + 32 - p, (int)p, p);
            pt[32 - 1 - pt[1] % p] ^= (uint8_t)(1 + pt[2] % 255);
        } else if (style == 2) { /* last byte in range, rest random */
            pt[31] = (uint8_t)p;
        } /* style 3: all random */
        assert_int_equal(tern_aes_cbc_encrypt(key, 16, iv, pt, 32, ct), 0);
        assert_int_equal(tern_aes_cbc_decrypt(key, 16, iv, ct, 32, raw), 0);
        assert_memory_equal(raw, pt, 32);
        size_t tlen = 0;
        int trc = tern_cbc_unpad(raw, 32, &tlen);

        EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
        int n = 0, m = 0;
        assert_non_null(ctx);
        assert_int_equal(EVP_DecryptInit_ex(ctx, EVP_aes_128_cbc(), NULL, key, iv), 1);
        assert_int_equal(EVP_DecryptUpdate(ctx, ossl, &n, ct, 32), 1);
        int ok = EVP_DecryptFinal_ex(ctx, ossl + n, &m) == 1;
        EVP_CIPHER_CTX_free(ctx);
        if (ok) {
            if (trc != 0)
                fail_msg("iter %d: OpenSSL accepts the padding, tern_cbc_unpad rejects it", iter);
            assert_int_equal(tlen, (size_t)(n + m));
            assert_memory_equal(ossl, pt, tlen);
            agree_ok++;
        } else {
            if (trc != TERN_ERR_DECRYPT_FAILED)
                fail_msg("iter %d: OpenSSL rejects the padding, tern_cbc_unpad gives %d", iter, trc);
            agree_bad++;
        }
    }
    print_message("  OpenSSL agrees on %d valid and %d invalid paddings\n", agree_ok, agree_bad);
    assert_true(agree_ok >= 1000 && agree_bad >= 1000);
#else
    print_message("  [skip] OpenSSL's libcrypto is not linked: no cross-check of the padding\n");
    skip();
#endif
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fips197),  cmocka_unit_test(test_sp800_38a),  cmocka_unit_test(test_random),
        cmocka_unit_test(test_large),    cmocka_unit_test(test_bad_args),   cmocka_unit_test(test_unpad),
        cmocka_unit_test(test_unpad_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
