#!/bin/sh
# make analyze: static analysis of the library (crypto/, lib/, lib/x509/).
#   1. cppcheck (warning, portability, performance), suppressions with
#      reasons in tests/analyze/cppcheck.supp;
#   2. clang-tidy with the checks chosen and documented in .clang-tidy; the
#      Makefile runs it per file (in parallel with make -j) into
#      $BUILD/analyze/**.tidy and passes those logs here; findings are
#      accepted only when tests/analyze/tidy.supp lists their file and check.
# Prints one line per tool with the counts; exits 1 on any finding left.
# Usage: tests/analyze.sh TIDY_LOG...
set -u
status=0
srcs=$(ls crypto/*.c lib/*.c lib/x509/*.c)

if command -v cppcheck >/dev/null 2>&1; then
    start=$(date +%s)
    if cppcheck -q --std=c11 --enable=warning,portability,performance --inline-suppr \
        --suppressions-list=tests/analyze/cppcheck.supp --suppress=missingIncludeSystem \
        -Iinclude -I. -D__GNUC__ -D__x86_64__ -D_DEFAULT_SOURCE --error-exitcode=1 -j2 $srcs; then
        echo "analyze: cppcheck: $(echo "$srcs" | wc -w) files clean ($(grep -c '^[a-zA-Z]' tests/analyze/cppcheck.supp) narrow suppressions, $(( $(date +%s) - start )) s)"
    else
        echo "analyze: cppcheck: FINDINGS above"; status=1
    fi
else
    echo "analyze: cppcheck not installed: FAILED"; status=1
fi

if [ $# -gt 0 ]; then
    # "path:line:col: warning: text [check,...]" -> "path check" (relative path).
    all=$(cat "$@" | sed -e "s|^$(pwd)/||" -e 's|^\./||' |
          grep -E '^[^ :]+:[0-9]+:[0-9]+: (warning|error): .*\[[a-zA-Z0-9.,-]+\]$' |
          sed -E -e 's/^([^:]+):[0-9]+:[0-9]+: .*\[([a-zA-Z0-9.-]+)[],].*$/\1 \2/' -e 's|^\./||' | sort -u)
    supp=$(grep -v '^#' tests/analyze/tidy.supp | grep -v '^ *$' | sort -u)
    left=$(printf '%s\n' "$all" | grep -v '^$' | while read -r f chk; do
        printf '%s\n' "$supp" | grep -qx "$f $chk" || echo "$f $chk"; done)
    nall=$(cat "$@" | grep -c ': \(warning\|error\): .*\]$')
    if [ -n "$left" ]; then
        echo "analyze: clang-tidy: findings not in tests/analyze/tidy.supp:"
        printf '%s\n' "$left" | while read -r f chk; do
            cat "$@" | grep -A6 "$f:[0-9]*:[0-9]*: .*\[$chk" | head -n 14 | sed "s|$(pwd)/||"
        done
        status=1
    else
        echo "analyze: clang-tidy: $# files clean ($nall diagnostics, all listed false positives in tests/analyze/tidy.supp: $(printf '%s\n' "$supp" | wc -l) file/check pairs)"
    fi
fi
exit $status
