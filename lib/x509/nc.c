/*
 * Name constraints (RFC 5280 §4.2.1.10, §6.1.4 (g)): the scan of a CA's
 * NameConstraints at parse time and the check of the certificates below it
 * at path-building time.  See nc.h for the rules.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/nc.h"

#include <stdarg.h>
#include <stdio.h>

/* GeneralName forms (RFC 5280 §4.2.1.6), the low bits of the tag. */
enum {
    GN_OTHER = 0,
    GN_EMAIL = 1,
    GN_DNS = 2,
    GN_X400 = 3,
    GN_DIR = 4,
    GN_EDI = 5,
    GN_URI = 6,
    GN_IP = 7,
    GN_RID = 8
};

static const char *const form_names[9] = {"otherName",    "rfc822Name", "dNSName",
                                          "x400Address",  "directoryName", "ediPartyName",
                                          "uniformResourceIdentifier", "iPAddress", "registeredID"};

/* emailAddress (PKCS #9, 1.2.840.113549.1.9.1): RFC 5280 §4.2.1.10 applies
 * rfc822Name constraints to it in the subject. */
static const uint8_t oid_email[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x01};

static char lc(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static int ieq(const char *a, size_t an, const char *b, size_t bn) {
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (lc(a[i]) != lc(b[i]))
            return 0;
    return 1;
}

/* Does a end with b (case-insensitively)? */
static int tail_eq(const char *a, size_t an, const char *b, size_t bn) {
    return bn <= an && ieq(a + an - bn, bn, b, bn);
}

/* A host name: labels of letters, digits, '-' and '_', 1..63 bytes each,
 * at most 253 in all, no empty label (so no leading, trailing or double
 * dot). */
static int valid_host(const char *s, size_t n) {
    if (n == 0 || n > 253)
        return 0;
    size_t lab = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '.') {
            if (lab == 0)
                return 0;
            lab = 0;
            continue;
        }
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok || ++lab > 63)
            return 0;
    }
    return lab > 0;
}

/* A SAN dNSName as a name constraint sees it: a host name, or "*." and a
 * host name (one trailing dot removed first). */
static int valid_san_dns(const char *s, size_t n) {
    if (n >= 2 && s[0] == '*' && s[1] == '.')
        return valid_host(s + 2, n - 2);
    return valid_host(s, n);
}

/* A mailbox "local@host": exactly one '@', a non-empty local part of
 * printable ASCII without spaces, and a host name. */
static int valid_mailbox(const char *s, size_t n) {
    const char *at = memchr(s, '@', n);
    if (at == NULL || at == s || memchr(at + 1, '@', n - (size_t)(at + 1 - s)) != NULL)
        return 0;
    for (const char *q = s; q < at; q++)
        if (*q <= 0x20 || *q >= 0x7f)
            return 0;
    return valid_host(at + 1, n - (size_t)(at + 1 - s));
}

/* A base that is a host, or ".domain" when dot_ok. */
static int valid_host_base(const char *s, size_t n, int dot_ok) {
    if (dot_ok && n > 0 && s[0] == '.')
        return valid_host(s + 1, n - 1);
    return valid_host(s, n);
}

/* A Name TLV's shape: SEQUENCE OF SET SIZE (1..MAX) OF SEQUENCE { OID, value }. */
static int valid_dn(tern_span tlv) {
    tern_reader r, seq;
    tern_rd_init(&r, tlv.p, tlv.len);
    if (tern_der_expect(&r, TERN_DER_SEQUENCE, &seq) < 0 || tern_rd_left(&r))
        return 0;
    while (tern_rd_left(&seq)) {
        tern_reader set;
        if (tern_der_expect(&seq, TERN_DER_SET, &set) < 0 || tern_rd_left(&set) == 0)
            return 0;
        while (tern_rd_left(&set)) {
            tern_reader atv;
            tern_span oid;
            tern_der_elem v;
            if (tern_der_expect(&set, TERN_DER_SEQUENCE, &atv) < 0 || tern_der_oid(&atv, &oid) < 0 ||
                tern_der_next(&atv, &v) < 0 || tern_rd_left(&atv))
                return 0;
        }
    }
    return 1;
}

