/*
 * CertificateStatus (RFC 6066 §8, handshake type 22): the server's stapled
 * OCSP response (RFC 6960), sent right after its Certificate when the
 * ServerHello answered the client's status_request.
 *
 *   struct {
 *       CertificateStatusType status_type;        -- ocsp (1), the only type
 *       select (status_type) {
 *           case ocsp: OCSPResponse;
 *       } response;
 *   } CertificateStatus;
 *   opaque OCSPResponse<1..2^24-1>;                -- DER, RFC 6960 §4.2.1
 *
 * Server: writes the response lib/hs_client_hello.c took from the
 * configuration for this handshake's identity (a reference, lib/staple.c).
 *
 * Client: the message is optional (RFC 6066 §8: a server "MAY also choose
 * not to send" it even after answering status_request), so its row in the
 * tables of lib/hs.c applies whenever we asked, and lib/hs.c calls
 * tern_hs_certificate_status_absent when another message comes in its
 * place.  What the client requires (tern.h, enum tern_ocsp_mode):
 *   - a response that does not parse (a status_type other than ocsp, an
 *     empty or trailing-byte vector): decode_error;
 *   - a CertificateStatus the ServerHello did not announce: unexpected_message
 *     (RFC 6066 §8: a server that sends it MUST have answered status_request);
 *   - a response that does not check out for the server's leaf (lib/x509/ocsp.c:
 *     not for it, outside its validity, not signed by the issuer or a
 *     delegated responder): bad_certificate_status_response (113), as
 *     RFC 6066 §8 says, in every mode;
 *   - "revoked": certificate_revoked, in every mode;
 *   - "unknown": accepted in SOFT mode (the verdict says so), refused in HARD
 *     mode or for a must-staple leaf, as is a missing response (below).
 *
 * The alert for a missing (or "unknown") response where one is required.
 * RFC 6066 names none: it lets servers skip the message.  RFC 7633 §4.2.3.1
 * says a client MUST treat a certificate whose TLS feature extension lists
 * a feature the server then does not provide "as an invalid certificate":
 * the certificate is unacceptable for a reason that is not in it (it is not
 * corrupt, its signatures verify), which is certificate_unknown by RFC 5246
 * §7.2.2 ("some other (unspecified) issue arose in processing the
 * certificate, rendering it unacceptable"), not bad_certificate.  The same
 * holds for HARD mode without must-staple: the certificate's revocation
 * status could not be established, which is what tern already answers with
 * certificate_unknown when a required CRL is missing
 * (TERN_ERR_CERT_REVOCATION_UNKNOWN).  bad_certificate_status_response is
 * kept for a response that was sent and is not satisfactory.
 *
 * The check needs the leaf and its issuer, which arrived in Certificate;
 * the handshake area (c->hs, where each incoming message is reassembled)
 * is reused by the next message, so the Certificate parse keeps the two at
 * the end of that area and shrinks it until this message has been read
 * (tern_hs_certificate_status_keep): no memory of its own, and the
 * CertificateStatus can still be hs_max less the two certificates long.  An
 * issuer that is a trust anchor is read from the trust store instead.
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include <stdio.h>

#include "lib/hs.h"
#include "lib/trace.h"
#include "lib/x509/ocsp.h"

int tern_hs_certificate_status_write(tern_conn *c, tern_writer *w) {
    TERN_ENSURE(c->staple != NULL, TERN_ERR_INTERNAL);
    size_t len;
    const uint8_t *der = tern_staple_der(c->staple, &len);
    tern_wr_vec v;
    TERN_TRY(tern_wr_u8(w, TERN_CERT_STATUS_OCSP));
    TERN_TRY(tern_wr_begin(w, &v, 3));
    TERN_TRY(tern_wr_bytes(w, der, len));
    TERN_TRY(tern_wr_end(w, &v));
    tern_trace_cert_status(c, 1, len);
    return 0;
}

/* The client requires a good response: HARD mode, or a must-staple leaf
 * (RFC 7633 §4.2.3.1) whenever we asked. */
static int required(const tern_conn *c) {
    return c->cfg->ocsp_mode == TERN_OCSP_HARD || c->hs_state->must_staple;
}

