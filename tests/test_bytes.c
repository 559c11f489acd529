/*
 * Tests for the bounded reader and writer (lib/bytes.h): every getter at
 * every boundary (empty, exact, one short, one over), nested vectors with
 * wrong inner lengths, 2^24-1 lengths, and the writer's overflow and
 * length-prefix rules.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/bytes.h"

static const uint8_t seq[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

/* A getter on a buffer of exactly its size succeeds and empties the reader;
 * one byte short fails with DECODE and leaves the reader unchanged. */
static void test_uint_getters(void **state) {
    (void)state;
    tern_reader r;
    uint8_t v8;
    uint16_t v16;
    uint32_t v32;
    uint64_t v64;

    tern_rd_init(&r, seq, 1);
    assert_int_equal(tern_rd_u8(&r, &v8), 0);
    assert_int_equal(v8, 0x01);
    assert_int_equal(tern_rd_left(&r), 0);
    assert_int_equal(tern_rd_end(&r), 0);

    tern_rd_init(&r, seq, 2);
    assert_int_equal(tern_rd_u16(&r, &v16), 0);
    assert_int_equal(v16, 0x0102);
    tern_rd_init(&r, seq, 3);
    assert_int_equal(tern_rd_u24(&r, &v32), 0);
    assert_int_equal(v32, 0x010203);
    tern_rd_init(&r, seq, 4);
    assert_int_equal(tern_rd_u32(&r, &v32), 0);
    assert_int_equal(v32, 0x01020304);
    tern_rd_init(&r, seq, 8);
    assert_int_equal(tern_rd_u64(&r, &v64), 0);
    assert_true(v64 == 0x0102030405060708ull);

    /* Longer buffer: value taken from the front, the rest remains. */
    tern_rd_init(&r, seq, 9);
    assert_int_equal(tern_rd_u16(&r, &v16), 0);
    assert_int_equal(tern_rd_left(&r), 7);
    assert_int_equal(tern_rd_u8(&r, &v8), 0);
    assert_int_equal(v8, 0x03);
    assert_int_equal(tern_rd_end(&r), TERN_ERR_DECODE);
}

/* One short, for every width, including from an empty reader. */
static void test_uint_short(void **state) {
    (void)state;
    tern_reader r;
    uint8_t v8 = 0xaa;
    uint16_t v16 = 0xaaaa;
    uint32_t v32 = 0xaaaaaaaa;
    uint64_t v64 = 0xaaaaaaaaaaaaaaaaull;

    tern_rd_init(&r, seq, 0);
    assert_int_equal(tern_rd_u8(&r, &v8), TERN_ERR_DECODE);
    assert_int_equal(v8, 0xaa); /* output untouched on failure */
    assert_int_equal(tern_rd_u16(&r, &v16), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_u24(&r, &v32), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_u32(&r, &v32), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_u64(&r, &v64), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_end(&r), 0);

    tern_rd_init(&r, seq, 1);
    assert_int_equal(tern_rd_u16(&r, &v16), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 1);
    assert_int_equal(v16, 0xaaaa);
    tern_rd_init(&r, seq, 2);
    assert_int_equal(tern_rd_u24(&r, &v32), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 2);
    tern_rd_init(&r, seq, 3);
    assert_int_equal(tern_rd_u32(&r, &v32), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 3);
    assert_int_equal(v32, 0xaaaaaaaa);
    tern_rd_init(&r, seq, 7);
    assert_int_equal(tern_rd_u64(&r, &v64), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 7);
    assert_true(v64 == 0xaaaaaaaaaaaaaaaaull);
    /* A NULL pointer with zero length is a valid empty reader. */
    tern_rd_init(&r, NULL, 0);
    assert_int_equal(tern_rd_u8(&r, &v8), TERN_ERR_DECODE);
}

