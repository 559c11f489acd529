/*
 * Fuzz target: the server's streaming ClientHello parser
 * (lib/hs_client_hello.c), differentially.  The same body is parsed twice
 * on fresh server connections: whole (tern_hs_client_hello_parse over the
 * complete body, as lib/hs.c does for a hello of up to hs_max bytes) and as
 * a stream cut at split points the fuzzer chooses (begin, feed piece by
 * piece, finish, as lib/hs.c does for a longer one).  Both must give the
 * same result: the same error code and sentence, or the same suite, group,
 * signature scheme, schemes kept, server name, ALPN choice, EMS and
 * renegotiation flags and resumption decision.  Any difference, or a
 * sanitizer report, is a finding.
 *
 * Input: byte 0: bits 7-6 the configuration variant (tests/fuzz/engine.h),
 * bits 3-0 the number of split points k; then k 2-byte big-endian piece
 * lengths (0 is allowed: an empty feed); the rest is the ClientHello body
 * (without its 4-byte header).  Pieces past the body's end are clipped, the
 * last piece takes what is left.
 */
#include "tests/fuzz/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct {
    int rc;
    char err[512];
    uint16_t suite, group, scheme;
    uint16_t sigalgs[TERN_MAX_SIGALGS];
    size_t nsigalgs;
    char name[TERN_NAME_MAX];
    char alpn[TERN_ALPN_MAX];
    int ems, reneg, resumed, x25519, p256, ticket_ext;
} outcome;

static void record(tern_conn *c, int rc, outcome *o) {
    memset(o, 0, sizeof *o);
    o->rc = rc;
    snprintf(o->err, sizeof o->err, "%s", tern_error(c));
    if (rc != 0)
        return;
    const tern_hs_state *h = c->hs_state;
    o->suite = c->suite ? c->suite->id : 0;
    o->group = h->group;
    o->scheme = c->sigscheme;
    o->nsigalgs = h->npeer_sigalgs;
    memcpy(o->sigalgs, h->peer_sigalgs, sizeof o->sigalgs);
    snprintf(o->name, sizeof o->name, "%s", c->server_name);
    if (c->alpn != NULL)
        snprintf(o->alpn, sizeof o->alpn, "%s", c->alpn);
    o->ems = c->ems;
    o->reneg = h->peer_offered_reneg;
    o->resumed = c->sess.resumed;
    o->x25519 = h->peer_offered_x25519;
    o->p256 = h->peer_offered_p256;
    o->ticket_ext = h->sess.ticket_ext;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    int variant = data[0] >> 6;
    size_t k = data[0] & 15;
    if (size < 1 + 2 * k)
        return 0;
    const uint8_t *splits = data + 1;
    const uint8_t *body = data + 1 + 2 * k;
    size_t len = size - 1 - 2 * k;

    /* Whole. */
    tern_conn *a = fz_server_new_v(variant);
    if (a == NULL)
        abort();
    tern_reader r;
    tern_rd_init(&r, body, len);
    int rc = tern_hs_client_hello_parse(a, &r);
    outcome whole;
    record(a, rc, &whole);
    tern_free(a);

    /* Streamed. */
    tern_conn *b = fz_server_new_v(variant);
    if (b == NULL)
        abort();
    rc = tern_hs_client_hello_begin(b, len, 1);
    size_t off = 0;
    for (size_t i = 0; rc == 0 && i <= k; i++) {
        size_t n = i < k ? tern_load_be16(splits + 2 * i) : len - off;
        if (n > len - off)
            n = len - off;
        rc = tern_hs_client_hello_feed(b, body + off, n);
        off += n;
    }
    if (rc == 0) {
        tern_rd_init(&r, NULL, 0);
        rc = tern_hs_client_hello_parse(b, &r);
    }
    outcome streamed;
    record(b, rc, &streamed);
    tern_free(b);

    if (whole.rc != streamed.rc || strcmp(whole.err, streamed.err) != 0 || whole.suite != streamed.suite ||
        whole.group != streamed.group || whole.scheme != streamed.scheme || whole.nsigalgs != streamed.nsigalgs ||
        memcmp(whole.sigalgs, streamed.sigalgs, sizeof whole.sigalgs) != 0 ||
        strcmp(whole.name, streamed.name) != 0 || strcmp(whole.alpn, streamed.alpn) != 0 ||
        whole.ems != streamed.ems || whole.reneg != streamed.reneg || whole.resumed != streamed.resumed ||
        whole.x25519 != streamed.x25519 || whole.p256 != streamed.p256 || whole.ticket_ext != streamed.ticket_ext) {
        fprintf(stderr, "fuzz_hello: whole and streamed parses differ:\n  whole    %d %s\n  streamed %d %s\n",
                whole.rc, whole.err, streamed.rc, streamed.err);
        abort();
    }
    return 0;
}
