/*
 * A client and a server talking through memory, shared by the TLS tests
 * (header-only; each test file includes it once): a pipe per direction that
 * never blocks the writer (unless given a limit), the handshake pump, and
 * helpers that find, replace or drop one plaintext handshake message in the
 * bytes a side has sent but the other has not read yet (records before
 * ChangeCipherSpec are not protected, so a test can play the attacker), or
 * take the unread bytes out and put records of its own in.  Optional knobs
 * on a pipe, all off when zero: deliver at most `chunk` bytes per read, hold
 * at most `limit` bytes (beyond that the writer gets TERN_WANT_WRITE or a
 * short count), and `closed` (the writer went away: reads give 0 once
 * drained, as a TCP close would).
 * Include after <cmocka.h>, "lib/conn.h" and "tests/util/testutil.h".
 */
#ifndef TERN_TESTS_MEMPAIR_H
#define TERN_TESTS_MEMPAIR_H

/* Not every test uses every helper. */
#define MP_FN static __attribute__((unused))

typedef struct {
    uint8_t *buf;
    size_t len, off, cap;
    int closed;   /* the writer went away (a read gives 0 once drained) */
    size_t chunk; /* deliver at most this many bytes per read (0: all) */
    size_t limit; /* hold at most this many bytes (0: unbounded); beyond, WANT_WRITE */
} mp_pipe;

typedef struct {
    mp_pipe *in, *out;
} mp_end;

MP_FN int mp_recv(void *arg, uint8_t *b, size_t n) {
    mp_pipe *p = ((mp_end *)arg)->in;
    size_t avail = p->len - p->off;
    if (avail == 0)
        return p->closed ? 0 : TERN_WANT_READ;
    if (p->chunk && n > p->chunk)
        n = p->chunk;
    if (n > avail)
        n = avail;
    memcpy(b, p->buf + p->off, n);
    p->off += n;
    if (p->off == p->len)
        p->off = p->len = 0;
    return (int)n;
}

/* Append n bytes to pipe q as if its writer had sent them (no limit). */
MP_FN void mp_put(mp_pipe *q, const uint8_t *b, size_t n) {
    if (q->len + n > q->cap) {
        q->cap = (q->len + n) * 2 + 1024;
        q->buf = realloc(q->buf, q->cap);
        assert_non_null(q->buf);
    }
    if (n > 0) /* b may be NULL then */
        memcpy(q->buf + q->len, b, n);
    q->len += n;
}

MP_FN int mp_send(void *arg, const uint8_t *b, size_t n) {
    mp_pipe *p = ((mp_end *)arg)->out;
    if (p->limit) {
        size_t held = p->len - p->off;
        if (held >= p->limit)
            return TERN_WANT_WRITE;
        if (n > p->limit - held)
            n = p->limit - held;
    }
    mp_put(p, b, n);
    return (int)n;
}

/* A plaintext record (header and body) appended to pipe q. */
MP_FN void mp_put_record(mp_pipe *q, uint8_t type, const uint8_t *body, size_t n) {
    uint8_t hdr[5] = {type, 3, 3, (uint8_t)(n >> 8), (uint8_t)n};
    mp_put(q, hdr, 5);
    mp_put(q, body, n);
}

/* Everything unread in pipe q, taken out (caller frees); *n its length. */
MP_FN uint8_t *mp_take(mp_pipe *q, size_t *n) {
    *n = q->len - q->off;
    uint8_t *b = malloc(*n + 1);
    assert_non_null(b);
    if (*n > 0)
        memcpy(b, q->buf + q->off, *n);
    q->len = q->off = 0;
    return b;
}

typedef struct {
    tern_conn *c, *s;
    mp_pipe c2s, s2c;
    mp_end ce, se;
    int crc, src;
} mp_pair;

MP_FN void mp_init(mp_pair *p, const tern_config *ccfg, const tern_config *scfg, const char *name) {
    memset(p, 0, sizeof *p);
    p->c = tern_client_new(ccfg, name);
    p->s = tern_server_new(scfg);
    assert_non_null(p->c);
    assert_non_null(p->s);
    p->ce.in = &p->s2c;
    p->ce.out = &p->c2s;
    p->se.in = &p->c2s;
    p->se.out = &p->s2c;
    assert_int_equal(tern_set_io(p->c, mp_recv, mp_send, &p->ce), 0);
    assert_int_equal(tern_set_io(p->s, mp_recv, mp_send, &p->se), 0);
    p->crc = p->src = TERN_WANT_READ;
}

