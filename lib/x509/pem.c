/*
 * Strict PEM (RFC 7468 §2-3: BEGIN/END lines, labels; RFC 4648 §4 base64)
 * with RFC 1421 §4.6.1.1 "Proc-Type: 4,ENCRYPTED" and §4.6.1.3 "DEK-Info"
 * headers read (strictly, as OpenSSL writes them).  See pem.h.
 *
 * The base64 decoder maps characters to values with arithmetic, not a
 * table, and checks validity with masks: PEM bodies carry private keys,
 * and a table indexed by key bytes would leak them through the cache.  The
 * only branches are on line structure (newlines, padding at the end).
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/pem.h"

#include "crypto/ct.h"

void tern_pem_init(tern_pem_reader *r, const uint8_t *text, size_t len) {
    r->p = text;
    r->len = len;
    r->line = 1;
}

/* One line: [p, p+n) without the '\n'; *next is after the '\n'. */
typedef struct {
    const uint8_t *p;
    size_t n;
} line_t;

static int next_line(tern_pem_reader *r, line_t *l) {
    if (r->len == 0)
        return 0;
    const uint8_t *nl = memchr(r->p, '\n', r->len);
    size_t n = nl ? (size_t)(nl - r->p) : r->len;
    l->p = r->p;
    l->n = n;
    size_t adv = nl ? n + 1 : n;
    r->p += adv;
    r->len -= adv;
    r->line++;
    return 1;
}

/* Strip trailing spaces, tabs and CR. */
static size_t trim_len(const uint8_t *p, size_t n) {
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
        n--;
    return n;
}

static int starts(const uint8_t *p, size_t n, const char *s) {
    size_t k = strlen(s);
    return n >= k && memcmp(p, s, k) == 0;
}

/* "-----BEGIN LABEL-----" or "-----END LABEL-----" (kw = "BEGIN "/"END "):
 * copies the label; RFC 7468 §3: label characters are printable ASCII
 * except '-', with single '-' or ' ' between them. */
static int parse_marker(const uint8_t *p, size_t n, const char *kw, char label[TERN_PEM_MAX_LABEL]) {
    n = trim_len(p, n);
    size_t k = 5 + strlen(kw);
    TERN_ENSURE(n >= k + 6 && memcmp(p, "-----", 5) == 0 && memcmp(p + 5, kw, k - 5) == 0, TERN_ERR_PEM);
    TERN_ENSURE(memcmp(p + n - 5, "-----", 5) == 0, TERN_ERR_PEM);
    const uint8_t *s = p + k;
    size_t m = n - k - 5;
    TERN_ENSURE(m < TERN_PEM_MAX_LABEL, TERN_ERR_PEM);
    for (size_t i = 0; i < m; i++) {
        uint8_t c = s[i];
        if (c == '-' || c == ' ') {
            TERN_ENSURE(i > 0 && i + 1 < m && s[i - 1] != '-' && s[i - 1] != ' ', TERN_ERR_PEM);
        } else {
            TERN_ENSURE(c >= 0x21 && c <= 0x7e, TERN_ERR_PEM);
        }
    }
    memcpy(label, s, m);
    label[m] = 0;
    return 0;
}

static size_t skip_spaces(const uint8_t *p, size_t n, size_t k) {
    while (k < n && (p[k] == ' ' || p[k] == '\t'))
        k++;
    return k;
}

