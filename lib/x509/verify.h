/*
 * Certificate path validation (RFC 5280 §6, the parts TLS needs) from the
 * peer's certificate list to an anchor in a trust store, and the leaf's
 * name check (RFC 9525).
 *
 * The peer's list starts with its leaf; the rest may come in any order,
 * with duplicates and unrelated extras.  Path building is a bounded
 * depth-first search: from the current certificate, every candidate issuer
 * (trust anchors first, then the peer's certificates) whose subject equals
 * the issuer name (RFC 5280 §7.1) is tried, and when one fails (bad signature, expired,
 * not a CA ...) the next is tried.  Depth is at most TERN_X509_MAX_DEPTH
 * certificates below the anchor, the search tries at most
 * TERN_X509_MAX_WORK candidate issuers (each costs at most one signature
 * check), and at most TERN_X509_MAX_PEER_CERTS certificates are accepted,
 * so a hostile list cannot make it work hard.  Certificates of the list
 * that do not parse are skipped (an unknown-CA message then names them).  When every path fails, the error reported is the one found
 * deepest along the most promising path, with a sentence naming the
 * certificate (0 = leaf) and the check.
 *
 * Checks on each certificate of the path, the trust anchor included:
 * validity at `now`, no unknown critical extension, and the profile of
 * RFC 5280 §4.1/§4.2 (what the RFC says CAs MUST do, held against the
 * certificates) with the CA/Browser Forum Baseline Requirements where they
 * are stricter:
 *   - version 3 (a v1 trust anchor is still accepted, as a CA by being
 *     trusted);
 *   - serialNumber positive and at most 20 octets (not checked on anchors);
 *   - authorityKeyIdentifier with keyIdentifier in every certificate that
 *     is not self-issued (anchors too), never critical; subjectKeyIdentifier
 *     in every CA, never critical;
 *   - a CA (cA=TRUE) has a critical basicConstraints and a non-empty
 *     subject; keyCertSign only with cA=TRUE;
 *   - an empty subject needs a critical subjectAltName, a non-empty one a
 *     non-critical subjectAltName (when present); extKeyUsage never critical;
 *   - policyConstraints and inhibitAnyPolicy critical (not checked on
 *     anchors, whose policy extensions are input);
 *   - RSA moduli a multiple of 8 bits;
 *   - the leaf: no anyExtendedKeyUsage, and no cA=TRUE with a keyUsage
 *     lacking keyCertSign (a CA certificate with keyCertSign may be the
 *     leaf, as RFC 5280 allows);
 *   - a self-issued anchor: no extKeyUsage, and an authorityKeyIdentifier
 *     (if any) holding only its own keyIdentifier.
 * A profile violation is TERN_ERR_CERT_BAD with a sentence naming the rule.
 * The anchor's own signature is not checked (it is input to the
 * validation, RFC 5280 §6.1.1 (d)); its basicConstraints, keyUsage and
 * pathLenConstraint, when it has them (v3), are honoured.
 * The rules' cases and the deliberate differences from x509-limbo's
 * expectations are in vectors/x509-limbo/expectations.txt.
 *
 * Then the path: issuer/subject name chaining (names compared by RFC 5280
 * §7.1, tern_x509_name_eq), the signature (RSA PKCS#1 v1.5 with
 * SHA-256/384/512, RSA-PSS; SHA-1 and MD5 refused; ECDSA with a P-256 or
 * P-384 issuer key), RSA keys >= 2048 bits; on issuers: basicConstraints
 * cA, pathLenConstraint, keyUsage keyCertSign when keyUsage is present,
 * extKeyUsage (when present) allowing the purpose, and nameConstraints
 * (RFC 5280 §4.2.1.10, lib/x509/nc.h) on DNS, IP, directory, e-mail and
 * URI names, applied to every certificate below the CA (never to the CN,
 * which is not a name; an excluded subtree also refuses a wildcard that
 * could name something in it): a violation is TERN_ERR_CERT_NAME,
 * malformed constraints (or any on a non-CA leaf) TERN_ERR_CERT_BAD, a
 * name of a constrained form tern cannot check TERN_ERR_CERT_UNSUPPORTED,
 * more than TERN_X509_NC_MAX_WORK comparisons TERN_ERR_CERT_CHAIN_TOO_LONG.
 * Certificate policies (RFC 5280 §6.1.2-§6.1.5, the policy inputs of
 * tern_x509_params) are processed on each path that reaches an anchor
 * (lib/x509/policy.c, docs/CERTIFICATES.md); the anchor's own policy
 * extensions are input, not processed.
 * On the leaf: extKeyUsage, when present, names the
 * purpose (serverAuth / clientAuth) and every purpose of params.eku
 * (anyExtendedKeyUsage does not stand for them); keyUsage, when present,
 * has every bit of params.key_usage (the TLS layer asks for the bit its
 * key exchange needs: lib/hs_certificate.c, lib/hs_client_certificate.c);
 * for TLS servers, no subject commonName that re-spells a name of its
 * subjectAltName (an IP address in another notation, a DNS name in other
 * letter case: CA/B BR §7.1.4.3 asks for a character-for-character copy;
 * TERN_ERR_CERT_BAD); and every name of params.names (tern_x509_check_name:
 * no wildcard directly over a public suffix, lib/x509/psl.h).  params.max_depth
 * bounds the leaf and the intermediates that are not self-issued.  A leaf
 * that is itself in the trust store (a pinned self-signed certificate) is
 * trusted as a path of its own.
 */
