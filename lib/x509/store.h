/*
 * The trust store (the CA certificates this side trusts when it checks its
 * peer) and the key store (this side's own certificate chain and private
 * key).  Both are built at configuration time, so they may use malloc; once
 * built they are read-only and may be shared between connections/threads.
 *
 * Formats: PEM (RFC 7468) "CERTIFICATE" blocks; private keys as PKCS#1
 * "RSA PRIVATE KEY" (RFC 8017 App. A.1.2), SEC 1 "EC PRIVATE KEY"
 * (RFC 5915) on P-256 or P-384, or unencrypted PKCS#8 "PRIVATE KEY" (RFC 5208 /
 * RFC 5958) holding either.
 */
#ifndef TERN_X509_STORE_H
#define TERN_X509_STORE_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/store.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "lib/x509/crl.h"
#include "lib/x509/x509.h"

/* ---- trust store ---- */

typedef struct {
    uint8_t *der;        /* malloc'd copy */
    size_t len;
    tern_x509_cert cert; /* parsed, points into der */
    uint32_t subject_key; /* tern_x509_name_key(cert.subject), for tern_truststore_find */
} tern_trust_anchor;

/* A CRL held by the trust store (lib/x509/crl.h). */
typedef struct {
    uint8_t *der;               /* malloc'd copy */
    size_t len;
    tern_crl crl;               /* parsed, points into der */
} tern_trust_crl;

typedef struct {
    tern_trust_anchor *anchors; /* malloc'd array */
    size_t n, cap;
    size_t bad;                 /* entries rejected so far (all loads) */
    char msg[256];              /* what the last rejected entry was, and why */
    /* CRLs (RFC 5280 §5), consulted by path validation when its params
     * ask for revocation checking (lib/x509/verify.c). */
    tern_trust_crl *crls;       /* malloc'd array */
    size_t n_crls, cap_crls;
    size_t crl_bad;             /* CRLs rejected so far (all loads); why in msg */
} tern_truststore;

void tern_truststore_init(tern_truststore *ts);
void tern_truststore_free(tern_truststore *ts);

/* Add one DER certificate (copied).  An exact duplicate is not added twice
 * (returns 0).  Returns 1 if added, 0 if a duplicate, or TERN_ERR_CERT_BAD /
 * TERN_ERR_NOMEM. */
TERN_MUST_CHECK int tern_truststore_add_der(tern_truststore *ts, const uint8_t *der, size_t len);

/* Add every CERTIFICATE block of a PEM text (other blocks are ignored).
 * A bad block (bad base64, unparseable certificate) is skipped: ts->bad is
 * incremented and ts->msg describes it (src names the text in messages,
 * e.g. a file name; may be NULL).  Returns the number of certificates
 * added (duplicates not counted), or a negative error when none could be
 * added and something was wrong: TERN_ERR_PEM (no CERTIFICATE block at all,
 * or malformed PEM), TERN_ERR_CERT_BAD, TERN_ERR_NOMEM. */
TERN_MUST_CHECK int tern_truststore_add_pem(tern_truststore *ts, const uint8_t *pem, size_t len, const char *src);

/* A PEM bundle file.  Same returns, plus TERN_ERR_FILE. */
TERN_MUST_CHECK int tern_truststore_load_file(tern_truststore *ts, const char *path);

/* Every regular file (or symlink to one) in a directory that holds PEM
 * certificates; files without any are skipped silently.  Returns the total
 * added, or TERN_ERR_FILE if the directory cannot be read, or TERN_ERR_PEM if
 * no certificate was found. */
TERN_MUST_CHECK int tern_truststore_load_dir(tern_truststore *ts, const char *path);

/* The system bundle: the first of /etc/ssl/certs/ca-certificates.crt
 * (Debian, Ubuntu, Alpine), /etc/pki/tls/certs/ca-bundle.crt (Fedora, RHEL),
 * /etc/ssl/ca-bundle.pem (openSUSE), /etc/pki/tls/cacert.pem,
 * /etc/ssl/cert.pem (Alpine, BSDs) that loads; else the directory
 * /etc/ssl/certs.  Returns the number added or TERN_ERR_FILE. */
TERN_MUST_CHECK int tern_truststore_load_system(tern_truststore *ts);

/* ---- CRLs in the trust store ----
 *
 * A CRL that does not parse or that tern cannot apply (delta, indirect,
 * scoped by issuingDistributionPoint, an unknown critical extension: see
 * crl.h) is refused and never stored: ts->crl_bad is incremented and
 * ts->msg says which one and why ("crls.pem: the CRL at line 12 (issuer
 * CN=...) was skipped: it is a delta CRL ...").  An exact duplicate is not
 * stored twice.  Whether a stored CRL applies (its issuer's key signed it,
 * it is current) is decided when a path is checked. */

