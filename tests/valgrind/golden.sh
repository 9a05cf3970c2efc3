#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One golden case of the generator (tests/generator/run-golden.sh) with the generator
# under valgrind: the case must still pass exactly (same exit code, output and
# messages), and valgrind must find no error and no definite or indirect leak.
#
#   golden.sh RUN_GOLDEN GENERATOR UNITDIR CASEDIR
set -u

run_golden=${1:?usage: golden.sh RUN_GOLDEN GENERATOR UNITDIR CASEDIR}
generator=$(realpath "${2:?}")
unitdir=${3:?}
casedir=${4:?}

if ! command -v valgrind >/dev/null; then
        echo "skipped: valgrind is not installed (apt-get install valgrind)"
        exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/valgrind-golden.XXXXXX") || exit 1
chmod 755 "$tmp" # the 'unprivileged' cases run without CAP_DAC_OVERRIDE
trap 'rm -rf "$tmp"' EXIT

# run-golden.sh compares standard error and the exit code exactly: valgrind writes
# to its own log, and its error exit code (99) is one the generator never uses, so
# a finding shows as a wrong exit code and is printed below.
cat >"$tmp/generator" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect \\
        --show-leak-kinds=definite,indirect --log-file="$tmp/valgrind.%p.log" "$generator" "\$@"
WRAP
chmod 755 "$tmp/generator"

bash "$run_golden" "$tmp/generator" "$unitdir" "$casedir"
rc=$?
for f in "$tmp"/valgrind.*.log; do
        [ -s "$f" ] || continue
        echo "valgrind report:"
        cat "$f"
        rc=1
done
exit $rc
