/*
 * Test-only helpers shared by tests/test_p256.c, test_p384.c and
 * test_ecdsa.c: OpenSSL (libcrypto 3) as the independent party that makes
 * EC key pairs for the cross-checks.
 *
 * Header-only (static inline) on purpose, like hashpaths.h: every .c file in
 * tests/util/ is also linked into the fuzz targets, which link neither
 * cmocka nor libcrypto.  Include it after <cmocka.h>, under
 * TERN_TEST_HAVE_OPENSSL.
 */
#ifndef TERN_TESTS_OSSL_EC_H
#define TERN_TESTS_OSSL_EC_H

#include <openssl/core_names.h>
#include <openssl/evp.h>

/* A fresh key pair on `group` ("P-256", "P-384"). */
static inline EVP_PKEY *tv_ossl_ec_keygen(const char *group) {
    EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    EVP_PKEY *pk = NULL;
    assert_non_null(ctx);
    assert_int_equal(EVP_PKEY_keygen_init(ctx), 1);
    assert_int_equal(EVP_PKEY_CTX_set_group_name(ctx, group), 1);
    assert_int_equal(EVP_PKEY_keygen(ctx, &pk), 1);
    EVP_PKEY_CTX_free(ctx);
    return pk;
}

/* The private scalar as exactly plen big-endian bytes (unless priv is NULL)
 * and the uncompressed public point, exactly publen bytes. */
static inline void tv_ossl_ec_export(EVP_PKEY *pk, uint8_t *priv, size_t plen, uint8_t *pub, size_t publen) {
    if (priv != NULL) {
        BIGNUM *bn = NULL;
        assert_int_equal(EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_PRIV_KEY, &bn), 1);
        assert_int_equal(BN_bn2binpad(bn, priv, (int)plen), (int)plen);
        BN_clear_free(bn);
    }
    size_t len = 0;
    assert_int_equal(EVP_PKEY_get_octet_string_param(pk, OSSL_PKEY_PARAM_PUB_KEY, pub, publen, &len), 1);
    assert_int_equal(len, publen);
}

#endif
