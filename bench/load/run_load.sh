#!/bin/sh
# bench/load/run_load.sh [BUILD]: what `make load` runs (never part of make
# test: it takes a few minutes and wants the machine to itself).
#
# N connections at once (LOAD_N, default 10000), each a full TLS 1.2
# handshake then one HTTP GET, made by bench/load/tern_load against
#   - `tern server --http` (one process, then --workers 2),
#   - nginx with Debian's OpenSSL (worker_processes 1, then 2), the same
#     certificate and key, a minimal nginx.conf written to a temp dir,
#   - `openssl s_server -www`, which serves one connection at a time: it only
#     gets the serial rows (one connection at a time, LOAD_SERIAL of them,
#     default 1000), where tern server is measured the same way.
# Both servers: vectors/certs/server-chain.pem + server.key (RSA-2048, issued
# by the test intermediate), TLS 1.2, ECDHE-RSA-AES128-GCM-SHA256 with x25519
# only, no session cache and no tickets (tern_load never offers a session
# anyway: every handshake is a full one), listen backlog 4096.
#
# Memory: the serving processes' VmRSS (the nginx workers, not the master;
# tern server's one process, or its workers) read from /proc:
#   idle      after a warm-up of 200 connections, none open;
#   held      when all N handshakes are done and every connection is held
#             open (tern_load --hold), before any request;
#   peak      VmHWM at the end of the run;
#   per connection = (held - idle) / N.
# CPU: the serving processes' utime + stime (/proc/PID/stat) over the
# N-connection run, divided by its handshakes.
#
# Rows in make bench's format, tern first:
#   load/<item>\ttern=<v>\tnginx=<v>\tunit=<u>\tratio=<tern/nginx>
# (openssl= instead of nginx= on the s_server rows).  docs/BENCH.md,
# "Serving under load", says what each row means.
NAME=load
BUILD=${1:-${BUILD:-build}}
. tests/lib.sh

N=${LOAD_N:-10000}
SERIAL=${LOAD_SERIAL:-1000}
SUITE=ECDHE-RSA-AES128-GCM-SHA256
GROUP=x25519
BACKLOG=4096
LOADC=$BUILD/bench/tern_load
ROOT=$(pwd)
say() { echo "# $*" >&2; }

[ -x "$LOADC" ] || { echo "load: $LOADC missing (make $LOADC)" >&2; exit 1; }
need_tern
if [ "$(uname -s)" != Linux ]; then
    echo "load: needs Linux (tern_load uses epoll; /proc for memory)" >&2
    exit 77
fi

# ---- file descriptors: the client and the server are separate processes
# and each needs one per connection and a few more ----
hard=$(ulimit -Hn)
ulimit -Sn "$hard" 2>/dev/null
soft=$(ulimit -Sn)
if [ "$soft" != unlimited ] && [ "$soft" -lt $((2 * N + 100)) ]; then
    say "ulimit -n is $soft, below 2*N+100 = $((2 * N + 100)); each process (client, server) needs only N+100 here"
    if [ "$soft" -lt $((N + 100)) ]; then
        N=$((soft - 100))
        say "N lowered to $N to fit the limit (raise the hard limit: /etc/security/limits.conf)"
    fi
fi
somax=$(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo "?")
# Every connection takes a local port from the ephemeral range.
read -r plo phi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null &&
    [ $((phi - plo + 1)) -lt "$N" ] &&
    say "only $((phi - plo + 1)) ephemeral ports (net.ipv4.ip_local_port_range) for $N connections: some will fail to connect"

# ---- the machine ----
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
flags=$(sed -n 's/^flags[[:space:]]*: //p' /proc/cpuinfo | head -n 1 |
    tr ' ' '\n' | grep -E '^(aes|pclmulqdq|sha_ni|avx2|bmi2|adx|vaes|vpclmulqdq|avx512f|avx512ifma)$' | tr '\n' ' ')
