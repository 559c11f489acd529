/*
 * tern: the command-line peer (like `openssl s_client -quiet` / `s_server`).
 *
 *   tern client HOST:PORT [--truststore FILE|DIR] [--servername NAME]
 *                         [--alpn LIST] [--cipher NAME] [--keystore CERT.pem KEY.pem]
 *                         [--resume N] [--crl FILE|DIR ...] [--crl-mode require|if-present]
 *                         [--password-file FILE | --password-env VAR | --password pass:TEXT]
 *       Connects, verifies the server (trust store + name), prints one status
 *       line to stderr, then copies stdin to the connection and the
 *       connection to stdout until both sides have closed.  At the end of
 *       stdin it sends close_notify.  Exit 0 only when the server closed
 *       cleanly with close_notify.  --resume N: then N more connections,
 *       each offering the session of the one before (session ID or ticket),
 *       each reported as resumed or not (RFC 5246 §7.3).
 *
 *   tern server ...   serve TLS (tools/tern_server.c):
 *   tern server --port N --keystore CERT.pem KEY.pem [--bind ADDR]
 *               [--echo | --http] [--alpn LIST] [--cipher NAME]
 *               [--truststore FILE|DIR --client-auth optional|required]
 *               [--crl FILE|DIR ...] [--crl-mode require|if-present]
 *               [--no-tickets] [--no-session-cache]
 *               [--password-file FILE | --password-env VAR | --password pass:TEXT]
 *               [--handshake-timeout S] [--idle-timeout S] [--max-connections N]
 *               [--workers N] [--stats [S]] [--quiet]
 *       Resumes sessions by default (a session-ID cache and tickets).
 *       Serves any number of connections at once on an event loop until
 *       SIGTERM/SIGINT (docs/SERVING.md).  --echo sends back every byte
 *       received; --http answers one HTTP/1.x request with a small 200
 *       response.  Errors go to stderr; a failed connection never stops the
 *       server.
 *
 *   Key stores and trust stores may be PKCS#12 files (.p12/.pfx, told by
 *   their content): --keystore FILE.p12 [--keyname NAME] (one argument; the
 *   key chosen by its friendly name when the file holds several; the first
 *   --keystore only), --truststore FILE.p12; the password from the password
 *   options.
 *
 *   tern verify ...   check a certificate chain (tools/tern_verify.c)
 *   tern speed ...    time tern's own primitives (tools/tern_speed.c)
 *   tern inspect FILE what a certificate / key / CRL / PKCS#12 file holds, and what
 *                     tern would use it as (tools/tern_inspect.c)
 *   --trace / --trace=hex / --show-secrets / SSLKEYLOGFILE on client and
 *   server: tools/trace_render.c.  The password options (for an encrypted
 *   key): tools/tool_password.c.
 *
 * Exit codes: 0 success, 1 connection or TLS failure (verify: chain refused),
 * 2 usage or setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "tern/tern.h"
#include "crypto/ct.h"
#include "lib/x509/pkcs12.h"
#include "tools/tool.h"

void usage(void) {
    fprintf(stderr,
            "usage: tern client HOST:PORT [--truststore FILE|DIR] [--system] [--servername NAME] [--alpn LIST]\n"
            "                   [--cipher NAME] [--keystore CERT.pem KEY.pem] [--resume N] [--trace[=hex]]\n"
            "                   [--show-secrets] [--groups LIST] [--crl FILE|DIR]... [--crl-mode MODE]\n"
            "                   [--password-file FILE | --password-env VAR | --password pass:TEXT] [--ocsp soft|hard]\n"
            "       tern server --port N --keystore CERT.pem KEY.pem [--bind ADDR] [--echo|--http]\n"
            "                   [--alpn LIST] [--cipher NAME] [--truststore FILE|DIR --client-auth optional|required]\n"
            "                   [--no-tickets] [--no-session-cache] [--trace[=hex]] [--show-secrets] [--groups LIST]\n"
            "                   [--crl FILE|DIR]... [--crl-mode MODE] [--ocsp-file FILE]...\n"
            "                   [--password-file FILE | --password-env VAR | --password pass:TEXT]\n"
            "                   [--handshake-timeout S] [--idle-timeout S] [--max-connections N] [--workers N]\n"
            "                   [--stats [S]] [--quiet]\n"
            "       tern verify --truststore FILE|DIR [--name N] [--purpose server|client] [--at TIME]\n"
            "                   [--crl FILE|DIR]... [--crl-mode MODE] CHAIN.pem\n"
            "       tern speed [FILTER]\n"
            "       tern inspect [--password-file FILE] FILE   (what a PEM, DER or PKCS#12 file holds)\n"
            "       tern COMMAND --help\n"
            "The client checks the server against the trust store (--truststore, --system, or both; the\n"
            "system store when neither is given).  Mutual TLS: the client answers a certificate request\n"
            "with --keystore; the server asks with --client-auth and checks against --truststore.\n"
            "--keystore may be repeated: the server picks by SNI (the first is the default), the client\n"
            "by the CA names the server asks for.  RSA key exchange suites (AES128-GCM-SHA256,\n"
            "AES256-GCM-SHA384) only with --cipher.  --keystore takes RSA, P-256 or P-384 keys (ECDSA suites),\n"
            "encrypted ones too (PKCS#8 PBES2 with AES, legacy PEM with AES) with a password option below;\n"
            "--groups x25519,secp256r1,secp384r1 (the default order) chooses the ECDHE groups.\n"
            "--crl (repeatable) loads certificate revocation lists (PEM or DER, a file or a directory) for\n"
            "checking the peer's chain; MODE if-present (the default) accepts a certificate whose issuer has\n"
            "no CRL, require refuses it.  A loaded CRL that is stale or badly signed refuses in both modes.\n"
            "PKCS#12 (.p12/.pfx, told by content): --keystore FILE.p12 [--keyname NAME] (one argument, the\n"
            "first --keystore; NAME picks a key of a file with several), --truststore FILE.p12 (certificates\n"
            "only, or Java's trusted entries); the password from a password option below.\n"
            "The server serves connections at once on an event loop (docs/SERVING.md): a handshake not done\n"
            "within --handshake-timeout (10 s) or no byte moved for --idle-timeout (60 s) closes one; over\n"
            "--max-connections (10000, per worker) a new one is closed at once; --workers N processes share\n"
            "the port; --stats prints counters every S seconds (10) and at exit; --quiet: no line per connection.\n");
    tool_obs_usage(stderr);
    tool_ocsp_usage(stderr);
    tool_password_usage(stderr);
    fprintf(stderr, "Exit codes: 0 success; 1 connection or TLS failure (client: anything but a clean close_notify\n"
                    "from the server; verify: the chain is refused); 2 usage or setup error (bad option, unreadable\n"
                    "trust store or key store).\n");
}

int crl_option(crl_opts *o, int argc, char **argv, int *i) {
    if (strcmp(argv[*i], "--crl") == 0 && *i + 1 < argc && o->n < 16) {
        o->paths[o->n++] = argv[++*i];
        return 1;
    }
    if (strcmp(argv[*i], "--crl-mode") == 0 && *i + 1 < argc) {
        o->mode = argv[++*i];
        return 1;
    }
    return 0;
}

/* Load the CRLs into cfg; 0, or 2 (a usage or setup error) after saying why. */
int crl_apply(const crl_opts *o, tern_config *cfg, const char *who) {
    if (o->mode != NULL) {
        int m = strcmp(o->mode, "require") == 0      ? TERN_CRL_REQUIRE
                : strcmp(o->mode, "if-present") == 0 ? TERN_CRL_IF_PRESENT
                                                     : 0;
        if (m == 0 || tern_config_set_crl_mode(cfg, m) != 0) {
            fprintf(stderr, "tern %s: --crl-mode is require or if-present, not %s\n", who, o->mode);
            return 2;
        }
    }
    for (size_t k = 0; k < o->n; k++) {
        if (tern_config_load_crl(cfg, o->paths[k]) != 0) {
            fprintf(stderr, "tern %s: CRL %s: %s\n", who, o->paths[k], tern_config_error(cfg));
            return 2;
        }
        if (tern_config_error(cfg)[0])
            fprintf(stderr, "tern %s: CRL skipped: %s\n", who, tern_config_error(cfg));
    }
    return 0;
}

