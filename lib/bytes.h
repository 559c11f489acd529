/*
 * The bounded byte reader and writer (docs/CONVENTIONS.md §3).
 *
 * Every byte that comes from the peer is read through a tern_reader: a view
 * of (pointer, remaining length).  Getters either succeed and advance, or
 * fail with TERN_ERR_DECODE and leave the reader where it was; they never
 * read outside the view.  Length-prefixed vectors (RFC 5246 §4.3:
 * `opaque x<0..2^16-1>`) become sub-readers, and a parser finishes each
 * sub-reader with tern_rd_end(), which fails unless it was consumed exactly.
 *
 * Everything tern sends is written through a tern_writer over caller
 * memory.  It never grows: writing past the end fails with
 * TERN_ERR_BUFFER_TOO_SMALL and the error sticks, so a sequence of writes
 * can be checked once at the end.  A vector's length prefix is reserved by
 * tern_wr_begin() and filled in by tern_wr_end().
 */
#ifndef TERN_LIB_BYTES_H
#define TERN_LIB_BYTES_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/bytes.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "crypto/common.h"

typedef struct {
    const uint8_t *p; /* next unread byte */
    size_t len;       /* bytes left */
} tern_reader;

static inline void tern_rd_init(tern_reader *r, const uint8_t *p, size_t len) {
    r->p = p;
    r->len = len;
}
static inline size_t tern_rd_left(const tern_reader *r) { return r->len; }

TERN_MUST_CHECK int tern_rd_u8(tern_reader *r, uint8_t *out);
TERN_MUST_CHECK int tern_rd_u16(tern_reader *r, uint16_t *out);
TERN_MUST_CHECK int tern_rd_u24(tern_reader *r, uint32_t *out);
TERN_MUST_CHECK int tern_rd_u32(tern_reader *r, uint32_t *out);
TERN_MUST_CHECK int tern_rd_u64(tern_reader *r, uint64_t *out);
/* Point *out at the next n bytes (no copy) and skip them. */
TERN_MUST_CHECK int tern_rd_bytes(tern_reader *r, size_t n, const uint8_t **out);
/* Copy the next n bytes to dst. */
TERN_MUST_CHECK int tern_rd_copy(tern_reader *r, void *dst, size_t n);
TERN_MUST_CHECK int tern_rd_skip(tern_reader *r, size_t n);
/* Split off the next n bytes as a sub-reader. */
TERN_MUST_CHECK int tern_rd_sub(tern_reader *r, size_t n, tern_reader *sub);
/* Read a 1-, 2- or 3-byte big-endian length, then that many bytes as a
 * sub-reader.  On failure neither r nor sub is changed. */
TERN_MUST_CHECK int tern_rd_vec8(tern_reader *r, tern_reader *sub);
TERN_MUST_CHECK int tern_rd_vec16(tern_reader *r, tern_reader *sub);
TERN_MUST_CHECK int tern_rd_vec24(tern_reader *r, tern_reader *sub);
/* 0 if r is fully consumed, else TERN_ERR_DECODE (trailing bytes). */
TERN_MUST_CHECK int tern_rd_end(const tern_reader *r);

/* ---- writer ---- */

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len; /* bytes written so far */
    int err;    /* first error, sticky; 0 while all is well */
} tern_writer;

/* A reserved length prefix, filled in by tern_wr_end(). */
typedef struct {
    size_t at;     /* offset of the prefix in buf */
    unsigned size; /* 1, 2 or 3 bytes */
} tern_wr_vec;

void tern_wr_init(tern_writer *w, uint8_t *buf, size_t cap);
TERN_MUST_CHECK int tern_wr_u8(tern_writer *w, uint8_t v);
TERN_MUST_CHECK int tern_wr_u16(tern_writer *w, uint16_t v);
TERN_MUST_CHECK int tern_wr_u24(tern_writer *w, uint32_t v);
TERN_MUST_CHECK int tern_wr_u32(tern_writer *w, uint32_t v);
TERN_MUST_CHECK int tern_wr_u64(tern_writer *w, uint64_t v);
TERN_MUST_CHECK int tern_wr_bytes(tern_writer *w, const void *p, size_t n);
/* Reserve n bytes and point *out at them, for the caller to fill. */
TERN_MUST_CHECK int tern_wr_reserve(tern_writer *w, size_t n, uint8_t **out);
/* Open a vector with a prefix_size-byte (1, 2 or 3) length prefix. */
TERN_MUST_CHECK int tern_wr_begin(tern_writer *w, tern_wr_vec *v, unsigned prefix_size);
/* Close it: write the length of everything since tern_wr_begin() into the
 * prefix.  Fails with TERN_ERR_INTERNAL if the body is too long for the
 * prefix (a bug on our side: we only write what we built). */
TERN_MUST_CHECK int tern_wr_end(tern_writer *w, const tern_wr_vec *v);
static inline size_t tern_wr_len(const tern_writer *w) { return w->len; }

#endif
