#!/bin/sh
# Leak and memory-error check: the load test (shorter counts) and the
# bad-peer test run under valgrind memcheck, which must report zero errors
# and zero leaks of any kind (definite, indirect, possible, still
# reachable).  Run by tests/run_tests.sh with BUILD set; skipped (exit 77,
# with the reason) when valgrind is missing, when the build is sanitized
# (ASan and valgrind do not mix), or when the binary comes from clang
# (valgrind 3.19 cannot read clang 14's DWARF 5 debug information; the gcc
# build of the same sources runs it).  A binary that is not built fails it
# (make test builds them).
NAME=leak
. tests/lib.sh
need valgrind
for t in test_load test_badpeer; do
    bin="$BUILD/tests/$t"
    if [ ! -x "$bin" ]; then
        fail "$bin not built"
        continue
    fi
    if grep -qa __asan_init "$bin"; then
        skip_part "$bin is built with AddressSanitizer (it checks leaks itself)"
        continue
    fi
    if readelf --string-dump=.comment "$bin" 2>/dev/null | grep -qi clang; then
        skip_part "$bin is built by clang, whose DWARF 5 valgrind cannot read (the gcc build runs it)"
        continue
    fi
    log=$WORK/$t.valgrind
    start=$(date +%s)
    if TERN_LOAD_SEQUENTIAL=20 TERN_LOAD_CONCURRENT=4 \
        valgrind -q --leak-check=full --show-leak-kinds=all --errors-for-leak-kinds=all \
        --error-exitcode=99 "$bin" >"$log" 2>&1; then
        ok "$t under valgrind memcheck: 0 errors, 0 leaks ($(($(date +%s) - start)) s)"
    else
        fail "$t under valgrind memcheck"
        grep -v '^\[' "$log" | head -60
    fi
done
finish
