#!/bin/sh
# `tern inspect FILE` (tools/tern_inspect.c):
#   - every certificate field checked against what openssl prints for the
#     same certificate (subject, issuer, serial, dates, SHA-256 fingerprint,
#     subjectAltName DNS names and IPs, key size / curve, CA or not,
#     signature algorithm), on committed fixtures (PEM chains, an EC chain,
#     a self-signed root) and on a DER certificate openssl makes at test time;
#   - private keys in every form (PKCS#8, PKCS#1, SEC 1; PEM and DER made by
#     openssl): type and size as openssl reports them, the certificate each
#     matches (and a key that matches none);
#   - CRLs: issuer, thisUpdate / nextUpdate and the revoked serials, against
#     `openssl crl`;
#   - encrypted keys (PKCS#8 and the legacy PEM headers): the scheme without
#     the password (PRF, iterations, cipher as asked of openssl), the key
#     with it, a wrong password, a scheme tern refuses;
#   - PKCS#12 made by openssl pkcs12 -export (and keytool's in vectors/p12):
#     the MAC and encryption as `openssl pkcs12 -info` reports them, the
#     certificates checked as above, the key matched, key store / trust
#     store verdicts, -legacy refused, -nomac, the empty password, a wrong one;
#   - the verdict line and its option: key store (also with the key before
#     the chain), trust store, chain without its key, key without its chain,
#     CRLs, a key for the wrong certificate, a key store with the leaf last;
#   - hostile input: truncated PEM, bad base64 among good blocks (the rest
#     still shown), garbage, an unknown label, truncated and bit-flipped DER,
#     an empty file: exit 1 with a sentence, never a crash;
#   - usage: --help (exit 0), no file / a missing file (exit 2).
NAME=inspect
. tests/lib.sh
need_tern
need openssl

C=$CERTS
T=$WORK

# field OUT N NAME: the value of "    NAME: value" in item [N] of tern's output.
field() {
    awk -v n="[$2]" -v name="$3" '
        index($0, n " ") == 1 { on = 1; next }
        /^\[[0-9]+\]/ { on = 0 }
        on && index($0, "    " name ":") == 1 { sub("^ +[^:]+: *", ""); print; exit }' "$1"
}

# expect OUT N NAME VALUE WHAT
expect() {
    got=$(field "$1" "$2" "$3")
    if [ "$got" = "$4" ]; then
        ok "$5: $3 = $4"
    else
        fail "$5: $3 is \"$got\", openssl says \"$4\""
    fi
}

# RFC 2253 as openssl prints it ("CN=a,O=b") from tern's "CN=a, O=b".
nocommaspace() { sed 's/, /,/g'; }

