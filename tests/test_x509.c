/*
 * Tests for lib/x509/x509.c (certificate parsing, keys, display names) and
 * lib/x509/store.c (trust store, key store): the fixtures of
 * vectors/certs (made by tests/certs/make-certs.sh), the tls12-trace
 * certificates, every certificate of the system bundle, and truncation at
 * every byte plus every single-bit flip of a real certificate and a real
 * key (run under ASan/UBSan by make check).  With libcrypto present, every
 * certificate tern accepts (fixtures, system bundle, and each bit-flipped
 * variant that still parses) is also read by OpenSSL and must give the same
 * validity, names, serial, key, basicConstraints, keyUsage and SAN counts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#endif

#include "crypto/ecdsa.h"
#include "lib/x509/pem.h"
#include "lib/x509/store.h"
#include "lib/x509/verify.h"
#include "lib/x509/x509.h"
#include "tests/util/testutil.h"

/* The idx-th PEM block of a vector file, decoded (malloc'd). */
static uint8_t *pem_block(const char *rel, int idx, size_t *len) {
    size_t tlen;
    char *txt = tv_slurp(tv_path(rel), &tlen);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)txt, tlen);
    for (int i = 0; i <= idx; i++)
        assert_int_equal(tern_pem_next(&r, &b), 1);
    size_t cap = tern_pem_decoded_max(&b);
    uint8_t *der = malloc(cap);
    assert_int_equal(tern_pem_decode(&b, der, cap, len), 0);
    free(txt);
    return der;
}

static const char *all_fixture_certs[] = {
    "root-ca", "int-ca", "server", "client", "wildcard", "badwild", "expired", "notyet", "wrong-eku", "no-eku",
    "bad-ku", "critical-ext", "noncritical-ext", "cn-only", "cn-and-san", "ip-san", "sha1", "sha384", "sha512",
    "pss", "pss384", "rsa1024", "rsa4096", "ec256", "ec384", "selfsigned", "int-notca", "leaf-notca", "int-nokcs",
    "leaf-nokcs", "int-expired", "leaf-intexpired", "sub-ca", "leaf-pathlen", "int-ca-evil", "root2-ca",
    "int-ca-cross", "deep1", "deep5", "deep9", "leaf-deep", "ec-root", "ec-leaf", "empty-subject", "int-nc",
    "leaf-nc", "int-nc-dirname", "loop1", "ecp256-root", "ecp256-leaf", "ec-server",
};

#define T2020 1577836800LL /* 2020-01-01 */
#define T2045 2366841600LL
#define T2050 2524608000LL

static void parse_file(const char *name, tern_x509_cert *c, uint8_t **der) {
    char rel[128];
    size_t len;
    snprintf(rel, sizeof rel, "certs/%s.crt", name);
    *der = pem_block(rel, 0, &len);
    int rc = tern_x509_parse(c, *der, len);
    if (rc != 0)
        fail_msg("%s: parse gave %d", name, rc);
}

/* Cross-check a parsed certificate against OpenSSL's parser: validity,
 * names (as DER), serial, key size, basicConstraints, SAN counts. */
static void crosscheck(const tern_x509_cert *c) {
#ifdef TERN_TEST_HAVE_OPENSSL
    const unsigned char *p = c->der.p;
    X509 *x = d2i_X509(NULL, &p, (long)c->der.len);
    assert_non_null(x);
    int64_t t[2] = {c->not_before, c->not_after};
    const ASN1_TIME *ot[2] = {X509_get0_notBefore(x), X509_get0_notAfter(x)};
    for (int i = 0; i < 2; i++) {
        struct tm tm;
        assert_int_equal(ASN1_TIME_to_tm(ot[i], &tm), 1);
        int64_t secs = tern_der_days_from_civil(tm.tm_year + 1900, (unsigned)tm.tm_mon + 1, (unsigned)tm.tm_mday) *
                           86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
        assert_true(secs == t[i]);
    }
    unsigned char *d = NULL;
    int dl = i2d_X509_NAME(X509_get_subject_name(x), &d);
    assert_true(dl > 0 && (size_t)dl == c->subject.len && memcmp(d, c->subject.p, c->subject.len) == 0);
    OPENSSL_free(d);
    d = NULL;
    dl = i2d_X509_NAME(X509_get_issuer_name(x), &d);
    assert_true(dl > 0 && (size_t)dl == c->issuer.len && memcmp(d, c->issuer.p, c->issuer.len) == 0);
    OPENSSL_free(d);
    const ASN1_INTEGER *serial = X509_get0_serialNumber(x);
    d = NULL;
    dl = i2d_ASN1_INTEGER((ASN1_INTEGER *)serial, &d);
    assert_true(dl > 2 && (size_t)dl == c->serial.len + 2 && memcmp(d + 2, c->serial.p, c->serial.len) == 0);
    OPENSSL_free(d);
    EVP_PKEY *k = X509_get0_pubkey(x);
    if (k == NULL) {
        /* OpenSSL decodes the key eagerly and refuses an EC point that is
         * not on the curve or an algorithm it does not know; tern keeps
         * the bytes (the ECDSA verifier checks the point when it is used;
         * an unknown key type is refused when it is used). */
        assert_true(c->key.type == TERN_X509_KEY_EC || c->key.type == TERN_X509_KEY_UNKNOWN);
    } else {
        if (c->key.type != TERN_X509_KEY_UNKNOWN)
            assert_int_equal((size_t)EVP_PKEY_get_bits(k), c->key.bits);
        assert_int_equal(EVP_PKEY_get_base_id(k) == EVP_PKEY_RSA, c->key.type == TERN_X509_KEY_RSA);
        assert_int_equal(EVP_PKEY_get_base_id(k) == EVP_PKEY_EC, c->key.type == TERN_X509_KEY_EC);
    }
    uint32_t flags = X509_get_extension_flags(x);
    if (flags & EXFLAG_INVALID) {
        /* OpenSSL decodes every extension it knows (CRL distribution
         * points, name constraints ...) and gives up on the cached ones if
         * any is malformed; tern ignores non-critical extensions it does
         * not use and refuses critical ones.  Nothing more to compare. */
        X509_free(x);
        return;
    }
    assert_int_equal((flags & EXFLAG_BCONS) != 0, c->has_basic_constraints);
    if (c->has_basic_constraints)
        assert_int_equal((flags & EXFLAG_CA) != 0, c->is_ca);
    if (c->has_path_len)
        assert_int_equal(X509_get_pathlen(x), (long)c->path_len);
    if (c->has_key_usage) {
        /* OpenSSL numbers keyUsage bits as the bytes of the BIT STRING
         * (digitalSignature = 0x80, ..., decipherOnly = 0x8000). */
        uint32_t ours = 0;
        for (unsigned b = 0; b < 8; b++)
            if (c->key_usage & (1u << b))
                ours |= 0x80u >> b;
        if (c->key_usage & TERN_X509_KU_DECIPHER_ONLY)
            ours |= 0x8000;
        assert_int_equal(X509_get_key_usage(x), ours);
    }
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    assert_int_equal(gens != NULL, c->has_san);
    if (gens) {
        size_t dns = 0, ip = 0;
        for (int i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
            const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
            dns += g->type == GEN_DNS;
            ip += g->type == GEN_IPADD;
        }
        assert_int_equal(dns, c->san_dns_count);
        assert_int_equal(ip, c->san_ip_count);
        GENERAL_NAMES_free(gens);
    }
    X509_free(x);
#else
    (void)c;
#endif
}

