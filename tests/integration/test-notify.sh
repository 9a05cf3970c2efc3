#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "notify" and "watchdog_sec" against a booted systemd (nscontain.json(5)): a payload that
# speaks sd_notify through $NOTIFY_SOCKET (a static client of our own, no libsystemd in
# the root) holds "systemctl start" until its READY=1; its STATUS= becomes the unit's
# StatusText; RELOADING=1 and STOPPING=1 reach the unit's state; MAINPID=, FDSTORE= with
# an fd and BARRIER= are refused with a log line; a
# process put into the container by "nscontain exec" (not the payload's) is refused
# whatever it sends; WATCHDOG=1 keeps a unit with WatchdogSec= alive, and starving it
# ends the unit with Result: watchdog and restarts it; EXTEND_TIMEOUT_USEC= extends the
# start timeout; without "notify" the helper feeds the watchdog itself.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup cli helper busybox jq
CLIENT=$NSC_BUILD_DIR/tests/integration/notify-client
[[ -x $CLIENT ]] || skip "tests/integration/notify-client is not built"

ROOT=$(tsd_mkrootfs root)
cp "$CLIENT" "$ROOT/notify"
BASE=720896 # 0xb0000

common="\"rootfs\": \"$ROOT\", \"network\": {\"mode\": \"none\"}, \"user_namespace\": {\"base\": $BASE}"
# ready: says where it is, tries what it may not, then waits for /tmp/go (made by a test
# step through "nscontain exec") before its READY=1.
tsd_write /etc/nscontain.d/ready.json "{$common, \"notify\": true,
        \"command\": [\"/bin/sh\", \"-c\", \"rm -f /tmp/go; /notify -l 300 'STATUS=warming up'; /notify -l 300 -f MAINPID=1 FDSTORE=1 BARRIER=1; while [ ! -e /tmp/go ]; do sleep 0.1; done; exec /notify -l 100000000 READY=1 'STATUS=serving requests'\"]}"
tsd_write /etc/nscontain.d/slow.json "{$common, \"notify\": true,
        \"command\": [\"/bin/sh\", \"-c\", \"sleep 2; exec /notify -l 100000000 READY=1 STATUS=slow-ready\"]}"
tsd_write /etc/nscontain.d/wd.json "{$common, \"notify\": true, \"watchdog_sec\": \"2s\", \"restart\": \"on-failure\", \"restart_sec\": \"1s\",
        \"command\": [\"/bin/sh\", \"-c\", \"rm -f /tmp/starve; echo usec=\$WATCHDOG_USEC; exec /notify -i 300 -u /tmp/starve READY=1 WATCHDOG=1\"]}"
# lc: RELOADING=1 and STOPPING=1 from a child of the payload, one step per marker file.
tsd_write /etc/nscontain.d/lc.json "{$common, \"notify\": true,
        \"command\": [\"/bin/sh\", \"-c\", \"rm -f /tmp/lc-*; /notify -l 300 READY=1; until [ -e /tmp/lc-1 ]; do sleep 0.1; done; /notify -l 300 RELOADING=1 STATUS=reloading; until [ -e /tmp/lc-2 ]; do sleep 0.1; done; /notify -l 300 READY=1 STATUS=reloaded; until [ -e /tmp/lc-3 ]; do sleep 0.1; done; /notify -l 300 STOPPING=1; exec sleep 100000\"]}"
# ext: needs 4 s before its READY=1 with a 2 s start timeout, which it extends first.
tsd_write /etc/nscontain.d/ext.json "{$common, \"notify\": true, \"service\": {\"TimeoutStartSec\": \"2s\"},
        \"command\": [\"/bin/sh\", \"-c\", \"/notify -l 300 EXTEND_TIMEOUT_USEC=8000000 'STATUS=extending'; sleep 4; exec /notify -l 100000000 READY=1 STATUS=ext-ready\"]}"
