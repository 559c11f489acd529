/*
 * Tests for crypto/ecdsa.c: the RFC 6979 Appendix A.2.5 P-256 vectors
 * (SHA-256/384/512, deterministic nonces reproduced exactly), every case of
 * Wycheproof ecdsa_secp256r1_sha256_test.json (the strict-DER test: valid
 * accepted, invalid rejected), sign/verify round trips with each hash,
 * hedged vs deterministic nonces, the strict DER codec on hand-made
 * malformed encodings, argument errors, and with libcrypto both directions
 * against OpenSSL.  P-384 verification: the RFC 6979 A.2.6 signatures,
 * tampered and out-of-range variants, bad keys, and OpenSSL-made
 * signatures.
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
#include "crypto/ecdsa.h"
#include "crypto/p256.h"
#include "crypto/p384.h"
#include "crypto/sha2.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include "tests/util/ossl_ec.h"
#endif

static const char *const paths[] = {"portable", NULL};
#define NPATHS (sizeof paths / sizeof paths[0])

static tern_hash_alg alg_by_name(const char *name) {
    if (strcmp(name, "sha256") == 0 || strcmp(name, "SHA-256") == 0)
        return TERN_HASH_SHA256;
    if (strcmp(name, "sha384") == 0 || strcmp(name, "SHA-384") == 0)
        return TERN_HASH_SHA384;
    assert_true(strcmp(name, "sha512") == 0 || strcmp(name, "SHA-512") == 0);
    return TERN_HASH_SHA512;
}

static void run_rfc6979(void) {
    tv_file *f = tv_open(tv_path("kat/rfc6979_p256.txt"));
    tv_case c;
    int n = 0;
    while (tv_next(f, &c)) {
        uint8_t priv[32], pub[65], r[32], s[32], sig[64], der[72], back[64], pubchk[65];
        size_t mlen, dlen, derlen;
        assert_int_equal(tv_unhex_into(tv_get(&c, "private"), priv, 32), 0);
        assert_int_equal(tv_unhex_into(tv_get(&c, "public"), pub, 65), 0);
        assert_int_equal(tv_unhex_into(tv_get(&c, "r"), r, 32), 0);
        assert_int_equal(tv_unhex_into(tv_get(&c, "s"), s, 32), 0);
        tern_hash_alg alg = alg_by_name(tv_get(&c, "hash"));
        uint8_t *msg = tv_get_hex(&c, "msg", &mlen);
        uint8_t *want_digest = tv_get_hex(&c, "digest", &dlen);
        uint8_t digest[64];
        assert_int_equal(tern_hash(alg, digest, msg, mlen), 0);
        assert_int_equal(dlen, tern_hash_len(alg));
        assert_memory_equal(digest, want_digest, dlen);
        assert_int_equal(tern_p256_public_from_private(pubchk, priv), 0);
        assert_memory_equal(pubchk, pub, 65);

        assert_int_equal(tern_ecdsa_p256_sign_det(priv, alg, digest, NULL, 0, sig), 0);
        if (memcmp(sig, r, 32) != 0 || memcmp(sig + 32, s, 32) != 0)
            fail_msg("%s: deterministic signature differs from RFC 6979", tv_get(&c, "case"));
        assert_int_equal(tern_ecdsa_p256_verify_raw(pub, alg, digest, sig), 0);
        assert_int_equal(tern_ecdsa_sig_to_der(der, sizeof der, &derlen, sig), 0);
        assert_int_equal(tern_ecdsa_p256_verify(pub, alg, digest, der, derlen), 0);
        assert_int_equal(tern_ecdsa_sig_from_der(back, der, derlen), 0);
        assert_memory_equal(back, sig, 64);
        /* The message hashed with another function must fail.  (The same
         * digest bytes under another hash id would pass: only the leftmost
         * 256 bits count.) */
        tern_hash_alg other = alg == TERN_HASH_SHA256 ? TERN_HASH_SHA384 : TERN_HASH_SHA256;
        uint8_t odigest[64];
        assert_int_equal(tern_hash(other, odigest, msg, mlen), 0);
        assert_int_equal(tern_ecdsa_p256_verify_raw(pub, other, odigest, sig), TERN_ERR_BAD_SIGNATURE);
        free(msg);
        free(want_digest);
        n++;
    }
    tv_close(f);
    printf("  RFC 6979 A.2.5: %d deterministic P-256 signatures reproduced and verified\n", n);
    assert_int_equal(n, 6);
}

