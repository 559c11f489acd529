/*
 * Strict DER reader (ITU-T X.690 §8.1 identifier/length/contents, §10.1
 * definite and minimal lengths, §8.2 BOOLEAN, §8.3 INTEGER, §8.6 BIT
 * STRING, §8.19 OBJECT IDENTIFIER) and RFC 5280 §4.1.2.5 times.  See der.h.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/der.h"

#include <stdio.h>

/* Reads identifier and length octets; on success *tag, *clen, and r
 * advanced past the header.  X.690 §10.1: DER uses the definite form with
 * the fewest octets, so 0x80 (indefinite), 0x81 0x00..0x7f, and any long
 * form with a leading zero octet are rejected.  Lengths above 2^32-1 are
 * far beyond anything a certificate can be and are refused too. */
static int der_header(tern_reader *r, uint8_t *tag, size_t *clen) {
    uint8_t t, l;
    TERN_TRY(tern_rd_u8(r, &t));
    /* Low tag number form only: tag number 31 announces the high form. */
    TERN_ENSURE((t & 0x1f) != 0x1f, TERN_ERR_DECODE);
    TERN_TRY(tern_rd_u8(r, &l));
    size_t len;
    if (l < 0x80) {
        len = l;
    } else {
        unsigned n = l & 0x7f;
        TERN_ENSURE(n >= 1 && n <= 4, TERN_ERR_DECODE); /* 0x80 = indefinite */
        const uint8_t *p;
        TERN_TRY(tern_rd_bytes(r, n, &p));
        TERN_ENSURE(p[0] != 0, TERN_ERR_DECODE); /* leading zero: not minimal */
        len = 0;
        for (unsigned i = 0; i < n; i++)
            len = len << 8 | p[i];
        TERN_ENSURE(len >= 0x80, TERN_ERR_DECODE); /* fits the short form */
    }
    *tag = t;
    *clen = len;
    return 0;
}

int tern_der_next(tern_reader *r, tern_der_elem *e) {
    tern_reader save = *r;
    uint8_t tag;
    size_t clen;
    int rc = der_header(r, &tag, &clen);
    if (rc == 0 && clen > tern_rd_left(r))
        rc = TERN_ERR_DECODE;
    if (rc < 0) {
        *r = save;
        return rc;
    }
    e->tag = tag;
    e->content.p = r->p;
    e->content.len = clen;
    e->tlv.p = save.p;
    e->tlv.len = (size_t)(r->p - save.p) + clen;
    r->p += clen;
    r->len -= clen;
    return 0;
}

int tern_der_peek(const tern_reader *r, uint8_t *tag) {
    TERN_ENSURE(tern_rd_left(r) > 0, TERN_ERR_DECODE);
    *tag = r->p[0];
    return 0;
}

int tern_der_expect_elem(tern_reader *r, uint8_t tag, tern_der_elem *e) {
    tern_reader save = *r;
    TERN_TRY(tern_der_next(r, e));
    if (e->tag != tag) {
        *r = save;
        return TERN_ERR_DECODE;
    }
    return 0;
}

int tern_der_expect(tern_reader *r, uint8_t tag, tern_reader *content) {
    tern_der_elem e;
    TERN_TRY(tern_der_expect_elem(r, tag, &e));
    tern_rd_init(content, e.content.p, e.content.len);
    return 0;
}

int tern_der_optional(tern_reader *r, uint8_t tag, tern_reader *content, int *present) {
    *present = 0;
    if (tern_rd_left(r) == 0 || r->p[0] != tag)
        return 0;
    TERN_TRY(tern_der_expect(r, tag, content));
    *present = 1;
    return 0;
}

int tern_der_uint(tern_reader *r, tern_span *mag) {
    tern_der_elem e;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_INTEGER, &e));
    const uint8_t *p = e.content.p;
    size_t n = e.content.len;
    TERN_ENSURE(n > 0, TERN_ERR_DECODE);
    TERN_ENSURE((p[0] & 0x80) == 0, TERN_ERR_DECODE); /* negative */
    if (n > 1 && p[0] == 0) {
        /* X.690 §8.3.2: a leading 0x00 only when the next bit is set. */
        TERN_ENSURE((p[1] & 0x80) != 0, TERN_ERR_DECODE);
        p++;
        n--;
    }
    mag->p = p;
    mag->len = n;
    return 0;
}

int tern_der_small_uint(tern_reader *r, uint64_t *v) {
    tern_reader save = *r;
    tern_span m;
    TERN_TRY(tern_der_uint(r, &m));
    if (m.len > 8 || (m.len == 8 && (m.p[0] & 0x80))) {
        *r = save;
        return TERN_ERR_DECODE;
    }
    uint64_t x = 0;
    for (size_t i = 0; i < m.len; i++)
        x = x << 8 | m.p[i];
    *v = x;
    return 0;
}

