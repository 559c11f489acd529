/*
 * The server's negotiation alone (lib/negotiate.c): tern_negotiate and
 * tern_negotiate_resume called on an offer built by hand, with real
 * configurations (key stores from vectors/certs), without a handshake.
 *   - suites: the server's order, not the client's; ECDHE before the RSA
 *     key exchange; nothing in common -> handshake_failure;
 *   - an ECDSA suite only with an EC identity on a curve the client's
 *     supported_groups admits (RFC 8422 §5.1), else an RSA suite or
 *     handshake_failure with the reason;
 *   - groups: the server's order among those offered; without
 *     supported_groups secp256r1 when configured (RFC 8422 §4);
 *   - signature schemes: none offered means SHA-1 only (RFC 5246
 *     §7.4.1.4.1), so no ECDHE suite;
 *   - the identity: the one whose certificate names the SNI host, else the
 *     first of the key type the suite needs;
 *   - the extended master secret required (missing_extension);
 *   - resumption: accepted; refused (expired, another name, suite not
 *     allowed or not offered, no EMS in the session, no client identity);
 *     aborted when the client offers a session without EMS (RFC 7627 §5.3);
 *   - ALPN: the server's order among the names offered, none in common ->
 *     no_application_protocol, no ALPN configured -> the offer ignored.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/negotiate.h"
#include "tests/util/testutil.h"

#define ALL_GROUPS (TERN_OFFER_X25519 | TERN_OFFER_P256 | TERN_OFFER_P384)

/* What tern's own client offers (lib/sig.c), in its order. */
static const uint16_t all_schemes[] = {
    TERN_SIG_ECDSA_SECP256R1_SHA256, TERN_SIG_RSA_PSS_RSAE_SHA256, TERN_SIG_RSA_PKCS1_SHA256,
    TERN_SIG_ECDSA_SECP384R1_SHA384, TERN_SIG_RSA_PSS_RSAE_SHA384, TERN_SIG_RSA_PKCS1_SHA384,
    TERN_SIG_RSA_PSS_RSAE_SHA512,    TERN_SIG_RSA_PKCS1_SHA512,
};

static tern_config *config(const char *suites) {
    tern_config *cfg = tern_config_new();
    assert_non_null(cfg);
    if (suites != NULL)
        assert_int_equal(tern_config_set_cipher_suites(cfg, suites), 0);
    return cfg;
}

/* A key store (the default first, then added identities) from a chain
 * file, or from a leaf and its issuer's certificate. */
static void add_identity(tern_config *cfg, const char *leaf, const char *issuer, const char *key) {
    size_t l1, l2 = 0, lk;
    char *a = tv_slurp(tv_path(leaf), &l1);
    char *b = issuer != NULL ? tv_slurp(tv_path(issuer), &l2) : NULL;
    char *k = tv_slurp(tv_path(key), &lk);
    char *chain = malloc(l1 + l2 + 1);
    assert_non_null(chain);
    memcpy(chain, a, l1);
    if (b != NULL)
        memcpy(chain + l1, b, l2);
    if (tern_config_add_identity_pem(cfg, (uint8_t *)chain, l1 + l2, (uint8_t *)k, lk) != 0)
        fail_msg("identity %s: %s", leaf, tern_config_error(cfg));
    free(chain);
    free(a);
    free(b);
    free(k);
}
static void add_rsa(tern_config *cfg) { add_identity(cfg, "certs/server-chain.pem", NULL, "certs/server.key"); }
static void add_p256(tern_config *cfg) {
    add_identity(cfg, "certs/ecdsa-server-chain.pem", NULL, "certs/ecdsa-server.key"); /* localhost */
}

/* The offer bit of each suite id listed (0-terminated) that cfg has. */
static uint16_t offered(const tern_config *cfg, const uint16_t *ids) {
    uint16_t bits = 0;
    for (size_t i = 0; cfg->suites[i] != 0; i++)
        for (size_t j = 0; ids[j] != 0; j++)
            if (cfg->suites[i] == ids[j])
                bits |= (uint16_t)(1u << i);
    return bits;
}

/* An offer like tern's own client's: every suite of cfg, every group,
 * every scheme, EMS, no SNI. */
