/*
 * Session resumption: the state a resumable session keeps, the server's
 * session-ID cache and ticket keys, and their encoding.  The hooks the
 * handshake calls are in lib/hs.h.  RFC 5246 §7.3 (abbreviated
 * handshake), §7.4.1.2-3 (session_id); RFC 5077 (session tickets);
 * RFC 7627 §5.3 (resumption and the extended master secret).
 *
 * Files: lib/session.c (state, its encoding, the public tern_session API,
 * the handshake hooks), lib/session_cache.c (the bounded LRU cache),
 * lib/ticket.c (ticket keys, sealing and opening),
 * lib/hs_new_session_ticket.c (the NewSessionTicket message).
 */
#ifndef TERN_LIB_SESSION_H
#define TERN_LIB_SESSION_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_CONN
#error "lib/session.h is in the connection state layer (3): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include <pthread.h>

#include "crypto/common.h"
#include "crypto/gcm.h"
#include "lib/bytes.h"

#define TERN_SESSION_ID_MAX 32
#define TERN_TICKET_MAX 2048         /* a longer ticket is not kept (no resumption, no error) */
#define TERN_TICKET_KEY_NAME 16
#define TERN_TICKET_KEYS_MAX 4       /* the current key and up to three previous ones */
#define TERN_SESS_STR 256

/* What a session is: enough to derive new keys (suite, master secret, EMS
 * state) and to check that it may be resumed here (server name, age), and
 * the peer identity verified in the full handshake.  Nothing else. */
typedef struct {
    uint16_t suite;
    uint8_t ems;
    uint8_t has_identity;            /* peer_subject / peer_san were verified */
    uint8_t master[48];
    int64_t created;                 /* when the full handshake happened */
    uint32_t lifetime;               /* seconds from created */
    char server_name[TERN_SESS_STR]; /* SNI ("" when none) */
    char peer_subject[TERN_SESS_STR];
    char peer_san[TERN_SESS_STR];
} tern_sess_core;

/* The public tern_session: a client's resumable session.  A connection
 * never holds one: tern_get_session builds it from the connection's
 * tern_sess_client, master secret, server name and peer subject. */
struct tern_session {
    tern_sess_core core;
    uint8_t id[TERN_SESSION_ID_MAX];
    size_t id_len;
    uint8_t ticket[TERN_TICKET_MAX];
    size_t ticket_len;
};

/* A client connection's session, offered and then its own: what the
 * connection does not already hold elsewhere (the master secret is in
 * c->master, the server name in c->server_name, the server's subject in
 * c->peer_subject).  The ticket room exists only in clients whose
 * configuration enabled tickets when the connection was made
 * (ticket_cap TERN_TICKET_MAX, else 0): a client without it never offers
 * the SessionTicket extension, so no NewSessionTicket can come. */
typedef struct {
    int64_t created;                 /* when the full handshake happened */
    uint32_t lifetime;               /* seconds from created (the ticket's hint until it completes) */
    uint16_t suite;
    uint8_t ems;
    uint8_t id_len;
    uint8_t id[TERN_SESSION_ID_MAX];
    size_t ticket_cap;               /* 0 or TERN_TICKET_MAX */
    size_t ticket_len;
    uint8_t ticket[];                /* ticket_cap bytes */
} tern_sess_client;

/* Per-connection resumption state (part of tern_conn). */
typedef struct {
    int offered;                     /* client: a session was set and goes into ClientHello */
    int complete;                    /* client: cl is this connection's finished session */
    int resumed;                     /* both: this handshake was abbreviated */
    int identity_restored;           /* server: the client identity came from the session */
    uint8_t id[TERN_SESSION_ID_MAX]; /* server: this connection's session ID (for invalidation) */
    size_t id_len;
    tern_sess_client *cl;            /* client: offered, then this connection's session
                                        (part of the connection's allocation; NULL on a server) */
} tern_sess_conn;

/* Per-handshake resumption state (part of tern_hs_state; wiped with it). */
typedef struct {
    uint8_t sent_id[TERN_SESSION_ID_MAX]; /* client: the session_id in our ClientHello */
    size_t sent_id_len;
    uint8_t id[TERN_SESSION_ID_MAX];      /* server: ServerHello.session_id */
    size_t id_len;
    int ticket_ext;                       /* server: the client sent SessionTicket; client: we did */
    int ticket_expected;                  /* NewSessionTicket follows (both sides) */
    int ticket_from_old_key;              /* server: renew the ticket on resumption */
    tern_sess_core resume;                /* server: the session being resumed */
    int have_resume;
} tern_sess_hs;

