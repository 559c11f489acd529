/*
 * Tests for lib/x509/der.c: the strict DER reader (X.690) and RFC 5280
 * times.  Each rule DER adds over BER gets a negative case: indefinite
 * length, non-minimal length, long form with a leading zero, high tag
 * number, constructed strings, non-minimal INTEGER/OID, BOOLEAN other than
 * 00/ff, non-zero unused bits, trailing data, nesting too deep.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "lib/x509/der.h"
#include "tests/util/testutil.h"

static tern_reader rd(const uint8_t *p, size_t n) {
    tern_reader r;
    tern_rd_init(&r, p, n);
    return r;
}
#define RD(...) rd((const uint8_t[]){__VA_ARGS__}, sizeof((const uint8_t[]){__VA_ARGS__}))

static void test_lengths(void **state) {
    (void)state;
    tern_der_elem e;
    tern_reader r = RD(0x04, 0x02, 0xaa, 0xbb);
    assert_int_equal(tern_der_next(&r, &e), 0);
    assert_int_equal(e.tag, 0x04);
    assert_int_equal(e.content.len, 2);
    assert_int_equal(e.tlv.len, 4);
    assert_int_equal(tern_rd_end(&r), 0);

    /* Long form, 0x80 .. 0xff bytes. */
    uint8_t buf[300];
    memset(buf, 0x11, sizeof buf);
    buf[0] = 0x04;
    buf[1] = 0x81;
    buf[2] = 0x80;
    r = rd(buf, 3 + 0x80);
    assert_int_equal(tern_der_next(&r, &e), 0);
    assert_int_equal(e.content.len, 0x80);
    buf[1] = 0x82;
    buf[2] = 0x01;
    buf[3] = 0x00;
    r = rd(buf, 4 + 0x100);
    assert_int_equal(tern_der_next(&r, &e), 0);
    assert_int_equal(e.content.len, 0x100);

    /* Indefinite length. */
    r = RD(0x30, 0x80, 0x04, 0x00, 0x00, 0x00);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
    /* Long form where short would do. */
    r = RD(0x04, 0x81, 0x05, 1, 2, 3, 4, 5);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
    /* Long form with a leading zero octet. */
    buf[1] = 0x82;
    buf[2] = 0x00;
    buf[3] = 0x85;
    r = rd(buf, 4 + 0x85);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
    /* Length beyond the data; the reader must be left unchanged. */
    r = RD(0x04, 0x05, 1, 2, 3);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 5);
    /* Five length octets. */
    r = RD(0x04, 0x85, 0, 0, 0, 0, 1, 0);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
    /* High tag number form. */
    r = RD(0x1f, 0x81, 0x01, 0x00);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
    /* Header cut short. */
    r = RD(0x04);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
    r = RD(0x04, 0x82, 0x01);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
    r = rd(buf, 0);
    assert_int_equal(tern_der_next(&r, &e), TERN_ERR_DECODE);
}

static void test_expect_optional(void **state) {
    (void)state;
    tern_reader r = RD(0x30, 0x03, 0x02, 0x01, 0x05, 0xa0, 0x00), c;
    int present = -1;
    assert_int_equal(tern_der_expect(&r, TERN_DER_SET, &c), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 7);
    assert_int_equal(tern_der_optional(&r, TERN_DER_CTX_CONS(0), &c, &present), 0);
    assert_int_equal(present, 0);
    assert_int_equal(tern_der_expect(&r, TERN_DER_SEQUENCE, &c), 0);
    uint64_t v;
    assert_int_equal(tern_der_small_uint(&c, &v), 0);
    assert_int_equal(v, 5);
    assert_int_equal(tern_rd_end(&c), 0);
    assert_int_equal(tern_der_optional(&r, TERN_DER_CTX_CONS(0), &c, &present), 0);
    assert_int_equal(present, 1);
    assert_int_equal(tern_rd_left(&c), 0);
    assert_int_equal(tern_der_optional(&r, TERN_DER_CTX_CONS(0), &c, &present), 0);
    assert_int_equal(present, 0);
    /* Trailing data after a value is the caller's tern_rd_end check. */
    r = RD(0x05, 0x00, 0x00);
    assert_int_equal(tern_der_null(&r), 0);
    assert_int_equal(tern_rd_end(&r), TERN_ERR_DECODE);
}

