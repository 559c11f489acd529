# Helpers shared by the GnuTLS and Go interop scripts (tests/interop_gnutls.test.sh,
# tests/interop_go.test.sh); sourced after tests/lib.sh, whose
# ok/fail/skip/finish, free_port/wait_port, iana and $WORK they use.

# Servers are killed on exit; this only bounds their life if that fails.
SERVER_LIFE=600

# Does this tern know the secp384r1 group / load P-384 keys?  The tern
# command parses --groups and --keystore before it connects: only when it
# took them does it get as far as connecting (to port 1 of 127.0.0.1, where
# nothing listens).  Judged by that message, not the exit status: under
# AddressSanitizer a setup error (exit 2) can come out as LeakSanitizer's.
P384_REASON="tern has no P-384 yet"
tern_took_options() {
    case $("$TERN" client 127.0.0.1:1 --truststore "$CERTS/ecdsa-root.crt" "$@" </dev/null 2>&1) in
    *"cannot connect"* | *"handshake failed"*) return 0 ;;
    esac
    return 1
}
tern_has_p384_group() { tern_took_options --groups secp384r1; }
tern_has_p384_keys() {
    tern_took_options --keystore "$CERTS/interop/p384-client-chain.pem" "$CERTS/interop/p384-client.key"
}

# Client identities by kind (rsa, ecdsa, p384; "none": no certificate).
cert_of() { case $1 in rsa) echo "$CERTS/client-chain.pem" ;; ecdsa) echo "$CERTS/ecdsa-client-chain.pem" ;; p384) echo "$CERTS/interop/p384-client-chain.pem" ;; esac; }
key_of() { case $1 in rsa) echo "$CERTS/client.key" ;; ecdsa) echo "$CERTS/ecdsa-client.key" ;; p384) echo "$CERTS/interop/p384-client.key" ;; esac; }
cn_of() { case $1 in rsa) echo "Test Client" ;; ecdsa) echo "Test ECDSA Client" ;; p384) echo "Test P-384 Client" ;; esac; }
id_label() { case $1 in none) ;; *) echo ", $1 client certificate" ;; esac; }

# Log slices: a server that serves one connection after another appends to
# its log; mark FILE remembers its length, since FILE prints what came after.
mark() { wc -l < "$1" | tr -d ' '; }
since() { tail -n +"$(($2 + 1))" "$1"; }

# Every suite tern has (README "What it does"); the RSA key exchange ones
# only when enabled with --cipher.
ECDHE_SUITES="ECDHE-RSA-AES128-GCM-SHA256 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-RSA-CHACHA20-POLY1305
ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305"
RSA_SUITES="AES128-GCM-SHA256 AES256-GCM-SHA384"
ALL_SUITES=$(echo $ECDHE_SUITES $RSA_SUITES | tr ' ' ':')

# The group tern's --trace shows in the ServerKeyExchange of file $1
# ("x25519", "secp256r1", ...; empty for the RSA key exchange).
trace_group() { sed -n 's/^\[[a-z]*\] *named_curve *\([a-z0-9]*\) .*/\1/p' "$1" | tail -n 1; }

# Start a tern server on a free port: tern_server LOG ARGS...; sets $port.
tern_server() {
    log=$1
    shift
    port=$(free_port)
    timeout $SERVER_LIFE "$TERN" server --port "$port" --echo --trace "$@" 2>"$log" &
    PIDS="$PIDS $!"
    wait_port "$port"
}

# await FILE MARK PATTERN [N]: wait (up to ~2 s) until N (default 1) lines
# matching PATTERN are in FILE after line MARK: a server may still be writing
# its log when the client is done (an error after an alert, say).
await() {
    aw=0
    while [ $aw -lt 100 ]; do
        [ "$(since "$1" "$2" | grep -c "$3")" -ge "${4:-1}" ] && return 0
        sleep 0.02
        aw=$((aw + 1))
    done
    return 1
}
