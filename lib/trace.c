/*
 * The handshake trace and the NSS key log: structured, secret-free events
 * for tern_config_set_trace(), and "CLIENT_RANDOM <cr> <master>" lines for
 * tern_config_set_keylog() (the NSS key log format that Wireshark reads;
 * RFC 5246 §8.1 for the master secret it carries).
 *
 * Messages are decoded here, from their wire bytes, with the same bounded
 * reader the engine uses (lib/bytes.h): the engine's message files stay
 * free of trace code, and a received message is described even when it is
 * malformed (the decoder stops at the first bad field and says so; the
 * engine's own parse then rejects it).  Field names follow the RFC
 * structs: ClientHello (RFC 5246 §7.4.1.2), ServerHello (§7.4.1.3),
 * Certificate (§7.4.2), ServerKeyExchange (RFC 8422 §5.4),
 * ClientKeyExchange (RFC 8422 §5.7), Finished (RFC 5246 §7.4.9).
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

/* ---- names ---- */

static const char *suite_name(uint16_t id) {
    const tern_suite *s = tern_suite_by_id(id);
    if (s != NULL)
        return s->name;
    switch (id) {
    case 0x00ff: return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    case 0xc02b: return "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256";
    case 0xc02c: return "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384";
    case 0xcca8: return "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0xcca9: return "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
    case 0x009c: return "TLS_RSA_WITH_AES_128_GCM_SHA256";
    case 0x009d: return "TLS_RSA_WITH_AES_256_GCM_SHA384";
    case 0x1301: return "TLS_AES_128_GCM_SHA256 (TLS 1.3)";
    case 0x1302: return "TLS_AES_256_GCM_SHA384 (TLS 1.3)";
    case 0x1303: return "TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3)";
    default: return NULL;
    }
}

static const char *sigalg_name(uint16_t s) {
    switch (s) {
    case 0x0401: return "rsa_pkcs1_sha256";
    case 0x0501: return "rsa_pkcs1_sha384";
    case 0x0601: return "rsa_pkcs1_sha512";
    case 0x0804: return "rsa_pss_rsae_sha256";
    case 0x0805: return "rsa_pss_rsae_sha384";
    case 0x0806: return "rsa_pss_rsae_sha512";
    case 0x0809: return "rsa_pss_pss_sha256";
    case 0x0403: return "ecdsa_secp256r1_sha256";
    case 0x0503: return "ecdsa_secp384r1_sha384";
    case 0x0603: return "ecdsa_secp521r1_sha512";
    case 0x0807: return "ed25519";
    case 0x0201: return "rsa_pkcs1_sha1";
    case 0x0203: return "ecdsa_sha1";
    default: return NULL;
    }
}

static const char *group_name(uint16_t g) {
    switch (g) {
    case 23: return "secp256r1";
    case 24: return "secp384r1";
    case 25: return "secp521r1";
    case 29: return "x25519";
    case 30: return "x448";
    default: return NULL;
    }
}

static const char *ext_name(uint16_t t) {
    switch (t) {
    case TERN_EXT_SERVER_NAME: return "server_name";
    case TERN_EXT_SUPPORTED_GROUPS: return "supported_groups";
    case TERN_EXT_EC_POINT_FORMATS: return "ec_point_formats";
    case TERN_EXT_SIGNATURE_ALGORITHMS: return "signature_algorithms";
    case TERN_EXT_ALPN: return "application_layer_protocol_negotiation";
    case TERN_EXT_EXTENDED_MASTER_SECRET: return "extended_master_secret";
    case TERN_EXT_SESSION_TICKET: return "session_ticket";
    case TERN_EXT_RENEGOTIATION_INFO: return "renegotiation_info";
    case 5: return "status_request";
    case 18: return "signed_certificate_timestamp";
    case 21: return "padding";
    case 22: return "encrypt_then_mac";
    case 43: return "supported_versions";
    case 45: return "psk_key_exchange_modes";
    case 51: return "key_share";
    default: return NULL;
    }
}

