/*
 * The cipher-suite table (RFC 5289 §3.2 for the ECDHE_RSA AES-GCM suites,
 * RFC 5288 §3 for AES-GCM in TLS).  A suite is a row here: adding one
 * (the RSA key exchange of 0x009C/0x009D, ChaCha20) is a new row plus its
 * record protection, never a macro.
 */
#define TERN_LAYER TERN_LAYER_WIRE
#include <string.h>

#include "lib/suites.h"

static const tern_suite suites[] = {
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", TERN_KX_ECDHE_RSA,
     TERN_HASH_SHA256, 16, TERN_AEAD_AES_GCM},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", TERN_KX_ECDHE_RSA,
     TERN_HASH_SHA384, 32, TERN_AEAD_AES_GCM},
    /* RSA key transport (RFC 5246 §7.4.7.1, RFC 5288 §3): no forward
     * secrecy, so off by default on both sides (tern_config_set_cipher_suites
     * enables them) and, when enabled, a server picks them only when the
     * client offers no ECDHE suite it can use (lib/negotiate.c). */
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", TERN_KX_RSA, TERN_HASH_SHA256, 16,
     TERN_AEAD_AES_GCM},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", TERN_KX_RSA, TERN_HASH_SHA384, 32,
     TERN_AEAD_AES_GCM},
    /* ECDHE with an ECDSA certificate (RFC 8422 §6, RFC 5289 §3.2), and
     * ChaCha20-Poly1305 (RFC 7905 §2: SHA-256 PRF, 32-byte key, 12-byte IV). */
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256", TERN_KX_ECDHE_ECDSA,
     TERN_HASH_SHA256, 16, TERN_AEAD_AES_GCM},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384", TERN_KX_ECDHE_ECDSA,
     TERN_HASH_SHA384, 32, TERN_AEAD_AES_GCM},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-RSA-CHACHA20-POLY1305", TERN_KX_ECDHE_RSA,
     TERN_HASH_SHA256, 32, TERN_AEAD_CHACHA20_POLY1305},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305", TERN_KX_ECDHE_ECDSA,
     TERN_HASH_SHA256, 32, TERN_AEAD_CHACHA20_POLY1305},
};

/* Server preference and client offer order: AES-128 first (as fast, and
 * 128-bit security matches X25519 and RSA-2048 anyway), then AES-256, then
 * ChaCha20-Poly1305; each with ECDSA before RSA.  A server uses only the
 * suites its certificate's key can serve, so the interleaving costs an RSA
 * server nothing. */
const uint16_t tern_suite_defaults[] = {0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0};

tern_x509_key_type tern_suite_key_type(const tern_suite *s) {
    return s->kx == TERN_KX_ECDHE_ECDSA ? TERN_X509_KEY_EC : TERN_X509_KEY_RSA;
}

int tern_suite_is_ecdhe(const tern_suite *s) {
    return s->kx == TERN_KX_ECDHE_RSA || s->kx == TERN_KX_ECDHE_ECDSA;
}

const tern_suite *tern_suite_by_id(uint16_t id) {
    for (size_t i = 0; i < TERN_ARRAY_LEN(suites); i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}

static int name_eq(const char *a, const char *b, size_t blen) {
    return strlen(a) == blen && memcmp(a, b, blen) == 0;
}

const tern_suite *tern_suite_by_name(const char *name, size_t len) {
    for (size_t i = 0; i < TERN_ARRAY_LEN(suites); i++)
        if (name_eq(suites[i].name, name, len) || name_eq(suites[i].openssl_name, name, len))
            return &suites[i];
    return NULL;
}
