/*
 * Tests for certificate revocation lists (lib/x509/crl.c, the CRLs of the
 * trust store in lib/x509/store.c, the check in lib/x509/verify.c's
 * check_path, the configuration API): each refusal checks the error and
 * the whole sentence.  Fixtures: vectors/certs/crl/ (made by
 * tests/certs/make-crl-certs.sh with openssl ca; OpenSSL's own verifier
 * agrees on them, see that script).  Also: the x509-limbo crl::* cases
 * through the library API, a revoked server and a revoked client in a TLS
 * handshake in memory (certificate_revoked), and every truncation and
 * byte flip of a CRL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/conn.h"
#include "lib/x509/crl.h"
#include "lib/x509/pem.h"
#include "lib/x509/verify.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

#define NOW_2030 1893456000 /* 2030-01-01 00:00:00 UTC */

/* A chain read from PEM files (DER copies). */
typedef struct {
    uint8_t *der[8];
    size_t len[8];
    size_t n;
} chain;

static void chain_add_pem(chain *ch, const char *text, size_t len) {
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)text, len);
    while (tern_pem_next(&r, &b) == 1) {
        if (strcmp(b.label, "CERTIFICATE") != 0)
            continue;
        assert_true(ch->n < 8);
        size_t cap = tern_pem_decoded_max(&b);
        ch->der[ch->n] = malloc(cap);
        assert_non_null(ch->der[ch->n]);
        assert_int_equal(tern_pem_decode(&b, ch->der[ch->n], cap, &ch->len[ch->n]), 0);
        ch->n++;
    }
}

static void chain_load(chain *ch, const char *rel) {
    size_t len;
    char *t = tv_slurp(tv_path(rel), &len);
    memset(ch, 0, sizeof *ch);
    chain_add_pem(ch, t, len);
    free(t);
    assert_true(ch->n > 0);
}

static void chain_free(chain *ch) {
    for (size_t i = 0; i < ch->n; i++)
        free(ch->der[i]);
}

/* A trust store with one anchor file and a list of CRL files (NULL-ended). */
static void store_make(tern_truststore *ts, const char *anchor, ...) {
    tern_truststore_init(ts);
    if (tern_truststore_load_file(ts, tv_path(anchor)) <= 0)
        fail_msg("anchor %s: %s", anchor, ts->msg);
    va_list ap;
    va_start(ap, anchor);
    const char *crl;
    while ((crl = va_arg(ap, const char *)) != NULL) {
        int rc = tern_truststore_load_crl(ts, tv_path(crl));
        if (rc <= 0)
            fail_msg("CRL %s: %d %s", crl, rc, ts->msg);
    }
    va_end(ap);
}

/* Verify a chain file (server purpose, no name, at 2030) in a CRL mode. */
static int verify_file(const tern_truststore *ts, const char *chain_file, int mode, tern_x509_result *res) {
    chain ch;
    chain_load(&ch, chain_file);
    tern_x509_params p;
    memset(&p, 0, sizeof p);
    p.purpose = TERN_X509_PURPOSE_SERVER;
    p.now = NOW_2030;
    p.crl_mode = mode;
    int rc = tern_x509_verify(ts, (const uint8_t *const *)ch.der, ch.len, ch.n, &p, res);
    chain_free(&ch);
    return rc;
}

static void expect(const tern_truststore *ts, const char *chain_file, int mode, int err, int index, const char *msg) {
    tern_x509_result res;
    int rc = verify_file(ts, chain_file, mode, &res);
    if (rc != err || (err != 0 && (res.failed_index != index || strcmp(res.msg, msg) != 0)))
        fail_msg("%s mode %d: got %d at %d \"%s\"; expected %d at %d \"%s\"", chain_file, mode, rc, res.failed_index,
                 res.msg, err, index, msg ? msg : "");
}

#define IFP TERN_X509_CRL_IF_PRESENT
#define REQ TERN_X509_CRL_REQUIRE

