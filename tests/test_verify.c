/*
 * Tests for lib/x509/verify.c and lib/x509/name.c: the path-validation
 * cases of vectors/x509/paths.txt (each failure checks the specific error,
 * the certificate it names and, where given, the message), plus IP literal
 * parsing, signature flips and argument checks.  With libcrypto present,
 * every case also runs through OpenSSL's X509_verify_cert and must get the
 * same verdict unless the case documents why tern differs on purpose.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#endif

#include "lib/conn.h"
#include "lib/x509/pem.h"
#include "lib/x509/verify.h"
#include "lib/hs.h"
#include "tests/util/testutil.h"

static const struct {
    const char *name;
    int code;
} codes[] = {
    {"ok", 0},
    {"TERN_ERR_NO_CERTIFICATE", TERN_ERR_NO_CERTIFICATE},
    {"TERN_ERR_CERT_BAD", TERN_ERR_CERT_BAD},
    {"TERN_ERR_CERT_UNSUPPORTED", TERN_ERR_CERT_UNSUPPORTED},
    {"TERN_ERR_CERT_EXPIRED", TERN_ERR_CERT_EXPIRED},
    {"TERN_ERR_CERT_UNKNOWN_CA", TERN_ERR_CERT_UNKNOWN_CA},
    {"TERN_ERR_CERT_NAME", TERN_ERR_CERT_NAME},
    {"TERN_ERR_CERT_NOT_CA", TERN_ERR_CERT_NOT_CA},
    {"TERN_ERR_CERT_PATH_LEN", TERN_ERR_CERT_PATH_LEN},
    {"TERN_ERR_CERT_PURPOSE", TERN_ERR_CERT_PURPOSE},
    {"TERN_ERR_CERT_SIGNATURE", TERN_ERR_CERT_SIGNATURE},
    {"TERN_ERR_CERT_CRITICAL_EXT", TERN_ERR_CERT_CRITICAL_EXT},
    {"TERN_ERR_CERT_CHAIN_TOO_LONG", TERN_ERR_CERT_CHAIN_TOO_LONG},
};

static int code_of(const char *name) {
    for (size_t i = 0; i < sizeof codes / sizeof *codes; i++)
        if (strcmp(codes[i].name, name) == 0)
            return codes[i].code;
    fail_msg("unknown expect value %s", name);
    return 1;
}

/* "root-ca" -> vectors/certs/root-ca.crt; "x/y.crt" -> vectors/x/y.crt. */
static const char *fixture(const char *word) {
    static char rel[256];
    if (strchr(word, '/') || strchr(word, '.'))
        snprintf(rel, sizeof rel, "%s", word);
    else
        snprintf(rel, sizeof rel, "certs/%s.crt", word);
    return tv_path(rel);
}

static uint8_t *load_der(const char *word, size_t *len) {
    size_t tlen;
    char file[128];
    int block = 0;
    const char *hash = strchr(word, '#');
    snprintf(file, sizeof file, "%.*s", hash ? (int)(hash - word) : (int)strlen(word), word);
    if (hash)
        block = atoi(hash + 1);
    char *txt = tv_slurp(fixture(file), &tlen);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)txt, tlen);
    for (int i = 0; i <= block; i++)
        assert_int_equal(tern_pem_next(&r, &b), 1);
    size_t cap = tern_pem_decoded_max(&b);
    uint8_t *der = malloc(cap);
    assert_int_equal(tern_pem_decode(&b, der, cap, len), 0);
    free(txt);
    return der;
}

static int64_t parse_time(const char *s) {
    int y, mo, d, h = 0, mi = 0, se = 0;
    int n = sscanf(s, "%d-%d-%d %d:%d:%d", &y, &mo, &d, &h, &mi, &se);
    assert_true(n == 3 || n == 6);
    return tern_der_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
}

#define MAX_WORDS 24

static size_t split(const char *s, char words[MAX_WORDS][128]) {
    size_t n = 0;
    while (*s) {
        while (*s == ' ')
            s++;
        if (!*s)
            break;
        size_t k = 0;
        while (s[k] && s[k] != ' ')
            k++;
        assert_true(n < MAX_WORDS && k < 128);
        memcpy(words[n], s, k);
        words[n][k] = 0;
        n++;
        s += k;
    }
    return n;
}

#ifdef TERN_TEST_HAVE_OPENSSL
/* OpenSSL's verdict on the same case (1 = verified), with partial chains
 * allowed (any certificate in the store is an anchor, as in tern). */
