/*
 * The handshake trace and the NSS key log: structured, secret-free events
 * for tern_config_set_trace(), and "CLIENT_RANDOM <cr> <master>" lines for
 * tern_config_set_keylog() (the NSS key log format that Wireshark reads;
 * RFC 5246 §8.1 for the master secret it carries).
 *
 * The engine tells, the trace words: there is no message parser here.  A
 * message's fields are the values its writer or parser reported through
 * the hooks of lib/trace.h at the point it wrote, decoded or checked them,
 * so the story cannot differ from what the engine did: the group is the
 * one the key exchange used, the signature verdict the one the verifier
 * returned.  Field names follow the RFC structs: ClientHello (RFC 5246
 * §7.4.1.2), ServerHello (§7.4.1.3), Certificate (§7.4.2),
 * ServerKeyExchange (RFC 8422 §5.4), ClientKeyExchange (RFC 8422 §5.7),
 * Finished (RFC 5246 §7.4.9).
 *
 * The order of events.  A message we send is written first and described
 * after (lib/hs.c calls tern_trace_message once its bytes are final), so
 * its writer's report waits in the trace's note (in the handshake state)
 * until then.  A message we receive is announced before its parse
 * (tern_trace_message) and described by its parser's report, which puts
 * the event out; whatever the engine reports next (the chain verdict, a
 * key-schedule step, a signature verdict, an alert) comes after it.  A
 * parse that stops before reporting (a malformed message) still gets its
 * event, marked so, before the alert that says why.
 *
 * What is never put in an event: private keys, the premaster and master
 * secrets, the key block, application data.  Randoms, public keys,
 * signatures and verify_data are on the wire (the last one encrypted) and
 * reveal no key, so they are shown.
 */
#define TERN_LAYER TERN_LAYER_RECORD_KEYS
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "crypto/ct.h"
#include "lib/kx.h"
#include "lib/names.h"
#include "lib/sig.h"
#include "lib/trace.h"
#include "lib/x509/x509.h"

/* ---- the field list: names and values as text in one pool ---- */

#define TRACE_MAX_FIELDS 40
typedef struct {
    tern_trace_field f[TRACE_MAX_FIELDS];
    size_t n;
    char pool[6144];
    size_t used;
} fields;

static void add(fields *fs, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(fields *fs, const char *name, const char *fmt, ...) {
    if (fs->n == TRACE_MAX_FIELDS || fs->used >= sizeof fs->pool - 1)
        return;
    char *dst = fs->pool + fs->used;
    size_t room = sizeof fs->pool - fs->used;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (k < 0)
        return;
    size_t w = (size_t)k < room ? (size_t)k : room - 1;
    fs->f[fs->n].name = name;
    fs->f[fs->n].value = dst;
    fs->n++;
    fs->used += w + 1;
}

void tern_trace_hex(char *out, const uint8_t *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        for (int half = 0; half < 2; half++) {
            unsigned v = half ? (p[i] & 15u) : (p[i] >> 4);
            /* v + '0', plus ('a' - '0' - 10) when v > 9: the mask is all
             * ones exactly when 9 - v underflows (v in 10..15), so no
             * branch or table depends on the byte. */
            unsigned over = 0u - ((9u - v) >> 31);
            out[2 * i + (size_t)half] = (char)(v + '0' + (over & ('a' - '0' - 10)));
        }
    }
    out[2 * len] = '\0';
}

/* Hex of public bytes into the pool, shortened for long values. */
static void add_hex(fields *fs, const char *name, const uint8_t *p, size_t len) {
    char buf[2 * 64 + 1];
    size_t show = len > 64 ? 64 : len;
    tern_trace_hex(buf, p, show);
    add(fs, name, "%s%s (%zu bytes)", buf, len > show ? "..." : "", len);
}

/* "name (0x0804)", or "0x0804" for a code point without a name. */
static void add_code(fields *fs, const char *field, const char *name, unsigned code, int width) {
    if (name != NULL)
        add(fs, field, "%s (0x%0*x)", name, width, code);
    else
        add(fs, field, "unknown (0x%0*x)", width, code);
}

/* Append "name" (or "0x....") to a comma list in buf. */
static void list_item(char *buf, size_t cap, const char *name, unsigned code, int width) {
    size_t n = strlen(buf);
    if (n + 1 >= cap)
        return;
    if (name != NULL)
        snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", name);
    else
        snprintf(buf + n, cap - n, "%s0x%0*x", n ? ", " : "", width, code);
}

static void add_list16(fields *fs, const char *field, const uint16_t *v, size_t n,
                       const char *(*name)(uint16_t)) {
    char buf[1024] = "";
    for (size_t i = 0; i < n; i++)
        list_item(buf, sizeof buf, name(v[i]), v[i], 4);
    add(fs, field, "%s", buf[0] ? buf : "none");
}

static void date_text(int64_t t, char *out, size_t cap) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

static const char *curve_name(int curve) {
    return curve == TERN_X509_CURVE_P256 ? "P-256" : curve == TERN_X509_CURVE_P384 ? "P-384" : "an unknown curve";
}

/* "RSA 2048 bits", "EC P-256": a certificate key, as the key field of
 * the events words it. */
static void key_text(char *out, size_t cap, tern_x509_key_type type, size_t rsa_bits, int curve) {
    if (type == TERN_X509_KEY_RSA)
        snprintf(out, cap, "RSA %zu bits", rsa_bits);
    else if (type == TERN_X509_KEY_EC)
        snprintf(out, cap, "EC %s", curve_name(curve));
    else
        snprintf(out, cap, "unknown");
}

/* Our key for this connection (the identity the engine picked). */
static void our_key(const tern_conn *c, char *out, size_t cap) {
    const tern_keystore *ks = tern_conn_keys(c);
    if (ks == NULL || !c->cfg->have_keys) {
        snprintf(out, cap, "none");
        return;
    }
    key_text(out, cap, ks->key_type, ks->key_type == TERN_X509_KEY_RSA ? tern_rsa_len(&ks->rsa.pub) * 8 : 0,
             ks->ec_curve);
}

/* The peer's certificate key, as the Certificate parse kept it. */
static void peer_key(const tern_conn *c, char *out, size_t cap) {
    const tern_hs_state *h = c->hs_state;
    if (h == NULL || !h->have_peer_key) {
        snprintf(out, cap, "unknown");
        return;
    }
    key_text(out, cap, h->peer_key_type,
             h->peer_key_type == TERN_X509_KEY_RSA ? tern_rsa_len(&h->peer_rsa) * 8 : 0, h->peer_curve);
}


/* ---- the message being described ---- */

/* The trace's note in the handshake state (tern_hs_state.trace_note, kept
 * as bytes there so the engine's headers need not know its layout):
 *   - a received message announced by lib/hs.c and not yet described
 *     (its bytes are in c->hs while it is parsed);
 *   - what the writer of the message being written reported, until lib/hs.c
 *     says its bytes are final (the values point into the handshake state
 *     or the connection, which outlive it). */
