/*
 * Constant-time check for P-256 and ECDSA signing (crypto/p256.c,
 * crypto/ecdsa.c) under valgrind memcheck.  Secrets marked undefined:
 *   - the private scalar of tern_p256_public_from_private (fixed-base
 *     table walk) and of tern_p256_ecdh (variable-base windows, table of
 *     1P..16P, affine conversion with the field inversion);
 *   - a scalar given to the mod-n inverse and multiplication;
 *   - the private key and the nonce of one ECDSA signing attempt
 *     (tern_ecdsa_p256_sign_with_k: R = kG, r, k^-1, s = k^-1 (e + r d)).
 * Any branch or memory index that depends on them is reported.  The whole
 * of it runs with TERN_CPU=portable and with the default choice; valgrind
 * hides ADX from cpuid, so the default is the portable field code too under
 * valgrind, and the mulx field and scalar multiplications are called
 * directly on secret operands at the end (run_adx).
 *
 * Also the whole deterministic signer, tern_ecdsa_p256_sign_det (RFC 6979
 * HMAC-DRBG seeded with the key and secret extra randomness, then the
 * attempt), key and extra secret; its retry branch, on whether a candidate
 * nonce was usable (probability ~2^-32 of a retry; reveals nothing about
 * the nonce kept), and its key-range check are declassified in ecdsa.c.
 *
 * Not run here: the key-generation rejection loop (the same kind of
 * branch, not declassified).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/cpu.h"
#include "crypto/ecdsa.h"
#include "crypto/p256.h"

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_p256: %s\n", what);
        failures++;
    }
}

/* Under valgrind, 1 if some bit of the n bytes at p is still undefined:
 * proof that the secret marking reached this output, so the run is not
 * vacuous.  (VALGRIND_GET_VBITS reports nothing by itself.)  Outside
 * valgrind it cannot tell and returns 1. */
static int tainted(const void *p, size_t n) {
    uint8_t vbits[128];
    if (n > sizeof vbits || VALGRIND_GET_VBITS(p, vbits, n) != 1)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (vbits[i])
            return 1;
    return 0;
}

static const uint8_t G_ENC[65] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5, 0x63, 0xa4, 0x40, 0xf2,
    0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96,
    0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
    0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

static void run(void) {
    uint8_t a[32], b[32], pa[65], pb[65], s1[32], s2[32];
    for (int i = 0; i < 32; i++) {
        a[i] = (uint8_t)(0x11 * i + 7);
        b[i] = (uint8_t)(0xa5 ^ (i * 29));
    }
    a[0] &= 0x7f; /* keep them below n */
    b[0] &= 0x7f;

    /* Public keys from secret scalars (fixed-base). */
    VALGRIND_MAKE_MEM_UNDEFINED(a, 32);
    VALGRIND_MAKE_MEM_UNDEFINED(b, 32);
    int rc1 = tern_p256_public_from_private(pa, a);
    int rc2 = tern_p256_public_from_private(pb, b);
    check(tainted(pa, 65) && tainted(&rc1, sizeof rc1), "secret marking did not reach the public key");
    VALGRIND_MAKE_MEM_DEFINED(&rc1, sizeof rc1);
    VALGRIND_MAKE_MEM_DEFINED(&rc2, sizeof rc2);
    check(rc1 == 0 && rc2 == 0, "public_from_private failed");
    /* The public keys are public. */
    VALGRIND_MAKE_MEM_DEFINED(pa, 65);
    VALGRIND_MAKE_MEM_DEFINED(pb, 65);

    /* ECDH both ways (variable-base) with secret scalars. */
    rc1 = tern_p256_ecdh(s1, a, pb);
    rc2 = tern_p256_ecdh(s2, b, pa);
    VALGRIND_MAKE_MEM_DEFINED(&rc1, sizeof rc1);
    VALGRIND_MAKE_MEM_DEFINED(&rc2, sizeof rc2);
    check(rc1 == 0 && rc2 == 0, "ecdh failed");
    check(tainted(s1, 32) && tainted(s2, 32), "secret marking did not reach the ECDH output");
    VALGRIND_MAKE_MEM_DEFINED(s1, 32);
    VALGRIND_MAKE_MEM_DEFINED(s2, 32);
    check(memcmp(s1, s2, 32) == 0, "ecdh secrets differ");
    rc1 = tern_p256_ecdh(s1, a, G_ENC);
    VALGRIND_MAKE_MEM_DEFINED(&rc1, sizeof rc1);
    VALGRIND_MAKE_MEM_DEFINED(s1, 32);
    check(rc1 == 0 && memcmp(s1, pa + 1, 32) == 0, "ecdh with G disagrees with the fixed base");

    /* Scalar arithmetic mod n on a secret. */
    uint64_t x[4], inv[4], prod[4];
    tern_p256_scalar_from_bytes(x, a);
    tern_p256_scalar_inv(inv, x);
    tern_p256_scalar_mul(prod, inv, x);
    VALGRIND_MAKE_MEM_DEFINED(prod, sizeof prod);
    check(prod[0] == 1 && prod[1] == 0 && prod[2] == 0 && prod[3] == 0, "a * a^-1 != 1");

    /* One ECDSA signing attempt with the key and the nonce secret. */
    uint8_t digest[32], k[32], sig[64];
    for (int i = 0; i < 32; i++) {
        digest[i] = (uint8_t)(i * 3);
        k[i] = (uint8_t)(0x3c + i * 17);
    }
    k[0] &= 0x7f;
    VALGRIND_MAKE_MEM_UNDEFINED(k, 32);
    uint64_t ok = tern_ecdsa_p256_sign_with_k(a, digest, sizeof digest, k, sig);
    VALGRIND_MAKE_MEM_DEFINED(&ok, sizeof ok);
    check(ok == ~(uint64_t)0, "signing attempt unusable");
    check(tainted(sig + 32, 32), "secret marking did not reach s");
    VALGRIND_MAKE_MEM_DEFINED(sig, 64);
    check(tern_ecdsa_p256_verify_raw(pa, TERN_HASH_SHA256, digest, sig) == 0, "signature does not verify");

    /* The whole deterministic signer (RFC 6979 HMAC-DRBG seeded with the
     * key and secret extra randomness, then the attempt): key and extra
     * secret; only the range and usability verdicts are declassified
     * inside ecdsa.c. */
    uint8_t extra[32];
    for (int i = 0; i < 32; i++)
        extra[i] = (uint8_t)(0x5a ^ (i * 7));
    VALGRIND_MAKE_MEM_UNDEFINED(a, 32);
    VALGRIND_MAKE_MEM_UNDEFINED(extra, 32);
    int rc3 = tern_ecdsa_p256_sign_det(a, TERN_HASH_SHA256, digest, extra, sizeof extra, sig);
    VALGRIND_MAKE_MEM_DEFINED(&rc3, sizeof rc3);
    check(rc3 == 0, "deterministic signing failed");
    check(tainted(sig + 32, 32), "secret marking did not reach the deterministic s");
    VALGRIND_MAKE_MEM_DEFINED(sig, 64);
    check(tern_ecdsa_p256_verify_raw(pa, TERN_HASH_SHA256, digest, sig) == 0,
          "deterministic signature does not verify");
}

