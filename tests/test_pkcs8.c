/*
 * Encrypted private keys (lib/x509/pkcs8.c, the key loader in
 * lib/x509/store.c, the password API in lib/config.c):
 *   - the committed fixtures vectors/certs/server-enc-pkcs8.key (PBES2,
 *     AES-256-CBC, made by `openssl pkey -aes256`) and server-enc-pkcs1.key
 *     (legacy PEM, AES-256-CBC), password "tern": load and match the leaf;
 *     a wrong, an empty and no password each give their sentence;
 *   - vectors/certs/enc (tests/certs/make-enc-keys.sh): each readable file
 *     decrypts to exactly the plain key it was made from, each refused one
 *     gives its sentence, with a password and without one (a scheme tern
 *     does not read is said before any password is asked);
 *   - the config API: tern_config_load_keystore_pw, the password callback
 *     (asked only for an encrypted key, also by tern_config_add_identity),
 *     a callback that gives none;
 *   - keys made now by openssl into $BUILD/tmp (`genpkey -aes256` RSA, EC
 *     P-256, P-384; `pkey -aes256`; `pkcs8 -topk8 -v2 aes-128-cbc -v2prf hmacWithSHA512`,
 *     `-v2 aes-192-cbc` with the default hmacWithSHA1, -SHA256, -SHA384;
 *     legacy `rsa -aes256`, `ec -aes128`, `rsa -aes192`): the decrypted DER
 *     equals openssl's own unencrypted DER byte for byte, the key loads
 *     against a certificate made for it, a wrong password is refused;
 *   - openssl's legacy schemes refused with their sentences (-v1
 *     PBE-MD5-DES, -v1 PBE-SHA1-3DES, -v2 des3, -scrypt, legacy -des3);
 *   - tampering with the committed fixture: bit flips in the salt, the
 *     iteration count, the IV, the last padding byte and a middle block;
 *     every truncation of the DER and of the PEM text;
 *   - crafted DER: iteration counts above TERN_PBKDF_MAX_ITERATIONS, zero,
 *     a keyLength that does not match the cipher, PRFs and ciphers tern does
 *     not read, PBES1 / PKCS#12 PBE / scrypt / unknown OIDs, bad IV and
 *     ciphertext lengths; and one made here with the PRF omitted (the
 *     hmacWithSHA1 DEFAULT) and iteration count 1, which decrypts.
 * The openssl parts print "skipped" when openssl is not installed.
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

#include "crypto/aes_cbc.h"
#include "crypto/ct.h"
#include "crypto/pbkdf.h"
#include "lib/conn.h"
#include "lib/x509/der.h"
#include "lib/x509/pem.h"
#include "lib/x509/pkcs8.h"
#include "lib/x509/store.h"
#include "tests/util/testutil.h"

static char tmpdir[512];
static int have_openssl;

/* Run a shell command (formatted); its exit status. */
static int sh(const char *fmt, ...) {
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 ? -1 : WEXITSTATUS(rc);
}

static const char *tmp(const char *name) {
    static char bufs[4][640];
    static int k;
    k = (k + 1) % 4;
    snprintf(bufs[k], sizeof bufs[k], "%s/%s", tmpdir, name);
    return bufs[k];
}

/* The DER of the first PEM block of a file (malloc'd). */
static uint8_t *pem_file_der(const char *path, size_t *len, char *label, size_t labelcap) {
    size_t tlen;
    char *txt = tv_slurp(path, &tlen);
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, (const uint8_t *)txt, tlen);
    assert_int_equal(tern_pem_next(&r, &b), 1);
    if (label)
        snprintf(label, labelcap, "%s", b.label);
    size_t cap = tern_pem_decoded_max(&b);
    uint8_t *der = malloc(cap);
    assert_int_equal(tern_pem_decode(&b, der, cap, len), 0);
    free(txt);
    return der;
}

/* Base64 PEM of der under label, for feeding tampered DER to the loader. */
static char *to_pem(const char *label, const uint8_t *der, size_t len) {
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = malloc(len * 2 + 200), *o = out;
    o += sprintf(o, "-----BEGIN %s-----\n", label);
    size_t col = 0;
    for (size_t i = 0; i < len; i += 3) {
        uint32_t v = (uint32_t)der[i] << 16 | (i + 1 < len ? (uint32_t)der[i + 1] << 8 : 0) |
                     (i + 2 < len ? der[i + 2] : 0);
        *o++ = a[v >> 18 & 63];
        *o++ = a[v >> 12 & 63];
        *o++ = i + 1 < len ? a[v >> 6 & 63] : '=';
        *o++ = i + 2 < len ? a[v & 63] : '=';
        if ((col += 4) == 64) {
            *o++ = '\n';
            col = 0;
        }
    }
    if (col)
        *o++ = '\n';
    o += sprintf(o, "-----END %s-----\n", label);
    return out;
}

static int load_files(tern_keystore *ks, const char *chain, const char *key, const char *pw) {
    tern_keystore_pw p = {pw, NULL, NULL};
    return tern_keystore_load_files_pw(ks, chain, key, pw ? &p : NULL);
}