int tern_der_bool(tern_reader *r, int *v) {
    tern_der_elem e;
    tern_reader save = *r;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_BOOLEAN, &e));
    if (e.content.len != 1 || (e.content.p[0] != 0x00 && e.content.p[0] != 0xff)) {
        *r = save;
        return TERN_ERR_DECODE;
    }
    *v = e.content.p[0] != 0;
    return 0;
}

int tern_der_null(tern_reader *r) {
    tern_der_elem e;
    tern_reader save = *r;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_NULL, &e));
    if (e.content.len != 0) {
        *r = save;
        return TERN_ERR_DECODE;
    }
    return 0;
}

int tern_der_oid_check(tern_span oid) {
    TERN_ENSURE(oid.len > 0, TERN_ERR_DECODE);
    /* X.690 §8.19.2: each subidentifier in base 128, as few octets as
     * possible, so it never starts with 0x80; the last octet of each has
     * the top bit clear. */
    int start = 1;
    for (size_t i = 0; i < oid.len; i++) {
        TERN_ENSURE(!(start && oid.p[i] == 0x80), TERN_ERR_DECODE);
        start = (oid.p[i] & 0x80) == 0;
    }
    TERN_ENSURE(start, TERN_ERR_DECODE);
    return 0;
}

int tern_der_oid(tern_reader *r, tern_span *oid) {
    tern_der_elem e;
    tern_reader save = *r;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_OID, &e));
    if (tern_der_oid_check(e.content) < 0) {
        *r = save;
        return TERN_ERR_DECODE;
    }
    *oid = e.content;
    return 0;
}

int tern_der_oid_eq(tern_span oid, const uint8_t *bytes, size_t len) {
    return oid.len == len && memcmp(oid.p, bytes, len) == 0;
}

int tern_der_bit_string(tern_reader *r, tern_span *bits, unsigned *unused) {
    tern_der_elem e;
    tern_reader save = *r;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_BIT_STRING, &e));
    int ok = e.content.len >= 1;
    unsigned u = ok ? e.content.p[0] : 0;
    /* X.690 §8.6.2: 0..7 unused bits, none for an empty string; §11.2.1:
     * DER sets them to zero. */
    ok = ok && u <= 7 && !(e.content.len == 1 && u != 0);
    if (ok && u != 0)
        ok = (e.content.p[e.content.len - 1] & ((1u << u) - 1)) == 0;
    if (!ok) {
        *r = save;
        return TERN_ERR_DECODE;
    }
    bits->p = e.content.p + 1;
    bits->len = e.content.len - 1;
    *unused = u;
    return 0;
}

int tern_der_bit_string_bytes(tern_reader *r, tern_span *bytes) {
    tern_reader save = *r;
    unsigned unused;
    TERN_TRY(tern_der_bit_string(r, bytes, &unused));
    if (unused != 0) {
        *r = save;
        return TERN_ERR_DECODE;
    }
    return 0;
}

int tern_der_octet_string(tern_reader *r, tern_span *bytes) {
    tern_der_elem e;
    TERN_TRY(tern_der_expect_elem(r, TERN_DER_OCTET_STRING, &e));
    *bytes = e.content;
    return 0;
}

/* ---- time ---- */

