#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "health" against a booted systemd (nscontain.json(5)): the check runs inside the
# container as "nscontain exec" runs a command; its state shows in "nscontain status
# --json", "nscontain list --json" and the unit's StatusText; a check that keeps failing
# makes the container unhealthy and, with on_failure "restart", ends it with status 124 and
# a journal line carrying the check's output, and Restart=on-failure starts it again
# (NRestarts counts); on_failure "kill" leaves the unit failed with status 124;
# "ready_when_healthy" holds "systemctl start" until the first passing check; a check
# that hangs is killed at its timeout, with what it started.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup cli helper busybox jq

ROOT=$(tsd_mkrootfs root)
BASE=786432 # 0xc0000

common="\"rootfs\": \"$ROOT\", \"network\": {\"mode\": \"none\"}, \"user_namespace\": {\"base\": $BASE}"
# Each container has its own marker files under /tmp of the shared root.
tsd_write /etc/nscontain.d/hc.json "{$common, \"restart_sec\": \"1s\",
        \"command\": [\"/bin/sh\", \"-c\", \"rm -f /tmp/hc-sick; exec sleep 100000\"],
        \"health\": {\"command\": [\"/bin/sh\", \"-c\", \"if [ -e /tmp/hc-sick ]; then echo 'sick: database down'; exit 3; fi; echo ok uid=\$(id -u)\"],
                     \"interval\": \"1s\", \"timeout\": \"5s\", \"retries\": 2, \"on_failure\": \"restart\"}}"
tsd_write /etc/nscontain.d/killer.json "{$common,
        \"command\": [\"/bin/sleep\", \"100000\"],
        \"health\": {\"command\": [\"/bin/false\"], \"interval\": \"1s\", \"retries\": 1, \"on_failure\": \"kill\"}}"
tsd_write /etc/nscontain.d/rwh.json "{$common,
        \"command\": [\"/bin/sh\", \"-c\", \"rm -f /tmp/rwh-up; sleep 3; touch /tmp/rwh-up; exec sleep 100000\"],
        \"health\": {\"command\": [\"test\", \"-e\", \"/tmp/rwh-up\"], \"interval\": \"1s\", \"ready_when_healthy\": true}}"
tsd_write /etc/nscontain.d/hang.json "{$common,
        \"command\": [\"/bin/sleep\", \"100000\"],
        \"health\": {\"command\": [\"/bin/sh\", \"-c\", \"echo started; sleep 1000 & exec sleep 1001\"], \"interval\": \"1s\", \"timeout\": \"1s\", \"retries\": 1}}"

tsd_write /etc/nscontain.d/nocheck.json "{$common, \"command\": [\"/bin/true\"],
        \"health\": {\"command\": [\"/usr/bin/curl\", \"-f\", \"http://localhost/\"]}}"

tsd_install
tsd_boot

prop() { tsd_run systemctl show -p "$2" --value "container@$1.service"; }
health_status() { tsd_run /usr/bin/nscontain status --json "$1" | jq -r '.health.status'; }
health_is() { [[ $(health_status "$1") == "$2" ]]; }

step "validate warns about a check command the container does not have"
out=$(tsd_run /usr/bin/nscontain validate /etc/nscontain.d/nocheck.json 2>&1) && rc=0 || rc=$?
assert_eq "$rc" 3 "validate: a warning only (exit 3)"
assert_contains "$out" "nocheck.json: warning: health.command[0]: Failed to execute '/usr/bin/curl': No such file or directory" "the warning"

step "a passing check: healthy in status --json, list --json and the status line"
tsd_run systemctl start container@hc.service || fail "start of hc failed: $(tsd_status container@hc.service)"
retry 10 health_is hc healthy || fail "hc did not become healthy: $(tsd_run /usr/bin/nscontain status --json hc)"
st=$(tsd_run /usr/bin/nscontain status --json hc)
assert_json_text "$st" '.health.last_exit_code' 0 "the last check's exit status"
assert_json_text "$st" '.health.last_output' "ok uid=0" "the check's output (as the container's root)"
assert_json_text "$st" '.health.failing_streak' 0 "no failures in a row"
assert_json_text "$(tsd_run /usr/bin/nscontain list --json)" '.[] | select(.name == "hc") | .health' healthy "list --json"
assert_match "$(prop hc StatusText)" "health: healthy$" "the unit's status line"
assert_contains "$(tsd_run /usr/bin/nscontain status hc)" "Health:" "nscontain status shows the health"

