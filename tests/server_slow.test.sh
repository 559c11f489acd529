#!/bin/sh
# Slow peers do not hold `tern server` up, and each is closed at its deadline.
# One server (--echo, --handshake-timeout 2, --idle-timeout 2) gets at once:
#   - a client that connects and sends nothing        (handshake deadline)
#   - a client that sends its ClientHello a byte a second (handshake deadline)
#   - a client that stops reading the echo of what it sends (idle timeout)
# and meanwhile serves five well-behaved clients (tern client, Python), all
# done before the first slow one is closed.  Each slow one must be closed
# between 2 and 3.5 s after its deadline started, and the closing stats line
# must count 2 handshake timeouts and 1 idle timeout.  The clients are
# tests/server_clients.py (python3).  About 4 s.
NAME=server_slow
. tests/lib.sh
need_tern
need python3
CL=tests/server_clients.py

tern_echo_server --echo --handshake-timeout 2 --idle-timeout 2 --stats 1 || { finish; }
SRV=$LAST
for m in silent slow-hello no-read; do
    python3 "$CL" "$m" "$PORT" 8 >"$WORK/$m.out" 2>&1 &
    PIDS="$PIDS $!"
done
sleep 0.3
# Served meanwhile: three tern clients and two Python ones, one after another.
served=0
for i in 1 2 3; do
    out=$(echo "line $i" | timeout 5 "$TERN" client "127.0.0.1:$PORT" --truststore "$CERTS/root-ca.crt" \
        --servername localhost 2>/dev/null)
    [ "$out" = "line $i" ] && served=$((served + 1))
done
for i in 1 2; do
    timeout 5 python3 "$CL" good "$PORT" 4 >>"$WORK/good.out" 2>&1 && served=$((served + 1))
done
served_at=$(python3 -c 'import time; print("%.2f" % time.time())')
wait_done() { # wait for the slow clients (each bounded by its own limit of 8 s)
    for f in silent slow-hello no-read; do
        i=0
        while [ $i -lt 100 ] && ! grep -q "elapsed=" "$WORK/$f.out" 2>/dev/null; do
            sleep 0.1
            i=$((i + 1))
        done
    done
}
wait_done
[ "$served" -eq 5 ] && ok "5 clients served while the slow ones were held" ||
    fail "only $served of 5 clients served meanwhile: $(cat "$WORK/good.out")"

first_close=""
for m in silent slow-hello no-read; do
    line=$(cat "$WORK/$m.out")
    el=$(echo "$line" | sed -n 's/.*elapsed=\([0-9.]*\).*/\1/p')
    at=$(echo "$line" | sed -n 's/.* at=\([0-9.]*\).*/\1/p')
    if echo "$line" | grep -q "closed by the server" && [ -n "$el" ] &&
        python3 -c "import sys; sys.exit(0 if 1.9 <= $el <= 3.5 else 1)"; then
        ok "$m: closed at its deadline ($el s)"
    else fail "$m: $line"; fi
    [ -n "$at" ] && { [ -z "$first_close" ] || python3 -c "import sys; sys.exit(0 if $at < $first_close else 1)"; } &&
        first_close=$at
done
if [ -n "$first_close" ] && python3 -c "import sys; sys.exit(0 if $served_at < $first_close else 1)"; then
    ok "the 5 clients were done before the first slow one was closed"
else fail "the served clients finished at $served_at, a slow one was closed at $first_close"; fi

kill -TERM "$SRV"
wait "$SRV" 2>/dev/null
last=$(grep "stats at exit" "$WORK/tern-server.$PORT.err")
if echo "$last" | grep -q " handshake-timeout=2 idle-timeout=1 " && echo "$last" | grep -q " handshakes=6 "; then
    ok "the closing stats line counts them: $(echo "$last" | cut -d' ' -f4-11)"
else fail "closing stats: ${last:-none}: $(tail -5 "$WORK/tern-server.$PORT.err")"; fi
grep -Eq "^tern server: stats: open=[34] " "$WORK/tern-server.$PORT.err" &&
    ok "a stats line while they were held shows them open" ||
    fail "no stats line with 3 open: $(grep stats "$WORK/tern-server.$PORT.err")"
finish
