/*
 * `tern inspect FILE`: what a certificate / key file holds, and what tern
 * would use it as (the way `openssl x509 -text` and `keytool -list -v`
 * show a file, in the words of the rest of the tern command).
 *
 * The input is recognised by its content, not its name: PEM (RFC 7468;
 * every block is shown: CERTIFICATE, PRIVATE KEY, RSA PRIVATE KEY, EC
 * PRIVATE KEY, ENCRYPTED PRIVATE KEY, the legacy "Proc-Type: 4,ENCRYPTED"
 * form, X509 CRL, and any other label named), a PKCS#12 file (RFC 7292:
 * its MAC, how its parts are encrypted, its certificates and keys with
 * their friendlyName / localKeyID), or one DER structure (a certificate,
 * a CRL, a PKCS#1 / SEC 1 / PKCS#8 private key, an EncryptedPrivateKeyInfo).
 * Encrypted keys show their scheme without a password and their contents
 * with one (the password options of tools/tool_password.c).  Everything is
 * read by the library's own parsers (lib/x509/x509.h, crl.h, pem.h,
 * store.h: tern_key_der_info, pkcs8.h: tern_pkcs8_describe, pkcs12.h); the
 * tool only lays out what they found.
 *
 * A block that does not parse gets a sentence and the others are still
 * shown.  Exit codes: 0 the file holds something tern can use and every
 * block parsed; 1 a block is malformed or nothing in the file is usable;
 * 2 usage error or an unreadable file.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/ct.h"
#include "crypto/sha2.h"
#include "lib/x509/crl.h"
#include "lib/x509/pem.h"
#include "lib/x509/pkcs12.h"
#include "lib/x509/pkcs8.h"
#include "lib/x509/store.h"
#include "lib/x509/verify.h"
#include "tools/tool.h"

#define MAX_ITEMS 256         /* blocks shown from one file (a CA bundle has ~150) */
#define MAX_FILE (16u << 20)  /* 16 MB: no key or trust store is larger */

static void inspect_usage(void) {
    fprintf(stderr,
            "usage: tern inspect [--password-file FILE | --password-env VAR | --password pass:TEXT] FILE\n"
            "Shows what a certificate or key file holds: each certificate (subject, issuer, serial,\n"
            "validity and whether it holds now, key type and size, signature algorithm, subjectAltName,\n"
            "keyUsage, extKeyUsage, basicConstraints, self-signed or not, SHA-256 fingerprint), each\n"
            "private key (type, size, which certificate of the file it belongs to), each CRL (issuer,\n"
            "thisUpdate / nextUpdate, revoked serials), then what tern would use the file as (a key\n"
            "store, a trust store, CRLs ...) and the option that loads it.  The file may be PEM (any\n"
            "number of blocks), a PKCS#12 file (.p12/.pfx: its MAC, encryption, certificates and keys),\n"
            "or one DER certificate, CRL or private key (PKCS#1, SEC 1, PKCS#8, encrypted PKCS#8);\n"
            "its name does not matter.  An encrypted key (PKCS#8 EncryptedPrivateKeyInfo, PEM or DER, or\n"
            "OpenSSL's legacy \"Proc-Type: 4,ENCRYPTED\" PEM) shows its encryption (scheme, KDF, PRF,\n"
            "iterations, cipher) without a password; with one (the options below) it is decrypted and\n"
            "shown like any key; a PKCS#12 file is opened with it (the empty password is tried first).\n"
            "  --password-file FILE, --password-env VAR, --password pass:TEXT: the password of an encrypted\n"
            "  key, as for --keystore (tern --help).\n"
            "Exit codes: 0 the file is usable and every block parsed; 1 a block is malformed or\n"
            "nothing in the file is usable (a sentence says which); 2 usage error or unreadable file.\n");
}

/* What was found, for the verdict. */
typedef enum { IT_CERT, IT_KEY, IT_ENC_KEY, IT_CRL, IT_OTHER, IT_BAD } item_kind;

typedef struct {
    item_kind kind;
    uint8_t *der; /* malloc'd (wiped before free: it may hold a private key) */
    size_t len;
    tern_x509_cert cert; /* IT_CERT */
    tern_key_info key;   /* IT_KEY */
    int key_ok;          /* IT_KEY: tern can use it (size, curve) */
    char label[TERN_PEM_MAX_LABEL]; /* PEM: the block's label ("" for DER) */
    size_t line;                    /* PEM: its BEGIN line */
    int encrypted;                  /* PEM: legacy encryption headers */
    tern_pem_block block;           /* PEM: the block (legacy decryption reads its headers) */
    int decrypted;                  /* IT_KEY: it was encrypted, and the password opened it */
    char note[300];                 /* PKCS#12: the bag's attributes */
} item;

typedef struct {
    item items[MAX_ITEMS];
    size_t n;
    size_t bad;      /* malformed blocks */
    size_t more;     /* blocks past MAX_ITEMS, not shown */
    int64_t now;
    const char *pw; /* the password given, or NULL */
    size_t pwlen;
    int p12;          /* the file is a PKCS#12 PFX */
    int p12_locked;   /* ... whose contents the password did not open */
    size_t p12_trusted; /* certificates with Java's trusted-certificate mark */
} inspection;

static void date_text(int64_t t, char *out, size_t cap) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

static const char *hash_name(tern_hash_alg h) {
    switch (h) {
    case TERN_HASH_SHA256: return "SHA256";
    case TERN_HASH_SHA384: return "SHA384";
    case TERN_HASH_SHA512: return "SHA512";
    default: return "?";
    }
}

static const char *hash_lower(tern_hash_alg h) {
    switch (h) {
    case TERN_HASH_SHA256: return "sha256";
    case TERN_HASH_SHA384: return "sha384";
    case TERN_HASH_SHA512: return "sha512";
    default: return "?";
    }
}

