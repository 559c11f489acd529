/*
 * Trust store and key store (see store.h).  Private keys: PKCS#1
 * RSAPrivateKey (RFC 8017 App. A.1.2), SEC 1 ECPrivateKey (RFC 5915 §3)
 * and PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208 §5, RFC 5958 §2)
 * holding one; encrypted ones (EncryptedPrivateKeyInfo, legacy PEM
 * encryption) are decrypted with lib/x509/pkcs8.h first.
 *
 * These run at configuration time, so they allocate; every buffer that held
 * private key bytes (the file text, the decoded DER) is wiped before it is
 * freed.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/store.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "crypto/ct.h"
#include "crypto/ecdsa.h"
#include "crypto/p256.h"
#include "crypto/p384.h"
#include "lib/x509/oid.h"
#include "lib/x509/pem.h"
#include "lib/x509/pkcs8.h"

#define MAX_FILE (64u << 20) /* a PEM file larger than this is not a trust bundle */

int tern_x509_read_file(const char *path, size_t max, uint8_t **out, size_t *len) {
    FILE *f = fopen(path, "rb");
    TERN_ENSURE(f != NULL, TERN_ERR_FILE);
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    int rc = buf ? 0 : TERN_ERR_NOMEM;
    while (rc == 0) {
        if (n + 1 >= cap) {
            uint8_t *nb = cap < max ? malloc(cap * 2) : NULL;
            if (!nb) {
                rc = cap < max ? TERN_ERR_NOMEM : TERN_ERR_LIMIT;
                break;
            }
            memcpy(nb, buf, n);
            tern_wipe(buf, cap); /* may be key text */
            free(buf);
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                rc = TERN_ERR_FILE;
            break;
        }
    }
    fclose(f);
    if (rc < 0) {
        if (buf) {
            tern_wipe(buf, cap);
            free(buf);
        }
        return rc;
    }
    buf[n] = 0;
    *out = buf;
    *len = n;
    return 0;
}

/* snprintf for messages, where truncating a long path is fine (vsnprintf
 * keeps gcc's -Wformat-truncation out of intended truncation). */
static void msgf(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

static void free_wiped(uint8_t *p, size_t n) {
    if (p) {
        tern_wipe(p, n);
        free(p);
    }
}

/* ---- trust store ---- */

void tern_truststore_init(tern_truststore *ts) { memset(ts, 0, sizeof *ts); }

void tern_truststore_free(tern_truststore *ts) {
    for (size_t i = 0; i < ts->n; i++)
        free(ts->anchors[i].der);
    free(ts->anchors);
    for (size_t i = 0; i < ts->n_crls; i++) {
        tern_crl_free(&ts->crls[i].crl);
        free(ts->crls[i].der);
    }
    free(ts->crls);
    memset(ts, 0, sizeof *ts);
}

int tern_truststore_add_der(tern_truststore *ts, const uint8_t *der, size_t len) {
    tern_x509_cert probe;
    TERN_TRY(tern_x509_parse(&probe, der, len));
    for (size_t i = 0; i < ts->n; i++)
        if (ts->anchors[i].len == len && memcmp(ts->anchors[i].der, der, len) == 0)
            return 0;
    if (ts->n == ts->cap) {
        size_t ncap = ts->cap ? ts->cap * 2 : 16;
        tern_trust_anchor *na = realloc(ts->anchors, ncap * sizeof *na);
        TERN_ENSURE(na != NULL, TERN_ERR_NOMEM);
        /* The parsed certificates point into their own DER copies, which do
         * not move, so realloc of the array is safe. */
        ts->anchors = na;
        ts->cap = ncap;
    }
    tern_trust_anchor *a = &ts->anchors[ts->n];
    a->der = malloc(len);
    TERN_ENSURE(a->der != NULL, TERN_ERR_NOMEM);
    memcpy(a->der, der, len);
    a->len = len;
    if (tern_x509_parse(&a->cert, a->der, len) < 0) {
        free(a->der);
        return TERN_ERR_INTERNAL;
    }
    a->subject_key = tern_x509_name_key(a->cert.subject);
    ts->n++;
    return 1;
}

/* How a PEM load ends, for certificates and CRLs alike: rc is the PEM
 * reader's last answer (< 0: malformed PEM, counted in *bad), then the
 * number added, else the first error, else TERN_ERR_PEM when no block of
 * the wanted kind was found (`none` says which), else 0 (only duplicates). */
static int pem_load_result(tern_truststore *ts, size_t *bad, int rc, int added, int first_err, int blocks,
                           const char *src, const char *none) {
    if (rc < 0) {
        (*bad)++;
        msgf(ts->msg, sizeof ts->msg, "%s: malformed PEM (a BEGIN line without its END line)", src);
        if (!first_err)
            first_err = rc;
    }
    if (added > 0)
        return added;
    if (first_err)
        return first_err;
    if (blocks == 0) {
        msgf(ts->msg, sizeof ts->msg, "%s: %s", src, none);
        return TERN_ERR_PEM;
    }
    return 0;
}

int tern_truststore_add_pem(tern_truststore *ts, const uint8_t *pem, size_t len, const char *src) {
    tern_pem_reader r;
    tern_pem_block b;
    int rc, added = 0, blocks = 0, first_err = 0;
    if (!src)
        src = "PEM text";
    tern_pem_init(&r, pem, len);
    while ((rc = tern_pem_next(&r, &b)) == 1) {
        if (strcmp(b.label, "CERTIFICATE") != 0 && strcmp(b.label, "TRUSTED CERTIFICATE") != 0)
            continue;
        blocks++;
        size_t cap = tern_pem_decoded_max(&b), n = 0;
        uint8_t *der = malloc(cap);
        TERN_ENSURE(der != NULL, TERN_ERR_NOMEM);
        int e = strcmp(b.label, "CERTIFICATE") != 0 ? TERN_ERR_UNSUPPORTED : tern_pem_decode(&b, der, cap, &n);
        const char *why = e == TERN_ERR_UNSUPPORTED ? "OpenSSL TRUSTED CERTIFICATE blocks are not supported"
                                                    : "bad base64";
        if (e == 0) {
            e = tern_truststore_add_der(ts, der, n);
            why = "not a valid certificate";
        }
        free(der);
        if (e == TERN_ERR_NOMEM)
            return e;
        if (e < 0) {
            ts->bad++;
            if (!first_err)
                first_err = e;
            msgf(ts->msg, sizeof ts->msg, "%s: the certificate at line %zu was skipped: %s", src, b.line, why);
            continue;
        }
        added += e;
    }
    return pem_load_result(ts, &ts->bad, rc, added, first_err, blocks, src, "no CERTIFICATE block found");
}

int tern_truststore_load_file(tern_truststore *ts, const char *path) {
    uint8_t *txt;
    size_t len;
    int rc = tern_x509_read_file(path, MAX_FILE, &txt, &len);
    if (rc < 0) {
        msgf(ts->msg, sizeof ts->msg, "%s: cannot read the file", path);
        return rc;
    }
    rc = tern_truststore_add_pem(ts, txt, len, path);
    free(txt);
    return rc;
}

int tern_truststore_load_dir(tern_truststore *ts, const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        msgf(ts->msg, sizeof ts->msg, "%s: cannot open the directory", path);
        return TERN_ERR_FILE;
    }
    int total = 0, found = 0;
    struct dirent *de;
    char msg[sizeof ts->msg];
    msg[0] = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char full[4096];
        int w = snprintf(full, sizeof full, "%s/%s", path, de->d_name);
        if (w < 0 || (size_t)w >= sizeof full)
            continue;
        struct stat st;
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t bad_before = ts->bad;
        int rc = tern_truststore_load_file(ts, full);
        if (rc == TERN_ERR_NOMEM) {
            closedir(d);
            return rc;
        }
        if (rc >= 0 || ts->bad != bad_before)
            found = 1; /* it held certificate blocks */
        if (ts->bad != bad_before)
            memcpy(msg, ts->msg, sizeof msg);
        if (rc > 0)
            total += rc;
    }
    closedir(d);
    /* Keep the message of a bad entry, not "no CERTIFICATE" of some README. */
    if (msg[0])
        memcpy(ts->msg, msg, sizeof msg);
    if (!found) {
        msgf(ts->msg, sizeof ts->msg, "%s: no certificate found in the directory", path);
        return TERN_ERR_PEM;
    }
    return total;
}

