# The one shell library of the tests/*.test.sh scripts (sourced from the top
# of the tree, after the script sets NAME, which prefixes every line it
# prints).  It gives:
#   - BUILD (default build), TERN ($BUILD/tools/tern), CERTS (vectors/certs);
#   - WORK, a fresh directory under $BUILD/tmp/ removed at exit: tests write
#     only under the build directory, never into the source tree;
#   - need TOOL [PACKAGE], need_python_module MODULE PACKAGE, need_tern: a
#     script that cannot run says why on one line and exits 77 (skipped,
#     tests/run_tests.sh counts it so), or 1 when the build is incomplete;
#   - ok / fail / skip / known_failure and finish, the closing line and
#     exit status; skip_part for a part that needs a missing tool (the script
#     then ends "skipped", exit 77, unless something failed);
#   - free_port / wait_port, start_bg (every process started is killed at
#     exit), tern_echo_server / ossl_server / ossl_echo, feed_and_wait,
#     in_order, iana.
BUILD=${BUILD:-build}
TERN=$BUILD/tools/tern
CERTS=vectors/certs
NAME=${NAME:-$(basename "$0" .test.sh)}
PIDS=""
FAILS=0 OKS=0 SKIPS=0 KNOWN=0
PART_SKIPPED=""
mkdir -p "$BUILD/tmp"
WORK=$(mktemp -d "$(cd "$BUILD/tmp" && pwd)/$NAME.XXXXXX")

