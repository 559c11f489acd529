/*
 * Encrypted private keys (see pkcs8.h): EncryptedPrivateKeyInfo (RFC 5958
 * §3) under PBES2 (RFC 8018 §6.2, Appendix A.4) with PBKDF2 (RFC 8018
 * §5.2) and AES-CBC (RFC 8018 Appendix B.2.5: the IV is the parameter),
 * and OpenSSL's legacy PEM encryption (RFC 1421 headers, EVP_BytesToKey).
 *
 * The parameters are public and parsed through the bounded DER reader.
 * The password, the derived key and the plaintext are secret: from the KDF
 * to the verdict nothing branches or indexes on them (the KDF and CBC are
 * constant-time; the padding and the structure check below are masks).
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/pkcs8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/aes_cbc.h"
#include "crypto/ct.h"
#include "crypto/pbkdf.h"
#include "lib/x509/der.h"
#include "lib/x509/policy.h"

/* RFC 8018 Appendix A/B and C. */
static const uint8_t oid_pbes2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
static const uint8_t oid_pbkdf2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c};
/* 1.3.6.1.4.1.11591.4.11 (RFC 7914 §7). */
static const uint8_t oid_scrypt[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b};
/* 2.16.840.1.101.3.4.1.{2,22,42} (NIST, RFC 8018 Appendix B.2.5). */
static const uint8_t oid_aes_cbc_prefix[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01};

typedef struct {
    uint8_t last; /* last byte of the OID under a shared prefix */
    const char *name;
} named_oid;

/* hmacWithSHA* under 1.2.840.113549.2 (RFC 8018 Appendix B.1). */
static const uint8_t oid_rsadsi_digest[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02};
/* PBES1 under 1.2.840.113549.1.5 (RFC 8018 Appendix A.3). */
static const uint8_t oid_pkcs5[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05};
static const named_oid pbes1[] = {{1, "pbeWithMD2AndDES-CBC"},  {4, "pbeWithMD2AndRC2-CBC"},
                                  {3, "pbeWithMD5AndDES-CBC"},  {6, "pbeWithMD5AndRC2-CBC"},
                                  {10, "pbeWithSHA1AndDES-CBC"}, {11, "pbeWithSHA1AndRC2-CBC"}};
/* PKCS#12 PBE under 1.2.840.113549.1.12.1 (RFC 7292 Appendix C). */
static const uint8_t oid_pkcs12_pbe[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01};
static const named_oid p12pbe[] = {{1, "pbeWithSHAAnd128BitRC4"},          {2, "pbeWithSHAAnd40BitRC4"},
                                   {3, "pbeWithSHAAnd3-KeyTripleDES-CBC"}, {4, "pbeWithSHAAnd2-KeyTripleDES-CBC"},
                                   {5, "pbeWithSHAAnd128BitRC2-CBC"},      {6, "pbewithSHAAnd40BitRC2-CBC"}};
/* Encryption schemes PBES2 may name that tern does not read (RFC 8018 B.2). */
static const uint8_t oid_des_ede3_cbc[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x07};
static const uint8_t oid_rc2_cbc[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x02};
static const uint8_t oid_des_cbc[] = {0x2b, 0x0e, 0x03, 0x02, 0x07};

#define REENCRYPT "re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.new"

