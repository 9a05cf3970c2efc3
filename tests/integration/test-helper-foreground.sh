#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# nscontain-helper --config run by hand, outside systemd (no test system booted): the
# container runs in the foreground with the payload's exit code, registers nowhere, and
# leaves the host as it was -- in particular a container without a cgroup namespace,
# which sees the host's cgroup2 hierarchy, must not reset that hierarchy's global
# options (a fresh cgroup2 mount made from the initial cgroup namespace applies its
# own, empty, options to the one hierarchy: systemd's nsdelegate would be gone).
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_setup helper busybox
# The initial cgroup namespace has a fixed inode number (PROC_CGROUP_INIT_INO).
[[ $(readlink /proc/self/ns/cgroup) == "cgroup:[4026531835]" ]] ||
        skip "not in the initial cgroup namespace: the global cgroup2 options cannot be observed"
HELPER=$NSC_BUILD_DIR/helper/nscontain-helper
ROOT=$(tsd_mkrootfs root)

conf() { # conf NAME JSON-MEMBERS [NAMESPACES]: a config with ROOT, no user namespace
        cat >"$TSD_FIXDIR/$1.json" <<EOF
{"rootfs": "$ROOT", "namespaces": {"user": false ${3:+, $3}}, "network": {"mode": "none"}, $2}
EOF
}
# run NAME: the helper in the foreground, as from a login shell (not a systemd service).
run() {
        env -u INVOCATION_ID -u NOTIFY_SOCKET "$HELPER" --config "$TSD_FIXDIR/$1.json" "$1" \
                >"$TSD_FIXDIR/$1.out" 2>"$TSD_FIXDIR/$1.err"
}
# The global options of the cgroup2 hierarchy, as every cgroup2 mount shows them.
cg2_mount() { # the first cgroup2 mount's point and super options (after the "-" field)
        awk '{ for (i = 7; i < NF; i++) if ($i == "-") break; if ($(i + 1) == "cgroup2") { print $5, $(i + 3); exit } }' /proc/self/mountinfo
}
cg2_options() {
        cg2_mount | cut -d' ' -f2
}

step "the payload's output and exit code, in the foreground"
conf hello '"command": ["sh", "-c", "echo hello from $(hostname); exit 3"]'
assert_exit 3 run hello
assert_eq "$(cat "$TSD_FIXDIR/hello.out")" "hello from hello" "the payload's output"
conf init '"init": true, "command": ["sh", "-c", "sleep 0.2 & exit 4"]'
assert_exit 4 run init
# (Under the init: the kernel ignores a SIGKILL that PID 1 of a namespace sends itself.)
conf killed '"init": true, "command": ["sh", "-c", "kill -9 $$"]'
assert_exit 137 run killed

step "outside a systemd service the container is not registered with machined"
conf quiet '"command": ["true"]'
assert_exit 0 run quiet
assert_eq "$(cat "$TSD_FIXDIR/quiet.err")" "" "what the helper said"

step "without a cgroup namespace the host's cgroup2 options stay as they are"
before=$(cg2_options)
[[ -n $before ]] || skip "no cgroup2 hierarchy is mounted"
# Observable only when the hierarchy has an option a fresh mount would drop: if the
# host has no nsdelegate, set it for the duration of this step (as systemd does) and
# put the options back afterwards.
mnt=$(cg2_mount | cut -d' ' -f1)
remount() { unshare -m --propagation private mount -t cgroup2 -o "remount,$1" none "$mnt"; }
if [[ ,$before, != *,nsdelegate,* ]]; then
        trap 'remount "$before" || true; tsd_cleanup' EXIT
        remount "$before,nsdelegate"
fi
with=$(cg2_options)
assert_contains ",$with," ",nsdelegate," "the options the host has now"
conf nocgns '"command": ["sh", "-c", "cat /proc/self/mountinfo; touch /sys/fs/cgroup/x"]' '"cgroup": false'
assert_exit 1 run nocgns
assert_eq "$(cg2_options)" "$with" "the cgroup2 options after a container without a cgroup namespace"
assert_contains "$(cat "$TSD_FIXDIR/nocgns.err")" "Read-only file system" "/sys/fs/cgroup in the container"
assert_match "$(awk '$5 == "/sys/fs/cgroup" { print $6 }' "$TSD_FIXDIR/nocgns.out")" '^ro,' "/sys/fs/cgroup mount flags"
conf cgns '"command": ["true"]'
assert_exit 0 run cgns
assert_eq "$(cg2_options)" "$with" "the cgroup2 options after a container with a cgroup namespace"
if [[ ,$before, != *,nsdelegate,* ]]; then
        remount "$before"
        assert_eq "$(cg2_options)" "$before" "the host's options put back"
fi

test_done
