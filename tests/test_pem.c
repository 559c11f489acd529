/*
 * Tests for lib/x509/pem.c: strict base64 (RFC 4648) and PEM blocks
 * (RFC 7468): round trips against a reference encoder written here, several
 * blocks with text between, CRLF, legacy encrypted headers, and negatives
 * (bad character, bad or misplaced padding, non-zero pad bits, blank lines,
 * missing or mismatched END, bad labels).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/x509/pem.h"
#include "tests/util/testutil.h"

/* Reference encoder (test only): lines of `width` characters. */
static size_t b64enc(const uint8_t *in, size_t n, char *out, size_t width, const char *eol) {
    static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0, col = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ? (uint32_t)in[i + 1] << 8 : 0) | (i + 2 < n ? in[i + 2] : 0);
        char q[4] = {A[v >> 18], A[(v >> 12) & 63], i + 1 < n ? A[(v >> 6) & 63] : '=', i + 2 < n ? A[v & 63] : '='};
        for (int k = 0; k < 4; k++) {
            out[o++] = q[k];
            if (++col == width) {
                o += (size_t)sprintf(out + o, "%s", eol);
                col = 0;
            }
        }
    }
    if (col)
        o += (size_t)sprintf(out + o, "%s", eol);
    out[o] = 0;
    return o;
}

static int dec(const char *s, uint8_t *out, size_t cap, size_t *n) {
    return tern_base64_decode((const uint8_t *)s, strlen(s), out, cap, n);
}