static int contiguous_mask(const uint8_t *m, size_t n) {
    size_t i = 0;
    while (i < n && m[i] == 0xff)
        i++;
    if (i < n) {
        /* The first byte that is not 0xff must be 1...10...0: its
         * complement 0...01...1, which plus one shares no bit with it. */
        uint8_t nb = (uint8_t)~m[i];
        if (nb & (uint8_t)(nb + 1))
            return 0;
        for (i++; i < n; i++)
            if (m[i] != 0)
                return 0;
    }
    return 1;
}

/* Why a base is malformed, or NULL. */
static const char *bad_base(const tern_der_elem *base) {
    unsigned form = base->tag & 0x1f;
    int cons = (base->tag & TERN_DER_CONSTRUCTED) != 0;
    const char *s = (const char *)base->content.p;
    size_t n = base->content.len;
    if ((base->tag & 0xc0) != TERN_DER_CONTEXT || form > GN_RID)
        return "a subtree whose base is not a GeneralName";
    if (cons != (form == GN_OTHER || form == GN_X400 || form == GN_DIR || form == GN_EDI))
        return "a subtree whose base is wrongly encoded";
    for (size_t i = 0; (form == GN_EMAIL || form == GN_DNS || form == GN_URI) && i < n; i++)
        if (base->content.p[i] == 0 || base->content.p[i] >= 0x80)
            return "a base that is not an IA5String";
    switch (form) {
    case GN_DNS:
        if (n > 0 && s[0] == '.')
            return "a dNSName base with a leading period (RFC 5280 allows that only for URIs and email domains)";
        if (memchr(s, '*', n) != NULL)
            return "a dNSName base with a wildcard";
        if (n > 0 && !valid_host(s, n))
            return "a dNSName base that is not a valid DNS name";
        return NULL;
    case GN_IP:
        if (n != 8 && n != 32)
            return "an iPAddress base that is not an IPv4 or IPv6 address and mask (8 or 32 bytes)";
        if (!contiguous_mask(base->content.p + n / 2, n / 2))
            return "an iPAddress base whose mask is not contiguous";
        return NULL;
    case GN_EMAIL:
        if (memchr(s, '@', n) ? !valid_mailbox(s, n) : !valid_host_base(s, n, 1))
            return "an rfc822Name base that is neither a mailbox, a host nor a .domain";
        return NULL;
    case GN_URI:
        if (!valid_host_base(s, n, 1))
            return "a uniformResourceIdentifier base that is neither a host nor a .domain";
        return NULL;
    case GN_DIR: {
        tern_reader r;
        tern_der_elem name;
        tern_rd_init(&r, base->content.p, base->content.len);
        if (tern_der_next(&r, &name) < 0 || tern_rd_left(&r) || !valid_dn(name.tlv))
            return "a directoryName base that is not a distinguished name";
        return NULL;
    }
    case GN_RID:
        return tern_der_oid_check(base->content) < 0 ? "a registeredID base that is not an OID" : NULL;
    default:
        return NULL; /* otherName, x400Address, ediPartyName: only their shape */
    }
}

static void set_bad(tern_x509_cert *c, const char *why, const tern_der_elem *base) {
    if (c->nc_bad)
        return;
    c->nc_bad = why;
    if (base) {
        c->nc_bad_base = base->content;
        c->nc_bad_tag = base->tag;
    }
}

