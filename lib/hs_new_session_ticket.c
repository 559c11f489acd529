/*
 * NewSessionTicket (RFC 5077 §3.3), written by the server, parsed by the
 * client, sent after the client's Finished in a full handshake (so only a
 * verified handshake yields a ticket) and before the server's
 * ChangeCipherSpec in an abbreviated one:
 *
 *   struct {
 *       uint32 ticket_lifetime_hint;   -- seconds; 0: unspecified
 *       opaque ticket<0..2^16-1>;      -- opaque to the client
 *   } NewSessionTicket;
 *
 * The ticket is the session state sealed by lib/ticket.c.  A client keeps
 * a ticket of up to TERN_TICKET_MAX bytes in its ticket room (which only
 * clients configured for tickets have, and only they ask for tickets); a
 * longer one (or an empty one, §3.3: the server changed its mind) is
 * simply not kept.
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "crypto/ct.h"
#include "lib/hs.h"
#include "lib/trace.h"

int tern_hs_new_session_ticket_write(tern_conn *c, tern_writer *w) {
    tern_sess_cfg *sc = c->cfg->sess;
    TERN_ENSURE(sc != NULL, TERN_ERR_INTERNAL);
    tern_sess_core st;
    uint8_t plain[1024], ticket[1024 + 64];
    size_t tlen = 0;
    tern_sess_current(c, &st);
    tern_writer pw;
    tern_wr_init(&pw, plain, sizeof plain);
    int rc = tern_sess_encode(&st, &pw);
    if (rc == 0)
        rc = tern_ticket_seal(sc, c->cfg->rng, c->cfg->rng_arg, c->cfg->now(c->cfg->now_arg), plain, tern_wr_len(&pw),
                              ticket, sizeof ticket, &tlen);
    tern_wipe(&st, sizeof st);
    tern_wipe(plain, sizeof plain);
    TERN_TRY(rc);
    tern_wr_vec v;
    TERN_TRY(tern_wr_u32(w, sc->lifetime));
    TERN_TRY(tern_wr_begin(w, &v, 2));
    TERN_TRY(tern_wr_bytes(w, ticket, tlen));
    TERN_TRY(tern_wr_end(w, &v));
    tern_trace_ticket(c, 1, sc->lifetime, tlen);
    return 0;
}

int tern_hs_new_session_ticket_parse(tern_conn *c, tern_reader *r) {
    uint32_t hint;
    tern_reader t;
    TERN_TRY(tern_rd_u32(r, &hint));
    TERN_TRY(tern_rd_vec16(r, &t));
    TERN_TRY(tern_rd_end(r));
    tern_trace_ticket(c, 0, hint, tern_rd_left(&t));
    tern_sess_client *cl = c->sess.cl;
    TERN_ENSURE(cl != NULL, TERN_ERR_INTERNAL);
    size_t n = tern_rd_left(&t);
    /* (A client without ticket room never asked for a ticket, so none can
     * come here; the bound keeps it that way regardless.) */
    if (n == 0 || n > cl->ticket_cap) {
        cl->ticket_len = 0;
        return 0;
    }
    TERN_TRY(tern_rd_copy(&t, cl->ticket, n));
    cl->ticket_len = n;
    if (!c->sess.resumed)
        cl->lifetime = hint; /* the session's lifetime is set when it completes */
    return 0;
}
