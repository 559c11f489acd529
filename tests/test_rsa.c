/*
 * Tests for crypto/rsa.h against Wycheproof:
 *   rsa_signature_{2048,3072,4096}_sha{256,384,512}  PKCS#1 v1.5 verify
 *   rsa_pkcs1_{2048,3072,4096}_sig_gen                PKCS#1 v1.5 sign (exact bytes)
 *   rsa_pss_*                                         PSS verify (sha = mgfSha, sLen = hLen)
 *   rsa_pkcs1_{2048,3072,4096}                        PKCS#1 v1.5 decrypt, and the same
 *                                                     ciphertexts through the TLS premaster path
 * plus round trips per size and hash (portable and accelerated Montgomery
 * paths), key-limit rejections, the fault check (a corrupted CRT half
 * releases no signature), and crafted premaster ciphertexts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/bn.h"
#include "crypto/cpu.h"
#include "crypto/rsa.h"
#include "tests/util/testutil.h"

static int hash_id(const char *name, tern_hash_alg *alg) {
    if (!name)
        return 0;
    if (!strcmp(name, "SHA-256"))
        *alg = TERN_HASH_SHA256;
    else if (!strcmp(name, "SHA-384"))
        *alg = TERN_HASH_SHA384;
    else if (!strcmp(name, "SHA-512"))
        *alg = TERN_HASH_SHA512;
    else
        return 0;
    return 1;
}

/* A hex field as tern_rsa_bytes (malloc'd; free with freeb). */
static tern_rsa_bytes hexb(const json *obj, const char *key) {
    const char *h = json_str(obj, key);
    assert_non_null(h);
    tern_rsa_bytes b;
    b.p = tv_unhex(h, &b.len);
    return b;
}
static void freeb(tern_rsa_bytes b) {
    free((void *)b.p);
}

static int load_public(tern_rsa_public *k, const json *pubkey) {
    tern_rsa_bytes n = hexb(pubkey, "modulus"), e = hexb(pubkey, "publicExponent");
    int rc = tern_rsa_public_init(k, n, e);
    freeb(n);
    freeb(e);
    return rc;
}

static int load_private(tern_rsa_private *k, const json *pk) {
    tern_rsa_bytes n = hexb(pk, "modulus"), e = hexb(pk, "publicExponent"), d = hexb(pk, "privateExponent"),
                   p = hexb(pk, "prime1"), q = hexb(pk, "prime2"), dp = hexb(pk, "exponent1"),
                   dq = hexb(pk, "exponent2"), qi = hexb(pk, "coefficient");
    int rc = tern_rsa_private_init(k, n, e, d, p, q, dp, dq, qi);
    freeb(n), freeb(e), freeb(d), freeb(p), freeb(q), freeb(dp), freeb(dq), freeb(qi);
    return rc;
}

/* The sig_gen files give only n, e, d in "privateKey"; the CRT parts come
 * from "privateKeyPkcs8": a minimal DER walk down to RSAPrivateKey
 * (RFC 8017 A.1.2) inside PrivateKeyInfo (RFC 5208). */
static size_t der_tlv(const uint8_t *p, size_t len, size_t *hdr) {
    assert_true(len >= 2);
    size_t l = p[1], h = 2;
    if (l & 0x80) {
        size_t nb = l & 0x7f;
        assert_true(nb >= 1 && nb <= 3 && len >= 2 + nb);
        l = 0;
        for (size_t i = 0; i < nb; i++)
            l = l << 8 | p[2 + i];
        h += nb;
    }
    assert_true(h + l <= len);
    *hdr = h;
    return l;
}

static int load_private_pkcs8(tern_rsa_private *k, const char *hex) {
    size_t len, h, l;
    uint8_t *der = tv_unhex(hex, &len);
    const uint8_t *p = der;
    l = der_tlv(p, len, &h); /* PrivateKeyInfo SEQUENCE */
    p += h;
    size_t rest = l;
    l = der_tlv(p, rest, &h); /* version */
    p += h + l, rest -= h + l;
    l = der_tlv(p, rest, &h); /* AlgorithmIdentifier */
    p += h + l, rest -= h + l;
    assert_int_equal(p[0], 0x04); /* OCTET STRING */
    l = der_tlv(p, rest, &h);
    p += h, rest = l;
    assert_int_equal(p[0], 0x30); /* RSAPrivateKey SEQUENCE */
    l = der_tlv(p, rest, &h);
    p += h, rest = l;
    tern_rsa_bytes f[9];
    for (int i = 0; i < 9; i++) {
        assert_int_equal(p[0], 0x02);
        l = der_tlv(p, rest, &h);
        f[i].p = p + h;
        f[i].len = l;
        p += h + l, rest -= h + l;
    }
    int rc = tern_rsa_private_init(k, f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8]);
    free(der);
    return rc;
}

/* ---- PKCS#1 v1.5 verify ---------------------------------------------------- */