int tern_truststore_load_system(tern_truststore *ts) {
    static const char *const files[] = {
        "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem",
        "/etc/pki/tls/cacert.pem", "/etc/ssl/cert.pem",
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(files); i++) {
        int rc = tern_truststore_load_file(ts, files[i]);
        if (rc > 0 || (rc == 0 && ts->n > 0))
            return rc;
    }
    int rc = tern_truststore_load_dir(ts, "/etc/ssl/certs");
    if (rc > 0)
        return rc;
    msgf(ts->msg, sizeof ts->msg, "no system trust store found (looked for /etc/ssl/certs/ca-certificates.crt "
                                      "and the other usual places)");
    return TERN_ERR_FILE;
}

/* ---- CRLs ---- */

/* "CN=Test CA" of a CRL's issuer, for messages about a CRL that may not
 * parse: a best-effort look at its outer structure. */
static void crl_issuer_label(const uint8_t *der, size_t len, char *out, size_t cap) {
    tern_reader top, outer, tbs;
    tern_der_elem e;
    uint8_t tag;
    out[0] = 0;
    tern_rd_init(&top, der, len);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &outer) < 0 || tern_der_expect(&outer, TERN_DER_SEQUENCE, &tbs) < 0)
        return;
    if (tern_der_peek(&tbs, &tag) == 0 && tag == TERN_DER_INTEGER && tern_der_next(&tbs, &e) < 0)
        return;
    if (tern_der_next(&tbs, &e) < 0 || tern_der_expect_elem(&tbs, TERN_DER_SEQUENCE, &e) < 0)
        return;
    char name[120];
    tern_x509_name_display(e.tlv, name, sizeof name);
    msgf(out, cap, " (issuer %s)", name);
}

/* Add one DER CRL; `where` describes it in messages ("crls.pem: the CRL at
 * line 3"). */
static int add_crl(tern_truststore *ts, const uint8_t *der, size_t len, const char *where) {
    for (size_t i = 0; i < ts->n_crls; i++)
        if (ts->crls[i].len == len && memcmp(ts->crls[i].der, der, len) == 0)
            return 0;
    if (ts->n_crls == ts->cap_crls) {
        size_t ncap = ts->cap_crls ? ts->cap_crls * 2 : 8;
        tern_trust_crl *na = realloc(ts->crls, ncap * sizeof *na);
        TERN_ENSURE(na != NULL, TERN_ERR_NOMEM);
        /* Each parsed CRL points into its own DER copy and entry array,
         * which do not move: realloc of the array is safe. */
        ts->crls = na;
        ts->cap_crls = ncap;
    }
    tern_trust_crl *c = &ts->crls[ts->n_crls];
    c->der = malloc(len ? len : 1);
    TERN_ENSURE(c->der != NULL, TERN_ERR_NOMEM);
    memcpy(c->der, der, len);
    c->len = len;
    char why[160];
    int rc = tern_crl_parse(&c->crl, c->der, len, why, sizeof why);
    if (rc < 0) {
        char iss[140];
        crl_issuer_label(der, len, iss, sizeof iss);
        free(c->der);
        ts->crl_bad++;
        msgf(ts->msg, sizeof ts->msg, "%s%s was skipped: it %s", where, iss, why);
        return rc;
    }
    ts->n_crls++;
    return 1;
}

int tern_truststore_add_crl_der(tern_truststore *ts, const uint8_t *der, size_t len, const char *src) {
    char where[200];
    msgf(where, sizeof where, "%s: the CRL", src ? src : "DER data");
    return add_crl(ts, der, len, where);
}

