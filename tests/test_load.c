/*
 * Load: many connections through one shared client configuration and one
 * shared server configuration (tern.h: a configuration is read-only once
 * built and may be shared by threads; a connection belongs to one thread
 * at a time).
 *   - sequential: 1,000 full handshakes in memory, each followed by a
 *     message of a different size echoed back and compared byte for byte,
 *     and close_notify both ways;
 *   - concurrent: 64 client/server pairs over socketpairs at once, 128
 *     threads (one per connection), each client sending 64 KB in 16 KB
 *     pieces that the server echoes; every byte is checked.
 * The counts can be lowered with TERN_LOAD_SEQUENTIAL / TERN_LOAD_CONCURRENT
 * (tests/leak.test.sh does, to run this under valgrind memcheck).  The
 * full counts take ~4 s at -O2 and ~10 s under ASan+UBSan (make check).
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lib/conn.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

static tern_config *g_scfg, *g_ccfg;

static long env_count(const char *name, long def) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return def;
    long n = strtol(v, NULL, 10);
    return n > 0 ? n : def;
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void fill(uint8_t *b, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        b[i] = (uint8_t)(seed >> 16);
    }
}

/* ---- sequential: in memory (tests/mempair.h's pipes and pump) ---- */

/* One connection's life in memory; returns or fails the test. */
static void one_session(long k, uint8_t *msg, uint8_t *back) {
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    mp_handshake(&p);
    if (p.crc != 0 || p.src != 0)
        fail_msg("session %ld: handshake client %d (%s) server %d (%s)", k, p.crc, tern_error(p.c), p.src,
                 tern_error(p.s));
    tern_conn *c = p.c, *s = p.s;
    /* 1 .. 20000 bytes, different each time. */
    size_t n = 1 + (size_t)(k * 7919) % 20000;
    fill(msg, n, (uint32_t)k);
    assert_int_equal(tern_write(c, msg, n), (long)n);
    size_t got = 0;
    while (got < n) {
        long r = tern_read(s, back + got, n - got);
        if (r <= 0)
            fail_msg("session %ld: server read %ld (%s)", k, r, tern_error(s));
        got += (size_t)r;
    }
    assert_int_equal(tern_write(s, back, n), (long)n);
    memset(back, 0, n);
    got = 0;
    while (got < n) {
        long r = tern_read(c, back + got, n - got);
        if (r <= 0)
            fail_msg("session %ld: client read %ld (%s)", k, r, tern_error(c));
        got += (size_t)r;
    }
    assert_memory_equal(back, msg, n);
    uint8_t b[8];
    assert_int_equal(tern_close(c), 0);
    assert_int_equal(tern_read(s, b, sizeof b), 0);
    assert_int_equal(tern_close(s), 0);
    assert_int_equal(tern_read(c, b, sizeof b), 0);
    mp_free(&p);
}

static void test_sequential(void **state) {
    (void)state;
    long count = env_count("TERN_LOAD_SEQUENTIAL", 1000);
    uint8_t *msg = malloc(20000), *back = malloc(20000);
    double t0 = now_s();
    for (long k = 0; k < count; k++)
        one_session(k, msg, back);
    double t = now_s() - t0;
    printf("load: %ld sequential handshakes + echo + close in %.2f s (%.0f per second)\n", count, t,
           (double)count / t);
    fflush(stdout);
    free(msg);
    free(back);
}

/* ---- concurrent: threads over socketpairs ---- */
#define CONC_BYTES (64 * 1024)
#define CONC_PIECE (16 * 1024)

typedef struct {
    int fd;
    int id;
    int ok;           /* set by the thread when everything checked out */
    char why[256];    /* else: what went wrong */
    size_t bytes;     /* bytes checked (client) or echoed (server) */
} conn_job;

static void *server_thread(void *arg) {
    conn_job *j = arg;
    tern_conn *s = tern_server_new(g_scfg);
    if (s == NULL || tern_set_fd(s, j->fd) != 0) {
        snprintf(j->why, sizeof j->why, "server %d: no connection", j->id);
        tern_free(s);
        return NULL;
    }
    int rc = tern_handshake(s);
    if (rc != 0) {
        snprintf(j->why, sizeof j->why, "server %d: handshake %d: %s", j->id, rc, tern_error(s));
        tern_free(s);
        return NULL;
    }
    uint8_t *buf = malloc(CONC_PIECE);
    for (;;) {
        long r = tern_read(s, buf, CONC_PIECE);
        if (r == 0)
            break; /* close_notify */
        if (r < 0) {
            snprintf(j->why, sizeof j->why, "server %d: read %ld: %s", j->id, r, tern_error(s));
            break;
        }
        for (long off = 0; off < r;) {
            long w = tern_write(s, buf + off, (size_t)(r - off));
            if (w <= 0) {
                snprintf(j->why, sizeof j->why, "server %d: write %ld: %s", j->id, w, tern_error(s));
                goto out;
            }
            off += w;
        }
        j->bytes += (size_t)r;
    }
    if (j->why[0] == '\0' && tern_close(s) == 0)
        j->ok = 1;
out:
    free(buf);
    tern_free(s);
    return NULL;
}