static void test_integers(void **state) {
    (void)state;
    tern_span m;
    uint64_t v;
    tern_reader r = RD(0x02, 0x01, 0x00);
    assert_int_equal(tern_der_uint(&r, &m), 0);
    assert_int_equal(m.len, 1);
    assert_int_equal(m.p[0], 0);
    r = RD(0x02, 0x02, 0x00, 0x80);
    assert_int_equal(tern_der_uint(&r, &m), 0);
    assert_int_equal(m.len, 1);
    assert_int_equal(m.p[0], 0x80);
    r = RD(0x02, 0x02, 0x00, 0x7f); /* non-minimal */
    assert_int_equal(tern_der_uint(&r, &m), TERN_ERR_DECODE);
    r = RD(0x02, 0x01, 0x80); /* negative */
    assert_int_equal(tern_der_uint(&r, &m), TERN_ERR_DECODE);
    r = RD(0x02, 0x00); /* empty */
    assert_int_equal(tern_der_uint(&r, &m), TERN_ERR_DECODE);
    r = RD(0x02, 0x02, 0xff, 0x80); /* non-minimal negative */
    assert_int_equal(tern_der_uint(&r, &m), TERN_ERR_DECODE);
    r = RD(0x02, 0x08, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff);
    assert_int_equal(tern_der_small_uint(&r, &v), 0);
    assert_true(v == 0x7fffffffffffffffull);
    r = RD(0x02, 0x09, 0x00, 0x80, 0, 0, 0, 0, 0, 0, 0);
    assert_int_equal(tern_der_small_uint(&r, &v), TERN_ERR_DECODE);
    assert_int_equal(tern_rd_left(&r), 11);
    /* Wrong tag. */
    r = RD(0x04, 0x01, 0x01);
    assert_int_equal(tern_der_uint(&r, &m), TERN_ERR_DECODE);
}

static void test_bool_null(void **state) {
    (void)state;
    int b;
    tern_reader r = RD(0x01, 0x01, 0xff);
    assert_int_equal(tern_der_bool(&r, &b), 0);
    assert_int_equal(b, 1);
    r = RD(0x01, 0x01, 0x00);
    assert_int_equal(tern_der_bool(&r, &b), 0);
    assert_int_equal(b, 0);
    r = RD(0x01, 0x01, 0x01); /* BER true, not DER */
    assert_int_equal(tern_der_bool(&r, &b), TERN_ERR_DECODE);
    r = RD(0x01, 0x02, 0x00, 0x00);
    assert_int_equal(tern_der_bool(&r, &b), TERN_ERR_DECODE);
    r = RD(0x05, 0x01, 0x00);
    assert_int_equal(tern_der_null(&r), TERN_ERR_DECODE);
}

static void test_oids(void **state) {
    (void)state;
    static const uint8_t sha256_rsa[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b};
    tern_span o;
    tern_reader r = RD(0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b);
    assert_int_equal(tern_der_oid(&r, &o), 0);
    assert_true(TERN_DER_OID_EQ(o, sha256_rsa));
    assert_false(tern_der_oid_eq(o, sha256_rsa, 8));
    r = RD(0x06, 0x02, 0x80, 0x01); /* non-minimal arc */
    assert_int_equal(tern_der_oid(&r, &o), TERN_ERR_DECODE);
    r = RD(0x06, 0x03, 0x2a, 0x86, 0x80); /* last arc unterminated */
    assert_int_equal(tern_der_oid(&r, &o), TERN_ERR_DECODE);
    r = RD(0x06, 0x00);
    assert_int_equal(tern_der_oid(&r, &o), TERN_ERR_DECODE);
    r = RD(0x06, 0x03, 0x2a, 0x81, 0x00); /* 0x81 0x00 = 128: fine */
    assert_int_equal(tern_der_oid(&r, &o), 0);
}

