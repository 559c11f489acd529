#!/bin/sh
# Certificate-policy fixtures (RFC 5280 §4.2.1.4, .5, .11, .14) for
# tests/test_policy.c, written to vectors/certs/policy/ with the openssl CLI
# (OpenSSL 3.x).  Run from the repository root:
#     sh tests/certs/make-policy-certs.sh
# The outputs are committed; running it again makes new keys (the tests
# refer to files by name only).  P-256 keys throughout (fast to make).
# Validity 2020-01-01 .. 2045-01-01; the tests check at 2030-01-01.
#
# Policy OIDs: P1 = 1.3.6.1.4.1.55555.1.1, P2 = ...1.2, P3 = ...1.3;
# anyPolicy = 2.5.29.32.0.  Files (NAME.crt; the keys of CAs as NAME.key):
#   root            the trust anchor: no policy extensions (none are read)
#   int-p1          CA: policies P1                        (signed by root)
#   int-p1-nopol    CA: the name and key of int-p1, no policies (by root)
#   leaf-p1         leaf: policies P1                      (by int-p1)
#   leaf-nopol      leaf: no certificatePolicies           (by int-p1)
#   leaf-p2-under-p1 leaf: policies P2                     (by int-p1)
#   int-map         CA: policies P1, mapping P1 -> P2      (by root)
#   leaf-map        leaf: policies P2                      (by int-map)
#   int-any         CA: policies anyPolicy                 (by root)
#   leaf-any        leaf: policies anyPolicy               (by int-any)
#   int-inhany      CA: anyPolicy, inhibitAnyPolicy 0      (by root)
#   leaf-inhany     leaf: policies anyPolicy               (by int-inhany)
#   int-reqexp      CA: policies P1, policyConstraints requireExplicitPolicy 0 (by root)
#   leaf-reqexp-p1  leaf: policies P1                      (by int-reqexp)
#   leaf-reqexp-nopol leaf: no policies                    (by int-reqexp)
#   int-inhmap      CA: policies P1, policyConstraints inhibitPolicyMapping 0 (by root)
#   int-inhmap-map  CA: policies P1, mapping P1 -> P2      (by int-inhmap)
#   leaf-inhmap     leaf: policies P2                      (by int-inhmap-map)
#   int-anymap      CA: policies anyPolicy, mapping P1 -> P2 (by root): P1 is
#                   mapped through anyPolicy (RFC 5280 §6.1.4 (b)(1))
#   leaf-anymap     leaf: policies P2                      (by int-anymap)
#   int-anymap-any  CA: policies anyPolicy                 (by int-anymap)
#   leaf-anymap-any leaf: policies P2                      (by int-anymap-any)
#   int-mapany      CA: policies P1, mapping P1 -> anyPolicy (by root)
#   leaf-mapany     leaf: policies P1                      (by int-mapany)
#   int-critq       CA: critical certificatePolicies P1 with an unknown qualifier (by root)
#   leaf-critq      leaf: policies P1                      (by int-critq)
#   int-critcps     CA: critical certificatePolicies P1 with a CPS qualifier (by root)
#   leaf-critcps    leaf: policies P1                      (by int-critcps)
#   int-badpc       CA: policyConstraints that is an empty SEQUENCE (malformed)
#   int-duppol      CA: certificatePolicies naming P1 twice (malformed)
#   int-badinh      CA: inhibitAnyPolicy -1 (malformed)
#   atk1..atk4      CA chain: 20 policies each, every one mapped to every
#                   one (400 mappings): the CVE-2023-0464 shape
#   leaf-atk3       leaf: policies P1 of the set (by atk3)
#   leaf-atk4       leaf: policies P1 of the set (by atk4)
#   leaf-p1-chain.pem, leaf-nopol-chain.pem (+ .key): leaf and int-p1, as a
#                   TLS identity; leaves are for serverAuth and clientAuth,
#                   DNS:policy.test
set -eu

OUT=${1:-vectors/certs/policy}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT INT TERM
START=20200101000000Z
END=20450101000000Z
P=1.3.6.1.4.1.55555.1

cat > "$WORK/ca.cnf" <<CNF
[ ca ]
default_ca = testca
[ testca ]
database = $WORK/index.txt
new_certs_dir = $WORK/new
rand_serial = yes
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
CNF
mkdir -p "$WORK/new"
: > "$WORK/index.txt"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$OUT/$1.key" 2>/dev/null; }

# cert NAME ISSUER "CN" EXTENSION-LINES (ISSUER "self" = self-signed)
cert() {
    name=$1 issuer=$2 cn=$3 exts=$4
    [ -f "$OUT/$name.key" ] || key "$name"
    printf '[ ext ]\n%s\n' "$exts" > "$WORK/$name.ext"
    openssl req -new -key "$OUT/$name.key" -subj "/O=tern policy test/CN=$cn" -out "$WORK/$name.csr" \
        -config "$WORK/ca.cnf" 2>/dev/null
    if [ "$issuer" = self ]; then
        openssl ca -batch -selfsign -config "$WORK/ca.cnf" -keyfile "$OUT/$name.key" -in "$WORK/$name.csr" \
            -startdate $START -enddate $END -extfile "$WORK/$name.ext" -extensions ext -notext \
            -out "$OUT/$name.crt" 2>/dev/null
    else
        openssl ca -batch -config "$WORK/ca.cnf" -cert "$OUT/$issuer.crt" -keyfile "$OUT/$issuer.key" \
            -in "$WORK/$name.csr" -startdate $START -enddate $END -extfile "$WORK/$name.ext" -extensions ext \
            -notext -out "$OUT/$name.crt" 2>/dev/null
    fi
}

