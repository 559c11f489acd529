/*
 * The bounded reader and writer.  See bytes.h.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/bytes.h"

int tern_rd_bytes(tern_reader *r, size_t n, const uint8_t **out) {
    TERN_ENSURE(n <= r->len, TERN_ERR_DECODE);
    *out = r->p;
    r->p += n;
    r->len -= n;
    return 0;
}

/* Reads an n-byte (n <= 8) big-endian integer. */
static int rd_uint(tern_reader *r, size_t n, uint64_t *out) {
    const uint8_t *p = NULL;
    TERN_TRY(tern_rd_bytes(r, n, &p));
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v << 8 | p[i];
    *out = v;
    return 0;
}

int tern_rd_u8(tern_reader *r, uint8_t *out) {
    uint64_t v;
    TERN_TRY(rd_uint(r, 1, &v));
    *out = (uint8_t)v;
    return 0;
}
int tern_rd_u16(tern_reader *r, uint16_t *out) {
    uint64_t v;
    TERN_TRY(rd_uint(r, 2, &v));
    *out = (uint16_t)v;
    return 0;
}
int tern_rd_u24(tern_reader *r, uint32_t *out) {
    uint64_t v;
    TERN_TRY(rd_uint(r, 3, &v));
    *out = (uint32_t)v;
    return 0;
}
int tern_rd_u32(tern_reader *r, uint32_t *out) {
    uint64_t v;
    TERN_TRY(rd_uint(r, 4, &v));
    *out = (uint32_t)v;
    return 0;
}
int tern_rd_u64(tern_reader *r, uint64_t *out) { return rd_uint(r, 8, out); }

int tern_rd_copy(tern_reader *r, void *dst, size_t n) {
    const uint8_t *p = NULL;
    TERN_TRY(tern_rd_bytes(r, n, &p));
    if (n)
        memcpy(dst, p, n);
    return 0;
}

int tern_rd_skip(tern_reader *r, size_t n) {
    const uint8_t *p = NULL;
    return tern_rd_bytes(r, n, &p);
}

int tern_rd_sub(tern_reader *r, size_t n, tern_reader *sub) {
    const uint8_t *p = NULL;
    TERN_TRY(tern_rd_bytes(r, n, &p));
    tern_rd_init(sub, p, n);
    return 0;
}

/* Length prefix then body, all-or-nothing: work on a copy of r. */
static int rd_vec(tern_reader *r, size_t prefix, tern_reader *sub) {
    tern_reader t = *r;
    uint64_t n;
    TERN_TRY(rd_uint(&t, prefix, &n));
    TERN_TRY(tern_rd_sub(&t, (size_t)n, sub));
    *r = t;
    return 0;
}
int tern_rd_vec8(tern_reader *r, tern_reader *sub) { return rd_vec(r, 1, sub); }
int tern_rd_vec16(tern_reader *r, tern_reader *sub) { return rd_vec(r, 2, sub); }
int tern_rd_vec24(tern_reader *r, tern_reader *sub) { return rd_vec(r, 3, sub); }

int tern_rd_end(const tern_reader *r) {
    TERN_ENSURE(r->len == 0, TERN_ERR_DECODE);
    return 0;
}

/* ---- writer ---- */

void tern_wr_init(tern_writer *w, uint8_t *buf, size_t cap) {
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->len = 0;
    w->err = 0;
}

int tern_wr_reserve(tern_writer *w, size_t n, uint8_t **out) {
    if (w->err)
        return w->err;
    if (n > w->cap - w->len) {
        w->err = TERN_ERR_BUFFER_TOO_SMALL;
        return w->err;
    }
    *out = w->buf + w->len;
    w->len += n;
    return 0;
}

static int wr_uint(tern_writer *w, size_t n, uint64_t v) {
    uint8_t *p = NULL;
    TERN_TRY(tern_wr_reserve(w, n, &p));
    for (size_t i = n; i-- > 0; v >>= 8)
        p[i] = (uint8_t)v;
    return 0;
}
int tern_wr_u8(tern_writer *w, uint8_t v) { return wr_uint(w, 1, v); }
int tern_wr_u16(tern_writer *w, uint16_t v) { return wr_uint(w, 2, v); }
int tern_wr_u24(tern_writer *w, uint32_t v) {
    if (v > 0xffffff && !w->err)
        w->err = TERN_ERR_INTERNAL;
    return w->err ? w->err : wr_uint(w, 3, v);
}
int tern_wr_u32(tern_writer *w, uint32_t v) { return wr_uint(w, 4, v); }
int tern_wr_u64(tern_writer *w, uint64_t v) { return wr_uint(w, 8, v); }

int tern_wr_bytes(tern_writer *w, const void *src, size_t n) {
    uint8_t *p = NULL;
    TERN_TRY(tern_wr_reserve(w, n, &p));
    if (n)
        memcpy(p, src, n);
    return 0;
}

int tern_wr_begin(tern_writer *w, tern_wr_vec *v, unsigned prefix_size) {
    uint8_t *p = NULL;
    if (prefix_size < 1 || prefix_size > 3) {
        if (!w->err)
            w->err = TERN_ERR_INTERNAL;
        return w->err;
    }
    TERN_TRY(tern_wr_reserve(w, prefix_size, &p));
    v->at = (size_t)(p - w->buf);
    v->size = prefix_size;
    return 0;
}

int tern_wr_end(tern_writer *w, const tern_wr_vec *v) {
    if (w->err)
        return w->err;
    if (v->size < 1 || v->size > 3 || v->at + v->size > w->len) {
        w->err = TERN_ERR_INTERNAL;
        return w->err;
    }
    size_t body = w->len - v->at - v->size;
    if (body >> (8 * v->size)) {
        w->err = TERN_ERR_INTERNAL;
        return w->err;
    }
    for (unsigned i = v->size; i-- > 0; body >>= 8)
        w->buf[v->at + i] = (uint8_t)body;
    return 0;
}
