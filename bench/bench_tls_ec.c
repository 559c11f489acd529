/*
 * The ECDHE_ECDSA and ChaCha20-Poly1305 TLS rows for make bench (order 820): whole connections, client
 * and server in one process, tern engines over a memory pipe against
 * OpenSSL's libssl over a BIO pair, TLS 1.2, no resumption.  The server
 * chain is vectors/certs/ecdsa-server-chain.pem (P-256 leaf, P-256
 * intermediate signed by a P-384 root); the client verifies it to the
 * root and checks the name "localhost".
 *   handshake/ecdhe-ecdsa-p256    full handshakes per second,
 *                                 TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 with
 *                                 ECDHE over secp256r1 (P-256 everywhere)
 *   handshake/ecdhe-ecdsa-x25519  the same suite with ECDHE over X25519
 *   bulk/chacha20-poly1305        MB/s of application data through one
 *                                 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
 *                                 connection: 16 KB each way per operation
 * Run from the top of the tree (the certificates are read from vectors/).
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/tls_pair.h"
#include "lib/conn.h"

#if defined(TERN_BENCH_HAVE_OPENSSL) && defined(TERN_BENCH_HAVE_LIBSSL)
#define HAVE_SSL 1
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define CERTS "vectors/certs/"

static int tern_setup(tls_pair *t, const char *suite, const char *group) {
    memset(t, 0, sizeof *t);
    t->who = "bench_tls_ec";
    t->ccfg = tern_config_new();
    t->scfg = tern_config_new();
    if (!t->ccfg || !t->scfg || tern_config_load_truststore(t->ccfg, CERTS "ecdsa-root.crt") != 0 ||
        tern_config_load_keystore(t->scfg, CERTS "ecdsa-server-chain.pem", CERTS "ecdsa-server.key") != 0 ||
        tern_config_set_cipher_suites(t->ccfg, suite) != 0 || tern_config_set_groups(t->ccfg, group) != 0) {
        fprintf(stderr, "bench_tls_ec: cannot load vectors/certs (run from the top of the tree)\n");
        return -1;
    }
    return 0;
}

static void tern_teardown(tls_pair *t) {
    tern_config_free(t->ccfg);
    tern_config_free(t->scfg);
}

#ifdef HAVE_SSL
static int ossl_setup(tls_ossl_pair *o, const char *suite, const char *groups) {
    return tls_ossl_ctx_pair(&o->sctx, &o->cctx, suite, groups, CERTS "ecdsa-server-chain.pem",
                             CERTS "ecdsa-server.key", CERTS "ecdsa-root.crt", 1);
}

static void ossl_teardown(tls_ossl_pair *o) {
    SSL_CTX_free(o->sctx);
    SSL_CTX_free(o->cctx);
}

#endif

/* One row: handshakes (bulk == 0) or 16 KB each way through one connection. */
static void row(const char *item, const char *suite, const char *tern_group, const char *ossl_group, int bulk) {
    static tls_pair t;
    if (tern_setup(&t, suite, tern_group) != 0)
        return;
#ifdef HAVE_SSL
    static tls_ossl_pair o;
    int have_ossl = ossl_setup(&o, suite, ossl_group) == 0;
    if (!have_ossl)
        ERR_print_errors_fp(stderr);
#else
    (void)ossl_group;
    void *o = NULL;
#endif
    if (!bulk) {
#ifdef HAVE_SSL
        bench_pair(item, 0, tls_pair_handshakes, &t, have_ossl ? tls_ossl_handshakes : NULL, &o);
#else
        bench_pair(item, 0, tls_pair_handshakes, &t, NULL, o);
#endif
    } else if (tls_pair_connect(&t) == 0) {
#ifdef HAVE_SSL
        if (have_ossl && tls_ossl_connect(&o) != 0)
            have_ossl = 0;
        bench_pair(item, 2 * TLS_PAIR_CHUNK, tls_pair_bulk, &t, have_ossl ? tls_ossl_bulk : NULL, &o);
        if (have_ossl)
            tls_ossl_disconnect(&o);
#else
        bench_pair(item, 2 * TLS_PAIR_CHUNK, tls_pair_bulk, &t, NULL, o);
#endif
        tls_pair_disconnect(&t);
    }
#ifdef HAVE_SSL
    ossl_teardown(&o);
#endif
    tern_teardown(&t);
}

BENCH_GROUP(820, bench_tls_ec)
static void bench_tls_ec(void) {
    tls_pair_chunk_init();
    row("handshake/ecdhe-ecdsa-p256", "ECDHE-ECDSA-AES128-GCM-SHA256", "secp256r1", "P-256", 0);
    row("handshake/ecdhe-ecdsa-x25519", "ECDHE-ECDSA-AES128-GCM-SHA256", "x25519,secp256r1", "X25519:P-256", 0);
    row("bulk/chacha20-poly1305", "ECDHE-ECDSA-CHACHA20-POLY1305", "x25519,secp256r1", "X25519:P-256", 1);
}
