/*
 * SHA-512 / SHA-384 block function for CPUs with AVX2 and BMI2 (FIPS 180-4
 * §6.4.2).  Compiled with -mavx2 -mbmi2 (Makefile, by the file suffix) and
 * called only when crypto/cpu.c has seen both.
 *
 * The work is split in two phases per group of up to four blocks:
 *  1. The message schedules of the four blocks are computed side by side in
 *     AVX2 registers, one block per 64-bit lane (so the W[t-2] dependency
 *     costs nothing: each lane is a separate block); W[t] and W[t] + K[t]
 *     go to a table on the stack.  A group with fewer than four blocks
 *     repeats the last block in the spare lanes.
 *  2. Each block's 80 rounds run in scalar registers, fully unrolled,
 *     reading W+K from the table, with the next group's schedule steps
 *     slipped in between them.  The round is x86-64 inline assembly (RORX
 *     for the rotations, see RNDA for why); the schedule is intrinsics.
 * Calls with fewer than six blocks skip phase 1 and run C rounds with a
 * scalar schedule.  No branch or index depends on the data; the stack
 * copies of the schedule are wiped at the end.
 */
#include <immintrin.h>
#include <stdalign.h>

#include "crypto/ct.h"
#include "crypto/sha2_impl.h"

/* FIPS 180-4 §4.2.3, each constant four times: a row adds K[t] to the four
 * lanes of the vector schedule with one memory operand. */
#define K4(k) { k##ull, k##ull, k##ull, k##ull }
static const alignas(32) uint64_t K4X[80][4] = {
    K4(0x428a2f98d728ae22), K4(0x7137449123ef65cd),
    K4(0xb5c0fbcfec4d3b2f), K4(0xe9b5dba58189dbbc),
    K4(0x3956c25bf348b538), K4(0x59f111f1b605d019),
    K4(0x923f82a4af194f9b), K4(0xab1c5ed5da6d8118),
    K4(0xd807aa98a3030242), K4(0x12835b0145706fbe),
    K4(0x243185be4ee4b28c), K4(0x550c7dc3d5ffb4e2),
    K4(0x72be5d74f27b896f), K4(0x80deb1fe3b1696b1),
    K4(0x9bdc06a725c71235), K4(0xc19bf174cf692694),
    K4(0xe49b69c19ef14ad2), K4(0xefbe4786384f25e3),
    K4(0x0fc19dc68b8cd5b5), K4(0x240ca1cc77ac9c65),
    K4(0x2de92c6f592b0275), K4(0x4a7484aa6ea6e483),
    K4(0x5cb0a9dcbd41fbd4), K4(0x76f988da831153b5),
    K4(0x983e5152ee66dfab), K4(0xa831c66d2db43210),
    K4(0xb00327c898fb213f), K4(0xbf597fc7beef0ee4),
    K4(0xc6e00bf33da88fc2), K4(0xd5a79147930aa725),
    K4(0x06ca6351e003826f), K4(0x142929670a0e6e70),
    K4(0x27b70a8546d22ffc), K4(0x2e1b21385c26c926),
    K4(0x4d2c6dfc5ac42aed), K4(0x53380d139d95b3df),
    K4(0x650a73548baf63de), K4(0x766a0abb3c77b2a8),
    K4(0x81c2c92e47edaee6), K4(0x92722c851482353b),
    K4(0xa2bfe8a14cf10364), K4(0xa81a664bbc423001),
    K4(0xc24b8b70d0f89791), K4(0xc76c51a30654be30),
    K4(0xd192e819d6ef5218), K4(0xd69906245565a910),
    K4(0xf40e35855771202a), K4(0x106aa07032bbd1b8),
    K4(0x19a4c116b8d2d0c8), K4(0x1e376c085141ab53),
    K4(0x2748774cdf8eeb99), K4(0x34b0bcb5e19b48a8),
    K4(0x391c0cb3c5c95a63), K4(0x4ed8aa4ae3418acb),
    K4(0x5b9cca4f7763e373), K4(0x682e6ff3d6b2b8a3),
    K4(0x748f82ee5defb2fc), K4(0x78a5636f43172f60),
    K4(0x84c87814a1f0ab72), K4(0x8cc702081a6439ec),
    K4(0x90befffa23631e28), K4(0xa4506cebde82bde9),
    K4(0xbef9a3f7b2c67915), K4(0xc67178f2e372532b),
    K4(0xca273eceea26619c), K4(0xd186b8c721c0c207),
    K4(0xeada7dd6cde0eb1e), K4(0xf57d4f7fee6ed178),
    K4(0x06f067aa72176fba), K4(0x0a637dc5a2c898a6),
    K4(0x113f9804bef90dae), K4(0x1b710b35131c471b),
    K4(0x28db77f523047d84), K4(0x32caab7b40c72493),
    K4(0x3c9ebe0a15c9bebc), K4(0x431d67c49c100d4c),
    K4(0x4cc5d4becb3e42b6), K4(0x597f299cfc657e2a),
    K4(0x5fcb6fab3ad6faec), K4(0x6c44198c4a475817),
};
#undef K4

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