/* The signature algorithm by the name openssl prints (RFC 4055, RFC 5758). */
static void sigalg_text(const tern_x509_sigalg *s, char *out, size_t cap) {
    switch (s->type) {
    case TERN_X509_SIG_RSA_PKCS1: snprintf(out, cap, "%sWithRSAEncryption", hash_lower(s->hash)); break;
    case TERN_X509_SIG_RSA_PSS:
        snprintf(out, cap, "rsassaPss (RSASSA-PSS: %s, MGF1 with %s, salt %u bytes)", hash_name(s->hash), hash_name(s->hash),
                 s->salt_len);
        break;
    case TERN_X509_SIG_ECDSA: snprintf(out, cap, "ecdsa-with-%s", hash_name(s->hash)); break;
    case TERN_X509_SIG_RSA_SHA1: snprintf(out, cap, "sha1WithRSAEncryption (SHA-1: tern refuses it)"); break;
    case TERN_X509_SIG_RSA_MD5: snprintf(out, cap, "md5WithRSAEncryption (MD5: tern refuses it)"); break;
    case TERN_X509_SIG_ECDSA_SHA1: snprintf(out, cap, "ecdsa-with-SHA1 (SHA-1: tern refuses it)"); break;
    default: snprintf(out, cap, "an algorithm tern does not know (it cannot check this signature)"); break;
    }
}

static const char *curve_name(int curve) {
    return curve == TERN_X509_CURVE_P256 ? "P-256 (secp256r1)" : curve == TERN_X509_CURVE_P384 ? "P-384 (secp384r1)"
                                                                                               : "another curve";
}

static void key_text(tern_x509_key_type type, size_t bits, int curve, char *out, size_t cap) {
    if (type == TERN_X509_KEY_RSA)
        snprintf(out, cap, "RSA %zu bits", bits);
    else if (type == TERN_X509_KEY_EC)
        snprintf(out, cap, "EC %s", curve_name(curve));
    else
        snprintf(out, cap, "an algorithm tern does not use");
}

static void print_hex_colon(const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        printf("%s%02X", i ? ":" : "", p[i]);
}

/* A string from a certificate, with bytes outside printable ASCII as \\xNN
 * (a hostile name cannot write to the terminal). */
static void print_text(const char *prefix, tern_span v) {
    printf("%s", prefix);
    for (size_t i = 0; i < v.len; i++) {
        uint8_t c = v.p[i];
        if (c < 0x20 || c >= 0x7f || c == '\\')
            printf("\\x%02X", c);
        else
            putchar(c);
    }
}

/* subjectAltName entries (RFC 5280 §4.2.1.6) as openssl prints them.  The
 * parser checked the GeneralNames when it read the certificate. */
static void print_sans(const tern_x509_cert *c) {
    tern_reader r;
    tern_der_elem e;
    int first = 1;
    tern_rd_init(&r, c->san.p, c->san.len);
    while (tern_rd_left(&r) > 0 && tern_der_next(&r, &e) == 0) {
        printf("%s", first ? "" : ", ");
        first = 0;
        switch (e.tag) {
        case TERN_DER_CTX_PRIM(1): print_text("email:", e.content); break;
        case TERN_DER_CTX_PRIM(2): print_text("DNS:", e.content); break;
        case TERN_DER_CTX_PRIM(6): print_text("URI:", e.content); break;
        case TERN_DER_CTX_PRIM(7): {
            char ip[64];
            tern_x509_format_ip(e.content.p, e.content.len, ip, sizeof ip);
            printf("IP:%s", ip);
            break;
        }
        case TERN_DER_CTX_CONS(4): {
            char name[256];
            tern_reader in;
            tern_span dn = {NULL, 0};
            tern_der_elem inner;
            tern_rd_init(&in, e.content.p, e.content.len);
            if (tern_der_next(&in, &inner) == 0)
                dn = inner.tlv;
            tern_x509_name_display(dn, name, sizeof name);
            printf("DirName:%s", name);
            break;
        }
        default: printf("(a name of form [%u])", (unsigned)(e.tag & 0x1f)); break;
        }
    }
    printf("%s", first ? "(none)" : "");
}

/* Strings from a name are shown as they are, but control bytes become '?'
 * so that a hostile certificate cannot write to the terminal. */
static void sanitize(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '?';
}

