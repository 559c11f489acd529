/*
 * The TLS 1.2 engine's internal definitions: the configuration and
 * connection structs, the record layer (lib/record.c, lib/record_gcm.c),
 * the handshake table and its message functions (lib/hs.c, lib/hs_*.c),
 * the key schedule (lib/keysched.c) and the cipher-suite table
 * (lib/suites.c).  Nothing here is public API; include/tern/tern.h is.
 *
 * The engine is sans-I/O: bytes from the transport are put into the input
 * buffer (tern_engine_recv_buf / _recv_done), bytes to send are taken from
 * the output buffer (tern_engine_send_buf / _send_done).  lib/io.c pumps it
 * over an fd or callbacks; tests pump it over memory.
 */
#ifndef TERN_LIB_TLS_H
#define TERN_LIB_TLS_H

#include "crypto/common.h"
#include "crypto/ct.h"
#include "crypto/gcm.h"
#include "crypto/hmac.h"
#include "crypto/rsa.h"
#include "crypto/sha2.h"
#include "crypto/x25519.h"
#include "lib/bytes.h"
#include "lib/session.h"
#include "lib/x509/store.h"
#include "lib/x509/verify.h"

/* ---- Wire constants (RFC 5246 §6.2.1, §7.4; RFC 8422; RFC 8446 §4.2.3) ---- */
enum {
    TERN_CT_CHANGE_CIPHER_SPEC = 20,
    TERN_CT_ALERT = 21,
    TERN_CT_HANDSHAKE = 22,
    TERN_CT_APPLICATION_DATA = 23
};
enum {
    TERN_HT_HELLO_REQUEST = 0,
    TERN_HT_CLIENT_HELLO = 1,
    TERN_HT_SERVER_HELLO = 2,
    TERN_HT_NEW_SESSION_TICKET = 4,
    TERN_HT_CERTIFICATE = 11,
    TERN_HT_SERVER_KEY_EXCHANGE = 12,
    TERN_HT_CERTIFICATE_REQUEST = 13,
    TERN_HT_SERVER_HELLO_DONE = 14,
    TERN_HT_CERTIFICATE_VERIFY = 15,
    TERN_HT_CLIENT_KEY_EXCHANGE = 16,
    TERN_HT_FINISHED = 20,
    /* Not a handshake type: ChangeCipherSpec is its own content type, but it
     * sits in the flight order like a message, so the table gives it a row. */
    TERN_HT_CHANGE_CIPHER_SPEC = 0x100
};
enum {
    TERN_EXT_SERVER_NAME = 0,
    TERN_EXT_SUPPORTED_GROUPS = 10,
    TERN_EXT_EC_POINT_FORMATS = 11,
    TERN_EXT_SIGNATURE_ALGORITHMS = 13,
    TERN_EXT_ALPN = 16,
    TERN_EXT_EXTENDED_MASTER_SECRET = 23,
    TERN_EXT_SESSION_TICKET = 35,
    TERN_EXT_RENEGOTIATION_INFO = 0xff01
};
#define TERN_GROUP_X25519 29
#define TERN_GROUP_SECP256R1 23 /* RFC 8422 §5.1.1; uncompressed points only (lib/kx.c) */
#define TERN_GROUP_SECP384R1 24
#define TERN_SCSV_RENEGOTIATION 0x00ff
#define TERN_TLS12 0x0303

/* Signature schemes (RFC 8446 §4.2.3 code points, which for TLS 1.2 are the
 * SignatureAndHashAlgorithm pairs of RFC 5246 §7.4.1.4.1). */
enum {
    TERN_SIG_RSA_PKCS1_SHA256 = 0x0401,
    TERN_SIG_RSA_PKCS1_SHA384 = 0x0501,
    TERN_SIG_RSA_PKCS1_SHA512 = 0x0601,
    TERN_SIG_RSA_PSS_RSAE_SHA256 = 0x0804,
    TERN_SIG_RSA_PSS_RSAE_SHA384 = 0x0805,
    TERN_SIG_RSA_PSS_RSAE_SHA512 = 0x0806,
    TERN_SIG_ECDSA_SECP256R1_SHA256 = 0x0403, /* TLS 1.2: (sha256, ecdsa); lib/sig.c */
    TERN_SIG_ECDSA_SECP384R1_SHA384 = 0x0503  /* TLS 1.2: (sha384, ecdsa) */
};

