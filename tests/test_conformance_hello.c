/*
 * ClientHello / ServerHello conformance: the findings of an independent
 * TLS 1.2 conformance suite run against `tern server` (RSA key exchange
 * suites on, groups x25519 + secp256r1, ALPN http/1.1, client certificates
 * optional), each replayed in memory.  A real tern client makes its hello;
 * the test rewrites it (and re-hashes the client's transcript over the new
 * bytes, so a hello the server accepts must give a complete handshake with
 * data both ways) and cuts it into records as the case wants.
 *
 *  1. Record versions (RFC 5246 Appendix E.1): any {03,XX} on every record
 *     of a ClientHello split over records, and on the server's records up
 *     to ServerHello; other records interleaved with the pieces get
 *     unexpected_message; after ServerHello only 0x0303.
 *  2. Large hellos: a 65,000-byte signature_algorithms list, a 65,531-byte
 *     extension, the largest well-formed hello (131,396 bytes), delivered
 *     in 16 KB records, in 1-byte records and one byte per read; one byte
 *     over that length is decode_error; the server stays at its size.
 *  3. Extension counts: 65 and 16,000 extensions are served; a duplicate
 *     (unknown type, first and last of 16,000; known type) is
 *     illegal_parameter.
 *  4. Alerts: decode_error for what does not parse (truncated vectors, a
 *     vector past its container, trailing bytes, empty lists, odd lengths,
 *     a session_id of 33 bytes), also inside a hello parsed as a stream;
 *     illegal_parameter for well-formed forbidden values; the same for the
 *     ServerHello as the client parses it (and unsupported_extension,
 *     protocol_version).
 *  5. No signature_algorithms: served with the RSA key exchange; with only
 *     ECDHE suites handshake_failure naming SHA-1.
 *  6. No supported_groups with ECDHE: secp256r1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/session.h"
#include "lib/conn.h"
#include "lib/hs.h"
#include "tests/util/testutil.h"
#include "tests/mempair.h"

#define SUITES_ALL "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-GCM-SHA384"

static tern_config *server_cfg(const char *groups) {
    tern_config *cfg = mp_config("certs/root-ca.crt", "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_cipher_suites(cfg, SUITES_ALL), 0);
    assert_int_equal(tern_config_set_alpn(cfg, "http/1.1"), 0);
    assert_int_equal(tern_config_set_client_auth(cfg, TERN_CLIENT_AUTH_OPTIONAL), 0);
    if (groups != NULL)
        assert_int_equal(tern_config_set_groups(cfg, groups), 0);
    return cfg;
}

static tern_config *client_cfg(const char *suites) {
    tern_config *cfg = mp_config("certs/root-ca.crt", NULL, NULL);
    assert_int_equal(tern_config_set_cipher_suites(cfg, suites ? suites : SUITES_ALL), 0);
    assert_int_equal(tern_config_set_alpn(cfg, "http/1.1"), 0);
    return cfg;
}

static tern_config *g_scfg, *g_ccfg;

static int setup(void **state) {
    (void)state;
    g_scfg = server_cfg(NULL);
    g_ccfg = client_cfg(NULL);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    tern_config_free(g_scfg);
    tern_config_free(g_ccfg);
    return 0;
}

static void expect_fail(tern_conn *c, long rc, int err, int alert, const char *words) {
    mp_expect_fail(c, rc, err, alert, words, 0);
}

/* ---- a ClientHello as parts ---- */
typedef struct {
    uint16_t type;
    uint8_t *data;
    size_t len;
} ext;

#define MAXEXT 17000
typedef struct {
    uint8_t fixed[2 + 32];
    uint8_t sid[33];
    size_t sid_len;
    uint16_t *suites;
    size_t nsuites;
    uint8_t comp[256];
    size_t comp_len;
    ext *e;
    size_t n;
    int no_exts; /* no extensions block at all */
} hello;

static void hello_parse(hello *h, const uint8_t *msg, size_t len) {
    memset(h, 0, sizeof *h);
    h->e = calloc(MAXEXT, sizeof *h->e);
    h->suites = calloc(40000, sizeof *h->suites);
    assert_int_equal(msg[0], TERN_HT_CLIENT_HELLO);
    assert_int_equal(tern_load_be24(msg + 1), len - 4);
    tern_reader r, v;
    tern_rd_init(&r, msg + 4, len - 4);
    assert_int_equal(tern_rd_copy(&r, h->fixed, sizeof h->fixed), 0);
    assert_int_equal(tern_rd_vec8(&r, &v), 0);
    h->sid_len = tern_rd_left(&v);
    memcpy(h->sid, v.p, h->sid_len);
    assert_int_equal(tern_rd_vec16(&r, &v), 0);
    while (tern_rd_left(&v) > 0)
        assert_int_equal(tern_rd_u16(&v, &h->suites[h->nsuites++]), 0);
    assert_int_equal(tern_rd_vec8(&r, &v), 0);
    h->comp_len = tern_rd_left(&v);
    memcpy(h->comp, v.p, h->comp_len);
    assert_int_equal(tern_rd_vec16(&r, &v), 0);
    while (tern_rd_left(&v) > 0) {
        tern_reader b;
        ext *x = &h->e[h->n++];
        assert_int_equal(tern_rd_u16(&v, &x->type), 0);
        assert_int_equal(tern_rd_vec16(&v, &b), 0);
        x->len = tern_rd_left(&b);
        x->data = malloc(x->len + 1);
        memcpy(x->data, b.p, x->len);
    }
}