tsd_write /etc/nscontain.d/noext.json "{$common, \"notify\": true, \"service\": {\"TimeoutStartSec\": \"2s\"},
        \"command\": [\"/bin/sh\", \"-c\", \"sleep 4; exec /notify -l 100000000 READY=1\"]}"
tsd_write /etc/nscontain.d/fed.json "{$common, \"watchdog_sec\": \"1s\", \"command\": [\"/bin/sleep\", \"100000\"]}"

tsd_install
tsd_boot

prop() { tsd_run systemctl show -p "$2" --value "container@$1.service"; }

step "systemctl start returns at the payload's READY=1, with its STATUS="
t0=${EPOCHREALTIME/[.,]/}
tsd_run systemctl start container@slow.service || fail "start of slow failed: $(tsd_status container@slow.service)"
t1=${EPOCHREALTIME/[.,]/}
(((t1 - t0) >= 2000000)) || fail "systemctl start returned after $(((t1 - t0) / 1000)) ms, before the payload's READY=1 (2 s)"
assert_eq "$(prop slow ActiveState)" active "slow is active"
assert_eq "$(prop slow StatusText)" slow-ready "slow's StatusText"
helper=$(prop slow MainPID)
assert_eq "$(tsd_run cat /proc/"$helper"/comm)" nscontain-helpe "the helper stays the main PID"
assert_eq "$(tsd_run /usr/bin/nscontain exec slow -- sh -c "tr '\\0' '\\n' </proc/1/environ | grep ^NOTIFY_SOCKET=")" NOTIFY_SOCKET=/run/host/notify "the payload's \$NOTIFY_SOCKET"
assert_eq "$(tsd_run /usr/bin/nscontain exec slow -- ls -l /run/host/notify | cut -c1)" s "/run/host/notify is a socket"

step "until READY=1 the unit is activating; refused fields and foreign senders are logged"
tsd_run systemctl start --no-block container@ready.service
tsd_wait_state container@ready.service activating 10 || fail "ready is not activating: $(tsd_status container@ready.service)"
retry 10 bash -c "[[ \$(nsenter -t $TSD_PID -a systemctl show -p StatusText --value container@ready.service) == 'warming up' ]]" ||
        fail "ready's STATUS= from a child of the payload did not arrive: $(prop ready StatusText)"
retry 10 bash -c "nsenter -t $TSD_PID -a journalctl --sync; nsenter -t $TSD_PID -a journalctl -o cat -u container@ready.service | grep -q 'Refused MAINPID=, FDSTORE=, BARRIER= and file descriptors'" ||
        fail "no refusal line for MAINPID/FDSTORE/BARRIER: $(tsd_journal container@ready.service)"
assert_eq "$(prop ready MainPID)" "$(tsd_run systemctl show -p ExecMainPID --value container@ready.service)" "MAINPID= did not change the main PID"
# A process of the container that is not the payload's: refused, the unit still waits.
assert_ok tsd_run /usr/bin/nscontain exec -e NOTIFY_SOCKET=/run/host/notify ready -- /notify -l 500 READY=1 STATUS=forged
sleep 0.5
assert_eq "$(prop ready ActiveState)" activating "a READY=1 from an exec'd process is ignored"
assert_ne "$(prop ready StatusText)" forged "a STATUS= from an exec'd process is ignored"
retry 5 bash -c "nsenter -t $TSD_PID -a journalctl --sync; nsenter -t $TSD_PID -a journalctl -o cat -u container@ready.service | grep -q 'Refused a notification from pid .*: not a process of the payload'" ||
        fail "no refusal line for the exec'd sender: $(tsd_journal container@ready.service)"
# From the host, the socket's file: refused too.
tsd_run env NOTIFY_SOCKET=/run/nscontain/ready.notify "$ROOT/notify" -l 300 READY=1
sleep 0.3
assert_eq "$(prop ready ActiveState)" activating "a READY=1 from the host is ignored"
assert_ok tsd_run /usr/bin/nscontain exec ready -- touch /tmp/go
tsd_wait_state container@ready.service active 10 || fail "ready did not become active: $(tsd_status container@ready.service)"
assert_eq "$(prop ready StatusText)" "serving requests" "ready's StatusText"
assert_ok tsd_run systemctl stop container@ready.service
assert_fail tsd_run test -e /run/nscontain/ready.notify