/* ---- PKCS#12 files: --keystore FILE.p12 [--keyname NAME], --truststore FILE.p12 ---- */

/* 1 if path holds a PKCS#12 file, told by its content (a DER PFX, RFC 7292
 * §4: SEQUENCE { INTEGER 3, ContentInfo, ... }), whatever its name. */
static int is_p12(const char *path) {
    uint8_t *der;
    size_t len;
    if (tern_p12_read_file(path, &der, &len) != 0)
        return 0;
    int yes = tern_p12_sniff(der, len);
    tern_wipe(der, len);
    free(der);
    return yes;
}

/* How many arguments --keystore at argv[i] takes: 1 (FILE.p12), 2
 * (CERT.pem KEY.pem), 0 when they are missing. */
int keystore_nargs(int argc, char **argv, int i) {
    if (i + 1 < argc && is_p12(argv[i + 1]))
        return 1;
    return i + 2 < argc ? 2 : 0;
}

/* After a PKCS#12 load: its note (no MAC) or, for a wrong password given
 * no password option, how to give one. */
static void p12_said(tern_config *cfg, const char *who, int rc, const tool_pw *pw) {
    if (rc == 0 && tern_config_error(cfg)[0])
        fprintf(stderr, "tern %s: %s\n", who, tern_config_error(cfg));
    if (rc == TERN_ERR_DECRYPT_FAILED && !pw->file && !pw->env && !pw->text)
        fprintf(stderr, "tern %s: no password was given (--password-file FILE or --password-env VAR)\n", who);
}

