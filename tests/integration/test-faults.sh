#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Fault injection (lib/failpoint.h; needs a build with -Dfailpoints=true, as tests/run
# makes): the helper is SIGKILLed at every step of a default container's start (sidecar
# range, veth, idmapped root, binds), the sidecar in the middle of its calls and of its
# state write, and /var/lib/nscontain runs full. After each fault: the test system's
# mount table is what it was, no veth, machine or temp file is left once the sidecar
# has reconciled, the state file parses and holds either the old or the new facts
# (never part of them), every other container keeps its range and address, and the next
# start without the fault works.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_require
[[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set (run through meson test)"
[[ -x $NSC_BUILD_DIR/helper/nscontain-helper ]] || skip "the helper is not built"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"
[[ -x /usr/bin/dbus-daemon ]] || skip "dbus-daemon is not installed"
command -v jq >/dev/null || skip "jq is not installed"
command -v machinectl >/dev/null || skip "machinectl is not installed (systemd-container)"
[[ $(jq -r '.[] | select(.name == "failpoints") | .value' "$NSC_BUILD_DIR/meson-info/intro-buildoptions.json") == true ]] ||
        skip "built without -Dfailpoints=true (tests/run enables it)"

DEST=org.nscontain.Sidecar1
OBJ=/org/nscontain/Sidecar1
STATE_DIR=/var/lib/nscontain
STATE=$STATE_DIR/sidecar.state

tsd_init faults
ROOT=$(tsd_mkrootfs f)
DATA=$TSD_FIXDIR/data
mkdir -p "$DATA"
tsd_install
tsd_boot
tsd_run systemctl start dbus.socket

# The payload is PID 1 of its namespace: it traps the stop signal to stop at once.
UP="[\"/bin/sh\", \"-c\", \"trap 'exit 0' TERM; sleep 1000 \u0026 wait\"]"
config() {
        tsd_write "/etc/nscontain.d/$1.json" "{\"rootfs\": \"$ROOT\", \"command\": $UP,
                \"mounts\": [{\"type\": \"tmpfs\", \"target\": \"/tmp\"}, {\"source\": \"$DATA\", \"target\": \"/mnt\", \"readonly\": true}]}"
}
# fa gets the faults; fb runs all along and must keep everything; n* are new names.
for n in fa fb n1 n2 n3 n4 n5 n6 full1; do
        config "$n"
done
tsd_run systemctl daemon-reload

status_of() {
        tsd_run systemctl status --no-pager -l -n 30 "container@$1.service" 2>&1 || true
}
start() {
        tsd_run systemctl start "container@$1.service" || fail "start of $1 failed: $(status_of "$1")"
}
sc() { tsd_run busctl call "$DEST" "$OBJ" "$DEST" "$@"; }
# ListContainers as "name base address ifname" lines (ifname may be missing).
list() {
        sc ListContainers | tr ' ' '\n' | tail -n +3 | paste - - - - | tr -d '"'
}
# The mount table of the test system's PID 1, without the ids that change on remount.
mounts() {
        tsd_run cat /proc/1/mountinfo | awk '{ print $5, $9, $10, $6 }' | sort
}
veths() {
        tsd_run ip -o link show type veth | awk -F': ' '{ sub("@.*", "", $2); print $2 }' | sort
}
machines() {
        tsd_run machinectl list --no-legend --no-pager | awk '{ print $1 }' | sort
}
state() {
        tsd_run cat "$STATE"
}
# What the state directory holds: the state file only (no temp or damaged files).
state_dir_files() {
        tsd_run ls -A "$STATE_DIR" | sort | tr '\n' ' '
}
# The state file parses: each line a comment or a record, a final newline, no name
# twice, and the sidecar reads it without moving it aside.
state_parses() {
        local text
        text=$(tsd_run sh -c "cat $STATE; echo END")
        [[ $text == *$'\n'END ]] || fail "the state file does not end with a newline:"$'\n'"$text"
        text=${text%END}
        local bad
        bad=$(grep -vE '^(#.*|range [A-Za-z0-9_.-]+ [0-9]+ [0-9]+|address [A-Za-z0-9_.-]+ [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+|address6 [A-Za-z0-9_.-]+ [0-9a-f:]+|)$' <<<"$text" || true)
        assert_eq "$bad" "" "lines of the state file that are no record"
        assert_eq "$(awk '$1 == "range" { print $2 }' <<<"$text" | sort | uniq -d)" "" "a name with two ranges"
        assert_eq "$(awk '$1 == "range" { print $3 }' <<<"$text" | sort | uniq -d)" "" "a range handed out twice"
        assert_eq "$(awk '$1 == "address" { print $3 }' <<<"$text" | sort | uniq -d)" "" "an address handed out twice"
        assert_eq "$(awk '$1 == "address6" { print $3 }' <<<"$text" | sort | uniq -d)" "" "an IPv6 address handed out twice"
}
set_fault() { # UNIT SPEC: the unit's next start runs with $NSCONTAIN_FAILPOINT=SPEC
        tsd_write "/run/systemd/system/$1.d/90-failpoint.conf" "[Service]
Environment=NSCONTAIN_FAILPOINT=$2"
        tsd_run systemctl daemon-reload
}
clear_fault() {
        tsd_run rm -f "/run/systemd/system/$1.d/90-failpoint.conf"
        tsd_run systemctl daemon-reload
}
# Waits until UNIT is neither activating nor active, for a fault that ends it.
wait_down() {
        local i s
        for i in $(seq 300); do
                s=$(tsd_run systemctl is-active "$1" 2>/dev/null) || true
                [[ $s == inactive || $s == failed ]] && return 0
                sleep 0.1
        done
        fail "$1 is still '$s' 30s after the fault: $(tsd_run systemctl status --no-pager -n 20 "$1" 2>&1)"
}
sidecar_restart() {
        tsd_run systemctl reset-failed nscontain-sidecar.service 2>/dev/null || true
        tsd_run systemctl restart nscontain-sidecar.service
}
range_of() { list | awk -v n="$1" '$1 == n { print $2 }'; }
addr_of() { list | awk -v n="$1" '$1 == n { print $3 }'; }

step "baseline: fa started and stopped once, fb running"
start fa
tsd_run systemctl stop container@fa.service
start fb
# The sidecar, machined and the bridge exist now: what is there is the baseline.
sidecar_restart
MOUNTS0=$(mounts)
VETHS0=$(veths)
MACHINES0=$(machines)
assert_eq "$VETHS0" nsc-fb "veths with fb running"
assert_eq "$MACHINES0" fb "machines with fb running"
RANGE_FA=$(range_of fa)
ADDR_FA=$(addr_of fa)
RANGE_FB=$(range_of fb)
ADDR_FB=$(addr_of fb)
[[ -n $RANGE_FA && -n $ADDR_FA && -n $RANGE_FB && -n $ADDR_FB ]] || fail "no range or address: $(list)"
state_parses

# after_fault WHAT: nothing of fa's interrupted start is left, fb is untouched, and
# fa starts normally again with the range and address it always had.
after_fault() {
        local what=$1
        assert_eq "$(mounts)" "$MOUNTS0" "$what: the test system's mount table"
        sidecar_restart
        assert_eq "$(veths)" "$VETHS0" "$what: veths after the sidecar's reconcile"
        retry 10 sh -c "[ \"\$(nsenter -t $TSD_PID -a machinectl list --no-legend --no-pager | awk '{ print \$1 }')\" = fb ]" ||
                fail "$what: machines: $(machines)"
        assert_eq "$(list | awk '$1 == "fa" { print NF }')" 3 "$what: fa holds no interface in ListContainers"
        assert_eq "$(state_dir_files)" "sidecar.state " "$what: the state directory"
        state_parses
        assert_eq "$(range_of fa) $(addr_of fa)" "$RANGE_FA $ADDR_FA" "$what: fa's range and address"
        assert_eq "$(range_of fb) $(addr_of fb)" "$RANGE_FB $ADDR_FB" "$what: fb's range and address"
        assert_eq "$(tsd_run systemctl is-active container@fb.service)" active "$what: fb still runs"
        tsd_run systemctl reset-failed container@fa.service 2>/dev/null || true
        start fa
        assert_eq "$(veths | tr '\n' ' ')" "nsc-fa nsc-fb " "$what: fa's next start has its veth"
        tsd_run systemctl stop container@fa.service
        retry 10 sh -c "[ \"\$(nsenter -t $TSD_PID -n ip -o link show type veth | grep -c nsc-fa)\" = 0 ]" ||
                fail "$what: nsc-fa outlived its stop"
        assert_eq "$(mounts)" "$MOUNTS0" "$what: mount table after the next start and stop"
}

HELPER_POINTS=(
        helper:after-config helper:after-user-range helper:after-clone helper:after-maps
        helper:after-network child:before-mount child:after-root child:after-api-mounts
        child:after-binds child:after-pivot child:before-exec helper:after-ready
)
for p in "${HELPER_POINTS[@]}"; do
        step "the helper killed at $p"
        set_fault container@fa.service "$p"
        # Only a kill after READY=1 leaves a start that succeeded. A kill in the set-up
        # child closes its sync socket without the exec marker: a failed start too.
        if [[ $p == helper:after-ready ]]; then
                tsd_run systemctl start container@fa.service >/dev/null 2>&1 || true
        else
                assert_fail tsd_run systemctl start container@fa.service
        fi
        wait_down container@fa.service
        tsd_assert_journal container@fa.service "failpoint $p: kill" "$p reached"
        if [[ $p == child:* ]]; then
                tsd_assert_journal container@fa.service "fa: The container's setup process exited with status 137 before the exec" "$p: the helper says so"
        fi
        result=$(tsd_run systemctl show -P Result container@fa.service)
        assert_match "$result" '^[a-z-]+$' "$p: the unit's result"
        assert_ne "$result" success "$p: the unit's result"
        clear_fault container@fa.service
        after_fault "$p"
done

step "the set-up child SIGKILLed from outside (as by the OOM killer): the start fails and says so"
tsd_write "/run/systemd/system/container@fa.service.d/90-delay.conf" "[Service]
Environment=NSCONTAIN_FAILPOINT_SETUP_DELAY_MS=5000"
tsd_run systemctl daemon-reload
tsd_run systemctl start --no-block container@fa.service
child=
for i in $(seq 100); do
        main=$(tsd_run systemctl show -P MainPID container@fa.service)
        [[ $main != 0 ]] && child=$(tsd_run pgrep -P "$main") && [[ -n $child ]] && break
        sleep 0.05
done
[[ -n $child ]] || fail "no set-up child of container@fa.service"
tsd_run kill -9 "$child"
wait_down container@fa.service
assert_eq "$(tsd_run systemctl show -P Result container@fa.service)" exit-code "the unit's result"
tsd_assert_journal container@fa.service "fa: The container's setup process was killed by SIGKILL before the exec" "the helper says so"
tsd_run rm -f "/run/systemd/system/container@fa.service.d/90-delay.conf"
tsd_run systemctl daemon-reload
after_fault "a SIGKILLed set-up child"

# A new name's start through a sidecar that dies at POINT: the state file is the old
# one or the old one plus the new name's facts, and fa and fb keep theirs.
# sidecar_fault POINT NAME [HIT]: the sidecar dies the HIT-th time it reaches POINT (a
# new name's first state write is its range's, the second its addresses' (IPv4 and IPv6
# in one write).
sidecar_fault() {
        local point=$1 name=$2 hit=${3:-} before after added
        step "the sidecar killed at $point${hit:+ (hit $hit)} while $name starts"
        before=$(state)
        set_fault nscontain-sidecar.service "$point${hit:+@$hit}"
        tsd_run systemctl stop nscontain-sidecar.service
        assert_fail tsd_run systemctl start "container@$name.service"
        wait_down "container@$name.service"
        tsd_assert_journal nscontain-sidecar.service "failpoint $point: kill" "$point reached"
        tsd_assert_journal "container@$name.service" "nscontain-sidecar" "$name: the helper says what failed"
        clear_fault nscontain-sidecar.service
        after=$(state)
        added=$(diff <(grep -v '^#' <<<"$before") <(grep -v '^#' <<<"$after") | sed -n 's/^> //p' | awk '{ print $1, $2 }' | sort -u || true)
        # No line lost or changed, and what is new belongs to NAME only.
        assert_eq "$(diff <(grep -v '^#' <<<"$before") <(grep -v '^#' <<<"$after") | grep -c '^<' || true)" 0 \
                "$point: lines lost from the state file"
        case $added in
        "" | "range $name" | "address $name"$'\n'"address6 $name" | \
                "address $name"$'\n'"address6 $name"$'\n'"range $name") ;;
        *) fail "$point: the state file gained '$added'" ;;
        esac
        echo "   state after the kill: ${added:-unchanged}" >&2
        KEPT_RANGE=$(awk -v n="$name" '$1 == "range" && $2 == n { print $3 }' <<<"$after")
        tsd_run systemctl reset-failed "container@$name.service" 2>/dev/null || true
        after_fault "$point"
        # The next start works and keeps a range that was already saved.
        start "$name"
        if [[ -n $KEPT_RANGE ]]; then
                assert_eq "$(range_of "$name")" "$KEPT_RANGE" "$point: $name keeps the range saved before the kill"
        fi
        tsd_run systemctl stop "container@$name.service"
        state_parses
}
sidecar_fault sidecar:after-alloc n1
sidecar_fault sidecar:before-state-write n2
sidecar_fault write-atomic:before-rename n3
sidecar_fault sidecar:after-state-write n4
sidecar_fault sidecar:after-veth-create n5
sidecar_fault write-atomic:before-rename n6 2

