/*
 * Handshake rows of issue 9 for make bench (order 810), like
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

#include "tern/tern.h"

#if defined(TERN_BENCH_HAVE_OPENSSL) && defined(TERN_BENCH_HAVE_LIBSSL)
#define HAVE_SSL 1
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define CERTS "vectors/certs/"

typedef struct {
    uint8_t buf[1 << 16];
    size_t off, len;
} mpipe;
typedef struct {
    mpipe *in, *out;
} mend;

static int m_recv(void *arg, uint8_t *b, size_t n) {
    mpipe *p = ((mend *)arg)->in;
    size_t avail = p->len - p->off;
    if (avail == 0)
        return TERN_WANT_READ;
    if (n > avail)
        n = avail;
    memcpy(b, p->buf + p->off, n);
    p->off += n;
    if (p->off == p->len)
        p->off = p->len = 0;
    return (int)n;
}

static int m_send(void *arg, const uint8_t *b, size_t n) {
    mpipe *p = ((mend *)arg)->out;
    if (p->off > 0) {
        memmove(p->buf, p->buf + p->off, p->len - p->off);
        p->len -= p->off;
        p->off = 0;
    }
    size_t room = sizeof p->buf - p->len;
    if (room == 0)
        return TERN_WANT_WRITE;
    if (n > room)
        n = room;
    memcpy(p->buf + p->len, b, n);
    p->len += n;
    return (int)n;
}

typedef struct {
    tern_config *ccfg, *scfg;
    mpipe c2s, s2c;
    mend ce, se;
} tctx;

static int tern_one(tctx *t) {
    t->c2s.off = t->c2s.len = t->s2c.off = t->s2c.len = 0;
    tern_conn *c = tern_client_new(t->ccfg, "localhost"), *s = tern_server_new(t->scfg);
    int ok = -1;
    if (c && s) {
        t->ce.in = &t->s2c, t->ce.out = &t->c2s;
        t->se.in = &t->c2s, t->se.out = &t->s2c;
        if (tern_set_io(c, m_recv, m_send, &t->ce) == 0 && tern_set_io(s, m_recv, m_send, &t->se) == 0) {
            int rc = TERN_WANT_READ, rs = TERN_WANT_READ;
            for (int i = 0; i < 100 && (rc != 0 || rs != 0); i++) {
                if (rc != 0)
                    rc = tern_handshake(c);
                if (rs != 0)
                    rs = tern_handshake(s);
                if ((rc < 0 && rc != TERN_WANT_READ && rc != TERN_WANT_WRITE) ||
                    (rs < 0 && rs != TERN_WANT_READ && rs != TERN_WANT_WRITE)) {
                    fprintf(stderr, "bench_tls_mtls: %s / %s\n", tern_error(c), tern_error(s));
                    break;
                }
            }
            ok = rc == 0 && rs == 0 && tern_peer_subject(c) != NULL ? 0 : -1;
        }
    }
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
    o->sctx = SSL_CTX_new(TLS_server_method());
    o->cctx = SSL_CTX_new(TLS_client_method());
    if (!o->sctx || !o->cctx)
        return -1;
    SSL_CTX *both[2] = {o->sctx, o->cctx};
    for (int i = 0; i < 2; i++) {
        SSL_CTX_set_min_proto_version(both[i], TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(both[i], TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(both[i], suite);
        SSL_CTX_set1_groups_list(both[i], "X25519");
        SSL_CTX_set_session_cache_mode(both[i], SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(both[i], SSL_OP_NO_TICKET);
    }
    if (SSL_CTX_use_certificate_chain_file(o->sctx, CERTS "server-chain.pem") != 1 ||
        SSL_CTX_use_PrivateKey_file(o->sctx, CERTS "server.key", SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(o->cctx, CERTS "root-ca.crt", NULL) != 1)
        return -1;
    SSL_CTX_set_verify(o->cctx, SSL_VERIFY_PEER, NULL);
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
    BIO *cb, *sb;
    if (!s || !c || !BIO_new_bio_pair(&cb, 1 << 16, &sb, 1 << 16))
        return -1;
    SSL_set_bio(c, cb, cb);
    SSL_set_bio(s, sb, sb);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set1_host(c, "localhost");
    int dc = 0, ds = 0, bad = 0;
    for (int i = 0; i < 100 && (!dc || !ds) && !bad; i++) {
        if (!dc) {
            int r = SSL_do_handshake(c);
            if (r == 1)
                dc = 1;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                bad = 1;
        }
        if (!ds) {
            int r = SSL_do_handshake(s);
            if (r == 1)
                ds = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                bad = 1;
        }
    }
    int ok = dc && ds && (!o->mtls || SSL_get0_peer_certificate(s) != NULL) ? 0 : -1;
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
