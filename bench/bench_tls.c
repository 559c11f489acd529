/*
 * TLS rows for make bench (order 800): whole connections, client and server
 * in one process, tern engines over a memory pipe against OpenSSL's libssl
 * over a BIO pair.  Both verify the server chain (vectors/certs: RSA-2048
 * leaf + intermediate, root in the trust store) and the name "localhost",
 * with TLS 1.2, ECDHE over X25519, no session resumption.
 *   handshake/ecdhe-rsa2048   full handshakes per second
 *                             (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)
 *   bulk/aes-128-gcm          MB/s of application data through one
 *                             connection: 16 KB client->server and 16 KB
 *                             server->client per operation
 *   memory/after-handshake    bytes held by one server connection after the
 *   memory/handshake-peak     handshake, and the most it held during it
 *                             (tern: its one allocation; OpenSSL: malloc
 *                             accounting of everything allocated on behalf
 *                             of the server SSL object, via
 *                             CRYPTO_set_mem_functions); lower is better.
 * Run from the top of the tree (the certificates are read from vectors/).
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/tls.h"

#if defined(TERN_BENCH_HAVE_OPENSSL) && defined(TERN_BENCH_HAVE_LIBSSL)
#define HAVE_SSL 1
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define CERTS "vectors/certs/"

/* ---- a memory pipe for tern ---- */
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
            fprintf(stderr, "bench_tls: tern handshake failed: %s / %s\n", tern_error(t->c), tern_error(t->s));
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

/* Move n bytes from a to b (b reads everything). */
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

/* ---- OpenSSL ---- */
#ifdef HAVE_SSL
/* malloc accounting: each block carries its size and an owner tag; bytes
 * allocated while `ossl_tag` is 1 (inside calls on the server SSL) count
 * for the server connection. */
static int ossl_tag;
static long ossl_bytes[2], ossl_peak[2];
static int mem_hooked;
typedef struct {
    size_t size;
    int tag;
    int pad;
} mhdr;

static void *m_malloc(size_t n, const char *file, int line) {
    (void)file, (void)line;
    mhdr *h = malloc(sizeof(mhdr) + n + 16);
    if (!h)
        return NULL;
    h->size = n;
    h->tag = ossl_tag;
    ossl_bytes[h->tag] += (long)n;
    if (ossl_bytes[h->tag] > ossl_peak[h->tag])
        ossl_peak[h->tag] = ossl_bytes[h->tag];
    return (uint8_t *)h + 16;
}
static void m_free(void *p, const char *file, int line) {
    (void)file, (void)line;
    if (!p)
        return;
    mhdr *h = (mhdr *)((uint8_t *)p - 16);
    ossl_bytes[h->tag] -= (long)h->size;
    free(h);
}
static void *m_realloc(void *p, size_t n, const char *file, int line) {
    if (!p)
        return m_malloc(n, file, line);
    if (n == 0) {
        m_free(p, file, line);
        return NULL;
    }
    mhdr *h = (mhdr *)((uint8_t *)p - 16);
    void *q = m_malloc(n, file, line);
    if (!q)
        return NULL;
    memcpy(q, p, h->size < n ? h->size : n);
    m_free(p, file, line);
    return q;
}
/* Must run before OpenSSL allocates anything, so before main. */
__attribute__((constructor(101))) static void hook_openssl_malloc(void) {
    mem_hooked = CRYPTO_set_mem_functions(m_malloc, m_realloc, m_free);
}

typedef struct {
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    BIO *cb, *sb;
} ossl_ctx;

static int ossl_setup(ossl_ctx *o) {
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
        SSL_CTX_set_session_cache_mode(both[i], SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(both[i], SSL_OP_NO_TICKET);
    }
    if (SSL_CTX_use_certificate_chain_file(o->sctx, CERTS "server-chain.pem") != 1 ||
        SSL_CTX_use_PrivateKey_file(o->sctx, CERTS "server.key", SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_load_verify_locations(o->cctx, CERTS "root-ca.crt", NULL) != 1)
        return -1;
    SSL_CTX_set_verify(o->cctx, SSL_VERIFY_PEER, NULL);
    return 0;
}

static int ossl_connect(ossl_ctx *o) {
    ossl_tag = 1;
    o->s = SSL_new(o->sctx);
    ossl_tag = 0;
    o->c = SSL_new(o->cctx);
    BIO *cb, *sb;
    if (!BIO_new_bio_pair(&cb, 1 << 17, &sb, 1 << 17))
        return -1;
    SSL_set_bio(o->c, cb, cb);
    ossl_tag = 1;
    SSL_set_bio(o->s, sb, sb);
    SSL_set_accept_state(o->s);
    ossl_tag = 0;
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
            ossl_tag = 1;
            int r = SSL_do_handshake(o->s);
            ossl_tag = 0;
            if (r == 1)
                ds = 1;
            else if (SSL_get_error(o->s, r) != SSL_ERROR_WANT_READ)
                return -1;
        }
    }
    return dc && ds ? 0 : -1;
}