typedef struct {
    const uint8_t *bytes;   /* received: the message, header included */
    const uint8_t *pub;     /* written: the key share, or verify_data */
    uint32_t len;           /* received: its length as lib/hs.c gave it */
    uint32_t ticket_len;    /* written NewSessionTicket */
    uint32_t lifetime;
    uint32_t publen;        /* written: the key share's (or RSA ciphertext's) length; the OCSP
                               response's length (CertificateStatus) */
    uint16_t type;          /* received: TERN_HT_* */
    uint16_t out_type;      /* written: TERN_HT_* */
    uint16_t group, scheme; /* written key exchange, CertificateVerify */
    uint16_t exts[8];       /* received ServerHello: the extensions, in wire order (at most the
                               seven tern offers, each once: lib/ext.c refuses duplicates) */
    uint8_t waiting;        /* received: announced, not described yet */
    uint8_t out_reported;   /* written: its writer reported */
    uint8_t ca_names;       /* written CertificateRequest: with the CA names */
    uint8_t resumed_note;   /* written ServerHello: say "session resumed" first */
    uint8_t nexts;
    uint8_t sid_len;        /* written hello: the session_id length */
} note;
_Static_assert(sizeof(note) <= sizeof(((tern_hs_state *)0)->trace_note), "the trace's note fits its room");

static note load(const tern_conn *c) {
    note n;
    memcpy(&n, c->hs_state->trace_note, sizeof n);
    return n;
}

static void store(tern_conn *c, const note *n) {
    memcpy(c->hs_state->trace_note, n, sizeof *n);
}

/* A hook has work only with a trace, and only during the handshake (the
 * note lives in its state). */
static int tracing(const tern_conn *c) {
    return c->cfg->trace != NULL && c->hs_state != NULL;
}

static void emit(tern_conn *c, tern_trace_event *ev) {
    ev->is_server = c->side == TERN_SERVER;
    if (ev->detail == NULL)
        ev->detail = "";
    if (ev->rfc == NULL)
        ev->rfc = "";
    c->cfg->trace(c->cfg->trace_arg, ev);
}

static int rsa_kx(const tern_conn *c) {
    return c->suite != NULL && c->suite->kx == TERN_KX_RSA;
}

static void length_field(fields *fs, int type, const uint8_t *msg, size_t len) {
    if (type == TERN_HT_CHANGE_CIPHER_SPEC)
        return;
    if (len == TERN_HS_HDR && msg != NULL && tern_load_be24(msg + 1) > 0)
        /* A ClientHello longer than hs_max is parsed as it arrives and not
         * kept (lib/hs.c): only its header is here. */
        add(fs, "length", "%u (parsed as it arrived, not kept whole)", (unsigned)tern_load_be24(msg + 1));
    else
        add(fs, "length", "%zu", len >= TERN_HS_HDR ? len - TERN_HS_HDR : 0);
}

static void message_event(tern_conn *c, int type, int sent, const fields *fs, const uint8_t *bytes, size_t len) {
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_MESSAGE;
    ev.sent = sent;
    ev.msg_type = type;
    ev.name = tern_name_handshake_text(type);
    ev.rfc = type == TERN_HT_CLIENT_KEY_EXCHANGE && rsa_kx(c) ? "RFC 5246 7.4.7.1" : tern_name_handshake_rfc(type);
    ev.fields = fs->f;
    ev.nfields = fs->n;
    ev.bytes = bytes;
    ev.len = bytes != NULL ? len : 0;
    emit(c, &ev);
}

static void fallback_fields(tern_conn *c, int type, int sent, fields *fs);

/* Put out the received message that waits for its parser's report, with
 * what the engine's state says of it.  in_parse: we are inside its parse
 * (c->hs still holds it). */
static void flush(tern_conn *c, int in_parse) {
    if (c->hs_state == NULL)
        return; /* after the handshake: nothing waits */
    note n = load(c);
    if (!n.waiting)
        return;
    n.waiting = 0;
    store(c, &n);
    fields fs;
    fs.n = fs.used = 0;
    length_field(&fs, n.type, in_parse ? n.bytes : NULL, n.len);
    fallback_fields(c, n.type, 0, &fs);
    message_event(c, n.type, 0, &fs, in_parse ? n.bytes : NULL, n.len);
}

/* A parser's report begins: fs gets the message's length; *bytes and
 * *len the message lib/hs.c announced (NULL when none was: a parse called
 * directly).  The event goes out with received_end. */
static void received_begin(tern_conn *c, int type, fields *fs, const uint8_t **bytes, size_t *len) {
    note n = load(c);
    fs->n = fs->used = 0;
    *bytes = NULL;
    *len = 0;
    if (n.waiting && n.type == type) {
        n.waiting = 0;
        store(c, &n);
        *bytes = n.bytes;
        *len = n.len;
        length_field(fs, type, n.bytes, n.len);
    } else {
        flush(c, 1);
    }
}

/* A writer's report: the note starts over for this message (a writer run
 * again from the start reports again). */
static note *written(tern_conn *c, note *n, int type) {
    flush(c, 0);
    *n = load(c);
    n->out_type = (uint16_t)type;
    n->out_reported = 1;
    n->resumed_note = 0;
    return n;
}


static void note_fields(tern_conn *c, const note *n, int type, int sent, fields *fs);

/* The CHECK event of an abbreviated handshake; who is the subject of
 * the sentence differs by side. */
static void resumed_event(tern_conn *c, const char *who) {
    char detail[256];
    snprintf(detail, sizeof detail,
             "%s: an abbreviated handshake, with no certificates and no key exchange; the session's master "
             "secret is reused with fresh randoms",
             who);
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_CHECK;
    ev.name = "session resumed";
    ev.rfc = "RFC 5246 7.3, RFC 5077 3.1";
    ev.detail = detail;
    emit(c, &ev);
}

void tern_trace_message(tern_conn *c, int type, int sent, const uint8_t *msg, size_t len) {
    if (!tracing(c))
        return;
    flush(c, 0);
    note n = load(c);
    if (!sent) {
        n.waiting = 1;
        n.type = (uint16_t)type;
        n.bytes = msg;
        n.len = (uint32_t)len;
        n.nexts = 0;
        store(c, &n);
        return;
    }
    fields fs;
    fs.n = fs.used = 0;
    length_field(&fs, type, msg, len);
    if (n.out_reported && n.out_type == type) {
        note_fields(c, &n, type, 1, &fs);
        if (n.resumed_note)
            resumed_event(c, "we resume the client's session (from our session cache or its ticket)");
    } else {
        fallback_fields(c, type, 1, &fs);
    }
    n.out_reported = 0;
    n.resumed_note = 0;
    store(c, &n);
    message_event(c, type, 1, &fs, msg, len);
}

/* ---- Certificate: the list as parsed, or our key store's chain ---- */

static void certificate_fields(fields *fs, const uint8_t *const *certs, const size_t *lens, size_t n) {
    static const char *const labels[] = {"certificate[0]", "certificate[1]", "certificate[2]", "certificate[3]",
                                         "certificate[4]", "certificate[5]", "certificate[6]", "certificate[7]"};
    add(fs, "certificates", "%zu", n);
    for (size_t i = 0; i < n && i < TERN_ARRAY_LEN(labels); i++) {
        tern_x509_cert cert;
        if (tern_x509_parse(&cert, certs[i], lens[i]) < 0) {
            add(fs, labels[i], "%zu bytes that do not parse as a certificate", lens[i]);
            continue;
        }
        char subj[160], iss[160], key[40];
        tern_x509_name_display(cert.subject, subj, sizeof subj);
        tern_x509_name_display(cert.issuer, iss, sizeof iss);
        key_text(key, sizeof key, cert.key.type, cert.key.bits, cert.key.curve);
        add(fs, labels[i], "subject %s; issuer %s; %s key; %zu bytes", subj, iss, key, lens[i]);
    }
    if (n > TERN_ARRAY_LEN(labels))
        add(fs, "more", "%zu further certificates", n - TERN_ARRAY_LEN(labels));
}

