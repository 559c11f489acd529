#!/bin/sh
# Regenerates the name fixtures in vectors/certs/nc/ (name constraints, the
# absent CN fallback, RFC 5280 §7.1 name chaining) with the openssl CLI
# (OpenSSL 3.x).  Run from the repository root:  sh tests/certs/make-nc-certs.sh
# The outputs are committed; tests/test_names.c refers to them by name, so a
# rerun (new keys, new serials) keeps the tests valid.  Keys are P-256.
# Validity: 2020-01-01 to 2045-01-01.  The keys stay in a temporary directory.
# Every certificate follows the RFC 5280 profile tern checks (a CA has a
# critical basicConstraints and a subjectKeyIdentifier, every certificate
# that is not self-signed an authorityKeyIdentifier keyIdentifier), so each
# chain fails, when it does, for its name.
#
#   root            NC Test Root (unconstrained), the trust anchor
#   ca-dns          permitted DNS:example.com (critical)
#     leaf-intranet   no SAN, CN=intranet: must match no name (no CN fallback)
#     leaf-www        SAN DNS:www.example.com
#   ca-dns-noncrit  the same constraint, marked non-critical (CABF allows it)
#     leaf-noncrit    SAN DNS:www.example.com
#   ca-dir          permitted dirName "O=tern test, OU=Names"
#     leaf-dir-in     subject O=tern test, OU=Names, CN=in   (SAN DNS:in.test)
#     leaf-dir-out    subject O=tern test, OU=Other, CN=out  (SAN DNS:out.test)
#   ca-email        permitted email:.example.com, email:boss@corp.test
#     leaf-email-in   SAN email:a@mail.example.com, email:boss@CORP.test
#     leaf-email-out  SAN email:a@example.org
#     leaf-email-subj no SAN email; subject emailAddress=a@example.org
#   ca-uri          permitted URI:.example.com
#     leaf-uri-in     SAN URI:https://www.example.com:8443/x
#     leaf-uri-out    SAN URI:https://evil.test/
#     leaf-uri-nohost SAN URI:urn:example:x
#   ca-other        excluded otherName (a private OID)
#     leaf-other      SAN otherName + DNS:other.test
#     leaf-plain      SAN DNS:other.test only
#   ca-badmask      permitted IP:10.0.0.0/255.0.255.0 (mask not contiguous)
#   ca-dot          permitted DNS:.example.com (a leading period)
#   ca-ip6          excluded IP:2001:db8::/32
#     leaf-ip6        SAN IP:2001:db8::1
#   leaf-with-nc    a non-CA leaf of root carrying name constraints
#   ca-many / leaf-many  1100 permitted subtrees x 1000 SANs (the work budget)
#   ca-chain        subject UTF8String "CN=Name Chaining CA, O=tern test"
#     leaf-chain      its issuer field is PrintableString " NAME   chaining CA",
#                     "TERN TEST " (same key): equal only by RFC 5280 §7.1
#   leaf-chain-other issuer "CN=Name Chaining CA2" (same key): no issuer
set -eu

OUT=${1:-vectors/certs/nc}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM

START=20200101000000Z
END=20450101000000Z

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
email_in_dn = yes
copy_extensions = none
preserve = yes
[ anything ]
countryName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
emailAddress = optional
[ req ]
distinguished_name = dn
prompt = no
string_mask = nombstr
[ dn ]
CN = unused

