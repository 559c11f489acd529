/*
 * The RSA key exchange (TLS_RSA_WITH_AES_128_GCM_SHA256 0x009C,
 * TLS_RSA_WITH_AES_256_GCM_SHA384 0x009D), client and server in memory:
 *   - both suites x EMS on/off x 16 KB / 512-byte records, data both ways,
 *     the same master secret on both sides;
 *   - preference: ECDHE always wins when the client offers it, whatever
 *     order the server lists; the RSA suites are off by default on both
 *     sides;
 *   - a ClientHello without signature_algorithms: an RSA suite is chosen
 *     when enabled, else handshake_failure;
 *   - Bleichenbacher: the server is fed ClientKeyExchange messages with bad
 *     padding, bad lengths, wrong versions, out-of-range and random
 *     ciphertexts, and a well-formed one of another premaster: every one
 *     fails the same way (bad_record_mac on the client's Finished record,
 *     the same error and sentence), never earlier;
 *   - ClientKeyExchange framing: truncations and trailing bytes are
 *     decode errors (public framing, not the ciphertext).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/bn.h"
#include "lib/conn.h"
#include "lib/hs.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

static tern_config *server_cfg(const char *suites) {
    return mp_config_with(NULL, "certs/server-chain.pem", "certs/server.key", suites, NULL);
}

static tern_config *client_cfg(const char *suites) {
    return mp_config_with("certs/root-ca.crt", NULL, NULL, suites, NULL);
}

static void test_rsa_matrix(void **state) {
    (void)state;
    static const char *names[] = {"AES128-GCM-SHA256", "TLS_RSA_WITH_AES_256_GCM_SHA384"};
    static const uint16_t ids[] = {0x009C, 0x009D};
    for (int s = 0; s < 2; s++)
        for (int ems = 0; ems < 2; ems++)
            for (int small = 0; small < 2; small++) {
                tern_config *scfg = server_cfg(names[s]), *ccfg = client_cfg(names[s]);
                if (!ems)
                    ccfg->no_ems = 1;
                if (small) {
                    assert_int_equal(tern_config_set_buffer_sizes(scfg, 512, 16384), 0);
                    assert_int_equal(tern_config_set_buffer_sizes(ccfg, 512, 16384), 0);
                }
                mp_pair p;
                mp_init(&p, ccfg, scfg, "localhost");
                mp_handshake(&p);
                if (p.crc != 0 || p.src != 0)
                    fail_msg("suite %d ems %d small %d: %s / %s", s, ems, small, tern_error(p.c), tern_error(p.s));
                assert_int_equal(tern_cipher_suite_id(p.c), ids[s]);
                assert_int_equal(tern_cipher_suite_id(p.s), ids[s]);
                assert_string_equal(tern_cipher_suite(p.s), s ? "TLS_RSA_WITH_AES_256_GCM_SHA384"
                                                               : "TLS_RSA_WITH_AES_128_GCM_SHA256");
                assert_int_equal(tern_extended_master_secret(p.c), ems);
                assert_int_equal(tern_signature_scheme(p.c), 0); /* no ServerKeyExchange */
                assert_non_null(strstr(tern_peer_subject(p.c), "CN=localhost"));
                assert_memory_equal(p.c->master, p.s->master, 48);
                mp_transfer(p.c, p.s, 40000, 5000);
                mp_transfer(p.s, p.c, 40000, 5000);
                mp_free(&p);
                tern_config_free(scfg);
                tern_config_free(ccfg);
            }
}

/* Run a handshake between the two configurations; returns the suite id or
 * the server's error. */
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

