/*
 * Tests for crypto/prf.c, the TLS 1.2 PRF (RFC 5246 §5):
 *  - kat/tls12_prf.txt: the IETF TLS list P_SHA256/384/512 vectors and the
 *    NIST CAVP master secret / key block, with the seed split between
 *    seed1 and seed2 at every offset and every shorter output length
 *    checked to be a prefix;
 *  - tls12-trace/trace.txt: a real handshake's master secret, 104-byte key
 *    block (and its split), transcript hashes over the listed handshake
 *    messages and both Finished verify_data, recomputed from the
 *    pre-master secret and the randoms;
 *  - refusals; and (with libcrypto) random lengths against OpenSSL's
 *    TLS1-PRF.
 * Every suite runs on the portable block functions and on the accelerated
 * ones (SHA-NI, AVX2 for SHA-384/512).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "crypto/cpu.h"
#include "crypto/hmac.h"
#include "crypto/sha2_impl.h"
#include "tests/util/hashpaths.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#endif

/* Which block functions each suite runs on: tests/util/hashpaths.h. */

static tern_hash_alg alg_by_name(const char *name) {
    if (strcmp(name, "sha256") == 0)
        return TERN_HASH_SHA256;
    if (strcmp(name, "sha384") == 0)
        return TERN_HASH_SHA384;
    if (strcmp(name, "sha512") == 0)
        return TERN_HASH_SHA512;
    fail_msg("unknown hash %s", name);
    return (tern_hash_alg)0;
}

static void expect_bytes(const uint8_t *got, const uint8_t *want, size_t n, const char *what) {
    if (memcmp(got, want, n) != 0) {
        char *g = tv_hex(got, n), *w = tv_hex(want, n);
        print_message("%s\n  got  %s\n  want %s\n", what, g, w);
        free(g);
        free(w);
        fail();
    }
}

/* ---- kat/tls12_prf.txt ---- */
static void test_prf_vectors(void **state) {
    SKIP_UNLESS_PATH(state);
    tv_file *f = tv_open(tv_path("kat/tls12_prf.txt"));
    tv_case c;
    int ncases = 0;
    while (tv_next(f, &c)) {
        tern_hash_alg alg = alg_by_name(tv_get(&c, "hash"));
        size_t sl, seedl, ol, ll;
        uint8_t *secret = tv_get_hex(&c, "secret", &sl);
        uint8_t *seed = tv_get_hex(&c, "seed", &seedl);
        uint8_t *want = tv_get_hex(&c, "output", &ol);
        uint8_t *labelhex = tv_get_hex(&c, "label", &ll);
        const char *label = tv_get(&c, "label_ascii");
        assert_non_null(secret);
        assert_non_null(seed);
        assert_non_null(want);
        assert_non_null(label);
        /* The ASCII and hex forms of the label must agree. */
        assert_int_equal(strlen(label), ll);
        assert_memory_equal(label, labelhex, ll);
        assert_int_equal((long)ol, tv_get_long(&c, "length", -1));
        uint8_t *out = malloc(ol + 1);
        assert_non_null(out);

        assert_int_equal(tern_tls12_prf(alg, secret, sl, label, seed, seedl, NULL, 0, out, ol), 0);
        expect_bytes(out, want, ol, tv_get(&c, "case"));

        /* seed1 || seed2 is one seed, wherever it is cut. */
        for (size_t cut = 0; cut <= seedl; cut++) {
            memset(out, 0, ol);
            assert_int_equal(tern_tls12_prf(alg, secret, sl, label, seed, cut, seed + cut, seedl - cut, out, ol), 0);
            expect_bytes(out, want, ol, "seed split");
        }
        /* Any shorter output is a prefix, and nothing past it is written. */
        for (size_t n = 0; n <= ol; n++) {
            memset(out, 0xee, ol + 1);
            assert_int_equal(tern_tls12_prf(alg, secret, sl, label, seed, seedl, NULL, 0, out, n), 0);
            expect_bytes(out, want, n, "shorter output");
            for (size_t k = n; k <= ol; k++)
                assert_int_equal(out[k], 0xee);
        }
        free(out);
        free(secret);
        free(seed);
        free(want);
        free(labelhex);
        ncases++;
    }
    tv_close(f);
    assert_int_equal(ncases, 5);
}

/* ---- tls12-trace/trace.txt ---- */

/* The trace is a list of sections; every name is unique, so gather them. */
typedef struct {
    int n;
    char *name[128];
    char *value[128];
} trace_t;

static void trace_load(trace_t *t) {
    tv_file *f = tv_open(tv_path("tls12-trace/trace.txt"));
    tv_case c;
    t->n = 0;
    while (tv_next(f, &c)) {
        for (int i = 0; i < c.nfields; i++) {
            assert_true(t->n < 128);
            t->name[t->n] = strdup(c.name[i]);
            t->value[t->n] = strdup(c.value[i]);
            t->n++;
        }
    }
    tv_close(f);
}