#define TERN_REC_HDR 5
#define TERN_MAX_PLAINTEXT 16384
#define TERN_GCM_EXPLICIT 8
#define TERN_GCM_OVERHEAD (TERN_GCM_EXPLICIT + TERN_GCM_TAG_LEN)
/* RFC 5246 §6.2.3 allows 2^14 + 2048 of ciphertext; RFC 5288's AEAD adds
 * exactly 24 bytes, so a longer GCM record would decrypt to more than 2^14
 * and is refused with record_overflow as soon as its header is seen. */
#define TERN_MAX_CIPHERTEXT (TERN_MAX_PLAINTEXT + TERN_GCM_OVERHEAD)
#define TERN_HS_HDR 4
#define TERN_RANDOM_LEN 32
#define TERN_MASTER_LEN 48
#define TERN_VERIFY_LEN 12
#define TERN_MAX_SIGALGS 32
#define TERN_KX_MAX_PUB 97 /* an uncompressed P-384 point */
#define TERN_KX_MAX_PRIV 48 /* a P-384 scalar */
#define TERN_MAX_CHAIN 8
#define TERN_ALPN_MAX 256
#define TERN_NAME_MAX 256
#define TERN_PEER_STR 256 /* tern_peer_subject / tern_peer_san text */
#define TERN_RENEG_ANSWERS 4 /* no_renegotiation warnings per connection (lib/hs.c); no more than
                               a peer accepts in a row (lib/conn.c and OpenSSL: 4) */

/* ---- Cipher suites (lib/suites.c) ---- */
enum tern_kx { TERN_KX_ECDHE_RSA = 1, TERN_KX_RSA = 2, TERN_KX_ECDHE_ECDSA = 3 };
/* Record protection (lib/record_gcm.c, lib/record_chacha.c). */
enum tern_aead { TERN_AEAD_AES_GCM = 0, TERN_AEAD_CHACHA20_POLY1305 = 1 };
typedef struct {
    uint16_t id;
    const char *name;         /* IANA */
    const char *openssl_name; /* OpenSSL */
    enum tern_kx kx;
    tern_hash_alg prf;        /* PRF and transcript hash */
    size_t key_len;           /* AES key: 16 or 32; ChaCha20: 32 */
    enum tern_aead aead;      /* record protection */
} tern_suite;
#define TERN_SUITE_MAX 12
const tern_suite *tern_suite_by_id(uint16_t id);
const tern_suite *tern_suite_by_name(const char *name, size_t len);
/* The default preference order, terminated by 0. */
extern const uint16_t tern_suite_defaults[];

/* ---- Configuration ---- */
struct tern_config {
    uint16_t suites[TERN_SUITE_MAX + 1]; /* preference order, 0-terminated */
    uint8_t alpn[TERN_ALPN_MAX];         /* wire form: 8-bit length-prefixed names */
    size_t alpn_len;
    int require_ems;
    int no_ems;             /* tests only: behave like a peer without RFC 7627 */
    int skip_verify;
    size_t record_size;
    size_t hs_max;
    int64_t (*now)(void *arg);
    void *now_arg;
    tern_rng_fn rng;
    void *rng_arg;
    tern_truststore trust;  /* whom we trust to vouch for the peer (and its CRLs) */
    int crl_mode;           /* enum tern_crl_mode, or 0: IF_PRESENT once a CRL is loaded */
    tern_keystore keys;     /* who we are */
    int have_keys;
    char errmsg[256];       /* why the last load failed */
    tern_trace_fn trace;    /* handshake trace (lib/trace.c), or NULL */
    void *trace_arg;
    tern_keylog_fn keylog;  /* NSS key log (lib/trace.c), or NULL */
    void *keylog_arg;
    /* Client certificates (issue 9, lib/hs_certificate_request.c): the
     * server's mode (enum tern_client_auth) and the byte budget for the
     * trust store's CA names in CertificateRequest (0: send no names). */
    int client_auth;
    size_t ca_names_max;
    /* More identities (lib/identity.c): the server picks one by SNI, the
     * client by the CA names of a CertificateRequest; `keys` stays the
     * default.  malloc'd array of nmore_keys pointers. */
    tern_keystore **more_keys;
    size_t nmore_keys;
    struct tern_sess_cfg *sess; /* resumption (issue 12, lib/session.c), or NULL */
    uint16_t groups[4];     /* ECDHE groups in preference order, 0-terminated;
                               all zero: the default (lib/kx.c) */
    /* Certificate policies (tern_config_add_policy, lib/x509/policy.c):
     * the user-initial-policy-set as OID contents (spans into malloc'd
     * copies) and the TERN_POLICY_* flags. */
    tern_span *policies;
    size_t npolicies;
    unsigned policy_flags;
};

