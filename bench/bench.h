/*
 * make bench: tern and OpenSSL side by side in one process.
 *
 * Each bench file registers a group with BENCH_GROUP(order, fn); main runs
 * the groups in `order`, each calling bench_pair() once per row.  A row runs
 * the tern and the OpenSSL operation alternately for BENCH_ROUNDS rounds of
 * about BENCH_ROUND_MS each, takes the median rate of each, and prints
 *   <item>\ttern=<v>\topenssl=<v>\tunit=<u>\tratio=<tern/openssl>
 * With no libcrypto (TERN_BENCH_HAVE_OPENSSL undefined) the openssl side is
 * passed as NULL and printed as "-".
 */
#ifndef TERN_BENCH_H
#define TERN_BENCH_H

#include <stddef.h>
#include <stdint.h>

#define BENCH_ROUNDS 7
#define BENCH_ROUND_MS 60

/* One operation, run `iters` times on ctx. */
typedef void (*bench_op)(void *ctx, size_t iters);

/* Time a row.  bytes_per_op > 0 gives MB/s (10^6 bytes per second);
 * bytes_per_op == 0 gives ops/s.  ossl may be NULL. */
void bench_pair(const char *item, size_t bytes_per_op, bench_op tern, void *tern_ctx, bench_op ossl,
                void *ossl_ctx);

/* Register a group: order decides the print order (hashes 100, AES-GCM 200,
 * X25519 300, RSA 400, ...).  The filter given on the command line (a
 * substring of item names) is applied inside bench_pair. */
void bench_register(int order, void (*group)(void));
#define BENCH_GROUP(order, fn)                                                \
    static void fn(void);                                                    \
    __attribute__((constructor)) static void fn##_register(void) {           \
        bench_register(order, fn);                                           \
    }

/* Something the optimiser must assume is used. */
void bench_sink(const void *p, size_t n);

#endif
