/*
 * The bench runner: see bench.h.  Usage: tern-bench [substring-filter]
 */
#include "bench/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/cpu.h"

#define MAX_GROUPS 32
static struct {
    int order;
    void (*fn)(void);
} groups[MAX_GROUPS];
static int ngroups;
static const char *filter;

void bench_register(int order, void (*group)(void)) {
    if (ngroups < MAX_GROUPS) {
        groups[ngroups].order = order;
        groups[ngroups].fn = group;
        ngroups++;
    }
}

static volatile uint8_t sink_byte;
void bench_sink(const void *p, size_t n) {
    const uint8_t *b = p;
    if (n)
        sink_byte ^= b[0] ^ b[n - 1];
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* How many iterations take about BENCH_ROUND_MS. */
static size_t calibrate(bench_op op, void *ctx) {
    size_t iters = 1;
    for (;;) {
        double t0 = now_s();
        op(ctx, iters);
        double dt = now_s() - t0;
        if (dt > BENCH_ROUND_MS * 1e-3 / 4 || iters > ((size_t)1 << 40)) {
            double want = (double)iters * (BENCH_ROUND_MS * 1e-3) / (dt > 0 ? dt : 1e-9);
            return want < 1 ? 1 : (size_t)want;
        }
        iters *= 4;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double rate(size_t iters, double dt, size_t bytes) {
    double ops = (double)iters / dt;
    return bytes ? ops * (double)bytes / 1e6 : ops;
}

void bench_pair(const char *item, size_t bytes_per_op, bench_op tern, void *tern_ctx, bench_op ossl,
                void *ossl_ctx) {
    if (filter && !strstr(item, filter))
        return;
    double rt[BENCH_ROUNDS], ro[BENCH_ROUNDS];
    size_t it = calibrate(tern, tern_ctx);
    size_t io = ossl ? calibrate(ossl, ossl_ctx) : 0;
    for (int r = 0; r < BENCH_ROUNDS; r++) {
        double t0 = now_s();
        tern(tern_ctx, it);
        rt[r] = rate(it, now_s() - t0, bytes_per_op);
        if (ossl) {
            t0 = now_s();
            ossl(ossl_ctx, io);
            ro[r] = rate(io, now_s() - t0, bytes_per_op);
        }
    }
    qsort(rt, BENCH_ROUNDS, sizeof rt[0], cmp_double);
    double mt = rt[BENCH_ROUNDS / 2];
    const char *unit = bytes_per_op ? "MB/s" : "ops/s";
    if (ossl) {
        qsort(ro, BENCH_ROUNDS, sizeof ro[0], cmp_double);
        double mo = ro[BENCH_ROUNDS / 2];
        printf("%s\ttern=%.1f\topenssl=%.1f\tunit=%s\tratio=%.2f\n", item, mt, mo, unit, mt / mo);
    } else {
        printf("%s\ttern=%.1f\topenssl=-\tunit=%s\tratio=-\n", item, mt, unit);
    }
    fflush(stdout);
}

static int cmp_group(const void *a, const void *b) {
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc > 1)
        filter = argv[1];
    char feats[256];
    tern_cpu_describe(tern_cpu(), feats, sizeof feats);
    fprintf(stderr, "# tern-bench: CPU features in use: %s (set TERN_CPU=portable to compare)\n", feats);
    /* groups[] starts with the int order field, so cmp_group works on it. */
    qsort(groups, (size_t)ngroups, sizeof groups[0], cmp_group);
    for (int i = 0; i < ngroups; i++)
        groups[i].fn();
    return 0;
}
