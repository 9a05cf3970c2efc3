#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# nscontain kill, pause, resume and status --json against a booted systemd (cli/control.c,
# cli/status.c): status --json agrees with systemctl (state, PIDs, memory, CPU, tasks,
# freezer) and the sidecar (address, the veth's counters); pause freezes the unit's cgroup
# (the payload's ticks stop) and resume thaws it; kill forwards a signal to the payload's
# PID 1, stops the container with SIGTERM and ends it with SIGKILL; a stopped or unknown
# container is refused with one line.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup cli helper busybox jq dbus

ROOT=$(tsd_mkrootfs root)
BASE=589824 # 0x90000

# The payload counts into its log once a second, says when it gets SIGUSR1 and ends on
# SIGTERM (a shell as PID 1 of a PID namespace has no default action for it).
tsd_write /etc/nscontain.d/web.json "{
        \"rootfs\": \"$ROOT\",
        \"command\": [\"/bin/sh\", \"-c\", \"trap 'echo got-usr1' USR1; trap 'exit 143' TERM; i=0; while :; do i=\$((i+1)); echo tick-\$i; sleep 1 & wait; done\"],
        \"user_namespace\": {\"base\": $BASE}
}"
tsd_write /etc/nscontain.d/idle.json "{\"rootfs\": \"$ROOT\", \"command\": [\"/bin/true\"], \"network\": {\"mode\": \"none\"}, \"user_namespace\": {\"base\": $BASE}}"

tsd_install
tsd_boot

nsc() { tsd_run /usr/bin/nscontain --no-pager "$@"; }
prop() { tsd_run systemctl show -p "$2" --value "container@$1.service"; }
ticks() { tsd_journal container@web.service | grep -c '^tick-' || true; }
# For retry, which runs its command again and again: a "$(...)" in its arguments would be
# read once, before the first try.
freezer_is() { [[ $(prop web FreezerState) == "$1" ]]; }
ticks_above() { (($(ticks) > $1)); }
json_or_null() { [[ $1 == "[not set]" || -z $1 ]] && echo null || echo "$1"; }

tsd_run systemctl start container@web.service || fail "start of web failed: $(tsd_status container@web.service)"

step "status --json agrees with systemctl and the sidecar"
json=$(nsc status --json web) || fail "status --json web failed: $json"
assert_eq "$(jq -r .name <<<"$json")" web "name"
assert_eq "$(jq -r .unit <<<"$json")" container@web.service "unit"
assert_eq "$(jq -r .running <<<"$json")" true "running"
assert_eq "$(jq -r .active_state <<<"$json")" active "active state"
assert_eq "$(jq -r .freezer_state <<<"$json")" "$(prop web FreezerState)" "freezer state as systemctl says"
assert_eq "$(jq -r .main_pid <<<"$json")" "$(prop web MainPID)" "main PID as systemctl says"
init=$(jq -r .init_pid <<<"$json")
assert_eq "$(tsd_run cat /proc/"$(prop web MainPID)"/task/"$(prop web MainPID)"/children | tr -d ' ')" "$init" "init PID is the helper's child"
assert_eq "$(jq -r .tasks <<<"$json")" "$(json_or_null "$(prop web TasksCurrent)")" "tasks as systemctl says"
assert_eq "$(jq -r '.cpu_usec | type' <<<"$json")" \
        "$([[ $(prop web CPUUsageNSec) == "[not set]" ]] && echo null || echo number)" "cpu_usec"
assert_eq "$(jq -r '.memory_bytes | type' <<<"$json")" \
        "$([[ $(prop web MemoryCurrent) == "[not set]" ]] && echo null || echo number)" "memory_bytes"
assert_eq "$(jq -r .health <<<"$json")" null "no health check configured"
ifname=$(jq -er .network.host_interface <<<"$json") || fail "no network in status --json: $json"
listed=$(tsd_run busctl --json=short call org.nscontain.Sidecar1 /org/nscontain/Sidecar1 \
        org.nscontain.Sidecar1 ListContainers | jq -r '.data[0][] | select(.[0] == "web") | .[3]')
assert_eq "$ifname" "$listed" "the veth the sidecar lists"
rx=$(tsd_run cat "/sys/class/net/$ifname/statistics/rx_packets")
assert_eq "$(jq -r '.network.tx_packets | type' <<<"$json")" number "tx_packets is a number"
(($(jq -r .network.tx_packets <<<"$json") <= rx)) || fail "tx_packets above the veth's rx_packets ($rx): $json"
assert_match "$(nsc status -n 0 web)" "Veth: +$ifname: sent [0-9]" "the text shows the veth's counters"

step "pause freezes the container, resume thaws it"
assert_ok nsc pause web
retry 5 freezer_is frozen || fail "FreezerState is $(prop web FreezerState) after pause"
assert_eq "$(nsc status --json web | jq -r .freezer_state)" frozen "status --json shows frozen"
before=$(ticks)
sleep 3
assert_eq "$(ticks)" "$before" "no ticks while paused"
assert_ok nsc resume web
retry 5 freezer_is running || fail "FreezerState is $(prop web FreezerState) after resume"
retry 5 ticks_above "$before" || fail "no ticks after resume"

step "kill forwards a signal to PID 1, SIGTERM stops, SIGKILL ends"
assert_ok nsc kill web SIGUSR1
retry 5 grep -q got-usr1 <(tsd_journal container@web.service) || fail "the payload did not get SIGUSR1"
assert_eq "$(tsd_run systemctl is-active container@web.service)" active "still running after SIGUSR1"
assert_ok nsc kill web
tsd_wait_state container@web.service inactive 20 || fail "web did not stop on kill: $(tsd_status container@web.service)"
tsd_run systemctl start container@web.service || fail "restart of web failed"
assert_ok nsc kill web KILL
tsd_wait_state container@web.service failed 20 || fail "web did not end on SIGKILL: $(tsd_status container@web.service)"
assert_eq "$(prop web Result)" signal "SIGKILL: the unit's result"

step "a stopped, an unknown container, a bad signal"
assert_exit 1 nsc kill idle
assert_contains "$(nsc pause idle 2>&1)" "container@idle.service is not running (inactive)." "pause of a stopped one"
assert_exit 4 nsc kill nosuch
assert_exit 2 nsc kill web SIGNOPE
assert_exit 3 nsc status --json idle
assert_eq "$(nsc status --json idle | jq -r .running)" false "stopped: running false"
assert_eq "$(nsc status --json idle | jq -r .main_pid)" null "stopped: no main PID"

test_done
