#!/bin/sh
# Runs each libFuzzer target for a bounded time from its seed corpus and
# prints how many executions it made.  Fails on any crash, leak or sanitizer
# report.  Usage: run_smoke.sh SECONDS target...
secs=$1; shift
status=0
for t in "$@"; do
    name=$(basename "$t")
    work=$(mktemp -d /tmp/tern-fuzz-$name.XXXXXX)
    [ -d "tests/fuzz/corpus/$name" ] && cp -r "tests/fuzz/corpus/$name/." "$work/" 2>/dev/null
    log="$work.log"
    if "$t" -max_total_time="$secs" -max_len=70000 -rss_limit_mb=2048 -print_final_stats=1 "$work" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
        echo "fuzz-smoke: $name: ok, ${execs:-?} executions in ${secs}s"
    else
        echo "fuzz-smoke: $name: FAILED (log below)"; tail -n 40 "$log"; status=1
        mkdir -p build-fuzz/crashes && cp crash-* leak-* timeout-* build-fuzz/crashes/ 2>/dev/null
    fi
    rm -rf "$work" "$log"
done
exit $status
