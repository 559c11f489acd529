/*
 * Portable constant-time AES (FIPS 197), bitsliced over 64-bit words, eight
 * blocks at a time (two independent four-block states side by side,
 * "lanes"); the CTR keystream of SP 800-38D §6.5 (GCTR) built on it; and
 * the inverse cipher (FIPS 197 §5.3) for CBC decryption (crypto/aes_cbc.c).
 * The key expansion takes 128-, 192- and 256-bit keys; GCM uses 128 and 256.
 *
 * Why bitsliced: a table-driven AES indexes memory with key-dependent
 * values, and cache timing reveals them.  Here every operation is a fixed
 * sequence of AND/XOR/shift on whole words; nothing depends on the data.
 *
 * Why two lanes: every operation below is a short loop over the lanes, so
 * a compiler may run both lanes in one SIMD register (on x86-64 every
 * compiler has SSE2) and halve the instruction count, while the code stays
 * plain C over 64-bit words and is just as constant-time without it.
 *
 * Layout.  Four blocks hold 64 state bytes.  Byte (row r, column c) of
 * block b gets the position p = 16r + 4c + b (0..63), and word q[i] holds
 * bit i of every byte: bit p of q[i] is bit i of byte p (q[i][l] in lane
 * l).  So in each word a row is one 16-bit field, a column one nibble of
 * it, and:
 *   ShiftRows  = rotate field r right by 4r bits (a few masks and shifts);
 *   MixColumns = rotations of the whole word by 16/32 bits (rows r+1, r+2);
 *   SubBytes   = the Boyar-Peralta circuit (J. Boyar, R. Peralta, "A
 *                depth-16 circuit for the AES S-box", SEC 2012: 34 AND and
 *                94 XOR/XNOR gates) applied to the eight words, 64 S-boxes
 *                per lane at once.
 * The key schedule (FIPS 197 §5.2) uses the same circuit for SubWord.
 */
#include "crypto/aes_internal.h"
#include "crypto/ct.h"

#define LANES 2
typedef uint64_t state[8][LANES];
#define ALWAYS_INLINE inline __attribute__((always_inline))

/* The S-box on 128 bytes at once.  Input bit 7 (the circuit's U0) is q[7],
 * output S0 (bit 7) goes to q[7]. */