static void test_bytes_copy_skip(void **state) {
    (void)state;
    tern_reader r;
    const uint8_t *p = NULL;
    uint8_t out[9];

    tern_rd_init(&r, seq, 9);
    assert_int_equal(tern_rd_bytes(&r, 0, &p), 0); /* zero bytes: ok, no move */
    assert_int_equal(tern_rd_left(&r), 9);
    assert_int_equal(tern_rd_bytes(&r, 4, &p), 0);
    assert_ptr_equal(p, seq);
    assert_int_equal(tern_rd_bytes(&r, 6, &p), TERN_ERR_DECODE); /* one over */
    assert_int_equal(tern_rd_left(&r), 5);
    assert_int_equal(tern_rd_copy(&r, out, 5), 0); /* exact */
    assert_memory_equal(out, seq + 4, 5);
    assert_int_equal(tern_rd_copy(&r, out, 1), TERN_ERR_DECODE);

    tern_rd_init(&r, seq, 9);
    assert_int_equal(tern_rd_skip(&r, 10), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_skip(&r, 9), 0);
    assert_int_equal(tern_rd_skip(&r, 1), TERN_ERR_DECODE);
    /* Huge n never wraps the pointer arithmetic. */
    tern_rd_init(&r, seq, 9);
    assert_int_equal(tern_rd_skip(&r, SIZE_MAX), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_bytes(&r, SIZE_MAX - 3, &p), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 9);
}

static void test_vectors_exact(void **state) {
    (void)state;
    tern_reader r, sub;
    uint8_t v8;
    /* vec8 holding 2 bytes, vec16 holding 1, vec24 holding 0. */
    static const uint8_t buf[] = {0x02, 0xaa, 0xbb, 0x00, 0x01, 0xcc, 0x00, 0x00, 0x00};
    tern_rd_init(&r, buf, sizeof buf);
    assert_int_equal(tern_rd_vec8(&r, &sub), 0);
    assert_int_equal(tern_rd_left(&sub), 2);
    assert_int_equal(tern_rd_u8(&sub, &v8), 0);
    assert_int_equal(v8, 0xaa);
    assert_int_equal(tern_rd_end(&sub), TERN_ERR_DECODE); /* not consumed */
    assert_int_equal(tern_rd_u8(&sub, &v8), 0);
    assert_int_equal(tern_rd_end(&sub), 0);
    assert_int_equal(tern_rd_u8(&sub, &v8), TERN_ERR_DECODE); /* sub is bounded */
    assert_int_equal(tern_rd_vec16(&r, &sub), 0);
    assert_int_equal(tern_rd_left(&sub), 1);
    assert_int_equal(tern_rd_vec24(&r, &sub), 0);
    assert_int_equal(tern_rd_left(&sub), 0);
    assert_int_equal(tern_rd_end(&r), 0);
}

/* A length prefix that claims one byte more than there is: the reader and
 * the sub-reader are left untouched. */
static void test_vectors_over(void **state) {
    (void)state;
    tern_reader r, sub = {(const uint8_t *)"x", 1};
    static const uint8_t v8[] = {0x03, 1, 2};
    static const uint8_t v16[] = {0x00, 0x03, 1, 2};
    static const uint8_t v24[] = {0x00, 0x00, 0x03, 1, 2};
    tern_rd_init(&r, v8, sizeof v8);
    assert_int_equal(tern_rd_vec8(&r, &sub), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), sizeof v8);
    assert_int_equal(tern_rd_left(&sub), 1);
    tern_rd_init(&r, v16, sizeof v16);
    assert_int_equal(tern_rd_vec16(&r, &sub), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), sizeof v16);
    tern_rd_init(&r, v24, sizeof v24);
    assert_int_equal(tern_rd_vec24(&r, &sub), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), sizeof v24);
    /* Prefix itself truncated. */
    tern_rd_init(&r, v16, 1);
    assert_int_equal(tern_rd_vec16(&r, &sub), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 1);
    tern_rd_init(&r, v24, 2);
    assert_int_equal(tern_rd_vec24(&r, &sub), TERN_ERR_DECODE);
    tern_rd_init(&r, v8, 0);
    assert_int_equal(tern_rd_vec8(&r, &sub), TERN_ERR_DECODE);
    /* Maximum prefixes with no body. */
    static const uint8_t ff8[] = {0xff}, ff16[] = {0xff, 0xff}, ff24[] = {0xff, 0xff, 0xff};
    tern_rd_init(&r, ff8, 1);
    assert_int_equal(tern_rd_vec8(&r, &sub), TERN_ERR_DECODE);
    tern_rd_init(&r, ff16, 2);
    assert_int_equal(tern_rd_vec16(&r, &sub), TERN_ERR_DECODE);
    tern_rd_init(&r, ff24, 3);
    assert_int_equal(tern_rd_vec24(&r, &sub), TERN_ERR_DECODE);
}

