/*
 * Signature schemes (lib/sig.c, RFC 5246 §7.4.1.4.1, RFC 8446 §4.2.3):
 * which schemes tern offers and accepts, which fit a key, the choice for a
 * key store, and ECDSA signing and verifying over a digest.
 */
#ifndef TERN_LIB_SIG_H
#define TERN_LIB_SIG_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_RECORD_KEYS
#error "lib/sig.h is in the record and keys layer (4): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"

/* What a client offers, in order. */
extern const uint16_t tern_sigalgs_offer[8];
/* 1 when scheme is in tern_sigalgs_offer (what tern offers and accepts). */
int tern_sig_offered(uint16_t scheme);
/* 1 (and *hash, when hash is not NULL) when scheme can be made with a key
 * of this type: ECDSA schemes with EC keys on either curve (TLS 1.2 binds
 * no curve), rsa_pkcs1_* / rsa_pss_rsae_* with RSA keys. */
int tern_sig_fits_key(uint16_t scheme, tern_x509_key_type type, tern_hash_alg *hash);
/* 1 and *hash when scheme is an ECDSA scheme tern handles, else 0. */
int tern_sig_is_ecdsa(uint16_t scheme, tern_hash_alg *hash);
/* The scheme to sign with for key store ks from the peer's list (our
 * preference order), or 0 when none fits the key. */
uint16_t tern_sig_choose(const tern_keystore *ks, const uint16_t *peer, size_t npeer);
/* A DigitallySigned (RFC 5246 §4.7): the scheme, then ks's signature of
 * digest (already the hash of scheme's) as opaque<0..2^16-1>: ECDSA for an
 * EC key store, RSASSA-PSS or PKCS#1 v1.5 as the scheme says for RSA. */
TERN_MUST_CHECK int tern_sig_write(const tern_conn *c, const tern_keystore *ks, uint16_t scheme,
                                   const uint8_t *digest, tern_writer *w);
/* Check sig, made under scheme over digest (already the hash of scheme's),
 * with the peer's certificate key (hs_state: peer_ec on P-256 or P-384,
 * or peer_rsa), which the scheme must fit (the caller checked).  0, or a
 * negative error (TERN_ERR_BAD_SIGNATURE for a signature that does not
 * verify).  The trace is told the verdict (type: the message, TERN_HT_*). */
TERN_MUST_CHECK int tern_sig_verify(tern_conn *c, int type, uint16_t scheme, const uint8_t *digest, const uint8_t *sig,
                                    size_t siglen);
/* Signature schemes tern can use with an RSA key, in our preference order. */
extern const uint16_t tern_sigalgs_rsa[6];
/* The hash and padding of a signature scheme: 1 for PSS, 0 for PKCS#1 v1.5,
 * negative if unsupported. */
int tern_sigalg_info(uint16_t scheme, tern_hash_alg *hash);

#endif
