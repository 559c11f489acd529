#!/bin/sh
# Leak and memory-error check: the load test (shorter counts) and the
# bad-peer test run under valgrind memcheck, which must report zero errors
# and zero leaks of any kind (definite, indirect, possible, still
# reachable).  Run by tests/run_tests.sh with BUILD set; skipped (exit 77,
# with the reason) when valgrind is missing, when the build is sanitized
# (ASan and valgrind do not mix), or when the binary comes from clang
# (valgrind 3.19 cannot read clang 14's DWARF 5 debug information; the gcc
# build of the same sources runs it).
build=${BUILD:-build}
if ! command -v valgrind >/dev/null 2>&1; then
    echo "leak.test.sh: valgrind not installed (Debian package valgrind): skipped"
    exit 77
fi
status=0 ran=0 why=""
for t in test_load test_badpeer; do
    bin="$build/tests/$t"
    if [ ! -x "$bin" ]; then
        why="$bin not built"
        echo "leak.test.sh: $why: skipped"
        continue
    fi
    if grep -qa __asan_init "$bin"; then
        why="$bin is built with AddressSanitizer (it checks leaks itself)"
        echo "leak.test.sh: $why: skipped"
        continue
    fi
    if readelf --string-dump=.comment "$bin" 2>/dev/null | grep -qi clang; then
        why="$bin is built by clang, whose DWARF 5 valgrind cannot read (the gcc build runs it)"
        echo "leak.test.sh: $why: skipped"
        continue
    fi
    ran=$((ran + 1))
    log=$(mktemp /tmp/tern-leak.XXXXXX)
    start=$(date +%s)
    if TERN_LOAD_SEQUENTIAL=20 TERN_LOAD_CONCURRENT=4 \
        valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
        --error-exitcode=99 "$bin" >"$log" 2>&1; then
        echo "leak.test.sh: $t under valgrind memcheck: 0 errors, 0 leaks ($(( $(date +%s) - start )) s)"
    else
        echo "leak.test.sh: $t under valgrind memcheck: FAILED"
        grep -v '^\[' "$log" | head -60
        status=1
    fi
    rm -f "$log"
done
# Nothing ran: skipped, never passed.
if [ $ran -eq 0 ] && [ $status -eq 0 ]; then
    echo "leak.test.sh: no binary could run under valgrind ($why): skipped"
    exit 77
fi
exit $status