static ALWAYS_INLINE void sbox(state q) {
    for (int ln = 0; ln < LANES; ln++) {
        uint64_t u0 = q[7][ln], u1 = q[6][ln], u2 = q[5][ln], u3 = q[4][ln], u4 = q[3][ln], u5 = q[2][ln], u6 = q[1][ln],
                 u7 = q[0][ln];
        uint64_t t1, t2, t3, t4, t5, t6, t7, t8, t9, t10, t11, t12, t13, t14, t15, t16, t17, t18, t19, t20,
            t21, t22, t23, t24, t25, t26, t27;
        uint64_t m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18, m19, m20,
            m21, m22, m23, m24, m25, m26, m27, m28, m29, m30, m31, m32, m33, m34, m35, m36, m37, m38, m39,
            m40, m41, m42, m43, m44, m45, m46, m47, m48, m49, m50, m51, m52, m53, m54, m55, m56, m57, m58,
            m59, m60, m61, m62, m63;
        uint64_t l0, l1, l2, l3, l4, l5, l6, l7, l8, l9, l10, l11, l12, l13, l14, l15, l16, l17, l18, l19,
            l20, l21, l22, l23, l24, l25, l26, l27, l28, l29;

        /* top linear layer */
        t1 = u0 ^ u3;
        t2 = u0 ^ u5;
        t3 = u0 ^ u6;
        t4 = u3 ^ u5;
        t5 = u4 ^ u6;
        t6 = t1 ^ t5;
        t7 = u1 ^ u2;
        t8 = u7 ^ t6;
        t9 = u7 ^ t7;
        t10 = t6 ^ t7;
        t11 = u1 ^ u5;
        t12 = u2 ^ u5;
        t13 = t3 ^ t4;
        t14 = t6 ^ t11;
        t15 = t5 ^ t11;
        t16 = t5 ^ t12;
        t17 = t9 ^ t16;
        t18 = u3 ^ u7;
        t19 = t7 ^ t18;
        t20 = t1 ^ t19;
        t21 = u6 ^ u7;
        t22 = t7 ^ t21;
        t23 = t2 ^ t22;
        t24 = t2 ^ t10;
        t25 = t20 ^ t17;
        t26 = t3 ^ t16;
        t27 = t1 ^ t12;

        /* middle non-linear layer: inversion in GF(2^4)^2 */
        m1 = t13 & t6;
        m2 = t23 & t8;
        m3 = t14 ^ m1;
        m4 = t19 & u7;
        m5 = m4 ^ m1;
        m6 = t3 & t16;
        m7 = t22 & t9;
        m8 = t26 ^ m6;
        m9 = t20 & t17;
        m10 = m9 ^ m6;
        m11 = t1 & t15;
        m12 = t4 & t27;
        m13 = m12 ^ m11;
        m14 = t2 & t10;
        m15 = m14 ^ m11;
        m16 = m3 ^ m2;
        m17 = m5 ^ t24;
        m18 = m8 ^ m7;
        m19 = m10 ^ m15;
        m20 = m16 ^ m13;
        m21 = m17 ^ m15;
        m22 = m18 ^ m13;
        m23 = m19 ^ t25;
        m24 = m22 ^ m23;
        m25 = m22 & m20;
        m26 = m21 ^ m25;
        m27 = m20 ^ m21;
        m28 = m23 ^ m25;
        m29 = m28 & m27;
        m30 = m26 & m24;
        m31 = m20 & m23;
        m32 = m27 & m31;
        m33 = m27 ^ m25;
        m34 = m21 & m22;
        m35 = m24 & m34;
        m36 = m24 ^ m25;
        m37 = m21 ^ m29;
        m38 = m32 ^ m33;
        m39 = m23 ^ m30;
        m40 = m35 ^ m36;
        m41 = m38 ^ m40;
        m42 = m37 ^ m39;
        m43 = m37 ^ m38;
        m44 = m39 ^ m40;
        m45 = m42 ^ m41;
        m46 = m44 & t6;
        m47 = m40 & t8;
        m48 = m39 & u7;
        m49 = m43 & t16;
        m50 = m38 & t9;
        m51 = m37 & t17;
        m52 = m42 & t15;
        m53 = m45 & t27;
        m54 = m41 & t10;
        m55 = m44 & t13;
        m56 = m40 & t23;
        m57 = m39 & t19;
        m58 = m43 & t3;
        m59 = m38 & t22;
        m60 = m37 & t20;
        m61 = m42 & t1;
        m62 = m45 & t4;
        m63 = m41 & t2;

        /* bottom linear layer (with the affine constant 0x63 as NOTs) */
        l0 = m61 ^ m62;
        l1 = m50 ^ m56;
        l2 = m46 ^ m48;
        l3 = m47 ^ m55;
        l4 = m54 ^ m58;
        l5 = m49 ^ m61;
        l6 = m62 ^ l5;
        l7 = m46 ^ l3;
        l8 = m51 ^ m59;
        l9 = m52 ^ m53;
        l10 = m53 ^ l4;
        l11 = m60 ^ l2;
        l12 = m48 ^ m51;
        l13 = m50 ^ l0;
        l14 = m52 ^ m61;
        l15 = m55 ^ l1;
        l16 = m56 ^ l0;
        l17 = m57 ^ l1;
        l18 = m58 ^ l8;
        l19 = m63 ^ l4;
        l20 = l0 ^ l1;
        l21 = l1 ^ l7;
        l22 = l3 ^ l12;
        l23 = l18 ^ l2;
        l24 = l15 ^ l9;
        l25 = l6 ^ l10;
        l26 = l7 ^ l9;
        l27 = l8 ^ l10;
        l28 = l11 ^ l14;
        l29 = l11 ^ l17;
        q[7][ln] = l6 ^ l24;
        q[6][ln] = ~(l16 ^ l26);
        q[5][ln] = ~(l19 ^ l28);
        q[4][ln] = l6 ^ l21;
        q[3][ln] = l20 ^ l22;
        q[2][ln] = l25 ^ l29;
        q[1][ln] = ~(l13 ^ l27);
        q[0][ln] = ~(l6 ^ l23);
    }
}

/* Transpose, in every byte position at once, the 8x8 bit matrix whose rows
 * are the words q[0..7] and whose columns are the bit numbers inside a byte:
 * afterwards bit j of byte k of q[i] is what bit i of byte k of q[j] was.
 * Three rounds of "swap-move", each exchanging one bit of the row index with
 * the same bit of the column index; it is its own inverse. */
