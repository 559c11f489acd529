/*
 * The handshake as data (CONVENTIONS.md §2): one table per handshake shape,
 * each row naming the message, who sends it, and its write / parse
 * functions.  tern_hs_advance() walks the table: a row we send is written
 * into the handshake area and cut into records; a row the peer sends must be
 * the next message that arrives, else unexpected_message.
 *
 * The shapes (RFC 5246 §7.3; RFC 8422 §2; RFC 5077 §3.1):
 *   full_ecdhe   a full handshake with ECDHE (ECDHE_RSA, ECDHE_ECDSA): the
 *                server signs its key share in ServerKeyExchange;
 *   full_rsa     a full handshake with the RSA key exchange: no
 *                ServerKeyExchange, the client encrypts the premaster to the
 *                server's certificate;
 *   abbreviated  resuming a session: no certificates, no key exchange.
 * Client certificates are not a shape of their own: in both full tables
 * the rows that only some handshakes have carry an `applies` predicate
 * (CertificateStatus, CertificateRequest, the client's Certificate and
 * CertificateVerify, NewSessionTicket), and a message the sender may or
 * may not send (CertificateStatus, CertificateRequest) is `optional` for
 * the receiver.
 *
 * Every table begins with ClientHello, ServerHello.  The walk starts in
 * `hellos`, those two rows alone, until the hellos fix the shape: the
 * server knows it once it has parsed ClientHello (lib/negotiate.c chose the
 * suite and whether to resume), the client once it has parsed ServerHello.
 * choose_shape() then points c->table at the shape's table and the walk
 * goes on at the same step.
 *
 * Also here: the transcript (RFC 5246 §7.4.9 "handshake_messages": every
 * handshake message, header included, without record headers, CCS or
 * HelloRequest) and the reassembly of handshake messages from records
 * (RFC 5246 §6.2.1: messages may be split across records and several may
 * share one; nothing else may come between the pieces of one message).
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "crypto/ct.h"
#include "lib/hs.h"
#include "lib/keysched.h"
#include "lib/names.h"
#include "lib/record.h"
#include "lib/sig.h"
#include "lib/trace.h"

/* A row; its message's name comes from the one table of names (lib/names.c). */
#define ROW(type, sender, applies, optional, fn) \
    { type, sender, applies, optional, tern_hs_##fn##_write, tern_hs_##fn##_parse }
/* Row predicates.  CertificateRequest: the server sends it when its
 * configuration asks for client certificates; for the client it is
 * optional (ServerHelloDone may come instead).  The client's Certificate
 * follows a request (a flag set by the request's write/parse),
 * CertificateVerify a non-empty Certificate. */
static int may_request_cert(const tern_conn *c) {
    /* (peer_chain: the room for the client's chain, made when the
     * connection was, if the configuration asked for client certificates
     * then; a configuration changed since cannot turn it on.) */
    return c->side == TERN_CLIENT || (c->cfg->client_auth != TERN_CLIENT_AUTH_NONE && c->peer_chain != NULL);
}
static int cert_requested(const tern_conn *c) { return c->hs_state->cert_requested; }
static int client_cert_sent(const tern_conn *c) { return c->hs_state->client_cert_sent; }
/* NewSessionTicket: announced by an empty SessionTicket in ServerHello. */
static int ticket_expected(const tern_conn *c) { return c->hs_state->sess.ticket_expected; }
/* CertificateStatus (RFC 6066 §8): the server sends it when it answered
 * status_request (it took a response to staple); for the client it is
 * optional, and its row applies whenever we asked, so that a missing
 * response is noticed (tern_hs_certificate_status_absent) and an
 * unannounced one refused by its parser. */
static int status_applies(const tern_conn *c) {
    return c->side == TERN_CLIENT ? c->hs_state->ocsp_requested : c->staple != NULL;
}

/* Until the hellos have fixed the shape. */
static const tern_hs_row hellos[] = {
    ROW(TERN_HT_CLIENT_HELLO, TERN_CLIENT, NULL, 0, client_hello),
    ROW(TERN_HT_SERVER_HELLO, TERN_SERVER, NULL, 0, server_hello),
};

/*
 * Full handshake with ECDHE (RFC 5246 §7.3, RFC 8422 §2); * marks messages
 * that are not always sent:
 *
 *   Client                                         Server
 *
 *   ClientHello                  -------->
 *                                                  ServerHello
 *                                                  Certificate
 *                                                  CertificateStatus* (OCSP stapled)
 *                                                  ServerKeyExchange
 *                                                  CertificateRequest* (client auth on)
 *                                <--------         ServerHelloDone
 *   Certificate*                                   (when requested; may be empty)
 *   ClientKeyExchange
 *   CertificateVerify*                             (when the Certificate was not empty)
 *   [ChangeCipherSpec]
 *   Finished                     -------->
 *                                                  NewSessionTicket* (ticket announced)
 *                                                  [ChangeCipherSpec]
 *                                <--------         Finished
 *   Application Data             <------->         Application Data
 */
static const tern_hs_row full_ecdhe[] = {
    ROW(TERN_HT_CLIENT_HELLO, TERN_CLIENT, NULL, 0, client_hello),
    ROW(TERN_HT_SERVER_HELLO, TERN_SERVER, NULL, 0, server_hello),
    ROW(TERN_HT_CERTIFICATE, TERN_SERVER, NULL, 0, certificate),
    ROW(TERN_HT_CERTIFICATE_STATUS, TERN_SERVER, status_applies, 1, certificate_status),
    ROW(TERN_HT_SERVER_KEY_EXCHANGE, TERN_SERVER, NULL, 0, server_key_exchange),
    ROW(TERN_HT_CERTIFICATE_REQUEST, TERN_SERVER, may_request_cert, 1, certificate_request),
    ROW(TERN_HT_SERVER_HELLO_DONE, TERN_SERVER, NULL, 0, server_hello_done),
    ROW(TERN_HT_CERTIFICATE, TERN_CLIENT, cert_requested, 0, client_certificate),
    ROW(TERN_HT_CLIENT_KEY_EXCHANGE, TERN_CLIENT, NULL, 0, client_key_exchange),
    ROW(TERN_HT_CERTIFICATE_VERIFY, TERN_CLIENT, client_cert_sent, 0, certificate_verify),
    ROW(TERN_HT_CHANGE_CIPHER_SPEC, TERN_CLIENT, NULL, 0, change_cipher_spec),
    ROW(TERN_HT_FINISHED, TERN_CLIENT, NULL, 0, finished),
    ROW(TERN_HT_NEW_SESSION_TICKET, TERN_SERVER, ticket_expected, 0, new_session_ticket),
    ROW(TERN_HT_CHANGE_CIPHER_SPEC, TERN_SERVER, NULL, 0, change_cipher_spec),
    ROW(TERN_HT_FINISHED, TERN_SERVER, NULL, 0, finished),
};

/*
 * Full handshake with the RSA key exchange (RFC 5246 §7.3, §7.4.7.1): the
 * same without ServerKeyExchange; the ClientKeyExchange carries the
 * premaster encrypted to the server certificate's key (one row for both
 * key exchanges: lib/hs_client_key_exchange.c hands this one to
 * lib/hs_client_key_exchange_rsa.c).
 *
 *   Client                                         Server
 *
 *   ClientHello                  -------->
 *                                                  ServerHello
 *                                                  Certificate
 *                                                  CertificateStatus* (OCSP stapled)
 *                                                  CertificateRequest* (client auth on)
 *                                <--------         ServerHelloDone
 *   Certificate*                                   (when requested; may be empty)
 *   ClientKeyExchange
 *   CertificateVerify*                             (when the Certificate was not empty)
 *   [ChangeCipherSpec]
 *   Finished                     -------->
 *                                                  NewSessionTicket* (ticket announced)
 *                                                  [ChangeCipherSpec]
 *                                <--------         Finished
 *   Application Data             <------->         Application Data
 */
static const tern_hs_row full_rsa[] = {
    ROW(TERN_HT_CLIENT_HELLO, TERN_CLIENT, NULL, 0, client_hello),
    ROW(TERN_HT_SERVER_HELLO, TERN_SERVER, NULL, 0, server_hello),
    ROW(TERN_HT_CERTIFICATE, TERN_SERVER, NULL, 0, certificate),
    ROW(TERN_HT_CERTIFICATE_STATUS, TERN_SERVER, status_applies, 1, certificate_status),
    ROW(TERN_HT_CERTIFICATE_REQUEST, TERN_SERVER, may_request_cert, 1, certificate_request),
    ROW(TERN_HT_SERVER_HELLO_DONE, TERN_SERVER, NULL, 0, server_hello_done),
    ROW(TERN_HT_CERTIFICATE, TERN_CLIENT, cert_requested, 0, client_certificate),
    ROW(TERN_HT_CLIENT_KEY_EXCHANGE, TERN_CLIENT, NULL, 0, client_key_exchange),
    ROW(TERN_HT_CERTIFICATE_VERIFY, TERN_CLIENT, client_cert_sent, 0, certificate_verify),
    ROW(TERN_HT_CHANGE_CIPHER_SPEC, TERN_CLIENT, NULL, 0, change_cipher_spec),
    ROW(TERN_HT_FINISHED, TERN_CLIENT, NULL, 0, finished),
    ROW(TERN_HT_NEW_SESSION_TICKET, TERN_SERVER, ticket_expected, 0, new_session_ticket),
    ROW(TERN_HT_CHANGE_CIPHER_SPEC, TERN_SERVER, NULL, 0, change_cipher_spec),
    ROW(TERN_HT_FINISHED, TERN_SERVER, NULL, 0, finished),
};

/*
 * Abbreviated handshake: resuming a session (RFC 5246 §7.3, RFC 5077
 * §3.1): the server accepted the session ID or ticket the client offered
 * (lib/negotiate.c); the session's master secret is reused with this
 * handshake's randoms.  The server finishes first.
 *
 *   Client                                         Server
 *
 *   ClientHello (session_id or ticket) -------->
 *                                                  ServerHello (same session_id)
 *                                                  NewSessionTicket* (ticket renewed)
 *                                                  [ChangeCipherSpec]
 *                                <--------         Finished
 *   [ChangeCipherSpec]
 *   Finished                     -------->
 *   Application Data             <------->         Application Data
 */
static const tern_hs_row abbreviated[] = {
    ROW(TERN_HT_CLIENT_HELLO, TERN_CLIENT, NULL, 0, client_hello),
    ROW(TERN_HT_SERVER_HELLO, TERN_SERVER, NULL, 0, server_hello),
    ROW(TERN_HT_NEW_SESSION_TICKET, TERN_SERVER, ticket_expected, 0, new_session_ticket),
    ROW(TERN_HT_CHANGE_CIPHER_SPEC, TERN_SERVER, NULL, 0, change_cipher_spec),
    ROW(TERN_HT_FINISHED, TERN_SERVER, NULL, 0, finished),
    ROW(TERN_HT_CHANGE_CIPHER_SPEC, TERN_CLIENT, NULL, 0, change_cipher_spec),
    ROW(TERN_HT_FINISHED, TERN_CLIENT, NULL, 0, finished),
};

#define USE_TABLE(c, t) ((c)->table = (t), (c)->nrows = TERN_ARRAY_LEN(t))

/* The shape the hellos fixed: the session resumed (both sides set
 * c->sess.resumed in the hello parsers, lib/session.c), else the key
 * exchange of the suite. */
TERN_MUST_CHECK static int choose_shape(tern_conn *c) {
    if (c->suite == NULL || c->table != hellos)
        return tern_fail(c, TERN_ERR_INTERNAL, "the hellos ended without a suite or twice");
    if (c->sess.resumed)
        USE_TABLE(c, abbreviated);
    else if (c->suite->kx == TERN_KX_RSA)
        USE_TABLE(c, full_rsa);
    else
        USE_TABLE(c, full_ecdhe);
    return 0;
}

/* A server's input buffer lends TERN_EXT_BITMAP bytes, next to the
 * handshake state, to the ClientHello's duplicate-extension check (lib/ext.c)
 * until the hello is parsed; records keep at least this much room then
 * (only plaintext handshake records, passed up in pieces, and small
 * alerts can come before ServerHello). */
_Static_assert(TERN_REC_HDR + TERN_MAX_CIPHERTEXT >= sizeof(tern_hs_state) + 16 + TERN_EXT_BITMAP + 1024,
               "the input buffer has room for the handshake state, the extension bitmap and records");

static void hello_lend(tern_conn *c) { c->in_cap = (size_t)((uint8_t *)c->hs_state - c->in) - TERN_EXT_BITMAP; }
static void hello_return(tern_conn *c) { c->in_cap = (size_t)((uint8_t *)c->hs_state - c->in); }

void tern_hs_begin(tern_conn *c) {
    USE_TABLE(c, hellos);
    c->step = 0;
    if (c->side == TERN_SERVER && c->in_start == c->in_end)
        hello_lend(c);
    /* Until ServerHello names the suite we do not know the PRF hash, nor
     * which hash a CertificateVerify will use: the transcript runs under
     * all three (tern_hs_transcript drops the ones no longer needed). */
    tern_hs_state *h = c->hs_state;
    if (tern_hash_init(&h->th256, TERN_HASH_SHA256) < 0 || tern_hash_init(&h->th384, TERN_HASH_SHA384) < 0 ||
        tern_hash_init(&h->th512, TERN_HASH_SHA512) < 0) {
        /* Cannot happen: the ids are built in. */
    }
    h->th_live = TERN_TH_ALL;
}

/*
 * The transcript under every hash still needed.  CertificateVerify
 * (RFC 5246 §7.4.8) signs the handshake messages with the hash of the
 * scheme the client chose from the CertificateRequest's list, which need
 * not be the PRF hash: tern offers and accepts SHA-256, SHA-384 and
 * SHA-512 schemes whatever the suite.  Instead of keeping the messages, the
 * three running hashes are kept as long as one of them may still be
 * asked for, and dropped (never to be restarted) once it cannot:
 *   - before the suite is known: all three;
 *   - the PRF hash: always (Finished, the extended master secret);
 *   - after CertificateVerify, or in an abbreviated handshake: nothing else;
 *   - server: all three while it may still receive a CertificateVerify
 *     (it asks for client certificates), else only the PRF hash;
 *   - client: all three until CertificateRequest (then the hash of the
 *     scheme it will sign with) or ServerHelloDone without a request.
 * The contexts live in the handshake state (the input buffer's tail), not
 * in the connection.
 */
static unsigned transcript_needed(const tern_conn *c, int type) {
    const tern_hs_state *h = c->hs_state;
    if (c->suite == NULL)
        return TERN_TH_ALL;
    unsigned prf = tern_th_bit(c->suite->prf);
    if (c->table == abbreviated || h->cv_done)
        return prf;
    if (c->side == TERN_SERVER)
        return may_request_cert(c) ? TERN_TH_ALL : prf;
    if (h->cert_requested) {
        tern_hash_alg alg;
        int ok = h->client_may_send &&
                 (tern_sig_is_ecdsa(h->cv_scheme, &alg) || tern_sigalg_info(h->cv_scheme, &alg) >= 0);
        return ok ? prf | tern_th_bit(alg) : prf;
    }
    return type == TERN_HT_SERVER_HELLO_DONE ? prf : TERN_TH_ALL;
}

void tern_hs_transcript(tern_conn *c, const uint8_t *p, size_t len) {
    tern_hs_state *h = c->hs_state;
    /* The message being added is the one of the table row being walked
     * (both callers run before c->step moves on).  Its bytes are not
     * looked at: the choice depends only on the handshake's state. */
    int type = c->table != NULL && c->step < c->nrows ? c->table[c->step].type : -1;
    h->th_live &= transcript_needed(c, type);
    if (h->th_live & TERN_TH_SHA256)
        tern_hash_update(&h->th256, p, len);
    if (h->th_live & TERN_TH_SHA384)
        tern_hash_update(&h->th384, p, len);
    if (h->th_live & TERN_TH_SHA512)
        tern_hash_update(&h->th512, p, len);
}

/* Gather the next complete handshake message (or a ChangeCipherSpec) into
 * c->hs.  On success *type is the TERN_HT_* and the message (header
 * included for handshake messages; the single CCS byte for a CCS) is in
 * c->hs[0 .. *len).
 * The one exception is a server's ClientHello longer than the handshake
 * area (hs_max): a well-formed one may be up to TERN_CH_MAX (128 KB), so it
 * is not gathered but fed to its parser as its records arrive (and hashed
 * into the transcript then); *len is then just its header's 4 bytes. */
TERN_MUST_CHECK static int next_message(tern_conn *c, int expect, int *type, size_t *len) {
    for (;;) {
        if (c->hs_in_len >= TERN_HS_HDR && !c->hs_state->ch.feeding) {
            size_t body = tern_load_be24(c->hs + 1);
            if (c->hs_in_len == TERN_HS_HDR + body) {
                *type = c->hs[0];
                *len = c->hs_in_len;
                return 0;
            }
        }
        if (!c->rec_active)
            TERN_TRY(tern_rec_next(c));
        if (c->rec_left == 0) { /* an empty application data record */
            if (c->rec_type != TERN_CT_APPLICATION_DATA)
                return TERN_ERR_INTERNAL;
        }
        switch (c->rec_type) {
        case TERN_CT_HANDSHAKE: {
            tern_ch_stream *ch = &c->hs_state->ch;
            if (ch->feeding) {
                size_t n = c->rec_left < ch->end - ch->pos ? c->rec_left : ch->end - ch->pos;
                const uint8_t *p = c->rec_p;
                c->rec_p += n;
                c->rec_left -= n;
                if (c->rec_left == 0)
                    tern_rec_done(c);
                tern_hs_transcript(c, p, n);
                int rc = tern_hs_client_hello_feed(c, p, n);
                if (rc < 0)
                    return c->state == TERN_ST_FAILED
                               ? rc
                               : tern_fail(c, rc, "%s in the peer's ClientHello", tern_strerror(rc));
                if (ch->pos == ch->end) {
                    ch->feeding = 0;
                    *type = TERN_HT_CLIENT_HELLO;
                    *len = TERN_HS_HDR;
                    return 0;
                }
                continue;
            }
            size_t want;
            if (c->hs_in_len < TERN_HS_HDR) {
                want = TERN_HS_HDR - c->hs_in_len;
            } else {
                size_t body = tern_load_be24(c->hs + 1);
                want = TERN_HS_HDR + body - c->hs_in_len;
            }
            size_t n = c->rec_left < want ? c->rec_left : want;
            memcpy(c->hs + c->hs_in_len, c->rec_p, n);
            c->hs_in_len += n;
            c->rec_p += n;
            c->rec_left -= n;
            if (c->rec_left == 0)
                tern_rec_done(c);
            if (c->hs_in_len == TERN_HS_HDR) {
                /* The certificates kept for a stapled response's check sit
                 * at the end of this area (lib/hs_certificate_status.c):
                 * any other message may have all of it (but a HelloRequest,
                 * which a client skips and which may come first). */
                if (c->hs[0] != TERN_HT_CERTIFICATE_STATUS && c->hs[0] != TERN_HT_HELLO_REQUEST)
                    tern_hs_certificate_status_release(c);
                size_t body = tern_load_be24(c->hs + 1);
                if (body > c->hs_cap - TERN_HS_HDR && c->side == TERN_SERVER && expect == TERN_HT_CLIENT_HELLO &&
                    c->hs[0] == TERN_HT_CLIENT_HELLO) {
                    TERN_TRY(tern_hs_client_hello_begin(c, body, 1)); /* decode_error past TERN_CH_MAX */
                    tern_hs_transcript(c, c->hs, TERN_HS_HDR);
                    ch->feeding = 1;
                    continue;
                }
                if (body > c->hs_cap - TERN_HS_HDR)
                    return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                                     "%s of %zu bytes is larger than the configured maximum of %zu",
                                     tern_name_handshake_text(c->hs[0]), body, c->hs_cap - TERN_HS_HDR);
            }
            continue;
        }
        case TERN_CT_CHANGE_CIPHER_SPEC:
            if (c->hs_in_len > 0)
                return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE,
                                 "ChangeCipherSpec arrived in the middle of a fragmented handshake message");
            if (c->rec_left > c->hs_cap)
                return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "ChangeCipherSpec record of %zu bytes", c->rec_left);
            memcpy(c->hs, c->rec_p, c->rec_left);
            *len = c->rec_left;
            *type = TERN_HT_CHANGE_CIPHER_SPEC;
            tern_rec_done(c);
            return 0;
        case TERN_CT_ALERT:
            /* Alerts are handled by the connection (lib/conn.c); it refuses
             * one that splits a handshake message. */
            return 1;
        default:
            return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "application data arrived during the handshake");
        }
    }
}