[ v3_root ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
[ v3_ca_dns ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,permitted;DNS:example.com
[ v3_ca_dns_noncrit ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = permitted;DNS:example.com
[ v3_ca_dir ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,permitted;dirName:nc_dir
[ nc_dir ]
O = tern test
OU = Names
[ v3_ca_email ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,permitted;email:.example.com,permitted;email:boss@corp.test
[ v3_ca_uri ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,permitted;URI:.example.com
[ v3_ca_other ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,excluded;otherName:1.3.6.1.4.1.55555.1;UTF8:forbidden
[ v3_ca_badmask ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,permitted;IP:10.0.0.0/255.0.255.0
[ v3_ca_dot ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,permitted;DNS:.example.com
[ v3_ca_ip6 ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,excluded;IP:2001:db8::/ffff:ffff::
[ v3_ca_many ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical,@many_nc
[ v3_leaf_nc ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:www.example.com
nameConstraints = critical,permitted;DNS:example.com
[ v3_leaf_nosan ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
[ v3_leaf_www ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:www.example.com
[ v3_leaf_in ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:in.test
[ v3_leaf_out ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:out.test
[ v3_leaf_email_in ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = email:a@mail.example.com,email:boss@CORP.test
[ v3_leaf_email_out ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = email:a@example.org
[ v3_leaf_uri_in ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = URI:https://www.example.com:8443/x,DNS:www.example.com
[ v3_leaf_uri_out ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = URI:https://evil.test/
[ v3_leaf_uri_nohost ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = URI:urn:example:x
[ v3_leaf_other ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = otherName:1.3.6.1.4.1.55555.1;UTF8:forbidden,DNS:other.test
[ v3_leaf_plain ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:other.test
[ v3_leaf_ip6 ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = IP:2001:db8::1
[ v3_leaf_many ]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
authorityKeyIdentifier = keyid:always
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = @many_san
CNF
{
    echo "[ many_nc ]"
    i=0
    while [ $i -lt 1100 ]; do
        echo "permitted;DNS.$i = n$i.test"
        i=$((i + 1))
    done
    echo "[ many_san ]"
    i=0
    while [ $i -lt 1000 ]; do
        echo "DNS.$i = n$i.test"
        i=$((i + 1))
    done
} >> "$WORK/ca.cnf"
touch "$WORK/index.txt"
mkdir -p "$WORK/new"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/$1.key" 2>/dev/null; }

# sign NAME KEYNAME SUBJECT ISSUER EXT: as tests/certs/make-certs.sh does.
sign() {
    name=$1 k=$2 subj=$3 issuer=$4 ext=$5
    openssl req -new -config "${REQCNF:-$WORK/ca.cnf}" -key "$WORK/$k.key" -subj "$subj" -out "$WORK/$name.csr"
    if [ "$issuer" = self ]; then
        set -- -selfsign -keyfile "$WORK/$k.key"
    else
        ikey=${issuer#*:}
        icrt=${issuer%%:*}
        case $icrt in /*) ;; *) icrt=$OUT/$icrt.crt ;; esac
        set -- -cert "$icrt" -keyfile "$WORK/$ikey.key"
    fi
    openssl ca -config "$WORK/ca.cnf" -batch -notext -utf8 -in "$WORK/$name.csr" -out "$OUT/$name.crt" \
        -startdate $START -enddate $END -extfile "$WORK/ca.cnf" -extensions "$ext" "$@" 2>/dev/null
    openssl x509 -in "$OUT/$name.crt" -out "$OUT/$name.crt"
}

key root
key ca
key leaf
sign root root "/O=tern test/CN=NC Test Root" self v3_root
sign ca-dns ca "/O=tern test/CN=NC DNS CA" root v3_ca_dns
sign leaf-intranet leaf "/CN=intranet" ca-dns:ca v3_leaf_nosan
sign leaf-www leaf "/CN=www.example.com" ca-dns:ca v3_leaf_www
sign ca-dns-noncrit ca "/O=tern test/CN=NC DNS CA (non-critical)" root v3_ca_dns_noncrit
sign leaf-noncrit leaf "/CN=www.example.com" ca-dns-noncrit:ca v3_leaf_www
sign ca-dir ca "/O=tern test/CN=NC DirName CA" root v3_ca_dir
sign leaf-dir-in leaf "/O=tern test/OU=Names/CN=in" ca-dir:ca v3_leaf_in
sign leaf-dir-out leaf "/O=tern test/OU=Other/CN=out" ca-dir:ca v3_leaf_out
sign ca-email ca "/O=tern test/CN=NC Email CA" root v3_ca_email
sign leaf-email-in leaf "/CN=email in" ca-email:ca v3_leaf_email_in
sign leaf-email-out leaf "/CN=email out" ca-email:ca v3_leaf_email_out
sign leaf-email-subj leaf "/CN=email subject/emailAddress=a@example.org" ca-email:ca v3_leaf_www
sign ca-uri ca "/O=tern test/CN=NC URI CA" root v3_ca_uri
sign leaf-uri-in leaf "/CN=uri in" ca-uri:ca v3_leaf_uri_in
sign leaf-uri-out leaf "/CN=uri out" ca-uri:ca v3_leaf_uri_out
sign leaf-uri-nohost leaf "/CN=uri no host" ca-uri:ca v3_leaf_uri_nohost
sign ca-other ca "/O=tern test/CN=NC otherName CA" root v3_ca_other
sign leaf-other leaf "/CN=other" ca-other:ca v3_leaf_other
sign leaf-plain leaf "/CN=plain" ca-other:ca v3_leaf_plain
sign ca-badmask ca "/O=tern test/CN=NC bad mask CA" self v3_ca_badmask
sign leaf-badmask leaf "/CN=badmask" ca-badmask:ca v3_leaf_www
sign ca-dot ca "/O=tern test/CN=NC leading period CA" self v3_ca_dot
sign leaf-dot leaf "/CN=dot" ca-dot:ca v3_leaf_www
sign ca-ip6 ca "/O=tern test/CN=NC IPv6 CA" root v3_ca_ip6
sign leaf-ip6 leaf "/CN=ip6" ca-ip6:ca v3_leaf_ip6
sign leaf-with-nc leaf "/CN=leaf with nc" root v3_leaf_nc
sign ca-many ca "/O=tern test/CN=NC many CA" root v3_ca_many
sign leaf-many leaf "/CN=many" ca-many:ca v3_leaf_many

# Name chaining: ca-chain (UTF8String names) signs nothing itself; a
# throw-away self-signed twin with the same key but PrintableString names in
# other case and spacing signs leaf-chain, so leaf-chain's issuer field
# differs from ca-chain's subject in bytes but not by RFC 5280 §7.1.
sed 's/^string_mask = nombstr/string_mask = utf8only/' "$WORK/ca.cnf" > "$WORK/utf8.cnf"
REQCNF=$WORK/utf8.cnf sign ca-chain ca "/O=tern test/CN=Name Chaining CA" root v3_ca
openssl req -new -x509 -config "$WORK/ca.cnf" -key "$WORK/ca.key" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "subjectKeyIdentifier=hash" \
    -subj "/O=TERN TEST /CN= NAME   chaining CA" -out "$WORK/twin.crt"
sign leaf-chain leaf "/CN=www.example.com" "$WORK/twin.crt:ca" v3_leaf_www
openssl req -new -x509 -config "$WORK/ca.cnf" -key "$WORK/ca.key" -days 30 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "subjectKeyIdentifier=hash" \
    -subj "/O=tern test/CN=Name Chaining CA2" -out "$WORK/other.crt"
sign leaf-chain-other leaf "/CN=www.example.com" "$WORK/other.crt:ca" v3_leaf_www
