/*
 * PKCS#12 (lib/x509/pkcs12.c): files written by `openssl pkcs12 -export`
 * at test time (into the build directory's tmp/, next to this binary), by
 * Java's keytool (committed, vectors/p12/), and RFC 9579 Appendix A.1
 * (PBMAC1).  Each refusal is checked for its code and its sentence: the
 * legacy schemes, a wrong password, a MAC that does not verify, truncation
 * at every length, a bit flipped at every byte, huge iteration counts, a
 * key store used as a trust store and the other way round.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "crypto/pbkdf.h"
#include "lib/x509/pem.h"
#include "lib/x509/pkcs12.h"
#include "tern/tern.h"
#include "tests/util/testutil.h"

#define PW "secret"
static char dir[1024];   /* where the openssl fixtures go */
static int have_openssl; /* 1: they were made; 0: no openssl; -1: openssl failed to make them */

static int sh(const char *fmt, ...) {
    char cmd[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static const char *fx(const char *name) {
    static char path[4][1200];
    static int k;
    k = (k + 1) % 4;
    snprintf(path[k], sizeof path[k], "%s/%s", dir, name);
    return path[k];
}

/* The fixtures: the test server chain (leaf, intermediate, root) with its
 * RSA key, under each option the issue names. */
static int make_fixtures(const char *argv0) {
    char build[900];
    snprintf(build, sizeof build, "%s", argv0);
    char *slash = strrchr(build, '/');
    if (slash == NULL)
        return 0;
    *slash = 0; /* BUILD/tests */
    snprintf(dir, sizeof dir, "%s/../tmp/p12.%d", build, (int)getpid());
    if (sh("openssl version >/dev/null 2>&1") != 0)
        return 0;
    if (sh("mkdir -p %s", dir) != 0)
        return -1;
    const char *C = "vectors/certs";
    /* -certfile gives the CAs root first: tern orders them from the leaf. */
    int bad = sh("cat %s/root-ca.crt %s/int-ca.crt > %s/cas.pem", C, C, dir);
    const char *base = "openssl pkcs12 -export -in vectors/certs/server.crt -inkey vectors/certs/server.key "
                       "-certfile %s/cas.pem -name server %s -passout pass:%s -out %s/%s 2>/dev/null";
    bad |= sh(base, dir, "", PW, dir, "default.p12");
    bad |= sh(base, dir, "-legacy", PW, dir, "legacy.p12");
    bad |= sh(base, dir, "-keypbe AES-128-CBC -certpbe AES-128-CBC", PW, dir, "aes128.p12");
    bad |= sh(base, dir, "-macalg sha512", PW, dir, "sha512.p12");
    bad |= sh(base, dir, "-macalg sha1", PW, dir, "sha1.p12");
    bad |= sh(base, dir, "-nomac", PW, dir, "nomac.p12");
    bad |= sh(base, dir, "-keypbe DES-EDE3-CBC", PW, dir, "pbes2-3des.p12");
    bad |= sh(base, dir, "-keypbe NONE -certpbe NONE", PW, dir, "plain.p12");
    bad |= sh(base, dir, "", "", dir, "empty-pw.p12");
    bad |= sh(base, dir, "", "'p\303\244ssw\303\266rd\342\202\254\360\235\204\236'", dir, "utf8.p12");
    bad |= sh("openssl pkcs12 -export -nokeys -in %s/root-ca.crt -certfile %s/int-ca.crt -passout pass:%s "
              "-out %s/nokeys.p12 2>/dev/null",
              C, C, PW, dir);
    bad |= sh("openssl pkcs12 -export -in %s/ec-server.crt -inkey %s/ec-server.key -certfile %s/int-ca.crt "
              "-passout pass:%s -out %s/ec.p12 2>/dev/null",
              C, C, C, PW, dir);
    return bad == 0 ? 1 : -1;
}

static uint8_t *slurp(const char *path, size_t *len) { return (uint8_t *)tv_slurp(path, len); }

#define NEED_OPENSSL()                                                                                                 \
    do {                                                                                                               \
        if (have_openssl == 0) {                                                                                       \
            print_message("openssl not installed: the openssl-made fixtures are skipped\n");                          \
            skip();                                                                                                    \
        }                                                                                                              \
        assert_int_equal(have_openssl, 1); /* openssl is there but could not make them */                            \
    } while (0)

/* tern_p12_load on a file with a password; p holds the result. */
static int load(tern_p12 *p, const char *path, const char *pw) {
    size_t len;
    uint8_t *der = slurp(path, &len);
    tern_p12_init(p);
    int rc = tern_p12_load(p, der, len, (const uint8_t *)pw, strlen(pw));
    free(der);
    return rc;
}

static int has(const char *s, const char *sub) {
    if (strstr(s, sub) == NULL) {
        print_message("\"%s\" not in \"%s\"\n", sub, s);
        return 0;
    }
    return 1;
}

/* ---- the password and the sniffing ---- */

static void test_bmp_password(void **state) {
    (void)state;
    uint8_t out[64];
    size_t n;
    /* RFC 7292 Appendix B.1: "Beavis" -> 00 42 00 65 ... 00 00. */
    assert_int_equal(tern_p12_bmp_password((const uint8_t *)"Beavis", 6, out, sizeof out, &n), 0);
    assert_int_equal(n, 14);
    assert_memory_equal(out, "\0B\0e\0a\0v\0i\0s\0\0", 14);
    assert_int_equal(tern_p12_bmp_password(NULL, 0, out, sizeof out, &n), 0);
    assert_int_equal(n, 2);
    /* U+00E9, U+20AC, U+1D11E (a surrogate pair in UTF-16). */
    assert_int_equal(tern_p12_bmp_password((const uint8_t *)"\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e", 9, out,
                                           sizeof out, &n),
                     0);
    assert_int_equal(n, 10);
    assert_memory_equal(out, "\x00\xe9\x20\xac\xd8\x34\xdd\x1e\x00\x00", 10);
    /* Not UTF-8: a bad continuation, overlong forms, a surrogate, past
     * U+10FFFF, a truncated sequence, a lone continuation byte. */
    static const char *const bad[] = {"\xc3\x28", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
                                      "\xf4\x90\x80\x80", "\xe2\x82", "\x80", "\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(tern_p12_bmp_password((const uint8_t *)bad[i], strlen(bad[i]), out, sizeof out, &n),
                         TERN_ERR_INVALID_ARG);
    /* Too small an output is refused, never overrun. */
    assert_int_equal(tern_p12_bmp_password((const uint8_t *)"abc", 3, out, 7, &n), TERN_ERR_BUFFER_TOO_SMALL);
}

/* A plain decoder (branches and all) to hold the masked one against. */
static int ref_bmp(const uint8_t *p, size_t len, uint8_t *out, size_t *outlen) {
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t c = p[i], need = c < 0x80 ? 0 : (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 9;
        if (need == 9 || i + need >= len) /* not a lead byte, or the input ends inside the character */
            return -1;
        static const uint32_t lead_mask[] = {0x7f, 0x1f, 0x0f, 0x07}, mins[] = {0, 0x80, 0x800, 0x10000};
        c &= lead_mask[need];
        for (uint32_t k = 1; k <= need; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return -1;
            c = (c << 6) | (p[i + k] & 0x3f);
        }
        if (c < mins[need] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
            return -1;
        i += need + 1;
        if (c >= 0x10000) {
            uint32_t v = c - 0x10000, hi = 0xd800 | (v >> 10), lo = 0xdc00 | (v & 0x3ff);
            out[n++] = (uint8_t)(hi >> 8), out[n++] = (uint8_t)hi, out[n++] = (uint8_t)(lo >> 8), out[n++] = (uint8_t)lo;
        } else {
            out[n++] = (uint8_t)(c >> 8), out[n++] = (uint8_t)c;
        }
    }
    out[n++] = 0, out[n++] = 0;
    *outlen = n;
    return 0;
}

/* The masked decoder against the plain one: every 1- and 2-byte input,
 * and random inputs of up to 9 bytes from the bytes where UTF-8's rules
 * change (so every lead, continuation, overlong and limit case meets). */
static void test_bmp_password_reference(void **state) {
    (void)state;
    static const uint8_t edge[] = {0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2,
                                   0xdf, 0xe0, 0xed, 0xee, 0xef, 0xf0, 0xf3, 0xf4, 0xf5, 0xf8, 0xfe, 0xff};
    uint8_t in[9], got[32], want[32];
    size_t gn = 0, wn = 0;
    unsigned long checked = 0, valid = 0;
    uint32_t x = 12345;
    for (unsigned long t = 0; t < 65536 + 256 + 300000; t++) {
        size_t len;
        if (t < 256) {
            len = 1, in[0] = (uint8_t)t;
        } else if (t < 256 + 65536) {
            len = 2, in[0] = (uint8_t)((t - 256) >> 8), in[1] = (uint8_t)(t - 256);
        } else {
            x ^= x << 13, x ^= x >> 17, x ^= x << 5;
            len = 1 + x % 9;
            for (size_t i = 0; i < len; i++) {
                x ^= x << 13, x ^= x >> 17, x ^= x << 5;
                in[i] = edge[x % sizeof edge];
            }
        }
        int r1 = tern_p12_bmp_password(in, len, got, sizeof got, &gn);
        int r2 = ref_bmp(in, len, want, &wn);
        if ((r1 == 0) != (r2 == 0) || (r1 == 0 && (gn != wn || memcmp(got, want, wn) != 0)))
            fail_msg("input of %zu bytes (first %02x): masked %d/%zu, plain %d/%zu", len, in[0], r1, gn, r2, wn);
        if (r1 != 0)
            assert_int_equal(r1, TERN_ERR_INVALID_ARG);
        checked++;
        valid += r1 == 0;
    }
    assert_true(valid > 1000 && valid < checked); /* both kinds were met */
}

static void test_sniff(void **state) {
    (void)state;
    NEED_OPENSSL();
    size_t len;
    uint8_t *der = slurp(fx("default.p12"), &len);
    assert_int_equal(tern_p12_sniff(der, len), 1);
    free(der);
    der = slurp("vectors/certs/server.crt", &len); /* PEM */
    assert_int_equal(tern_p12_sniff(der, len), 0);
    free(der);
    static const uint8_t v2[] = {0x30, 0x05, 0x02, 0x01, 0x02, 0x30, 0x00}; /* version 2 */
    static const uint8_t v3[] = {0x30, 0x05, 0x02, 0x01, 0x03, 0x30, 0x00};
    assert_int_equal(tern_p12_sniff(v2, sizeof v2), 0);
    assert_int_equal(tern_p12_sniff(v3, sizeof v3), 1);
    assert_int_equal(tern_p12_sniff(v3, 3), 0);
}

/* ---- what OpenSSL 3 writes ---- */

static void check_server_store(const char *path, const char *pw) {
    tern_keystore ks;
    size_t len, n;
    uint8_t *der = slurp(path, &len);
    assert_int_equal(tern_p12_keystore(&ks, der, len, (const uint8_t *)pw, strlen(pw), NULL), 0);
    free(der);
    assert_int_equal(ks.key_type, TERN_X509_KEY_RSA);
    /* Leaf then intermediate; the self-signed root is not sent. */
    assert_int_equal(ks.n, 2);
    uint8_t *pem = slurp("vectors/certs/server.crt", &len), dec[4096];
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, pem, len);
    assert_int_equal(tern_pem_next(&r, &b), 1);
    assert_int_equal(tern_pem_decode(&b, dec, sizeof dec, &n), 0);
    assert_int_equal(ks.chain_len[0], n);
    assert_memory_equal(ks.chain[0], dec, n);
    free(pem);
    char label[128];
    tern_x509_cert c;
    assert_int_equal(tern_x509_parse(&c, ks.chain[1], ks.chain_len[1]), 0);
    tern_x509_cert_label(&c, label, sizeof label);
    assert_non_null(strstr(label, "Test Intermediate"));
    tern_keystore_free(&ks);
}

static void test_openssl_default(void **state) {
    (void)state;
    NEED_OPENSSL();
    tern_p12 p;
    assert_int_equal(load(&p, fx("default.p12"), PW), 0);
    /* OpenSSL 3: HMAC-SHA-256 with the PKCS#12 KDF, 2048 iterations; the
     * certificates in an encrypted part, the key shrouded. */
    assert_int_equal(p.mac, TERN_P12_MAC_KDF);
    assert_int_equal(p.mac_hash, TERN_HASH_SHA256);
    assert_int_equal(p.mac_iterations, 2048);
    assert_int_equal(p.ncerts, 3);
    assert_int_equal(p.nkeys, 1);
    assert_int_equal(p.encrypted_parts, 1);
    assert_true(p.keys[0].shrouded);
    assert_string_equal(p.keys[0].a.name, "server");
    assert_true(p.keys[0].a.key_id_len > 0);
    char d[128];
    tern_p12_describe_mac(&p, d, sizeof d);
    assert_string_equal(d, "HMAC-SHA-256, PKCS#12 KDF, 2048 iterations");
    tern_p12_free(&p);
    check_server_store(fx("default.p12"), PW);
}

static void test_openssl_variants(void **state) {
    (void)state;
    NEED_OPENSSL();
    check_server_store(fx("aes128.p12"), PW);
    check_server_store(fx("sha512.p12"), PW);
    check_server_store(fx("sha1.p12"), PW); /* older files: an integrity check, SHA-1 is fine there */
    check_server_store(fx("plain.p12"), PW);
    check_server_store(fx("empty-pw.p12"), "");
    check_server_store(fx("utf8.p12"), "p\303\244ssw\303\266rd\342\202\254\360\235\204\236");
    tern_p12 p;
    assert_int_equal(load(&p, fx("sha512.p12"), PW), 0);
    assert_int_equal(p.mac_hash, TERN_HASH_SHA512);
    tern_p12_free(&p);
    assert_int_equal(load(&p, fx("sha1.p12"), PW), 0);
    assert_int_equal(p.mac_hash, TERN_HASH_SHA1);
    tern_p12_free(&p);
    assert_int_equal(load(&p, fx("plain.p12"), PW), 0);
    assert_int_equal(p.encrypted_parts, 0);
    assert_false(p.keys[0].shrouded);
    tern_p12_free(&p);
    /* An EC key, the intermediate given, no root. */
    tern_keystore ks;
    size_t len;
    uint8_t *der = slurp(fx("ec.p12"), &len);
    assert_int_equal(tern_p12_keystore(&ks, der, len, (const uint8_t *)PW, strlen(PW), NULL), 0);
    assert_int_equal(ks.key_type, TERN_X509_KEY_EC);
    assert_int_equal(ks.n, 2);
    tern_keystore_free(&ks);
    free(der);
}

static void test_legacy_refused(void **state) {
    (void)state;
    NEED_OPENSSL();
    tern_p12 p;
    /* openssl -legacy: certificates under RC2-40, the key under 3DES, a
     * SHA-1 MAC (which verifies: the refusal names the scheme). */
    assert_int_equal(load(&p, fx("legacy.p12"), PW), TERN_ERR_UNSUPPORTED);
    assert_true(has(p.msg, "pbeWithSHAAnd40BitRC2-CBC"));
    assert_true(has(p.msg, "openssl pkcs12 -legacy"));
    assert_true(has(p.msg, "openssl pkcs12 -in old.p12 -nodes | openssl pkcs12 -export -out new.p12"));
    tern_p12_free(&p);
    /* PBES2, but with 3DES for the key: pkcs8.c names the cipher, the
     * sentence gives the PKCS#12 re-export command. */
    assert_int_equal(load(&p, fx("pbes2-3des.p12"), PW), TERN_ERR_UNSUPPORTED);
    assert_true(has(p.msg, "PKCS#12: the private key \"server\": encrypted with PBES2 and DES-EDE3-CBC"));
    assert_true(has(p.msg, "re-export with AES: openssl pkcs12 -in old.p12 -nodes | openssl pkcs12 -export"));
    tern_p12_free(&p);
}

static void test_nomac(void **state) {
    (void)state;
    NEED_OPENSSL();
    tern_p12 p;
    assert_int_equal(load(&p, fx("nomac.p12"), PW), 0);
    assert_int_equal(p.mac, TERN_P12_MAC_NONE);
    tern_p12_free(&p);
    tern_config *cfg = tern_config_new();
    assert_int_equal(tern_config_load_keystore_p12(cfg, fx("nomac.p12"), PW), 0);
    assert_true(has(tern_config_error(cfg), "has no MAC"));
    /* With a MAC: nothing to say. */
    assert_int_equal(tern_config_load_keystore_p12(cfg, fx("default.p12"), PW), 0);
    assert_string_equal(tern_config_error(cfg), "");
    tern_config_free(cfg);
}

static void test_wrong_password(void **state) {
    (void)state;
    NEED_OPENSSL();
    tern_p12 p;
    assert_int_equal(load(&p, fx("default.p12"), "Secret"), TERN_ERR_DECRYPT_FAILED);
    assert_true(has(p.msg, "wrong password, or the file was altered"));
    tern_p12_free(&p);
    assert_int_equal(load(&p, fx("empty-pw.p12"), "x"), TERN_ERR_DECRYPT_FAILED);
    tern_p12_free(&p);
    /* Not UTF-8: said as such, not as a wrong password. */
    assert_int_equal(load(&p, fx("utf8.p12"), "p\344ssw\366rd"), TERN_ERR_INVALID_ARG);
    assert_true(has(p.msg, "not valid UTF-8"));
    tern_p12_free(&p);
    /* Without a MAC the wrong password is found by the PBES2 padding. */
    assert_int_equal(load(&p, fx("nomac.p12"), "Secret"), TERN_ERR_DECRYPT_FAILED);
    assert_true(has(p.msg, "wrong password"));
    tern_p12_free(&p);
    tern_config *cfg = tern_config_new();
    assert_int_equal(tern_config_load_keystore_p12(cfg, fx("default.p12"), "nope"), TERN_ERR_DECRYPT_FAILED);
    assert_true(has(tern_config_error(cfg), "default.p12: PKCS#12: the MAC does not verify"));
    tern_config_free(cfg);
}

static void test_truncated(void **state) {
    (void)state;
    NEED_OPENSSL();
    size_t len;
    uint8_t *der = slurp(fx("default.p12"), &len);
    tern_p12 p;
    for (size_t n = 0; n < len; n++) {
        tern_p12_init(&p);
        int rc = tern_p12_load(&p, der, n, (const uint8_t *)PW, strlen(PW));
        assert_int_equal(rc, TERN_ERR_DECODE);
        assert_true(has(p.msg, "PKCS#12: the file is not one DER PFX"));
        tern_p12_free(&p);
    }
    /* A trailing byte is not a PFX either. */
    uint8_t *more = malloc(len + 1);
    memcpy(more, der, len);
    more[len] = 0;
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, more, len + 1, (const uint8_t *)PW, strlen(PW)), TERN_ERR_DECODE);
    tern_p12_free(&p);
    free(more);
    free(der);
}