static void trace_free(trace_t *t) {
    for (int i = 0; i < t->n; i++) {
        free(t->name[i]);
        free(t->value[i]);
    }
}

static const char *trace_get(const trace_t *t, const char *name) {
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->name[i], name) == 0)
            return t->value[i];
    fail_msg("trace.txt has no %s", name);
    return NULL;
}

static uint8_t *trace_hex(const trace_t *t, const char *name, size_t *len) {
    return tv_unhex(trace_get(t, name), len);
}

/* A quoted ASCII label: "master secret" -> master secret (malloc'd). */
static char *trace_label(const trace_t *t, const char *name) {
    const char *v = trace_get(t, name);
    size_t n = strlen(v);
    assert_true(n >= 2 && v[0] == '"' && v[n - 1] == '"');
    char *s = strndup(v + 1, n - 2);
    assert_non_null(s);
    return s;
}

static void test_trace(void **state) {
    SKIP_UNLESS_PATH(state);
    trace_t t;
    trace_load(&t);
    size_t crl, srl, pmsl, msl, kbl, n;
    uint8_t *cr = trace_hex(&t, "client_random", &crl);
    uint8_t *sr = trace_hex(&t, "server_random", &srl);
    uint8_t *pms = trace_hex(&t, "premaster_secret", &pmsl);
    uint8_t *ms_want = trace_hex(&t, "master_secret", &msl);
    uint8_t *kb_want = trace_hex(&t, "key_expansion_output_104", &kbl);
    assert_int_equal(crl, 32);
    assert_int_equal(srl, 32);
    assert_int_equal(msl, 48);
    assert_int_equal(kbl, 104);

    /* RFC 5246 §8.1: master_secret = PRF(pms, "master secret",
     * ClientHello.random + ServerHello.random)[0..47]. */
    char *label = trace_label(&t, "master_secret_label");
    assert_string_equal(label, "master secret");
    uint8_t ms[48];
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA256, pms, pmsl, label, cr, 32, sr, 32, ms, sizeof ms), 0);
    expect_bytes(ms, ms_want, 48, "master secret");
    free(label);

    /* §6.3: key_block = PRF(ms, "key expansion", server_random + client_random). */
    label = trace_label(&t, "key_expansion_label");
    uint8_t kb[104];
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA256, ms, 48, label, sr, 32, cr, 32, kb, sizeof kb), 0);
    expect_bytes(kb, kb_want, 104, "key block");
    free(label);
    /* The split, as the CBC-SHA suite cuts it (MAC keys 20, keys 16, IVs 16). */
    static const struct {
        const char *name;
        size_t off, len;
    } parts[] = {{"client_write_mac_key", 0, 20}, {"server_write_mac_key", 20, 20}, {"client_write_key", 40, 16},
                 {"server_write_key", 56, 16},    {"client_write_iv", 72, 16},      {"server_write_iv", 88, 16}};
    for (size_t i = 0; i < TERN_ARRAY_LEN(parts); i++) {
        uint8_t *p = trace_hex(&t, parts[i].name, &n);
        assert_int_equal(n, parts[i].len);
        expect_bytes(kb + parts[i].off, p, n, parts[i].name);
        free(p);
    }

    /* §7.4.9: verify_data = PRF(ms, finished_label, Hash(handshake_messages))[0..11],
     * the transcript being the handshake messages in order. */
    static const char *const msgs[] = {"client_hello",        "server_hello",      "certificate",
                                       "server_key_exchange", "server_hello_done", "client_key_exchange"};
    tern_sha256_ctx tr;
    tern_sha256_init(&tr);
    for (size_t i = 0; i < TERN_ARRAY_LEN(msgs); i++) {
        uint8_t *m = trace_hex(&t, msgs[i], &n);
        /* Each is a whole handshake message: 4-byte header + its length. */
        assert_true(n >= 4);
        assert_int_equal(n - 4, (size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3]);
        tern_sha256_update(&tr, m, n);
        free(m);
    }
    uint8_t h[32], vd[12];
    tern_sha256_ctx snap = tr; /* the running transcript goes on after the client Finished */
    tern_sha256_final(&snap, h);
    uint8_t *want = trace_hex(&t, "transcript_hash_client_finished", &n);
    expect_bytes(h, want, 32, "transcript hash for the client Finished");
    free(want);
    label = trace_label(&t, "client_finished_label");
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA256, ms, 48, label, h, 32, NULL, 0, vd, 12), 0);
    free(label);
    want = trace_hex(&t, "client_verify_data", &n);
    assert_int_equal(n, 12);
    expect_bytes(vd, want, 12, "client verify_data");
    free(want);
    /* The client Finished message is type 20, length 12, verify_data. */
    uint8_t fin[16] = {0x14, 0x00, 0x00, 0x0c};
    memcpy(fin + 4, vd, 12);
    want = trace_hex(&t, "client_finished_message", &n);
    assert_int_equal(n, 16);
    expect_bytes(fin, want, 16, "client Finished message");
    free(want);

    tern_sha256_update(&tr, fin, sizeof fin);
    tern_sha256_final(&tr, h);
    want = trace_hex(&t, "transcript_hash_server_finished", &n);
    expect_bytes(h, want, 32, "transcript hash for the server Finished");
    free(want);
    label = trace_label(&t, "server_finished_label");
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA256, ms, 48, label, h, 32, NULL, 0, vd, 12), 0);
    free(label);
    want = trace_hex(&t, "server_verify_data", &n);
    expect_bytes(vd, want, 12, "server verify_data");
    free(want);

    free(cr);
    free(sr);
    free(pms);
    free(ms_want);
    free(kb_want);
    trace_free(&t);
}

