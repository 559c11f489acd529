/*
 * P-384 secret side (crypto/p384.c, crypto/ecdsa.c): key generation,
 * ECDH and ECDSA signing, checked against what we did not write.
 *
 *   - RFC 6979 Appendix A.2.6 (P-384): the public key of the example key,
 *     and the deterministic signatures of "sample" and "test" with
 *     SHA-256, SHA-384 and SHA-512 (tern_ecdsa_p384_sign_det with no extra
 *     data is exactly RFC 6979 §3.2);
 *   - OpenSSL's libcrypto (when the tests link it): random keys; tern's
 *     public key from OpenSSL's private key; ECDH both ways; tern signs
 *     and OpenSSL verifies, OpenSSL signs and tern verifies;
 *   - invalid points refused by ECDH and verification: not on the curve,
 *     infinity (all zero), coordinates >= p, compressed form.
 * There are no Wycheproof P-384 files in /work/shared/vectors.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/ct.h"
#include "crypto/ecdsa.h"
#include "crypto/p384.h"
#include "crypto/rand.h"
#include "crypto/sha2.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/ec.h>
#include <openssl/param_build.h>

#include "tests/util/ossl_ec.h"
#endif

static void unhex(const char *h, uint8_t *out, size_t n) {
    assert_int_equal(tv_unhex_into(h, out, n), 0);
}

/* RFC 6979 A.2.6. */
static const char *X = "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5";
static const char *UX = "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13";
static const char *UY = "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720";
static const struct {
    const char *msg;
    tern_hash_alg alg;
    const char *r, *s;
} RFC[] = {
    {"sample", TERN_HASH_SHA256,
     "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD",
     "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0"},
    {"sample", TERN_HASH_SHA384,
     "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
     "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8"},
    {"sample", TERN_HASH_SHA512,
     "ED0959D5880AB2D869AE7F6C2915C6D60F96507F9CB3E047C0046861DA4A799CFE30F35CC900056D7C99CD7882433709",
     "512C8CCEEE3890A84058CE1E22DBC2198F42323CE8ACA9135329F03C068E5112DC7CC3EF3446DEFCEB01A45C2667FDD5"},
    {"test", TERN_HASH_SHA384,
     "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB",
     "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5"},
};

static void test_rfc6979(void **state) {
    (void)state;
    uint8_t x[48], pub[97], want[97], sig[96], wsig[96], digest[64];
    unhex(X, x, 48);
    want[0] = 0x04;
    unhex(UX, want + 1, 48);
    unhex(UY, want + 49, 48);
    assert_int_equal(tern_p384_public_from_private(pub, x), 0);
    assert_memory_equal(pub, want, 97);
    assert_int_equal(tern_p384_check_public(pub), 0);
    for (size_t i = 0; i < sizeof RFC / sizeof RFC[0]; i++) {
        assert_int_equal(tern_hash(RFC[i].alg, digest, RFC[i].msg, strlen(RFC[i].msg)), 0);
        assert_int_equal(tern_ecdsa_p384_sign_det(x, RFC[i].alg, digest, NULL, 0, sig), 0);
        unhex(RFC[i].r, wsig, 48);
        unhex(RFC[i].s, wsig + 48, 48);
        assert_memory_equal(sig, wsig, 96);
        assert_int_equal(tern_p384_ecdsa_verify_raw(pub, digest, tern_hash_len(RFC[i].alg), sig), 0);
        /* DER round trip and the DER verifier. */
        uint8_t der[TERN_ECDSA_P384_MAX_SIG_LEN], back[96];
        size_t dlen = 0;
        assert_int_equal(tern_ecdsa_p384_sig_to_der(der, sizeof der, &dlen, sig), 0);
        assert_int_equal(tern_ecdsa_p384_sig_from_der(back, der, dlen), 0);
        assert_memory_equal(back, sig, 96);
        assert_int_equal(tern_ecdsa_p384_verify(pub, RFC[i].alg, digest, der, dlen), 0);
        der[dlen - 1] ^= 1;
        assert_int_equal(tern_ecdsa_p384_verify(pub, RFC[i].alg, digest, der, dlen), TERN_ERR_BAD_SIGNATURE);
        /* Hedged signing gives another signature that verifies. */
        size_t slen = 0;
        assert_int_equal(tern_ecdsa_p384_sign(x, RFC[i].alg, digest, der, sizeof der, &slen, NULL, NULL), 0);
        assert_int_equal(tern_ecdsa_p384_verify(pub, RFC[i].alg, digest, der, slen), 0);
    }
    printf("  RFC 6979 A.2.6: public key and %zu deterministic signatures match\n", sizeof RFC / sizeof RFC[0]);
}