CA="basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always"
LEAF="basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth,clientAuth
subjectAltName = DNS:policy.test
authorityKeyIdentifier = keyid:always"

cert root self "Policy Root" "basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash"

cert int-p1 root "Int P1" "$CA
certificatePolicies = $P.1"
# The same CA name and key without policies: a second candidate issuer.
cp "$OUT/int-p1.key" "$OUT/int-p1-nopol.key"
cert int-p1-nopol root "Int P1" "$CA"
cert leaf-p1 int-p1 "leaf p1" "$LEAF
certificatePolicies = $P.1"
cert leaf-nopol int-p1 "leaf nopol" "$LEAF"
cert leaf-p2-under-p1 int-p1 "leaf p2" "$LEAF
certificatePolicies = $P.2"

cert int-map root "Int Map" "$CA
certificatePolicies = $P.1
policyMappings = critical,$P.1:$P.2"
cert leaf-map int-map "leaf map" "$LEAF
certificatePolicies = $P.2"

cert int-any root "Int Any" "$CA
certificatePolicies = 2.5.29.32.0"
cert leaf-any int-any "leaf any" "$LEAF
certificatePolicies = 2.5.29.32.0"

cert int-inhany root "Int InhAny" "$CA
certificatePolicies = 2.5.29.32.0
inhibitAnyPolicy = critical,0"
cert leaf-inhany int-inhany "leaf inhany" "$LEAF
certificatePolicies = 2.5.29.32.0"

cert int-reqexp root "Int ReqExp" "$CA
certificatePolicies = $P.1
policyConstraints = critical,requireExplicitPolicy:0"
cert leaf-reqexp-p1 int-reqexp "leaf reqexp p1" "$LEAF
certificatePolicies = $P.1"
cert leaf-reqexp-nopol int-reqexp "leaf reqexp nopol" "$LEAF"

cert int-inhmap root "Int InhMap" "$CA
certificatePolicies = $P.1
policyConstraints = critical,inhibitPolicyMapping:0"
cert int-inhmap-map int-inhmap "Int InhMap Map" "$CA
certificatePolicies = $P.1
policyMappings = critical,$P.1:$P.2"
cert leaf-inhmap int-inhmap-map "leaf inhmap" "$LEAF
certificatePolicies = $P.2"

cert int-anymap root "Int AnyMap" "$CA
certificatePolicies = 2.5.29.32.0
policyMappings = critical,$P.1:$P.2"
cert leaf-anymap int-anymap "leaf anymap" "$LEAF
certificatePolicies = $P.2"
cert int-anymap-any int-anymap "Int AnyMap Any" "$CA
certificatePolicies = 2.5.29.32.0"
cert leaf-anymap-any int-anymap-any "leaf anymap any" "$LEAF
certificatePolicies = $P.2"

cert int-mapany root "Int MapAny" "$CA
certificatePolicies = $P.1
policyMappings = critical,$P.1:2.5.29.32.0"
cert leaf-mapany int-mapany "leaf mapany" "$LEAF
certificatePolicies = $P.1"

# A critical certificatePolicies with a qualifier tern does not know
# (1.2.3, value NULL), and one with a CPS pointer (known).
cert int-critq root "Int CritQ" "$CA
2.5.29.32 = critical,DER:30:18:30:16:06:0a:2b:06:01:04:01:83:b2:03:01:01:30:08:30:06:06:02:2a:03:05:00"
cert leaf-critq int-critq "leaf critq" "$LEAF
certificatePolicies = $P.1"
cert int-critcps root "Int CritCPS" "$CA
certificatePolicies = critical,@cps
[ cps ]
policyIdentifier = $P.1
CPS.1 = http://cps.policy.test/"
cert leaf-critcps int-critcps "leaf critcps" "$LEAF
certificatePolicies = $P.1"

# Malformed extensions, written as raw DER.
cert int-badpc root "Int BadPC" "$CA
2.5.29.36 = critical,DER:30:00"
cert int-duppol root "Int DupPol" "$CA
2.5.29.32 = DER:30:1c:30:0c:06:0a:2b:06:01:04:01:83:b2:03:01:01:30:0c:06:0a:2b:06:01:04:01:83:b2:03:01:01"
cert int-badinh root "Int BadInh" "$CA
2.5.29.54 = critical,DER:02:01:ff"

# The attack shape: K policies, each mapped to each, over four levels.
K=20
pols="" maps=""
i=1
while [ $i -le $K ]; do
    pols="$pols${pols:+,}$P.$i"
    j=1
    while [ $j -le $K ]; do
        maps="$maps${maps:+,}$P.$i:$P.$j"
        j=$((j + 1))
    done
    i=$((i + 1))
done
prev=root
for n in 1 2 3 4; do
    cert atk$n $prev "Attack $n" "$CA
certificatePolicies = $pols
policyMappings = critical,$maps"
    prev=atk$n
done
cert leaf-atk3 atk3 "leaf atk3" "$LEAF
certificatePolicies = $P.1"
cert leaf-atk4 atk4 "leaf atk4" "$LEAF
certificatePolicies = $P.1"

# Chains and keys for the TLS tests (a server or client identity); the
# other leaves' keys are not needed.
cat "$OUT/leaf-p1.crt" "$OUT/int-p1.crt" > "$OUT/leaf-p1-chain.pem"
cat "$OUT/leaf-nopol.crt" "$OUT/int-p1.crt" > "$OUT/leaf-nopol-chain.pem"
for f in "$OUT"/leaf-*.key; do
    case $f in */leaf-p1.key | */leaf-nopol.key) ;; *) rm -f "$f" ;; esac
done
echo "wrote $(ls "$OUT"/*.crt | wc -l) certificates to $OUT"
