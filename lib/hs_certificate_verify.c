/*
 * CertificateVerify (RFC 5246 §7.4.8): the client proves it holds the key
 * of the certificate it sent, by signing the handshake so far.
 *
 *   struct {
 *       digitally-signed struct {
 *           opaque handshake_messages[handshake_messages_length];
 *       }
 *   } CertificateVerify;          -- SignatureAndHashAlgorithm, opaque<0..2^16-1>
 *
 * handshake_messages runs from ClientHello up to, not including, this
 * message.  The scheme is one the server listed in CertificateRequest
 * (lib/hs_certificate_request.c), with SHA-256, SHA-384 or SHA-512 whatever
 * the suite's PRF hash: the digest is the running transcript under the
 * scheme's hash (lib/hs.c keeps each one that may be asked for).  RSA keys
 * sign with rsa_pss_rsae_* / rsa_pkcs1_*, P-256 and P-384 keys with ECDSA
 * (DER signature, RFC 8422 §5.4; lib/sig.c).
 *
 * The master secret is derived here, before this message joins the
 * transcript: with the extended master secret the session hash ends at
 * ClientKeyExchange (RFC 7627 §3), and CertificateVerify comes after it.
 *
 * The server verifies with the key of the certificate it has just checked:
 * a signature that does not verify (wrong value, malformed DER, an RSA-PSS
 * salt that is not the hash length as rsa_pss_rsae_* requires, RFC 8446
 * §4.2.3) is decrypt_error (RFC 5246 §7.2.2); a scheme it did not offer, or
 * one that does not fit the certificate's key, illegal_parameter.  Only then does the client's identity become
 * visible to the application (tern_peer_subject / _san / _cert).
 */
#define TERN_LAYER TERN_LAYER_HANDSHAKE
#include <stdio.h>

#include "lib/hs.h"
#include "lib/keysched.h"
#include "lib/sig.h"
#include "lib/trace.h"
#include "lib/x509/der.h"

int tern_hs_certificate_verify_write(tern_conn *c, tern_writer *w) {
    tern_hs_state *h = c->hs_state;
    TERN_TRY(tern_ks_prepare(c));
    tern_hash_alg alg;
    uint8_t digest[TERN_HASH_MAX_LEN];
    const tern_keystore *ks = tern_conn_keys(c); /* picked by the request's CA names */
    TERN_ENSURE(tern_sig_fits_key(h->cv_scheme, ks->key_type, &alg), TERN_ERR_INTERNAL);
    tern_trace_cert_verify(c, 1, h->cv_scheme);
    TERN_TRY(tern_ks_transcript_hash_alg(c, alg, digest));
    h->cv_done = 1; /* the transcript keeps only the PRF hash from here */
    return tern_sig_write(c, ks, h->cv_scheme, digest, w);
}

/* Append to out (NUL-terminated, cap bytes) without overflowing. */
static void append(char *out, size_t cap, const char *text, size_t n) {
    size_t have = strlen(out);
    if (have + 1 >= cap)
        return;
    if (n > cap - 1 - have)
        n = cap - 1 - have;
    /* SAN strings are IA5 (bytes 1..127) and may carry control characters:
     * show those as '?' so the text is safe to print (same rule as the
     * verifier's messages in lib/x509/name.c). */
    for (size_t i = 0; i < n; i++)
        out[have + i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
    out[have + n] = '\0';
}

/* The leaf's subjectAltName as text: "DNS:a.test, IP:10.0.0.1, email:x@y,
 * URI:...", other kinds as "other".  The entries were checked at parse
 * (IA5 strings of bytes 1..127, 4/16-byte addresses); control characters
 * come out as '?'; a malformed entry stops the listing. */
void tern_hs_san_text(const tern_x509_cert *cert, char *out, size_t cap) {
    out[0] = '\0';
    if (!cert->has_san)
        return;
    tern_reader r;
    tern_rd_init(&r, cert->san.p, cert->san.len);
    while (tern_rd_left(&r) > 0) {
        tern_der_elem e;
        if (tern_der_next(&r, &e) < 0)
            return;
        if (out[0] != '\0')
            append(out, cap, ", ", 2);
        unsigned kind = e.tag & 0x1f;
        char buf[64];
        if (kind == 1 || kind == 2 || kind == 6) {
            const char *label = kind == 1 ? "email:" : kind == 2 ? "DNS:" : "URI:";
            append(out, cap, label, strlen(label));
            append(out, cap, (const char *)e.content.p, e.content.len);
        } else if (kind == 7 && e.content.len == 4) {
            const uint8_t *a = e.content.p;
            snprintf(buf, sizeof buf, "IP:%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
            append(out, cap, buf, strlen(buf));
        } else if (kind == 7 && e.content.len == 16) {
            append(out, cap, "IP:", 3);
            for (size_t i = 0; i < 16; i += 2) {
                snprintf(buf, sizeof buf, "%s%x", i ? ":" : "", (unsigned)(e.content.p[i] << 8 | e.content.p[i + 1]));
                append(out, cap, buf, strlen(buf));
            }
        } else {
            append(out, cap, "other", 5);
        }
    }
}

int tern_hs_certificate_verify_parse(tern_conn *c, tern_reader *r) {
    tern_hs_state *h = c->hs_state;
    TERN_ENSURE(h->have_peer_key, TERN_ERR_INTERNAL);
    uint16_t scheme;
    tern_reader sig;
    TERN_TRY(tern_rd_u16(r, &scheme));
    TERN_TRY(tern_rd_vec16(r, &sig));
    TERN_TRY(tern_rd_end(r));
    tern_trace_cert_verify(c, 0, scheme);
    TERN_TRY(tern_ks_prepare(c));

    /* A scheme we listed in CertificateRequest (all of tern_sigalgs_offer,
     * lib/sig.c), of the kind of the certificate's key. */
    tern_hash_alg alg = TERN_HASH_SHA256;
    if (!tern_sig_offered(scheme))
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                         "the client signed CertificateVerify with scheme 0x%04x, which we did not offer", scheme);
    if (!tern_sig_fits_key(scheme, h->peer_key_type, &alg))
        return tern_fail(c, TERN_ERR_ILLEGAL_PARAMETER,
                         "the client signed CertificateVerify with scheme 0x%04x, which does not fit its %s key",
                         scheme, h->peer_key_type == TERN_X509_KEY_EC ? "ECDSA" : "RSA");
    uint8_t digest[TERN_HASH_MAX_LEN];
    TERN_TRY(tern_ks_transcript_hash_alg(c, alg, digest));
    h->cv_done = 1; /* the transcript keeps only the PRF hash from here */
    if (tern_sig_verify(c, TERN_HT_CERTIFICATE_VERIFY, scheme, digest, sig.p, tern_rd_left(&sig)) < 0)
        return tern_fail(c, TERN_ERR_BAD_SIGNATURE,
                         "the client's CertificateVerify signature (scheme 0x%04x) does not verify with the key of "
                         "its certificate",
                         scheme);

    /* Proven: publish the identity. */
    tern_x509_cert leaf;
    TERN_ENSURE(h->client_chain_n > 0, TERN_ERR_INTERNAL);
    TERN_TRY(tern_x509_parse(&leaf, c->peer_chain + c->peer_cert_off[0], c->peer_cert_len[0]));
    tern_x509_name_display(leaf.subject, c->peer_subject, TERN_PEER_STR);
    tern_hs_san_text(&leaf, c->peer_san, TERN_PEER_STR);
    c->npeer_certs = h->client_chain_n;
    return 0;
}
