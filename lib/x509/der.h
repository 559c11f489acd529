/*
 * A strict DER reader (ITU-T X.690 §8 and §10) over the bounded byte reader
 * of lib/bytes.h.  Strict means: definite lengths only, the shortest length
 * encoding, low-number tags only (every tag X.509 uses is < 31), primitive
 * encodings where DER requires them, no trailing bytes after a value, and a
 * bounded nesting depth when a whole structure is walked.  Anything else is
 * TERN_ERR_DECODE.  Values are views into the input (no copies, no heap).
 *
 * OIDs are compared as their encoded bytes (the content of the OBJECT
 * IDENTIFIER), never decoded to arcs.
 */
#ifndef TERN_X509_DER_H
#define TERN_X509_DER_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_ENCODING
#error "lib/x509/der.h is in the encoding layer (1): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include <string.h>

#include "lib/bytes.h"

/* Universal tags, and the context-specific ones X.509 uses. */
#define TERN_DER_BOOLEAN 0x01
#define TERN_DER_INTEGER 0x02
#define TERN_DER_BIT_STRING 0x03
#define TERN_DER_OCTET_STRING 0x04
#define TERN_DER_NULL 0x05
#define TERN_DER_OID 0x06
#define TERN_DER_UTF8_STRING 0x0c
#define TERN_DER_PRINTABLE_STRING 0x13
#define TERN_DER_T61_STRING 0x14
#define TERN_DER_IA5_STRING 0x16
#define TERN_DER_UTC_TIME 0x17
#define TERN_DER_GENERALIZED_TIME 0x18
#define TERN_DER_UNIVERSAL_STRING 0x1c
#define TERN_DER_BMP_STRING 0x1e
#define TERN_DER_SEQUENCE 0x30
#define TERN_DER_SET 0x31
#define TERN_DER_CONSTRUCTED 0x20
#define TERN_DER_CONTEXT 0x80
/* [n] EXPLICIT (constructed) and [n] IMPLICIT primitive context tags. */
#define TERN_DER_CTX_CONS(n) (0xa0 | (n))
#define TERN_DER_CTX_PRIM(n) (0x80 | (n))

/* How deep tern_der_check() descends into constructed values. */
#define TERN_DER_MAX_DEPTH 16

/* A byte span (a view into someone else's buffer). */
typedef struct {
    const uint8_t *p;
    size_t len;
} tern_span;

/* Two spans hold the same bytes (public data only: not constant-time). */
static inline int tern_span_eq(tern_span a, tern_span b) { return a.len == b.len && memcmp(a.p, b.p, a.len) == 0; }

/* One element: tag, its content, and the whole TLV (for hashing/comparing). */
typedef struct {
    uint8_t tag;
    tern_span content;
    tern_span tlv;
} tern_der_elem;

/* Read the next element (any tag).  On failure r is unchanged. */
TERN_MUST_CHECK int tern_der_next(tern_reader *r, tern_der_elem *e);
/* The next element's tag without consuming it; TERN_ERR_DECODE if r is empty. */
TERN_MUST_CHECK int tern_der_peek(const tern_reader *r, uint8_t *tag);
/* Read an element that must have this tag; *content reads its content. */
TERN_MUST_CHECK int tern_der_expect(tern_reader *r, uint8_t tag, tern_reader *content);
/* Same, also giving the whole TLV. */
TERN_MUST_CHECK int tern_der_expect_elem(tern_reader *r, uint8_t tag, tern_der_elem *e);
/* If the next element has this tag, read it (*present = 1); otherwise leave
 * r alone and set *present = 0.  An empty reader is "absent". */
TERN_MUST_CHECK int tern_der_optional(tern_reader *r, uint8_t tag, tern_reader *content, int *present);

/* INTEGER that must be >= 0 (X.690 §8.3: minimal two's complement).  *mag
 * gets the magnitude without the sign byte (at least one byte; "0" is {0}). */
TERN_MUST_CHECK int tern_der_uint(tern_reader *r, tern_span *mag);
/* A non-negative INTEGER that fits in 63 bits. */
TERN_MUST_CHECK int tern_der_small_uint(tern_reader *r, uint64_t *v);
/* BOOLEAN: DER allows only 0x00 and 0xff. */
TERN_MUST_CHECK int tern_der_bool(tern_reader *r, int *v);
/* NULL with empty content. */
TERN_MUST_CHECK int tern_der_null(tern_reader *r);
/* OBJECT IDENTIFIER: *oid gets the content bytes (checked: non-empty, each
 * arc minimally encoded, last byte ends an arc). */
TERN_MUST_CHECK int tern_der_oid(tern_reader *r, tern_span *oid);
/* Check the content of an OID for well-formedness (as tern_der_oid). */
TERN_MUST_CHECK int tern_der_oid_check(tern_span oid);
/* 1 if the OID content equals the given bytes. */
int tern_der_oid_eq(tern_span oid, const uint8_t *bytes, size_t len);
#define TERN_DER_OID_EQ(span, arr) tern_der_oid_eq((span), (arr), sizeof(arr))
/* BIT STRING: *bits gets the bytes after the unused-bits count; DER: the
 * count is 0..7, 0 for an empty string, and the unused bits are zero. */
TERN_MUST_CHECK int tern_der_bit_string(tern_reader *r, tern_span *bits, unsigned *unused);
/* A BIT STRING used as a byte string (unused bits must be 0). */
TERN_MUST_CHECK int tern_der_bit_string_bytes(tern_reader *r, tern_span *bytes);
/* OCTET STRING. */
TERN_MUST_CHECK int tern_der_octet_string(tern_reader *r, tern_span *bytes);

/* Time (RFC 5280 §4.1.2.5): UTCTime YYMMDDHHMMSSZ (YY >= 50 -> 19YY, else
 * 20YY) or GeneralizedTime YYYYMMDDHHMMSSZ, seconds present, "Z", no
 * fractions; the calendar fields are range-checked.  *t gets Unix seconds. */
TERN_MUST_CHECK int tern_der_time(tern_reader *r, int64_t *t);
/* The same on a content span with the tag given. */
TERN_MUST_CHECK int tern_der_time_parse(uint8_t tag, tern_span content, int64_t *t);
/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t tern_der_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Format Unix seconds as "YYYY-MM-DD HH:MM:SS UTC" into out (>= 24 bytes). */
void tern_der_format_time(int64_t t, char out[32]);

/* Walk a whole buffer of DER elements (e.g. one certificate) and check
 * every level is strict DER, descending into constructed values (and not
 * into OCTET/BIT STRING contents) up to TERN_DER_MAX_DEPTH levels.  Deeper
 * nesting is TERN_ERR_DECODE. */
TERN_MUST_CHECK int tern_der_check(const uint8_t *p, size_t len);

#endif
