/*
 * Constant-time check for crypto/pbkdf.c, crypto/sha1.c and crypto/md5.c:
 * the password is marked undefined for valgrind memcheck, then run through
 * PBKDF2 (HMAC-SHA-1/256/384/512; a password shorter and one longer than a
 * hash block, several output blocks), the PKCS#12 KDF (ids 1-3, the same
 * hashes; outputs of several blocks, so the I_j + B + 1 addition on
 * password bytes runs) and EVP_BytesToKey-MD5 (two MD5 blocks).  Any
 * branch or memory index that depends on the password or on what is
 * derived from it is reported.  The derived keys are marked secret too
 * (they come out undefined) and compared with tern_ct_memeq, as a caller
 * checking a MAC key would.  Salt, lengths and iteration counts are public.
 * Run with TERN_CPU=portable and with the default features.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/pbkdf.h"

static const tern_hash_alg algs[] = {TERN_HASH_SHA1, TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};

static void same(const uint8_t *a, const uint8_t *b, size_t n, const char *what) {
    uint32_t eq = tern_ct_memeq(a, b, n);
    VALGRIND_MAKE_MEM_DEFINED(&eq, sizeof eq);
    if (eq != 1) {
        fprintf(stderr, "ct_pbkdf: %s: two derivations differ\n", what);
        exit(1);
    }
}

static void run(const char *path) {
    if (path)
        setenv("TERN_CPU", path, 1);
    else
        unsetenv("TERN_CPU");
    tern_cpu_reset();

    uint8_t pw[200], salt[16], a[150], b[150];
    for (size_t i = 0; i < sizeof pw; i++)
        pw[i] = (uint8_t)(i * 11 + 3);
    for (size_t i = 0; i < sizeof salt; i++)
        salt[i] = (uint8_t)(i * 5 + 1);
    VALGRIND_MAKE_MEM_UNDEFINED(pw, sizeof pw);

    size_t pwlens[2] = {12, sizeof pw};
    for (size_t h = 0; h < sizeof algs / sizeof algs[0]; h++) {
        for (int l = 0; l < 2; l++) {
            /* PBKDF2: 150 bytes is 2-8 blocks; 3 iterations. */
            if (tern_pbkdf2(algs[h], pw, pwlens[l], salt, sizeof salt, 3, a, sizeof a) != 0 ||
                tern_pbkdf2(algs[h], pw, pwlens[l], salt, sizeof salt, 3, b, sizeof b) != 0)
                abort();
            same(a, b, sizeof a, "PBKDF2");
            /* PKCS#12 KDF, every id; pw as a BMPString-length buffer. */
            for (uint8_t id = 1; id <= 3; id++) {
                if (tern_pkcs12_kdf(algs[h], id, pw, pwlens[l], salt, sizeof salt, 2, a, sizeof a) != 0 ||
                    tern_pkcs12_kdf(algs[h], id, pw, pwlens[l], salt, sizeof salt, 2, b, sizeof b) != 0)
                    abort();
                same(a, b, sizeof a, "PKCS#12 KDF");
            }
        }
    }
    /* EVP_BytesToKey-MD5: a 32-byte AES-256 key (D_1 || D_2). */
    for (int l = 0; l < 2; l++) {
        if (tern_evp_bytes_to_key_md5(pw, pwlens[l], salt, a, 32) != 0 ||
            tern_evp_bytes_to_key_md5(pw, pwlens[l], salt, b, 32) != 0)
            abort();
        same(a, b, 32, "EVP_BytesToKey");
    }
}

int main(void) {
    run("portable");
    run(NULL);
    return 0;
}