/* One bit flipped in every byte: never loads, and the sentence says which
 * part: the structure (decode), the MAC, or an algorithm. */
static void flips(const char *name) {
    size_t len, mac = 0, decode = 0, other = 0;
    uint8_t *der = slurp(fx(name), &len);
    for (size_t i = 0; i < len; i++) {
        der[i] ^= (uint8_t)(1u << (i % 8));
        tern_p12 p;
        tern_p12_init(&p);
        int rc = tern_p12_load(&p, der, len, (const uint8_t *)PW, strlen(PW));
        if (rc == 0)
            print_message("flip at %zu loaded\n", i);
        assert_true(rc < 0);
        assert_true(strncmp(p.msg, "PKCS#12: ", 9) == 0);
        if (rc == TERN_ERR_DECRYPT_FAILED)
            mac += strstr(p.msg, "the MAC does not verify") != NULL;
        else if (rc == TERN_ERR_DECODE)
            decode++;
        else
            other++;
        tern_p12_free(&p);
        der[i] ^= (uint8_t)(1u << (i % 8));
    }
    print_message("%s: %zu flips: %zu MAC, %zu structure, %zu other\n", name, len, mac, decode, other);
    /* The authSafe content is most of the file: those flips fail the MAC. */
    assert_true(mac > len / 2);
    assert_true(decode > 0);
    free(der);
}

