/*
 * The reference-identity check (RFC 9525 §6, which updates RFC 6125):
 * DNS names against subjectAltName dNSName entries (§6.3: case-insensitive
 * ASCII; §6.3 wildcard rules: "*" only as the complete left-most label,
 * matching exactly one label, and never directly over a public suffix of
 * the Public Suffix List, lib/x509/psl.h), IP addresses only against iPAddress entries
 * (§6.5).  The subject CN is never used as a name (RFC 9525 §6 drops the
 * legacy fallback; browsers, Go and rustls ignore it too): a certificate
 * without subjectAltName matches no name.  IP literals are parsed strictly
 * (RFC 3986 §3.2.2 IPv4 dotted decimal without leading zeros; RFC 4291 §2.2
 * IPv6 text forms).
 *
 * Also here: distinguished-name comparison (RFC 5280 §7.1), used for name
 * chaining, trust store lookups, self-issued detection and directoryName
 * name constraints.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include <stdint.h>
#include <stdio.h>

#include "lib/x509/psl.h"
#include "lib/x509/x509.h"

/* ---- IP literals ---- */

static int parse_ipv4(const char *s, size_t n, uint8_t out[4]) {
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t len = i - start;
        if (len == 0 || v > 255 || (len > 1 && s[start] == '0'))
            return 0;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static int parse_ipv6(const char *s, size_t n, uint8_t out[16]) {
    uint16_t g[8];
    int ng = 0, gap = -1; /* gap: group index where "::" stands */
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 0;
        i = 2;
    } else if (n >= 1 && s[0] == ':') {
        return 0;
    }
    while (i < n) {
        /* An embedded IPv4 address ends the text (RFC 4291 §2.2 form 3). */
        size_t j = i;
        while (j < n && s[j] != ':' && s[j] != '.')
            j++;
        if (j < n && s[j] == '.') {
            uint8_t v4[4];
            if (ng > 6 || !parse_ipv4(s + i, n - i, v4))
                return 0;
            g[ng++] = (uint16_t)(v4[0] << 8 | v4[1]);
            g[ng++] = (uint16_t)(v4[2] << 8 | v4[3]);
            i = n;
            break;
        }
        if (j == i || j - i > 4 || ng == 8)
            return 0;
        unsigned v = 0;
        for (size_t k = i; k < j; k++) {
            int h = hexval(s[k]);
            if (h < 0)
                return 0;
            v = v << 4 | (unsigned)h;
        }
        g[ng++] = (uint16_t)v;
        i = j;
        if (i == n)
            break;
        /* s[i] == ':' */
        if (i + 1 < n && s[i + 1] == ':') {
            if (gap >= 0)
                return 0; /* a second "::" */
            gap = ng;
            i += 2;
        } else {
            i++;
            if (i == n)
                return 0; /* trailing single ':' */
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7)
        return 0;
    /* Groups before "::" stay in front, those after it go to the end. */
    uint16_t full[8] = {0};
    for (int k = 0; k < ng; k++)
        full[gap < 0 || k < gap ? k : 8 - (ng - k)] = g[k];
    for (int k = 0; k < 8; k++) {
        out[2 * k] = (uint8_t)(full[k] >> 8);
        out[2 * k + 1] = (uint8_t)full[k];
    }
    return 1;
}

int tern_x509_parse_ip(const char *s, uint8_t out[16]) {
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']')
        return parse_ipv6(s + 1, n - 2, out) ? 16 : 0;
    if (parse_ipv4(s, n, out))
        return 4;
    return parse_ipv6(s, n, out) ? 16 : 0;
}

/* ---- DNS names ---- */

static char lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c; }

static int ieq(const char *a, size_t an, const char *b, size_t bn) {
    if (an != bn)
        return 0;
    for (size_t i = 0; i < an; i++)
        if (lower(a[i]) != lower(b[i]))
            return 0;
    return 1;
}

/* A DNS name in the preferred name syntax (RFC 1034 §3.5, which RFC 5280
 * §4.2.1.6 requires of dNSName): labels of letters, digits and '-', 1..63
 * bytes each, 253 in all, after one trailing dot is removed.  No '_': it is
 * not a host name character, and CABF has forbidden it in certificates
 * since 2019, so neither a reference name nor a presented one with it
 * matches. */
static int valid_dns(const char *s, size_t n) {
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
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
        if (!ok || ++lab > 63)
            return 0;
    }
    return lab > 0;
}

