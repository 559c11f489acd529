/*
 * Session resumption (RFC 5246 §7.3, RFC 5077): the session state and its encoding, the
 * public tern_session API and configuration setters, and the hooks the
 * hello messages call to offer, decide and check a resumption.
 *
 *   RFC 5246 §7.3     the abbreviated handshake (table in lib/hs.c)
 *   RFC 5246 §7.4.1.2 the client offers a session_id; §7.4.1.3 the server
 *                     echoes it to resume, or sends a new one
 *   RFC 5077 §3.1-3.4 SessionTicket extension, NewSessionTicket, and the
 *                     session_id echo that tells the client a ticket worked
 *   RFC 7627 §5.3     a session's EMS state must match the new hello
 *
 * Rules enforced here, on the server (anything failing means a full
 * handshake, never an error): the session is within its lifetime, was made
 * for the same server name (SNI), its suite is one the client offers and
 * the server allows, it was made with EMS when the client offers EMS, and
 * a server that requires client certificates resumes only sessions with a
 * verified client identity.  One exception (RFC 7627 §5.3): a session that
 * passes those checks offered in a ClientHello without EMS ends the
 * handshake with handshake_failure, whether the session had EMS (MUST) or
 * not (SHOULD); and a full handshake without EMS makes no session.  On the
 * client: a server that echoes our session_id must keep the session's
 * suite (else illegal_parameter) and EMS state (else handshake_failure,
 * RFC 7627 §5.3).
 *
 * The encoding (tickets, the external store, tern_session_to_bytes):
 *   u8 format(1) u16 suite u8 ems u8 has_identity opaque master[48]
 *   u64 created u32 lifetime  vec8 server_name vec8 peer_subject vec8 peer_san
 *   client bytes only, after it: vec8 session_id vec16 ticket
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include <stdio.h>
#include <stdlib.h>

#include "crypto/ct.h"
#include "lib/hs.h"

#define SESS_FORMAT 1
#define LIFETIME_DEFAULT 7200u  /* two hours: RFC 5246 §F.1.4 suggests at most a day */
#define LIFETIME_MAX 86400u

/* ---- encoding ---- */

TERN_MUST_CHECK static int wr_str(tern_writer *w, const char *s) {
    size_t n = strlen(s);
    TERN_ENSURE(n < TERN_SESS_STR, TERN_ERR_INTERNAL);
    TERN_TRY(tern_wr_u8(w, (uint8_t)n));
    return tern_wr_bytes(w, s, n);
}

TERN_MUST_CHECK static int rd_str(tern_reader *r, char out[TERN_SESS_STR]) {
    tern_reader v;
    TERN_TRY(tern_rd_vec8(r, &v));
    size_t n = tern_rd_left(&v);
    const uint8_t *p;
    TERN_TRY(tern_rd_bytes(&v, n, &p));
    for (size_t i = 0; i < n; i++)
        TERN_ENSURE(p[i] != 0, TERN_ERR_DECODE);
    memcpy(out, p, n);
    out[n] = '\0';
    return 0;
}

int tern_sess_encode(const tern_sess_core *st, tern_writer *w) {
    TERN_TRY(tern_wr_u8(w, SESS_FORMAT));
    TERN_TRY(tern_wr_u16(w, st->suite));
    TERN_TRY(tern_wr_u8(w, st->ems));
    TERN_TRY(tern_wr_u8(w, st->has_identity));
    TERN_TRY(tern_wr_bytes(w, st->master, sizeof st->master));
    TERN_TRY(tern_wr_u64(w, (uint64_t)st->created));
    TERN_TRY(tern_wr_u32(w, st->lifetime));
    TERN_TRY(wr_str(w, st->server_name));
    TERN_TRY(wr_str(w, st->peer_subject));
    return wr_str(w, st->peer_san);
}

