/*
 * Constant-time check for AES-GCM (crypto/aes.c, crypto/ghash.c,
 * crypto/gcm.c) under valgrind memcheck.  The portable path is forced
 * (TERN_CPU=portable, set before the first use), then the key, the
 * plaintext and the received tag are marked undefined, and the key
 * schedule, the bitsliced AES, GHASH (whose key H = E(K, 0) is secret), seal
 * and open with its tag check all run on them.  Any branch or memory index
 * that depends on them is reported.  The AES-NI+PCLMUL path is run the same
 * way afterwards when valgrind's CPU offers it (the VAES path cannot be:
 * valgrind does not emulate VAES/VPCLMULQDQ, so its CPUID hides them).
 *
 * The key lives in a heap block of exactly tern_gcm_key_size() bytes, as a
 * caller short on memory may hold it, so memcheck also reports any read or
 * write past the bytes the implementation claims to use.
 *
 * The only thing made defined is the status open returns (0 or
 * TERN_ERR_BAD_RECORD_MAC): whether a record authenticates is public by
 * nature, and the program branches on it to check it.  Outputs are made
 * defined only for the comparisons that check them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/cpu.h"
#include "crypto/gcm.h"

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_gcm: %s\n", what);
        failures++;
    }
}

static void run(const char *impl, size_t keylen, size_t len) {
    uint8_t key[32], nonce[12], aad[13], pt[300], ct[300], back[300], tag[16], tag2[16];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(0x3c ^ (i * 11));
    for (size_t i = 0; i < sizeof nonce; i++)
        nonce[i] = (uint8_t)(i + 1);
    for (size_t i = 0; i < sizeof aad; i++)
        aad[i] = (uint8_t)(0x17 * i);
    for (size_t i = 0; i < len; i++)
        pt[i] = (uint8_t)(i * 7 + 5);

    VALGRIND_MAKE_MEM_UNDEFINED(key, sizeof key);
    VALGRIND_MAKE_MEM_UNDEFINED(pt, len);

    tern_gcm_key *k = malloc(tern_gcm_key_size());
    if (k == NULL) {
        check(0, "out of memory");
        return;
    }
    check(tern_gcm_init(k, key, keylen) == 0, "init failed");
    check(strcmp(tern_gcm_impl_name(k), impl) == 0, "the intended path was not chosen");

    tern_gcm_seal(k, nonce, aad, sizeof aad, pt, len, ct, tag);
    /* in place too */
    memcpy(back, pt, len);
    tern_gcm_seal(k, nonce, aad, sizeof aad, back, len, back, tag2);

    /* The received tag is secret until checked. */
    VALGRIND_MAKE_MEM_UNDEFINED(tag, sizeof tag);
    int rc = tern_gcm_open(k, nonce, aad, sizeof aad, ct, len, tag, back);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == 0, "open rejected a valid record");
    VALGRIND_MAKE_MEM_DEFINED(back, len);
    VALGRIND_MAKE_MEM_DEFINED(pt, len);
    check(memcmp(back, pt, len) == 0, "open gave the wrong plaintext");

    /* A forged tag: rejected, output zeroed, still without a secret branch. */
    tag[len % 16] ^= 0x20;
    rc = tern_gcm_open(k, nonce, aad, sizeof aad, ct, len, tag, back);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == TERN_ERR_BAD_RECORD_MAC, "open accepted a forged tag");
    VALGRIND_MAKE_MEM_DEFINED(back, len);
    for (size_t i = 0; i < len; i++)
        check(back[i] == 0, "open left plaintext after a forgery");
    tern_gcm_wipe(k);
    free(k);
}

int main(void) {
    /* Before the first tern_cpu() call. */
    setenv("TERN_CPU", "portable", 1);
    tern_cpu_reset();
    static const size_t lens[] = {0, 13, 48, 100, 256, 300};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        run("portable", 16, lens[i]);
        run("portable", 32, lens[i]);
    }
    printf("ct_gcm: portable AES-128/256-GCM key schedule, AES, GHASH, seal and open checked\n");

    setenv("TERN_CPU", "-vaes,-vpclmul", 1);
    tern_cpu_reset();
    if (tern_cpu_has(TERN_CPU_AESNI | TERN_CPU_PCLMUL | TERN_CPU_SSSE3 | TERN_CPU_SSE41)) {
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
            run("aesni+pclmul", 16, lens[i]);
            run("aesni+pclmul", 32, lens[i]);
        }
        printf("ct_gcm: aesni+pclmul AES-128/256-GCM checked too\n");
    } else {
        printf("ct_gcm: aesni+pclmul skipped (not offered by this CPU / valgrind)\n");
    }
    if (failures) {
        fprintf(stderr, "ct_gcm: %d failures\n", failures);
        return 1;
    }
    return 0;
}