/* Does presented identifier p (a SAN dNSName) match reference name r?
 * 1 if so; 0 if not; 2 if p is a wildcard that would match r but stands
 * directly over a public suffix ("*.co.uk", "*.s3.amazonaws.com"): no
 * certificate may cover every name under one (browsers refuse it; the
 * CA/Browser Forum Baseline Requirements forbid CAs to issue it), so it
 * matches nothing. */
static int dns_match(const char *p, size_t pn, const char *r, size_t rn) {
    if (pn > 0 && p[pn - 1] == '.')
        pn--;
    if (memchr(p, '*', pn) == NULL)
        return valid_dns(p, pn) && ieq(p, pn, r, rn);
    /* "*." + at least two labels, no other '*' (RFC 9525 §6.3). */
    if (pn < 3 || p[0] != '*' || p[1] != '.' || memchr(p + 1, '*', pn - 1) != NULL)
        return 0;
    const char *rest = p + 2;
    size_t restn = pn - 2;
    if (!valid_dns(rest, restn) || memchr(rest, '.', restn) == NULL)
        return 0;
    /* A last label of digits only means an IP address, never a wildcard
     * domain ("*.0.0.1"). */
    size_t k = restn;
    while (k > 0 && rest[k - 1] >= '0' && rest[k - 1] <= '9')
        k--;
    if (k == 0 || rest[k - 1] == '.')
        return 0;
    /* The reference's first label must be non-empty and is the one the
     * wildcard stands for; the rest must match exactly. */
    const char *dot = memchr(r, '.', rn);
    if (dot == NULL || dot == r || !ieq(dot + 1, rn - (size_t)(dot + 1 - r), rest, restn))
        return 0;
    return tern_psl_is_public_suffix(rest, restn) ? 2 : 1;
}

/* ---- messages ---- */

static void append(char *msg, size_t cap, const char *s) {
    size_t n = strlen(msg);
    if (n + 1 >= cap)
        return;
    snprintf(msg + n, cap - n, "%s", s);
}