int tern_sess_decode(tern_reader *r, tern_sess_core *st) {
    uint8_t fmt;
    uint64_t created;
    memset(st, 0, sizeof *st);
    TERN_TRY(tern_rd_u8(r, &fmt));
    TERN_ENSURE(fmt == SESS_FORMAT, TERN_ERR_DECODE);
    TERN_TRY(tern_rd_u16(r, &st->suite));
    TERN_TRY(tern_rd_u8(r, &st->ems));
    TERN_TRY(tern_rd_u8(r, &st->has_identity));
    TERN_ENSURE(st->ems <= 1 && st->has_identity <= 1, TERN_ERR_DECODE);
    TERN_ENSURE(tern_suite_by_id(st->suite) != NULL, TERN_ERR_DECODE);
    TERN_TRY(tern_rd_copy(r, st->master, sizeof st->master));
    TERN_TRY(tern_rd_u64(r, &created));
    st->created = (int64_t)created;
    TERN_TRY(tern_rd_u32(r, &st->lifetime));
    TERN_TRY(rd_str(r, st->server_name));
    TERN_TRY(rd_str(r, st->peer_subject));
    return rd_str(r, st->peer_san);
}

/* ---- configuration ---- */

TERN_MUST_CHECK static int sess_cfg(tern_config *cfg, tern_sess_cfg **out) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    if (cfg->sess == NULL) {
        tern_sess_cfg *sc = calloc(1, sizeof *sc);
        if (sc == NULL)
            return TERN_ERR_NOMEM;
        if (pthread_mutex_init(&sc->mu, NULL) != 0) {
            free(sc);
            return TERN_ERR_NOMEM;
        }
        sc->lifetime = LIFETIME_DEFAULT;
        sc->rotate = 3600;
        sc->window = 0; /* 0: the lifetime */
        cfg->sess = sc;
    }
    *out = cfg->sess;
    return 0;
}

int tern_config_set_session_cache(tern_config *cfg, size_t max_entries, uint32_t lifetime_s) {
    tern_sess_cfg *sc;
    TERN_ENSURE(max_entries == 0 || (lifetime_s >= 1 && lifetime_s <= LIFETIME_MAX), TERN_ERR_INVALID_ARG);
    TERN_ENSURE(max_entries <= (1u << 24), TERN_ERR_INVALID_ARG);
    TERN_TRY(sess_cfg(cfg, &sc));
    tern_session_cache_free(sc->cache);
    sc->cache = NULL;
    if (max_entries == 0)
        return 0;
    TERN_TRY(tern_session_cache_new(&sc->cache, max_entries));
    sc->lifetime = lifetime_s;
    return 0;
}

int tern_config_set_session_store(tern_config *cfg,
                                  int (*store)(void *, const uint8_t *, size_t, const uint8_t *, size_t),
                                  long (*fetch)(void *, const uint8_t *, size_t, uint8_t *, size_t),
                                  void (*remove)(void *, const uint8_t *, size_t), void *arg) {
    tern_sess_cfg *sc;
    TERN_ENSURE(store == NULL || fetch != NULL, TERN_ERR_INVALID_ARG);
    TERN_TRY(sess_cfg(cfg, &sc));
    sc->store = store;
    sc->fetch = store ? fetch : NULL;
    sc->remove = store ? remove : NULL;
    sc->store_arg = arg;
    return 0;
}

int tern_config_set_session_tickets(tern_config *cfg, int enable, uint32_t lifetime_s) {
    tern_sess_cfg *sc;
    TERN_ENSURE(!enable || (lifetime_s >= 1 && lifetime_s <= LIFETIME_MAX), TERN_ERR_INVALID_ARG);
    TERN_TRY(sess_cfg(cfg, &sc));
    sc->tickets = enable != 0;
    if (enable)
        sc->lifetime = lifetime_s;
    return 0;
}

int tern_config_set_ticket_rotation(tern_config *cfg, uint32_t rotate_s, uint32_t window_s) {
    tern_sess_cfg *sc;
    TERN_ENSURE(rotate_s >= 1 && window_s >= 1, TERN_ERR_INVALID_ARG);
    TERN_TRY(sess_cfg(cfg, &sc));
    pthread_mutex_lock(&sc->mu);
    sc->rotate = rotate_s;
    sc->window = window_s;
    pthread_mutex_unlock(&sc->mu);
    return 0;
}

int tern_config_set_ticket_keys(tern_config *cfg, const uint8_t *keys, size_t n) {
    tern_sess_cfg *sc;
    TERN_ENSURE(n <= TERN_TICKET_KEYS_MAX && (n == 0 || keys != NULL), TERN_ERR_INVALID_ARG);
    TERN_TRY(sess_cfg(cfg, &sc));
    TERN_TRY(tern_ticket_set_keys(sc, keys, n));
    if (n > 0 && !sc->tickets) /* (no write once on: a later rotation races with nothing) */
        sc->tickets = 1;
    return 0;
}

