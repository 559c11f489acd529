/*
 * tern_load: a TLS load client on tern's own non-blocking client API over
 * epoll (Linux).  It keeps N connections open at once, each a full TLS 1.2
 * handshake (no session offered, so never resumed) then a small request,
 * and prints what it measured.  `make load` (bench/load/run_load.sh) drives
 * it against `tern server --http`, nginx and openssl s_server; docs/BENCH.md,
 * "Serving under load", says what the figures mean.
 *
 *   tern_load HOST:PORT [--concurrency N] [--total M] [--http [--path P] | --echo [--bytes B]]
 *             [--truststore FILE | --insecure] [--servername NAME]
 *             [--cipher LIST] [--groups LIST] [--timeout S] [--hold [--hold-timeout S]]
 *             [--fault reset|garbage|noclose|vanish|slow-hello|no-read] [--slow-interval MS]
 *             [--verbose]
 *
 *   --concurrency N  connections open at once (default 10); --total M in all (default N).
 *   --http           GET PATH (default /), read the response to the server's
 *                    close_notify, check the status is 200 (the default);
 *   --echo           send B bytes (default 64), read them back, compare, close
 *                    with close_notify and read the server's.
 *   --hold           every connection waits after its handshake until all
 *                    M handshakes are over (M <= N), then the client says
 *                    "holding" on stderr and waits for SIGUSR1 (or
 *                    --hold-timeout, default 120 s) before the requests: the
 *                    server then holds M finished handshakes at once, which
 *                    is when run_load.sh reads its memory.
 *   --timeout S      a connection not finished S seconds (default 60) after
 *                    its connect() is counted as "timeout" and dropped.
 *
 * Handshake latency is the time from the connect() call to the handshake's
 * end (so it includes the TCP handshake and the time spent waiting in the
 * server's accept queue).  handshakes/s is the number of handshakes
 * completed over the time from the first connect() to the last handshake.
 * Every connection ends in exactly one outcome: "ok", or the reason it
 * failed (connect, timeout, reset, io:TEXT, eof-in-handshake, truncated
 * (closed without close_notify), peer-alert:NAME, alert-sent:NAME,
 * error:TEXT, bad-response, closed-early (echo), closed-while-held); the
 * counts add up to the connections made, and the summary says so.
 *
 * Fault modes (every connection of the run misbehaves one way; for the
 * server's tests; the outcome then names what the server did, with the
 * median time from connect() to it):
 *   reset       send ClientHello, wait for the server's first bytes, then
 *               close with SO_LINGER 0 (a TCP RST mid-handshake): "reset-sent";
 *   garbage     connect and send 256 bytes that are not TLS, then read:
 *               "garbage:server-alert:NAME", "garbage:server-closed" or
 *               "garbage:still-open" (at --timeout);
 *   noclose     a full handshake (with --echo one echo round trip too), then
 *               close the socket without close_notify: "noclose-sent";
 *   vanish      send ClientHello, then neither read nor write: the socket
 *               stays open until the server closes it ("vanish:server-closed")
 *               or --timeout ("vanish:still-open");
 *   slow-hello  send the ClientHello one byte every --slow-interval ms
 *               (default 1000), then go on normally: "slow-hello:completed"
 *               when the whole exchange worked, else "slow-hello:server-closed"
 *               (or "slow-hello:still-open");
 *   no-read     a full handshake, then (meaningful with --echo) write data
 *               and never read: "no-read:server-closed" or "no-read:still-open".
 *
 * Output (stdout, one "key<TAB>value" per line, for scripts):
 *   connections, handshakes, ok, failed, elapsed_s, handshakes_per_s,
 *   latency_ms (p50= p90= p99= max=), client_cpu_us_per_handshake (this
 *   process's user+system time over the handshakes), suite, signature_scheme, and one
 *   "outcome<TAB>LABEL<TAB>COUNT<TAB>median_s=..." line per outcome.
 * Exit 0 when every connection's outcome is "ok" (normal mode) or when the
 * run finished (fault modes), 1 otherwise, 2 on a usage or setup error.
 */
#define _GNU_SOURCE 1
#include <stdio.h>

#ifndef __linux__
/* epoll is Linux's; elsewhere the tool says so (tests/load_smoke.test.sh
 * skips there). */
int main(void) {
    fprintf(stderr, "tern_load: needs Linux (epoll)\n");
    return 2;
}
#else
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tern/tern.h"

enum fault { F_NONE, F_RESET, F_GARBAGE, F_NOCLOSE, F_VANISH, F_SLOW_HELLO, F_NO_READ };
static const char *const fault_names[] = {"none", "reset", "garbage", "noclose", "vanish", "slow-hello", "no-read"};