static const char *msg_name(int type) {
    switch (type) {
    case TERN_HT_HELLO_REQUEST: return "HelloRequest";
    case TERN_HT_CLIENT_HELLO: return "ClientHello";
    case TERN_HT_SERVER_HELLO: return "ServerHello";
    case TERN_HT_NEW_SESSION_TICKET: return "NewSessionTicket";
    case TERN_HT_CERTIFICATE: return "Certificate";
    case TERN_HT_SERVER_KEY_EXCHANGE: return "ServerKeyExchange";
    case TERN_HT_CERTIFICATE_REQUEST: return "CertificateRequest";
    case TERN_HT_SERVER_HELLO_DONE: return "ServerHelloDone";
    case TERN_HT_CERTIFICATE_VERIFY: return "CertificateVerify";
    case TERN_HT_CLIENT_KEY_EXCHANGE: return "ClientKeyExchange";
    case TERN_HT_FINISHED: return "Finished";
    case TERN_HT_CHANGE_CIPHER_SPEC: return "ChangeCipherSpec";
    default: return "unknown handshake message";
    }
}

static const char *msg_rfc(int type) {
    switch (type) {
    case TERN_HT_CLIENT_HELLO: return "RFC 5246 7.4.1.2";
    case TERN_HT_SERVER_HELLO: return "RFC 5246 7.4.1.3";
    case TERN_HT_CERTIFICATE: return "RFC 5246 7.4.2";
    case TERN_HT_SERVER_KEY_EXCHANGE: return "RFC 5246 7.4.3, RFC 8422 5.4";
    case TERN_HT_CERTIFICATE_REQUEST: return "RFC 5246 7.4.4";
    case TERN_HT_SERVER_HELLO_DONE: return "RFC 5246 7.4.5";
    case TERN_HT_CERTIFICATE_VERIFY: return "RFC 5246 7.4.8";
    case TERN_HT_CLIENT_KEY_EXCHANGE: return "RFC 5246 7.4.7, RFC 8422 5.7";
    case TERN_HT_FINISHED: return "RFC 5246 7.4.9";
    case TERN_HT_CHANGE_CIPHER_SPEC: return "RFC 5246 7.1";
    case TERN_HT_HELLO_REQUEST: return "RFC 5246 7.4.1.1";
    case TERN_HT_NEW_SESSION_TICKET: return "RFC 5077 3.3";
    default: return "RFC 5246 7.4";
    }
}

/* Append "name (0x....)" items to a comma list in buf. */
static void list_item(char *buf, size_t cap, const char *name, unsigned code, int width) {
    size_t n = strlen(buf);
    if (n + 1 >= cap)
        return;
    if (name != NULL)
        snprintf(buf + n, cap - n, "%s%s", n ? ", " : "", name);
    else
        snprintf(buf + n, cap - n, "%s0x%0*x", n ? ", " : "", width, code);
}

static void date_text(int64_t t, char *out, size_t cap) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

/* ---- decoders: each reads what it can and returns 0, or
 * TERN_ERR_DECODE at the first field it cannot read. ---- */

static int dec_extensions(fields *fs, tern_reader *r) {
    tern_reader exts;
    TERN_TRY(tern_rd_vec16(r, &exts));
    char names[512] = "";
    while (tern_rd_left(&exts) > 0) {
        uint16_t type;
        tern_reader body;
        TERN_TRY(tern_rd_u16(&exts, &type));
        TERN_TRY(tern_rd_vec16(&exts, &body));
        list_item(names, sizeof names, ext_name(type), type, 4);
        char buf[512] = "";
        tern_reader l;
        switch (type) {
        case TERN_EXT_SERVER_NAME:
            if (tern_rd_left(&body) == 0) {
                add(fs, "server_name", "(acknowledged)");
                break;
            }
            if (tern_rd_vec16(&body, &l) == 0) {
                uint8_t nt;
                tern_reader name;
                if (tern_rd_u8(&l, &nt) == 0 && tern_rd_vec16(&l, &name) == 0) {
                    size_t k = tern_rd_left(&name) < 255 ? tern_rd_left(&name) : 255;
                    for (size_t i = 0; i < k; i++)
                        buf[i] = name.p[i] > 0x20 && name.p[i] < 0x7f ? (char)name.p[i] : '?';
                    buf[k] = '\0';
                    add(fs, "server_name", "%s", buf);
                }
            }
            break;
        case TERN_EXT_SUPPORTED_GROUPS:
            if (tern_rd_vec16(&body, &l) == 0) {
                uint16_t g;
                while (tern_rd_u16(&l, &g) == 0)
                    list_item(buf, sizeof buf, group_name(g), g, 4);
                add(fs, "supported_groups", "%s", buf);
            }
            break;
        case TERN_EXT_SIGNATURE_ALGORITHMS:
            if (tern_rd_vec16(&body, &l) == 0) {
                uint16_t s;
                while (tern_rd_u16(&l, &s) == 0)
                    list_item(buf, sizeof buf, sigalg_name(s), s, 4);
                add(fs, "signature_algorithms", "%s", buf);
            }
            break;
        case TERN_EXT_ALPN:
            if (tern_rd_vec16(&body, &l) == 0) {
                tern_reader name;
                while (tern_rd_vec8(&l, &name) == 0) {
                    size_t n = strlen(buf);
                    size_t k = tern_rd_left(&name);
                    if (n + k + 3 >= sizeof buf)
                        break;
                    if (n)
                        buf[n++] = ',';
                    for (size_t i = 0; i < k; i++)
                        buf[n + i] = name.p[i] >= 0x20 && name.p[i] < 0x7f ? (char)name.p[i] : '?';
                    buf[n + k] = '\0';
                }
                add(fs, "alpn", "%s", buf);
            }
            break;
        case TERN_EXT_EXTENDED_MASTER_SECRET:
            add(fs, "extended_master_secret", "yes");
            break;
        case TERN_EXT_SESSION_TICKET:
            if (tern_rd_left(&body) > 0)
                add(fs, "session_ticket", "a ticket (%zu bytes) to resume with", tern_rd_left(&body));
            else
                add(fs, "session_ticket", "empty");
            break;
        case TERN_EXT_RENEGOTIATION_INFO:
            add(fs, "renegotiation_info", "%s", tern_rd_left(&body) == 1 ? "empty (initial handshake)" : "present");
            break;
        case TERN_EXT_EC_POINT_FORMATS:
            add(fs, "ec_point_formats", "uncompressed%s", tern_rd_left(&body) > 2 ? " and others" : "");
            break;
        default:
            break;
        }
    }
    add(fs, "extensions", "%s", names[0] ? names : "none");
    return 0;
}