int tern_truststore_add_crl_pem(tern_truststore *ts, const uint8_t *data, size_t len, const char *src) {
    tern_pem_reader r;
    tern_pem_block b;
    int rc, added = 0, blocks = 0, any = 0, first_err = 0;
    if (!src)
        src = "PEM text";
    tern_pem_init(&r, data, len);
    while ((rc = tern_pem_next(&r, &b)) == 1) {
        any++;
        if (strcmp(b.label, "X509 CRL") != 0)
            continue;
        blocks++;
        size_t cap = tern_pem_decoded_max(&b), n = 0;
        uint8_t *der = malloc(cap ? cap : 1);
        TERN_ENSURE(der != NULL, TERN_ERR_NOMEM);
        char where[200];
        msgf(where, sizeof where, "%s: the CRL at line %zu", src, b.line);
        int e = tern_pem_decode(&b, der, cap, &n);
        if (e < 0) {
            ts->crl_bad++;
            msgf(ts->msg, sizeof ts->msg, "%s was skipped: bad base64", where);
        } else {
            e = add_crl(ts, der, n, where);
        }
        free(der);
        if (e == TERN_ERR_NOMEM)
            return e;
        if (e < 0) {
            if (!first_err)
                first_err = e;
            continue;
        }
        added += e;
    }
    if (rc == 0 && any == 0 && len > 0 && data[0] == TERN_DER_SEQUENCE) {
        /* No PEM at all: a DER CertificateList (RFC 5280 §5.1). */
        char where[200];
        msgf(where, sizeof where, "%s: the DER CRL", src);
        return add_crl(ts, data, len, where);
    }
    return pem_load_result(ts, &ts->crl_bad, rc, added, first_err, blocks, src,
                           "no X509 CRL block found (and not a DER CRL)");
}

static int load_crl_file(tern_truststore *ts, const char *path) {
    uint8_t *txt;
    size_t len;
    int rc = tern_x509_read_file(path, MAX_FILE, &txt, &len);
    if (rc < 0) {
        msgf(ts->msg, sizeof ts->msg, "%s: cannot read the file", path);
        return rc;
    }
    rc = tern_truststore_add_crl_pem(ts, txt, len, path);
    free(txt);
    return rc;
}