static void msgf(char *out, size_t cap, const char *fmt, ...) {
    if (cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* The name of oid if it is prefix + one byte listed in t, else NULL. */
static const char *lookup(tern_span oid, const uint8_t *prefix, size_t plen, const named_oid *t, size_t n) {
    if (oid.len != plen + 1 || memcmp(oid.p, prefix, plen) != 0)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (t[i].last == oid.p[plen])
            return t[i].name;
    return NULL;
}

/* What PBES2 asks for. */
typedef struct {
    tern_hash_alg prf;
    tern_span salt;
    uint32_t iterations;
    size_t keylen; /* AES key length: 16, 24 or 32 */
    uint8_t iv[16];
} pbes2_params;

#define MALFORMED(what)                                                                                       \
    do {                                                                                                      \
        msgf(msg, msgcap, "private key: the encrypted key is malformed (%s)", what);                         \
        return TERN_ERR_DECODE;                                                                               \
    } while (0)

/* PBKDF2-params ::= SEQUENCE { salt CHOICE { specified OCTET STRING, ... },
 *   iterationCount INTEGER (1..MAX), keyLength INTEGER (1..MAX) OPTIONAL,
 *   prf AlgorithmIdentifier DEFAULT algid-hmacWithSHA1 }  (RFC 8018 A.2). */
static int parse_pbkdf2(tern_reader *kdf, pbes2_params *p, uint64_t *keylength, char *msg, size_t msgcap) {
    tern_reader seq, prf;
    uint64_t iter;
    uint8_t tag;
    int present;
    if (tern_der_expect(kdf, TERN_DER_SEQUENCE, &seq) < 0 || tern_rd_end(kdf) < 0)
        MALFORMED("PBKDF2 parameters");
    if (tern_der_peek(&seq, &tag) == 0 && tag != TERN_DER_OCTET_STRING) {
        msgf(msg, msgcap, "private key: PBKDF2 with a salt that is not an OCTET STRING is not supported; " REENCRYPT);
        return TERN_ERR_UNSUPPORTED;
    }
    if (tern_der_octet_string(&seq, &p->salt) < 0)
        MALFORMED("PBKDF2 salt");
    if (tern_der_small_uint(&seq, &iter) < 0 || iter == 0)
        MALFORMED("PBKDF2 iteration count");
    if (iter > TERN_PBKDF_MAX_ITERATIONS) {
        msgf(msg, msgcap,
             "private key: the key is encrypted with %llu PBKDF2 iterations, above tern's limit of %llu "
             "(a file this slow to open is refused rather than spun on); " REENCRYPT " -iter 600000",
             (unsigned long long)iter, (unsigned long long)TERN_PBKDF_MAX_ITERATIONS);
        return TERN_ERR_LIMIT;
    }
    p->iterations = (uint32_t)iter;
    *keylength = 0;
    if (tern_der_peek(&seq, &tag) == 0 && tag == TERN_DER_INTEGER) {
        if (tern_der_small_uint(&seq, keylength) < 0 || *keylength == 0)
            MALFORMED("PBKDF2 key length");
    }
    p->prf = TERN_HASH_SHA1; /* the DEFAULT */
    if (tern_der_optional(&seq, TERN_DER_SEQUENCE, &prf, &present) < 0)
        MALFORMED("PBKDF2 PRF");
    if (present) {
        tern_span oid;
        if (tern_der_oid(&prf, &oid) < 0)
            MALFORMED("PBKDF2 PRF");
        /* parameters NULL (or absent, as some writers do). */
        if (tern_rd_left(&prf) && tern_der_null(&prf) < 0)
            MALFORMED("PBKDF2 PRF parameters");
        if (tern_rd_end(&prf) < 0)
            MALFORMED("PBKDF2 PRF parameters");
        static const named_oid prfs[] = {{7, "hmacWithSHA1"},    {8, "hmacWithSHA224"},  {9, "hmacWithSHA256"},
                                         {10, "hmacWithSHA384"}, {11, "hmacWithSHA512"}, {12, "hmacWithSHA512-224"},
                                         {13, "hmacWithSHA512-256"}};
        const char *name = lookup(oid, oid_rsadsi_digest, sizeof oid_rsadsi_digest, prfs, TERN_ARRAY_LEN(prfs));
        uint8_t last = oid.len ? oid.p[oid.len - 1] : 0;
        if (name && last == 7)
            p->prf = TERN_HASH_SHA1;
        else if (name && last == 9)
            p->prf = TERN_HASH_SHA256;
        else if (name && last == 10)
            p->prf = TERN_HASH_SHA384;
        else if (name && last == 11)
            p->prf = TERN_HASH_SHA512;
        else {
            char dotted[64];
            tern_x509_oid_to_text(oid, dotted, sizeof dotted);
            msgf(msg, msgcap, "private key: PBKDF2 with the PRF %s, which tern does not read (it reads hmacWithSHA1, "
                              "-SHA256, -SHA384, -SHA512); " REENCRYPT " -v2prf hmacWithSHA256",
                 name ? name : dotted);
            return TERN_ERR_UNSUPPORTED;
        }
    }
    if (tern_rd_end(&seq) < 0)
        MALFORMED("PBKDF2 parameters");
    return 0;
}

/* The encryption AlgorithmIdentifier (its content in alg): PBES2 with
 * PBKDF2 and AES-CBC, or a refusal naming the scheme. */
static int parse_alg(tern_reader *alg, pbes2_params *p, char *msg, size_t msgcap) {
    tern_span oid;
    tern_reader params, kdf, enc;
    if (tern_der_oid(alg, &oid) < 0)
        MALFORMED("encryption algorithm");
    const char *name;
    if ((name = lookup(oid, oid_pkcs5, sizeof oid_pkcs5, pbes1, TERN_ARRAY_LEN(pbes1))) != NULL) {
        msgf(msg, msgcap, "private key: encrypted with PBES1 (%s), which tern does not read; " REENCRYPT, name);
        return TERN_ERR_UNSUPPORTED;
    }
    if ((name = lookup(oid, oid_pkcs12_pbe, sizeof oid_pkcs12_pbe, p12pbe, TERN_ARRAY_LEN(p12pbe))) != NULL) {
        msgf(msg, msgcap, "private key: encrypted with PKCS#12 PBE (%s), which tern does not read; " REENCRYPT, name);
        return TERN_ERR_UNSUPPORTED;
    }
    if (!TERN_DER_OID_EQ(oid, oid_pbes2)) {
        char dotted[64];
        tern_x509_oid_to_text(oid, dotted, sizeof dotted);
        msgf(msg, msgcap, "private key: encrypted with an unknown scheme (OID %s), which tern does not read; " REENCRYPT,
             dotted);
        return TERN_ERR_UNSUPPORTED;
    }
    /* PBES2-params ::= SEQUENCE { keyDerivationFunc, encryptionScheme } (RFC 8018 A.4). */
    if (tern_der_expect(alg, TERN_DER_SEQUENCE, &params) < 0 || tern_rd_end(alg) < 0 ||
        tern_der_expect(&params, TERN_DER_SEQUENCE, &kdf) < 0 || tern_der_expect(&params, TERN_DER_SEQUENCE, &enc) < 0 ||
        tern_rd_end(&params) < 0)
        MALFORMED("PBES2 parameters");
    if (tern_der_oid(&kdf, &oid) < 0)
        MALFORMED("key derivation function");
    if (TERN_DER_OID_EQ(oid, oid_scrypt)) {
        msgf(msg, msgcap, "private key: encrypted with PBES2 and the scrypt key derivation, which tern does not read "
                          "(it reads PBKDF2); " REENCRYPT);
        return TERN_ERR_UNSUPPORTED;
    }
    if (!TERN_DER_OID_EQ(oid, oid_pbkdf2)) {
        char dotted[64];
        tern_x509_oid_to_text(oid, dotted, sizeof dotted);
        msgf(msg, msgcap, "private key: encrypted with PBES2 and an unknown key derivation (OID %s); " REENCRYPT,
             dotted);
        return TERN_ERR_UNSUPPORTED;
    }
    uint64_t keylength;
    TERN_TRY(parse_pbkdf2(&kdf, p, &keylength, msg, msgcap));
    if (tern_der_oid(&enc, &oid) < 0)
        MALFORMED("encryption scheme");
    int aes = oid.len == sizeof oid_aes_cbc_prefix + 1 && memcmp(oid.p, oid_aes_cbc_prefix, oid.len - 1) == 0;
    uint8_t last = oid.len ? oid.p[oid.len - 1] : 0;
    if (!aes || (last != 2 && last != 22 && last != 42)) {
        const char *cipher = TERN_DER_OID_EQ(oid, oid_des_ede3_cbc) ? "DES-EDE3-CBC (3DES)"
                             : TERN_DER_OID_EQ(oid, oid_rc2_cbc)    ? "RC2-CBC"
                             : TERN_DER_OID_EQ(oid, oid_des_cbc)    ? "DES-CBC"
                                                                    : NULL;
        char dotted[64];
        tern_x509_oid_to_text(oid, dotted, sizeof dotted);
        if (cipher)
            msgf(msg, msgcap, "private key: encrypted with PBES2 and %s, which tern does not read; " REENCRYPT, cipher);
        else
            msgf(msg, msgcap,
                 "private key: encrypted with PBES2 and a cipher tern does not read (OID %s; it reads AES-128/192/256-CBC); "
                 REENCRYPT,
                 dotted);
        return TERN_ERR_UNSUPPORTED;
    }
    p->keylen = last == 2 ? 16 : last == 22 ? 24 : 32;
    tern_span iv;
    if (tern_der_octet_string(&enc, &iv) < 0 || tern_rd_end(&enc) < 0 || iv.len != 16)
        MALFORMED("AES-CBC IV");
    memcpy(p->iv, iv.p, 16);
    if (keylength != 0 && keylength != p->keylen) {
        msgf(msg, msgcap, "private key: the encrypted key is malformed (PBKDF2 keyLength %llu does not match "
                          "AES-%zu-CBC's %zu-byte key)",
             (unsigned long long)keylength, p->keylen * 8, p->keylen);
        return TERN_ERR_DECODE;
    }
    return 0;
}

/* Constant-time: 1 when pt[0..m) (m secret, <= len, len >= 16) is a DER
 * SEQUENCE of exactly m bytes whose first element is INTEGER 0 or 1 in one
 * byte (PrivateKeyInfo, RSAPrivateKey, ECPrivateKey all start so), else 0. */
static uint32_t structure_ok(const uint8_t *pt, size_t len, size_t m) {
    (void)len;
    uint32_t b1 = pt[1], b2 = pt[2], b3 = pt[3];
    uint32_t f0 = tern_ct_lt_u32(b1, 0x80);                                   /* short form */
    uint32_t f1 = tern_ct_eq_u32(b1, 0x81) & tern_ct_ge_u32(b2, 0x80);        /* 0x81 nn, nn >= 128 */
    uint32_t f2 = tern_ct_eq_u32(b1, 0x82) & tern_ct_is_nonzero_u32(b2);      /* 0x82 nnnn, >= 256 */
    uint32_t total = tern_ct_select_u32(tern_ct_mask_u32(f0), 2 + b1, 0) |
                     tern_ct_select_u32(tern_ct_mask_u32(f1), 3 + b2, 0) |
                     tern_ct_select_u32(tern_ct_mask_u32(f2), 4 + (b2 << 8 | b3), 0);
    /* The version INTEGER at offset 2, 3 or 4: read all three, keep one. */
    uint32_t v = 0;
    for (uint32_t off = 2; off <= 4; off++) {
        uint32_t at = tern_ct_mask_u32(f0 & tern_ct_eq_u32(off, 2)) | tern_ct_mask_u32(f1 & tern_ct_eq_u32(off, 3)) |
                      tern_ct_mask_u32(f2 & tern_ct_eq_u32(off, 4));
        uint32_t ok = tern_ct_eq_u32(pt[off], 0x02) & tern_ct_eq_u32(pt[off + 1], 0x01) &
                      tern_ct_lt_u32(pt[off + 2], 2);
        v |= at & tern_ct_mask_u32(ok);
    }
    return tern_ct_eq_u32(pt[0], 0x30) & (f0 | f1 | f2) & tern_ct_eq_u32(total, (uint32_t)m) & (v & 1);
}

#define WRONG_PASSWORD "private key: wrong password (or the file is corrupt)"

void (*tern_pkcs8_ct_public)(const void *p, size_t n);

/* Decrypt ct with key (keylen) and iv into a fresh buffer; check the
 * padding and (check_structure) the outer structure; one branch on the
 * verdict.  The key is wiped by the caller. */
static int cbc_open(const uint8_t *key, size_t keylen, const uint8_t iv[16], const uint8_t *ct, size_t ctlen,
                    int check_structure, uint8_t **out, size_t *outlen, char *msg, size_t msgcap) {
    if (ctlen == 0 || ctlen % 16 != 0) {
        msgf(msg, msgcap, "private key: the encrypted data is %zu bytes, not a whole number of AES blocks "
                          "(the file is truncated or corrupt)",
             ctlen);
        return TERN_ERR_DECODE;
    }
    if (ctlen > TERN_PKCS8_MAX_CIPHERTEXT) {
        msgf(msg, msgcap, "private key: the encrypted data is %zu bytes, more than tern reads (%u)", ctlen,
             TERN_PKCS8_MAX_CIPHERTEXT);
        return TERN_ERR_LIMIT;
    }
    uint8_t *pt = malloc(ctlen);
    if (pt == NULL) {
        msgf(msg, msgcap, "private key: out of memory");
        return TERN_ERR_NOMEM;
    }
    int rc = tern_aes_cbc_decrypt(key, keylen, iv, ct, ctlen, pt);
    if (rc < 0) {
        free(pt);
        msgf(msg, msgcap, "private key: AES-CBC decryption failed");
        return rc;
    }
    size_t m = 0;
    /* tern_cbc_unpad's result is a verdict; m is only meaningful with it. */
    uint32_t pad_ok = tern_ct_is_zero_u32((uint32_t)-tern_cbc_unpad(pt, ctlen, &m));
    uint32_t ok = pad_ok;
    if (check_structure)
        ok &= structure_ok(pt, ctlen, m);
    ok = tern_ct_barrier_u32(ok);
    if (tern_pkcs8_ct_public)
        tern_pkcs8_ct_public(&ok, sizeof ok);
    if (!ok) { /* the one branch: the verdict */
        tern_wipe(pt, ctlen);
        free(pt);
        msgf(msg, msgcap, WRONG_PASSWORD);
        return TERN_ERR_DECRYPT_FAILED;
    }
    if (tern_pkcs8_ct_public)
        tern_pkcs8_ct_public(&m, sizeof m); /* accepted: its length is public */
    tern_wipe(pt + m, ctlen - m);             /* the padding */
    *out = pt;
    *outlen = m;
    return 0;
}

static int pbes2_run(const pbes2_params *p, const uint8_t *ct, size_t ctlen, const uint8_t *pw, size_t pwlen,
                     int check_structure, uint8_t **out, size_t *outlen, char *msg, size_t msgcap) {
    uint8_t key[32];
    int rc = tern_pbkdf2(p->prf, pw, pwlen, p->salt.p, p->salt.len, p->iterations, key, p->keylen);
    if (rc < 0) {
        tern_wipe(key, sizeof key);
        msgf(msg, msgcap, "private key: PBKDF2 failed (%s)", tern_strerror(rc));
        return rc;
    }
    rc = cbc_open(key, p->keylen, p->iv, ct, ctlen, check_structure, out, outlen, msg, msgcap);
    tern_wipe(key, sizeof key);
    return rc;
}

int tern_pbes2_decrypt(const uint8_t *alg, size_t alglen, const uint8_t *ct, size_t ctlen, const uint8_t *pw,
                       size_t pwlen, uint8_t **out, size_t *outlen, char *msg, size_t msgcap) {
    TERN_ENSURE(alg != NULL && (ct != NULL || ctlen == 0) && (pw != NULL || pwlen == 0) && out && outlen,
                TERN_ERR_INVALID_ARG);
    tern_reader top, a;
    pbes2_params p;
    tern_rd_init(&top, alg, alglen);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &a) < 0 || tern_rd_end(&top) < 0)
        MALFORMED("encryption algorithm");
    TERN_TRY(parse_alg(&a, &p, msg, msgcap));
    return pbes2_run(&p, ct, ctlen, pw, pwlen, 0, out, outlen, msg, msgcap);
}

/* EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm
 *   AlgorithmIdentifier, encryptedData OCTET STRING } (RFC 5958 §3). */
static int parse_epki(const uint8_t *der, size_t len, pbes2_params *p, tern_span *ct, char *msg, size_t msgcap) {
    tern_reader top, seq, a;
    tern_rd_init(&top, der, len);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &seq) < 0 || tern_rd_end(&top) < 0)
        MALFORMED("EncryptedPrivateKeyInfo");
    if (tern_der_expect(&seq, TERN_DER_SEQUENCE, &a) < 0)
        MALFORMED("encryption algorithm");
    TERN_TRY(parse_alg(&a, p, msg, msgcap));
    if (tern_der_octet_string(&seq, ct) < 0 || tern_rd_end(&seq) < 0)
        MALFORMED("encrypted data");
    return 0;
}

int tern_pkcs8_decrypt(const uint8_t *der, size_t len, const uint8_t *pw, size_t pwlen, uint8_t **out,
                       size_t *outlen, char *msg, size_t msgcap) {
    TERN_ENSURE(der != NULL && (pw != NULL || pwlen == 0) && out && outlen, TERN_ERR_INVALID_ARG);
    pbes2_params p;
    tern_span ct;
    TERN_TRY(parse_epki(der, len, &p, &ct, msg, msgcap));
    return pbes2_run(&p, ct.p, ct.len, pw, pwlen, 1, out, outlen, msg, msgcap);
}

