/*
 * Session tickets (RFC 5077): the server's session state sealed under a
 * ticket key the server alone knows, so the server keeps nothing.
 *
 *   ticket = key_name[16] || nonce[12] || AES-256-GCM(state) || tag[16]
 *            aad = key_name || nonce
 *
 * This is the layout RFC 5077 §4 recommends, with AES-GCM (one pass,
 * authenticated) in place of AES-CBC + HMAC.  The nonce is random: a key
 * seals at most a few million tickets in its rotation period, far below
 * the 2^32 random-nonce bound of SP 800-38D §8.3.
 *
 * Keys rotate: the current key seals for `rotate` seconds, then a fresh
 * random key takes over and the old one only opens tickets for `window`
 * more seconds (at most TERN_TICKET_KEYS_MAX keys are held; the oldest goes
 * first).  An application running several servers behind one name supplies
 * the keys itself (tern_config_set_ticket_keys): the first seals, all open,
 * and tern does not rotate them.  The key name tells which key sealed a
 * ticket.  A ticket that does not open for any reason is simply not used:
 * the caller falls back to a full handshake.
 */
#define TERN_LAYER TERN_LAYER_CONN
#include "crypto/ct.h"
#include "crypto/rand.h"
#include "lib/session.h"

#define TICKET_NONCE 12

/* A new random current key; the old current becomes previous.  Caller
 * holds sc->mu. */
TERN_MUST_CHECK static int rotate(tern_sess_cfg *sc, tern_rng_fn rng, void *rng_arg, int64_t now) {
    tern_ticket_key fresh;
    memset(&fresh, 0, sizeof fresh);
    int rc = tern_rand_fill(rng, rng_arg, fresh.name, sizeof fresh.name);
    if (rc == 0)
        rc = tern_rand_fill(rng, rng_arg, fresh.key, sizeof fresh.key);
    if (rc == 0)
        rc = tern_gcm_init(&fresh.gcm, fresh.key, sizeof fresh.key);
    if (rc < 0) {
        tern_wipe(&fresh, sizeof fresh);
        return rc;
    }
    fresh.since = now;
    fresh.used = 1;
    tern_ticket_key *k = sc->keys;
    tern_wipe(&k[TERN_TICKET_KEYS_MAX - 1], sizeof k[0]);
    for (size_t i = TERN_TICKET_KEYS_MAX - 1; i > 0; i--)
        k[i] = k[i - 1];
    if (k[1].used)
        k[1].retired = now;
    k[0] = fresh;
    tern_wipe(&fresh, sizeof fresh);
    return 0;
}

/* May key i still open tickets at `now`? */
static int key_live(const tern_sess_cfg *sc, size_t i, int64_t now) {
    const tern_ticket_key *k = &sc->keys[i];
    if (!k->used)
        return 0;
    if (i == 0 || sc->app_keys)
        return 1;
    /* window 0 (the default): as long as the tickets it sealed may live */
    uint32_t window = sc->window != 0 ? sc->window : sc->lifetime;
    return now >= k->retired && (uint64_t)now - (uint64_t)k->retired < window;
}

/* Keep the key ring current: rotate when the current key is old, wipe
 * previous keys past their window.  Caller holds sc->mu. */
TERN_MUST_CHECK static int refresh(tern_sess_cfg *sc, tern_rng_fn rng, void *rng_arg, int64_t now) {
    if (sc->app_keys)
        return 0;
    if (!sc->keys[0].used || now < sc->keys[0].since || (uint64_t)now - (uint64_t)sc->keys[0].since >= sc->rotate)
        TERN_TRY(rotate(sc, rng, rng_arg, now));
    for (size_t i = 1; i < TERN_TICKET_KEYS_MAX; i++)
        if (sc->keys[i].used && !key_live(sc, i, now))
            tern_wipe(&sc->keys[i], sizeof sc->keys[i]);
    return 0;
}

