/*
 * Montgomery multiplication and squaring with MULX / ADCX / ADOX (Intel,
 * "New Instructions Supporting Large Integer Arithmetic on Intel
 * Architecture Processors", 2012; BMI2 + ADX), in GNU C inline assembly.
 *   multiply:  CIOS rows (HAC 14.36): per limb of b, t += a b[i] then
 *              t = (t + q m) / 2^64;
 *   square:    the off-diagonal triangle once, doubled, plus the diagonal,
 *              then n reduction rows (1.5 n^2 products instead of 2 n^2).
 * Each row keeps two carry chains in flight (CF for low halves, OF for high
 * halves).  Rows are written out in full for 16/24/32/48/64 limbs, looped
 * for other multiples of 4, and done with intrinsics otherwise.  Same
 * results as the portable code in bn.c (tests/test_bn.c checks both).
 * Compiled with -mbmi2 -madx; only called after crypto/cpu.c saw both.
 * Constant time: the instruction sequence depends on n only.
 */
#include "crypto/bn.h"

#include <immintrin.h>

#include "crypto/ct.h"

/* t[0 .. n+1] = t[0 .. n] + x[0 .. n-1] y, for n = 4 cnt.  Low halves of
 * the products ride the CF chain (ADCX), high halves the OF chain (ADOX),
 * so the two carry chains run side by side; the loop counter moves with
 * LEA and JRCXZ, which leave both flags alone. */
static inline void row_mul_add(uint64_t *t, const uint64_t *x, uint64_t y, size_t cnt) {
    __asm__ volatile("xorl %%r8d, %%r8d\n\t" /* hi = 0, CF = OF = 0 */
                     "1:\n\t"
                     "mulxq 0(%[x]), %%r10, %%r9\n\t"
                     "adcxq 0(%[t]), %%r10\n\t"
                     "adoxq %%r8, %%r10\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     "mulxq 8(%[x]), %%r10, %%r8\n\t"
                     "adcxq 8(%[t]), %%r10\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 8(%[t])\n\t"
                     "mulxq 16(%[x]), %%r10, %%r9\n\t"
                     "adcxq 16(%[t]), %%r10\n\t"
                     "adoxq %%r8, %%r10\n\t"
                     "movq %%r10, 16(%[t])\n\t"
                     "mulxq 24(%[x]), %%r10, %%r8\n\t"
                     "adcxq 24(%[t]), %%r10\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 24(%[t])\n\t"
                     "leaq 32(%[x]), %[x]\n\t"
                     "leaq 32(%[t]), %[t]\n\t"
                     "leaq -1(%[c]), %[c]\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     /* t[n] += last high half + both carries; t[n+1] = carries out */
                     "movq 0(%[t]), %%r10\n\t"
                     "adcxq %%r8, %%r10\n\t"
                     "movl $0, %%r9d\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     "movl $0, %%r10d\n\t"
                     "adcxq %%r9, %%r10\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 8(%[t])\n\t"
                     : [t] "+r"(t), [x] "+r"(x), [c] "+c"(cnt)
                     : "d"(y)
                     : "r8", "r9", "r10", "cc", "memory");
}

/* t[-1 .. n] = (t[0 .. n+1] + m q) / 2^64 (the low limb is zero by the
 * choice of q, so the results are stored one limb down: t[-1] must be
 * writable scratch). */
