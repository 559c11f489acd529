/*
 * ClientHello (RFC 5246 §7.4.1.2), written by the client, parsed by the
 * server, with the extensions tern offers and understands:
 *
 *   struct {
 *       ProtocolVersion client_version;            -- 0x0303
 *       Random random;                             -- 32 bytes
 *       SessionID session_id;                      -- opaque <0..32>
 *       CipherSuite cipher_suites<2..2^16-2>;
 *       CompressionMethod compression_methods<1..2^8-1>;  -- must hold null (0)
 *       select (extensions_present) {
 *           case false: struct {};
 *           case true:  Extension extensions<0..2^16-1>;
 *       };
 *   } ClientHello;
 *
 * Extensions: server_name (RFC 6066 §3), supported_groups and
 * ec_point_formats (RFC 8422 §5.1), signature_algorithms (RFC 5246
 * §7.4.1.4.1), ALPN (RFC 7301 §3.1), extended_master_secret (RFC 7627 §5.1),
 * renegotiation_info (RFC 5746 §3.4), status_request (RFC 6066 §8, OCSP
 * stapling).  Unknown ones are ignored; a duplicate of any type is refused
 * (lib/ext.c).
 *
 * The server parses the ClientHello as a stream (below): a well-formed one
 * may be up to TERN_CH_MAX (131,396) bytes, far more than the handshake
 * area, so one longer than hs_max is fed here piece by piece as its records
 * arrive (lib/hs.c) and never kept whole.
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include <arpa/inet.h>
#include <stdio.h>

#include "lib/hs.h"
#include "lib/kx.h"
#include "lib/names.h"
#include "lib/negotiate.h"
#include "lib/sig.h"
#include "lib/trace.h"

/* An IP literal is verified against the certificate but never sent as SNI
 * (RFC 6066 §3: "Literal IPv4 and IPv6 addresses are not permitted"). */
