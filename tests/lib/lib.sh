# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lib.sh: assertions for the bash tests. A test exits 0 to pass, 77 to be skipped
# (after saying why) and anything else to fail. Every assertion that fails prints
# "FAIL file:line: what" and exits 1; a test that reaches its end calls test_done.

# Sourced once (testsystemd.sh sources it too): a second time would reset the counters.
[[ -z ${_LIB_SOURCED:-} ]] || return 0
_LIB_SOURCED=1

set -o pipefail
shopt -s inherit_errexit 2>/dev/null || true

: "${NSC_SOURCE_DIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${NSC_BUILD_DIR:=}"
export NSC_SOURCE_DIR NSC_BUILD_DIR
# The probe (tests/probe.c) that tests copy into root filesystems and run on the host.
# $NSC_TEST_PROBE replaces it: tests/check-probe-noop runs every test that uses the
# probe with one that prints nothing, and each must then fail.
: "${NSC_PROBE:=${NSC_TEST_PROBE:-$NSC_BUILD_DIR/tests/probe}}"

_LIB_CHECKS=0
_LIB_UNCHECKED=0
_LIB_START=${EPOCHREALTIME/[.,]/}

# The caller of the assertion that called us, as file:line.
_lib_where() {
        local i=2
        # Skip frames inside this library (helpers calling helpers).
        while [[ ${BASH_SOURCE[i]:-} == "${BASH_SOURCE[0]}" ]]; do
                ((i++))
        done
        echo "${BASH_SOURCE[i]##*/}:${BASH_LINENO[i - 1]}"
}

fail() {
        echo "FAIL $(_lib_where): $*" >&2
        exit 1
}

skip() {
        echo "skipped: $*"
        exit 77
}

# not_checked WHAT WHY: a check this run cannot make, said where it would have been
# made and counted in test_done's line (a whole test that cannot run uses skip).
not_checked() {
        ((_LIB_UNCHECKED++)) || true
        echo "note: not checked: $1 ($2)" >&2
}

# image_roots_needs: skips (exit 77) unless this run can stack image layers as the helper
# does: root, Linux >= 6.8 (overlayfs "lowerdir+" by fd), and /var/tmp not itself on
# overlayfs (it holds the tests' overlay layers).
image_roots_needs() {
        local kmaj kmin
        (($(id -u) == 0)) || skip "needs root"
        IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
        ((kmaj > 6 || (kmaj == 6 && kmin >= 8))) || skip "Linux $(uname -r) has no overlayfs lowerdir+ (6.8 needed)"
        [[ $(stat -f -c %T /var/tmp) != overlayfs ]] || skip "/var/tmp is on overlayfs, which cannot hold overlay layers"
}

# build_option NAME: the value of meson option NAME in $NSC_BUILD_DIR (a list as its
# items, space-separated; empty when unknown).
build_option() {
        local f=$NSC_BUILD_DIR/meson-info/intro-buildoptions.json
        [[ -n $NSC_BUILD_DIR && -f $f ]] || return 0
        python3 -c 'import json, sys
v = next((o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == sys.argv[2]), "")
print(" ".join(map(str, v)) if isinstance(v, list) else str(v).lower())' "$f" "$1"
}

# Succeeds when $NSC_BUILD_DIR is built with a sanitizer: -Db_sanitize (as tests/run
# --sanitize does) or -fsanitize= in c_args. ASan's shadow memory and allocator make
# every process far bigger, so memory-footprint checks cannot hold there.
build_sanitized() {
        if [[ -z ${_LIB_SANITIZE+set} ]]; then
                _LIB_SANITIZE=$(build_option b_sanitize)
                [[ $_LIB_SANITIZE != none ]] || _LIB_SANITIZE=
                [[ -n $_LIB_SANITIZE || " $(build_option c_args) " != *" -fsanitize="* ]] ||
                        _LIB_SANITIZE=c_args
        fi
        [[ -n $_LIB_SANITIZE ]]
}

# Progress line, so a failure's log shows how far the test got.
step() {
        local now=${EPOCHREALTIME/[.,]/}
        printf '== [%d.%02ds] %s\n' $(((now - _LIB_START) / 1000000)) $(((now - _LIB_START) / 10000 % 100)) "$*" >&2
}

_lib_ok() {
        ((_LIB_CHECKS++)) || true
}

# assert_eq ACTUAL EXPECTED [WHAT]
assert_eq() {
        if [[ $1 != "$2" ]]; then
                fail "${3:-values differ}: expected '$2', got '$1'"
        fi
        _lib_ok
}

