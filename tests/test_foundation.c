/*
 * Tests for the foundation pieces: error sentences and the error->alert
 * table, CPU detection and the TERN_CPU override, the OS RNG wrapper, and
 * the test-vector readers themselves (so a broken reader cannot make the
 * crypto tests pass vacuously).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "tern/tern.h"
#include "crypto/cpu.h"
#include "crypto/ct.h"
#include "crypto/rand.h"
#include "tests/util/testutil.h"

static const int all_errors[] = {
    TERN_ERR_INTERNAL, TERN_ERR_NOMEM, TERN_ERR_INVALID_ARG, TERN_ERR_BUFFER_TOO_SMALL, TERN_ERR_RNG,
    TERN_ERR_IO, TERN_ERR_TRUNCATED, TERN_ERR_CLOSED, TERN_ERR_UNSUPPORTED, TERN_ERR_FILE, TERN_ERR_STATE,
    TERN_ERR_LIMIT, TERN_ERR_DECODE, TERN_ERR_BAD_RECORD_MAC, TERN_ERR_BAD_SIGNATURE, TERN_ERR_BAD_KEY,
    TERN_ERR_ZERO_SECRET, TERN_ERR_PEM, TERN_ERR_KEY_MISMATCH, TERN_ERR_DECRYPT, TERN_ERR_DECRYPT_FAILED,
    TERN_ERR_UNEXPECTED_MESSAGE,
    TERN_ERR_RECORD_OVERFLOW, TERN_ERR_HANDSHAKE_FAILURE, TERN_ERR_ILLEGAL_PARAMETER, TERN_ERR_PROTOCOL_VERSION,
    TERN_ERR_FINISHED, TERN_ERR_PEER_ALERT, TERN_ERR_NO_ALPN, TERN_ERR_UNRECOGNIZED_NAME,
    TERN_ERR_INSECURE_RENEG, TERN_ERR_MISSING_EXTENSION, TERN_ERR_NO_CERTIFICATE, TERN_ERR_CERT_BAD,
    TERN_ERR_CERT_UNSUPPORTED, TERN_ERR_CERT_EXPIRED, TERN_ERR_CERT_UNKNOWN_CA, TERN_ERR_CERT_NAME,
    TERN_ERR_CERT_NOT_CA, TERN_ERR_CERT_PATH_LEN, TERN_ERR_CERT_PURPOSE, TERN_ERR_CERT_SIGNATURE,
    TERN_ERR_CERT_CRITICAL_EXT, TERN_ERR_CERT_CHAIN_TOO_LONG, TERN_ERR_CERT_REVOKED, TERN_ERR_CERT_REVOCATION_UNKNOWN,
    TERN_ERR_CERT_POLICY,
};

static void test_strerror(void **state) {
    (void)state;
    const size_t n = sizeof all_errors / sizeof all_errors[0];
    for (size_t i = 0; i < n; i++) {
        const char *s = tern_strerror(all_errors[i]);
        assert_non_null(s);
        assert_string_not_equal(s, "unknown error");
        for (size_t j = 0; j < i; j++)
            assert_string_not_equal(s, tern_strerror(all_errors[j])); /* one sentence each */
    }
    assert_string_equal(tern_strerror(12345), "unknown error");
    assert_string_equal(tern_strerror(-9999), "unknown error");
    assert_string_equal(tern_strerror(TERN_OK), "success");
}

static void test_error_alerts(void **state) {
    (void)state;
    /* The specific alerts the RFCs ask for. */
    assert_int_equal(tern_error_alert(TERN_ERR_DECODE), TERN_ALERT_DECODE_ERROR);
    assert_int_equal(tern_error_alert(TERN_ERR_BAD_RECORD_MAC), TERN_ALERT_BAD_RECORD_MAC);
    assert_int_equal(tern_error_alert(TERN_ERR_RECORD_OVERFLOW), TERN_ALERT_RECORD_OVERFLOW);
    assert_int_equal(tern_error_alert(TERN_ERR_UNEXPECTED_MESSAGE), TERN_ALERT_UNEXPECTED_MESSAGE);
    assert_int_equal(tern_error_alert(TERN_ERR_FINISHED), TERN_ALERT_DECRYPT_ERROR);
    assert_int_equal(tern_error_alert(TERN_ERR_CERT_UNKNOWN_CA), TERN_ALERT_UNKNOWN_CA);
    assert_int_equal(tern_error_alert(TERN_ERR_CERT_EXPIRED), TERN_ALERT_CERTIFICATE_EXPIRED);
    assert_int_equal(tern_error_alert(TERN_ERR_CERT_REVOKED), TERN_ALERT_CERTIFICATE_REVOKED);
    assert_int_equal(tern_error_alert(TERN_ERR_CERT_REVOCATION_UNKNOWN), TERN_ALERT_CERTIFICATE_UNKNOWN);
    assert_int_equal(tern_error_alert(TERN_ERR_NO_ALPN), TERN_ALERT_NO_APPLICATION_PROTOCOL);
    assert_int_equal(tern_error_alert(TERN_ERR_UNRECOGNIZED_NAME), TERN_ALERT_UNRECOGNIZED_NAME);
    assert_int_equal(tern_error_alert(TERN_ERR_PROTOCOL_VERSION), TERN_ALERT_PROTOCOL_VERSION);
    assert_int_equal(tern_error_alert(TERN_ERR_INTERNAL), TERN_ALERT_INTERNAL_ERROR);
    /* Codes that send no alert. */
    assert_int_equal(tern_error_alert(TERN_OK), -1);
    assert_int_equal(tern_error_alert(TERN_WANT_READ), -1);
    assert_int_equal(tern_error_alert(TERN_ERR_IO), -1);
    assert_int_equal(tern_error_alert(TERN_ERR_TRUNCATED), -1);
    assert_int_equal(tern_error_alert(TERN_ERR_PEER_ALERT), -1);
    /* Every error maps to an alert that has a name, or to none. */
    for (size_t i = 0; i < sizeof all_errors / sizeof all_errors[0]; i++) {
        int a = tern_error_alert(all_errors[i]);
        if (a >= 0)
            assert_non_null(tern_alert_name(a));
    }
    /* Unknown negative codes are internal errors. */
    assert_int_equal(tern_error_alert(-9999), TERN_ALERT_INTERNAL_ERROR);
}

