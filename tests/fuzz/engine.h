/*
 * Shared by the engine-level fuzz targets (fuzz_client.c, fuzz_server.c,
 * fuzz_hs.c) and the seed maker (make_seeds.c): deterministic client and
 * server configurations, a memory transport, and a capture of one complete
 * in-memory session (handshake, an echoed message, close_notify both ways).
 *
 * Determinism is what makes the seeds useful: the RNG is tv_rng with a fixed
 * seed reset before every connection and the clock is a constant, so a
 * client fed the captured server bytes takes exactly the path of the capture
 * (the server's signature covers the same client_random, the Finished
 * messages match), the fuzzer starts deep inside the protocol, and every
 * crash reproduces from its input file alone.
 *
 * Not a fuzz target itself (the Makefile builds tests/fuzz/fuzz_*.c).
 */
#ifndef TERN_FUZZ_ENGINE_H
#define TERN_FUZZ_ENGINE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/conn.h"
#include "lib/engine.h"
#include "lib/hs.h"
#include "lib/record.h"
#include "tests/util/testutil.h"

#define FZ_UNUSED __attribute__((unused))

/* 2027-01-15: inside every fixture's validity period. */
#define FZ_NOW 1800000000
#define FZ_CLIENT_SEED 0x636c69656e74ull
#define FZ_SERVER_SEED 0x736572766572ull
/* The record target's fixed AES-128-GCM read/write key and salt. */
static const uint8_t fz_rec_key[16] FZ_UNUSED = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
static const uint8_t fz_rec_salt[4] FZ_UNUSED = {0xa0, 0xa1, 0xa2, 0xa3};
#define FZ_MESSAGE "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n"

static int64_t fz_clock(void *arg) {
    (void)arg;
    return FZ_NOW;
}

static uint64_t fz_client_rng_state, fz_server_rng_state;

static void fz_die(const char *what, const char *why) {
    fprintf(stderr, "fuzz setup: %s: %s (run from the repository root)\n", what, why);
    abort();
}

/* Configuration variants, so the engines are fuzzed in each shape:
 *   0  ECDHE_RSA (the defaults), ALPN; the client asks for OCSP stapling
 *      (soft mode, RFC 6066 §8 status_request), which the variant-0
 *      server does not answer; fz_staple_server_new's server does (seeds
 *      of fuzz_client with a CertificateStatus, make_seeds.c);
 *   1  the RSA key exchange and mutual TLS: the server requires a client
 *      certificate (CertificateRequest, client Certificate,
 *      CertificateVerify, RSA-encrypted premaster);
 *   2  session tickets on both sides (NewSessionTicket), fixed ticket keys;
 *   3  as 2, the client offering the session of a variant-2 handshake
 *      (the abbreviated handshake; the server opens the ticket).
 * The client trusts the test root; the server holds the test chain and
 * key.  Each is built once and shared read-only by every connection
 * (tern.h's thread-safety rule). */
#define FZ_VARIANTS 4
static tern_session *fz_session;

/* Every configuration has a trace (lib/trace.c): what the message files
 * report from hostile bytes is worded into events, and every byte and
 * string an event carries is read here, under ASan. */
static size_t fz_trace_sum;
static void fz_trace(void *arg, const tern_trace_event *ev) {
    (void)arg;
    size_t sum = strlen(ev->name) + strlen(ev->rfc) + strlen(ev->detail);
    for (size_t i = 0; i < ev->nfields; i++)
        sum += strlen(ev->fields[i].name) + strlen(ev->fields[i].value);
    for (size_t i = 0; ev->bytes != NULL && i < ev->len; i++)
        sum += ev->bytes[i];
    fz_trace_sum += sum;
}

