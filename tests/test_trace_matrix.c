/*
 * The `--trace` narration against what went over the wire, for every suite
 * x group x key type tern supports (lib/suites.c; x25519, secp256r1,
 * secp384r1; RSA, P-256 and P-384 certificates), client and server talking
 * in memory (tests/mempair.h) and each narrated by the `tern` command's own
 * renderer (tools/trace_render.c, compiled in here).
 *
 * The truth is taken from the wire, not from the trace: the group and the
 * signature scheme are read from the ServerKeyExchange bytes the server
 * sent (RFC 8422 §5.4), the key type from the key store the server was
 * given.  For each case the narration must name that group in both
 * ephemeral keys, that scheme, that key type, and say "signature verified"
 * once on the client; with the RSA key exchange it must name no group and
 * claim no signature.  Then the failures: a ServerKeyExchange or a
 * CertificateVerify whose signature was changed on the way (the narration
 * says the check FAILED, never that it verified, and shows the
 * decrypt_error alert), and a truncated ServerKeyExchange (described as
 * refused, no verdict at all).
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
#include "lib/suites.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"
/* The renderer of `tern client/server --trace`, as the command links it. */
#include "tools/trace_render.c"

/* ---- a narrated side: the renderer's text and the events' kinds ---- */
typedef struct {
    tool_obs obs;
    char *text;
    size_t text_len;
    int checks_ok, checks_failed; /* CHECK events about signatures */
    int refused_fields;           /* MESSAGE fields named "refused" */
} narrated;

static void record(void *arg, const tern_trace_event *ev) {
    narrated *n = arg;
    if (ev->kind == TERN_TRACE_CHECK && strstr(ev->name, "signature") != NULL) {
        if (ev->status == 0)
            n->checks_ok++;
        else
            n->checks_failed++;
    }
    for (size_t i = 0; ev->kind == TERN_TRACE_MESSAGE && i < ev->nfields; i++)
        n->refused_fields += strcmp(ev->fields[i].name, "refused") == 0;
    tool_trace_render(&n->obs, ev);
}

static void narrate(narrated *n, tern_config *cfg, const char *role) {
    memset(n, 0, sizeof *n);
    n->obs.trace = 1;
    n->obs.role = role;
    n->obs.out = open_memstream(&n->text, &n->text_len);
    assert_non_null(n->obs.out);
    tern_config_set_trace(cfg, record, n);
}

static void narrate_end(narrated *n) {
    fclose(n->obs.out);
    n->obs.out = NULL;
}

static void narrate_free(narrated *n) {
    free(n->text);
    n->text = NULL;
}

/* The narration, printed when a check fails. */
static void dump(const narrated *n) {
    fprintf(stderr, "%s\n", n->text != NULL ? n->text : "(none)");
}

static int has(const narrated *n, const char *words) {
    return n->text != NULL && strstr(n->text, words) != NULL;
}

static size_t count(const narrated *n, const char *words) {
    size_t k = 0;
    for (const char *p = n->text; p != NULL && (p = strstr(p, words)) != NULL; p++)
        k++;
    return k;
}

#define EXPECT(n, cond, ...)                                                                                        \
    do {                                                                                                            \
        if (!(cond)) {                                                                                              \
            dump(n);                                                                                                \
            fail_msg(__VA_ARGS__);                                                                                  \
        }                                                                                                           \
    } while (0)

/* ---- the cases ---- */
typedef struct {
    const char *chain, *key, *root;
    const char *words; /* the key type as the narration words it */
    const char *curve; /* EC: ",<the certificate's curve>" for supported_groups */
} key_case;

static const key_case keys[] = {
    {"certs/server-chain.pem", "certs/server.key", "certs/root-ca.crt", "RSA 2048 bits", NULL},
    {"certs/ecdsa-server-chain.pem", "certs/ecdsa-server.key", "certs/ecdsa-root.crt", "EC P-256", ",secp256r1"},
    {"certs/p384/server-chain.pem", "certs/p384/server.key", "certs/p384/root.crt", "EC P-384", ",secp384r1"},
};
static const char *const groups[] = {"x25519", "secp256r1", "secp384r1"};

/* A pair for one suite, one group (NULL: the defaults) and one key. */
typedef struct {
    tern_config *ccfg, *scfg;
    mp_pair mp;
    narrated nc, ns;
    uint64_t seed_c, seed_s;
} pair;

