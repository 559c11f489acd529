/*
 * The facade (docs/CONVENTIONS.md §1): connection creation with its one
 * allocation, tern_handshake / tern_read / tern_write / tern_close over the
 * sans-I/O engine, alerts (RFC 5246 §7.2), the sticky failure, and the
 * getters.  The byte interface is in lib/engine.c, the transport pumps in
 * lib/io.c.
 */
#define TERN_LAYER TERN_LAYER_ENGINE
#include <stdio.h>
#include <stdlib.h>

#include "crypto/ct.h"
#include "lib/engine.h"
#include "lib/hs.h"
#include "lib/record.h"
#include "lib/trace.h"

/* ---- creation: the one allocation ---- */

/* Reserve len bytes at the next multiple of align in a layout of *total
 * bytes; returns the offset. */
static size_t carve(size_t *total, size_t len, size_t align) {
    size_t off = (*total + align - 1) & ~(align - 1);
    *total = off + len;
    return off;
}

/* The longest protocol name in the configuration's ALPN list. */
static size_t alpn_longest(const tern_config *cfg) {
    size_t longest = 0;
    for (size_t i = 0; i < cfg->alpn_len; i += 1 + cfg->alpn[i])
        if (cfg->alpn[i] > longest)
            longest = cfg->alpn[i];
    return longest;
}

/*
 * Everything a connection holds is one allocation, laid out as
 *
 *   tern_conn | read key | write key | input buffer | output buffer | extras
 *
 * and each part is only as large as this connection can need: the AES-GCM
 * keys as large as the implementation this CPU uses, the handshake state
 * borrowed from the input buffer's tail while the handshake runs, and the
 * extras (peer names, the negotiated ALPN name, a client's session, a
 * server's copy of the client chain) only on the side and configuration
 * that use them.
 */
