/*
 * The buffering and padding shared by the two 64-byte-block hashes kept
 * for key files, MD5 (crypto/md5.c) and SHA-1 (crypto/sha1.c): data is
 * gathered into whole blocks for the block function, and the end is
 * padded with 0x80, zeros to 56 mod 64, and the message length in bits as
 * 64 bits: little-endian for MD5 (RFC 1321 §3.1-§3.2), big-endian for
 * SHA-1 (FIPS 180-4 §5.1.1).  (SHA-256 keeps its own, with its CPU paths.)
 */
#ifndef TERN_CRYPTO_MD64_H
#define TERN_CRYPTO_MD64_H

#include <string.h>

#include "crypto/common.h"

#define TERN_MD64_BLOCK 64

/* A block function: absorb nblocks whole 64-byte blocks at p into h. */
typedef void (*tern_md64_blocks_fn)(uint32_t *h, const uint8_t *p, size_t nblocks);

/* Absorb len bytes at data (NULL only with len 0). */
static inline void tern_md64_update(uint32_t *h, uint8_t buf[TERN_MD64_BLOCK], size_t *buflen, uint64_t *total,
                                    const void *data, size_t len, tern_md64_blocks_fn blocks) {
    const uint8_t *p = data;
    if (len == 0)
        return;
    *total += len;
    if (*buflen) {
        size_t take = TERN_MD64_BLOCK - *buflen;
        if (take > len)
            take = len;
        memcpy(buf + *buflen, p, take);
        *buflen += take;
        p += take;
        len -= take;
        if (*buflen < TERN_MD64_BLOCK)
            return;
        blocks(h, buf, 1);
        *buflen = 0;
    }
    if (len >= TERN_MD64_BLOCK) {
        size_t n = len / TERN_MD64_BLOCK;
        blocks(h, p, n);
        p += n * TERN_MD64_BLOCK;
        len -= n * TERN_MD64_BLOCK;
    }
    if (len) {
        memcpy(buf, p, len);
        *buflen = len;
    }
}

/* Pad and absorb the last block(s); h then holds the digest's words. */
static inline void tern_md64_pad(uint32_t *h, uint8_t buf[TERN_MD64_BLOCK], size_t buflen, uint64_t total,
                                 int big_endian, tern_md64_blocks_fn blocks) {
    size_t n = buflen;
    uint64_t bits = total << 3;
    buf[n++] = 0x80;
    if (n > TERN_MD64_BLOCK - 8) {
        memset(buf + n, 0, TERN_MD64_BLOCK - n);
        blocks(h, buf, 1);
        n = 0;
    }
    memset(buf + n, 0, TERN_MD64_BLOCK - 8 - n);
    for (int i = 0; i < 8; i++) /* the length, in the hash's byte order */
        buf[TERN_MD64_BLOCK - 8 + i] = (uint8_t)(bits >> (big_endian ? 56 - 8 * i : 8 * i));
    blocks(h, buf, 1);
}

#endif
