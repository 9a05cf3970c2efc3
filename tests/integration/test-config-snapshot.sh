#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The container runs the config the last daemon-reload loaded, whole: the generator
# keeps a copy of NAME.json beside its drop-in and the helper runs that copy. A config
# edited without daemon-reload changes nothing at the next restart (neither what the
# helper reads, the hostname, nor what the drop-in carries, MemoryMax=); systemd says
# the unit changed on disk, and "nscontain cat" shows what runs and that the file
# differs. After daemon-reload the next restart runs the new config, whole.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_setup helper cli probe busybox jq
ROOT=$(tsd_mkrootfs snap --probe)
tsd_install
tsd_boot

# config HOSTNAME MEMORY_MAX
config() {
        tsd_write /etc/nscontain.d/snap.json "{\"rootfs\": \"$ROOT\",
                \"command\": [\"/bin/sh\", \"-c\", \"/probe; exec sleep 1000\"],
                \"network\": {\"mode\": \"none\"}, \"namespaces\": {\"user\": false},
                \"hostname\": \"$1\", \"resources\": {\"memory_max\": \"$2\"}}"
}
# The hostname the probe saw in the current run (its line after the last start).
hostname_seen() {
        local out i
        for i in $(seq 50); do
                out=$(tsd_journal container@snap.service _SYSTEMD_INVOCATION_ID="$(
                        tsd_run systemctl show -P InvocationID container@snap.service)" |
                        grep '^{"pid"' | tail -n 1) || true
                [[ -n $out ]] && break
                sleep 0.1
        done
        [[ -n $out ]] || fail "no probe output: $(tsd_status container@snap.service)"
        jq -r .hostname <<<"$out"
}
# "HOSTNAME MEMORYMAX" of the running container.
running() {
        echo "$(hostname_seen) $(tsd_run systemctl show -P MemoryMax container@snap.service)"
}
restart() {
        tsd_run systemctl restart container@snap.service 2>/dev/null ||
                fail "restart failed: $(tsd_status container@snap.service)"
}

step "the first config"
config first 64M
tsd_run systemctl daemon-reload
tsd_run systemctl start container@snap.service || fail "start failed: $(tsd_status container@snap.service)"
assert_eq "$(running)" "first 67108864" "hostname and MemoryMax"
snapshot=/run/systemd/generator/nscontain.snapshot
env=$(tsd_run systemctl show -P Environment container@snap.service)
assert_contains "$env" "NSCONTAIN_CONFIG=$snapshot" "the helper is pointed at the snapshot"
offset=$(grep -o 'NSCONTAIN_CONFIG_OFFSET=[0-9]*' <<<"$env" | cut -d= -f2)
[[ -n $offset ]] || fail "no NSCONTAIN_CONFIG_OFFSET= in the unit's environment: $env"
size=$(tsd_run stat -c %s /etc/nscontain.d/snap.json)
header="nscontain-snapshot snap $size"
assert_eq "$(tsd_run sh -c "tail -c +$((offset + 1)) $snapshot | head -n 1")" "$header" "the record's header"
assert_eq "$(tsd_run sh -c "tail -c +$((offset + ${#header} + 2)) $snapshot | head -c $size | cmp - /etc/nscontain.d/snap.json && echo same")" \
        same "the snapshot record is the file"
assert_eq "$(tsd_run systemctl show -P NeedDaemonReload container@snap.service)" no "NeedDaemonReload"
assert_not_contains "$(tsd_run nscontain cat --no-pager snap)" "differs" "nscontain cat before the edit"

step "edited, no daemon-reload: a restart runs the old config entirely"
config second 128M
restart
assert_eq "$(running)" "first 67108864" "hostname and MemoryMax after a restart"
assert_eq "$(tsd_run systemctl show -P NeedDaemonReload container@snap.service)" yes "NeedDaemonReload"
assert_contains "$(tsd_status container@snap.service)" "changed on disk" "systemctl status"
cat=$(tsd_run nscontain cat --no-pager snap)
assert_contains "$cat" "# $snapshot (what container@snap.service runs: /etc/nscontain.d/snap.json as of the last daemon-reload" \
        "nscontain cat names what runs"
assert_contains "$cat" "\"hostname\": \"first\"" "nscontain cat shows the old hostname"
assert_contains "$cat" "# /etc/nscontain.d/snap.json differs from what runs: it takes effect at the next 'systemctl daemon-reload'" \
        "nscontain cat says the file differs"
# exec and status look at what runs too.
assert_eq "$(tsd_run nscontain exec snap -- /bin/hostname)" first "nscontain exec"

step "after daemon-reload: the new config entirely"
tsd_run systemctl daemon-reload
restart
assert_eq "$(running)" "second 134217728" "hostname and MemoryMax after daemon-reload and a restart"
assert_eq "$(tsd_run systemctl show -P NeedDaemonReload container@snap.service)" no "NeedDaemonReload"
cat=$(tsd_run nscontain cat --no-pager snap)
assert_contains "$cat" "\"hostname\": \"second\"" "nscontain cat shows the new hostname"
assert_not_contains "$cat" "differs" "nscontain cat after daemon-reload"

test_done
