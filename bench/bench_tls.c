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
 *   memory/client-after-handshake, memory/client-handshake-peak
 *                             the same for the client connection.
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
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#endif

#define CERTS "vectors/certs/"

/* ---- OpenSSL ---- */
#ifdef HAVE_SSL
/* malloc accounting: each block carries its size and an owner tag; bytes
 * allocated while `ossl_tag` is 1 (inside calls on the server SSL) count
 * for the server connection, 2 (the client SSL) for the client. */
static int ossl_tag;
static long ossl_bytes[3], ossl_peak[3];
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

static int ossl_setup(tls_ossl_pair *o) {
    o->server_tag = &ossl_tag;
    return tls_ossl_ctx_pair(&o->sctx, &o->cctx, "ECDHE-RSA-AES128-GCM-SHA256", "X25519", CERTS "server-chain.pem",
                             CERTS "server.key", CERTS "root-ca.crt", 1);
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
    static tls_pair t;
    t.who = "bench_tls";
    t.ccfg = tern_config_new();
    t.scfg = tern_config_new();
    if (!t.ccfg || !t.scfg || tern_config_load_truststore(t.ccfg, CERTS "root-ca.crt") != 0 ||
        tern_config_load_keystore(t.scfg, CERTS "server-chain.pem", CERTS "server.key") != 0 ||
        tern_config_set_cipher_suites(t.ccfg, "ECDHE-RSA-AES128-GCM-SHA256") != 0) {
        fprintf(stderr, "bench_tls: cannot load vectors/certs (run from the top of the tree)\n");
        return;
    }
    tls_pair_chunk_init();
#ifdef HAVE_SSL
    static tls_ossl_pair o;
    int have_ossl = ossl_setup(&o) == 0;
    if (!have_ossl)
        ERR_print_errors_fp(stderr);
#define OSSL(fn) (have_ossl ? fn : NULL)
#else
#define OSSL(fn) NULL
    void *o = NULL;
#endif
    bench_pair("handshake/ecdhe-rsa2048", 0, tls_pair_handshakes, &t, OSSL(tls_ossl_handshakes), &o);

    if (tls_pair_connect(&t) != 0)
        return;
#ifdef HAVE_SSL
    long ossl_after = -1, ossl_peak_v = -1, ossl_c_after = -1, ossl_c_peak = -1;
    if (have_ossl) {
        long base = ossl_bytes[1], cbase = ossl_bytes[2];
        ossl_peak[1] = base;
        ossl_peak[2] = cbase;
        if (tls_ossl_connect(&o) != 0)
            have_ossl = 0;
        else if (mem_hooked) {
            ossl_after = ossl_bytes[1] - base;
            ossl_peak_v = ossl_peak[1] - base;
            ossl_c_after = ossl_bytes[2] - cbase;
            ossl_c_peak = ossl_peak[2] - cbase;
        }
    }
    bench_pair("bulk/aes-128-gcm", 2 * TLS_PAIR_CHUNK, tls_pair_bulk, &t, OSSL(tls_ossl_bulk), &o);
    /* tern: the connection's single allocation, made at creation and never
     * grown, so it is both the peak and the steady state. */
    print_mem("memory/after-handshake", t.s->alloc_size, ossl_after);
    print_mem("memory/handshake-peak", t.s->alloc_size, ossl_peak_v);
    print_mem("memory/client-after-handshake", t.c->alloc_size, ossl_c_after);
    print_mem("memory/client-handshake-peak", t.c->alloc_size, ossl_c_peak);
    if (have_ossl)
        tls_ossl_disconnect(&o);
#else
    bench_pair("bulk/aes-128-gcm", 2 * TLS_PAIR_CHUNK, tls_pair_bulk, &t, NULL, NULL);
    print_mem("memory/after-handshake", t.s->alloc_size, -1);
    print_mem("memory/handshake-peak", t.s->alloc_size, -1);
    print_mem("memory/client-after-handshake", t.c->alloc_size, -1);
    print_mem("memory/client-handshake-peak", t.c->alloc_size, -1);
#endif
    tls_pair_disconnect(&t);
    tern_config_free(t.ccfg);
    tern_config_free(t.scfg);
}
