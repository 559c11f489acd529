/*
 * The state that lives only during a handshake (tern_hs_state): the
 * randoms, the transcript hashes, the key exchange values, what each side
 * offered, the peer's key, and the server's streaming ClientHello parser
 * (tern_ch_stream).  It sits in the tail of the connection's input buffer
 * (lib/conn.c carves it) and is wiped when the handshake ends.
 */
#ifndef TERN_LIB_HS_STATE_H
#define TERN_LIB_HS_STATE_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_CONN
#error "lib/hs_state.h is in the connection state layer (3): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "crypto/rsa.h"
#include "crypto/sha2.h"
#include "lib/session.h"
#include "lib/wire.h"
#include "lib/x509/x509.h"

/* The transcript hashes kept (tern_hs_state.th_live). */
enum { TERN_TH_SHA256 = 1, TERN_TH_SHA384 = 2, TERN_TH_SHA512 = 4, TERN_TH_ALL = 7 };
/* The TERN_TH_* bit of a transcript hash. */
static inline unsigned tern_th_bit(tern_hash_alg alg) {
    return alg == TERN_HASH_SHA256 ? TERN_TH_SHA256 : alg == TERN_HASH_SHA384 ? TERN_TH_SHA384 : TERN_TH_SHA512;
}

/* Server: the ClientHello parsed as a stream (lib/hs_client_hello.c).  A
 * hello of up to hs_max bytes is gathered whole and fed in one go; a larger
 * one (up to TERN_CH_MAX, the most a well-formed ClientHello can be) is fed
 * as its records arrive, straight into this state machine, and is never
 * kept: only what tern can use is (the suites of its configuration, the
 * groups and schemes it knows, SNI, the ALPN choice, the session ID or a
 * ticket of at most TERN_TICKET_MAX bytes, the EMS / renegotiation flags).
 * Positions are body offsets; each open vector has its end. */
typedef struct {
    uint8_t state;           /* the item being gathered (lib/hs_client_hello.c) */
    uint8_t streamed;        /* fed piece by piece (already in the transcript) */
    uint8_t feeding;         /* lib/hs.c is feeding it (body bytes still to come) */
    uint8_t null_comp;       /* the null compression method was offered */
    uint8_t uncompressed;    /* ec_point_formats lists uncompressed */
    uint8_t alpn_match;      /* an offered ALPN name is one of ours */
    uint8_t sid_len;
    uint16_t version;        /* client_version */
    uint16_t ext_type;       /* the extension whose body is being read */
    uint16_t offered;        /* bit i: cfg->suites[i] was offered */
    uint16_t alpn_best;      /* offset of the best ALPN match in cfg->alpn */
    uint8_t skip_then;       /* the state after a skip */
    uint32_t pos, end;       /* body bytes consumed; the body's length */
    uint32_t suites_end, comp_end, exts_end, ext_end, list_end, skip_end;
    uint32_t need, have;     /* the current item: its length, bytes gathered */
    uint8_t sid[32];
} tern_ch_stream;
/* The largest well-formed ClientHello body (RFC 5246 §7.4.1.2): version 2,
 * random 32, session_id 1 + 32, cipher_suites 2 + 65534, compression 1 +
 * 255, extensions 2 + 65535.  A longer one cannot parse: decode_error. */
#define TERN_CH_MAX (2u + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)
/* While a server waits for and reads the ClientHello, the 8 KB before the
 * handshake state in the input buffer hold a bitmap of the extension types
 * seen (lib/ext.c): the input buffer is that much shorter until then. */
#define TERN_EXT_BITMAP (65536 / 8)

/* State that lives only during the handshake; wiped at its end. */
typedef struct {
    uint8_t client_random[TERN_RANDOM_LEN];
    uint8_t server_random[TERN_RANDOM_LEN];
    /* The transcript under each hash still needed (lib/hs.c,
     * tern_hs_transcript): bit TERN_TH_* of th_live set while kept. */
    tern_hash_ctx th256;
    tern_hash_ctx th384;
    tern_hash_ctx th512;
    unsigned th_live;
    int cv_done;          /* CertificateVerify written / checked */
    uint8_t kx_priv[TERN_KX_MAX_PRIV];  /* x25519 or P-256 scalar: 32 bytes; P-384: 48 */
    uint8_t kx_pub[TERN_KX_MAX_PUB];    /* x25519: 32 bytes; P-256 / P-384: 04 || X || Y (65 / 97) */
    uint8_t peer_kx_pub[TERN_KX_MAX_PUB];
    uint16_t group;                     /* the ECDHE group in use (lib/kx.c) */
    int peer_offered_p256;              /* server: secp256r1 in supported_groups */
    int peer_offered_p384;              /* server: secp384r1 in supported_groups */
    uint8_t pms[48];
    size_t pms_len;
    uint8_t key_block[2 * 32 + 2 * 12]; /* ChaCha20-Poly1305: 12-byte IVs (RFC 7905 §2) */
    int keys_ready;
    /* what the client offered (server side) / what we offered (client side) */
    uint16_t peer_sigalgs[TERN_MAX_SIGALGS];
    size_t npeer_sigalgs;
    int peer_offered_ems;
    int peer_offered_x25519;
    int peer_offered_reneg;
    int offered_alpn;
    int offered_sni;
    int saw_groups, saw_point_formats, saw_sigalgs;
    /* client side: the server's leaf key (RSA: the ECDHE_RSA suites), from
     * its Certificate, for the ServerKeyExchange signature */
    tern_rsa_public peer_rsa;
    int have_peer_key;
    /* ... or its EC key (ECDHE_ECDSA suites, lib/sig.c): type, curve, point */
    tern_x509_key_type peer_key_type;
    int peer_curve;
    uint8_t peer_ec[TERN_X509_EC_MAX_POINT];
    /* client certificates (lib/hs_certificate_request.c,
     * lib/hs_client_certificate.c, lib/hs_certificate_verify.c) */
    int cert_requested;     /* a CertificateRequest was sent / received */
    int client_cert_sent;   /* the client's Certificate is not empty */
    int client_may_send;    /* client: our key store fits the request */
    uint16_t cv_scheme;     /* client: the CertificateVerify scheme chosen */
    uint16_t client_version; /* server: ClientHello.client_version (RSA kx) */
    size_t client_chain_n;  /* server: client path certificates copied, published
                               (c->npeer_certs) once CertificateVerify checks out */
    /* OCSP stapling (RFC 6066 §8, lib/hs_certificate_status.c).
     * ocsp_requested: client: status_request sent; server: the client
     * offered it with status_type ocsp.  ocsp_agreed (client): the
     * ServerHello carried status_request.  must_staple (client): the
     * server's leaf lists status_request in its TLS feature extension
     * (RFC 7633).  The client keeps the leaf and its issuer (when the issuer
     * is not a trust anchor) for the response's check at the end of the
     * handshake area, out of the next message's way: ocsp_hs_cap is
     * c->hs_cap before that (0: nothing kept). */
    uint8_t ocsp_requested, ocsp_agreed, must_staple;
    size_t ocsp_hs_cap;
    size_t ocsp_leaf_len, ocsp_issuer_len; /* the kept leaf, then the issuer (len 0: the anchor) */
    const tern_x509_cert *ocsp_anchor;     /* the issuer when it is the path's trust anchor */
    tern_sess_hs sess;      /* resumption (lib/session.c) */
    tern_ch_stream ch;      /* server: the ClientHello parser's state */
    uint64_t trace_note[8]; /* the trace's note on the message being described (lib/trace.c) */
} tern_hs_state;

#endif