size_t tern_ticket_overhead(void) { return TERN_TICKET_KEY_NAME + TICKET_NONCE + TERN_GCM_TAG_LEN; }

int tern_ticket_seal(tern_sess_cfg *sc, tern_rng_fn rng, void *rng_arg, int64_t now, const uint8_t *plain,
                     size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t total = len + tern_ticket_overhead();
    TERN_ENSURE(cap >= total, TERN_ERR_BUFFER_TOO_SMALL);
    uint8_t *name = out, *nonce = out + TERN_TICKET_KEY_NAME, *ct = nonce + TICKET_NONCE;
    TERN_TRY(tern_rand_fill(rng, rng_arg, nonce, TICKET_NONCE));
    pthread_mutex_lock(&sc->mu);
    int rc = refresh(sc, rng, rng_arg, now);
    if (rc == 0 && !sc->keys[0].used)
        rc = TERN_ERR_STATE;
    if (rc == 0) {
        const tern_ticket_key *k = &sc->keys[0];
        memcpy(name, k->name, TERN_TICKET_KEY_NAME);
        tern_gcm_seal(&k->gcm, nonce, out, TERN_TICKET_KEY_NAME + TICKET_NONCE, plain, len, ct, ct + len);
    }
    pthread_mutex_unlock(&sc->mu);
    TERN_TRY(rc);
    *out_len = total;
    return 0;
}

int tern_ticket_open(tern_sess_cfg *sc, int64_t now, const uint8_t *ticket, size_t len, uint8_t *plain,
                     size_t cap, size_t *plain_len, int *old_key) {
    if (len < tern_ticket_overhead() || len - tern_ticket_overhead() > cap)
        return TERN_ERR_DECODE;
    size_t n = len - tern_ticket_overhead();
    const uint8_t *nonce = ticket + TERN_TICKET_KEY_NAME, *ct = nonce + TICKET_NONCE;
    int rc = TERN_ERR_BAD_RECORD_MAC;
    pthread_mutex_lock(&sc->mu);
    for (size_t i = 0; i < TERN_TICKET_KEYS_MAX; i++) {
        /* The key name is public (it travels in clear); comparing it with
         * memcmp leaks nothing. */
        if (!key_live(sc, i, now) || memcmp(sc->keys[i].name, ticket, TERN_TICKET_KEY_NAME) != 0)
            continue;
        rc = tern_gcm_open(&sc->keys[i].gcm, nonce, ticket, TERN_TICKET_KEY_NAME + TICKET_NONCE, ct, n, ct + n,
                           plain);
        *old_key = i != 0 || (!sc->app_keys && now >= sc->keys[0].since &&
                              (uint64_t)now - (uint64_t)sc->keys[0].since >= sc->rotate);
        break;
    }
    pthread_mutex_unlock(&sc->mu);
    TERN_TRY(rc);
    *plain_len = n;
    return 0;
}

int tern_ticket_set_keys(tern_sess_cfg *sc, const uint8_t *keys, size_t n) {
    TERN_ENSURE(n <= TERN_TICKET_KEYS_MAX, TERN_ERR_INVALID_ARG);
    tern_ticket_key fresh[TERN_TICKET_KEYS_MAX];
    memset(fresh, 0, sizeof fresh);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        memcpy(fresh[i].name, keys + 48 * i, TERN_TICKET_KEY_NAME);
        memcpy(fresh[i].key, keys + 48 * i + TERN_TICKET_KEY_NAME, 32);
        fresh[i].used = 1;
        rc = tern_gcm_init(&fresh[i].gcm, fresh[i].key, 32);
    }
    if (rc == 0) {
        pthread_mutex_lock(&sc->mu);
        tern_wipe(sc->keys, sizeof sc->keys);
        memcpy(sc->keys, fresh, sizeof fresh);
        sc->app_keys = n > 0; /* n == 0: back to tern's own rotating keys */
        pthread_mutex_unlock(&sc->mu);
    }
    tern_wipe(fresh, sizeof fresh);
    return rc;
}