static void show_cert(inspection *in, item *it) {
    const tern_x509_cert *c = &it->cert;
    char subj[512], iss[512], nb[40], na[40], buf[160];
    tern_x509_name_display(c->subject, subj, sizeof subj);
    tern_x509_name_display(c->issuer, iss, sizeof iss);
    sanitize(subj);
    sanitize(iss);
    date_text(c->not_before, nb, sizeof nb);
    date_text(c->not_after, na, sizeof na);
    printf("    subject:       %s\n", subj[0] ? subj : "(empty)");
    printf("    issuer:        %s\n", iss[0] ? iss : "(empty)");
    printf("    serial:        ");
    /* Like `openssl x509 -serial`: upper-case hex, no sign byte. */
    size_t skip = c->serial.len > 1 && c->serial.p[0] == 0 ? 1 : 0;
    for (size_t i = skip; i < c->serial.len; i++)
        printf("%02X", c->serial.p[i]);
    printf("\n");
    printf("    validity:      %s .. %s (%s)\n", nb, na,
           in->now < c->not_before  ? "NOT YET VALID"
           : in->now > c->not_after ? "EXPIRED"
                                    : "valid now");
    key_text(c->key.type, c->key.bits, c->key.curve, buf, sizeof buf);
    printf("    public key:    %s", buf);
    if (c->key.type == TERN_X509_KEY_RSA && (c->key.bits < TERN_RSA_MIN_BITS || c->key.bits > TERN_RSA_MAX_BITS))
        printf(" (tern uses RSA keys of %d to %d bits only)", TERN_RSA_MIN_BITS, TERN_RSA_MAX_BITS);
    else if (c->key.type == TERN_X509_KEY_EC && c->key.curve == 0)
        printf(" (tern uses P-256 and P-384 only)");
    printf("\n");
    sigalg_text(&c->sig_alg, buf, sizeof buf);
    printf("    signature:     %s\n", buf);
    printf("    subjectAltName: ");
    if (c->has_san)
        print_sans(c);
    else
        printf("(none: no DNS name or IP address can match this certificate)");
    printf("%s\n", c->san_critical ? " (critical)" : "");
    printf("    keyUsage:      ");
    if (c->has_key_usage) {
        static const char *const ku[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                         "dataEncipherment", "keyAgreement",   "keyCertSign",
                                         "cRLSign",          "encipherOnly",   "decipherOnly"};
        int first = 1;
        for (size_t k = 0; k < TERN_ARRAY_LEN(ku); k++)
            if (c->key_usage & (1u << k)) {
                printf("%s%s", first ? "" : ", ", ku[k]);
                first = 0;
            }
        printf("%s%s\n", first ? "(no bit set)" : "", c->ku_critical ? " (critical)" : "");
    } else {
        printf("(absent: any use)\n");
    }
    printf("    extKeyUsage:   ");
    if (c->has_eku) {
        int first = 1;
        const char *e[] = {"serverAuth", "clientAuth", "anyExtendedKeyUsage", "other purposes"};
        for (size_t k = 0; k < 4; k++)
            if (c->eku & (1u << k)) {
                printf("%s%s", first ? "" : ", ", e[k]);
                first = 0;
            }
        printf("%s%s\n", first ? "(none)" : "", c->eku_critical ? " (critical)" : "");
    } else {
        printf("(absent: any purpose)\n");
    }
    printf("    CA:            ");
    if (c->has_basic_constraints && c->is_ca) {
        printf("yes (basicConstraints cA");
        if (c->has_path_len)
            printf(", pathLenConstraint %u", c->path_len);
        printf(")\n");
    } else {
        printf("no (%s)\n", c->has_basic_constraints ? "basicConstraints cA false" : "no basicConstraints");
    }
    /* Self-signed: issuer = subject, and its own key verifies the signature. */
    if (tern_x509_self_issued(c)) {
        char why[160] = "";
        int rc = tern_x509_check_signature(c, c, why, sizeof why);
        printf("    self-signed:   %s\n", rc == 0 ? "yes (issuer = subject, and its own key verifies its signature)"
                                          : "self-issued (issuer = subject) but its own key does not verify it");
    } else {
        printf("    self-signed:   no\n");
    }
    uint8_t fp[TERN_SHA256_LEN];
    tern_sha256(fp, c->der.p, c->der.len);
    printf("    SHA-256:       ");
    print_hex_colon(fp, sizeof fp);
    printf("\n");
}

static void cert_label(const item *it, char *out, size_t cap) {
    tern_x509_cert_label(&it->cert, out, cap);
    sanitize(out);
}

static void show_key(inspection *in, item *it, const char *why) {
    char buf[160];
    if (it->key.type == TERN_X509_KEY_UNKNOWN) {
        printf("    not usable:    %s\n", why);
        return;
    }
    key_text(it->key.type, it->key.bits, it->key.curve, buf, sizeof buf);
    printf("    key:           %s%s%s\n", buf, it->key_ok ? "" : "; not usable: ", it->key_ok ? "" : why);
    int found = 0;
    for (size_t k = 0; k < in->n; k++) {
        if (in->items[k].kind != IT_CERT || !tern_key_matches_cert(&it->key, &in->items[k].cert))
            continue;
        cert_label(&in->items[k], buf, sizeof buf);
        printf("    matches:       certificate [%zu] %s (same public key)\n", k + 1, buf);
        found = 1;
    }
    if (!found)
        printf("    matches:       no certificate in this file\n");
}

static void show_crl(const tern_crl *crl) {
    char iss[512], tu[40], nu[40];
    tern_x509_name_display(crl->issuer, iss, sizeof iss);
    sanitize(iss);
    date_text(crl->this_update, tu, sizeof tu);
    printf("    issuer:        %s\n", iss);
    printf("    thisUpdate:    %s\n", tu);
    if (crl->has_next_update) {
        date_text(crl->next_update, nu, sizeof nu);
        printf("    nextUpdate:    %s\n", nu);
    } else {
        printf("    nextUpdate:    (none)\n");
    }
    if (crl->has_number) {
        char num[64];
        tern_crl_format_serial(crl->number, num, sizeof num);
        printf("    cRLNumber:     %s\n", num);
    }
    char sa[160];
    sigalg_text(&crl->sig_alg, sa, sizeof sa);
    printf("    signature:     %s\n", sa);
    printf("    revoked:       %zu certificate%s\n", crl->n_entries, crl->n_entries == 1 ? "" : "s");
    size_t show = crl->n_entries < 20 ? crl->n_entries : 20;
    for (size_t k = 0; k < show; k++) {
        char serial[80], when[40];
        tern_crl_format_serial(crl->entries[k].serial, serial, sizeof serial);
        date_text(crl->entries[k].date, when, sizeof when);
        printf("      serial %s on %s (%s)\n", serial, when, tern_crl_reason_name(crl->entries[k].reason));
    }
    if (show < crl->n_entries)
        printf("      (%zu more)\n", crl->n_entries - show);
}

static item *new_item(inspection *in) {
    if (in->n == MAX_ITEMS) {
        in->more++;
        return NULL;
    }
    item *it = &in->items[in->n++];
    memset(it, 0, sizeof *it);
    return it;
}

static void show_encrypted(inspection *in, item *it, const char *where, tern_key_der_format kf);

