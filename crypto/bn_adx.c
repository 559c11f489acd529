/*
 * Montgomery multiplication with MULX / ADCX / ADOX (Intel "New
 * Instructions Supporting Large Integer Arithmetic", 2012; BMI2 + ADX).
 * Same CIOS algorithm and result as tern_bn_mont_mul_portable (bn.c).
 * Compiled with -mbmi2 -madx; only called after crypto/cpu.c saw both.
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
    uint64_t d[TERN_BN_MAX_LIMBS];
    uint64_t borrow = tern_bn_sub(d, t, m, n);
    uint64_t mask = tern_ct_mask_u64(t[n] | (borrow ^ 1));
    for (size_t j = 0; j < n; j++)
        r[j] = tern_ct_select_u64(mask, d[j], t[j]);
}

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
    if (n % 4 == 0) /* every standard RSA size: 1024/1536/2048-bit halves, 2048..4096-bit moduli */
        mont_mul_asm(r, a, b, m, m0inv, n);
    else
        mont_mul_intrin(r, a, b, m, m0inv, n);
}
