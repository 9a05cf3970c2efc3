#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The test harness itself (tests/lib/testsystemd.sh): the booted systemd is real and
# usable, the overlay keeps the host unchanged, and nothing (mount, process, cgroup,
# directory) survives a test that ends normally, by signal, or by SIGKILL.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_require

# Mount points of the host, to compare at the end.
host_mounts() {
        awk '{ print $5, $9, $10 }' /proc/self/mountinfo | sort
}
mounts_before=$(host_mounts)

# A child test that boots, records what it made, and then ends in the way $1 says.
# Sets child_pid (not via $(...): the child must be ours to wait for).
child_test() {
        local how=$1 out=$2
        NSC_SOURCE_DIR=$NSC_SOURCE_DIR bash -c '
                set -eu
                . "$NSC_SOURCE_DIR/tests/lib/lib.sh"
                . "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"
                tsd_init child-'"$how"'
                tsd_boot 2>/dev/null
                tsd_mkrootfs r >/dev/null
                echo "$TSD_DIR $TSD_PID $TSD_CGROUP $TSD_FIXDIR" >'"$out"'
                case '"$how"' in
                exit) exit 0 ;;
                fail) exit 3 ;;
                # A signal trap runs only between commands: wait, not sleep.
                term) sleep 60 & sp=$!; trap "kill $sp; exit 143" TERM; wait ;;
                kill) exec sleep 60 ;;
                esac' 2>>"$TSD_DIR/children.log" &
        child_pid=$!
}

# Waits until the child wrote its record, then returns it.
child_record() {
        local out=$1 i
        for i in $(seq 300); do
                [[ -s $out ]] && cat "$out" && return 0
                sleep 0.1
        done
        fail "child test did not boot"
}

check_gone() {
        local what=$1 dir=$2 pid=$3 cg=$4 fix=$5
        local i
        for i in $(seq 100); do
                [[ ! -e $dir && ! -e /proc/$pid && ! -e $cg ]] && break
                sleep 0.05
        done
        assert_eq "$([[ -e $dir ]] && echo present || echo gone)" gone "$what: test dir $dir"
        assert_eq "$([[ -e /proc/$pid ]] && echo alive || echo gone)" gone "$what: systemd pid $pid"
        assert_eq "$([[ -e $cg ]] && echo present || echo gone)" gone "$what: cgroup $cg"
        assert_eq "$([[ -e $fix ]] && echo present || echo gone)" gone "$what: fixture dir $fix"
        assert_eq "$(host_mounts)" "$mounts_before" "$what: host mounts"
}

step "boot a test systemd"
tsd_init
tsd_write /etc/tsd-before-boot "written before boot"
if [[ -n $NSC_BUILD_DIR ]]; then
        tsd_install
fi
tsd_boot

step "it is a real systemd as PID 1 of its own namespaces"
assert_eq "$(tsd_run cat /proc/1/comm)" systemd "PID 1 inside"
assert_match "$(tsd_run systemctl is-system-running || true)" '^(running|degraded)$' "system state"
assert_contains "$(tr '\0' '\n' </proc/$TSD_PID/environ)" "container=nscontain-test" "PID 1 environment"
for ns in pid net mnt; do
        inside=$(readlink "/proc/$TSD_PID/ns/$ns" || true)
        assert_match "$inside" "^$ns:\[[0-9]+\]\$" "$ns namespace of the test system"
        assert_ne "$inside" "$(readlink "/proc/self/ns/$ns")" "$ns namespace"
done
assert_eq "$(tsd_run sed -n 's/^0:://p' /proc/self/cgroup)" / "tsd_run's cgroup inside"

step "overlay root, fixture dir on its real filesystem"
assert_eq "$(tsd_run stat -f -c %T /)" overlayfs "root filesystem type"
assert_eq "$(tsd_run stat -f -c %T "$TSD_FIXTURES")" "$(stat -f -c %T "$TSD_FIXTURES")" "fixture dir type"
assert_eq "$(tsd_run readlink /lib)" usr/lib "/lib is still the merged-/usr symlink"
if [[ -n $NSC_BUILD_DIR ]]; then
        # The install went where it should without the harness moving anything.
        assert_eq "$(cat "$TSD_DIR/install-fixups" 2>/dev/null)" "" "files installed to broken directories"
        assert_ok tsd_run test -f /usr/lib/systemd/system/container@.service
        assert_ok tsd_run test -f /usr/lib/tmpfiles.d/nscontain.conf
        assert_ok tsd_run test -d /var/lib/nscontain