/* The k-th --keystore: key NULL means a PKCS#12 file (keyname chooses among
 * its keys).  0, or 2 after saying why. */
int load_identity(tern_config *cfg, const char *who, size_t k, const char *a, const char *b,
                         const char *keyname, const tool_pw *pw) {
    int rc;
    if (b == NULL && k > 0) {
        fprintf(stderr, "tern %s: a PKCS#12 key store (%s) must be the first --keystore\n", who, a);
        return 2;
    }
    rc = b == NULL ? tern_config_load_keystore_p12_named(cfg, a, NULL, keyname)
         : k == 0  ? tern_config_load_keystore(cfg, a, b)
                   : tern_config_add_identity(cfg, a, b);
    if (rc != 0 && b == NULL) /* the sentence names the file */
        fprintf(stderr, "tern %s: key store: %s\n", who, tern_config_error(cfg));
    else if (rc != 0)
        fprintf(stderr, "tern %s: key store %s: %s\n", who, a, tern_config_error(cfg));
    if (b == NULL)
        p12_said(cfg, who, rc, pw);
    return rc != 0 ? 2 : 0;
}

/* --truststore: a PKCS#12 file, else PEM (a file or a directory). */
int load_trust(tern_config *cfg, const char *path, const char *who, const tool_pw *pw) {
    int p12 = is_p12(path);
    int rc = p12 ? tern_config_load_truststore_p12(cfg, path, NULL) : tern_config_load_truststore(cfg, path);
    if (rc != 0)
        fprintf(stderr, "tern %s: trust store: %s\n", who, tern_config_error(cfg));
    if (p12)
        p12_said(cfg, who, rc, pw);
    return rc;
}

/* Wait until fd is ready for what rc asks (TERN_WANT_READ / TERN_WANT_WRITE). */
int wait_fd(int fd, int rc, int timeout_ms) {
    struct pollfd p = {fd, (short)(rc == TERN_WANT_WRITE ? POLLOUT : POLLIN), 0};
    int n = poll(&p, 1, timeout_ms);
    return n > 0 ? 0 : -1;
}

