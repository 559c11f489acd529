/*
 * The TLS 1.2 wire vocabulary: content and handshake types, extension
 * types, group and signature-scheme code points, and the size limits of
 * records, handshake messages and the connection's fixed buffers.  Only
 * constants: no state, no functions.
 */
#ifndef TERN_LIB_WIRE_H
#define TERN_LIB_WIRE_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_WIRE
#error "lib/wire.h is in the wire layer (2): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "crypto/gcm.h"

/* Content types (RFC 5246 §6.2.1), handshake types (§7.4), extension
 * types and groups (RFC 8422, RFC 8446 §4.2.3). */
enum {
    TERN_CT_CHANGE_CIPHER_SPEC = 20,
    TERN_CT_ALERT = 21,
    TERN_CT_HANDSHAKE = 22,
    TERN_CT_APPLICATION_DATA = 23
};
enum {
    TERN_HT_HELLO_REQUEST = 0,
    TERN_HT_CLIENT_HELLO = 1,
    TERN_HT_SERVER_HELLO = 2,
    TERN_HT_NEW_SESSION_TICKET = 4,
    TERN_HT_CERTIFICATE = 11,
    TERN_HT_SERVER_KEY_EXCHANGE = 12,
    TERN_HT_CERTIFICATE_REQUEST = 13,
    TERN_HT_SERVER_HELLO_DONE = 14,
    TERN_HT_CERTIFICATE_VERIFY = 15,
    TERN_HT_CLIENT_KEY_EXCHANGE = 16,
    TERN_HT_FINISHED = 20,
    TERN_HT_CERTIFICATE_STATUS = 22, /* RFC 6066 §8 */
    /* Not a handshake type: ChangeCipherSpec is its own content type, but it
     * sits in the flight order like a message, so the table gives it a row. */
    TERN_HT_CHANGE_CIPHER_SPEC = 0x100
};
enum {
    TERN_EXT_SERVER_NAME = 0,
    TERN_EXT_STATUS_REQUEST = 5, /* RFC 6066 §8 */
    TERN_EXT_SUPPORTED_GROUPS = 10,
    TERN_EXT_EC_POINT_FORMATS = 11,
    TERN_EXT_SIGNATURE_ALGORITHMS = 13,
    TERN_EXT_ALPN = 16,
    TERN_EXT_EXTENDED_MASTER_SECRET = 23,
    TERN_EXT_SESSION_TICKET = 35,
    TERN_EXT_RENEGOTIATION_INFO = 0xff01
};
#define TERN_GROUP_X25519 29
#define TERN_GROUP_SECP256R1 23 /* RFC 8422 §5.1.1; uncompressed points only (lib/kx.c) */
#define TERN_GROUP_SECP384R1 24
/* CertificateStatusType (RFC 6066 §8): the only one defined. */
#define TERN_CERT_STATUS_OCSP 1
#define TERN_SCSV_RENEGOTIATION 0x00ff
#define TERN_TLS12 0x0303

/* Signature schemes (RFC 8446 §4.2.3 code points, which for TLS 1.2 are the
 * SignatureAndHashAlgorithm pairs of RFC 5246 §7.4.1.4.1). */
enum {
    TERN_SIG_RSA_PKCS1_SHA256 = 0x0401,
    TERN_SIG_RSA_PKCS1_SHA384 = 0x0501,
    TERN_SIG_RSA_PKCS1_SHA512 = 0x0601,
    TERN_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
    TERN_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
    TERN_SIG_RSA_PSS_RSAE_SHA512 = 0x0806,
    TERN_SIG_ECDSA_SECP256R1_SHA256 = 0x0403, /* TLS 1.2: (sha256, ecdsa); lib/sig.c */
    TERN_SIG_ECDSA_SECP384R1_SHA384 = 0x0503  /* TLS 1.2: (sha384, ecdsa) */
};

/* Sizes and limits. */
#define TERN_REC_HDR 5
#define TERN_MAX_PLAINTEXT 16384
#define TERN_GCM_EXPLICIT 8
#define TERN_GCM_OVERHEAD (TERN_GCM_EXPLICIT + TERN_GCM_TAG_LEN)
/* RFC 5246 §6.2.3 allows 2^14 + 2048 of ciphertext; RFC 5288's AEAD adds
 * exactly 24 bytes, so a longer GCM record would decrypt to more than 2^14
 * and is refused with record_overflow as soon as its header is seen. */
#define TERN_MAX_CIPHERTEXT (TERN_MAX_PLAINTEXT + TERN_GCM_OVERHEAD)
#define TERN_HS_HDR 4
#define TERN_RANDOM_LEN 32
#define TERN_MASTER_LEN 48
#define TERN_VERIFY_LEN 12
#define TERN_MAX_SIGALGS 32
#define TERN_KX_MAX_PUB 97 /* an uncompressed P-384 point */
#define TERN_KX_MAX_PRIV 48 /* a P-384 scalar */
#define TERN_MAX_CHAIN 8
#define TERN_ALPN_MAX 256
#define TERN_NAME_MAX 256
#define TERN_PEER_STR 256 /* tern_peer_subject / tern_peer_san text */
#define TERN_RENEG_ANSWERS 4 /* no_renegotiation warnings per connection (lib/hs.c); no more than
                               a peer accepts in a row (lib/conn.c and OpenSSL: 4) */

#endif
