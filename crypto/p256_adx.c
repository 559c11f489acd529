/*
 * P-256 field multiplication mod p = 2^256 - 2^224 + 2^192 + 2^96 - 1 on
 * x86-64 with BMI2 (mulx, which leaves the flags alone), in the same
 * Montgomery domain as crypto/p256.c (a stands for a * 2^256 mod p).
 * Chosen at run time by crypto/p256.c when tern_cpu() reports BMI2 and ADX;
 * the portable C multiplication there is the reference and is always built
 * and tested against this one.
 *
 * Word-by-word Montgomery (CIOS): for each word b_i, acc += a * b_i, then
 * acc += m * p with m = acc_0 (valid because -p^-1 = 1 mod 2^64), which
 * zeroes acc_0, and the accumulator shifts down one word by renaming
 * registers.  p's limbs are (2^64 - 1, 2^32 - 1, 0, 2^64 - 2^32 + 1): the
 * first only turns acc_0 into a carry of m (acc_0 + m (2^64 - 1) = m 2^64),
 * the third is skipped.  With a, b < p the accumulator stays below 2p, and
 * a final subtraction of p, kept or dropped with cmov, gives r < p.
 *
 * Straight-line code: no branch and no memory index depends on any value.
 */
#include "crypto/p256.h"

#if defined(__x86_64__)

static const uint64_t P1 = 0x00000000ffffffffu;
static const uint64_t P3 = 0xffffffff00000001u;

/* acc (A0..A4, A5 = new top word) += a * rdx, one carry chain: even
 * products first, then the odd ones. */
#define MULROW(A0, A1, A2, A3, A4, A5)          \
    "xorl %%" A5 "d, %%" A5 "d\n\t"              \
    "mulxq 0(%[a]), %%rax, %%rcx\n\t"            \
    "addq %%rax, %%" A0 "\n\t"                   \
    "adcq %%rcx, %%" A1 "\n\t"                   \
    "mulxq 16(%[a]), %%rax, %%rcx\n\t"           \
    "adcq %%rax, %%" A2 "\n\t"                   \
    "adcq %%rcx, %%" A3 "\n\t"                   \
    "adcq $0, %%" A4 "\n\t"                      \
    "mulxq 8(%[a]), %%rax, %%rcx\n\t"            \
    "addq %%rax, %%" A1 "\n\t"                   \
    "adcq %%rcx, %%" A2 "\n\t"                   \
    "mulxq 24(%[a]), %%rax, %%rcx\n\t"           \
    "adcq %%rax, %%" A3 "\n\t"                   \
    "adcq %%rcx, %%" A4 "\n\t"                   \
    "adcq $0, %%" A5 "\n\t"

/* acc += m * p with m = A0 (A0 becomes 0 and is dropped afterwards). */
#define REDUCE(A0, A1, A2, A3, A4, A5)           \
    "movq %%" A0 ", %%rdx\n\t"                   \
    "mulxq %[p1], %%rax, %%rcx\n\t"              \
    "addq %%rax, %%" A1 "\n\t"                   \
    "adcq %%rcx, %%" A2 "\n\t"                   \
    "mulxq %[p3], %%rax, %%rcx\n\t"              \
    "adcq %%rax, %%" A3 "\n\t"                   \
    "adcq %%rcx, %%" A4 "\n\t"                   \
    "adcq $0, %%" A5 "\n\t"                      \
    "addq %%rdx, %%" A1 "\n\t"                   \
    "adcq $0, %%" A2 "\n\t"                      \
    "adcq $0, %%" A3 "\n\t"                      \
    "adcq $0, %%" A4 "\n\t"                      \
    "adcq $0, %%" A5 "\n\t"

void tern_p256_fe_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    __asm__ volatile(
        /* round 0: acc = a * b0 in r8..r12 */
        "movq 0(%[b]), %%rdx\n\t"
        "mulxq 0(%[a]), %%r8, %%r9\n\t"
        "mulxq 8(%[a]), %%rax, %%r10\n\t"
        "addq %%rax, %%r9\n\t"
        "mulxq 16(%[a]), %%rax, %%r11\n\t"
        "adcq %%rax, %%r10\n\t"
        "mulxq 24(%[a]), %%rax, %%r12\n\t"
        "adcq %%rax, %%r11\n\t"
        "adcq $0, %%r12\n\t"
        "xorl %%r13d, %%r13d\n\t"
        REDUCE("r8", "r9", "r10", "r11", "r12", "r13")
        /* round 1: acc in r9..r13, new top r14 */
        "movq 8(%[b]), %%rdx\n\t"
        MULROW("r9", "r10", "r11", "r12", "r13", "r14")
        REDUCE("r9", "r10", "r11", "r12", "r13", "r14")
        /* round 2: acc in r10..r14, new top r15 */
        "movq 16(%[b]), %%rdx\n\t"
        MULROW("r10", "r11", "r12", "r13", "r14", "r15")
        REDUCE("r10", "r11", "r12", "r13", "r14", "r15")
        /* round 3: acc in r11..r15, new top r8 */
        "movq 24(%[b]), %%rdx\n\t"
        MULROW("r11", "r12", "r13", "r14", "r15", "r8")
        REDUCE("r11", "r12", "r13", "r14", "r15", "r8")
        /* acc = r12..r15 with top word r8 (0 or 1), < 2p.  Subtract p; on a
         * borrow keep acc (cmovc), else the difference. */
        "movq %%r12, %%rax\n\t"
        "movq %%r13, %%rcx\n\t"
        "movq %%r14, %%rdx\n\t"
        "movq %%r15, %%r9\n\t"
        "movq %[p3], %%r11\n\t"
        "movl $0xffffffff, %%r10d\n\t"
        "subq $-1, %%rax\n\t"
        "sbbq %%r10, %%rcx\n\t"
        "sbbq $0, %%rdx\n\t"
        "sbbq %%r11, %%r9\n\t"
        "sbbq $0, %%r8\n\t"
        "cmovcq %%r12, %%rax\n\t"
        "cmovcq %%r13, %%rcx\n\t"
        "cmovcq %%r14, %%rdx\n\t"
        "cmovcq %%r15, %%r9\n\t"
        "movq %%rax, 0(%[r])\n\t"
        "movq %%rcx, 8(%[r])\n\t"
        "movq %%rdx, 16(%[r])\n\t"
        "movq %%r9, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b), [p1] "m"(P1), [p3] "m"(P3)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

#endif
