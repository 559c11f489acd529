/*
 * The cipher suites (lib/suites.c): their key exchange (enum tern_kx),
 * record protection (enum tern_aead), PRF hash and key length, found by
 * code point or by IANA / OpenSSL name, and the default preference order.
 */
#ifndef TERN_LIB_SUITES_H
#define TERN_LIB_SUITES_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_WIRE
#error "lib/suites.h is in the wire layer (2): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "crypto/sha2.h"
#include "lib/x509/x509.h"

enum tern_kx { TERN_KX_ECDHE_RSA = 1, TERN_KX_RSA = 2, TERN_KX_ECDHE_ECDSA = 3 };
/* Record protection (lib/record_gcm.c, lib/record_chacha.c). */
enum tern_aead { TERN_AEAD_AES_GCM = 0, TERN_AEAD_CHACHA20_POLY1305 = 1 };
typedef struct {
    uint16_t id;
    const char *name;         /* IANA */
    const char *openssl_name; /* OpenSSL */
    enum tern_kx kx;
    tern_hash_alg prf;        /* PRF and transcript hash */
    size_t key_len;           /* AES key: 16 or 32; ChaCha20: 32 */
    enum tern_aead aead;      /* record protection */
} tern_suite;
#define TERN_SUITE_MAX 12
const tern_suite *tern_suite_by_id(uint16_t id);
const tern_suite *tern_suite_by_name(const char *name, size_t len);
/* The default preference order, terminated by 0. */
extern const uint16_t tern_suite_defaults[];

/* The key type a suite's certificate must hold (RSA or EC). */
tern_x509_key_type tern_suite_key_type(const tern_suite *s);
/* 1 for the ECDHE suites (ECDHE_RSA, ECDHE_ECDSA). */
int tern_suite_is_ecdhe(const tern_suite *s);

#endif
