/*
 * Constant-time helpers (docs/CONVENTIONS.md §5).
 *
 * Every helper here runs in time independent of its arguments' values: no
 * branch, no memory index and no loop bound depends on them (loop bounds
 * depend only on lengths, which are public).  They are the only way tern
 * compares or selects secrets: MAC tags, Finished, padding, RSA premasters.
 *
 * Naming: tern_ct_<op>_<width>.  Two kinds of "control" value appear:
 *   a *bit*  is 0 or 1;
 *   a *mask* is 0 or all-ones (~0).
 * Each prototype says which one it takes or returns.
 *
 * The value barrier: compilers are clever enough to turn
 * `mask & a | ~mask & b` back into a branch when they can prove the mask is
 * 0/-1.  tern_ct_barrier_*() launders a value through an empty asm statement
 * the optimiser cannot see through, so that proof is impossible.
 */
#ifndef TERN_CRYPTO_CT_H
#define TERN_CRYPTO_CT_H

#include <stddef.h>
#include <stdint.h>

static inline uint32_t tern_ct_barrier_u32(uint32_t x) {
    __asm__("" : "+r"(x));
    return x;
}
static inline uint64_t tern_ct_barrier_u64(uint64_t x) {
    __asm__("" : "+r"(x));
    return x;
}

/* bit -> mask: 0 -> 0, 1 -> 0xffffffff.  (0 - 1 wraps to all ones.) */
static inline uint32_t tern_ct_mask_u32(uint32_t bit) {
    return (uint32_t)0 - tern_ct_barrier_u32(bit);
}
static inline uint64_t tern_ct_mask_u64(uint64_t bit) {
    return (uint64_t)0 - tern_ct_barrier_u64(bit);
}

/* Returns bit: 1 if x != 0.  Proof: for x != 0 either x or -x has its top bit
 * set (x = 2^31 has both), so (x | -x) >> 31 is 1; for x = 0 both are 0. */
static inline uint32_t tern_ct_is_nonzero_u32(uint32_t x) {
    return (x | ((uint32_t)0 - x)) >> 31;
}
static inline uint64_t tern_ct_is_nonzero_u64(uint64_t x) {
    return (x | ((uint64_t)0 - x)) >> 63;
}
/* Returns bit: 1 if x == 0. */
static inline uint32_t tern_ct_is_zero_u32(uint32_t x) {
    return 1 ^ tern_ct_is_nonzero_u32(x);
}
static inline uint64_t tern_ct_is_zero_u64(uint64_t x) {
    return 1 ^ tern_ct_is_nonzero_u64(x);
}
/* Returns bit: 1 if a == b. */
static inline uint32_t tern_ct_eq_u32(uint32_t a, uint32_t b) {
    return tern_ct_is_zero_u32(a ^ b);
}
static inline uint64_t tern_ct_eq_u64(uint64_t a, uint64_t b) {
    return tern_ct_is_zero_u64(a ^ b);
}
/* Returns bit: 1 if a < b (unsigned).  Proof: the borrow out of a - b is the
 * top bit of ((~a & b) | (~(a ^ b) & (a - b))): where the top bits differ the
 * borrow is b's top bit (~a & b); where they agree it is the top bit of the
 * difference of the lower bits, which is the top bit of a - b. */
static inline uint32_t tern_ct_lt_u32(uint32_t a, uint32_t b) {
    return ((~a & b) | (~(a ^ b) & (a - b))) >> 31;
}
static inline uint64_t tern_ct_lt_u64(uint64_t a, uint64_t b) {
    return ((~a & b) | (~(a ^ b) & (a - b))) >> 63;
}
/* Returns bit: 1 if a >= b, a > b, a <= b. */
static inline uint32_t tern_ct_ge_u32(uint32_t a, uint32_t b) { return 1 ^ tern_ct_lt_u32(a, b); }
static inline uint32_t tern_ct_gt_u32(uint32_t a, uint32_t b) { return tern_ct_lt_u32(b, a); }
static inline uint32_t tern_ct_le_u32(uint32_t a, uint32_t b) { return 1 ^ tern_ct_lt_u32(b, a); }
static inline uint64_t tern_ct_ge_u64(uint64_t a, uint64_t b) { return 1 ^ tern_ct_lt_u64(a, b); }

/* select(mask, a, b): a where mask is all-ones, b where mask is 0.
 * Takes a mask (not a bit). */
static inline uint32_t tern_ct_select_u32(uint32_t mask, uint32_t a, uint32_t b) {
    mask = tern_ct_barrier_u32(mask);
    return (a & mask) | (b & ~mask);
}
static inline uint64_t tern_ct_select_u64(uint64_t mask, uint64_t a, uint64_t b) {
    mask = tern_ct_barrier_u64(mask);
    return (a & mask) | (b & ~mask);
}
static inline uint8_t tern_ct_select_u8(uint32_t mask, uint8_t a, uint8_t b) {
    return (uint8_t)tern_ct_select_u32(mask, a, b);
}

/* Returns bit: 1 if the n bytes at a and b are equal.  Always reads all n
 * bytes of both. */
uint32_t tern_ct_memeq(const void *a, const void *b, size_t n);

/* Returns bit: 1 if all n bytes at p are zero. */
uint32_t tern_ct_is_zero_mem(const void *p, size_t n);

/* If mask is all-ones, copy n bytes from src to dst; if 0, leave dst.
 * Takes a mask.  Reads and writes all n bytes either way. */
void tern_ct_copy_if(uint32_t mask, void *dst, const void *src, size_t n);

/* If mask is all-ones, swap the n bytes at a and b; if 0, leave them.
 * Takes a mask. */
void tern_ct_cswap(uint32_t mask, void *a, void *b, size_t n);

/* Same for arrays of 64-bit words (field and bignum limbs).  Takes a mask. */
void tern_ct_cswap_u64(uint64_t mask, uint64_t *a, uint64_t *b, size_t n);

/* Overwrite n bytes at p with zeros in a way the compiler may not remove,
 * even when p is about to be freed or go out of scope. */
void tern_wipe(void *p, size_t n);

/* TERN_DECLASSIFY(p, n): the n bytes at p are public from here on.  For
 * the few verdicts computed from secrets that the code then branches on by
 * design (a MAC check's result, RSA's fault check, whether a password is
 * valid UTF-8): under valgrind (tests/ctgrind/) it tells memcheck the bytes
 * are defined, so only other uses of secrets are reported; outside
 * valgrind a client request is a few no-op instructions, and without
 * valgrind's header it is nothing. */
#if defined(__has_include)
#if __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define TERN_DECLASSIFY(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#endif
#endif
#ifndef TERN_DECLASSIFY
#define TERN_DECLASSIFY(p, n) ((void)(p), (void)(n))
#endif

#endif