#define SWAPMOVE(a, b, mask, s)                        \
    do {                                               \
        uint64_t t_ = (((a) >> (s)) ^ (b)) & (mask);   \
        (b) ^= t_;                                     \
        (a) ^= t_ << (s);                              \
    } while (0)

static ALWAYS_INLINE void ortho(state q) {
    const uint64_t m1 = 0x5555555555555555ull, m2 = 0x3333333333333333ull, m4 = 0x0F0F0F0F0F0F0F0Full;
    for (int l = 0; l < LANES; l++) {
        SWAPMOVE(q[0][l], q[1][l], m1, 1);
        SWAPMOVE(q[2][l], q[3][l], m1, 1);
        SWAPMOVE(q[4][l], q[5][l], m1, 1);
        SWAPMOVE(q[6][l], q[7][l], m1, 1);
        SWAPMOVE(q[0][l], q[2][l], m2, 2);
        SWAPMOVE(q[1][l], q[3][l], m2, 2);
        SWAPMOVE(q[4][l], q[6][l], m2, 2);
        SWAPMOVE(q[5][l], q[7][l], m2, 2);
        SWAPMOVE(q[0][l], q[4][l], m4, 4);
        SWAPMOVE(q[1][l], q[5][l], m4, 4);
        SWAPMOVE(q[2][l], q[6][l], m4, 4);
        SWAPMOVE(q[3][l], q[7][l], m4, 4);
    }
}

/* Byte i of the low 32 bits goes to byte 2i. */
static inline uint64_t spread(uint32_t x) {
    uint64_t v = x;
    v = (v | v << 16) & 0x0000FFFF0000FFFFull;
    v = (v | v << 8) & 0x00FF00FF00FF00FFull;
    return v;
}
/* Inverse of spread on the even bytes. */
static inline uint32_t unspread(uint64_t v) {
    v &= 0x00FF00FF00FF00FFull;
    v = (v | v >> 8) & 0x0000FFFF0000FFFFull;
    v = (v | v >> 16);
    return (uint32_t)v;
}

/* 128 bytes (eight blocks; blocks 4l..4l+3 in lane l) -> bitsliced state.
 * Before ortho, word j = 4*c0 + b (c0 = column & 1) carries block b's
 * columns c0 and c0 + 2 interleaved byte by byte, so byte k = 2r +
 * (column >> 1) of word j ends up at position 8k + j = 16r + 4c + b, as the
 * layout wants. */
static ALWAYS_INLINE void load8(state q, const uint8_t *in) {
    for (int l = 0; l < LANES; l++) {
        for (int b = 0; b < 4; b++) {
            const uint8_t *blk = in + 64 * l + 16 * b;
            q[b][l] = spread(tern_load_le32(blk)) | spread(tern_load_le32(blk + 8)) << 8;
            q[4 + b][l] = spread(tern_load_le32(blk + 4)) | spread(tern_load_le32(blk + 12)) << 8;
        }
    }
    ortho(q);
}

static ALWAYS_INLINE void store8(uint8_t *out, state q) {
    ortho(q);
    for (int l = 0; l < LANES; l++) {
        for (int b = 0; b < 4; b++) {
            uint8_t *blk = out + 64 * l + 16 * b;
            tern_store_le32(blk, unspread(q[b][l]));
            tern_store_le32(blk + 8, unspread(q[b][l] >> 8));
            tern_store_le32(blk + 4, unspread(q[4 + b][l]));
            tern_store_le32(blk + 12, unspread(q[4 + b][l] >> 8));
        }
    }
}

/* A round key is the same in every block slot, so its bitsliced form is
 * the same in both lanes: it is stored once (8 words, rk[i] for plane i)
 * and each word is XORed into both lanes.  (Storing it per lane would let
 * this be one element-wise XOR of 16 words, but doubles the key: 1,920
 * instead of 960 bytes for AES-256, in every connection.) */
static ALWAYS_INLINE void add_round_key(state q, const uint64_t *rk) {
    for (int i = 0; i < 8; i++) {
        uint64_t k = rk[i];
        for (int l = 0; l < LANES; l++)
            q[i][l] ^= k;
    }
}

