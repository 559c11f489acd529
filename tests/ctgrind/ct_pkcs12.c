/*
 * Constant-time check of the PKCS#12 MAC check (lib/x509/pkcs12.c,
 * tern_p12_check_mac) under valgrind memcheck: the password is marked
 * undefined, then the MAC of a real file is checked with it, right and
 * wrong: the BMPString conversion (ASCII and non-ASCII UTF-8), the PKCS#12 KDF
 * (id 3) with HMAC-SHA-256 (keytool's trust store, vectors/p12/), and
 * PBMAC1's PBKDF2 + HMAC-SHA-256 (RFC 9579 A.1).  The MAC key and the tag
 * derive from the password; the comparison is tern_ct_memeq, and its
 * verdict is the one value made public (in the library, where it is
 * branched on: accepted or "wrong password").  Any other branch or memory
 * index on the password, the key or the tag is reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "lib/x509/pem.h"
#include "lib/x509/pkcs12.h"

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "ct_pkcs12: cannot read %s (run from the top of the tree)\n", path);
        exit(1);
    }
    static uint8_t buf[2][1 << 16];
    static int k;
    uint8_t *b = buf[k++ % 2];
    *len = fread(b, 1, sizeof buf[0], f);
    fclose(f);
    return b;
}

/* Check the MAC of der with a secret copy of pw; want is the expected status. */
static int check(const uint8_t *der, size_t len, const char *password, int want) {
    uint8_t pw[64];
    size_t n = strlen(password);
    memcpy(pw, password, n);
    VALGRIND_MAKE_MEM_UNDEFINED(pw, n);
    tern_p12 p;
    tern_p12_init(&p);
    if (tern_p12_parse_pfx(&p, der, len) != 0) {
        fprintf(stderr, "ct_pkcs12: %s\n", p.msg);
        return 1;
    }
    int rc = tern_p12_check_mac(&p, pw, n);
    tern_p12_free(&p);
    if (rc != want) {
        fprintf(stderr, "ct_pkcs12: MAC check gave %d, wanted %d\n", rc, want);
        return 1;
    }
    return 0;
}

int main(void) {
    int bad = 0;
    size_t len, b64len;
    uint8_t *der = slurp("vectors/p12/java-truststore.p12", &len);
    bad |= check(der, len, "changeit", 0);
    bad |= check(der, len, "changeiT", TERN_ERR_DECRYPT_FAILED);
    /* Non-ASCII: two-, three- and four-byte characters through the
     * conversion's masked decoder (a wrong password for this file). */
    bad |= check(der, len, "ch\xc3\xa4nge\xe2\x82\xac\xf0\x9d\x84\x9e", TERN_ERR_DECRYPT_FAILED);
    /* RFC 9579 A.1 (PBMAC1), base64 in the file. */
    uint8_t *b64 = slurp("vectors/p12/rfc9579-a1.b64", &b64len);
    static char pem[1 << 16];
    static uint8_t pfx[1 << 16];
    int w = snprintf(pem, sizeof pem, "-----BEGIN X-----\n%.*s-----END X-----\n", (int)b64len, (const char *)b64);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)pem, (size_t)w);
    if (tern_pem_next(&r, &b) != 1 || tern_pem_decode(&b, pfx, sizeof pfx, &len) != 0) {
        fprintf(stderr, "ct_pkcs12: rfc9579-a1.b64 does not decode\n");
        return 1;
    }
    bad |= check(pfx, len, "1234", 0);
    bad |= check(pfx, len, "1243", TERN_ERR_DECRYPT_FAILED);
    return bad;
}
