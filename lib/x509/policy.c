/*
 * Certificate policy processing (RFC 5280 §6.1.2-§6.1.5) over a bounded
 * policy graph, and the DER checks of the four policy extensions (RFC 5280
 * §4.2.1.4, .5, .11, .14).  See policy.h for the design and the limits.
 *
 * Numbering: the RFC's certificate i runs from 1 (issued by the trust
 * anchor) to n (the leaf); depth 0 of the graph is the anchor's implicit
 * anyPolicy node (§6.1.2 (a)).  Messages use tern's numbering: the index
 * of the certificate in the peer's list, 0 for the leaf.
 */
#define TERN_LAYER TERN_LAYER_ENCODING
#include "lib/x509/policy.h"

#include <stdarg.h>
#include <stdio.h>

const uint8_t tern_oid_any_policy[4] = {0x55, 0x1d, 0x20, 0x00};

static int is_any(tern_span oid) { return tern_der_oid_eq(oid, tern_oid_any_policy, sizeof tern_oid_any_policy); }


/* ---- the extensions' DER ---- */

/* SkipCerts ::= INTEGER (0..MAX) with the given tag: minimal, not
 * negative.  Values beyond any path length are clamped to 255. */
static int skip_certs(tern_reader *r, uint8_t tag, unsigned *out) {
    tern_der_elem e;
    TERN_TRY(tern_der_expect_elem(r, tag, &e));
    const uint8_t *v = e.content.p;
    size_t len = e.content.len;
    TERN_ENSURE(len >= 1, TERN_ERR_DECODE);
    TERN_ENSURE(!(v[0] & 0x80), TERN_ERR_DECODE);                      /* negative */
    TERN_ENSURE(!(len > 1 && v[0] == 0 && !(v[1] & 0x80)), TERN_ERR_DECODE); /* not minimal */
    unsigned val = 0;
    for (size_t i = 0; i < len; i++) {
        val = (val << 8) | v[i];
        if (val > 255) {
            val = 255;
            break;
        }
    }
    *out = val;
    return 0;
}

/* certificatePolicies ::= SEQUENCE SIZE (1..MAX) OF PolicyInformation;
 * PolicyInformation ::= SEQUENCE { policyIdentifier OID,
 *   policyQualifiers SEQUENCE SIZE (1..MAX) OF PolicyQualifierInfo OPTIONAL };
 * PolicyQualifierInfo ::= SEQUENCE { policyQualifierId OID, qualifier ANY }.
 * A policy OID may appear only once (§4.2.1.4). */
