#!/bin/sh
# Regenerates the X.509 test fixtures in vectors/certs/ with the openssl CLI
# (OpenSSL 3.x).  Run from the repository root:  sh tests/certs/make-certs.sh
# The outputs are committed, so the tests never need to run this script;
# running it again makes new keys and serials (the path-validation cases in
# vectors/x509/paths.txt refer to files by name only, so they still hold).
#
# Validity: unless a certificate is deliberately expired or not yet valid, it
# is valid from 2020-01-01 to 2045-01-01 (the roots to 2050-01-01, which is
# encoded as a GeneralizedTime, RFC 5280 §4.1.2.5).  See vectors/certs/README.md
# for the list of files and what each one is for.
set -eu

OUT=${1:-vectors/certs}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

START=20200101000000Z
END=20450101000000Z
ROOT_END=20500101000000Z

# ---- openssl ca configuration: a throw-away database, any DN, keep DN order.
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
organizationalUnitName = optional
commonName = optional
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused

# ---- extension profiles ----
[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_int ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_notca ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_nokcs ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,digitalSignature,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_server ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
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
[ v3_wild ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.wild.test,DNS:Mixed.Case.Test
authorityKeyIdentifier = keyid:always
[ v3_badwild ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.test,DNS:f*.part.test,DNS:*.*.multi.test,DNS:a.*.mid.test,DNS:*,DNS:*.127.0.0.1,DNS:127.0.0.2
authorityKeyIdentifier = keyid:always
[ v3_leaf_plain ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:leaf.test
authorityKeyIdentifier = keyid:always
[ v3_self ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:selfsigned.test
[ v3_nc ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;DNS:allowed.test,permitted;IP:10.0.0.0/255.0.0.0,excluded;DNS:bad.allowed.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_nc_dirname ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
nameConstraints = critical,permitted;dirName:nc_dir
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ nc_dir ]
O = tern test
[ v3_leaf_allowed ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.allowed.test,DNS:allowed.test,IP:10.1.2.3
authorityKeyIdentifier = keyid:always
[ v3_leaf_nc_outside ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.allowed.test,DNS:www.notallowed.test
authorityKeyIdentifier = keyid:always
[ v3_leaf_nc_excluded ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:x.bad.allowed.test
authorityKeyIdentifier = keyid:always
[ v3_leaf_nc_wild ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.allowed.test
authorityKeyIdentifier = keyid:always
[ v3_leaf_nc_ip ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:www.allowed.test,IP:192.168.1.1
authorityKeyIdentifier = keyid:always
[ v3_nosubject ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = critical,DNS:nosubject.test
authorityKeyIdentifier = keyid:always
[ v3_ca_clientonly ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_ecserver ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,DNS:server.test,IP:127.0.0.1,IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_noeku ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
subjectAltName = DNS:noeku.test
[ v3_wrongeku ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = codeSigning,emailProtection
subjectAltName = DNS:wrongeku.test
[ v3_badku ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,nonRepudiation
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:badku.test
[ v3_critext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:critext.test
1.3.6.1.4.1.55555.1.1 = critical,ASN1:NULL
[ v3_noncritext ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:noncritext.test
1.3.6.1.4.1.55555.1.1 = ASN1:NULL
[ v3_cnonly ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
[ v3_ipsan ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:10.1.2.3,IP:2001:db8::1
CNF
# A server certificate with 700 subjectAltNames (about 14 KB): its
# Certificate message fills most of one 16 KB record, more than the room the
# input buffer has during the handshake (lib/conn.c), so the tests see that
# plaintext handshake records are taken in pieces.
{
    echo "[ v3_bigsan ]"
    echo "basicConstraints = critical,CA:FALSE"
    echo "keyUsage = critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage = serverAuth"
    printf "subjectAltName = DNS:localhost,DNS:server.test"
    i=0
    while [ $i -lt 700 ]; do
        printf ",DNS:host%03d.big.test" $i
        i=$((i + 1))
    done
    echo
} >> "$WORK/ca.cnf"
touch "$WORK/index.txt"
mkdir -p "$WORK/new"

# rsa_key NAME BITS: a fresh RSA key, PKCS#8 PEM ("PRIVATE KEY").
rsa_key() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:"$2" -out "$OUT/$1.key" 2>/dev/null
}
ec_key() { # ec_key NAME CURVE
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$2" -out "$OUT/$1.key" 2>/dev/null
}

# sign NAME KEYNAME SUBJECT ISSUER EXT START END [extra openssl ca args...]
#   NAME.crt gets KEYNAME.key's public key, SUBJECT, and is signed by
#   ISSUER.crt/ISSUER.key ("self" for a self-signed certificate;
#   "CERT:KEY" when the issuer's key file has another name).
sign() {
    name=$1 key=$2 subj=$3 issuer=$4 ext=$5 start=$6 end=$7
    shift 7
    openssl req -new -config "$WORK/ca.cnf" -key "$OUT/$key.key" -subj "$subj" -out "$WORK/$name.csr"
    if [ "$issuer" = self ]; then
        set -- -selfsign -keyfile "$OUT/$key.key" "$@"
    else
        ikey=${issuer#*:}
        issuer=${issuer%%:*}
        set -- -cert "$OUT/$issuer.crt" -keyfile "$OUT/$ikey.key" "$@"
    fi
    openssl ca -config "$WORK/ca.cnf" -batch -notext -utf8 -in "$WORK/$name.csr" -out "$OUT/$name.crt" \
        -startdate "$start" -enddate "$end" -extfile "$WORK/ca.cnf" -extensions "$ext" "$@" 2>/dev/null
    # openssl ca writes PEM only (with -notext): keep just the block.
    openssl x509 -in "$OUT/$name.crt" -out "$OUT/$name.crt"
}

# ---- the main hierarchy: root -> intermediate -> leaves
rsa_key root-ca 2048
sign root-ca root-ca "/C=XX/O=tern test/CN=Test Root CA" self v3_root $START $ROOT_END
rsa_key int-ca 2048
sign int-ca int-ca "/C=XX/O=tern test/CN=Test Intermediate" root-ca v3_int $START $END

rsa_key server 2048
sign server server "/O=tern test/CN=localhost" int-ca v3_server $START $END
rsa_key client 2048
sign client client "/O=tern test/CN=Test Client" int-ca v3_client $START $END
sign bigsan server "/O=tern test/CN=localhost" int-ca v3_bigsan $START $END

rsa_key leaf 2048 # one key shared by the leaves below
sign wildcard leaf "/O=tern test/CN=wildcard" int-ca v3_wild $START $END
sign badwild leaf "/O=tern test/CN=a.test" int-ca v3_badwild $START $END
sign expired leaf "/O=tern test/CN=expired" int-ca v3_leaf_plain 20150101000000Z 20200101000000Z
sign notyet leaf "/O=tern test/CN=not yet valid" int-ca v3_leaf_plain 20440101000000Z $END
sign wrong-eku leaf "/O=tern test/CN=wrong EKU" int-ca v3_wrongeku $START $END
sign no-eku leaf "/O=tern test/CN=no EKU" int-ca v3_noeku $START $END
sign bad-ku leaf "/O=tern test/CN=bad KU" int-ca v3_badku $START $END
sign critical-ext leaf "/O=tern test/CN=critical ext" int-ca v3_critext $START $END
sign noncritical-ext leaf "/O=tern test/CN=noncritical ext" int-ca v3_noncritext $START $END
sign cn-only leaf "/O=tern test/CN=cnonly.test" int-ca v3_cnonly $START $END
sign cn-and-san leaf "/O=tern test/CN=cn.test" int-ca v3_leaf_plain $START $END
sign ip-san leaf "/O=tern test/CN=10.1.2.3" int-ca v3_ipsan $START $END
sign sha1 leaf "/O=tern test/CN=sha1 signed" int-ca v3_leaf_plain $START $END -md sha1
sign sha384 leaf "/O=tern test/CN=sha384 signed" int-ca v3_leaf_plain $START $END -md sha384
sign sha512 leaf "/O=tern test/CN=sha512 signed" int-ca v3_leaf_plain $START $END -md sha512
sign pss leaf "/O=tern test/CN=pss signed" int-ca v3_leaf_plain $START $END \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
sign pss384 leaf "/O=tern test/CN=pss sha384 signed" int-ca v3_leaf_plain $START $END -md sha384 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:digest
rsa_key rsa1024 1024
sign rsa1024 rsa1024 "/O=tern test/CN=rsa1024" int-ca v3_leaf_plain $START $END
rsa_key rsa4096 4096
sign rsa4096 rsa4096 "/O=tern test/CN=rsa4096" int-ca v3_leaf_plain $START $END
ec_key ec256 P-256
sign ec256 ec256 "/O=tern test/CN=ec256" int-ca v3_leaf_plain $START $END
ec_key ec384 P-384
sign ec384 ec384 "/O=tern test/CN=ec384" int-ca v3_leaf_plain $START $END
# A self-signed leaf nobody trusts.
sign selfsigned leaf "/O=tern test/CN=selfsigned.test" self v3_self $START $END

# ---- intermediates that must not be usable
rsa_key bad-int 2048 # one key for the broken intermediates
sign int-notca bad-int "/C=XX/O=tern test/CN=Test Not-CA Intermediate" root-ca v3_notca $START $END
sign leaf-notca leaf "/O=tern test/CN=under not-CA" int-notca:bad-int v3_leaf_plain $START $END
sign int-nokcs bad-int "/C=XX/O=tern test/CN=Test No-keyCertSign Intermediate" root-ca v3_nokcs $START $END
sign leaf-nokcs leaf "/O=tern test/CN=under no-keyCertSign" int-nokcs:bad-int v3_leaf_plain $START $END
sign int-expired bad-int "/C=XX/O=tern test/CN=Test Expired Intermediate" root-ca v3_ca 20150101000000Z 20250301000000Z
sign leaf-intexpired leaf "/O=tern test/CN=under expired intermediate" int-expired:bad-int v3_leaf_plain $START $END
# pathLen: int-ca has pathLenConstraint 0, so a CA below it cannot issue.
sign sub-ca bad-int "/C=XX/O=tern test/CN=Test Sub CA" int-ca v3_ca $START $END
sign leaf-pathlen leaf "/O=tern test/CN=pathlen violated" sub-ca:bad-int v3_leaf_plain $START $END
# Same subject name as int-ca but another key: an issuer candidate whose
# signature check fails, so path building must try the real one.
sign int-ca-evil bad-int "/C=XX/O=tern test/CN=Test Intermediate" root-ca v3_int $START $END
# Another root, and int-ca cross-signed by it (same subject and key).
rsa_key root2-ca 2048
sign root2-ca root2-ca "/C=XX/O=tern test/CN=Test Root CA 2" self v3_root $START $ROOT_END
sign int-ca-cross int-ca "/C=XX/O=tern test/CN=Test Intermediate" root2-ca v3_int $START $END
# A chain too deep: root -> deep1 -> ... -> deep9 -> leaf-deep.
prev=root-ca
for i in 1 2 3 4 5 6 7 8 9; do
    sign deep$i bad-int "/O=tern test/CN=Deep CA $i" $prev v3_ca $START $END
    prev=deep$i:bad-int
done
sign leaf-deep leaf "/O=tern test/CN=deep leaf" deep9:bad-int v3_leaf_plain $START $END
# An ECDSA-signed chain (P-384 root signing a P-256 leaf).
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$OUT/ec-root.key" 2>/dev/null
sign ec-root ec-root "/O=tern test/CN=Test EC Root" self v3_root $START $ROOT_END -md sha384
sign ec-leaf ec256 "/O=tern test/CN=ec leaf" ec-root v3_leaf_plain $START $END -md sha256

# The work bound: six different self-issued "Loop CA" certificates with one
# key, so each verifies every other's signature, and a leaf under them.
for i in 1 2 3 4 5 6; do
    sign loop$i bad-int "/O=tern test/CN=Loop CA" self v3_root $START $END
done
sign leaf-loop leaf "/O=tern test/CN=loop leaf" loop1:bad-int v3_leaf_plain $START $END
# A CA with name constraints (permitted DNS allowed.test and IP 10/8,
# excluded DNS bad.allowed.test), leaves inside and outside them, and a CA
# constraining directory names (which tern does not enforce yet).
sign int-nc bad-int "/C=XX/O=tern test/CN=Test Constrained Intermediate" root-ca v3_nc $START $END
sign leaf-nc leaf "/O=tern test/CN=www.allowed.test" int-nc:bad-int v3_leaf_allowed $START $END
sign leaf-nc-outside leaf "/O=tern test/CN=outside" int-nc:bad-int v3_leaf_nc_outside $START $END
sign leaf-nc-excluded leaf "/O=tern test/CN=excluded" int-nc:bad-int v3_leaf_nc_excluded $START $END
sign leaf-nc-wild leaf "/O=tern test/CN=wildcard under constraints" int-nc:bad-int v3_leaf_nc_wild $START $END
sign leaf-nc-ip leaf "/O=tern test/CN=ip outside" int-nc:bad-int v3_leaf_nc_ip $START $END
sign leaf-nc-cn leaf "/O=tern test/CN=www.notallowed.test" int-nc:bad-int v3_cnonly $START $END
sign int-nc-dirname bad-int "/C=XX/O=tern test/CN=Test DirName-Constrained Intermediate" root-ca v3_nc_dirname $START $END
sign leaf-nc-dirname leaf "/O=tern test/CN=dirname leaf" int-nc-dirname:bad-int v3_leaf_plain $START $END
# An empty subject with a critical SAN (RFC 5280 §4.2.1.6).
sign empty-subject leaf "/" int-ca v3_nosubject $START $END
# An intermediate whose extKeyUsage allows only clientAuth, and a leaf
# for any purpose (no EKU) under it.
sign int-clientonly bad-int "/C=XX/O=tern test/CN=Test Client-Only Intermediate" root-ca v3_ca_clientonly $START $END
sign leaf-clientonly leaf "/O=tern test/CN=under client-only" int-clientonly:bad-int v3_noeku $START $END
# A P-256 ECDSA chain (root signs with ecdsa-with-SHA256 and -SHA384).
ec_key ecp256-root P-256
sign ecp256-root ecp256-root "/O=tern test/CN=Test P-256 Root" self v3_root $START $ROOT_END -md sha256
sign ecp256-leaf ec256 "/O=tern test/CN=p256 leaf" ecp256-root v3_leaf_plain $START $END -md sha256
sign ecp256-leaf-sha384 ec256 "/O=tern test/CN=p256 leaf sha384" ecp256-root v3_leaf_plain $START $END -md sha384
# An ECDSA server certificate (P-256 key, same names as server.crt) from the RSA intermediate.
ec_key ec-server P-256
sign ec-server ec-server "/O=tern test/CN=localhost" int-ca v3_ecserver $START $END

# ---- an all-ECDSA hierarchy: P-384 root -> P-256 intermediate
# (signed ecdsa-with-SHA384) -> P-256 server and client leaves (signed
# ecdsa-with-SHA256).  For the ECDHE_ECDSA suites in memory and against
# OpenSSL, dual RSA+ECDSA servers and ECDSA client certificates.
ec_key ecdsa-root P-384
sign ecdsa-root ecdsa-root "/C=XX/O=tern test/CN=Test ECDSA Root" self v3_root $START $ROOT_END -md sha384
ec_key ecdsa-int P-256
sign ecdsa-int ecdsa-int "/C=XX/O=tern test/CN=Test ECDSA Intermediate" ecdsa-root v3_int $START $END -md sha384
ec_key ecdsa-server P-256
sign ecdsa-server ecdsa-server "/O=tern test/CN=localhost" ecdsa-int v3_ecserver $START $END -md sha256
ec_key ecdsa-client P-256
sign ecdsa-client ecdsa-client "/O=tern test/CN=Test ECDSA Client" ecdsa-int v3_client $START $END -md sha256
openssl pkey -in "$OUT/ecdsa-server.key" -traditional -out "$OUT/ecdsa-server-sec1.key"
cat "$OUT/ecdsa-server.crt" "$OUT/ecdsa-int.crt" > "$OUT/ecdsa-server-chain.pem"
cat "$OUT/ecdsa-client.crt" "$OUT/ecdsa-int.crt" > "$OUT/ecdsa-client-chain.pem"

# ---- key files
# PKCS#8 "PRIVATE KEY" is what genpkey wrote; add PKCS#1 "RSA PRIVATE KEY".
openssl pkey -in "$OUT/server.key" -traditional -out "$OUT/server-pkcs1.key"
openssl pkey -in "$OUT/client.key" -traditional -out "$OUT/client-pkcs1.key"
openssl pkey -in "$OUT/ec256.key" -traditional -out "$OUT/ec256-sec1.key"
# Encrypted: PKCS#8 EncryptedPrivateKeyInfo, and legacy PEM encryption.
openssl pkey -in "$OUT/server.key" -aes256 -passout pass:tern -out "$OUT/server-enc-pkcs8.key"
openssl rsa -in "$OUT/server.key" -traditional -aes256 -passout pass:tern -out "$OUT/server-enc-pkcs1.key" 2>/dev/null
# A key that does not match server.crt.
rsa_key wrong 2048
# Chains as a key store wants them: leaf first, then the intermediate.
cat "$OUT/server.crt" "$OUT/int-ca.crt" > "$OUT/server-chain.pem"
cat "$OUT/client.crt" "$OUT/int-ca.crt" > "$OUT/client-chain.pem"
cat "$OUT/bigsan.crt" "$OUT/int-ca.crt" > "$OUT/bigsan-chain.pem"
cat "$OUT/ec-server.crt" "$OUT/int-ca.crt" > "$OUT/ec-server-chain.pem"
# A bundle with one broken certificate in the middle (bad base64 body)
# and text between blocks: a trust store must load the other two.
{
    echo "Test bundle: root, a broken block, root 2."
    cat "$OUT/root-ca.crt"
    echo "# broken:"
    echo "-----BEGIN CERTIFICATE-----"
    echo "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
    echo "-----END CERTIFICATE-----"
    cat "$OUT/root2-ca.crt"
} > "$OUT/bundle-with-bad.pem"

echo "fixtures written to $OUT"
