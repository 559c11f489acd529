/*
 * Public Suffix List lookup (lib/x509/psl.h): each suffix of the name, from
 * its last label leftwards, is looked up by binary search in the sorted
 * keys of lib/x509/psl_data.h (layout: tools/make_psl.py).
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/psl.h"

#include <stdint.h>

#include "lib/x509/psl_data.h"

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c; }

/* Compare the n bytes at s (case-folded) with the key k (ended by
 * TERN_PSL_END), as the generator sorted them (bytewise, a shorter prefix
 * first).  s holds no TERN_PSL_END: valid() let it through. */
static int cmp(const char *s, size_t n, const char *k) {
    for (size_t i = 0; i < n; i++) {
        unsigned char a = lower((unsigned char)s[i]), b = (unsigned char)k[i];
        if (b == TERN_PSL_END)
            return 1; /* k is a proper prefix of s */
        if (a != b)
            return a < b ? -1 : 1;
    }
    return k[n] == TERN_PSL_END ? 0 : -1;
}

/* The kinds of rule (TERN_PSL_*) the list has for exactly this name, or 0. */
static unsigned lookup(const char *s, size_t n) {
    size_t lo = 0, hi = TERN_PSL_N;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t v = tern_psl_keys[mid];
        uint32_t off = v & 0xffffffu;
        const char *k = tern_psl_chunks[off / TERN_PSL_CHUNK] + off % TERN_PSL_CHUNK;
        int c = cmp(s, n, k);
        if (c == 0)
            return v >> 24;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}

/* A host name in the preferred syntax (RFC 1034 §3.5, as psl.h says). */
static int valid(const char *s, size_t n) {
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

int tern_psl_is_public_suffix(const char *name, size_t len) {
    if (name == NULL)
        return 0;
    if (len > 0 && name[len - 1] == '.')
        len--;
    if (!valid(name, len))
        return 0;
    /* Suffixes of 1, 2, ... labels, each name[j..len). */
    size_t labels = 0, best = 1, exception = 0;
    unsigned below = 0; /* the kinds of the suffix one label shorter */
    size_t i = len;
    while (i > 0) {
        /* j: the start of the label that ends at i. */
        size_t j = i;
        while (j > 0 && name[j - 1] != '.')
            j--;
        labels++;
        unsigned kinds = lookup(name + j, len - j);
        if ((kinds & TERN_PSL_EXC) && !exception)
            exception = labels; /* the rule minus its left-most label */
        if (kinds & TERN_PSL_EXACT)
            best = labels;
        if (labels >= 2 && (below & TERN_PSL_WILD))
            best = labels; /* "*.<suffix one label shorter>" */
        below = kinds;
        i = j > 0 ? j - 1 : 0; /* skip the dot */
    }
    size_t ps = exception ? exception - 1 : best;
    return ps == labels;
}