static int is_ip_literal(const char *name) {
    uint8_t buf[16];
    return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

int tern_hs_client_hello_write(tern_conn *c, tern_writer *w) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    TERN_TRY(tern_conn_random(c, h->client_random, TERN_RANDOM_LEN));
    tern_wr_vec v, e, x, y;
    TERN_TRY(tern_wr_u16(w, TERN_TLS12));
    TERN_TRY(tern_wr_bytes(w, h->client_random, TERN_RANDOM_LEN));
    TERN_TRY(tern_sess_client_hello_sid(c, w)); /* the session offered, if any (lib/session.c) */
    TERN_TRY(tern_wr_begin(w, &v, 2));
    for (size_t i = 0; cfg->suites[i] != 0; i++)
        TERN_TRY(tern_wr_u16(w, cfg->suites[i]));
    TERN_TRY(tern_wr_end(w, &v));
    TERN_TRY(tern_wr_u8(w, 1)); /* compression_methods: null only */
    TERN_TRY(tern_wr_u8(w, 0));

    TERN_TRY(tern_wr_begin(w, &e, 2));
    if (c->server_name[0] != '\0' && !is_ip_literal(c->server_name)) {
        size_t n = strlen(c->server_name);
        TERN_TRY(tern_wr_u16(w, TERN_EXT_SERVER_NAME));
        TERN_TRY(tern_wr_begin(w, &x, 2));
        TERN_TRY(tern_wr_begin(w, &y, 2)); /* ServerNameList */
        TERN_TRY(tern_wr_u8(w, 0));        /* name_type host_name */
        TERN_TRY(tern_wr_u16(w, (uint16_t)n));
        TERN_TRY(tern_wr_bytes(w, c->server_name, n));
        TERN_TRY(tern_wr_end(w, &y));
        TERN_TRY(tern_wr_end(w, &x));
        h->offered_sni = 1;
    }
    /* supported_groups: x25519, secp256r1, secp384r1, as configured (lib/kx.c) */
    TERN_TRY(tern_wr_u16(w, TERN_EXT_SUPPORTED_GROUPS));
    TERN_TRY(tern_wr_begin(w, &x, 2));
    TERN_TRY(tern_wr_begin(w, &y, 2));
    for (const uint16_t *g = tern_kx_groups(cfg); *g != 0; g++)
        TERN_TRY(tern_wr_u16(w, *g));
    TERN_TRY(tern_wr_end(w, &y));
    TERN_TRY(tern_wr_end(w, &x));
    /* ec_point_formats: uncompressed (RFC 8422 §5.1.2) */
    TERN_TRY(tern_wr_u16(w, TERN_EXT_EC_POINT_FORMATS));
    TERN_TRY(tern_wr_u16(w, 2));
    TERN_TRY(tern_wr_u8(w, 1));
    TERN_TRY(tern_wr_u8(w, 0));
    TERN_TRY(tern_wr_u16(w, TERN_EXT_SIGNATURE_ALGORITHMS));
    TERN_TRY(tern_wr_begin(w, &x, 2));
    TERN_TRY(tern_wr_begin(w, &y, 2));
    for (size_t i = 0; i < TERN_ARRAY_LEN(tern_sigalgs_offer); i++) /* ECDSA and RSA (lib/sig.c) */
        TERN_TRY(tern_wr_u16(w, tern_sigalgs_offer[i]));
    TERN_TRY(tern_wr_end(w, &y));
    TERN_TRY(tern_wr_end(w, &x));
    if (cfg->alpn_len > 0) {
        TERN_TRY(tern_wr_u16(w, TERN_EXT_ALPN));
        TERN_TRY(tern_wr_begin(w, &x, 2));
        TERN_TRY(tern_wr_begin(w, &y, 2));
        TERN_TRY(tern_wr_bytes(w, cfg->alpn, cfg->alpn_len));
        TERN_TRY(tern_wr_end(w, &y));
        TERN_TRY(tern_wr_end(w, &x));
        h->offered_alpn = 1;
    }
    if (!cfg->no_ems) {
        TERN_TRY(tern_wr_u16(w, TERN_EXT_EXTENDED_MASTER_SECRET));
        TERN_TRY(tern_wr_u16(w, 0));
    }
    /* renegotiation_info with an empty renegotiated_connection: this is an
     * initial handshake (RFC 5746 §3.4). */
    TERN_TRY(tern_wr_u16(w, TERN_EXT_RENEGOTIATION_INFO));
    TERN_TRY(tern_wr_u16(w, 1));
    TERN_TRY(tern_wr_u8(w, 0));
    TERN_TRY(tern_sess_client_hello_ext(c, w)); /* SessionTicket (RFC 5077 §3.2) */
    if (cfg->ocsp_mode != TERN_OCSP_OFF) {
        /* RFC 6066 §8 CertificateStatusRequest: status_type ocsp, an empty
         * responder_id_list (the server's responders are known to it) and
         * no request_extensions (no nonce: a stapled response is made
         * before our hello, so it could not echo one). */
        TERN_TRY(tern_wr_u16(w, TERN_EXT_STATUS_REQUEST));
        TERN_TRY(tern_wr_u16(w, 5));
        TERN_TRY(tern_wr_u8(w, TERN_CERT_STATUS_OCSP));
        TERN_TRY(tern_wr_u16(w, 0));
        TERN_TRY(tern_wr_u16(w, 0));
        h->ocsp_requested = 1;
    }
    TERN_TRY(tern_wr_end(w, &e));
    tern_trace_hello(c, 1, h->sess.sent_id_len);
    return 0;
}

/* ---- server side: the ClientHello as a stream ----
 *
 * The parser is a small state machine over the body: each state names the
 * next item (a fixed field, a length, one list entry, a name), `need` its
 * size.  An item that lies whole in the piece being fed is read in place;
 * one split between pieces is gathered in the handshake area (the output
 * buffer, idle while we wait for the hello), which it always fits: the
 * longest item gathered is a session ticket of TERN_TICKET_MAX bytes,
 * anything else is at most 256.  Long lists (cipher suites, groups,
 * signature schemes, ALPN and SNI entries) go entry by entry, and what tern
 * cannot use is skipped, so a hello of any legal size (TERN_CH_MAX) costs
 * no more memory than a small one.  Every length is checked against the
 * end of the vector around it before anything inside is read: a vector
 * that runs past its container, a message shorter than its length or
 * bytes after the last field are decode_error; illegal_parameter is kept
 * for well-formed fields with a forbidden value (RFC 8446 §6.2, RFC 5246
 * §7.2.2). */
/* tern_ch_stream.offered has a bit per configured suite. */
_Static_assert(TERN_SUITE_MAX <= 16, "a bit per configured suite in tern_ch_stream.offered");

