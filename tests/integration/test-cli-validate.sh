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
        assert_eq "$rc:$out" "0:good.json: ok (rootfs not found: not checked against the image)" "$name: good.json alone"

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

step "missing dependencies: errors for requires, warnings otherwise; masked files are reported"
rc=0
out=$(NSCONTAIN_CONFIG_PATH=$CASES/missing-dependency "$NSC" validate 2>&1) || rc=$?
assert_eq "$rc" 1 "missing-dependency holds one broken file"
assert_contains "$out" "web.json: requires[0]: container 'nowhere' has no config file"
assert_contains "$out" "web.json: requires[1]: container 'masked' is masked"
assert_contains "$out" "web.json: warning: wants[0]: container 'broken' has an invalid config"
assert_contains "$out" "masked.json: masked"
assert_not_contains "$out" "web.json: ok" "a requires on a container without a config is an error"
out=$(NSCONTAIN_CONFIG_PATH=$CASES/missing-dependency "$NSC" validate --quiet 2>&1) || true
assert_not_contains "$out" ": ok" "--quiet prints no verdict for good files"

step "exit status: 0 clean, 3 warnings only, 1 with --strict or on an error; --json"
mkdir "$TMP/warn"
echo '{"rootfs": "/var/lib/machines/a", "command": ["/bin/true"], "wants": ["ghost"]}' >"$TMP/warn/a.json"
echo '{"rootfs": "/var/lib/machines/b", "command": ["/bin/true"]}' >"$TMP/warn/b.json"
rc=0
out=$(NSCONTAIN_CONFIG_PATH=$TMP/warn "$NSC" validate 2>&1) || rc=$?
assert_eq "$rc" 3 "warnings only"
assert_contains "$out" "a.json: warning: wants[0]: container 'ghost' has no config file"
assert_contains "$out" "a.json: ok (1 warning; rootfs not found: not checked against the image)"
rc=0
NSCONTAIN_CONFIG_PATH=$TMP/warn "$NSC" validate --strict >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "--strict: a warning is an error"
rc=0
(cd "$TMP/warn" && NSCONTAIN_CONFIG_PATH=$TMP/warn "$NSC" validate b.json >/dev/null 2>&1) || rc=$?
assert_eq "$rc" 0 "clean"
rc=0
(cd "$TMP/warn" && NSCONTAIN_CONFIG_PATH=/nonexistent "$NSC" validate --strict b.json >/dev/null 2>&1) || rc=$?
assert_eq "$rc" 0 "--strict, clean"
rc=0
json=$(NSCONTAIN_CONFIG_PATH=$TMP/warn "$NSC" validate --json 2>/dev/null) || rc=$?
assert_eq "$rc" 3 "--json: the same exit status"
jq -e --arg f "$TMP/warn/a.json" '.warnings == 1 and .errors == 0
        and ([.findings[] | select(.severity == "warning")] == [{"file": $f, "path": "wants[0]",
                "severity": "warning", "message": "container '"'ghost'"' has no config file"}])
        and ([.files[] | .name] == ["a", "b"]) and ([.files[] | .status] == ["warnings", "ok"])
        and ([.files[] | .checked_against_rootfs] == [false, false])
        and ([.findings[] | select(.severity == "info") | .path] == ["rootfs", "rootfs"])' <<<"$json" >/dev/null ||
        fail "--json: unexpected document: $json"
# An error from the parser: its JSON path and message apart; a syntax error has no path.
echo '{"rootfs": "/var/lib/machines/c", "command": ["/bin/true"], "mounts": [{"target": "x"}]}' >"$TMP/warn/c.json"
printf '{"rootfs": ' >"$TMP/warn/d.json"
rc=0
json=$(NSCONTAIN_CONFIG_PATH=$TMP/warn "$NSC" validate --json 2>/dev/null) || rc=$?
assert_eq "$rc" 1 "--json: errors"
jq -e --arg c "$TMP/warn/c.json" --arg d "$TMP/warn/d.json" '
        (.findings[] | select(.file == $c) | .path | startswith("mounts[0]"))
        and ([.findings[] | select(.file == $d and .severity == "error") | .path] == [null])
        and ([.files[] | select(.status == "invalid") | .name] == ["c", "d"]) and .errors == 2' <<<"$json" >/dev/null ||
        fail "--json: unexpected document for errors: $json"

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
assert_eq "$rc:$out" "0:x.json: ok (rootfs not found: not checked against the image)
y.json: ok (rootfs not found: not checked against the image)" "no cycle"

step "usage"
assert_exit 2 "$NSC" validate --bogus
out=$("$NSC" validate --help)
assert_contains "$out" "nscontain validate"
out=$(NSCONTAIN_CONFIG_PATH=$TMP/empty "$NSC" validate 2>&1)
assert_contains "$out" "No container configs"

test_done