say "tern load run $(date -u '+%Y-%m-%d %H:%M UTC'), N=$N"
fam=$(sed -n 's/^cpu family[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
model=$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
say "CPU: $cpu (family $fam, model $model), $(nproc) cores; flags: $flags"
say "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "somaxconn $somax, ulimit -n $soft, $(openssl version 2>/dev/null || echo 'no openssl')"

# ---- /proc readings ----
# The processes that hold the connections: the children of PID (nginx
# workers, tern server --workers), or PID itself when it has none.
servers_of() {
    kids=$(cat /proc/"$1"/task/*/children 2>/dev/null)
    if [ -n "$(echo $kids)" ]; then echo $kids; else echo "$1"; fi
}
# sum_status FIELD PID...: the sum of a /proc/PID/status field, in kB.
sum_status() {
    f=$1
    shift
    t=0
    for p in "$@"; do
        v=$(awk -v f="$f:" '$1 == f { print $2 }' /proc/"$p"/status 2>/dev/null)
        t=$((t + ${v:-0}))
    done
    echo $t
}
# cpu_ticks PID...: utime + stime, in clock ticks.
cpu_ticks() {
    t=0
    for p in "$@"; do
        v=$(sed 's/^.*) //' /proc/"$p"/stat 2>/dev/null | awk '{ print $12 + $13 }')
        t=$((t + ${v:-0}))
    done
    echo $t
}
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
# field FILE KEY: the value of "KEY<TAB>value" in tern_load's output.
field() { awk -F'\t' -v k="$2" '$1 == k { print $2 }' "$1"; }
lat() { awk -F'\t' -v k="$2=" '$1 == "latency_ms" { for (i = 2; i <= NF; i++) if (index($i, k) == 1) print substr($i, length(k) + 1) }' "$1"; }

client() {
    cp=$1
    shift
    "$LOADC" "127.0.0.1:$cp" --truststore "$CERTS/root-ca.crt" --servername localhost --cipher "$SUITE" \
        --groups "$GROUP" --http --timeout 180 "$@" 2>/dev/null
}

# ---- servers ----
start_tern() { # PORT WORKERS
    PORT=$1
    start_bg "$TERN" server --port "$1" --http --quiet --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" \
        --cipher "$SUITE" --groups "$GROUP" --no-tickets --no-session-cache --max-connections $((N + 1000)) \
        --handshake-timeout 180 --idle-timeout 300 --workers "$2" 2>"$WORK/tern.$1.err"
    SPID=$LAST
    wait_port "$1" || { say "tern server did not start: $(cat "$WORK/tern.$1.err")"; return 1; }
}
start_nginx() { # PORT WORKERS
    PORT=$1
    d=$WORK/nginx.$1
    mkdir -p "$d/tmp"
    cat >"$d/nginx.conf" <<EOF
worker_processes $2;
worker_rlimit_nofile $((N + 2000));
daemon off;
pid $d/nginx.pid;
error_log $d/error.log warn;
events { worker_connections $((N + 1000)); multi_accept on; }
http {
    access_log off;
    client_body_temp_path $d/tmp/body;
    proxy_temp_path $d/tmp/proxy;
    fastcgi_temp_path $d/tmp/fastcgi;
    uwsgi_temp_path $d/tmp/uwsgi;
    scgi_temp_path $d/tmp/scgi;
    client_header_timeout 180s;
    keepalive_timeout 0;
    server {
        listen 127.0.0.1:$1 ssl backlog=$BACKLOG;
        ssl_certificate $ROOT/$CERTS/server-chain.pem;
        ssl_certificate_key $ROOT/$CERTS/server.key;
        ssl_protocols TLSv1.2;
        ssl_ciphers $SUITE;
        ssl_ecdh_curve X25519;
        ssl_session_cache off;
        ssl_session_tickets off;
        location / { return 200 "hello from nginx\n"; }
    }
}
EOF
    start_bg nginx -p "$d" -c "$d/nginx.conf" -e "$d/error.log"
    SPID=$LAST
    wait_port "$1" || { say "nginx did not start: $(cat "$d/error.log")"; return 1; }
    sleep 0.3 # the workers
}
stop_server() {
    kill "$SPID" 2>/dev/null
    wait "$SPID" 2>/dev/null
}

# measure NAME: against the server on $PORT (pid $SPID): warm-up, idle
# memory, N connections held at once, then their requests.  Sets
# NAME_hs NAME_p50 NAME_p99 NAME_failed NAME_idle NAME_held NAME_peak
# NAME_perconn NAME_cpu (via eval).
measure() {
    m=$1
    client "$PORT" --concurrency 20 --total 200 >"$WORK/$m.warm" || say "$m: warm-up: $(grep outcome "$WORK/$m.warm" | tr '\t' ' ')"
    sleep 0.5
    pids=$(servers_of "$SPID")
    idle=$(sum_status VmRSS $pids)
    t0=$(cpu_ticks $pids)
    out=$WORK/$m.out
    "$LOADC" "127.0.0.1:$PORT" --truststore "$CERTS/root-ca.crt" --servername localhost --cipher "$SUITE" \
        --groups "$GROUP" --http --timeout 180 --concurrency "$N" --total "$N" --hold --hold-timeout 120 \
        >"$out" 2>"$WORK/$m.err" &
    cpid=$!
    # Linux updates VmHWM lazily (when memory is unmapped), so the peak is
    # also sampled: the largest of VmHWM, the held RSS and VmRSS read every
    # 0.1 s during the run.
    (
        mx=0
        while kill -0 "$cpid" 2>/dev/null; do
            r=$(sum_status VmRSS $pids)
            [ "$r" -gt "$mx" ] && mx=$r
            echo "$mx" >"$WORK/$m.rssmax"
            sleep 0.1
        done
    ) &
    sampler=$!
    while ! grep -q holding "$WORK/$m.err" 2>/dev/null; do
        kill -0 "$cpid" 2>/dev/null || break
        sleep 0.2
    done
    held=$(sum_status VmRSS $pids)
    nheld=$(sed -n 's/.*holding \([0-9]*\) connections.*/\1/p' "$WORK/$m.err")
    # The kernel's own count of the server's established connections, as a
    # check on the client's.
    est=-
    have ss && est=$(ss -tnH state established "( sport = :$PORT )" 2>/dev/null | wc -l)
    kill -USR1 "$cpid" 2>/dev/null
    wait "$cpid"
    wait "$sampler"
    t1=$(cpu_ticks $pids)
    peak=$(sum_status VmHWM $pids)
    for r in "$held" "$(cat "$WORK/$m.rssmax" 2>/dev/null || echo 0)"; do
        [ "$r" -gt "$peak" ] && peak=$r
    done
    hs=$(field "$out" handshakes)
    failed=$(field "$out" failed)
    [ "$failed" = 0 ] || say "$m: $(grep '^outcome' "$out" | grep -v '	ok	' | tr '\t' ' ' | tr '\n' ';')"
    [ "$(field "$out" counts_add_up)" = yes ] || say "$m: the client's counts do not add up"
    perconn=-
    [ "${nheld:-0}" -gt 0 ] && perconn=$(((held - idle) * 1024 / nheld))
    cpu=-
    [ "${hs:-0}" -gt 0 ] && cpu=$(awk -v t=$((t1 - t0)) -v hz="$HZ" -v n="$hs" 'BEGIN { printf "%.0f", t / hz * 1e6 / n }')
    eval "${m}_hs=$(field "$out" handshakes_per_s) ${m}_p50=$(lat "$out" p50) ${m}_p99=$(lat "$out" p99)"
    eval "${m}_failed=$failed ${m}_idle=$idle ${m}_held=$held ${m}_peak=$peak ${m}_perconn=$perconn ${m}_cpu=$cpu"
    say "$m: $hs handshakes, $failed failed, $nheld held (the kernel counted $est established on the server's port); RSS idle $idle kB, held $held kB, peak $peak kB; server processes: $pids; suite $(field "$out" suite), signature scheme $(field "$out" signature_scheme); client CPU $(field "$out" client_cpu_us_per_handshake) us per handshake"
}

# throughput NAME: N connections (no hold) against $PORT: NAME_hs.
throughput() {
    out=$WORK/$1.out
    client "$PORT" --concurrency "$N" --total "$N" >"$out"
    [ "$(field "$out" failed)" = 0 ] || say "$1: $(grep '^outcome' "$out" | tr '\t' ' ' | tr '\n' ';')"
    eval "${1}_hs=$(field "$out" handshakes_per_s)"
    say "$1: $(field "$out" handshakes) handshakes, $(field "$out" failed) failed, p50 $(lat "$out" p50) ms, p99 $(lat "$out" p99) ms; client CPU $(field "$out" client_cpu_us_per_handshake) us per handshake"
}

# serial NAME: one connection at a time, SERIAL of them: NAME_shs NAME_sp50.
serial() {
    out=$WORK/$1.serial
    client "$PORT" --concurrency 1 --total "$SERIAL" >"$out"
    [ "$(field "$out" failed)" = 0 ] || say "$1 serial: $(grep '^outcome' "$out" | tr '\t' ' ' | tr '\n' ';')"
    eval "${1}_shs=$(field "$out" handshakes_per_s) ${1}_sp50=$(lat "$out" p50)"
}

# row ITEM UNIT TERN OTHER [OTHERNAME]: one line; ratio tern/other (none
# for counts of failures).
row() {
    [ "$2" = connections ] && {
        printf 'load/%s\ttern=%s\t%s=%s\tunit=%s\tratio=-\n' "$1" "${3:--}" "${5:-nginx}" "${4:--}" "$2"
        return
    }
    r=$(awk -v a="$3" -v b="$4" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b + 0 > 0) printf "%.2f", a / b; else print "-" }')
    printf 'load/%s\ttern=%s\t%s=%s\tunit=%s\tratio=%s\n' "$1" "${3:--}" "${5:-nginx}" "${4:--}" "$2" "$r"
}

# ---- the runs ----
for v in tern nginx tern2 nginx2 ossl; do eval "${v}_hs=- ${v}_shs=- ${v}_sp50=-"; done
for v in tern nginx; do for f in p50 p99 failed idle held peak perconn cpu; do eval "${v}_$f=-"; done; done

# LOAD_RUNS: which runs (default all): tern (N held, then serial), tern2
# (--workers 2), nginx, nginx2 (worker_processes 2), ossl (s_server, serial).
RUNS=" ${LOAD_RUNS:-tern tern2 nginx nginx2 ossl} "
runs() { case $RUNS in *" $1 "*) return 0 ;; esac; return 1; }
runs tern && start_tern "$(free_port)" 1 && {
    measure tern
    serial tern
    stop_server
}
runs tern2 && start_tern "$(free_port)" 2 && {
    throughput tern2
    stop_server
}
if ! have nginx; then
    say "nginx not installed (Debian package nginx or nginx-light): its column is '-'"