int tern_truststore_load_crl(tern_truststore *ts, const char *path) {
    struct stat st;
    if (stat(path, &st) != 0) {
        msgf(ts->msg, sizeof ts->msg, "%s: cannot be read", path);
        return TERN_ERR_FILE;
    }
    if (!S_ISDIR(st.st_mode))
        return load_crl_file(ts, path);
    DIR *d = opendir(path);
    if (!d) {
        msgf(ts->msg, sizeof ts->msg, "%s: cannot open the directory", path);
        return TERN_ERR_FILE;
    }
    int total = 0, found = 0, first_err = 0;
    struct dirent *de;
    char msg[sizeof ts->msg];
    msg[0] = 0;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.')
            continue;
        char full[4096];
        int w = snprintf(full, sizeof full, "%s/%s", path, de->d_name);
        if (w < 0 || (size_t)w >= sizeof full)
            continue;
        if (stat(full, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        size_t bad_before = ts->crl_bad;
        int rc = load_crl_file(ts, full);
        if (rc == TERN_ERR_NOMEM) {
            closedir(d);
            return rc;
        }
        if (rc >= 0 || ts->crl_bad != bad_before)
            found = 1; /* it held CRLs */
        if (ts->crl_bad != bad_before) {
            memcpy(msg, ts->msg, sizeof msg);
            if (!first_err && rc < 0)
                first_err = rc;
        }
        if (rc > 0)
            total += rc;
    }
    closedir(d);
    /* Keep the message of a bad CRL, not "no CRL block" of some README. */
    if (msg[0])
        memcpy(ts->msg, msg, sizeof msg);
    if (!found) {
        msgf(ts->msg, sizeof ts->msg, "%s: no CRL found in the directory", path);
        return TERN_ERR_PEM;
    }
    if (total == 0 && first_err)
        return first_err;
    return total;
}

/* Names compare by RFC 5280 §7.1 (tern_x509_name_eq), which is slower than
 * comparing bytes: each anchor's subject has a key computed when it was
 * added (tern_x509_name_key), so the scan compares keys and runs the full
 * comparison only on a key match. */
const tern_trust_anchor *tern_truststore_find(const tern_truststore *ts, tern_span name, size_t *iter) {
    if (*iter >= ts->n)
        return NULL;
    uint32_t key = tern_x509_name_key(name);
    for (; *iter < ts->n; (*iter)++) {
        const tern_trust_anchor *a = &ts->anchors[*iter];
        if (a->subject_key == key && tern_x509_name_eq(a->cert.subject, name)) {
            (*iter)++;
            return a;
        }
    }
    return NULL;
}

/* ---- key store ---- */

void tern_keystore_init(tern_keystore *ks) { memset(ks, 0, sizeof *ks); }

void tern_keystore_free(tern_keystore *ks) {
    free(ks->blob);
    tern_rsa_private_wipe(&ks->rsa);
    tern_wipe(ks, sizeof *ks);
}

/* RSAPrivateKey ::= SEQUENCE { version 0, n, e, d, p, q, dP, dQ, qInv }
 * (two-prime only: version 1 means otherPrimeInfos follow). */
static int parse_pkcs1(tern_keystore *ks, const uint8_t *der, size_t len, tern_span *n_out, tern_span *e_out) {
    tern_reader top, seq;
    tern_span f[8];
    uint64_t version;
    tern_rd_init(&top, der, len);
    TERN_TRY(tern_der_expect(&top, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(&top));
    TERN_TRY(tern_der_small_uint(&seq, &version));
    TERN_ENSURE(version == 0, TERN_ERR_UNSUPPORTED);
    /* n and e are public: strict DER INTEGERs.  The six secret numbers are
     * taken as their content bytes without looking at their values (no
     * branch on key bytes; leading zeros are fine for tern_rsa_private_init,
     * and a wrong value fails its consistency checks). */
    for (int i = 0; i < 2; i++)
        TERN_TRY(tern_der_uint(&seq, &f[i]));
    for (int i = 2; i < 8; i++) {
        tern_der_elem e;
        TERN_TRY(tern_der_expect_elem(&seq, TERN_DER_INTEGER, &e));
        TERN_ENSURE(e.content.len > 0, TERN_ERR_DECODE);
        f[i] = e.content;
    }
    TERN_TRY(tern_rd_end(&seq));
    tern_rsa_bytes b[8];
    for (int i = 0; i < 8; i++) {
        b[i].p = f[i].p;
        b[i].len = f[i].len;
    }
    *n_out = f[0];
    *e_out = f[1];
    return tern_rsa_private_init(&ks->rsa, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]);
}

/* The public point of the key store's EC key (ec_curve set): 65 bytes
 * for P-256, 97 for P-384. */
static int keystore_ec_public(const tern_keystore *ks, uint8_t pub[TERN_X509_EC_MAX_POINT], size_t *len) {
    if (ks->ec_curve == TERN_X509_CURVE_P384) {
        *len = TERN_P384_PUBLIC_LEN;
        return tern_p384_public_from_private(pub, ks->ec_priv);
    }
    *len = TERN_P256_PUBLIC_LEN;
    return tern_p256_public_from_private(pub, ks->ec_priv);
}

/* ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING,
 * parameters [0] ECParameters OPTIONAL, publicKey [1] BIT STRING OPTIONAL }
 * (RFC 5915 §3).  curve_from_outer: the curve OID already given by a PKCS#8
 * wrapper (or NULL).  P-256 and P-384 keys are usable. */
static int parse_ec(tern_keystore *ks, const uint8_t *der, size_t len, const tern_span *curve_from_outer) {
    tern_reader top, seq, f;
    tern_span priv, curve = {NULL, 0};
    uint64_t version;
    int present;
    tern_rd_init(&top, der, len);
    TERN_TRY(tern_der_expect(&top, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(&top));
    TERN_TRY(tern_der_small_uint(&seq, &version));
    TERN_ENSURE(version == 1, TERN_ERR_DECODE);
    TERN_TRY(tern_der_octet_string(&seq, &priv));
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_CONS(0), &f, &present));
    if (present) {
        TERN_TRY(tern_der_oid(&f, &curve));
        TERN_TRY(tern_rd_end(&f));
    }
    tern_span embedded = {NULL, 0};
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_CONS(1), &f, &present));
    if (present) {
        TERN_TRY(tern_der_bit_string_bytes(&f, &embedded));
        TERN_TRY(tern_rd_end(&f));
    }
    TERN_TRY(tern_rd_end(&seq));
    if (curve_from_outer) {
        /* Both present: they must agree. */
        TERN_ENSURE(curve.p == NULL || tern_der_oid_eq(curve, curve_from_outer->p, curve_from_outer->len),
                    TERN_ERR_DECODE);
        curve = *curve_from_outer;
    }
    TERN_ENSURE(curve.p != NULL, TERN_ERR_DECODE);
    int p384 = TERN_DER_OID_EQ(curve, tern_oid_p384);
    if (!TERN_DER_OID_EQ(curve, tern_oid_p256) && !p384) {
        msgf(ks->msg, sizeof ks->msg, "private key: EC keys on curves other than P-256 and P-384 are not supported");
        return TERN_ERR_UNSUPPORTED;
    }
    /* RFC 5915 §3: the key is exactly ceiling(log2(n)/8) octets: 32 for
     * P-256, 48 for P-384. */
    size_t slen = p384 ? TERN_P384_SCALAR_LEN : TERN_P256_SCALAR_LEN;
    TERN_ENSURE(priv.len == slen, TERN_ERR_DECODE);
    memcpy(ks->ec_priv, priv.p, slen);
    if ((p384 ? tern_p384_check_private(ks->ec_priv) : tern_p256_check_private(ks->ec_priv)) < 0) {
        msgf(ks->msg, sizeof ks->msg, "private key: the EC private key is out of range");
        return TERN_ERR_BAD_KEY;
    }
    ks->ec_curve = p384 ? TERN_X509_CURVE_P384 : TERN_X509_CURVE_P256;
    if (embedded.p) {
        /* The optional copy of the public key must be the right one. */
        uint8_t pub[TERN_X509_EC_MAX_POINT];
        size_t publen = 0;
        TERN_TRY(keystore_ec_public(ks, pub, &publen));
        if (embedded.len != publen || memcmp(pub, embedded.p, publen) != 0) {
            msgf(ks->msg, sizeof ks->msg, "private key: the EC key's embedded public key does not match it");
            return TERN_ERR_BAD_KEY;
        }
    }
    return 0;
}

/* PrivateKeyInfo ::= SEQUENCE { version 0|1, AlgorithmIdentifier,
 * privateKey OCTET STRING, [0] attributes OPTIONAL, [1] publicKey OPTIONAL } */
static int parse_pkcs8(tern_keystore *ks, const uint8_t *der, size_t len, tern_span *n, tern_span *e) {
    tern_reader top, seq, alg;
    tern_span oid, key, curve = {NULL, 0};
    uint64_t version;
    tern_rd_init(&top, der, len);
    TERN_TRY(tern_der_expect(&top, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(&top));
    TERN_TRY(tern_der_small_uint(&seq, &version));
    TERN_ENSURE(version <= 1, TERN_ERR_DECODE);
    TERN_TRY(tern_der_expect(&seq, TERN_DER_SEQUENCE, &alg));
    TERN_TRY(tern_der_oid(&alg, &oid));
    int rsa = TERN_DER_OID_EQ(oid, tern_oid_rsa_encryption), ec = TERN_DER_OID_EQ(oid, tern_oid_ec_public_key);
    if (!rsa && !ec) {
        msgf(ks->msg, sizeof ks->msg, "private key: this kind of key is not supported (only RSA and EC P-256 / P-384)");
        return TERN_ERR_UNSUPPORTED;
    }
    if (rsa)
        TERN_TRY(tern_der_null(&alg)); /* RFC 3279 §2.3.1 */
    else
        TERN_TRY(tern_der_oid(&alg, &curve)); /* RFC 5480 §2.1.1 namedCurve */
    TERN_TRY(tern_rd_end(&alg));
    TERN_TRY(tern_der_octet_string(&seq, &key));
    /* attributes / publicKey: allowed, not used. */
    tern_reader f;
    int present;
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_CONS(0), &f, &present));
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_PRIM(1), &f, &present));
    TERN_TRY(tern_rd_end(&seq));
    if (ec)
        return parse_ec(ks, key.p, key.len, &curve);
    return parse_pkcs1(ks, key.p, key.len, n, e);
}