/* Where our next handshake message goes: inside an open record after the
 * records already queued, past the record prefix, after the messages of
 * this flight written so far. */
static size_t hs_out_start(const tern_conn *c) {
    return c->out_len + tern_rec_prefix(c) + c->hs_out_len;
}

/* Close the open record area into records of at most record_size
 * plaintext bytes, in place: for each cut, the rest of the flight moves up
 * to make room for one tag and the next record's prefix (the buffer keeps
 * c->out_slack bytes for this).  Several messages of one flight thus share
 * records (RFC 5246 §6.2.1 allows coalescing). */
TERN_MUST_CHECK static int flush_hs(tern_conn *c) {
    size_t pre = tern_rec_prefix(c), post = tern_rec_suffix(c);
    uint8_t *rec = c->out + c->out_len;
    size_t left = c->hs_out_len;
    while (left > 0) {
        size_t n = left < c->record_size ? left : c->record_size;
        if (left > n) {
            TERN_ENSURE(rec + 2 * pre + post + left <= c->out + c->out_cap, TERN_ERR_INTERNAL);
            memmove(rec + pre + n + post + pre, rec + pre + n, left - n);
        }
        TERN_TRY(tern_rec_close(c, TERN_CT_HANDSHAKE, rec, n));
        rec += pre + n + post;
        left -= n;
    }
    c->out_len = (size_t)(rec - c->out);
    c->hs_out_len = 0;
    return 0;
}

