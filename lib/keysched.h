/*
 * The key schedule (lib/keysched.c): the master secret (RFC 5246 §8.1,
 * RFC 7627 §4), the key block (RFC 5246 §6.3), switching a direction's
 * protection on, and Finished's verify_data (RFC 5246 §7.4.9); with the
 * transcript hash they are computed over.
 */
#ifndef TERN_LIB_KEYSCHED_H
#define TERN_LIB_KEYSCHED_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_RECORD_KEYS
#error "lib/keysched.h is in the record and keys layer (4): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"

/* master_secret from the premaster: RFC 7627 §4 (extended, over the session
 * hash) when c->ems, else RFC 5246 §8.1. */
TERN_MUST_CHECK int tern_ks_master(tern_conn *c);
/* key_block (RFC 5246 §6.3) into c->hs_state->key_block. */
TERN_MUST_CHECK int tern_ks_key_block(tern_conn *c);
/* Master secret and key block, once (later calls do nothing).  Called at
 * the first CCS, or earlier by CertificateVerify: RFC 7627 §4's session
 * hash ends at ClientKeyExchange. */
TERN_MUST_CHECK int tern_ks_prepare(tern_conn *c);
/* Activate protection for our writes (CCS sent) or reads (CCS received). */
TERN_MUST_CHECK int tern_ks_activate(tern_conn *c, int for_write);
/* verify_data (RFC 5246 §7.4.9) of `side`'s Finished over the current transcript. */
TERN_MUST_CHECK int tern_ks_verify_data(tern_conn *c, enum tern_side side, uint8_t out[TERN_VERIFY_LEN]);
/* The raw derivations, for tests against published traces. */
TERN_MUST_CHECK int tern_ks_derive_master(tern_hash_alg prf, const uint8_t *pms, size_t pms_len, int ems,
                                          const uint8_t *client_random, const uint8_t *server_random,
                                          const uint8_t *session_hash, size_t session_hash_len,
                                          uint8_t master[TERN_MASTER_LEN]);
TERN_MUST_CHECK int tern_ks_derive_key_block(tern_hash_alg prf, const uint8_t master[TERN_MASTER_LEN],
                                             const uint8_t *client_random, const uint8_t *server_random,
                                             uint8_t *out, size_t len);
TERN_MUST_CHECK int tern_ks_derive_verify(tern_hash_alg prf, const uint8_t master[TERN_MASTER_LEN], enum tern_side side,
                                          const uint8_t *hash, size_t hash_len, uint8_t out[TERN_VERIFY_LEN]);

/* The handshake transcript (kept in tern_hs_state; messages are added by
 * lib/hs.c, which knows when each hash may be dropped).  The current
 * transcript hash (of the suite's PRF hash). */
size_t tern_ks_transcript_hash(const tern_conn *c, uint8_t out[TERN_HASH_MAX_LEN]);
/* The current transcript hash under alg: its length, or TERN_ERR_INTERNAL
 * when that hash is not kept (any more). */
TERN_MUST_CHECK int tern_ks_transcript_hash_alg(const tern_conn *c, tern_hash_alg alg,
                                                uint8_t out[TERN_HASH_MAX_LEN]);

#endif
