/*
 * `tern speed`: a small speed table of tern's own primitives, the ones a
 * TLS 1.2 ECDHE_RSA_WITH_AES_GCM connection spends its time in: SHA-256,
 * AES-128-GCM (RFC 5288 records), X25519 (RFC 7748), RSA-2048 PKCS#1 v1.5
 * sign/verify (RFC 8017 §8.2).  The rows have the format of `make bench`
 * (bench/main.c) with openssl=- : neither the library nor this tool links
 * OpenSSL; `make bench` is where tern is compared with it.
 *
 *   tern speed [--key CERT.pem KEY.pem] [FILTER]
 * The RSA rows use the key store CERT/KEY (default: the bundled test key
 * vectors/certs/server.crt + server.key, found when run from the source
 * tree); without one they are skipped with a note.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/cpu.h"
#include "crypto/gcm.h"
#include "crypto/sha2.h"
#include "crypto/x25519.h"
#include "lib/x509/store.h"
#include "tools/tool.h"

typedef void (*speed_op)(void *ctx, size_t iters);

static volatile uint8_t sink;
static const char *filter;
static int failures;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Calibrate to ~100 ms, then the median of 5 rounds. */
static void row(const char *item, size_t bytes_per_op, speed_op op, void *ctx) {
    if (filter != NULL && strstr(item, filter) == NULL)
        return;
    size_t iters = 1;
    for (;;) {
        double t0 = now_s();
        op(ctx, iters);
        double dt = now_s() - t0;
        if (dt > 0.025 || iters > ((size_t)1 << 40)) {
            double want = (double)iters * 0.1 / (dt > 0 ? dt : 1e-9);
            iters = want < 1 ? 1 : (size_t)want;
            break;
        }
        iters *= 4;
    }
    double r[5];
    for (int k = 0; k < 5; k++) {
        double t0 = now_s();
        op(ctx, iters);
        double dt = now_s() - t0;
        double ops = (double)iters / (dt > 0 ? dt : 1e-9);
        r[k] = bytes_per_op ? ops * (double)bytes_per_op / 1e6 : ops;
    }
    qsort(r, 5, sizeof r[0], cmp_double);
    printf("%s\ttern=%.1f\topenssl=-\tunit=%s\tratio=-\n", item, r[2], bytes_per_op ? "MB/s" : "ops/s");
    fflush(stdout);
}

typedef struct {
    size_t len;
    uint8_t *buf;
    tern_gcm_key gcm;
} data_ctx;

static void op_sha256(void *p, size_t iters) {
    data_ctx *d = p;
    uint8_t out[TERN_SHA256_LEN];
    for (size_t i = 0; i < iters; i++) {
        tern_sha256(out, d->buf, d->len);
        d->buf[0] ^= out[0];
    }
    sink ^= out[0];
}

static void op_gcm(void *p, size_t iters) {
    data_ctx *d = p;
    uint8_t nonce[TERN_GCM_NONCE_LEN] = {0}, tag[TERN_GCM_TAG_LEN], aad[13] = {0};
    for (size_t i = 0; i < iters; i++) {
        nonce[11] = (uint8_t)i; /* a distinct nonce per record, as TLS does */
        tern_gcm_seal(&d->gcm, nonce, aad, sizeof aad, d->buf, d->len, d->buf, tag);
    }
    sink ^= tag[0];
}

static void op_x25519(void *p, size_t iters) {
    (void)p;
    uint8_t scalar[32], point[32] = {9}, out[32];
    memset(scalar, 0x42, sizeof scalar);
    for (size_t i = 0; i < iters; i++) {
        if (tern_x25519(out, scalar, point) != 0)
            failures++;
        scalar[0] ^= out[1];
    }
    sink ^= out[0];
}

typedef struct {
    tern_keystore ks;
    uint8_t digest[32];
    uint8_t sig[1024];
    size_t siglen;
} rsa_ctx;

