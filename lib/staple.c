/*
 * OCSP stapling outside the handshake (RFC 6066 §8 status_request, RFC
 * 6960 responses, RFC 7633 must-staple): the configuration's side of it and
 * what a connection says afterwards.  The messages themselves are in
 * lib/hs_certificate_status.c, the extension in the hello files.
 *
 * Client: tern_config_request_ocsp sets the mode (off, soft, hard) and
 * whether connections keep the response; a connection keeps its verdict
 * (tern_ocsp_verdict) and, only when asked, the response's bytes
 * (tern_ocsp_response, room made with the connection).
 *
 * Server: one response per identity (tern_config_set_ocsp_response),
 * checked when it is set (tern_ocsp_check, lib/x509/ocsp.c: for the
 * identity's leaf, signed by its issuer or a delegated responder, inside its
 * validity, status good) and stored once, in the configuration.  A
 * handshake that staples it takes a reference (tern_staple_get) and drops it
 * when the handshake ends or the connection is freed, so a response replaced
 * while connections run (tern server's --ocsp-file reloads it) is freed only
 * when the last handshake writing it is done: a connection never copies it
 * and never sees it change under its feet.  The references are counted under
 * one mutex, held only for the count and the pointer swap.
 */
#define TERN_LAYER TERN_LAYER_CONN
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crypto/ct.h"
#include "crypto/sha2.h"
#include "lib/conn.h"
#include "lib/x509/ocsp.h"

/* One identity's response. */
struct tern_staple {
    size_t refs;                          /* the store's one + one per handshake; under the lock */
    int64_t this_update, next_update;     /* from the check at set time; next_update 0 when absent */
    uint8_t leaf_hash[TERN_SHA256_LEN];   /* SHA-256 of the leaf it was checked for */
    size_t len;
    uint8_t der[];                        /* the OCSPResponse */
};

/* At most 16 identities (lib/identity.c): the default and 15 more. */
#define STAPLE_IDS 16

struct tern_staple_store {
    pthread_mutex_t mu;
    struct tern_staple *by_id[STAPLE_IDS];
};

/* ---- client ---- */

int tern_config_request_ocsp(tern_config *cfg, int mode) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    int keep = (mode & TERN_OCSP_KEEP_RESPONSE) != 0;
    mode &= ~TERN_OCSP_KEEP_RESPONSE;
    TERN_ENSURE(mode == TERN_OCSP_OFF || mode == TERN_OCSP_SOFT || mode == TERN_OCSP_HARD, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(mode != TERN_OCSP_OFF || !keep, TERN_ERR_INVALID_ARG);
    cfg->ocsp_mode = mode;
    cfg->ocsp_keep = keep;
    return 0;
}

int tern_ocsp_verdict(const tern_conn *c) {
    return c != NULL ? c->ocsp_verdict : TERN_STAPLE_NONE;
}

const uint8_t *tern_ocsp_response(const tern_conn *c, size_t *len) {
    if (len != NULL)
        *len = 0;
    if (c == NULL || c->ocsp_resp == NULL || c->ocsp_resp_len == 0)
        return NULL;
    if (len != NULL)
        *len = c->ocsp_resp_len;
    return c->ocsp_resp;
}

/* ---- server: the store ---- */

static void date_text(int64_t t, char *out, size_t cap) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

/* The position of ks among the configuration's identities, or -1. */
static int identity_index(const tern_config *cfg, const tern_keystore *ks) {
    const tern_keystore *k;
    for (size_t i = 0; i < STAPLE_IDS && (k = tern_identity_at(cfg, i)) != NULL; i++)
        if (k == ks)
            return (int)i;
    return -1;
}

TERN_MUST_CHECK static int store_get(tern_config *cfg, struct tern_staple_store **out) {
    if (cfg->staples == NULL) {
        struct tern_staple_store *st = calloc(1, sizeof *st);
        TERN_ENSURE(st != NULL, TERN_ERR_NOMEM);
        if (pthread_mutex_init(&st->mu, NULL) != 0) {
            free(st);
            return TERN_ERR_NOMEM;
        }
        cfg->staples = st;
    }
    *out = cfg->staples;
    return 0;
}

static void staple_free(struct tern_staple *s) {
    free(s); /* (a public response: nothing to wipe) */
}

/* Put s (NULL: none) in place of identity's response; the old one is
 * freed when no handshake holds it any more. */
