/*
 * Handshake pieces checked against what we did not write:
 *   - the key schedule (master secret, key block, transcript hash and both
 *     Finished verify_data) against the byte-for-byte TLS 1.2 trace of "The
 *     Illustrated TLS Connection" (vectors/tls12-trace/trace.txt), through
 *     the same functions the engine uses (tern_hs_transcript,
 *     tern_ks_master, tern_ks_verify_data);
 *   - master secret and key block against NIST CAVP (vectors/kat/tls12_prf.txt);
 *   - the message parsers on a real Go ClientHello / ServerHello and the
 *     trace's ServerKeyExchange (signature checked with the trace's
 *     certificate), with the negatives each must produce.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/conn.h"
#include "lib/hs.h"
#include "lib/keysched.h"
#include "crypto/x25519.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#endif

static char *trace_text;

/* The hex value of `name = ...` in the trace, decoded (malloc'd). */
static uint8_t *trace(const char *name, size_t *len) {
    if (trace_text == NULL)
        trace_text = tv_slurp(tv_path("tls12-trace/trace.txt"), NULL);
    size_t n = strlen(name);
    for (const char *p = trace_text; p != NULL && *p; p = strchr(p, '\n')) {
        if (*p == '\n')
            p++;
        if (strncmp(p, name, n) == 0 && strncmp(p + n, " = ", 3) == 0) {
            const char *v = p + n + 3;
            size_t vl = strcspn(v, "\r\n");
            char *hex = malloc(vl + 1);
            memcpy(hex, v, vl);
            hex[vl] = 0;
            uint8_t *out = tv_unhex(hex, len);
            free(hex);
            return out;
        }
    }
    fail_msg("trace field %s missing", name);
    return NULL;
}

/* A configuration built by hand, so these tests need no file loading. */
static tern_config *test_config(void) {
    tern_config *cfg = tern_config_new();
    assert_non_null(cfg);
    tern_config_insecure_skip_verify(cfg); /* only the parsers run here */
    return cfg;
}

static void test_trace_key_schedule(void **state) {
    (void)state;
    size_t n;
    uint8_t *cr = trace("client_random", &n);
    uint8_t *sr = trace("server_random", &n);
    uint8_t *cpriv = trace("client_x25519_private", &n);
    uint8_t *spub = trace("server_x25519_public", &n);
    uint8_t *pms = trace("premaster_secret", &n);
    uint8_t *ms = trace("master_secret", &n);
    uint8_t *kb = trace("key_expansion_output_104", &n);
    assert_int_equal(n, 104);

    /* premaster = X25519(client private, server public) */
    uint8_t shared[32];
    assert_int_equal(tern_x25519(shared, cpriv, spub), 0);
    assert_memory_equal(shared, pms, 32);

    /* The engine's path: transcript through tern_hs_transcript (both
     * hashes running until the suite is known), premaster in the handshake
     * state, tern_ks_master, then tern_ks_verify_data. */
    tern_config *cfg = test_config();
    tern_conn *c = tern_client_new(cfg, "example.ulfheim.net");
    assert_non_null(c);
    memcpy(c->hs_state->client_random, cr, 32);
    memcpy(c->hs_state->server_random, sr, 32);
    const char *msgs[] = {"client_hello", "server_hello", "certificate", "server_key_exchange",
                          "server_hello_done", "client_key_exchange"};
    for (size_t i = 0; i < 6; i++) {
        uint8_t *m = trace(msgs[i], &n);
        tern_hs_transcript(c, m, n);
        free(m);
        if (i == 1) /* after ServerHello the suite is known: the trace's PRF is SHA-256 */
            c->suite = tern_suite_by_id(0xC02F);
    }
    memcpy(c->hs_state->pms, pms, 32);
    c->hs_state->pms_len = 32;
    c->ems = 0;
    assert_int_equal(tern_ks_master(c), 0);
    assert_memory_equal(c->master, ms, 48);
    assert_int_equal(c->hs_state->pms_len, 0); /* the premaster is wiped once used */

    uint8_t hash[TERN_HASH_MAX_LEN];
    uint8_t *th = trace("transcript_hash_client_finished", &n);
    assert_int_equal(tern_ks_transcript_hash(c, hash), 32);
    assert_memory_equal(hash, th, 32);
    free(th);
    uint8_t vd[12];
    uint8_t *cvd = trace("client_verify_data", &n);
    assert_int_equal(tern_ks_verify_data(c, TERN_CLIENT, vd), 0);
    assert_memory_equal(vd, cvd, 12);
    uint8_t *cfin = trace("client_finished_message", &n);
    tern_hs_transcript(c, cfin, n);
    uint8_t *svd = trace("server_verify_data", &n);
    th = trace("transcript_hash_server_finished", &n);
    assert_int_equal(tern_ks_transcript_hash(c, hash), 32);
    assert_memory_equal(hash, th, 32);
    assert_int_equal(tern_ks_verify_data(c, TERN_SERVER, vd), 0);
    assert_memory_equal(vd, svd, 12);

    /* key block: the trace's suite needs 104 bytes; ours take a prefix of
     * the same PRF stream. */
    uint8_t block[104];
    assert_int_equal(tern_ks_derive_key_block(TERN_HASH_SHA256, ms, cr, sr, block, sizeof block), 0);
    assert_memory_equal(block, kb, 104);
    assert_int_equal(tern_ks_key_block(c), 0);
    assert_memory_equal(c->hs_state->key_block, kb, 2 * 16 + 8);

    /* A one-bit change anywhere moves verify_data. */
    c->master[47] ^= 1;
    assert_int_equal(tern_ks_verify_data(c, TERN_SERVER, vd), 0);
    assert_memory_not_equal(vd, svd, 12);

    tern_free(c);
    tern_config_free(cfg);
    free(cr), free(sr), free(cpriv), free(spub), free(pms), free(ms), free(kb), free(th), free(cvd), free(svd);
    free(cfin);
}

