#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The sidecar's uid ranges coexist with other tools: a new range never overlaps an
# /etc/subuid or /etc/subgid entry (here a large one) nor a systemd-nspawn lock
# (/run/systemd/nspawn-uid/BASE). A range given out before another tool claimed part
# of it is kept (the container's files are owned by it) and the overlap is reported:
# in the sidecar's log at each start and by "nscontain status".
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_setup helper cli busybox dbus
ROOT=$(tsd_mkrootfs r)
tsd_install
for n in a b; do
        tsd_write "/etc/nscontain.d/$n.json" "{\"rootfs\": \"$ROOT\", \"command\": [\"sleep\", \"1000\"], \"init\": true,
                \"network\": {\"mode\": \"none\"}}"
done
tsd_boot
tsd_run systemctl start dbus.socket
tsd_run systemctl daemon-reload

start() {
        tsd_run systemctl start "container@$1.service" || fail "start of $1: $(tsd_status "container@$1.service")"
}
# "BASE" of NAME's range as the kernel has it.
base_of() {
        local pid
        pid=$(tsd_run systemctl show -P MainPID "container@$1.service")
        pid=$(tsd_run cat "/proc/$pid/task/$pid/children")
        tsd_run awk '{ print $2 }' "/proc/${pid%% *}/uid_map"
}
# Forget every lease: the next start allocates again, from the same hint per name.
forget() {
        tsd_run systemctl stop container@a.service container@b.service nscontain-sidecar.service
        tsd_run rm -f /var/lib/nscontain/sidecar.state
}

step "where a and b go on an empty host"
start a
start b
A0=$(base_of a)
B0=$(base_of b)
echo "   a: $A0, b: $B0" >&2
forget

step "/etc/subuid holds a large range over a's, an nspawn lock sits on b's"
SUB_FIRST=$((A0 > 0x1000000 + 0x80000 ? A0 - 0x1000000 : 0x80000))
SUB_COUNT=$((A0 + 0x1000000 - SUB_FIRST))
tsd_write /etc/subuid "alice:$SUB_FIRST:$SUB_COUNT"
tsd_run mkdir -p /run/systemd/nspawn-uid
tsd_run touch "/run/systemd/nspawn-uid/$B0"
start a
start b
A1=$(base_of a)
B1=$(base_of b)
echo "   a: $A1, b: $B1" >&2
((A1 + 65535 < SUB_FIRST || A1 >= SUB_FIRST + SUB_COUNT)) ||
        fail "a got $A1, inside /etc/subuid's $SUB_FIRST+$SUB_COUNT"
assert_ne "$B1" "$B0" "b's range moved off the nspawn lock"
((B1 + 65535 < SUB_FIRST || B1 >= SUB_FIRST + SUB_COUNT)) || fail "b got $B1, inside /etc/subuid's range"
assert_eq $((A1 % 65536)) 0 "a aligned"

step "a range claimed later by another tool: kept, and reported"
tsd_write /etc/subgid "bob:$A1:65536"
tsd_run systemctl restart container@a.service
assert_eq "$(base_of a)" "$A1" "a keeps its range"
sidecar_logged() { [[ $(tsd_journal nscontain-sidecar.service) == *"$1"* ]]; }
retry 5 sidecar_logged "overlaps $A1-" || true
tsd_assert_journal nscontain-sidecar.service \
        "The range 0x$(printf %08x "$A1")+65536 of a overlaps $A1-$((A1 + 65535)) of /etc/subgid: bob" \
        "the sidecar's log"
assert_contains "$(tsd_run nscontain status --no-pager a)" "overlaps $A1-$((A1 + 65535)) of /etc/subgid: bob" \
        "nscontain status"
assert_not_contains "$(tsd_run nscontain status --no-pager b)" "overlaps" "nscontain status of b"

test_done