static FZ_UNUSED tern_config *fz_client_cfg_v(int v) {
    static tern_config *cfgs[FZ_VARIANTS];
    v &= FZ_VARIANTS - 1;
    if (v == 3)
        v = 2; /* the same configuration; only the session offered differs */
    tern_config *cfg = cfgs[v];
    if (cfg == NULL) {
        cfg = cfgs[v] = tern_config_new();
        if (cfg == NULL)
            fz_die("config", "out of memory");
        if (tern_config_load_truststore(cfg, tv_path("certs/root-ca.crt")) < 0)
            fz_die("client truststore", tern_config_error(cfg));
        if (tern_config_set_alpn(cfg, "h2,http/1.1") < 0)
            fz_die("alpn", "refused");
        if (v == 0 && (tern_config_load_truststore(cfg, tv_path("ocsp/ca.crt")) < 0 ||
                       tern_config_request_ocsp(cfg, TERN_OCSP_SOFT) < 0))
            fz_die("client OCSP stapling", tern_config_error(cfg));
        if (v == 1) {
            char chain[512];
            snprintf(chain, sizeof chain, "%s", tv_path("certs/client-chain.pem"));
            if (tern_config_load_keystore(cfg, chain, tv_path("certs/client.key")) < 0)
                fz_die("client keystore", tern_config_error(cfg));
            if (tern_config_set_cipher_suites(cfg, "AES128-GCM-SHA256:AES256-GCM-SHA384") < 0)
                fz_die("client suites", "refused");
        }
        if (v == 2 && tern_config_set_session_tickets(cfg, 1, 86400) < 0)
            fz_die("client tickets", "refused");
        tern_config_set_clock(cfg, fz_clock, NULL);
        tern_config_set_rng(cfg, tv_rng, &fz_client_rng_state);
        tern_config_set_trace(cfg, fz_trace, NULL);
    }
    return cfg;
}

static FZ_UNUSED tern_config *fz_server_cfg_v(int v) {
    static tern_config *cfgs[FZ_VARIANTS];
    v &= FZ_VARIANTS - 1;
    if (v == 3)
        v = 2;
    tern_config *cfg = cfgs[v];
    if (cfg == NULL) {
        char chain[512];
        cfg = cfgs[v] = tern_config_new();
        if (cfg == NULL)
            fz_die("config", "out of memory");
        snprintf(chain, sizeof chain, "%s", tv_path("certs/server-chain.pem"));
        if (tern_config_load_keystore(cfg, chain, tv_path("certs/server.key")) < 0)
            fz_die("server keystore", tern_config_error(cfg));
        if (tern_config_set_alpn(cfg, "http/1.1") < 0)
            fz_die("alpn", "refused");
        if (v == 1) {
            if (tern_config_load_truststore(cfg, tv_path("certs/root-ca.crt")) < 0)
                fz_die("server truststore", tern_config_error(cfg));
            if (tern_config_set_client_auth(cfg, TERN_CLIENT_AUTH_REQUIRED) < 0)
                fz_die("client auth", "refused");
            if (tern_config_set_cipher_suites(cfg, "ECDHE-RSA-AES128-GCM-SHA256:AES128-GCM-SHA256:"
                                                   "AES256-GCM-SHA384") < 0)
                fz_die("server suites", "refused");
        }
        if (v == 2) {
            uint8_t keys[48];
            for (size_t i = 0; i < sizeof keys; i++)
                keys[i] = (uint8_t)(0x40 + i);
            if (tern_config_set_ticket_keys(cfg, keys, 1) < 0)
                fz_die("ticket keys", "refused");
        }
        tern_config_set_clock(cfg, fz_clock, NULL);
        tern_config_set_rng(cfg, tv_rng, &fz_server_rng_state);
        tern_config_set_trace(cfg, fz_trace, NULL);
    }
    return cfg;
}

/* A server that staples an OCSP response (vectors/ocsp: the leaf, P-256,
 * and good.der, valid at FZ_NOW), for the variant-0 client. */