static void pair_new(pair *p, const tern_suite *s, const char *group, const key_case *k) {
    memset(p, 0, sizeof *p);
    p->scfg = mp_config(NULL, k->chain, k->key);
    p->ccfg = mp_config(k->root, NULL, NULL);
    assert_non_null(p->scfg);
    assert_non_null(p->ccfg);
    if (s != NULL) {
        assert_int_equal(tern_config_set_cipher_suites(p->ccfg, s->name), 0);
        assert_int_equal(tern_config_set_cipher_suites(p->scfg, s->name), 0);
    }
    if (group != NULL) {
        /* The server has only this group; the client offers it and the
         * curve of an ECDSA certificate (RFC 8422 §5.1: supported_groups
         * also names the curves the client can verify). */
        char offer[64];
        snprintf(offer, sizeof offer, "%s%s", group, k->curve != NULL ? k->curve : "");
        assert_int_equal(tern_config_set_groups(p->ccfg, offer), 0);
        assert_int_equal(tern_config_set_groups(p->scfg, group), 0);
    }
    p->seed_c = 11;
    p->seed_s = 12;
    tern_config_set_rng(p->ccfg, tv_rng, &p->seed_c);
    tern_config_set_rng(p->scfg, tv_rng, &p->seed_s);
    narrate(&p->nc, p->ccfg, "client");
    narrate(&p->ns, p->scfg, "server");
    mp_init(&p->mp, p->ccfg, p->scfg, "localhost");
}

static void pair_free(pair *p) {
    mp_free(&p->mp);
    narrate_free(&p->nc);
    narrate_free(&p->ns);
    tern_config_free(p->ccfg);
    tern_config_free(p->scfg);
}

/* Until the server's first flight is in the pipe to the client. */
static void to_server_flight(pair *p) {
    mp_step_client(&p->mp);
    mp_step_server(&p->mp);
    if (!mp_pending(p->mp.crc) || !mp_pending(p->mp.src))
        fail_msg("first flights: client %d (%s), server %d (%s)", p->mp.crc, tern_error(p->mp.c), p->mp.src,
                 tern_error(p->mp.s));
}

/* The group and scheme of the ServerKeyExchange in the pipe, from its
 * bytes: curve_type(1) group(2) point<1..255> scheme(2) sig<0..2^16-1>. */
static void ske_wire(const mp_pipe *q, uint16_t *group, uint16_t *scheme) {
    size_t len = 0;
    uint8_t *m = mp_copy(q, TERN_HT_SERVER_KEY_EXCHANGE, &len);
    assert_non_null(m);
    assert_true(len > TERN_HS_HDR + 4);
    const uint8_t *b = m + TERN_HS_HDR;
    assert_int_equal(b[0], 3);
    *group = (uint16_t)(b[1] << 8 | b[2]);
    size_t plen = b[3];
    assert_true(TERN_HS_HDR + 4 + plen + 2 <= len);
    *scheme = (uint16_t)(b[4 + plen] << 8 | b[5 + plen]);
    free(m);
}

static const char *scheme_name(uint16_t s) {
    switch (s) {
    case 0x0401: return "rsa_pkcs1_sha256";
    case 0x0501: return "rsa_pkcs1_sha384";
    case 0x0601: return "rsa_pkcs1_sha512";
    case 0x0804: return "rsa_pss_rsae_sha256";
    case 0x0805: return "rsa_pss_rsae_sha384";
    case 0x0806: return "rsa_pss_rsae_sha512";
    case 0x0403: return "ecdsa_secp256r1_sha256";
    case 0x0503: return "ecdsa_secp384r1_sha384";
    default: fail_msg("unexpected scheme 0x%04x on the wire", s); return "?";
    }
}

static const char *group_name(uint16_t g) {
    switch (g) {
    case 29: return "x25519";
    case 23: return "secp256r1";
    case 24: return "secp384r1";
    default: fail_msg("unexpected group %u on the wire", g); return "?";
    }
}

