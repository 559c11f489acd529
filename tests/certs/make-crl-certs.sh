#!/bin/sh
# Regenerates the CRL test fixtures in vectors/certs/crl/ with the openssl
# CLI (OpenSSL 3.x: openssl ca, openssl ca -gencrl, openssl crl).  Run from
# the repository root:  sh tests/certs/make-crl-certs.sh
# The outputs are committed; tests/test_crl.c reads them.  Running this again
# makes new keys (serials and dates are fixed, so the tests still hold).
#
# Certificates are valid 2020-01-01 .. 2049-12-31; the tests check at
# 2030-01-01.  CRL times (thisUpdate .. nextUpdate):
#   current      2025-01-01 .. 2045-01-01
#   stale        2025-01-01 .. 2026-01-01
#   future       2035-01-01 .. 2045-01-01   (not yet valid in 2030)
# Revocations are dated 2025-06-01 00:00:00 UTC.
#
#   root.crt / root.key       CA "tern CRL Root" (keyCertSign, cRLSign)
#   int.crt / int.key         CA "tern CRL Intermediate", issued by root
#   leaf.key                  the key of both leaves
#   good.crt                  leaf under int, serial 2001, DNS localhost, good.crl.test
#   revoked.crt               leaf under int, serial 2002, DNS localhost, revoked.crl.test
#   good-chain.pem / revoked-chain.pem   leaf + int (for a TLS server or client)
#   int-reissued.crt          int's subject and key again, serial 1002 (not revoked)
#   good-two-ints.pem         good.crt, int.crt (revoked by root-revokes-int.crl), int-reissued.crt
#   int.crl / int.crl.der     int's current CRL (v2, AKI, cRLNumber): 2002
#                             revoked (keyCompromise), 2003 (no reason)
#   int-stale.crl             the same list, stale
#   int-future.crl            the same list, not valid yet
#   int-critext.crl           current, with an unknown critical extension
#                             (1.3.6.1.4.1.55555.1)
#   int-delta.crl             current, a delta CRL (deltaCRLIndicator)
#   int-indirect.crl          current, issuingDistributionPoint indirectCRL
#   int-wrongkey.crl          issuer name of int, no AKI, signed by another key
#   root.crl                  root's current CRL, nothing revoked
#   root-v1.crl               the same as a v1 CRL (no extensions)
#   root-revokes-int.crl      root's current CRL revoking int (serial 1001,
#                             cACompromise)
#   nosign-root.crt / nosign-leaf.crt / nosign-root.crl
#                             a root whose keyUsage is keyCertSign only, a leaf
#                             under it, and a CRL it signed anyway
#   dir/                      int.crl (PEM), root.crl.der (DER), README.txt
#   bad-base64.crl, truncated.crl.der, cert-not-crl.pem   malformed inputs
set -eu

OUT=${1:-vectors/certs/crl}
mkdir -p "$OUT" "$OUT/dir"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

START=20200101000000Z
END=20491231235959Z
NOW_CUR=20250101000000Z
NEXT_CUR=20450101000000Z
REVOKED_AT=250601000000Z

