#!/bin/sh
# The load client (bench/load/tern_load) against tern server, small and
# bounded (a few seconds): every handshake succeeds and the counts add up,
# with 50 connections open at once (--hold keeps them all open until each
# has finished its handshake), over HTTP and echo; a wrong server name makes
# every connection fail and is counted so; the reset and garbage fault modes
# do what they say and the server serves on.  `make load` is the real run
# (bench/load/run_load.sh, docs/BENCH.md).
NAME=load_smoke
. tests/lib.sh
need_tern
LOADC=$BUILD/bench/tern_load
if [ "$(uname -s)" != Linux ]; then
    echo "$NAME: skipped: tern_load needs Linux (epoll)"
    exit 77
fi
[ -x "$LOADC" ] || {
    echo "$NAME: FAIL: $LOADC missing (make $LOADC)"
    exit 1
}

# field FILE KEY: the value of "KEY<TAB>value" in tern_load's output.
field() { awk -F'\t' -v k="$2" '$1 == k { print $2 }' "$1"; }
outcome() { awk -F'\t' -v k="$2" '$1 == "outcome" && $2 == k { print $3 }' "$1"; }
load() {
    "$LOADC" "127.0.0.1:$PORT" --truststore "$CERTS/root-ca.crt" --timeout 20 "$@"
}
# all_ok FILE TOTAL WHAT: every one of TOTAL connections handshook and ended ok.
all_ok() {
    if [ "$(field "$1" connections)" = "$2" ] && [ "$(field "$1" handshakes)" = "$2" ] &&
        [ "$(field "$1" ok)" = "$2" ] && [ "$(field "$1" failed)" = 0 ] &&
        [ "$(field "$1" counts_add_up)" = yes ] && [ "$(outcome "$1" ok)" = "$2" ]; then
        ok "$3: $2 connections, $2 handshakes, all ok ($(field "$1" handshakes_per_s) handshakes/s, $(grep '^latency_ms' "$1" | cut -f2,4 | tr '\t' ' '))"
    else
        fail "$3: $(grep -E '^(connections|handshakes|ok|failed|counts_add_up|outcome)' "$1" | tr '\t\n' ' ;')"
    fi
}

tern_echo_server --http --quiet --max-connections 200 || finish
HTTP_PORT=$PORT

# 1. 50 at once, held open until all 50 handshakes are done, then the GETs.
# (tern_load itself in the background, not the load function: $! must be
# its pid for the SIGUSR1.)
"$LOADC" "127.0.0.1:$PORT" --truststore "$CERTS/root-ca.crt" --timeout 20 --http --concurrency 50 --total 50 \
    --hold --hold-timeout 10 >"$WORK/hold.out" 2>"$WORK/hold.err" &
cpid=$!
i=0
while ! grep -q holding "$WORK/hold.err" 2>/dev/null && kill -0 $cpid 2>/dev/null && [ $i -lt 150 ]; do
    sleep 0.1
    i=$((i + 1))
done
if grep -q "holding 50 connections (50 handshakes, 0 failed)" "$WORK/hold.err"; then
    ok "--hold: 50 connections held open at once after their handshakes"
else
    fail "--hold: $(cat "$WORK/hold.err")"
fi
kill -USR1 $cpid 2>/dev/null
wait $cpid
rc=$?
[ $rc -eq 0 ] || fail "--hold: exit $rc"
all_ok "$WORK/hold.out" 50 "http, 50 held"
grep -q "^suite	TLS_ECDHE_" "$WORK/hold.out" && ok "the suite is reported" || fail "no suite in the output"

# 2. 100 connections, 50 at a time, the suite fixed as make load fixes it.
load --http --concurrency 50 --total 100 --cipher ECDHE-RSA-AES128-GCM-SHA256 --groups x25519 >"$WORK/http.out"
rc=$?
[ $rc -eq 0 ] || fail "http: exit $rc"
all_ok "$WORK/http.out" 100 "http, 50 at a time"
[ "$(field "$WORK/http.out" suite)" = TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ] && ok "--cipher: the suite asked for" ||
    fail "--cipher: got $(field "$WORK/http.out" suite)"

