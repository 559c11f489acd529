/*
 * The handshake trace and the NSS key log (lib/trace.c): the hooks the
 * engine calls at each step, with what it wrote, decoded and checked.
 * Each hook returns at once when the configuration has no trace (or key
 * log) callback, so the engine pays one test per step.  Events carry no
 * secret (see tern_trace_event in include/tern/tern.h); the key log is the
 * one deliberate exception.
 *
 * The trace has no parser of its own: a message's fields are the values
 * its writer or parser reports through the hooks below, at the point it
 * wrote, decoded or checked them.  `sent` is 1 in a writer, 0 in a parser.
 */
#ifndef TERN_LIB_TRACE_H
#define TERN_LIB_TRACE_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_RECORD_KEYS
#error "lib/trace.h is in the record and keys layer (4): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"
#include "lib/x509/ocsp.h"

/* ---- the table walk (lib/hs.c) ---- */

/* A handshake message (type TERN_HT_*, header included in msg) or a
 * ChangeCipherSpec (TERN_HT_CHANGE_CIPHER_SPEC, the one-byte body) was
 * written by this side (sent = 1: its event goes out now, with the values
 * its writer reported) or is about to be parsed (sent = 0: its event goes
 * out when its parser reports what it decoded, or, if the parser stops
 * first, before the alert that says why). */
void tern_trace_message(tern_conn *c, int type, int sent, const uint8_t *msg, size_t len);

/* ---- what the message files report ---- */

/* A hello was written or parsed: ClientHello when the client sent it or
 * the server parsed it, else ServerHello.  Its values are the ones the
 * engine keeps (randoms, suite, the offer as the server understood it, the
 * extensions answered, the server's choices); session_id_len is the
 * session_id's length on the wire.  The client's ServerHello parse calls
 * it once the resumption is decided (the event then says so); the server
 * calls it for ClientHello after its choice (lib/hs_client_hello.c). */
void tern_trace_hello(tern_conn *c, int sent, size_t session_id_len);

/* The client's ServerHello parse met this extension (before checking it):
 * the event lists them in wire order. */
void tern_trace_extension(tern_conn *c, uint16_t type);

/* ServerKeyExchange (RFC 8422 §5.4): the ECDHE group and public key, and
 * the signature scheme, as written or as decoded (before any check). */
void tern_trace_server_kx(tern_conn *c, int sent, uint16_t group, const uint8_t *pub, size_t publen,
                          uint16_t scheme);

/* ClientKeyExchange: the ECDHE public key on `group` (RFC 8422 §5.7), or
 * with group 0 the RSA-encrypted premaster of publen bytes (RFC 5246
 * §7.4.7.1, pub NULL). */
void tern_trace_client_kx(tern_conn *c, int sent, uint16_t group, const uint8_t *pub, size_t publen);

/* CertificateVerify (RFC 5246 §7.4.8): the scheme, as written or decoded. */
void tern_trace_cert_verify(tern_conn *c, int sent, uint16_t scheme);

/* A signature of the peer was checked (type: TERN_HT_SERVER_KEY_EXCHANGE
 * or TERN_HT_CERTIFICATE_VERIFY): rc is what the verification returned,
 * 0 when it verified.  Called by the code that verified it, whatever the
 * verdict. */
void tern_trace_signature(tern_conn *c, int type, uint16_t scheme, int rc);

/* CertificateRequest (RFC 5246 §7.4.4).  Written: our configuration's
 * types and schemes, and the trust store's CA names when ca_names.
 * Parsed: the three vectors as framed by the parser (types, algs, cas),
 * ca_names unused. */
void tern_trace_cert_request(tern_conn *c, int sent, int ca_names, const tern_reader *types,
                             const tern_reader *algs, const tern_reader *cas);

/* NewSessionTicket (RFC 5077 §3.3): the lifetime hint and the ticket's length. */
void tern_trace_ticket(tern_conn *c, int sent, uint32_t lifetime, size_t ticket_len);

/* CertificateStatus (RFC 6066 §8): status_type ocsp and the response's
 * length, as written or as framed by the parser (before any check). */
void tern_trace_cert_status(tern_conn *c, int sent, size_t response_len);

/* The client's verdict on OCSP stapling (a CHECK event): verdict is the
 * TERN_STAPLE_* it reached, rc the error that refuses the handshake (0
 * when accepted, 1 when not checked: verification is off), info what the
 * response said (NULL when there was none, or it did not parse), detail a
 * sentence ("" when info says it all). */
void tern_trace_ocsp(tern_conn *c, int verdict, int rc, const tern_ocsp_info *info, const char *detail);

/* Server: the client asked for OCSP stapling and we send no response
 * (why: none set, or expired). */
void tern_trace_staple_skipped(tern_conn *c, const char *why);

/* Finished (RFC 5246 §7.4.9): verify_data as written, or as received with
 * the verdict of the comparison (match 1: it equals ours). */
void tern_trace_finished(tern_conn *c, int sent, const uint8_t verify_data[TERN_VERIFY_LEN], int match);

/* A received message parsed that has nothing else to report
 * (ServerHelloDone, ChangeCipherSpec). */
void tern_trace_parsed(tern_conn *c);

/* A Certificate message's list (RFC 5246 §7.4.2), as parsed; the server's
 * and the client's Certificate parsers call it right after reading the list
 * (lib/hs_certificate.c, lib/hs_client_certificate.c).  The written lists
 * are our key store's chain and need no call. */
void tern_trace_certificates(tern_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n);

/* The peer's chain was checked: rc is what tern_x509_verify_chain returned
 * (res filled), or 1 when verification is switched off. */
void tern_trace_chain(tern_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n,
                      const tern_x509_result *res, int rc);

/* ---- the key schedule, alerts, the end ---- */

/* The master secret and key block were just derived (lib/keysched.c):
 * names the steps, and writes the key-log line. */
void tern_trace_keys(tern_conn *c);

/* One direction's protection was just switched on. */
void tern_trace_keys_on(tern_conn *c, int for_write);

/* An alert was queued (sent = 1) or received (sent = 0). */
void tern_trace_alert(tern_conn *c, int sent, int level, int desc);

/* The handshake is complete (called before the handshake state is wiped). */
void tern_trace_done(tern_conn *c);

/* Hex without a table lookup (the master secret goes through it):
 * out gets 2 * len characters and a NUL. */
void tern_trace_hex(char *out, const uint8_t *p, size_t len);

#endif
