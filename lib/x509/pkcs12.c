/*
 * PKCS#12 (RFC 7292) reader: see pkcs12.h.
 *
 *   PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo,
 *                      macData MacData OPTIONAL }                     §4
 *   MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING,
 *                          iterations INTEGER DEFAULT 1 }            §4
 *   AuthenticatedSafe ::= SEQUENCE OF ContentInfo   -- data or encryptedData
 *   SafeContents ::= SEQUENCE OF SafeBag                             §4.2
 *   SafeBag ::= SEQUENCE { bagId OID, bagValue [0] EXPLICIT ANY,
 *                          bagAttributes SET OF PKCS12Attribute OPTIONAL }
 *   CertBag ::= SEQUENCE { certId OID, certValue [0] EXPLICIT OCTET STRING }
 *   ContentInfo (RFC 5652 §3), EncryptedData (RFC 5652 §8).
 *
 * Only DER is read (the strict reader of der.h); the BER that some old
 * Windows exports use (indefinite lengths, constructed OCTET STRINGs) is
 * refused with a sentence saying how to re-export the file.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/pkcs12.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "crypto/ct.h"
#include "crypto/hmac.h"
#include "crypto/pbkdf.h"
#include "lib/x509/pkcs8.h"

#define PKCS_1 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01 /* 1.2.840.113549.1 */
/* RFC 5652 §4, §8 content types. */
static const uint8_t oid_data[] = {PKCS_1, 0x07, 0x01};
static const uint8_t oid_encrypted_data[] = {PKCS_1, 0x07, 0x06};
/* RFC 7292 Appendix D: bag types (1.2.840.113549.1.12.10.1.x). */
static const uint8_t oid_key_bag[] = {PKCS_1, 0x0c, 0x0a, 0x01, 0x01};
static const uint8_t oid_shrouded_key_bag[] = {PKCS_1, 0x0c, 0x0a, 0x01, 0x02};
static const uint8_t oid_cert_bag[] = {PKCS_1, 0x0c, 0x0a, 0x01, 0x03};
static const uint8_t oid_safe_contents_bag[] = {PKCS_1, 0x0c, 0x0a, 0x01, 0x06};
/* PKCS #9 (RFC 2985 §5.5.1, §5.5.2), RFC 7292 §4.2.3 certificate type. */
static const uint8_t oid_friendly_name[] = {PKCS_1, 0x09, 0x14};
static const uint8_t oid_local_key_id[] = {PKCS_1, 0x09, 0x15};
static const uint8_t oid_x509_cert[] = {PKCS_1, 0x09, 0x16, 0x01};
/* Java's trusted-certificate attribute, 2.16.840.1.113894.746875.1.1
 * (Oracle arc; what keytool -importcert writes on each trusted entry). */
static const uint8_t oid_java_trusted[] = {0x60, 0x86, 0x48, 0x01, 0x86, 0xf9, 0x66, 0xad, 0xca, 0x7b, 0x01, 0x01};
/* RFC 8018 Appendix A.4 (PBES2), A.5 (PBMAC1 = RFC 9579), B.1.1 / B.1.2 (HMACs). */
static const uint8_t oid_pbes2[] = {PKCS_1, 0x05, 0x0d};
static const uint8_t oid_pbmac1[] = {PKCS_1, 0x05, 0x0e};
static const uint8_t oid_pbkdf2[] = {PKCS_1, 0x05, 0x0c};
static const uint8_t oid_hmac_sha1[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x07};
static const uint8_t oid_hmac_sha256[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09};
static const uint8_t oid_hmac_sha384[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0a};
static const uint8_t oid_hmac_sha512[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x0b};
static const uint8_t oid_sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a}; /* RFC 3279 §2.2.1 */
static const uint8_t oid_sha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
static const uint8_t oid_sha384[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02};
static const uint8_t oid_sha512[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03};
/* RFC 7292 Appendix C: the PKCS#12 PBE schemes (1.2.840.113549.1.12.1.x). */
static const uint8_t oid_pkcs12_pbe_prefix[] = {PKCS_1, 0x0c, 0x01};
/* RFC 8018 Appendix A.3: PBES1 (1.2.840.113549.1.5.x, x in 1, 3, 4, 6, 10, 11). */
static const uint8_t oid_pkcs5_prefix[] = {PKCS_1, 0x05};

/* A verdict computed from secrets (the MAC comparison, "is the password
 * valid UTF-8" and its length in UTF-16 units) is public once computed: tell valgrind, for tests/ctgrind/, when
 * its header is there (no code outside valgrind). (TERN_DECLASSIFY: crypto/ct.h) */

#define REEXPORT "openssl pkcs12 -in old.p12 -nodes | openssl pkcs12 -export -out new.p12"

static void msgf(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* Set p->msg and return rc. */
static int fail(tern_p12 *p, int rc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->msg, sizeof p->msg, fmt, ap);
    va_end(ap);
    return rc;
}

void tern_p12_init(tern_p12 *p) { memset(p, 0, sizeof *p); }

void tern_p12_free(tern_p12 *p) {
    for (size_t i = 0; i < p->ncerts; i++)
        free(p->certs[i].der);
    for (size_t i = 0; i < p->nkeys; i++) {
        if (p->keys[i].pkcs8) {
            tern_wipe(p->keys[i].pkcs8, p->keys[i].len);
            free(p->keys[i].pkcs8);
        }
    }
    tern_wipe(p, sizeof *p);
}

/* ---- passwords ---- */

/* The password as RFC 7292 Appendix B.1 wants it for the KDF: a BMPString
 * (UTF-16BE, RFC 2781 §2.1 surrogate pairs above U+FFFF) with a two-byte
 * zero terminator, from its UTF-8.  Without a branch or a memory index on
 * the password's bytes: a decoder walks the bytes with masks (a pending
 * count of continuation bytes, the code point being built, validity), each
 * byte says how many UTF-16 units it completes (0, 1 or 2) and where they
 * go, and every output slot takes the unit whose place it is by a masked
 * sweep over the bytes (O(pwlen^2); passwords are short).  What is made
 * public: whether the password is valid UTF-8 (RFC 3629: no overlong forms,
 * no surrogates, nothing above U+10FFFF) and the number of units, which the
 * KDF's block count shows anyway. */
