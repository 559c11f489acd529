/*
 * Fuzz target: the name code that reads DER outside the certificate parser
 * — the name-constraint scan and matcher (lib/x509/nc.c) and the RFC 5280
 * §7.1 name comparison (lib/x509/name.c) — on arbitrary bytes.  Input:
 *   16-bit length + NameConstraints value (the CA's extnValue contents),
 *   16-bit length + GeneralNames content (a leaf's subjectAltName),
 *   the rest: a Name TLV (the leaf's subject, also compared with itself
 *   and with the SAN bytes as a second name).
 * The checks must stay within the inputs and the work budget, the
 * comparison must be reflexive and symmetric, and equal names must have
 * equal lookup keys (tern_x509_name_key).  Seeds: the constrained CAs
 * and leaves of vectors/certs/nc (make_seeds.c).
 */
#include <stdlib.h>
#include <string.h>

#include "lib/bytes.h"
#include "lib/x509/nc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tern_reader r;
    tern_reader ncv, san;
    tern_rd_init(&r, data, size);
    if (tern_rd_vec16(&r, &ncv) < 0 || tern_rd_vec16(&r, &san) < 0)
        return 0;
    tern_span subject = {r.p, tern_rd_left(&r)};
    tern_span other = {san.p, tern_rd_left(&san)};

    tern_x509_cert ca, leaf, mid;
    memset(&ca, 0, sizeof ca);
    memset(&leaf, 0, sizeof leaf);
    tern_span v = {ncv.p, tern_rd_left(&ncv)};
    tern_x509_nc_scan(&ca, v);
    if (!ca.has_name_constraints)
        abort();
    leaf.has_san = other.len > 0;
    leaf.san = other;
    leaf.subject = subject;
    leaf.issuer = other;
    /* An intermediate that is self-issued by §7.1 or not. */
    mid = leaf;
    mid.issuer = subject;
    const tern_x509_cert *below[2] = {&leaf, &mid};
    size_t work = 0;
    tern_x509_nc_result res;
    tern_x509_nc_outcome o = tern_x509_nc_check(&ca, below, 2, &work, &res);
    if (o != res.outcome || memchr(res.what, 0, sizeof res.what) == NULL)
        abort();
    if (o != TERN_X509_NC_OK && res.what[0] == 0)
        abort();
    if ((o == TERN_X509_NC_OUTSIDE || o == TERN_X509_NC_UNSUPPORTED) && res.index >= 2)
        abort();
    if (work > TERN_X509_NC_MAX_WORK + ca.nc_subtrees + 1)
        abort();

    if (!tern_x509_name_eq(subject, subject) || !tern_x509_name_eq(other, other))
        abort();
    if (tern_x509_name_eq(subject, other) != tern_x509_name_eq(other, subject))
        abort();
    int same_bytes = subject.len == other.len && (subject.len == 0 || memcmp(subject.p, other.p, subject.len) == 0);
    if (!same_bytes && tern_x509_name_eq(subject, other) && !tern_x509_name_within(subject, other))
        abort();
    /* The trust store's lookup key: equal names, equal keys. */
    if (tern_x509_name_eq(subject, other) && tern_x509_name_key(subject) != tern_x509_name_key(other))
        abort();
    (void)tern_x509_self_issued(&leaf);
    return 0;
}
