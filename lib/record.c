/*
 * The record layer (RFC 5246 §6.2): framing into 5-byte-header records,
 * the size limits, the version rules, and which direction is protected.
 *
 *   struct {
 *       ContentType type;                 -- 20 CCS, 21 alert, 22 handshake, 23 data
 *       ProtocolVersion version;          -- 0x0303 ({03,XX} before ServerHello)
 *       uint16 length;                    -- <= 2^14 plaintext, 2^14 + 24 with AES-GCM
 *       opaque fragment[TLSPlaintext.length];
 *   } TLSPlaintext / TLSCiphertext;
 *
 * Input records are decrypted in place in the input buffer; the plaintext
 * stays there (c->rec_p) until the layer above has consumed it, so the
 * record path never copies or allocates.  Unprotected handshake records
 * (the first flights) are passed up in pieces as their bytes arrive
 * (c->rec_more counts what is still to come): nothing has to be checked
 * over the whole record, and during the handshake the input buffer is
 * shorter than a full record, its tail holding the handshake state
 * (lib/conn.c).  Output records are built in the
 * output buffer, sealed in place, and sent from there by the pump.
 */
#define TERN_LAYER TERN_LAYER_RECORD_KEYS
#include "lib/record.h"
#include "lib/trace.h"

/* Room in the output buffer for one more record of len plaintext bytes. */
static size_t rec_size(const tern_conn *c, size_t len) {
    return TERN_REC_HDR + len + (c->wr.on ? tern_rec_explicit_len(&c->wr) + TERN_GCM_TAG_LEN : 0);
}

int tern_rec_fits(const tern_conn *c, size_t len) {
    size_t used = c->out_sent == c->out_len ? 0 : c->out_len;
    return rec_size(c, len) <= c->out_cap - used;
}

size_t tern_rec_prefix(const tern_conn *c) {
    return TERN_REC_HDR + (c->wr.on ? tern_rec_explicit_len(&c->wr) : 0); /* lib/record_aead.c */
}

size_t tern_rec_suffix(const tern_conn *c) {
    return c->wr.on ? TERN_GCM_TAG_LEN : 0;
}

int tern_rec_close(tern_conn *c, uint8_t type, uint8_t *rec, size_t len) {
    TERN_ENSURE(len <= TERN_MAX_PLAINTEXT, TERN_ERR_INTERNAL);
    if (c->wr.on)
        return tern_rec_seal(&c->wr, type, rec, rec + tern_rec_prefix(c), len);
    rec[0] = type;
    tern_store_be16(rec + 1, TERN_TLS12);
    tern_store_be16(rec + 3, (uint16_t)len);
    return 0;
}

int tern_rec_write(tern_conn *c, uint8_t type, const uint8_t *p, size_t len) {
    TERN_ENSURE(len <= TERN_MAX_PLAINTEXT, TERN_ERR_INTERNAL);
    if (c->out_sent == c->out_len)
        c->out_sent = c->out_len = 0;
    TERN_ENSURE(tern_rec_fits(c, len), TERN_ERR_BUFFER_TOO_SMALL);
    uint8_t *rec = c->out + c->out_len;
    if (c->wr.on) {
        TERN_TRY(tern_rec_seal(&c->wr, type, rec, p, len));
    } else {
        rec[0] = type;
        tern_store_be16(rec + 1, TERN_TLS12);
        tern_store_be16(rec + 3, (uint16_t)len);
        if (len)
            memmove(rec + TERN_REC_HDR, p, len);
    }
    c->out_len += rec_size(c, len);
    return 0;
}

void tern_rec_alert(tern_conn *c, int level, int desc) {
    tern_trace_alert(c, 1, level, desc);
    uint8_t a[2] = {(uint8_t)level, (uint8_t)desc};
    if (tern_rec_write(c, TERN_CT_ALERT, a, 2) < 0) {
        /* No room (a record is half sent) or the sequence is exhausted: the
         * alert is best effort; the error itself is still reported locally. */
    }
}

/* The next piece of a plaintext handshake record whose header was read:
 * whatever part of its body has arrived. */
TERN_MUST_CHECK static int rec_next_piece(tern_conn *c) {
    size_t avail = c->in_end - c->in_start;
    if (avail == 0) {
        TERN_ENSURE(!c->in_eof, TERN_ERR_TRUNCATED);
        return TERN_WANT_READ;
    }
    size_t n = avail < c->rec_more ? avail : c->rec_more;
    c->rec_p = c->in + c->in_start;
    c->rec_left = n;
    c->rec_active = 1;
    c->in_start += n;
    c->rec_more -= n;
    return 0;
}

