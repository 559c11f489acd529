/*
 * AES-128/256-GCM with VAES and VPCLMULQDQ on 256-bit ymm registers (AVX2
 * encoding; NIST SP 800-38D).  Compiled with -mavx2 -maes -mpclmul -mvaes
 * -mvpclmulqdq and only called after crypto/cpu.c saw all of them.  There is
 * no AVX-512 (zmm) variant: the machine this was written on has none, and a
 * path that cannot be tested is not shipped.
 *
 * Each ymm register holds two blocks.  The main loop runs sixteen blocks
 * (eight registers) through the AES rounds and, interleaved with them,
 * multiplies sixteen ciphertext blocks by H^16 .. H^1 (two per VPCLMULQDQ),
 * with one reduction per 256 bytes.  Like crypto/aes_aesni.c, encryption
 * hashes the previous batch and decryption the current one.
 *
 * Records shorter than one batch (256 bytes) go to the AES-NI code, which
 * has less set-up per call.
 *
 * Key schedule and the table of H powers are the AES-NI ones
 * (tern_gcm_aesni_setup): same layout, see crypto/aes_aesni.c for the GHASH
 * representation (reflected blocks, powers stored times x^-1).
 */
#include <immintrin.h>

#include "crypto/aes_internal.h"
#include "crypto/ct.h"

#define ALWAYS_INLINE inline __attribute__((always_inline))

