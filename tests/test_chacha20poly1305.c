/*
 * Tests for crypto/chacha20.c, crypto/chacha20_avx2.c, crypto/poly1305.c and
 * crypto/chacha20poly1305.c, crypto/poly1305_avx2.c (RFC 8439): the
 * §2.4.2/§2.5.2/§2.8.2 worked examples, every Wycheproof
 * chacha20_poly1305_test.json case, Poly1305 split at every offset and
 * against a big-number model on both paths, the AVX2 ChaCha20 against the
 * portable one (lengths around every 512-byte boundary, counters that wrap), in-place operation, forgery
 * handling (output zeroed), and with libcrypto a cross-check against
 * OpenSSL on random inputs.  Vector tests run on TERN_CPU=portable and on
 * the default (accelerated) path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/chacha20poly1305.h"
#include "crypto/cpu.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static const char *const paths[] = {"portable", NULL};
#define NPATHS (sizeof paths / sizeof paths[0])

static void test_rfc8439(void **state) {
    (void)state;
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        tv_file *f = tv_open(tv_path("kat/rfc8439.txt"));
        tv_case c;
        int n = 0;
        while (tv_next(f, &c)) {
            const char *type = tv_get(&c, "type");
            assert_non_null(type);
            size_t klen, nlen, ptlen, ctlen, aadlen, taglen, mlen;
            uint8_t *key = tv_get_hex(&c, "key", &klen);
            assert_int_equal(klen, 32);
            if (strcmp(type, "chacha20") == 0) {
                uint8_t *nonce = tv_get_hex(&c, "nonce", &nlen);
                uint8_t *pt = tv_get_hex(&c, "plaintext", &ptlen);
                uint8_t *ct = tv_get_hex(&c, "ciphertext", &ctlen);
                assert_int_equal(ptlen, ctlen);
                uint8_t *out = malloc(ptlen);
                tern_chacha20_xor(key, (uint32_t)tv_get_long(&c, "counter", -1), nonce, pt, out, ptlen);
                assert_memory_equal(out, ct, ctlen);
                tern_chacha20_xor_portable(key, (uint32_t)tv_get_long(&c, "counter", -1), nonce, ct, out, ctlen);
                assert_memory_equal(out, pt, ptlen);
                free(out);
                free(nonce);
                free(pt);
                free(ct);
            } else if (strcmp(type, "poly1305") == 0) {
                uint8_t *msg = tv_get_hex(&c, "msg", &mlen);
                uint8_t *tag = tv_get_hex(&c, "tag", &taglen);
                uint8_t out[16];
                tern_poly1305(out, key, msg, mlen);
                assert_memory_equal(out, tag, 16);
                free(msg);
                free(tag);
            } else {
                assert_string_equal(type, "aead");
                uint8_t *nonce = tv_get_hex(&c, "nonce", &nlen);
                uint8_t *aad = tv_get_hex(&c, "aad", &aadlen);
                uint8_t *pt = tv_get_hex(&c, "plaintext", &ptlen);
                uint8_t *ct = tv_get_hex(&c, "ciphertext", &ctlen);
                uint8_t *tag = tv_get_hex(&c, "tag", &taglen);
                assert_int_equal(nlen, 12);
                uint8_t *out = malloc(ptlen), otag[16];
                assert_int_equal(tern_chacha20poly1305_seal(key, nonce, aad, aadlen, pt, ptlen, out, otag), 0);
                assert_memory_equal(out, ct, ctlen);
                assert_memory_equal(otag, tag, 16);
                assert_int_equal(tern_chacha20poly1305_open(key, nonce, aad, aadlen, ct, ctlen, tag, out), 0);
                assert_memory_equal(out, pt, ptlen);
                /* Any single flipped bit in tag, ciphertext or aad is refused,
                 * and the output is all zeros afterwards. */
                for (size_t bit = 0; bit < 8 * (16 + ctlen + aadlen); bit += 7) {
                    uint8_t *target = bit < 128 ? tag : bit < 8 * (16 + ctlen) ? ct + (bit / 8 - 16)
                                                                               : aad + (bit / 8 - 16 - ctlen);
                    *target ^= (uint8_t)(1u << (bit % 8));
                    memset(out, 0x55, ptlen);
                    assert_int_equal(tern_chacha20poly1305_open(key, nonce, aad, aadlen, ct, ctlen, tag, out),
                                     TERN_ERR_BAD_RECORD_MAC);
                    *target ^= (uint8_t)(1u << (bit % 8));
                    for (size_t i = 0; i < ptlen; i++)
                        assert_int_equal(out[i], 0);
                }
                free(out);
                free(nonce);
                free(aad);
                free(pt);
                free(ct);
                free(tag);
            }
            free(key);
            n++;
        }
        tv_close(f);
        printf("  [%s] RFC 8439: %d vectors passed\n", tv_cpu_name(paths[pi]), n);
        assert_int_equal(n, 3);
    }
    tv_use_cpu(NULL);
}

