/*
 * Certificate revocation lists: parsing (RFC 5280 §5.1, §5.2, §5.3) and the
 * per-CRL checks of RFC 5280 §6.3.3.  See crl.h for what is accepted.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/crl.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "lib/x509/policy.h"
#include "lib/x509/verify.h"

/* id-ce (2.5.29) arcs used by CRLs. */
static const uint8_t oid_crl_number[] = {0x55, 0x1d, 0x14};       /* §5.2.3 */
static const uint8_t oid_reason_code[] = {0x55, 0x1d, 0x15};      /* §5.3.1 */
static const uint8_t oid_hold_instruction[] = {0x55, 0x1d, 0x17}; /* RFC 3280 §5.3.2 */
static const uint8_t oid_invalidity_date[] = {0x55, 0x1d, 0x18};  /* §5.3.2 */
static const uint8_t oid_delta_indicator[] = {0x55, 0x1d, 0x1b};  /* §5.2.4 */
static const uint8_t oid_idp[] = {0x55, 0x1d, 0x1c};              /* §5.2.5 */
static const uint8_t oid_cert_issuer[] = {0x55, 0x1d, 0x1d};      /* §5.3.3 */
static const uint8_t oid_aki[] = {0x55, 0x1d, 0x23};              /* §5.2.1 */
static const uint8_t oid_freshest[] = {0x55, 0x1d, 0x2e};         /* §5.2.6 */

#define BAD TERN_ERR_CERT_BAD

static void whyf(char *why, size_t cap, const char *fmt, ...) {
    if (why == NULL || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, cap, fmt, ap);
    va_end(ap);
}

/* A serial number INTEGER: minimal two's complement, at most 20 octets of
 * magnitude (§4.1.2.2; 21 bytes with a sign byte).  Zero and negative
 * serials exist in the wild; they compare as bytes like any other. */
static int read_serial(tern_reader *r, tern_span *serial) {
    tern_der_elem e;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_INTEGER, &e));
    TERN_ENSURE(e.content.len >= 1 && e.content.len <= 21, TERN_ERR_DECODE);
    if (e.content.len > 1) {
        uint8_t a = e.content.p[0], b = e.content.p[1];
        TERN_ENSURE(!(a == 0x00 && !(b & 0x80)) && !(a == 0xff && (b & 0x80)), TERN_ERR_DECODE);
    }
    *serial = e.content;
    return 0;
}

/* One Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE,
 * extnValue OCTET STRING } (DER: FALSE is never encoded). */
static int read_extension(tern_reader *exts, tern_span *oid, int *critical, tern_reader *value) {
    tern_reader ext;
    tern_span v;
    TERN_TRY(tern_der_expect(exts, TERN_DER_SEQUENCE, &ext));
    TERN_TRY(tern_der_oid(&ext, oid));
    *critical = 0;
    uint8_t tag;
    if (tern_der_peek(&ext, &tag) == 0 && tag == TERN_DER_BOOLEAN) {
        TERN_TRY(tern_der_bool(&ext, critical));
        TERN_ENSURE(*critical, TERN_ERR_DECODE);
    }
    TERN_TRY(tern_der_octet_string(&ext, &v));
    TERN_TRY(tern_rd_end(&ext));
    tern_rd_init(value, v.p, v.len);
    return 0;
}

/* Extensions ::= SEQUENCE SIZE (1..MAX) OF Extension, each OID once
 * (§4.2).  Checks the structure and duplicates; the callers interpret. */
static int check_unique(tern_span ext_seq) {
    tern_reader a;
    tern_rd_init(&a, ext_seq.p, ext_seq.len);
    TERN_ENSURE(tern_rd_left(&a) > 0, TERN_ERR_DECODE);
    size_t n = 0;
    while (tern_rd_left(&a)) {
        tern_span oid;
        int crit;
        tern_reader v;
        TERN_TRY(read_extension(&a, &oid, &crit, &v));
        tern_reader b;
        tern_rd_init(&b, ext_seq.p, ext_seq.len);
        for (size_t k = 0; k < n; k++) {
            tern_span o2;
            int c2;
            tern_reader v2;
            TERN_TRY(read_extension(&b, &o2, &c2, &v2));
            TERN_ENSURE(!(o2.len == oid.len && memcmp(o2.p, oid.p, oid.len) == 0), TERN_ERR_DECODE);
        }
        /* Bound the quadratic check: no real CRL has this many. */
        TERN_ENSURE(++n <= 64, TERN_ERR_DECODE);
    }
    return 0;
}