static int dec_hello(fields *fs, tern_reader *r, int client) {
    uint16_t version;
    const uint8_t *random;
    tern_reader sid;
    TERN_TRY(tern_rd_u16(r, &version));
    add(fs, client ? "client_version" : "server_version", "%s (0x%04x)",
        version == TERN_TLS12 ? "TLS 1.2" : version == 0x0301 ? "TLS 1.0" : version == 0x0302 ? "TLS 1.1" : "?",
        version);
    TERN_TRY(tern_rd_bytes(r, TERN_RANDOM_LEN, &random));
    add_hex(fs, "random", random, TERN_RANDOM_LEN);
    TERN_TRY(tern_rd_vec8(r, &sid));
    add(fs, "session_id", tern_rd_left(&sid) ? "%zu bytes" : "empty", tern_rd_left(&sid));
    if (client) {
        tern_reader suites, comp;
        TERN_TRY(tern_rd_vec16(r, &suites));
        char buf[1024] = "";
        uint16_t s;
        while (tern_rd_u16(&suites, &s) == 0)
            list_item(buf, sizeof buf, suite_name(s), s, 4);
        add(fs, "cipher_suites", "%s", buf);
        TERN_TRY(tern_rd_vec8(r, &comp));
        add(fs, "compression_methods", "%zu offered%s", tern_rd_left(&comp),
            tern_rd_left(&comp) == 1 && comp.p[0] == 0 ? " (null only)" : "");
    } else {
        uint16_t s;
        uint8_t comp;
        TERN_TRY(tern_rd_u16(r, &s));
        const char *n = suite_name(s);
        add(fs, "cipher_suite", "%s (0x%04x)", n ? n : "unknown", s);
        TERN_TRY(tern_rd_u8(r, &comp));
        add(fs, "compression_method", "%s (%u)", comp == 0 ? "null" : "?", comp);
    }
    if (tern_rd_left(r) > 0)
        TERN_TRY(dec_extensions(fs, r));
    else
        add(fs, "extensions", "none");
    return 0;
}

