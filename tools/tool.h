/*
 * Shared pieces of the `tern` command (every tools/ C file is linked into one
 * binary; tools/tern.c holds main()).
 */
#ifndef TERN_TOOLS_TOOL_H
#define TERN_TOOLS_TOOL_H

#include <stdio.h>

#include "tern/tern.h"

/* ---- observing a handshake (tools/trace_render.c) ----
 * Options shared by `tern client` and `tern server`:
 *   --trace          narrate the handshake on stderr
 *   --trace=hex      ... and show every message's bytes
 *   --show-secrets   ... and print the master secret (the key-log line)
 * and the SSLKEYLOGFILE environment variable (append NSS key-log lines). */
typedef struct {
    int trace;        /* 1: narrate */
    int hex;          /* 1: with bytes */
    int show_secrets; /* 1: print the key-log line in the narrative */
    const char *role; /* "client" / "server" */
    FILE *out;        /* where the narrative goes (stderr) */
    int step;         /* message counter */
    int in_chain;     /* a chain check is being narrated */
    int certs_sent;   /* certificates in the last Certificate message */
} tool_obs;

/* 1 if arg is one of the options above (and records it), else 0. */
int tool_obs_option(tool_obs *o, const char *arg);
/* Install the trace and key-log callbacks on cfg as the options ask.
 * Returns 0, or -1 when SSLKEYLOGFILE cannot be opened (reported). */
int tool_obs_apply(tool_obs *o, tern_config *cfg, const char *role);
/* The trace callback itself (arg is a tool_obs). */
void tool_trace_render(void *arg, const tern_trace_event *ev);
/* Print the usage lines of the shared options. */
void tool_obs_usage(FILE *f);

/* ---- passwords for encrypted keys (tools/tool_password.c) ----
 * Options shared by every command that loads a key:
 *   --password-file FILE   the first line of FILE (without its line end)
 *   --password-env VAR     the value of the environment variable VAR
 *   --password pass:TEXT   TEXT itself, only in this explicit form (a
 *                          warning says it is visible to other users)
 * At most one of them. */
typedef struct {
    const char *file, *env, *text;
} tool_pw;

/* If argv[*i] is one of the options above: take it (and its argument,
 * advancing *i) and return 1; 0 if it is not; -1 on a usage error (said on
 * stderr). */
int tool_password_option(tool_pw *o, int argc, char **argv, int *i);
/* The password into buf (cap bytes, NUL-terminated): its length; -1 when
 * no password option was given; -2 on an error (said on stderr: unreadable
 * file, unset variable, too long).  The caller wipes buf after use. */
int tool_password(const tool_pw *o, char *buf, size_t cap);
/* Install tool_password as cfg's password callback (asked only for an
 * encrypted key) when a password option was given; o must outlive cfg. */
void tool_password_apply(tool_pw *o, tern_config *cfg);
/* Wipe and free the copy --password pass:TEXT made (o->text); o is then
 * as if no such option was given. */
void tool_password_forget(tool_pw *o);
/* Print the usage lines of the options above. */
void tool_password_usage(FILE *f);

/* ---- OCSP stapling, server side (tools/tool_ocsp.c) ----
 * --ocsp-file FILE after a --keystore: the DER OCSP response stapled for
 * that identity, reloaded when the file changes. */
#define TOOL_OCSP_MAX 16
typedef struct {
    struct tool_ocsp_file {
        const char *path;    /* NULL: no response for this identity */
        long long mtime;     /* nanoseconds, as last loaded */
        long long size;
        int state;           /* 0 taken, 1 refused, -1 unreadable, -2 not loaded yet */
    } file[TOOL_OCSP_MAX];   /* by identity: the k-th --keystore */
    long long checked;       /* when the files were last set again (time(NULL)) */
} tool_ocsp;
/* If argv[*i] is --ocsp-file: take it and its FILE (advancing *i) and
 * return 1; 0 if it is not; -1 on a usage error (said on stderr: no FILE,
 * no --keystore before it, two for one --keystore). */
int tool_ocsp_option(tool_ocsp *o, int argc, char **argv, int *i);
/* Load the files into cfg, after its identities: 0, or 2 when a file
 * cannot be read (said).  A response refused by the library is said, and
 * the server starts without it. */
int tool_ocsp_apply(tool_ocsp *o, tern_config *cfg);
/* Before serving a connection: reload the files whose mtime or size
 * changed, and set the others again once a minute (so an expired one is
 * said); speaks on stderr only when something changed. */
void tool_ocsp_refresh(tool_ocsp *o, tern_config *cfg);
/* Usage lines of --ocsp-file and the client's --ocsp. */
void tool_ocsp_usage(FILE *f);

/* ---- subcommands in their own files ---- */
int tool_verify_main(int argc, char **argv); /* tools/tern_verify.c */
int tool_speed_main(int argc, char **argv);  /* tools/tern_speed.c */
int tool_inspect_main(int argc, char **argv); /* tools/tern_inspect.c */

/* ---- shared by `tern client` and `tern server` (tools/tern.c) ---- */

/* --crl FILE|DIR (repeatable) and --crl-mode require|if-present. */
typedef struct {
    const char *paths[16];
    size_t n;
    const char *mode;
} crl_opts;
/* 1 if argv[*i] is a CRL option (taken, *i advanced), else 0. */
int crl_option(crl_opts *o, int argc, char **argv, int *i);
/* Load the CRLs into cfg; 0, or 2 (a usage or setup error) after saying why. */
int crl_apply(const crl_opts *o, tern_config *cfg, const char *who);
/* How many arguments --keystore at argv[i] takes: 1 (FILE.p12), 2
 * (CERT.pem KEY.pem), 0 when they are missing. */
int keystore_nargs(int argc, char **argv, int i);
/* The k-th --keystore (key NULL: a PKCS#12 file, keyname choosing among
 * its keys).  0, or 2 after saying why. */
int load_identity(tern_config *cfg, const char *who, size_t k, const char *a, const char *b, const char *keyname,
                  const tool_pw *pw);
/* --truststore: a PKCS#12 file, else PEM (a file or a directory). */
int load_trust(tern_config *cfg, const char *path, const char *who, const tool_pw *pw);
/* Wait until fd is ready for what rc asks (TERN_WANT_READ / TERN_WANT_WRITE). */
int wait_fd(int fd, int rc, int timeout_ms);
int write_all_fd(int fd, const void *buf, size_t len);
/* One status line on stderr: version, suite, ALPN, peer, resumption. */
void print_status(const char *who, tern_conn *c);
/* --alpn, --cipher and --groups (NULL when not given) into cfg; 0, or 2
 * after saying which was refused. */
int tls_options_apply(tern_config *cfg, const char *who, const char *alpn, const char *cipher, const char *groups);
/* Free cfg and return 2 (a command that stops before it runs). */
int setup_failed(tern_config *cfg);

/* The usage text of client and server, on stderr. */
void usage(void);
/* `tern server` (tools/tern_server.c). */
int tool_server_main(int argc, char **argv);

#endif
