/*
 * AES-GCM record protection for TLS 1.2 (RFC 5288 §3, RFC 5246 §6.2.3.3).
 *
 *   nonce = salt (4 bytes from the key block) || explicit_nonce (8 bytes)
 *   explicit_nonce = the 64-bit sequence number, sent in the clear
 *   AAD   = seq_num (8) || type (1) || version (2) || plaintext length (2)
 *   record payload = explicit_nonce || ciphertext || tag (16)
 *
 * Using the sequence number as the explicit nonce (as most stacks do) makes
 * nonce reuse impossible under one key as long as the sequence never wraps,
 * and RFC 5246 §6.1 forbids wrapping: we fail the connection first.
 */
#define TERN_LAYER TERN_LAYER_RECORD_KEYS
#include "lib/record.h"
#include "crypto/ct.h"

void tern_rec_dir_init(tern_rec_dir *d, tern_gcm_key *storage, size_t room) {
    memset(d, 0, sizeof *d);
    d->gcm = storage;
    d->gcm_room = room;
}

int tern_rec_gcm_on(tern_rec_dir *d, const uint8_t *key, size_t keylen, const uint8_t salt[4]) {
    /* The storage was sized for the implementation chosen when the
     * connection was made; a switch since (TERN_CPU changed and
     * tern_cpu_reset called) could need more. */
    TERN_ENSURE(d->gcm != NULL && tern_gcm_key_size() <= d->gcm_room, TERN_ERR_INTERNAL);
    TERN_TRY(tern_gcm_init(d->gcm, key, keylen));
    memcpy(d->salt, salt, 4);
    d->seq = 0;
    d->on = 1;
    return 0;
}

void tern_rec_wipe(tern_rec_dir *d) {
    tern_gcm_key *k = d->gcm;
    size_t room = d->gcm_room;
    if (k != NULL)
        tern_gcm_wipe(k);
    tern_wipe(d, sizeof *d);
    d->gcm = k; /* the storage stays this direction's */
    d->gcm_room = room;
}

static void make_aad(uint8_t aad[13], uint64_t seq, uint8_t type, size_t len) {
    tern_store_be64(aad, seq);
    aad[8] = type;
    tern_store_be16(aad + 9, TERN_TLS12);
    tern_store_be16(aad + 11, (uint16_t)len);
}

int tern_rec_gcm_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain, size_t len) {
    /* RFC 5246 §6.1: "Sequence numbers do not wrap."  The last usable value
     * is UINT64_MAX - 1; after it the connection must end. */
    TERN_ENSURE(d->seq != UINT64_MAX, TERN_ERR_LIMIT);
    TERN_ENSURE(len <= TERN_MAX_PLAINTEXT, TERN_ERR_INTERNAL);
    uint8_t nonce[TERN_GCM_NONCE_LEN], aad[13];
    memcpy(nonce, d->salt, 4);
    tern_store_be64(nonce + 4, d->seq);
    make_aad(aad, d->seq, type, len);
    rec[0] = type;
    tern_store_be16(rec + 1, TERN_TLS12);
    tern_store_be16(rec + 3, (uint16_t)(len + TERN_GCM_OVERHEAD));
    memcpy(rec + TERN_REC_HDR, nonce + 4, TERN_GCM_EXPLICIT);
    uint8_t *ct = rec + TERN_REC_HDR + TERN_GCM_EXPLICIT;
    tern_gcm_seal(d->gcm, nonce, aad, sizeof aad, plain, len, ct, ct + len);
    d->seq++;
    return 0;
}

int tern_rec_gcm_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain, size_t *plen) {
    TERN_ENSURE(d->seq != UINT64_MAX, TERN_ERR_LIMIT);
    /* Too short to hold the explicit nonce and tag: it cannot authenticate
     * (RFC 5246 §6.2.3.3 leaves the alert open; bad_record_mac tells the
     * peer nothing more than a failed tag would). */
    TERN_ENSURE(len >= TERN_GCM_OVERHEAD, TERN_ERR_BAD_RECORD_MAC);
    size_t n = len - TERN_GCM_OVERHEAD;
    uint8_t nonce[TERN_GCM_NONCE_LEN], aad[13];
    memcpy(nonce, d->salt, 4);
    memcpy(nonce + 4, rec + TERN_REC_HDR, TERN_GCM_EXPLICIT);
    make_aad(aad, d->seq, type, n);
    uint8_t *ct = rec + TERN_REC_HDR + TERN_GCM_EXPLICIT;
    TERN_TRY(tern_gcm_open(d->gcm, nonce, aad, sizeof aad, ct, n, ct + n, ct));
    d->seq++;
    *plain = ct;
    *plen = n;
    return 0;
}
