/*
 * Certificate revocation lists (RFC 5280 §5) and the parts of the CRL
 * processing of RFC 5280 §6.3 a TLS verifier needs: is this CRL one the
 * issuer of a certificate signed, is it current, and is the certificate on
 * it.  Path validation (lib/x509/verify.c) finds the CRLs of each issuer on
 * a path in the trust store (lib/x509/store.c) and calls these.
 *
 * What is parsed (strict DER, as certificates):
 *   CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue }
 *   TBSCertList ::= SEQUENCE { version INTEGER OPTIONAL (v2 = 1 when present),
 *       signature AlgorithmIdentifier (equal to the outer one, byte for byte),
 *       issuer Name, thisUpdate Time, nextUpdate Time OPTIONAL,
 *       revokedCertificates SEQUENCE OF SEQUENCE { userCertificate INTEGER,
 *           revocationDate Time, crlEntryExtensions Extensions OPTIONAL } OPTIONAL,
 *       crlExtensions [0] EXPLICIT Extensions OPTIONAL }
 * Extensions need v2 (§5.1.2.1); a v1 CRL without them is accepted.  Times
 * follow the certificate rules (lib/x509/der.c, §5.1.2.4 - §5.1.2.6).
 *
 * Understood CRL extensions: authorityKeyIdentifier (§5.2.1),
 * cRLNumber (§5.2.3: required in a v2 CRL, and not critical; a v1 CRL
 * has no extensions at all and is accepted without one).  Refused, with a sentence saying so: deltaCRLIndicator
 * (§5.2.4, delta CRLs), issuingDistributionPoint (§5.2.5: indirect and
 * partitioned CRLs, whose scope tern does not check), and any other
 * critical extension.  Entry extensions: reasonCode (§5.3.1) is kept,
 * invalidityDate is ignored; certificateIssuer (§5.3.3, only in indirect
 * CRLs) and any other critical entry extension make the CRL refused.
 * Refused CRLs never reach the trust store: loading says why.
 *
 * Not supported (documented in docs/CERTIFICATES.md): delta and indirect
 * CRLs, CRLs signed by another key of the issuer than the one that signed
 * the certificate (key rollover through self-issued certificates,
 * §6.3.3 (f)), fetching CRLs from cRLDistributionPoints.
 */
#ifndef TERN_X509_CRL_H
#define TERN_X509_CRL_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/crl.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/x509/x509.h"

/* reasonCode values (RFC 5280 §5.3.1); TERN_CRL_REASON_NONE when absent. */
#define TERN_CRL_REASON_NONE (-1)

typedef struct {
    tern_span serial;      /* userCertificate INTEGER content (minimal two's complement) */
    int64_t date;          /* revocationDate, Unix seconds */
    int reason;            /* reasonCode or TERN_CRL_REASON_NONE */
} tern_crl_entry;

typedef struct {
    tern_span der;         /* the whole CertificateList */
    tern_span tbs;         /* TBSCertList TLV: the signed bytes */
    int version;           /* 1 or 2 */
    tern_x509_sigalg sig_alg;
    tern_span signature;   /* signatureValue bytes */
    tern_span issuer;      /* Name TLV */
    int64_t this_update;
    int has_next_update;
    int64_t next_update;
    int has_aki;
    tern_span aki;         /* authorityKeyIdentifier keyIdentifier bytes */
    int has_number;
    tern_span number;      /* cRLNumber INTEGER content */
    tern_crl_entry *entries; /* malloc'd, sorted by serial (length, then bytes) */
    size_t n_entries;
} tern_crl;

/* Most revoked entries accepted in one CRL (a bound on the memory a file
 * can make tern allocate: 40 bytes an entry). */
#define TERN_CRL_MAX_ENTRIES (1u << 22)

/* Parse one DER CertificateList; crl points into der afterwards (der must
 * outlive it) and owns a malloc'd entry array (tern_crl_free).  Returns 0,
 * TERN_ERR_CERT_BAD (malformed), TERN_ERR_UNSUPPORTED (a delta or indirect
 * CRL, an unknown critical extension ...), TERN_ERR_LIMIT or
 * TERN_ERR_NOMEM; why (cap bytes, may be NULL) gets the reason as the end
 * of a sentence ("has a critical cRLNumber, which RFC 5280 §5.2.3 forbids"). */
TERN_MUST_CHECK int tern_crl_parse(tern_crl *crl, const uint8_t *der, size_t len, char *why, size_t cap);
void tern_crl_free(tern_crl *crl);

/* Why the CRL cannot vouch for the certificates `issuer` issued at now
 * (RFC 5280 §6.3.3 (b), (f), (g)): the issuer's keyUsage lacks cRLSign,
 * the signature does not verify with the issuer's key (or uses a refused
 * algorithm), thisUpdate is in the future, nextUpdate is past.  Returns 0
 * (usable) or a negative error with why (cap bytes) ending the sentence
 * "the CRL of <issuer> ..." (e.g. "is stale: its nextUpdate was ...").
 * TERN_ERR_CERT_EXPIRED for the times, TERN_ERR_CERT_SIGNATURE or
 * TERN_ERR_CERT_UNSUPPORTED for the signature, TERN_ERR_CERT_NOT_CA for
 * cRLSign. */
TERN_MUST_CHECK int tern_crl_usable(const tern_crl *crl, const tern_x509_cert *issuer, int64_t now, char *why,
                                    size_t cap);

/* The entry for this serial (INTEGER content bytes), or NULL. */
const tern_crl_entry *tern_crl_find(const tern_crl *crl, tern_span serial);

/* "keyCompromise" ... for a reasonCode; "unspecified (no reasonCode)" for
 * TERN_CRL_REASON_NONE. */
const char *tern_crl_reason_name(int reason);

/* A serial in upper-case hex, "2002" or "6B960CFA...", without the sign
 * byte of a positive serial (cut with "..." when cap is short). */
void tern_crl_format_serial(tern_span serial, char *out, size_t cap);

#endif