static void test_bit_strings(void **state) {
    (void)state;
    tern_span s;
    unsigned u;
    tern_reader r = RD(0x03, 0x02, 0x05, 0xa0);
    assert_int_equal(tern_der_bit_string(&r, &s, &u), 0);
    assert_int_equal(u, 5);
    assert_int_equal(s.len, 1);
    r = RD(0x03, 0x02, 0x05, 0xa1); /* unused bits not zero */
    assert_int_equal(tern_der_bit_string(&r, &s, &u), TERN_ERR_DECODE);
    r = RD(0x03, 0x02, 0x08, 0x00);
    assert_int_equal(tern_der_bit_string(&r, &s, &u), TERN_ERR_DECODE);
    r = RD(0x03, 0x01, 0x01); /* empty with unused bits */
    assert_int_equal(tern_der_bit_string(&r, &s, &u), TERN_ERR_DECODE);
    r = RD(0x03, 0x01, 0x00);
    assert_int_equal(tern_der_bit_string(&r, &s, &u), 0);
    assert_int_equal(s.len, 0);
    r = RD(0x03, 0x00);
    assert_int_equal(tern_der_bit_string(&r, &s, &u), TERN_ERR_DECODE);
    r = RD(0x03, 0x02, 0x01, 0x02);
    assert_int_equal(tern_der_bit_string_bytes(&r, &s), TERN_ERR_DECODE);
    r = RD(0x03, 0x03, 0x00, 0x12, 0x34);
    assert_int_equal(tern_der_bit_string_bytes(&r, &s), 0);
    assert_int_equal(s.len, 2);
}

static int64_t tm_of(const char *txt, uint8_t tag, int *rc) {
    tern_span c = {(const uint8_t *)txt, strlen(txt)};
    int64_t t = 0;
    *rc = tern_der_time_parse(tag, c, &t);
    return t;
}

static void test_times(void **state) {
    (void)state;
    int rc;
    assert_true(tm_of("700101000000Z", TERN_DER_UTC_TIME, &rc) == 0 && rc == 0);
    assert_true(tm_of("491231235959Z", TERN_DER_UTC_TIME, &rc) == 2524607999LL && rc == 0);
    assert_true(tm_of("500101000000Z", TERN_DER_UTC_TIME, &rc) == -631152000LL && rc == 0);
    assert_true(tm_of("20500101000000Z", TERN_DER_GENERALIZED_TIME, &rc) == 2524608000LL && rc == 0);
    assert_true(tm_of("20240229120000Z", TERN_DER_GENERALIZED_TIME, &rc) == 1709208000LL && rc == 0);
    assert_true(tm_of("99991231235959Z", TERN_DER_GENERALIZED_TIME, &rc) == 253402300799LL && rc == 0);
    static const char *bad_utc[] = {
        "7001010000Z",    /* no seconds */
        "700101000000",   /* no Z */
        "700101000000+0100", "700101000000.5Z", "701301000000Z", "700001000000Z", "700100000000Z",
        "700431000000Z",  /* April 31 */
        "230229000000Z",  /* 2023 not leap */
        "700101240000Z", "700101006000Z", "700101000060Z", "7a0101000000Z", " 70101000000Z",
        "-70101000000Z",
    };
    for (size_t i = 0; i < sizeof bad_utc / sizeof *bad_utc; i++) {
        tm_of(bad_utc[i], TERN_DER_UTC_TIME, &rc);
        assert_int_equal(rc, TERN_ERR_DECODE);
    }
    static const char *bad_gen[] = {"20500101000000", "20500101000000.1Z", "205001010000Z", "19000229000000Z",
                                    "500101000000Z", "20500101000000z"};
    for (size_t i = 0; i < sizeof bad_gen / sizeof *bad_gen; i++) {
        tm_of(bad_gen[i], TERN_DER_GENERALIZED_TIME, &rc);
        assert_int_equal(rc, TERN_ERR_DECODE);
    }
    tm_of("20000229000000Z", TERN_DER_GENERALIZED_TIME, &rc); /* 2000 is leap */
    assert_int_equal(rc, 0);
    tm_of("700101000000Z", TERN_DER_OCTET_STRING, &rc);
    assert_int_equal(rc, TERN_ERR_DECODE);

    /* Through the reader. */
    tern_reader r = RD(0x17, 0x0d, '2', '6', '1', '1', '2', '7', '0', '0', '0', '0', '0', '0', 'Z');
    int64_t t;
    assert_int_equal(tern_der_time(&r, &t), 0);
    char s[32];
    tern_der_format_time(t, s);
    assert_string_equal(s, "2026-11-27 00:00:00 UTC");
}