# check_cert OUT N CERT.pem WHAT: item [N] of OUT against openssl's view of CERT.pem.
check_cert() {
    out=$1 n=$2 pem=$3 what=$4
    o() { openssl x509 -in "$pem" -noout "$@"; }
    want=$(o -subject -nameopt RFC2253 | sed 's/^subject=//')
    got=$(field "$out" "$n" subject | nocommaspace)
    [ "$got" = "$want" ] && ok "$what: subject $want" || fail "$what: subject \"$got\", openssl \"$want\""
    want=$(o -issuer -nameopt RFC2253 | sed 's/^issuer=//')
    got=$(field "$out" "$n" issuer | nocommaspace)
    [ "$got" = "$want" ] && ok "$what: issuer" || fail "$what: issuer \"$got\", openssl \"$want\""
    expect "$out" "$n" serial "$(o -serial | sed 's/^serial=//')" "$what"
    nb=$(o -startdate -dateopt iso_8601 | sed 's/^notBefore=//; s/Z$/ UTC/')
    na=$(o -enddate -dateopt iso_8601 | sed 's/^notAfter=//; s/Z$/ UTC/')
    got=$(field "$out" "$n" validity)
    case $got in
    "$nb .. $na ("*) ok "$what: validity $nb .. $na" ;;
    *) fail "$what: validity \"$got\", openssl $nb .. $na" ;;
    esac
    if o -checkend 0 >/dev/null 2>&1 && [ "$(o -startdate -dateopt iso_8601 | cut -c11-14)" -le "$(date -u +%Y)" ]; then
        case $got in *"(valid now)") ok "$what: valid now" ;; *) fail "$what: openssl says valid now: $got" ;; esac
    fi
    expect "$out" "$n" SHA-256 "$(o -fingerprint -sha256 | sed 's/^.*Fingerprint=//')" "$what"
    bits=$(o -text | sed -n 's/^ *Public-Key: (\([0-9]*\) bit)/\1/p')
    case $(o -text | grep -c "id-ecPublicKey") in
    0) want="RSA $bits bits" ;;
    *) want="EC P-$bits (secp${bits}r1)" ;;
    esac
    expect "$out" "$n" "public key" "$want" "$what"
    want=$(o -text | sed -n 's/^ *Signature Algorithm: //p' | head -1 | sed 's/ *$//')
    got=$(field "$out" "$n" signature)
    case $got in
    "$want"*) ok "$what: signature $want" ;;
    *) fail "$what: signature \"$got\", openssl \"$want\"" ;;
    esac
    # SANs: openssl writes IPv6 uncompressed; compare DNS names and IPv4 only.
    want=$(o -ext subjectAltName 2>/dev/null | tail -n +2 | tr ',' '\n' | sed 's/^ *//; s/IP Address:/IP:/' |
        grep -E '^(DNS:|IP:[0-9.]+$)' | sort | tr '\n' ' ')
    got=$(field "$out" "$n" subjectAltName | tr ',' '\n' | sed 's/^ *//; s/ (critical)$//' |
        grep -E '^(DNS:|IP:[0-9.]+$)' | sort | tr '\n' ' ')
    [ "$got" = "$want" ] && ok "$what: subjectAltName ${want:-(none)}" ||
        fail "$what: subjectAltName \"$got\", openssl \"$want\""
    if o -text | grep -q "CA:TRUE"; then want=yes; else want=no; fi
    got=$(field "$out" "$n" CA | cut -d' ' -f1)
    [ "$got" = "$want" ] && ok "$what: CA $want" || fail "$what: CA \"$got\", openssl says $want"
}

# inspect FILE OUT: run it, keep the exit status in RC.
inspect() {
    "$TERN" inspect "$1" >"$2" 2>&1
    RC=$?
}

has() { # OUT REGEX WHAT
    if grep -Eq -e "$2" "$1"; then ok "$3"; else fail "$3: no line matching /$2/ in: $(tail -4 "$1")"; fi
}

# ---- certificates: a chain, an EC chain, a self-signed root, a DER certificate ----
inspect "$C/server-chain.pem" "$T/chain.out"
[ $RC -eq 0 ] && ok "server-chain.pem: exit 0" || fail "server-chain.pem: exit $RC"
awk '/BEGIN CERT/{n++} {print > ("'"$T"'/c" n ".pem")}' "$C/server-chain.pem"
check_cert "$T/chain.out" 1 "$T/c1.pem" "server-chain [1]"
check_cert "$T/chain.out" 2 "$T/c2.pem" "server-chain [2]"
has "$T/chain.out" '^    keyUsage: +digitalSignature, keyEncipherment \(critical\)$' "keyUsage of the leaf"
has "$T/chain.out" '^    extKeyUsage: +serverAuth$' "extKeyUsage of the leaf"
has "$T/chain.out" 'subjectAltName: DNS:localhost, DNS:server.test, IP:127.0.0.1, IP:::1$' "SAN with IPv6 in RFC 5952 form"
has "$T/chain.out" 'CA: +yes \(basicConstraints cA, pathLenConstraint 0\)' "pathLenConstraint of the intermediate"
has "$T/chain.out" '^tern would use this file as: a certificate chain without its key' "verdict: chain without its key"
has "$T/chain.out" '--keystore CHAIN KEY' "verdict names --keystore CHAIN KEY"