void tern_trace_certificates(tern_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n) {
    if (!tracing(c))
        return;
    fields fs;
    const uint8_t *b;
    size_t len;
    received_begin(c, TERN_HT_CERTIFICATE, &fs, &b, &len);
    certificate_fields(&fs, certs, lens, n);
    message_event(c, TERN_HT_CERTIFICATE, 0, &fs, b, len);
}

/* ---- hellos ---- */

static void add_suite(fields *fs, const char *field, const tern_suite *s) {
    if (s != NULL)
        add(fs, field, "%s (0x%04x)", s->name, s->id);
    else
        add(fs, field, "none");
}

static void add_random(fields *fs, const uint8_t *r) {
    static const uint8_t zero[TERN_RANDOM_LEN];
    if (memcmp(r, zero, TERN_RANDOM_LEN) != 0)
        add_hex(fs, "random", r, TERN_RANDOM_LEN);
}

/* The client's ClientHello, as lib/hs_client_hello.c wrote it. */
static void client_hello_sent(const tern_conn *c, fields *fs, size_t sid_len) {
    const tern_config *cfg = c->cfg;
    const tern_hs_state *h = c->hs_state;
    char names[512] = "";
    add(fs, "client_version", "TLS 1.2 (0x%04x)", TERN_TLS12);
    add_random(fs, h->client_random);
    add(fs, "session_id", sid_len ? "%zu bytes" : "empty", sid_len);
    size_t ns = 0;
    while (cfg->suites[ns] != 0)
        ns++;
    add_list16(fs, "cipher_suites", cfg->suites, ns, tern_name_suite);
    add(fs, "compression_methods", "1 offered (null only)");
    if (h->offered_sni) {
        add(fs, "server_name", "%s", c->server_name);
        list_item(names, sizeof names, tern_name_extension(TERN_EXT_SERVER_NAME), TERN_EXT_SERVER_NAME, 4);
    }
    const uint16_t *g = tern_kx_groups(cfg);
    size_t ng = 0;
    while (g[ng] != 0)
        ng++;
    add_list16(fs, "supported_groups", g, ng, tern_name_group);
    list_item(names, sizeof names, tern_name_extension(TERN_EXT_SUPPORTED_GROUPS), TERN_EXT_SUPPORTED_GROUPS, 4);
    add(fs, "ec_point_formats", "uncompressed");
    list_item(names, sizeof names, tern_name_extension(TERN_EXT_EC_POINT_FORMATS), TERN_EXT_EC_POINT_FORMATS, 4);
    add_list16(fs, "signature_algorithms", tern_sigalgs_offer, TERN_ARRAY_LEN(tern_sigalgs_offer),
               tern_name_sigscheme);
    list_item(names, sizeof names, tern_name_extension(TERN_EXT_SIGNATURE_ALGORITHMS),
              TERN_EXT_SIGNATURE_ALGORITHMS, 4);
    if (h->offered_alpn) {
        /* the wire form's length bytes become commas */
        char buf[TERN_ALPN_MAX + 1];
        size_t k = 0;
        for (size_t i = 0; i < cfg->alpn_len; i += 1 + (size_t)cfg->alpn[i]) {
            if (i > 0 && k + 1 < sizeof buf)
                buf[k++] = ',';
            for (size_t j = i + 1; j <= i + cfg->alpn[i] && j < cfg->alpn_len && k + 1 < sizeof buf; j++)
                buf[k++] = cfg->alpn[j] >= 0x20 && cfg->alpn[j] < 0x7f ? (char)cfg->alpn[j] : '?';
        }
        buf[k] = '\0';
        add(fs, "alpn", "%s", buf);
        list_item(names, sizeof names, tern_name_extension(TERN_EXT_ALPN), TERN_EXT_ALPN, 4);
    }
    if (!cfg->no_ems) {
        add(fs, "extended_master_secret", "yes");
        list_item(names, sizeof names, tern_name_extension(TERN_EXT_EXTENDED_MASTER_SECRET),
                  TERN_EXT_EXTENDED_MASTER_SECRET, 4);
    }
    add(fs, "renegotiation_info", "empty (initial handshake)");
    list_item(names, sizeof names, tern_name_extension(TERN_EXT_RENEGOTIATION_INFO), TERN_EXT_RENEGOTIATION_INFO, 4);
    if (h->sess.ticket_ext) {
        const tern_sess_client *cl = c->sess.cl;
        if (c->sess.offered && cl != NULL && cl->ticket_len > 0)
            add(fs, "session_ticket", "a ticket (%zu bytes) to resume with", cl->ticket_len);
        else
            add(fs, "session_ticket", "empty");
        list_item(names, sizeof names, tern_name_extension(TERN_EXT_SESSION_TICKET), TERN_EXT_SESSION_TICKET, 4);
    }
    if (h->ocsp_requested) {
        add(fs, "status_request", "ocsp, no responder IDs, no extensions (%s mode)",
            cfg->ocsp_mode == TERN_OCSP_HARD ? "hard" : "soft");
        list_item(names, sizeof names, tern_name_extension(TERN_EXT_STATUS_REQUEST), TERN_EXT_STATUS_REQUEST, 4);
    }
    add(fs, "extensions", "%s", names);
}

/* The server's ClientHello: what its stream parser kept of the offer
 * (lib/hs_client_hello.c keeps what tern can use and skips the rest). */
static void client_hello_received(const tern_conn *c, fields *fs, size_t sid_len) {
    const tern_config *cfg = c->cfg;
    const tern_hs_state *h = c->hs_state;
    const tern_ch_stream *s = &h->ch;
    char buf[1024] = "";
    add(fs, "client_version", "%s (0x%04x)", s->version == TERN_TLS12 ? "TLS 1.2" : "not TLS 1.2", s->version);
    add_random(fs, h->client_random);
    add(fs, "session_id", sid_len ? "%zu bytes" : "empty", sid_len);
    for (size_t i = 0; i < TERN_SUITE_MAX && cfg->suites[i] != 0; i++)
        if (s->offered & (1u << i))
            list_item(buf, sizeof buf, tern_name_suite(cfg->suites[i]), cfg->suites[i], 4);
    add(fs, "cipher_suites", "%s (those of ours it offers)", buf[0] ? buf : "none");
    add(fs, "compression_methods", "%s", s->null_comp ? "null offered" : "no null");
    if (c->server_name[0])
        add(fs, "server_name", "%s", c->server_name);
    if (h->saw_groups) {
        buf[0] = '\0';
        if (h->peer_offered_x25519)
            list_item(buf, sizeof buf, tern_name_group(TERN_GROUP_X25519), 0, 4);
        if (h->peer_offered_p256)
            list_item(buf, sizeof buf, tern_name_group(TERN_GROUP_SECP256R1), 0, 4);
        if (h->peer_offered_p384)
            list_item(buf, sizeof buf, tern_name_group(TERN_GROUP_SECP384R1), 0, 4);
        add(fs, "supported_groups", "%s (those tern has)", buf[0] ? buf : "none");
    }
    if (h->saw_point_formats)
        add(fs, "ec_point_formats", "%s", s->uncompressed ? "uncompressed" : "no uncompressed");
    if (h->saw_sigalgs)
        add_list16(fs, "signature_algorithms", h->peer_sigalgs, h->npeer_sigalgs, tern_name_sigscheme);
    if (c->alpn != NULL && c->alpn[0])
        add(fs, "alpn", "%s (the one we speak)", c->alpn);
    add(fs, "extended_master_secret", "%s", h->peer_offered_ems ? "yes" : "no");
    if (h->peer_offered_reneg)
        add(fs, "renegotiation_info", "yes (or the SCSV)");
    if (h->sess.ticket_ext)
        add(fs, "session_ticket", "%s", h->sess.have_resume ? "a ticket we can open" : "present");
    if (h->ocsp_requested)
        add(fs, "status_request", "ocsp (OCSP stapling asked for)");
}