int tern_p12_bmp_password(const uint8_t *pw, size_t pwlen, uint8_t *out, size_t cap, size_t *outlen) {
    TERN_ENSURE(pwlen <= TERN_PBKDF_MAX_INPUT_LEN, TERN_ERR_LIMIT);
    /* At most one unit a byte (a 4-byte character makes a pair). */
    TERN_ENSURE(cap >= 2 * pwlen + 2, TERN_ERR_BUFFER_TOO_SMALL);
    uint32_t pending = 0, cp = 0, min = 0, bad = 0, units = 0;
    memset(out, 0, 2 * pwlen + 2);
    for (size_t i = 0; i < pwlen; i++) {
        uint32_t b = pw[i];
        uint32_t cont = tern_ct_eq_u32(b & 0xc0, 0x80);
        uint32_t ascii = tern_ct_lt_u32(b, 0x80);
        uint32_t lead2 = tern_ct_eq_u32(b & 0xe0, 0xc0), lead3 = tern_ct_eq_u32(b & 0xf0, 0xe0);
        uint32_t lead4 = tern_ct_eq_u32(b & 0xf8, 0xf0);
        uint32_t expecting = tern_ct_is_nonzero_u32(pending);
        /* A continuation byte exactly where one is expected, a lead or
         * ASCII byte exactly where none is. */
        bad |= expecting ^ cont;
        bad |= (1 ^ expecting) & (1 ^ (ascii | lead2 | lead3 | lead4));
        uint32_t m_cont = tern_ct_mask_u32(expecting & cont);
        uint32_t m_start = tern_ct_mask_u32(1 ^ expecting);
        uint32_t start_cp = tern_ct_select_u32(tern_ct_mask_u32(ascii), b,
                            tern_ct_select_u32(tern_ct_mask_u32(lead2), b & 0x1f,
                            tern_ct_select_u32(tern_ct_mask_u32(lead3), b & 0x0f, b & 0x07)));
        uint32_t start_need = lead2 | (lead3 << 1) | (lead4 * 3);
        uint32_t start_min = tern_ct_select_u32(tern_ct_mask_u32(lead2), 0x80,
                             tern_ct_select_u32(tern_ct_mask_u32(lead3), 0x800,
                             tern_ct_select_u32(tern_ct_mask_u32(lead4), 0x10000, 0)));
        cp = tern_ct_select_u32(m_start, start_cp, tern_ct_select_u32(m_cont, (cp << 6) | (b & 0x3f), cp));
        min = tern_ct_select_u32(m_start, start_min, min);
        pending = tern_ct_select_u32(m_start, start_need, pending - (expecting & cont));
        /* This byte ends a character when nothing more is pending. */
        uint32_t done = tern_ct_is_zero_u32(pending) & (1 ^ bad);
        uint32_t big = tern_ct_ge_u32(cp, 0x10000);
        bad |= done & (tern_ct_lt_u32(cp, min) | tern_ct_gt_u32(cp, 0x10ffff) |
                       (tern_ct_ge_u32(cp, 0xd800) & tern_ct_le_u32(cp, 0xdfff)));
        uint32_t v = cp - 0x10000;
        uint32_t u1 = tern_ct_select_u32(tern_ct_mask_u32(big), 0xd800 | ((v >> 10) & 0x3ff), cp & 0xffff);
        uint32_t u2 = 0xdc00 | (v & 0x3ff);
        uint32_t m_done = tern_ct_mask_u32(done), m_two = tern_ct_mask_u32(done & big);
        /* Scatter: slot `units` takes u1, slot units + 1 takes u2 (pairs). */
        for (uint32_t k = 0; k < (uint32_t)pwlen; k++) {
            uint32_t m1 = m_done & tern_ct_mask_u32(tern_ct_eq_u32(k, units));
            uint32_t m2 = m_two & tern_ct_mask_u32(tern_ct_eq_u32(k, units + 1));
            uint32_t u = (u1 & m1) | (u2 & m2);
            out[2 * k] |= (uint8_t)(u >> 8);
            out[2 * k + 1] |= (uint8_t)u;
        }
        units += (done & 1) + (done & big);
    }
    bad |= tern_ct_is_nonzero_u32(pending); /* the password ends inside a character */
    TERN_DECLASSIFY(&bad, sizeof bad);
    TERN_DECLASSIFY(&units, sizeof units);
    if (bad) {
        tern_wipe(out, 2 * pwlen + 2);
        return TERN_ERR_INVALID_ARG;
    }
    /* out[2 * units], out[2 * units + 1] are still zero: the terminator. */
    *outlen = 2 * (size_t)units + 2;
    return 0;
}

/* BMPString (UTF-16BE) -> UTF-8 for friendly names; a lone surrogate or
 * a name longer than the buffer is refused. */
static int bmp_to_utf8(tern_span s, char *out, size_t cap) {
    size_t n = 0;
    TERN_ENSURE(s.len % 2 == 0, TERN_ERR_DECODE);
    for (size_t i = 0; i < s.len; i += 2) {
        uint32_t c = (uint32_t)s.p[i] << 8 | s.p[i + 1];
        if (c >= 0xd800 && c <= 0xdbff) {
            TERN_ENSURE(i + 3 < s.len, TERN_ERR_DECODE);
            uint32_t lo = (uint32_t)s.p[i + 2] << 8 | s.p[i + 3];
            TERN_ENSURE(lo >= 0xdc00 && lo <= 0xdfff, TERN_ERR_DECODE);
            c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
            i += 2;
        } else {
            TERN_ENSURE(c < 0xdc00 || c > 0xdfff, TERN_ERR_DECODE);
        }
        TERN_ENSURE(c != 0, TERN_ERR_DECODE);
        uint8_t b[4];
        size_t k;
        if (c < 0x80) {
            b[0] = (uint8_t)c, k = 1;
        } else if (c < 0x800) {
            b[0] = (uint8_t)(0xc0 | c >> 6), b[1] = (uint8_t)(0x80 | (c & 0x3f)), k = 2;
        } else if (c < 0x10000) {
            b[0] = (uint8_t)(0xe0 | c >> 12), b[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3f));
            b[2] = (uint8_t)(0x80 | (c & 0x3f)), k = 3;
        } else {
            b[0] = (uint8_t)(0xf0 | c >> 18), b[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3f));
            b[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3f)), b[3] = (uint8_t)(0x80 | (c & 0x3f)), k = 4;
        }
        TERN_ENSURE(n + k < cap, TERN_ERR_LIMIT);
        memcpy(out + n, b, k);
        n += k;
    }
    out[n] = 0;
    return 0;
}

/* ---- the outer PFX ---- */