/* Loading gives want, and the message contains part (if non-NULL). */
static void expect_load(const char *chain, const char *key, const char *pw, int want, const char *part) {
    tern_keystore ks;
    int rc = load_files(&ks, chain, key, pw);
    if (rc != want)
        fail_msg("%s with %s: got %d (%s), want %d", key, pw ? pw : "(none)", rc, ks.msg, want);
    if (part && strstr(ks.msg, part) == NULL)
        fail_msg("%s: message \"%s\" lacks \"%s\"", key, ks.msg, part);
    if (rc == 0)
        assert_true(ks.key_type == TERN_X509_KEY_RSA || ks.key_type == TERN_X509_KEY_EC);
    tern_keystore_free(&ks);
}

static void expect_decrypt(const uint8_t *der, size_t len, const char *pw, int want, const char *part) {
    uint8_t *out = NULL;
    size_t outlen = 0;
    char msg[512] = "";
    int rc = tern_pkcs8_decrypt(der, len, (const uint8_t *)pw, strlen(pw), &out, &outlen, msg, sizeof msg);
    if (rc != want)
        fail_msg("decrypt: got %d (%s), want %d", rc, msg, want);
    if (part && strstr(msg, part) == NULL)
        fail_msg("decrypt: message \"%s\" lacks \"%s\"", msg, part);
    if (rc == 0) {
        assert_true(outlen > 0 && out[0] == 0x30);
        tern_wipe(out, outlen);
        free(out);
    } else {
        assert_null(out);
    }
}

#define WRONG "private key: wrong password (or the file is corrupt)"

/* ---- committed fixtures ---- */

static void test_committed(void **state) {
    (void)state;
    char chain[256], k8[256], k1[256];
    snprintf(chain, sizeof chain, "%s", tv_path("certs/server-chain.pem"));
    snprintf(k8, sizeof k8, "%s", tv_path("certs/server-enc-pkcs8.key"));
    snprintf(k1, sizeof k1, "%s", tv_path("certs/server-enc-pkcs1.key"));
    expect_load(chain, k8, "tern", 0, NULL);
    expect_load(chain, k1, "tern", 0, NULL);
    expect_load(chain, k8, "tern!", TERN_ERR_DECRYPT_FAILED, WRONG);
    expect_load(chain, k1, "Tern", TERN_ERR_DECRYPT_FAILED, WRONG);
    expect_load(chain, k8, "", TERN_ERR_DECRYPT_FAILED, WRONG);
    expect_load(chain, k8, NULL, TERN_ERR_INVALID_ARG, "the key is encrypted and needs a password");
    expect_load(chain, k1, NULL, TERN_ERR_INVALID_ARG, "--password-file FILE");
    /* A plain key ignores the password. */
    expect_load(chain, tv_path("certs/server.key"), "unused", 0, NULL);
    /* The decrypted PKCS#8 is the plain one's. */
    size_t elen, plen;
    uint8_t *enc = pem_file_der(k8, &elen, NULL, 0), *plain = pem_file_der(tv_path("certs/server.key"), &plen, NULL, 0);
    uint8_t *out = NULL;
    size_t outlen = 0;
    char msg[256];
    assert_int_equal(tern_pkcs8_decrypt(enc, elen, (const uint8_t *)"tern", 4, &out, &outlen, msg, sizeof msg), 0);
    assert_int_equal(outlen, plen);
    assert_memory_equal(out, plain, plen);
    free(out);
    free(enc);
    free(plain);
}

/* vectors/certs/enc (tests/certs/make-enc-keys.sh, password "tern"):
 * each readable file decrypts to exactly the plain key it was made from;
 * each refused one gives its sentence. */
static void test_committed_enc(void **state) {
    (void)state;
    static const struct {
        const char *file, *plain, *part;
        int want;
    } cases[] = {
        {"pbes2-aes128-sha512.key", "certs/ec256.key", NULL, 0},
        {"pbes2-aes192-sha1.key", "certs/server.key", NULL, 0},
        {"pbes2-aes256-sha256.key", "certs/p384/server.key", NULL, 0},
        {"legacy-ec-aes128.key", "certs/ecdsa-server-sec1.key", NULL, 0},
        {"legacy-rsa-aes192.key", "certs/server-pkcs1.key", NULL, 0},
        {"refused-pbes1-md5-des.key", NULL, "PBES1 (pbeWithMD5AndDES-CBC)", TERN_ERR_UNSUPPORTED},
        {"refused-pkcs12-3des.key", NULL, "PKCS#12 PBE (pbeWithSHAAnd3-KeyTripleDES-CBC)", TERN_ERR_UNSUPPORTED},
        {"refused-pbes2-des3.key", NULL, "PBES2 and DES-EDE3-CBC (3DES)", TERN_ERR_UNSUPPORTED},
        {"refused-scrypt.key", NULL, "scrypt", TERN_ERR_UNSUPPORTED},
        {"refused-legacy-des3.key", NULL, "legacy PEM scheme DES-EDE3-CBC", TERN_ERR_UNSUPPORTED},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "certs/enc/%s", cases[i].file);
        size_t tlen;
        char *txt = tv_slurp(tv_path(rel), &tlen);
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)txt, tlen);
        assert_int_equal(tern_pem_next(&r, &b), 1);
        uint8_t *out = NULL;
        size_t outlen = 0;
        char msg[512] = "";
        int rc;
        if (b.encrypted) {
            rc = tern_pem_legacy_decrypt(&b, (const uint8_t *)"tern", 4, &out, &outlen, msg, sizeof msg);
        } else {
            size_t n = 0, cap = tern_pem_decoded_max(&b);
            uint8_t *der = malloc(cap);
            assert_int_equal(tern_pem_decode(&b, der, cap, &n), 0);
            rc = tern_pkcs8_decrypt(der, n, (const uint8_t *)"tern", 4, &out, &outlen, msg, sizeof msg);
            free(der);
        }
        if (rc != cases[i].want || (cases[i].part && strstr(msg, cases[i].part) == NULL))
            fail_msg("%s: %d \"%s\"", cases[i].file, rc, msg);
        if (rc < 0) {
            /* Refused the same way with no password at all: not "needs a password". */
            char path[256];
            snprintf(path, sizeof path, "%s", tv_path(rel));
            expect_load(tv_path("certs/server-chain.pem"), path, NULL, cases[i].want, cases[i].part);
        }
        if (rc == 0) {
            size_t plen;
            uint8_t *plain = pem_file_der(tv_path(cases[i].plain), &plen, NULL, 0);
            assert_int_equal(outlen, plen);
            assert_memory_equal(out, plain, plen);
            free(plain);
            free(out);
        }
        free(txt);
    }
}

