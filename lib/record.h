/*
 * The record layer (RFC 5246 §6.2): records written into and read from
 * the connection's buffers (lib/record.c), and their protection by the
 * suite's AEAD: AES-GCM (lib/record_gcm.c, RFC 5288) or
 * ChaCha20-Poly1305 (lib/record_chacha.c, RFC 7905), chosen per direction
 * (lib/record_aead.c).
 */
#ifndef TERN_LIB_RECORD_H
#define TERN_LIB_RECORD_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_RECORD_KEYS
#error "lib/record.h is in the record and keys layer (4): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"

/* Queue one record of `type` with len plaintext bytes (protected when the
 * write direction is on).  TERN_ERR_BUFFER_TOO_SMALL when the output buffer
 * lacks room (the caller flushes first). */
TERN_MUST_CHECK int tern_rec_write(tern_conn *c, uint8_t type, const uint8_t *p, size_t len);
/* Room in the output buffer for a record of len plaintext bytes? */
int tern_rec_fits(const tern_conn *c, size_t len);
/* Make the next record's plaintext available in c->rec_p / rec_left /
 * rec_type.  Returns 0, TERN_WANT_READ when more transport bytes are
 * needed, or a fatal error. */
TERN_MUST_CHECK int tern_rec_next(tern_conn *c);
/* Mark the current record consumed. */
void tern_rec_done(tern_conn *c);
/* Bytes in front of a record's plaintext: header, plus the explicit nonce
 * when the write direction is protected. */
size_t tern_rec_prefix(const tern_conn *c);
/* Bytes after a record's plaintext (the tag when protected). */
size_t tern_rec_suffix(const tern_conn *c);
/* Close a record whose len plaintext bytes are already in place at
 * rec + tern_rec_prefix(c): write the header, seal when protected. */
TERN_MUST_CHECK int tern_rec_close(tern_conn *c, uint8_t type, uint8_t *rec, size_t len);
/* Queue an alert (ignores lack of room: alerts are best effort). */
void tern_rec_alert(tern_conn *c, int level, int desc);
/* Give a direction its AES-GCM key storage (room bytes, 16-byte aligned). */
void tern_rec_dir_init(tern_rec_dir *d, tern_gcm_key *storage, size_t room);
/* Turn AES-GCM protection on for one direction from key and salt
 * (lib/record_gcm.c, RFC 5288 §3). */
TERN_MUST_CHECK int tern_rec_gcm_on(tern_rec_dir *d, const uint8_t *key, size_t keylen, const uint8_t salt[4]);
/* Seal in place: buf holds hdr(5) || explicit(8) || plaintext(len) || room for
 * the tag; fills explicit nonce, ciphertext, tag and the header length. */
TERN_MUST_CHECK int tern_rec_gcm_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain,
                                      size_t len);
/* Open in place: rec is hdr(5) || payload(len).  On success *plain points at
 * the plaintext inside rec and *plen is its length. */
TERN_MUST_CHECK int tern_rec_gcm_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain,
                                      size_t *plen);
void tern_rec_wipe(tern_rec_dir *d);

/* Record protection by the suite's AEAD (lib/record_aead.c): turn it on
 * from key and IV (4 bytes for AES-GCM, 12 for ChaCha20-Poly1305), and
 * seal / open with the direction's AEAD.  Explicit nonce bytes in front
 * of the ciphertext: 8 (AES-GCM) or 0 (ChaCha20-Poly1305, RFC 7905). */
TERN_MUST_CHECK int tern_rec_aead_on(tern_rec_dir *d, enum tern_aead aead, const uint8_t *key, size_t keylen,
                                     const uint8_t *iv);
size_t tern_rec_explicit_len(const tern_rec_dir *d);
size_t tern_suite_iv_len(const tern_suite *s);
TERN_MUST_CHECK int tern_rec_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain, size_t len);
TERN_MUST_CHECK int tern_rec_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain,
                                  size_t *plen);
/* ChaCha20-Poly1305 records (lib/record_chacha.c, RFC 7905 §2): the
 * payload is ciphertext || tag, the nonce IV XOR the sequence number. */
TERN_MUST_CHECK int tern_rec_chacha_on(tern_rec_dir *d, const uint8_t key[32], const uint8_t iv[12]);
TERN_MUST_CHECK int tern_rec_chacha_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain,
                                         size_t len);
TERN_MUST_CHECK int tern_rec_chacha_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain,
                                         size_t *plen);

#endif
