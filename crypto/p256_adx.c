/*
 * P-256 field multiplication and squaring mod
 * p = 2^256 - 2^224 + 2^192 + 2^96 - 1, and Montgomery multiplication mod
 * the group order n, on x86-64 in inline assembly built around mulx (BMI2;
 * it leaves the flags alone, so one adc chain runs through the products),
 * in the same Montgomery domains as crypto/p256.c.  Chosen at run time by
 * crypto/p256.c when tern_cpu() reports BMI2 and ADX (the feature pair this
 * file is named and compiled for; only mulx is actually needed); the
 * portable C code there is the reference, always built, and the tests run
 * every vector on both.
 *
 * Word-by-word Montgomery (CIOS): for each word b_i, acc += a * b_i, then
 * acc += m * p with m = acc_0 (valid because -p^-1 = 1 mod 2^64), which
 * zeroes acc_0, and the accumulator shifts down one word by renaming
 * registers.  p's limbs are (2^64 - 1, 2^32 - 1, 0, 2^64 - 2^32 + 1): the
 * first only turns acc_0 into a carry of m (acc_0 + m (2^64 - 1) = m 2^64),
 * the third is skipped.  With a, b < p the accumulator stays below 2p, and
 * a final subtraction of p, kept or dropped with cmov, gives r < p.
 *
 * Squaring computes the six cross products once, doubles them, adds the
 * four squares, and reduces the 512-bit result in four rounds of the same
 * shape.
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

/* ---- Scalars: Montgomery multiplication mod the group order n ----
 * (n's limbs are memory operands, not a pointer register: with a frame
 * pointer, as in the sanitizer build, the eleven scratch registers plus
 * three pointers are all the general registers there are.)
 * The same CIOS shape, but n has no special form: the per-word factor is
 * m = acc_0 * (-n^-1 mod 2^64), and all four limbs of m * n are added,
 * even and odd positions in two carry chains as in MULROW. */
static const uint64_t NN[4] = {0xf3b9cac2fc632551u, 0xbce6faada7179e84u, 0xffffffffffffffffu,
                               0xffffffff00000000u};
static const uint64_t NN0 = 0xccd1c8aaee00bc4fu;

#define REDUCE_N(A0, A1, A2, A3, A4, A5)         \
    "movq %%" A0 ", %%rdx\n\t"                  \
    "imulq %[n0], %%rdx\n\t"                    \
    "mulxq %[n0l], %%rax, %%rcx\n\t"           \
    "addq %%rax, %%" A0 "\n\t"                  \
    "adcq %%rcx, %%" A1 "\n\t"                  \
    "mulxq %[n2l], %%rax, %%rcx\n\t"          \
    "adcq %%rax, %%" A2 "\n\t"                  \
    "adcq %%rcx, %%" A3 "\n\t"                  \
    "adcq $0, %%" A4 "\n\t"                     \
    "adcq $0, %%" A5 "\n\t"                     \
    "mulxq %[n1l], %%rax, %%rcx\n\t"           \
    "addq %%rax, %%" A1 "\n\t"                  \
    "adcq %%rcx, %%" A2 "\n\t"                  \
    "mulxq %[n3l], %%rax, %%rcx\n\t"          \
    "adcq %%rax, %%" A3 "\n\t"                  \
    "adcq %%rcx, %%" A4 "\n\t"                  \
    "adcq $0, %%" A5 "\n\t"

