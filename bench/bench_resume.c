/*
 * Resumption rows for make bench (order 850): abbreviated handshakes
 * (RFC 5246 §7.3) per second, client and server in one process, tern
 * engines over a memory pipe against OpenSSL's libssl over a BIO pair,
 * TLS 1.2, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256.  One full handshake
 * makes the session; each operation then creates a client and a server
 * connection, offers the session, runs the abbreviated handshake (checked
 * to have resumed: the operation aborts otherwise) and frees both.
 *   handshake/resumed-ticket   RFC 5077 ticket: the server opens it
 *                              (AES-GCM) and keeps no state
 *                              (tern: tickets on, no cache; OpenSSL:
 *                              tickets on, SSL_SESS_CACHE_OFF)
 *   handshake/resumed-id       session ID found in the server's cache
 *                              (tern: tern_config_set_session_cache;
 *                              OpenSSL: SSL_SESS_CACHE_SERVER,
 *                              SSL_OP_NO_TICKET)
 * Neither server renews the ticket on these resumptions (same key).
 * OpenSSL runs with the malloc accounting hooks bench/bench_tls.c installs
 * for the whole process (CRYPTO_set_mem_functions), which costs it some
 * speed in every row of the binary.
 * Run from the top of the tree (the certificates are read from vectors/).
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

/* ---- a memory pipe for tern ---- */
typedef struct {
    uint8_t buf[1 << 15];
    size_t off, len;
} rpipe;
typedef struct {
    rpipe *in, *out;
} rend;