static tern_offer full_offer(const tern_config *cfg) {
    tern_offer o;
    memset(&o, 0, sizeof o);
    for (size_t i = 0; cfg->suites[i] != 0; i++)
        o.suites |= (uint16_t)(1u << i);
    o.saw_groups = 1;
    o.groups = ALL_GROUPS;
    o.saw_sigalgs = 1;
    o.sigalgs = all_schemes;
    o.nsigalgs = TERN_ARRAY_LEN(all_schemes);
    o.server_name = "";
    o.ems = 1;
    return o;
}

static uint16_t chosen(const tern_config *cfg, const tern_offer *o) {
    tern_choice ch;
    int rc = tern_negotiate(cfg, o, &ch);
    if (rc != 0)
        fail_msg("tern_negotiate: %d (%s)", rc, ch.why ? ch.why : "no reason");
    assert_non_null(ch.suite);
    assert_non_null(ch.keys);
    return ch.suite->id;
}

static void expect_refusal(const tern_config *cfg, const tern_offer *o, int err, const char *why) {
    tern_choice ch;
    assert_int_equal(tern_negotiate(cfg, o, &ch), err);
    assert_non_null(ch.why);
    if (strstr(ch.why, why) == NULL)
        fail_msg("expected a reason with \"%s\", got \"%s\"", why, ch.why);
}

/* The server's order decides, not the client's: the offer is the same and
 * the choice follows the configuration's order.  ECDHE comes before the
 * RSA key exchange whatever the order; RSA when it is all in common. */