# 3. A name the certificate does not have: every connection fails, each
#    counted once, and the exit status says so.
load --http --concurrency 10 --total 20 --servername wrong.test >"$WORK/wrong.out"
rc=$?
if [ $rc -eq 1 ] && [ "$(field "$WORK/wrong.out" failed)" = 20 ] && [ "$(field "$WORK/wrong.out" ok)" = 0 ] &&
    [ "$(field "$WORK/wrong.out" handshakes)" = 0 ] && [ "$(field "$WORK/wrong.out" counts_add_up)" = yes ] &&
    grep -q "^outcome	alert-sent:[a-z_]*	20	" "$WORK/wrong.out"; then
    ok "wrong name: 20 of 20 failed ($(grep '^outcome' "$WORK/wrong.out" | cut -f2)), exit 1"
else
    fail "wrong name: exit $rc, $(grep -E '^(failed|ok|handshakes|outcome)' "$WORK/wrong.out" | tr '\t\n' ' ;')"
fi

# 4. Fault modes: a reset after the ClientHello; 256 bytes that are not TLS
#    (the server answers with an alert or closes).
load --fault reset --concurrency 5 --total 5 >"$WORK/reset.out"
[ "$(outcome "$WORK/reset.out" reset-sent)" = 5 ] && ok "--fault reset: 5 resets sent mid-handshake" ||
    fail "--fault reset: $(grep '^outcome' "$WORK/reset.out" | tr '\t\n' ' ;')"
load --fault garbage --concurrency 5 --total 5 >"$WORK/garbage.out"
g=$(awk -F'\t' '$1 == "outcome" && ($2 ~ /^garbage:server-alert:/ || $2 == "garbage:server-closed") { n += $3 } END { print n + 0 }' "$WORK/garbage.out")
[ "$g" = 5 ] && ok "--fault garbage: the server ended all 5 ($(grep '^outcome' "$WORK/garbage.out" | cut -f2 | tr '\n' ' '))" ||
    fail "--fault garbage: $(grep '^outcome' "$WORK/garbage.out" | tr '\t\n' ' ;')"
load --http --concurrency 10 --total 20 >"$WORK/after.out"
all_ok "$WORK/after.out" 20 "after the faults"

# 5. Echo: 3000 bytes each way on 40 connections, 20 at a time.
tern_echo_server --echo --quiet || finish
load --echo --bytes 3000 --concurrency 20 --total 40 >"$WORK/echo.out"
rc=$?
[ $rc -eq 0 ] || fail "echo: exit $rc"
all_ok "$WORK/echo.out" 40 "echo, 3000 bytes"

# 6. The slow fault modes, against a server with 1 s deadlines, all at once
#    (about 1.5 s): each ends with the server closing it, near its deadline.
tern_echo_server --echo --quiet --handshake-timeout 1 --idle-timeout 1 || finish
load --echo --fault vanish --concurrency 3 --total 3 >"$WORK/vanish.out" &
p1=$!
load --echo --fault slow-hello --slow-interval 300 --concurrency 3 --total 3 >"$WORK/slow.out" &
p2=$!
load --echo --fault no-read --bytes 16384 --concurrency 3 --total 3 >"$WORK/noread.out" &
p3=$!
load --echo --fault noclose --concurrency 3 --total 3 >"$WORK/noclose.out"
wait $p1 $p2 $p3
for f in vanish:server-closed=vanish slow-hello:server-closed=slow no-read:server-closed=noread noclose-sent=noclose; do
    label=${f%=*}
    file=$WORK/${f#*=}.out
    fault=${label%%:*}
    fault=${fault%-sent}
    n=$(outcome "$file" "$label")
    t=$(awk -F'\t' -v k="$label" '$1 == "outcome" && $2 == k { sub("median_s=", "", $4); print $4 }' "$file")
    if [ "$n" = 3 ] && [ "$(field "$file" counts_add_up)" = yes ]; then
        ok "--fault $fault: 3 of 3 $label (median ${t} s)"
    else
        fail "--fault $fault: $(grep '^outcome' "$file" | tr '\t\n' ' ;')"
    fi
done

finish
