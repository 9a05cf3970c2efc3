#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# nscontain run against a booted systemd (cli/run.c): a one-off container as the
# transient unit nscontain-run-NAME.service; in the foreground it streams the
# payload's output, takes our stdin and returns the payload's exit code (128+N for a
# signal, 125/127 for setup failures); --rm leaves no unit and no config behind, also
# after a failure; -d prints the unit name and the container can be listed, entered
# and stopped; -p properties reach the unit, unsupported ones are refused with one
# line; names of configured containers are refused.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup cli helper busybox jq

BASE=524288

ROOT=$(tsd_mkrootfs root)
tsd_write /etc/nscontain.d/configured.json "{\"rootfs\": \"$ROOT\", \"command\": [\"/bin/true\"]}"
tsd_install
tsd_boot

NSC=/usr/bin/nscontain
# Until the helper asks the sidecar, one-offs need a fixed range and no veth.
OPTS=(--network none --uid-base $BASE)
run() { tsd_run "$NSC" run "${OPTS[@]}" "$@"; }

no_unit_left() { # no_unit_left NAME
        local units
        units=$(tsd_run systemctl list-units --all --no-legend --plain "nscontain-run-$1.service")
        [[ -z $units ]] && [[ ! -e $(tsd_root)/run/nscontain/run/$1.json ]]
}

step "foreground: output, exit code, --rm"
rc=0
out=$(run --rm --name r1 "$ROOT" /bin/sh -c 'echo out-line; echo err-line >&2; hostname; exit 7' 2>&1) || rc=$?
assert_eq "$rc" 7 "the payload's exit code"
assert_contains "$out" "out-line" "stdout streamed"
assert_contains "$out" "err-line" "stderr streamed"
assert_contains "$out" "r1" "hostname defaults to the name"
retry 10 no_unit_left r1 || fail "nscontain-run-r1 left behind: $(tsd_run systemctl list-units --all 'nscontain-run-*')"
_lib_ok

rc=0
# The payload is the container's PID 1, which its own SIGKILL cannot kill: a child dies.
run --rm --name r2 "$ROOT" /bin/sh -c '/bin/sh -c "kill -9 \$\$"; exit $?' >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 137 "128+9 from a child killed by SIGKILL"
retry 10 no_unit_left r2 || fail "a failed --rm run left its unit behind"
_lib_ok

assert_exit 127 run --rm --name r3 "$ROOT" no-such-command
retry 10 no_unit_left r3 || fail "a run whose command was not found left its unit behind"
_lib_ok
assert_exit 0 run --rm "$ROOT" /bin/true
assert_eq "$(echo from-stdin | run --rm "$ROOT" /bin/cat)" from-stdin "stdin reaches the payload"
assert_eq "$(run --rm -e GREETING=hi -u app -w /tmp "$ROOT" /bin/sh -c 'echo $GREETING $(id -u) $(pwd)')" \
        "hi 1000 /tmp" "-e, -u and -w"

step "without --rm a failed one-off stays for inspection"
rc=0
run --name kept "$ROOT" /bin/sh -c 'exit 4' >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 4 "exit code"
assert_eq "$(tsd_run systemctl is-failed nscontain-run-kept.service || true)" failed "the unit stays failed"
out=$(tsd_run "$NSC" --no-pager status kept 2>&1) || true
assert_contains "$out" "nscontain-run-kept.service"
assert_contains "$out" "Last exit: status 4"
tsd_run systemctl reset-failed nscontain-run-kept.service

step "detached: unit name, list, exec, properties, stop"
out=$(run -d --rm --name bg -p MemoryMax=64M -p TasksMax=50 -p CPUQuota=25% "$ROOT" /bin/sleep 1000)
assert_eq "$out" nscontain-run-bg.service "-d prints the unit name"
assert_eq "$(tsd_run systemctl is-active nscontain-run-bg.service)" active "running"
assert_eq "$(tsd_run systemctl show -p MemoryMax --value nscontain-run-bg.service)" 67108864 "MemoryMax"
assert_eq "$(tsd_run systemctl show -p TasksMax --value nscontain-run-bg.service)" 50 "TasksMax"
assert_eq "$(tsd_run systemctl show -p CPUQuotaPerSecUSec --value nscontain-run-bg.service)" 250ms "CPUQuota"
json=$(tsd_run "$NSC" list --json)
assert_eq "$(jq -r '.[] | select(.name == "bg") | .unit + " " + .active_state + " " + (.transient | tostring)' <<<"$json")" \
        "nscontain-run-bg.service active true" "listed"
assert_eq "$(tsd_run "$NSC" exec bg -- hostname)" bg "exec into a one-off"
tsd_run systemctl stop nscontain-run-bg.service
retry 10 no_unit_left bg || fail "the detached --rm run left something behind"
_lib_ok

step "refusals: one line, nothing started"
one_line_fail() { # one_line_fail CODE TEXT CMD...
        local code=$1 text=$2 out rc=0
        shift 2
        out=$("$@" 2>&1) || rc=$?
        assert_eq "$rc" "$code" "exit status of $*"
        assert_eq "$(wc -l <<<"$out")" 1 "one line: $out"
        assert_contains "$out" "$text"
}
one_line_fail 2 "Unsupported property 'Bogus'" run --name x1 -p Bogus=1 "$ROOT" /bin/true
one_line_fail 2 "Invalid value for MemoryMax" run --name x2 -p MemoryMax=lots "$ROOT" /bin/true
one_line_fail 125 "name of a configured container" run --name configured "$ROOT" /bin/true
one_line_fail 125 "Cannot use '/nonexistent'" run "/nonexistent" /bin/true
one_line_fail 2 "network.mode" tsd_run "$NSC" run --network bogus --uid-base $BASE "$ROOT" /bin/true
assert_eq "$(tsd_run systemctl list-units --all --no-legend --plain 'nscontain-run-*')" "" "no unit was made"
assert_eq "$(ls "$(tsd_root)/run/nscontain/run/" 2>/dev/null | grep -v '^kept.json$' || true)" "" "no config was left"

test_done
