/*
 * SHA-512 / SHA-384 block function for CPUs with AVX2 and BMI2 (FIPS 180-4
 * §6.4.2).  Compiled with -mavx2 -mbmi2 (Makefile, by the file suffix) and
 * called only when crypto/cpu.c has seen both.
 *
 * The work is split in two phases per group of up to four blocks:
 *  1. The message schedules of the four blocks are computed side by side in
 *     AVX2 registers, one block per 64-bit lane (so the W[t-2] dependency
 *     costs nothing: each lane is a separate block), and W[t] + K[t] is
 *     stored to the stack.  A group with fewer than four blocks repeats the
 *     last block in the spare lanes.
 *  2. Each block's 80 rounds run in scalar registers, reading W+K from the
 *     stack; with BMI2 the rotations are RORX (three-operand, no copies),
 *     and Maj reuses the a^b of the previous round.
 * Calls with fewer than six blocks skip phase 1 and run the same rounds
 * with a scalar schedule.  No branch or index depends on the data; the
 * stack copies of the schedule are wiped at the end.
 */
#include <immintrin.h>
#include <stdalign.h>

#include "crypto/ct.h"
#include "crypto/sha2_impl.h"

/* FIPS 180-4 §4.2.3. */
static const uint64_t K512X[80] = {
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
    0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
    0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
    0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
    0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
    0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull,
    0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull,
    0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
    0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
    0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
    0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
    0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
    0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
    0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};

/* ---- phase 1: four schedules at once ---- */

/* AVX2 has no 64-bit rotate: (x >> n) | (x << (64 - n)), with the OR
 * folded into the XORs of sigma (the two halves never overlap). */
static inline __m256i ssig0_x4(__m256i x) {
    /* ROTR1 ^ ROTR8 ^ SHR7; ROTR8 moves whole bytes, so it is one byte
     * shuffle within each 64-bit lane. */
    const __m256i ror8 = _mm256_set_epi64x(0x080f0e0d0c0b0a09LL, 0x0007060504030201LL, 0x080f0e0d0c0b0a09LL,
                                           0x0007060504030201LL);
    __m256i r = _mm256_xor_si256(_mm256_srli_epi64(x, 1), _mm256_slli_epi64(x, 63));
    r = _mm256_xor_si256(r, _mm256_shuffle_epi8(x, ror8));
    return _mm256_xor_si256(r, _mm256_srli_epi64(x, 7));
}
static inline __m256i ssig1_x4(__m256i x) {
    /* ROTR19 ^ ROTR61 ^ SHR6 */
    __m256i r = _mm256_xor_si256(_mm256_srli_epi64(x, 19), _mm256_slli_epi64(x, 45));
    r = _mm256_xor_si256(r, _mm256_srli_epi64(x, 61));
    r = _mm256_xor_si256(r, _mm256_slli_epi64(x, 3));
    return _mm256_xor_si256(r, _mm256_srli_epi64(x, 6));
}

/* Load words 0..15 of four blocks into w[], one block per lane, and
 * store their W+K: wk[t][j] = W_j[t] + K[t]. */
static inline void sched_load(__m256i w[16], uint64_t wk[80][4], const uint8_t *const blk[4]) {
    /* Reverse the bytes of each 64-bit word (big-endian message words). */
    const __m256i bswap = _mm256_set_epi64x(0x08090a0b0c0d0e0fLL, 0x0001020304050607LL, 0x08090a0b0c0d0e0fLL,
                                            0x0001020304050607LL);
    for (int q = 0; q < 4; q++) {
        /* Row j holds words 4q..4q+3 of block j; a 4x4 transpose makes
         * column i hold word 4q+i of all four blocks. */
        __m256i r0 = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(blk[0] + 32 * q)), bswap);
        __m256i r1 = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(blk[1] + 32 * q)), bswap);
        __m256i r2 = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(blk[2] + 32 * q)), bswap);
        __m256i r3 = _mm256_shuffle_epi8(_mm256_loadu_si256((const __m256i *)(blk[3] + 32 * q)), bswap);
        __m256i t0 = _mm256_unpacklo_epi64(r0, r1); /* r0.0 r1.0 r0.2 r1.2 */
        __m256i t1 = _mm256_unpackhi_epi64(r0, r1); /* r0.1 r1.1 r0.3 r1.3 */
        __m256i t2 = _mm256_unpacklo_epi64(r2, r3);
        __m256i t3 = _mm256_unpackhi_epi64(r2, r3);
        w[4 * q + 0] = _mm256_permute2x128_si256(t0, t2, 0x20);
        w[4 * q + 1] = _mm256_permute2x128_si256(t1, t3, 0x20);
        w[4 * q + 2] = _mm256_permute2x128_si256(t0, t2, 0x31);
        w[4 * q + 3] = _mm256_permute2x128_si256(t1, t3, 0x31);
    }
    for (int t = 0; t < 16; t++)
        _mm256_store_si256((__m256i *)wk[t], _mm256_add_epi64(w[t], _mm256_set1_epi64x((long long)K512X[t])));
}

