/*
 * ServerHello (RFC 5246 §7.4.1.3), written by the server, parsed by the
 * client:
 *
 *   struct {
 *       ProtocolVersion server_version;            -- 0x0303
 *       Random random;
 *       SessionID session_id;                      -- <0..32>
 *       CipherSuite cipher_suite;
 *       CompressionMethod compression_method;      -- null (0)
 *       select (extensions_present) {
 *           case false: struct {};
 *           case true:  Extension extensions<0..2^16-1>;
 *       };
 *   } ServerHello;
 *
 * RFC 5246 §7.4.1.4: the server sends only extensions the client offered;
 * a client receiving any other one aborts with unsupported_extension.
 * Alerts (RFC 8446 §6.2, RFC 5246 §7.2.2): decode_error for what does not
 * parse (a vector past its container, trailing bytes, an empty list or
 * name where one entry is the minimum, a 33-byte session_id),
 * illegal_parameter for a well-formed choice we did not offer (suite,
 * compression, ALPN name), protocol_version for a version other than TLS
 * 1.2.  The records carrying it may have any {03,XX} version (lib/record.c);
 * its server_version field is what counts.
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/hs.h"
#include "lib/names.h"
#include "lib/trace.h"

int tern_hs_server_hello_write(tern_conn *c, tern_writer *w) {
    tern_hs_state *h = c->hs_state;
    TERN_TRY(tern_conn_random(c, h->server_random, TERN_RANDOM_LEN));
    tern_wr_vec e, x, y;
    TERN_TRY(tern_wr_u16(w, TERN_TLS12));
    TERN_TRY(tern_wr_bytes(w, h->server_random, TERN_RANDOM_LEN));
    TERN_TRY(tern_sess_server_hello_sid(c, w)); /* new, echoed (resumed) or empty: lib/session.c */
    TERN_TRY(tern_wr_u16(w, c->suite->id));
    TERN_TRY(tern_wr_u8(w, 0));
    TERN_TRY(tern_wr_begin(w, &e, 2));
    if (h->peer_offered_reneg) {
        TERN_TRY(tern_wr_u16(w, TERN_EXT_RENEGOTIATION_INFO));
        TERN_TRY(tern_wr_u16(w, 1));
        TERN_TRY(tern_wr_u8(w, 0));
    }
    if (c->ems) {
        TERN_TRY(tern_wr_u16(w, TERN_EXT_EXTENDED_MASTER_SECRET));
        TERN_TRY(tern_wr_u16(w, 0));
    }
    if (h->saw_point_formats && tern_suite_is_ecdhe(c->suite)) {
        TERN_TRY(tern_wr_u16(w, TERN_EXT_EC_POINT_FORMATS));
        TERN_TRY(tern_wr_u16(w, 2));
        TERN_TRY(tern_wr_u8(w, 1));
        TERN_TRY(tern_wr_u8(w, 0));
    }
    if (c->alpn != NULL && c->alpn[0] != '\0') {
        size_t n = strlen(c->alpn);
        TERN_TRY(tern_wr_u16(w, TERN_EXT_ALPN));
        TERN_TRY(tern_wr_begin(w, &x, 2));
        TERN_TRY(tern_wr_begin(w, &y, 2));
        TERN_TRY(tern_wr_u8(w, (uint8_t)n));
        TERN_TRY(tern_wr_bytes(w, c->alpn, n));
        TERN_TRY(tern_wr_end(w, &y));
        TERN_TRY(tern_wr_end(w, &x));
    }
    TERN_TRY(tern_sess_server_hello_ext(c, w));
    if (c->staple != NULL) {
        /* RFC 6066 §8: a server that sends CertificateStatus answers
         * status_request with an empty extension (lib/hs_client_hello.c
         * took the response to staple). */
        TERN_TRY(tern_wr_u16(w, TERN_EXT_STATUS_REQUEST));
        TERN_TRY(tern_wr_u16(w, 0));
    }
    TERN_TRY(tern_wr_end(w, &e));
    tern_trace_hello(c, 1, h->sess.id_len); /* with the server's choices (suite, group, scheme, identity) */
    return 0;
}

