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
#include "lib/tls.h"

int tern_hs_change_cipher_spec_write(tern_conn *c, tern_writer *w) {
    (void)w;
    return tern_ks_activate(c, 1);
}

int tern_hs_change_cipher_spec_parse(tern_conn *c, tern_reader *r) {
    uint8_t v;
    TERN_TRY(tern_rd_u8(r, &v));
    TERN_TRY(tern_rd_end(r));
    if (v != 1)
        return tern_fail(c, TERN_ERR_DECODE, "ChangeCipherSpec holds %u, not 1", v);
    return tern_ks_activate(c, 0);
}