/* One ServerHello extension's field. */
static void server_ext_field(const tern_conn *c, fields *fs, uint16_t type) {
    switch (type) {
    case TERN_EXT_SERVER_NAME: add(fs, "server_name", "(acknowledged)"); break;
    case TERN_EXT_RENEGOTIATION_INFO: add(fs, "renegotiation_info", "empty (initial handshake)"); break;
    case TERN_EXT_EXTENDED_MASTER_SECRET: add(fs, "extended_master_secret", "yes"); break;
    case TERN_EXT_EC_POINT_FORMATS: add(fs, "ec_point_formats", "uncompressed"); break;
    case TERN_EXT_ALPN: add(fs, "alpn", "%s", c->alpn != NULL ? c->alpn : ""); break;
    case TERN_EXT_SESSION_TICKET: add(fs, "session_ticket", "empty"); break;
    case TERN_EXT_STATUS_REQUEST: add(fs, "status_request", "empty (a CertificateStatus follows the Certificate)"); break;
    default: break;
    }
}

/* ServerHello, written by the server (its extensions are those
 * lib/hs_server_hello.c writes for this state, in its order) or parsed by
 * the client (the extensions reported by its parse, tern_trace_extension). */
static void server_hello_fields(const tern_conn *c, fields *fs, size_t sid_len, int sent, const note *nt) {
    const tern_hs_state *h = c->hs_state;
    char names[256] = "";
    uint16_t exts[16];
    size_t n = 0;
    if (sent) {
        if (h->peer_offered_reneg)
            exts[n++] = TERN_EXT_RENEGOTIATION_INFO;
        if (c->ems)
            exts[n++] = TERN_EXT_EXTENDED_MASTER_SECRET;
        if (h->saw_point_formats && tern_suite_is_ecdhe(c->suite))
            exts[n++] = TERN_EXT_EC_POINT_FORMATS;
        if (c->alpn != NULL && c->alpn[0] != '\0')
            exts[n++] = TERN_EXT_ALPN;
        if (h->sess.ticket_expected)
            exts[n++] = TERN_EXT_SESSION_TICKET;
        if (c->staple != NULL)
            exts[n++] = TERN_EXT_STATUS_REQUEST;
    } else {
        for (size_t i = 0; i < nt->nexts && i < TERN_ARRAY_LEN(nt->exts); i++)
            exts[n++] = nt->exts[i];
    }
    add(fs, "server_version", "TLS 1.2 (0x%04x)", TERN_TLS12);
    add_random(fs, h->server_random);
    add(fs, "session_id", sid_len ? "%zu bytes" : "empty", sid_len);
    add_suite(fs, "cipher_suite", c->suite);
    add(fs, "compression_method", "null (0)");
    for (size_t i = 0; i < n; i++) {
        server_ext_field(c, fs, exts[i]);
        list_item(names, sizeof names, tern_name_extension(exts[i]), exts[i], 4);
    }
    add(fs, "extensions", "%s", names[0] ? names : "none");
    if (sent) {
        /* The server's choices that the next messages carry. */
        char key[40];
        if (!c->sess.resumed && c->suite != NULL) {
            our_key(c, key, sizeof key);
            add(fs, "certificate_key", "%s", key);
            if (tern_suite_is_ecdhe(c->suite)) {
                const char *g = tern_name_group(h->group);
                add(fs, "chosen_group", "%s (%u)", g ? g : "unknown", h->group);
                const char *sc = tern_name_sigscheme(c->sigscheme);
                add(fs, "chosen_scheme", "%s (0x%04x)", sc ? sc : "unknown", c->sigscheme);
            }
        }
        add(fs, "resumed", "%s", c->sess.resumed ? "yes" : "no");
    }
}

void tern_trace_extension(tern_conn *c, uint16_t type) {
    if (!tracing(c))
        return;
    note n = load(c);
    if (n.waiting && n.nexts < TERN_ARRAY_LEN(n.exts)) {
        n.exts[n.nexts++] = type;
        store(c, &n);
    }
}

void tern_trace_hello(tern_conn *c, int sent, size_t session_id_len) {
    if (!tracing(c))
        return;
    int client_hello = (c->side == TERN_CLIENT) == (sent != 0);
    int type = client_hello ? TERN_HT_CLIENT_HELLO : TERN_HT_SERVER_HELLO;
    if (sent) {
        note n;
        written(c, &n, type);
        n.sid_len = (uint8_t)(session_id_len <= 32 ? session_id_len : 32);
        n.resumed_note = !client_hello && c->sess.resumed;
        store(c, &n);
        return;
    }
    note nt = load(c);
    fields fs;
    const uint8_t *b;
    size_t len;
    received_begin(c, type, &fs, &b, &len);
    if (client_hello)
        client_hello_received(c, &fs, session_id_len);
    else
        server_hello_fields(c, &fs, session_id_len, 0, &nt);
    message_event(c, type, 0, &fs, b, len);
    if (!client_hello && c->sess.resumed)
        resumed_event(c, "the server accepted our session (same session_id, or our ticket)");
}

/* ---- what a message reported nothing for ---- */

/* A sent message whose writer made no report, or a received one whose
 * parser stopped (or has no report): what the engine's state says. */
static void fallback_fields(tern_conn *c, int type, int sent, fields *fs) {
    if (type == TERN_HT_CHANGE_CIPHER_SPEC && !sent)
        return; /* the parser reports it (tern_trace_parsed) once it checked the byte */
    if (type == TERN_HT_CHANGE_CIPHER_SPEC) {
        add(fs, "type", "change_cipher_spec (1)");
        return;
    }
    if (type == TERN_HT_CERTIFICATE && sent) {
        /* Our key store's chain (lib/hs_certificate.c,
         * lib/hs_client_certificate.c write it whole, or none). */
        const tern_keystore *ks = tern_conn_keys(c);
        int none = c->side == TERN_CLIENT && (c->hs_state == NULL || !c->hs_state->client_cert_sent);
        if (ks == NULL || none || !c->cfg->have_keys)
            certificate_fields(fs, NULL, NULL, 0);
        else
            certificate_fields(fs, ks->chain, ks->chain_len, ks->n);
        return;
    }
    if (type == TERN_HT_CLIENT_HELLO && !sent && c->side == TERN_SERVER && c->hs_state != NULL &&
        c->hs_state->ch.state != 0) {
        /* The server's ClientHello parse reports after its choice; one
         * that stopped before still shows what was read of the offer. */
        client_hello_received(c, fs, c->hs_state->ch.sid_len);
        return;
    }
    if (!sent && c->state == TERN_ST_FAILED)
        add(fs, "refused", "the engine stopped reading it here (the alert says why)");
}

