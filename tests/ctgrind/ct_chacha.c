/*
 * Constant-time check for ChaCha20-Poly1305 (crypto/chacha20.c,
 * crypto/chacha20_avx2.c, crypto/poly1305.c, crypto/chacha20poly1305.c)
 * under valgrind memcheck.  The key, the plaintext and the received tag are
 * marked undefined; seal, open (with its tag comparison and the masking of
 * the output) and one-shot Poly1305 run on them, on the portable path and
 * on the default one (AVX2 here, hit by the lengths >= 512).  Any branch
 * or memory index that depends on them is reported.
 *
 * Made defined: only the status open returns (whether a record
 * authenticates is public by nature) and outputs at the moment they are
 * compared.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/chacha20poly1305.h"
#include "crypto/cpu.h"

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_chacha: %s\n", what);
        failures++;
    }
}

/* Under valgrind, 1 if some bit of the n bytes at p is still undefined
 * (the secret marking reached this output); outside valgrind, 1. */
static int tainted(const void *p, size_t n) {
    static uint8_t vbits[1200];
    if (n > sizeof vbits || VALGRIND_GET_VBITS(p, vbits, n) != 1)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (vbits[i])
            return 1;
    return 0;
}

static void run(size_t len) {
    static uint8_t pt[1200], ct[1200], back[1200];
    uint8_t key[32], nonce[12], aad[13], tag[16], ptag[16];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(0x5a ^ (i * 13));
    for (size_t i = 0; i < sizeof nonce; i++)
        nonce[i] = (uint8_t)(i + 3);
    for (size_t i = 0; i < sizeof aad; i++)
        aad[i] = (uint8_t)(0x31 * i);
    for (size_t i = 0; i < len; i++)
        pt[i] = (uint8_t)(i * 5 + 1);

    VALGRIND_MAKE_MEM_UNDEFINED(key, sizeof key);
    VALGRIND_MAKE_MEM_UNDEFINED(pt, len);

    check(tern_chacha20poly1305_seal(key, nonce, aad, sizeof aad, pt, len, ct, tag) == 0, "seal failed");
    check(tainted(tag, sizeof tag) && (len == 0 || tainted(ct, len)), "secret marking did not reach the output");
    VALGRIND_MAKE_MEM_UNDEFINED(tag, sizeof tag);
    int rc = tern_chacha20poly1305_open(key, nonce, aad, sizeof aad, ct, len, tag, back);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == 0, "open rejected a valid record");
    VALGRIND_MAKE_MEM_DEFINED(back, len);
    VALGRIND_MAKE_MEM_DEFINED(pt, len);
    check(memcmp(back, pt, len) == 0, "open gave wrong plaintext");
    VALGRIND_MAKE_MEM_UNDEFINED(pt, len);

    /* A forged tag: the comparison and the masking must not branch either. */
    VALGRIND_MAKE_MEM_DEFINED(tag, sizeof tag);
    tag[len % 16] ^= 0x40;
    VALGRIND_MAKE_MEM_UNDEFINED(tag, sizeof tag);
    rc = tern_chacha20poly1305_open(key, nonce, aad, sizeof aad, ct, len, tag, back);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == TERN_ERR_BAD_RECORD_MAC, "open accepted a forged tag");

    /* Poly1305 alone with a secret key and message. */
    tern_poly1305(ptag, key, pt, len);
    VALGRIND_MAKE_MEM_DEFINED(ptag, sizeof ptag);
}

int main(void) {
    static const size_t lens[] = {0, 1, 63, 64, 65, 300, 512, 1100};
    static const char *const paths[] = {"portable", NULL};
    for (size_t p = 0; p < 2; p++) {
        if (paths[p])
            setenv("TERN_CPU", paths[p], 1);
        else
            unsetenv("TERN_CPU");
        tern_cpu_reset();
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
            run(lens[i]);
        printf("ct_chacha: %s path (%s) done\n", paths[p] ? paths[p] : "default", tern_chacha20_impl_name());
    }
    return failures ? 1 : 0;
}
