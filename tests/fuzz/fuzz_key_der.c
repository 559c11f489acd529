/*
 * Fuzz target: one private key in DER read on its own (lib/x509/store.c
 * tern_key_der_info, what `tern inspect` shows a key with) and its match
 * against a certificate (tern_key_matches_cert).  input[0] % 4 is the
 * format (0: recognised by its shape; 1 PKCS#1, 2 SEC 1, 3 PKCS#8), the
 * rest is the DER.  A key read must have a type and a size; a refusal must
 * say why; a key that reads must match only a certificate with its public
 * key (the test server and EC certificates: the fixtures' keys are the
 * seeds).  The same bytes also go to tern_pkcs8_describe (lib/x509/pkcs8.c:
 * an EncryptedPrivateKeyInfo's scheme read without a password), which must
 * say something either way.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/x509/pem.h"
#include "lib/x509/pkcs8.h"
#include "lib/x509/store.h"
#include "tests/util/testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t cert_der[2][4096];
static size_t cert_len[2];
static tern_x509_cert certs[2];
static int have[2];

static void load_cert(int i, const char *name) {
    size_t len = 0;
    char *pem = tv_slurp(tv_path(name), &len);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)pem, len);
    if (pem != NULL && tern_pem_next(&r, &b) == 1 &&
        tern_pem_decode(&b, cert_der[i], sizeof cert_der[i], &cert_len[i]) == 0 &&
        tern_x509_parse(&certs[i], cert_der[i], cert_len[i]) == 0)
        have[i] = 1;
    free(pem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!have[0] && !have[1]) {
        load_cert(0, "certs/server.crt");
        load_cert(1, "certs/ec256.crt");
    }
    if (size < 1)
        return 0;
    tern_key_info info;
    char msg[256];
    int rc = tern_key_der_info(data + 1, size - 1, (tern_key_der_format)(data[0] % 4), &info, msg, sizeof msg);
    if (rc > 0)
        abort();
    if (rc < 0 && msg[0] == '\0')
        abort(); /* every refusal says why */
    if (rc == 0) {
        if (info.type == TERN_X509_KEY_RSA && (info.bits < 2048 || info.bits > 8192 || info.rsa_n.p == NULL))
            abort();
        if (info.type == TERN_X509_KEY_EC && (info.ec_point_len != 65 && info.ec_point_len != 97))
            abort();
        if (info.type != TERN_X509_KEY_RSA && info.type != TERN_X509_KEY_EC)
            abort();
        if (info.format < TERN_KEY_DER_PKCS1 || info.format > TERN_KEY_DER_PKCS8)
            abort();
    }
    char desc[320] = "";
    rc = tern_pkcs8_describe(data + 1, size - 1, desc, sizeof desc);
    if (rc > 0 || desc[0] == '\0')
        abort();
    for (int i = 0; i < 2; i++)
        if (have[i] && tern_key_matches_cert(&info, &certs[i]) && certs[i].key.type != info.type)
            abort();
    return 0;
}
