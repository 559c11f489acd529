/*
 * Shared by the TLS bench rows (bench_tls.c, bench_tls_ec.c,
 * bench_tls_mtls.c, bench_resume.c): a client and a server connection in
 * one process, talking over memory.  tern's side is a pair of pipes wired
 * in with tern_set_io; OpenSSL's side (libssl, only with
 * TERN_BENCH_HAVE_LIBSSL) is a BIO pair.  Each side is driven until both
 * handshakes finish.  Plus the 16 KB each-way bulk transfer used by the
 * bulk/ rows.
 */
#ifndef TERN_BENCH_TLS_PAIR_H
#define TERN_BENCH_TLS_PAIR_H

#include <stddef.h>
#include <stdint.h>

#include "tern/tern.h"

#if defined(TERN_BENCH_HAVE_OPENSSL) && defined(TERN_BENCH_HAVE_LIBSSL)
#define TLS_PAIR_HAVE_SSL 1
#include <openssl/ssl.h>
#endif

/* ---- tern over two memory pipes ---- */
typedef struct {
    uint8_t buf[1 << 17];
    size_t off, len;
} tls_pipe;
typedef struct {
    tls_pipe *in, *out;
} tls_end;
typedef struct {
    tls_pipe c2s, s2c;
    tls_end ce, se;
} tls_pipes;

/* Empty both pipes and make them the transport of client c and server s
 * (the pipes must stay where they are while c and s are in use).
 * 0, or -1 when tern_set_io refuses. */
int tls_pipes_wire(tls_pipes *p, tern_conn *c, tern_conn *s);

/* Drive both handshakes until they finish: 0, or -1 (after printing both
 * engines' errors, prefixed with `who`, when one fails). */
int tls_pair_handshake(tern_conn *c, tern_conn *s, const char *who);

/* A client/server pair with its configurations, for rows that keep a
 * connection (bulk/) or make and free one per operation (handshake/). */
typedef struct {
    tern_config *ccfg, *scfg;
    tls_pipes io;
    tern_conn *c, *s;
    const char *who; /* prefix of error messages */
} tls_pair;

/* Create, wire and handshake t->c ("localhost") and t->s: 0 or -1. */
int tls_pair_connect(tls_pair *t);
void tls_pair_disconnect(tls_pair *t);
/* bench_op: iters full handshakes on a tls_pair (aborts on failure). */
void tls_pair_handshakes(void *ctx, size_t iters);

/* ---- bulk: 16 KB client->server then 16 KB server->client per op ---- */
#define TLS_PAIR_CHUNK 16384
/* Fill the chunk that is sent (call once before the bulk rows). */
void tls_pair_chunk_init(void);
/* bench_op on a connected tls_pair. */
void tls_pair_bulk(void *ctx, size_t iters);

#ifdef TLS_PAIR_HAVE_SSL
/* ---- OpenSSL's libssl over a BIO pair ---- */

/* Server and client SSL_CTX for TLS 1.2 only with the given cipher list and
 * groups; the server loads chain + key, the client trusts root and verifies
 * the peer.  no_resumption: session cache off and no tickets on both sides
 * (else session options are left to the caller).
 * 0, or -1 (the contexts made so far are in *sctx / *cctx). */
int tls_ossl_ctx_pair(SSL_CTX **sctx, SSL_CTX **cctx, const char *suite, const char *groups, const char *chain,
                      const char *key, const char *root, int no_resumption);

/* Join c and s with a BIO pair of bio_size bytes each way, s accepting and
 * c connecting to "localhost" (SNI and name check).  When server_tag is not
 * NULL it is 1 during the calls on s (bench_tls.c's malloc accounting).
 * 0, or -1 (c or s NULL, or no BIO pair). */
int tls_ossl_start(SSL *c, SSL *s, size_t bio_size, int *server_tag);

/* Drive both handshakes until they finish: 0, or -1 (an error other than
 * want-read, or not done after 100 turns).  server_tag as above. */
int tls_ossl_handshake(SSL *c, SSL *s, int *server_tag);

/* A kept client/server pair of SSL objects; server_tag as above (may be
 * NULL). */
typedef struct {
    SSL_CTX *cctx, *sctx;
    SSL *c, *s;
    int *server_tag;
} tls_ossl_pair;

/* New c and s from the contexts, joined by a 128 KB BIO pair, handshaken:
 * 0 or -1. */
int tls_ossl_connect(tls_ossl_pair *o);
void tls_ossl_disconnect(tls_ossl_pair *o);
/* bench_op: iters full handshakes on a tls_ossl_pair (aborts on failure,
 * after printing OpenSSL's errors). */
void tls_ossl_handshakes(void *ctx, size_t iters);
/* bench_op on a connected tls_ossl_pair: as tls_pair_bulk. */
void tls_ossl_bulk(void *ctx, size_t iters);
#endif

#endif