/* The path validation parameters for verifying the peer's chain
 * (lib/config.c): the one place they are made from the configuration.
 * name points at the expected identity (NULL or *name NULL: no name
 * check; "" is checked, and matches nothing); it must outlive p. */
void tern_config_x509_params(const tern_config *cfg, int purpose, int64_t now, const char *const *name,
                             tern_x509_params *p);
/* Fill p's policy fields from cfg (lib/config.c); called by
 * tern_config_x509_params. */
void tern_config_policy_params(const tern_config *cfg, tern_x509_params *p);

/* ---- Record layer ---- */
typedef struct {
    int on;              /* protection active for this direction */
    uint64_t seq;        /* RFC 5246 §6.1: never wraps (we fail first) */
    uint8_t salt[4];     /* RFC 5288 §3: the implicit part of the nonce */
    /* The AES-GCM key: gcm_room bytes of storage, in a connection as many
     * as the implementation this CPU uses needs (tern_gcm_key_size(), 768
     * bytes with AES-NI; sizeof(tern_gcm_key) would be 1,104). */
    tern_gcm_key *gcm;
    size_t gcm_room;
    enum tern_aead aead; /* 0 (AES-GCM) unless lib/record_chacha.c turned it on */
    uint8_t cc_key[32];  /* ChaCha20-Poly1305: the write key */
    uint8_t cc_iv[12];   /* RFC 7905 §2: the 12-byte IV, XORed with the sequence number */
} tern_rec_dir;

/* ---- The handshake table (lib/hs.c) ---- */

enum tern_side { TERN_CLIENT = 0, TERN_SERVER = 1 };
typedef int (*tern_hs_write_fn)(tern_conn *c, tern_writer *w);
typedef int (*tern_hs_parse_fn)(tern_conn *c, tern_reader *r);
typedef int (*tern_hs_applies_fn)(const tern_conn *c);
typedef struct {
    int type;                 /* TERN_HT_* */
    enum tern_side sender;
    tern_hs_applies_fn applies; /* NULL: always; else the row is skipped when 0 */
    int optional;             /* receiver: skip the row when another message comes */
    tern_hs_write_fn write;
    tern_hs_parse_fn parse;
    const char *name;
} tern_hs_row;

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
    tern_sess_hs sess;      /* resumption (lib/session.c) */
    tern_ch_stream ch;      /* server: the ClientHello parser's state */
    uint64_t trace_note[8]; /* the trace's note on the message being described (lib/trace.c) */
} tern_hs_state;

enum tern_conn_state {
    TERN_ST_HANDSHAKE = 0,
    TERN_ST_OPEN,     /* application data flows */
    TERN_ST_FAILED    /* c->err holds the error */
};

struct tern_conn {
    const struct tern_config *cfg;
    enum tern_side side;
    enum tern_conn_state state;
    int err;                 /* sticky fatal error */
    int alert_sent, alert_received;
    char errmsg[512];

    /* transport */
    int fd;
    tern_recv_fn recv_cb;
    tern_send_fn send_cb;
    void *io_arg;

    /* input: raw bytes from the transport in in[in_start, in_end).  During
     * the handshake the buffer's tail holds the handshake state (hs_state
     * below), so in_cap is smaller then; it becomes in_full_cap when the
     * handshake ends. */
    uint8_t *in;
    size_t in_cap, in_start, in_end;
    size_t in_full_cap;
    int in_eof;
    /* the current record's plaintext not consumed yet */
    uint8_t rec_type;
    uint8_t *rec_p;
    size_t rec_left;
    int rec_active;
    /* A plaintext handshake record is passed up piece by piece as its
     * bytes arrive (lib/record.c): bytes of its body still to come. */
    size_t rec_more;
    uint64_t records_in;     /* records received so far */

