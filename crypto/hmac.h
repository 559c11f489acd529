/*
 * HMAC (RFC 2104) over SHA-256/384/512 (and SHA-1/MD5, for key stores),
 * and the TLS 1.2 PRF (RFC 5246 §5).
 *
 * A key is set up once into inner and outer hash states (keys longer than
 * a block are hashed first), so each MAC costs only the message blocks plus
 * two finalisations.  Every context that saw the key is wiped by final()
 * or tern_hmac_key_wipe().
 */
#ifndef TERN_CRYPTO_HMAC_H
#define TERN_CRYPTO_HMAC_H

#include "crypto/sha2.h"

/* A prepared key: the hash states after absorbing key^ipad and key^opad. */
typedef struct {
    tern_hash_ctx inner;
    tern_hash_ctx outer;
} tern_hmac_key;

/* A running MAC: a copy of the inner state being fed the message. */
typedef struct {
    tern_hash_ctx inner;
    tern_hash_ctx outer;
} tern_hmac_ctx;

/* Prepare key (keylen bytes, any length; NULL only with keylen 0) for
 * HMAC-alg.  0, TERN_ERR_UNSUPPORTED for an unknown alg, or
 * TERN_ERR_INVALID_ARG; on failure *k is wiped.  k holds key-derived
 * secrets: wipe it with tern_hmac_key_wipe() when done. */
TERN_MUST_CHECK int tern_hmac_key_init(tern_hmac_key *k, tern_hash_alg alg, const uint8_t *key, size_t keylen);
void tern_hmac_key_wipe(tern_hmac_key *k);
/* Start a MAC from a prepared key; k is only read, so one key serves any
 * number of MACs (also from several threads, each with its own ctx). */
void tern_hmac_start(tern_hmac_ctx *ctx, const tern_hmac_key *k);
void tern_hmac_update(tern_hmac_ctx *ctx, const void *data, size_t len);
/* Writes tern_hash_len(alg) bytes and wipes ctx.  Compare a received tag
 * with tern_ct_memeq(), never memcmp(). */
void tern_hmac_final(tern_hmac_ctx *ctx, uint8_t *out);
/* One shot: out gets tern_hash_len(alg) bytes.  Errors as key_init, and
 * TERN_ERR_INVALID_ARG for msg NULL with msglen > 0. */
TERN_MUST_CHECK int tern_hmac(tern_hash_alg alg, const uint8_t *key, size_t keylen, const void *msg,
                              size_t msglen, uint8_t *out);

/* TLS 1.2 PRF: out = P_<alg>(secret, label || seed1 || seed2), outlen bytes
 * of any length.  label is ASCII without its NUL ("master secret"); seed2
 * may be NULL/0 (TLS seeds are often client_random || server_random).
 * alg is TERN_HASH_SHA256 or TERN_HASH_SHA384 (SHA-512 also works; no TLS
 * 1.2 suite uses it).  TERN_ERR_UNSUPPORTED for an unknown alg, and for
 * MD5 and SHA-1 (no TLS 1.2 PRF). */
TERN_MUST_CHECK int tern_tls12_prf(tern_hash_alg alg, const uint8_t *secret, size_t secretlen, const char *label,
                                   const uint8_t *seed1, size_t seed1len, const uint8_t *seed2, size_t seed2len,
                                   uint8_t *out, size_t outlen);

#endif