/* ---- the public session object ---- */

_Static_assert(TERN_SESS_STR == TERN_PEER_STR, "session strings and the connection's peer strings have one size");

static int64_t now_of(const tern_conn *c) { return c->cfg->now(c->cfg->now_arg); }

int tern_sess_expired(const tern_sess_core *st, int64_t now) {
    /* now >= created here, so the difference fits in uint64_t; as int64_t it
     * could overflow (a saved session's created comes from outside). */
    return now < st->created || (uint64_t)now - (uint64_t)st->created >= st->lifetime;
}

/* The session is built from the connection's parts: its small client
 * state, the master secret, the server name and the server's subject (a
 * client session carries no SAN and no has_identity: those are a
 * server's record of its client). */
tern_session *tern_get_session(const tern_conn *c) {
    if (c == NULL || c->side != TERN_CLIENT || c->state != TERN_ST_OPEN || !c->sess.complete || c->sess.cl == NULL)
        return NULL;
    const tern_sess_client *cl = c->sess.cl;
    tern_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->core.suite = cl->suite;
    s->core.ems = cl->ems;
    memcpy(s->core.master, c->master, TERN_MASTER_LEN);
    s->core.created = cl->created;
    s->core.lifetime = cl->lifetime;
    snprintf(s->core.server_name, sizeof s->core.server_name, "%s", c->server_name);
    if (c->peer_subject != NULL)
        snprintf(s->core.peer_subject, sizeof s->core.peer_subject, "%s", c->peer_subject);
    memcpy(s->id, cl->id, cl->id_len);
    s->id_len = cl->id_len;
    if (cl->ticket_len > 0 && cl->ticket_len <= cl->ticket_cap) {
        memcpy(s->ticket, cl->ticket, cl->ticket_len);
        s->ticket_len = cl->ticket_len;
    }
    return s;
}

void tern_session_free(tern_session *s) {
    if (s == NULL)
        return;
    tern_wipe(s, sizeof *s);
    free(s);
}

int tern_session_reused(const tern_conn *c) { return c != NULL && c->sess.resumed && c->state == TERN_ST_OPEN; }

long tern_session_to_bytes(const tern_session *s, uint8_t *out, size_t cap) {
    if (s == NULL)
        return TERN_ERR_INVALID_ARG;
    size_t need = 1 + 2 + 1 + 1 + 48 + 8 + 4 + 3 + strlen(s->core.server_name) + strlen(s->core.peer_subject) +
                  strlen(s->core.peer_san) + 1 + s->id_len + 2 + s->ticket_len;
    if (out == NULL)
        return (long)need;
    if (cap < need)
        return TERN_ERR_BUFFER_TOO_SMALL;
    tern_writer w;
    tern_wr_vec v;
    tern_wr_init(&w, out, cap);
    int rc = tern_sess_encode(&s->core, &w);
    if (rc == 0)
        rc = tern_wr_begin(&w, &v, 1);
    if (rc == 0)
        rc = tern_wr_bytes(&w, s->id, s->id_len);
    if (rc == 0)
        rc = tern_wr_end(&w, &v);
    if (rc == 0)
        rc = tern_wr_begin(&w, &v, 2);
    if (rc == 0)
        rc = tern_wr_bytes(&w, s->ticket, s->ticket_len);
    if (rc == 0)
        rc = tern_wr_end(&w, &v);
    if (rc < 0) {
        tern_wipe(out, cap);
        return rc;
    }
    return (long)tern_wr_len(&w);
}

tern_session *tern_session_from_bytes(const uint8_t *p, size_t len) {
    if (p == NULL)
        return NULL;
    tern_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    tern_reader r, id, t;
    tern_rd_init(&r, p, len);
    tern_rd_init(&id, NULL, 0);
    tern_rd_init(&t, NULL, 0);
    int rc = tern_sess_decode(&r, &s->core);
    if (rc == 0)
        rc = tern_rd_vec8(&r, &id);
    if (rc == 0)
        rc = tern_rd_vec16(&r, &t);
    if (rc == 0)
        rc = tern_rd_end(&r);
    if (rc == 0 && (tern_rd_left(&id) > TERN_SESSION_ID_MAX || tern_rd_left(&t) > TERN_TICKET_MAX ||
                    tern_rd_left(&id) + tern_rd_left(&t) == 0))
        rc = TERN_ERR_DECODE;
    if (rc == 0) {
        s->id_len = tern_rd_left(&id);
        s->ticket_len = tern_rd_left(&t);
        rc = tern_rd_copy(&id, s->id, s->id_len);
        if (rc == 0)
            rc = tern_rd_copy(&t, s->ticket, s->ticket_len);
    }
    if (rc < 0) {
        tern_session_free(s);
        return NULL;
    }
    return s;
}