/* Schedule step t (16..79): W[t] = sigma1(W[t-2]) + W[t-7] +
 * sigma0(W[t-15]) + W[t-16], in a 16-entry window where slot t & 15 holds
 * W[t-16] until it is overwritten. */
static inline void sched_step(__m256i w[16], uint64_t wk[80][4], int t) {
    __m256i x = _mm256_add_epi64(w[t & 15], ssig0_x4(w[(t - 15) & 15]));
    x = _mm256_add_epi64(x, w[(t - 7) & 15]);
    x = _mm256_add_epi64(x, ssig1_x4(w[(t - 2) & 15]));
    w[t & 15] = x;
    _mm256_store_si256((__m256i *)wk[t], _mm256_add_epi64(x, _mm256_set1_epi64x((long long)K512X[t])));
}

/* ---- phase 2: the rounds of one block ---- */

#define ROR64(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define BSIG0(x) (ROR64(x, 28) ^ ROR64(x, 34) ^ ROR64(x, 39))
#define BSIG1(x) (ROR64(x, 14) ^ ROR64(x, 18) ^ ROR64(x, 41))
#define CH(x, y, z) ((z) ^ ((x) & ((y) ^ (z))))

/* Maj(a,b,c) = b ^ ((a ^ b) & (b ^ c)); this round's a^b is the next
 * round's b^c, so it is carried in `bc`.
 *
 * The order of the additions matters: h (this round's h was e three rounds
 * ago) + W+K + Ch is ready before Sigma1(e), so adding Sigma1 last leaves
 * e -> Sigma1 -> t1 -> d + t1 = next e as the only long chain.  The empty
 * asm keeps the compiler from reassociating the sum back into a longer
 * chain (it costs no instruction). */
static inline uint64_t opaque64(uint64_t x) {
    __asm__("" : "+r"(x));
    return x;
}
#define RND_WK(a, b, c, d, e, f, g, h, wkv)                                   \
    do {                                                                      \
        uint64_t hkc_ = opaque64(h + (wkv) + CH(e, f, g));                    \
        uint64_t t1_ = hkc_ + BSIG1(e);                                       \
        uint64_t ab_ = (a) ^ (b);                                             \
        uint64_t t2_ = BSIG0(a) + ((b) ^ (ab_ & bc));                         \
        bc = ab_;                                                             \
        d += t1_;                                                             \
        h = t1_ + t2_;                                                        \
    } while (0)
#define RND(a, b, c, d, e, f, g, h, t) RND_WK(a, b, c, d, e, f, g, h, wk[t][j])
#define RND8(t)                                                               \
    do {                                                                      \
        RND(a, b, c, d, e, f, g, h, (t) + 0);                                 \
        RND(h, a, b, c, d, e, f, g, (t) + 1);                                 \
        RND(g, h, a, b, c, d, e, f, (t) + 2);                                 \
        RND(f, g, h, a, b, c, d, e, (t) + 3);                                 \
        RND(e, f, g, h, a, b, c, d, (t) + 4);                                 \
        RND(d, e, f, g, h, a, b, c, (t) + 5);                                 \
        RND(c, d, e, f, g, h, a, b, (t) + 6);                                 \
        RND(b, c, d, e, f, g, h, a, (t) + 7);                                 \
    } while (0)

/* The rounds of block j of the current group (W+K in cur), with the
 * schedule steps *nt.. of the next group (window w, output nxt) slipped in
 * two after every eight rounds: the vector units compute them while the
 * scalar units run the rounds.  nxt == NULL when there is no next group. */