int write_all_fd(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

void print_status(const char *who, tern_conn *c) {
    const char *alpn = tern_alpn(c), *peer = tern_peer_subject(c), *sni = tern_server_name(c);
    fprintf(stderr, "tern %s: %s %s, ALPN %s, extended master secret %s", who, tern_version(c),
            tern_cipher_suite(c), alpn ? alpn : "none", tern_extended_master_secret(c) ? "yes" : "no");
    if (peer)
        fprintf(stderr, ", peer %s (verified)", peer);
    else if (sni)
        fprintf(stderr, ", SNI %s", sni);
    if (tern_session_reused(c))
        fprintf(stderr, ", session resumed");
    static const char *const staple[] = {"", "good", "unknown (accepted: soft mode)", "revoked", "refused", "missing"};
    int v = tern_ocsp_verdict(c);
    if (v > 0 && v < 6)
        fprintf(stderr, ", OCSP staple %s", staple[v]);
    fprintf(stderr, "\n");
}

/* ---- client ---- */

static int connect_to(const char *host, const char *port) {
    struct addrinfo hints, *res, *ai;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, "tern client: %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd < 0)
            continue;
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
            break;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0)
        fprintf(stderr, "tern client: cannot connect to %s:%s: %s\n", host, port, strerror(errno));
    return fd;
}

/* Read everything the connection has for us right now.  Returns 1 when
 * the peer closed with close_notify, 0 when it would block, -1 on error. */
static int drain(tern_conn *c) {
    char buf[16384];
    for (;;) {
        long r = tern_read(c, buf, sizeof buf);
        if (r > 0) {
            if (write_all_fd(1, buf, (size_t)r) < 0) {
                fprintf(stderr, "tern client: cannot write to stdout\n");
                return -1;
            }
            continue;
        }
        if (r == 0)
            return 1;
        if (r == TERN_WANT_READ || r == TERN_WANT_WRITE)
            return 0;
        fprintf(stderr, "tern client: %s\n", tern_error(c));
        return -1;
    }
}

/* Send len bytes; while the transport is full, keep reading so that a peer
 * that echoes can never deadlock us. */
static int send_all(tern_conn *c, int fd, const char *p, size_t len, int *peer_closed) {
    while (len > 0) {
        long w = tern_write(c, p, len);
        if (w > 0) {
            p += w;
            len -= (size_t)w;
            continue;
        }
        if (w != TERN_WANT_WRITE && w != TERN_WANT_READ) {
            fprintf(stderr, "tern client: %s\n", tern_error(c));
            return -1;
        }
        struct pollfd pf = {fd, POLLIN | POLLOUT, 0};
        if (poll(&pf, 1, 30000) <= 0) {
            fprintf(stderr, "tern client: timed out sending\n");
            return -1;
        }
        if (pf.revents & POLLIN) {
            int d = drain(c);
            if (d < 0)
                return -1;
            if (d == 1) {
                *peer_closed = 1;
                return 0;
            }
        }
    }
    return 0;
}

/* --resume N: N more connections, each offering the session of the one
 * before (a renewed ticket replaces the old one); one line each. */
static int resume_rounds(const tern_conn *first, const tern_config *cfg, const char *host, const char *port,
                         const char *name, int n) {
    tern_session *s = tern_get_session(first);
    if (s == NULL) {
        fprintf(stderr, "tern client: the server gave no session to resume (neither session ID nor ticket)\n");
        return 1;
    }
    int status = 0;
    for (int k = 1; k <= n && status == 0; k++) {
        int fd = connect_to(host, port);
        if (fd < 0) {
            status = 1;
            break;
        }
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        tern_conn *c = tern_client_new(cfg, name);
        int rc = c == NULL || tern_set_fd(c, fd) != 0 ? TERN_ERR_NOMEM : TERN_WANT_WRITE;
        int offered = c != NULL && tern_set_session(c, s) == 0;
        while (rc == TERN_WANT_READ || rc == TERN_WANT_WRITE) {
            rc = tern_handshake(c);
            if ((rc == TERN_WANT_READ || rc == TERN_WANT_WRITE) && wait_fd(fd, rc, 30000) < 0)
                break;
        }
        if (rc != 0) {
            fprintf(stderr, "tern client: resumption %d/%d: handshake failed: %s\n", k, n,
                    c == NULL ? "cannot create the connection" : rc < 0 && rc != TERN_WANT_READ && rc != TERN_WANT_WRITE ? tern_error(c) : "timed out");
            status = 1;
        } else {
            print_status("client", c);
            fprintf(stderr, "tern client: resumption %d/%d: %s\n", k, n,
                    tern_session_reused(c) ? "resumed"
                    : offered              ? "not resumed (full handshake)"
                                           : "session not offered (full handshake)");
            tern_session *next = tern_get_session(c);
            if (next != NULL) {
                tern_session_free(s);
                s = next;
            }
            while (tern_close(c) == TERN_WANT_WRITE && wait_fd(fd, TERN_WANT_WRITE, 30000) == 0) {
            }
        }
        tern_free(c);
        close(fd);
    }
    tern_session_free(s);
    return status;
}