/* The key ks holds (parsed) is the one certificate c is for: the EC point
 * is priv * G, or the RSA n and e are equal. */
static int key_matches(const tern_keystore *ks, const tern_x509_cert *c, tern_span kn, tern_span ke) {
    if (ks->ec_curve) {
        uint8_t pub[TERN_X509_EC_MAX_POINT];
        size_t publen = 0;
        return c->key.type == TERN_X509_KEY_EC && c->key.curve == ks->ec_curve &&
               keystore_ec_public(ks, pub, &publen) == 0 && c->key.ec_point.len == publen &&
               memcmp(pub, c->key.ec_point.p, publen) == 0;
    }
    return c->key.type == TERN_X509_KEY_RSA && kn.p != NULL && ke.p != NULL && tern_span_eq(kn, c->key.rsa_n) &&
           tern_span_eq(ke, c->key.rsa_e);
}

/* After a key was parsed (rc its status; kind names its format): set the
 * key type and check it is the leaf's, or say in ks->msg why it failed. */
static int key_parsed(tern_keystore *ks, int rc, tern_span kn, tern_span ke, const char *kind) {
    if (rc == 0) {
        ks->key_type = ks->ec_curve ? TERN_X509_KEY_EC : TERN_X509_KEY_RSA;
        if (!key_matches(ks, &ks->leaf, kn, ke)) {
            char label[128];
            tern_x509_cert_label(&ks->leaf, label, sizeof label);
            msgf(ks->msg, sizeof ks->msg, "the private key does not match the certificate (%s)", label);
            rc = TERN_ERR_KEY_MISMATCH;
        }
    } else if (rc == TERN_ERR_BAD_KEY && ks->msg[0]) {
        /* parse_ec said why. */
    } else if (rc == TERN_ERR_BAD_KEY) {
        size_t bits = 0;
        if (kn.p) {
            bits = kn.len * 8;
            for (uint8_t t = kn.p[0]; t < 0x80 && bits > 0; t = (uint8_t)(t << 1))
                bits--;
        }
        if (bits && (bits < TERN_RSA_MIN_BITS || bits > TERN_RSA_MAX_BITS))
            msgf(ks->msg, sizeof ks->msg, "private key: RSA key of %zu bits; tern supports %d to %d", bits,
                 TERN_RSA_MIN_BITS, TERN_RSA_MAX_BITS);
        else
            msgf(ks->msg, sizeof ks->msg, "private key: the RSA key is inconsistent");
    } else if (rc == TERN_ERR_UNSUPPORTED) {
        if (!ks->msg[0])
            msgf(ks->msg, sizeof ks->msg, "private key: multi-prime RSA keys are not supported");
    } else if (rc != TERN_ERR_NOMEM) {
        msgf(ks->msg, sizeof ks->msg, "private key: malformed %s", kind);
        rc = TERN_ERR_BAD_KEY;
    }
    return rc;
}


/* RSA modulus bits from its magnitude (public). */
static size_t rsa_bits(tern_span n) {
    if (n.p == NULL || n.len == 0)
        return 0;
    size_t bits = n.len * 8;
    for (uint8_t t = n.p[0]; t < 0x80 && bits > 0; t = (uint8_t)(t << 1))
        bits--;
    return bits;
}

int tern_key_der_info(const uint8_t *der, size_t len, tern_key_der_format format, tern_key_info *info, char *msg,
                      size_t cap) {
    memset(info, 0, sizeof *info);
    if (cap)
        msg[0] = 0;
    if (format == TERN_KEY_DER_ANY) {
        /* By shape: SEQUENCE { INTEGER version, then a SEQUENCE (PKCS#8's
         * AlgorithmIdentifier), an INTEGER (PKCS#1's modulus) or an OCTET
         * STRING (SEC 1's private key) }. */
        tern_reader top, seq;
        uint64_t version;
        uint8_t tag = 0;
        tern_rd_init(&top, der, len);
        if (tern_der_expect(&top, TERN_DER_SEQUENCE, &seq) != 0 || tern_der_small_uint(&seq, &version) != 0 ||
            tern_der_peek(&seq, &tag) != 0) {
            msgf(msg, cap, "it is not a private key (PKCS#1, SEC 1 or PKCS#8)");
            return TERN_ERR_DECODE;
        }
        format = tag == TERN_DER_SEQUENCE ? TERN_KEY_DER_PKCS8 : tag == TERN_DER_INTEGER ? TERN_KEY_DER_PKCS1
                 : tag == TERN_DER_OCTET_STRING                                      ? TERN_KEY_DER_SEC1
                                                                                      : TERN_KEY_DER_ANY;
        if (format == TERN_KEY_DER_ANY) {
            msgf(msg, cap, "it is not a private key (PKCS#1, SEC 1 or PKCS#8)");
            return TERN_ERR_DECODE;
        }
    }
    info->format = format;
    tern_keystore *ks = malloc(sizeof *ks);
    if (ks == NULL) {
        msgf(msg, cap, "out of memory");
        return TERN_ERR_NOMEM;
    }
    tern_keystore_init(ks);
    tern_span n = {NULL, 0}, e = {NULL, 0};
    int rc = format == TERN_KEY_DER_PKCS1  ? parse_pkcs1(ks, der, len, &n, &e)
             : format == TERN_KEY_DER_SEC1 ? parse_ec(ks, der, len, NULL)
                                           : parse_pkcs8(ks, der, len, &n, &e);
    const char *what = format == TERN_KEY_DER_PKCS1 ? "PKCS#1 RSA key" : format == TERN_KEY_DER_SEC1 ? "SEC 1 EC key"
                                                                                                      : "PKCS#8 key";
    if (rc == 0 && ks->ec_curve) {
        info->type = TERN_X509_KEY_EC;
        info->curve = ks->ec_curve;
        info->bits = ks->ec_curve == TERN_X509_CURVE_P384 ? 384 : 256;
        rc = keystore_ec_public(ks, info->ec_point, &info->ec_point_len);
    } else if (n.p != NULL) {
        /* RSA: read even when its size is one tern does not use. */
        info->type = TERN_X509_KEY_RSA;
        info->bits = rsa_bits(n);
        info->rsa_n = n;
        info->rsa_e = e;
    }
    if (rc == TERN_ERR_BAD_KEY && info->type == TERN_X509_KEY_RSA && !ks->msg[0]) {
        if (info->bits < TERN_RSA_MIN_BITS || info->bits > TERN_RSA_MAX_BITS)
            msgf(msg, cap, "an RSA key of %zu bits; tern supports %d to %d", info->bits, TERN_RSA_MIN_BITS,
                 TERN_RSA_MAX_BITS);
        else
            msgf(msg, cap, "the RSA key is inconsistent (its numbers do not belong together)");
    } else if (rc == TERN_ERR_UNSUPPORTED && !ks->msg[0]) {
        msgf(msg, cap, "multi-prime RSA keys are not supported");
    } else if (rc != 0 && ks->msg[0]) {
        /* parse_ec / parse_pkcs8 said why ("private key: ..."). */
        msgf(msg, cap, "%s", strncmp(ks->msg, "private key: ", 13) == 0 ? ks->msg + 13 : ks->msg);
    } else if (rc != 0) {
        msgf(msg, cap, "malformed %s (it does not parse as RFC %s describes)", what,
             format == TERN_KEY_DER_PKCS1 ? "8017 App. A.1.2" : format == TERN_KEY_DER_SEC1 ? "5915 §3" : "5958 §2");
    }
    tern_keystore_free(ks);
    free(ks);
    return rc;
}

