#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# nscontain validate against the generator's golden corpus (tests/generator/cases):
# for every bad-* case, validating the case's search path prints each message the
# generator prints, one line per file, and exits 1; each case's good.json passes
# alone with "good.json: ok" and exit 0; FILE arguments give the same verdicts; a
# dependency on a missing container is a warning, not an error, and an ordering cycle
# an error, as in the generator (both are the generator's own checks, lib/config-set.c).
# Needs no systemd: the checks are the config model's.
set -eu
. "$(dirname "$0")/../lib/lib.sh"

[[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set (run through meson test)"
NSC=$NSC_BUILD_DIR/cli/nscontain
[[ -x $NSC ]] || skip "nscontain is not built"
CASES=$NSC_SOURCE_DIR/tests/generator/cases

TMP=$(mktemp -d "${TMPDIR:-/tmp}/test-cli-validate.XXXXXX")
trap 'chmod -R u+rwX "$TMP" 2>/dev/null; rm -rf "$TMP"' EXIT
chmod 755 "$TMP"

# As run-golden.sh does for 'unprivileged' cases: root reads a mode-000 file anyway.
wrapper_for() {
        if [[ -f $1/unprivileged && $(id -u) == 0 ]]; then
                echo "setpriv --inh-caps=-dac_override,-dac_read_search --bounding-set=-dac_override,-dac_read_search --ambient-caps=-all"
        fi
}

n_cases=0
for case in "$CASES"/bad-*/; do
        case=${case%/}
        name=${case##*/}
        [[ -f $case/stderr ]] || continue
        in=$TMP/$name
        mkdir "$in"
        cp -a "$case"/. "$in"/
        if [[ -f $case/setup ]]; then
                (cd "$in" && bash "$case/setup") || fail "$name: setup failed"
        fi
        step "$name"
        # shellcheck disable=SC2046
        rc=0
        out=$(cd "$in" && NSCONTAIN_CONFIG_PATH=$in timeout 20 $(wrapper_for "$case") "$NSC" validate 2>&1) || rc=$?
        assert_eq "$rc" 1 "$name: exit status of validate on the search path"
        # Every line the generator printed, verbatim (without its program prefix).
        while IFS= read -r line; do
                line=${line#nscontain-generator: }
                assert_contains "$out" "$line" "$name: generator message"
        done <"$case/stderr"
        assert_contains "$out" "good.json: ok" "$name: the good file next to the bad ones"
        # One line per file: nothing but verdicts.
        n_files=$(cd "$in" && find . -maxdepth 1 -name '*.json' | wc -l)
        assert_eq "$(wc -l <<<"$out")" "$n_files" "$name: one line per file"

        rc=0
        out=$(cd "$in" && NSCONTAIN_CONFIG_PATH=/nonexistent "$NSC" validate good.json 2>&1) || rc=$?
        assert_eq "$rc:$out" "0:good.json: ok" "$name: good.json alone"

        # The same verdicts for FILE arguments (symlink loops and FIFOs included).
        rc=0
        mapfile -t files < <(cd "$in" && find . -maxdepth 1 -name '*.json' | sort)
        out2=$(cd "$in" && NSCONTAIN_CONFIG_PATH=/nonexistent timeout 20 $(wrapper_for "$case") "$NSC" validate "${files[@]}" 2>&1) || rc=$?
        assert_eq "$rc" 1 "$name: exit status of validate FILE..."
        while IFS= read -r line; do
                line=${line#nscontain-generator: }
                assert_contains "$out2" "$line" "$name: generator message for FILE arguments"
        done <"$case/stderr"
        ((++n_cases))
done
((n_cases >= 10)) || fail "only $n_cases bad-* cases found in $CASES"

step "good cases: exit 0, every file ok"
for name in minimal dependencies resources; do
        rc=0
        out=$(NSCONTAIN_CONFIG_PATH=$CASES/$name "$NSC" validate 2>&1) || rc=$?
        assert_eq "$rc" 0 "$name: exit status"
        assert_not_contains "$out" "warning" "$name: no warnings"
        for f in "$CASES/$name"/*.json; do
                assert_contains "$out" "${f##*/}: ok" "$name: verdict"
        done
done

step "missing dependencies are warnings, masked files are reported"
rc=0
out=$(NSCONTAIN_CONFIG_PATH=$CASES/missing-dependency "$NSC" validate 2>&1) || rc=$?
assert_eq "$rc" 1 "missing-dependency holds one broken file"
assert_contains "$out" "web.json: warning: requires[0]: container 'nowhere' has no config file"
assert_contains "$out" "web.json: warning: requires[1]: container 'masked' is masked"
assert_contains "$out" "web.json: warning: wants[0]: container 'broken' has an invalid config"
assert_contains "$out" "masked.json: masked"
assert_contains "$out" "web.json: ok (3 warnings)"
out=$(NSCONTAIN_CONFIG_PATH=$CASES/missing-dependency "$NSC" validate --quiet 2>&1) || true
assert_not_contains "$out" ": ok" "--quiet prints no verdict for good files"

step "ordering cycles are errors, as in the generator"
# The generator's cycle case: every line it logs (warnings marked as such, as above),
# and a failing exit.
rc=0
out=$(NSCONTAIN_CONFIG_PATH=$CASES/cycle "$NSC" validate 2>&1) || rc=$?
assert_eq "$rc" 1 "cycle: exit status"
while IFS= read -r line; do
        line=${line#nscontain-generator: }
        [[ $line == "d.json: after[0]:"* ]] && line="d.json: warning: ${line#d.json: }"
        assert_contains "$out" "$line" "cycle: generator message"
done <"$CASES/cycle/stderr"
assert_eq "$(grep -c '^Ordering cycle' <<<"$out")" 1 "cycle: reported once"
for f in a b c d good; do
        assert_contains "$out" "$f.json: ok" "cycle: each file on its own is valid"
done
# A cycle only among the FILEs given, with nothing on the search path: found too, once.
mkdir "$TMP/two"
echo '{"rootfs": "/var/lib/machines/x", "command": ["/bin/true"], "after": ["y"]}' >"$TMP/two/x.json"
echo '{"rootfs": "/var/lib/machines/y", "command": ["/bin/true"], "wants": ["x"]}' >"$TMP/two/y.json"
rc=0
out=$(cd "$TMP/two" && NSCONTAIN_CONFIG_PATH=/nonexistent "$NSC" validate --quiet x.json y.json 2>&1) || rc=$?
assert_eq "$rc:$out" "1:Ordering cycle among containers: x -> y -> x (each after the next); their units are written as configured, and systemd will break the cycle or refuse to start them" \
        "cycle between two FILEs"
# Breaking it makes both valid.
echo '{"rootfs": "/var/lib/machines/y", "command": ["/bin/true"]}' >"$TMP/two/y.json"
rc=0
out=$(cd "$TMP/two" && NSCONTAIN_CONFIG_PATH=/nonexistent "$NSC" validate x.json y.json 2>&1) || rc=$?
assert_eq "$rc:$out" "0:x.json: ok
y.json: ok" "no cycle"

step "usage"
assert_exit 2 "$NSC" validate --bogus
out=$("$NSC" validate --help)
assert_contains "$out" "nscontain validate"
out=$(NSCONTAIN_CONFIG_PATH=$TMP/empty "$NSC" validate 2>&1)
assert_contains "$out" "No container configs"

test_done
