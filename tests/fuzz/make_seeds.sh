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