static tern_conn *conn_new(const tern_config *cfg, enum tern_side side, const char *name, size_t name_len) {
    if (cfg == NULL)
        return NULL;
    size_t total = sizeof(tern_conn);
    size_t key_room = tern_gcm_key_size();
    size_t rd_key = carve(&total, key_room, 16), wr_key = carve(&total, key_room, 16);
    /* The input buffer holds one whole protected record.  During the
     * handshake its tail holds the handshake state instead: the records
     * that must then arrive whole (ChangeCipherSpec, alerts, the encrypted
     * Finished) are small, and plaintext handshake records are passed up
     * as their bytes arrive (lib/record.c), so they need no room. */
    size_t in_cap = TERN_REC_HDR + TERN_MAX_CIPHERTEXT;
    size_t in_off = carve(&total, in_cap, 16);
    size_t hs_off = (in_cap - sizeof(tern_hs_state)) & ~(size_t)15;
    _Static_assert(TERN_REC_HDR + TERN_MAX_CIPHERTEXT >= sizeof(tern_hs_state) + 8192,
                   "the input buffer leaves room for records during the handshake");
    /* The output buffer holds one full record plus room for an alert behind
     * it (so a failure can always be reported while a data record waits),
     * and doubles as the handshake message area: one message of hs_max
     * bytes, plus the record framing of a flight cut into record_size
     * pieces. */
    size_t hs_cap = TERN_HS_HDR + cfg->hs_max;
    size_t per_record = TERN_REC_HDR + TERN_GCM_OVERHEAD;
    size_t slack = (hs_cap / cfg->record_size + 2) * per_record;
    enum { ALERT_ROOM = 32 }; /* one protected alert record: 5 + 8 + 2 + 16 bytes */
    _Static_assert(ALERT_ROOM >= TERN_REC_HDR + TERN_GCM_OVERHEAD + 2, "room for one protected alert");
    size_t out_cap = TERN_REC_HDR + cfg->record_size + TERN_GCM_OVERHEAD + ALERT_ROOM;
    if (out_cap < hs_cap + slack + ALERT_ROOM)
        out_cap = hs_cap + slack + ALERT_ROOM;
    size_t out_off = carve(&total, out_cap, 1);
    /* A client always has a peer certificate, and shows only its subject
     * (tern_peer_san is a server's view of its client); a server only when
     * it asks for client certificates, and then it also keeps the SAN and
     * the verified chain for tern_peer_cert(): at most one Certificate
     * message's worth. */
    int client_auth = side == TERN_SERVER && cfg->client_auth != TERN_CLIENT_AUTH_NONE;
    size_t peer_str_len = side == TERN_CLIENT ? TERN_PEER_STR : client_auth ? 2 * TERN_PEER_STR : 0;
    size_t peer_str = peer_str_len ? carve(&total, peer_str_len, 1) : 0;
    size_t peer_cap = client_auth ? cfg->hs_max : 0;
    size_t peer_off = peer_cap ? carve(&total, peer_cap, 1) : 0;
    size_t cert_idx = client_auth ? carve(&total, 2 * TERN_X509_MAX_DEPTH * sizeof(size_t), 8) : 0;
    size_t alpn_cap = cfg->alpn_len ? alpn_longest(cfg) + 1 : 0;
    size_t alpn_off = alpn_cap ? carve(&total, alpn_cap, 1) : 0;
    /* The server name: the client's own (known now), or room for any SNI. */
    size_t name_cap = side == TERN_CLIENT ? name_len + 1 : TERN_NAME_MAX;
    size_t name_off = carve(&total, name_cap, 1);
    /* A client's session state: what it does not already hold elsewhere,
     * and room for a ticket only if its configuration asks for tickets. */
    size_t ticket_cap = side == TERN_CLIENT ? tern_sess_client_ticket_room(cfg) : 0;
    size_t sess_off = side == TERN_CLIENT ? carve(&total, sizeof(tern_sess_client) + ticket_cap, 16) : 0;
    /* A client asked to keep the stapled OCSP response (tern_ocsp_response):
     * room for the longest one a CertificateStatus of hs_max bytes holds. */
    size_t ocsp_cap = side == TERN_CLIENT && cfg->ocsp_keep ? cfg->hs_max : 0; /* at most 2^20 */
    size_t ocsp_off = ocsp_cap ? carve(&total, ocsp_cap, 1) : 0;
    total = (total + 15) & ~(size_t)15;

    _Static_assert(_Alignof(tern_conn) <= 16 && _Alignof(tern_hs_state) <= 16 && _Alignof(tern_sess_client) <= 16,
                   "16-byte alignment is enough for every part");
    /* 16-byte alignment is all any part needs (the AES-GCM keys' vector
     * loads; the handshake state and session hold 8-byte words). */
    uint8_t *mem = aligned_alloc(16, total);
    if (mem == NULL)
        return NULL;
    memset(mem, 0, total);
    tern_conn *c = (tern_conn *)(void *)mem;
    c->alloc_size = total;
    c->cfg = cfg;
    c->side = side;
    c->fd = -1;
    c->alert_sent = c->alert_received = -1;
    tern_rec_dir_init(&c->rd, (tern_gcm_key *)(void *)(mem + rd_key), key_room);
    tern_rec_dir_init(&c->wr, (tern_gcm_key *)(void *)(mem + wr_key), key_room);
    c->in = mem + in_off;
    c->in_cap = hs_off;
    c->in_full_cap = in_cap;
    c->hs_state = (tern_hs_state *)(void *)(c->in + hs_off);
    c->out = mem + out_off;
    c->out_cap = out_cap;
    c->record_size = cfg->record_size;
    c->hs = c->out;
    c->hs_cap = hs_cap;
    c->out_slack = slack;
    if (peer_str_len) {
        c->peer_subject = (char *)mem + peer_str;
        c->peer_san = side == TERN_SERVER ? c->peer_subject + TERN_PEER_STR : NULL;
    }
    c->peer_chain = peer_cap ? mem + peer_off : NULL;
    c->peer_chain_cap = peer_cap;
    if (cert_idx) {
        c->peer_cert_off = (size_t *)(void *)(mem + cert_idx);
        c->peer_cert_len = c->peer_cert_off + TERN_X509_MAX_DEPTH;
    }
    c->alpn = alpn_cap ? (char *)mem + alpn_off : NULL;
    c->alpn_cap = alpn_cap;
    c->server_name = (char *)mem + name_off;
    c->server_name_cap = name_cap;
    if (name_len > 0)
        memcpy(c->server_name, name, name_len);
    if (side == TERN_CLIENT) {
        c->sess.cl = (tern_sess_client *)(void *)(mem + sess_off);
        c->sess.cl->ticket_cap = ticket_cap;
    }
    c->ocsp_resp = ocsp_cap ? mem + ocsp_off : NULL;
    c->ocsp_resp_cap = (uint32_t)ocsp_cap;
    c->state = TERN_ST_HANDSHAKE;
    tern_hs_begin(c);
    return c;
}

