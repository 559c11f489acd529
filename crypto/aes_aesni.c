/*
 * AES-128/256-GCM with AES-NI and PCLMULQDQ (NIST SP 800-38D; FIPS 197 key
 * expansion §5.2 done with AESKEYGENASSIST).  Compiled with -maes -mpclmul
 * -mssse3 -msse4.1 and only called after crypto/cpu.c saw those features.
 *
 * Counter mode keeps eight blocks in flight, and the GHASH of eight
 * ciphertext blocks is computed in the same loop (interleaved with the AES
 * rounds, which are independent of it), with one reduction per eight blocks:
 *   Y' = (Y ^ C0) H^8 ^ C1 H^7 ^ ... ^ C7 H
 * using the precomputed powers of H.  On encryption the loop hashes the
 * previous batch of ciphertext (the current one is not ready yet); on
 * decryption it hashes the batch it is decrypting.
 *
 * GHASH representation (shared with crypto/gcm_vaes.c): a block is
 * byte-reversed into a 128-bit integer, which holds the field element with
 * its bits reflected.  Powers of H are stored multiplied by x^-1, so that
 * the plain 256-bit carry-less product of a block and a stored power is
 * already the reflection of the field product, and is reduced with two
 * multiplications by the constant 0xC2..00 (x^128 = x^7 + x^2 + x + 1 in
 * reflected form: bits 63, 62 and 57 of the high word).
 */
#include <immintrin.h>

#include "crypto/aes_internal.h"
#include "crypto/ct.h"

#define BSWAP_MASK _mm_set_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

static inline __m128i bswap128(__m128i x) { return _mm_shuffle_epi8(x, BSWAP_MASK); }
static inline __m128i xor128(__m128i a, __m128i b) { return _mm_xor_si128(a, b); }

/* ---- key expansion ---- */

/* One AES-128 step: w[i..i+3] from w[i-4..i-1] and the SubWord/RotWord/Rcon
 * word that AESKEYGENASSIST put in dword 3. */
static inline __m128i expand_step(__m128i k, __m128i assist) {
    k = xor128(k, _mm_slli_si128(k, 4));
    k = xor128(k, _mm_slli_si128(k, 4));
    k = xor128(k, _mm_slli_si128(k, 4));
    return xor128(k, assist);
}

#define EXP128(i, rcon) \
    rk[i] = expand_step(rk[(i) - 1], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[(i) - 1], rcon), 0xff))

static void expand128(__m128i *rk, const uint8_t *key) {
    rk[0] = _mm_loadu_si128((const __m128i *)(const void *)key);
    EXP128(1, 0x01);
    EXP128(2, 0x02);
    EXP128(3, 0x04);
    EXP128(4, 0x08);
    EXP128(5, 0x10);
    EXP128(6, 0x20);
    EXP128(7, 0x40);
    EXP128(8, 0x80);
    EXP128(9, 0x1b);
    EXP128(10, 0x36);
}

/* AES-256 (Nk = 8): even round keys use RotWord+SubWord+Rcon of the
 * previous odd key (dword 3 of the assist), odd ones SubWord only (dword 2). */
#define EXP256(i, rcon)                                                                                   \
    do {                                                                                                  \
        rk[i] = expand_step(rk[(i) - 2], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[(i) - 1], rcon), 0xff)); \
        if ((i) + 1 < 15)                                                                                 \
            rk[(i) + 1] = expand_step(rk[(i) - 1], _mm_shuffle_epi32(_mm_aeskeygenassist_si128(rk[i], 0), 0xaa)); \
    } while (0)

static void expand256(__m128i *rk, const uint8_t *key) {
    rk[0] = _mm_loadu_si128((const __m128i *)(const void *)key);
    rk[1] = _mm_loadu_si128((const __m128i *)(const void *)(key + 16));
    EXP256(2, 0x01);
    EXP256(4, 0x02);
    EXP256(6, 0x04);
    EXP256(8, 0x08);
    EXP256(10, 0x10);
    EXP256(12, 0x20);
    EXP256(14, 0x40);
}

