#!/bin/sh
# RFC 7627 §5.3 against a real client: `openssl s_client` makes a session
# with tern server (EMS), then offers it with EMS switched off (the
# ExtendedMasterSecret option of an OpenSSL configuration file): tern
# server must end the handshake with handshake_failure (alert 40), as
# OpenSSL's own server does.  With EMS on, the same session is resumed.
NAME=conformance-ems
. tests/lib.sh
need_tern
need openssl

cat >"$WORK/noems.cnf" <<'CNF'
openssl_conf = oc
[oc]
ssl_conf = ssl_sect
[ssl_sect]
system_default = sys
[sys]
Options = -ExtendedMasterSecret
CNF
client() {
    echo | timeout 10 openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -CAfile "$CERTS/root-ca.crt" \
        -servername localhost "$@" 2>&1
}
tern_echo_server --no-tickets || exit 1
client -sess_out "$WORK/ems.sess" >"$WORK/first"
grep -q "Extended master secret: yes" "$WORK/first" || fail "first handshake without EMS: $(tail -5 "$WORK/first")"
# The option must really switch EMS off, or this test proves nothing.
OPENSSL_CONF="$WORK/noems.cnf" client >"$WORK/plain"
if grep -q "Extended master secret: no" "$WORK/plain"; then ok "OpenSSL without EMS: a full handshake works"
else echo "$NAME: skipped: this OpenSSL cannot switch EMS off (Options = -ExtendedMasterSecret)"; exit 77; fi
OPENSSL_CONF="$WORK/noems.cnf" client -sess_in "$WORK/ems.sess" >"$WORK/noems"
if grep -q "alert handshake failure\|alert number 40" "$WORK/noems" && ! grep -q "^Reused" "$WORK/noems"; then
    ok "an EMS session offered without EMS: handshake_failure"
else fail "an EMS session offered without EMS: $(grep -i "alert\|Reused\|New," "$WORK/noems" | head -3)"; fi
grep -q "7627" "$WORK/tern-server.$PORT.err" || fail "tern server does not say why: $(cat "$WORK/tern-server.$PORT.err")"
client -sess_in "$WORK/ems.sess" >"$WORK/again"
# (the failed attempt did not void the session: tern aborts before resuming it)
if grep -q "^Reused" "$WORK/again"; then ok "the same session offered with EMS: resumed"
else fail "the EMS session was not resumed with EMS: $(grep -i "alert\|Reused\|New," "$WORK/again" | head -3)"; fi
finish
