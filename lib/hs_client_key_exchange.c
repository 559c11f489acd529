/*
 * ClientKeyExchange (RFC 5246 §7.4.7) for ECDHE (RFC 8422 §5.7):
 *
 *   struct {
 *       select (KeyExchangeAlgorithm) {
 *           case ec_diffie_hellman: ClientECDiffieHellmanPublic;
 *           case rsa: EncryptedPreMasterSecret;  -- lib/hs_client_key_exchange_rsa.c
 *       } exchange_keys;
 *   } ClientKeyExchange;
 *   struct { opaque point <1..2^8-1>; } ClientECDiffieHellmanPublic;
 *
 * Both sides then hold the premaster secret: X25519(own private, peer
 * public), 32 bytes (RFC 8422 §5.10, RFC 7748 §6.1); an all-zero result
 * (a small-order point from the peer) is refused (illegal_parameter).
 */
#include "lib/tls.h"
#include "crypto/ct.h"

int tern_hs_client_key_exchange_write(tern_conn *c, tern_writer *w) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = &c->hs_state;
    if (c->suite->kx == TERN_KX_RSA)
        return tern_hs_rsa_client_key_exchange_write(c, w);
    TERN_ENSURE(c->suite->kx == TERN_KX_ECDHE_RSA, TERN_ERR_UNSUPPORTED);
    TERN_TRY(tern_x25519_keygen(h->kx_priv, h->kx_pub, cfg->rng, cfg->rng_arg));
    int rc = tern_x25519(h->pms, h->kx_priv, h->peer_kx_pub);
    tern_wipe(h->kx_priv, sizeof h->kx_priv);
    if (rc == TERN_ERR_ZERO_SECRET)
        return tern_fail(c, rc, "the server's x25519 key is a small-order point (all-zero shared secret)");
    TERN_TRY(rc);
    h->pms_len = TERN_X25519_LEN;
    TERN_TRY(tern_wr_u8(w, TERN_X25519_LEN));
    return tern_wr_bytes(w, h->kx_pub, TERN_X25519_LEN);
}

int tern_hs_client_key_exchange_parse(tern_conn *c, tern_reader *r) {
    tern_hs_state *h = &c->hs_state;
    if (c->suite->kx == TERN_KX_RSA)
        return tern_hs_rsa_client_key_exchange_parse(c, r);
    TERN_ENSURE(c->suite->kx == TERN_KX_ECDHE_RSA, TERN_ERR_UNSUPPORTED);
    tern_reader point;
    TERN_TRY(tern_rd_vec8(r, &point));
    TERN_TRY(tern_rd_end(r));
    if (tern_rd_left(&point) != TERN_X25519_LEN)
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "the client's x25519 key is %zu bytes, not 32",
                         tern_rd_left(&point));
    TERN_TRY(tern_rd_copy(&point, h->peer_kx_pub, TERN_X25519_LEN));
    int rc = tern_x25519(h->pms, h->kx_priv, h->peer_kx_pub);
    tern_wipe(h->kx_priv, sizeof h->kx_priv);
    if (rc == TERN_ERR_ZERO_SECRET)
        return tern_fail(c, rc, "the client's x25519 key is a small-order point (all-zero shared secret)");
    TERN_TRY(rc);
    h->pms_len = TERN_X25519_LEN;
    return 0;
}
