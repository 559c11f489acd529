#!/bin/sh
# `tern server --http` answers a request whose head ends in an empty line,
# whatever the line ends: CRLF, or a bare LF, which RFC 9112 §2.2 lets a
# server accept (the request comes from `openssl s_client`, byte for byte).
NAME=tern-http
. tests/lib.sh
need_tern
need openssl

tern_echo_server --http || exit 1
# name|request bytes (printf format)
for case in 'crlf|GET / HTTP/1.0\r\nHost: localhost\r\n\r\n' \
            'bare-lf|GET / HTTP/1.0\nHost: localhost\n\n' \
            'crlf-then-lf|GET / HTTP/1.0\r\nHost: localhost\r\n\n' \
            'lf-then-crlf|GET / HTTP/1.0\nHost: localhost\n\r\n' \
            'no-headers-bare-lf|GET /\n\n'; do
    name=${case%%|*}
    req=${case#*|}
    # -quiet keeps the connection open at the end of stdin: only the
    # server's answer (and its close) ends s_client.
    printf "$req" | timeout 10 openssl s_client -quiet -connect "127.0.0.1:$PORT" -CAfile "$CERTS/root-ca.crt" \
        -servername localhost >"$WORK/out.$name" 2>"$WORK/err.$name"
    if grep -q "^HTTP/1.0 200 OK" "$WORK/out.$name" && grep -q "hello from tern" "$WORK/out.$name"; then
        ok "request ending in $name answered"
    else
        fail "request ending in $name not answered: $(head -c 300 "$WORK/out.$name") $(tail -3 "$WORK/err.$name")"
    fi
done
# A head that has not ended yet (one bare LF) gets no answer.
printf 'GET / HTTP/1.0\nHost: localhost\n' | timeout 3 openssl s_client -quiet -connect "127.0.0.1:$PORT" \
    -CAfile "$CERTS/root-ca.crt" -servername localhost >"$WORK/out.partial" 2>/dev/null
if grep -q "HTTP/1.0 200" "$WORK/out.partial"; then fail "an unfinished head was answered"
else ok "an unfinished head (one LF) is not answered"; fi
finish
