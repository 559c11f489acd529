/*
 * `tern server`: see the usage in tools/tern.c and docs/SERVING.md.
 *
 * One event loop per process serves any number of connections at once:
 * non-blocking sockets, epoll on Linux and poll() elsewhere, and tern's
 * non-blocking API (TERN_WANT_READ / TERN_WANT_WRITE say what a connection
 * waits for).  Each connection has a handshake deadline and an idle
 * timeout; --max-connections caps how many are open; --workers N forks N
 * processes that share one listening socket.  The file reads top down:
 *   options and counters, the event set (epoll / poll), timer lists,
 *   a connection's life (open, drive, fail, end), accept, the loop,
 *   workers, and setup (tool_server_main).
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
/* epoll on Linux; poll() elsewhere, or when built with -DTERN_SERVER_POLL
 * (to test that path on Linux). */
#if defined(__linux__) && !defined(TERN_SERVER_POLL)
#define USE_EPOLL 1
#include <sys/epoll.h>
#endif

#include "tern/tern.h"
#include "tools/tool.h"

/* ---- options and counters ---- */

enum { MODE_ECHO = 1, MODE_HTTP = 2 };

typedef struct {
    int mode;                      /* MODE_ECHO or MODE_HTTP */
    int64_t hs_timeout_ms;         /* from accept to the end of the handshake */
    int64_t idle_timeout_ms;       /* after the handshake: no byte moved either way */
    size_t max_conns;              /* per process */
    int workers;                   /* processes; 1 = no fork */
    int64_t stats_ms;              /* 0: no --stats */
    int quiet;                     /* no line per connection */
    tool_ocsp *ocsp;               /* --ocsp-file: refreshed before each connection */
} serve_opts;

typedef struct {
    uint64_t handshakes, clean;                    /* handshakes completed; clean closes */
    uint64_t hs_timeout, idle_timeout;             /* failures by reason ... */
    uint64_t alert_sent, peer_alert, io, other;    /* ... io: reset, error, EOF without close_notify */
    uint64_t refused;                              /* closed at accept: over --max-connections */
    uint64_t bytes_in, bytes_out;                  /* on the wire, TLS records included */
    size_t open;                                   /* connections open now */
    size_t tls_mem;                                /* sum of tern_conn_memory() of the open ones */
    size_t pending_mem;                            /* bytes waiting for tern_write to take them */
} counters;

/* ---- the event set: epoll on Linux, poll() elsewhere ----
 * Each fd is registered under a key: KEY_LISTEN, KEY_WAKE, or KEY_CONN + a
 * connection's slot index.  Interest is EV_IN and/or EV_OUT, level-triggered
 * (a connection asks again after every call that returned TERN_WANT_*). */

enum { EV_IN = 1, EV_OUT = 2, EV_MAX_BATCH = 256 };
enum { KEY_LISTEN = 0, KEY_WAKE = 1, KEY_CONN = 2 };

typedef struct {
    uint32_t key[EV_MAX_BATCH];
    int flags[EV_MAX_BATCH]; /* EV_IN / EV_OUT; an error or hang-up counts as both */
#ifdef USE_EPOLL
    int ep;
#else
    struct pollfd *pfd; /* indexed by key; fd -1 = unused */
    size_t npfd;
#endif
} evset;

#ifdef USE_EPOLL
static int ev_open(evset *e, size_t nkeys) {
    (void)nkeys;
    e->ep = epoll_create1(EPOLL_CLOEXEC);
    return e->ep < 0 ? -1 : 0;
}
static void ev_close(evset *e) {
    close(e->ep);
}
static uint32_t ev_bits(int interest) {
    return ((interest & EV_IN) ? EPOLLIN : 0) | ((interest & EV_OUT) ? EPOLLOUT : 0);
}
/* exclusive: several processes wait on this fd; wake one (Linux 4.5). */
static int ev_add(evset *e, int fd, uint32_t key, int interest, int exclusive) {
    struct epoll_event ev = {.events = ev_bits(interest), .data.u32 = key};
#ifdef EPOLLEXCLUSIVE
    if (exclusive) {
        ev.events |= EPOLLEXCLUSIVE;
        if (epoll_ctl(e->ep, EPOLL_CTL_ADD, fd, &ev) == 0)
            return 0;
        ev.events &= ~(uint32_t)EPOLLEXCLUSIVE; /* an older kernel: every process wakes */
    }
#else
    (void)exclusive;
#endif
    return epoll_ctl(e->ep, EPOLL_CTL_ADD, fd, &ev);
}
static int ev_mod(evset *e, int fd, uint32_t key, int interest) {
    struct epoll_event ev = {.events = ev_bits(interest), .data.u32 = key};
    return epoll_ctl(e->ep, EPOLL_CTL_MOD, fd, &ev);
}
static void ev_del(evset *e, int fd, uint32_t key) {
    (void)key;
    struct epoll_event ev = {0};
    (void)epoll_ctl(e->ep, EPOLL_CTL_DEL, fd, &ev);
}
/* Wait up to timeout_ms (-1: no limit); the ready keys in e->key/flags. */
static int ev_wait(evset *e, int timeout_ms) {
    struct epoll_event evs[EV_MAX_BATCH];
    int n = epoll_wait(e->ep, evs, EV_MAX_BATCH, timeout_ms);
    for (int i = 0; i < n; i++) {
        uint32_t r = evs[i].events;
        e->key[i] = evs[i].data.u32;
        e->flags[i] = ((r & (EPOLLIN | EPOLLERR | EPOLLHUP)) ? EV_IN : 0) |
                      ((r & (EPOLLOUT | EPOLLERR | EPOLLHUP)) ? EV_OUT : 0);
    }
    return n;
}
#else
static int ev_open(evset *e, size_t nkeys) {
    e->pfd = malloc(nkeys * sizeof *e->pfd);
    if (e->pfd == NULL)
        return -1;
    e->npfd = nkeys;
    for (size_t i = 0; i < nkeys; i++)
        e->pfd[i] = (struct pollfd){.fd = -1};
    return 0;
}
static void ev_close(evset *e) {
    free(e->pfd);
}
static short ev_bits(int interest) {
    return (short)(((interest & EV_IN) ? POLLIN : 0) | ((interest & EV_OUT) ? POLLOUT : 0));
}
static int ev_add(evset *e, int fd, uint32_t key, int interest, int exclusive) {
    (void)exclusive;
    e->pfd[key] = (struct pollfd){.fd = fd, .events = ev_bits(interest)};
    return 0;
}
static int ev_mod(evset *e, int fd, uint32_t key, int interest) {
    return ev_add(e, fd, key, interest, 0);
}
static void ev_del(evset *e, int fd, uint32_t key) {
    (void)fd;
    e->pfd[key].fd = -1;
}
/* poll() looks at every slot: fine for the systems without epoll, and
 * O(slots in use) since nfds stops at the highest one ever used. */