static FZ_UNUSED tern_config *fz_staple_server_cfg(void) {
    static tern_config *cfg;
    if (cfg == NULL) {
        char chain[512];
        size_t n;
        cfg = tern_config_new();
        if (cfg == NULL)
            fz_die("config", "out of memory");
        snprintf(chain, sizeof chain, "%s", tv_path("ocsp/leaf-chain.pem"));
        if (tern_config_load_keystore(cfg, chain, tv_path("ocsp/leaf.key")) < 0)
            fz_die("staple server keystore", tern_config_error(cfg));
        tern_config_set_clock(cfg, fz_clock, NULL);
        tern_config_set_rng(cfg, tv_rng, &fz_server_rng_state);
        tern_config_set_trace(cfg, fz_trace, NULL);
        char *der = tv_slurp(tv_path("ocsp/good.der"), &n);
        if (der == NULL || tern_config_set_ocsp_response(cfg, 0, (const uint8_t *)der, n) < 0)
            fz_die("staple server OCSP response", tern_config_error(cfg));
        free(der);
    }
    return cfg;
}

static FZ_UNUSED tern_config *fz_client_cfg(void) { return fz_client_cfg_v(0); }
static FZ_UNUSED tern_config *fz_server_cfg(void) { return fz_server_cfg_v(0); }
static FZ_UNUSED void fz_make_session(void);

/* New connections with their RNG reset: the same bytes every time. */
static FZ_UNUSED tern_conn *fz_client_new_v(int v) {
    v &= FZ_VARIANTS - 1;
    if (v == 3)
        fz_make_session();
    tern_config *cfg = fz_client_cfg_v(v);
    fz_client_rng_state = FZ_CLIENT_SEED;
    tern_conn *c = tern_client_new(cfg, "localhost");
    if (c != NULL && v == 3 && tern_set_session(c, fz_session) < 0)
        fz_die("session", "the captured session cannot be offered");
    return c;
}

static FZ_UNUSED tern_conn *fz_server_new_v(int v) {
    tern_config *cfg = fz_server_cfg_v(v);
    fz_server_rng_state = FZ_SERVER_SEED;
    return tern_server_new(cfg);
}

static FZ_UNUSED tern_conn *fz_staple_server_new(void) {
    tern_config *cfg = fz_staple_server_cfg();
    fz_server_rng_state = FZ_SERVER_SEED;
    return tern_server_new(cfg);
}

static FZ_UNUSED tern_conn *fz_client_new(void) { return fz_client_new_v(0); }
static FZ_UNUSED tern_conn *fz_server_new(void) { return fz_server_new_v(0); }

/* ---- transports ---- */

/* A growable byte log. */
typedef struct {
    uint8_t *buf;
    size_t len, off, cap;
} fz_buf;

static FZ_UNUSED void fz_append(fz_buf *b, const uint8_t *p, size_t n) {
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2 + 64;
        b->buf = realloc(b->buf, b->cap);
        if (b->buf == NULL)
            abort();
    }
    if (n)
        memcpy(b->buf + b->len, p, n);
    b->len += n;
}

/* Scripted peer input: `data` handed out at most `chunk` bytes per recv
 * (0: everything at once), then end of file when `eof` is set, else
 * TERN_WANT_READ.  Output is counted and dropped (or kept in `out`). */
typedef struct {
    const uint8_t *data;
    size_t len, off, chunk;
    int eof;
    fz_buf *out;
    size_t sent;
} fz_script;

static FZ_UNUSED int fz_script_recv(void *arg, uint8_t *b, size_t n) {
    fz_script *s = arg;
    size_t avail = s->len - s->off;
    if (avail == 0)
        return s->eof ? 0 : TERN_WANT_READ;
    if (s->chunk && n > s->chunk)
        n = s->chunk;
    if (n > avail)
        n = avail;
    memcpy(b, s->data + s->off, n);
    s->off += n;
    return (int)n;
}

static FZ_UNUSED int fz_script_send(void *arg, const uint8_t *b, size_t n) {
    fz_script *s = arg;
    if (s->out)
        fz_append(s->out, b, n);
    s->sent += n;
    return (int)(n > 0x7fffffff ? 0x7fffffff : n);
}

/* A pair in memory: each side's sends land in the other's queue and in a
 * log of everything it ever sent. */
typedef struct {
    fz_buf q;   /* bytes not yet received by the other side */
    fz_buf log; /* everything sent */
} fz_dir;
typedef struct {
    fz_dir *in, *out;
} fz_end;

