/*
 * OCSP responses (lib/x509/ocsp.c, RFC 6960 §4.2) and the TLS Feature
 * (must-staple, RFC 7633) of the certificate parser.
 *   - the responses openssl made (vectors/ocsp, tests/certs/make-ocsp.sh):
 *     good with a SHA-1 CertID and byName, good with a SHA-256 CertID and
 *     byKey, revoked (time, keyCompromise), unknown, expired, not yet
 *     valid, for another certificate, a delegated responder with
 *     id-kp-OCSPSigning (ECDSA; good and revoked), a responder without the
 *     extKeyUsage, a responder issued by an unrelated CA, a response signed
 *     by an unrelated CA, an ECDSA issuer signing itself, the wrong issuer;
 *     each refusal with its error and its sentence;
 *   - the clock skew at both ends (thisUpdate, nextUpdate), to the second;
 *   - tampering: the signature, a date inside the signed data, every
 *     single-bit flip of two whole responses (none may be accepted), every
 *     truncation, trailing bytes, non-successful responseStatus values;
 *   - responses built here and signed with the delegated responder's key
 *     (the fixture's ECDSA key), to reach the rules openssl will not break:
 *     a version other than v1, critical and non-critical extensions, two
 *     answers for the certificate, an answer for another one first, no
 *     nextUpdate (fresh and too old), nextUpdate before thisUpdate, a
 *     UTCTime, a revocation without a reason and with reason 7, a CertID
 *     hash other than SHA-1/SHA-256, an empty list, another responseType,
 *     too many certificates, byKey naming the responder;
 *   - TLS Feature: the must-staple leaf and the plain one, a patched
 *     feature list (another feature; not an INTEGER).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/ecdsa.h"
#include "crypto/sha2.h"
#include "lib/x509/ocsp.h"
#include "lib/x509/pem.h"
#include "lib/x509/store.h"
#include "tests/util/testutil.h"

#define NOW 1798761600        /* 2027-01-01 00:00:00 UTC: after the fixtures were made (2026-12-08) */
#define BEFORE 1796083200     /* 2026-12-01 00:00:00 UTC: before their thisUpdate */
#define REVOKED_AT 1748736000 /* 2025-06-01 00:00:00 UTC (make-ocsp.sh REVOKED_AT) */

/* A certificate from a PEM file of vectors/ (its first block). */
typedef struct {
    uint8_t *der;
    size_t len;
    tern_x509_cert c;
} cert;

static void cert_load(cert *out, const char *rel) {
    size_t len;
    char *t = tv_slurp(tv_path(rel), &len);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)t, len);
    assert_int_equal(tern_pem_next(&r, &b), 1);
    size_t cap = tern_pem_decoded_max(&b);
    out->der = malloc(cap);
    assert_non_null(out->der);
    assert_int_equal(tern_pem_decode(&b, out->der, cap, &out->len), 0);
    free(t);
    assert_int_equal(tern_x509_parse(&out->c, out->der, out->len), 0);
}

static cert ca, leaf, leaf_staple, leaf_revoked, leaf_unknown, other_ca, other_leaf, responder;

static uint8_t *resp_load(const char *name, size_t *len) {
    char rel[64];
    snprintf(rel, sizeof rel, "ocsp/%s", name);
    return (uint8_t *)tv_slurp(tv_path(rel), len);
}

/* Check a fixture response; returns the error, fills info and msg. */
static int check_file(const char *name, const cert *c, const cert *issuer, int64_t now, tern_ocsp_info *info,
                      char *msg, size_t cap) {
    size_t len;
    uint8_t *der = resp_load(name, &len);
    int rc = tern_ocsp_check(der, len, &c->c, &issuer->c, now, info, msg, cap);
    free(der);
    return rc;
}

static void expect_bad(const char *name, const cert *c, const cert *issuer, int64_t now, const char *want) {
    tern_ocsp_info info;
    char msg[400];
    int rc = check_file(name, c, issuer, now, &info, msg, sizeof msg);
    if (rc != TERN_ERR_OCSP_BAD || strstr(msg, want) == NULL)
        fail_msg("%s: rc %d, msg \"%s\", wanted TERN_ERR_OCSP_BAD and \"%s\"", name, rc, msg, want);
    assert_int_equal(info.cert_status, 0);
    assert_int_equal(info.this_update, 0);
}

static int setup(void **state) {
    (void)state;
    cert_load(&ca, "ocsp/ca.crt");
    cert_load(&leaf, "ocsp/leaf.crt");
    cert_load(&leaf_staple, "ocsp/leaf-staple.crt");
    cert_load(&leaf_revoked, "ocsp/leaf-revoked.crt");
    cert_load(&leaf_unknown, "ocsp/leaf-unknown.crt");
    cert_load(&other_ca, "ocsp/other-ca.crt");
    cert_load(&other_leaf, "ocsp/other-leaf.crt");
    cert_load(&responder, "ocsp/responder.crt");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    cert *all[] = {&ca, &leaf, &leaf_staple, &leaf_revoked, &leaf_unknown, &other_ca, &other_leaf, &responder};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        free(all[i]->der);
    return 0;
}

