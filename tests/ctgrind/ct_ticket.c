/*
 * Constant-time check for session tickets (lib/ticket.c, lib/session.c)
 * under valgrind memcheck: the ticket key (application-supplied, so it can
 * be marked) and the session's master secret are undefined; the state is
 * encoded, sealed, opened and decoded.  A branch or memory index on the
 * key or the master secret is reported.  The key name is public (it
 * travels in clear) and stays defined; after opening, the decrypted bytes
 * other than the master secret are made defined (they are the server's own
 * public bookkeeping: suite, times, names) before decoding, which must not
 * branch on the master secret.  The portable AES-GCM path is forced.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "crypto/cpu.h"
#include "lib/conn.h"
#include "lib/hs.h"

static int failures;

static void check(int cond, const char *what) {
    if (!cond) {
        fprintf(stderr, "ct_ticket: %s\n", what);
        failures++;
    }
}

static int fixed_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 13 + 7);
    return 0;
}

int main(void) {
    setenv("TERN_CPU", "portable", 1);
    tern_cpu_reset();
    tern_config *cfg = tern_config_new();
    check(cfg != NULL, "no config");
    uint8_t keys[48];
    for (size_t i = 0; i < sizeof keys; i++)
        keys[i] = (uint8_t)(0xa0 ^ i);
    VALGRIND_MAKE_MEM_UNDEFINED(keys + 16, 32); /* the AES key, not the name */
    check(tern_config_set_ticket_keys(cfg, keys, 1) == 0, "set keys");

    tern_sess_core st;
    memset(&st, 0, sizeof st);
    st.suite = 0xC02F;
    st.ems = 1;
    st.created = 1800000000;
    st.lifetime = 7200;
    snprintf(st.server_name, sizeof st.server_name, "localhost");
    for (size_t i = 0; i < sizeof st.master; i++)
        st.master[i] = (uint8_t)(i * 5 + 1);
    VALGRIND_MAKE_MEM_UNDEFINED(st.master, sizeof st.master);

    uint8_t plain[1024], ticket[1100], back[1024];
    tern_writer w;
    tern_wr_init(&w, plain, sizeof plain);
    int rc = tern_sess_encode(&st, &w);
    check(rc == 0, "encode");
    size_t plen = tern_wr_len(&w), tlen = 0, blen = 0;
    rc = tern_ticket_seal(cfg->sess, fixed_rng, NULL, 1800000000, plain, plen, ticket, sizeof ticket, &tlen);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == 0, "seal");
    /* The ticket goes on the wire: public from here on. */
    VALGRIND_MAKE_MEM_DEFINED(ticket, tlen);
    int old = 0;
    rc = tern_ticket_open(cfg->sess, 1800000001, ticket, tlen, back, sizeof back, &blen, &old);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == 0 && blen == plen, "open");
    VALGRIND_MAKE_MEM_DEFINED(back, 5); /* format, suite, EMS, identity flag */
    VALGRIND_MAKE_MEM_DEFINED(back + 5 + 48, blen - 5 - 48);
    tern_sess_core out;
    tern_reader r;
    tern_rd_init(&r, back, blen);
    rc = tern_sess_decode(&r, &out);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == 0, "decode");
    VALGRIND_MAKE_MEM_DEFINED(&out, sizeof out);
    VALGRIND_MAKE_MEM_DEFINED(&st, sizeof st);
    check(memcmp(out.master, st.master, sizeof st.master) == 0, "master secret round trip");
    check(strcmp(out.server_name, "localhost") == 0 && out.suite == 0xC02F, "fields round trip");
    /* A forged ticket fails without a secret-dependent branch either. */
    ticket[tlen - 1] ^= 1;
    rc = tern_ticket_open(cfg->sess, 1800000001, ticket, tlen, back, sizeof back, &blen, &old);
    VALGRIND_MAKE_MEM_DEFINED(&rc, sizeof rc);
    check(rc == TERN_ERR_BAD_RECORD_MAC, "forgery refused");
    tern_config_free(cfg);
    if (failures == 0)
        printf("ct_ticket: ok\n");
    return failures != 0;
}
