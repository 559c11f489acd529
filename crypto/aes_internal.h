/*
 * Private interface between crypto/gcm.c and the AES / GHASH
 * implementations (crypto/aes.c, crypto/ghash.c, crypto/aes_aesni.c,
 * crypto/gcm_vaes.c).  Not part of the API; tests may call it.
 *
 * Layout of tern_gcm_key per implementation.  Every layout starts with the
 * header (rounds, impl: 16 bytes with padding), then k->w; a key uses only
 * the first tern_gcm_impl_key_size(impl) bytes of the struct, and the
 * offsets below are fixed per implementation (an AES-128 key leaves the
 * slots of round keys 11..14 zero), so one size serves both key lengths.
 *
 *   portable (aes.c, ghash.c):
 *     w[0 .. 119]    bitsliced round keys, TERN_AES_CT64_RK_WORDS = 8
 *                    words per round key, stored once (both lanes of the
 *                    state XOR the same word), (rounds + 1) of them;
 *     w[120 .. 134]  tern_ghash_ct64_key (15 words);
 *     size: 16 + 135 * 8 = 1096, rounded up to 1104.
 *
 *   aesni+pclmul and vaes+vpclmul (aes_aesni.c, gcm_vaes.c):
 *     w[0 .. 29]     (rounds + 1) 16-byte round keys (FIPS 197 §5.2) in
 *                    15 slots (240 bytes);
 *     w[30 .. ]      the GHASH table described at TERN_GCM_HPOW below
 *                    (TERN_GCM_HTABLE_BYTES);
 *     size: 16 + 240 + TERN_GCM_HTABLE_BYTES (400) = 656.
 *
 * Every 16-byte unit above starts at a multiple of 16 from the start of the
 * key, and the vector code loads nothing wider than 16 bytes with an
 * aligned load (32-byte loads are unaligned loads), so 16-byte-aligned
 * storage is all a key needs.
 */
#ifndef TERN_CRYPTO_AES_INTERNAL_H
#define TERN_CRYPTO_AES_INTERNAL_H

#include "crypto/gcm.h"

/* impl values.  0 is "never set up", so a zeroed key (say, memory the
 * caller cleared and never passed to tern_gcm_init) is not mistaken for a
 * portable key, whose layout is the largest. */
enum {
    TERN_GCM_IMPL_NONE = 0,
    TERN_GCM_IMPL_PORTABLE = 1,
    TERN_GCM_IMPL_AESNI = 2,
    TERN_GCM_IMPL_VAES = 3,
    TERN_GCM_NIMPL = 4,
};

/* Bytes of the header (rounds, impl) before k->w. */
#define TERN_GCM_KEY_HDR offsetof(tern_gcm_key, w)

/* Bytes at the start of a tern_gcm_key that a key of implementation impl
 * uses (a multiple of 16); for TERN_GCM_IMPL_NONE or a value out of range,
 * just the header. */
size_t tern_gcm_impl_key_size(unsigned impl);

/* ---- portable bitsliced AES (aes.c) ----
 * Eight blocks at a time, bitsliced over 2 x 8 64-bit words. */

/* Words per bitsliced round key, and for the 15 round keys of AES-256. */
#define TERN_AES_CT64_RK_WORDS 8
#define TERN_AES_CT64_SKEY_WORDS (15 * TERN_AES_CT64_RK_WORDS)

/* Expand a 16- or 32-byte key (GCM's sizes) into the bitsliced round keys skey
 * ((rounds+1) * TERN_AES_CT64_RK_WORDS words; give it
 * TERN_AES_CT64_SKEY_WORDS).  Returns the number of rounds (10 or 14), or 0
 * for another key length. */
unsigned tern_aes_ct64_keysched(uint64_t *skey, const uint8_t *key, size_t keylen);

/* Encrypt the eight 16-byte blocks at in (128 bytes) into out (may alias). */
void tern_aes_ct64_encrypt8(const uint64_t *skey, unsigned rounds, const uint8_t in[128], uint8_t out[128]);

/* Decrypt (the inverse cipher, FIPS 197 §5.3, with the encryption round
 * keys from the same schedule) the eight blocks at in into out (may alias). */
void tern_aes_ct64_decrypt8(const uint64_t *skey, unsigned rounds, const uint8_t in[128], uint8_t out[128]);

/* FIPS 197 §5.2 key expansion of a 16-, 24- or 32-byte key into the words
 * w[0 .. 4 * (rounds + 1) - 1], each word little-endian (its first key
 * byte in the low bits), so storing them little-endian gives the round
 * keys as byte strings (what AES-NI takes).  Constant-time (SubWord is the
 * bitsliced S-box).  Returns the number of rounds (10, 12, 14), or 0 for
 * another key length. */
unsigned tern_aes_expand_key(uint32_t w[60], const uint8_t *key, size_t keylen);

/* The (rounds + 1) round keys w (as above) in bitsliced form into skey. */
void tern_aes_ct64_skey_from_words(uint64_t *skey, const uint32_t *w, unsigned rounds);

