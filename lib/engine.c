/*
 * The engine's byte interface (lib/engine.h): where the transport puts the
 * bytes it read (the input buffer's free tail) and where it takes the
 * bytes to send (the output buffer's unsent records).  The engine never
 * does I/O itself; lib/io.c pumps these over an fd or callbacks, tests
 * over memory.
 */
#define TERN_LAYER TERN_LAYER_ENGINE
#include <string.h>

#include "lib/engine.h"

uint8_t *tern_engine_recv_buf(tern_conn *c, size_t *cap) {
    if (!c->rec_active && c->in_start > 0) {
        memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
        c->in_end -= c->in_start;
        c->in_start = 0;
    }
    *cap = c->in_cap - c->in_end;
    return c->in + c->in_end;
}

void tern_engine_recv_done(tern_conn *c, size_t n) {
    if (n == 0)
        c->in_eof = 1;
    else
        c->in_end += n;
}

const uint8_t *tern_engine_send_buf(tern_conn *c, size_t *len) {
    *len = c->out_len - c->out_sent;
    return *len ? c->out + c->out_sent : NULL;
}

void tern_engine_send_done(tern_conn *c, size_t n) {
    c->out_sent += n;
    if (c->out_sent >= c->out_len)
        c->out_sent = c->out_len = 0;
}
