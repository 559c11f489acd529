/*
 * Constant-time memory helpers and the wipe.  See ct.h for the rules.
 */
#include "crypto/ct.h"
#include <string.h>

uint32_t tern_ct_memeq(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    uint32_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= (uint32_t)(x[i] ^ y[i]);
    return tern_ct_is_zero_u32(tern_ct_barrier_u32(acc));
}

uint32_t tern_ct_is_zero_mem(const void *p, size_t n) {
    const uint8_t *x = p;
    uint32_t acc = 0;
    for (size_t i = 0; i < n; i++)
        acc |= x[i];
    return tern_ct_is_zero_u32(tern_ct_barrier_u32(acc));
}

void tern_ct_copy_if(uint32_t mask, void *dst, const void *src, size_t n) {
    uint8_t *d = dst;
    const uint8_t *s = src;
    uint8_t m = (uint8_t)tern_ct_barrier_u32(mask);
    for (size_t i = 0; i < n; i++)
        d[i] = (uint8_t)((s[i] & m) | (d[i] & (uint8_t)~m));
}

void tern_ct_cswap(uint32_t mask, void *a, void *b, size_t n) {
    uint8_t *x = a, *y = b;
    uint8_t m = (uint8_t)tern_ct_barrier_u32(mask);
    for (size_t i = 0; i < n; i++) {
        uint8_t t = (uint8_t)((x[i] ^ y[i]) & m);
        x[i] ^= t;
        y[i] ^= t;
    }
}

void tern_ct_cswap_u64(uint64_t mask, uint64_t *a, uint64_t *b, size_t n) {
    mask = tern_ct_barrier_u64(mask);
    for (size_t i = 0; i < n; i++) {
        uint64_t t = (a[i] ^ b[i]) & mask;
        a[i] ^= t;
        b[i] ^= t;
    }
}

/* The compiler may drop a memset whose target is dead afterwards.  The
 * empty asm that takes p and clobbers memory must be assumed to read the
 * bytes at p, so the memset before it has to happen.  (A volatile byte loop
 * would also work, but costs a cycle per byte on every hash final.) */
void tern_wipe(void *p, size_t n) {
    if (n == 0)
        return;
    memset(p, 0, n);
    __asm__ __volatile__("" : : "r"(p) : "memory");
}
