/*
 * X25519 Montgomery ladder (RFC 7748 §5) on x86-64 with BMI2 (mulx) and ADX
 * (adcx/adox): the field GF(2^255 - 19) in four 64-bit limbs.  Chosen at run
 * time by crypto/x25519.c when tern_cpu() reports both features; the
 * portable radix-2^51 ladder is the reference and is always built.
 *
 * Representation: an element is any 256-bit value v = v[0] + v[1] 2^64 +
 * v[2] 2^128 + v[3] 2^192 (0 <= v < 2^256), meaning v mod p.  Because
 * 2^256 = 2p + 38 = 38 (mod p), a carry out of the top limb is folded back
 * as + 38 in the bottom limb, and a borrow as - 38.  Every operation returns
 * a value < 2^256 again; only the final encoding reduces fully into [0, p).
 *
 * The multiplications use mulx (which leaves the flags alone) with two
 * independent carry chains, adcx (CF) and adox (OF), so one row of partial
 * products is accumulated without serialising on a single flag.  No branch
 * and no memory index depends on any value.
 */
#include "crypto/ct.h"
#include "crypto/x25519_internal.h"

#if defined(__x86_64__)

typedef uint64_t fe64[4];

/* r = a * b (mod 2^256 - 38, result < 2^256).  The 512-bit product lands in
 * r8..r15; then r8..r11 += 38 * r12..r15, the 5th word (< 40) times 38 is
 * added again, and a last carry adds 38 once more (after such a carry the
 * low limb is < 38 * 41, so that add cannot carry). */