static void test_invalid_points(void **state) {
    (void)state;
    uint8_t priv[48], pub[97], bad[97], out[48];
    assert_int_equal(tern_p384_keygen(priv, pub, NULL, NULL), 0);
    static const uint8_t p_be[48] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
        0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff};
    /* Not on the curve. */
    memcpy(bad, pub, 97);
    bad[96] ^= 1;
    assert_int_equal(tern_p384_ecdh(out, priv, bad), TERN_ERR_BAD_KEY);
    assert_true(tern_ct_is_zero_mem(out, 48));
    assert_int_equal(tern_p384_check_public(bad), TERN_ERR_BAD_KEY);
    /* Infinity as all zeros (and the bare 00 encoding's prefix). */
    memset(bad, 0, 97);
    bad[0] = 0x04;
    assert_int_equal(tern_p384_ecdh(out, priv, bad), TERN_ERR_BAD_KEY);
    bad[0] = 0x00;
    assert_int_equal(tern_p384_ecdh(out, priv, bad), TERN_ERR_BAD_KEY);
    /* Compressed prefix. */
    memcpy(bad, pub, 97);
    bad[0] = 0x02;
    assert_int_equal(tern_p384_ecdh(out, priv, bad), TERN_ERR_BAD_KEY);
    /* x + p and y + p would be the same point mod p if they fitted; x = p,
     * y = p and all-ones coordinates are all >= p. */
    memcpy(bad, pub, 97);
    memcpy(bad + 1, p_be, 48);
    assert_int_equal(tern_p384_ecdh(out, priv, bad), TERN_ERR_BAD_KEY);
    memcpy(bad, pub, 97);
    memcpy(bad + 49, p_be, 48);
    assert_int_equal(tern_p384_ecdh(out, priv, bad), TERN_ERR_BAD_KEY);
    memcpy(bad, pub, 97);
    memset(bad + 49, 0xff, 48);
    assert_int_equal(tern_p384_ecdh(out, priv, bad), TERN_ERR_BAD_KEY);
    /* y -> p - y is the negated point: valid, and ECDH gives the same x. */
    uint8_t neg[97], o1[48], o2[48];
    memcpy(neg, pub, 97);
    unsigned borrow = 0;
    for (int i = 47; i >= 0; i--) {
        int v = (int)p_be[i] - (int)pub[49 + i] - (int)borrow;
        borrow = v < 0;
        neg[49 + i] = (uint8_t)(v + (borrow ? 256 : 0));
    }
    assert_int_equal(tern_p384_ecdh(o1, priv, pub), 0);
    assert_int_equal(tern_p384_ecdh(o2, priv, neg), 0);
    assert_memory_equal(o1, o2, 48);
    /* Private scalars 0 and n are refused. */
    uint8_t zero[48] = {0};
    assert_int_equal(tern_p384_ecdh(out, zero, pub), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_p384_public_from_private(bad, zero), TERN_ERR_BAD_KEY);
    static const char *N = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973";
    uint8_t nb[48], sig[96], digest[48] = {1};
    unhex(N, nb, 48);
    assert_int_equal(tern_p384_check_private(nb), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_p384_ecdh(out, nb, pub), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_ecdsa_p384_sign_det(nb, TERN_HASH_SHA384, digest, NULL, 0, sig), TERN_ERR_BAD_KEY);
    nb[47] -= 1; /* n - 1: the largest valid scalar; (n-1) G = -G */
    assert_int_equal(tern_p384_check_private(nb), 0);
    assert_int_equal(tern_p384_public_from_private(bad, nb), 0);
    assert_int_equal(tern_p384_check_public(bad), 0);
}

/* k P through the windows against repeated doubling-free additions on
 * small scalars: (a + b) P = a P + b P is checked through ECDH
 * commutativity instead, over random keys. */
static void test_ecdh_commutes(void **state) {
    (void)state;
    for (int i = 0; i < 10; i++) {
        uint8_t a[48], pa[97], b[48], pb[97], s1[48], s2[48];
        assert_int_equal(tern_p384_keygen(a, pa, NULL, NULL), 0);
        assert_int_equal(tern_p384_keygen(b, pb, NULL, NULL), 0);
        assert_int_equal(tern_p384_check_public(pa), 0);
        assert_int_equal(tern_p384_ecdh(s1, a, pb), 0);
        assert_int_equal(tern_p384_ecdh(s2, b, pa), 0);
        assert_memory_equal(s1, s2, 48);
    }
}

