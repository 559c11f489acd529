/*
 * Fuzz target: the record layer (lib/record.c, lib/record_gcm.c).
 * input[0]: bit 0 the side (server / client: the first-ClientHello version
 * rule differs), bit 1 protection (AES-128-GCM with a fixed key, so the
 * seeds made by make_seeds.c authenticate and the fuzzer gets past the tag),
 * bits 2-7 the delivery chunk (0: as much as fits).  The rest is the byte
 * stream from the peer: records are taken with tern_rec_next until it
 * waits or fails, then the transport ends (a truncation must be reported
 * as one).  Checks: a record's plaintext lies inside the input buffer and
 * within the size limits; empty records only for application data.
 *
 * Second half, a round-trip oracle: the same bytes, cut into plaintext
 * fragments, are sealed by a writer and must come back unchanged, with
 * their types, from a reader holding the same key.
 */
#include "tests/fuzz/engine.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_record(const tern_conn *c) {
    if (c->rec_p < c->in || c->rec_p + c->rec_left > c->in + c->in_cap)
        abort();
    if (c->rec_left > TERN_MAX_PLAINTEXT)
        abort();
    if (c->rec_type < TERN_CT_CHANGE_CIPHER_SPEC || c->rec_type > TERN_CT_APPLICATION_DATA)
        abort();
    if (c->rec_left == 0 && c->rec_type != TERN_CT_APPLICATION_DATA)
        abort();
}

static void parse_stream(const uint8_t *data, size_t size) {
    uint8_t flags = data[0];
    tern_conn *c = (flags & 1) ? fz_client_new() : fz_server_new();
    if (c == NULL)
        abort();
    if ((flags & 2) && tern_rec_gcm_on(&c->rd, fz_rec_key, sizeof fz_rec_key, fz_rec_salt) < 0)
        abort();
    size_t chunk = flags >> 2, off = 1;
    int rc = 0;
    for (int guard = 0; guard < 1000000; guard++) {
        rc = tern_rec_next(c);
        if (rc == 0) {
            check_record(c);
            tern_rec_done(c);
            continue;
        }
        if (rc != TERN_WANT_READ)
            break;
        size_t cap;
        uint8_t *p = tern_engine_recv_buf(c, &cap);
        size_t n = size - off;
        if (n > cap)
            n = cap;
        if (chunk && n > chunk)
            n = chunk;
        if (n == 0 && cap == 0)
            abort(); /* the engine asked for bytes it has no room for */
        if (n > 0)
            memcpy(p, data + off, n);
        off += n;
        tern_engine_recv_done(c, n); /* 0: end of the transport */
        if (n == 0) {
            rc = tern_rec_next(c);
            if (rc == 0 || rc == TERN_WANT_READ)
                abort(); /* nothing complete was left, so EOF must be an error */
            break;
        }
    }
    if (rc == TERN_ERR_TRUNCATED && off != size)
        abort();
    tern_free(c);
}

static void round_trip(const uint8_t *data, size_t size) {
    tern_conn *w = fz_client_new(), *r = fz_server_new();
    if (w == NULL || r == NULL)
        abort();
    if (tern_rec_gcm_on(&w->wr, fz_rec_key, sizeof fz_rec_key, fz_rec_salt) < 0 ||
        tern_rec_gcm_on(&r->rd, fz_rec_key, sizeof fz_rec_key, fz_rec_salt) < 0)
        abort();
    r->records_in = 1;
    size_t off = 0;
    while (off < size) {
        /* A fragment of 1..256 bytes (empty only for application data). */
        uint8_t type = (uint8_t)(TERN_CT_CHANGE_CIPHER_SPEC + (data[off] & 3));
        size_t n = (size_t)data[off] + 1;
        off++;
        if (n > size - off)
            n = size - off;
        if (n == 0)
            type = TERN_CT_APPLICATION_DATA;
        if (tern_rec_write(w, type, data + off, n) != 0)
            abort();
        size_t len, cap;
        const uint8_t *out = tern_engine_send_buf(w, &len);
        uint8_t *in = tern_engine_recv_buf(r, &cap);
        if (len > cap)
            abort();
        memcpy(in, out, len);
        tern_engine_send_done(w, len);
        tern_engine_recv_done(r, len);
        if (tern_rec_next(r) != 0 || r->rec_type != type || r->rec_left != n ||
            (n && memcmp(r->rec_p, data + off, n) != 0))
            abort();
        tern_rec_done(r);
        off += n;
    }
    tern_free(w);
    tern_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1)
        return 0;
    parse_stream(data, size);
    round_trip(data + 1, size - 1);
    return 0;
}