static int hex_value(uint8_t c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* "DEK-Info: CIPHER,HEXIV" (RFC 1421 §4.6.1.3; OpenSSL's form): the cipher
 * name is letters, digits and '-'; the IV (public) 1..32 bytes of hex. */
static int parse_dek_info(tern_pem_block *b, const uint8_t *p, size_t n) {
    size_t k = skip_spaces(p, n, 9), m = 0;
    while (k + m < n && p[k + m] != ',') {
        uint8_t c = p[k + m];
        TERN_ENSURE((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-',
                    TERN_ERR_PEM);
        m++;
    }
    TERN_ENSURE(m > 0 && m < sizeof b->dek_cipher && k + m < n, TERN_ERR_PEM);
    const uint8_t *hex = p + k + m + 1;
    size_t hn = n - (k + m + 1);
    TERN_ENSURE(hn > 0 && hn % 2 == 0 && hn / 2 <= sizeof b->dek_iv, TERN_ERR_PEM);
    for (size_t i = 0; i < hn / 2; i++) {
        int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
        TERN_ENSURE(hi >= 0 && lo >= 0, TERN_ERR_PEM);
        b->dek_iv[i] = (uint8_t)(hi << 4 | lo);
    }
    memcpy(b->dek_cipher, p + k, m);
    b->dek_cipher[m] = 0;
    b->dek_iv_len = hn / 2;
    return 0;
}

int tern_pem_next(tern_pem_reader *r, tern_pem_block *b) {
    line_t l;
    for (;;) {
        size_t at = r->line;
        if (!next_line(r, &l))
            return 0;
        if (!starts(l.p, l.n, "-----BEGIN"))
            continue; /* text outside blocks is ignored */
        if (parse_marker(l.p, l.n, "BEGIN ", b->label) < 0) {
            r->len = 0;
            return TERN_ERR_PEM;
        }
        b->line = at;
        break;
    }
    b->body = r->p;
    b->encrypted = 0;
    b->hdr_bad = 0;
    b->dek_cipher[0] = 0;
    b->dek_iv_len = 0;
    enum { FIRST, HEADERS, BODY } st = FIRST;
    for (;;) {
        const uint8_t *start = r->p;
        if (!next_line(r, &l)) {
            r->len = 0;
            return TERN_ERR_PEM; /* no END line */
        }
        if (starts(l.p, l.n, "-----")) {
            char endlabel[TERN_PEM_MAX_LABEL];
            if (parse_marker(l.p, l.n, "END ", endlabel) < 0 || strcmp(endlabel, b->label) != 0) {
                r->len = 0;
                return TERN_ERR_PEM;
            }
            if (st == HEADERS) { /* headers without the blank line and a body */
                b->hdr_bad = 1;
                b->body = start;
            }
            b->body_len = (size_t)(start - b->body);
            return 1;
        }
        size_t n = trim_len(l.p, l.n);
        if (st == FIRST && starts(l.p, n, "Proc-Type:")) {
            /* RFC 1421 §4.6.1.1: "Proc-Type: 4,ENCRYPTED". */
            b->encrypted = 1;
            size_t k = skip_spaces(l.p, n, 10);
            b->hdr_bad |= !(n - k == 11 && memcmp(l.p + k, "4,ENCRYPTED", 11) == 0);
            st = HEADERS;
        } else if (st == HEADERS && n == 0) {
            /* The blank line that ends the headers (RFC 1421 §4.4). */
            b->hdr_bad |= b->dek_cipher[0] == 0;
            b->body = r->p;
            st = BODY;
        } else if (st == HEADERS) {
            if (b->dek_cipher[0] == 0 && starts(l.p, n, "DEK-Info:"))
                b->hdr_bad |= parse_dek_info(b, l.p, n) < 0;
            else
                b->hdr_bad = 1; /* another header, a repeated one, or a continuation line */
        } else {
            st = BODY;
        }
    }
}

size_t tern_pem_decoded_max(const tern_pem_block *b) { return b->body_len / 4 * 3 + 3; }

/* Value of one base64 character, computed without branches or tables;
 * *bad gets all-ones when c is not in the alphabet.  Proof sketch of
 * range(): for c, lo, hi < 256, (c - lo) wraps (top bit set) iff c < lo
 * and (hi - c) wraps iff c > hi, so bit 31 of their OR is clear iff
 * lo <= c <= hi; (x >> 31) - 1 turns "clear" into all-ones. */
static uint32_t range(uint32_t c, uint32_t lo, uint32_t hi) { return (((c - lo) | (hi - c)) >> 31) - 1; }

static uint32_t b64_value(uint32_t c, uint32_t *bad) {
    uint32_t up = range(c, 'A', 'Z'), lo = range(c, 'a', 'z'), dg = range(c, '0', '9');
    uint32_t pl = tern_ct_mask_u32(tern_ct_eq_u32(c, '+')), sl = tern_ct_mask_u32(tern_ct_eq_u32(c, '/'));
    uint32_t v = (up & (c - 'A')) | (lo & (c - 'a' + 26)) | (dg & (c - '0' + 52)) | (pl & 62) | (sl & 63);
    *bad |= ~(up | lo | dg | pl | sl);
    return v;
}

int tern_base64_decode(const uint8_t *in, size_t inlen, uint8_t *out, size_t cap, size_t *outlen) {
    uint32_t bad = 0;
    uint32_t acc = 0;   /* bits of the current quantum */
    unsigned nq = 0;    /* characters in the current quantum */
    unsigned pad = 0;   /* '=' seen */
    size_t o = 0;
    size_t i = 0;
    int ended = 0;      /* the padded final quantum is done: only line ends may follow */
    while (i < inlen) {
        /* One line. */
        size_t j = i;
        while (j < inlen && in[j] != '\n')
            j++;
        size_t n = trim_len(in + i, j - i);
        TERN_ENSURE(n > 0, TERN_ERR_PEM); /* no blank lines inside a body */
        TERN_ENSURE(!ended, TERN_ERR_PEM);
        for (size_t k = i; k < i + n; k++) {
            uint32_t c = in[k];
            if (c == '=') {
                /* Padding only fills the 3rd/4th place of the last quantum. */
                TERN_ENSURE(nq >= 2, TERN_ERR_PEM);
                pad++;
                nq++;
            } else {
                TERN_ENSURE(pad == 0, TERN_ERR_PEM);
                acc = acc << 6 | b64_value(c, &bad);
                nq++;
            }
            if (nq == 4) {
                /* pad = 0: 24 bits -> 3 bytes; 1: 18 bits -> 2 (low 2 zero);
                 * 2: 12 bits -> 1 (low 4 zero).  RFC 4648 §3.5: canonical
                 * encodings have zero pad bits. */
                unsigned nbytes = 3 - pad;
                uint32_t v = acc << (6 * pad);
                if (pad == 1)
                    bad |= tern_ct_mask_u32(tern_ct_is_nonzero_u32(v & 0xff));
                if (pad == 2)
                    bad |= tern_ct_mask_u32(tern_ct_is_nonzero_u32(v & 0xffff));
                TERN_ENSURE(cap - o >= nbytes && o <= cap, TERN_ERR_BUFFER_TOO_SMALL);
                out[o] = (uint8_t)(v >> 16);
                if (nbytes > 1)
                    out[o + 1] = (uint8_t)(v >> 8);
                if (nbytes > 2)
                    out[o + 2] = (uint8_t)v;
                o += nbytes;
                nq = 0;
                acc = 0;
                if (pad)
                    ended = 1;
            }
        }
        TERN_ENSURE(pad == 0 || nq == 0, TERN_ERR_PEM); /* padding split over lines */
        i = j < inlen ? j + 1 : j;
    }
    TERN_ENSURE(nq == 0, TERN_ERR_PEM); /* a partial quantum */
    TERN_ENSURE(bad == 0, TERN_ERR_PEM);
    *outlen = o;
    return 0;
}

int tern_pem_decode(const tern_pem_block *b, uint8_t *out, size_t cap, size_t *outlen) {
    TERN_ENSURE(!b->hdr_bad, TERN_ERR_PEM);
    int rc = tern_base64_decode(b->body, b->body_len, out, cap, outlen);
    if (rc < 0)
        tern_wipe(out, cap); /* may hold part of a key */
    return rc;
}
