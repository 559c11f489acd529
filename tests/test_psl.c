/*
 * Tests for the Public Suffix List lookup (lib/x509/psl.c, over the table
 * lib/x509/psl_data.h that tools/make_psl.py compiles from Debian's
 * publicsuffix package) and its use in the name check (lib/x509/name.c):
 * known suffixes of both sections, exact, wildcard ("*.ck") and exception
 * ("!www.ck") rules, the implicit "*" rule, non-suffixes, case, the
 * trailing dot (ignored, as one absolute name), hostile inputs (empty, dots
 * only, over 253 bytes, NULs, non-ASCII: all "not a public suffix", read
 * from exact-size heap copies so that ASan sees any over-read), every rule
 * of the table against the lookup, the table's order, the generator
 * reproducing the committed table (skipped without python3 or the list, or
 * when the installed list is not the one compiled in), and the refusal of
 * a wildcard over a public suffix with its exact sentence.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/sha2.h"
#include "lib/x509/psl.h"
#include "lib/x509/psl_data.h"
#include "lib/x509/x509.h"

#define DAT "/usr/share/publicsuffix/public_suffix_list.dat"
#define COMMITTED "lib/x509/psl_data.h"

/* The lookup on an exact-size heap copy of n bytes of s (no NUL after it). */
static int ps_n(const char *s, size_t n) {
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    if (n)
        memcpy(copy, s, n);
    int r = tern_psl_is_public_suffix(copy, n);
    free(copy);
    return r;
}

static int ps(const char *s) { return ps_n(s, strlen(s)); }

static void test_known(void **state) {
    (void)state;
    /* ICANN section: exact rules. */
    assert_int_equal(ps("com"), 1);
    assert_int_equal(ps("uk"), 1);
    assert_int_equal(ps("co.uk"), 1);
    assert_int_equal(ps("pvt.k12.ma.us"), 1); /* four labels */
    /* A Unicode rule (公司.cn), compiled as its A-label. */
    assert_int_equal(ps("xn--55qx5d.cn"), 1);
    assert_int_equal(ps("example.xn--55qx5d.cn"), 0);
    /* Wildcard rule *.ck and its exception !www.ck. */
    assert_int_equal(ps("foo.ck"), 1);
    assert_int_equal(ps("ck"), 1); /* only by the implicit "*" rule */
    assert_int_equal(ps("www.ck"), 0);
    assert_int_equal(ps("a.www.ck"), 0);
    assert_int_equal(ps("a.foo.ck"), 0);
    /* *.kawasaki.jp and !city.kawasaki.jp */
    assert_int_equal(ps("foo.kawasaki.jp"), 1);
    assert_int_equal(ps("city.kawasaki.jp"), 0);
    /* A wildcard rule's own base is no rule: kawasaki.jp falls to "jp". */
    assert_int_equal(ps("kawasaki.jp"), 0);
    /* PRIVATE section. */
    assert_int_equal(ps("s3.amazonaws.com"), 1);
    assert_int_equal(ps("github.io"), 1);
    assert_int_equal(ps("blogspot.com.ar"), 1);
    /* The implicit "*" rule: any single label, listed or not. */
    assert_int_equal(ps("example"), 1);
    assert_int_equal(ps("foo.example"), 0);
}

static void test_not_suffixes(void **state) {
    (void)state;
    assert_int_equal(ps("example.com"), 0);
    assert_int_equal(ps("www.example.com"), 0);
    assert_int_equal(ps("foo.co.uk"), 0);
    assert_int_equal(ps("example.s3.amazonaws.com"), 0);
    assert_int_equal(ps("amazonaws.com"), 0);
    assert_int_equal(ps("foo.github.io"), 0);
    /* A prefix or an extension of a key is no key. */
    assert_int_equal(ps("o.uk"), 0);
    assert_int_equal(ps("xco.uk"), 0);
}