void tern_hs_certificate_status_release(tern_conn *c) {
    tern_hs_state *h = c->hs_state;
    if (h != NULL && h->ocsp_hs_cap != 0) {
        c->hs_cap = h->ocsp_hs_cap;
        h->ocsp_hs_cap = 0;
    }
}

int tern_hs_certificate_status_keep(tern_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n,
                                    const tern_x509_cert *leaf, const tern_x509_result *res) {
    tern_hs_state *h = c->hs_state;
    if (!h->ocsp_requested)
        return 0;
    h->must_staple = (uint8_t)(leaf->must_staple != 0);
    /* Without the ServerHello's answer no CertificateStatus may come;
     * without verification (res NULL) there is no path, so no issuer, and
     * the response is not checked. */
    if (!h->ocsp_agreed || res == NULL || n == 0)
        return 0;
    size_t issuer_len = 0;
    const uint8_t *issuer = NULL;
    h->ocsp_anchor = NULL;
    if (res->path_n >= 2 && res->path[1] < n) {
        issuer = certs[res->path[1]];
        issuer_len = lens[res->path[1]];
    } else if (res->anchor != NULL) {
        h->ocsp_anchor = &res->anchor->cert; /* in the trust store: outlives the handshake */
    } else {
        return tern_fail(c, TERN_ERR_INTERNAL, "a verified chain without an issuer for its leaf");
    }
    size_t total = lens[0] + issuer_len;
    /* Both lie inside the Certificate message, which fits the area; the
     * issuer is later in the list than the leaf, and both move towards the
     * end, so moving the issuer first (memmove: they may overlap where they
     * were) never overwrites the leaf before it moves. */
    TERN_ENSURE(total + TERN_HS_HDR < c->hs_cap, TERN_ERR_INTERNAL);
    uint8_t *end = c->hs + c->hs_cap;
    if (issuer_len > 0)
        memmove(end - issuer_len, issuer, issuer_len);
    memmove(end - total, certs[0], lens[0]);
    h->ocsp_leaf_len = lens[0];
    h->ocsp_issuer_len = issuer_len;
    h->ocsp_hs_cap = c->hs_cap;
    c->hs_cap -= total;
    return 0;
}

int tern_hs_certificate_status_absent(tern_conn *c) {
    tern_hs_state *h = c->hs_state;
    tern_hs_certificate_status_release(c);
    if (!h->ocsp_requested || c->cfg->skip_verify)
        return 0;
    if (!required(c)) {
        tern_trace_ocsp(c, TERN_STAPLE_NONE, 0, NULL,
                        h->ocsp_agreed ? "the server answered status_request but sent no CertificateStatus: "
                                         "accepted (soft mode; the RFC lets a server skip it)"
                                       : "the server does not staple an OCSP response: accepted (soft mode)");
        return 0;
    }
    c->ocsp_verdict = TERN_STAPLE_MISSING;
    const char *who = h->must_staple ? "its certificate requires one (RFC 7633 TLS feature status_request, "
                                       "\"must-staple\")"
                                     : "one is required (hard mode)";
    const char *what = h->ocsp_agreed ? "sent no CertificateStatus" : "did not answer status_request";
    char msg[300];
    snprintf(msg, sizeof msg, "the server %s, so there is no stapled OCSP response, and %s", what, who);
    tern_trace_ocsp(c, TERN_STAPLE_MISSING, TERN_ERR_CERT_REVOCATION_UNKNOWN, NULL, msg);
    /* certificate_unknown: the alert choice is explained at the top. */
    return tern_fail(c, TERN_ERR_CERT_REVOCATION_UNKNOWN, "%s", msg);
}

/* Keep the response's bytes for tern_ocsp_response, when asked to. */
static void keep_response(tern_conn *c, const uint8_t *der, size_t len) {
    if (c->ocsp_resp != NULL && len <= c->ocsp_resp_cap) {
        memcpy(c->ocsp_resp, der, len);
        c->ocsp_resp_len = (uint32_t)len;
    }
}

