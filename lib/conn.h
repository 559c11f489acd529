/*
 * A connection's state: the configuration (struct tern_config), the
 * connection (struct tern_conn) with its buffers, record directions and
 * negotiated values, the way a connection fails (tern_fail), and the
 * identities it may use.  What the layers above work on; no function of a
 * higher layer.
 */
#ifndef TERN_LIB_CONN_H
#define TERN_LIB_CONN_H

#include "lib/layer.h"
#if defined(TERN_LAYER) && TERN_LAYER < TERN_LAYER_CONN
#error "lib/conn.h is in the connection state layer (3): the file being compiled states a lower TERN_LAYER and may not include it (lib/layer.h)"
#endif

#include "tern/tern.h"
#include "crypto/common.h"
#include "crypto/gcm.h"
#include "lib/bytes.h"
#include "lib/hs_state.h"
#include "lib/session.h"
#include "lib/suites.h"
#include "lib/wire.h"
#include "lib/x509/store.h"
#include "lib/x509/verify.h"

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
    char errmsg[512];       /* why the last load failed (a path and a sentence) */
    tern_password_fn pw_fn; /* asked for the password of an encrypted key, or NULL */
    void *pw_arg;
    tern_trace_fn trace;    /* handshake trace (lib/trace.c), or NULL */
    void *trace_arg;
    tern_keylog_fn keylog;  /* NSS key log (lib/trace.c), or NULL */
    void *keylog_arg;
    /* Client certificates (RFC 5246 §7.4.4, lib/hs_certificate_request.c): the
     * server's mode (enum tern_client_auth) and the byte budget for the
     * trust store's CA names in CertificateRequest (0: send no names). */
    int client_auth;
    size_t ca_names_max;
    /* More identities (lib/identity.c): the server picks one by SNI, the
     * client by the CA names of a CertificateRequest; `keys` stays the
     * default.  malloc'd array of nmore_keys pointers. */
    tern_keystore **more_keys;
    size_t nmore_keys;
    struct tern_sess_cfg *sess; /* resumption (lib/session.c), or NULL */
    uint16_t groups[4];     /* ECDHE groups in preference order, 0-terminated;
                               all zero: the default (lib/kx.c) */
    /* Certificate policies (tern_config_add_policy, lib/x509/policy.c):
     * the user-initial-policy-set as OID contents (spans into malloc'd
     * copies) and the TERN_POLICY_* flags. */
    tern_span *policies;
    size_t npolicies;
    unsigned policy_flags;
    /* OCSP stapling (RFC 6066 §8, lib/staple.c).  Client: enum
     * tern_ocsp_mode, and whether connections keep the response they get
     * (room for it is made with the connection).  Server: one response per
     * identity, or NULL until one is set. */
    int ocsp_mode;
    int ocsp_keep;
    struct tern_staple_store *staples;
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
/* The password source for an encrypted key (lib/config.c): password if
 * non-NULL, else the callback set with tern_config_set_password_cb. */
tern_keystore_pw tern_config_password(const tern_config *cfg, const char *password);

/* ---- Record layer ---- */
typedef struct {
    int on;              /* protection active for this direction */
    uint64_t seq;        /* RFC 5246 §6.1: never wraps (we fail first) */
    uint8_t salt[4];     /* RFC 5288 §3: the implicit part of the nonce */
    /* The AES-GCM key: gcm_room bytes of storage, in a connection as many
     * as the implementation this CPU uses needs (tern_gcm_key_size(): 656
     * bytes with AES-NI and PCLMUL, or VAES; 1,104, all of
     * sizeof(tern_gcm_key), with the portable code). */
    tern_gcm_key *gcm;
    size_t gcm_room;
    enum tern_aead aead; /* 0 (AES-GCM) unless lib/record_chacha.c turned it on */
    uint8_t cc_key[32];  /* ChaCha20-Poly1305: the write key */
    uint8_t cc_iv[12];   /* RFC 7905 §2: the 12-byte IV, XORed with the sequence number */
} tern_rec_dir;

/* The side of a connection; also the sender of a handshake table row. */
enum tern_side { TERN_CLIENT = 0, TERN_SERVER = 1 };
/* A row of a handshake table (lib/hs.h). */
struct tern_hs_row;

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
    int fail_pending;        /* tern_fail ran; the engine has yet to send alert_sent and
                                invalidate the session (lib/conn.c, end_failure) */
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

    /* Handshake messages live in the output buffer (docs/CONVENTIONS.md §6: the
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
    const struct tern_hs_row *table;
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
    int ocsp_verdict;        /* client: TERN_STAPLE_* (OCSP stapling, below) */
    tern_sess_conn sess;     /* resumption (lib/session.c) */
    /* OCSP stapling (lib/staple.c, lib/hs_certificate_status.c).  Server:
     * a reference to the configuration's response it staples in this
     * handshake (never a copy), NULL when none.  Client: the verdict
     * (TERN_STAPLE_*), and the response itself only when the configuration
     * asked to keep it (ocsp_resp_cap bytes of the one allocation, else
     * NULL). */
    struct tern_staple *staple;
    uint8_t *ocsp_resp;
    uint32_t ocsp_resp_cap, ocsp_resp_len;
};

/* Fail the connection with err and a sentence (printf-style): records the
 * error, the sentence and the alert to send, nothing else.  Returns err so
 * callers can `return tern_fail(c, err, "...")`.  The first failure wins.
 * The engine sends the alert and invalidates the session when the failed
 * call ends (lib/conn.c). */
int tern_fail(tern_conn *c, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Random bytes from the configuration's RNG. */
TERN_MUST_CHECK int tern_conn_random(tern_conn *c, uint8_t *buf, size_t len);

/* The identities (lib/identity.c).  The key store this connection uses:
 * the one picked, else the configuration's default. */
const tern_keystore *tern_conn_keys(const tern_conn *c);
/* Every identity of the configuration in order (default first); NULL past
 * the end or when there is none. */
const tern_keystore *tern_identity_at(const tern_config *cfg, size_t i);
/* Free the added identities (tern_config_free). */
void tern_identity_free_all(tern_config *cfg);

/* ---- OCSP staples, server side (lib/staple.c) ----
 * The configuration holds at most one response per identity, checked when
 * it was set; a handshake that staples it takes a reference instead of a
 * copy, so replacing it (tern_config_set_ocsp_response, even while
 * connections run) never changes bytes a connection is writing. */
struct tern_staple;
/* The response to staple for identity ks at now: a new reference, or NULL
 * with a sentence in why (cap bytes) when there is none to send (none set,
 * set for a certificate the identity no longer has, or past its
 * nextUpdate / before its thisUpdate). */
struct tern_staple *tern_staple_get(const tern_config *cfg, const tern_keystore *ks, int64_t now, char *why,
                                    size_t cap);
/* Drop a reference (NULL is fine). */
void tern_staple_put(const tern_config *cfg, struct tern_staple *s);
/* The response's DER bytes. */
const uint8_t *tern_staple_der(const struct tern_staple *s, size_t *len);
/* Tests only: store der for identity without any check (a server that
 * staples whatever it was given, to test what a client does with it). */
TERN_MUST_CHECK int tern_staple_set_unchecked(tern_config *cfg, size_t identity, const uint8_t *der, size_t len);
/* Free the store (tern_config_free; no connection may hold a reference). */
void tern_staple_free_all(tern_config *cfg);

#endif
