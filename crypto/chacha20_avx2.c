/*
 * ChaCha20 (RFC 8439 §2.3) eight blocks at a time with AVX2.
 *
 * Layout: sixteen 256-bit registers, register i holding state word i of
 * eight consecutive blocks (lane j = block counter + j).  The rounds are then
 * the scalar quarter round applied lane-wise; the two byte-aligned rotations
 * (16 and 8) are byte shuffles, the others shift-and-or.  At the end an 8x8
 * transpose of 32-bit words turns "word i of every block" back into "block j
 * as 64 contiguous bytes" to XOR with the input.
 *
 * Compiled with -mavx2 (Makefile, by file name) and only called after
 * tern_cpu_has(TERN_CPU_AVX2).  Constant time: the same instructions run
 * whatever the key and data.
 */
#include <immintrin.h>

#include "crypto/chacha20poly1305.h"
#include "crypto/ct.h"

static inline __m256i rot16(__m256i x) {
    const __m256i sh = _mm256_setr_epi8(2, 3, 0, 1, 6, 7, 4, 5, 10, 11, 8, 9, 14, 15, 12, 13, 2, 3, 0, 1, 6, 7, 4, 5,
                                        10, 11, 8, 9, 14, 15, 12, 13);
    return _mm256_shuffle_epi8(x, sh);
}
static inline __m256i rot8(__m256i x) {
    const __m256i sh = _mm256_setr_epi8(3, 0, 1, 2, 7, 4, 5, 6, 11, 8, 9, 10, 15, 12, 13, 14, 3, 0, 1, 2, 7, 4, 5, 6,
                                        11, 8, 9, 10, 15, 12, 13, 14);
    return _mm256_shuffle_epi8(x, sh);
}
static inline __m256i rot12(__m256i x) {
    return _mm256_or_si256(_mm256_slli_epi32(x, 12), _mm256_srli_epi32(x, 20));
}
static inline __m256i rot7(__m256i x) {
    return _mm256_or_si256(_mm256_slli_epi32(x, 7), _mm256_srli_epi32(x, 25));
}

#define QR8(a, b, c, d)                          \
    do {                                         \
        a = _mm256_add_epi32(a, b);              \
        d = rot16(_mm256_xor_si256(d, a));       \
        c = _mm256_add_epi32(c, d);              \
        b = rot12(_mm256_xor_si256(b, c));       \
        a = _mm256_add_epi32(a, b);              \
        d = rot8(_mm256_xor_si256(d, a));        \
        c = _mm256_add_epi32(c, d);              \
        b = rot7(_mm256_xor_si256(b, c));        \
    } while (0)

/* Transpose v[0..7] (word i of blocks 0..7) into r[0..7] (words 0..7 of
 * block j, as 32 contiguous bytes). */
static inline void transpose8(const __m256i v[8], __m256i r[8]) {
    __m256i a0 = _mm256_unpacklo_epi32(v[0], v[1]);
    __m256i a1 = _mm256_unpackhi_epi32(v[0], v[1]);
    __m256i a2 = _mm256_unpacklo_epi32(v[2], v[3]);
    __m256i a3 = _mm256_unpackhi_epi32(v[2], v[3]);
    __m256i a4 = _mm256_unpacklo_epi32(v[4], v[5]);
    __m256i a5 = _mm256_unpackhi_epi32(v[4], v[5]);
    __m256i a6 = _mm256_unpacklo_epi32(v[6], v[7]);
    __m256i a7 = _mm256_unpackhi_epi32(v[6], v[7]);
    /* b0: words 0-3 of blocks 0 (low half) and 4 (high half); b1: blocks
     * 1/5; b2: 2/6; b3: 3/7.  b4..b7 the same for words 4-7. */
    __m256i b0 = _mm256_unpacklo_epi64(a0, a2);
    __m256i b1 = _mm256_unpackhi_epi64(a0, a2);
    __m256i b2 = _mm256_unpacklo_epi64(a1, a3);
    __m256i b3 = _mm256_unpackhi_epi64(a1, a3);
    __m256i b4 = _mm256_unpacklo_epi64(a4, a6);
    __m256i b5 = _mm256_unpackhi_epi64(a4, a6);
    __m256i b6 = _mm256_unpacklo_epi64(a5, a7);
    __m256i b7 = _mm256_unpackhi_epi64(a5, a7);
    r[0] = _mm256_permute2x128_si256(b0, b4, 0x20);
    r[4] = _mm256_permute2x128_si256(b0, b4, 0x31);
    r[1] = _mm256_permute2x128_si256(b1, b5, 0x20);
    r[5] = _mm256_permute2x128_si256(b1, b5, 0x31);
    r[2] = _mm256_permute2x128_si256(b2, b6, 0x20);
    r[6] = _mm256_permute2x128_si256(b2, b6, 0x31);
    r[3] = _mm256_permute2x128_si256(b3, b7, 0x20);
    r[7] = _mm256_permute2x128_si256(b3, b7, 0x31);
}