static void test_bit_flips(void **state) {
    (void)state;
    NEED_OPENSSL();
    flips("nokeys.p12");  /* certificates in an encrypted part */
    flips("default.p12"); /* and a shrouded key */
}

/* The PFX rebuilt with another MAC iteration count (what a hostile file
 * would do to make loading spin). */
static size_t der_len(uint8_t *out, size_t len) {
    if (len < 0x80) {
        out[0] = (uint8_t)len;
        return 1;
    }
    if (len < 0x100) {
        out[0] = 0x81, out[1] = (uint8_t)len;
        return 2;
    }
    out[0] = 0x82, out[1] = (uint8_t)(len >> 8), out[2] = (uint8_t)len;
    return 3;
}

static size_t with_iterations(const uint8_t *der, size_t len, const uint8_t *iter, size_t iterlen, uint8_t *out) {
    tern_reader r, pfx, md;
    tern_der_elem v, ci, mdata, di, salt;
    tern_rd_init(&r, der, len);
    assert_int_equal(tern_der_expect(&r, TERN_DER_SEQUENCE, &pfx), 0);
    assert_int_equal(tern_der_expect_elem(&pfx, TERN_DER_INTEGER, &v), 0);
    assert_int_equal(tern_der_expect_elem(&pfx, TERN_DER_SEQUENCE, &ci), 0);
    assert_int_equal(tern_der_expect_elem(&pfx, TERN_DER_SEQUENCE, &mdata), 0);
    tern_rd_init(&md, mdata.content.p, mdata.content.len);
    assert_int_equal(tern_der_expect_elem(&md, TERN_DER_SEQUENCE, &di), 0);
    assert_int_equal(tern_der_expect_elem(&md, TERN_DER_OCTET_STRING, &salt), 0);
    uint8_t mdc[512], hdr[8];
    size_t m = 0;
    memcpy(mdc + m, di.tlv.p, di.tlv.len), m += di.tlv.len;
    memcpy(mdc + m, salt.tlv.p, salt.tlv.len), m += salt.tlv.len;
    memcpy(mdc + m, iter, iterlen), m += iterlen;
    size_t inner = v.tlv.len + ci.tlv.len + 1 + der_len(hdr, m) + m, o = 0;
    out[o++] = 0x30;
    o += der_len(out + o, inner);
    memcpy(out + o, v.tlv.p, v.tlv.len), o += v.tlv.len;
    memcpy(out + o, ci.tlv.p, ci.tlv.len), o += ci.tlv.len;
    out[o++] = 0x30;
    o += der_len(out + o, m);
    memcpy(out + o, mdc, m), o += m;
    return o;
}