MP_FN void mp_free(mp_pair *p) {
    tern_free(p->c);
    tern_free(p->s);
    free(p->c2s.buf);
    free(p->s2c.buf);
}

MP_FN int mp_pending(int rc) { return rc == TERN_WANT_READ || rc == TERN_WANT_WRITE; }

/* One step of each side still handshaking: client first, then server. */
MP_FN void mp_step_client(mp_pair *p) {
    if (mp_pending(p->crc))
        p->crc = tern_handshake(p->c);
}
MP_FN void mp_step_server(mp_pair *p) {
    if (mp_pending(p->src))
        p->src = tern_handshake(p->s);
}

/* Both, client first. */
MP_FN void mp_step(mp_pair *p) {
    mp_step_client(p);
    mp_step_server(p);
}

/* Run both until both are done or failed, or nothing moves. */
MP_FN void mp_handshake(mp_pair *p) {
    for (int i = 0; i < 1000 && (mp_pending(p->crc) || mp_pending(p->src)); i++) {
        size_t before = p->c2s.len + p->s2c.len;
        mp_step_client(p);
        mp_step_server(p);
        if (i > 2 && before == 0 && p->c2s.len + p->s2c.len == 0)
            break;
    }
}

/* mp_handshake, and both sides must have finished. */
MP_FN void mp_handshake_ok(mp_pair *p) {
    mp_handshake(p);
    if (p->crc != 0 || p->src != 0)
        fail_msg("handshake: client %d (%s), server %d (%s)", p->crc, tern_error(p->c), p->src, tern_error(p->s));
}

/* c failed: the call returned rc, which must be err; it sent `alert` (-1:
 * none); its message holds `words` (unless NULL); and the failure sticks:
 * tern_handshake returns err again, and with MP_FAIL_READ so does tern_read,
 * with MP_FAIL_WRITE tern_write (and the handshake does not count as done). */
enum { MP_FAIL_READ = 1, MP_FAIL_WRITE = 2 };
MP_FN void mp_expect_fail(tern_conn *c, long rc, int err, int alert, const char *words, int also) {
    if (rc != err)
        fail_msg("expected %d (%s), got %ld: %s", err, tern_strerror(err), rc, tern_error(c));
    if (tern_alert_sent(c) != alert)
        fail_msg("expected alert %d, sent %d: %s", alert, tern_alert_sent(c), tern_error(c));
    if (words != NULL && strstr(tern_error(c), words) == NULL)
        fail_msg("error \"%s\" lacks \"%s\"", tern_error(c), words);
    assert_int_equal(tern_handshake(c), err);
    uint8_t b[16];
    if (also & MP_FAIL_READ)
        assert_int_equal(tern_read(c, b, sizeof b), err);
    if (also & MP_FAIL_WRITE) {
        assert_int_equal(tern_write(c, "x", 1), err);
        assert_int_equal(tern_handshake_done(c), 0);
    }
}

/* Send len bytes of a pattern from one side to the other after the
 * handshake, in writes of at most `chunk` bytes, reading as it goes; what
 * arrives must be what was sent. */
MP_FN void mp_transfer(tern_conn *from, tern_conn *to, size_t len, size_t chunk) {
    uint8_t *data = malloc(len), *got = malloc(len);
    assert_non_null(data);
    assert_non_null(got);
    for (size_t i = 0; i < len; i++)
        data[i] = (uint8_t)(i * 151 + 3);
    size_t sent = 0, recvd = 0;
    while (recvd < len) {
        if (sent < len) {
            long w = tern_write(from, data + sent, len - sent < chunk ? len - sent : chunk);
            assert_true(w > 0);
            sent += (size_t)w;
        }
        for (;;) {
            long r = tern_read(to, got + recvd, len - recvd);
            if (r == TERN_WANT_READ)
                break;
            assert_true(r > 0);
            recvd += (size_t)r;
        }
    }
    assert_memory_equal(data, got, len);
    free(data);
    free(got);
}

