/*
 * Certificate policies (RFC 5280 §4.2.1.4, .5, .11, .14 for the
 * extensions; §6.1.2 (a), (d)-(f), §6.1.3 (d)-(f), §6.1.4 (a), (b),
 * (h)-(j) and §6.1.5 (a), (b), (g) for the processing).
 *
 * The RFC describes a valid_policy_tree whose size can grow exponentially
 * with the path (each policy of a certificate becomes a child of every
 * node that expects it, and mappings multiply the expectations: the
 * CVE-2023-0464 attack).  tern keeps the same information as a graph
 * instead: one node per (depth, policy OID), with links to the nodes of
 * the depth above that it descends from, so a path of n certificates with
 * at most k policies each holds at most n*k nodes and n*k*k links.  Both
 * are capped (TERN_POLICY_MAX_NODES, TERN_POLICY_MAX_LINKS); a path that
 * needs more is refused with a sentence saying so.  The graph lives on the
 * stack of one call (about 20 KB) and is only built when a certificate of
 * the path carries a policy extension or the caller requires an explicit
 * policy: the usual TLS path costs one scan of four flags.
 *
 * The trust anchor is input (RFC 5280 §6.1.1 (d)): its own policy
 * extensions are not processed, as the rest of path validation treats it.
 *
 * Malformed DER in any of the four extensions makes the certificate
 * malformed (TERN_ERR_CERT_BAD via tern_x509_parse); so do a
 * certificatePolicies naming the same policy twice (§4.2.1.4), an empty
 * policyConstraints (§4.2.1.11), negative or non-minimal SkipCerts, and
 * more than TERN_POLICY_MAX_PER_CERT policies or TERN_POLICY_MAX_MAPPINGS
 * mappings in one extension.
 * A mapping to or from anyPolicy (§4.2.1.5, §6.1.4 (a)) parses and is
 * refused in path validation, as is a critical certificatePolicies with a
 * qualifier other than a CPS pointer or a user notice (§4.2.1.4).
 */
#ifndef TERN_X509_POLICY_H
#define TERN_X509_POLICY_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/policy.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/x509/verify.h"

#define TERN_POLICY_MAX_NODES 256 /* (depth, policy) nodes over the whole path */
#define TERN_POLICY_MAX_LINKS 1024 /* links from a node to the nodes it descends from */
#define TERN_POLICY_MAX_EXPECTED 512 /* expected policies of one depth (after mapping) */
/* Per extension, checked when the certificate is parsed (more is refused
 * as malformed: no real certificate comes near, and it keeps the
 * duplicate check and the processing bounded). */
#define TERN_POLICY_MAX_PER_CERT 256 /* policies in one certificatePolicies */
#define TERN_POLICY_MAX_MAPPINGS 1024 /* pairs in one policyMappings */

/* anyPolicy (RFC 5280 §4.2.1.4): 2.5.29.32.0. */
extern const uint8_t tern_oid_any_policy[4];

/* Which extension tern_x509_policy_ext_check() checks. */
#define TERN_POLICY_EXT_POLICIES 1    /* certificatePolicies */
#define TERN_POLICY_EXT_MAPPINGS 2    /* policyMappings */
#define TERN_POLICY_EXT_CONSTRAINTS 3 /* policyConstraints */
#define TERN_POLICY_EXT_INHIBIT_ANY 4 /* inhibitAnyPolicy */

/* Check the DER of one policy extension's extnValue content (called by
 * the certificate parser).  Returns 0 or TERN_ERR_DECODE. */
TERN_MUST_CHECK int tern_x509_policy_ext_check(int which, tern_span value);

/* The outcome of policy processing on a failure. */
typedef struct {
    int err;            /* TERN_ERR_CERT_POLICY (or TERN_ERR_CERT_BAD) */
    int index;          /* the peer certificate it is about */
    char msg[256];      /* the sentence */
} tern_x509_policy_fail;

/* Policy processing for one candidate path: certs[path[0]] is the leaf,
 * certs[path[n-1]] the certificate the trust anchor issued (the anchor is
 * not part of the path).  p supplies the user-initial-policy-set and the
 * three initial flags.  Returns 0 when the path is acceptable (RFC 5280
 * §6.1.6: explicit_policy > 0 or a non-empty intersection with the
 * initial set), else a negative error with *f filled: TERN_ERR_CERT_POLICY
 * (no acceptable policy, a mapping to or from anyPolicy, an unknown
 * qualifier in a critical certificatePolicies, the graph's caps), or
 * TERN_ERR_CERT_CHAIN_TOO_LONG (n over TERN_X509_MAX_DEPTH). */
TERN_MUST_CHECK int tern_x509_policy_check(const tern_x509_cert *certs, const size_t *path, size_t n,
                                           const tern_x509_params *p, tern_x509_policy_fail *f);

/* Dotted text ("2.23.140.1.2.1") to OBJECT IDENTIFIER content bytes:
 * returns the length written to out, or TERN_ERR_INVALID_ARG (not an OID:
 * fewer than two arcs, first arc above 2, second above 39 under 0 or 1,
 * an arc above 2^63, or longer than cap). */
TERN_MUST_CHECK int tern_x509_oid_from_text(const char *text, uint8_t *out, size_t cap);

/* OBJECT IDENTIFIER content bytes to dotted text (truncated with "..."
 * when longer than cap; cap >= 8). */
void tern_x509_oid_to_text(tern_span oid, char *out, size_t cap);

#endif