static void test_iterations(void **state) {
    (void)state;
    NEED_OPENSSL();
    size_t len;
    uint8_t *der = slurp(fx("nokeys.p12"), &len), *out = malloc(len + 64);
    tern_p12 p;
    /* 2,000,001: refused before any work, with the bound in the sentence. */
    static const uint8_t huge[] = {0x02, 0x03, 0x1e, 0x84, 0x81};
    size_t n = with_iterations(der, len, huge, sizeof huge, out);
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, out, n, (const uint8_t *)PW, strlen(PW)), TERN_ERR_LIMIT);
    assert_true(has(p.msg, "asks for 2000001 iterations; tern refuses more than 2000000"));
    tern_p12_free(&p);
    static const uint8_t zero[] = {0x02, 0x01, 0x00};
    n = with_iterations(der, len, zero, sizeof zero, out);
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, out, n, (const uint8_t *)PW, strlen(PW)), TERN_ERR_DECODE);
    assert_true(has(p.msg, "iteration count is 0"));
    tern_p12_free(&p);
    /* The same count rebuilt: loads (the rebuild is right). */
    static const uint8_t same[] = {0x02, 0x02, 0x08, 0x00};
    n = with_iterations(der, len, same, sizeof same, out);
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, out, n, (const uint8_t *)PW, strlen(PW)), 0);
    tern_p12_free(&p);
    /* 2049: the MAC no longer verifies. */
    static const uint8_t other[] = {0x02, 0x02, 0x08, 0x01};
    n = with_iterations(der, len, other, sizeof other, out);
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, out, n, (const uint8_t *)PW, strlen(PW)), TERN_ERR_DECRYPT_FAILED);
    tern_p12_free(&p);
    free(out);
    free(der);
}