static inline void row_reduce(uint64_t *t, const uint64_t *m, uint64_t q, size_t cnt) {
    __asm__ volatile("xorl %%r8d, %%r8d\n\t"
                     "1:\n\t"
                     "mulxq 0(%[x]), %%r10, %%r9\n\t"
                     "adcxq 0(%[t]), %%r10\n\t"
                     "adoxq %%r8, %%r10\n\t"
                     "movq %%r10, -8(%[t])\n\t"
                     "mulxq 8(%[x]), %%r10, %%r8\n\t"
                     "adcxq 8(%[t]), %%r10\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     "mulxq 16(%[x]), %%r10, %%r9\n\t"
                     "adcxq 16(%[t]), %%r10\n\t"
                     "adoxq %%r8, %%r10\n\t"
                     "movq %%r10, 8(%[t])\n\t"
                     "mulxq 24(%[x]), %%r10, %%r8\n\t"
                     "adcxq 24(%[t]), %%r10\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 16(%[t])\n\t"
                     "leaq 32(%[x]), %[x]\n\t"
                     "leaq 32(%[t]), %[t]\n\t"
                     "leaq -1(%[c]), %[c]\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     "movq 0(%[t]), %%r10\n\t"
                     "adcxq %%r8, %%r10\n\t"
                     "movl $0, %%r9d\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, -8(%[t])\n\t"
                     "movq 8(%[t]), %%r10\n\t"
                     "adcxq %%r9, %%r10\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     : [t] "+r"(t), [x] "+r"(m), [c] "+c"(cnt)
                     : "d"(q)
                     : "r8", "r9", "r10", "cc", "memory");
}

/* t[0 .. L-1] += x[0 .. L-1] y and t[L] = the carry word (t[L] must be
 * free: it is overwritten), for L = K + 4 groups with K = 0..3 leading
 * single limbs written out (one variant per K), then 4-limb groups.  No
 * overflow: t + x y < 2^(64 (L+1)) when t < 2^(64 L). */
#define ONE_LIMB(o, hn, hp)                                                   \
    "mulxq " o "(%[x]), %%r10, " hn "\n\t"                                    \
    "adcxq " o "(%[t]), %%r10\n\t"                                            \
    "adoxq " hp ", %%r10\n\t"                                                 \
    "movq %%r10, " o "(%[t])\n\t"
#define PREFIX_0 ""
#define PREFIX_1 ONE_LIMB("0", "%%r9", "%%r8") "movq %%r9, %%r8\n\t" "leaq 8(%[x]), %[x]\n\tleaq 8(%[t]), %[t]\n\t"
#define PREFIX_2 ONE_LIMB("0", "%%r9", "%%r8") ONE_LIMB("8", "%%r8", "%%r9") "leaq 16(%[x]), %[x]\n\tleaq 16(%[t]), %[t]\n\t"
#define PREFIX_3                                                              \
    ONE_LIMB("0", "%%r9", "%%r8") ONE_LIMB("8", "%%r8", "%%r9") ONE_LIMB("16", "%%r9", "%%r8") \
    "movq %%r9, %%r8\n\t" "leaq 24(%[x]), %[x]\n\tleaq 24(%[t]), %[t]\n\t"
#define DEFINE_ROW_STORE(K)                                                                       \
    static inline void row_mac_store_##K(uint64_t *t, const uint64_t *x, uint64_t y, size_t groups) { \
        __asm__ volatile("xorl %%r8d, %%r8d\n\t" PREFIX_##K                                       \
                         "1:\n\t"                                                                 \
                         "jrcxz 2f\n\t"                                                           \
                         ONE_LIMB("0", "%%r9", "%%r8") ONE_LIMB("8", "%%r8", "%%r9")              \
                         ONE_LIMB("16", "%%r9", "%%r8") ONE_LIMB("24", "%%r8", "%%r9")            \
                         "leaq 32(%[x]), %[x]\n\t"                                                \
                         "leaq 32(%[t]), %[t]\n\t"                                                \
                         "leaq -1(%[c]), %[c]\n\t"                                                \
                         "jmp 1b\n"                                                               \
                         "2:\n\t"                                                                 \
                         "movl $0, %%r9d\n\t"                                                     \
                         "adcxq %%r9, %%r8\n\t"                                                   \
                         "adoxq %%r9, %%r8\n\t"                                                   \
                         "movq %%r8, 0(%[t])\n\t"                                                 \
                         : [t] "+r"(t), [x] "+r"(x), [c] "+c"(groups)                             \
                         : "d"(y)                                                                 \
                         : "r8", "r9", "r10", "cc", "memory");                                    \
    }
DEFINE_ROW_STORE(0)
DEFINE_ROW_STORE(1)
DEFINE_ROW_STORE(2)
DEFINE_ROW_STORE(3)

