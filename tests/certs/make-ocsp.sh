#!/bin/sh
# Regenerates the OCSP fixtures in vectors/ocsp/ with the openssl CLI
# (OpenSSL 3.x: openssl ca for the certificates and the index file, openssl
# ocsp -index -reqin for the responses).  Run from the repository root:
#     sh tests/certs/make-ocsp.sh
# The outputs are committed; tests/test_ocsp.c, tests/ocsp.test.sh and the
# stapling tests read them.  Running this again makes new keys and new
# responses whose thisUpdate/producedAt is the time of the run: the tests
# check the committed responses at fixed times after 2026-12-08 (the date
# they were made) and before 2046, so a rerun must be followed by a look at
# tests/test_ocsp.c's NOW constants.
#
# Certificates are valid 2020-01-01 .. 2049-12-31.
#   ca.crt / ca.key            CA "tern OCSP CA" (RSA 2048): signs responses itself
#   leaf.key                   P-256 key of every leaf
#   leaf.crt                   serial 1001, DNS localhost, ocsp.test (no must-staple)
#   leaf-staple.crt            serial 1002, same names, TLS Feature status_request
#                              (RFC 7633 must-staple)
#   leaf-revoked.crt           serial 1003, revoked 2025-06-01 (keyCompromise)
#   leaf-other.crt             serial 1004, good (responses for another certificate)
#   leaf-unknown.crt           serial 1005, issued by ca but not in the index
#   *-chain.pem                the leaf then ca.crt (for TLS servers)
#   responder.crt / .key       delegated responder (P-256) issued by ca:
#                              extKeyUsage OCSPSigning, id-pkix-ocsp-nocheck
#   responder-noeku.crt / .key the same without the extKeyUsage
#   other-ca.crt / .key        an unrelated CA (P-256), "tern OCSP Other CA"
#   other-responder.crt / .key a responder with OCSPSigning issued by other-ca
#   other-leaf.crt             serial 2001 under other-ca (good in other-index.txt)
#   index.txt(.attr)           ca's openssl ca database (for openssl ocsp -index)
#   other-index.txt(.attr)     other-ca's database
# Responses (DER), nextUpdate 7300 days after the run unless said:
#   good.der                   leaf, signed by ca, SHA-1 CertID, responderID byName
#   good-sha256.der            leaf, SHA-256 CertID, responderID byKey
#   revoked.der                leaf-revoked, revoked 2025-06-01, keyCompromise
#   unknown.der                leaf-unknown
#   expired.der                leaf, nextUpdate 1 minute after thisUpdate
#   other-cert.der             leaf-other (good), for another certificate
#   staple-good.der            leaf-staple (good)
#   delegated-good.der         leaf, signed by responder.crt (included)
#   delegated-revoked.der      leaf-revoked, signed by responder.crt
#   noeku.der                  leaf, signed by responder-noeku.crt (included)
#   other-responder.der        leaf, signed by other-responder.crt (included)
#   unrelated-ca.der           leaf, signed by other-ca's key (other-ca.crt included)
#   other-good.der             other-leaf, signed by other-ca itself (ECDSA issuer)
set -eu

OUT=${1:-vectors/ocsp}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

START=20200101000000Z
END=20491231235959Z
REVOKED_AT=250601000000Z
NDAYS=7300

