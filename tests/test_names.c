/*
 * Tests for the name parts of certificate validation: no CN fallback
 * (RFC 9525 §6), name constraints (RFC 5280 §4.2.1.10, lib/x509/nc.c) on
 * DNS, IP, directory, e-mail, URI and unsupported forms, malformed
 * constraints, constraints on a leaf, the work budget, and name comparison
 * by RFC 5280 §7.1 (chaining, trust store lookup, self-issued detection).
 * The chains are the .crt files of vectors/certs/nc/, from tests/certs/make-nc-certs.sh;
 * every refusal checks the exact sentence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/x509/nc.h"
#include "lib/x509/pem.h"
#include "lib/x509/verify.h"
#include "tests/util/testutil.h"

/* 2030-01-01 00:00:00 UTC: inside every fixture's validity. */
#define NOW 1893456000

static uint8_t *load_der(const char *word, size_t *len) {
    char rel[128];
    size_t tlen;
    snprintf(rel, sizeof rel, "certs/nc/%s.crt", word);
    char *txt = tv_slurp(tv_path(rel), &tlen);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)txt, tlen);
    assert_int_equal(tern_pem_next(&r, &b), 1);
    size_t cap = tern_pem_decoded_max(&b);
    uint8_t *der = malloc(cap);
    assert_non_null(der);
    assert_int_equal(tern_pem_decode(&b, der, cap, len), 0);
    free(txt);
    return der;
}

/* Verify "leaf ca..." (space-separated fixture names) against the anchor
 * (one fixture name) for host (NULL: no name check); check the error and,
 * for a failure, the exact sentence. */
static void run(const char *anchor, const char *chain, const char *host, int purpose, int want, const char *msg) {
    tern_truststore ts;
    tern_truststore_init(&ts);
    size_t alen;
    uint8_t *ader = load_der(anchor, &alen);
    assert_int_equal(tern_truststore_add_der(&ts, ader, alen), 1);
    free(ader);
    uint8_t *ders[8];
    size_t lens[8], n = 0;
    char words[256];
    snprintf(words, sizeof words, "%s", chain);
    for (char *w = strtok(words, " "); w; w = strtok(NULL, " ")) {
        assert_true(n < 8);
        ders[n] = load_der(w, &lens[n]);
        n++;
    }
    tern_x509_params p;
    memset(&p, 0, sizeof p);
    p.purpose = purpose;
    p.now = NOW;
    p.names = &host;
    p.n_names = host != NULL;
    tern_x509_result res;
    int rc = tern_x509_verify(&ts, (const uint8_t *const *)ders, lens, n, &p, &res);
    if (rc != want || (msg && strcmp(res.msg, msg) != 0))
        fail_msg("%s <- %s for %s: got %d \"%s\", want %d \"%s\"", anchor, chain, host ? host : "(none)", rc,
                 res.msg, want, msg ? msg : "");
    for (size_t i = 0; i < n; i++)
        free(ders[i]);
    tern_truststore_free(&ts);
}

#define SERVER TERN_X509_PURPOSE_SERVER
#define CLIENT TERN_X509_PURPOSE_CLIENT

/* A SAN-less leaf is for no name, whatever its CN says; under a CA
 * constrained to example.com its dotless CN=intranet used to pass both
 * the name check and (skipped for dotless CNs) the constraint check. */
static void test_no_cn_fallback(void **state) {
    (void)state;
    run("root", "leaf-intranet ca-dns", "intranet", SERVER, TERN_ERR_CERT_NAME,
        "certificate 0 (CN=intranet) is not for name \"intranet\"; it names no subjectAltName, so no name (its CN, "
        "which is never used as one, is intranet)");
    /* The path itself is fine: only the name is missing. */
    run("root", "leaf-intranet ca-dns", NULL, SERVER, 0, NULL);
    /* The older fixture with CN=cnonly.test and no SAN. */
    size_t len;
    char *txt = tv_slurp(tv_path("certs/cn-only.crt"), &len);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)txt, len);
    assert_int_equal(tern_pem_next(&r, &b), 1);
    uint8_t der[4096];
    size_t dlen;
    assert_int_equal(tern_pem_decode(&b, der, sizeof der, &dlen), 0);
    tern_x509_cert c;
    assert_int_equal(tern_x509_parse(&c, der, dlen), 0);
    char msg[256];
    assert_int_equal(tern_x509_check_name(&c, "cnonly.test", msg, sizeof msg), TERN_ERR_CERT_NAME);
    free(txt);
}

