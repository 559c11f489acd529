/*
 * AES-CBC (NIST SP 800-38A §6.2) and the PKCS#7 padding check (RFC 5652
 * §6.3), for encrypted private keys and key stores (see aes_cbc.h).
 *
 *   C_j = E(K, P_j ^ C_{j-1}),   P_j = D(K, C_j) ^ C_{j-1},   C_0 = IV.
 *
 * Encryption is serial; decryption runs eight blocks at a time (the
 * bitsliced AES of crypto/aes.c works on eight, and the AES-NI path keeps
 * eight in flight).  The path is picked per call from tern_cpu():
 *   aesni     crypto/aes_cbc_aesni.c (AES-NI + SSSE3 + SSE4.1, the flags the
 *             *_aesni.c files are compiled with);
 *   portable  crypto/aes.c (bitsliced, constant time).
 * Round keys live on the stack for one call and are wiped before return.
 */
#include "crypto/aes_cbc.h"

#include "crypto/aes_internal.h"
#include "crypto/cpu.h"
#include "crypto/ct.h"

#define NEED_AESNI (TERN_CPU_AESNI | TERN_CPU_SSSE3 | TERN_CPU_SSE41)

const char *tern_aes_cbc_impl_name(void) {
    return tern_cpu_has(NEED_AESNI) ? "aesni" : "portable";
}

/* Public facts only: pointers, lengths. */
static int check_args(const uint8_t *key, size_t keylen, const uint8_t *iv, const uint8_t *in, size_t len,
                      const uint8_t *out) {
    TERN_ENSURE(key != NULL && iv != NULL, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(keylen == 16 || keylen == 24 || keylen == 32, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(len % 16 == 0, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(len == 0 || (in != NULL && out != NULL), TERN_ERR_INVALID_ARG);
    return 0;
}

static void xor16(uint8_t *dst, const uint8_t *a, const uint8_t *b) {
    for (int i = 0; i < 16; i++)
        dst[i] = a[i] ^ b[i];
}

static void portable_encrypt(const uint32_t *w, unsigned rounds, const uint8_t iv[16], const uint8_t *in,
                             size_t len, uint8_t *out) {
    uint64_t skey[TERN_AES_CT64_SKEY_WORDS];
    uint8_t blk[128] = {0}; /* one block in slot 0; the other seven are idle */
    tern_aes_ct64_skey_from_words(skey, w, rounds);
    const uint8_t *prev = iv;
    for (size_t off = 0; off < len; off += 16) {
        xor16(blk, in + off, prev);
        tern_aes_ct64_encrypt8(skey, rounds, blk, blk);
        memcpy(out + off, blk, 16);
        prev = out + off;
    }
    tern_wipe(blk, sizeof blk);
    tern_wipe(skey, sizeof skey);
}

static void portable_decrypt(const uint32_t *w, unsigned rounds, const uint8_t iv[16], const uint8_t *in,
                             size_t len, uint8_t *out) {
    uint64_t skey[TERN_AES_CT64_SKEY_WORDS];
    uint8_t chain[16 + 128]; /* C_{j-1} followed by this batch's ciphertext */
    uint8_t blk[128];
    tern_aes_ct64_skey_from_words(skey, w, rounds);
    memcpy(chain, iv, 16);
    for (size_t off = 0; off < len;) {
        size_t n = len - off < 128 ? len - off : 128;
        /* Keep the ciphertext before out (maybe the same bytes) is written. */
        memcpy(chain + 16, in + off, n);
        memset(blk, 0, sizeof blk);
        memcpy(blk, in + off, n);
        tern_aes_ct64_decrypt8(skey, rounds, blk, blk);
        for (size_t b = 0; b < n; b += 16)
            xor16(out + off + b, blk + b, chain + b);
        memcpy(chain, chain + n, 16); /* the last ciphertext block */
        off += n;
    }
    tern_wipe(blk, sizeof blk);
    tern_wipe(chain, sizeof chain);
    tern_wipe(skey, sizeof skey);
}

static int cbc(const uint8_t *key, size_t keylen, const uint8_t iv[16], const uint8_t *in, size_t len,
               uint8_t *out, int decrypt) {
    TERN_TRY(check_args(key, keylen, iv, in, len, out));
    if (len == 0)
        return 0;
    uint32_t w[60];
    unsigned rounds = tern_aes_expand_key(w, key, keylen);
    TERN_ENSURE(rounds != 0, TERN_ERR_INTERNAL); /* keylen was checked */
    if (tern_cpu_has(NEED_AESNI)) {
        if (decrypt)
            tern_aes_cbc_aesni_decrypt(w, rounds, iv, in, len, out);
        else
            tern_aes_cbc_aesni_encrypt(w, rounds, iv, in, len, out);
    } else if (decrypt) {
        portable_decrypt(w, rounds, iv, in, len, out);
    } else {
        portable_encrypt(w, rounds, iv, in, len, out);
    }
    tern_wipe(w, sizeof w);
    return 0;
}

int tern_aes_cbc_encrypt(const uint8_t *key, size_t keylen, const uint8_t iv[16], const uint8_t *in, size_t len,
                         uint8_t *out) {
    return cbc(key, keylen, iv, in, len, out, 0);
}

int tern_aes_cbc_decrypt(const uint8_t *key, size_t keylen, const uint8_t iv[16], const uint8_t *in, size_t len,
                         uint8_t *out) {
    return cbc(key, keylen, iv, in, len, out, 1);
}

/* RFC 5652 §6.3 with a 16-byte block: the last byte p is 1..16 and the last
 * p bytes all equal p.  All 16 bytes of the last block are read whatever p
 * is; each is compared under a mask "i < p", and the verdict and the length
 * are formed with masks, so neither a branch nor an address depends on the
 * padding.  (The caller branches on the returned status: that a password
 * was wrong is public.) */
int tern_cbc_unpad(const uint8_t *buf, size_t len, size_t *outlen) {
    TERN_ENSURE(buf != NULL && outlen != NULL, TERN_ERR_INVALID_ARG);
    *outlen = 0;
    TERN_ENSURE(len != 0 && len % 16 == 0, TERN_ERR_DECRYPT_FAILED);
    const uint8_t *last = buf + len - 16;
    uint32_t p = last[15];
    uint32_t good = tern_ct_ge_u32(p, 1) & tern_ct_le_u32(p, 16);
    for (uint32_t i = 0; i < 16; i++) {
        uint32_t covered = tern_ct_lt_u32(i, p); /* byte 15 - i is padding */
        good &= ~covered | tern_ct_eq_u32(last[15 - i], p);
    }
    *outlen = (size_t)tern_ct_select_u64(tern_ct_mask_u64(good), (uint64_t)(len - p), 0);
    /* -(0 or 38), without converting a large unsigned value to int. */
    return -(int)tern_ct_select_u32(tern_ct_mask_u32(good), 0, (uint32_t)-TERN_ERR_DECRYPT_FAILED);
}