/* One DER CertificateList.  Returns 1 added, 0 duplicate, or a negative
 * error (TERN_ERR_CERT_BAD, TERN_ERR_UNSUPPORTED, TERN_ERR_LIMIT,
 * TERN_ERR_NOMEM) with ts->msg set (src names it; may be NULL). */
TERN_MUST_CHECK int tern_truststore_add_crl_der(tern_truststore *ts, const uint8_t *der, size_t len, const char *src);

/* Every "X509 CRL" block of a PEM text, or, when the text holds no PEM
 * block at all, the whole text as one DER CRL.  Bad CRLs are skipped as
 * above.  Returns the number added (duplicates not counted), or a negative
 * error when none was added and something was wrong: TERN_ERR_PEM (no CRL
 * block and not DER either), TERN_ERR_CERT_BAD, TERN_ERR_UNSUPPORTED,
 * TERN_ERR_NOMEM. */
TERN_MUST_CHECK int tern_truststore_add_crl_pem(tern_truststore *ts, const uint8_t *data, size_t len, const char *src);

/* A file (PEM or DER) or a directory of them (every regular file;
 * files holding no CRL are skipped silently).  Same returns, plus
 * TERN_ERR_FILE; a directory without any CRL is TERN_ERR_PEM. */
TERN_MUST_CHECK int tern_truststore_load_crl(tern_truststore *ts, const char *path);

/* The anchors whose subject equals name (DER; compared by RFC 5280 §7.1,
 * tern_x509_name_eq), one by one: start with
 * *iter = 0; returns NULL when there are no more. */
const tern_trust_anchor *tern_truststore_find(const tern_truststore *ts, tern_span name, size_t *iter);

/* ---- key store ---- */

#define TERN_KEYSTORE_MAX_CHAIN 10

typedef struct {
    uint8_t *blob;                              /* malloc'd: all DER certs */
    const uint8_t *chain[TERN_KEYSTORE_MAX_CHAIN]; /* leaf first, into blob */
    size_t chain_len[TERN_KEYSTORE_MAX_CHAIN];
    size_t n;                                   /* certificates in the chain */
    tern_x509_cert leaf;                        /* parsed chain[0] */
    tern_x509_key_type key_type;                /* TERN_X509_KEY_RSA or TERN_X509_KEY_EC */
    tern_rsa_private rsa;                       /* RSA: the private key (wiped on free) */
    uint8_t ec_priv[48];                        /* EC: the private scalar, 32 bytes (P-256) or 48
                                                   (P-384), big-endian (wiped on free) */
    int ec_curve;                               /* EC: TERN_X509_CURVE_P256 or _P384 */
    char msg[256];                              /* why the last load failed */
} tern_keystore;

void tern_keystore_init(tern_keystore *ks);
/* Frees and wipes the private key. */
void tern_keystore_free(tern_keystore *ks);

/* Load a chain (PEM CERTIFICATE blocks, leaf first, at most
 * TERN_KEYSTORE_MAX_CHAIN) and a private key (PEM).  Checks that the key's
 * public part equals the leaf's.  Returns 0, or:
 *   TERN_ERR_PEM          no certificate / no key block, bad PEM;
 *   TERN_ERR_CERT_BAD     a certificate does not parse;
 *   TERN_ERR_UNSUPPORTED  a key that is neither RSA nor EC on P-256 or
 *                         P-384, or encrypted with a scheme tern does not
 *                         read (lib/x509/pkcs8.h);
 *   TERN_ERR_INVALID_ARG  an encrypted key and no password;
 *   TERN_ERR_DECRYPT_FAILED  an encrypted key and a wrong password;
 *   TERN_ERR_BAD_KEY      a malformed or inconsistent key, or its size is
 *                         outside TERN_RSA_MIN_BITS..TERN_RSA_MAX_BITS;
 *   TERN_ERR_KEY_MISMATCH the key is not the leaf's;
 *   TERN_ERR_LIMIT        too many certificates.
 * ks->msg says which. The key store must be empty (fresh or freed). */
TERN_MUST_CHECK int tern_keystore_load_pem(tern_keystore *ks, const uint8_t *chain_pem, size_t chain_len,
                                           const uint8_t *key_pem, size_t key_len);
/* The same from files (adds TERN_ERR_FILE). */
TERN_MUST_CHECK int tern_keystore_load_files(tern_keystore *ks, const char *chain_path, const char *key_path);

/* Where the password of an encrypted key comes from: password if non-NULL,
 * else fn (asked only when the key is encrypted; returns the length written
 * to buf, or < 0 for none), else there is none. */
typedef struct {
    const char *password;
    int (*fn)(void *arg, char *buf, size_t cap);
    void *arg;
} tern_keystore_pw;
/* The two loaders above with a password source (pw may be NULL: none).
 * Copies of the password and the decrypted key are wiped after use. */