void tern_x509_nc_scan(tern_x509_cert *c, tern_span v) {
    tern_reader r, seq;
    c->has_name_constraints = 1;
    tern_rd_init(&r, v.p, v.len);
    if (tern_der_expect(&r, TERN_DER_SEQUENCE, &seq) < 0 || tern_rd_left(&r)) {
        set_bad(c, "an extension value that is not a NameConstraints SEQUENCE", NULL);
        return;
    }
    c->name_constraints.p = seq.p;
    c->name_constraints.len = seq.len;
    int lists = 0;
    for (unsigned k = 0; k < 2; k++) {
        tern_reader list;
        int present;
        if (tern_der_optional(&seq, TERN_DER_CTX_CONS(k), &list, &present) < 0) {
            set_bad(c, "a NameConstraints SEQUENCE that does not parse", NULL);
            return;
        }
        if (!present)
            continue;
        lists++;
        if (tern_rd_left(&list) == 0)
            set_bad(c, k ? "an empty excludedSubtrees list" : "an empty permittedSubtrees list", NULL);
        while (tern_rd_left(&list)) {
            tern_reader sub;
            tern_der_elem base;
            if (tern_der_expect(&list, TERN_DER_SEQUENCE, &sub) < 0 || tern_der_next(&sub, &base) < 0) {
                set_bad(c, "a GeneralSubtree that does not parse", NULL);
                return;
            }
            /* minimum [0] DEFAULT 0 and maximum [1]: RFC 5280 §4.2.1.10
             * says both MUST be absent (and DER omits a default). */
            if (tern_rd_left(&sub))
                set_bad(c, "a subtree with minimum or maximum, which RFC 5280 forbids", &base);
            const char *why = bad_base(&base);
            if (why)
                set_bad(c, why, &base);
            else
                c->nc_forms |= 1u << (base.tag & 0x1f);
            c->nc_subtrees++;
        }
    }
    if (tern_rd_left(&seq))
        set_bad(c, "trailing data after the subtree lists", NULL);
    if (lists == 0)
        set_bad(c, "neither permitted nor excluded subtrees", NULL);
}

/* ---- matching one name against one base ---- */

/* Is DNS name n inside the subtree of base?  "example.com" covers itself
 * and every name below it; "" covers everything. */
static int dns_within(const char *n, size_t nn, const char *base, size_t bn) {
    if (bn == 0)
        return 1;
    if (nn == bn)
        return ieq(n, nn, base, bn);
    return nn > bn && n[nn - bn - 1] == '.' && tail_eq(n, nn, base, bn);
}

/* For an excluded subtree, a wildcard name "*.rest" is refused when it is
 * inside the subtree or could stand for a name inside it (the base lies
 * one label below rest). */
static int dns_may_hit(const char *n, size_t nn, const char *base, size_t bn) {
    if (dns_within(n, nn, base, bn))
        return 1;
    if (nn >= 2 && n[0] == '*' && n[1] == '.') {
        const char *dot = memchr(base, '.', bn);
        return dot != NULL && (size_t)(base + bn - (dot + 1)) == nn - 2 && ieq(n + 2, nn - 2, dot + 1, nn - 2);
    }
    return 0;
}