/* The schedule of a group of four blocks lives in a table of 80 rows,
 * one per t, each holding W[t] and W[t] + K[t] for the four blocks (one
 * block per lane).  Linear rather than a 16-row window, and W next to W+K,
 * so that every schedule step addresses its inputs at fixed offsets from
 * one pointer: no index arithmetic in the scalar units, which the rounds
 * keep busy. */
typedef struct {
    alignas(32) uint64_t w[4];
    uint64_t wk[4];
} srow;

/* Rows 0..15: words 0..15 of four blocks, one block per lane. */
static inline void sched_load(srow *r, const uint8_t *const blk[4]) {
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
        __m256i x[4];
        x[0] = _mm256_permute2x128_si256(t0, t2, 0x20);
        x[1] = _mm256_permute2x128_si256(t1, t3, 0x20);
        x[2] = _mm256_permute2x128_si256(t0, t2, 0x31);
        x[3] = _mm256_permute2x128_si256(t1, t3, 0x31);
        for (int i = 0; i < 4; i++) {
            int t = 4 * q + i;
            _mm256_store_si256((__m256i *)r[t].w, x[i]);
            _mm256_store_si256((__m256i *)r[t].wk,
                               _mm256_add_epi64(x[i], _mm256_load_si256((const __m256i *)K4X[t])));
        }
    }
}

/* Schedule step t (16..79), r pointing at row t and k at K4X[t]:
 * W[t] = sigma1(W[t-2]) + W[t-7] + sigma0(W[t-15]) + W[t-16]. */