static int dec_certificate(fields *fs, tern_reader *r) {
    static const char *const labels[] = {"certificate[0]", "certificate[1]", "certificate[2]", "certificate[3]",
                                         "certificate[4]", "certificate[5]", "certificate[6]", "certificate[7]"};
    tern_reader list;
    TERN_TRY(tern_rd_vec24(r, &list));
    size_t n = 0;
    tern_reader scan = list;
    while (tern_rd_left(&scan) > 0) {
        tern_reader one;
        TERN_TRY(tern_rd_vec24(&scan, &one));
        n++;
    }
    add(fs, "certificates", "%zu", n);
    for (size_t i = 0; i < n && i < TERN_ARRAY_LEN(labels); i++) {
        tern_reader one;
        TERN_TRY(tern_rd_vec24(&list, &one));
        tern_x509_cert cert;
        if (tern_x509_parse(&cert, one.p, tern_rd_left(&one)) < 0) {
            add(fs, labels[i], "%zu bytes that do not parse as a certificate", tern_rd_left(&one));
            continue;
        }
        char subj[160], iss[160];
        tern_x509_name_display(cert.subject, subj, sizeof subj);
        tern_x509_name_display(cert.issuer, iss, sizeof iss);
        add(fs, labels[i], "subject %s; issuer %s; %s %zu-bit key; %zu bytes", subj, iss,
            cert.key.type == TERN_X509_KEY_RSA ? "RSA" : cert.key.type == TERN_X509_KEY_EC ? "EC" : "unknown",
            cert.key.bits, tern_rd_left(&one));
    }
    if (n > TERN_ARRAY_LEN(labels))
        add(fs, "more", "%zu further certificates", n - TERN_ARRAY_LEN(labels));
    return 0;
}

static int dec_ske(fields *fs, tern_reader *r) {
    uint8_t ctype;
    uint16_t group, scheme;
    tern_reader point, sig;
    TERN_TRY(tern_rd_u8(r, &ctype));
    add(fs, "curve_type", "%s (%u)", ctype == 3 ? "named_curve" : "?", ctype);
    TERN_TRY(tern_rd_u16(r, &group));
    const char *g = group_name(group);
    add(fs, "named_curve", "%s (%u)", g ? g : "?", group);
    TERN_TRY(tern_rd_vec8(r, &point));
    add_hex(fs, "public", point.p, tern_rd_left(&point));
    TERN_TRY(tern_rd_u16(r, &scheme));
    const char *s = sigalg_name(scheme);
    add(fs, "signature_algorithm", "%s (0x%04x)", s ? s : "?", scheme);
    TERN_TRY(tern_rd_vec16(r, &sig));
    add(fs, "signature", "%zu bytes", tern_rd_left(&sig));
    return 0;
}

static int dec_cke(fields *fs, tern_reader *r, int rsa) {
    tern_reader v;
    if (rsa) { /* EncryptedPreMasterSecret (RFC 5246 §7.4.7.1): ciphertext, not a secret */
        TERN_TRY(tern_rd_vec16(r, &v));
        add(fs, "encrypted_premaster", "%zu bytes (RSAES-PKCS1-v1_5 to the server certificate's key)",
            tern_rd_left(&v));
        return 0;
    }
    TERN_TRY(tern_rd_vec8(r, &v));
    add_hex(fs, "public", v.p, tern_rd_left(&v));
    return 0;
}

/* CertificateRequest (RFC 5246 §7.4.4). */
static int dec_cert_request(fields *fs, tern_reader *r) {
    tern_reader types, algs, cas;
    char buf[512] = "";
    TERN_TRY(tern_rd_vec8(r, &types));
    uint8_t t;
    while (tern_rd_u8(&types, &t) == 0)
        list_item(buf, sizeof buf, t == 1 ? "rsa_sign" : t == 64 ? "ecdsa_sign" : NULL, t, 2);
    add(fs, "certificate_types", "%s", buf);
    TERN_TRY(tern_rd_vec16(r, &algs));
    buf[0] = '\0';
    uint16_t s;
    while (tern_rd_u16(&algs, &s) == 0)
        list_item(buf, sizeof buf, sigalg_name(s), s, 4);
    add(fs, "signature_algorithms", "%s", buf);
    TERN_TRY(tern_rd_vec16(r, &cas));
    size_t n = 0;
    while (tern_rd_left(&cas) > 0) {
        tern_reader dn;
        TERN_TRY(tern_rd_vec16(&cas, &dn));
        if (n++ < 4) {
            char name[160];
            tern_span sp = {dn.p, tern_rd_left(&dn)};
            tern_x509_name_display(sp, name, sizeof name);
            add(fs, "certificate_authority", "%s", name);
        }
    }
    add(fs, "certificate_authorities", "%zu%s", n, n ? "" : " (any CA the server trusts)");
    return 0;
}

/* NewSessionTicket (RFC 5077 §3.3): the ticket is opaque to the client
 * (the server's encrypted session state), so only its size is shown. */
