#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a program under valgrind's memcheck; fails on any memory error and on any
# definite or indirect leak, printing valgrind's report. Skips (77) without valgrind.
#
#   valgrind.sh PROGRAM [ARGS...]
#
# Errors exit 99, not 1: several programs under test (the generator on a bad case)
# exit 1 on their own, and that must stay distinguishable.
set -u

if ! command -v valgrind >/dev/null; then
        echo "skipped: valgrind is not installed (apt-get install valgrind)"
        exit 77
fi

log=$(mktemp "${TMPDIR:-/tmp}/valgrind.XXXXXX") || exit 1
trap 'rm -f "$log"' EXIT

# --child-silent-after-fork: a forked child that only _exit()s is not a second report.
valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \
        --show-leak-kinds=definite,indirect --child-silent-after-fork=yes --log-file="$log" "$@"
rc=$?
if [ -s "$log" ]; then
        echo "valgrind report for $*:"
        cat "$log"
fi
[ $rc -eq 99 ] && echo "FAIL: valgrind found errors or leaks in $1"
exit $rc