static void test_parse_fixtures(void **state) {
    (void)state;
    for (size_t i = 0; i < TERN_ARRAY_LEN(all_fixture_certs); i++) {
        tern_x509_cert c;
        uint8_t *der;
        parse_file(all_fixture_certs[i], &c, &der);
        assert_int_equal(c.version, 3);
        assert_true(c.tbs.p > der && c.tbs.p + c.tbs.len < der + c.der.len);
        assert_true(c.signature.len > 0);
        crosscheck(&c);
        free(der);
    }
}

static void test_parse_fields(void **state) {
    (void)state;
    tern_x509_cert c;
    uint8_t *der;
    char s[256];

    parse_file("root-ca", &c, &der);
    assert_true(c.not_before == T2020 && c.not_after == T2050); /* GeneralizedTime */
    assert_true(c.has_basic_constraints && c.is_ca && !c.has_path_len);
    assert_true(c.has_key_usage && c.key_usage == (TERN_X509_KU_KEY_CERT_SIGN | TERN_X509_KU_CRL_SIGN));
    assert_true(tern_x509_self_issued(&c));
    assert_true(c.has_ski && c.ski.len == 20);
    assert_int_equal(c.sig_alg.type, TERN_X509_SIG_RSA_PKCS1);
    assert_int_equal(c.sig_alg.hash, TERN_HASH_SHA256);
    tern_x509_name_display(c.subject, s, sizeof s);
    assert_string_equal(s, "CN=Test Root CA, O=tern test, C=XX");
    tern_x509_cert_label(&c, s, sizeof s);
    assert_string_equal(s, "CN=Test Root CA");
    free(der);

    parse_file("int-ca", &c, &der);
    assert_true(c.is_ca && c.has_path_len && c.path_len == 0);
    assert_true(c.has_aki && c.aki.len == 20);
    assert_false(tern_x509_self_issued(&c));
    free(der);

    parse_file("server", &c, &der);
    assert_true(c.not_before == T2020 && c.not_after == T2045);
    assert_true(c.has_basic_constraints && !c.is_ca);
    assert_true(c.key_usage == (TERN_X509_KU_DIGITAL_SIGNATURE | TERN_X509_KU_KEY_ENCIPHERMENT));
    assert_true(c.has_eku && c.eku == TERN_X509_EKU_SERVER_AUTH);
    assert_true(c.has_san && c.san_dns_count == 2 && c.san_ip_count == 2);
    assert_int_equal(c.key.type, TERN_X509_KEY_RSA);
    assert_int_equal(c.key.bits, 2048);
    assert_int_equal(c.key.rsa_n.len, 256);
    assert_int_equal(c.key.rsa_e.len, 3);
    assert_false(c.unknown_critical);
    tern_x509_name_display(c.issuer, s, sizeof s);
    assert_string_equal(s, "CN=Test Intermediate, O=tern test, C=XX");
    /* A small buffer truncates with "...". */
    char small[16];
    tern_x509_name_display(c.issuer, small, sizeof small);
    assert_int_equal(strlen(small), 15);
    assert_string_equal(small + 12, "...");
    free(der);

    parse_file("client", &c, &der);
    assert_true(c.eku == TERN_X509_EKU_CLIENT_AUTH && c.key_usage == TERN_X509_KU_DIGITAL_SIGNATURE);
    free(der);
    parse_file("wrong-eku", &c, &der);
    assert_true(c.eku == TERN_X509_EKU_OTHER);
    free(der);
    parse_file("no-eku", &c, &der);
    assert_false(c.has_eku);
    free(der);
    parse_file("expired", &c, &der);
    assert_true(c.not_before == 1420070400LL && c.not_after == T2020);
    free(der);
    parse_file("critical-ext", &c, &der);
    assert_true(c.unknown_critical);
    static const uint8_t oid55555[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0x83, 0xb2, 0x03, 0x01, 0x01};
    assert_true(TERN_DER_OID_EQ(c.unknown_critical_oid, oid55555));
    free(der);
    parse_file("noncritical-ext", &c, &der);
    assert_false(c.unknown_critical);
    free(der);
    parse_file("int-notca", &c, &der);
    assert_true(c.has_basic_constraints && !c.is_ca);
    free(der);
    parse_file("sha1", &c, &der);
    assert_int_equal(c.sig_alg.type, TERN_X509_SIG_RSA_SHA1);
    free(der);
    parse_file("sha512", &c, &der);
    assert_true(c.sig_alg.type == TERN_X509_SIG_RSA_PKCS1 && c.sig_alg.hash == TERN_HASH_SHA512);
    free(der);
    parse_file("pss", &c, &der);
    assert_true(c.sig_alg.type == TERN_X509_SIG_RSA_PSS && c.sig_alg.hash == TERN_HASH_SHA256 &&
                c.sig_alg.salt_len == 32);
    free(der);
    parse_file("pss384", &c, &der);
    assert_true(c.sig_alg.type == TERN_X509_SIG_RSA_PSS && c.sig_alg.hash == TERN_HASH_SHA384 &&
                c.sig_alg.salt_len == 48);
    free(der);
    parse_file("rsa1024", &c, &der);
    assert_int_equal(c.key.bits, 1024);
    tern_x509_key k;
    assert_int_equal(tern_x509_key_load(&c, &k), TERN_ERR_CERT_UNSUPPORTED);
    free(der);
    parse_file("rsa4096", &c, &der);
    assert_int_equal(c.key.bits, 4096);
    free(der);
    parse_file("ec256", &c, &der);
    assert_true(c.key.type == TERN_X509_KEY_EC && c.key.curve == TERN_X509_CURVE_P256 && c.key.ec_point.len == 65);
    assert_int_equal(tern_x509_key_load(&c, &k), 0);
    assert_true(k.type == TERN_X509_KEY_EC && k.ec_point_len == 65 && k.ec_point[0] == 4);
    free(der);
    parse_file("ec384", &c, &der);
    assert_true(c.key.curve == TERN_X509_CURVE_P384 && c.key.ec_point.len == 97);
    free(der);
    parse_file("ec-leaf", &c, &der);
    assert_true(c.sig_alg.type == TERN_X509_SIG_ECDSA && c.sig_alg.hash == TERN_HASH_SHA256);
    free(der);
    parse_file("ip-san", &c, &der);
    assert_true(c.san_dns_count == 0 && c.san_ip_count == 2);
    free(der);

    /* The tls12-trace certificates (a Go-made CA and server). */
    size_t len;
    der = pem_block("tls12-trace/files/server.crt", 0, &len);
    assert_int_equal(tern_x509_parse(&c, der, len), 0);
    assert_int_equal(c.key.bits, 2048);
    assert_false(c.has_san);
    assert_true(c.not_before == 1538703497LL && c.not_after == 1570239497LL); /* 2018/2019-10-05 01:38:17 */
    assert_true(c.eku == (TERN_X509_EKU_SERVER_AUTH | TERN_X509_EKU_CLIENT_AUTH));
    tern_x509_name_display(c.subject, s, sizeof s);
    assert_string_equal(s, "CN=example.ulfheim.net, C=US");
    tern_x509_cert_label(&c, s, sizeof s);
    assert_string_equal(s, "CN=example.ulfheim.net");
    free(der);
    der = pem_block("tls12-trace/files/ca.crt", 0, &len);
    assert_int_equal(tern_x509_parse(&c, der, len), 0);
    tern_x509_cert_label(&c, s, sizeof s);
    assert_string_equal(s, "O=Example CA, C=US"); /* no CN: the whole name */
    free(der);
}

