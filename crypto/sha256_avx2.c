/*
 * SHA-256 block function for CPUs with AVX2 and BMI2 but without the SHA
 * extensions (FIPS 180-4 §6.2.2).  Compiled with -mavx2 -mbmi2 (Makefile,
 * by the file suffix) and chosen only when crypto/cpu.c has seen both and
 * SHA-NI is absent (or switched off with TERN_CPU=-shani).
 *
 * The same plan as crypto/sha512_avx2.c, with eight 32-bit lanes:
 *  1. the message schedules of eight blocks are computed side by side, one
 *     block per 32-bit lane, and W[t] + K[t] is stored to the stack; the
 *     next group's schedule is computed in the vector units while the
 *     scalar units run the current group's rounds;
 *  2. each block's 64 rounds run in scalar registers with RORX, Maj reusing
 *     the previous round's a^b.
 * Calls with fewer than ten blocks skip the vector schedule and run the
 * rounds with a scalar one.  No branch or index depends on the data; the
 * schedule buffers are wiped at the end.
 */
#include <immintrin.h>
#include <stdalign.h>

#include "crypto/ct.h"
#include "crypto/sha2_impl.h"

/* FIPS 180-4 §4.2.2. */
static const uint32_t K256V[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

#define LANES 8
/* Below this many blocks the scalar schedule is cheaper (measured). */
#define VECTOR_MIN_BLOCKS 10

/* ---- phase 1: eight schedules at once ---- */

/* AVX2 has no 32-bit rotate: (x >> n) | (x << (32 - n)), with the OR folded
 * into the XORs of sigma (the two halves never overlap). */
static inline __m256i ssig0_x8(__m256i x) {
    /* ROTR7 ^ ROTR18 ^ SHR3 */
    __m256i r = _mm256_xor_si256(_mm256_srli_epi32(x, 7), _mm256_slli_epi32(x, 25));
    r = _mm256_xor_si256(r, _mm256_srli_epi32(x, 18));
    r = _mm256_xor_si256(r, _mm256_slli_epi32(x, 14));
    return _mm256_xor_si256(r, _mm256_srli_epi32(x, 3));
}
static inline __m256i ssig1_x8(__m256i x) {
    /* ROTR17 ^ ROTR19 ^ SHR10 */
    __m256i r = _mm256_xor_si256(_mm256_srli_epi32(x, 17), _mm256_slli_epi32(x, 15));
    r = _mm256_xor_si256(r, _mm256_srli_epi32(x, 19));
    r = _mm256_xor_si256(r, _mm256_slli_epi32(x, 13));
    return _mm256_xor_si256(r, _mm256_srli_epi32(x, 10));
}

/* Words 8h..8h+7 of the eight blocks, transposed so that c[i] holds word
 * 8h+i of every block (lane j = block j). */
static inline void load_transpose(__m256i c[8], const uint8_t *const blk[LANES], int half) {
    /* Reverse the bytes of each 32-bit word (big-endian message words). */
    const __m256i bswap = _mm256_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL, 0x0c0d0e0f08090a0bLL,
                                            0x0405060700010203LL);
    __m256i r[8], t[8], u[8];
    for (int j = 0; j < 8; j++)
        r[j] = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(blk[j] + 32 * half)), bswap);
    /* Pairs of rows: t[2m] = rows 2m,2m+1 words {0,1 | 4,5}, t[2m+1] = {2,3 | 6,7}. */
    for (int m = 0; m < 4; m++) {
        t[2 * m] = _mm256_unpacklo_epi32(r[2 * m], r[2 * m + 1]);
        t[2 * m + 1] = _mm256_unpackhi_epi32(r[2 * m], r[2 * m + 1]);
    }
    /* Quads of rows: u[4q + i] = rows 4q..4q+3, word i (low half) and i+4 (high). */
    for (int q = 0; q < 2; q++) {
        u[4 * q + 0] = _mm256_unpacklo_epi64(t[4 * q + 0], t[4 * q + 2]);
        u[4 * q + 1] = _mm256_unpackhi_epi64(t[4 * q + 0], t[4 * q + 2]);
        u[4 * q + 2] = _mm256_unpacklo_epi64(t[4 * q + 1], t[4 * q + 3]);
        u[4 * q + 3] = _mm256_unpackhi_epi64(t[4 * q + 1], t[4 * q + 3]);
    }
    for (int i = 0; i < 4; i++) {
        c[i] = _mm256_permute2x128_si256(u[i], u[4 + i], 0x20);
        c[i + 4] = _mm256_permute2x128_si256(u[i], u[4 + i], 0x31);
    }
}