static int ev_wait(evset *e, int timeout_ms) {
    nfds_t used = (nfds_t)e->npfd;
    while (used > 0 && e->pfd[used - 1].fd < 0)
        used--;
    int n = poll(e->pfd, used, timeout_ms), k = 0;
    for (nfds_t i = 0; n > 0 && i < used && k < EV_MAX_BATCH; i++) {
        short r = e->pfd[i].revents;
        if (e->pfd[i].fd < 0 || r == 0)
            continue;
        e->key[k] = (uint32_t)i;
        e->flags[k++] = ((r & (POLLIN | POLLERR | POLLHUP | POLLNVAL)) ? EV_IN : 0) |
                        ((r & (POLLOUT | POLLERR | POLLHUP | POLLNVAL)) ? EV_OUT : 0);
    }
    return n < 0 ? n : k;
}
#endif

/* ---- connections and their timer lists ----
 * A connection waits in one of two lists, each ordered by deadline because
 * every member got the same timeout: `handshaking` (deadline fixed at
 * accept) and `idle` (deadline pushed back, and the connection moved to the
 * tail, whenever a byte moves).  So the next deadline is always a list's
 * head, and adding, moving and removing are O(1). */

enum { PH_HANDSHAKE, PH_SERVE, PH_CLOSING, PH_FAILED };

typedef struct server server;
typedef struct conn conn;
typedef struct {
    conn *head, *tail;
} timer_list;

struct conn {
    server *sv;
    tern_conn *tls;
    int fd;                  /* -1: the slot is free */
    uint32_t slot;
    int phase;               /* PH_* */
    int interest;            /* EV_IN / EV_OUT as registered */
    int64_t deadline;        /* monotonic ms */
    timer_list *list;        /* the list it is in */
    conn *prev, *next;       /* in that list (next: also the free list) */
    conn *next_ready;        /* in the ready list (work left after its turn) */
    int ready;
    uint8_t *out;            /* data tern_write has not taken yet (malloc'd) */
    size_t out_len, out_off;
    int close_after;         /* close once `out` is gone (--http) */
    size_t http_seen;        /* request bytes so far */
    int http_state;          /* 0, 1 after LF, 2 after LF CR */
};

struct server {
    const serve_opts *o;
    tern_config *cfg;
    int ls;                  /* the listening socket */
    int wake;                /* read end of the self-pipe the signal handler writes */
    int worker;              /* 0 alone, else 1..N */
    evset ev;
    conn *slots, *free_slots, *ready;
    size_t slots_used;       /* slots[0 .. slots_used) have been used (the rest never touched) */
    timer_list handshaking, idle;
    int64_t now, accept_paused_until, next_stats;
    uint64_t handshakes_at_last_stats;
    int64_t last_stats;      /* when the last stats line was printed (or the start) */
    counters st;
    uint8_t buf[16384];      /* one read's plaintext (a record holds at most 2^14 bytes) */
};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void list_remove(conn *c) {
    timer_list *l = c->list;
    if (l == NULL)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        l->head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        l->tail = c->prev;
    c->prev = c->next = NULL;
    c->list = NULL;
}

static void list_append(timer_list *l, conn *c, int64_t deadline) {
    list_remove(c);
    c->deadline = deadline;
    c->list = l;
    c->prev = l->tail;
    c->next = NULL;
    if (l->tail)
        l->tail->next = c;
    else
        l->head = c;
    l->tail = c;
}

