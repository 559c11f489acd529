/*
 * Constant-time check for the key log's hex encoding (lib/trace.c,
 * tern_trace_hex): the master secret goes through it to become the NSS
 * "CLIENT_RANDOM <client_random> <master_secret>" line.  Every possible
 * byte value is marked undefined and encoded; a branch or table index on a
 * nibble would be reported by valgrind.  The output is marked defined only
 * to check it against the expected text afterwards.
 */
#include <stdio.h>
#include <string.h>
#include <valgrind/memcheck.h>

#include "lib/trace.h"

int main(void) {
    uint8_t secret[256];
    for (int i = 0; i < 256; i++)
        secret[i] = (uint8_t)i;
    char out[2 * sizeof secret + 1];
    VALGRIND_MAKE_MEM_UNDEFINED(secret, sizeof secret);
    tern_trace_hex(out, secret, sizeof secret);
    VALGRIND_MAKE_MEM_DEFINED(out, sizeof out);
    for (int i = 0; i < 256; i++) {
        char want[3];
        snprintf(want, sizeof want, "%02x", i);
        if (memcmp(out + 2 * i, want, 2) != 0) {
            fprintf(stderr, "ct_keylog: byte %d encoded as %.2s\n", i, out + 2 * i);
            return 1;
        }
    }
    printf("ct_keylog: 256 secret byte values hex-encoded without secret-dependent branches or indices\n");
    return 0;
}