static int openssl_verdict(const tern_truststore *ts, uint8_t *const *ders, const size_t *lens, size_t n,
                           const char *host, int purpose, int64_t now) {
    X509_STORE *st = X509_STORE_new();
    for (size_t i = 0; i < ts->n; i++) {
        const unsigned char *p = ts->anchors[i].der;
        X509 *x = d2i_X509(NULL, &p, (long)ts->anchors[i].len);
        assert_non_null(x);
        assert_int_equal(X509_STORE_add_cert(st, x), 1);
        X509_free(x);
    }
    X509 *leaf = NULL;
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    for (size_t i = 0; i < n; i++) {
        const unsigned char *p = ders[i];
        X509 *x = d2i_X509(NULL, &p, (long)lens[i]);
        if (x == NULL)
            continue; /* OpenSSL cannot even hold it: like tern, skip it */
        if (i == 0)
            leaf = x;
        else
            sk_X509_push(untrusted, x);
    }
    int ok = 0;
    if (leaf) {
        X509_STORE_CTX *ctx = X509_STORE_CTX_new();
        assert_int_equal(X509_STORE_CTX_init(ctx, st, leaf, untrusted), 1);
        X509_VERIFY_PARAM *vp = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_time(vp, (time_t)now);
        X509_VERIFY_PARAM_set_flags(vp, X509_V_FLAG_PARTIAL_CHAIN);
        if (host) {
            uint8_t ip[16];
            if (tern_x509_parse_ip(host, ip))
                X509_VERIFY_PARAM_set1_ip(vp, ip, (size_t)tern_x509_parse_ip(host, ip));
            else
                X509_VERIFY_PARAM_set1_host(vp, host, 0);
        }
        X509_STORE_CTX_set_purpose(ctx, purpose == TERN_X509_PURPOSE_CLIENT ? X509_PURPOSE_SSL_CLIENT
                                                                              : X509_PURPOSE_SSL_SERVER);
        ok = X509_verify_cert(ctx) == 1;
        X509_STORE_CTX_free(ctx);
        X509_free(leaf);
    }
    sk_X509_pop_free(untrusted, X509_free);
    X509_STORE_free(st);
    ERR_clear_error();
    return ok;
}
#endif

static const char *const ku_names[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                       "dataEncipherment", "keyAgreement",   "keyCertSign",
                                       "cRLSign",          "encipherOnly",   "decipherOnly"};
/* In TERN_X509_EKU_* bit order. */
static const char *const eku_names[] = {"serverAuth", "clientAuth", "anyExtendedKeyUsage"};

/* A space-separated list of names to bits (bit i for names[i]). */
static unsigned bits_of(const char *list, const char *const *names, unsigned n) {
    char words[MAX_WORDS][128];
    unsigned bits = 0;
    if (list == NULL)
        return 0;
    size_t nw = split(list, words);
    for (size_t i = 0; i < nw; i++) {
        unsigned k = 0;
        while (k < n && strcmp(words[i], names[k]) != 0)
            k++;
        if (k == n)
            fail_msg("unknown usage name %s", words[i]);
        bits |= 1u << k;
    }
    return bits;
}

/* A case that goes wrong prints its line and the test goes on to the
 * next, so one run shows every case that fails. */
#define CASE_FAIL(...)                                                                                                 \
    do {                                                                                                               \
        print_error(__VA_ARGS__);                                                                                      \
        print_error("\n");                                                                                             \
        wrong++;                                                                                                       \
        goto next;                                                                                                     \
    } while (0)