static void run_sig_verify(const char *file, int *nvalid, int *ninvalid, int *nacc_rej) {
    json *j = json_load(tv_path(file));
    const json *groups = json_get(j, "testGroups");
    for (size_t g = 0; g < groups->n; g++) {
        const json *grp = groups->items[g];
        tern_hash_alg alg;
        assert_true(hash_id(json_str(grp, "sha"), &alg));
        tern_rsa_public k;
        assert_int_equal(load_public(&k, json_get(grp, "publicKey")), 0);
        const json *tests = json_get(grp, "tests");
        for (size_t t = 0; t < tests->n; t++) {
            const json *tc = tests->items[t];
            size_t mlen, slen;
            uint8_t *msg = tv_unhex(json_str(tc, "msg"), &mlen);
            uint8_t *sig = tv_unhex(json_str(tc, "sig"), &slen);
            uint8_t dig[TERN_HASH_MAX_LEN];
            assert_int_equal(tern_hash(alg, dig, msg, mlen), 0);
            int rc = tern_rsa_pkcs1_verify(&k, alg, dig, sig, slen);
            const char *res = json_str(tc, "result");
            if (!strcmp(res, "valid")) {
                if (rc != 0)
                    print_message("%s tcId %d: valid signature rejected (%d)\n", file, (int)json_num(tc, "tcId", 0), rc);
                assert_int_equal(rc, 0);
                (*nvalid)++;
            } else if (!strcmp(res, "invalid")) {
                if (rc == 0)
                    print_message("%s tcId %d: invalid signature accepted\n", file, (int)json_num(tc, "tcId", 0));
                assert_int_equal(rc, TERN_ERR_BAD_SIGNATURE);
                (*ninvalid)++;
            } else {
                /* acceptable: MissingNull (DigestInfo without NULL); we
                 * build the one DER encoding with NULL, so it is rejected. */
                assert_true(json_has_flag(tc, "MissingNull"));
                assert_int_equal(rc, TERN_ERR_BAD_SIGNATURE);
                (*nacc_rej)++;
            }
            free(msg);
            free(sig);
        }
    }
    json_free(j);
}

static void test_pkcs1_verify_wycheproof(void **state) {
    (void)state;
    static const char *files[] = {
        "wycheproof/rsa_signature_2048_sha256_test.json", "wycheproof/rsa_signature_2048_sha384_test.json",
        "wycheproof/rsa_signature_2048_sha512_test.json", "wycheproof/rsa_signature_3072_sha256_test.json",
        "wycheproof/rsa_signature_3072_sha384_test.json", "wycheproof/rsa_signature_3072_sha512_test.json",
        "wycheproof/rsa_signature_4096_sha256_test.json", "wycheproof/rsa_signature_4096_sha384_test.json",
        "wycheproof/rsa_signature_4096_sha512_test.json",
    };
    int v = 0, inv = 0, acc = 0;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        run_sig_verify(files[i], &v, &inv, &acc);
    print_message("PKCS#1 v1.5 verify: %d valid accepted, %d invalid rejected, %d acceptable (MissingNull) rejected\n",
                  v, inv, acc);
    assert_true(v > 50 && inv > 2000);
}

/* ---- PKCS#1 v1.5 sign (deterministic: exact bytes) -------------------------- */

static void test_pkcs1_sign_wycheproof(void **state) {
    (void)state;
    static const char *files[] = {"wycheproof/rsa_pkcs1_2048_sig_gen_test.json",
                                  "wycheproof/rsa_pkcs1_3072_sig_gen_test.json",
                                  "wycheproof/rsa_pkcs1_4096_sig_gen_test.json"};
    int ok = 0, skipped = 0;
    uint64_t seed = 1;
    for (size_t f = 0; f < 3; f++) {
        json *j = json_load(tv_path(files[f]));
        const json *groups = json_get(j, "testGroups");
        for (size_t g = 0; g < groups->n; g++) {
            const json *grp = groups->items[g];
            const json *tests = json_get(grp, "tests");
            tern_hash_alg alg;
            if (!hash_id(json_str(grp, "sha"), &alg)) {
                skipped += (int)tests->n; /* SHA-1 / SHA-224: not offered */
                continue;
            }
            tern_rsa_private k;
            assert_int_equal(load_private_pkcs8(&k, json_str(grp, "privateKeyPkcs8")), 0);
            /* ... and it is the key the JSON names */
            tern_rsa_public pub;
            assert_int_equal(load_public(&pub, json_get(grp, "privateKey")), 0);
            assert_memory_equal(pub.n, k.pub.n, sizeof pub.n);
            assert_true(pub.e == k.pub.e);
            size_t klen = tern_rsa_len(&k.pub);
            for (size_t t = 0; t < tests->n; t++) {
                const json *tc = tests->items[t];
                size_t mlen, slen;
                uint8_t *msg = tv_unhex(json_str(tc, "msg"), &mlen);
                uint8_t *want = tv_unhex(json_str(tc, "sig"), &slen);
                uint8_t dig[TERN_HASH_MAX_LEN], sig[TERN_RSA_MAX_BYTES], exp[TERN_RSA_MAX_BYTES] = {0};
                assert_true(slen <= klen);
                memcpy(exp + klen - slen, want, slen); /* "short signature" cases drop leading zeros */
                assert_int_equal(tern_hash(alg, dig, msg, mlen), 0);
                assert_int_equal(tern_rsa_pkcs1_sign(&k, alg, dig, sig, sizeof sig, tv_rng, &seed), 0);
                assert_memory_equal(sig, exp, klen);
                assert_int_equal(tern_rsa_pkcs1_verify(&k.pub, alg, dig, sig, klen), 0);
                ok++;
                free(msg);
                free(want);
            }
            tern_rsa_private_wipe(&k);
        }
        json_free(j);
    }
    print_message("PKCS#1 v1.5 sign: %d signatures equal the expected bytes; %d skipped (SHA-1/SHA-224)\n", ok,
                  skipped);
    assert_true(ok >= 70);
}

/* ---- PSS verify ---------------------------------------------------------------- */