static void hello_free(hello *h) {
    for (size_t i = 0; i < h->n; i++)
        free(h->e[i].data);
    free(h->e);
    free(h->suites);
}

static ext *hello_find(hello *h, uint16_t type) {
    for (size_t i = 0; i < h->n; i++)
        if (h->e[i].type == type)
            return &h->e[i];
    return NULL;
}

static void hello_remove(hello *h, uint16_t type) {
    ext *x = hello_find(h, type);
    assert_non_null(x);
    free(x->data);
    size_t i = (size_t)(x - h->e);
    memmove(h->e + i, h->e + i + 1, (h->n - i - 1) * sizeof *h->e);
    h->n--;
}

/* Add an extension at position at (h->n: the end). */
static void hello_add(hello *h, size_t at, uint16_t type, const uint8_t *data, size_t len) {
    assert_true(h->n < MAXEXT);
    memmove(h->e + at + 1, h->e + at, (h->n - at) * sizeof *h->e);
    h->n++;
    h->e[at].type = type;
    h->e[at].len = len;
    h->e[at].data = calloc(1, len + 1);
    if (data != NULL)
        memcpy(h->e[at].data, data, len);
}

/* The message (header included), malloc'd. */
static uint8_t *hello_bytes(const hello *h, size_t *len) {
    size_t exts = 0;
    for (size_t i = 0; i < h->n; i++)
        exts += 4 + h->e[i].len;
    size_t body = 34 + 1 + h->sid_len + 2 + 2 * h->nsuites + 1 + h->comp_len + (h->no_exts ? 0 : 2 + exts);
    uint8_t *m = malloc(4 + body), *p = m;
    *p++ = TERN_HT_CLIENT_HELLO;
    *p++ = (uint8_t)(body >> 16);
    *p++ = (uint8_t)(body >> 8);
    *p++ = (uint8_t)body;
    memcpy(p, h->fixed, 34);
    p += 34;
    *p++ = (uint8_t)h->sid_len;
    memcpy(p, h->sid, h->sid_len);
    p += h->sid_len;
    tern_store_be16(p, (uint16_t)(2 * h->nsuites));
    p += 2;
    for (size_t i = 0; i < h->nsuites; i++, p += 2)
        tern_store_be16(p, h->suites[i]);
    *p++ = (uint8_t)h->comp_len;
    memcpy(p, h->comp, h->comp_len);
    p += h->comp_len;
    if (!h->no_exts) {
        assert_true(exts <= 0xffff);
        tern_store_be16(p, (uint16_t)exts);
        p += 2;
        for (size_t i = 0; i < h->n; i++) {
            tern_store_be16(p, h->e[i].type);
            tern_store_be16(p + 2, (uint16_t)h->e[i].len);
            memcpy(p + 4, h->e[i].data, h->e[i].len);
            p += 4 + h->e[i].len;
        }
    }
    assert_int_equal((size_t)(p - m), 4 + body);
    *len = 4 + body;
    return m;
}

/* ---- the wire ---- */

/* Run the client to its ClientHello and take it off the wire (whole
 * message, header included). */
static uint8_t *take_hello(mp_pair *p, size_t *len) {
    mp_step_client(p);
    size_t n;
    uint8_t *all = mp_take(&p->c2s, &n);
    uint8_t *m = malloc(n + 1);
    size_t off = 0, ml = 0;
    while (off + 5 <= n) {
        assert_int_equal(all[off], TERN_CT_HANDSHAKE);
        size_t rl = tern_load_be16(all + off + 3);
        memcpy(m + ml, all + off + 5, rl);
        ml += rl;
        off += 5 + rl;
    }
    assert_int_equal(off, n);
    free(all);
    *len = ml;
    return m;
}

/* The client's transcript holds what it sent; make it hold msg instead. */
static void client_rehash(mp_pair *p, const uint8_t *msg, size_t len) {
    size_t step = p->c->step;
    tern_hs_begin(p->c);
    p->c->step = step;
    tern_hs_transcript(p->c, msg, len);
}

/* msg in handshake records of at most frag bytes with record version ver. */
static void put_records(mp_pipe *q, const uint8_t *msg, size_t len, size_t frag, uint16_t ver) {
    for (size_t o = 0; o < len; o += frag) {
        size_t k = len - o < frag ? len - o : frag;
        uint8_t hdr[5] = {TERN_CT_HANDSHAKE, (uint8_t)(ver >> 8), (uint8_t)ver, (uint8_t)(k >> 8), (uint8_t)k};
        mp_put(q, hdr, 5);
        mp_put(q, msg + o, k);
    }
}