static ALWAYS_INLINE __m128i bswap128(__m128i x) {
    return _mm_shuffle_epi8(x, _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}
static ALWAYS_INLINE __m256i bswap256(__m256i x) {
    return _mm256_shuffle_epi8(x, _mm256_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,
                                                  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
}
static ALWAYS_INLINE __m256i loadu256(const uint8_t *p) {
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}
static ALWAYS_INLINE void storeu256(uint8_t *p, __m256i v) {
    _mm256_storeu_si256((__m256i *)(void *)p, v);
}
/* Two consecutive 16-byte table entries as one ymm.  An unaligned load:
 * the key is only promised 16-byte alignment (crypto/aes_internal.h). */
static ALWAYS_INLINE __m256i load2(const __m128i *p) {
    return _mm256_loadu_si256((const __m256i *)(const void *)p);
}
static ALWAYS_INLINE __m256i bcast(const __m128i *p) {
    return _mm256_broadcastsi128_si256(_mm_load_si128(p));
}

/* ---- GHASH ---- */

/* See gf_reduce in crypto/aes_aesni.c. */
static ALWAYS_INLINE __m128i gf_reduce(__m128i lo, __m128i hi) {
    const __m128i poly = _mm_set_epi64x(0, (long long)0xC200000000000000ull);
    __m128i t = _mm_clmulepi64_si128(lo, poly, 0x00);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    t = _mm_clmulepi64_si128(lo, poly, 0x00);
    lo = _mm_xor_si128(_mm_shuffle_epi32(lo, 0x4e), t);
    return _mm_xor_si128(hi, lo);
}

/* Unreduced Karatsuba sums, two lanes each. */
typedef struct {
    __m256i lo, hi, mid;
} gacc2;

static ALWAYS_INLINE void acc2_init(gacc2 *a) {
    a->lo = a->hi = a->mid = _mm256_setzero_si256();
}
/* a += x * hp lane by lane, the Karatsuba helper of each lane's power in
 * the word of hk that sel picks (0x00 low, 0x10 high).  A macro: sel is an
 * instruction immediate. */
#define ACC2_MUL(a, x, hp, hk, sel)                                                              \
    do {                                                                                         \
        __m256i x__ = (x), hp__ = (hp);                                                          \
        (a)->lo = _mm256_xor_si256((a)->lo, _mm256_clmulepi64_epi128(x__, hp__, 0x00));         \
        (a)->hi = _mm256_xor_si256((a)->hi, _mm256_clmulepi64_epi128(x__, hp__, 0x11));         \
        __m256i xs__ = _mm256_xor_si256(x__, _mm256_shuffle_epi32(x__, 0x4e));                  \
        (a)->mid = _mm256_xor_si256((a)->mid, _mm256_clmulepi64_epi128(xs__, (hk), (sel)));      \
    } while (0)
static ALWAYS_INLINE __m128i fold_lanes(__m256i v) {
    return _mm_xor_si128(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
}
static ALWAYS_INLINE __m128i acc2_finish(const gacc2 *a) {
    __m128i lo = fold_lanes(a->lo), hi = fold_lanes(a->hi), mid = fold_lanes(a->mid);
    mid = _mm_xor_si128(mid, _mm_xor_si128(lo, hi));
    return gf_reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)), _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

/* y in lane 0 of a ymm, zero in lane 1. */
static ALWAYS_INLINE __m256i lane0(__m128i y) {
    return _mm256_inserti128_si256(_mm256_setzero_si256(), y, 0);
}

/* Y' = (Y ^ X0) H^n ^ ... ^ X(n-1) H over nbytes <= 256 bytes (n blocks,
 * the last zero-padded).  An odd count gets a leading zero block, so the
 * blocks pair up with consecutive (even-aligned) powers. */
static __m128i ghash_upto16(const __m128i *hpow, __m128i y, const uint8_t *data, size_t nbytes) {
    size_t n = (nbytes + 15) / 16;
    if (n == 0)
        return y;
    _Alignas(32) uint8_t buf[16 * 17];
    const uint8_t *src = data;
    size_t odd = n & 1, m = n + odd;
    if (odd || nbytes % 16) {
        memset(buf, 0, 16 * m);
        memcpy(buf + 16 * odd, data, nbytes);
        src = buf;
    }
    const __m128i *hp = hpow + TERN_GCM_HPOW - m;
    /* Y goes into block 0 of the data: lane `odd` of the first pair. */
    __m256i yv = odd ? _mm256_inserti128_si256(_mm256_setzero_si256(), y, 1) : lane0(y);
    gacc2 a;
    acc2_init(&a);
    for (size_t i = 0; i < m; i += 2) {
        __m256i x = bswap256(loadu256(src + 16 * i));
        if (i == 0)
            x = _mm256_xor_si256(x, yv);
        /* The start (16 - m) varies, so the helper's word would too: make
         * the helpers here (two instructions per pair, off the bulk loop). */
        __m256i h = load2(hp + i);
        ACC2_MUL(&a, x, h, _mm256_xor_si256(h, _mm256_shuffle_epi32(h, 0x4e)), 0x00);
    }
    if (src == buf)
        tern_wipe(buf, sizeof buf);
    return acc2_finish(&a);
}

static __m128i ghash_bytes(const __m128i *hpow, __m128i y, const uint8_t *data, size_t len) {
    while (len > 0) {
        size_t n = len < 16 * TERN_GCM_HPOW ? len : 16 * TERN_GCM_HPOW;
        y = ghash_upto16(hpow, y, data, n);
        data += n;
        len -= n;
    }
    return y;
}

/* a * b with b a stored power (one block). */
static __m128i gf_mul(__m128i a, __m128i b) {
    __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
    __m128i mid = _mm_xor_si128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
    return gf_reduce(_mm_xor_si128(lo, _mm_slli_si128(mid, 8)), _mm_xor_si128(hi, _mm_srli_si128(mid, 8)));
}

/* ---- GCM ---- */

#define ENC8(op, key)          \
    do {                       \
        __m256i key_ = (key);  \
        b0 = op(b0, key_);     \
        b1 = op(b1, key_);     \
        b2 = op(b2, key_);     \
        b3 = op(b3, key_);     \
        b4 = op(b4, key_);     \
        b5 = op(b5, key_);     \
        b6 = op(b6, key_);     \
        b7 = op(b7, key_);     \
    } while (0)

/* GHASH step i: blocks 2i, 2i+1 of gsrc times H^(16-2i), H^(15-2i)
 * (hpow[2i], hpow[2i+1]); their helpers are word i & 1 of each lane of the
 * 32 bytes from helper unit i (see TERN_GCM_HKAR_UNIT). */
#define GH(i)                                                                                           \
    do {                                                                                                \
        __m256i x_ = bswap256(loadu256(gsrc + 32 * (i)));                                               \
        if ((i) == 0)                                                                                   \
            x_ = _mm256_xor_si256(x_, lane0(*y));                                                       \
        ACC2_MUL(&acc, x_, load2(hpow + 2 * (i)), load2(hkar + TERN_GCM_HKAR_UNIT(2 * (i))),            \
                 TERN_GCM_HKAR_QWORD(2 * (i)) ? 0x10 : 0x00);                                           \
    } while (0)

#define XS(j, b) storeu256(out + 32 * (j), _mm256_xor_si256(loadu256(in + 32 * (j)), (b)))

/* 256 bytes: counters ctr .. ctr+15 (ctr holds [c, c+1] byte-reversed),
 * XORed onto in; when with_ghash, the sixteen blocks at gsrc are folded
 * into *y in the same pass (read before out is written). */
static ALWAYS_INLINE void batch16(const __m128i *rk, unsigned rounds, __m256i *ctr, const uint8_t *in,
                                  uint8_t *out, int with_ghash, const uint8_t *gsrc, __m128i *y,
                                  const __m128i *hpow, const __m128i *hkar) {
    const __m256i k0 = bcast(rk), two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
    __m256i c = *ctr;
    __m256i b0 = _mm256_xor_si256(bswap256(c), k0);
    c = _mm256_add_epi32(c, two);
    __m256i b1 = _mm256_xor_si256(bswap256(c), k0);
    c = _mm256_add_epi32(c, two);
    __m256i b2 = _mm256_xor_si256(bswap256(c), k0);
    c = _mm256_add_epi32(c, two);
    __m256i b3 = _mm256_xor_si256(bswap256(c), k0);
    c = _mm256_add_epi32(c, two);
    __m256i b4 = _mm256_xor_si256(bswap256(c), k0);
    c = _mm256_add_epi32(c, two);
    __m256i b5 = _mm256_xor_si256(bswap256(c), k0);
    c = _mm256_add_epi32(c, two);
    __m256i b6 = _mm256_xor_si256(bswap256(c), k0);
    c = _mm256_add_epi32(c, two);
    __m256i b7 = _mm256_xor_si256(bswap256(c), k0);
    *ctr = _mm256_add_epi32(c, two);
    gacc2 acc;
    acc2_init(&acc);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 1));
    if (with_ghash) GH(0);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 2));
    if (with_ghash) GH(1);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 3));
    if (with_ghash) GH(2);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 4));
    if (with_ghash) GH(3);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 5));
    if (with_ghash) GH(4);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 6));
    if (with_ghash) GH(5);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 7));
    if (with_ghash) GH(6);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 8));
    if (with_ghash) GH(7);
    ENC8(_mm256_aesenc_epi128, bcast(rk + 9));
    if (rounds == 14) {
        ENC8(_mm256_aesenc_epi128, bcast(rk + 10));
        ENC8(_mm256_aesenc_epi128, bcast(rk + 11));
        ENC8(_mm256_aesenc_epi128, bcast(rk + 12));
        ENC8(_mm256_aesenc_epi128, bcast(rk + 13));
    }
    ENC8(_mm256_aesenclast_epi128, bcast(rk + rounds));
    if (with_ghash)
        *y = acc2_finish(&acc);
    XS(0, b0);
    XS(1, b1);
    XS(2, b2);
    XS(3, b3);
    XS(4, b4);
    XS(5, b5);
    XS(6, b6);
    XS(7, b7);
}

