/*
 * Fuzz target: the CRL parser (lib/x509/crl.c) and the trust store's CRL
 * loader (lib/x509/store.c: PEM "X509 CRL" blocks, or DER).  The input is
 * one CRL, DER or PEM.  A CRL that parses is looked up (serials of several
 * lengths, each of its own entries), formatted, and checked against an
 * issuer without a usable key (the signature path refuses it without
 * touching the key).  Seeds: the CRLs of vectors/certs/crl and of the
 * x509-limbo crl::* cases, as DER (tests/fuzz/corpus/fuzz_crl/, written by
 * tests/certs/make-crl-certs.sh).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/x509/crl.h"
#include "lib/x509/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tern_crl crl;
    char why[200];
    int rc = tern_crl_parse(&crl, data, size, why, sizeof why);
    if (rc > 0 || (rc < 0 && rc != TERN_ERR_CERT_BAD && rc != TERN_ERR_UNSUPPORTED && rc != TERN_ERR_LIMIT &&
                   rc != TERN_ERR_NOMEM))
        abort();
    if (rc < 0 && (why[0] == 0 || strlen(why) >= sizeof why))
        abort();
    if (rc == 0) {
        /* Whatever parses is valid DER, and the entries are in order. */
        if (tern_der_check(data, size) < 0 || crl.der.p != data || crl.der.len != size)
            abort();
        if (crl.version != 1 && crl.version != 2)
            abort();
        for (size_t i = 0; i < crl.n_entries; i++) {
            const tern_crl_entry *e = tern_crl_find(&crl, crl.entries[i].serial);
            if (e == NULL || e->serial.len != crl.entries[i].serial.len ||
                memcmp(e->serial.p, crl.entries[i].serial.p, e->serial.len) != 0)
                abort();
            char s[48];
            tern_crl_format_serial(e->serial, s, sizeof s);
            if (strlen(s) >= sizeof s || tern_crl_reason_name(e->reason) == NULL)
                abort();
        }
        static const uint8_t serials[][3] = {{0x00}, {0x20, 0x02}, {0x7f, 0xff, 0xff}};
        for (size_t i = 0; i < 3; i++) {
            tern_span sp = {serials[i], i + 1};
            (void)tern_crl_find(&crl, sp);
        }
        tern_x509_cert issuer;
        memset(&issuer, 0, sizeof issuer);
        if (tern_crl_usable(&crl, &issuer, 1893456000, why, sizeof why) == 0)
            abort(); /* no key: never usable */
        tern_crl_free(&crl);
    }
    /* The loader: PEM blocks or the whole input as DER. */
    tern_truststore ts;
    tern_truststore_init(&ts);
    rc = tern_truststore_add_crl_pem(&ts, data, size, "fuzz");
    if (rc >= 0 && ts.n_crls != (size_t)rc)
        abort();
    if (strlen(ts.msg) >= sizeof ts.msg)
        abort();
    tern_truststore_free(&ts);
    return 0;
}