static const char revoked_leaf_msg[] =
    "certificate 0 (CN=revoked.crl.test), serial 2002, was revoked on 2025-06-01 00:00:00 UTC (reason: "
    "keyCompromise) by the CRL of CN=tern CRL Intermediate";

static void test_not_revoked(void **state) {
    (void)state;
    tern_truststore ts;
    store_make(&ts, "certs/crl/root.crt", "certs/crl/int.crl", "certs/crl/root.crl", NULL);
    assert_int_equal(ts.n_crls, 2);
    expect(&ts, "certs/crl/good-chain.pem", IFP, 0, 0, NULL);
    expect(&ts, "certs/crl/good-chain.pem", REQ, 0, 0, NULL);
    /* Checking off: the revoked one passes (CRLs are not consulted). */
    expect(&ts, "certs/crl/revoked-chain.pem", TERN_X509_CRL_OFF, 0, 0, NULL);
    /* The parsed CRL: what openssl wrote. */
    const tern_crl *c = &ts.crls[0].crl;
    assert_int_equal(c->version, 2);
    assert_int_equal(c->n_entries, 2);
    assert_true(c->has_aki && c->has_number && c->has_next_update);
    assert_int_equal(c->number.len, 1);
    assert_int_equal(c->number.p[0], 7);
    assert_int_equal(c->this_update, 1735689600);  /* 2025-01-01 */
    assert_int_equal(c->next_update, 2366841600);  /* 2045-01-01 */
    tern_truststore_free(&ts);
}

static void test_leaf_revoked(void **state) {
    (void)state;
    tern_truststore ts;
    store_make(&ts, "certs/crl/root.crt", "certs/crl/int.crl", NULL);
    expect(&ts, "certs/crl/revoked-chain.pem", IFP, TERN_ERR_CERT_REVOKED, 0, revoked_leaf_msg);
    /* The leaf is checked first: its revocation is what is reported. */
    expect(&ts, "certs/crl/revoked-chain.pem", REQ, TERN_ERR_CERT_REVOKED, 0, revoked_leaf_msg);
    /* A good leaf: REQUIRE goes on to the intermediate, whose issuer has none. */
    expect(&ts, "certs/crl/good-chain.pem", REQ, TERN_ERR_CERT_REVOCATION_UNKNOWN, 1,
           "the revocation status of certificate 1 (CN=tern CRL Intermediate) is unknown: no CRL of its issuer "
           "CN=tern CRL Root is loaded, and CRLs are required");
    tern_truststore_free(&ts);
    /* DER, with the root's CRL as a v1 CRL. */
    store_make(&ts, "certs/crl/root.crt", "certs/crl/int.crl.der", "certs/crl/root-v1.crl", NULL);
    assert_int_equal(ts.crls[1].crl.version, 1);
    assert_false(ts.crls[1].crl.has_number);
    expect(&ts, "certs/crl/revoked-chain.pem", REQ, TERN_ERR_CERT_REVOKED, 0, revoked_leaf_msg);
    expect(&ts, "certs/crl/good-chain.pem", REQ, 0, 0, NULL);
    tern_truststore_free(&ts);
}

static void test_intermediate_revoked(void **state) {
    (void)state;
    tern_truststore ts;
    store_make(&ts, "certs/crl/root.crt", "certs/crl/int.crl", "certs/crl/root-revokes-int.crl", NULL);
    const char *msg = "certificate 1 (CN=tern CRL Intermediate), serial 1001, was revoked on 2025-06-01 00:00:00 "
                      "UTC (reason: cACompromise) by the CRL of CN=tern CRL Root";
    expect(&ts, "certs/crl/good-chain.pem", IFP, TERN_ERR_CERT_REVOKED, 1, msg);
    expect(&ts, "certs/crl/good-chain.pem", REQ, TERN_ERR_CERT_REVOKED, 1, msg);
    /* The same intermediate reissued (same name and key, serial 1002) in
     * the peer's list: the revoked one fails, the path search goes on. */
    {
        tern_x509_result res;
        assert_int_equal(verify_file(&ts, "certs/crl/good-two-ints.pem", REQ, &res), 0);
        assert_int_equal(res.path_n, 2);
        assert_int_equal(res.path[1], 2);
    }
    tern_truststore_free(&ts);
    /* Only the root's CRL (if-present): the intermediate is still revoked. */
    store_make(&ts, "certs/crl/root.crt", "certs/crl/root-revokes-int.crl", NULL);
    expect(&ts, "certs/crl/good-chain.pem", IFP, TERN_ERR_CERT_REVOKED, 1, msg);
    tern_truststore_free(&ts);
}

