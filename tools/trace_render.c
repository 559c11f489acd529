/*
 * `tern client/server --trace`: turns the library's structured trace events
 * (tern_config_set_trace, include/tern/tern.h) into a narrative a learner
 * can follow: for each step what happened, why, which RFC section governs
 * it, and how it ties to the key store (who we are) and the trust store
 * (whom we believe).  --trace=hex adds each message's bytes;
 * --show-secrets adds the master secret (the NSS key-log line).  Also here:
 * SSLKEYLOGFILE, which appends the same lines to a file for Wireshark.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"

/* The handshake types and ChangeCipherSpec, as in tern_trace_event.msg_type. */
enum {
    T_CLIENT_HELLO = 1, T_SERVER_HELLO = 2, T_NEW_SESSION_TICKET = 4, T_CERTIFICATE = 11, T_SERVER_KEY_EXCHANGE = 12,
    T_CERTIFICATE_REQUEST = 13, T_SERVER_HELLO_DONE = 14, T_CERTIFICATE_VERIFY = 15,
    T_CLIENT_KEY_EXCHANGE = 16, T_FINISHED = 20, T_CERTIFICATE_STATUS = 22, T_CCS = 256
};

static FILE *keylog_file;

int tool_obs_option(tool_obs *o, const char *arg) {
    if (strcmp(arg, "--trace") == 0)
        o->trace = 1;
    else if (strcmp(arg, "--trace=hex") == 0)
        o->trace = o->hex = 1;
    else if (strcmp(arg, "--show-secrets") == 0)
        o->show_secrets = 1;
    else
        return 0;
    return 1;
}

void tool_obs_usage(FILE *f) {
    fprintf(f, "  --trace          narrate the handshake on stderr, step by step, with the RFC sections\n"
               "  --trace=hex      the same, with every message's bytes\n"
               "  --show-secrets   with --trace: also print the master secret (anyone holding it can\n"
               "                   decrypt this connection)\n"
               "  SSLKEYLOGFILE=F  (environment) append NSS key-log lines to F, for Wireshark/tshark\n");
}

static void keylog_cb(void *arg, const char *line) {
    tool_obs *o = arg;
    if (keylog_file != NULL) {
        fprintf(keylog_file, "%s\n", line);
        fflush(keylog_file);
    }
    if (o->trace && o->show_secrets)
        fprintf(o->out,
                "[%s]      secret (shown because of --show-secrets), in the NSS key-log format:\n"
                "[%s]        %s\n",
                o->role, o->role, line);
}

int tool_obs_apply(tool_obs *o, tern_config *cfg, const char *role) {
    o->role = role;
    o->out = stderr;
    if (o->trace)
        tern_config_set_trace(cfg, tool_trace_render, o);
    const char *path = getenv("SSLKEYLOGFILE");
    if (path != NULL && path[0] != '\0' && keylog_file == NULL) {
        keylog_file = fopen(path, "a");
        if (keylog_file == NULL) {
            fprintf(stderr, "tern %s: SSLKEYLOGFILE %s: %s\n", role, path, strerror(errno));
            return -1;
        }
    }
    if (keylog_file != NULL || (o->trace && o->show_secrets))
        tern_config_set_keylog(cfg, keylog_cb, o);
    return 0;
}

/* "RFC 5246 7.4.1.2, RFC 8422 5.4" -> "RFC 5246 §7.4.1.2, RFC 8422 §5.4" */
static void rfc_text(const char *in, char *out, size_t cap) {
    size_t n = 0;
    for (const char *p = in; *p && n + 4 < cap; p++) {
        out[n++] = *p;
        /* after "RFC dddd " comes the section */
        if (*p == ' ' && p - in >= 8 && strncmp(p - 8, "RFC ", 4) == 0 && p[1] >= '0' && p[1] <= '9') {
            memcpy(out + n, "\xc2\xa7", 2); /* § in UTF-8 */
            n += 2;
        }
    }
    out[n] = '\0';
}

