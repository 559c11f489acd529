/*
 * PKCS#12 files (.p12 / .pfx, RFC 7292): what `openssl pkcs12 -export`,
 * Java's keytool (PKCS12, its default store type since Java 9), Windows and
 * macOS write.  A PFX holds an AuthenticatedSafe (a list of ContentInfos,
 * plain or password-encrypted) of SafeBags: private keys (keyBag, or
 * pkcs8ShroudedKeyBag = an EncryptedPrivateKeyInfo), certificates
 * (certBag), each with optional attributes (friendlyName, localKeyID,
 * Java's trusted-certificate mark), and an integrity MAC over the whole.
 *
 * The reader works in stages so that each can be used (and fuzzed) alone:
 *   tern_p12_parse_pfx   the outer PFX: version 3, the authSafe bytes, the
 *                        MacData (nothing checked yet);
 *   tern_p12_check_mac   the MAC (RFC 7292 §5.1 with the PKCS#12 KDF, or
 *                        RFC 9579 PBMAC1), compared in constant time;
 *   tern_p12_parse_safe  the AuthenticatedSafe, its SafeContents and bags,
 *                        decrypting what is encrypted.
 * tern_p12_load runs the three in that order: the MAC is checked before a
 * single bag is looked at.  Passwords are given as UTF-8 bytes; the MAC
 * KDF gets the BMPString form (RFC 7292 Appendix B.1: UTF-16BE and two zero
 * bytes), PBES2 and PBMAC1 the UTF-8 bytes (RFC 8018 §3, RFC 9579 §5), as
 * OpenSSL 3 does.  Every derived key is wiped.
 */
#ifndef TERN_X509_PKCS12_H
#define TERN_X509_PKCS12_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/pkcs12.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "crypto/sha2.h"
#include "lib/x509/der.h"
#include "lib/x509/store.h"

#define TERN_P12_MAX_BAGS 64    /* keys + certificates in one file */
#define TERN_P12_MAX_NAME 128   /* a friendlyName as UTF-8, with its NUL */
#define TERN_P12_MAX_FILE (16u << 20)

/* How the file's integrity is protected. */
typedef enum {
    TERN_P12_MAC_NONE = 0,   /* no MacData (`openssl pkcs12 -nomac`) */
    TERN_P12_MAC_KDF = 1,    /* RFC 7292 §5.1: HMAC keyed by the PKCS#12 KDF (id 3) */
    TERN_P12_MAC_PBMAC1 = 2  /* RFC 9579: PBKDF2 then HMAC */
} tern_p12_mac_kind;

/* One bag's attributes (RFC 7292 §4.2, PKCS #9). */
typedef struct {
    char name[TERN_P12_MAX_NAME]; /* friendlyName as UTF-8, "" when absent */
    uint8_t key_id[64];           /* localKeyID (first 64 bytes), key_id_len 0 when absent */
    size_t key_id_len;
    int java_trusted;             /* Java's trusted-certificate attribute is present */
} tern_p12_attrs;

typedef struct {
    uint8_t *der; /* malloc'd certificate */
    size_t len;
    tern_p12_attrs a;
} tern_p12_cert;

typedef struct {
    uint8_t *pkcs8; /* malloc'd PrivateKeyInfo (plaintext: wiped when freed) */
    size_t len;
    int shrouded;   /* it came encrypted (pkcs8ShroudedKeyBag) */
    tern_p12_attrs a;
} tern_p12_key;

typedef struct {
    /* From tern_p12_parse_pfx: views into the caller's buffer. */
    tern_span auth_safe;       /* the content of the authSafe data OCTET STRING (what the MAC covers) */
    tern_p12_mac_kind mac;
    tern_hash_alg mac_hash;    /* the HMAC hash */
    uint32_t mac_iterations;   /* KDF or PBKDF2 iterations */
    tern_span mac_digest, mac_salt;
    tern_span pbmac1_kdf;      /* PBMAC1: the PBKDF2-params content */
    size_t pbmac1_keylen;
    /* From tern_p12_parse_safe. */
    tern_p12_cert certs[TERN_P12_MAX_BAGS];
    size_t ncerts;
    tern_p12_key keys[TERN_P12_MAX_BAGS];
    size_t nkeys;
    size_t encrypted_parts;    /* encryptedData ContentInfos */
    size_t skipped;            /* bags tern does not use (CRL, secret, unknown types) */
    char msg[256];             /* why the last call failed */
    /* How the first encrypted certificate part and the first shrouded key
     * are encrypted (tern_pbes2_describe), "" when there is none: read
     * before decrypting, so set even when the password is wrong or missing
     * (for showing a file: tools/tern_inspect.c). */
    char enc_certs[200], enc_keys[200];
} tern_p12;

void tern_p12_init(tern_p12 *p);
/* Frees the copies and wipes the keys. */
void tern_p12_free(tern_p12 *p);

