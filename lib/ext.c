/*
 * Hello extensions: the walk shared by ClientHello and ServerHello, and the
 * signature-scheme table.
 *
 *   struct { ExtensionType extension_type; opaque extension_data<0..2^16-1>; } Extension;
 *   Extension extensions<0..2^16-1>;                         (RFC 5246 §7.4.1.4)
 *
 * "There MUST NOT be more than one extension of the same type" (§7.4.1.4).
 * RFC 5246 leaves the alert for a duplicate open; we send illegal_parameter,
 * as RFC 8446 §4.2 later made explicit.
 */
#include "lib/tls.h"

int tern_ext_walk(tern_conn *c, tern_reader *exts, tern_ext_fn fn) {
    /* Remember the types seen; a hello with more than 64 extensions is not
     * something a real peer sends. */
    uint16_t seen[64];
    size_t nseen = 0;
    while (tern_rd_left(exts) > 0) {
        uint16_t type;
        tern_reader body;
        TERN_TRY(tern_rd_u16(exts, &type));
        TERN_TRY(tern_rd_vec16(exts, &body));
        for (size_t i = 0; i < nseen; i++)
            if (seen[i] == type)
                return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER, "extension %u appears twice in the hello", type);
        if (nseen == TERN_ARRAY_LEN(seen))
            return tern_fail(c, TERN_ERR_DECODE, "more than %zu extensions in the hello", TERN_ARRAY_LEN(seen));
        seen[nseen++] = type;
        TERN_TRY(fn(c, type, &body));
    }
    return 0;
}

/* Our preference: PSS first (RFC 8446 prefers it), then PKCS#1 v1.5 for
 * older peers; SHA-256 before the longer hashes (RSA-2048 gives ~112-bit
 * security, so SHA-256 is not the weak link and is the fastest). */
const uint16_t tern_sigalgs_rsa[6] = {
    TERN_SIG_RSA_PSS_RSAE_SHA256, TERN_SIG_RSA_PKCS1_SHA256, TERN_SIG_RSA_PSS_RSAE_SHA384,
    TERN_SIG_RSA_PKCS1_SHA384,    TERN_SIG_RSA_PSS_RSAE_SHA512, TERN_SIG_RSA_PKCS1_SHA512,
};

int tern_sigalg_info(uint16_t scheme, tern_hash_alg *hash) {
    switch (scheme) {
    case TERN_SIG_RSA_PKCS1_SHA256: *hash = TERN_HASH_SHA256; return 0;
    case TERN_SIG_RSA_PKCS1_SHA384: *hash = TERN_HASH_SHA384; return 0;
    case TERN_SIG_RSA_PKCS1_SHA512: *hash = TERN_HASH_SHA512; return 0;
    case TERN_SIG_RSA_PSS_RSAE_SHA256: *hash = TERN_HASH_SHA256; return 1;
    case TERN_SIG_RSA_PSS_RSAE_SHA384: *hash = TERN_HASH_SHA384; return 1;
    case TERN_SIG_RSA_PSS_RSAE_SHA512: *hash = TERN_HASH_SHA512; return 1;
    default: return -1;
    }
}
