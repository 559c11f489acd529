/*
 * Several identities in one configuration: the default key store
 * (tern_config_load_keystore) plus more added with tern_config_add_identity,
 * each with an RSA key or an ECDSA key on P-256 or P-384.
 *
 * Server: the negotiation (lib/negotiate.c) picks one for the suite it
 * chooses: among the identities whose key the suite's certificate needs
 * (RSA, or EC on a curve the client admits), in the order added, default
 * first, the one whose leaf certificate matches the requested server_name
 * (RFC 6066 §3; the same name rules as the client's check,
 * lib/x509/name.c); without SNI, or when none matches, the first of them
 * (the client then decides whether the name fits).
 *
 * Client: a CertificateRequest picks the first identity whose chain was
 * issued by a CA the server names (lib/hs_certificate_request.c).
 */
#define TERN_LAYER TERN_LAYER_CONN
#include <stdio.h>
#include <stdlib.h>

#include "lib/conn.h"

const tern_keystore *tern_conn_keys(const tern_conn *c) {
    return c->keys != NULL ? c->keys : &c->cfg->keys;
}

const tern_keystore *tern_identity_at(const tern_config *cfg, size_t i) {
    if (!cfg->have_keys)
        return NULL;
    if (i == 0)
        return &cfg->keys;
    return i - 1 < cfg->nmore_keys ? cfg->more_keys[i - 1] : NULL;
}

TERN_MUST_CHECK static int add_identity(tern_config *cfg, tern_keystore *ks, int rc) {
    if (rc == 0 && ks->key_type != TERN_X509_KEY_RSA && ks->key_type != TERN_X509_KEY_EC) {
        rc = TERN_ERR_UNSUPPORTED; /* EC keys (P-256, P-384) serve the ECDHE_ECDSA suites (lib/sig.c) */
        snprintf(ks->msg, sizeof ks->msg, "only RSA, P-256 and P-384 keys can be used by this version");
    }
    if (rc == 0 && cfg->nmore_keys >= 15) {
        rc = TERN_ERR_LIMIT;
        snprintf(ks->msg, sizeof ks->msg, "at most 16 identities");
    }
    tern_keystore **grown = NULL;
    if (rc == 0) {
        grown = realloc(cfg->more_keys, (cfg->nmore_keys + 1) * sizeof *grown);
        if (grown == NULL)
            rc = TERN_ERR_NOMEM;
    }
    if (rc < 0) {
        snprintf(cfg->errmsg, sizeof cfg->errmsg, "%s", ks->msg[0] ? ks->msg : tern_strerror(rc));
        tern_keystore_free(ks);
        free(ks);
        return rc;
    }
    cfg->more_keys = grown;
    cfg->more_keys[cfg->nmore_keys++] = ks;
    return 0;
}

int tern_config_add_identity(tern_config *cfg, const char *chain_pem_path, const char *key_pem_path) {
    TERN_ENSURE(cfg != NULL && chain_pem_path != NULL && key_pem_path != NULL, TERN_ERR_INVALID_ARG);
    if (!cfg->have_keys)
        return tern_config_load_keystore(cfg, chain_pem_path, key_pem_path);
    tern_keystore *ks = malloc(sizeof *ks);
    TERN_ENSURE(ks != NULL, TERN_ERR_NOMEM);
    tern_keystore_init(ks);
    tern_keystore_pw pw = tern_config_password(cfg, NULL); /* encrypted keys: the password callback */
    return add_identity(cfg, ks, tern_keystore_load_files_pw(ks, chain_pem_path, key_pem_path, &pw));
}

int tern_config_add_identity_pem(tern_config *cfg, const uint8_t *chain, size_t chain_len, const uint8_t *key,
                                 size_t key_len) {
    TERN_ENSURE(cfg != NULL && chain != NULL && key != NULL, TERN_ERR_INVALID_ARG);
    if (!cfg->have_keys)
        return tern_config_add_keystore_pem(cfg, chain, chain_len, key, key_len);
    tern_keystore *ks = malloc(sizeof *ks);
    TERN_ENSURE(ks != NULL, TERN_ERR_NOMEM);
    tern_keystore_init(ks);
    tern_keystore_pw pw = tern_config_password(cfg, NULL);
    return add_identity(cfg, ks, tern_keystore_load_pem_pw(ks, chain, chain_len, key, key_len, &pw));
}

void tern_identity_free_all(tern_config *cfg) {
    for (size_t i = 0; i < cfg->nmore_keys; i++) {
        tern_keystore_free(cfg->more_keys[i]);
        free(cfg->more_keys[i]);
    }
    free(cfg->more_keys);
    cfg->more_keys = NULL;
    cfg->nmore_keys = 0;
}