enum {
    CH_FIXED,      /* client_version, random, session_id length (35) */
    CH_SID,        /* session_id */
    CH_SUITES_LEN, /* cipher_suites length (2) */
    CH_SUITE,      /* one cipher suite (2) */
    CH_COMP_LEN,   /* compression_methods length (1) */
    CH_COMP,       /* one compression method (1) */
    CH_EXTS_LEN,   /* extensions length (2) */
    CH_EXT_HDR,    /* extension type and length (4) */
    CH_LIST16,     /* a list's 2-byte length inside an extension */
    CH_LIST8,      /* ec_point_formats' 1-byte length */
    CH_U16,        /* one group or signature scheme (2) */
    CH_U8,         /* one point format (1) */
    CH_SNI_ENTRY,  /* name_type and the name's length (3) */
    CH_SNI_NAME,   /* a host_name */
    CH_ALPN_LEN,   /* a protocol name's length (1) */
    CH_ALPN_NAME,  /* a protocol name */
    CH_EXT_WHOLE,  /* a short extension body read whole (ticket, renegotiation_info) */
    CH_SR_TYPE,    /* status_request: status_type (1) */
    CH_SR_IDS_LEN, /* status_request: responder_id_list length (2) */
    CH_SR_ID_LEN,  /* status_request: one ResponderID's length (2), the ID then skipped */
    CH_SR_EXTS_LEN, /* status_request: request_extensions length (2), then skipped */
    CH_SKIP,       /* bytes tern has no use for, up to skip_end */
    CH_DONE
};

/* The scratch area for items split between pieces: the handshake area
 * after the message header (the header stays for the trace). */
static uint8_t *scratch(const tern_conn *c, size_t *cap) {
    *cap = c->hs_cap - TERN_HS_HDR;
    return c->hs + TERN_HS_HDR;
}

/* Next item: `need` bytes, which must end by `limit` (the end of the
 * vector around it). */
TERN_MUST_CHECK static int want(tern_conn *c, uint8_t state, size_t need, uint32_t limit, const char *what) {
    tern_ch_stream *s = &c->hs_state->ch;
    if (need > limit - s->pos)
        return tern_fail(c, TERN_ERR_DECODE, "ClientHello: the %s (%zu bytes) runs past the end of its %s", what,
                         need, limit == s->end ? "message" : "vector");
    s->state = state;
    s->need = (uint32_t)need;
    s->have = 0;
    return 0;
}

TERN_MUST_CHECK static int skip_to(tern_conn *c, uint32_t end, uint8_t then) {
    tern_ch_stream *s = &c->hs_state->ch;
    s->state = CH_SKIP;
    s->skip_end = end;
    s->skip_then = then;
    return 0;
}

/* After an extension: the next one, or the end of the message. */
TERN_MUST_CHECK static int next_ext(tern_conn *c) {
    tern_ch_stream *s = &c->hs_state->ch;
    if (s->pos == s->exts_end) {
        s->state = CH_DONE;
        return 0;
    }
    return want(c, CH_EXT_HDR, 4, s->exts_end, "extension header");
}

TERN_MUST_CHECK static int ext_start(tern_conn *c, uint16_t type, uint32_t len) {
    tern_hs_state *h = c->hs_state;
    tern_ch_stream *s = &h->ch;
    s->ext_type = type;
    s->ext_end = s->pos + len;
    switch (type) {
    case TERN_EXT_SERVER_NAME:
    case TERN_EXT_SUPPORTED_GROUPS:
    case TERN_EXT_SIGNATURE_ALGORITHMS:
    case TERN_EXT_ALPN:
        return want(c, CH_LIST16, 2, s->ext_end, "extension's list length");
    case TERN_EXT_EC_POINT_FORMATS:
        return want(c, CH_LIST8, 1, s->ext_end, "ec_point_formats length");
    case TERN_EXT_SESSION_TICKET:
        if (len <= TERN_TICKET_MAX)
            return want(c, CH_EXT_WHOLE, len, s->ext_end, "SessionTicket");
        /* Longer than any ticket tern issues: not ours, so not used for
         * resumption (RFC 5077 §3.4 lets the server ignore it), but the
         * client still takes tickets.  The bytes are skipped. */
        tern_reader none;
        tern_rd_init(&none, NULL, 0);
        TERN_TRY(tern_sess_client_ext_ticket(c, &none));
        return skip_to(c, s->ext_end, CH_EXT_HDR);
    case TERN_EXT_EXTENDED_MASTER_SECRET:
        if (len != 0) /* RFC 7627 §5.1: extension_data is empty */
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: extended_master_secret with %u bytes of data", len);
        h->peer_offered_ems = !c->cfg->no_ems;
        return next_ext(c);
    case TERN_EXT_STATUS_REQUEST:
        /* RFC 6066 §8: CertificateStatusRequest, read item by item (its
         * lists may be long; what they name is skipped). */
        return want(c, CH_SR_TYPE, 1, s->ext_end, "status_request status_type");
    case TERN_EXT_RENEGOTIATION_INFO:
        /* opaque renegotiated_connection<0..255>: at most 256 bytes */
        if (len == 0 || len > 256)
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: renegotiation_info of %u bytes", len);
        return want(c, CH_EXT_WHOLE, len, s->ext_end, "renegotiation_info");
    default:
        return skip_to(c, s->ext_end, CH_EXT_HDR); /* unknown: ignored (RFC 5246 §7.4.1.4) */
    }
}

