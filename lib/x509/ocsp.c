/*
 * OCSP responses (RFC 6960 §4.2): parse a BasicOCSPResponse strictly and
 * decide what it says about one certificate.  See ocsp.h for the grammar
 * accepted and the rules on signers and times.
 *
 * Order of the checks: the whole response must parse first (every
 * SingleResponse and extension, nothing after the outer SEQUENCE); then who
 * signed it and whether the signature verifies (nothing in an unverified
 * response is believed); then the SingleResponse for this certificate; then
 * its times; last the status.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/ocsp.h"

#include <stdarg.h>
#include <stdio.h>

#include "crypto/sha2.h"
#include "lib/x509/crl.h"
#include "lib/x509/oid.h"
#include "lib/x509/verify.h"

/* id-pkix-ocsp-basic, 1.3.6.1.5.5.7.48.1.1 (RFC 6960 §4.2.1). */
static const uint8_t oid_ocsp_basic[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
/* id-sha1, 1.3.14.3.2.26 (RFC 3279 §2.2.1): the CertID hash of RFC 6960 §4.1.1. */
static const uint8_t oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};

#define TAG_ENUMERATED 0x0a

/* Most certificates accepted in BasicOCSPResponse.certs: a responder sends
 * its own, sometimes with its issuer; more is not a response a TLS server
 * should staple. */
#define MAX_CERTS 4
/* Most extensions in one Extensions list (each is compared with the others
 * for duplicates). */
#define MAX_EXTS 16

static void say(char *msg, size_t cap, const char *fmt, ...) {
    if (msg == NULL || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, cap, fmt, ap);
    va_end(ap);
}

/* ENUMERATED with a small non-negative value (X.690 §8.4: encoded as an
 * INTEGER; every OCSP enumeration is below 128, so one content byte). */
static int read_enum(tern_reader *r, unsigned *v) {
    tern_der_elem e;
    TERN_TRY(tern_der_expect_elem(r, TAG_ENUMERATED, &e));
    TERN_ENSURE(e.content.len == 1 && e.content.p[0] < 0x80, TERN_ERR_DECODE);
    *v = e.content.p[0];
    return 0;
}

/* GeneralizedTime only (RFC 6960 §4.2.1 uses no UTCTime), in the RFC 5280
 * form tern_der_time_parse accepts (no fractions of a second). */
static int read_gtime(tern_reader *r, int64_t *t) {
    tern_der_elem e;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_GENERALIZED_TIME, &e));
    return tern_der_time_parse(e.tag, e.content, t);
}

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension (RFC 5280 §4.1).  No
 * OCSP extension changes what tern decides (the nonce is for requests tern
 * does not make), so each is checked for shape and a critical one refuses
 * the response (RFC 6960 §4.4: unrecognised critical extensions). */
