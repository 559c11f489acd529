/*
 * Poly1305 one-time authenticator (RFC 8439 §2.5).
 *
 * Arithmetic mod p = 2^130 - 5 in radix 2^44: the accumulator h and the
 * clamped key r are three limbs of 44, 44 and 42 bits, so every product of
 * two limbs fits 88 bits and a sum of three such products (times the folding
 * constant 20, below) stays under 2^95, inside one 128-bit accumulator.
 *
 * Folding: a product term of weight 2^132 = 2^130 * 4 is congruent to
 * 4 * 5 = 20 at weight 2^0, since 2^130 = 5 (mod p); likewise weight 2^176
 * folds to 20 at weight 2^44.  So the terms h1*r2 and h2*r1 use s2 = 20*r2
 * and s1 = 20*r1.
 *
 * Constant time: no branch or index on the key, message or tag; the final
 * "subtract p if h >= p" is a mask select.  Runs of 16 or more full blocks
 * go to the AVX2 eight-lane code (crypto/poly1305_avx2.c) when the CPU has
 * it; this file is the portable reference and the tail.
 */
#include "crypto/chacha20poly1305.h"

#include "crypto/cpu.h"
#include "crypto/ct.h"

__extension__ typedef unsigned __int128 u128;

#define M44 ((uint64_t)0xfffffffffff)
#define M42 ((uint64_t)0x3ffffffffff)

void tern_poly1305_init(tern_poly1305_ctx *ctx, const uint8_t key[TERN_POLY1305_KEY_LEN]) {
    uint64_t t0 = tern_load_le64(key), t1 = tern_load_le64(key + 8);
    /* RFC 8439 §2.5: clamp r by clearing the top 4 bits of bytes 3, 7, 11,
     * 15 and the bottom 2 bits of bytes 4, 8, 12; the masks below are that
     * clamp cut into the three limbs. */
    ctx->r[0] = t0 & 0xffc0fffffffull;
    ctx->r[1] = ((t0 >> 44) | (t1 << 20)) & 0xfffffc0ffffull;
    ctx->r[2] = (t1 >> 24) & 0x00ffffffc0full;
    ctx->h[0] = ctx->h[1] = ctx->h[2] = 0;
    ctx->pad[0] = tern_load_le64(key + 16);
    ctx->pad[1] = tern_load_le64(key + 24);
    ctx->buflen = 0;
}

/* Absorb nblocks 16-byte blocks; hibit is 2^128 in limb-2 terms (1 << 40)
 * for full blocks and 0 for the padded final block, which carries its own
 * 0x01 byte. */
static void poly1305_blocks(tern_poly1305_ctx *ctx, const uint8_t *m, size_t nblocks, uint64_t hibit) {
    const uint64_t r0 = ctx->r[0], r1 = ctx->r[1], r2 = ctx->r[2];
    const uint64_t s1 = r1 * 20, s2 = r2 * 20;
    uint64_t h0 = ctx->h[0], h1 = ctx->h[1], h2 = ctx->h[2];
    while (nblocks--) {
        uint64_t t0 = tern_load_le64(m), t1 = tern_load_le64(m + 8);
        h0 += t0 & M44;
        h1 += ((t0 >> 44) | (t1 << 20)) & M44;
        h2 += ((t1 >> 24) & M42) | hibit;

        u128 d0 = (u128)h0 * r0 + (u128)h1 * s2 + (u128)h2 * s1;
        u128 d1 = (u128)h0 * r1 + (u128)h1 * r0 + (u128)h2 * s2;
        u128 d2 = (u128)h0 * r2 + (u128)h1 * r1 + (u128)h2 * r0;

        /* Partial carry: leaves h0, h1 under 2^44 + small and h2 under
         * 2^42 + small, enough headroom for the next block. */
        uint64_t c = (uint64_t)(d0 >> 44);
        h0 = (uint64_t)d0 & M44;
        d1 += c;
        c = (uint64_t)(d1 >> 44);
        h1 = (uint64_t)d1 & M44;
        d2 += c;
        c = (uint64_t)(d2 >> 42);
        h2 = (uint64_t)d2 & M42;
        h0 += c * 5; /* bits above 2^130 fold back times 5 */
        c = h0 >> 44;
        h0 &= M44;
        h1 += c;
        m += 16;
    }
    ctx->h[0] = h0;
    ctx->h[1] = h1;
    ctx->h[2] = h2;
}

