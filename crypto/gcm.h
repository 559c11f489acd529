/*
 * AES-128/256-GCM (NIST SP 800-38D) with 12-byte nonces and 16-byte tags,
 * shaped for the TLS record layer (RFC 5288): a key is set up once per
 * direction (AES round keys, H and its powers, and the implementation
 * chosen from tern_cpu()), then each record is one seal or open call.
 * No allocation.  in and out may be the same buffer (in place).
 *
 * The struct is private to crypto/gcm*.c and crypto/aes*.c; callers use
 * only sizeof and the functions.
 */
#ifndef TERN_CRYPTO_GCM_H
#define TERN_CRYPTO_GCM_H

#include "crypto/common.h"

#define TERN_GCM_NONCE_LEN 12
#define TERN_GCM_TAG_LEN 16

typedef struct tern_gcm_key {
    /* Round keys in the chosen implementation's layout (bitsliced for the
     * portable path; 15 x 16 bytes for AES-NI), aligned for vector loads.
     * Stored as 64-bit words, the type the portable code reads them as, so
     * no access breaks C's aliasing rules (the vector paths load through
     * __m128i/__m256i pointers, which may alias anything). */
    _Alignas(64) uint64_t rk[15 * 16];
    _Alignas(64) uint64_t h[2 * 16 * 2]; /* H, H^2, ... H^16 and Karatsuba helpers (GHASH layout) */
    unsigned rounds;                  /* 10 or 14 */
    unsigned impl;                    /* which implementation was chosen */
} tern_gcm_key;

/* keylen is 16 or 32 (TERN_ERR_INVALID_ARG otherwise). */
TERN_MUST_CHECK int tern_gcm_init(tern_gcm_key *k, const uint8_t *key, size_t keylen);
void tern_gcm_wipe(tern_gcm_key *k);

/* Encrypt len bytes and compute the tag over aad and the ciphertext.
 * len must not exceed 2^36 - 32 bytes (SP 800-38D §5.2.1.1; the 32-bit block
 * counter would wrap); TLS records are far below that. */
void tern_gcm_seal(const tern_gcm_key *k, const uint8_t nonce[TERN_GCM_NONCE_LEN], const uint8_t *aad,
                   size_t aadlen, const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[TERN_GCM_TAG_LEN]);

/* Check the tag in constant time, then decrypt.  Returns 0, or
 * TERN_ERR_BAD_RECORD_MAC with out wiped (never plaintext of a forgery). */
TERN_MUST_CHECK int tern_gcm_open(const tern_gcm_key *k, const uint8_t nonce[TERN_GCM_NONCE_LEN],
                                  const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
                                  const uint8_t tag[TERN_GCM_TAG_LEN], uint8_t *out);

/* Name of the implementation k uses ("portable", "aesni+pclmul", "vaes+vpclmul"). */
const char *tern_gcm_impl_name(const tern_gcm_key *k);

#endif