/* A list inside an extension: its length must be the rest of the body. */
TERN_MUST_CHECK static int list_start(tern_conn *c, uint32_t len) {
    tern_ch_stream *s = &c->hs_state->ch;
    /* One of the five listed extensions (ext_start): the table knows each. */
    const char *name = tern_name_extension(s->ext_type);
    if (name == NULL)
        name = "extension"; /* (cannot happen; keeps %s fed) */
    if (s->pos + len != s->ext_end)
        return tern_fail(c, TERN_ERR_DECODE, "ClientHello: the %s list of %u bytes does not fill its extension (%u)",
                         name, len, s->ext_end - s->pos);
    /* Every one of these lists has at least one entry (RFC 6066 §3, RFC
     * 8422 §5.1, RFC 5246 §7.4.1.4.1, RFC 7301 §3.1). */
    if (len == 0)
        return tern_fail(c, TERN_ERR_DECODE, "ClientHello: empty %s list", name);
    s->list_end = s->pos + len;
    switch (s->ext_type) {
    case TERN_EXT_SUPPORTED_GROUPS:
    case TERN_EXT_SIGNATURE_ALGORITHMS:
        if (len % 2 != 0)
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: %s list of odd length %u", name, len);
        if (s->ext_type == TERN_EXT_SUPPORTED_GROUPS)
            c->hs_state->saw_groups = 1;
        else
            c->hs_state->saw_sigalgs = 1;
        return want(c, CH_U16, 2, s->list_end, name);
    case TERN_EXT_EC_POINT_FORMATS:
        return want(c, CH_U8, 1, s->list_end, name);
    case TERN_EXT_SERVER_NAME:
        return want(c, CH_SNI_ENTRY, 3, s->list_end, "server_name entry");
    default:
        c->hs_state->offered_alpn = 1;
        return want(c, CH_ALPN_LEN, 1, s->list_end, "protocol name length");
    }
}

/* One group or signature scheme. */
static void list_u16(tern_conn *c, uint16_t v) {
    tern_hs_state *h = c->hs_state;
    if (h->ch.ext_type == TERN_EXT_SUPPORTED_GROUPS) {
        if (v == TERN_GROUP_X25519)
            h->peer_offered_x25519 = 1;
        if (v == TERN_GROUP_SECP256R1)
            h->peer_offered_p256 = 1;
        if (v == TERN_GROUP_SECP384R1)
            h->peer_offered_p384 = 1;
        return;
    }
    /* Keep the schemes tern can use, each once: a list of thousands that
     * repeats one scheme does not crowd out the others. */
    tern_hash_alg hash;
    if (tern_sigalg_info(v, &hash) < 0 && !tern_sig_is_ecdsa(v, &hash))
        return;
    for (size_t i = 0; i < h->npeer_sigalgs; i++)
        if (h->peer_sigalgs[i] == v)
            return;
    if (h->npeer_sigalgs < TERN_MAX_SIGALGS)
        h->peer_sigalgs[h->npeer_sigalgs++] = v;
}

TERN_MUST_CHECK static int sni_name(tern_conn *c, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (p[i] <= 0x20 || p[i] >= 0x7f)
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "ClientHello: server_name host name is not printable ASCII");
    memcpy(c->server_name, p, n);
    c->server_name[n] = '\0';
    return 0;
}

/* The client's ALPN list is read: the protocol chosen (lib/negotiate.c)
 * goes into c->alpn. */