static FZ_UNUSED int fz_pair_recv(void *arg, uint8_t *b, size_t n) {
    fz_buf *q = &((fz_end *)arg)->in->q;
    size_t avail = q->len - q->off;
    if (avail == 0)
        return TERN_WANT_READ;
    if (n > avail)
        n = avail;
    memcpy(b, q->buf + q->off, n);
    q->off += n;
    if (q->off == q->len)
        q->off = q->len = 0;
    return (int)n;
}

static FZ_UNUSED int fz_pair_send(void *arg, const uint8_t *b, size_t n) {
    fz_dir *d = ((fz_end *)arg)->out;
    fz_append(&d->q, b, n);
    fz_append(&d->log, b, n);
    return (int)n;
}

/* ---- the capture ---- */

typedef struct {
    fz_buf c2s, s2c;                 /* every byte each side sent */
    uint8_t client_verify[TERN_VERIFY_LEN], server_verify[TERN_VERIFY_LEN];
} fz_capture;

static int fz_pending(int rc) { return rc == TERN_WANT_READ || rc == TERN_WANT_WRITE; }

/* One full deterministic session: handshake, FZ_MESSAGE from the client,
 * echoed by the server, close_notify from the client, answered by the
 * server.  Returns 0, or -1 if anything went wrong (printed).  The server
 * is s (taken over), or NULL for the variant's. */
static FZ_UNUSED int fz_capture_session_sv(fz_capture *cap, int v, tern_conn *s) {
    memset(cap, 0, sizeof *cap);
    fz_dir c2s = {{0}, {0}}, s2c = {{0}, {0}};
    fz_end ce = {&s2c, &c2s}, se = {&c2s, &s2c};
    tern_conn *c = fz_client_new_v(v);
    if (s == NULL)
        s = fz_server_new_v(v);
    int ok = -1;
    if (c == NULL || s == NULL)
        goto out;
    if (tern_set_io(c, fz_pair_recv, fz_pair_send, &ce) < 0 || tern_set_io(s, fz_pair_recv, fz_pair_send, &se) < 0)
        goto out;
    int crc = TERN_WANT_READ, src = TERN_WANT_READ;
    for (int i = 0; i < 64 && (fz_pending(crc) || fz_pending(src)); i++) {
        if (fz_pending(crc))
            crc = tern_handshake(c);
        if (fz_pending(src))
            src = tern_handshake(s);
    }
    if (crc != 0 || src != 0) {
        fprintf(stderr, "capture: handshake failed: client %d (%s), server %d (%s)\n", crc, tern_error(c), src,
                tern_error(s));
        goto out;
    }
    const size_t mlen = sizeof FZ_MESSAGE - 1;
    uint8_t buf[256];
    if (tern_write(c, FZ_MESSAGE, mlen) != (long)mlen || tern_read(s, buf, sizeof buf) != (long)mlen ||
        tern_write(s, buf, mlen) != (long)mlen || tern_read(c, buf, sizeof buf) != (long)mlen ||
        memcmp(buf, FZ_MESSAGE, mlen) != 0)
        goto out;
    if (tern_close(c) != 0 || tern_read(s, buf, sizeof buf) != 0 || tern_close(s) != 0 ||
        tern_read(c, buf, sizeof buf) != 0)
        goto out;
    if (v == 2 && fz_session == NULL && (fz_session = tern_get_session(c)) == NULL)
        goto out;
    if (v == 3 && !tern_session_reused(c)) {
        fprintf(stderr, "capture: the session was not resumed\n");
        goto out;
    }
    memcpy(cap->client_verify, c->client_verify, TERN_VERIFY_LEN);
    memcpy(cap->server_verify, c->server_verify, TERN_VERIFY_LEN);
    cap->c2s = c2s.log;
    cap->s2c = s2c.log;
    c2s.log.buf = s2c.log.buf = NULL;
    ok = 0;
out:
    tern_free(c);
    tern_free(s);
    free(c2s.q.buf);
    free(s2c.q.buf);
    free(c2s.log.buf);
    free(s2c.log.buf);
    return ok;
}

