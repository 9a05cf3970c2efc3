#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "nscontain validate" under valgrind on the inputs of one golden case of the
# generator (the same files, setup and search path as tests/generator/run-golden.sh):
# every good and every bad config through the CLI's loading and reporting. Its
# verdicts are checked by test-cli-validate.sh; this checks only memory: no error,
# no definite or indirect leak, whatever the exit status.
#
#   cli-validate.sh NSCONTAIN CASEDIR
set -u

nscontain=$(realpath "${1:?usage: cli-validate.sh NSCONTAIN CASEDIR}")
casedir=${2:?}
here=$(dirname "$0")

if ! command -v valgrind >/dev/null; then
        echo "skipped: valgrind is not installed (apt-get install valgrind)"
        exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/valgrind-validate.XXXXXX") || exit 1
chmod 755 "$tmp"
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
in=$tmp/in
mkdir "$in"
cp -a "$casedir"/. "$in"/
if [ -f "$casedir/setup" ]; then
        (cd "$in" && bash "$casedir/setup") || { echo "FAIL: setup of $casedir failed"; exit 1; }
fi
search_path=$in
[ -f "$casedir/search-path" ] && search_path=$(<"$casedir/search-path")

wrapper=()
if [ -f "$casedir/unprivileged" ] && [ "$(id -u)" = 0 ]; then
        wrapper=(setpriv --inh-caps=-dac_override,-dac_read_search
                 --bounding-set=-dac_override,-dac_read_search --ambient-caps=-all)
fi

cd "$in" || exit 1
NSCONTAIN_CONFIG_PATH=$search_path ${wrapper[@]+"${wrapper[@]}"} bash "$here/valgrind.sh" "$nscontain" validate
rc=$?
# validate's own verdict (0 or 1) is not this test's business; valgrind's 99 is.
[ $rc -eq 99 ] && exit 1
[ $rc -eq 77 ] && exit 77
exit 0
