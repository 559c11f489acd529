/*
 * The certificate_list of a Certificate message, one parser and one writer
 * for both: the server's Certificate (RFC 5246 §7.4.2, lib/hs_certificate.c)
 * and the client's (§7.4.6, lib/hs_client_certificate.c) have the same wire
 * form:
 *
 *   opaque ASN.1Cert<1..2^24-1>;
 *   struct {
 *       ASN.1Cert certificate_list<0..2^24-1>;
 *   } Certificate;
 *
 * What differs stays with the callers: a server must send at least one
 * certificate, a client may send none; one verifies for the server purpose
 * and the name asked for, the other for the client purpose and keeps the
 * path.
 */
#ifndef TERN_LIB_CERTLIST_H
#define TERN_LIB_CERTLIST_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_WIRE
#error "lib/certlist.h is in the wire layer (2): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/bytes.h"
#include "lib/x509/store.h"
#include "lib/x509/verify.h"

/* The certificates of one list, leaf first, pointing into the message. */
typedef struct {
    const uint8_t *cert[TERN_X509_MAX_PEER_CERTS];
    size_t len[TERN_X509_MAX_PEER_CERTS];
    size_t n;
} tern_certlist;

/* Parse a whole Certificate body from r into out (n == 0: the empty list,
 * which only the caller can judge).  TERN_ERR_DECODE when it does not parse
 * (a vector past its container, an empty ASN.1Cert, bytes after the list);
 * TERN_ERR_CERT_CHAIN_TOO_LONG at the certificate after the
 * TERN_X509_MAX_PEER_CERTS-th.  The caller words the error. */
TERN_MUST_CHECK int tern_certlist_parse(tern_reader *r, tern_certlist *out);

/* Write the chain of ks (leaf first) as a Certificate body; ks NULL
 * writes the empty list. */
TERN_MUST_CHECK int tern_certlist_write(tern_writer *w, const tern_keystore *ks);

#endif