assert_ne() {
        if [[ $1 == "$2" ]]; then
                fail "${3:-values equal}: did not expect '$2'"
        fi
        _lib_ok
}

# assert_contains HAYSTACK NEEDLE [WHAT]: NEEDLE is a fixed string.
assert_contains() {
        if [[ $1 != *"$2"* ]]; then
                fail "${3:-missing text}: '$2' not found in:"$'\n'"$1"
        fi
        _lib_ok
}

assert_not_contains() {
        if [[ $1 == *"$2"* ]]; then
                fail "${3:-unexpected text}: '$2' found in:"$'\n'"$1"
        fi
        _lib_ok
}

# assert_match STRING REGEX [WHAT]: extended regular expression, bash's =~.
assert_match() {
        if [[ ! $1 =~ $2 ]]; then
                fail "${3:-no match}: /$2/ does not match:"$'\n'"$1"
        fi
        _lib_ok
}

# JSON, as the probe and the tools print it. Use these, never assert_eq/assert_ne on
# "$(jq ...)": a command substitution cannot fail the test, and jq prints "null" or
# nothing for what is missing, so "assert_ne "$(jq -r .errno F)" 0" passes when F was
# never written. These fail when the input is missing, empty or not JSON, and when the
# filter selects nothing or null (unless that is what is expected).
#
# assert_json FILE FILTER EXPECTED [WHAT]: jq -r FILTER on FILE prints exactly EXPECTED.
# assert_json_text TEXT FILTER EXPECTED [WHAT]: the same on TEXT (a command's output).
# For a condition, let the filter say it and expect true:
#     assert_json "$OUT/x.json" '.errno | IN(1, 13)' true "EPERM or EACCES"
assert_json() {
        [[ -e $1 ]] || fail "${4:-JSON check}: $1 does not exist (the probe did not run?)"
        [[ -s $1 ]] || fail "${4:-JSON check}: $1 is empty (the probe did not run?)"
        _lib_json "$(<"$1")" "$1" "${@:2}"
}

assert_json_text() {
        [[ -n ${1//[[:space:]]/} ]] || fail "${4:-JSON check}: no output to check (the probe did not run?)"
        _lib_json "$1" "the output" "${@:2}"
}

# _lib_json TEXT SOURCE FILTER EXPECTED [WHAT]
_lib_json() {
        local text=$1 source=$2 filter=$3 want=$4 what=${5:-$3} got
        jq -e . >/dev/null 2>&1 <<<"$text" ||
                fail "$what: $source is not JSON:"$'\n'"${text:0:400}"
        got=$(jq -r "$filter" <<<"$text" 2>&1) || fail "$what: jq '$filter' failed on $source: $got"
        [[ -n $got ]] || fail "$what: '$filter' selects nothing in $source:"$'\n'"${text:0:400}"
        if [[ $got == null && $want != null ]]; then
                fail "$what: '$filter' is null or missing in $source:"$'\n'"${text:0:400}"
        fi
        [[ $got == "$want" ]] || fail "$what: expected '$want', got '$got' ($filter in $source)"
        _lib_ok
}

# assert_ok CMD...: CMD must succeed; its output is shown when it does not.
assert_ok() {
        local out rc=0
        out=$("$@" 2>&1) || rc=$?
        if ((rc != 0)); then
                fail "'$*' exited $rc:"$'\n'"$out"
        fi
        _lib_ok
}

# assert_fail CMD...: CMD must fail (any non-zero status).
assert_fail() {
        local out rc=0
        out=$("$@" 2>&1) || rc=$?
        if ((rc == 0)); then
                fail "'$*' succeeded but should have failed:"$'\n'"$out"
        fi
        _lib_ok
}

# assert_exit CODE CMD...: CMD must exit with exactly CODE.
assert_exit() {
        local want=$1 out rc=0
        shift
        out=$("$@" 2>&1) || rc=$?
        if ((rc != want)); then
                fail "'$*' exited $rc, expected $want:"$'\n'"$out"
        fi
        _lib_ok
}

# retry SECS CMD...: runs CMD until it succeeds, for up to SECS seconds.
retry() {
        local secs=$1 i
        shift
        for ((i = 0; i < secs * 10; i++)); do
                "$@" >/dev/null 2>&1 && return 0
                sleep 0.1
        done
        "$@"
}

test_done() {
        if ((_LIB_UNCHECKED > 0)); then
                echo "PASS ${0##*/}: $_LIB_CHECKS checks, $_LIB_UNCHECKED not checked (the notes say why)"
                exit 0
        fi
        echo "PASS ${0##*/}: $_LIB_CHECKS checks"
        exit 0
}