cleanup() {
    for p in $PIDS; do kill "$p" 2>/dev/null; done
    for p in $PIDS; do wait "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
# A signal (a closed output pipe too) also ends the script, through the EXIT
# trap, so that no server outlives it.
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

# ---- what a script needs ----
# need TOOL [PACKAGE]: skipped (exit 77) when TOOL is not on PATH.
need() {
    command -v "$1" >/dev/null 2>&1 && return 0
    echo "$NAME: skipped: $1 not installed (Debian package ${2:-$1})"
    exit 77
}
need_python_module() {
    command -v python3 >/dev/null 2>&1 && python3 -c "import $1" 2>/dev/null && return 0
    echo "$NAME: skipped: python3 with the $1 module not installed (Debian package $2)"
    exit 77
}
have() { command -v "$1" >/dev/null 2>&1; }
have_openssl() { have openssl; }
# The tern command is built by `make test` itself: missing, it is a failure.
need_tern() {
    [ -x "$TERN" ] && return 0
    echo "$NAME: FAIL: $TERN missing (make tools)"
    exit 1
}

# ---- results ----
ok() {
    echo "$NAME: ok: $*"
    OKS=$((OKS + 1))
}
fail() {
    echo "$NAME: FAIL: $*"
    FAILS=$((FAILS + 1))
}
# A case this tern or this peer cannot run (a limit of the peer, a feature
# tern does not have): said, counted, never "ok".
skip() {
    echo "$NAME: skipped: $*"
    SKIPS=$((SKIPS + 1))
}
# A part of the script that needs a tool that is not installed: said, and
# the script ends skipped (exit 77) rather than passed.
skip_part() {
    echo "$NAME: skipped: $*"
    SKIPS=$((SKIPS + 1))
    PART_SKIPPED=${PART_SKIPPED:+$PART_SKIPPED; }$*
}
# A case that fails because of a known tern bug (reported, not fixed here):
# shown in the output, not counted as a failure.
known_failure() {
    echo "$NAME: KNOWN FAILURE: $*"
    KNOWN=$((KNOWN + 1))
}
# The closing line and exit status of a script: 1 when a case failed, 77
# when a part could not run, else 0.  The last line says which.
finish() {
    echo "$NAME: $OKS ok, $FAILS failed, $SKIPS skipped, $KNOWN known failures"
    [ "$FAILS" -eq 0 ] || exit 1
    if [ -n "$PART_SKIPPED" ]; then
        echo "$NAME: skipped$([ "$OKS" -gt 0 ] && echo " in part"): $PART_SKIPPED"
        exit 77
    fi
    exit 0
}

# ---- ports and processes ----
# A TCP port nobody uses right now on this machine, below Linux's ephemeral
# range (32768-60999) so that no outgoing connection takes it meanwhile.
free_port() {
    while :; do
        fp=$(($(od -An -N2 -tu2 /dev/urandom) % 12000 + 20000))
        if have ss; then
            ss -tanH 2>/dev/null | grep -q "[:.]$fp " && continue
        fi
        echo "$fp"
        return
    done
}

# Wait (up to ~5 s) until something listens on 127.0.0.1:$1.
wait_port() {
    i=0
    while [ $i -lt 100 ]; do
        if have ss; then
            ss -ltn 2>/dev/null | grep -q "127.0.0.1:$1 \|\*:$1 \|0.0.0.0:$1 \|\[::\]:$1 " && return 0
        else
            sleep 1
            return 0
        fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# start_bg CMD...: run in the background, remember the pid in $LAST.
start_bg() {
    "$@" &
    LAST=$!
    PIDS="$PIDS $LAST"
}

# A tern echo server on a fresh port: sets $PORT.  Extra args are passed on.
tern_echo_server() {
    PORT=$(free_port)
    start_bg timeout 120 "$TERN" server --port "$PORT" --keystore "$CERTS/server-chain.pem" "$CERTS/server.key" \
        "$@" 2>"$WORK/tern-server.$PORT.err"
    wait_port "$PORT" || {
        fail "tern server did not start: $(cat "$WORK/tern-server.$PORT.err")"
        return 1
    }
}

# openssl s_server for one connection on a fresh port: sets $PORT.  Extra
# args (-rev, -www, -keylogfile F) are passed on.
ossl_server() {
    PORT=$(free_port)
    start_bg timeout 60 openssl s_server -accept "$PORT" -tls1_2 -cert "$CERTS/server.crt" -key "$CERTS/server.key" \
        -cert_chain "$CERTS/int-ca.crt" -naccept 1 "$@" >"$WORK/ossl.$PORT.out" 2>&1
    wait_port "$PORT" || {
        fail "openssl s_server did not start: $(cat "$WORK/ossl.$PORT.out")"
        return 1
    }
}

# ossl_echo PORT ERRFILE OPTIONS...: openssl s_server -tls1_2 on PORT for one
# connection, its stdin and stdout the same fifo: what the client sends comes
# straight back (with -quiet it prints nothing else); its errors go to ERRFILE.
ossl_echo() {
    oe_port=$1 oe_err=$2
    shift 2
    mkfifo "$WORK/fifo.$oe_port"
    timeout 30 openssl s_server -accept "$oe_port" -tls1_2 "$@" -quiet -naccept 1 \
        <>"$WORK/fifo.$oe_port" >&0 2>"$oe_err" &
    PIDS="$PIDS $!"
}

# Feed file $1 to stdout, then hold stdin open until file $2 has reached the
# size of $1 (the echo came back) or ~10 s passed, so the sender closes only
# after everything has round-tripped.
feed_and_wait() {
    cat "$1"
    want=$(wc -c <"$1")
    i=0
    while [ $i -lt 200 ]; do
        got=$(wc -c <"$2" 2>/dev/null || echo 0)
        [ "$got" -ge "$want" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
}

# ---- checking output ----
# in_order FILE PATTERN...: each extended regex matches a line after the
# line the previous one matched.  Prints the first one missing.
in_order() {
    f=$1
    shift
    at=0
    for pat in "$@"; do
        n=$(awk -v start="$at" -v pat="$pat" 'NR > start && $0 ~ pat { print NR; exit }' "$f")
        if [ -z "$n" ]; then
            echo "missing after line $at: $pat"
            return 1
        fi
        at=$n
    done
    return 0
}

# tern's IANA name of an OpenSSL-style suite name (the tern command takes both).
iana() {
    case $1 in
    ECDHE-RSA-AES128-GCM-SHA256) echo TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 ;;
    ECDHE-RSA-AES256-GCM-SHA384) echo TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 ;;
    ECDHE-RSA-CHACHA20-POLY1305) echo TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 ;;
    ECDHE-ECDSA-AES128-GCM-SHA256) echo TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 ;;
    ECDHE-ECDSA-AES256-GCM-SHA384) echo TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 ;;
    ECDHE-ECDSA-CHACHA20-POLY1305) echo TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ;;
    AES128-GCM-SHA256) echo TLS_RSA_WITH_AES_128_GCM_SHA256 ;;
    AES256-GCM-SHA384) echo TLS_RSA_WITH_AES_256_GCM_SHA384 ;;
    esac
}
