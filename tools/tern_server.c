/*
 * `tern server`: see the usage in tools/tern.c.
 */
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tern/tern.h"
#include "tools/tool.h"

/* ---- server ---- */

/* The request head ends with an empty line.  RFC 9112 §2.2: a line ends with
 * CRLF, but a recipient may take a bare LF as the end of a line and ignore
 * a CR before it; so the head ends at LF, then an optional CR, then LF
 * ("\r\n\r\n", "\n\n", "\r\n\n", "\n\r\n"). */
static int http_head_complete(const char *p, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (p[i] != '\n')
            continue;
        if (p[i + 1] == '\n' || (p[i + 1] == '\r' && i + 2 < n && p[i + 2] == '\n'))
            return 1;
    }
    return 0;
}
static int serve_one(tern_conn *c, int mode) {
    char buf[16384];
    if (tern_handshake(c) != 0) {
        fprintf(stderr, "tern server: handshake failed: %s\n", tern_error(c));
        return -1;
    }
    print_status("server", c);
    size_t got = 0;
    for (;;) {
        long r = tern_read(c, buf + (mode == 2 ? got : 0), sizeof buf - (mode == 2 ? got : 0));
        if (r == 0)
            break; /* close_notify */
        if (r < 0) {
            fprintf(stderr, "tern server: %s\n", tern_error(c));
            return -1;
        }
        if (mode == 1) { /* echo */
            for (long off = 0; off < r;) {
                long w = tern_write(c, buf + off, (size_t)(r - off));
                if (w <= 0) {
                    fprintf(stderr, "tern server: %s\n", tern_error(c));
                    return -1;
                }
                off += w;
            }
        } else if (mode == 2) { /* http: answer after the blank line */
            got += (size_t)r;
            if (http_head_complete(buf, got)) {
                static const char body[] = "hello from tern\n";
                char resp[256];
                int n = snprintf(resp, sizeof resp,
                                 "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                                 "Connection: close\r\n\r\n%s",
                                 sizeof body - 1, body);
                if (tern_write(c, resp, (size_t)n) != n) {
                    fprintf(stderr, "tern server: %s\n", tern_error(c));
                    return -1;
                }
                break;
            }
            if (got == sizeof buf) {
                fprintf(stderr, "tern server: HTTP request too long\n");
                return -1;
            }
        }
    }
    if (tern_close(c) != 0) {
        fprintf(stderr, "tern server: %s\n", tern_error(c));
        return -1;
    }
    return 0;
}

int tool_server_main(int argc, char **argv) {
    const char *port = NULL, *cert = NULL, *bind_addr = "127.0.0.1", *alpn = NULL, *cipher = NULL;
    const char *groups = NULL;
    const char *trust = NULL, *client_auth = NULL, *ids[16][2], *keyname = NULL;
    size_t nids = 0;
    int mode = 1, tickets = 1, session_cache = 1, pwopt, nargs;
    static tool_obs obs;
    static tool_pw pw; /* the config's password callback points at it */
    static tool_ocsp ocsp; /* --ocsp-file (tools/tool_ocsp.c) */
    int ocspopt;
    crl_opts crl = {{0}, 0, NULL};
    for (int i = 0; i < argc; i++) {
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
            keyname = argv[++i]; else if (strcmp(argv[i], "--bind") == 0 && i + 1 < argc)
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
            mode = 1;
        else if (strcmp(argv[i], "--http") == 0)
            mode = 2;
        else if (strcmp(argv[i], "--no-tickets") == 0)
            tickets = 0;
        else if (strcmp(argv[i], "--no-session-cache") == 0)
            session_cache = 0;
        else {
            usage();
            return 2;
        }
    }
    if (port == NULL || cert == NULL) {
        usage();
        return 2;
    }
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
    if ((alpn && tern_config_set_alpn(cfg, alpn) != 0) || (cipher && tern_config_set_cipher_suites(cfg, cipher) != 0)) {
        fprintf(stderr, "tern server: bad --alpn or --cipher\n");
        return setup_failed(cfg);
    }
    if (groups && tern_config_set_groups(cfg, groups) != 0) {
        fprintf(stderr, "tern server: bad --groups (x25519, secp256r1, secp384r1)\n");
        return setup_failed(cfg);
    }
    /* Resumption on by default: 1024 sessions by ID, tickets, two hours. */
    if ((session_cache && tern_config_set_session_cache(cfg, 1024, 7200) != 0) ||
        (tickets && tern_config_set_session_tickets(cfg, 1, 7200) != 0)) {
        fprintf(stderr, "tern server: cannot set up session resumption\n");
        return setup_failed(cfg);
    }
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
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ls < 0 || bind(ls, res->ai_addr, res->ai_addrlen) != 0 || listen(ls, 16) != 0) {
        fprintf(stderr, "tern server: cannot listen on %s:%s: %s\n", bind_addr, port, strerror(errno));
        freeaddrinfo(res);
        if (ls >= 0)
            close(ls);
        return setup_failed(cfg);
    }
    freeaddrinfo(res);
    fprintf(stderr, "tern server: listening on %s:%s\n", bind_addr, port);
    for (;;) {
        int fd = accept(ls, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            fprintf(stderr, "tern server: accept: %s\n", strerror(errno));
            continue;
        }
        /* A peer that stalls must not hold the server forever. */
        struct timeval tv = {30, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        tool_ocsp_refresh(&ocsp, cfg); /* an --ocsp-file replaced since */
        tern_conn *c = tern_server_new(cfg);
        if (c == NULL || tern_set_fd(c, fd) != 0)
            fprintf(stderr, "tern server: cannot create the connection\n");
        else
            (void)serve_one(c, mode);
        tern_free(c);
        close(fd);
    }
}