enum state {
    ST_CONNECTING, /* waiting for the TCP connect */
    ST_HANDSHAKE,  /* tern_handshake until 0 */
    ST_HELD,       /* --hold: handshake done, waiting for the release */
    ST_REQUEST,    /* writing the request */
    ST_RESPONSE,   /* reading the response (http: to close_notify; echo: B bytes) */
    ST_CLOSE,      /* echo: sending close_notify */
    ST_DRAIN,      /* echo: reading until the server's close_notify */
    ST_FAULT_RST,  /* reset: waiting for the server's first bytes */
    ST_FAULT_WAIT, /* garbage, vanish, no-read: waiting for the server to close */
    ST_DONE
};

typedef struct lconn {
    int fd;
    int state;
    uint32_t events;        /* the epoll interest set now */
    tern_conn *tc;
    double t_start;         /* connect() */
    double next_byte;       /* slow-hello: when the next ClientHello byte may go */
    int err;                /* errno of the last failed socket call */
    int hello_done;         /* slow-hello: the ClientHello is out */
    size_t off;             /* request bytes written / echo bytes checked */
    size_t got;             /* response bytes read */
    char head[16];          /* the first bytes of the response (http status, alert record) */
} lconn;

/* ---- options ---- */
static struct {
    const char *host, *port, *trust, *servername, *cipher, *groups, *path;
    long concurrency, total, bytes, slow_ms;
    double timeout, hold_timeout;
    int echo, insecure, hold, verbose;
    enum fault fault;
} opt = {.servername = "localhost", .path = "/", .concurrency = 10, .total = -1, .bytes = 64, .slow_ms = 1000,
         .timeout = 60, .hold_timeout = 120};

/* ---- the run ---- */
static int ep;
static tern_config *cfg;
static struct sockaddr_storage addr;
static socklen_t addr_len;
static char request[512];
static size_t request_len;
static uint8_t *payload; /* echo bytes */
static long started, open_now, finished, handshakes, held, hs_in_flight;
static double t_first = -1, t_last_hs, *lat;
static char suite[80];
static unsigned sigscheme;
static volatile sig_atomic_t release_flag;
static int released;
/* Every open connection by its fd, for deadlines and timers (epoll alone
 * does not say which connections have gone quiet). */
static lconn **by_fd;
static int fd_cap, fd_max;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- outcomes: a small table of labels, each with its count and the
 * connection lifetimes (for the median) ---- */
#define MAX_OUTCOMES 64
static struct outcome {
    char label[64];
    long count;
    double *times;
    size_t ntimes, cap;
    char first_detail[200];
} outcomes[MAX_OUTCOMES];
static size_t noutcomes;
static long overflow_outcomes;

static void record(lconn *c, const char *label, const char *detail) {
    struct outcome *o = NULL;
    for (size_t i = 0; i < noutcomes; i++)
        if (strcmp(outcomes[i].label, label) == 0)
            o = &outcomes[i];
    if (o == NULL && noutcomes < MAX_OUTCOMES) {
        o = &outcomes[noutcomes++];
        snprintf(o->label, sizeof o->label, "%s", label);
        if (detail != NULL)
            snprintf(o->first_detail, sizeof o->first_detail, "%s", detail);
    }
    if (o == NULL) {
        overflow_outcomes++;
        return;
    }
    o->count++;
    if (o->ntimes == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        double *t = realloc(o->times, cap * sizeof *t);
        if (t == NULL)
            return;
        o->times = t;
        o->cap = cap;
    }
    o->times[o->ntimes++] = now_s() - c->t_start;
    if (opt.verbose && strcmp(label, "ok") != 0)
        fprintf(stderr, "tern_load: %s%s%s\n", label, detail && *detail ? ": " : "", detail ? detail : "");
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
/* Nearest-rank percentile of a sorted array. */
static double pct(const double *v, size_t n, double p) {
    if (n == 0)
        return 0;
    size_t k = (size_t)ceil(p * (double)n);
    return v[k == 0 ? 0 : k - 1];
}

/* ---- the transport: our own callbacks so that errno is kept (reset vs
 * other) and slow-hello can pace the ClientHello ---- */
static int io_recv(void *arg, uint8_t *buf, size_t len) {
    lconn *c = arg;
    /* reset and vanish stop after the ClientHello: the engine must not read
     * the server's answer, even when it is already there. */
    if (opt.fault == F_RESET || opt.fault == F_VANISH)
        return TERN_WANT_READ;
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n >= 0)
            return (int)n;
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return TERN_WANT_READ;
        c->err = errno;
        return TERN_ERR_IO;
    }
}
static int io_send(void *arg, const uint8_t *buf, size_t len) {
    lconn *c = arg;
    if (opt.fault == F_SLOW_HELLO && !c->hello_done) {
        /* One byte of the ClientHello per interval; the engine flushes the
         * whole flight before it reads, so the hello is done when the
         * handshake first asks to read. */
        if (now_s() < c->next_byte)
            return TERN_WANT_WRITE;
        len = 1;
        c->next_byte = now_s() + (double)opt.slow_ms / 1000.0;
    }
    for (;;) {
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n > 0)
            return (int)n;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TERN_WANT_WRITE;
        c->err = n < 0 ? errno : EPIPE;
        return TERN_ERR_IO;
    }
}