/* crlEntryExtensions of one entry.  Returns 0 (reason set), BAD, or
 * TERN_ERR_UNSUPPORTED with why. */
static int parse_entry_exts(tern_span seq, int *reason, char *why, size_t cap) {
    if (check_unique(seq) < 0) {
        whyf(why, cap, "has a malformed entry extension");
        return BAD;
    }
    tern_reader a;
    tern_rd_init(&a, seq.p, seq.len);
    while (tern_rd_left(&a)) {
        tern_span oid;
        int crit;
        tern_reader v;
        TERN_TRY(read_extension(&a, &oid, &crit, &v));
        if (TERN_DER_OID_EQ(oid, oid_reason_code)) {
            /* CRLReason ::= ENUMERATED { 0..10, 7 unused } */
            tern_der_elem e;
            if (tern_der_expect_elem(&v, 0x0a, &e) < 0 || tern_rd_end(&v) < 0 || e.content.len != 1 ||
                e.content.p[0] > 10 || e.content.p[0] == 7) {
                whyf(why, cap, "has an entry with a malformed reasonCode");
                return BAD;
            }
            *reason = e.content.p[0];
        } else if (TERN_DER_OID_EQ(oid, oid_cert_issuer)) {
            whyf(why, cap, "is an indirect CRL (an entry has a certificateIssuer extension), which tern does not "
                           "support");
            return TERN_ERR_UNSUPPORTED;
        } else if (crit) {
            char o[64];
            tern_x509_oid_to_text(oid, o, sizeof o);
            whyf(why, cap, "has an entry with an unknown critical extension (%s), so it cannot be used", o);
            return TERN_ERR_UNSUPPORTED;
        } else if (TERN_DER_OID_EQ(oid, oid_invalidity_date) || TERN_DER_OID_EQ(oid, oid_hold_instruction)) {
            /* Informational (§5.3.2): the revocation is what counts. */
        }
    }
    return 0;
}

/* crlExtensions content (the Extensions SEQUENCE). */
static int parse_crl_exts(tern_crl *crl, tern_span seq, char *why, size_t cap) {
    if (check_unique(seq) < 0) {
        whyf(why, cap, "has malformed extensions");
        return BAD;
    }
    tern_reader a;
    tern_rd_init(&a, seq.p, seq.len);
    while (tern_rd_left(&a)) {
        tern_span oid;
        int crit;
        tern_reader v;
        TERN_TRY(read_extension(&a, &oid, &crit, &v));
        if (TERN_DER_OID_EQ(oid, oid_aki)) {
            /* AuthorityKeyIdentifier ::= SEQUENCE { keyIdentifier [0]
             * OPTIONAL, authorityCertIssuer [1] OPTIONAL,
             * authorityCertSerialNumber [2] OPTIONAL }; must not be
             * critical (§4.2.1.1). */
            tern_reader s, f;
            int present;
            if (crit || tern_der_expect(&v, TERN_DER_SEQUENCE, &s) < 0 || tern_rd_end(&v) < 0 ||
                tern_der_optional(&s, TERN_DER_CTX_PRIM(0), &f, &present) < 0) {
                whyf(why, cap, "has a malformed or critical authorityKeyIdentifier");
                return BAD;
            }
            if (present) {
                crl->has_aki = 1;
                crl->aki.p = f.p;
                crl->aki.len = f.len;
            }
            if (tern_der_optional(&s, TERN_DER_CTX_CONS(1), &f, &present) < 0 ||
                tern_der_optional(&s, TERN_DER_CTX_PRIM(2), &f, &present) < 0 || tern_rd_end(&s) < 0) {
                whyf(why, cap, "has a malformed authorityKeyIdentifier");
                return BAD;
            }
        } else if (TERN_DER_OID_EQ(oid, oid_crl_number)) {
            tern_span n;
            if (crit) {
                whyf(why, cap, "has a critical cRLNumber, which RFC 5280 §5.2.3 forbids");
                return BAD;
            }
            /* A non-negative INTEGER of at most 20 octets. */
            if (tern_der_uint(&v, &n) < 0 || tern_rd_end(&v) < 0 || n.len > 20) {
                whyf(why, cap, "has a malformed cRLNumber");
                return BAD;
            }
            crl->has_number = 1;
            crl->number = n;
        } else if (TERN_DER_OID_EQ(oid, oid_delta_indicator)) {
            whyf(why, cap, "is a delta CRL (deltaCRLIndicator), which tern does not support");
            return TERN_ERR_UNSUPPORTED;
        } else if (TERN_DER_OID_EQ(oid, oid_idp)) {
            /* IssuingDistributionPoint ::= SEQUENCE { distributionPoint [0],
             * onlyContainsUserCerts [1], onlyContainsCACerts [2],
             * onlySomeReasons [3], indirectCRL [4] BOOLEAN, ... }: say
             * "indirect" when it is one. */
            tern_reader s;
            int indirect = 0;
            if (tern_der_expect(&v, TERN_DER_SEQUENCE, &s) == 0) {
                tern_der_elem e;
                while (tern_rd_left(&s) && tern_der_next(&s, &e) == 0)
                    if (e.tag == TERN_DER_CTX_PRIM(4) && e.content.len == 1 && e.content.p[0] == 0xff)
                        indirect = 1;
            }
            whyf(why, cap, "%s, which tern does not support",
                 indirect ? "is an indirect CRL (issuingDistributionPoint with indirectCRL)"
                          : "has an issuingDistributionPoint (a CRL scoped to part of its issuer's certificates)");
            return TERN_ERR_UNSUPPORTED;
        } else if (crit) {
            char o[64];
            tern_x509_oid_to_text(oid, o, sizeof o);
            whyf(why, cap, "has an unknown critical extension (%s), so it cannot be used", o);
            return TERN_ERR_UNSUPPORTED;
        } else if (TERN_DER_OID_EQ(oid, oid_freshest)) {
            /* Points at delta CRLs (§5.2.6); tern uses the complete CRL only. */
        }
    }
    return 0;
}