static void op_rsa_sign(void *p, size_t iters) {
    rsa_ctx *r = p;
    for (size_t i = 0; i < iters; i++)
        if (tern_keystore_sign(&r->ks, TERN_KEYSTORE_RSA_PKCS1, TERN_HASH_SHA256, r->digest, r->sig, sizeof r->sig,
                               &r->siglen, NULL, NULL) != 0)
            failures++;
}

static void op_rsa_verify(void *p, size_t iters) {
    rsa_ctx *r = p;
    for (size_t i = 0; i < iters; i++)
        if (tern_rsa_pkcs1_verify(&r->ks.rsa.pub, TERN_HASH_SHA256, r->digest, r->sig, r->siglen) != 0)
            failures++;
}

static void speed_usage(void) {
    fprintf(stderr, "usage: tern speed [--key CERT.pem KEY.pem] [FILTER]\n"
                    "Times tern's own primitives (median of 5 rounds of ~0.1 s); rows as in `make bench`,\n"
                    "with openssl=- (use `make bench` to compare with OpenSSL).  FILTER keeps rows whose\n"
                    "name contains it.  TERN_CPU=portable times the portable code paths.\n"
                    "Exit codes: 0 success, 1 a primitive failed, 2 usage error.\n");
}

int tool_speed_main(int argc, char **argv) {
    const char *cert = "vectors/certs/server.crt", *key = "vectors/certs/server.key";
    int key_given = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            speed_usage();
            return 0;
        } else if (strcmp(argv[i], "--key") == 0 && i + 2 < argc) {
            cert = argv[++i];
            key = argv[++i];
            key_given = 1;
        } else if (argv[i][0] != '-' && filter == NULL) {
            filter = argv[i];
        } else {
            speed_usage();
            return 2;
        }
    }
    char feats[256];
    tern_cpu_describe(tern_cpu(), feats, sizeof feats);
    fprintf(stderr, "# tern speed: CPU features in use: %s (TERN_CPU=portable to compare)\n", feats);

    static uint8_t buf[16384];
    data_ctx d = {0};
    d.buf = buf;
    static const size_t sizes[] = {64, 1024, 16384};
    char item[64];
    for (size_t i = 0; i < TERN_ARRAY_LEN(sizes); i++) {
        d.len = sizes[i];
        snprintf(item, sizeof item, "sha256/%zu", sizes[i]);
        row(item, sizes[i], op_sha256, &d);
    }
    static const uint8_t k16[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    if (tern_gcm_init(&d.gcm, k16, sizeof k16) != 0) {
        fprintf(stderr, "tern speed: AES-GCM key setup failed\n");
        return 1;
    }
    for (size_t i = 0; i < TERN_ARRAY_LEN(sizes); i++) {
        d.len = sizes[i];
        snprintf(item, sizeof item, "aes-128-gcm/%zu", sizes[i]);
        row(item, sizes[i], op_gcm, &d);
    }
    tern_gcm_wipe(&d.gcm);
    row("x25519/shared", 0, op_x25519, NULL);

    static rsa_ctx r;
    tern_keystore_init(&r.ks);
    if (tern_keystore_load_files(&r.ks, cert, key) != 0) {
        fprintf(stderr, "# tern speed: no RSA key store (%s): rsa rows skipped%s\n", r.ks.msg,
                key_given ? "" : "; run from the source tree or pass --key CERT KEY");
        if (key_given)
            failures++;
    } else {
        tern_sha256(r.digest, "tern speed", 10);
        if (tern_keystore_sign(&r.ks, TERN_KEYSTORE_RSA_PKCS1, TERN_HASH_SHA256, r.digest, r.sig, sizeof r.sig,
                               &r.siglen, NULL, NULL) != 0) {
            failures++;
        } else {
            snprintf(item, sizeof item, "rsa%zu/sign", r.ks.leaf.key.bits);
            row(item, 0, op_rsa_sign, &r);
            snprintf(item, sizeof item, "rsa%zu/verify", r.ks.leaf.key.bits);
            row(item, 0, op_rsa_verify, &r);
        }
        tern_keystore_free(&r.ks);
    }
    if (failures) {
        fprintf(stderr, "tern speed: %d operations failed\n", failures);
        return 1;
    }
    return 0;
}