static void set_interest(lconn *c, uint32_t ev) {
    if (c->events == ev)
        return;
    struct epoll_event e = {.events = ev, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &e) == 0)
        c->events = ev;
}

static void finish(lconn *c, const char *label, const char *detail, int rst) {
    if (c->state == ST_HANDSHAKE || c->state == ST_CONNECTING || c->state == ST_FAULT_RST)
        hs_in_flight--;
    if (c->state == ST_HELD)
        held--;
    record(c, label, detail);
    if (rst) {
        struct linger l = {1, 0};
        setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    }
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    by_fd[c->fd] = NULL;
    close(c->fd);
    tern_free(c->tc);
    free(c);
    open_now--;
    finished++;
}

/* The outcome of a TLS call that failed with r, by reason. */
static void fail_tls(lconn *c, long r) {
    char label[64];
    const char *fault = opt.fault == F_NONE ? NULL : fault_names[opt.fault];
    int in_hs = c->state == ST_HANDSHAKE;
    if (fault != NULL && opt.fault != F_NOCLOSE) {
        /* The server ended a misbehaving connection: that is what we watch. */
        snprintf(label, sizeof label, "%s:server-closed", fault);
        finish(c, label, tern_error(c->tc), 0);
        return;
    }
    if (r == TERN_ERR_IO && (c->err == ECONNRESET || c->err == EPIPE))
        snprintf(label, sizeof label, "reset");
    else if (r == TERN_ERR_IO)
        snprintf(label, sizeof label, "io:%s", strerror(c->err));
    else if (r == TERN_ERR_TRUNCATED || (r == TERN_ERR_CLOSED && in_hs))
        snprintf(label, sizeof label, in_hs ? "eof-in-handshake" : "truncated");
    else if (r == TERN_ERR_PEER_ALERT) {
        const char *n = tern_alert_name(tern_alert_received(c->tc));
        snprintf(label, sizeof label, "peer-alert:%s", n ? n : "unknown");
    } else if (tern_alert_sent(c->tc) >= 0) {
        const char *n = tern_alert_name(tern_alert_sent(c->tc));
        snprintf(label, sizeof label, "alert-sent:%s", n ? n : "unknown");
    } else
        snprintf(label, sizeof label, "error:%s", tern_strerror((int)r));
    finish(c, label, tern_error(c->tc), 0);
}

static void handshake_done(lconn *c) {
    double t = now_s();
    lat[handshakes++] = (t - c->t_start) * 1000.0;
    t_last_hs = t;
    hs_in_flight--;
    if (suite[0] == 0) {
        const char *s = tern_cipher_suite(c->tc);
        snprintf(suite, sizeof suite, "%s", s ? s : "?");
        sigscheme = tern_signature_scheme(c->tc);
    }
}

static void step(lconn *c, uint32_t ev);

/* Open one connection: a non-blocking socket and connect(). */
static void open_one(void) {
    lconn *c = calloc(1, sizeof *c);
    if (c == NULL) {
        fprintf(stderr, "tern_load: out of memory\n");
        exit(2);
    }
    c->t_start = now_s();
    if (t_first < 0)
        t_first = c->t_start;
    started++;
    open_now++;
    hs_in_flight++;
    c->state = ST_CONNECTING;
    c->fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        fprintf(stderr, "tern_load: socket: %s (raise ulimit -n?)\n", strerror(errno));
        exit(2);
    }
    if (c->fd >= fd_cap) {
        fprintf(stderr, "tern_load: fd %d over the limit of %d\n", c->fd, fd_cap);
        exit(2);
    }
    by_fd[c->fd] = c;
    if (c->fd > fd_max)
        fd_max = c->fd;
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    c->tc = tern_client_new(cfg, opt.insecure ? NULL : opt.servername);
    if (c->tc == NULL || tern_set_io(c->tc, io_recv, io_send, c) != 0) {
        fprintf(stderr, "tern_load: cannot create a tern connection (out of memory?)\n");
        exit(2);
    }
    struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
    c->events = EPOLLOUT;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &e) != 0) {
        fprintf(stderr, "tern_load: epoll_ctl: %s\n", strerror(errno));
        exit(2);
    }
    if (connect(c->fd, (struct sockaddr *)&addr, addr_len) != 0 && errno != EINPROGRESS) {
        c->err = errno;
        finish(c, "connect", strerror(c->err), 0);
        return;
    }
}