step "a failing check: unhealthy, the container ends with 124 and is restarted"
assert_ok tsd_run /usr/bin/nscontain exec hc -- touch /tmp/hc-sick
retry 15 bash -c "[[ \$(nsenter -t $TSD_PID -a systemctl show -p NRestarts --value container@hc.service) -ge 1 ]]" ||
        fail "hc was not restarted: $(tsd_status container@hc.service)"
log=$(tsd_journal container@hc.service)
assert_contains "$log" "hc: The health check failed 2 times in a row (last exit status 3), the container is unhealthy, ending it to be restarted (on_failure \"restart\"). Its last output: sick: database down" "the journal line with the output"
assert_contains "$log" "status=124" "the helper's exit status"
retry 15 health_is hc healthy || fail "hc is not healthy again after its restart: $(tsd_run /usr/bin/nscontain status --json hc)"
assert_eq "$(prop hc ActiveState)" active "hc runs again"

step "on_failure kill: the unit fails with status 124"
tsd_run systemctl start container@killer.service || fail "start of killer failed: $(tsd_status container@killer.service)"
tsd_wait_state container@killer.service failed 15 || fail "killer did not fail: $(tsd_status container@killer.service)"
assert_eq "$(prop killer ExecMainStatus):$(prop killer NRestarts)" 124:0 "exit status 124, no restart"
tsd_assert_journal container@killer.service "ending it (on_failure \"kill\")" "killer's journal line"

step "ready_when_healthy holds systemctl start until the first passing check"
t0=${EPOCHREALTIME/[.,]/}
tsd_run systemctl start --no-block container@rwh.service
tsd_wait_state container@rwh.service activating 10 || fail "rwh is not activating: $(tsd_status container@rwh.service)"
retry 5 health_is rwh starting || fail "rwh's health is not 'starting': $(tsd_run /usr/bin/nscontain status --json rwh)"
assert_eq "$(prop rwh ActiveState)" activating "rwh waits for its check"
assert_contains "$(prop rwh StatusText)" "waiting for a passing health check; health: starting" "rwh's status line"
tsd_wait_state container@rwh.service active 20 || fail "rwh did not become active: $(tsd_status container@rwh.service)"
t1=${EPOCHREALTIME/[.,]/}
(((t1 - t0) >= 3000000)) || fail "rwh became active after $(((t1 - t0) / 1000)) ms, before its check could pass (3 s)"
assert_eq "$(health_status rwh)" healthy "rwh is healthy"
assert_ne "$(prop rwh TimeoutStartUSec)" "1min 30s" "the generator's TimeoutStartSec= leaves room for the start period"

step "a hanging check is killed at its timeout, with what it started"
tsd_run systemctl start container@hang.service || fail "start of hang failed: $(tsd_status container@hang.service)"
retry 15 health_is hang unhealthy || fail "hang did not become unhealthy: $(tsd_run /usr/bin/nscontain status --json hang)"
retry 10 bash -c "[[ \$(nsenter -t $TSD_PID -a /usr/bin/nscontain status --json hang | jq -r .health.checks) -ge 3 ]]" ||
        fail "fewer than 3 checks: $(tsd_run /usr/bin/nscontain status --json hang)"
st=$(tsd_run /usr/bin/nscontain status --json hang)
assert_json_text "$st" '.health.last_exit_code' -1 "killed at its timeout"
assert_json_text "$st" '.health.last_output' $'started\nKilled at its timeout of 1s.' "the output says so"
# Three or more checks ran; each one's sleeps were killed with it: at most the running
# check's two are there.
n=$(tsd_run /usr/bin/nscontain exec hang -- ps | grep -cE 'sleep 100[01]$' || true)
((n <= 2)) || fail "$n sleeps of the checks are left in the container: the timeout did not kill them"
assert_contains "$(prop hang StatusText)" "health: unhealthy" "hang's status line"
assert_eq "$(prop hang ActiveState)" active "on_failure none: it runs on"

step "the record goes with the container"
assert_ok tsd_run systemctl stop container@hang.service
assert_fail tsd_run test -e /run/nscontain/health/hang.json
assert_json_text "$(tsd_run /usr/bin/nscontain status --json hang || true)" '.health' null "no health of a stopped container"

test_done