static inline void rounds(uint64_t st[8], const uint64_t cur[80][4], int j, __m256i w[16], uint64_t nxt[80][4],
                          int *ntp) {
    const uint64_t(*wk)[4] = cur;
    uint64_t a = st[0], b = st[1], c = st[2], d = st[3];
    uint64_t e = st[4], f = st[5], g = st[6], h = st[7];
    uint64_t bc = b ^ c;
    int nt = *ntp;
    for (int t = 0; t < 80; t += 8) {
        RND8(t);
        if (nt < 80) {
            sched_step(w, nxt, nt);
            sched_step(w, nxt, nt + 1);
            nt += 2;
        }
    }
    *ntp = nt;
    st[0] += a; st[1] += b; st[2] += c; st[3] += d;
    st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

/* Short inputs: the same rounds with the schedule computed in scalar
 * registers as it goes (slot k of the 16-word window becomes W[t]). */
#define SSIG0(x) (ROR64(x, 1) ^ ROR64(x, 8) ^ ((x) >> 7))
#define SSIG1(x) (ROR64(x, 19) ^ ROR64(x, 61) ^ ((x) >> 6))
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

static void blocks_scalar(uint64_t st[8], const uint8_t *p, size_t nblocks) {
    uint64_t w[16];
    while (nblocks--) {
        uint64_t a = st[0], b = st[1], c = st[2], d = st[3];
        uint64_t e = st[4], f = st[5], g = st[6], h = st[7];
        uint64_t bc = b ^ c;
        const uint64_t *kt = K512X;
        for (int i = 0; i < 16; i++)
            w[i] = tern_load_be64(p + 8 * i);
        RS16(NOSCHED);
        for (int r = 1; r < 5; r++) {
            kt += 16;
            RS16(SCHED);
        }
        st[0] += a; st[1] += b; st[2] += c; st[3] += d;
        st[4] += e; st[5] += f; st[6] += g; st[7] += h;
        p += TERN_SHA512_BLOCK;
    }
    tern_wipe(w, sizeof w);
}

static void group_blocks(const uint8_t *blk[4], const uint8_t *p, size_t n) {
    for (size_t j = 0; j < 4; j++)
        blk[j] = p + TERN_SHA512_BLOCK * (j < n ? j : n - 1);
}

void tern_sha512_blocks_avx2(uint64_t st[8], const uint8_t *p, size_t nblocks) {
    /* Two schedule buffers: the current group's and the next one's. */
    alignas(32) uint64_t wk[2][80][4];
    __m256i w[16];
    const uint8_t *blk[4];
    int cur = 0, used = 1;
    /* Below six blocks the vector schedule (computed for four lanes, and
     * not overlapped with rounds for the first group) costs more than it
     * saves (measured); one- and two-block calls are the common case for
     * HMAC, the PRF and the transcript hash. */
    if (nblocks < 6) {
        blocks_scalar(st, p, nblocks);
        return;
    }

    size_t n = nblocks < 4 ? nblocks : 4;
    group_blocks(blk, p, n);
    sched_load(w, wk[cur], blk);
    for (int t = 16; t < 80; t++)
        sched_step(w, wk[cur], t);

    for (;;) {
        size_t rest = nblocks - n;
        size_t nn = rest < 4 ? rest : 4;
        uint64_t(*nxt)[4] = NULL;
        int nt = 80;
        if (nn) {
            group_blocks(blk, p + n * TERN_SHA512_BLOCK, nn);
            nxt = wk[cur ^ 1];
            sched_load(w, nxt, blk);
            nt = 16;
        }
        for (size_t j = 0; j < n; j++)
            rounds(st, (const uint64_t(*)[4])wk[cur], (int)j, w, nxt, &nt);
        /* A short current group leaves steps over. */
        while (nt < 80) {
            sched_step(w, nxt, nt);
            nt++;
        }
        if (nn == 0)
            break;
        p += n * TERN_SHA512_BLOCK;
        nblocks = rest;
        n = nn;
        cur ^= 1;
        used = 2;
    }
    /* The schedule is message-derived: wipe the buffers that were used. */
    tern_wipe(wk, (size_t)used * sizeof wk[0]);
    tern_wipe(w, sizeof w);
}