/* ---- the fixtures openssl made ---- */

static void test_good(void **state) {
    (void)state;
    tern_ocsp_info info;
    char msg[300] = "untouched";
    assert_int_equal(check_file("good.der", &leaf, &ca, NOW, &info, msg, sizeof msg), 0);
    assert_int_equal(info.cert_status, TERN_OCSP_GOOD);
    assert_string_equal(info.serial_hex, "1001");
    assert_int_equal(info.delegated, 0);
    assert_int_equal(info.revocation_reason, -1);
    assert_true(info.this_update > BEFORE && info.this_update < NOW);
    assert_true(info.produced_at > BEFORE && info.produced_at < NOW);
    /* -ndays 7300 */
    assert_int_equal(info.next_update - info.this_update, 7300 * 86400);
    assert_string_equal(msg, "");
    /* info and msg may be NULL */
    assert_int_equal(check_file("good.der", &leaf, &ca, NOW, NULL, NULL, 0), 0);
}

static void test_good_sha256_by_key(void **state) {
    (void)state;
    tern_ocsp_info info;
    char msg[300];
    assert_int_equal(check_file("good-sha256.der", &leaf, &ca, NOW, &info, msg, sizeof msg), 0);
    assert_int_equal(info.cert_status, TERN_OCSP_GOOD);
    assert_int_equal(info.delegated, 0);
}

static void test_revoked(void **state) {
    (void)state;
    tern_ocsp_info info;
    char msg[300];
    assert_int_equal(check_file("revoked.der", &leaf_revoked, &ca, NOW, &info, msg, sizeof msg),
                     TERN_ERR_CERT_REVOKED);
    assert_int_equal(info.cert_status, TERN_OCSP_REVOKED);
    assert_int_equal(info.revocation_time, REVOKED_AT);
    assert_int_equal(info.revocation_reason, 1);
    assert_string_equal(info.serial_hex, "1003");
    assert_string_equal(msg, "the stapled OCSP response says the certificate (serial 1003) was revoked on "
                             "2025-06-01 00:00:00 UTC (keyCompromise)");
    assert_string_equal(tern_ocsp_reason_name(1), "keyCompromise");
    assert_string_equal(tern_ocsp_reason_name(-1), "no reason given");
}

static void test_unknown(void **state) {
    (void)state;
    tern_ocsp_info info;
    char msg[300];
    assert_int_equal(check_file("unknown.der", &leaf_unknown, &ca, NOW, &info, msg, sizeof msg),
                     TERN_ERR_CERT_REVOCATION_UNKNOWN);
    assert_int_equal(info.cert_status, TERN_OCSP_UNKNOWN);
    assert_string_equal(msg, "the stapled OCSP response says the responder does not know the certificate (serial "
                             "1005): its status is unknown");
}

static void test_expired_and_skew(void **state) {
    (void)state;
    tern_ocsp_info info;
    char msg[300], want[200], t[32];
    /* expired.der: nextUpdate one minute after thisUpdate */
    assert_int_equal(check_file("expired.der", &leaf, &ca, BEFORE + 31 * 86400, &info, msg, sizeof msg),
                     TERN_ERR_OCSP_BAD);
    assert_int_equal(check_file("good.der", &leaf, &ca, NOW, &info, msg, sizeof msg), 0);
    int64_t tu = info.this_update;
    assert_int_equal(check_file("expired.der", &leaf, &ca, tu + 30, &info, msg, sizeof msg), 0);
    int64_t nu = info.next_update;
    assert_int_equal(nu - info.this_update, 60);
    assert_int_equal(check_file("expired.der", &leaf, &ca, nu + TERN_OCSP_SKEW, &info, msg, sizeof msg), 0);
    assert_int_equal(check_file("expired.der", &leaf, &ca, nu + TERN_OCSP_SKEW + 1, &info, msg, sizeof msg),
                     TERN_ERR_OCSP_BAD);
    tern_der_format_time(nu, t);
    snprintf(want, sizeof want, "the stapled OCSP response for the certificate (serial 1001) expired on %s (its "
                                "nextUpdate)", t);
    assert_string_equal(msg, want);
    expect_bad("expired.der", &leaf, &ca, NOW, "expired on");
}

static void test_not_yet_valid(void **state) {
    (void)state;
    tern_ocsp_info info;
    char msg[300];
    expect_bad("good.der", &leaf, &ca, BEFORE, "is not valid yet: its thisUpdate is 2026-");
    assert_int_equal(check_file("good.der", &leaf, &ca, NOW, &info, msg, sizeof msg), 0);
    int64_t tu = info.this_update;
    assert_int_equal(check_file("good.der", &leaf, &ca, tu - TERN_OCSP_SKEW, &info, msg, sizeof msg), 0);
    assert_int_equal(check_file("good.der", &leaf, &ca, tu - TERN_OCSP_SKEW - 1, &info, msg, sizeof msg),
                     TERN_ERR_OCSP_BAD);
}