static void test_server_preference(void **state) {
    (void)state;
    static const uint16_t both[] = {0xC030, 0xC02F, 0}; /* client: AES-256 first */
    tern_config *a = config("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
    tern_config *b = config("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256");
    add_rsa(a);
    add_rsa(b);
    tern_offer o = full_offer(a);
    o.suites = offered(a, both);
    assert_int_equal(chosen(a, &o), 0xC02F);
    o.suites = offered(b, both);
    assert_int_equal(chosen(b, &o), 0xC030);

    /* The RSA key exchange first in the configuration: ECDHE still wins. */
    tern_config *r = config("AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
    add_rsa(r);
    o = full_offer(r);
    tern_choice ch;
    assert_int_equal(tern_negotiate(r, &o, &ch), 0);
    assert_int_equal(ch.suite->id, 0xC02F);
    assert_int_equal(ch.group, TERN_GROUP_X25519);
    assert_int_equal(ch.scheme, TERN_SIG_RSA_PSS_RSAE_SHA256);
    /* ... and is chosen, with no group and no scheme, when it is all the
     * client offers. */
    static const uint16_t rsa_kx[] = {0x009C, 0};
    o.suites = offered(r, rsa_kx);
    assert_int_equal(tern_negotiate(r, &o, &ch), 0);
    assert_int_equal(ch.suite->id, 0x009C);
    assert_int_equal(ch.group, 0);
    assert_int_equal(ch.scheme, 0);
    assert_int_equal(ch.keys->key_type, TERN_X509_KEY_RSA);
    tern_config_free(a);
    tern_config_free(b);
    tern_config_free(r);
}

static void test_no_common_suite(void **state) {
    (void)state;
    tern_config *cfg = config(NULL); /* the defaults: ECDSA and RSA suites */
    add_rsa(cfg);
    tern_offer o = full_offer(cfg);
    o.suites = 0; /* only suites this server does not have */
    expect_refusal(cfg, &o, TERN_ERR_HANDSHAKE_FAILURE, "no cipher suite in common");
    /* Only ECDSA suites offered, and the server has no EC identity. */
    static const uint16_t ecdsa[] = {0xC02B, 0xC02C, 0xCCA9, 0};
    o.suites = offered(cfg, ecdsa);
    assert_int_not_equal(o.suites, 0);
    expect_refusal(cfg, &o, TERN_ERR_HANDSHAKE_FAILURE, "no cipher suite in common");
    /* No identity at all. */
    tern_config *none = config(NULL);
    o = full_offer(none);
    expect_refusal(none, &o, TERN_ERR_HANDSHAKE_FAILURE, "no cipher suite in common");
    tern_config_free(cfg);
    tern_config_free(none);
}

/* The default order puts ECDSA first: it is chosen only with an EC
 * identity, and only on a curve the client's supported_groups names. */
static void test_ecdsa_needs_ec_identity_and_curve(void **state) {
    (void)state;
    tern_config *cfg = config(NULL);
    add_rsa(cfg);
    tern_offer o = full_offer(cfg);
    assert_int_equal(chosen(cfg, &o), 0xC02F); /* RSA identity only: ECDHE_RSA */
    add_p256(cfg);
    tern_choice ch;
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.suite->id, 0xC02B);
    assert_int_equal(ch.keys->key_type, TERN_X509_KEY_EC);
    assert_int_equal(ch.keys->ec_curve, TERN_X509_CURVE_P256);
    assert_int_equal(ch.scheme, TERN_SIG_ECDSA_SECP256R1_SHA256);
    /* The client names x25519 only: it cannot check a P-256 signature. */
    o.groups = TERN_OFFER_X25519;
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.suite->id, 0xC02F);
    assert_int_equal(ch.keys->key_type, TERN_X509_KEY_RSA);
    assert_int_equal(ch.group, TERN_GROUP_X25519);
    tern_config_free(cfg);

    /* An EC identity alone: without the curve, refused with the reason. */
    tern_config *ec = config(NULL);
    add_p256(ec);
    o = full_offer(ec);
    o.groups = TERN_OFFER_X25519 | TERN_OFFER_P384;
    expect_refusal(ec, &o, TERN_ERR_HANDSHAKE_FAILURE, "lacks secp256r1, the curve of our ECDSA certificate");
    tern_config_free(ec);

    /* A P-384 identity: chosen only when secp384r1 is offered. */
    tern_config *p384 = config(NULL);
    add_rsa(p384);
    add_identity(p384, "certs/ec384.crt", "certs/int-ca.crt", "certs/ec384.key");
    o = full_offer(p384);
    o.groups = TERN_OFFER_X25519 | TERN_OFFER_P256;
    assert_int_equal(tern_negotiate(p384, &o, &ch), 0);
    assert_int_equal(ch.keys->key_type, TERN_X509_KEY_RSA);
    o.groups |= TERN_OFFER_P384;
    assert_int_equal(tern_negotiate(p384, &o, &ch), 0);
    assert_int_equal(ch.keys->key_type, TERN_X509_KEY_EC);
    assert_int_equal(ch.keys->ec_curve, TERN_X509_CURVE_P384);
    /* Only the SHA-384 ECDSA scheme offered: that is the one used. */
    static const uint16_t only384[] = {TERN_SIG_ECDSA_SECP384R1_SHA384, TERN_SIG_RSA_PKCS1_SHA256};
    o.sigalgs = only384;
    o.nsigalgs = 2;
    assert_int_equal(tern_negotiate(p384, &o, &ch), 0);
    assert_int_equal(ch.scheme, TERN_SIG_ECDSA_SECP384R1_SHA384);
    tern_config_free(p384);
}

static uint16_t group_of(const tern_config *cfg, const tern_offer *o) {
    tern_choice ch;
    assert_int_equal(tern_negotiate(cfg, o, &ch), 0);
    return ch.group;
}