/* ---- GHASH ---- */

/* Reduce the 256-bit product hi:lo.  Folding the low 128 bits (reflected
 * degrees 255..128) adds V<<128 ^ V<<127 ^ V<<126 ^ V<<121, i.e. V<<128 plus
 * clmul(V, 0xC2<<56)<<64, done one 64-bit word at a time (the second fold
 * absorbs what the first pushed into word 1). */
static inline __m128i gf_reduce(__m128i lo, __m128i hi) {
    const __m128i poly = _mm_set_epi64x(0, (long long)0xC200000000000000ull);
    __m128i t = _mm_clmulepi64_si128(lo, poly, 0x00);
    lo = xor128(_mm_shuffle_epi32(lo, 0x4e), t);
    t = _mm_clmulepi64_si128(lo, poly, 0x00);
    lo = xor128(_mm_shuffle_epi32(lo, 0x4e), t);
    return xor128(hi, lo);
}

/* a * b for reflected a and a stored (x^-1 scaled) b. */
static inline __m128i gf_mul(__m128i a, __m128i b) {
    __m128i lo = _mm_clmulepi64_si128(a, b, 0x00);
    __m128i hi = _mm_clmulepi64_si128(a, b, 0x11);
    __m128i mid = xor128(_mm_clmulepi64_si128(a, b, 0x01), _mm_clmulepi64_si128(a, b, 0x10));
    lo = xor128(lo, _mm_slli_si128(mid, 8));
    hi = xor128(hi, _mm_srli_si128(mid, 8));
    return gf_reduce(lo, hi);
}

/* Unreduced Karatsuba accumulator. */
typedef struct {
    __m128i lo, hi, mid;
} gacc;

static inline void acc_init(gacc *a) {
    a->lo = a->hi = a->mid = _mm_setzero_si128();
}
/* a += x * H^k for hp = hpow[i], with s_i (the Karatsuba helper of
 * hpow[i]) in the word of hk that sel picks (0x00 low, 0x10 high).  A macro:
 * sel is an instruction immediate. */
#define ACC_MUL(a, x, hp, hk, sel)                                                            \
    do {                                                                                      \
        __m128i x__ = (x), hp__ = (hp);                                                       \
        (a)->lo = xor128((a)->lo, _mm_clmulepi64_si128(x__, hp__, 0x00));                    \
        (a)->hi = xor128((a)->hi, _mm_clmulepi64_si128(x__, hp__, 0x11));                    \
        (a)->mid = xor128((a)->mid,                                                           \
                          _mm_clmulepi64_si128(xor128(x__, _mm_shuffle_epi32(x__, 0x4e)), (hk), (sel))); \
    } while (0)
static inline __m128i acc_finish(const gacc *a) {
    __m128i mid = xor128(a->mid, xor128(a->lo, a->hi));
    return gf_reduce(xor128(a->lo, _mm_slli_si128(mid, 8)), xor128(a->hi, _mm_srli_si128(mid, 8)));
}

static inline __m128i load_block(const uint8_t *p) {
    return bswap128(_mm_loadu_si128((const __m128i *)(const void *)p));
}

/* Y' = (Y ^ X0) H^n ^ X1 H^(n-1) ^ ... ^ X(n-1) H, for 1 <= n <= 16 blocks
 * of data (the last one may be partial, zero-padded: nbytes <= 16 n). */