/* A certificate, key or CRL in DER (format: the PEM label's, or "DER"
 * when the whole file is one).  kind_hint: IT_CERT / IT_KEY / IT_CRL from
 * a PEM label, IT_OTHER to try each. */
static void show_der(inspection *in, item *it, item_kind hint, tern_key_der_format kf, const char *where) {
    char why[256] = "";
    if (hint == IT_CERT || hint == IT_OTHER) {
        if (tern_x509_parse(&it->cert, it->der, it->len) == 0) {
            it->kind = IT_CERT;
            printf("[%zu] certificate (%s)\n", (size_t)(it - in->items) + 1, where);
            show_cert(in, it);
            return;
        }
        if (hint == IT_CERT) {
            printf("[%zu] certificate (%s): MALFORMED: %zu bytes that do not parse as an X.509 certificate "
                   "(RFC 5280 §4.1)\n",
                   (size_t)(it - in->items) + 1, where, it->len);
            it->kind = IT_BAD;
            in->bad++;
            return;
        }
    }
    if (hint == IT_CRL || hint == IT_OTHER) {
        tern_crl crl;
        int rc = tern_crl_parse(&crl, it->der, it->len, why, sizeof why);
        if (rc == 0) {
            it->kind = IT_CRL;
            printf("[%zu] CRL: a certificate revocation list (%s)\n", (size_t)(it - in->items) + 1, where);
            show_crl(&crl);
            tern_crl_free(&crl);
            return;
        }
        if (hint == IT_CRL || rc == TERN_ERR_UNSUPPORTED) {
            printf("[%zu] CRL (%s): %s: this CRL %s\n", (size_t)(it - in->items) + 1, where,
                   rc == TERN_ERR_UNSUPPORTED ? "NOT USABLE" : "MALFORMED",
                   why[0] ? why : "does not parse as RFC 5280 §5.1 describes");
            it->kind = IT_BAD;
            in->bad++;
            return;
        }
    }
    if (hint == IT_OTHER) {
        /* EncryptedPrivateKeyInfo (RFC 5958 §3): SEQUENCE { AlgorithmIdentifier, OCTET STRING }. */
        char desc[320];
        if (tern_pkcs8_describe(it->der, it->len, desc, sizeof desc) != TERN_ERR_DECODE) {
            it->kind = IT_ENC_KEY;
            show_encrypted(in, it, where, TERN_KEY_DER_PKCS8);
            return;
        }
    }
    int rc = tern_key_der_info(it->der, it->len, kf, &it->key, why, sizeof why);
    if (hint == IT_OTHER && rc != 0 && it->key.type == TERN_X509_KEY_UNKNOWN && rc != TERN_ERR_UNSUPPORTED) {
        printf("[%zu] unknown DER (%s): %zu bytes that are not a certificate, a CRL or a private key tern "
               "reads (PKCS#1, SEC 1, PKCS#8)\n",
               (size_t)(it - in->items) + 1, where, it->len);
        it->kind = IT_BAD;
        in->bad++;
        return;
    }
    it->kind = IT_KEY;
    it->key_ok = rc == 0;
    static const char *const fmt[] = {"", "PKCS#1 RSAPrivateKey", "SEC 1 ECPrivateKey", "PKCS#8 PrivateKeyInfo"};
    printf("[%zu] private key (%s%s%s), not encrypted\n", (size_t)(it - in->items) + 1, where,
           it->key.format ? ": " : "", fmt[it->key.format]);
    if (rc != 0 && it->key.type == TERN_X509_KEY_UNKNOWN) {
        /* Malformed, or a kind tern does not read: the sentence says which. */
        if (rc != TERN_ERR_UNSUPPORTED)
            in->bad++;
        it->kind = rc == TERN_ERR_UNSUPPORTED ? IT_OTHER : IT_BAD;
    }
    show_key(in, it, why);
}

/* An encrypted key: its scheme (read without the password), then, with a
 * password, the key itself.  kf: what the plaintext is (PKCS#8 for an
 * EncryptedPrivateKeyInfo; the PEM label's form for the legacy headers). */