static inline void row_mac_store(uint64_t *t, const uint64_t *x, uint64_t y, size_t len) {
    switch (len % 4) { /* len is public: the row length of the triangle */
    case 0: row_mac_store_0(t, x, y, len / 4); break;
    case 1: row_mac_store_1(t, x, y, len / 4); break;
    case 2: row_mac_store_2(t, x, y, len / 4); break;
    default: row_mac_store_3(t, x, y, len / 4); break;
    }
}

/* t[0 .. 2n-1] = 2 t + the diagonal (a[i]^2 at limb 2i), in one pass: the
 * doubling rides the CF chain (t + t), the squares the OF chain. */
static inline void double_add_diagonal(uint64_t *t, const uint64_t *a, size_t n) {
    __asm__ volatile("xorl %%r8d, %%r8d\n\t"
                     "1:\n\t"
                     "jrcxz 2f\n\t"
                     "movq 0(%[a]), %%rdx\n\t"
                     "mulxq %%rdx, %%r9, %%r10\n\t"
                     "movq 0(%[t]), %%r11\n\t"
                     "adcxq %%r11, %%r11\n\t"
                     "adoxq %%r9, %%r11\n\t"
                     "movq %%r11, 0(%[t])\n\t"
                     "movq 8(%[t]), %%r11\n\t"
                     "adcxq %%r11, %%r11\n\t"
                     "adoxq %%r10, %%r11\n\t"
                     "movq %%r11, 8(%[t])\n\t"
                     "leaq 8(%[a]), %[a]\n\t"
                     "leaq 16(%[t]), %[t]\n\t"
                     "leaq -1(%[c]), %[c]\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     : [t] "+r"(t), [a] "+r"(a), [c] "+c"(n)
                     :
                     : "rdx", "r8", "r9", "r10", "r11", "cc", "memory");
}

/* t[0 .. L-1] += x[0 .. L-1] y with L = 4 cnt, then t[L] += the carry word
 * + cin; returns the carry out of t[L] (0 or 1). */
static inline uint64_t row_mac_acc(uint64_t *t, const uint64_t *x, uint64_t y, size_t cnt, uint64_t cin) {
    uint64_t cout;
    __asm__ volatile("xorl %%r8d, %%r8d\n\t"
                     "1:\n\t"
                     "mulxq 0(%[x]), %%r10, %%r9\n\t"
                     "adcxq 0(%[t]), %%r10\n\t"
                     "adoxq %%r8, %%r10\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     "mulxq 8(%[x]), %%r10, %%r8\n\t"
                     "adcxq 8(%[t]), %%r10\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 8(%[t])\n\t"
                     "mulxq 16(%[x]), %%r10, %%r9\n\t"
                     "adcxq 16(%[t]), %%r10\n\t"
                     "adoxq %%r8, %%r10\n\t"
                     "movq %%r10, 16(%[t])\n\t"
                     "mulxq 24(%[x]), %%r10, %%r8\n\t"
                     "adcxq 24(%[t]), %%r10\n\t"
                     "adoxq %%r9, %%r10\n\t"
                     "movq %%r10, 24(%[t])\n\t"
                     "leaq 32(%[x]), %[x]\n\t"
                     "leaq 32(%[t]), %[t]\n\t"
                     "leaq -1(%[c]), %[c]\n\t"
                     "jrcxz 2f\n\t"
                     "jmp 1b\n"
                     "2:\n\t"
                     "movq 0(%[t]), %%r10\n\t"
                     "adcxq %%r8, %%r10\n\t" /* + high half + CF */
                     "movl $0, %%r9d\n\t"
                     "movl $0, %%r8d\n\t"
                     "adoxq %%r9, %%r10\n\t" /* + OF */
                     "adcxq %%r9, %%r8\n\t"  /* carries out of t[L] so far */
                     "adoxq %%r9, %%r8\n\t"
                     "addq %[cin], %%r10\n\t"
                     "adcq %%r9, %%r8\n\t"
                     "movq %%r10, 0(%[t])\n\t"
                     "movq %%r8, %[cout]\n\t"
                     : [t] "+r"(t), [x] "+r"(x), [c] "+c"(cnt), [cout] "=r"(cout)
                     : "d"(y), [cin] "r"(cin)
                     : "r8", "r9", "r10", "cc", "memory");
    return cout;
}