step "a state write that fails (error=EIO) answers with an error and keeps the old state"
before=$(state)
set_fault nscontain-sidecar.service sidecar:before-state-write:error=EIO
tsd_run systemctl stop nscontain-sidecar.service
out=$(sc AcquireUserRange su eio 0 2>&1) && fail "AcquireUserRange succeeded: $out"
assert_contains "$out" "Input/output error" "the caller learns why"
assert_eq "$(state)" "$before" "state after the failed write"
assert_eq "$(tsd_run systemctl is-active nscontain-sidecar.service)" active "the sidecar lives on"
assert_eq "$(range_of eio)" "" "no range for eio"
clear_fault nscontain-sidecar.service
tsd_run systemctl stop nscontain-sidecar.service

step "a full /var/lib/nscontain: a clear error, the old state intact"
before=$(state)
tsd_run systemctl stop nscontain-sidecar.service
tsd_run mount -t tmpfs -o size=64k,mode=0700 nscontain-full "$STATE_DIR"
tsd_write "$STATE" "${before}"
tsd_run chmod 0600 "$STATE"
assert_eq "$(state)" "$before" "state copied onto the small tmpfs"
# Fill every block: the next write of any size fails with ENOSPC.
tsd_run sh -c "dd if=/dev/zero of=$STATE_DIR/filler bs=4k 2>/dev/null; true"
assert_fail tsd_run sh -c "echo x >$STATE_DIR/probe-write"
tsd_run rm -f "$STATE_DIR/probe-write"
# An existing container changes nothing in the state: it starts.
tsd_run systemctl restart container@fb.service
assert_eq "$(range_of fb) $(addr_of fb)" "$RANGE_FB $ADDR_FB" "fb with the disk full"
assert_fail tsd_run systemctl start container@full1.service
wait_down container@full1.service
lines=$(tsd_journal container@full1.service | grep -i 'no space' || true)
echo "   helper: $lines" >&2
assert_eq "$(wc -l <<<"$lines")" 1 "one line of the helper names the problem"
assert_contains "$lines" "No space left on device" "the helper's line"
assert_contains "$lines" "full1" "the helper's line names the container"
tsd_assert_journal nscontain-sidecar.service "Failed to write $STATE: No space left on device" \
        "the sidecar names the file"
assert_eq "$(state)" "$before" "the old state is intact"
assert_eq "$(state_dir_files)" "filler sidecar.state " "no temp file left on the full disk"
tsd_run systemctl stop nscontain-sidecar.service
tsd_run umount "$STATE_DIR"
tsd_run systemctl reset-failed container@full1.service
assert_eq "$(state)" "$before" "the state under the tmpfs"
start full1
[[ -n $(range_of full1) ]] || fail "full1 has no range once the disk has room"
tsd_run systemctl stop container@full1.service
assert_eq "$(range_of fb) $(addr_of fb)" "$RANGE_FB $ADDR_FB" "fb after the full disk"
state_parses
tsd_run systemctl stop container@fb.service
retry 10 sh -c "[ -z \"\$(nsenter -t $TSD_PID -n ip -o link show type veth)\" ]" ||
        fail "veths left: $(veths)"

test_done
