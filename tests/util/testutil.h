/*
 * Test-only helpers: hex, the KAT/NIST `.rsp` text reader, a minimal JSON
 * reader for the Wycheproof files, and a deterministic RNG.  Never linked
 * into the library.
 *
 * Vector files are found under $TERN_VECTORS or, by default, "vectors/"
 * relative to the working directory (make test runs from the top level).
 */
#ifndef TERN_TESTUTIL_H
#define TERN_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Path of a vector file: tv_path("kat/rfc4231_hmac.txt").  Static buffer. */
const char *tv_path(const char *rel);

/* Read a whole file into a NUL-terminated malloc'd buffer; aborts the test
 * program with a message if the file cannot be read. */
char *tv_slurp(const char *path, size_t *len);

/* Decode hex (upper or lower case, even length) into a malloc'd buffer;
 * *len gets the byte count.  Aborts on bad hex.  "" gives len 0 and a
 * non-NULL 1-byte buffer. */
uint8_t *tv_unhex(const char *hex, size_t *len);
/* Decode exactly n bytes of hex into out; returns 0, or -1 on a length
 * mismatch or bad character. */
int tv_unhex_into(const char *hex, uint8_t *out, size_t n);
/* Lowercase hex of buf into a malloc'd string. */
char *tv_hex(const uint8_t *buf, size_t len);
/* 1 when all n bytes at p are zero (a wiped key or context). */
int tv_all_zero(const void *p, size_t n);

/* ---- `name = value` files (kat/NAME.txt) and NIST .rsp files ----
 * A case is a run of `name = value` lines ended by a blank line.  `[k = v]`
 * or `[k]` lines set section attributes, which each following case sees as
 * fields too (looked up after the case's own).  A bare word line (NIST's
 * `FAIL`) becomes a field with the value "". */
#define TV_MAX_FIELDS 32
typedef struct {
    int nfields;
    char *name[TV_MAX_FIELDS];
    char *value[TV_MAX_FIELDS];
    int nsection;
    char *sname[TV_MAX_FIELDS];
    char *svalue[TV_MAX_FIELDS];
    int line; /* line number where the case starts */
} tv_case;

typedef struct tv_file tv_file;
tv_file *tv_open(const char *path); /* aborts if missing */
/* Next case: 1 if one was read, 0 at end of file.  The case's strings
 * stay valid until the next call. */
int tv_next(tv_file *f, tv_case *c);
void tv_close(tv_file *f);
/* The field's value, or NULL when absent. */
const char *tv_get(const tv_case *c, const char *name);
/* The field decoded from hex (malloc'd), or NULL when absent. */
uint8_t *tv_get_hex(const tv_case *c, const char *name, size_t *len);
/* The field as a decimal number, or `def` when absent. */
long tv_get_long(const tv_case *c, const char *name, long def);

/* ---- JSON (enough for Wycheproof) ---- */
typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } json_type;
typedef struct json json;
struct json {
    json_type type;
    double num;      /* J_NUM, J_BOOL (0/1) */
    char *str;       /* J_STR (unescaped, NUL-terminated) */
    size_t n;        /* J_ARR / J_OBJ: element count */
    json **items;    /* J_ARR / J_OBJ values */
    char **keys;     /* J_OBJ keys */
};
/* Parse a file; aborts on malformed JSON. */
json *json_load(const char *path);
void json_free(json *j);
/* Object member by key, or NULL. */
const json *json_get(const json *obj, const char *key);
/* String member by key, or NULL if absent or not a string. */
const char *json_str(const json *obj, const char *key);
/* Number member by key, or def. */
double json_num(const json *obj, const char *key, double def);
/* 1 if the array member `flags` of a Wycheproof test contains flag. */
int json_has_flag(const json *test, const char *flag);

/* ---- CPU paths ----
 * The crypto suites run their vectors on each implementation path by
 * setting TERN_CPU (crypto/cpu.h) and re-reading it: "portable" is the
 * portable C, "-vaes,-vpclmul" and the like switch features off, NULL
 * unsets it (the default: every feature this CPU has). */
void tv_use_cpu(const char *tern_cpu);
/* The name a test prints for a path: the value, or "default" for NULL. */
const char *tv_cpu_name(const char *tern_cpu);

/* ---- deterministic RNG (tern_rng_fn shape) ----
 * A counter-based generator (splitmix64) seeded by *(uint64_t *)arg.
 * Predictable on purpose: for tests only. */
int tv_rng(void *arg, uint8_t *buf, size_t len);

#endif