int tern_p12_sniff(const uint8_t *der, size_t len) {
    tern_reader r, seq, v;
    tern_rd_init(&r, der, len);
    uint8_t tag;
    return tern_der_expect(&r, TERN_DER_SEQUENCE, &seq) == 0 && tern_der_expect(&seq, TERN_DER_INTEGER, &v) == 0 &&
           v.len == 1 && v.p[0] == 3 && tern_der_peek(&seq, &tag) == 0 && tag == TERN_DER_SEQUENCE;
}

static tern_hash_alg hmac_alg(tern_span oid) {
    if (TERN_DER_OID_EQ(oid, oid_hmac_sha1))
        return TERN_HASH_SHA1;
    if (TERN_DER_OID_EQ(oid, oid_hmac_sha256))
        return TERN_HASH_SHA256;
    if (TERN_DER_OID_EQ(oid, oid_hmac_sha384))
        return TERN_HASH_SHA384;
    if (TERN_DER_OID_EQ(oid, oid_hmac_sha512))
        return TERN_HASH_SHA512;
    return (tern_hash_alg)0;
}

static const char *hash_name(tern_hash_alg h) {
    return h == TERN_HASH_SHA1     ? "SHA-1"
           : h == TERN_HASH_SHA256 ? "SHA-256"
           : h == TERN_HASH_SHA384 ? "SHA-384"
           : h == TERN_HASH_SHA512 ? "SHA-512"
                                   : "?";
}

