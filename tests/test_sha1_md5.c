/*
 * Tests for crypto/sha1.c, crypto/md5.c and their place in the generic
 * hash (crypto/hash.c) and HMAC (crypto/hmac.c):
 *  - FIPS 180 SHA-1 examples and the RFC 1321 MD5 test suite
 *    (vectors/kdf/sha1_md5.txt), one-shot, byte at a time, in uneven
 *    chunks, split at every offset (short messages), through the direct
 *    API and the hash-by-id layer; context copies snapshot a hash;
 *  - RFC 2202 HMAC-MD5 and HMAC-SHA-1, one-shot and with a prepared key;
 *  - the TLS side still refuses them: no signature scheme (rsa_pkcs1_sha1,
 *    ecdsa_sha1, rsa_pkcs1_md5) maps to a hash, a sha1WithRSAEncryption
 *    certificate's signature is refused, RSA-PSS/ECDSA/the TLS 1.2 PRF
 *    refuse them as hashes;
 *  - with libcrypto: random messages and keys of every length 0..300
 *    against OpenSSL's SHA-1, MD5, HMAC-SHA-1 and HMAC-MD5.
 * No CAVP SHA-1 byte files are in /work/shared/vectors, so the random
 * cross-check stands in for SHAVS ShortMsg/LongMsg.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/ecdsa.h"
#include "crypto/hmac.h"
#include "crypto/rsa.h"
#include "crypto/sha1.h"
#include "lib/sig.h"
#include "lib/x509/pem.h"
#include "lib/x509/verify.h"
#include "lib/x509/x509.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/hmac.h>
#endif

static tern_hash_alg alg_of(const char *name) {
    if (strcmp(name, "md5") == 0)
        return TERN_HASH_MD5;
    if (strcmp(name, "sha1") == 0)
        return TERN_HASH_SHA1;
    fail_msg("unknown alg %s", name);
    return (tern_hash_alg)0;
}

/* Direct API, fed in pieces of `piece` bytes (0: all at once). */
static void direct(tern_hash_alg alg, const uint8_t *m, size_t n, size_t piece, uint8_t *out) {
    tern_sha1_ctx s;
    tern_md5_ctx d;
    if (alg == TERN_HASH_SHA1)
        tern_sha1_init(&s);
    else
        tern_md5_init(&d);
    for (size_t off = 0; off < n;) {
        size_t take = piece == 0 || piece > n - off ? n - off : piece;
        if (alg == TERN_HASH_SHA1)
            tern_sha1_update(&s, m + off, take);
        else
            tern_md5_update(&d, m + off, take);
        off += take;
    }
    if (alg == TERN_HASH_SHA1) {
        tern_sha1_final(&s, out);
        assert_true(tv_all_zero(&s, sizeof s));
    } else {
        tern_md5_final(&d, out);
        assert_true(tv_all_zero(&d, sizeof d));
    }
}

static void check(const uint8_t *got, const uint8_t *want, size_t n, const char *what, int line) {
    if (memcmp(got, want, n) != 0) {
        char *g = tv_hex(got, n), *w = tv_hex(want, n);
        fail_msg("%s (line %d)\n  got  %s\n  want %s", what, line, g, w);
    }
}

static void test_hash_vectors(void **state) {
    (void)state;
    tv_file *f = tv_open(tv_path("kdf/sha1_md5.txt"));
    tv_case c;
    int nsha1 = 0, nmd5 = 0;
    while (tv_next(f, &c)) {
        if (strcmp(tv_get(&c, "type"), "hash") != 0)
            continue;
        tern_hash_alg alg = alg_of(tv_get(&c, "alg"));
        size_t ml, mdl, rep = (size_t)tv_get_long(&c, "repeat", 1);
        uint8_t *unit = tv_get_hex(&c, "msg", &ml), *md = tv_get_hex(&c, "md", &mdl);
        size_t n = ml * rep;
        uint8_t *m = malloc(n + 1);
        for (size_t i = 0; i < rep; i++)
            memcpy(m + i * ml, unit, ml);
        assert_int_equal(mdl, tern_hash_len(alg));
        uint8_t out[TERN_HASH_MAX_LEN];
        static const size_t pieces[] = {0, 1, 3, 63, 64, 65, 1000};
        for (size_t p = 0; p < TERN_ARRAY_LEN(pieces); p++) {
            if (pieces[p] == 1 && n > 10000)
                continue;
            memset(out, 0, sizeof out);
            direct(alg, m, n, pieces[p], out);
            check(out, md, mdl, tv_get(&c, "case"), c.line);
        }
        /* One-shot and by id. */
        if (alg == TERN_HASH_SHA1)
            tern_sha1(out, m, n);
        else
            tern_md5(out, m, n);
        check(out, md, mdl, "one-shot", c.line);
        memset(out, 0, sizeof out);
        assert_int_equal(tern_hash(alg, out, m, n), 0);
        check(out, md, mdl, "tern_hash", c.line);
        /* Split at every offset, through the generic context. */
        if (n < 200) {
            for (size_t s = 0; s <= n; s++) {
                tern_hash_ctx h;
                assert_int_equal(tern_hash_init(&h, alg), 0);
                tern_hash_update(&h, m, s);
                tern_hash_update(&h, m + s, n - s);
                tern_hash_final(&h, out);
                check(out, md, mdl, "split", c.line);
            }
        }
        nsha1 += alg == TERN_HASH_SHA1;
        nmd5 += alg == TERN_HASH_MD5;
        free(m);
        free(unit);
        free(md);
    }
    tv_close(f);
    assert_int_equal(nsha1, 4);
    assert_int_equal(nmd5, 7);
}