/* A byte moved: after the handshake, the idle timeout starts again. */
static void touch(conn *c) {
    if (c->list == &c->sv->idle)
        list_append(&c->sv->idle, c, c->sv->now + c->sv->o->idle_timeout_ms);
}

/* ---- the transport: the socket, counted (tern_set_io) ---- */

static int conn_recv(void *arg, uint8_t *buf, size_t len) {
    conn *c = arg;
    for (;;) {
        ssize_t n = recv(c->fd, buf, len, 0);
        if (n > 0) {
            c->sv->st.bytes_in += (uint64_t)n;
            touch(c);
            return (int)n;
        }
        if (n == 0)
            return 0;
        if (errno == EINTR)
            continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? TERN_WANT_READ : TERN_ERR_IO;
    }
}

static int conn_send(void *arg, const uint8_t *buf, size_t len) {
    conn *c = arg;
    for (;;) {
        /* MSG_NOSIGNAL: a peer that hung up gives EPIPE, not SIGPIPE. */
        ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);
        if (n > 0) {
            c->sv->st.bytes_out += (uint64_t)n;
            touch(c);
            return (int)n;
        }
        if (n < 0 && errno == EINTR)
            continue;
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? TERN_WANT_WRITE : TERN_ERR_IO;
    }
}

/* ---- a connection's life ---- */

static void say(const server *sv, const char *fmt, const char *what) {
    if (!sv->o->quiet)
        fprintf(stderr, fmt, what);
}

/* Free everything the connection holds and give its slot back. */
static void conn_end(conn *c) {
    server *sv = c->sv;
    list_remove(c);
    if (c->ready) { /* rare: take it out of the ready list */
        conn **p = &sv->ready;
        while (*p != c)
            p = &(*p)->next_ready;
        *p = c->next_ready;
        c->ready = 0;
    }
    ev_del(&sv->ev, c->fd, KEY_CONN + c->slot);
    close(c->fd);
    sv->st.tls_mem -= tern_conn_memory(c->tls);
    sv->st.pending_mem -= c->out_len - c->out_off;
    sv->st.open--;
    tern_free(c->tls);
    free(c->out);
    uint32_t slot = c->slot;
    *c = (conn){.sv = sv, .fd = -1, .slot = slot, .next = sv->free_slots};
    sv->free_slots = c;
}

/* The connection failed with rc: count it by reason, say why, then flush
 * the alert tern queued (if any) in phase PH_FAILED. */
static void conn_failed(conn *c, int rc) {
    server *sv = c->sv;
    if (rc == TERN_ERR_PEER_ALERT)
        sv->st.peer_alert++;
    else if (rc == TERN_ERR_IO || rc == TERN_ERR_TRUNCATED)
        sv->st.io++;
    else if (tern_alert_sent(c->tls) >= 0)
        sv->st.alert_sent++;
    else
        sv->st.other++;
    say(sv, c->phase == PH_HANDSHAKE ? "tern server: handshake failed: %s\n" : "tern server: %s\n",
        tern_error(c->tls));
    c->phase = PH_FAILED;
}

/* Hand data to tern_write; keep what it does not take in c->out. */
static int conn_write(conn *c, const uint8_t *p, size_t len) {
    while (len > 0) {
        long w = tern_write(c->tls, p, len);
        if (w == TERN_WANT_READ || w == TERN_WANT_WRITE)
            break;
        if (w <= 0)
            return w < 0 ? (int)w : TERN_ERR_INTERNAL;
        p += w;
        len -= (size_t)w;
    }
    if (len > 0) {
        c->out = malloc(len);
        if (c->out == NULL)
            return TERN_ERR_NOMEM;
        memcpy(c->out, p, len);
        c->out_len = len;
        c->out_off = 0;
        c->sv->st.pending_mem += len;
    }
    return 0;
}

/* The request head ends with an empty line.  RFC 9112 §2.2: a line ends with
 * CRLF, but a recipient may take a bare LF as the end of a line and ignore a
 * CR before it; so the head ends at LF, then an optional CR, then LF
 * ("\r\n\r\n", "\n\n", "\r\n\n", "\n\r\n").  Fed a piece at a time: 1 when
 * the head is complete, 0 when more is needed. */
static int http_head_feed(conn *c, const uint8_t *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' && c->http_state != 0)
            return 1;
        c->http_state = p[i] == '\n' ? 1 : (p[i] == '\r' && c->http_state == 1) ? 2 : 0;
    }
    return 0;
}

