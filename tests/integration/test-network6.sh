#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# IPv6 for a container (nscontain-sidecar(8) "IPV6", nscontain.json(5) network.ipv6),
# against the booted systemd with an outside world made of a "wan" network namespace
# (198.51.100.0/24 and 2001:db8:77::/64, the test system's default routes through it)
# and a server there that answers with the client address it sees:
#   - a default container gets an address of the sidecar's IPv6 pool (the default ULA
#     /64 from the machine ID) on eth0, usable at once (no DAD), and a default route via
#     the bridge's first address of the pool; the same address on its next start; the
#     sidecar's state, "nscontain list/status --json" and "machinectl status" show both
#     addresses;
#   - its request to the wan server arrives from the test system's uplink IPv6 address
#     (NAT66, the container's address an element of masq6); IPv6 forwarding is on for
#     the bridge and the uplink only (force_forwarding), net.ipv6.conf.all.forwarding
#     stays 0 and the uplink's accept_ra is what it was;
#   - published ports over IPv6: "8080:80" (no host address: both families), "[::]:8081:80"
#     and "[2001:db8:77::1]:8082:80" answer from wan over IPv6, and from another
#     container through the gateway and the uplink address (hairpin); "[::]:8081" does
#     not answer over IPv4, "0.0.0.0:8083:80" not over IPv6;
#   - ICMPv6 echo between two containers with the default capabilities;
#   - no element of a container is left after its stop, after a SIGKILL of its helper
#     and a sidecar restart (reconcile), and after a SIGKILL of the sidecar;
#   - "address6" outside the pool: validate, the generator and the failed start (its
#     StatusText) say the same words with the JSON path, and SetupNetworkEx refuses it
#     too (test-sidecar.sh); "ipv6": false gives no IPv6 address.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

. "$NSC_SOURCE_DIR/tests/lib/network.sh"

network_require
[[ -e /proc/sys/net/ipv6/conf/all/forwarding ]] || skip "the kernel has no IPv6"

network_boot network6

config a "$ROOT_A"
config b "$ROOT_B"
config four "$ROOT_B" ', "network": {"ipv6": false}'
tsd_write /etc/nscontain.d/web.json "{\"rootfs\": \"$ROOT_WEB\",
        \"command\": [\"/bin/sh\", \"-c\", \"httpd -p 80 -h /www; $UP\"],
        \"network\": {\"publish\": [\"8080:80\", \"[::]:8081:80\", \"[2001:db8:77::1]:8082:80\", \"0.0.0.0:8083:80\"]}}"
tsd_run systemctl daemon-reload