static void test_pss_verify_wycheproof(void **state) {
    (void)state;
    static const char *files[] = {
        "wycheproof/rsa_pss_2048_sha256_mgf1_32_test.json", "wycheproof/rsa_pss_2048_sha384_mgf1_48_test.json",
        "wycheproof/rsa_pss_3072_sha256_mgf1_32_test.json", "wycheproof/rsa_pss_4096_sha256_mgf1_32_test.json",
        "wycheproof/rsa_pss_4096_sha384_mgf1_48_test.json", "wycheproof/rsa_pss_4096_sha512_mgf1_64_test.json",
        "wycheproof/rsa_pss_misc_test.json",
    };
    int v = 0, inv = 0, skipped = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        json *j = json_load(tv_path(files[f]));
        const json *groups = json_get(j, "testGroups");
        for (size_t g = 0; g < groups->n; g++) {
            const json *grp = groups->items[g];
            const json *tests = json_get(grp, "tests");
            tern_hash_alg alg, mgf;
            if (!hash_id(json_str(grp, "sha"), &alg) || !hash_id(json_str(grp, "mgfSha"), &mgf) || alg != mgf ||
                strcmp(json_str(grp, "mgf"), "MGF1") ||
                (size_t)json_num(grp, "sLen", -1) != tern_hash_len(alg)) {
                skipped += (int)tests->n;
                continue;
            }
            tern_rsa_public k;
            assert_int_equal(load_public(&k, json_get(grp, "publicKey")), 0);
            for (size_t t = 0; t < tests->n; t++) {
                const json *tc = tests->items[t];
                size_t mlen, slen;
                uint8_t *msg = tv_unhex(json_str(tc, "msg"), &mlen);
                uint8_t *sig = tv_unhex(json_str(tc, "sig"), &slen);
                uint8_t dig[TERN_HASH_MAX_LEN];
                assert_int_equal(tern_hash(alg, dig, msg, mlen), 0);
                int rc = tern_rsa_pss_verify(&k, alg, dig, sig, slen);
                const char *res = json_str(tc, "result");
                if (!strcmp(res, "valid")) {
                    if (rc)
                        print_message("%s tcId %d rejected\n", files[f], (int)json_num(tc, "tcId", 0));
                    assert_int_equal(rc, 0);
                    v++;
                } else {
                    assert_string_equal(res, "invalid");
                    if (!rc)
                        print_message("%s tcId %d accepted\n", files[f], (int)json_num(tc, "tcId", 0));
                    assert_int_equal(rc, TERN_ERR_BAD_SIGNATURE);
                    inv++;
                }
                free(msg);
                free(sig);
            }
        }
        json_free(j);
    }
    print_message("PSS verify: %d valid accepted, %d invalid rejected, %d skipped (other hash/MGF hash/salt length)\n", v,
                  inv, skipped);
    assert_true(v > 300 && inv > 200);
}

/* ---- PKCS#1 v1.5 decrypt and the TLS premaster path ----------------------------- */

static void test_decrypt_wycheproof(void **state) {
    (void)state;
    static const char *files[] = {"wycheproof/rsa_pkcs1_2048_test.json", "wycheproof/rsa_pkcs1_3072_test.json",
                                  "wycheproof/rsa_pkcs1_4096_test.json"};
    int v = 0, inv = 0, pm = 0;
    for (size_t f = 0; f < 3; f++) {
        json *j = json_load(tv_path(files[f]));
        const json *groups = json_get(j, "testGroups");
        for (size_t g = 0; g < groups->n; g++) {
            const json *grp = groups->items[g];
            tern_rsa_private k;
            assert_int_equal(load_private(&k, json_get(grp, "privateKey")), 0);
            const json *tests = json_get(grp, "tests");
            for (size_t t = 0; t < tests->n; t++) {
                const json *tc = tests->items[t];
                size_t mlen, clen;
                uint8_t *msg = tv_unhex(json_str(tc, "msg"), &mlen);
                uint8_t *ct = tv_unhex(json_str(tc, "ct"), &clen);
                uint8_t out[TERN_RSA_MAX_BYTES];
                uint64_t seed = 77 + (uint64_t)t;
                int rc = tern_rsa_pkcs1_decrypt(&k, ct, clen, out, sizeof out, tv_rng, &seed);
                int valid = !strcmp(json_str(tc, "result"), "valid");
                if (valid) {
                    assert_int_equal(rc, (int)mlen);
                    assert_memory_equal(out, msg, mlen);
                    v++;
                } else {
                    assert_int_equal(rc, TERN_ERR_DECRYPT);
                    inv++;
                }
                /* A too-small output buffer is an error, not a truncation. */
                if (valid && mlen > 0) {
                    seed = 5;
                    assert_int_equal(tern_rsa_pkcs1_decrypt(&k, ct, clen, out, mlen - 1, tv_rng, &seed),
                                     TERN_ERR_DECRYPT);
                }
                /* Premaster path: 48-byte valid messages with a matching
                 * version come out; everything else gives the rng's first 48
                 * bytes, and no error. */
                uint8_t pms[48], rnd[48];
                uint16_t ver = mlen >= 2 ? (uint16_t)(msg[0] << 8 | msg[1]) : 0x0303;
                uint64_t s1 = 1000 + (uint64_t)t, s2 = s1;
                assert_int_equal(tv_rng(&s2, rnd, 48), 0);
                assert_int_equal(tern_rsa_tls_premaster_decrypt(&k, ct, clen, ver, pms, tv_rng, &s1), 0);
                if (valid && mlen == 48)
                    assert_memory_equal(pms, msg, 48);
                else
                    assert_memory_equal(pms, rnd, 48);
                pm++;
                free(msg);
                free(ct);
            }
            tern_rsa_private_wipe(&k);
        }
        json_free(j);
    }
    print_message("PKCS#1 v1.5 decrypt: %d valid decrypted, %d invalid rejected; %d premaster runs\n", v, inv, pm);
    assert_true(v > 120 && inv > 70);
}

/* Keys for the round trips: the Wycheproof decryption keys (2048/3072/4096). */
static void load_test_key(tern_rsa_private *k, int bits) {
    char name[64];
    snprintf(name, sizeof name, "wycheproof/rsa_pkcs1_%d_test.json", bits);
    json *j = json_load(tv_path(name));
    const json *grp = json_get(j, "testGroups")->items[0];
    assert_int_equal(load_private(k, json_get(grp, "privateKey")), 0);
    json_free(j);
}