/* Plaintext arrived: echo it, or read the HTTP request and answer it. */
static int conn_data(conn *c, const uint8_t *p, size_t n) {
    if (c->sv->o->mode == MODE_ECHO)
        return conn_write(c, p, n);
    if (c->close_after)
        return 0; /* answered already: the rest is ignored */
    c->http_seen += n;
    if (http_head_feed(c, p, n)) {
        static const char resp[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n"
                                   "Connection: close\r\n\r\nhello from tern\n";
        c->close_after = 1;
        int rc = conn_write(c, (const uint8_t *)resp, sizeof resp - 1);
        if (rc == 0 && c->out == NULL)
            c->phase = PH_CLOSING;
        return rc;
    }
    if (c->http_seen >= sizeof c->sv->buf) {
        say(c->sv, "tern server: %s\n", "HTTP request head over 16384 bytes: closed");
        c->sv->st.other++;
        c->phase = PH_FAILED; /* close_notify goes out, but it does not count as clean */
    }
    return 0;
}

/* Wait on the socket for what tern asked (rc is TERN_WANT_READ/WRITE). */
static void conn_wait(conn *c, long rc) {
    int want = rc == TERN_WANT_WRITE ? EV_OUT : EV_IN;
    if (want != c->interest && ev_mod(&c->sv->ev, c->fd, KEY_CONN + c->slot, want) == 0)
        c->interest = want;
}

/* Run the connection as far as it goes without blocking.  At most ROUNDS
 * reads or writes per turn, so one busy peer cannot starve the others; a
 * connection with work left joins the ready list (tern may hold records it
 * has read ahead, which the socket's readiness would not show). */
static void conn_drive(conn *c) {
    enum { ROUNDS = 16 };
    server *sv = c->sv;
    if (c->phase == PH_HANDSHAKE) {
        int rc = tern_handshake(c->tls);
        if (rc == TERN_WANT_READ || rc == TERN_WANT_WRITE) {
            conn_wait(c, rc);
            return;
        }
        if (rc < 0)
            conn_failed(c, rc);
        else {
            sv->st.handshakes++;
            if (!sv->o->quiet)
                print_status("server", c->tls);
            c->phase = PH_SERVE;
            list_append(&sv->idle, c, sv->now + sv->o->idle_timeout_ms);
        }
    }
    for (int round = 0; c->phase == PH_SERVE; round++) {
        if (round == ROUNDS) {
            if (c->ready)
                return;
            c->ready = 1;
            c->next_ready = sv->ready;
            sv->ready = c;
            return;
        }
        long r;
        if (c->out != NULL) { /* first what tern has not taken yet */
            r = tern_write(c->tls, c->out + c->out_off, c->out_len - c->out_off);
            if (r > 0) {
                c->out_off += (size_t)r;
                sv->st.pending_mem -= (size_t)r;
                if (c->out_off == c->out_len) {
                    free(c->out);
                    c->out = NULL;
                    c->out_len = c->out_off = 0;
                    if (c->close_after)
                        c->phase = PH_CLOSING;
                }
                continue;
            }
        } else {
            r = tern_read(c->tls, sv->buf, sizeof sv->buf);
            if (r > 0) {
                int rc = conn_data(c, sv->buf, (size_t)r);
                if (rc != 0)
                    conn_failed(c, rc);
                continue;
            }
            if (r == 0) { /* close_notify: answer with ours */
                c->phase = PH_CLOSING;
                break;
            }
        }
        if (r == TERN_WANT_READ || r == TERN_WANT_WRITE) {
            conn_wait(c, r);
            return;
        }
        conn_failed(c, (int)r);
    }
    /* Closing: our close_notify, or after a failure the alert tern queued. */
    int rc = tern_close(c->tls);
    if (rc == TERN_WANT_WRITE) {
        conn_wait(c, rc);
        return;
    }
    if (c->phase == PH_CLOSING) {
        if (rc == 0)
            sv->st.clean++;
        else
            conn_failed(c, rc);
    }
    conn_end(c);
}

/* A deadline passed: close without a word to the peer (it is not
 * listening, or too slowly to matter). */
static void conn_timeout(conn *c, int in_handshake) {
    server *sv = c->sv;
    double s = (double)(in_handshake ? sv->o->hs_timeout_ms : sv->o->idle_timeout_ms) / 1000.0;
    if (in_handshake)
        sv->st.hs_timeout++;
    else
        sv->st.idle_timeout++;
    if (!sv->o->quiet)
        fprintf(stderr, "tern server: %s %g s: closed\n",
                in_handshake ? "handshake not finished within" : "no byte moved for", s);
    conn_end(c);
}

/* A free slot: one given back, else one never used; NULL at the cap.
 * Slots are calloc'd and taken in order, so the pages of slots never used
 * are never touched. */
static conn *slot_take(server *sv) {
    conn *c = sv->free_slots;
    if (c != NULL) {
        sv->free_slots = c->next;
        c->next = NULL;
    } else if (sv->slots_used < sv->o->max_conns) {
        c = &sv->slots[sv->slots_used];
        *c = (conn){.sv = sv, .fd = -1, .slot = (uint32_t)sv->slots_used++};
    }
    return c;
}

/* A new socket from accept() in slot c: a tern connection, a deadline. */
static void conn_open(server *sv, conn *c, int fd) {
    int one = 1;
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); /* tern writes whole flights */
    tool_ocsp_refresh(sv->o->ocsp, sv->cfg); /* an --ocsp-file replaced since (a stat per file) */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0 || (c->tls = tern_server_new(sv->cfg)) == NULL ||
        tern_set_io(c->tls, conn_recv, conn_send, c) != 0 || ev_add(&sv->ev, fd, KEY_CONN + c->slot, EV_IN, 0) != 0) {
        say(sv, "tern server: %s\n", "cannot create the connection");
        sv->st.other++;
        tern_free(c->tls);
        c->tls = NULL;
        close(fd);
        c->next = sv->free_slots; /* the slot goes back */
        sv->free_slots = c;
        return;
    }
    c->fd = fd;
    c->interest = EV_IN;
    c->phase = PH_HANDSHAKE;
    list_append(&sv->handshaking, c, sv->now + sv->o->hs_timeout_ms);
    sv->st.open++;
    sv->st.tls_mem += tern_conn_memory(c->tls);
    /* The ClientHello comes next: the loop drives c when it is readable. */
}

