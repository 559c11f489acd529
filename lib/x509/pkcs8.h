/*
 * Password-encrypted private keys:
 *   - EncryptedPrivateKeyInfo (RFC 5958 §3) under PBES2 (RFC 8018 §6.2,
 *     Appendix A.4) with PBKDF2 (HMAC-SHA-1/256/384/512) and AES-128/192/256-CBC:
 *     "-----BEGIN ENCRYPTED PRIVATE KEY-----", what `openssl genpkey -aes256`
 *     and `openssl pkcs8 -topk8 -v2 ...` write;
 *   - OpenSSL's legacy PEM encryption ("Proc-Type: 4,ENCRYPTED",
 *     "DEK-Info: AES-256-CBC,<IV>", key = EVP_BytesToKey-MD5 of the password
 *     and the first 8 bytes of the IV) over "RSA PRIVATE KEY" / "EC PRIVATE
 *     KEY", for AES only.
 * Every other scheme (PBES1, PKCS#12 PBE, PBES2 with DES/3DES/RC2, scrypt,
 * legacy DES-EDE3-CBC) is refused with a sentence that names it and the
 * openssl command that re-encrypts the key with AES.
 *
 * A wrong password is told from a right one by the CBC padding and the
 * outer structure of the plaintext (a DER SEQUENCE of exactly the
 * decrypted length starting with a one-byte INTEGER version 0 or 1),
 * computed without a branch on the plaintext; that verdict is the one
 * branch (tests/ctgrind/ct_pkcs8.c).  The caller then parses the key.
 */
#ifndef TERN_X509_PKCS8_H
#define TERN_X509_PKCS8_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/pkcs8.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "crypto/common.h"
#include "lib/x509/pem.h"

/* Test hook for tests/ctgrind/ct_pkcs8.c: when set, it is called on the
 * padding/structure verdict, and on success on the plaintext length, just
 * before tern branches on them (the one allowed branch), so that the
 * constant-time checker can mark them public.  NULL in normal use. */
extern void (*tern_pkcs8_ct_public)(const void *p, size_t n);

/* The largest ciphertext accepted (a private key is a few kilobytes). */
#define TERN_PKCS8_MAX_CIPHERTEXT (1u << 20)

/* Decrypt an EncryptedPrivateKeyInfo (RFC 5958 §3; PBES2 = RFC 8018 §6.2 with PBKDF2 and
 * AES-128/192/256-CBC). *out gets a malloc'd PrivateKeyInfo DER (*outlen), which the caller
 * wipes and frees. 0, or a TERN_ERR_* with a sentence in msg (msgcap bytes): wrong password
 * (TERN_ERR_DECRYPT_FAILED), unsupported scheme (TERN_ERR_UNSUPPORTED, naming it and the
 * openssl command that re-encrypts with AES), an iteration count above
 * TERN_PBKDF_MAX_ITERATIONS (TERN_ERR_LIMIT), malformed (TERN_ERR_DECODE). */
TERN_MUST_CHECK int tern_pkcs8_decrypt(const uint8_t *der, size_t len, const uint8_t *pw, size_t pwlen,
                                       uint8_t **out, size_t *outlen, char *msg, size_t msgcap);

/* Decrypt ct (ctlen bytes) under the encryption AlgorithmIdentifier alg (its whole DER TLV):
 * PBES2 as above, the same refusals.  Only the padding is checked (PKCS#12's encrypted
 * SafeContents, RFC 7292 §4.1, are not a private key).  Returns as tern_pkcs8_decrypt. */
TERN_MUST_CHECK int tern_pbes2_decrypt(const uint8_t *alg, size_t alglen, const uint8_t *ct, size_t ctlen,
                                       const uint8_t *pw, size_t pwlen, uint8_t **out, size_t *outlen, char *msg,
                                       size_t msgcap);

/* Without a password: 0 when tern could decrypt this key given one, else the refusal
 * tern_pkcs8_decrypt / tern_pem_legacy_decrypt would give (same codes and sentences), so
 * that a key nobody could read is not answered with "needs a password". */
TERN_MUST_CHECK int tern_pkcs8_readable(const uint8_t *der, size_t len, char *msg, size_t msgcap);
TERN_MUST_CHECK int tern_pem_legacy_readable(const tern_pem_block *b, char *msg, size_t msgcap);

/* Decrypt a legacy-encrypted PEM block (b->encrypted; "RSA PRIVATE KEY" gives an
 * RSAPrivateKey, "EC PRIVATE KEY" an ECPrivateKey).  Returns as tern_pkcs8_decrypt;
 * TERN_ERR_PEM when the headers or the base64 are malformed. */
TERN_MUST_CHECK int tern_pem_legacy_decrypt(const tern_pem_block *b, const uint8_t *pw, size_t pwlen, uint8_t **out,
                                            size_t *outlen, char *msg, size_t msgcap);

/* What an EncryptedPrivateKeyInfo (tern_pkcs8_describe) or a PBES2
 * AlgorithmIdentifier TLV (tern_pbes2_describe) is encrypted with, read
 * without a password, for showing a file (tools/tern_inspect.c): 0 and
 * "PBES2 (RFC 8018): PBKDF2 with hmacWithSHA256, 2048 iterations, salt of 8
 * salt; AES-256-CBC" in out (cap bytes), or the refusal decryption would
 * give (TERN_ERR_UNSUPPORTED, TERN_ERR_LIMIT, TERN_ERR_DECODE) with its
 * sentence in out. */
TERN_MUST_CHECK int tern_pkcs8_describe(const uint8_t *der, size_t len, char *out, size_t cap);
TERN_MUST_CHECK int tern_pbes2_describe(const uint8_t *alg, size_t alglen, char *out, size_t cap);

#endif