/* Both finished: data both ways. */
static void expect_served(mp_pair *p) {
    mp_handshake_ok(p);
    assert_int_equal(tern_write(p->c, "ping", 4), 4);
    assert_int_equal(tern_write(p->s, "pong", 4), 4);
    uint8_t b[8];
    long r;
    while ((r = tern_read(p->s, b, sizeof b)) == TERN_WANT_READ)
        ;
    assert_int_equal(r, 4);
    assert_memory_equal(b, "ping", 4);
    while ((r = tern_read(p->c, b, sizeof b)) == TERN_WANT_READ)
        ;
    assert_int_equal(r, 4);
    assert_memory_equal(b, "pong", 4);
    assert_string_equal(tern_alpn(p->s), "http/1.1");
}

/* A whole case: the client's hello, edited by fn (may be NULL), put back
 * in records of frag bytes with version ver, then the server's turn. */
typedef void (*edit_fn)(hello *h, void *arg);
static void send_hello(mp_pair *p, edit_fn fn, void *arg, size_t frag, uint16_t ver, int rehash) {
    size_t len;
    uint8_t *m = take_hello(p, &len);
    hello h;
    hello_parse(&h, m, len);
    free(m);
    if (fn != NULL)
        fn(&h, arg);
    m = hello_bytes(&h, &len);
    hello_free(&h);
    if (rehash)
        client_rehash(p, m, len);
    put_records(&p->c2s, m, len, frag, ver);
    free(m);
    mp_step_server(p);
}

/* ---- 1. record versions ---- */

static void test_record_version_client_hello(void **state) {
    (void)state;
    /* One record, {03,00} .. {03,ff}: served. */
    static const uint16_t one[] = {0x0300, 0x0301, 0x0302, 0x0303, 0x03ff};
    for (size_t i = 0; i < TERN_ARRAY_LEN(one); i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        send_hello(&p, NULL, NULL, 16384, one[i], 1);
        expect_served(&p);
        mp_free(&p);
    }
    /* Split into records of 20 bytes (and of 1), 0x0301 on every one, as
     * OpenSSL sends them: served. */
    static const size_t frags[] = {20, 1, 100};
    for (size_t i = 0; i < TERN_ARRAY_LEN(frags); i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        send_hello(&p, NULL, NULL, frags[i], i == 2 ? 0x0300 : 0x0301, 1);
        expect_served(&p);
        mp_free(&p);
    }
    /* Not {03,XX}: protocol_version. */
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    send_hello(&p, NULL, NULL, 16384, 0x0203, 1);
    expect_fail(p.s, p.src, TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION, "0x0203");
    mp_free(&p);
}

/* Another record between two pieces of the hello, all 0x0301. */
static void test_record_version_interleaved(void **state) {
    (void)state;
    static const uint8_t types[] = {TERN_CT_CHANGE_CIPHER_SPEC, TERN_CT_ALERT, TERN_CT_APPLICATION_DATA};
    static const uint8_t bodies[][2] = {{1, 0}, {1, 0}, {'h', 'i'}};
    static const size_t lens[] = {1, 2, 2};
    for (size_t i = 0; i < TERN_ARRAY_LEN(types); i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        size_t len;
        uint8_t *m = take_hello(&p, &len);
        put_records(&p.c2s, m, 40, 40, 0x0301);
        uint8_t hdr[5] = {types[i], 3, 1, 0, (uint8_t)lens[i]};
        mp_put(&p.c2s, hdr, 5);
        mp_put(&p.c2s, bodies[i], lens[i]);
        put_records(&p.c2s, m + 40, len - 40, 16384, 0x0301);
        free(m);
        mp_step_server(&p);
        expect_fail(p.s, p.src, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, NULL);
        mp_free(&p);
    }
}

/* After ServerHello the version is fixed: a client record with 0x0301 is
 * refused. */
static void test_record_version_after_server_hello(void **state) {
    (void)state;
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    send_hello(&p, NULL, NULL, 16384, 0x0301, 1);
    assert_int_equal(p.src, TERN_WANT_READ);
    mp_step_client(&p);
    assert_true(p.c2s.len - p.c2s.off > 5);
    p.c2s.buf[p.c2s.off + 2] = 1; /* the client's second flight, first record */
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION, "0x0301");
    mp_free(&p);
}

/* The client side: the server's records until ServerHello may carry any
 * {03,XX}; the ServerHello's own version must be 0x0303; later records
 * 0x0303. */
