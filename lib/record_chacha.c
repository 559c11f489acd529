/*
 * ChaCha20-Poly1305 record protection for TLS 1.2 (RFC 7905 §2, with the
 * AEAD of RFC 8439 §2.8 and the additional data of RFC 5246 §6.2.3.3).
 *
 *   key_block gives each side a 32-byte key and a 12-byte IV
 *   nonce = IV XOR (00000000 || 64-bit big-endian sequence number)
 *   AAD   = seq_num (8) || type (1) || version (2) || plaintext length (2)
 *   record payload = ciphertext || tag (16)     -- no explicit nonce
 *
 * The nonce is never sent, so it cannot be chosen by the peer; it is unique
 * under one key because the sequence number never wraps (RFC 5246 §6.1: we
 * fail first, as for AES-GCM).
 */
#define TERN_LAYER TERN_LAYER_RECORD_KEYS
#include "lib/record.h"
#include "crypto/chacha20poly1305.h"
#include "crypto/ct.h"

int tern_rec_chacha_on(tern_rec_dir *d, const uint8_t key[32], const uint8_t iv[12]) {
    memcpy(d->cc_key, key, sizeof d->cc_key);
    memcpy(d->cc_iv, iv, sizeof d->cc_iv);
    d->aead = TERN_AEAD_CHACHA20_POLY1305;
    d->seq = 0;
    d->on = 1;
    return 0;
}

/* RFC 7905 §2: the sequence number, left-padded to 12 bytes, XOR the IV. */
static void make_nonce(uint8_t nonce[12], const tern_rec_dir *d) {
    uint8_t seq[8];
    tern_store_be64(seq, d->seq);
    memcpy(nonce, d->cc_iv, 12);
    for (size_t i = 0; i < 8; i++)
        nonce[4 + i] ^= seq[i];
}

static void make_aad(uint8_t aad[13], uint64_t seq, uint8_t type, size_t len) {
    tern_store_be64(aad, seq);
    aad[8] = type;
    tern_store_be16(aad + 9, TERN_TLS12);
    tern_store_be16(aad + 11, (uint16_t)len);
}

int tern_rec_chacha_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain, size_t len) {
    TERN_ENSURE(d->seq != UINT64_MAX, TERN_ERR_LIMIT);
    TERN_ENSURE(len <= TERN_MAX_PLAINTEXT, TERN_ERR_INTERNAL);
    uint8_t nonce[12], aad[13];
    make_nonce(nonce, d);
    make_aad(aad, d->seq, type, len);
    rec[0] = type;
    tern_store_be16(rec + 1, TERN_TLS12);
    tern_store_be16(rec + 3, (uint16_t)(len + TERN_CHACHA20POLY1305_TAG_LEN));
    uint8_t *ct = rec + TERN_REC_HDR;
    /* plain may be ct itself (sealed in place) or another buffer that does
     * not overlap it (tern_rec_write copies from the caller). */
    TERN_TRY(tern_chacha20poly1305_seal(d->cc_key, nonce, aad, sizeof aad, plain, len, ct, ct + len));
    d->seq++;
    return 0;
}

int tern_rec_chacha_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain, size_t *plen) {
    TERN_ENSURE(d->seq != UINT64_MAX, TERN_ERR_LIMIT);
    /* Shorter than a tag: cannot authenticate (bad_record_mac, as a failed
     * tag, tells the peer nothing more). */
    TERN_ENSURE(len >= TERN_CHACHA20POLY1305_TAG_LEN, TERN_ERR_BAD_RECORD_MAC);
    size_t n = len - TERN_CHACHA20POLY1305_TAG_LEN;
    uint8_t nonce[12], aad[13];
    make_nonce(nonce, d);
    make_aad(aad, d->seq, type, n);
    uint8_t *ct = rec + TERN_REC_HDR;
    TERN_TRY(tern_chacha20poly1305_open(d->cc_key, nonce, aad, sizeof aad, ct, n, ct + n, ct));
    d->seq++;
    *plain = ct;
    *plen = n;
    return 0;
}