static void test_stale_and_future(void **state) {
    (void)state;
    tern_truststore ts;
    const char *stale = "the revocation status of certificate 0 (CN=good.crl.test) is unknown: the CRL of CN=tern "
                        "CRL Intermediate is stale: its nextUpdate was 2026-01-01 00:00:00 UTC; now 2030-01-01 "
                        "00:00:00 UTC";
    store_make(&ts, "certs/crl/root.crt", "certs/crl/int-stale.crl", "certs/crl/root.crl", NULL);
    /* A CRL loaded for the issuer that cannot be applied is a refusal in
     * both modes (tern.h: loading one says it should be applied). */
    expect(&ts, "certs/crl/good-chain.pem", IFP, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0, stale);
    expect(&ts, "certs/crl/good-chain.pem", REQ, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0, stale);
    /* A current one beside it: that one is applied. */
    assert_int_equal(tern_truststore_load_crl(&ts, tv_path("certs/crl/int.crl")), 1);
    expect(&ts, "certs/crl/good-chain.pem", REQ, 0, 0, NULL);
    expect(&ts, "certs/crl/revoked-chain.pem", IFP, TERN_ERR_CERT_REVOKED, 0, revoked_leaf_msg);
    tern_truststore_free(&ts);

    store_make(&ts, "certs/crl/root.crt", "certs/crl/int-future.crl", NULL);
    const char *future = "the revocation status of certificate 0 (CN=good.crl.test) is unknown: the CRL of CN=tern "
                         "CRL Intermediate is not valid yet: its thisUpdate is 2035-01-01 00:00:00 UTC; now "
                         "2030-01-01 00:00:00 UTC";
    expect(&ts, "certs/crl/good-chain.pem", IFP, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0, future);
    tern_truststore_free(&ts);
}

static void test_wrong_key(void **state) {
    (void)state;
    tern_truststore ts;
    store_make(&ts, "certs/crl/root.crt", "certs/crl/int-wrongkey.crl", NULL);
    assert_false(ts.crls[0].crl.has_aki); /* only the signature tells it apart */
    const char *msg = "the revocation status of certificate 0 (CN=good.crl.test) is unknown: the CRL of CN=tern CRL "
                      "Intermediate cannot be trusted: it has a signature that does not verify with its issuer's key";
    expect(&ts, "certs/crl/good-chain.pem", IFP, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0, msg);
    expect(&ts, "certs/crl/good-chain.pem", REQ, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0, msg);
    /* A forged CRL cannot revoke either: the revoked leaf gets the same. */
    expect(&ts, "certs/crl/revoked-chain.pem", IFP, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0,
           "the revocation status of certificate 0 (CN=revoked.crl.test) is unknown: the CRL of CN=tern CRL "
           "Intermediate cannot be trusted: it has a signature that does not verify with its issuer's key");
    tern_truststore_free(&ts);
}

static void test_issuer_without_crlsign(void **state) {
    (void)state;
    tern_truststore ts;
    store_make(&ts, "certs/crl/nosign-root.crt", "certs/crl/nosign-root.crl", NULL);
    expect(&ts, "certs/crl/nosign-leaf.crt", IFP, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0,
           "the revocation status of certificate 0 (CN=good.crl.test) is unknown: the CRL of CN=tern CRL Root "
           "without cRLSign cannot be trusted: its issuer's keyUsage lacks cRLSign, so it may not sign CRLs");
    tern_truststore_free(&ts);
}