/* What the parser records for the profile checks of path validation
 * (criticality, AKI fields, AIA), on the fixtures of
 * tests/certs/make-profile-certs.sh; and a malformed authorityInfoAccess
 * refused at parse. */
static void test_profile_fields(void **state) {
    (void)state;
    static const struct {
        const char *file;
        int aki_critical, ski_critical, san_critical, eku_critical, bc_critical, aki_issuer_serial, has_aki_ext,
            has_aia;
    } cases[] = {
        {"certs/profile/leaf-ok.crt", 0, 0, 0, 0, 1, 0, 1, 0},
        {"certs/profile/leaf-aki-critical.crt", 1, 0, 0, 0, 1, 0, 1, 0},
        {"certs/profile/leaf-ski-critical.crt", 0, 1, 0, 0, 1, 0, 1, 0},
        {"certs/profile/leaf-san-critical.crt", 0, 0, 1, 0, 1, 0, 1, 0},
        {"certs/profile/leaf-eku-critical.crt", 0, 0, 0, 1, 1, 0, 1, 0},
        {"certs/profile/leaf-no-aki.crt", 0, 0, 0, 0, 1, 0, 0, 0},
        {"certs/profile/root-bc-noncritical.crt", 0, 0, 0, 0, 0, 0, 0, 0},
        {"certs/profile/root-aki-issuer.crt", 0, 0, 0, 0, 1, 1, 1, 0},
        {"certs/profile/leaf-aia.crt", 0, 0, 0, 0, 1, 0, 1, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len;
        uint8_t *der = pem_block(cases[i].file, 0, &len);
        tern_x509_cert c;
        assert_int_equal(tern_x509_parse(&c, der, len), 0);
        if (c.aki_critical != cases[i].aki_critical || c.ski_critical != cases[i].ski_critical ||
            c.san_critical != cases[i].san_critical || c.eku_critical != cases[i].eku_critical ||
            c.bc_critical != cases[i].bc_critical || c.aki_issuer_serial != cases[i].aki_issuer_serial ||
            c.has_aki_ext != cases[i].has_aki_ext || c.has_aia != cases[i].has_aia)
            fail_msg("%s: flags aki %d ski %d san %d eku %d bc %d aki-issuer %d aki %d aia %d", cases[i].file,
                     c.aki_critical, c.ski_critical, c.san_critical, c.eku_critical, c.bc_critical,
                     c.aki_issuer_serial, c.has_aki_ext, c.has_aia);
        free(der);
    }
    /* authorityInfoAccess (RFC 5280 §4.2.2.1): an accessLocation that is
     * no GeneralName (the URI's [6] tag turned into a universal
     * IA5String, same length) and an accessMethod that is no OID make the
     * certificate malformed. */
    size_t len;
    uint8_t *der = pem_block("certs/profile/leaf-aia.crt", 0, &len);
    static const uint8_t aia_oid[] = {0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};
    size_t at = 0;
    while (at + sizeof aia_oid <= len && memcmp(der + at, aia_oid, sizeof aia_oid) != 0)
        at++;
    assert_true(at + sizeof aia_oid <= len);
    /* 04 LL (OCTET STRING) 30 LL (SEQUENCE OF) 30 LL (AccessDescription) 06 08 <OID> 86 LL <URI> */
    size_t ad = at + sizeof aia_oid + 4;
    assert_int_equal(der[ad], 0x30);
    size_t method = ad + 2, loc = method + 2 + der[method + 1];
    assert_int_equal(der[method], 0x06);
    assert_int_equal(der[loc], 0x86);
    tern_x509_cert c;
    der[loc] = 0x16;
    assert_int_equal(tern_x509_parse(&c, der, len), TERN_ERR_CERT_BAD);
    der[loc] = 0x86;
    assert_int_equal(tern_x509_parse(&c, der, len), 0);
    der[method] = 0x04;
    assert_int_equal(tern_x509_parse(&c, der, len), TERN_ERR_CERT_BAD);
    free(der);
}

/* Hand-made variations of a real certificate that must be refused. */
static void test_parse_negative(void **state) {
    (void)state;
    size_t len;
    uint8_t *der = pem_block("certs/server.crt", 0, &len);
    tern_x509_cert c;
    assert_int_equal(tern_x509_parse(&c, der, len), 0);
    /* Trailing byte after the certificate. */
    uint8_t *more = malloc(len + 1);
    memcpy(more, der, len);
    more[len] = 0;
    assert_int_equal(tern_x509_parse(&c, more, len + 1), TERN_ERR_CERT_BAD);
    free(more);
    /* Outer signature algorithm differing from the TBS one: flip the hash
     * byte of the outer AlgorithmIdentifier (sha256 0x0b -> sha384 0x0c). */
    uint8_t *x = malloc(len);
    memcpy(x, der, len);
    tern_x509_cert ok;
    assert_int_equal(tern_x509_parse(&ok, x, len), 0);
    size_t off = (size_t)(ok.sig_alg.tlv.p - x) + 12; /* 30 0d 06 09 <9 bytes>: last OID byte */
    assert_int_equal(x[off], 0x0b);
    x[off] = 0x0c;
    assert_int_equal(tern_x509_parse(&c, x, len), TERN_ERR_CERT_BAD);
    free(x);
    /* Empty and tiny inputs. */
    assert_int_equal(tern_x509_parse(&c, der, 0), TERN_ERR_CERT_BAD);
    assert_int_equal(tern_x509_parse(&c, (const uint8_t *)"\x30\x00", 2), TERN_ERR_CERT_BAD);
    free(der);
}

/* Every prefix of a real certificate fails; every single-bit flip either
 * fails or parses into spans that lie inside the buffer.  The buffer is an
 * exact-size heap copy, so ASan sees any read past it. */
static void check_spans(const tern_x509_cert *c, const uint8_t *buf, size_t len) {
    const tern_span spans[] = {c->tbs, c->serial, c->issuer, c->subject, c->signature, c->key.spki, c->san};
    for (size_t i = 0; i < TERN_ARRAY_LEN(spans); i++)
        if (spans[i].len)
            assert_true(spans[i].p >= buf && spans[i].p + spans[i].len <= buf + len);
}

static void mutate_cert(const char *rel) {
    size_t len;
    uint8_t *der = pem_block(rel, 0, &len);
    tern_x509_cert c;
    char s[256];
    for (size_t n = 0; n < len; n++) {
        uint8_t *p = malloc(n ? n : 1);
        memcpy(p, der, n);
        assert_int_equal(tern_x509_parse(&c, p, n), TERN_ERR_CERT_BAD);
        free(p);
    }
    size_t accepted = 0;
    uint8_t *p = malloc(len);
    for (size_t bit = 0; bit < len * 8; bit++) {
        memcpy(p, der, len);
        p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        if (tern_x509_parse(&c, p, len) == 0) {
            accepted++;
            check_spans(&c, p, len);
            tern_x509_name_display(c.subject, s, sizeof s);
            tern_x509_cert_label(&c, s, sizeof s);
            if (accepted % 4 == 1) /* a sample: OpenSSL's parse is the slow part */
                crosscheck(&c);    /* what tern accepts, OpenSSL reads the same way */
            tern_x509_key k;
            int krc = tern_x509_key_load(&c, &k);
            assert_true(krc == 0 || krc == TERN_ERR_CERT_UNSUPPORTED || krc == TERN_ERR_BAD_KEY);
        }
    }
    free(p);
    /* Flips inside key/signature/string bytes still parse; flips in
     * structure must not.  Both kinds exist. */
    assert_true(accepted > 0 && accepted < len * 8);
    print_message("%s: %zu of %zu bit flips still parse (content bytes)\n", rel, accepted, len * 8);
    free(der);
}

static void test_mutations(void **state) {
    (void)state;
    mutate_cert("certs/server.crt");
    mutate_cert("tls12-trace/files/server.crt");
    mutate_cert("certs/ec-server.crt");
}

/* ---- trust store ---- */

static void test_truststore(void **state) {
    (void)state;
    tern_truststore ts;
    tern_truststore_init(&ts);
    assert_int_equal(tern_truststore_load_file(&ts, tv_path("certs/root-ca.crt")), 1);
    assert_int_equal(tern_truststore_load_file(&ts, tv_path("certs/root-ca.crt")), 0); /* duplicate */
    assert_int_equal(ts.n, 1);
    /* A bundle with a broken block in the middle loads the rest. */
    assert_int_equal(tern_truststore_load_file(&ts, tv_path("certs/bundle-with-bad.pem")), 1); /* root2 */
    assert_int_equal(ts.n, 2);
    assert_int_equal(ts.bad, 1);
    assert_non_null(strstr(ts.msg, "bundle-with-bad.pem: the certificate at line "));
    assert_non_null(strstr(ts.msg, "not a valid certificate"));
    /* Lookup by subject. */
    size_t len, it = 0;
    uint8_t *der = pem_block("certs/int-ca.crt", 0, &len);
    tern_x509_cert c;
    assert_int_equal(tern_x509_parse(&c, der, len), 0);
    const tern_trust_anchor *a = tern_truststore_find(&ts, c.issuer, &it);
    assert_non_null(a);
    char s[128];
    tern_x509_cert_label(&a->cert, s, sizeof s);
    assert_string_equal(s, "CN=Test Root CA");
    assert_null(tern_truststore_find(&ts, c.issuer, &it));
    it = 0;
    assert_null(tern_truststore_find(&ts, c.subject, &it));
    free(der);
    /* Errors. */
    assert_int_equal(tern_truststore_load_file(&ts, tv_path("certs/does-not-exist.pem")), TERN_ERR_FILE);
    assert_int_equal(tern_truststore_load_file(&ts, tv_path("certs/server.key")), TERN_ERR_PEM);
    assert_non_null(strstr(ts.msg, "no CERTIFICATE block"));
    assert_int_equal(tern_truststore_add_pem(&ts, (const uint8_t *)"hello", 5, NULL), TERN_ERR_PEM);
    static const char only_bad[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    assert_int_equal(tern_truststore_add_pem(&ts, (const uint8_t *)only_bad, strlen(only_bad), "x"),
                     TERN_ERR_CERT_BAD);
    static const char no_end[] = "-----BEGIN CERTIFICATE-----\nMIIB\n";
    assert_int_equal(tern_truststore_add_pem(&ts, (const uint8_t *)no_end, strlen(no_end), "x"), TERN_ERR_PEM);
    tern_truststore_free(&ts);

    /* A directory: every certificate of vectors/certs (key files skipped;
     * the bad block of the bundle counted). */
    tern_truststore_init(&ts);
    int n = tern_truststore_load_dir(&ts, tv_path("certs"));
    assert_true(n >= (int)TERN_ARRAY_LEN(all_fixture_certs));
    assert_int_equal(ts.bad, 1);
    print_message("vectors/certs as a directory: %d certificates\n", n);
    tern_truststore_free(&ts);
    tern_truststore_init(&ts);
    assert_int_equal(tern_truststore_load_dir(&ts, tv_path("no-such-dir")), TERN_ERR_FILE);
    tern_truststore_free(&ts);

    tern_truststore_init(&ts);
    n = tern_truststore_load_system(&ts);
    if (n > 0)
        print_message("system trust store: %d certificates (%zu rejected)\n", n, ts.bad);
    else
        assert_int_equal(n, TERN_ERR_FILE);
    tern_truststore_free(&ts);
}

/* ---- key store ---- */

static void load_ks(tern_keystore *ks, const char *chain, const char *key, int want, const char *msg_part) {
    char c[256], k[256];
    snprintf(c, sizeof c, "%s", tv_path(chain));
    snprintf(k, sizeof k, "%s", tv_path(key));
    int rc = tern_keystore_load_files(ks, c, k);
    if (rc != want)
        fail_msg("%s + %s: got %d (%s), want %d", chain, key, rc, ks->msg, want);
    if (msg_part && !strstr(ks->msg, msg_part))
        fail_msg("%s + %s: message \"%s\" lacks \"%s\"", chain, key, ks->msg, msg_part);
}

static void check_sign(const tern_keystore *ks) {
    tern_x509_key pub;
    assert_int_equal(tern_x509_key_load(&ks->leaf, &pub), 0);
    uint8_t digest[48], sig[TERN_RSA_MAX_BYTES];
    size_t siglen = 0;
    uint64_t seed = 3;
    assert_int_equal(tern_hash(TERN_HASH_SHA384, digest, "to be signed", 12), 0);
    assert_int_equal(tern_keystore_sign(ks, TERN_KEYSTORE_RSA_PKCS1, TERN_HASH_SHA384, digest, sig, sizeof sig,
                                        &siglen, tv_rng, &seed),
                     0);
    assert_int_equal(siglen, pub.bits / 8);
    assert_int_equal(tern_rsa_pkcs1_verify(&pub.rsa, TERN_HASH_SHA384, digest, sig, siglen), 0);
    assert_int_equal(tern_keystore_sign(ks, TERN_KEYSTORE_RSA_PSS, TERN_HASH_SHA256, digest, sig, sizeof sig,
                                        &siglen, tv_rng, &seed),
                     0);
    assert_int_equal(tern_rsa_pss_verify(&pub.rsa, TERN_HASH_SHA256, digest, sig, siglen), 0);
    assert_int_equal(tern_rsa_pss_verify(&pub.rsa, TERN_HASH_SHA384, digest, sig, siglen), TERN_ERR_BAD_SIGNATURE);
    assert_int_equal(tern_keystore_sign(ks, TERN_KEYSTORE_RSA_PSS, TERN_HASH_SHA256, digest, sig, siglen - 1,
                                        &siglen, tv_rng, &seed),
                     TERN_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(tern_keystore_sign(ks, TERN_KEYSTORE_ECDSA, TERN_HASH_SHA256, digest, sig, sizeof sig, &siglen,
                                        tv_rng, &seed),
                     TERN_ERR_INVALID_ARG);
}

static void check_sign_ec(const tern_keystore *ks) {
    uint8_t digest[32], sig[TERN_ECDSA_P256_MAX_SIG_LEN];
    size_t siglen = 0;
    uint64_t seed = 5;
    assert_int_equal(tern_hash(TERN_HASH_SHA256, digest, "to be signed", 12), 0);
    assert_int_equal(tern_keystore_sign(ks, TERN_KEYSTORE_ECDSA, TERN_HASH_SHA256, digest, sig, sizeof sig, &siglen,
                                        tv_rng, &seed),
                     0);
    assert_int_equal(ks->leaf.key.ec_point.len, 65);
    assert_int_equal(tern_ecdsa_p256_verify(ks->leaf.key.ec_point.p, TERN_HASH_SHA256, digest, sig, siglen), 0);
    digest[0] ^= 1;
    assert_int_equal(tern_ecdsa_p256_verify(ks->leaf.key.ec_point.p, TERN_HASH_SHA256, digest, sig, siglen),
                     TERN_ERR_BAD_SIGNATURE);
    /* An RSA scheme with an EC key is a caller error. */
    assert_int_equal(tern_keystore_sign(ks, TERN_KEYSTORE_RSA_PKCS1, TERN_HASH_SHA256, digest, sig, sizeof sig,
                                        &siglen, tv_rng, &seed),
                     TERN_ERR_INVALID_ARG);
}

static void test_keystore(void **state) {
    (void)state;
    tern_keystore ks;
    load_ks(&ks, "certs/server-chain.pem", "certs/server.key", 0, NULL);
    assert_int_equal(ks.n, 2);
    assert_int_equal(ks.key_type, TERN_X509_KEY_RSA);
    char s[128];
    tern_x509_cert_label(&ks.leaf, s, sizeof s);
    assert_string_equal(s, "CN=localhost");
    tern_x509_cert c;
    assert_int_equal(tern_x509_parse(&c, ks.chain[1], ks.chain_len[1]), 0);
    tern_x509_cert_label(&c, s, sizeof s);
    assert_string_equal(s, "CN=Test Intermediate");
    check_sign(&ks);
    tern_keystore_free(&ks);

    load_ks(&ks, "certs/server-chain.pem", "certs/server-pkcs1.key", 0, NULL);
    check_sign(&ks);
    tern_keystore_free(&ks);
    load_ks(&ks, "certs/client-chain.pem", "certs/client-pkcs1.key", 0, NULL);
    tern_keystore_free(&ks);
    load_ks(&ks, "certs/rsa4096.crt", "certs/rsa4096.key", 0, NULL);
    check_sign(&ks);
    tern_keystore_free(&ks);
    load_ks(&ks, "tls12-trace/files/server.crt", "tls12-trace/files/server.key", 0, NULL);
    check_sign(&ks);
    tern_keystore_free(&ks);

    load_ks(&ks, "certs/server-chain.pem", "certs/wrong.key", TERN_ERR_KEY_MISMATCH,
            "the private key does not match the certificate (CN=localhost)");
    load_ks(&ks, "certs/server-chain.pem", "certs/client.key", TERN_ERR_KEY_MISMATCH, NULL);
    /* Encrypted keys without a password (tests/test_pkcs8.c has the rest). */
    load_ks(&ks, "certs/server-chain.pem", "certs/server-enc-pkcs8.key", TERN_ERR_INVALID_ARG,
            "the key is encrypted and needs a password");
    load_ks(&ks, "certs/server-chain.pem", "certs/server-enc-pkcs1.key", TERN_ERR_INVALID_ARG,
            "the key is encrypted and needs a password");
    /* EC P-256 keys: PKCS#8 and SEC 1. */
    load_ks(&ks, "certs/ec-server-chain.pem", "certs/ec-server.key", 0, NULL);
    assert_int_equal(ks.key_type, TERN_X509_KEY_EC);
    assert_int_equal(ks.n, 2);
    check_sign_ec(&ks);
    tern_keystore_free(&ks);
    load_ks(&ks, "certs/ec256.crt", "certs/ec256.key", 0, NULL);
    check_sign_ec(&ks);
    tern_keystore_free(&ks);
    load_ks(&ks, "certs/ec256.crt", "certs/ec256-sec1.key", 0, NULL);
    check_sign_ec(&ks);
    tern_keystore_free(&ks);
    load_ks(&ks, "certs/ec384.crt", "certs/ec384.key", 0, NULL); /* P-384: more in test_sigschemes */
    assert_int_equal(ks.ec_curve, TERN_X509_CURVE_P384);
    tern_keystore_free(&ks);
    load_ks(&ks, "certs/p384/p521.crt", "certs/p384/p521.key", TERN_ERR_UNSUPPORTED,
            "curves other than P-256 and P-384");
    load_ks(&ks, "certs/ec-server-chain.pem", "certs/ec256.key", TERN_ERR_KEY_MISMATCH, "(CN=localhost)");
    load_ks(&ks, "certs/server-chain.pem", "certs/ec-server.key", TERN_ERR_KEY_MISMATCH, NULL);
    load_ks(&ks, "certs/rsa1024.crt", "certs/rsa1024.key", TERN_ERR_BAD_KEY, "RSA key of 1024 bits");
    load_ks(&ks, "certs/server.key", "certs/server.key", TERN_ERR_PEM, "no CERTIFICATE block");
    load_ks(&ks, "certs/server.crt", "certs/server.crt", TERN_ERR_PEM, "no RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY or ENCRYPTED PRIVATE KEY block");
    load_ks(&ks, "certs/server.crt", "certs/nope.key", TERN_ERR_FILE, "cannot read the private key");
    load_ks(&ks, "certs/bundle-with-bad.pem", "certs/root-ca.key", TERN_ERR_CERT_BAD, "certificate 1");
    /* An EC certificate with an RSA key: mismatch, not a crash. */
    load_ks(&ks, "certs/ec256.crt", "certs/server.key", TERN_ERR_KEY_MISMATCH, NULL);
}

/* Re-wrap DER as PEM (test-only encoder). */
static char *to_pem(const char *label, const uint8_t *der, size_t n) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(n * 2 + 200);
    size_t o = (size_t)sprintf(out, "-----BEGIN %s-----\n", label);
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16 | (i + 1 < n ? (uint32_t)der[i + 1] << 8 : 0) | (i + 2 < n ? der[i + 2] : 0);
        out[o++] = A[v >> 18];
        out[o++] = A[(v >> 12) & 63];
        out[o++] = i + 1 < n ? A[(v >> 6) & 63] : '=';
        out[o++] = i + 2 < n ? A[v & 63] : '=';
        if ((i / 3) % 16 == 15)
            out[o++] = '\n';
    }
    o += (size_t)sprintf(out + o, "\n-----END %s-----\n", label);
    out[o] = 0;
    return out;
}

/* Truncations and bit flips of a real private key, through the key store:
 * never a crash or leak; a flipped key that loads must still match. */
static void mutate_key(const char *rel, const char *label, const char *chain_rel) {
    size_t klen, clen;
    uint8_t *kder = pem_block(rel, 0, &klen);
    char *chain = tv_slurp(tv_path(chain_rel), &clen);
    int ec = strstr(chain_rel, "ec") != NULL;
    tern_keystore ks;
    for (size_t n = 0; n < klen; n++) {
        char *pem = to_pem(label, kder, n);
        int rc = tern_keystore_load_pem(&ks, (const uint8_t *)chain, clen, (const uint8_t *)pem, strlen(pem));
        assert_true(rc < 0);
        free(pem);
    }
    size_t loaded = 0, flips = 0;
    /* Where d (the private exponent) lies in the DER. */
    tern_reader rd, seq;
    tern_der_elem e;
    tern_rd_init(&rd, kder, klen);
    assert_int_equal(tern_der_expect(&rd, TERN_DER_SEQUENCE, &seq), 0);
    size_t version_at = (size_t)-1;
    if (strcmp(label, "PRIVATE KEY") == 0) { /* PKCS#8: version, alg, OCTET STRING */
        tern_span inner;
        assert_int_equal(tern_der_next(&seq, &e), 0);
        version_at = (size_t)(e.content.p - kder);
        assert_int_equal(tern_der_next(&seq, &e), 0);
        assert_int_equal(tern_der_octet_string(&seq, &inner), 0);
        tern_rd_init(&rd, inner.p, inner.len);
        assert_int_equal(tern_der_expect(&rd, TERN_DER_SEQUENCE, &seq), 0);
    }
    for (int i = 0; i < 4 && !ec; i++)
        assert_int_equal(tern_der_next(&seq, &e), 0);
    /* RSA: flips in d go unnoticed (CRT signing never uses d).  EC: every
     * byte matters (the scalar, the curve, the embedded public key). */
    size_t d_start = ec ? 0 : (size_t)(e.content.p - kder), d_end = ec ? 0 : d_start + e.content.len;
    uint8_t *p = malloc(klen);
    for (size_t bit = 0; bit < klen * 8; bit++) {
        /* EC keys: every bit.  RSA keys: every bit of the first 40 bytes
         * (the structure), then one bit of every fifth byte (a flip in the
         * numbers costs an RSA private-key check). */
        if (!ec && bit >= 320 && (bit / 8 % 5 != 0 || bit % 8 != (bit / 40) % 8))
            continue;
        flips++;
        memcpy(p, kder, klen);
        p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        char *pem = to_pem(label, p, klen);
        int rc = tern_keystore_load_pem(&ks, (const uint8_t *)chain, clen, (const uint8_t *)pem, strlen(pem));
        if (rc == 0) {
            /* Only a flip in d can load (CRT signing never uses d): the
             * key must still sign what the leaf verifies. */
            /* PKCS#8 version 0 -> 1 (RFC 5958 OneAsymmetricKey) is valid too. */
            int version_byte = bit / 8 == version_at;
            if (!(bit / 8 >= d_start && bit / 8 < d_end) && !version_byte)
                fail_msg("%s: flip of bit %zu (byte %zu) loads; d is %zu..%zu", rel, bit, bit / 8, d_start, d_end);
            loaded++;
            if (ec)
                check_sign_ec(&ks);
            else
                check_sign(&ks);
            tern_keystore_free(&ks);
        }
        free(pem);
    }
    print_message("%s: %zu truncations refused; %zu bit flips, %zu still load\n", rel, klen, flips, loaded);
    free(p);
    free(kder);
    free(chain);
}

static void test_key_mutations(void **state) {
    (void)state;
    mutate_key("certs/server-pkcs1.key", "RSA PRIVATE KEY", "certs/server.crt");
    mutate_key("certs/server.key", "PRIVATE KEY", "certs/server.crt");
    mutate_key("certs/ec-server.key", "PRIVATE KEY", "certs/ec-server.crt");
    mutate_key("certs/ec256-sec1.key", "EC PRIVATE KEY", "certs/ec256.crt");
}

/* Every certificate of the machine's bundle parses. */
static void test_system_bundle(void **state) {
    (void)state;
    const char *path = "/etc/ssl/certs/ca-certificates.crt";
    if (access(path, R_OK) != 0) {
        print_message("no system bundle at %s: skipped\n", path);
        skip();
    }
    size_t tlen;
    char *txt = tv_slurp(path, &tlen);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)txt, tlen);
    size_t count = 0, rsa = 0, ec = 0, selfsig_ok = 0, selfsig_refused = 0;
    int rc;
    while ((rc = tern_pem_next(&r, &b)) == 1) {
        if (strcmp(b.label, "CERTIFICATE") != 0)
            continue;
        size_t cap = tern_pem_decoded_max(&b), n;
        uint8_t *der = malloc(cap);
        assert_int_equal(tern_pem_decode(&b, der, cap, &n), 0);
        tern_x509_cert c;
        char s[256];
        rc = tern_x509_parse(&c, der, n);
        tern_x509_name_display(c.subject, s, sizeof s);
        if (rc != 0)
            fail_msg("bundle certificate at line %zu does not parse (%d)", b.line, rc);
        assert_true(c.is_ca || c.version == 1);
        crosscheck(&c);
        /* Real signatures: each self-signed root's own signature verifies
         * (RSA PKCS#1 / PSS up to 4096 bits, ECDSA P-256 / P-384), unless
         * it uses SHA-1 or MD5, which tern refuses. */
        if (tern_x509_self_issued(&c)) {
            char why[128];
            int src = tern_x509_check_signature(&c, &c, why, sizeof why);
            if (src == 0)
                selfsig_ok++;
            else if (src == TERN_ERR_CERT_UNSUPPORTED && (c.sig_alg.type == TERN_X509_SIG_RSA_SHA1 ||
                                                         c.sig_alg.type == TERN_X509_SIG_RSA_MD5))
                selfsig_refused++;
            else
                fail_msg("bundle certificate at line %zu (%s): self-signature %d (%s)", b.line, s, src, why);
        }
        rsa += c.key.type == TERN_X509_KEY_RSA;
        ec += c.key.type == TERN_X509_KEY_EC;
        count++;
        free(der);
    }
    assert_int_equal(rc, 0);
    assert_true(count > 0);
    print_message("system bundle: %zu certificates parsed (%zu RSA, %zu EC); %zu self-signatures verify, %zu "
                  "refused (SHA-1/MD5)\n",
                  count, rsa, ec, selfsig_ok, selfsig_refused);
    free(txt);
}

