/*
 * examples/event_loop.c: a TLS echo server that serves many connections at
 * once from one thread, with poll() and non-blocking sockets.  The pattern:
 * call tern, and when it answers TERN_WANT_READ / TERN_WANT_WRITE, wait
 * for that on the socket and call again.  A connection that has not
 * finished its handshake within 10 s is closed.  (`tern server` is the same
 * loop grown up: epoll, idle timeouts, limits, counters; docs/SERVING.md.)
 *
 *   event_loop PORT CHAIN.pem KEY.pem [COUNT]
 *
 * Echoes every byte back; exits after COUNT connections have ended.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <tern/tern.h>

#define MAX_CONNS 64
#define HANDSHAKE_SECONDS 10

/* One client.  `pending` holds what tern_write has not taken yet: echo it
 * before reading more, so a client that does not read cannot make us
 * buffer without limit. */
struct client {
    tern_conn *tls;
    time_t deadline; /* 0 once the handshake is done */
    char pending[4096];
    size_t plen;
};

static void set_nonblocking(int fd) {
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Run one client as far as it can go.  Returns TERN_WANT_READ or
 * TERN_WANT_WRITE (poll the socket for that, then call again), 1 when the
 * connection closed cleanly, or a negative TERN_ERR_* when it failed. */
static long drive(struct client *cl) {
    long rc;
    if (cl->deadline != 0) {
        if ((rc = tern_handshake(cl->tls)) != 0)
            return rc; /* WANT_*, or the handshake failed */
        cl->deadline = 0;
        printf("handshake done: %s\n", tern_cipher_suite(cl->tls));
    }
    for (;;) {
        if (cl->plen > 0) { /* first what is still to be echoed */
            rc = tern_write(cl->tls, cl->pending, cl->plen);
            if (rc <= 0)
                return rc;
            memmove(cl->pending, cl->pending + rc, cl->plen - (size_t)rc);
            cl->plen -= (size_t)rc;
            continue;
        }
        rc = tern_read(cl->tls, cl->pending, sizeof cl->pending);
        if (rc > 0) {
            cl->plen = (size_t)rc;
            continue;
        }
        if (rc != 0)
            return rc; /* WANT_*, or an error */
        /* The client sent close_notify (tern_read keeps returning 0, so a
         * call after WANT_WRITE comes back here): answer with ours. */
        rc = tern_close(cl->tls);
        return rc == 0 ? 1 : rc;
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT CHAIN.pem KEY.pem [COUNT]\n", argv[0]);
        return 2;
    }
    long count = argc > 4 ? atol(argv[4]) : -1;

    /* 1. One configuration for every connection. */
    tern_config *cfg = tern_config_new();
    if (cfg == NULL || tern_config_load_keystore(cfg, argv[2], argv[3]) != 0) {
        fprintf(stderr, "key store: %s\n", tern_config_error(cfg));
        tern_config_free(cfg);
        return 1;
    }

    /* 2. A non-blocking listening socket on 127.0.0.1:PORT. */
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(argv[1])),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(ls, 64) != 0) {
        perror("listen");
        return 1;
    }
    set_nonblocking(ls);

    /* 3. The loop.  fds[0] is the listening socket, fds[1 + i] client i
     *    (fd -1 while the slot is free: poll() skips it). */
    struct pollfd fds[1 + MAX_CONNS];
    static struct client clients[MAX_CONNS];
    fds[0] = (struct pollfd){.fd = ls, .events = POLLIN};
    for (int i = 0; i < MAX_CONNS; i++)
        fds[1 + i].fd = -1;
    while (count != 0) {
        poll(fds, 1 + MAX_CONNS, 1000); /* wake at least once a second for deadlines */
        time_t now = time(NULL);

        /* 3a. A new connection: a free slot, a tern server connection on
         *     the non-blocking socket, and a deadline for its handshake. */
        if (fds[0].revents & POLLIN) {
            int fd = accept(ls, NULL, NULL), i = 0;
            while (i < MAX_CONNS && fds[1 + i].fd >= 0)
                i++;
            if (fd >= 0 && i == MAX_CONNS)
                close(fd); /* full: refuse */
            else if (fd >= 0) {
                set_nonblocking(fd);
                clients[i] = (struct client){.tls = tern_server_new(cfg), .deadline = now + HANDSHAKE_SECONDS};
                if (clients[i].tls == NULL || tern_set_fd(clients[i].tls, fd) != 0) {
                    tern_free(clients[i].tls); /* out of memory */
                    close(fd);
                } else
                    fds[1 + i] = (struct pollfd){.fd = fd, .events = POLLIN}; /* the ClientHello comes first */
            }
        }

        /* 3b. Every client whose socket is ready (or whose deadline passed). */
        for (int i = 0; i < MAX_CONNS; i++) {
            struct pollfd *p = &fds[1 + i];
            struct client *cl = &clients[i];
            if (p->fd < 0)
                continue;
            if (cl->deadline != 0 && now >= cl->deadline)
                printf("handshake timed out\n");
            else if (p->revents == 0)
                continue;
            else {
                long rc = drive(cl);
                if (rc == TERN_WANT_READ || rc == TERN_WANT_WRITE) { /* wait, then call again */
                    p->events = rc == TERN_WANT_READ ? POLLIN : POLLOUT;
                    continue;
                }
                if (rc == 1)
                    printf("client closed cleanly\n");
                else {
                    printf("connection failed: %s\n", tern_error(cl->tls));
                    (void)tern_close(cl->tls); /* one try to flush the alert tern queued */
                }
            }
            tern_free(cl->tls); /* 4. done: free, close, give the slot back */
            close(p->fd);
            p->fd = -1;
            if (count > 0)
                count--;
            fflush(stdout);
        }
    }
    close(ls);
    tern_config_free(cfg);
    return 0;
}
