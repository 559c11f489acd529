/*
 * `tern verify`: check a certificate chain the way a TLS handshake would
 * (RFC 5280 §6 path validation, RFC 9525 name check, lib/x509/verify.c),
 * and show the work: the certificates read, the path built from the leaf
 * to an anchor in the trust store, each certificate's verdict, and the
 * final verdict.  Exit 0 only when the chain is valid.
 *
 *   tern verify --truststore FILE|DIR [--system] [--name N]...
 *               [--purpose server|client] [--at TIME] [--max-depth N]
 *               [--key-usage LIST] [--eku LIST] [--crl FILE|DIR ...]
 *               [--crl-mode require|if-present] [--policy OID]...
 *               [--require-explicit-policy] [--inhibit-policy-mapping]
 *               [--inhibit-any-policy] [--ocsp RESPONSE.der] CHAIN.pem
 *
 * With --ocsp, a DER OCSP response (RFC 6960, e.g. `openssl ocsp -respout`)
 * is checked for the leaf and its issuer on the path (lib/x509/ocsp.h), as
 * a client checks a stapled one; the chain is valid only if it says good.
 *
 * Every input of tern_x509_params has its flag, so any case of a test
 * suite such as x509-limbo can be replayed from the command line.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "crypto/ct.h"
#include "lib/x509/ocsp.h"
#include "lib/x509/pem.h"
#include "lib/x509/policy.h"
#include "lib/x509/verify.h"
#include "tools/tool.h"

#define MAX_NAMES 16

static void verify_usage(void) {
    fprintf(stderr,
            "usage: tern verify --truststore FILE|DIR [--system] [--name NAME]... [--purpose server|client]\n"
            "                   [--at TIME] [--max-depth N] [--key-usage LIST] [--eku LIST]\n"
            "                   [--crl FILE|DIR]... [--crl-mode require|if-present]\n"
            "                   [--policy OID]... [--require-explicit-policy]\n"
            "                   [--inhibit-policy-mapping] [--inhibit-any-policy] [--ocsp RESPONSE.der]\n"
            "                   CHAIN.pem\n"
            "Builds a path from the first certificate of CHAIN.pem (the leaf; the others may come in any\n"
            "order) to a certificate of the trust store, checks every certificate on it and the anchor\n"
            "(signature, validity at TIME, the RFC 5280 profile, CA constraints, extKeyUsage for the\n"
            "purpose) and, with --name, that the leaf names NAME (a DNS name or an IP address; repeat\n"
            "--name for several, each of which must match).  TIME: Unix seconds, YYYY-MM-DD or\n"
            "YYYY-MM-DDTHH:MM:SSZ (UTC); default now.  --max-depth N: at most N intermediates between\n"
            "the leaf and the anchor (self-issued ones not counted; default and most %d).\n"
            "--key-usage LIST: keyUsage bits the leaf must allow, comma-separated (digitalSignature,\n"
            "nonRepudiation, keyEncipherment, dataEncipherment, keyAgreement, keyCertSign, cRLSign,\n"
            "encipherOnly, decipherOnly); a TLS handshake asks for the bit its key exchange needs.\n"
            "--eku LIST: extKeyUsage purposes the leaf must allow beyond the purpose's (serverAuth,\n"
            "clientAuth).  --system adds the system trust store.\n"
            "--crl (repeatable) loads CRLs (PEM or DER, a file or a directory) and checks every certificate\n"
            "on the path but the anchor against its issuer's CRL (RFC 5280 §6.3).  --crl-mode if-present\n"
            "(the default with --crl) accepts a certificate whose issuer has no CRL; require refuses it.  A\n"
            "loaded CRL that is stale or badly signed refuses its issuer's certificates in both modes.\n"
            "Certificate policies (RFC 5280 §6.1): --policy OID (repeatable) adds an acceptable policy,\n"
            "which decides once an explicit policy is required (--require-explicit-policy, or a CA's\n"
            "policyConstraints); --inhibit-policy-mapping and --inhibit-any-policy set the other two\n"
            "initial inputs.\n"
            "--ocsp RESPONSE.der: once the path is valid, check this DER OCSP response (RFC 6960) for the\n"
            "leaf and its issuer on the path at TIME, as a TLS client checks a stapled one: signed by the\n"
            "issuer or by a responder it delegated to (id-kp-OCSPSigning), current (%d seconds of clock\n"
            "skew allowed), and saying good; revoked, unknown or a refused response refuses the chain.\n"
            "Exit codes: 0 the chain is valid; 1 it is refused (the certificate and the reason are\n"
            "printed); 2 usage error or unreadable files.\n",
            TERN_X509_MAX_DEPTH - 1, TERN_OCSP_SKEW);
}

static const char *const ku_names[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                       "dataEncipherment", "keyAgreement",   "keyCertSign",
                                       "cRLSign",          "encipherOnly",   "decipherOnly"};
/* In TERN_X509_EKU_* bit order. */
static const char *const eku_names[] = {"serverAuth", "clientAuth"};

