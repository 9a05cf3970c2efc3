#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "boot": true end to end (helper/boot.c, issue 6): a Debian root (tests/lib/mkdebian.sh)
# booted with its own systemd as PID 1, with the default user namespace (a range from
# the sidecar) and the default veth network. Checks systemd's container interface from
# inside ($container, $container_uuid, /run/host/*, /dev/console, the delegated cgroup,
# /proc/sys/net), that "systemctl start" returns only once the inner system is up, that
# the inner system is running with no failed unit, that its journal has entries and its
# console reaches the unit's journal, that machined knows it ("machinectl shell" and
# "machinectl login" work), that "nscontain exec" runs in it (payload/init.scope), that
# "systemctl stop" shuts it down cleanly well inside the timeout, and that an inner
# "systemctl reboot" restarts the unit.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper cli dbus machined
# The Debian image is made once (minutes) and cached; each run boots a private copy.
rc=0
ROOT=$("$TSD_LIBDIR/mkdebian.sh" "$TSD_FIXDIR/debian") || rc=$?
if ((rc == 77)); then
        exit 77 # mkdebian.sh said "skipped: …"
fi
((rc == 0)) || fail "mkdebian.sh failed ($rc)"
[[ $(stat -f -c %T "$ROOT") != overlayfs ]] || skip "$ROOT is on overlayfs, which refuses idmapped mounts"

tsd_install
tsd_boot
tsd_run systemctl start dbus.socket

U=container@deb.service
tsd_write /etc/nscontain.d/deb.json "{\"rootfs\": \"$ROOT\", \"boot\": true}"
tsd_run systemctl daemon-reload