/* ---- key stores, trust stores ---- */

static void test_truststore(void **state) {
    (void)state;
    NEED_OPENSSL();
    tern_config *cfg = tern_config_new();
    /* Certificates only: all of them are anchors. */
    assert_int_equal(tern_config_load_truststore_p12(cfg, fx("nokeys.p12"), PW), 0);
    tern_config_free(cfg);
    tern_truststore ts;
    tern_truststore_init(&ts);
    size_t len;
    char msg[256];
    uint8_t *der = slurp(fx("nokeys.p12"), &len);
    assert_int_equal(tern_p12_truststore(&ts, der, len, (const uint8_t *)PW, strlen(PW), msg, sizeof msg), 2);
    assert_string_equal(msg, "");
    free(der);
    /* A key store as a trust store: refused, with the way out. */
    der = slurp(fx("default.p12"), &len);
    assert_int_equal(tern_p12_truststore(&ts, der, len, (const uint8_t *)PW, strlen(PW), msg, sizeof msg),
                     TERN_ERR_INVALID_ARG);
    assert_true(has(msg, "it is a key store, not a trust store"));
    assert_true(has(msg, "openssl pkcs12 -in FILE -nokeys -cacerts -out ca.pem"));
    free(der);
    assert_int_equal(ts.n, 2);
    tern_truststore_free(&ts);
    /* A trust store as a key store: refused. */
    cfg = tern_config_new();
    assert_int_equal(tern_config_load_keystore_p12(cfg, fx("nokeys.p12"), PW), TERN_ERR_INVALID_ARG);
    assert_true(has(tern_config_error(cfg), "holds no private key (2 certificates): it is a trust store"));
    tern_config_free(cfg);
}

