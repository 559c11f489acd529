/*
 * Constant-time check for RSA (crypto/bn.c, crypto/bn_adx.c, crypto/rsa.c)
 * under valgrind memcheck.  Marked undefined: the private key parts (d, p,
 * q, dP, dQ, qInv and everything derived from them at load: R^2 mod p/q,
 * -p^-1, -q^-1), the random bytes the private operation draws (blinding
 * factor, PSS salt), and the operands of the bignum primitives.  Run on
 * them: Montgomery multiplication and squaring (portable and MULX/ADX, the
 * unrolled and the generic limb counts), the fixed-window
 * exponentiation, the safegcd inverse, and through rsa.c the CRT private
 * operation (PKCS#1 v1.5 and PSS signing), the TLS premaster decryption
 * (valid, wrong-version and bad-padding ciphertexts) and the general
 * PKCS#1 v1.5 decryption.
 *
 * Made defined inside the library (TERN_DECLASSIFY in rsa.c): the one bit
 * of the fault check (the signature checks out against the public key)
 * before rsa.c branches on it, and the final result of the general
 * decryption (valid or not, and the message length).  Nothing else.  This
 * program marks outputs defined only to compare them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/bn.h"
#include "crypto/cpu.h"
#include "crypto/rsa.h"

#define UNDEF(p, n) VALGRIND_MAKE_MEM_UNDEFINED((p), (n))
#define DEF(p, n) VALGRIND_MAKE_MEM_DEFINED((p), (n))

/* The 2048-bit key of Wycheproof rsa_pkcs1_2048_test.json (Apache-2.0). */
static const char *K_N =
    "00b3510a2bcd4ce644c5b594ae5059e12b2f054b658d5da5959a2fdf1871b808bc3df3e628d2792e51aad5c124b43bda"
    "453dca5cde4bcf28e7bd4effba0cb4b742bbb6d5a013cb63d1aa3a89e02627ef5398b52c0cfd97d208abeb8d7c9bce0b"
    "beb019a86ddb589beb29a5b74bf861075c677c81d430f030c265247af9d3c9140ccb65309d07e0adc1efd15cf17e7b05"
    "5d7da3868e4648cc3a180f0ee7f8e1e7b18098a3391b4ce7161e98d57af8a947e201a463e2d6bbca8059e5706e9dfed8"
    "f4856465ffa712ed1aa18e888d12dc6aa09ce95ecfca83cc5b0b15db09c8647f5d524c0f2e7620a3416b9623cadc0f09"
    "7af573261c98c8400aa12af38e43cad84d";
static const char *K_E =
    "010001";
static const char *K_D =
    "1a502d0eea6c7b69e21d5839101f705456ed0ef852fb47fe21071f54c5f33c8ceb066c62d727e32d26c58137329f89d3"
    "195325b795264c195d85472f7507dbd0961d2951f935a26b34f0ac24d15490e1128a9b7138915bc7dbfa8fe396357131"
    "c543ae9c98507368d9ceb08c1c6198a3eda7aea185a0e976cd42c22d00f003d9f19d96ea4c9afcbfe1441ccc802cfb06"
    "89f59d804c6a4e4f404c15174745ed6cb8bc88ef0b33ba0d2a80e35e43bc90f350052e72016e75b00d357a381c9c0d46"
    "7069ca660887c987766349fcc43460b4aa516bce079edd87ba164307b752c277ed9528ad3ba0bf1877349ed3b7966a6c"
    "240110409bf4d0fade0c68fdadd847fd";
static const char *K_P =
    "00ec125cf37e310a2ff46263b9b2e0629d6390005ec88913d4fb71bd4dd856124498aaeba983d7ba2bd942e64d223feb"
    "7a23af4d605efeea6bd70d39afe99d35a3aa15e74a1768778093be0edd4a8d09b2def6dc9b67ff85764625c2e19236db"
    "4c401ce30a2572d3ecb4f969b7ad19c522c02d774465676e1a3776c54d6248348b";
static const char *K_Q =
    "00c2742abcd9897bd4b0b671f973fc82a8f84abf5705ff88dd41948623afe9dca60dc6543390767feaebeb539576ee8b"
    "fa61b5fcbca94a7cef75a09150c540fa9694dd8004ad23718c889049219369c99f4458d4afc148f6f07df87324a96d9c"
    "f7b385dd8622414a1832f9f29446f050c2d5a6407649dc41ab70e23b3dcc22c987";