inspect "$C/ec-server-chain.pem" "$T/ec.out"
awk '/BEGIN CERT/{n++} {print > ("'"$T"'/e" n ".pem")}' "$C/ec-server-chain.pem"
check_cert "$T/ec.out" 1 "$T/e1.pem" "ec-server-chain [1]"
for f in ec384.crt pss.crt sha384.crt rsa4096.crt ip-san.crt expired.crt; do
    inspect "$C/$f" "$T/$f.out"
    check_cert "$T/$f.out" 1 "$C/$f" "$f"
done
has "$T/expired.crt.out" 'validity:.*\(EXPIRED\)$' "expired.crt is said to be expired"
has "$T/pss.crt.out" 'signature: +rsassaPss \(RSASSA-PSS: SHA256, MGF1 with SHA256, salt 32 bytes\)' "PSS parameters"

inspect "$C/root-ca.crt" "$T/root.out"
check_cert "$T/root.out" 1 "$C/root-ca.crt" "root-ca.crt"
has "$T/root.out" '^    self-signed: +yes' "root is self-signed"
has "$T/chain.out" '^    self-signed: +no$' "leaf is not self-signed"
has "$T/root.out" '^tern would use this file as: a trust store \(1 CA certificate\)$' "verdict: trust store"
has "$T/root.out" "tern client --truststore $C/root-ca.crt" "trust store option"
[ $RC -eq 0 ] || fail "root-ca.crt: exit $RC"
cat "$C/root-ca.crt" "$C/root2-ca.crt" "$C/int-ca.crt" >"$T/bundle.pem"
inspect "$T/bundle.pem" "$T/bundle.out"
has "$T/bundle.out" '^tern would use this file as: a trust store \(3 CA certificates\)$' "verdict: 3 CA certificates"

openssl x509 -in "$C/ec256.crt" -outform DER -out "$T/cert.der"
inspect "$T/cert.der" "$T/der.out"
has "$T/der.out" '^\[1\] certificate \(DER\)$' "a DER certificate is recognised by its content"
check_cert "$T/der.out" 1 "$C/ec256.crt" "DER ec256"

# ---- keys ----
# key_bits KEYFILE: what openssl says ("RSA 2048 bits" / "EC P-256 (secp256r1)").
key_want() {
    t=$(openssl pkey -in "$1" -noout -text 2>/dev/null)
    b=$(echo "$t" | head -1 | sed -n 's/.*(\([0-9]*\) bit.*/\1/p')
    case $t in
    *modulus:*) echo "RSA $b bits" ;;
    *) echo "EC P-$b (secp${b}r1)" ;;
    esac
}
for k in server.key server-pkcs1.key ec256.key ec256-sec1.key ec384.key rsa4096.key; do
    inspect "$C/$k" "$T/$k.out"
    expect "$T/$k.out" 1 key "$(key_want "$C/$k")" "$k"
    has "$T/$k.out" '^    matches: +no certificate in this file$' "$k alone matches nothing"
    has "$T/$k.out" '^tern would use this file as: a private key without its certificate' "$k: verdict key without chain"
done
has "$T/server-pkcs1.key.out" 'PKCS#1 RSAPrivateKey' "PKCS#1 named"
has "$T/ec256-sec1.key.out" 'SEC 1 ECPrivateKey' "SEC 1 named"
has "$T/server.key.out" 'PKCS#8 PrivateKeyInfo' "PKCS#8 named"
inspect "$C/rsa1024.key" "$T/rsa1024.out"
has "$T/rsa1024.out" 'RSA 1024 bits; not usable: an RSA key of 1024 bits; tern supports 2048 to 8192' "1024-bit key: why not usable"
[ $RC -eq 1 ] && ok "a file with only an unusable key: exit 1" || fail "rsa1024.key: exit $RC"

