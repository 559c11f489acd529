/*
 * Constant-time check for AES-CBC and the PKCS#7 padding check
 * (crypto/aes_cbc.c, the inverse cipher in crypto/aes.c, and
 * crypto/aes_cbc_aesni.c) under valgrind memcheck.  The portable path is
 * forced first (TERN_CPU=portable, set before the first use); the key, the
 * IV, the plaintext and the ciphertext are marked undefined, and the key
 * expansion (AES-128/192/256), encryption and decryption (out of place and
 * in place, lengths around the 8-block batches) run on them.  Then the
 * padding check runs on a decrypted buffer that is still secret: every
 * last-byte value, valid and not.  The AES-NI path is run the same way when
 * valgrind's CPU offers it.
 *
 * Made defined only: the status codes (the calls' results on public
 * lengths, and the padding verdict, which is public by nature: a wrong
 * password is reported), *outlen on success (the plaintext's length is
 * public once accepted), and outputs just before the comparisons that
 * check them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/aes_cbc.h"
#include "crypto/cpu.h"

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_aes_cbc: %s\n", what);
        failures++;
    }
}

static void run(size_t keylen, size_t len) {
    uint8_t key[32], iv[16], pt[400], ct[400], back[400];
    for (size_t i = 0; i < sizeof key; i++)
        key[i] = (uint8_t)(0x5c ^ (i * 13));
    for (size_t i = 0; i < sizeof iv; i++)
        iv[i] = (uint8_t)(i * 3 + 1);
    for (size_t i = 0; i < len; i++)
        pt[i] = (uint8_t)(i * 7 + 5);
    VALGRIND_MAKE_MEM_UNDEFINED(key, sizeof key);
    VALGRIND_MAKE_MEM_UNDEFINED(iv, sizeof iv);
    VALGRIND_MAKE_MEM_UNDEFINED(pt, len);

    int rc = tern_aes_cbc_encrypt(key, keylen, iv, pt, len, ct);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == 0, "encrypt failed");
    /* The ciphertext as the attacker's input: secret-independent is not
     * enough, decryption must not branch on it either. */
    VALGRIND_MAKE_MEM_UNDEFINED(ct, len);
    rc = tern_aes_cbc_decrypt(key, keylen, iv, ct, len, back);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == 0, "decrypt failed");
    rc = tern_aes_cbc_decrypt(key, keylen, iv, ct, len, ct); /* in place */
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == 0, "in-place decrypt failed");

    VALGRIND_MAKE_MEM_DEFINED(back, len);
    VALGRIND_MAKE_MEM_DEFINED(ct, len);
    VALGRIND_MAKE_MEM_DEFINED(pt, len);
    check(memcmp(back, pt, len) == 0, "decrypt gave the wrong plaintext");
    check(memcmp(ct, pt, len) == 0, "in-place decrypt gave the wrong plaintext");
}

/* The padding check on a secret buffer whose last byte is p (and the
 * bytes before it p too when fill is set). */
static void run_unpad(unsigned p, int fill) {
    uint8_t buf[32];
    memset(buf, 0x41, sizeof buf);
    if (fill)
        for (unsigned i = 0; i < p && i < 16; i++)
            buf[31 - i] = (uint8_t)p;
    buf[31] = (uint8_t)p;
    VALGRIND_MAKE_MEM_UNDEFINED(buf, sizeof buf);
    size_t outlen = 99;
    int rc = tern_cbc_unpad(buf, sizeof buf, &outlen);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    VALGRIND_MAKE_MEM_DEFINED(&outlen, sizeof outlen);
    int want_ok = p >= 1 && p <= 16 && (fill || p == 1);
    check(want_ok ? rc == 0 && outlen == 32 - p : rc == TERN_ERR_DECRYPT_FAILED && outlen == 0,
          "unpad gave the wrong verdict");
}

static void run_all(const char *impl) {
    check(strcmp(tern_aes_cbc_impl_name(), impl) == 0, "the intended path was not chosen");
    static const size_t lens[] = {0, 16, 48, 128, 144, 400};
    static const size_t keylens[] = {16, 24, 32};
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
            run(keylens[k], lens[i]);
}

int main(void) {
    /* Before the first tern_cpu() call. */
    setenv("TERN_CPU", "portable", 1);
    tern_cpu_reset();
    run_all("portable");
    printf("ct_aes_cbc: portable AES-128/192/256-CBC key expansion, encrypt and decrypt checked\n");
    for (unsigned p = 0; p < 256; p++) {
        run_unpad(p, 1);
        run_unpad(p, 0);
    }
    printf("ct_aes_cbc: tern_cbc_unpad checked on every last-byte value\n");

    unsetenv("TERN_CPU");
    tern_cpu_reset();
    if (tern_cpu_has(TERN_CPU_AESNI | TERN_CPU_SSSE3 | TERN_CPU_SSE41)) {
        run_all("aesni");
        printf("ct_aes_cbc: aesni AES-128/192/256-CBC checked too\n");
    } else {
        printf("ct_aes_cbc: aesni skipped (not offered by this CPU / valgrind)\n");
    }
    if (failures) {
        fprintf(stderr, "ct_aes_cbc: %d failures\n", failures);
        return 1;
    }
    return 0;
}
