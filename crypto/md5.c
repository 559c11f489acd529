/*
 * MD5 (RFC 1321 §3.1-§3.5), portable C only.  MD5 is here solely for
 * OpenSSL's legacy PEM encryption ("Proc-Type: 4,ENCRYPTED", DEK-Info),
 * whose key is EVP_BytesToKey with MD5 (crypto/pbkdf.c): one or two blocks
 * per key file, so no CPU-specific path.  Never used for a signature.
 *
 * Only additions, rotations and bitwise operations on the data: constant
 * time by construction (the password passes through it).
 */
#include "crypto/sha1.h"

#include "crypto/ct.h"
#include "crypto/md64.h"

/* §3.4: T[i] = floor(2^32 * abs(sin(i + 1))). */
static const uint32_t T[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

/* §3.4: the per-round left rotations, four per round. */
static const unsigned S[4][4] = {{7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

#define ROL32(x, n) (((x) << (n)) | ((x) >> (32 - (n))))

static void md5_blocks(uint32_t st[4], const uint8_t *p, size_t nblocks) {
    uint32_t x[16];
    while (nblocks--) {
        uint32_t a = st[0], b = st[1], c = st[2], d = st[3];
        /* §3.4: the block as sixteen little-endian words. */
        for (int i = 0; i < 16; i++)
            x[i] = tern_load_le32(p + 4 * i);
        for (unsigned i = 0; i < 64; i++) {
            uint32_t f;
            unsigned k, r = i / 16;
            /* The round function and message word order change every 16
             * steps; i is public, so only the step number is branched on. */
            if (r == 0) {
                f = d ^ (b & (c ^ d)); /* F */
                k = i;
            } else if (r == 1) {
                f = c ^ (d & (b ^ c)); /* G */
                k = (5 * i + 1) & 15;
            } else if (r == 2) {
                f = b ^ c ^ d; /* H */
                k = (3 * i + 5) & 15;
            } else {
                f = c ^ (b | ~d); /* I */
                k = (7 * i) & 15;
            }
            uint32_t t = a + f + T[i] + x[k];
            a = d;
            d = c;
            c = b;
            b += ROL32(t, S[r][i & 3]);
        }
        st[0] += a;
        st[1] += b;
        st[2] += c;
        st[3] += d;
        p += TERN_MD5_BLOCK;
    }
    tern_wipe(x, sizeof x);
}

void tern_md5_init(tern_md5_ctx *ctx) {
    /* §3.3. */
    ctx->h[0] = 0x67452301;
    ctx->h[1] = 0xefcdab89;
    ctx->h[2] = 0x98badcfe;
    ctx->h[3] = 0x10325476;
    ctx->total = 0;
    ctx->buflen = 0;
}

void tern_md5_update(tern_md5_ctx *ctx, const void *data, size_t len) {
    tern_md64_update(ctx->h, ctx->buf, &ctx->buflen, &ctx->total, data, len, md5_blocks);
}

void tern_md5_final(tern_md5_ctx *ctx, uint8_t out[TERN_MD5_LEN]) {
    tern_md64_pad(ctx->h, ctx->buf, ctx->buflen, ctx->total, 0, md5_blocks); /* RFC 1321 §3.1-§3.2 */
    /* §3.5: the state words, low-order byte first. */
    for (int i = 0; i < 4; i++)
        tern_store_le32(out + 4 * i, ctx->h[i]);
    tern_wipe(ctx, sizeof *ctx);
}

void tern_md5(uint8_t out[TERN_MD5_LEN], const void *data, size_t len) {
    tern_md5_ctx ctx;
    tern_md5_init(&ctx);
    tern_md5_update(&ctx, data, len);
    tern_md5_final(&ctx, out);
}