/* CRLs tern refuses at load time: the sentence names the file, the line,
 * the issuer and why. */
static void expect_refused(const char *rel, int err, const char *why) {
    tern_truststore ts;
    tern_truststore_init(&ts);
    int rc = tern_truststore_load_crl(&ts, tv_path(rel));
    char want[512];
    snprintf(want, sizeof want, "%s: the CRL at line 1 (issuer CN=tern CRL Intermediate) was skipped: it %s",
             tv_path(rel), why);
    if (rc != err || strcmp(ts.msg, want) != 0)
        fail_msg("%s: got %d \"%s\"; expected %d \"%s\"", rel, rc, ts.msg, err, want);
    assert_int_equal(ts.n_crls, 0);
    assert_int_equal(ts.crl_bad, 1);
    tern_truststore_free(&ts);
}

static void test_refused_crls(void **state) {
    (void)state;
    expect_refused("certs/crl/int-critext.crl", TERN_ERR_UNSUPPORTED,
                   "has an unknown critical extension (1.3.6.1.4.1.55555.1), so it cannot be used");
    expect_refused("certs/crl/int-delta.crl", TERN_ERR_UNSUPPORTED,
                   "is a delta CRL (deltaCRLIndicator), which tern does not support");
    expect_refused("certs/crl/int-indirect.crl", TERN_ERR_UNSUPPORTED,
                   "is an indirect CRL (issuingDistributionPoint with indirectCRL), which tern does not support");
    /* A refused CRL leaves its issuer without one: REQUIRE refuses, and
     * IF_PRESENT accepts (the load already failed, loudly). */
    tern_truststore ts;
    store_make(&ts, "certs/crl/root.crt", "certs/crl/root.crl", NULL);
    assert_int_equal(tern_truststore_load_crl(&ts, tv_path("certs/crl/int-delta.crl")), TERN_ERR_UNSUPPORTED);
    expect(&ts, "certs/crl/revoked-chain.pem", REQ, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0,
           "the revocation status of certificate 0 (CN=revoked.crl.test) is unknown: no CRL of its issuer CN=tern "
           "CRL Intermediate is loaded, and CRLs are required");
    expect(&ts, "certs/crl/revoked-chain.pem", IFP, 0, 0, NULL);
    tern_truststore_free(&ts);
}

static void test_require_without_crl(void **state) {
    (void)state;
    tern_truststore ts;
    store_make(&ts, "certs/crl/root.crt", NULL);
    expect(&ts, "certs/crl/good-chain.pem", REQ, TERN_ERR_CERT_REVOCATION_UNKNOWN, 0,
           "the revocation status of certificate 0 (CN=good.crl.test) is unknown: no CRL of its issuer CN=tern CRL "
           "Intermediate is loaded, and CRLs are required");
    expect(&ts, "certs/crl/good-chain.pem", IFP, 0, 0, NULL);
    tern_truststore_free(&ts);
}

