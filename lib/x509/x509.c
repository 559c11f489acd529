/*
 * X.509 certificate parsing (RFC 5280 §4.1 structure, §4.2.1 extensions),
 * algorithm identifiers (RFC 4055 PKCS #1 and RSASSA-PSS parameters,
 * RFC 5758 ECDSA), SubjectPublicKeyInfo (RFC 3279 RSA, RFC 5480 EC), names
 * for display (RFC 4514 order and escaping).  See x509.h.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/x509.h"

#include <stdio.h>

#include "lib/x509/nc.h"
#include "lib/x509/oid.h"
#include "lib/x509/policy.h"

#define BAD TERN_ERR_CERT_BAD

/* ---- algorithm identifiers ---- */

/* A hash AlgorithmIdentifier inside PSS parameters: SHA-256/384/512 with
 * NULL or absent parameters (RFC 4055 §2.1).  *hash = 0 for another hash
 * (SHA-1 included), which the caller refuses. */
static int parse_hash_alg(tern_reader *r, tern_hash_alg *hash, int *known) {
    tern_reader a;
    tern_span oid;
    TERN_TRY(tern_der_expect(r, TERN_DER_SEQUENCE, &a));
    TERN_TRY(tern_der_oid(&a, &oid));
    if (tern_rd_left(&a))
        TERN_TRY(tern_der_null(&a));
    TERN_TRY(tern_rd_end(&a));
    *known = 1;
    if (TERN_DER_OID_EQ(oid, tern_oid_sha256))
        *hash = TERN_HASH_SHA256;
    else if (TERN_DER_OID_EQ(oid, tern_oid_sha384))
        *hash = TERN_HASH_SHA384;
    else if (TERN_DER_OID_EQ(oid, tern_oid_sha512))
        *hash = TERN_HASH_SHA512;
    else
        *known = 0;
    return 0;
}

/* RSASSA-PSS-params (RFC 4055 §3.1).  Only what TLS and the Web PKI use
 * is accepted as PSS: an explicit SHA-2 hash, MGF1 with the same hash,
 * trailerField 1 (absent); anything else (including the SHA-1 defaults)
 * is an algorithm we do not support, not a malformed certificate. */
static int parse_pss_params(tern_reader *params, tern_x509_sigalg *s) {
    tern_reader seq, f;
    int present, known = 0, mgf_known = 0;
    tern_hash_alg hash = TERN_HASH_SHA256, mgf_hash = TERN_HASH_SHA256;
    uint64_t salt = 20;
    TERN_TRY(tern_der_expect(params, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(params));
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_CONS(0), &f, &present));
    if (present) {
        TERN_TRY(parse_hash_alg(&f, &hash, &known));
        TERN_TRY(tern_rd_end(&f));
    }
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_CONS(1), &f, &present));
    if (present) {
        tern_reader mgf;
        tern_span oid;
        TERN_TRY(tern_der_expect(&f, TERN_DER_SEQUENCE, &mgf));
        TERN_TRY(tern_rd_end(&f));
        TERN_TRY(tern_der_oid(&mgf, &oid));
        if (TERN_DER_OID_EQ(oid, tern_oid_mgf1)) {
            TERN_TRY(parse_hash_alg(&mgf, &mgf_hash, &mgf_known));
            TERN_TRY(tern_rd_end(&mgf));
        }
    }
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_CONS(2), &f, &present));
    if (present) {
        TERN_TRY(tern_der_small_uint(&f, &salt));
        TERN_TRY(tern_rd_end(&f));
    }
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_CONS(3), &f, &present));
    if (present) {
        uint64_t trailer;
        TERN_TRY(tern_der_small_uint(&f, &trailer));
        TERN_TRY(tern_rd_end(&f));
        if (trailer != 1)
            known = 0;
    }
    TERN_TRY(tern_rd_end(&seq));
    if (known && mgf_known && hash == mgf_hash && salt == tern_hash_len(hash)) {
        s->type = TERN_X509_SIG_RSA_PSS;
        s->hash = hash;
        s->salt_len = (unsigned)salt;
    }
    return 0;
}