#ifndef TERN_X509_VERIFY_H
#define TERN_X509_VERIFY_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/verify.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/x509/store.h"

#define TERN_X509_MAX_DEPTH 8       /* peer certificates in a path, leaf included */
#define TERN_X509_MAX_PEER_CERTS 16 /* certificates accepted from the peer */
#define TERN_X509_MAX_WORK 64       /* candidate issuers tried (each at most one signature check) */
#define TERN_X509_MAX_WORK_STR "64"

/* What the leaf is checked for. */
#define TERN_X509_PURPOSE_SERVER 1 /* extKeyUsage serverAuth (keyUsage: params.key_usage, which the
                                    * TLS layer sets to the bit its key exchange needs) */
#define TERN_X509_PURPOSE_CLIENT 2 /* extKeyUsage clientAuth (keyUsage: the TLS layer asks for
                                    * digitalSignature) */

typedef struct {
    int err;                /* 0 or TERN_ERR_CERT_* (also the return value) */
    char msg[256];          /* the sentence: "certificate 1 (CN=...) expired ..." */
    int failed_index;       /* peer certificate the error is about (-1: none/anchor) */
    tern_x509_key leaf_key; /* the leaf's public key, when err == 0 */
    int leaf_has_key_usage; /* the leaf's keyUsage, for the TLS layer's per-suite */
    unsigned leaf_key_usage; /* check (ECDHE_RSA needs digitalSignature) */
    size_t path_n;          /* peer certificates on the path (leaf first) */
    size_t path[TERN_X509_MAX_DEPTH]; /* their indices in the peer's list */
    const tern_trust_anchor *anchor;  /* the anchor that ends the path */
} tern_x509_result;

/* CRL checking (lib/x509/crl.c, RFC 5280 §6.3): whether a certificate
 * whose issuer has no usable CRL in the trust store is refused. */
#define TERN_X509_CRL_OFF 0        /* CRLs are not consulted */
#define TERN_X509_CRL_IF_PRESENT 1 /* a CRL that is present is applied; none is no refusal */
#define TERN_X509_CRL_REQUIRE 2    /* every certificate on the path needs a current CRL */

/* What a chain is verified for.  Zero everything, then set purpose and
 * now: the zero value of every other field is the default. */
typedef struct {
    int purpose;                /* TERN_X509_PURPOSE_SERVER or TERN_X509_PURPOSE_CLIENT */
    int64_t now;                /* Unix seconds, the clock validity is checked against */
    const char *const *names;   /* expected identities (DNS names or IP addresses), */
    size_t n_names;             /* each of which the leaf must carry; 0: no name check */
    size_t max_depth;           /* the leaf and the intermediates that are not self-issued, at most
                                 * (x509-limbo's max_chain_depth + 1); 0 or more than
                                 * TERN_X509_MAX_DEPTH: TERN_X509_MAX_DEPTH */
    unsigned key_usage;         /* TERN_X509_KU_* bits the leaf's keyUsage must have, if it has one */
    unsigned eku;               /* TERN_X509_EKU_* purposes the leaf's extKeyUsage must name, if it has
                                 * one, beyond the purpose's */
    int crl_mode;               /* TERN_X509_CRL_* (the CRLs are those of the trust store) */
    /* Certificate policies (RFC 5280 §6.1.1 (c), (e), (f), (g)). */
    const tern_span *policies;  /* user-initial-policy-set: OID contents; none means anyPolicy */
    size_t n_policies;
    int require_explicit_policy;
    int inhibit_policy_mapping;
    int inhibit_any_policy;
} tern_x509_params;