/* Garbage: 256 bytes that are not a TLS record (the first byte is no
 * content type), sent at once. */
static void send_garbage(lconn *c) {
    uint8_t g[256];
    for (size_t i = 0; i < sizeof g; i++)
        g[i] = (uint8_t)("GARBAGE!"[i % 8] ^ (i >> 3));
    ssize_t n = send(c->fd, g, sizeof g, MSG_NOSIGNAL);
    if (n < 0) {
        finish(c, "garbage:server-closed", strerror(errno), 0);
        return;
    }
    c->state = ST_FAULT_WAIT;
    set_interest(c, EPOLLIN | EPOLLRDHUP);
}

/* Raw reads while we wait for the server to close (garbage, vanish,
 * no-read): the first bytes are kept to tell an alert record. */
static void fault_wait_event(lconn *c, uint32_t ev) {
    const char *fault = fault_names[opt.fault];
    char label[64];
    if (opt.fault == F_GARBAGE && (ev & EPOLLIN)) {
        uint8_t buf[4096];
        for (;;) {
            ssize_t n = recv(c->fd, buf, sizeof buf, 0);
            if (n > 0) {
                for (ssize_t i = 0; i < n && c->got < sizeof c->head; i++)
                    c->head[c->got++] = (char)buf[i];
                continue;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
                return;
            break; /* EOF or reset */
        }
        /* An alert record: type 21, version 3.x, length 2, level, description
         * (RFC 5246 §6.2.1, §7.2). */
        const uint8_t *h = (const uint8_t *)c->head;
        if (c->got >= 7 && h[0] == 21 && h[1] == 3 && h[3] == 0 && h[4] == 2) {
            const char *n = tern_alert_name(h[6]);
            snprintf(label, sizeof label, "%s:server-alert:%s", fault, n ? n : "unknown");
        } else
            snprintf(label, sizeof label, "%s:server-closed", fault);
        finish(c, label, NULL, 0);
        return;
    }
    if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        snprintf(label, sizeof label, "%s:server-closed", fault);
        finish(c, label, NULL, 0);
        return;
    }
    if (opt.fault == F_NO_READ && (ev & EPOLLOUT)) {
        /* Keep the server's echo going until our own buffers fill. */
        for (;;) {
            long w = tern_write(c->tc, payload, (size_t)opt.bytes);
            if (w == TERN_WANT_WRITE || w == TERN_WANT_READ)
                return;
            if (w < 0) {
                snprintf(label, sizeof label, "%s:server-closed", fault);
                finish(c, label, tern_error(c->tc), 0);
                return;
            }
        }
    }
}

/* Check the start of an HTTP response: "HTTP/1.x 200". */
static int http_ok(const lconn *c) {
    return c->got >= 12 && memcmp(c->head, "HTTP/1.", 7) == 0 && memcmp(c->head + 8, " 200", 4) == 0;
}

/* Drive one connection as far as it goes; ev is what epoll said (0 when we
 * call it ourselves). */
