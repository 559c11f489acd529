/*
 * Writes the fuzz targets' seed corpora (tests/fuzz/corpus/<target>/) from
 * real inputs: one deterministic in-memory session between a tern client
 * and server (the same configurations, RNG seeds and clock the engine
 * targets use: tests/fuzz/engine.h), cut into the byte streams, records and
 * handshake messages each target eats; the fixture certificates, chains and
 * keys of vectors/certs; and records sealed with the record target's fixed
 * key.  Run by tests/fuzz/make_seeds.sh from the repository root; the
 * output is committed, and regenerating it gives the same bytes.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#include "lib/x509/pem.h"
#include "tests/fuzz/engine.h"

static const char *outdir = "tests/fuzz/corpus";
static size_t total;

static void put(const char *target, const char *name, uint8_t prefix, int with_prefix, const uint8_t *p, size_t n) {
    char path[512];
    snprintf(path, sizeof path, "%s/%s", outdir, target);
    if (mkdir(path, 0777) < 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof path, "%s/%s/%s", outdir, target, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        exit(1);
    }
    if (with_prefix)
        fputc(prefix, f);
    if (n && fwrite(p, 1, n, f) != n) {
        perror(path);
        exit(1);
    }
    fclose(f);
    total += n + (with_prefix != 0);
}

/* All CERTIFICATE blocks of a PEM file, decoded, as one TLS-style list
 * (24-bit length + DER each) appended to list; returns the count. */
static size_t pem_certs(const char *rel, fz_buf *list, fz_buf *first) {
    size_t len;
    char *text = tv_slurp(tv_path(rel), &len);
    tern_pem_reader r;
    tern_pem_block b;
    size_t n = 0;
    tern_pem_init(&r, (const uint8_t *)text, len);
    while (tern_pem_next(&r, &b) == 1) {
        if (strcmp(b.label, "CERTIFICATE") != 0)
            continue;
        size_t cap = tern_pem_decoded_max(&b), dl;
        uint8_t *der = malloc(cap + 1);
        if (tern_pem_decode(&b, der, cap, &dl) == 0) {
            uint8_t l3[3] = {(uint8_t)(dl >> 16), (uint8_t)(dl >> 8), (uint8_t)dl};
            if (list) {
                fz_append(list, l3, 3);
                fz_append(list, der, dl);
            }
            if (first && n == 0)
                fz_append(first, der, dl);
            n++;
        }
        free(der);
    }
    free(text);
    return n;
}

