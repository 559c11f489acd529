/*
 * Passwords for encrypted keys on the command line, in the manner of
 * `openssl -passin` (see tools/tool.h): from a file, from an environment
 * variable, or -- only when asked explicitly -- from the command line
 * itself.  The password is handed to the library through its password
 * callback (asked only when a key is encrypted); the copies here live in
 * the caller's buffer, which the library wipes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/ct.h"
#include "tools/tool.h"

static void wipe(void *p, size_t n) {
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
}

int tool_password_option(tool_pw *o, int argc, char **argv, int *i) {
    const char *a = argv[*i];
    int file = strcmp(a, "--password-file") == 0, env = strcmp(a, "--password-env") == 0,
        text = strcmp(a, "--password") == 0;
    if (!file && !env && !text)
        return 0;
    if (*i + 1 >= argc) {
        fprintf(stderr, "tern: %s needs an argument\n", a);
        return -1;
    }
    if (o->file || o->env || o->text) {
        fprintf(stderr, "tern: give one password option only (--password-file, --password-env or --password)\n");
        return -1;
    }
    const char *v = argv[++*i];
    if (file)
        o->file = v;
    else if (env)
        o->env = v;
    else if (strncmp(v, "pass:", 5) != 0) {
        fprintf(stderr, "tern: --password takes only the explicit form pass:TEXT (better: --password-file FILE "
                        "or --password-env VAR)\n");
        return -1;
    } else {
        /* Keep a copy and blank the argument, so that ps and /proc show it
         * only for the moment before this runs. */
        char *copy = strdup(v + 5);
        if (copy == NULL) {
            fprintf(stderr, "tern: out of memory\n");
            return -1;
        }
        memset(argv[*i] + 5, 'x', strlen(argv[*i] + 5));
        o->text = copy;
        fprintf(stderr, "tern: warning: a password given with --password pass:... is visible to other users of "
                        "this machine (ps, /proc); prefer --password-file FILE or --password-env VAR\n");
    }
    return 1;
}

/* The first line of path (without "\n" or "\r\n") into buf. */
static int first_line(const char *path, char *buf, size_t cap) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "tern: --password-file %s: %s\n", path, strerror(errno));
        return -2;
    }
    size_t n = 0;
    while (n < cap) {
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            fprintf(stderr, "tern: --password-file %s: %s\n", path, strerror(errno));
            close(fd);
            wipe(buf, cap);
            return -2;
        }
        if (r == 0)
            break;
        int nl = memchr(buf + n, '\n', (size_t)r) != NULL;
        n += (size_t)r;
        if (nl)
            break;
    }
    close(fd);
    const char *nl = memchr(buf, '\n', n);
    size_t len = nl ? (size_t)(nl - buf) : n;
    if (len >= cap) {
        wipe(buf, cap);
        fprintf(stderr, "tern: --password-file %s: the first line is longer than %zu bytes\n", path, cap - 1);
        return -2;
    }
    if (len > 0 && buf[len - 1] == '\r')
        len--;
    wipe(buf + len, n - len); /* the rest of the file is not the password */
    buf[len] = 0;
    return (int)len;
}

int tool_password(const tool_pw *o, char *buf, size_t cap) {
    if (cap == 0 || cap > 65536)
        return -2;
    if (o->file)
        return first_line(o->file, buf, cap);
    const char *v = o->text;
    if (o->env) {
        v = getenv(o->env);
        if (v == NULL) {
            fprintf(stderr, "tern: --password-env %s: the environment variable is not set\n", o->env);
            return -2;
        }
    }
    if (v == NULL)
        return -1;
    size_t len = strlen(v);
    if (len >= cap) {
        fprintf(stderr, "tern: the password is longer than %zu bytes\n", cap - 1);
        return -2;
    }
    memcpy(buf, v, len + 1);
    return (int)len;
}

static int password_cb(void *arg, char *buf, size_t cap) { return tool_password(arg, buf, cap); }

void tool_password_apply(tool_pw *o, tern_config *cfg) {
    if (o->file || o->env || o->text)
        tern_config_set_password_cb(cfg, password_cb, o);
}

void tool_password_usage(FILE *f) {
    fprintf(f, "  --password-file FILE  the password of an encrypted key (--keystore KEY.pem): FILE's first line\n"
               "  --password-env VAR    ... the value of the environment variable VAR\n"
               "  --password pass:TEXT  ... TEXT itself (visible to other users: prefer the two above)\n");
}

void tool_password_forget(tool_pw *o) {
    if (o->text != NULL) {
        char *copy = (char *)(uintptr_t)o->text; /* ours: made by strdup in tool_password_option */
        tern_wipe(copy, strlen(copy));
        free(copy);
        o->text = NULL;
    }
}
