/*
 * The configuration: trust store, key store, suites, ALPN, limits, clock
 * and RNG.  Built once (this is the only place besides tern_client_new /
 * tern_server_new that allocates), then shared read-only by connections.
 */
#define TERN_LAYER TERN_LAYER_CONN
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/ct.h"
#include "crypto/rand.h"
#include "lib/conn.h"
#include "lib/x509/pkcs12.h"
#include "lib/x509/policy.h"

static int64_t clock_now(void *arg) {
    (void)arg;
    return (int64_t)time(NULL);
}

tern_config *tern_config_new(void) {
    tern_config *cfg = calloc(1, sizeof *cfg);
    if (cfg == NULL)
        return NULL;
    for (size_t i = 0; tern_suite_defaults[i] != 0; i++)
        cfg->suites[i] = tern_suite_defaults[i];
    cfg->record_size = TERN_MAX_PLAINTEXT;
    cfg->hs_max = 16384;
    cfg->ca_names_max = 4096;
    cfg->now = clock_now;
    cfg->rng = tern_rand_os;
    tern_truststore_init(&cfg->trust);
    tern_keystore_init(&cfg->keys);
    return cfg;
}

void tern_config_free(tern_config *cfg) {
    if (cfg == NULL)
        return;
    tern_truststore_free(&cfg->trust);
    tern_keystore_free(&cfg->keys);
    tern_identity_free_all(cfg);
    tern_staple_free_all(cfg);
    tern_sess_cfg_free(cfg->sess);
    for (size_t i = 0; i < cfg->npolicies; i++)
        free((void *)cfg->policies[i].p);
    free(cfg->policies);
    tern_wipe(cfg, sizeof *cfg);
    free(cfg);
}

TERN_MUST_CHECK static int set_msg(tern_config *cfg, int rc, const char *msg) {
    snprintf(cfg->errmsg, sizeof cfg->errmsg, "%s", msg && msg[0] ? msg : tern_strerror(rc));
    return rc;
}

int tern_config_load_truststore(tern_config *cfg, const char *path) {
    TERN_ENSURE(cfg != NULL && path != NULL, TERN_ERR_INVALID_ARG);
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(cfg->errmsg, sizeof cfg->errmsg, "trust store %s: cannot be read", path);
        return TERN_ERR_FILE;
    }
    int rc = S_ISDIR(st.st_mode) ? tern_truststore_load_dir(&cfg->trust, path)
                                 : tern_truststore_load_file(&cfg->trust, path);
    if (rc < 0)
        return set_msg(cfg, rc, cfg->trust.msg);
    return 0;
}

int tern_config_load_system_truststore(tern_config *cfg) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    int rc = tern_truststore_load_system(&cfg->trust);
    if (rc < 0)
        return set_msg(cfg, rc, "no system trust store found");
    return 0;
}

int tern_config_add_truststore_pem(tern_config *cfg, const uint8_t *pem, size_t len) {
    TERN_ENSURE(cfg != NULL && pem != NULL, TERN_ERR_INVALID_ARG);
    int rc = tern_truststore_add_pem(&cfg->trust, pem, len, NULL);
    if (rc < 0)
        return set_msg(cfg, rc, cfg->trust.msg);
    return 0;
}

/* ---- CRLs (lib/x509/crl.c; tern.h says what the modes mean) ---- */

int tern_config_load_crl(tern_config *cfg, const char *path) {
    TERN_ENSURE(cfg != NULL && path != NULL, TERN_ERR_INVALID_ARG);
    size_t bad = cfg->trust.crl_bad;
    int rc = tern_truststore_load_crl(&cfg->trust, path);
    if (rc < 0)
        return set_msg(cfg, rc, cfg->trust.msg);
    /* Some loaded, some skipped: the call succeeds, and says which. */
    snprintf(cfg->errmsg, sizeof cfg->errmsg, "%s", cfg->trust.crl_bad != bad ? cfg->trust.msg : "");
    return 0;
}

int tern_config_add_crl_pem(tern_config *cfg, const uint8_t *data, size_t len) {
    TERN_ENSURE(cfg != NULL && data != NULL, TERN_ERR_INVALID_ARG);
    size_t bad = cfg->trust.crl_bad;
    int rc = tern_truststore_add_crl_pem(&cfg->trust, data, len, NULL);
    if (rc < 0)
        return set_msg(cfg, rc, cfg->trust.msg);
    snprintf(cfg->errmsg, sizeof cfg->errmsg, "%s", cfg->trust.crl_bad != bad ? cfg->trust.msg : "");
    return 0;
}

int tern_config_set_crl_mode(tern_config *cfg, int mode) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(mode == TERN_CRL_IF_PRESENT || mode == TERN_CRL_REQUIRE, TERN_ERR_INVALID_ARG);
    cfg->crl_mode = mode;
    return 0;
}