static inline void fe64_mul(fe64 r, const fe64 a, const fe64 b) {
    __asm__ volatile(
        /* row 0: r8..r12 = a0 * b */
        "movq 0(%[a]), %%rdx\n\t"
        "mulxq 0(%[b]), %%r8, %%r9\n\t"
        "mulxq 8(%[b]), %%rax, %%r10\n\t"
        "addq %%rax, %%r9\n\t"
        "mulxq 16(%[b]), %%rax, %%r11\n\t"
        "adcq %%rax, %%r10\n\t"
        "mulxq 24(%[b]), %%rax, %%r12\n\t"
        "adcq %%rax, %%r11\n\t"
        "adcq $0, %%r12\n\t"
        /* row 1: r9..r13 += a1 * b */
        "movq 8(%[a]), %%rdx\n\t"
        "xorl %%r13d, %%r13d\n\t"
        "mulxq 0(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r9\n\t"
        "adoxq %%rcx, %%r10\n\t"
        "mulxq 8(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r10\n\t"
        "adoxq %%rcx, %%r11\n\t"
        "mulxq 16(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r11\n\t"
        "adoxq %%rcx, %%r12\n\t"
        "mulxq 24(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r12\n\t"
        "adoxq %%rcx, %%r13\n\t"
        "adcq $0, %%r13\n\t"
        /* row 2: r10..r14 += a2 * b */
        "movq 16(%[a]), %%rdx\n\t"
        "xorl %%r14d, %%r14d\n\t"
        "mulxq 0(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r10\n\t"
        "adoxq %%rcx, %%r11\n\t"
        "mulxq 8(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r11\n\t"
        "adoxq %%rcx, %%r12\n\t"
        "mulxq 16(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r12\n\t"
        "adoxq %%rcx, %%r13\n\t"
        "mulxq 24(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r13\n\t"
        "adoxq %%rcx, %%r14\n\t"
        "adcq $0, %%r14\n\t"
        /* row 3: r11..r15 += a3 * b */
        "movq 24(%[a]), %%rdx\n\t"
        "xorl %%r15d, %%r15d\n\t"
        "mulxq 0(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r11\n\t"
        "adoxq %%rcx, %%r12\n\t"
        "mulxq 8(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r12\n\t"
        "adoxq %%rcx, %%r13\n\t"
        "mulxq 16(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r13\n\t"
        "adoxq %%rcx, %%r14\n\t"
        "mulxq 24(%[b]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r14\n\t"
        "adoxq %%rcx, %%r15\n\t"
        "adcq $0, %%r15\n\t"
        /* reduce: r8..r11 += 38 * r12..r15; top word into r12 */
        "movl $38, %%edx\n\t"
        "xorl %%eax, %%eax\n\t"
        "mulxq %%r12, %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r8\n\t"
        "adoxq %%rcx, %%r9\n\t"
        "mulxq %%r13, %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r9\n\t"
        "adoxq %%rcx, %%r10\n\t"
        "mulxq %%r14, %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r10\n\t"
        "adoxq %%rcx, %%r11\n\t"
        "mulxq %%r15, %%rax, %%r12\n\t"
        "adcxq %%rax, %%r11\n\t"
        "movl $0, %%eax\n\t"
        "adoxq %%rax, %%r12\n\t"
        "adcxq %%rax, %%r12\n\t"
        "imulq $38, %%r12, %%r12\n\t"
        "addq %%r12, %%r8\n\t"
        "adcq $0, %%r9\n\t"
        "adcq $0, %%r10\n\t"
        "adcq $0, %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "addq %%rax, %%r8\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

/* r = a^2 (mod 2^256 - 38, result < 2^256): the six cross products once,
 * doubled, plus the four squares; then the same reduction as fe64_mul.
 * The total is a^2 < 2^512, so nothing carries out of r15. */
static inline void fe64_sqr(fe64 r, const fe64 a) {
    __asm__ volatile(
        /* cross products: r9..r12 = a0 * (a1, a2, a3) at 2^64.. */
        "movq 0(%[a]), %%rdx\n\t"
        "mulxq 8(%[a]), %%r9, %%r10\n\t"
        "mulxq 16(%[a]), %%rax, %%r11\n\t"
        "addq %%rax, %%r10\n\t"
        "mulxq 24(%[a]), %%rax, %%r12\n\t"
        "adcq %%rax, %%r11\n\t"
        "adcq $0, %%r12\n\t"
        /* r11..r13 += a1 * (a2, a3) at 2^192.. */
        "movq 8(%[a]), %%rdx\n\t"
        "xorl %%r13d, %%r13d\n\t"
        "mulxq 16(%[a]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r11\n\t"
        "adoxq %%rcx, %%r12\n\t"
        "mulxq 24(%[a]), %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r12\n\t"
        "adoxq %%rcx, %%r13\n\t"
        "adcq $0, %%r13\n\t"
        /* r13..r14 += a2 * a3 at 2^320 */
        "movq 16(%[a]), %%rdx\n\t"
        "mulxq 24(%[a]), %%rax, %%r14\n\t"
        "addq %%rax, %%r13\n\t"
        "adcq $0, %%r14\n\t"
        /* r8..r15 = 2 * cross + squares: the doubling runs on the CF chain
         * (adcx x, x) and the squares a_i^2 at 2^(128 i) are added on the
         * OF chain (adox) right after each limb is doubled.  mulx and mov
         * leave both flags alone.  r15 starts at 0 and takes the doubling's
         * carry out of r14. */
        "xorl %%r15d, %%r15d\n\t"
        "movq 0(%[a]), %%rdx\n\t"
        "mulxq %%rdx, %%r8, %%rax\n\t"
        "adcxq %%r9, %%r9\n\t"
        "adoxq %%rax, %%r9\n\t"
        "movq 8(%[a]), %%rdx\n\t"
        "mulxq %%rdx, %%rax, %%rcx\n\t"
        "adcxq %%r10, %%r10\n\t"
        "adoxq %%rax, %%r10\n\t"
        "adcxq %%r11, %%r11\n\t"
        "adoxq %%rcx, %%r11\n\t"
        "movq 16(%[a]), %%rdx\n\t"
        "mulxq %%rdx, %%rax, %%rcx\n\t"
        "adcxq %%r12, %%r12\n\t"
        "adoxq %%rax, %%r12\n\t"
        "adcxq %%r13, %%r13\n\t"
        "adoxq %%rcx, %%r13\n\t"
        "movq 24(%[a]), %%rdx\n\t"
        "mulxq %%rdx, %%rax, %%rcx\n\t"
        "adcxq %%r14, %%r14\n\t"
        "adoxq %%rax, %%r14\n\t"
        "adcxq %%r15, %%r15\n\t"
        "adoxq %%rcx, %%r15\n\t"
        /* reduce as in fe64_mul */
        "movl $38, %%edx\n\t"
        "xorl %%eax, %%eax\n\t"
        "mulxq %%r12, %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r8\n\t"
        "adoxq %%rcx, %%r9\n\t"
        "mulxq %%r13, %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r9\n\t"
        "adoxq %%rcx, %%r10\n\t"
        "mulxq %%r14, %%rax, %%rcx\n\t"
        "adcxq %%rax, %%r10\n\t"
        "adoxq %%rcx, %%r11\n\t"
        "mulxq %%r15, %%rax, %%r12\n\t"
        "adcxq %%rax, %%r11\n\t"
        "movl $0, %%eax\n\t"
        "adoxq %%rax, %%r12\n\t"
        "adcxq %%rax, %%r12\n\t"
        "imulq $38, %%r12, %%r12\n\t"
        "addq %%r12, %%r8\n\t"
        "adcq $0, %%r9\n\t"
        "adcq $0, %%r10\n\t"
        "adcq $0, %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "addq %%rax, %%r8\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

/* r = a + b (mod 2^256 - 38, result < 2^256).  A carry out is worth 38; if
 * adding that 38 carries again the sum wrapped to below 38, so the second
 * +38 cannot carry. */
static inline void fe64_add(fe64 r, const fe64 a, const fe64 b) {
    __asm__ volatile(
        "movq 0(%[a]), %%r8\n\t"
        "movq 8(%[a]), %%r9\n\t"
        "movq 16(%[a]), %%r10\n\t"
        "movq 24(%[a]), %%r11\n\t"
        "addq 0(%[b]), %%r8\n\t"
        "adcq 8(%[b]), %%r9\n\t"
        "adcq 16(%[b]), %%r10\n\t"
        "adcq 24(%[b]), %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "addq %%rax, %%r8\n\t"
        "adcq $0, %%r9\n\t"
        "adcq $0, %%r10\n\t"
        "adcq $0, %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "addq %%rax, %%r8\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b)
        : "rax", "r8", "r9", "r10", "r11", "cc", "memory");
}

/* r = a - b (mod 2^256 - 38, result < 2^256).  A borrow is worth -38; if
 * subtracting that 38 borrows again the difference wrapped to at least
 * 2^256 - 38, so the second -38 cannot borrow. */
static inline void fe64_sub(fe64 r, const fe64 a, const fe64 b) {
    __asm__ volatile(
        "movq 0(%[a]), %%r8\n\t"
        "movq 8(%[a]), %%r9\n\t"
        "movq 16(%[a]), %%r10\n\t"
        "movq 24(%[a]), %%r11\n\t"
        "subq 0(%[b]), %%r8\n\t"
        "sbbq 8(%[b]), %%r9\n\t"
        "sbbq 16(%[b]), %%r10\n\t"
        "sbbq 24(%[b]), %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "subq %%rax, %%r8\n\t"
        "sbbq $0, %%r9\n\t"
        "sbbq $0, %%r10\n\t"
        "sbbq $0, %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "subq %%rax, %%r8\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b)
        : "rax", "r8", "r9", "r10", "r11", "cc", "memory");
}

/* r = a * 121665 (mod 2^256 - 38, result < 2^256).  The 5th word is
 * < 2^17, so 38 times it fits one add with at most one carry. */
static inline void fe64_mul_a24(fe64 r, const fe64 a) {
    __asm__ volatile(
        "movl $121665, %%edx\n\t"
        "mulxq 0(%[a]), %%r8, %%r9\n\t"
        "mulxq 8(%[a]), %%rax, %%r10\n\t"
        "addq %%rax, %%r9\n\t"
        "mulxq 16(%[a]), %%rax, %%r11\n\t"
        "adcq %%rax, %%r10\n\t"
        "mulxq 24(%[a]), %%rax, %%rcx\n\t"
        "adcq %%rax, %%r11\n\t"
        "adcq $0, %%rcx\n\t"
        "imulq $38, %%rcx, %%rcx\n\t"
        "addq %%rcx, %%r8\n\t"
        "adcq $0, %%r9\n\t"
        "adcq $0, %%r10\n\t"
        "adcq $0, %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "addq %%rax, %%r8\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "cc", "memory");
}

/* s = a + b and d = a - b in one pass (a and b loaded once); the folds are
 * those of fe64_add and fe64_sub.  s and d may not alias a or b. */
static inline void fe64_addsub(fe64 s, fe64 d, const fe64 a, const fe64 b) {
    __asm__ volatile(
        "movq 0(%[a]), %%r8\n\t"
        "movq 8(%[a]), %%r9\n\t"
        "movq 16(%[a]), %%r10\n\t"
        "movq 24(%[a]), %%r11\n\t"
        "movq %%r8, %%r12\n\t"
        "movq %%r9, %%r13\n\t"
        "movq %%r10, %%r14\n\t"
        "movq %%r11, %%r15\n\t"
        /* sum */
        "addq 0(%[b]), %%r8\n\t"
        "adcq 8(%[b]), %%r9\n\t"
        "adcq 16(%[b]), %%r10\n\t"
        "adcq 24(%[b]), %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "addq %%rax, %%r8\n\t"
        "adcq $0, %%r9\n\t"
        "adcq $0, %%r10\n\t"
        "adcq $0, %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "addq %%rax, %%r8\n\t"
        "movq %%r8, 0(%[s])\n\t"
        "movq %%r9, 8(%[s])\n\t"
        "movq %%r10, 16(%[s])\n\t"
        "movq %%r11, 24(%[s])\n\t"
        /* difference */
        "subq 0(%[b]), %%r12\n\t"
        "sbbq 8(%[b]), %%r13\n\t"
        "sbbq 16(%[b]), %%r14\n\t"
        "sbbq 24(%[b]), %%r15\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "subq %%rax, %%r12\n\t"
        "sbbq $0, %%r13\n\t"
        "sbbq $0, %%r14\n\t"
        "sbbq $0, %%r15\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "subq %%rax, %%r12\n\t"
        "movq %%r12, 0(%[d])\n\t"
        "movq %%r13, 8(%[d])\n\t"
        "movq %%r14, 16(%[d])\n\t"
        "movq %%r15, 24(%[d])\n\t"
        :
        : [s] "r"(s), [d] "r"(d), [a] "r"(a), [b] "r"(b)
        : "rax", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "cc", "memory");
}

/* r = b + 121665 * a (the ladder's AA + a24 E).  The 5th word is below
 * 2^17 + 1, so 38 times it is one add with at most one carry. */
static inline void fe64_mul_a24_add(fe64 r, const fe64 a, const fe64 b) {
    __asm__ volatile(
        "movl $121665, %%edx\n\t"
        "mulxq 0(%[a]), %%r8, %%r9\n\t"
        "mulxq 8(%[a]), %%rax, %%r10\n\t"
        "addq %%rax, %%r9\n\t"
        "mulxq 16(%[a]), %%rax, %%r11\n\t"
        "adcq %%rax, %%r10\n\t"
        "mulxq 24(%[a]), %%rax, %%rcx\n\t"
        "adcq %%rax, %%r11\n\t"
        "adcq $0, %%rcx\n\t"
        "addq 0(%[b]), %%r8\n\t"
        "adcq 8(%[b]), %%r9\n\t"
        "adcq 16(%[b]), %%r10\n\t"
        "adcq 24(%[b]), %%r11\n\t"
        "adcq $0, %%rcx\n\t"
        "imulq $38, %%rcx, %%rcx\n\t"
        "addq %%rcx, %%r8\n\t"
        "adcq $0, %%r9\n\t"
        "adcq $0, %%r10\n\t"
        "adcq $0, %%r11\n\t"
        "sbbq %%rax, %%rax\n\t"
        "andl $38, %%eax\n\t"
        "addq %%rax, %%r8\n\t"
        "movq %%r8, 0(%[r])\n\t"
        "movq %%r9, 8(%[r])\n\t"
        "movq %%r10, 16(%[r])\n\t"
        "movq %%r11, 24(%[r])\n\t"
        :
        : [r] "r"(r), [a] "r"(a), [b] "r"(b)
        : "rax", "rcx", "rdx", "r8", "r9", "r10", "r11", "cc", "memory");
}

static inline void fe64_sqn(fe64 r, const fe64 a, int n) {
    fe64_sqr(r, a);
    for (int i = 1; i < n; i++)
        fe64_sqr(r, r);
}

/* 1/z = z^(p-2), the same fixed chain as fe25519_invert (see fe25519.h). */
static void fe64_invert(fe64 out, const fe64 z) {
    fe64 z2, z9, z11, t0, t1, t2;
    fe64_sqr(z2, z);
    fe64_sqn(t0, z2, 2);
    fe64_mul(z9, t0, z);
    fe64_mul(z11, z9, z2);
    fe64_sqr(t0, z11);
    fe64_mul(t0, t0, z9);  /* 2^5 - 1 */
    fe64_sqn(t1, t0, 5);
    fe64_mul(t0, t1, t0);  /* 2^10 - 1 */
    fe64_sqn(t1, t0, 10);
    fe64_mul(t1, t1, t0);  /* 2^20 - 1 */
    fe64_sqn(t2, t1, 20);
    fe64_mul(t1, t2, t1);  /* 2^40 - 1 */
    fe64_sqn(t1, t1, 10);
    fe64_mul(t0, t1, t0);  /* 2^50 - 1 */
    fe64_sqn(t1, t0, 50);
    fe64_mul(t1, t1, t0);  /* 2^100 - 1 */
    fe64_sqn(t2, t1, 100);
    fe64_mul(t1, t2, t1);  /* 2^200 - 1 */
    fe64_sqn(t1, t1, 50);
    fe64_mul(t0, t1, t0);  /* 2^250 - 1 */
    fe64_sqn(t0, t0, 5);
    fe64_mul(out, t0, z11); /* 2^255 - 21 */
    tern_wipe(z2, sizeof z2);
    tern_wipe(z9, sizeof z9);
    tern_wipe(z11, sizeof z11);
    tern_wipe(t0, sizeof t0);
    tern_wipe(t1, sizeof t1);
    tern_wipe(t2, sizeof t2);
}

/* Encode v < 2^256 as its representative in [0, p).  First fold bit 255
 * (2^255 = 19): v < 2^255 + 19 * 2 after that.  Then v >= p exactly when
 * v + 19 has bit 255 set; adding 19 and clearing bit 255 subtracts p. */
static void fe64_tobytes(uint8_t out[32], const fe64 a) {
    uint64_t v[4];
    tern_u128 c;
    uint64_t top = a[3] >> 63;
    v[3] = a[3] & 0x7fffffffffffffffull;
    c = (tern_u128)a[0] + 19 * top;
    v[0] = (uint64_t)c;
    c = (tern_u128)a[1] + (uint64_t)(c >> 64);
    v[1] = (uint64_t)c;
    c = (tern_u128)a[2] + (uint64_t)(c >> 64);
    v[2] = (uint64_t)c;
    v[3] += (uint64_t)(c >> 64);
    /* q = 1 when v + 19 >= 2^255 */
    c = (tern_u128)v[0] + 19;
    c = (tern_u128)v[1] + (uint64_t)(c >> 64);
    c = (tern_u128)v[2] + (uint64_t)(c >> 64);
    c = (tern_u128)v[3] + (uint64_t)(c >> 64);
    uint64_t q = (uint64_t)c >> 63;
    c = (tern_u128)v[0] + 19 * q;
    v[0] = (uint64_t)c;
    c = (tern_u128)v[1] + (uint64_t)(c >> 64);
    v[1] = (uint64_t)c;
    c = (tern_u128)v[2] + (uint64_t)(c >> 64);
    v[2] = (uint64_t)c;
    v[3] = (v[3] + (uint64_t)(c >> 64)) & 0x7fffffffffffffffull;
    for (int i = 0; i < 4; i++)
        tern_store_le64(out + 8 * i, v[i]);
    tern_wipe(v, sizeof v);
    tern_wipe(&c, sizeof c);
}

static inline void fe64_cswap(uint64_t mask, fe64 f, fe64 g) {
    mask = tern_ct_barrier_u64(mask);
    for (int i = 0; i < 4; i++) {
        uint64_t t = (f[i] ^ g[i]) & mask;
        f[i] ^= t;
        g[i] ^= t;
    }
}

struct ladder64 {
    fe64 x1, x2, z2, x3, z3;
    fe64 a, b, c, d, aa, bb, e, da, cb;
};

void tern_x25519_ladder_adx(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]) {
    struct ladder64 s;
    for (int i = 0; i < 4; i++)
        s.x1[i] = tern_load_le64(u + 8 * i);
    s.x1[3] &= 0x7fffffffffffffffull; /* RFC 7748 §5: ignore bit 255 */
    memset(s.x2, 0, sizeof s.x2);
    s.x2[0] = 1;
    memset(s.z2, 0, sizeof s.z2);
    memcpy(s.x3, s.x1, sizeof s.x3);
    memset(s.z3, 0, sizeof s.z3);
    s.z3[0] = 1;
    uint64_t swap = 0;
    for (int t = 254; t >= 0; t--) {
        uint64_t bit = (uint64_t)(k[t >> 3] >> (t & 7)) & 1;
        swap ^= bit;
        uint64_t mask = tern_ct_mask_u64(swap);
        fe64_cswap(mask, s.x2, s.x3);
        fe64_cswap(mask, s.z2, s.z3);
        swap = bit;
        /* the step of RFC 7748 §5, as in x25519.c's ladder_step */
        fe64_addsub(s.a, s.b, s.x2, s.z2);  /* A, B */
        fe64_addsub(s.c, s.d, s.x3, s.z3);  /* C, D */
        fe64_mul(s.da, s.d, s.a);
        fe64_mul(s.cb, s.c, s.b);
        fe64_sqr(s.aa, s.a);
        fe64_sqr(s.bb, s.b);
        fe64_addsub(s.x3, s.z3, s.da, s.cb);
        fe64_sqr(s.x3, s.x3);               /* (DA + CB)^2 */
        fe64_sqr(s.z3, s.z3);
        fe64_mul(s.z3, s.z3, s.x1);         /* x1 (DA - CB)^2 */
        fe64_mul(s.x2, s.aa, s.bb);         /* AA BB */
        fe64_sub(s.e, s.aa, s.bb);          /* E */
        fe64_mul_a24_add(s.a, s.e, s.aa);   /* AA + a24 E */
        fe64_mul(s.z2, s.e, s.a);
    }
    uint64_t mask = tern_ct_mask_u64(swap);
    fe64_cswap(mask, s.x2, s.x3);
    fe64_cswap(mask, s.z2, s.z3);
    fe64_invert(s.z2, s.z2);
    fe64_mul(s.x2, s.x2, s.z2);
    fe64_tobytes(out, s.x2);
    tern_wipe(&s, sizeof s);
    tern_wipe(&swap, sizeof swap);
    tern_wipe(&mask, sizeof mask);
}

int tern_x25519_have_adx(void) {
    return 1;
}

void tern_x25519_fe64_op(int op, uint8_t out[32], const uint64_t a[4], const uint64_t b[4]) {
    fe64 r, t;
    switch (op) {
    case 0: fe64_add(r, a, b); break;
    case 1: fe64_sub(r, a, b); break;
    case 2: fe64_mul(r, a, b); break;
    case 3: fe64_sqr(r, a); break;
    case 4: fe64_mul_a24(r, a); break;
    case 5: fe64_invert(r, a); break;
    case 6: fe64_addsub(r, t, a, b); break;
    case 7: fe64_addsub(t, r, a, b); break;
    default: fe64_mul_a24_add(r, a, b); break;
    }
    fe64_tobytes(out, r);
}

#else

/* Not x86-64: the accelerated ladder does not exist; the dispatcher in
 * x25519.c never calls it because tern_x25519_have_adx() says so. */
void tern_x25519_ladder_adx(uint8_t out[32], const uint8_t k[32], const uint8_t u[32]) {
    tern_x25519_ladder(out, k, u);
}

int tern_x25519_have_adx(void) {
    return 0;
}

void tern_x25519_fe64_op(int op, uint8_t out[32], const uint64_t a[4], const uint64_t b[4]) {
    (void)op;
    (void)a;
    (void)b;
    memset(out, 0, 32);
}

#endif