/* r = t - m if t >= m (top is the bit above t's n limbs), else t: one SBB
 * chain, then a masked select. */
static void final_sub(uint64_t *r, const uint64_t *t, uint64_t top, const uint64_t *m, size_t n) {
    unsigned long long d[TERN_BN_MAX_LIMBS];
    unsigned char b = 0;
    for (size_t j = 0; j < n; j++)
        b = _subborrow_u64(b, t[j], m[j], &d[j]);
    uint64_t mask = tern_ct_mask_u64(top | (uint64_t)(b ^ 1));
    for (size_t j = 0; j < n; j++)
        r[j] = (d[j] & mask) | (t[j] & ~mask);
}

/* t[0 .. 2n] = the off-diagonal triangle sum_{i<j} a[i] a[j] 2^(64 (i+j))
 * (t[2n-1] = t[2n] = 0). */
static void triangle_rows(uint64_t *t, const uint64_t *a, size_t n) {
    for (size_t j = 0; j < 2 * n + 1; j++)
        t[j] = 0;
    if (n % 4 == 0) {
        /* Row i has n-1-i limbs: 3, 2, 1, 0 leading single limbs in turn,
         * so four rows at a time call the fixed variants directly. */
        for (size_t i = 0; i + 4 <= n; i += 4) {
            size_t g = (n - 4 - i) / 4; /* 4-limb groups after the prefix */
            row_mac_store_3(t + 2 * i + 1, a + i + 1, a[i], g);
            row_mac_store_2(t + 2 * i + 3, a + i + 2, a[i + 1], g);
            row_mac_store_1(t + 2 * i + 5, a + i + 3, a[i + 2], g);
            if (i + 4 < n)
                row_mac_store_0(t + 2 * i + 7, a + i + 4, a[i + 3], g);
        }
    } else {
        for (size_t i = 0; i + 1 < n; i++)
            row_mac_store(t + 2 * i + 1, a + i + 1, a[i], n - 1 - i);
    }
}

/* t[0 .. 2n] = a^2 without reduction (t[2n] = 0): the triangle, doubled,
 * plus the diagonal a[i]^2 at limb 2i. */
static void square_triangle(uint64_t *t, const uint64_t *a, size_t n) {
    triangle_rows(t, a, n);
    /* The triangle is below a^2 / 2 < 2^(128 n - 1), so doubling it does
     * not carry out, and 2 tri + diag = a^2 < 2^(128 n) fits. */
    double_add_diagonal(t, a, n);
}

/* Montgomery squaring, n = 4 cnt: the off-diagonal triangle once
 * (n (n-1) / 2 products), doubled, plus the diagonal, then n reduction rows
 * over the 2n-limb square: 1.5 n^2 products instead of 2 n^2. */
static void mont_sqr_asm(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0inv, size_t n) {
    uint64_t t[2 * TERN_BN_MAX_LIMBS + 1];
    square_triangle(t, a, n);
    uint64_t top = 0;
    for (size_t i = 0; i < n; i++)
        top = row_mac_acc(t + i, m, t[i] * m0inv, n / 4, top);
    final_sub(r, t + n, top, m, n);
}

static void mont_mul_asm(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t m0inv,
                         size_t n) {
    uint64_t buf[TERN_BN_MAX_LIMBS + 3];
    uint64_t *t = buf + 1; /* t[-1] is scratch for row_reduce */
    for (size_t j = 0; j < n + 2; j++)
        t[j] = 0;
    for (size_t i = 0; i < n; i++) {
        row_mul_add(t, a, b[i], n / 4);
        row_reduce(t, m, t[0] * m0inv, n / 4);
    }
    final_sub(r, t, t[n], m, n);
}

/* ---- fully unrolled rows for n = 8 NB limbs (every standard RSA size) ----
 * The same rows as above, written out 8 limbs at a time and repeated NB
 * times by the assembler (.rept), so a row runs without a loop branch. */