void tern_config_x509_params(const tern_config *cfg, int purpose, int64_t now, const char *const *name,
                             tern_x509_params *p) {
    memset(p, 0, sizeof *p);
    p->purpose = purpose;
    p->now = now;
    if (name != NULL && *name != NULL) {
        p->names = name;
        p->n_names = 1;
    }
    if (cfg->crl_mode == TERN_CRL_REQUIRE)
        p->crl_mode = TERN_X509_CRL_REQUIRE;
    else if (cfg->crl_mode == TERN_CRL_IF_PRESENT || cfg->trust.n_crls > 0)
        p->crl_mode = TERN_X509_CRL_IF_PRESENT;
    else
        p->crl_mode = TERN_X509_CRL_OFF;
    tern_config_policy_params(cfg, p); /* certificate policies (lib/x509/policy.c) */
}

TERN_MUST_CHECK static int keystore_done(tern_config *cfg, int rc) {
    if (rc < 0)
        return set_msg(cfg, rc, cfg->keys.msg);
    /* RSA (ECDHE_RSA, RSA suites) or EC, P-256 or P-384 (ECDHE_ECDSA suites, RFC 8422). */
    if (cfg->keys.key_type != TERN_X509_KEY_RSA && cfg->keys.key_type != TERN_X509_KEY_EC) {
        tern_keystore_free(&cfg->keys);
        tern_keystore_init(&cfg->keys);
        return set_msg(cfg, TERN_ERR_UNSUPPORTED, "only RSA, P-256 and P-384 keys can be used by this version");
    }
    cfg->have_keys = 1;
    return 0;
}

int tern_config_load_keystore(tern_config *cfg, const char *chain_pem_path, const char *key_pem_path) {
    return tern_config_load_keystore_pw(cfg, chain_pem_path, key_pem_path, NULL);
}

void tern_config_set_password_cb(tern_config *cfg, tern_password_fn fn, void *arg) {
    if (cfg) {
        cfg->pw_fn = fn;
        cfg->pw_arg = arg;
    }
}

tern_keystore_pw tern_config_password(const tern_config *cfg, const char *password) {
    tern_keystore_pw pw = {password, password ? NULL : cfg->pw_fn, cfg->pw_arg};
    return pw;
}

int tern_config_load_keystore_pw(tern_config *cfg, const char *chain_pem_path, const char *key_pem_path,
                                 const char *password) {
    TERN_ENSURE(cfg != NULL && chain_pem_path != NULL && key_pem_path != NULL, TERN_ERR_INVALID_ARG);
    tern_keystore_free(&cfg->keys);
    tern_keystore_init(&cfg->keys);
    cfg->have_keys = 0;
    tern_keystore_pw pw = tern_config_password(cfg, password);
    return keystore_done(cfg, tern_keystore_load_files_pw(&cfg->keys, chain_pem_path, key_pem_path, &pw));
}

int tern_config_add_keystore_pem(tern_config *cfg, const uint8_t *chain, size_t chain_len, const uint8_t *key,
                                 size_t key_len) {
    TERN_ENSURE(cfg != NULL && chain != NULL && key != NULL, TERN_ERR_INVALID_ARG);
    tern_keystore_free(&cfg->keys);
    tern_keystore_init(&cfg->keys);
    cfg->have_keys = 0;
    tern_keystore_pw pw = tern_config_password(cfg, NULL);
    return keystore_done(cfg, tern_keystore_load_pem_pw(&cfg->keys, chain, chain_len, key, key_len, &pw));
}

/* ---- PKCS#12 files (lib/x509/pkcs12.c) ---- */

/* "path: msg" (or "" when msg is empty); a long path is cut (vsnprintf
 * keeps gcc's -Wformat-truncation out of intended truncation). */
static void path_msg(char *out, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out, cap, fmt, ap);
    va_end(ap);
}

/* The file and its password: password, else the password callback, else
 * none (an empty password).  The caller wipes and frees *der and pw. */
TERN_MUST_CHECK static int p12_open(tern_config *cfg, const char *path, const char *password, uint8_t **der,
                                    size_t *len, char pw[1024], size_t *pwlen) {
    int rc = tern_p12_read_file(path, der, len);
    if (rc < 0) {
        snprintf(cfg->errmsg, sizeof cfg->errmsg, "%s: cannot be read", path);
        return rc;
    }
    *pwlen = 0;
    if (password != NULL) {
        *pwlen = strlen(password);
        if (*pwlen >= 1024)
            rc = TERN_ERR_INVALID_ARG;
        else
            memcpy(pw, password, *pwlen);
    } else if (cfg->pw_fn != NULL) {
        int got = cfg->pw_fn(cfg->pw_arg, pw, 1024);
        if (got < 0 || got >= 1024)
            rc = TERN_ERR_INVALID_ARG;
        else
            *pwlen = (size_t)got;
    }
    if (rc < 0) {
        path_msg(cfg->errmsg, sizeof cfg->errmsg, "%s: %s", path,
                 password != NULL ? "the password is longer than 1023 bytes" : "the password callback gave none");
        tern_wipe(*der, *len);
        free(*der);
    }
    return rc;
}