void tern_chacha20_blocks8_avx2(const uint32_t state[16], const uint8_t *in, uint8_t *out, size_t nblocks8) {
    __m256i s[16];
    for (int i = 0; i < 16; i++)
        s[i] = _mm256_set1_epi32((int)state[i]);
    /* Lane j counts block counter + j; the 32-bit add wraps exactly as the
     * portable path's st[12]++ does. */
    s[12] = _mm256_add_epi32(s[12], _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    const __m256i eight = _mm256_set1_epi32(8);
    __m256i x[16], lo[8], hi[8];

    for (size_t n = 0; n < nblocks8; n++) {
        /* The rounds work on sixteen named locals, not an array whose
         * address escapes (the transpose and the wipe below take x's
         * address), so the compiler can keep them in registers. */
        __m256i x0 = s[0], x1 = s[1], x2 = s[2], x3 = s[3], x4 = s[4], x5 = s[5], x6 = s[6], x7 = s[7];
        __m256i x8 = s[8], x9 = s[9], x10 = s[10], x11 = s[11], x12 = s[12], x13 = s[13], x14 = s[14],
                x15 = s[15];
        for (int r = 0; r < 10; r++) {
            QR8(x0, x4, x8, x12);
            QR8(x1, x5, x9, x13);
            QR8(x2, x6, x10, x14);
            QR8(x3, x7, x11, x15);
            QR8(x0, x5, x10, x15);
            QR8(x1, x6, x11, x12);
            QR8(x2, x7, x8, x13);
            QR8(x3, x4, x9, x14);
        }
        x[0] = _mm256_add_epi32(x0, s[0]);
        x[1] = _mm256_add_epi32(x1, s[1]);
        x[2] = _mm256_add_epi32(x2, s[2]);
        x[3] = _mm256_add_epi32(x3, s[3]);
        x[4] = _mm256_add_epi32(x4, s[4]);
        x[5] = _mm256_add_epi32(x5, s[5]);
        x[6] = _mm256_add_epi32(x6, s[6]);
        x[7] = _mm256_add_epi32(x7, s[7]);
        x[8] = _mm256_add_epi32(x8, s[8]);
        x[9] = _mm256_add_epi32(x9, s[9]);
        x[10] = _mm256_add_epi32(x10, s[10]);
        x[11] = _mm256_add_epi32(x11, s[11]);
        x[12] = _mm256_add_epi32(x12, s[12]);
        x[13] = _mm256_add_epi32(x13, s[13]);
        x[14] = _mm256_add_epi32(x14, s[14]);
        x[15] = _mm256_add_epi32(x15, s[15]);
        transpose8(&x[0], lo);
        transpose8(&x[8], hi);
        for (int j = 0; j < 8; j++) {
            const uint8_t *ib = in + 64 * j;
            uint8_t *ob = out + 64 * j;
            __m256i m0 = _mm256_loadu_si256((const __m256i *)(const void *)ib);
            __m256i m1 = _mm256_loadu_si256((const __m256i *)(const void *)(ib + 32));
            _mm256_storeu_si256((__m256i *)(void *)ob, _mm256_xor_si256(m0, lo[j]));
            _mm256_storeu_si256((__m256i *)(void *)(ob + 32), _mm256_xor_si256(m1, hi[j]));
        }
        s[12] = _mm256_add_epi32(s[12], eight);
        in += 512;
        out += 512;
    }
    /* The key and key stream may have been spilled to these arrays. */
    tern_wipe(s, sizeof s);
    tern_wipe(x, sizeof x);
    tern_wipe(lo, sizeof lo);
    tern_wipe(hi, sizeof hi);
}