static void test_rfc6979(void **state) {
    (void)state;
    for (size_t i = 0; i < NPATHS; i++) {
        tv_use_cpu(paths[i]);
        run_rfc6979();
    }
    tv_use_cpu(NULL);
}

static void run_wycheproof(void) {
    json *j = json_load(tv_path("wycheproof/ecdsa_secp256r1_sha256_test.json"));
    const json *groups = json_get(j, "testGroups");
    int valid = 0, invalid = 0, acceptable = 0;
    for (size_t g = 0; g < groups->n; g++) {
        const json *grp = groups->items[g];
        const json *key = json_get(grp, "publicKey");
        assert_string_equal(json_str(key, "curve"), "secp256r1");
        assert_string_equal(json_str(grp, "sha"), "SHA-256");
        uint8_t pub[65];
        assert_int_equal(tv_unhex_into(json_str(key, "uncompressed"), pub, 65), 0);
        assert_int_equal(tern_p256_check_public(pub), 0);
        const json *tests = json_get(grp, "tests");
        for (size_t t = 0; t < tests->n; t++) {
            const json *tc = tests->items[t];
            const char *result = json_str(tc, "result");
            int tcid = (int)json_num(tc, "tcId", -1);
            size_t mlen, slen;
            uint8_t *msg = tv_unhex(json_str(tc, "msg"), &mlen);
            uint8_t *sig = tv_unhex(json_str(tc, "sig"), &slen);
            uint8_t digest[32];
            tern_sha256(digest, msg, mlen);
            int rc = tern_ecdsa_p256_verify(pub, TERN_HASH_SHA256, digest, sig, slen);
            if (strcmp(result, "valid") == 0) {
                if (rc != 0)
                    fail_msg("tcId %d (%s): valid signature rejected (%d)", tcid, json_str(tc, "comment"), rc);
                valid++;
            } else if (strcmp(result, "invalid") == 0) {
                if (rc == 0)
                    fail_msg("tcId %d (%s): invalid signature accepted", tcid, json_str(tc, "comment"));
                assert_int_equal(rc, TERN_ERR_BAD_SIGNATURE);
                invalid++;
            } else {
                acceptable++;
            }
            free(msg);
            free(sig);
        }
    }
    json_free(j);
    printf("  Wycheproof ECDSA P-256/SHA-256 (DER): %d valid accepted, %d invalid rejected, %d acceptable\n", valid,
           invalid, acceptable);
    assert_int_equal(valid + invalid + acceptable, 484);
    assert_int_equal(valid, 174);
    assert_int_equal(invalid, 310);
}

static void test_wycheproof(void **state) {
    (void)state;
    for (size_t i = 0; i < NPATHS; i++) {
        tv_use_cpu(paths[i]);
        printf("  [%s]\n", tv_cpu_name(paths[i]));
        run_wycheproof();
    }
    tv_use_cpu(NULL);
}

static int failing_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    memset(buf, 0, len);
    return -1;
}

