/*
 * Certificate (RFC 5246 §7.4.2): the sender's chain, leaf first.
 *
 *   opaque ASN.1Cert<1..2^24-1>;
 *   struct {
 *       ASN.1Cert certificate_list<0..2^24-1>;
 *   } Certificate;
 *
 * The list is read and written by lib/certlist.c, shared with the
 * client's Certificate.  The server writes its key store's chain; the
 * client refuses an empty list and hands the rest to path validation
 * (lib/x509/verify.c) with the trust store (and its CRLs), the name it was
 * asked to reach and the clock: the parameters come from
 * tern_config_x509_params (lib/config.c).  A refused chain fails the
 * handshake with the verifier's own sentence and the specific alert
 * (unknown_ca, certificate_expired, bad_certificate ...).  The leaf's
 * keyUsage is checked here, against what the negotiated key exchange does
 * with the key: sign (ECDHE_RSA, ECDHE_ECDSA: digitalSignature) or
 * encrypt the premaster (RSA: keyEncipherment).
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "crypto/ct.h"
#include "lib/certlist.h"
#include "lib/hs.h"
#include "lib/trace.h"

int tern_hs_certificate_write(tern_conn *c, tern_writer *w) {
    const tern_keystore *ks = tern_conn_keys(c); /* the identity negotiated (lib/negotiate.c) */
    TERN_ENSURE(c->cfg->have_keys, TERN_ERR_INTERNAL);
    return tern_certlist_write(w, ks); /* lib/certlist.c */
}

static int64_t now(const tern_conn *c) {
    return c->cfg->now(c->cfg->now_arg);
}

int tern_hs_certificate_parse(tern_conn *c, tern_reader *r) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    tern_certlist list;
    int prc = tern_certlist_parse(r, &list); /* lib/certlist.c */
    if (prc == TERN_ERR_CERT_CHAIN_TOO_LONG)
        return tern_fail(c, prc, "the server sent more than %d certificates", TERN_X509_MAX_PEER_CERTS);
    TERN_TRY(prc);
    const uint8_t *const *certs = list.cert;
    const size_t *lens = list.len;
    size_t n = list.n;
    tern_trace_certificates(c, certs, lens, n);
    /* RFC 5246 §7.4.2 gives a server no way to send no certificate here;
     * RFC 8446 §4.4.2.4 names the alert for the same structure: decode_error. */
    if (n == 0)
        return tern_fail(c, TERN_ERR_DECODE, "the server sent an empty certificate list");

    tern_x509_cert leaf;
    if (tern_x509_parse(&leaf, certs[0], lens[0]) < 0)
        return tern_fail(c, TERN_ERR_CERT_BAD, "the server's certificate does not parse");
    tern_x509_name_display(leaf.subject, c->peer_subject, TERN_PEER_STR);

    tern_x509_key key;
    if (cfg->skip_verify) {
        tern_trace_chain(c, certs, lens, n, NULL, 1);
        /* Verification switched off (loudly, by the application): the leaf's
         * key is still needed to check the ServerKeyExchange signature. */
        if (tern_x509_key_load(&leaf, &key) < 0)
            return tern_fail(c, TERN_ERR_CERT_UNSUPPORTED, "the server certificate's key cannot be used");
        TERN_TRY(tern_hs_certificate_status_keep(c, certs, lens, n, &leaf, NULL)); /* must-staple only */
    } else {
        tern_x509_result res;
        tern_x509_params params;
        const char *name = c->server_name;
        tern_config_x509_params(cfg, TERN_X509_PURPOSE_SERVER, now(c), &name, &params);
        int rc = tern_x509_verify(&cfg->trust, certs, lens, n, &params, &res);
        tern_trace_chain(c, certs, lens, n, &res, rc);
        if (rc < 0) {
            c->peer_subject[0] = '\0';
            return tern_fail(c, rc, "%s", res.msg[0] ? res.msg : tern_strerror(rc));
        }
        key = res.leaf_key;
        /* OCSP stapling (lib/hs_certificate_status.c): the leaf and its
         * issuer are kept for the response's check.  This moves bytes of
         * this message: from here on only copies (key) and leaf's
         * integer fields are used, not its spans. */
        TERN_TRY(tern_hs_certificate_status_keep(c, certs, lens, n, &leaf, &res));
        tern_wipe(&res, sizeof res);
    }
    if (c->suite->kx == TERN_KX_ECDHE_ECDSA) {
        /* RFC 8422 §5.3: the certificate holds an ECDSA-capable key on a
         * curve we can check (P-256, P-384: lib/sig.c), whose keyUsage, if
         * present, allows digitalSignature. */
        if (key.type != TERN_X509_KEY_EC ||
            (key.curve != TERN_X509_CURVE_P256 && key.curve != TERN_X509_CURVE_P384) ||
            key.ec_point_len > sizeof h->peer_ec)
            return tern_fail(c, TERN_ERR_CERT_UNSUPPORTED,
                             "the server certificate has no P-256 or P-384 key, which an ECDHE_ECDSA suite needs");
        if (leaf.has_key_usage && !(leaf.key_usage & TERN_X509_KU_DIGITAL_SIGNATURE))
            return tern_fail(c, TERN_ERR_CERT_PURPOSE,
                             "the server certificate's keyUsage lacks digitalSignature, which ECDHE_ECDSA needs");
        memcpy(h->peer_ec, key.ec_point, key.ec_point_len);
        h->peer_curve = key.curve;
        h->peer_key_type = TERN_X509_KEY_EC;
        h->have_peer_key = 1;
        return 0;
    }
    if (key.type != TERN_X509_KEY_RSA)
        return tern_fail(c, TERN_ERR_CERT_UNSUPPORTED,
                         "the server certificate has no RSA key, which an ECDHE_RSA suite needs");
    h->peer_key_type = TERN_X509_KEY_RSA;
    /* RFC 5246 §7.4.2: with the RSA key exchange the key encrypts the
     * premaster, so a keyUsage extension must allow keyEncipherment. */
    if (c->suite->kx == TERN_KX_RSA && leaf.has_key_usage && !(leaf.key_usage & TERN_X509_KU_KEY_ENCIPHERMENT))
        return tern_fail(c, TERN_ERR_CERT_PURPOSE,
                         "the server certificate's keyUsage lacks keyEncipherment, which the RSA key exchange needs");
    /* RFC 8422 §5.3 / RFC 5246 §7.4.2: with ECDHE_RSA the key signs the
     * ServerKeyExchange, so a keyUsage extension must allow
     * digitalSignature. */
    if (c->suite->kx == TERN_KX_ECDHE_RSA && leaf.has_key_usage && !(leaf.key_usage & TERN_X509_KU_DIGITAL_SIGNATURE))
        return tern_fail(c, TERN_ERR_CERT_PURPOSE,
                         "the server certificate's keyUsage lacks digitalSignature, which ECDHE_RSA needs");
    h->peer_rsa = key.rsa;
    h->have_peer_key = 1;
    return 0;
}