void tern_poly1305_update(tern_poly1305_ctx *ctx, const uint8_t *data, size_t len) {
    if (ctx->buflen > 0) {
        size_t take = 16 - ctx->buflen;
        if (take > len)
            take = len;
        memcpy(ctx->buf + ctx->buflen, data, take);
        ctx->buflen += take;
        data += take;
        len -= take;
        if (ctx->buflen < 16)
            return;
        poly1305_blocks(ctx, ctx->buf, 1, (uint64_t)1 << 40);
        ctx->buflen = 0;
    }
    if (len >= 16) {
        size_t n = len / 16;
        /* Long runs of full blocks go eight lanes wide with AVX2 (the
         * power setup costs a few block times, so only from 16 blocks);
         * the split depends on the length only. */
        if (n >= 16 && tern_cpu_has(TERN_CPU_AVX2)) {
            size_t v = n & ~(size_t)7;
            tern_poly1305_blocks_avx2(ctx->h, ctx->r, data, v);
            data += v * 16;
            len -= v * 16;
            n -= v;
        }
        poly1305_blocks(ctx, data, n, (uint64_t)1 << 40);
        data += n * 16;
        len -= n * 16;
    }
    if (len > 0) {
        memcpy(ctx->buf, data, len);
        ctx->buflen = len;
    }
}

void tern_poly1305_final(tern_poly1305_ctx *ctx, uint8_t tag[TERN_POLY1305_TAG_LEN]) {
    if (ctx->buflen > 0) {
        /* RFC 8439 §2.5.1: a short last block gets a 1 byte appended and is
         * zero-padded; no 2^128 bit. */
        ctx->buf[ctx->buflen] = 1;
        memset(ctx->buf + ctx->buflen + 1, 0, 16 - ctx->buflen - 1);
        poly1305_blocks(ctx, ctx->buf, 1, 0);
    }
    uint64_t h0 = ctx->h[0], h1 = ctx->h[1], h2 = ctx->h[2], c;
    /* Two full carry passes bring h under 2^130 with every limb in range. */
    for (int i = 0; i < 2; i++) {
        c = h1 >> 44;
        h1 &= M44;
        h2 += c;
        c = h2 >> 42;
        h2 &= M42;
        h0 += c * 5;
        c = h0 >> 44;
        h0 &= M44;
        h1 += c;
    }
    c = h1 >> 44;
    h1 &= M44;
    h2 += c;
    /* g = h + 5 - 2^130; if that does not borrow, h >= p and g = h - p is
     * the reduced value.  The borrow shows as the top bit of g2. */
    uint64_t g0 = h0 + 5;
    c = g0 >> 44;
    g0 &= M44;
    uint64_t g1 = h1 + c;
    c = g1 >> 44;
    g1 &= M44;
    uint64_t g2 = h2 + c - ((uint64_t)1 << 42);
    uint64_t use_g = tern_ct_mask_u64(1 ^ (g2 >> 63)); /* all-ones if no borrow */
    h0 = tern_ct_select_u64(use_g, g0, h0);
    h1 = tern_ct_select_u64(use_g, g1, h1);
    h2 = tern_ct_select_u64(use_g, g2 & M42, h2);

    /* tag = (h + s) mod 2^128. */
    uint64_t lo = h0 | (h1 << 44);
    uint64_t hi = (h1 >> 20) | (h2 << 24);
    u128 t = (u128)lo + ctx->pad[0];
    lo = (uint64_t)t;
    hi = hi + ctx->pad[1] + (uint64_t)(t >> 64);
    tern_store_le64(tag, lo);
    tern_store_le64(tag + 8, hi);
    tern_wipe(ctx, sizeof *ctx);
}

void tern_poly1305(uint8_t tag[TERN_POLY1305_TAG_LEN], const uint8_t key[TERN_POLY1305_KEY_LEN], const uint8_t *msg,
                   size_t len) {
    tern_poly1305_ctx ctx;
    tern_poly1305_init(&ctx, key);
    tern_poly1305_update(&ctx, msg, len);
    tern_poly1305_final(&ctx, tag);
}
