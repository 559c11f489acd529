/*
 * CertificateRequest (RFC 5246 §7.4.4), written by a server that wants a
 * client certificate, parsed by the client:
 *
 *   enum { rsa_sign(1), ..., ecdsa_sign(64), (255) } ClientCertificateType;
 *   opaque DistinguishedName<1..2^16-1>;
 *   struct {
 *       ClientCertificateType certificate_types<1..2^8-1>;
 *       SignatureAndHashAlgorithm supported_signature_algorithms<2..2^16-2>;
 *       DistinguishedName certificate_authorities<0..2^16-1>;
 *   } CertificateRequest;
 *
 * Certificate types: rsa_sign and ecdsa_sign (RFC 8422 §5.5; ECDSA keys on
 * P-256 or P-384, both for the client's own key and for the keys the
 * server checks).
 *
 * Signature algorithms.  CertificateVerify (§7.4.8) signs the handshake
 * messages with the hash of the chosen scheme.  The server lists every
 * scheme tern handles (lib/sig.c: ECDSA with SHA-256 / SHA-384, RSA-PSS
 * and PKCS#1 v1.5 with SHA-256 / -384 / -512) whatever the suite's PRF
 * hash: the transcript is kept under SHA-256, SHA-384 and SHA-512 until
 * the CertificateVerify is checked (lib/hs.c, tern_hs_transcript).  The
 * client picks the first scheme of tern's order that the server listed
 * and that fits its key (SHA-256 first), and keeps only that hash beside
 * the PRF's.
 *
 * CA names.  The server lists the subjects of its trust store's CAs so the
 * client can choose a certificate, bounded by cfg->ca_names_max: when they
 * would take more, it sends none (the empty list means any CA is fine)
 * instead of a partial list that would turn away clients of the CAs left
 * out.  A client answers with the first identity (lib/identity.c) whose key
 * type the server accepts, for which a usable scheme is listed, and of
 * which either no CA is named or a named CA issued a certificate of its
 * chain; otherwise it sends an empty Certificate
 * (lib/hs_client_certificate.c).
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/hs.h"
#include "lib/names.h"
#include "lib/sig.h"
#include "lib/trace.h"

#define CERT_TYPE_RSA_SIGN TERN_CERT_TYPE_RSA_SIGN     /* lib/names.h */
#define CERT_TYPE_ECDSA_SIGN TERN_CERT_TYPE_ECDSA_SIGN

/* A scheme usable for CertificateVerify with a key of this type
 * (TERN_X509_KEY_RSA / _EC).  Our order is tern_sigalgs_offer's
 * (lib/sig.c). */
static int cv_scheme_ok(uint16_t scheme, tern_x509_key_type key_type) {
    return tern_sig_offered(scheme) && tern_sig_fits_key(scheme, key_type, NULL);
}

int tern_hs_certificate_request_write(tern_conn *c, tern_writer *w) {
    const tern_config *cfg = c->cfg;
    tern_wr_vec v;
    TERN_TRY(tern_wr_u8(w, 2));
    TERN_TRY(tern_wr_u8(w, CERT_TYPE_RSA_SIGN));
    TERN_TRY(tern_wr_u8(w, CERT_TYPE_ECDSA_SIGN));
    TERN_TRY(tern_wr_begin(w, &v, 2));
    for (size_t i = 0; i < TERN_ARRAY_LEN(tern_sigalgs_offer); i++)
        TERN_TRY(tern_wr_u16(w, tern_sigalgs_offer[i]));
    TERN_TRY(tern_wr_end(w, &v));

    /* The names only if all of them fit the budget (and leave the
     * handshake buffer room for the rest of the flight). */
    size_t total = 0;
    for (size_t i = 0; i < cfg->trust.n; i++)
        total += 2 + cfg->trust.anchors[i].cert.subject.len;
    int send_names = total > 0 && total <= cfg->ca_names_max && total + 1024 <= c->hs_cap;
    TERN_TRY(tern_wr_begin(w, &v, 2));
    for (size_t i = 0; send_names && i < cfg->trust.n; i++) {
        tern_span name = cfg->trust.anchors[i].cert.subject;
        TERN_TRY(tern_wr_u16(w, (uint16_t)name.len));
        TERN_TRY(tern_wr_bytes(w, name.p, name.len));
    }
    TERN_TRY(tern_wr_end(w, &v));
    c->hs_state->cert_requested = 1;
    tern_trace_cert_request(c, 1, send_names, NULL, NULL, NULL);
    return 0;
}