static int parse_sig_alg(tern_reader *r, tern_x509_sigalg *s) {
    tern_der_elem e;
    tern_reader a;
    tern_span oid;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_SEQUENCE, &e));
    tern_rd_init(&a, e.content.p, e.content.len);
    memset(s, 0, sizeof *s);
    s->tlv = e.tlv;
    TERN_TRY(tern_der_oid(&a, &oid));
    static const struct {
        const uint8_t *oid;
        size_t len;
        tern_x509_sig_type type;
        tern_hash_alg hash;
        int null_params; /* RFC 4055 §5: NULL or absent; RFC 5758: absent */
    } table[] = {
        {tern_oid_sha256_rsa, sizeof tern_oid_sha256_rsa, TERN_X509_SIG_RSA_PKCS1, TERN_HASH_SHA256, 1},
        {tern_oid_sha384_rsa, sizeof tern_oid_sha384_rsa, TERN_X509_SIG_RSA_PKCS1, TERN_HASH_SHA384, 1},
        {tern_oid_sha512_rsa, sizeof tern_oid_sha512_rsa, TERN_X509_SIG_RSA_PKCS1, TERN_HASH_SHA512, 1},
        {tern_oid_sha1_rsa, sizeof tern_oid_sha1_rsa, TERN_X509_SIG_RSA_SHA1, TERN_HASH_SHA256, 1},
        {tern_oid_md5_rsa, sizeof tern_oid_md5_rsa, TERN_X509_SIG_RSA_MD5, TERN_HASH_SHA256, 1},
        {tern_oid_ecdsa_sha256, sizeof tern_oid_ecdsa_sha256, TERN_X509_SIG_ECDSA, TERN_HASH_SHA256, 0},
        {tern_oid_ecdsa_sha384, sizeof tern_oid_ecdsa_sha384, TERN_X509_SIG_ECDSA, TERN_HASH_SHA384, 0},
        {tern_oid_ecdsa_sha512, sizeof tern_oid_ecdsa_sha512, TERN_X509_SIG_ECDSA, TERN_HASH_SHA512, 0},
        {tern_oid_ecdsa_sha1, sizeof tern_oid_ecdsa_sha1, TERN_X509_SIG_ECDSA_SHA1, TERN_HASH_SHA256, 0},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(table); i++) {
        if (!tern_der_oid_eq(oid, table[i].oid, table[i].len))
            continue;
        if (table[i].null_params && tern_rd_left(&a))
            TERN_TRY(tern_der_null(&a));
        TERN_TRY(tern_rd_end(&a));
        s->type = table[i].type;
        s->hash = table[i].hash;
        return 0;
    }
    if (TERN_DER_OID_EQ(oid, tern_oid_rsassa_pss))
        return parse_pss_params(&a, s);
    /* Unknown algorithm: parameters are whatever they are. */
    s->type = TERN_X509_SIG_UNKNOWN;
    return 0;
}

/* ---- names ---- */

/* Strict UTF-8 (RFC 3629 §4): shortest forms only, no surrogates, at most
 * U+10FFFF. */
