/*
 * `tern server --ocsp-file FILE`: the OCSP responses the server staples
 * (RFC 6066 §8), one DER OCSPResponse file per identity, as `openssl ocsp
 * -respout FILE` writes it.  An --ocsp-file belongs to the --keystore
 * before it (the first --keystore is identity 0).  The library checks a
 * response when it is set (tern_config_set_ocsp_response: for that
 * identity's certificate, signed by its issuer or a delegated responder,
 * current, status good) and at each handshake (not expired); a refused one
 * is not sent, and this file says so on stderr.
 *
 * Refresh: the files are meant to be replaced by whatever fetches fresh
 * responses (a cron job running `openssl ocsp`).  tool_ocsp_refresh, called
 * before each connection is served, stats each file (one stat per file: it
 * costs microseconds) and loads it again when its modification time or size
 * changed; it also sets the current bytes again once a minute, so a
 * response that expired in place is noticed and said (the library would not
 * send it anyway).  It speaks only when something changed: a new response
 * taken or refused, a file that can no longer be read (the response set
 * before stays until it expires).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "tools/tool.h"

/* Re-check a file that did not change this often (seconds). */
#define RECHECK_S 60
/* A response larger than this is not an OCSP response tern would send
 * (the handshake's default hs_max is 16 KB). */
#define MAX_RESPONSE (1u << 20)

/* The --keystore options before argv[i]: the identity an option there is for. */
static int identities_before(char **argv, int i) {
    int n = 0;
    for (int k = 0; k < i; k++)
        if (strcmp(argv[k], "--keystore") == 0)
            n++;
    return n;
}

int tool_ocsp_option(tool_ocsp *o, int argc, char **argv, int *i) {
    if (strcmp(argv[*i], "--ocsp-file") != 0)
        return 0;
    int id = identities_before(argv, *i) - 1;
    if (*i + 1 >= argc) {
        fprintf(stderr, "tern server: --ocsp-file needs a FILE\n");
        return -1;
    }
    if (id < 0 || id >= TOOL_OCSP_MAX) {
        fprintf(stderr, "tern server: --ocsp-file %s must follow the --keystore it is for\n", argv[*i + 1]);
        return -1;
    }
    if (o->file[id].path != NULL) {
        fprintf(stderr, "tern server: two --ocsp-file for --keystore number %d\n", id + 1);
        return -1;
    }
    o->file[id].path = argv[++*i];
    return 1;
}

/* Read a whole file into a malloc'd buffer: 0, or -1 with errno-ish text in why. */
static int slurp(const char *path, uint8_t **out, size_t *len, char *why, size_t cap) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(why, cap, "%s", strerror(errno));
        return -1;
    }
    size_t room = 4096, n = 0;
    uint8_t *buf = malloc(room);
    while (buf != NULL) {
        size_t k = fread(buf + n, 1, room - n, f);
        n += k;
        if (k == 0)
            break;
        if (n == room) {
            if (room >= MAX_RESPONSE) {
                snprintf(why, cap, "longer than %u bytes: not an OCSP response", MAX_RESPONSE);
                free(buf);
                fclose(f);
                return -1;
            }
            uint8_t *grown = realloc(buf, room * 2);
            if (grown == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            room *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (buf == NULL || err) {
        snprintf(why, cap, "%s", buf == NULL ? "out of memory" : "read error");
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* Load file k into cfg now; say what happened when `say` (or when the
 * outcome differs from the last one).  Returns 0 when the response was
 * taken, 1 when it was refused, -1 when the file cannot be read. */
static int load_one(tool_ocsp *o, tern_config *cfg, size_t k, int say) {
    struct tool_ocsp_file *f = &o->file[k];
    char why[256];
    uint8_t *der = NULL;
    size_t len = 0;
    struct stat st;
    int have_stat = stat(f->path, &st) == 0;
    if (!have_stat || slurp(f->path, &der, &len, why, sizeof why) != 0) {
        if (!have_stat)
            snprintf(why, sizeof why, "%s", strerror(errno));
        if (say || f->state != -1)
            fprintf(stderr, "tern server: --ocsp-file %s: cannot be read (%s); the response loaded before, if "
                            "any, is kept until it expires\n", f->path, why);
        f->state = -1;
        f->mtime = 0;
        f->size = -1;
        return -1;
    }
    f->mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    f->size = (long long)st.st_size;
    int rc = tern_config_set_ocsp_response(cfg, k, der, len);
    free(der);
    int state = rc == 0 ? 0 : 1;
    if (say || state != f->state) {
        if (rc == 0)
            fprintf(stderr, "tern server: --ocsp-file %s: %s\n", f->path, tern_config_error(cfg));
        else
            fprintf(stderr, "tern server: --ocsp-file %s: %s (%s); no response is stapled for this certificate "
                            "until the file holds a good one\n", f->path, tern_config_error(cfg), tern_strerror(rc));
    }
    f->state = state;
    return state;
}

int tool_ocsp_apply(tool_ocsp *o, tern_config *cfg) {
    o->checked = time(NULL);
    for (size_t k = 0; k < TOOL_OCSP_MAX; k++) {
        if (o->file[k].path == NULL)
            continue;
        o->file[k].state = -2; /* nothing said yet */
        /* A file that cannot be read at start is a mistake to fix now; one
         * that is read but refused (expired, not for this certificate) may
         * be replaced later: the server starts, and says so. */
        if (load_one(o, cfg, k, 1) < 0)
            return 2;
    }
    return 0;
}

void tool_ocsp_refresh(tool_ocsp *o, tern_config *cfg) {
    time_t now = time(NULL);
    int recheck = now - o->checked >= RECHECK_S || now < o->checked;
    if (recheck)
        o->checked = now;
    for (size_t k = 0; k < TOOL_OCSP_MAX; k++) {
        struct tool_ocsp_file *f = &o->file[k];
        if (f->path == NULL)
            continue;
        struct stat st;
        if (stat(f->path, &st) != 0) {
            if (f->state != -1) /* said once; the library keeps what it has */
                (void)load_one(o, cfg, k, 0);
            continue;
        }
        long long mtime = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
        int changed = mtime != f->mtime || (long long)st.st_size != f->size;
        if (changed)
            (void)load_one(o, cfg, k, 1);
        else if (recheck && f->state == 0)
            (void)load_one(o, cfg, k, 0); /* expired in place: said when it turns */
    }
}

void tool_ocsp_usage(FILE *f) {
    fprintf(f, "  --ocsp-file FILE (server; after the --keystore it is for) staple this DER OCSP response\n"
               "                   (RFC 6066 status_request), checked for that certificate; reloaded when\n"
               "                   the file changes; an expired or refused one is said and not sent\n"
               "  --ocsp soft|hard (client) ask for a stapled OCSP response and check it; hard refuses a\n"
               "                   server that sends none (a must-staple certificate always does)\n");
}
