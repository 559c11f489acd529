/*
 * Fuzz target: OCSP responses (lib/x509/ocsp.c).  The input is one DER
 * OCSPResponse, checked for fixed certificates of vectors/ocsp (the leaf
 * and the revoked leaf, issued by ca.crt; the other CA's leaf) at two
 * times.  Invariants: only the four documented results, a sentence for
 * every refusal (terminated, within its buffer), info consistent with the
 * result, and whatever is accepted is strict DER.  Seeds: every response of
 * vectors/ocsp and a tryLater (tests/fuzz/corpus/fuzz_ocsp/, written by
 * tests/certs/make-ocsp.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/x509/ocsp.h"
#include "lib/x509/pem.h"
#include "tests/util/testutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_CERTS 5
static const char *files[N_CERTS] = {"ocsp/ca.crt", "ocsp/leaf.crt", "ocsp/leaf-revoked.crt", "ocsp/other-ca.crt",
                                     "ocsp/other-leaf.crt"};
static uint8_t *ders[N_CERTS];
static tern_x509_cert certs[N_CERTS];

static void setup(void) {
    static int done;
    if (done)
        return;
    done = 1;
    for (size_t i = 0; i < N_CERTS; i++) {
        size_t len;
        char *t = tv_slurp(tv_path(files[i]), &len);
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)t, len);
        if (tern_pem_next(&r, &b) != 1)
            abort();
        size_t cap = tern_pem_decoded_max(&b), got;
        ders[i] = malloc(cap);
        if (ders[i] == NULL || tern_pem_decode(&b, ders[i], cap, &got) != 0 ||
            tern_x509_parse(&certs[i], ders[i], got) != 0)
            abort();
        free(t);
    }
}

static void one(const uint8_t *data, size_t size, int cert, int issuer, int64_t now) {
    tern_ocsp_info info;
    char msg[300];
    memset(msg, 'x', sizeof msg);
    int rc = tern_ocsp_check(data, size, &certs[cert], &certs[issuer], now, &info, msg, sizeof msg);
    if (memchr(msg, 0, sizeof msg) == NULL)
        abort();
    switch (rc) {
    case 0:
        if (info.cert_status != TERN_OCSP_GOOD || msg[0] != 0 || tern_der_check(data, size) < 0)
            abort();
        break;
    case TERN_ERR_CERT_REVOKED:
        if (info.cert_status != TERN_OCSP_REVOKED || msg[0] == 0 || info.revocation_reason < -1 ||
            info.revocation_reason > 10 || tern_ocsp_reason_name(info.revocation_reason) == NULL)
            abort();
        break;
    case TERN_ERR_CERT_REVOCATION_UNKNOWN:
        if (info.cert_status != TERN_OCSP_UNKNOWN || msg[0] == 0)
            abort();
        break;
    case TERN_ERR_OCSP_BAD:
        if (msg[0] == 0 || info.this_update != 0 || info.cert_status != 0)
            abort();
        break;
    default:
        abort();
    }
    if (rc != TERN_ERR_OCSP_BAD && (info.this_update > now + TERN_OCSP_SKEW ||
                                    (info.next_update != 0 && info.next_update < now - TERN_OCSP_SKEW)))
        abort();
    if (memchr(info.serial_hex, 0, sizeof info.serial_hex) == NULL)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    one(data, size, 1, 0, 1798761600);  /* leaf, 2027-01-01 */
    one(data, size, 2, 0, 1798761600);  /* revoked leaf */
    one(data, size, 1, 0, 2524608000);  /* leaf, 2050-01-01: past every certificate */
    one(data, size, 4, 3, 1798761600);  /* the other CA's leaf */
    one(data, size, 1, 3, 1798761600);  /* the wrong issuer */
    /* msg and info may be NULL */
    (void)tern_ocsp_check(data, size, &certs[1], &certs[0], 1798761600, NULL, NULL, 0);
    return 0;
}