static void step(lconn *c, uint32_t ev) {
    for (;;) {
        switch (c->state) {
        case ST_CONNECTING: {
            int err = 0;
            socklen_t l = sizeof err;
            if (!(ev & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
                return;
            getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
            if (err != 0) {
                c->err = err;
                finish(c, "connect", strerror(err), 0);
                return;
            }
            if (opt.fault == F_GARBAGE) {
                hs_in_flight--; /* no handshake on this one */
                c->state = ST_FAULT_WAIT;
                send_garbage(c);
                return;
            }
            c->state = ST_HANDSHAKE;
            c->next_byte = now_s();
            break;
        }
        case ST_HANDSHAKE: {
            int r = tern_handshake(c->tc);
            if (r == TERN_WANT_READ) {
                c->hello_done = 1;
                if (opt.fault == F_RESET) {
                    c->state = ST_FAULT_RST;
                    set_interest(c, EPOLLIN);
                    return;
                }
                if (opt.fault == F_VANISH) {
                    hs_in_flight--;
                    c->state = ST_FAULT_WAIT;
                    set_interest(c, EPOLLRDHUP);
                    return;
                }
                set_interest(c, EPOLLIN);
                return;
            }
            if (r == TERN_WANT_WRITE) {
                /* slow-hello pacing: the timer, not the socket, says when */
                set_interest(c, opt.fault == F_SLOW_HELLO && !c->hello_done ? 0 : EPOLLOUT);
                return;
            }
            if (r < 0) {
                fail_tls(c, r);
                return;
            }
            handshake_done(c);
            if (opt.fault == F_NOCLOSE && !opt.echo) {
                finish(c, "noclose-sent", NULL, 0);
                return;
            }
            if (opt.fault == F_NO_READ) {
                c->state = ST_FAULT_WAIT;
                set_interest(c, EPOLLOUT | EPOLLRDHUP);
                return;
            }
            if (opt.hold && !released) {
                c->state = ST_HELD;
                held++;
                /* Nothing is expected from the server now; EPOLLRDHUP says
                 * if it gives up on us. */
                set_interest(c, EPOLLRDHUP);
                return;
            }
            c->state = ST_REQUEST;
            break;
        }
        case ST_HELD:
            if (ev & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
                finish(c, "closed-while-held", NULL, 0);
                return;
            }
            if (!released)
                return;
            held--;
            c->state = ST_REQUEST;
            break;
        case ST_REQUEST: {
            const uint8_t *p = opt.echo ? payload : (const uint8_t *)request;
            size_t n = opt.echo ? (size_t)opt.bytes : request_len;
            while (c->off < n) {
                long w = tern_write(c->tc, p + c->off, n - c->off);
                if (w == TERN_WANT_READ || w == TERN_WANT_WRITE) {
                    set_interest(c, w == TERN_WANT_READ ? EPOLLIN : EPOLLOUT);
                    return;
                }
                if (w < 0) {
                    fail_tls(c, w);
                    return;
                }
                c->off += (size_t)w;
            }
            c->off = 0;
            c->state = ST_RESPONSE;
            break;
        }
        case ST_RESPONSE: {
            uint8_t buf[16384];
            long r = tern_read(c->tc, buf, sizeof buf);
            if (r == TERN_WANT_READ || r == TERN_WANT_WRITE) {
                set_interest(c, r == TERN_WANT_READ ? EPOLLIN : EPOLLOUT);
                return;
            }
            if (r < 0) {
                fail_tls(c, r);
                return;
            }
            if (r == 0) { /* close_notify */
                if (opt.echo) {
                    finish(c, "closed-early", "the server closed before echoing every byte", 0);
                    return;
                }
                if (!http_ok(c)) {
                    finish(c, "bad-response", "the response does not start with HTTP/1.x 200", 0);
                    return;
                }
                /* Answer the server's close_notify (RFC 5246 §7.2.1); the
                 * server may be gone already: best effort. */
                (void)tern_close(c->tc);
                finish(c, opt.fault == F_SLOW_HELLO ? "slow-hello:completed" : "ok", NULL, 0);
                return;
            }
            for (long i = 0; i < r && c->got < sizeof c->head; i++)
                c->head[c->got++] = (char)buf[i];
            if (opt.echo) {
                if (c->off + (size_t)r > (size_t)opt.bytes || memcmp(buf, payload + c->off, (size_t)r) != 0) {
                    finish(c, "bad-response", "the echo differs from what was sent", 0);
                    return;
                }
                c->off += (size_t)r;
                if (c->off == (size_t)opt.bytes) {
                    if (opt.fault == F_NOCLOSE) {
                        finish(c, "noclose-sent", NULL, 0);
                        return;
                    }
                    c->state = ST_CLOSE;
                }
            }
            break;
        }
        case ST_CLOSE: {
            int r = tern_close(c->tc);
            if (r == TERN_WANT_WRITE) {
                set_interest(c, EPOLLOUT);
                return;
            }
            if (r < 0) {
                fail_tls(c, r);
                return;
            }
            c->state = ST_DRAIN;
            break;
        }
        case ST_DRAIN: {
            uint8_t buf[512];
            long r = tern_read(c->tc, buf, sizeof buf);
            if (r == TERN_WANT_READ || r == TERN_WANT_WRITE) {
                set_interest(c, r == TERN_WANT_READ ? EPOLLIN : EPOLLOUT);
                return;
            }
            if (r < 0) {
                fail_tls(c, r);
                return;
            }
            if (r == 0) {
                finish(c, opt.fault == F_SLOW_HELLO ? "slow-hello:completed" : "ok", NULL, 0);
                return;
            }
            finish(c, "bad-response", "data after the echo", 0);
            return;
        }
        case ST_FAULT_RST:
            if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) {
                finish(c, "reset-sent", NULL, 1);
                return;
            }
            return;
        case ST_FAULT_WAIT:
            fault_wait_event(c, ev);
            return;
        default:
            return;
        }
        ev = 0;
    }
}

static void on_usr1(int sig) {
    (void)sig;
    release_flag = 1;
}

static void usage(void) {
    fprintf(stderr,
            "usage: tern_load HOST:PORT [--concurrency N] [--total M] [--http [--path P] | --echo [--bytes B]]\n"
            "                 [--truststore FILE | --insecure] [--servername NAME] [--cipher LIST] [--groups LIST]\n"
            "                 [--timeout S] [--hold [--hold-timeout S]] [--verbose]\n"
            "                 [--fault reset|garbage|noclose|vanish|slow-hello|no-read] [--slow-interval MS]\n");
}

/* Deadlines (--timeout) and slow-hello timers: a scan of the open
 * connections, a few times a second at most. */
static void sweep(double t) {
    for (int fd = 0; fd <= fd_max; fd++) {
        lconn *c = by_fd[fd];
        if (c == NULL)
            continue;
        if (c->state == ST_HELD)
            continue; /* held on purpose: the hold has its own timeout */
        if (t - c->t_start > opt.timeout) {
            if (opt.fault != F_NONE && opt.fault != F_NOCLOSE && opt.fault != F_RESET) {
                char label[64];
                snprintf(label, sizeof label, "%s:still-open", fault_names[opt.fault]);
                finish(c, label, "still open at --timeout", 0);
            } else
                finish(c, "timeout", "no end within --timeout", 0);
            continue;
        }
        if (opt.fault == F_SLOW_HELLO && c->state == ST_HANDSHAKE && !c->hello_done && t >= c->next_byte)
            step(c, EPOLLOUT);
    }
}

static int parse_long(const char *s, long lo, long hi, long *out) {
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != 0 || end == s || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv) {
    const char *target = NULL;
    long v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0) {
            usage();
            exit(0);
        } else if (strcmp(a, "--concurrency") == 0 && next && parse_long(next, 1, 1000000, &opt.concurrency) == 0)
            i++;
        else if (strcmp(a, "--total") == 0 && next && parse_long(next, 1, 100000000, &opt.total) == 0)
            i++;
        else if (strcmp(a, "--http") == 0)
            opt.echo = 0;
        else if (strcmp(a, "--path") == 0 && next && next[0] == '/' && strlen(next) < 200 &&
                 strpbrk(next, " \r\n") == NULL)
            opt.path = argv[++i];
        else if (strcmp(a, "--echo") == 0)
            opt.echo = 1;
        else if (strcmp(a, "--bytes") == 0 && next && parse_long(next, 1, 1 << 20, &opt.bytes) == 0)
            i++;
        else if (strcmp(a, "--truststore") == 0 && next)
            opt.trust = argv[++i];
        else if (strcmp(a, "--insecure") == 0)
            opt.insecure = 1;
        else if (strcmp(a, "--servername") == 0 && next && strlen(next) < 200 && strpbrk(next, " \r\n") == NULL)
            opt.servername = argv[++i];
        else if (strcmp(a, "--cipher") == 0 && next)
            opt.cipher = argv[++i];
        else if (strcmp(a, "--groups") == 0 && next)
            opt.groups = argv[++i];
        else if (strcmp(a, "--timeout") == 0 && next && parse_long(next, 1, 86400, &v) == 0) {
            opt.timeout = (double)v;
            i++;
        } else if (strcmp(a, "--hold") == 0)
            opt.hold = 1;
        else if (strcmp(a, "--hold-timeout") == 0 && next && parse_long(next, 1, 86400, &v) == 0) {
            opt.hold_timeout = (double)v;
            i++;
        } else if (strcmp(a, "--slow-interval") == 0 && next && parse_long(next, 1, 60000, &opt.slow_ms) == 0)
            i++;
        else if (strcmp(a, "--verbose") == 0)
            opt.verbose = 1;
        else if (strcmp(a, "--fault") == 0 && next) {
            size_t k;
            for (k = 1; k < sizeof fault_names / sizeof fault_names[0]; k++)
                if (strcmp(next, fault_names[k]) == 0)
                    break;
            if (k == sizeof fault_names / sizeof fault_names[0])
                return -1;
            opt.fault = (enum fault)k;
            i++;
        } else if (a[0] != '-' && target == NULL)
            target = a;
        else {
            fprintf(stderr, "tern_load: bad option or value: %s\n", a);
            return -1;
        }
    }
    if (target == NULL)
        return -1;
    /* HOST:PORT, the host maybe in brackets ([::1]:443) */
    static char host[256];
    const char *colon = strrchr(target, ':');
    if (colon == NULL || colon == target || (size_t)(colon - target) >= sizeof host)
        return -1;
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = 0;
    if (host[0] == '[' && host[strlen(host) - 1] == ']') {
        memmove(host, host + 1, strlen(host) - 2);
        host[strlen(host) - 2] = 0;
    }
    opt.host = host;
    opt.port = colon + 1;
    if (opt.total < 0)
        opt.total = opt.concurrency;
    if (opt.hold && opt.total > opt.concurrency) {
        fprintf(stderr, "tern_load: --hold keeps every connection open at once: --total must be <= --concurrency\n");
        return -1;
    }
    if (opt.trust == NULL && !opt.insecure) {
        fprintf(stderr, "tern_load: give --truststore FILE (the CA of the server) or --insecure\n");
        return -1;
    }
    return 0;
}