tern_conn *tern_client_new(const tern_config *cfg, const char *server_name) {
    if (cfg == NULL)
        return NULL;
    size_t n = server_name ? strlen(server_name) : 0;
    /* Verification needs a name to check the certificate against. */
    if ((n == 0 && !cfg->skip_verify) || n >= TERN_NAME_MAX)
        return NULL;
    return conn_new(cfg, TERN_CLIENT, server_name, n);
}

tern_conn *tern_server_new(const tern_config *cfg) {
    if (cfg == NULL || !cfg->have_keys)
        return NULL;
    return conn_new(cfg, TERN_SERVER, NULL, 0);
}

void tern_free(tern_conn *c) {
    if (c == NULL)
        return;
    tern_staple_put(c->cfg, c->staple); /* a handshake that did not finish (lib/staple.c) */
    tern_wipe(c, c->alloc_size); /* keys, master secret, buffers: everything */
    free(c);
}

size_t tern_conn_memory(const tern_conn *c) {
    return c != NULL ? c->alloc_size : 0;
}

/* ---- errors ---- */

/* End a failure tern_fail recorded (once): the connection's session may
 * never be resumed (RFC 5246 §7.2.2; tern_sess_invalidate keeps it when
 * the transport merely went away), and the fatal alert tern_fail chose is
 * queued in place of whatever handshake bytes were pending (they will
 * never be sent).  Every public call that can fail ends here before it
 * returns, so the alert goes out in the same flush as before. */
static void end_failure(tern_conn *c) {
    if (!c->fail_pending)
        return;
    c->fail_pending = 0;
    tern_sess_invalidate(c, c->err);
    int alert = tern_error_alert(c->err);
    if (alert >= 0) {
        c->hs_out_len = 0;
        tern_rec_alert(c, 2, alert);
        size_t n = strlen(c->errmsg);
        snprintf(c->errmsg + n, sizeof c->errmsg - n, " (sent alert %s)", tern_alert_name(alert));
    }
}

/* Fail with a generic sentence if nothing more specific was said, flush
 * the alert as far as the transport allows, and return the sticky error. */
TERN_MUST_CHECK static int failed(tern_conn *c, int rc) {
    if (c->state != TERN_ST_FAILED)
        (void)tern_fail(c, rc, "%s", tern_strerror(rc));
    end_failure(c);
    if (tern_io_flush(c) < 0) {
        /* Best effort: the transport may be gone. */
    }
    return c->err;
}

/* RFC 5246 §7.2.2 calls these "always fatal" (handshake_failure: "a fatal
 * error"); the two reserved ones were always fatal in RFC 4346.  Received
 * at warning level they still end the connection: a peer that says it
 * saw a bad MAC or a malformed message cannot be talked to any further. */
static int always_fatal(uint8_t desc) {
    switch (desc) {
    case TERN_ALERT_UNEXPECTED_MESSAGE:
    case TERN_ALERT_BAD_RECORD_MAC:
    case TERN_ALERT_DECRYPTION_FAILED_RESERVED:
    case TERN_ALERT_RECORD_OVERFLOW:
    case TERN_ALERT_DECOMPRESSION_FAILURE:
    case TERN_ALERT_HANDSHAKE_FAILURE:
    case TERN_ALERT_ILLEGAL_PARAMETER:
    case TERN_ALERT_UNKNOWN_CA:
    case TERN_ALERT_ACCESS_DENIED:
    case TERN_ALERT_DECODE_ERROR:
    case TERN_ALERT_DECRYPT_ERROR:
    case TERN_ALERT_EXPORT_RESTRICTION_RESERVED:
    case TERN_ALERT_PROTOCOL_VERSION:
    case TERN_ALERT_INSUFFICIENT_SECURITY:
    case TERN_ALERT_INTERNAL_ERROR:
    case TERN_ALERT_UNSUPPORTED_EXTENSION:
        return 1;
    default:
        return 0;
    }
}