elements_of() { nft_elements "$1"; }
# For retry, which runs its command again and again ("$(...)" in its arguments is read once).
no_elements_of() { [[ -z $(elements_of "$1") ]]; }
# NAME's global IPv6 address on eth0, as "ADDRESS/PREFIXLEN".
addr6_of() { tsd_in_container "$1" /bin/busybox ip -o -6 addr show dev eth0 scope global | awk '{ print $4 }'; }
set_size() {
        tsd_run nft -j list table inet nscontain | jq --arg s "$1" '[.nftables[] | (.set // .map) // empty |
                select(.name == $s) | (.elem // [])[]] | length'
}

step "the outside world: a wan namespace with IPv4 and IPv6, answering with the client's address"
wan_setup ipv6
ra_before=$(tsd_run sysctl -n net.ipv6.conf.uplink.accept_ra)
assert_eq "$(tsd_run sysctl -n net.ipv6.conf.all.forwarding)" 0 "IPv6 forwarding is off before any container"

step "a default container: an address of the IPv6 pool, a default route, stable per name"
start a
addr_a=$(addr6_of a)
[[ -n $addr_a ]] || fail "a has no global IPv6 address: $(tsd_in_container a /bin/busybox ip -6 addr)"
machine_id=$(tsd_run cat /etc/machine-id)
# The default pool (nscontain-sidecar(8)): fd00::/8 and 40 bits of a hash of the machine ID.
pool=$(python3 -c '
import sys
h = 0xcbf29ce484222325
def step(b):
    global h
    h = ((h ^ b) * 0x100000001b3) & 0xffffffffffffffff
for i in range(8):
    step((0x6e73632d706f6f36 >> (8 * i)) & 0xff)
for b in bytes.fromhex(sys.argv[1]):
    step(b)
g = [(h >> (8 * i)) & 0xff for i in range(5)]
print("fd%02x:%02x%02x:%02x%02x" % tuple(g))' "$machine_id")
gw6=$(python3 -c 'import ipaddress, sys; print(ipaddress.ip_address(sys.argv[1] + "::1"))' "$pool")
assert_match "$addr_a" "^$pool:[0-9a-f:]+/64\$" "a's address is in the default pool $pool::/64"
assert_contains "$(tsd_in_container a /bin/busybox ip -6 addr show dev eth0)" "$addr_a" "on eth0"
# The address's own line: the link-local address the kernel adds goes through DAD as usual.
addr_line=$(tsd_in_container a /bin/busybox ip -6 addr show dev eth0 | grep -F "inet6 $addr_a ")
assert_contains "$addr_line" "inet6 $addr_a " "the address's line"
assert_not_contains "$addr_line" "tentative" "no DAD: usable at once"
assert_contains "$(tsd_in_container a /bin/busybox ip -6 route show default)" "default via $gw6 dev eth0" "default route via the pool's first address"
assert_contains "$(tsd_run ip -6 addr show dev nsc0)" "$gw6/64" "the bridge holds the pool's first address"
assert_contains "$(tsd_run cat /var/lib/nscontain/sidecar.state)" "address6 a ${addr_a%/*}" "the lease is in the sidecar's state"
tsd_run systemctl restart container@a.service
assert_eq "$(addr6_of a)" "$addr_a" "the same address on the next start"

step "NAT66: the container's request arrives from the uplink's IPv6 address"
got=$(fetch a "http://[2001:db8:77::2]:7777/") || fail "a cannot reach the wan server over IPv6"
assert_eq "$got" "2001:db8:77::1" "a is masqueraded to the uplink address"
assert_eq "$(elements_of a | grep masq6)" "masq6 ${addr_a%/*}" "a's address is an element of masq6, named a"
assert_eq "$(tsd_run sysctl -n net.ipv6.conf.all.forwarding)" 0 "net.ipv6.conf.all.forwarding stays 0"
if [[ -e /proc/sys/net/ipv6/conf/lo/force_forwarding ]]; then
        assert_eq "$(tsd_run sysctl -n net.ipv6.conf.nsc0.force_forwarding)" 1 "force_forwarding on the bridge"
        assert_eq "$(tsd_run sysctl -n net.ipv6.conf.uplink.force_forwarding)" 1 "force_forwarding on the uplink"
        tsd_assert_journal nscontain-sidecar.service "Set net.ipv6.conf.nsc0.force_forwarding=1."
else
        echo "# before Linux 6.17 (no force_forwarding) the sidecar turns on all.forwarding; not tested here"
fi
assert_eq "$(tsd_run sysctl -n net.ipv6.conf.uplink.accept_ra)" "$ra_before" "the uplink's accept_ra is unchanged"

step "ipv6: false: no IPv6 address, no masq6 element"
start four
assert_eq "$(addr6_of four)" "" "four has no global IPv6 address"
assert_eq "$(elements_of four | grep -c masq6 || true)" 0 "no masq6 element for four"
[[ -n $(elements_of four | grep masq4) ]] || fail "four lost its IPv4 NAT"
tsd_run systemctl stop container@four.service

step "list, status and machinectl show both addresses"
addr4_a=$(tsd_in_container a /bin/busybox ip -o -4 addr show dev eth0 | awk '{ print $4 }')
json=$(tsd_run nscontain list --json)
assert_json_text "$json" '.[] | select(.name == "a") | .address' "$addr4_a" "list --json: a's IPv4 address"
assert_json_text "$json" '.[] | select(.name == "a") | .address6' "$addr_a" "list --json: a's IPv6 address"
assert_match "$(tsd_run nscontain list | grep '^a ')" " ${addr_a//./\\.} *\$" "list: a's IPv6 address in the last column"
json=$(tsd_run nscontain status --json a)
assert_json_text "$json" '.network.address6' "$addr_a" "status --json: network.address6"
out=$(tsd_run nscontain status a)
assert_contains "$out" "Address: $addr4_a" "status: the IPv4 address"
assert_match "$out" " +${addr_a//./\\.}" "status: the IPv6 address on the next line"
retry 10 sh -c "nsenter -t $TSD_PID -a machinectl status a | grep -q '${addr_a%/*}'" ||
        fail "machinectl status a does not show ${addr_a%/*}: $(tsd_run machinectl status a)"
assert_contains "$(tsd_run machinectl status a)" "${addr4_a%/*}" "machinectl status shows the IPv4 address too"

step "published ports over IPv6: from wan and from another container (hairpin)"
start web b
addr_web=$(addr6_of web)
addr_web=${addr_web%/*}
assert_eq "$(elements_of web | grep '6' | sort)" "$(printf '%s\n' "masq6 $addr_web" \
        'publish6 {"concat":["2001:db8:77::1","tcp",8082]}' \
        'publish6_any {"concat":["tcp",8080]}' \
        'publish6_any {"concat":["tcp",8081]}' | sort)" "web's IPv6 elements"
assert_eq "$(elements_of web | grep 'publish4' | sort)" "$(printf '%s\n' \
        'publish4_any {"concat":["tcp",8080]}' \
        'publish4_any {"concat":["tcp",8083]}' | sort)" "web's IPv4 elements: 8080 on both families, 0.0.0.0:8083"
wget_from_wan() { tsd_run timeout 10 ip netns exec wan busybox wget -qO- "$1"; }
for port in 8080 8081 8082; do
        assert_eq "$(wget_from_wan "http://[2001:db8:77::1]:$port/")" "hello from web" "$port from wan over IPv6"
done
assert_eq "$(wget_from_wan http://198.51.100.1:8080/)" "hello from web" "8080 from wan over IPv4"
assert_fail wget_from_wan http://198.51.100.1:8081/
assert_fail wget_from_wan "http://[2001:db8:77::1]:8083/"
assert_eq "$(tsd_run timeout 10 busybox wget -qO- "http://[2001:db8:77::1]:8080/")" "hello from web" "8080 from the test system's uplink IPv6 address"
assert_eq "$(fetch b "http://[$gw6]:8080/")" "hello from web" "8080 from container b through the IPv6 gateway (hairpin)"
assert_eq "$(fetch b "http://[2001:db8:77::1]:8081/")" "hello from web" "8081 from container b through the uplink's IPv6 address (hairpin)"

step "ping -6 between containers with the default capabilities"
addr_b=$(addr6_of b)
addr_b=${addr_b%/*}
tsd_write /etc/nscontain.d/ping6.json "{\"rootfs\": \"$ROOT_P\", \"user\": \"app\",
        \"command\": [\"/bin/sh\", \"-c\", \"grep CapEff /proc/self/status; /icmp-ping $addr_b \u0026\u0026 /icmp-ping $gw6\"]}"
tsd_run systemctl daemon-reload
tsd_run systemctl start container@ping6.service || true
tsd_wait_state container@ping6.service inactive 20 || fail "ping6 did not finish: $(status_of ping6)"
out=$(tsd_journal container@ping6.service)
assert_contains "$out" "reply from $addr_b" "ping6 pings b over IPv6"
assert_contains "$out" "reply from $gw6" "ping6 pings the IPv6 gateway"
assert_no_net_raw "$out" ping6

step "address6 outside the pool: validate, the generator and the start say the same"
gen=$(cd "$TSD_UPPER" && find . -path '*/system-generators/nscontain-generator' | head -1)
gen=${gen#.}
[[ -n $gen ]] || fail "nscontain-generator is not installed"
config bad6 "$ROOT_A" ', "network": {"address6": "fd00:dead::5"}'
tsd_run systemctl daemon-reload
words="invalid address6 \"fd00:dead::5\": it is not in the sidecar's IPv6 pool $pool::/64 (Pool6= in /etc/nscontain/sidecar.conf)"
rc=0
out=$(tsd_run nscontain validate /etc/nscontain.d/bad6.json 2>&1) || rc=$?
assert_eq "$rc:$out" "1:bad6.json: network.address6: $words" "nscontain validate"
rc=0
out=$(tsd_run "$gen" --dry-run /etc/nscontain.d/bad6.json 2>&1 >/dev/null) || rc=$?
assert_eq "$rc:$out" "1:nscontain-generator: bad6.json: network.address6: $words" "the generator's --dry-run"
assert_fail tsd_run systemctl start container@bad6.service
# The start checks it before it asks the sidecar: StatusText is validate's finding.
assert_eq "$(tsd_run systemctl show -p StatusText --value container@bad6.service)" \
        "bad6: network.address6: $words" "StatusText of the failed start"
assert_eq "$(elements_of bad6)" "" "bad6 has no element"
tsd_run systemctl reset-failed container@bad6.service
# Inside the pool it is taken as it is.
config good6 "$ROOT_A" ", \"network\": {\"address6\": \"$pool::77\"}"
tsd_run systemctl daemon-reload
assert_eq "$(tsd_run nscontain validate /etc/nscontain.d/good6.json 2>&1)" "good6.json: ok" "validate accepts an address of the pool"
start good6
assert_eq "$(addr6_of good6)" "$pool::77/64" "good6 has its address6"
tsd_run systemctl stop container@good6.service

step "after a stop: no element of the container"
tsd_run systemctl stop container@web.service
assert_eq "$(elements_of web)" "" "no element of web after its stop"
assert_fail wget_from_wan "http://[2001:db8:77::1]:8080/"

step "after a SIGKILL of the helper: reconcile at the sidecar's next start removes the elements"
tsd_run systemctl kill -s KILL container@b.service
tsd_wait_state container@b.service failed 20 || fail "b not dead: $(status_of b)"
[[ -n $(elements_of b | grep masq6) ]] || fail "b's masq6 element is gone already: the test cannot show reconcile"
tsd_run systemctl restart nscontain-sidecar.service
retry 5 no_elements_of b || true
assert_eq "$(elements_of b)" "" "no element of b after reconcile"
tsd_run systemctl reset-failed container@b.service

step "after a SIGKILL of the sidecar: the elements are still known and removed at the stop"
start web
[[ -n $(elements_of web | grep publish6) ]] || fail "web has no publish6 element"
tsd_run systemctl kill -s KILL nscontain-sidecar.service
tsd_wait_state nscontain-sidecar.service failed 20 || tsd_wait_state nscontain-sidecar.service inactive 5 || true
assert_eq "$(fetch a "http://[2001:db8:77::2]:7777/")" "2001:db8:77::1" "NAT66 works without the sidecar"
tsd_run systemctl stop container@web.service container@a.service
assert_eq "$(elements_of web)" "" "no element of web after its stop through a new sidecar"
assert_eq "$(elements_of a)" "" "no element of a"
for s in masq6 publish6 publish6_any masq4 publish4 publish4_any; do
        assert_eq "$(set_size $s)" 0 "$s is empty"
done
assert_eq "$(tsd_run ip -o link show type veth | grep -c 'nscontain:' || true)" 0 "no veth of a container left"

test_done
