/*
 * Constant-time check for P-384 (crypto/p384.c) and P-384 ECDSA signing
 * (crypto/ecdsa.c) under valgrind memcheck.  Secrets marked undefined:
 *   - the private scalar of tern_p384_public_from_private and of
 *     tern_p384_ecdh (fixed 4-bit windows, the masked table scan, the
 *     complete additions, the Fermat inversion for the affine result);
 *   - the private key and the nonce of one signing attempt
 *     (tern_p384_ecdsa_sign_with_k: R = kG, r, k^-1, s = k^-1 (e + r d));
 *   - the key and the extra randomness of the whole deterministic signer
 *     (tern_ecdsa_p384_sign_det: RFC 6979 HMAC-DRBG, then the attempt);
 *     its key-range check and its retry verdict are declassified in
 *     ecdsa.c (they reveal nothing about the nonce kept).
 * Any branch or memory index that depends on them is reported.
 * Not run here: the key-generation rejection loop.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/ecdsa.h"
#include "crypto/p384.h"

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_p384: %s\n", what);
        failures++;
    }
}

/* 1 if some bit of the n bytes at p is still undefined under valgrind (the
 * marking reached this output, so the run is not vacuous); 1 outside
 * valgrind. */
static int tainted(const void *p, size_t n) {
    uint8_t vbits[128];
    if (n > sizeof vbits || VALGRIND_GET_VBITS(p, vbits, n) != 1)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (vbits[i])
            return 1;
    return 0;
}

int main(void) {
    uint8_t a[48], b[48], pa[97], pb[97], s1[48], s2[48];
    for (int i = 0; i < 48; i++) {
        a[i] = (uint8_t)(0x11 * i + 7);
        b[i] = (uint8_t)(0xa5 ^ (i * 29));
    }
    a[0] &= 0x7f; /* below n */
    b[0] &= 0x7f;

    VALGRIND_MAKE_MEM_UNDEFINED(a, 48);
    VALGRIND_MAKE_MEM_UNDEFINED(b, 48);
    int rc1 = tern_p384_public_from_private(pa, a);
    int rc2 = tern_p384_public_from_private(pb, b);
    check(tainted(pa, 97) && tainted(&rc1, sizeof rc1), "secret marking did not reach the public key");
    VALGRIND_MAKE_MEM_DEFINED(&rc1, sizeof rc1);
    VALGRIND_MAKE_MEM_DEFINED(&rc2, sizeof rc2);
    check(rc1 == 0 && rc2 == 0, "public_from_private failed");
    VALGRIND_MAKE_MEM_DEFINED(pa, 97);
    VALGRIND_MAKE_MEM_DEFINED(pb, 97);

    rc1 = tern_p384_ecdh(s1, a, pb);
    rc2 = tern_p384_ecdh(s2, b, pa);
    VALGRIND_MAKE_MEM_DEFINED(&rc1, sizeof rc1);
    VALGRIND_MAKE_MEM_DEFINED(&rc2, sizeof rc2);
    check(rc1 == 0 && rc2 == 0, "ecdh failed");
    check(tainted(s1, 48) && tainted(s2, 48), "secret marking did not reach the ECDH output");
    VALGRIND_MAKE_MEM_DEFINED(s1, 48);
    VALGRIND_MAKE_MEM_DEFINED(s2, 48);
    check(memcmp(s1, s2, 48) == 0, "ecdh secrets differ");

    uint8_t digest[48], k[48], sig[96];
    for (int i = 0; i < 48; i++) {
        digest[i] = (uint8_t)(i * 3);
        k[i] = (uint8_t)(0x3c + i * 17);
    }
    k[0] &= 0x7f;
    VALGRIND_MAKE_MEM_UNDEFINED(k, 48);
    uint64_t ok = tern_p384_ecdsa_sign_with_k(a, digest, sizeof digest, k, sig);
    VALGRIND_MAKE_MEM_DEFINED(&ok, sizeof ok);
    check(ok == ~(uint64_t)0, "signing attempt unusable");
    check(tainted(sig + 48, 48), "secret marking did not reach s");
    VALGRIND_MAKE_MEM_DEFINED(sig, 96);
    check(tern_p384_ecdsa_verify_raw(pa, digest, sizeof digest, sig) == 0, "signature does not verify");

    uint8_t extra[32];
    for (int i = 0; i < 32; i++)
        extra[i] = (uint8_t)(0x5a ^ (i * 7));
    VALGRIND_MAKE_MEM_UNDEFINED(a, 48);
    VALGRIND_MAKE_MEM_UNDEFINED(extra, 32);
    int rc3 = tern_ecdsa_p384_sign_det(a, TERN_HASH_SHA384, digest, extra, sizeof extra, sig);
    VALGRIND_MAKE_MEM_DEFINED(&rc3, sizeof rc3);
    check(rc3 == 0, "deterministic signing failed");
    check(tainted(sig + 48, 48), "secret marking did not reach the deterministic s");
    VALGRIND_MAKE_MEM_DEFINED(sig, 96);
    check(tern_p384_ecdsa_verify_raw(pa, digest, sizeof digest, sig) == 0, "deterministic signature does not verify");

    printf("ct_p384: public key, ECDH, signing attempt and deterministic signing done\n");
    return failures ? 1 : 0;
}