/* Warning alerts accepted in a row with no application data in between;
 * the next ends the connection (OpenSSL also fails at the fifth). */
#define TERN_WARN_ALERTS_MAX 4

/* The current record is an alert: RFC 5246 §7.2.  Its level must be 1 or 2
 * (anything else is illegal_parameter: the two bytes parse, the level
 * holds a value AlertLevel does not have).  close_notify ends the stream;
 * a fatal alert, or one RFC 5246 §7.2.2 makes always fatal, ends the
 * connection (nothing is sent back); other warnings (user_canceled,
 * no_renegotiation, the certificate ones, descriptions we do not know)
 * are ignored, as §7.2 allows, but only TERN_WARN_ALERTS_MAX of them in a
 * row: the next is unexpected_message. */
TERN_MUST_CHECK static int handle_alert(tern_conn *c) {
    if (tern_hs_partial(c))
        return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "an alert arrived inside a fragmented handshake message");
    while (c->rec_left >= 2) {
        uint8_t level = c->rec_p[0], desc = c->rec_p[1];
        c->rec_p += 2;
        c->rec_left -= 2;
        tern_trace_alert(c, 0, level, desc);
        const char *name = tern_alert_name(desc);
        if (level != 1 && level != 2)
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                             "the peer sent an alert of level %u (only 1, warning, and 2, fatal, exist): %s (%u)", level,
                             name ? name : "unknown", desc);
        c->alert_received = desc;
        if (desc == TERN_ALERT_CLOSE_NOTIFY) {
            tern_rec_done(c);
            c->peer_close_notify = 1;
            if (c->state == TERN_ST_HANDSHAKE)
                return tern_fail(c, TERN_ERR_CLOSED, "the peer closed the connection (close_notify) during the handshake");
            return 0;
        }
        if (level == 2) {
            tern_rec_done(c);
            return tern_fail(c, TERN_ERR_PEER_ALERT, "the peer sent a fatal alert: %s (%u)", name ? name : "unknown",
                             desc);
        }
        if (always_fatal(desc)) {
            tern_rec_done(c);
            return tern_fail(c, TERN_ERR_PEER_ALERT,
                             "the peer sent %s (%u) as a warning; RFC 5246 7.2.2 makes it always fatal", name, desc);
        }
        if (++c->warn_alerts > TERN_WARN_ALERTS_MAX)
            return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE,
                             "too many warning alerts in a row (%u without application data; the limit is %d)",
                             c->warn_alerts, TERN_WARN_ALERTS_MAX);
    }
    if (c->rec_left != 0)
        return tern_fail(c, TERN_ERR_DECODE, "alert record of odd length");
    tern_rec_done(c);
    return 0;
}

/* ---- the handshake ---- */

int tern_handshake(tern_conn *c) {
    if (c == NULL)
        return TERN_ERR_INVALID_ARG;
    if (c->state == TERN_ST_FAILED) {
        end_failure(c); /* no-op: every failing call has ended its failure */
        return c->err;
    }
    while (c->state == TERN_ST_HANDSHAKE) {
        int rc = tern_hs_advance(c);
        if (rc == 1) {
            rc = handle_alert(c);
            if (rc < 0)
                return failed(c, rc);
            continue;
        }
        if (rc == 0)
            break;
        if (rc != TERN_WANT_READ && rc != TERN_WANT_WRITE)
            return failed(c, rc);
        int f = tern_io_flush(c);
        if (f == TERN_WANT_WRITE)
            return f;
        if (f < 0)
            return failed(c, f);
        if (rc == TERN_WANT_READ) {
            f = tern_io_fill(c);
            if (f == TERN_WANT_READ)
                return f;
            if (f < 0)
                return failed(c, f);
        }
    }
    int f = tern_io_flush(c);
    if (f == TERN_WANT_WRITE)
        return f;
    if (f < 0)
        return failed(c, f);
    return c->state == TERN_ST_OPEN ? 0 : c->err;
}

