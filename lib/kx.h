/*
 * The ECDHE groups (lib/kx.c, RFC 8422, RFC 7748): x25519, secp256r1 and
 * secp384r1; the server's choice, key generation and agreement.
 */
#ifndef TERN_LIB_KX_H
#define TERN_LIB_KX_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_RECORD_KEYS
#error "lib/kx.h is in the record and keys layer (4): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/conn.h"

/* The groups of a configuration in preference order, 0-terminated. */
const uint16_t *tern_kx_groups(const tern_config *cfg);
/* The public value length of a group (32, 65 or 97), 0 if unknown. */
size_t tern_kx_pub_len(uint16_t group);
/* "x25519", "secp256r1", "secp384r1" (for messages and traces). */
const char *tern_kx_group_name(uint16_t group);
/* A fresh ephemeral key pair for hs_state.group into kx_priv / kx_pub. */
TERN_MUST_CHECK int tern_kx_keygen(tern_conn *c);
/* premaster = ECDH(kx_priv, peer) for hs_state.group; kx_priv is wiped.
 * A share of the wrong length fails the connection with decode_error; one
 * off the curve or giving an all-zero x25519 secret with illegal_parameter. */
TERN_MUST_CHECK int tern_kx_agree(tern_conn *c, const uint8_t *peer, size_t len);

#endif