static void test_paths(void **state) {
    (void)state;
    tv_file *f = tv_open(tv_path("x509/paths.txt"));
    tv_case c;
    size_t cases = 0, failures = 0, agree = 0, differ = 0, wrong = 0;
    while (tv_next(f, &c)) {
        const char *name = tv_get(&c, "name");
        const char *expect = tv_get(&c, "expect");
        assert_non_null(name);
        assert_non_null(expect);
        char words[MAX_WORDS][128];

        tern_truststore ts;
        tern_truststore_init(&ts);
        size_t na = split(tv_get(&c, "anchors"), words);
        for (size_t i = 0; i < na; i++)
            if (strcmp(words[i], "none") != 0 && tern_truststore_load_file(&ts, fixture(words[i])) < 0)
                fail_msg("line %d: cannot load anchor %s: %s", c.line, words[i], ts.msg);

        size_t n = split(tv_get(&c, "chain"), words);
        if (n == 1 && strcmp(words[0], "none") == 0)
            n = 0;
        uint8_t *ders[MAX_WORDS];
        size_t lens[MAX_WORDS];
        for (size_t i = 0; i < n; i++)
            ders[i] = load_der(words[i], &lens[i]);

        const char *purpose = tv_get(&c, "purpose");
        int p = purpose && strcmp(purpose, "client") == 0 ? TERN_X509_PURPOSE_CLIENT : TERN_X509_PURPOSE_SERVER;
        tern_x509_result res;
        tern_x509_params params;
        memset(&params, 0, sizeof params);
        params.purpose = p;
        params.now = parse_time(tv_get(&c, "time"));
        const char *host = tv_get(&c, "host");
        params.names = &host;
        params.n_names = host != NULL;
        params.max_depth = (size_t)tv_get_long(&c, "max_depth", 0);
        params.key_usage = bits_of(tv_get(&c, "key_usage"), ku_names, 9);
        params.eku = bits_of(tv_get(&c, "eku"), eku_names, 3);
        int rc = tern_x509_verify(&ts, (const uint8_t *const *)ders, lens, n, &params, &res);
        int want = code_of(expect);
        if (rc != want || res.err != rc)
            CASE_FAIL("line %d (%s): got %d (%s), want %s", c.line, name, rc, res.msg, expect);
        if (want == 0) {
            assert_string_equal(res.msg, "");
            assert_non_null(res.anchor);
            assert_true(res.path_n >= 1 && res.path[0] == 0);
            assert_true(res.leaf_key.type == TERN_X509_KEY_RSA || res.leaf_key.type == TERN_X509_KEY_EC);
            const char *path = tv_get(&c, "path");
            if (path) {
                size_t np = split(path, words);
                assert_int_equal(res.path_n, np);
                for (size_t i = 0; i < np; i++)
                    assert_int_equal(res.path[i], (size_t)atoi(words[i]));
            }
        } else {
            failures++;
            if (getenv("TERN_TEST_VERBOSE"))
                print_message("  %-60.60s %s\n", name, res.msg);
            assert_true(strlen(res.msg) > 10);
            const char *msg = tv_get(&c, "msg");
            if (msg && !strstr(res.msg, msg))
                CASE_FAIL("line %d (%s): message \"%s\" lacks \"%s\"", c.line, name, res.msg, msg);
            long idx = tv_get_long(&c, "index", -2);
            if (idx != -2 && res.failed_index != idx)
                CASE_FAIL("line %d (%s): failed_index %d, want %ld (%s)", c.line, name, res.failed_index, idx,
                         res.msg);
        }
#ifdef TERN_TEST_HAVE_OPENSSL
        /* Cross-check with OpenSSL: the same verdict unless the case says
         * why tern differs on purpose (`openssl = differs: ...`). */
        if (n > 0) {
            int theirs = openssl_verdict(&ts, ders, lens, n, tv_get(&c, "host"), p, parse_time(tv_get(&c, "time")));
            const char *note = tv_get(&c, "openssl");
            int expect_same = note == NULL;
            if (expect_same && theirs != (rc == 0))
                CASE_FAIL("line %d (%s): OpenSSL says %s, tern %d (%s)", c.line, name, theirs ? "ok" : "fail", rc,
                         res.msg);
            if (!expect_same && theirs == (rc == 0))
                CASE_FAIL("line %d (%s): marked as differing from OpenSSL, but both say %s", c.line, name,
                         theirs ? "ok" : "fail");
            agree += expect_same;
            differ += !expect_same;
        }
#endif
    next:
        for (size_t i = 0; i < n; i++)
            free(ders[i]);
        tern_truststore_free(&ts);
        cases++;
    }
    tv_close(f);
    if (wrong > 0)
        fail_msg("paths.txt: %zu of %zu cases went wrong (each printed above)", wrong, cases);
    assert_true(cases >= 40);
    print_message("paths.txt: %zu cases passed (%zu expected failures with their error checked)\n", cases, failures);
#ifdef TERN_TEST_HAVE_OPENSSL
    print_message("paths.txt vs OpenSSL X509_verify_cert: %zu same verdict, %zu differ on purpose\n", agree, differ);
#else
    (void)agree;
    (void)differ;
#endif
}

