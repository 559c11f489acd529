/*
 * The client's Certificate (RFC 5246 §7.4.6), sent only after a
 * CertificateRequest; same wire form as the server's (§7.4.2):
 *
 *   struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 *
 * read and written by lib/certlist.c, shared with the server's Certificate.
 * "If no suitable certificate is available, the client MUST send a
 * certificate message containing no certificates" (§7.4.6): tern does so
 * when it has no key store or the request does not fit it
 * (lib/hs_certificate_request.c decides).
 *
 * The server checks the list against its trust store (and its CRLs) for
 * the client purpose (extKeyUsage clientAuth; no name check), with the
 * verifier's specific alert on failure, then the leaf's keyUsage for the
 * signature the client makes with it (digitalSignature).  An empty list
 * is refused with handshake_failure in REQUIRED mode (§7.4.6 lets the
 * server choose; RFC 8446's certificate_required does not exist in TLS
 * 1.2) and accepted as an anonymous client in OPTIONAL mode.  The path
 * certificates are copied for tern_peer_cert(); the identity becomes
 * visible only once CertificateVerify proves the client holds the key
 * (lib/hs_certificate_verify.c).
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "crypto/ct.h"
#include "lib/certlist.h"
#include "lib/hs.h"
#include "lib/trace.h"

int tern_hs_client_certificate_write(tern_conn *c, tern_writer *w) {
    tern_hs_state *h = c->hs_state;
    /* Our chain (picked by the request's CA names), or the empty list. */
    const tern_keystore *ks = h->client_may_send ? tern_conn_keys(c) : NULL;
    h->client_cert_sent = 0;
    TERN_TRY(tern_certlist_write(w, ks)); /* lib/certlist.c */
    h->client_cert_sent = ks != NULL;
    return 0;
}

int tern_hs_client_certificate_parse(tern_conn *c, tern_reader *r) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    tern_certlist list;
    int prc = tern_certlist_parse(r, &list); /* lib/certlist.c */
    if (prc == TERN_ERR_CERT_CHAIN_TOO_LONG)
        return tern_fail(c, prc, "the client sent more than %d certificates", TERN_X509_MAX_PEER_CERTS);
    TERN_TRY(prc);
    const uint8_t *const *certs = list.cert;
    const size_t *lens = list.len;
    size_t n = list.n;
    tern_trace_certificates(c, certs, lens, n);
    h->client_cert_sent = 0;
    if (n == 0) {
        if (cfg->client_auth == TERN_CLIENT_AUTH_REQUIRED)
            return tern_fail(c, TERN_ERR_HANDSHAKE_FAILURE,
                             "the client sent no certificate, and this server requires one");
        return 0; /* OPTIONAL: an anonymous client */
    }

    tern_x509_result res;
    tern_x509_params params;
    tern_config_x509_params(cfg, TERN_X509_PURPOSE_CLIENT, cfg->now(cfg->now_arg), NULL, &params);
    int rc = tern_x509_verify(&cfg->trust, certs, lens, n, &params, &res);
    tern_trace_chain(c, certs, lens, n, &res, rc);
    if (rc < 0)
        return tern_fail(c, rc, "client certificate: %s", res.msg[0] ? res.msg : tern_strerror(rc));
    /* RFC 5246 §7.4.8: the client proves its key by signing
     * CertificateVerify, so a keyUsage extension must allow
     * digitalSignature (the verifier leaves keyUsage to the role). */
    if (res.leaf_has_key_usage && !(res.leaf_key_usage & TERN_X509_KU_DIGITAL_SIGNATURE))
        return tern_fail(c, TERN_ERR_CERT_PURPOSE,
                         "client certificate: its keyUsage lacks digitalSignature, which CertificateVerify needs");
    /* The key types the request named: RSA, or ECDSA on P-256 / P-384
     * (what lib/sig.c verifies). */
    const tern_x509_key *key = &res.leaf_key;
    if (key->type == TERN_X509_KEY_RSA) {
        h->peer_rsa = key->rsa;
    } else if (key->type == TERN_X509_KEY_EC &&
               (key->curve == TERN_X509_CURVE_P256 || key->curve == TERN_X509_CURVE_P384) &&
               key->ec_point_len <= sizeof h->peer_ec) {
        memcpy(h->peer_ec, key->ec_point, key->ec_point_len);
        h->peer_curve = key->curve;
    } else {
        return tern_fail(c, TERN_ERR_CERT_UNSUPPORTED,
                         "the client certificate has neither an RSA key nor an ECDSA key on P-256 or P-384");
    }
    h->peer_key_type = key->type;
    h->have_peer_key = 1;
    h->client_cert_sent = 1;

    /* Keep the verified path (the message buffer is reused). */
    size_t used = 0;
    h->client_chain_n = 0;
    c->peer_anchor = res.anchor;
    size_t path_n = res.path_n > 0 ? res.path_n : 1; /* a pinned leaf is a path of its own */
    /* (The room was made with the connection, as the configuration asked
     * for client certificates then; lib/hs.c sends no request otherwise.) */
    TERN_ENSURE(c->peer_chain != NULL && c->peer_cert_off != NULL && path_n <= TERN_X509_MAX_DEPTH, TERN_ERR_INTERNAL);
    for (size_t i = 0; i < path_n; i++) {
        size_t idx = res.path_n > 0 ? res.path[i] : 0;
        TERN_ENSURE(idx < n && lens[idx] <= c->peer_chain_cap - used, TERN_ERR_INTERNAL);
        memcpy(c->peer_chain + used, certs[idx], lens[idx]);
        c->peer_cert_off[i] = used;
        c->peer_cert_len[i] = lens[idx];
        used += lens[idx];
        h->client_chain_n = i + 1;
    }
    c->peer_chain_len = used;
    tern_wipe(&res, sizeof res);
    return 0;
}