/* Nested vectors where the inner length disagrees with the outer one. */
static void test_nested_wrong_inner(void **state) {
    (void)state;
    tern_reader r, outer, inner;
    uint8_t b;
    /* outer vec16 of 4 bytes containing inner vec8 claiming 4 (only 3 left). */
    static const uint8_t too_long[] = {0x00, 0x04, 0x04, 0xa, 0xb, 0xc};
    tern_rd_init(&r, too_long, sizeof too_long);
    assert_int_equal(tern_rd_vec16(&r, &outer), 0);
    assert_int_equal(tern_rd_vec8(&outer, &inner), TERN_ERR_DECODE);
    /* The inner vector may not reach past the outer one into the rest of
     * the buffer, even though the bytes exist there. */
    static const uint8_t spill[] = {0x00, 0x02, 0x03, 0xa, 0xb, 0xc};
    tern_rd_init(&r, spill, sizeof spill);
    assert_int_equal(tern_rd_vec16(&r, &outer), 0);
    assert_int_equal(tern_rd_vec8(&outer, &inner), TERN_ERR_DECODE);
    /* inner shorter than outer: the outer has trailing bytes. */
    static const uint8_t too_short[] = {0x00, 0x04, 0x01, 0xa, 0xb, 0xc};
    tern_rd_init(&r, too_short, sizeof too_short);
    assert_int_equal(tern_rd_vec16(&r, &outer), 0);
    assert_int_equal(tern_rd_vec8(&outer, &inner), 0);
    assert_int_equal(tern_rd_u8(&inner, &b), 0);
    assert_int_equal(tern_rd_end(&inner), 0);
    assert_int_equal(tern_rd_end(&outer), TERN_ERR_DECODE);
    /* Three levels deep, all exact. */
    static const uint8_t deep[] = {0x00, 0x00, 0x05, 0x00, 0x03, 0x02, 0x7, 0x8};
    tern_reader l1, l2, l3;
    tern_rd_init(&r, deep, sizeof deep);
    assert_int_equal(tern_rd_vec24(&r, &l1), 0);
    assert_int_equal(tern_rd_vec16(&l1, &l2), 0);
    assert_int_equal(tern_rd_vec8(&l2, &l3), 0);
    assert_int_equal(tern_rd_left(&l3), 2);
    assert_int_equal(tern_rd_skip(&l3, 2), 0);
    assert_int_equal(tern_rd_end(&l3), 0);
    assert_int_equal(tern_rd_end(&l2), 0);
    assert_int_equal(tern_rd_end(&l1), 0);
    assert_int_equal(tern_rd_end(&r), 0);
    /* Same, with the middle level one byte too long for its parent. */
    static const uint8_t deep_bad[] = {0x00, 0x00, 0x05, 0x00, 0x04, 0x02, 0x7, 0x8, 0x9};
    tern_rd_init(&r, deep_bad, sizeof deep_bad);
    assert_int_equal(tern_rd_vec24(&r, &l1), 0);
    assert_int_equal(tern_rd_vec16(&l1, &l2), TERN_ERR_DECODE);
}

