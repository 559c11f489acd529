/*
 * ECDHE_ECDSA, secp256r1 and ChaCha20-Poly1305 in TLS, client and server in memory:
 *   - every new suite (ECDHE_ECDSA AES-128/256-GCM, ECDHE_ECDSA and
 *     ECDHE_RSA ChaCha20-Poly1305) with both groups (x25519, secp256r1),
 *     16 KB and 512-byte records, data both ways, same master secret;
 *   - the ECDSA chain is P-256 leaf <- P-256 intermediate <- P-384 root
 *     (vectors/certs/ecdsa-*), so path validation checks a P-384 CA
 *     signature; PKCS#8 and SEC 1 keys both serve;
 *   - suite choice by key type: an ECDSA server never picks an RSA suite,
 *     an RSA server never an ECDSA one; no common group -> handshake_failure;
 *   - negatives: an off-curve, compressed, truncated or x25519-sized
 *     secp256r1 share in ClientKeyExchange -> illegal_parameter; a bad
 *     ECDSA ServerKeyExchange signature -> decrypt_error;
 *     a validly signed off-curve share from the server -> illegal_parameter;
 *   - ChaCha20-Poly1305 records: RFC 7905 nonce (IV XOR sequence number,
 *     nothing explicit on the wire) checked against the AEAD called with the
 *     nonce built by hand (and against OpenSSL when present); tampering and
 *     the 2^14 plaintext limit;
 *   - P-256 key stores (SEC 1, PKCS#8, mismatches); an RSA + ECDSA server
 *     picking the identity by suite; resumption (ID and ticket) of the new
 *     suites.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/chacha20poly1305.h"
#include "lib/conn.h"
#include "lib/record.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static tern_config *ecdsa_server(const char *suites, const char *groups, int sec1) {
    return mp_config_with(NULL, "certs/ecdsa-server-chain.pem",
                          sec1 ? "certs/ecdsa-server-sec1.key" : "certs/ecdsa-server.key", suites, groups);
}

static tern_config *rsa_server(const char *suites, const char *groups) {
    return mp_config_with(NULL, "certs/server-chain.pem", "certs/server.key", suites, groups);
}

static tern_config *client(const char *trust, const char *suites, const char *groups) {
    return mp_config_with(trust, NULL, NULL, suites, groups);
}

static void test_suite_group_matrix(void **state) {
    (void)state;
    static const struct {
        uint16_t id;
        const char *name;
        int ecdsa;
    } suites[] = {
        {0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256", 1},
        {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 1},
        {0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305", 1},
        {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0},
        {0xC02F, "ECDHE-RSA-AES128-GCM-SHA256", 0},
    };
    static const char *groups[] = {"x25519", "secp256r1"};
    static const uint16_t group_ids[] = {TERN_GROUP_X25519, TERN_GROUP_SECP256R1};
    for (size_t s = 0; s < TERN_ARRAY_LEN(suites); s++)
        for (int g = 0; g < 2; g++)
            for (int small = 0; small < 2; small++) {
                tern_config *scfg = suites[s].ecdsa ? ecdsa_server(NULL, NULL, small) : rsa_server(NULL, NULL);
                /* The client restricts the suite and the group; the server
                 * keeps its defaults and must follow. */
                /* RFC 8422 §5.1: an ECDSA client must list the certificate's
                 * curve too; x25519 stays its first choice. */
                tern_config *ccfg = client(suites[s].ecdsa ? "certs/ecdsa-root.crt" : "certs/root-ca.crt",
                                           suites[s].name,
                                           suites[s].ecdsa && g == 0 ? "x25519,secp256r1" : groups[g]);
                if (small) {
                    assert_int_equal(tern_config_set_buffer_sizes(scfg, 512, 16384), 0);
                    assert_int_equal(tern_config_set_buffer_sizes(ccfg, 512, 16384), 0);
                }
                mp_pair p;
                mp_init(&p, ccfg, scfg, "localhost");
                mp_handshake(&p);
                if (p.crc != 0 || p.src != 0)
                    fail_msg("suite %04x group %s small %d: %s / %s", suites[s].id, groups[g], small,
                             tern_error(p.c), tern_error(p.s));
                assert_int_equal(tern_cipher_suite_id(p.c), suites[s].id);
                assert_int_equal(tern_cipher_suite_id(p.s), suites[s].id);
                assert_int_equal(p.c->kx_group, group_ids[g]);
                assert_int_equal(p.s->kx_group, group_ids[g]);
                if (suites[s].ecdsa)
                    assert_int_equal(tern_signature_scheme(p.c), TERN_SIG_ECDSA_SECP256R1_SHA256);
                else
                    assert_int_equal(tern_signature_scheme(p.c), TERN_SIG_RSA_PSS_RSAE_SHA256);
                assert_non_null(strstr(tern_peer_subject(p.c), "CN=localhost"));
                assert_memory_equal(p.c->master, p.s->master, 48);
                assert_int_equal(p.c->wr.aead, tern_suite_by_id(suites[s].id)->aead);
                mp_transfer(p.c, p.s, 40000, 7000);
                mp_transfer(p.s, p.c, 40000, 7000);
                mp_free(&p);
                tern_config_free(scfg);
                tern_config_free(ccfg);
            }
}