static void test_parse_ip(void **state) {
    (void)state;
    static const struct {
        const char *s;
        int len;
        const char *hex;
    } cases[] = {
        {"127.0.0.1", 4, "7f000001"},
        {"0.0.0.0", 4, "00000000"},
        {"255.255.255.255", 4, "ffffffff"},
        {"::", 16, "00000000000000000000000000000000"},
        {"::1", 16, "00000000000000000000000000000001"},
        {"[::1]", 16, "00000000000000000000000000000001"},
        {"1::", 16, "00010000000000000000000000000000"},
        {"2001:db8::8:800:200c:417a", 16, "20010db8000000000008080020 0c417a"},
        {"::ffff:1.2.3.4", 16, "00000000000000000000ffff01020304"},
        {"1:2:3:4:5:6:7:8", 16, "00010002000300040005000600070008"},
        {"1:2:3:4:5:6:1.2.3.4", 16, "00010002000300040005000601020304"},
        {"256.0.0.1", 0, NULL},
        {"1.2.3", 0, NULL},
        {"1.2.3.4.5", 0, NULL},
        {"01.2.3.4", 0, NULL},
        {"1.2.3.4 ", 0, NULL},
        {"1..3.4", 0, NULL},
        {"1:2:3:4:5:6:7:8:9", 0, NULL},
        {"1:2:3:4:5:6:7", 0, NULL},
        {"1::2::3", 0, NULL},
        {":1:2:3:4:5:6:7", 0, NULL},
        {"1:2:3:4:5:6:7:", 0, NULL},
        {"12345::", 0, NULL},
        {"g::", 0, NULL},
        {"[1.2.3.4]", 0, NULL},
        {"1:2:3:4:5:6:7:1.2.3.4", 0, NULL},
        {"localhost", 0, NULL},
        {"", 0, NULL},
        {"::1%eth0", 0, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        uint8_t out[16];
        int len = tern_x509_parse_ip(cases[i].s, out);
        if (len != cases[i].len)
            fail_msg("\"%s\": length %d, want %d", cases[i].s, len, cases[i].len);
        if (len) {
            char hex[40];
            size_t k = 0;
            for (const char *h = cases[i].hex; *h; h++)
                if (*h != ' ')
                    hex[k++] = *h;
            hex[k] = 0;
            char *got = tv_hex(out, (size_t)len);
            assert_string_equal(got, hex);
            free(got);
        }
    }
}

/* A flipped byte in the signature or in the signed part of a leaf makes
 * its signature fail, for each signature algorithm (RSA PKCS#1 v1.5, PSS,
 * ECDSA P-256 and P-384). */
static void test_signature_flips(void **state) {
    (void)state;
    static const struct {
        const char *leaf, *issuer, *anchor;
    } cases[] = {
        {"server", "int-ca", "root-ca"},       {"sha512", "int-ca", "root-ca"}, {"pss", "int-ca", "root-ca"},
        {"pss384", "int-ca", "root-ca"},       {"ec256", "int-ca", "root-ca"},
        {"ecp256-leaf", NULL, "ecp256-root"},  {"ecp256-leaf-sha384", NULL, "ecp256-root"},
        {"ec-leaf", NULL, "ec-root"},
    };
    int64_t now = tern_der_days_from_civil(2030, 1, 1) * 86400;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        tern_truststore ts;
        tern_truststore_init(&ts);
        assert_true(tern_truststore_load_file(&ts, fixture(cases[i].anchor)) == 1);
        size_t lens[2];
        uint8_t *ders[2] = {load_der(cases[i].leaf, &lens[0]), NULL};
        size_t n = 1;
        if (cases[i].issuer)
            ders[n++] = load_der(cases[i].issuer, &lens[1]);
        tern_x509_result res;
        assert_int_equal(tern_x509_verify_chain(&ts, (const uint8_t *const *)ders, lens, n, NULL,
                                                TERN_X509_PURPOSE_SERVER, now, &res),
                         0);
        tern_x509_cert c;
        assert_int_equal(tern_x509_parse(&c, ders[0], lens[0]), 0);
        size_t offs[3] = {(size_t)(c.signature.p - ders[0]) + c.signature.len - 1,
                          (size_t)(c.signature.p - ders[0]) + 8, (size_t)(c.serial.p - ders[0])};
        for (size_t k = 0; k < 3; k++) {
            ders[0][offs[k]] ^= 0x01;
            int rc = tern_x509_verify_chain(&ts, (const uint8_t *const *)ders, lens, n, NULL,
                                            TERN_X509_PURPOSE_SERVER, now, &res);
            /* ECDSA's DER-encoded signature may stop parsing: still a
             * signature failure, never success. */
            if (rc != TERN_ERR_CERT_SIGNATURE)
                fail_msg("%s, flip at %zu: got %d (%s)", cases[i].leaf, offs[k], rc, res.msg);
            ders[0][offs[k]] ^= 0x01;
        }
        for (size_t k = 0; k < n; k++)
            free(ders[k]);
        tern_truststore_free(&ts);
    }
}