    /* output: records ready to send in out[out_sent, out_len) */
    uint8_t *out;
    size_t out_cap, out_len, out_sent;
    size_t record_size;      /* our largest plaintext fragment: the configuration's
                                when the buffer was sized (a later change cannot
                                outgrow it) */
    size_t wr_pending;       /* app bytes taken by tern_write but still in out */

    /* Handshake messages live in the output buffer (CONVENTIONS.md §6: the
     * handshake needs no memory of its own).  Outgoing messages are written
     * straight into an open record after the queued ones and closed into
     * records by flush_hs (lib/hs.c); an incoming message is reassembled at
     * the start of the output buffer, which is empty whenever we wait for
     * the peer (we always send our flight before reading its answer). */
    uint8_t *hs;             /* == out */
    size_t hs_cap;           /* 4 + hs_max */
    size_t hs_in_len;        /* incoming bytes gathered so far */
    size_t hs_out_len;       /* bytes of our messages in the open record area */
    size_t out_slack;        /* room kept for splitting a flight into records */
    /* After the handshake a handshake message (HelloRequest, a renegotiating
     * ClientHello) is not stored: its header is read, its body skipped. */
    uint8_t post_hdr[TERN_HS_HDR];
    size_t post_hdr_len, post_body_left;

    tern_rec_dir rd, wr;

    /* handshake progress */
    const tern_hs_row *table;
    size_t nrows, step;
    /* State that lives only during the handshake: in the input buffer's
     * tail (see in_cap), NULL once the handshake is over. */
    tern_hs_state *hs_state;

    /* negotiated */
    const tern_suite *suite;
    int ems;
    uint16_t sigscheme;
    uint16_t kx_group;       /* the ECDHE group used (lib/kx.c), 0 for RSA key exchange */
    uint8_t master[TERN_MASTER_LEN];
    uint8_t client_verify[TERN_VERIFY_LEN], server_verify[TERN_VERIFY_LEN];
    /* The negotiated protocol: room for the longest name the configuration
     * has (NULL without ALPN). */
    char *alpn;
    size_t alpn_cap;
    /* Client: the name given to tern_client_new (strlen + 1 bytes); server:
     * the SNI host name the client sent (TERN_NAME_MAX bytes).  "" if none. */
    char *server_name;
    size_t server_name_cap;
    /* The peer's certificate subject and (server only) SAN as text, each
     * TERN_PEER_STR bytes.  peer_san is NULL on a client (tern_peer_san is
     * a server's view of its client); both are NULL on a server that does
     * not ask for client certificates (it never has a peer certificate). */
    char *peer_subject;
    /* Server with client authentication: the verified client chain (path
     * certificates, leaf first) copied into peer_chain (part of the one
     * allocation, hs_max bytes), its anchor, and the leaf's SAN as text. */
    const tern_keystore *keys; /* our identity for this connection (lib/identity.c) */
    uint8_t *peer_chain;
    size_t peer_chain_cap, peer_chain_len;
    size_t npeer_certs;
    size_t *peer_cert_off, *peer_cert_len; /* TERN_X509_MAX_DEPTH each, with peer_chain */
    const tern_trust_anchor *peer_anchor;
    char *peer_san;
    size_t alloc_size;       /* the one allocation, for the wipe in tern_free */
    int peer_close_notify;   /* got close_notify */
    int sent_close_notify;
    unsigned warn_alerts;    /* warning alerts in a row (a bound against floods) */
    unsigned reneg_refused;  /* no_renegotiation warnings sent (lib/hs.c bounds them) */
    unsigned empty_records;  /* empty records in a row */
    tern_sess_conn sess;     /* resumption (lib/session.c) */
};

/* ---- errors ---- */
/* Fail the connection with err and a sentence (printf-style).  Returns err so
 * callers can `return tern_fail(c, err, "...")`.  The first failure wins. */