static void test_record_version_server_side(void **state) {
    (void)state;
    for (int k = 0; k < 3; k++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_step_client(&p);
        mp_step_server(&p);
        /* The server's flight as messages: ServerHello alone in 10-byte
         * records of 0x0301, the rest in one record. */
        size_t n;
        uint8_t *all = mp_take(&p.s2c, &n);
        uint8_t *hs = malloc(n);
        size_t hl = 0;
        for (size_t off = 0; off + 5 <= n;) {
            size_t rl = tern_load_be16(all + off + 3);
            memcpy(hs + hl, all + off + 5, rl);
            hl += rl;
            off += 5 + rl;
        }
        size_t sh = 4 + tern_load_be24(hs + 1);
        assert_int_equal(hs[0], TERN_HT_SERVER_HELLO);
        if (k == 1)
            hs[5] = 2; /* server_version 0x0302 */
        put_records(&p.s2c, hs, sh, 10, 0x0301);
        put_records(&p.s2c, hs + sh, hl - sh, 16384, k == 2 ? 0x0301 : 0x0303);
        free(all);
        free(hs);
        if (k == 0) {
            expect_served(&p);
        } else {
            mp_step_client(&p);
            expect_fail(p.c, p.crc, TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION,
                        k == 1 ? "0x0302" : "record with version 0x0301");
        }
        mp_free(&p);
    }
}

/* ---- 2. large hellos ---- */

static void big_sigalgs(hello *h, void *arg) {
    (void)arg;
    ext *x = hello_find(h, TERN_EXT_SIGNATURE_ALGORITHMS);
    assert_non_null(x);
    size_t n = 32500; /* 65,000 bytes of schemes: unknown ones, then ours */
    size_t ours = (x->len - 2) / 2;
    uint8_t *d = malloc(2 + 2 * n);
    tern_store_be16(d, (uint16_t)(2 * n));
    for (size_t i = 0; i < n - ours; i++)
        tern_store_be16(d + 2 + 2 * i, (uint16_t)(0xfe00 + i % 200));
    memcpy(d + 2 + 2 * (n - ours), x->data + 2, 2 * ours);
    free(x->data);
    x->data = d;
    x->len = 2 + 2 * n;
}

/* Padding (RFC 7685, type 21) to fill the extensions block to 65,535. */
static void pad_to_max(hello *h, void *arg) {
    (void)arg;
    size_t used = 0;
    for (size_t i = 0; i < h->n; i++)
        used += 4 + h->e[i].len;
    hello_add(h, h->n, 21, NULL, 0xffff - used - 4);
}

/* The largest well-formed hello: 32,767 cipher suites (ours last), a
 * 255-byte compression list, a 32-byte session_id, 65,535 bytes of
 * extensions. */
static void largest(hello *h, void *arg) {
    size_t ours = h->nsuites;
    memmove(h->suites + 32767 - ours, h->suites, ours * sizeof *h->suites);
    for (size_t i = 0; i < 32767 - ours; i++)
        h->suites[i] = (uint16_t)(0x1300 + i % 64 + 0x100 * (i % 3)); /* none of ours */
    h->nsuites = 32767;
    h->comp_len = 255;
    for (size_t i = 0; i < 255; i++)
        h->comp[i] = (uint8_t)(254 - i); /* the null method (0) last */
    h->sid_len = 32;
    memset(h->sid, 0x5a, 32);
    pad_to_max(h, arg);
}

static void test_large_hellos(void **state) {
    (void)state;
    static const edit_fn fns[] = {big_sigalgs, pad_to_max, largest};
    /* Also a server without client certificates (the configuration whose
     * size tests/test_memory.c bounds): it stays at or under 36 KB. */
    tern_config *plain = mp_config(NULL, "certs/server-chain.pem", "certs/server.key");
    assert_int_equal(tern_config_set_cipher_suites(plain, SUITES_ALL), 0);
    assert_int_equal(tern_config_set_alpn(plain, "http/1.1"), 0);
    for (size_t i = 0; i < 2 * TERN_ARRAY_LEN(fns); i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, i % 2 ? plain : g_scfg, "localhost");
        if (i % 2)
            assert_true(p.s->alloc_size <= 36864);
        send_hello(&p, fns[i / 2], NULL, 16384, 0x0301, 1);
        expect_served(&p);
        mp_free(&p);
    }
    tern_config_free(plain);
    /* The largest, in 1-byte records, delivered 7 bytes per read. */
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    p.c2s.chunk = 7;
    send_hello(&p, largest, NULL, 1, 0x0301, 1);
    expect_served(&p);
    mp_free(&p);
    /* One byte per read, 16 KB records. */
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    p.c2s.chunk = 1;
    send_hello(&p, big_sigalgs, NULL, 16384, 0x0303, 1);
    expect_served(&p);
    mp_free(&p);
}

/* A length past the largest well-formed hello: decode_error at the header. */
static void test_too_long_hello(void **state) {
    (void)state;
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    size_t len;
    uint8_t *m = take_hello(&p, &len);
    free(m);
    uint8_t hdr[4] = {TERN_HT_CLIENT_HELLO, 0x02, 0x01, 0x45}; /* 131,397 */
    assert_int_equal(tern_load_be24(hdr + 1), TERN_CH_MAX + 1);
    put_records(&p.c2s, hdr, 4, 4, 0x0301);
    mp_step_server(&p);
    expect_fail(p.s, p.src, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "longer than any well-formed");
    mp_free(&p);
}