/* Row r (bits 16r..16r+15) rotates right by 4r bits: new column c takes
 * old column c + r (FIPS 197 §5.1.2).  Done as two rotations of pairs of
 * rows: rows 2 and 3 by 8 bits (a byte swap in each field), then rows 1
 * and 3 by 4 bits, so row 3 gets 12 in all. */
static inline uint64_t shift_rows1(uint64_t x) {
    x = (x & 0x00000000FFFFFFFFull) | ((x >> 8) & 0x00FF00FF00000000ull) | ((x << 8) & 0xFF00FF0000000000ull);
    return (x & 0x0000FFFF0000FFFFull) | ((x >> 4) & 0x0FFF00000FFF0000ull) | ((x << 12) & 0xF0000000F0000000ull);
}

static ALWAYS_INLINE void shift_rows(state q) {
    for (int i = 0; i < 8; i++)
        for (int l = 0; l < LANES; l++)
            q[i][l] = shift_rows1(q[i][l]);
}

static inline uint64_t rotr16(uint64_t x) { return x >> 16 | x << 48; }
static inline uint64_t rotr32(uint64_t x) { return x >> 32 | x << 32; }

/* FIPS 197 §5.1.3: s'_r = 2 s_r ^ 3 s_{r+1} ^ s_{r+2} ^ s_{r+3}
 *                       = 2 (s_r ^ s_{r+1}) ^ s_{r+1} ^ (s_{r+2} ^ s_{r+3}).
 * With t = s ^ rotr16(s) (= s_r ^ s_{r+1} in lane r), rotr32(t) is
 * s_{r+2} ^ s_{r+3}.  Doubling (xtime) in bitsliced form moves plane i to
 * i + 1 and folds plane 7 into planes 0, 1, 3, 4 (x^8 = x^4 + x^3 + x + 1). */
static ALWAYS_INLINE void mix_columns(state q) {
    state r, t;
    for (int i = 0; i < 8; i++)
        for (int l = 0; l < LANES; l++) {
            r[i][l] = rotr16(q[i][l]);
            t[i][l] = q[i][l] ^ r[i][l];
        }
    for (int l = 0; l < LANES; l++) {
        q[0][l] = t[7][l] ^ r[0][l] ^ rotr32(t[0][l]);
        q[1][l] = t[0][l] ^ t[7][l] ^ r[1][l] ^ rotr32(t[1][l]);
        q[2][l] = t[1][l] ^ r[2][l] ^ rotr32(t[2][l]);
        q[3][l] = t[2][l] ^ t[7][l] ^ r[3][l] ^ rotr32(t[3][l]);
        q[4][l] = t[3][l] ^ t[7][l] ^ r[4][l] ^ rotr32(t[4][l]);
        q[5][l] = t[4][l] ^ r[5][l] ^ rotr32(t[5][l]);
        q[6][l] = t[5][l] ^ r[6][l] ^ rotr32(t[6][l]);
        q[7][l] = t[6][l] ^ r[7][l] ^ rotr32(t[7][l]);
    }
}

#define RK_WORDS TERN_AES_CT64_RK_WORDS /* words per round key */

static ALWAYS_INLINE void encrypt_bitsliced(const uint64_t *skey, unsigned rounds, state q) {
    add_round_key(q, skey);
    for (unsigned r = 1; r < rounds; r++) {
        sbox(q);
        shift_rows(q);
        mix_columns(q);
        add_round_key(q, skey + RK_WORDS * r);
    }
    sbox(q);
    shift_rows(q);
    add_round_key(q, skey + RK_WORDS * rounds);
}

void tern_aes_ct64_encrypt8(const uint64_t *skey, unsigned rounds, const uint8_t in[128], uint8_t out[128]) {
    state q;
    load8(q, in);
    encrypt_bitsliced(skey, rounds, q);
    store8(out, q);
    tern_wipe(q, sizeof q);
}

/* SubWord (FIPS 197 §5.2) through the bitsliced S-box: the word's four
 * bytes sit in word 0 before ortho, so after ortho they are the bit planes
 * of four S-box inputs; the other 60 lanes compute S(0) and are dropped. */
static uint32_t sub_word(uint32_t x) {
    state q = {{0}};
    q[0][0] = x;
    ortho(q);
    sbox(q);
    ortho(q);
    uint32_t r = (uint32_t)q[0][0];
    tern_wipe(q, sizeof q);
    return r;
}