static void test_case_and_dot(void **state) {
    (void)state;
    assert_int_equal(ps("CO.UK"), 1);
    assert_int_equal(ps("Co.Uk"), 1);
    assert_int_equal(ps("S3.AmazonAWS.COM"), 1);
    assert_int_equal(ps("FOO.CK"), 1);
    assert_int_equal(ps("WWW.CK"), 0);
    assert_int_equal(ps("Example.CO.UK"), 0);
    /* One trailing dot is ignored: the same name written as absolute. */
    assert_int_equal(ps("co.uk."), 1);
    assert_int_equal(ps("com."), 1);
    assert_int_equal(ps("example.com."), 0);
    /* More dots are empty labels. */
    assert_int_equal(ps("co.uk.."), 0);
    assert_int_equal(ps(".co.uk"), 0);
    assert_int_equal(ps("co..uk"), 0);
}

static void test_odd_inputs(void **state) {
    (void)state;
    assert_int_equal(tern_psl_is_public_suffix(NULL, 0), 0);
    assert_int_equal(tern_psl_is_public_suffix(NULL, 5), 0);
    assert_int_equal(ps_n("", 0), 0);
    assert_int_equal(ps("."), 0);
    assert_int_equal(ps(".."), 0);
    assert_int_equal(ps("..."), 0);
    /* NULs inside and after. */
    assert_int_equal(ps_n("co\0uk", 5), 0);
    assert_int_equal(ps_n("co.uk\0", 6), 0);
    assert_int_equal(ps_n("\0", 1), 0);
    assert_int_equal(ps_n("com\0\0\0\0", 7), 0);
    /* Not host name characters. */
    assert_int_equal(ps("*.co.uk"), 0);
    assert_int_equal(ps("*"), 0);
    assert_int_equal(ps("co_uk"), 0);
    assert_int_equal(ps("\xff"), 0);
    assert_int_equal(ps("\xe5\x85\xac\xe5\x8f\xb8.cn"), 0); /* U-label: not looked up */
    assert_int_equal(ps("co.uk "), 0);
    /* Lengths: a 63-byte label is fine, 64 is not; 253 bytes in all. */
    char big[400];
    memset(big, 'a', 63);
    assert_int_equal(ps_n(big, 63), 1); /* one label: the implicit rule */
    memset(big, 'a', 64);
    assert_int_equal(ps_n(big, 64), 0);
    /* 63.63.63.61 = 253 bytes, ending in a listed TLD or not. */
    for (int i = 0; i < 253; i++)
        big[i] = (i % 64 == 63) ? '.' : 'b';
    memcpy(big + 250, "com", 3);
    assert_int_equal(ps_n(big, 253), 0);
    big[253] = '.';
    assert_int_equal(ps_n(big, 254), 0); /* 253 + the trailing dot */
    big[253] = 'x';
    assert_int_equal(ps_n(big, 254), 0);
    /* 255 and more bytes; 127 one-letter labels; dots only. */
    memset(big, 'c', sizeof big);
    assert_int_equal(ps_n(big, 255), 0);
    assert_int_equal(ps_n(big, sizeof big), 0);
    for (int i = 0; i < 253; i++)
        big[i] = (i % 2) ? '.' : 'a';
    assert_int_equal(ps_n(big, 253), 0);
    memcpy(big + 249, ".foo.ck", 7); /* ...a.a.a.foo.ck: one label over *.ck */
    assert_int_equal(ps_n(big, 256), 0);
    assert_int_equal(ps_n(big + 250, 6), 1);
    assert_int_equal(ps_n(big + 248, 8), 0);
    memset(big, '.', sizeof big);
    assert_int_equal(ps_n(big, 1), 0);
    assert_int_equal(ps_n(big, 300), 0);
    /* Every single byte value as a one-byte name. */
    for (int b = 0; b < 256; b++) {
        char c = (char)b;
        int want = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9') || b == '-';
        assert_int_equal(ps_n(&c, 1), want);
    }
}