/* An iteration count: a positive INTEGER no larger than the KDF's bound. */
static int read_iterations(tern_p12 *p, tern_reader *r, uint32_t *out, const char *what) {
    uint64_t it;
    if (tern_der_small_uint(r, &it) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the %s iteration count is not a valid INTEGER", what);
    if (it == 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the %s iteration count is 0", what);
    if (it > TERN_PBKDF_MAX_ITERATIONS)
        return fail(p, TERN_ERR_LIMIT,
                    "PKCS#12: the %s asks for %llu iterations; tern refuses more than %lu (a file made to make "
                    "loading it spin); re-export it with the default count",
                    what, (unsigned long long)it, (unsigned long)TERN_PBKDF_MAX_ITERATIONS);
    *out = (uint32_t)it;
    return 0;
}

/* RFC 9579 §3: PBMAC1-params ::= SEQUENCE { keyDerivationFunc
 * AlgorithmIdentifier {PBKDF2}, messageAuthScheme AlgorithmIdentifier }.
 * PBKDF2-params (RFC 8018 Appendix A.2) ::= SEQUENCE { salt OCTET STRING,
 * iterationCount INTEGER, keyLength INTEGER OPTIONAL (required by RFC 9579
 * §3), prf AlgorithmIdentifier DEFAULT hmacWithSHA1 }. */
static int parse_pbmac1(tern_p12 *p, tern_reader *params) {
    tern_reader seq, kdf, kp, mac, prf;
    tern_span oid;
    if (tern_der_expect(params, TERN_DER_SEQUENCE, &seq) < 0 || tern_der_expect(&seq, TERN_DER_SEQUENCE, &kdf) < 0 ||
        tern_der_oid(&kdf, &oid) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the PBMAC1 parameters (RFC 9579 §3) do not parse");
    if (!TERN_DER_OID_EQ(oid, oid_pbkdf2))
        return fail(p, TERN_ERR_UNSUPPORTED, "PKCS#12: PBMAC1 with a key derivation other than PBKDF2");
    if (tern_der_expect(&kdf, TERN_DER_SEQUENCE, &kp) < 0 || tern_rd_end(&kdf) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the PBMAC1 PBKDF2 parameters do not parse");
    p->pbmac1_kdf.p = kp.p; /* read again when the key is derived (mac_pbmac1) */
    p->pbmac1_kdf.len = kp.len;
    if (tern_der_octet_string(&kp, &p->mac_salt) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the PBMAC1 PBKDF2 salt does not parse");
    TERN_TRY(read_iterations(p, &kp, &p->mac_iterations, "PBMAC1 PBKDF2"));
    uint64_t klen;
    uint8_t tag = 0;
    if (tern_der_peek(&kp, &tag) < 0 || tag != TERN_DER_INTEGER || tern_der_small_uint(&kp, &klen) < 0 || klen == 0 ||
        klen > TERN_HASH_MAX_LEN)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: PBMAC1 needs a keyLength of 1 to 64 bytes (RFC 9579 §3)");
    p->pbmac1_keylen = (size_t)klen;
    if (kp.len > 0) { /* absent: hmacWithSHA1 (RFC 8018 Appendix A.2) */
        if (tern_der_expect(&kp, TERN_DER_SEQUENCE, &prf) < 0 || tern_der_oid(&prf, &oid) < 0)
            return fail(p, TERN_ERR_DECODE, "PKCS#12: the PBMAC1 PBKDF2 prf does not parse");
        int present;
        tern_reader nul;
        if (hmac_alg(oid) == 0)
            return fail(p, TERN_ERR_UNSUPPORTED, "PKCS#12: PBMAC1 with a PBKDF2 prf other than HMAC-SHA-1/256/384/512");
        if (tern_der_optional(&prf, TERN_DER_NULL, &nul, &present) < 0 || tern_rd_end(&prf) < 0)
            return fail(p, TERN_ERR_DECODE, "PKCS#12: the PBMAC1 PBKDF2 prf does not parse");
    }
    if (tern_rd_end(&kp) < 0 || tern_der_expect(&seq, TERN_DER_SEQUENCE, &mac) < 0 || tern_der_oid(&mac, &oid) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the PBMAC1 parameters do not parse");
    p->mac_hash = hmac_alg(oid);
    if (p->mac_hash == 0)
        return fail(p, TERN_ERR_UNSUPPORTED, "PKCS#12: PBMAC1 with a MAC other than HMAC-SHA-1/256/384/512");
    int present;
    tern_reader nul;
    if (tern_der_optional(&mac, TERN_DER_NULL, &nul, &present) < 0 || tern_rd_end(&mac) < 0 || tern_rd_end(&seq) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the PBMAC1 parameters do not parse");
    return 0;
}

int tern_p12_parse_pfx(tern_p12 *p, const uint8_t *der, size_t len) {
    tern_reader top, pfx, ci, expl, md, di, alg;
    tern_span oid;
    uint64_t version;
    tern_rd_init(&top, der, len);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &pfx) < 0 || tern_rd_end(&top) < 0)
        return fail(p, TERN_ERR_DECODE,
                    "PKCS#12: the file is not one DER PFX (RFC 7292 §4); a BER-encoded export (indefinite "
                    "lengths) can be rewritten as DER with: " REEXPORT);
    if (tern_der_small_uint(&pfx, &version) < 0 || version != 3)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the PFX version is not 3 (RFC 7292 §4)");
    if (tern_der_expect(&pfx, TERN_DER_SEQUENCE, &ci) < 0 || tern_der_oid(&ci, &oid) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the authSafe ContentInfo does not parse");
    if (!TERN_DER_OID_EQ(oid, oid_data))
        return fail(p, TERN_ERR_UNSUPPORTED,
                    "PKCS#12: the file is protected by a public key (signedData), not a password; tern reads "
                    "password-protected files only");
    if (tern_der_expect(&ci, TERN_DER_CTX_CONS(0), &expl) < 0 || tern_rd_end(&ci) < 0 ||
        tern_der_octet_string(&expl, &p->auth_safe) < 0 || tern_rd_end(&expl) < 0)
        return fail(p, TERN_ERR_DECODE,
                    "PKCS#12: the authSafe content is not one DER OCTET STRING (a BER export can be rewritten as "
                    "DER with: " REEXPORT ")");
    p->mac = TERN_P12_MAC_NONE;
    if (pfx.len == 0)
        return 0;
    p->mac_iterations = 1;
    if (tern_der_expect(&pfx, TERN_DER_SEQUENCE, &md) < 0 || tern_rd_end(&pfx) < 0 ||
        tern_der_expect(&md, TERN_DER_SEQUENCE, &di) < 0 || tern_der_expect(&di, TERN_DER_SEQUENCE, &alg) < 0 ||
        tern_der_oid(&alg, &oid) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the MacData does not parse (RFC 7292 §4)");
    if (TERN_DER_OID_EQ(oid, oid_pbmac1)) {
        p->mac = TERN_P12_MAC_PBMAC1;
        TERN_TRY(parse_pbmac1(p, &alg));
    } else {
        p->mac = TERN_P12_MAC_KDF;
        p->mac_hash = TERN_DER_OID_EQ(oid, oid_sha1)     ? TERN_HASH_SHA1
                      : TERN_DER_OID_EQ(oid, oid_sha256) ? TERN_HASH_SHA256
                      : TERN_DER_OID_EQ(oid, oid_sha384) ? TERN_HASH_SHA384
                      : TERN_DER_OID_EQ(oid, oid_sha512) ? TERN_HASH_SHA512
                                                         : (tern_hash_alg)0;
        if (p->mac_hash == 0)
            return fail(p, TERN_ERR_UNSUPPORTED,
                        "PKCS#12: the MAC uses a hash tern does not support (SHA-1, SHA-256, SHA-384 and SHA-512 "
                        "are); re-export the file: " REEXPORT);
        int present;
        tern_reader nul;
        if (tern_der_optional(&alg, TERN_DER_NULL, &nul, &present) < 0 || tern_rd_end(&alg) < 0)
            return fail(p, TERN_ERR_DECODE, "PKCS#12: the MAC's digestAlgorithm does not parse");
    }
    uint8_t tag = 0;
    if (tern_der_octet_string(&di, &p->mac_digest) < 0 || tern_rd_end(&di) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the MAC value does not parse");
    /* RFC 9579 §3: under PBMAC1 macSalt and iterations are ignored (the
     * PBKDF2 parameters hold the real ones), but they must still parse. */
    tern_span salt;
    if (tern_der_octet_string(&md, &salt) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the MAC salt does not parse");
    uint32_t it = 1;
    if (tern_der_peek(&md, &tag) == 0)
        TERN_TRY(read_iterations(p, &md, &it, "MAC"));
    if (tern_rd_end(&md) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: trailing bytes after the MAC iterations");
    if (p->mac == TERN_P12_MAC_KDF) {
        p->mac_salt = salt;
        p->mac_iterations = it;
        if (p->mac_digest.len != tern_hash_len(p->mac_hash))
            return fail(p, TERN_ERR_DECODE, "PKCS#12: the MAC value has %zu bytes; HMAC-%s gives %zu",
                        p->mac_digest.len, hash_name(p->mac_hash), tern_hash_len(p->mac_hash));
    } else if (p->mac_digest.len != tern_hash_len(p->mac_hash)) {
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the PBMAC1 value has %zu bytes; HMAC-%s gives %zu",
                    p->mac_digest.len, hash_name(p->mac_hash), tern_hash_len(p->mac_hash));
    }
    return 0;
}

void tern_p12_describe_mac(const tern_p12 *p, char *out, size_t cap) {
    if (p->mac == TERN_P12_MAC_NONE)
        msgf(out, cap, "none (the file's integrity is not protected)");
    else if (p->mac == TERN_P12_MAC_KDF)
        msgf(out, cap, "HMAC-%s, PKCS#12 KDF, %lu iterations", hash_name(p->mac_hash),
             (unsigned long)p->mac_iterations);
    else
        msgf(out, cap, "PBMAC1: HMAC-%s, PBKDF2, %lu iterations", hash_name(p->mac_hash),
             (unsigned long)p->mac_iterations);
}

/* ---- the MAC ---- */

/* The MAC key for the KDF form (RFC 7292 Appendix B.2, ID 3, key as long as
 * the hash output; §5.1 "Password integrity mode") from the BMPString
 * password, then HMAC over the authSafe content.  *ok gets 1 when equal. */
static int mac_kdf(const tern_p12 *p, const uint8_t *bmp, size_t bmplen, uint32_t *ok) {
    uint8_t key[TERN_HASH_MAX_LEN], tag[TERN_HASH_MAX_LEN];
    size_t hl = tern_hash_len(p->mac_hash);
    int rc = tern_pkcs12_kdf(p->mac_hash, 3, bmp, bmplen, p->mac_salt.p, p->mac_salt.len, p->mac_iterations, key, hl);
    if (rc == 0)
        rc = tern_hmac(p->mac_hash, key, hl, p->auth_safe.p, p->auth_safe.len, tag);
    if (rc == 0)
        *ok = tern_ct_memeq(tag, p->mac_digest.p, hl);
    TERN_DECLASSIFY(ok, sizeof *ok); /* the verdict */
    tern_wipe(key, sizeof key);
    tern_wipe(tag, sizeof tag);
    return rc;
}

/* PBMAC1 (RFC 9579 §3, RFC 8018 §7.1): PBKDF2 from the UTF-8 password with
 * the parameters' salt, count and keyLength, then HMAC. */
static int mac_pbmac1(const tern_p12 *p, const uint8_t *pw, size_t pwlen, uint32_t *ok) {
    uint8_t key[TERN_HASH_MAX_LEN], tag[TERN_HASH_MAX_LEN];
    tern_reader kp, prf;
    tern_span salt, oid;
    uint64_t v;
    tern_hash_alg kdf_prf = TERN_HASH_SHA1;
    tern_rd_init(&kp, p->pbmac1_kdf.p, p->pbmac1_kdf.len);
    /* Checked by parse_pbmac1: salt, count, keyLength, [prf]. */
    TERN_TRY(tern_der_octet_string(&kp, &salt));
    TERN_TRY(tern_der_small_uint(&kp, &v));
    TERN_TRY(tern_der_small_uint(&kp, &v));
    if (kp.len > 0) {
        TERN_TRY(tern_der_expect(&kp, TERN_DER_SEQUENCE, &prf));
        TERN_TRY(tern_der_oid(&prf, &oid));
        kdf_prf = hmac_alg(oid);
    }
    int rc = tern_pbkdf2(kdf_prf, pw, pwlen, salt.p, salt.len, p->mac_iterations, key, p->pbmac1_keylen);
    if (rc == 0)
        rc = tern_hmac(p->mac_hash, key, p->pbmac1_keylen, p->auth_safe.p, p->auth_safe.len, tag);
    if (rc == 0)
        *ok = tern_ct_memeq(tag, p->mac_digest.p, tern_hash_len(p->mac_hash));
    TERN_DECLASSIFY(ok, sizeof *ok); /* the verdict */
    tern_wipe(key, sizeof key);
    tern_wipe(tag, sizeof tag);
    return rc;
}

int tern_p12_check_mac(tern_p12 *p, const uint8_t *pw, size_t pwlen) {
    if (p->mac == TERN_P12_MAC_NONE)
        return 0;
    uint32_t ok = 0;
    int rc;
    if (p->mac == TERN_P12_MAC_PBMAC1) {
        rc = mac_pbmac1(p, pw, pwlen, &ok);
    } else {
        size_t cap = 2 * pwlen + 2, bmplen = 0;
        uint8_t *bmp = malloc(cap);
        if (bmp == NULL)
            return fail(p, TERN_ERR_NOMEM, "PKCS#12: out of memory");
        rc = tern_p12_bmp_password(pw, pwlen, bmp, cap, &bmplen);
        if (rc == 0)
            rc = mac_kdf(p, bmp, bmplen, &ok);
        /* RFC 7292 Appendix B.1 makes the empty password 00 00; some
         * writers (OpenSSL given no password at all) use no bytes.  Try
         * both for an empty password, as OpenSSL does. */
        if (rc == 0 && !ok && pwlen == 0)
            rc = mac_kdf(p, bmp, 0, &ok);
        tern_wipe(bmp, cap);
        free(bmp);
        if (rc == TERN_ERR_INVALID_ARG)
            return fail(p, rc, "PKCS#12: the password is not valid UTF-8");
    }
    if (rc == TERN_ERR_LIMIT) /* the count was bounded when parsed: here the KDF's input bound */
        return fail(p, rc, "PKCS#12: the password or the MAC salt is longer than tern allows (%u bytes)",
                    (unsigned)TERN_PBKDF_MAX_INPUT_LEN);
    if (rc < 0)
        return fail(p, rc, "PKCS#12: the MAC could not be computed (%s)", tern_strerror(rc));
    if (!ok)
        return fail(p, TERN_ERR_DECRYPT_FAILED,
                    "PKCS#12: the MAC does not verify: wrong password, or the file was altered");
    return 0;
}

/* ---- bags ---- */

/* SET OF PKCS12Attribute ::= SEQUENCE { attrId OID, attrValues SET OF ANY }.
 * Unknown attributes are skipped. */
static int parse_attrs(tern_p12 *p, tern_reader *set, tern_p12_attrs *a) {
    while (set->len > 0) {
        tern_reader attr, vals;
        tern_span oid;
        if (tern_der_expect(set, TERN_DER_SEQUENCE, &attr) < 0 || tern_der_oid(&attr, &oid) < 0 ||
            tern_der_expect(&attr, TERN_DER_SET, &vals) < 0 || tern_rd_end(&attr) < 0)
            return fail(p, TERN_ERR_DECODE, "PKCS#12: a bag attribute does not parse");
        if (TERN_DER_OID_EQ(oid, oid_friendly_name)) {
            tern_der_elem e;
            if (tern_der_expect_elem(&vals, TERN_DER_BMP_STRING, &e) < 0 || tern_rd_end(&vals) < 0 ||
                bmp_to_utf8(e.content, a->name, sizeof a->name) < 0)
                return fail(p, TERN_ERR_DECODE,
                            "PKCS#12: a friendlyName is not one BMPString of at most %d bytes of UTF-8",
                            TERN_P12_MAX_NAME - 1);
        } else if (TERN_DER_OID_EQ(oid, oid_local_key_id)) {
            tern_span id;
            if (tern_der_octet_string(&vals, &id) < 0 || tern_rd_end(&vals) < 0 || id.len == 0)
                return fail(p, TERN_ERR_DECODE, "PKCS#12: a localKeyID is not one non-empty OCTET STRING");
            a->key_id_len = id.len < sizeof a->key_id ? id.len : sizeof a->key_id;
            memcpy(a->key_id, id.p, a->key_id_len);
        } else if (TERN_DER_OID_EQ(oid, oid_java_trusted)) {
            a->java_trusted = 1; /* the value (an EKU OID, anyExtendedKeyUsage) is not used */
        }
    }
    return 0;
}

/* The scheme an AlgorithmIdentifier names, for refusals: legacy PKCS#12 PBE
 * (RFC 7292 Appendix C) or PBES1 (RFC 8018 §6.1). */
static const char *legacy_name(tern_span oid) {
    static const char *const p12[] = {"pbeWithSHAAnd128BitRC4", "pbeWithSHAAnd40BitRC4",
                                      "pbeWithSHAAnd3-KeyTripleDES-CBC", "pbeWithSHAAnd2-KeyTripleDES-CBC",
                                      "pbeWithSHAAnd128BitRC2-CBC", "pbeWithSHAAnd40BitRC2-CBC"};
    if (oid.len == sizeof oid_pkcs12_pbe_prefix + 1 &&
        memcmp(oid.p, oid_pkcs12_pbe_prefix, sizeof oid_pkcs12_pbe_prefix) == 0 && oid.p[oid.len - 1] >= 1 &&
        oid.p[oid.len - 1] <= 6)
        return p12[oid.p[oid.len - 1] - 1];
    if (oid.len == sizeof oid_pkcs5_prefix + 1 && memcmp(oid.p, oid_pkcs5_prefix, sizeof oid_pkcs5_prefix) == 0 &&
        oid.p[oid.len - 1] != 0x0c && oid.p[oid.len - 1] != 0x0d && oid.p[oid.len - 1] != 0x0e)
        return "PBES1 (DES or RC2 with MD2, MD5 or SHA-1)";
    return NULL;
}

static int refuse_scheme(tern_p12 *p, tern_span alg_tlv, const char *what) {
    tern_reader r, alg;
    tern_span oid;
    tern_rd_init(&r, alg_tlv.p, alg_tlv.len);
    const char *name = NULL;
    if (tern_der_expect(&r, TERN_DER_SEQUENCE, &alg) == 0 && tern_der_oid(&alg, &oid) == 0) {
        name = legacy_name(oid);
        if (name == NULL && TERN_DER_OID_EQ(oid, oid_pbes2))
            return 0; /* PBES2: the decryption says whether its parts are supported */
    }
    return fail(p, TERN_ERR_UNSUPPORTED,
                "PKCS#12: the %s is encrypted with %s, a legacy scheme (openssl pkcs12 -legacy); re-export "
                "with AES: " REEXPORT,
                what, name ? name : "an unknown algorithm");
}

/* A PBES2 failure of lib/x509/pkcs8.c told in PKCS#12 terms: its sentence
 * without the "private key: " it starts with, and for a scheme tern does
 * not read the PKCS#12 re-export command instead of the PKCS#8 one. */
static int pbes2_failed(tern_p12 *p, int rc, const char *what, const char *why) {
    if (why[0] == 0)
        why = tern_strerror(rc);
    if (strncmp(why, "private key: ", 13) == 0)
        why += 13;
    if (rc == TERN_ERR_UNSUPPORTED) {
        const char *semi = strchr(why, ';');
        int n = semi ? (int)(semi - why) : (int)strlen(why);
        return fail(p, rc, "PKCS#12: the %s: %.*s; re-export with AES: " REEXPORT, what, n, why);
    }
    return fail(p, rc, "PKCS#12: the %s: %s", what, why);
}

static int add_cert(tern_p12 *p, tern_reader *val, const tern_p12_attrs *a) {
    tern_reader cb, expl;
    tern_span oid, cert;
    if (tern_der_expect(val, TERN_DER_SEQUENCE, &cb) < 0 || tern_rd_end(val) < 0 || tern_der_oid(&cb, &oid) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: a CertBag does not parse (RFC 7292 §4.2.3)");
    if (!TERN_DER_OID_EQ(oid, oid_x509_cert)) {
        p->skipped++; /* an SDSI certificate: not X.509, not for TLS */
        return 0;
    }
    if (tern_der_expect(&cb, TERN_DER_CTX_CONS(0), &expl) < 0 || tern_der_octet_string(&expl, &cert) < 0 ||
        tern_rd_end(&expl) < 0 || tern_rd_end(&cb) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: a CertBag does not parse (RFC 7292 §4.2.3)");
    if (p->ncerts + p->nkeys >= TERN_P12_MAX_BAGS)
        return fail(p, TERN_ERR_LIMIT, "PKCS#12: more than %d keys and certificates", TERN_P12_MAX_BAGS);
    tern_p12_cert *c = &p->certs[p->ncerts];
    c->der = malloc(cert.len ? cert.len : 1);
    if (c->der == NULL)
        return fail(p, TERN_ERR_NOMEM, "PKCS#12: out of memory");
    memcpy(c->der, cert.p, cert.len);
    c->len = cert.len;
    c->a = *a;
    p->ncerts++;
    return 0;
}

static int add_key(tern_p12 *p, tern_reader *val, int shrouded, const tern_p12_attrs *a, const uint8_t *pw,
                   size_t pwlen) {
    tern_der_elem e;
    if (tern_der_expect_elem(val, TERN_DER_SEQUENCE, &e) < 0 || tern_rd_end(val) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: a key bag does not parse (RFC 7292 §4.2.1)");
    if (p->ncerts + p->nkeys >= TERN_P12_MAX_BAGS)
        return fail(p, TERN_ERR_LIMIT, "PKCS#12: more than %d keys and certificates", TERN_P12_MAX_BAGS);
    tern_p12_key *k = &p->keys[p->nkeys];
    if (shrouded) {
        /* EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm, encryptedData } (RFC 5958 §3) */
        tern_reader epki;
        tern_der_elem alg;
        tern_rd_init(&epki, e.content.p, e.content.len);
        if (tern_der_expect_elem(&epki, TERN_DER_SEQUENCE, &alg) < 0)
            return fail(p, TERN_ERR_DECODE, "PKCS#12: a shrouded key bag does not parse (RFC 5958 §3)");
        if (!p->enc_keys[0] && tern_pbes2_describe(alg.tlv.p, alg.tlv.len, p->enc_keys, sizeof p->enc_keys) < 0)
            p->enc_keys[0] = 0;
        TERN_TRY(refuse_scheme(p, alg.tlv, "private key"));
        char why[200] = "";
        int rc = tern_pkcs8_decrypt(e.tlv.p, e.tlv.len, pw, pwlen, &k->pkcs8, &k->len, why, sizeof why);
        if (rc < 0) {
            char what[TERN_P12_MAX_NAME + 16];
            msgf(what, sizeof what, "private key%s%s%s", a->name[0] ? " \"" : "", a->name, a->name[0] ? "\"" : "");
            return pbes2_failed(p, rc, what, why);
        }
    } else {
        k->pkcs8 = malloc(e.tlv.len);
        if (k->pkcs8 == NULL)
            return fail(p, TERN_ERR_NOMEM, "PKCS#12: out of memory");
        memcpy(k->pkcs8, e.tlv.p, e.tlv.len);
        k->len = e.tlv.len;
    }
    k->shrouded = shrouded;
    k->a = *a;
    p->nkeys++;
    return 0;
}

static int parse_safe_contents(tern_p12 *p, const uint8_t *der, size_t len, const uint8_t *pw, size_t pwlen,
                               int depth) {
    tern_reader top, bags;
    tern_rd_init(&top, der, len);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &bags) < 0 || tern_rd_end(&top) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: a SafeContents does not parse (RFC 7292 §4.2)");
    while (bags.len > 0) {
        tern_reader bag, val, attrs;
        tern_span oid;
        int present;
        tern_p12_attrs a;
        memset(&a, 0, sizeof a);
        if (tern_der_expect(&bags, TERN_DER_SEQUENCE, &bag) < 0 || tern_der_oid(&bag, &oid) < 0 ||
            tern_der_expect(&bag, TERN_DER_CTX_CONS(0), &val) < 0 ||
            tern_der_optional(&bag, TERN_DER_SET, &attrs, &present) < 0 || tern_rd_end(&bag) < 0)
            return fail(p, TERN_ERR_DECODE, "PKCS#12: a SafeBag does not parse (RFC 7292 §4.2)");
        if (present)
            TERN_TRY(parse_attrs(p, &attrs, &a));
        if (TERN_DER_OID_EQ(oid, oid_cert_bag)) {
            TERN_TRY(add_cert(p, &val, &a));
        } else if (TERN_DER_OID_EQ(oid, oid_key_bag) || TERN_DER_OID_EQ(oid, oid_shrouded_key_bag)) {
            TERN_TRY(add_key(p, &val, TERN_DER_OID_EQ(oid, oid_shrouded_key_bag), &a, pw, pwlen));
        } else if (TERN_DER_OID_EQ(oid, oid_safe_contents_bag)) {
            /* RFC 7292 §4.2.6: nested SafeContents; bounded depth. */
            if (depth >= 4)
                return fail(p, TERN_ERR_LIMIT, "PKCS#12: SafeContents nested more than 4 deep");
            TERN_TRY(parse_safe_contents(p, val.p, val.len, pw, pwlen, depth + 1));
        } else {
            p->skipped++; /* CRL, secret and unknown bags: nothing tern uses */
        }
    }
    return 0;
}

/* EncryptedData ::= SEQUENCE { version INTEGER, encryptedContentInfo
 * EncryptedContentInfo } (RFC 5652 §8); EncryptedContentInfo ::= SEQUENCE {
 * contentType (data), contentEncryptionAlgorithm, encryptedContent [0]
 * IMPLICIT OCTET STRING } (§6.1). */
static int parse_encrypted(tern_p12 *p, tern_reader *content, const uint8_t *pw, size_t pwlen, int depth) {
    tern_reader ed, eci;
    tern_span oid;
    tern_der_elem alg, ct;
    uint64_t version;
    if (tern_der_expect(content, TERN_DER_SEQUENCE, &ed) < 0 || tern_rd_end(content) < 0 ||
        tern_der_small_uint(&ed, &version) < 0 || tern_der_expect(&ed, TERN_DER_SEQUENCE, &eci) < 0 ||
        tern_rd_end(&ed) < 0 || tern_der_oid(&eci, &oid) < 0 || !TERN_DER_OID_EQ(oid, oid_data) ||
        tern_der_expect_elem(&eci, TERN_DER_SEQUENCE, &alg) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: an encryptedData part does not parse (RFC 5652 §8)");
    if (!p->enc_certs[0] && tern_pbes2_describe(alg.tlv.p, alg.tlv.len, p->enc_certs, sizeof p->enc_certs) < 0)
        p->enc_certs[0] = 0;
    TERN_TRY(refuse_scheme(p, alg.tlv, "certificate part"));
    if (tern_der_expect_elem(&eci, TERN_DER_CTX_PRIM(0), &ct) < 0 || tern_rd_end(&eci) < 0)
        return fail(p, TERN_ERR_DECODE,
                    "PKCS#12: the encrypted content is not one DER [0] OCTET STRING (a BER export can be "
                    "rewritten as DER with: " REEXPORT ")");
    uint8_t *plain = NULL;
    size_t plen = 0;
    char why[200] = "";
    int rc = tern_pbes2_decrypt(alg.tlv.p, alg.tlv.len, ct.content.p, ct.content.len, pw, pwlen, &plain, &plen, why,
                                sizeof why);
    if (rc < 0)
        return pbes2_failed(p, rc, "certificate part", why);
    p->encrypted_parts++;
    rc = parse_safe_contents(p, plain, plen, pw, pwlen, depth);
    tern_wipe(plain, plen);
    free(plain);
    return rc;
}

int tern_p12_parse_safe(tern_p12 *p, const uint8_t *der, size_t len, const uint8_t *pw, size_t pwlen) {
    tern_reader top, seq;
    tern_rd_init(&top, der, len);
    if (tern_der_expect(&top, TERN_DER_SEQUENCE, &seq) < 0 || tern_rd_end(&top) < 0)
        return fail(p, TERN_ERR_DECODE, "PKCS#12: the AuthenticatedSafe does not parse (RFC 7292 §4.1)");
    while (seq.len > 0) {
        tern_reader ci, expl;
        tern_span oid, data;
        if (tern_der_expect(&seq, TERN_DER_SEQUENCE, &ci) < 0 || tern_der_oid(&ci, &oid) < 0 ||
            tern_der_expect(&ci, TERN_DER_CTX_CONS(0), &expl) < 0 || tern_rd_end(&ci) < 0)
            return fail(p, TERN_ERR_DECODE, "PKCS#12: a ContentInfo of the AuthenticatedSafe does not parse");
        if (TERN_DER_OID_EQ(oid, oid_data)) {
            if (tern_der_octet_string(&expl, &data) < 0 || tern_rd_end(&expl) < 0)
                return fail(p, TERN_ERR_DECODE, "PKCS#12: a data ContentInfo is not one DER OCTET STRING");
            TERN_TRY(parse_safe_contents(p, data.p, data.len, pw, pwlen, 0));
        } else if (TERN_DER_OID_EQ(oid, oid_encrypted_data)) {
            TERN_TRY(parse_encrypted(p, &expl, pw, pwlen, 0));
        } else {
            return fail(p, TERN_ERR_UNSUPPORTED,
                        "PKCS#12: a part is encrypted to a public key (envelopedData); tern reads password-protected "
                        "files only");
        }
    }
    return 0;
}

int tern_p12_load(tern_p12 *p, const uint8_t *der, size_t len, const uint8_t *pw, size_t pwlen) {
    TERN_TRY(tern_p12_parse_pfx(p, der, len));
    /* RFC 7292 §5.1: the integrity check comes first; nothing inside is
     * decrypted or believed before the MAC verifies. */
    TERN_TRY(tern_p12_check_mac(p, pw, pwlen));
    return tern_p12_parse_safe(p, p->auth_safe.p, p->auth_safe.len, pw, pwlen);
}

/* ---- key stores and trust stores from a PKCS#12 file ---- */

/* A file without MacData (openssl pkcs12 -nomac) loads: the integrity MAC
 * is optional in RFC 7292 §4, and encrypted parts are still protected by
 * the password (PBES2 padding).  The load succeeds with this note, which
 * the caller shows (tern_config_error after a successful load). */
#define NO_MAC "note: the PKCS#12 file has no MAC (openssl pkcs12 -nomac): its integrity was not checked"

/* The name a key goes by: its friendlyName, else that of the certificate
 * with its localKeyID. */
static const char *key_name(const tern_p12 *p, const tern_p12_key *k, size_t *cert) {
    *cert = p->ncerts;
    for (size_t i = 0; k->a.key_id_len > 0 && i < p->ncerts; i++)
        if (p->certs[i].a.key_id_len == k->a.key_id_len &&
            memcmp(p->certs[i].a.key_id, k->a.key_id, k->a.key_id_len) == 0) {
            *cert = i;
            break;
        }
    if (k->a.name[0] || *cert == p->ncerts)
        return k->a.name;
    return p->certs[*cert].a.name;
}

/* "a", "b", "(unnamed)": the keys' names for a sentence. */
static void list_names(const tern_p12 *p, char *out, size_t cap) {
    size_t used = 0, leaf;
    out[0] = 0;
    for (size_t i = 0; i < p->nkeys && used < cap; i++) {
        const char *n = key_name(p, &p->keys[i], &leaf);
        int w = snprintf(out + used, cap - used, "%s%s%s%s", i ? ", " : "", n[0] ? "\"" : "", n[0] ? n : "(unnamed)",
                         n[0] ? "\"" : "");
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

int tern_p12_keystore(tern_keystore *ks, const uint8_t *der, size_t len, const uint8_t *pw, size_t pwlen,
                      const char *name) {
    tern_p12 *p = malloc(sizeof *p);
    tern_keystore_init(ks);
    if (p == NULL) {
        msgf(ks->msg, sizeof ks->msg, "out of memory");
        return TERN_ERR_NOMEM;
    }
    tern_p12_init(p);
    int rc = tern_p12_load(p, der, len, pw, pwlen);
    size_t chosen = p->nkeys, leaf = p->ncerts;
    char names[160];
    if (rc < 0) {
        msgf(ks->msg, sizeof ks->msg, "%s", p->msg);
    } else if (p->nkeys == 0) {
        msgf(ks->msg, sizeof ks->msg,
             "the PKCS#12 file holds no private key (%zu certificates): it is a trust store, to be loaded as one "
             "(--truststore, tern_config_load_truststore_p12)",
             p->ncerts);
        rc = TERN_ERR_INVALID_ARG;
    } else if (name != NULL) {
        for (size_t i = 0; i < p->nkeys && chosen == p->nkeys; i++)
            if (strcmp(key_name(p, &p->keys[i], &leaf), name) == 0)
                chosen = i;
        if (chosen == p->nkeys) {
            list_names(p, names, sizeof names);
            msgf(ks->msg, sizeof ks->msg, "the PKCS#12 file has no key named \"%s\"; its keys: %s", name, names);
            rc = TERN_ERR_INVALID_ARG;
        }
    } else if (p->nkeys > 1) {
        list_names(p, names, sizeof names);
        msgf(ks->msg, sizeof ks->msg,
             "the PKCS#12 file holds %zu private keys (%s): choose one by name (--keyname NAME, "
             "tern_config_load_keystore_p12_named)",
             p->nkeys, names);
        rc = TERN_ERR_INVALID_ARG;
    } else {
        chosen = 0;
    }
    if (rc == 0) {
        tern_span certs[TERN_P12_MAX_BAGS];
        for (size_t i = 0; i < p->ncerts; i++) {
            certs[i].p = p->certs[i].der;
            certs[i].len = p->certs[i].len;
        }
        (void)key_name(p, &p->keys[chosen], &leaf); /* the certificate paired by localKeyID, if any */
        rc = tern_keystore_load_der(ks, certs, p->ncerts, leaf, p->keys[chosen].pkcs8, p->keys[chosen].len);
    }
    if (rc == 0 && p->mac == TERN_P12_MAC_NONE)
        msgf(ks->msg, sizeof ks->msg, "%s", NO_MAC);
    tern_p12_free(p);
    free(p);
    return rc;
}

int tern_p12_truststore(tern_truststore *ts, const uint8_t *der, size_t len, const uint8_t *pw, size_t pwlen,
                        char *msg, size_t cap) {
    tern_p12 *p = malloc(sizeof *p);
    msgf(msg, cap, "%s", p ? "" : "out of memory");
    if (p == NULL)
        return TERN_ERR_NOMEM;
    tern_p12_init(p);
    int rc = tern_p12_load(p, der, len, pw, pwlen), added = 0;
    size_t trusted = 0;
    for (size_t i = 0; rc == 0 && i < p->ncerts; i++)
        trusted += p->certs[i].a.java_trusted != 0;
    if (rc < 0) {
        msgf(msg, cap, "%s", p->msg);
    } else if (p->ncerts == 0) {
        msgf(msg, cap, "the PKCS#12 file holds no certificate");
        rc = TERN_ERR_CERT_BAD;
    } else if (trusted == 0 && p->nkeys > 0) {
        /* A key store's certificates are its own chain, not CAs the user
         * chose to trust; taking them would trust whatever signed the key
         * holder.  The user can say so explicitly. */
        msgf(msg, cap,
             "the PKCS#12 file holds a private key: it is a key store, not a trust store; to trust the CA "
             "certificates in it, extract them: openssl pkcs12 -in FILE -nokeys -cacerts -out ca.pem");
        rc = TERN_ERR_INVALID_ARG;
    }
    /* Java trust stores mark each trusted certificate (keytool -importcert);
     * a file with marks is taken by its marks, one without (openssl pkcs12
     * -export -nokeys) whole. */
    for (size_t i = 0; rc == 0 && i < p->ncerts; i++) {
        if (trusted > 0 && !p->certs[i].a.java_trusted)
            continue;
        int e = tern_truststore_add_der(ts, p->certs[i].der, p->certs[i].len);
        if (e < 0) {
            msgf(msg, cap, "certificate %zu of the PKCS#12 file is malformed", i + 1);
            rc = e;
        } else {
            added += e;
        }
    }
    if (rc == 0 && p->mac == TERN_P12_MAC_NONE)
        msgf(msg, cap, "%s", NO_MAC);
    tern_p12_free(p);
    free(p);
    return rc < 0 ? rc : added;
}

int tern_p12_read_file(const char *path, uint8_t **out, size_t *len) {
    return tern_x509_read_file(path, TERN_P12_MAX_FILE, out, len);
}