static FZ_UNUSED int fz_capture_session_v(fz_capture *cap, int v) { return fz_capture_session_sv(cap, v, NULL); }
static FZ_UNUSED int fz_capture_session(fz_capture *cap) { return fz_capture_session_v(cap, 0); }

/* The session of a variant-2 handshake, made once (deterministically). */
static FZ_UNUSED void fz_make_session(void) {
    if (fz_session != NULL)
        return;
    fz_capture cap;
    if (fz_capture_session_v(&cap, 2) < 0 || fz_session == NULL)
        fz_die("session", "the variant-2 capture gave no session");
    free(cap.c2s.buf);
    free(cap.s2c.buf);
}

/* The plaintext handshake messages of one direction (before its
 * ChangeCipherSpec), header included, pointing into the log. */
#define FZ_MAX_MSGS 8
typedef struct {
    uint8_t hs[65536]; /* the handshake records' payloads, joined */
    size_t hs_len;
    const uint8_t *msg[FZ_MAX_MSGS];
    size_t msg_len[FZ_MAX_MSGS];
    size_t n;
    int saw_ccs;
} fz_flight;

static FZ_UNUSED int fz_split(const fz_buf *log, fz_flight *f) {
    memset(f, 0, sizeof *f);
    size_t off = 0;
    while (off + TERN_REC_HDR <= log->len) {
        const uint8_t *r = log->buf + off;
        size_t rl = tern_load_be16(r + 3);
        if (off + TERN_REC_HDR + rl > log->len)
            return -1;
        if (r[0] == TERN_CT_CHANGE_CIPHER_SPEC) {
            f->saw_ccs = 1;
            break;
        }
        if (r[0] == TERN_CT_HANDSHAKE) {
            if (f->hs_len + rl > sizeof f->hs)
                return -1;
            memcpy(f->hs + f->hs_len, r + TERN_REC_HDR, rl);
            f->hs_len += rl;
        }
        off += TERN_REC_HDR + rl;
    }
    size_t m = 0;
    while (m + TERN_HS_HDR <= f->hs_len && f->n < FZ_MAX_MSGS) {
        size_t bl = tern_load_be24(f->hs + m + 1);
        if (m + TERN_HS_HDR + bl > f->hs_len)
            return -1;
        f->msg[f->n] = f->hs + m;
        f->msg_len[f->n] = TERN_HS_HDR + bl;
        f->n++;
        m += TERN_HS_HDR + bl;
    }
    return f->saw_ccs ? 0 : -1;
}

/* Append one plaintext record. */
static FZ_UNUSED void fz_record(fz_buf *b, uint8_t type, const uint8_t *p, size_t n) {
    uint8_t hdr[TERN_REC_HDR] = {type, 3, 3, (uint8_t)(n >> 8), (uint8_t)n};
    fz_append(b, hdr, sizeof hdr);
    fz_append(b, p, n);
}

/* fuzz_hs's targets (input[0] picks one): which side parses which message,
 * after how many of the peer's messages, in which configuration variant.
 * make_seeds.c writes one seed per row from the captured sessions. */