static int has_suffix(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

int main(void) {
    /* ---- engines, handshake messages, records: from one session ---- */
    fz_capture cap;
    fz_flight fc, fs;
    if (fz_capture_session(&cap) < 0 || fz_split(&cap.c2s, &fc) < 0 || fz_split(&cap.s2c, &fs) < 0 || fc.n != 2 ||
        fs.n != 4) {
        fprintf(stderr, "make_seeds: the in-memory session did not go as expected\n");
        return 1;
    }
    static const uint8_t chunks[] = {0, 1, 5, 200};
    for (size_t i = 0; i < sizeof chunks; i++) {
        char name[64];
        snprintf(name, sizeof name, "session-chunk%u", chunks[i]);
        put("fuzz_client", name, chunks[i], 1, cap.s2c.buf, cap.s2c.len);
        put("fuzz_server", name, chunks[i], 1, cap.c2s.buf, cap.c2s.len);
    }
    /* Each flight alone, one message per record. */
    fz_buf one = {0};
    for (size_t i = 0; i < fs.n; i++)
        fz_record(&one, TERN_CT_HANDSHAKE, fs.msg[i], fs.msg_len[i]);
    put("fuzz_client", "server-flight-split", 0, 1, one.buf, one.len);
    one.len = 0;
    for (size_t i = 0; i < fc.n; i++)
        fz_record(&one, TERN_CT_HANDSHAKE, fc.msg[i], fc.msg_len[i]);
    put("fuzz_server", "client-flight-split", 0, 1, one.buf, one.len);
    free(one.buf);

    /* fuzz_hs: selector byte (its table order) + the real body. */
    static const uint8_t ccs = 1;
    struct {
        const char *name;
        const uint8_t *p;
        size_t n;
    } hs[] = {
        {"0-client-hello", fc.msg[0] + 4, fc.msg_len[0] - 4},
        {"1-server-hello", fs.msg[0] + 4, fs.msg_len[0] - 4},
        {"2-certificate", fs.msg[1] + 4, fs.msg_len[1] - 4},
        {"3-server-key-exchange", fs.msg[2] + 4, fs.msg_len[2] - 4},
        {"4-server-hello-done", fs.msg[3] + 4, fs.msg_len[3] - 4},
        {"5-client-key-exchange", fc.msg[1] + 4, fc.msg_len[1] - 4},
        {"6-ccs-server", &ccs, 1},
        {"7-ccs-client", &ccs, 1},
        {"8-finished-from-client", cap.client_verify, TERN_VERIFY_LEN},
        {"9-finished-from-server", cap.server_verify, TERN_VERIFY_LEN},
    };
    for (size_t i = 0; i < sizeof hs / sizeof hs[0]; i++)
        put("fuzz_hs", hs[i].name, (uint8_t)i, 1, hs[i].p, hs[i].n);

    /* fuzz_record: plaintext streams (bit 0: the client parses), and
     * records sealed under the fixed key (bit 1). */
    put("fuzz_record", "plain-server-reads", 0x00, 1, cap.c2s.buf, cap.c2s.len);
    put("fuzz_record", "plain-client-reads", 0x01, 1, cap.s2c.buf, cap.s2c.len);
    put("fuzz_record", "plain-client-reads-chunk3", 0x01 | (3 << 2), 1, cap.s2c.buf, cap.s2c.len);
    {
        tern_conn *w = fz_client_new();
        if (w == NULL || tern_rec_gcm_on(&w->wr, fz_rec_key, sizeof fz_rec_key, fz_rec_salt) < 0)
            return 1;
        static const uint8_t alert[2] = {1, 0};
        uint8_t data[1200];
        for (size_t i = 0; i < sizeof data; i++)
            data[i] = (uint8_t)i;
        int ok = tern_rec_write(w, TERN_CT_HANDSHAKE, fs.msg[3], fs.msg_len[3]) == 0 &&
                 tern_rec_write(w, TERN_CT_APPLICATION_DATA, data, 0) == 0 &&
                 tern_rec_write(w, TERN_CT_APPLICATION_DATA, data, sizeof data) == 0 &&
                 tern_rec_write(w, TERN_CT_ALERT, alert, 2) == 0;
        size_t len;
        const uint8_t *out = tern_engine_send_buf(w, &len);
        if (!ok || out == NULL)
            return 1;
        put("fuzz_record", "sealed", 0x02, 1, out, len);
        put("fuzz_record", "sealed-client-chunk7", 0x03 | (7 << 2), 1, out, len);
        tern_free(w);
    }

    /* ---- X.509: every fixture certificate; chains; PEM; keys ---- */
    DIR *d = opendir(tv_path("certs"));
    if (d == NULL) {
        perror("vectors/certs");
        return 1;
    }
    struct dirent *e;
    fz_buf der = {0}, list = {0}, ints = {0};
    pem_certs("certs/int-ca.crt", &ints, NULL);
    pem_certs("certs/sub-ca.crt", &ints, NULL);
    char names[128][256];
    size_t nnames = 0;
    while ((e = readdir(d)) != NULL && nnames < 128)
        if (e->d_name[0] != '.')
            snprintf(names[nnames++], sizeof names[0], "%s", e->d_name);
    closedir(d);
    qsort(names, nnames, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    for (size_t i = 0; i < nnames; i++) {
        char rel[300];
        snprintf(rel, sizeof rel, "certs/%s", names[i]);
        if (has_suffix(names[i], ".crt")) {
            der.len = 0;
            list.len = 0;
            if (pem_certs(rel, &list, &der) == 0)
                continue;
            put("fuzz_x509", names[i], 0, 0, der.buf, der.len);
            /* This certificate as a leaf, with the intermediates behind it. */
            fz_append(&list, ints.buf, ints.len);
            put("fuzz_verify", names[i], 0, 1, list.buf, list.len);
        } else if (has_suffix(names[i], ".pem")) {
            list.len = 0;
            if (pem_certs(rel, &list, NULL) > 0)
                put("fuzz_verify", names[i], 0, 1, list.buf, list.len);
        }
    }
    free(der.buf);
    free(list.buf);
    free(ints.buf);
    static const char *pems[] = {"root-ca.crt", "server-chain.pem", "bundle-with-bad.pem", "server-enc-pkcs1.key",
                                 "server-pkcs1.key"};
    for (size_t i = 0; i < sizeof pems / sizeof pems[0]; i++) {
        char rel[300];
        size_t n;
        snprintf(rel, sizeof rel, "certs/%s", pems[i]);
        char *text = tv_slurp(tv_path(rel), &n);
        put("fuzz_pem", pems[i], 0, 0, (const uint8_t *)text, n);
        free(text);
    }
    static const char *keys[] = {"server.key", "server-pkcs1.key", "server-enc-pkcs1.key", "server-enc-pkcs8.key",
                                 "client.key", "ec256.key", "rsa1024.key", "bad-int.key"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char rel[300];
        size_t n;
        snprintf(rel, sizeof rel, "certs/%s", keys[i]);
        char *text = tv_slurp(tv_path(rel), &n);
        put("fuzz_key", keys[i], 0, 1, (const uint8_t *)text, n);
        free(text);
    }
    {
        size_t n;
        char *text = tv_slurp(tv_path("certs/server-chain.pem"), &n);
        put("fuzz_key", "chain-server-chain.pem", 1, 1, (const uint8_t *)text, n);
        free(text);
    }
    free(cap.c2s.buf);
    free(cap.s2c.buf);
    printf("make_seeds: %zu bytes of seeds in %s\n", total, outdir);
    return 0;
}
