/*
 * The record layer (RFC 5246 §6.2, RFC 5288):
 *   - AES-GCM record protection cross-checked against OpenSSL's EVP AES-GCM
 *     with the RFC 5288 nonce (salt || seq) and AAD (seq || type || version
 *     || length), both directions, lengths 0 .. 16384; tampering with any
 *     byte, the type or the sequence fails; the sequence never wraps;
 *   - framing rules on a real connection fed crafted records: the record
 *     version (any {03,XX} on the ClientHello's records, nothing else), unknown
 *     content types, empty handshake records, a handshake message split over
 *     records (accepted) and interleaved with CCS / alert / data (refused),
 *     a ClientHello over the largest well-formed size, record_overflow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lib/conn.h"
#include "lib/record.h"
#include "tests/util/testutil.h"

#ifdef TERN_TEST_HAVE_OPENSSL
#include <openssl/evp.h>
#endif

static const size_t lens[] = {0, 1, 15, 16, 17, 255, 1000, 4096, 16383, 16384};

static void fill(uint8_t *p, size_t n, uint32_t seed) {
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1664525u + 1013904223u;
        p[i] = (uint8_t)(seed >> 24);
    }
}

#ifdef TERN_TEST_HAVE_OPENSSL
/* RFC 5288 with OpenSSL, written from the RFC independently of record_gcm.c. */
static int ossl_gcm(int enc, const uint8_t *key, size_t keylen, const uint8_t salt[4], uint64_t seq, uint8_t type,
                    const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16]) {
    uint8_t nonce[12], aad[13];
    memcpy(nonce, salt, 4);
    for (int i = 0; i < 8; i++)
        nonce[4 + i] = aad[i] = (uint8_t)(seq >> (56 - 8 * i));
    aad[8] = type;
    aad[9] = 3;
    aad[10] = 3;
    aad[11] = (uint8_t)(len >> 8);
    aad[12] = (uint8_t)len;
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    int ok = 1, n;
    ok &= EVP_CipherInit_ex(ctx, keylen == 16 ? EVP_aes_128_gcm() : EVP_aes_256_gcm(), NULL, key, nonce, enc);
    ok &= EVP_CipherUpdate(ctx, NULL, &n, aad, 13);
    if (len)
        ok &= EVP_CipherUpdate(ctx, out, &n, in, (int)len);
    if (!enc)
        ok &= EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, tag);
    ok &= EVP_CipherFinal_ex(ctx, out + len, &n);
    if (enc)
        ok &= EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, tag);
    EVP_CIPHER_CTX_free(ctx);
    return ok ? 0 : -1;
}
#endif