/* Every Wycheproof case.  12-byte nonces: valid cases must seal to exactly
 * ct || tag and open back to msg; invalid ones must fail to open with the
 * output zeroed.  Other nonce sizes cannot be expressed through the API
 * (the nonce is a fixed 12-byte array); the file marks them all invalid,
 * which the test checks. */
static void test_wycheproof(void **state) {
    (void)state;
    json *j = json_load(tv_path("wycheproof/chacha20_poly1305_test.json"));
    const json *groups = json_get(j, "testGroups");
    assert_non_null(groups);
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        int valid = 0, invalid = 0, other_nonce = 0;
        for (size_t g = 0; g < groups->n; g++) {
            const json *grp = groups->items[g];
            const json *tests = json_get(grp, "tests");
            int ivsize = (int)json_num(grp, "ivSize", -1);
            assert_int_equal((int)json_num(grp, "keySize", -1), 256);
            assert_int_equal((int)json_num(grp, "tagSize", -1), 128);
            for (size_t t = 0; t < tests->n; t++) {
                const json *tc = tests->items[t];
                const char *result = json_str(tc, "result");
                int tcid = (int)json_num(tc, "tcId", -1);
                if (ivsize != 96) {
                    assert_string_equal(result, "invalid");
                    other_nonce++;
                    continue;
                }
                size_t klen, nlen, alen, mlen, clen, tlen;
                uint8_t *key = tv_unhex(json_str(tc, "key"), &klen);
                uint8_t *iv = tv_unhex(json_str(tc, "iv"), &nlen);
                uint8_t *aad = tv_unhex(json_str(tc, "aad"), &alen);
                uint8_t *msg = tv_unhex(json_str(tc, "msg"), &mlen);
                uint8_t *ct = tv_unhex(json_str(tc, "ct"), &clen);
                uint8_t *tag = tv_unhex(json_str(tc, "tag"), &tlen);
                assert_int_equal(klen, 32);
                assert_int_equal(nlen, 12);
                uint8_t *out = malloc(clen + 1);
                if (strcmp(result, "valid") == 0) {
                    assert_int_equal(tlen, 16);
                    assert_int_equal(mlen, clen);
                    uint8_t otag[16];
                    assert_int_equal(tern_chacha20poly1305_seal(key, iv, aad, alen, msg, mlen, out, otag), 0);
                    if (memcmp(out, ct, clen) != 0 || memcmp(otag, tag, 16) != 0)
                        fail_msg("[%s] tcId %d: seal mismatch", tv_cpu_name(paths[pi]), tcid);
                    if (tern_chacha20poly1305_open(key, iv, aad, alen, ct, clen, tag, out) != 0 ||
                        memcmp(out, msg, mlen) != 0)
                        fail_msg("[%s] tcId %d: open failed", tv_cpu_name(paths[pi]), tcid);
                    valid++;
                } else {
                    assert_string_equal(result, "invalid");
                    /* Every invalid case here has a modified 16-byte tag. */
                    assert_int_equal(tlen, 16);
                    memset(out, 0x55, clen + 1);
                    int rc = tern_chacha20poly1305_open(key, iv, aad, alen, ct, clen, tag, out);
                    if (rc != TERN_ERR_BAD_RECORD_MAC)
                        fail_msg("[%s] tcId %d (%s): accepted", tv_cpu_name(paths[pi]), tcid,
                                 json_str(tc, "comment"));
                    for (size_t i = 0; i < clen; i++)
                        assert_int_equal(out[i], 0);
                    assert_int_equal(out[clen], 0x55); /* and nothing past it */
                    invalid++;
                }
                free(out);
                free(key);
                free(iv);
                free(aad);
                free(msg);
                free(ct);
                free(tag);
            }
        }
        printf("  [%s] Wycheproof ChaCha20-Poly1305: %d valid, %d invalid (96-bit nonce) passed; "
               "%d other-nonce-size cases (all invalid) not expressible\n",
               tv_cpu_name(paths[pi]), valid, invalid, other_nonce);
        assert_int_equal(valid, 256);
        assert_int_equal(invalid, 60);
        assert_int_equal(other_nonce, 9);
    }
    json_free(j);
    tv_use_cpu(NULL);
}