static void p12_close(uint8_t *der, size_t len, char pw[1024]) {
    tern_wipe(der, len);
    free(der);
    tern_wipe(pw, 1024);
}

int tern_config_load_keystore_p12_named(tern_config *cfg, const char *path, const char *password,
                                        const char *friendly_name) {
    TERN_ENSURE(cfg != NULL && path != NULL, TERN_ERR_INVALID_ARG);
    uint8_t *der;
    size_t len, pwlen;
    char pw[1024];
    TERN_TRY(p12_open(cfg, path, password, &der, &len, pw, &pwlen));
    tern_keystore_free(&cfg->keys);
    cfg->have_keys = 0;
    int rc = tern_p12_keystore(&cfg->keys, der, len, (const uint8_t *)pw, pwlen, friendly_name);
    p12_close(der, len, pw);
    /* ks->msg: why it failed, or on success "" or a note (no MAC) to pass
     * on; either way prefixed with the file's name. */
    char msg[sizeof cfg->keys.msg];
    snprintf(msg, sizeof msg, "%s", cfg->keys.msg);
    rc = keystore_done(cfg, rc);
    if (msg[0] || rc == 0)
        path_msg(cfg->errmsg, sizeof cfg->errmsg, "%s%s%s", msg[0] ? path : "", msg[0] ? ": " : "", msg);
    return rc;
}

int tern_config_load_keystore_p12(tern_config *cfg, const char *path, const char *password) {
    return tern_config_load_keystore_p12_named(cfg, path, password, NULL);
}

int tern_config_load_truststore_p12(tern_config *cfg, const char *path, const char *password) {
    TERN_ENSURE(cfg != NULL && path != NULL, TERN_ERR_INVALID_ARG);
    uint8_t *der;
    size_t len, pwlen;
    char pw[1024], msg[256];
    TERN_TRY(p12_open(cfg, path, password, &der, &len, pw, &pwlen));
    int rc = tern_p12_truststore(&cfg->trust, der, len, (const uint8_t *)pw, pwlen, msg, sizeof msg);
    p12_close(der, len, pw);
    path_msg(cfg->errmsg, sizeof cfg->errmsg, "%s%s%s", msg[0] ? path : "", msg[0] ? ": " : "", msg);
    return rc < 0 ? rc : 0;
}

const char *tern_config_error(const tern_config *cfg) {
    return cfg ? cfg->errmsg : "";
}

int tern_config_set_alpn(tern_config *cfg, const char *protocols) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    uint8_t wire[TERN_ALPN_MAX];
    size_t n = 0;
    if (protocols != NULL && protocols[0] != '\0') {
        const char *p = protocols;
        for (;;) {
            const char *end = strchr(p, ',');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            /* RFC 7301 §3.1: names are 1..255 bytes; the list must fit our
             * buffer (255 bytes is plenty for real lists). */
            TERN_ENSURE(len >= 1 && len <= 255 && n + 1 + len < sizeof wire, TERN_ERR_INVALID_ARG);
            wire[n++] = (uint8_t)len;
            memcpy(wire + n, p, len);
            n += len;
            if (end == NULL)
                break;
            p = end + 1;
        }
    }
    memcpy(cfg->alpn, wire, n);
    cfg->alpn_len = n;
    return 0;
}

int tern_config_set_cipher_suites(tern_config *cfg, const char *list) {
    TERN_ENSURE(cfg != NULL && list != NULL, TERN_ERR_INVALID_ARG);
    uint16_t ids[TERN_SUITE_MAX + 1];
    size_t n = 0;
    const char *p = list;
    while (*p != '\0') {
        size_t len = strcspn(p, ":,");
        if (len > 0) {
            const tern_suite *s = tern_suite_by_name(p, len);
            TERN_ENSURE(s != NULL, TERN_ERR_INVALID_ARG);
            int dup = 0;
            for (size_t i = 0; i < n; i++)
                dup |= ids[i] == s->id;
            if (!dup) {
                TERN_ENSURE(n < TERN_SUITE_MAX, TERN_ERR_INVALID_ARG);
                ids[n++] = s->id;
            }
        }
        p += len;
        if (*p != '\0')
            p++;
    }
    TERN_ENSURE(n > 0, TERN_ERR_INVALID_ARG);
    ids[n] = 0;
    memcpy(cfg->suites, ids, (n + 1) * sizeof ids[0]);
    return 0;
}