/* ---- application data ---- */

/* Get the next record that carries application data, handling alerts and
 * post-handshake handshake messages on the way. */
TERN_MUST_CHECK static int next_data_record(tern_conn *c) {
    for (;;) {
        if (c->rec_active) {
            if (c->rec_type == TERN_CT_APPLICATION_DATA) {
                if (tern_hs_partial(c))
                    return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE,
                                     "application data arrived inside a fragmented handshake message");
                if (c->rec_left > 0)
                    return 0;
                tern_rec_done(c); /* empty record */
                continue;
            }
            int rc;
            switch (c->rec_type) {
            case TERN_CT_ALERT:
                rc = handle_alert(c);
                break;
            case TERN_CT_HANDSHAKE:
                rc = tern_hs_post_handshake(c);
                break;
            default:
                rc = tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "ChangeCipherSpec after the handshake");
                break;
            }
            if (rc < 0)
                return rc;
            if (c->peer_close_notify)
                return 0;
            continue;
        }
        TERN_TRY(tern_rec_next(c));
    }
}

long tern_read(tern_conn *c, void *buf, size_t len) {
    if (c == NULL || (buf == NULL && len > 0))
        return TERN_ERR_INVALID_ARG;
    if (c->state != TERN_ST_OPEN) {
        int rc = tern_handshake(c);
        if (rc != 0)
            return rc;
    }
    if (tern_io_flush(c) == TERN_WANT_WRITE) {
        /* Pending output (a no_renegotiation warning, a data record) waits;
         * reading must not block on it. */
    }
    for (;;) {
        if (c->state == TERN_ST_FAILED)
            return c->err;
        if (c->peer_close_notify)
            return 0;
        int rc = next_data_record(c);
        if (rc == 0 && c->peer_close_notify)
            return 0;
        if (rc == 0) {
            size_t n = c->rec_left < len ? c->rec_left : len;
            if (n > 0x7fffffff)
                n = 0x7fffffff;
            if (n > 0) /* buf may be NULL when len is 0: memcpy(NULL, ..., 0) is UB */
                memcpy(buf, c->rec_p, n);
            c->rec_p += n;
            c->rec_left -= n;
            if (n > 0)
                c->warn_alerts = 0; /* application data: the warnings were not a flood */
            if (c->rec_left == 0)
                tern_rec_done(c);
            return (long)n;
        }
        if (rc != TERN_WANT_READ)
            return failed(c, rc);
        int f = tern_io_flush(c);
        if (f < 0 && f != TERN_WANT_WRITE)
            return failed(c, f);
        f = tern_io_fill(c);
        if (f == TERN_WANT_READ)
            return f;
        if (f < 0)
            return failed(c, f);
    }
}

long tern_write(tern_conn *c, const void *buf, size_t len) {
    if (c == NULL || (buf == NULL && len > 0))
        return TERN_ERR_INVALID_ARG;
    if (c->state != TERN_ST_OPEN) {
        int rc = tern_handshake(c);
        if (rc != 0)
            return rc;
    }
    if (c->sent_close_notify)
        return TERN_ERR_CLOSED;
    if (len > 0x40000000)
        len = 0x40000000;
    const uint8_t *p = buf;
    size_t done = 0;
    while (done < len) {
        size_t n = len - done;
        if (n > c->record_size)
            n = c->record_size;
        if (!tern_rec_fits(c, n)) {
            int f = tern_io_flush(c);
            if (f == TERN_WANT_WRITE)
                return done > 0 ? (long)done : TERN_WANT_WRITE;
            if (f < 0)
                return failed(c, f);
            continue;
        }
        int rc = tern_rec_write(c, TERN_CT_APPLICATION_DATA, p + done, n);
        if (rc < 0)
            return failed(c, rc);
        done += n;
    }
    int f = tern_io_flush(c);
    if (f < 0 && f != TERN_WANT_WRITE)
        return failed(c, f);
    return (long)done;
}