static void test_group_order(void **state) {
    (void)state;
    tern_config *cfg = config("ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256");
    add_rsa(cfg);
    tern_offer o = full_offer(cfg);
    assert_int_equal(group_of(cfg, &o), TERN_GROUP_X25519); /* default order: x25519 first */
    o.groups = TERN_OFFER_P384 | TERN_OFFER_P256;
    assert_int_equal(group_of(cfg, &o), TERN_GROUP_SECP256R1);
    o.groups = TERN_OFFER_P384;
    assert_int_equal(group_of(cfg, &o), TERN_GROUP_SECP384R1);
    /* The configuration's order, not the client's. */
    assert_int_equal(tern_config_set_groups(cfg, "secp384r1:x25519"), 0);
    o.groups = TERN_OFFER_X25519 | TERN_OFFER_P384;
    assert_int_equal(group_of(cfg, &o), TERN_GROUP_SECP384R1);
    /* A group offered that the configuration does not have. */
    o.groups = TERN_OFFER_P256;
    tern_choice ch;
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.suite->id, 0x009C); /* no ECDHE: the RSA key exchange instead */
    assert_int_equal(ch.group, 0);
    /* ... and without the RSA key exchange, the reason. */
    static const uint16_t ecdhe[] = {0xC02F, 0};
    o.suites = offered(cfg, ecdhe);
    expect_refusal(cfg, &o, TERN_ERR_HANDSHAKE_FAILURE, "none of tern's groups");
    /* No supported_groups (RFC 8422 §4: any curve): secp256r1 when
     * configured, else the first. */
    o.saw_groups = 0;
    o.groups = 0;
    assert_int_equal(group_of(cfg, &o), TERN_GROUP_SECP384R1);
    assert_int_equal(tern_config_set_groups(cfg, "x25519:secp256r1"), 0);
    assert_int_equal(group_of(cfg, &o), TERN_GROUP_SECP256R1);
    tern_config_free(cfg);
}

static void test_signature_schemes(void **state) {
    (void)state;
    tern_config *cfg = config("ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256");
    add_rsa(cfg);
    tern_offer o = full_offer(cfg);
    /* Our first RSA scheme the client takes (lib/ext.c's order). */
    static const uint16_t pkcs1_first[] = {TERN_SIG_RSA_PKCS1_SHA384, TERN_SIG_RSA_PSS_RSAE_SHA384};
    o.sigalgs = pkcs1_first;
    o.nsigalgs = 2;
    tern_choice ch;
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.scheme, TERN_SIG_RSA_PSS_RSAE_SHA384);
    /* No signature_algorithms: SHA-1 only, so the RSA key exchange. */
    o.saw_sigalgs = 0;
    o.sigalgs = NULL;
    o.nsigalgs = 0;
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.suite->id, 0x009C);
    static const uint16_t ecdhe[] = {0xC02F, 0};
    o.suites = offered(cfg, ecdhe);
    expect_refusal(cfg, &o, TERN_ERR_HANDSHAKE_FAILURE, "accepts only SHA-1");
    /* Only ECDSA schemes, for an RSA certificate. */
    static const uint16_t ec_only[] = {TERN_SIG_ECDSA_SECP256R1_SHA256};
    o.saw_sigalgs = 1;
    o.sigalgs = ec_only;
    o.nsigalgs = 1;
    expect_refusal(cfg, &o, TERN_ERR_HANDSHAKE_FAILURE, "no RSA signature scheme");
    tern_config_free(cfg);
}

/* SNI picks the identity whose certificate names the host, among those of
 * the suite's key type; else the first of that type. */
static void test_sni_identity(void **state) {
    (void)state;
    tern_config *cfg = config("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256");
    add_rsa(cfg);                                                            /* localhost, server.test */
    add_identity(cfg, "certs/wildcard.crt", "certs/int-ca.crt", "certs/leaf.key"); /* *.wild.test */
    const tern_keystore *rsa_default = tern_identity_at(cfg, 0), *wild = tern_identity_at(cfg, 1);
    tern_offer o = full_offer(cfg);
    tern_choice ch;
    static const struct {
        const char *name;
        int wild;
    } cases[] = {{"a.wild.test", 1}, {"server.test", 0}, {"other.test", 0}, {"", 0}, {"mixed.case.test", 1}};
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        o.server_name = cases[i].name;
        assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
        assert_int_equal(ch.suite->id, 0xC02F);
        if (ch.keys != (cases[i].wild ? wild : rsa_default))
            fail_msg("SNI \"%s\": the wrong identity", cases[i].name);
    }

    /* EC identities: P-256 for localhost, P-384 for leaf.test.  An ECDSA
     * suite picks by name among those on a curve the client admits. */
    add_p256(cfg);
    add_identity(cfg, "certs/ec384.crt", "certs/int-ca.crt", "certs/ec384.key");
    const tern_keystore *p256 = tern_identity_at(cfg, 2), *p384 = tern_identity_at(cfg, 3);
    o.server_name = "leaf.test";
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.suite->id, 0xC02B);
    assert_ptr_equal(ch.keys, p384);
    o.server_name = "localhost";
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_ptr_equal(ch.keys, p256);
    o.server_name = "leaf.test";
    o.groups = TERN_OFFER_X25519 | TERN_OFFER_P256; /* the name's P-384 key is out */
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.suite->id, 0xC02B);
    assert_ptr_equal(ch.keys, p256);
    tern_config_free(cfg);
}

