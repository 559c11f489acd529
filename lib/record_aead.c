/*
 * The record protection a suite uses, chosen once per direction when the
 * keys are switched on (RFC 5246 §6.2.3.3 AEAD ciphers): AES-GCM
 * (lib/record_gcm.c, RFC 5288: 4-byte salt, 8-byte explicit nonce) or
 * ChaCha20-Poly1305 (lib/record_chacha.c, RFC 7905: 12-byte IV, no
 * explicit nonce).  The record layer (lib/record.c) calls these and never
 * names a cipher.
 */
#define TERN_LAYER TERN_LAYER_RECORD_KEYS
#include "lib/record.h"

size_t tern_suite_iv_len(const tern_suite *s) {
    return s->aead == TERN_AEAD_CHACHA20_POLY1305 ? 12 : 4;
}

int tern_rec_aead_on(tern_rec_dir *d, enum tern_aead aead, const uint8_t *key, size_t keylen, const uint8_t *iv) {
    if (aead == TERN_AEAD_CHACHA20_POLY1305) {
        TERN_ENSURE(keylen == 32, TERN_ERR_INTERNAL);
        return tern_rec_chacha_on(d, key, iv);
    }
    d->aead = TERN_AEAD_AES_GCM;
    return tern_rec_gcm_on(d, key, keylen, iv);
}

size_t tern_rec_explicit_len(const tern_rec_dir *d) {
    return d->aead == TERN_AEAD_CHACHA20_POLY1305 ? 0 : TERN_GCM_EXPLICIT;
}

int tern_rec_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain, size_t len) {
    if (d->aead == TERN_AEAD_CHACHA20_POLY1305)
        return tern_rec_chacha_seal(d, type, rec, plain, len);
    return tern_rec_gcm_seal(d, type, rec, plain, len);
}

int tern_rec_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain, size_t *plen) {
    if (d->aead == TERN_AEAD_CHACHA20_POLY1305)
        return tern_rec_chacha_open(d, type, rec, len, plain, plen);
    return tern_rec_gcm_open(d, type, rec, len, plain, plen);
}