void tern_x509_format_ip(const uint8_t *ip, size_t n, char *out, size_t cap) {
    if (n == 4) {
        snprintf(out, cap, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
        return;
    }
    if (n != 16) { /* the parser lets only 4 or 16 through; say so anyway */
        snprintf(out, cap, "(%zu bytes)", n);
        return;
    }
    /* RFC 5952 §4: the longest run of two or more zero groups as "::". */
    unsigned g[8];
    int best = -1, bestn = 1;
    for (int i = 0; i < 8; i++)
        g[i] = (unsigned)(ip[2 * i] << 8 | ip[2 * i + 1]);
    for (int i = 0; i < 8;) {
        int j = i;
        while (j < 8 && g[j] == 0)
            j++;
        if (j - i > bestn) {
            best = i;
            bestn = j - i;
        }
        i = j > i ? j : i + 1;
    }
    size_t o = 0;
    out[0] = 0;
    for (int i = 0; i < 8 && o + 8 < cap;) {
        if (i == best) {
            o += (size_t)snprintf(out + o, cap - o, "::");
            i += bestn;
            continue;
        }
        o += (size_t)snprintf(out + o, cap - o, "%s%x", i && i != best + bestn ? ":" : "", g[i]);
        i++;
    }
}

/* "DNS:a, IP:1.2.3.4, ..." of the SAN; without one, says so (and shows
 * the CN, which people may expect to count). */
static void list_names(const tern_x509_cert *c, char *out, size_t cap) {
    out[0] = 0;
    if (!c->has_san) {
        tern_span cn = tern_x509_name_cn(c->subject, NULL);
        if (cn.p == NULL) {
            append(out, cap, "no subjectAltName, so no name");
            return;
        }
        append(out, cap, "no subjectAltName, so no name (its CN, which is never used as one, is ");
        char v[80];
        size_t n = cn.len < sizeof v - 1 ? cn.len : sizeof v - 1;
        for (size_t i = 0; i < n; i++)
            v[i] = cn.p[i] >= 0x20 && cn.p[i] < 0x7f ? (char)cn.p[i] : '?';
        v[n] = 0;
        append(out, cap, v);
        append(out, cap, ")");
        return;
    }
    tern_reader r;
    tern_rd_init(&r, c->san.p, c->san.len);
    int first = 1;
    while (tern_rd_left(&r)) {
        tern_der_elem e;
        if (tern_der_next(&r, &e) < 0)
            break;
        char item[96];
        if (e.tag == TERN_DER_CTX_PRIM(2)) {
            /* IA5String allows control characters: the peer's bytes must
             * not reach a terminal or a log as escape sequences. */
            char v[81];
            size_t n = e.content.len < 80 ? e.content.len : 80;
            for (size_t i = 0; i < n; i++)
                v[i] = e.content.p[i] >= 0x20 && e.content.p[i] < 0x7f ? (char)e.content.p[i] : '?';
            v[n] = 0;
            snprintf(item, sizeof item, "DNS:%s", v);
        } else if (e.tag == TERN_DER_CTX_PRIM(7)) {
            char ip[64];
            tern_x509_format_ip(e.content.p, e.content.len, ip, sizeof ip);
            snprintf(item, sizeof item, "IP:%s", ip);
        } else {
            continue;
        }
        if (!first)
            append(out, cap, ", ");
        append(out, cap, item);
        first = 0;
    }
    if (first)
        append(out, cap, "a subjectAltName without DNS names or IP addresses");
}

static int mismatch(const tern_x509_cert *c, const char *what, const char *name, char *msg, size_t cap) {
    if (msg && cap) {
        char label[128], names[160];
        tern_x509_cert_label(c, label, sizeof label);
        list_names(c, names, sizeof names);
        snprintf(msg, cap, "certificate 0 (%s) is not for %s \"%.80s\"; it names %s", label, what, name, names);
    }
    return TERN_ERR_CERT_NAME;
}

/* The refusal of a wildcard over a public suffix (p: the SAN dNSName, pn
 * bytes, a valid "*." name by dns_match, so printable). */
static int over_suffix(const tern_x509_cert *c, const char *name, const char *p, size_t pn, char *msg, size_t cap) {
    if (msg && cap) {
        char label[128], names[160];
        tern_x509_cert_label(c, label, sizeof label);
        list_names(c, names, sizeof names);
        if (pn > 0 && p[pn - 1] == '.')
            pn--;
        int w = pn > 80 ? 80 : (int)pn;
        snprintf(msg, cap,
                 "certificate 0 (%s) is not for name \"%.80s\": the wildcard %.*s stands over a public suffix "
                 "(%.*s), which no certificate may cover; it names %s",
                 label, name, w, p, w - 2, p + 2, names);
    }
    return TERN_ERR_CERT_NAME;
}

int tern_x509_check_name(const tern_x509_cert *c, const char *name, char *msg, size_t cap) {
    uint8_t ip[16];
    int iplen = tern_x509_parse_ip(name, ip);
    if (msg && cap)
        msg[0] = 0;
    if (iplen) {
        if (c->has_san) {
            tern_reader r;
            tern_rd_init(&r, c->san.p, c->san.len);
            while (tern_rd_left(&r)) {
                tern_der_elem e;
                TERN_TRY(tern_der_next(&r, &e));
                if (e.tag == TERN_DER_CTX_PRIM(7) && e.content.len == (size_t)iplen &&
                    memcmp(e.content.p, ip, (size_t)iplen) == 0)
                    return 0;
            }
        }
        return mismatch(c, "IP address", name, msg, cap);
    }
    size_t n = strlen(name);
    if (n > 0 && name[n - 1] == '.')
        n--;
    if (!valid_dns(name, n))
        return mismatch(c, "the (invalid) name", name, msg, cap);
    if (c->has_san) {
        tern_reader r;
        tern_der_elem over = {0};
        int have_over = 0;
        tern_rd_init(&r, c->san.p, c->san.len);
        while (tern_rd_left(&r)) {
            tern_der_elem e;
            TERN_TRY(tern_der_next(&r, &e));
            if (e.tag != TERN_DER_CTX_PRIM(2))
                continue;
            int m = dns_match((const char *)e.content.p, e.content.len, name, n);
            if (m == 1)
                return 0;
            if (m == 2 && !have_over) {
                over = e;
                have_over = 1;
            }
        }
        if (have_over)
            return over_suffix(c, name, (const char *)over.content.p, over.content.len, msg, cap);
        return mismatch(c, "name", name, msg, cap);
    }
    /* No SAN at all: no name (the subject CN is never used, RFC 9525 §6). */
    return mismatch(c, "name", name, msg, cap);
}

/* ---- distinguished names (RFC 5280 §7.1) ---- */

/* An attribute value as compared: PrintableString and UTF8String values
 * are compared as text (either type against either), after the parts of
 * the LDAP string preparation (RFC 4518) that matter for ASCII: leading and
 * trailing white space removed, inner runs folded to one space, ASCII
 * letters case-folded.  Non-ASCII UTF-8 bytes compare as they are (no
 * Unicode case folding or normalization).  Other string types compare byte
 * for byte, tag included. */
typedef struct {
    const uint8_t *p;
    size_t n, i;
    int started;
} text_it;

static int is_ws(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* The next character of the prepared text, or -1 at its end. */
static int text_next(text_it *t) {
    while (t->i < t->n) {
        uint8_t c = t->p[t->i];
        if (is_ws(c)) {
            while (t->i < t->n && is_ws(t->p[t->i]))
                t->i++;
            if (t->i == t->n)
                return -1; /* trailing white space */
            if (t->started)
                return ' ';
            continue; /* leading white space */
        }
        t->started = 1;
        t->i++;
        return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
    }
    return -1;
}

static int is_text(uint8_t tag) { return tag == TERN_DER_PRINTABLE_STRING || tag == TERN_DER_UTF8_STRING; }

static int value_eq(const tern_der_elem *a, const tern_der_elem *b) {
    if (!is_text(a->tag) || !is_text(b->tag))
        return a->tlv.len == b->tlv.len && memcmp(a->tlv.p, b->tlv.p, a->tlv.len) == 0;
    text_it x = {a->content.p, a->content.len, 0, 0}, y = {b->content.p, b->content.len, 0, 0};
    for (;;) {
        int cx = text_next(&x), cy = text_next(&y);
        if (cx != cy)
            return 0;
        if (cx < 0)
            return 1;
    }
}

/* AttributeTypeAndValue (DER TLV content) equality: same type, equal value. */
static int atv_eq(tern_span a, tern_span b) {
    tern_reader ra, rb;
    tern_span oa, ob;
    tern_der_elem va, vb;
    tern_rd_init(&ra, a.p, a.len);
    tern_rd_init(&rb, b.p, b.len);
    if (tern_der_oid(&ra, &oa) < 0 || tern_der_next(&ra, &va) < 0 || tern_der_oid(&rb, &ob) < 0 ||
        tern_der_next(&rb, &vb) < 0 || tern_rd_left(&ra) || tern_rd_left(&rb))
        return 0;
    return oa.len == ob.len && memcmp(oa.p, ob.p, oa.len) == 0 && value_eq(&va, &vb);
}

/* RDNs with more attributes than this compare byte for byte (the set
 * comparison is quadratic in the count). */
#define RDN_SET_MAX 16

/* The number of attributes in an RDN (SET content), or SIZE_MAX when the
 * content is not a run of whole SEQUENCEs: a malformed RDN equals only its
 * own bytes, so equality stays symmetric whatever the bytes are. */
static size_t set_count(tern_span s) {
    tern_reader r, x;
    size_t n = 0;
    tern_rd_init(&r, s.p, s.len);
    while (tern_rd_left(&r)) {
        if (tern_der_expect(&r, TERN_DER_SEQUENCE, &x) < 0)
            return SIZE_MAX;
        n++;
    }
    return n;
}

/* Two RDNs (SET contents) are equal as multisets of attributes: each
 * attribute of a is paired with a different, equal attribute of b (the
 * counts being equal, a one-to-one pairing). */
static int rdn_eq(tern_span a, tern_span b) {
    if (a.len == b.len && memcmp(a.p, b.p, a.len) == 0)
        return 1;
    size_t na = set_count(a), nb = set_count(b);
    if (na == SIZE_MAX || na != nb || na > RDN_SET_MAX)
        return 0;
    unsigned used = 0;
    tern_reader ra;
    tern_rd_init(&ra, a.p, a.len);
    while (tern_rd_left(&ra)) {
        tern_reader x;
        if (tern_der_expect(&ra, TERN_DER_SEQUENCE, &x) < 0)
            return 0;
        tern_span xs = {x.p, x.len};
        tern_reader rb;
        int found = 0;
        tern_rd_init(&rb, b.p, b.len);
        for (unsigned k = 0; !found && tern_rd_left(&rb); k++) {
            tern_reader y;
            if (tern_der_expect(&rb, TERN_DER_SEQUENCE, &y) < 0)
                return 0;
            tern_span ys = {y.p, y.len};
            if (!(used & (1u << k)) && atv_eq(xs, ys)) {
                used |= 1u << k;
                found = 1;
            }
        }
        if (!found)
            return 0;
    }
    return 1;
}

/* Compare name with base RDN by RDN: 1 if base's RDNs equal name's first
 * ones (all of them when whole). */
static int rdns_match(tern_span name, tern_span base, int whole) {
    tern_reader rn, rb, sn, sb;
    tern_rd_init(&rn, name.p, name.len);
    tern_rd_init(&rb, base.p, base.len);
    if (tern_der_expect(&rn, TERN_DER_SEQUENCE, &sn) < 0 || tern_der_expect(&rb, TERN_DER_SEQUENCE, &sb) < 0)
        return 0;
    while (tern_rd_left(&sb)) {
        tern_reader x, y;
        if (!tern_rd_left(&sn) || tern_der_expect(&sb, TERN_DER_SET, &x) < 0 ||
            tern_der_expect(&sn, TERN_DER_SET, &y) < 0)
            return 0;
        tern_span xs = {x.p, x.len}, ys = {y.p, y.len};
        if (!rdn_eq(xs, ys))
            return 0;
    }
    return !whole || tern_rd_left(&sn) == 0;
}

int tern_x509_name_eq(tern_span a, tern_span b) {
    if (a.len == b.len && memcmp(a.p, b.p, a.len) == 0)
        return 1;
    return rdns_match(a, b, 1);
}

int tern_x509_name_within(tern_span name, tern_span base) { return rdns_match(name, base, 0); }

/* A 32-bit key, equal for names tern_x509_name_eq finds equal: FNV-1a
 * over the prepared values, the attributes of an RDN summed (their order
 * does not count).  An RDN that does not parse, or has more than
 * RDN_SET_MAX attributes, counts by its bytes (rdn_eq compares it so); a
 * Name that does not parse by all of its bytes. */
static uint32_t fnv(uint32_t h, uint32_t c) { return (h ^ (c & 0xff)) * 16777619u; }

static uint32_t fnv_bytes(uint32_t h, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++)
        h = fnv(h, p[i]);
    return h;
}

static uint32_t atv_key(tern_span atv, int *ok) {
    tern_reader r;
    tern_span oid;
    tern_der_elem v;
    tern_rd_init(&r, atv.p, atv.len);
    if (tern_der_oid(&r, &oid) < 0 || tern_der_next(&r, &v) < 0 || tern_rd_left(&r)) {
        *ok = 0;
        return 0;
    }
    uint32_t h = fnv_bytes(2166136261u, oid.p, oid.len);
    if (is_text(v.tag)) {
        h = fnv(h, 0xff);
        text_it t = {v.content.p, v.content.len, 0, 0};
        for (int c = text_next(&t); c >= 0; c = text_next(&t))
            h = fnv(h, (uint32_t)c);
    } else {
        h = fnv_bytes(fnv(h, 0xfe), v.tlv.p, v.tlv.len);
    }
    return h;
}

uint32_t tern_x509_name_key(tern_span name) {
    tern_reader r, seq;
    uint32_t h = 2166136261u;
    tern_rd_init(&r, name.p, name.len);
    if (tern_der_expect(&r, TERN_DER_SEQUENCE, &seq) < 0)
        return fnv_bytes(h ^ 1u, name.p, name.len);
    while (tern_rd_left(&seq)) {
        tern_reader set;
        if (tern_der_expect(&seq, TERN_DER_SET, &set) < 0)
            return fnv_bytes(h ^ 1u, name.p, name.len);
        tern_span rdn = {set.p, set.len};
        uint32_t sum = 0;
        int ok = set_count(rdn) <= RDN_SET_MAX;
        while (ok && tern_rd_left(&set)) {
            tern_reader atv;
            if (tern_der_expect(&set, TERN_DER_SEQUENCE, &atv) < 0) {
                ok = 0;
                break;
            }
            tern_span as = {atv.p, atv.len};
            sum += atv_key(as, &ok);
        }
        if (!ok)
            sum = fnv_bytes(0x9e3779b9u, rdn.p, rdn.len);
        h = fnv(fnv(fnv(fnv(fnv(h, 0xfd), sum), sum >> 8), sum >> 16), sum >> 24);
    }
    return h;
}
