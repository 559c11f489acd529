/*
 * Handshake rows with client certificates (mutual TLS) for make bench (order 810), like
 * bench/bench_tls.c: client and server in one process, tern over a memory
 * pipe, OpenSSL's libssl over a BIO pair, TLS 1.2, no resumption, the
 * client verifying the server chain and name (vectors/certs):
 *   handshake/rsa2048-kx          full handshakes per second with the RSA
 *                                 key exchange (TLS_RSA_WITH_AES_128_GCM_SHA256)
 *   handshake/ecdhe-rsa2048-mtls  full ECDHE_RSA handshakes (AES-128-GCM)
 *                                 where the server requires a client
 *                                 certificate and verifies its chain and
 *                                 CertificateVerify
 * Run from the top of the tree.
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/tls_pair.h"
#include "tern/tern.h"

#if defined(TERN_BENCH_HAVE_OPENSSL) && defined(TERN_BENCH_HAVE_LIBSSL)
#define HAVE_SSL 1
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define CERTS "vectors/certs/"

typedef struct {
    tern_config *ccfg, *scfg;
    tls_pipes io;
} tctx;

static int tern_one(tctx *t) {
    tern_conn *c = tern_client_new(t->ccfg, "localhost"), *s = tern_server_new(t->scfg);
    int ok = -1;
    if (c && s && tls_pipes_wire(&t->io, c, s) == 0 && tls_pair_handshake(c, s, "bench_tls_mtls") == 0)
        ok = tern_peer_subject(c) != NULL ? 0 : -1;
    tern_free(c);
    tern_free(s);
    return ok;
}

static void tern_handshakes(void *ctx, size_t iters) {
    for (size_t i = 0; i < iters; i++)
        if (tern_one(ctx) != 0)
            abort();
}

#ifdef HAVE_SSL
typedef struct {
    SSL_CTX *cctx, *sctx;
    int mtls;
} octx;

static int ossl_setup(octx *o, const char *suite, int mtls) {
    o->mtls = mtls;
    if (tls_ossl_ctx_pair(&o->sctx, &o->cctx, suite, "X25519", CERTS "server-chain.pem", CERTS "server.key",
                          CERTS "root-ca.crt", 1) != 0)
        return -1;
    if (mtls) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(CERTS "root-ca.crt");
        if (names == NULL || SSL_CTX_load_verify_locations(o->sctx, CERTS "root-ca.crt", NULL) != 1 ||
            SSL_CTX_use_certificate_chain_file(o->cctx, CERTS "client-chain.pem") != 1 ||
            SSL_CTX_use_PrivateKey_file(o->cctx, CERTS "client.key", SSL_FILETYPE_PEM) != 1)
            return -1;
        SSL_CTX_set_client_CA_list(o->sctx, names);
        SSL_CTX_set_verify(o->sctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    }
    return 0;
}

static int ossl_one(octx *o) {
    SSL *s = SSL_new(o->sctx), *c = SSL_new(o->cctx);
    int ok = -1;
    if (tls_ossl_start(c, s, 1 << 16, NULL) == 0 && tls_ossl_handshake(c, s, NULL) == 0)
        ok = !o->mtls || SSL_get0_peer_certificate(s) != NULL ? 0 : -1;
    SSL_free(s);
    SSL_free(c);
    return ok;
}

static void ossl_handshakes(void *ctx, size_t iters) {
    for (size_t i = 0; i < iters; i++)
        if (ossl_one(ctx) != 0) {
            ERR_print_errors_fp(stderr);
            abort();
        }
}
#endif

static tern_config *cfg_or_die(tern_config *cfg, int rc) {
    if (rc != 0) {
        fprintf(stderr, "bench_tls_mtls: %s (run from the top of the tree)\n", tern_config_error(cfg));
        exit(1);
    }
    return cfg;
}

BENCH_GROUP(810, bench_tls_mtls)
static void bench_tls_mtls(void) {
    static tctx rsa, mtls;
    /* RSA key exchange: enabled explicitly on both sides. */
    rsa.ccfg = tern_config_new();
    rsa.scfg = tern_config_new();
    cfg_or_die(rsa.ccfg, tern_config_load_truststore(rsa.ccfg, CERTS "root-ca.crt"));
    cfg_or_die(rsa.ccfg, tern_config_set_cipher_suites(rsa.ccfg, "AES128-GCM-SHA256"));
    cfg_or_die(rsa.scfg, tern_config_load_keystore(rsa.scfg, CERTS "server-chain.pem", CERTS "server.key"));
    cfg_or_die(rsa.scfg, tern_config_set_cipher_suites(rsa.scfg, "AES128-GCM-SHA256"));
    /* Mutual TLS: the client has a key store, the server requires it. */
    mtls.ccfg = tern_config_new();
    mtls.scfg = tern_config_new();
    cfg_or_die(mtls.ccfg, tern_config_load_truststore(mtls.ccfg, CERTS "root-ca.crt"));
    cfg_or_die(mtls.ccfg, tern_config_load_keystore(mtls.ccfg, CERTS "client-chain.pem", CERTS "client.key"));
    cfg_or_die(mtls.ccfg, tern_config_set_cipher_suites(mtls.ccfg, "ECDHE-RSA-AES128-GCM-SHA256"));
    cfg_or_die(mtls.scfg, tern_config_load_keystore(mtls.scfg, CERTS "server-chain.pem", CERTS "server.key"));
    cfg_or_die(mtls.scfg, tern_config_load_truststore(mtls.scfg, CERTS "root-ca.crt"));
    cfg_or_die(mtls.scfg, tern_config_set_client_auth(mtls.scfg, TERN_CLIENT_AUTH_REQUIRED));
#ifdef HAVE_SSL
    static octx orsa, omtls;
    int have_rsa = ossl_setup(&orsa, "AES128-GCM-SHA256", 0) == 0;
    int have_mtls = ossl_setup(&omtls, "ECDHE-RSA-AES128-GCM-SHA256", 1) == 0;
    if (!have_rsa || !have_mtls)
        ERR_print_errors_fp(stderr);
    bench_pair("handshake/rsa2048-kx", 0, tern_handshakes, &rsa, have_rsa ? ossl_handshakes : NULL, &orsa);
    bench_pair("handshake/ecdhe-rsa2048-mtls", 0, tern_handshakes, &mtls, have_mtls ? ossl_handshakes : NULL,
               &omtls);
#else
    bench_pair("handshake/rsa2048-kx", 0, tern_handshakes, &rsa, NULL, NULL);
    bench_pair("handshake/ecdhe-rsa2048-mtls", 0, tern_handshakes, &mtls, NULL, NULL);
#endif
    tern_config_free(rsa.ccfg);
    tern_config_free(rsa.scfg);
    tern_config_free(mtls.ccfg);
    tern_config_free(mtls.scfg);
}