/* ---- key exchange, signatures, the rest of the messages ---- */

static void add_group(fields *fs, const char *field, uint16_t group) {
    const char *g = tern_name_group(group);
    add(fs, field, "%s (%u)", g ? g : "unknown", group);
}

/* The scheme of a signature and the key that made it: ours when we sent
 * it, else the peer certificate's (whose: "the server certificate's"). */
static void signature_fields(tern_conn *c, fields *fs, int sent, uint16_t scheme, const char *whose) {
    add_code(fs, "signature_algorithm", tern_name_sigscheme(scheme), scheme, 4);
    char key[40];
    if (sent)
        our_key(c, key, sizeof key);
    else
        peer_key(c, key, sizeof key);
    add(fs, "signed_with", "%s %s", sent ? "our" : whose, key);
}

static void server_kx_fields(tern_conn *c, fields *fs, int sent, uint16_t group, const uint8_t *pub,
                             size_t publen, uint16_t scheme) {
    add(fs, "curve_type", "named_curve (3)");
    add_group(fs, "named_curve", group);
    add_hex(fs, "public", pub, publen);
    signature_fields(c, fs, sent, scheme, "the server certificate's");
}

static void client_kx_fields(fields *fs, uint16_t group, const uint8_t *pub, size_t publen) {
    if (group == 0) { /* EncryptedPreMasterSecret (RFC 5246 §7.4.7.1): ciphertext, not a secret */
        add(fs, "encrypted_premaster", "%zu bytes (RSAES-PKCS1-v1_5 to the server certificate's key)", publen);
        return;
    }
    add_group(fs, "group", group); /* named in ServerKeyExchange, not repeated on the wire */
    add_hex(fs, "public", pub, publen);
}

static void cert_verify_fields(tern_conn *c, fields *fs, int sent, uint16_t scheme) {
    signature_fields(c, fs, sent, scheme, "the client certificate's");
}

/* The values of a written or received message, reported by its file: a
 * written one's wait in the note until lib/hs.c has its final bytes
 * (tern_trace_message words them there); a received one's are worded now,
 * with the bytes lib/hs.c announced.  Both go through note_fields. */
static int report_begin(tern_conn *c, int type, int sent, note *n) {
    if (!tracing(c))
        return 0;
    if (sent)
        written(c, n, type);
    else
        memset(n, 0, sizeof *n);
    return 1;
}

static void report_end(tern_conn *c, int type, int sent, const note *n) {
    if (sent) {
        store(c, n);
        return;
    }
    fields fs;
    const uint8_t *b;
    size_t len;
    received_begin(c, type, &fs, &b, &len);
    note_fields(c, n, type, 0, &fs);
    message_event(c, type, 0, &fs, b, len);
}

void tern_trace_server_kx(tern_conn *c, int sent, uint16_t group, const uint8_t *pub, size_t publen,
                          uint16_t scheme) {
    note n; /* sent: pub is our key, in the handshake state */
    if (!report_begin(c, TERN_HT_SERVER_KEY_EXCHANGE, sent, &n))
        return;
    n.group = group;
    n.scheme = scheme;
    n.pub = pub;
    n.publen = (uint32_t)publen;
    report_end(c, TERN_HT_SERVER_KEY_EXCHANGE, sent, &n);
}

void tern_trace_client_kx(tern_conn *c, int sent, uint16_t group, const uint8_t *pub, size_t publen) {
    note n;
    if (!report_begin(c, TERN_HT_CLIENT_KEY_EXCHANGE, sent, &n))
        return;
    n.group = group;
    n.pub = pub;
    n.publen = (uint32_t)publen;
    report_end(c, TERN_HT_CLIENT_KEY_EXCHANGE, sent, &n);
}

void tern_trace_cert_verify(tern_conn *c, int sent, uint16_t scheme) {
    note n;
    if (!report_begin(c, TERN_HT_CERTIFICATE_VERIFY, sent, &n))
        return;
    n.scheme = scheme;
    report_end(c, TERN_HT_CERTIFICATE_VERIFY, sent, &n);
}

void tern_trace_signature(tern_conn *c, int type, uint16_t scheme, int rc) {
    if (!tracing(c))
        return;
    flush(c, 1);
    int ske = type == TERN_HT_SERVER_KEY_EXCHANGE;
    const char *s = tern_name_sigscheme(scheme);
    char key[40], sch[48], detail[400];
    peer_key(c, key, sizeof key);
    snprintf(sch, sizeof sch, "%s", s ? s : "an unknown scheme");
    fields fs;
    fs.n = fs.used = 0;
    add_code(&fs, "signature_algorithm", s, scheme, 4);
    add(&fs, "key", "%s", key);
    add(&fs, "verdict", "%s", rc == 0 ? "verified" : "does NOT verify");
    if (rc == 0 && ske)
        snprintf(detail, sizeof detail,
                 "the ServerKeyExchange signature (%s) verified with the %s public key of the server's "
                 "certificate: the server holds that certificate's private key, and signed this handshake's "
                 "randoms and its ephemeral key",
                 sch, key);
    else if (rc == 0)
        snprintf(detail, sizeof detail,
                 "the client's CertificateVerify signature (%s) over the handshake messages verified with the %s "
                 "key of its certificate: the client holds that certificate's private key",
                 sch, key);
    else
        snprintf(detail, sizeof detail,
                 "the %s signature (%s) does NOT verify with the %s key of the %s certificate: %s",
                 ske ? "ServerKeyExchange" : "client's CertificateVerify", sch, key, ske ? "server's" : "client's",
                 tern_strerror(rc));
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_CHECK;
    ev.name = ske ? (rc == 0 ? "signature verified" : "signature refused")
                  : (rc == 0 ? "client signature verified" : "client signature refused");
    ev.rfc = ske ? "RFC 5246 7.4.3, RFC 8422 5.4" : "RFC 5246 7.4.8";
    ev.status = rc;
    ev.detail = detail;
    ev.fields = fs.f;
    ev.nfields = fs.n;
    emit(c, &ev);
}

static void cert_request_sent_fields(const tern_conn *c, fields *fs, int ca_names) {
    const tern_config *cfg = c->cfg;
    add(fs, "certificate_types", "%s, %s", tern_name_cert_type(TERN_CERT_TYPE_RSA_SIGN),
        tern_name_cert_type(TERN_CERT_TYPE_ECDSA_SIGN)); /* as lib/hs_certificate_request.c writes them */
    add_list16(fs, "signature_algorithms", tern_sigalgs_offer, TERN_ARRAY_LEN(tern_sigalgs_offer),
               tern_name_sigscheme);
    size_t n = ca_names ? cfg->trust.n : 0;
    for (size_t i = 0; i < n && i < 4; i++) {
        char name[160];
        tern_x509_name_display(cfg->trust.anchors[i].cert.subject, name, sizeof name);
        add(fs, "certificate_authority", "%s", name);
    }
    add(fs, "certificate_authorities", "%zu%s", n, n ? "" : " (any CA the server trusts)");
}