static void test_cavp_master_and_key_block(void **state) {
    (void)state;
    tv_file *f = tv_open(tv_path("kat/tls12_prf.txt"));
    tv_case tc;
    int masters = 0, blocks = 0;
    while (tv_next(f, &tc)) {
        const char *label = tv_get(&tc, "label_ascii");
        const char *hash = tv_get(&tc, "hash");
        if (label == NULL || hash == NULL)
            continue;
        tern_hash_alg alg = strcmp(hash, "sha384") == 0 ? TERN_HASH_SHA384 : TERN_HASH_SHA256;
        size_t sl, ol, cl, rl;
        uint8_t *secret = tv_get_hex(&tc, "secret", &sl);
        uint8_t *out = tv_get_hex(&tc, "output", &ol);
        uint8_t got[256];
        if (strcmp(label, "master secret") == 0) {
            uint8_t *cr = tv_get_hex(&tc, "client_hello_random", &cl);
            uint8_t *sr = tv_get_hex(&tc, "server_hello_random", &rl);
            assert_int_equal(tern_ks_derive_master(alg, secret, sl, 0, cr, sr, NULL, 0, got), 0);
            assert_memory_equal(got, out, 48);
            masters++;
            free(cr), free(sr);
        } else if (strcmp(label, "key expansion") == 0) {
            uint8_t *cr = tv_get_hex(&tc, "client_random", &cl);
            uint8_t *sr = tv_get_hex(&tc, "server_random", &rl);
            assert_true(ol <= sizeof got && sl == 48);
            assert_int_equal(tern_ks_derive_key_block(alg, secret, cr, sr, got, ol), 0);
            assert_memory_equal(got, out, ol);
            blocks++;
            free(cr), free(sr);
        }
        free(secret), free(out);
    }
    tv_close(f);
    assert_true(masters >= 1 && blocks >= 1);
}

/* RFC 7627 §4: the extended master secret is the PRF over the session
 * hash with the label "extended master secret".  No published vector
 * exists; OpenSSL's TLS1-PRF computes it independently here (and the
 * interop tests check the whole handshake against OpenSSL with EMS on). */