/* ---- accept ---- */

/* Take the waiting connections (up to 64 a turn).  Over --max-connections
 * a socket is closed at once (the client sees the connection end before
 * any TLS) and counted.  Out of file descriptors, accepting pauses 100 ms
 * instead of spinning on a listening socket that stays readable. */
static void accept_ready(server *sv) {
    for (int n = 0; n < 64; n++) {
        int fd = accept(sv->ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
                fprintf(stderr, "tern server: accept: %s (pausing 100 ms)\n", strerror(errno));
                ev_del(&sv->ev, sv->ls, KEY_LISTEN);
                sv->accept_paused_until = sv->now + 100;
            }
            return; /* EAGAIN: taken by another worker, or none left */
        }
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
        conn *c = slot_take(sv);
        if (c == NULL) {
            sv->st.refused++;
            close(fd);
            continue;
        }
        conn_open(sv, c, fd);
    }
}

/* ---- the loop ---- */

static void print_stats(server *sv, const char *when) {
    const counters *s = &sv->st;
    double secs = sv->now > sv->last_stats ? (double)(sv->now - sv->last_stats) / 1000.0 : 1.0;
    char who[32] = "";
    if (sv->worker > 0)
        snprintf(who, sizeof who, " worker=%d", sv->worker);
    fprintf(stderr,
            "tern server: %s%s: open=%zu handshakes/s=%.1f handshakes=%llu clean=%llu"
            " handshake-timeout=%llu idle-timeout=%llu alert-sent=%llu peer-alert=%llu reset-io=%llu other=%llu"
            " refused=%llu bytes-in=%llu bytes-out=%llu memory=%zu (%zu in tern connections + %zu pending"
            " + %zu slots)\n",
            when, who, s->open, (double)(s->handshakes - sv->handshakes_at_last_stats) / secs,
            (unsigned long long)s->handshakes, (unsigned long long)s->clean, (unsigned long long)s->hs_timeout,
            (unsigned long long)s->idle_timeout, (unsigned long long)s->alert_sent,
            (unsigned long long)s->peer_alert, (unsigned long long)s->io, (unsigned long long)s->other,
            (unsigned long long)s->refused, (unsigned long long)s->bytes_in, (unsigned long long)s->bytes_out,
            s->tls_mem + s->pending_mem + s->open * sizeof(conn), s->tls_mem, s->pending_mem,
            s->open * sizeof(conn));
    sv->handshakes_at_last_stats = s->handshakes;
    sv->last_stats = sv->now;
}

/* How long the loop may sleep: until the first deadline, the next stats
 * line, or the end of an accept pause; 0 with work in the ready list. */
static int wait_ms(const server *sv) {
    if (sv->ready)
        return 0;
    int64_t next = INT64_MAX;
    if (sv->handshaking.head && sv->handshaking.head->deadline < next)
        next = sv->handshaking.head->deadline;
    if (sv->idle.head && sv->idle.head->deadline < next)
        next = sv->idle.head->deadline;
    if (sv->o->stats_ms && sv->next_stats < next)
        next = sv->next_stats;
    if (sv->accept_paused_until && sv->accept_paused_until < next)
        next = sv->accept_paused_until;
    if (next == INT64_MAX)
        return -1;
    return next <= sv->now ? 0 : next - sv->now > 60000 ? 60000 : (int)(next - sv->now);
}

static volatile sig_atomic_t stop_requested;
static int wake_fd = -1;
static void on_stop(int sig) {
    (void)sig;
    int saved = errno;
    stop_requested = 1;
    if (wake_fd >= 0)
        (void)write(wake_fd, "", 1);
    errno = saved;
}

/* How a process of the server ends once it has freed everything.  After a
 * stop signal it leaves with _exit, skipping the exit-time hooks: the one
 * that matters is LeakSanitizer's (ASan builds, make check), which stops
 * the process with ptrace and SIGSTOP to scan it, and the SIGCONT that
 * whoever stopped us may send next (timeout(1) sends the signal, then
 * SIGCONT, to its whole process group) cancels that SIGSTOP: the scan then
 * waits forever, at full CPU.  Leaks on this path are still checked, by
 * valgrind, which looks at _exit too (tests/server_leak.test.sh). */
static void leave(int rc) {
    if (stop_requested) {
        fflush(NULL);
        _exit(rc);
    }
    exit(rc);
}

