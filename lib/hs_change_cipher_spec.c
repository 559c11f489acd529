/*
 * ChangeCipherSpec (RFC 5246 §7.1): its own content type, one byte.
 *
 *   struct { enum { change_cipher_spec(1), (255) } type; } ChangeCipherSpec;
 *
 * It is where the keys change.  The first CCS (sent or received) runs the
 * key schedule: master secret (with RFC 7627 the session hash now covers
 * ClientKeyExchange) and key block; each CCS then switches one direction.
 * The table (lib/hs.c) writes the record itself; write() only switches.
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/hs.h"
#include "lib/keysched.h"
#include "lib/trace.h"

int tern_hs_change_cipher_spec_write(tern_conn *c, tern_writer *w) {
    (void)w;
    return tern_ks_activate(c, 1);
}

/* Anything but the single byte 1 (another value, or more bytes: an empty
 * record never gets here, lib/record.c refuses it) is unexpected_message.
 * RFC 5246 §7.1 names no alert; RFC 8446 §5, the one RFC that does, says
 * unexpected_message for a change_cipher_spec of any other value, and
 * OpenSSL answers a TLS 1.2 CCS of the wrong value or length the same way. */
int tern_hs_change_cipher_spec_parse(tern_conn *c, tern_reader *r) {
    if (tern_rd_left(r) != 1)
        return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "ChangeCipherSpec of %zu bytes, not the single byte 1",
                         tern_rd_left(r));
    uint8_t v;
    TERN_TRY(tern_rd_u8(r, &v));
    if (v != 1)
        return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "ChangeCipherSpec holds %u, not 1", v);
    tern_trace_parsed(c);
    return tern_ks_activate(c, 0);
}