/* Write one handshake message after those already pending. */
TERN_MUST_CHECK static int write_message(tern_conn *c, const tern_hs_row *row) {
    if (c->hs_out_len == 0 && c->out_sent == c->out_len)
        c->out_sent = c->out_len = 0;
    size_t start = hs_out_start(c);
    size_t end = c->out_cap - c->out_slack;
    tern_writer w;
    tern_wr_vec body;
    tern_wr_init(&w, c->out + start, start < end ? end - start : 0);
    int rc = tern_wr_u8(&w, (uint8_t)row->type);
    if (rc == 0)
        rc = tern_wr_begin(&w, &body, 3);
    if (rc == 0)
        rc = row->write(c, &w);
    if (rc == 0)
        rc = tern_wr_end(&w, &body);
    if (rc == 0 && w.err)
        rc = w.err;
    if (rc == TERN_ERR_BUFFER_TOO_SMALL && (c->hs_out_len > 0 || c->out_len > 0)) {
        /* Not enough room behind what is queued: close the records, let the
         * pump send them, and write this message again into the empty
         * buffer (its write function runs again from the start). */
        TERN_TRY(flush_hs(c));
        return TERN_WANT_WRITE;
    }
    if (rc == TERN_ERR_BUFFER_TOO_SMALL || tern_wr_len(&w) > c->hs_cap)
        return tern_fail(c, TERN_ERR_LIMIT, "our %s does not fit the handshake buffer (%zu bytes)", tern_name_handshake_text(row->type),
                         c->hs_cap);
    TERN_TRY(rc);
    tern_hs_transcript(c, c->out + start, tern_wr_len(&w));
    tern_trace_message(c, row->type, 1, c->out + start, tern_wr_len(&w));
    c->hs_out_len += tern_wr_len(&w);
    return 0;
}