static void catch_stop_signals(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

/* Serve on ls until SIGTERM or SIGINT; then close every connection, print
 * the last stats line (with --stats) and return 0 (1 when setup failed). */
static int serve(const serve_opts *o, tern_config *cfg, int ls, int worker) {
    server *sv = calloc(1, sizeof *sv);
    int pipefd[2] = {-1, -1}, status = 1;
    if (sv == NULL || pipe(pipefd) != 0)
        goto out;
    sv->o = o;
    sv->cfg = cfg;
    sv->ls = ls;
    sv->worker = worker;
    sv->wake = pipefd[0];
    wake_fd = pipefd[1];
    (void)fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
    (void)fcntl(pipefd[1], F_SETFL, O_NONBLOCK);
    catch_stop_signals();
    sv->slots = calloc(o->max_conns, sizeof *sv->slots); /* see slot_take */
    if (sv->slots == NULL || ev_open(&sv->ev, KEY_CONN + o->max_conns) != 0)
        goto out;
    if (ev_add(&sv->ev, ls, KEY_LISTEN, EV_IN, o->workers > 1) != 0 || ev_add(&sv->ev, sv->wake, KEY_WAKE, EV_IN, 0) != 0) {
        fprintf(stderr, "tern server: cannot watch the listening socket: %s\n", strerror(errno));
        goto out;
    }
    sv->now = now_ms();
    sv->next_stats = sv->now + o->stats_ms;
    sv->last_stats = sv->now;
    status = 0;
    while (!stop_requested) {
        int n = ev_wait(&sv->ev, wait_ms(sv));
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "tern server: waiting for events: %s\n", strerror(errno));
            status = 1;
            break;
        }
        sv->now = now_ms();
        int listen_ready = 0;
        for (int i = 0; i < n; i++) {
            uint32_t key = sv->ev.key[i];
            if (key == KEY_LISTEN)
                listen_ready = 1; /* after the connections: no slot is reused within a batch */
            else if (key == KEY_WAKE) {
                char drain[16];
                while (read(sv->wake, drain, sizeof drain) > 0) {
                }
            } else if (key - KEY_CONN < sv->slots_used && sv->slots[key - KEY_CONN].fd >= 0)
                conn_drive(&sv->slots[key - KEY_CONN]);
        }
        conn *again = sv->ready; /* the connections with work left: their turn again */
        sv->ready = NULL;
        while (again != NULL) {
            conn *c = again;
            again = c->next_ready;
            c->ready = 0;
            c->next_ready = NULL;
            conn_drive(c);
        }
        if (listen_ready)
            accept_ready(sv);
        if (sv->accept_paused_until && sv->now >= sv->accept_paused_until) {
            sv->accept_paused_until = 0;
            (void)ev_add(&sv->ev, ls, KEY_LISTEN, EV_IN, o->workers > 1);
        }
        while (sv->handshaking.head && sv->handshaking.head->deadline <= sv->now)
            conn_timeout(sv->handshaking.head, 1);
        while (sv->idle.head && sv->idle.head->deadline <= sv->now)
            conn_timeout(sv->idle.head, 0);
        if (o->stats_ms && sv->now >= sv->next_stats) {
            print_stats(sv, "stats");
            sv->next_stats = sv->now + o->stats_ms;
        }
    }
out:
    if (sv != NULL) {
        if (sv->slots != NULL) {
            for (size_t i = 0; i < sv->slots_used; i++)
                if (sv->slots[i].fd >= 0)
                    conn_end(&sv->slots[i]);
            sv->now = now_ms();
            if (o->stats_ms)
                print_stats(sv, "stats at exit");
            ev_close(&sv->ev);
        }
        free(sv->slots);
        free(sv);
    }
    if (status != 0)
        fprintf(stderr, "tern server: cannot set up the event loop\n");
    wake_fd = -1;
    if (pipefd[0] >= 0) {
        close(pipefd[0]);
        close(pipefd[1]);
    }
    return status;
}

/* ---- workers ----
 * --workers N forks N processes after the listening socket is made, and
 * all of them accept from that one socket (EPOLLEXCLUSIVE on Linux wakes
 * one of them per connection).  Why one shared socket rather than one
 * SO_REUSEPORT socket each: a busy worker simply accepts less, so the load
 * follows free capacity instead of a hash of the client's address; the
 * connections queued when a worker dies are not lost with its socket;
 * no other process of the same user can join the port's group; and it is
 * the same on every system.  The parent only watches: a worker that dies
 * is reported and replaced (unless it died within a second of starting:
 * then something is wrong with the setup, not with a connection), and
 * SIGTERM or SIGINT is passed on to every worker. */
