/*
 * Constant-time check for encrypted private keys (lib/x509/pkcs8.c) under
 * valgrind memcheck: the password is marked undefined, so everything
 * derived from it -- the PBKDF2 / EVP_BytesToKey key, the AES-CBC
 * plaintext, the padding and the structure check -- is secret.  Each
 * fixture of vectors/certs/enc (PBES2 with hmacWithSHA512 / AES-128, the
 * hmacWithSHA1 DEFAULT / AES-192, legacy PEM AES-128) is decrypted with the
 * right password and with a wrong one.  The one allowed branch is the
 * verdict (padding and outer structure), and after it the plaintext
 * length: lib/x509/pkcs8.c hands both to tern_pkcs8_ct_public just before
 * branching, and this program marks them defined there.  Any other branch
 * or memory index on the password, the key or the plaintext is reported.
 * Portable AES is forced (TERN_CPU=portable), then the default path runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "lib/x509/pem.h"
#include "lib/x509/pkcs8.h"

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_pkcs8: %s\n", what);
        failures++;
    }
}

static void make_public(const void *p, size_t n) { VALGRIND_MAKE_MEM_DEFINED(p, n); }

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        exit(2);
    }
    static char buf[1 << 16];
    *len = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    char *out = malloc(*len + 1);
    memcpy(out, buf, *len);
    out[*len] = 0;
    return out;
}

static void run(const char *path, const char *password, int want) {
    size_t tlen;
    char *txt = slurp(path, &tlen);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)txt, tlen);
    check(tern_pem_next(&r, &b) == 1, "no PEM block");
    uint8_t pw[64];
    size_t pwlen = strlen(password);
    memcpy(pw, password, pwlen);
    VALGRIND_MAKE_MEM_UNDEFINED(pw, pwlen);
    uint8_t *out = NULL;
    size_t outlen = 0;
    char msg[512] = "";
    int rc;
    if (b.encrypted) {
        rc = tern_pem_legacy_decrypt(&b, pw, pwlen, &out, &outlen, msg, sizeof msg);
    } else {
        size_t cap = tern_pem_decoded_max(&b), n = 0;
        uint8_t *der = malloc(cap);
        check(tern_pem_decode(&b, der, cap, &n) == 0, "base64");
        rc = tern_pkcs8_decrypt(der, n, pw, pwlen, &out, &outlen, msg, sizeof msg);
        free(der);
    }
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    if (rc != want) {
        fprintf(stderr, "ct_pkcs8: %s with \"%s\": %d (%s), want %d\n", path, password, rc, msg, want);
        failures++;
    }
    if (rc == 0) {
        VALGRIND_MAKE_MEM_DEFINED(out, outlen);
        check(outlen > 0 && out[0] == 0x30, "plaintext");
        tern_wipe(out, outlen);
        free(out);
    }
    free(txt);
}

static void all(void) {
    static const char *files[] = {"vectors/certs/enc/pbes2-aes128-sha512.key", "vectors/certs/enc/pbes2-aes192-sha1.key",
                                  "vectors/certs/enc/legacy-ec-aes128.key"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        run(files[i], "tern", 0);
        run(files[i], "tErn", TERN_ERR_DECRYPT_FAILED);
    }
}

int main(void) {
    tern_pkcs8_ct_public = make_public;
    setenv("TERN_CPU", "portable", 1);
    tern_cpu_reset();
    all();
    unsetenv("TERN_CPU");
    tern_cpu_reset();
    all();
    if (failures)
        return 1;
    return 0;
}