/* ---- 3. extension counts and duplicates ---- */

static void many_exts(hello *h, void *arg) {
    size_t n = *(size_t *)arg;
    for (size_t i = 0; i < n; i++)
        hello_add(h, h->n, (uint16_t)(0x4000 + i), NULL, 0); /* unassigned types */
}

static void dup_unknown(hello *h, void *arg) {
    size_t n = *(size_t *)arg;
    hello_add(h, 0, 0x4000 + 7777, NULL, 0);
    for (size_t i = 0; i < n; i++)
        hello_add(h, h->n, (uint16_t)(0x4000 + i), NULL, 0); /* 0x4000 + 7777 again near the end */
}

static void dup_known(hello *h, void *arg) {
    (void)arg;
    ext *x = hello_find(h, TERN_EXT_SIGNATURE_ALGORITHMS);
    hello_add(h, h->n, x->type, x->data, x->len);
}

static void test_extension_counts(void **state) {
    (void)state;
    static const size_t counts[] = {65, 200, 16000};
    for (size_t i = 0; i < TERN_ARRAY_LEN(counts); i++) {
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        send_hello(&p, many_exts, (void *)&counts[i], 16384, 0x0301, 1);
        expect_served(&p);
        mp_free(&p);
    }
    size_t n = 16000;
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    send_hello(&p, dup_unknown, &n, 16384, 0x0301, 1);
    expect_fail(p.s, p.src, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "extension 24161 appears twice");
    mp_free(&p);
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    send_hello(&p, dup_known, NULL, 16384, 0x0301, 1);
    expect_fail(p.s, p.src, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "extension 13 appears twice");
    mp_free(&p);
}

/* ---- 4. alerts ---- */

/* Raw edits of the serialized hello (body offsets), for what the parts
 * cannot express. */
typedef struct {
    const char *name;
    int big;         /* pad the hello past hs_max first (parsed as a stream) */
    void (*edit)(uint8_t **m, size_t *len);
    int err, alert;
    const char *words;
} bad_case;

/* Offsets in a message (header included) made by hello_bytes. */
static size_t off_sid(const uint8_t *m) { (void)m; return 4 + 34; }
static size_t off_suites(const uint8_t *m) { return off_sid(m) + 1 + m[off_sid(m)]; }
static size_t off_comp(const uint8_t *m) { return off_suites(m) + 2 + tern_load_be16(m + off_suites(m)); }
static size_t off_exts(const uint8_t *m) { return off_comp(m) + 1 + m[off_comp(m)]; }

static void set_body_len(uint8_t *m, size_t body) {
    m[1] = (uint8_t)(body >> 16);
    m[2] = (uint8_t)(body >> 8);
    m[3] = (uint8_t)body;
}

static void cut_in_suites(uint8_t **m, size_t *len) {
    /* The message ends inside cipher_suites. */
    *len = off_suites(*m) + 5;
    set_body_len(*m, *len - 4);
}
static void sid_33(uint8_t **m, size_t *len) {
    (void)len;
    (*m)[off_sid(*m)] = 33;
}
static void exts_too_long(uint8_t **m, size_t *len) {
    (void)len;
    size_t e = off_exts(*m);
    tern_store_be16(*m + e, (uint16_t)(tern_load_be16(*m + e) + 1));
}
static void trailing_byte(uint8_t **m, size_t *len) {
    *m = realloc(*m, *len + 1);
    (*m)[(*len)++] = 0;
    set_body_len(*m, *len - 4);
}
static void comp_empty(uint8_t **m, size_t *len) {
    /* compression_methods<1..2^8-1> with 0 entries (the null byte kept as
     * the first byte of the extensions length: the rest no longer parses
     * either, the first error is the one reported). */
    (void)len;
    (*m)[off_comp(*m)] = 0;
}
static void comp_no_null(uint8_t **m, size_t *len) {
    (void)len;
    (*m)[off_comp(*m) + 1] = 1;
}
static void suites_odd(uint8_t **m, size_t *len) {
    (void)len;
    size_t s = off_suites(*m);
    tern_store_be16(*m + s, (uint16_t)(tern_load_be16(*m + s) - 1));
}

/* Replace the body of extension `type` in a serialized hello. */
static size_t sh_off_exts(const uint8_t *m) { return 4 + 34 + 1 + m[4 + 34] + 3; }
static int g_server_hello; /* set_ext edits a ServerHello */

