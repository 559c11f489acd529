/*
 * Fuzz target: the four certificate policy extensions' DER checks and
 * policy processing (lib/x509/policy.c, RFC 5280 §6.1) over arbitrary
 * paths, without signatures in the way.  Input:
 *   byte 0   bits 0-2: require-explicit / inhibit-mapping / inhibit-any;
 *            bits 3-4: user policies (0-3); bits 5-7: certificates - 1;
 *   then each user policy: length (1 byte) + OID contents (an invalid OID
 *            is dropped, as tern_x509_oid_from_text never makes one);
 *   then each certificate, leaf first: a byte (bit 0: self-issued; bits
 *            1-4: certificatePolicies, policyMappings, policyConstraints,
 *            inhibitAnyPolicy present), and each present extension's
 *            extnValue content as 16-bit length + bytes.
 * A certificate with an extension tern_x509_policy_ext_check refuses is
 * refused as a whole (as the parser does).  Processing must stay bounded
 * (the graph's caps), never read outside the inputs, and fail only with a
 * sentence.  Each OID seen also goes through the text helpers, both ways.
 *
 * Built with -DFUZZ_POLICY_MAKE_SEEDS this file is instead the seed
 * writer: tests/fuzz/corpus/fuzz_policy/ from the chains of
 * vectors/certs/policy/ (run from the repository root; see make_seeds.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/x509/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Name ::= CN=A / CN=B, for issuer and subject. */
static const uint8_t name_a[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'A'};
static const uint8_t name_b[] = {0x30, 0x0c, 0x31, 0x0a, 0x30, 0x08, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, 0x01, 'B'};