static int ip_within(const uint8_t *ip, size_t n, const uint8_t *base, size_t bn) {
    if (bn != 2 * n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((ip[i] & base[n + i]) != (base[i] & base[n + i]))
            return 0;
    return 1;
}

/* Mailbox m ("local@host", checked) against an rfc822Name base. */
static int email_within(const char *m, size_t mn, const char *base, size_t bn) {
    const char *at = memchr(m, '@', mn);
    const char *host = at + 1;
    size_t hn = mn - (size_t)(host - m);
    if (memchr(base, '@', bn) != NULL) {
        /* A mailbox: the local part exactly (RFC 5321 §2.4: it may be
         * case-sensitive), the host case-insensitively. */
        size_t ln = (size_t)(at - m);
        const char *bat = memchr(base, '@', bn);
        return (size_t)(bat - base) == ln && memcmp(m, base, ln) == 0 &&
               ieq(host, hn, bat + 1, bn - ln - 1);
    }
    if (bn > 0 && base[0] == '.')
        return hn > bn && tail_eq(host, hn, base, bn);
    return ieq(host, hn, base, bn);
}

/* A URI host against a uniformResourceIdentifier base. */
static int host_within(const char *h, size_t hn, const char *base, size_t bn) {
    if (bn > 0 && base[0] == '.')
        return hn > bn && tail_eq(h, hn, base, bn);
    return ieq(h, hn, base, bn);
}

/* The host name of a URI (RFC 3986 §3.2.2), or 0 when it has none that
 * is a host name (no authority, an IP literal, a bad host). */
static int uri_host(const char *u, size_t n, const char **h, size_t *hn) {
    const char *colon = memchr(u, ':', n);
    if (colon == NULL || colon == u)
        return 0;
    for (const char *q = u; q < colon; q++) {
        char c = *q;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                 (q > u && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
        if (!ok)
            return 0;
    }
    size_t rest = n - (size_t)(colon + 1 - u);
    if (rest < 2 || colon[1] != '/' || colon[2] != '/')
        return 0;
    const char *a = colon + 3, *end = u + n;
    const char *ae = a;
    while (ae < end && *ae != '/' && *ae != '?' && *ae != '#')
        ae++;
    for (const char *q = a; q < ae; q++)
        if (*q == '@')
            a = q + 1; /* userinfo */
    if (a < ae && *a == '[')
        return 0; /* an IP literal, not a host name */
    const char *he = a;
    while (he < ae && *he != ':')
        he++;
    if (!valid_host(a, (size_t)(he - a)))
        return 0;
    *h = a;
    *hn = (size_t)(he - a);
    return 1;
}

/* ---- messages ---- */

static void shown(char *out, size_t cap, const uint8_t *p, size_t n) {
    /* The peer's IA5String may hold control characters: print '?'. */
    size_t k = n < cap - 1 ? n : cap - 1;
    if (k > 80)
        k = 80;
    for (size_t i = 0; i < k; i++)
        out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    out[k] = 0;
}

/* The name, as messages show it: DNS names bare (as before), others with
 * their kind. */
static void describe(uint8_t tag, tern_span v, char *out, size_t cap) {
    char t[96];
    switch (tag & 0x1f) {
    case GN_DNS:
        shown(out, cap, v.p, v.len);
        break;
    case GN_IP:
        tern_x509_format_ip(v.p, v.len, t, sizeof t);
        snprintf(out, cap, "IP %s", t);
        break;
    case GN_EMAIL:
        shown(t, sizeof t, v.p, v.len);
        snprintf(out, cap, "email %s", t);
        break;
    case GN_URI:
        shown(t, sizeof t, v.p, v.len);
        snprintf(out, cap, "URI %s", t);
        break;
    case GN_DIR:
        tern_x509_name_display(v, t, sizeof t);
        snprintf(out, cap, "directoryName %s", t);
        break;
    default:
        snprintf(out, cap, "%s", form_names[tag & 0x1f]);
        break;
    }
}

static tern_x509_nc_outcome done(tern_x509_nc_result *r, tern_x509_nc_outcome o, size_t index, const char *fmt,
                                 ...) {
    r->outcome = o;
    r->index = index;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->what, sizeof r->what, fmt, ap);
    va_end(ap);
    return o;
}

/* snprintf where truncating a message is fine (vsnprintf keeps gcc's
 * -Wformat-truncation out of intended truncation). */
static void fmt(char *out, size_t cap, const char *f, ...) {
    va_list ap;
    va_start(ap, f);
    vsnprintf(out, cap, f, ap);
    va_end(ap);
}

/* ---- the check ---- */

/* Is the name (form, value) allowed by ca's subtrees?  value is the
 * content (a Name TLV for directoryName; the host for a URI; a checked
 * mailbox for rfc822Name; a DNS name without its trailing dot). */
static int allowed(const tern_x509_cert *ca, unsigned form, tern_span value) {
    tern_reader seq;
    tern_rd_init(&seq, ca->name_constraints.p, ca->name_constraints.len);
    for (unsigned k = 0; k < 2; k++) {
        tern_reader list;
        int present;
        if (tern_der_optional(&seq, TERN_DER_CTX_CONS(k), &list, &present) < 0)
            return 0;
        if (!present)
            continue;
        int have_form = 0, hit = 0;
        while (tern_rd_left(&list) && !hit) {
            tern_reader sub;
            tern_der_elem base;
            if (tern_der_expect(&list, TERN_DER_SEQUENCE, &sub) < 0 || tern_der_next(&sub, &base) < 0)
                return 0;
            if ((base.tag & 0x1f) != form)
                continue;
            have_form = 1;
            const char *n = (const char *)value.p, *b = (const char *)base.content.p;
            size_t nn = value.len, bn = base.content.len;
            switch (form) {
            case GN_DNS:
                hit = k == 0 ? dns_within(n, nn, b, bn) : dns_may_hit(n, nn, b, bn);
                break;
            case GN_IP:
                hit = ip_within(value.p, nn, base.content.p, bn);
                break;
            case GN_EMAIL:
                hit = email_within(n, nn, b, bn);
                break;
            case GN_URI:
                hit = host_within(n, nn, b, bn);
                break;
            case GN_DIR: {
                tern_reader br;
                tern_der_elem bname;
                tern_rd_init(&br, base.content.p, base.content.len);
                hit = tern_der_next(&br, &bname) == 0 && tern_x509_name_within(value, bname.tlv);
                break;
            }
            default:
                break;
            }
        }
        if (k == 0 && have_form && !hit)
            return 0; /* outside every permitted subtree of its form */
        if (k == 1 && hit)
            return 0; /* inside an excluded subtree */
    }
    return 1;
}

static int spend(size_t *work, const tern_x509_cert *ca) {
    *work += ca->nc_subtrees ? ca->nc_subtrees : 1;
    return *work <= TERN_X509_NC_MAX_WORK;
}

#define OUTSIDE_OF "is outside the name constraints of"

/* The subject's emailAddress attributes (IA5String) against rfc822Name
 * subtrees. */
static tern_x509_nc_outcome check_subject_email(const tern_x509_cert *ca, const tern_x509_cert *c, size_t idx,
                                                size_t *work, tern_x509_nc_result *r) {
    tern_reader rr, seq;
    tern_rd_init(&rr, c->subject.p, c->subject.len);
    if (tern_der_expect(&rr, TERN_DER_SEQUENCE, &seq) < 0)
        return TERN_X509_NC_OK;
    while (tern_rd_left(&seq)) {
        tern_reader set;
        if (tern_der_expect(&seq, TERN_DER_SET, &set) < 0)
            break;
        while (tern_rd_left(&set)) {
            tern_reader atv;
            tern_span oid;
            tern_der_elem v;
            if (tern_der_expect(&set, TERN_DER_SEQUENCE, &atv) < 0 || tern_der_oid(&atv, &oid) < 0 ||
                tern_der_next(&atv, &v) < 0)
                break;
            if (!TERN_DER_OID_EQ(oid, oid_email))
                continue;
            if (!spend(work, ca))
                return done(r, TERN_X509_NC_TOO_MUCH, idx, "too many names for name constraints");
            char nm[100];
            describe(GN_EMAIL, v.content, nm, sizeof nm);
            if (v.tag != TERN_DER_IA5_STRING || !valid_mailbox((const char *)v.content.p, v.content.len))
                return done(r, TERN_X509_NC_OUTSIDE, idx,
                            "the subject's %s is not a valid mailbox, so it cannot be checked against the name "
                            "constraints of",
                            nm);
            if (!allowed(ca, GN_EMAIL, v.content))
                return done(r, TERN_X509_NC_OUTSIDE, idx, "the subject's %s %s", nm, OUTSIDE_OF);
        }
    }
    return TERN_X509_NC_OK;
}

static tern_x509_nc_outcome check_one(const tern_x509_cert *ca, const tern_x509_cert *c, size_t idx, size_t *work,
                                      tern_x509_nc_result *r) {
    unsigned forms = ca->nc_forms;
    if (c->has_san) {
        tern_reader rr;
        tern_der_elem e;
        tern_rd_init(&rr, c->san.p, c->san.len);
        while (tern_rd_left(&rr) && tern_der_next(&rr, &e) == 0) {
            unsigned form = e.tag & 0x1f;
            if (form > GN_RID || !(forms & (1u << form)))
                continue; /* a form the CA does not constrain */
            if (!spend(work, ca))
                return done(r, TERN_X509_NC_TOO_MUCH, idx, "too many names for name constraints");
            char nm[120];
            describe(e.tag, e.content, nm, sizeof nm);
            tern_span v = e.content;
            switch (form) {
            case GN_DNS:
                if (v.len > 0 && v.p[v.len - 1] == '.')
                    v.len--;
                if (!valid_san_dns((const char *)v.p, v.len))
                    return done(r, TERN_X509_NC_OUTSIDE, idx,
                                "the name %s is not a valid DNS name, so it cannot be checked against the name "
                                "constraints of",
                                nm);
                break;
            case GN_EMAIL:
                if (!valid_mailbox((const char *)v.p, v.len))
                    return done(r, TERN_X509_NC_OUTSIDE, idx,
                                "the %s is not a valid mailbox, so it cannot be checked against the name "
                                "constraints of",
                                nm);
                break;
            case GN_URI: {
                const char *h;
                size_t hn;
                if (!uri_host((const char *)v.p, v.len, &h, &hn))
                    return done(r, TERN_X509_NC_OUTSIDE, idx,
                                "the %s has no host name, so it cannot be checked against the name constraints of",
                                nm);
                v.p = (const uint8_t *)h;
                v.len = hn;
                break;
            }
            case GN_DIR: {
                tern_reader dr;
                tern_der_elem dn;
                tern_rd_init(&dr, e.content.p, e.content.len);
                if (tern_der_next(&dr, &dn) < 0)
                    return done(r, TERN_X509_NC_OUTSIDE, idx, "a malformed directoryName %s", OUTSIDE_OF);
                v = dn.tlv;
                describe(e.tag, v, nm, sizeof nm);
                break;
            }
            case GN_IP:
                break;
            default:
                return done(r, TERN_X509_NC_UNSUPPORTED, idx,
                            "has a subjectAltName %s, and tern does not support the %s name constraints of",
                            form_names[form], form_names[form]);
            }
            if (!allowed(ca, form, v))
                return done(r, TERN_X509_NC_OUTSIDE, idx, "the name %s %s", nm, OUTSIDE_OF);
        }
    }
    /* The subject DN (when not empty) against directoryName subtrees. */
    if ((forms & (1u << GN_DIR)) && c->subject.len > 2) {
        if (!spend(work, ca))
            return done(r, TERN_X509_NC_TOO_MUCH, idx, "too many names for name constraints");
        if (!allowed(ca, GN_DIR, c->subject)) {
            char nm[120];
            tern_x509_name_display(c->subject, nm, sizeof nm);
            return done(r, TERN_X509_NC_OUTSIDE, idx, "the subject %s %s", nm, OUTSIDE_OF);
        }
    }
    if (forms & (1u << GN_EMAIL))
        return check_subject_email(ca, c, idx, work, r);
    return TERN_X509_NC_OK;
}

tern_x509_nc_outcome tern_x509_nc_check(const tern_x509_cert *ca, const tern_x509_cert *const *below, size_t n,
                                        size_t *work, tern_x509_nc_result *r) {
    memset(r, 0, sizeof *r);
    if (!ca->has_name_constraints)
        return TERN_X509_NC_OK;
    if (ca->nc_bad) {
        char b[100] = "";
        if (ca->nc_bad_base.p != NULL) {
            char d[96] = "";
            if ((ca->nc_bad_tag & 0x1f) == GN_IP && (ca->nc_bad_base.len == 8 || ca->nc_bad_base.len == 32)) {
                char m[48];
                tern_x509_format_ip(ca->nc_bad_base.p, ca->nc_bad_base.len / 2, d, sizeof d);
                tern_x509_format_ip(ca->nc_bad_base.p + ca->nc_bad_base.len / 2, ca->nc_bad_base.len / 2, m, sizeof m);
                fmt(b, sizeof b, ": %.40s/%.40s", d, m);
            } else if ((ca->nc_bad_tag & 0x1f) == GN_IP) {
                size_t o = 0, k = ca->nc_bad_base.len < 16 ? ca->nc_bad_base.len : 16;
                for (size_t i = 0; i < k; i++)
                    o += (size_t)snprintf(d + o, sizeof d - o, "%02x", ca->nc_bad_base.p[i]);
                fmt(b, sizeof b, ": %s%s, %zu bytes", d, k < ca->nc_bad_base.len ? "..." : "",
                         ca->nc_bad_base.len);
            } else if ((ca->nc_bad_tag & 0x1f) == GN_EMAIL || (ca->nc_bad_tag & 0x1f) == GN_DNS ||
                       (ca->nc_bad_tag & 0x1f) == GN_URI) {
                shown(d, sizeof d, ca->nc_bad_base.p, ca->nc_bad_base.len);
                fmt(b, sizeof b, ": \"%s\"", d);
            }
        }
        return done(r, TERN_X509_NC_BAD, 0, "has malformed name constraints (%s%s)", ca->nc_bad, b);
    }
    for (size_t i = 0; i < n; i++) {
        /* §6.1.4 (g) / §6.1.3 (b): self-issued intermediates are not
         * constrained; the leaf always is. */
        if (i > 0 && tern_x509_self_issued(below[i]))
            continue;
        tern_x509_nc_outcome o = check_one(ca, below[i], i, work, r);
        if (o != TERN_X509_NC_OK)
            return o;
    }
    return TERN_X509_NC_OK;
}