int tern_fail(tern_conn *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* ---- record layer (lib/record.c) ---- */
/* Queue one record of `type` with len plaintext bytes (protected when the
 * write direction is on).  TERN_ERR_BUFFER_TOO_SMALL when the output buffer
 * lacks room (the caller flushes first). */
TERN_MUST_CHECK int tern_rec_write(tern_conn *c, uint8_t type, const uint8_t *p, size_t len);
/* Room in the output buffer for a record of len plaintext bytes? */
int tern_rec_fits(const tern_conn *c, size_t len);
/* Make the next record's plaintext available in c->rec_p / rec_left /
 * rec_type.  Returns 0, TERN_WANT_READ when more transport bytes are
 * needed, or a fatal error. */
TERN_MUST_CHECK int tern_rec_next(tern_conn *c);
/* Mark the current record consumed. */
void tern_rec_done(tern_conn *c);
/* Bytes in front of a record's plaintext: header, plus the explicit nonce
 * when the write direction is protected. */
size_t tern_rec_prefix(const tern_conn *c);
/* Bytes after a record's plaintext (the tag when protected). */
size_t tern_rec_suffix(const tern_conn *c);
/* Close a record whose len plaintext bytes are already in place at
 * rec + tern_rec_prefix(c): write the header, seal when protected. */
TERN_MUST_CHECK int tern_rec_close(tern_conn *c, uint8_t type, uint8_t *rec, size_t len);
/* Queue an alert (ignores lack of room: alerts are best effort). */
void tern_rec_alert(tern_conn *c, int level, int desc);
/* Turn protection on for one direction from key and salt (lib/record_gcm.c). */
/* Give a direction its AES-GCM key storage (room bytes, 16-byte aligned). */
void tern_rec_dir_init(tern_rec_dir *d, tern_gcm_key *storage, size_t room);
TERN_MUST_CHECK int tern_rec_gcm_on(tern_rec_dir *d, const uint8_t *key, size_t keylen, const uint8_t salt[4]);
/* Seal in place: buf holds hdr(5) || explicit(8) || plaintext(len) || room for
 * the tag; fills explicit nonce, ciphertext, tag and the header length. */
TERN_MUST_CHECK int tern_rec_gcm_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain,
                                      size_t len);
/* Open in place: rec is hdr(5) || payload(len).  On success *plain points at
 * the plaintext inside rec and *plen is its length. */
TERN_MUST_CHECK int tern_rec_gcm_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain,
                                      size_t *plen);
void tern_rec_wipe(tern_rec_dir *d);

/* ---- handshake (lib/hs.c) ---- */
/* Run the handshake as far as the buffered input and output room allow.
 * Returns 0 when it is complete, TERN_WANT_READ / TERN_WANT_WRITE, or an
 * error (after which the connection is failed). */
TERN_MUST_CHECK int tern_hs_advance(tern_conn *c);
/* Start: choose the table and reset the state. */
void tern_hs_begin(tern_conn *c);
/* Add one whole handshake message to the transcript, under every hash
 * still needed (SHA-256, -384, -512 until the suite and the
 * CertificateVerify hash are known; lib/hs.c says when each is dropped). */
void tern_hs_transcript(tern_conn *c, const uint8_t *p, size_t len);
enum { TERN_TH_SHA256 = 1, TERN_TH_SHA384 = 2, TERN_TH_SHA512 = 4, TERN_TH_ALL = 7 };
/* The current transcript hash (of the suite's PRF hash). */
size_t tern_hs_transcript_hash(const tern_conn *c, uint8_t out[TERN_HASH_MAX_LEN]);
/* The current transcript hash under alg: its length, or TERN_ERR_INTERNAL
 * when that hash is not kept (any more). */
TERN_MUST_CHECK int tern_hs_transcript_hash_alg(const tern_conn *c, tern_hash_alg alg,
                                                uint8_t out[TERN_HASH_MAX_LEN]);
/* 1 while part of a handshake message has arrived and the rest has not
 * (nothing else may come in between: RFC 5246 §6.2.1). */
int tern_hs_partial(const tern_conn *c);
/* A handshake message arrived after the handshake (HelloRequest, a
 * renegotiating ClientHello): refuse politely or fail. */
TERN_MUST_CHECK int tern_hs_post_handshake(tern_conn *c);

