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
 * renegotiation_info (RFC 5746 §3.4).  Unknown ones are ignored.
 */
#include <arpa/inet.h>

#include "lib/tls.h"

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
    TERN_TRY(tern_wr_end(w, &e));
    return 0;
}

/* ---- server side ---- */

TERN_MUST_CHECK static int parse_sni(tern_conn *c, tern_reader *body) {
    tern_reader list;
    TERN_TRY(tern_rd_vec16(body, &list));
    TERN_TRY(tern_rd_end(body));
    TERN_ENSURE(tern_rd_left(&list) > 0, TERN_ERR_DECODE);
    while (tern_rd_left(&list) > 0) {
        uint8_t type;
        tern_reader name;
        TERN_TRY(tern_rd_u8(&list, &type));
        TERN_TRY(tern_rd_vec16(&list, &name));
        if (type != 0)
            continue; /* only host_name is defined */
        size_t n = tern_rd_left(&name);
        /* RFC 6066 §3: one host_name; no NUL, no trailing dot games. */
        if (c->server_name[0] != '\0')
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "server_name lists more than one host name");
        if (n == 0 || n >= c->server_name_cap)
            return tern_fail(c, TERN_ERR_DECODE, "server_name host name of %zu bytes", n);
        const uint8_t *p;
        TERN_TRY(tern_rd_bytes(&name, n, &p));
        for (size_t i = 0; i < n; i++)
            if (p[i] <= 0x20 || p[i] >= 0x7f)
                return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "server_name host name is not printable ASCII");
        memcpy(c->server_name, p, n);
        c->server_name[n] = '\0';
    }
    return 0;
}

TERN_MUST_CHECK static int parse_alpn_offer(tern_conn *c, tern_reader *body) {
    tern_reader list;
    TERN_TRY(tern_rd_vec16(body, &list));
    TERN_TRY(tern_rd_end(body));
    TERN_ENSURE(tern_rd_left(&list) > 0, TERN_ERR_DECODE);
    /* Check the whole list is well formed first (RFC 7301 §3.1: empty
     * names are not allowed), then pick by the server's preference. */
    tern_reader scan = list;
    while (tern_rd_left(&scan) > 0) {
        tern_reader name;
        TERN_TRY(tern_rd_vec8(&scan, &name));
        TERN_ENSURE(tern_rd_left(&name) > 0, TERN_ERR_DECODE);
    }
    c->hs_state->offered_alpn = 1;
    const tern_config *cfg = c->cfg;
    if (cfg->alpn_len == 0)
        return 0; /* we do not speak ALPN: ignore the offer */
    for (size_t i = 0; i < cfg->alpn_len; i += 1 + cfg->alpn[i]) {
        size_t ln = cfg->alpn[i];
        scan = list;
        while (tern_rd_left(&scan) > 0) {
            tern_reader name;
            TERN_TRY(tern_rd_vec8(&scan, &name));
            if (tern_rd_left(&name) == ln && memcmp(name.p, cfg->alpn + i + 1, ln) == 0) {
                /* Room for the configuration's longest name was made when
                 * the connection was; a list changed since may not fit. */
                TERN_ENSURE(ln < c->alpn_cap, TERN_ERR_INTERNAL);
                memcpy(c->alpn, cfg->alpn + i + 1, ln);
                c->alpn[ln] = '\0';
                return 0;
            }
        }
    }
    return tern_fail(c, TERN_ERR_NO_ALPN, "the client offers no application protocol this server speaks");
}

