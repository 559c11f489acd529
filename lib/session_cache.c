/*
 * The server's session-ID cache (RFC 5246 §7.4.1.2-3: a server may resume
 * a session whose ID the client offers "if the server is willing").
 *
 * Bounded: a fixed array of entries allocated once, a hash table of
 * chains over it (the IDs are 32 random bytes we chose, so their first
 * four bytes spread well), and a doubly-linked least-recently-used list.
 * When full, the least recently used entry is evicted.  An entry past its
 * lifetime is dropped when it is looked up.  Every entry that leaves the
 * cache (evicted, expired, replaced, removed, freed) has its master secret
 * wiped.  One mutex makes it safe when one configuration serves many
 * threads; it is held only for the copy in or out.
 */
#define TERN_LAYER TERN_LAYER_CONN
#include <stdlib.h>

#include "crypto/ct.h"
#include "lib/session.h"

#define NIL UINT32_MAX

typedef struct {
    uint8_t id[TERN_SESSION_ID_MAX];
    uint8_t id_len;
    uint8_t used;
    uint32_t hnext;        /* next in its hash chain */
    uint32_t prev, next;   /* LRU list: prev is more recent */
    tern_sess_core st;
} entry;

struct tern_session_cache {
    pthread_mutex_t mu;
    size_t cap, n, nbuckets;
    entry *e;
    uint32_t *bucket;
    uint32_t head, tail;   /* most and least recently used */
    uint32_t free_list;    /* unused entries, through hnext */
    uint64_t evictions;
};

int tern_session_cache_new(tern_session_cache **out, size_t cap) {
    TERN_ENSURE(cap >= 1 && cap <= (1u << 24), TERN_ERR_INVALID_ARG);
    tern_session_cache *c = calloc(1, sizeof *c);
    if (c == NULL)
        return TERN_ERR_NOMEM;
    size_t nb = 16;
    while (nb < cap)
        nb <<= 1;
    c->e = calloc(cap, sizeof *c->e);
    c->bucket = malloc(nb * sizeof *c->bucket);
    if (c->e == NULL || c->bucket == NULL || pthread_mutex_init(&c->mu, NULL) != 0) {
        free(c->e);
        free(c->bucket);
        free(c);
        return TERN_ERR_NOMEM;
    }
    c->cap = cap;
    c->nbuckets = nb;
    for (size_t i = 0; i < nb; i++)
        c->bucket[i] = NIL;
    for (size_t i = 0; i < cap; i++)
        c->e[i].hnext = i + 1 < cap ? (uint32_t)(i + 1) : NIL;
    c->free_list = 0;
    c->head = c->tail = NIL;
    *out = c;
    return 0;
}

void tern_session_cache_free(tern_session_cache *c) {
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->mu);
    tern_wipe(c->e, c->cap * sizeof *c->e);
    free(c->e);
    free(c->bucket);
    free(c);
}

static size_t slot(const tern_session_cache *c, const uint8_t *id, size_t len) {
    uint32_t h = 2166136261u; /* FNV-1a over the ID: our IDs are random anyway */
    for (size_t i = 0; i < len; i++)
        h = (h ^ id[i]) * 16777619u;
    return h & (c->nbuckets - 1);
}

static uint32_t find(const tern_session_cache *c, const uint8_t *id, size_t len) {
    for (uint32_t i = c->bucket[slot(c, id, len)]; i != NIL; i = c->e[i].hnext)
        if (c->e[i].id_len == len && memcmp(c->e[i].id, id, len) == 0)
            return i;
    return NIL;
}

static void lru_unlink(tern_session_cache *c, uint32_t i) {
    entry *x = &c->e[i];
    if (x->prev != NIL)
        c->e[x->prev].next = x->next;
    else
        c->head = x->next;
    if (x->next != NIL)
        c->e[x->next].prev = x->prev;
    else
        c->tail = x->prev;
}

static void lru_front(tern_session_cache *c, uint32_t i) {
    entry *x = &c->e[i];
    x->prev = NIL;
    x->next = c->head;
    if (c->head != NIL)
        c->e[c->head].prev = i;
    c->head = i;
    if (c->tail == NIL)
        c->tail = i;
}

/* Take entry i out of the cache, wipe it, put it on the free list. */
static void drop(tern_session_cache *c, uint32_t i) {
    entry *x = &c->e[i];
    uint32_t *pp = &c->bucket[slot(c, x->id, x->id_len)];
    while (*pp != i)
        pp = &c->e[*pp].hnext;
    *pp = x->hnext;
    lru_unlink(c, i);
    tern_wipe(x, sizeof *x);
    x->hnext = c->free_list;
    c->free_list = i;
    c->n--;
}

int tern_session_cache_put(tern_session_cache *c, const uint8_t *id, size_t len, const tern_sess_core *st) {
    TERN_ENSURE(len >= 1 && len <= TERN_SESSION_ID_MAX, TERN_ERR_INVALID_ARG);
    pthread_mutex_lock(&c->mu);
    uint32_t i = find(c, id, len);
    if (i != NIL)
        drop(c, i);
    if (c->n == c->cap) {
        drop(c, c->tail);
        c->evictions++;
    }
    i = c->free_list;
    entry *x = &c->e[i];
    c->free_list = x->hnext;
    memcpy(x->id, id, len);
    x->id_len = (uint8_t)len;
    x->used = 1;
    x->st = *st;
    size_t b = slot(c, id, len);
    x->hnext = c->bucket[b];
    c->bucket[b] = i;
    lru_front(c, i);
    c->n++;
    pthread_mutex_unlock(&c->mu);
    return 0;
}

int tern_session_cache_get(tern_session_cache *c, const uint8_t *id, size_t len, int64_t now, tern_sess_core *out) {
    if (len == 0 || len > TERN_SESSION_ID_MAX)
        return 0;
    pthread_mutex_lock(&c->mu);
    int hit = 0;
    uint32_t i = find(c, id, len);
    if (i != NIL) {
        const tern_sess_core *st = &c->e[i].st;
        /* (unsigned: now - created cannot overflow once now >= created) */
        if (now < st->created || (uint64_t)now - (uint64_t)st->created >= st->lifetime) {
            drop(c, i); /* expired (or the clock went back): gone for good */
        } else {
            *out = *st;
            lru_unlink(c, i);
            lru_front(c, i);
            hit = 1;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return hit;
}

void tern_session_cache_remove(tern_session_cache *c, const uint8_t *id, size_t len) {
    pthread_mutex_lock(&c->mu);
    uint32_t i = find(c, id, len);
    if (i != NIL)
        drop(c, i);
    pthread_mutex_unlock(&c->mu);
}

size_t tern_session_cache_count(tern_session_cache *c, uint64_t *evictions) {
    pthread_mutex_lock(&c->mu);
    size_t n = c->n;
    if (evictions != NULL)
        *evictions = c->evictions;
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* The configuration's resumption settings, with their cache and ticket
 * keys (here, in the state layer, so that tern_config_free reaches it
 * without calling up into the handshake). */
void tern_sess_cfg_free(tern_sess_cfg *sc) {
    if (sc == NULL)
        return;
    tern_session_cache_free(sc->cache);
    pthread_mutex_destroy(&sc->mu);
    tern_wipe(sc, sizeof *sc);
    free(sc);
}