void tern_p256_sc_mul_adx(uint64_t r[4], const uint64_t a[4], const uint64_t b[4]) {
    __asm__ volatile(
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
        REDUCE_N("r8", "r9", "r10", "r11", "r12", "r13")
        "movq 8(%[b]), %%rdx\n\t"
        MULROW("r9", "r10", "r11", "r12", "r13", "r14")
        REDUCE_N("r9", "r10", "r11", "r12", "r13", "r14")
        "movq 16(%[b]), %%rdx\n\t"
        MULROW("r10", "r11", "r12", "r13", "r14", "r15")
        REDUCE_N("r10", "r11", "r12", "r13", "r14", "r15")
        "movq 24(%[b]), %%rdx\n\t"
        MULROW("r11", "r12", "r13", "r14", "r15", "r8")
        REDUCE_N("r11", "r12", "r13", "r14", "r15", "r8")
        /* r12..r15 with top word r8, < 2n: subtract n, keep on borrow. */
        "movq %%r12, %%rax\n\t"
        "movq %%r13, %%rcx\n\t"
        "movq %%r14, %%rdx\n\t"
        "movq %%r15, %%r9\n\t"
        "subq %[n0l], %%rax\n\t"
        "sbbq %[n1l], %%rcx\n\t"
        "sbbq %[n2l], %%rdx\n\t"
        "sbbq %[n3l], %%r9\n\t"
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
        : [r] "r"(r), [a] "r"(a), [b] "r"(b), [n0l] "m"(NN[0]), [n1l] "m"(NN[1]), [n2l] "m"(NN[2]),
          [n3l] "m"(NN[3]), [n0] "m"(NN0)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

/* One reduction round on the 512-bit square (t0..t4 = words i..i+4,
 * pending carry word in rbx): add m p 2^(64 i) with m = t0, exactly as
 * the C code's REDUCE_ROUND: low and high halves of m * p1, m * p3 in one
 * carry chain, the m from p's all-ones low limb and the previous carry in
 * a second; rbx becomes the sum of both chains' carries. */
#define SQR_REDUCE(T0, T1, T2, T3, T4)           \
    "movq %%" T0 ", %%rdx\n\t"                  \
    "mulxq %[p1], %%rax, %%rcx\n\t"             \
    "addq %%rax, %%" T1 "\n\t"                  \
    "adcq %%rcx, %%" T2 "\n\t"                  \
    "mulxq %[p3], %%rax, %%rcx\n\t"             \
    "adcq %%rax, %%" T3 "\n\t"                  \
    "adcq %%rcx, %%" T4 "\n\t"                  \
    "movl $0, %%eax\n\t"                        \
    "adcl $0, %%eax\n\t"                        \
    "addq %%rdx, %%" T1 "\n\t"                  \
    "adcq $0, %%" T2 "\n\t"                     \
    "adcq $0, %%" T3 "\n\t"                     \
    "adcq %%rbx, %%" T4 "\n\t"                  \
    "movl $0, %%ebx\n\t"                        \
    "adcl $0, %%ebx\n\t"                        \
    "addq %%rax, %%rbx\n\t"

/* r = a^2 / 2^256 mod p: the six cross products once (doubled by adding
 * the words to themselves), the four squares, then four reduction rounds
 * on the 512-bit square and the final conditional subtraction. */
void tern_p256_fe_sqr_adx(uint64_t r[4], const uint64_t a[4]) {
    __asm__ volatile(
        /* cross products: r9..r14 (positions 1..6) */
        "xorl %%r13d, %%r13d\n\t"
        "xorl %%r14d, %%r14d\n\t"
        "xorl %%r15d, %%r15d\n\t"
        "movq 0(%[a]), %%rdx\n\t"
        "mulxq 8(%[a]), %%r9, %%r10\n\t"   /* a0 a1 at 1 */
        "mulxq 16(%[a]), %%rax, %%r11\n\t" /* a0 a2 at 2 */
        "mulxq 24(%[a]), %%rcx, %%r12\n\t" /* a0 a3 at 3 */
        "addq %%rax, %%r10\n\t"
        "adcq %%rcx, %%r11\n\t"
        "adcq $0, %%r12\n\t"
        "movq 8(%[a]), %%rdx\n\t"
        "mulxq 16(%[a]), %%rax, %%rcx\n\t" /* a1 a2 at 3 */
        "addq %%rax, %%r11\n\t"
        "adcq %%rcx, %%r12\n\t"
        "adcq $0, %%r13\n\t"
        "mulxq 24(%[a]), %%rax, %%rcx\n\t" /* a1 a3 at 4 */
        "addq %%rax, %%r12\n\t"
        "adcq %%rcx, %%r13\n\t"
        "adcq $0, %%r14\n\t"
        "movq 16(%[a]), %%rdx\n\t"
        "mulxq 24(%[a]), %%rax, %%rcx\n\t" /* a2 a3 at 5 */
        "addq %%rax, %%r13\n\t"
        "adcq %%rcx, %%r14\n\t"
        /* double: r9..r15 = 2 * (r9..r14) */
        "addq %%r9, %%r9\n\t"
        "adcq %%r10, %%r10\n\t"
        "adcq %%r11, %%r11\n\t"
        "adcq %%r12, %%r12\n\t"
        "adcq %%r13, %%r13\n\t"
        "adcq %%r14, %%r14\n\t"
        "adcq $0, %%r15\n\t"
        /* squares at 0, 2, 4, 6 (mulx leaves the carry flag alone) */
        "movq 0(%[a]), %%rdx\n\t"
        "mulxq %%rdx, %%r8, %%rax\n\t"
        "addq %%rax, %%r9\n\t"
        "movq 8(%[a]), %%rdx\n\t"
        "mulxq %%rdx, %%rax, %%rcx\n\t"
        "adcq %%rax, %%r10\n\t"
        "adcq %%rcx, %%r11\n\t"
        "movq 16(%[a]), %%rdx\n\t"
        "mulxq %%rdx, %%rax, %%rcx\n\t"
        "adcq %%rax, %%r12\n\t"
        "adcq %%rcx, %%r13\n\t"
        "movq 24(%[a]), %%rdx\n\t"
        "mulxq %%rdx, %%rax, %%rcx\n\t"
        "adcq %%rax, %%r14\n\t"
        "adcq %%rcx, %%r15\n\t"
        /* reduce: t = r8..r15, pending carry rbx */
        "xorl %%ebx, %%ebx\n\t"
        SQR_REDUCE("r8", "r9", "r10", "r11", "r12")
        SQR_REDUCE("r9", "r10", "r11", "r12", "r13")
        SQR_REDUCE("r10", "r11", "r12", "r13", "r14")
        SQR_REDUCE("r11", "r12", "r13", "r14", "r15")
        /* value = rbx:r15:r14:r13:r12 < 2p: subtract p, keep on borrow */
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
        "sbbq $0, %%rbx\n\t"
        "cmovcq %%r12, %%rax\n\t"
        "cmovcq %%r13, %%rcx\n\t"
        "cmovcq %%r14, %%rdx\n\t"
        "cmovcq %%r15, %%r9\n\t"
        "movq %%rax, 0(%[r])\n\t"
        "movq %%rcx, 8(%[r])\n\t"
        "movq %%rdx, 16(%[r])\n\t"
        "movq %%r9, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [p1] "m"(P1), [p3] "m"(P3)
        : "rax", "rbx", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

#endif