static int dec_ticket(fields *fs, tern_reader *r) {
    uint32_t hint;
    tern_reader t;
    TERN_TRY(tern_rd_u32(r, &hint));
    add(fs, "ticket_lifetime_hint", "%u seconds", (unsigned)hint);
    TERN_TRY(tern_rd_vec16(r, &t));
    add(fs, "ticket", "%zu bytes (opaque to the client)", tern_rd_left(&t));
    return 0;
}

/* CertificateVerify (RFC 5246 §7.4.8): a signature over the transcript. */
static int dec_cert_verify(fields *fs, tern_reader *r) {
    uint16_t scheme;
    tern_reader sig;
    TERN_TRY(tern_rd_u16(r, &scheme));
    const char *s = sigalg_name(scheme);
    add(fs, "signature_algorithm", "%s (0x%04x)", s ? s : "?", scheme);
    TERN_TRY(tern_rd_vec16(r, &sig));
    add(fs, "signature", "%zu bytes", tern_rd_left(&sig));
    return 0;
}

static int dec_finished(fields *fs, tern_reader *r) {
    if (tern_rd_left(r) != TERN_VERIFY_LEN)
        return TERN_ERR_DECODE;
    add_hex(fs, "verify_data", r->p, TERN_VERIFY_LEN);
    return 0;
}

/* ---- the hooks ---- */

static int rsa_kx(const tern_conn *c) {
    return c->suite != NULL && c->suite->kx == TERN_KX_RSA;
}

static void emit(tern_conn *c, tern_trace_event *ev) {
    ev->is_server = c->side == TERN_SERVER;
    if (ev->detail == NULL)
        ev->detail = "";
    if (ev->rfc == NULL)
        ev->rfc = "";
    c->cfg->trace(c->cfg->trace_arg, ev);
}