/* Fewer than 256 bytes: the keystream two blocks per register. */
static void tail(const __m128i *rk, unsigned rounds, __m256i ctr, const uint8_t *in, uint8_t *out, size_t rem) {
    const __m256i two = _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 2);
    size_t np = (rem + 31) / 32;
    __m256i b[8];
    for (size_t j = 0; j < np; j++) {
        b[j] = _mm256_xor_si256(bswap256(ctr), bcast(rk));
        ctr = _mm256_add_epi32(ctr, two);
    }
    for (unsigned r = 1; r < rounds; r++) {
        __m256i key = bcast(rk + r);
        for (size_t j = 0; j < np; j++)
            b[j] = _mm256_aesenc_epi128(b[j], key);
    }
    __m256i key = bcast(rk + rounds);
    for (size_t j = 0; j < np; j++)
        b[j] = _mm256_aesenclast_epi128(b[j], key);
    for (size_t j = 0; j < np; j++) {
        size_t n = rem - 32 * j < 32 ? rem - 32 * j : 32;
        if (n == 32) {
            XS(j, b[j]);
        } else {
            _Alignas(32) uint8_t last[32];
            memcpy(last, in + 32 * j, n);
            storeu256(last, _mm256_xor_si256(loadu256(last), b[j]));
            memcpy(out + 32 * j, last, n);
            tern_wipe(last, sizeof last);
        }
    }
    tern_wipe(b, sizeof b);
}