static void oid_roundtrip(tern_span oid) {
    char text[600];
    uint8_t back[300];
    tern_x509_oid_to_text(oid, text, sizeof text);
    if (strlen(text) >= sizeof text)
        abort();
    int len = tern_x509_oid_from_text(text, back, sizeof back);
    /* Text that was not truncated and has no long arcs reads back the same. */
    if (len >= 0 && strstr(text, "...") == NULL && strstr(text, "long") == NULL &&
        ((size_t)len != oid.len || memcmp(back, oid.p, oid.len) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    size_t off = 1;
    unsigned flags = data[0] & 7, nuser = (data[0] >> 3) & 3, ncerts = ((unsigned)data[0] >> 5) + 1;
    tern_span user[3];
    size_t nu = 0;
    for (unsigned k = 0; k < nuser; k++) {
        if (off >= size)
            return 0;
        size_t len = data[off++];
        if (len > size - off)
            return 0;
        tern_span s = {data + off, len};
        off += len;
        if (tern_der_oid_check(s) == 0) {
            user[nu++] = s;
            oid_roundtrip(s);
        }
    }
    tern_x509_cert certs[8];
    size_t path[8];
    for (unsigned i = 0; i < ncerts; i++) {
        if (off >= size)
            return 0;
        uint8_t h = data[off++];
        tern_x509_cert *c = &certs[i];
        memset(c, 0, sizeof *c);
        c->subject.p = i % 2 ? name_b : name_a;
        c->subject.len = sizeof name_a;
        c->issuer = (h & 1) ? c->subject : (tern_span){i % 2 ? name_a : name_b, sizeof name_a};
        c->version = 3;
        for (int e = 0; e < 4; e++) {
            if (!(h & (2u << e)))
                continue;
            if (size - off < 2)
                return 0;
            size_t len = (size_t)data[off] << 8 | data[off + 1];
            off += 2;
            if (len > size - off)
                return 0;
            tern_span v = {data + off, len};
            off += len;
            if (tern_x509_policy_ext_check(e + 1, v) < 0)
                return 0; /* the certificate would not parse */
            switch (e) {
            case 0:
                c->has_policies = 1;
                c->policies = v;
                break;
            case 1:
                c->has_policy_mappings = 1;
                c->policy_mappings = v;
                break;
            case 2:
                c->has_policy_constraints = 1;
                c->policy_constraints = v;
                break;
            default:
                c->has_inhibit_any = 1;
                c->inhibit_any = v;
                break;
            }
        }
        path[i] = i;
    }
    tern_x509_params p;
    memset(&p, 0, sizeof p);
    p.policies = user;
    p.n_policies = nu;
    p.require_explicit_policy = flags & 1;
    p.inhibit_policy_mapping = (flags >> 1) & 1;
    p.inhibit_any_policy = (flags >> 2) & 1;
    tern_x509_policy_fail f;
    int rc = tern_x509_policy_check(certs, path, ncerts, &p, &f);
    if (rc > 0)
        abort();
    if (rc < 0) {
        if (rc != TERN_ERR_CERT_POLICY || f.err != rc || f.index < 0 || (unsigned)f.index >= ncerts ||
            memchr(f.msg, 0, sizeof f.msg) == NULL || strncmp(f.msg, "certificate ", 12) != 0)
            abort();
    }
    /* The policy OIDs through the text helpers. */
    for (unsigned i = 0; i < ncerts; i++) {
        if (!certs[i].has_policies)
            continue;
        tern_reader r, seq, info;
        tern_span oid;
        tern_rd_init(&r, certs[i].policies.p, certs[i].policies.len);
        if (tern_der_expect(&r, TERN_DER_SEQUENCE, &seq) < 0)
            abort(); /* checked above */
        while (tern_rd_left(&seq) && tern_der_expect(&seq, TERN_DER_SEQUENCE, &info) == 0 &&
               tern_der_oid(&info, &oid) == 0)
            oid_roundtrip(oid);
    }
    return 0;
}

#ifdef FUZZ_POLICY_MAKE_SEEDS
#include <errno.h>
#include <sys/stat.h>

#include "lib/x509/pem.h"
#include "tests/util/testutil.h"

static uint8_t out[1 << 16];
static size_t on;

static void add(const void *p, size_t n) {
    if (on + n > sizeof out)
        abort();
    memcpy(out + on, p, n);
    on += n;
}

static void add_ext(int has, tern_span v) {
    if (!has)
        return;
    uint8_t l[2] = {(uint8_t)(v.len >> 8), (uint8_t)v.len};
    add(l, 2);
    add(v.p, v.len);
}

/* One seed: the named certificates (leaf first) with these flags. */
static void seed(const char *name, const char *chain, unsigned flags, const char *user) {
    static uint8_t ders[8][1 << 15];
    tern_x509_cert c[8];
    size_t n = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", chain);
    for (char *w = strtok(buf, " "); w; w = strtok(NULL, " ")) {
        char rel[128];
        size_t tl, len;
        snprintf(rel, sizeof rel, "certs/policy/%s.crt", w);
        char *t = tv_slurp(tv_path(rel), &tl);
        tern_pem_reader r;
        tern_pem_block b;
        tern_pem_init(&r, (const uint8_t *)t, tl);
        if (tern_pem_next(&r, &b) != 1 || tern_pem_decode(&b, ders[n], sizeof ders[n], &len) != 0 ||
            tern_x509_parse(&c[n], ders[n], len) != 0)
            abort();
        free(t);
        n++;
    }
    uint8_t oid[64];
    int olen = user ? tern_x509_oid_from_text(user, oid, sizeof oid) : -1;
    on = 0;
    uint8_t h0 = (uint8_t)(flags | (olen > 0 ? 1u << 3 : 0) | (uint8_t)((n - 1) << 5));
    add(&h0, 1);
    if (olen > 0) {
        uint8_t l = (uint8_t)olen;
        add(&l, 1);
        add(oid, (size_t)olen);
    }
    for (size_t i = 0; i < n; i++) {
        uint8_t h = (uint8_t)(tern_x509_self_issued(&c[i]) | c[i].has_policies << 1 | c[i].has_policy_mappings << 2 |
                              c[i].has_policy_constraints << 3 | c[i].has_inhibit_any << 4);
        add(&h, 1);
        add_ext(c[i].has_policies, c[i].policies);
        add_ext(c[i].has_policy_mappings, c[i].policy_mappings);
        add_ext(c[i].has_policy_constraints, c[i].policy_constraints);
        add_ext(c[i].has_inhibit_any, c[i].inhibit_any);
    }
    char path[256];
    mkdir("tests/fuzz/corpus/fuzz_policy", 0777);
    snprintf(path, sizeof path, "tests/fuzz/corpus/fuzz_policy/%s", name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(out, 1, on, f) != on)
        abort();
    fclose(f);
    if (LLVMFuzzerTestOneInput(out, on) != 0)
        abort();
}

int main(void) {
    const char *P1 = "1.3.6.1.4.1.55555.1.1", *P2 = "1.3.6.1.4.1.55555.1.2";
    seed("p1", "leaf-p1 int-p1", 1, P1);
    seed("nopol", "leaf-nopol int-p1", 1, NULL);
    seed("map", "leaf-map int-map", 1, P1);
    seed("map-p2", "leaf-map int-map", 1, P2);
    seed("map-inhibited", "leaf-map int-map", 3, P1);
    seed("any", "leaf-any int-any", 1, NULL);
    seed("any-inhibited", "leaf-any int-any", 5, NULL);
    seed("inhany", "leaf-inhany int-inhany", 1, NULL);
    seed("reqexp", "leaf-reqexp-nopol int-reqexp", 0, NULL);
    seed("inhmap", "leaf-inhmap int-inhmap-map int-inhmap", 1, NULL);
    seed("mapany", "leaf-mapany int-mapany", 0, NULL);
    seed("attack3", "leaf-atk3 atk3 atk2 atk1", 1, P1);
    seed("attack4", "leaf-atk4 atk4 atk3 atk2 atk1", 1, P1);
    printf("fuzz_policy: 13 seeds written\n");
    return 0;
}
#endif