static void show_encrypted(inspection *in, item *it, const char *where, tern_key_der_format kf) {
    size_t idx = (size_t)(it - in->items) + 1;
    char desc[320] = "";
    int rc;
    if (it->encrypted) {
        /* RFC 1421 headers as OpenSSL writes them ("Proc-Type: 4,ENCRYPTED", "DEK-Info"). */
        printf("[%zu] private key (%s), ENCRYPTED with OpenSSL's legacy PEM encryption\n", idx, where);
        const tern_pem_block *b = &it->block;
        int aes = strcmp(b->dek_cipher, "AES-128-CBC") == 0 || strcmp(b->dek_cipher, "AES-192-CBC") == 0 ||
                  strcmp(b->dek_cipher, "AES-256-CBC") == 0;
        char cipher[sizeof b->dek_cipher];
        memcpy(cipher, b->dek_cipher, sizeof cipher);
        cipher[sizeof cipher - 1] = 0;
        sanitize(cipher);
        if (b->hdr_bad) {
            printf("    encryption:    MALFORMED: the Proc-Type / DEK-Info headers are not \"Proc-Type: 4,ENCRYPTED\",\n"
                   "                   \"DEK-Info: CIPHER,IV\" and a blank line\n");
            it->kind = IT_BAD;
            in->bad++;
            return;
        }
        printf("    encryption:    DEK-Info %s; the key is EVP_BytesToKey(MD5, one iteration) of the password and\n"
               "                   the IV's first 8 bytes (weak: `openssl pkcs8 -topk8 -v2 aes-256-cbc` rewrites it as PBES2)\n",
               cipher[0] ? cipher : "(none)");
        if (!aes) {
            printf("    not usable:    tern reads the legacy form with AES only; re-encrypt it with AES: openssl pkey "
                   "-aes256 -in KEY -out KEY.new\n");
            it->kind = IT_OTHER;
            return;
        }
    } else {
        printf("[%zu] private key (%s), ENCRYPTED: a PKCS#8 EncryptedPrivateKeyInfo (RFC 5958 §3)\n", idx, where);
        rc = tern_pkcs8_describe(it->der, it->len, desc, sizeof desc);
        if (rc == TERN_ERR_DECODE) {
            printf("    encryption:    MALFORMED: %s\n", strncmp(desc, "private key: ", 13) == 0 ? desc + 13 : desc);
            it->kind = IT_BAD;
            in->bad++;
            return;
        }
        if (rc != 0) {
            printf("    not usable:    %s\n", strncmp(desc, "private key: ", 13) == 0 ? desc + 13 : desc);
            it->kind = IT_OTHER;
            return;
        }
        printf("    encryption:    %s\n", desc);
    }
    if (in->pw == NULL) {
        printf("    contents:      not shown without the password (--password-file FILE or --password-env VAR)\n");
        return;
    }
    uint8_t *plain = NULL;
    size_t plen = 0;
    char msg[320] = "";
    rc = it->encrypted ? tern_pem_legacy_decrypt(&it->block, (const uint8_t *)in->pw, in->pwlen, &plain, &plen, msg,
                                                 sizeof msg)
                       : tern_pkcs8_decrypt(it->der, it->len, (const uint8_t *)in->pw, in->pwlen, &plain, &plen, msg,
                                            sizeof msg);
    if (rc != 0) {
        printf("    decrypted:     NO: %s\n", strncmp(msg, "private key: ", 13) == 0 ? msg + 13 : msg);
        it->kind = rc == TERN_ERR_DECRYPT_FAILED ? IT_ENC_KEY : IT_BAD;
        in->bad++;
        return;
    }
    printf("    decrypted:     yes, with the password given\n");
    if (it->der != NULL) {
        tern_wipe(it->der, it->len);
        free(it->der);
    }
    it->der = plain;
    it->len = plen;
    char why[256] = "";
    rc = tern_key_der_info(it->der, it->len, kf, &it->key, why, sizeof why);
    static const char *const fmt[] = {"", "PKCS#1 RSAPrivateKey", "SEC 1 ECPrivateKey", "PKCS#8 PrivateKeyInfo"};
    printf("    holds:         %s\n", it->key.format ? fmt[it->key.format] : "a key tern cannot read");
    it->kind = IT_KEY;
    it->key_ok = rc == 0;
    it->decrypted = 1;
    if (rc != 0 && it->key.type == TERN_X509_KEY_UNKNOWN) {
        if (rc != TERN_ERR_UNSUPPORTED)
            in->bad++;
        it->kind = rc == TERN_ERR_UNSUPPORTED ? IT_OTHER : IT_BAD;
    }
    show_key(in, it, why);
}

static void p12_attrs_text(const tern_p12_attrs *a, char *out, size_t cap) {
    size_t n = 0;
    out[0] = 0;
    if (a->name[0])
        n += (size_t)snprintf(out + n, cap - n, ", friendlyName \"%s\"", a->name);
    for (size_t k = 0; k < a->key_id_len && n + 4 < cap; k++)
        n += (size_t)snprintf(out + n, cap - n, "%s%02X", k ? ":" : ", localKeyID ", a->key_id[k]);
    if (a->java_trusted && n < cap)
        snprintf(out + n, cap - n, ", Java trusted-certificate mark");
    sanitize(out);
}

/* A PKCS#12 file (RFC 7292) through lib/x509/pkcs12.h: the MAC, how the
 * parts are encrypted, then every certificate and key like the PEM ones.
 * Without a password the empty one is tried (what `openssl pkcs12
 * -passout pass:` writes). */
