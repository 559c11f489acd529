/*
 * Constant-time check for SHA-2, HMAC and the TLS 1.2 PRF (crypto/sha256.c,
 * sha256_shani.c, sha512.c, sha512_avx2.c, hmac.c, prf.c): keys, messages,
 * secrets and seeds are marked undefined for valgrind memcheck, then
 * hashed (1200 bytes, so the SHA-512 AVX2 four-block path runs too),
 * MACed (keys shorter and longer than a block, prepared keys fed in
 * pieces) and run through the PRF; a MAC is compared with tern_ct_memeq.  Any branch or memory index that depends on them is
 * reported.  Lengths stay public.  Run with TERN_CPU=portable and with the
 * default features; valgrind hides SHA-NI (it cannot emulate it), so the
 * default runs the AVX2 paths of both SHA-256 and SHA-512.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/hmac.h"

static const tern_hash_alg algs[] = {TERN_HASH_SHA256, TERN_HASH_SHA384, TERN_HASH_SHA512};

static void run(const char *path) {
    if (path)
        setenv("TERN_CPU", path, 1);
    else
        unsetenv("TERN_CPU");
    tern_cpu_reset();

    uint8_t key[200], msg[1200], out[TERN_HASH_MAX_LEN], out2[TERN_HASH_MAX_LEN], prf[104];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof msg; i++)
        msg[i] = (uint8_t)(i * 13 + 5);
    VALGRIND_MAKE_MEM_UNDEFINED(key, sizeof key);
    VALGRIND_MAKE_MEM_UNDEFINED(msg, sizeof msg);

    for (size_t a = 0; a < sizeof algs / sizeof algs[0]; a++) {
        /* Plain hashes of secret data (the transcript, a premaster...). */
        if (tern_hash(algs[a], out, msg, sizeof msg) != 0)
            abort();
        VALGRIND_MAKE_MEM_DEFINED(out, sizeof out);

        /* HMAC with a short key and with one longer than any block. */
        size_t klens[2] = {32, sizeof key};
        for (int k = 0; k < 2; k++) {
            if (tern_hmac(algs[a], key, klens[k], msg, sizeof msg, out) != 0)
                abort();
            tern_hmac_key hk;
            tern_hmac_ctx c;
            if (tern_hmac_key_init(&hk, algs[a], key, klens[k]) != 0)
                abort();
            tern_hmac_start(&c, &hk);
            tern_hmac_update(&c, msg, 17);
            tern_hmac_update(&c, msg + 17, sizeof msg - 17);
            tern_hmac_final(&c, out2);
            tern_hmac_key_wipe(&hk);
            /* Tag comparison without a secret-dependent branch. */
            uint32_t eq = tern_ct_memeq(out, out2, tern_hash_len(algs[a]));
            VALGRIND_MAKE_MEM_DEFINED(&eq, sizeof eq);
            if (eq != 1) {
                fprintf(stderr, "ct_hmac: MAC mismatch\n");
                exit(1);
            }
        }

        /* The PRF: secret and seeds secret (premaster, randoms). */
        if (algs[a] != TERN_HASH_SHA512) {
            if (tern_tls12_prf(algs[a], key, 48, "key expansion", msg, 32, msg + 32, 32, prf, sizeof prf) != 0)
                abort();
            VALGRIND_MAKE_MEM_DEFINED(prf, sizeof prf);
        }
    }
}

int main(void) {
    run("portable");
    run(NULL);
    return 0;
}