/* CTR keystream: XOR len bytes of in with E(K, ctr), E(K, ctr+1), ... where
 * ctr is nonce(12) || counter (32-bit big-endian, wrapping mod 2^32).
 * Returns the counter after the last block used. */
uint32_t tern_aes_ct64_ctr(const uint64_t *skey, unsigned rounds, const uint8_t nonce[12], uint32_t ctr,
                           const uint8_t *in, uint8_t *out, size_t len);

/* ---- AES-CBC with AES-NI (aes_cbc_aesni.c) ----
 * w: the round keys from tern_aes_expand_key; len a multiple of 16; in may
 * equal out.  The caller checked the CPU features (see aes_cbc.c). */
void tern_aes_cbc_aesni_encrypt(const uint32_t *w, unsigned rounds, const uint8_t iv[16], const uint8_t *in,
                                size_t len, uint8_t *out);
void tern_aes_cbc_aesni_decrypt(const uint32_t *w, unsigned rounds, const uint8_t iv[16], const uint8_t *in,
                                size_t len, uint8_t *out);

/* ---- portable constant-time GHASH (ghash.c) ---- */
typedef struct {
    uint64_t h[3];     /* H as a big-endian integer: h[1] high half, h[0] low, h[2] = h[0] ^ h[1] */
    uint64_t hm[3][4]; /* h[i] split into bits spaced 4 apart (masks 0x1111.. << j) */
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

/* GHASH table of the PCLMUL paths, after the round keys:
 *   TERN_GCM_HPOW 16-byte powers hpow[i] = H^(TERN_GCM_HPOW - i) (so the
 *   last n entries multiply n blocks in order), each stored as the
 *   bit-reflected element times x^-1 (so one carry-less product needs no
 *   extra shift);
 *   then their Karatsuba helpers, 8 bytes each (s_j = low ^ high half of
 *   hpow[j]), in TERN_GCM_HPOW / 2 + 1 16-byte units: s_j sits in unit
 *   TERN_GCM_HKAR_UNIT(j), 64-bit word TERN_GCM_HKAR_QWORD(j).
 *   The order is the one the two-block registers of gcm_vaes.c want: the
 *   pair of powers (2i, 2i+1) takes its helpers from the 32 bytes at unit i
 *   (units i and i+1, one per 128-bit lane), both in word i & 1 (which
 *   word is an immediate of VPCLMULQDQ: no extra instruction).  So unit i
 *   holds s_2i in word i & 1 and s_2i-1 in the other; each pair reads its
 *   own 32 bytes (pairs that shared one load site ran ~5% slower).  The
 *   first unit's word 1 and the last unit's word 0 are unused (zero). */
#define TERN_GCM_HPOW 16
#define TERN_GCM_HKAR_UNIT(j) (((j) + 1) / 2)
#define TERN_GCM_HKAR_QWORD(j) (((j) >> 1) & 1)
#define TERN_GCM_HKAR_UNITS (TERN_GCM_HPOW / 2 + 1)
#define TERN_GCM_HTABLE_BYTES (16 * TERN_GCM_HPOW + 16 * TERN_GCM_HKAR_UNITS)

/* Word offsets in k->w (see the layouts at the top). */
#define TERN_GCM_PORTABLE_GHASH_OFF TERN_AES_CT64_SKEY_WORDS
#define TERN_GCM_PCLMUL_TABLE_OFF (15 * 16 / 8)
#define TERN_GCM_PCLMUL_HKAR_OFF (TERN_GCM_PCLMUL_TABLE_OFF + 2 * TERN_GCM_HPOW)

#define TERN_GCM_ROUND16(n) (((n) + 15) / 16 * 16)
#define TERN_GCM_PORTABLE_KEY_SIZE \
    TERN_GCM_ROUND16(TERN_GCM_KEY_HDR + 8 * TERN_GCM_PORTABLE_GHASH_OFF + sizeof(tern_ghash_ct64_key))
#define TERN_GCM_PCLMUL_KEY_SIZE TERN_GCM_ROUND16(TERN_GCM_KEY_HDR + 8 * TERN_GCM_PCLMUL_TABLE_OFF + TERN_GCM_HTABLE_BYTES)

_Static_assert(TERN_GCM_KEY_HDR == 16, "the key material starts 16 bytes in");
_Static_assert(TERN_GCM_PORTABLE_KEY_SIZE <= sizeof(tern_gcm_key), "tern_gcm_key holds the portable layout");
_Static_assert(TERN_GCM_PCLMUL_KEY_SIZE <= sizeof(tern_gcm_key), "tern_gcm_key holds the PCLMUL layout");
_Static_assert(sizeof(tern_gcm_key) == TERN_GCM_PORTABLE_KEY_SIZE ||
                   sizeof(tern_gcm_key) == TERN_GCM_PCLMUL_KEY_SIZE,
               "TERN_GCM_KEY_WORDS is no larger than the largest layout needs");
_Static_assert(sizeof(tern_ghash_ct64_key) % 8 == 0, "the GHASH key is whole words");
_Static_assert(TERN_GCM_HPOW % 2 == 0, "the Karatsuba helpers pair up");

#endif
