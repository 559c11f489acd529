/*
 * Fuzz target: encrypted private keys (lib/x509/pkcs8.c) and the legacy
 * PEM encryption headers (lib/x509/pem.c), with the fixed password "tern"
 * (the password of the seeds).  input[0] bit 0 chooses the form:
 *   0  the rest is the DER of an EncryptedPrivateKeyInfo: tern_pkcs8_decrypt,
 *      and tern_pbes2_decrypt on its AlgorithmIdentifier and ciphertext;
 *   1  the rest is PEM text: every block is read; ENCRYPTED PRIVATE KEY
 *      blocks go to tern_pkcs8_decrypt, blocks with Proc-Type headers to
 *      tern_pem_legacy_decrypt; with bit 1 set, the text also goes through
 *      the key store loader (with the real test chain and the password).
 * Every refusal must carry a sentence; a success must give a DER SEQUENCE
 * no longer than the ciphertext.  Inputs whose PBKDF2 iteration count is
 * between 4096 and TERN_PBKDF_MAX_ITERATIONS are skipped (each would take
 * up to seconds: slow, not wrong); counts above the limit are kept (they
 * must be refused before any work).
 *
 * Built with -DFUZZ_PKCS8_MAKE_SEEDS this file is instead the seed writer
 * (tests/fuzz/make_seeds.sh): the files of vectors/certs/enc and the two
 * encrypted keys of vectors/certs, as DER and as PEM.
 */
#include <stdlib.h>
#include <string.h>

#include "crypto/ct.h"
#include "crypto/pbkdf.h"
#include "lib/x509/der.h"
#include "lib/x509/pem.h"
#include "lib/x509/pkcs8.h"
#include "lib/x509/store.h"
#include "tests/util/testutil.h"

#define FUZZ_MAX_ITER 4096u

/* 1 when der looks like PBES2 with an iteration count that would be slow. */
static int slow(const uint8_t *der, size_t len) {
    tern_reader top, seq, alg, params, kdf, kdfp;
    tern_span oid, salt;
    uint64_t iter;
    tern_rd_init(&top, der, len);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &seq) < 0 || tern_der_expect(&seq, TERN_DER_SEQUENCE, &alg) < 0 ||
        tern_der_oid(&alg, &oid) < 0 || tern_der_expect(&alg, TERN_DER_SEQUENCE, &params) < 0 ||
        tern_der_expect(&params, TERN_DER_SEQUENCE, &kdf) < 0 || tern_der_oid(&kdf, &oid) < 0 ||
        tern_der_expect(&kdf, TERN_DER_SEQUENCE, &kdfp) < 0 || tern_der_octet_string(&kdfp, &salt) < 0 ||
        tern_der_small_uint(&kdfp, &iter) < 0)
        return 0;
    return iter > FUZZ_MAX_ITER && iter <= TERN_PBKDF_MAX_ITERATIONS;
}

static void check(int rc, uint8_t *out, size_t outlen, size_t inlen, const char *msg) {
    if (rc > 0)
        abort();
    if (rc == 0) {
        if (out == NULL || outlen == 0 || outlen > inlen || out[0] != 0x30)
            abort();
        tern_wipe(out, outlen);
        free(out);
    } else if (msg[0] == 0 || out != NULL) {
        abort();
    }
}

static void one_der(const uint8_t *der, size_t len) {
    if (slow(der, len))
        return;
    uint8_t *out = NULL;
    size_t outlen = 0;
    char msg[512] = "";
    int rc = tern_pkcs8_decrypt(der, len, (const uint8_t *)"tern", 4, &out, &outlen, msg, sizeof msg);
    check(rc, out, outlen, len, msg);
    /* The AlgorithmIdentifier route (PKCS#12's encrypted contents). */
    tern_reader top, seq;
    tern_der_elem alg;
    tern_span ct;
    tern_rd_init(&top, der, len);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &seq) == 0 && tern_der_expect_elem(&seq, TERN_DER_SEQUENCE, &alg) == 0 &&
        tern_der_octet_string(&seq, &ct) == 0) {
        out = NULL;
        msg[0] = 0;
        rc = tern_pbes2_decrypt(alg.tlv.p, alg.tlv.len, ct.p, ct.len, (const uint8_t *)"tern", 4, &out, &outlen, msg,
                                sizeof msg);
        if (rc > 0 || (rc < 0 && (msg[0] == 0 || out != NULL)) || (rc == 0 && outlen > ct.len))
            abort();
        if (rc == 0) {
            tern_wipe(out, outlen);
            free(out);
        }
    }
}