static void test_loading(void **state) {
    (void)state;
    tern_truststore ts;
    tern_truststore_init(&ts);
    /* PEM and DER of the same CRL: one stored (exact duplicate). */
    assert_int_equal(tern_truststore_load_crl(&ts, tv_path("certs/crl/int.crl")), 1);
    assert_int_equal(tern_truststore_load_crl(&ts, tv_path("certs/crl/int.crl.der")), 0);
    assert_int_equal(ts.n_crls, 1);
    tern_truststore_free(&ts);

    /* A directory: a PEM CRL, a DER CRL, and a README that holds none. */
    store_make(&ts, "certs/crl/root.crt", "certs/crl/dir", NULL);
    assert_int_equal(ts.n_crls, 2);
    assert_int_equal(ts.crl_bad, 0);
    expect(&ts, "certs/crl/revoked-chain.pem", REQ, TERN_ERR_CERT_REVOKED, 0, revoked_leaf_msg);
    expect(&ts, "certs/crl/good-chain.pem", REQ, 0, 0, NULL);
    tern_truststore_free(&ts);

    /* Malformed files. */
    struct {
        const char *rel;
        int err;
        const char *tail;
    } bad[] = {
        {"certs/crl/bad-base64.crl", TERN_ERR_PEM, ": the CRL at line 1 was skipped: bad base64"},
        {"certs/crl/truncated.crl.der", TERN_ERR_CERT_BAD, ": the DER CRL was skipped: it is not valid DER"},
        {"certs/crl/cert-not-crl.pem", TERN_ERR_PEM, ": no X509 CRL block found (and not a DER CRL)"},
        {"certs/crl/no-such-file.crl", TERN_ERR_FILE, ": cannot be read"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tern_truststore_init(&ts);
        int rc = tern_truststore_load_crl(&ts, tv_path(bad[i].rel));
        char want[512];
        snprintf(want, sizeof want, "%s%s", tv_path(bad[i].rel), bad[i].tail);
        if (rc != bad[i].err || strcmp(ts.msg, want) != 0)
            fail_msg("%s: got %d \"%s\"; expected %d \"%s\"", bad[i].rel, rc, ts.msg, bad[i].err, want);
        assert_int_equal(ts.n_crls, 0);
        tern_truststore_free(&ts);
    }
    /* A bundle with a good and a refused CRL: the good one is kept, the
     * other named. */
    size_t l1, l2;
    char *a = tv_slurp(tv_path("certs/crl/int-delta.crl"), &l1);
    char *b = tv_slurp(tv_path("certs/crl/root.crl"), &l2);
    char *both = malloc(l1 + l2);
    memcpy(both, a, l1);
    memcpy(both + l1, b, l2);
    tern_truststore_init(&ts);
    assert_int_equal(tern_truststore_add_crl_pem(&ts, (uint8_t *)both, l1 + l2, "bundle"), 1);
    assert_int_equal(ts.crl_bad, 1);
    assert_string_equal(ts.msg, "bundle: the CRL at line 1 (issuer CN=tern CRL Intermediate) was skipped: it is a "
                                "delta CRL (deltaCRLIndicator), which tern does not support");
    tern_truststore_free(&ts);
    free(a);
    free(b);
    free(both);
}

/* Every truncation and every single-byte change of a CRL: never a crash;
 * a truncation never parses; a change either is refused or still parses
 * (then, outside the signature, the signature no longer verifies). */
static void test_mutations(void **state) {
    (void)state;
    size_t len;
    uint8_t *der = (uint8_t *)tv_slurp(tv_path("certs/crl/int.crl.der"), &len);
    tern_x509_cert issuer;
    size_t il;
    char *ipem = tv_slurp(tv_path("certs/crl/int.crt"), &il);
    chain ich;
    memset(&ich, 0, sizeof ich);
    chain_add_pem(&ich, ipem, il);
    assert_int_equal(tern_x509_parse(&issuer, ich.der[0], ich.len[0]), 0);
    tern_crl crl;
    char why[200];
    assert_int_equal(tern_crl_parse(&crl, der, len, why, sizeof why), 0);
    assert_int_equal(tern_crl_usable(&crl, &issuer, NOW_2030, why, sizeof why), 0);
    size_t sig_off = (size_t)(crl.signature.p - der);
    tern_crl_free(&crl);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, der, n);
        assert_true(tern_crl_parse(&crl, cut, n, why, sizeof why) < 0);
        assert_true(why[0] != 0);
        free(cut);
    }
    size_t parsed = 0;
    for (size_t i = 0; i < len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            der[i] ^= (uint8_t)(1u << bit);
            int rc = tern_crl_parse(&crl, der, len, why, sizeof why);
            if (rc == 0) {
                parsed++;
                if (i < sig_off && tern_crl_usable(&crl, &issuer, NOW_2030, why, sizeof why) == 0)
                    fail_msg("byte %zu bit %d: a changed CRL still verifies", i, bit);
                tern_crl_free(&crl);
            } else {
                assert_true(why[0] != 0);
            }
            der[i] ^= (uint8_t)(1u << bit);
        }
    }
    assert_true(parsed > 0);
    chain_free(&ich);
    free(ipem);
    free(der);
}