/* Verify the peer's certificate list against the trust store for p
 * (returns and res as tern_x509_verify_chain below). */
TERN_MUST_CHECK int tern_x509_verify(const tern_truststore *ts, const uint8_t *const *certs, const size_t *lens,
                                     size_t n, const tern_x509_params *p, tern_x509_result *res);

/* Verify the peer's certificate list against the trust store.
 *   certs/lens/n  the peer's DER certificates, leaf first (n >= 1);
 *   name_or_ip    the expected identity, or NULL to skip the name check;
 *   purpose       TERN_X509_PURPOSE_SERVER or TERN_X509_PURPOSE_CLIENT;
 *   now           Unix seconds, the clock to check validity against;
 *   res           the result (always filled).
 * Returns 0 (res->leaf_key ready) or a negative error, also in res->err:
 *   TERN_ERR_NO_CERTIFICATE       n == 0;
 *   TERN_ERR_CERT_BAD             the leaf is malformed (others that do
 *                                 not parse are skipped), or a certificate
 *                                 of the path or its anchor breaks the
 *                                 profile above;
 *   TERN_ERR_CERT_UNKNOWN_CA      no path to an anchor;
 *   TERN_ERR_CERT_EXPIRED         a certificate or the anchor outside its
 *                                 validity period;
 *   TERN_ERR_CERT_SIGNATURE       a signature does not verify;
 *   TERN_ERR_CERT_UNSUPPORTED     refused or unsupported algorithm or key size;
 *   TERN_ERR_CERT_NOT_CA          an issuer without cA or keyCertSign;
 *   TERN_ERR_CERT_PATH_LEN        pathLenConstraint exceeded;
 *   TERN_ERR_CERT_PURPOSE         the leaf's extKeyUsage forbids the purpose, or
 *                                 its keyUsage/extKeyUsage lack what params ask;
 *   TERN_ERR_CERT_CRITICAL_EXT    an unknown critical extension (anchors too);
 *   TERN_ERR_CERT_POLICY          no acceptable certificate policy (RFC 5280
 *                                 §6.1.5 (g)), a policy mapped to or from
 *                                 anyPolicy, or policy processing over its bound;
 *   TERN_ERR_CERT_NAME            the leaf is not for name_or_ip;
 *   TERN_ERR_CERT_CHAIN_TOO_LONG  more than max_depth / TERN_X509_MAX_DEPTH needed,
 *                                 more than TERN_X509_MAX_PEER_CERTS sent, or
 *                                 the TERN_X509_MAX_WORK budget ran out;
 *   TERN_ERR_CERT_REVOKED         (tern_x509_verify with crl_mode) a certificate
 *                                 on the path is on its issuer's CRL;
 *   TERN_ERR_CERT_REVOCATION_UNKNOWN  no usable CRL (docs/CERTIFICATES.md);
 *   TERN_ERR_INVALID_ARG          bad arguments. */
TERN_MUST_CHECK int tern_x509_verify_chain(const tern_truststore *ts, const uint8_t *const *certs, const size_t *lens,
                                           size_t n, const char *name_or_ip, int purpose, int64_t now,
                                           tern_x509_result *res);

/* Verify that `issuer_key`'s holder signed tbs with sig_alg (used by path
 * validation; exposed for tests).  Returns 0, TERN_ERR_CERT_SIGNATURE or
 * TERN_ERR_CERT_UNSUPPORTED (msg, if not NULL, says why). */
TERN_MUST_CHECK int tern_x509_check_signature(const tern_x509_cert *issuer, const tern_x509_cert *subject, char *msg,
                                              size_t cap);

#endif