/* The outer PFX (RFC 7292 §4): version 3, authSafe ContentInfo of type
 * data, MacData OPTIONAL.  0, or TERN_ERR_DECODE (not a PFX or BER tern does
 * not read), TERN_ERR_UNSUPPORTED (a public-key-protected PFX, an unknown
 * MAC algorithm), each with p->msg. */
TERN_MUST_CHECK int tern_p12_parse_pfx(tern_p12 *p, const uint8_t *der, size_t len);

/* 1 if the bytes look like a PFX: a SEQUENCE whose first element is
 * INTEGER 3, followed by a SEQUENCE (the ContentInfo).  For telling a .p12
 * file from PEM by content. */
int tern_p12_sniff(const uint8_t *der, size_t len);

/* Check the MAC with the password (UTF-8, pwlen bytes; pw may be NULL when
 * pwlen is 0).  0 when it verifies or the file has none; TERN_ERR_DECRYPT
 * ("wrong password, or the file was altered"), TERN_ERR_LIMIT (iterations
 * above TERN_PBKDF_MAX_ITERATIONS), TERN_ERR_INVALID_ARG (the password is
 * not UTF-8), each with p->msg. */
TERN_MUST_CHECK int tern_p12_check_mac(tern_p12 *p, const uint8_t *pw, size_t pwlen);

/* The AuthenticatedSafe (p->auth_safe after tern_p12_parse_pfx, or any
 * buffer): fills certs and keys.  Legacy PKCS#12 PBE (3DES, RC2, RC4) is
 * TERN_ERR_UNSUPPORTED with the scheme named and the command that
 * re-exports with AES. */
TERN_MUST_CHECK int tern_p12_parse_safe(tern_p12 *p, const uint8_t *der, size_t len, const uint8_t *pw,
                                        size_t pwlen);

/* The three in order.  The buffer must outlive p only for the spans of the
 * parse_pfx stage; certs and keys are copies. */
TERN_MUST_CHECK int tern_p12_load(tern_p12 *p, const uint8_t *der, size_t len, const uint8_t *pw, size_t pwlen);

/* UTF-8 -> BMPString password (RFC 7292 Appendix B.1): UTF-16BE (code
 * points above U+FFFF as surrogate pairs) followed by 00 00.  out gets
 * *outlen bytes (cap >= 2 * pwlen + 2 is always enough).  0, or
 * TERN_ERR_INVALID_ARG when pw is not valid UTF-8 (overlong forms,
 * surrogates, above U+10FFFF). */
TERN_MUST_CHECK int tern_p12_bmp_password(const uint8_t *pw, size_t pwlen, uint8_t *out, size_t cap, size_t *outlen);

/* A short text naming the MAC ("HMAC-SHA-256, PKCS#12 KDF, 2048 iterations"). */
void tern_p12_describe_mac(const tern_p12 *p, char *out, size_t cap);

/* A key store from a PKCS#12 file in memory (the password as UTF-8).  The
 * key is the one named name (its friendlyName, or its certificate's) when
 * name is not NULL; else the only one (several: TERN_ERR_INVALID_ARG with
 * their names in ks->msg).  Its certificate is the one with the same
 * localKeyID, else the one with its public key; the chain is ordered from
 * it (tern_keystore_load_der).  A file without a key is TERN_ERR_INVALID_ARG
 * ("it is a trust store").  Other returns as tern_p12_load and
 * tern_keystore_load_der; ks->msg says why.  A file without a MAC loads,
 * with a note in ks->msg saying its integrity was not checked (the MAC is
 * optional in RFC 7292 §4; the encrypted parts still need the password). */
TERN_MUST_CHECK int tern_p12_keystore(tern_keystore *ks, const uint8_t *der, size_t len, const uint8_t *pw,
                                      size_t pwlen, const char *name);

/* Trust anchors from a PKCS#12 file: the certificates that carry Java's
 * trusted-certificate attribute when any does (keytool -importcert), else
 * every certificate of a file that holds no private key (openssl pkcs12
 * -export -nokeys).  A file with a key and no trusted marks is a key store:
 * TERN_ERR_INVALID_ARG, with the command that extracts its CA certificates.
 * Returns the number added (duplicates not counted) or a negative error
 * with msg (cap bytes) set; on success msg is "" or the no-MAC note. */
TERN_MUST_CHECK int tern_p12_truststore(tern_truststore *ts, const uint8_t *der, size_t len, const uint8_t *pw,
                                        size_t pwlen, char *msg, size_t cap);

/* Read a whole file (at most TERN_P12_MAX_FILE bytes) into *out
 * (malloc'd; the caller wipes and frees it, it may hold plain keys).
 * 0, TERN_ERR_FILE, TERN_ERR_LIMIT or TERN_ERR_NOMEM. */
TERN_MUST_CHECK int tern_p12_read_file(const char *path, uint8_t **out, size_t *len);

#endif