TERN_MUST_CHECK static int client_ext(tern_conn *c, uint16_t type, tern_reader *body) {
    tern_hs_state *h = c->hs_state;
    switch (type) {
    case TERN_EXT_SERVER_NAME:
        return parse_sni(c, body);
    case TERN_EXT_SUPPORTED_GROUPS: {
        tern_reader list;
        TERN_TRY(tern_rd_vec16(body, &list));
        TERN_TRY(tern_rd_end(body));
        TERN_ENSURE(tern_rd_left(&list) > 0 && tern_rd_left(&list) % 2 == 0, TERN_ERR_DECODE);
        h->saw_groups = 1;
        while (tern_rd_left(&list) > 0) {
            uint16_t g;
            TERN_TRY(tern_rd_u16(&list, &g));
            if (g == TERN_GROUP_X25519)
                h->peer_offered_x25519 = 1;
            if (g == TERN_GROUP_SECP256R1)
                h->peer_offered_p256 = 1;
            if (g == TERN_GROUP_SECP384R1)
                h->peer_offered_p384 = 1;
        }
        return 0;
    }
    case TERN_EXT_EC_POINT_FORMATS: {
        tern_reader list;
        TERN_TRY(tern_rd_vec8(body, &list));
        TERN_TRY(tern_rd_end(body));
        TERN_ENSURE(tern_rd_left(&list) > 0, TERN_ERR_DECODE);
        int uncompressed = 0;
        while (tern_rd_left(&list) > 0) {
            uint8_t f;
            TERN_TRY(tern_rd_u8(&list, &f));
            uncompressed |= f == 0;
        }
        /* RFC 8422 §5.1.2: the uncompressed format must be supported. */
        if (!uncompressed)
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "ec_point_formats lacks the uncompressed format");
        h->saw_point_formats = 1;
        return 0;
    }
    case TERN_EXT_SIGNATURE_ALGORITHMS: {
        tern_reader list;
        TERN_TRY(tern_rd_vec16(body, &list));
        TERN_TRY(tern_rd_end(body));
        TERN_ENSURE(tern_rd_left(&list) > 0 && tern_rd_left(&list) % 2 == 0, TERN_ERR_DECODE);
        h->saw_sigalgs = 1;
        while (tern_rd_left(&list) > 0) {
            uint16_t s;
            tern_hash_alg hash;
            TERN_TRY(tern_rd_u16(&list, &s));
            if ((tern_sigalg_info(s, &hash) >= 0 || tern_sig_is_ecdsa(s, &hash)) && h->npeer_sigalgs < TERN_MAX_SIGALGS)
                h->peer_sigalgs[h->npeer_sigalgs++] = s;
        }
        return 0;
    }
    case TERN_EXT_ALPN:
        return parse_alpn_offer(c, body);
    case TERN_EXT_SESSION_TICKET:
        return tern_sess_client_ext_ticket(c, body); /* lib/session.c */
    case TERN_EXT_EXTENDED_MASTER_SECRET:
        TERN_TRY(tern_rd_end(body)); /* RFC 7627 §5.1: extension_data is empty */
        h->peer_offered_ems = !c->cfg->no_ems;
        return 0;
    case TERN_EXT_RENEGOTIATION_INFO: {
        tern_reader rc;
        TERN_TRY(tern_rd_vec8(body, &rc));
        TERN_TRY(tern_rd_end(body));
        /* RFC 5746 §3.6: on an initial handshake it must be empty. */
        if (tern_rd_left(&rc) != 0)
            return tern_fail(c, TERN_ERR_INSECURE_RENEG, "renegotiation_info is not empty on an initial handshake");
        h->peer_offered_reneg = 1;
        return 0;
    }
    default:
        return 0; /* unknown: ignored (RFC 5246 §7.4.1.4) */
    }
}

