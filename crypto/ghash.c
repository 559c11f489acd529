/*
 * Portable constant-time GHASH (NIST SP 800-38D §6.4): multiplication in
 * GF(2^128) by the hash key H, with the reduction polynomial
 * x^128 + x^7 + x^2 + x + 1 and GCM's reflected bit order.
 *
 * No tables: a table of multiples of H indexed by data bits would leak the
 * data through the cache.  Instead the carry-less 64x64-bit products are
 * built from ordinary integer multiplications of operands whose bits are
 * spaced four apart (see bmul64), so carries never reach a bit we keep.
 * Two variants: where the compiler offers unsigned __int128 (every 64-bit
 * gcc/clang target) each multiplication yields both halves of a product
 * (bmul64_wide); elsewhere the high halves come from bit-reversed operands
 * (bmul64 + rev64).  The second is always built (tern_ghash_ct64_rev) so
 * the tests can compare the two.
 *
 * Representation.  A block loaded as a 128-bit big-endian integer has the
 * coefficient of x^i at bit 127 - i (bit-reflected).  For reflected A, B the
 * integer carry-less product is the reflection of the 255-bit polynomial
 * product, so shifting it left by one gives the 256-bit reflection of the
 * product; the upper 128 bits then hold the low-degree half and the lower
 * 128 bits (degrees 128..255) are folded in with x^128 = x^7 + x^2 + x + 1,
 * which in reflected form is XOR of the word shifted by 0, 1, 2 and 7.
 */
#include "crypto/aes_internal.h"
#include "crypto/ct.h"

/* Low 64 bits of the carry-less product x * y.  x and y are split into four
 * interleaved parts with the bits 4 apart (masks 0x1111.., 0x2222.., ...).
 * In the integer product of two such parts every result position that keeps
 * a bit collects at most 15 one-bit products below bit 64 (at most 16 at
 * bit 60, whose carry lands in bit 64, outside the result), so the sum fits
 * in 4 bits: its low bit is the XOR we want and its carries land only in the
 * three positions of other residues mod 4, which the final masks discard. */
static inline uint64_t bmul64(uint64_t x, uint64_t y) {
    const uint64_t m0 = 0x1111111111111111ull, m1 = 0x2222222222222222ull, m2 = 0x4444444444444444ull,
                   m3 = 0x8888888888888888ull;
    uint64_t x0 = x & m0, x1 = x & m1, x2 = x & m2, x3 = x & m3;
    uint64_t y0 = y & m0, y1 = y & m1, y2 = y & m2, y3 = y & m3;
    uint64_t z0 = (x0 * y0) ^ (x1 * y3) ^ (x2 * y2) ^ (x3 * y1);
    uint64_t z1 = (x0 * y1) ^ (x1 * y0) ^ (x2 * y3) ^ (x3 * y2);
    uint64_t z2 = (x0 * y2) ^ (x1 * y1) ^ (x2 * y0) ^ (x3 * y3);
    uint64_t z3 = (x0 * y3) ^ (x1 * y2) ^ (x2 * y1) ^ (x3 * y0);
    return (z0 & m0) | (z1 & m1) | (z2 & m2) | (z3 & m3);
}

/* Bit reversal of a 64-bit word.  The upper half of a carry-less product
 * is the reversed lower half of the product of the reversed operands:
 * rev(x) * rev(y) = rev127(x * y), so hi(x * y) = rev64(lo(rev x * rev y)) >> 1. */
static inline uint64_t rev64(uint64_t x) {
    x = ((x & 0x5555555555555555ull) << 1) | ((x >> 1) & 0x5555555555555555ull);
    x = ((x & 0x3333333333333333ull) << 2) | ((x >> 2) & 0x3333333333333333ull);
    x = ((x & 0x0F0F0F0F0F0F0F0Full) << 4) | ((x >> 4) & 0x0F0F0F0F0F0F0F0Full);
    x = ((x & 0x00FF00FF00FF00FFull) << 8) | ((x >> 8) & 0x00FF00FF00FF00FFull);
    x = ((x & 0x0000FFFF0000FFFFull) << 16) | ((x >> 16) & 0x0000FFFF0000FFFFull);
    return (x << 32) | (x >> 32);
}

/* The 256-bit carry-less product w3:w2:w1:w0 of two reflected elements,
 * shifted left by one and reduced; result y1:y0. */