/* Find handshake message `type` in the unread plaintext records of pipe
 * q (before any CCS).  On success *rec is the record's offset in q->buf
 * and *msg the message's (header included), *mlen its length. */
MP_FN int mp_find(const mp_pipe *q, int type, size_t *rec, size_t *msg, size_t *mlen) {
    size_t at = q->off;
    while (at + 5 <= q->len) {
        size_t rlen = tern_load_be16(q->buf + at + 3);
        if (q->buf[at] == TERN_CT_CHANGE_CIPHER_SPEC)
            return 0;
        if (q->buf[at] == TERN_CT_HANDSHAKE) {
            size_t m = at + 5;
            while (m + 4 <= at + 5 + rlen) {
                size_t blen = tern_load_be24(q->buf + m + 1);
                if (q->buf[m] == type) {
                    *rec = at;
                    *msg = m;
                    *mlen = 4 + blen;
                    return 1;
                }
                m += 4 + blen;
            }
        }
        at += 5 + rlen;
    }
    return 0;
}

/* Replace handshake message `type` (whole, header included) in pipe q by
 * new_msg (any length; the record length is fixed up; the message must lie
 * in one record, which is how tern writes a flight with 16 KB records). */
MP_FN void mp_replace(mp_pipe *q, int type, const uint8_t *new_msg, size_t new_len) {
    size_t rec, msg, mlen;
    if (!mp_find(q, type, &rec, &msg, &mlen))
        fail_msg("handshake message %d not found", type);
    size_t rlen = tern_load_be16(q->buf + rec + 3);
    assert_true(msg + mlen <= rec + 5 + rlen);
    size_t tail = q->len - (msg + mlen);
    size_t need = q->len - mlen + new_len;
    if (need > q->cap) {
        q->cap = need + 1024;
        q->buf = realloc(q->buf, q->cap);
        assert_non_null(q->buf);
    }
    memmove(q->buf + msg + new_len, q->buf + msg + mlen, tail);
    if (new_len > 0) /* new_msg may be NULL then */
        memcpy(q->buf + msg, new_msg, new_len);
    q->len = need;
    size_t nrlen = rlen - mlen + new_len;
    if (nrlen == 0) { /* the record held only this message: drop it */
        memmove(q->buf + rec, q->buf + rec + 5, q->len - rec - 5);
        q->len -= 5;
        return;
    }
    tern_store_be16(q->buf + rec + 3, (uint16_t)nrlen);
}

MP_FN void mp_drop(mp_pipe *q, int type) { mp_replace(q, type, NULL, 0); }

/* A copy of message `type` in pipe q (caller frees); *len its length. */
MP_FN uint8_t *mp_copy(const mp_pipe *q, int type, size_t *len) {
    size_t rec, msg;
    if (!mp_find(q, type, &rec, &msg, len))
        return NULL;
    uint8_t *m = malloc(*len);
    assert_non_null(m);
    memcpy(m, q->buf + msg, *len);
    return m;
}

/* Configurations from the fixtures in vectors/certs. */
MP_FN tern_config *mp_config(const char *trust, const char *chain, const char *key) {
    tern_config *cfg = tern_config_new();
    assert_non_null(cfg);
    if (trust != NULL && tern_config_load_truststore(cfg, tv_path(trust)) != 0)
        fail_msg("truststore %s: %s", trust, tern_config_error(cfg));
    if (chain != NULL) {
        char c[512], k[512];
        snprintf(c, sizeof c, "%s", tv_path(chain));
        snprintf(k, sizeof k, "%s", tv_path(key));
        if (tern_config_load_keystore(cfg, c, k) != 0)
            fail_msg("keystore %s: %s", chain, tern_config_error(cfg));
    }
    return cfg;
}

/* mp_config, then the cipher suites and groups when not NULL. */
MP_FN tern_config *mp_config_with(const char *trust, const char *chain, const char *key, const char *suites,
                                  const char *groups) {
    tern_config *cfg = mp_config(trust, chain, key);
    if (suites)
        assert_int_equal(tern_config_set_cipher_suites(cfg, suites), 0);
    if (groups)
        assert_int_equal(tern_config_set_groups(cfg, groups), 0);
    return cfg;
}

#endif
