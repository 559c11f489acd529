#!/bin/sh
# Makes the certificate-profile fixtures in vectors/certs/profile/ with the
# openssl CLI (OpenSSL 3.x), for the RFC 5280 §4.1/§4.2 profile checks of
# lib/x509/verify.c (cases in vectors/x509/paths.txt) and the keyUsage-by-
# role checks of the TLS layer (tests/test_rsa_kx.c, tests/test_mtls.c).
# Run from the repository root:  sh tests/certs/make-profile-certs.sh
# The outputs are committed; the tests never run this script.
#
# No new keys: every certificate reuses a key of vectors/certs/ (made by
# tests/certs/make-certs.sh, which this script does not touch):
#   - root variants are self-signed with root-ca.key under root-ca's subject,
#     so the existing int-ca.crt (and everything under it) chains to each;
#   - intermediate variants are signed by root-ca.key with int-ca's subject
#     and key, so the existing leaves (server.crt ...) chain through them;
#   - leaf variants hold leaf.key and are signed by int-ca.key.
# Validity: from the run of this script for 100 years (openssl x509 -days),
# except root-expired (2000-01-01 .. 2010-01-01).  The cases check at
# 2030-01-01.
set -eu

CERTS=vectors/certs
OUT=${1:-$CERTS/profile}
mkdir -p "$OUT"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

ROOT_SUBJ="/C=XX/O=tern test/CN=Test Root CA"
INT_SUBJ="/C=XX/O=tern test/CN=Test Intermediate"