static const char *field(const tern_trace_event *ev, const char *name) {
    for (size_t i = 0; i < ev->nfields; i++)
        if (strcmp(ev->fields[i].name, name) == 0)
            return ev->fields[i].value;
    return NULL;
}

/* A field's value without its code point: "secp256r1 (23)" -> "secp256r1",
 * "x25519, secp256r1 (those tern has)" -> "x25519, secp256r1". */
static void word(const tern_trace_event *ev, const char *name, char *out, size_t cap) {
    const char *v = field(ev, name);
    out[0] = '\0';
    if (v == NULL || cap == 0)
        return;
    size_t n = strcspn(v, "(");
    while (n > 0 && v[n - 1] == ' ')
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

/* Print text wrapped at ~100 columns, each line prefixed. */
static void say(tool_obs *o, const char *text) {
    const char *p = text;
    while (*p) {
        size_t len = strlen(p), cut = len;
        if (len > 92) {
            cut = 92;
            while (cut > 40 && p[cut] != ' ')
                cut--;
        }
        fprintf(o->out, "[%s]      %.*s\n", o->role, (int)cut, p);
        p += cut;
        while (*p == ' ')
            p++;
    }
}

static void show_fields(tool_obs *o, const tern_trace_event *ev) {
    for (size_t i = 0; i < ev->nfields; i++)
        fprintf(o->out, "[%s]        %-22s %s\n", o->role, ev->fields[i].name, ev->fields[i].value);
}

static void show_hex(tool_obs *o, const uint8_t *p, size_t len) {
    for (size_t off = 0; off < len; off += 16) {
        fprintf(o->out, "[%s]        %04zx ", o->role, off);
        for (size_t i = off; i < off + 16 && i < len; i++)
            fprintf(o->out, " %02x", p[i]);
        fprintf(o->out, "\n");
    }
}

/* Why this message exists, from this side's point of view. */
static void explain_message(tool_obs *o, const tern_trace_event *ev) {
    int we_client = !ev->is_server;
    char buf[700], groups[256];
    const char *f;
    if (field(ev, "refused") != NULL) {
        /* The parse stopped before it reported the message's values: there
         * is nothing to explain but that (the alert below says why). */
        say(o, "tern refused this message before reading all its values: below is what it had read.");
        return;
    }
    switch (ev->msg_type) {
    case T_CLIENT_HELLO:
        /* The groups: ours as offered, or those of the client's that tern has. */
        word(ev, "supported_groups", groups, sizeof groups);
        if (we_client)
            snprintf(buf, sizeof buf,
                     "We open the handshake in clear text: a fresh 32-byte random (it makes this handshake's keys "
                     "unique), the cipher suites we accept in our order of preference, and extensions: the name we "
                     "want to reach (SNI), the groups we accept for the key exchange (%s), the signature schemes "
                     "we can check, the extended master secret.",
                     groups[0] ? groups : "none");
        else
            snprintf(buf, sizeof buf,
                     "The client opens the handshake: its random, the cipher suites it accepts and its extensions. "
                     "We pick the suite (our preference among its offers), a group for the key exchange among "
                     "those it offers (%s), and a signature scheme it accepts that the private key in our key "
                     "store can make.",
                     groups[0] ? groups : "none we have");
        say(o, buf);
        if (field(ev, "status_request") != NULL)
            say(o, we_client ? "We also ask for OCSP stapling (status_request): a recent, signed statement from the "
                               "certificate's issuer that it is not revoked, sent along with the certificate."
                             : "The client also asks for OCSP stapling (status_request): we send our response for "
                               "the certificate we choose, if we have a current one.");
        f = field(ev, "session_ticket");
        if ((f != NULL && strncmp(f, "a ticket", 8) == 0) ||
            ((f = field(ev, "session_id")) != NULL && strcmp(f, "empty") != 0))
            say(o, we_client ? "We also offer an earlier session (its session_id and/or ticket): if the server "
                               "accepts, the handshake is abbreviated."
                             : "The client also offers an earlier session (a session_id and/or ticket) to "
                               "resume.");
        break;
    case T_SERVER_HELLO:
        f = field(ev, "cipher_suite");
        snprintf(buf, sizeof buf, "%s %s. Extensions may only answer ones the client offered (RFC 5246 \xc2\xa7"
                                  "7.4.1.4).",
                 we_client ? "The server answers with its own random and the one suite it chose from our list:"
                           : "We answer with our own random and the suite we chose:",
                 f ? f : "?");
        say(o, buf);
        if (!we_client && (f = field(ev, "chosen_group")) != NULL) {
            char g[64], k[64], sc[64];
            word(ev, "chosen_group", g, sizeof g);
            word(ev, "chosen_scheme", sc, sizeof sc);
            const char *key = field(ev, "certificate_key");
            snprintf(k, sizeof k, "%s", key ? key : "?");
            snprintf(buf, sizeof buf,
                     "Our choices for what follows: the key exchange on %s, and our %s certificate, signing "
                     "with %s.",
                     g, k, sc);
            say(o, buf);
        } else if (!we_client && (f = field(ev, "certificate_key")) != NULL) {
            snprintf(buf, sizeof buf,
                     "Our choice for what follows: the RSA key exchange, with our %s certificate, whose key "
                     "will decrypt the client's premaster secret.",
                     f);
            say(o, buf);
        }
        break;
    case T_CERTIFICATE: {
        f = field(ev, "certificates");
        o->certs_sent = f ? atoi(f) : 0;
        const char *text;
        if (!we_client && ev->sent)
            text = "We send the certificate chain of our key store (%s certificate%s), leaf first. The client "
                   "checks it against its trust store; our signature (ServerKeyExchange, or for the RSA key "
                   "exchange our ability to decrypt the premaster) proves we hold the leaf's private key.";
        else if (we_client && !ev->sent)
            text = "The server sent its certificate chain (%s certificate%s), leaf first. By itself it proves "
                   "nothing (certificates are public); next we check it against our trust store, and the "
                   "server must then prove it holds the leaf's private key.";
        else if (we_client && o->certs_sent == 0)
            text = "The server asked for a certificate, but we have none it accepts (no key store, or not "
                   "issued by a CA it named): we send an empty list (%s certificate%s) and the server decides.";
        else if (we_client)
            text = "The server asked for a certificate: we send the chain of our key store (%s certificate%s), "
                   "leaf first; our CertificateVerify will prove we hold the leaf's private key.";
        else if (o->certs_sent == 0)
            text = "The client sent an empty certificate list (%s certificate%s): it has no certificate for us. "
                   "Whether that is acceptable depends on our --client-auth mode.";
        else
            text = "The client sent its certificate chain (%s certificate%s). We check it against our trust "
                   "store for client use; its CertificateVerify must then prove it holds the leaf's key.";
        snprintf(buf, sizeof buf, text, f ? f : "?", f && strcmp(f, "1") == 0 ? "" : "s");
        say(o, buf);
        break;
    }
    case T_CERTIFICATE_STATUS:
        say(o, we_client ? "OCSP stapling: the server adds a response from its certificate's issuer (or a responder "
                           "the issuer delegated to), signed and dated, saying the certificate was not revoked. "
                           "We asked for it in our ClientHello (status_request); we check it is for the leaf we "
                           "just verified, signed by its issuer, and current. The server fetched it, so we need "
                           "not ask the CA ourselves (nor tell it which site we visit)."
                         : "OCSP stapling: the client asked for it (status_request), so after our certificate we "
                           "send the OCSP response we hold for it: its issuer's signed, dated statement that the "
                           "certificate was not revoked. We checked it when it was loaded, and that it has not "
                           "expired since.");
        break;
    case T_SERVER_KEY_EXCHANGE: {
        char g[64], sc[64], key[96];
        word(ev, "named_curve", g, sizeof g);
        word(ev, "signature_algorithm", sc, sizeof sc);
        f = field(ev, "signed_with");
        snprintf(key, sizeof key, "%s", f ? f : "?");
        if (we_client)
            snprintf(buf, sizeof buf,
                     "The server's ephemeral %s public key, made for this connection only, signed with %s by the "
                     "private key of the certificate we just verified (%s key). The signature covers both "
                     "randoms, so it cannot be replayed from another handshake; tern checks it with the leaf's "
                     "public key and stops here (decrypt_error) if it does not verify.",
                     g, sc, key);
        else
            snprintf(buf, sizeof buf,
                     "Our ephemeral %s public key, made for this connection only, signed with %s (chosen from the "
                     "client's signature_algorithms) by %s private key from our key store, over both randoms and "
                     "the key: this is what proves we own the certificate.",
                     g, sc, key);
        say(o, buf);
        break;
    }
    case T_SERVER_HELLO_DONE:
        say(o, we_client ? "The server has said everything for now: our turn."
                         : "We have said everything for now: the client's turn.");
        break;
    case T_CLIENT_KEY_EXCHANGE:
        if (field(ev, "encrypted_premaster") != NULL) {
            say(o, we_client ? "The RSA key exchange: we chose the 48-byte premaster secret at random and send it "
                               "encrypted to the public key of the server's certificate. Only the server can "
                               "decrypt it, which is how it proves it holds the certificate's key."
                             : "The RSA key exchange: the client's premaster secret, encrypted to our key store's "
                               "public key. We decrypt it in constant time; a bad ciphertext silently gives a "
                               "random premaster (RFC 5246 7.4.7.1), so the handshake fails at Finished instead "
                               "of telling an attacker why.");
            break;
        }
        word(ev, "group", groups, sizeof groups);
        snprintf(buf, sizeof buf,
                 we_client ? "Our own ephemeral %s public key. Both sides can now compute the same premaster "
                             "secret; someone who sees both public keys on the wire cannot."
                           : "The client's ephemeral %s public key. With our private half we compute the same "
                             "premaster secret the client did.",
                 groups[0] ? groups : "?");
        say(o, buf);
        break;
    case T_CCS:
        say(o, ev->sent ? "From the next record on, everything we send is encrypted and authenticated with the new "
                          "keys."
                        : "From the next record on, everything the peer sends is encrypted and authenticated.");
        break;
    case T_FINISHED:
        say(o, ev->sent ? "Our first encrypted message: verify_data = PRF(master secret, \"client finished\" or "
                          "\"server finished\", hash of every handshake message so far). If anyone changed a "
                          "single byte of the handshake, or the keys differ, the peer's check fails."
                        : "The peer's Finished, decrypted: tern computes the verify_data it expects from its own "
                          "transcript and compares them in constant time; the handshake stops (decrypt_error) "
                          "unless they match.");
        if (!ev->sent && (f = field(ev, "check")) != NULL) {
            snprintf(buf, sizeof buf, "Result: the peer's verify_data %s.", f);
            say(o, buf);
        }
        break;
    case T_NEW_SESSION_TICKET:
        say(o, ev->sent ? "We give the client a session ticket (RFC 5077): this session's state, encrypted under a "
                          "key only we hold. Presenting it later lets the client resume: a shorter handshake "
                          "without certificates or a new key exchange."
                        : "The server gives us a session ticket (RFC 5077): its own encrypted copy of this "
                          "session, opaque to us. We keep it with the master secret to resume later.");
        break;
    case T_CERTIFICATE_REQUEST:
        say(o, we_client ? "The server asks us for a certificate (mutual TLS): the kinds of key and signature "
                           "schemes it accepts, and the CAs it trusts."
                         : "We ask the client for a certificate (mutual TLS): the signature schemes we can check "
                           "and the CAs of our trust store.");
        break;
    case T_CERTIFICATE_VERIFY:
        say(o, ev->sent ? "We sign the hash of every handshake message so far with our key store's private key: "
                          "this proves we hold the key of the certificate we sent."
                        : "The client's signature over the handshake so far; we check it with the public key of "
                          "the certificate it sent (the handshake stops with decrypt_error if it does not verify).");
        break;
    default:
        break;
    }
}

void tool_trace_render(void *arg, const tern_trace_event *ev) {
    tool_obs *o = arg;
    char rfc[128];
    rfc_text(ev->rfc, rfc, sizeof rfc);
    switch (ev->kind) {
    case TERN_TRACE_MESSAGE:
        o->in_chain = 0;
        if (ev->msg_type == T_CLIENT_HELLO) { /* a new connection (a server serves many) */
            if (o->step > 0)
                fprintf(o->out, "[%s] ---- next connection ----\n", o->role);
            o->step = 0;
        }
        fprintf(o->out, "[%s] %2d. %s %s  (%s)\n", o->role, ++o->step, ev->sent ? "sent    " : "received",
                ev->name, rfc);
        explain_message(o, ev);
        show_fields(o, ev);
        if (o->hex)
            show_hex(o, ev->bytes, ev->len);
        break;
    case TERN_TRACE_CERT: {
        if (!o->in_chain) {
            fprintf(o->out, "[%s]      Checking the chain against the trust store (%s):\n", o->role, rfc);
            o->in_chain = 1;
        }
        char label[32];
        if (ev->index < 0)
            snprintf(label, sizeof label, "anchor");
        else
            snprintf(label, sizeof label, "cert %d", ev->index);
        const char *subj = field(ev, "subject"), *iss = field(ev, "issuer"), *valid = field(ev, "valid");
        const char *key = field(ev, "key");
        fprintf(o->out, "[%s]        [%s] %s: %s\n", o->role, label, ev->name, subj ? subj : "?");
        fprintf(o->out, "[%s]            issued by %s; valid %s; key %s\n", o->role, iss ? iss : "?",
                valid ? valid : "?", key ? key : "?");
        fprintf(o->out, "[%s]            %s%s\n", o->role, ev->status ? "REFUSED: " : "", ev->detail);
        break;
    }
    case TERN_TRACE_CHAIN:
        if (!o->in_chain && ev->status == 0 && strcmp(ev->name, "not verified") != 0)
            fprintf(o->out, "[%s]      Checking the chain against the trust store (%s):\n", o->role, rfc);
        o->in_chain = 0;
        {
            char buf[700];
            snprintf(buf, sizeof buf, "Verdict: %s%s: %s", ev->status ? "REFUSED, " : "", ev->name, ev->detail);
            say(o, buf);
        }
        break;
    case TERN_TRACE_KEYS:
        fprintf(o->out, "[%s]      key schedule: %s  (%s)\n", o->role, ev->name, rfc);
        say(o, ev->detail);
        break;
    case TERN_TRACE_ALERT:
        if (ev->sent)
            fprintf(o->out, "[%s]      alert sent: %s %s  (%s)\n", o->role, ev->index == 2 ? "fatal" : "warning",
                    ev->name, rfc);
        else
            fprintf(o->out, "[%s]      alert received: %s %s  (%s)\n", o->role,
                    ev->index == 2 ? "fatal" : "warning", ev->name, rfc);
        if (strcmp(ev->name, "close_notify") == 0)
            say(o, ev->sent ? "We are done sending: the orderly end of the connection (RFC 5246 \xc2\xa7"
                              "7.2.1), so the peer can tell it from a cut connection."
                            : "The peer is done sending: an orderly end, not a truncation.");
        else if (ev->sent && ev->detail[0]) {
            char buf[700];
            snprintf(buf, sizeof buf, "because: %s", ev->detail);
            say(o, buf);
        }
        break;
    case TERN_TRACE_CHECK: {
        char buf[700];
        snprintf(buf, sizeof buf, "%s: %s (%s): %s", ev->status ? "Check FAILED" : "Check", ev->name, rfc,
                 ev->detail);
        say(o, buf);
        if (strncmp(ev->name, "OCSP", 4) == 0)
            show_fields(o, ev); /* what the response said: status, dates, signer */
        break;
    }
    case TERN_TRACE_DONE:
        fprintf(o->out, "[%s] Handshake complete  (%s)\n", o->role, rfc);
        say(o, "Both Finished messages matched: both sides saw the same handshake and hold the same keys. "
               "Application data now flows in encrypted records.");
        show_fields(o, ev);
        break;
    default:
        break;
    }
    fflush(o->out);
}