#define MAC_LIMB(o, hn, hp)                                                   \
    "mulxq " o "(%[x]), %%r10, " hn "\n\t"                                    \
    "adcxq " o "(%[t]), %%r10\n\t"                                            \
    "adoxq " hp ", %%r10\n\t"                                                 \
    "movq %%r10, " o "(%[t])\n\t"
#define RED_LIMB(o, os, hn, hp)                                               \
    "mulxq " o "(%[x]), %%r10, " hn "\n\t"                                    \
    "adcxq " o "(%[t]), %%r10\n\t"                                            \
    "adoxq " hp ", %%r10\n\t"                                                 \
    "movq %%r10, " os "(%[t])\n\t"
#define MAC8                                                                  \
    MAC_LIMB("0", "%%r9", "%%r8") MAC_LIMB("8", "%%r8", "%%r9")               \
    MAC_LIMB("16", "%%r9", "%%r8") MAC_LIMB("24", "%%r8", "%%r9")             \
    MAC_LIMB("32", "%%r9", "%%r8") MAC_LIMB("40", "%%r8", "%%r9")             \
    MAC_LIMB("48", "%%r9", "%%r8") MAC_LIMB("56", "%%r8", "%%r9")
#define RED8                                                                  \
    RED_LIMB("0", "-8", "%%r9", "%%r8") RED_LIMB("8", "0", "%%r8", "%%r9")    \
    RED_LIMB("16", "8", "%%r9", "%%r8") RED_LIMB("24", "16", "%%r8", "%%r9")  \
    RED_LIMB("32", "24", "%%r9", "%%r8") RED_LIMB("40", "32", "%%r8", "%%r9") \
    RED_LIMB("48", "40", "%%r9", "%%r8") RED_LIMB("56", "48", "%%r8", "%%r9")
#define NEXT8 "leaq 64(%[x]), %[x]\n\tleaq 64(%[t]), %[t]\n\t"
#define DBL_DIAG_STEP                                                         \
    "movq 0(%[a]), %%rdx\n\t"                                                 \
    "mulxq %%rdx, %%r9, %%r10\n\t"                                            \
    "movq 0(%[t]), %%r11\n\t"                                                 \
    "adcxq %%r11, %%r11\n\t"                                                  \
    "adoxq %%r9, %%r11\n\t"                                                   \
    "movq %%r11, 0(%[t])\n\t"                                                 \
    "movq 8(%[t]), %%r11\n\t"                                                 \
    "adcxq %%r11, %%r11\n\t"                                                  \
    "adoxq %%r10, %%r11\n\t"                                                  \
    "movq %%r11, 8(%[t])\n\t"                                                 \
    "leaq 8(%[a]), %[a]\n\t"                                                  \
    "leaq 16(%[t]), %[t]\n\t"