static void set_ext(uint8_t **m, size_t *len, uint16_t type, const uint8_t *body, size_t blen) {
    size_t e = g_server_hello ? sh_off_exts(*m) : off_exts(*m), end = e + 2 + tern_load_be16(*m + e), at = e + 2;
    while (at < end && tern_load_be16(*m + at) != type)
        at += 4 + tern_load_be16(*m + at + 2);
    assert_true(at < end);
    size_t old = tern_load_be16(*m + at + 2);
    size_t nlen = *len - old + blen;
    uint8_t *n = malloc(nlen);
    memcpy(n, *m, at + 4);
    if (blen > 0) /* body may be NULL then */
        memcpy(n + at + 4, body, blen);
    memcpy(n + at + 4 + blen, *m + at + 4 + old, *len - (at + 4 + old));
    tern_store_be16(n + at + 2, (uint16_t)blen);
    tern_store_be16(n + e, (uint16_t)(tern_load_be16(*m + e) - old + blen));
    set_body_len(n, nlen - 4);
    free(*m);
    *m = n;
    *len = nlen;
}
static void sigalgs_empty(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 0};
    set_ext(m, len, TERN_EXT_SIGNATURE_ALGORITHMS, b, sizeof b);
}
static void sigalgs_odd(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 3, 4, 1, 5};
    set_ext(m, len, TERN_EXT_SIGNATURE_ALGORITHMS, b, sizeof b);
}
static void groups_short(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 4, 0, 29}; /* list says 4, has 2 */
    set_ext(m, len, TERN_EXT_SUPPORTED_GROUPS, b, sizeof b);
}
static void groups_empty_ext(uint8_t **m, size_t *len) {
    set_ext(m, len, TERN_EXT_SUPPORTED_GROUPS, NULL, 0);
}
static void sni_empty_name(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 3, 0, 0, 0};
    set_ext(m, len, TERN_EXT_SERVER_NAME, b, sizeof b);
}
static void sni_two_names(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 8, 0, 0, 1, 'a', 0, 0, 1, 'b'};
    set_ext(m, len, TERN_EXT_SERVER_NAME, b, sizeof b);
}
static void sni_300(uint8_t **m, size_t *len) {
    uint8_t b[2 + 3 + 300];
    tern_store_be16(b, 303);
    b[2] = 0;
    tern_store_be16(b + 3, 300);
    memset(b + 5, 'a', 300);
    set_ext(m, len, TERN_EXT_SERVER_NAME, b, sizeof b);
}
static void points_compressed_only(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {1, 1};
    set_ext(m, len, TERN_EXT_EC_POINT_FORMATS, b, sizeof b);
}
static void alpn_empty_name(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 10, 8, 'h', 't', 't', 'p', '/', '1', '.', '1', 0};
    set_ext(m, len, TERN_EXT_ALPN, b, sizeof b);
}
static void alpn_past_list(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 9, 9, 'h', 't', 't', 'p', '/', '1', '.', '1'};
    set_ext(m, len, TERN_EXT_ALPN, b, sizeof b);
}
static void ems_data(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0};
    set_ext(m, len, TERN_EXT_EXTENDED_MASTER_SECRET, b, sizeof b);
}
static void reneg_malformed(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {2, 0};
    set_ext(m, len, TERN_EXT_RENEGOTIATION_INFO, b, sizeof b);
}
static void ext_hdr_cut(uint8_t **m, size_t *len) {
    /* The last extension's header cut to 2 bytes. */
    size_t e = off_exts(*m);
    *m = realloc(*m, *len + 2);
    (*m)[(*len)++] = 0x44;
    (*m)[(*len)++] = 0x44;
    tern_store_be16(*m + e, (uint16_t)(tern_load_be16(*m + e) + 2));
    set_body_len(*m, *len - 4);
}

static const bad_case bad_cases[] = {
    {"message ends in cipher_suites", 0, cut_in_suites, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "cipher_suites"},
    {"session_id of 33", 0, sid_33, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "session_id of 33"},
    {"extensions past the message", 0, exts_too_long, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "extensions block"},
    {"extensions past the message (streamed)", 1, exts_too_long, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR,
     "extensions block"},
    {"trailing byte", 0, trailing_byte, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL},
    {"trailing byte (streamed)", 1, trailing_byte, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL},
    {"empty compression_methods", 0, comp_empty, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "compression"},
    {"no null compression", 0, comp_no_null, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "null compression"},
    {"odd cipher_suites", 0, suites_odd, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "cipher_suites"},
    {"empty signature_algorithms", 0, sigalgs_empty, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "empty"},
    {"odd signature_algorithms", 0, sigalgs_odd, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "odd"},
    {"short supported_groups", 0, groups_short, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "supported_groups"},
    {"empty supported_groups extension", 0, groups_empty_ext, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL},
    {"empty SNI name", 0, sni_empty_name, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "empty server_name"},
    {"two SNI names", 0, sni_two_names, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "more than one"},
    {"300-byte SNI name", 0, sni_300, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "300 bytes"},
    {"compressed points only", 0, points_compressed_only, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER,
     "uncompressed"},
    {"empty ALPN name", 0, alpn_empty_name, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "empty ALPN"},
    {"ALPN name past its list", 0, alpn_past_list, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL},
    {"EMS with data", 0, ems_data, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "extended_master_secret"},
    {"malformed renegotiation_info", 0, reneg_malformed, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR,
     "renegotiation_info"},
    {"extension header cut", 0, ext_hdr_cut, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "extension header"},
    {"extension header cut (streamed)", 1, ext_hdr_cut, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "extension header"},
};