static int entry_cmp(const void *a, const void *b) {
    const tern_crl_entry *x = a, *y = b;
    if (x->serial.len != y->serial.len)
        return x->serial.len < y->serial.len ? -1 : 1;
    return memcmp(x->serial.p, y->serial.p, x->serial.len);
}

/* One revokedCertificates entry.  v2 entries may carry extensions. */
static int parse_entry(tern_crl *crl, tern_reader *list, tern_crl_entry *out, char *why, size_t cap) {
    tern_reader ent;
    tern_crl_entry e;
    e.reason = TERN_CRL_REASON_NONE;
    if (tern_der_expect(list, TERN_DER_SEQUENCE, &ent) < 0 || read_serial(&ent, &e.serial) < 0 ||
        tern_der_time(&ent, &e.date) < 0) {
        whyf(why, cap, "has a malformed revoked-certificate entry");
        return BAD;
    }
    if (tern_rd_left(&ent)) {
        tern_der_elem x;
        if (crl->version < 2 || tern_der_expect_elem(&ent, TERN_DER_SEQUENCE, &x) < 0 || tern_rd_end(&ent) < 0) {
            whyf(why, cap, "has a malformed revoked-certificate entry%s",
                 crl->version < 2 ? " (entry extensions in a v1 CRL)" : "");
            return BAD;
        }
        TERN_TRY(parse_entry_exts(x.content, &e.reason, why, cap));
    }
    if (out)
        *out = e;
    return 0;
}