static void test_serial_and_reason_text(void **state) {
    (void)state;
    char out[48];
    static const uint8_t pos[] = {0x00, 0xe1, 0x02}, zero[] = {0x00}, neg[] = {0xff, 0x01};
    tern_crl_format_serial((tern_span){pos, 3}, out, sizeof out);
    assert_string_equal(out, "E102");
    tern_crl_format_serial((tern_span){zero, 1}, out, sizeof out);
    assert_string_equal(out, "00");
    tern_crl_format_serial((tern_span){neg, 2}, out, sizeof out);
    assert_string_equal(out, "FF01");
    uint8_t big[21];
    memset(big, 0x7f, sizeof big);
    tern_crl_format_serial((tern_span){big, sizeof big}, out, 12);
    assert_string_equal(out, "7F7F7F7F..."); /* 11 characters and the NUL */
    assert_string_equal(tern_crl_reason_name(1), "keyCompromise");
    assert_string_equal(tern_crl_reason_name(6), "certificateHold");
    assert_string_equal(tern_crl_reason_name(TERN_CRL_REASON_NONE), "unspecified (no reasonCode)");
}

static void test_config_api(void **state) {
    (void)state;
    tern_config *cfg = tern_config_new();
    assert_non_null(cfg);
    tern_x509_params p;
    const char *name = "localhost";
    tern_config_x509_params(cfg, TERN_X509_PURPOSE_SERVER, 42, &name, &p);
    assert_int_equal(p.crl_mode, TERN_X509_CRL_OFF);
    assert_int_equal(p.n_names, 1);
    assert_string_equal(p.names[0], "localhost");
    assert_int_equal(p.now, 42);
    /* Loading turns checking on. */
    assert_int_equal(tern_config_load_crl(cfg, tv_path("certs/crl/int.crl")), 0);
    assert_string_equal(tern_config_error(cfg), "");
    tern_config_x509_params(cfg, TERN_X509_PURPOSE_CLIENT, 42, NULL, &p);
    assert_int_equal(p.crl_mode, TERN_X509_CRL_IF_PRESENT);
    assert_int_equal(p.n_names, 0);
    assert_int_equal(tern_config_set_crl_mode(cfg, TERN_CRL_REQUIRE), 0);
    tern_config_x509_params(cfg, TERN_X509_PURPOSE_CLIENT, 42, NULL, &p);
    assert_int_equal(p.crl_mode, TERN_X509_CRL_REQUIRE);
    assert_int_equal(tern_config_set_crl_mode(cfg, 7), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_set_crl_mode(cfg, 0), TERN_ERR_INVALID_ARG);
    /* A refused one: the call fails and says why. */
    assert_int_equal(tern_config_load_crl(cfg, tv_path("certs/crl/int-delta.crl")), TERN_ERR_UNSUPPORTED);
    assert_non_null(strstr(tern_config_error(cfg), "is a delta CRL (deltaCRLIndicator)"));
    assert_int_equal(tern_config_load_crl(cfg, tv_path("certs/crl/nope")), TERN_ERR_FILE);
    /* Memory, PEM and DER. */
    size_t l;
    char *t = tv_slurp(tv_path("certs/crl/root.crl"), &l);
    assert_int_equal(tern_config_add_crl_pem(cfg, (uint8_t *)t, l), 0);
    free(t);
    t = tv_slurp(tv_path("certs/crl/dir/root.crl.der"), &l);
    assert_int_equal(tern_config_add_crl_pem(cfg, (uint8_t *)t, l), 0); /* the same CRL: a duplicate */
    free(t);
    assert_int_equal(cfg->trust.n_crls, 2);
    assert_int_equal(tern_config_add_crl_pem(cfg, (const uint8_t *)"junk", 4), TERN_ERR_PEM);
    tern_config_free(cfg);
}