/* One ECDHE handshake: the narration against the wire. */
static void ecdhe_case(const tern_suite *s, const char *group, const key_case *k) {
    pair p;
    pair_new(&p, s, group, k);
    to_server_flight(&p);
    uint16_t wg = 0, ws = 0;
    ske_wire(&p.mp.s2c, &wg, &ws);
    mp_handshake_ok(&p.mp);
    narrate_end(&p.nc);
    narrate_end(&p.ns);
    const char *g = group_name(wg), *sc = scheme_name(ws);
    char want[256];
    EXPECT(&p.nc, strcmp(g, group) == 0, "%s %s %s: the server chose %s", s->name, group, k->words, g);

    /* Client: the server's key, our key, the scheme, the key, the verdict. */
    snprintf(want, sizeof want, "The server's ephemeral %s public key", g);
    EXPECT(&p.nc, has(&p.nc, want), "%s %s %s: client narration lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "Our own ephemeral %s public key", g);
    EXPECT(&p.nc, has(&p.nc, want), "%s %s %s: client narration lacks \"%s\"", s->name, g, k->words, want);
    /* (the sentences wrap at any space: the fields carry the same words) */
    snprintf(want, sizeof want, "signature_algorithm    %s (0x%04x)", sc, ws);
    EXPECT(&p.nc, has(&p.nc, want), "%s %s %s: client narration lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "signed_with            the server certificate's %s", k->words);
    EXPECT(&p.nc, has(&p.nc, want), "%s %s %s: client narration lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "named_curve            %s (%u)", g, wg);
    EXPECT(&p.nc, has(&p.nc, want), "%s %s %s: client narration lacks \"%s\"", s->name, g, k->words, want);
    EXPECT(&p.nc, count(&p.nc, "Check: signature verified") == 1 && p.nc.checks_ok == 1 && p.nc.checks_failed == 0,
           "%s %s %s: the client's verdicts: %d verified, %d failed", s->name, g, k->words, p.nc.checks_ok,
           p.nc.checks_failed);
    EXPECT(&p.nc, !has(&p.nc, "FAILED") && !has(&p.nc, "NOT"), "%s %s %s: a failure narrated on a good handshake",
           s->name, g, k->words);
    snprintf(want, sizeof want, "signature_scheme       %s", sc);
    EXPECT(&p.nc, has(&p.nc, want), "%s %s %s: the client's summary lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "cipher_suite           %s", s->name);
    EXPECT(&p.nc, has(&p.nc, want), "%s %s %s: the client's summary lacks \"%s\"", s->name, g, k->words, want);

    /* Server: its choices, its key, the client's key. */
    snprintf(want, sizeof want, "Our ephemeral %s public key", g);
    EXPECT(&p.ns, has(&p.ns, want), "%s %s %s: server narration lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "The client's ephemeral %s public key", g);
    EXPECT(&p.ns, has(&p.ns, want), "%s %s %s: server narration lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "chosen_group           %s (%u)", g, wg);
    EXPECT(&p.ns, has(&p.ns, want), "%s %s %s: server narration lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "chosen_scheme          %s (0x%04x)", sc, ws);
    EXPECT(&p.ns, has(&p.ns, want), "%s %s %s: server narration lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "certificate_key        %s", k->words);
    EXPECT(&p.ns, has(&p.ns, want), "%s %s %s: server narration lacks \"%s\"", s->name, g, k->words, want);
    snprintf(want, sizeof want, "signed_with            our %s", k->words);
    EXPECT(&p.ns, has(&p.ns, want), "%s %s %s: server narration lacks \"%s\"", s->name, g, k->words, want);
    /* No other group is named for a key. */
    for (size_t i = 0; i < TERN_ARRAY_LEN(groups); i++) {
        if (strcmp(groups[i], g) == 0)
            continue;
        snprintf(want, sizeof want, "ephemeral %s", groups[i]);
        EXPECT(&p.nc, !has(&p.nc, want), "%s %s %s: the client narrates \"%s\"", s->name, g, k->words, want);
        EXPECT(&p.ns, !has(&p.ns, want), "%s %s %s: the server narrates \"%s\"", s->name, g, k->words, want);
    }
    pair_free(&p);
}

/* One RSA key exchange handshake: no group, no signature. */
static void rsa_case(const tern_suite *s, const key_case *k) {
    pair p;
    pair_new(&p, s, NULL, k);
    to_server_flight(&p);
    size_t len = 0;
    uint8_t *m = mp_copy(&p.mp.s2c, TERN_HT_SERVER_KEY_EXCHANGE, &len);
    assert_null(m); /* none on the wire */
    mp_handshake_ok(&p.mp);
    narrate_end(&p.nc);
    narrate_end(&p.ns);
    EXPECT(&p.nc, has(&p.nc, "The RSA key exchange: we chose the 48-byte premaster"), "%s: client narration",
           s->name);
    EXPECT(&p.ns, has(&p.ns, "The RSA key exchange: the client's premaster secret"), "%s: server narration",
           s->name);
    EXPECT(&p.ns, has(&p.ns, "the RSA key exchange, with our RSA 2048 bits certificate"), "%s: server choices",
           s->name);
    for (int side = 0; side < 2; side++) {
        const narrated *n = side ? &p.ns : &p.nc;
        EXPECT(n, !has(n, "ephemeral") && !has(n, "named_curve") && !has(n, "Check: signature verified") &&
                      n->checks_ok == 0 && n->checks_failed == 0,
               "%s: the %s narrates a key share or a signature", s->name, side ? "server" : "client");
        EXPECT(n, has(n, "group                  none (RSA key exchange)"), "%s: the %s's summary", s->name,
               side ? "server" : "client");
    }
    pair_free(&p);
}

static void test_matrix(void **state) {
    (void)state;
    size_t ecdhe = 0, rsa = 0;
    for (const uint16_t *id = (const uint16_t[]){0xC02F, 0xC030, 0xCCA8, 0xC02B, 0xC02C, 0xCCA9, 0x009C, 0x009D, 0};
         *id != 0; id++) {
        const tern_suite *s = tern_suite_by_id(*id);
        assert_non_null(s);
        if (s->kx == TERN_KX_RSA) {
            rsa_case(s, &keys[0]);
            rsa++;
            continue;
        }
        for (size_t k = 0; k < TERN_ARRAY_LEN(keys); k++) {
            if ((s->kx == TERN_KX_ECDHE_ECDSA) != (k > 0))
                continue;
            for (size_t g = 0; g < TERN_ARRAY_LEN(groups); g++) {
                ecdhe_case(s, groups[g], &keys[k]);
                ecdhe++;
            }
        }
    }
    /* Every suite of lib/suites.c was met. */
    for (uint16_t id = 0; id < 0xffff; id++)
        if (tern_suite_by_id(id) != NULL)
            assert_true(id == 0xC02F || id == 0xC030 || id == 0xCCA8 || id == 0xC02B || id == 0xC02C ||
                        id == 0xCCA9 || id == 0x009C || id == 0x009D);
    assert_int_equal(ecdhe, 3 * 3 * 1 + 3 * 3 * 2);
    assert_int_equal(rsa, 2);
}

/* The ServerKeyExchange's signature changed on the way: the client's own
 * verifier refuses it, and the narration says so and nothing else. */
static void test_bad_ske_signature(void **state) {
    (void)state;
    static const uint16_t suites[] = {0xC02F, 0xC02B, 0xC02C};
    for (size_t i = 0; i < TERN_ARRAY_LEN(suites); i++) {
        const key_case *k = &keys[i];
        pair p;
        pair_new(&p, tern_suite_by_id(suites[i]), "secp384r1", k);
        to_server_flight(&p);
        size_t len = 0;
        uint8_t *m = mp_copy(&p.mp.s2c, TERN_HT_SERVER_KEY_EXCHANGE, &len);
        assert_non_null(m);
        m[len - 8] ^= 0x01; /* inside the signature (RSA value, or ECDSA s) */
        mp_replace(&p.mp.s2c, TERN_HT_SERVER_KEY_EXCHANGE, m, len);
        free(m);
        mp_handshake(&p.mp);
        narrate_end(&p.nc);
        narrate_end(&p.ns);
        assert_int_equal(p.mp.crc, TERN_ERR_BAD_SIGNATURE);
        EXPECT(&p.nc, p.nc.checks_ok == 0 && p.nc.checks_failed == 1, "%s: verdicts %d ok, %d failed", k->words,
               p.nc.checks_ok, p.nc.checks_failed);
        EXPECT(&p.nc, !has(&p.nc, "Check: signature verified") && has(&p.nc, "Check FAILED: signature refused"),
               "%s: the client's narration of a bad signature", k->words);
        EXPECT(&p.nc, has(&p.nc, "does NOT verify with the") && has(&p.nc, k->words),
               "%s: the refusal names the key", k->words);
        EXPECT(&p.nc, has(&p.nc, "alert sent: fatal decrypt_error"), "%s: no decrypt_error alert narrated",
               k->words);
        EXPECT(&p.nc, !has(&p.nc, "Handshake complete"), "%s: a refused handshake narrated as complete", k->words);
        pair_free(&p);
    }
}

/* A ServerKeyExchange cut short: the parse stops before any value is
 * checked; the message is shown as refused, with no verdict. */
static void test_truncated_ske(void **state) {
    (void)state;
    pair p;
    pair_new(&p, NULL, NULL, &keys[0]);
    to_server_flight(&p);
    size_t len = 0;
    uint8_t *m = mp_copy(&p.mp.s2c, TERN_HT_SERVER_KEY_EXCHANGE, &len);
    assert_non_null(m);
    len -= 10;
    tern_store_be24(m + 1, (uint32_t)(len - TERN_HS_HDR));
    mp_replace(&p.mp.s2c, TERN_HT_SERVER_KEY_EXCHANGE, m, len);
    free(m);
    mp_handshake(&p.mp);
    narrate_end(&p.nc);
    narrate_end(&p.ns);
    assert_int_equal(p.mp.crc, TERN_ERR_DECODE);
    EXPECT(&p.nc, p.nc.checks_ok == 0 && p.nc.checks_failed == 0 && p.nc.refused_fields == 1,
           "verdicts %d / %d, refused %d", p.nc.checks_ok, p.nc.checks_failed, p.nc.refused_fields);
    EXPECT(&p.nc, has(&p.nc, "received ServerKeyExchange") && has(&p.nc, "alert sent: fatal decode_error"),
           "the truncated message's narration");
    EXPECT(&p.nc, !has(&p.nc, "Check: signature verified") && !has(&p.nc, "ephemeral"),
           "a signature claimed verified, or a key share described");
    EXPECT(&p.nc, has(&p.nc, "tern refused this message before reading all its values"), "no refusal narrated");
    pair_free(&p);
}

/* Mutual TLS with the client's CertificateVerify changed on the way: the
 * server's verifier refuses it and its narration says so. */
static void test_bad_certificate_verify(void **state) {
    (void)state;
    pair p;
    pair_new(&p, NULL, NULL, &keys[0]);
    mp_free(&p.mp);
    char chain[512];
    snprintf(chain, sizeof chain, "%s", tv_path("certs/client-chain.pem"));
    assert_int_equal(tern_config_load_keystore(p.ccfg, chain, tv_path("certs/client.key")), 0);
    assert_int_equal(tern_config_load_truststore(p.scfg, tv_path("certs/root-ca.crt")), 0);
    assert_int_equal(tern_config_set_client_auth(p.scfg, TERN_CLIENT_AUTH_REQUIRED), 0);
    mp_init(&p.mp, p.ccfg, p.scfg, "localhost");
    to_server_flight(&p);
    mp_step_client(&p.mp); /* the client's flight: Certificate .. Finished */
    size_t len = 0;
    uint8_t *m = mp_copy(&p.mp.c2s, TERN_HT_CERTIFICATE_VERIFY, &len);
    assert_non_null(m);
    m[len - 3] ^= 0x80;
    mp_replace(&p.mp.c2s, TERN_HT_CERTIFICATE_VERIFY, m, len);
    free(m);
    mp_handshake(&p.mp);
    narrate_end(&p.nc);
    narrate_end(&p.ns);
    assert_int_equal(p.mp.src, TERN_ERR_BAD_SIGNATURE);
    EXPECT(&p.ns, p.ns.checks_ok == 0 && p.ns.checks_failed == 1, "server verdicts %d ok, %d failed", p.ns.checks_ok,
           p.ns.checks_failed);
    EXPECT(&p.ns, has(&p.ns, "Check FAILED: client signature refused") &&
                      !has(&p.ns, "client signature verified") && has(&p.ns, "alert sent: fatal decrypt_error"),
           "the server's narration of a bad CertificateVerify");
    /* The client's own narration still has its verified ServerKeyExchange. */
    EXPECT(&p.nc, p.nc.checks_ok == 1 && has(&p.nc, "Check: signature verified"), "the client's verdict");
    pair_free(&p);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_bad_ske_signature),
        cmocka_unit_test(test_truncated_ske),
        cmocka_unit_test(test_bad_certificate_verify),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