/* Error messages quote the peer's SAN DNS names; IA5String allows control
 * characters, which must not reach a terminal or a log as escapes. */
static void test_name_message_sanitized(void **state) {
    (void)state;
    static const uint8_t subject[] = {0x30, 0x00}; /* empty: labelled by its first DNS name */
    static const uint8_t san[] = {0x82, 0x07, 'a', 0x1b, '[', '3', '1', 'm', 'b', 0x82, 0x0b, 'e', 'x', 'a',
                                  'm',  'p',  'l', 'e', '.',  'n', 'e', 't'};
    tern_x509_cert c;
    memset(&c, 0, sizeof c);
    c.subject.p = subject;
    c.subject.len = sizeof subject;
    c.has_san = 1;
    c.san.p = san;
    c.san.len = sizeof san;
    char msg[512];
    assert_int_equal(tern_x509_check_name(&c, "example.com", msg, sizeof msg), TERN_ERR_CERT_NAME);
    for (const char *p = msg; *p; p++)
        assert_true((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f);
    assert_non_null(strstr(msg, "DNS:a?[31mb"));
    assert_non_null(strstr(msg, "DNS:example.net"));
    assert_int_equal(tern_x509_check_name(&c, "example.net", msg, sizeof msg), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_fixtures), cmocka_unit_test(test_parse_fields),
        cmocka_unit_test(test_parse_negative), cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_system_bundle),  cmocka_unit_test(test_truststore),
        cmocka_unit_test(test_keystore),       cmocka_unit_test(test_key_mutations),
        cmocka_unit_test(test_name_message_sanitized), cmocka_unit_test(test_profile_fields),
    };
    if (getenv("TERN_TEST_FILTER"))
        cmocka_set_test_filter(getenv("TERN_TEST_FILTER"));
    return cmocka_run_group_tests(tests, NULL, NULL);
}