static __m128i ghash_n(const __m128i *hpow, __m128i y, const uint8_t *data, size_t nbytes) {
    size_t n = (nbytes + 15) / 16;
    const __m128i *hp = hpow + TERN_GCM_HPOW - n;
    gacc a;
    acc_init(&a);
    for (size_t j = 0; j < n; j++) {
        __m128i x;
        if (nbytes >= 16) {
            x = load_block(data);
            data += 16;
            nbytes -= 16;
        } else {
            uint8_t last[16] = {0};
            memcpy(last, data, nbytes);
            x = load_block(last);
        }
        if (j == 0)
            x = xor128(x, y);
        /* The helper is made here (two instructions) rather than looked up:
         * its place in the table depends on the start index, and working
         * that out costs more. */
        __m128i h = _mm_load_si128(hp + j);
        ACC_MUL(&a, x, h, xor128(h, _mm_shuffle_epi32(h, 0x4e)), 0x00);
    }
    return acc_finish(&a);
}

static __m128i ghash_bytes(const __m128i *hpow, __m128i y, const uint8_t *data, size_t len) {
    while (len > 0) {
        size_t n = len < 16 * TERN_GCM_HPOW ? len : 16 * TERN_GCM_HPOW;
        y = ghash_n(hpow, y, data, n);
        data += n;
        len -= n;
    }
    return y;
}

static inline __m128i aes_block(const __m128i *rk, unsigned rounds, __m128i x) {
    x = xor128(x, rk[0]);
    for (unsigned r = 1; r < rounds; r++)
        x = _mm_aesenc_si128(x, rk[r]);
    return _mm_aesenclast_si128(x, rk[rounds]);
}

void tern_gcm_aesni_setup(tern_gcm_key *k, const uint8_t *key) {
    __m128i *rk = (__m128i *)(void *)k->w;
    if (k->rounds == 10)
        expand128(rk, key);
    else
        expand256(rk, key);

    /* H = E(K, 0), reflected; H' = H * x^-1: shift the reflected integer
     * left by one and, if a bit fell out (the x^0 coefficient), add
     * x^-1 = x^127 + x^6 + x + 1 (bits 127, 126, 121 and 0), without a branch. */
    __m128i h = bswap128(aes_block(rk, k->rounds, _mm_setzero_si128()));
    uint64_t hi = (uint64_t)_mm_extract_epi64(h, 1), lo = (uint64_t)_mm_extract_epi64(h, 0);
    uint64_t carry = tern_ct_mask_u64(hi >> 63);
    hi = (hi << 1 | lo >> 63) ^ (carry & 0xC200000000000000ull);
    lo = (lo << 1) ^ (carry & 1);
    __m128i h1 = _mm_set_epi64x((long long)hi, (long long)lo);

    /* hpow[16 - i] = H^i x^-1: the product of H^(i-1) x^-1 and H' is
     * H^i x^-1 (the product of a stored power and H' carries one x^-1). */
    __m128i *hpow = (__m128i *)(void *)(k->w + TERN_GCM_PCLMUL_TABLE_OFF);
    uint64_t *hk = k->w + TERN_GCM_PCLMUL_HKAR_OFF;
    __m128i p = h1;
    for (int i = 1; i <= TERN_GCM_HPOW; i++) {
        int at = TERN_GCM_HPOW - i;
        hpow[at] = p;
        hk[2 * TERN_GCM_HKAR_UNIT(at) + TERN_GCM_HKAR_QWORD(at)] =
            (uint64_t)_mm_cvtsi128_si64(xor128(p, _mm_unpackhi_epi64(p, p)));
        p = gf_mul(p, h1);
    }
    tern_wipe(&h, sizeof h);
    tern_wipe(&h1, sizeof h1);
    tern_wipe(&p, sizeof p);
    tern_wipe(&hi, sizeof hi);
    tern_wipe(&lo, sizeof lo);
}

/* ---- GCM ---- */

#define ONE_LE _mm_set_epi32(0, 0, 0, 1)
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* Eight blocks written out as eight variables: the compiler keeps them in
 * registers and interleaves the independent AESENCs. */
#define ENC8(op, key)               \
    do {                            \
        __m128i key_ = (key);       \
        b0 = op(b0, key_);          \
        b1 = op(b1, key_);          \
        b2 = op(b2, key_);          \
        b3 = op(b3, key_);          \
        b4 = op(b4, key_);          \
        b5 = op(b5, key_);          \
        b6 = op(b6, key_);          \
        b7 = op(b7, key_);          \
    } while (0)

