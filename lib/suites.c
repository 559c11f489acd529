/*
 * The cipher-suite table (RFC 5289 §3.2 for the ECDHE_RSA AES-GCM suites,
 * RFC 5288 §3 for AES-GCM in TLS).  A suite is a row here: adding one
 * (the RSA key exchange of 0x009C/0x009D, ChaCha20) is a new row plus its
 * record protection, never a macro.
 */
#include <string.h>

#include "lib/tls.h"

static const tern_suite suites[] = {
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "ECDHE-RSA-AES128-GCM-SHA256", TERN_KX_ECDHE_RSA,
     TERN_HASH_SHA256, 16},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384", TERN_KX_ECDHE_RSA,
     TERN_HASH_SHA384, 32},
    /* RSA key transport (RFC 5246 §7.4.7.1, RFC 5288 §3): no forward
     * secrecy, so off by default on both sides (tern_config_set_cipher_suites
     * enables them) and, when enabled, a server picks them only when the
     * client offers no ECDHE suite it can use (lib/hs_client_hello.c). */
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256", "AES128-GCM-SHA256", TERN_KX_RSA, TERN_HASH_SHA256, 16},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384", "AES256-GCM-SHA384", TERN_KX_RSA, TERN_HASH_SHA384, 32},
};

/* Server preference and client offer order: AES-128 first (as fast, and
 * 128-bit security matches X25519 and RSA-2048 anyway). */
const uint16_t tern_suite_defaults[] = {0xC02F, 0xC030, 0};

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