static void test_base64_roundtrip(void **state) {
    (void)state;
    uint64_t seed = 1;
    uint8_t in[200], out[200];
    char txt[1024];
    for (size_t n = 0; n < sizeof in; n++) {
        tv_rng(&seed, in, n);
        size_t widths[] = {4, 64, 76, 1000};
        for (size_t w = 0; w < 4; w++) {
            b64enc(in, n, txt, widths[w], (n & 1) ? "\r\n" : "\n");
            size_t got = 0;
            assert_int_equal(dec(txt, out, sizeof out, &got), 0);
            assert_int_equal(got, n);
            assert_memory_equal(in, out, n);
        }
    }
    size_t got;
    assert_int_equal(dec("TWFu", out, 3, &got), 0);
    assert_memory_equal(out, "Man", 3);
    assert_int_equal(dec("TWFu", out, 2, &got), TERN_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(dec("TWE=\n", out, sizeof out, &got), 0);
    assert_int_equal(got, 2);
    assert_int_equal(dec("TQ==  \t\r\n", out, sizeof out, &got), 0);
    assert_int_equal(got, 1);
}

static void test_base64_negative(void **state) {
    (void)state;
    uint8_t out[64];
    size_t got;
    static const char *bad[] = {
        "TWF!",          /* bad character */
        "TW-u",          /* base64url is not base64 */
        "TWFu\nTW",      /* partial quantum */
        "TWE",           /* missing padding */
        "T===",          /* too much padding */
        "====",          "TQ=a",          /* data after padding in a quantum */
        "TQ==TWFu",      /* data after the padded quantum */
        "TQ==\nTWFu\n",  /* ... also on the next line */
        "TR==",          /* non-zero pad bits (canonical is TQ==) */
        "TWF=",          /* non-zero pad bits (canonical is TWE=) */
        "TWFu\n\nTWFu",  /* blank line in the body */
        " TWFu",         /* leading space */
        "TW Fu",         /* space inside a line */
        "TQ=\n=",        /* padding split across lines */
        "TWFu\x80",      /* non-ASCII */
        "TWFu\0",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        size_t len = strlen(bad[i]) + (i == sizeof bad / sizeof *bad - 1);
        int rc = tern_base64_decode((const uint8_t *)bad[i], len, out, sizeof out, &got);
        if (rc != TERN_ERR_PEM)
            fail_msg("case %zu (%s) gave %d", i, bad[i], rc);
    }
}

static const char two_blocks[] =
    "Some text before\n"
    "-----BEGIN CERTIFICATE-----\r\n"
    "TWFu\r\n"
    "-----END CERTIFICATE-----\r\n"
    "text between -----\n"
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "aGVsbG8g\n"
    "d29ybGQ=\n"
    "-----END RSA PRIVATE KEY-----";

static void test_blocks(void **state) {
    (void)state;
    tern_pem_reader r;
    tern_pem_block b;
    uint8_t out[64];
    size_t n;
    tern_pem_init(&r, (const uint8_t *)two_blocks, strlen(two_blocks));
    assert_int_equal(tern_pem_next(&r, &b), 1);
    assert_string_equal(b.label, "CERTIFICATE");
    assert_int_equal(b.line, 2);
    assert_int_equal(b.encrypted, 0);
    assert_true(tern_pem_decoded_max(&b) >= 3);
    assert_int_equal(tern_pem_decode(&b, out, sizeof out, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "Man", 3);
    assert_int_equal(tern_pem_next(&r, &b), 1);
    assert_string_equal(b.label, "RSA PRIVATE KEY");
    assert_int_equal(b.line, 6);
    assert_int_equal(tern_pem_decode(&b, out, sizeof out, &n), 0);
    assert_int_equal(n, 11);
    assert_memory_equal(out, "hello world", 11);
    assert_int_equal(tern_pem_next(&r, &b), 0);
    assert_int_equal(tern_pem_next(&r, &b), 0);

    /* Empty input, text only. */
    tern_pem_init(&r, (const uint8_t *)"", 0);
    assert_int_equal(tern_pem_next(&r, &b), 0);
    tern_pem_init(&r, (const uint8_t *)"hello\n", 6);
    assert_int_equal(tern_pem_next(&r, &b), 0);
}

static void test_block_negative(void **state) {
    (void)state;
    static const char *bad[] = {
        "-----BEGIN CERTIFICATE-----\nTWFu\n",                                  /* no END */
        "-----BEGIN CERTIFICATE-----\nTWFu\n-----END CERTIFICAT-----\n",        /* END label differs */
        "-----BEGIN CERTIFICATE----\nTWFu\n-----END CERTIFICATE-----\n",        /* 4 dashes */
        "-----BEGIN  CERTIFICATE-----\nTWFu\n-----END  CERTIFICATE-----\n",     /* double space */
        "-----BEGIN CERT--X-----\nTWFu\n-----END CERT--X-----\n",               /* double dash */
        "-----BEGIN CERTIFICATE-----\nTWFu\n-----END CERTIFICATE\n",            /* bad END line */
        "-----BEGIN -----\nTWFu\n-----END -----\n",                             /* empty label */
        "-----BEGIN CERT\x01-----\nTWFu\n-----END CERT\x01-----\n",             /* control char */
        "-----BEGINCERTIFICATE-----\nTWFu\n-----END CERTIFICATE-----\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)bad[i], strlen(bad[i]));
        int rc = tern_pem_next(&r, &b);
        if (rc != TERN_ERR_PEM)
            fail_msg("case %zu gave %d", i, rc);
        assert_int_equal(tern_pem_next(&r, &b), 0); /* the reader stopped */
    }
    /* A block whose body is bad still lets the next block be found. */
    static const char two[] = "-----BEGIN CERTIFICATE-----\nTW!u\n-----END CERTIFICATE-----\n"
                              "-----BEGIN CERTIFICATE-----\nTWFu\n-----END CERTIFICATE-----\n";
    tern_pem_reader r;
    tern_pem_block b;
    uint8_t out[8];
    size_t n;
    tern_pem_init(&r, (const uint8_t *)two, strlen(two));
    assert_int_equal(tern_pem_next(&r, &b), 1);
    assert_int_equal(tern_pem_decode(&b, out, sizeof out, &n), TERN_ERR_PEM);
    assert_int_equal(tern_pem_next(&r, &b), 1);
    assert_int_equal(tern_pem_decode(&b, out, sizeof out, &n), 0);
    assert_int_equal(n, 3);
}

/* The fixtures: encrypted keys are flagged, plain ones decode. */
static void test_fixture_keys(void **state) {
    (void)state;
    struct {
        const char *file, *label;
        int encrypted, decodes;
    } cases[] = {
        {"certs/server.key", "PRIVATE KEY", 0, 1},
        {"certs/server-pkcs1.key", "RSA PRIVATE KEY", 0, 1},
        {"certs/server-enc-pkcs8.key", "ENCRYPTED PRIVATE KEY", 0, 1},
        {"certs/server-enc-pkcs1.key", "RSA PRIVATE KEY", 1, 1}, /* the ciphertext after the headers */
        {"certs/server-chain.pem", "CERTIFICATE", 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        size_t len;
        char *txt = tv_slurp(tv_path(cases[i].file), &len);
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)txt, len);
        assert_int_equal(tern_pem_next(&r, &b), 1);
        assert_string_equal(b.label, cases[i].label);
        assert_int_equal(b.encrypted, cases[i].encrypted);
        size_t cap = tern_pem_decoded_max(&b), n;
        uint8_t *der = malloc(cap);
        assert_int_equal(tern_pem_decode(&b, der, cap, &n) == 0, cases[i].decodes);
        if (cases[i].decodes && !cases[i].encrypted)
            assert_true(n > 100 && der[0] == 0x30);
        if (cases[i].encrypted) {
            assert_int_equal(b.hdr_bad, 0);
            assert_string_equal(b.dek_cipher, "AES-256-CBC");
            assert_int_equal(b.dek_iv_len, 16);
            assert_true(n > 100 && n % 16 == 0);
        }
        free(der);
        free(txt);
    }
}

/* The legacy encryption headers (RFC 1421 §4.6, OpenSSL's form): read
 * strictly; anything else leaves the body undecodable. */
static void test_legacy_headers(void **state) {
    (void)state;
    static const char good[] = "-----BEGIN RSA PRIVATE KEY-----\r\n"
                               "Proc-Type: 4,ENCRYPTED\r\n"
                               "DEK-Info: AES-128-CBC,00112233445566778899aabbccddeeFF\r\n"
                               "\r\n"
                               "TWFu\r\n"
                               "-----END RSA PRIVATE KEY-----\r\n";
    tern_pem_reader r;
    tern_pem_block b;
    uint8_t out[16];
    size_t n;
    tern_pem_init(&r, (const uint8_t *)good, strlen(good));
    assert_int_equal(tern_pem_next(&r, &b), 1);
    assert_int_equal(b.encrypted, 1);
    assert_int_equal(b.hdr_bad, 0);
    assert_string_equal(b.dek_cipher, "AES-128-CBC");
    assert_int_equal(b.dek_iv_len, 16);
    assert_int_equal(b.dek_iv[0], 0x00);
    assert_int_equal(b.dek_iv[15], 0xff);
    assert_int_equal(tern_pem_decode(&b, out, sizeof out, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "Man", 3);

    static const char *bad[] = {
        /* Proc-Type other than 4,ENCRYPTED */
        "Proc-Type: 4,MIC-ONLY\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nTWFu\n",
        /* no DEK-Info */
        "Proc-Type: 4,ENCRYPTED\n\nTWFu\n",
        /* another header */
        "Proc-Type: 4,ENCRYPTED\nComment: x\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\nTWFu\n",
        /* DEK-Info twice */
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\nDEK-Info: AES-128-CBC,00\n\nTWFu\n",
        /* no blank line */
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\nTWFu\n",
        /* odd hex, bad hex, no IV, no cipher, IV over 32 bytes */
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,001\n\nTWFu\n",
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0g\n\nTWFu\n",
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,\n\nTWFu\n",
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: ,00\n\nTWFu\n",
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,"
        "00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF00\n\nTWFu\n",
        /* headers then END */
        "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[512];
        snprintf(text, sizeof text, "-----BEGIN RSA PRIVATE KEY-----\n%s-----END RSA PRIVATE KEY-----\n", bad[i]);
        tern_pem_init(&r, (const uint8_t *)text, strlen(text));
        assert_int_equal(tern_pem_next(&r, &b), 1);
        assert_int_equal(b.encrypted, 1);
        if (!b.hdr_bad)
            fail_msg("case %zu: headers accepted", i);
        assert_int_equal(tern_pem_decode(&b, out, sizeof out, &n), TERN_ERR_PEM);
    }
    /* A Proc-Type line that is not the first line is base64 garbage. */
    static const char late[] = "-----BEGIN X-----\nTWFu\nProc-Type: 4,ENCRYPTED\n-----END X-----\n";
    tern_pem_init(&r, (const uint8_t *)late, strlen(late));
    assert_int_equal(tern_pem_next(&r, &b), 1);
    assert_int_equal(b.encrypted, 0);
    uint8_t big[64];
    assert_int_equal(tern_pem_decode(&b, big, sizeof big, &n), TERN_ERR_PEM);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base64_roundtrip), cmocka_unit_test(test_base64_negative),
        cmocka_unit_test(test_blocks),           cmocka_unit_test(test_block_negative),
        cmocka_unit_test(test_fixture_keys),     cmocka_unit_test(test_legacy_headers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