/* Poly1305 fed in two pieces split at every offset, and byte at a time,
 * equals the one-shot tag. */
static void test_poly1305_split(void **state) {
    (void)state;
    uint64_t seed = 1305;
    static uint8_t msg[700];
    uint8_t key[32], want[16], got[16];
    tv_rng(&seed, key, sizeof key);
    tv_rng(&seed, msg, sizeof msg);
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        tern_poly1305(want, key, msg, sizeof msg);
        for (size_t split = 0; split <= sizeof msg; split++) {
            tern_poly1305_ctx ctx;
            tern_poly1305_init(&ctx, key);
            tern_poly1305_update(&ctx, msg, split);
            tern_poly1305_update(&ctx, msg + split, sizeof msg - split);
            tern_poly1305_final(&ctx, got);
            assert_memory_equal(got, want, 16);
        }
        tern_poly1305_ctx ctx;
        tern_poly1305_init(&ctx, key);
        for (size_t i = 0; i < sizeof msg; i++)
            tern_poly1305_update(&ctx, msg + i, 1);
        tern_poly1305_final(&ctx, got);
        assert_memory_equal(got, want, 16);
    }
    /* And the two paths agree with each other. */
    tv_use_cpu("portable");
    uint8_t port[16];
    tern_poly1305(port, key, msg, sizeof msg);
    tv_use_cpu(NULL);
    assert_memory_equal(port, want, 16);
}

/* Poly1305 at the edges of the arithmetic: the accumulator near and above
 * p = 2^130 - 5, r with every clampable bit set, s all ones (the final
 * addition carries out of 128 bits).  The expected values are computed by
 * an independent big-number model here (exact integers, schoolbook), so
 * the limb code is checked against plain arithmetic. */