/* Key i of the table as a C string in out (256 bytes). */
static const char *key_at(size_t i, char *out) {
    uint32_t off = tern_psl_keys[i] & 0xffffffu;
    assert_true(off / TERN_PSL_CHUNK < sizeof tern_psl_chunks / sizeof tern_psl_chunks[0]);
    const char *k = tern_psl_chunks[off / TERN_PSL_CHUNK] + off % TERN_PSL_CHUNK;
    /* Ended inside its chunk, at most 253 bytes, only host name bytes. */
    const char *end = memchr(k, TERN_PSL_END, TERN_PSL_CHUNK - off % TERN_PSL_CHUNK);
    assert_non_null(end);
    size_t n = (size_t)(end - k);
    assert_true(n >= 1 && n <= 253);
    assert_int_equal(strspn(k, "abcdefghijklmnopqrstuvwxyz0123456789.-"), n);
    memcpy(out, k, n);
    out[n] = 0;
    return out;
}

/* The table: keys strictly ascending (bytewise), each with known kinds. */
static void test_table_sorted(void **state) {
    (void)state;
    assert_true(TERN_PSL_N > 9000);
    char prev[256] = "", k[256];
    for (size_t i = 0; i < TERN_PSL_N; i++) {
        uint32_t kinds = tern_psl_keys[i] >> 24;
        assert_true(kinds >= 1 && kinds <= 7);
        key_at(i, k);
        if (i > 0 && strcmp(prev, k) >= 0)
            fail_msg("key %zu \"%s\" is not after \"%s\"", i, k, prev);
        memcpy(prev, k, sizeof prev);
    }
}

/* Every rule of the table, through the lookup (none of the list's rules
 * is shadowed by an exception over the same name). */
static void test_every_rule(void **state) {
    (void)state;
    size_t exact = 0, wild = 0, exc = 0;
    for (size_t i = 0; i < TERN_PSL_N; i++) {
        uint32_t kinds = tern_psl_keys[i] >> 24;
        char kb[256], n[300];
        const char *k = key_at(i, kb);
        if (kinds & TERN_PSL_EXACT) {
            exact++;
            if (!ps(k))
                fail_msg("rule %s: not a public suffix", k);
        }
        if (kinds & TERN_PSL_WILD) {
            wild++;
            snprintf(n, sizeof n, "zz9.%s", k);
            if (!ps(n))
                fail_msg("rule *.%s: %s is not a public suffix", k, n);
            snprintf(n, sizeof n, "a.zz9.%s", k);
            if (ps(n))
                fail_msg("rule *.%s: %s is a public suffix", k, n);
        }
        if (kinds & TERN_PSL_EXC) {
            exc++;
            if (ps(k))
                fail_msg("rule !%s: still a public suffix", k);
        }
        if (!(kinds & TERN_PSL_WILD)) {
            /* One more label over a rule is not a suffix, unless some
             * other rule says so ("zz9." is in no rule). */
            snprintf(n, sizeof n, "zz9.%s", k);
            if (ps(n))
                fail_msg("%s is a public suffix", n);
        }
    }
    print_message("%zu exact, %zu wildcard, %zu exception rules checked\n", exact, wild, exc);
    assert_true(exact > 9000 && wild > 50 && exc >= 5);
}

/* The committed table's "Version:" or "SHA-256:" header value. */
static int header_field(const char *text, const char *field, char *out, size_t cap) {
    const char *p = strstr(text, field);
    if (!p)
        return 0;
    p += strlen(field);
    size_t n = strcspn(p, "\n");
    if (n == 0 || n >= cap)
        return 0;
    memcpy(out, p, n);
    out[n] = 0;
    return 1;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 20, n = 0;
    char *b = malloc(cap + 1);
    assert_non_null(b);
    for (;;) {
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (n < cap)
            break;
        cap *= 2;
        b = realloc(b, cap + 1);
        assert_non_null(b);
    }
    fclose(f);
    b[n] = 0;
    *len = n;
    return b;
}