/* c = em^e mod n, raw (no padding), through the bignum layer. */
static void raw_public(const tern_rsa_public *k, const uint8_t *em, uint8_t *c) {
    uint64_t x[TERN_RSA_LIMBS];
    tern_bn_mont m;
    size_t klen = tern_rsa_len(k);
    assert_int_equal(tern_bn_from_be(x, k->nlimbs, em, klen), 0);
    tern_bn_mont_init(&m, k->n, k->rr, k->n0inv, k->nlimbs);
    tern_bn_to_mont(&m, x, x);
    tern_bn_mont_exp_pub(&m, x, x, k->e);
    tern_bn_from_mont(&m, x, x);
    tern_bn_to_be(c, klen, x, k->nlimbs);
}

static void roundtrips(int bits) {
    static const tern_hash_alg algs[] = {TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};
    tern_rsa_private k;
    load_test_key(&k, bits);
    size_t klen = tern_rsa_len(&k.pub);
    assert_int_equal(klen, (size_t)bits / 8);
    uint64_t seed = (uint64_t)bits;
    for (size_t a = 0; a < 3; a++) {
        /* 4096-bit signing is slow under the sanitizers: sample one hash. */
        if (bits == 4096 && a != 1)
            continue;
        uint8_t dig[TERN_HASH_MAX_LEN], sig[TERN_RSA_MAX_BYTES], sig2[TERN_RSA_MAX_BYTES];
        assert_int_equal(tern_hash(algs[a], dig, "tern", 4), 0);
        assert_int_equal(tern_rsa_pkcs1_sign(&k, algs[a], dig, sig, sizeof sig, tv_rng, &seed), 0);
        assert_int_equal(tern_rsa_pkcs1_verify(&k.pub, algs[a], dig, sig, klen), 0);
        /* deterministic despite different blinding */
        assert_int_equal(tern_rsa_pkcs1_sign(&k, algs[a], dig, sig2, sizeof sig2, tv_rng, &seed), 0);
        assert_memory_equal(sig, sig2, klen);
        sig[klen / 2] ^= 1;
        assert_int_equal(tern_rsa_pkcs1_verify(&k.pub, algs[a], dig, sig, klen), TERN_ERR_BAD_SIGNATURE);
        assert_int_equal(tern_rsa_pkcs1_verify(&k.pub, algs[a], dig, sig2, klen - 1), TERN_ERR_BAD_SIGNATURE);
        assert_int_equal(tern_rsa_pkcs1_sign(&k, algs[a], dig, sig2, klen - 1, tv_rng, &seed),
                         TERN_ERR_BUFFER_TOO_SMALL);

        assert_int_equal(tern_rsa_pss_sign(&k, algs[a], dig, sig, sizeof sig, tv_rng, &seed), 0);
        assert_int_equal(tern_rsa_pss_verify(&k.pub, algs[a], dig, sig, klen), 0);
        assert_int_equal(tern_rsa_pss_sign(&k, algs[a], dig, sig2, sizeof sig2, tv_rng, &seed), 0);
        assert_memory_not_equal(sig, sig2, klen); /* fresh salt */
        assert_int_equal(tern_rsa_pss_verify(&k.pub, algs[a], dig, sig2, klen), 0);
        dig[0] ^= 1;
        assert_int_equal(tern_rsa_pss_verify(&k.pub, algs[a], dig, sig, klen), TERN_ERR_BAD_SIGNATURE);
        assert_int_equal(tern_rsa_pkcs1_verify(&k.pub, algs[a], dig, sig, klen), TERN_ERR_BAD_SIGNATURE);
    }
    /* encrypt / decrypt, and the premaster path */
    uint8_t msg[48], ct[TERN_RSA_MAX_BYTES], out[TERN_RSA_MAX_BYTES], pms[48], rnd[48];
    for (int i = 0; i < 48; i++)
        msg[i] = (uint8_t)(i * 7 + 1);
    msg[0] = 3;
    msg[1] = 3;
    assert_int_equal(tern_rsa_pkcs1_encrypt(&k.pub, msg, 48, ct, sizeof ct, tv_rng, &seed), 0);
    assert_int_equal(tern_rsa_pkcs1_decrypt(&k, ct, klen, out, sizeof out, tv_rng, &seed), 48);
    assert_memory_equal(out, msg, 48);
    assert_int_equal(tern_rsa_tls_premaster_decrypt(&k, ct, klen, 0x0303, pms, tv_rng, &seed), 0);
    assert_memory_equal(pms, msg, 48);
    /* wrong version -> the random value */
    uint64_t s1 = 99, s2 = 99;
    assert_int_equal(tv_rng(&s2, rnd, 48), 0);
    assert_int_equal(tern_rsa_tls_premaster_decrypt(&k, ct, klen, 0x0302, pms, tv_rng, &s1), 0);
    assert_memory_equal(pms, rnd, 48);
    /* longest message, empty message, too long */
    assert_int_equal(tern_rsa_pkcs1_encrypt(&k.pub, msg, 0, ct, sizeof ct, tv_rng, &seed), 0);
    assert_int_equal(tern_rsa_pkcs1_decrypt(&k, ct, klen, out, sizeof out, tv_rng, &seed), 0);
    uint8_t big[TERN_RSA_MAX_BYTES];
    memset(big, 0xa5, sizeof big);
    assert_int_equal(tern_rsa_pkcs1_encrypt(&k.pub, big, klen - 11, ct, sizeof ct, tv_rng, &seed), 0);
    assert_int_equal(tern_rsa_pkcs1_decrypt(&k, ct, klen, out, sizeof out, tv_rng, &seed), (int)klen - 11);
    assert_memory_equal(out, big, klen - 11);
    assert_int_equal(tern_rsa_pkcs1_encrypt(&k.pub, big, klen - 10, ct, sizeof ct, tv_rng, &seed),
                     TERN_ERR_INVALID_ARG);
    tern_rsa_private_wipe(&k);
}

static void test_roundtrips(void **state) {
    (void)state;
    tv_use_cpu(NULL);
    roundtrips(2048);
    roundtrips(3072);
    roundtrips(4096);
}