status_of() { tsd_status "$U" 40; }
# The container's PID 1 (the helper's child), as machined knows it.
leader() {
        tsd_run machinectl show -p Leader --value deb
}
# Runs CMD in the container (all its namespaces, as its root), PATH of the image.
inside() {
        local pid
        pid=$(tsd_run sh -c "cat /sys/fs/cgroup/machine.slice/$U/payload/init.scope/cgroup.procs 2>/dev/null ||
                             cat /sys/fs/cgroup/machine.slice/$U/payload/cgroup.procs" | head -1)
        [[ -n $pid ]] || fail "no container PID 1 found"
        tsd_run nsenter -t "$pid" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin SYSTEMD_PAGER= "$@"
}

step "what boot refuses"
tsd_write /etc/nscontain.d/nouserns.json "{\"rootfs\": \"$ROOT\", \"boot\": true, \"namespaces\": {\"user\": false}}"
tsd_run systemctl daemon-reload
assert_fail tsd_run systemctl start container@nouserns.service
assert_eq "$(tsd_run systemctl show -p ExecMainStatus --value container@nouserns.service)" 125 "boot without userns"
tsd_assert_journal container@nouserns.service '"boot": true needs a user namespace' "why"

step "start: returns once the inner system is up"
t0=${EPOCHREALTIME/[.,]/}
tsd_run timeout 120 systemctl start "$U" || fail "start failed: $(status_of)"
t1=${EPOCHREALTIME/[.,]/}
step "started in $(((t1 - t0) / 1000)) ms"
assert_eq "$(tsd_run systemctl is-active "$U")" active "unit state after start"
# READY=1 came from the inner systemd: its boot transaction was done before "start"
# returned, so it is not "starting" any more.
state=$(inside systemctl is-system-running 2>&1) || true
[[ $state == running || $state == degraded ]] || fail "inner system is '$state' right after start: $(status_of)"
state=$(inside systemctl is-system-running --wait 2>&1) || true
failed=$(inside systemctl list-units --failed --no-legend --plain 2>&1) || true
[[ $state == running ]] || fail "inner system is '$state'; failed units: $failed"
assert_eq "$failed" "" "failed units inside"

step "the container interface"
pid1_env=$(inside cat /proc/1/environ | tr '\0' '\n')
assert_contains "$pid1_env" "container=nscontain" "\$container of the inner PID 1"
uuid=$(sed -n 's/^container_uuid=//p' <<<"$pid1_env")
assert_match "$uuid" '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "\$container_uuid"
assert_eq "$(inside cat /run/host/container-uuid)" "$uuid" "/run/host/container-uuid"
assert_eq "$(inside cat /run/host/container-manager)" nscontain "/run/host/container-manager"
assert_eq "$(inside cat /run/host/os-release)" "$(tsd_run cat /etc/os-release)" "/run/host/os-release"
assert_eq "$(inside cat /run/systemd/container)" nscontain "what the inner systemd detected"
assert_eq "$(inside systemd-detect-virt -c)" container-other "systemd-detect-virt"
# The inner machine id is the container's UUID (the image has none), which is also
# the id machined has for it.
assert_eq "$(inside cat /etc/machine-id)" "${uuid//-/}" "inner machine id"
assert_eq "$(tsd_run machinectl show -p Id --value deb)" "${uuid//-/}" "machined's id"
assert_fail inside sh -c 'echo x >/run/host/container-manager'
# /dev/console is a pty of the container's own devpts.
assert_match "$(inside stat -c '%t:%T' /dev/console)" '^88:' "/dev/console major (136 = pts)"
# Tmpfs /run and /tmp.
assert_eq "$(inside stat -f -c %T /run)" tmpfs "/run"
assert_eq "$(inside stat -f -c %T /tmp)" tmpfs "/tmp"
# /proc/sys: net/ writable (private netns), the rest read-only.
assert_ok inside sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
assert_fail inside sh -c 'echo 1 >/proc/sys/kernel/domainname'
# Its own user namespace from the sidecar's range, and the veth network.
assert_match "$(inside cat /proc/self/uid_map)" '^ +0 +[0-9]+ +65536$' "uid map"
assert_match "$(inside cat /proc/self/uid_map | awk '{print $2}')" '^[1-9][0-9]*$' "uid base (not 0)"
assert_match "$(inside cat /sys/class/net/eth0/operstate)" 'up|unknown' "eth0"

step "the delegated cgroup"
cg=/sys/fs/cgroup/machine.slice/$U
# (nsenter joins the cgroup namespace, not a cgroup: look at PID 1's.)
assert_eq "$(inside cat /proc/1/cgroup | grep '^0::')" "0::/init.scope" "cgroup namespace root"
# The inner systemd made its own tree below payload/; the helper is in supervisor/.
assert_ok tsd_run test -d "$cg/payload/init.scope"
assert_ok tsd_run test -d "$cg/payload/system.slice"
assert_eq "$(tsd_run cat "$cg/supervisor/cgroup.procs")" "$(tsd_run systemctl show -p MainPID --value "$U")" "supervisor/"
assert_eq "$(tsd_run cat "$cg/cgroup.procs")" "" "no process in the unit's own cgroup"
status=$(status_of)
assert_match "$status" "─payload" "systemctl status shows payload"
assert_contains "$status" "init.scope" "systemctl status shows the inner init.scope"
assert_contains "$status" "systemd-journald" "systemctl status shows the inner journald"
# Nothing above payload/ is writable from inside: its cgroupfs root is payload/.
assert_fail inside sh -c 'echo 1 >/sys/fs/cgroup/cgroup.max.depth'

step "journal inside, console in the unit's journal"
n=$(inside journalctl --no-pager -q -o cat | wc -l)
((n > 10)) || fail "the inner journal has $n lines"
assert_contains "$(inside journalctl --no-pager -q -o cat -u systemd-journald.service)" "Journal started" "inner journald"
host_log=$(tsd_journal "$U")
assert_contains "$host_log" "Welcome to Debian" "the console's boot banner in the unit's journal"
assert_not_contains "$host_log" $'\e[' "escape sequences in the unit's journal"

step "machinectl"
assert_contains "$(tsd_run machinectl list --no-legend)" deb "machinectl list"
out=$(tsd_run timeout 30 machinectl shell deb /bin/sh -c 'echo shell-in-$(cat /run/host/container-manager)' 2>&1) ||
        fail "machinectl shell failed: $out"
assert_contains "$out" "shell-in-nscontain" "machinectl shell"
# login: machined opens a pty in the container and its getty prompts on it.
if command -v script >/dev/null; then
        # Killed from outside after a few seconds: login waits for a user name.
        out=$(timeout -k 1 8 nsenter -t "$TSD_PID" -a env TERM=dumb script -qec "machinectl login deb" /dev/null \
                </dev/null 2>&1 | tr -d '\r') || true
        assert_contains "$out" "login:" "machinectl login shows the container's login prompt"
fi

step "nscontain exec"
NSC=/usr/bin/nscontain
# The command runs in the container's namespaces: its systemd answers, its hostname
# and uid map are the container's, and the exit code comes through.
out=$(tsd_run timeout 30 "$NSC" exec deb -- /bin/sh -c \
        'cat /run/host/container-manager; systemctl is-system-running; hostname; cat /proc/self/uid_map' \
        2>&1) || fail "nscontain exec failed: $out"
mapfile -t lines <<<"$out"
assert_eq "${lines[0]}" nscontain "exec sees the container's /run/host"
assert_eq "${lines[1]}" running "exec reaches the inner systemd"
assert_eq "${lines[2]}" "$(inside hostname)" "exec's hostname"
assert_eq "$(tr -s ' ' <<<"${lines[3]}")" "$(inside cat /proc/self/uid_map | tr -s ' ')" "exec's uid map"
assert_match "${lines[3]}" '^ +0 +[1-9][0-9]* +65536$' "the container's uid range"
assert_exit 7 tsd_run "$NSC" exec deb -- /bin/sh -c 'exit 7'
assert_exit 127 tsd_run "$NSC" exec deb -- /no/such/command
# The unit's own cgroup must hold no process (the inner systemd owns payload/): the
# command goes to payload/init.scope, the cgroup of the container's PID 1.
tsd_run sh -c "$NSC exec deb -- /bin/sleep 271828 </dev/null >/dev/null 2>&1 &"
pid=
for i in $(seq 100); do
        for p in $(tsd_run cat "$cg/payload/init.scope/cgroup.procs"); do
                [[ $(tsd_run cat "/proc/$p/cmdline" 2>/dev/null | tr '\0' ' ') == "/bin/sleep 271828 " ]] && pid=$p
        done
        [[ -n $pid ]] && break
        sleep 0.1
done
[[ -n $pid ]] || fail "the exec'd command is not in payload/init.scope: $(tsd_run cat "$cg/payload/init.scope/cgroup.procs")"
assert_eq "$(tsd_run cat "$cg/cgroup.procs")" "" "no process in the unit's own cgroup during exec"
assert_eq "$(tsd_run sed -n 's/^0:://p' "/proc/$pid/cgroup")" "/machine.slice/$U/payload/init.scope" "exec's cgroup"
assert_eq "$(tsd_run readlink "/proc/$pid/ns/pid")" "$(tsd_run readlink "/proc/$(leader)/ns/pid")" "exec's pid namespace"
tsd_run kill "$pid"

step "stop: a clean inner shutdown"
t0=${EPOCHREALTIME/[.,]/}
tsd_run systemctl stop "$U"
t1=${EPOCHREALTIME/[.,]/}
ms=$(((t1 - t0) / 1000))
step "stopped in $ms ms"
((ms < 8000)) || fail "stop took $ms ms (stop_timeout 10s)"
assert_eq "$(tsd_run systemctl show -p Result --value "$U")" success "Result after stop"
assert_eq "$(tsd_run systemctl show -p ExecMainStatus --value "$U")" 0 "ExecMainStatus after stop"
host_log=$(tsd_journal "$U")
assert_contains "$host_log" "powered off" "the helper saw the inner power-off"
assert_contains "$host_log" "Reached target" "the inner shutdown on the console"
assert_not_contains "$host_log" "did not stop within" "no SIGKILL"

step "inner reboot restarts the unit"
tsd_run systemctl start "$U" || fail "second start failed: $(status_of)"
before=$(tsd_run systemctl show -p NRestarts --value "$U")
old=$(tsd_run systemctl show -p MainPID --value "$U")
inside systemctl reboot || true
for i in $(seq 600); do
        now=$(tsd_run systemctl show -p NRestarts --value "$U")
        [[ $now != "$before" ]] && break
        sleep 0.1
done
assert_eq "$now" "$((before + 1))" "NRestarts after an inner reboot"
tsd_wait_state "$U" active 60 || fail "not active again after the reboot: $(status_of)"
new=$(tsd_run systemctl show -p MainPID --value "$U")
assert_match "$new" '^[1-9][0-9]*$' "the helper's pid after the reboot"
assert_ne "$new" "$old" "a new helper"
state=$(inside systemctl is-system-running --wait 2>&1) || true
[[ $state == running ]] || fail "inner system is '$state' after the reboot"
tsd_assert_journal "$U" "rebooted" "the helper saw the inner reboot"
tsd_run systemctl stop "$U"
assert_eq "$(tsd_run systemctl show -p Result --value "$U")" success "Result after the last stop"

test_done