int tern_key_matches_cert(const tern_key_info *info, const tern_x509_cert *c) {
    if (info->type == TERN_X509_KEY_RSA)
        return c->key.type == TERN_X509_KEY_RSA && info->rsa_n.p != NULL && tern_span_eq(info->rsa_n, c->key.rsa_n) &&
               tern_span_eq(info->rsa_e, c->key.rsa_e);
    if (info->type == TERN_X509_KEY_EC)
        return c->key.type == TERN_X509_KEY_EC && c->key.curve == info->curve &&
               c->key.ec_point.len == info->ec_point_len &&
               memcmp(c->key.ec_point.p, info->ec_point, info->ec_point_len) == 0;
    return 0;
}

static int load_chain(tern_keystore *ks, const uint8_t *pem, size_t len) {
    tern_pem_reader r;
    tern_pem_block b;
    int rc;
    size_t total = 0;
    /* Pass 1: sizes; pass 2: decode into one blob. */
    tern_pem_init(&r, pem, len);
    while ((rc = tern_pem_next(&r, &b)) == 1)
        if (strcmp(b.label, "CERTIFICATE") == 0)
            total += tern_pem_decoded_max(&b);
    if (rc < 0) {
        msgf(ks->msg, sizeof ks->msg, "certificate chain: malformed PEM");
        return rc;
    }
    if (total == 0) {
        msgf(ks->msg, sizeof ks->msg, "certificate chain: no CERTIFICATE block found");
        return TERN_ERR_PEM;
    }
    ks->blob = malloc(total);
    if (ks->blob == NULL) {
        msgf(ks->msg, sizeof ks->msg, "certificate chain: out of memory");
        return TERN_ERR_NOMEM;
    }
    size_t used = 0;
    tern_pem_init(&r, pem, len);
    while ((rc = tern_pem_next(&r, &b)) == 1) {
        if (strcmp(b.label, "CERTIFICATE") != 0)
            continue;
        if (ks->n == TERN_KEYSTORE_MAX_CHAIN) {
            msgf(ks->msg, sizeof ks->msg, "certificate chain: more than %d certificates",
                     TERN_KEYSTORE_MAX_CHAIN);
            return TERN_ERR_LIMIT;
        }
        size_t n;
        if (tern_pem_decode(&b, ks->blob + used, total - used, &n) < 0) {
            msgf(ks->msg, sizeof ks->msg, "certificate chain: bad base64 in the block at line %zu", b.line);
            return TERN_ERR_PEM;
        }
        tern_x509_cert c;
        if (tern_x509_parse(&c, ks->blob + used, n) < 0) {
            msgf(ks->msg, sizeof ks->msg, "certificate chain: certificate %zu (line %zu) is malformed", ks->n,
                     b.line);
            return TERN_ERR_CERT_BAD;
        }
        if (ks->n == 0)
            ks->leaf = c;
        ks->chain[ks->n] = ks->blob + used;
        ks->chain_len[ks->n] = n;
        ks->n++;
        used += n;
    }
    return 0;
}

/* An encrypted key block (ENCRYPTED PRIVATE KEY, or legacy Proc-Type
 * headers): the password from pw, decrypted into *der (malloc'd, *n bytes;
 * the caller wipes it).  The password copy is wiped here. */