static void test_refusals(void **state) {
    (void)state;
    uint8_t out[16] = {0};
    static const int bad[] = {0, 1, 2, 3, 7, 255};
    for (size_t i = 0; i < TERN_ARRAY_LEN(bad); i++)
        assert_int_equal(tern_tls12_prf((tern_hash_alg)bad[i], (const uint8_t *)"s", 1, "l", NULL, 0, NULL, 0, out, 16),
                         TERN_ERR_UNSUPPORTED);
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA256, (const uint8_t *)"s", 1, "l", NULL, 3, NULL, 0, out, 16),
                     TERN_ERR_INVALID_ARG);
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA256, (const uint8_t *)"s", 1, "l", NULL, 0, NULL, 0, NULL, 16),
                     TERN_ERR_INVALID_ARG);
    /* Zero output bytes is a valid, empty request. */
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA256, (const uint8_t *)"s", 1, "l", NULL, 0, NULL, 0, NULL, 0), 0);
    /* Different labels give different outputs (the label is really mixed in). */
    uint8_t a[16], b[16];
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA384, (const uint8_t *)"s", 1, "client finished", NULL, 0, NULL, 0, a, 16), 0);
    assert_int_equal(tern_tls12_prf(TERN_HASH_SHA384, (const uint8_t *)"s", 1, "server finished", NULL, 0, NULL, 0, b, 16), 0);
    assert_memory_not_equal(a, b, 16);
}

#ifdef TERN_TEST_HAVE_OPENSSL
static void ossl_prf(const char *digest, const uint8_t *secret, size_t sl, const uint8_t *seed, size_t seedl,
                     uint8_t *out, size_t outlen) {
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    assert_non_null(kdf);
    EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
    assert_non_null(kc);
    OSSL_PARAM p[4];
    p[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)digest, 0);
    p[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, sl);
    p[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seedl);
    p[3] = OSSL_PARAM_construct_end();
    assert_int_equal(EVP_KDF_derive(kc, out, outlen, p), 1);
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(kdf);
}

static void test_vs_openssl(void **state) {
    SKIP_UNLESS_PATH(state);
    uint8_t buf[400], a[300], b[300];
    uint64_t seed = 0x707266ull;
    assert_int_equal(tv_rng(&seed, buf, sizeof buf), 0);
    static const char label[] = "key expansion";
    uint8_t lseed[13 + 64];
    memcpy(lseed, label, 13);
    memcpy(lseed + 13, buf + 200, 64);
    for (size_t outlen = 1; outlen <= 300; outlen += 23) {
        size_t sl = outlen % 150; /* secrets up to longer than a block */
        assert_int_equal(tern_tls12_prf(TERN_HASH_SHA256, buf, sl, label, buf + 200, 32, buf + 232, 32, a, outlen), 0);
        ossl_prf("SHA256", buf, sl, lseed, sizeof lseed, b, outlen);
        assert_memory_equal(a, b, outlen);
        assert_int_equal(tern_tls12_prf(TERN_HASH_SHA384, buf, sl, label, buf + 200, 64, NULL, 0, a, outlen), 0);
        ossl_prf("SHA384", buf, sl, lseed, sizeof lseed, b, outlen);
        assert_memory_equal(a, b, outlen);
    }
}
#endif

int main(void) {
    const struct CMUnitTest tests[] = {
        ALL_PATHS(test_prf_vectors),
        SHA256_PATHS(test_trace),
        cmocka_unit_test(test_refusals),
#ifdef TERN_TEST_HAVE_OPENSSL
        ALL_PATHS(test_vs_openssl),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