/* Is `suite` in cfg's list? */
static int cfg_has_suite(const tern_config *cfg, uint16_t suite) {
    for (size_t i = 0; cfg->suites[i] != 0; i++)
        if (cfg->suites[i] == suite)
            return 1;
    return 0;
}

size_t tern_sess_client_ticket_room(const tern_config *cfg) {
    return cfg->sess != NULL && cfg->sess->tickets ? TERN_TICKET_MAX : 0;
}

/* Forget the client's session state (the ticket room stays). */
static void client_clear(tern_sess_client *cl) {
    size_t cap = cl->ticket_cap;
    tern_wipe(cl, sizeof *cl + cap);
    cl->ticket_cap = cap;
}

int tern_sess_client_offer(tern_conn *c, const tern_session *s) {
    tern_sess_client *cl = c->sess.cl;
    if (c->side != TERN_CLIENT || cl == NULL || c->peer_subject == NULL || s->id_len > TERN_SESSION_ID_MAX ||
        s->ticket_len > TERN_TICKET_MAX)
        return TERN_ERR_INVALID_ARG;
    /* Without ticket room a ticket cannot be offered: by ID if the session
     * has one, else not at all. */
    size_t ticket_len = s->ticket_len <= cl->ticket_cap ? s->ticket_len : 0;
    if (s->id_len == 0 && ticket_len == 0)
        return TERN_ERR_INVALID_ARG;
    client_clear(cl);
    cl->created = s->core.created;
    cl->lifetime = s->core.lifetime;
    cl->suite = s->core.suite;
    cl->ems = s->core.ems;
    memcpy(cl->id, s->id, s->id_len);
    cl->id_len = (uint8_t)s->id_len;
    memcpy(cl->ticket, s->ticket, ticket_len);
    cl->ticket_len = ticket_len;
    /* The master secret and the server's subject go where a resumed
     * connection uses them; until the ServerHello confirms the resumption
     * tern_peer_subject does not show the subject, and a full handshake or
     * a failure clears both (tern_sess_server_hello_check,
     * tern_sess_invalidate). */
    memcpy(c->master, s->core.master, TERN_MASTER_LEN);
    memcpy(c->peer_subject, s->core.peer_subject, TERN_PEER_STR);
    c->peer_subject[TERN_PEER_STR - 1] = '\0';
    c->sess.offered = 1;
    return 0;
}

int tern_set_session(tern_conn *c, const tern_session *s) {
    if (c == NULL || s == NULL || c->side != TERN_CLIENT || c->state != TERN_ST_HANDSHAKE || c->step != 0)
        return TERN_ERR_INVALID_ARG;
    const tern_config *cfg = c->cfg;
    /* RFC 7627 §5.3: a server must not resume a non-EMS session for a
     * client offering EMS, so offering one would only waste the ticket. */
    if (strcmp(s->core.server_name, c->server_name) != 0 || tern_sess_expired(&s->core, now_of(c)) ||
        !cfg_has_suite(cfg, s->core.suite) || (!s->core.ems && !cfg->no_ems) || (s->id_len == 0 && s->ticket_len == 0))
        return TERN_ERR_INVALID_ARG;
    return tern_sess_client_offer(c, s);
}

/* ---- client hooks ---- */

int tern_sess_client_hello_sid(tern_conn *c, tern_writer *w) {
    tern_sess_hs *h = &c->hs_state->sess;
    h->sent_id_len = 0;
    if (c->sess.offered) {
        const tern_sess_client *cl = c->sess.cl;
        if (cl->id_len > 0) {
            memcpy(h->sent_id, cl->id, cl->id_len);
            h->sent_id_len = cl->id_len;
        } else {
            /* RFC 5077 §3.4: with a ticket and no session ID, a random ID
             * lets the echo tell us the ticket was accepted. */
            TERN_TRY(tern_conn_random(c, h->sent_id, TERN_SESSION_ID_MAX));
            h->sent_id_len = TERN_SESSION_ID_MAX;
        }
    }
    tern_wr_vec v;
    TERN_TRY(tern_wr_begin(w, &v, 1));
    TERN_TRY(tern_wr_bytes(w, h->sent_id, h->sent_id_len));
    return tern_wr_end(w, &v);
}