static int parse_crl(tern_crl *crl, const uint8_t *der, size_t len, char *why, size_t cap) {
    tern_reader top, outer, tbs, f;
    tern_der_elem e, tbs_e;
    int present;
    if (tern_der_check(der, len) < 0) {
        whyf(why, cap, "is not valid DER");
        return BAD;
    }
    tern_rd_init(&top, der, len);
    if (tern_der_expect_elem(&top, TERN_DER_SEQUENCE, &e) < 0 || tern_rd_end(&top) < 0)
        goto malformed;
    crl->der.p = der;
    crl->der.len = len;
    tern_rd_init(&outer, e.content.p, e.content.len);
    if (tern_der_expect_elem(&outer, TERN_DER_SEQUENCE, &tbs_e) < 0 ||
        tern_x509_parse_sig_alg(&outer, &crl->sig_alg) < 0 || tern_der_bit_string_bytes(&outer, &crl->signature) < 0 ||
        tern_rd_end(&outer) < 0)
        goto malformed;
    crl->tbs = tbs_e.tlv;
    tern_rd_init(&tbs, tbs_e.content.p, tbs_e.content.len);

    /* version Version OPTIONAL -- if present, MUST be v2 (§5.1.2.1) */
    crl->version = 1;
    uint8_t tag;
    if (tern_der_peek(&tbs, &tag) == 0 && tag == TERN_DER_INTEGER) {
        uint64_t v;
        if (tern_der_small_uint(&tbs, &v) < 0 || v != 1) {
            whyf(why, cap, "has a version other than v2");
            return BAD;
        }
        crl->version = 2;
    }
    /* signature: equal to signatureAlgorithm (§5.1.2.2). */
    tern_x509_sigalg inner;
    if (tern_x509_parse_sig_alg(&tbs, &inner) < 0)
        goto malformed;
    if (inner.tlv.len != crl->sig_alg.tlv.len || memcmp(inner.tlv.p, crl->sig_alg.tlv.p, inner.tlv.len) != 0) {
        whyf(why, cap, "has a signature algorithm in tbsCertList that differs from the outer one");
        return BAD;
    }
    if (tern_der_expect_elem(&tbs, TERN_DER_SEQUENCE, &e) < 0 || tern_x509_name_check(e.tlv) < 0) {
        whyf(why, cap, "has a malformed issuer name");
        return BAD;
    }
    crl->issuer = e.tlv;
    /* §5.1.2.3: the issuer name MUST NOT be empty. */
    if (e.content.len == 0) {
        whyf(why, cap, "has an empty issuer name");
        return BAD;
    }
    if (tern_der_time(&tbs, &crl->this_update) < 0) {
        whyf(why, cap, "has a malformed thisUpdate time");
        return BAD;
    }
    if (tern_der_peek(&tbs, &tag) == 0 && (tag == TERN_DER_UTC_TIME || tag == TERN_DER_GENERALIZED_TIME)) {
        if (tern_der_time(&tbs, &crl->next_update) < 0) {
            whyf(why, cap, "has a malformed nextUpdate time");
            return BAD;
        }
        crl->has_next_update = 1;
    }
    /* revokedCertificates: absent when empty (§5.1.2.6). */
    tern_span revoked = {NULL, 0};
    int have_revoked = 0;
    if (tern_der_peek(&tbs, &tag) == 0 && tag == TERN_DER_SEQUENCE) {
        tern_der_elem r;
        if (tern_der_expect_elem(&tbs, TERN_DER_SEQUENCE, &r) < 0)
            goto malformed;
        if (r.content.len == 0) {
            whyf(why, cap, "has an empty revokedCertificates list (RFC 5280 §5.1.2.6: it must then be absent)");
            return BAD;
        }
        revoked = r.content;
        have_revoked = 1;
    }
    if (tern_der_optional(&tbs, TERN_DER_CTX_CONS(0), &f, &present) < 0)
        goto malformed;
    if (present) {
        tern_der_elem x;
        if (crl->version < 2) {
            whyf(why, cap, "has extensions but is not a v2 CRL");
            return BAD;
        }
        if (tern_der_expect_elem(&f, TERN_DER_SEQUENCE, &x) < 0 || tern_rd_end(&f) < 0)
            goto malformed;
        TERN_TRY(parse_crl_exts(crl, x.content, why, cap));
    }
    if (tern_rd_end(&tbs) < 0)
        goto malformed;
    /* §5.2.3: CRL issuers MUST include a cRLNumber.  A v1 CRL (which has
     * no extensions at all) is accepted without it. */
    if (crl->version == 2 && !crl->has_number) {
        whyf(why, cap, "has no cRLNumber, which RFC 5280 §5.2.3 requires of a v2 CRL");
        return BAD;
    }

    /* The entries: count and check, then keep them sorted. */
    if (have_revoked) {
        tern_reader list;
        size_t n = 0;
        tern_rd_init(&list, revoked.p, revoked.len);
        while (tern_rd_left(&list)) {
            TERN_TRY(parse_entry(crl, &list, NULL, why, cap));
            if (++n > TERN_CRL_MAX_ENTRIES) {
                whyf(why, cap, "has more than %u revoked certificates", TERN_CRL_MAX_ENTRIES);
                return TERN_ERR_LIMIT;
            }
        }
        crl->entries = malloc(n * sizeof *crl->entries);
        if (crl->entries == NULL) {
            whyf(why, cap, "does not fit in memory");
            return TERN_ERR_NOMEM;
        }
        tern_rd_init(&list, revoked.p, revoked.len);
        for (size_t i = 0; i < n; i++)
            TERN_TRY(parse_entry(crl, &list, &crl->entries[i], why, cap));
        crl->n_entries = n;
        qsort(crl->entries, n, sizeof *crl->entries, entry_cmp);
    }
    return 0;
malformed:
    whyf(why, cap, "is not a well-formed CRL (RFC 5280 §5.1)");
    return BAD;
}