int tern_hs_client_hello_parse(tern_conn *c, tern_reader *r) {
    const tern_config *cfg = c->cfg;
    tern_hs_state *h = c->hs_state;
    uint16_t version;
    tern_reader sid, suites, comp;
    TERN_TRY(tern_rd_u16(r, &version));
    TERN_TRY(tern_rd_copy(r, h->client_random, TERN_RANDOM_LEN));
    TERN_TRY(tern_rd_vec8(r, &sid));
    TERN_ENSURE(tern_rd_left(&sid) <= 32, TERN_ERR_DECODE);
    TERN_TRY(tern_rd_vec16(r, &suites));
    TERN_ENSURE(tern_rd_left(&suites) >= 2 && tern_rd_left(&suites) % 2 == 0, TERN_ERR_DECODE);
    TERN_TRY(tern_rd_vec8(r, &comp));
    TERN_ENSURE(tern_rd_left(&comp) >= 1, TERN_ERR_DECODE);
    /* RFC 5246 Appendix E.1: a higher client_version means "the highest you
     * can do"; anything below TLS 1.2 is refused, before the extensions
     * (whose checks, e.g. ALPN, would otherwise answer with another alert). */
    if (version < TERN_TLS12)
        return tern_fail(c, TERN_ERR_PROTOCOL_VERSION, "the client offers version 0x%04x; tern speaks only TLS 1.2",
                         version);
    if (tern_rd_left(r) > 0) {
        tern_reader exts;
        TERN_TRY(tern_rd_vec16(r, &exts));
        TERN_TRY(tern_rd_end(r));
        TERN_TRY(tern_ext_walk(c, &exts, client_ext));
    }
    int null_comp = 0;
    while (tern_rd_left(&comp) > 0) {
        uint8_t m;
        TERN_TRY(tern_rd_u8(&comp, &m));
        null_comp |= m == 0;
    }
    if (!null_comp)
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "the client does not offer the null compression method");

    /* The suite, in two passes: ECDHE suites first (forward secrecy), then
     * the RSA key exchange, each in the server's preference among those the
     * client offers.  An ECDHE suite also needs x25519 (RFC 8422 §4: without
     * supported_groups any curve may be used) and an RSA signature scheme
     * tern can make (RFC 5246 §7.4.1.4.1: no signature_algorithms means
     * SHA-1, which tern refuses); when it lacks them, an RSA suite can still
     * be chosen. */
    h->client_version = version;
    /* Issue 13: an ECDHE suite needs a group in common (lib/kx.c), an
     * identity whose key fits the suite (RSA for ECDHE_RSA, P-256 or P-384
     * for ECDHE_ECDSA; lib/sig.c picks it among the configured identities) and
     * a signature scheme the client accepts for that key. */
    uint16_t group = tern_kx_server_group(c);
    const char *no_ecdhe = NULL;
    const tern_suite *chosen = NULL;
    const tern_keystore *chosen_ks = NULL;
    uint16_t scheme = 0;
    int ecdhe_in_common = 0;
    for (int pass = 0; pass < 2 && chosen == NULL; pass++)
        for (size_t i = 0; cfg->suites[i] != 0 && chosen == NULL; i++) {
            const tern_suite *cand = tern_suite_by_id(cfg->suites[i]);
            if (cand == NULL || (cand->kx == TERN_KX_RSA) != (pass == 1))
                continue;
            int offered = 0;
            tern_reader scan = suites;
            while (tern_rd_left(&scan) > 0 && !offered) {
                uint16_t s;
                TERN_TRY(tern_rd_u16(&scan, &s));
                offered = s == cand->id;
            }
            if (!offered)
                continue;
            const tern_keystore *ks = tern_sig_identity(c, tern_suite_key_type(cand));
            if (ks == NULL)
                continue; /* no certificate with this kind of key */
            uint16_t sch = 0;
            if (tern_suite_is_ecdhe(cand)) {
                ecdhe_in_common = 1;
                sch = tern_sig_choose(ks, h->peer_sigalgs, h->npeer_sigalgs);
                if (group == 0) {
                    no_ecdhe = "the client offers none of tern's groups (x25519, secp256r1, secp384r1)";
                    continue;
                }
                /* RFC 8422 §5.1: supported_groups also bounds the curve of
                 * an ECDSA certificate (P-256 or P-384; lib/kx.c). */
                if (ks->key_type == TERN_X509_KEY_EC && !tern_kx_peer_accepts_curve(c, ks->ec_curve)) {
                    no_ecdhe = ks->ec_curve == TERN_X509_CURVE_P384
                                   ? "the client's supported_groups lacks secp384r1, the curve of our ECDSA certificate"
                                   : "the client's supported_groups lacks secp256r1, the curve of our ECDSA certificate";
                    continue;
                }
                if (sch == 0) {
                    no_ecdhe = !h->saw_sigalgs ? "the client sent no signature_algorithms (implying SHA-1, refused)"
                               : ks->key_type == TERN_X509_KEY_EC
                                   ? "the client accepts no ECDSA signature scheme tern can make"
                                   : "the client accepts no RSA signature scheme tern can make";
                    continue;
                }
            }
            chosen = cand;
            chosen_ks = ks;
            scheme = sch;
        }
    tern_reader scan = suites;
    while (tern_rd_left(&scan) > 0) {
        uint16_t s;
        TERN_TRY(tern_rd_u16(&scan, &s));
        if (s == TERN_SCSV_RENEGOTIATION)
            h->peer_offered_reneg = 1; /* RFC 5746 §3.3 */
    }
    if (chosen == NULL)
        return tern_fail(c, TERN_ERR_HANDSHAKE_FAILURE, "%s",
                         ecdhe_in_common && no_ecdhe != NULL ? no_ecdhe : "no cipher suite in common with the client");
    c->sigscheme = tern_suite_is_ecdhe(chosen) ? scheme : 0;
    h->group = tern_suite_is_ecdhe(chosen) ? group : 0;
    if (!h->peer_offered_ems && cfg->require_ems)
        return tern_fail(c, TERN_ERR_MISSING_EXTENSION,
                         "the client does not support the extended master secret (RFC 7627), which is required");
    c->ems = h->peer_offered_ems;
    c->suite = chosen;
    tern_identity_pick_server(c); /* by SNI, else the default (lib/identity.c) */
    c->keys = chosen_ks;          /* ... of the key type the suite needs (lib/sig.c) */
    /* Resume the session offered (by ticket or ID) if it qualifies. */
    return tern_sess_server_decide(c, &sid, &suites);
}
