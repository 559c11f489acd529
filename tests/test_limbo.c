/*
 * The x509-limbo suite (vectors/x509-limbo/limbo.json, C2SP/x509-limbo,
 * Apache-2.0): every case runs through tern_x509_verify, the library's own
 * API, with the case's trust anchors, peer list (peer_certificate then
 * untrusted_intermediates), purpose, names, time, key usage, extended key
 * usage, depth bound and CRLs, and tern's verdict is compared with the case's
 * expected_result.
 *
 * vectors/x509-limbo/expectations.txt lists, one per line,
 *   ID  skip    REASON   the case is not run (the runner says "skipped");
 *   ID  differ  REASON   tern's verdict differs from expected_result on
 *                        purpose or for now (an expected failure);
 *   minimum N            at least N of all cases must pass.
 * Every case that does not give the expected verdict prints its own line
 * (id, expected, got, tern's sentence); a case not listed that fails, a
 * listed "differ" case that now agrees (the list must be updated), or a
 * pass count below the minimum fails the test.  A summary line gives the
 * pass count and percentage of all cases, and per family.  With
 * TERN_TEST_VERBOSE set, every expected refusal prints tern's sentence too
 * (to see that a case is refused for the reason it tests).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "lib/x509/pem.h"
#include "lib/x509/verify.h"
#include "tests/util/testutil.h"

#define MAX_LISTED 256

typedef struct {
    char id[160];
    int skip;   /* 1 skip, 0 differ */
    char reason[400];
    int seen;
} listed;

static listed list[MAX_LISTED];
static size_t n_list;
static long minimum = -1;

static void load_expectations(void) {
    size_t len;
    char *txt = tv_slurp(tv_path("x509-limbo/expectations.txt"), &len);
    char *save = NULL;
    for (char *line = strtok_r(txt, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ')
            line++;
        if (*line == '#' || *line == 0)
            continue;
        char id[160], kind[16];
        int off = 0;
        if (sscanf(line, "%159s %15s %n", id, kind, &off) != 2)
            fail_msg("expectations.txt: bad line: %s", line);
        if (strcmp(id, "minimum") == 0) {
            minimum = atol(kind);
            continue;
        }
        assert_true(n_list < MAX_LISTED);
        listed *l = &list[n_list++];
        snprintf(l->id, sizeof l->id, "%s", id);
        if (strcmp(kind, "skip") == 0)
            l->skip = 1;
        else if (strcmp(kind, "differ") == 0)
            l->skip = 0;
        else
            fail_msg("expectations.txt: %s: kind must be skip or differ, not %s", id, kind);
        snprintf(l->reason, sizeof l->reason, "%s", line + off);
        if (l->reason[0] == 0)
            fail_msg("expectations.txt: %s has no reason", id);
    }
    free(txt);
    if (minimum < 0)
        fail_msg("expectations.txt: no `minimum N` line");
}

static listed *find_listed(const char *id) {
    for (size_t i = 0; i < n_list; i++)
        if (strcmp(list[i].id, id) == 0)
            return &list[i];
    return NULL;
}

/* Every CERTIFICATE block of a PEM text, appended to ders/lens. */
static void add_pem(const char *pem, uint8_t **ders, size_t *lens, size_t *n, size_t cap) {
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)pem, strlen(pem));
    while (tern_pem_next(&r, &b) == 1) {
        if (strcmp(b.label, "CERTIFICATE") != 0)
            continue;
        assert_true(*n < cap);
        size_t dcap = tern_pem_decoded_max(&b), got = 0;
        uint8_t *der = malloc(dcap ? dcap : 1);
        assert_non_null(der);
        assert_int_equal(tern_pem_decode(&b, der, dcap, &got), 0);
        ders[*n] = der;
        lens[*n] = got;
        (*n)++;
    }
}

/* RFC 3339 "2024-01-01T00:00:00+00:00", "...Z", with optional fractional
 * seconds, to Unix seconds.  The fraction is dropped: certificate times
 * have second granularity, and comparing at that granularity (floor) is
 * what limbo's validity::*-fractional cases expect. */
static int64_t rfc3339(const char *s) {
    int y, mo, d, h, mi, se, off = 0;
    if (sscanf(s, "%d-%d-%dT%d:%d:%d%n", &y, &mo, &d, &h, &mi, &se, &off) != 6)
        fail_msg("validation_time %s: not an RFC 3339 time", s);
    const char *tz = s + off;
    if (*tz == '.') {
        tz++;
        while (*tz >= '0' && *tz <= '9')
            tz++;
    }
    if (!(strcmp(tz, "Z") == 0 || strcmp(tz, "+00:00") == 0))
        fail_msg("validation_time %s: only UTC times are expected", s);
    return tern_der_days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
}