static void inspect_p12(inspection *in, const uint8_t *der, size_t len) {
    tern_p12 *p = malloc(sizeof *p);
    if (p == NULL) {
        printf("out of memory\n");
        in->bad++;
        return;
    }
    tern_p12_init(p);
    in->p12 = 1;
    if (tern_p12_parse_pfx(p, der, len) != 0) {
        printf("    MALFORMED: %s\n", p->msg);
        in->bad++;
        goto out;
    }
    char mac[200];
    tern_p12_describe_mac(p, mac, sizeof mac);
    printf("    integrity:     %s\n", p->mac == TERN_P12_MAC_NONE
                                          ? "none: the file has no MAC (RFC 7292 §4 makes it optional), so nothing\n"
                                            "                   shows whether it was altered"
                                          : mac);
    const uint8_t *pw = (const uint8_t *)(in->pw ? in->pw : "");
    size_t pwlen = in->pw ? in->pwlen : 0;
    int rc = tern_p12_check_mac(p, pw, pwlen);
    if (rc == 0) {
        rc = tern_p12_parse_safe(p, p->auth_safe.p, p->auth_safe.len, pw, pwlen);
    } else {
        /* The MAC's sentence is the one to show; the parts are read only
         * for how they are encrypted (which is read before decrypting). */
        char why[sizeof p->msg];
        memcpy(why, p->msg, sizeof why);
        if (tern_p12_parse_safe(p, p->auth_safe.p, p->auth_safe.len, pw, pwlen) == 0) {
            /* cannot happen with a MAC that failed, unless it is unkeyed */
        }
        memcpy(p->msg, why, sizeof why);
    }
    printf("    certificates:  %s\n", p->enc_certs[0] ? p->enc_certs : p->encrypted_parts ? "encrypted"
                                                                  : rc == 0      ? "not encrypted"
                                                                                 : "(not read)");
    if (p->enc_keys[0] || rc == 0)
        printf("    keys:          %s\n", p->enc_keys[0] ? p->enc_keys : p->nkeys ? "not encrypted (keyBag)" : "(none)");
    if (rc != 0) {
        if (in->pw == NULL && (rc == TERN_ERR_DECRYPT_FAILED || rc == TERN_ERR_DECRYPT)) {
            printf("    password:      needed (the empty one does not open it): --password-file FILE or --password-env VAR\n");
            in->p12_locked = 1;
        } else if (rc == TERN_ERR_DECRYPT_FAILED || rc == TERN_ERR_DECRYPT) {
            printf("    password:      WRONG: %s\n", p->msg);
            in->p12_locked = 1;
            in->bad++;
        } else {
            printf("    NOT USABLE:    %s\n", p->msg);
            in->bad++;
        }
        goto out;
    }
    printf("    password:      %s\n", in->pw ? "opens it (the MAC verifies and the parts decrypt)"
                                             : "none (the empty password opens it)");
    if (p->skipped)
        printf("    skipped:       %zu bag%s tern does not use (CRL, secret or unknown bags)\n", p->skipped,
               p->skipped == 1 ? "" : "s");
    for (size_t k = 0; k < p->ncerts; k++) {
        item *it = new_item(in);
        if (it == NULL)
            break;
        it->der = malloc(p->certs[k].len ? p->certs[k].len : 1);
        if (it->der == NULL)
            break;
        memcpy(it->der, p->certs[k].der, p->certs[k].len);
        it->len = p->certs[k].len;
        char attrs[300];
        p12_attrs_text(&p->certs[k].a, attrs, sizeof attrs);
        if (p->certs[k].a.java_trusted)
            in->p12_trusted++;
        if (tern_x509_parse(&it->cert, it->der, it->len) != 0) {
            printf("[%zu] certificate (PKCS#12 certBag%s): MALFORMED: %zu bytes that do not parse as an X.509 "
                   "certificate\n", in->n, attrs, it->len);
            it->kind = IT_BAD;
            in->bad++;
            continue;
        }
        it->kind = IT_CERT;
    }
    size_t first_key = in->n;
    for (size_t k = 0; k < p->nkeys; k++) {
        item *it = new_item(in);
        if (it == NULL)
            break;
        it->der = malloc(p->keys[k].len ? p->keys[k].len : 1);
        if (it->der == NULL)
            break;
        memcpy(it->der, p->keys[k].pkcs8, p->keys[k].len);
        it->len = p->keys[k].len;
        it->decrypted = p->keys[k].shrouded;
        it->kind = IT_KEY;
        p12_attrs_text(&p->keys[k].a, it->note, sizeof it->note);
    }
    for (size_t k = 0; k < in->n; k++) {
        item *it = &in->items[k];
        if (it->kind == IT_CERT && k < first_key) {
            char attrs[300];
            p12_attrs_text(&p->certs[k].a, attrs, sizeof attrs);
            printf("[%zu] certificate (PKCS#12 certBag%s)\n", k + 1, attrs);
            show_cert(in, it);
        } else if (it->kind == IT_KEY) {
            char why[256] = "";
            int krc = tern_key_der_info(it->der, it->len, TERN_KEY_DER_PKCS8, &it->key, why, sizeof why);
            it->key_ok = krc == 0;
            printf("[%zu] private key (PKCS#12 %s%s)\n", k + 1, it->decrypted ? "pkcs8ShroudedKeyBag" : "keyBag",
                   it->note);
            if (krc != 0 && it->key.type == TERN_X509_KEY_UNKNOWN) {
                if (krc != TERN_ERR_UNSUPPORTED)
                    in->bad++;
                it->kind = krc == TERN_ERR_UNSUPPORTED ? IT_OTHER : IT_BAD;
            }
            show_key(in, it, why);
        }
    }
out:
    tern_p12_free(p);
    free(p);
}

/* Every block of a PEM text, in order: first collected (and every
 * certificate parsed, so that a key can name its certificate wherever it
 * comes in the file), then shown. */
static void inspect_pem(inspection *in, const uint8_t *text, size_t len) {
    tern_pem_reader r;
    tern_pem_block b;
    int more;
    tern_pem_init(&r, text, len);
    while ((more = tern_pem_next(&r, &b)) == 1) {
        item *it = new_item(in);
        if (it == NULL)
            continue;
        memcpy(it->label, b.label, sizeof it->label);
        it->label[sizeof it->label - 1] = 0;
        sanitize(it->label);
        it->line = b.line;
        it->encrypted = b.encrypted;
        it->block = b;
        it->kind = IT_OTHER;
        if (b.encrypted) {
            it->kind = IT_ENC_KEY;
            continue;
        }
        size_t cap = tern_pem_decoded_max(&b), got = 0;
        it->der = malloc(cap ? cap : 1);
        it->len = cap;
        if (it->der == NULL || tern_pem_decode(&b, it->der, cap, &got) != 0) {
            it->kind = IT_BAD;
            continue;
        }
        it->len = got;
        if (strcmp(b.label, "ENCRYPTED PRIVATE KEY") == 0)
            it->kind = IT_ENC_KEY;
        else if ((strcmp(b.label, "CERTIFICATE") == 0 || strcmp(b.label, "TRUSTED CERTIFICATE") == 0) &&
            tern_x509_parse(&it->cert, it->der, it->len) == 0)
            it->kind = IT_CERT;
    }
    for (size_t k = 0; k < in->n; k++) {
        item *it = &in->items[k];
        char where[128];
        snprintf(where, sizeof where, "PEM \"%s\" at line %zu", it->label, it->line);
        int is_cert = strcmp(it->label, "CERTIFICATE") == 0 || strcmp(it->label, "TRUSTED CERTIFICATE") == 0;
        int pkcs1 = strcmp(it->label, "RSA PRIVATE KEY") == 0, sec1 = strcmp(it->label, "EC PRIVATE KEY") == 0;
        int pkcs8 = strcmp(it->label, "PRIVATE KEY") == 0, crl = strcmp(it->label, "X509 CRL") == 0;
        if (it->kind == IT_ENC_KEY) {
            show_encrypted(in, it, where, pkcs1 ? TERN_KEY_DER_PKCS1 : sec1 ? TERN_KEY_DER_SEC1 : TERN_KEY_DER_PKCS8);
        } else if (!is_cert && !pkcs1 && !sec1 && !pkcs8 && !crl) {
            it->kind = IT_OTHER;
            printf("[%zu] a \"%s\" block (line %zu): not something tern reads; it is skipped\n", k + 1, it->label,
                   it->line);
        } else if (it->kind == IT_BAD) {
            printf("[%zu] %s: MALFORMED: the block is not valid base64 (RFC 7468 §3)\n", k + 1, where);
            in->bad++;
        } else if (it->kind == IT_CERT) {
            printf("[%zu] certificate (%s)\n", k + 1, where);
            show_cert(in, it);
        } else {
            show_der(in, it,
                     is_cert ? IT_CERT
                     : crl   ? IT_CRL
                             : IT_KEY,
                     pkcs1  ? TERN_KEY_DER_PKCS1
                     : sec1 ? TERN_KEY_DER_SEC1
                            : TERN_KEY_DER_PKCS8,
                     where);
        }
    }
    if (more < 0) {
        printf("MALFORMED PEM after line %zu: a BEGIN line without its END line (truncated?); nothing after it "
               "is read\n",
               r.line);
        in->bad++;
    }
}

