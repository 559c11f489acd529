/*
 * Hello extensions: the ServerHello walk and the ClientHello duplicate check.
 *
 *   struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
 *   Extension extensions<0..2^16-1>;                         (RFC 5246 §7.4.1.4)
 *
 * "There MUST NOT be more than one extension of the same type" (§7.4.1.4).
 * RFC 5246 leaves the alert for a duplicate open; we send illegal_parameter,
 * as RFC 8446 §4.2 later made explicit.
 *
 * How duplicates are found, for any number of extensions (a ClientHello's
 * 2^16-1-byte block holds up to 16,383 empty ones, and every count is
 * legal) in memory that does not grow with them:
 *   - ClientHello: exactly, over the whole 16-bit type space, with one bit
 *     per type: an 8 KB bitmap (TERN_EXT_BITMAP), O(1) per extension.  A
 *     server needs it only while the ClientHello arrives, so it does not
 *     add to the connection: it borrows the 8 KB of the input buffer next
 *     to the handshake state until the hello is parsed (lib/hs.c).  A
 *     sorted list or a hash set of the types seen would grow with the
 *     count; a Bloom-style filter would be smaller but could only say
 *     "maybe seen", and the extensions it would need to re-check exactly
 *     are gone by then (the hello is parsed as a stream, not kept).
 *   - ServerHello: a server may only answer extensions we offered (a
 *     handful of known types); the walk's callback refuses every other
 *     type with unsupported_extension, so one bit per known type is exact.
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include "lib/hs.h"

/* Bit numbers of the types tern knows (for the ServerHello walk). */
static int known_bit(uint16_t type) {
    switch (type) {
    case TERN_EXT_SERVER_NAME: return 0;
    case TERN_EXT_SUPPORTED_GROUPS: return 1;
    case TERN_EXT_EC_POINT_FORMATS: return 2;
    case TERN_EXT_SIGNATURE_ALGORITHMS: return 3;
    case TERN_EXT_ALPN: return 4;
    case TERN_EXT_EXTENDED_MASTER_SECRET: return 5;
    case TERN_EXT_SESSION_TICKET: return 6;
    case TERN_EXT_RENEGOTIATION_INFO: return 7;
    case TERN_EXT_STATUS_REQUEST: return 8;
    default: return -1;
    }
}

int tern_ext_walk(tern_conn *c, tern_reader *exts, tern_ext_fn fn) {
    unsigned seen = 0;
    while (tern_rd_left(exts) > 0) {
        uint16_t type;
        tern_reader body;
        TERN_TRY(tern_rd_u16(exts, &type));
        TERN_TRY(tern_rd_vec16(exts, &body));
        int bit = known_bit(type);
        if (bit >= 0) {
            if (seen & (1u << bit))
                return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "extension %u appears twice in the hello", type);
            seen |= 1u << bit;
        }
        TERN_TRY(fn(c, type, &body)); /* refuses unknown types */
    }
    return 0;
}

int tern_ext_seen(uint8_t *map, uint16_t type) {
    uint8_t bit = (uint8_t)(1u << (type & 7));
    if (map[type >> 3] & bit)
        return 1;
    map[type >> 3] |= bit;
    return 0;
}
