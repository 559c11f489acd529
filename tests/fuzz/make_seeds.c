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

/* fuzz_names: 16-bit length + a CA's NameConstraints value, 16-bit
 * length + a leaf's SAN content, then the leaf's subject, from the pairs
 * of vectors/certs/nc; and each pair as a fuzz_verify list (name
 * www.example.com). */
static void names_seeds(void) {
    static const char *pairs[][2] = {
        {"ca-dns", "leaf-www"},         {"ca-dns", "leaf-intranet"},    {"ca-dir", "leaf-dir-in"},
        {"ca-dir", "leaf-dir-out"},     {"ca-email", "leaf-email-in"},  {"ca-email", "leaf-email-subj"},
        {"ca-uri", "leaf-uri-in"},      {"ca-uri", "leaf-uri-nohost"},  {"ca-other", "leaf-other"},
        {"ca-badmask", "leaf-badmask"}, {"ca-dot", "leaf-dot"},         {"ca-ip6", "leaf-ip6"},
        {"ca-chain", "leaf-chain"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        fz_buf ca = {0}, leaf = {0}, out = {0};
        char rel[128];
        snprintf(rel, sizeof rel, "certs/nc/%s.crt", pairs[i][0]);
        pem_certs(rel, NULL, &ca);
        snprintf(rel, sizeof rel, "certs/nc/%s.crt", pairs[i][1]);
        pem_certs(rel, NULL, &leaf);
        tern_x509_cert c, l;
        if (tern_x509_parse(&c, ca.buf, ca.len) < 0 || tern_x509_parse(&l, leaf.buf, leaf.len) < 0) {
            fprintf(stderr, "make_seeds: %s or %s does not parse\n", pairs[i][0], pairs[i][1]);
            exit(1);
        }
        /* The NameConstraints SEQUENCE TLV around its recorded content. */
        tern_span nc = c.name_constraints;
        uint8_t hdr[4] = {0x30, (uint8_t)nc.len, 0, 0};
        size_t hl = 2;
        if (nc.len >= 256) {
            hdr[1] = 0x82, hdr[2] = (uint8_t)(nc.len >> 8), hdr[3] = (uint8_t)nc.len;
            hl = 4;
        } else if (nc.len >= 128) {
            hdr[1] = 0x81, hdr[2] = (uint8_t)nc.len;
            hl = 3;
        }
        size_t vl = hl + nc.len;
        uint8_t l2[2] = {(uint8_t)(vl >> 8), (uint8_t)vl};
        fz_append(&out, l2, 2);
        fz_append(&out, hdr, hl);
        if (nc.len)
            fz_append(&out, nc.p, nc.len);
        l2[0] = (uint8_t)(l.san.len >> 8);
        l2[1] = (uint8_t)l.san.len;
        fz_append(&out, l2, 2);
        if (l.san.len)
            fz_append(&out, l.san.p, l.san.len);
        fz_append(&out, l.subject.p, l.subject.len);
        char name[128];
        snprintf(name, sizeof name, "%s+%s", pairs[i][0], pairs[i][1]);
        put("fuzz_names", name, 0, 0, out.buf, out.len);
        /* The same pair as a peer's list for fuzz_verify: the constraints
         * are checked when the intermediate is tried as the leaf's issuer. */
        fz_buf list = {0};
        snprintf(rel, sizeof rel, "certs/nc/%s.crt", pairs[i][1]);
        pem_certs(rel, &list, NULL);
        snprintf(rel, sizeof rel, "certs/nc/%s.crt", pairs[i][0]);
        pem_certs(rel, &list, NULL);
        snprintf(name, sizeof name, "nc-%s+%s", pairs[i][1], pairs[i][0]);
        put("fuzz_verify", name, 3, 1, list.buf, list.len);
        free(list.buf);
        free(ca.buf);
        free(leaf.buf);
        free(out.buf);
    }
}

static int has_suffix(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

int main(void) {
    /* ---- engines and handshake messages: one session per variant ---- */
    fz_capture caps[FZ_VARIANTS];
    static fz_flight fcs[FZ_VARIANTS], fss[FZ_VARIANTS];
    for (int v = 0; v < FZ_VARIANTS; v++) {
        if (fz_capture_session_v(&caps[v], v) < 0 || fz_split(&caps[v].c2s, &fcs[v]) < 0 ||
            fz_split(&caps[v].s2c, &fss[v]) < 0) {
            fprintf(stderr, "make_seeds: the in-memory session of variant %d did not go as expected\n", v);
            return 1;
        }
        static const uint8_t chunks[] = {0, 1, 5, 37};
        for (size_t i = 0; i < sizeof chunks; i++) {
            char name[64];
            snprintf(name, sizeof name, "v%d-session-chunk%u", v, chunks[i]);
            uint8_t b0 = (uint8_t)(v << 6 | chunks[i]);
            put("fuzz_client", name, b0, 1, caps[v].s2c.buf, caps[v].s2c.len);
            put("fuzz_server", name, b0, 1, caps[v].c2s.buf, caps[v].c2s.len);
        }
        /* Each plaintext flight alone, one message per record. */
        fz_buf one = {0};
        for (size_t i = 0; i < fss[v].n; i++)
            fz_record(&one, TERN_CT_HANDSHAKE, fss[v].msg[i], fss[v].msg_len[i]);
        char name[64];
        snprintf(name, sizeof name, "v%d-server-flight-split", v);
        put("fuzz_client", name, (uint8_t)(v << 6), 1, one.buf, one.len);
        one.len = 0;
        for (size_t i = 0; i < fcs[v].n; i++)
            fz_record(&one, TERN_CT_HANDSHAKE, fcs[v].msg[i], fcs[v].msg_len[i]);
        snprintf(name, sizeof name, "v%d-client-flight-split", v);
        put("fuzz_server", name, (uint8_t)(v << 6), 1, one.buf, one.len);
        free(one.buf);
    }
    /* OCSP stapling (RFC 6066 §8): the variant-0 client against a server
     * that staples a good response, so the client's CertificateStatus
     * parse and the response's check start from a real one. */
    {
        fz_capture st;
        if (fz_capture_session_sv(&st, 0, fz_staple_server_new()) < 0) {
            fprintf(stderr, "make_seeds: the stapling session did not go as expected\n");
            return 1;
        }
        static const uint8_t chunks[] = {0, 7};
        for (size_t i = 0; i < sizeof chunks; i++) {
            char name[64];
            snprintf(name, sizeof name, "v0-staple-session-chunk%u", chunks[i]);
            put("fuzz_client", name, chunks[i], 1, st.s2c.buf, st.s2c.len);
        }
        free(st.c2s.buf);
        free(st.s2c.buf);
    }
    fz_capture cap = caps[0];
    fz_flight *fs = &fss[0];

    /* fuzz_hello: each variant's ClientHello body, whole and cut at a few
     * points, and a large one (a 2,000-scheme signature_algorithms list and
     * 30,000 bytes of padding, past hs_max) cut across its items. */
    for (int v = 0; v < FZ_VARIANTS; v++) {
        const uint8_t *body = fcs[v].msg[0] + 4;
        size_t blen = fcs[v].msg_len[0] - 4;
        char name[64];
        snprintf(name, sizeof name, "v%d-whole", v);
        put("fuzz_hello", name, (uint8_t)(v << 6), 1, body, blen);
        static const uint8_t cuts[] = {0, 1, 0, 34, 0, 7, 0, 2};
        fz_buf b = {0};
        fz_append(&b, cuts, sizeof cuts);
        fz_append(&b, body, blen);
        snprintf(name, sizeof name, "v%d-split4", v);
        put("fuzz_hello", name, (uint8_t)(v << 6 | 4), 1, b.buf, b.len);
        free(b.buf);
    }
    {
        /* The v0 hello's extensions, rebuilt: signature_algorithms grown by
         * 2,000 unknown schemes in front, padding (type 21) at the end. */
        const uint8_t *body = fcs[0].msg[0] + 4;
        size_t blen = fcs[0].msg_len[0] - 4;
        size_t at = 34;
        at += 1 + body[at];                            /* session_id */
        at += 2 + (size_t)(body[at] << 8 | body[at + 1]); /* cipher_suites */
        at += 1 + body[at];                            /* compression_methods */
        fz_buf exts = {0};
        for (size_t e = at + 2; e + 4 <= blen;) {
            size_t type = (size_t)(body[e] << 8 | body[e + 1]), el = (size_t)(body[e + 2] << 8 | body[e + 3]);
            if (type == TERN_EXT_SIGNATURE_ALGORITHMS) {
                size_t nl = el - 2 + 4000;
                uint8_t h[6] = {0, 13, (uint8_t)((nl + 2) >> 8), (uint8_t)(nl + 2), (uint8_t)(nl >> 8), (uint8_t)nl};
                fz_append(&exts, h, 6);
                for (size_t i = 0; i < 2000; i++) {
                    uint8_t sch[2] = {0xfe, (uint8_t)i};
                    fz_append(&exts, sch, 2);
                }
                fz_append(&exts, body + e + 6, el - 2);
            } else {
                fz_append(&exts, body + e, 4 + el);
            }
            e += 4 + el;
        }
        uint8_t pad[4] = {0, 21, 30000 >> 8, 30000 & 0xff};
        fz_append(&exts, pad, 4);
        uint8_t *zeros = calloc(1, 30000);
        fz_append(&exts, zeros, 30000);
        free(zeros);
        static const uint8_t cuts[] = {0, 100, 0x40, 0x00, 0, 3, 0x07, 0xd0, 0, 1};
        fz_buf b = {0};
        fz_append(&b, cuts, sizeof cuts);
        fz_append(&b, body, at);
        uint8_t l2[2] = {(uint8_t)(exts.len >> 8), (uint8_t)exts.len};
        fz_append(&b, l2, 2);
        fz_append(&b, exts.buf, exts.len);
        put("fuzz_hello", "v0-large-split5", 5, 1, b.buf, b.len);
        free(b.buf);
        free(exts.buf);
    }

    /* fuzz_hs: the selector byte (the row of fz_hs_targets) + the real body
     * of that message from that variant's session. */
    static const uint8_t ccs = 1;
    for (size_t t = 0; t < FZ_HS_NTARGETS; t++) {
        int v = fz_hs_targets[t].variant;
        const fz_flight *f = fz_hs_targets[t].side == TERN_SERVER ? &fcs[v] : &fss[v];
        const uint8_t *body = NULL;
        size_t n = 0;
        if (fz_hs_targets[t].type == TERN_HT_CHANGE_CIPHER_SPEC) {
            body = &ccs;
            n = 1;
        } else if (fz_hs_targets[t].type == TERN_HT_FINISHED) {
            body = fz_hs_targets[t].side == TERN_SERVER ? caps[v].client_verify : caps[v].server_verify;
            n = TERN_VERIFY_LEN;
        } else if (fz_hs_targets[t].before < f->n && f->msg[fz_hs_targets[t].before][0] == fz_hs_targets[t].type) {
            body = f->msg[fz_hs_targets[t].before] + 4;
            n = f->msg_len[fz_hs_targets[t].before] - 4;
        } else {
            fprintf(stderr, "make_seeds: fuzz_hs target %zu: no such message in the session\n", t);
            return 1;
        }
        char name[64];
        snprintf(name, sizeof name, "%02zu-v%d-type%d-%s", t, v, fz_hs_targets[t].type,
                 fz_hs_targets[t].side == TERN_SERVER ? "server-parses" : "client-parses");
        put("fuzz_hs", name, (uint8_t)t, 1, body, n);
    }

    /* fuzz_certlist: every Certificate body of the sessions (the server's,
     * and the client's where the variant asks for one), and the empty list. */
    for (int v = 0; v < FZ_VARIANTS; v++)
        for (int client = 0; client < 2; client++) {
            const fz_flight *f = client ? &fcs[v] : &fss[v];
            for (size_t i = 0; i < f->n; i++)
                if (f->msg[i][0] == TERN_HT_CERTIFICATE) {
                    char name[64];
                    snprintf(name, sizeof name, "v%d-%s-certificate", v, client ? "client" : "server");
                    put("fuzz_certlist", name, 0, 0, f->msg[i] + 4, f->msg_len[i] - 4);
                }
        }
    static const uint8_t empty_list[3] = {0, 0, 0};
    put("fuzz_certlist", "empty", 0, 0, empty_list, sizeof empty_list);

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
        int ok = tern_rec_write(w, TERN_CT_HANDSHAKE, fs->msg[3], fs->msg_len[3]) == 0 &&
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
    /* The profile fixtures (tests/certs/make-profile-certs.sh): each
     * exercises one extension field the parser records. */
    d = opendir(tv_path("certs/profile"));
    nnames = 0;
    while (d != NULL && (e = readdir(d)) != NULL && nnames < 128)
        if (has_suffix(e->d_name, ".crt"))
            snprintf(names[nnames++], sizeof names[0], "%s", e->d_name);
    if (d != NULL)
        closedir(d);
    qsort(names, nnames, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    for (size_t i = 0; i < nnames; i++) {
        char rel[300], seed[300];
        snprintf(rel, sizeof rel, "certs/profile/%s", names[i]);
        snprintf(seed, sizeof seed, "profile-%s", names[i]);
        der.len = 0;
        list.len = 0;
        if (pem_certs(rel, &list, &der) > 0)
            put("fuzz_x509", seed, 0, 0, der.buf, der.len);
    }
    free(der.buf);
    free(list.buf);
    free(ints.buf);
    names_seeds();
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
    /* P-384 keys (PKCS#8 and SEC 1; tests/certs/make-p384-certs.sh). */
    static const char *p384_keys[] = {"server.key", "server-sec1.key"};
    for (size_t i = 0; i < sizeof p384_keys / sizeof p384_keys[0]; i++) {
        char rel[300], name[300];
        size_t n;
        snprintf(rel, sizeof rel, "certs/p384/%s", p384_keys[i]);
        snprintf(name, sizeof name, "p384-%s", p384_keys[i]);
        char *text = tv_slurp(tv_path(rel), &n);
        put("fuzz_key", name, 0, 1, (const uint8_t *)text, n);
        free(text);
    }
    {
        size_t n;
        char *text = tv_slurp(tv_path("certs/server-chain.pem"), &n);
        put("fuzz_key", "chain-server-chain.pem", 1, 1, (const uint8_t *)text, n);
        free(text);
    }
    for (int v = 0; v < FZ_VARIANTS; v++) {
        free(caps[v].c2s.buf);
        free(caps[v].s2c.buf);
    }
    /* fuzz_session: the session of the variant-2 capture, as bytes. */
    {
        long n = tern_session_to_bytes(fz_session, NULL, 0);
        uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
        if (n <= 0 || tern_session_to_bytes(fz_session, b, (size_t)n) != n)
            return 1;
        put("fuzz_session", "ticket-session", 0, 0, b, (size_t)n);
        free(b);
    }
    tern_session_free(fz_session);
    printf("make_seeds: %zu bytes of seeds in %s\n", total, outdir);
    return 0;
}