# DER keys made now: PKCS#8, PKCS#1, SEC 1.
openssl pkcs8 -topk8 -nocrypt -in "$C/ec384.key" -outform DER -out "$T/k8.der"
openssl rsa -in "$C/server.key" -traditional -outform DER -out "$T/k1.der" 2>/dev/null
openssl ec -in "$C/ec256.key" -outform DER -out "$T/ksec1.der" 2>/dev/null
inspect "$T/k8.der" "$T/k8.out"
has "$T/k8.out" '^\[1\] private key \(DER: PKCS#8 PrivateKeyInfo\), not encrypted$' "DER PKCS#8 key recognised"
expect "$T/k8.out" 1 key "EC P-384 (secp384r1)" "DER PKCS#8"
inspect "$T/k1.der" "$T/k1.out"
has "$T/k1.out" '^\[1\] private key \(DER: PKCS#1 RSAPrivateKey\)' "DER PKCS#1 key recognised"
expect "$T/k1.out" 1 key "RSA 2048 bits" "DER PKCS#1"
inspect "$T/ksec1.der" "$T/ksec1.out"
has "$T/ksec1.out" '^\[1\] private key \(DER: SEC 1 ECPrivateKey\)' "DER SEC 1 key recognised"

# ---- key stores: the key and its certificate ----
cat "$C/server-chain.pem" "$C/server.key" >"$T/ks.pem"
inspect "$T/ks.pem" "$T/ks.out"
[ $RC -eq 0 ] && ok "key store file: exit 0" || fail "key store file: exit $RC"
has "$T/ks.out" '^    matches: +certificate \[1\] CN=localhost \(same public key\)$' "the key matches certificate [1]"
has "$T/ks.out" '^tern would use this file as: a key store \(certificate chain of 2 \+ matching private key\)$' "verdict: key store"
has "$T/ks.out" "tern server --keystore $T/ks.pem $T/ks.pem" "key store option"
# Key first, then the chain: still matched (the key is shown before its certificate).
cat "$C/ec256-sec1.key" "$C/ec256.crt" "$C/int-ca.crt" >"$T/ks2.pem"
inspect "$T/ks2.pem" "$T/ks2.out"
has "$T/ks2.out" '^    matches: +certificate \[2\] CN=ec256 \(same public key\)$' "an EC key before its certificate matches it"
has "$T/ks2.out" '^tern would use this file as: a key store' "verdict: EC key store"
# The wrong key: matches nothing; the file is not usable.
cat "$C/server-chain.pem" "$C/wrong.key" >"$T/mis.pem"
inspect "$T/mis.pem" "$T/mis.out"
has "$T/mis.out" '^    matches: +no certificate in this file$' "the wrong key matches nothing"
has "$T/mis.out" 'the private key matches no certificate in it' "verdict: mismatch"
[ $RC -eq 1 ] && ok "mismatched key store: exit 1" || fail "mismatched key store: exit $RC"
# The key's certificate not first.
cat "$C/int-ca.crt" "$C/server.crt" "$C/server.key" >"$T/order.pem"
inspect "$T/order.pem" "$T/order.out"
has "$T/order.out" 'the private key belongs to certificate \[2\]' "verdict: the leaf must come first"
[ $RC -eq 1 ] && ok "leaf not first: exit 1" || fail "leaf not first: exit $RC"

# ---- encrypted keys ----
inspect "$C/server-enc-pkcs8.key" "$T/enc8.out"
has "$T/enc8.out" 'ENCRYPTED: a PKCS#8 EncryptedPrivateKeyInfo' "encrypted PKCS#8 named"
inspect "$C/server-enc-pkcs1.key" "$T/enc1.out"
has "$T/enc1.out" "ENCRYPTED with OpenSSL's legacy PEM encryption" "legacy PEM encryption named"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -aes256 -pass pass:tern -out "$T/genenc.pem" 2>/dev/null
inspect "$T/genenc.pem" "$T/genenc.out"
has "$T/genenc.out" 'ENCRYPTED: a PKCS#8 EncryptedPrivateKeyInfo' "openssl genpkey -aes256 output named"

