/*
 * Name constraints (RFC 5280 §4.2.1.10, applied by §6.1.4 (g) / §6.1.3 (b)).
 *
 * At parse time tern_x509_nc_scan() checks a CA's NameConstraints value and
 * records what it constrains; a malformed value does not make the
 * certificate unparseable (a trust store with such a root still loads): it
 * is recorded in nc_bad and refused when the CA is used as an issuer, with
 * a sentence naming the bad constraint.
 *
 * At path-building time tern_x509_nc_check() checks every certificate below
 * a CA (except self-issued intermediates) against the CA's subtrees:
 *   dNSName     SAN dNSNames ("example.com" covers itself and every name
 *               below it; "" covers all; a leading period or a '*' in a
 *               base is malformed).  A wildcard SAN is inside a permitted
 *               subtree when all it can stand for is; an excluded subtree
 *               also refuses a wildcard that could stand for a name in it.
 *   iPAddress   SAN iPAddresses (address + contiguous mask, 8 or 32 bytes;
 *               an IPv4 base never covers an IPv6 address and back).
 *   directoryName  the subject DN (when not empty) and SAN directoryNames:
 *               inside when the base's RDNs are its first RDNs, compared by
 *               RFC 5280 §7.1 (tern_x509_name_within).
 *   rfc822Name  SAN rfc822Names and the subject's emailAddress attributes:
 *               "local@host" is that mailbox, "host" every mailbox at that
 *               host, ".domain" every mailbox in a subdomain of it.
 *   uniformResourceIdentifier  the host of SAN URIs: "host" or ".domain";
 *               a URI without a host name is refused.
 * The subject CN is never a name here (it is never used as one, RFC 9525).
 * A constraint on another form (otherName, x400Address, ediPartyName,
 * registeredID) refuses the path only when a certificate below carries a
 * name of that form (the RFC's "process the constraint or reject").  The
 * work is bounded: every name checked costs the CA's subtree count from a
 * budget of TERN_X509_NC_MAX_WORK per verification; past it the path is
 * refused.
 */
#ifndef TERN_X509_NC_H
#define TERN_X509_NC_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/nc.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/x509/x509.h"

/* Name × subtree comparisons allowed in one verification (BoringSSL and
 * Go stop at about 2^20 too). */
#define TERN_X509_NC_MAX_WORK (1u << 20)

/* Record the NameConstraints extension value v (extnValue contents) in c:
 * has_name_constraints, name_constraints, nc_forms, nc_subtrees, and
 * nc_bad / nc_bad_base when something in it is malformed.  Never fails. */
void tern_x509_nc_scan(tern_x509_cert *c, tern_span v);

/* Outcome of tern_x509_nc_check. */
typedef enum {
    TERN_X509_NC_OK = 0,
    TERN_X509_NC_OUTSIDE,     /* below[index] has a name outside the constraints (or unusable under them) */
    TERN_X509_NC_BAD,         /* the CA's constraints are malformed */
    TERN_X509_NC_UNSUPPORTED, /* below[index] has a name of a constrained form tern cannot check */
    TERN_X509_NC_TOO_MUCH     /* the work budget ran out */
} tern_x509_nc_outcome;

typedef struct {
    tern_x509_nc_outcome outcome;
    size_t index;   /* into below[] for OUTSIDE / UNSUPPORTED */
    char what[200]; /* a sentence fragment: "the name DNS:x is outside", "its ... is malformed" */
} tern_x509_nc_result;

/* Check below[0..n) (below[0] is the leaf, below[n-1] was issued by ca)
 * against ca's name constraints.  *work is the budget spent so far (start
 * at 0 for a verification).  Returns the outcome (also in r->outcome). */
tern_x509_nc_outcome tern_x509_nc_check(const tern_x509_cert *ca, const tern_x509_cert *const *below, size_t n,
                                        size_t *work, tern_x509_nc_result *r);

#endif
