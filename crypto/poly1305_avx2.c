/*
 * Poly1305 (RFC 8439 §2.5) eight blocks at a time with AVX2.
 *
 * The message blocks m_1 .. m_8N are dealt round-robin to eight lanes (two
 * registers of four); lane j accumulates A_j = sum_t m_{8t+j+1}
 * (r^8)^(N-1-t) by the usual Horner step A = (A + M) r^8, except that the
 * last step multiplies lane j by r^(8-j) instead.  Then
 * sum_j A_j = sum_i m_i r^(8N-i+1), which is what the serial algorithm
 * computes; a running accumulator h from earlier blocks is added into lane
 * 0's first block, where it picks up r^(8N).
 *
 * Arithmetic is in radix 2^26 (five limbs per lane, one per 64-bit element)
 * so that vpmuludq's 32 x 32 -> 64-bit products can be summed without
 * overflow: limbs stay below 2^27, 5 r_i below 2^29, so a sum of five
 * products is below 2^59.  Bits above 2^130 fold back times 5 (2^130 = 5
 * mod p), hence the s_i = 5 r_i terms.
 *
 * Called by crypto/poly1305.c after tern_cpu_has(TERN_CPU_AVX2), which
 * hands over and takes back the accumulator in its own radix-2^44 form.
 * Constant time: the same instructions whatever the key and message.
 */
#include <immintrin.h>

#include "crypto/chacha20poly1305.h"
#include "crypto/ct.h"

#define M26 ((uint64_t)0x3ffffff)
#define M44 ((uint64_t)0xfffffffffff)
#define M42 ((uint64_t)0x3ffffffffff)

/* Radix 2^44 (44, 44, 42 bits; limbs may carry a little excess) to radix
 * 2^26, after a full carry so every limb is in range. */
static void to26(uint64_t a[5], const uint64_t h_in[3]) {
    uint64_t h0 = h_in[0], h1 = h_in[1], h2 = h_in[2], c;
    for (int i = 0; i < 2; i++) {
        c = h0 >> 44;
        h0 &= M44;
        h1 += c;
        c = h1 >> 44;
        h1 &= M44;
        h2 += c;
        c = h2 >> 42;
        h2 &= M42;
        h0 += c * 5;
    }
    c = h0 >> 44; /* at most a tiny carry is left after two passes */
    h0 &= M44;
    h1 += c;
    a[0] = h0 & M26;
    a[1] = ((h0 >> 26) | (h1 << 18)) & M26;
    a[2] = (h1 >> 8) & M26;
    a[3] = ((h1 >> 34) | (h2 << 10)) & M26;
    a[4] = (h2 >> 16) & M26;
}

/* Radix 2^26 (limbs < 2^27) back to radix 2^44 (h2 may exceed 42 bits by
 * a little; poly1305.c's arithmetic allows for that). */
static void from26(uint64_t h[3], const uint64_t a[5]) {
    /* Each limb enters once, at its bit position relative to the 44-bit
     * limb it starts in; what spills past bit 44 travels in t. */
    uint64_t t = a[0] + (a[1] << 26); /* bits 0..52 */
    h[0] = t & M44;
    t = (t >> 44) + (a[2] << 8) + (a[3] << 34); /* from bit 44: < 2^61 */
    h[1] = t & M44;
    h[2] = (t >> 44) + (a[4] << 16); /* from bit 88 */
}

/* Scalar r = a * b mod p in radix 2^26 with one carry pass (used only to
 * make r^2, r^3, r^4). */
static void mul26(uint64_t r[5], const uint64_t a[5], const uint64_t b[5]) {
    uint64_t s1 = b[1] * 5, s2 = b[2] * 5, s3 = b[3] * 5, s4 = b[4] * 5;
    uint64_t d0 = a[0] * b[0] + a[1] * s4 + a[2] * s3 + a[3] * s2 + a[4] * s1;
    uint64_t d1 = a[0] * b[1] + a[1] * b[0] + a[2] * s4 + a[3] * s3 + a[4] * s2;
    uint64_t d2 = a[0] * b[2] + a[1] * b[1] + a[2] * b[0] + a[3] * s4 + a[4] * s3;
    uint64_t d3 = a[0] * b[3] + a[1] * b[2] + a[2] * b[1] + a[3] * b[0] + a[4] * s4;
    uint64_t d4 = a[0] * b[4] + a[1] * b[3] + a[2] * b[2] + a[3] * b[1] + a[4] * b[0];
    uint64_t c;
    c = d0 >> 26, d0 &= M26, d1 += c;
    c = d1 >> 26, d1 &= M26, d2 += c;
    c = d2 >> 26, d2 &= M26, d3 += c;
    c = d3 >> 26, d3 &= M26, d4 += c;
    c = d4 >> 26, d4 &= M26, d0 += c * 5;
    c = d0 >> 26, d0 &= M26, d1 += c;
    r[0] = d0, r[1] = d1, r[2] = d2, r[3] = d3, r[4] = d4;
}