static void test_other_certificate(void **state) {
    (void)state;
    expect_bad("other-cert.der", &leaf, &ca, NOW,
               "the stapled OCSP response is not about the certificate (serial 1001): it is about serial 1004");
    expect_bad("staple-good.der", &leaf, &ca, NOW, "it is about serial 1002");
    expect_bad("revoked.der", &leaf, &ca, NOW, "it is about serial 1003");
    /* another issuer's certificate with the right serial: its issuer did
     * not sign the response, nor did anyone it delegated to */
    expect_bad("good.der", &other_leaf, &other_ca, NOW, "may not sign OCSP responses for this issuer");
    /* an issuer that did not issue the certificate */
    expect_bad("good.der", &leaf, &other_ca, NOW, "the issuer certificate given is not the one that issued");
    tern_ocsp_info info;
    assert_int_equal(check_file("staple-good.der", &leaf_staple, &ca, NOW, &info, NULL, 0), 0);
}

static void test_delegated(void **state) {
    (void)state;
    tern_ocsp_info info;
    char msg[300];
    assert_int_equal(check_file("delegated-good.der", &leaf, &ca, NOW, &info, msg, sizeof msg), 0);
    assert_int_equal(info.delegated, 1);
    assert_int_equal(info.cert_status, TERN_OCSP_GOOD);
    assert_int_equal(check_file("delegated-revoked.der", &leaf_revoked, &ca, NOW, &info, msg, sizeof msg),
                     TERN_ERR_CERT_REVOKED);
    assert_int_equal(info.delegated, 1);
    assert_int_equal(info.revocation_time, REVOKED_AT);
    /* the responder certificate: OCSPSigning and nocheck parsed */
    assert_true(responder.c.has_eku && (responder.c.eku & TERN_X509_EKU_OCSP_SIGNING));
    assert_true(responder.c.ocsp_nocheck);
    assert_false(responder.c.unknown_critical);
    assert_false(ca.c.eku & TERN_X509_EKU_OCSP_SIGNING);
}

static void test_responder_not_allowed(void **state) {
    (void)state;
    expect_bad("noeku.der", &leaf, &ca, NOW,
               "the stapled OCSP response is signed by a key that may not sign OCSP responses for this issuer: "
               "the responder's certificate lacks extKeyUsage id-kp-OCSPSigning (RFC 6960 §4.2.2.2)");
    expect_bad("other-responder.der", &leaf, &ca, NOW,
               "the stapled OCSP response is signed by a key that may not sign OCSP responses for this issuer: "
               "the responder's certificate was not issued by the certificate's issuer");
    expect_bad("unrelated-ca.der", &leaf, &ca, NOW,
               "is signed by a key that may not sign OCSP responses for this issuer");
    /* a delegated response checked against the other CA's leaf */
    expect_bad("delegated-good.der", &other_leaf, &other_ca, NOW, "may not sign OCSP responses for this issuer");
}

static void test_ecdsa_issuer(void **state) {
    (void)state;
    tern_ocsp_info info;
    char msg[300];
    assert_int_equal(check_file("other-good.der", &other_leaf, &other_ca, NOW, &info, msg, sizeof msg), 0);
    assert_int_equal(info.delegated, 0);
    assert_string_equal(info.serial_hex, "2001");
}

/* ---- tampering and malformed input ---- */

static int check_buf(const uint8_t *der, size_t len, const cert *c, int64_t now, char *msg, size_t cap) {
    return tern_ocsp_check(der, len, &c->c, &ca.c, now, NULL, msg, cap);
}

/* Where the signature BIT STRING's content is, and where the certs field
 * starts (len when there is none), in a fixture response. */
static void locate(const uint8_t *der, size_t len, tern_span *sig_value, size_t *certs_at) {
    tern_reader r, a, b, c;
    tern_der_elem e, tbs, alg, sig;
    tern_span oid, oct;
    tern_rd_init(&r, der, len);
    assert_int_equal(tern_der_expect(&r, TERN_DER_SEQUENCE, &a), 0);
    assert_int_equal(tern_der_expect_elem(&a, 0x0a, &e), 0);
    assert_int_equal(tern_der_expect(&a, TERN_DER_CTX_CONS(0), &b), 0);
    assert_int_equal(tern_der_expect(&b, TERN_DER_SEQUENCE, &c), 0);
    assert_int_equal(tern_der_oid(&c, &oid), 0);
    assert_int_equal(tern_der_octet_string(&c, &oct), 0);
    tern_rd_init(&r, oct.p, oct.len);
    assert_int_equal(tern_der_expect(&r, TERN_DER_SEQUENCE, &a), 0);
    assert_int_equal(tern_der_expect_elem(&a, TERN_DER_SEQUENCE, &tbs), 0);
    assert_int_equal(tern_der_expect_elem(&a, TERN_DER_SEQUENCE, &alg), 0);
    assert_int_equal(tern_der_expect_elem(&a, TERN_DER_BIT_STRING, &sig), 0);
    *sig_value = sig.content;
    *certs_at = tern_rd_left(&a) ? (size_t)(a.p - der) : len;
}