/* ---- the config API ---- */

static int calls;
static int pw_cb(void *arg, char *buf, size_t cap) {
    calls++;
    const char *pw = arg;
    if (pw == NULL)
        return -1;
    assert_true(strlen(pw) < cap);
    memcpy(buf, pw, strlen(pw));
    return (int)strlen(pw);
}

static void test_config_api(void **state) {
    (void)state;
    char chain[256], k8[256], k1[256], ecchain[256], eckey[256];
    snprintf(chain, sizeof chain, "%s", tv_path("certs/server-chain.pem"));
    snprintf(k8, sizeof k8, "%s", tv_path("certs/server-enc-pkcs8.key"));
    snprintf(k1, sizeof k1, "%s", tv_path("certs/server-enc-pkcs1.key"));
    snprintf(ecchain, sizeof ecchain, "%s", tv_path("certs/ecdsa-server-chain.pem"));
    snprintf(eckey, sizeof eckey, "%s", tv_path("certs/ecdsa-server.key"));

    tern_config *cfg = tern_config_new();
    assert_int_equal(tern_config_load_keystore_pw(cfg, chain, k8, "tern"), 0);
    assert_int_equal(tern_config_load_keystore_pw(cfg, chain, k8, "nope"), TERN_ERR_DECRYPT_FAILED);
    assert_non_null(strstr(tern_config_error(cfg), WRONG));
    assert_int_equal(tern_config_load_keystore(cfg, chain, k1), TERN_ERR_INVALID_ARG);
    assert_non_null(strstr(tern_config_error(cfg), "needs a password"));

    /* The callback: asked only for an encrypted key, once per key. */
    calls = 0;
    tern_config_set_password_cb(cfg, pw_cb, (void *)"tern");
    assert_int_equal(tern_config_load_keystore(cfg, ecchain, eckey), 0);
    assert_int_equal(calls, 0);
    assert_int_equal(tern_config_add_identity(cfg, chain, k1), 0);
    assert_int_equal(calls, 1);
    assert_int_equal(tern_config_load_keystore_pw(cfg, chain, k8, NULL), 0);
    assert_int_equal(calls, 2);
    /* An explicit password wins over the callback. */
    assert_int_equal(tern_config_load_keystore_pw(cfg, chain, k8, "bad"), TERN_ERR_DECRYPT_FAILED);
    assert_int_equal(calls, 2);
    /* From memory too. */
    size_t cl, kl;
    char *c = tv_slurp(chain, &cl), *k = tv_slurp(k8, &kl);
    assert_int_equal(tern_config_add_keystore_pem(cfg, (const uint8_t *)c, cl, (const uint8_t *)k, kl), 0);
    assert_int_equal(calls, 3);
    free(c);
    free(k);
    /* Not asked for a key no password could open. */
    char refused[256];
    snprintf(refused, sizeof refused, "%s", tv_path("certs/enc/refused-scrypt.key"));
    assert_int_equal(tern_config_load_keystore(cfg, chain, refused), TERN_ERR_UNSUPPORTED);
    assert_int_equal(calls, 3);
    /* A callback that has none. */
    tern_config_set_password_cb(cfg, pw_cb, NULL);
    assert_int_equal(tern_config_load_keystore(cfg, chain, k8), TERN_ERR_INVALID_ARG);
    assert_non_null(strstr(tern_config_error(cfg), "the password callback gave no password"));
    tern_config_free(cfg);
}

/* ---- keys made by openssl now ---- */

typedef struct {
    const char *name;
    const char *make;   /* writes NAME.key (encrypted, password "pw 1") from NAME.plain */
    const char *plain;  /* how NAME.plain is made */
    const char *ref;    /* openssl's own unencrypted DER of the key: NAME.der */
    int legacy;
} made_key;

#define RSA_PLAIN "openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out %s"
#define P256_PLAIN "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out %s"
#define P384_PLAIN "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out %s"
#define GEN_REF "openssl pkcs8 -topk8 -nocrypt -passin 'pass:pw 1' -in %s -outform DER -out %s"
#define PK8_REF "openssl pkcs8 -topk8 -nocrypt -in %s -outform DER -out %s"