static void test_arguments(void **state) {
    (void)state;
    tern_truststore ts;
    tern_truststore_init(&ts);
    tern_x509_result res;
    size_t len;
    uint8_t *der = load_der("server", &len);
    const uint8_t *certs[1] = {der};
    assert_int_equal(tern_x509_verify_chain(NULL, certs, &len, 1, NULL, TERN_X509_PURPOSE_SERVER, 0, &res),
                     TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_x509_verify_chain(&ts, certs, &len, 1, NULL, 7, 0, &res), TERN_ERR_INVALID_ARG);
    /* A malformed leaf. */
    size_t short_len = len - 1;
    assert_int_equal(tern_x509_verify_chain(&ts, certs, &short_len, 1, NULL, TERN_X509_PURPOSE_SERVER, 0, &res),
                     TERN_ERR_CERT_BAD);
    assert_int_equal(res.failed_index, 0);
    assert_non_null(strstr(res.msg, "malformed"));
    free(der);
    tern_truststore_free(&ts);
}

/* More certificates than a peer may send (TERN_X509_MAX_PEER_CERTS) end
 * in a verdict, TERN_ERR_CERT_CHAIN_TOO_LONG with a sentence: from the
 * API, and from the TLS layer's Certificate parser (lib/hs_certificate.c). */
static void test_peer_list_limit(void **state) {
    (void)state;
    tern_truststore ts;
    tern_truststore_init(&ts);
    assert_true(tern_truststore_load_file(&ts, fixture("root-ca")) > 0);
    size_t len, ilen;
    uint8_t *der = load_der("server", &len), *ider = load_der("int-ca", &ilen);
    enum { N = TERN_X509_MAX_PEER_CERTS + 1 };
    const uint8_t *certs[N];
    size_t lens[N];
    certs[0] = der;
    lens[0] = len;
    for (size_t i = 1; i < N; i++) {
        certs[i] = ider;
        lens[i] = ilen;
    }
    tern_x509_params p;
    memset(&p, 0, sizeof p);
    p.purpose = TERN_X509_PURPOSE_SERVER;
    p.now = parse_time("2030-01-01");
    tern_x509_result res;
    /* Sixteen (the leaf and fifteen copies of its issuer) still verify. */
    assert_int_equal(tern_x509_verify(&ts, certs, lens, N - 1, &p, &res), 0);
    assert_int_equal(tern_x509_verify(&ts, certs, lens, N, &p, &res), TERN_ERR_CERT_CHAIN_TOO_LONG);
    assert_string_equal(res.msg, "the peer sent 17 certificates; at most 16 are accepted");
    /* A depth bound above tern's own is tern's own. */
    p.max_depth = 1000;
    assert_int_equal(tern_x509_verify(&ts, certs, lens, 2, &p, &res), 0);

    /* The same list in a TLS Certificate message. */
    size_t body_len = 3 + N * 3 + len + (N - 1) * ilen;
    uint8_t *body = malloc(body_len), *q = body;
    size_t list = body_len - 3;
    *q++ = (uint8_t)(list >> 16), *q++ = (uint8_t)(list >> 8), *q++ = (uint8_t)list;
    for (size_t i = 0; i < N; i++) {
        *q++ = (uint8_t)(lens[i] >> 16), *q++ = (uint8_t)(lens[i] >> 8), *q++ = (uint8_t)lens[i];
        memcpy(q, certs[i], lens[i]);
        q += lens[i];
    }
    assert_int_equal((size_t)(q - body), body_len);
    tern_config *cfg = tern_config_new();
    assert_non_null(cfg);
    assert_int_equal(tern_config_load_truststore(cfg, fixture("root-ca")), 0);
    tern_conn *c = tern_client_new(cfg, "localhost");
    assert_non_null(c);
    c->suite = tern_suite_by_id(0xC02F);
    tern_reader r;
    tern_rd_init(&r, body, body_len);
    assert_int_equal(tern_hs_certificate_parse(c, &r), TERN_ERR_CERT_CHAIN_TOO_LONG);
    assert_non_null(strstr(tern_error(c), "the server sent more than 16 certificates"));
    tern_free(c);
    tern_config_free(cfg);
    free(body);
    free(der);
    free(ider);
    tern_truststore_free(&ts);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peer_list_limit),
        cmocka_unit_test(test_paths),
        cmocka_unit_test(test_parse_ip),
        cmocka_unit_test(test_signature_flips),
        cmocka_unit_test(test_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
