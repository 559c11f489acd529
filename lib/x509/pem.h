/*
 * A strict PEM decoder (RFC 7468 textual encoding, with RFC 1421's legacy
 * headers recognised).  A file holds any number of
 *   -----BEGIN LABEL-----  base64 lines  -----END LABEL-----
 * blocks; text outside blocks is ignored.  Inside a block only base64
 * (RFC 4648 §4) and line breaks are allowed (plus trailing spaces/tabs/CR
 * on a line); padding must be exact and the unused bits of the last
 * quantum must be zero.  The legacy encryption headers of RFC 1421 §4.6
 * as OpenSSL writes them (`openssl rsa -aes256`):
 *   Proc-Type: 4,ENCRYPTED
 *   DEK-Info: AES-256-CBC,<IV in hex>
 *   <blank line>
 * are read strictly: exactly these two lines in this order, then one blank
 * line, then the base64 body (the ciphertext).  The block reports
 * .encrypted, the cipher name and the IV; decoding gives the ciphertext
 * (lib/x509/pkcs8.h decrypts it).  Any other header, a Proc-Type other
 * than "4,ENCRYPTED", or a DEK-Info that does not parse sets .hdr_bad and
 * the body does not decode (TERN_ERR_PEM).
 */
#ifndef TERN_X509_PEM_H
#define TERN_X509_PEM_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/pem.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "crypto/common.h"

#define TERN_PEM_MAX_LABEL 64

typedef struct {
    const uint8_t *p; /* rest of the text */
    size_t len;
    size_t line;      /* line number of p, from 1 (for messages) */
} tern_pem_reader;

typedef struct {
    char label[TERN_PEM_MAX_LABEL]; /* e.g. "CERTIFICATE", NUL-terminated */
    const uint8_t *body;            /* the base64 text */
    size_t body_len;
    size_t line;                    /* line of the BEGIN line */
    int encrypted;                  /* a legacy Proc-Type header was seen */
    int hdr_bad;                    /* ... and the headers are not exactly as above */
    char dek_cipher[32];            /* DEK-Info cipher name, e.g. "AES-256-CBC" ("" if none) */
    uint8_t dek_iv[32];             /* DEK-Info IV (dek_iv_len bytes, 1..32) */
    size_t dek_iv_len;
} tern_pem_block;

void tern_pem_init(tern_pem_reader *r, const uint8_t *text, size_t len);

/* Find the next block.  Returns 1 and fills *b; 0 at the end of the text
 * (no further BEGIN line); TERN_ERR_PEM if a BEGIN line has no matching END
 * or is malformed (the reader then stops: further calls return 0).  The
 * base64 body is NOT checked here: tern_pem_decode() does that, so a caller
 * can skip one bad block and go on to the next. */
TERN_MUST_CHECK int tern_pem_next(tern_pem_reader *r, tern_pem_block *b);

/* Upper bound of the decoded size of a block's body. */
size_t tern_pem_decoded_max(const tern_pem_block *b);

/* Decode a block's body into out (cap bytes).  Returns 0 and *outlen, or
 * TERN_ERR_PEM (bad character, bad padding, non-zero pad bits, a header
 * other than the legacy encryption ones, .hdr_bad), TERN_ERR_BUFFER_TOO_SMALL. */
TERN_MUST_CHECK int tern_pem_decode(const tern_pem_block *b, uint8_t *out, size_t cap, size_t *outlen);

/* Strict base64 of a whole buffer (whitespace allowed only as line breaks,
 * i.e. '\n', '\r', and spaces/tabs at the end of a line). */
TERN_MUST_CHECK int tern_base64_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen);

#endif