/* Did a CA named `dn` issue one of our key store's certificates?  Names
 * are compared as path validation compares them (RFC 5280 §7.1), so a CA
 * name the server spells in other letter case or string type still fits. */
static int keystore_issued_by(const tern_keystore *ks, const uint8_t *dn, size_t len) {
    for (size_t i = 0; i < ks->n; i++) {
        tern_x509_cert cert;
        if (tern_x509_parse(&cert, ks->chain[i], ks->chain_len[i]) < 0)
            continue;
        tern_span want = {dn, len};
        if (tern_x509_name_eq(cert.issuer, want))
            return 1;
    }
    return 0;
}

int tern_hs_certificate_request_parse(tern_conn *c, tern_reader *r) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    tern_reader types, algs, cas;
    TERN_TRY(tern_rd_vec8(r, &types));
    TERN_TRY(tern_rd_vec16(r, &algs));
    TERN_TRY(tern_rd_vec16(r, &cas));
    TERN_TRY(tern_rd_end(r));
    TERN_ENSURE(tern_rd_left(&types) >= 1, TERN_ERR_DECODE);
    TERN_ENSURE(tern_rd_left(&algs) >= 2 && tern_rd_left(&algs) % 2 == 0, TERN_ERR_DECODE);
    const tern_reader types_read = types; /* for the trace, below */

    int rsa_ok = 0, ecdsa_ok = 0;
    while (tern_rd_left(&types) > 0) {
        uint8_t t;
        TERN_TRY(tern_rd_u8(&types, &t));
        rsa_ok |= t == CERT_TYPE_RSA_SIGN;
        ecdsa_ok |= t == CERT_TYPE_ECDSA_SIGN;
    }
    /* Our preferred scheme among those the server lists, for each key type. */
    uint16_t scheme_rsa = 0, scheme_ec = 0;
    for (size_t i = 0; i < TERN_ARRAY_LEN(tern_sigalgs_offer); i++) {
        uint16_t want = tern_sigalgs_offer[i];
        tern_reader scan = algs;
        while (tern_rd_left(&scan) > 0) {
            uint16_t s;
            TERN_TRY(tern_rd_u16(&scan, &s));
            if (s != want)
                continue;
            if (scheme_rsa == 0 && rsa_ok && cv_scheme_ok(s, TERN_X509_KEY_RSA))
                scheme_rsa = s;
            if (scheme_ec == 0 && ecdsa_ok && cv_scheme_ok(s, TERN_X509_KEY_EC))
                scheme_ec = s;
        }
    }
    h->cv_scheme = 0;
    /* Every name is read (and must be well framed) first. */
    int any_name = 0;
    tern_reader scan = cas;
    while (tern_rd_left(&scan) > 0) {
        tern_reader dn;
        TERN_TRY(tern_rd_vec16(&scan, &dn));
        TERN_ENSURE(tern_rd_left(&dn) > 0, TERN_ERR_DECODE);
        any_name = 1;
    }
    /* The first identity with a usable scheme for its key that a named CA
     * issued (any, when no CA is named). */
    c->keys = NULL;
    const tern_keystore *ks;
    for (size_t i = 0; (ks = tern_identity_at(cfg, i)) != NULL && c->keys == NULL; i++) {
        uint16_t scheme = ks->key_type == TERN_X509_KEY_RSA ? scheme_rsa
                          : ks->key_type == TERN_X509_KEY_EC  ? scheme_ec /* P-256 or P-384 */
                                                              : 0;
        if (scheme == 0)
            continue;
        int match = !any_name;
        scan = cas;
        while (tern_rd_left(&scan) > 0 && !match) {
            tern_reader dn;
            TERN_TRY(tern_rd_vec16(&scan, &dn));
            match = keystore_issued_by(ks, dn.p, tern_rd_left(&dn));
        }
        if (match) {
            c->keys = ks;
            h->cv_scheme = scheme;
        }
    }
    h->cert_requested = 1;
    h->client_may_send = c->keys != NULL;
    tern_trace_cert_request(c, 0, 0, &types_read, &algs, &cas);
    return 0;
}