static void test_openssl_made(void **state) {
    (void)state;
    if (!have_openssl) {
        print_message("skipped: openssl not installed\n");
        skip();
    }
    static const made_key keys[] = {
        /* genpkey -aes256 writes the key encrypted straight away; the
         * reference is openssl's own decryption of it. */
        {"genpkey-rsa", "cp %1$s %2$s", RSA_PLAIN " -aes256 -pass 'pass:pw 1'", GEN_REF, 0},
        {"genpkey-p256", "cp %1$s %2$s", P256_PLAIN " -aes256 -pass 'pass:pw 1'", GEN_REF, 0},
        {"genpkey-p384", "cp %1$s %2$s", P384_PLAIN " -aes256 -pass 'pass:pw 1'", GEN_REF, 0},
        {"pkey-aes256", "openssl pkey -in %1$s -aes256 -passout 'pass:pw 1' -out %2$s", RSA_PLAIN, PK8_REF, 0},
        {"aes128-sha512", "openssl pkcs8 -topk8 -in %1$s -v2 aes-128-cbc -v2prf hmacWithSHA512 -passout 'pass:pw 1' -out %2$s",
         P256_PLAIN, PK8_REF, 0},
        {"aes192-sha1", "openssl pkcs8 -topk8 -in %1$s -v2 aes-192-cbc -v2prf hmacWithSHA1 -passout 'pass:pw 1' -out %2$s",
         RSA_PLAIN, PK8_REF, 0},
        {"aes256-sha384", "openssl pkcs8 -topk8 -in %1$s -v2 aes-256-cbc -v2prf hmacWithSHA384 -iter 3000 -passout 'pass:pw 1' -out %2$s",
         P384_PLAIN, PK8_REF, 0},
        {"legacy-rsa-aes256", "openssl rsa -in %1$s -traditional -aes256 -passout 'pass:pw 1' -out %2$s 2>/dev/null",
         RSA_PLAIN, "openssl rsa -in %s -traditional -outform DER -out %s 2>/dev/null", 1},
        {"legacy-rsa-aes192", "openssl rsa -in %1$s -traditional -aes192 -passout 'pass:pw 1' -out %2$s 2>/dev/null",
         RSA_PLAIN, "openssl rsa -in %s -traditional -outform DER -out %s 2>/dev/null", 1},
        {"legacy-ec-aes128", "openssl ec -in %1$s -aes128 -passout 'pass:pw 1' -out %2$s 2>/dev/null", P256_PLAIN,
         "openssl ec -in %s -outform DER -out %s 2>/dev/null", 1},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(keys); i++) {
        const made_key *m = &keys[i];
        char plain[640], key[640], ref[640], crt[640];
        snprintf(plain, sizeof plain, "%s/%s.plain", tmpdir, m->name);
        snprintf(key, sizeof key, "%s/%s.key", tmpdir, m->name);
        snprintf(ref, sizeof ref, "%s/%s.der", tmpdir, m->name);
        snprintf(crt, sizeof crt, "%s/%s.crt", tmpdir, m->name);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, m->plain, plain);
        assert_int_equal(sh("%s 2>/dev/null", cmd), 0);
        assert_int_equal(sh(m->make, plain, key), 0);
        assert_int_equal(sh(m->ref, plain, ref), 0);
        assert_int_equal(sh("openssl req -x509 -new -key '%s' -passin 'pass:pw 1' -subj /CN=t -days 2 -out '%s'", key, crt),
                         0);
        /* Byte for byte what openssl decrypts to. */
        char label[64];
        size_t reflen, tlen;
        char *want = tv_slurp(ref, &reflen);
        char *txt = tv_slurp(key, &tlen);
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)txt, tlen);
        assert_int_equal(tern_pem_next(&r, &b), 1);
        snprintf(label, sizeof label, "%s", b.label);
        uint8_t *out = NULL;
        size_t outlen = 0;
        char msg[512] = "";
        int rc;
        if (m->legacy) {
            assert_int_equal(b.encrypted, 1);
            rc = tern_pem_legacy_decrypt(&b, (const uint8_t *)"pw 1", 4, &out, &outlen, msg, sizeof msg);
        } else {
            assert_string_equal(label, "ENCRYPTED PRIVATE KEY");
            size_t n = 0, cap = tern_pem_decoded_max(&b);
            uint8_t *der = malloc(cap);
            assert_int_equal(tern_pem_decode(&b, der, cap, &n), 0);
            rc = tern_pkcs8_decrypt(der, n, (const uint8_t *)"pw 1", 4, &out, &outlen, msg, sizeof msg);
            free(der);
        }
        if (rc != 0)
            fail_msg("%s: %d %s", m->name, rc, msg);
        assert_int_equal(outlen, reflen);
        assert_memory_equal(out, want, reflen);
        free(out);
        free(want);
        free(txt);
        /* The loader: right, wrong, no password. */
        expect_load(crt, key, "pw 1", 0, NULL);
        expect_load(crt, key, "pw 2", TERN_ERR_DECRYPT_FAILED, WRONG);
        expect_load(crt, key, NULL, TERN_ERR_INVALID_ARG, "needs a password");
        print_message("  %s (%s): decrypts to openssl's DER, loads, wrong password refused\n", m->name, label);
    }
}