static void test_extended_master_secret(void **state) {
    (void)state;
    uint8_t pms[48], hash[48], cr[32], sr[32], ours[48], plain[48];
    for (size_t i = 0; i < 48; i++)
        pms[i] = (uint8_t)(i * 7 + 1), hash[i] = (uint8_t)(0xa0 ^ i);
    memset(cr, 0x11, 32);
    memset(sr, 0x22, 32);
    for (int a = 0; a < 2; a++) {
        tern_hash_alg alg = a ? TERN_HASH_SHA384 : TERN_HASH_SHA256;
        size_t hl = a ? 48 : 32;
        assert_int_equal(tern_ks_derive_master(alg, pms, 48, 1, cr, sr, hash, hl, ours), 0);
        assert_int_equal(tern_ks_derive_master(alg, pms, 48, 0, cr, sr, hash, hl, plain), 0);
        assert_memory_not_equal(ours, plain, 48); /* the randoms play no part with EMS */
#ifdef TERN_TEST_HAVE_OPENSSL
        EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
        EVP_KDF_CTX *kctx = EVP_KDF_CTX_new(kdf);
        uint8_t seed[64 + 22];
        memcpy(seed, "extended master secret", 22);
        memcpy(seed + 22, hash, hl);
        OSSL_PARAM params[4];
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, a ? "SHA384" : "SHA256", 0);
        params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, pms, 48);
        params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, seed, 22 + hl);
        params[3] = OSSL_PARAM_construct_end();
        uint8_t theirs[48];
        assert_int_equal(EVP_KDF_derive(kctx, theirs, 48, params), 1);
        assert_memory_equal(ours, theirs, 48);
        EVP_KDF_CTX_free(kctx);
        EVP_KDF_free(kdf);
#endif
    }
}

