/*
 * Fuzz target: the certificate_list parser shared by both Certificate
 * messages (lib/certlist.c, RFC 5246 §7.4.2), differentially.  The input is
 * a Certificate body.  A reference parse written here with plain offsets
 * must agree with tern_certlist_parse on the result (accepted, decode_error,
 * or too many certificates) and on every certificate it found; an accepted
 * list written back (with the writer's 3-byte vectors, and by
 * tern_certlist_write when it fits a key store's chain) must give the input
 * again, byte for byte.  Any difference, or a sanitizer report, is a
 * finding.  (The engine targets, fuzz_hs, fuzz_client and fuzz_server, run
 * it inside both Certificate messages too.)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/certlist.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t be24(const uint8_t *p) { return (size_t)p[0] << 16 | (size_t)p[1] << 8 | p[2]; }

/* The reference: 0, TERN_ERR_DECODE or TERN_ERR_CERT_CHAIN_TOO_LONG, with
 * the certificates' offsets and lengths. */
static int reference(const uint8_t *p, size_t n, size_t *off, size_t *len, size_t *count) {
    *count = 0;
    if (n < 3 || be24(p) != n - 3)
        return TERN_ERR_DECODE; /* the list must be the whole body */
    size_t at = 3;
    while (at < n) {
        if (n - at < 3)
            return TERN_ERR_DECODE;
        size_t l = be24(p + at);
        if (l == 0 || l > n - at - 3)
            return TERN_ERR_DECODE;
        if (*count == TERN_X509_MAX_PEER_CERTS)
            return TERN_ERR_CERT_CHAIN_TOO_LONG;
        off[*count] = at + 3;
        len[*count] = l;
        (*count)++;
        at += 3 + l;
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    tern_reader r;
    tern_certlist list;
    tern_rd_init(&r, data, size);
    int rc = tern_certlist_parse(&r, &list);
    size_t off[TERN_X509_MAX_PEER_CERTS], len[TERN_X509_MAX_PEER_CERTS], n;
    int want = reference(data, size, off, len, &n);
    if (rc != want) {
        fprintf(stderr, "fuzz_certlist: tern_certlist_parse %d, the reference %d\n", rc, want);
        abort();
    }
    if (rc != 0)
        return 0;
    if (list.n != n)
        abort();
    for (size_t i = 0; i < n; i++)
        if (list.cert[i] != data + off[i] || list.len[i] != len[i])
            abort();

    /* Written back with the writer's 3-byte vectors: the same bytes. */
    uint8_t *out = malloc(size);
    if (out == NULL)
        abort();
    tern_writer w;
    tern_wr_vec outer, one;
    tern_wr_init(&w, out, size);
    int wrc = tern_wr_begin(&w, &outer, 3);
    for (size_t i = 0; wrc == 0 && i < list.n; i++) {
        wrc = tern_wr_begin(&w, &one, 3);
        if (wrc == 0)
            wrc = tern_wr_bytes(&w, list.cert[i], list.len[i]);
        if (wrc == 0)
            wrc = tern_wr_end(&w, &one);
    }
    if (wrc == 0)
        wrc = tern_wr_end(&w, &outer);
    if (wrc != 0 || w.err || tern_wr_len(&w) != size || memcmp(out, data, size) != 0) {
        fprintf(stderr, "fuzz_certlist: the list written back differs from the input\n");
        abort();
    }
    /* And by tern_certlist_write, from a key store holding these
     * certificates as its chain (when they fit one). */
    if (list.n <= TERN_KEYSTORE_MAX_CHAIN) {
        static tern_keystore ks;
        ks.n = list.n;
        for (size_t i = 0; i < list.n; i++) {
            ks.chain[i] = list.cert[i];
            ks.chain_len[i] = list.len[i];
        }
        memset(out, 0, size);
        tern_wr_init(&w, out, size);
        if (tern_certlist_write(&w, &ks) != 0 || w.err || tern_wr_len(&w) != size || memcmp(out, data, size) != 0) {
            fprintf(stderr, "fuzz_certlist: tern_certlist_write differs from the input\n");
            abort();
        }
    }
    free(out);
    return 0;
}
