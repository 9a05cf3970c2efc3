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
[[ -x $NSC_PROBE ]] || skip "the probe is not built ($NSC_PROBE)"
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
# The probe once, then stay up. The shell is PID 1 of its pid namespace, where only
# signals it handles arrive: it traps the stop signal so that a stop is quick and clean.
UP="trap 'exit 0' TERM; sleep 1000 \u0026 wait"
PROBE_CMD="[\"/bin/sh\", \"-c\", \"/probe; echo root-was-here >/created-by-root; $UP\"]"
config a "$ROOT_A" "$PROBE_CMD"
config b "$ROOT_B" "$PROBE_CMD"
config c "$ROOT_C" "[\"/bin/sh\", \"-c\", \"/probe; echo x >/data/by-root; echo x >/raw/by-root; $UP\"]" ",
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
# gone IFNAME: the host interface disappears within a few seconds.
gone() {
        retry 5 sh -c "! nsenter -t $TSD_PID -n ip link show $1" || fail "$1 is still there"
        _lib_ok
}

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
        assert_json_text "$p" '[.interfaces[] | select(.name == "lo") | .up] | first' true "$n: lo up"
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

step "the supervisor stays small: no bus connection kept"
main=$(tsd_run systemctl show -P MainPID container@a.service)
priv=$(tsd_run awk '/^Private_(Clean|Dirty|Hugetlb):/ { k += $2 } END { print k }' "/proc/$main/smaps_rollup")
echo "   supervisor of a: $priv KiB private" >&2
if build_sanitized; then
        not_checked "the supervisor of a under 1 MiB private" "sanitized build: ASan's shadow memory and allocator"
else
        ((priv < 1024)) || fail "the supervisor of a uses $priv KiB of private memory (limit 1024)"
fi
# 1 and 2 are the journal's stream sockets; nothing else may be one.
assert_eq "$(tsd_run find "/proc/$main/fd" -mindepth 1 ! -name 0 ! -name 1 ! -name 2 -lname 'socket:*' | wc -l)" 0 \
        "sockets held by the supervisor"

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

# same_as_before WHAT NAME…: each running container has its range and address of the
# first start, and machined knows it.
same_as_before() {
        local what=$1 n
        shift
        for n; do
                assert_eq "$(tsd_run systemctl is-active "container@$n.service")" active "$n $what"
                assert_eq "$(range_of "$n")" "${RANGE[$n]}" "$n: range $what"
                assert_eq "$(addr_of "$n")" "${ADDR[$n]}" "$n: address $what"
        done
}

step "restarts of the containers keep range and address"
tsd_run systemctl restart container@a.service container@b.service
same_as_before "after a restart" a b
tsd_run systemctl stop container@a.service
assert_eq "$(tsd_run machinectl list --no-legend --no-pager | grep -c '^a ' || true)" 0 "a is no machine once stopped"
# The kernel (with the namespace) or the sidecar's reaper thread deletes it: soon.
gone nsc-a
start a
# Without a veth the helper has no bus connection at the end: machined drops the
# machine itself when the unit stops, and a restart registers again.
config nonet "$ROOT_MANY" '["sleep", "1000"]' ', "network": {"mode": "none"}'
tsd_run systemctl daemon-reload
start nonet
assert_eq "$(tsd_run machinectl show --property=Class --value nonet)" container "nonet is a machine"
tsd_run systemctl restart container@nonet.service
assert_eq "$(tsd_run machinectl show --property=Leader --value nonet)" "$(tsd_run pgrep -P "$(tsd_run systemctl show -P MainPID container@nonet.service)")" "nonet after a restart: the new leader"
tsd_run systemctl stop container@nonet.service
retry 20 sh -c "! nsenter -t $TSD_PID -a machinectl show nonet >/dev/null 2>&1" || fail "nonet is still a machine after its stop"

# The child builds its root while the sidecar makes the veth: a child that fails
# meanwhile (or dies, and the sidecar then refuses a dead process) is the reason given.
BADROOT=$(tsd_mkrootfs badproc)
rm -rf "$BADROOT/proc"
ln -s /tmp "$BADROOT/proc"
config badproc "$BADROOT" '["true"]'
tsd_run systemctl daemon-reload
assert_fail tsd_run systemctl start container@badproc.service
tsd_assert_status container@badproc.service "rootfs /proc is a symlink: refusing to mount procfs over it"
gone nsc-badproc
same_as_before "after stop and start" a
assert_ok in_container a /bin/busybox ping -c1 -W2 "${ADDR[b]%/*}"