# With the password: decrypted and shown; the scheme as openssl wrote it.
printf 'tern\n' >"$T/pw"
printf 'nope\n' >"$T/badpw"
for k in server-enc-pkcs8.key server-enc-pkcs1.key; do
    "$TERN" inspect --password-file "$T/pw" "$C/$k" >"$T/$k.pw.out" 2>&1
    RC=$?
    [ $RC -eq 0 ] && ok "$k with its password: exit 0" || fail "$k with its password: exit $RC"
    has "$T/$k.pw.out" '^    decrypted: +yes' "$k decrypted"
    expect "$T/$k.pw.out" 1 key "RSA 2048 bits" "$k decrypted"
    "$TERN" inspect --password-file "$T/badpw" "$C/$k" >"$T/$k.bad.out" 2>&1
    RC=$?
    has "$T/$k.bad.out" '^    decrypted: +NO: wrong password' "$k: wrong password said"
    [ $RC -eq 1 ] && ok "$k: wrong password exit 1" || fail "$k: wrong password exit $RC"
done
has "$T/enc8.out" 'encryption: +PBES2 \(RFC 8018\): PBKDF2 with hmacWithSHA256, 2048 iterations, salt of 8 bytes; AES-256-CBC' "PBES2 parameters without the password"
has "$T/enc1.out" 'encryption: +DEK-Info AES-256-CBC' "legacy DEK-Info cipher shown"
# Parameters chosen now, in DER: what openssl asn1parse says they are.
openssl pkcs8 -topk8 -in "$C/ec256.key" -v2 aes-128-cbc -v2prf hmacWithSHA512 -iter 1234 -passout pass:tern \
    -outform DER -out "$T/enc.der"
inspect "$T/enc.der" "$T/encder.out"
a1=$(openssl asn1parse -inform DER -in "$T/enc.der" | grep -c 'hmacWithSHA512')
a2=$(openssl asn1parse -inform DER -in "$T/enc.der" | grep -c 'aes-128-cbc')
a3=$(openssl asn1parse -inform DER -in "$T/enc.der" | grep -c 'INTEGER *:04D2')
[ "$a1$a2$a3" = 111 ] || fail "openssl asn1parse does not show the parameters asked for ($a1$a2$a3)"
has "$T/encder.out" '^\[1\] private key \(DER\), ENCRYPTED: a PKCS#8 EncryptedPrivateKeyInfo' "DER EncryptedPrivateKeyInfo recognised"
has "$T/encder.out" 'PBKDF2 with hmacWithSHA512, 1234 iterations, salt of [0-9]+ bytes; AES-128-CBC$' "PRF, iterations and cipher as made"
TERN_TEST_PW=tern "$TERN" inspect --password-env TERN_TEST_PW "$T/enc.der" >"$T/encder.pw.out" 2>&1
expect "$T/encder.pw.out" 1 key "EC P-256 (secp256r1)" "DER encrypted key with --password-env"
# A scheme tern does not read: named, with the command that re-encrypts.
openssl pkcs8 -topk8 -in "$C/ec256.key" -v1 PBE-SHA1-3DES -passout pass:tern -out "$T/legacy.pem" 2>/dev/null
inspect "$T/legacy.pem" "$T/legacy.out"
has "$T/legacy.out" 'not usable: +encrypted with PKCS#12 PBE \(pbeWithSHAAnd3-KeyTripleDES-CBC\).*openssl pkcs8 -topk8 -v2 aes-256-cbc' "PKCS#12 PBE refused with the re-encrypt command"
# A key store whose key is encrypted: without and with the password.
cat "$C/server-chain.pem" "$C/server-enc-pkcs8.key" >"$T/encks.pem"
inspect "$T/encks.pem" "$T/encks.out"
has "$T/encks.out" '^tern would use this file as: a key store whose private key is encrypted' "verdict: encrypted key store, no password"
"$TERN" inspect --password-file "$T/pw" "$T/encks.pem" >"$T/encks.pw.out" 2>&1
has "$T/encks.pw.out" '^    matches: +certificate \[1\] CN=localhost' "decrypted key matches its certificate"
has "$T/encks.pw.out" '^tern would use this file as: a key store \(certificate chain of 2 \+ matching private key, encrypted\)$' "verdict: encrypted key store, with the password"
has "$T/encks.pw.out" "--keystore $T/encks.pem $T/encks.pem --password-file FILE" "key store option with the password"