cat > "$WORK/ext.cnf" <<'CNF'
# ---- roots (self-signed with root-ca.key) ----
[ root_ok_aki ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ root_eku ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
extendedKeyUsage = serverAuth
[ root_aki_issuer ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always,issuer:always
[ root_critical_unknown ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
1.3.6.1.4.1.55555.1 = critical,ASN1:NULL
[ root_bc_noncritical ]
basicConstraints = CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ root_no_ski ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = none
authorityKeyIdentifier = none
[ root_plain ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
# ---- intermediates (int-ca's subject and key, signed by root-ca.key) ----
[ int_no_ski ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = none
authorityKeyIdentifier = keyid:always
[ int_no_aki ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
[ int_bc_noncritical ]
basicConstraints = CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ int_pc_noncritical ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
certificatePolicies = 2.5.29.32.0
policyConstraints = requireExplicitPolicy:5
# ---- leaves (leaf.key, signed by int-ca.key) ----
[ leaf_ok ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:profile.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf_no_aki ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:profile.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = none
[ leaf_aki_critical ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:profile.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = critical,keyid:always
[ leaf_ski_critical ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:profile.test
subjectKeyIdentifier = critical,hash
authorityKeyIdentifier = keyid:always
[ leaf_san_noncritical ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:profile.test
authorityKeyIdentifier = keyid:always
[ leaf_san_critical ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = critical,DNS:profile.test
authorityKeyIdentifier = keyid:always
[ leaf_kcs_notca ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyCertSign
extendedKeyUsage = serverAuth
subjectAltName = DNS:profile.test
authorityKeyIdentifier = keyid:always
[ leaf_ca_nokcs ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:profile.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf_ca_kcs ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign
subjectAltName = DNS:profile.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ leaf_anyeku ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth,anyExtendedKeyUsage
subjectAltName = DNS:profile.test
authorityKeyIdentifier = keyid:always
[ leaf_eku_critical ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = critical,serverAuth
subjectAltName = DNS:profile.test
authorityKeyIdentifier = keyid:always
[ leaf_ku_encipher ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
authorityKeyIdentifier = keyid:always
[ leaf_ku_sign ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost
authorityKeyIdentifier = keyid:always
[ leaf_aia ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:profile.test
authorityKeyIdentifier = keyid:always
authorityInfoAccess = caIssuers;URI:http://ca.test/int.crt,OCSP;URI:http://ocsp.test/
[ leaf_cn_ip ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:10.1.2.3,IP:2001:db8::1
authorityKeyIdentifier = keyid:always
[ client_ku_encipher ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyEncipherment
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.test
authorityKeyIdentifier = keyid:always
CNF

# (openssl x509 adds subjectKeyIdentifier and authorityKeyIdentifier unless
# told "none".)
# x509 NAME KEY SUBJECT ISSUER EXT [SERIAL]: a certificate for KEY (a key
# file of vectors/certs) with SUBJECT, signed by ISSUER ("self": by KEY;
# else "CRT:KEY" under vectors/certs), extensions EXT ("none": a v1
# certificate), serial SERIAL (default: random).
x509() {
    name=$1 key=$2 subj=$3 issuer=$4 ext=$5 serial=${6:-}
    openssl req -new -key "$CERTS/$key.key" -subj "$subj" -out "$WORK/$name.csr" 2>/dev/null
    set --
    if [ "$ext" != none ]; then
        set -- -extfile "$WORK/ext.cnf" -extensions "$ext"
    fi
    if [ -n "$serial" ]; then
        set -- "$@" -set_serial "$serial"
    fi
    if [ "$issuer" = self ]; then
        set -- "$@" -signkey "$CERTS/$key.key"
    else
        set -- "$@" -CA "$CERTS/${issuer%%:*}.crt" -CAkey "$CERTS/${issuer#*:}.key"
    fi
    openssl x509 -req -sha256 -days 36500 -in "$WORK/$name.csr" -out "$OUT/$name.crt" "$@" 2>/dev/null
}

# ---- roots (anchors = profile/NAME, chain = server int-ca) ----
x509 root-ok-aki root-ca "$ROOT_SUBJ" self root_ok_aki
x509 root-eku root-ca "$ROOT_SUBJ" self root_eku
x509 root-aki-issuer root-ca "$ROOT_SUBJ" self root_aki_issuer
x509 root-critical-unknown root-ca "$ROOT_SUBJ" self root_critical_unknown
x509 root-bc-noncritical root-ca "$ROOT_SUBJ" self root_bc_noncritical
x509 root-no-ski root-ca "$ROOT_SUBJ" self root_no_ski

# An expired root needs dates in the past: openssl ca sets them.
mkdir -p "$WORK/new"
: > "$WORK/index.txt"
echo 01 > "$WORK/serial"
cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
database = $WORK/index.txt
new_certs_dir = $WORK/new
serial = $WORK/serial
default_md = sha256
policy = anything
unique_subject = no
email_in_dn = no
preserve = yes
[ anything ]
countryName = optional
organizationName = optional
commonName = optional
CNF
openssl req -new -key "$CERTS/root-ca.key" -subj "$ROOT_SUBJ" -out "$WORK/root-expired.csr" 2>/dev/null
openssl ca -config "$WORK/ca.cnf" -batch -notext -utf8 -selfsign -keyfile "$CERTS/root-ca.key" \
    -in "$WORK/root-expired.csr" -out "$WORK/root-expired.crt" -startdate 20000101000000Z \
    -enddate 20100101000000Z -extfile "$WORK/ext.cnf" -extensions root_plain 2>/dev/null
openssl x509 -in "$WORK/root-expired.crt" -out "$OUT/root-expired.crt"

# ---- intermediates (chain = server profile/NAME) ----
x509 int-no-ski int-ca "$INT_SUBJ" root-ca:root-ca int_no_ski
x509 int-no-aki int-ca "$INT_SUBJ" root-ca:root-ca int_no_aki
x509 int-bc-noncritical int-ca "$INT_SUBJ" root-ca:root-ca int_bc_noncritical
x509 int-pc-noncritical int-ca "$INT_SUBJ" root-ca:root-ca int_pc_noncritical

# ---- leaves (chain = profile/NAME int-ca) ----
x509 leaf-ok leaf "/O=tern test/CN=profile ok" int-ca:int-ca leaf_ok
x509 leaf-no-aki leaf "/O=tern test/CN=no AKI" int-ca:int-ca leaf_no_aki
x509 leaf-aki-critical leaf "/O=tern test/CN=critical AKI" int-ca:int-ca leaf_aki_critical
x509 leaf-ski-critical leaf "/O=tern test/CN=critical SKI" int-ca:int-ca leaf_ski_critical
x509 leaf-serial-zero leaf "/O=tern test/CN=serial zero" int-ca:int-ca leaf_ok 0
x509 leaf-serial-negative leaf "/O=tern test/CN=serial negative" int-ca:int-ca leaf_ok -1
# 20 octets with the top bit set: 21 content octets (a leading zero), allowed.
x509 leaf-serial-20 leaf "/O=tern test/CN=serial 20 octets" int-ca:int-ca leaf_ok \
    0x8102030405060708090a0b0c0d0e0f1011121314
x509 leaf-serial-21 leaf "/O=tern test/CN=serial 21 octets" int-ca:int-ca leaf_ok \
    0x0102030405060708090a0b0c0d0e0f101112131415
x509 leaf-empty-subject-noncritical-san leaf "/" int-ca:int-ca leaf_san_noncritical
x509 leaf-empty-subject-critical-san leaf "/" int-ca:int-ca leaf_san_critical
x509 leaf-san-critical leaf "/O=tern test/CN=critical SAN" int-ca:int-ca leaf_san_critical
x509 leaf-kcs-notca leaf "/O=tern test/CN=keyCertSign not CA" int-ca:int-ca leaf_kcs_notca
x509 leaf-ca-nokcs leaf "/O=tern test/CN=CA without keyCertSign" int-ca:int-ca leaf_ca_nokcs
x509 leaf-ca-kcs leaf "/O=tern test/CN=CA as leaf" int-ca:int-ca leaf_ca_kcs
x509 leaf-v1 leaf "/O=tern test/CN=profile.test" int-ca:int-ca none
x509 leaf-anyeku leaf "/O=tern test/CN=anyEKU" int-ca:int-ca leaf_anyeku
x509 leaf-eku-critical leaf "/O=tern test/CN=critical EKU" int-ca:int-ca leaf_eku_critical
x509 leaf-ku-encipher leaf "/O=tern test/CN=localhost" int-ca:int-ca leaf_ku_encipher
x509 leaf-ku-sign leaf "/O=tern test/CN=localhost" int-ca:int-ca leaf_ku_sign
x509 leaf-aia leaf "/O=tern test/CN=with AIA" int-ca:int-ca leaf_aia
# The subject CN against the SAN (CA/B BR §7.1.4.3): a copy is fine, another
# spelling of a SAN name is not.
x509 leaf-cn-copy leaf "/O=tern test/CN=profile.test" int-ca:int-ca leaf_ok
x509 leaf-cn-case leaf "/O=tern test/CN=Profile.TEST" int-ca:int-ca leaf_ok
x509 leaf-cn-ip-zeros leaf "/O=tern test/CN=010.001.002.003" int-ca:int-ca leaf_cn_ip
x509 leaf-cn-ipv6-upper leaf "/O=tern test/CN=2001:DB8::1" int-ca:int-ca leaf_cn_ip
x509 leaf-cn-ipv6-canonical leaf "/O=tern test/CN=2001:db8::1" int-ca:int-ca leaf_cn_ip
x509 client-ku-encipher leaf "/O=tern test/CN=client KU encipher" int-ca:int-ca client_ku_encipher

# Seventeen certificates in one file: one more than a peer may send.
: > "$OUT/chain-17.pem"
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do
    cat "$CERTS/server.crt" >> "$OUT/chain-17.pem"
done
echo "wrote $(ls "$OUT" | wc -l) files to $OUT"