static const struct {
    enum tern_side side; /* who parses */
    int type;            /* what it parses */
    size_t before;       /* peer messages before it */
    int after_ccs;       /* the peer's CCS comes first */
    int variant;         /* configuration (tests/fuzz/engine.h) */
} fz_hs_targets[] FZ_UNUSED = {
    {TERN_SERVER, TERN_HT_CLIENT_HELLO, 0, 0, 0},
    {TERN_CLIENT, TERN_HT_SERVER_HELLO, 0, 0, 0},
    {TERN_CLIENT, TERN_HT_CERTIFICATE, 1, 0, 0},
    {TERN_CLIENT, TERN_HT_SERVER_KEY_EXCHANGE, 2, 0, 0},
    {TERN_CLIENT, TERN_HT_SERVER_HELLO_DONE, 3, 0, 0},
    {TERN_SERVER, TERN_HT_CLIENT_KEY_EXCHANGE, 1, 0, 0},
    {TERN_SERVER, TERN_HT_CHANGE_CIPHER_SPEC, 2, 0, 0},
    {TERN_CLIENT, TERN_HT_CHANGE_CIPHER_SPEC, 4, 0, 0},
    {TERN_SERVER, TERN_HT_FINISHED, 2, 1, 0},
    {TERN_CLIENT, TERN_HT_FINISHED, 4, 1, 0},
    /* RSA key exchange + mutual TLS */
    {TERN_CLIENT, TERN_HT_CERTIFICATE_REQUEST, 2, 0, 1},
    {TERN_SERVER, TERN_HT_CERTIFICATE, 1, 0, 1},
    {TERN_SERVER, TERN_HT_CLIENT_KEY_EXCHANGE, 2, 0, 1},
    {TERN_SERVER, TERN_HT_CERTIFICATE_VERIFY, 3, 0, 1},
    /* session tickets */
    {TERN_CLIENT, TERN_HT_NEW_SESSION_TICKET, 4, 0, 2},
    {TERN_SERVER, TERN_HT_CLIENT_HELLO, 0, 0, 3},
    {TERN_CLIENT, TERN_HT_SERVER_HELLO, 0, 0, 3},
};
#define FZ_HS_NTARGETS (sizeof fz_hs_targets / sizeof fz_hs_targets[0])

/* Drive one engine with the peer's bytes: input[0] bits 0-5 are the
 * delivery chunk size (0: all at once), bits 6-7 the configuration variant
 * (the caller made c with fz_*_new_v(fz_variant(input))); the rest is what
 * the peer sends.  After a
 * handshake, application data is read and echoed back, then the
 * connection is closed.  Checks the engine's promises (abort() on a
 * broken one, so the fuzzer reports it):
 *   - a failure is sticky: later calls return the same error;
 *   - a protocol error sent exactly the alert its code maps to;
 *   - no application data is released before the handshake is done;
 *   - a read never returns more than asked. */
static FZ_UNUSED int fz_variant(const uint8_t *data, size_t size) { return size ? data[0] >> 6 : 0; }

static FZ_UNUSED void fz_run_engine(tern_conn *c, const uint8_t *data, size_t size) {
    if (c == NULL)
        abort();
    fz_script sc = {0};
    if (size > 0) {
        sc.chunk = data[0] & 63;
        sc.data = data + 1;
        sc.len = size - 1;
    }
    sc.eof = 1;
    if (tern_set_io(c, fz_script_recv, fz_script_send, &sc) < 0)
        abort();
    int rc = tern_handshake(c);
    uint8_t buf[4096];
    if (rc == 0) {
        if (!tern_handshake_done(c))
            abort();
        for (int i = 0; i < 256; i++) {
            size_t want = 1 + (size_t)(i * 997) % sizeof buf;
            long n = tern_read(c, buf, want);
            if (n > (long)want)
                abort();
            if (n <= 0) {
                rc = (int)n;
                break;
            }
            long w = tern_write(c, buf, (size_t)n);
            if (w < 0 && w != TERN_WANT_WRITE) {
                rc = (int)w;
                break;
            }
        }
        if (rc == 0)
            (void)tern_close(c);
    } else {
        if (tern_handshake_done(c))
            abort();
        /* No plaintext before the handshake is done. */
        if (tern_read(c, buf, sizeof buf) > 0)
            abort();
    }
    /* FZ_TRACE=1 ./build-fuzz/fuzz_client FILE: how an input ended. */
    if (getenv("FZ_TRACE"))
        fprintf(stderr, "engine: rc %d, handshake %s, %zu of %zu input bytes taken, %zu sent; %s\n", rc,
                tern_handshake_done(c) ? "done" : "not done", sc.off, sc.len, sc.sent, tern_error(c));
    if (rc < 0 && rc != TERN_WANT_READ && rc != TERN_WANT_WRITE) {
        /* Sticky, and the alert that goes with the error. */
        if (tern_handshake(c) != rc)
            abort();
        if (tern_read(c, buf, 1) != rc)
            abort();
        int alert = tern_error_alert(rc);
        if (alert >= 0 && tern_alert_sent(c) != alert)
            abort();
        if (tern_error(c)[0] == '\0')
            abort();
    }
    tern_free(c);
}

#endif