void tern_config_require_extended_master_secret(tern_config *cfg, int require) {
    if (cfg != NULL)
        cfg->require_ems = require != 0;
}

int tern_config_set_buffer_sizes(tern_config *cfg, size_t record_size, size_t hs_max) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(record_size >= 512 && record_size <= TERN_MAX_PLAINTEXT, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(hs_max >= 4096 && hs_max <= (1u << 20), TERN_ERR_INVALID_ARG);
    cfg->record_size = record_size;
    cfg->hs_max = hs_max;
    return 0;
}

void tern_config_set_clock(tern_config *cfg, int64_t (*now)(void *arg), void *arg) {
    if (cfg == NULL)
        return;
    cfg->now = now ? now : clock_now;
    cfg->now_arg = arg;
}

void tern_config_set_rng(tern_config *cfg, tern_rng_fn fill, void *arg) {
    if (cfg == NULL)
        return;
    cfg->rng = fill ? fill : tern_rand_os;
    cfg->rng_arg = arg;
}

void tern_config_insecure_skip_verify(tern_config *cfg) {
    if (cfg != NULL)
        cfg->skip_verify = 1;
}

int tern_config_set_client_auth(tern_config *cfg, int mode) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    TERN_ENSURE(mode == TERN_CLIENT_AUTH_NONE || mode == TERN_CLIENT_AUTH_OPTIONAL || mode == TERN_CLIENT_AUTH_REQUIRED,
                TERN_ERR_INVALID_ARG);
    cfg->client_auth = mode;
    return 0;
}

int tern_config_set_client_ca_names(tern_config *cfg, size_t max_bytes) {
    TERN_ENSURE(cfg != NULL && max_bytes <= 0xffff, TERN_ERR_INVALID_ARG);
    cfg->ca_names_max = max_bytes;
    return 0;
}

/* ---- certificate policies (RFC 5280 §6.1.1 (c), (e)-(g)) ---- */

int tern_config_add_policy(tern_config *cfg, const char *oid) {
    TERN_ENSURE(cfg != NULL && oid != NULL, TERN_ERR_INVALID_ARG);
    uint8_t der[64];
    int len = tern_x509_oid_from_text(oid, der, sizeof der);
    if (len < 0)
        return set_msg(cfg, TERN_ERR_INVALID_ARG, "a certificate policy must be a dotted OID such as 2.23.140.1.2.1");
    tern_span s = {der, (size_t)len};
    if (tern_der_oid_eq(s, tern_oid_any_policy, sizeof tern_oid_any_policy))
        return set_msg(cfg, TERN_ERR_INVALID_ARG,
                       "anyPolicy is what an empty set of certificate policies means; add none for it");
    for (size_t i = 0; i < cfg->npolicies; i++)
        if (tern_der_oid_eq(cfg->policies[i], der, (size_t)len))
            return 0;
    if (cfg->npolicies == TERN_POLICY_MAX) {
        snprintf(cfg->errmsg, sizeof cfg->errmsg, "at most %d certificate policies can be added", TERN_POLICY_MAX);
        return TERN_ERR_LIMIT;
    }
    if (cfg->policies == NULL) {
        cfg->policies = calloc(TERN_POLICY_MAX, sizeof *cfg->policies);
        if (cfg->policies == NULL)
            return TERN_ERR_NOMEM;
    }
    uint8_t *copy = malloc((size_t)len);
    if (copy == NULL)
        return TERN_ERR_NOMEM;
    memcpy(copy, der, (size_t)len);
    cfg->policies[cfg->npolicies].p = copy;
    cfg->policies[cfg->npolicies].len = (size_t)len;
    cfg->npolicies++;
    return 0;
}

int tern_config_set_policy_flags(tern_config *cfg, unsigned flags) {
    TERN_ENSURE(cfg != NULL, TERN_ERR_INVALID_ARG);
    TERN_ENSURE((flags & ~(TERN_POLICY_REQUIRE_EXPLICIT | TERN_POLICY_INHIBIT_MAPPING | TERN_POLICY_INHIBIT_ANY)) == 0,
                TERN_ERR_INVALID_ARG);
    cfg->policy_flags = flags;
    return 0;
}

void tern_config_policy_params(const tern_config *cfg, tern_x509_params *p) {
    p->policies = cfg->policies;
    p->n_policies = cfg->npolicies;
    p->require_explicit_policy = (cfg->policy_flags & TERN_POLICY_REQUIRE_EXPLICIT) != 0;
    p->inhibit_policy_mapping = (cfg->policy_flags & TERN_POLICY_INHIBIT_MAPPING) != 0;
    p->inhibit_any_policy = (cfg->policy_flags & TERN_POLICY_INHIBIT_ANY) != 0;
}