# ---- CRLs ----
for crl in int.crl root-v1.crl; do
    inspect "$C/crl/$crl" "$T/$crl.out"
    [ $RC -eq 0 ] || fail "$crl: exit $RC"
    has "$T/$crl.out" '^\[1\] CRL: a certificate revocation list' "$crl: named a CRL"
    want=$(openssl crl -in "$C/crl/$crl" -noout -issuer -nameopt RFC2253 | sed 's/^issuer=//')
    got=$(field "$T/$crl.out" 1 issuer | nocommaspace)
    [ "$got" = "$want" ] && ok "$crl: issuer" || fail "$crl: issuer \"$got\", openssl \"$want\""
    expect "$T/$crl.out" 1 thisUpdate "$(openssl crl -in "$C/crl/$crl" -noout -lastupdate -dateopt iso_8601 |
        sed 's/^lastUpdate=//; s/Z$/ UTC/')" "$crl"
    want=$(openssl crl -in "$C/crl/$crl" -noout -text | sed -n 's/^ *Serial Number: *//p' | sort | tr '\n' ' ')
    got=$(sed -n 's/^      serial \([0-9A-F]*\) on .*/\1/p' "$T/$crl.out" | sort | tr '\n' ' ')
    [ "$got" = "$want" ] && ok "$crl: revoked serials ${want:-(none)}" || fail "$crl: serials \"$got\", openssl \"$want\""
    has "$T/$crl.out" '^tern would use this file as: certificate revocation lists \(1 CRL\)$' "$crl: verdict"
done
inspect "$C/crl/int.crl.der" "$T/crlder.out"
has "$T/crlder.out" '^\[1\] CRL: a certificate revocation list \(DER\)$' "a DER CRL is recognised by its content"
inspect "$C/crl/int-delta.crl" "$T/delta.out"
has "$T/delta.out" 'NOT USABLE: this CRL .*delta' "a delta CRL: why not usable"
[ $RC -eq 1 ] && ok "delta CRL: exit 1" || fail "delta CRL: exit $RC"

# ---- PKCS#12 (made now by openssl pkcs12 -export; Java's keytool files in vectors/p12) ----
openssl pkcs12 -export -in "$C/server.crt" -inkey "$C/server.key" -certfile "$C/int-ca.crt" -name "my server" \
    -passout pass:tern -out "$T/ks.p12"
inspect "$T/ks.p12" "$T/p12.out"
has "$T/p12.out" 'PKCS#12 \(PFX, RFC 7292\)' "a .p12 recognised by its content"
# The MAC and encryption as openssl pkcs12 -info reports them.
info=$(openssl pkcs12 -in "$T/ks.p12" -info -noout -passin pass:tern 2>&1)
echo "$info" | grep -q 'MAC: sha256, Iteration 2048' || fail "openssl -info does not show the MAC expected: $info"
has "$T/p12.out" '^    integrity: +HMAC-SHA-256, PKCS#12 KDF, 2048 iterations$' "PKCS#12 MAC as openssl -info shows it"
echo "$info" | grep -q 'PBES2, PBKDF2, AES-256-CBC, Iteration 2048, PRF hmacWithSHA256' ||
    fail "openssl -info does not show the encryption expected: $info"