/* keytool 17: PBES2 AES-256-CBC, PBKDF2-HMAC-SHA-256, HmacPBESHA256 MAC,
 * 10,000 iterations; two keys (README.md of vectors/p12). */
static void test_java_keystore(void **state) {
    (void)state;
    tern_p12 p;
    assert_int_equal(load(&p, "vectors/p12/java-keystore.p12", "changeit"), 0);
    assert_int_equal(p.mac_hash, TERN_HASH_SHA256);
    assert_int_equal(p.mac_iterations, 10000);
    assert_int_equal(p.nkeys, 2);
    assert_int_equal(p.ncerts, 2);
    tern_p12_free(&p);
    tern_config *cfg = tern_config_new();
    assert_int_equal(tern_config_load_keystore_p12(cfg, "vectors/p12/java-keystore.p12", "changeit"),
                     TERN_ERR_INVALID_ARG);
    assert_true(has(tern_config_error(cfg), "holds 2 private keys (\"server\", \"second\")"));
    assert_int_equal(
        tern_config_load_keystore_p12_named(cfg, "vectors/p12/java-keystore.p12", "changeit", "elsewhere"),
        TERN_ERR_INVALID_ARG);
    assert_true(has(tern_config_error(cfg), "no key named \"elsewhere\"; its keys: \"server\", \"second\""));
    assert_int_equal(tern_config_load_keystore_p12_named(cfg, "vectors/p12/java-keystore.p12", "changeit", "second"),
                     0);
    tern_config_free(cfg);
    tern_keystore ks;
    size_t len;
    uint8_t *der = slurp("vectors/p12/java-keystore.p12", &len);
    assert_int_equal(tern_p12_keystore(&ks, der, len, (const uint8_t *)"changeit", 8, "server"), 0);
    assert_int_equal(ks.key_type, TERN_X509_KEY_EC);
    assert_int_equal(ks.n, 1); /* self-signed leaf */
    tern_keystore_free(&ks);
    assert_int_equal(tern_p12_keystore(&ks, der, len, (const uint8_t *)"changeit", 8, "second"), 0);
    assert_int_equal(ks.key_type, TERN_X509_KEY_RSA);
    tern_keystore_free(&ks);
    free(der);
}