static int run_workers(const serve_opts *o, tern_config *cfg, int ls) {
    pid_t *pids = calloc((size_t)o->workers, sizeof *pids);
    time_t *started = calloc((size_t)o->workers, sizeof *started);
    int alive = 0;
    if (pids == NULL || started == NULL) {
        free(pids);
        free(started);
        return 1;
    }
    catch_stop_signals();
    for (int w = 0; w < o->workers; w++) {
        pid_t p = fork();
        if (p == 0) {
            free(pids);
            free(started);
            int rc = serve(o, cfg, ls, w + 1);
            close(ls);
            tern_config_free(cfg);
            leave(rc);
        }
        if (p < 0) {
            fprintf(stderr, "tern server: fork: %s\n", strerror(errno));
            stop_requested = 1;
            break;
        }
        pids[w] = p;
        started[w] = time(NULL);
        alive++;
    }
    int stopping = 0;
    while (alive > 0) {
        if (stop_requested && !stopping) {
            stopping = 1;
            for (int w = 0; w < o->workers; w++)
                if (pids[w] > 0)
                    kill(pids[w], SIGTERM);
        }
        int st;
        pid_t p = waitpid(-1, &st, 0);
        if (p < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        int w = 0;
        while (w < o->workers && pids[w] != p)
            w++;
        if (w == o->workers)
            continue;
        pids[w] = 0;
        alive--;
        if (stopping)
            continue;
        if (WIFSIGNALED(st))
            fprintf(stderr, "tern server: worker %d (pid %ld) killed by signal %d\n", w + 1, (long)p, WTERMSIG(st));
        else
            fprintf(stderr, "tern server: worker %d (pid %ld) exited with status %d\n", w + 1, (long)p,
                    WEXITSTATUS(st));
        if (time(NULL) - started[w] < 1) {
            fprintf(stderr, "tern server: not restarting worker %d: it died within a second of starting\n", w + 1);
            continue;
        }
        pid_t q = fork();
        if (q == 0) {
            int rc = serve(o, cfg, ls, w + 1);
            close(ls);
            tern_config_free(cfg);
            free(pids);
            free(started);
            leave(rc);
        }
        if (q > 0) {
            pids[w] = q;
            started[w] = time(NULL);
            alive++;
            fprintf(stderr, "tern server: worker %d restarted (pid %ld)\n", w + 1, (long)q);
        }
    }
    free(pids);
    free(started);
    return 0;
}

/* ---- setup ---- */

/* A number of seconds (decimals allowed) into milliseconds; -1 if bad. */
static int64_t parse_seconds(const char *s) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= 0.001 && v <= 1e6))
        return -1;
    return (int64_t)(v * 1000.0 + 0.5);
}

/* --max-connections needs a file descriptor each: raise the soft limit
 * toward the hard one, and lower the cap to what the limit allows. */
static void fit_fd_limit(serve_opts *o) {
    enum { SPARE = 32 }; /* listening socket, pipe, epoll, stdio, files loaded later */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    rlim_t need = (rlim_t)o->max_conns + SPARE;
    if (rl.rlim_cur < need) {
        rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= need ? need : rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < need) {
        size_t cap = rl.rlim_cur > SPARE ? (size_t)(rl.rlim_cur - SPARE) : 1;
        fprintf(stderr, "tern server: the file descriptor limit (ulimit -n) is %llu: --max-connections lowered to %zu\n",
                (unsigned long long)rl.rlim_cur, cap);
        o->max_conns = cap;
    }
}

