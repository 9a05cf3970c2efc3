#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The shipped template and the generator's drop-ins, as the booted systemd loads them:
# configs in /etc/nscontain.d become container@NAME units carrying the config's
# resources, restart policy and dependencies; autostart ones hang off machines.target
# (at boot too); every generated unit passes systemd-analyze verify; a broken config
# is reported in the journal and does not stop the others.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup busybox

# Names unique to this run: journald in the test systemd reads the host's kernel ring
# buffer from its start, so a fixed name could match an earlier run's message.
sfx=$RANDOM$RANDOM
web=web-$sfx
worker=worker-$sfx
early=early-$sfx
broken=broken-$sfx

show() {
        tsd_run systemctl show -p "$2" --value "container@$1.service"
}

tsd_install
rootfs=$(tsd_mkrootfs rootfs)

# Present at boot: the generator runs before any unit starts, autostart is honoured.
tsd_write "/etc/nscontain.d/$early.json" "{
  \"rootfs\": \"$rootfs\",
  \"command\": [\"/bin/sleep\", \"1000\"],
  \"network\": {\"mode\": \"none\"},
  \"autostart\": true
}"

step "boot with $early.json in place"
tsd_boot

step "the template as installed"
unit=$(tsd_run systemctl cat "container@$early.service")
# Debian's search path names /lib/systemd/system (a symlink to usr/lib) first.
assert_match "$unit" "# (/usr)?/lib/systemd/system/container@\.service" "template location"
assert_eq "$(show "$early" Type)" notify
assert_eq "$(show "$early" NotifyAccess)" main
assert_eq "$(show "$early" KillMode)" mixed
assert_eq "$(show "$early" Delegate)" yes
assert_eq "$(show "$early" Slice)" machine.slice
assert_eq "$(show "$early" DevicePolicy)" closed
assert_contains "$(show "$early" DeviceAllow)" "/dev/ptmx rw"
assert_contains "$(show "$early" ExecStart)" "argv[]=/usr/libexec/nscontain/nscontain-helper $early ;" "ExecStart"
assert_eq "$(show "$early" RestartForceExitStatus)" 133
assert_contains "$(show "$early" SuccessExitStatus)" 143
assert_contains "$(show "$early" PartOf)" machines.target

step "autostart at boot"
assert_contains "$(tsd_run systemctl show -p Wants --value machines.target)" "container@$early.service" \
        "machines.target wants the boot-time container"
# systemd tried to start it during boot (whether the helper got it running is the
# life-cycle tests' business): its start was attempted, so it left "inactive".
assert_match "$(show "$early" InactiveExitTimestampMonotonic)" '^[1-9][0-9]*$' "start attempted at boot"

step "configs dropped in after boot, then daemon-reload"
tsd_write "/etc/nscontain.d/$web.json" "{
  \"rootfs\": \"$rootfs\",
  \"command\": [\"/bin/sleep\", \"1000\"],
  \"network\": {\"mode\": \"none\"},
  \"resources\": {\"memory_max\": \"512M\", \"memory_high\": \"384M\", \"cpu_weight\": \"200\",
                \"cpu_quota\": \"150%\", \"tasks_max\": \"100\", \"io_weight\": \"50\"},
  \"restart\": \"on-failure\",
  \"restart_sec\": \"3s\",
  \"autostart\": true
}"
tsd_write "/etc/nscontain.d/$worker.json" "{
  \"rootfs\": \"$rootfs\",
  \"command\": [\"/bin/sleep\", \"1000\"],
  \"network\": {\"mode\": \"none\"},
  \"after\": [\"$web\"],
  \"wants\": [\"$web\"],
  \"restart\": \"always\"
}"
tsd_write "/etc/nscontain.d/$broken.json" "{
  \"rootfs\": \"$rootfs\",
  \"comand\": [\"/bin/true\"]
}"
assert_ok tsd_run systemctl daemon-reload

step "systemctl cat shows the generator's drop-in"
unit=$(tsd_run systemctl cat "container@$web.service")
assert_contains "$unit" "# /run/systemd/generator/container@$web.service.d/50-nscontain.conf" "drop-in path"
assert_contains "$unit" "MemoryMax=512M"
assert_contains "$unit" "/etc/nscontain.d/$web.json"

step "the drop-in's settings are the unit's"
assert_eq "$(show "$web" MemoryMax)" $((512 * 1024 * 1024)) MemoryMax
assert_eq "$(show "$web" MemoryHigh)" $((384 * 1024 * 1024)) MemoryHigh
assert_eq "$(show "$web" CPUWeight)" 200 CPUWeight
assert_eq "$(show "$web" CPUQuotaPerSecUSec)" 1.500000s CPUQuota
assert_eq "$(show "$web" TasksMax)" 100 TasksMax
assert_eq "$(show "$web" IOWeight)" 50 IOWeight
assert_eq "$(show "$web" Restart)" on-failure Restart
assert_eq "$(show "$web" RestartUSec)" 3s RestartSec
assert_eq "$(show "$web" Description)" "Container $web" Description
assert_eq "$(show "$web" SourcePath)" "/etc/nscontain.d/$web.json" SourcePath
assert_eq "$(show "$worker" Restart)" always
assert_contains "$(show "$worker" After)" "container@$web.service" "worker after web"
assert_contains "$(show "$worker" Wants)" "container@$web.service" "worker wants web"

step "autostart containers, and only those, are wanted by machines.target"
wants=$(tsd_run systemctl show -p Wants --value machines.target)
assert_contains "$wants" "container@$web.service"
assert_contains "$wants" "container@$early.service"
assert_not_contains "$wants" "container@$worker.service"
assert_not_contains "$wants" "container@$broken.service"

step "every generated unit passes systemd-analyze verify"
units=$(tsd_run ls /run/systemd/generator)
for name in "$early" "$web" "$worker"; do
        assert_contains "$units" "container@$name.service.d"
        assert_ok tsd_run systemd-analyze verify --man=no "container@$name.service"
done

step "the broken config is reported in the journal and gets no drop-in"
assert_not_contains "$units" "container@$broken.service.d"
# The generator logs to /dev/kmsg; journald reads it back as kernel-transport lines
# with the generator's identifier (here from the host's ring buffer: /dev is the host's).
genlog() {
        tsd_run journalctl --no-pager -o cat -t nscontain-generator -p err
}
retry 5 eval 'genlog | grep -qF "$broken.json"' || fail "no journal line names $broken.json"
assert_contains "$(genlog)" "$broken.json: comand: unknown key, did you mean \"command\"?"
assert_not_contains "$(genlog)" "$web.json" "errors about a good config"

step "a removed config takes its unit settings and autostart away"
tsd_run rm "/etc/nscontain.d/$web.json"
assert_ok tsd_run systemctl daemon-reload
assert_not_contains "$(tsd_run ls /run/systemd/generator)" "container@$web.service.d"
assert_not_contains "$(tsd_run systemctl show -p Wants --value machines.target)" "container@$web.service"
assert_eq "$(show "$web" MemoryMax)" infinity "MemoryMax without the drop-in"

test_done