int tern_pkcs8_readable(const uint8_t *der, size_t len, char *msg, size_t msgcap) {
    TERN_ENSURE(der != NULL, TERN_ERR_INVALID_ARG);
    pbes2_params p;
    tern_span ct;
    return parse_epki(der, len, &p, &ct, msg, msgcap);
}

/* The legacy cipher's key length, or 0 with the refusal in msg. */
static size_t legacy_keylen(const tern_pem_block *b, char *msg, size_t msgcap) {
    size_t keylen = strcmp(b->dek_cipher, "AES-128-CBC") == 0   ? 16
                    : strcmp(b->dek_cipher, "AES-192-CBC") == 0 ? 24
                    : strcmp(b->dek_cipher, "AES-256-CBC") == 0 ? 32
                                                                : 0;
    if (keylen == 0)
        msgf(msg, msgcap,
             "private key: encrypted with the legacy PEM scheme %s, which tern does not read; re-encrypt it with "
             "AES: openssl pkey -aes256 -in KEY -out KEY.new",
             b->dek_cipher);
    return keylen;
}

int tern_pem_legacy_readable(const tern_pem_block *b, char *msg, size_t msgcap) {
    TERN_ENSURE(b != NULL, TERN_ERR_INVALID_ARG);
    if (!b->encrypted || b->hdr_bad)
        return TERN_ERR_PEM; /* tern_pem_legacy_decrypt words it */
    return legacy_keylen(b, msg, msgcap) ? 0 : TERN_ERR_UNSUPPORTED;
}