static void ossl_disconnect(ossl_ctx *o) {
    ossl_tag = 1;
    SSL_free(o->s);
    ossl_tag = 0;
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

/* The command-line filter (bench_pair applies it to timed rows; the memory
 * rows are printed here, so they apply it themselves). */
static int row_wanted(const char *item) {
    static char args[4096];
    FILE *f = fopen("/proc/self/cmdline", "rb");
    if (!f)
        return 1;
    size_t n = fread(args, 1, sizeof args - 1, f);
    fclose(f);
    args[n] = 0;
    size_t first = strlen(args);
    if (first + 1 >= n)
        return 1; /* no filter */
    return strstr(item, args + first + 1) != NULL;
}

static void print_mem(const char *item, size_t tern_bytes, long ossl_bytes_v) {
    if (!row_wanted(item))
        return;
    if (ossl_bytes_v > 0)
        printf("%s\ttern=%zu\topenssl=%ld\tunit=bytes\tratio=%.2f\n", item, tern_bytes, ossl_bytes_v,
               (double)tern_bytes / (double)ossl_bytes_v);
    else
        printf("%s\ttern=%zu\topenssl=-\tunit=bytes\tratio=-\n", item, tern_bytes);
    fflush(stdout);
}

BENCH_GROUP(800, bench_tls)
static void bench_tls(void) {
    static tern_ctx t;
    t.ccfg = tern_config_new();
    t.scfg = tern_config_new();
    if (!t.ccfg || !t.scfg || tern_config_load_truststore(t.ccfg, CERTS "root-ca.crt") != 0 ||
        tern_config_load_keystore(t.scfg, CERTS "server-chain.pem", CERTS "server.key") != 0 ||
        tern_config_set_cipher_suites(t.ccfg, "ECDHE-RSA-AES128-GCM-SHA256") != 0) {
        fprintf(stderr, "bench_tls: cannot load vectors/certs (run from the top of the tree)\n");
        return;
    }
    for (size_t i = 0; i < sizeof chunk; i++)
        chunk[i] = (uint8_t)i;
#ifdef HAVE_SSL
    static ossl_ctx o;
    int have_ossl = ossl_setup(&o) == 0;
    if (!have_ossl)
        ERR_print_errors_fp(stderr);
#define OSSL(fn) (have_ossl ? fn : NULL)
#else
#define OSSL(fn) NULL
    void *o = NULL;
#endif
    bench_pair("handshake/ecdhe-rsa2048", 0, tern_handshakes, &t, OSSL(ossl_handshakes), &o);

    if (tern_connect(&t) != 0)
        return;
#ifdef HAVE_SSL
    long ossl_after = -1, ossl_peak_v = -1;
    if (have_ossl) {
        long base = ossl_bytes[1];
        ossl_peak[1] = base;
        if (ossl_connect(&o) != 0)
            have_ossl = 0;
        else if (mem_hooked) {
            ossl_after = ossl_bytes[1] - base;
            ossl_peak_v = ossl_peak[1] - base;
        }
    }
    bench_pair("bulk/aes-128-gcm", 2 * sizeof chunk, tern_bulk, &t, OSSL(ossl_bulk), &o);
    /* tern: the connection's single allocation, made at creation and never
     * grown, so it is both the peak and the steady state. */
    print_mem("memory/after-handshake", t.s->alloc_size, ossl_after);
    print_mem("memory/handshake-peak", t.s->alloc_size, ossl_peak_v);
    if (have_ossl)
        ossl_disconnect(&o);
#else
    bench_pair("bulk/aes-128-gcm", 2 * sizeof chunk, tern_bulk, &t, NULL, NULL);
    print_mem("memory/after-handshake", t.s->alloc_size, -1);
    print_mem("memory/handshake-peak", t.s->alloc_size, -1);
#endif
    tern_disconnect(&t);
    tern_config_free(t.ccfg);
    tern_config_free(t.scfg);
}