/* ---- message files: write and parse, one pair per message ---- */
TERN_MUST_CHECK int tern_hs_client_hello_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_client_hello_parse(tern_conn *c, tern_reader *r);
/* The ClientHello as a stream (server): begin with the body's length (it
 * must be at most TERN_CH_MAX), feed its bytes in pieces of any size (the
 * pieces are not kept; an item split between pieces is gathered in the
 * handshake area), then tern_hs_client_hello_parse finishes it (its reader
 * is then empty). */
TERN_MUST_CHECK int tern_hs_client_hello_begin(tern_conn *c, size_t body_len, int streamed);
TERN_MUST_CHECK int tern_hs_client_hello_feed(tern_conn *c, const uint8_t *p, size_t n);
/* 1 until ServerHello has fixed the protocol version: the record layer then
 * takes any {03,XX} in a record header (RFC 5246 Appendix E.1). */
int tern_hs_version_open(const tern_conn *c);
TERN_MUST_CHECK int tern_hs_server_hello_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_server_hello_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_certificate_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_certificate_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_server_key_exchange_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_server_key_exchange_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_server_hello_done_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_server_hello_done_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_client_key_exchange_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_client_key_exchange_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_change_cipher_spec_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_change_cipher_spec_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_finished_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_finished_parse(tern_conn *c, tern_reader *r);
/* client certificates (issue 9) */
TERN_MUST_CHECK int tern_hs_certificate_request_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_certificate_request_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_client_certificate_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_client_certificate_parse(tern_conn *c, tern_reader *r);
TERN_MUST_CHECK int tern_hs_certificate_verify_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_certificate_verify_parse(tern_conn *c, tern_reader *r);
/* The subjectAltName of cert as printable text ("DNS:a.test, IP:10.0.0.1"),
 * for tern_peer_san(). */
void tern_hs_san_text(const tern_x509_cert *cert, char *out, size_t cap);
/* Identities (lib/identity.c).  The key store this connection uses:
 * the one picked, else the configuration's default. */
const tern_keystore *tern_conn_keys(const tern_conn *c);
/* Server: pick the identity whose leaf matches the SNI name (after
 * ClientHello), else keep the default. */
void tern_identity_pick_server(tern_conn *c);
/* Every identity of the configuration in order (default first); NULL past
 * the end or when there is none. */
const tern_keystore *tern_identity_at(const tern_config *cfg, size_t i);
/* Free the added identities (tern_config_free). */
void tern_identity_free_all(tern_config *cfg);
/* ClientKeyExchange for the RSA key exchange (lib/hs_client_key_exchange_rsa.c) */
TERN_MUST_CHECK int tern_hs_rsa_client_key_exchange_write(tern_conn *c, tern_writer *w);
TERN_MUST_CHECK int tern_hs_rsa_client_key_exchange_parse(tern_conn *c, tern_reader *r);

/* ---- extensions (lib/ext.c) ---- */
/* Walk a ServerHello's extensions block: rejects duplicates of the types
 * tern knows (RFC 5246 §7.4.1.4) and calls fn for each extension; fn must
 * refuse the types it does not know (a server may only answer what we
 * offered), so an unknown type never gets a second turn. */
typedef int (*tern_ext_fn)(tern_conn *c, uint16_t type, tern_reader *body);
TERN_MUST_CHECK int tern_ext_walk(tern_conn *c, tern_reader *exts, tern_ext_fn fn);
/* The ClientHello's duplicate check: one bit per extension type in a
 * TERN_EXT_BITMAP-byte map; 1 if type was already seen (else it is marked). */
int tern_ext_seen(uint8_t *map, uint16_t type);
/* Signature schemes tern can use with an RSA key, in our preference order. */
extern const uint16_t tern_sigalgs_rsa[6];
/* The hash and padding of a signature scheme: 1 for PSS, 0 for PKCS#1 v1.5,
 * negative if unsupported. */
int tern_sigalg_info(uint16_t scheme, tern_hash_alg *hash);

/* ---- key schedule (lib/keysched.c) ---- */
/* master_secret from the premaster: RFC 7627 §4 (extended, over the session
 * hash) when c->ems, else RFC 5246 §8.1. */