int tern_rec_next(tern_conn *c) {
    TERN_ENSURE(!c->rec_active, TERN_ERR_INTERNAL);
    if (c->rec_more > 0)
        return rec_next_piece(c);
    size_t avail = c->in_end - c->in_start;
    if (avail < TERN_REC_HDR) {
        /* A transport close here, even between records, is a truncation:
         * only close_notify ends a TLS stream (RFC 5246 §7.2.1). */
        TERN_ENSURE(!c->in_eof, TERN_ERR_TRUNCATED);
        return TERN_WANT_READ;
    }
    uint8_t *rec = c->in + c->in_start;
    uint8_t type = rec[0];
    uint16_t version = tern_load_be16(rec + 1);
    size_t len = tern_load_be16(rec + 3);

    if (type < TERN_CT_CHANGE_CIPHER_SPEC || type > TERN_CT_APPLICATION_DATA)
        return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "record of unknown content type %u", type);
    /* RFC 5246 Appendix E.1: a server "MUST accept any value {03,XX} as the
     * record layer version number for ClientHello", and clients (OpenSSL,
     * most others) put 0x0301 on every record until the version is
     * negotiated, whatever the record holds.  So until ServerHello has
     * fixed the version, both sides take any {03,XX} (the hellos' own
     * version fields decide: lib/hs_client_hello.c, lib/hs_server_hello.c);
     * after it, only 0x0303.  ServerHello fixes the suite with the version:
     * the client sets c->suite as it parses ServerHello, the server as it
     * parses ClientHello and writes ServerHello before it reads again. */
    if (version != TERN_TLS12 && !(version >> 8 == 3 && c->suite == NULL))
        return tern_fail(c, TERN_ERR_PROTOCOL_VERSION, "record with version 0x%04x, expected 0x0303 (TLS 1.2)",
                         version);
    size_t limit = c->rd.on ? TERN_MAX_CIPHERTEXT : TERN_MAX_PLAINTEXT;
    if (len > limit)
        return tern_fail(c, TERN_ERR_RECORD_OVERFLOW, "record of %zu bytes, the limit is %zu", len, limit);
    if (!c->rd.on && type == TERN_CT_HANDSHAKE && len > 0) {
        /* Unprotected handshake bytes need no whole-record check, so they
         * are passed up as they arrive and the record never has to fit the
         * buffer whole (during the handshake part of it holds the handshake
         * state: lib/conn.c).  Nothing else may come until the record ends
         * (c->rec_more), which is the rule of RFC 5246 §6.2.1 anyway. */
        c->in_start += TERN_REC_HDR;
        c->records_in++;
        c->rec_type = type;
        c->rec_more = len;
        c->empty_records = 0;
        return rec_next_piece(c);
    }
    if (TERN_REC_HDR + len > c->in_cap)
        /* Only during the handshake, when the buffer is shorter: no record
         * the handshake waits for is this long (a protected one holds a
         * Finished; ChangeCipherSpec and alerts are a few bytes). */
        return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "a %zu-byte %s record arrived during the handshake", len,
                         type == TERN_CT_APPLICATION_DATA ? "application data"
                         : type == TERN_CT_ALERT          ? "alert"
                         : type == TERN_CT_HANDSHAKE      ? "protected handshake"
                                                          : "ChangeCipherSpec");
    if (avail < TERN_REC_HDR + len) {
        TERN_ENSURE(!c->in_eof, TERN_ERR_TRUNCATED);
        if (c->in_start + TERN_REC_HDR + len > c->in_cap) {
            memmove(c->in, c->in + c->in_start, avail);
            c->in_start = 0;
            c->in_end = avail;
        }
        return TERN_WANT_READ;
    }
    rec = c->in + c->in_start;
    c->in_start += TERN_REC_HDR + len;
    c->records_in++;

    uint8_t *plain = rec + TERN_REC_HDR;
    size_t plen = len;
    if (c->rd.on) {
        int rc = tern_rec_open(&c->rd, type, rec, len, &plain, &plen);
        if (rc == TERN_ERR_BAD_RECORD_MAC)
            return tern_fail(c, rc, "a %s record failed authentication (%s tag mismatch)",
                             type == TERN_CT_APPLICATION_DATA ? "application data" : "protected",
                             c->rd.aead == TERN_AEAD_CHACHA20_POLY1305 ? "ChaCha20-Poly1305" : "AES-GCM");
        TERN_TRY(rc);
        /* ChaCha20-Poly1305 adds 16 bytes, not 24: a record that passed the
         * length check above may still hold more than 2^14 plaintext. */
        if (plen > TERN_MAX_PLAINTEXT)
            return tern_fail(c, TERN_ERR_RECORD_OVERFLOW, "record of %zu plaintext bytes, the limit is %d", plen,
                             TERN_MAX_PLAINTEXT);
    }
    /* RFC 5246 §6.2.1: zero-length fragments are only allowed for
     * application data (and even those are bounded, against floods). */
    if (plen == 0) {
        if (type != TERN_CT_APPLICATION_DATA)
            return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "empty record of content type %u", type);
        if (++c->empty_records > 32)
            return tern_fail(c, TERN_ERR_UNEXPECTED_MESSAGE, "too many empty records in a row");
    } else {
        c->empty_records = 0;
    }
    c->rec_type = type;
    c->rec_p = plain;
    c->rec_left = plen;
    c->rec_active = 1;
    return 0;
}

void tern_rec_done(tern_conn *c) {
    c->rec_active = 0;
    c->rec_left = 0;
    if (c->in_start == c->in_end)
        c->in_start = c->in_end = 0;
}