/* The Go client's ClientHello from the trace, parsed by a tern server. */
static void test_parse_go_client_hello(void **state) {
    (void)state;
    size_t n;
    uint8_t *ch = trace("client_hello", &n);
    tern_config *cfg = test_config();
    cfg->have_keys = 1; /* the parser needs no key; tern_server_new wants one */
    cfg->keys.key_type = TERN_X509_KEY_RSA; /* ... but the suite choice asks its type (lib/sig.c) */
    tern_conn *c = tern_server_new(cfg);
    assert_non_null(c);
    tern_reader r;
    tern_rd_init(&r, ch + 4, n - 4);
    assert_int_equal(tern_hs_client_hello_parse(c, &r), 0);
    assert_int_equal(c->suite->id, 0xC02F);             /* our first choice, offered by Go */
    assert_int_equal(c->sigscheme, TERN_SIG_RSA_PKCS1_SHA256); /* Go offers no PSS here */
    assert_string_equal(c->server_name, "example.ulfheim.net");
    assert_int_equal(c->ems, 0);                        /* this Go build sent no EMS */
    assert_int_equal(c->hs_state->peer_offered_reneg, 1);
    assert_int_equal(c->hs_state->peer_offered_x25519, 1);
    tern_free(c);

    /* Requiring EMS refuses it with handshake_failure. */
    tern_config_require_extended_master_secret(cfg, 1);
    c = tern_server_new(cfg);
    tern_rd_init(&r, ch + 4, n - 4);
    assert_int_equal(tern_hs_client_hello_parse(c, &r), TERN_ERR_MISSING_EXTENSION);
    assert_int_equal(tern_alert_sent(c), TERN_ALERT_HANDSHAKE_FAILURE);
    assert_non_null(strstr(tern_error(c), "extended master secret"));
    tern_free(c);
    tern_config_require_extended_master_secret(cfg, 0);

    /* Only AES-256 enabled: the server takes C030. */
    assert_int_equal(tern_config_set_cipher_suites(cfg, "ECDHE-RSA-AES256-GCM-SHA384"), 0);
    c = tern_server_new(cfg);
    tern_rd_init(&r, ch + 4, n - 4);
    assert_int_equal(tern_hs_client_hello_parse(c, &r), 0);
    assert_int_equal(c->suite->id, 0xC030);
    tern_free(c);

    /* Every truncation is a decode error, never a crash. */
    assert_int_equal(tern_config_set_cipher_suites(cfg, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), 0);
    for (size_t cut = 0; cut < n - 4; cut++) {
        c = tern_server_new(cfg);
        tern_rd_init(&r, ch + 4, cut);
        int rc = tern_hs_client_hello_parse(c, &r);
        assert_true(rc < 0);
        tern_free(c);
    }
    /* A duplicated extension (the EMS-less Go hello gets two
     * renegotiation_info): illegal_parameter. */
    uint8_t dup[512];
    memcpy(dup, ch, n);
    /* append "ff01 0001 00" to the extensions block and fix the lengths */
    memcpy(dup + n, "\xff\x01\x00\x01\x00", 5);
    size_t m = n + 5;
    tern_store_be24(dup + 1, (uint32_t)(m - 4));
    size_t ext_len_at = m - 5 - 0x58 - 2; /* the trace's extensions are 0x58 bytes */
    assert_int_equal(tern_load_be16(dup + ext_len_at), 0x58);
    tern_store_be16(dup + ext_len_at, 0x58 + 5);
    c = tern_server_new(cfg);
    tern_rd_init(&r, dup + 4, m - 4);
    assert_int_equal(tern_hs_client_hello_parse(c, &r), TERN_ERR_ILLEGAL_PARAMETER);
    assert_non_null(strstr(tern_error(c), "twice"));
    tern_free(c);

    /* Variations of the hello, each refused with its own alert. */
    struct {
        const char *what;
        size_t cut_exts; /* 1: drop the extensions block */
        int patch_at, patch_val;
        int err, alert;
        const char *words;
    } bad[] = {
        {"no extensions (no signature_algorithms: SHA-1 implied)", 1, -1, 0, TERN_ERR_HANDSHAKE_FAILURE,
         TERN_ALERT_HANDSHAKE_FAILURE, "SHA-1"},
        {"client_version TLS 1.1", 0, 5, 0x02, TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION, "0x0302"},
        {"no null compression", 0, 4 + 2 + 32 + 1 + 2 + 32 + 1, 0x01, TERN_ERR_ILLEGAL_PARAMETER,
         TERN_ALERT_ILLEGAL_PARAMETER, "compression"},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(bad); i++) {
        uint8_t v[512];
        memcpy(v, ch, n);
        size_t vm = n;
        if (bad[i].cut_exts) {
            vm = n - 0x58 - 2;
            tern_store_be24(v + 1, (uint32_t)(vm - 4));
        }
        if (bad[i].patch_at >= 0)
            v[bad[i].patch_at] = (uint8_t)bad[i].patch_val;
        c = tern_server_new(cfg);
        tern_rd_init(&r, v + 4, vm - 4);
        int rc = tern_hs_client_hello_parse(c, &r);
        if (rc != bad[i].err || tern_alert_sent(c) != bad[i].alert || !strstr(tern_error(c), bad[i].words))
            fail_msg("%s: %d, alert %d, \"%s\"", bad[i].what, rc, tern_alert_sent(c), tern_error(c));
        tern_free(c);
    }

    tern_config_free(cfg);
    free(ch);
}

