/*
 * The engine's byte interface (sans-I/O): bytes from the transport are put
 * into the input buffer (tern_engine_recv_buf / _recv_done), bytes to send
 * are taken from the output buffer (tern_engine_send_buf / _send_done).
 * The pumps (lib/io.c) move them over an fd or callbacks; tests pump them
 * over memory.
 */
#ifndef TERN_LIB_ENGINE_H
#define TERN_LIB_ENGINE_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENGINE
#error "lib/engine.h is in the engine layer (6): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"

/* Where the transport may put up to *cap bytes. */
uint8_t *tern_engine_recv_buf(tern_conn *c, size_t *cap);
/* n bytes arrived (0: the transport reached end of file). */
void tern_engine_recv_done(tern_conn *c, size_t n);
/* Bytes waiting to be sent (NULL, 0 when none). */
const uint8_t *tern_engine_send_buf(tern_conn *c, size_t *len);
void tern_engine_send_done(tern_conn *c, size_t n);

/* The pumps (lib/io.c): move bytes between the engine and the transport.
 * fill returns > 0, 0 at end of file, TERN_WANT_READ or an error; flush
 * returns 0 when everything went out, TERN_WANT_WRITE or an error. */
TERN_MUST_CHECK int tern_io_fill(tern_conn *c);
TERN_MUST_CHECK int tern_io_flush(tern_conn *c);

#endif