int tern_close(tern_conn *c) {
    if (c == NULL)
        return TERN_ERR_INVALID_ARG;
    if (c->state == TERN_ST_FAILED) {
        /* A queued alert (ours, or the two of an abandoned handshake) still
         * goes out: WANT_WRITE until it has, then the sticky error. */
        end_failure(c);
        return tern_io_flush(c) == TERN_WANT_WRITE ? TERN_WANT_WRITE : c->err;
    }
    if (c->state == TERN_ST_HANDSHAKE) {
        /* Closing a half-done handshake abandons it: say so to the peer
         * (user_canceled is a warning, close_notify follows) and fail. */
        c->hs_out_len = 0;
        if (c->out_sent == c->out_len)
            c->out_sent = c->out_len = 0;
        tern_rec_alert(c, 1, TERN_ALERT_USER_CANCELED);
        tern_rec_alert(c, 1, TERN_ALERT_CLOSE_NOTIFY);
        c->sent_close_notify = 1;
        (void)tern_fail(c, TERN_ERR_CLOSED, "the connection was closed before the handshake finished");
        end_failure(c); /* TERN_ERR_CLOSED sends no alert of its own */
        return tern_io_flush(c) == TERN_WANT_WRITE ? TERN_WANT_WRITE : 0;
    }
    if (!c->sent_close_notify) {
        if (!tern_rec_fits(c, 2)) {
            int f = tern_io_flush(c);
            if (f < 0)
                return f == TERN_WANT_WRITE ? f : failed(c, f);
        }
        tern_rec_alert(c, 1, TERN_ALERT_CLOSE_NOTIFY);
        c->sent_close_notify = 1;
    }
    int f = tern_io_flush(c);
    if (f < 0 && f != TERN_WANT_WRITE)
        return failed(c, f);
    return f;
}

/* ---- getters ---- */

const char *tern_error(const tern_conn *c) { return c ? c->errmsg : "no connection"; }
int tern_alert_sent(const tern_conn *c) { return c ? c->alert_sent : -1; }
int tern_alert_received(const tern_conn *c) { return c ? c->alert_received : -1; }
int tern_handshake_done(const tern_conn *c) { return c != NULL && c->state == TERN_ST_OPEN; }
const char *tern_cipher_suite(const tern_conn *c) { return c && c->suite ? c->suite->name : NULL; }
uint16_t tern_cipher_suite_id(const tern_conn *c) { return c && c->suite ? c->suite->id : 0; }
const char *tern_version(const tern_conn *c) { return c && c->suite ? "TLSv1.2" : NULL; }
const char *tern_alpn(const tern_conn *c) { return c && c->alpn && c->alpn[0] ? c->alpn : NULL; }
const char *tern_server_name(const tern_conn *c) { return c && c->server_name[0] ? c->server_name : NULL; }
int tern_extended_master_secret(const tern_conn *c) { return c ? c->ems : 0; }
const char *tern_peer_subject(const tern_conn *c) {
    if (c == NULL || c->peer_subject == NULL || !c->peer_subject[0])
        return NULL;
    /* A client that offered a session holds that session's subject until
     * the ServerHello says whether it is resumed: not yet this peer's. */
    if (c->side == TERN_CLIENT && c->sess.offered && !c->sess.resumed)
        return NULL;
    return c->peer_subject;
}
uint16_t tern_signature_scheme(const tern_conn *c) { return c ? c->sigscheme : 0; }
const char *tern_peer_san(const tern_conn *c) {
    return c && c->side == TERN_SERVER && c->peer_san != NULL && (c->npeer_certs > 0 || c->sess.identity_restored)
               ? c->peer_san
               : NULL;
}
const uint8_t *tern_peer_cert(const tern_conn *c, size_t index, size_t *len) {
    if (c == NULL || len == NULL || c->side != TERN_SERVER || c->npeer_certs == 0)
        return NULL;
    if (index < c->npeer_certs) {
        *len = c->peer_cert_len[index];
        return c->peer_chain + c->peer_cert_off[index];
    }
    if (index == c->npeer_certs && c->peer_anchor != NULL) {
        *len = c->peer_anchor->len;
        return c->peer_anchor->der;
    }
    return NULL;
}
