/*
 * examples/https_get.c: the shortest useful HTTPS GET.
 *
 *   https_get https://HOST[:PORT]/PATH [TRUSTSTORE.pem]
 *
 * Prints the response (headers and body) to stdout.  Without TRUSTSTORE it
 * trusts the operating system's CAs, like a browser.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <tern/tern.h>

int main(int argc, char **argv) {
    char host[256], port[8] = "443";
    const char *path = "/";
    if (argc < 2 || strncmp(argv[1], "https://", 8) != 0) {
        fprintf(stderr, "usage: %s https://HOST[:PORT]/PATH [TRUSTSTORE.pem]\n", argv[0]);
        return 2;
    }

    /* 1. Split the URL: host, port, path. */
    const char *h = argv[1] + 8, *end = h + strcspn(h, ":/");
    if (end == h || (size_t)(end - h) >= sizeof host)
        return 2;
    memcpy(host, h, (size_t)(end - h));
    host[end - h] = '\0';
    if (*end == ':')
        snprintf(port, sizeof port, "%.*s", (int)strcspn(end + 1, "/"), end + 1);
    if (strchr(end, '/') != NULL)
        path = strchr(end, '/');

    /* 2. The trust store: a given file, or the system's CAs. */
    tern_config *cfg = tern_config_new();
    int rc = cfg == NULL ? -1
             : argc > 2  ? tern_config_load_truststore(cfg, argv[2])
                         : tern_config_load_system_truststore(cfg);
    if (rc != 0) {
        fprintf(stderr, "trust store: %s\n", tern_config_error(cfg));
        tern_config_free(cfg);
        return 1;
    }

    /* 3. TCP to the first address that answers. */
    struct addrinfo hints = {0}, *res, *ai;
    hints.ai_socktype = SOCK_STREAM;
    int fd = -1;
    if (getaddrinfo(host, port, &hints, &res) == 0) {
        for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
            fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
            if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
                close(fd);
                fd = -1;
            }
        }
        freeaddrinfo(res);
    }
    if (fd < 0) {
        fprintf(stderr, "cannot connect to %s:%s\n", host, port);
        tern_config_free(cfg);
        return 1;
    }

    /* 4. TLS: the certificate must be valid for `host`. */
    tern_conn *conn = tern_client_new(cfg, host);
    int status = 1;
    if (conn == NULL || tern_set_fd(conn, fd) != 0)
        goto out;

    /* 5. The request (tern_write runs the handshake first). */
    char req[1024];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, host);
    if (n < 0 || (size_t)n >= sizeof req || tern_write(conn, req, (size_t)n) != n) {
        fprintf(stderr, "%s\n", tern_error(conn));
        goto out;
    }

    /* 6. The response, until the server closes. */
    char buf[4096];
    long r;
    while ((r = tern_read(conn, buf, sizeof buf)) > 0)
        fwrite(buf, 1, (size_t)r, stdout);
    /* 0 is close_notify.  Many HTTPS servers just close the socket after
     * "Connection: close" (TERN_ERR_TRUNCATED): then only the response's
     * own Content-Length can tell whether all of it arrived, so say so. */
    if (r == 0)
        status = 0;
    else if (r == TERN_ERR_TRUNCATED)
        status = 0, fprintf(stderr, "note: the server closed without close_notify; check Content-Length\n");
    else
        fprintf(stderr, "%s\n", tern_error(conn));

out:
    /* 7. Clean up: the connection (keys wiped), socket, configuration. */
    tern_free(conn);
    close(fd);
    tern_config_free(cfg);
    return status;
}