static void test_gcm_records(void **state) {
    (void)state;
    static uint8_t plain[16384], rec[16384 + 64], back[16384 + 64];
    for (size_t keylen = 16; keylen <= 32; keylen += 16) {
        uint8_t key[32], salt[4];
        fill(key, sizeof key, (uint32_t)keylen);
        fill(salt, 4, 77);
        tern_rec_dir w, r;
        static tern_gcm_key wkey, rkey;
        tern_rec_dir_init(&w, &wkey, sizeof wkey);
        tern_rec_dir_init(&r, &rkey, sizeof rkey);
        assert_int_equal(tern_rec_gcm_on(&w, key, keylen, salt), 0);
        assert_int_equal(tern_rec_gcm_on(&r, key, keylen, salt), 0);
        for (size_t i = 0; i < TERN_ARRAY_LEN(lens); i++) {
            size_t n = lens[i];
            fill(plain, n, (uint32_t)(n + keylen));
            uint64_t seq = w.seq;
            assert_int_equal(tern_rec_gcm_seal(&w, TERN_CT_APPLICATION_DATA, rec, plain, n), 0);
            assert_int_equal(rec[0], TERN_CT_APPLICATION_DATA);
            assert_int_equal(tern_load_be16(rec + 1), 0x0303);
            assert_int_equal(tern_load_be16(rec + 3), n + 24);
            assert_true(tern_load_be64(rec + 5) == seq); /* explicit nonce = sequence number */
#ifdef TERN_TEST_HAVE_OPENSSL
            /* OpenSSL opens what we sealed ... */
            uint8_t tag[16];
            memcpy(tag, rec + 13 + n, 16);
            assert_int_equal(ossl_gcm(0, key, keylen, salt, seq, TERN_CT_APPLICATION_DATA, rec + 13, n, back, tag), 0);
            assert_memory_equal(back, plain, n);
            /* ... and we open what OpenSSL sealed. */
            uint8_t orec[16384 + 64];
            memcpy(orec, rec, 13);
            assert_int_equal(ossl_gcm(1, key, keylen, salt, seq, TERN_CT_APPLICATION_DATA, plain, n, orec + 13, tag),
                             0);
            memcpy(orec + 13 + n, tag, 16);
            assert_memory_equal(orec, rec, 13 + n + 16);
#endif
            /* Tampering: a flipped byte anywhere in nonce/ciphertext/tag,
             * or the wrong type, fails and leaves the sequence alone. */
            size_t spots[] = {5, 12, 13, 13 + n / 2, 13 + n + 15};
            for (size_t k = 0; k < 5; k++) {
                if (spots[k] >= 13 + n + 16 || (n == 0 && spots[k] == 13 + n / 2 && k == 3))
                    continue;
                memcpy(back, rec, 13 + n + 16);
                back[spots[k]] ^= 0x20;
                uint8_t *pt;
                size_t pl;
                uint64_t before = r.seq;
                assert_int_equal(tern_rec_gcm_open(&r, TERN_CT_APPLICATION_DATA, back, n + 24, &pt, &pl),
                                 TERN_ERR_BAD_RECORD_MAC);
                assert_true(r.seq == before);
            }
            memcpy(back, rec, 13 + n + 16);
            uint8_t *pt;
            size_t pl;
            assert_int_equal(tern_rec_gcm_open(&r, TERN_CT_HANDSHAKE, back, n + 24, &pt, &pl), TERN_ERR_BAD_RECORD_MAC);
            memcpy(back, rec, 13 + n + 16); /* a failed open wipes its (in-place) output */
            assert_int_equal(tern_rec_gcm_open(&r, TERN_CT_APPLICATION_DATA, back, n + 24, &pt, &pl), 0);
            assert_int_equal(pl, n);
            assert_memory_equal(pt, plain, n);
            /* Replaying it: the receiver's sequence moved on, so it fails. */
            memcpy(back, rec, 13 + n + 16);
            assert_int_equal(tern_rec_gcm_open(&r, TERN_CT_APPLICATION_DATA, back, n + 24, &pt, &pl),
                             TERN_ERR_BAD_RECORD_MAC);
            r.seq = w.seq;
        }
        /* Too short to hold nonce and tag. */
        uint8_t *pt;
        size_t pl;
        assert_int_equal(tern_rec_gcm_open(&r, TERN_CT_APPLICATION_DATA, rec, 23, &pt, &pl), TERN_ERR_BAD_RECORD_MAC);
        /* The sequence never wraps: the last value is usable, then stop. */
        w.seq = UINT64_MAX - 1;
        assert_int_equal(tern_rec_gcm_seal(&w, TERN_CT_APPLICATION_DATA, rec, plain, 10), 0);
        assert_int_equal(tern_rec_gcm_seal(&w, TERN_CT_APPLICATION_DATA, rec, plain, 10), TERN_ERR_LIMIT);
        tern_rec_wipe(&w);
        tern_rec_wipe(&r);
    }
}

/* ---- framing, on a server connection fed crafted bytes ---- */
typedef struct {
    uint8_t in[70000];
    size_t in_len, in_off;
    size_t out_len;
} feed;

