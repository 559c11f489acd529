/*
 * Constant-time check for the Finished comparison (lib/hs_finished.c,
 * lib/keysched.c; RFC 5246 §7.4.9): the engine's own steps on a real
 * connection.  The master secret and the transcript are marked undefined,
 * verify_data is derived from them with tern_ks_verify_data (the PRF over
 * the transcript hash), and compared with tern_ct_memeq against a received
 * value that is undefined too (an attacker's guess must not learn how many
 * bytes matched).  Only the one-bit result is marked defined before use.
 * Both suites' PRF hashes (SHA-256, SHA-384), both sides, a matching and a
 * mismatching value (first byte and last byte differ).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "lib/conn.h"
#include "lib/hs.h"
#include "crypto/ct.h"
#include "lib/keysched.h"

static int64_t fixed_clock(void *arg) {
    (void)arg;
    return 1800000000;
}

static int fixed_rng(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(i * 29 + 3);
    return 0;
}

int main(void) {
    tern_config *cfg = tern_config_new();
    if (cfg == NULL)
        return 2;
    tern_config_insecure_skip_verify(cfg);
    tern_config_set_clock(cfg, fixed_clock, NULL);
    tern_config_set_rng(cfg, fixed_rng, NULL);
    static const uint16_t suites[] = {0xC02F, 0xC030};
    int checked = 0;
    for (size_t s = 0; s < 2; s++)
        for (int side = 0; side < 2; side++)
            for (int variant = 0; variant < 3; variant++) {
                tern_conn *c = tern_client_new(cfg, NULL);
                if (c == NULL)
                    return 2;
                c->suite = tern_suite_by_id(suites[s]);
                if (c->suite == NULL)
                    return 2;
                for (size_t i = 0; i < TERN_MASTER_LEN; i++)
                    c->master[i] = (uint8_t)(i * 7 + 1);
                uint8_t transcript[300];
                for (size_t i = 0; i < sizeof transcript; i++)
                    transcript[i] = (uint8_t)(i * 13 + 5);
                VALGRIND_MAKE_MEM_UNDEFINED(c->master, sizeof c->master);
                VALGRIND_MAKE_MEM_UNDEFINED(transcript, sizeof transcript);
                tern_hs_transcript(c, transcript, sizeof transcript);

                /* What the peer must have sent, computed the engine's way. */
                uint8_t expect[TERN_VERIFY_LEN], got[TERN_VERIFY_LEN];
                enum tern_side who = side ? TERN_SERVER : TERN_CLIENT;
                if (tern_ks_verify_data(c, who, expect) != 0)
                    return 2;
                /* The received value: equal, or off in one byte.  Copying
                 * keeps it undefined (it is derived from the secret). */
                memcpy(got, expect, sizeof got);
                if (variant == 1)
                    got[0] ^= 1;
                if (variant == 2)
                    got[TERN_VERIFY_LEN - 1] ^= 0x80;
                VALGRIND_MAKE_MEM_UNDEFINED(got, sizeof got);

                uint32_t eq = tern_ct_memeq(expect, got, TERN_VERIFY_LEN);
                VALGRIND_MAKE_MEM_DEFINED(&eq, sizeof eq);
                if (eq != (variant == 0)) {
                    fprintf(stderr, "ct_finished: wrong comparison result\n");
                    return 1;
                }
                tern_free(c);
                checked++;
            }
    tern_config_free(cfg);
    printf("ct_finished: %d Finished comparisons with the master secret, transcript and received value undefined\n",
           checked);
    return 0;
}