static void test_alerts(void **state) {
    (void)state;
    for (size_t i = 0; i < TERN_ARRAY_LEN(bad_cases); i++) {
        const bad_case *bc = &bad_cases[i];
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        size_t len;
        uint8_t *m = take_hello(&p, &len);
        if (bc->big) {
            /* Padding first in the block, so the broken part comes last. */
            hello h;
            hello_parse(&h, m, len);
            free(m);
            hello_add(&h, 0, 21, NULL, 40000);
            m = hello_bytes(&h, &len);
            hello_free(&h);
        }
        bc->edit(&m, &len);
        put_records(&p.c2s, m, len, 16384, 0x0301);
        free(m);
        mp_step_server(&p);
        print_message("case: %s\n", bc->name);
        expect_fail(p.s, p.src, bc->err, bc->alert, bc->words);
        mp_free(&p);
    }
}

/* The ServerHello, as the client parses it. */
static void sh_alpn_empty(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 1, 0};
    set_ext(m, len, TERN_EXT_ALPN, b, sizeof b);
}
static void sh_alpn_two(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 11, 8, 'h', 't', 't', 'p', '/', '1', '.', '1', 1, 'x'};
    set_ext(m, len, TERN_EXT_ALPN, b, sizeof b);
}
static void sh_alpn_other(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0, 3, 2, 'h', '2'};
    set_ext(m, len, TERN_EXT_ALPN, b, sizeof b);
}
static void sh_points_empty(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0};
    set_ext(m, len, TERN_EXT_EC_POINT_FORMATS, b, sizeof b);
}
static void sh_ems_data(uint8_t **m, size_t *len) {
    static const uint8_t b[] = {0};
    set_ext(m, len, TERN_EXT_EXTENDED_MASTER_SECRET, b, sizeof b);
}
static void sh_sid_33(uint8_t **m, size_t *len) {
    (void)len;
    (*m)[4 + 34] = 33;
}
static void sh_cut_random(uint8_t **m, size_t *len) {
    *len = 4 + 20;
    set_body_len(*m, 16);
}
static void sh_suite(uint8_t **m, size_t *len) {
    (void)len;
    size_t at = 4 + 34 + 1 + (*m)[4 + 34];
    tern_store_be16(*m + at, 0x1301); /* a TLS 1.3 suite, never offered */
}
static void sh_comp(uint8_t **m, size_t *len) {
    (void)len;
    (*m)[4 + 34 + 1 + (*m)[4 + 34] + 2] = 1;
}
static void sh_version(uint8_t **m, size_t *len) {
    (void)len;
    (*m)[5] = 2;
}
static void sh_unknown_ext(uint8_t **m, size_t *len) {
    size_t e = sh_off_exts(*m);
    *m = realloc(*m, *len + 4);
    memcpy(*m + *len, "\x44\x44\x00\x00", 4);
    *len += 4;
    tern_store_be16(*m + e, (uint16_t)(tern_load_be16(*m + e) + 4));
    set_body_len(*m, *len - 4);
}
static void sh_dup_ext(uint8_t **m, size_t *len) {
    size_t e = sh_off_exts(*m);
    size_t first = 4 + tern_load_be16(*m + e + 4);
    *m = realloc(*m, *len + first);
    memcpy(*m + *len, *m + e + 2, first);
    *len += first;
    tern_store_be16(*m + e, (uint16_t)(tern_load_be16(*m + e) + first));
    set_body_len(*m, *len - 4);
}

static const bad_case sh_cases[] = {
    {"empty ALPN name", 0, sh_alpn_empty, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "empty"},
    {"two ALPN names", 0, sh_alpn_two, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL},
    {"ALPN not offered", 0, sh_alpn_other, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "did not offer"},
    {"empty ec_point_formats", 0, sh_points_empty, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "empty"},
    {"EMS with data", 0, sh_ems_data, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL},
    {"session_id of 33", 0, sh_sid_33, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL},
    {"message ends in the random", 0, sh_cut_random, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, NULL},
    {"suite not offered", 0, sh_suite, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "0x1301"},
    {"compression 1", 0, sh_comp, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "compression"},
    {"server_version 0x0302", 0, sh_version, TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION, "0x0302"},
    {"unknown extension", 0, sh_unknown_ext, TERN_ERR_UNSUPPORTED_EXTENSION, TERN_ALERT_UNSUPPORTED_EXTENSION,
     "17476"},
    {"duplicate extension", 0, sh_dup_ext, TERN_ERR_ILLEGAL_PARAMETER, TERN_ALERT_ILLEGAL_PARAMETER, "twice"},
};