static int decrypt_key(tern_keystore *ks, const tern_pem_block *b, int pkcs8, const tern_keystore_pw *pw,
                       uint8_t **der, size_t *n) {
    char buf[1024];
    const char *p = pw ? pw->password : NULL;
    size_t plen = p ? strlen(p) : 0, cap = pkcs8 ? tern_pem_decoded_max(b) : 1, m = 0;
    uint8_t *enc = malloc(cap); /* the ciphertext */
    int rc = enc ? 0 : TERN_ERR_NOMEM;
    if (rc < 0)
        msgf(ks->msg, sizeof ks->msg, "private key: out of memory");
    if (rc == 0 && pkcs8 && (rc = tern_pem_decode(b, enc, cap, &m)) < 0)
        msgf(ks->msg, sizeof ks->msg, "private key: bad base64 in the block at line %zu", b->line);
    /* A scheme tern does not read is said before any password is asked. */
    if (rc == 0)
        rc = pkcs8 ? tern_pkcs8_readable(enc, m, ks->msg, sizeof ks->msg)
                   : tern_pem_legacy_readable(b, ks->msg, sizeof ks->msg) == TERN_ERR_UNSUPPORTED ? TERN_ERR_UNSUPPORTED
                                                                                                  : 0;
    if (rc == 0 && p == NULL && pw && pw->fn) {
        int got = pw->fn(pw->arg, buf, sizeof buf);
        if (got < 0 || (size_t)got >= sizeof buf) {
            msgf(ks->msg, sizeof ks->msg, "private key: the key is encrypted and the password callback gave no password");
            rc = TERN_ERR_INVALID_ARG;
        }
        plen = rc == 0 ? (size_t)got : 0;
        p = buf;
    } else if (rc == 0 && p == NULL) {
        msgf(ks->msg, sizeof ks->msg, "private key: the key is encrypted and needs a password (give one with "
                                      "tern_config_load_keystore_pw or tern_config_set_password_cb; on the command "
                                      "line with --password-file FILE or --password-env VAR)");
        rc = TERN_ERR_INVALID_ARG;
    }
    if (rc == 0)
        rc = pkcs8 ? tern_pkcs8_decrypt(enc, m, (const uint8_t *)p, plen, der, n, ks->msg, sizeof ks->msg)
                   : tern_pem_legacy_decrypt(b, (const uint8_t *)p, plen, der, n, ks->msg, sizeof ks->msg);
    tern_wipe(buf, sizeof buf);
    free(enc);
    return rc;
}

static int load_key(tern_keystore *ks, const uint8_t *pem, size_t len, const tern_keystore_pw *pw) {
    tern_pem_reader r;
    tern_pem_block b;
    int rc;
    tern_pem_init(&r, pem, len);
    while ((rc = tern_pem_next(&r, &b)) == 1) {
        int pkcs1 = strcmp(b.label, "RSA PRIVATE KEY") == 0, pkcs8 = strcmp(b.label, "PRIVATE KEY") == 0;
        int sec1 = strcmp(b.label, "EC PRIVATE KEY") == 0, enc8 = strcmp(b.label, "ENCRYPTED PRIVATE KEY") == 0;
        if (!pkcs1 && !pkcs8 && !sec1 && !enc8)
            continue;
        size_t cap = 0, n = 0;
        uint8_t *der = NULL;
        ks->msg[0] = 0;
        if (enc8 || b.encrypted) {
            rc = decrypt_key(ks, &b, enc8, pw, &der, &n);
            if (rc < 0)
                return rc;
            cap = n;
            pkcs8 |= enc8;
        } else {
            cap = tern_pem_decoded_max(&b);
            der = malloc(cap);
            if (der == NULL) {
                msgf(ks->msg, sizeof ks->msg, "private key: out of memory");
                return TERN_ERR_NOMEM;
            }
            rc = tern_pem_decode(&b, der, cap, &n);
        }
        tern_span kn = {NULL, 0}, ke = {NULL, 0};
        if (rc == 0)
            rc = pkcs1  ? parse_pkcs1(ks, der, n, &kn, &ke)
                 : sec1 ? parse_ec(ks, der, n, NULL)
                        : parse_pkcs8(ks, der, n, &kn, &ke);
        if (rc == TERN_ERR_PEM)
            msgf(ks->msg, sizeof ks->msg, "private key: bad base64 in the block at line %zu", b.line);
        else {
            char kind[96];
            msgf(kind, sizeof kind, "%s%s", pkcs1 ? "PKCS#1 key" : sec1 ? "SEC 1 EC key" : "PKCS#8 key",
                 enc8 || b.encrypted ? " after decryption (a wrong password, or the file is corrupt)" : "");
            rc = key_parsed(ks, rc, kn, ke, kind);
        }
        free_wiped(der, cap);
        return rc;
    }
    msgf(ks->msg, sizeof ks->msg, rc < 0 ? "private key: malformed PEM"
                                             : "private key: no RSA PRIVATE KEY, EC PRIVATE KEY, PRIVATE KEY or "
                                               "ENCRYPTED PRIVATE KEY block found");
    return TERN_ERR_PEM;
}

int tern_keystore_load_pem(tern_keystore *ks, const uint8_t *chain_pem, size_t chain_len, const uint8_t *key_pem,
                           size_t key_len) {
    return tern_keystore_load_pem_pw(ks, chain_pem, chain_len, key_pem, key_len, NULL);
}

int tern_keystore_load_pem_pw(tern_keystore *ks, const uint8_t *chain_pem, size_t chain_len, const uint8_t *key_pem,
                              size_t key_len, const tern_keystore_pw *pw) {
    tern_keystore_init(ks);
    int rc = load_chain(ks, chain_pem, chain_len);
    if (rc == 0)
        rc = load_key(ks, key_pem, key_len, pw);
    if (rc < 0) {
        char msg[sizeof ks->msg];
        memcpy(msg, ks->msg, sizeof msg);
        tern_keystore_free(ks);
        memcpy(ks->msg, msg, sizeof msg);
    }
    return rc;
}

int tern_keystore_load_files(tern_keystore *ks, const char *chain_path, const char *key_path) {
    return tern_keystore_load_files_pw(ks, chain_path, key_path, NULL);
}

int tern_keystore_load_files_pw(tern_keystore *ks, const char *chain_path, const char *key_path,
                                const tern_keystore_pw *pw) {
    uint8_t *chain = NULL, *key = NULL;
    size_t clen = 0, klen = 0;
    int rc = tern_x509_read_file(chain_path, MAX_FILE, &chain, &clen);
    if (rc < 0) {
        tern_keystore_init(ks);
        msgf(ks->msg, sizeof ks->msg, "%s: cannot read the certificate chain", chain_path);
        return rc;
    }
    rc = tern_x509_read_file(key_path, MAX_FILE, &key, &klen);
    if (rc < 0) {
        free(chain);
        tern_keystore_init(ks);
        msgf(ks->msg, sizeof ks->msg, "%s: cannot read the private key", key_path);
        return rc;
    }
    rc = tern_keystore_load_pem_pw(ks, chain, clen, key, klen, pw);
    free(chain);
    free_wiped(key, klen + 1);
    return rc;
}