static void test_tampered_signature(void **state) {
    (void)state;
    char msg[300];
    size_t len;
    tern_span sig;
    size_t certs_at;
    uint8_t *der = resp_load("good.der", &len);
    locate(der, len, &sig, &certs_at);
    size_t last = (size_t)(sig.p + sig.len - 1 - der);
    der[last] ^= 1;
    assert_int_equal(check_buf(der, len, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response has a signature that does not verify with the issuer's key");
    der[last] ^= 1;
    /* a date inside the signed data: nextUpdate 2046 -> 2036 */
    size_t k;
    for (k = 0; k + 4 <= len && memcmp(der + k, "2046", 4) != 0; k++)
        ;
    assert_true(k + 4 <= len);
    der[k + 2] = '3';
    assert_int_equal(check_buf(der, len, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "does not verify"));
    free(der);
    der = resp_load("delegated-good.der", &len);
    locate(der, len, &sig, &certs_at);
    size_t sig_at = (size_t)(sig.p + sig.len / 2 - der);
    der[sig_at] ^= 0x40;
    assert_int_equal(check_buf(der, len, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response has a signature that does not verify with the delegated "
                             "responder's key");
    free(der);
}

/* No single-bit change of a good response may be accepted, up to `end`:
 * the whole response, or (signed by the issuer itself) up to the certs it
 * carries, which nothing uses then. */
static void flip_all(const char *name, int whole) {
    size_t len, certs_at;
    tern_span sig;
    uint8_t *der = resp_load(name, &len);
    char msg[300];
    assert_int_equal(check_buf(der, len, &leaf, NOW, msg, sizeof msg), 0);
    locate(der, len, &sig, &certs_at);
    size_t end = whole ? len : certs_at;
    for (size_t i = 0; i < end; i++) {
        for (int bit = 0; bit < 8; bit++) {
            der[i] ^= (uint8_t)(1u << bit);
            msg[0] = 0;
            int rc = check_buf(der, len, &leaf, NOW, msg, sizeof msg);
            if (rc != TERN_ERR_OCSP_BAD || msg[0] == 0)
                fail_msg("%s: byte %zu bit %d flipped: rc %d (%s)", name, i, bit, rc, msg);
            der[i] ^= (uint8_t)(1u << bit);
        }
    }
    free(der);
}

static void test_bit_flips(void **state) {
    (void)state;
    flip_all("good.der", 0);
    flip_all("good-sha256.der", 0);
    flip_all("delegated-good.der", 1);
}

static void test_truncated_and_trailing(void **state) {
    (void)state;
    char msg[300];
    size_t len;
    uint8_t *der = resp_load("delegated-good.der", &len);
    for (size_t n = 0; n < len; n++) {
        msg[0] = 0;
        int rc = check_buf(n ? der : NULL, n, &leaf, NOW, msg, sizeof msg);
        if (rc != TERN_ERR_OCSP_BAD || msg[0] == 0)
            fail_msg("truncated to %zu bytes: rc %d (%s)", n, rc, msg);
    }
    assert_string_equal(
        (check_buf(der, len / 2, &leaf, NOW, msg, sizeof msg), msg),
        "the stapled OCSP response is malformed: it does not parse as an OCSPResponse (RFC 6960 §4.2.1)");
    uint8_t *more = malloc(len + 1);
    assert_non_null(more);
    memcpy(more, der, len);
    more[len] = 0;
    assert_int_equal(check_buf(more, len + 1, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "malformed"));
    free(more);
    free(der);
    assert_int_equal(check_buf(NULL, 0, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response is empty");
}

static void test_response_status(void **state) {
    (void)state;
    char msg[300];
    uint8_t r[] = {0x30, 0x03, 0x0a, 0x01, 0x03};
    assert_int_equal(check_buf(r, sizeof r, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response is not an answer: the responder said tryLater (3)");
    r[4] = 6;
    assert_int_equal(check_buf(r, sizeof r, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response is not an answer: the responder said unauthorized (6)");
    r[4] = 4;
    assert_int_equal(check_buf(r, sizeof r, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response is not an answer: its responseStatus is 4, not successful");
    r[4] = 0; /* successful without responseBytes */
    assert_int_equal(check_buf(r, sizeof r, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "malformed"));
    r[2] = 0x02; /* INTEGER, not ENUMERATED */
    r[4] = 3;
    assert_int_equal(check_buf(r, sizeof r, &leaf, NOW, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "malformed"));
}

/* ---- responses built here, signed with the delegated responder's key ---- */

typedef struct {
    uint8_t b[8192];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n) {
    assert_true(o->n + n <= sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

/* Append tag, DER length and content. */
static void tlv(buf *o, uint8_t tag, const void *p, size_t n) {
    uint8_t h[4] = {tag};
    size_t hl;
    if (n < 0x80) {
        h[1] = (uint8_t)n, hl = 2;
    } else if (n < 0x100) {
        h[1] = 0x81, h[2] = (uint8_t)n, hl = 3;
    } else {
        assert_true(n < 0x10000);
        h[1] = 0x82, h[2] = (uint8_t)(n >> 8), h[3] = (uint8_t)n, hl = 4;
    }
    put(o, h, hl);
    put(o, p, n);
}

static void wrap(buf *o, uint8_t tag, const buf *in) { tlv(o, tag, in->b, in->n); }

static void gtime(buf *o, const char *t) { tlv(o, TERN_DER_GENERALIZED_TIME, t, strlen(t)); }

/* The CertID TLVs openssl wrote for leaf (good.der) and leaf-other
 * (other-cert.der): the first element of their first SingleResponse. */
static tern_span cert_id_of(const uint8_t *der, size_t len) {
    tern_reader r, a, b, c;
    tern_der_elem e, id;
    tern_span oid, oct;
    tern_rd_init(&r, der, len);
    assert_int_equal(tern_der_expect(&r, TERN_DER_SEQUENCE, &a), 0);
    assert_int_equal(tern_der_expect_elem(&a, 0x0a, &e), 0);
    assert_int_equal(tern_der_expect(&a, TERN_DER_CTX_CONS(0), &b), 0);
    assert_int_equal(tern_der_expect(&b, TERN_DER_SEQUENCE, &c), 0);
    assert_int_equal(tern_der_oid(&c, &oid), 0);
    assert_int_equal(tern_der_octet_string(&c, &oct), 0);
    tern_rd_init(&r, oct.p, oct.len);
    assert_int_equal(tern_der_expect(&r, TERN_DER_SEQUENCE, &a), 0);
    assert_int_equal(tern_der_expect(&a, TERN_DER_SEQUENCE, &b), 0); /* tbsResponseData */
    assert_int_equal(tern_der_next(&b, &e), 0);                        /* responderID */
    assert_int_equal(tern_der_next(&b, &e), 0);                        /* producedAt */
    assert_int_equal(tern_der_expect(&b, TERN_DER_SEQUENCE, &c), 0);   /* responses */
    assert_int_equal(tern_der_expect(&c, TERN_DER_SEQUENCE, &a), 0);   /* the first */
    assert_int_equal(tern_der_expect_elem(&a, TERN_DER_SEQUENCE, &id), 0);
    return id.tlv;
}

static uint8_t *good_der, *other_der;
static size_t good_len, other_len;
static tern_keystore rks;

/* A SingleResponse: CertID, status TLV bytes, thisUpdate, nextUpdate (NULL
 * for none), extensions TLV (NULL for none). */
static void single(buf *o, tern_span id, const uint8_t *status, size_t slen, const char *tu, const char *nu,
                   const buf *exts) {
    buf s = {.n = 0};
    put(&s, id.p, id.len);
    put(&s, status, slen);
    gtime(&s, tu);
    if (nu) {
        buf t = {.n = 0};
        gtime(&t, nu);
        wrap(&s, TERN_DER_CTX_CONS(0), &t);
    }
    if (exts)
        wrap(&s, TERN_DER_CTX_CONS(1), exts);
    wrap(o, TERN_DER_SEQUENCE, &s);
}

static const uint8_t good_status[] = {0x80, 0x00};

/* Extensions with one extension (OID 1.3.6.1.4.1.55555.9), critical or not. */
static void one_ext(buf *o, int critical) {
    static const uint8_t oid[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x09};
    static const uint8_t crit[] = {0x01, 0x01, 0xff};
    static const uint8_t val[] = {0x04, 0x02, 0x05, 0x00};
    buf e = {.n = 0}, seq = {.n = 0};
    tlv(&e, TERN_DER_OID, oid, sizeof oid);
    if (critical)
        put(&e, crit, sizeof crit);
    put(&e, val, sizeof val);
    wrap(&seq, TERN_DER_SEQUENCE, &e);
    wrap(o, TERN_DER_SEQUENCE, &seq);
}

typedef struct {
    const buf *singles;         /* the SingleResponses, concatenated */
    int version;                /* -1: absent */
    const buf *exts;            /* responseExtensions content, or NULL */
    int by_key;                 /* responderID byKey */
    int n_certs;                /* copies of responder.crt in certs (default 1 when 0) */
    const uint8_t *type_oid;    /* responseType, NULL for id-pkix-ocsp-basic */
    size_t type_len;
} shape;

/* An OCSPResponse with these parts, signed by the delegated responder
 * (ecdsa-with-SHA256). */
static void build(buf *out, const shape *sh) {
    static const uint8_t basic_oid[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
    static const uint8_t ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02};
    buf tbs = {.n = 0}, t = {.n = 0};
    if (sh->version >= 0) {
        uint8_t v[] = {0x02, 0x01, (uint8_t)sh->version};
        tlv(&tbs, TERN_DER_CTX_CONS(0), v, sizeof v);
    }
    if (sh->by_key) {
        /* SHA-1 of the responder's subjectPublicKey value */
        tern_reader r, spki;
        tern_der_elem alg;
        tern_span bits;
        uint8_t h[TERN_SHA1_LEN];
        tern_rd_init(&r, responder.c.key.spki.p, responder.c.key.spki.len);
        assert_int_equal(tern_der_expect(&r, TERN_DER_SEQUENCE, &spki), 0);
        assert_int_equal(tern_der_expect_elem(&spki, TERN_DER_SEQUENCE, &alg), 0);
        assert_int_equal(tern_der_bit_string_bytes(&spki, &bits), 0);
        tern_sha1(h, bits.p, bits.len);
        tlv(&t, TERN_DER_OCTET_STRING, h, sizeof h);
        wrap(&tbs, TERN_DER_CTX_CONS(2), &t);
    } else {
        tlv(&tbs, TERN_DER_CTX_CONS(1), responder.c.subject.p, responder.c.subject.len);
    }
    gtime(&tbs, "20261208000000Z");
    wrap(&tbs, TERN_DER_SEQUENCE, sh->singles);
    if (sh->exts)
        wrap(&tbs, TERN_DER_CTX_CONS(1), sh->exts);
    buf tbs_tlv = {.n = 0};
    wrap(&tbs_tlv, TERN_DER_SEQUENCE, &tbs);
    uint8_t digest[32], sig[TERN_ECDSA_P256_MAX_SIG_LEN + 1];
    size_t siglen;
    tern_sha256(digest, tbs_tlv.b, tbs_tlv.n);
    sig[0] = 0; /* unused bits */
    static uint64_t rng_state = 1;
    assert_int_equal(tern_ecdsa_p256_sign(rks.ec_priv, TERN_HASH_SHA256, digest, sig + 1, sizeof sig - 1, &siglen,
                                          tv_rng, &rng_state),
                     0);
    buf basic = {.n = 0}, certs = {.n = 0}, list = {.n = 0};
    put(&basic, tbs_tlv.b, tbs_tlv.n);
    put(&basic, ecdsa_sha256, sizeof ecdsa_sha256);
    tlv(&basic, TERN_DER_BIT_STRING, sig, siglen + 1);
    for (int i = 0; i < (sh->n_certs ? sh->n_certs : 1); i++)
        put(&list, responder.der, responder.len);
    wrap(&certs, TERN_DER_SEQUENCE, &list);
    wrap(&basic, TERN_DER_CTX_CONS(0), &certs);
    buf basic_tlv = {.n = 0}, rb = {.n = 0}, rbs = {.n = 0}, resp = {.n = 0};
    wrap(&basic_tlv, TERN_DER_SEQUENCE, &basic);
    if (sh->type_oid)
        tlv(&rb, TERN_DER_OID, sh->type_oid, sh->type_len);
    else
        tlv(&rb, TERN_DER_OID, basic_oid, sizeof basic_oid);
    wrap(&rb, TERN_DER_OCTET_STRING, &basic_tlv);
    wrap(&rbs, TERN_DER_SEQUENCE, &rb);
    static const uint8_t ok[] = {0x0a, 0x01, 0x00};
    put(&resp, ok, sizeof ok);
    wrap(&resp, TERN_DER_CTX_CONS(0), &rbs);
    out->n = 0;
    wrap(out, TERN_DER_SEQUENCE, &resp);
}

static int check_shape(const shape *sh, const cert *c, int64_t now, tern_ocsp_info *info, char *msg, size_t cap) {
    static buf out;
    build(&out, sh);
    return tern_ocsp_check(out.b, out.n, &c->c, &ca.c, now, info, msg, cap);
}

static int setup_built(void **state) {
    (void)state;
    good_der = resp_load("good.der", &good_len);
    other_der = resp_load("other-cert.der", &other_len);
    tern_keystore_init(&rks);
    char chain[256], key[256];
    snprintf(chain, sizeof chain, "%s", tv_path("ocsp/responder.crt"));
    snprintf(key, sizeof key, "%s", tv_path("ocsp/responder.key"));
    assert_int_equal(tern_keystore_load_files(&rks, chain, key), 0);
    return 0;
}

static int teardown_built(void **state) {
    (void)state;
    free(good_der);
    free(other_der);
    tern_keystore_free(&rks);
    return 0;
}

#define TU "20261208000000Z"
#define NU "20270108000000Z"

static void test_built_good_and_extensions(void **state) {
    (void)state;
    tern_span id = cert_id_of(good_der, good_len);
    buf singles = {.n = 0}, ext = {.n = 0};
    tern_ocsp_info info;
    char msg[300];
    single(&singles, id, good_status, sizeof good_status, TU, NU, NULL);
    shape sh = {.singles = &singles, .version = -1};
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), 0);
    assert_int_equal(info.delegated, 1);
    assert_int_equal(info.this_update, 1796688000); /* 2026-12-08 */
    sh.by_key = 1;
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), 0);
    sh.by_key = 0;
    /* version: DER omits the DEFAULT v1, and there is no other */
    sh.version = 0;
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response has a version other than v1 (RFC 6960 §4.2.1)");
    sh.version = -1;
    /* responseExtensions: a non-critical unknown one is ignored */
    one_ext(&ext, 0);
    sh.exts = &ext;
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), 0);
    ext.n = 0;
    one_ext(&ext, 1);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response has a critical extension tern does not understand (RFC 6960 §4.4)");
    sh.exts = NULL;
    /* singleExtensions: the same */
    singles.n = 0;
    single(&singles, id, good_status, sizeof good_status, TU, NU, &ext);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "critical extension"));
    singles.n = 0;
    ext.n = 0;
    one_ext(&ext, 0);
    single(&singles, id, good_status, sizeof good_status, TU, NU, &ext);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), 0);
    /* another responseType */
    static const uint8_t not_basic[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x09};
    sh.type_oid = not_basic;
    sh.type_len = sizeof not_basic;
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "id-pkix-ocsp-basic"));
    sh.type_oid = NULL;
    /* certs: 4 allowed, 5 not */
    sh.n_certs = 4;
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), 0);
    sh.n_certs = 5;
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response carries more than 4 certificates");
}

