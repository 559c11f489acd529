/*
 * The ChaCha20-Poly1305 AEAD construction (RFC 8439 §2.6, §2.8).
 *
 * The one-time Poly1305 key is the first 32 bytes of ChaCha20 block 0
 * (§2.6); the payload is encrypted from block 1; the MAC covers
 *   aad || pad16 || ciphertext || pad16 || le64(aadlen) || le64(len).
 * open() computes the tag over the received ciphertext, compares it in
 * constant time, decrypts, and zeroes the output unless the tag matched
 * (no branch on the comparison).
 */
#include "crypto/chacha20poly1305.h"

#include "crypto/ct.h"

static const uint8_t zeros16[16];

/* RFC 8439 §2.6: poly key = first 32 bytes of block 0's key stream. */
static void poly_key(uint8_t pk[32], const uint8_t key[32], const uint8_t nonce[12]) {
    memset(pk, 0, 32);
    tern_chacha20_xor(key, 0, nonce, pk, pk, 32);
}

static void aead_tag(uint8_t tag[16], const uint8_t pk[32], const uint8_t *aad, size_t aadlen, const uint8_t *ct,
                     size_t len) {
    tern_poly1305_ctx p;
    uint8_t lens[16];
    tern_poly1305_init(&p, pk);
    tern_poly1305_update(&p, aad, aadlen);
    tern_poly1305_update(&p, zeros16, (16 - aadlen % 16) % 16);
    tern_poly1305_update(&p, ct, len);
    tern_poly1305_update(&p, zeros16, (16 - len % 16) % 16);
    tern_store_le64(lens, (uint64_t)aadlen);
    tern_store_le64(lens + 8, (uint64_t)len);
    tern_poly1305_update(&p, lens, sizeof lens);
    tern_poly1305_final(&p, tag);
}

int tern_chacha20poly1305_seal(const uint8_t key[TERN_CHACHA20POLY1305_KEY_LEN],
                               const uint8_t nonce[TERN_CHACHA20POLY1305_NONCE_LEN], const uint8_t *aad,
                               size_t aadlen, const uint8_t *in, size_t len, uint8_t *out,
                               uint8_t tag[TERN_CHACHA20POLY1305_TAG_LEN]) {
    TERN_ENSURE((uint64_t)len <= TERN_CHACHA20POLY1305_MAX_LEN, TERN_ERR_INVALID_ARG);
    uint8_t pk[32];
    poly_key(pk, key, nonce);
    tern_chacha20_xor(key, 1, nonce, in, out, len);
    aead_tag(tag, pk, aad, aadlen, out, len);
    tern_wipe(pk, sizeof pk);
    return 0;
}

int tern_chacha20poly1305_open(const uint8_t key[TERN_CHACHA20POLY1305_KEY_LEN],
                               const uint8_t nonce[TERN_CHACHA20POLY1305_NONCE_LEN], const uint8_t *aad,
                               size_t aadlen, const uint8_t *in, size_t len,
                               const uint8_t tag[TERN_CHACHA20POLY1305_TAG_LEN], uint8_t *out) {
    int rc = TERN_ERR_INTERNAL;
    uint8_t pk[32], want[16];
    /* No valid ciphertext is this long: fail like a forgery (nothing was
     * decrypted, so there is nothing to wipe). */
    TERN_ENSURE((uint64_t)len <= TERN_CHACHA20POLY1305_MAX_LEN, TERN_ERR_BAD_RECORD_MAC);
    poly_key(pk, key, nonce);
    aead_tag(want, pk, aad, aadlen, in, len);
    /* No branch on the comparison: decrypt anyway, then AND the output
     * with the "tag matched" mask, so a forgery leaves zeros and neither
     * timing nor memory access depends on the tag (ctgrind checks this). */
    uint32_t ok = tern_ct_mask_u32(tern_ct_memeq(want, tag, sizeof want));
    tern_chacha20_xor(key, 1, nonce, in, out, len);
    uint8_t m8 = (uint8_t)tern_ct_barrier_u32(ok);
    for (size_t i = 0; i < len; i++)
        out[i] &= m8;
    rc = (int)tern_ct_select_u32(ok, 0, (uint32_t)TERN_ERR_BAD_RECORD_MAC);
    tern_wipe(pk, sizeof pk);
    tern_wipe(want, sizeof want);
    return rc;
}