elif runs nginx || runs nginx2; then
    say "$(nginx -V 2>&1 | grep -E 'nginx version|built with' | tr '\n' ' ')"
    runs nginx && start_nginx "$(free_port)" 1 && {
        say "nginx master RSS $(sum_status VmRSS "$SPID") kB (not counted: it holds no connection)"
        measure nginx
        stop_server
    }
    runs nginx2 && start_nginx "$(free_port)" 2 && {
        throughput nginx2
        stop_server
    }
fi
if runs ossl && have openssl; then
    say "openssl s_server -www serves one connection at a time: it has the serial rows only"
    PORT=$(free_port)
    start_bg openssl s_server -accept "$PORT" -www -tls1_2 -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
        -cert_chain "$CERTS/int-ca.crt" -cipher "$SUITE" -groups X25519 -no_ticket -quiet >/dev/null 2>"$WORK/ossl.err"
    SPID=$LAST
    if wait_port "$PORT"; then
        serial ossl
    else
        say "openssl s_server did not start: $(cat "$WORK/ossl.err")"
    fi
    stop_server
fi
say "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
# LOAD_KEEP=1: keep the clients' outputs, the servers' logs and nginx.conf.
if [ "${LOAD_KEEP:-0}" = 1 ]; then
    rm -rf "$BUILD/load-last"
    cp -r "$WORK" "$BUILD/load-last"
    say "outputs and logs kept in $BUILD/load-last"
fi

row "handshakes-c$N" hs/s "$tern_hs" "$nginx_hs"
row "latency-p50-c$N" ms "$tern_p50" "$nginx_p50"
row "latency-p99-c$N" ms "$tern_p99" "$nginx_p99"
row "failed-c$N" connections "$tern_failed" "$nginx_failed"
row "server-cpu-per-handshake" us "$tern_cpu" "$nginx_cpu"
row "idle-rss" KB "$tern_idle" "$nginx_idle"
row "held-rss-c$N" KB "$tern_held" "$nginx_held"
row "peak-rss-c$N" KB "$tern_peak" "$nginx_peak"
row "rss-per-connection" bytes "$tern_perconn" "$nginx_perconn"
row "handshakes-c$N-workers2" hs/s "$tern2_hs" "$nginx2_hs"
row "serial-handshakes" hs/s "$tern_shs" "$ossl_shs" openssl
row "serial-latency-p50" ms "$tern_sp50" "$ossl_sp50" openssl