TERN_MUST_CHECK int tern_keystore_load_pem_pw(tern_keystore *ks, const uint8_t *chain_pem, size_t chain_len,
                                              const uint8_t *key_pem, size_t key_len, const tern_keystore_pw *pw);
TERN_MUST_CHECK int tern_keystore_load_files_pw(tern_keystore *ks, const char *chain_path, const char *key_path,
                                                const tern_keystore_pw *pw);

/* A key store from DER pieces (a PKCS#12 file, lib/x509/pkcs12.h): the
 * private key as a PrivateKeyInfo and the file's certificates in any order.
 * The leaf is certs[leaf] when leaf < n (the certificate the file pairs
 * with the key by localKeyID; it must still match the key), otherwise the
 * certificate whose public key is the key's.  The chain follows issuer
 * names from the leaf; a self-issued root at its end and certificates off
 * the path are left out.  Returns as tern_keystore_load_pem (TERN_ERR_PEM:
 * no certificate at all). */
TERN_MUST_CHECK int tern_keystore_load_der(tern_keystore *ks, const tern_span *certs, size_t n, size_t leaf,
                                           const uint8_t *pkcs8, size_t pkcs8_len);

/* ---- one private key on its own (for showing a file: tools/tern_inspect.c) ---- */

/* The DER forms of an unencrypted private key. */
typedef enum {
    TERN_KEY_DER_ANY = 0, /* recognised by its shape */
    TERN_KEY_DER_PKCS1,   /* RSAPrivateKey (RFC 8017 App. A.1.2) */
    TERN_KEY_DER_SEC1,    /* ECPrivateKey (RFC 5915 §3) */
    TERN_KEY_DER_PKCS8    /* PrivateKeyInfo / OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2) */
} tern_key_der_format;

/* The public half of a private key, to show it and to find its certificate. */
typedef struct {
    tern_key_der_format format;               /* the form it was read in */
    tern_x509_key_type type;                  /* RSA or EC (UNKNOWN when not read) */
    size_t bits;                              /* RSA modulus bits; EC 256 or 384 */
    tern_span rsa_n, rsa_e;                   /* RSA: magnitudes, views into the DER */
    int curve;                                /* EC: TERN_X509_CURVE_* */
    uint8_t ec_point[TERN_X509_EC_MAX_POINT]; /* EC: 04 || X || Y, computed from the scalar */
    size_t ec_point_len;
} tern_key_info;

/* Read one private key (DER, format or TERN_KEY_DER_ANY) the way the key
 * store does, check it, and give its public half in *info; the private
 * numbers are wiped before returning.  Returns 0, or what loading it as a
 * key store would (TERN_ERR_UNSUPPORTED, TERN_ERR_BAD_KEY, a decode error)
 * with a sentence in msg (cap bytes).  An RSA key of a size tern does not
 * use still fills type, bits, rsa_n and rsa_e (TERN_ERR_BAD_KEY). */
TERN_MUST_CHECK int tern_key_der_info(const uint8_t *der, size_t len, tern_key_der_format format, tern_key_info *info,
                                      char *msg, size_t cap);
/* 1 if the certificate's public key is the key's public half. */
int tern_key_matches_cert(const tern_key_info *info, const tern_x509_cert *c);

/* Signature padding for tern_keystore_sign. */
typedef enum {
    TERN_KEYSTORE_RSA_PKCS1 = 1, /* RSASSA-PKCS1-v1_5 (TLS rsa_pkcs1_*) */
    TERN_KEYSTORE_RSA_PSS = 2,   /* RSASSA-PSS, MGF1 same hash, salt = hash length (rsa_pss_rsae_*) */
    TERN_KEYSTORE_ECDSA = 3      /* ECDSA, DER-encoded (TLS ecdsa_secp256r1_sha256 ...) */
} tern_keystore_sig;

/* Sign a digest (of hash) with the stored key.  sig gets *siglen bytes
 * (cap must be >= the modulus length for RSA, >= 72 for ECDSA on P-256,
 * >= 104 on P-384; TERN_ECDSA_MAX_SIG_LEN covers both).  The
 * scheme must fit the key type (TERN_ERR_INVALID_ARG otherwise).  Returns
 * 0 or a negative error. */
TERN_MUST_CHECK int tern_keystore_sign(const tern_keystore *ks, tern_keystore_sig scheme, tern_hash_alg hash,
                                       const uint8_t *digest, uint8_t *sig, size_t cap, size_t *siglen,
                                       tern_rng_fn rng, void *rng_arg);

/* Read a whole file of at most about max bytes (malloc'd, NUL-terminated
 * after its len bytes; the buffer is wiped as it grows, since it may hold
 * key text: the caller wipes and frees it too).  0, TERN_ERR_FILE,
 * TERN_ERR_LIMIT or TERN_ERR_NOMEM. */
TERN_MUST_CHECK int tern_x509_read_file(const char *path, size_t max, uint8_t **out, size_t *len);

#endif