static void test_roundtrip(void **state) {
    (void)state;
    uint64_t seed = 1864;
    static const tern_hash_alg algs[] = {TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};
    int n = 0;
    for (int i = 0; i < 30; i++) {
        uint8_t priv[32], pub[65], digest[64], der[72], der2[72], sig[64], sig2[64];
        size_t len, len2;
        tern_hash_alg alg = algs[i % 3];
        size_t hlen = tern_hash_len(alg);
        assert_int_equal(tern_p256_keygen(priv, pub, tv_rng, &seed), 0);
        tv_rng(&seed, digest, hlen);
        assert_int_equal(tern_ecdsa_p256_sign(priv, alg, digest, der, sizeof der, &len, tv_rng, &seed), 0);
        assert_true(len >= 8 && len <= TERN_ECDSA_P256_MAX_SIG_LEN);
        assert_int_equal(tern_ecdsa_p256_verify(pub, alg, digest, der, len), 0);
        /* Hedged: a second signature of the same digest uses another nonce. */
        assert_int_equal(tern_ecdsa_p256_sign(priv, alg, digest, der2, sizeof der2, &len2, tv_rng, &seed), 0);
        assert_int_equal(tern_ecdsa_p256_verify(pub, alg, digest, der2, len2), 0);
        assert_false(len == len2 && memcmp(der, der2, len) == 0);
        /* Deterministic with the same additional data: identical. */
        uint8_t extra[32];
        tv_rng(&seed, extra, 32);
        assert_int_equal(tern_ecdsa_p256_sign_det(priv, alg, digest, extra, 32, sig), 0);
        assert_int_equal(tern_ecdsa_p256_sign_det(priv, alg, digest, extra, 32, sig2), 0);
        assert_memory_equal(sig, sig2, 64);
        assert_int_equal(tern_ecdsa_p256_verify_raw(pub, alg, digest, sig), 0);
        /* (r, n - s) is the other valid signature for the same R. */
        /* n - s = (n - 1) * s mod n. */
        uint64_t s[4], nms[4], nm1[4];
        uint8_t nm1b[32];
        assert_int_equal(
            tv_unhex_into("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550", nm1b, 32), 0);
        tern_p256_scalar_from_bytes(nm1, nm1b);
        tern_p256_scalar_from_bytes(s, sig + 32);
        tern_p256_scalar_mul(nms, s, nm1);
        memcpy(sig2, sig, 32);
        tern_p256_scalar_to_bytes(sig2 + 32, nms);
        assert_int_equal(tern_ecdsa_p256_verify_raw(pub, alg, digest, sig2), 0);
        /* Any flipped bit in the digest's first 32 bytes, r or s: refused. */
        for (int bit = i % 7; bit < 256; bit += 29) {
            digest[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_int_equal(tern_ecdsa_p256_verify_raw(pub, alg, digest, sig), TERN_ERR_BAD_SIGNATURE);
            digest[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        for (int bit = i % 5; bit < 512; bit += 41) {
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_int_equal(tern_ecdsa_p256_verify_raw(pub, alg, digest, sig), TERN_ERR_BAD_SIGNATURE);
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        /* Digest bytes past the leftmost 256 bits do not count (FIPS 186-4
         * truncation): changing them keeps the signature valid. */
        if (hlen > 32) {
            digest[hlen - 1] ^= 1;
            assert_int_equal(tern_ecdsa_p256_verify_raw(pub, alg, digest, sig), 0);
        }
        /* Another key does not verify it. */
        uint8_t priv2[32], pub2[65];
        assert_int_equal(tern_p256_keygen(priv2, pub2, tv_rng, &seed), 0);
        assert_int_equal(tern_ecdsa_p256_verify(pub2, alg, digest, der, len), TERN_ERR_BAD_SIGNATURE);
        n++;
    }
    printf("  ECDSA sign/verify round trips: %d keys x (hedged, deterministic, malleated, tampered)\n", n);

    /* Argument and failure paths. */
    uint8_t priv[32] = {0}, pub[65], digest[64] = {0}, der[72], sig[64];
    size_t len;
    assert_int_equal(tern_ecdsa_p256_sign(priv, TERN_HASH_SHA256, digest, der, sizeof der, &len, tv_rng, &seed),
                     TERN_ERR_BAD_KEY);
    priv[31] = 7;
    assert_int_equal(tern_ecdsa_p256_sign(priv, (tern_hash_alg)99, digest, der, sizeof der, &len, tv_rng, &seed),
                     TERN_ERR_UNSUPPORTED);
    assert_int_equal(tern_ecdsa_p256_sign(priv, TERN_HASH_SHA256, digest, der, sizeof der, &len, failing_rng, NULL),
                     TERN_ERR_RNG);
    assert_int_equal(tern_ecdsa_p256_sign(priv, TERN_HASH_SHA256, digest, der, 8, &len, tv_rng, &seed),
                     TERN_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(tern_ecdsa_p256_sign(priv, TERN_HASH_SHA256, digest, der, sizeof der, &len, NULL, NULL), 0);
    assert_int_equal(tern_p256_public_from_private(pub, priv), 0);
    assert_int_equal(tern_ecdsa_p256_verify(pub, TERN_HASH_SHA256, digest, der, len), 0);
    assert_int_equal(tern_ecdsa_p256_verify(pub, (tern_hash_alg)99, digest, der, len), TERN_ERR_UNSUPPORTED);
    pub[64] ^= 1;
    assert_int_equal(tern_ecdsa_p256_verify(pub, TERN_HASH_SHA256, digest, der, len), TERN_ERR_BAD_KEY);
    pub[64] ^= 1;
    /* r = 0, s = 0, r = n are out of range. */
    assert_int_equal(tern_ecdsa_sig_from_der(sig, der, len), 0);
    uint8_t bad[64];
    memcpy(bad, sig, 64);
    memset(bad, 0, 32);
    assert_int_equal(tern_ecdsa_p256_verify_raw(pub, TERN_HASH_SHA256, digest, bad), TERN_ERR_BAD_SIGNATURE);
    memcpy(bad, sig, 64);
    memset(bad + 32, 0, 32);
    assert_int_equal(tern_ecdsa_p256_verify_raw(pub, TERN_HASH_SHA256, digest, bad), TERN_ERR_BAD_SIGNATURE);
    assert_int_equal(tv_unhex_into("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", bad, 32), 0);
    assert_int_equal(tern_ecdsa_p256_verify_raw(pub, TERN_HASH_SHA256, digest, bad), TERN_ERR_BAD_SIGNATURE);
}

/* The strict DER codec: encodings of edge values, then malformed ones. */
static void test_der(void **state) {
    (void)state;
    uint8_t sig[64], back[64], der[80];
    size_t len;
    /* r = 1, s = 0x80 (needs a 00 pad). */
    memset(sig, 0, 64);
    sig[31] = 1;
    sig[63] = 0x80;
    assert_int_equal(tern_ecdsa_sig_to_der(der, sizeof der, &len, sig), 0);
    static const uint8_t want_small[] = {0x30, 0x07, 0x02, 0x01, 0x01, 0x02, 0x02, 0x00, 0x80};
    assert_int_equal(len, sizeof want_small);
    assert_memory_equal(der, want_small, len);
    assert_int_equal(tern_ecdsa_sig_from_der(back, der, len), 0);
    assert_memory_equal(back, sig, 64);
    /* Top bits set in both: 72 bytes, the maximum. */
    memset(sig, 0xff, 64);
    assert_int_equal(tern_ecdsa_sig_to_der(der, sizeof der, &len, sig), 0);
    assert_int_equal(len, 72);
    assert_int_equal(tern_ecdsa_sig_to_der(der, 71, &len, sig), TERN_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(tern_ecdsa_sig_to_der(der, sizeof der, &len, sig), 0);
    assert_int_equal(tern_ecdsa_sig_from_der(back, der, len), 0);
    assert_memory_equal(back, sig, 64);
    /* Every truncation and every extension by one byte is refused. */
    for (size_t l = 0; l < len; l++)
        assert_int_equal(tern_ecdsa_sig_from_der(back, der, l), TERN_ERR_DECODE);
    der[len] = 0;
    assert_int_equal(tern_ecdsa_sig_from_der(back, der, len + 1), TERN_ERR_DECODE);
    assert_int_equal(tern_ecdsa_sig_from_der(back, NULL, 0), TERN_ERR_DECODE);

    struct {
        const char *hex;
        const char *why;
    } bad[] = {
        {"3006020101020101", "valid baseline (r = s = 1)"}, /* index 0 is valid */
        {"3106020101020101", "SET instead of SEQUENCE"},
        {"300702010102010100", "trailing byte after s inside"},
        {"30060201010201010000", "trailing bytes after the SEQUENCE"},
        {"308106020101020101", "long-form SEQUENCE length"},
        {"300702010102810101", "long-form INTEGER length"},
        {"300702020001020101", "leading zero on a small INTEGER"},
        {"3006020181020101", "negative r"},
        {"3006020101020181", "negative s"},
        {"30050200020101", "zero-length INTEGER"},
        {"3006030101020101", "BIT STRING tag"},
        {"3006020501020101", "INTEGER length past the SEQUENCE"},
        {"3003020101", "s missing"},
        {"3000", "empty SEQUENCE"},
        {"30080201010201010500", "NULL after s"},
        {"302702220000ff00000000000000000000000000000000000000000000000000000000000000020101", "two leading zeros"},
        {"30260221010000000000000000000000000000000000000000000000000000000000000000020101", "r of 33 significant bytes (>= 2^256)"},
    };
    int rejected = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t n;
        uint8_t *b = tv_unhex(bad[i].hex, &n);
        int rc = tern_ecdsa_sig_from_der(back, b, n);
        if (i == 0) {
            assert_int_equal(rc, 0);
        } else {
            if (rc != TERN_ERR_DECODE)
                fail_msg("DER case '%s' (%s) accepted", bad[i].why, bad[i].hex);
            rejected++;
        }
        free(b);
    }
    printf("  strict DER: %d malformed encodings refused\n", rejected);

    /* Canonical form: whatever the decoder accepts must re-encode to the
     * very same bytes (DER has one encoding per value).  Random mutations
     * of valid signatures: bit flips, byte changes, truncations, and
     * extensions. */
    uint64_t seed = 690;
    int accepted = 0, tried = 0;
    for (int i = 0; i < 20000; i++) {
        uint8_t raw[64], enc[80], re[80];
        size_t elen, rlen;
        tv_rng(&seed, raw, 64);
        uint8_t pick[4];
        tv_rng(&seed, pick, 4);
        /* vary the magnitudes so that short and padded INTEGERs occur */
        memset(raw, 0, pick[0] % 33);
        memset(raw + 32, 0, pick[1] % 33);
        assert_int_equal(tern_ecdsa_sig_to_der(enc, sizeof enc, &elen, raw), 0);
        switch (pick[2] % 4) {
        case 0: enc[pick[3] % elen] ^= (uint8_t)(1u << (pick[2] >> 5)); break;
        case 1: enc[pick[3] % elen] = pick[2]; break;
        case 2: elen = pick[3] % elen; break;
        default: enc[elen] = pick[3]; elen++; break;
        }
        tried++;
        if (tern_ecdsa_sig_from_der(back, enc, elen) != 0)
            continue;
        accepted++;
        assert_int_equal(tern_ecdsa_sig_to_der(re, sizeof re, &rlen, back), 0);
        if (rlen != elen || memcmp(re, enc, elen) != 0)
            fail_msg("non-canonical DER accepted (mutation %d)", i);
    }
    printf("  strict DER: %d mutated encodings, %d accepted, all canonical\n", tried, accepted);
    /* A 33-byte r with a proper 00 pad is fine. */
    size_t n;
    uint8_t *b =
        tv_unhex("3026022100ff00000000000000000000000000000000000000000000000000000000000000020101", &n);
    assert_int_equal(tern_ecdsa_sig_from_der(back, b, n), 0);
    assert_int_equal(back[0], 0xff);
    free(b);
}

#ifdef TERN_TEST_HAVE_OPENSSL
static void test_openssl(void **state) {
    (void)state;
    uint64_t seed = 5480;
    int n = 0;
    for (int i = 0; i < 30; i++) {
        EVP_PKEY *pk = tv_ossl_ec_keygen("P-256");
        uint8_t priv[32], pub[65], digest[32], der[80];
        size_t len = 0, dlen = sizeof der;
        tv_ossl_ec_export(pk, priv, 32, pub, 65);
        tv_rng(&seed, digest, 32);
        /* tern signs, OpenSSL verifies. */
        assert_int_equal(tern_ecdsa_p256_sign(priv, TERN_HASH_SHA256, digest, der, sizeof der, &len, tv_rng, &seed),
                         0);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
        assert_int_equal(EVP_PKEY_verify_init(ctx), 1);
        assert_int_equal(EVP_PKEY_verify(ctx, der, len, digest, 32), 1);
        EVP_PKEY_CTX_free(ctx);
        /* OpenSSL signs, tern verifies. */
        ctx = EVP_PKEY_CTX_new(pk, NULL);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        assert_int_equal(EVP_PKEY_sign(ctx, der, &dlen, digest, 32), 1);
        EVP_PKEY_CTX_free(ctx);
        assert_int_equal(tern_ecdsa_p256_verify(pub, TERN_HASH_SHA256, digest, der, dlen), 0);
        digest[0] ^= 1;
        assert_int_equal(tern_ecdsa_p256_verify(pub, TERN_HASH_SHA256, digest, der, dlen), TERN_ERR_BAD_SIGNATURE);
        EVP_PKEY_free(pk);
        n++;
    }
    printf("  ECDSA against OpenSSL: %d keys, both directions\n", n);
}
#endif

/* Verification's variable-time additions meet their special cases when
 * the key is G itself (private key 1) and the digest equals r: then
 * u1 = u2 and both NAF tables hold the same points, so the accumulator
 * adds P to P (the doubling branch).  With the key -G (private key n-1)
 * the two halves cancel and the sum is the point at infinity, which must
 * be a bad signature. */
static void test_verify_edges(void **state) {
    (void)state;
    uint8_t one[32] = {0}, nm1[32], pub1[65], pubm[65], k[32], digest[32], sig[64];
    one[31] = 1;
    assert_int_equal(tv_unhex_into("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550", nm1, 32), 0);
    assert_int_equal(tern_p256_public_from_private(pub1, one), 0);
    assert_int_equal(tern_p256_public_from_private(pubm, nm1), 0);
    uint64_t seed = 2015;
    int n = 0;
    for (int i = 0; i < 40; i++) {
        tv_rng(&seed, k, 32);
        k[0] &= 0x7f;
        if (i < 16) { /* small nonces too: short NAFs */
            memset(k, 0, 32);
            k[31] = (uint8_t)(i + 1);
        }
        /* r does not depend on the digest: sign once to learn it. */
        memset(digest, 0, 32);
        assert_true(tern_ecdsa_p256_sign_with_k(one, digest, 32, k, sig) != 0);
        memcpy(digest, sig, 32); /* e = r */
        if (tern_ecdsa_p256_sign_with_k(one, digest, 32, k, sig) == 0)
            continue; /* s = 0: cannot happen for these, but be exact */
        assert_int_equal(tern_ecdsa_p256_verify_raw(pub1, TERN_HASH_SHA256, digest, sig), 0);
        /* The same numbers under -G: u1 G + u2 (-G) = O. */
        assert_int_equal(tern_ecdsa_p256_verify_raw(pubm, TERN_HASH_SHA256, digest, sig), TERN_ERR_BAD_SIGNATURE);
        n++;
    }
    printf("  verification special cases (P + P, P + (-P)): %d signatures checked\n", n);
    assert_true(n >= 38);
}

/* ---- P-384 verification ---- */

static void test_p384_rfc6979(void **state) {
    (void)state;
    tv_file *f = tv_open(tv_path("kat/rfc6979_p384.txt"));
    tv_case c;
    int n = 0;
    while (tv_next(f, &c)) {
        uint8_t pub[97], sig[96], der[110], digest[64];
        size_t mlen;
        assert_int_equal(tv_unhex_into(tv_get(&c, "public"), pub, 97), 0);
        assert_int_equal(tv_unhex_into(tv_get(&c, "r"), sig, 48), 0);
        assert_int_equal(tv_unhex_into(tv_get(&c, "s"), sig + 48, 48), 0);
        tern_hash_alg alg = alg_by_name(tv_get(&c, "hash"));
        uint8_t *msg = tv_get_hex(&c, "msg", &mlen);
        assert_int_equal(tern_hash(alg, digest, msg, mlen), 0);
        size_t hlen = tern_hash_len(alg);
        assert_int_equal(tern_p384_check_public(pub), 0);
        assert_int_equal(tern_p384_ecdsa_verify_raw(pub, digest, hlen, sig), 0);
        /* DER by hand (r and s are 48 bytes with the top bit maybe set). */
        size_t off = 2;
        for (int k = 0; k < 2; k++) {
            const uint8_t *v = sig + 48 * k;
            int pad = (v[0] & 0x80) != 0;
            der[off++] = 0x02;
            der[off++] = (uint8_t)(48 + pad);
            if (pad)
                der[off++] = 0;
            memcpy(der + off, v, 48);
            off += 48;
        }
        der[0] = 0x30;
        der[1] = (uint8_t)(off - 2);
        assert_int_equal(tern_ecdsa_p384_verify(pub, alg, digest, der, off), 0);
        /* Tampering anywhere is refused. */
        for (int bit = n; bit < 768; bit += 37) {
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            assert_int_equal(tern_p384_ecdsa_verify_raw(pub, digest, hlen, sig), TERN_ERR_BAD_SIGNATURE);
            sig[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        }
        digest[3] ^= 0x10;
        assert_int_equal(tern_ecdsa_p384_verify(pub, alg, digest, der, off), TERN_ERR_BAD_SIGNATURE);
        digest[3] ^= 0x10;
        /* Trailing byte, truncation. */
        der[off] = 0;
        assert_int_equal(tern_ecdsa_p384_verify(pub, alg, digest, der, off + 1), TERN_ERR_BAD_SIGNATURE);
        assert_int_equal(tern_ecdsa_p384_verify(pub, alg, digest, der, off - 1), TERN_ERR_BAD_SIGNATURE);
        free(msg);
        n++;
    }
    tv_close(f);
    printf("  RFC 6979 A.2.6: %d P-384 signatures verified (and tampered copies refused)\n", n);
    assert_int_equal(n, 6);
}

static void test_p384_invalid(void **state) {
    (void)state;
    tv_file *f = tv_open(tv_path("kat/rfc6979_p384.txt"));
    tv_case c;
    assert_int_equal(tv_next(f, &c), 1);
    uint8_t pub[97], sig[96], bad[96], digest[32], pt[97];
    assert_int_equal(tv_unhex_into(tv_get(&c, "public"), pub, 97), 0);
    assert_int_equal(tv_unhex_into(tv_get(&c, "r"), sig, 48), 0);
    assert_int_equal(tv_unhex_into(tv_get(&c, "s"), sig + 48, 48), 0);
    assert_int_equal(tv_unhex_into(tv_get(&c, "digest"), digest, 32), 0);
    tv_close(f);
    assert_int_equal(tern_p384_ecdsa_verify_raw(pub, digest, 32, sig), 0);
    /* Public keys: wrong prefix, off the curve, coordinate >= p. */
    memcpy(pt, pub, 97);
    pt[0] = 0x03;
    assert_int_equal(tern_p384_check_public(pt), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_p384_ecdsa_verify_raw(pt, digest, 32, sig), TERN_ERR_BAD_KEY);
    for (int bit = 8; bit < 97 * 8; bit += 13) {
        memcpy(pt, pub, 97);
        pt[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(tern_p384_check_public(pt), TERN_ERR_BAD_KEY);
    }
    memcpy(pt, pub, 97);
    memset(pt + 1, 0xff, 48);
    assert_int_equal(tern_p384_check_public(pt), TERN_ERR_BAD_KEY);
    /* r, s = 0 and = n. */
    static const char n_hex[] =
        "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973";
    memcpy(bad, sig, 96);
    memset(bad, 0, 48);
    assert_int_equal(tern_p384_ecdsa_verify_raw(pub, digest, 32, bad), TERN_ERR_BAD_SIGNATURE);
    memcpy(bad, sig, 96);
    memset(bad + 48, 0, 48);
    assert_int_equal(tern_p384_ecdsa_verify_raw(pub, digest, 32, bad), TERN_ERR_BAD_SIGNATURE);
    memcpy(bad, sig, 96);
    assert_int_equal(tv_unhex_into(n_hex, bad, 48), 0);
    assert_int_equal(tern_p384_ecdsa_verify_raw(pub, digest, 32, bad), TERN_ERR_BAD_SIGNATURE);
    memcpy(bad, sig, 96);
    assert_int_equal(tv_unhex_into(n_hex, bad + 48, 48), 0);
    assert_int_equal(tern_p384_ecdsa_verify_raw(pub, digest, 32, bad), TERN_ERR_BAD_SIGNATURE);
    /* The P-256 key size is refused by the DER codec width: a 49-byte
     * significant r is too big. */
    uint8_t der[120];
    der[0] = 0x30;
    der[1] = 2 + 50 + 3;
    der[2] = 0x02;
    der[3] = 50;
    der[4] = 0x00;
    der[5] = 0x01;
    memset(der + 6, 0, 48);
    der[54] = 0x02;
    der[55] = 0x01;
    der[56] = 0x01;
    assert_int_equal(tern_ecdsa_p384_verify(pub, TERN_HASH_SHA256, digest, der, 57), TERN_ERR_BAD_SIGNATURE);
    assert_int_equal(tern_ecdsa_p384_verify(pub, (tern_hash_alg)1, digest, der, 57), TERN_ERR_UNSUPPORTED);
}

#ifdef TERN_TEST_HAVE_OPENSSL
static void test_p384_openssl(void **state) {
    (void)state;
    uint64_t seed = 384;
    int n = 0;
    static const tern_hash_alg algs[] = {TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};
    for (int i = 0; i < 12; i++) {
        EVP_PKEY *pk = tv_ossl_ec_keygen("P-384");
        uint8_t pub[97], digest[64], der[120];
        size_t dlen = sizeof der;
        tv_ossl_ec_export(pk, NULL, 0, pub, 97);
        tern_hash_alg alg = algs[i % 3];
        size_t hlen = tern_hash_len(alg);
        tv_rng(&seed, digest, hlen);
        EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(pk, NULL);
        assert_int_equal(EVP_PKEY_sign_init(ctx), 1);
        /* OpenSSL truncates a digest longer than the order the same way. */
        assert_int_equal(EVP_PKEY_sign(ctx, der, &dlen, digest, hlen), 1);
        EVP_PKEY_CTX_free(ctx);
        assert_int_equal(tern_p384_check_public(pub), 0);
        assert_int_equal(tern_ecdsa_p384_verify(pub, alg, digest, der, dlen), 0);
        digest[hlen / 2] ^= 4; /* byte 16, 24 or 32: inside the leftmost 384 bits */
        assert_int_equal(tern_ecdsa_p384_verify(pub, alg, digest, der, dlen), TERN_ERR_BAD_SIGNATURE);
        EVP_PKEY_free(pk);
        n++;
    }
    printf("  P-384 against OpenSSL: %d OpenSSL signatures (SHA-256/384/512 digests) verified\n", n);
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6979),
        cmocka_unit_test(test_wycheproof),
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_der),
        cmocka_unit_test(test_verify_edges),
        cmocka_unit_test(test_p384_rfc6979),
        cmocka_unit_test(test_p384_invalid),
#ifdef TERN_TEST_HAVE_OPENSSL
        cmocka_unit_test(test_openssl),
        cmocka_unit_test(test_p384_openssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