#ifdef TERN_TEST_HAVE_OPENSSL
/* An OpenSSL public key from a tern point. */
static EVP_PKEY *ossl_pub(const uint8_t pub[97]) {
    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    assert_non_null(b);
    assert_int_equal(OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, "P-384", 0), 1);
    assert_int_equal(OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, pub, 97), 1);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pk = NULL;
    assert_int_equal(EVP_PKEY_fromdata_init(ctx), 1);
    assert_int_equal(EVP_PKEY_fromdata(ctx, &pk, EVP_PKEY_PUBLIC_KEY, params), 1);
    EVP_PKEY_CTX_free(ctx);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    return pk;
}

static void test_openssl(void **state) {
    (void)state;
    static const tern_hash_alg algs[3] = {TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};
    int n = 0;
    for (int i = 0; i < 24; i++) {
        EVP_PKEY *ka = tv_ossl_ec_keygen("P-384"), *kb = tv_ossl_ec_keygen("P-384");
        uint8_t pa[48], qa[97], pb[48], qb[97], chk[97], s1[48], s2[48];
        size_t slen = sizeof s2;
        tv_ossl_ec_export(ka, pa, 48, qa, 97);
        tv_ossl_ec_export(kb, pb, 48, qb, 97);
        /* Public keys. */
        assert_int_equal(tern_p384_public_from_private(chk, pa), 0);
        assert_memory_equal(chk, qa, 97);
        /* ECDH: tern with a's key and b's point, OpenSSL the other way. */
        assert_int_equal(tern_p384_ecdh(s1, pa, qb), 0);
        EVP_PKEY_CTX *d = EVP_PKEY_CTX_new(kb, NULL);
        assert_int_equal(EVP_PKEY_derive_init(d), 1);
        assert_int_equal(EVP_PKEY_derive_set_peer(d, ka), 1);
        assert_int_equal(EVP_PKEY_derive(d, s2, &slen), 1);
        assert_int_equal(slen, 48);
        assert_memory_equal(s1, s2, 48);
        EVP_PKEY_CTX_free(d);

        /* tern signs, OpenSSL verifies; OpenSSL signs, tern verifies. */
        tern_hash_alg alg = algs[i % 3];
        size_t hlen = tern_hash_len(alg);
        uint8_t digest[64], der[TERN_ECDSA_P384_MAX_SIG_LEN], odr[256];
        size_t dlen = 0, olen = sizeof odr;
        assert_int_equal(tern_rand_fill(NULL, NULL, digest, hlen), 0);
        assert_int_equal(tern_ecdsa_p384_sign(pa, alg, digest, der, sizeof der, &dlen, NULL, NULL), 0);
        EVP_PKEY *pubonly = ossl_pub(qa);
        EVP_PKEY_CTX *v = EVP_PKEY_CTX_new(pubonly, NULL);
        assert_int_equal(EVP_PKEY_verify_init(v), 1);
        assert_int_equal(EVP_PKEY_verify(v, der, dlen, digest, hlen), 1);
        der[dlen / 2] ^= 0x10;
        assert_int_not_equal(EVP_PKEY_verify(v, der, dlen, digest, hlen), 1);
        EVP_PKEY_CTX_free(v);
        EVP_PKEY_free(pubonly);

        EVP_PKEY_CTX *sg = EVP_PKEY_CTX_new(kb, NULL);
        assert_int_equal(EVP_PKEY_sign_init(sg), 1);
        assert_int_equal(EVP_PKEY_sign(sg, odr, &olen, digest, hlen), 1);
        EVP_PKEY_CTX_free(sg);
        assert_int_equal(tern_ecdsa_p384_verify(qb, alg, digest, odr, olen), 0);
        digest[0] ^= 1;
        assert_int_equal(tern_ecdsa_p384_verify(qb, alg, digest, odr, olen), TERN_ERR_BAD_SIGNATURE);

        EVP_PKEY_free(ka);
        EVP_PKEY_free(kb);
        n++;
    }
    printf("  P-384 against OpenSSL: %d key pairs: public keys, ECDH both ways, signatures both ways agree\n", n);
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6979),
        cmocka_unit_test(test_invalid_points),
        cmocka_unit_test(test_ecdh_commutes),
#ifdef TERN_TEST_HAVE_OPENSSL
        cmocka_unit_test(test_openssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