TERN_MUST_CHECK static int alpn_done(tern_conn *c) {
    tern_ch_stream *s = &c->hs_state->ch;
    const uint8_t *name;
    size_t ln;
    const char *why = NULL;
    int rc = tern_negotiate_alpn(c->cfg, s->alpn_match, s->alpn_best, &name, &ln, &why);
    if (rc < 0)
        return tern_fail(c, rc, "%s", why);
    if (ln == 0)
        return 0;
    /* Room for the configuration's longest name was made when the
     * connection was; a list changed since may not fit. */
    TERN_ENSURE(ln < c->alpn_cap, TERN_ERR_INTERNAL);
    memcpy(c->alpn, name, ln);
    c->alpn[ln] = '\0';
    return 0;
}

/* A complete item of s->need bytes at p. */
TERN_MUST_CHECK static int ch_item(tern_conn *c, const uint8_t *p) {
    tern_hs_state *h = c->hs_state;
    tern_ch_stream *s = &h->ch;
    const tern_config *cfg = c->cfg;
    switch (s->state) {
    case CH_FIXED:
        s->version = tern_load_be16(p);
        memcpy(h->client_random, p + 2, TERN_RANDOM_LEN);
        s->sid_len = p[34];
        if (s->sid_len > TERN_SESSION_ID_MAX)
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: session_id of %u bytes (at most 32)", s->sid_len);
        return want(c, CH_SID, s->sid_len, s->end, "session_id");
    case CH_SID:
        if (s->sid_len > 0)
            memcpy(s->sid, p, s->sid_len);
        return want(c, CH_SUITES_LEN, 2, s->end, "cipher_suites length");
    case CH_SUITES_LEN: {
        uint32_t len = tern_load_be16(p);
        /* CipherSuite cipher_suites<2..2^16-2> */
        if (len < 2 || len % 2 != 0)
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: cipher_suites of %u bytes", len);
        if (len > s->end - s->pos)
            return tern_fail(c, TERN_ERR_DECODE,
                             "ClientHello: the cipher_suites (%u bytes) run past the end of the message", len);
        s->suites_end = s->pos + len;
        return want(c, CH_SUITE, 2, s->suites_end, "cipher_suites");
    }
    case CH_SUITE: {
        uint16_t id = tern_load_be16(p);
        if (id == TERN_SCSV_RENEGOTIATION)
            h->peer_offered_reneg = 1; /* RFC 5746 §3.3 */
        for (size_t i = 0; cfg->suites[i] != 0; i++)
            if (cfg->suites[i] == id)
                s->offered |= (uint16_t)(1u << i);
        if (s->pos < s->suites_end)
            return want(c, CH_SUITE, 2, s->suites_end, "cipher_suites");
        return want(c, CH_COMP_LEN, 1, s->end, "compression_methods length");
    }
    case CH_COMP_LEN:
        /* CompressionMethod compression_methods<1..2^8-1> */
        if (p[0] == 0)
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: empty compression_methods");
        s->comp_end = s->pos + p[0];
        if (s->comp_end > s->end)
            return tern_fail(c, TERN_ERR_DECODE,
                             "ClientHello: the compression_methods (%u bytes) run past the end of the message", p[0]);
        return want(c, CH_COMP, 1, s->comp_end, "compression_methods");
    case CH_COMP:
        s->null_comp |= p[0] == 0;
        if (s->pos < s->comp_end)
            return want(c, CH_COMP, 1, s->comp_end, "compression_methods");
        /* RFC 5246 Appendix E.1: a higher client_version means "the highest
         * you can do"; anything below TLS 1.2 is refused, before the
         * extensions (whose checks, e.g. ALPN, would otherwise answer with
         * another alert). */
        if (s->version < TERN_TLS12)
            return tern_fail(c, TERN_ERR_PROTOCOL_VERSION,
                             "the client offers version 0x%04x; tern speaks only TLS 1.2", s->version);
        if (s->pos == s->end) { /* no extensions */
            s->state = CH_DONE;
            return 0;
        }
        return want(c, CH_EXTS_LEN, 2, s->end, "extensions length");
    case CH_EXTS_LEN: {
        uint32_t len = tern_load_be16(p);
        if (s->pos + len != s->end)
            return tern_fail(c, TERN_ERR_DECODE,
                             "ClientHello: an extensions block of %u bytes where the message has %u left", len,
                             s->end - s->pos);
        s->exts_end = s->end;
        return next_ext(c);
    }
    case CH_EXT_HDR: {
        uint16_t type = tern_load_be16(p);
        uint32_t len = tern_load_be16(p + 2);
        if (len > s->exts_end - s->pos)
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: extension %u (%u bytes) runs past the extensions block",
                             type, len);
        if (tern_ext_seen((uint8_t *)h - TERN_EXT_BITMAP, type))
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "extension %u appears twice in the hello", type);
        return ext_start(c, type, len);
    }
    case CH_LIST16:
        return list_start(c, tern_load_be16(p));
    case CH_LIST8:
        return list_start(c, p[0]);
    case CH_U16:
        list_u16(c, tern_load_be16(p));
        if (s->pos < s->list_end)
            return want(c, CH_U16, 2, s->list_end, "list entry");
        return next_ext(c);
    case CH_U8:
        s->uncompressed |= p[0] == 0;
        if (s->pos < s->list_end)
            return want(c, CH_U8, 1, s->list_end, "ec_point_formats");
        /* RFC 8422 §5.1.2: the uncompressed format must be supported. */
        if (!s->uncompressed)
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "ec_point_formats lacks the uncompressed format");
        h->saw_point_formats = 1;
        return next_ext(c);
    case CH_SNI_ENTRY: {
        uint32_t n = tern_load_be16(p + 1);
        if (n > s->list_end - s->pos)
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: a server_name of %u bytes runs past its list", n);
        if (p[0] != 0) /* only host_name is defined; others are skipped */
            return skip_to(c, s->pos + n, CH_SNI_ENTRY);
        if (n == 0) /* HostName <1..2^16-1> */
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: empty server_name host name");
        /* RFC 6066 §3: one host_name. */
        if (c->server_name[0] != '\0')
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "server_name lists more than one host name");
        if (n >= c->server_name_cap)
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                             "server_name host name of %u bytes; a DNS name has at most %zu", n,
                             c->server_name_cap - 1);
        return want(c, CH_SNI_NAME, n, s->list_end, "server_name");
    }
    case CH_SNI_NAME:
        TERN_TRY(sni_name(c, p, s->need));
        if (s->pos < s->list_end)
            return want(c, CH_SNI_ENTRY, 3, s->list_end, "server_name entry");
        return next_ext(c);
    case CH_ALPN_LEN:
        if (p[0] == 0) /* RFC 7301 §3.1: ProtocolName <1..2^8-1> */
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: an empty ALPN protocol name");
        return want(c, CH_ALPN_NAME, p[0], s->list_end, "ALPN protocol name");
    case CH_ALPN_NAME:
        tern_negotiate_alpn_name(c->cfg, p, s->need, &s->alpn_match, &s->alpn_best); /* lib/negotiate.c */
        if (s->pos < s->list_end)
            return want(c, CH_ALPN_LEN, 1, s->list_end, "protocol name length");
        TERN_TRY(alpn_done(c));
        return next_ext(c);
    /* status_request (RFC 6066 §8):
     *   struct { CertificateStatusType status_type;
     *            select (status_type) { case ocsp: OCSPStatusRequest; } request;
     *   } CertificateStatusRequest;
     *   struct { ResponderID responder_id_list<0..2^16-1>;
     *            Extensions  request_extensions; } OCSPStatusRequest;
     *   opaque ResponderID<1..2^16-1>;   opaque Extensions<0..2^16-1>;
     * Another status_type (none is defined) cannot be framed, so the
     * extension is skipped and not answered.  The responder IDs and the
     * request extensions are not used (our response comes from the
     * configuration), only framed: each must end inside its vector and the
     * extensions must end the extension body. */
    case CH_SR_TYPE:
        if (p[0] != TERN_CERT_STATUS_OCSP)
            return skip_to(c, s->ext_end, CH_EXT_HDR);
        return want(c, CH_SR_IDS_LEN, 2, s->ext_end, "status_request responder_id_list length");
    case CH_SR_IDS_LEN: {
        uint32_t len = tern_load_be16(p);
        if (len > s->ext_end - s->pos)
            return tern_fail(c, TERN_ERR_DECODE,
                             "ClientHello: the status_request responder_id_list (%u bytes) runs past its extension", len);
        s->list_end = s->pos + len;
        if (len == 0)
            return want(c, CH_SR_EXTS_LEN, 2, s->ext_end, "status_request request_extensions length");
        return want(c, CH_SR_ID_LEN, 2, s->list_end, "status_request ResponderID length");
    }
    case CH_SR_ID_LEN: {
        uint32_t len = tern_load_be16(p);
        if (len == 0) /* ResponderID<1..2^16-1> */
            return tern_fail(c, TERN_ERR_DECODE, "ClientHello: an empty ResponderID in status_request");
        if (len > s->list_end - s->pos)
            return tern_fail(c, TERN_ERR_DECODE,
                             "ClientHello: a status_request ResponderID of %u bytes runs past its list", len);
        return skip_to(c, s->pos + len, CH_SR_ID_LEN);
    }
    case CH_SR_EXTS_LEN: {
        uint32_t len = tern_load_be16(p);
        if (s->pos + len != s->ext_end)
            return tern_fail(c, TERN_ERR_DECODE,
                             "ClientHello: status_request request_extensions of %u bytes where its extension has %u left",
                             len, s->ext_end - s->pos);
        h->ocsp_requested = 1;
        return skip_to(c, s->ext_end, CH_EXT_HDR);
    }
    case CH_EXT_WHOLE: {
        tern_reader body;
        tern_rd_init(&body, p, s->need);
        if (s->ext_type == TERN_EXT_SESSION_TICKET) {
            TERN_TRY(tern_sess_client_ext_ticket(c, &body)); /* lib/session.c */
        } else {
            tern_reader rc;
            if (tern_rd_vec8(&body, &rc) < 0 || tern_rd_end(&body) < 0)
                return tern_fail(c, TERN_ERR_DECODE, "ClientHello: malformed renegotiation_info");
            /* RFC 5746 §3.6: on an initial handshake it must be empty. */
            if (tern_rd_left(&rc) != 0)
                return tern_fail(c, TERN_ERR_INSECURE_RENEG, "renegotiation_info is not empty on an initial handshake");
            h->peer_offered_reneg = 1;
        }
        return next_ext(c);
    }
    default:
        return TERN_ERR_INTERNAL;
    }
}