static int f_recv(void *arg, uint8_t *b, size_t n) {
    feed *f = arg;
    size_t avail = f->in_len - f->in_off;
    if (avail == 0)
        return TERN_WANT_READ;
    if (n > avail)
        n = avail;
    memcpy(b, f->in + f->in_off, n);
    f->in_off += n;
    return (int)n;
}
static int f_send(void *arg, const uint8_t *b, size_t n) {
    (void)b;
    ((feed *)arg)->out_len += n;
    return (int)n;
}

static void add_record(feed *f, uint8_t type, uint16_t version, const uint8_t *p, size_t n) {
    assert_true(f->in_len + 5 + n <= sizeof f->in);
    f->in[f->in_len] = type;
    tern_store_be16(f->in + f->in_len + 1, version);
    tern_store_be16(f->in + f->in_len + 3, (uint16_t)n);
    memcpy(f->in + f->in_len + 5, p, n);
    f->in_len += 5 + n;
}

static uint8_t *go_client_hello(size_t *n) {
    /* The Go client's ClientHello from the tls12-trace, handshake header
     * included (it offers 0xC02F). */
    char *text = tv_slurp(tv_path("tls12-trace/trace.txt"), NULL);
    char *p = strstr(text, "\nclient_hello = ");
    assert_non_null(p);
    p += strlen("\nclient_hello = ");
    p[strcspn(p, "\r\n")] = 0;
    uint8_t *m = tv_unhex(p, n);
    free(text);
    return m;
}

static tern_config *scfg;

static int run_server(feed *f, tern_conn **out) {
    tern_conn *c = tern_server_new(scfg);
    assert_non_null(c);
    assert_int_equal(tern_set_io(c, f_recv, f_send, f), 0);
    int rc = tern_handshake(c);
    *out = c;
    return rc;
}

static void expect(feed *f, int err, int alert, const char *words) {
    tern_conn *c;
    int rc = run_server(f, &c);
    if (rc != err)
        fail_msg("expected %d, got %d (%s)", err, rc, tern_error(c));
    assert_int_equal(tern_alert_sent(c), alert);
    if (words && !strstr(tern_error(c), words))
        fail_msg("\"%s\" lacks \"%s\"", tern_error(c), words);
    tern_free(c);
}