/* ---- ticket keys (lib/ticket.c) ---- */
typedef struct {
    uint8_t name[TERN_TICKET_KEY_NAME];
    uint8_t key[32];
    int64_t since;                   /* became current */
    int64_t retired;                 /* stopped encrypting (0: current) */
    int used;
    tern_gcm_key gcm;
} tern_ticket_key;

typedef struct tern_session_cache tern_session_cache;

/* The resumption part of a configuration (allocated by the first setter
 * that needs it; tern_config.sess). */
typedef struct tern_sess_cfg {
    pthread_mutex_t mu;              /* guards the ticket keys */
    int tickets;                     /* client: offer; server: issue and accept */
    uint32_t lifetime;               /* ticket and cache lifetime, seconds */
    uint32_t rotate;                 /* a ticket key encrypts for this long */
    uint32_t window;                 /* and still decrypts this long after */
    int app_keys;                    /* keys supplied by the application: no rotation */
    tern_ticket_key keys[TERN_TICKET_KEYS_MAX]; /* [0] current */
    tern_session_cache *cache;       /* NULL: no internal cache */
    /* external store (tern_config_set_session_store) */
    int (*store)(void *arg, const uint8_t *id, size_t id_len, const uint8_t *data, size_t len);
    long (*fetch)(void *arg, const uint8_t *id, size_t id_len, uint8_t *data, size_t cap);
    void (*remove)(void *arg, const uint8_t *id, size_t id_len);
    void *store_arg;
} tern_sess_cfg;

/* ---- session cache (lib/session_cache.c) ---- */
TERN_MUST_CHECK int tern_session_cache_new(tern_session_cache **out, size_t cap);
void tern_session_cache_free(tern_session_cache *c);
/* Insert (or replace) the entry for id; evicts the least recently used
 * entry when full. */
TERN_MUST_CHECK int tern_session_cache_put(tern_session_cache *c, const uint8_t *id, size_t len,
                                           const tern_sess_core *st);
/* 1 and a copy in *out on a hit (the entry becomes most recently used), 0
 * on a miss; an expired entry is dropped and counts as a miss. */
int tern_session_cache_get(tern_session_cache *c, const uint8_t *id, size_t len, int64_t now, tern_sess_core *out);
void tern_session_cache_remove(tern_session_cache *c, const uint8_t *id, size_t len);
/* Entries held now; *evictions (if not NULL) counts LRU evictions so far. */
size_t tern_session_cache_count(tern_session_cache *c, uint64_t *evictions);

/* ---- ticket keys and sealing (lib/ticket.c) ---- */
/* Bytes a ticket adds to the sealed state: key name, nonce, tag. */
size_t tern_ticket_overhead(void);
TERN_MUST_CHECK int tern_ticket_seal(tern_sess_cfg *sc, tern_rng_fn rng, void *rng_arg, int64_t now,
                                     const uint8_t *plain, size_t len, uint8_t *out, size_t cap, size_t *out_len);
/* 0 and the state in plain[0 .. *plain_len) when a live key opens it
 * (*old_key: it was not sealed by the current key, so a new ticket should
 * be issued); a negative value otherwise (never fatal to the caller). */
TERN_MUST_CHECK int tern_ticket_open(tern_sess_cfg *sc, int64_t now, const uint8_t *ticket, size_t len,
                                     uint8_t *plain, size_t cap, size_t *plain_len, int *old_key);
/* n keys of 48 bytes (name[16] || AES-256 key[32]); n == 0 returns to
 * tern's own rotating keys. */
TERN_MUST_CHECK int tern_ticket_set_keys(tern_sess_cfg *sc, const uint8_t *keys, size_t n);

/* ---- session state (lib/session.c) ---- */
/* The encoding shared by tickets, the external store and
 * tern_session_to_bytes (RFC 5077 §4 leaves the ticket contents to the
 * server). */
TERN_MUST_CHECK int tern_sess_encode(const tern_sess_core *st, tern_writer *w);
TERN_MUST_CHECK int tern_sess_decode(tern_reader *r, tern_sess_core *st);
/* 1 when st's lifetime is over at now (or now is before it was made). */
int tern_sess_expired(const tern_sess_core *st, int64_t now);
void tern_sess_cfg_free(tern_sess_cfg *sc);

#endif