void tern_trace_message(tern_conn *c, int type, int sent, const uint8_t *msg, size_t len) {
    if (c->cfg->trace == NULL)
        return;
    /* A check that passed inside the previous message's parse is reported
     * when the next message arrives (the engine parses a message only after
     * the one before it succeeded):
     *   client: ServerKeyExchange's signature (its parse sets sigscheme only
     *   once it verified), reported at CertificateRequest or, without one,
     *   at ServerHelloDone;
     *   server: the client's CertificateVerify, reported at its
     *   ChangeCipherSpec.
     * (After the handshake there is no handshake state, and no check to
     * report: only the message is decoded.) */
    const tern_hs_state *h = c->hs_state;
    if (h != NULL && c->sess.resumed && !h->keys_ready &&
        ((c->side == TERN_CLIENT && !sent && (type == TERN_HT_CHANGE_CIPHER_SPEC || type == TERN_HT_NEW_SESSION_TICKET)) ||
         (c->side == TERN_SERVER && sent && type == TERN_HT_SERVER_HELLO))) {
        /* The hello parse that decided to resume has run; say so once,
         * before the first message of the abbreviated shape. */
        static const char *const what[2] = {
            "the server accepted our session (same session_id, or our ticket): an abbreviated handshake, with "
            "no certificates and no key exchange; the session's master secret is reused with fresh randoms",
            "we resume the client's session (from our session cache or its ticket): an abbreviated handshake, "
            "with no certificates and no key exchange; the session's master secret is reused with fresh randoms"};
        if (!(c->side == TERN_CLIENT && type == TERN_HT_CHANGE_CIPHER_SPEC && h->sess.ticket_expected)) {
            tern_trace_event ev = {0};
            ev.kind = TERN_TRACE_CHECK;
            ev.name = "session resumed";
            ev.rfc = "RFC 5246 7.3, RFC 5077 3.1";
            ev.detail = what[c->side == TERN_SERVER];
            emit(c, &ev);
        }
    }
    if (h != NULL && !sent && c->side == TERN_SERVER && type == TERN_HT_CHANGE_CIPHER_SPEC && h->client_cert_sent) {
        tern_trace_event ev = {0};
        ev.kind = TERN_TRACE_CHECK;
        ev.name = "client signature verified";
        ev.rfc = "RFC 5246 7.4.8";
        ev.detail = "the client's CertificateVerify signature over the handshake messages verified with the key of "
                    "its certificate: the client holds that certificate's private key";
        emit(c, &ev);
    }
    if (h != NULL && !sent && c->side == TERN_CLIENT && c->sigscheme != 0 &&
        (type == TERN_HT_CERTIFICATE_REQUEST || (type == TERN_HT_SERVER_HELLO_DONE && !h->cert_requested))) {
        const char *s = sigalg_name(c->sigscheme);
        char detail[300];
        snprintf(detail, sizeof detail,
                 "the ServerKeyExchange signature (%s) verified with the public key of the server's certificate: "
                 "the server holds that certificate's private key, and signed this handshake's randoms",
                 s ? s : "?");
        tern_trace_event ev = {0};
        ev.kind = TERN_TRACE_CHECK;
        ev.name = "signature verified";
        ev.rfc = "RFC 5246 7.4.3, RFC 8422 5.4";
        ev.detail = detail;
        emit(c, &ev);
    }
    fields fs;
    fs.n = fs.used = 0;
    tern_reader r;
    int rc = 0;
    if (type == TERN_HT_CHANGE_CIPHER_SPEC) {
        add(&fs, "type", "change_cipher_spec (%u)", len == 1 ? msg[0] : 0);
    } else {
        size_t hdr = len >= TERN_HS_HDR ? TERN_HS_HDR : len;
        tern_rd_init(&r, msg + hdr, len - hdr);
        add(&fs, "length", "%zu", len - hdr);
        if (len == TERN_HS_HDR && tern_load_be24(msg + 1) > 0) {
            /* A ClientHello longer than hs_max is parsed as it arrives and
             * not kept (lib/hs.c): only its header is here. */
            fs.n = fs.used = 0;
            add(&fs, "length", "%u (parsed as it arrived, not kept whole)", (unsigned)tern_load_be24(msg + 1));
            type = -1 - type; /* no decoding below; restored after */
        }
        switch (type) {
        case TERN_HT_CLIENT_HELLO: rc = dec_hello(&fs, &r, 1); break;
        case TERN_HT_SERVER_HELLO: rc = dec_hello(&fs, &r, 0); break;
        case TERN_HT_CERTIFICATE: rc = dec_certificate(&fs, &r); break;
        case TERN_HT_SERVER_KEY_EXCHANGE: rc = dec_ske(&fs, &r); break;
        case TERN_HT_CLIENT_KEY_EXCHANGE: rc = dec_cke(&fs, &r, rsa_kx(c)); break;
        case TERN_HT_CERTIFICATE_REQUEST: rc = dec_cert_request(&fs, &r); break;
        case TERN_HT_CERTIFICATE_VERIFY: rc = dec_cert_verify(&fs, &r); break;
        case TERN_HT_NEW_SESSION_TICKET: rc = dec_ticket(&fs, &r); break;
        case TERN_HT_FINISHED: rc = dec_finished(&fs, &r); break;
        default: break;
        }
    }
    if (rc < 0)
        add(&fs, "malformed", "the message ends or breaks here");
    if (type < 0)
        type = -1 - type;
    tern_trace_event ev = {0};
    ev.kind = TERN_TRACE_MESSAGE;
    ev.sent = sent;
    ev.msg_type = type;
    ev.name = msg_name(type);
    ev.rfc = type == TERN_HT_CLIENT_KEY_EXCHANGE && rsa_kx(c) ? "RFC 5246 7.4.7.1" : msg_rfc(type);
    ev.fields = fs.f;
    ev.nfields = fs.n;
    ev.bytes = msg;
    ev.len = len;
    emit(c, &ev);
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
    add(&fs, "key", "%s %zu bits", cert->key.type == TERN_X509_KEY_RSA ? "RSA" : cert->key.type == TERN_X509_KEY_EC ? "EC" : "unknown",
        cert->key.bits);
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
    else if (c->hs_state->group == TERN_GROUP_SECP256R1) /* issue 13 (lib/kx.c) */
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
    if (c->suite->aead == TERN_AEAD_CHACHA20_POLY1305) /* issue 13 (lib/record_chacha.c) */
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
    int client_keys = (c->side == TERN_CLIENT) == (for_write != 0);
    char detail[200];
    if (c->suite->aead == TERN_AEAD_CHACHA20_POLY1305) /* issue 13 */
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
    fields fs;
    fs.n = fs.used = 0;
    add(&fs, "version", "TLS 1.2");
    add(&fs, "cipher_suite", "%s", c->suite ? c->suite->name : "?");
    add(&fs, "extended_master_secret", "%s", c->ems ? "yes" : "no");
    add(&fs, "resumed", "%s", c->sess.resumed ? "yes (abbreviated handshake)" : "no (full handshake)");
    add(&fs, "alpn", "%s", c->alpn && c->alpn[0] ? c->alpn : "none");
    const char *s = sigalg_name(c->sigscheme);
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
