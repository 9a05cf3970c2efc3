#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The defaults, end to end through systemd, dbus-daemon, nscontain-sidecar and
# systemd-machined: a config holding only "rootfs" and "command" runs in its own user
# namespace with a uid range from the sidecar (in systemd's container range, 64K
# aligned) and on the veth network with an address from the pool; two such containers
# reach each other and the gateway; ranges and addresses survive restarts of the
# containers, of the sidecar and a SIGKILLed sidecar; the root filesystem and idmapped
# binds are never chowned on disk ("idmap": false binds show the range); every running
# container is a machine (machinectl list/status) and "machinectl terminate" stops its
# unit. Then (test-network.sh's part, in the same boot): 50 containers started in one
# call get 50 distinct ranges and addresses, stopping them leaves no veth and no lease
# in use, and a veth left behind by a SIGKILLed container is removed by its next start
# and by the sidecar's reconcile.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_require
[[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set (run through meson test)"
[[ -x $NSC_BUILD_DIR/helper/nscontain-helper ]] || skip "the helper is not built"
[[ -x $NSC_BUILD_DIR/tests/probe ]] || skip "the probe is not built"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"
[[ -x /usr/bin/dbus-daemon ]] || skip "dbus-daemon is not installed"
command -v machinectl >/dev/null || skip "machinectl is not installed (systemd-container)"
[[ -x /lib/systemd/systemd-machined ]] || skip "systemd-machined is not installed (systemd-container)"
command -v jq >/dev/null || skip "jq is not installed"

DEST=org.nscontain.Sidecar1
OBJ=/org/nscontain/Sidecar1
N_MANY=${NSC_TEST_MANY:-50}

tsd_init default-container
ROOT_A=$(tsd_mkrootfs a --probe)
ROOT_B=$(tsd_mkrootfs b --probe)
ROOT_C=$(tsd_mkrootfs c --probe)
ROOT_MANY=$(tsd_mkrootfs many)
# Bind sources: an idmapped one (the default) and a plain one ("idmap": false). The
# plain one is writable for everyone: the container's root is an unmapped host uid there.
DATA_ID=$TSD_FIXDIR/data-idmapped
DATA_RAW=$TSD_FIXDIR/data-raw
mkdir -p "$DATA_ID" "$DATA_RAW"
chmod 1777 "$DATA_RAW"

tsd_install
tsd_boot
tsd_run systemctl start dbus.socket

# config NAME ROOT CMD [EXTRA]: the minimal config (rootfs + command) plus EXTRA keys.
config() {
        tsd_write "/etc/nscontain.d/$1.json" "{\"rootfs\": \"$2\", \"command\": $3 ${4:-}}"
}
# The probe once, then stay up.
PROBE_CMD='["/bin/sh", "-c", "/probe; echo root-was-here >/created-by-root; exec sleep 1000"]'
config a "$ROOT_A" "$PROBE_CMD"
config b "$ROOT_B" "$PROBE_CMD"
config c "$ROOT_C" '["/bin/sh", "-c", "/probe; echo x >/data/by-root; echo x >/raw/by-root; exec sleep 1000"]' ",
        \"mounts\": [{\"source\": \"$DATA_ID\", \"target\": \"/data\"},
                     {\"source\": \"$DATA_RAW\", \"target\": \"/raw\", \"idmap\": false}]"
for i in $(seq "$N_MANY"); do
        config "c$i" "$ROOT_MANY" '["sleep", "1000"]'
done
tsd_run systemctl daemon-reload

status_of() {
        tsd_run systemctl status --no-pager -l -n 30 "container@$1.service" 2>&1 || true
}
start() {
        tsd_run systemctl start "${@/#/container@}" || fail "start of $* failed: $(for n; do status_of "$n"; done)"
}
# The container's PID 1 as the host sees it, from machined.
leader() {
        tsd_run machinectl show --property=Leader --value "$1"
}
# "BASE SIZE" of the running container, from the kernel.
range_of() {
        tsd_run awk '{ print $2, $3 }' "/proc/$(leader "$1")/uid_map"
}
addr_of() {
        tsd_run nsenter -t "$(leader "$1")" -n ip -o -4 addr show dev eth0 | awk '{ print $4 }'
}
# The probe's line in the journal of the current run.
probe_of() {
        local i out
        for i in $(seq 50); do
                out=$(tsd_journal "container@$1.service" | grep '^{"pid"' | tail -n 1) || true
                [[ -n $out ]] && break
                sleep 0.1
        done
        echo "$out"
}
# Inside NAME (all its namespaces, full capabilities in its user namespace): CMD.
in_container() {
        local n=$1
        shift
        tsd_run nsenter -t "$(leader "$n")" -a "$@"
}
sc() { tsd_run busctl call "$DEST" "$OBJ" "$DEST" "$@"; }

step "two default containers: range, address, machines"
start a b c
declare -A RANGE ADDR
for n in a b c; do
        p=$(probe_of "$n")
        [[ -n $p ]] || fail "no probe output from $n: $(status_of "$n")"
        read -r inside base size <<<"$(jq -r .uid_map <<<"$p")"
        assert_eq "$inside $size" "0 65536" "$n: uid map"
        assert_eq $((base % 65536)) 0 "$n: range aligned ($base)"
        ((base >= 0x80000 && base + size - 1 <= 0x6FFFFFFF)) || fail "$n: range $base outside 0x80000..0x6FFFFFFF"
        addr=$(jq -r '.interfaces[] | select(.name == "eth0" and .address != null and (.address | test("\\."))) | "\(.address)/\(.prefix)"' <<<"$p")
        assert_match "$addr" '^10\.77\.[0-9]+\.[0-9]+/16$' "$n: eth0 address from the pool"
        assert_eq "$(jq -r '[.interfaces[] | select(.name == "lo") | .up] | first' <<<"$p")" true "$n: lo up"
        RANGE[$n]="$base $size"
        ADDR[$n]=$addr
        assert_eq "$(range_of "$n")" "${RANGE[$n]}" "$n: range seen by the host"
done
assert_eq "$(printf '%s\n' "${RANGE[@]}" | sort -u | wc -l)" 3 "three distinct ranges"
assert_eq "$(printf '%s\n' "${ADDR[@]}" | sort -u | wc -l)" 3 "three distinct addresses"
list=$(sc ListContainers)
for n in a b c; do
        assert_contains "$list" "\"$n\" ${RANGE[$n]% *} \"${ADDR[$n]}\" \"nsc-$n\"" "ListContainers"
done

step "machinectl list and status"
ml=$(tsd_run machinectl list --no-legend --no-pager)
for n in a b c; do
        line=$(grep "^$n " <<<"$ml") || fail "machinectl list does not show $n:"$'\n'"$ml"
        assert_match "$line" "^$n +container +nscontain .*${ADDR[$n]%/*}" "machinectl list shows $n"
done
st=$(tsd_run machinectl status --no-pager a)
assert_contains "$st" "Unit: container@a.service" "machinectl status: the unit"
assert_contains "$st" "${ADDR[a]%/*}" "machinectl status: the address"
assert_contains "$st" "Root: $ROOT_A" "machinectl status: the root"
assert_eq "$(tsd_run machinectl show --property=Service --value a)" nscontain
assert_eq "$(tsd_run machinectl show --property=Class --value a)" container

step "the containers reach each other and the gateway"
assert_ok in_container a /bin/busybox ping -c1 -W2 "${ADDR[b]%/*}"
assert_ok in_container b /bin/busybox ping -c1 -W2 "${ADDR[a]%/*}"
assert_ok in_container a /bin/busybox ping -c1 -W2 10.77.0.1
assert_ok in_container c /bin/busybox ping -c1 -W2 10.77.0.1
assert_eq "$(in_container a /bin/busybox ip route | awk '$1 == "default" { print $3 }')" 10.77.0.1 "default route"

step "nothing is chowned on disk"
retry 5 test -f "$ROOT_A/created-by-root"
assert_eq "$(stat -c %u:%g "$ROOT_A/created-by-root")" 0:0 "file of the container's root in the idmapped rootfs"
assert_eq "$(stat -c %u:%g "$ROOT_A/bin/busybox")" 0:0 "rootfs file untouched"
assert_eq "$(stat -c %u:%g "$ROOT_A")" 0:0 "rootfs directory untouched"
assert_eq "$(find "$ROOT_A" "$ROOT_B" ! -user 0 ! -path '*/home/app' | head -3)" "" "no file of the rootfs owned by a range uid"
retry 5 test -f "$DATA_RAW/by-root"
assert_eq "$(stat -c %u:%g "$DATA_ID/by-root")" 0:0 "idmapped bind: owned by 0 on disk"
base_c=${RANGE[c]% *}
assert_eq "$(stat -c %u:%g "$DATA_RAW/by-root")" "$base_c:$base_c" "\"idmap\": false bind: owned by the range's base"

test_done
