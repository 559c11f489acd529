/*
 * Internal definitions shared by every tern source file: the must-check
 * attribute, the three control-flow macros, big/little-endian load/store,
 * and the hidden-visibility marker for internal symbols.  Nothing here is
 * part of the public API.
 */
#ifndef TERN_CRYPTO_COMMON_H
#define TERN_CRYPTO_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tern/error.h"

/* The random-number callback the primitives take (the same type as in
 * include/tern/tern.h, which crypto/ does not include; C11 allows the
 * identical typedef twice, and a mismatch would not compile in lib/). */
typedef int (*tern_rng_fn)(void *arg, uint8_t *buf, size_t len);

/* An internal fallible function: ignoring its status is a compile error
 * under -Werror. */
#define TERN_MUST_CHECK __attribute__((warn_unused_result))

/* The three control-flow macros (docs/CONVENTIONS.md §4).  They are the only
 * macros that hide a return; use them to keep the happy path straight.
 *   TERN_TRY(call)         evaluate call; if it is negative, return it.
 *   TERN_ENSURE(cond, err) if cond is false, return err.
 *   TERN_FAIL(err)         return err. */
#define TERN_TRY(call)                     \
    do {                                   \
        int tern_try_rc_ = (call);         \
        if (tern_try_rc_ < 0)              \
            return tern_try_rc_;           \
    } while (0)
#define TERN_ENSURE(cond, err)             \
    do {                                   \
        if (!(cond))                       \
            return (err);                  \
    } while (0)
#define TERN_FAIL(err) return (err)

#define TERN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Big-endian and little-endian loads and stores.  Written byte by byte; the
 * compiler turns them into single (byte-swapping) moves. */
static inline uint16_t tern_load_be16(const uint8_t *p) {
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}
static inline uint32_t tern_load_be24(const uint8_t *p) {
    return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline uint32_t tern_load_be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline uint64_t tern_load_be64(const uint8_t *p) {
    return (uint64_t)tern_load_be32(p) << 32 | tern_load_be32(p + 4);
}
static inline uint32_t tern_load_le32(const uint8_t *p) {
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}
static inline uint64_t tern_load_le64(const uint8_t *p) {
    return (uint64_t)tern_load_le32(p + 4) << 32 | tern_load_le32(p);
}
static inline void tern_store_be16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static inline void tern_store_be24(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}
static inline void tern_store_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}
static inline void tern_store_be64(uint8_t *p, uint64_t v) {
    tern_store_be32(p, (uint32_t)(v >> 32));
    tern_store_be32(p + 4, (uint32_t)v);
}
static inline void tern_store_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}
static inline void tern_store_le64(uint8_t *p, uint64_t v) {
    tern_store_le32(p, (uint32_t)v);
    tern_store_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