/* 2^24-1 byte vectors: the largest a vec24 can describe. */
static void test_vec24_max(void **state) {
    (void)state;
    size_t n = 0xffffff;
    uint8_t *buf = calloc(1, n + 3);
    assert_non_null(buf);
    buf[0] = buf[1] = buf[2] = 0xff;
    tern_reader r, sub;
    tern_rd_init(&r, buf, n + 3);
    assert_int_equal(tern_rd_vec24(&r, &sub), 0);
    assert_int_equal(tern_rd_left(&sub), n);
    assert_int_equal(tern_rd_end(&r), 0);
    tern_rd_init(&r, buf, n + 2); /* one short */
    assert_int_equal(tern_rd_vec24(&r, &sub), TERN_ERR_DECODE);

    /* The writer fills in 0xffffff and refuses one more. */
    tern_writer w;
    tern_wr_vec v;
    uint8_t *body;
    tern_wr_init(&w, buf, n + 3);
    assert_int_equal(tern_wr_begin(&w, &v, 3), 0);
    assert_int_equal(tern_wr_reserve(&w, n, &body), 0);
    assert_int_equal(tern_wr_end(&w, &v), 0);
    assert_int_equal(buf[0] & buf[1] & buf[2], 0xff);
    free(buf);

    size_t big = 0x1000000;
    uint8_t *b2 = malloc(big + 3);
    assert_non_null(b2);
    tern_wr_init(&w, b2, big + 3);
    assert_int_equal(tern_wr_begin(&w, &v, 3), 0);
    assert_int_equal(tern_wr_reserve(&w, big, &body), 0);
    assert_int_equal(tern_wr_end(&w, &v), TERN_ERR_INTERNAL);
    free(b2);
}

static void test_writer_basic(void **state) {
    (void)state;
    uint8_t buf[32];
    tern_writer w;
    tern_wr_init(&w, buf, sizeof buf);
    assert_int_equal(tern_wr_u8(&w, 0x01), 0);
    assert_int_equal(tern_wr_u16(&w, 0x0203), 0);
    assert_int_equal(tern_wr_u24(&w, 0x040506), 0);
    assert_int_equal(tern_wr_u32(&w, 0x0708090a), 0);
    assert_int_equal(tern_wr_u64(&w, 0x0b0c0d0e0f101112ull), 0);
    assert_int_equal(tern_wr_bytes(&w, "\x13\x14", 2), 0);
    assert_int_equal(tern_wr_bytes(&w, NULL, 0), 0);
    assert_int_equal(tern_wr_len(&w), 20);
    for (int i = 0; i < 20; i++)
        assert_int_equal(buf[i], i + 1);

    /* Round trip through the reader. */
    tern_reader r;
    uint8_t a;
    uint16_t b;
    uint32_t c, d;
    uint64_t e;
    tern_rd_init(&r, buf, 20);
    assert_int_equal(tern_rd_u8(&r, &a), 0);
    assert_int_equal(tern_rd_u16(&r, &b), 0);
    assert_int_equal(tern_rd_u24(&r, &c), 0);
    assert_int_equal(tern_rd_u32(&r, &d), 0);
    assert_int_equal(tern_rd_u64(&r, &e), 0);
    assert_int_equal(a, 1);
    assert_int_equal(b, 0x0203);
    assert_int_equal(c, 0x040506);
    assert_int_equal(d, 0x0708090a);
    assert_true(e == 0x0b0c0d0e0f101112ull);
}