int tool_server_main(int argc, char **argv) {
    const char *port = NULL, *cert = NULL, *bind_addr = "127.0.0.1", *alpn = NULL, *cipher = NULL;
    const char *groups = NULL;
    const char *trust = NULL, *client_auth = NULL, *ids[16][2], *keyname = NULL;
    size_t nids = 0;
    int tickets = 1, session_cache = 1, pwopt, nargs;
    serve_opts o = {.mode = MODE_ECHO, .hs_timeout_ms = 10000, .idle_timeout_ms = 60000, .max_conns = 10000,
                    .workers = 1};
    static tool_obs obs;
    static tool_pw pw; /* the config's password callback points at it */
    static tool_ocsp ocsp; /* --ocsp-file (tools/tool_ocsp.c) */
    int ocspopt;
    o.ocsp = &ocsp;
    crl_opts crl = {{0}, 0, NULL};
    for (int i = 0; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        } else if (tool_obs_option(&obs, argv[i]) || crl_option(&crl, argc, argv, &i))
            continue;
        else if ((pwopt = tool_password_option(&pw, argc, argv, &i)) != 0) {
            if (pwopt < 0)
                return 2;
        }
        else if ((ocspopt = tool_ocsp_option(&ocsp, argc, argv, &i)) != 0) {
            if (ocspopt < 0)
                return 2;
        }
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
            port = argv[++i];
        else if (strcmp(argv[i], "--keystore") == 0 && (nargs = keystore_nargs(argc, argv, i)) > 0 && nids < 16) {
            /* repeated: more identities, picked by SNI (the first is the default) */
            ids[nids][0] = argv[++i];
            ids[nids++][1] = nargs == 2 ? argv[++i] : NULL;
            cert = ids[0][0];
        } else if (strcmp(argv[i], "--keyname") == 0 && i + 1 < argc)
            keyname = argv[++i];
        else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc)
            bind_addr = argv[++i];
        else if (strcmp(argv[i], "--alpn") == 0 && i + 1 < argc)
            alpn = argv[++i];
        else if (strcmp(argv[i], "--cipher") == 0 && i + 1 < argc)
            cipher = argv[++i];
        else if (strcmp(argv[i], "--groups") == 0 && i + 1 < argc)
            groups = argv[++i];
        else if (strcmp(argv[i], "--truststore") == 0 && i + 1 < argc)
            trust = argv[++i];
        else if (strcmp(argv[i], "--client-auth") == 0 && i + 1 < argc)
            client_auth = argv[++i];
        else if (strcmp(argv[i], "--echo") == 0)
            o.mode = MODE_ECHO;
        else if (strcmp(argv[i], "--http") == 0)
            o.mode = MODE_HTTP;
        else if (strcmp(argv[i], "--no-tickets") == 0)
            tickets = 0;
        else if (strcmp(argv[i], "--no-session-cache") == 0)
            session_cache = 0;
        else if (strcmp(argv[i], "--quiet") == 0)
            o.quiet = 1;
        else if ((strcmp(argv[i], "--handshake-timeout") == 0 || strcmp(argv[i], "--idle-timeout") == 0) &&
                 i + 1 < argc) {
            int64_t ms = parse_seconds(argv[i + 1]);
            if (ms < 0) {
                fprintf(stderr, "tern server: %s takes seconds (0.001 to 1000000)\n", argv[i]);
                return 2;
            }
            *(argv[i][2] == 'h' ? &o.hs_timeout_ms : &o.idle_timeout_ms) = ms;
            i++;
        } else if (strcmp(argv[i], "--max-connections") == 0 && i + 1 < argc) {
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || v < 1 || v > 1000000) {
                fprintf(stderr, "tern server: --max-connections takes 1 to 1000000\n");
                return 2;
            }
            o.max_conns = v;
        } else if (strcmp(argv[i], "--workers") == 0 && i + 1 < argc) {
            unsigned long v = strtoul(argv[++i], &end, 10);
            if (*end != '\0' || v < 1 || v > 256) {
                fprintf(stderr, "tern server: --workers takes 1 to 256\n");
                return 2;
            }
            o.workers = (int)v;
        } else if (strcmp(argv[i], "--stats") == 0) {
            /* an optional interval: the next argument if it is a number */
            o.stats_ms = 10000;
            if (i + 1 < argc && argv[i + 1][0] != '-' && (o.stats_ms = parse_seconds(argv[++i])) < 0) {
                fprintf(stderr, "tern server: --stats takes an interval in seconds\n");
                return 2;
            }
        } else {
            usage();
            return 2;
        }
    }
    if (port == NULL || cert == NULL) {
        usage();
        return 2;
    }

    /* The configuration every connection is made from. */
    tern_config *cfg = tern_config_new();
    if (cfg == NULL)
        return 2;
    tool_password_apply(&pw, cfg);
    for (size_t k = 0; k < nids; k++)
        if (load_identity(cfg, "server", k, ids[k][0], ids[k][1], keyname, &pw) != 0)
            return setup_failed(cfg);
    if (client_auth != NULL) {
        int ca = strcmp(client_auth, "none") == 0       ? TERN_CLIENT_AUTH_NONE
                 : strcmp(client_auth, "optional") == 0 ? TERN_CLIENT_AUTH_OPTIONAL
                 : strcmp(client_auth, "required") == 0 ? TERN_CLIENT_AUTH_REQUIRED
                                                        : -1;
        if (ca < 0 || (ca != TERN_CLIENT_AUTH_NONE && trust == NULL)) {
            fprintf(stderr, "tern server: --client-auth takes none, optional or required, and needs --truststore\n");
            return setup_failed(cfg);
        }
        (void)tern_config_set_client_auth(cfg, ca);
    }
    if (trust != NULL && load_trust(cfg, trust, "server", &pw) != 0)
        return setup_failed(cfg);
    if (crl_apply(&crl, cfg, "server") != 0)
        return setup_failed(cfg);
    if (tool_ocsp_apply(&ocsp, cfg) != 0) /* after the identities and the trust store */
        return setup_failed(cfg);
    if (tool_obs_apply(&obs, cfg, "server") != 0)
        return setup_failed(cfg);
    if (tls_options_apply(cfg, "server", alpn, cipher, groups) != 0)
        return setup_failed(cfg);
    /* Resumption on by default: 1024 sessions by ID, tickets, two hours. */
    if ((session_cache && tern_config_set_session_cache(cfg, 1024, 7200) != 0) ||
        (tickets && tern_config_set_session_tickets(cfg, 1, 7200) != 0)) {
        fprintf(stderr, "tern server: cannot set up session resumption\n");
        return setup_failed(cfg);
    }
    fit_fd_limit(&o);

    /* The listening socket, non-blocking: with several workers, the ones
     * that lose the race for a connection get EAGAIN, not a hang. */
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if (getaddrinfo(bind_addr, port, &hints, &res) != 0) {
        fprintf(stderr, "tern server: bad --bind/--port\n");
        return setup_failed(cfg);
    }
    int ls = socket(res->ai_family, SOCK_STREAM, 0), one = 1;
    if (ls >= 0)
        (void)setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ls < 0 || bind(ls, res->ai_addr, res->ai_addrlen) != 0 || listen(ls, SOMAXCONN) != 0 ||
        fcntl(ls, F_SETFL, fcntl(ls, F_GETFL) | O_NONBLOCK) != 0) {
        fprintf(stderr, "tern server: cannot listen on %s:%s: %s\n", bind_addr, port, strerror(errno));
        freeaddrinfo(res);
        if (ls >= 0)
            close(ls);
        return setup_failed(cfg);
    }
    freeaddrinfo(res);
    (void)fcntl(ls, F_SETFD, FD_CLOEXEC);
    fprintf(stderr, "tern server: listening on %s:%s\n", bind_addr, port);
    int rc = o.workers > 1 ? run_workers(&o, cfg, ls) : serve(&o, cfg, ls, 0);
    close(ls);
    tern_config_free(cfg);
    tool_password_forget(&pw);
    if (stop_requested)
        leave(rc); /* see leave() */
    return rc;
}