int64_t tern_der_days_from_civil(int64_t y, unsigned m, unsigned d) {
    /* Shift the year to start in March so the leap day is last; then
     * count 400-year eras (146097 days each). */
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                                          /* [0, 399] */
    int64_t doy = (153 * (int64_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                  /* [0, 146096] */
    return era * 146097 + doe - 719468;
}

static int is_leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* n decimal digits at p into *v. */
static int digits(const uint8_t *p, unsigned n, unsigned *v) {
    unsigned x = 0;
    for (unsigned i = 0; i < n; i++) {
        TERN_ENSURE(p[i] >= '0' && p[i] <= '9', TERN_ERR_DECODE);
        x = x * 10 + (unsigned)(p[i] - '0');
    }
    *v = x;
    return 0;
}

int tern_der_time_parse(uint8_t tag, tern_span c, int64_t *t) {
    unsigned year, mon, day, hh, mm, ss;
    const uint8_t *p = c.p;
    /* RFC 5280 §4.1.2.5.1/.2: "YYMMDDHHMMSSZ" and "YYYYMMDDHHMMSSZ",
     * seconds always present, Zulu, no fractional seconds. */
    if (tag == TERN_DER_UTC_TIME) {
        TERN_ENSURE(c.len == 13, TERN_ERR_DECODE);
        TERN_TRY(digits(p, 2, &year));
        year += year >= 50 ? 1900 : 2000;
        p += 2;
    } else if (tag == TERN_DER_GENERALIZED_TIME) {
        TERN_ENSURE(c.len == 15, TERN_ERR_DECODE);
        TERN_TRY(digits(p, 4, &year));
        p += 4;
    } else {
        return TERN_ERR_DECODE;
    }
    TERN_TRY(digits(p, 2, &mon));
    TERN_TRY(digits(p + 2, 2, &day));
    TERN_TRY(digits(p + 4, 2, &hh));
    TERN_TRY(digits(p + 6, 2, &mm));
    TERN_TRY(digits(p + 8, 2, &ss));
    TERN_ENSURE(p[10] == 'Z', TERN_ERR_DECODE);
    static const unsigned mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    TERN_ENSURE(mon >= 1 && mon <= 12, TERN_ERR_DECODE);
    unsigned dim = mdays[mon - 1] + (mon == 2 && is_leap(year));
    TERN_ENSURE(day >= 1 && day <= dim, TERN_ERR_DECODE);
    /* No leap seconds: RFC 5280 times are POSIX-like in practice. */
    TERN_ENSURE(hh <= 23 && mm <= 59 && ss <= 59, TERN_ERR_DECODE);
    *t = tern_der_days_from_civil(year, mon, day) * 86400 + (int64_t)hh * 3600 + (int64_t)mm * 60 + ss;
    return 0;
}

int tern_der_time(tern_reader *r, int64_t *t) {
    tern_reader save = *r;
    tern_der_elem e;
    TERN_TRY(tern_der_next(r, &e));
    int rc = tern_der_time_parse(e.tag, e.content, t);
    if (rc < 0)
        *r = save;
    return rc;
}

void tern_der_format_time(int64_t t, char out[32]) {
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    /* Inverse of days_from_civil. */
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%04lld-%02lld-%02lld %02lld:%02lld:%02lld UTC", (long long)y, (long long)m,
             (long long)d, (long long)(secs / 3600), (long long)(secs / 60 % 60), (long long)(secs % 60));
    size_t n = strlen(tmp);
    if (n > 31)
        n = 31;
    memcpy(out, tmp, n);
    out[n] = 0;
}

/* ---- whole-structure check ---- */

static int check_primitive(const tern_der_elem *e) {
    tern_reader r;
    tern_rd_init(&r, e->tlv.p, e->tlv.len);
    tern_span sp;
    unsigned u;
    int b;
    switch (e->tag) {
    case TERN_DER_BOOLEAN:
        return tern_der_bool(&r, &b);
    case TERN_DER_INTEGER: {
        /* Minimal two's complement, any sign. */
        const uint8_t *p = e->content.p;
        TERN_ENSURE(e->content.len > 0, TERN_ERR_DECODE);
        if (e->content.len > 1)
            TERN_ENSURE(!(p[0] == 0x00 && !(p[1] & 0x80)) && !(p[0] == 0xff && (p[1] & 0x80)), TERN_ERR_DECODE);
        return 0;
    }
    case TERN_DER_BIT_STRING:
        return tern_der_bit_string(&r, &sp, &u);
    case TERN_DER_NULL:
        return tern_der_null(&r);
    case TERN_DER_OID:
        return tern_der_oid_check(e->content);
    default:
        return 0;
    }
}

static int check_level(tern_reader *r, unsigned depth) {
    while (tern_rd_left(r) > 0) {
        tern_der_elem e;
        TERN_TRY(tern_der_next(r, &e));
        if (e.tag & TERN_DER_CONSTRUCTED) {
            /* X.690 §10.2: DER encodes strings primitive, so the only
             * constructed universal types are SEQUENCE and SET. */
            TERN_ENSURE((e.tag & 0xc0) != 0 || e.tag == TERN_DER_SEQUENCE || e.tag == TERN_DER_SET, TERN_ERR_DECODE);
            TERN_ENSURE(depth < TERN_DER_MAX_DEPTH, TERN_ERR_DECODE);
            tern_reader sub;
            tern_rd_init(&sub, e.content.p, e.content.len);
            TERN_TRY(check_level(&sub, depth + 1));
        } else {
            /* Universal SEQUENCE/SET (0x10/0x11) must be constructed. */
            TERN_ENSURE(e.tag != 0x10 && e.tag != 0x11, TERN_ERR_DECODE);
            /* The universal primitives with DER content rules are checked
             * wherever they appear, so a value nobody reads (the
             * parameters of an unknown algorithm) is still strict DER. */
            TERN_TRY(check_primitive(&e));
        }
    }
    return 0;
}

int tern_der_check(const uint8_t *p, size_t len) {
    tern_reader r;
    tern_rd_init(&r, p, len);
    return check_level(&r, 0);
}
