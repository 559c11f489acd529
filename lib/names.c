/*
 * The names of the wire's code points (lib/names.h): one table per kind,
 * searched linearly (they are short, and only traces and error sentences
 * ask).  The names are the registries' own spellings.
 */
#define TERN_LAYER TERN_LAYER_WIRE
#include <stddef.h>

#include "lib/names.h"
#include "lib/suites.h"
#include "lib/wire.h"

typedef struct {
    int code;
    const char *name;
    const char *rfc;
} name_row;

static const char *find(const name_row *t, size_t n, int code) {
    for (size_t i = 0; i < n; i++)
        if (t[i].code == code)
            return t[i].name;
    return NULL;
}

/* Handshake messages (RFC 5246 §7.4, RFC 5077 §3.3, RFC 6066 §8), ChangeCipherSpec
 * (RFC 5246 §7.1) sitting in the flight like one. */
static const name_row handshake[] = {
    {TERN_HT_HELLO_REQUEST, "HelloRequest", "RFC 5246 7.4.1.1"},
    {TERN_HT_CLIENT_HELLO, "ClientHello", "RFC 5246 7.4.1.2"},
    {TERN_HT_SERVER_HELLO, "ServerHello", "RFC 5246 7.4.1.3"},
    {TERN_HT_NEW_SESSION_TICKET, "NewSessionTicket", "RFC 5077 3.3"},
    {TERN_HT_CERTIFICATE, "Certificate", "RFC 5246 7.4.2"},
    {TERN_HT_SERVER_KEY_EXCHANGE, "ServerKeyExchange", "RFC 5246 7.4.3, RFC 8422 5.4"},
    {TERN_HT_CERTIFICATE_REQUEST, "CertificateRequest", "RFC 5246 7.4.4"},
    {TERN_HT_SERVER_HELLO_DONE, "ServerHelloDone", "RFC 5246 7.4.5"},
    {TERN_HT_CERTIFICATE_VERIFY, "CertificateVerify", "RFC 5246 7.4.8"},
    {TERN_HT_CLIENT_KEY_EXCHANGE, "ClientKeyExchange", "RFC 5246 7.4.7, RFC 8422 5.7"},
    {TERN_HT_FINISHED, "Finished", "RFC 5246 7.4.9"},
    {TERN_HT_CERTIFICATE_STATUS, "CertificateStatus", "RFC 6066 8"},
    {TERN_HT_CHANGE_CIPHER_SPEC, "ChangeCipherSpec", "RFC 5246 7.1"},
};

const char *tern_name_handshake(int type) {
    return find(handshake, TERN_ARRAY_LEN(handshake), type);
}

const char *tern_name_handshake_text(int type) {
    const char *n = tern_name_handshake(type);
    return n != NULL ? n : "an unknown handshake message";
}

const char *tern_name_handshake_rfc(int type) {
    for (size_t i = 0; i < TERN_ARRAY_LEN(handshake); i++)
        if (handshake[i].code == type)
            return handshake[i].rfc;
    return "RFC 5246 7.4";
}

/* Extensions: those tern speaks first, then a few common ones it ignores. */
static const name_row extension[] = {
    {TERN_EXT_SERVER_NAME, "server_name", NULL},
    {TERN_EXT_STATUS_REQUEST, "status_request", NULL},
    {TERN_EXT_SUPPORTED_GROUPS, "supported_groups", NULL},
    {TERN_EXT_EC_POINT_FORMATS, "ec_point_formats", NULL},
    {TERN_EXT_SIGNATURE_ALGORITHMS, "signature_algorithms", NULL},
    {TERN_EXT_ALPN, "application_layer_protocol_negotiation", NULL},
    {TERN_EXT_EXTENDED_MASTER_SECRET, "extended_master_secret", NULL},
    {TERN_EXT_SESSION_TICKET, "session_ticket", NULL},
    {TERN_EXT_RENEGOTIATION_INFO, "renegotiation_info", NULL},
    {18, "signed_certificate_timestamp", NULL},
    {21, "padding", NULL},
    {22, "encrypt_then_mac", NULL},
    {43, "supported_versions", NULL},
    {45, "psk_key_exchange_modes", NULL},
    {51, "key_share", NULL},
};

const char *tern_name_extension(uint16_t type) {
    return find(extension, TERN_ARRAY_LEN(extension), type);
}

static const name_row group[] = {
    {TERN_GROUP_SECP256R1, "secp256r1", NULL},
    {TERN_GROUP_SECP384R1, "secp384r1", NULL},
    {25, "secp521r1", NULL},
    {TERN_GROUP_X25519, "x25519", NULL},
    {30, "x448", NULL},
};

const char *tern_name_group(uint16_t g) {
    return find(group, TERN_ARRAY_LEN(group), g);
}

static const name_row sigscheme[] = {
    {TERN_SIG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256", NULL},
    {TERN_SIG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384", NULL},
    {TERN_SIG_RSA_PKCS1_SHA512, "rsa_pkcs1_sha512", NULL},
    {TERN_SIG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256", NULL},
    {TERN_SIG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384", NULL},
    {TERN_SIG_RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512", NULL},
    {0x0809, "rsa_pss_pss_sha256", NULL},
    {TERN_SIG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256", NULL},
    {TERN_SIG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384", NULL},
    {0x0603, "ecdsa_secp521r1_sha512", NULL},
    {0x0807, "ed25519", NULL},
    {0x0201, "rsa_pkcs1_sha1", NULL},
    {0x0203, "ecdsa_sha1", NULL},
};

const char *tern_name_sigscheme(uint16_t s) {
    return find(sigscheme, TERN_ARRAY_LEN(sigscheme), s);
}

static const name_row cert_type[] = {
    {TERN_CERT_TYPE_RSA_SIGN, "rsa_sign", NULL},
    {2, "dss_sign", NULL},
    {TERN_CERT_TYPE_ECDSA_SIGN, "ecdsa_sign", NULL},
};

const char *tern_name_cert_type(uint8_t t) {
    return find(cert_type, TERN_ARRAY_LEN(cert_type), t);
}

/* Suites tern does not implement but a peer may offer; tern's own come
 * from lib/suites.c. */
static const name_row other_suite[] = {
    {TERN_SCSV_RENEGOTIATION, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV", NULL},
    {0x1301, "TLS_AES_128_GCM_SHA256 (TLS 1.3)", NULL},
    {0x1302, "TLS_AES_256_GCM_SHA384 (TLS 1.3)", NULL},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256 (TLS 1.3)", NULL},
};

const char *tern_name_suite(uint16_t id) {
    const tern_suite *s = tern_suite_by_id(id);
    return s != NULL ? s->name : find(other_suite, TERN_ARRAY_LEN(other_suite), id);
}