static const char *K_DP =
    "0096a9798d250263400bb6277342881627e07cecdf91187b01b89ff47314188a7c20fb24800156d2c85d5666e8df6cef"
    "f9f9804ddfad80ff5767de56ecc029c72bf6c717df9f64daafc29acf9dc7908f9a0ad67e20e8949936ccba18d021a2c4"
    "febb04349a2b2047c4901385b6e5d0c691d118b33f81802b32ac272ef09e42fad5";
static const char *K_DQ =
    "0554f41b0b87f68a45722b3be0cf4ab1e165034c1a91002ab8f29e9ef9e2dab6fee7b2455bafb42037e9d2f7e533f348"
    "a147412fd72080be7c2633f5d802c91c39e6bcece3e675e59995033c55737020dad9e8b30d04b828adfb9304ad54a11a"
    "35a4f50709876ac5b118236ba76a4d7c9a291dd9607b169de1d182385691999f";
static const char *K_QI =
    "1c640189d9bfe8c623833210a76c420c6f44e5d760e259916cec2ae2b156456960fd95e2747660c389562250f055049c"
    "fab7e5c3039549384a7a2aaeb1c824d3af709482a8cf9b587022a00b1f0722db50f33cb26dc20dd2245d5265df61ee29"
    "83c938c2167dcee121fc4b4479c237e728cf633ab60a8c0ecd04fce7e3baa559";

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_rsa: %s\n", what);
        failures++;
    }
}

static tern_rsa_bytes unhex(const char *h, uint8_t *buf) {
    size_t n = strlen(h) / 2;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(h + 2 * i, "%2x", &v);
        buf[i] = (uint8_t)v;
    }
    tern_rsa_bytes b = {buf, n};
    return b;
}

/* A deterministic generator whose output is then marked secret. */
static uint64_t rng_state = 0x1234;
static int secret_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    for (size_t i = 0; i < len; i++) {
        rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (uint8_t)(rng_state >> 56);
    }
    UNDEF(buf, len);
    return 0;
}
static int public_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    for (size_t i = 0; i < len; i++) {
        rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
        buf[i] = (uint8_t)(rng_state >> 56) | 1;
    }
    return 0;
}

static void mark_key_secret(tern_rsa_private *k) {
    UNDEF(k->d, sizeof k->d);
    UNDEF(k->p, sizeof k->p);
    UNDEF(k->q, sizeof k->q);
    UNDEF(k->dp, sizeof k->dp);
    UNDEF(k->dq, sizeof k->dq);
    UNDEF(k->qinv, sizeof k->qinv);
    UNDEF(k->rrp, sizeof k->rrp);
    UNDEF(k->rrq, sizeof k->rrq);
    UNDEF(&k->p0inv, sizeof k->p0inv);
    UNDEF(&k->q0inv, sizeof k->q0inv);
}

/* The primitives with every operand secret (a prime modulus is secret). */
static void bignum_primitives(const tern_rsa_private *key) {
    size_t n = key->plimbs;
    uint64_t p[TERN_BN_MAX_LIMBS], rr[TERN_BN_MAX_LIMBS], a[TERN_BN_MAX_LIMBS], b[TERN_BN_MAX_LIMBS],
        r[TERN_BN_MAX_LIMBS], r2[TERN_BN_MAX_LIMBS], e[TERN_BN_MAX_LIMBS];
    memcpy(p, key->p, n * 8);
    memcpy(rr, key->rrp, n * 8);
    uint64_t p0inv = key->p0inv;
    for (size_t i = 0; i < n; i++) {
        a[i] = 0x0123456789abcdefull * (i + 1);
        b[i] = 0xfedcba9876543210ull ^ (i * 77);
        e[i] = 0x5a5a5a5a5a5a5a5aull + i;
    }
    a[n - 1] >>= 2; /* a < p */
    b[n - 1] >>= 2;
    UNDEF(a, sizeof a);
    UNDEF(b, sizeof b);
    UNDEF(e, sizeof e);
    tern_bn_mont_mul_portable(r, a, b, p, p0inv, n);
    tern_bn_mont_mul_adx(r2, a, b, p, p0inv, n);
    DEF(r, n * 8);
    DEF(r2, n * 8);
    check(memcmp(r, r2, n * 8) == 0, "portable and ADX Montgomery products differ");
    tern_bn_mont_sqr_portable(r, a, p, p0inv, n);
    tern_bn_mont_sqr_adx(r2, a, p, p0inv, n);
    DEF(r, n * 8);
    DEF(r2, n * 8);
    check(memcmp(r, r2, n * 8) == 0, "portable and ADX Montgomery squares differ");
    /* limb counts that take the generic (looped / intrinsics) ADX code; the
     * operands only exercise the code, the results are not checked */
    tern_bn_mont_mul_adx(r, a, b, p, p0inv, n - 4);
    tern_bn_mont_sqr_adx(r2, a, p, p0inv, n - 3);
    DEF(r, n * 8);
    DEF(r2, n * 8);

    tern_bn_mont c;
    tern_bn_mont_init(&c, p, rr, p0inv, n);
    tern_bn_mont_exp_ct(&c, r, a, e, 64 * n);
    tern_bn_mod_inv_ct(r2, b, p, p0inv, n);
    tern_bn_mont_rr(r2, p, p0inv, n, 0);
    tern_bn_reduce_to_mont(&c, r, key->pub.n, key->pub.nlimbs);
    uint64_t x[2 * TERN_BN_MAX_LIMBS];
    tern_bn_mul(x, a, n, b, n);
    tern_bn_mod_add(r, a, b, p, n);
    tern_bn_mod_sub(r, a, b, p, n);
    DEF(r, sizeof r);
}