static void test_alert_names(void **state) {
    (void)state;
    static const struct { int a; const char *n; } want[] = {
        {0, "close_notify"},          {10, "unexpected_message"},      {20, "bad_record_mac"},
        {21, "decryption_failed_RESERVED"}, {22, "record_overflow"},  {30, "decompression_failure"},
        {40, "handshake_failure"},    {41, "no_certificate_RESERVED"}, {42, "bad_certificate"},
        {43, "unsupported_certificate"}, {44, "certificate_revoked"}, {45, "certificate_expired"},
        {46, "certificate_unknown"},  {47, "illegal_parameter"},       {48, "unknown_ca"},
        {49, "access_denied"},        {50, "decode_error"},            {51, "decrypt_error"},
        {60, "export_restriction_RESERVED"}, {70, "protocol_version"}, {71, "insufficient_security"},
        {80, "internal_error"},       {90, "user_canceled"},           {100, "no_renegotiation"},
        {110, "unsupported_extension"}, {112, "unrecognized_name"},    {120, "no_application_protocol"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_non_null(tern_alert_name(want[i].a));
        assert_string_equal(tern_alert_name(want[i].a), want[i].n);
    }
    assert_null(tern_alert_name(1));
    assert_null(tern_alert_name(255));
}

static void test_cpu_override(void **state) {
    (void)state;
    unsetenv("TERN_CPU");
    tern_cpu_reset();
    uint32_t hw = tern_cpu();
    char buf[128];
    tern_cpu_describe(hw, buf, sizeof buf);
    print_message("cpu features: %s\n", buf);

    setenv("TERN_CPU", "portable", 1);
    tern_cpu_reset();
    assert_int_equal(tern_cpu(), 0);
    assert_false(tern_cpu_has(TERN_CPU_AESNI));
    tern_cpu_describe(tern_cpu(), buf, sizeof buf);
    assert_string_equal(buf, "portable");

    setenv("TERN_CPU", "-aesni,-vaes", 1);
    tern_cpu_reset();
    assert_int_equal(tern_cpu(), hw & ~(TERN_CPU_AESNI | TERN_CPU_VAES));

    setenv("TERN_CPU", "aesni,pclmul", 1);
    tern_cpu_reset();
    assert_int_equal(tern_cpu(), hw & (TERN_CPU_AESNI | TERN_CPU_PCLMUL));

    setenv("TERN_CPU", "nonsense", 1); /* keeps only known names: none */
    tern_cpu_reset();
    assert_int_equal(tern_cpu(), 0);

    /* An override can only remove features, never invent them. */
    setenv("TERN_CPU", "aesni,pclmul,shani,avx2,bmi2,adx,avx512f,avx512vl,avx512bw,avx512ifma,vaes,vpclmul", 1);
    tern_cpu_reset();
    assert_int_equal(tern_cpu() & ~hw, 0);

    unsetenv("TERN_CPU");
    tern_cpu_reset();
    assert_int_equal(tern_cpu(), hw);
    tern_cpu_describe(TERN_CPU_AESNI | TERN_CPU_SHANI, buf, sizeof buf);
    assert_string_equal(buf, "aesni shani");
    tern_cpu_describe(TERN_CPU_AESNI | TERN_CPU_SHANI, buf, 8); /* truncates cleanly */
    assert_string_equal(buf, "aesni");
}

static int failing_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    memset(buf, 0x55, len); /* leaves junk behind: tern must wipe it */
    return -1;
}