/* A comma-separated list of names to bits (bit i for names[i]); -1 and a
 * message for an unknown name. */
static long parse_list(const char *flag, const char *list, const char *const *names, size_t n) {
    unsigned long bits = 0;
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        while (k < n && !(strlen(names[k]) == len && strncmp(p, names[k], len) == 0))
            k++;
        if (k == n) {
            fprintf(stderr, "tern verify: %s: \"%.*s\" is not one of", flag, (int)len, p);
            for (size_t i = 0; i < n; i++)
                fprintf(stderr, "%s %s", i ? "," : "", names[i]);
            fprintf(stderr, "\n");
            return -1;
        }
        bits |= 1ul << k;
        if (p[len] == 0)
            return (long)bits;
        p += len + 1;
    }
}

/* The check a refusal belongs to, for the verdict's "check:" line. */
static const char *check_of(int rc) {
    switch (rc) {
    case TERN_ERR_CERT_EXPIRED: return "validity period";
    case TERN_ERR_CERT_SIGNATURE: return "signature";
    case TERN_ERR_CERT_UNSUPPORTED: return "algorithms and key sizes";
    case TERN_ERR_CERT_NOT_CA: return "CA constraints (basicConstraints, keyUsage keyCertSign)";
    case TERN_ERR_CERT_PATH_LEN: return "pathLenConstraint";
    case TERN_ERR_CERT_PURPOSE: return "key usage and extended key usage";
    case TERN_ERR_CERT_CRITICAL_EXT: return "critical extensions";
    case TERN_ERR_CERT_NAME: return "name (RFC 9525) or name constraints";
    case TERN_ERR_CERT_CHAIN_TOO_LONG: return "path length and work limits";
    case TERN_ERR_CERT_UNKNOWN_CA: return "path building (no issuer leads to the trust store)";
    case TERN_ERR_CERT_BAD: return "certificate profile (RFC 5280 §4) and encoding";
    case TERN_ERR_CERT_REVOKED: return "revocation (CRL)";
    case TERN_ERR_CERT_REVOCATION_UNKNOWN: return "revocation (no usable CRL)";
    case TERN_ERR_CERT_POLICY: return "certificate policies (RFC 5280 §6.1)";
    default: return "certificate verification";
    }
}

