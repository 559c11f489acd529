/*
 * ChaCha20 stream cipher (RFC 8439 §2.1-§2.4), portable C, plus the run-time
 * choice of the AVX2 eight-block path (crypto/chacha20_avx2.c).
 *
 * Constant time by construction: the block function is 32-bit additions,
 * xors and fixed rotations; no table, no branch on key or data.  Loop
 * bounds depend only on the (public) length.
 */
#include "crypto/chacha20poly1305.h"

#include "crypto/cpu.h"
#include "crypto/ct.h"

static inline uint32_t rotl32(uint32_t x, unsigned n) {
    return (x << n) | (x >> (32 - n));
}

/* RFC 8439 §2.1: the quarter round on four state words. */
#define QR(a, b, c, d)           \
    do {                         \
        a += b;                  \
        d = rotl32(d ^ a, 16);   \
        c += d;                  \
        b = rotl32(b ^ c, 12);   \
        a += b;                  \
        d = rotl32(d ^ a, 8);    \
        c += d;                  \
        b = rotl32(b ^ c, 7);    \
    } while (0)

/* RFC 8439 §2.3: the initial state is "expand 32-byte k", the key, the
 * block counter and the nonce, as little-endian words. */
static void chacha20_setup(uint32_t st[16], const uint8_t key[32], uint32_t counter, const uint8_t nonce[12]) {
    st[0] = 0x61707865u;
    st[1] = 0x3320646eu;
    st[2] = 0x79622d32u;
    st[3] = 0x6b206574u;
    for (int i = 0; i < 8; i++)
        st[4 + i] = tern_load_le32(key + 4 * i);
    st[12] = counter;
    st[13] = tern_load_le32(nonce);
    st[14] = tern_load_le32(nonce + 4);
    st[15] = tern_load_le32(nonce + 8);
}

/* RFC 8439 §2.3: 20 rounds (10 column + diagonal double rounds), then the
 * input state is added back word by word. */
static void chacha20_block(const uint32_t in[16], uint8_t out[64]) {
    uint32_t x[16];
    memcpy(x, in, sizeof x);
    for (int i = 0; i < 10; i++) {
        QR(x[0], x[4], x[8], x[12]);
        QR(x[1], x[5], x[9], x[13]);
        QR(x[2], x[6], x[10], x[14]);
        QR(x[3], x[7], x[11], x[15]);
        QR(x[0], x[5], x[10], x[15]);
        QR(x[1], x[6], x[11], x[12]);
        QR(x[2], x[7], x[8], x[13]);
        QR(x[3], x[4], x[9], x[14]);
    }
    for (int i = 0; i < 16; i++)
        tern_store_le32(out + 4 * i, x[i] + in[i]);
    tern_wipe(x, sizeof x);
}

/* XOR the key stream from state st (counter advanced per block) into out. */
static void chacha20_xor_state(uint32_t st[16], const uint8_t *in, uint8_t *out, size_t len) {
    uint8_t ks[64];
    while (len >= 64) {
        chacha20_block(st, ks);
        for (int i = 0; i < 64; i++)
            out[i] = (uint8_t)(in[i] ^ ks[i]);
        st[12]++;
        in += 64;
        out += 64;
        len -= 64;
    }
    if (len > 0) {
        chacha20_block(st, ks);
        for (size_t i = 0; i < len; i++)
            out[i] = (uint8_t)(in[i] ^ ks[i]);
        st[12]++;
    }
    tern_wipe(ks, sizeof ks);
}

void tern_chacha20_xor_portable(const uint8_t key[TERN_CHACHA20_KEY_LEN], uint32_t counter,
                                const uint8_t nonce[TERN_CHACHA20_NONCE_LEN], const uint8_t *in, uint8_t *out,
                                size_t len) {
    uint32_t st[16];
    chacha20_setup(st, key, counter, nonce);
    chacha20_xor_state(st, in, out, len);
    tern_wipe(st, sizeof st);
}

static int use_avx2(void) {
    return tern_cpu_has(TERN_CPU_AVX2);
}

const char *tern_chacha20_impl_name(void) {
    return use_avx2() ? "avx2" : "portable";
}

void tern_chacha20_xor(const uint8_t key[TERN_CHACHA20_KEY_LEN], uint32_t counter,
                       const uint8_t nonce[TERN_CHACHA20_NONCE_LEN], const uint8_t *in, uint8_t *out, size_t len) {
    uint32_t st[16];
    chacha20_setup(st, key, counter, nonce);
    /* The eight-block path pays off from 512 bytes on; the tail (and short
     * TLS records) take the one-block path.  The split depends on len only. */
    if (len >= 512 && use_avx2()) {
        size_t n8 = len / 512;
        tern_chacha20_blocks8_avx2(st, in, out, n8);
        st[12] += (uint32_t)(n8 * 8);
        in += n8 * 512;
        out += n8 * 512;
        len -= n8 * 512;
    }
    chacha20_xor_state(st, in, out, len);
    tern_wipe(st, sizeof st);
}