static void test_rand(void **state) {
    (void)state;
    uint8_t a[64], b[64];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    assert_int_equal(tern_rand_os(NULL, a, sizeof a), 0);
    assert_int_equal(tern_rand_fill(NULL, NULL, b, sizeof b), 0);
    /* 2^-512 chance of a false failure. */
    assert_false(tern_ct_memeq(a, b, sizeof a));
    assert_false(tern_ct_is_zero_mem(a, sizeof a));
    /* A large request exercises the chunking loop. */
    size_t big = (3u << 20) + 5;
    uint8_t *p = calloc(1, big);
    assert_non_null(p);
    assert_int_equal(tern_rand_os(NULL, p, big), 0);
    assert_false(tern_ct_is_zero_mem(p + big - 32, 32));
    free(p);

    assert_int_equal(tern_rand_fill(failing_rng, NULL, a, sizeof a), TERN_ERR_RNG);
    assert_true(tern_ct_is_zero_mem(a, sizeof a));

    uint64_t seed1 = 42, seed2 = 42;
    assert_int_equal(tern_rand_fill(tv_rng, &seed1, a, sizeof a), 0);
    assert_int_equal(tern_rand_fill(tv_rng, &seed2, b, sizeof b), 0);
    assert_memory_equal(a, b, sizeof a); /* deterministic for tests */
}

static char *write_temp(const char *text) {
    static char path[64];
    snprintf(path, sizeof path, "/tmp/tern-test-%d.txt", (int)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static void test_kat_reader(void **state) {
    (void)state;
    const char *path = write_temp("# comment\n"
                                  "[Keylen = 128]\n[IVlen = 96]\n\n"
                                  "Count = 0\nKey = 00ff\nPT = \n\n"
                                  "Count = 1\nKey = AB01\nFAIL\n\n"
                                  "[IVlen = 1024]\n"
                                  "Count = 2\r\nKey = 01\r\n");
    tv_file *f = tv_open(path);
    tv_case c;
    size_t n;
    assert_int_equal(tv_next(f, &c), 1);
    assert_int_equal(tv_get_long(&c, "Count", -1), 0);
    assert_string_equal(tv_get(&c, "Keylen"), "128");
    uint8_t *k = tv_get_hex(&c, "Key", &n);
    assert_int_equal(n, 2);
    assert_int_equal(k[0], 0x00);
    assert_int_equal(k[1], 0xff);
    free(k);
    assert_string_equal(tv_get(&c, "PT"), "");
    assert_null(tv_get(&c, "FAIL"));
    assert_int_equal(tv_next(f, &c), 1);
    assert_non_null(tv_get(&c, "FAIL"));
    k = tv_get_hex(&c, "Key", &n);
    assert_int_equal(k[0], 0xab);
    free(k);
    assert_int_equal(tv_next(f, &c), 1);
    assert_string_equal(tv_get(&c, "IVlen"), "1024");
    assert_string_equal(tv_get(&c, "Key"), "01");
    assert_int_equal(tv_next(f, &c), 0);
    tv_close(f);
    remove(path);

    uint8_t out[2];
    assert_int_equal(tv_unhex_into("zz00", out, 2), -1);
    assert_int_equal(tv_unhex_into("0011", out, 1), -1);
    char *h = tv_hex((const uint8_t *)"\x01\xfe", 2);
    assert_string_equal(h, "01fe");
    free(h);
}

static void test_json_reader(void **state) {
    (void)state;
    const char *path = write_temp("{\"a\": [1, 2.5, -3e2], \"s\": \"x\\\"y\\u00e9\", "
                                  "\"t\": true, \"n\": null, \"o\": {\"flags\": [\"Ktv\", \"Other\"]}}");
    json *j = json_load(path);
    const json *a = json_get(j, "a");
    assert_non_null(a);
    assert_int_equal(a->type, J_ARR);
    assert_int_equal(a->n, 3);
    assert_true(a->items[1]->num == 2.5);
    assert_true(a->items[2]->num == -300);
    assert_string_equal(json_str(j, "s"), "x\"y\xc3\xa9");
    assert_int_equal(json_get(j, "t")->type, J_BOOL);
    assert_int_equal(json_get(j, "n")->type, J_NULL);
    assert_null(json_get(j, "missing"));
    assert_true(json_has_flag(json_get(j, "o"), "Ktv"));
    assert_false(json_has_flag(json_get(j, "o"), "Nope"));
    assert_true(json_num(j, "missing", 7) == 7);
    json_free(j);
    remove(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror),   cmocka_unit_test(test_error_alerts), cmocka_unit_test(test_alert_names),
        cmocka_unit_test(test_cpu_override), cmocka_unit_test(test_rand),       cmocka_unit_test(test_kat_reader),
        cmocka_unit_test(test_json_reader),
    };
    return cmocka_run_group_tests_name("foundation", tests, NULL, NULL);
}
