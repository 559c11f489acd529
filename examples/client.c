/*
 * examples/client.c: the smallest complete TLS client with tern.
 *
 *   client HOST PORT TRUSTSTORE.pem [SERVER_NAME] [MESSAGE]
 *
 * Connects, checks the server's certificate chain against the trust store
 * (the CA certificates we believe) and its name, sends one line, prints the
 * line the server sends back, and closes cleanly.  Verification is never
 * switched off: a server that cannot prove it is SERVER_NAME is refused.
 *
 * Try it against `tern server --echo` (see `make demo`).
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tern/tern.h>

/* A plain TCP connection (nothing TLS about it yet). */
static int tcp_connect(const char *host, const char *port) {
    struct addrinfo hints = {0}, *res, *ai;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    int fd = -1;
    for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s HOST PORT TRUSTSTORE.pem [SERVER_NAME] [MESSAGE]\n", argv[0]);
        return 2;
    }
    const char *host = argv[1], *port = argv[2], *trust = argv[3];
    const char *name = argc > 4 ? argv[4] : host;
    const char *message = argc > 5 ? argv[5] : "hello from the tern example client";
    int status = 1;

    /* 1. A configuration: the settings shared by every connection.  The
     *    defaults are the safe ones (verification on, AES-GCM suites). */
    tern_config *cfg = tern_config_new();
    if (cfg == NULL)
        return 1;

    /* 2. The trust store: the CA certificates we believe when the server
     *    shows its chain.  (tern_config_load_system_truststore() would load
     *    the operating system's CAs instead.) */
    if (tern_config_load_truststore(cfg, trust) != 0) {
        fprintf(stderr, "trust store: %s\n", tern_config_error(cfg));
        tern_config_free(cfg);
        return 1;
    }

    /* 3. A TCP connection, then a TLS client on top of it.  The name is what
     *    the certificate must prove (and what SNI asks for). */
    int fd = tcp_connect(host, port);
    if (fd < 0) {
        fprintf(stderr, "cannot connect to %s:%s\n", host, port);
        tern_config_free(cfg);
        return 1;
    }
    tern_conn *conn = tern_client_new(cfg, name);
    if (conn == NULL || tern_set_fd(conn, fd) != 0) {
        fprintf(stderr, "cannot create the connection\n");
        goto out;
    }

    /* 4. The handshake: agree on keys, check the chain against the trust
     *    store, check the name.  On failure tern_error() says which check
     *    failed and why. */
    if (tern_handshake(conn) != 0) {
        fprintf(stderr, "handshake failed: %s\n", tern_error(conn));
        goto out;
    }
    printf("connected: %s, %s, server %s\n", tern_version(conn), tern_cipher_suite(conn),
           tern_peer_subject(conn));

    /* 5. Send one line.  tern_write encrypts it into a record. */
    char line[1024];
    int n = snprintf(line, sizeof line, "%s\n", message);
    if (n < 0 || (size_t)n >= sizeof line || tern_write(conn, line, (size_t)n) != n) {
        fprintf(stderr, "write failed: %s\n", tern_error(conn));
        goto out;
    }

    /* 6. Read until the reply's newline (a record may hold part of it). */
    char reply[1024];
    size_t got = 0;
    while (got < sizeof reply - 1 && memchr(reply, '\n', got) == NULL) {
        long r = tern_read(conn, reply + got, sizeof reply - 1 - got);
        if (r <= 0) {
            fprintf(stderr, "read failed: %s\n", r == 0 ? "the server closed" : tern_error(conn));
            goto out;
        }
        got += (size_t)r;
    }
    reply[got] = '\0';
    printf("reply: %s", reply);

    /* 7. Close cleanly: close_notify tells the server the end is real, not
     *    a cut connection. */
    if (tern_close(conn) != 0) {
        fprintf(stderr, "close failed: %s\n", tern_error(conn));
        goto out;
    }
    status = 0;

out:
    /* 8. Free the connection (this wipes its keys), then the socket and the
     *    configuration. */
    tern_free(conn);
    close(fd);
    tern_config_free(cfg);
    return status;
}
