#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Many default containers (user namespace, veth, one published port each) started with
# one "systemctl start", on a system bus that refuses connections beyond a small limit
# (max_connections_per_user 10 in the test system's dbus-daemon, where the default of
# 256 is what 500 containers at once run into): every helper waits for its connection
# and for the sidecar's answers within its start timeout (nscontain-helper(8), "MANY
# CONTAINERS AT ONCE") instead of failing, so all N are active; a sample of the
# published ports answers; one "systemctl stop" of all of them leaves no unit active, no
# veth, no nft element, no loopback relay, no mount of their root and no container the
# sidecar lists with a veth. bench/nspawn-start/run --many 500 is the same at full size.
# Then (a test build's failpoint makes the sidecar late): a start whose SetupNetwork is
# answered after 2.5 s says what it waits for as its status and starts; one whose answer
# comes after its 6 s start timeout fails with the helper's words before systemd's
# timeout, and leaves no veth.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"
. "$NSC_SOURCE_DIR/tests/lib/network.sh"

network_require
N=${NSC_TEST_MASS:-60}
LIMIT=10

network_boot mass-start many
mkdir -p "$ROOT_MANY/www"
echo "hello from many" >"$ROOT_MANY/www/index.html"
# Below what N helpers at once ask for: the refused ones must come back.
tsd_write /etc/dbus-1/system-local.conf '<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <limit name="max_connections_per_user">'"$LIMIT"'</limit>
</busconfig>'
# dbus-daemon reads its limits again on reload (it is not running yet when it was only
# socket-activated: then it reads them at its start).
tsd_run sh -c 'if systemctl -q is-active dbus.service; then systemctl reload dbus.service; fi'
units=()
for i in $(seq "$N"); do
        tsd_write "/etc/nscontain.d/m$i.json" "{\"rootfs\": \"$ROOT_MANY\",
                \"command\": [\"/bin/sh\", \"-c\", \"httpd -p 80 -h /www; $UP\"],
                \"network\": {\"publish\": [\"$((10000 + i)):80\"]}}"
        units+=("container@m$i.service")
done
tsd_run systemctl daemon-reload
# The sidecar running already, as it is once any container has started.
tsd_run busctl call org.nscontain.Sidecar1 /org/nscontain/Sidecar1 org.nscontain.Sidecar1 ListContainers >/dev/null

step "$N containers, one systemctl start, at most $LIMIT bus connections of root"
t0=$(date +%s%N)
tsd_run systemctl start "${units[@]}" || true
t1=$(date +%s%N)
active=$(tsd_run systemctl is-active "${units[@]}" | grep -c '^active$' || true)
if ((active != N)); then
        { tsd_run systemctl show -p StatusText --value "${units[@]}" | sed 's/[0-9][0-9]*/N/g' | sort | uniq -c |
                sort -rn | head -5 >&2; } || true
        fail "$active of $N containers are active"
fi
assert_eq "$active" "$N" "all $N containers active"
echo "  $N containers in $(((t1 - t0) / 1000000)) ms, $(((t1 - t0) / 1000 / N)) us per container"
# The limit was reached, so helpers were refused and came back: else this test proved
# nothing about it.
tsd_run journalctl --sync
assert_contains "$(tsd_run journalctl --no-pager -o cat -u dbus.service)" \
        "The maximum number of active connections for UID 0 has been reached" "dbus-daemon refused helpers"

step "published ports answer (a sample), from the test system's 127.0.0.1 and the gateway address"
for i in 1 $((N / 2)) "$N"; do
        assert_eq "$(tsd_run timeout 10 busybox wget -qO- "http://127.0.0.1:$((10000 + i))/")" "hello from many" \
                "m$i's port $((10000 + i)) on 127.0.0.1"
        assert_eq "$(tsd_run timeout 10 busybox wget -qO- "http://10.77.0.1:$((10000 + i))/")" "hello from many" \
                "m$i's port $((10000 + i)) on 10.77.0.1"
done
assert_eq "$(nft_elements m7 | wc -l)" 4 "m7's nft elements (masq4, masq6, publish4_any, publish6_any)"