static void rsa_ops(const tern_rsa_private *k) {
    size_t klen = tern_rsa_len(&k->pub);
    uint8_t dig[32], sig[TERN_RSA_MAX_BYTES], pms[48], msg[48], ct[TERN_RSA_MAX_BYTES], out[TERN_RSA_MAX_BYTES];
    for (int i = 0; i < 32; i++)
        dig[i] = (uint8_t)(i * 3);
    UNDEF(dig, sizeof dig); /* the signed data stays secret until released */
    int rc = tern_rsa_pkcs1_sign(k, TERN_HASH_SHA256, dig, sig, sizeof sig, secret_rng, NULL);
    DEF(sig, klen);
    DEF(dig, sizeof dig);
    check(rc == 0 && tern_rsa_pkcs1_verify(&k->pub, TERN_HASH_SHA256, dig, sig, klen) == 0, "PKCS#1 sign");
    rc = tern_rsa_pss_sign(k, TERN_HASH_SHA256, dig, sig, sizeof sig, secret_rng, NULL);
    DEF(sig, klen);
    check(rc == 0 && tern_rsa_pss_verify(&k->pub, TERN_HASH_SHA256, dig, sig, klen) == 0, "PSS sign");

    /* premaster: valid, wrong version, bad padding (a flipped ciphertext) */
    for (int i = 0; i < 48; i++)
        msg[i] = (uint8_t)(0x30 + i);
    msg[0] = 3, msg[1] = 3;
    check(tern_rsa_pkcs1_encrypt(&k->pub, msg, 48, ct, sizeof ct, public_rng, NULL) == 0, "encrypt");
    for (int v = 0; v < 3; v++) {
        uint8_t c2[TERN_RSA_MAX_BYTES];
        memcpy(c2, ct, klen);
        if (v == 2)
            c2[klen / 2] ^= 0x40;
        uint16_t ver = v == 1 ? 0x0302 : 0x0303;
        rc = tern_rsa_tls_premaster_decrypt(k, c2, klen, ver, pms, secret_rng, NULL);
        DEF(pms, 48);
        check(rc == 0, "premaster status");
        check((memcmp(pms, msg, 48) == 0) == (v == 0), "premaster value");
        rc = tern_rsa_pkcs1_decrypt(k, c2, klen, out, sizeof out, secret_rng, NULL);
        DEF(out, sizeof out);
        check(v == 2 ? rc == TERN_ERR_DECRYPT : (rc == 48 && memcmp(out, msg, 48) == 0), "decrypt");
    }
}

int main(void) {
    uint8_t b[8][600];
    tern_rsa_private k;
    int rc = tern_rsa_private_init(&k, unhex(K_N, b[0]), unhex(K_E, b[1]), unhex(K_D, b[2]), unhex(K_P, b[3]),
                                   unhex(K_Q, b[4]), unhex(K_DP, b[5]), unhex(K_DQ, b[6]), unhex(K_QI, b[7]));
    if (rc) {
        fprintf(stderr, "ct_rsa: key load failed (%d)\n", rc);
        return 1;
    }
    mark_key_secret(&k);
    /* valgrind's emulated CPU reports AVX2 and BMI2 but not ADX, so the RSA
     * layer below multiplies on the portable path (and reads the window
     * table with AVX2, then with the scalar code once TERN_CPU=portable);
     * bignum_primitives() calls the MULX/ADX code directly so it is
     * checked too. */
    bignum_primitives(&k);
    /* Both Montgomery paths through the whole RSA layer. */
    rsa_ops(&k);
    setenv("TERN_CPU", "portable", 1);
    tern_cpu_reset();
    rsa_ops(&k);
    tern_rsa_private_wipe(&k);
    if (failures)
        return 1;
    return 0;
}