/* days_from_civil and format_time against the C library's gmtime for
 * dates spread over 1601 .. 9999. */
static void test_calendar(void **state) {
    (void)state;
    uint64_t seed = 7;
    for (int i = 0; i < 20000; i++) {
        uint64_t x;
        tv_rng(&seed, (uint8_t *)&x, sizeof x);
        int64_t t = (int64_t)(x % (253402300800ULL + 11644473600ULL)) - 11644473600LL;
        time_t tt = (time_t)t;
        struct tm g;
        assert_non_null(gmtime_r(&tt, &g));
        int64_t d = tern_der_days_from_civil(g.tm_year + 1900, (unsigned)g.tm_mon + 1, (unsigned)g.tm_mday);
        assert_true(d * 86400 + g.tm_hour * 3600 + g.tm_min * 60 + g.tm_sec == t);
        char want[64], got[32];
        snprintf(want, sizeof want, "%04d-%02d-%02d %02d:%02d:%02d UTC", g.tm_year + 1900, g.tm_mon + 1,
                 g.tm_mday, g.tm_hour, g.tm_min, g.tm_sec);
        tern_der_format_time(t, got);
        assert_string_equal(got, want);
    }
}

static void test_check(void **state) {
    (void)state;
    static const uint8_t good[] = {0x30, 0x08, 0x31, 0x03, 0x02, 0x01, 0x01, 0x04, 0x01, 0x30};
    assert_int_equal(tern_der_check(good, sizeof good), 0);
    static const uint8_t cons_octets[] = {0x30, 0x04, 0x24, 0x02, 0x04, 0x00};
    assert_int_equal(tern_der_check(cons_octets, sizeof cons_octets), TERN_ERR_DECODE);
    static const uint8_t prim_seq[] = {0x10, 0x00};
    assert_int_equal(tern_der_check(prim_seq, sizeof prim_seq), TERN_ERR_DECODE);
    static const uint8_t inner_bad[] = {0x30, 0x04, 0x04, 0x81, 0x01, 0x00};
    assert_int_equal(tern_der_check(inner_bad, sizeof inner_bad), TERN_ERR_DECODE);
    static const uint8_t inner_short[] = {0x30, 0x03, 0x04, 0x02, 0x00};
    assert_int_equal(tern_der_check(inner_short, sizeof inner_short), TERN_ERR_DECODE);
    /* Nesting: TERN_DER_MAX_DEPTH levels pass, one more fails. */
    uint8_t deep[2 * (TERN_DER_MAX_DEPTH + 2)];
    for (size_t levels = TERN_DER_MAX_DEPTH; levels <= TERN_DER_MAX_DEPTH + 1; levels++) {
        for (size_t i = 0; i < levels; i++) {
            deep[2 * i] = 0x30;
            deep[2 * i + 1] = (uint8_t)(2 * (levels - 1 - i));
        }
        int rc = tern_der_check(deep, 2 * levels);
        assert_int_equal(rc, levels <= TERN_DER_MAX_DEPTH ? 0 : TERN_ERR_DECODE);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lengths),  cmocka_unit_test(test_expect_optional), cmocka_unit_test(test_integers),
        cmocka_unit_test(test_bool_null), cmocka_unit_test(test_oids),          cmocka_unit_test(test_bit_strings),
        cmocka_unit_test(test_times),    cmocka_unit_test(test_calendar),        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