/* Writing past the end fails, sticks, and writes nothing more. */
static void test_writer_overflow(void **state) {
    (void)state;
    uint8_t buf[8];
    memset(buf, 0xee, sizeof buf);
    tern_writer w;
    tern_wr_init(&w, buf, 3);
    assert_int_equal(tern_wr_u16(&w, 0x0102), 0);
    assert_int_equal(tern_wr_u16(&w, 0x0304), TERN_ERR_BUFFER_TOO_SMALL); /* one over */
    assert_int_equal(buf[2], 0xee);
    assert_int_equal(tern_wr_len(&w), 2);
    assert_int_equal(tern_wr_u8(&w, 0x05), TERN_ERR_BUFFER_TOO_SMALL); /* sticky, though it would fit */
    assert_int_equal(buf[2], 0xee);

    tern_wr_init(&w, buf, 4);
    assert_int_equal(tern_wr_u32(&w, 1), 0); /* exact */
    assert_int_equal(tern_wr_u8(&w, 1), TERN_ERR_BUFFER_TOO_SMALL);

    tern_wr_init(&w, buf, 0);
    assert_int_equal(tern_wr_u8(&w, 1), TERN_ERR_BUFFER_TOO_SMALL);
    tern_wr_init(&w, NULL, 100); /* no buffer means no capacity */
    assert_int_equal(tern_wr_u8(&w, 1), TERN_ERR_BUFFER_TOO_SMALL);
    tern_wr_init(&w, buf, 7);
    assert_int_equal(tern_wr_u64(&w, 1), TERN_ERR_BUFFER_TOO_SMALL);
    tern_wr_init(&w, buf, 2);
    assert_int_equal(tern_wr_u24(&w, 1), TERN_ERR_BUFFER_TOO_SMALL);
    tern_wr_init(&w, buf, 8);
    uint8_t *p;
    assert_int_equal(tern_wr_reserve(&w, SIZE_MAX, &p), TERN_ERR_BUFFER_TOO_SMALL);
    tern_wr_init(&w, buf, 8);
    assert_int_equal(tern_wr_bytes(&w, "123456789", 9), TERN_ERR_BUFFER_TOO_SMALL);
    /* A u24 value that does not fit 24 bits is our bug, not the peer's. */
    tern_wr_init(&w, buf, 8);
    assert_int_equal(tern_wr_u24(&w, 0x1000000), TERN_ERR_INTERNAL);
}

static void test_writer_vectors(void **state) {
    (void)state;
    uint8_t buf[16];
    tern_writer w;
    tern_wr_vec outer, inner;
    tern_wr_init(&w, buf, sizeof buf);
    assert_int_equal(tern_wr_begin(&w, &outer, 2), 0);
    assert_int_equal(tern_wr_begin(&w, &inner, 1), 0);
    assert_int_equal(tern_wr_bytes(&w, "abc", 3), 0);
    assert_int_equal(tern_wr_end(&w, &inner), 0);
    assert_int_equal(tern_wr_u8(&w, 'z'), 0);
    assert_int_equal(tern_wr_end(&w, &outer), 0);
    static const uint8_t want[] = {0x00, 0x05, 0x03, 'a', 'b', 'c', 'z'};
    assert_int_equal(tern_wr_len(&w), sizeof want);
    assert_memory_equal(buf, want, sizeof want);

    /* Empty vector of each size. */
    tern_wr_init(&w, buf, sizeof buf);
    for (unsigned s = 1; s <= 3; s++) {
        assert_int_equal(tern_wr_begin(&w, &outer, s), 0);
        assert_int_equal(tern_wr_end(&w, &outer), 0);
    }
    assert_int_equal(tern_wr_len(&w), 6);
    for (int i = 0; i < 6; i++)
        assert_int_equal(buf[i], 0);
}

/* Vector writer failures: a body too long for its prefix, a bad prefix
 * size, a prefix that does not fit, and ending a vector after an error. */