static void test_nc_dns(void **state) {
    (void)state;
    run("root", "leaf-www ca-dns", "www.example.com", SERVER, 0, NULL);
    /* Non-critical name constraints: CABF BR 7.1.2.10.8 allows them as an
     * exception to RFC 5280, and they are enforced all the same. */
    run("root", "leaf-noncrit ca-dns-noncrit", "www.example.com", SERVER, 0, NULL);
    run("root", "leaf-ip6 ca-ip6", "2001:db8::1", SERVER, TERN_ERR_CERT_NAME,
        "certificate 0 (CN=ip6): the name IP 2001:db8::1 is outside the name constraints of certificate 1 "
        "(CN=NC IPv6 CA)");
}

static void test_nc_on_leaf(void **state) {
    (void)state;
    run("root", "leaf-with-nc", "www.example.com", SERVER, TERN_ERR_CERT_BAD,
        "certificate 0 (CN=leaf with nc) is an end-entity certificate with name constraints, which RFC 5280 "
        "allows only in CA certificates");
}

/* Malformed constraints: the root still loads (run() checks add_der
 * returns 1), and the chain is refused naming the bad constraint. */
static void test_nc_malformed(void **state) {
    (void)state;
    run("ca-badmask", "leaf-badmask", "www.example.com", SERVER, TERN_ERR_CERT_BAD,
        "trust anchor (CN=NC bad mask CA) has malformed name constraints (an iPAddress base whose mask is not "
        "contiguous: 10.0.0.0/255.0.255.0)");
    run("ca-dot", "leaf-dot", "www.example.com", SERVER, TERN_ERR_CERT_BAD,
        "trust anchor (CN=NC leading period CA) has malformed name constraints (a dNSName base with a leading "
        "period (RFC 5280 allows that only for URIs and email domains): \".example.com\")");
}

static void test_nc_dirname(void **state) {
    (void)state;
    run("root", "leaf-dir-in ca-dir", "in.test", SERVER, 0, NULL);
    run("root", "leaf-dir-out ca-dir", "out.test", SERVER, TERN_ERR_CERT_NAME,
        "certificate 0 (CN=out): the subject CN=out, OU=Other, O=tern test is outside the name constraints of "
        "certificate 1 (CN=NC DirName CA)");
}

static void test_nc_email(void **state) {
    (void)state;
    run("root", "leaf-email-in ca-email", NULL, CLIENT, 0, NULL);
    run("root", "leaf-email-out ca-email", NULL, CLIENT, TERN_ERR_CERT_NAME,
        "certificate 0 (CN=email out): the name email a@example.org is outside the name constraints of "
        "certificate 1 (CN=NC Email CA)");
    run("root", "leaf-email-subj ca-email", NULL, CLIENT, TERN_ERR_CERT_NAME,
        "certificate 0 (CN=email subject): the subject's email a@example.org is outside the name constraints of "
        "certificate 1 (CN=NC Email CA)");
}

static void test_nc_uri(void **state) {
    (void)state;
    run("root", "leaf-uri-in ca-uri", "www.example.com", SERVER, 0, NULL);
    run("root", "leaf-uri-out ca-uri", NULL, SERVER, TERN_ERR_CERT_NAME,
        "certificate 0 (CN=uri out): the name URI https://evil.test/ is outside the name constraints of "
        "certificate 1 (CN=NC URI CA)");
    run("root", "leaf-uri-nohost ca-uri", NULL, SERVER, TERN_ERR_CERT_NAME,
        "certificate 0 (CN=uri no host): the URI urn:example:x has no host name, so it cannot be checked against "
        "the name constraints of certificate 1 (CN=NC URI CA)");
}

static void test_nc_unsupported_form(void **state) {
    (void)state;
    run("root", "leaf-other ca-other", "other.test", SERVER, TERN_ERR_CERT_UNSUPPORTED,
        "certificate 0 (CN=other) has a subjectAltName otherName, and tern does not support the otherName name "
        "constraints of certificate 1 (CN=NC otherName CA)");
    /* No otherName below: nothing the constraint could apply to. */
    run("root", "leaf-plain ca-other", "other.test", SERVER, 0, NULL);
}