static void test_built_singles(void **state) {
    (void)state;
    tern_span id = cert_id_of(good_der, good_len), other = cert_id_of(other_der, other_len);
    buf singles = {.n = 0};
    shape sh = {.singles = &singles, .version = -1};
    tern_ocsp_info info;
    char msg[300];
    /* another certificate's answer first, then ours */
    single(&singles, other, good_status, sizeof good_status, TU, NU, NULL);
    single(&singles, id, good_status, sizeof good_status, TU, NU, NULL);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), 0);
    /* two answers for ours */
    single(&singles, id, good_status, sizeof good_status, TU, NU, NULL);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response has more than one answer for the certificate (serial 1001)");
    /* only others */
    singles.n = 0;
    single(&singles, other, good_status, sizeof good_status, TU, NU, NULL);
    single(&singles, other, good_status, sizeof good_status, TU, NU, NULL);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response is not about the certificate (serial 1001): it is about "
                             "serial 1004 and others");
    /* an empty list */
    singles.n = 0;
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "malformed"));
    /* no nextUpdate: accepted for TERN_OCSP_MAX_AGE after thisUpdate */
    single(&singles, id, good_status, sizeof good_status, TU, NULL, NULL);
    assert_int_equal(check_shape(&sh, &leaf, 1796688000 + TERN_OCSP_MAX_AGE, &info, msg, sizeof msg), 0);
    assert_int_equal(info.next_update, 0);
    assert_int_equal(check_shape(&sh, &leaf, 1796688000 + TERN_OCSP_MAX_AGE + 1, &info, msg, sizeof msg),
                     TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response for the certificate (serial 1001) has no nextUpdate and is "
                             "older than 7 days (its thisUpdate is 2026-12-08 00:00:00 UTC)");
    /* nextUpdate before thisUpdate */
    singles.n = 0;
    single(&singles, id, good_status, sizeof good_status, NU, TU, NULL);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "has a nextUpdate before its thisUpdate"));
    /* a UTCTime thisUpdate */
    singles.n = 0;
    {
        buf s = {.n = 0}, t = {.n = 0};
        put(&s, id.p, id.len);
        put(&s, good_status, sizeof good_status);
        tlv(&s, TERN_DER_UTC_TIME, "261208000000Z", 13);
        gtime(&t, NU);
        wrap(&s, TERN_DER_CTX_CONS(0), &t);
        wrap(&singles, TERN_DER_SEQUENCE, &s);
    }
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_non_null(strstr(msg, "malformed"));
    /* revoked without a reason; with reason 7 (not used); with 10 */
    singles.n = 0;
    {
        buf ri = {.n = 0};
        gtime(&ri, "20250601000000Z");
        buf st = {.n = 0};
        wrap(&st, TERN_DER_CTX_CONS(1), &ri);
        single(&singles, id, st.b, st.n, TU, NU, NULL);
    }
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_CERT_REVOKED);
    assert_int_equal(info.revocation_reason, -1);
    assert_string_equal(msg, "the stapled OCSP response says the certificate (serial 1001) was revoked on "
                             "2025-06-01 00:00:00 UTC (no reason given)");
    for (int reason = 7; reason <= 11; reason++) {
        singles.n = 0;
        buf ri = {.n = 0}, rr = {.n = 0}, st = {.n = 0};
        gtime(&ri, "20250601000000Z");
        uint8_t e[] = {0x0a, 0x01, (uint8_t)reason};
        tlv(&rr, TERN_DER_CTX_CONS(0), e, sizeof e);
        put(&ri, rr.b, rr.n);
        wrap(&st, TERN_DER_CTX_CONS(1), &ri);
        single(&singles, id, st.b, st.n, TU, NU, NULL);
        int rc = check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg);
        if (reason == 7 || reason == 11) {
            assert_int_equal(rc, TERN_ERR_OCSP_BAD);
        } else {
            assert_int_equal(rc, TERN_ERR_CERT_REVOKED);
            assert_int_equal(info.revocation_reason, reason);
        }
    }
    /* unknown */
    singles.n = 0;
    static const uint8_t unknown_status[] = {0x82, 0x00};
    single(&singles, id, unknown_status, sizeof unknown_status, TU, NU, NULL);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_CERT_REVOCATION_UNKNOWN);
    /* a status tag that is none of the three, and good with content */
    singles.n = 0;
    static const uint8_t bad_status[] = {0x83, 0x00};
    single(&singles, id, bad_status, sizeof bad_status, TU, NU, NULL);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    singles.n = 0;
    static const uint8_t good_nonempty[] = {0x80, 0x01, 0x00};
    single(&singles, id, good_nonempty, sizeof good_nonempty, TU, NU, NULL);
    assert_int_equal(check_shape(&sh, &leaf, NOW, &info, msg, sizeof msg), TERN_ERR_OCSP_BAD);
}