TERN_MUST_CHECK static int server_ext(tern_conn *c, uint16_t type, tern_reader *body) {
    tern_hs_state *h = c->hs_state;
    tern_trace_extension(c, type);
    switch (type) {
    case TERN_EXT_SERVER_NAME:
        /* RFC 6066 §3: the server acknowledges SNI with an empty extension. */
        if (!h->offered_sni)
            break;
        return tern_rd_end(body);
    case TERN_EXT_STATUS_REQUEST:
        /* RFC 6066 §8: the answer to our status_request is empty, and says a
         * CertificateStatus will follow the Certificate. */
        if (!h->ocsp_requested)
            break;
        if (tern_rd_left(body) != 0)
            return tern_fail(c, TERN_ERR_DECODE, "the server's status_request extension is not empty (RFC 6066 §8)");
        h->ocsp_agreed = 1;
        return 0;
    case TERN_EXT_EC_POINT_FORMATS: {
        tern_reader list;
        TERN_TRY(tern_rd_vec8(body, &list));
        TERN_TRY(tern_rd_end(body));
        /* ECPointFormat ec_point_format_list<1..2^8-1> */
        if (tern_rd_left(&list) == 0)
            return tern_fail(c, TERN_ERR_DECODE, "the server's ec_point_formats list is empty");
        int uncompressed = 0;
        while (tern_rd_left(&list) > 0) {
            uint8_t f;
            TERN_TRY(tern_rd_u8(&list, &f));
            uncompressed |= f == 0;
        }
        if (!uncompressed)
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "the server's ec_point_formats lacks uncompressed");
        return 0;
    }
    case TERN_EXT_EXTENDED_MASTER_SECRET:
        if (c->cfg->no_ems)
            break; /* not offered: RFC 7627 §5.2 lets the server echo it only */
        TERN_TRY(tern_rd_end(body));
        h->peer_offered_ems = 1;
        return 0;
    case TERN_EXT_SESSION_TICKET:
        return tern_sess_server_ext_ticket(c, body); /* lib/session.c */
    case TERN_EXT_RENEGOTIATION_INFO: {
        tern_reader rc;
        TERN_TRY(tern_rd_vec8(body, &rc));
        TERN_TRY(tern_rd_end(body));
        if (tern_rd_left(&rc) != 0)
            return tern_fail(c, TERN_ERR_INSECURE_RENEG, "the server's renegotiation_info is not empty");
        h->peer_offered_reneg = 1;
        return 0;
    }
    case TERN_EXT_ALPN: {
        if (!h->offered_alpn)
            break;
        tern_reader list, name;
        TERN_TRY(tern_rd_vec16(body, &list));
        TERN_TRY(tern_rd_end(body));
        TERN_TRY(tern_rd_vec8(&list, &name));
        TERN_TRY(tern_rd_end(&list)); /* RFC 7301 §3.1: exactly one name */
        size_t n = tern_rd_left(&name);
        if (n == 0) /* ProtocolName <1..2^8-1> */
            return tern_fail(c, TERN_ERR_DECODE, "the server's ALPN protocol name is empty");
        const tern_config *cfg = c->cfg;
        for (size_t i = 0; i < cfg->alpn_len; i += 1 + cfg->alpn[i])
            if (cfg->alpn[i] == n && n > 0 && memcmp(cfg->alpn + i + 1, name.p, n) == 0) {
                TERN_ENSURE(n < c->alpn_cap, TERN_ERR_INTERNAL); /* see lib/hs_client_hello.c */
                memcpy(c->alpn, name.p, n);
                c->alpn[n] = '\0';
                return 0;
            }
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "the server chose an application protocol we did not offer");
    }
    default:
        break;
    }
    const char *name = tern_name_extension(type);
    return tern_fail(c, TERN_ERR_UNSUPPORTED_EXTENSION, "the server sent extension %u (%s), which we did not offer",
                     type, name != NULL ? name : "unknown");
}

int tern_hs_server_hello_parse(tern_conn *c, tern_reader *r) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    uint16_t version, suite;
    uint8_t comp;
    tern_reader sid;
    TERN_TRY(tern_rd_u16(r, &version));
    TERN_TRY(tern_rd_copy(r, h->server_random, TERN_RANDOM_LEN));
    TERN_TRY(tern_rd_vec8(r, &sid));
    TERN_ENSURE(tern_rd_left(&sid) <= 32, TERN_ERR_DECODE);
    TERN_TRY(tern_rd_u16(r, &suite));
    TERN_TRY(tern_rd_u8(r, &comp));
    tern_reader exts;
    tern_rd_init(&exts, NULL, 0);
    if (tern_rd_left(r) > 0) {
        TERN_TRY(tern_rd_vec16(r, &exts));
        TERN_TRY(tern_rd_end(r));
    }
    if (version != TERN_TLS12)
        return tern_fail(c, TERN_ERR_PROTOCOL_VERSION, "the server chose version 0x%04x; tern speaks only TLS 1.2",
                         version);
    const tern_suite *s = NULL;
    for (size_t i = 0; cfg->suites[i] != 0; i++)
        if (cfg->suites[i] == suite)
            s = tern_suite_by_id(suite);
    if (s == NULL)
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "the server chose cipher suite 0x%04x, which we did not offer",
                         suite);
    if (comp != 0)
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "the server chose compression method %u", comp);
    TERN_TRY(tern_ext_walk(c, &exts, server_ext));
    c->ems = h->peer_offered_ems;
    if (!c->ems && cfg->require_ems)
        return tern_fail(c, TERN_ERR_MISSING_EXTENSION,
                         "the server does not support the extended master secret (RFC 7627), which is required");
    c->suite = s;
    /* Did the server resume what we offered (same suite, same EMS)? */
    TERN_TRY(tern_sess_server_hello_check(c, &sid));
    tern_trace_hello(c, 0, tern_rd_left(&sid)); /* once resumption is decided */
    return 0;
}