/* A skip ended: carry on where it was going. */
TERN_MUST_CHECK static int ch_skipped(tern_conn *c) {
    tern_ch_stream *s = &c->hs_state->ch;
    if (s->skip_then == CH_SNI_ENTRY) {
        if (s->pos < s->list_end)
            return want(c, CH_SNI_ENTRY, 3, s->list_end, "server_name entry");
    }
    if (s->skip_then == CH_SR_ID_LEN) { /* a ResponderID skipped: the next, or the extensions */
        if (s->pos < s->list_end)
            return want(c, CH_SR_ID_LEN, 2, s->list_end, "status_request ResponderID length");
        return want(c, CH_SR_EXTS_LEN, 2, s->ext_end, "status_request request_extensions length");
    }
    return next_ext(c);
}

int tern_hs_client_hello_begin(tern_conn *c, size_t body_len, int streamed) {
    tern_hs_state *h = c->hs_state;
    TERN_ENSURE(c->side == TERN_SERVER, TERN_ERR_INTERNAL);
    if (body_len > TERN_CH_MAX)
        return tern_fail(c, TERN_ERR_DECODE,
                         "a ClientHello of %zu bytes is longer than any well-formed one (%u, RFC 5246 7.4.1.2)",
                         body_len, TERN_CH_MAX);
    memset(&h->ch, 0, sizeof h->ch);
    h->ch.end = (uint32_t)body_len;
    h->ch.streamed = (uint8_t)(streamed != 0);
    /* The duplicate check's bitmap (lib/ext.c), lent by the input buffer. */
    memset((uint8_t *)h - TERN_EXT_BITMAP, 0, TERN_EXT_BITMAP);
    return want(c, CH_FIXED, 2 + TERN_RANDOM_LEN + 1, h->ch.end, "fixed part");
}