/* PKCS#12 (lib/x509/pkcs12.c hands over DER): see store.h.  The chain is
 * ordered by names, as a path builder would (RFC 5280 §6.1: each issuer
 * name is the next certificate's subject); the self-issued root at its end
 * is left out (RFC 5246 §7.4.2: it may be omitted, the peer has it or must
 * not trust it), and certificates off the path are not sent. */
int tern_keystore_load_der(tern_keystore *ks, const tern_span *certs, size_t n, size_t leaf, const uint8_t *pkcs8,
                           size_t pkcs8_len) {
    tern_keystore_init(ks);
    tern_span kn = {NULL, 0}, ke = {NULL, 0};
    tern_x509_cert *pc = n ? calloc(n, sizeof *pc) : NULL;
    size_t idx[TERN_KEYSTORE_MAX_CHAIN] = {0}, k = 0, total = 0;
    int rc = n == 0 ? TERN_ERR_PEM : pc == NULL ? TERN_ERR_NOMEM : 0;
    if (rc == TERN_ERR_PEM)
        msgf(ks->msg, sizeof ks->msg, "the file holds a private key but no certificate");
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (tern_x509_parse(&pc[i], certs[i].p, certs[i].len) < 0) {
            msgf(ks->msg, sizeof ks->msg, "certificate %zu of the file is malformed", i + 1);
            rc = TERN_ERR_CERT_BAD;
        }
    if (rc == 0) {
        rc = parse_pkcs8(ks, pkcs8, pkcs8_len, &kn, &ke);
        if (rc < 0)
            rc = key_parsed(ks, rc, kn, ke, "PKCS#8 key");
    }
    if (rc == 0 && leaf >= n) { /* no localKeyID pairing: the certificate with the key's public key */
        for (leaf = 0; leaf < n && !key_matches(ks, &pc[leaf], kn, ke); leaf++) {
        }
        if (leaf == n) {
            msgf(ks->msg, sizeof ks->msg, "none of the %zu certificates in the file is for its private key", n);
            rc = TERN_ERR_KEY_MISMATCH;
        }
    }
    if (rc == 0) {
        idx[k++] = leaf;
        total = certs[leaf].len;
    }
    while (rc == 0 && !tern_x509_self_issued(&pc[idx[k - 1]])) {
        size_t j;
        for (j = 0; j < n; j++) {
            int used = 0;
            for (size_t u = 0; u < k; u++)
                used |= idx[u] == j;
            if (!used && tern_x509_name_eq(pc[j].subject, pc[idx[k - 1]].issuer))
                break;
        }
        if (j == n || tern_x509_self_issued(&pc[j]))
            break;
        if (k == TERN_KEYSTORE_MAX_CHAIN) {
            msgf(ks->msg, sizeof ks->msg, "certificate chain: more than %d certificates", TERN_KEYSTORE_MAX_CHAIN);
            rc = TERN_ERR_LIMIT;
            break;
        }
        idx[k++] = j;
        total += certs[j].len;
    }
    free(pc);
    if (rc == 0 && (ks->blob = malloc(total)) == NULL)
        rc = TERN_ERR_NOMEM;
    for (size_t i = 0, used = 0; rc == 0 && i < k; i++) {
        memcpy(ks->blob + used, certs[idx[i]].p, certs[idx[i]].len);
        ks->chain[i] = ks->blob + used;
        ks->chain_len[i] = certs[idx[i]].len;
        used += certs[idx[i]].len;
        ks->n++;
    }
    if (rc == 0 && tern_x509_parse(&ks->leaf, ks->chain[0], ks->chain_len[0]) < 0)
        rc = TERN_ERR_INTERNAL;
    if (rc == 0)
        rc = key_parsed(ks, 0, kn, ke, "PKCS#8 key"); /* the leaf given by localKeyID must be the key's too */
    if (rc < 0) {
        char msg[sizeof ks->msg];
        memcpy(msg, ks->msg, sizeof msg);
        tern_keystore_free(ks);
        memcpy(ks->msg, msg, sizeof msg);
        if (!msg[0] && rc == TERN_ERR_NOMEM)
            msgf(ks->msg, sizeof ks->msg, "out of memory");
    }
    return rc;
}

int tern_keystore_sign(const tern_keystore *ks, tern_keystore_sig scheme, tern_hash_alg hash, const uint8_t *digest,
                       uint8_t *sig, size_t cap, size_t *siglen, tern_rng_fn rng, void *rng_arg) {
    TERN_ENSURE(ks->key_type == TERN_X509_KEY_RSA || ks->key_type == TERN_X509_KEY_EC, TERN_ERR_STATE);
    TERN_ENSURE(tern_hash_len(hash) != 0, TERN_ERR_UNSUPPORTED);
    if (ks->key_type == TERN_X509_KEY_EC || scheme == TERN_KEYSTORE_ECDSA) {
        TERN_ENSURE(ks->key_type == TERN_X509_KEY_EC && scheme == TERN_KEYSTORE_ECDSA, TERN_ERR_INVALID_ARG);
        if (ks->ec_curve == TERN_X509_CURVE_P384)
            return tern_ecdsa_p384_sign(ks->ec_priv, hash, digest, sig, cap, siglen, rng, rng_arg);
        TERN_ENSURE(ks->ec_curve == TERN_X509_CURVE_P256, TERN_ERR_STATE);
        return tern_ecdsa_p256_sign(ks->ec_priv, hash, digest, sig, cap, siglen, rng, rng_arg);
    }
    size_t n = tern_rsa_len(&ks->rsa.pub);
    TERN_ENSURE(cap >= n, TERN_ERR_BUFFER_TOO_SMALL);
    if (scheme == TERN_KEYSTORE_RSA_PKCS1)
        TERN_TRY(tern_rsa_pkcs1_sign(&ks->rsa, hash, digest, sig, cap, rng, rng_arg));
    else if (scheme == TERN_KEYSTORE_RSA_PSS)
        TERN_TRY(tern_rsa_pss_sign(&ks->rsa, hash, digest, sig, cap, rng, rng_arg));
    else
        return TERN_ERR_INVALID_ARG;
    *siglen = n;
    return 0;
}
