/*
 * Fuzz target: the DER reader and the X.509 certificate parser
 * (lib/x509/der.c, x509.c, name.c).  The input is one DER certificate.
 * A certificate that parses also goes through key loading, the name
 * display, the CN lookup and the name check (DNS and IP references), all of
 * which walk fields the parser only bounded.  The generic DER walker
 * (tern_der_check) runs on every input too.  Seeds: the certificates of
 * vectors/certs (make_seeds.c).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/x509/der.h"
#include "lib/x509/x509.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    int strict = tern_der_check(data, size);
    tern_x509_cert c;
    int rc = tern_x509_parse(&c, data, size);
    if (rc > 0 || (rc < 0 && rc != TERN_ERR_CERT_BAD))
        abort();
    if (rc != 0)
        return 0;
    /* Whatever parses as a certificate is valid DER. */
    if (strict < 0)
        abort();
    if (c.der.p != data || c.der.len != size)
        abort();
    tern_x509_key k;
    rc = tern_x509_key_load(&c, &k);
    if (rc > 0)
        abort();
    char buf[300], msg[256];
    tern_x509_name_display(c.subject, buf, sizeof buf);
    if (strlen(buf) >= sizeof buf)
        abort();
    tern_x509_name_display(c.issuer, buf, 16);
    uint8_t tag;
    tern_span cn = tern_x509_name_cn(c.subject, &tag);
    (void)cn;
    tern_x509_cert_label(&c, buf, sizeof buf);
    static const char *names[] = {"localhost", "www.example.com", "a.b.example.org.", "127.0.0.1", "::1",
                                  "[2001:db8::1]"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        rc = tern_x509_check_name(&c, names[i], msg, sizeof msg);
        if (rc != 0 && rc != TERN_ERR_CERT_NAME)
            abort();
    }
    (void)tern_x509_self_issued(&c);
    return 0;
}