static int check_policies(tern_reader *v) {
    tern_reader seq;
    TERN_TRY(tern_der_expect(v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(v));
    TERN_ENSURE(tern_rd_left(&seq) > 0, TERN_ERR_DECODE);
    const uint8_t *first = seq.p;
    size_t total = seq.len, count = 0;
    while (tern_rd_left(&seq)) {
        tern_reader info;
        TERN_ENSURE(++count <= TERN_POLICY_MAX_PER_CERT, TERN_ERR_DECODE);
        tern_span oid;
        TERN_TRY(tern_der_expect(&seq, TERN_DER_SEQUENCE, &info));
        TERN_TRY(tern_der_oid(&info, &oid));
        if (tern_rd_left(&info)) {
            tern_reader quals;
            TERN_TRY(tern_der_expect(&info, TERN_DER_SEQUENCE, &quals));
            TERN_ENSURE(tern_rd_left(&quals) > 0, TERN_ERR_DECODE);
            while (tern_rd_left(&quals)) {
                tern_reader q;
                tern_span qid;
                tern_der_elem any;
                TERN_TRY(tern_der_expect(&quals, TERN_DER_SEQUENCE, &q));
                TERN_TRY(tern_der_oid(&q, &qid));
                TERN_TRY(tern_der_next(&q, &any));
                TERN_TRY(tern_rd_end(&q));
            }
        }
        TERN_TRY(tern_rd_end(&info));
        /* The same policy earlier in the list?  Quadratic in the count,
         * bounded by the extension's size. */
        tern_reader again;
        tern_rd_init(&again, first, total);
        while (tern_rd_left(&again) > tern_rd_left(&seq)) {
            tern_reader info2;
            tern_span oid2;
            TERN_TRY(tern_der_expect(&again, TERN_DER_SEQUENCE, &info2));
            TERN_TRY(tern_der_oid(&info2, &oid2));
            TERN_ENSURE(!(oid2.p != oid.p && tern_span_eq(oid2, oid)), TERN_ERR_DECODE);
        }
    }
    return 0;
}

/* PolicyMappings ::= SEQUENCE SIZE (1..MAX) OF SEQUENCE {
 *   issuerDomainPolicy OID, subjectDomainPolicy OID }. */
static int check_mappings(tern_reader *v) {
    tern_reader seq;
    TERN_TRY(tern_der_expect(v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(v));
    TERN_ENSURE(tern_rd_left(&seq) > 0, TERN_ERR_DECODE);
    size_t count = 0;
    while (tern_rd_left(&seq)) {
        tern_reader m;
        TERN_ENSURE(++count <= TERN_POLICY_MAX_MAPPINGS, TERN_ERR_DECODE);
        tern_span a, b;
        TERN_TRY(tern_der_expect(&seq, TERN_DER_SEQUENCE, &m));
        TERN_TRY(tern_der_oid(&m, &a));
        TERN_TRY(tern_der_oid(&m, &b));
        TERN_TRY(tern_rd_end(&m));
    }
    return 0;
}

/* PolicyConstraints ::= SEQUENCE { requireExplicitPolicy [0] SkipCerts
 * OPTIONAL, inhibitPolicyMapping [1] SkipCerts OPTIONAL }, never empty
 * (§4.2.1.11).  *req / *inh: the values, or -1 when absent. */
static int read_constraints(tern_span value, int *req, int *inh) {
    tern_reader v, seq;
    unsigned x;
    tern_rd_init(&v, value.p, value.len);
    TERN_TRY(tern_der_expect(&v, TERN_DER_SEQUENCE, &seq));
    TERN_TRY(tern_rd_end(&v));
    TERN_ENSURE(tern_rd_left(&seq) > 0, TERN_ERR_DECODE);
    *req = *inh = -1;
    uint8_t tag;
    if (tern_der_peek(&seq, &tag) == 0 && tag == TERN_DER_CTX_PRIM(0)) {
        TERN_TRY(skip_certs(&seq, TERN_DER_CTX_PRIM(0), &x));
        *req = (int)x;
    }
    if (tern_rd_left(&seq)) {
        TERN_TRY(skip_certs(&seq, TERN_DER_CTX_PRIM(1), &x));
        *inh = (int)x;
    }
    return tern_rd_end(&seq);
}

/* InhibitAnyPolicy ::= SkipCerts. */
static int read_inhibit_any(tern_span value, unsigned *skip) {
    tern_reader v;
    tern_rd_init(&v, value.p, value.len);
    TERN_TRY(skip_certs(&v, TERN_DER_INTEGER, skip));
    return tern_rd_end(&v);
}

int tern_x509_policy_ext_check(int which, tern_span value) {
    tern_reader v;
    tern_rd_init(&v, value.p, value.len);
    int req, inh;
    unsigned skip;
    switch (which) {
    case TERN_POLICY_EXT_POLICIES:
        return check_policies(&v);
    case TERN_POLICY_EXT_MAPPINGS:
        return check_mappings(&v);
    case TERN_POLICY_EXT_CONSTRAINTS:
        return read_constraints(value, &req, &inh);
    case TERN_POLICY_EXT_INHIBIT_ANY:
        return read_inhibit_any(value, &skip);
    default:
        return TERN_ERR_DECODE;
    }
}

/* ---- OIDs as text ---- */

int tern_x509_oid_from_text(const char *text, uint8_t *out, size_t cap) {
    TERN_ENSURE(text != NULL && out != NULL, TERN_ERR_INVALID_ARG);
    uint64_t first = 0;
    size_t n = 0, arcs = 0;
    const char *s = text;
    for (;;) {
        TERN_ENSURE(*s >= '0' && *s <= '9', TERN_ERR_INVALID_ARG);
        TERN_ENSURE(!(s[0] == '0' && s[1] >= '0' && s[1] <= '9'), TERN_ERR_INVALID_ARG); /* no leading zero */
        uint64_t v = 0;
        while (*s >= '0' && *s <= '9') {
            TERN_ENSURE(v <= (UINT64_MAX >> 1) / 10, TERN_ERR_INVALID_ARG);
            v = v * 10 + (uint64_t)(*s++ - '0');
        }
        arcs++;
        if (arcs == 1) {
            TERN_ENSURE(v <= 2, TERN_ERR_INVALID_ARG);
            first = v;
        } else {
            if (arcs == 2) {
                TERN_ENSURE(first == 2 || v < 40, TERN_ERR_INVALID_ARG);
                TERN_ENSURE(v <= (UINT64_MAX >> 1) - 80, TERN_ERR_INVALID_ARG);
                v += first * 40; /* X.690 §8.19.4 */
            }
            uint8_t tmp[10];
            size_t k = 0;
            do {
                tmp[k++] = (uint8_t)(v & 0x7f);
                v >>= 7;
            } while (v != 0);
            TERN_ENSURE(n + k <= cap, TERN_ERR_INVALID_ARG);
            while (k > 0) {
                k--;
                out[n++] = (uint8_t)(tmp[k] | (k ? 0x80 : 0));
            }
        }
        if (*s == '\0')
            break;
        TERN_ENSURE(*s == '.', TERN_ERR_INVALID_ARG);
        s++;
    }
    TERN_ENSURE(arcs >= 2, TERN_ERR_INVALID_ARG);
    return (int)n;
}

void tern_x509_oid_to_text(tern_span oid, char *out, size_t cap) {
    size_t o = 0;
    uint64_t v = 0;
    int first = 1, big = 0;
    out[0] = '\0';
    for (size_t i = 0; i < oid.len; i++) {
        if (v > (UINT64_MAX >> 7))
            big = 1;
        v = (v << 7) | (oid.p[i] & 0x7f);
        if (oid.p[i] & 0x80)
            continue;
        char arc[48];
        if (big)
            snprintf(arc, sizeof arc, "%s(a long arc)", first ? "" : ".");
        else if (first)
            snprintf(arc, sizeof arc, "%u.%llu", v < 40 ? 0u : v < 80 ? 1u : 2u,
                     (unsigned long long)(v < 80 ? v % 40 : v - 80));
        else
            snprintf(arc, sizeof arc, ".%llu", (unsigned long long)v);
        size_t al = strlen(arc);
        if (o + al + 4 > cap) {
            snprintf(out + o, cap - o, "...");
            return;
        }
        memcpy(out + o, arc, al + 1);
        o += al;
        v = 0;
        big = 0;
        first = 0;
    }
    if (o == 0)
        snprintf(out, cap, "(empty)");
}

/* ---- the policy graph ---- */

#define PARENT_ANY 0xffff /* a link to the anyPolicy node of the depth above */

typedef struct {
    tern_span oid;      /* valid_policy */
    uint16_t link0;     /* its links: links[link0 .. link0 + nlinks) */
    uint16_t nlinks;
    uint8_t dead;       /* deleted by §6.1.4 (b)(2) */
    uint8_t mapped;     /* its expected policies come from policyMappings */
    uint8_t mark;       /* reaches the leaf's depth (§6.1.5 (g)) */
} pnode;

typedef struct {
    tern_span oid;      /* a policy the next certificate may assert */
    uint16_t parent;    /* the node that expects it */
} pexpect;

typedef struct {
    pnode nodes[TERN_POLICY_MAX_NODES];
    uint16_t links[TERN_POLICY_MAX_LINKS];
    pexpect exp[TERN_POLICY_MAX_EXPECTED]; /* the expected policies of the deepest depth */
    size_t nnodes, nlinks, nexp;
    size_t start[TERN_X509_MAX_DEPTH + 2]; /* depth d's nodes: [start[d], start[d + 1]) */
    uint8_t any[TERN_X509_MAX_DEPTH + 2];  /* depth d has an anyPolicy node */
    uint8_t any_mark[TERN_X509_MAX_DEPTH + 2];
    int null;                              /* the valid_policy_tree is NULL */
} pgraph;

/* Why the valid policy set ran out, for the sentence. */
enum { WHY_NO_POLICIES = 1, WHY_NO_MATCH, WHY_ANY_INHIBITED, WHY_MAPPING_INHIBITED };

typedef struct {
    const tern_x509_cert *certs;
    const size_t *path;
    size_t n;
    const tern_x509_params *p;
    tern_x509_policy_fail *f;
    int null_why;       /* WHY_*: the step that emptied the set */
    size_t null_idx;    /* at which certificate */
    pgraph g;
} pstate;

/* Record where and why the set became empty (the first time only). */
static void emptied(pstate *s, int why, size_t idx) {
    if (s->null_why == 0) {
        s->null_why = why;
        s->null_idx = idx;
    }
}

static void failf(pstate *s, int err, size_t idx, const char *fmt, ...) {
    char who[160];
    tern_x509_cert_label(&s->certs[idx], who, sizeof who);
    int k = snprintf(s->f->msg, sizeof s->f->msg, "certificate %zu (%s) ", idx, who);
    if (k < 0 || (size_t)k >= sizeof s->f->msg)
        k = (int)sizeof s->f->msg - 1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->f->msg + k, sizeof s->f->msg - (size_t)k, fmt, ap);
    va_end(ap);
    s->f->err = err;
    s->f->index = (int)idx;
}

static int too_big(pstate *s, size_t idx) {
    failf(s, TERN_ERR_CERT_POLICY, idx,
          "brings the path's certificate policies and policy mappings over tern's limit (%d policy nodes, %d links); "
          "the path is refused rather than processed without bound",
          TERN_POLICY_MAX_NODES, TERN_POLICY_MAX_LINKS);
    return TERN_ERR_CERT_POLICY;
}

/* A new node at the deepest depth; its links follow with add_link. */
static int add_node(pstate *s, size_t idx, tern_span oid, size_t *out) {
    pgraph *g = &s->g;
    if (g->nnodes == TERN_POLICY_MAX_NODES)
        return too_big(s, idx);
    pnode *nd = &g->nodes[g->nnodes];
    nd->oid = oid;
    nd->link0 = (uint16_t)g->nlinks;
    nd->nlinks = 0;
    nd->dead = 0;
    nd->mapped = 0;
    nd->mark = 0;
    *out = g->nnodes++;
    return 0;
}

/* Links must be added to the last node created. */
static int add_link(pstate *s, size_t idx, size_t node, uint16_t parent) {
    pgraph *g = &s->g;
    if (g->nlinks == TERN_POLICY_MAX_LINKS)
        return too_big(s, idx);
    g->links[g->nlinks++] = parent;
    g->nodes[node].nlinks++;
    return 0;
}

static int add_expect(pstate *s, size_t idx, tern_span oid, size_t parent) {
    pgraph *g = &s->g;
    /* A mapping listed twice gives a second entry (and later a second,
     * harmless link): cheaper than looking for it. */
    if (g->nexp == TERN_POLICY_MAX_EXPECTED)
        return too_big(s, idx);
    g->exp[g->nexp].oid = oid;
    g->exp[g->nexp].parent = (uint16_t)parent;
    g->nexp++;
    return 0;
}

/* The node of depth d with this valid_policy, or -1. */
static long find_node(const pgraph *g, size_t d, size_t end, tern_span oid) {
    for (size_t k = g->start[d]; k < end; k++)
        if (tern_span_eq(g->nodes[k].oid, oid))
            return (long)k;
    return -1;
}

/* §6.1.3 (d): certificate i's policies make depth i of the graph. */
static int add_depth(pstate *s, size_t i, size_t idx, const tern_x509_cert *c, int any_allowed) {
    pgraph *g = &s->g;
    size_t first = g->nnodes;
    g->start[i] = first;
    int cert_any = 0;
    tern_reader v, seq;
    tern_rd_init(&v, c->policies.p, c->policies.len);
    TERN_TRY(tern_der_expect(&v, TERN_DER_SEQUENCE, &seq));
    while (tern_rd_left(&seq)) {
        tern_reader info;
        tern_span oid;
        TERN_TRY(tern_der_expect(&seq, TERN_DER_SEQUENCE, &info));
        TERN_TRY(tern_der_oid(&info, &oid));
        if (is_any(oid)) {
            cert_any = 1;
            continue;
        }
        /* (d)(1)(i): a child of every node of depth i-1 expecting it;
         * (d)(1)(ii): else of the anyPolicy node of depth i-1. */
        size_t nd;
        TERN_TRY(add_node(s, idx, oid, &nd));
        for (size_t j = 0; j < g->nexp; j++)
            if (tern_span_eq(g->exp[j].oid, oid))
                TERN_TRY(add_link(s, idx, nd, g->exp[j].parent));
        if (g->nodes[nd].nlinks == 0 && g->any[i - 1])
            TERN_TRY(add_link(s, idx, nd, PARENT_ANY));
        if (g->nodes[nd].nlinks == 0)
            g->nnodes--; /* no parent: no node */
    }
    /* (d)(2): anyPolicy asserted (and allowed) stands for every expected
     * policy not yet given a node, and for anyPolicy itself. */
    if (cert_any && any_allowed) {
        for (size_t j = 0; j < g->nexp; j++) {
            if (find_node(g, i, g->nnodes, g->exp[j].oid) >= 0)
                continue; /* asserted by the certificate, or done below */
            size_t nd;
            TERN_TRY(add_node(s, idx, g->exp[j].oid, &nd));
            for (size_t k = j; k < g->nexp; k++)
                if (tern_span_eq(g->exp[k].oid, g->exp[j].oid))
                    TERN_TRY(add_link(s, idx, nd, g->exp[k].parent));
        }
        g->any[i] = g->any[i - 1];
    }
    g->start[i + 1] = g->nnodes;
    /* (d)(3): nodes of depth i-1 without children are pruned lazily; the
     * tree is NULL exactly when depth i is empty. */
    g->null = g->nnodes == first && !g->any[i];
    if (g->null)
        emptied(s, cert_any && !any_allowed ? WHY_ANY_INHIBITED : WHY_NO_MATCH, idx);
    return 0;
}

static int live_at(const pgraph *g, size_t d) {
    if (g->any[d])
        return 1;
    for (size_t k = g->start[d]; k < g->start[d + 1]; k++)
        if (!g->nodes[k].dead)
            return 1;
    return 0;
}

/* §6.1.4 (a), (b): certificate i's policyMappings, and with them the
 * expected policies of depth i for certificate i+1 (each node expects the
 * policies it is mapped to, or else its own).  One pass over the
 * mappings, each looked up among the nodes of depth i. */
static int map_depth(pstate *s, size_t i, size_t idx, const tern_x509_cert *c, int mapping_allowed) {
    pgraph *g = &s->g;
    g->nexp = 0;
    if (c->has_policy_mappings) {
        tern_reader v, seq, m;
        tern_span a, b;
        tern_rd_init(&v, c->policy_mappings.p, c->policy_mappings.len);
        TERN_TRY(tern_der_expect(&v, TERN_DER_SEQUENCE, &seq));
        while (tern_rd_left(&seq)) {
            TERN_TRY(tern_der_expect(&seq, TERN_DER_SEQUENCE, &m));
            TERN_TRY(tern_der_oid(&m, &a));
            TERN_TRY(tern_der_oid(&m, &b));
            /* (a): anyPolicy may not be mapped to or from. */
            if (is_any(a) || is_any(b)) {
                failf(s, TERN_ERR_CERT_POLICY, idx, "maps a policy %s anyPolicy, which RFC 5280 §4.2.1.5 forbids",
                      is_any(a) ? "from" : "to");
                return TERN_ERR_CERT_POLICY;
            }
            if (g->null)
                continue;
            long k = find_node(g, i, g->nnodes, a);
            if (!mapping_allowed) {
                /* (b)(2): mapping inhibited: the issuer-domain policy is
                 * deleted at this depth. */
                if (k >= 0)
                    g->nodes[k].dead = 1;
                continue;
            }
            if (k < 0) {
                /* (b)(1): a mapped policy this depth only has through
                 * anyPolicy gets a node under depth i-1's anyPolicy. */
                if (!g->any[i])
                    continue;
                size_t nd;
                TERN_TRY(add_node(s, idx, a, &nd));
                TERN_TRY(add_link(s, idx, nd, PARENT_ANY));
                g->start[i + 1] = g->nnodes;
                k = (long)nd;
            }
            g->nodes[k].mapped = 1;
            TERN_TRY(add_expect(s, idx, b, (size_t)k));
        }
        if (!g->null && !live_at(g, i)) {
            g->null = 1;
            emptied(s, WHY_MAPPING_INHIBITED, idx);
        }
    }
    if (g->null) {
        g->nexp = 0;
        return 0;
    }
    for (size_t k = g->start[i]; k < g->start[i + 1]; k++)
        if (!g->nodes[k].dead && !g->nodes[k].mapped)
            TERN_TRY(add_expect(s, idx, g->nodes[k].oid, k));
    return 0;
}

/* Up to three OIDs as text, "a, b, c and 2 more". */
static void list_text(char *out, size_t cap, const tern_span *oids, size_t n, const char *none) {
    size_t o = 0;
    out[0] = '\0';
    if (n == 0) {
        snprintf(out, cap, "%s", none);
        return;
    }
    for (size_t k = 0; k < n && k < 3; k++) {
        char t[64];
        tern_x509_oid_to_text(oids[k], t, sizeof t);
        int w = snprintf(out + o, cap - o, "%s%s", k ? ", " : "", t);
        if (w < 0 || (size_t)w >= cap - o)
            return;
        o += (size_t)w;
    }
    if (n > 3)
        snprintf(out + o, cap - o, " and %zu more", n - 3);
}

static void wanted_text(const pstate *s, char *out, size_t cap) {
    list_text(out, cap, s->p->policies, s->p->n_policies, "any policy");
}

static void required_text(long src, char *out, size_t cap) {
    if (src < 0)
        snprintf(out, cap, "by the verifier");
    else
        snprintf(out, cap, "from certificate %ld's policyConstraints", src);
}

/* Why the valid policy set is empty at certificate idx. */
static void why_text(const pstate *s, size_t idx, char *out, size_t cap) {
    static const char *const own[] = {"", "it carries no certificatePolicies",
                                      "none of its policies continues its issuer's",
                                      "its anyPolicy is inhibited and no other continues its issuer's",
                                      "its policy mappings are inhibited"};
    static const char *const above[] = {"", "no certificatePolicies", "no policy continuing its issuer's",
                                        "only an inhibited anyPolicy", "mapping inhibited"};
    if (s->null_idx == idx)
        snprintf(out, cap, "%s", own[s->null_why]);
    else
        snprintf(out, cap, "the valid set ran out at certificate %zu: %s", s->null_idx, above[s->null_why]);
}

static int user_wants(const tern_x509_params *p, tern_span oid) {
    for (size_t k = 0; k < p->n_policies; k++)
        if (tern_span_eq(p->policies[k], oid))
            return 1;
    return 0;
}

/* §6.1.5 (g): the authorities-constrained policy set (the policies of
 * the anchor's domain that reach the leaf) intersected with the
 * user-initial-policy-set.  Returns 1 when the intersection is not empty;
 * valid[]/nvalid: the authority policies that reach the leaf. */
static int intersect(pstate *s, tern_span *valid, size_t cap, size_t *nvalid, int *any_leaf) {
    pgraph *g = &s->g;
    size_t n = s->n;
    *nvalid = 0;
    *any_leaf = 0;
    if (g->null)
        return 0;
    *any_leaf = g->any[n];
    /* Mark what reaches depth n, from the bottom up. */
    memset(g->any_mark, 0, sizeof g->any_mark);
    g->any_mark[n] = g->any[n];
    for (size_t k = g->start[n]; k < g->start[n + 1]; k++)
        g->nodes[k].mark = !g->nodes[k].dead;
    int found = 0;
    for (size_t d = n; d >= 1; d--) {
        if (g->any_mark[d])
            g->any_mark[d - 1] = 1;
        for (size_t k = g->start[d]; k < g->start[d + 1]; k++) {
            pnode *nd = &g->nodes[k];
            if (!nd->mark)
                continue;
            for (size_t l = 0; l < nd->nlinks; l++) {
                uint16_t par = g->links[nd->link0 + l];
                if (par != PARENT_ANY) {
                    g->nodes[par].mark = 1;
                    continue;
                }
                g->any_mark[d - 1] = 1;
                /* A node under anyPolicy: a policy of the anchor's domain. */
                int dup = 0;
                for (size_t q = 0; q < *nvalid; q++)
                    dup |= tern_span_eq(valid[q], nd->oid);
                if (!dup && *nvalid < cap)
                    valid[(*nvalid)++] = nd->oid;
                if (!dup && (s->p->n_policies == 0 || user_wants(s->p, nd->oid)))
                    found = 1;
            }
        }
    }
    /* An anyPolicy node at depth n stands for every policy the user wants
     * (§6.1.5 (g)(iii)(3)). */
    if (g->any[n])
        found = 1;
    return found;
}

/* RFC 5280 §4.2.1.4: a critical certificatePolicies must be understood,
 * qualifiers included, or refused.  tern understands the two qualifiers
 * the RFC defines (a CPS pointer and a user notice: both for display).
 * Returns 1 when every qualifier is one of them. */
static int qualifiers_known(tern_span policies) {
    static const uint8_t qt_cps[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x02, 0x01};
    static const uint8_t qt_unotice[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x02, 0x02};
    tern_reader v, seq, info, quals, q;
    tern_span oid;
    tern_rd_init(&v, policies.p, policies.len);
    if (tern_der_expect(&v, TERN_DER_SEQUENCE, &seq) < 0)
        return 0;
    while (tern_rd_left(&seq)) {
        if (tern_der_expect(&seq, TERN_DER_SEQUENCE, &info) < 0 || tern_der_oid(&info, &oid) < 0)
            return 0;
        if (!tern_rd_left(&info))
            continue;
        if (tern_der_expect(&info, TERN_DER_SEQUENCE, &quals) < 0)
            return 0;
        while (tern_rd_left(&quals)) {
            if (tern_der_expect(&quals, TERN_DER_SEQUENCE, &q) < 0 || tern_der_oid(&q, &oid) < 0)
                return 0;
            if (!TERN_DER_OID_EQ(oid, qt_cps) && !TERN_DER_OID_EQ(oid, qt_unotice))
                return 0;
        }
    }
    return 1;
}

static int run(pstate *s) {
    const tern_x509_params *p = s->p;
    size_t n = s->n;
    pgraph *g = &s->g;
    /* §6.1.2 (a), (d)-(f). */
    size_t explicit_policy = p->require_explicit_policy ? 0 : n + 1;
    size_t policy_mapping = p->inhibit_policy_mapping ? 0 : n + 1;
    size_t inhibit_any = p->inhibit_any_policy ? 0 : n + 1;
    long explicit_src = -1; /* who made explicit_policy 0: the verifier (-1) or a certificate */
    g->nnodes = g->nlinks = g->nexp = 0;
    g->start[0] = 0;
    g->start[1] = 0;
    memset(g->any, 0, sizeof g->any);
    g->any[0] = 1;
    g->null = 0;
    char wanted[160], req[80];

    for (size_t i = 1; i <= n; i++) {
        size_t idx = s->path[n - i];
        const tern_x509_cert *c = &s->certs[idx];
        int leaf = i == n;
        int self = tern_x509_self_issued(c);
        if (c->has_policies && c->policies_critical && !qualifiers_known(c->policies)) {
            failf(s, TERN_ERR_CERT_POLICY, idx, "%s",
                  "has a critical certificatePolicies with a policy qualifier tern does not know (RFC 5280 "
                  "§4.2.1.4: it must then be refused)");
            return TERN_ERR_CERT_POLICY;
        }
        /* §6.1.3 (d), (e). */
        g->start[i] = g->start[i + 1] = g->nnodes;
        g->any[i] = 0;
        if (c->has_policies && !g->null)
            TERN_TRY(add_depth(s, i, idx, c, inhibit_any > 0 || (!leaf && self)));
        else if (!g->null) {
            g->null = 1;
            emptied(s, WHY_NO_POLICIES, idx);
        }
        /* §6.1.3 (f). */
        if (explicit_policy == 0 && g->null) {
            char why[120];
            why_text(s, idx, why, sizeof why);
            wanted_text(s, wanted, sizeof wanted);
            required_text(explicit_src, req, sizeof req);
            failf(s, TERN_ERR_CERT_POLICY, idx,
                  "has no acceptable certificate policy (%s; explicit policy required %s; valid: none; wanted: %s)",
                  why, req, wanted);
            return TERN_ERR_CERT_POLICY;
        }
        int req_explicit = -1, inh_mapping = -1;
        if (c->has_policy_constraints)
            TERN_TRY(read_constraints(c->policy_constraints, &req_explicit, &inh_mapping));
        if (!leaf) {
            /* §6.1.4 (a), (b). */
            TERN_TRY(map_depth(s, i, idx, c, policy_mapping > 0));
            /* (h): counted down for certificates that are not self-issued. */
            if (!self) {
                explicit_policy -= explicit_policy > 0;
                policy_mapping -= policy_mapping > 0;
                inhibit_any -= inhibit_any > 0;
            }
            /* (i), (j). */
            if (req_explicit >= 0 && (size_t)req_explicit < explicit_policy) {
                explicit_policy = (size_t)req_explicit;
                explicit_src = (long)idx;
            }
            if (inh_mapping >= 0 && (size_t)inh_mapping < policy_mapping)
                policy_mapping = (size_t)inh_mapping;
            if (c->has_inhibit_any) {
                unsigned skip;
                TERN_TRY(read_inhibit_any(c->inhibit_any, &skip));
                if (skip < inhibit_any)
                    inhibit_any = skip;
            }
        } else {
            /* §6.1.5 (a), (b). */
            explicit_policy -= explicit_policy > 0;
            if (req_explicit == 0) {
                explicit_policy = 0;
                explicit_src = (long)idx;
            }
        }
    }
    if (explicit_policy > 0)
        return 0; /* §6.1.6: explicit_policy > 0 suffices */
    tern_span valid[4];
    size_t nvalid;
    int any_leaf;
    if (intersect(s, valid, 4, &nvalid, &any_leaf))
        return 0;
    char vtext[160];
    list_text(vtext, sizeof vtext, valid, nvalid, any_leaf ? "any" : "none");
    wanted_text(s, wanted, sizeof wanted);
    required_text(explicit_src, req, sizeof req);
    failf(s, TERN_ERR_CERT_POLICY, s->path[0],
          "has no acceptable certificate policy (explicit policy required %s; valid: %s; wanted: %s)", req, vtext,
          wanted);
    return TERN_ERR_CERT_POLICY;
}

int tern_x509_policy_check(const tern_x509_cert *certs, const size_t *path, size_t n, const tern_x509_params *p,
                           tern_x509_policy_fail *f) {
    /* The common case: no certificate on the path has a policy extension
     * and no explicit policy is required; then explicit_policy stays above
     * 0 (§6.1.2 (d) starts it at n+1, at most n steps count it down) and
     * the path is acceptable whatever the tree holds (§6.1.6). */
    int any_ext = 0;
    for (size_t k = 0; k < n; k++) {
        const tern_x509_cert *c = &certs[path[k]];
        any_ext |= c->has_policies | c->has_policy_mappings | c->has_policy_constraints | c->has_inhibit_any;
    }
    if (!any_ext && !p->require_explicit_policy)
        return 0;
    if (n == 0)
        return 0; /* nothing below the anchor (a pinned leaf): anyPolicy stands */
    if (n > TERN_X509_MAX_DEPTH) { /* path validation never builds one */
        f->err = TERN_ERR_CERT_CHAIN_TOO_LONG;
        f->index = -1;
        snprintf(f->msg, sizeof f->msg, "policy processing takes paths of at most %d certificates",
                 TERN_X509_MAX_DEPTH);
        return f->err;
    }
    pstate st, *s = &st; /* the graph: about 20 KB, in this frame only */
    s->certs = certs;
    s->path = path;
    s->n = n;
    s->p = p;
    s->f = f;
    s->null_why = 0;
    s->null_idx = 0;
    f->err = 0;
    f->index = -1;
    f->msg[0] = '\0';
    int rc = run(s);
    if (rc < 0 && f->err == 0) {
        /* A DER error re-reading an extension the parser already checked:
         * should not happen, but say so rather than accept. */
        failf(s, TERN_ERR_CERT_BAD, path[0], "has a malformed certificate policy extension on its path");
        rc = TERN_ERR_CERT_BAD;
    }
    return rc;
}
