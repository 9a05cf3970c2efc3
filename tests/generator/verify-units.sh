#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd-analyze verify on container@.service with every drop-in the generator
# writes for the golden cases and the examples: systemd must load each unit without
# a single warning (verify exits 0 on unknown keys and bad values, so any output on
# standard error counts as a failure).
#   verify-units.sh GENERATOR TEMPLATE HELPER CASES-DIR EXAMPLES-DIR
set -u
generator=${1:?}
template=${2:?}
helper=${3:?}
cases=${4:?}
examples=${5:?}
generator=$(realpath "$generator")
helper=$(realpath "$helper")

command -v systemd-analyze >/dev/null || { echo "skipped: systemd-analyze is not installed"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/verify-units.XXXXXX") || exit 1
trap 'chmod -R u+rwX "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT

# The template as installed, except that ExecStart= names the helper of this build
# (verify checks that the command exists and is executable).
mkdir "$tmp/units"
grep -q '^ExecStart=' "$template" || { echo "no ExecStart= in $template"; exit 1; }
sed "s|^ExecStart=[^ ]*|ExecStart=$helper|" "$template" >"$tmp/units/container@.service"

fail=0
verify() { # GEN-DIR LABEL UNIT...
        local gen=$1 label=$2 out rc
        shift 2
        out=$(cd "$tmp" && SYSTEMD_UNIT_PATH="$gen:$tmp/units:" systemd-analyze verify --man=no "$@" 2>&1)
        rc=$?
        if [ $rc != 0 ] || [ -n "$out" ]; then
                echo "FAIL $label (exit $rc):"
                printf '%s\n' "$out" | sed 's/^/    /'
                fail=1
        else
                echo "ok   $label: $*"
        fi
}

verify "$tmp/empty" template container@plain.service

n=0
for src in "$cases"/* "$examples"; do
        label=${src##*/}
        # Units in an ordering cycle load fine, but verify's start transaction
        # fails on the cycle, as designed: those cases are covered by the golden test.
        if grep -qs 'Ordering cycle' "$src/stderr"; then
                echo "skip $label: has an ordering cycle on purpose"
                continue
        fi
        in=$tmp/in-$label
        gen=$tmp/gen-$label
        mkdir "$gen"
        mkdir "$in" && cp -a "$src"/. "$in"/
        [ -f "$in/setup" ] && (cd "$in" && bash ./setup)
        search=$in
        if [ -f "$in/search-path" ]; then
                IFS=: read -r -a dirs <"$in/search-path"
                search=$(for d in "${dirs[@]}"; do printf '%s\n' "$in/$d"; done | paste -sd:)
        fi
        # Bad inputs are part of the cases: only what the generator writes matters.
        NSCONTAIN_CONFIG_PATH=$search SYSTEMD_LOG_TARGET=console SYSTEMD_LOG_LEVEL=emerg \
                "$generator" "$gen" </dev/null >/dev/null 2>&1
        units=()
        for d in "$gen"/container@*.service.d; do
                [ -d "$d" ] || continue
                u=${d##*/}
                units+=("${u%.d}")
        done
        [ ${#units[@]} -gt 0 ] || continue
        verify "$gen" "$label" "${units[@]}"
        n=$((n + ${#units[@]}))
done

[ $n -gt 10 ] || { echo "FAIL: only $n units were generated, expected the golden cases' and examples'"; fail=1; }
[ $fail = 0 ] && echo "verified $n generated units"
exit $fail
