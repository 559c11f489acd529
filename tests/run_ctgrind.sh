#!/bin/sh
# Runs each constant-time check under valgrind memcheck.  The programs mark
# their secret inputs undefined; any secret-dependent branch or memory index
# shows up as "Conditional jump or move depends on uninitialised value(s)" or
# "Use of uninitialised value", and valgrind exits with status 99.
status=0
for t in "$@"; do
    if valgrind -q --error-exitcode=99 --track-origins=yes "$t"; then
        echo "ctgrind: $t: no secret-dependent branches or indexes"
    else
        echo "ctgrind: $t: FAILED"; status=1
    fi
done
exit $status
