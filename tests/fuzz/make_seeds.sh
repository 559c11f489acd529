#!/bin/sh
# Regenerates the fuzz seed corpora (tests/fuzz/corpus/) from a real
# in-memory session and the fixtures in vectors/certs.  Deterministic:
# rerunning it gives the same files.  Usage (from the repository root):
#   sh tests/fuzz/make_seeds.sh [BUILD]      (BUILD defaults to "build")
set -e
build=${1:-build}
make -s BUILD="$build" "$build/libtern.a"
mkdir -p "$build/fuzz" tests/fuzz/corpus
${CC:-cc} -std=c11 -O1 -g -D_DEFAULT_SOURCE -Iinclude -I. -o "$build/fuzz/make_seeds" \
    tests/fuzz/make_seeds.c tests/util/testutil.c "$build/libtern.a"
for d in fuzz_client fuzz_server fuzz_hello fuzz_hs fuzz_certlist fuzz_record fuzz_x509 fuzz_verify fuzz_pem fuzz_key fuzz_session fuzz_names; do
    rm -rf "tests/fuzz/corpus/$d"
done
"$build/fuzz/make_seeds"
# fuzz_policy writes its own seeds (the chains of vectors/certs/policy).
${CC:-cc} -std=c11 -O1 -g -D_DEFAULT_SOURCE -DFUZZ_POLICY_MAKE_SEEDS -Iinclude -I. -o "$build/fuzz/make_policy_seeds" \
    tests/fuzz/fuzz_policy.c tests/util/testutil.c "$build/libtern.a"
rm -rf tests/fuzz/corpus/fuzz_policy
"$build/fuzz/make_policy_seeds"
# fuzz_pkcs8 writes its own seeds (the encrypted keys of vectors/certs/enc).
${CC:-cc} -std=c11 -O1 -g -D_DEFAULT_SOURCE -DFUZZ_PKCS8_MAKE_SEEDS -Iinclude -I. -o "$build/fuzz/make_pkcs8_seeds" \
    tests/fuzz/fuzz_pkcs8.c tests/util/testutil.c "$build/libtern.a"
rm -rf tests/fuzz/corpus/fuzz_pkcs8
"$build/fuzz/make_pkcs8_seeds"
# fuzz_pkcs12: files made by `openssl pkcs12 -export` with the password
# "fuzz" (the target's), keytool's (vectors/p12/) and RFC 9579 A.1.  openssl
# salts each file at random, so these are made only when the folder is
# missing (delete it to remake them); the committed ones are the corpus.
if [ ! -d tests/fuzz/corpus/fuzz_pkcs12 ] && command -v openssl >/dev/null 2>&1; then
    o=tests/fuzz/corpus/fuzz_pkcs12
    mkdir -p "$o"
    C=vectors/certs
    ex() { openssl pkcs12 -export -passout pass:fuzz "$@" 2>/dev/null; }
    ex -in $C/server.crt -inkey $C/server.key -certfile $C/int-ca.crt -name server -out "$o/default.p12"
    ex -in $C/ec-server.crt -inkey $C/ec-server.key -certfile $C/int-ca.crt -nomac -out "$o/ec-nomac.p12"
    ex -in $C/server.crt -inkey $C/server.key -certfile $C/int-ca.crt -keypbe NONE -certpbe NONE -nomac \
        -out "$o/plain.p12"
    ex -in $C/client.crt -inkey $C/client.key -keypbe AES-128-CBC -certpbe AES-128-CBC -macalg sha512 \
        -out "$o/aes128-sha512.p12"
    ex -legacy -in $C/server.crt -inkey $C/server.key -out "$o/legacy.p12"
    ex -nokeys -in $C/root-ca.crt -certfile $C/int-ca.crt -out "$o/nokeys.p12"
    cp vectors/p12/java-keystore.p12 vectors/p12/java-truststore.p12 "$o/"
    base64 -d vectors/p12/rfc9579-a1.b64 > "$o/rfc9579-a1.p12"
fi
