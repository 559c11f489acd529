/*
 * The names of the wire's code points, in one table each (lib/names.c):
 * handshake messages (RFC 5246 §7.4), extensions (IANA "TLS ExtensionType
 * Values"), named groups (RFC 8422 §5.1.1, RFC 7748) and signature schemes
 * (RFC 8446 §4.2.3).  The trace, error messages and the handshake table use
 * these instead of their own copies.  Each returns NULL for a code point
 * it does not know (the caller prints the number then), except where said.
 */
#ifndef TERN_LIB_NAMES_H
#define TERN_LIB_NAMES_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_WIRE
#error "lib/names.h is in the wire layer (2): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include <stdint.h>

/* "ClientHello" ... "Finished", "ChangeCipherSpec" for TERN_HT_CHANGE_CIPHER_SPEC. */
const char *tern_name_handshake(int type);
/* Never NULL: the name, or "an unknown handshake message" (for sentences). */
const char *tern_name_handshake_text(int type);
/* The RFC section that defines the message: "RFC 5246 7.4.1.2". */
const char *tern_name_handshake_rfc(int type);
/* "server_name", "supported_groups", ... */
const char *tern_name_extension(uint16_t type);
/* "x25519", "secp256r1", "secp384r1", ... */
const char *tern_name_group(uint16_t group);
/* "rsa_pss_rsae_sha256", "ecdsa_secp256r1_sha256", ... */
const char *tern_name_sigscheme(uint16_t scheme);
/* ClientCertificateType (RFC 5246 §7.4.4, RFC 8422 §5.5): "rsa_sign", "ecdsa_sign". */
#define TERN_CERT_TYPE_RSA_SIGN 1
#define TERN_CERT_TYPE_ECDSA_SIGN 64
const char *tern_name_cert_type(uint8_t type);
/* The IANA name of a cipher suite, also of ones tern does not implement
 * (a peer's offer is shown by name): "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256". */
const char *tern_name_suite(uint16_t id);

#endif
