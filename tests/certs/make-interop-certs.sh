#!/bin/sh
# Makes the extra fixtures of the GnuTLS and Go interop tests in
# vectors/certs/interop/ with the openssl CLI (OpenSSL 3.x).  Run from the
# repository root:  sh tests/certs/make-interop-certs.sh
# The outputs are committed; the tests never run this script.  It reads the
# existing ECDSA intermediate (vectors/certs/ecdsa-int.crt/.key, made by
# tests/certs/make-certs.sh, which must not be rerun) and only writes into
# vectors/certs/interop/.
#
# What it makes: P-384 leaves for ecdsa_secp384r1_sha384 in the handshake
# (ServerKeyExchange / CertificateVerify signed with a P-384 key), issued by
# the P-256 "Test ECDSA Intermediate" under the P-384 "Test ECDSA Root":
#   p384-server.crt/.key (PKCS#8), p384-server-chain.pem: CN=localhost, SAN
#     localhost, server.test, 127.0.0.1, ::1; KU digitalSignature; EKU serverAuth
#   p384-client.crt/.key, p384-client-chain.pem: CN=Test P-384 Client, SAN
#     client.test; KU digitalSignature; EKU clientAuth
# Validity 2020-01-01 .. 2045-01-01, like the other leaves.
set -eu

CERTS=vectors/certs
OUT=${1:-$CERTS/interop}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
dir = $WORK
database = $WORK/index.txt
new_certs_dir = $WORK/new
serial = $WORK/serial
rand_serial = yes
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
copy_extensions = none
preserve = yes
[ anything ]
countryName = optional
organizationName = optional
commonName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_ecserver ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:server.test,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_client ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF
mkdir "$WORK/new"
: > "$WORK/index.txt"

# leaf NAME SUBJECT EXT: a P-384 key, signed by the ECDSA intermediate (ecdsa-with-SHA256).
leaf() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$OUT/$1.key" 2>/dev/null
    openssl req -new -config "$WORK/ca.cnf" -key "$OUT/$1.key" -subj "$2" -out "$WORK/$1.csr"
    openssl ca -config "$WORK/ca.cnf" -batch -notext -utf8 -in "$WORK/$1.csr" -out "$OUT/$1.crt" \
        -startdate 20200101000000Z -enddate 20450101000000Z -extfile "$WORK/ca.cnf" -extensions "$3" \
        -cert "$CERTS/ecdsa-int.crt" -keyfile "$CERTS/ecdsa-int.key" -md sha256 2>/dev/null
    openssl x509 -in "$OUT/$1.crt" -out "$OUT/$1.crt"
    cat "$OUT/$1.crt" "$CERTS/ecdsa-int.crt" > "$OUT/$1-chain.pem"
}

leaf p384-server "/O=tern test/CN=localhost" v3_ecserver
leaf p384-client "/O=tern test/CN=Test P-384 Client" v3_client
openssl verify -CAfile "$CERTS/ecdsa-root.crt" -untrusted "$CERTS/ecdsa-int.crt" \
    "$OUT/p384-server.crt" "$OUT/p384-client.crt"