step "a restart of the sidecar changes nothing"
tsd_run systemctl restart nscontain-sidecar.service
# Its reconcile must have kept the veths of the running containers.
for n in a b c; do
        assert_ok tsd_run ip link show "nsc-$n"
done
assert_ok in_container a /bin/busybox ping -c1 -W2 "${ADDR[b]%/*}"
tsd_run systemctl restart container@a.service container@b.service
same_as_before "after a restart of the sidecar" a b

step "the sidecar SIGKILLed while containers start"
# Containers start and stop in a loop while the sidecar is killed: starts that lose
# their call fail (the unit says why), none may get another range or address.
tsd_run sh -c 'for i in 1 2 3 4 5 6; do systemctl restart container@a.service container@b.service; done' \
        >/dev/null 2>&1 &
looper=$!
for i in 1 2 3 4; do
        sleep 0.4
        tsd_run systemctl kill -s KILL nscontain-sidecar.service 2>/dev/null || true
done
wait "$looper" || true
tsd_run systemctl reset-failed 2>/dev/null || true
tsd_run systemctl restart container@a.service container@b.service ||
        fail "restart after the kills: $(status_of a; status_of b)"
same_as_before "after SIGKILLs of the sidecar" a b
assert_ok in_container b /bin/busybox ping -c1 -W2 "${ADDR[a]%/*}"
ranges=$(tsd_run awk '$1 == "range" { print $3 }' /var/lib/nscontain/sidecar.state)
assert_eq "$(sort <<<"$ranges" | uniq -d)" "" "no range handed out twice"

step "machinectl terminate stops the unit"
assert_ok tsd_run machinectl terminate c
tsd_wait_state container@c.service inactive 20 || fail "machinectl terminate did not stop container@c: $(status_of c)"
assert_eq "$(tsd_run machinectl list --no-legend --no-pager | grep -c '^c ' || true)" 0 "c is no machine after terminate"
gone nsc-c
assert_eq "$(tsd_run systemctl show -P Result container@c.service)" success "terminated cleanly"

step "$N_MANY containers started in one call"
many=()
for i in $(seq "$N_MANY"); do
        many+=("container@c$i.service")
done
t0=${EPOCHREALTIME/[.,]/}
tsd_run systemctl start "${many[@]}" || fail "starting $N_MANY containers: $(tsd_run systemctl --failed --no-legend)"
t1=${EPOCHREALTIME/[.,]/}
echo "   $N_MANY containers active in $(((t1 - t0) / 1000)) ms" >&2
assert_eq "$(tsd_run systemctl is-active "${many[@]}" | sort | uniq -c | awk '{ print $1, $2 }')" "$N_MANY active"
list=$(sc ListContainers)
# a(suss) N "name" base "address" "ifname" …: one line per container.
rows=$(tr ' ' '\n' <<<"${list#*a(suss) * }" | paste - - - - | tr -d '"' | grep -E '^c[0-9]+\s')
assert_eq "$(wc -l <<<"$rows")" "$N_MANY" "ListContainers: one entry each"
assert_eq "$(awk '{ print $2 }' <<<"$rows" | sort -u | wc -l)" "$N_MANY" "distinct ranges"
assert_eq "$(awk '{ print $3 }' <<<"$rows" | sort -u | wc -l)" "$N_MANY" "distinct addresses"
assert_eq "$(awk '$4 != "" { print $4 }' <<<"$rows" | sort -u | wc -l)" "$N_MANY" "distinct host interfaces"
while read -r n b a _; do
        ((b % 65536 == 0 && b >= 0x80000 && b + 65535 <= 0x6FFFFFFF)) || fail "$n: range $b"
        for o in a b c; do
                [[ $b != "${RANGE[$o]% *}" && $a != "${ADDR[$o]}" ]] || fail "$n shares range or address with $o"
        done
