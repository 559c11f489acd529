/*
 * OCSP responses (RFC 6960): parse a DER OCSPResponse and decide what it
 * says about one certificate, for the stapled responses of TLS (RFC 6066 §8
 * status_request; the handshake code is the caller).  No requests are made
 * here and nothing is fetched.
 *
 * What is parsed (strict DER, RFC 6960 §4.2.1; anything else is refused):
 *   OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED,
 *       responseBytes [0] EXPLICIT SEQUENCE { responseType OID, response OCTET STRING } OPTIONAL }
 *   BasicOCSPResponse ::= SEQUENCE { tbsResponseData ResponseData,
 *       signatureAlgorithm AlgorithmIdentifier, signature BIT STRING,
 *       certs [0] EXPLICIT SEQUENCE OF Certificate OPTIONAL }
 *   ResponseData ::= SEQUENCE { version [0] EXPLICIT INTEGER DEFAULT v1 (only v1),
 *       responderID CHOICE { byName [1] Name, byKey [2] KeyHash }, producedAt GeneralizedTime,
 *       responses SEQUENCE OF SingleResponse, responseExtensions [1] EXPLICIT Extensions OPTIONAL }
 *   SingleResponse ::= SEQUENCE { certID CertID, certStatus CHOICE { good [0] NULL,
 *       revoked [1] RevokedInfo, unknown [2] NULL }, thisUpdate GeneralizedTime,
 *       nextUpdate [0] EXPLICIT GeneralizedTime OPTIONAL, singleExtensions [1] EXPLICIT Extensions OPTIONAL }
 *   CertID ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier (SHA-1 or SHA-256),
 *       issuerNameHash OCTET STRING, issuerKeyHash OCTET STRING, serialNumber INTEGER }
 *   RevokedInfo ::= SEQUENCE { revocationTime GeneralizedTime,
 *       revocationReason [0] EXPLICIT CRLReason OPTIONAL }
 *
 * Who may sign (RFC 6960 §4.2.2.2): the issuer of the certificate itself,
 * or a delegated responder whose certificate is in the response's certs,
 * was issued and signed by that issuer, carries extKeyUsage
 * id-kp-OCSPSigning, and is valid at now.  A local trusted responder (a key
 * configured out of band) is not supported.  The responder's own
 * revocation is not checked (id-pkix-ocsp-nocheck is what RFC 6960
 * §4.2.2.2.1 lets a CA say; tern treats every delegated responder that way,
 * as browsers do, and says so in docs/CERTIFICATES.md).
 *
 * Times: thisUpdate may be at most TERN_OCSP_SKEW seconds after now;
 * nextUpdate, when present, at most TERN_OCSP_SKEW seconds before it.  A
 * response without nextUpdate (RFC 6960 §4.2.2.1: "newer information is
 * always available") is accepted while thisUpdate is not older than
 * TERN_OCSP_MAX_AGE.
 */
#ifndef TERN_X509_OCSP_H
#define TERN_X509_OCSP_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/ocsp.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/x509/x509.h"

/* certStatus (RFC 6960 §4.2.1). */
#define TERN_OCSP_GOOD 0
#define TERN_OCSP_REVOKED 1
#define TERN_OCSP_UNKNOWN 2

/* Seconds of clock difference allowed between the responder and us on
 * thisUpdate and nextUpdate (five minutes, as for certificates elsewhere). */
#define TERN_OCSP_SKEW 300

/* The oldest thisUpdate accepted in a response that has no nextUpdate
 * (seven days, the longest validity the CA/Browser Forum Baseline
 * Requirements §4.9.10 allow a response). */
#define TERN_OCSP_MAX_AGE (7 * 86400)

typedef struct {
    int cert_status;            /* TERN_OCSP_* of the SingleResponse for the certificate */
    int64_t produced_at, this_update, next_update; /* Unix seconds; next_update 0 when absent */
    int64_t revocation_time;    /* when REVOKED */
    int revocation_reason;      /* CRLReason 0..10, or -1 when absent */
    int delegated;              /* signed by a delegated responder (1) or the issuer itself (0) */
    char serial_hex[48];        /* the certificate's serial, for sentences */
} tern_ocsp_info;

/* Parse the DER OCSPResponse (RFC 6960 §4.2.1) and check it for `cert`,
 * issued by `issuer`, at `now` (Unix seconds): responseStatus successful,
 * responseType id-pkix-ocsp-basic, the SingleResponse whose CertID (SHA-1
 * or SHA-256) matches cert/issuer, thisUpdate <= now + skew,
 * now - skew <= nextUpdate (when present), the signature by the issuer's
 * key or by a delegated responder certificate included in the response
 * (issued and signed by `issuer`, extKeyUsage id-kp-OCSPSigning, valid at
 * now; see above for id-pkix-ocsp-nocheck).
 * Returns 0 with info filled when it is a valid response whose status is
 * GOOD; TERN_ERR_CERT_REVOKED (info filled) when REVOKED;
 * TERN_ERR_CERT_REVOCATION_UNKNOWN (info filled) when UNKNOWN;
 * TERN_ERR_OCSP_BAD for every other refusal.  msg (cap bytes, may be NULL)
 * gets a sentence in every non-zero case ("the stapled OCSP response says
 * the certificate (serial 1001) was revoked on 2025-06-01 00:00:00 UTC
 * (keyCompromise)"). info may be NULL. */
TERN_MUST_CHECK int tern_ocsp_check(const uint8_t *der, size_t len, const tern_x509_cert *cert,
                                    const tern_x509_cert *issuer, int64_t now, tern_ocsp_info *info,
                                    char *msg, size_t cap);

/* The CRLReason name (RFC 5280 §5.3.1) for a revocation_reason:
 * "keyCompromise" ..., "no reason given" for -1. */
const char *tern_ocsp_reason_name(int reason);

#endif