typedef struct {
    uint32_t w[9]; /* little-endian 32-bit words, enough for 2^288 */
} big;
static void big_from_le(big *a, const uint8_t *b, size_t n) {
    memset(a, 0, sizeof *a);
    for (size_t i = 0; i < n; i++)
        a->w[i / 4] |= (uint32_t)b[i] << (8 * (i % 4));
}
static void big_add(big *a, const big *b) {
    uint64_t c = 0;
    for (int i = 0; i < 9; i++) {
        c += (uint64_t)a->w[i] + b->w[i];
        a->w[i] = (uint32_t)c;
        c >>= 32;
    }
}
/* a = (a * r) mod (2^130 - 5), a < 2^131, r < 2^128. */
static void big_mulmod(big *a, const big *r) {
    uint32_t prod[18] = {0};
    for (int i = 0; i < 9; i++) {
        uint64_t c = 0;
        for (int k = 0; k < 9; k++) {
            if (i + k >= 18)
                break;
            c += (uint64_t)a->w[i] * r->w[k] + prod[i + k];
            prod[i + k] = (uint32_t)c;
            c >>= 32;
        }
        if (i + 9 < 18)
            prod[i + 9] = (uint32_t)c;
    }
    /* Fold: x = lo + hi * 2^130 = lo + 5 * hi (mod p), repeated. */
    for (int round = 0; round < 4; round++) {
        big lo, hi5;
        memset(&lo, 0, sizeof lo);
        memset(&hi5, 0, sizeof hi5);
        for (int i = 0; i < 4; i++)
            lo.w[i] = prod[i];
        lo.w[4] = prod[4] & 3;
        /* hi = prod >> 130 */
        uint32_t hi[14] = {0};
        for (int i = 0; i < 13; i++)
            hi[i] = (prod[i + 4] >> 2) | (i + 5 < 18 ? prod[i + 5] << 30 : 0);
        uint64_t c = 0;
        for (int i = 0; i < 9; i++) {
            c += (uint64_t)hi[i] * 5;
            hi5.w[i] = (uint32_t)c;
            c >>= 32;
        }
        big_add(&lo, &hi5);
        memset(prod, 0, sizeof prod);
        for (int i = 0; i < 9; i++)
            prod[i] = lo.w[i];
    }
    for (int i = 0; i < 9; i++)
        a->w[i] = prod[i];
}
static int big_ge_p(const big *a) {
    /* p = 2^130 - 5: words ffff_fffb, ffff_ffff x3, 3 */
    static const uint32_t p[9] = {0xfffffffbu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 3, 0, 0, 0, 0};
    for (int i = 8; i >= 0; i--) {
        if (a->w[i] != p[i])
            return a->w[i] > p[i];
    }
    return 1;
}
static void model_poly1305(uint8_t tag[16], const uint8_t key[32], const uint8_t *m, size_t len) {
    uint8_t rb[16];
    memcpy(rb, key, 16);
    rb[3] &= 15, rb[7] &= 15, rb[11] &= 15, rb[15] &= 15;
    rb[4] &= 252, rb[8] &= 252, rb[12] &= 252;
    big r, acc, blk, s;
    big_from_le(&r, rb, 16);
    big_from_le(&s, key + 16, 16);
    memset(&acc, 0, sizeof acc);
    for (size_t off = 0; off < len; off += 16) {
        size_t n = len - off < 16 ? len - off : 16;
        uint8_t b[17] = {0};
        memcpy(b, m + off, n);
        b[n] = 1;
        big_from_le(&blk, b, 17);
        big_add(&acc, &blk);
        big_mulmod(&acc, &r);
    }
    /* Fully reduce: acc < 2^131 after the folds, so at most a few p. */
    static const big p = {{0xfffffffbu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 3, 0, 0, 0, 0}};
    while (big_ge_p(&acc)) {
        int64_t c = 0;
        for (int i = 0; i < 9; i++) {
            c += (int64_t)acc.w[i] - p.w[i];
            acc.w[i] = (uint32_t)c;
            c >>= 32;
        }
    }
    big_add(&acc, &s);
    for (int i = 0; i < 16; i++)
        tag[i] = (uint8_t)(acc.w[i / 4] >> (8 * (i % 4)));
}