static int read_extensions(tern_reader *explicit_content, int *critical_seen) {
    tern_reader seq;
    tern_span seen[MAX_EXTS];
    size_t n = 0;
    TERN_TRY(tern_der_expect(explicit_content, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(explicit_content));
    TERN_ENSURE(tern_rd_left(&seq) > 0, TERN_ERR_DECODE);
    while (tern_rd_left(&seq)) {
        tern_reader ext;
        tern_span oid, value;
        int critical = 0;
        TERN_TRY(tern_der_expect(&seq, TERN_DER_SEQUENCE, &ext));
        TERN_TRY(tern_der_oid(&ext, &oid));
        if (tern_rd_left(&ext) && ext.p[0] == TERN_DER_BOOLEAN) {
            TERN_TRY(tern_der_bool(&ext, &critical));
            TERN_ENSURE(critical, TERN_ERR_DECODE); /* DER: DEFAULT FALSE is omitted */
        }
        TERN_TRY(tern_der_octet_string(&ext, &value));
        TERN_TRY(tern_rd_end(&ext));
        TERN_ENSURE(n < MAX_EXTS, TERN_ERR_DECODE);
        for (size_t i = 0; i < n; i++)
            TERN_ENSURE(!tern_span_eq(seen[i], oid), TERN_ERR_DECODE);
        seen[n++] = oid;
        if (critical)
            *critical_seen = 1;
    }
    return 0;
}

/* The CertID of the certificate asked about, for both hashes. */
typedef struct {
    uint8_t name_sha1[TERN_SHA1_LEN], key_sha1[TERN_SHA1_LEN];
    uint8_t name_sha256[TERN_SHA256_LEN], key_sha256[TERN_SHA256_LEN];
    tern_span serial;
} cert_id;

/* The subjectPublicKey BIT STRING's value (without the unused-bits byte):
 * what issuerKeyHash and the byKey ResponderID hash (RFC 6960 §4.1.1,
 * §4.2.1). */
static int spk_bits(const tern_x509_cert *c, tern_span *bits) {
    tern_reader r, spki;
    tern_der_elem alg;
    tern_rd_init(&r, c->key.spki.p, c->key.spki.len);
    TERN_TRY(tern_der_expect(&r, TERN_DER_SEQUENCE, &spki));
    TERN_TRY(tern_der_expect_elem(&spki, TERN_DER_SEQUENCE, &alg));
    TERN_TRY(tern_der_bit_string_bytes(&spki, bits));
    return tern_rd_end(&spki);
}

/* One parsed SingleResponse. */
typedef struct {
    int matches;            /* its CertID is the certificate's */
    int status;             /* TERN_OCSP_* */
    int64_t revocation_time;
    int reason;
    int64_t this_update, next_update;
    int has_next_update;
    int critical_ext;
    tern_span serial;
} single;

/* CertID ::= SEQUENCE { hashAlgorithm, issuerNameHash, issuerKeyHash,
 * serialNumber } (RFC 6960 §4.1.1).  Another hash than SHA-1 or SHA-256 is
 * refused (it cannot match what tern computes, so it is not guessed at). */
static int read_cert_id(tern_reader *r, const cert_id *want, single *s) {
    tern_reader id, alg;
    tern_span oid, name_hash, key_hash;
    tern_der_elem serial;
    TERN_TRY(tern_der_expect(r, TERN_DER_SEQUENCE, &id));
    TERN_TRY(tern_der_expect(&id, TERN_DER_SEQUENCE, &alg));
    TERN_TRY(tern_der_oid(&alg, &oid));
    if (tern_rd_left(&alg))
        TERN_TRY(tern_der_null(&alg));
    TERN_TRY(tern_rd_end(&alg));
    TERN_TRY(tern_der_octet_string(&id, &name_hash));
    TERN_TRY(tern_der_octet_string(&id, &key_hash));
    TERN_TRY(tern_der_expect_elem(&id, TERN_DER_INTEGER, &serial));
    TERN_TRY(tern_rd_end(&id));
    /* INTEGER: minimal two's complement, at most 20 octets of magnitude
     * (RFC 5280 §4.1.2.2, 21 bytes with a sign byte). */
    const tern_span sv = serial.content;
    TERN_ENSURE(sv.len >= 1 && sv.len <= 21, TERN_ERR_DECODE);
    if (sv.len > 1)
        TERN_ENSURE(!(sv.p[0] == 0x00 && !(sv.p[1] & 0x80)) && !(sv.p[0] == 0xff && (sv.p[1] & 0x80)),
                    TERN_ERR_DECODE);
    s->serial = sv;
    const uint8_t *wn, *wk;
    size_t hl;
    if (TERN_DER_OID_EQ(oid, oid_sha1)) {
        wn = want->name_sha1, wk = want->key_sha1, hl = TERN_SHA1_LEN;
    } else if (TERN_DER_OID_EQ(oid, tern_oid_sha256)) {
        wn = want->name_sha256, wk = want->key_sha256, hl = TERN_SHA256_LEN;
    } else {
        return TERN_ERR_UNSUPPORTED;
    }
    TERN_ENSURE(name_hash.len == hl && key_hash.len == hl, TERN_ERR_DECODE);
    s->matches = memcmp(name_hash.p, wn, hl) == 0 && memcmp(key_hash.p, wk, hl) == 0 &&
                 tern_span_eq(sv, want->serial);
    return 0;
}

/* SingleResponse (RFC 6960 §4.2.1). */
static int read_single(tern_reader *r, const cert_id *want, single *s) {
    tern_reader sr, f;
    tern_der_elem st;
    int present;
    memset(s, 0, sizeof *s);
    s->reason = -1;
    TERN_TRY(tern_der_expect(r, TERN_DER_SEQUENCE, &sr));
    TERN_TRY(read_cert_id(&sr, want, s));
    TERN_TRY(tern_der_next(&sr, &st));
    if (st.tag == TERN_DER_CTX_PRIM(0) || st.tag == TERN_DER_CTX_PRIM(2)) {
        /* good [0] IMPLICIT NULL, unknown [2] IMPLICIT UnknownInfo (NULL) */
        TERN_ENSURE(st.content.len == 0, TERN_ERR_DECODE);
        s->status = st.tag == TERN_DER_CTX_PRIM(0) ? TERN_OCSP_GOOD : TERN_OCSP_UNKNOWN;
    } else if (st.tag == TERN_DER_CTX_CONS(1)) {
        /* revoked [1] IMPLICIT RevokedInfo ::= SEQUENCE { revocationTime
         * GeneralizedTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL } */
        tern_reader ri, rr;
        tern_rd_init(&ri, st.content.p, st.content.len);
        TERN_TRY(read_gtime(&ri, &s->revocation_time));
        TERN_TRY(tern_der_optional(&ri, TERN_DER_CTX_CONS(0), &rr, &present));
        if (present) {
            unsigned reason;
            TERN_TRY(read_enum(&rr, &reason));
            TERN_TRY(tern_rd_end(&rr));
            /* CRLReason (RFC 5280 §5.3.1): 0..10, 7 is not used. */
            TERN_ENSURE(reason <= 10 && reason != 7, TERN_ERR_DECODE);
            s->reason = (int)reason;
        }
        TERN_TRY(tern_rd_end(&ri));
        s->status = TERN_OCSP_REVOKED;
    } else {
        return TERN_ERR_DECODE;
    }
    TERN_TRY(read_gtime(&sr, &s->this_update));
    TERN_TRY(tern_der_optional(&sr, TERN_DER_CTX_CONS(0), &f, &present));
    if (present) {
        TERN_TRY(read_gtime(&f, &s->next_update));
        TERN_TRY(tern_rd_end(&f));
        s->has_next_update = 1;
    }
    TERN_TRY(tern_der_optional(&sr, TERN_DER_CTX_CONS(1), &f, &present));
    if (present)
        TERN_TRY(read_extensions(&f, &s->critical_ext));
    return tern_rd_end(&sr);
}

/* Everything read from the response before it is believed. */
typedef struct {
    tern_span tbs;              /* tbsResponseData TLV: the signed bytes */
    tern_x509_sigalg sig_alg;
    tern_span signature;
    int by_key;                 /* responderID byKey [2], else byName [1] */
    tern_span responder;        /* the Name TLV, or the SHA-1 key hash */
    int64_t produced_at;
    tern_span responses;        /* SEQUENCE OF SingleResponse content */
    int critical_ext;           /* responseExtensions has a critical one */
    tern_x509_cert certs[MAX_CERTS];
    size_t n_certs;
} basic;

/* BasicOCSPResponse (RFC 6960 §4.2.1), without the SingleResponses. */
static int read_basic(tern_span der, basic *b) {
    tern_reader r, br, rd, f, v;
    tern_der_elem tbs;
    int present;
    tern_rd_init(&r, der.p, der.len);
    TERN_TRY(tern_der_expect(&r, TERN_DER_SEQUENCE, &br));
    TERN_TRY(tern_rd_end(&r));
    TERN_TRY(tern_der_expect_elem(&br, TERN_DER_SEQUENCE, &tbs));
    b->tbs = tbs.tlv;
    TERN_TRY(tern_x509_parse_sig_alg(&br, &b->sig_alg));
    TERN_TRY(tern_der_bit_string_bytes(&br, &b->signature));
    TERN_TRY(tern_der_optional(&br, TERN_DER_CTX_CONS(0), &f, &present));
    if (present) {
        tern_reader list;
        TERN_TRY(tern_der_expect(&f, TERN_DER_SEQUENCE, &list));
        TERN_TRY(tern_rd_end(&f));
        while (tern_rd_left(&list)) {
            tern_der_elem c;
            TERN_ENSURE(b->n_certs < MAX_CERTS, TERN_ERR_LIMIT);
            TERN_TRY(tern_der_expect_elem(&list, TERN_DER_SEQUENCE, &c));
            TERN_TRY(tern_x509_parse(&b->certs[b->n_certs], c.tlv.p, c.tlv.len));
            b->n_certs++;
        }
    }
    TERN_TRY(tern_rd_end(&br));

    /* ResponseData: version [0] EXPLICIT DEFAULT v1.  DER leaves a DEFAULT
     * value out, and v1 is the only version, so [0] never appears. */
    tern_rd_init(&rd, tbs.content.p, tbs.content.len);
    uint8_t tag;
    TERN_TRY(tern_der_peek(&rd, &tag));
    TERN_ENSURE(tag != TERN_DER_CTX_CONS(0), TERN_ERR_UNSUPPORTED);
    /* ResponderID ::= CHOICE { byName [1] Name, byKey [2] KeyHash } (both
     * EXPLICIT: the module's default tagging); KeyHash is the SHA-1 of the
     * responder's subjectPublicKey value. */
    TERN_TRY(tern_der_optional(&rd, TERN_DER_CTX_CONS(1), &v, &present));
    if (present) {
        tern_der_elem name;
        TERN_TRY(tern_der_expect_elem(&v, TERN_DER_SEQUENCE, &name));
        TERN_TRY(tern_rd_end(&v));
        TERN_TRY(tern_x509_name_check(name.tlv));
        b->responder = name.tlv;
    } else {
        TERN_TRY(tern_der_expect(&rd, TERN_DER_CTX_CONS(2), &v));
        TERN_TRY(tern_der_octet_string(&v, &b->responder));
        TERN_TRY(tern_rd_end(&v));
        TERN_ENSURE(b->responder.len == TERN_SHA1_LEN, TERN_ERR_DECODE);
        b->by_key = 1;
    }
    TERN_TRY(read_gtime(&rd, &b->produced_at));
    tern_der_elem list;
    TERN_TRY(tern_der_expect_elem(&rd, TERN_DER_SEQUENCE, &list));
    TERN_ENSURE(list.content.len > 0, TERN_ERR_DECODE);
    b->responses = list.content;
    TERN_TRY(tern_der_optional(&rd, TERN_DER_CTX_CONS(1), &f, &present));
    if (present)
        TERN_TRY(read_extensions(&f, &b->critical_ext));
    return tern_rd_end(&rd);
}

/* Is c the responder the ResponderID names? */
static int is_responder(const basic *b, const tern_x509_cert *c) {
    if (!b->by_key)
        return tern_x509_name_eq(b->responder, c->subject);
    tern_span bits;
    if (spk_bits(c, &bits) < 0)
        return 0;
    uint8_t h[TERN_SHA1_LEN];
    tern_sha1(h, bits.p, bits.len);
    return memcmp(h, b->responder.p, TERN_SHA1_LEN) == 0;
}

static const char *status_names[] = {"successful", "malformedRequest", "internalError", "tryLater",
                                     "(unused)", "sigRequired", "unauthorized"};

const char *tern_ocsp_reason_name(int reason) {
    return reason < 0 ? "no reason given" : tern_crl_reason_name(reason);
}

#define PFX "the stapled OCSP response"

static int check(const uint8_t *der, size_t len, const tern_x509_cert *cert, const tern_x509_cert *issuer,
                 int64_t now, tern_ocsp_info *info, char *msg, size_t cap) {
    const char *sn = info->serial_hex;
    char t1[32], t2[32];
    if (!tern_x509_name_eq(cert->issuer, issuer->subject)) {
        say(msg, cap, PFX " cannot be checked: the issuer certificate given is not the one that issued the "
                      "certificate (serial %s)", sn);
        return TERN_ERR_OCSP_BAD;
    }

    /* OCSPResponse ::= SEQUENCE { responseStatus ENUMERATED,
     * responseBytes [0] EXPLICIT ResponseBytes OPTIONAL } */
    tern_reader r, resp, f, rb;
    unsigned status;
    int present;
    tern_span type, octets;
    tern_rd_init(&r, der, len);
    if (tern_der_expect(&r, TERN_DER_SEQUENCE, &resp) < 0 || tern_rd_end(&r) < 0 || read_enum(&resp, &status) < 0 ||
        tern_der_optional(&resp, TERN_DER_CTX_CONS(0), &f, &present) < 0 || tern_rd_end(&resp) < 0)
        goto malformed;
    if (status != 0) {
        /* RFC 6960 §4.2.1: only a successful response carries responseBytes. */
        if (status < sizeof status_names / sizeof *status_names && status != 4 && !present)
            say(msg, cap, PFX " is not an answer: the responder said %s (%u)", status_names[status], status);
        else
            say(msg, cap, PFX " is not an answer: its responseStatus is %u, not successful", status);
        return TERN_ERR_OCSP_BAD;
    }
    /* ResponseBytes ::= SEQUENCE { responseType OID, response OCTET STRING } */
    if (!present || tern_der_expect(&f, TERN_DER_SEQUENCE, &rb) < 0 || tern_rd_end(&f) < 0 ||
        tern_der_oid(&rb, &type) < 0 || tern_der_octet_string(&rb, &octets) < 0 || tern_rd_end(&rb) < 0)
        goto malformed;
    if (!TERN_DER_OID_EQ(type, oid_ocsp_basic)) {
        say(msg, cap, PFX " is of a type other than id-pkix-ocsp-basic (RFC 6960 §4.2.1), which tern does not read");
        return TERN_ERR_OCSP_BAD;
    }
    basic b;
    memset(&b, 0, sizeof b);
    int rc = read_basic(octets, &b);
    if (rc == TERN_ERR_LIMIT) {
        say(msg, cap, PFX " carries more than %d certificates", MAX_CERTS);
        return TERN_ERR_OCSP_BAD;
    }
    if (rc == TERN_ERR_UNSUPPORTED) {
        say(msg, cap, PFX " has a version other than v1 (RFC 6960 §4.2.1)");
        return TERN_ERR_OCSP_BAD;
    }
    if (rc < 0)
        goto malformed;
    if (b.critical_ext) {
        say(msg, cap, PFX " has a critical extension tern does not understand (RFC 6960 §4.4)");
        return TERN_ERR_OCSP_BAD;
    }
    info->produced_at = b.produced_at;

    /* The CertID tern expects (RFC 6960 §4.1.1): hashes of the issuer's
     * Name and of its subjectPublicKey value, and the serial. */
    cert_id want;
    tern_span bits;
    if (spk_bits(issuer, &bits) < 0) {
        say(msg, cap, PFX " cannot be checked: the issuer's public key does not parse");
        return TERN_ERR_OCSP_BAD;
    }
    tern_sha1(want.name_sha1, issuer->subject.p, issuer->subject.len);
    tern_sha1(want.key_sha1, bits.p, bits.len);
    tern_sha256(want.name_sha256, issuer->subject.p, issuer->subject.len);
    tern_sha256(want.key_sha256, bits.p, bits.len);
    want.serial = cert->serial;

    /* Every SingleResponse must parse; exactly one may be for cert. */
    single s, found, first;
    memset(&found, 0, sizeof found);
    memset(&first, 0, sizeof first);
    size_t n_found = 0, n = 0;
    tern_reader list;
    tern_rd_init(&list, b.responses.p, b.responses.len);
    while (tern_rd_left(&list)) {
        rc = read_single(&list, &want, &s);
        if (rc == TERN_ERR_UNSUPPORTED) {
            say(msg, cap, PFX " identifies a certificate with a hash other than SHA-1 or SHA-256 (RFC 6960 §4.1.1)");
            return TERN_ERR_OCSP_BAD;
        }
        if (rc < 0)
            goto malformed;
        if (s.critical_ext) {
            say(msg, cap, PFX " has a critical extension tern does not understand (RFC 6960 §4.4)");
            return TERN_ERR_OCSP_BAD;
        }
        if (n++ == 0)
            first = s;
        if (s.matches) {
            found = s;
            n_found++;
        }
    }

    /* Who signed it (RFC 6960 §4.2.2.2): the issuer itself, or a delegated
     * responder certificate carried in the response. */
    const tern_x509_cert *signer = NULL;
    if (is_responder(&b, issuer)) {
        signer = issuer;
    } else {
        const tern_x509_cert *cand = NULL;
        for (size_t i = 0; i < b.n_certs && cand == NULL; i++)
            if (is_responder(&b, &b.certs[i]))
                cand = &b.certs[i];
        char smsg[120];
        if (cand == NULL) {
            say(msg, cap, PFX " is signed by a key that may not sign OCSP responses for this issuer: its "
                          "responder is neither the issuer nor a certificate included in the response");
            return TERN_ERR_OCSP_BAD;
        }
        if (!tern_x509_name_eq(cand->issuer, issuer->subject) ||
            tern_x509_check_signature(issuer, cand, smsg, sizeof smsg) < 0) {
            say(msg, cap, PFX " is signed by a key that may not sign OCSP responses for this issuer: the "
                          "responder's certificate was not issued by the certificate's issuer");
            return TERN_ERR_OCSP_BAD;
        }
        if (!cand->has_eku || !(cand->eku & TERN_X509_EKU_OCSP_SIGNING)) {
            say(msg, cap, PFX " is signed by a key that may not sign OCSP responses for this issuer: the "
                          "responder's certificate lacks extKeyUsage id-kp-OCSPSigning (RFC 6960 §4.2.2.2)");
            return TERN_ERR_OCSP_BAD;
        }
        if (cand->has_key_usage && !(cand->key_usage & TERN_X509_KU_DIGITAL_SIGNATURE)) {
            say(msg, cap, PFX " is signed by a key that may not sign OCSP responses for this issuer: the "
                          "responder's keyUsage lacks digitalSignature");
            return TERN_ERR_OCSP_BAD;
        }
        if (cand->unknown_critical) {
            say(msg, cap, PFX " is signed by a responder whose certificate has an unknown critical extension");
            return TERN_ERR_OCSP_BAD;
        }
        if (now < cand->not_before || now > cand->not_after) {
            tern_der_format_time(now < cand->not_before ? cand->not_before : cand->not_after, t1);
            say(msg, cap, PFX " is signed by a responder whose certificate %s %s",
                now < cand->not_before ? "is not valid before" : "expired on", t1);
            return TERN_ERR_OCSP_BAD;
        }
        signer = cand;
        info->delegated = 1;
    }
    tern_x509_cert as_signed;
    memset(&as_signed, 0, sizeof as_signed);
    as_signed.sig_alg = b.sig_alg;
    as_signed.tbs = b.tbs;
    as_signed.signature = b.signature;
    char smsg[120];
    rc = tern_x509_check_signature(signer, &as_signed, smsg, sizeof smsg);
    if (rc == TERN_ERR_CERT_SIGNATURE) {
        say(msg, cap, PFX " has a signature that does not verify with the %s's key",
            info->delegated ? "delegated responder" : "issuer");
        return TERN_ERR_OCSP_BAD;
    }
    if (rc < 0) {
        say(msg, cap, PFX " %s", smsg);
        return TERN_ERR_OCSP_BAD;
    }

    /* The SingleResponse for cert. */
    if (n_found == 0) {
        char other[48];
        tern_crl_format_serial(first.serial, other, sizeof other);
        say(msg, cap, PFX " is not about the certificate (serial %s): it is about serial %s%s", sn, other,
            n > 1 ? " and others" : "");
        return TERN_ERR_OCSP_BAD;
    }
    if (n_found > 1) {
        say(msg, cap, PFX " has more than one answer for the certificate (serial %s)", sn);
        return TERN_ERR_OCSP_BAD;
    }
    info->this_update = found.this_update;
    info->next_update = found.has_next_update ? found.next_update : 0;
    info->revocation_time = found.revocation_time;
    info->revocation_reason = found.reason;
    info->cert_status = found.status;

    /* Times (RFC 6960 §4.2.2.1, §3.2 items 4 and 5). */
    if (found.has_next_update && found.next_update < found.this_update) {
        say(msg, cap, PFX " for the certificate (serial %s) has a nextUpdate before its thisUpdate", sn);
        return TERN_ERR_OCSP_BAD;
    }
    if (found.this_update > now + TERN_OCSP_SKEW) {
        tern_der_format_time(found.this_update, t1);
        say(msg, cap, PFX " for the certificate (serial %s) is not valid yet: its thisUpdate is %s", sn, t1);
        return TERN_ERR_OCSP_BAD;
    }
    if (found.has_next_update && found.next_update < now - TERN_OCSP_SKEW) {
        tern_der_format_time(found.next_update, t1);
        say(msg, cap, PFX " for the certificate (serial %s) expired on %s (its nextUpdate)", sn, t1);
        return TERN_ERR_OCSP_BAD;
    }
    if (!found.has_next_update && found.this_update < now - TERN_OCSP_MAX_AGE) {
        tern_der_format_time(found.this_update, t1);
        say(msg, cap, PFX " for the certificate (serial %s) has no nextUpdate and is older than %d days (its "
                      "thisUpdate is %s)", sn, TERN_OCSP_MAX_AGE / 86400, t1);
        return TERN_ERR_OCSP_BAD;
    }

    switch (found.status) {
    case TERN_OCSP_GOOD:
        return 0;
    case TERN_OCSP_REVOKED:
        tern_der_format_time(found.revocation_time, t2);
        say(msg, cap, PFX " says the certificate (serial %s) was revoked on %s (%s)", sn, t2,
            tern_ocsp_reason_name(found.reason));
        return TERN_ERR_CERT_REVOKED;
    default:
        say(msg, cap, PFX " says the responder does not know the certificate (serial %s): its status is unknown",
            sn);
        return TERN_ERR_CERT_REVOCATION_UNKNOWN;
    }
malformed:
    say(msg, cap, PFX " is malformed: it does not parse as an OCSPResponse (RFC 6960 §4.2.1)");
    return TERN_ERR_OCSP_BAD;
}

int tern_ocsp_check(const uint8_t *der, size_t len, const tern_x509_cert *cert, const tern_x509_cert *issuer,
                    int64_t now, tern_ocsp_info *info, char *msg, size_t cap) {
    tern_ocsp_info local;
    if (info == NULL)
        info = &local;
    memset(info, 0, sizeof *info);
    info->revocation_reason = -1;
    if (msg && cap)
        msg[0] = 0;
    if (cert == NULL || issuer == NULL || (der == NULL && len > 0)) {
        say(msg, cap, PFX " cannot be checked without the certificate and its issuer");
        return TERN_ERR_OCSP_BAD;
    }
    tern_crl_format_serial(cert->serial, info->serial_hex, sizeof info->serial_hex);
    if (der == NULL || len == 0) {
        say(msg, cap, PFX " is empty");
        return TERN_ERR_OCSP_BAD;
    }
    int rc = check(der, len, cert, issuer, now, info, msg, cap);
    if (rc != 0 && rc != TERN_ERR_CERT_REVOKED && rc != TERN_ERR_CERT_REVOCATION_UNKNOWN) {
        /* A refused response tells nothing: only the serial stays. */
        char keep[sizeof info->serial_hex];
        memcpy(keep, info->serial_hex, sizeof keep);
        memset(info, 0, sizeof *info);
        info->revocation_reason = -1;
        memcpy(info->serial_hex, keep, sizeof keep);
    }
    return rc;
}