static void test_roundtrips_portable(void **state) {
    (void)state;
    tv_use_cpu("portable");
    roundtrips(2048);
    tv_use_cpu(NULL);
}

/* Crafted premaster ciphertexts: each single defect gives the random value. */
static void test_premaster_crafted(void **state) {
    (void)state;
    tern_rsa_private k;
    load_test_key(&k, 2048);
    size_t klen = tern_rsa_len(&k.pub);
    enum { OK, TYPE1, LEAD, ZERO_IN_PS, NO_SEP, LEN47, LEN49, VER, NCASES };
    for (int c = 0; c < NCASES; c++) {
        uint8_t em[256], ct[256], pms[48], rnd[48];
        memset(em, 0x11, sizeof em);
        em[0] = 0;
        em[1] = 2;
        size_t sep = klen - 49;
        em[sep] = 0;
        em[sep + 1] = 3;
        em[sep + 2] = 3;
        switch (c) {
        case TYPE1: em[1] = 1; break;
        case LEAD: em[0] = 0x01; em[1] = 2; break;
        case ZERO_IN_PS: em[20] = 0; break;
        case NO_SEP: em[sep] = 0x44; break;
        case LEN47: em[sep] = 0x55; em[sep + 1] = 0; em[sep + 2] = 3; em[sep + 3] = 3; break;
        case LEN49: em[sep - 1] = 0; em[sep] = 3; em[sep + 1] = 3; break;
        case VER: em[sep + 2] = 1; break;
        default: break;
        }
        if (c == LEAD) {
            /* Must stay below n: n's top byte is >= 0x80 so 0x01... is fine. */
            assert_true(k.pub.n[k.pub.nlimbs - 1] >> 56 > 1);
        }
        raw_public(&k.pub, em, ct);
        uint64_t s1 = 4242 + (uint64_t)c, s2 = s1;
        assert_int_equal(tv_rng(&s2, rnd, 48), 0);
        assert_int_equal(tern_rsa_tls_premaster_decrypt(&k, ct, klen, 0x0303, pms, tv_rng, &s1), 0);
        if (c == OK)
            assert_memory_equal(pms, em + klen - 48, 48);
        else
            assert_memory_equal(pms, rnd, 48);
        /* The general decryption agrees about the padding. */
        uint8_t out[256];
        int rc = tern_rsa_pkcs1_decrypt(&k, ct, klen, out, sizeof out, tv_rng, &s1);
        if (c == OK || c == VER)
            assert_int_equal(rc, 48);
        else if (c == LEN47 || c == LEN49 || c == ZERO_IN_PS)
            assert_true(rc == 47 || rc == 49 || rc > 49);
        else
            assert_int_equal(rc, TERN_ERR_DECRYPT);
    }
    /* Wrong length or c >= n: still a random premaster, no error. */
    uint8_t ct[257], pms[48], rnd[48];
    memset(ct, 0xff, sizeof ct);
    uint64_t s1 = 1, s2 = 1;
    assert_int_equal(tv_rng(&s2, rnd, 48), 0);
    assert_int_equal(tern_rsa_tls_premaster_decrypt(&k, ct, klen, 0x0303, pms, tv_rng, &s1), 0);
    assert_memory_equal(pms, rnd, 48);
    s1 = s2 = 2;
    assert_int_equal(tv_rng(&s2, rnd, 48), 0);
    assert_int_equal(tern_rsa_tls_premaster_decrypt(&k, ct, klen + 1, 0x0303, pms, tv_rng, &s1), 0);
    assert_memory_equal(pms, rnd, 48);
    assert_int_equal(tern_rsa_pkcs1_decrypt(&k, ct, klen, pms, 48, tv_rng, &s1), TERN_ERR_DECRYPT);
    tern_rsa_private_wipe(&k);
}

/* A corrupted CRT half must be caught by the public-key check. */
static int fail_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg, (void)buf, (void)len;
    return -1;
}

static void test_fault_check(void **state) {
    (void)state;
    uint8_t dig[32] = {1, 2, 3}, sig[256], zero[256] = {0};
    uint64_t seed = 3;
    for (int which = 0; which < 4; which++) {
        tern_rsa_private k;
        load_test_key(&k, 2048);
        switch (which) {
        case 0: k.dp[3] ^= (uint64_t)1 << 17; break;
        case 1: k.p[5] ^= (uint64_t)1 << 40; break;
        case 2: k.dq[0] ^= 2; break;
        case 3: k.qinv[7] ^= 1; break;
        }
        memset(sig, 0, sizeof sig);
        assert_int_equal(tern_rsa_pkcs1_sign(&k, TERN_HASH_SHA256, dig, sig, sizeof sig, tv_rng, &seed),
                         TERN_ERR_INTERNAL);
        assert_memory_equal(sig, zero, sizeof sig); /* nothing released */
        assert_int_equal(tern_rsa_pss_sign(&k, TERN_HASH_SHA256, dig, sig, sizeof sig, tv_rng, &seed),
                         TERN_ERR_INTERNAL);
        assert_memory_equal(sig, zero, sizeof sig);
        tern_rsa_private_wipe(&k);
    }
    /* A failing rng is reported, not papered over. */
    tern_rsa_private k;
    load_test_key(&k, 2048);
    assert_int_equal(tern_rsa_pkcs1_sign(&k, TERN_HASH_SHA256, dig, sig, sizeof sig, fail_rng, NULL), TERN_ERR_RNG);
    uint8_t pms[48];
    assert_int_equal(tern_rsa_tls_premaster_decrypt(&k, sig, 256, 0x0303, pms, fail_rng, NULL), TERN_ERR_RNG);
    tern_rsa_private_wipe(&k);
}

