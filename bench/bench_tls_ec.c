/*
 * Issue 13 TLS rows for make bench (order 820): whole connections, client
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

#include "lib/tls.h"

#if defined(TERN_BENCH_HAVE_OPENSSL) && defined(TERN_BENCH_HAVE_LIBSSL)
#define HAVE_SSL 1
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define CERTS "vectors/certs/"

typedef struct {
    uint8_t buf[1 << 17];
    size_t off, len;
} bpipe;
typedef struct {
    bpipe *in, *out;
} bend;

static int b_recv(void *arg, uint8_t *b, size_t n) {
    bpipe *p = ((bend *)arg)->in;
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

static int b_send(void *arg, const uint8_t *b, size_t n) {
    bpipe *p = ((bend *)arg)->out;
    if (p->off > 0 && p->len + n > sizeof p->buf) {
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
    bpipe c2s, s2c;
    bend ce, se;
    tern_conn *c, *s;
} tern_ctx;

static int tern_connect(tern_ctx *t) {
    t->c2s.off = t->c2s.len = t->s2c.off = t->s2c.len = 0;
    t->c = tern_client_new(t->ccfg, "localhost");
    t->s = tern_server_new(t->scfg);
    if (!t->c || !t->s)
        return -1;
    t->ce.in = &t->s2c, t->ce.out = &t->c2s;
    t->se.in = &t->c2s, t->se.out = &t->s2c;
    if (tern_set_io(t->c, b_recv, b_send, &t->ce) || tern_set_io(t->s, b_recv, b_send, &t->se))
        return -1;
    int rc = TERN_WANT_READ, rs = TERN_WANT_READ;
    for (int i = 0; i < 100 && (rc != 0 || rs != 0); i++) {
        if (rc != 0)
            rc = tern_handshake(t->c);
        if (rs != 0)
            rs = tern_handshake(t->s);
        if ((rc < 0 && rc != TERN_WANT_READ && rc != TERN_WANT_WRITE) ||
            (rs < 0 && rs != TERN_WANT_READ && rs != TERN_WANT_WRITE)) {
            fprintf(stderr, "bench_tls_ec: tern handshake failed: %s / %s\n", tern_error(t->c), tern_error(t->s));
            return -1;
        }
    }
    return rc == 0 && rs == 0 ? 0 : -1;
}

static void tern_disconnect(tern_ctx *t) {
    tern_free(t->c);
    tern_free(t->s);
    t->c = t->s = NULL;
}

static void tern_handshakes(void *ctx, size_t iters) {
    tern_ctx *t = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (tern_connect(t) != 0)
            abort();
        tern_disconnect(t);
    }
}

static uint8_t chunk[16384], sink[16384];

static void tern_move(tern_conn *a, tern_conn *b) {
    if (tern_write(a, chunk, sizeof chunk) != (long)sizeof chunk)
        abort();
    size_t got = 0;
    while (got < sizeof chunk) {
        long r = tern_read(b, sink, sizeof sink);
        if (r <= 0)
            abort();
        got += (size_t)r;
    }
}

static void tern_bulk(void *ctx, size_t iters) {
    tern_ctx *t = ctx;
    for (size_t i = 0; i < iters; i++) {
        tern_move(t->c, t->s);
        tern_move(t->s, t->c);
    }
    bench_sink(sink, sizeof sink);
}

static int tern_setup(tern_ctx *t, const char *suite, const char *group) {
    memset(t, 0, sizeof *t);
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

static void tern_teardown(tern_ctx *t) {
    tern_config_free(t->ccfg);
    tern_config_free(t->scfg);
}

#ifdef HAVE_SSL
typedef struct {
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
} ossl_ctx;

static int ossl_setup(ossl_ctx *o, const char *suite, const char *groups) {
    o->sctx = SSL_CTX_new(TLS_server_method());
    o->cctx = SSL_CTX_new(TLS_client_method());
    if (!o->sctx || !o->cctx)
        return -1;
    SSL_CTX *both[2] = {o->sctx, o->cctx};
    for (int i = 0; i < 2; i++) {
        SSL_CTX_set_min_proto_version(both[i], TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(both[i], TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(both[i], suite);
        SSL_CTX_set1_groups_list(both[i], groups);
        SSL_CTX_set_session_cache_mode(both[i], SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(both[i], SSL_OP_NO_TICKET);
    }
    if (SSL_CTX_use_certificate_chain_file(o->sctx, CERTS "ecdsa-server-chain.pem") != 1 ||
        SSL_CTX_use_PrivateKey_file(o->sctx, CERTS "ecdsa-server.key", SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(o->cctx, CERTS "ecdsa-root.crt", NULL) != 1)
        return -1;
    SSL_CTX_set_verify(o->cctx, SSL_VERIFY_PEER, NULL);
    return 0;
}

static void ossl_teardown(ossl_ctx *o) {
    SSL_CTX_free(o->sctx);
    SSL_CTX_free(o->cctx);
}

static int ossl_connect(ossl_ctx *o) {
    o->s = SSL_new(o->sctx);
    o->c = SSL_new(o->cctx);
    BIO *cb, *sb;
    if (!o->s || !o->c || !BIO_new_bio_pair(&cb, 1 << 17, &sb, 1 << 17))
        return -1;
    SSL_set_bio(o->c, cb, cb);
    SSL_set_bio(o->s, sb, sb);
    SSL_set_accept_state(o->s);
    SSL_set_connect_state(o->c);
    SSL_set_tlsext_host_name(o->c, "localhost");
    SSL_set1_host(o->c, "localhost");
    int dc = 0, ds = 0;
    for (int i = 0; i < 100 && (!dc || !ds); i++) {
        if (!dc) {
            int r = SSL_do_handshake(o->c);
            if (r == 1)
                dc = 1;
            else if (SSL_get_error(o->c, r) != SSL_ERROR_WANT_READ)
                return -1;
        }
        if (!ds) {
            int r = SSL_do_handshake(o->s);
            if (r == 1)
                ds = 1;
            else if (SSL_get_error(o->s, r) != SSL_ERROR_WANT_READ)
                return -1;
        }
    }
    return dc && ds ? 0 : -1;
}

static void ossl_disconnect(ossl_ctx *o) {
    SSL_free(o->s);
    SSL_free(o->c);
}

static void ossl_handshakes(void *ctx, size_t iters) {
    ossl_ctx *o = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (ossl_connect(o) != 0) {
            ERR_print_errors_fp(stderr);
            abort();
        }
        ossl_disconnect(o);
    }
}

static void ossl_move(SSL *a, SSL *b) {
    if (SSL_write(a, chunk, sizeof chunk) != (int)sizeof chunk)
        abort();
    size_t got = 0;
    while (got < sizeof chunk) {
        int r = SSL_read(b, sink, sizeof sink);
        if (r <= 0)
            abort();
        got += (size_t)r;
    }
}

static void ossl_bulk(void *ctx, size_t iters) {
    ossl_ctx *o = ctx;
    for (size_t i = 0; i < iters; i++) {
        ossl_move(o->c, o->s);
        ossl_move(o->s, o->c);
    }
    bench_sink(sink, sizeof sink);
}
#endif

/* One row: handshakes (bulk == 0) or 16 KB each way through one connection. */
static void row(const char *item, const char *suite, const char *tern_group, const char *ossl_group, int bulk) {
    static tern_ctx t;
    if (tern_setup(&t, suite, tern_group) != 0)
        return;
#ifdef HAVE_SSL
    static ossl_ctx o;
    int have_ossl = ossl_setup(&o, suite, ossl_group) == 0;
    if (!have_ossl)
        ERR_print_errors_fp(stderr);
#else
    (void)ossl_group;
    void *o = NULL;
#endif
    if (!bulk) {
#ifdef HAVE_SSL
        bench_pair(item, 0, tern_handshakes, &t, have_ossl ? ossl_handshakes : NULL, &o);
#else
        bench_pair(item, 0, tern_handshakes, &t, NULL, o);
#endif
    } else if (tern_connect(&t) == 0) {
#ifdef HAVE_SSL
        if (have_ossl && ossl_connect(&o) != 0)
            have_ossl = 0;
        bench_pair(item, 2 * sizeof chunk, tern_bulk, &t, have_ossl ? ossl_bulk : NULL, &o);
        if (have_ossl)
            ossl_disconnect(&o);
#else
        bench_pair(item, 2 * sizeof chunk, tern_bulk, &t, NULL, o);
#endif
        tern_disconnect(&t);
    }
#ifdef HAVE_SSL
    ossl_teardown(&o);
#endif
    tern_teardown(&t);
}

BENCH_GROUP(820, bench_tls_ec)
static void bench_tls_ec(void) {
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (uint8_t)i;
    row("handshake/ecdhe-ecdsa-p256", "ECDHE-ECDSA-AES128-GCM-SHA256", "secp256r1", "P-256", 0);
    row("handshake/ecdhe-ecdsa-x25519", "ECDHE-ECDSA-AES128-GCM-SHA256", "x25519,secp256r1", "X25519:P-256", 0);
    row("bulk/chacha20-poly1305", "ECDHE-ECDSA-CHACHA20-POLY1305", "x25519,secp256r1", "X25519:P-256", 1);
}