has "$T/p12.out" '^    certificates: +PBES2 \(RFC 8018\): PBKDF2 with hmacWithSHA256, 2048 iterations, salt of 8 bytes; AES-256-CBC$' "certificate part encryption without the password"
has "$T/p12.out" '^    password: +needed' "password needed"
has "$T/p12.out" 'give its password to see which' "verdict without the password"
"$TERN" inspect --password-file "$T/pw" "$T/ks.p12" >"$T/p12pw.out" 2>&1
RC=$?
[ $RC -eq 0 ] && ok ".p12 with its password: exit 0" || fail ".p12 with its password: exit $RC"
has "$T/p12pw.out" '^    keys: +PBES2 \(RFC 8018\): PBKDF2 with hmacWithSHA256, 2048 iterations' "shrouded key encryption"
has "$T/p12pw.out" '^\[1\] certificate \(PKCS#12 certBag, friendlyName "my server", localKeyID' "friendlyName and localKeyID"
check_cert "$T/p12pw.out" 1 "$C/server.crt" "p12 [1]"
check_cert "$T/p12pw.out" 2 "$C/int-ca.crt" "p12 [2]"
has "$T/p12pw.out" '^    matches: +certificate \[1\] CN=localhost' "p12 key matches its certificate"
has "$T/p12pw.out" '^tern would use this file as: a key store \(PKCS#12: 1 private key, 2 certificates' "verdict: p12 key store"
has "$T/p12pw.out" "tern server --keystore $T/ks.p12 --password-file FILE" "p12 key store option"
"$TERN" inspect --password-file "$T/badpw" "$T/ks.p12" >"$T/p12bad.out" 2>&1
RC=$?
has "$T/p12bad.out" 'password: +WRONG: .*MAC does not verify' "p12 wrong password said"
[ $RC -eq 1 ] && ok "p12 wrong password: exit 1" || fail "p12 wrong password: exit $RC"
openssl pkcs12 -export -nokeys -in "$C/root-ca.crt" -certfile "$C/int-ca.crt" -passout pass: -out "$T/ts.p12"
inspect "$T/ts.p12" "$T/ts.out"
has "$T/ts.out" 'none \(the empty password opens it\)' "empty password tried"
has "$T/ts.out" '^tern would use this file as: a trust store \(PKCS#12: 2 certificates, all CAs\)$' "verdict: p12 trust store"
if openssl pkcs12 -export -legacy -in "$C/server.crt" -inkey "$C/server.key" -passout pass:tern -out "$T/leg.p12" 2>/dev/null; then
    "$TERN" inspect --password-file "$T/pw" "$T/leg.p12" >"$T/leg.out" 2>&1
    RC=$?
    has "$T/leg.out" 'NOT USABLE: +PKCS#12: .*legacy scheme.*openssl pkcs12 -in old.p12' "-legacy refused with its sentence"
    [ $RC -eq 1 ] && ok "-legacy: exit 1" || fail "-legacy: exit $RC"
else
    skip "openssl pkcs12 -legacy (no legacy provider here)"
fi
openssl pkcs12 -export -nomac -in "$C/server.crt" -inkey "$C/server.key" -passout pass: -out "$T/nomac.p12"
inspect "$T/nomac.p12" "$T/nomac.out"
has "$T/nomac.out" '^    integrity: +none: the file has no MAC' "no MAC said"
"$TERN" inspect --password pass:changeit vectors/p12/java-keystore.p12 >"$T/jks.out" 2>/dev/null
has "$T/jks.out" 'friendlyName "second"' "keytool key store: both aliases"
has "$T/jks.out" 'keystore .* --keyname NAME' "several keys: --keyname"
"$TERN" inspect --password pass:changeit vectors/p12/java-truststore.p12 >"$T/jts.out" 2>/dev/null
has "$T/jts.out" "Java's trusted-certificate mark" "keytool trust store: trusted mark"
has "$T/jts.out" '^tern would use this file as: a trust store \(PKCS#12: 1 certificate' "verdict: keytool trust store"