/* Key limits: < 2048 or > 8192 bits, even n, even e, e < 3, inconsistent parts. */
static void test_key_limits(void **state) {
    (void)state;
    json *j = json_load(tv_path("wycheproof/rsa_pkcs1_2048_test.json"));
    const json *pk = json_get(json_get(j, "testGroups")->items[0], "privateKey");
    tern_rsa_bytes n = hexb(pk, "modulus"), e = hexb(pk, "publicExponent"), d = hexb(pk, "privateExponent"),
                   p = hexb(pk, "prime1"), q = hexb(pk, "prime2"), dp = hexb(pk, "exponent1"),
                   dq = hexb(pk, "exponent2"), qi = hexb(pk, "coefficient");
    tern_rsa_public k;
    tern_rsa_private s;
    assert_int_equal(tern_rsa_public_init(&k, n, e), 0);
    assert_int_equal(k.bits, 2048);
    uint8_t buf[1100];
    tern_rsa_bytes t;
    /* 2047 bits */
    memcpy(buf, n.p, n.len);
    buf[1] = 0x7f; /* n.p[0] is the 00 sign byte */
    t.p = buf, t.len = n.len;
    assert_int_equal(n.p[0], 0);
    assert_int_equal(tern_rsa_public_init(&k, t, e), TERN_ERR_BAD_KEY);
    /* 1024 bits */
    t.p = n.p + 129, t.len = 128;
    assert_int_equal(tern_rsa_public_init(&k, t, e), TERN_ERR_BAD_KEY);
    /* 8193 bits (2^8192 + 1) is refused; 8192 bits (2^8191 + 1) is the limit */
    memset(buf, 0, sizeof buf);
    buf[0] = 1;
    buf[1024] = 1;
    t.p = buf, t.len = 1025;
    assert_int_equal(tern_rsa_public_init(&k, t, e), TERN_ERR_BAD_KEY);
    buf[0] = 0;
    buf[1] = 0x80;
    assert_int_equal(tern_rsa_public_init(&k, t, e), 0);
    assert_int_equal(k.bits, 8192);
    t.p = buf + 1, t.len = 1024; /* same value without the leading zero byte */
    assert_int_equal(tern_rsa_public_init(&k, t, e), 0);
    /* even n */
    memcpy(buf, n.p, n.len);
    buf[n.len - 1] ^= 1;
    t.p = buf, t.len = n.len;
    assert_int_equal(tern_rsa_public_init(&k, t, e), TERN_ERR_BAD_KEY);
    /* e even, e = 1, e = 0, e empty, e > 64 bits */
    static const uint8_t e_even[] = {1, 0, 0}, e_one[] = {1}, e_zero[] = {0}, e_big[9] = {1, 0, 0, 0, 0, 0, 0, 0, 1},
                         e_three[] = {0, 3};
    tern_rsa_bytes ee = {e_even, 3}, e1 = {e_one, 1}, e0 = {e_zero, 1}, eb = {e_big, 9}, e3 = {e_three, 2},
                   en = {NULL, 0};
    assert_int_equal(tern_rsa_public_init(&k, n, ee), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_rsa_public_init(&k, n, e1), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_rsa_public_init(&k, n, e0), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_rsa_public_init(&k, n, en), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_rsa_public_init(&k, n, eb), TERN_ERR_BAD_KEY);
    assert_int_equal(tern_rsa_public_init(&k, n, e3), 0); /* 3 is allowed */
    /* private: good, then one wrong part at a time */
    assert_int_equal(tern_rsa_private_init(&s, n, e, d, p, q, dp, dq, qi), 0);
    assert_int_equal(tern_rsa_private_init(&s, n, e, d, q, p, dq, dp, qi), TERN_ERR_BAD_KEY); /* qInv for other order */
    assert_int_equal(tern_rsa_private_init(&s, n, e3, d, p, q, dp, dq, qi), TERN_ERR_BAD_KEY);
    memcpy(buf, dp.p, dp.len);
    buf[dp.len - 1] ^= 2;
    t.p = buf, t.len = dp.len;
    assert_int_equal(tern_rsa_private_init(&s, n, e, d, p, q, t, dq, qi), TERN_ERR_BAD_KEY);
    memcpy(buf, p.p, p.len);
    buf[p.len - 1] ^= 2;
    t.p = buf, t.len = p.len;
    assert_int_equal(tern_rsa_private_init(&s, n, e, d, t, q, dp, dq, qi), TERN_ERR_BAD_KEY);
    freeb(n), freeb(e), freeb(d), freeb(p), freeb(q), freeb(dp), freeb(dq), freeb(qi);
    json_free(j);
}

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