static int valid_utf8(tern_span s) {
    size_t i = 0;
    while (i < s.len) {
        uint8_t b = s.p[i];
        size_t n;
        uint32_t cp, min;
        if (b < 0x80) {
            i++;
            continue;
        } else if ((b & 0xe0) == 0xc0) {
            n = 1, cp = b & 0x1f, min = 0x80;
        } else if ((b & 0xf0) == 0xe0) {
            n = 2, cp = b & 0x0f, min = 0x800;
        } else if ((b & 0xf8) == 0xf0) {
            n = 3, cp = b & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (s.len - i - 1 < n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s.p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = cp << 6 | (s.p[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* An attribute value: one of the string types X.520 DirectoryString and
 * the PKIX attributes use (RFC 5280 App. A.1), primitive, with content
 * that fits the type. */
static int check_attr_value(const tern_der_elem *v) {
    switch (v->tag) {
    case TERN_DER_UTF8_STRING:
        return valid_utf8(v->content) ? 0 : TERN_ERR_DECODE;
    case TERN_DER_BMP_STRING:
        return v->content.len % 2 == 0 ? 0 : TERN_ERR_DECODE;
    case TERN_DER_UNIVERSAL_STRING:
        /* UCS-4: each character a Unicode scalar value. */
        TERN_ENSURE(v->content.len % 4 == 0, TERN_ERR_DECODE);
        for (size_t i = 0; i < v->content.len; i += 4) {
            uint32_t ch = tern_load_be32(v->content.p + i);
            TERN_ENSURE(ch <= 0x10ffff && !(ch >= 0xd800 && ch <= 0xdfff), TERN_ERR_DECODE);
        }
        return 0;
    case TERN_DER_IA5_STRING:
    case 0x12: /* NumericString */
    case TERN_DER_PRINTABLE_STRING:
    case 0x1a: /* VisibleString */
        for (size_t i = 0; i < v->content.len; i++)
            TERN_ENSURE(v->content.p[i] < 0x80, TERN_ERR_DECODE);
        return 0;
    case TERN_DER_T61_STRING: /* legacy: any bytes */
        return 0;
    default:
        return TERN_ERR_DECODE;
    }
}

/* Name ::= SEQUENCE OF SET SIZE (1..MAX) OF SEQUENCE { type OID, value ANY }
 * (RFC 5280 §4.1.2.4).  Checks the shape and the value strings; names are
 * kept as DER. */
static int check_name(tern_span name_tlv) {
    tern_reader r, seq;
    tern_rd_init(&r, name_tlv.p, name_tlv.len);
    TERN_TRY(tern_der_expect(&r, TERN_DER_SEQUENCE, &seq));
    while (tern_rd_left(&seq)) {
        tern_reader set;
        TERN_TRY(tern_der_expect(&seq, TERN_DER_SET, &set));
        TERN_ENSURE(tern_rd_left(&set) > 0, TERN_ERR_DECODE);
        while (tern_rd_left(&set)) {
            tern_reader atv;
            tern_span oid;
            tern_der_elem v;
            TERN_TRY(tern_der_expect(&set, TERN_DER_SEQUENCE, &atv));
            TERN_TRY(tern_der_oid(&atv, &oid));
            TERN_TRY(tern_der_next(&atv, &v));
            TERN_TRY(check_attr_value(&v));
            TERN_TRY(tern_rd_end(&atv));
        }
    }
    return 0;
}

/* ---- public key ---- */

static size_t bit_length(tern_span m) {
    if (m.len == 0 || (m.len == 1 && m.p[0] == 0))
        return 0;
    size_t bits = (m.len - 1) * 8;
    for (uint8_t b = m.p[0]; b; b >>= 1)
        bits++;
    return bits;
}

static int parse_spki(tern_reader *r, tern_x509_spki *k) {
    tern_der_elem e;
    tern_reader spki, alg;
    tern_span oid, key;
    memset(k, 0, sizeof *k);
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_SEQUENCE, &e));
    k->spki = e.tlv;
    tern_rd_init(&spki, e.content.p, e.content.len);
    TERN_TRY(tern_der_expect(&spki, TERN_DER_SEQUENCE, &alg));
    TERN_TRY(tern_der_oid(&alg, &oid));
    TERN_TRY(tern_der_bit_string_bytes(&spki, &key));
    TERN_TRY(tern_rd_end(&spki));
    if (TERN_DER_OID_EQ(oid, tern_oid_rsa_encryption)) {
        /* RFC 3279 §2.3.1: parameters NULL; RSAPublicKey ::= SEQUENCE { n, e }. */
        tern_reader kr, seq;
        TERN_TRY(tern_der_null(&alg));
        TERN_TRY(tern_rd_end(&alg));
        tern_rd_init(&kr, key.p, key.len);
        TERN_TRY(tern_der_expect(&kr, TERN_DER_SEQUENCE, &seq));
        TERN_TRY(tern_rd_end(&kr));
        TERN_TRY(tern_der_uint(&seq, &k->rsa_n));
        TERN_TRY(tern_der_uint(&seq, &k->rsa_e));
        TERN_TRY(tern_rd_end(&seq));
        k->type = TERN_X509_KEY_RSA;
        k->bits = bit_length(k->rsa_n);
        TERN_ENSURE(k->bits > 0 && bit_length(k->rsa_e) > 0, TERN_ERR_DECODE);
    } else if (TERN_DER_OID_EQ(oid, tern_oid_ec_public_key)) {
        /* RFC 5480 §2.1.1: ECParameters is a namedCurve OID here (implicit
         * and specified curves are not allowed in PKIX). */
        tern_span curve;
        TERN_TRY(tern_der_oid(&alg, &curve));
        TERN_TRY(tern_rd_end(&alg));
        k->type = TERN_X509_KEY_EC;
        k->ec_point = key;
        if (TERN_DER_OID_EQ(curve, tern_oid_p256)) {
            k->curve = TERN_X509_CURVE_P256;
            k->bits = 256;
        } else if (TERN_DER_OID_EQ(curve, tern_oid_p384)) {
            k->curve = TERN_X509_CURVE_P384;
            k->bits = 384;
        }
        /* RFC 5480 §2.2: uncompressed points (04 || X || Y) are what we use. */
        if (k->curve)
            TERN_ENSURE(key.len == 1 + 2 * k->bits / 8 && key.p[0] == 0x04, TERN_ERR_DECODE);
    } else {
        k->type = TERN_X509_KEY_UNKNOWN;
    }
    return 0;
}

/* ---- extensions ---- */

static int parse_basic_constraints(tern_x509_cert *c, tern_reader *v) {
    tern_reader seq;
    TERN_TRY(tern_der_expect(v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(v));
    if (tern_rd_left(&seq) && seq.p[0] == TERN_DER_BOOLEAN) {
        TERN_TRY(tern_der_bool(&seq, &c->is_ca));
        /* DER: a DEFAULT FALSE value is never encoded. */
        TERN_ENSURE(c->is_ca, TERN_ERR_DECODE);
    }
    if (tern_rd_left(&seq) && seq.p[0] == TERN_DER_INTEGER) {
        uint64_t n;
        TERN_TRY(tern_der_small_uint(&seq, &n));
        c->has_path_len = 1;
        c->path_len = n > 255 ? 255 : (unsigned)n;
    }
    TERN_TRY(tern_rd_end(&seq));
    c->has_basic_constraints = 1;
    return 0;
}

static int parse_key_usage(tern_x509_cert *c, tern_reader *v) {
    tern_span bits;
    unsigned unused;
    TERN_TRY(tern_der_bit_string(v, &bits, &unused));
    TERN_TRY(tern_rd_end(v));
    unsigned ku = 0;
    for (size_t i = 0; i < bits.len && i < 2; i++)
        for (unsigned b = 0; b < 8; b++)
            if (bits.p[i] & (0x80u >> b))
                ku |= 1u << (i * 8 + b);
    /* RFC 5280 §4.2.1.3: at least one bit set. */
    TERN_ENSURE(ku != 0, TERN_ERR_DECODE);
    c->has_key_usage = 1;
    c->key_usage = ku;
    return 0;
}

/* id-kp-OCSPSigning, 1.3.6.1.5.5.7.3.9 (RFC 6960 §4.2.2.2). */
static const uint8_t oid_kp_ocsp_signing[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x09};

static int parse_eku(tern_x509_cert *c, tern_reader *v) {
    tern_reader seq;
    TERN_TRY(tern_der_expect(v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(v));
    TERN_ENSURE(tern_rd_left(&seq) > 0, TERN_ERR_DECODE);
    while (tern_rd_left(&seq)) {
        tern_span oid;
        TERN_TRY(tern_der_oid(&seq, &oid));
        if (TERN_DER_OID_EQ(oid, tern_oid_kp_server_auth))
            c->eku |= TERN_X509_EKU_SERVER_AUTH;
        else if (TERN_DER_OID_EQ(oid, tern_oid_kp_client_auth))
            c->eku |= TERN_X509_EKU_CLIENT_AUTH;
        else if (TERN_DER_OID_EQ(oid, tern_oid_eku_any))
            c->eku |= TERN_X509_EKU_ANY;
        else if (TERN_DER_OID_EQ(oid, oid_kp_ocsp_signing))
            c->eku |= TERN_X509_EKU_OTHER | TERN_X509_EKU_OCSP_SIGNING;
        else
            c->eku |= TERN_X509_EKU_OTHER;
    }
    c->has_eku = 1;
    return 0;
}

/* GeneralNames (RFC 5280 §4.2.1.6): every entry's shape is checked; the
 * name check walks them again later. */
static int parse_san(tern_x509_cert *c, tern_reader *v) {
    tern_reader seq;
    TERN_TRY(tern_der_expect(v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(v));
    TERN_ENSURE(tern_rd_left(&seq) > 0, TERN_ERR_DECODE);
    c->san.p = seq.p;
    c->san.len = seq.len;
    while (tern_rd_left(&seq)) {
        tern_der_elem e;
        TERN_TRY(tern_der_next(&seq, &e));
        TERN_ENSURE((e.tag & 0xc0) == TERN_DER_CONTEXT, TERN_ERR_DECODE);
        unsigned n = e.tag & 0x1f;
        int cons = (e.tag & TERN_DER_CONSTRUCTED) != 0;
        switch (n) {
        case 0: case 3: case 4: case 5: /* otherName, x400Address, directoryName, ediPartyName */
            TERN_ENSURE(cons, TERN_ERR_DECODE);
            break;
        case 1: case 2: case 6: /* rfc822Name, dNSName, URI: IA5String */
            TERN_ENSURE(!cons, TERN_ERR_DECODE);
            for (size_t i = 0; i < e.content.len; i++)
                TERN_ENSURE(e.content.p[i] > 0 && e.content.p[i] < 0x80, TERN_ERR_DECODE);
            if (n == 2)
                c->san_dns_count++;
            break;
        case 7: /* iPAddress: 4 or 16 octets in a SAN (§4.2.1.6) */
            TERN_ENSURE(!cons && (e.content.len == 4 || e.content.len == 16), TERN_ERR_DECODE);
            c->san_ip_count++;
            break;
        case 8: { /* registeredID */
            TERN_ENSURE(!cons, TERN_ERR_DECODE);
            TERN_TRY(tern_der_oid_check(e.content));
            break;
        }
        default:
            return TERN_ERR_DECODE;
        }
    }
    c->has_san = 1;
    return 0;
}

static int parse_aki(tern_x509_cert *c, tern_reader *v) {
    tern_reader seq, f;
    int present;
    TERN_TRY(tern_der_expect(v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(v));
    c->has_aki_ext = 1;
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_PRIM(0), &f, &present));
    if (present) {
        c->aki.p = f.p;
        c->aki.len = f.len;
        c->has_aki = 1;
    }
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_CONS(1), &f, &present));
    c->aki_issuer_serial |= present;
    TERN_TRY(tern_der_optional(&seq, TERN_DER_CTX_PRIM(2), &f, &present));
    c->aki_issuer_serial |= present;
    return tern_rd_end(&seq);
}

/* AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription;
 * AccessDescription ::= SEQUENCE { accessMethod OID, accessLocation
 * GeneralName } (RFC 5280 §4.2.2.1).  tern fetches nothing from it, but a
 * malformed one is a malformed certificate. */
static int parse_aia(tern_reader *v) {
    tern_reader seq;
    TERN_TRY(tern_der_expect(v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(v));
    TERN_ENSURE(tern_rd_left(&seq) > 0, TERN_ERR_DECODE);
    while (tern_rd_left(&seq)) {
        tern_reader ad;
        tern_span oid;
        tern_der_elem loc;
        TERN_TRY(tern_der_expect(&seq, TERN_DER_SEQUENCE, &ad));
        TERN_TRY(tern_der_oid(&ad, &oid));
        TERN_TRY(tern_der_next(&ad, &loc));
        TERN_ENSURE((loc.tag & 0xc0) == TERN_DER_CONTEXT && (loc.tag & 0x1f) <= 8, TERN_ERR_DECODE);
        TERN_TRY(tern_rd_end(&ad));
    }
    return 0;
}

/* NameConstraints (RFC 5280 §4.2.1.10): recorded by lib/x509/nc.c, which
 * checks the value; a malformed one does not make the certificate
 * unparseable (it is refused as an issuer, with a sentence naming the bad
 * constraint, so a trust store holding such a root still loads). */
static int parse_name_constraints(tern_x509_cert *c, tern_reader *v) {
    tern_span val = {v->p, v->len};
    tern_x509_nc_scan(c, val);
    return 0;
}

/* TLS Feature (RFC 7633 §4.2): Features ::= SEQUENCE OF INTEGER.  Each is
 * a TLS extension type, so a value beyond 16 bits (or a negative one) is
 * not one: the certificate is malformed rather than guessed at. */
static int parse_tls_feature(tern_x509_cert *c, tern_reader *v) {
    tern_reader seq;
    TERN_TRY(tern_der_expect(v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(v));
    while (tern_rd_left(&seq)) {
        uint64_t f;
        TERN_TRY(tern_der_small_uint(&seq, &f));
        TERN_ENSURE(f <= 0xffff, TERN_ERR_DECODE);
        if (f == TERN_X509_TLS_FEATURE_STATUS_REQUEST)
            c->must_staple = 1;
    }
    c->has_tls_feature = 1;
    return 0;
}

#define MAX_EXTENSIONS 64

/* id-pe-authorityInfoAccess, 1.3.6.1.5.5.7.1.1 (RFC 5280 §4.2.2.1). */
static const uint8_t oid_pe_aia[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x01};
/* id-pe-tlsfeature, 1.3.6.1.5.5.7.1.24 (RFC 7633 §6). */
static const uint8_t oid_pe_tls_feature[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x01, 0x18};
/* id-pkix-ocsp-nocheck, 1.3.6.1.5.5.7.48.1.5 (RFC 6960 §4.2.2.2.1): NULL. */
static const uint8_t oid_ocsp_nocheck[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x05};

static int parse_extensions(tern_x509_cert *c, tern_reader *exts) {
    tern_reader seq;
    tern_span seen[MAX_EXTENSIONS];
    size_t nseen = 0;
    TERN_TRY(tern_der_expect(exts, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(exts));
    TERN_ENSURE(tern_rd_left(&seq) > 0, TERN_ERR_DECODE); /* SIZE (1..MAX) */
    while (tern_rd_left(&seq)) {
        tern_reader ext, val;
        tern_span oid, value;
        int critical = 0;
        TERN_TRY(tern_der_expect(&seq, TERN_DER_SEQUENCE, &ext));
        TERN_TRY(tern_der_oid(&ext, &oid));
        if (tern_rd_left(&ext) && ext.p[0] == TERN_DER_BOOLEAN) {
            TERN_TRY(tern_der_bool(&ext, &critical));
            TERN_ENSURE(critical, TERN_ERR_DECODE); /* DER: DEFAULT FALSE is omitted */
        }
        TERN_TRY(tern_der_octet_string(&ext, &value));
        TERN_TRY(tern_rd_end(&ext));
        /* RFC 5280 §4.2: at most one instance of an extension. */
        TERN_ENSURE(nseen < MAX_EXTENSIONS, TERN_ERR_DECODE);
        for (size_t i = 0; i < nseen; i++)
            TERN_ENSURE(!tern_der_oid_eq(seen[i], oid.p, oid.len), TERN_ERR_DECODE);
        seen[nseen++] = oid;

        tern_rd_init(&val, value.p, value.len);
        if (TERN_DER_OID_EQ(oid, tern_oid_ce_basic_constraints)) {
            TERN_TRY(parse_basic_constraints(c, &val));
            c->bc_critical = critical;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_key_usage)) {
            TERN_TRY(parse_key_usage(c, &val));
            c->ku_critical = critical;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_eku)) {
            TERN_TRY(parse_eku(c, &val));
            c->eku_critical = critical;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_san)) {
            TERN_TRY(parse_san(c, &val));
            c->san_critical = critical;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_ski)) {
            TERN_TRY(tern_der_octet_string(&val, &c->ski));
            TERN_TRY(tern_rd_end(&val));
            c->has_ski = 1;
            c->ski_critical = critical;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_aki)) {
            TERN_TRY(parse_aki(c, &val));
            c->aki_critical = critical;
        } else if (TERN_DER_OID_EQ(oid, oid_pe_aia)) {
            TERN_TRY(parse_aia(&val));
            c->has_aia = 1;
            if (critical && !c->unknown_critical) {
                /* §4.2.2.1: MUST be non-critical; tern does not use it. */
                c->unknown_critical = 1;
                c->unknown_critical_oid = oid;
            }
        } else if (TERN_DER_OID_EQ(oid, oid_pe_tls_feature)) {
            /* Understood whether critical or not: the TLS layer enforces
             * must-staple (RFC 7633 §4.2.2). */
            TERN_TRY(parse_tls_feature(c, &val));
        } else if (TERN_DER_OID_EQ(oid, oid_ocsp_nocheck)) {
            TERN_TRY(tern_der_null(&val));
            TERN_TRY(tern_rd_end(&val));
            c->ocsp_nocheck = 1;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_name_constraints)) {
            /* Enforced by path validation whether critical or not (a CA
             * that wrongly marks them non-critical still meant them). */
            TERN_TRY(parse_name_constraints(c, &val));
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_cert_policies)) {
            /* The four policy extensions: DER checked here, interpreted by
             * path validation (lib/x509/policy.c), so critical ones are
             * understood, not unknown. */
            TERN_TRY(tern_x509_policy_ext_check(TERN_POLICY_EXT_POLICIES, value));
            c->has_policies = 1;
            c->policies = value;
            c->policies_critical = critical;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_policy_mappings)) {
            TERN_TRY(tern_x509_policy_ext_check(TERN_POLICY_EXT_MAPPINGS, value));
            c->has_policy_mappings = 1;
            c->policy_mappings = value;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_policy_constraints)) {
            TERN_TRY(tern_x509_policy_ext_check(TERN_POLICY_EXT_CONSTRAINTS, value));
            c->has_policy_constraints = 1;
            c->policy_constraints = value;
            c->pc_critical = critical;
        } else if (TERN_DER_OID_EQ(oid, tern_oid_ce_inhibit_any_policy)) {
            TERN_TRY(tern_x509_policy_ext_check(TERN_POLICY_EXT_INHIBIT_ANY, value));
            c->has_inhibit_any = 1;
            c->inhibit_any = value;
            c->inhibit_any_critical = critical;
        } else if (critical && !c->unknown_critical) {
            /* RFC 5280 §4.2: a certificate with an unrecognised critical
             * extension must be rejected; parse it, refuse it in use. */
            c->unknown_critical = 1;
            c->unknown_critical_oid = oid;
        }
    }
    return 0;
}