static int r_recv(void *arg, uint8_t *b, size_t n) {
    rpipe *p = ((rend *)arg)->in;
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

static int r_send(void *arg, const uint8_t *b, size_t n) {
    rpipe *p = ((rend *)arg)->out;
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
    tern_session *sess;
    rpipe c2s, s2c;
    rend ce, se;
} tern_rctx;

/* One connection; offers t->sess when set.  Returns 1 resumed, 0 full,
 * -1 failure; keeps the session of a full handshake. */
static int tern_once(tern_rctx *t) {
    t->c2s.off = t->c2s.len = t->s2c.off = t->s2c.len = 0;
    tern_conn *c = tern_client_new(t->ccfg, "localhost"), *s = tern_server_new(t->scfg);
    int out = -1;
    if (!c || !s)
        goto done;
    t->ce.in = &t->s2c, t->ce.out = &t->c2s;
    t->se.in = &t->c2s, t->se.out = &t->s2c;
    if (tern_set_io(c, r_recv, r_send, &t->ce) || tern_set_io(s, r_recv, r_send, &t->se))
        goto done;
    if (t->sess != NULL && tern_set_session(c, t->sess) != 0)
        goto done;
    int rc = TERN_WANT_READ, rs = TERN_WANT_READ;
    for (int i = 0; i < 100 && (rc != 0 || rs != 0); i++) {
        if (rc != 0)
            rc = tern_handshake(c);
        if (rs != 0)
            rs = tern_handshake(s);
        if ((rc < 0 && rc != TERN_WANT_READ && rc != TERN_WANT_WRITE) ||
            (rs < 0 && rs != TERN_WANT_READ && rs != TERN_WANT_WRITE)) {
            fprintf(stderr, "bench_resume: tern handshake failed: %s / %s\n", tern_error(c), tern_error(s));
            goto done;
        }
    }
    if (rc != 0 || rs != 0)
        goto done;
    out = tern_session_reused(c) && tern_session_reused(s);
    if (t->sess == NULL)
        t->sess = tern_get_session(c);
done:
    tern_free(c);
    tern_free(s);
    return out;
}

static void tern_resumes(void *ctx, size_t iters) {
    tern_rctx *t = ctx;
    for (size_t i = 0; i < iters; i++)
        if (tern_once(t) != 1)
            abort();
}

/* ticket: 1 for tickets, 0 for the session-ID cache. */
static int tern_setup(tern_rctx *t, int ticket) {
    t->ccfg = tern_config_new();
    t->scfg = tern_config_new();
    if (!t->ccfg || !t->scfg || tern_config_load_truststore(t->ccfg, CERTS "root-ca.crt") != 0 ||
        tern_config_load_keystore(t->scfg, CERTS "server-chain.pem", CERTS "server.key") != 0 ||
        tern_config_set_cipher_suites(t->ccfg, "ECDHE-RSA-AES128-GCM-SHA256") != 0)
        return -1;
    if (ticket && (tern_config_set_session_tickets(t->ccfg, 1, 7200) != 0 ||
                   tern_config_set_session_tickets(t->scfg, 1, 7200) != 0))
        return -1;
    if (!ticket && tern_config_set_session_cache(t->scfg, 1024, 7200) != 0)
        return -1;
    t->sess = NULL;
    return tern_once(t) == 0 && t->sess != NULL ? 0 : -1;
}

static void tern_teardown(tern_rctx *t) {
    tern_session_free(t->sess);
    tern_config_free(t->ccfg);
    tern_config_free(t->scfg);
}

#ifdef HAVE_SSL
typedef struct {
    SSL_CTX *cctx, *sctx;
    SSL_SESSION *sess;
} ossl_rctx;

static int ossl_once(ossl_rctx *o) {
    SSL *c = SSL_new(o->cctx), *s = SSL_new(o->sctx);
    BIO *cb, *sb;
    int out = -1;
    if (!c || !s || !BIO_new_bio_pair(&cb, 1 << 15, &sb, 1 << 15))
        goto done;
    SSL_set_bio(c, cb, cb);
    SSL_set_bio(s, sb, sb);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set1_host(c, "localhost");
    if (o->sess != NULL && SSL_set_session(c, o->sess) != 1)
        goto done;
    int dc = 0, ds = 0;
    for (int i = 0; i < 100 && (!dc || !ds); i++) {
        if (!dc) {
            int r = SSL_do_handshake(c);
            if (r == 1)
                dc = 1;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                goto done;
        }
        if (!ds) {
            int r = SSL_do_handshake(s);
            if (r == 1)
                ds = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                goto done;
        }
    }
    if (!dc || !ds)
        goto done;
    out = SSL_session_reused(c) && SSL_session_reused(s);
    if (o->sess == NULL)
        o->sess = SSL_get1_session(c);
    /* A connection freed without a shutdown marks its session not
     * resumable in OpenSSL; tern's tern_free does not.  Mark both closed
     * (no bytes are exchanged, as on the tern side). */
    SSL_set_shutdown(c, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
    SSL_set_shutdown(s, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
done:
    SSL_free(c);
    SSL_free(s);
    return out;
}

static void ossl_resumes(void *ctx, size_t iters) {
    ossl_rctx *o = ctx;
    for (size_t i = 0; i < iters; i++)
        if (ossl_once(o) != 1) {
            fprintf(stderr, "bench_resume: OpenSSL did not resume\n");
            ERR_print_errors_fp(stderr);
            abort();
        }
}

static int ossl_setup(ossl_rctx *o, int ticket) {
    o->sctx = SSL_CTX_new(TLS_server_method());
    o->cctx = SSL_CTX_new(TLS_client_method());
    if (!o->sctx || !o->cctx)
        return -1;
    SSL_CTX *both[2] = {o->sctx, o->cctx};
    for (int i = 0; i < 2; i++) {
        SSL_CTX_set_min_proto_version(both[i], TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(both[i], TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(both[i], "ECDHE-RSA-AES128-GCM-SHA256");
        SSL_CTX_set1_groups_list(both[i], "X25519");
        if (!ticket)
            SSL_CTX_set_options(both[i], SSL_OP_NO_TICKET);
    }
    SSL_CTX_set_session_cache_mode(o->sctx, ticket ? SSL_SESS_CACHE_OFF : SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_cache_mode(o->cctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_id_context(o->sctx, (const unsigned char *)"bench", 5);
    if (SSL_CTX_use_certificate_chain_file(o->sctx, CERTS "server-chain.pem") != 1 ||
        SSL_CTX_use_PrivateKey_file(o->sctx, CERTS "server.key", SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(o->cctx, CERTS "root-ca.crt", NULL) != 1)
        return -1;
    SSL_CTX_set_verify(o->cctx, SSL_VERIFY_PEER, NULL);
    o->sess = NULL;
    return ossl_once(o) == 0 && o->sess != NULL ? 0 : -1;
}

static void ossl_teardown(ossl_rctx *o) {
    SSL_SESSION_free(o->sess);
    SSL_CTX_free(o->cctx);
    SSL_CTX_free(o->sctx);
}
#endif

BENCH_GROUP(850, bench_resume)
static void bench_resume(void) {
    static const char *items[2] = {"handshake/resumed-id", "handshake/resumed-ticket"};
    for (int ticket = 1; ticket >= 0; ticket--) {
        static tern_rctx t;
        if (tern_setup(&t, ticket) != 0) {
            fprintf(stderr, "bench_resume: tern set-up failed (run from the top of the tree)\n");
            return;
        }
#ifdef HAVE_SSL
        static ossl_rctx o;
        int have_ossl = ossl_setup(&o, ticket) == 0;
        if (!have_ossl)
            ERR_print_errors_fp(stderr);
        bench_pair(items[ticket], 0, tern_resumes, &t, have_ossl ? ossl_resumes : NULL, &o);
        ossl_teardown(&o);
#else
        bench_pair(items[ticket], 0, tern_resumes, &t, NULL, NULL);
#endif
        tern_teardown(&t);
    }
}