void tern_trace_cert_request(tern_conn *c, int sent, int ca_names, const tern_reader *types,
                             const tern_reader *algs, const tern_reader *cas) {
    note nt;
    if (!report_begin(c, TERN_HT_CERTIFICATE_REQUEST, sent, &nt))
        return;
    if (sent) { /* worded when lib/hs.c has the bytes */
        nt.ca_names = ca_names != 0;
        report_end(c, TERN_HT_CERTIFICATE_REQUEST, 1, &nt);
        return;
    }
    fields fs;
    const uint8_t *b;
    size_t len;
    received_begin(c, TERN_HT_CERTIFICATE_REQUEST, &fs, &b, &len);
    /* The parser framed the three vectors and checked every name's frame;
     * the entries are read here only to be named. */
    char buf[512] = "";
    tern_reader t = *types, a = *algs, d = *cas;
    uint8_t ty;
    while (tern_rd_u8(&t, &ty) == 0)
        list_item(buf, sizeof buf, tern_name_cert_type(ty), ty, 2);
    add(&fs, "certificate_types", "%s", buf);
    buf[0] = '\0';
    uint16_t sc;
    while (tern_rd_u16(&a, &sc) == 0)
        list_item(buf, sizeof buf, tern_name_sigscheme(sc), sc, 4);
    add(&fs, "signature_algorithms", "%s", buf);
    size_t n = 0;
    tern_reader dn;
    while (tern_rd_vec16(&d, &dn) == 0) {
        if (n++ < 4) {
            char name[160];
            tern_span sp = {dn.p, tern_rd_left(&dn)};
            tern_x509_name_display(sp, name, sizeof name);
            add(&fs, "certificate_authority", "%s", name);
        }
    }
    add(&fs, "certificate_authorities", "%zu%s", n, n ? "" : " (any CA the server trusts)");
    const tern_hs_state *h = c->hs_state;
    if (h->client_may_send) {
        char key[40];
        our_key(c, key, sizeof key);
        const char *s = tern_name_sigscheme(h->cv_scheme);
        add(&fs, "our_answer", "our %s certificate, signing with %s", key, s ? s : "?");
    } else {
        add(&fs, "our_answer", "no certificate of ours fits: an empty Certificate");
    }
    message_event(c, TERN_HT_CERTIFICATE_REQUEST, 0, &fs, b, len);
}

/* NewSessionTicket: the ticket is opaque to the client (the server's
 * encrypted session state), so only its size is shown. */
static void ticket_fields(fields *fs, uint32_t lifetime, size_t ticket_len) {
    add(fs, "ticket_lifetime_hint", "%u seconds", (unsigned)lifetime);
    add(fs, "ticket", "%zu bytes (opaque to the client)", ticket_len);
}

void tern_trace_ticket(tern_conn *c, int sent, uint32_t lifetime, size_t ticket_len) {
    note n;
    if (!report_begin(c, TERN_HT_NEW_SESSION_TICKET, sent, &n))
        return;
    n.lifetime = lifetime;
    n.ticket_len = (uint32_t)ticket_len;
    report_end(c, TERN_HT_NEW_SESSION_TICKET, sent, &n);
}

/* CertificateStatus (RFC 6066 §8): the response is the responder's
 * signed statement; its content is worded by the check's event. */
static void cert_status_fields(fields *fs, uint32_t response_len) {
    add(fs, "status_type", "ocsp (1)");
    add(fs, "response", "%u bytes (a DER OCSPResponse, RFC 6960 4.2.1)", (unsigned)response_len);
}

void tern_trace_cert_status(tern_conn *c, int sent, size_t response_len) {
    note n;
    if (!report_begin(c, TERN_HT_CERTIFICATE_STATUS, sent, &n))
        return;
    n.publen = (uint32_t)response_len;
    report_end(c, TERN_HT_CERTIFICATE_STATUS, sent, &n);
}

static const char *const staple_names[] = {
    "no OCSP response", "OCSP response good", "OCSP status unknown", "OCSP response: revoked",
    "OCSP response refused", "OCSP response missing",
};

void tern_trace_ocsp(tern_conn *c, int verdict, int rc, const tern_ocsp_info *info, const char *detail) {
    if (!tracing(c))
        return;
    flush(c, 1);
    fields fs;
    fs.n = fs.used = 0;
    char text[600], d1[40], d2[40];
    if (info != NULL && info->this_update != 0) {
        static const char *const status[] = {"good", "revoked", "unknown"};
        add(&fs, "serial", "%s", info->serial_hex);
        add(&fs, "cert_status", "%s", info->cert_status >= 0 && info->cert_status <= 2 ? status[info->cert_status] : "?");
        if (info->cert_status == TERN_OCSP_REVOKED) {
            date_text(info->revocation_time, d1, sizeof d1);
            add(&fs, "revoked", "%s (%s)", d1, tern_ocsp_reason_name(info->revocation_reason));
        }
        date_text(info->produced_at, d1, sizeof d1);
        add(&fs, "produced_at", "%s", d1);
        date_text(info->this_update, d1, sizeof d1);
        add(&fs, "this_update", "%s", d1);
        if (info->next_update != 0) {
            date_text(info->next_update, d2, sizeof d2);
            add(&fs, "next_update", "%s", d2);
        } else {
            add(&fs, "next_update", "absent");
        }
        add(&fs, "signed_by", "%s", info->delegated ? "a delegated responder certified by the issuer (id-kp-OCSPSigning)"
                                                    : "the certificate's issuer");
    }
    if (verdict == TERN_STAPLE_GOOD && info != NULL) {
        snprintf(text, sizeof text,
                 "the server stapled an OCSP response, signed by %s, saying its certificate (serial %s) is good as of "
                 "%s: it was not revoked then, and we did not have to ask the CA ourselves",
                 info->delegated ? "a delegated responder of the issuer" : "the issuer", info->serial_hex, d1);
        detail = text;
    }
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_CHECK;
    ev.name = verdict >= 0 && verdict < (int)TERN_ARRAY_LEN(staple_names) ? staple_names[verdict] : "OCSP";
    if (verdict == TERN_STAPLE_NONE && rc == 1)
        ev.name = "OCSP response not checked";
    ev.rfc = c->hs_state->must_staple ? "RFC 6066 8, RFC 6960 4.2, RFC 7633 4.2.3.1" : "RFC 6066 8, RFC 6960 4.2";
    ev.status = rc == 1 ? 0 : rc;
    ev.detail = detail;
    ev.fields = fs.f;
    ev.nfields = fs.n;
    emit(c, &ev);
}

void tern_trace_staple_skipped(tern_conn *c, const char *why) {
    if (!tracing(c))
        return;
    flush(c, 1);
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_CHECK;
    ev.name = "OCSP response not stapled";
    ev.rfc = "RFC 6066 8";
    ev.detail = why;
    emit(c, &ev);
}

void tern_trace_finished(tern_conn *c, int sent, const uint8_t verify_data[TERN_VERIFY_LEN], int match) {
    note n;
    if (!report_begin(c, TERN_HT_FINISHED, sent, &n))
        return;
    if (sent) { /* verify_data: ours, kept in the connection */
        n.pub = verify_data;
        report_end(c, TERN_HT_FINISHED, 1, &n);
        return;
    }
    fields fs;
    const uint8_t *b;
    size_t len;
    received_begin(c, TERN_HT_FINISHED, &fs, &b, &len);
    add_hex(&fs, "verify_data", verify_data, TERN_VERIFY_LEN);
    add(&fs, "check", "%s", match ? "equals the verify_data we computed from our transcript"
                                  : "does NOT equal the verify_data we computed from our transcript");
    message_event(c, TERN_HT_FINISHED, 0, &fs, b, len);
}