/* ---- the certificate ---- */

static int parse_cert(tern_x509_cert *c, const uint8_t *der, size_t len) {
    tern_reader top, cert, tbs;
    tern_der_elem e, tbs_e;
    int present;
    memset(c, 0, sizeof *c);
    TERN_TRY(tern_der_check(der, len));
    tern_rd_init(&top, der, len);
    TERN_TRY(tern_der_expect_elem(&top, TERN_DER_SEQUENCE, &e));
    TERN_TRY(tern_rd_end(&top));
    c->der.p = der;
    c->der.len = len;
    tern_rd_init(&cert, e.content.p, e.content.len);
    TERN_TRY(tern_der_expect_elem(&cert, TERN_DER_SEQUENCE, &tbs_e));
    c->tbs = tbs_e.tlv;
    TERN_TRY(parse_sig_alg(&cert, &c->sig_alg));
    TERN_TRY(tern_der_bit_string_bytes(&cert, &c->signature));
    TERN_TRY(tern_rd_end(&cert));

    tern_rd_init(&tbs, tbs_e.content.p, tbs_e.content.len);
    /* version [0] EXPLICIT INTEGER DEFAULT v1: DER omits v1. */
    tern_reader f;
    c->version = 1;
    TERN_TRY(tern_der_optional(&tbs, TERN_DER_CTX_CONS(0), &f, &present));
    if (present) {
        uint64_t v;
        TERN_TRY(tern_der_small_uint(&f, &v));
        TERN_TRY(tern_rd_end(&f));
        TERN_ENSURE(v == 1 || v == 2, TERN_ERR_DECODE);
        c->version = (int)v + 1;
    }
    /* serialNumber: minimal two's complement, at most 21 content octets
     * (20 octets of value and a sign octet).  RFC 5280 §4.1.2.2's
     * "positive, at most 20 octets" is a profile rule of path validation
     * (verify.c), so a trust store with an old root whose serial is
     * negative still loads. */
    TERN_TRY(tern_der_expect_elem(&tbs, TERN_DER_INTEGER, &e));
    TERN_ENSURE(e.content.len >= 1 && e.content.len <= 21, TERN_ERR_DECODE);
    if (e.content.len > 1) {
        uint8_t a = e.content.p[0], b = e.content.p[1];
        TERN_ENSURE(!(a == 0x00 && !(b & 0x80)) && !(a == 0xff && (b & 0x80)), TERN_ERR_DECODE);
    }
    c->serial = e.content;
    /* signature: must equal signatureAlgorithm (§4.1.1.2), byte for byte. */
    tern_x509_sigalg inner;
    TERN_TRY(parse_sig_alg(&tbs, &inner));
    TERN_ENSURE(inner.tlv.len == c->sig_alg.tlv.len && memcmp(inner.tlv.p, c->sig_alg.tlv.p, inner.tlv.len) == 0,
                TERN_ERR_DECODE);
    TERN_TRY(tern_der_expect_elem(&tbs, TERN_DER_SEQUENCE, &e));
    c->issuer = e.tlv;
    TERN_TRY(check_name(c->issuer));
    tern_reader validity;
    TERN_TRY(tern_der_expect(&tbs, TERN_DER_SEQUENCE, &validity));
    /* §4.1.2.5: CAs use UTCTime through 2049 and GeneralizedTime from
     * 2050; both forms are accepted for any date a form can express (a
     * GeneralizedTime before 2050 is a CA's mistake, not an ambiguity). */
    TERN_TRY(tern_der_time(&validity, &c->not_before));
    TERN_TRY(tern_der_time(&validity, &c->not_after));
    TERN_TRY(tern_rd_end(&validity));
    TERN_TRY(tern_der_expect_elem(&tbs, TERN_DER_SEQUENCE, &e));
    c->subject = e.tlv;
    TERN_TRY(check_name(c->subject));
    TERN_TRY(parse_spki(&tbs, &c->key));
    /* issuerUniqueID [1], subjectUniqueID [2]: v2/v3 only; ignored. */
    TERN_TRY(tern_der_optional(&tbs, TERN_DER_CTX_PRIM(1), &f, &present));
    TERN_ENSURE(!present || c->version >= 2, TERN_ERR_DECODE);
    TERN_TRY(tern_der_optional(&tbs, TERN_DER_CTX_PRIM(2), &f, &present));
    TERN_ENSURE(!present || c->version >= 2, TERN_ERR_DECODE);
    TERN_TRY(tern_der_optional(&tbs, TERN_DER_CTX_CONS(3), &f, &present));
    if (present) {
        TERN_ENSURE(c->version == 3, TERN_ERR_DECODE);
        TERN_TRY(parse_extensions(c, &f));
    }
    return tern_rd_end(&tbs);
}

