/*
 * ClientKeyExchange for the RSA key exchange (RFC 5246 §7.4.7.1), the
 * suites TLS_RSA_WITH_AES_128_GCM_SHA256 / _256_GCM_SHA384 (RFC 5288):
 *
 *   struct {
 *       ProtocolVersion client_version;   -- the version of ClientHello
 *       opaque random[46];
 *   } PreMasterSecret;
 *   struct {
 *       public-key-encrypted PreMasterSecret pre_master_secret;
 *   } EncryptedPreMasterSecret;          -- opaque <0..2^16-1> in TLS 1.2
 *
 * The client encrypts the 48 bytes with the server certificate's RSA key
 * (RSAES-PKCS1-v1_5).  The server decrypts with
 * tern_rsa_tls_premaster_decrypt, which follows §7.4.7.1 to the letter:
 * a random premaster is drawn first and silently kept when the padding,
 * the length or the version bytes are wrong, with no branch on which.  So
 * this file has no error path that depends on the ciphertext: a bad one
 * only makes the keys differ, and the handshake fails at the client's
 * Finished record, exactly like a good ciphertext of another premaster
 * (tests/test_rsa_kx.c checks that).  The length of the vector itself is
 * public framing and is checked like any other.
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/hs.h"
#include "lib/trace.h"
#include "crypto/ct.h"

int tern_hs_rsa_client_key_exchange_write(tern_conn *c, tern_writer *w) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    TERN_ENSURE(h->have_peer_key, TERN_ERR_INTERNAL);
    /* client_version is the version we offered in ClientHello (not the
     * negotiated one: §7.4.7.1, which is what defeats version rollback). */
    tern_store_be16(h->pms, TERN_TLS12);
    TERN_TRY(tern_conn_random(c, h->pms + 2, 46));
    h->pms_len = 48;
    size_t modlen = tern_rsa_len(&h->peer_rsa);
    uint8_t *ct;
    TERN_TRY(tern_wr_u16(w, (uint16_t)modlen));
    TERN_TRY(tern_wr_reserve(w, modlen, &ct));
    TERN_TRY(tern_rsa_pkcs1_encrypt(&h->peer_rsa, h->pms, 48, ct, modlen, cfg->rng, cfg->rng_arg));
    tern_trace_client_kx(c, 1, 0, NULL, modlen);
    return 0;
}

int tern_hs_rsa_client_key_exchange_parse(tern_conn *c, tern_reader *r) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    tern_reader ct;
    TERN_TRY(tern_rd_vec16(r, &ct));
    TERN_TRY(tern_rd_end(r));
    tern_trace_client_kx(c, 0, 0, NULL, tern_rd_left(&ct));
    const tern_keystore *ks = tern_conn_keys(c); /* the identity picked by SNI */
    TERN_ENSURE(cfg->have_keys && ks->key_type == TERN_X509_KEY_RSA, TERN_ERR_INTERNAL);
    /* Always 48 bytes, always 0 (unless the RNG fails): nothing here may
     * tell a bad ciphertext from a good one. */
    TERN_TRY(tern_rsa_tls_premaster_decrypt(&ks->rsa, ct.p, tern_rd_left(&ct), h->client_version, h->pms,
                                            cfg->rng, cfg->rng_arg));
    h->pms_len = 48;
    return 0;
}
