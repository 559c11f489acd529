/*
 * X.509 certificates (RFC 5280 §4): parsing into a tern_x509_cert, the
 * subject public key, names for display, and the host name / IP check
 * (RFC 6125 as updated by RFC 9525).
 *
 * A parsed certificate points into the DER it was parsed from (nothing is
 * copied), so the DER must outlive it.  Parsing is strict DER and rejects
 * what does not parse as RFC 5280's ASN.1 (and malformed extensions tern
 * reads, authorityInfoAccess included); what is merely unsupported (an
 * unknown signature or key algorithm, an unknown critical extension) or
 * breaks the profile's rules on content (a zero serial, a missing
 * authorityKeyIdentifier, a critical subjectKeyIdentifier ...) parses, is
 * recorded (criticality included), and makes path validation fail with a
 * clear message (lib/x509/verify.h lists those rules), so a trust store
 * with one odd root still loads and the diagnostics can name the
 * certificate.
 */
#ifndef TERN_X509_X509_H
#define TERN_X509_X509_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/x509.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "crypto/rsa.h"
#include "lib/x509/der.h"

/* Signature algorithms (the certificate's signatureAlgorithm). */
typedef enum {
    TERN_X509_SIG_UNKNOWN = 0,
    TERN_X509_SIG_RSA_PKCS1,   /* sha{256,384,512}WithRSAEncryption: .hash set */
    TERN_X509_SIG_RSA_PSS,     /* RSASSA-PSS: .hash, .salt_len set (MGF1 with .hash) */
    TERN_X509_SIG_ECDSA,       /* ecdsa-with-SHA{256,384,512}: .hash set */
    TERN_X509_SIG_RSA_SHA1,    /* recognised in order to be refused */
    TERN_X509_SIG_RSA_MD5,     /* recognised in order to be refused */
    TERN_X509_SIG_ECDSA_SHA1   /* recognised in order to be refused */
} tern_x509_sig_type;

typedef struct {
    tern_x509_sig_type type;
    tern_hash_alg hash;        /* valid for RSA_PKCS1, RSA_PSS, ECDSA */
    unsigned salt_len;         /* RSA_PSS only */
    tern_span tlv;             /* the AlgorithmIdentifier DER */
} tern_x509_sigalg;

/* Public key types. */
typedef enum {
    TERN_X509_KEY_UNKNOWN = 0,
    TERN_X509_KEY_RSA,
    TERN_X509_KEY_EC
} tern_x509_key_type;

/* TLS NamedCurve numbers (RFC 8422 §5.1.1), so the TLS layer maps directly. */
#define TERN_X509_CURVE_P256 23
#define TERN_X509_CURVE_P384 24
#define TERN_X509_EC_MAX_POINT 97 /* uncompressed P-384 point: 04 || X || Y */

/* The SubjectPublicKeyInfo as parsed (views into the DER). */
typedef struct {
    tern_x509_key_type type;
    size_t bits;        /* RSA modulus bits, or curve size (256/384); 0 if unknown */
    tern_span rsa_n;    /* RSA: modulus magnitude (no leading zero byte) */
    tern_span rsa_e;    /* RSA: public exponent magnitude */
    int curve;          /* EC: TERN_X509_CURVE_*, or 0 for another curve */
    tern_span ec_point; /* EC: the uncompressed point (04 || X || Y) */
    tern_span spki;     /* the whole SubjectPublicKeyInfo DER */
} tern_x509_spki;

/* A public key loaded for use (for ServerKeyExchange / CertificateVerify). */
typedef struct {
    tern_x509_key_type type;
    size_t bits;
    tern_rsa_public rsa;                      /* when type == RSA */
    int curve;                                /* when type == EC */
    uint8_t ec_point[TERN_X509_EC_MAX_POINT]; /* when type == EC: 04 || X || Y */
    size_t ec_point_len;
} tern_x509_key;

/* keyUsage bits (RFC 5280 §4.2.1.3), as the BIT STRING numbers them. */
#define TERN_X509_KU_DIGITAL_SIGNATURE (1u << 0)
#define TERN_X509_KU_NON_REPUDIATION (1u << 1)
#define TERN_X509_KU_KEY_ENCIPHERMENT (1u << 2)
#define TERN_X509_KU_DATA_ENCIPHERMENT (1u << 3)
#define TERN_X509_KU_KEY_AGREEMENT (1u << 4)
#define TERN_X509_KU_KEY_CERT_SIGN (1u << 5)
#define TERN_X509_KU_CRL_SIGN (1u << 6)
#define TERN_X509_KU_ENCIPHER_ONLY (1u << 7)
#define TERN_X509_KU_DECIPHER_ONLY (1u << 8)