/* Raise the soft limit on open files to the hard limit; we need one fd per
 * connection and a few more. */
static int raise_nofile(long need) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && (long)rl.rlim_cur < need) {
        fprintf(stderr,
                "tern_load: %ld connections need %ld open files; the limit is %ld (raise the hard limit: ulimit -Hn, "
                "/etc/security/limits.conf)\n",
                opt.concurrency, need, (long)rl.rlim_cur);
        return -1;
    }
    fd_cap = (int)(rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 4000000 ? 4000000 : rl.rlim_cur);
    return 0;
}

static int setup(void) {
    struct addrinfo hints = {0}, *res;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int gai = getaddrinfo(opt.host, opt.port, &hints, &res);
    if (gai != 0) {
        fprintf(stderr, "tern_load: %s:%s: %s\n", opt.host, opt.port, gai_strerror(gai));
        return -1;
    }
    memcpy(&addr, res->ai_addr, res->ai_addrlen);
    addr_len = res->ai_addrlen;
    freeaddrinfo(res);

    cfg = tern_config_new();
    if (cfg == NULL)
        return -1;
    if (opt.insecure)
        tern_config_insecure_skip_verify(cfg);
    else if (tern_config_load_truststore(cfg, opt.trust) != 0) {
        fprintf(stderr, "tern_load: %s\n", tern_config_error(cfg));
        return -1;
    }
    if (opt.cipher != NULL && tern_config_set_cipher_suites(cfg, opt.cipher) != 0) {
        fprintf(stderr, "tern_load: unknown --cipher %s\n", opt.cipher);
        return -1;
    }
    if (opt.groups != NULL && tern_config_set_groups(cfg, opt.groups) != 0) {
        fprintf(stderr, "tern_load: unknown --groups %s (x25519, secp256r1, secp384r1)\n", opt.groups);
        return -1;
    }
    int n = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", opt.path,
                     opt.servername);
    if (n < 0 || (size_t)n >= sizeof request)
        return -1;
    request_len = (size_t)n;
    payload = malloc((size_t)opt.bytes);
    lat = malloc((size_t)opt.total * sizeof *lat);
    by_fd = calloc((size_t)fd_cap, sizeof *by_fd);
    if (payload == NULL || lat == NULL || by_fd == NULL)
        return -1;
    for (long i = 0; i < opt.bytes; i++)
        payload[i] = (uint8_t)('a' + i % 26);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (ep < 0) {
        fprintf(stderr, "tern_load: epoll_create1: %s\n", strerror(errno));
        return -1;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

/* The hold: once every handshake is over, say so and wait for SIGUSR1. */
static void hold_point(void) {
    static double since = -1;
    if (released || started < opt.total || hs_in_flight > 0)
        return;
    if (since < 0) {
        since = now_s();
        fprintf(stderr, "tern_load: holding %ld connections (%ld handshakes, %ld failed); SIGUSR1 to go on\n", held,
                handshakes, finished);
        fflush(stderr);
    }
    if (release_flag || now_s() - since > opt.hold_timeout) {
        if (!release_flag)
            fprintf(stderr, "tern_load: no SIGUSR1 within --hold-timeout: going on\n");
        released = 1;
        /* Restart every held connection's deadline: the hold is not theirs. */
        double t = now_s();
        for (int fd = 0; fd <= fd_max; fd++)
            if (by_fd[fd] != NULL && by_fd[fd]->state == ST_HELD) {
                by_fd[fd]->t_start = t;
                step(by_fd[fd], 0);
            }
    }
}

static void report(double elapsed) {
    long ok = 0, failed = 0;
    for (size_t i = 0; i < noutcomes; i++) {
        if (strcmp(outcomes[i].label, "ok") == 0)
            ok += outcomes[i].count;
        else
            failed += outcomes[i].count;
    }
    failed += overflow_outcomes;
    qsort(lat, (size_t)handshakes, sizeof *lat, cmp_double);
    double hs_span = handshakes > 0 ? t_last_hs - t_first : 0;
    printf("target\t%s:%s\n", opt.host, opt.port);
    printf("mode\t%s%s%s\n", opt.echo ? "echo" : "http", opt.fault ? " fault=" : "",
           opt.fault ? fault_names[opt.fault] : "");
    printf("concurrency\t%ld\n", opt.concurrency);
    printf("connections\t%ld\n", started);
    printf("handshakes\t%ld\n", handshakes);
    printf("ok\t%ld\n", ok);
    printf("failed\t%ld\n", failed);
    printf("counts_add_up\t%s\n", ok + failed == started && finished == started ? "yes" : "no");
    printf("elapsed_s\t%.3f\n", elapsed);
    printf("handshakes_per_s\t%.1f\n", hs_span > 0 ? (double)handshakes / hs_span : 0.0);
    printf("latency_ms\tp50=%.1f\tp90=%.1f\tp99=%.1f\tmax=%.1f\n", pct(lat, (size_t)handshakes, 0.50),
           pct(lat, (size_t)handshakes, 0.90), pct(lat, (size_t)handshakes, 0.99),
           handshakes > 0 ? lat[handshakes - 1] : 0.0);
    /* The client's own CPU: on a small machine the client competes with the
     * server for the cores, and this says how much. */
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0 && handshakes > 0) {
        double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
                     (double)ru.ru_stime.tv_usec / 1e6;
        printf("client_cpu_us_per_handshake\t%.0f\n", cpu * 1e6 / (double)handshakes);
    }
    printf("suite\t%s\n", suite[0] ? suite : "-");
    printf("signature_scheme\t0x%04x\n", sigscheme);
    for (size_t i = 0; i < noutcomes; i++) {
        struct outcome *o = &outcomes[i];
        qsort(o->times, o->ntimes, sizeof *o->times, cmp_double);
        printf("outcome\t%s\t%ld\tmedian_s=%.3f%s%s\n", o->label, o->count, pct(o->times, o->ntimes, 0.5),
               o->first_detail[0] ? "\tfirst=" : "", o->first_detail);
    }
    if (overflow_outcomes)
        printf("outcome\tother\t%ld\n", overflow_outcomes);
}