int tern_x509_parse(tern_x509_cert *c, const uint8_t *der, size_t len) {
    int rc = parse_cert(c, der, len);
    if (rc < 0) {
        memset(c, 0, sizeof *c);
        return BAD;
    }
    return 0;
}

int tern_x509_self_issued(const tern_x509_cert *c) { return tern_x509_name_eq(c->issuer, c->subject); }

int tern_x509_key_load(const tern_x509_cert *c, tern_x509_key *k) {
    memset(k, 0, sizeof *k);
    k->type = c->key.type;
    k->bits = c->key.bits;
    if (c->key.type == TERN_X509_KEY_RSA) {
        TERN_ENSURE(c->key.bits >= TERN_RSA_MIN_BITS && c->key.bits <= TERN_RSA_MAX_BITS, TERN_ERR_CERT_UNSUPPORTED);
        tern_rsa_bytes n = {c->key.rsa_n.p, c->key.rsa_n.len}, e = {c->key.rsa_e.p, c->key.rsa_e.len};
        TERN_TRY(tern_rsa_public_init(&k->rsa, n, e));
        return 0;
    }
    if (c->key.type == TERN_X509_KEY_EC) {
        TERN_ENSURE(c->key.curve != 0, TERN_ERR_CERT_UNSUPPORTED);
        k->curve = c->key.curve;
        memcpy(k->ec_point, c->key.ec_point.p, c->key.ec_point.len);
        k->ec_point_len = c->key.ec_point.len;
        return 0;
    }
    return TERN_ERR_CERT_UNSUPPORTED;
}