int tern_hs_client_hello_feed(tern_conn *c, const uint8_t *p, size_t n) {
    tern_ch_stream *s = &c->hs_state->ch;
    TERN_ENSURE(n <= s->end - s->pos, TERN_ERR_INTERNAL);
    for (;;) {
        if (s->state == CH_DONE)
            return n == 0 ? 0 : TERN_ERR_INTERNAL; /* the last item ends the message */
        if (s->state == CH_SKIP) {
            size_t k = s->skip_end - s->pos < n ? s->skip_end - s->pos : n;
            s->pos += (uint32_t)k;
            p += k;
            n -= k;
            if (s->pos < s->skip_end)
                return 0;
            TERN_TRY(ch_skipped(c));
            continue;
        }
        const uint8_t *item;
        if (s->have == 0 && n >= s->need) {
            item = p; /* whole in this piece: read in place */
            p += s->need;
            n -= s->need;
            s->pos += s->need;
        } else {
            if (n == 0)
                return 0;
            size_t cap;
            uint8_t *buf = scratch(c, &cap);
            TERN_ENSURE(s->need <= cap, TERN_ERR_INTERNAL);
            size_t k = s->need - s->have < n ? s->need - s->have : n;
            memcpy(buf + s->have, p, k);
            s->have += (uint32_t)k;
            s->pos += (uint32_t)k;
            p += k;
            n -= k;
            if (s->have < s->need)
                return 0;
            item = buf;
        }
        TERN_TRY(ch_item(c, item));
    }
}

