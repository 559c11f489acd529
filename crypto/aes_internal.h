/*
 * Private interface between crypto/gcm.c and the AES / GHASH
 * implementations (crypto/aes.c, crypto/ghash.c, crypto/aes_aesni.c,
 * crypto/gcm_vaes.c).  Not part of the API; tests may call it.
 *
 * Layout of tern_gcm_key per implementation:
 *   portable:  rk = (rounds+1) x 16 uint64 bitsliced round keys (aes.c);
 *              h  = tern_ghash_ct64_key (ghash.c).
 *   aesni/vaes: rk = (rounds+1) x 16-byte round keys (FIPS 197 §5.2);
 *              h  = the GHASH table described in TERN_GCM_HPOW below.
 */
#ifndef TERN_CRYPTO_AES_INTERNAL_H
#define TERN_CRYPTO_AES_INTERNAL_H

#include "crypto/gcm.h"

enum {
    TERN_GCM_IMPL_PORTABLE = 0,
    TERN_GCM_IMPL_AESNI = 1,
    TERN_GCM_IMPL_VAES = 2,
};

/* ---- portable bitsliced AES (aes.c) ----
 * Eight blocks at a time, bitsliced over 2 x 8 64-bit words. */

/* Expand a 16- or 32-byte key into the bitsliced round keys skey
 * ((rounds+1) * 16 words).  Returns the number of rounds (10 or 14), or 0
 * for another key length. */
unsigned tern_aes_ct64_keysched(uint64_t *skey, const uint8_t *key, size_t keylen);

/* Encrypt the eight 16-byte blocks at in (128 bytes) into out (may alias). */
void tern_aes_ct64_encrypt8(const uint64_t *skey, unsigned rounds, const uint8_t in[128], uint8_t out[128]);

/* CTR keystream: XOR len bytes of in with E(K, ctr), E(K, ctr+1), ... where
 * ctr is nonce(12) || counter (32-bit big-endian, wrapping mod 2^32).
 * Returns the counter after the last block used. */
uint32_t tern_aes_ct64_ctr(const uint64_t *skey, unsigned rounds, const uint8_t nonce[12], uint32_t ctr,
                           const uint8_t *in, uint8_t *out, size_t len);

/* ---- portable constant-time GHASH (ghash.c) ---- */
typedef struct {
    uint64_t h[3];     /* H as a big-endian integer: h[1] high half, h[0] low, h[2] = h[0] ^ h[1] */
    uint64_t hm[3][4]; /* h[i] split into bits spaced 4 apart (masks 0x1111.. << j) */
    uint64_t h1r, h0r; /* h[1], h[0] bit-reversed */
} tern_ghash_ct64_key;

void tern_ghash_ct64_init(tern_ghash_ct64_key *gk, const uint8_t h[16]);
/* y = (y ^ X_1) * H ... over the len bytes at data, the last partial block
 * zero-padded (SP 800-38D §6.4). */
void tern_ghash_ct64(const tern_ghash_ct64_key *gk, uint8_t y[16], const uint8_t *data, size_t len);
/* The same through the variant without 128-bit products (what targets
 * without unsigned __int128 use); tests compare the two. */
void tern_ghash_ct64_rev(const tern_ghash_ct64_key *gk, uint8_t y[16], const uint8_t *data, size_t len);

/* ---- accelerated paths ----
 * setup: round keys and GHASH table into k (k->rounds already set); the
 * VAES path uses the same layout, so the same setup.
 * crypt: the whole GCM operation for one record: encrypt (decrypt = 0) or
 * decrypt (decrypt = 1) len bytes and write the tag computed over aad and
 * the ciphertext into tag (for open, the caller compares it). */
void tern_gcm_aesni_setup(tern_gcm_key *k, const uint8_t *key);
void tern_gcm_aesni_crypt(const tern_gcm_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aadlen,
                          const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16], int decrypt);
void tern_gcm_vaes_crypt(const tern_gcm_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aadlen,
                         const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16], int decrypt);

/* GHASH table of the PCLMUL paths, in k->h: TERN_GCM_HPOW 16-byte powers
 * hpow[i] = H^(TERN_GCM_HPOW - i) (so the last n entries multiply n blocks
 * in order), each stored as the bit-reflected element times x^-1 (so one
 * carry-less product needs no extra shift), followed by TERN_GCM_HPOW
 * 16-byte Karatsuba helpers (lo ^ hi of the power in both halves). */
#define TERN_GCM_HPOW 16
_Static_assert(sizeof(((tern_gcm_key *)0)->h) >= 2 * 16 * TERN_GCM_HPOW, "tern_gcm_key.h holds the GHASH table");
_Static_assert(sizeof(((tern_gcm_key *)0)->h) >= sizeof(tern_ghash_ct64_key), "tern_gcm_key.h holds the portable key");
_Static_assert(sizeof(((tern_gcm_key *)0)->rk) >= 15 * 16 * 8, "tern_gcm_key.rk holds bitsliced AES-256 keys");

#endif
