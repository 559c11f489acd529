/*
 * examples/server.c: a TLS echo server with tern.
 *
 *   server PORT CHAIN.pem KEY.pem [CONNECTIONS [CLIENT_CA.pem]]
 *
 * Listens on 127.0.0.1:PORT, and for each client: runs the handshake with
 * the key store (our certificate chain and private key), then sends back
 * every byte it receives until the client closes.  Serves CONNECTIONS
 * clients (default 1), one after another, then exits.
 *
 * With CLIENT_CA.pem, a trust store for client certificates: the server
 * asks each client for one (mutual TLS, optional here), verifies it, and
 * says who the client is.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <tern/tern.h>

/* Echo until the client's close_notify; 0 on a clean end. */
static int echo(tern_conn *conn) {
    char buf[4096];
    for (;;) {
        long r = tern_read(conn, buf, sizeof buf);
        if (r == 0)
            return 0; /* the client sent close_notify */
        if (r < 0)
            return -1;
        for (long off = 0; off < r;) {
            long w = tern_write(conn, buf + off, (size_t)(r - off));
            if (w <= 0)
                return -1;
            off += w;
        }
    }
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s PORT CHAIN.pem KEY.pem [CONNECTIONS]\n", argv[0]);
        return 2;
    }
    int port = atoi(argv[1]), count = argc > 4 ? atoi(argv[4]) : 1;
    const char *client_ca = argc > 5 ? argv[5] : NULL;

    /* 1. A configuration with our key store: the certificate chain (leaf
     *    first) and the private key that matches the leaf.  tern checks
     *    that they belong together. */
    tern_config *cfg = tern_config_new();
    if (cfg == NULL)
        return 1;
    if (tern_config_load_keystore(cfg, argv[2], argv[3]) != 0) {
        fprintf(stderr, "key store: %s\n", tern_config_error(cfg));
        tern_config_free(cfg);
        return 1;
    }
    /*    Optionally a trust store, to check client certificates against:
     *    OPTIONAL asks for one and accepts a client without; REQUIRED would
     *    refuse such a client. */
    if (client_ca != NULL && (tern_config_load_truststore(cfg, client_ca) != 0 ||
                              tern_config_set_client_auth(cfg, TERN_CLIENT_AUTH_OPTIONAL) != 0)) {
        fprintf(stderr, "client trust store: %s\n", tern_config_error(cfg));
        tern_config_free(cfg);
        return 1;
    }

    /* 2. A listening TCP socket on 127.0.0.1 (plain sockets: tern does not
     *    own the network, you do). */
    int ls = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ls < 0 || bind(ls, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(ls, 8) != 0) {
        perror("listen");
        tern_config_free(cfg);
        return 1;
    }
    printf("listening on 127.0.0.1:%d\n", port);
    fflush(stdout);

    int failures = 0;
    for (int i = 0; i < count; i++) {
        /* 3. Accept a client; a stalled client must not hold us forever. */
        int fd = accept(ls, NULL, NULL);
        if (fd < 0)
            continue;
        struct timeval tv = {10, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

        /* 4. One server connection per client, on its socket. */
        tern_conn *conn = tern_server_new(cfg);
        if (conn == NULL || tern_set_fd(conn, fd) != 0) {
            fprintf(stderr, "cannot create the connection\n");
            failures++;
        } else if (tern_handshake(conn) != 0) {
            /* 5. The handshake: we prove who we are with the key store. */
            fprintf(stderr, "handshake failed: %s\n", tern_error(conn));
            failures++;
        } else {
            const char *sni = tern_server_name(conn), *who = tern_peer_subject(conn);
            printf("client connected: %s, %s, asked for %s\n", tern_version(conn), tern_cipher_suite(conn),
                   sni ? sni : "(no name)");
            if (client_ca != NULL) /* the client's verified identity, if it sent a certificate */
                printf("client certificate: %s\n", who ? who : "none");
            fflush(stdout);
            /* 6. Echo, then answer the client's close_notify with ours. */
            if (echo(conn) != 0 || tern_close(conn) != 0) {
                fprintf(stderr, "connection failed: %s\n", tern_error(conn));
                failures++;
            } else {
                printf("client closed cleanly\n");
                fflush(stdout);
            }
        }
        /* 7. Free the connection (wiping its keys) and its socket. */
        tern_free(conn);
        close(fd);
    }
    /* 8. The configuration goes last: it outlives its connections. */
    close(ls);
    tern_config_free(cfg);
    return failures ? 1 : 0;
}