static void test_openssl_refused(void **state) {
    (void)state;
    if (!have_openssl) {
        print_message("skipped: openssl not installed\n");
        skip();
    }
    char plain[640], chain[640];
    snprintf(plain, sizeof plain, "%s", tmp("refuse.plain"));
    snprintf(chain, sizeof chain, "%s", tmp("refuse.crt"));
    assert_int_equal(sh(P256_PLAIN " 2>/dev/null", plain), 0);
    assert_int_equal(sh("openssl req -x509 -new -key '%s' -subj /CN=t -days 2 -out '%s'", plain, chain), 0);
    static const struct {
        const char *name, *make, *sentence;
    } cases[] = {
        {"pbes1-md5-des", "openssl pkcs8 -topk8 -in %s -v1 PBE-MD5-DES -passout pass:pw -out %s",
         "private key: encrypted with PBES1 (pbeWithMD5AndDES-CBC), which tern does not read; re-encrypt it with AES: "
         "openssl pkcs8 -topk8 -v2 aes-256-cbc -in KEY -out KEY.new"},
        {"pkcs12-3des", "openssl pkcs8 -topk8 -in %s -v1 PBE-SHA1-3DES -passout pass:pw -out %s",
         "private key: encrypted with PKCS#12 PBE (pbeWithSHAAnd3-KeyTripleDES-CBC), which tern does not read; "
         "re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes-256-cbc"},
        {"pbes2-des3", "openssl pkcs8 -topk8 -in %s -v2 des3 -passout pass:pw -out %s",
         "private key: encrypted with PBES2 and DES-EDE3-CBC (3DES), which tern does not read; re-encrypt it with AES"},
        {"scrypt", "openssl pkcs8 -topk8 -in %s -scrypt -passout pass:pw -out %s",
         "scrypt key derivation, which tern does not read"},
        {"legacy-des3", "openssl ec -in %s -des3 -passout pass:pw -out %s",
         "private key: encrypted with the legacy PEM scheme DES-EDE3-CBC, which tern does not read; re-encrypt it "
         "with AES: openssl pkey -aes256 -in KEY -out KEY.new"},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        const char *key = tmp(cases[i].name);
        char cmd[1024];
        snprintf(cmd, sizeof cmd, cases[i].make, plain, key);
        /* OpenSSL 3 keeps DES and MD5-based PBE in its legacy provider. */
        if (sh("%s 2>/dev/null", cmd) != 0 && sh("%s -provider legacy -provider default 2>/dev/null", cmd) != 0) {
            print_message("  skipped: this openssl cannot write %s\n", cases[i].name);
            continue;
        }
        expect_load(chain, key, "pw", TERN_ERR_UNSUPPORTED, cases[i].sentence);
        print_message("  %s refused with its sentence\n", cases[i].name);
    }
}

/* ---- tampering with the committed PKCS#8 fixture ---- */

typedef struct {
    size_t salt, iter, iter_len, iv, ct, ct_len;
} layout;

static void find_layout(const uint8_t *der, size_t len, layout *l) {
    tern_reader top, seq, alg, params, kdf, kdfp, enc, kp;
    tern_span oid, salt, iv, ct;
    tern_der_elem it;
    tern_rd_init(&top, der, len);
    assert_int_equal(tern_der_expect(&top, TERN_DER_SEQUENCE, &seq), 0);
    assert_int_equal(tern_der_expect(&seq, TERN_DER_SEQUENCE, &alg), 0);
    assert_int_equal(tern_der_oid(&alg, &oid), 0);
    assert_int_equal(tern_der_expect(&alg, TERN_DER_SEQUENCE, &params), 0);
    assert_int_equal(tern_der_expect(&params, TERN_DER_SEQUENCE, &kdf), 0);
    assert_int_equal(tern_der_oid(&kdf, &oid), 0);
    assert_int_equal(tern_der_expect(&kdf, TERN_DER_SEQUENCE, &kdfp), 0);
    assert_int_equal(tern_der_octet_string(&kdfp, &salt), 0);
    assert_int_equal(tern_der_expect_elem(&kdfp, TERN_DER_INTEGER, &it), 0);
    assert_int_equal(tern_der_expect(&params, TERN_DER_SEQUENCE, &enc), 0);
    assert_int_equal(tern_der_oid(&enc, &oid), 0);
    assert_int_equal(tern_der_octet_string(&enc, &iv), 0);
    assert_int_equal(tern_der_octet_string(&seq, &ct), 0);
    (void)kp;
    l->salt = (size_t)(salt.p - der);
    l->iter = (size_t)(it.content.p - der);
    l->iter_len = it.content.len;
    l->iv = (size_t)(iv.p - der);
    l->ct = (size_t)(ct.p - der);
    l->ct_len = ct.len;
}

static void load_tampered(const uint8_t *der, size_t len, int want, const char *part) {
    char *pem = to_pem("ENCRYPTED PRIVATE KEY", der, len);
    size_t cl;
    char *chain = tv_slurp(tv_path("certs/server-chain.pem"), &cl);
    tern_keystore ks;
    tern_keystore_pw pw = {"tern", NULL, NULL};
    int rc = tern_keystore_load_pem_pw(&ks, (const uint8_t *)chain, cl, (const uint8_t *)pem, strlen(pem), &pw);
    if (want ? rc != want : rc >= 0)
        fail_msg("tampered key: got %d (%s), want %d", rc, ks.msg, want);
    if (part && strstr(ks.msg, part) == NULL)
        fail_msg("tampered key: message \"%s\" lacks \"%s\"", ks.msg, part);
    assert_true(ks.msg[0] != 0);
    tern_keystore_free(&ks);
    free(chain);
    free(pem);
}

