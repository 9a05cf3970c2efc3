#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Renders every manual page in man/ (whoever wrote it) and fails on any warning
# from man/groff: a page that renders with warnings renders wrongly somewhere.
# Usage: check-man.sh MANDIR
set -u
mandir=${1:?usage: check-man.sh MANDIR}

if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
        echo "skipped: man (man-db) or groff is not installed"
        exit 77
fi

shopt -s nullglob
pages=("$mandir"/*.[1-8] "$mandir"/*.[1-8].in)
if [ ${#pages[@]} -eq 0 ]; then
        echo "no manual pages found in $mandir"
        exit 1
fi

fail=0
for page in "${pages[@]}"; do
        err=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" 2>&1 >/dev/null)
        if [ -n "$err" ]; then
                echo "FAIL ${page##*/}:"
                printf '%s\n' "$err" | sed 's/^/    /'
                fail=1
        else
                echo "ok   ${page##*/}"
        fi
done
exit $fail