/* Returns the negotiated suite, or the server's error. */
static int negotiate(tern_config *ccfg, tern_config *scfg, int *client_alert) {
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    int r = p.src == 0 && p.crc == 0 ? tern_cipher_suite_id(p.s) : p.src;
    if (client_alert)
        *client_alert = tern_alert_received(p.c);
    mp_free(&p);
    return r;
}

static void test_choice_by_key_type(void **state) {
    (void)state;
    int alert = 0;
    tern_config *es = ecdsa_server(NULL, NULL, 0), *rs = rsa_server(NULL, NULL);
    tern_config *ec = client("certs/ecdsa-root.crt", NULL, NULL), *rc = client("certs/root-ca.crt", NULL, NULL);
    /* Defaults: ECDSA AES-128 first for an ECDSA server, RSA AES-128 for an
     * RSA one. */
    int no_aes = es->suites[0] == 0xCCA9; /* (if the defaults ever put ChaCha20 first) */
    assert_int_equal(negotiate(ec, es, NULL), no_aes ? 0xCCA9 : 0xC02B);
    assert_int_equal(negotiate(rc, rs, NULL), no_aes ? 0xCCA8 : 0xC02F);
    /* The server's order decides among what the client offers. */
    tern_config *es_cc = ecdsa_server("ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384", NULL, 0);
    assert_int_equal(negotiate(ec, es_cc, NULL), 0xCCA9);
    /* A client offering only RSA suites to an ECDSA server: no suite fits. */
    tern_config *ec_rsa = client("certs/ecdsa-root.crt", "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305",
                                 NULL);
    assert_int_equal(negotiate(ec_rsa, es, &alert), TERN_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(alert, TERN_ALERT_HANDSHAKE_FAILURE);
    /* ... and only ECDSA suites to an RSA server. */
    tern_config *rc_ec = client("certs/root-ca.crt", "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305",
                                NULL);
    assert_int_equal(negotiate(rc_ec, rs, &alert), TERN_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(alert, TERN_ALERT_HANDSHAKE_FAILURE);
    /* No group in common. */
    tern_config *es_p256 = ecdsa_server(NULL, "P-256", 0), *ec_x = client("certs/ecdsa-root.crt", NULL, "X25519");
    assert_int_equal(negotiate(ec_x, es_p256, &alert), TERN_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(alert, TERN_ALERT_HANDSHAKE_FAILURE);
    /* An ECDSA certificate on P-256 to a client listing only x25519 (RFC
     * 8422 §5.1: the groups bound the certificate's curve too): refused;
     * an RSA server serves the same client. */
    assert_int_equal(negotiate(ec_x, es, &alert), TERN_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(alert, TERN_ALERT_HANDSHAKE_FAILURE);
    tern_config *rc_x = client("certs/root-ca.crt", NULL, "x25519");
    assert_int_equal(negotiate(rc_x, rs, NULL), no_aes ? 0xCCA8 : 0xC02F);
    tern_config_free(rc_x);
    /* The server's group preference wins when the client offers both. */
    tern_config *es_pref = ecdsa_server(NULL, "secp256r1,x25519", 0);
    mp_pair p;
    mp_init(&p, ec, es_pref, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.src, 0);
    assert_int_equal(p.s->kx_group, TERN_GROUP_SECP256R1);
    mp_free(&p);
    /* The ECDSA chain is refused by a client trusting only the RSA root. */
    mp_init(&p, rc, es, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, TERN_ERR_CERT_UNKNOWN_CA);
    assert_int_equal(tern_alert_received(p.s), TERN_ALERT_UNKNOWN_CA);
    mp_free(&p);
    /* Group names. */
    assert_int_equal(tern_config_set_groups(ec, "x448"), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_set_groups(ec, ""), TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_config_set_groups(ec, "prime256v1:x25519"), 0);
    assert_int_equal(ec->groups[0], TERN_GROUP_SECP256R1);
    assert_int_equal(ec->groups[1], TERN_GROUP_X25519);
    tern_config *cfgs[] = {es, rs, ec, rc, es_cc, ec_rsa, rc_ec, es_p256, ec_x, es_pref};
    for (size_t i = 0; i < TERN_ARRAY_LEN(cfgs); i++)
        tern_config_free(cfgs[i]);
}

/* Run the first two flights; the client's second flight (ClientKeyExchange,
 * CCS, Finished) is then waiting in c2s, unread. */
static void to_client_kx(mp_pair *p) {
    mp_step_client(p); /* ClientHello */
    mp_step_server(p); /* ServerHello .. ServerHelloDone */
    mp_step_client(p); /* ClientKeyExchange, CCS, Finished */
    assert_true(mp_pending(p->crc));
}

static void test_bad_p256_share(void **state) {
    (void)state;
    tern_config *scfg = ecdsa_server(NULL, NULL, 0), *ccfg = client("certs/ecdsa-root.crt", NULL, "secp256r1");
    for (int kind = 0; kind < 6; kind++) {
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        to_client_kx(&p);
        size_t len;
        uint8_t *cke = mp_copy(&p.c2s, TERN_HT_CLIENT_KEY_EXCHANGE, &len);
        assert_non_null(cke);
        assert_int_equal(len, 4 + 1 + 65);
        assert_int_equal(cke[4], 65);
        assert_int_equal(cke[5], 0x04);
        uint8_t msg[128];
        size_t mlen = len;
        memcpy(msg, cke, len);
        switch (kind) {
        case 0: msg[len - 1] ^= 0x01; break; /* Y changed: off the curve */
        case 1: /* compressed form 02/03 || X (33 bytes) */
            msg[5] = 0x02 | (cke[len - 1] & 1);
            msg[4] = 33;
            mlen = 4 + 1 + 33;
            break;
        case 2: msg[5] = 0x05; break; /* unknown point form */
        case 3: /* an x25519-sized share */
            msg[4] = 32;
            mlen = 4 + 1 + 32;
            break;
        case 4: /* X = p (not reduced), Y unchanged */
            memset(msg + 6, 0xff, 4);
            memset(msg + 10, 0, 8);
            msg[17] = 1;
            memset(msg + 18, 0, 12);
            memset(msg + 30, 0xff, 8);
            break;
        case 5: memset(msg + 6, 0, 64); break; /* (0, 0): not on the curve (b != 0) */
        }
        tern_store_be24(msg + 1, mlen - 4);
        mp_replace(&p.c2s, TERN_HT_CLIENT_KEY_EXCHANGE, msg, mlen);
        mp_step_server(&p);
        /* A share of the wrong length does not parse: decode_error (RFC 8446
         * §6.2); a well-formed point that is compressed, of an unknown form
         * or off the curve: illegal_parameter. */
        int want = kind == 3 ? TERN_ERR_DECODE : TERN_ERR_ILLEGAL_PARAMETER;
        int alert = kind == 3 ? TERN_ALERT_DECODE_ERROR : TERN_ALERT_ILLEGAL_PARAMETER;
        assert_int_equal(p.src, want);
        assert_non_null(strstr(tern_error(p.s), "secp256r1"));
        mp_step_client(&p);
        assert_int_equal(tern_alert_received(p.c), alert);
        free(cke);
        mp_free(&p);
    }
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static void test_bad_ecdsa_signature(void **state) {
    (void)state;
    tern_config *scfg = ecdsa_server(NULL, NULL, 0), *ccfg = client("certs/ecdsa-root.crt", NULL, NULL);
    for (int kind = 0; kind < 4; kind++) {
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        mp_step_client(&p);
        mp_step_server(&p);
        size_t len;
        uint8_t *ske = mp_copy(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, &len);
        assert_non_null(ske);
        /* hdr(4) curve_type(1) group(2) len(1) point scheme(2) siglen(2) sig */
        size_t publen = ske[7], sigoff = 4 + 4 + publen + 4;
        assert_int_equal(tern_load_be16(ske + 4 + 4 + publen), TERN_SIG_ECDSA_SECP256R1_SHA256);
        int want = TERN_ERR_BAD_SIGNATURE;
        switch (kind) {
        case 0: ske[len - 1] ^= 0x01; break;              /* last byte of s */
        case 1: ske[8] ^= 0x80; break;                    /* the signed key share */
        case 2: ske[sigoff + 1] ^= 0x01; break;           /* the DER length: not strict DER */
        case 3:                                           /* a scheme we offered but for RSA */
            tern_store_be16(ske + 4 + 4 + publen, TERN_SIG_RSA_PSS_RSAE_SHA256);
            want = TERN_ERR_ILLEGAL_PARAMETER;
            break;
        }
        mp_replace(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, ske, len);
        mp_step_client(&p);
        assert_int_equal(p.crc, want);
        mp_step_server(&p);
        assert_int_equal(tern_alert_received(p.s),
                         want == TERN_ERR_BAD_SIGNATURE ? TERN_ALERT_DECRYPT_ERROR : TERN_ALERT_ILLEGAL_PARAMETER);
        free(ske);
        mp_free(&p);
    }
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* A server that signs an invalid secp256r1 share (the signature is good,
 * the point is not on the curve): the client refuses it with
 * illegal_parameter before using it. */
static void test_server_bad_p256_share(void **state) {
    (void)state;
    tern_config *scfg = ecdsa_server(NULL, NULL, 0), *ccfg = client("certs/ecdsa-root.crt", NULL, "secp256r1");
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_step_client(&p);
    mp_step_server(&p);
    size_t len;
    uint8_t *ske = mp_copy(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, &len);
    assert_non_null(ske);
    assert_int_equal(ske[7], 65);
    ske[8 + 64] ^= 0x01; /* the last byte of Y */
    /* Sign the tampered params as the server would: SHA-256 over
     * client_random || server_random || params (RFC 8422 §5.4). */
    const size_t params_len = 4 + 65;
    uint8_t digest[32], sig[80];
    size_t siglen = 0;
    tern_hash_ctx h;
    assert_int_equal(tern_hash_init(&h, TERN_HASH_SHA256), 0);
    tern_hash_update(&h, p.s->hs_state->client_random, 32);
    tern_hash_update(&h, p.s->hs_state->server_random, 32);
    tern_hash_update(&h, ske + 4, params_len);
    tern_hash_final(&h, digest);
    assert_int_equal(tern_keystore_sign(&scfg->keys, TERN_KEYSTORE_ECDSA, TERN_HASH_SHA256, digest, sig, sizeof sig,
                                        &siglen, NULL, NULL),
                     0);
    uint8_t msg[256];
    memcpy(msg, ske, 4 + params_len + 2); /* header, params, scheme */
    tern_store_be16(msg + 4 + params_len + 2, (uint16_t)siglen);
    memcpy(msg + 4 + params_len + 4, sig, siglen);
    size_t mlen = 4 + params_len + 4 + siglen;
    tern_store_be24(msg + 1, mlen - 4);
    mp_replace(&p.s2c, TERN_HT_SERVER_KEY_EXCHANGE, msg, mlen);
    mp_step_client(&p);
    assert_int_equal(p.crc, TERN_ERR_ILLEGAL_PARAMETER);
    assert_non_null(strstr(tern_error(p.c), "server's secp256r1 key share"));
    mp_step_server(&p);
    assert_int_equal(tern_alert_received(p.s), TERN_ALERT_ILLEGAL_PARAMETER);
    free(ske);
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* One server with an RSA identity (the default) and an ECDSA one
 * (tern_config_add_identity): the suite the client offers picks the
 * certificate. */
static void test_dual_identity(void **state) {
    (void)state;
    tern_config *scfg = rsa_server(NULL, NULL);
    char c[512], k[512];
    snprintf(c, sizeof c, "%s", tv_path("certs/ecdsa-server-chain.pem"));
    snprintf(k, sizeof k, "%s", tv_path("certs/ecdsa-server.key"));
    assert_int_equal(tern_config_add_identity(scfg, c, k), 0);
    static const struct {
        const char *suites;
        uint16_t want;
        const char *issuer;
    } cases[] = {
        {NULL, 0xC02B, "ECDSA"}, /* defaults: ECDSA first */
        {"ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305", 0xC030, "RSA"}, /* the server's order */
        {"ECDHE-RSA-CHACHA20-POLY1305", 0xCCA8, "RSA"},
        {"ECDHE-ECDSA-AES256-GCM-SHA384", 0xC02C, "ECDSA"},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        tern_config *ccfg = client(NULL, cases[i].suites, NULL);
        assert_int_equal(tern_config_load_truststore(ccfg, tv_path("certs/root-ca.crt")), 0);
        assert_int_equal(tern_config_load_truststore(ccfg, tv_path("certs/ecdsa-root.crt")), 0);
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        mp_handshake(&p);
        if (p.crc != 0 || p.src != 0)
            fail_msg("case %zu: %s / %s", i, tern_error(p.c), tern_error(p.s));
        assert_int_equal(tern_cipher_suite_id(p.c), cases[i].want);
        const tern_keystore *ks = tern_conn_keys(p.s);
        assert_int_equal(ks->key_type, strcmp(cases[i].issuer, "RSA") == 0 ? TERN_X509_KEY_RSA : TERN_X509_KEY_EC);
        mp_transfer(p.c, p.s, 1000, 7000);
        mp_free(&p);
        tern_config_free(ccfg);
    }
    tern_config_free(scfg);
}

/* Resumption (ticket and session ID) of the new suites: the abbreviated
 * handshake derives the ChaCha20-Poly1305 key block (12-byte IVs) and the
 * ECDSA suites' keys from the stored master secret. */
static void test_resume_new_suites(void **state) {
    (void)state;
    static const char *names[] = {"ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES256-GCM-SHA384",
                                  "ECDHE-RSA-CHACHA20-POLY1305"};
    for (size_t i = 0; i < TERN_ARRAY_LEN(names); i++)
        for (int ticket = 0; ticket < 2; ticket++) {
            int ecdsa = strstr(names[i], "ECDSA") != NULL;
            tern_config *scfg = ecdsa ? ecdsa_server(NULL, NULL, 0) : rsa_server(NULL, NULL);
            if (ticket)
                assert_int_equal(tern_config_set_session_tickets(scfg, 1, 3600), 0);
            else
                assert_int_equal(tern_config_set_session_cache(scfg, 16, 3600), 0);
            tern_config *ccfg = client(ecdsa ? "certs/ecdsa-root.crt" : "certs/root-ca.crt", names[i], "secp256r1");
            if (ticket) /* the client asks for a ticket too (RFC 5077 §3.2) */
                assert_int_equal(tern_config_set_session_tickets(ccfg, 1, 3600), 0);
            mp_pair p;
            mp_init(&p, ccfg, scfg, "localhost");
            mp_handshake(&p);
            assert_int_equal(p.crc, 0);
            assert_int_equal(p.src, 0);
            mp_transfer(p.c, p.s, 3000, 7000);
            tern_session *sess = tern_get_session(p.c);
            assert_non_null(sess);
            mp_free(&p);
            mp_init(&p, ccfg, scfg, "localhost");
            assert_int_equal(tern_set_session(p.c, sess), 0);
            mp_handshake(&p);
            if (p.crc != 0 || p.src != 0)
                fail_msg("%s ticket %d: %s / %s", names[i], ticket, tern_error(p.c), tern_error(p.s));
            assert_int_equal(tern_session_reused(p.c), 1);
            assert_int_equal(tern_session_reused(p.s), 1);
            assert_int_equal(tern_cipher_suite_id(p.s), tern_suite_by_name(names[i], strlen(names[i]))->id);
            mp_transfer(p.c, p.s, 3000, 7000);
            mp_transfer(p.s, p.c, 3000, 7000);
            mp_free(&p);
            tern_session_free(sess);
            tern_config_free(scfg);
            tern_config_free(ccfg);
        }
}

/* ChaCha20-Poly1305 records: RFC 7905 §2 nonce and AAD, by hand. */
static void test_chacha_records(void **state) {
    (void)state;
    uint8_t key[32], iv[12];
    for (size_t i = 0; i < 32; i++)
        key[i] = (uint8_t)(0x80 + i);
    for (size_t i = 0; i < 12; i++)
        iv[i] = (uint8_t)(0x40 + 7 * i);
    tern_rec_dir w, r;
    static tern_gcm_key wkey, rkey;
    tern_rec_dir_init(&w, &wkey, sizeof wkey);
    tern_rec_dir_init(&r, &rkey, sizeof rkey);
    assert_int_equal(tern_rec_aead_on(&w, TERN_AEAD_CHACHA20_POLY1305, key, 32, iv), 0);
    assert_int_equal(tern_rec_aead_on(&r, TERN_AEAD_CHACHA20_POLY1305, key, 32, iv), 0);
    assert_int_equal(tern_rec_explicit_len(&w), 0);
    static uint8_t rec[5 + 16384 + 16 + 1], plain[16385], expect[16384 + 16];
    for (size_t i = 0; i < sizeof plain; i++)
        plain[i] = (uint8_t)(i ^ (i >> 8));
    /* Sequence numbers 0..4, then jump to check the high bytes of the XOR. */
    for (int k = 0; k < 7; k++) {
        if (k == 5)
            w.seq = r.seq = 0x0102030405060708ull;
        size_t n = k == 6 ? 16384 : (size_t)(k * 37);
        uint64_t seq = w.seq;
        assert_int_equal(tern_rec_seal(&w, TERN_CT_APPLICATION_DATA, rec, plain, n), 0);
        assert_int_equal(tern_load_be16(rec + 3), n + 16);
        uint8_t nonce[12], aad[13];
        memcpy(nonce, iv, 12);
        for (int b = 0; b < 8; b++)
            nonce[4 + b] ^= (uint8_t)(seq >> (56 - 8 * b));
        tern_store_be64(aad, seq);
        aad[8] = TERN_CT_APPLICATION_DATA;
        tern_store_be16(aad + 9, 0x0303);
        tern_store_be16(aad + 11, (uint16_t)n);
        assert_int_equal(tern_chacha20poly1305_seal(key, nonce, aad, 13, plain, n, expect, expect + n), 0);
        assert_memory_equal(rec + 5, expect, n + 16);
#ifdef TERN_TEST_HAVE_OPENSSL
        EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
        int ol = 0;
        uint8_t *theirs = malloc(n + 16 + 1), tag[16];
        assert_int_equal(EVP_EncryptInit_ex(x, EVP_chacha20_poly1305(), NULL, key, nonce), 1);
        assert_int_equal(EVP_EncryptUpdate(x, NULL, &ol, aad, 13), 1);
        assert_int_equal(EVP_EncryptUpdate(x, theirs, &ol, plain, (int)n), 1);
        assert_int_equal(EVP_EncryptFinal_ex(x, theirs + ol, &ol), 1);
        assert_int_equal(EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_AEAD_GET_TAG, 16, tag), 1);
        assert_memory_equal(rec + 5, theirs, n);
        assert_memory_equal(rec + 5 + n, tag, 16);
        free(theirs);
        EVP_CIPHER_CTX_free(x);
#endif
        /* A wrong type (AAD) or a flipped bit fails; the real one opens. */
        uint8_t *pt;
        size_t pl;
        static uint8_t copy[sizeof rec];
        memcpy(copy, rec, 5 + n + 16);
        assert_int_equal(tern_rec_open(&r, TERN_CT_HANDSHAKE, copy, n + 16, &pt, &pl), TERN_ERR_BAD_RECORD_MAC);
        memcpy(copy, rec, 5 + n + 16);
        copy[5 + n + 15] ^= 0x20;
        assert_int_equal(tern_rec_open(&r, TERN_CT_APPLICATION_DATA, copy, n + 16, &pt, &pl),
                         TERN_ERR_BAD_RECORD_MAC);
        assert_int_equal(tern_rec_open(&r, TERN_CT_APPLICATION_DATA, rec, n + 16, &pt, &pl), 0);
        assert_int_equal(pl, n);
        assert_memory_equal(pt, plain, n);
        assert_int_equal(r.seq, seq + 1);
    }
    uint8_t *pt;
    size_t pl;
    assert_int_equal(tern_rec_open(&r, TERN_CT_APPLICATION_DATA, rec, 15, &pt, &pl), TERN_ERR_BAD_RECORD_MAC);
    tern_rec_wipe(&w);
    tern_rec_wipe(&r);
}

/* A ChaCha20-Poly1305 record of 2^14 + 1 plaintext bytes (it passes the
 * header check, which allows AES-GCM's 24 bytes of overhead) is
 * record_overflow after decryption. */
static void test_chacha_overflow(void **state) {
    (void)state;
    tern_config *scfg = rsa_server("ECDHE-RSA-CHACHA20-POLY1305", NULL);
    tern_config *ccfg = client("certs/root-ca.crt", NULL, NULL);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, 0);
    assert_int_equal(p.src, 0);
    static uint8_t rec[5 + 16385 + 16], big[16385];
    memset(big, 'a', sizeof big);
    /* Seal with the client's write state by hand (tern_rec_seal refuses
     * more than 2^14, so build the record with the AEAD directly). */
    tern_rec_dir *d = &p.c->wr;
    uint8_t nonce[12], aad[13];
    memcpy(nonce, d->cc_iv, 12);
    for (int b = 0; b < 8; b++)
        nonce[4 + b] ^= (uint8_t)(d->seq >> (56 - 8 * b));
    tern_store_be64(aad, d->seq);
    aad[8] = TERN_CT_APPLICATION_DATA;
    tern_store_be16(aad + 9, 0x0303);
    tern_store_be16(aad + 11, (uint16_t)sizeof big);
    rec[0] = TERN_CT_APPLICATION_DATA;
    tern_store_be16(rec + 1, 0x0303);
    tern_store_be16(rec + 3, (uint16_t)(sizeof big + 16));
    assert_int_equal(tern_chacha20poly1305_seal(d->cc_key, nonce, aad, 13, big, sizeof big, rec + 5,
                                                rec + 5 + sizeof big),
                     0);
    mp_send(&p.ce, rec, sizeof rec);
    uint8_t buf[64];
    assert_int_equal(tern_read(p.s, buf, sizeof buf), TERN_ERR_RECORD_OVERFLOW);
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* Key store: P-256 keys load from SEC 1 and PKCS#8 and must match the
 * leaf (tern_config_load_keystore is the path tern server uses). */
static void test_ec_keystore(void **state) {
    (void)state;
    static const struct {
        const char *chain, *key;
        int want;
    } cases[] = {
        {"certs/ecdsa-server-chain.pem", "certs/ecdsa-server.key", 0},
        {"certs/ecdsa-server-chain.pem", "certs/ecdsa-server-sec1.key", 0},
        {"certs/ecdsa-client-chain.pem", "certs/ecdsa-client.key", 0},
        {"certs/ecdsa-server-chain.pem", "certs/ecdsa-client.key", TERN_ERR_KEY_MISMATCH},
        {"certs/ecdsa-server-chain.pem", "certs/server.key", TERN_ERR_KEY_MISMATCH},
        {"certs/server-chain.pem", "certs/ecdsa-server.key", TERN_ERR_KEY_MISMATCH},
        {"certs/ec384.crt", "certs/ec384.key", 0}, /* P-384 (more in test_sigschemes) */
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        tern_config *cfg = tern_config_new();
        assert_non_null(cfg);
        char c[512], k[512];
        snprintf(c, sizeof c, "%s", tv_path(cases[i].chain));
        snprintf(k, sizeof k, "%s", tv_path(cases[i].key));
        int rc = tern_config_load_keystore(cfg, c, k);
        if (rc != cases[i].want)
            fail_msg("%s + %s: %d (%s), want %d", cases[i].chain, cases[i].key, rc, tern_config_error(cfg),
                     cases[i].want);
        if (rc == 0)
            assert_int_equal(cfg->keys.key_type, TERN_X509_KEY_EC);
        tern_config_free(cfg);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_group_matrix), cmocka_unit_test(test_choice_by_key_type),
        cmocka_unit_test(test_bad_p256_share),     cmocka_unit_test(test_bad_ecdsa_signature),
        cmocka_unit_test(test_chacha_records),     cmocka_unit_test(test_chacha_overflow),
        cmocka_unit_test(test_ec_keystore),
        cmocka_unit_test(test_server_bad_p256_share), cmocka_unit_test(test_dual_identity),
        cmocka_unit_test(test_resume_new_suites),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