TERN_MUST_CHECK int tern_ks_master(tern_conn *c);
/* key_block (RFC 5246 §6.3) into c->hs_state->key_block. */
TERN_MUST_CHECK int tern_ks_key_block(tern_conn *c);
/* Master secret and key block, once (later calls do nothing).  Called at
 * the first CCS, or earlier by CertificateVerify: RFC 7627 §4's session
 * hash ends at ClientKeyExchange. */
TERN_MUST_CHECK int tern_ks_prepare(tern_conn *c);
/* Activate protection for our writes (CCS sent) or reads (CCS received). */
TERN_MUST_CHECK int tern_ks_activate(tern_conn *c, int for_write);
/* verify_data (RFC 5246 §7.4.9) of `side`'s Finished over the current transcript. */
TERN_MUST_CHECK int tern_ks_verify_data(tern_conn *c, enum tern_side side, uint8_t out[TERN_VERIFY_LEN]);
/* The raw derivations, for tests against published traces. */
TERN_MUST_CHECK int tern_ks_derive_master(tern_hash_alg prf, const uint8_t *pms, size_t pms_len, int ems,
                                          const uint8_t *client_random, const uint8_t *server_random,
                                          const uint8_t *session_hash, size_t session_hash_len,
                                          uint8_t master[TERN_MASTER_LEN]);
TERN_MUST_CHECK int tern_ks_derive_key_block(tern_hash_alg prf, const uint8_t master[TERN_MASTER_LEN],
                                             const uint8_t *client_random, const uint8_t *server_random,
                                             uint8_t *out, size_t len);
TERN_MUST_CHECK int tern_ks_derive_verify(tern_hash_alg prf, const uint8_t master[TERN_MASTER_LEN], enum tern_side side,
                                          const uint8_t *hash, size_t hash_len, uint8_t out[TERN_VERIFY_LEN]);

/* ---- engine (lib/conn.c) ---- */
/* Where the transport may put up to *cap bytes. */
uint8_t *tern_engine_recv_buf(tern_conn *c, size_t *cap);
/* n bytes arrived (0: the transport reached end of file). */
void tern_engine_recv_done(tern_conn *c, size_t n);
/* Bytes waiting to be sent (NULL, 0 when none). */
const uint8_t *tern_engine_send_buf(tern_conn *c, size_t *len);
void tern_engine_send_done(tern_conn *c, size_t n);

/* The pumps (lib/io.c): move bytes between the engine and the transport.
 * fill returns > 0, 0 at end of file, TERN_WANT_READ or an error; flush
 * returns 0 when everything went out, TERN_WANT_WRITE or an error. */
TERN_MUST_CHECK int tern_io_fill(tern_conn *c);
TERN_MUST_CHECK int tern_io_flush(tern_conn *c);

/* random bytes from the config's RNG */
TERN_MUST_CHECK int tern_conn_random(tern_conn *c, uint8_t *buf, size_t len);

/* ---- issue 13: secp256r1, ECDSA, ChaCha20-Poly1305 ---- */
/* ECDHE groups (lib/kx.c).  The server's choice from what the client
 * offered (x25519 first, then secp256r1), or 0 when there is none. */
uint16_t tern_kx_server_group(const tern_conn *c);
/* The groups of a configuration in preference order, 0-terminated. */
const uint16_t *tern_kx_groups(const tern_config *cfg);
/* The public value length of a group (32, 65 or 97), 0 if unknown. */
size_t tern_kx_pub_len(uint16_t group);
/* "x25519", "secp256r1", "secp384r1" (for messages and traces). */
const char *tern_kx_group_name(uint16_t group);
/* Server: 1 when the client's supported_groups admits an ECDSA
 * certificate on this curve (TERN_X509_CURVE_P256 / _P384; RFC 8422 §5.1:
 * the extension also names the curves the client can verify), or when it
 * sent no supported_groups (RFC 8422 §4: any curve). */
int tern_kx_peer_accepts_curve(const tern_conn *c, int curve);
/* A fresh ephemeral key pair for hs_state.group into kx_priv / kx_pub. */
TERN_MUST_CHECK int tern_kx_keygen(tern_conn *c);
/* premaster = ECDH(kx_priv, peer) for hs_state.group; kx_priv is wiped.
 * A share of the wrong length fails the connection with decode_error; one
 * off the curve or giving an all-zero x25519 secret with illegal_parameter. */
