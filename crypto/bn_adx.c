/*
 * Montgomery multiplication with MULX / ADCX / ADOX (Intel "New
 * Instructions Supporting Large Integer Arithmetic", 2012; BMI2 + ADX).
 * Same CIOS algorithm and result as tern_bn_mont_mul_portable (bn.c).
 * Compiled with -mbmi2 -madx; only called after crypto/cpu.c saw both.
 */
#include "crypto/bn.h"

#include <immintrin.h>

#include "crypto/ct.h"

void tern_bn_mont_mul_adx(uint64_t *r, const uint64_t *a, const uint64_t *b, const uint64_t *m, uint64_t m0inv,
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