# ---- hostile and malformed input ----
head -5 "$C/server.crt" >"$T/trunc.pem"
inspect "$T/trunc.pem" "$T/trunc.out"
has "$T/trunc.out" 'MALFORMED PEM after line .*BEGIN line without its END line' "truncated PEM: sentence"
[ $RC -eq 1 ] && ok "truncated PEM: exit 1" || fail "truncated PEM: exit $RC"
{ cat "$C/root-ca.crt"; echo "-----BEGIN CERTIFICATE-----"; echo "not*base64!"; echo "-----END CERTIFICATE-----"; cat "$C/int-ca.crt"; } >"$T/badb64.pem"
inspect "$T/badb64.pem" "$T/badb64.out"
has "$T/badb64.out" '^\[2\] PEM "CERTIFICATE" at line [0-9]+: MALFORMED: the block is not valid base64' "bad base64 block: sentence"
has "$T/badb64.out" '^\[3\] certificate' "the block after a bad one is still shown"
[ $RC -eq 1 ] && ok "a bad block among good ones: exit 1" || fail "bad block: exit $RC"
{ echo "-----BEGIN FOO BAR-----"; echo "AAAA"; echo "-----END FOO BAR-----"; } >"$T/unknown.pem"
inspect "$T/unknown.pem" "$T/unknown.out"
has "$T/unknown.out" '^\[1\] a "FOO BAR" block \(line 1\): not something tern reads' "unknown label named"
[ $RC -eq 1 ] && ok "unknown label only: exit 1" || fail "unknown label: exit $RC"
printf 'hello, this is not a certificate\n' >"$T/garbage"
inspect "$T/garbage" "$T/garbage.out"
has "$T/garbage.out" 'neither PEM .* nor DER' "garbage: sentence"
[ $RC -eq 1 ] && ok "garbage: exit 1" || fail "garbage: exit $RC"
head -c 300 "$T/cert.der" >"$T/trunc.der"
inspect "$T/trunc.der" "$T/truncder.out"
has "$T/truncder.out" 'unknown DER .*not a certificate, a CRL or a private key' "truncated DER: sentence"
[ $RC -eq 1 ] && ok "truncated DER: exit 1" || fail "truncated DER: exit $RC"
: >"$T/empty"
inspect "$T/empty" "$T/empty.out"
[ $RC -eq 1 ] && grep -q "empty" "$T/empty.out" && ok "empty file: exit 1, said" || fail "empty file: exit $RC"
# Bit flips over a DER certificate and a DER key: exit 0 or 1, never a crash.
crashes=0
len=$(wc -c <"$T/cert.der")
for f in "$T/cert.der" "$T/k1.der"; do
    len=$(wc -c <"$f")
    i=0
    while [ $i -lt 60 ]; do
        off=$(((i * 7919) % len))
        cp "$f" "$T/flip"
        printf "\\$(printf %03o $(((i * 37 + 1) % 256)))" | dd of="$T/flip" bs=1 seek=$off conv=notrunc 2>/dev/null
        "$TERN" inspect "$T/flip" >/dev/null 2>&1
        rc=$?
        [ $rc -le 1 ] || crashes=$((crashes + 1))
        i=$((i + 1))
    done
done
[ $crashes -eq 0 ] && ok "120 corrupted DER files: exit 0 or 1, no crash" || fail "$crashes corrupted files crashed tern inspect"

# ---- usage ----
"$TERN" inspect --help >"$T/help" 2>&1 && grep -q "Exit codes" "$T/help" && ok "inspect --help" || fail "inspect --help"
"$TERN" inspect >/dev/null 2>&1
[ $? -eq 2 ] && ok "no file: exit 2" || fail "no file: not exit 2"
"$TERN" inspect "$T/no-such-file" >"$T/nofile" 2>&1
[ $? -eq 2 ] && grep -q "cannot be read" "$T/nofile" && ok "missing file: exit 2, said" || fail "missing file"

finish