static void test_writer_vector_errors(void **state) {
    (void)state;
    uint8_t buf[400];
    tern_writer w;
    tern_wr_vec v;
    uint8_t *p;

    tern_wr_init(&w, buf, sizeof buf);
    assert_int_equal(tern_wr_begin(&w, &v, 1), 0);
    assert_int_equal(tern_wr_reserve(&w, 255, &p), 0);
    assert_int_equal(tern_wr_end(&w, &v), 0); /* 255 fits a vec8 */
    assert_int_equal(buf[0], 255);

    tern_wr_init(&w, buf, sizeof buf);
    assert_int_equal(tern_wr_begin(&w, &v, 1), 0);
    assert_int_equal(tern_wr_reserve(&w, 256, &p), 0);
    assert_int_equal(tern_wr_end(&w, &v), TERN_ERR_INTERNAL); /* 256 does not */
    assert_int_equal(tern_wr_u8(&w, 0), TERN_ERR_INTERNAL);  /* and it sticks */

    tern_wr_init(&w, buf, sizeof buf);
    assert_int_equal(tern_wr_begin(&w, &v, 0), TERN_ERR_INTERNAL);
    tern_wr_init(&w, buf, sizeof buf);
    assert_int_equal(tern_wr_begin(&w, &v, 4), TERN_ERR_INTERNAL);

    tern_wr_init(&w, buf, 1);
    assert_int_equal(tern_wr_begin(&w, &v, 2), TERN_ERR_BUFFER_TOO_SMALL);

    tern_wr_init(&w, buf, 3);
    assert_int_equal(tern_wr_begin(&w, &v, 2), 0);
    assert_int_equal(tern_wr_u16(&w, 7), TERN_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(tern_wr_end(&w, &v), TERN_ERR_BUFFER_TOO_SMALL);

    /* A forged vector handle pointing past what was written. */
    tern_wr_init(&w, buf, sizeof buf);
    tern_wr_vec bogus = {10, 2};
    assert_int_equal(tern_wr_end(&w, &bogus), TERN_ERR_INTERNAL);
}

/* Every truncation of a well-formed nested structure fails cleanly. */
static int parse_sample(const uint8_t *buf, size_t len) {
    tern_reader r, a, b;
    uint16_t x;
    uint8_t y;
    tern_rd_init(&r, buf, len);
    TERN_TRY(tern_rd_u16(&r, &x));
    TERN_TRY(tern_rd_vec16(&r, &a));
    TERN_TRY(tern_rd_vec8(&a, &b));
    TERN_TRY(tern_rd_skip(&b, tern_rd_left(&b)));
    TERN_TRY(tern_rd_end(&b));
    TERN_TRY(tern_rd_u8(&a, &y));
    TERN_TRY(tern_rd_end(&a));
    TERN_TRY(tern_rd_vec24(&r, &a));
    TERN_TRY(tern_rd_skip(&a, tern_rd_left(&a)));
    return tern_rd_end(&r);
}

static void test_every_truncation(void **state) {
    (void)state;
    static const uint8_t good[] = {0x03, 0x03, 0x00, 0x04, 0x02, 0xaa, 0xbb, 0xcc, 0x00, 0x00, 0x01, 0xdd};
    assert_int_equal(parse_sample(good, sizeof good), 0);
    for (size_t n = 0; n < sizeof good; n++)
        assert_int_equal(parse_sample(good, n), TERN_ERR_DECODE);
    uint8_t longer[sizeof good + 1];
    memcpy(longer, good, sizeof good);
    longer[sizeof good] = 0;
    assert_int_equal(parse_sample(longer, sizeof longer), TERN_ERR_DECODE);
    /* Flip every bit of every length byte: each either still parses
     * exactly (impossible here: lengths are tight) or fails with DECODE. */
    static const size_t len_at[] = {2, 3, 4, 8, 9, 10};
    for (size_t i = 0; i < sizeof len_at / sizeof len_at[0]; i++) {
        for (int bit = 0; bit < 8; bit++) {
            uint8_t m[sizeof good];
            memcpy(m, good, sizeof good);
            m[len_at[i]] ^= (uint8_t)(1 << bit);
            assert_int_equal(parse_sample(m, sizeof m), TERN_ERR_DECODE);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_uint_getters),       cmocka_unit_test(test_uint_short),
        cmocka_unit_test(test_bytes_copy_skip),    cmocka_unit_test(test_vectors_exact),
        cmocka_unit_test(test_vectors_over),       cmocka_unit_test(test_nested_wrong_inner),
        cmocka_unit_test(test_vec24_max),          cmocka_unit_test(test_writer_basic),
        cmocka_unit_test(test_writer_overflow),    cmocka_unit_test(test_writer_vectors),
        cmocka_unit_test(test_writer_vector_errors), cmocka_unit_test(test_every_truncation),
    };
    return cmocka_run_group_tests_name("bytes", tests, NULL, NULL);
}