/* ---- display ---- */

typedef struct {
    char *out;
    size_t cap, len;
    int full;
} sbuf;

static void put(sbuf *b, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (b->len + 1 >= b->cap) {
            b->full = 1;
            return;
        }
        b->out[b->len++] = s[i];
    }
    b->out[b->len] = 0;
}
static void puts_(sbuf *b, const char *s) { put(b, s, strlen(s)); }

static const struct {
    uint8_t oid[10];
    size_t len;
    const char *name;
} attr_names[] = {
    {{0x55, 0x04, 0x03}, 3, "CN"},
    {{0x55, 0x04, 0x0b}, 3, "OU"},
    {{0x55, 0x04, 0x0a}, 3, "O"},
    {{0x55, 0x04, 0x07}, 3, "L"},
    {{0x55, 0x04, 0x08}, 3, "ST"},
    {{0x55, 0x04, 0x06}, 3, "C"},
    {{0x55, 0x04, 0x09}, 3, "STREET"},
    {{0x55, 0x04, 0x05}, 3, "serialNumber"},
    {{0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01}, 9, "emailAddress"},
    {{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x19}, 10, "DC"},
    {{0x09, 0x92, 0x26, 0x89, 0x93, 0xf2, 0x2c, 0x64, 0x01, 0x01}, 10, "UID"},
};