#define DEFINE_UNROLLED(NB)                                                                      \
    static inline void row_mul_add_##NB(uint64_t *t, const uint64_t *x, uint64_t y) {            \
        __asm__ volatile("xorl %%r8d, %%r8d\n\t"                                                 \
                         ".rept " #NB "\n\t" MAC8 NEXT8 ".endr\n\t"                              \
                         "movq 0(%[t]), %%r10\n\t"                                               \
                         "adcxq %%r8, %%r10\n\t"                                                 \
                         "movl $0, %%r9d\n\t"                                                    \
                         "adoxq %%r9, %%r10\n\t"                                                 \
                         "movq %%r10, 0(%[t])\n\t"                                               \
                         "movl $0, %%r10d\n\t"                                                   \
                         "adcxq %%r9, %%r10\n\t"                                                 \
                         "adoxq %%r9, %%r10\n\t"                                                 \
                         "movq %%r10, 8(%[t])\n\t"                                               \
                         : [t] "+r"(t), [x] "+r"(x)                                              \
                         : "d"(y)                                                                \
                         : "r8", "r9", "r10", "cc", "memory");                                   \
    }                                                                                            \
    static inline void row_reduce_##NB(uint64_t *t, const uint64_t *x, uint64_t q) {             \
        __asm__ volatile("xorl %%r8d, %%r8d\n\t"                                                 \
                         ".rept " #NB "\n\t" RED8 NEXT8 ".endr\n\t"                              \
                         "movq 0(%[t]), %%r10\n\t"                                               \
                         "adcxq %%r8, %%r10\n\t"                                                 \
                         "movl $0, %%r9d\n\t"                                                    \
                         "adoxq %%r9, %%r10\n\t"                                                 \
                         "movq %%r10, -8(%[t])\n\t"                                              \
                         "movq 8(%[t]), %%r10\n\t"                                               \
                         "adcxq %%r9, %%r10\n\t"                                                 \
                         "adoxq %%r9, %%r10\n\t"                                                 \
                         "movq %%r10, 0(%[t])\n\t"                                               \
                         : [t] "+r"(t), [x] "+r"(x)                                              \
                         : "d"(q)                                                                \
                         : "r8", "r9", "r10", "cc", "memory");                                   \
    }                                                                                            \
    static inline uint64_t row_mac_acc_##NB(uint64_t *t, const uint64_t *x, uint64_t y, uint64_t cin) { \
        uint64_t cout;                                                                           \
        __asm__ volatile("xorl %%r8d, %%r8d\n\t"                                                 \
                         ".rept " #NB "\n\t" MAC8 NEXT8 ".endr\n\t"                              \
                         "movq 0(%[t]), %%r10\n\t"                                               \
                         "adcxq %%r8, %%r10\n\t"                                                 \
                         "movl $0, %%r9d\n\t"                                                    \
                         "movl $0, %%r8d\n\t"                                                    \
                         "adoxq %%r9, %%r10\n\t"                                                 \
                         "adcxq %%r9, %%r8\n\t"                                                  \
                         "adoxq %%r9, %%r8\n\t"                                                  \
                         "addq %[cin], %%r10\n\t"                                                \
                         "adcq %%r9, %%r8\n\t"                                                   \
                         "movq %%r10, 0(%[t])\n\t"                                               \
                         "movq %%r8, %[cout]\n\t"                                                \
                         : [t] "+r"(t), [x] "+r"(x), [cout] "=r"(cout)                           \
                         : "d"(y), [cin] "r"(cin)                                                \
                         : "r8", "r9", "r10", "cc", "memory");                                   \
        return cout;                                                                             \
    }                                                                                            \
    static void mont_mul_##NB(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, \
                              uint64_t m0inv) {                                                  \
        const size_t n = 8 * NB;                                                                 \
        uint64_t buf[8 * NB + 3];                                                                \
        uint64_t *t = buf + 1;                                                                   \
        for (size_t j = 0; j < n + 2; j++)                                                       \
            t[j] = 0;                                                                            \
        for (size_t i = 0; i < n; i++) {                                                         \
            row_mul_add_##NB(t, a, b[i]);                                                        \
            row_reduce_##NB(t, m, t[0] * m0inv);                                                 \
        }                                                                                        \
        final_sub(r, t, t[n], m, n);                                                             \
    }                                                                                            \
    static inline void double_add_diagonal_##NB(uint64_t *t, const uint64_t *a) {               \
        __asm__ volatile("xorl %%r8d, %%r8d\n\t"                                                 \
                         ".rept 8*" #NB "\n\t" DBL_DIAG_STEP ".endr\n\t"                         \
                         : [t] "+r"(t), [a] "+r"(a)                                              \
                         :                                                                       \
                         : "rdx", "r8", "r9", "r10", "r11", "cc", "memory");                     \
    }                                                                                            \
    static void mont_sqr_##NB(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0inv) { \
        const size_t n = 8 * NB;                                                                 \
        uint64_t t[16 * NB + 1];                                                                 \
        triangle_rows(t, a, n);                                                                  \
        double_add_diagonal_##NB(t, a); /* as in square_triangle */                              \
        uint64_t top = 0;                                                                        \
        for (size_t i = 0; i < n; i++)                                                           \
            top = row_mac_acc_##NB(t + i, m, t[i] * m0inv, top);                                 \
        final_sub(r, t + n, top, m, n);                                                          \
    }