/* ---- TLS in memory ---- */

static int64_t clock_2030(void *arg) {
    (void)arg;
    return NOW_2030;
}

static tern_config *crl_config(const char *trust, const char *chain_file, const char *crl) {
    tern_config *cfg = mp_config(trust, chain_file, chain_file ? "certs/crl/leaf.key" : NULL);
    tern_config_set_clock(cfg, clock_2030, NULL);
    if (crl != NULL && tern_config_load_crl(cfg, tv_path(crl)) != 0)
        fail_msg("CRL %s: %s", crl, tern_config_error(cfg));
    return cfg;
}

static void test_tls_revoked_server(void **state) {
    (void)state;
    tern_config *scfg = crl_config(NULL, "certs/crl/revoked-chain.pem", NULL);
    tern_config *ccfg = crl_config("certs/crl/root.crt", NULL, "certs/crl/int.crl");
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, TERN_ERR_CERT_REVOKED);
    assert_int_equal(tern_alert_sent(p.c), TERN_ALERT_CERTIFICATE_REVOKED);
    assert_int_equal(p.src, TERN_ERR_PEER_ALERT);
    assert_int_equal(tern_alert_received(p.s), TERN_ALERT_CERTIFICATE_REVOKED);
    assert_non_null(strstr(tern_error(p.c), revoked_leaf_msg));
    mp_free(&p);
    tern_config_free(ccfg);
    /* The same client reaches the good server. */
    tern_config *good = crl_config(NULL, "certs/crl/good-chain.pem", NULL);
    ccfg = crl_config("certs/crl/root.crt", NULL, "certs/crl/int.crl");
    assert_int_equal(tern_config_set_crl_mode(ccfg, TERN_CRL_REQUIRE), 0);
    assert_int_equal(tern_config_load_crl(ccfg, tv_path("certs/crl/root.crl")), 0);
    mp_init(&p, ccfg, good, "localhost");
    mp_handshake_ok(&p);
    mp_free(&p);
    tern_config_free(ccfg);
    tern_config_free(good);
    tern_config_free(scfg);
}

static void test_tls_revoked_client(void **state) {
    (void)state;
    tern_config *scfg = crl_config("certs/crl/root.crt", "certs/crl/good-chain.pem", "certs/crl/int.crl");
    assert_int_equal(tern_config_set_client_auth(scfg, TERN_CLIENT_AUTH_REQUIRED), 0);
    tern_config *ccfg = crl_config("certs/crl/root.crt", "certs/crl/revoked-chain.pem", NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.src, TERN_ERR_CERT_REVOKED);
    assert_int_equal(tern_alert_sent(p.s), TERN_ALERT_CERTIFICATE_REVOKED);
    assert_int_equal(tern_alert_received(p.c), TERN_ALERT_CERTIFICATE_REVOKED);
    assert_non_null(strstr(tern_error(p.s), revoked_leaf_msg));
    mp_free(&p);
    tern_config_free(ccfg);
    tern_config_free(scfg);
}

/* ---- x509-limbo crl::* ---- */

static int64_t iso_time(const char *s) {
    int y, mo, d, h, mi, se;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &se) != 6)
        fail_msg("bad time %s", s);
    assert_true(strlen(s) >= 19 && (strcmp(s + 19, "+00:00") == 0 || strcmp(s + 19, "Z") == 0));
    return tern_der_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
}