static void swap_in(struct tern_staple_store *st, size_t identity, struct tern_staple *s) {
    pthread_mutex_lock(&st->mu);
    struct tern_staple *old = st->by_id[identity];
    st->by_id[identity] = s;
    int last = old != NULL && --old->refs == 0;
    pthread_mutex_unlock(&st->mu);
    if (last)
        staple_free(old);
}

/* Copy a sentence, cut to cap bytes. */
static void keep_text(char *dst, size_t cap, const char *src) {
    size_t n = strlen(src);
    if (n >= cap)
        n = cap - 1;
    memmove(dst, src, n);
    dst[n] = '\0';
}

/* Check der for the leaf of ks at now: against each certificate that can
 * be its issuer (those of the identity's chain whose subject is the leaf's
 * issuer, then the trust store's anchors of that name), the first that
 * gives a verdict other than "not signed right / not for it" wins. */
TERN_MUST_CHECK static int check_for(const tern_config *cfg, const tern_keystore *ks, const uint8_t *der, size_t len,
                                     int64_t now, tern_ocsp_info *info, char *msg, size_t cap) {
    int rc = TERN_ERR_OCSP_BAD, tried = 0;
    char first[400] = "";
    for (size_t i = 1; i < ks->n; i++) {
        tern_x509_cert issuer;
        if (tern_x509_parse(&issuer, ks->chain[i], ks->chain_len[i]) < 0 ||
            !tern_x509_name_eq(issuer.subject, ks->leaf.issuer))
            continue;
        rc = tern_ocsp_check(der, len, &ks->leaf, &issuer, now, info, msg, cap);
        if (rc != TERN_ERR_OCSP_BAD)
            return rc;
        if (!tried++)
            keep_text(first, sizeof first, msg);
    }
    size_t it = 0;
    const tern_trust_anchor *a;
    while ((a = tern_truststore_find(&cfg->trust, ks->leaf.issuer, &it)) != NULL) {
        rc = tern_ocsp_check(der, len, &ks->leaf, &a->cert, now, info, msg, cap);
        if (rc != TERN_ERR_OCSP_BAD)
            return rc;
        if (!tried++)
            keep_text(first, sizeof first, msg);
    }
    if (!tried) {
        char name[160];
        tern_x509_name_display(ks->leaf.issuer, name, sizeof name);
        snprintf(msg, cap,
                 "the issuer of the identity's certificate (%s) is neither in its chain nor in the trust store, "
                 "so the response cannot be checked: load the chain with its issuer",
                 name);
        return TERN_ERR_INVALID_ARG;
    }
    keep_text(msg, cap, first);
    return TERN_ERR_OCSP_BAD;
}

int tern_config_set_ocsp_response(tern_config *cfg, size_t identity, const uint8_t *der, size_t len) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    const tern_keystore *ks = identity < STAPLE_IDS ? tern_identity_at(cfg, identity) : NULL;
    if (ks == NULL) {
        snprintf(cfg->errmsg, sizeof cfg->errmsg, "OCSP response for identity %zu: there is no such identity "
                 "(identities count from 0, the key store loaded first)", identity);
        return TERN_ERR_INVALID_ARG;
    }
    /* The new response, or NULL (removed, or refused: a response that
     * cannot be sent also ends the one set before, so what the responder
     * says now, e.g. revoked, is never hidden behind an older good one). */
    struct tern_staple *s = NULL;
    int rc = 0;
    cfg->errmsg[0] = '\0';
    if (der != NULL && len > 0) {
        char msg[400];
        tern_ocsp_info info;
        rc = check_for(cfg, ks, der, len, cfg->now(cfg->now_arg), &info, msg, sizeof msg);
        if (rc < 0) {
            snprintf(cfg->errmsg, sizeof cfg->errmsg, "OCSP response for identity %zu: %s; it will not be stapled",
                     identity, msg);
        } else if ((s = malloc(sizeof *s + len)) == NULL) {
            rc = TERN_ERR_NOMEM;
        } else {
            s->refs = 1;
            s->this_update = info.this_update;
            s->next_update = info.next_update;
            tern_sha256(s->leaf_hash, ks->leaf.der.p, ks->leaf.der.len);
            s->len = len;
            memcpy(s->der, der, len);
            char until[40];
            date_text(info.next_update, until, sizeof until);
            snprintf(cfg->errmsg, sizeof cfg->errmsg, "OCSP response for identity %zu: good (serial %s, signed by %s)%s%s",
                     identity, info.serial_hex, info.delegated ? "a delegated responder" : "the issuer",
                     info.next_update ? ", stapled until its nextUpdate " : ", no nextUpdate",
                     info.next_update ? until : "");
        }
    } else if (der != NULL || len != 0) {
        snprintf(cfg->errmsg, sizeof cfg->errmsg, "OCSP response for identity %zu: empty", identity);
        rc = TERN_ERR_INVALID_ARG;
    }
    if (s == NULL && cfg->staples == NULL)
        return rc; /* nothing to replace */
    struct tern_staple_store *st;
    int src = store_get(cfg, &st);
    if (src < 0) {
        staple_free(s);
        return src;
    }
    swap_in(st, identity, s);
    return rc;
}