ca_cnf() { # name
    d="$WORK/$1"
    mkdir -p "$d/new"
    : > "$d/index.txt"
    cat > "$d/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
dir = $d
database = $d/index.txt
new_certs_dir = $d/new
serial = $d/serial
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
copy_extensions = none
preserve = yes
[ anything ]
commonName = optional
organizationName = optional
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_leaf ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost,DNS:ocsp.test,IP:127.0.0.1
[ v3_leaf_staple ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:localhost,DNS:ocsp.test,IP:127.0.0.1
tlsfeature = status_request
[ v3_responder ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,OCSPSigning
noCheck = ignored
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_responder_noeku ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
}

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

# sign CA-DIR CA-CERT(or self) CA-KEY SUBJECT-KEY SUBJECT EXT SERIAL OUT
sign() {
    openssl req -new -key "$4" -subj "$5" -out "$WORK/req.csr"
    echo "$7" > "$WORK/$1/serial"
    if [ "$2" = self ]; then
        openssl ca -batch -config "$WORK/$1/ca.cnf" -selfsign -keyfile "$3" -extensions "$6" \
            -startdate $START -enddate $END -in "$WORK/req.csr" -out "$8" 2>/dev/null
    else
        openssl ca -batch -config "$WORK/$1/ca.cnf" -cert "$2" -keyfile "$3" -extensions "$6" \
            -startdate $START -enddate $END -in "$WORK/req.csr" -out "$8" 2>/dev/null
    fi
    openssl x509 -in "$8" -out "$8"
}

# respond INDEX CA-CERT SIGNER-CERT SIGNER-KEY ISSUER CERT DIGEST OUT [extra openssl ocsp options]
respond() {
    idx=$1 cacert=$2 signer=$3 skey=$4 issuer=$5 cert=$6 dgst=$7 out=$8
    shift 8
    openssl ocsp -issuer "$issuer" "-$dgst" -cert "$cert" -no_nonce -reqout "$WORK/ocsp.req" >/dev/null
    openssl ocsp -index "$idx" -CA "$cacert" -rsigner "$signer" -rkey "$skey" -reqin "$WORK/ocsp.req" \
        -respout "$out" "$@" >/dev/null 2>&1
}

ca_cnf ca
ca_cnf other

rsa_key "$OUT/ca.key"
ec_key "$OUT/leaf.key"
ec_key "$OUT/responder.key"
ec_key "$OUT/responder-noeku.key"
ec_key "$OUT/other-ca.key"
ec_key "$OUT/other-responder.key"

sign ca self "$OUT/ca.key" "$OUT/ca.key" "/CN=tern OCSP CA" v3_ca 10 "$OUT/ca.crt"
sign ca "$OUT/ca.crt" "$OUT/ca.key" "$OUT/leaf.key" "/CN=ocsp.test" v3_leaf 1001 "$OUT/leaf.crt"
sign ca "$OUT/ca.crt" "$OUT/ca.key" "$OUT/leaf.key" "/CN=ocsp.test" v3_leaf_staple 1002 "$OUT/leaf-staple.crt"
sign ca "$OUT/ca.crt" "$OUT/ca.key" "$OUT/leaf.key" "/CN=revoked.ocsp.test" v3_leaf 1003 "$OUT/leaf-revoked.crt"
sign ca "$OUT/ca.crt" "$OUT/ca.key" "$OUT/leaf.key" "/CN=other.ocsp.test" v3_leaf 1004 "$OUT/leaf-other.crt"
sign ca "$OUT/ca.crt" "$OUT/ca.key" "$OUT/responder.key" "/CN=tern OCSP Responder" v3_responder 1100 \
    "$OUT/responder.crt"
sign ca "$OUT/ca.crt" "$OUT/ca.key" "$OUT/responder-noeku.key" "/CN=tern OCSP Responder without EKU" \
    v3_responder_noeku 1101 "$OUT/responder-noeku.crt"
# leaf-unknown: issued by ca, then taken out of the index (openssl ocsp
# answers "unknown" for a serial it has no line for)
cp "$WORK/ca/index.txt" "$WORK/index.keep"
sign ca "$OUT/ca.crt" "$OUT/ca.key" "$OUT/leaf.key" "/CN=unknown.ocsp.test" v3_leaf 1005 "$OUT/leaf-unknown.crt"
cp "$WORK/index.keep" "$WORK/ca/index.txt"

sign other self "$OUT/other-ca.key" "$OUT/other-ca.key" "/CN=tern OCSP Other CA" v3_ca 20 "$OUT/other-ca.crt"
sign other "$OUT/other-ca.crt" "$OUT/other-ca.key" "$OUT/other-responder.key" "/CN=tern OCSP Other Responder" \
    v3_responder 2100 "$OUT/other-responder.crt"
sign other "$OUT/other-ca.crt" "$OUT/other-ca.key" "$OUT/leaf.key" "/CN=other-ca.ocsp.test" v3_leaf 2001 \
    "$OUT/other-leaf.crt"

for l in leaf leaf-staple leaf-revoked leaf-other leaf-unknown; do
    cat "$OUT/$l.crt" "$OUT/ca.crt" > "$OUT/$l-chain.pem"
done

# revoke leaf-revoked (keyCompromise), then fix the date in the database
openssl ca -batch -config "$WORK/ca/ca.cnf" -cert "$OUT/ca.crt" -keyfile "$OUT/ca.key" \
    -revoke "$OUT/leaf-revoked.crt" -crl_reason keyCompromise 2>/dev/null
awk -v at="$REVOKED_AT" 'BEGIN{FS=OFS="\t"} $1=="R"{split($3,a,","); $3=at (a[2]!="" ? "," a[2] : "")} {print}' \
    "$WORK/ca/index.txt" > "$OUT/index.txt"
cp "$WORK/other/index.txt" "$OUT/other-index.txt"
# two leaves share a subject: the database must say unique_subject = no
echo "unique_subject = no" > "$OUT/index.txt.attr"
echo "unique_subject = no" > "$OUT/other-index.txt.attr"

I="$OUT/index.txt"
C="$OUT/ca.crt"
K="$OUT/ca.key"
respond "$I" "$C" "$C" "$K" "$C" "$OUT/leaf.crt" sha1 "$OUT/good.der" -ndays $NDAYS
respond "$I" "$C" "$C" "$K" "$C" "$OUT/leaf.crt" sha256 "$OUT/good-sha256.der" -ndays $NDAYS -resp_key_id
respond "$I" "$C" "$C" "$K" "$C" "$OUT/leaf-revoked.crt" sha1 "$OUT/revoked.der" -ndays $NDAYS
respond "$I" "$C" "$C" "$K" "$C" "$OUT/leaf-unknown.crt" sha1 "$OUT/unknown.der" -ndays $NDAYS
respond "$I" "$C" "$C" "$K" "$C" "$OUT/leaf.crt" sha1 "$OUT/expired.der" -nmin 1
respond "$I" "$C" "$C" "$K" "$C" "$OUT/leaf-other.crt" sha1 "$OUT/other-cert.der" -ndays $NDAYS
respond "$I" "$C" "$C" "$K" "$C" "$OUT/leaf-staple.crt" sha1 "$OUT/staple-good.der" -ndays $NDAYS
respond "$I" "$C" "$OUT/responder.crt" "$OUT/responder.key" "$C" "$OUT/leaf.crt" sha1 \
    "$OUT/delegated-good.der" -ndays $NDAYS
respond "$I" "$C" "$OUT/responder.crt" "$OUT/responder.key" "$C" "$OUT/leaf-revoked.crt" sha1 \
    "$OUT/delegated-revoked.der" -ndays $NDAYS
respond "$I" "$C" "$OUT/responder-noeku.crt" "$OUT/responder-noeku.key" "$C" "$OUT/leaf.crt" sha1 \
    "$OUT/noeku.der" -ndays $NDAYS
respond "$I" "$C" "$OUT/other-responder.crt" "$OUT/other-responder.key" "$C" "$OUT/leaf.crt" sha1 \
    "$OUT/other-responder.der" -ndays $NDAYS
respond "$I" "$C" "$OUT/other-ca.crt" "$OUT/other-ca.key" "$C" "$OUT/leaf.crt" sha1 \
    "$OUT/unrelated-ca.der" -ndays $NDAYS
respond "$OUT/other-index.txt" "$OUT/other-ca.crt" "$OUT/other-ca.crt" "$OUT/other-ca.key" "$OUT/other-ca.crt" \
    "$OUT/other-leaf.crt" sha1 "$OUT/other-good.der" -ndays $NDAYS

# Fuzz seeds (tests/fuzz/fuzz_ocsp.c): every response here.
SEEDS=tests/fuzz/corpus/fuzz_ocsp
if [ -d tests/fuzz ]; then
    rm -rf "$SEEDS"
    mkdir -p "$SEEDS"
    cp "$OUT"/*.der "$SEEDS/"
    printf '\060\003\012\001\003' > "$SEEDS/trylater.der"
fi

# What openssl itself makes of them (a check of the fixtures, not of tern).
openssl ocsp -respin "$OUT/good.der" -CAfile "$C" -issuer "$C" -cert "$OUT/leaf.crt" -no_nonce 2>&1 | grep -q ': good' \
    || echo "note: openssl does not find good.der good"
openssl ocsp -respin "$OUT/revoked.der" -CAfile "$C" -issuer "$C" -cert "$OUT/leaf-revoked.crt" 2>&1 \
    | grep -q ': revoked' || echo "note: openssl does not find revoked.der revoked"
echo "wrote $OUT"