static void test_tamper(void **state) {
    (void)state;
    size_t len;
    uint8_t *der = pem_file_der(tv_path("certs/server-enc-pkcs8.key"), &len, NULL, 0);
    layout l;
    find_layout(der, len, &l);
    expect_decrypt(der, len, "tern", 0, NULL);
    uint8_t *t = malloc(len);
    /* Salt, iteration count (its low bit), IV (the first plaintext byte
     * stops being SEQUENCE), the last padding byte (through the block before
     * it): each a wrong-password verdict, with its sentence. */
    size_t flips[] = {l.salt, l.iter + l.iter_len - 1, l.iv, l.ct + l.ct_len - 17};
    uint8_t bits[] = {0x10, 0x01, 0x01, 0x80};
    for (size_t i = 0; i < TERN_ARRAY_LEN(flips); i++) {
        memcpy(t, der, len);
        t[flips[i]] ^= bits[i];
        expect_decrypt(t, len, "tern", TERN_ERR_DECRYPT_FAILED, WRONG);
        load_tampered(t, len, TERN_ERR_DECRYPT_FAILED, WRONG);
    }
    /* A flip in a middle block passes the padding and the outer structure
     * (CBC has no integrity) but not the key's own checks: refused. */
    memcpy(t, der, len);
    t[l.ct + l.ct_len / 2] ^= 0x04;
    load_tampered(t, len, 0, NULL);
    /* A flip in every ciphertext block, one at a time: never a key. */
    for (size_t off = 0; off < l.ct_len; off += 16) {
        memcpy(t, der, len);
        t[l.ct + off + (off / 16) % 16] ^= 0x20;
        load_tampered(t, len, 0, NULL);
    }
    /* Every truncation of the DER: refused, never a crash. */
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, der, n);
        uint8_t *out = NULL;
        size_t outlen = 0;
        char msg[256] = "";
        int rc = tern_pkcs8_decrypt(cut, n, (const uint8_t *)"tern", 4, &out, &outlen, msg, sizeof msg);
        if (rc >= 0 || msg[0] == 0)
            fail_msg("truncated to %zu: %d \"%s\"", n, rc, msg);
        free(cut);
    }
    /* A truncated PEM file. */
    size_t tlen;
    char *txt = tv_slurp(tv_path("certs/server-enc-pkcs8.key"), &tlen);
    char *chain = tv_slurp(tv_path("certs/server-chain.pem"), &len);
    for (size_t n = tlen / 2; n < tlen; n += tlen / 7) {
        tern_keystore ks;
        tern_keystore_pw pw = {"tern", NULL, NULL};
        int rc = tern_keystore_load_pem_pw(&ks, (const uint8_t *)chain, len, (const uint8_t *)txt, n, &pw);
        assert_true(rc < 0);
        assert_non_null(strstr(ks.msg, "private key:"));
        tern_keystore_free(&ks);
    }
    free(txt);
    free(chain);
    free(t);
    free(der);
}

/* ---- crafted DER ---- */

typedef struct {
    uint8_t b[4096];
    size_t n;
} buf;

/* Append tag + length + content. */
static void put(buf *o, uint8_t tag, const void *c, size_t len) {
    assert_true(o->n + len + 4 < sizeof o->b);
    o->b[o->n++] = tag;
    if (len < 128) {
        o->b[o->n++] = (uint8_t)len;
    } else if (len < 256) {
        o->b[o->n++] = 0x81;
        o->b[o->n++] = (uint8_t)len;
    } else {
        o->b[o->n++] = 0x82;
        o->b[o->n++] = (uint8_t)(len >> 8);
        o->b[o->n++] = (uint8_t)len;
    }
    memcpy(o->b + o->n, c, len);
    o->n += len;
}
static void put_buf(buf *o, uint8_t tag, const buf *c) { put(o, tag, c->b, c->n); }
static void put_uint(buf *o, uint64_t v) {
    uint8_t t[9];
    size_t n = 0;
    for (int s = 56; s >= 0; s -= 8)
        if (n || (v >> s) & 0xff || s == 0)
            t[n++] = (uint8_t)(v >> s);
    if (t[0] & 0x80) {
        memmove(t + 1, t, n++);
        t[0] = 0;
    }
    put(o, 0x02, t, n);
}

static const uint8_t OID_PBES2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0d};
static const uint8_t OID_PBKDF2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0c};
static const uint8_t OID_AES128[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x02};
static const uint8_t OID_AES256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a};
static const uint8_t OID_SHA256PRF[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x09};
static const uint8_t OID_SHA224PRF[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x02, 0x08};

typedef struct {
    const uint8_t *scheme; size_t scheme_len; /* default PBES2 */
    const uint8_t *kdf; size_t kdf_len;       /* default PBKDF2 */
    uint64_t iter;
    uint64_t keylength;                       /* 0: absent */
    const uint8_t *prf; size_t prf_len;       /* NULL: absent (DEFAULT SHA-1) */
    const uint8_t *cipher; size_t cipher_len; /* default AES-128-CBC */
    size_t ivlen;
    const uint8_t *ct; size_t ctlen;
} craft;

static const uint8_t salt8[8] = {1, 2, 3, 4, 5, 6, 7, 8};
static const uint8_t iv16[16] = {9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9};

