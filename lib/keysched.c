/*
 * The TLS 1.2 key schedule: everything the PRF (RFC 5246 §5) derives.
 *
 *   master_secret = PRF(pms, "master secret", client_random + server_random)[0..47]
 *                                                            (RFC 5246 §8.1)
 *   master_secret = PRF(pms, "extended master secret", session_hash)[0..47]
 *       session_hash = Hash(ClientHello .. ClientKeyExchange)    (RFC 7627 §4)
 *   key_block     = PRF(master, "key expansion", server_random + client_random)
 *       AES-GCM: client_write_key, server_write_key, client_write_IV[4],
 *                server_write_IV[4]                   (RFC 5246 §6.3, RFC 5288 §3)
 *   verify_data   = PRF(master, finished_label, Hash(handshake_messages))[0..11]
 *                                                            (RFC 5246 §7.4.9)
 *
 * The PRF hash is the suite's (SHA-256, or SHA-384 for the _SHA384 suites).
 */
#define TERN_LAYER TERN_LAYER_RECORD_KEYS
#include "crypto/ct.h"
#include "crypto/hmac.h"
#include "lib/keysched.h"
#include "lib/record.h"
#include "lib/trace.h"

int tern_ks_derive_master(tern_hash_alg prf, const uint8_t *pms, size_t pms_len, int ems,
                          const uint8_t *client_random, const uint8_t *server_random, const uint8_t *session_hash,
                          size_t session_hash_len, uint8_t master[TERN_MASTER_LEN]) {
    if (ems)
        return tern_tls12_prf(prf, pms, pms_len, "extended master secret", session_hash, session_hash_len, NULL, 0,
                              master, TERN_MASTER_LEN);
    return tern_tls12_prf(prf, pms, pms_len, "master secret", client_random, TERN_RANDOM_LEN, server_random,
                          TERN_RANDOM_LEN, master, TERN_MASTER_LEN);
}

int tern_ks_derive_key_block(tern_hash_alg prf, const uint8_t master[TERN_MASTER_LEN], const uint8_t *client_random,
                             const uint8_t *server_random, uint8_t *out, size_t len) {
    /* Note the order: server_random first here, client_random first for the
     * master secret. */
    return tern_tls12_prf(prf, master, TERN_MASTER_LEN, "key expansion", server_random, TERN_RANDOM_LEN,
                          client_random, TERN_RANDOM_LEN, out, len);
}

int tern_ks_derive_verify(tern_hash_alg prf, const uint8_t master[TERN_MASTER_LEN], enum tern_side side,
                          const uint8_t *hash, size_t hash_len, uint8_t out[TERN_VERIFY_LEN]) {
    const char *label = side == TERN_CLIENT ? "client finished" : "server finished";
    return tern_tls12_prf(prf, master, TERN_MASTER_LEN, label, hash, hash_len, NULL, 0, out, TERN_VERIFY_LEN);
}

int tern_ks_master(tern_conn *c) {
    tern_hs_state *h = c->hs_state;
    TERN_ENSURE(c->suite != NULL && h->pms_len > 0, TERN_ERR_INTERNAL);
    uint8_t hash[TERN_HASH_MAX_LEN];
    size_t hlen = tern_ks_transcript_hash(c, hash);
    int rc = tern_ks_derive_master(c->suite->prf, h->pms, h->pms_len, c->ems, h->client_random, h->server_random,
                                   hash, hlen, c->master);
    /* The premaster has done its job: nothing may use it again. */
    tern_wipe(h->pms, sizeof h->pms);
    h->pms_len = 0;
    return rc;
}

int tern_ks_key_block(tern_conn *c) {
    tern_hs_state *h = c->hs_state;
    size_t n = 2 * c->suite->key_len + 2 * tern_suite_iv_len(c->suite); /* 4 (RFC 5288) or 12 (RFC 7905) */
    return tern_ks_derive_key_block(c->suite->prf, c->master, h->client_random, h->server_random, h->key_block, n);
}

int tern_ks_prepare(tern_conn *c) {
    tern_hs_state *h = c->hs_state;
    if (!h->keys_ready) {
        if (!c->sess.resumed) /* resumed: the session's master secret is in place */
            TERN_TRY(tern_ks_master(c));
        TERN_TRY(tern_ks_key_block(c));
        h->keys_ready = 1;
        tern_trace_keys(c); /* the key log line, and the steps named */
    }
    return 0;
}

int tern_ks_activate(tern_conn *c, int for_write) {
    tern_hs_state *h = c->hs_state;
    TERN_TRY(tern_ks_prepare(c));
    size_t k = c->suite->key_len;
    const uint8_t *client_key = h->key_block, *server_key = h->key_block + k;
    size_t ivl = tern_suite_iv_len(c->suite);
    const uint8_t *client_salt = h->key_block + 2 * k, *server_salt = h->key_block + 2 * k + ivl;
    /* Our writes use our side's keys; our reads the peer's. */
    int client_keys = (c->side == TERN_CLIENT) == (for_write != 0);
    tern_rec_dir *d = for_write ? &c->wr : &c->rd;
    TERN_TRY(tern_rec_aead_on(d, c->suite->aead, client_keys ? client_key : server_key, k,
                              client_keys ? client_salt : server_salt));
    tern_trace_keys_on(c, for_write);
    return 0;
}

int tern_ks_verify_data(tern_conn *c, enum tern_side side, uint8_t out[TERN_VERIFY_LEN]) {
    uint8_t hash[TERN_HASH_MAX_LEN];
    size_t hlen = tern_ks_transcript_hash(c, hash);
    return tern_ks_derive_verify(c->suite->prf, c->master, side, hash, hlen, out);
}

/* The transcript hashes run in the handshake state (lib/hs.c adds each
 * message and drops a hash once no step can ask for it). */
int tern_ks_transcript_hash_alg(const tern_conn *c, tern_hash_alg alg, uint8_t out[TERN_HASH_MAX_LEN]) {
    const tern_hs_state *h = c->hs_state;
    const tern_hash_ctx *ctx = alg == TERN_HASH_SHA256 ? &h->th256 : alg == TERN_HASH_SHA384 ? &h->th384
                               : alg == TERN_HASH_SHA512 ? &h->th512 : NULL;
    TERN_ENSURE(ctx != NULL && (h->th_live & tern_th_bit(alg)) != 0, TERN_ERR_INTERNAL);
    /* Finalise a copy: the running hash goes on. */
    tern_hash_ctx copy = *ctx;
    size_t n = tern_hash_len(copy.alg);
    tern_hash_final(&copy, out);
    return (int)n;
}

size_t tern_ks_transcript_hash(const tern_conn *c, uint8_t out[TERN_HASH_MAX_LEN]) {
    int n = tern_ks_transcript_hash_alg(c, c->suite->prf, out);
    return n > 0 ? (size_t)n : 0; /* the PRF hash is never dropped */
}