int tern_pem_legacy_decrypt(const tern_pem_block *b, const uint8_t *pw, size_t pwlen, uint8_t **out, size_t *outlen,
                            char *msg, size_t msgcap) {
    TERN_ENSURE(b != NULL && (pw != NULL || pwlen == 0) && out && outlen, TERN_ERR_INVALID_ARG);
    if (!b->encrypted || b->hdr_bad) {
        msgf(msg, msgcap, "private key: the Proc-Type / DEK-Info headers of the block at line %zu are malformed "
                          "(expected \"Proc-Type: 4,ENCRYPTED\", \"DEK-Info: CIPHER,IV\" and a blank line)",
             b->line);
        return TERN_ERR_PEM;
    }
    size_t keylen = legacy_keylen(b, msg, msgcap);
    if (keylen == 0)
        return TERN_ERR_UNSUPPORTED;
    if (b->dek_iv_len != 16) {
        msgf(msg, msgcap, "private key: the DEK-Info IV is %zu bytes; %s needs 16", b->dek_iv_len, b->dek_cipher);
        return TERN_ERR_PEM;
    }
    size_t cap = tern_pem_decoded_max(b), n = 0;
    uint8_t *ct = malloc(cap);
    if (ct == NULL) {
        msgf(msg, msgcap, "private key: out of memory");
        return TERN_ERR_NOMEM;
    }
    int rc = tern_pem_decode(b, ct, cap, &n);
    if (rc < 0) {
        free(ct);
        msgf(msg, msgcap, "private key: bad base64 in the block at line %zu", b->line);
        return TERN_ERR_PEM;
    }
    /* OpenSSL's PEM_do_header: EVP_BytesToKey(cipher, MD5, salt = IV[0..8],
     * password, one iteration). */
    uint8_t key[32];
    rc = tern_evp_bytes_to_key_md5(pw, pwlen, b->dek_iv, key, keylen);
    if (rc < 0)
        msgf(msg, msgcap, "private key: key derivation failed (%s)", tern_strerror(rc));
    else
        rc = cbc_open(key, keylen, b->dek_iv, ct, n, 1, out, outlen, msg, msgcap);
    tern_wipe(key, sizeof key);
    free(ct); /* ciphertext: public */
    return rc;
}

