/*
 * AES-CBC (NIST SP 800-38A §6.2) for stored encrypted keys: encrypted
 * PKCS#8 (PBES2, RFC 8018 §6.2), PKCS#12 and legacy PEM ("DEK-Info")
 * private keys.  Not used by the TLS record layer (tern offers no CBC
 * cipher suites).  Raw CBC without padding, plus the PKCS#7 padding check
 * a caller applies after decrypting.
 *
 * Constant-time in the key, the IV and the data: the portable path is the
 * bitsliced AES of crypto/aes.c (inverse cipher included); on x86-64 with
 * AES-NI the path is crypto/aes_cbc_aesni.c.  The path is chosen from
 * tern_cpu() on each call (TERN_CPU=portable forces the portable one).
 */
#ifndef TERN_CRYPTO_AES_CBC_H
#define TERN_CRYPTO_AES_CBC_H

#include "crypto/common.h"

/* AES-CBC (SP 800-38A §6.2), keylen 16, 24 or 32, len a multiple of 16 (in == out allowed).
 * No padding handling. 0 or TERN_ERR_INVALID_ARG. Constant-time in key and data. */
TERN_MUST_CHECK int tern_aes_cbc_encrypt(const uint8_t *key, size_t keylen, const uint8_t iv[16],
                                         const uint8_t *in, size_t len, uint8_t *out);
TERN_MUST_CHECK int tern_aes_cbc_decrypt(const uint8_t *key, size_t keylen, const uint8_t iv[16],
                                         const uint8_t *in, size_t len, uint8_t *out);

/* PKCS#7 padding (RFC 5652 §6.3) of a decrypted buffer, checked without a
 * branch or index on the pad bytes: 0 and *outlen (len minus the padding),
 * or TERN_ERR_DECRYPT_FAILED (a wrong password, usually) when the last byte
 * is not 1..16 or the bytes it covers are not all equal to it, or when len
 * is 0 or not a multiple of the block size (16).  NULL pointers:
 * TERN_ERR_INVALID_ARG.  *outlen is written in every case (0 on failure).
 * The only data-dependent result is which of 0 / TERN_ERR_DECRYPT_FAILED
 * comes back (and, on success, *outlen). */
TERN_MUST_CHECK int tern_cbc_unpad(const uint8_t *buf, size_t len, size_t *outlen);

/* The implementation the next call would use: "aesni" or "portable"
 * (tests check that TERN_CPU picks what they ask for). */
const char *tern_aes_cbc_impl_name(void);

#endif
