/*
 * SHA-1 (FIPS 180-4 §4.1.1 functions, §4.2.1 constants, §5.1.1 padding,
 * §6.1 computation), portable C only.  SHA-1 is used here solely to derive
 * keys from and check MACs of files (PKCS#12, PBKDF2-HMAC-SHA-1), a few
 * thousand blocks per file load, so no SHA-NI or SIMD path is worth its
 * code: x86's SHA-NI has SHA-1 instructions, but nothing here is hot.
 *
 * Only additions, rotations and bitwise operations on the data, no branch
 * or table index depends on it: constant time by construction (passwords
 * pass through it as HMAC keys).
 */
#include "crypto/sha1.h"

#include "crypto/ct.h"
#include "crypto/md64.h"

#define ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void sha1_blocks(uint32_t st[5], const uint8_t *p, size_t nblocks) {
    uint32_t w[16];
    while (nblocks--) {
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3], e = st[4];
        for (int i = 0; i < 16; i++)
            w[i] = tern_load_be32(p + 4 * i);
        for (int t = 0; t < 80; t++) {
            /* §6.1.2 step 1, in a 16-word window: W[t] for t >= 16. */
            if (t >= 16) {
                uint32_t x = w[(t + 13) & 15] ^ w[(t + 8) & 15] ^ w[(t + 2) & 15] ^ w[t & 15];
                w[t & 15] = ROL32(x, 1);
            }
            uint32_t f, k;
            /* §4.1.1 and §4.2.1: the function and constant change every 20
             * rounds (t is public, so these branches are on the round only). */
            if (t < 20) {
                f = d ^ (b & (c ^ d)); /* Ch */
                k = 0x5a827999;
            } else if (t < 40) {
                f = b ^ c ^ d; /* Parity */
                k = 0x6ed9eba1;
            } else if (t < 60) {
                f = (b & c) | (d & (b | c)); /* Maj */
                k = 0x8f1bbcdc;
            } else {
                f = b ^ c ^ d;
                k = 0xca62c1d6;
            }
            uint32_t tmp = ROL32(a, 5) + f + e + k + w[t & 15];
            e = d;
            d = c;
            c = ROL32(b, 30);
            b = a;
            a = tmp;
        }
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        st[4] += e;
        p += TERN_SHA1_BLOCK;
    }
    tern_wipe(w, sizeof w);
}

void tern_sha1_init(tern_sha1_ctx *ctx) {
    /* §5.3.1. */
    ctx->h[0] = 0x67452301;
    ctx->h[1] = 0xefcdab89;
    ctx->h[2] = 0x98badcfe;
    ctx->h[3] = 0x10325476;
    ctx->h[4] = 0xc3d2e1f0;
    ctx->total = 0;
    ctx->buflen = 0;
}

void tern_sha1_update(tern_sha1_ctx *ctx, const void *data, size_t len) {
    tern_md64_update(ctx->h, ctx->buf, &ctx->buflen, &ctx->total, data, len, sha1_blocks);
}

void tern_sha1_final(tern_sha1_ctx *ctx, uint8_t out[TERN_SHA1_LEN]) {
    tern_md64_pad(ctx->h, ctx->buf, ctx->buflen, ctx->total, 1, sha1_blocks); /* FIPS 180-4 §5.1.1 */
    for (int i = 0; i < 5; i++)
        tern_store_be32(out + 4 * i, ctx->h[i]);
    tern_wipe(ctx, sizeof *ctx);
}

void tern_sha1(uint8_t out[TERN_SHA1_LEN], const void *data, size_t len) {
    tern_sha1_ctx ctx;
    tern_sha1_init(&ctx);
    tern_sha1_update(&ctx, data, len);
    tern_sha1_final(&ctx, out);
}