void tern_gcm_vaes_crypt(const tern_gcm_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aadlen,
                         const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16], int decrypt) {
    /* A record shorter than one 16-block batch is all set-up and tail; the
     * AES-NI code (same key layout, a subset of this CPU's features) does
     * that with less overhead than two-block registers. */
    if (len < 256) {
        tern_gcm_aesni_crypt(k, nonce, aad, aadlen, in, len, out, tag, decrypt);
        return;
    }
    const __m128i *rk = (const __m128i *)(const void *)k->w;
    const __m128i *hpow = (const __m128i *)(const void *)(k->w + TERN_GCM_PCLMUL_TABLE_OFF);
    const __m128i *hkar = hpow + TERN_GCM_HPOW; /* the helper units */
    unsigned rounds = k->rounds;
    uint8_t j0[16];
    memcpy(j0, nonce, 12);
    tern_store_be32(j0 + 12, 1);
    /* Byte-reversed counter block: the 32-bit counter is dword 0 of each
     * lane and wraps mod 2^32 (§6.2 inc_32). */
    __m128i c1 = bswap128(_mm_loadu_si128((const __m128i *)(const void *)j0));
    __m128i x = _mm_xor_si128(bswap128(c1), rk[0]);
    for (unsigned r = 1; r < rounds; r++)
        x = _mm_aesenc_si128(x, rk[r]);
    __m128i ej0 = _mm_aesenclast_si128(x, rk[rounds]);
    /* lanes [2, 3]: the first data counters */
    __m256i ctr = _mm256_add_epi32(_mm256_broadcastsi128_si256(c1), _mm256_set_epi32(0, 0, 0, 2, 0, 0, 0, 1));

    __m128i y = ghash_bytes(hpow, _mm_setzero_si128(), aad, aadlen);
    size_t done = 0;

    if (decrypt) {
        for (; len - done >= 256; done += 256)
            batch16(rk, rounds, &ctr, in + done, out + done, 1, in + done, &y, hpow, hkar);
        if (len > done) {
            y = ghash_upto16(hpow, y, in + done, len - done); /* before an in-place write */
            tail(rk, rounds, ctr, in + done, out + done, len - done);
        }
    } else {
        if (len >= 256) {
            batch16(rk, rounds, &ctr, in, out, 0, NULL, &y, hpow, hkar);
            for (done = 256; len - done >= 256; done += 256)
                batch16(rk, rounds, &ctr, in + done, out + done, 1, out + done - 256, &y, hpow, hkar);
            y = ghash_upto16(hpow, y, out + done - 256, 256);
        }
        if (len > done) {
            tail(rk, rounds, ctr, in + done, out + done, len - done);
            y = ghash_upto16(hpow, y, out + done, len - done);
        }
    }

    __m128i lens = _mm_set_epi64x((long long)((uint64_t)aadlen * 8), (long long)((uint64_t)len * 8));
    y = gf_mul(_mm_xor_si128(y, lens), hpow[TERN_GCM_HPOW - 1]);
    _mm_storeu_si128((__m128i *)(void *)tag, _mm_xor_si128(bswap128(y), ej0));
}