/* The end of the hello: check what could only be checked at the end, hand
 * what the client offered to the negotiation (lib/negotiate.c), and apply
 * its choice. */
TERN_MUST_CHECK static int ch_finish(tern_conn *c) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    tern_ch_stream *s = &h->ch;
    if (s->state != CH_DONE || s->pos != s->end)
        return tern_fail(c, TERN_ERR_DECODE, "ClientHello: the message ends inside a field");
    if (!s->null_comp)
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "the client does not offer the null compression method");
    h->client_version = s->version;

    const tern_offer offer = {
        .suites = s->offered,
        .saw_groups = h->saw_groups,
        .groups = (h->peer_offered_x25519 ? TERN_OFFER_X25519 : 0u) | (h->peer_offered_p256 ? TERN_OFFER_P256 : 0u) |
                  (h->peer_offered_p384 ? TERN_OFFER_P384 : 0u),
        .saw_sigalgs = h->saw_sigalgs,
        .sigalgs = h->peer_sigalgs,
        .nsigalgs = h->npeer_sigalgs,
        .server_name = c->server_name,
        .ems = h->peer_offered_ems,
    };
    tern_choice ch;
    int rc = tern_negotiate(cfg, &offer, &ch);
    if (rc < 0)
        return tern_fail(c, rc, "%s", ch.why);
    /* The session offered, by ticket (opened as it was read) or session ID
     * (looked up now: lib/session.c), resumed or not. */
    tern_reader sid;
    tern_rd_init(&sid, s->sid, s->sid_len);
    const tern_sess_core *st = tern_sess_server_lookup(c, &sid);
    rc = st != NULL ? tern_negotiate_resume(cfg, &offer, st, cfg->now(cfg->now_arg), &ch) : 0;
    c->suite = ch.suite;
    c->sigscheme = ch.scheme;
    h->group = ch.group;
    c->keys = ch.keys;
    c->ems = ch.ems;
    tern_trace_hello(c, 0, s->sid_len);
    TERN_TRY(tern_sess_server_settle(c, &sid, rc == 0 && ch.resume));
    if (rc < 0)
        return tern_fail(c, rc, "%s", ch.why);
    /* OCSP stapling (RFC 6066 §8): a full handshake whose client asked
     * staples the chosen identity's response if it has a current one
     * (lib/staple.c); the ServerHello then answers status_request and
     * CertificateStatus follows Certificate.  Otherwise the extension is
     * not answered and the trace says why. */
    if (h->ocsp_requested && !c->sess.resumed) {
        char why[256];
        c->staple = tern_staple_get(cfg, tern_conn_keys(c), cfg->now(cfg->now_arg), why, sizeof why);
        size_t len = 0;
        if (c->staple != NULL)
            (void)tern_staple_der(c->staple, &len);
        if (c->staple != NULL && len + 8 > c->hs_cap) {
            /* CertificateStatus: header 4, status_type 1, length 3. */
            snprintf(why, sizeof why, "our OCSP response of %zu bytes does not fit a handshake message of this "
                     "connection (hs_max %zu): not stapled", len, c->hs_cap - TERN_HS_HDR);
            tern_staple_put(cfg, c->staple);
            c->staple = NULL;
        }
        if (c->staple == NULL)
            tern_trace_staple_skipped(c, why);
    }
    return 0;
}

int tern_hs_client_hello_parse(tern_conn *c, tern_reader *r) {
    tern_ch_stream *s = &c->hs_state->ch;
    if (!s->streamed) {
        /* Gathered whole (or handed to us by a test): feed it in one go. */
        TERN_TRY(tern_hs_client_hello_begin(c, tern_rd_left(r), 0));
        TERN_TRY(tern_hs_client_hello_feed(c, r->p, tern_rd_left(r)));
    } else {
        TERN_TRY(tern_rd_end(r));
    }
    return ch_finish(c);
}