/* d = a * (r, s = 5r) lane-wise, then one carry pass. */
static inline void vmul(__m256i d[5], const __m256i a[5], const __m256i r[5], const __m256i s[5]) {
#define MUL(x, y) _mm256_mul_epu32((x), (y))
#define ADD(x, y) _mm256_add_epi64((x), (y))
    __m256i d0 = ADD(ADD(ADD(MUL(a[0], r[0]), MUL(a[1], s[4])), ADD(MUL(a[2], s[3]), MUL(a[3], s[2]))), MUL(a[4], s[1]));
    __m256i d1 = ADD(ADD(ADD(MUL(a[0], r[1]), MUL(a[1], r[0])), ADD(MUL(a[2], s[4]), MUL(a[3], s[3]))), MUL(a[4], s[2]));
    __m256i d2 = ADD(ADD(ADD(MUL(a[0], r[2]), MUL(a[1], r[1])), ADD(MUL(a[2], r[0]), MUL(a[3], s[4]))), MUL(a[4], s[3]));
    __m256i d3 = ADD(ADD(ADD(MUL(a[0], r[3]), MUL(a[1], r[2])), ADD(MUL(a[2], r[1]), MUL(a[3], r[0]))), MUL(a[4], s[4]));
    __m256i d4 = ADD(ADD(ADD(MUL(a[0], r[4]), MUL(a[1], r[3])), ADD(MUL(a[2], r[2]), MUL(a[3], r[1]))), MUL(a[4], r[0]));
    const __m256i m = _mm256_set1_epi64x((long long)M26);
    __m256i c;
    c = _mm256_srli_epi64(d0, 26), d0 = _mm256_and_si256(d0, m), d1 = ADD(d1, c);
    c = _mm256_srli_epi64(d1, 26), d1 = _mm256_and_si256(d1, m), d2 = ADD(d2, c);
    c = _mm256_srli_epi64(d2, 26), d2 = _mm256_and_si256(d2, m), d3 = ADD(d3, c);
    c = _mm256_srli_epi64(d3, 26), d3 = _mm256_and_si256(d3, m), d4 = ADD(d4, c);
    c = _mm256_srli_epi64(d4, 26), d4 = _mm256_and_si256(d4, m);
    d0 = ADD(d0, ADD(c, _mm256_slli_epi64(c, 2))); /* + 5c */
    c = _mm256_srli_epi64(d0, 26), d0 = _mm256_and_si256(d0, m), d1 = ADD(d1, c);
    d[0] = d0, d[1] = d1, d[2] = d2, d[3] = d3, d[4] = d4;
#undef MUL
#undef ADD
}

/* Four 16-byte blocks at p as radix-2^26 limbs, lane j = block j, with the
 * 2^128 bit of a full block. */
static inline void load4(__m256i m[5], const uint8_t *p) {
    __m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)p);        /* blocks 0, 1 */
    __m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32)); /* blocks 2, 3 */
    /* unpack gives lanes (0, 2, 1, 3); the permute puts them in order. */
    __m256i lo = _mm256_permute4x64_epi64(_mm256_unpacklo_epi64(v0, v1), 0xd8);
    __m256i hi = _mm256_permute4x64_epi64(_mm256_unpackhi_epi64(v0, v1), 0xd8);
    const __m256i mask = _mm256_set1_epi64x((long long)M26);
    m[0] = _mm256_and_si256(lo, mask);
    m[1] = _mm256_and_si256(_mm256_srli_epi64(lo, 26), mask);
    m[2] = _mm256_and_si256(_mm256_or_si256(_mm256_srli_epi64(lo, 52), _mm256_slli_epi64(hi, 12)), mask);
    m[3] = _mm256_and_si256(_mm256_srli_epi64(hi, 14), mask);
    m[4] = _mm256_or_si256(_mm256_srli_epi64(hi, 40), _mm256_set1_epi64x(1 << 24));
}