static void test_built_cert_id_hash(void **state) {
    (void)state;
    tern_span id = cert_id_of(good_der, good_len);
    /* the same CertID with the id-sha1 OID replaced by SHA-384's
     * (different length: rebuilt) */
    tern_reader r, s;
    tern_der_elem alg;
    tern_rd_init(&r, id.p, id.len);
    assert_int_equal(tern_der_expect(&r, TERN_DER_SEQUENCE, &s), 0);
    assert_int_equal(tern_der_expect_elem(&s, TERN_DER_SEQUENCE, &alg), 0);
    static const uint8_t sha384[] = {0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65,
                                     0x03, 0x04, 0x02, 0x02, 0x05, 0x00};
    buf c = {.n = 0}, idb = {.n = 0}, singles = {.n = 0};
    put(&c, sha384, sizeof sha384);
    put(&c, s.p, s.len);
    wrap(&idb, TERN_DER_SEQUENCE, &c);
    tern_span id384 = {idb.b, idb.n};
    single(&singles, id384, good_status, sizeof good_status, TU, NU, NULL);
    shape sh = {.singles = &singles, .version = -1};
    char msg[300];
    assert_int_equal(check_shape(&sh, &leaf, NOW, NULL, msg, sizeof msg), TERN_ERR_OCSP_BAD);
    assert_string_equal(msg, "the stapled OCSP response identifies a certificate with a hash other than SHA-1 or "
                             "SHA-256 (RFC 6960 §4.1.1)");
}