static void test_extended_master_secret(void **state) {
    (void)state;
    tern_config *cfg = config(NULL);
    add_rsa(cfg);
    tern_offer o = full_offer(cfg);
    tern_choice ch;
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.ems, 1);
    o.ems = 0;
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.ems, 0);
    tern_config_require_extended_master_secret(cfg, 1);
    expect_refusal(cfg, &o, TERN_ERR_MISSING_EXTENSION, "extended master secret");
    o.ems = 1;
    assert_int_equal(tern_negotiate(cfg, &o, &ch), 0);
    assert_int_equal(ch.ems, 1);
    /* A suite refusal comes first. */
    o.ems = 0;
    o.suites = 0;
    expect_refusal(cfg, &o, TERN_ERR_HANDSHAKE_FAILURE, "no cipher suite in common");
    tern_config_free(cfg);
}

#define NOW 1800000000

static tern_sess_core session(uint16_t suite, int ems, const char *name) {
    tern_sess_core st;
    memset(&st, 0, sizeof st);
    st.suite = suite;
    st.ems = (uint8_t)ems;
    st.created = NOW - 100;
    st.lifetime = 7200;
    snprintf(st.server_name, sizeof st.server_name, "%s", name);
    return st;
}

/* Negotiate the full handshake, then judge st: returns tern_negotiate_resume's
 * code, with *ch the final choice. */
static int resume(const tern_config *cfg, const tern_offer *o, const tern_sess_core *st, tern_choice *ch) {
    assert_int_equal(tern_negotiate(cfg, o, ch), 0);
    return tern_negotiate_resume(cfg, o, st, NOW, ch);
}

static void expect_full(const tern_config *cfg, const tern_offer *o, const tern_sess_core *st, const char *why) {
    tern_choice ch;
    assert_int_equal(resume(cfg, o, st, &ch), 0);
    assert_int_equal(ch.resume, 0);
    assert_non_null(ch.why);
    if (strstr(ch.why, why) == NULL)
        fail_msg("expected a reason with \"%s\", got \"%s\"", why, ch.why);
    assert_int_equal(ch.suite->id, 0xC030); /* the full handshake's choice stands */
    assert_int_not_equal(ch.scheme, 0);
}