int tern_sess_client_hello_ext(tern_conn *c, tern_writer *w) {
    tern_sess_hs *h = &c->hs_state->sess;
    const tern_sess_cfg *sc = c->cfg->sess;
    const tern_sess_client *cl = c->sess.cl;
    int with_ticket = c->sess.offered && cl->ticket_len > 0;
    /* Only a client with room for a ticket asks for one (the configuration
     * may have changed since the connection was made). */
    if (!with_ticket && (sc == NULL || !sc->tickets || cl->ticket_cap == 0))
        return 0;
    tern_wr_vec v;
    TERN_TRY(tern_wr_u16(w, TERN_EXT_SESSION_TICKET));
    TERN_TRY(tern_wr_begin(w, &v, 2));
    if (with_ticket)
        TERN_TRY(tern_wr_bytes(w, cl->ticket, cl->ticket_len));
    TERN_TRY(tern_wr_end(w, &v));
    h->ticket_ext = 1;
    return 0;
}

int tern_sess_server_ext_ticket(tern_conn *c, tern_reader *body) {
    tern_sess_hs *h = &c->hs_state->sess;
    /* RFC 5077 §3.2: the server's extension is empty and only answers ours. */
    if (!h->ticket_ext)
        return tern_fail(c, TERN_ERR_UNSUPPORTED_EXTENSION, "the server sent SessionTicket, which we did not offer");
    TERN_TRY(tern_rd_end(body));
    h->ticket_expected = 1;
    return 0;
}

int tern_sess_server_hello_check(tern_conn *c, const tern_reader *sid) {
    tern_sess_hs *h = &c->hs_state->sess;
    tern_sess_client *cl = c->sess.cl;
    size_t n = tern_rd_left(sid);
    if (c->sess.offered && h->sent_id_len > 0 && n == h->sent_id_len && memcmp(sid->p, h->sent_id, n) == 0) {
        /* The server resumes: it must keep what the session was. */
        if (c->suite->id != cl->suite)
            return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                             "the server resumed the session with cipher suite 0x%04x; the session has 0x%04x",
                             c->suite->id, cl->suite);
        if (c->ems != cl->ems)
            return tern_fail(c, TERN_ERR_HANDSHAKE_FAILURE,
                             "the server resumed a session %s the extended master secret but its ServerHello %s it "
                             "(RFC 7627 5.3)",
                             cl->ems ? "made with" : "made without", c->ems ? "has" : "lacks");
        /* The master secret and the server's subject are in place
         * (tern_sess_client_offer). */
        c->sess.resumed = 1; /* lib/hs.c goes on with the abbreviated table */
        return 0;
    }
    /* A full handshake: whatever we offered is gone (its master secret and
     * its server's subject too); this connection makes a new session under
     * the server's new ID (if any). */
    if (c->sess.offered) {
        tern_wipe(c->master, TERN_MASTER_LEN);
        tern_wipe(c->peer_subject, TERN_PEER_STR);
    }
    client_clear(cl);
    c->sess.offered = 0;
    TERN_ENSURE(n <= TERN_SESSION_ID_MAX, TERN_ERR_DECODE);
    memcpy(cl->id, sid->p, n);
    cl->id_len = (uint8_t)n;
    return 0;
}

/* ---- server hooks ---- */

/* Open the state a ticket (or the external store) holds into h->resume. */
static void candidate_from(tern_sess_hs *h, const uint8_t *p, size_t len) {
    tern_reader r;
    tern_rd_init(&r, p, len);
    if (tern_sess_decode(&r, &h->resume) == 0 && tern_rd_end(&r) == 0)
        h->have_resume = 1;
    else
        tern_wipe(&h->resume, sizeof h->resume);
}