fi

step "a busybox root in the fixture area, usable inside"
rootfs=$(tsd_mkrootfs bb)
assert_eq "$(stat -f -c %T "$rootfs")" "$(stat -f -c %T "$TSD_FIXTURES")" "rootfs filesystem"
assert_eq "$(tsd_run chroot "$rootfs" /bin/sh -c 'id app')" \
        "uid=1000(app) gid=1000(app) groups=1000(app),50(staff),100(users)" "app user in the rootfs"
assert_eq "$(tsd_run chroot "$rootfs" /bin/readlink /bin/sh)" /bin/busybox "applet link"
# Tests may change their copy: the cached tree stays as it was.
tsd_run rm "$rootfs/bin/ls"
rootfs2=$(tsd_mkrootfs bb2)
assert_ok test -L "$rootfs2/bin/ls"

step "files written before and after boot are seen inside, not on the host"
assert_eq "$(tsd_run cat /etc/tsd-before-boot)" "written before boot"
tsd_write /etc/tsd-after-boot "written after boot"
assert_eq "$(tsd_run cat /etc/tsd-after-boot)" "written after boot"
echo "from stdin" | tsd_write /etc/tsd-stdin
assert_eq "$(tsd_run cat /etc/tsd-stdin)" "from stdin"
tsd_cp_in /etc/os-release /root/copied-os-release
assert_eq "$(tsd_run cat /root/copied-os-release)" "$(cat /etc/os-release)"
assert_eq "$([[ -e /etc/tsd-before-boot || -e /etc/tsd-after-boot ]] && echo leaked || echo clean)" clean \
        "host /etc"

step "units run and log to the test journal"
marker="tsd-marker-$RANDOM$RANDOM"
assert_ok tsd_run systemd-run --wait --quiet --unit=tsd-echo.service echo "$marker"
tsd_assert_journal tsd-echo.service "$marker" "journal of tsd-echo"

step "dbus and machined answer"
assert_ok tsd_run busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus GetId
assert_ok tsd_run busctl call org.freedesktop.machine1 /org/freedesktop/machine1 \
        org.freedesktop.machine1.Manager ListMachines
assert_eq "$(tsd_run systemctl is-active systemd-machined.service)" active

step "a child test that exits cleanly leaves nothing"
rec=$TSD_DIR/child-exit
child_test exit "$rec"
pid=$child_pid
read -r cdir cpid ccg cfix <<<"$(child_record "$rec")"
wait "$pid" || true
check_gone "exit" "$cdir" "$cpid" "$ccg" "$cfix"

step "a failing child test leaves nothing"
rec=$TSD_DIR/child-fail
child_test fail "$rec"
pid=$child_pid
read -r cdir cpid ccg cfix <<<"$(child_record "$rec")"
rc=0
wait "$pid" || rc=$?
assert_eq "$rc" 3 "child's own exit status"
check_gone "fail" "$cdir" "$cpid" "$ccg" "$cfix"

step "a child test ended by SIGTERM leaves nothing"
rec=$TSD_DIR/child-term
child_test term "$rec"
pid=$child_pid
read -r cdir cpid ccg cfix <<<"$(child_record "$rec")"
kill -TERM "$pid"
wait "$pid" || true
check_gone "SIGTERM" "$cdir" "$cpid" "$ccg" "$cfix"

step "a SIGKILLed child test is swept by the next test"
rec=$TSD_DIR/child-kill
child_test kill "$rec"
pid=$child_pid
read -r cdir cpid ccg cfix <<<"$(child_record "$rec")"
# The child goes without running its trap; its systemd stays until someone sweeps.
disown "$pid"
kill -KILL "$pid"
assert_ok test -d "$cdir"
assert_ok test -e "/proc/$cpid"
NSC_SOURCE_DIR=$NSC_SOURCE_DIR bash -c '
        . "$NSC_SOURCE_DIR/tests/lib/lib.sh"
        . "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"
        tsd_init sweeper'
check_gone "SIGKILL" "$cdir" "$cpid" "$ccg" "$cfix"

test_done