int tern_staple_set_unchecked(tern_config *cfg, size_t identity, const uint8_t *der, size_t len) {
    const tern_keystore *ks = identity < STAPLE_IDS ? tern_identity_at(cfg, identity) : NULL;
    struct tern_staple_store *st;
    TERN_ENSURE(ks != NULL && der != NULL && len > 0, TERN_ERR_INVALID_ARG);
    TERN_TRY(store_get(cfg, &st));
    struct tern_staple *s = malloc(sizeof *s + len);
    TERN_ENSURE(s != NULL, TERN_ERR_NOMEM);
    s->refs = 1;
    s->this_update = 0;
    s->next_update = INT64_MAX; /* never stale: the point is to send it */
    tern_sha256(s->leaf_hash, ks->leaf.der.p, ks->leaf.der.len);
    s->len = len;
    memcpy(s->der, der, len);
    swap_in(st, identity, s);
    return 0;
}

struct tern_staple *tern_staple_get(const tern_config *cfg, const tern_keystore *ks, int64_t now, char *why,
                                    size_t cap) {
    struct tern_staple_store *st = cfg->staples;
    int i = identity_index(cfg, ks);
    snprintf(why, cap, "we have no OCSP response for this certificate");
    if (st == NULL || i < 0)
        return NULL;
    pthread_mutex_lock(&st->mu);
    struct tern_staple *s = st->by_id[i];
    if (s != NULL)
        s->refs++;
    pthread_mutex_unlock(&st->mu);
    if (s == NULL)
        return NULL;
    /* The identity's certificate may have been replaced since (a key store
     * loaded again): the response is for the one it was checked with. */
    uint8_t h[TERN_SHA256_LEN];
    tern_sha256(h, ks->leaf.der.p, ks->leaf.der.len);
    char when[40];
    if (!tern_ct_memeq(h, s->leaf_hash, sizeof h)) {
        snprintf(why, cap, "our OCSP response was checked for another certificate than this identity's (its key "
                 "store was loaded again): not stapled");
    } else if (s->next_update != 0 && now > s->next_update) {
        /* RFC 6960 §4.2.2.1: past nextUpdate the responder has newer
         * information; a client allows a little clock skew, we do not. */
        date_text(s->next_update, when, sizeof when);
        snprintf(why, cap, "our OCSP response expired at its nextUpdate (%s): not stapled; fetch a fresh one", when);
    } else if (s->next_update == 0 && now - s->this_update > TERN_OCSP_MAX_AGE) {
        date_text(s->this_update, when, sizeof when);
        snprintf(why, cap, "our OCSP response has no nextUpdate and its thisUpdate (%s) is more than %d days old: "
                 "not stapled; fetch a fresh one", when, TERN_OCSP_MAX_AGE / 86400);
    } else if (s->this_update > now + TERN_OCSP_SKEW) {
        date_text(s->this_update, when, sizeof when);
        snprintf(why, cap, "our OCSP response is not valid before its thisUpdate (%s): not stapled (is the clock "
                 "right?)", when);
    } else {
        why[0] = '\0';
        return s;
    }
    tern_staple_put(cfg, s);
    return NULL;
}

void tern_staple_put(const tern_config *cfg, struct tern_staple *s) {
    if (s == NULL || cfg->staples == NULL)
        return;
    pthread_mutex_lock(&cfg->staples->mu);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&cfg->staples->mu);
    if (last)
        staple_free(s);
}

const uint8_t *tern_staple_der(const struct tern_staple *s, size_t *len) {
    *len = s->len;
    return s->der;
}

void tern_staple_free_all(tern_config *cfg) {
    struct tern_staple_store *st = cfg->staples;
    if (st == NULL)
        return;
    for (size_t i = 0; i < STAPLE_IDS; i++)
        staple_free(st->by_id[i]);
    pthread_mutex_destroy(&st->mu);
    free(st);
    cfg->staples = NULL;
}
