/*
 * Constant-time check for X25519 (crypto/x25519.c): the scalar is marked
 * undefined for valgrind memcheck, then the variable-base ladder, the
 * fixed-base path and key generation run on it.  Any branch or memory index
 * that depends on the scalar (in the clamp, the ladder's swaps, the field
 * arithmetic, the inversion, the encoding, the zero check) is reported.
 * Every implementation path is run: TERN_CPU=portable, the default, and
 * (because valgrind hides ADX from cpuid, so "the default" is portable under
 * valgrind) the mulx/adx ladder called directly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/cpu.h"
#include "crypto/x25519.h"
#include "crypto/x25519_internal.h"

static const uint8_t peer[32] = {0xe6, 0xdb, 0x68, 0x67, 0x58, 0x30, 0x30, 0xdb, 0x35, 0x94, 0xc1,
                                 0xa4, 0x24, 0xb1, 0x5f, 0x7c, 0x72, 0x66, 0x24, 0xec, 0x26, 0xb3,
                                 0x35, 0x3b, 0x10, 0xa9, 0x03, 0xa6, 0xd0, 0xab, 0x1c, 0x4c};

/* A deterministic "RNG" whose output valgrind sees as undefined. */
static int secret_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 29 + 3);
    VALGRIND_MAKE_MEM_UNDEFINED(buf, len);
    return 0;
}

static int run(const char *path) {
    if (path)
        setenv("TERN_CPU", path, 1);
    else
        unsetenv("TERN_CPU");
    tern_cpu_reset();
    uint8_t k[32], out[32], out2[32], clamped[32];
    for (int i = 0; i < 32; i++)
        k[i] = (uint8_t)(0xa5 ^ (i * 17));

    VALGRIND_MAKE_MEM_UNDEFINED(k, sizeof k);
    int rc = tern_x25519(out, k, peer);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    VALGRIND_MAKE_MEM_DEFINED(out, sizeof out);

    tern_x25519_base(out2, k);
    VALGRIND_MAKE_MEM_DEFINED(out2, sizeof out2);

    /* The internal ladder on its own, with a clamped secret scalar. */
    tern_x25519_clamp(clamped, k);
    tern_x25519_ladder(out2, clamped, peer);
    VALGRIND_MAKE_MEM_DEFINED(out2, sizeof out2);
    if (memcmp(out, out2, 32) != 0) {
        fprintf(stderr, "ct_x25519: ladder and tern_x25519 disagree\n");
        return 1;
    }

    /* A small-order peer: the zero-secret error must not branch either. */
    static const uint8_t zero_u[32];
    rc = tern_x25519(out2, k, zero_u);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    if (rc != TERN_ERR_ZERO_SECRET) {
        fprintf(stderr, "ct_x25519: small-order point not reported\n");
        return 1;
    }

    uint8_t priv[32], pub[32];
    rc = tern_x25519_keygen(priv, pub, secret_rng, NULL);
    VALGRIND_MAKE_MEM_DEFINED(pub, sizeof pub);
    if (rc != 0) {
        fprintf(stderr, "ct_x25519: keygen failed\n");
        return 1;
    }
    VALGRIND_MAKE_MEM_DEFINED(k, sizeof k);
    VALGRIND_MAKE_MEM_DEFINED(priv, sizeof priv);
    return 0;
}

/* valgrind's emulated CPU does not report ADX, so under valgrind the
 * default path of run(NULL) is the portable ladder again.  The mulx/adx
 * ladder is therefore called directly here (as ct_rsa does for the bignum
 * code; valgrind executes the instructions, and the build machine has
 * them), with the clamped scalar secret, and checked against the portable
 * one. */
static int run_adx(void) {
    if (!tern_x25519_have_adx())
        return 0;
    uint8_t k[32], clamped[32], out[32], out2[32];
    for (int i = 0; i < 32; i++)
        k[i] = (uint8_t)(0x3c ^ (i * 23));
    tern_x25519_clamp(clamped, k);
    tern_x25519_ladder(out, clamped, peer);
    VALGRIND_MAKE_MEM_UNDEFINED(clamped, sizeof clamped);
    tern_x25519_ladder_adx(out2, clamped, peer);
    VALGRIND_MAKE_MEM_DEFINED(out2, sizeof out2);
    VALGRIND_MAKE_MEM_DEFINED(clamped, sizeof clamped);
    if (memcmp(out, out2, 32) != 0) {
        fprintf(stderr, "ct_x25519: mulx/adx and portable ladders disagree\n");
        return 1;
    }
    return 0;
}

int main(void) {
    if (run("portable") || run(NULL) || run_adx())
        return 1;
    return 0;
}