static void test_poly1305_edges(void **state) {
    (void)state;
    static uint8_t msg[1200];
    uint8_t key[32], want[16], got[16];
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        uint64_t seed = 77;
        int n = 0;
        for (int kind = 0; kind < 6; kind++) {
            for (size_t len = 0; len <= sizeof msg; len += (len < 40 ? 1 : len < 300 ? 23 : 97)) {
                switch (kind) {
                case 0: memset(key, 0xff, 32); memset(msg, 0xff, len); break;  /* max r, s, blocks */
                case 1: memset(key, 0xff, 32); memset(msg, 0, len); break;
                case 2: tv_rng(&seed, key, 32); memset(msg, 0xff, len); break;
                case 3: memset(key, 0, 32); key[0] = 2; memset(key + 16, 0xff, 16); memset(msg, 0xff, len); break;
                case 4: memset(key, 0xff, 16); memset(key + 16, 0, 16); /* h lands near p */
                        for (size_t i = 0; i < len; i++) msg[i] = (uint8_t)(i % 16 == 0 ? 0xfb : 0xff);
                        break;
                default: tv_rng(&seed, key, 32); tv_rng(&seed, msg, len); break;
                }
                model_poly1305(want, key, msg, len);
                tern_poly1305(got, key, msg, len);
                if (memcmp(want, got, 16) != 0)
                    fail_msg("[%s] poly1305 edge kind %d len %zu differs from the big-number model",
                             tv_cpu_name(paths[pi]), kind, len);
                n++;
            }
        }
        printf("  [%s] Poly1305 against a big-number model: %d edge cases passed\n", tv_cpu_name(paths[pi]), n);
    }
    tv_use_cpu(NULL);
}

/* The dispatching tern_chacha20_xor (AVX2 when present) against the
 * portable path, on every length 0..1100 and longer ones, from counters
 * including one that wraps past 2^32 mid-message. */
static void test_paths_agree(void **state) {
    (void)state;
    tv_use_cpu(NULL);
    printf("  default ChaCha20 implementation: %s\n", tern_chacha20_impl_name());
    uint64_t seed = 8439;
    enum { MAXLEN = 5000 };
    uint8_t *in = malloc(MAXLEN), *a = malloc(MAXLEN), *b = malloc(MAXLEN);
    uint8_t key[32], nonce[12];
    static const uint32_t counters[] = {0, 1, 0x7fffffffu, 0xfffffff9u, 0xffffffffu};
    tv_rng(&seed, in, MAXLEN);
    int n = 0;
    for (size_t ci = 0; ci < sizeof counters / sizeof counters[0]; ci++) {
        for (size_t len = 0; len <= MAXLEN; len += (len < 1100 ? 1 : 257)) {
            tv_rng(&seed, key, 32);
            tv_rng(&seed, nonce, 12);
            tern_chacha20_xor(key, counters[ci], nonce, in, a, len);
            tern_chacha20_xor_portable(key, counters[ci], nonce, in, b, len);
            if (memcmp(a, b, len) != 0)
                fail_msg("paths differ: counter %u len %zu", counters[ci], len);
            /* Split streams: the second half continues at the right block. */
            size_t blocks = len / 64;
            tern_chacha20_xor(key, counters[ci], nonce, in, b, blocks * 64);
            tern_chacha20_xor(key, counters[ci] + (uint32_t)blocks, nonce, in + blocks * 64, b + blocks * 64,
                              len - blocks * 64);
            assert_memory_equal(a, b, len);
            n++;
        }
    }
    /* In place. */
    memcpy(a, in, MAXLEN);
    tern_chacha20_xor(key, 5, nonce, a, a, MAXLEN);
    tern_chacha20_xor_portable(key, 5, nonce, in, b, MAXLEN);
    assert_memory_equal(a, b, MAXLEN);
    printf("  ChaCha20 default vs portable: %d (counter, length) pairs agree\n", n);
    free(in);
    free(a);
    free(b);
}

/* AEAD round trips in place and out of place on each path, and the
 * over-long length refusals. */