/* GHASH step i of a batch: block i of gsrc times H^(8-i) = hpow[HP8 + i]
 * (hk: the helper units; unit and word are constants here). */
#define HP8 (TERN_GCM_HPOW - 8)
#define GH(i)                                                                                         \
    do {                                                                                              \
        __m128i x_ = load_block(gsrc + 16 * (i));                                                     \
        if ((i) == 0)                                                                                 \
            x_ = xor128(x_, *y);                                                                      \
        ACC_MUL(&acc, x_, _mm_load_si128(hpow + HP8 + (i)), _mm_load_si128(hk + TERN_GCM_HKAR_UNIT(HP8 + (i))), \
                TERN_GCM_HKAR_QWORD(HP8 + (i)) ? 0x10 : 0x00);                                        \
    } while (0)

#define XS(j, b)                                                                                      \
    _mm_storeu_si128((__m128i *)(void *)(out + 16 * (j)),                                           \
                     xor128(_mm_loadu_si128((const __m128i *)(const void *)(in + 16 * (j))), (b)))

/* 128 bytes: encrypt counters ctr .. ctr+7 and XOR them onto in; when
 * with_ghash, fold the eight blocks at gsrc into *y along the way (gsrc is
 * read before out is written, so gsrc == in works for in-place decryption). */
static ALWAYS_INLINE void batch8(const __m128i *rk, unsigned rounds, __m128i *ctr, const uint8_t *in, uint8_t *out,
                                 int with_ghash, const uint8_t *gsrc, __m128i *y, const __m128i *hpow,
                                 const __m128i *hk) {
    const __m128i bs = BSWAP_MASK, k0 = _mm_load_si128(rk);
    __m128i c = *ctr;
    __m128i b0 = xor128(_mm_shuffle_epi8(c, bs), k0);
    __m128i b1 = xor128(_mm_shuffle_epi8(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 1)), bs), k0);
    __m128i b2 = xor128(_mm_shuffle_epi8(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 2)), bs), k0);
    __m128i b3 = xor128(_mm_shuffle_epi8(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 3)), bs), k0);
    __m128i b4 = xor128(_mm_shuffle_epi8(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 4)), bs), k0);
    __m128i b5 = xor128(_mm_shuffle_epi8(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 5)), bs), k0);
    __m128i b6 = xor128(_mm_shuffle_epi8(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 6)), bs), k0);
    __m128i b7 = xor128(_mm_shuffle_epi8(_mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 7)), bs), k0);
    *ctr = _mm_add_epi32(c, _mm_set_epi32(0, 0, 0, 8));
    gacc acc;
    acc_init(&acc);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 1));
    if (with_ghash) GH(0);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 2));
    if (with_ghash) GH(1);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 3));
    if (with_ghash) GH(2);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 4));
    if (with_ghash) GH(3);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 5));
    if (with_ghash) GH(4);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 6));
    if (with_ghash) GH(5);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 7));
    if (with_ghash) GH(6);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 8));
    if (with_ghash) GH(7);
    ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 9));
    if (rounds == 14) {
        ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 10));
        ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 11));
        ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 12));
        ENC8(_mm_aesenc_si128, _mm_load_si128(rk + 13));
    }
    ENC8(_mm_aesenclast_si128, _mm_load_si128(rk + rounds));
    if (with_ghash)
        *y = acc_finish(&acc);
    XS(0, b0);
    XS(1, b1);
    XS(2, b2);
    XS(3, b3);
    XS(4, b4);
    XS(5, b5);
    XS(6, b6);
    XS(7, b7);
}