/* What tern makes of a PKCS#12 file: tern_p12_keystore / tern_p12_truststore's rules. */
static int verdict_p12(const inspection *in, const char *path, size_t certs, size_t cas, const item *key,
                       size_t usable_keys) {
    const char *pwopt = in->pw ? " --password-file FILE" : "";
    if (in->p12_locked && in->pw != NULL) {
        printf("tern would use this file as: nothing with this password (the right one shows what it holds)\n");
        return 1;
    }
    if (in->p12_locked) {
        printf("tern would use this file as: a PKCS#12 key store or trust store; give its password to see which\n");
        printf("  tern inspect --password-file FILE %s\n", path);
        return in->bad ? 1 : 0;
    }
    if (in->bad && certs == 0 && key == NULL) {
        printf("tern would use this file as: nothing: it cannot be read (the sentence above says why)\n");
        return 1;
    }
    if (key != NULL) {
        int matched = 0;
        for (size_t k = 0; k < in->n; k++)
            if (in->items[k].kind == IT_CERT && tern_key_matches_cert(&key->key, &in->items[k].cert))
                matched = 1;
        if (!matched) {
            printf("tern would use this file as: nothing: its private key matches none of its certificates\n");
            return 1;
        }
        printf("tern would use this file as: a key store (PKCS#12: %zu private key%s, %zu certificate%s; the chain\n"
               "  is ordered from the key's certificate)\n",
               usable_keys, usable_keys == 1 ? "" : "s", certs, certs == 1 ? "" : "s");
        if (usable_keys > 1)
            printf("  tern server --keystore %s --keyname NAME%s   (several keys: choose one by friendlyName)\n", path,
                   pwopt);
        else
            printf("  tern server --keystore %s%s\n", path, pwopt);
        return in->bad ? 1 : 0;
    }
    if (certs > 0) {
        size_t n = in->p12_trusted ? in->p12_trusted : certs;
        printf("tern would use this file as: a trust store (PKCS#12: %zu certificate%s%s%s)\n", n, n == 1 ? "" : "s",
               in->p12_trusted ? " with Java's trusted-certificate mark" : "",
               !in->p12_trusted && cas == certs ? ", all CAs" : "");
        printf("  tern client --truststore %s%s HOST:PORT\n", path, pwopt);
        return in->bad ? 1 : 0;
    }
    printf("tern would use this file as: nothing: it holds no certificate or key tern can use\n");
    return 1;
}