static int parse_time(const char *s, int64_t *out) {
    char *end;
    if (*s == '@')
        s++;
    long long v = strtoll(s, &end, 10);
    if (*end == '\0' && end != s) {
        *out = v;
        return 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    char tail[8] = "";
    int n = sscanf(s, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%7s", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                   &tm.tm_min, &tm.tm_sec, tail);
    if (n != 3 && n != 6 && !(n == 7 && strcmp(tail, "Z") == 0))
        return -1;
    if (n == 3 && strlen(s) != 10)
        return -1;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

static void date_text(int64_t t, char *out, size_t cap) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
        snprintf(out, cap, "%lld", (long long)t);
}

static void describe(const char *label, const tern_x509_cert *c) {
    char subj[256], iss[256], nb[40], na[40];
    tern_x509_name_display(c->subject, subj, sizeof subj);
    tern_x509_name_display(c->issuer, iss, sizeof iss);
    date_text(c->not_before, nb, sizeof nb);
    date_text(c->not_after, na, sizeof na);
    printf("  %-8s %s\n", label, subj);
    printf("           issuer %s\n", iss);
    printf("           valid %s .. %s; %s %zu-bit key%s\n", nb, na,
           c->key.type == TERN_X509_KEY_RSA ? "RSA" : c->key.type == TERN_X509_KEY_EC ? "EC" : "unknown",
           c->key.bits, c->has_basic_constraints && c->is_ca ? "; a CA" : "");
    if (c->must_staple)
        printf("           must-staple (TLS Feature status_request, RFC 7633)\n");
    if (c->has_eku && (c->eku & TERN_X509_EKU_OCSP_SIGNING))
        printf("           an OCSP responder (extKeyUsage id-kp-OCSPSigning)\n");
}

static uint8_t *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 65536, n = 0;
    uint8_t *buf = malloc(cap);
    while (buf != NULL) {
        size_t k = fread(buf + n, 1, cap - n, f);
        n += k;
        if (k == 0)
            break;
        if (n == cap) {
            if (cap >= ((size_t)16 << 20)) { /* 16 MB: not a certificate chain */
                free(buf);
                buf = NULL;
                break;
            }
            uint8_t *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    *len = n;
    return buf;
}

/* --ocsp: check the response for the leaf and the next certificate on the
 * path (or the anchor).  Prints what it finds; 0 when the response says
 * good, else 1 after printing the verdict. */
static int check_ocsp(const char *path, uint8_t **der, uint8_t *const *ders, const size_t *lens, size_t n,
                      const tern_x509_result *res, int64_t at) {
    size_t len = 0;
    tern_x509_cert leaf, up;
    const tern_x509_cert *issuer = NULL;
    *der = slurp(path, &len);
    if (*der == NULL) {
        printf("verdict: REFUSED: the OCSP response %s cannot be read\n", path);
        return 1;
    }
    if (n == 0 || res->path_n == 0 || tern_x509_parse(&leaf, ders[res->path[0]], lens[res->path[0]]) != 0)
        return 1;
    if (res->path_n >= 2 && res->path[1] < n && tern_x509_parse(&up, ders[res->path[1]], lens[res->path[1]]) == 0)
        issuer = &up;
    else if (res->anchor != NULL)
        issuer = &res->anchor->cert;
    if (issuer == NULL) {
        printf("verdict: REFUSED: the leaf's issuer is not known, so the OCSP response cannot be checked\n");
        return 1;
    }
    tern_ocsp_info info;
    char msg[400], t[40];
    int rc = tern_ocsp_check(*der, len, &leaf, issuer, at, &info, msg, sizeof msg);
    printf("OCSP response: %zu bytes from %s\n", len, path);
    if (rc == 0 || rc == TERN_ERR_CERT_REVOKED || rc == TERN_ERR_CERT_REVOCATION_UNKNOWN) {
        date_text(info.produced_at, t, sizeof t);
        printf("  signed by %s, produced %s\n", info.delegated ? "a delegated responder" : "the issuer", t);
        date_text(info.this_update, t, sizeof t);
        printf("  for serial %s: %s; this update %s", info.serial_hex,
               info.cert_status == TERN_OCSP_GOOD      ? "good"
               : info.cert_status == TERN_OCSP_REVOKED ? "revoked"
                                                       : "unknown",
               t);
        if (info.next_update) {
            date_text(info.next_update, t, sizeof t);
            printf(", next update %s", t);
        }
        printf("\n");
    }
    if (rc == 0) {
        printf("  ok: the stapled OCSP response says the certificate (serial %s) is good\n", info.serial_hex);
        return 0;
    }
    printf("check: OCSP response (RFC 6960)\n");
    printf("verdict: REFUSED: %s\n", msg);
    printf("error: %s\n", tern_strerror(rc));
    return 1;
}

int tool_verify_main(int argc, char **argv) {
    const char *trust = NULL, *chain_path = NULL, *ocsp_path = NULL;
    uint8_t *ocsp_der = NULL;
    const char *names[MAX_NAMES];
    size_t n_names = 0;
    const char *crl_paths[16];
    size_t n_crl = 0;
    int purpose = TERN_X509_PURPOSE_SERVER, sys = 0, crl_mode = 0;
    int64_t at = (int64_t)time(NULL);
    tern_x509_params params;
    memset(&params, 0, sizeof params);
    /* Certificate policies: the user-initial-policy-set and the flags. */
    enum { MAX_POLICIES = 16 };
    uint8_t pol_der[MAX_POLICIES][64];
    tern_span pols[MAX_POLICIES];
    const char *pol_text[MAX_POLICIES];
    size_t npols = 0;
    int req_explicit = 0, inh_mapping = 0, inh_any = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--policy") == 0 && i + 1 < argc) {
            int len = tern_x509_oid_from_text(argv[++i], pol_der[npols < MAX_POLICIES ? npols : 0], 64);
            if (len < 0 || npols == MAX_POLICIES) {
                fprintf(stderr, "tern verify: --policy %s: %s\n", argv[i],
                        len < 0 ? "expected a dotted OID such as 2.23.140.1.2.1" : "at most 16 policies");
                return 2;
            }
            pols[npols].p = pol_der[npols];
            pols[npols].len = (size_t)len;
            pol_text[npols++] = argv[i];
            continue;
        } else if (strcmp(argv[i], "--require-explicit-policy") == 0) {
            req_explicit = 1;
            continue;
        } else if (strcmp(argv[i], "--inhibit-policy-mapping") == 0) {
            inh_mapping = 1;
            continue;
        } else if (strcmp(argv[i], "--inhibit-any-policy") == 0) {
            inh_any = 1;
            continue;
        }
        if (strcmp(argv[i], "--help") == 0) {
            verify_usage();
            return 0;
        } else if (strcmp(argv[i], "--truststore") == 0 && i + 1 < argc) {
            trust = argv[++i];
        } else if (strcmp(argv[i], "--system") == 0) {
            sys = 1;
        } else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc) {
            if (n_names == MAX_NAMES) {
                fprintf(stderr, "tern verify: at most %d --name\n", MAX_NAMES);
                return 2;
            }
            names[n_names++] = argv[++i];
        } else if (strcmp(argv[i], "--purpose") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "server") == 0)
                purpose = TERN_X509_PURPOSE_SERVER;
            else if (strcmp(argv[i], "client") == 0)
                purpose = TERN_X509_PURPOSE_CLIENT;
            else {
                fprintf(stderr, "tern verify: --purpose is server or client, not %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--crl") == 0 && i + 1 < argc) {
            if (n_crl == sizeof crl_paths / sizeof *crl_paths) {
                fprintf(stderr, "tern verify: at most %zu --crl options\n", sizeof crl_paths / sizeof *crl_paths);
                return 2;
            }
            crl_paths[n_crl++] = argv[++i];
        } else if (strcmp(argv[i], "--ocsp") == 0 && i + 1 < argc && ocsp_path == NULL) {
            ocsp_path = argv[++i];
        } else if (strcmp(argv[i], "--crl-mode") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "require") == 0)
                crl_mode = TERN_X509_CRL_REQUIRE;
            else if (strcmp(argv[i], "if-present") == 0)
                crl_mode = TERN_X509_CRL_IF_PRESENT;
            else {
                fprintf(stderr, "tern verify: --crl-mode is require or if-present, not %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            if (parse_time(argv[++i], &at) != 0) {
                fprintf(stderr, "tern verify: --at %s: expected Unix seconds, YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ\n",
                        argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--max-depth") == 0 && i + 1 < argc) {
            char *end;
            long d = strtol(argv[++i], &end, 10);
            if (*end != '\0' || end == argv[i] || d < 0) {
                fprintf(stderr, "tern verify: --max-depth %s: expected a number of intermediates (0 or more)\n",
                        argv[i]);
                return 2;
            }
            /* tern_x509_params counts the leaf too. */
            params.max_depth = d >= TERN_X509_MAX_DEPTH ? TERN_X509_MAX_DEPTH : (size_t)d + 1;
        } else if (strcmp(argv[i], "--key-usage") == 0 && i + 1 < argc) {
            long bits = parse_list("--key-usage", argv[++i], ku_names, TERN_ARRAY_LEN(ku_names));
            if (bits < 0)
                return 2;
            params.key_usage = (unsigned)bits;
        } else if (strcmp(argv[i], "--eku") == 0 && i + 1 < argc) {
            long bits = parse_list("--eku", argv[++i], eku_names, TERN_ARRAY_LEN(eku_names));
            if (bits < 0)
                return 2;
            params.eku = (unsigned)bits;
        } else if (argv[i][0] != '-' && chain_path == NULL) {
            chain_path = argv[i];
        } else {
            verify_usage();
            return 2;
        }
    }
    if (chain_path == NULL || (trust == NULL && !sys)) {
        verify_usage();
        return 2;
    }

    /* 1. The trust store: whom we believe. */
    tern_truststore ts;
    tern_truststore_init(&ts);
    int status = 2;
    uint8_t *pem = NULL;
    uint8_t **ders = NULL;
    size_t *lens = NULL;
    size_t n = 0, cap = 0;
    if (trust != NULL) {
        struct stat st;
        int rc = stat(trust, &st) != 0 ? TERN_ERR_FILE
                 : S_ISDIR(st.st_mode) ? tern_truststore_load_dir(&ts, trust)
                                       : tern_truststore_load_file(&ts, trust);
        if (rc < 0) {
            fprintf(stderr, "tern verify: trust store %s: %s\n", trust, ts.msg[0] ? ts.msg : tern_strerror(rc));
            goto out;
        }
    }
    if (sys && tern_truststore_load_system(&ts) < 0) {
        fprintf(stderr, "tern verify: no system trust store found\n");
        goto out;
    }
    printf("trust store: %zu certificate%s%s%s%s\n", ts.n, ts.n == 1 ? "" : "s", trust ? " from " : "",
           trust ? trust : "", sys ? (trust ? " and the system store" : " from the system store") : "");
    if (ts.bad > 0)
        printf("  (%zu entr%s skipped: %s)\n", ts.bad, ts.bad == 1 ? "y" : "ies", ts.msg);
    /* CRLs (RFC 5280 §5): loading any turns checking on. */
    for (size_t k = 0; k < n_crl; k++) {
        size_t bad = ts.crl_bad;
        int rc = tern_truststore_load_crl(&ts, crl_paths[k]);
        if (rc < 0) {
            fprintf(stderr, "tern verify: CRL %s: %s\n", crl_paths[k], ts.msg[0] ? ts.msg : tern_strerror(rc));
            goto out;
        }
        if (ts.crl_bad != bad)
            printf("  (CRL skipped: %s)\n", ts.msg);
    }
    if (crl_mode == 0 && ts.n_crls > 0)
        crl_mode = TERN_X509_CRL_IF_PRESENT;
    if (crl_mode != 0) {
        printf("CRLs: %zu loaded; revocation checked (%s)\n", ts.n_crls,
               crl_mode == TERN_X509_CRL_REQUIRE ? "required for every certificate on the path"
                                                 : "where the issuer has a CRL");
        for (size_t k = 0; k < ts.n_crls; k++) {
            const tern_crl *c = &ts.crls[k].crl;
            char iss[256], tu[40], nu[40];
            tern_x509_name_display(c->issuer, iss, sizeof iss);
            date_text(c->this_update, tu, sizeof tu);
            if (c->has_next_update)
                date_text(c->next_update, nu, sizeof nu);
            printf("  CRL of %s: %zu revoked, issued %s%s%s\n", iss, c->n_entries, tu,
                   c->has_next_update ? ", next update " : ", no next update", c->has_next_update ? nu : "");
        }
    }

    /* 2. The chain, as a peer would send it: leaf first.  Every block is
     * read (the file is at most 16 MB): a list longer than a peer may
     * send is the verifier's to refuse, with a verdict, not a usage
     * error. */
    size_t len = 0;
    pem = slurp(chain_path, &len);
    if (pem == NULL) {
        fprintf(stderr, "tern verify: %s: cannot be read\n", chain_path);
        goto out;
    }
    tern_pem_reader r;
    tern_pem_block b;
    tern_pem_init(&r, pem, len);
    int more;
    while ((more = tern_pem_next(&r, &b)) == 1) {
        if (strcmp(b.label, "CERTIFICATE") != 0)
            continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 16;
            uint8_t **nd = realloc(ders, ncap * sizeof *nd);
            if (nd != NULL)
                ders = nd;
            size_t *nl = realloc(lens, ncap * sizeof *nl);
            if (nl != NULL)
                lens = nl;
            if (nd == NULL || nl == NULL) {
                fprintf(stderr, "tern verify: out of memory\n");
                goto out;
            }
            cap = ncap;
        }
        size_t dcap = tern_pem_decoded_max(&b), got = 0;
        ders[n] = malloc(dcap ? dcap : 1);
        if (ders[n] == NULL || tern_pem_decode(&b, ders[n], dcap, &got) != 0) {
            fprintf(stderr, "tern verify: %s: the certificate at line %zu is not valid PEM\n", chain_path, b.line);
            n++;
            goto out;
        }
        lens[n] = got;
        n++;
    }
    if (more < 0 || n == 0) {
        fprintf(stderr, "tern verify: %s: %s\n", chain_path,
                more < 0 ? "malformed PEM" : "no CERTIFICATE block found");
        goto out;
    }
    printf("chain: %zu certificate%s from %s\n", n, n == 1 ? "" : "s", chain_path);
    tern_x509_cert cert;
    for (size_t i = 0; i < n && i < TERN_X509_MAX_PEER_CERTS; i++) {
        char label[32];
        snprintf(label, sizeof label, "[%zu]", i);
        if (tern_x509_parse(&cert, ders[i], lens[i]) == 0)
            describe(label, &cert);
        else
            printf("  %-8s (%zu bytes that do not parse as an X.509 certificate)\n", label, lens[i]);
    }
    if (n > TERN_X509_MAX_PEER_CERTS)
        printf("  (%zu more not shown)\n", n - TERN_X509_MAX_PEER_CERTS);

    /* 3. Path validation. */
    char when[40];
    date_text(at, when, sizeof when);
    printf("checking for purpose %s%s", purpose == TERN_X509_PURPOSE_SERVER ? "server" : "client",
           n_names ? ", name" : " (no name check)");
    for (size_t i = 0; i < n_names; i++)
        printf("%s %s", i ? "," : "", names[i]);
    printf(", at %s", when);
    if (params.max_depth)
        printf(", at most %zu intermediate%s", params.max_depth - 1, params.max_depth == 2 ? "" : "s");
    if (params.key_usage) {
        printf(", keyUsage");
        for (size_t k = 0; k < TERN_ARRAY_LEN(ku_names); k++)
            if (params.key_usage & (1u << k))
                printf(" %s", ku_names[k]);
    }
    if (params.eku) {
        printf(", extKeyUsage");
        for (size_t k = 0; k < TERN_ARRAY_LEN(eku_names); k++)
            if (params.eku & (1u << k))
                printf(" %s", eku_names[k]);
    }
    printf("\n");
    params.purpose = purpose;
    params.now = at;
    params.names = names;
    params.n_names = n_names;
    params.crl_mode = crl_mode;
    /* Certificate policies (RFC 5280 §6.1.1 (c), (e)-(g)). */
    params.policies = pols;
    params.n_policies = npols;
    params.require_explicit_policy = req_explicit;
    params.inhibit_policy_mapping = inh_mapping;
    params.inhibit_any_policy = inh_any;
    if (npols > 0 || req_explicit || inh_mapping || inh_any) {
        printf("certificate policies: acceptable ");
        for (size_t k = 0; k < npols; k++)
            printf("%s%s", k ? ", " : "", pol_text[k]);
        printf("%s%s%s%s\n", npols ? "" : "any", req_explicit ? "; explicit policy required" : "",
               inh_mapping ? "; policy mapping inhibited" : "", inh_any ? "; anyPolicy inhibited" : "");
    }
    tern_x509_result res;
    int rc = tern_x509_verify(&ts, (const uint8_t *const *)ders, lens, n, &params, &res);
    if (rc == 0) {
        printf("path built (leaf to anchor):\n");
        for (size_t k = 0; k < res.path_n; k++) {
            size_t i = res.path[k];
            if (i >= n || tern_x509_parse(&cert, ders[i], lens[i]) != 0)
                continue;
            char subj[256];
            tern_x509_name_display(cert.subject, subj, sizeof subj);
            printf("  [%zu] %s\n       ok: %s%s\n", i, subj,
                   k == 0 ? "signature, validity, profile, extended key usage for the purpose"
                          : "signature, validity, profile, CA constraints",
                   crl_mode != 0 ? ", not revoked" : "");
        }
        if (res.anchor != NULL) {
            char subj[256];
            tern_x509_name_display(res.anchor->cert.subject, subj, sizeof subj);
            printf("  [anchor] %s\n       ok: in the trust store, valid, profile\n", subj);
        }
        if (ocsp_path != NULL && check_ocsp(ocsp_path, &ocsp_der, ders, lens, n, &res, at) != 0) {
            status = 1;
            goto done;
        }
        printf("verdict: OK (the chain is valid");
        for (size_t i = 0; i < n_names; i++)
            printf("%s %s", i ? "," : " for", names[i]);
        printf(")\n");
        status = 0;
    } else {
        if (res.failed_index >= 0 && (size_t)res.failed_index < n) {
            char subj[256] = "(does not parse)";
            if (tern_x509_parse(&cert, ders[res.failed_index], lens[res.failed_index]) == 0)
                tern_x509_name_display(cert.subject, subj, sizeof subj);
            printf("certificate [%d]: REFUSED: %s\n", res.failed_index, subj);
        } else if (strncmp(res.msg, "trust anchor", 12) == 0) {
            printf("certificate: REFUSED: the trust anchor (named below)\n");
        }
        printf("check: %s\n", check_of(rc));
        printf("verdict: REFUSED: %s\n", res.msg[0] ? res.msg : tern_strerror(rc));
        printf("error: %s\n", tern_strerror(rc));
        status = 1;
    }
done:
    tern_wipe(&res, sizeof res);
out:
    free(ocsp_der);
    for (size_t i = 0; i < n; i++)
        free(ders[i]);
    free(ders);
    free(lens);
    free(pem);
    tern_truststore_free(&ts);
    return status;
}
