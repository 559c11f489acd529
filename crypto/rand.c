/*
 * getrandom(2) wrapper.  getrandom returns at most 32 MiB per call and may
 * return fewer bytes than asked (or fail with EINTR) when a signal arrives;
 * both are retried.  Any other error is final.
 */
#include "crypto/rand.h"

#include <errno.h>
#include <sys/random.h>

#include "crypto/ct.h"

int tern_rand_os(void *arg, uint8_t *buf, size_t len) {
    (void)arg;
    while (len > 0) {
        size_t chunk = len > (1u << 20) ? (1u << 20) : len;
        ssize_t n = getrandom(buf, chunk, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return TERN_ERR_RNG;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int tern_rand_fill(tern_rng_fn rng, void *arg, uint8_t *buf, size_t len) {
    int rc = rng ? rng(arg, buf, len) : tern_rand_os(NULL, buf, len);
    if (rc < 0) {
        tern_wipe(buf, len);
        return TERN_ERR_RNG;
    }
    return 0;
}
