#!/bin/sh
# P-384 fixtures for signature schemes and the secp384r1 group (tests
# test_sigschemes.c, interop_sigs.test.sh), written to vectors/certs/p384/
# with the openssl CLI (OpenSSL 3.x).  Run from the repository root:
#   sh tests/certs/make-p384-certs.sh
# The outputs are committed; running this again makes new keys and serials.
#
#   root.crt / root.key           P-384 root, self-signed ecdsa-with-SHA384
#   server.crt / server.key       P-384 server leaf (localhost, 127.0.0.1),
#                                 signed by the root with SHA-384; key PKCS#8
#   server-sec1.key               the same key as SEC 1 "EC PRIVATE KEY"
#   server-chain.pem              server.crt
#   client.crt / client.key       P-384 client leaf (clientAuth), PKCS#8
#   client-sec1.key               the same key as SEC 1
#   client-chain.pem              client.crt
#   rsa-client.crt / .key         RSA-2048 client leaf under the same root,
#                                 for CertificateVerify with RSA schemes
#   p521.crt / p521.key           a P-521 leaf: a curve tern's key store
#                                 still refuses
#
# Validity 2020-01-01 to 2045-01-01 (root to 2050-01-01), like
# tests/certs/make-certs.sh.
set -eu

OUT=${1:-vectors/certs/p384}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM
START=20200101000000Z
END=20450101000000Z
ROOT_END=20500101000000Z

cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
dir = $WORK
database = $WORK/index.txt
new_certs_dir = $WORK/new
rand_serial = yes
default_md = sha384
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
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_server ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:server.test,IP:127.0.0.1
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
touch "$WORK/index.txt"
mkdir -p "$WORK/new"

ec_key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$OUT/$1.key" 2>/dev/null; }
rsa_key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$OUT/$1.key" 2>/dev/null; }
# sign NAME KEYNAME SUBJECT ISSUER EXT START END
sign() {
    name=$1 key=$2 subj=$3 issuer=$4 ext=$5 start=$6 end=$7
    openssl req -new -config "$WORK/ca.cnf" -key "$OUT/$key.key" -subj "$subj" -out "$WORK/$name.csr"
    if [ "$issuer" = self ]; then
        set -- -selfsign -keyfile "$OUT/$key.key"
    else
        set -- -cert "$OUT/$issuer.crt" -keyfile "$OUT/$issuer.key"
    fi
    openssl ca -config "$WORK/ca.cnf" -batch -notext -utf8 -in "$WORK/$name.csr" -out "$OUT/$name.crt" \
        -startdate "$start" -enddate "$end" -extfile "$WORK/ca.cnf" -extensions "$ext" "$@" 2>/dev/null
    openssl x509 -in "$OUT/$name.crt" -out "$OUT/$name.crt"
}

ec_key root P-384
sign root root "/C=XX/O=tern test/CN=Test P-384 Root" self v3_root $START $ROOT_END
ec_key server P-384
sign server server "/O=tern test/CN=localhost" root v3_server $START $END
ec_key client P-384
sign client client "/O=tern test/CN=Test P-384 Client" root v3_client $START $END
rsa_key rsa-client 2048
sign rsa-client rsa-client "/O=tern test/CN=Test RSA Client" root v3_client $START $END
ec_key p521 P-521
sign p521 p521 "/O=tern test/CN=p521" root v3_server $START $END
openssl pkey -in "$OUT/server.key" -traditional -out "$OUT/server-sec1.key"
openssl pkey -in "$OUT/client.key" -traditional -out "$OUT/client-sec1.key"
cp "$OUT/server.crt" "$OUT/server-chain.pem"
cp "$OUT/client.crt" "$OUT/client-chain.pem"
cat > "$OUT/README.md" <<'MD'
# P-384 fixtures

Written by `tests/certs/make-p384-certs.sh` (see its header for each file).
Test keys only: never use them for anything else.
MD
echo "wrote $OUT"
