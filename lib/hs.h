/*
 * The handshake (RFC 5246 §7.3, §7.4): the table of rows each handshake
 * walks (lib/hs.c), one write / parse pair per message (lib/hs_*.c), the
 * extensions (lib/ext.c) and the resumption hooks (lib/session.c).
 */
#ifndef TERN_LIB_HS_H
#define TERN_LIB_HS_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_HANDSHAKE
#error "lib/hs.h is in the handshake layer (5): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"

/* A handshake message's writer and parser, and a row's condition. */
typedef int (*tern_hs_write_fn)(tern_conn *c, tern_writer *w);
typedef int (*tern_hs_parse_fn)(tern_conn *c, tern_reader *r);
typedef int (*tern_hs_applies_fn)(const tern_conn *c);
typedef struct tern_hs_row {
    int type;                 /* TERN_HT_* */
    enum tern_side sender;
    tern_hs_applies_fn applies; /* NULL: always; else the row is skipped when 0 */
    int optional;             /* receiver: skip the row when another message comes */
    tern_hs_write_fn write;
    tern_hs_parse_fn parse;
} tern_hs_row;

/* ---- the table walk (lib/hs.c) ---- */
/* Run the handshake as far as the buffered input and output room allow.
 * Returns 0 when it is complete, TERN_WANT_READ / TERN_WANT_WRITE, or an
 * error (after which the connection is failed). */
TERN_MUST_CHECK int tern_hs_advance(tern_conn *c);
/* Start: choose the table and reset the state. */
void tern_hs_begin(tern_conn *c);
/* Add one whole handshake message to the transcript, under every hash
 * still needed (SHA-256, -384, -512 until the suite and the
 * CertificateVerify hash are known; lib/hs.c says when each is dropped). */
void tern_hs_transcript(tern_conn *c, const uint8_t *p, size_t len);
/* 1 while part of a handshake message has arrived and the rest has not
 * (nothing else may come in between: RFC 5246 §6.2.1). */
int tern_hs_partial(const tern_conn *c);
/* A handshake message arrived after the handshake (HelloRequest, a
 * renegotiating ClientHello): refuse politely or fail. */
TERN_MUST_CHECK int tern_hs_post_handshake(tern_conn *c);

/* ---- message files: write and parse, one pair per message ---- */
TERN_MUST_CHECK int tern_hs_client_hello_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_client_hello_parse(tern_conn *c, tern_reader *r);
/* The ClientHello as a stream (server): begin with the body's length (it
 * must be at most TERN_CH_MAX), feed its bytes in pieces of any size (the
 * pieces are not kept; an item split between pieces is gathered in the
 * handshake area), then tern_hs_client_hello_parse finishes it (its reader
 * is then empty). */
TERN_MUST_CHECK int tern_hs_client_hello_begin(tern_conn *c, size_t body_len, int streamed);
TERN_MUST_CHECK int tern_hs_client_hello_feed(tern_conn *c, const uint8_t *p, size_t n);
TERN_MUST_CHECK int tern_hs_server_hello_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_server_hello_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_certificate_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_certificate_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_server_key_exchange_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_server_key_exchange_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_server_hello_done_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_server_hello_done_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_client_key_exchange_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_client_key_exchange_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_change_cipher_spec_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_change_cipher_spec_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_finished_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_finished_parse(tern_conn *c, tern_reader *r);
/* client certificates (RFC 5246 §7.4.4 CertificateRequest, §7.4.6 the
 * client's Certificate, §7.4.8 CertificateVerify) */
TERN_MUST_CHECK int tern_hs_certificate_request_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_certificate_request_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_client_certificate_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_client_certificate_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_certificate_verify_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_certificate_verify_parse(tern_conn *c, tern_reader *r);
/* CertificateStatus (RFC 6066 §8, lib/hs_certificate_status.c): the
 * stapled OCSP response.  Client: _keep, from the Certificate parse once
 * the chain is verified (res NULL when verification is off), keeps the
 * leaf and its issuer for the response's check; _absent runs when another
 * message comes where CertificateStatus could (lib/hs.c), and fails the
 * handshake when a response was required; _release gives the handshake
 * area back its full size (idempotent; lib/hs.c calls it as soon as the
 * next message is not a CertificateStatus). */
TERN_MUST_CHECK int tern_hs_certificate_status_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_certificate_status_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_certificate_status_keep(tern_conn *c, const uint8_t *const *certs, const size_t *lens,
                                                    size_t n, const tern_x509_cert *leaf,
                                                    const tern_x509_result *res);