int tern_crl_parse(tern_crl *crl, const uint8_t *der, size_t len, char *why, size_t cap) {
    memset(crl, 0, sizeof *crl);
    if (why && cap)
        why[0] = 0;
    if (der == NULL) {
        whyf(why, cap, "is empty");
        return BAD;
    }
    int rc = parse_crl(crl, der, len, why, cap);
    if (rc < 0) {
        tern_crl_free(crl);
        /* A DER error from a helper (not one of ours) is a malformed CRL. */
        if (rc != TERN_ERR_UNSUPPORTED && rc != TERN_ERR_LIMIT && rc != TERN_ERR_NOMEM)
            rc = BAD;
        if (why && cap && why[0] == 0)
            whyf(why, cap, "is not a well-formed CRL (RFC 5280 §5.1)");
        return rc;
    }
    return 0;
}

void tern_crl_free(tern_crl *crl) {
    free(crl->entries);
    memset(crl, 0, sizeof *crl);
}

int tern_crl_usable(const tern_crl *crl, const tern_x509_cert *issuer, int64_t now, char *why, size_t cap) {
    char t[32], n[32];
    /* §6.3.3 (f): a keyUsage that is present must allow cRLSign. */
    if (issuer->has_key_usage && !(issuer->key_usage & TERN_X509_KU_CRL_SIGN)) {
        whyf(why, cap, "cannot be trusted: its issuer's keyUsage lacks cRLSign, so it may not sign CRLs");
        return TERN_ERR_CERT_NOT_CA;
    }
    /* §6.3.3 (g): the signature, with the issuer's key.  The certificate
     * signature check reads only sig_alg, tbs and signature of its subject,
     * which a CRL has too. */
    tern_x509_cert as_signed;
    memset(&as_signed, 0, sizeof as_signed);
    as_signed.sig_alg = crl->sig_alg;
    as_signed.tbs = crl->tbs;
    as_signed.signature = crl->signature;
    char smsg[120];
    int rc = tern_x509_check_signature(issuer, &as_signed, smsg, sizeof smsg);
    if (rc < 0) {
        whyf(why, cap, "cannot be trusted: it %s", smsg);
        return rc;
    }
    /* §6.3.3 (a) / §5.1.2.4, §5.1.2.5: current at now. */
    if (now < crl->this_update) {
        tern_der_format_time(crl->this_update, t);
        tern_der_format_time(now, n);
        whyf(why, cap, "is not valid yet: its thisUpdate is %s; now %s", t, n);
        return TERN_ERR_CERT_EXPIRED;
    }
    if (crl->has_next_update && now > crl->next_update) {
        tern_der_format_time(crl->next_update, t);
        tern_der_format_time(now, n);
        whyf(why, cap, "is stale: its nextUpdate was %s; now %s", t, n);
        return TERN_ERR_CERT_EXPIRED;
    }
    return 0;
}

const tern_crl_entry *tern_crl_find(const tern_crl *crl, tern_span serial) {
    tern_crl_entry key;
    memset(&key, 0, sizeof key); /* only the serial is compared */
    key.serial = serial;
    if (crl->n_entries == 0)
        return NULL;
    return bsearch(&key, crl->entries, crl->n_entries, sizeof *crl->entries, entry_cmp);
}

const char *tern_crl_reason_name(int reason) {
    static const char *const names[] = {
        "unspecified",          "keyCompromise",       "cACompromise", "affiliationChanged",
        "superseded",           "cessationOfOperation", "certificateHold", "(unused)",
        "removeFromCRL",        "privilegeWithdrawn",  "aACompromise",
    };
    if (reason < 0 || reason > 10)
        return "unspecified (no reasonCode)";
    return names[reason];
}

void tern_crl_format_serial(tern_span serial, char *out, size_t cap) {
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    if (cap == 0)
        return;
    /* The sign byte of a positive serial is not part of the number. */
    size_t start = serial.len > 1 && serial.p[0] == 0 ? 1 : 0;
    for (size_t i = start; i < serial.len; i++) {
        if (o + 2 + 4 > cap) {
            if (o + 4 <= cap)
                memcpy(out + o, "...", 3), o += 3;
            break;
        }
        out[o++] = hex[serial.p[i] >> 4];
        out[o++] = hex[serial.p[i] & 15];
    }
    out[o < cap ? o : cap - 1] = 0;
}
