#!/bin/sh
# `tern verify` with certificate policies (RFC 5280 §6.1, lib/x509/policy.c)
# on the fixtures of vectors/certs/policy/ (tests/certs/make-policy-certs.sh):
# --policy, --require-explicit-policy, --inhibit-policy-mapping,
# --inhibit-any-policy, each checked by exit code and sentence.
NAME=policy-command
. tests/lib.sh
need_tern
PC=$CERTS/policy
P1=1.3.6.1.4.1.55555.1.1
P2=1.3.6.1.4.1.55555.1.2

pverify() { # EXPECTED-EXIT MESSAGE-REGEX WHAT ARGS...
    want=$1 msg=$2 what=$3
    shift 3
    "$TERN" verify --truststore "$PC/root.crt" --at 2030-01-01 "$@" >"$WORK/verify.out" 2>&1
    got=$?
    if [ $got -eq "$want" ] && grep -Eq "$msg" "$WORK/verify.out"; then ok "verify: $what (exit $got)"
    else fail "verify: $what: exit $got (want $want): $(tail -3 "$WORK/verify.out")"; fi
}
cat "$PC/leaf-map.crt" "$PC/int-map.crt" >"$WORK/map.pem"
cat "$PC/leaf-inhany.crt" "$PC/int-inhany.crt" >"$WORK/inhany.pem"
cat "$PC/leaf-any.crt" "$PC/int-any.crt" >"$WORK/any.pem"
cat "$PC/leaf-mapany.crt" "$PC/int-mapany.crt" >"$WORK/mapany.pem"

pverify 0 '^verdict: OK' "no policy options, a chain with policies" "$PC/leaf-p1-chain.pem"
pverify 0 '^certificate policies: acceptable 1\.3\.6\.1\.4\.1\.55555\.1\.1; explicit policy required$' \
    "--policy P1 --require-explicit-policy, a P1 chain" --policy $P1 --require-explicit-policy "$PC/leaf-p1-chain.pem"
pverify 1 '^verdict: REFUSED: certificate 0 \(CN=leaf nopol\) has no acceptable certificate policy \(it carries no certificatePolicies; explicit policy required by the verifier; valid: none; wanted: 1\.3\.6\.1\.4\.1\.55555\.1\.1\)$' \
    "required policy, leaf without policies" --policy $P1 --require-explicit-policy "$PC/leaf-nopol-chain.pem"
pverify 1 'valid: 1\.3\.6\.1\.4\.1\.55555\.1\.1; wanted: 1\.3\.6\.1\.4\.1\.55555\.1\.2\)$' \
    "a policy the chain does not have" --policy $P2 --require-explicit-policy "$PC/leaf-p1-chain.pem"
pverify 0 '^verdict: OK' "mapped policy" --policy $P1 --require-explicit-policy "$WORK/map.pem"
pverify 1 'the valid set ran out at certificate 1: mapping inhibited' "--inhibit-policy-mapping" \
    --policy $P1 --require-explicit-policy --inhibit-policy-mapping "$WORK/map.pem"
pverify 0 '^verdict: OK' "anyPolicy chain" --require-explicit-policy "$WORK/any.pem"
pverify 1 'certificate 1 \(CN=Int Any\) has no acceptable certificate policy \(its anyPolicy is inhibited' "--inhibit-any-policy" \
    --require-explicit-policy --inhibit-any-policy "$WORK/any.pem"
pverify 1 'certificate 0 \(CN=leaf inhany\) has no acceptable' "a CA's inhibitAnyPolicy 0" \
    --require-explicit-policy "$WORK/inhany.pem"
pverify 1 'maps a policy to anyPolicy' "a mapping to anyPolicy" "$WORK/mapany.pem"
pverify 2 'expected a dotted OID' "--policy not an OID" --policy 1.2.x "$PC/leaf-p1-chain.pem"

finish