DEFINE_UNROLLED(2) /* 1024-bit: RSA-2048 CRT halves */
DEFINE_UNROLLED(3) /* 1536-bit: RSA-3072 halves */
DEFINE_UNROLLED(4) /* 2048-bit: RSA-2048 public ops, RSA-4096 halves */
DEFINE_UNROLLED(6) /* 3072-bit public ops */
DEFINE_UNROLLED(8) /* 4096-bit public ops */

/* Any n: the same CIOS with intrinsics (compilers serialise the two chains,
 * so this is only the fallback for limb counts that are not multiples of 4). */
static void mont_mul_intrin(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t m0inv,
                            size_t n) {
    uint64_t t[TERN_BN_MAX_LIMBS + 2];
    unsigned long long s;
    for (size_t j = 0; j < n + 2; j++)
        t[j] = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long long bi = b[i], hi, lo, prev = 0;
        unsigned char c1 = 0, c2 = 0;
        /* t += a * bi: low halves on one carry chain, high halves on the other. */
        for (size_t j = 0; j < n; j++) {
            lo = _mulx_u64(a[j], bi, &hi);
            c1 = _addcarryx_u64(c1, t[j], lo, &s);
            c2 = _addcarryx_u64(c2, s, prev, &s);
            t[j] = s;
            prev = hi;
        }
        c1 = _addcarryx_u64(c1, t[n], prev, &s);
        c2 = _addcarryx_u64(c2, s, 0, &s);
        t[n] = s;
        t[n + 1] = (unsigned long long)c1 + c2;
        /* t += q m with q making t[0] vanish, then shift down a limb. */
        unsigned long long q = t[0] * m0inv;
        c1 = c2 = 0;
        prev = 0;
        for (size_t j = 0; j < n; j++) {
            lo = _mulx_u64(m[j], q, &hi);
            c1 = _addcarryx_u64(c1, t[j], lo, &s);
            c2 = _addcarryx_u64(c2, s, prev, &s);
            t[j] = s;
            prev = hi;
        }
        c1 = _addcarryx_u64(c1, t[n], prev, &s);
        c2 = _addcarryx_u64(c2, s, 0, &s);
        t[n] = s;
        t[n + 1] += (unsigned long long)c1 + c2;
        for (size_t j = 0; j <= n; j++)
            t[j] = t[j + 1];
        t[n + 1] = 0;
    }
    uint64_t d[TERN_BN_MAX_LIMBS];
    uint64_t borrow = tern_bn_sub(d, t, m, n);
    uint64_t mask = tern_ct_mask_u64(t[n] | (borrow ^ 1));
    for (size_t j = 0; j < n; j++)
        r[j] = tern_ct_select_u64(mask, d[j], t[j]);
}

void tern_bn_mont_mul_adx(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t m0inv,
                          size_t n) {
    switch (n) {
    case 16: mont_mul_2(r, a, b, m, m0inv); break;
    case 24: mont_mul_3(r, a, b, m, m0inv); break;
    case 32: mont_mul_4(r, a, b, m, m0inv); break;
    case 48: mont_mul_6(r, a, b, m, m0inv); break;
    case 64: mont_mul_8(r, a, b, m, m0inv); break;
    default:
        if (n % 4 == 0)
            mont_mul_asm(r, a, b, m, m0inv, n);
        else
            mont_mul_intrin(r, a, b, m, m0inv, n);
    }
}

void tern_bn_mont_sqr_adx(uint64_t *r, const uint64_t *a, const uint64_t *m, uint64_t m0inv, size_t n) {
    switch (n) {
    case 16: mont_sqr_2(r, a, m, m0inv); break;
    case 24: mont_sqr_3(r, a, m, m0inv); break;
    case 32: mont_sqr_4(r, a, m, m0inv); break;
    case 48: mont_sqr_6(r, a, m, m0inv); break;
    case 64: mont_sqr_8(r, a, m, m0inv); break;
    default:
        if (n % 4 == 0)
            mont_sqr_asm(r, a, m, m0inv, n);
        else
            mont_mul_intrin(r, a, a, m, m0inv, n);
    }
}
