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
 * on a byte copy of it (the connection is one allocation; the pointers
 * it holds into itself, all in the tern_conn struct at its start: the
 * buffers, the current record, the handshake state, the record keys, the
 * extras, are rebased below by scanning the struct for words that point
 * into the old block).  While a copy runs, the original is poisoned for ASan, so a
 * pointer that was not rebased is reported rather than silently followed.
 */
#include <sanitizer/asan_interface.h>

#include "lib/names.h"
#include "tests/fuzz/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define targets fz_hs_targets
#define NTARGETS FZ_HS_NTARGETS

static fz_buf prefix[NTARGETS];
static tern_conn *master[NTARGETS];
static const tern_hs_row *row_of[NTARGETS];

static uint8_t *rebase(const tern_conn *from, uint8_t *to, const uint8_t *p) {
    return p == NULL ? NULL : to + (p - (const uint8_t *)from);
}

static tern_conn *clone_conn(const tern_conn *m) {
    uint8_t *mem = aligned_alloc(16, m->alloc_size); /* the size is a multiple of 16 (lib/conn.c) */
    if (mem == NULL)
        abort();
    memcpy(mem, m, m->alloc_size);
    tern_conn *c = (tern_conn *)mem;
    /* Every pointer-sized word of the struct whose value lies inside the
     * old block is a pointer into it (no counter or flag comes near a heap
     * address), so this keeps up with new fields by itself. */
    const uintptr_t lo = (uintptr_t)m, hi = lo + m->alloc_size;
    for (size_t off = 0; off + sizeof(void *) <= sizeof(tern_conn); off += sizeof(void *)) {
        uint8_t *p;
        memcpy(&p, mem + off, sizeof p);
        if ((uintptr_t)p >= lo && (uintptr_t)p < hi) {
            p = rebase(m, mem, p);
            memcpy(mem + off, &p, sizeof p);
        }
    }
    c->io_arg = NULL;
    return c;
}

/* A connection of the target's side, waiting for the message under test
 * (possibly at an optional row before it, e.g. CertificateRequest before
 * ServerHelloDone: the row of the expected message is then further on). */
static tern_conn *drive(size_t t, const tern_hs_row **rowp) {
    tern_conn *c = targets[t].side == TERN_SERVER ? fz_server_new_v(targets[t].variant)
                                                  : fz_client_new_v(targets[t].variant);
    if (c == NULL)
        abort();
    fz_script sc = {prefix[t].buf, prefix[t].len, 0, 0, 0, NULL, 0};
    if (tern_set_io(c, fz_script_recv, fz_script_send, &sc) < 0)
        abort();
    if (tern_handshake(c) != TERN_WANT_READ || c->hs_in_len != 0 || sc.off != sc.len) {
        fprintf(stderr, "fuzz_hs: target %zu: the prefix did not bring the connection to its message: %s\n", t,
                tern_error(c));
        abort();
    }
    size_t i = c->step;
    while (i < c->nrows && !(c->table[i].type == targets[t].type && c->table[i].sender != c->side) &&
           (c->table[i].optional || (c->table[i].applies != NULL && !c->table[i].applies(c))))
        i++;
    if (i == c->nrows || c->table[i].type != targets[t].type || c->table[i].sender == c->side) {
        fprintf(stderr, "fuzz_hs: target %zu: the connection waits for %s\n", t, tern_name_handshake_text(c->table[c->step].type));
        abort();
    }
    *rowp = &c->table[i];
    c->io_arg = NULL;
    return c;
}

static void setup(void) {
    static int done;
    if (done)
        return;
    done = 1;
    static fz_flight fc[FZ_VARIANTS], fs[FZ_VARIANTS];
    for (int v = 0; v < FZ_VARIANTS; v++) {
        fz_capture cap;
        if (fz_capture_session_v(&cap, v) < 0 || fz_split(&cap.c2s, &fc[v]) < 0 || fz_split(&cap.s2c, &fs[v]) < 0)
            fz_die("capture", "the in-memory session failed");
        free(cap.c2s.buf);
        free(cap.s2c.buf);
    }
    for (size_t t = 0; t < NTARGETS; t++) {
        /* The peer of the parser sent these. */
        int v = targets[t].variant;
        const fz_flight *f = targets[t].side == TERN_SERVER ? &fc[v] : &fs[v];
        if (targets[t].before > f->n)
            fz_die("capture", "fewer messages than expected");
        for (size_t i = 0; i < targets[t].before; i++)
            fz_record(&prefix[t], TERN_CT_HANDSHAKE, f->msg[i], f->msg_len[i]);
        if (targets[t].after_ccs) {
            static const uint8_t one = 1;
            fz_record(&prefix[t], TERN_CT_CHANGE_CIPHER_SPEC, &one, 1);
        }
        master[t] = drive(t, &row_of[t]);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    setup();
    if (size < 1)
        return 0;
    size_t t = data[0] % NTARGETS;
    tern_conn *c = clone_conn(master[t]);
    size_t msize = master[t]->alloc_size;
    ASAN_POISON_MEMORY_REGION(master[t], msize);
    const tern_hs_row *row = row_of[t];
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