/* Our PSS signatures and encryptions are accepted by OpenSSL. */
static void test_openssl_cross(void **state) {
    (void)state;
    json *j = json_load(tv_path("wycheproof/rsa_pkcs1_2048_test.json"));
    const json *grp = json_get(j, "testGroups")->items[0];
    tern_rsa_private k;
    assert_int_equal(load_private(&k, json_get(grp, "privateKey")), 0);
    size_t dlen;
    uint8_t *der = tv_unhex(json_str(grp, "privateKeyPkcs8"), &dlen);
    const unsigned char *dp = der;
    EVP_PKEY *pkey = d2i_AutoPrivateKey(NULL, &dp, (long)dlen);
    assert_non_null(pkey);
    uint64_t seed = 11;
    static const tern_hash_alg algs[] = {TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};
    const EVP_MD *mds[] = {EVP_sha256(), EVP_sha384(), EVP_sha512()};
    for (int a = 0; a < 3; a++) {
        uint8_t dig[64], sig[256];
        assert_int_equal(tern_hash(algs[a], dig, "cross", 5), 0);
        assert_int_equal(tern_rsa_pss_sign(&k, algs[a], dig, sig, sizeof sig, tv_rng, &seed), 0);
        EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pkey, NULL);
        assert_int_equal(EVP_PKEY_verify_init(c), 1);
        assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0);
        assert_true(EVP_PKEY_CTX_set_signature_md(c, mds[a]) > 0);
        assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0);
        assert_int_equal(EVP_PKEY_verify(c, sig, 256, dig, tern_hash_len(algs[a])), 1);
        EVP_PKEY_CTX_free(c);
        /* and OpenSSL's PSS signature passes our verify */
        c = EVP_PKEY_CTX_new(pkey, NULL);
        size_t slen = sizeof sig;
        assert_int_equal(EVP_PKEY_sign_init(c), 1);
        assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0);
        assert_true(EVP_PKEY_CTX_set_signature_md(c, mds[a]) > 0);
        assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0);
        assert_int_equal(EVP_PKEY_sign(c, sig, &slen, dig, tern_hash_len(algs[a])), 1);
        EVP_PKEY_CTX_free(c);
        assert_int_equal(tern_rsa_pss_verify(&k.pub, algs[a], dig, sig, slen), 0);
    }
    /* our encryption, OpenSSL's decryption */
    uint8_t msg[48], ct[256], out[256];
    memset(msg, 0x3c, sizeof msg);
    assert_int_equal(tern_rsa_pkcs1_encrypt(&k.pub, msg, 48, ct, sizeof ct, tv_rng, &seed), 0);
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pkey, NULL);
    size_t olen = sizeof out;
    assert_int_equal(EVP_PKEY_decrypt_init(c), 1);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0);
    assert_int_equal(EVP_PKEY_decrypt(c, out, &olen, ct, 256), 1);
    assert_int_equal(olen, 48);
    assert_memory_equal(out, msg, 48);
    EVP_PKEY_CTX_free(c);
    EVP_PKEY_free(pkey);
    free(der);
    tern_rsa_private_wipe(&k);
    json_free(j);
}

#include <openssl/core_names.h>

static tern_rsa_bytes bn_param(EVP_PKEY *pk, const char *name, uint8_t *buf) {
    BIGNUM *b = NULL;
    assert_int_equal(EVP_PKEY_get_bn_param(pk, name, &b), 1);
    tern_rsa_bytes r = {buf, (size_t)BN_bn2bin(b, buf)};
    BN_free(b);
    return r;
}

/* A key from vectors/rsa/ (see the README there) checked against OpenSSL
 * on both Montgomery paths: PKCS#1 v1.5 signatures byte for byte, PSS both
 * ways, and a premaster OpenSSL encrypted. */
static void check_against_openssl(const char *file, size_t bits) {
    FILE *f = fopen(tv_path(file), "r");
    assert_non_null(f);
    EVP_PKEY *pkey = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    assert_non_null(pkey);
    static uint8_t b[8][TERN_RSA_MAX_BYTES + 8];
    tern_rsa_private k;
    assert_int_equal(tern_rsa_private_init(&k, bn_param(pkey, OSSL_PKEY_PARAM_RSA_N, b[0]),
                                           bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, b[1]),
                                           bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, b[2]),
                                           bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR1, b[3]),
                                           bn_param(pkey, OSSL_PKEY_PARAM_RSA_FACTOR2, b[4]),
                                           bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT1, b[5]),
                                           bn_param(pkey, OSSL_PKEY_PARAM_RSA_EXPONENT2, b[6]),
                                           bn_param(pkey, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, b[7])),
                     0);
    assert_int_equal(k.pub.bits, bits);
    size_t klen = (bits + 7) / 8;
    assert_int_equal(tern_rsa_len(&k.pub), klen);
    uint8_t dig[32], sig[TERN_RSA_MAX_BYTES], osig[TERN_RSA_MAX_BYTES];
    uint64_t seed = bits;
    assert_int_equal(tern_hash(TERN_HASH_SHA256, dig, file, strlen(file)), 0);
    /* PKCS#1 v1.5 is deterministic: same bytes as OpenSSL, on both paths */
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(pkey, NULL);
    size_t olen = sizeof osig;
    assert_int_equal(EVP_PKEY_sign_init(c), 1);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0);
    assert_true(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0);
    assert_int_equal(EVP_PKEY_sign(c, osig, &olen, dig, 32), 1);
    EVP_PKEY_CTX_free(c);
    assert_int_equal(olen, klen);
    for (int path = 0; path < 2; path++) {
        tv_use_cpu(path ? "portable" : NULL);
        assert_int_equal(tern_rsa_pkcs1_sign(&k, TERN_HASH_SHA256, dig, sig, sizeof sig, tv_rng, &seed), 0);
        assert_memory_equal(sig, osig, klen);
        assert_int_equal(tern_rsa_pkcs1_verify(&k.pub, TERN_HASH_SHA256, dig, sig, klen), 0);
    }
    tv_use_cpu(NULL);
    /* our PSS signature passes OpenSSL, and OpenSSL's passes ours */
    assert_int_equal(tern_rsa_pss_sign(&k, TERN_HASH_SHA256, dig, sig, sizeof sig, tv_rng, &seed), 0);
    c = EVP_PKEY_CTX_new(pkey, NULL);
    assert_int_equal(EVP_PKEY_verify_init(c), 1);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0);
    assert_true(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0);
    assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0);
    assert_int_equal(EVP_PKEY_verify(c, sig, klen, dig, 32), 1);
    EVP_PKEY_CTX_free(c);
    c = EVP_PKEY_CTX_new(pkey, NULL);
    olen = sizeof osig;
    assert_int_equal(EVP_PKEY_sign_init(c), 1);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0);
    assert_true(EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) > 0);
    assert_true(EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) > 0);
    assert_int_equal(EVP_PKEY_sign(c, osig, &olen, dig, 32), 1);
    EVP_PKEY_CTX_free(c);
    assert_int_equal(tern_rsa_pss_verify(&k.pub, TERN_HASH_SHA256, dig, osig, olen), 0);
    osig[olen - 1] ^= 1;
    assert_int_equal(tern_rsa_pss_verify(&k.pub, TERN_HASH_SHA256, dig, osig, olen), TERN_ERR_BAD_SIGNATURE);
    /* OpenSSL encrypts a premaster, we decrypt it */
    uint8_t pms[48], ct[TERN_RSA_MAX_BYTES], got[48];
    for (int i = 0; i < 48; i++)
        pms[i] = (uint8_t)(i + 0x40);
    pms[0] = 3, pms[1] = 3;
    c = EVP_PKEY_CTX_new(pkey, NULL);
    size_t clen = sizeof ct;
    assert_int_equal(EVP_PKEY_encrypt_init(c), 1);
    assert_true(EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0);
    assert_int_equal(EVP_PKEY_encrypt(c, ct, &clen, pms, 48), 1);
    EVP_PKEY_CTX_free(c);
    assert_int_equal(tern_rsa_tls_premaster_decrypt(&k, ct, clen, 0x0303, got, tv_rng, &seed), 0);
    assert_memory_equal(got, pms, 48);
    assert_int_equal(tern_rsa_pkcs1_decrypt(&k, ct, clen, sig, sizeof sig, tv_rng, &seed), 48);
    assert_memory_equal(sig, pms, 48);
    EVP_PKEY_free(pkey);
    tern_rsa_private_wipe(&k);
}