static void test_sizes_and_copy(void **state) {
    (void)state;
    assert_int_equal(tern_hash_len(TERN_HASH_MD5), 16);
    assert_int_equal(tern_hash_len(TERN_HASH_SHA1), 20);
    assert_int_equal(tern_hash_block_len(TERN_HASH_MD5), 64);
    assert_int_equal(tern_hash_block_len(TERN_HASH_SHA1), 64);
    /* A copied context continues independently (a snapshot). */
    static const tern_hash_alg algs[] = {TERN_HASH_MD5, TERN_HASH_SHA1};
    for (size_t a = 0; a < 2; a++) {
        tern_hash_ctx h, copy;
        uint8_t x[TERN_HASH_MAX_LEN], y[TERN_HASH_MAX_LEN], z[TERN_HASH_MAX_LEN];
        assert_int_equal(tern_hash_init(&h, algs[a]), 0);
        tern_hash_update(&h, "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789", 72);
        copy = h;
        tern_hash_update(&copy, "tail", 4);
        tern_hash_final(&h, x);
        tern_hash_final(&copy, y);
        assert_int_equal(tern_hash(algs[a], z, "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789", 72), 0);
        assert_memory_equal(x, z, tern_hash_len(algs[a]));
        assert_memory_not_equal(x, y, tern_hash_len(algs[a]));
        /* final() wiped the live member. */
        if (algs[a] == TERN_HASH_SHA1)
            assert_true(tv_all_zero(&h.u.sha1, sizeof h.u.sha1));
        else
            assert_true(tv_all_zero(&h.u.md5, sizeof h.u.md5));
    }
}

static void test_rfc2202(void **state) {
    (void)state;
    tv_file *f = tv_open(tv_path("kdf/sha1_md5.txt"));
    tv_case c;
    int n = 0;
    while (tv_next(f, &c)) {
        if (strcmp(tv_get(&c, "type"), "hmac") != 0)
            continue;
        tern_hash_alg alg = alg_of(tv_get(&c, "alg"));
        size_t kl, ml, macl;
        uint8_t *k = tv_get_hex(&c, "key", &kl), *m = tv_get_hex(&c, "msg", &ml), *mac = tv_get_hex(&c, "mac", &macl);
        uint8_t out[TERN_HASH_MAX_LEN];
        assert_int_equal(macl, tern_hash_len(alg));
        assert_int_equal(tern_hmac(alg, k, kl, m, ml, out), 0);
        check(out, mac, macl, tv_get(&c, "case"), c.line);
        /* Prepared key, message in two pieces, key reused twice. */
        tern_hmac_key hk;
        tern_hmac_ctx hc;
        assert_int_equal(tern_hmac_key_init(&hk, alg, k, kl), 0);
        for (int r = 0; r < 2; r++) {
            memset(out, 0, sizeof out);
            tern_hmac_start(&hc, &hk);
            tern_hmac_update(&hc, m, ml / 2);
            tern_hmac_update(&hc, m + ml / 2, ml - ml / 2);
            tern_hmac_final(&hc, out);
            check(out, mac, macl, "prepared key", c.line);
        }
        tern_hmac_key_wipe(&hk);
        n++;
        free(k);
        free(m);
        free(mac);
    }
    tv_close(f);
    assert_int_equal(n, 14);
}