TERN_MUST_CHECK int tern_kx_agree(tern_conn *c, const uint8_t *peer, size_t len);
/* Signature schemes (lib/sig.c).  What a client offers, in order. */
extern const uint16_t tern_sigalgs_offer[8];
/* 1 when scheme is in tern_sigalgs_offer (what tern offers and accepts). */
int tern_sig_offered(uint16_t scheme);
/* 1 (and *hash, when hash is not NULL) when scheme can be made with a key
 * of this type: ECDSA schemes with EC keys on either curve (TLS 1.2 binds
 * no curve), rsa_pkcs1_* / rsa_pss_rsae_* with RSA keys. */
int tern_sig_fits_key(uint16_t scheme, tern_x509_key_type type, tern_hash_alg *hash);
/* 1 and *hash when scheme is an ECDSA scheme tern handles, else 0. */
int tern_sig_is_ecdsa(uint16_t scheme, tern_hash_alg *hash);
/* The scheme to sign with for key store ks from the peer's list (our
 * preference order), or 0 when none fits the key. */
uint16_t tern_sig_choose(const tern_keystore *ks, const uint16_t *peer, size_t npeer);
/* ECDSA: sign the digest with ks (an EC key store) and write the
 * signature as opaque<0..2^16-1>. */
TERN_MUST_CHECK int tern_sig_write_ecdsa(tern_conn *c, const tern_keystore *ks, tern_hash_alg alg,
                                         const uint8_t *digest, tern_writer *w);
/* ECDSA: verify sig over digest with the peer's EC key (hs_state.peer_ec,
 * P-256 or P-384).  0 or TERN_ERR_BAD_SIGNATURE. */
TERN_MUST_CHECK int tern_sig_verify_ecdsa(const tern_conn *c, tern_hash_alg alg, const uint8_t *digest,
                                          const uint8_t *sig, size_t siglen);
/* Server: the identity to use for a suite whose certificate needs this
 * key type: the first configured one of that type matching the SNI name,
 * else the first of that type (EC: among those on a curve the client's
 * supported_groups admits, when there is one); NULL when there is none. */
const tern_keystore *tern_sig_identity(const tern_conn *c, tern_x509_key_type type);
/* The key type a suite's certificate must hold (RSA or EC). */
tern_x509_key_type tern_suite_key_type(const tern_suite *s);
/* 1 for the ECDHE suites (ECDHE_RSA, ECDHE_ECDSA). */
int tern_suite_is_ecdhe(const tern_suite *s);
/* Record protection by the suite's AEAD (lib/record_aead.c): turn it on
 * from key and IV (4 bytes for AES-GCM, 12 for ChaCha20-Poly1305), and
 * seal / open with the direction's AEAD.  Explicit nonce bytes in front
 * of the ciphertext: 8 (AES-GCM) or 0 (ChaCha20-Poly1305, RFC 7905). */
TERN_MUST_CHECK int tern_rec_aead_on(tern_rec_dir *d, enum tern_aead aead, const uint8_t *key, size_t keylen,
                                     const uint8_t *iv);
size_t tern_rec_explicit_len(const tern_rec_dir *d);
size_t tern_suite_iv_len(const tern_suite *s);
TERN_MUST_CHECK int tern_rec_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain, size_t len);
TERN_MUST_CHECK int tern_rec_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain,
                                  size_t *plen);
/* ChaCha20-Poly1305 records (lib/record_chacha.c, RFC 7905 §2): the
 * payload is ciphertext || tag, the nonce IV XOR the sequence number. */
TERN_MUST_CHECK int tern_rec_chacha_on(tern_rec_dir *d, const uint8_t key[32], const uint8_t iv[12]);
TERN_MUST_CHECK int tern_rec_chacha_seal(tern_rec_dir *d, uint8_t type, uint8_t *rec, const uint8_t *plain,
                                         size_t len);
TERN_MUST_CHECK int tern_rec_chacha_open(tern_rec_dir *d, uint8_t type, uint8_t *rec, size_t len, uint8_t **plain,
                                         size_t *plen);

#endif