/* --alpn, --cipher and --groups (each NULL when not given) into cfg; 0, or
 * 2 after saying which was refused. */
int tls_options_apply(tern_config *cfg, const char *who, const char *alpn, const char *cipher, const char *groups) {
    if ((alpn && tern_config_set_alpn(cfg, alpn) != 0) || (cipher && tern_config_set_cipher_suites(cfg, cipher) != 0)) {
        fprintf(stderr, "tern %s: bad --alpn or --cipher\n", who);
        return 2;
    }
    if (groups && tern_config_set_groups(cfg, groups) != 0) {
        fprintf(stderr, "tern %s: bad --groups (x25519, secp256r1, secp384r1)\n", who);
        return 2;
    }
    return 0;
}

/* A command that stops before it runs frees what it set up (so leak checkers
 * stay quiet on usage errors) and exits 2. */
int setup_failed(tern_config *cfg) {
    tern_config_free(cfg);
    return 2;
}

static int run_client(int argc, char **argv) {
    const char *target = NULL, *trust = NULL, *sni = NULL, *alpn = NULL, *cipher = NULL, *groups = NULL;
    const char *ids[16][2], *keyname = NULL, *ocsp = NULL;
    size_t nids = 0;
    int resume_n = 0, nargs;
    static tool_obs obs;
    crl_opts crl = {{0}, 0, NULL};
    static tool_pw pw; /* the config's password callback points at it */
    int sys = 0, pwopt;
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
        else if (strcmp(argv[i], "--system") == 0)
            sys = 1;
        else if (strcmp(argv[i], "--truststore") == 0 && i + 1 < argc)
            trust = argv[++i];
        else if (strcmp(argv[i], "--servername") == 0 && i + 1 < argc)
            sni = argv[++i];
        else if (strcmp(argv[i], "--alpn") == 0 && i + 1 < argc)
            alpn = argv[++i];
        else if (strcmp(argv[i], "--cipher") == 0 && i + 1 < argc)
            cipher = argv[++i];
        else if (strcmp(argv[i], "--groups") == 0 && i + 1 < argc)
            groups = argv[++i];
        else if (strcmp(argv[i], "--keystore") == 0 && (nargs = keystore_nargs(argc, argv, i)) > 0 && nids < 16) {
            /* repeated: more identities, picked by a certificate request's CA names */
            ids[nids][0] = argv[++i];
            ids[nids++][1] = nargs == 2 ? argv[++i] : NULL;
        } else if (strcmp(argv[i], "--keyname") == 0 && i + 1 < argc)
            keyname = argv[++i];
        else if (strcmp(argv[i], "--resume") == 0 && i + 1 < argc && atoi(argv[i + 1]) >= 0)
            resume_n = atoi(argv[++i]);
        else if (strcmp(argv[i], "--ocsp") == 0 && i + 1 < argc)
            ocsp = argv[++i];
        else if (argv[i][0] != '-' && target == NULL)
            target = argv[i];
        else {
            usage();
            return 2;
        }
    }
    if (target == NULL) {
        usage();
        return 2;
    }
    char host[256];
    const char *colon = strrchr(target, ':');
    if (colon == NULL || (size_t)(colon - target) >= sizeof host) {
        fprintf(stderr, "tern client: expected HOST:PORT, got %s\n", target);
        return 2;
    }
    memcpy(host, target, (size_t)(colon - target));
    host[colon - target] = '\0';
    if (host[0] == '[' && host[strlen(host) - 1] == ']') { /* [::1]:443 */
        memmove(host, host + 1, strlen(host));
        host[strlen(host) - 1] = '\0';
    }

    tern_config *cfg = tern_config_new();
    if (cfg == NULL)
        return 2;
    tool_password_apply(&pw, cfg);
    if (trust && load_trust(cfg, trust, "client", &pw) != 0)
        return setup_failed(cfg);
    if ((sys || trust == NULL) && tern_config_load_system_truststore(cfg) != 0) {
        fprintf(stderr, "tern client: trust store: %s\n", tern_config_error(cfg));
        return setup_failed(cfg);
    }
    if (crl_apply(&crl, cfg, "client") != 0)
        return setup_failed(cfg);
    for (size_t k = 0; k < nids; k++)
        if (load_identity(cfg, "client", k, ids[k][0], ids[k][1], keyname, &pw) != 0)
            return setup_failed(cfg);
    if (tool_obs_apply(&obs, cfg, "client") != 0)
        return setup_failed(cfg);
    if (tls_options_apply(cfg, "client", alpn, cipher, groups) != 0)
        return setup_failed(cfg);
    if (resume_n > 0 && tern_config_set_session_tickets(cfg, 1, 7200) != 0)
        return setup_failed(cfg);
    if (ocsp != NULL) { /* OCSP stapling (RFC 6066 §8) */
        int m = strcmp(ocsp, "soft") == 0 ? TERN_OCSP_SOFT : strcmp(ocsp, "hard") == 0 ? TERN_OCSP_HARD : -1;
        if (m < 0 || tern_config_request_ocsp(cfg, m) != 0) {
            fprintf(stderr, "tern client: --ocsp takes soft or hard\n");
            return setup_failed(cfg);
        }
    }
    int fd = connect_to(host, colon + 1);
    if (fd < 0) {
        tern_config_free(cfg);
        return 1;
    }
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    tern_conn *c = tern_client_new(cfg, sni ? sni : host);
    if (c == NULL || tern_set_fd(c, fd) != 0) {
        fprintf(stderr, "tern client: cannot create the connection\n");
        tern_free(c);
        close(fd);
        return setup_failed(cfg);
    }
    int status = 1, rc;
    for (;;) {
        rc = tern_handshake(c);
        if (rc == 0)
            break;
        if ((rc != TERN_WANT_READ && rc != TERN_WANT_WRITE) || wait_fd(fd, rc, 30000) < 0) {
            fprintf(stderr, "tern client: handshake failed: %s\n",
                    rc < 0 && rc != TERN_WANT_READ && rc != TERN_WANT_WRITE ? tern_error(c) : "timed out");
            goto out;
        }
    }
    print_status("client", c);

    int stdin_open = 1, peer_closed = 0;
    char buf[16384];
    while (!peer_closed) {
        int d = drain(c);
        if (d < 0)
            goto out;
        if (d == 1)
            break;
        struct pollfd pf[2] = {{fd, POLLIN, 0}, {0, POLLIN, 0}};
        if (poll(pf, stdin_open ? 2 : 1, -1) < 0 && errno != EINTR)
            goto out;
        if (stdin_open && (pf[1].revents & (POLLIN | POLLHUP))) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0) {
                stdin_open = 0;
                for (;;) { /* our side is done: close_notify */
                    rc = tern_close(c);
                    if (rc == 0)
                        break;
                    if (rc != TERN_WANT_WRITE || wait_fd(fd, rc, 30000) < 0) {
                        fprintf(stderr, "tern client: %s\n", tern_error(c));
                        goto out;
                    }
                }
            } else if (send_all(c, fd, buf, (size_t)n, &peer_closed) < 0) {
                goto out;
            }
        }
    }
    /* The server closed cleanly; answer with our close_notify (RFC 5246
     * §7.2.1) if stdin has not done so already. */
    while (tern_close(c) == TERN_WANT_WRITE && wait_fd(fd, TERN_WANT_WRITE, 30000) == 0) {
    }
    status = 0;
    if (resume_n > 0)
        status = resume_rounds(c, cfg, host, colon + 1, sni ? sni : host, resume_n);
out:
    tern_free(c);
    close(fd);
    tern_config_free(cfg);
    return status;
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    if (argc >= 2 && strcmp(argv[1], "client") == 0)
        return run_client(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "server") == 0)
        return tool_server_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "verify") == 0)
        return tool_verify_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "speed") == 0)
        return tool_speed_main(argc - 2, argv + 2);
    if (argc >= 2 && strcmp(argv[1], "inspect") == 0)
        return tool_inspect_main(argc - 2, argv + 2);
    usage();
    return argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) ? 0 : 2;
}