static void test_java_truststore(void **state) {
    (void)state;
    tern_p12 p;
    assert_int_equal(load(&p, "vectors/p12/java-truststore.p12", "changeit"), 0);
    assert_int_equal(p.ncerts, 1);
    assert_true(p.certs[0].a.java_trusted);
    assert_string_equal(p.certs[0].a.name, "testroot");
    tern_p12_free(&p);
    tern_config *cfg = tern_config_new();
    assert_int_equal(tern_config_load_truststore_p12(cfg, "vectors/p12/java-truststore.p12", "changeit"), 0);
    assert_int_equal(tern_config_load_truststore_p12(cfg, "vectors/p12/java-truststore.p12", "changeme"),
                     TERN_ERR_DECRYPT_FAILED);
    tern_config_free(cfg);
}

/* keytool's key store with a trusted entry added: as a trust store only
 * the trusted certificate is taken (not the keys' self-signed ones). */
static void test_java_mixed(void **state) {
    (void)state;
    tern_truststore ts;
    tern_truststore_init(&ts);
    size_t len;
    char msg[256];
    uint8_t *der = slurp("vectors/p12/java-mixed.p12", &len);
    assert_int_equal(tern_p12_truststore(&ts, der, len, (const uint8_t *)"changeit", 8, msg, sizeof msg), 1);
    char label[128];
    tern_x509_cert_label(&ts.anchors[0].cert, label, sizeof label);
    assert_true(has(label, "Test Root CA"));
    tern_truststore_free(&ts);
    tern_keystore ks;
    assert_int_equal(tern_p12_keystore(&ks, der, len, (const uint8_t *)"changeit", 8, "second"), 0);
    assert_int_equal(ks.key_type, TERN_X509_KEY_RSA);
    assert_int_equal(ks.n, 1);
    tern_keystore_free(&ks);
    free(der);
}

/* RFC 9579 Appendix A.1: PBMAC1 with PBKDF2-HMAC-SHA-256 and HMAC-SHA-256,
 * password "1234"; then the changes of A.4 (PBKDF2 iteration count 2049),
 * and a MAC value altered. */
