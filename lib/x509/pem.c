/*
 * Strict PEM (RFC 7468 §2-3: BEGIN/END lines, labels; RFC 4648 §4 base64)
 * with RFC 1421 §4.6.1.1 "Proc-Type: 4,ENCRYPTED" recognised.  See pem.h.
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
    int first = 1;
    for (;;) {
        const uint8_t *start = r->p;
        if (!next_line(r, &l)) {
            r->len = 0;
            return TERN_ERR_PEM; /* no END line */
        }
        if (first && starts(l.p, l.n, "Proc-Type:")) {
            /* RFC 1421 §4.6.1.1: "Proc-Type: 4,ENCRYPTED". */
            size_t n = trim_len(l.p, l.n);
            b->encrypted = n >= 21 && memcmp(l.p + n - 9, "ENCRYPTED", 9) == 0;
        }
        first = 0;
        if (starts(l.p, l.n, "-----")) {
            char endlabel[TERN_PEM_MAX_LABEL];
            if (parse_marker(l.p, l.n, "END ", endlabel) < 0 || strcmp(endlabel, b->label) != 0) {
                r->len = 0;
                return TERN_ERR_PEM;
            }
            b->body_len = (size_t)(start - b->body);
            return 1;
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
    int rc = tern_base64_decode(b->body, b->body_len, out, cap, outlen);
    if (rc < 0)
        tern_wipe(out, cap); /* may hold part of a key */
    return rc;
}