static void test_server_hello_alerts(void **state) {
    (void)state;
    g_server_hello = 1;
    for (size_t i = 0; i < TERN_ARRAY_LEN(sh_cases); i++) {
        const bad_case *bc = &sh_cases[i];
        mp_pair p;
        mp_init(&p, g_ccfg, g_scfg, "localhost");
        mp_step_client(&p);
        mp_step_server(&p);
        size_t n;
        uint8_t *all = mp_take(&p.s2c, &n);
        uint8_t *hs = malloc(n);
        size_t hl = 0;
        for (size_t off = 0; off + 5 <= n;) {
            size_t rl = tern_load_be16(all + off + 3);
            memcpy(hs + hl, all + off + 5, rl);
            hl += rl;
            off += 5 + rl;
        }
        free(all);
        size_t sl = 4 + tern_load_be24(hs + 1);
        uint8_t *sh = malloc(sl);
        memcpy(sh, hs, sl);
        bc->edit(&sh, &sl);
        put_records(&p.s2c, sh, sl, 16384, 0x0303);
        put_records(&p.s2c, hs + 4 + tern_load_be24(hs + 1), hl - 4 - tern_load_be24(hs + 1), 16384, 0x0303);
        free(sh);
        free(hs);
        mp_step_client(&p);
        print_message("case: ServerHello %s\n", bc->name);
        expect_fail(p.c, p.crc, bc->err, bc->alert, bc->words);
        mp_free(&p);
    }
    g_server_hello = 0;
}

/* ---- 5. no signature_algorithms ---- */

static void no_sigalgs(hello *h, void *arg) {
    (void)arg;
    hello_remove(h, TERN_EXT_SIGNATURE_ALGORITHMS);
}

static void test_no_signature_algorithms(void **state) {
    (void)state;
    /* ECDHE and RSA key exchange offered: the RSA key exchange is chosen. */
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    send_hello(&p, no_sigalgs, NULL, 16384, 0x0301, 1);
    expect_served(&p);
    assert_int_equal(tern_cipher_suite_id(p.s), 0x009C); /* TLS_RSA_WITH_AES_128_GCM_SHA256 */
    mp_free(&p);
    /* Only ECDHE: handshake_failure, naming SHA-1. */
    tern_config *ccfg = client_cfg("ECDHE-RSA-AES128-GCM-SHA256");
    mp_init(&p, ccfg, g_scfg, "localhost");
    send_hello(&p, no_sigalgs, NULL, 16384, 0x0301, 1);
    expect_fail(p.s, p.src, TERN_ERR_HANDSHAKE_FAILURE, TERN_ALERT_HANDSHAKE_FAILURE, "SHA-1");
    mp_free(&p);
    tern_config_free(ccfg);
}

/* ---- 6. no supported_groups ---- */

static void no_groups(hello *h, void *arg) {
    (void)arg;
    hello_remove(h, TERN_EXT_SUPPORTED_GROUPS);
}

static uint16_t ske_group(const mp_pipe *q) {
    size_t rec = 0, msg = 0, mlen = 0;
    assert_true(mp_find(q, TERN_HT_SERVER_KEY_EXCHANGE, &rec, &msg, &mlen));
    assert_int_equal(q->buf[msg + 4], 3); /* named_curve */
    return tern_load_be16(q->buf + msg + 5);
}

static void test_no_supported_groups(void **state) {
    (void)state;
    mp_pair p;
    mp_init(&p, g_ccfg, g_scfg, "localhost");
    send_hello(&p, no_groups, NULL, 16384, 0x0301, 1);
    assert_int_equal(p.src, TERN_WANT_READ);
    assert_int_equal(ske_group(&p.s2c), TERN_GROUP_SECP256R1);
    expect_served(&p);
    assert_int_equal(tern_cipher_suite_id(p.s), 0xC02F); /* ECDHE, not a fallback to RSA */
    mp_free(&p);
    /* A server with x25519 only uses it (RFC 8422 §4: any curve). */
    tern_config *scfg = server_cfg("x25519");
    mp_init(&p, g_ccfg, scfg, "localhost");
    send_hello(&p, no_groups, NULL, 16384, 0x0301, 1);
    assert_int_equal(p.src, TERN_WANT_READ);
    assert_int_equal(ske_group(&p.s2c), TERN_GROUP_X25519);
    expect_served(&p);
    mp_free(&p);
    tern_config_free(scfg);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_version_client_hello),
        cmocka_unit_test(test_record_version_interleaved),
        cmocka_unit_test(test_record_version_after_server_hello),
        cmocka_unit_test(test_record_version_server_side),
        cmocka_unit_test(test_large_hellos),
        cmocka_unit_test(test_too_long_hello),
        cmocka_unit_test(test_extension_counts),
        cmocka_unit_test(test_alerts),
        cmocka_unit_test(test_server_hello_alerts),
        cmocka_unit_test(test_no_signature_algorithms),
        cmocka_unit_test(test_no_supported_groups),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