/* The verdict: what tern would load this file as, and with which option. */
static int verdict(const inspection *in, const char *path) {
    size_t certs = 0, cas = 0, keys = 0, usable_keys = 0, enc = 0, crls = 0;
    const item *first_cert = NULL, *key = NULL;
    for (size_t k = 0; k < in->n; k++) {
        const item *it = &in->items[k];
        switch (it->kind) {
        case IT_CERT:
            certs++;
            if (first_cert == NULL)
                first_cert = it;
            if (it->cert.has_basic_constraints && it->cert.is_ca)
                cas++;
            break;
        case IT_KEY:
            keys++;
            if (it->key_ok) {
                usable_keys++;
                if (key == NULL)
                    key = it;
            }
            break;
        case IT_ENC_KEY: enc++; break;
        case IT_CRL: crls++; break;
        default: break;
        }
    }
    printf("\n");
    if (in->more)
        printf("(%zu more blocks not shown: at most %d)\n", in->more, MAX_ITEMS);
    if (in->p12)
        return verdict_p12(in, path, certs, cas, key, usable_keys);
    if (certs > 0 && key != NULL) {
        if (tern_key_matches_cert(&key->key, &first_cert->cert)) {
            printf("tern would use this file as: a key store (certificate chain of %zu + matching private key%s)\n",
                   certs, key->decrypted ? ", encrypted" : "");
            printf("  tern server --keystore %s %s%s\n", path, path,
                   key->decrypted ? " --password-file FILE" : "");
        } else {
            size_t which = 0;
            for (size_t k = 0; k < in->n; k++)
                if (in->items[k].kind == IT_CERT && tern_key_matches_cert(&key->key, &in->items[k].cert))
                    which = k + 1;
            if (which)
                printf("tern would use this file as: nothing yet: the private key belongs to certificate [%zu],\n"
                       "  but a key store's chain starts with the key's certificate (the leaf): put it first\n",
                       which);
            else
                printf("tern would use this file as: nothing: the private key matches no certificate in it\n"
                       "  (a key store needs the leaf certificate of this key; --keystore CHAIN KEY)\n");
            return 1;
        }
    } else if (certs > 0 && enc > 0) {
        printf("tern would use this file as: a key store whose private key is encrypted (certificate chain of %zu);\n"
               "  give the password (--password-file FILE) to check that the key is the leaf's\n"
               "  tern server --keystore %s %s --password-file FILE\n",
               certs, path, path);
    } else if (certs > 0 && cas == certs) {
        printf("tern would use this file as: a trust store (%zu CA certificate%s)%s\n", certs, certs == 1 ? "" : "s",
               crls ? " with CRLs" : "");
        printf("  tern client --truststore %s HOST:PORT%s\n", path,
               crls ? "   (and --crl for its CRLs: tern verify --crl FILE)" : "");
    } else if (certs > 0) {
        printf("tern would use this file as: a certificate chain without its key (%zu certificate%s; give the\n"
               "  key with --keystore CHAIN KEY)\n",
               certs, certs == 1 ? "" : "s");
        printf("  tern server --keystore %s KEY.pem   or check it: tern verify --truststore CA.pem %s\n", path, path);
    } else if (key != NULL) {
        printf("tern would use this file as: a private key without its certificate (give the chain first)\n");
        printf("  tern server --keystore CHAIN.pem %s%s\n", path, key->decrypted ? " --password-file FILE" : "");
    } else if (enc > 0) {
        printf("tern would use this file as: an encrypted private key (give the chain first, and its password)\n");
        printf("  tern server --keystore CHAIN.pem %s --password-file FILE\n", path);
    } else if (crls > 0) {
        printf("tern would use this file as: certificate revocation lists (%zu CRL%s)\n", crls, crls == 1 ? "" : "s");
        printf("  tern verify --crl %s ...   tern client --crl %s ...\n", path, path);
    } else {
        printf("tern would use this file as: nothing: it holds no certificate, key or CRL tern can use\n");
        return 1;
    }
    (void)keys;
    (void)usable_keys;
    return in->bad ? 1 : 0;
}

static uint8_t *read_all(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
        if (n == cap) {
            uint8_t *nb = cap >= MAX_FILE ? NULL : realloc(buf, cap * 2);
            if (nb == NULL) {
                tern_wipe(buf, cap);
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

static int looks_like_pem(const uint8_t *p, size_t len) {
    static const char begin[] = "-----BEGIN ";
    for (size_t i = 0; i + sizeof begin - 1 <= len; i++)
        if (memcmp(p + i, begin, sizeof begin - 1) == 0)
            return 1;
    return 0;
}

static int inspect_run(int argc, char **argv, tool_pw *pwo) {
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        int pwopt;
        if (strcmp(argv[i], "--help") == 0) {
            inspect_usage();
            return 0;
        } else if ((pwopt = tool_password_option(pwo, argc, argv, &i)) != 0) {
            if (pwopt < 0)
                return 2;
        } else if (argv[i][0] != '-' && path == NULL) {
            path = argv[i];
        } else {
            inspect_usage();
            return 2;
        }
    }
    if (path == NULL) {
        inspect_usage();
        return 2;
    }
    size_t len = 0;
    uint8_t *data = read_all(path, &len);
    if (data == NULL) {
        fprintf(stderr, "tern inspect: %s: cannot be read (missing, unreadable, or larger than 16 MB)\n", path);
        return 2;
    }
    inspection *in = calloc(1, sizeof *in);
    if (in == NULL) {
        free(data);
        fprintf(stderr, "tern inspect: out of memory\n");
        return 2;
    }
    in->now = (int64_t)time(NULL);
    char pw[1024];
    int pwlen = tool_password(pwo, pw, sizeof pw);
    if (pwlen == -2) {
        tern_wipe(pw, sizeof pw);
        free(in);
        free(data);
        return 2;
    }
    if (pwlen >= 0) {
        in->pw = pw;
        in->pwlen = (size_t)pwlen;
    }
    int status;
    if (len == 0) {
        printf("%s: an empty file\n", path);
        status = 1;
        printf("tern would use this file as: nothing: it is empty\n");
    } else {
        if (looks_like_pem(data, len)) {
            printf("%s: PEM text\n", path);
            inspect_pem(in, data, len);
        } else if (tern_p12_sniff(data, len)) {
            printf("%s: PKCS#12 (PFX, RFC 7292), %zu bytes\n", path, len);
            inspect_p12(in, data, len);
        } else if (data[0] == TERN_DER_SEQUENCE) {
            printf("%s: DER (binary), %zu bytes\n", path, len);
            item *it = new_item(in);
            it->der = malloc(len);
            if (it->der != NULL) {
                memcpy(it->der, data, len);
                it->len = len;
                show_der(in, it, IT_OTHER, TERN_KEY_DER_ANY, "DER");
            }
        } else {
            printf("%s: neither PEM (no \"-----BEGIN\" line) nor DER (it does not start with a SEQUENCE)\n", path);
            in->bad++;
        }
        status = verdict(in, path);
    }
    for (size_t k = 0; k < in->n; k++) {
        if (in->items[k].der != NULL)
            tern_wipe(in->items[k].der, in->items[k].len);
        free(in->items[k].der);
    }
    tern_wipe(in, sizeof *in);
    free(in);
    tern_wipe(pw, sizeof pw);
    tern_wipe(data, len);
    free(data);
    return status;
}

int tool_inspect_main(int argc, char **argv) {
    tool_pw pwo = {NULL, NULL, NULL};
    int rc = inspect_run(argc, argv, &pwo);
    tool_password_forget(&pwo); /* a --password pass: copy */
    return rc;
}