int tern_sess_client_ext_ticket(tern_conn *c, tern_reader *body) {
    tern_sess_hs *h = &c->hs_state->sess;
    tern_sess_cfg *sc = c->cfg->sess;
    h->ticket_ext = 1;
    size_t n = tern_rd_left(body);
    if (sc == NULL || !sc->tickets || n == 0)
        return 0;
    /* Every failure here (too long, unknown key, retired key, forged or
     * corrupted) only means this ticket is not used (RFC 5077 §3.4). */
    uint8_t plain[1024];
    size_t plen = 0;
    int old = 0;
    if (tern_ticket_open(sc, now_of(c), body->p, n, plain, sizeof plain, &plen, &old) == 0) {
        candidate_from(h, plain, plen);
        h->ticket_from_old_key = old;
    }
    tern_wipe(plain, sizeof plain);
    return 0;
}

const tern_sess_core *tern_sess_server_lookup(tern_conn *c, const tern_reader *sid) {
    tern_sess_hs *h = &c->hs_state->sess;
    tern_sess_cfg *sc = c->cfg->sess;
    size_t n = tern_rd_left(sid);
    if (sc == NULL)
        return NULL;
    if (!h->have_resume && n > 0 && sc->cache != NULL)
        h->have_resume = tern_session_cache_get(sc->cache, sid->p, n, now_of(c), &h->resume);
    if (!h->have_resume && n > 0 && sc->store != NULL) {
        uint8_t buf[1024];
        long got = sc->fetch(sc->store_arg, sid->p, n, buf, sizeof buf);
        if (got > 0 && (size_t)got <= sizeof buf)
            candidate_from(h, buf, (size_t)got);
        tern_wipe(buf, sizeof buf);
    }
    return h->have_resume ? &h->resume : NULL;
}

int tern_sess_server_settle(tern_conn *c, const tern_reader *sid, int resume) {
    tern_sess_hs *h = &c->hs_state->sess;
    tern_sess_cfg *sc = c->cfg->sess;
    size_t n = tern_rd_left(sid);
    if (sc == NULL)
        return 0;
    if (resume) {
        /* (c->suite is the session's: lib/negotiate.c.) */
        const tern_sess_core *st = &h->resume;
        TERN_ENSURE(h->have_resume && n <= TERN_SESSION_ID_MAX, TERN_ERR_INTERNAL);
        memcpy(c->master, st->master, TERN_MASTER_LEN);
        if (st->has_identity && c->peer_subject != NULL) {
            /* (A server that does not ask for client certificates has no
             * use for the identity, and no room for it.) */
            memcpy(c->peer_subject, st->peer_subject, TERN_PEER_STR);
            memcpy(c->peer_san, st->peer_san, TERN_PEER_STR);
            c->sess.identity_restored = 1;
        }
        /* RFC 5246 §7.4.1.3 / RFC 5077 §3.4: echo the client's ID. */
        memcpy(h->id, sid->p, n);
        h->id_len = n;
        memcpy(c->sess.id, h->id, n);
        c->sess.id_len = n;
        h->ticket_expected = h->ticket_ext && sc->tickets && h->ticket_from_old_key;
        c->sess.resumed = 1; /* lib/hs.c goes on with the abbreviated table */
        return 0;
    }
    tern_wipe(&h->resume, sizeof h->resume);
    h->have_resume = 0;
    /* A session without EMS could never be resumed here (lib/negotiate.c),
     * so none is made: no session ID, no ticket (RFC 7627 §5.3, §5.4). */
    if (!c->ems)
        return 0;
    if (sc->cache != NULL || sc->store != NULL) {
        TERN_TRY(tern_conn_random(c, h->id, TERN_SESSION_ID_MAX));
        h->id_len = TERN_SESSION_ID_MAX;
        memcpy(c->sess.id, h->id, h->id_len);
        c->sess.id_len = h->id_len;
    }
    h->ticket_expected = h->ticket_ext && sc->tickets;
    return 0;
}

int tern_sess_server_hello_sid(tern_conn *c, tern_writer *w) {
    tern_sess_hs *h = &c->hs_state->sess;
    tern_wr_vec v;
    TERN_TRY(tern_wr_begin(w, &v, 1));
    TERN_TRY(tern_wr_bytes(w, h->id, h->id_len));
    return tern_wr_end(w, &v);
}