static inline void sched_step(srow *r, const uint64_t (*k)[4]) {
    __m256i x = _mm256_add_epi64(_mm256_load_si256((const __m256i *)r[-16].w),
                                 ssig0_x4(_mm256_load_si256((const __m256i *)r[-15].w)));
    x = _mm256_add_epi64(x, _mm256_load_si256((const __m256i *)r[-7].w));
    x = _mm256_add_epi64(x, ssig1_x4(_mm256_load_si256((const __m256i *)r[-2].w)));
    _mm256_store_si256((__m256i *)r[0].w, x);
    _mm256_store_si256((__m256i *)r[0].wk, _mm256_add_epi64(x, _mm256_load_si256((const __m256i *)k[0])));
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
/* The same round in x86-64 assembly (GNU extended asm), for the long
 * path.  Written in C, both gcc and clang spend two or three extra register
 * copies per round on the eight rotating state words and order the work so
 * that the e -> Sigma1 -> d + T1 chain waits behind other work; here a
 * round is exactly 24 instructions (two register copies: x86 XOR is
 * two-operand, so f^g and a^b need one each), in an order that issues the
 * chain first (the issue order is modelled on OpenSSL's AVX2 SHA-512
 * rounds, studied in its disassembly; Ch here is the XOR form, which needs
 * no BMI1 ANDN, and the registers are the compiler's).  On an
 * AMD EPYC (Zen 3) this took a 128-block call from 443 to 419 TSC ticks a
 * block against the C round with the same schedule.  The computation is
 * the one above, with two changes:
 *  - Sigma0(a) is left in s0 and added to this round's new a (register h)
 *    at the start of the next round, off the critical path; after the
 *    last round the caller adds it (s0 starts at 0).
 *  - Maj's b^c alternates between two registers: round t reads bcin and
 *    leaves its a^b in abo, the next round's bcin.
 * LEA adds without touching the flags; RORX is BMI2.  Registers only, no
 * branch, one memory operand: the W+K of the round. */
#define RNDA(a, b, c, d, e, f, g, h, bcin, abo, wkv)                          \
    do {                                                                      \
        uint64_t t0_, t1_;                                                    \
        __asm__("add  %[WK], %[H]\n\t"                                        \
                "mov  %[F], %[T0]\n\t"                                        \
                "xor  %[G], %[T0]\n\t"                                        \
                "rorx $41, %[E], %[T1]\n\t"                                   \
                "rorx $18, %[E], %[AB]\n\t"                                   \
                "lea  (%[A], %[S0]), %[A]\n\t"                                \
                "and  %[E], %[T0]\n\t"                                        \
                "xor  %[AB], %[T1]\n\t"                                       \
                "rorx $14, %[E], %[AB]\n\t"                                   \
                "xor  %[G], %[T0]\n\t"                                        \
                "xor  %[AB], %[T1]\n\t"                                       \
                "lea  (%[H], %[T0]), %[H]\n\t"                                \
                "mov  %[A], %[AB]\n\t"                                        \
                "rorx $39, %[A], %[T0]\n\t"                                   \
                "lea  (%[H], %[T1]), %[H]\n\t"                                \
                "xor  %[B], %[AB]\n\t"                                        \
                "rorx $34, %[A], %[S0]\n\t"                                   \
                "rorx $28, %[A], %[T1]\n\t"                                   \
                "lea  (%[D], %[H]), %[D]\n\t"                                 \
                "and  %[AB], %[BC]\n\t"                                       \
                "xor  %[T0], %[S0]\n\t"                                       \
                "xor  %[B], %[BC]\n\t"                                        \
                "xor  %[T1], %[S0]\n\t"                                       \
                "lea  (%[H], %[BC]), %[H]"                                    \
                : [D] "+r"(d), [H] "+r"(h), [BC] "+r"(bcin), [AB] "=&r"(abo), \
                  [T0] "=&r"(t0_), [T1] "=&r"(t1_), [A] "+r"(a), [S0] "+r"(s0) \
                : [B] "r"(b), [E] "r"(e), [F] "r"(f), [G] "r"(g),             \
                  [WK] "m"(wkv)                                               \
                : "cc");                                                      \
    } while (0)
/* Round t of block j reads row t's W+K, lane j: kp points at cur[0].wk[j]
 * (rows are eight words apart).  Even rounds read bc0 and write bc1, odd
 * rounds the other way. */
#define RND(a, b, c, d, e, f, g, h, t, bi, bo) RNDA(a, b, c, d, e, f, g, h, bi, bo, kp[8 * (t)])
/* Four rounds, then (S) schedule step s of the next group. */
#define RND4(t, S, s)                                                         \
    do {                                                                      \
        RND(a, b, c, d, e, f, g, h, (t) + 0, bc0, bc1);                       \
        RND(h, a, b, c, d, e, f, g, (t) + 1, bc1, bc0);                       \
        RND(g, h, a, b, c, d, e, f, (t) + 2, bc0, bc1);                       \
        RND(f, g, h, a, b, c, d, e, (t) + 3, bc1, bc0);                       \
        S(s);                                                                 \
        RND(e, f, g, h, a, b, c, d, (t) + 4, bc0, bc1);                       \
        RND(d, e, f, g, h, a, b, c, (t) + 5, bc1, bc0);                       \
        RND(c, d, e, f, g, h, a, b, (t) + 6, bc0, bc1);                       \
        RND(b, c, d, e, f, g, h, a, (t) + 7, bc1, bc0);                       \
        S((s) + 1);                                                           \
    } while (0)
#define STEP(s) sched_step(nx + (s), k4 + (s))
#define NOSTEP(s) ((void)0)
#define RND80(S)                                                              \
    do {                                                                      \
        RND4(0, S, 0);   RND4(8, S, 2);   RND4(16, S, 4);  RND4(24, S, 6);    \
        RND4(32, S, 8);  RND4(40, S, 10); RND4(48, S, 12); RND4(56, S, 14);   \
        RND4(64, NOSTEP, 0); RND4(72, NOSTEP, 0);                             \
    } while (0)

/* The 80 rounds of block j of the current group (W+K in cur), fully
 * unrolled so that every address is a fixed offset from a pointer.  With
 * `sched`, sixteen schedule steps of the next group are slipped in, one
 * after every four of the first 64 rounds: the vector units compute them
 * while the scalar units run the rounds.  Block j of a group does steps
 * 16 + 16j .. 31 + 16j (so four blocks do all 64): nx and k4 point at the
 * first of them. */
static inline void rounds(uint64_t st[8], const srow *cur, size_t j, srow *nx, const uint64_t (*k4)[4],
                          int sched) {
    const uint64_t *kp = &cur[0].wk[j];
    uint64_t a = st[0], b = st[1], c = st[2], d = st[3];
    uint64_t e = st[4], f = st[5], g = st[6], h = st[7];
    uint64_t bc0 = b ^ c, bc1, s0 = 0;
    if (sched)
        RND80(STEP);
    else
        RND80(NOSTEP);
    a += s0;
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
        RND_WK(a, b, c, d, e, f, g, h, w[k] + kt[k][0]);                      \
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
        const uint64_t(*kt)[4] = K4X;
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
    /* Two schedule tables: the current group's and the next one's. */
    srow tab[2][80];
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
    sched_load(tab[cur], blk);
    for (size_t t = 16; t < 80; t++)
        sched_step(tab[cur] + t, K4X + t);

    for (;;) {
        size_t rest = nblocks - n;
        size_t nn = rest < 4 ? rest : 4;
        srow *nxt = tab[cur ^ 1];
        if (nn) {
            group_blocks(blk, p + n * TERN_SHA512_BLOCK, nn);
            sched_load(nxt, blk);
            for (size_t j = 0; j < n; j++)
                rounds(st, tab[cur], j, nxt + 16 + 16 * j, K4X + 16 + 16 * j, 1);
            /* A short current group leaves steps over. */
            for (size_t t = 16 + 16 * n; t < 80; t++)
                sched_step(nxt + t, K4X + t);
        } else {
            for (size_t j = 0; j < n; j++)
                rounds(st, tab[cur], j, NULL, NULL, 0);
            break;
        }
        p += n * TERN_SHA512_BLOCK;
        nblocks = rest;
        n = nn;
        cur ^= 1;
        used = 2;
    }
    /* The schedule is message-derived: wipe the tables that were used. */
    tern_wipe(tab, (size_t)used * sizeof tab[0]);
}