/* extKeyUsage purposes we recognise (RFC 5280 §4.2.1.12). */
#define TERN_X509_EKU_SERVER_AUTH (1u << 0)
#define TERN_X509_EKU_CLIENT_AUTH (1u << 1)
#define TERN_X509_EKU_ANY (1u << 2)
#define TERN_X509_EKU_OTHER (1u << 3)
/* id-kp-OCSPSigning (RFC 6960 §4.2.2.2): set together with
 * TERN_X509_EKU_OTHER, which it is for every purpose but OCSP. */
#define TERN_X509_EKU_OCSP_SIGNING (1u << 4)

/* The TLS extension type that RFC 7633 must-staple lists (status_request,
 * RFC 6066 §8). */
#define TERN_X509_TLS_FEATURE_STATUS_REQUEST 5

typedef struct {
    tern_span der;             /* the whole Certificate */
    tern_span tbs;             /* TBSCertificate TLV: the signed bytes */
    int version;               /* 1, 2 or 3 */
    tern_span serial;          /* serialNumber INTEGER content (two's complement, minimal, at
                                  most 21 octets; its sign and size are profile checks) */
    tern_x509_sigalg sig_alg;  /* outer signatureAlgorithm (== the TBS one, checked) */
    tern_span issuer;          /* Name TLV, compared by tern_x509_name_eq */
    tern_span subject;         /* Name TLV */
    int64_t not_before;        /* Unix seconds */
    int64_t not_after;
    tern_x509_spki key;
    tern_span signature;       /* signatureValue bytes */

    /* Extensions (has_* is 1 when the extension is present). */
    int has_basic_constraints;
    int is_ca;                 /* basicConstraints cA */
    int has_path_len;
    unsigned path_len;         /* pathLenConstraint, when has_path_len */
    int has_key_usage;
    unsigned key_usage;        /* TERN_X509_KU_* */
    int has_eku;
    unsigned eku;              /* TERN_X509_EKU_* */
    int has_san;
    tern_span san;             /* GeneralNames content (checked at parse) */
    size_t san_dns_count, san_ip_count;
    int has_ski, has_aki;
    tern_span ski;             /* subjectKeyIdentifier bytes */
    tern_span aki;             /* authorityKeyIdentifier keyIdentifier bytes */
    int has_name_constraints;  /* nameConstraints present (lib/x509/nc.h) */
    tern_span name_constraints; /* its NameConstraints SEQUENCE content */
    unsigned nc_forms;         /* bit n: a subtree on GeneralName form [n] */
    size_t nc_subtrees;        /* permitted + excluded subtrees */
    const char *nc_bad;        /* NULL, or what is malformed in them (refused as an issuer) */
    tern_span nc_bad_base;     /* the malformed base's content, when there is one */
    uint8_t nc_bad_tag;        /* and its GeneralName tag */
    /* Certificate policy extensions (RFC 5280 §4.2.1.4, .5, .11, .14):
     * the extnValue contents, interpreted by path validation. */
    int has_policies, has_policy_mappings, has_policy_constraints, has_inhibit_any;
    tern_span policies, policy_mappings, policy_constraints, inhibit_any;
    int policies_critical;
    /* Criticality and fields the profile checks of path validation read
     * (verify.h): RFC 5280 §4.2.1.1, .2, .6, .9, .12 and the CA/Browser
     * Forum Baseline Requirements §7.1.2 say which are allowed where. */
    int has_aki_ext;           /* authorityKeyIdentifier present (has_aki: with keyIdentifier) */
    int aki_issuer_serial;     /* it carries authorityCertIssuer or authorityCertSerialNumber */
    int bc_critical, ku_critical, eku_critical, san_critical, ski_critical, aki_critical;
    int pc_critical, inhibit_any_critical; /* policyConstraints, inhibitAnyPolicy */
    int has_aia;               /* authorityInfoAccess (its shape checked at parse) */
    /* TLS Feature (RFC 7633 §4.2, id-pe-tlsfeature 1.3.6.1.5.5.7.1.24):
     * Features ::= SEQUENCE OF INTEGER, each a TLS extension type
     * (0..65535, else the certificate is malformed). */
    int has_tls_feature;
    int must_staple;           /* the features list status_request (5) */
    int ocsp_nocheck;          /* id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1) present */
    int unknown_critical;      /* an unrecognised extension marked critical */
    tern_span unknown_critical_oid;
} tern_x509_cert;

