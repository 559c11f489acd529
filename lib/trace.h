/*
 * The handshake trace and the NSS key log (lib/trace.c): the hooks the
 * engine calls at each step.  Each hook returns at once when the
 * configuration has no trace (or key log) callback, so the engine pays one
 * test per step.  Events carry no secret (see tern_trace_event in
 * include/tern/tern.h); the key log is the one deliberate exception.
 */
#ifndef TERN_LIB_TRACE_H
#define TERN_LIB_TRACE_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_RECORD_KEYS
#error "lib/trace.h is in the record and keys layer (4): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"

/* A handshake message (type TERN_HT_*, header included in msg) or a
 * ChangeCipherSpec (TERN_HT_CHANGE_CIPHER_SPEC, the one-byte body) was
 * written by this side (sent = 1) or is about to be parsed (sent = 0).
 * Received bytes are decoded here with the bounded reader and may be
 * malformed: the decoder then shows what it could read and says so. */
void tern_trace_message(tern_conn *c, int type, int sent, const uint8_t *msg, size_t len);

/* The peer's chain was checked: rc is what tern_x509_verify_chain returned
 * (res filled), or 1 when verification is switched off. */
void tern_trace_chain(tern_conn *c, const uint8_t *const *certs, const size_t *lens, size_t n,
                      const tern_x509_result *res, int rc);

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