# One openssl ca configuration per CA (its own database and serials).
# (a second argument "v1" leaves out the CRL number, so CRLs without
# -crlexts are v1)
ca_cnf() { # name [v1]
    d="$WORK/$1"
    mkdir -p "$d/new"
    : > "$d/index.txt"
    echo 07 > "$d/crlnumber"
    crlnumber="crlnumber = $d/crlnumber"
    if [ "${2:-}" = v1 ]; then crlnumber=""; fi
    cat > "$d/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
dir = $d
database = $d/index.txt
new_certs_dir = $d/new
serial = $d/serial
$crlnumber
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
copy_extensions = none
preserve = yes
[ anything ]
commonName = optional
organizationName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_root_nosign ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_leaf_good ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost,DNS:good.crl.test
[ v3_leaf_revoked ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost,DNS:revoked.crl.test
[ crl_std ]
authorityKeyIdentifier = keyid:always
[ crl_critext ]
authorityKeyIdentifier = keyid:always
1.3.6.1.4.1.55555.1 = critical,DER:05:00
[ crl_delta ]
authorityKeyIdentifier = keyid:always
2.5.29.27 = critical,DER:02:01:06
[ crl_indirect ]
authorityKeyIdentifier = keyid:always
2.5.29.28 = critical,DER:30:03:84:01:FF
CNF
}

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

# sign NAME CA-DIR CA-CERT CA-KEY SUBJECT-KEY SUBJECT EXT SERIAL OUT
sign() {
    openssl req -new -key "$5" -subj "$6" -out "$WORK/$1.csr"
    echo "$8" > "$WORK/$2/serial"
    if [ "$3" = self ]; then
        openssl ca -batch -config "$WORK/$2/ca.cnf" -selfsign -keyfile "$4" -extensions "$7" \
            -startdate $START -enddate $END -in "$WORK/$1.csr" -out "$9" 2>/dev/null
    else
        openssl ca -batch -config "$WORK/$2/ca.cnf" -cert "$3" -keyfile "$4" -extensions "$7" \
            -startdate $START -enddate $END -in "$WORK/$1.csr" -out "$9" 2>/dev/null
    fi
    # keep only the PEM block
    openssl x509 -in "$9" -out "$9"
}

# revoke CA-DIR CA-CERT CA-KEY CERT REASON: mark it revoked, then fix the
# date in the database.
revoke() {
    if [ -n "$5" ]; then
        openssl ca -batch -config "$WORK/$1/ca.cnf" -cert "$2" -keyfile "$3" -revoke "$4" -crl_reason "$5" 2>/dev/null
    else
        openssl ca -batch -config "$WORK/$1/ca.cnf" -cert "$2" -keyfile "$3" -revoke "$4" 2>/dev/null
    fi
    # column 3 is "YYMMDDHHMMSSZ[,reason]": the date becomes REVOKED_AT
    awk -v at="$REVOKED_AT" 'BEGIN{FS=OFS="\t"} $1=="R"{split($3,a,","); $3=at (a[2]!="" ? "," a[2] : "")} {print}' \
        "$WORK/$1/index.txt" > "$WORK/$1/index.new"
    mv "$WORK/$1/index.new" "$WORK/$1/index.txt"
}

# gencrl CA-DIR CA-CERT CA-KEY LAST NEXT EXTS(or -) OUT
gencrl() {
    if [ "$6" = - ]; then
        openssl ca -batch -config "$WORK/$1/ca.cnf" -gencrl -cert "$2" -keyfile "$3" \
            -crl_lastupdate "$4" -crl_nextupdate "$5" -out "$7" 2>/dev/null
    else
        openssl ca -batch -config "$WORK/$1/ca.cnf" -gencrl -cert "$2" -keyfile "$3" \
            -crl_lastupdate "$4" -crl_nextupdate "$5" -crlexts "$6" -out "$7" 2>/dev/null
    fi
}

ca_cnf root
ca_cnf int
ca_cnf evil
ca_cnf rootv1 v1
ca_cnf nosign

key "$OUT/root.key"
key "$OUT/int.key"
key "$OUT/leaf.key"
key "$WORK/evil.key"
key "$WORK/nosign.key"

sign root root self "$OUT/root.key" "$OUT/root.key" "/CN=tern CRL Root" v3_root 1000 "$OUT/root.crt"
sign int root "$OUT/root.crt" "$OUT/root.key" "$OUT/int.key" "/CN=tern CRL Intermediate" v3_int 1001 "$OUT/int.crt"
sign int2 root "$OUT/root.crt" "$OUT/root.key" "$OUT/int.key" "/CN=tern CRL Intermediate" v3_int 1002 \
    "$OUT/int-reissued.crt"
sign good int "$OUT/int.crt" "$OUT/int.key" "$OUT/leaf.key" "/CN=good.crl.test" v3_leaf_good 2001 "$OUT/good.crt"
sign revoked int "$OUT/int.crt" "$OUT/int.key" "$OUT/leaf.key" "/CN=revoked.crl.test" v3_leaf_revoked 2002 \
    "$OUT/revoked.crt"
sign other int "$OUT/int.crt" "$OUT/int.key" "$OUT/leaf.key" "/CN=other.crl.test" v3_leaf_good 2003 "$WORK/other.crt"
cat "$OUT/good.crt" "$OUT/int.crt" > "$OUT/good-chain.pem"
cat "$OUT/revoked.crt" "$OUT/int.crt" > "$OUT/revoked-chain.pem"
cat "$OUT/good.crt" "$OUT/int.crt" "$OUT/int-reissued.crt" > "$OUT/good-two-ints.pem"

# int's CRLs
revoke int "$OUT/int.crt" "$OUT/int.key" "$OUT/revoked.crt" keyCompromise
revoke int "$OUT/int.crt" "$OUT/int.key" "$WORK/other.crt" ""
gencrl int "$OUT/int.crt" "$OUT/int.key" $NOW_CUR $NEXT_CUR crl_std "$OUT/int.crl"
openssl crl -in "$OUT/int.crl" -outform DER -out "$OUT/int.crl.der"
gencrl int "$OUT/int.crt" "$OUT/int.key" $NOW_CUR 20260101000000Z crl_std "$OUT/int-stale.crl"
gencrl int "$OUT/int.crt" "$OUT/int.key" 20350101000000Z $NEXT_CUR crl_std "$OUT/int-future.crl"
gencrl int "$OUT/int.crt" "$OUT/int.key" $NOW_CUR $NEXT_CUR crl_critext "$OUT/int-critext.crl"
gencrl int "$OUT/int.crt" "$OUT/int.key" $NOW_CUR $NEXT_CUR crl_delta "$OUT/int-delta.crl"
gencrl int "$OUT/int.crt" "$OUT/int.key" $NOW_CUR $NEXT_CUR crl_indirect "$OUT/int-indirect.crl"

# A CRL in int's name from another key (no -crlexts: no AKI to tell it
# apart, so only the signature does).
sign evil evil self "$WORK/evil.key" "$WORK/evil.key" "/CN=tern CRL Intermediate" v3_root 3000 "$WORK/evil.crt"
cp "$WORK/int/index.txt" "$WORK/evil/index.txt"
gencrl evil "$WORK/evil.crt" "$WORK/evil.key" $NOW_CUR $NEXT_CUR - "$OUT/int-wrongkey.crl"

# root's CRLs: none revoked (also as a v1 CRL: no extensions, no entries),
# then int revoked
gencrl rootv1 "$OUT/root.crt" "$OUT/root.key" $NOW_CUR $NEXT_CUR - "$OUT/root-v1.crl"
gencrl root "$OUT/root.crt" "$OUT/root.key" $NOW_CUR $NEXT_CUR crl_std "$OUT/root.crl"
revoke root "$OUT/root.crt" "$OUT/root.key" "$OUT/int.crt" CACompromise
gencrl root "$OUT/root.crt" "$OUT/root.key" $NOW_CUR $NEXT_CUR crl_std "$OUT/root-revokes-int.crl"

# A root that may not sign CRLs, and a CRL it signed anyway.
sign nosign nosign self "$WORK/nosign.key" "$WORK/nosign.key" "/CN=tern CRL Root without cRLSign" v3_root_nosign \
    4000 "$OUT/nosign-root.crt"
sign nosignleaf nosign "$OUT/nosign-root.crt" "$WORK/nosign.key" "$OUT/leaf.key" "/CN=good.crl.test" v3_leaf_good \
    4001 "$OUT/nosign-leaf.crt"
gencrl nosign "$OUT/nosign-root.crt" "$WORK/nosign.key" $NOW_CUR $NEXT_CUR crl_std "$OUT/nosign-root.crl"

# A directory of CRLs, PEM and DER, and a file that holds none.
cp "$OUT/int.crl" "$OUT/dir/int.crl"
openssl crl -in "$OUT/root.crl" -outform DER -out "$OUT/dir/root.crl.der"
echo "CRLs for tests/test_crl.c (made by tests/certs/make-crl-certs.sh)" > "$OUT/dir/README.txt"

# Malformed inputs.
sed '3s/^\(.\)/!/' "$OUT/int.crl" > "$OUT/bad-base64.crl"
head -c 100 "$OUT/int.crl.der" > "$OUT/truncated.crl.der"
cp "$OUT/good.crt" "$OUT/cert-not-crl.pem"

# Fuzz seeds (tests/fuzz/fuzz_crl.c): every CRL here as DER, and the CRLs of
# the x509-limbo crl::* cases.
SEEDS=tests/fuzz/corpus/fuzz_crl
if [ -d tests/fuzz ]; then
    rm -rf "$SEEDS"
    mkdir -p "$SEEDS"
    for f in "$OUT"/*.crl; do
        openssl crl -in "$f" -outform DER -out "$SEEDS/$(basename "$f" .crl).der" 2>/dev/null || true
    done
    cp "$OUT/truncated.crl.der" "$SEEDS/truncated.der"
    if [ -f vectors/x509-limbo/limbo.json ] && command -v python3 >/dev/null; then
        python3 - "$SEEDS" <<'PY'
import base64, json, re, sys
d = json.load(open("vectors/x509-limbo/limbo.json"))
for t in d["testcases"]:
    if not t["id"].startswith("crl::"):
        continue
    for i, pem in enumerate(t["crls"]):
        b64 = re.sub(r"-----[^-]+-----|\s", "", pem)
        name = t["id"][5:] + ("-%d" % i if i else "")
        open("%s/limbo-%s.der" % (sys.argv[1], name), "wb").write(base64.b64decode(b64))
PY
    fi
fi

for f in "$OUT"/*.crl; do openssl crl -in "$f" -noout 2>/dev/null || echo "note: openssl refuses $(basename "$f")"; done
echo "wrote $OUT"
