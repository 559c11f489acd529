/*
 * SHA-256 block function with the x86 SHA extensions (SHA-NI: SHA256RNDS2,
 * SHA256MSG1, SHA256MSG2; Intel SDM Vol. 2, and FIPS 180-4 §6.2.2 for what
 * they compute).  Compiled with -msha -mssse3 -msse4.1 (Makefile, by the
 * file suffix) and called only when crypto/cpu.c has seen all three.
 *
 * SHA256RNDS2 keeps the working variables in two registers, {A,B,E,F} and
 * {C,D,G,H}, and runs two rounds per instruction with W[t]+K[t] supplied in
 * the low two lanes of its third operand.  The state is reshuffled into that
 * layout once per call, not per block.
 */
#include <immintrin.h>
#include <stdalign.h>

#include "crypto/sha2_impl.h"

/* FIPS 180-4 §4.2.2, as 16 groups of four rounds. */
static const alignas(16) uint32_t K256X[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* Four rounds: W+K for rounds 4g..4g+3 in msg; RNDS2 takes the first two
 * from the low lanes, then the high pair is moved down for the next two. */
#define QROUND(m, g)                                                               \
    do {                                                                           \
        __m128i wk_ = _mm_add_epi32((m), _mm_load_si128((const __m128i *)(K256X + 4 * (g)))); \
        cdgh = _mm_sha256rnds2_epu32(cdgh, abef, wk_);                             \
        wk_ = _mm_shuffle_epi32(wk_, 0x0e);                                        \
        abef = _mm_sha256rnds2_epu32(abef, cdgh, wk_);                             \
    } while (0)

/* §6.2.2 step 1 for four words: with a = W[t-16..t-13], b = W[t-12..t-9],
 * c = W[t-8..t-5], d = W[t-4..t-1], MSG1 adds sigma0 of W[t-15..t-12] to a,
 * alignr supplies W[t-7..t-4], and MSG2 adds sigma1 of W[t-2..] (feeding
 * its own first two results into the last two).  The result replaces a. */
#define NEXT(a, b, c, d) \
    (a) = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((a), (b)), _mm_alignr_epi8((d), (c), 4)), (d))

void tern_sha256_blocks_shani(uint32_t h[8], const uint8_t *p, size_t nblocks) {
    /* Big-endian words: reverse the bytes within each 32-bit lane. */
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    /* Variable names list the lanes from high to low. */
    __m128i dcba = _mm_loadu_si128((const __m128i *)h);
    __m128i hgfe = _mm_loadu_si128((const __m128i *)(h + 4));
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xf0);

    while (nblocks--) {
        __m128i save0 = abef, save1 = cdgh;
        __m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 0)), bswap);
        __m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), bswap);
        __m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), bswap);
        __m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), bswap);
        QROUND(m0, 0);
        QROUND(m1, 1);
        QROUND(m2, 2);
        QROUND(m3, 3);
        NEXT(m0, m1, m2, m3); QROUND(m0, 4);
        NEXT(m1, m2, m3, m0); QROUND(m1, 5);
        NEXT(m2, m3, m0, m1); QROUND(m2, 6);
        NEXT(m3, m0, m1, m2); QROUND(m3, 7);
        NEXT(m0, m1, m2, m3); QROUND(m0, 8);
        NEXT(m1, m2, m3, m0); QROUND(m1, 9);
        NEXT(m2, m3, m0, m1); QROUND(m2, 10);
        NEXT(m3, m0, m1, m2); QROUND(m3, 11);
        NEXT(m0, m1, m2, m3); QROUND(m0, 12);
        NEXT(m1, m2, m3, m0); QROUND(m1, 13);
        NEXT(m2, m3, m0, m1); QROUND(m2, 14);
        NEXT(m3, m0, m1, m2); QROUND(m3, 15);
        abef = _mm_add_epi32(abef, save0);
        cdgh = _mm_add_epi32(cdgh, save1);
        p += TERN_SHA256_BLOCK;
    }

    /* Back to A..H order. */
    __m128i feba = _mm_shuffle_epi32(abef, 0x1b);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xb1);
    dcba = _mm_blend_epi16(feba, dchg, 0xf0);
    hgfe = _mm_alignr_epi8(dchg, feba, 8);
    _mm_storeu_si128((__m128i *)h, dcba);
    _mm_storeu_si128((__m128i *)(h + 4), hgfe);
}