static void *client_thread(void *arg) {
    conn_job *j = arg;
    tern_conn *c = tern_client_new(g_ccfg, "localhost");
    if (c == NULL || tern_set_fd(c, j->fd) != 0) {
        snprintf(j->why, sizeof j->why, "client %d: no connection", j->id);
        tern_free(c);
        return NULL;
    }
    uint8_t *msg = malloc(CONC_BYTES), *back = malloc(CONC_PIECE);
    fill(msg, CONC_BYTES, (uint32_t)j->id + 1000);
    int rc = tern_handshake(c);
    if (rc != 0) {
        snprintf(j->why, sizeof j->why, "client %d: handshake %d: %s", j->id, rc, tern_error(c));
        goto out;
    }
    for (size_t off = 0; off < CONC_BYTES; off += CONC_PIECE) {
        long w = tern_write(c, msg + off, CONC_PIECE);
        if (w != CONC_PIECE) {
            snprintf(j->why, sizeof j->why, "client %d: write %ld: %s", j->id, w, tern_error(c));
            goto out;
        }
        for (size_t got = 0; got < CONC_PIECE;) {
            long r = tern_read(c, back + got, CONC_PIECE - got);
            if (r <= 0) {
                snprintf(j->why, sizeof j->why, "client %d: read %ld: %s", j->id, r, tern_error(c));
                goto out;
            }
            got += (size_t)r;
        }
        if (memcmp(back, msg + off, CONC_PIECE) != 0) {
            snprintf(j->why, sizeof j->why, "client %d: echo differs at offset %zu", j->id, off);
            goto out;
        }
        j->bytes += CONC_PIECE;
    }
    uint8_t b[8];
    if (tern_close(c) != 0 || tern_read(c, b, sizeof b) != 0) {
        snprintf(j->why, sizeof j->why, "client %d: close: %s", j->id, tern_error(c));
        goto out;
    }
    j->ok = 1;
out:
    free(msg);
    free(back);
    tern_free(c);
    return NULL;
}

static void test_concurrent(void **state) {
    (void)state;
    long n = env_count("TERN_LOAD_CONCURRENT", 64);
    conn_job *cj = calloc((size_t)n, sizeof *cj), *sj = calloc((size_t)n, sizeof *sj);
    pthread_t *ct = calloc((size_t)n, sizeof *ct), *st = calloc((size_t)n, sizeof *st);
    assert_non_null(cj);
    assert_non_null(sj);
    double t0 = now_s();
    for (long i = 0; i < n; i++) {
        int sv[2];
        assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
        cj[i].fd = sv[0];
        sj[i].fd = sv[1];
        cj[i].id = sj[i].id = (int)i;
    }
    /* All 2n threads run at once. */
    for (long i = 0; i < n; i++) {
        assert_int_equal(pthread_create(&st[i], NULL, server_thread, &sj[i]), 0);
        assert_int_equal(pthread_create(&ct[i], NULL, client_thread, &cj[i]), 0);
    }
    size_t total = 0;
    int bad = 0;
    for (long i = 0; i < n; i++) {
        pthread_join(ct[i], NULL);
        /* A client that failed would leave its server waiting: hang up. */
        shutdown(cj[i].fd, SHUT_RDWR);
        pthread_join(st[i], NULL);
        close(cj[i].fd);
        close(sj[i].fd);
        if (!cj[i].ok || !sj[i].ok) {
            print_error("%s | %s\n", cj[i].why, sj[i].why);
            bad++;
        }
        if (cj[i].bytes != CONC_BYTES || sj[i].bytes != CONC_BYTES)
            bad++;
        total += cj[i].bytes;
    }
    double t = now_s() - t0;
    printf("load: %ld concurrent connections (%ld threads), %zu bytes echoed and checked in %.2f s\n", n, 2 * n,
           total, t);
    fflush(stdout);
    free(cj);
    free(sj);
    free(ct);
    free(st);
    assert_int_equal(bad, 0);
}

static int setup(void **state) {
    (void)state;
    g_scfg = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    g_ccfg = mp_config("certs/root-ca.crt", NULL, NULL);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    tern_config_free(g_scfg);
    tern_config_free(g_ccfg);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequential),
        cmocka_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