static inline void sched_load(__m256i w[16], uint32_t wk[64][LANES], const uint8_t *const blk[LANES]) {
    load_transpose(w, blk, 0);
    load_transpose(w + 8, blk, 1);
    for (int t = 0; t < 16; t++)
        _mm256_store_si256((__m256i *)wk[t], _mm256_add_epi32(w[t], _mm256_set1_epi32((int)K256V[t])));
}

/* Schedule step t (16..63), in a 16-entry window where slot t & 15 holds
 * W[t-16] until it is overwritten. */
static inline void sched_step(__m256i w[16], uint32_t wk[64][LANES], int t) {
    __m256i x = _mm256_add_epi32(w[t & 15], ssig0_x8(w[(t - 15) & 15]));
    x = _mm256_add_epi32(x, w[(t - 7) & 15]);
    x = _mm256_add_epi32(x, ssig1_x8(w[(t - 2) & 15]));
    w[t & 15] = x;
    _mm256_store_si256((__m256i *)wk[t], _mm256_add_epi32(x, _mm256_set1_epi32((int)K256V[t])));
}

/* ---- phase 2: rounds ---- */

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))
#define BSIG0(x) (ROR32(x, 2) ^ ROR32(x, 13) ^ ROR32(x, 22))
#define BSIG1(x) (ROR32(x, 6) ^ ROR32(x, 11) ^ ROR32(x, 25))
#define SSIG0(x) (ROR32(x, 7) ^ ROR32(x, 18) ^ ((x) >> 3))
#define SSIG1(x) (ROR32(x, 17) ^ ROR32(x, 19) ^ ((x) >> 10))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))

/* h + (W+K) + Ch is summed before Sigma1(e) is added, keeping e -> next e
 * to Sigma1, one add and d + t1 (the barrier stops reassociation);
 * Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)) with a^b carried to the next round
 * as its b^c. */
#define RND_WK(a, b, c, d, e, f, g, h, wkv)                                   \
    do {                                                                      \
        uint32_t t1_ = tern_ct_barrier_u32(h + (wkv) + CH(e, f, g)) + BSIG1(e); \
        uint32_t ab_ = (a) ^ (b);                                             \
        uint32_t t2_ = BSIG0(a) + ((b) ^ (ab_ & bc));                         \
        bc = ab_;                                                             \
        d += t1_;                                                             \
        h = t1_ + t2_;                                                        \
    } while (0)
#define RND8(t)                                                               \
    do {                                                                      \
        RND_WK(a, b, c, d, e, f, g, h, wk[(t) + 0][j]);                       \
        RND_WK(h, a, b, c, d, e, f, g, wk[(t) + 1][j]);                       \
        RND_WK(g, h, a, b, c, d, e, f, wk[(t) + 2][j]);                       \
        RND_WK(f, g, h, a, b, c, d, e, wk[(t) + 3][j]);                       \
        RND_WK(e, f, g, h, a, b, c, d, wk[(t) + 4][j]);                       \
        RND_WK(d, e, f, g, h, a, b, c, wk[(t) + 5][j]);                       \
        RND_WK(c, d, e, f, g, h, a, b, wk[(t) + 6][j]);                       \
        RND_WK(b, c, d, e, f, g, h, a, wk[(t) + 7][j]);                       \
    } while (0)

/* The rounds of block j of the current group, with one schedule step of
 * the next group (window w, output nxt) after every eight rounds while
 * *ntp < 64. */
