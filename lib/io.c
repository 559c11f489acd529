/*
 * The pumps: the thin loops between the sans-I/O engine and a transport,
 * either a file descriptor (blocking or non-blocking) or the caller's
 * send/recv callbacks.  Nothing here knows TLS.
 */
#define TERN_LAYER TERN_LAYER_ENGINE
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/engine.h"

int tern_set_fd(tern_conn *c, int fd) {
    TERN_ENSURE(c != NULL && fd >= 0, TERN_ERR_INVALID_ARG);
    c->fd = fd;
    c->recv_cb = NULL;
    c->send_cb = NULL;
    return 0;
}

int tern_set_io(tern_conn *c, tern_recv_fn recv_fn, tern_send_fn send_fn, void *arg) {
    TERN_ENSURE(c != NULL && recv_fn != NULL && send_fn != NULL, TERN_ERR_INVALID_ARG);
    c->recv_cb = recv_fn;
    c->send_cb = send_fn;
    c->io_arg = arg;
    c->fd = -1;
    return 0;
}

int tern_io_fill(tern_conn *c) {
    size_t cap;
    uint8_t *p = tern_engine_recv_buf(c, &cap);
    TERN_ENSURE(cap > 0, TERN_ERR_INTERNAL);
    if (c->in_eof)
        return 0;
    if (c->recv_cb != NULL) {
        int n = c->recv_cb(c->io_arg, p, cap);
        if (n == TERN_WANT_READ)
            return n;
        TERN_ENSURE(n >= 0 && (size_t)n <= cap, TERN_ERR_IO);
        tern_engine_recv_done(c, (size_t)n);
        return n;
    }
    TERN_ENSURE(c->fd >= 0, TERN_ERR_STATE);
    for (;;) {
        ssize_t n = read(c->fd, p, cap);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TERN_WANT_READ;
        if (n < 0)
            return TERN_ERR_IO;
        tern_engine_recv_done(c, (size_t)n);
        return (int)n;
    }
}

int tern_io_flush(tern_conn *c) {
    for (;;) {
        size_t len;
        const uint8_t *p = tern_engine_send_buf(c, &len);
        if (len == 0)
            return 0;
        if (c->send_cb != NULL) {
            int n = c->send_cb(c->io_arg, p, len);
            if (n == TERN_WANT_WRITE)
                return n;
            TERN_ENSURE(n > 0 && (size_t)n <= len, TERN_ERR_IO);
            tern_engine_send_done(c, (size_t)n);
            continue;
        }
        TERN_ENSURE(c->fd >= 0, TERN_ERR_STATE);
        /* MSG_NOSIGNAL: a peer that hung up must give an error, not kill
         * the process with SIGPIPE.  Not a socket: plain write(). */
        ssize_t n = send(c->fd, p, len, MSG_NOSIGNAL);
        if (n < 0 && errno == ENOTSOCK)
            n = write(c->fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return TERN_WANT_WRITE;
        if (n <= 0)
            return TERN_ERR_IO;
        tern_engine_send_done(c, (size_t)n);
    }
}