void tern_poly1305_blocks_avx2(uint64_t h[3], const uint64_t r44[3], const uint8_t *m, size_t nblocks) {
    /* Two independent four-lane accumulators (A: blocks 8t+1..8t+4, B:
     * 8t+5..8t+8) so that one's multiply-and-carry chain overlaps the
     * other's: eight lanes, step r^8, final multipliers r^8..r^1. */
    uint64_t rp[9][5], h26[5];
    __m256i R8[5], S8[5], RA[5], SA[5], RB[5], SB[5], A[5], B[5], M[5];
    to26(rp[1], r44);
    for (int k = 2; k <= 8; k++)
        mul26(rp[k], rp[k - 1], rp[1]);
    to26(h26, h);
    for (int i = 0; i < 5; i++) {
        R8[i] = _mm256_set1_epi64x((long long)rp[8][i]);
        S8[i] = _mm256_set1_epi64x((long long)(rp[8][i] * 5));
        /* last step: lane j of A times r^(8-j), of B times r^(4-j)
         * (set_epi64x lists lane 3 first) */
        RA[i] = _mm256_set_epi64x((long long)rp[5][i], (long long)rp[6][i], (long long)rp[7][i],
                                  (long long)rp[8][i]);
        SA[i] = _mm256_set_epi64x((long long)(rp[5][i] * 5), (long long)(rp[6][i] * 5),
                                  (long long)(rp[7][i] * 5), (long long)(rp[8][i] * 5));
        RB[i] = _mm256_set_epi64x((long long)rp[1][i], (long long)rp[2][i], (long long)rp[3][i],
                                  (long long)rp[4][i]);
        SB[i] = _mm256_set_epi64x((long long)(rp[1][i] * 5), (long long)(rp[2][i] * 5),
                                  (long long)(rp[3][i] * 5), (long long)(rp[4][i] * 5));
        A[i] = _mm256_set_epi64x(0, 0, 0, (long long)h26[i]);
        B[i] = _mm256_setzero_si256();
    }
    size_t n8 = nblocks / 8;
    for (size_t t = 0; t < n8; t++) {
        load4(M, m + 128 * t);
        for (int i = 0; i < 5; i++)
            A[i] = _mm256_add_epi64(A[i], M[i]);
        load4(M, m + 128 * t + 64);
        for (int i = 0; i < 5; i++)
            B[i] = _mm256_add_epi64(B[i], M[i]);
        if (t + 1 < n8) { /* public: the loop position */
            vmul(A, A, R8, S8);
            vmul(B, B, R8, S8);
        } else {
            vmul(A, A, RA, SA);
            vmul(B, B, RB, SB);
        }
    }
    /* Sum the eight lanes, carry, and hand back in radix 2^44. */
    uint64_t la[4], lb[4], d[5], c;
    for (int i = 0; i < 5; i++) {
        _mm256_storeu_si256((__m256i *)(void *)la, A[i]);
        _mm256_storeu_si256((__m256i *)(void *)lb, B[i]);
        d[i] = la[0] + la[1] + la[2] + la[3] + lb[0] + lb[1] + lb[2] + lb[3];
    }
    c = d[0] >> 26, d[0] &= M26, d[1] += c;
    c = d[1] >> 26, d[1] &= M26, d[2] += c;
    c = d[2] >> 26, d[2] &= M26, d[3] += c;
    c = d[3] >> 26, d[3] &= M26, d[4] += c;
    c = d[4] >> 26, d[4] &= M26, d[0] += c * 5;
    c = d[0] >> 26, d[0] &= M26, d[1] += c;
    from26(h, d);
    tern_wipe(la, sizeof la);
    tern_wipe(lb, sizeof lb);
    tern_wipe(rp, sizeof rp);
    tern_wipe(R8, sizeof R8);
    tern_wipe(S8, sizeof S8);
    tern_wipe(RA, sizeof RA);
    tern_wipe(SA, sizeof SA);
    tern_wipe(RB, sizeof RB);
    tern_wipe(SB, sizeof SB);
    tern_wipe(A, sizeof A);
    tern_wipe(B, sizeof B);
    tern_wipe(M, sizeof M);
}