static inline void reduce(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3, uint64_t *y1, uint64_t *y0) {
    w3 = (w3 << 1) | (w2 >> 63);
    w2 = (w2 << 1) | (w1 >> 63);
    w1 = (w1 << 1) | (w0 >> 63);
    w0 <<= 1;
    /* Fold w0 then w1 (degrees 255..128) into the upper words: a bit at
     * position p < 128 moves to p + 128, p + 127, p + 126 and p + 121. */
    w1 ^= (w0 << 63) ^ (w0 << 62) ^ (w0 << 57);
    w2 ^= w0 ^ (w0 >> 1) ^ (w0 >> 2) ^ (w0 >> 7);
    w2 ^= (w1 << 63) ^ (w1 << 62) ^ (w1 << 57);
    w3 ^= w1 ^ (w1 >> 1) ^ (w1 >> 2) ^ (w1 >> 7);
    *y1 = w3;
    *y0 = w2;
}

void tern_ghash_ct64_init(tern_ghash_ct64_key *gk, const uint8_t h[16]) {
    static const uint64_t m[4] = {0x1111111111111111ull, 0x2222222222222222ull, 0x4444444444444444ull,
                                  0x8888888888888888ull};
    gk->h[1] = tern_load_be64(h);
    gk->h[0] = tern_load_be64(h + 8);
    gk->h[2] = gk->h[0] ^ gk->h[1];
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 4; j++)
            gk->hm[i][j] = gk->h[i] & m[j];
}

/* What the bit-reversal variant needs of H: the halves and their
 * reversals.  Built once per GHASH call rather than kept in the key (the
 * key lives in every connection; this variant serves only compilers
 * without unsigned __int128). */
typedef struct {
    uint64_t h0, h1, h0r, h1r;
} rev_key;

static inline rev_key rev_key_of(const tern_ghash_ct64_key *gk) {
    rev_key rk = {gk->h[0], gk->h[1], rev64(gk->h[0]), rev64(gk->h[1])};
    return rk;
}

/* y = y * H for the reflected 128-bit y = y1:y0, low and high halves of
 * each 64x64 product from bmul64 (the second through bit reversal). */
static inline void mul_h_rev(const rev_key *gk, uint64_t *py1, uint64_t *py0) {
    uint64_t y1 = *py1, y0 = *py0;
    uint64_t y2 = y0 ^ y1;
    uint64_t y0r = rev64(y0), y1r = rev64(y1), y2r = y0r ^ y1r;
    uint64_t h0 = gk->h0, h1 = gk->h1, h2 = h0 ^ h1;
    uint64_t h0r = gk->h0r, h1r = gk->h1r, h2r = h0r ^ h1r;

    /* Karatsuba: lo = y0 h0, hi = y1 h1, mid = (y0^y1)(h0^h1) ^ lo ^ hi. */
    uint64_t z0 = bmul64(y0, h0), z1 = bmul64(y1, h1), z2 = bmul64(y2, h2);
    uint64_t z0h = bmul64(y0r, h0r), z1h = bmul64(y1r, h1r), z2h = bmul64(y2r, h2r);
    z2 ^= z0 ^ z1;
    z2h ^= z0h ^ z1h;
    z0h = rev64(z0h) >> 1;
    z1h = rev64(z1h) >> 1;
    z2h = rev64(z2h) >> 1;

    reduce(z0, z0h ^ z2, z1 ^ z2h, z1h, py1, py0);
}

#if defined(__SIZEOF_INT128__)
/* Where the compiler has a 64x64 -> 128-bit multiply, each part product
 * gives both halves at once.  The data word's top four bits are left out of
 * the parts, so each part has at most 15 bits and no column sum reaches 16
 * anywhere in the 128-bit product.  Those four bits come back as four more
 * products of a single bit (a power of two, or zero) by y: a shift, which
 * has no carries at all. */
__extension__ typedef unsigned __int128 tern_u128;