void tern_gcm_aesni_crypt(const tern_gcm_key *k, const uint8_t nonce[12], const uint8_t *aad, size_t aadlen,
                          const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[16], int decrypt) {
    const __m128i *rk = (const __m128i *)(const void *)k->w;
    const __m128i *hpow = (const __m128i *)(const void *)(k->w + TERN_GCM_PCLMUL_TABLE_OFF);
    const __m128i *hk = hpow + TERN_GCM_HPOW; /* the helper units */
    unsigned rounds = k->rounds;
    uint8_t j0[16];
    memcpy(j0, nonce, 12);
    tern_store_be32(j0 + 12, 1);
    /* ctr: the counter block byte-reversed, so the 32-bit counter is dword 0
     * and _mm_add_epi32 wraps it mod 2^32 as §6.2 inc_32 does. */
    __m128i ctr = bswap128(_mm_loadu_si128((const __m128i *)(const void *)j0));
    __m128i ej0 = aes_block(rk, rounds, bswap128(ctr));
    ctr = _mm_add_epi32(ctr, ONE_LE);

    __m128i y = ghash_bytes(hpow, _mm_setzero_si128(), aad, aadlen);
    size_t done = 0;

    if (decrypt) {
        for (; len - done >= 128; done += 128)
            batch8(rk, rounds, &ctr, in + done, out + done, 1, in + done, &y, hpow, hk);
    } else if (len >= 128) {
        batch8(rk, rounds, &ctr, in, out, 0, NULL, &y, hpow, hk);
        for (done = 128; len - done >= 128; done += 128)
            batch8(rk, rounds, &ctr, in + done, out + done, 1, out + done - 128, &y, hpow, hk);
    }

    /* The tail: fewer than eight blocks, the last possibly partial. */
    size_t rem = len - done;
    if (decrypt && rem > 0)
        y = ghash_n(hpow, y, in + done, rem); /* before an in-place write */
    if (rem > 0) {
        __m128i b[8];
        size_t nb = (rem + 15) / 16;
        for (size_t j = 0; j < nb; j++) {
            b[j] = xor128(bswap128(ctr), rk[0]);
            ctr = _mm_add_epi32(ctr, ONE_LE);
        }
        for (unsigned r = 1; r < rounds; r++)
            for (size_t j = 0; j < nb; j++)
                b[j] = _mm_aesenc_si128(b[j], rk[r]);
        for (size_t j = 0; j < nb; j++)
            b[j] = _mm_aesenclast_si128(b[j], rk[rounds]);
        uint8_t last[16];
        for (size_t j = 0; j < nb; j++) {
            size_t n = rem - 16 * j < 16 ? rem - 16 * j : 16;
            if (n == 16) {
                __m128i d = _mm_loadu_si128((const __m128i *)(const void *)(in + done + 16 * j));
                _mm_storeu_si128((__m128i *)(void *)(out + done + 16 * j), xor128(d, b[j]));
            } else {
                memcpy(last, in + done + 16 * j, n);
                _mm_storeu_si128((__m128i *)(void *)last,
                                 xor128(_mm_loadu_si128((const __m128i *)(const void *)last), b[j]));
                memcpy(out + done + 16 * j, last, n);
            }
        }
        tern_wipe(last, sizeof last);
        tern_wipe(b, sizeof b);
    }
    /* Encryption still owes the GHASH of the last full batch (if any) and
     * the tail; both together are at most 16 blocks: one reduction. */
    if (!decrypt) {
        size_t pending = (done > 0 ? 128 : 0) + rem;
        if (pending > 0)
            y = ghash_n(hpow, y, out + len - pending, pending);
    }

    __m128i lens = _mm_set_epi64x((long long)((uint64_t)aadlen * 8), (long long)((uint64_t)len * 8));
    y = gf_mul(xor128(y, lens), hpow[TERN_GCM_HPOW - 1]);
    _mm_storeu_si128((__m128i *)(void *)tag, xor128(bswap128(y), ej0));
    /* The batch keystream lives in registers (wiping it through memory
     * would force it onto the stack for the whole loop). */
}