int tern_sess_server_hello_ext(tern_conn *c, tern_writer *w) {
    /* RFC 5077 §3.2: an empty SessionTicket announces a NewSessionTicket. */
    if (!c->hs_state->sess.ticket_expected)
        return 0;
    TERN_TRY(tern_wr_u16(w, TERN_EXT_SESSION_TICKET));
    return tern_wr_u16(w, 0);
}

/* The state of this connection's session (server). */
void tern_sess_current(const tern_conn *c, tern_sess_core *st) {
    const tern_sess_hs *h = &c->hs_state->sess;
    if (c->sess.resumed) {
        *st = h->resume;
        return;
    }
    memset(st, 0, sizeof *st);
    st->suite = c->suite->id;
    st->ems = (uint8_t)c->ems;
    memcpy(st->master, c->master, TERN_MASTER_LEN);
    st->created = now_of(c);
    st->lifetime = c->cfg->sess ? c->cfg->sess->lifetime : LIFETIME_DEFAULT;
    snprintf(st->server_name, sizeof st->server_name, "%s", c->server_name);
    if (c->side == TERN_SERVER && c->npeer_certs > 0) {
        st->has_identity = 1;
        snprintf(st->peer_subject, sizeof st->peer_subject, "%s", c->peer_subject);
        snprintf(st->peer_san, sizeof st->peer_san, "%s", c->peer_san);
    }
    if (c->side == TERN_CLIENT)
        snprintf(st->peer_subject, sizeof st->peer_subject, "%s", c->peer_subject);
}

void tern_sess_invalidate(tern_conn *c, int err) {
    if (c->side == TERN_CLIENT && c->sess.offered && !c->sess.resumed) {
        /* Failed before the ServerHello resumed the offered session: its
         * master secret and server subject are not this connection's. */
        tern_wipe(c->master, TERN_MASTER_LEN);
        if (c->peer_subject != NULL)
            tern_wipe(c->peer_subject, TERN_PEER_STR);
    }
    if (err == TERN_ERR_IO || err == TERN_ERR_TRUNCATED)
        return; /* no alert: the transport went away (RFC 5246 §7.2.1 no longer voids the session) */
    c->sess.complete = 0;
    const tern_sess_cfg *sc = c->cfg->sess;
    if (c->side != TERN_SERVER || sc == NULL || c->sess.id_len == 0)
        return;
    if (sc->cache != NULL)
        tern_session_cache_remove(sc->cache, c->sess.id, c->sess.id_len);
    if (sc->store != NULL && sc->remove != NULL)
        sc->remove(sc->store_arg, c->sess.id, c->sess.id_len);
}

int tern_sess_handshake_done(tern_conn *c) {
    const tern_sess_hs *h = &c->hs_state->sess;
    if (c->side == TERN_SERVER) {
        tern_sess_cfg *sc = c->cfg->sess;
        if (sc == NULL || c->sess.resumed || h->id_len == 0)
            return 0;
        tern_sess_core st;
        tern_sess_current(c, &st);
        if (sc->cache != NULL && tern_session_cache_put(sc->cache, h->id, h->id_len, &st) < 0) {
            /* Not cached: only a later resumption is lost. */
        }
        if (sc->store != NULL) {
            uint8_t buf[1024];
            tern_writer w;
            tern_wr_init(&w, buf, sizeof buf);
            if (tern_sess_encode(&st, &w) == 0 && sc->store(sc->store_arg, h->id, h->id_len, buf, tern_wr_len(&w)) < 0) {
                /* the application's store refused it: not resumable */
            }
            tern_wipe(buf, sizeof buf);
        }
        tern_wipe(&st, sizeof st);
        return 0;
    }
    /* Client: an unverified server is nothing to come back to. */
    tern_sess_client *cl = c->sess.cl;
    TERN_ENSURE(cl != NULL, TERN_ERR_INTERNAL);
    if (c->cfg->skip_verify) {
        client_clear(cl);
        return 0;
    }
    if (!c->sess.resumed) {
        uint32_t hint = cl->lifetime; /* the ticket's lifetime hint, if any */
        cl->suite = c->suite->id;
        cl->ems = (uint8_t)c->ems;
        cl->created = now_of(c);
        cl->lifetime = hint > 0 && hint <= LIFETIME_MAX ? hint : LIFETIME_DEFAULT;
    }
    c->sess.complete = cl->id_len > 0 || cl->ticket_len > 0;
    return 0;
}