static void build(const craft *c, buf *out) {
    buf kdfp = {{0}, 0}, kdf = {{0}, 0}, enc = {{0}, 0}, params = {{0}, 0}, alg = {{0}, 0}, top = {{0}, 0}, prf = {{0}, 0};
    put(&kdfp, 0x04, salt8, sizeof salt8);
    put_uint(&kdfp, c->iter);
    if (c->keylength)
        put_uint(&kdfp, c->keylength);
    if (c->prf) {
        put(&prf, 0x06, c->prf, c->prf_len);
        put(&prf, 0x05, "", 0);
        put_buf(&kdfp, 0x30, &prf);
    }
    put(&kdf, 0x06, c->kdf ? c->kdf : OID_PBKDF2, c->kdf ? c->kdf_len : sizeof OID_PBKDF2);
    put_buf(&kdf, 0x30, &kdfp);
    put(&enc, 0x06, c->cipher ? c->cipher : OID_AES128, c->cipher ? c->cipher_len : sizeof OID_AES128);
    put(&enc, 0x04, iv16, c->ivlen ? c->ivlen : 16);
    put_buf(&params, 0x30, &kdf);
    put_buf(&params, 0x30, &enc);
    put(&alg, 0x06, c->scheme ? c->scheme : OID_PBES2, c->scheme ? c->scheme_len : sizeof OID_PBES2);
    put_buf(&alg, 0x30, &params);
    put_buf(&top, 0x30, &alg);
    static const uint8_t zeros[32];
    put(&top, 0x04, c->ct ? c->ct : zeros, c->ct ? c->ctlen : 32);
    out->n = 0;
    put_buf(out, 0x30, &top);
}

static void crafted(const craft *c, int want, const char *part) {
    buf b;
    build(c, &b);
    expect_decrypt(b.b, b.n, "pw", want, part);
}

#define OIDC(a) a, sizeof a

static void test_crafted(void **state) {
    (void)state;
    char part[160];
    /* Iteration counts: the limit, above it, far above it, zero. */
    snprintf(part, sizeof part, "%u PBKDF2 iterations, above tern's limit of %u", TERN_PBKDF_MAX_ITERATIONS + 1,
             TERN_PBKDF_MAX_ITERATIONS);
    crafted(&(craft){.iter = TERN_PBKDF_MAX_ITERATIONS + 1ull}, TERN_ERR_LIMIT, part);
    crafted(&(craft){.iter = 0xffffffffffull}, TERN_ERR_LIMIT, "above tern's limit");
    crafted(&(craft){.iter = 0}, TERN_ERR_DECODE, "iteration count");
    /* At the limit it runs (and fails on the zero ciphertext). */
    /* keyLength must match the cipher. */
    crafted(&(craft){.iter = 1, .keylength = 32}, TERN_ERR_DECODE, "keyLength 32 does not match AES-128-CBC");
    crafted(&(craft){.iter = 1, .keylength = 16}, TERN_ERR_DECRYPT_FAILED, WRONG);
    /* PRFs, ciphers, schemes tern does not read. */
    crafted(&(craft){.iter = 1, .prf = OIDC(OID_SHA224PRF)}, TERN_ERR_UNSUPPORTED, "PBKDF2 with the PRF hmacWithSHA224");
    static const uint8_t rc2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x03, 0x02};
    crafted(&(craft){.iter = 1, .cipher = OIDC(rc2)}, TERN_ERR_UNSUPPORTED, "PBES2 and RC2-CBC");
    static const uint8_t aes128_gcm[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x06};
    crafted(&(craft){.iter = 1, .cipher = OIDC(aes128_gcm)}, TERN_ERR_UNSUPPORTED, "(OID 2.16.840.1.101.3.4.1.6;");
    static const uint8_t scrypt[] = {0x2b, 0x06, 0x01, 0x04, 0x01, 0xda, 0x47, 0x04, 0x0b};
    crafted(&(craft){.iter = 1, .kdf = OIDC(scrypt)}, TERN_ERR_UNSUPPORTED, "scrypt");
    static const uint8_t sha1des[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x05, 0x0a};
    crafted(&(craft){.iter = 1, .scheme = OIDC(sha1des)}, TERN_ERR_UNSUPPORTED, "PBES1 (pbeWithSHA1AndDES-CBC)");
    static const uint8_t p12rc2[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x0c, 0x01, 0x06};
    crafted(&(craft){.iter = 1, .scheme = OIDC(p12rc2)}, TERN_ERR_UNSUPPORTED, "PKCS#12 PBE (pbewithSHAAnd40BitRC2-CBC)");
    static const uint8_t unknown[] = {0x2a, 0x03, 0x04};
    crafted(&(craft){.iter = 1, .scheme = OIDC(unknown)}, TERN_ERR_UNSUPPORTED, "unknown scheme (OID 1.2.3.4)");
    /* Lengths: IV, ciphertext. */
    crafted(&(craft){.iter = 1, .ivlen = 8}, TERN_ERR_DECODE, "AES-CBC IV");
    static const uint8_t ct17[17];
    crafted(&(craft){.iter = 1, .ct = ct17, .ctlen = 17}, TERN_ERR_DECODE, "not a whole number of AES blocks");
    crafted(&(craft){.iter = 1, .ct = ct17, .ctlen = 0}, TERN_ERR_DECODE, "not a whole number of AES blocks");

    /* One made here: PBKDF2 with the PRF left out (hmacWithSHA1, the
     * DEFAULT), one iteration, AES-256-CBC, over the committed plain key. */
    size_t plen;
    uint8_t *plain = pem_file_der(tv_path("certs/ecdsa-server.key"), &plen, NULL, 0);
    size_t padded = (plen / 16 + 1) * 16;
    uint8_t *pt = malloc(padded), *ct = malloc(padded), key[32];
    memcpy(pt, plain, plen);
    memset(pt + plen, (int)(padded - plen), padded - plen);
    assert_int_equal(tern_pbkdf2(TERN_HASH_SHA1, (const uint8_t *)"pw", 2, salt8, 8, 1, key, 32), 0);
    assert_int_equal(tern_aes_cbc_encrypt(key, 32, iv16, pt, padded, ct), 0);
    craft c = {.iter = 1, .cipher = OIDC(OID_AES256), .ct = ct, .ctlen = padded};
    buf b;
    build(&c, &b);
    uint8_t *out = NULL;
    size_t outlen = 0;
    char msg[256];
    assert_int_equal(tern_pkcs8_decrypt(b.b, b.n, (const uint8_t *)"pw", 2, &out, &outlen, msg, sizeof msg), 0);
    assert_int_equal(outlen, plen);
    assert_memory_equal(out, plain, plen);
    free(out);
    /* The same with hmacWithSHA256 named does not decrypt it. */
    c.prf = OID_SHA256PRF;
    c.prf_len = sizeof OID_SHA256PRF;
    build(&c, &b);
    expect_decrypt(b.b, b.n, "pw", TERN_ERR_DECRYPT_FAILED, WRONG);
    /* tern_pbes2_decrypt on the AlgorithmIdentifier alone gives the padded-checked plaintext. */
    c.prf = NULL;
    build(&c, &b);
    tern_reader r, s;
    tern_der_elem alg;
    tern_span ocs;
    tern_rd_init(&r, b.b, b.n);
    assert_int_equal(tern_der_expect(&r, 0x30, &s), 0);
    assert_int_equal(tern_der_expect_elem(&s, 0x30, &alg), 0);
    assert_int_equal(tern_der_octet_string(&s, &ocs), 0);
    assert_int_equal(tern_pbes2_decrypt(alg.tlv.p, alg.tlv.len, ocs.p, ocs.len, (const uint8_t *)"pw", 2, &out, &outlen,
                                        msg, sizeof msg),
                     0);
    assert_int_equal(outlen, plen);
    free(out);
    free(pt);
    free(ct);
    free(plain);
}