static void test_framing(void **state) {
    (void)state;
    size_t n;
    uint8_t *ch = go_client_hello(&n);
    static feed f;

    /* Accepted: record version 0x0301 on the first ClientHello (as OpenSSL
     * and Go send it); the server answers with its flight. */
    memset(&f, 0, sizeof f);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0301, ch, n);
    tern_conn *c;
    assert_int_equal(run_server(&f, &c), TERN_WANT_READ);
    assert_true(f.out_len > 1000);
    tern_free(c);

    /* Accepted: the same ClientHello cut into three records. */
    memset(&f, 0, sizeof f);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0303, ch, 2);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0303, ch + 2, 50);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0303, ch + 52, n - 52);
    assert_int_equal(run_server(&f, &c), TERN_WANT_READ);
    assert_true(f.out_len > 1000);
    tern_free(c);

    /* RFC 5246 Appendix E.1: any {03,XX} on every record of the
     * ClientHello (until ServerHello fixes the version). */
    static const uint16_t ok_versions[] = {0x0300, 0x0304, 0x03ff};
    for (size_t k = 0; k < TERN_ARRAY_LEN(ok_versions); k++) {
        memset(&f, 0, sizeof f);
        add_record(&f, TERN_CT_HANDSHAKE, 0x0303, ch, 10);
        add_record(&f, TERN_CT_HANDSHAKE, ok_versions[k], ch + 10, n - 10);
        assert_int_equal(run_server(&f, &c), TERN_WANT_READ);
        assert_true(f.out_len > 1000);
        tern_free(c);
    }
    /* Record versions outside the rule. */
    memset(&f, 0, sizeof f);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0203, ch, n);
    expect(&f, TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION, "0x0203");
    memset(&f, 0, sizeof f);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0303, ch, 10);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0403, ch + 10, n - 10);
    expect(&f, TERN_ERR_PROTOCOL_VERSION, TERN_ALERT_PROTOCOL_VERSION, "0x0403");

    /* Unknown content type; empty handshake record; data too early. */
    memset(&f, 0, sizeof f);
    add_record(&f, 24, 0x0303, ch, n);
    expect(&f, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "content type");
    memset(&f, 0, sizeof f);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0303, ch, 0);
    expect(&f, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "empty");
    memset(&f, 0, sizeof f);
    add_record(&f, TERN_CT_APPLICATION_DATA, 0x0303, ch, 5);
    expect(&f, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "application data");

    /* Interleaving inside a fragmented message: CCS, alert, data. */
    static const uint8_t one = 1, warn[2] = {1, TERN_ALERT_USER_CANCELED};
    for (int k = 0; k < 3; k++) {
        memset(&f, 0, sizeof f);
        add_record(&f, TERN_CT_HANDSHAKE, 0x0303, ch, 30);
        if (k == 0)
            add_record(&f, TERN_CT_CHANGE_CIPHER_SPEC, 0x0303, &one, 1);
        else if (k == 1)
            add_record(&f, TERN_CT_ALERT, 0x0303, warn, 2);
        else
            add_record(&f, TERN_CT_APPLICATION_DATA, 0x0303, ch, 3);
        add_record(&f, TERN_CT_HANDSHAKE, 0x0303, ch + 30, n - 30);
        expect(&f, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, NULL);
    }

    /* A ClientHello longer than any well-formed one (131,396 bytes). */
    uint8_t big[4] = {TERN_HT_CLIENT_HELLO, 0x02, 0x01, 0x45};
    memset(&f, 0, sizeof f);
    add_record(&f, TERN_CT_HANDSHAKE, 0x0303, big, 4);
    expect(&f, TERN_ERR_DECODE, TERN_ALERT_DECODE_ERROR, "well-formed");

    /* A record over 2^14 (plaintext) is refused from its header. */
    memset(&f, 0, sizeof f);
    uint8_t hdr[5] = {TERN_CT_HANDSHAKE, 3, 3, 0x40, 0x01};
    memcpy(f.in, hdr, 5);
    f.in_len = 5;
    expect(&f, TERN_ERR_RECORD_OVERFLOW, TERN_ALERT_RECORD_OVERFLOW, NULL);

    /* A second message in the ClientHello's record where the client's
     * ClientKeyExchange should come: unexpected_message, not a crash. */
    memset(&f, 0, sizeof f);
    uint8_t two[600];
    memcpy(two, ch, n);
    memcpy(two + n, "\x0e\x00\x00\x00", 4); /* ServerHelloDone from a client */
    add_record(&f, TERN_CT_HANDSHAKE, 0x0303, two, n + 4);
    expect(&f, TERN_ERR_UNEXPECTED_MESSAGE, TERN_ALERT_UNEXPECTED_MESSAGE, "ServerHelloDone");

    /* A fatal alert from the peer is reported by name, with no alert back. */
    memset(&f, 0, sizeof f);
    static const uint8_t fatal[2] = {2, TERN_ALERT_HANDSHAKE_FAILURE};
    add_record(&f, TERN_CT_ALERT, 0x0303, fatal, 2);
    expect(&f, TERN_ERR_PEER_ALERT, -1, "handshake_failure");
    free(ch);
}

static int setup(void **state) {
    (void)state;
    scfg = tern_config_new();
    char chain[512];
    snprintf(chain, sizeof chain, "%s", tv_path("certs/server-chain.pem"));
    return tern_config_load_keystore(scfg, chain, tv_path("certs/server.key"));
}

static int teardown(void **state) {
    (void)state;
    tern_config_free(scfg);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gcm_records),
        cmocka_unit_test(test_framing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