int tern_hs_certificate_status_parse(tern_conn *c, tern_reader *r) {
    tern_hs_state *h = c->hs_state;
    uint8_t type;
    tern_reader resp;
    TERN_TRY(tern_rd_u8(r, &type));
    /* The response's form depends on status_type; for any other than ocsp
     * (the only one RFC 6066 defines, the one we asked for) the message
     * cannot be framed: decode_error. */
    if (type != TERN_CERT_STATUS_OCSP)
        return tern_fail(c, TERN_ERR_DECODE, "CertificateStatus with status_type %u; only ocsp (1) is defined "
                         "(RFC 6066 §8)", type);
    TERN_TRY(tern_rd_vec24(r, &resp));
    TERN_TRY(tern_rd_end(r));
    size_t len = tern_rd_left(&resp);
    if (len == 0) /* OCSPResponse<1..2^24-1> */
        return tern_fail(c, TERN_ERR_DECODE, "CertificateStatus with an empty OCSPResponse");
    tern_trace_cert_status(c, 0, len);
    if (!h->ocsp_agreed)
        return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE,
                         "a CertificateStatus, but the ServerHello did not answer status_request (RFC 6066 §8)");
    keep_response(c, resp.p, len);
    if (c->cfg->skip_verify) {
        tern_hs_certificate_status_release(c);
        tern_trace_ocsp(c, TERN_STAPLE_NONE, 1, NULL,
                        "verification is switched off: the stapled OCSP response was NOT checked");
        return 0;
    }
    TERN_ENSURE(h->ocsp_hs_cap != 0, TERN_ERR_INTERNAL); /* tern_hs_certificate_status_keep ran */
    const uint8_t *kept = c->hs + c->hs_cap;
    tern_x509_cert leaf, issuer_cert;
    const tern_x509_cert *issuer = h->ocsp_anchor;
    TERN_ENSURE(tern_x509_parse(&leaf, kept, h->ocsp_leaf_len) == 0, TERN_ERR_INTERNAL); /* parsed before */
    if (h->ocsp_issuer_len > 0) {
        TERN_ENSURE(tern_x509_parse(&issuer_cert, kept + h->ocsp_leaf_len, h->ocsp_issuer_len) == 0,
                    TERN_ERR_INTERNAL);
        issuer = &issuer_cert;
    }
    TERN_ENSURE(issuer != NULL, TERN_ERR_INTERNAL);
    char msg[400];
    tern_ocsp_info info;
    memset(&info, 0, sizeof info);
    int rc = tern_ocsp_check(resp.p, len, &leaf, issuer, c->cfg->now(c->cfg->now_arg), &info, msg, sizeof msg);
    tern_hs_certificate_status_release(c); /* the certificates are no longer needed */
    if (rc == 0) {
        c->ocsp_verdict = TERN_STAPLE_GOOD;
        tern_trace_ocsp(c, TERN_STAPLE_GOOD, 0, &info, "");
        return 0;
    }
    if (rc == TERN_ERR_CERT_REVOCATION_UNKNOWN && !required(c)) {
        c->ocsp_verdict = TERN_STAPLE_UNKNOWN;
        tern_trace_ocsp(c, TERN_STAPLE_UNKNOWN, 0, &info, msg);
        return 0;
    }
    c->ocsp_verdict = rc == TERN_ERR_CERT_REVOKED ? TERN_STAPLE_REVOKED
                      : rc == TERN_ERR_CERT_REVOCATION_UNKNOWN ? TERN_STAPLE_UNKNOWN
                                                               : TERN_STAPLE_BAD;
    if (rc != TERN_ERR_CERT_REVOKED && rc != TERN_ERR_CERT_REVOCATION_UNKNOWN)
        rc = TERN_ERR_OCSP_BAD; /* every other refusal: bad_certificate_status_response */
    if (rc == TERN_ERR_CERT_REVOCATION_UNKNOWN) {
        size_t k = strlen(msg);
        snprintf(msg + k, sizeof msg - k, ", and %s", h->must_staple ? "the certificate requires a good one "
                                                                      "(RFC 7633 must-staple)"
                                                                    : "a good one is required (hard mode)");
    }
    tern_trace_ocsp(c, c->ocsp_verdict, rc, &info, msg);
    return tern_fail(c, rc, "%s", msg);
}
