/*
 * examples/nonblocking.c: a TLS client on a non-blocking socket, driven by
 * poll().  This is how tern fits an event loop: every call returns at once,
 * and TERN_WANT_READ / TERN_WANT_WRITE say what to wait for before calling
 * again with the same arguments.
 *
 *   nonblocking HOST PORT TRUSTSTORE.pem [SERVER_NAME]
 *
 * Sends one line, prints the reply, closes, and reports how often it had to
 * wait for the socket.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tern/tern.h>

static int waits_read, waits_write;

/* The heart of it: rc said "would block"; wait until the socket is ready
 * in that direction (here with a 10 s limit).  In a real event loop you
 * would register the fd and return to the loop instead. */
static int wait_for(int fd, long rc) {
    struct pollfd p = {fd, 0, 0};
    if (rc == TERN_WANT_READ) {
        p.events = POLLIN;
        waits_read++;
    } else {
        p.events = POLLOUT;
        waits_write++;
    }
    return poll(&p, 1, 10000) == 1 ? 0 : -1;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST PORT TRUSTSTORE.pem [SERVER_NAME]\n", argv[0]);
        return 2;
    }
    const char *name = argc > 4 ? argv[4] : argv[1];

    /* 1. Configuration and trust store, as in client.c. */
    tern_config *cfg = tern_config_new();
    if (cfg == NULL || tern_config_load_truststore(cfg, argv[3]) != 0) {
        fprintf(stderr, "trust store: %s\n", tern_config_error(cfg));
        tern_config_free(cfg);
        return 1;
    }

    /* 2. A non-blocking TCP connect: connect() returns EINPROGRESS, and the
     *    socket becomes writable when the connection is up. */
    struct addrinfo hints = {0}, *res;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_INET;
    if (getaddrinfo(argv[1], argv[2], &hints, &res) != 0) {
        tern_config_free(cfg);
        return 1;
    }
    int fd = socket(res->ai_family, SOCK_STREAM, 0), err = 0;
    socklen_t elen = sizeof err;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    int c = connect(fd, res->ai_addr, res->ai_addrlen);
    freeaddrinfo(res);
    if ((c != 0 && errno != EINPROGRESS) || wait_for(fd, TERN_WANT_WRITE) != 0 ||
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
        fprintf(stderr, "cannot connect to %s:%s\n", argv[1], argv[2]);
        close(fd);
        tern_config_free(cfg);
        return 1;
    }
    waits_write = 0; /* count only TLS's waits below */

    /* 3. The TLS client on the non-blocking socket. */
    tern_conn *conn = tern_client_new(cfg, name);
    int status = 1;
    if (conn == NULL || tern_set_fd(conn, fd) != 0)
        goto out;

    /* 4. The handshake, one step at a time: each WANT_* means "call me
     *    again when the socket is ready". */
    long rc;
    while ((rc = tern_handshake(conn)) == TERN_WANT_READ || rc == TERN_WANT_WRITE)
        if (wait_for(fd, rc) != 0)
            goto timeout;
    if (rc != 0) {
        fprintf(stderr, "handshake failed: %s\n", tern_error(conn));
        goto out;
    }
    printf("connected: %s, %s\n", tern_version(conn), tern_cipher_suite(conn));
    int hs_reads = waits_read, hs_writes = waits_write;

    /* 5. Write: the same pattern.  A positive count is how much was taken. */
    static const char msg[] = "hello from the non-blocking tern example\n";
    size_t sent = 0;
    while (sent < sizeof msg - 1) {
        rc = tern_write(conn, msg + sent, sizeof msg - 1 - sent);
        if (rc > 0)
            sent += (size_t)rc;
        else if ((rc != TERN_WANT_READ && rc != TERN_WANT_WRITE) || wait_for(fd, rc) != 0)
            goto fail;
    }

    /* 6. Read the reply line: WANT_READ is the common answer here, since the
     *    server needs a moment to echo. */
    char reply[512];
    size_t got = 0;
    while (got < sizeof reply - 1 && memchr(reply, '\n', got) == NULL) {
        rc = tern_read(conn, reply + got, sizeof reply - 1 - got);
        if (rc > 0)
            got += (size_t)rc;
        else if ((rc != TERN_WANT_READ && rc != TERN_WANT_WRITE) || wait_for(fd, rc) != 0)
            goto fail;
    }
    reply[got] = '\0';
    printf("reply: %s", reply);

    /* 7. close_notify, flushed the same way. */
    while ((rc = tern_close(conn)) == TERN_WANT_WRITE)
        if (wait_for(fd, rc) != 0)
            goto timeout;
    if (rc != 0)
        goto fail;
    printf("waits: handshake %d for reading, %d for writing; data %d for reading, %d for writing\n", hs_reads,
           hs_writes, waits_read - hs_reads, waits_write - hs_writes);
    status = 0;
    goto out;
timeout:
    fprintf(stderr, "timed out\n");
    goto out;
fail:
    fprintf(stderr, "failed: %s\n", rc == 0 ? "the server closed" : tern_error(conn));
out:
    /* 8. Clean up. */
    tern_free(conn);
    close(fd);
    tern_config_free(cfg);
    return status;
}