/* The TLS side maps no code point or OID to SHA-1 or MD5. */
static void test_tls_still_refuses(void **state) {
    (void)state;
    /* RFC 5246 §7.4.1.4.1 / RFC 8446 §4.2.3 SHA-1 and MD5 schemes. */
    static const uint16_t weak[] = {0x0101 /* rsa_pkcs1_md5 */, 0x0201 /* rsa_pkcs1_sha1 */,
                                    0x0203 /* ecdsa_sha1 */, 0x0202 /* dsa_sha1 */};
    for (size_t i = 0; i < TERN_ARRAY_LEN(weak); i++) {
        tern_hash_alg h = TERN_HASH_SHA256;
        assert_true(tern_sigalg_info(weak[i], &h) < 0);
        assert_int_equal(tern_sig_is_ecdsa(weak[i], &h), 0);
        assert_int_equal(tern_sig_fits_key(weak[i], TERN_X509_KEY_RSA, &h), 0);
        assert_int_equal(tern_sig_fits_key(weak[i], TERN_X509_KEY_EC, &h), 0);
        assert_int_equal(tern_sig_offered(weak[i]), 0);
    }

    /* A sha1WithRSAEncryption certificate (vectors/certs/sha1.crt, issued
     * by int-ca) is refused before any arithmetic, as before. */
    uint8_t *der[2];
    tern_x509_cert cert[2];
    static const char *files[2] = {"certs/sha1.crt", "certs/int-ca.crt"};
    for (int i = 0; i < 2; i++) {
        size_t tlen, cap, n;
        char *txt = tv_slurp(tv_path(files[i]), &tlen);
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)txt, tlen);
        assert_int_equal(tern_pem_next(&r, &b), 1);
        cap = tern_pem_decoded_max(&b);
        der[i] = malloc(cap);
        assert_int_equal(tern_pem_decode(&b, der[i], cap, &n), 0);
        assert_int_equal(tern_x509_parse(&cert[i], der[i], n), 0);
        free(txt);
    }
    assert_int_equal(cert[0].sig_alg.type, TERN_X509_SIG_RSA_SHA1);
    char why[128] = "";
    assert_int_equal(tern_x509_check_signature(&cert[1], &cert[0], why, sizeof why), TERN_ERR_CERT_UNSUPPORTED);
    assert_non_null(strstr(why, "SHA-1"));
    free(der[0]);
    free(der[1]);

    /* The primitives refuse them as signature hashes and as PRF hashes. */
    uint8_t dig[97] = {0}, sig[600] = {0}, prf[16];
    assert_int_equal(tern_ecdsa_p256_verify(dig, TERN_HASH_SHA1, dig, dig, 8), TERN_ERR_UNSUPPORTED);
    assert_int_equal(tern_ecdsa_p384_verify(dig, TERN_HASH_MD5, dig, dig, 8), TERN_ERR_UNSUPPORTED);
    tern_rsa_public pub;
    memset(&pub, 0, sizeof pub);
    assert_int_equal(tern_rsa_pss_verify(&pub, TERN_HASH_SHA1, dig, sig, 256), TERN_ERR_UNSUPPORTED);
    assert_int_equal(tern_rsa_pss_verify(&pub, TERN_HASH_MD5, dig, sig, 256), TERN_ERR_UNSUPPORTED);
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA1, dig, 48, "x", dig, 8, NULL, 0, prf, sizeof prf),
                     TERN_ERR_UNSUPPORTED);
    assert_int_equal(tern_tls12_prf(TERN_HASH_MD5, dig, 48, "x", dig, 8, NULL, 0, prf, sizeof prf),
                     TERN_ERR_UNSUPPORTED);
}

#ifdef TERN_TEST_HAVE_OPENSSL
static void test_vs_openssl(void **state) {
    (void)state;
    static uint8_t buf[600];
    uint64_t seed = 0x73686131ull;
    const EVP_MD *mds[2] = {EVP_md5(), EVP_sha1()};
    static const tern_hash_alg algs[2] = {TERN_HASH_MD5, TERN_HASH_SHA1};
    for (size_t len = 0; len <= 300; len++) {
        assert_int_equal(tv_rng(&seed, buf, sizeof buf), 0);
        for (int a = 0; a < 2; a++) {
            uint8_t t[TERN_HASH_MAX_LEN], o[EVP_MAX_MD_SIZE];
            unsigned on = 0;
            assert_int_equal(tern_hash(algs[a], t, buf, len), 0);
            assert_int_equal(EVP_Digest(buf, len, o, &on, mds[a], NULL), 1);
            assert_int_equal(on, tern_hash_len(algs[a]));
            check(t, o, on, "hash vs OpenSSL", (int)len);
            /* HMAC with a key of the same length (0..300: across the block). */
            assert_int_equal(tern_hmac(algs[a], buf + 300, len, buf, len, t), 0);
            assert_non_null(HMAC(mds[a], buf + 300, (int)len, buf, len, o, &on));
            check(t, o, on, "HMAC vs OpenSSL", (int)len);
        }
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
        cmocka_unit_test(test_hash_vectors),
        cmocka_unit_test(test_sizes_and_copy),
        cmocka_unit_test(test_rfc2202),
        cmocka_unit_test(test_tls_still_refuses),
        cmocka_unit_test(test_vs_openssl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