static void test_aead_roundtrip(void **state) {
    (void)state;
    uint64_t seed = 42;
    enum { MAXLEN = 2100 };
    uint8_t *pt = malloc(MAXLEN), *buf = malloc(MAXLEN), *ct = malloc(MAXLEN);
    uint8_t key[32], nonce[12], aad[40], tag[16], tag2[16];
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        for (size_t len = 0; len <= MAXLEN; len += (len < 600 ? 1 : 111)) {
            size_t alen = len % sizeof aad;
            tv_rng(&seed, key, 32);
            tv_rng(&seed, nonce, 12);
            tv_rng(&seed, aad, alen);
            tv_rng(&seed, pt, len);
            assert_int_equal(tern_chacha20poly1305_seal(key, nonce, aad, alen, pt, len, ct, tag), 0);
            memcpy(buf, pt, len);
            assert_int_equal(tern_chacha20poly1305_seal(key, nonce, aad, alen, buf, len, buf, tag2), 0);
            assert_memory_equal(buf, ct, len);
            assert_memory_equal(tag, tag2, 16);
            assert_int_equal(tern_chacha20poly1305_open(key, nonce, aad, alen, buf, len, tag, buf), 0);
            assert_memory_equal(buf, pt, len);
            /* A different nonce must not open it. */
            nonce[len % 12] ^= 0x80;
            assert_int_equal(tern_chacha20poly1305_open(key, nonce, aad, alen, ct, len, tag, buf),
                             TERN_ERR_BAD_RECORD_MAC);
        }
    }
    tv_use_cpu(NULL);
    size_t huge = (size_t)TERN_CHACHA20POLY1305_MAX_LEN + 1;
    assert_int_equal(tern_chacha20poly1305_seal(key, nonce, NULL, 0, pt, huge, buf, tag), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_chacha20poly1305_open(key, nonce, NULL, 0, pt, huge, tag, buf), TERN_ERR_BAD_RECORD_MAC);
    free(pt);
    free(buf);
    free(ct);
}

#ifdef TERN_TEST_HAVE_OPENSSL
static void test_openssl(void **state) {
    (void)state;
    uint64_t seed = 7905;
    enum { MAXLEN = 3000 };
    uint8_t *pt = malloc(MAXLEN), *ct = malloc(MAXLEN), *oct = malloc(MAXLEN);
    uint8_t key[32], nonce[12], aad[64], tag[16], otag[16];
    int n = 0;
    for (size_t pi = 0; pi < NPATHS; pi++) {
        tv_use_cpu(paths[pi]);
        for (int iter = 0; iter < 300; iter++) {
            uint8_t r[4];
            tv_rng(&seed, r, sizeof r);
            size_t len = ((size_t)r[0] << 8 | r[1]) % MAXLEN, alen = r[2] % sizeof aad;
            tv_rng(&seed, key, 32);
            tv_rng(&seed, nonce, 12);
            tv_rng(&seed, aad, alen);
            tv_rng(&seed, pt, len);
            assert_int_equal(tern_chacha20poly1305_seal(key, nonce, aad, alen, pt, len, ct, tag), 0);
            EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
            int outl = 0;
            assert_int_equal(EVP_EncryptInit_ex(c, EVP_chacha20_poly1305(), NULL, key, nonce), 1);
            assert_int_equal(EVP_EncryptUpdate(c, NULL, &outl, aad, (int)alen), 1);
            assert_int_equal(EVP_EncryptUpdate(c, oct, &outl, pt, (int)len), 1);
            assert_int_equal(EVP_EncryptFinal_ex(c, oct + outl, &outl), 1);
            assert_int_equal(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, 16, otag), 1);
            EVP_CIPHER_CTX_free(c);
            assert_memory_equal(ct, oct, len);
            assert_memory_equal(tag, otag, 16);
            n++;
        }
    }
    tv_use_cpu(NULL);
    printf("  ChaCha20-Poly1305 against OpenSSL: %d random cases agree\n", n);
    free(pt);
    free(ct);
    free(oct);
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8439),
        cmocka_unit_test(test_wycheproof),
        cmocka_unit_test(test_poly1305_split),
        cmocka_unit_test(test_poly1305_edges),
        cmocka_unit_test(test_paths_agree),
        cmocka_unit_test(test_aead_roundtrip),
#ifdef TERN_TEST_HAVE_OPENSSL
        cmocka_unit_test(test_openssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
