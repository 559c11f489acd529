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
 * With secp256r1 / secp384r1 the point is 65 / 97 bytes uncompressed and
 * the premaster the X coordinate of the ECDH product (32 / 48 bytes); an
 * invalid point is refused the same way (lib/kx.c).
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/trace.h"
#include "crypto/ct.h"
#include "lib/hs.h"
#include "lib/kx.h"

int tern_hs_client_key_exchange_write(tern_conn *c, tern_writer *w) {
    tern_hs_state *h = c->hs_state;
    if (c->suite->kx == TERN_KX_RSA)
        return tern_hs_rsa_client_key_exchange_write(c, w);
    TERN_ENSURE(tern_suite_is_ecdhe(c->suite), TERN_ERR_UNSUPPORTED);
    /* The group the server named in ServerKeyExchange (lib/kx.c). */
    size_t publen = tern_kx_pub_len(h->group);
    TERN_TRY(tern_kx_keygen(c));
    TERN_TRY(tern_kx_agree(c, h->peer_kx_pub, publen));
    TERN_TRY(tern_wr_u8(w, (uint8_t)publen));
    TERN_TRY(tern_wr_bytes(w, h->kx_pub, publen));
    tern_trace_client_kx(c, 1, h->group, h->kx_pub, publen);
    return 0;
}

int tern_hs_client_key_exchange_parse(tern_conn *c, tern_reader *r) {
    if (c->suite->kx == TERN_KX_RSA)
        return tern_hs_rsa_client_key_exchange_parse(c, r);
    TERN_ENSURE(tern_suite_is_ecdhe(c->suite), TERN_ERR_UNSUPPORTED);
    tern_reader point;
    TERN_TRY(tern_rd_vec8(r, &point));
    TERN_TRY(tern_rd_end(r));
    tern_trace_client_kx(c, 0, c->hs_state->group, point.p, tern_rd_left(&point));
    /* x25519, secp256r1 or secp384r1, as our ServerKeyExchange named (lib/kx.c
     * checks the length and the point). */
    return tern_kx_agree(c, point.p, tern_rd_left(&point));
}
