/*
 * ServerKeyExchange for ECDHE_RSA and ECDHE_ECDSA (RFC 8422 §5.4, RFC 5246
 * §7.4.3 and §4.7 for "digitally-signed"), groups x25519, secp256r1 and
 * secp384r1 (RFC 8422 §5.1.1, RFC 7748; lib/kx.c):
 *
 *   struct {
 *       ECCurveType curve_type;      -- named_curve (3)
 *       NamedCurve namedcurve;       -- x25519 (29), secp256r1 (23), secp384r1 (24)
 *       opaque point <1..2^8-1>;     -- 32 bytes (X25519) or 04 || X || Y (65 / 97)
 *   } ServerECDHParams;
 *   struct {
 *       ServerECDHParams params;
 *       digitally-signed struct {
 *           opaque client_random[32];
 *           opaque server_random[32];
 *           ServerECDHParams params;
 *       } signed_params;             -- SignatureAndHashAlgorithm, then opaque<0..2^16-1>
 *   } ServerKeyExchange;
 *
 * The server signs with the scheme chosen from the client's
 * signature_algorithms (rsa_pss_rsae_* or rsa_pkcs1_* with SHA-256/384/512;
 * for ECDHE_ECDSA, with a P-256 or P-384 key, ecdsa_secp256r1_sha256 /
 * ecdsa_secp384r1_sha384, lib/sig.c); the client accepts any scheme it
 * offered that fits the key of the certificate it has just verified
 * (else illegal_parameter) and checks the signature with that key (else
 * decrypt_error).
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/trace.h"
#include "crypto/ct.h"
#include "lib/hs.h"
#include "lib/kx.h"
#include "lib/sig.h"

TERN_MUST_CHECK static int signed_digest(const tern_conn *c, tern_hash_alg alg, const uint8_t *params, size_t len, uint8_t *out) {
    tern_hash_ctx h;
    TERN_TRY(tern_hash_init(&h, alg));
    tern_hash_update(&h, c->hs_state->client_random, TERN_RANDOM_LEN);
    tern_hash_update(&h, c->hs_state->server_random, TERN_RANDOM_LEN);
    tern_hash_update(&h, params, len);
    tern_hash_final(&h, out);
    return 0;
}

int tern_hs_server_key_exchange_write(tern_conn *c, tern_writer *w) {
    tern_hs_state *h = c->hs_state;
    TERN_TRY(tern_kx_keygen(c)); /* h->group, chosen with the suite (lib/kx.c) */
    size_t publen = tern_kx_pub_len(h->group);
    size_t start = tern_wr_len(w);
    TERN_TRY(tern_wr_u8(w, 3));
    TERN_TRY(tern_wr_u16(w, h->group));
    TERN_TRY(tern_wr_u8(w, (uint8_t)publen));
    TERN_TRY(tern_wr_bytes(w, h->kx_pub, publen));
    const uint8_t *params = w->buf + start;
    size_t params_len = tern_wr_len(w) - start;
    tern_trace_server_kx(c, 1, h->group, h->kx_pub, publen, c->sigscheme);

    const tern_keystore *ks = tern_conn_keys(c); /* the identity lib/negotiate.c chose */
    tern_hash_alg alg;
    TERN_ENSURE(tern_sig_fits_key(c->sigscheme, ks->key_type, &alg), TERN_ERR_INTERNAL);
    uint8_t digest[TERN_HASH_MAX_LEN];
    TERN_TRY(signed_digest(c, alg, params, params_len, digest));
    return tern_sig_write(c, ks, c->sigscheme, digest, w);
}

int tern_hs_server_key_exchange_parse(tern_conn *c, tern_reader *r) {
    tern_hs_state *h = c->hs_state;
    TERN_ENSURE(h->have_peer_key, TERN_ERR_INTERNAL);
    const uint8_t *params = r->p;
    uint8_t curve_type;
    uint16_t group, scheme;
    tern_reader point, sig;
    TERN_TRY(tern_rd_u8(r, &curve_type));
    TERN_TRY(tern_rd_u16(r, &group));
    TERN_TRY(tern_rd_vec8(r, &point));
    size_t params_len = (size_t)(r->p - params);
    TERN_TRY(tern_rd_u16(r, &scheme));
    TERN_TRY(tern_rd_vec16(r, &sig));
    TERN_TRY(tern_rd_end(r));
    tern_trace_server_kx(c, 0, group, point.p, tern_rd_left(&point), scheme);
    /* RFC 8422 §5.4: only named curves; and only the groups we offered. */
    int offered_group = 0;
    for (const uint16_t *g = tern_kx_groups(c->cfg); *g != 0; g++)
        offered_group |= *g == group;
    if (curve_type != 3 || !offered_group)
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                         "the server chose curve type %u group %u, which we did not offer", curve_type, group);
    size_t publen = tern_kx_pub_len(group);
    if (tern_rd_left(&point) != publen)
        return tern_fail(c, TERN_ERR_DECODE, "the server's %s key share is %zu bytes, not %zu", /* does not parse */
                         tern_kx_group_name(group), tern_rd_left(&point), publen);
    TERN_TRY(tern_rd_copy(&point, h->peer_kx_pub, publen));
    h->group = group; /* the share is checked on the curve in ClientKeyExchange (lib/kx.c) */

    /* A scheme we offered, of the kind of the certificate's key: ECDSA for
     * the ECDHE_ECDSA suites (an EC key), RSA for ECDHE_RSA. */
    int ec = h->peer_key_type == TERN_X509_KEY_EC;
    tern_hash_alg alg;
    if (!tern_sig_offered(scheme) || !tern_sig_fits_key(scheme, h->peer_key_type, &alg))
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                         ec ? "the server signed with scheme 0x%04x, which is not an ECDSA scheme we offered"
                            : "the server signed with scheme 0x%04x, which we did not offer",
                         scheme);
    uint8_t digest[TERN_HASH_MAX_LEN];
    TERN_TRY(signed_digest(c, alg, params, params_len, digest));
    if (tern_sig_verify(c, TERN_HT_SERVER_KEY_EXCHANGE, scheme, digest, sig.p, tern_rd_left(&sig)) < 0)
        return tern_fail(c, TERN_ERR_BAD_SIGNATURE,
                         "the ServerKeyExchange signature (scheme 0x%04x) does not verify with the %skey of the "
                         "server's certificate",
                         scheme, ec ? "EC " : "");
    c->sigscheme = scheme;
    return 0;
}