int tern_hs_partial(const tern_conn *c) {
    return c->hs_in_len > 0 || c->post_hdr_len > 0 || c->post_body_left > 0;
}

int tern_hs_advance(tern_conn *c) {
    while (c->step < c->nrows) {
        const tern_hs_row *row = &c->table[c->step];
        if (row->applies != NULL && !row->applies(c)) {
            c->step++;
            continue;
        }
        if (row->sender == c->side) {
            if (row->type == TERN_HT_CHANGE_CIPHER_SPEC) {
                /* CCS is its own record type: everything before it goes out
                 * first, under the old keys. */
                TERN_TRY(flush_hs(c));
                if (!tern_rec_fits(c, 1))
                    return TERN_WANT_WRITE;
                uint8_t one = 1;
                TERN_TRY(tern_rec_write(c, TERN_CT_CHANGE_CIPHER_SPEC, &one, 1));
                tern_trace_message(c, TERN_HT_CHANGE_CIPHER_SPEC, 1, &one, 1);
                tern_writer w;
                tern_wr_init(&w, NULL, 0);
                int rc = row->write(c, &w); /* switches our write keys */
                if (rc < 0)
                    return c->state == TERN_ST_FAILED ? rc : tern_fail(c, rc, "%s while switching keys", tern_strerror(rc));
            } else {
                int rc = write_message(c, row);
                if (rc == TERN_WANT_WRITE)
                    return rc;
                if (rc < 0)
                    return c->state == TERN_ST_FAILED
                               ? rc
                               : tern_fail(c, rc, "%s while writing our %s", tern_strerror(rc), tern_name_handshake_text(row->type));
            }
            c->step++;
            continue;
        }
        /* The peer's turn: our flight must be on its way first (and the
         * output buffer empty: the peer's message is gathered there). */
        TERN_TRY(flush_hs(c));
        if (c->out_sent < c->out_len)
            return TERN_WANT_WRITE;
        c->out_sent = c->out_len = 0;
        int type = -1;
        size_t len = 0;
        int rc = next_message(c, row->type, &type, &len);
        if (rc != 0)
            return rc; /* WANT_READ, an error, or 1: an alert for the caller */
        if (type == TERN_HT_HELLO_REQUEST && c->side == TERN_CLIENT && len != TERN_HS_HDR)
            return tern_fail(c, TERN_ERR_DECODE, "a HelloRequest with a %zu-byte body (it has none, RFC 5246 §7.4.1.1)",
                             len - TERN_HS_HDR);
        if (type == TERN_HT_HELLO_REQUEST && c->side == TERN_CLIENT && row->type != TERN_HT_FINISHED) {
            /* RFC 5246 §7.4.1.1: a client ignores HelloRequest while it is
             * negotiating; it is never part of the transcript.  Not between
             * ChangeCipherSpec and Finished: §7.4.9 puts Finished
             * immediately after it. */
            c->hs_in_len = 0;
            continue;
        }
        if (type != row->type) {
            if (row->optional) {
                /* A CertificateStatus the client may have required. */
                if (row->type == TERN_HT_CERTIFICATE_STATUS)
                    TERN_TRY(tern_hs_certificate_status_absent(c));
                c->step++;
                continue;
            }
            return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "expected %s, received %s", tern_name_handshake_text(row->type), tern_name_handshake_text(type));
        }
        tern_reader r;
        if (type == TERN_HT_CHANGE_CIPHER_SPEC)
            tern_rd_init(&r, c->hs, len);
        else
            tern_rd_init(&r, c->hs + TERN_HS_HDR, len - TERN_HS_HDR);
        tern_trace_message(c, type, 0, c->hs, len);
        rc = row->parse(c, &r);
        if (rc < 0)
            return c->state == TERN_ST_FAILED ? rc
                                              : tern_fail(c, rc, "%s in the peer's %s", tern_strerror(rc), tern_name_handshake_text(row->type));
        /* The hello that fixes the shape: the rest of the walk follows it. */
        if (type == (c->side == TERN_SERVER ? TERN_HT_CLIENT_HELLO : TERN_HT_SERVER_HELLO))
            TERN_TRY(choose_shape(c));
        /* The message joins the transcript after its parse: Finished is
         * checked against the hash of everything before it.  (A ClientHello
         * fed as it arrived is in it already.) */
        int streamed = type == TERN_HT_CLIENT_HELLO && c->side == TERN_SERVER && c->hs_state->ch.streamed;
        if (type != TERN_HT_CHANGE_CIPHER_SPEC && !streamed)
            tern_hs_transcript(c, c->hs, len);
        if (type == TERN_HT_CLIENT_HELLO && c->side == TERN_SERVER)
            hello_return(c); /* the duplicate check is over: the input buffer gets its 8 KB back */
        c->hs_in_len = 0;
        c->step++;
    }
    /* (The end of a shape's table, never of the hellos': choose_shape ran.) */
    if (c->table == hellos)
        return tern_fail(c, TERN_ERR_INTERNAL, "the handshake ended before its shape was chosen");
    TERN_TRY(flush_hs(c));
    TERN_TRY(tern_sess_handshake_done(c));
    tern_trace_done(c);
    /* The stapled response is written: its reference goes back (lib/staple.c). */
    tern_staple_put(c->cfg, c->staple);
    c->staple = NULL;
    /* Done: the handshake-only secrets go now, and the input buffer gets
     * its tail back (records up to the full size may come now). */
    tern_wipe(c->hs_state, sizeof *c->hs_state);
    c->hs_state = NULL;
    c->in_cap = c->in_full_cap;
    c->state = TERN_ST_OPEN;
    return 0;
}