/* ---- the parameters, without a password (tools/tern_inspect.c) ---- */

static void pbes2_text(const pbes2_params *p, char *out, size_t cap) {
    const char *prf = p->prf == TERN_HASH_SHA1     ? "hmacWithSHA1"
                      : p->prf == TERN_HASH_SHA256 ? "hmacWithSHA256"
                      : p->prf == TERN_HASH_SHA384 ? "hmacWithSHA384"
                                                   : "hmacWithSHA512";
    msgf(out, cap, "PBES2 (RFC 8018): PBKDF2 with %s, %lu iterations, salt of %zu bytes; AES-%zu-CBC", prf,
         (unsigned long)p->iterations, p->salt.len, p->keylen * 8);
}

int tern_pbes2_describe(const uint8_t *alg, size_t alglen, char *out, size_t cap) {
    char *msg = out;
    size_t msgcap = cap;
    tern_reader top, a;
    pbes2_params p;
    tern_rd_init(&top, alg, alglen);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &a) < 0 || tern_rd_end(&top) < 0)
        MALFORMED("encryption algorithm");
    TERN_TRY(parse_alg(&a, &p, out, cap));
    pbes2_text(&p, out, cap);
    return 0;
}

int tern_pkcs8_describe(const uint8_t *der, size_t len, char *out, size_t cap) {
    char *msg = out;
    size_t msgcap = cap;
    tern_reader top, seq;
    tern_der_elem alg;
    tern_span ct;
    tern_rd_init(&top, der, len);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &seq) < 0 || tern_rd_end(&top) < 0)
        MALFORMED("EncryptedPrivateKeyInfo");
    if (tern_der_expect_elem(&seq, TERN_DER_SEQUENCE, &alg) < 0)
        MALFORMED("encryption algorithm");
    if (tern_der_octet_string(&seq, &ct) < 0 || tern_rd_end(&seq) < 0)
        MALFORMED("encrypted data");
    return tern_pbes2_describe(alg.tlv.p, alg.tlv.len, out, cap);
}