/* The CRL cases of limbo, through the library API: the trusted
 * certificates and the CRLs into a trust store, the path checked with
 * TERN_X509_CRL_REQUIRE (every case gives a CRL for each issuer on its
 * path; a CRL that tern refuses at load, like one with a critical
 * cRLNumber, then leaves its issuer without one, as limbo expects). */
static void test_limbo_crl(void **state) {
    (void)state;
    json *root = json_load(tv_path("x509-limbo/limbo.json"));
    const json *cases = json_get(root, "testcases");
    assert_non_null(cases);
    size_t ran = 0;
    for (size_t i = 0; i < cases->n; i++) {
        const json *tc = cases->items[i];
        const char *id = json_str(tc, "id");
        if (id == NULL || strncmp(id, "crl::", 5) != 0)
            continue;
        tern_truststore ts;
        tern_truststore_init(&ts);
        const json *trusted = json_get(tc, "trusted_certs");
        for (size_t k = 0; k < trusted->n; k++)
            assert_true(tern_truststore_add_pem(&ts, (const uint8_t *)trusted->items[k]->str,
                                                strlen(trusted->items[k]->str), "limbo") > 0);
        const json *crls = json_get(tc, "crls");
        for (size_t k = 0; k < crls->n; k++) {
            int rc = tern_truststore_add_crl_pem(&ts, (const uint8_t *)crls->items[k]->str,
                                                 strlen(crls->items[k]->str), id);
            if (rc < 0)
                print_message("%s: %s\n", id, ts.msg);
        }
        chain ch;
        memset(&ch, 0, sizeof ch);
        const char *leaf = json_str(tc, "peer_certificate");
        chain_add_pem(&ch, leaf, strlen(leaf));
        const json *inter = json_get(tc, "untrusted_intermediates");
        for (size_t k = 0; k < inter->n; k++)
            chain_add_pem(&ch, inter->items[k]->str, strlen(inter->items[k]->str));
        tern_x509_params p;
        memset(&p, 0, sizeof p);
        assert_string_equal(json_str(tc, "validation_kind"), "SERVER");
        p.purpose = TERN_X509_PURPOSE_SERVER;
        p.now = iso_time(json_str(tc, "validation_time"));
        p.crl_mode = TERN_X509_CRL_REQUIRE;
        const json *peer = json_get(tc, "expected_peer_name");
        const char *name = peer && peer->type == J_OBJ ? json_str(peer, "value") : NULL;
        if (name != NULL) {
            p.names = &name;
            p.n_names = 1;
        }
        tern_x509_result res;
        int rc = tern_x509_verify(&ts, (const uint8_t *const *)ch.der, ch.len, ch.n, &p, &res);
        int want_ok = strcmp(json_str(tc, "expected_result"), "SUCCESS") == 0;
        print_message("%-50s %s: %s\n", id, rc == 0 ? "accepted" : "refused", rc == 0 ? "" : res.msg);
        if ((rc == 0) != want_ok)
            fail_msg("%s: expected %s, got %d (%s)", id, want_ok ? "SUCCESS" : "FAILURE", rc, res.msg);
        chain_free(&ch);
        tern_truststore_free(&ts);
        ran++;
    }
    assert_int_equal(ran, 8);
    json_free(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_revoked),
        cmocka_unit_test(test_leaf_revoked),
        cmocka_unit_test(test_intermediate_revoked),
        cmocka_unit_test(test_stale_and_future),
        cmocka_unit_test(test_wrong_key),
        cmocka_unit_test(test_issuer_without_crlsign),
        cmocka_unit_test(test_refused_crls),
        cmocka_unit_test(test_require_without_crl),
        cmocka_unit_test(test_loading),
        cmocka_unit_test(test_mutations),
        cmocka_unit_test(test_serial_and_reason_text),
        cmocka_unit_test(test_config_api),
        cmocka_unit_test(test_tls_revoked_server),
        cmocka_unit_test(test_tls_revoked_client),
        cmocka_unit_test(test_limbo_crl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