static inline void bmul64_wide(uint64_t x, const uint64_t *ym, uint64_t y, uint64_t *lo, uint64_t *hi) {
    const uint64_t m0 = 0x1111111111111111ull, m1 = 0x2222222222222222ull, m2 = 0x4444444444444444ull,
                   m3 = 0x8888888888888888ull, top = 0xF000000000000000ull;
    uint64_t xl = x & ~top, xt = x & top;
    uint64_t x0 = xl & m0, x1 = xl & m1, x2 = xl & m2, x3 = xl & m3;
    uint64_t y0 = ym[0], y1 = ym[1], y2 = ym[2], y3 = ym[3];
    tern_u128 z0 = ((tern_u128)x0 * y0) ^ ((tern_u128)x1 * y3) ^ ((tern_u128)x2 * y2) ^ ((tern_u128)x3 * y1);
    tern_u128 z1 = ((tern_u128)x0 * y1) ^ ((tern_u128)x1 * y0) ^ ((tern_u128)x2 * y3) ^ ((tern_u128)x3 * y2);
    tern_u128 z2 = ((tern_u128)x0 * y2) ^ ((tern_u128)x1 * y1) ^ ((tern_u128)x2 * y0) ^ ((tern_u128)x3 * y3);
    tern_u128 z3 = ((tern_u128)x0 * y3) ^ ((tern_u128)x1 * y2) ^ ((tern_u128)x2 * y1) ^ ((tern_u128)x3 * y0);
    tern_u128 zt = ((tern_u128)(xt & m0) * y) ^ ((tern_u128)(xt & m1) * y) ^ ((tern_u128)(xt & m2) * y) ^
                   ((tern_u128)(xt & m3) * y);
    *lo = (((uint64_t)z0 & m0) | ((uint64_t)z1 & m1) | ((uint64_t)z2 & m2) | ((uint64_t)z3 & m3)) ^ (uint64_t)zt;
    *hi = (((uint64_t)(z0 >> 64) & m0) | ((uint64_t)(z1 >> 64) & m1) | ((uint64_t)(z2 >> 64) & m2) |
           ((uint64_t)(z3 >> 64) & m3)) ^ (uint64_t)(zt >> 64);
}

static inline void mul_h_wide(const tern_ghash_ct64_key *gk, uint64_t *py1, uint64_t *py0) {
    uint64_t y1 = *py1, y0 = *py0;
    uint64_t z0, z0h, z1, z1h, z2, z2h;
    bmul64_wide(y0, gk->hm[0], gk->h[0], &z0, &z0h);
    bmul64_wide(y1, gk->hm[1], gk->h[1], &z1, &z1h);
    bmul64_wide(y0 ^ y1, gk->hm[2], gk->h[2], &z2, &z2h);
    z2 ^= z0 ^ z1;
    z2h ^= z0h ^ z1h;
    reduce(z0, z0h ^ z2, z1 ^ z2h, z1h, py1, py0);
}
#endif

/* The GHASH loop over whole blocks and a zero-padded partial last block. */
#define GHASH_LOOP(mul)                                          \
    do {                                                         \
        uint64_t y1 = tern_load_be64(y), y0 = tern_load_be64(y + 8); \
        while (len >= 16) {                                      \
            y1 ^= tern_load_be64(data);                          \
            y0 ^= tern_load_be64(data + 8);                      \
            mul(gk, &y1, &y0);                                   \
            data += 16;                                          \
            len -= 16;                                           \
        }                                                        \
        if (len > 0) {                                           \
            uint8_t last[16] = {0};                              \
            memcpy(last, data, len);                             \
            y1 ^= tern_load_be64(last);                          \
            y0 ^= tern_load_be64(last + 8);                      \
            mul(gk, &y1, &y0);                                   \
            tern_wipe(last, sizeof last);                        \
        }                                                        \
        tern_store_be64(y, y1);                                  \
        tern_store_be64(y + 8, y0);                              \
    } while (0)

/* gk is the key the multiplication takes: the tern_ghash_ct64_key itself
 * for mul_h_wide, a rev_key built from it for mul_h_rev. */
static void ghash_rev(const tern_ghash_ct64_key *key, uint8_t y[16], const uint8_t *data, size_t len) {
    rev_key rk = rev_key_of(key);
    const rev_key *gk = &rk;
    GHASH_LOOP(mul_h_rev);
    tern_wipe(&rk, sizeof rk);
}

#if defined(__SIZEOF_INT128__)
static void ghash_fast(const tern_ghash_ct64_key *gk, uint8_t y[16], const uint8_t *data, size_t len) {
    GHASH_LOOP(mul_h_wide);
}
#else
#define ghash_fast ghash_rev
#endif

void tern_ghash_ct64(const tern_ghash_ct64_key *gk, uint8_t y[16], const uint8_t *data, size_t len) {
    ghash_fast(gk, y, data, len);
}

void tern_ghash_ct64_rev(const tern_ghash_ct64_key *gk, uint8_t y[16], const uint8_t *data, size_t len) {
    ghash_rev(gk, y, data, len);
}