static inline void rounds(uint32_t st[8], const uint32_t cur[64][LANES], int j, __m256i w[16],
                          uint32_t nxt[64][LANES], int *ntp) {
    const uint32_t(*wk)[LANES] = cur;
    uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
    uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
    uint32_t bc = b ^ c;
    int nt = *ntp;
    for (int t = 0; t < 64; t += 8) {
        RND8(t);
        if (nt < 64) {
            sched_step(w, nxt, nt);
            nt++;
        }
    }
    *ntp = nt;
    st[0] += a; st[1] += b; st[2] += c; st[3] += d;
    st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

/* Short inputs: the same rounds with the schedule computed in scalar
 * registers as it goes (slot k of the 16-word window becomes W[t]). */
#define SCHED(k) (w[k] += SSIG1(w[((k) + 14) & 15]) + w[((k) + 9) & 15] + SSIG0(w[((k) + 1) & 15]))
#define NOSCHED(k) ((void)0)
#define RS(a, b, c, d, e, f, g, h, k, X)                                      \
    do {                                                                      \
        X(k);                                                                 \
        RND_WK(a, b, c, d, e, f, g, h, w[k] + kt[k]);                         \
    } while (0)
#define RS16(X)                                                               \
    do {                                                                      \
        RS(a, b, c, d, e, f, g, h, 0, X);  RS(h, a, b, c, d, e, f, g, 1, X);  \
        RS(g, h, a, b, c, d, e, f, 2, X);  RS(f, g, h, a, b, c, d, e, 3, X);  \
        RS(e, f, g, h, a, b, c, d, 4, X);  RS(d, e, f, g, h, a, b, c, 5, X);  \
        RS(c, d, e, f, g, h, a, b, 6, X);  RS(b, c, d, e, f, g, h, a, 7, X);  \
        RS(a, b, c, d, e, f, g, h, 8, X);  RS(h, a, b, c, d, e, f, g, 9, X);  \
        RS(g, h, a, b, c, d, e, f, 10, X); RS(f, g, h, a, b, c, d, e, 11, X); \
        RS(e, f, g, h, a, b, c, d, 12, X); RS(d, e, f, g, h, a, b, c, 13, X); \
        RS(c, d, e, f, g, h, a, b, 14, X); RS(b, c, d, e, f, g, h, a, 15, X); \
    } while (0)

static void blocks_scalar(uint32_t st[8], const uint8_t *p, size_t nblocks) {
    uint32_t w[16];
    while (nblocks--) {
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint32_t e = st[4], f = st[5], g = st[6], h = st[7];
        uint32_t bc = b ^ c;
        const uint32_t *kt = K256V;
        for (int i = 0; i < 16; i++)
            w[i] = tern_load_be32(p + 4 * i);
        RS16(NOSCHED);
        for (int r = 1; r < 4; r++) {
            kt += 16;
            RS16(SCHED);
        }
        st[0] += a; st[1] += b; st[2] += c; st[3] += d;
        st[4] += e; st[5] += f; st[6] += g; st[7] += h;
        p += TERN_SHA256_BLOCK;
    }
    tern_wipe(w, sizeof w);
}

/* Lane j reads block j, or the group's last block when the group is short. */
static void group_blocks(const uint8_t *blk[LANES], const uint8_t *p, size_t n) {
    for (size_t j = 0; j < LANES; j++)
        blk[j] = p + TERN_SHA256_BLOCK * (j < n ? j : n - 1);
}

void tern_sha256_blocks_avx2(uint32_t st[8], const uint8_t *p, size_t nblocks) {
    alignas(32) uint32_t wk[2][64][LANES];
    __m256i w[16];
    const uint8_t *blk[LANES];
    int cur = 0, used = 1;
    if (nblocks < VECTOR_MIN_BLOCKS) {
        blocks_scalar(st, p, nblocks);
        return;
    }

    size_t n = nblocks < LANES ? nblocks : LANES;
    group_blocks(blk, p, n);
    sched_load(w, wk[cur], blk);
    for (int t = 16; t < 64; t++)
        sched_step(w, wk[cur], t);

    for (;;) {
        size_t rest = nblocks - n;
        size_t nn = rest < LANES ? rest : LANES;
        uint32_t(*nxt)[LANES] = NULL;
        int nt = 64;
        if (nn) {
            group_blocks(blk, p + n * TERN_SHA256_BLOCK, nn);
            nxt = wk[cur ^ 1];
            sched_load(w, nxt, blk);
            nt = 16;
        }
        for (size_t j = 0; j < n; j++)
            rounds(st, (const uint32_t(*)[LANES])wk[cur], (int)j, w, nxt, &nt);
        /* A short current group leaves steps over. */
        while (nt < 64) {
            sched_step(w, nxt, nt);
            nt++;
        }
        if (nn == 0)
            break;
        p += n * TERN_SHA256_BLOCK;
        nblocks = rest;
        n = nn;
        cur ^= 1;
        used = 2;
    }
    /* The schedule is message-derived: wipe the buffers that were used. */
    tern_wipe(wk, (size_t)used * sizeof wk[0]);
    tern_wipe(w, sizeof w);
}
