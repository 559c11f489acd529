/*
 * Test-only helpers.  See testutil.h.
 */
#include "tests/util/testutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/cpu.h"

static void die(const char *what, const char *detail) {
    fprintf(stderr, "testutil: %s: %s\n", what, detail ? detail : "");
    exit(2);
}

const char *tv_path(const char *rel) {
    static char buf[4096];
    const char *dir = getenv("TERN_VECTORS");
    snprintf(buf, sizeof buf, "%s/%s", dir && *dir ? dir : "vectors", rel);
    return buf;
}

char *tv_slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f)
        die("cannot open", path);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        die("out of memory", path);
    for (;;) {
        if (n + 1 >= cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            if (!buf)
                die("out of memory", path);
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0';
    if (len)
        *len = n;
    return buf;
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int tv_unhex_into(const char *hex, uint8_t *out, size_t n) {
    size_t hl = strlen(hex);
    if (hl != 2 * n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

uint8_t *tv_unhex(const char *hex, size_t *len) {
    size_t hl = strlen(hex);
    if (hl % 2)
        die("odd-length hex", hex);
    uint8_t *out = malloc(hl / 2 + 1);
    if (!out || tv_unhex_into(hex, out, hl / 2) < 0)
        die("bad hex", hex);
    *len = hl / 2;
    return out;
}

char *tv_hex(const uint8_t *buf, size_t len) {
    static const char digits[] = "0123456789abcdef";
    char *s = malloc(2 * len + 1);
    if (!s)
        die("out of memory", "hex");
    for (size_t i = 0; i < len; i++) {
        s[2 * i] = digits[buf[i] >> 4];
        s[2 * i + 1] = digits[buf[i] & 15];
    }
    s[2 * len] = '\0';
    return s;
}

/* ---- name = value files ---- */

struct tv_file {
    char *text;   /* whole file, modified in place */
    char *pos;    /* next line */
    int line;
    tv_case section;
};

tv_file *tv_open(const char *path) {
    tv_file *f = calloc(1, sizeof *f);
    if (!f)
        die("out of memory", path);
    f->text = tv_slurp(path, NULL);
    f->pos = f->text;
    return f;
}

void tv_close(tv_file *f) {
    if (!f)
        return;
    free(f->text);
    free(f);
}

static char *trim(char *s) {
    while (*s && isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

/* Cut the next line out of the buffer (NUL-terminating it); NULL at end. */
static char *next_line(tv_file *f) {
    if (*f->pos == '\0')
        return NULL;
    char *line = f->pos;
    char *nl = strchr(line, '\n');
    if (nl) {
        *nl = '\0';
        f->pos = nl + 1;
    } else {
        f->pos = line + strlen(line);
    }
    f->line++;
    return line;
}

/* Split "name = value" (value may be empty). */
static void split(char *s, char **name, char **value) {
    char *eq = strchr(s, '=');
    if (eq) {
        *eq = '\0';
        *name = trim(s);
        *value = trim(eq + 1);
    } else {
        *name = trim(s);
        *value = *name + strlen(*name); /* "" */
    }
}

int tv_next(tv_file *f, tv_case *c) {
    char *line;
    c->nfields = 0;
    while ((line = next_line(f)) != NULL) {
        char *t = trim(line);
        if (*t == '#') {
            continue;
        }
        if (*t == '\0') {
            if (c->nfields > 0)
                break;
            continue;
        }
        if (*t == '[') {
            /* A section header; a new run of headers after a case resets them. */
            char *end = strchr(t, ']');
            if (end)
                *end = '\0';
            if (f->section.nfields < 0)
                f->section.nfields = 0;
            char *name, *value;
            split(t + 1, &name, &value);
            /* Replace a header of the same name, else append. */
            int i;
            for (i = 0; i < f->section.nsection; i++)
                if (strcmp(f->section.sname[i], name) == 0)
                    break;
            if (i == f->section.nsection) {
                if (i == TV_MAX_FIELDS)
                    die("too many section fields", name);
                f->section.nsection++;
            }
            f->section.sname[i] = name;
            f->section.svalue[i] = value;
            continue;
        }
        if (c->nfields == 0)
            c->line = f->line;
        if (c->nfields == TV_MAX_FIELDS)
            die("too many fields in a case", t);
        split(t, &c->name[c->nfields], &c->value[c->nfields]);
        c->nfields++;
    }
    c->nsection = f->section.nsection;
    for (int i = 0; i < c->nsection; i++) {
        c->sname[i] = f->section.sname[i];
        c->svalue[i] = f->section.svalue[i];
    }
    return c->nfields > 0;
}

const char *tv_get(const tv_case *c, const char *name) {
    for (int i = 0; i < c->nfields; i++)
        if (strcmp(c->name[i], name) == 0)
            return c->value[i];
    for (int i = 0; i < c->nsection; i++)
        if (strcmp(c->sname[i], name) == 0)
            return c->svalue[i];
    return NULL;
}

uint8_t *tv_get_hex(const tv_case *c, const char *name, size_t *len) {
    const char *v = tv_get(c, name);
    return v ? tv_unhex(v, len) : NULL;
}

long tv_get_long(const tv_case *c, const char *name, long def) {
    const char *v = tv_get(c, name);
    return v && *v ? strtol(v, NULL, 10) : def;
}

/* ---- JSON ---- */

typedef struct {
    const char *p;
    const char *path;
} jparser;

static void jfail(jparser *jp, const char *msg) {
    char where[64];
    snprintf(where, sizeof where, "%.40s", jp->p);
    fprintf(stderr, "testutil: JSON error in %s: %s near '%s'\n", jp->path, msg, where);
    exit(2);
}

static void jws(jparser *jp) {
    while (*jp->p && isspace((unsigned char)*jp->p))
        jp->p++;
}

static json *jnew(json_type t) {
    json *j = calloc(1, sizeof *j);
    if (!j) {
        fprintf(stderr, "testutil: out of memory\n");
        exit(2);
    }
    j->type = t;
    return j;
}

static char *jstring(jparser *jp) {
    if (*jp->p != '"')
        jfail(jp, "expected string");
    jp->p++;
    size_t cap = 64, n = 0;
    char *s = malloc(cap);
    for (;;) {
        char ch = *jp->p++;
        if (ch == '\0')
            jfail(jp, "unterminated string");
        if (ch == '"')
            break;
        if (n + 8 >= cap) {
            cap *= 2;
            s = realloc(s, cap);
        }
        if (ch == '\\') {
            char e = *jp->p++;
            switch (e) {
            case 'n': s[n++] = '\n'; break;
            case 't': s[n++] = '\t'; break;
            case 'r': s[n++] = '\r'; break;
            case 'b': s[n++] = '\b'; break;
            case 'f': s[n++] = '\f'; break;
            case 'u': {
                unsigned v = 0;
                for (int i = 0; i < 4; i++) {
                    int h = hexval(*jp->p++);
                    if (h < 0)
                        jfail(jp, "bad \\u escape");
                    v = v << 4 | (unsigned)h;
                }
                /* UTF-8 encode (surrogate pairs are not needed by our files). */
                if (v < 0x80) {
                    s[n++] = (char)v;
                } else if (v < 0x800) {
                    s[n++] = (char)(0xc0 | v >> 6);
                    s[n++] = (char)(0x80 | (v & 0x3f));
                } else {
                    s[n++] = (char)(0xe0 | v >> 12);
                    s[n++] = (char)(0x80 | ((v >> 6) & 0x3f));
                    s[n++] = (char)(0x80 | (v & 0x3f));
                }
                break;
            }
            default: s[n++] = e; break;
            }
        } else {
            s[n++] = ch;
        }
    }
    s[n] = '\0';
    return s;
}

static json *jvalue(jparser *jp, int depth);

static void jpush(json *j, json *item, char *key) {
    j->items = realloc(j->items, (j->n + 1) * sizeof *j->items);
    if (j->type == J_OBJ)
        j->keys = realloc(j->keys, (j->n + 1) * sizeof *j->keys);
    j->items[j->n] = item;
    if (j->type == J_OBJ)
        j->keys[j->n] = key;
    j->n++;
}

static json *jvalue(jparser *jp, int depth) {
    if (depth > 64)
        jfail(jp, "nested too deeply");
    jws(jp);
    char c = *jp->p;
    if (c == '{' || c == '[') {
        json *j = jnew(c == '{' ? J_OBJ : J_ARR);
        char close = c == '{' ? '}' : ']';
        jp->p++;
        jws(jp);
        if (*jp->p == close) {
            jp->p++;
            return j;
        }
        for (;;) {
            char *key = NULL;
            jws(jp);
            if (j->type == J_OBJ) {
                key = jstring(jp);
                jws(jp);
                if (*jp->p++ != ':')
                    jfail(jp, "expected ':'");
            }
            jpush(j, jvalue(jp, depth + 1), key);
            jws(jp);
            if (*jp->p == ',') {
                jp->p++;
                continue;
            }
            if (*jp->p == close) {
                jp->p++;
                return j;
            }
            jfail(jp, "expected ',' or close");
        }
    }
    if (c == '"') {
        json *j = jnew(J_STR);
        j->str = jstring(jp);
        return j;
    }
    if (strncmp(jp->p, "true", 4) == 0 || strncmp(jp->p, "false", 5) == 0) {
        json *j = jnew(J_BOOL);
        j->num = c == 't';
        jp->p += c == 't' ? 4 : 5;
        return j;
    }
    if (strncmp(jp->p, "null", 4) == 0) {
        jp->p += 4;
        return jnew(J_NULL);
    }
    if (c == '-' || isdigit((unsigned char)c)) {
        json *j = jnew(J_NUM);
        char *end;
        j->num = strtod(jp->p, &end);
        jp->p = end;
        return j;
    }
    jfail(jp, "unexpected character");
    return NULL;
}

json *json_load(const char *path) {
    char *text = tv_slurp(path, NULL);
    jparser jp = {text, path};
    json *j = jvalue(&jp, 0);
    jws(&jp);
    if (*jp.p)
        jfail(&jp, "trailing data");
    free(text);
    return j;
}

void json_free(json *j) {
    if (!j)
        return;
    for (size_t i = 0; i < j->n; i++) {
        json_free(j->items[i]);
        if (j->keys)
            free(j->keys[i]);
    }
    free(j->items);
    free(j->keys);
    free(j->str);
    free(j);
}

const json *json_get(const json *obj, const char *key) {
    if (!obj || obj->type != J_OBJ)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}

const char *json_str(const json *obj, const char *key) {
    const json *v = json_get(obj, key);
    return v && v->type == J_STR ? v->str : NULL;
}

double json_num(const json *obj, const char *key, double def) {
    const json *v = json_get(obj, key);
    return v && v->type == J_NUM ? v->num : def;
}

int json_has_flag(const json *test, const char *flag) {
    const json *flags = json_get(test, "flags");
    if (!flags || flags->type != J_ARR)
        return 0;
    for (size_t i = 0; i < flags->n; i++)
        if (flags->items[i]->type == J_STR && strcmp(flags->items[i]->str, flag) == 0)
            return 1;
    return 0;
}

int tv_all_zero(const void *p, size_t n) {
    const uint8_t *b = p;
    uint8_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= b[i];
    return acc == 0;
}

void tv_use_cpu(const char *tern_cpu) {
    if (tern_cpu)
        setenv("TERN_CPU", tern_cpu, 1);
    else
        unsetenv("TERN_CPU");
    tern_cpu_reset();
}

const char *tv_cpu_name(const char *tern_cpu) {
    return tern_cpu ? tern_cpu : "default";
}

int tv_rng(void *arg, uint8_t *buf, size_t len) {
    uint64_t *state = arg;
    for (size_t i = 0; i < len; i++) {
        if (i % 8 == 0) {
            /* splitmix64 step */
            *state += 0x9e3779b97f4a7c15ull;
        }
        uint64_t z = *state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        buf[i] = (uint8_t)(z >> (8 * (i % 8)));
    }
    return 0;
}
