/*
 * ChaCha20, Poly1305 and the ChaCha20-Poly1305 AEAD (RFC 8439 §2.3-§2.8).
 *
 * The AEAD takes a 32-byte key and a 12-byte nonce; building the nonce
 * from the record sequence number (RFC 7905 §2) is the record layer's job.
 * There is no key schedule, so there is no key struct: each call takes the
 * raw key.  No allocation.  in and out may be the same buffer (in place),
 * but must not otherwise overlap.
 *
 * ChaCha20 and Poly1305 each have a portable constant-time implementation
 * (always built and tested) and an AVX2 one (crypto/chacha20_avx2.c: eight
 * blocks at a time; crypto/poly1305_avx2.c: eight lanes in radix 2^26),
 * chosen per call from tern_cpu() for long enough inputs.  All are constant
 * time: ChaCha20 is only additions, rotations and xors on the key, and
 * Poly1305 uses fixed-size limb arithmetic with no data-dependent branch.
 */
#ifndef TERN_CRYPTO_CHACHA20POLY1305_H
#define TERN_CRYPTO_CHACHA20POLY1305_H

#include "crypto/common.h"

#define TERN_CHACHA20_KEY_LEN 32
#define TERN_CHACHA20_NONCE_LEN 12
#define TERN_CHACHA20_BLOCK_LEN 64
#define TERN_POLY1305_KEY_LEN 32
#define TERN_POLY1305_TAG_LEN 16
#define TERN_CHACHA20POLY1305_KEY_LEN 32
#define TERN_CHACHA20POLY1305_NONCE_LEN 12
#define TERN_CHACHA20POLY1305_TAG_LEN 16
/* RFC 8439 §2.8: the 32-bit block counter starts at 1 for the payload, so
 * at most 2^32 - 1 blocks of 64 bytes can be encrypted under one nonce. */
#define TERN_CHACHA20POLY1305_MAX_LEN ((uint64_t)0xffffffffu * 64u)

/* ---- ChaCha20 (RFC 8439 §2.3, §2.4) ---- */

/* out = in XOR the ChaCha20 key stream for (key, nonce) starting at block
 * `counter`.  The 32-bit counter wraps after 2^32 blocks; callers must not
 * ask for that many (the AEAD checks).  Chooses the AVX2 path when usable. */
void tern_chacha20_xor(const uint8_t key[TERN_CHACHA20_KEY_LEN], uint32_t counter,
                       const uint8_t nonce[TERN_CHACHA20_NONCE_LEN], const uint8_t *in, uint8_t *out, size_t len);

/* The portable path, always available (tests call it directly too). */
void tern_chacha20_xor_portable(const uint8_t key[TERN_CHACHA20_KEY_LEN], uint32_t counter,
                                const uint8_t nonce[TERN_CHACHA20_NONCE_LEN], const uint8_t *in, uint8_t *out,
                                size_t len);

/* Internal: the AVX2 path (crypto/chacha20_avx2.c).  Processes nblocks8
 * groups of 8 blocks (512 bytes each) of in into out, starting from the
 * 16-word input state `state` (RFC 8439 §2.3 layout; word 12 is the block
 * counter, advanced by 8 per group).  Only call after tern_cpu_has(AVX2). */
void tern_chacha20_blocks8_avx2(const uint32_t state[16], const uint8_t *in, uint8_t *out, size_t nblocks8);

/* The implementation tern_chacha20_xor() would use now: "avx2" or "portable". */
const char *tern_chacha20_impl_name(void);

/* ---- Poly1305 (RFC 8439 §2.5) ---- */

/* The state: the accumulator and r in radix 2^44 (44 + 44 + 42 bits), the
 * pad s, and a partial block.  Private to crypto/poly1305.c. */
typedef struct {
    uint64_t r[3];
    uint64_t h[3];
    uint64_t pad[2];
    uint8_t buf[16];
    size_t buflen;
} tern_poly1305_ctx;

/* Internal: the AVX2 eight-lane path (crypto/poly1305_avx2.c).  Absorbs
 * nblocks full 16-byte blocks (a multiple of 8, at least 8) into h, both h
 * and the clamped r in the radix-2^44 form of tern_poly1305_ctx.  Only call
 * after tern_cpu_has(TERN_CPU_AVX2). */
void tern_poly1305_blocks_avx2(uint64_t h[3], const uint64_t r[3], const uint8_t *m, size_t nblocks);

/* key is the 32-byte one-time key r || s; r is clamped here. */
void tern_poly1305_init(tern_poly1305_ctx *ctx, const uint8_t key[TERN_POLY1305_KEY_LEN]);
void tern_poly1305_update(tern_poly1305_ctx *ctx, const uint8_t *data, size_t len);
/* Writes the 16-byte tag and wipes ctx. */
void tern_poly1305_final(tern_poly1305_ctx *ctx, uint8_t tag[TERN_POLY1305_TAG_LEN]);
/* One shot. */
void tern_poly1305(uint8_t tag[TERN_POLY1305_TAG_LEN], const uint8_t key[TERN_POLY1305_KEY_LEN], const uint8_t *msg,
                   size_t len);

/* ---- ChaCha20-Poly1305 AEAD (RFC 8439 §2.8) ---- */

/* Encrypt len bytes of in into out and compute the 16-byte tag over aad and
 * the ciphertext.  Returns 0, or TERN_ERR_INVALID_ARG (nothing written) when
 * len exceeds TERN_CHACHA20POLY1305_MAX_LEN. */
TERN_MUST_CHECK int tern_chacha20poly1305_seal(const uint8_t key[TERN_CHACHA20POLY1305_KEY_LEN],
                                               const uint8_t nonce[TERN_CHACHA20POLY1305_NONCE_LEN],
                                               const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
                                               uint8_t *out, uint8_t tag[TERN_CHACHA20POLY1305_TAG_LEN]);

/* Check the tag over aad and the ciphertext in constant time and decrypt
 * len bytes of in into out.  Returns 0, or TERN_ERR_BAD_RECORD_MAC with out
 * zeroed (never plaintext of a forgery; when in == out the ciphertext is
 * gone too).  No branch depends on the tag comparison: the plaintext is
 * masked with it.  A len over TERN_CHACHA20POLY1305_MAX_LEN fails the same
 * way without writing out.  The argument order matches tern_gcm_open(). */
TERN_MUST_CHECK int tern_chacha20poly1305_open(const uint8_t key[TERN_CHACHA20POLY1305_KEY_LEN],
                                               const uint8_t nonce[TERN_CHACHA20POLY1305_NONCE_LEN],
                                               const uint8_t *aad, size_t aadlen, const uint8_t *in, size_t len,
                                               const uint8_t tag[TERN_CHACHA20POLY1305_TAG_LEN], uint8_t *out);

#endif