static void test_preference_and_defaults(void **state) {
    (void)state;
    int alert;
    /* The server lists RSA first; the client offers both: ECDHE wins. */
    tern_config *scfg = server_cfg("AES128-GCM-SHA256:AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384");
    tern_config *both = client_cfg("AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384");
    tern_config *rsa_only = client_cfg("AES256-GCM-SHA384:AES128-GCM-SHA256");
    tern_config *dflt = client_cfg(NULL);
    assert_int_equal(negotiate(both, scfg, NULL), 0xC030);
    /* Only RSA offered: the server's first RSA suite. */
    assert_int_equal(negotiate(rsa_only, scfg, NULL), 0x009C);
    /* Defaults: the client offers no RSA suite ... */
    assert_int_equal(negotiate(dflt, scfg, NULL), 0xC030);
    tern_config *scfg_rsa = server_cfg("AES128-GCM-SHA256");
    assert_int_equal(negotiate(dflt, scfg_rsa, &alert), TERN_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(alert, TERN_ALERT_HANDSHAKE_FAILURE);
    /* ... and a default server accepts none. */
    tern_config *sdflt = server_cfg(NULL);
    assert_int_equal(negotiate(rsa_only, sdflt, &alert), TERN_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(alert, TERN_ALERT_HANDSHAKE_FAILURE);
    for (size_t i = 0; dflt->suites[i] != 0; i++)
        assert_int_not_equal(tern_suite_by_id(dflt->suites[i])->kx, TERN_KX_RSA); /* ECDHE_RSA or _ECDSA */
    /* Both names are accepted. */
    assert_int_equal(tern_config_set_cipher_suites(dflt, "TLS_RSA_WITH_AES_128_GCM_SHA256,AES256-GCM-SHA384"), 0);
    assert_int_equal(dflt->suites[0], 0x009C);
    assert_int_equal(dflt->suites[1], 0x009D);
    tern_config_free(scfg);
    tern_config_free(scfg_rsa);
    tern_config_free(sdflt);
    tern_config_free(both);
    tern_config_free(rsa_only);
    tern_config_free(dflt);
}

/* Rename the client's signature_algorithms extension (to an unknown type,
 * so the server ignores it) in its ClientHello waiting in c2s, and make the
 * client's transcript match what the server will see. */
static void strip_sigalgs(mp_pair *p) {
    size_t len;
    uint8_t *ch = mp_copy(&p->c2s, TERN_HT_CLIENT_HELLO, &len);
    assert_non_null(ch);
    tern_reader r, v, exts;
    tern_rd_init(&r, ch + 4 + 2 + 32, len - 4 - 2 - 32);
    assert_int_equal(tern_rd_vec8(&r, &v), 0);
    assert_int_equal(tern_rd_vec16(&r, &v), 0);
    assert_int_equal(tern_rd_vec8(&r, &v), 0);
    assert_int_equal(tern_rd_vec16(&r, &exts), 0);
    int found = 0;
    while (tern_rd_left(&exts) > 0) {
        uint8_t *type = (uint8_t *)exts.p;
        uint16_t t;
        assert_int_equal(tern_rd_u16(&exts, &t), 0);
        assert_int_equal(tern_rd_vec16(&exts, &v), 0);
        if (t == TERN_EXT_SIGNATURE_ALGORITHMS) {
            tern_store_be16(type, 0xfafa);
            found = 1;
        }
    }
    assert_true(found);
    mp_replace(&p->c2s, TERN_HT_CLIENT_HELLO, ch, len);
    tern_hs_state *h = p->c->hs_state;
    assert_int_equal(tern_hash_init(&h->th256, TERN_HASH_SHA256), 0);
    assert_int_equal(tern_hash_init(&h->th384, TERN_HASH_SHA384), 0);
    tern_hs_transcript(p->c, ch, len);
    free(ch);
}

static void test_no_signature_algorithms(void **state) {
    (void)state;
    const char *both = "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256";
    tern_config *ccfg = client_cfg(both);
    /* An RSA suite enabled on the server: chosen, the handshake completes. */
    tern_config *scfg = server_cfg(both);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_step_client(&p);
    strip_sigalgs(&p);
    mp_handshake(&p);
    if (p.crc != 0 || p.src != 0)
        fail_msg("%s / %s", tern_error(p.c), tern_error(p.s));
    assert_int_equal(tern_cipher_suite_id(p.s), 0x009C);
    mp_transfer(p.c, p.s, 1000, 5000);
    mp_free(&p);
    tern_config_free(scfg);
    /* ECDHE only on the server: SHA-1 would be needed; handshake_failure. */
    scfg = server_cfg("ECDHE-RSA-AES128-GCM-SHA256");
    mp_init(&p, ccfg, scfg, "localhost");
    mp_step_client(&p);
    strip_sigalgs(&p);
    mp_handshake(&p);
    assert_int_equal(p.src, TERN_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(tern_alert_received(p.c), TERN_ALERT_HANDSHAKE_FAILURE);
    assert_non_null(strstr(tern_error(p.s), "SHA-1"));
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* c = m^e mod n, no padding: the attacker's tool. */
static void raw_public(const tern_rsa_public *k, const uint8_t *m, uint8_t *out) {
    size_t klen = tern_rsa_len(k);
    uint64_t x[TERN_RSA_LIMBS], t[TERN_RSA_LIMBS];
    tern_bn_mont ctx;
    tern_bn_mont_init(&ctx, k->n, k->rr, k->n0inv, k->nlimbs);
    assert_int_equal(tern_bn_from_be(x, k->nlimbs, m, klen), 0);
    tern_bn_to_mont(&ctx, t, x);
    tern_bn_mont_exp_pub(&ctx, t, t, k->e);
    tern_bn_from_mont(&ctx, x, t);
    tern_bn_to_be(out, klen, x, k->nlimbs);
}

/* A well-formed encryption block: 00 02 PS 00 version(2) random(46). */
static void good_block(uint8_t *em, size_t klen, uint32_t seed) {
    em[0] = 0;
    em[1] = 2;
    for (size_t i = 2; i < klen - 49; i++) {
        seed = seed * 1103515245u + 12345u;
        em[i] = (uint8_t)(1 + (seed >> 16) % 255);
    }
    em[klen - 49] = 0;
    em[klen - 48] = 3;
    em[klen - 47] = 3;
    for (size_t i = klen - 46; i < klen; i++) {
        seed = seed * 1103515245u + 12345u;
        em[i] = (uint8_t)(seed >> 16);
    }
}

/* Run a handshake whose ClientKeyExchange the attacker replaces by
 * EncryptedPreMasterSecret ct (ct NULL: leave it).  Returns the server's
 * result; *msg gets its sentence. */
static int with_cke(tern_config *ccfg, tern_config *scfg, const uint8_t *ct, size_t ctlen, char *msg, size_t cap,
                    int *client_alert) {
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    size_t rec, m, mlen;
    for (int i = 0; i < 100 && !mp_find(&p.c2s, TERN_HT_CLIENT_KEY_EXCHANGE, &rec, &m, &mlen); i++) {
        mp_step_client(&p);
        if (!mp_find(&p.c2s, TERN_HT_CLIENT_KEY_EXCHANGE, &rec, &m, &mlen))
            mp_step_server(&p);
    }
    if (ct != NULL) {
        uint8_t *cke = malloc(4 + 2 + ctlen);
        cke[0] = TERN_HT_CLIENT_KEY_EXCHANGE;
        tern_store_be24(cke + 1, (uint32_t)(2 + ctlen));
        tern_store_be16(cke + 4, (uint16_t)ctlen);
        if (ctlen)
            memcpy(cke + 6, ct, ctlen);
        mp_replace(&p.c2s, TERN_HT_CLIENT_KEY_EXCHANGE, cke, 4 + 2 + ctlen);
        free(cke);
    }
    mp_handshake(&p);
    int r = p.src;
    snprintf(msg, cap, "%s", tern_error(p.s));
    *client_alert = tern_alert_received(p.c);
    if (r == 0)
        assert_int_equal(p.crc, 0);
    else
        assert_int_equal(tern_alert_sent(p.s), tern_error_alert(r));
    mp_free(&p);
    return r;
}

static void test_bleichenbacher(void **state) {
    (void)state;
    tern_config *scfg = server_cfg("AES128-GCM-SHA256");
    tern_config *ccfg = client_cfg("AES128-GCM-SHA256");
    const tern_rsa_public *pub = &scfg->keys.rsa.pub;
    size_t klen = tern_rsa_len(pub);
    assert_int_equal(klen, 256);
    char msg[512], first[512] = "";
    int alert;

    /* Control: the client's own ClientKeyExchange works. */
    assert_int_equal(with_cke(ccfg, scfg, NULL, 0, msg, sizeof msg, &alert), 0);

    /* The raw tool is right: a good block decrypts to its 48 bytes. */
    uint8_t em[256], ct[260], out[256];
    good_block(em, klen, 1);
    raw_public(pub, em, ct);
    assert_int_equal(tern_rsa_pkcs1_decrypt(&scfg->keys.rsa, ct, klen, out, sizeof out, scfg->rng, scfg->rng_arg), 48);
    assert_memory_equal(out, em + klen - 48, 48);

    struct {
        const char *what;
        int at, val; /* patch em[at] = val (at < 0: from the end) */
        int at2, val2;
    } bad[] = {
        {"good padding, another premaster", -1000, 0, -1000, 0},
        {"first byte 01", 0, 1, -1000, 0},
        {"block type 01", 1, 1, -1000, 0},
        {"block type 00", 1, 0, -1000, 0},
        {"block type 03", 1, 3, -1000, 0},
        {"zero inside the first 8 padding bytes", 5, 0, -1000, 0},
        {"zero right after the block type", 2, 0, -1000, 0},
        {"zero in the padding: message of 100 bytes", 256 - 101, 0, -1000, 0},
        {"no zero separator", 256 - 49, 0x55, -1000, 0},
        {"message of 47 bytes", 256 - 49, 0x55, 256 - 48, 0},
        {"message of 49 bytes", 256 - 50, 0, 256 - 49, 0x55},
        {"version 03 02", 256 - 47, 2, -1000, 0},
        {"version 03 00", 256 - 47, 0, -1000, 0},
        {"version 03 04", 256 - 47, 4, -1000, 0},
        {"version 02 03", 256 - 48, 2, -1000, 0},
        {"version 00 00", 256 - 48, 0, 256 - 47, 0},
        {"message of 0 bytes (separator last)", 256 - 49, 0x55, 255, 0},
    };
    int n = 0;
    for (size_t i = 0; i < TERN_ARRAY_LEN(bad); i++) {
        good_block(em, klen, 1000 + (uint32_t)i);
        if (bad[i].at >= 0)
            em[bad[i].at] = (uint8_t)bad[i].val;
        if (bad[i].at2 >= 0)
            em[bad[i].at2] = (uint8_t)bad[i].val2;
        if (bad[i].at == 256 - 49 && bad[i].at2 == 255) /* no zero anywhere but the last byte */
            for (size_t j = 2; j < 255; j++)
                em[j] |= 1;
        raw_public(pub, em, ct);
        int rc = with_cke(ccfg, scfg, ct, klen, msg, sizeof msg, &alert);
        if (rc != TERN_ERR_BAD_RECORD_MAC || alert != TERN_ALERT_BAD_RECORD_MAC || (first[0] && strcmp(msg, first)))
            fail_msg("%s: server %d (%s), client got alert %d", bad[i].what, rc, msg, alert);
        if (!first[0])
            snprintf(first, sizeof first, "%s", msg);
        n++;
    }
    /* Ciphertexts that are out of range or of the wrong length. */
    struct {
        const char *what;
        size_t len;
        int fill;
    } odd[] = {
        {"zero", 256, 0}, {"all ff (>= n)", 256, 0xff}, {"255 bytes", 255, 0x42}, {"257 bytes", 257, 0x42},
        {"empty", 0, 0},  {"1 byte", 1, 7},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(odd); i++) {
        memset(ct, odd[i].fill, sizeof ct);
        int rc = with_cke(ccfg, scfg, ct, odd[i].len, msg, sizeof msg, &alert);
        if (rc != TERN_ERR_BAD_RECORD_MAC || alert != TERN_ALERT_BAD_RECORD_MAC || strcmp(msg, first))
            fail_msg("%s: server %d (%s), client got alert %d", odd[i].what, rc, msg, alert);
        n++;
    }
    /* Many random ciphertexts below n (what an attacker's queries mostly
     * are): each fails the same way. */
    uint32_t seed = 77;
    for (int i = 0; i < 64; i++) {
        for (size_t j = 0; j < klen; j++) {
            seed = seed * 1103515245u + 12345u;
            ct[j] = (uint8_t)(seed >> 16);
        }
        ct[0] &= 0x7f; /* below n (n's top byte is >= 0x80) */
        int rc = with_cke(ccfg, scfg, ct, klen, msg, sizeof msg, &alert);
        if (rc != TERN_ERR_BAD_RECORD_MAC || alert != TERN_ALERT_BAD_RECORD_MAC || strcmp(msg, first))
            fail_msg("random ciphertext %d: server %d (%s), client got alert %d", i, rc, msg, alert);
        n++;
    }
    assert_int_equal(n, (int)(TERN_ARRAY_LEN(bad) + TERN_ARRAY_LEN(odd) + 64));
    print_message("%d bad ClientKeyExchange messages, all refused at the Finished record: %s\n", n, first);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

static void test_cke_framing(void **state) {
    (void)state;
    tern_config *scfg = server_cfg("AES128-GCM-SHA256");
    uint8_t body[2 + 256 + 1];
    memset(body, 0x33, sizeof body);
    tern_store_be16(body, 256);
    for (size_t cut = 0; cut <= sizeof body; cut++) {
        tern_conn *s = tern_server_new(scfg);
        s->suite = tern_suite_by_id(0x009C);
        s->hs_state->client_version = TERN_TLS12;
        tern_reader r;
        tern_rd_init(&r, body, cut);
        int rc = tern_hs_client_key_exchange_parse(s, &r);
        /* Only the exact framing parses (and then always succeeds). */
        assert_int_equal(rc, cut == 258 ? 0 : TERN_ERR_DECODE);
        if (rc == 0)
            assert_int_equal(s->hs_state->pms_len, 48);
        tern_free(s);
    }
    tern_config_free(scfg);
}

/* RFC 5246 §7.4.2: a server certificate whose keyUsage lacks
 * keyEncipherment cannot carry the RSA key exchange. */
static void test_key_usage(void **state) {
    (void)state;
    /* ec-server.crt has digitalSignature only but an EC key; bad-ku.crt
     * lacks both: use the verification-off path to reach the check with a
     * certificate that has an RSA key and KU without keyEncipherment. */
    tern_config *ccfg = client_cfg("AES128-GCM-SHA256");
    tern_config_insecure_skip_verify(ccfg);
    tern_config *scfg = tern_config_new();
    char c[512], k[512];
    snprintf(c, sizeof c, "%s", tv_path("certs/bad-ku.crt"));
    snprintf(k, sizeof k, "%s", tv_path("certs/leaf.key"));
    if (tern_config_load_keystore(scfg, c, k) != 0)
        fail_msg("%s", tern_config_error(scfg));
    assert_int_equal(tern_config_set_cipher_suites(scfg, "AES128-GCM-SHA256"), 0);
    mp_pair p;
    mp_init(&p, ccfg, scfg, "localhost");
    mp_handshake(&p);
    assert_int_equal(p.crc, TERN_ERR_CERT_PURPOSE);
    assert_int_equal(tern_alert_sent(p.c), TERN_ALERT_UNSUPPORTED_CERTIFICATE);
    assert_int_equal(tern_alert_received(p.s), TERN_ALERT_UNSUPPORTED_CERTIFICATE);
    assert_non_null(strstr(tern_error(p.c), "keyEncipherment"));
    mp_free(&p);
    tern_config_free(scfg);
    tern_config_free(ccfg);
}

/* keyUsage by role, with verification on (RFC 5246 §7.4.2, RFC 8422
 * §5.3): ECDHE_RSA signs the ServerKeyExchange with the certificate's key
 * (digitalSignature), the RSA key exchange encrypts the premaster to it
 * (keyEncipherment).  Leaves from vectors/certs/profile/, each with one of
 * the two bits. */
static void test_key_usage_by_role(void **state) {
    (void)state;
    static const struct {
        const char *suite, *leaf;
        int err;
        const char *msg;
    } cases[] = {
        {"ECDHE-RSA-AES128-GCM-SHA256", "certs/profile/leaf-ku-encipher.crt", TERN_ERR_CERT_PURPOSE,
         "the server certificate's keyUsage lacks digitalSignature, which ECDHE_RSA needs"},
        {"ECDHE-RSA-AES128-GCM-SHA256", "certs/profile/leaf-ku-sign.crt", 0, NULL},
        {"AES128-GCM-SHA256", "certs/profile/leaf-ku-sign.crt", TERN_ERR_CERT_PURPOSE,
         "the server certificate's keyUsage lacks keyEncipherment, which the RSA key exchange needs"},
        {"AES128-GCM-SHA256", "certs/profile/leaf-ku-encipher.crt", 0, NULL},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        tern_config *ccfg = client_cfg(cases[i].suite);
        tern_config *scfg = tern_config_new();
        size_t l1, l2, lk;
        char *leaf = tv_slurp(tv_path(cases[i].leaf), &l1);
        char *ica = tv_slurp(tv_path("certs/int-ca.crt"), &l2);
        char *key = tv_slurp(tv_path("certs/leaf.key"), &lk);
        char *chain = malloc(l1 + l2);
        memcpy(chain, leaf, l1);
        memcpy(chain + l1, ica, l2);
        if (tern_config_add_keystore_pem(scfg, (uint8_t *)chain, l1 + l2, (uint8_t *)key, lk) != 0)
            fail_msg("%s: %s", cases[i].leaf, tern_config_error(scfg));
        assert_int_equal(tern_config_set_cipher_suites(scfg, cases[i].suite), 0);
        mp_pair p;
        mp_init(&p, ccfg, scfg, "localhost");
        mp_handshake(&p);
        if (cases[i].err == 0) {
            if (p.crc != 0 || p.src != 0)
                fail_msg("%s with %s: client %d (%s), server %d (%s)", cases[i].suite, cases[i].leaf, p.crc,
                         tern_error(p.c), p.src, tern_error(p.s));
            mp_transfer(p.c, p.s, 1000, 5000);
        } else {
            assert_int_equal(p.crc, cases[i].err);
            assert_int_equal(tern_alert_sent(p.c), TERN_ALERT_UNSUPPORTED_CERTIFICATE);
            assert_int_equal(tern_alert_received(p.s), TERN_ALERT_UNSUPPORTED_CERTIFICATE);
            if (strstr(tern_error(p.c), cases[i].msg) == NULL)
                fail_msg("%s with %s: \"%s\", want \"%s\"", cases[i].suite, cases[i].leaf, tern_error(p.c),
                         cases[i].msg);
        }
        mp_free(&p);
        free(leaf);
        free(ica);
        free(key);
        free(chain);
        tern_config_free(scfg);
        tern_config_free(ccfg);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rsa_matrix),
        cmocka_unit_test(test_preference_and_defaults),
        cmocka_unit_test(test_no_signature_algorithms),
        cmocka_unit_test(test_bleichenbacher),
        cmocka_unit_test(test_cke_framing),
        cmocka_unit_test(test_key_usage),
        cmocka_unit_test(test_key_usage_by_role),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