done <<<"$rows"
for i in 1 "$N_MANY"; do
        assert_eq "$(range_of "c$i")" "$(awk -v n="c$i" '$1 == n { print $2, 65536 }' <<<"$rows")" "c$i: its own range"
        assert_eq "$(addr_of "c$i")" "$(awk -v n="c$i" '$1 == n { print $3 }' <<<"$rows")" "c$i: its own address"
done
assert_ok in_container "c1" /bin/busybox ping -c1 -W2 "$(awk -v n="c$N_MANY" '$1 == n { sub("/.*", "", $3); print $3 }' <<<"$rows")"
assert_eq "$(tsd_run machinectl list --no-legend --no-pager | grep -c '^c[0-9]')" "$N_MANY" "all are machines"

step "stopping them all leaves no veth and no lease in use"
# "sleep" as PID 1 ignores SIGTERM: the stop timeout ends them with SIGKILL.
tsd_run systemctl stop "${many[@]}"
tsd_run systemctl reset-failed 2>/dev/null || true
retry 10 sh -c "! nsenter -t $TSD_PID -n ip -o link show master nsc0 | grep -q 'nsc-c[0-9]'" ||
        fail "veths left on the bridge: $(tsd_run ip -o link show master nsc0)"
assert_eq "$(tsd_run ip -o link show type veth | grep -c 'alias nscontain:c[0-9]' || true)" 0 "veths of the many"
rows=$(sc ListContainers | tr ' ' '\n' | tail -n +3 | paste - - - - | tr -d '"' | grep -E '^c[0-9]+\s')
assert_eq "$(awk 'NF == 4' <<<"$rows")" "" "ListContainers: no host interface left"
assert_eq "$(tsd_run machinectl list --no-legend --no-pager | grep -c '^c[0-9]' || true)" 0 "no machine left"

step "a SIGKILLed container's veth: removed by its next start and by reconcile"
start c1
addr1=$(addr_of c1)
# Something outside the container holds its network namespace: the kernel cannot take
# the veth away when the container dies.
hold() {
        tsd_run systemd-run -q --unit="hold-$1.service" sh -c "exec 3</proc/$(leader "$1")/ns/net; exec sleep 1000"
        retry 5 tsd_run sh -c "ls -l /proc/\$(systemctl show -P MainPID hold-$1.service)/fd | grep -q net:"
}
hold c1
tsd_run systemctl kill -s KILL container@c1.service
tsd_wait_state container@c1.service failed 20 || fail "c1 not dead: $(status_of c1)"
old=$(tsd_run ip -o link show type veth | grep 'alias nscontain:c1$' | cut -d: -f1)
[[ -n $old ]] || fail "the veth of the killed c1 is gone: the test cannot show its removal"
tsd_run systemctl reset-failed container@c1.service
start c1
new=$(tsd_run ip -o link show type veth | grep 'alias nscontain:c1$' | cut -d: -f1)
assert_match "$new" '^[0-9]+$' "one veth for c1 after its next start"
assert_ne "$new" "$old" "the leftover was replaced"
assert_eq "$(addr_of c1)" "$addr1" "c1: same address"
tsd_assert_journal nscontain-sidecar.service "left over from an earlier start of c1"
tsd_run systemctl stop hold-c1.service
hold c1
tsd_run systemctl kill -s KILL container@c1.service
tsd_wait_state container@c1.service failed 20 || fail "c1 not dead: $(status_of c1)"
assert_ok tsd_run ip link show nsc-c1
tsd_run systemctl restart nscontain-sidecar.service
gone nsc-c1
tsd_assert_journal nscontain-sidecar.service "Removed nsc-c1, the network of c1, which is not running."
tsd_run systemctl stop hold-c1.service
# Without a holder the kernel removes the pair with the namespace.
tsd_run systemctl reset-failed container@c1.service
start c1
tsd_run systemctl kill -s KILL container@c1.service
retry 10 sh -c "! nsenter -t $TSD_PID -n ip link show nsc-c1" || fail "nsc-c1 outlived its namespace"
# Nobody unregistered it (the helper was killed too): machined follows the unit.
retry 10 sh -c "! nsenter -t $TSD_PID -a machinectl list --no-legend | grep -q '^c1 '" ||
        fail "machined still lists the killed c1"
assert_ok tsd_run ip link show nsc-a

test_done