#ifndef FUZZ_PKCS8_MAKE_SEEDS
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *chain;
static size_t chain_len;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (chain == NULL)
        chain = (uint8_t *)tv_slurp(tv_path("certs/server-chain.pem"), &chain_len);
    if (size < 1)
        return 0;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    if (!(data[0] & 1)) {
        one_der(p, n);
        return 0;
    }
    tern_pem_reader r;
    tern_pem_block b;
    int rc, any_slow = 0;
    tern_pem_init(&r, p, n);
    while ((rc = tern_pem_next(&r, &b)) == 1) {
        if (b.hdr_bad && tern_pem_decoded_max(&b) > 0) {
            uint8_t tmp[64];
            size_t got;
            if (tern_pem_decode(&b, tmp, sizeof tmp, &got) == 0)
                abort(); /* malformed headers never decode */
        }
        if (strcmp(b.label, "ENCRYPTED PRIVATE KEY") == 0) {
            size_t cap = tern_pem_decoded_max(&b), len = 0;
            uint8_t *der = malloc(cap);
            if (der && tern_pem_decode(&b, der, cap, &len) == 0) {
                any_slow |= slow(der, len);
                one_der(der, len);
            }
            free(der);
        } else if (b.encrypted) {
            uint8_t *out = NULL;
            size_t outlen = 0;
            char msg[512] = "";
            int lrc = tern_pem_legacy_decrypt(&b, (const uint8_t *)"tern", 4, &out, &outlen, msg, sizeof msg);
            check(lrc, out, outlen, b.body_len, msg);
        }
    }
    if (rc > 0)
        abort();
    if ((data[0] & 2) && !any_slow) {
        tern_keystore ks;
        tern_keystore_pw pw = {"tern", NULL, NULL};
        rc = tern_keystore_load_pem_pw(&ks, chain, chain_len, p, n, &pw);
        if (rc > 0 || (rc < 0 && ks.msg[0] == 0))
            abort();
        tern_keystore_free(&ks);
    }
    return 0;
}
#else
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

static void put(const char *name, uint8_t prefix, const uint8_t *p, size_t n) {
    char path[512];
    if (mkdir("tests/fuzz/corpus/fuzz_pkcs8", 0777) < 0 && errno != EEXIST) {
        perror("mkdir");
        exit(1);
    }
    snprintf(path, sizeof path, "tests/fuzz/corpus/fuzz_pkcs8/%s", name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fputc(prefix, f) == EOF || (n && fwrite(p, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

int main(void) {
    static const char *files[] = {"enc/pbes2-aes128-sha512.key", "enc/pbes2-aes192-sha1.key",
                                  "enc/pbes2-aes256-sha256.key", "enc/legacy-ec-aes128.key",
                                  "enc/legacy-rsa-aes192.key",   "enc/refused-pbes1-md5-des.key",
                                  "enc/refused-pkcs12-3des.key", "enc/refused-pbes2-des3.key",
                                  "enc/refused-scrypt.key",      "enc/refused-legacy-des3.key",
                                  "server-enc-pkcs8.key",        "server-enc-pkcs1.key"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char rel[256], name[256];
        size_t n;
        snprintf(rel, sizeof rel, "certs/%s", files[i]);
        const char *base = strrchr(files[i], '/') ? strrchr(files[i], '/') + 1 : files[i];
        char *text = tv_slurp(tv_path(rel), &n);
        snprintf(name, sizeof name, "pem-%s", base);
        put(name, 1, (const uint8_t *)text, n);
        snprintf(name, sizeof name, "load-%s", base);
        put(name, 3, (const uint8_t *)text, n);
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)text, n);
        if (tern_pem_next(&r, &b) == 1 && strcmp(b.label, "ENCRYPTED PRIVATE KEY") == 0) {
            size_t cap = tern_pem_decoded_max(&b), len = 0;
            uint8_t *der = malloc(cap);
            if (der == NULL || tern_pem_decode(&b, der, cap, &len) != 0)
                exit(1);
            snprintf(name, sizeof name, "der-%s", base);
            put(name, 0, der, len);
            one_der(der, len); /* the seed writer runs the target's checks once */
            free(der);
        }
        free(text);
    }
    printf("fuzz_pkcs8: %zu seed files\n", sizeof files / sizeof files[0]);
    return 0;
}
#endif