unsigned tern_aes_expand_key(uint32_t w[60], const uint8_t *key, size_t keylen) {
    unsigned nk;
    if (keylen == 16 || keylen == 24 || keylen == 32)
        nk = (unsigned)keylen / 4;
    else
        return 0;
    unsigned rounds = nk + 6; /* FIPS 197 §5: Nr = 10, 12, 14 */
    /* w[i] as little-endian words: byte 0 of the word is the low byte. */
    unsigned nw = 4 * (rounds + 1);
    for (unsigned i = 0; i < nk; i++)
        w[i] = tern_load_le32(key + 4 * i);
    uint32_t rcon = 1;
    for (unsigned i = nk; i < nw; i++) {
        uint32_t t = w[i - 1];
        if (i % nk == 0) {
            t = sub_word(t >> 8 | t << 24) ^ rcon; /* RotWord, SubWord, Rcon */
            rcon = (rcon << 1) ^ (0x11b & (uint32_t)-(int32_t)(rcon >> 7));
        } else if (nk > 6 && i % nk == 4) {
            t = sub_word(t);
        }
        w[i] = w[i - nk] ^ t;
    }
    return rounds;
}

void tern_aes_ct64_skey_from_words(uint64_t *skey, const uint32_t *w, unsigned rounds) {
    /* Each round key, replicated into the eight block slots, bitsliced;
     * both lanes then hold the same eight words, and lane 0's are kept. */
    uint8_t blocks[128];
    state q;
    for (unsigned r = 0; r <= rounds; r++) {
        for (unsigned b = 0; b < 8; b++)
            for (unsigned j = 0; j < 4; j++)
                tern_store_le32(blocks + 16 * b + 4 * j, w[4 * r + j]);
        load8(q, blocks);
        for (int i = 0; i < 8; i++)
            skey[RK_WORDS * r + i] = q[i][0];
    }
    tern_wipe(q, sizeof q);
    tern_wipe(blocks, sizeof blocks);
}

unsigned tern_aes_ct64_keysched(uint64_t *skey, const uint8_t *key, size_t keylen) {
    if (keylen != 16 && keylen != 32) /* GCM's two key sizes */
        return 0;
    uint32_t w[60];
    unsigned rounds = tern_aes_expand_key(w, key, keylen);
    tern_aes_ct64_skey_from_words(skey, w, rounds);
    tern_wipe(w, sizeof w);
    return rounds;
}

/* ---- the inverse cipher (FIPS 197 §5.3), for CBC decryption ---- */

/* The inverse of the S-box's affine map, with its constant:
 * B(y) = A^-1 (y ^ 0x63) = A^-1 y ^ 0x05, i.e. bit i of the result is
 * y_{i+2} ^ y_{i+5} ^ y_{i+7} (indices mod 8) ^ bit i of 0x05
 * (FIPS 197 §5.3.2).  On bit planes: plane i = planes i+2, i+5, i+7. */
static ALWAYS_INLINE void inv_affine(state q) {
    for (int l = 0; l < LANES; l++) {
        uint64_t y0 = q[0][l], y1 = q[1][l], y2 = q[2][l], y3 = q[3][l], y4 = q[4][l], y5 = q[5][l],
                 y6 = q[6][l], y7 = q[7][l];
        q[0][l] = ~(y2 ^ y5 ^ y7);
        q[1][l] = y3 ^ y6 ^ y0;
        q[2][l] = ~(y4 ^ y7 ^ y1);
        q[3][l] = y5 ^ y0 ^ y2;
        q[4][l] = y6 ^ y1 ^ y3;
        q[5][l] = y7 ^ y2 ^ y4;
        q[6][l] = y0 ^ y3 ^ y5;
        q[7][l] = y1 ^ y4 ^ y6;
    }
}

/* InvSubBytes without a table.  S(x) = A(x^-1) ^ 0x63 with A linear, so
 * x^-1 = B(S(x)) with B as above, and InvS(y) = (B(y))^-1 = B(S(B(y))):
 * the forward circuit between two inverse affine maps. */
static ALWAYS_INLINE void inv_sbox(state q) {
    inv_affine(q);
    sbox(q);
    inv_affine(q);
}

/* InvShiftRows (FIPS 197 §5.3.1): row r rotates left by 4r bits (new
 * column c takes old column c - r); the same two steps as shift_rows1,
 * rows 1 and 3 now by 4 bits the other way. */