/* valgrind's emulated CPU does not report ADX, so under valgrind fe_pick()
 * takes the portable field code on both passes of main().  The mulx field
 * and scalar multiplications (crypto/p256_adx.c) are therefore called
 * directly on secret operands (valgrind executes them; the build machine
 * has them, as ct_rsa also assumes).  The point code around them is shared
 * with the portable path checked above. */
#if defined(__x86_64__)
static void run_adx(void) {
    uint64_t a[4] = {0x0123456789abcdefu, 0x1122334455667788u, 0x99aabbccddeeff00u, 0x7fffffff00000001u};
    uint64_t b[4] = {0x0f1e2d3c4b5a6978u, 0x8796a5b4c3d2e1f0u, 0x1357924680aceb0du, 0x3fffffffffffffffu};
    uint64_t m[4], q[4], sc[4];
    VALGRIND_MAKE_MEM_UNDEFINED(a, sizeof a);
    VALGRIND_MAKE_MEM_UNDEFINED(b, sizeof b);
    tern_p256_fe_mul_adx(m, a, b);
    tern_p256_fe_mul_adx(m, m, a);
    tern_p256_fe_sqr_adx(q, m);
    tern_p256_fe_mul_adx(m, m, m);
    tern_p256_sc_mul_adx(sc, a, b);
    check(tainted(q, sizeof q) && tainted(sc, sizeof sc), "secret marking did not reach the mulx results");
    VALGRIND_MAKE_MEM_DEFINED(m, sizeof m);
    VALGRIND_MAKE_MEM_DEFINED(q, sizeof q);
    VALGRIND_MAKE_MEM_DEFINED(sc, sizeof sc);
    check(memcmp(m, q, sizeof m) == 0, "mulx square and product disagree");
    printf("ct_p256: mulx field and scalar multiplications done\n");
}
#else
static void run_adx(void) {}
#endif

int main(void) {
    /* The portable field code, then the default path (mulx/adx outside
     * valgrind; see run_adx). */
    static const char *const paths[] = {"portable", NULL};
    for (int i = 0; i < 2; i++) {
        if (paths[i])
            setenv("TERN_CPU", paths[i], 1);
        else
            unsetenv("TERN_CPU");
        tern_cpu_reset();
        run();
        printf("ct_p256: %s path: fixed-base, ECDH, scalar inverse and ECDSA signing done\n",
               paths[i] ? paths[i] : "default");
    }
    run_adx();
    return failures ? 1 : 0;
}
