#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every examples/*.json must be a valid config: nscontain-generator --dry-run must
# accept each on its own (dependencies resolved among the examples) with nothing
# on standard error.
#   check-examples.sh GENERATOR EXAMPLES-DIR
set -u
generator=${1:?}
dir=${2:?}
shopt -s nullglob
files=("$dir"/*.json)
[ ${#files[@]} -gt 0 ] || { echo "no examples in $dir"; exit 1; }
fail=0
for f in "${files[@]}"; do
        err=$(NSCONTAIN_CONFIG_PATH=$dir SYSTEMD_LOG_TARGET=console "$generator" --dry-run "$f" 2>&1 >/dev/null)
        rc=$?
        if [ $rc != 0 ] || [ -n "$err" ]; then
                echo "FAIL ${f##*/} (exit $rc): $err"
                fail=1
        else
                echo "ok   ${f##*/}"
        fi
done
exit $fail