step "one systemctl stop: nothing of them left"
tsd_run systemctl stop "${units[@]}"
assert_eq "$(tsd_run systemctl is-active "${units[@]}" | grep -vc '^inactive$' || true)" 0 "no unit left active"
assert_eq "$(tsd_run ip -o link show type veth | grep -c 'nscontain:m[0-9]' || true)" 0 "no veth left"
assert_eq "$(tsd_run nft -j list table inet nscontain | jq '[.nftables[] | (.set // .map) // empty | (.elem // [])[] |
        (if type == "array" then .[0] else . end) | select(.elem.comment | test("^m[0-9]+$"))] | length')" 0 "no nft element left"
assert_eq "$(tsd_run sh -c 'pgrep -xc nscontain-proxy || true')" 0 "no loopback relay left"
assert_eq "$(tsd_run grep -c "$ROOT_MANY" /proc/self/mountinfo || true)" 0 "no mount of the root left"
# Leases: each NAME keeps its address reservation (stable per NAME by design), but no
# container is listed with a veth.
assert_eq "$(tsd_run busctl -j call org.nscontain.Sidecar1 /org/nscontain/Sidecar1 org.nscontain.Sidecar1 ListContainersEx |
        jq '[.data[0][] | select(.[0] | test("^m[0-9]+$")) | select(.[1] | has("host_ifname"))] | length')" 0 \
        "no container listed with a veth"
assert_eq "$(tsd_run busctl -j call org.nscontain.Sidecar1 /org/nscontain/Sidecar1 org.nscontain.Sidecar1 ListContainersEx |
        jq '[.data[0][] | select(.[0] | test("^m[0-9]+$"))] | length')" "$N" "each NAME keeps its reservation"

if [[ $(build_option failpoints) != true ]]; then
        not_checked "a late sidecar" "the build has no failpoints (-Dfailpoints=true)"
        test_done
fi
step "a sidecar that answers late: the start waits and says so; later than the start timeout: the helper's words"
# The sidecar sleeps after making each veth (a test build's failpoint), as one busy with
# hundreds of calls would be late.
sidecar_delay() {
        tsd_write /etc/systemd/system/nscontain-sidecar.service.d/delay.conf "[Service]
Environment=NSCONTAIN_FAILPOINT=sidecar:after-veth-create:delay=$1"
        tsd_run systemctl daemon-reload
        tsd_run systemctl stop nscontain-sidecar.service
}
for n in late-a late-b; do
        tsd_write "/etc/nscontain.d/$n.json" "{\"rootfs\": \"$ROOT_MANY\", \"command\": [\"sleep\", \"1000\"],
                \"stop_signal\": \"SIGKILL\"}"
done
# The start timeout the helper asks systemd for once a wait lasts (unit/self).
tsd_write /etc/systemd/system/container@late-b.service.d/timeout.conf "[Service]
TimeoutStartSec=6"
sidecar_delay 2500
tsd_run systemctl start --no-block container@late-a.service
waiting_status() { tsd_run systemctl show -p StatusText --value container@late-a.service | grep -q "Waiting for nscontain-sidecar to answer SetupNetworkEx"; }
retry 5 waiting_status || fail "late-a's status while it waits: $(tsd_run systemctl show -p StatusText --value container@late-a.service)"
tsd_wait_state container@late-a.service active 30
assert_eq "$(tsd_run systemctl is-active container@late-a.service)" active "late-a started after the late answer"

# 8 s late against a start timeout of 6 s: the helper gives up at 5.4 s (a tenth before
# systemd), with its reason, and systemd's own timeout never comes.
sidecar_delay 8000
assert_fail tsd_run systemctl start container@late-b.service
tsd_assert_status container@late-b.service "did not answer within"
tsd_assert_status container@late-b.service "the start's timeout"
assert_eq "$(tsd_run systemctl show -p Result --value container@late-b.service)" exit-code "late-b failed by the helper, not by systemd's timeout"
# Its ReleaseNetwork waited behind the late SetupNetwork and removed what that made.
no_veth_of_late_b() { ! tsd_run ip -o link show type veth | grep -q 'nscontain:late-b'; }
retry 15 no_veth_of_late_b || fail "late-b's veth is left"
tsd_run rm /etc/systemd/system/nscontain-sidecar.service.d/delay.conf
tsd_run systemctl daemon-reload
tsd_run systemctl stop container@late-a.service nscontain-sidecar.service

test_done
