/*
 * Fuzz target: each handshake message parser on its own, in the state it
 * really runs in.  input[0] picks the message (modulo the table below), the
 * rest is the message body (without its 4-byte header).  The connection is
 * brought to the point just before that message by feeding it the real
 * messages that precede it (captured once at start-up from a deterministic
 * in-memory session, one message per record), then the row's parse
 * function is called on the fuzzed body.  So ServerKeyExchange is parsed
 * with the server's certificate key in place, ClientKeyExchange with the
 * server's X25519 key, Finished with the real master secret.
 *
 * Speed: driving a server to ClientKeyExchange costs an RSA signature, so
 * each target's connection is driven once at start-up and every run works
 * on a byte copy of it (the connection is one allocation; its only
 * pointers into itself are the buffers and the current record, rebased
 * below).  While a copy runs, the original is poisoned for ASan, so a
 * pointer that was not rebased is reported rather than silently followed.
 */
#include <sanitizer/asan_interface.h>

#include "tests/fuzz/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
    enum tern_side side; /* who parses */
    int type;            /* what it parses */
    size_t before;       /* peer messages before it */
    int after_ccs;       /* the peer's CCS comes first */
} targets[] = {
    {TERN_SERVER, TERN_HT_CLIENT_HELLO, 0, 0},
    {TERN_CLIENT, TERN_HT_SERVER_HELLO, 0, 0},
    {TERN_CLIENT, TERN_HT_CERTIFICATE, 1, 0},
    {TERN_CLIENT, TERN_HT_SERVER_KEY_EXCHANGE, 2, 0},
    {TERN_CLIENT, TERN_HT_SERVER_HELLO_DONE, 3, 0},
    {TERN_SERVER, TERN_HT_CLIENT_KEY_EXCHANGE, 1, 0},
    {TERN_SERVER, TERN_HT_CHANGE_CIPHER_SPEC, 2, 0},
    {TERN_CLIENT, TERN_HT_CHANGE_CIPHER_SPEC, 4, 0},
    {TERN_SERVER, TERN_HT_FINISHED, 2, 1},
    {TERN_CLIENT, TERN_HT_FINISHED, 4, 1},
};
#define NTARGETS (sizeof targets / sizeof targets[0])

static fz_buf prefix[NTARGETS];
static tern_conn *master[NTARGETS];

static uint8_t *rebase(const tern_conn *from, uint8_t *to, const uint8_t *p) {
    return p == NULL ? NULL : to + (p - (const uint8_t *)from);
}

static tern_conn *clone_conn(const tern_conn *m) {
    uint8_t *mem = aligned_alloc(64, m->alloc_size);
    if (mem == NULL)
        abort();
    memcpy(mem, m, m->alloc_size);
    tern_conn *c = (tern_conn *)mem;
    c->in = rebase(m, mem, m->in);
    c->out = rebase(m, mem, m->out);
    c->hs = rebase(m, mem, m->hs);
    c->rec_p = rebase(m, mem, m->rec_p);
    c->io_arg = NULL;
    return c;
}

/* A connection of the target's side, waiting for the message under test. */
static tern_conn *drive(size_t t) {
    tern_conn *c = targets[t].side == TERN_SERVER ? fz_server_new() : fz_client_new();
    if (c == NULL)
        abort();
    fz_script sc = {prefix[t].buf, prefix[t].len, 0, 0, 0, NULL, 0};
    if (tern_set_io(c, fz_script_recv, fz_script_send, &sc) < 0)
        abort();
    if (tern_handshake(c) != TERN_WANT_READ)
        abort();
    const tern_hs_row *row = &c->table[c->step];
    if (row->type != targets[t].type || row->sender == c->side || c->hs_in_len != 0 || sc.off != sc.len)
        abort();
    c->io_arg = NULL;
    return c;
}

static void setup(void) {
    static int done;
    if (done)
        return;
    done = 1;
    fz_capture cap;
    static fz_flight fc, fs;
    if (fz_capture_session(&cap) < 0 || fz_split(&cap.c2s, &fc) < 0 || fz_split(&cap.s2c, &fs) < 0)
        fz_die("capture", "the in-memory session failed");
    for (size_t t = 0; t < NTARGETS; t++) {
        /* The peer of the parser sent these. */
        const fz_flight *f = targets[t].side == TERN_SERVER ? &fc : &fs;
        if (targets[t].before > f->n)
            fz_die("capture", "fewer messages than expected");
        for (size_t i = 0; i < targets[t].before; i++)
            fz_record(&prefix[t], TERN_CT_HANDSHAKE, f->msg[i], f->msg_len[i]);
        if (targets[t].after_ccs) {
            static const uint8_t one = 1;
            fz_record(&prefix[t], TERN_CT_CHANGE_CIPHER_SPEC, &one, 1);
        }
        master[t] = drive(t);
    }
    free(cap.c2s.buf);
    free(cap.s2c.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    if (size < 1)
        return 0;
    size_t t = data[0] % NTARGETS;
    tern_conn *c = clone_conn(master[t]);
    size_t msize = master[t]->alloc_size;
    ASAN_POISON_MEMORY_REGION(master[t], msize);
    const tern_hs_row *row = &c->table[c->step];
    tern_reader r;
    tern_rd_init(&r, data + 1, size - 1);
    int rc = row->parse(c, &r);
    if (rc > 0)
        abort();
    /* A refusal fails the connection with the alert of its error. */
    if (rc < 0 && c->state == TERN_ST_FAILED && tern_error_alert(c->err) >= 0 &&
        tern_alert_sent(c) != tern_error_alert(c->err))
        abort();
    tern_free(c);
    ASAN_UNPOISON_MEMORY_REGION(master[t], msize);
    return 0;
}