/* The Go server's ServerHello chose 0xC013, which tern never offers. */
static void test_parse_server_hello_negatives(void **state) {
    (void)state;
    size_t n;
    uint8_t *sh = trace("server_hello", &n);
    tern_config *cfg = test_config();
    tern_conn *c = tern_client_new(cfg, "example.ulfheim.net");
    tern_reader r;
    tern_rd_init(&r, sh + 4, n - 4);
    assert_int_equal(tern_hs_server_hello_parse(c, &r), TERN_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(tern_alert_sent(c), TERN_ALERT_ILLEGAL_PARAMETER);
    tern_free(c);

    /* Patched to C02F it parses; renegotiation_info is acknowledged. */
    uint8_t sh2[64];
    memcpy(sh2, sh, n);
    size_t suite_at = 4 + 2 + 32 + 1;
    tern_store_be16(sh2 + suite_at, 0xC02F);
    c = tern_client_new(cfg, "example.ulfheim.net");
    tern_rd_init(&r, sh2 + 4, n - 4);
    assert_int_equal(tern_hs_server_hello_parse(c, &r), 0);
    assert_int_equal(c->suite->id, 0xC02F);
    assert_int_equal(c->ems, 0);
    tern_free(c);

    /* An extension we did not offer (ALPN, never offered here):
     * unsupported_extension.  Replace ff01 0001 00 by 0010 0001 00. */
    tern_store_be16(sh2 + n - 5, TERN_EXT_ALPN);
    c = tern_client_new(cfg, "example.ulfheim.net");
    tern_rd_init(&r, sh2 + 4, n - 4);
    assert_int_equal(tern_hs_server_hello_parse(c, &r), TERN_ERR_UNSUPPORTED_EXTENSION);
    assert_int_equal(tern_alert_sent(c), TERN_ALERT_UNSUPPORTED_EXTENSION);
    tern_free(c);

    /* EMS required but the server does not do it. */
    tern_store_be16(sh2 + n - 5, TERN_EXT_RENEGOTIATION_INFO);
    tern_config_require_extended_master_secret(cfg, 1);
    c = tern_client_new(cfg, "example.ulfheim.net");
    tern_rd_init(&r, sh2 + 4, n - 4);
    assert_int_equal(tern_hs_server_hello_parse(c, &r), TERN_ERR_MISSING_EXTENSION);
    tern_free(c);

    tern_config_free(cfg);
    free(sh);
}

/* The trace's ServerKeyExchange, checked by our parser with the key of the
 * trace's certificate; then with one bit flipped. */
static void test_parse_trace_server_key_exchange(void **state) {
    (void)state;
    size_t n, certlen;
    uint8_t *ske = trace("server_key_exchange", &n);
    uint8_t *cr = trace("client_random", &certlen);
    uint8_t *sr = trace("server_random", &certlen);
    uint8_t *certmsg = trace("certificate", &certlen);
    tern_config *cfg = test_config();
    for (int flip = 0; flip < 3; flip++) {
        tern_conn *c = tern_client_new(cfg, "example.ulfheim.net");
        memcpy(c->hs_state->client_random, cr, 32);
        memcpy(c->hs_state->server_random, sr, 32);
        /* The Certificate message: list (3) + one cert (3) + DER. */
        tern_x509_cert leaf;
        assert_int_equal(tern_x509_parse(&leaf, certmsg + 10, certlen - 10), 0);
        tern_x509_key key;
        assert_int_equal(tern_x509_key_load(&leaf, &key), 0);
        c->hs_state->peer_rsa = key.rsa;
        c->hs_state->have_peer_key = 1;
        c->hs_state->peer_key_type = TERN_X509_KEY_RSA; /* as the Certificate parser records it */
        uint8_t buf[512];
        memcpy(buf, ske, n);
        if (flip == 1)
            buf[n - 7] ^= 0x40; /* inside the signature */
        if (flip == 2)
            buf[4 + 10] ^= 0x01; /* inside the server's x25519 key (signed) */
        tern_reader r;
        tern_rd_init(&r, buf + 4, n - 4);
        int rc = tern_hs_server_key_exchange_parse(c, &r);
        if (flip == 0) {
            assert_int_equal(rc, 0);
            assert_int_equal(c->sigscheme, TERN_SIG_RSA_PKCS1_SHA256);
            size_t pl;
            uint8_t *spub = trace("server_x25519_public", &pl);
            assert_memory_equal(c->hs_state->peer_kx_pub, spub, 32);
            free(spub);
        } else {
            assert_int_equal(rc, TERN_ERR_BAD_SIGNATURE);
            assert_int_equal(tern_alert_sent(c), TERN_ALERT_DECRYPT_ERROR);
        }
        tern_free(c);
    }
    tern_config_free(cfg);
    free(ske), free(cr), free(sr), free(certmsg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trace_key_schedule),
        cmocka_unit_test(test_cavp_master_and_key_block),
        cmocka_unit_test(test_extended_master_secret),
        cmocka_unit_test(test_parse_go_client_hello),
        cmocka_unit_test(test_parse_server_hello_negatives),
        cmocka_unit_test(test_parse_trace_server_key_exchange),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(trace_text);
    return rc;
}