/* tools/make_psl.py, run on the installed list, writes the committed file. */
static void test_generator_reproduces(void **state) {
    (void)state;
    size_t clen, dlen;
    char *committed = slurp(COMMITTED, &clen);
    assert_non_null(committed);
    char version[128], sha[80];
    assert_true(header_field(committed, " * Version: ", version, sizeof version));
    assert_true(header_field(committed, " * SHA-256: ", sha, sizeof sha));
    assert_int_equal(strspn(version, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .+~:-"),
                     strlen(version));
    char *dat = slurp(DAT, &dlen);
    if (!dat) {
        free(committed);
        print_message("no " DAT " (Debian package publicsuffix): skipped\n");
        skip();
    }
    uint8_t d[TERN_SHA256_LEN];
    char hex[2 * TERN_SHA256_LEN + 1];
    tern_sha256(d, dat, dlen);
    for (size_t i = 0; i < sizeof d; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    free(dat);
    if (strcmp(hex, sha) != 0) {
        free(committed);
        print_message("the installed " DAT " (SHA-256 %s) is not the list compiled in (%s): skipped\n", hex, sha);
        skip();
    }
    if (system("python3 -c 'import sys' >/dev/null 2>&1") != 0) {
        free(committed);
        print_message("no python3: skipped\n");
        skip();
    }
    char tmp[] = "/tmp/tern-psl-XXXXXX";
    int fd = mkstemp(tmp);
    assert_true(fd >= 0);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "python3 tools/make_psl.py --version '%s' " DAT " %s", version, tmp);
    int rc = system(cmd);
    size_t glen = 0;
    char *gen = slurp(tmp, &glen);
    remove(tmp);
    assert_int_equal(rc, 0);
    assert_non_null(gen);
    if (glen != clen || memcmp(gen, committed, clen) != 0)
        fail_msg("tools/make_psl.py does not reproduce " COMMITTED " (%zu vs %zu bytes): regenerate it", glen, clen);
    free(gen);
    free(committed);
}

/* ---- the name check ---- */

typedef struct {
    uint8_t b[512];
    size_t n;
} buf;

static void add_dns(buf *o, const char *s) {
    size_t n = strlen(s);
    assert_true(n < 128 && o->n + 2 + n <= sizeof o->b);
    o->b[o->n++] = 0x82;
    o->b[o->n++] = (uint8_t)n;
    memcpy(o->b + o->n, s, n);
    o->n += n;
}

/* Subject CN=t. */
static const uint8_t SUBJECT[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03,
                                  0x55, 0x04, 0x03, 0x0c, 0x01, 't'};

/* A certificate with the given dNSName SANs (NULL-terminated list). */
static tern_x509_cert cert(buf *san, const char *const *names) {
    tern_x509_cert c;
    memset(&c, 0, sizeof c);
    san->n = 0;
    for (; *names; names++)
        add_dns(san, *names);
    c.has_san = 1;
    c.san.p = san->b;
    c.san.len = san->n;
    c.subject.p = SUBJECT;
    c.subject.len = sizeof SUBJECT;
    return c;
}

static void check(const char *const *sans, const char *host, int want, const char *want_msg) {
    buf san;
    tern_x509_cert c = cert(&san, sans);
    char msg[256];
    int rc = tern_x509_check_name(&c, host, msg, sizeof msg);
    if (rc != want || (want_msg && strcmp(msg, want_msg) != 0))
        fail_msg("%s against %s: got %d \"%s\", want %d \"%s\"", host, sans[0], rc, msg, want,
                 want_msg ? want_msg : "");
}

static void test_name_check(void **state) {
    (void)state;
    /* The two x509-limbo cases. */
    check((const char *const[]){"*.co.uk", NULL}, "example.co.uk", TERN_ERR_CERT_NAME,
          "certificate 0 (CN=t) is not for name \"example.co.uk\": the wildcard *.co.uk stands over a public "
          "suffix (co.uk), which no certificate may cover; it names DNS:*.co.uk");
    check((const char *const[]){"*.s3.amazonaws.com", NULL}, "example.s3.amazonaws.com", TERN_ERR_CERT_NAME,
          "certificate 0 (CN=t) is not for name \"example.s3.amazonaws.com\": the wildcard *.s3.amazonaws.com "
          "stands over a public suffix (s3.amazonaws.com), which no certificate may cover; it names "
          "DNS:*.s3.amazonaws.com");
    /* Case, a trailing dot on either side. */
    check((const char *const[]){"*.CO.UK", NULL}, "Example.co.uk.", TERN_ERR_CERT_NAME,
          "certificate 0 (CN=t) is not for name \"Example.co.uk.\": the wildcard *.CO.UK stands over a public "
          "suffix (CO.UK), which no certificate may cover; it names DNS:*.CO.UK");
    check((const char *const[]){"*.co.uk.", NULL}, "example.co.uk", TERN_ERR_CERT_NAME,
          "certificate 0 (CN=t) is not for name \"example.co.uk\": the wildcard *.co.uk stands over a public "
          "suffix (co.uk), which no certificate may cover; it names DNS:*.co.uk.");
    /* A wildcard rule's suffix (*.ck), not its exception (!www.ck). */
    check((const char *const[]){"*.foo.ck", NULL}, "a.foo.ck", TERN_ERR_CERT_NAME,
          "certificate 0 (CN=t) is not for name \"a.foo.ck\": the wildcard *.foo.ck stands over a public "
          "suffix (foo.ck), which no certificate may cover; it names DNS:*.foo.ck");
    check((const char *const[]){"*.www.ck", NULL}, "a.www.ck", 0, NULL);
    /* Ordinary wildcards still match; the refused one does not hide them. */
    check((const char *const[]){"*.example.com", NULL}, "www.example.com", 0, NULL);
    check((const char *const[]){"*.example.co.uk", NULL}, "www.example.co.uk", 0, NULL);
    check((const char *const[]){"*.example.s3.amazonaws.com", NULL}, "a.example.s3.amazonaws.com", 0, NULL);
    check((const char *const[]){"*.co.uk", "www.example.co.uk", NULL}, "www.example.co.uk", 0, NULL);
    check((const char *const[]){"*.co.uk", "*.example.co.uk", NULL}, "www.example.co.uk", 0, NULL);
    /* A name the suffix wildcard would not match anyway: the plain
     * sentence. */
    check((const char *const[]){"*.co.uk", NULL}, "other.test", TERN_ERR_CERT_NAME,
          "certificate 0 (CN=t) is not for name \"other.test\"; it names DNS:*.co.uk");
    check((const char *const[]){"*.co.uk", NULL}, "a.b.co.uk", TERN_ERR_CERT_NAME,
          "certificate 0 (CN=t) is not for name \"a.b.co.uk\"; it names DNS:*.co.uk");
    /* The exact name of a public suffix is not a wildcard: unchanged. */
    check((const char *const[]){"co.uk", NULL}, "co.uk", 0, NULL);
    /* Single-label suffixes stay refused by the "two labels after *" rule. */
    check((const char *const[]){"*.com", NULL}, "example.com", TERN_ERR_CERT_NAME,
          "certificate 0 (CN=t) is not for name \"example.com\"; it names DNS:*.com");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known),
        cmocka_unit_test(test_not_suffixes),
        cmocka_unit_test(test_case_and_dot),
        cmocka_unit_test(test_odd_inputs),
        cmocka_unit_test(test_table_sorted),
        cmocka_unit_test(test_every_rule),
        cmocka_unit_test(test_generator_reproduces),
        cmocka_unit_test(test_name_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