static inline uint64_t inv_shift_rows1(uint64_t x) {
    x = (x & 0x00000000FFFFFFFFull) | ((x >> 8) & 0x00FF00FF00000000ull) | ((x << 8) & 0xFF00FF0000000000ull);
    return (x & 0x0000FFFF0000FFFFull) | ((x << 4) & 0xFFF00000FFF00000ull) | ((x >> 12) & 0x000F0000000F0000ull);
}

static ALWAYS_INLINE void inv_shift_rows(state q) {
    for (int i = 0; i < 8; i++)
        for (int l = 0; l < LANES; l++)
            q[i][l] = inv_shift_rows1(q[i][l]);
}

/* InvMixColumns (FIPS 197 §5.3.3) as a preprocessing step before
 * MixColumns: with sigma the row rotation (s_r -> s_{r+1}),
 *   (02 + 03 sigma + sigma^2 + sigma^3)(05 + 04 sigma^2)
 *     = 0e + 0b sigma + 0d sigma^2 + 09 sigma^3,
 * so s'_r = s_r ^ 04 (s_r ^ s_{r+2}) followed by MixColumns.  rotr32 gives
 * s_{r+2}; times 04 is xtime (see mix_columns) twice, written out: plane
 * i of 04 t is t_{i-2}, plus t_6 in planes 0, 1, 3, 4 and t_7 in planes
 * 1, 2, 4, 5. */
static ALWAYS_INLINE void inv_mix_columns(state q) {
    for (int l = 0; l < LANES; l++) {
        uint64_t t[8];
        for (int i = 0; i < 8; i++)
            t[i] = q[i][l] ^ rotr32(q[i][l]);
        q[0][l] ^= t[6];
        q[1][l] ^= t[6] ^ t[7];
        q[2][l] ^= t[0] ^ t[7];
        q[3][l] ^= t[1] ^ t[6];
        q[4][l] ^= t[2] ^ t[6] ^ t[7];
        q[5][l] ^= t[3] ^ t[7];
        q[6][l] ^= t[4];
        q[7][l] ^= t[5];
    }
    mix_columns(q);
}

static ALWAYS_INLINE void decrypt_bitsliced(const uint64_t *skey, unsigned rounds, state q) {
    add_round_key(q, skey + RK_WORDS * rounds);
    for (unsigned r = rounds - 1; r > 0; r--) {
        inv_shift_rows(q);
        inv_sbox(q);
        add_round_key(q, skey + RK_WORDS * r);
        inv_mix_columns(q);
    }
    inv_shift_rows(q);
    inv_sbox(q);
    add_round_key(q, skey);
}

void tern_aes_ct64_decrypt8(const uint64_t *skey, unsigned rounds, const uint8_t in[128], uint8_t out[128]) {
    state q;
    load8(q, in);
    decrypt_bitsliced(skey, rounds, q);
    store8(out, q);
    tern_wipe(q, sizeof q);
}

uint32_t tern_aes_ct64_ctr(const uint64_t *skey, unsigned rounds, const uint8_t nonce[12], uint32_t ctr,
                           const uint8_t *in, uint8_t *out, size_t len) {
    uint8_t ctrblk[128], ks[128];
    state q;
    for (unsigned b = 0; b < 8; b++)
        memcpy(ctrblk + 16 * b, nonce, 12);
    while (len > 0) {
        for (unsigned b = 0; b < 8; b++)
            tern_store_be32(ctrblk + 16 * b + 12, ctr + b);
        load8(q, ctrblk);
        encrypt_bitsliced(skey, rounds, q);
        store8(ks, q);
        if (len >= 128) {
            for (size_t i = 0; i < 128; i += 8) {
                uint64_t a, k;
                memcpy(&a, in + i, 8);
                memcpy(&k, ks + i, 8);
                a ^= k;
                memcpy(out + i, &a, 8);
            }
            ctr += 8;
            in += 128;
            out += 128;
            len -= 128;
        } else {
            for (size_t i = 0; i < len; i++)
                out[i] = in[i] ^ ks[i];
            ctr += (uint32_t)((len + 15) / 16);
            len = 0;
        }
    }
    tern_wipe(ks, sizeof ks);
    tern_wipe(q, sizeof q);
    return ctr;
}