int tern_hs_post_handshake(tern_conn *c) {
    /* The message is not stored (the output buffer may hold data records
     * now): read the 4-byte header, skip the body, then answer. */
    while (c->rec_left > 0 && c->post_hdr_len < TERN_HS_HDR) {
        c->post_hdr[c->post_hdr_len++] = *c->rec_p++;
        c->rec_left--;
        if (c->post_hdr_len == TERN_HS_HDR) {
            c->post_body_left = tern_load_be24(c->post_hdr + 1);
            /* (A renegotiating ClientHello is skipped, not kept: any
             * well-formed size will do.) */
            if (c->post_hdr[0] == TERN_HT_CLIENT_HELLO && c->side == TERN_SERVER) {
                if (c->post_body_left > TERN_CH_MAX)
                    return tern_fail(c, TERN_ERR_DECODE, "a ClientHello of %zu bytes after the handshake, longer "
                                     "than any well-formed one", c->post_body_left);
            } else if (c->post_body_left > c->hs_cap - TERN_HS_HDR)
                return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "%s of %zu bytes after the handshake",
                                 tern_name_handshake_text(c->post_hdr[0]), c->post_body_left);
        }
    }
    size_t n = c->rec_left < c->post_body_left ? c->rec_left : c->post_body_left;
    c->rec_p += n;
    c->rec_left -= n;
    c->post_body_left -= n;
    if (c->post_hdr_len < TERN_HS_HDR || c->post_body_left > 0) {
        tern_rec_done(c); /* the rest comes in the next record */
        return 0;
    }
    if (c->rec_left == 0)
        tern_rec_done(c);
    int type = c->post_hdr[0];
    size_t len = tern_load_be24(c->post_hdr + 1);
    c->post_hdr_len = 0;
    /* RFC 5746 §4.2 / §4.4: tern never renegotiates; it says so with a
     * no_renegotiation warning and carries on with the current keys.  A peer
     * that keeps asking gets that answer TERN_RENEG_ANSWERS times, then
     * silence: answering every 4-byte HelloRequest would let it make us
     * write eight times what it sends, for as long as it likes. */
    if (c->side == TERN_CLIENT && type == TERN_HT_HELLO_REQUEST && len != 0)
        return tern_fail(c, TERN_ERR_DECODE, "a HelloRequest with a %zu-byte body (it has none, RFC 5246 §7.4.1.1)", len);
    if ((c->side == TERN_CLIENT && type == TERN_HT_HELLO_REQUEST && len == 0) ||
        (c->side == TERN_SERVER && type == TERN_HT_CLIENT_HELLO)) {
        if (c->reneg_refused < TERN_RENEG_ANSWERS) {
            c->reneg_refused++;
            tern_rec_alert(c, 1, TERN_ALERT_NO_RENEGOTIATION);
        }
        return 0;
    }
    return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "%s arrived after the handshake", tern_name_handshake_text(type));
}
