/*
 * ServerHelloDone (RFC 5246 §7.4.5): the end of the server's first flight.
 *
 *   struct { } ServerHelloDone;
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/hs.h"
#include "lib/trace.h"

int tern_hs_server_hello_done_write(tern_conn *c, tern_writer *w) {
    (void)c;
    (void)w;
    return 0;
}

int tern_hs_server_hello_done_parse(tern_conn *c, tern_reader *r) {
    TERN_TRY(tern_rd_end(r)); /* any body is a decode_error */
    tern_trace_parsed(c);
    return 0;
}