step "RELOADING=1 and STOPPING=1 reach the unit"
tsd_run systemctl start container@lc.service || fail "start of lc failed: $(tsd_status container@lc.service)"
assert_ok tsd_run /usr/bin/nscontain exec lc -- touch /tmp/lc-1
tsd_wait_state container@lc.service reloading 10 || fail "lc is not reloading: $(tsd_status container@lc.service)"
assert_eq "$(prop lc StatusText)" reloading "lc's status while reloading"
assert_ok tsd_run /usr/bin/nscontain exec lc -- touch /tmp/lc-2
tsd_wait_state container@lc.service active 10 || fail "lc is not active after its reload: $(tsd_status container@lc.service)"
assert_eq "$(prop lc StatusText)" reloaded "lc's status after the reload"
assert_ok tsd_run /usr/bin/nscontain exec lc -- touch /tmp/lc-3
tsd_wait_state container@lc.service deactivating 10 || fail "STOPPING=1 did not make lc deactivating: $(tsd_status container@lc.service)"
tsd_run systemctl kill -s KILL container@lc.service
tsd_wait_state container@lc.service failed 15 || tsd_wait_state container@lc.service inactive 5 ||
        fail "lc did not end: $(tsd_status container@lc.service)"

step "WATCHDOG=1 keeps the unit alive; starving it fails it with Result: watchdog and restarts it"
tsd_run systemctl start container@wd.service || fail "start of wd failed: $(tsd_status container@wd.service)"
assert_eq "$(prop wd WatchdogUSec)" 2s "the unit's WatchdogSec="
sleep 5
assert_eq "$(prop wd ActiveState):$(prop wd NRestarts)" active:0 "fed for 5 s: still the first run"
tsd_assert_journal container@wd.service "usec=2000000" "\$WATCHDOG_USEC inside"
assert_ok tsd_run /usr/bin/nscontain exec wd -- touch /tmp/starve
retry 15 bash -c "[[ \$(nsenter -t $TSD_PID -a systemctl show -p NRestarts --value container@wd.service) -ge 1 ]]" ||
        fail "wd was not restarted after starving its watchdog: $(tsd_status container@wd.service)"
log=$(tsd_journal container@wd.service)
assert_contains "$log" "Watchdog timeout" "systemd's watchdog message"
assert_contains "$log" "Failed with result 'watchdog'" "Result: watchdog"
assert_contains "$log" "wd: The watchdog fired" "the helper's line"
tsd_wait_state container@wd.service active 10 || fail "wd is not active again: $(tsd_status container@wd.service)"
assert_ok tsd_run systemctl stop container@wd.service

step "EXTEND_TIMEOUT_USEC= from the payload extends the start timeout"
tsd_run systemctl start container@ext.service || fail "start of ext failed: $(tsd_status container@ext.service)"
assert_eq "$(prop ext ActiveState):$(prop ext StatusText)" active:ext-ready "ext is active after 4 s with a 2 s start timeout"
# The same payload without the extension: the 2 s timeout holds (so the check above is real).
assert_fail tsd_run systemctl start container@noext.service
assert_eq "$(prop noext Result)" timeout "noext failed on its start timeout"
assert_ok tsd_run systemctl stop container@ext.service

step "without notify the helper feeds the watchdog itself"
tsd_run systemctl start container@fed.service || fail "start of fed failed: $(tsd_status container@fed.service)"
sleep 3.5
assert_eq "$(prop fed ActiveState):$(prop fed NRestarts):$(prop fed Result)" active:0:success "fed by the helper for 3.5 s with WatchdogSec=1s"

test_done