static unsigned ku_bit(const char *s) {
    static const char *names[] = {"digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment",
                                  "keyAgreement",     "keyCertSign",       "cRLSign",         "encipherOnly",
                                  "decipherOnly"};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
        if (strcmp(s, names[i]) == 0)
            return 1u << i;
    fail_msg("key_usage %s is not a keyUsage bit name", s);
    return 0;
}

static unsigned eku_bit(const char *s) {
    if (strcmp(s, "serverAuth") == 0)
        return TERN_X509_EKU_SERVER_AUTH;
    if (strcmp(s, "clientAuth") == 0)
        return TERN_X509_EKU_CLIENT_AUTH;
    if (strcmp(s, "anyExtendedKeyUsage") == 0)
        return TERN_X509_EKU_ANY;
    fail_msg("extended_key_usage %s is not one tern can ask for", s);
    return 0;
}

#define MAX_CERTS 128

typedef struct {
    const char *family;
    unsigned total, passed;
} family_count;

static void test_limbo(void **state) {
    (void)state;
    load_expectations();
    json *root = json_load(tv_path("x509-limbo/limbo.json"));
    const json *cases = json_get(root, "testcases");
    assert_non_null(cases);
    assert_int_equal(cases->type, J_ARR);

    family_count fam[16];
    size_t n_fam = 0;
    unsigned passed = 0, skipped = 0, differ_ok = 0, regressions = 0, stale = 0;
    for (size_t ci = 0; ci < cases->n; ci++) {
        const json *tc = cases->items[ci];
        const char *id = json_str(tc, "id");
        const char *expected = json_str(tc, "expected_result");
        assert_non_null(id);
        assert_non_null(expected);
        int want_ok = strcmp(expected, "SUCCESS") == 0;

        char famname[32];
        snprintf(famname, sizeof famname, "%.*s", (int)strcspn(id, ":"), id);
        size_t fi = 0;
        while (fi < n_fam && strcmp(fam[fi].family, famname) != 0)
            fi++;
        if (fi == n_fam) {
            assert_true(n_fam < 16);
            fam[n_fam].family = strdup(famname);
            fam[n_fam].total = fam[n_fam].passed = 0;
            n_fam++;
        }
        fam[fi].total++;

        listed *l = find_listed(id);
        if (l)
            l->seen = 1;
        if (l && l->skip) {
            printf("limbo: %s: skipped (%s)\n", id, l->reason);
            skipped++;
            continue;
        }

        /* The trust store and the peer's list. */
        tern_truststore ts;
        tern_truststore_init(&ts);
        uint8_t *tders[MAX_CERTS], *pders[MAX_CERTS];
        size_t tlens[MAX_CERTS], plens[MAX_CERTS], nt = 0, np = 0;
        const json *trusted = json_get(tc, "trusted_certs");
        for (size_t i = 0; trusted && i < trusted->n; i++)
            add_pem(trusted->items[i]->str, tders, tlens, &nt, MAX_CERTS);
        for (size_t i = 0; i < nt; i++) {
            /* A certificate that does not parse is skipped by the store,
             * as tern_truststore_add_pem does for a bundle. */
            int rc = tern_truststore_add_der(&ts, tders[i], tlens[i]);
            assert_true(rc >= 0 || rc == TERN_ERR_CERT_BAD);
        }
        /* CRLs (RFC 5280 §6.3, lib/x509/crl.c): into the trust store, and
         * then required for every certificate on the path (each crl::
         * case gives one for each issuer; one tern refuses at load, such
         * as a critical cRLNumber, leaves its issuer without one). */
        const json *crls = json_get(tc, "crls");
        int crl_mode = TERN_X509_CRL_OFF;
        for (size_t i = 0; crls && crls->type == J_ARR && i < crls->n; i++) {
            int rc = tern_truststore_add_crl_pem(&ts, (const uint8_t *)crls->items[i]->str,
                                                 strlen(crls->items[i]->str), id);
            assert_true(rc >= 0 || rc == TERN_ERR_UNSUPPORTED || rc == TERN_ERR_PEM || rc == TERN_ERR_CERT_BAD ||
                        rc == TERN_ERR_LIMIT);
            crl_mode = TERN_X509_CRL_REQUIRE;
        }
        add_pem(json_str(tc, "peer_certificate"), pders, plens, &np, MAX_CERTS);
        assert_int_equal(np, 1);
        const json *inter = json_get(tc, "untrusted_intermediates");
        for (size_t i = 0; inter && i < inter->n; i++)
            add_pem(inter->items[i]->str, pders, plens, &np, MAX_CERTS);

        /* The parameters. */
        tern_x509_params p;
        memset(&p, 0, sizeof p);
        const char *kind = json_str(tc, "validation_kind");
        p.purpose = kind && strcmp(kind, "CLIENT") == 0 ? TERN_X509_PURPOSE_CLIENT : TERN_X509_PURPOSE_SERVER;
        const char *vt = json_str(tc, "validation_time");
        p.now = vt ? rfc3339(vt) : (int64_t)time(NULL);
        p.crl_mode = crl_mode;
        const char *names[4];
        size_t n_names = 0;
        const json *pn = json_get(tc, "expected_peer_name");
        const json *pns = json_get(tc, "expected_peer_names");
        const json *all[5];
        size_t n_all = 0;
        if (pn && pn->type == J_OBJ)
            all[n_all++] = pn;
        for (size_t i = 0; pns && pns->type == J_ARR && i < pns->n && n_all < 5; i++)
            all[n_all++] = pns->items[i];
        for (size_t i = 0; i < n_all; i++) {
            const char *k = json_str(all[i], "kind"), *v = json_str(all[i], "value");
            assert_non_null(k);
            assert_non_null(v);
            /* DNS names and IP addresses are what a TLS peer is checked
             * for; RFC822 names (mail addresses of CLIENT cases) are no
             * reference identity tern takes, and are not passed. */
            if ((strcmp(k, "DNS") == 0 || strcmp(k, "IP") == 0) && n_names < 4)
                names[n_names++] = v;
        }
        p.names = names;
        p.n_names = n_names;
        const json *ku = json_get(tc, "key_usage");
        for (size_t i = 0; ku && ku->type == J_ARR && i < ku->n; i++)
            p.key_usage |= ku_bit(ku->items[i]->str);
        const json *eku = json_get(tc, "extended_key_usage");
        for (size_t i = 0; eku && eku->type == J_ARR && i < eku->n; i++)
            p.eku |= eku_bit(eku->items[i]->str);
        const json *depth = json_get(tc, "max_chain_depth");
        if (depth && depth->type == J_NUM) {
            /* limbo counts the intermediates (the certificates between the
             * leaf and the anchor); tern counts the peer's certificates on
             * the path, leaf included. */
            size_t d = (size_t)depth->num;
            p.max_depth = d + 1;
        }
        const json *sigs = json_get(tc, "signature_algorithms");
        assert_true(sigs == NULL || sigs->type == J_NULL || (sigs->type == J_ARR && sigs->n == 0));

        tern_x509_result res;
        int rc = tern_x509_verify(&ts, (const uint8_t *const *)pders, plens, np, &p, &res);
        int got_ok = rc == 0;
        int agree = got_ok == want_ok;
        if (getenv("TERN_TEST_VERBOSE") && agree && !got_ok)
            printf("limbo: %s: FAILURE as expected: %s\n", id, res.msg);
        if (agree) {
            passed++;
            fam[fi].passed++;
            if (l) {
                printf("limbo: %s: listed as differing but now gives the expected %s: remove it from "
                       "expectations.txt\n",
                       id, expected);
                stale++;
            }
        } else {
            printf("limbo: %s: expected %s, got %s%s%s [%s]\n", id, expected, got_ok ? "SUCCESS" : "FAILURE",
                   got_ok ? "" : ": ", got_ok ? "" : res.msg, l ? "listed" : "NOT LISTED");
            if (l)
                differ_ok++;
            else
                regressions++;
        }
        tern_truststore_free(&ts);
        for (size_t i = 0; i < nt; i++)
            free(tders[i]);
        for (size_t i = 0; i < np; i++)
            free(pders[i]);
    }
    for (size_t i = 0; i < n_list; i++)
        if (!list[i].seen) {
            printf("limbo: expectations.txt lists %s, which is not a case of limbo.json\n", list[i].id);
            stale++;
        }
    printf("limbo: per family:");
    for (size_t i = 0; i < n_fam; i++) {
        printf(" %s %u/%u", fam[i].family, fam[i].passed, fam[i].total);
        free((void *)fam[i].family);
    }
    printf("\n");
    printf("limbo: %u of %zu cases pass (%.1f%%); %u skipped, %u differ as listed, %u unexpected failures, "
           "minimum %ld\n",
           passed, cases->n, 100.0 * passed / (double)cases->n, skipped, differ_ok, regressions, minimum);
    fflush(stdout);
    json_free(root);
    assert_int_equal(regressions, 0);
    assert_int_equal(stale, 0);
    assert_true((long)passed >= minimum);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limbo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
