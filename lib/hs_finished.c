/*
 * Finished (RFC 5246 §7.4.9): the first message under the new keys, proving
 * both sides saw the same handshake.
 *
 *   struct {
 *       opaque verify_data[verify_data_length];   -- 12 bytes
 *   } Finished;
 *   verify_data = PRF(master_secret, finished_label, Hash(handshake_messages))
 *
 * The received value is compared in constant time (tern_ct_memeq).
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/trace.h"
#include "crypto/ct.h"
#include "lib/hs.h"
#include "lib/keysched.h"

int tern_hs_finished_write(tern_conn *c, tern_writer *w) {
    uint8_t *out = c->side == TERN_CLIENT ? c->client_verify : c->server_verify;
    TERN_TRY(tern_ks_verify_data(c, c->side, out));
    TERN_TRY(tern_wr_bytes(w, out, TERN_VERIFY_LEN));
    tern_trace_finished(c, 1, out, 1);
    return 0;
}

int tern_hs_finished_parse(tern_conn *c, tern_reader *r) {
    enum tern_side peer = c->side == TERN_CLIENT ? TERN_SERVER : TERN_CLIENT;
    uint8_t *expect = peer == TERN_CLIENT ? c->client_verify : c->server_verify;
    const uint8_t *got;
    TERN_TRY(tern_rd_bytes(r, TERN_VERIFY_LEN, &got));
    TERN_TRY(tern_rd_end(r));
    TERN_TRY(tern_ks_verify_data(c, peer, expect));
    int match = tern_ct_memeq(expect, got, TERN_VERIFY_LEN);
    tern_trace_finished(c, 0, got, match);
    if (!match)
        return tern_fail(c, TERN_ERR_FINISHED,
                         "the peer's Finished does not match our transcript (the handshake was tampered with, or the "
                         "keys differ)");
    return 0;
}