static void test_pbmac1(void **state) {
    (void)state;
    size_t blen, len;
    char *b64 = tv_slurp("vectors/p12/rfc9579-a1.b64", &blen);
    uint8_t *der = malloc(blen);
    /* base64 with line breaks: tern's PEM decoder wants a block. */
    char *pem = malloc(blen + 64);
    snprintf(pem, blen + 64, "-----BEGIN X-----\n%s-----END X-----\n", b64);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)pem, strlen(pem));
    assert_int_equal(tern_pem_next(&r, &b), 1);
    assert_int_equal(tern_pem_decode(&b, der, blen, &len), 0);
    tern_p12 p;
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, der, len, (const uint8_t *)"1234", 4), 0);
    assert_int_equal(p.mac, TERN_P12_MAC_PBMAC1);
    assert_int_equal(p.mac_hash, TERN_HASH_SHA256);
    assert_int_equal(p.mac_iterations, 2048);
    assert_int_equal(p.nkeys, 1);
    assert_int_equal(p.ncerts, 1);
    char d[128];
    tern_p12_describe_mac(&p, d, sizeof d);
    assert_string_equal(d, "PBMAC1: HMAC-SHA-256, PBKDF2, 2048 iterations");
    tern_p12_free(&p);
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, der, len, (const uint8_t *)"1235", 4), TERN_ERR_DECRYPT_FAILED);
    tern_p12_free(&p);
    /* A.4: the PBKDF2 count 2048 -> 2049 (02 02 08 00 after the 8-byte salt). */
    static const uint8_t salt[] = {0x04, 0x08, 0x6f, 0x47, 0x3c, 0x38, 0xb0, 0x2e, 0x31, 0x73, 0x02, 0x02, 0x08, 0x00};
    uint8_t *at = NULL;
    for (size_t i = 0; i + sizeof salt <= len && !at; i++)
        if (memcmp(der + i, salt, sizeof salt) == 0)
            at = der + i;
    assert_non_null(at);
    at[sizeof salt - 1] = 0x01;
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, der, len, (const uint8_t *)"1234", 4), TERN_ERR_DECRYPT_FAILED);
    assert_true(has(p.msg, "wrong password, or the file was altered"));
    tern_p12_free(&p);
    at[sizeof salt - 1] = 0x00;
    /* The MAC value's last byte (before the "NOT USED" salt and count). */
    der[len - 14] ^= 1;
    tern_p12_init(&p);
    assert_int_equal(tern_p12_load(&p, der, len, (const uint8_t *)"1234", 4), TERN_ERR_DECRYPT_FAILED);
    tern_p12_free(&p);
    free(der);
    free(pem);
    free(b64);
}

/* tern_keystore_load_der directly: the leaf found by its public key, the
 * chain ordered whatever the order given, a key no certificate matches. */
static void test_load_der(void **state) {
    (void)state;
    NEED_OPENSSL();
    tern_p12 p;
    assert_int_equal(load(&p, fx("default.p12"), PW), 0);
    tern_span certs[3];
    for (size_t i = 0; i < 3; i++) { /* reversed */
        certs[i].p = p.certs[2 - i].der;
        certs[i].len = p.certs[2 - i].len;
    }
    tern_keystore ks;
    assert_int_equal(tern_keystore_load_der(&ks, certs, 3, 3, p.keys[0].pkcs8, p.keys[0].len), 0);
    assert_int_equal(ks.n, 2);
    tern_keystore_free(&ks);
    /* Only the CA certificates: none is the key's. */
    size_t leaf = 0;
    for (size_t i = 0; i < 3; i++)
        if (p.certs[i].a.key_id_len)
            leaf = i;
    tern_span cas[2];
    size_t k = 0;
    for (size_t i = 0; i < 3; i++)
        if (i != leaf) {
            cas[k].p = p.certs[i].der;
            cas[k++].len = p.certs[i].len;
        }
    assert_int_equal(tern_keystore_load_der(&ks, cas, 2, 2, p.keys[0].pkcs8, p.keys[0].len), TERN_ERR_KEY_MISMATCH);
    assert_true(has(ks.msg, "none of the 2 certificates in the file is for its private key"));
    /* Told the wrong leaf: the key check still holds. */
    assert_int_equal(tern_keystore_load_der(&ks, cas, 2, 0, p.keys[0].pkcs8, p.keys[0].len), TERN_ERR_KEY_MISMATCH);
    tern_p12_free(&p);
}

int main(int argc, char **argv) {
    (void)argc;
    have_openssl = make_fixtures(argv[0]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bmp_password), cmocka_unit_test(test_bmp_password_reference),     cmocka_unit_test(test_sniff),
        cmocka_unit_test(test_openssl_default),  cmocka_unit_test(test_openssl_variants),
        cmocka_unit_test(test_legacy_refused),   cmocka_unit_test(test_nomac),
        cmocka_unit_test(test_wrong_password),   cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_bit_flips),        cmocka_unit_test(test_iterations),
        cmocka_unit_test(test_truststore),
        cmocka_unit_test(test_java_keystore),    cmocka_unit_test(test_java_truststore),
        cmocka_unit_test(test_java_mixed),       cmocka_unit_test(test_pbmac1),
        cmocka_unit_test(test_load_der),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (dir[0] && strstr(dir, "/tmp/p12.") != NULL)
        rc |= sh("rm -rf '%s'", dir) != 0;
    return rc;
}
