/*
 * Password-based key derivation for key stores: PBKDF2 (RFC 8018 §5.2,
 * PBES2 in encrypted PKCS#8 and PKCS#12), the PKCS#12 KDF (RFC 7292
 * Appendix B.2, legacy PKCS#12 encryption and MACs) and OpenSSL's
 * EVP_BytesToKey with MD5 (legacy PEM "DEK-Info" encryption).
 *
 * All three are constant time in the password (and in what they derive):
 * no branch or memory index depends on it; lengths, salts and iteration
 * counts are public (they are stored in the clear in the file).  Every
 * intermediate is wiped with tern_wipe.  A failed call leaves out zeroed.
 */
#ifndef TERN_CRYPTO_PBKDF_H
#define TERN_CRYPTO_PBKDF_H

#include "crypto/sha2.h"

/* The largest iteration count accepted from a file; above it the
 * functions return TERN_ERR_LIMIT.  The count comes from the (possibly
 * hostile) file, and the work is linear in it, so it must be bounded.
 *
 * Measured on the development machine (AMD EPYC, 2 shared cores; -O2;
 * portable SHA-1, SHA-NI SHA-256, AVX2 SHA-384/512), per million
 * iterations of one output block:
 *   PBKDF2-HMAC-SHA-1 0.82 s, -SHA-256 0.19 s, -SHA-384 0.9-1.25 s,
 *   -SHA-512 0.85 s; the PKCS#12 KDF 0.25 s (SHA-1) to 0.41 s (SHA-512).
 * Real files use 2048 (OpenSSL's default), 10,000 (Java keytool),
 * 100,000-600,000 (OWASP's PBKDF2-HMAC-SHA-256 advice: 600,000) and up to
 * 1,300,000 (OWASP's PBKDF2-HMAC-SHA-1 advice).  2,000,000 admits all of
 * them and keeps a hostile file's worst single derivation near 2.5 s
 * (SHA-384/512, one block); a 256-bit key from PBKDF2-HMAC-SHA-1 takes two
 * blocks (about 3.3 s).  Callers derive a key of a few dozen bytes: the
 * output length multiplies the work too. */
#define TERN_PBKDF_MAX_ITERATIONS 2000000u

/* The PKCS#12 KDF hashes the salt and the password on every iteration, so
 * both are bounded too (TERN_ERR_LIMIT above): real salts are 8-20 bytes,
 * real BMPString passwords a few dozen. */
#define TERN_PBKDF_MAX_INPUT_LEN 1024u

/* PBKDF2 (RFC 8018 §5.2) with HMAC-prf (SHA1, SHA256, SHA384, SHA512).
 * pw/salt may be NULL only with length 0.  0, TERN_ERR_INVALID_ARG (zero
 * iterations, zero output, output longer than RFC 8018 allows),
 * TERN_ERR_UNSUPPORTED (another prf, MD5 included), TERN_ERR_LIMIT
 * (iterations above TERN_PBKDF_MAX_ITERATIONS). */
TERN_MUST_CHECK int tern_pbkdf2(tern_hash_alg prf, const uint8_t *pw, size_t pwlen,
                                const uint8_t *salt, size_t saltlen, uint32_t iterations,
                                uint8_t *out, size_t outlen);
/* RFC 7292 Appendix B.2: id 1 = key, 2 = IV, 3 = MAC key. pw is the BMPString password
 * (UTF-16BE with the two-zero-byte terminator; an empty password is just 00 00).
 * alg: SHA1, SHA256, SHA384 or SHA512 (v = its block size, u = its output).
 * bmp_pwlen 0 means no password at all (P empty, as OpenSSL's NULL password).
 * Errors as tern_pbkdf2, and TERN_ERR_LIMIT for a salt or password longer
 * than TERN_PBKDF_MAX_INPUT_LEN, TERN_ERR_INVALID_ARG for another id. */
TERN_MUST_CHECK int tern_pkcs12_kdf(tern_hash_alg alg, uint8_t id, const uint8_t *bmp_pw, size_t bmp_pwlen,
                                    const uint8_t *salt, size_t saltlen, uint32_t iterations,
                                    uint8_t *out, size_t outlen);
/* OpenSSL's EVP_BytesToKey with MD5 and one iteration (legacy PEM encryption, "DEK-Info"):
 * salt is the first 8 bytes of the IV.  D_1 = MD5(pw || salt),
 * D_i = MD5(D_{i-1} || pw || salt); key = the first keylen bytes of
 * D_1 || D_2 || ....  0, or TERN_ERR_INVALID_ARG (keylen 0, NULL pointers). */
TERN_MUST_CHECK int tern_evp_bytes_to_key_md5(const uint8_t *pw, size_t pwlen, const uint8_t salt[8],
                                              uint8_t *key, size_t keylen);

#endif