/* Parse one DER certificate.  c points into der afterwards.  Returns 0,
 * TERN_ERR_CERT_BAD (malformed: not DER, wrong structure, bad time, a
 * duplicated extension, signature algorithms that differ ...). */
TERN_MUST_CHECK int tern_x509_parse(tern_x509_cert *c, const uint8_t *der, size_t len);

/* 1 if c is self-issued (issuer and subject equal by tern_x509_name_eq). */
int tern_x509_self_issued(const tern_x509_cert *c);

/* Load the certificate's public key for use.  RSA keys must be within
 * TERN_RSA_MIN_BITS..TERN_RSA_MAX_BITS; EC keys on P-256 or P-384.
 * Returns 0, TERN_ERR_CERT_UNSUPPORTED (other key type/curve/size), or
 * TERN_ERR_BAD_KEY (a malformed key). */
TERN_MUST_CHECK int tern_x509_key_load(const tern_x509_cert *c, tern_x509_key *k);

/* A Name (DER) for people, RFC 4514 order ("CN=Test Intermediate, O=tern
 * test, C=XX").  Non-printable bytes are shown as \XX; a name too long for
 * out ends in "...".  Never fails: a malformed name prints "(bad name)".
 * cap must be at least 16. */
void tern_x509_name_display(tern_span name, char *out, size_t cap);
/* The first commonName value in a Name (DER), with its string tag in *tag
 * (if not NULL); an empty span {NULL, 0} when there is none. */
tern_span tern_x509_name_cn(tern_span name, uint8_t *tag);
/* A short label for a certificate in messages: "CN=..." when the subject
 * has a common name, "DNS:<first dNSName>" when the subject is empty, else
 * the whole subject display. */
void tern_x509_cert_label(const tern_x509_cert *c, char *out, size_t cap);

/* The name check (RFC 9525 §6): is the certificate for this reference
 * identity?  name is a DNS name (optionally with one trailing dot) or an IP
 * literal (dotted IPv4 or RFC 4291 IPv6 text, optionally in brackets).
 *   - DNS names match subjectAltName dNSName entries case-insensitively;
 *     "*" is allowed only as the whole left-most label, matches exactly one
 *     label, needs at least two labels after it, and never matches an IP;
 *     a wildcard directly over a public suffix of the Public Suffix List
 *     ("*.co.uk", "*.s3.amazonaws.com": lib/x509/psl.h) matches nothing,
 *     and the sentence says so when it would have matched.
 *   - IP literals match iPAddress entries only (4 or 16 bytes).
 *   - The subject CN is never used (RFC 9525 §6): a certificate without
 *     subjectAltName matches no name.
 * Returns 0, or TERN_ERR_CERT_NAME with msg (cap bytes) saying what was
 * expected and what the certificate holds. */
TERN_MUST_CHECK int tern_x509_check_name(const tern_x509_cert *c, const char *name, char *msg, size_t cap);

/* Distinguished names compared by RFC 5280 §7.1: RDN by RDN, each RDN as
 * a set of attributes; PrintableString and UTF8String values as text with
 * leading/trailing white space removed, inner runs folded to one space and
 * ASCII case folded (no Unicode folding); other value types byte for byte.
 * Both take Name TLVs; a malformed name equals only its own bytes. */
int tern_x509_name_eq(tern_span a, tern_span b);
/* A 32-bit key of a Name, equal for names tern_x509_name_eq finds equal
 * (for fast lookups: different keys mean different names). */
uint32_t tern_x509_name_key(tern_span name);
/* 1 if base's RDNs are the first RDNs of name (RFC 5280 §4.2.1.10
 * directoryName subtrees); an empty base covers every name. */
int tern_x509_name_within(tern_span name, tern_span base);

/* An iPAddress value as text: dotted IPv4, or IPv6 in the RFC 5952 §4
 * form (lower case, the longest run of zero groups as "::"); another
 * length as "(N bytes)".  cap must be at least 48. */
void tern_x509_format_ip(const uint8_t *ip, size_t n, char *out, size_t cap);

/* Parse an IP literal: returns 4 or 16 and fills out, or 0 if s is not one. */
int tern_x509_parse_ip(const char *s, uint8_t out[16]);

/* For other signed X.509 structures (CRLs, lib/x509/crl.c): an
 * AlgorithmIdentifier of a signature, parsed as a certificate's; and the
 * checks a certificate's Name gets.  Return 0 or TERN_ERR_CERT_BAD. */
TERN_MUST_CHECK int tern_x509_parse_sig_alg(tern_reader *r, tern_x509_sigalg *s);
TERN_MUST_CHECK int tern_x509_name_check(tern_span name_tlv);

#endif
