/*
 * AES-128/256-GCM (NIST SP 800-38D) with 12-byte nonces and 16-byte tags,
 * shaped for the TLS record layer (RFC 5288): a key is set up once per
 * direction (AES round keys, H and its powers, and the implementation
 * chosen from tern_cpu()), then each record is one seal or open call.
 * No allocation.  in and out may be the same buffer (in place).
 *
 * The struct is private to crypto/gcm*.c and crypto/aes*.c; callers use
 * only sizeof, tern_gcm_key_size() and the functions.
 */
#ifndef TERN_CRYPTO_GCM_H
#define TERN_CRYPTO_GCM_H

#include "crypto/common.h"

#define TERN_GCM_NONCE_LEN 12
#define TERN_GCM_TAG_LEN 16

/* 64-bit words of key material: enough for the largest layout (the
 * portable one: 120 words of bitsliced AES-256 round keys and 15 of GHASH
 * key, rounded up to whole 16-byte units).  The layouts are described in
 * crypto/aes_internal.h. */
#define TERN_GCM_KEY_WORDS 136

typedef struct tern_gcm_key {
    /* The header comes first, so a key held in storage shorter than the
     * struct (see tern_gcm_key_size) always has it, and a wipe or a call
     * can look at it before touching anything else. */
    unsigned rounds; /* 10 or 14; 0 in a key that was never set up */
    unsigned impl;   /* which implementation the key was made for */
    /* Round keys and GHASH key in that implementation's layout, of which
     * only the first tern_gcm_key_size() - 16 bytes are used.  Stored as
     * 64-bit words, the type the portable code reads them as, so no access
     * breaks C's aliasing rules (the vector paths load through __m128i /
     * __m256i pointers, which may alias anything).  16-byte alignment is
     * all the vector paths assume. */
    _Alignas(16) uint64_t w[TERN_GCM_KEY_WORDS];
} tern_gcm_key;

/* Set up k for a 16- or 32-byte key, for the implementation tern_cpu()
 * selects now.  Writes only the first tern_gcm_key_size() bytes of k.
 * Returns 0, or TERN_ERR_INVALID_ARG for a NULL pointer or another key
 * length (then k, if not NULL, is left as a key that was never set up:
 * seal writes zeros, open rejects, wipe touches only the header). */
TERN_MUST_CHECK int tern_gcm_init(tern_gcm_key *k, const uint8_t *key, size_t keylen);

/* Wipe the bytes of k that its own implementation used (k->impl says which;
 * a key never set up, or whose header is not one tern_gcm_init wrote, gets
 * only its header wiped).  Afterwards k is a key that was never set up. */
void tern_gcm_wipe(tern_gcm_key *k);

/* The number of bytes at the start of a tern_gcm_key that tern_gcm_init,
 * seal, open and wipe read or write for a key made now (for the
 * implementation tern_cpu() currently selects, either key length).  A
 * multiple of 16, at most sizeof(tern_gcm_key).
 * A caller short on memory may pass a pointer to 16-byte-aligned storage of
 * just this many bytes, cast to tern_gcm_key *, to all of these functions
 * (never copy such a key by struct assignment: that reads sizeof bytes).
 * The figure can change when tern_cpu() changes (tern_cpu_reset with
 * another TERN_CPU), so ask for it where the key is made. */
size_t tern_gcm_key_size(void);

/* Encrypt len bytes and compute the tag over aad and the ciphertext.
 * len must not exceed 2^36 - 32 bytes (SP 800-38D §5.2.1.1; the 32-bit block
 * counter would wrap); TLS records are far below that.  With a key that was
 * never set up, out gets len zero bytes and tag zeros. */
void tern_gcm_seal(const tern_gcm_key *k, const uint8_t nonce[TERN_GCM_NONCE_LEN], const uint8_t *aad,
                   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[TERN_GCM_TAG_LEN]);

/* Check the tag in constant time, then decrypt.  Returns 0, or
 * TERN_ERR_BAD_RECORD_MAC with out wiped (never plaintext of a forgery;
 * also for a key that was never set up). */
TERN_MUST_CHECK int tern_gcm_open(const tern_gcm_key *k, const uint8_t nonce[TERN_GCM_NONCE_LEN],
                                  const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
                                  const uint8_t tag[TERN_GCM_TAG_LEN], uint8_t *out);

/* Name of the implementation k uses ("portable", "aesni+pclmul", "vaes+vpclmul",
 * or "none" for a key that was never set up). */
const char *tern_gcm_impl_name(const tern_gcm_key *k);

#endif