/* An OID in dotted form (for attribute types we have no name for). */
static void put_oid(sbuf *b, tern_span oid) {
    uint64_t v = 0;
    int first = 1;
    char tmp[48];
    for (size_t i = 0; i < oid.len; i++) {
        if (v > (UINT64_MAX >> 7)) {
            puts_(b, "?");
            return;
        }
        v = v << 7 | (oid.p[i] & 0x7f);
        if (oid.p[i] & 0x80)
            continue;
        if (first) {
            unsigned top = v < 40 ? 0 : v < 80 ? 1 : 2;
            snprintf(tmp, sizeof tmp, "%u.%llu", top, (unsigned long long)(v - 40u * top));
            first = 0;
        } else {
            snprintf(tmp, sizeof tmp, ".%llu", (unsigned long long)v);
        }
        puts_(b, tmp);
        v = 0;
    }
}

/* A value with RFC 4514 §2.4 escaping; bytes outside printable ASCII as
 * \XX.  BMPString (UCS-2) shows its ASCII characters and escapes others. */
static void put_value(sbuf *b, const tern_der_elem *v) {
    tern_span s = v->content;
    size_t step = v->tag == TERN_DER_BMP_STRING ? 2 : v->tag == TERN_DER_UNIVERSAL_STRING ? 4 : 1;
    for (size_t i = 0; i + step <= s.len; i += step) {
        uint32_t ch = 0;
        for (size_t k = 0; k < step; k++)
            ch = ch << 8 | s.p[i + k];
        char tmp[16];
        if (ch < 0x20 || ch >= 0x7f) {
            if (ch < 0x100)
                snprintf(tmp, sizeof tmp, "\\%02X", (unsigned)ch);
            else
                snprintf(tmp, sizeof tmp, "\\u%04X", (unsigned)(ch & 0xffff));
        } else if (ch == ',' || ch == '+' || ch == '"' || ch == '\\' || ch == '<' || ch == '>' || ch == ';' ||
                   ((ch == '#' || ch == ' ') && i == 0) || (ch == ' ' && i + step == s.len)) {
            snprintf(tmp, sizeof tmp, "\\%c", (char)ch);
        } else {
            tmp[0] = (char)ch;
            tmp[1] = 0;
        }
        puts_(b, tmp);
    }
}