static void test_resumption(void **state) {
    (void)state;
    tern_config *cfg = config("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256");
    add_rsa(cfg);
    tern_offer o = full_offer(cfg);
    o.server_name = "localhost";
    tern_sess_core st = session(0xC02F, 1, "localhost");
    tern_choice ch;
    /* Accepted: the session's suite, not the one a full handshake would
     * take, and no signature. */
    assert_int_equal(resume(cfg, &o, &st, &ch), 0);
    assert_int_equal(ch.resume, 1);
    assert_int_equal(ch.suite->id, 0xC02F);
    assert_int_equal(ch.scheme, 0);
    assert_int_equal(ch.ems, 1);

    tern_sess_core t = st;
    t.created = NOW - 7200; /* lifetime over */
    expect_full(cfg, &o, &t, "expired");
    t = st;
    t.created = NOW + 10; /* made in the future: the clock went back */
    expect_full(cfg, &o, &t, "expired");
    o.server_name = "server.test";
    expect_full(cfg, &o, &st, "another server name");
    o.server_name = "localhost";
    /* RFC 7627 §5.3: a session without EMS, a hello with it: a full
     * handshake. */
    t = session(0xC02F, 0, "localhost");
    expect_full(cfg, &o, &t, "no extended master secret");
    /* The session's suite: not offered by the client, or no longer ours. */
    static const uint16_t aes256[] = {0xC030, 0};
    o.suites = offered(cfg, aes256);
    expect_full(cfg, &o, &st, "the client does not offer");
    o = full_offer(cfg);
    o.server_name = "localhost";
    t = session(0xCCA8, 1, "localhost"); /* ChaCha20: not in this configuration */
    expect_full(cfg, &o, &t, "no longer allows");
    /* Client certificates required: only a session with a client identity. */
    assert_int_equal(tern_config_set_client_auth(cfg, TERN_CLIENT_AUTH_REQUIRED), 0);
    expect_full(cfg, &o, &st, "no client identity");
    t = st;
    t.has_identity = 1;
    assert_int_equal(resume(cfg, &o, &t, &ch), 0);
    assert_int_equal(ch.resume, 1);
    assert_int_equal(tern_config_set_client_auth(cfg, TERN_CLIENT_AUTH_NONE), 0);

    /* RFC 7627 §5.3: a hello without EMS offering a session that would
     * otherwise resume: handshake_failure, whichever the session is. */
    o.ems = 0;
    assert_int_equal(resume(cfg, &o, &st, &ch), TERN_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(ch.resume, 0);
    assert_non_null(strstr(ch.why, "made with the extended master secret"));
    t = session(0xC02F, 0, "localhost");
    assert_int_equal(resume(cfg, &o, &t, &ch), TERN_ERR_HANDSHAKE_FAILURE);
    assert_non_null(strstr(ch.why, "made without the extended master secret"));
    /* ... but a session refused for another reason is just not resumed. */
    t.created = NOW - 7200;
    expect_full(cfg, &o, &t, "expired");
    tern_config_free(cfg);
}

/* ALPN (RFC 7301 §3.2): names matched one by one as the client lists
 * them; the server's order decides. */
static const char *alpn_pick(const tern_config *cfg, const char *const *offer, size_t n, int *rc) {
    static char out[256];
    uint8_t matched = 0;
    uint16_t best = 0;
    for (size_t i = 0; i < n; i++)
        tern_negotiate_alpn_name(cfg, (const uint8_t *)offer[i], strlen(offer[i]), &matched, &best);
    const uint8_t *name = (const uint8_t *)"x";
    size_t len = 99;
    const char *why = NULL;
    *rc = tern_negotiate_alpn(cfg, matched, best, &name, &len, &why);
    if (*rc < 0) {
        assert_non_null(why);
        assert_non_null(strstr(why, "no application protocol"));
        return NULL;
    }
    assert_true(len < sizeof out);
    if (len > 0)
        memcpy(out, name, len);
    out[len] = '\0';
    return out;
}

static void test_alpn(void **state) {
    (void)state;
    tern_config *cfg = config(NULL);
    static const char *const client[] = {"spdy/1", "http/1.1", "h2"};
    int rc;
    /* No ALPN configured: the offer is ignored. */
    assert_string_equal(alpn_pick(cfg, client, 3, &rc), "");
    assert_int_equal(rc, 0);
    assert_int_equal(tern_config_set_alpn(cfg, "h2,http/1.1"), 0);
    assert_string_equal(alpn_pick(cfg, client, 3, &rc), "h2"); /* ours first, though the client lists it last */
    assert_int_equal(rc, 0);
    assert_string_equal(alpn_pick(cfg, client, 2, &rc), "http/1.1");
    static const char *const h2_first[] = {"h2", "http/1.1"};
    assert_string_equal(alpn_pick(cfg, h2_first, 2, &rc), "h2"); /* and when the client lists it first */
    static const char *const none[] = {"spdy/1", "h2c", "h"};
    assert_null(alpn_pick(cfg, none, 3, &rc));
    assert_int_equal(rc, TERN_ERR_NO_ALPN);
    /* A name that is a prefix of ours is not ours. */
    static const char *const prefix[] = {"http/1"};
    assert_null(alpn_pick(cfg, prefix, 1, &rc));
    tern_config_free(cfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_preference),
        cmocka_unit_test(test_no_common_suite),
        cmocka_unit_test(test_ecdsa_needs_ec_identity_and_curve),
        cmocka_unit_test(test_group_order),
        cmocka_unit_test(test_signature_schemes),
        cmocka_unit_test(test_sni_identity),
        cmocka_unit_test(test_extended_master_secret),
        cmocka_unit_test(test_resumption),
        cmocka_unit_test(test_alpn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