/* ---- TLS Feature (RFC 7633) ---- */

static void test_tls_feature(void **state) {
    (void)state;
    assert_true(leaf_staple.c.has_tls_feature);
    assert_true(leaf_staple.c.must_staple);
    assert_false(leaf.c.has_tls_feature);
    assert_false(leaf.c.must_staple);
    assert_false(leaf_staple.c.unknown_critical);
    /* patch the feature list SEQUENCE { INTEGER 5 } in a copy */
    uint8_t *d = malloc(leaf_staple.len);
    assert_non_null(d);
    memcpy(d, leaf_staple.der, leaf_staple.len);
    static const uint8_t oid[] = {0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18};
    size_t k;
    for (k = 0; k + sizeof oid <= leaf_staple.len && memcmp(d + k, oid, sizeof oid) != 0; k++)
        ;
    assert_true(k + sizeof oid <= leaf_staple.len);
    static const uint8_t val[] = {0x04, 0x05, 0x30, 0x03, 0x02, 0x01, 0x05};
    uint8_t *v = d + k + sizeof oid;
    assert_memory_equal(v, val, sizeof val);
    tern_x509_cert c;
    v[6] = 0x11; /* another TLS extension (17, status_request_v2) */
    assert_int_equal(tern_x509_parse(&c, d, leaf_staple.len), 0);
    assert_true(c.has_tls_feature);
    assert_false(c.must_staple);
    v[6] = 0x05;
    v[4] = TERN_DER_OCTET_STRING; /* not an INTEGER */
    assert_int_equal(tern_x509_parse(&c, d, leaf_staple.len), TERN_ERR_CERT_BAD);
    v[4] = TERN_DER_INTEGER;
    v[6] = 0x85; /* a negative INTEGER */
    assert_int_equal(tern_x509_parse(&c, d, leaf_staple.len), TERN_ERR_CERT_BAD);
    free(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),
        cmocka_unit_test(test_good_sha256_by_key),
        cmocka_unit_test(test_revoked),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_expired_and_skew),
        cmocka_unit_test(test_not_yet_valid),
        cmocka_unit_test(test_other_certificate),
        cmocka_unit_test(test_delegated),
        cmocka_unit_test(test_responder_not_allowed),
        cmocka_unit_test(test_ecdsa_issuer),
        cmocka_unit_test(test_tampered_signature),
        cmocka_unit_test(test_bit_flips),
        cmocka_unit_test(test_truncated_and_trailing),
        cmocka_unit_test(test_response_status),
        cmocka_unit_test_setup_teardown(test_built_good_and_extensions, setup_built, teardown_built),
        cmocka_unit_test_setup_teardown(test_built_singles, setup_built, teardown_built),
        cmocka_unit_test_setup_teardown(test_built_cert_id_hash, setup_built, teardown_built),
        cmocka_unit_test(test_tls_feature),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
