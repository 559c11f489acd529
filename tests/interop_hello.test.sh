#!/bin/sh
# Large and fragmented ClientHellos against a real `tern server` on
# 127.0.0.1 (RSA key exchange suites on, groups x25519 + secp256r1, ALPN
# http/1.1, client certificates optional), from clients tern did not write:
#   - tests/interop/big_hello.py, a raw TLS 1.2 client (RSA key exchange,
#     over Python's `cryptography`): a 65,000-byte signature_algorithms
#     list, a 65,531-byte extension in 20-byte records, 16,000 extensions,
#     and the largest well-formed hello (131,396 bytes) in records of
#     version 0x0300, each through a complete handshake and an echo;
#   - openssl s_client with a 255-byte -servername (the longest host name),
#     records of version 0x0301: handshake and echo.
# Skipped (exit 77) without openssl; without python3 and its cryptography
# package the raw large hellos are skipped and so is the script (exit 77,
# unless the rest failed).
NAME=interop_hello
. tests/lib.sh
need openssl
need_tern

port=$(free_port)
timeout 120 "$TERN" server --port "$port" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" --echo \
    --cipher "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-GCM-SHA384" \
    --groups x25519:secp256r1 --alpn http/1.1 --client-auth optional --truststore "$CERTS/root-ca.crt" \
    2>"$WORK/ts.err" &
PIDS="$PIDS $!"
wait_port "$port" || { fail "tern server did not start: $(cat "$WORK/ts.err")"; exit 1; }

if command -v python3 >/dev/null 2>&1 && python3 -c 'import cryptography' 2>/dev/null; then
    for case in sigalgs65000 padding65531 many-extensions largest; do
        if out=$(timeout 30 python3 tests/interop/big_hello.py "$port" "$case" 2>&1); then ok "$out"
        else fail "big_hello $case: $out"; fi
    done
else
    skip_part "python3 with the cryptography module not installed (Debian package python3-cryptography): raw large hellos"
fi

name=$(printf 'a%.0s' $(seq 1 245)).localhost
what="s_client -servername (${#name} bytes) -> tern server"
out="$WORK/sc.out"
printf 'ping\n' > "$WORK/ping"
# Keep s_client's input open until the echo is back (it quits at end of input).
feed_and_wait "$WORK/ping" "$out" | timeout 10 openssl s_client -connect "127.0.0.1:$port" -tls1_2 -servername "$name" \
    -alpn http/1.1 -quiet -no_ign_eof -nocommands > "$out" 2>"$WORK/sc.err"
if grep -q "^ping$" "$out"; then ok "$what: echoed"
else fail "$what: $(cat "$WORK/sc.err" "$WORK/ts.err" | tail -5)"; fi

finish