static void test_nc_budget(void **state) {
    (void)state;
    run("root", "leaf-many ca-many", "n0.test", SERVER, TERN_ERR_CERT_CHAIN_TOO_LONG,
        "gave up checking the name constraints of certificate 1 (CN=NC many CA) after 1048576 name comparisons");
}

/* leaf-chain's issuer field is PrintableString "O=TERN TEST ", "CN= NAME
 * chaining CA"; ca-chain's subject is UTF8String "O=tern test", "CN=Name
 * Chaining CA". */
static void test_name_chaining(void **state) {
    (void)state;
    run("root", "leaf-chain ca-chain", "www.example.com", SERVER, 0, NULL);
    /* The same two as anchor: the trust store lookup matches too. */
    run("ca-chain", "leaf-chain", "www.example.com", SERVER, 0, NULL);
    run("root", "leaf-chain-other ca-chain", "www.example.com", SERVER, TERN_ERR_CERT_UNKNOWN_CA,
        "no certificate in the trust store issued certificate 0 (CN=www.example.com); its issuer is CN=Name "
        "Chaining CA2, O=tern test");
}

/* ---- DER by hand ---- */

typedef struct {
    uint8_t b[1024];
    size_t n;
} buf;

static void put(buf *o, const void *p, size_t n) {
    assert_true(o->n + n <= sizeof o->b);
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

/* Append tag + length + content (short or one-byte long form). */
static void tlv(buf *o, uint8_t tag, const void *p, size_t n) {
    uint8_t h[3] = {tag, 0, 0};
    if (n < 128) {
        h[1] = (uint8_t)n;
        put(o, h, 2);
    } else {
        assert_true(n < 256);
        h[1] = 0x81;
        h[2] = (uint8_t)n;
        put(o, h, 3);
    }
    put(o, p, n);
}

static const uint8_t OID_CN[] = {0x55, 0x04, 0x03};
static const uint8_t OID_O[] = {0x55, 0x04, 0x0a};

/* One AttributeTypeAndValue SEQUENCE. */
static void atv(buf *o, const uint8_t *oid, size_t on, uint8_t tag, const char *v) {
    buf a = {{0}, 0}, t = {{0}, 0};
    tlv(&a, TERN_DER_OID, oid, on);
    tlv(&a, tag, v, strlen(v));
    tlv(&t, TERN_DER_SEQUENCE, a.b, a.n);
    put(o, t.b, t.n);
}

/* A Name of up to two RDNs: rdn1 = CN (tag1, v1) [+ O (tag2, v2) when
 * multi], then, when v3, an O RDN. */
static tern_span name(buf *o, uint8_t tag1, const char *v1, int multi_o_first, const char *v3) {
    buf rdns = {{0}, 0}, set = {{0}, 0};
    if (multi_o_first == 1) {
        atv(&set, OID_O, sizeof OID_O, TERN_DER_UTF8_STRING, "tern");
        atv(&set, OID_CN, sizeof OID_CN, tag1, v1);
    } else {
        atv(&set, OID_CN, sizeof OID_CN, tag1, v1);
        if (multi_o_first == 2)
            atv(&set, OID_O, sizeof OID_O, TERN_DER_PRINTABLE_STRING, "TERN");
    }
    tlv(&rdns, TERN_DER_SET, set.b, set.n);
    if (v3) {
        buf s2 = {{0}, 0};
        atv(&s2, OID_O, sizeof OID_O, TERN_DER_PRINTABLE_STRING, v3);
        tlv(&rdns, TERN_DER_SET, s2.b, s2.n);
    }
    o->n = 0;
    tlv(o, TERN_DER_SEQUENCE, rdns.b, rdns.n);
    tern_span s = {o->b, o->n};
    return s;
}

static void test_name_eq(void **state) {
    (void)state;
    buf a, b;
    tern_span x = name(&a, TERN_DER_UTF8_STRING, "Example CA", 0, NULL);
    tern_span y = name(&b, TERN_DER_PRINTABLE_STRING, "  example   ca ", 0, NULL);
    assert_true(tern_x509_name_eq(x, y));
    assert_true(tern_x509_name_eq(y, x));
    assert_int_equal(tern_x509_name_key(x), tern_x509_name_key(y));
    y = name(&b, TERN_DER_PRINTABLE_STRING, "example ca2", 0, NULL);
    assert_int_not_equal(tern_x509_name_key(x), tern_x509_name_key(y));
    assert_false(tern_x509_name_eq(x, y));
    y = name(&b, TERN_DER_PRINTABLE_STRING, "exam ple ca", 0, NULL);
    assert_false(tern_x509_name_eq(x, y));
    /* Other string types compare byte for byte (tag included). */
    y = name(&b, TERN_DER_IA5_STRING, "Example CA", 0, NULL);
    assert_false(tern_x509_name_eq(x, y));
    /* Non-ASCII bytes are not folded. */
    x = name(&a, TERN_DER_UTF8_STRING, "\xc3\x89" "cole", 0, NULL);
    y = name(&b, TERN_DER_UTF8_STRING, "\xc3\xa9" "cole", 0, NULL);
    assert_false(tern_x509_name_eq(x, y));
    y = name(&b, TERN_DER_UTF8_STRING, " \xc3\x89" "COLE", 0, NULL);
    assert_true(tern_x509_name_eq(x, y));
    /* A multi-valued RDN is a set: order does not matter, values fold. */
    x = name(&a, TERN_DER_UTF8_STRING, "ca", 1, NULL);
    y = name(&b, TERN_DER_PRINTABLE_STRING, "CA", 2, NULL);
    assert_true(tern_x509_name_eq(x, y));
    assert_int_equal(tern_x509_name_key(x), tern_x509_name_key(y));
    y = name(&b, TERN_DER_PRINTABLE_STRING, "CA", 0, NULL);
    assert_false(tern_x509_name_eq(x, y));
    /* RDN count and prefixes (directoryName subtrees). */
    x = name(&a, TERN_DER_UTF8_STRING, "ca", 0, "Org");
    y = name(&b, TERN_DER_PRINTABLE_STRING, "CA", 0, NULL);
    assert_false(tern_x509_name_eq(x, y));
    assert_true(tern_x509_name_within(x, y));
    assert_false(tern_x509_name_within(y, x));
    /* An empty base covers everything. */
    uint8_t empty[] = {0x30, 0x00};
    tern_span e = {empty, sizeof empty};
    assert_true(tern_x509_name_within(x, e));
    assert_false(tern_x509_name_eq(x, e));
    /* Garbage equals only itself. */
    uint8_t junk[] = {0x30, 0x03, 0x31, 0x01, 0x00};
    tern_span j = {junk, sizeof junk};
    assert_true(tern_x509_name_eq(j, j));
    assert_false(tern_x509_name_eq(j, x));
    /* An RDN whose tail does not parse equals only its own bytes, in both
     * directions (libFuzzer found a SET {OU "", junk} that compared equal
     * one way and not the other). */
    uint8_t tail_ok[] = {0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x0b, 0x0c, 0x00};
    uint8_t tail_bad[] = {0x30, 0x0d, 0x31, 0x0b, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04,
                          0x0b, 0x0c, 0x00, 0x0c, 0x78};
    tern_span t1 = {tail_ok, sizeof tail_ok}, t2 = {tail_bad, sizeof tail_bad};
    assert_false(tern_x509_name_eq(t1, t2));
    assert_false(tern_x509_name_eq(t2, t1));
    /* Bytes after an attribute's value: equal only byte for byte. */
    uint8_t extra[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x0b, 0x0c, 0x00, 0x2e};
    uint8_t upper[] = {0x30, 0x0b, 0x31, 0x09, 0x30, 0x07, 0x06, 0x03, 0x55, 0x04, 0x0b, 0x13, 0x00};
    tern_span t3 = {extra, sizeof extra}, t4 = {upper, sizeof upper};
    assert_true(tern_x509_name_eq(t1, t4));
    assert_false(tern_x509_name_eq(t3, t4));
    assert_false(tern_x509_name_eq(t4, t3));

    /* Self-issued by the same comparison. */
    tern_x509_cert c;
    memset(&c, 0, sizeof c);
    x = name(&a, TERN_DER_UTF8_STRING, "Example CA", 0, NULL);
    y = name(&b, TERN_DER_PRINTABLE_STRING, "EXAMPLE CA", 0, NULL);
    c.issuer = x;
    c.subject = y;
    assert_true(tern_x509_self_issued(&c));
    y = name(&b, TERN_DER_PRINTABLE_STRING, "EXAMPLE CA 2", 0, NULL);
    c.subject = y;
    assert_false(tern_x509_self_issued(&c));
}

/* ---- the scan and the check on hand-made constraints ---- */

/* NameConstraints value with permitted (k = 0) or excluded (k = 1)
 * subtrees, each base given as a whole GeneralName TLV. */
static tern_span nc_value(buf *o, int k, const buf *bases) {
    buf list = {{0}, 0}, seq = {{0}, 0};
    tlv(&list, TERN_DER_CTX_CONS(k), bases->b, bases->n);
    o->n = 0;
    tlv(&seq, TERN_DER_SEQUENCE, list.b, list.n);
    put(o, seq.b, seq.n);
    tern_span s = {o->b, o->n};
    return s;
}

/* A GeneralSubtree SEQUENCE { base } appended to bases. */
static void subtree(buf *bases, uint8_t tag, const void *p, size_t n) {
    buf g = {{0}, 0};
    tlv(&g, tag, p, n);
    tlv(bases, TERN_DER_SEQUENCE, g.b, g.n);
}

static const char *scan_bad(uint8_t tag, const void *p, size_t n) {
    static buf v;
    buf bases = {{0}, 0};
    subtree(&bases, tag, p, n);
    tern_x509_cert c;
    memset(&c, 0, sizeof c);
    tern_x509_nc_scan(&c, nc_value(&v, 0, &bases));
    assert_true(c.has_name_constraints);
    return c.nc_bad;
}

static void test_nc_scan(void **state) {
    (void)state;
    assert_null(scan_bad(0x82, "example.com", 11));
    assert_null(scan_bad(0x82, "", 0));
    assert_non_null(scan_bad(0x82, ".example.com", 12));
    assert_non_null(scan_bad(0x82, "*.example.com", 13));
    assert_non_null(scan_bad(0x82, "a..b", 4));
    assert_non_null(scan_bad(0xa2, "", 0)); /* dNSName constructed */
    uint8_t ip[8] = {10, 0, 0, 0, 255, 0, 0, 0};
    assert_null(scan_bad(0x87, ip, 8));
    ip[5] = 0x80; /* /9 */
    assert_null(scan_bad(0x87, ip, 8));
    ip[5] = 0, ip[6] = 0x80; /* 255.0.128.0 */
    assert_non_null(scan_bad(0x87, ip, 8));
    ip[4] = 0xfe, ip[6] = 0; /* /7 */
    assert_null(scan_bad(0x87, ip, 8));
    ip[4] = 0xfd; /* 11111101 */
    assert_non_null(scan_bad(0x87, ip, 8));
    assert_non_null(scan_bad(0x87, ip, 7));
    uint8_t ip6[32] = {0x20, 0x01, 0x0d, 0xb8};
    memset(ip6 + 16, 0xff, 4);
    assert_null(scan_bad(0x87, ip6, 32));
    ip6[31] = 1;
    assert_non_null(scan_bad(0x87, ip6, 32));
    assert_null(scan_bad(0x81, "a@example.com", 13));
    assert_null(scan_bad(0x81, ".example.com", 12));
    assert_null(scan_bad(0x81, "example.com", 11));
    assert_non_null(scan_bad(0x81, "a@b@example.com", 15));
    assert_non_null(scan_bad(0x81, "@example.com", 12));
    assert_null(scan_bad(0x86, ".example.com", 12));
    assert_non_null(scan_bad(0x86, "https://example.com/", 20));
    assert_non_null(scan_bad(0x89, "x", 1)); /* no such GeneralName form */
    assert_non_null(scan_bad(0x88, "\x80", 1)); /* registeredID: a bad OID */

    /* Structure: an empty list, a maximum, no lists at all. */
    tern_x509_cert c;
    buf v = {{0}, 0}, empty = {{0}, 0};
    memset(&c, 0, sizeof c);
    tern_x509_nc_scan(&c, nc_value(&v, 1, &empty));
    assert_string_equal(c.nc_bad, "an empty excludedSubtrees list");
    uint8_t withmax[] = {0x30, 0x0a, 0xa0, 0x08, 0x30, 0x06, 0x82, 0x01, 'a', 0x81, 0x01, 0x01};
    tern_span wm = {withmax, sizeof withmax};
    memset(&c, 0, sizeof c);
    tern_x509_nc_scan(&c, wm);
    assert_string_equal(c.nc_bad, "a subtree with minimum or maximum, which RFC 5280 forbids");
    uint8_t none[] = {0x30, 0x00};
    tern_span nn = {none, sizeof none};
    memset(&c, 0, sizeof c);
    tern_x509_nc_scan(&c, nn);
    assert_string_equal(c.nc_bad, "neither permitted nor excluded subtrees");
    uint8_t notseq[] = {0x05, 0x00};
    tern_span ns = {notseq, sizeof notseq};
    memset(&c, 0, sizeof c);
    tern_x509_nc_scan(&c, ns);
    assert_non_null(c.nc_bad);
}

/* One leaf with the given SAN (GeneralNames content) below a CA with the
 * given constraints: the outcome. */
static tern_x509_nc_outcome check(int k, uint8_t btag, const char *base, uint8_t ntag, const char *n,
                                  tern_x509_nc_result *r) {
    buf v, bases = {{0}, 0}, san = {{0}, 0};
    subtree(&bases, btag, base, strlen(base));
    tern_x509_cert ca, leaf;
    memset(&ca, 0, sizeof ca);
    memset(&leaf, 0, sizeof leaf);
    tern_x509_nc_scan(&ca, nc_value(&v, k, &bases));
    assert_null(ca.nc_bad);
    tlv(&san, ntag, n, strlen(n));
    leaf.has_san = 1;
    leaf.san.p = san.b;
    leaf.san.len = san.n;
    static const uint8_t empty_name[] = {0x30, 0x00};
    leaf.subject.p = empty_name;
    leaf.subject.len = 2;
    const tern_x509_cert *below[1] = {&leaf};
    size_t work = 0;
    return tern_x509_nc_check(&ca, below, 1, &work, r);
}

static void test_nc_match(void **state) {
    (void)state;
    tern_x509_nc_result r;
    /* DNS: a base covers itself and below, not a longer label. */
    assert_int_equal(check(0, 0x82, "example.com", 0x82, "a.b.EXAMPLE.com", &r), TERN_X509_NC_OK);
    assert_int_equal(check(0, 0x82, "example.com", 0x82, "example.com.", &r), TERN_X509_NC_OK);
    assert_int_equal(check(0, 0x82, "example.com", 0x82, "badexample.com", &r), TERN_X509_NC_OUTSIDE);
    assert_string_equal(r.what, "the name badexample.com is outside the name constraints of");
    assert_int_equal(check(0, 0x82, "example.com", 0x82, "*.example.com", &r), TERN_X509_NC_OK);
    assert_int_equal(check(0, 0x82, "foo.example.com", 0x82, "*.example.com", &r), TERN_X509_NC_OUTSIDE);
    /* Excluded: a wildcard that could stand for an excluded name. */
    assert_int_equal(check(1, 0x82, "bar.example.com", 0x82, "*.example.com", &r), TERN_X509_NC_OUTSIDE);
    assert_int_equal(check(1, 0x82, "bar.example.com", 0x82, "*.other.com", &r), TERN_X509_NC_OK);
    /* An invalid SAN DNS name cannot be judged. */
    assert_int_equal(check(0, 0x82, "example.com", 0x82, ".example.com", &r), TERN_X509_NC_OUTSIDE);
    assert_string_equal(r.what, "the name .example.com is not a valid DNS name, so it cannot be checked against the "
                                "name constraints of");
    /* Forms the CA does not constrain pass. */
    assert_int_equal(check(0, 0x82, "example.com", 0x81, "a@other.test", &r), TERN_X509_NC_OK);
    /* E-mail forms: mailbox (local part exact), host, .domain. */
    assert_int_equal(check(0, 0x81, "a@example.com", 0x81, "a@EXAMPLE.com", &r), TERN_X509_NC_OK);
    assert_int_equal(check(0, 0x81, "a@example.com", 0x81, "A@example.com", &r), TERN_X509_NC_OUTSIDE);
    assert_int_equal(check(0, 0x81, "example.com", 0x81, "x@example.com", &r), TERN_X509_NC_OK);
    assert_int_equal(check(0, 0x81, "example.com", 0x81, "x@sub.example.com", &r), TERN_X509_NC_OUTSIDE);
    assert_int_equal(check(0, 0x81, ".example.com", 0x81, "x@sub.example.com", &r), TERN_X509_NC_OK);
    assert_int_equal(check(0, 0x81, ".example.com", 0x81, "x@example.com", &r), TERN_X509_NC_OUTSIDE);
    /* URIs by host. */
    assert_int_equal(check(0, 0x86, "example.com", 0x86, "https://user@example.com:443/p?q#f", &r),
                     TERN_X509_NC_OK);
    assert_int_equal(check(0, 0x86, ".example.com", 0x86, "https://example.com/", &r), TERN_X509_NC_OUTSIDE);
    assert_int_equal(check(0, 0x86, ".example.com", 0x86, "ftp://a.example.com", &r), TERN_X509_NC_OK);
    assert_int_equal(check(0, 0x86, "example.com", 0x86, "https://[::1]/", &r), TERN_X509_NC_OUTSIDE);
    assert_string_equal(r.what,
                        "the URI https://[::1]/ has no host name, so it cannot be checked against the name "
                        "constraints of");
    /* An unsupported form with such a name below. */
    assert_int_equal(check(1, 0x88, "\x2b\x06\x01", 0x88, "\x2b\x06\x01", &r), TERN_X509_NC_UNSUPPORTED);
}

/* '_' is not in the preferred name syntax: no match either way. */
static void test_underscore(void **state) {
    (void)state;
    buf san = {{0}, 0}, subj;
    tlv(&san, 0x82, "foo_bar.example.com", 19);
    tlv(&san, 0x82, "www.example.com", 15);
    tern_x509_cert c;
    memset(&c, 0, sizeof c);
    c.has_san = 1;
    c.san.p = san.b;
    c.san.len = san.n;
    c.subject = name(&subj, TERN_DER_UTF8_STRING, "u", 0, NULL);
    char msg[256];
    assert_int_equal(tern_x509_check_name(&c, "www.example.com", msg, sizeof msg), 0);
    assert_int_equal(tern_x509_check_name(&c, "foo_bar.example.com", msg, sizeof msg), TERN_ERR_CERT_NAME);
    assert_string_equal(msg, "certificate 0 (CN=u) is not for the (invalid) name \"foo_bar.example.com\"; it names "
                             "DNS:foo_bar.example.com, DNS:www.example.com");
}

static void test_format_ip(void **state) {
    (void)state;
    static const struct {
        const char *in, *out;
    } v[] = {
        {"::1", "::1"},
        {"::", "::"},
        {"2001:db8::1", "2001:db8::1"},
        {"2001:DB8:0:0:1:0:0:1", "2001:db8::1:0:0:1"}, /* the first of equal runs */
        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, /* one zero group stays */
        {"fe80::", "fe80::"},
        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
        {"10.0.0.255", "10.0.0.255"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t ip[16];
        char out[64];
        int n = tern_x509_parse_ip(v[i].in, ip);
        assert_true(n == 4 || n == 16);
        tern_x509_format_ip(ip, (size_t)n, out, sizeof out);
        assert_string_equal(out, v[i].out);
    }
    char out[64];
    tern_x509_format_ip((const uint8_t *)"abcde", 5, out, sizeof out);
    assert_string_equal(out, "(5 bytes)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_cn_fallback), cmocka_unit_test(test_nc_dns),
        cmocka_unit_test(test_nc_on_leaf),     cmocka_unit_test(test_nc_malformed),
        cmocka_unit_test(test_nc_dirname),     cmocka_unit_test(test_nc_email),
        cmocka_unit_test(test_nc_uri),         cmocka_unit_test(test_nc_unsupported_form),
        cmocka_unit_test(test_nc_budget),      cmocka_unit_test(test_name_chaining),
        cmocka_unit_test(test_name_eq),        cmocka_unit_test(test_nc_scan),
        cmocka_unit_test(test_nc_match),       cmocka_unit_test(test_underscore),
        cmocka_unit_test(test_format_ip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