/* RSA-8192, the largest size accepted (no Wycheproof vectors at this size). */
static void test_rsa8192(void **state) {
    (void)state;
    check_against_openssl("rsa/rsa8192.pem", 8192);
}

/* A 2049-bit modulus: 33 limbs and a 17-limb prime (the limb counts that
 * take the generic code), and PSS with emLen = k - 1 (RFC 8017 §9.1.1,
 * modBits - 1 = 2048 is a multiple of 8, so EM is one byte shorter than
 * the signature). */
static void test_rsa2049(void **state) {
    (void)state;
    check_against_openssl("rsa/rsa2049.pem", 2049);
}
#endif

/* A damaged private exponent d is refused (d must agree with dP mod p-1 and
 * dQ mod q-1), whatever bit is flipped; the undamaged key still loads. */
static void test_private_d_checked(void **state) {
    (void)state;
    static const int sizes[] = {2048, 3072, 4096};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        char name[64];
        snprintf(name, sizeof name, "wycheproof/rsa_pkcs1_%d_test.json", sizes[s]);
        json *j = json_load(tv_path(name));
        const json *pk = json_get(json_get(j, "testGroups")->items[0], "privateKey");
        tern_rsa_bytes n = hexb(pk, "modulus"), e = hexb(pk, "publicExponent"), d = hexb(pk, "privateExponent"),
                       p = hexb(pk, "prime1"), q = hexb(pk, "prime2"), dp = hexb(pk, "exponent1"),
                       dq = hexb(pk, "exponent2"), qi = hexb(pk, "coefficient");
        tern_rsa_private k;
        assert_int_equal(tern_rsa_private_init(&k, n, e, d, p, q, dp, dq, qi), 0);
        uint8_t buf[TERN_RSA_MAX_BYTES + 1];
        assert_true(d.len <= sizeof buf);
        tern_rsa_bytes t = {buf, d.len};
        int flipped = 0;
        for (size_t i = 0; i < d.len; i += 37) {
            for (int bit = 0; bit < 8; bit += 3) {
                memcpy(buf, d.p, d.len);
                buf[d.len - 1 - i] ^= (uint8_t)(1u << bit);
                assert_int_equal(tern_rsa_private_init(&k, n, e, t, p, q, dp, dq, qi), TERN_ERR_BAD_KEY);
                flipped++;
            }
        }
        /* the top bit of the top nonzero byte, and d = 0 */
        size_t top = 0;
        while (d.p[top] == 0)
            top++;
        memcpy(buf, d.p, d.len);
        buf[top] ^= 0x80;
        assert_int_equal(tern_rsa_private_init(&k, n, e, t, p, q, dp, dq, qi), TERN_ERR_BAD_KEY);
        memset(buf, 0, d.len);
        assert_int_equal(tern_rsa_private_init(&k, n, e, t, p, q, dp, dq, qi), TERN_ERR_BAD_KEY);
        /* d + (p-1) is still < n and still agrees mod p-1, but not mod q-1
         * (q-1 does not divide p-1): refused */
        memcpy(buf, d.p, d.len);
        {
            unsigned carry = 0, borrow = 1; /* add p, then subtract 1 */
            for (size_t i = 0; i < d.len; i++) {
                size_t bi = d.len - 1 - i;
                unsigned pv = i < p.len ? p.p[p.len - 1 - i] : 0;
                unsigned v = buf[bi] + pv + carry;
                carry = v >> 8;
                v &= 0xff;
                unsigned w = v - borrow;
                borrow = v < borrow;
                buf[bi] = (uint8_t)w;
            }
            assert_int_equal(carry, 0);
        }
        assert_int_equal(tern_rsa_private_init(&k, n, e, t, p, q, dp, dq, qi), TERN_ERR_BAD_KEY);
        print_message("RSA-%d: %d damaged d values refused\n", sizes[s], flipped + 3);
        tern_rsa_private_wipe(&k);
        freeb(n), freeb(e), freeb(d), freeb(p), freeb(q), freeb(dp), freeb(dq), freeb(qi);
        json_free(j);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_limits),
        cmocka_unit_test(test_pkcs1_verify_wycheproof),
        cmocka_unit_test(test_pkcs1_sign_wycheproof),
        cmocka_unit_test(test_pss_verify_wycheproof),
        cmocka_unit_test(test_decrypt_wycheproof),
        cmocka_unit_test(test_roundtrips),
        cmocka_unit_test(test_roundtrips_portable),
        cmocka_unit_test(test_premaster_crafted),
        cmocka_unit_test(test_fault_check),
        cmocka_unit_test(test_private_d_checked),
#ifdef TERN_TEST_HAVE_OPENSSL
        cmocka_unit_test(test_openssl_cross),
        cmocka_unit_test(test_rsa8192),
        cmocka_unit_test(test_rsa2049),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