static void put_atv(sbuf *b, tern_reader *atv) {
    tern_span oid;
    tern_der_elem v;
    if (tern_der_oid(atv, &oid) < 0 || tern_der_next(atv, &v) < 0) {
        puts_(b, "?");
        return;
    }
    const char *name = NULL;
    for (size_t i = 0; i < TERN_ARRAY_LEN(attr_names); i++)
        if (tern_der_oid_eq(oid, attr_names[i].oid, attr_names[i].len))
            name = attr_names[i].name;
    if (name)
        puts_(b, name);
    else
        put_oid(b, oid);
    puts_(b, "=");
    put_value(b, &v);
}

#define MAX_RDNS 32

void tern_x509_name_display(tern_span name, char *out, size_t cap) {
    sbuf b = {out, cap, 0, 0};
    tern_reader r, seq;
    tern_span rdns[MAX_RDNS];
    size_t n = 0;
    out[0] = 0;
    tern_rd_init(&r, name.p, name.len);
    if (tern_der_expect(&r, TERN_DER_SEQUENCE, &seq) < 0) {
        puts_(&b, "(bad name)");
        return;
    }
    while (tern_rd_left(&seq) && n < MAX_RDNS) {
        tern_der_elem e;
        if (tern_der_expect_elem(&seq, TERN_DER_SET, &e) < 0) {
            puts_(&b, "(bad name)");
            return;
        }
        rdns[n++] = e.content;
    }
    if (n == 0)
        puts_(&b, "(empty name)");
    /* RFC 4514 §2.1: the last RDN of the sequence comes first. */
    for (size_t i = n; i-- > 0;) {
        tern_reader set;
        tern_rd_init(&set, rdns[i].p, rdns[i].len);
        int first = 1;
        while (tern_rd_left(&set)) {
            tern_reader atv;
            if (tern_der_expect(&set, TERN_DER_SEQUENCE, &atv) < 0)
                break;
            if (!first)
                puts_(&b, "+");
            put_atv(&b, &atv);
            first = 0;
        }
        if (i > 0)
            puts_(&b, ", ");
    }
    if (b.full && cap >= 4)
        memcpy(out + cap - 4, "...", 4);
}

tern_span tern_x509_name_cn(tern_span name, uint8_t *tag) {
    tern_span none = {NULL, 0};
    tern_reader r, seq;
    tern_rd_init(&r, name.p, name.len);
    if (tern_der_expect(&r, TERN_DER_SEQUENCE, &seq) < 0)
        return none;
    while (tern_rd_left(&seq)) {
        tern_reader set;
        if (tern_der_expect(&seq, TERN_DER_SET, &set) < 0)
            return none;
        while (tern_rd_left(&set)) {
            tern_reader atv;
            tern_span oid;
            tern_der_elem v;
            if (tern_der_expect(&set, TERN_DER_SEQUENCE, &atv) < 0 || tern_der_oid(&atv, &oid) < 0 ||
                tern_der_next(&atv, &v) < 0)
                return none;
            if (TERN_DER_OID_EQ(oid, tern_oid_at_cn)) {
                if (tag)
                    *tag = v.tag;
                return v.content;
            }
        }
    }
    return none;
}

void tern_x509_cert_label(const tern_x509_cert *c, char *out, size_t cap) {
    uint8_t tag = 0;
    tern_span cn = tern_x509_name_cn(c->subject, &tag);
    if (cn.p == NULL && c->subject.len == 2 && c->has_san) {
        /* An empty subject (RFC 5280 §4.2.1.6 allows it when the SAN is
         * critical): name the certificate by its first DNS name. */
        tern_reader r;
        tern_der_elem e;
        tern_rd_init(&r, c->san.p, c->san.len);
        while (tern_rd_left(&r) && tern_der_next(&r, &e) == 0) {
            if (e.tag == TERN_DER_CTX_PRIM(2)) {
                sbuf b = {out, cap, 0, 0};
                tern_der_elem v = {TERN_DER_IA5_STRING, e.content, e.content};
                out[0] = 0;
                puts_(&b, "DNS:");
                put_value(&b, &v);
                if (b.full && cap >= 4)
                    memcpy(out + cap - 4, "...", 4);
                return;
            }
        }
    }
    if (cn.p == NULL) {
        tern_x509_name_display(c->subject, out, cap);
        return;
    }
    sbuf b = {out, cap, 0, 0};
    out[0] = 0;
    tern_der_elem v = {tag, cn, cn};
    puts_(&b, "CN=");
    put_value(&b, &v);
    if (b.full && cap >= 4)
        memcpy(out + cap - 4, "...", 4);
}

/* ---- for other X.509 structures (lib/x509/crl.c) ---- */

int tern_x509_parse_sig_alg(tern_reader *r, tern_x509_sigalg *s) {
    return parse_sig_alg(r, s) < 0 ? BAD : 0;
}

int tern_x509_name_check(tern_span name_tlv) { return check_name(name_tlv) < 0 ? BAD : 0; }