TERN_MUST_CHECK int tern_hs_certificate_status_absent(tern_conn *c);
void tern_hs_certificate_status_release(tern_conn *c);
/* The subjectAltName of cert as printable text ("DNS:a.test, IP:10.0.0.1"),
 * for tern_peer_san(). */
void tern_hs_san_text(const tern_x509_cert *cert, char *out, size_t cap);
/* ClientKeyExchange for the RSA key exchange (lib/hs_client_key_exchange_rsa.c) */
TERN_MUST_CHECK int tern_hs_rsa_client_key_exchange_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_rsa_client_key_exchange_parse(tern_conn *c, tern_reader *r);

/* ---- extensions (lib/ext.c) ---- */
/* Walk a ServerHello's extensions block: rejects duplicates of the types
 * tern knows (RFC 5246 §7.4.1.4) and calls fn for each extension; fn must
 * refuse the types it does not know (a server may only answer what we
 * offered), so an unknown type never gets a second turn. */
typedef int (*tern_ext_fn)(tern_conn *c, uint16_t type, tern_reader *body);
TERN_MUST_CHECK int tern_ext_walk(tern_conn *c, tern_reader *exts, tern_ext_fn fn);
/* The ClientHello's duplicate check: one bit per extension type in a
 * TERN_EXT_BITMAP-byte map; 1 if type was already seen (else it is marked). */
int tern_ext_seen(uint8_t *map, uint16_t type);

/* ---- resumption: the handshake's hooks (lib/session.c), called by the
 * hello files ---- */
/* Bytes of ticket room a client connection made with cfg gets:
 * TERN_TICKET_MAX when cfg enables session tickets, else 0. */
size_t tern_sess_client_ticket_room(const tern_config *cfg);
/* Put s in place as the client's offered session, without the policy
 * checks of tern_set_session (server name, age, suite, EMS): the master
 * secret goes into c->master, the peer subject into c->peer_subject.  A
 * ticket is kept only if the connection has ticket room; without it a
 * session that has a session ID is offered by ID, one that has none is
 * refused (TERN_ERR_INVALID_ARG, nothing changed). */
TERN_MUST_CHECK int tern_sess_client_offer(tern_conn *c, const struct tern_session *s);
/* client: ClientHello.session_id, and the SessionTicket extension */
TERN_MUST_CHECK int tern_sess_client_hello_sid(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_sess_client_hello_ext(tern_conn *c, tern_writer *w);
/* server: the client's SessionTicket extension (opened here, used later) */
TERN_MUST_CHECK int tern_sess_client_ext_ticket(tern_conn *c, tern_reader *body);
/* server, end of ClientHello, once tern_negotiate (lib/negotiate.c) has
 * chosen the full handshake's parameters: the session the client offered,
 * to be judged by tern_negotiate_resume: the ticket opened while parsing,
 * else the session ID sid found in the cache or the application's store;
 * NULL when there is none (or resumption is off). */
const tern_sess_core *tern_sess_server_lookup(tern_conn *c, const tern_reader *sid);
/* server, then: resume that session (its master secret and client
 * identity, the client's session ID echoed; c->sess.resumed, so lib/hs.c
 * walks the abbreviated table), or not (it is wiped, and a full handshake
 * with EMS gets a new session ID and / or a ticket). */
TERN_MUST_CHECK int tern_sess_server_settle(tern_conn *c, const tern_reader *sid, int resume);
/* server: ServerHello.session_id and the SessionTicket extension */
TERN_MUST_CHECK int tern_sess_server_hello_sid(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_sess_server_hello_ext(tern_conn *c, tern_writer *w);
/* client: the server's SessionTicket extension; end of ServerHello: did
 * the server resume what we offered, and consistently? */
TERN_MUST_CHECK int tern_sess_server_ext_ticket(tern_conn *c, tern_reader *body);
TERN_MUST_CHECK int tern_sess_server_hello_check(tern_conn *c, const tern_reader *sid);
/* both: the handshake completed (before its state is wiped): the server
 * caches the session, the client makes it available. */
TERN_MUST_CHECK int tern_sess_handshake_done(tern_conn *c);
/* The connection failed with err: unless the transport merely went away,
 * its session must not be resumed (RFC 5246 §7.2.2): the server drops it
 * from its cache / store, the client will not hand it out.  (A ticket
 * already issued cannot be recalled; it dies with its lifetime.) */
void tern_sess_invalidate(tern_conn *c, int err);
/* The state of this connection's session (after the master secret). */
void tern_sess_current(const tern_conn *c, tern_sess_core *st);
/* NewSessionTicket (lib/hs_new_session_ticket.c) */
TERN_MUST_CHECK int tern_hs_new_session_ticket_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_new_session_ticket_parse(tern_conn *c, tern_reader *r);

#endif
