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
    tern_session *sess;
    tls_pipes io;
} tern_rctx;

/* One connection; offers t->sess when set.  Returns 1 resumed, 0 full,
 * -1 failure; keeps the session of a full handshake. */
static int tern_once(tern_rctx *t) {
    tern_conn *c = tern_client_new(t->ccfg, "localhost"), *s = tern_server_new(t->scfg);
    int out = -1;
    if (!c || !s || tls_pipes_wire(&t->io, c, s) != 0)
        goto done;
    if (t->sess != NULL && tern_set_session(c, t->sess) != 0)
        goto done;
    if (tls_pair_handshake(c, s, "bench_resume") != 0)
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
    int out = -1;
    if (tls_ossl_start(c, s, 1 << 15, NULL) != 0)
        goto done;
    if (o->sess != NULL && SSL_set_session(c, o->sess) != 1)
        goto done;
    if (tls_ossl_handshake(c, s, NULL) != 0)
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
    if (tls_ossl_ctx_pair(&o->sctx, &o->cctx, "ECDHE-RSA-AES128-GCM-SHA256", "X25519", CERTS "server-chain.pem",
                          CERTS "server.key", CERTS "root-ca.crt", 0) != 0)
        return -1;
    if (!ticket) {
        SSL_CTX_set_options(o->sctx, SSL_OP_NO_TICKET);
        SSL_CTX_set_options(o->cctx, SSL_OP_NO_TICKET);
    }
    SSL_CTX_set_session_cache_mode(o->sctx, ticket ? SSL_SESS_CACHE_OFF : SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_cache_mode(o->cctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_session_id_context(o->sctx, (const unsigned char *)"bench", 5);
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