int main(int argc, char **argv) {
    if (parse_args(argc, argv) != 0) {
        usage();
        return 2;
    }
    if (raise_nofile(opt.concurrency + 32) != 0 || setup() != 0)
        return 2;
    struct epoll_event evs[512];
    double t0 = now_s(), last_sweep = t0;
    while (finished < opt.total) {
        /* Open new connections up to the concurrency, a batch at a time so
         * that events are served between batches. */
        for (int k = 0; k < 256 && open_now < opt.concurrency && started < opt.total; k++)
            open_one();
        int wait_ms = opt.fault == F_SLOW_HELLO ? 10 : 50;
        if (open_now < opt.concurrency && started < opt.total)
            wait_ms = 0;
        int n = epoll_wait(ep, evs, (int)(sizeof evs / sizeof evs[0]), wait_ms);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "tern_load: epoll_wait: %s\n", strerror(errno));
            return 2;
        }
        for (int i = 0; i < n; i++)
            step(evs[i].data.ptr, evs[i].events);
        double t = now_s();
        if (t - last_sweep >= 0.05 || opt.fault == F_SLOW_HELLO) {
            sweep(t);
            last_sweep = t;
        }
        if (opt.hold)
            hold_point();
    }
    report(now_s() - t0);
    if (opt.fault != F_NONE)
        return 0;
    for (size_t i = 0; i < noutcomes; i++)
        if (strcmp(outcomes[i].label, "ok") != 0)
            return 1;
    return overflow_outcomes ? 1 : 0;
}
#endif /* __linux__ */
