/*
 * The in-memory client/server pair the TLS bench rows share: see
 * bench/tls_pair.h.  No RFC logic here; just transport and driving the
 * engines (tern's and, with libssl, OpenSSL's) to the end of a handshake.
 */
#include "bench/tls_pair.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/bench.h"

#ifdef TLS_PAIR_HAVE_SSL
#include <openssl/err.h>
#endif

static int pipe_recv(void *arg, uint8_t *b, size_t n) {
    tls_pipe *p = ((tls_end *)arg)->in;
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

static int pipe_send(void *arg, const uint8_t *b, size_t n) {
    tls_pipe *p = ((tls_end *)arg)->out;
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

int tls_pipes_wire(tls_pipes *p, tern_conn *c, tern_conn *s) {
    p->c2s.off = p->c2s.len = p->s2c.off = p->s2c.len = 0;
    p->ce.in = &p->s2c, p->ce.out = &p->c2s;
    p->se.in = &p->c2s, p->se.out = &p->s2c;
    if (tern_set_io(c, pipe_recv, pipe_send, &p->ce) || tern_set_io(s, pipe_recv, pipe_send, &p->se))
        return -1;
    return 0;
}

int tls_pair_handshake(tern_conn *c, tern_conn *s, const char *who) {
    int rc = TERN_WANT_READ, rs = TERN_WANT_READ;
    for (int i = 0; i < 100 && (rc != 0 || rs != 0); i++) {
        if (rc != 0)
            rc = tern_handshake(c);
        if (rs != 0)
            rs = tern_handshake(s);
        if ((rc < 0 && rc != TERN_WANT_READ && rc != TERN_WANT_WRITE) ||
            (rs < 0 && rs != TERN_WANT_READ && rs != TERN_WANT_WRITE)) {
            fprintf(stderr, "%s: tern handshake failed: %s / %s\n", who, tern_error(c), tern_error(s));
            return -1;
        }
    }
    return rc == 0 && rs == 0 ? 0 : -1;
}

int tls_pair_connect(tls_pair *t) {
    t->c = tern_client_new(t->ccfg, "localhost");
    t->s = tern_server_new(t->scfg);
    if (!t->c || !t->s || tls_pipes_wire(&t->io, t->c, t->s) != 0)
        return -1;
    return tls_pair_handshake(t->c, t->s, t->who);
}

void tls_pair_disconnect(tls_pair *t) {
    tern_free(t->c);
    tern_free(t->s);
    t->c = t->s = NULL;
}

void tls_pair_handshakes(void *ctx, size_t iters) {
    tls_pair *t = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (tls_pair_connect(t) != 0)
            abort();
        tls_pair_disconnect(t);
    }
}

static uint8_t chunk[TLS_PAIR_CHUNK], sink[TLS_PAIR_CHUNK];

void tls_pair_chunk_init(void) {
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (uint8_t)i;
}

/* Move the chunk from a to b (b reads all of it). */
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

void tls_pair_bulk(void *ctx, size_t iters) {
    tls_pair *t = ctx;
    for (size_t i = 0; i < iters; i++) {
        tern_move(t->c, t->s);
        tern_move(t->s, t->c);
    }
    bench_sink(sink, sizeof sink);
}

#ifdef TLS_PAIR_HAVE_SSL
/* server_tag: see tls_ossl_start (1 while calling into the server SSL,
 * 2 into the client SSL, 0 otherwise). */
static void set_tag(int *tag, int v) {
    if (tag)
        *tag = v;
}

int tls_ossl_ctx_pair(SSL_CTX **sctx, SSL_CTX **cctx, const char *suite, const char *groups, const char *chain,
                      const char *key, const char *root, int no_resumption) {
    *sctx = SSL_CTX_new(TLS_server_method());
    *cctx = SSL_CTX_new(TLS_client_method());
    if (!*sctx || !*cctx)
        return -1;
    SSL_CTX *both[2] = {*sctx, *cctx};
    for (int i = 0; i < 2; i++) {
        SSL_CTX_set_min_proto_version(both[i], TLS1_2_VERSION);
        SSL_CTX_set_max_proto_version(both[i], TLS1_2_VERSION);
        SSL_CTX_set_cipher_list(both[i], suite);
        SSL_CTX_set1_groups_list(both[i], groups);
        if (no_resumption) {
            SSL_CTX_set_session_cache_mode(both[i], SSL_SESS_CACHE_OFF);
            SSL_CTX_set_options(both[i], SSL_OP_NO_TICKET);
        }
    }
    if (SSL_CTX_use_certificate_chain_file(*sctx, chain) != 1 ||
        SSL_CTX_use_PrivateKey_file(*sctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(*cctx, root, NULL) != 1)
        return -1;
    SSL_CTX_set_verify(*cctx, SSL_VERIFY_PEER, NULL);
    return 0;
}

int tls_ossl_start(SSL *c, SSL *s, size_t bio_size, int *server_tag) {
    BIO *cb, *sb;
    if (!c || !s || !BIO_new_bio_pair(&cb, bio_size, &sb, bio_size))
        return -1;
    set_tag(server_tag, 2);
    SSL_set_bio(c, cb, cb);
    set_tag(server_tag, 1);
    SSL_set_bio(s, sb, sb);
    SSL_set_accept_state(s);
    set_tag(server_tag, 2);
    SSL_set_connect_state(c);
    SSL_set_tlsext_host_name(c, "localhost");
    SSL_set1_host(c, "localhost");
    set_tag(server_tag, 0);
    return 0;
}

int tls_ossl_handshake(SSL *c, SSL *s, int *server_tag) {
    int dc = 0, ds = 0;
    for (int i = 0; i < 100 && (!dc || !ds); i++) {
        if (!dc) {
            set_tag(server_tag, 2);
            int r = SSL_do_handshake(c);
            set_tag(server_tag, 0);
            if (r == 1)
                dc = 1;
            else if (SSL_get_error(c, r) != SSL_ERROR_WANT_READ)
                return -1;
        }
        if (!ds) {
            set_tag(server_tag, 1);
            int r = SSL_do_handshake(s);
            set_tag(server_tag, 0);
            if (r == 1)
                ds = 1;
            else if (SSL_get_error(s, r) != SSL_ERROR_WANT_READ)
                return -1;
        }
    }
    return dc && ds ? 0 : -1;
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

int tls_ossl_connect(tls_ossl_pair *o) {
    set_tag(o->server_tag, 1);
    o->s = SSL_new(o->sctx);
    set_tag(o->server_tag, 2);
    o->c = SSL_new(o->cctx);
    set_tag(o->server_tag, 0);
    if (tls_ossl_start(o->c, o->s, 1 << 17, o->server_tag) != 0)
        return -1;
    return tls_ossl_handshake(o->c, o->s, o->server_tag);
}

void tls_ossl_disconnect(tls_ossl_pair *o) {
    set_tag(o->server_tag, 1);
    SSL_free(o->s);
    set_tag(o->server_tag, 2);
    SSL_free(o->c);
    set_tag(o->server_tag, 0);
    o->c = o->s = NULL;
}

void tls_ossl_handshakes(void *ctx, size_t iters) {
    tls_ossl_pair *o = ctx;
    for (size_t i = 0; i < iters; i++) {
        if (tls_ossl_connect(o) != 0) {
            ERR_print_errors_fp(stderr);
            abort();
        }
        tls_ossl_disconnect(o);
    }
}

void tls_ossl_bulk(void *ctx, size_t iters) {
    tls_ossl_pair *o = ctx;
    for (size_t i = 0; i < iters; i++) {
        ossl_move(o->c, o->s);
        ossl_move(o->s, o->c);
    }
    bench_sink(sink, sizeof sink);
}
#endif