/* Legacy PEM: ciphers and IVs tern does not take. */
static void test_legacy_crafted(void **state) {
    (void)state;
    static const struct {
        const char *dek;
        int want;
        const char *part;
    } cases[] = {
        {"DES-EDE3-CBC,0011223344556677", TERN_ERR_UNSUPPORTED,
         "encrypted with the legacy PEM scheme DES-EDE3-CBC, which tern does not read; re-encrypt it with AES: "
         "openssl pkey -aes256 -in KEY -out KEY.new"},
        {"AES-128-CBC,0011223344556677", TERN_ERR_PEM, "the DEK-Info IV is 8 bytes; AES-128-CBC needs 16"},
        {"AES-256-CBC,00112233445566778899AABBCCDDEEFF", TERN_ERR_DECRYPT_FAILED, WRONG},
    };
    for (size_t i = 0; i < TERN_ARRAY_LEN(cases); i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: %s\n\n"
                 "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n-----END EC PRIVATE KEY-----\n",
                 cases[i].dek);
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)text, strlen(text));
        assert_int_equal(tern_pem_next(&r, &b), 1);
        uint8_t *out = NULL;
        size_t outlen = 0;
        char msg[512] = "";
        int rc = tern_pem_legacy_decrypt(&b, (const uint8_t *)"pw", 2, &out, &outlen, msg, sizeof msg);
        if (rc != cases[i].want || strstr(msg, cases[i].part) == NULL)
            fail_msg("%s: %d \"%s\"", cases[i].dek, rc, msg);
    }
}

int main(int argc, char **argv) {
    (void)argc;
    /* $BUILD/tmp next to $BUILD/tests/test_pkcs8. */
    char base[400];
    snprintf(base, sizeof base, "%s", argv[0]);
    char *slash = strrchr(base, '/');
    if (slash)
        *slash = 0;
    else
        snprintf(base, sizeof base, ".");
    snprintf(tmpdir, sizeof tmpdir, "%s/../tmp", base);
    mkdir(tmpdir, 0700);
    snprintf(tmpdir, sizeof tmpdir, "%s/../tmp/test_pkcs8.XXXXXX", base);
    if (mkdtemp(tmpdir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    have_openssl = sh("openssl version >/dev/null 2>&1") == 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_committed),    cmocka_unit_test(test_committed_enc), cmocka_unit_test(test_config_api), cmocka_unit_test(test_openssl_made),
        cmocka_unit_test(test_openssl_refused), cmocka_unit_test(test_tamper),  cmocka_unit_test(test_crafted),
        cmocka_unit_test(test_legacy_crafted),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (getenv("TEST_PKCS8_KEEP") == NULL)
        sh("rm -rf '%s'", tmpdir);
    return rc;
}