void tern_trace_parsed(tern_conn *c) {
    if (!tracing(c))
        return;
    note n = load(c);
    if (!n.waiting)
        return;
    fields fs;
    const uint8_t *b;
    size_t len;
    received_begin(c, n.type, &fs, &b, &len);
    if (n.type == TERN_HT_CHANGE_CIPHER_SPEC)
        add(&fs, "type", "change_cipher_spec (1)"); /* the one value the parser accepts */
    message_event(c, n.type, 0, &fs, b, len);
}

/* The fields of a message we wrote, from its writer's report. */
static void note_fields(tern_conn *c, const note *n, int type, int sent, fields *fs) {
    switch (type) {
    case TERN_HT_CLIENT_HELLO: client_hello_sent(c, fs, n->sid_len); break;
    case TERN_HT_SERVER_HELLO: server_hello_fields(c, fs, n->sid_len, 1, n); break;
    case TERN_HT_SERVER_KEY_EXCHANGE: server_kx_fields(c, fs, sent, n->group, n->pub, n->publen, n->scheme); break;
    case TERN_HT_CLIENT_KEY_EXCHANGE: client_kx_fields(fs, n->group, n->pub, n->publen); break;
    case TERN_HT_CERTIFICATE_VERIFY: cert_verify_fields(c, fs, sent, n->scheme); break;
    case TERN_HT_CERTIFICATE_REQUEST: cert_request_sent_fields(c, fs, n->ca_names); break;
    case TERN_HT_NEW_SESSION_TICKET: ticket_fields(fs, n->lifetime, n->ticket_len); break;
    case TERN_HT_CERTIFICATE_STATUS: cert_status_fields(fs, n->publen); break;
    case TERN_HT_FINISHED: add_hex(fs, "verify_data", n->pub, TERN_VERIFY_LEN); break;
    default: break;
    }
}

static void cert_event(tern_conn *c, int index, const tern_x509_cert *cert, int status, const char *detail,
                       const char *role) {
    fields fs;
    fs.n = fs.used = 0;
    char subj[200], iss[200], nb[40], na[40];
    tern_x509_name_display(cert->subject, subj, sizeof subj);
    tern_x509_name_display(cert->issuer, iss, sizeof iss);
    date_text(cert->not_before, nb, sizeof nb);
    date_text(cert->not_after, na, sizeof na);
    add(&fs, "role", "%s", role);
    add(&fs, "subject", "%s", subj);
    add(&fs, "issuer", "%s", iss);
    add(&fs, "valid", "%s .. %s", nb, na);
    char key[40];
    key_text(key, sizeof key, cert->key.type, cert->key.bits, cert->key.curve);
    add(&fs, "key", "%s", key);
    if (cert->has_basic_constraints)
        add(&fs, "basic_constraints", "cA=%s%s", cert->is_ca ? "true" : "false", cert->has_path_len ? ", pathLen set" : "");
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_CERT;
    ev.name = role;
    ev.rfc = "RFC 5280 6.1";
    ev.index = index;
    ev.status = status;
    ev.detail = detail;
    ev.fields = fs.f;
    ev.nfields = fs.n;
    emit(c, &ev);
}

void tern_trace_chain(tern_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n,
                      const tern_x509_result *res, int rc) {
    if (c->cfg->trace == NULL)
        return;
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_CHAIN;
    ev.rfc = "RFC 5280 6, RFC 9525 6";
    if (rc == 1) {
        ev.name = "not verified";
        ev.detail = "verification is switched off (tern_config_insecure_skip_verify): the chain was NOT checked, "
                    "anyone on the path could have sent it";
        emit(c, &ev);
        return;
    }
    tern_x509_cert cert;
    int on_path[TERN_X509_MAX_PEER_CERTS] = {0};
    if (rc == 0) {
        for (size_t k = 0; k < res->path_n && k < TERN_X509_MAX_DEPTH; k++) {
            size_t i = res->path[k];
            if (i >= n || tern_x509_parse(&cert, certs[i], lens[i]) < 0)
                continue;
            on_path[i < TERN_X509_MAX_PEER_CERTS ? i : 0] = 1;
            char detail[512];
            if (k == 0 && c->side == TERN_CLIENT)
                snprintf(detail, sizeof detail,
                         "ok: signature verified with its issuer's key, inside its validity period, allowed for "
                         "server use, and it names %s",
                         c->server_name[0] ? c->server_name : "the server");
            else if (k == 0) /* a client certificate: no name to check (RFC 5246 §7.4.6) */
                snprintf(detail, sizeof detail,
                         "ok: signature verified with its issuer's key, inside its validity period, allowed for "
                         "client use (extKeyUsage clientAuth)");
            else
                snprintf(detail, sizeof detail,
                         "ok: a CA (basicConstraints cA, keyCertSign), signature verified with its issuer's key, "
                         "inside its validity period");
            cert_event(c, (int)i, &cert, 0, detail, k == 0 ? "leaf" : "intermediate CA");
        }
        if (res->anchor != NULL)
            cert_event(c, -1, &res->anchor->cert, 0,
                       "found in the trust store: trusted because you put it there, its own signature is not checked",
                       "trust anchor");
        for (size_t i = 0; i < n && i < TERN_X509_MAX_PEER_CERTS; i++)
            if (!on_path[i] && tern_x509_parse(&cert, certs[i], lens[i]) == 0)
                cert_event(c, (int)i, &cert, 0, "not needed: the path to the trust store does not use it", "unused");
        ev.name = "chain valid";
        char detail[128];
        snprintf(detail, sizeof detail, "%zu certificate%s from the peer lead to an anchor in the trust store",
                 res->path_n, res->path_n == 1 ? "" : "s");
        ev.detail = detail;
        emit(c, &ev);
        return;
    }
    if (res->failed_index >= 0 && (size_t)res->failed_index < n &&
        tern_x509_parse(&cert, certs[res->failed_index], lens[res->failed_index]) == 0)
        cert_event(c, res->failed_index, &cert, rc, res->msg, res->failed_index == 0 ? "leaf" : "certificate");
    ev.name = "chain refused";
    ev.status = rc;
    ev.detail = res->msg[0] ? res->msg : tern_strerror(rc);
    emit(c, &ev);
}

static void keys_event(tern_conn *c, const char *name, const char *rfc, const char *detail) {
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_KEYS;
    ev.name = name;
    ev.rfc = rfc;
    ev.detail = detail;
    emit(c, &ev);
}

static void keylog(tern_conn *c) {
    const tern_config *cfg = c->cfg;
    if (cfg->keylog != NULL) {
        /* "CLIENT_RANDOM " 64 hex " " 96 hex */
        char line[14 + 64 + 1 + 96 + 1];
        snprintf(line, sizeof line, "CLIENT_RANDOM ");
        tern_trace_hex(line + 14, c->hs_state->client_random, TERN_RANDOM_LEN);
        line[14 + 64] = ' ';
        tern_trace_hex(line + 14 + 65, c->master, TERN_MASTER_LEN);
        cfg->keylog(cfg->keylog_arg, line);
        tern_wipe(line, sizeof line);
    }
}

