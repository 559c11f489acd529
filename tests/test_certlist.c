/*
 * The certificate_list shared by both Certificate messages (lib/certlist.c,
 * RFC 5246 §7.4.2 / §7.4.6), alone, on bodies built by hand:
 *   - the empty list parses (n = 0: the callers judge it);
 *   - certificates come out in order, pointing into the body;
 *   - decode_error for an empty ASN.1Cert, an entry or a list running past
 *     its container, bytes after the list, a body shorter than the list's
 *     length field;
 *   - TERN_X509_MAX_PEER_CERTS certificates parse, one more is
 *     CERT_CHAIN_TOO_LONG (found before anything malformed after it);
 *   - the writer: a key store's chain, and the empty list for NULL.
 * The messages that use it are tested with real chains in test_verify
 * (17 certificates), test_mtls (an empty client Certificate) and the
 * handshake tests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/certlist.h"

/* A body: the 3-byte list length, then n entries of lens[i] bytes of
 * value (i + 1). */
static size_t build(uint8_t *out, size_t cap, const size_t *lens, size_t n) {
    size_t at = 3;
    for (size_t i = 0; i < n; i++) {
        assert_true(at + 3 + lens[i] <= cap);
        out[at] = (uint8_t)(lens[i] >> 16);
        out[at + 1] = (uint8_t)(lens[i] >> 8);
        out[at + 2] = (uint8_t)lens[i];
        memset(out + at + 3, (int)(i + 1), lens[i]);
        at += 3 + lens[i];
    }
    out[0] = (uint8_t)((at - 3) >> 16);
    out[1] = (uint8_t)((at - 3) >> 8);
    out[2] = (uint8_t)(at - 3);
    return at;
}

static int parse(const uint8_t *p, size_t n, tern_certlist *l) {
    tern_reader r;
    tern_rd_init(&r, p, n);
    return tern_certlist_parse(&r, l);
}

static void test_parse_good(void **state) {
    (void)state;
    uint8_t b[4096];
    tern_certlist l;
    static const uint8_t empty[3] = {0, 0, 0};
    assert_int_equal(parse(empty, 3, &l), 0);
    assert_int_equal(l.n, 0);

    static const size_t lens[] = {300, 1, 1000};
    size_t n = build(b, sizeof b, lens, 3);
    assert_int_equal(parse(b, n, &l), 0);
    assert_int_equal(l.n, 3);
    size_t at = 3;
    for (size_t i = 0; i < 3; i++) {
        assert_ptr_equal(l.cert[i], b + at + 3);
        assert_int_equal(l.len[i], lens[i]);
        assert_int_equal(l.cert[i][0], i + 1);
        at += 3 + lens[i];
    }
}

static void test_parse_malformed(void **state) {
    (void)state;
    uint8_t b[256];
    tern_certlist l;
    static const size_t lens[] = {10, 20};
    size_t n = build(b, sizeof b, lens, 2);
    assert_int_equal(parse(b, n, &l), 0);
    /* A body shorter than the list's length; nothing at all. */
    assert_int_equal(parse(b, n - 1, &l), TERN_ERR_DECODE);
    assert_int_equal(parse(b, 2, &l), TERN_ERR_DECODE);
    assert_int_equal(parse(b, 0, &l), TERN_ERR_DECODE);
    /* A byte after the list. */
    b[n] = 0;
    assert_int_equal(parse(b, n + 1, &l), TERN_ERR_DECODE);
    /* The second entry's length one past the list. */
    b[3 + 3 + 10 + 2] = 21;
    assert_int_equal(parse(b, n, &l), TERN_ERR_DECODE);
    /* An entry cut short: 2 bytes where its length needs 3. */
    static const uint8_t cut[] = {0, 0, 2, 0, 0};
    assert_int_equal(parse(cut, sizeof cut, &l), TERN_ERR_DECODE);
    /* An empty ASN.1Cert (<1..2^24-1>). */
    static const size_t with_empty[] = {5, 0};
    n = build(b, sizeof b, with_empty, 2);
    assert_int_equal(parse(b, n, &l), TERN_ERR_DECODE);
}

static void test_parse_count(void **state) {
    (void)state;
    uint8_t b[1024];
    size_t lens[TERN_X509_MAX_PEER_CERTS + 1];
    for (size_t i = 0; i <= TERN_X509_MAX_PEER_CERTS; i++)
        lens[i] = 4;
    tern_certlist l;
    size_t n = build(b, sizeof b, lens, TERN_X509_MAX_PEER_CERTS);
    assert_int_equal(parse(b, n, &l), 0);
    assert_int_equal(l.n, TERN_X509_MAX_PEER_CERTS);
    n = build(b, sizeof b, lens, TERN_X509_MAX_PEER_CERTS + 1);
    assert_int_equal(parse(b, n, &l), TERN_ERR_CERT_CHAIN_TOO_LONG);
    /* One too many, then an empty entry: the count is what is reported. */
    size_t two[TERN_X509_MAX_PEER_CERTS + 2];
    for (size_t i = 0; i < TERN_X509_MAX_PEER_CERTS + 2; i++)
        two[i] = i == TERN_X509_MAX_PEER_CERTS + 1 ? 0 : 4;
    n = build(b, sizeof b, two, TERN_X509_MAX_PEER_CERTS + 2);
    assert_int_equal(parse(b, n, &l), TERN_ERR_CERT_CHAIN_TOO_LONG);
}

static void test_write(void **state) {
    (void)state;
    uint8_t out[64];
    tern_writer w;
    tern_wr_init(&w, out, sizeof out);
    assert_int_equal(tern_certlist_write(&w, NULL), 0);
    assert_int_equal(tern_wr_len(&w), 3);
    assert_memory_equal(out, "\0\0\0", 3);

    static tern_keystore ks; /* only the chain is read */
    static const uint8_t c1[] = {0x30, 1, 2}, c2[] = {0x30, 9};
    ks.n = 2;
    ks.chain[0] = c1;
    ks.chain_len[0] = sizeof c1;
    ks.chain[1] = c2;
    ks.chain_len[1] = sizeof c2;
    tern_wr_init(&w, out, sizeof out);
    assert_int_equal(tern_certlist_write(&w, &ks), 0);
    static const uint8_t want[] = {0, 0, 11, 0, 0, 3, 0x30, 1, 2, 0, 0, 2, 0x30, 9};
    assert_int_equal(tern_wr_len(&w), sizeof want);
    assert_memory_equal(out, want, sizeof want);
    /* ... and it parses back to the same certificates. */
    tern_certlist l;
    assert_int_equal(parse(out, sizeof want, &l), 0);
    assert_int_equal(l.n, 2);
    assert_memory_equal(l.cert[1], c2, sizeof c2);
    /* Too small a buffer is the writer's error, not a short list. */
    tern_wr_init(&w, out, 8);
    assert_int_equal(tern_certlist_write(&w, &ks), TERN_ERR_BUFFER_TOO_SMALL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_malformed),
        cmocka_unit_test(test_parse_count),
        cmocka_unit_test(test_write),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