void tern_trace_keys(tern_conn *c) {
    if (c->cfg->trace == NULL) {
        keylog(c);
        return;
    }
    flush(c, 1);
    if (c->sess.resumed) {
        keys_event(c, "master_secret", "RFC 5246 7.3, RFC 5077 3.1",
                   "reused: the 48-byte master secret of the session being resumed (no premaster this time); "
                   "this handshake's fresh randoms still make the traffic keys new");
    } else if (rsa_kx(c))
        keys_event(c, "premaster_secret", "RFC 5246 7.4.7.1",
                   "48 bytes the client chose at random (after the version 0x0303) and sent encrypted to the RSA "
                   "key of the server's certificate; only the holder of that private key can read it (and anyone "
                   "who gets that key later can read it too: no forward secrecy without ECDHE)");
    else if (c->hs_state->group == TERN_GROUP_SECP384R1) /* lib/kx.c */
        keys_event(c, "premaster_secret", "RFC 8422 5.10, SEC 1 3.3.1",
                   "the X coordinate of ECDH on P-384 (our ephemeral private key times the peer's ephemeral "
                   "point, checked to lie on the curve): 48 bytes that both sides computed on their own and that "
                   "never crossed the wire");
    else if (c->hs_state->group == TERN_GROUP_SECP256R1) /* lib/kx.c */
        keys_event(c, "premaster_secret", "RFC 8422 5.10, SEC 1 3.3.1",
                   "the X coordinate of ECDH on P-256 (our ephemeral private key times the peer's ephemeral "
                   "point, checked to lie on the curve): 32 bytes that both sides computed on their own and that "
                   "never crossed the wire");
    else
        keys_event(c, "premaster_secret", "RFC 8422 5.10, RFC 7748 6.1",
                   "X25519(our ephemeral private key, the peer's ephemeral public key): 32 bytes that both sides "
                   "computed on their own and that never crossed the wire");
    char detail[300];
    if (c->ems)
        snprintf(detail, sizeof detail,
                 "48 bytes = PRF-%s(premaster, \"extended master secret\", session_hash), the hash of every "
                 "handshake message from ClientHello to ClientKeyExchange: it binds the keys to this handshake",
                 c->suite->prf == TERN_HASH_SHA384 ? "SHA384" : "SHA256");
    else
        snprintf(detail, sizeof detail,
                 "48 bytes = PRF-%s(premaster, \"master secret\", client_random + server_random) (the peer does "
                 "not support the extended master secret)",
                 c->suite->prf == TERN_HASH_SHA384 ? "SHA384" : "SHA256");
    if (!c->sess.resumed)
        keys_event(c, "master_secret", c->ems ? "RFC 7627 4" : "RFC 5246 8.1", detail);
    size_t k = c->suite->key_len;
    if (c->suite->aead == TERN_AEAD_CHACHA20_POLY1305) /* RFC 7905 §2 (lib/record_chacha.c) */
        snprintf(detail, sizeof detail,
                 "PRF(master, \"key expansion\", server_random + client_random) cut into client_write_key (32 "
                 "bytes), server_write_key (32), client_write_IV (12) and server_write_IV (12): the "
                 "ChaCha20-Poly1305 keys and the IVs each record's sequence number is XORed into");
    else
        snprintf(detail, sizeof detail,
                 "PRF(master, \"key expansion\", server_random + client_random) cut into client_write_key (%zu "
                 "bytes), server_write_key (%zu), client_write_IV (4) and server_write_IV (4): the AES-GCM keys "
                 "and implicit nonces",
                 k, k);
    keys_event(c, "key_block",
               c->suite->aead == TERN_AEAD_CHACHA20_POLY1305 ? "RFC 5246 6.3, RFC 7905 2" : "RFC 5246 6.3, RFC 5288 3",
               detail);
    keylog(c); /* after the steps, so a narrative shows the secret after naming it */
}

void tern_trace_keys_on(tern_conn *c, int for_write) {
    if (c->cfg->trace == NULL)
        return;
    flush(c, 1);
    int client_keys = (c->side == TERN_CLIENT) == (for_write != 0);
    char detail[200];
    if (c->suite->aead == TERN_AEAD_CHACHA20_POLY1305) /* RFC 7905 §2 */
        snprintf(detail, sizeof detail, "%s records are now protected with ChaCha20-Poly1305 under the %s_write_key",
                 for_write ? "our" : "the peer's", client_keys ? "client" : "server");
    else
        snprintf(detail, sizeof detail, "%s records are now protected with AES-%zu-GCM under the %s_write_key",
                 for_write ? "our" : "the peer's", c->suite->key_len * 8, client_keys ? "client" : "server");
    keys_event(c, for_write ? "write keys on" : "read keys on", "RFC 5246 6.2.3.3, RFC 5288 3", detail);
}

void tern_trace_alert(tern_conn *c, int sent, int level, int desc) {
    if (c->cfg->trace == NULL)
        return;
    /* An alert we send while a received message waits: its parse stopped
     * there (we are inside it); one we receive comes between messages. */
    flush(c, sent);
    const char *name = tern_alert_name(desc);
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_ALERT;
    ev.sent = sent;
    ev.name = name ? name : "unknown alert";
    ev.rfc = "RFC 5246 7.2";
    ev.index = level;
    if (sent && c->state == TERN_ST_FAILED) {
        ev.status = c->err;
        ev.detail = c->errmsg;
    }
    emit(c, &ev);
}

void tern_trace_done(tern_conn *c) {
    if (c->cfg->trace == NULL)
        return;
    flush(c, 0);
    fields fs;
    fs.n = fs.used = 0;
    add(&fs, "version", "TLS 1.2");
    add(&fs, "cipher_suite", "%s", c->suite ? c->suite->name : "?");
    add(&fs, "extended_master_secret", "%s", c->ems ? "yes" : "no");
    add(&fs, "resumed", "%s", c->sess.resumed ? "yes (abbreviated handshake)" : "no (full handshake)");
    add(&fs, "alpn", "%s", c->alpn && c->alpn[0] ? c->alpn : "none");
    if (c->kx_group != 0)
        add_group(&fs, "group", c->kx_group);
    else if (!c->sess.resumed)
        add(&fs, "group", "none (RSA key exchange)");
    const char *s = tern_name_sigscheme(c->sigscheme);
    add(&fs, "signature_scheme", "%s", s ? s : "none");
    if (c->peer_subject != NULL && c->peer_subject[0])
        add(&fs, "peer", "%s", c->peer_subject);
    if (c->server_name[0])
        add(&fs, "server_name", "%s", c->server_name);
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_DONE;
    ev.name = "handshake complete";
    ev.rfc = "RFC 5246 7.3";
    ev.fields = fs.f;
    ev.nfields = fs.n;
    emit(c, &ev);
}

/* ---- the public setters ---- */

void tern_config_set_trace(tern_config *cfg, tern_trace_fn fn, void *arg) {
    if (cfg == NULL)
        return;
    cfg->trace = fn;
    cfg->trace_arg = arg;
}

void tern_config_set_keylog(tern_config *cfg, tern_keylog_fn fn, void *arg) {
    if (cfg == NULL)
        return;
    cfg->keylog = fn;
    cfg->keylog_arg = arg;
}
