#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A container is a network service (nscontain-sidecar(8) "NAT"): against the booted
# systemd with an outside world made of a "wan" network namespace (198.51.100.0/24, the
# test system's default route through it) and a server there that answers with the
# client address it sees:
#   - a default container's request arrives from the test system's uplink address
#     (masqueraded); forwarding is on for the bridge and the uplink, the global
#     net.ipv4.ip_forward stays off;
#   - the container's address is an element of the "inet nscontain" table's masq4 set,
#     named by the container; after a stop, after a SIGKILL of the helper + a sidecar
#     restart (reconcile), and after a SIGKILL of the sidecar, no element of it is left.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_require
[[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set (run through meson test)"
[[ -x $NSC_BUILD_DIR/helper/nscontain-helper ]] || skip "the helper is not built"
[[ -x /bin/busybox ]] || skip "busybox-static is not installed"
[[ -x /usr/bin/dbus-daemon ]] || skip "dbus-daemon is not installed"
[[ -x /lib/systemd/systemd-machined ]] || skip "systemd-machined is not installed (systemd-container)"
command -v nft >/dev/null || skip "nft is not installed (nftables)"
command -v jq >/dev/null || skip "jq is not installed"
command -v python3 >/dev/null || skip "python3 is not installed"

tsd_init network
ROOT_A=$(tsd_mkrootfs a)
ROOT_B=$(tsd_mkrootfs b)
tsd_install
tsd_boot
tsd_run systemctl start dbus.socket

UP="trap 'exit 0' TERM; sleep 1000 \u0026 wait"
config() {
        tsd_write "/etc/nscontain.d/$1.json" "{\"rootfs\": \"$2\", \"command\": [\"/bin/sh\", \"-c\", \"$UP\"] ${3:-}}"
}
config a "$ROOT_A"
config b "$ROOT_B"
tsd_run systemctl daemon-reload

status_of() { tsd_status "container@$1.service"; }
start() {
        tsd_run systemctl start "${@/#/container@}" || fail "start of $* failed: $(for n; do status_of "$n"; done)"
}
leader() { tsd_run machinectl show --property=Leader --value "$1"; }
in_container() {
        local n=$1
        shift
        tsd_run nsenter -t "$(leader "$n")" -a "$@"
}
# fetch NAME URL: the body, fetched from inside NAME (busybox wget's -T crashes: timeout).
fetch() {
        tsd_run timeout 10 nsenter -t "$(leader "$1")" -a /bin/busybox wget -qO- "$2"
}
# The elements of the table naming NAME (masq4 and publish4), as "SET KEY" lines.
elements_of() {
        tsd_run nft -j list table inet nscontain | jq -r --arg n "$1" '
                .nftables[] | (.set // .map) // empty | .name as $s | (.elem // [])[] |
                (if type == "array" then .[0] else . end) | select(.elem.comment == $n) |
                "\($s) \(.elem.val | tostring)"'
}

step "the outside world: a wan namespace answering with the client's address"
tsd_run sh -ec '
        ip netns add wan
        ip link add uplink type veth peer name wan0 netns wan
        ip addr add 198.51.100.1/24 dev uplink
        ip link set uplink up
        ip -n wan addr add 198.51.100.2/24 dev wan0
        ip -n wan link set wan0 up
        ip -n wan link set lo up
        ip route add default via 198.51.100.2'
ECHO='
import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (self.client_address[0] + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("0.0.0.0", 7777), H).serve_forever()'
tsd_run systemd-run -q --unit=wan-echo.service ip netns exec wan python3 -c "$ECHO"
retry 10 tsd_run ip netns exec wan python3 -c 'import socket; socket.create_connection(("127.0.0.1", 7777), 1)' ||
        fail "the wan echo server did not come up: $(tsd_status wan-echo.service)"
assert_eq "$(tsd_run sysctl -n net.ipv4.ip_forward)" 0 "forwarding is off before any container"

step "outbound NAT: the container's request arrives from the uplink address"
start a
got=$(fetch a http://198.51.100.2:7777/) || fail "a cannot reach the wan server"
assert_eq "$got" "198.51.100.1" "a is masqueraded to the uplink address"
addr_a=$(in_container a /bin/busybox ip -o -4 addr show dev eth0 | awk '{ print $4 }')
assert_eq "$(elements_of a)" "masq4 ${addr_a%/*}" "a's address is an element of masq4, named a"
assert_eq "$(tsd_run sysctl -n net.ipv4.ip_forward)" 0 "net.ipv4.ip_forward stays off"
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.nsc0.forwarding)" 1 "forwarding on the bridge"
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.uplink.forwarding)" 1 "forwarding on the uplink (the default route)"
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.nsc0.route_localnet)" 1 "route_localnet on the bridge"
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.uplink.route_localnet)" 0 "route_localnet not on the uplink"
assert_contains "$(tsd_journal nscontain-sidecar.service)" "Set net.ipv4.conf.nsc0.forwarding=1."

step "after a stop: no element of the container"
start b
tsd_run systemctl stop container@a.service
assert_eq "$(elements_of a)" "" "no element of a after its stop"
[[ -n $(elements_of b) ]] || fail "b lost its element with a's stop"
assert_eq "$(fetch b http://198.51.100.2:7777/)" "198.51.100.1" "b is still masqueraded"

step "after a SIGKILL of the helper: reconcile at the sidecar's next start removes the elements"
tsd_run systemctl kill -s KILL container@b.service
tsd_wait_state container@b.service failed 20 || fail "b not dead: $(status_of b)"
[[ -n $(elements_of b) ]] || fail "b's element is gone already: the test cannot show reconcile"
tsd_run systemctl restart nscontain-sidecar.service
retry 5 test -z "$(elements_of b)" || true
assert_eq "$(elements_of b)" "" "no element of b after reconcile"
assert_contains "$(tsd_journal nscontain-sidecar.service)" "Removed the nftables elements of b, which is not running."
tsd_run systemctl reset-failed container@b.service

step "after a SIGKILL of the sidecar: the elements are still known and removed at the stop"
start a
[[ -n $(elements_of a) ]] || fail "a has no element"
tsd_run systemctl kill -s KILL nscontain-sidecar.service
tsd_wait_state nscontain-sidecar.service failed 20 || tsd_wait_state nscontain-sidecar.service inactive 5 || true
assert_eq "$(fetch a http://198.51.100.2:7777/)" "198.51.100.1" "NAT works without the sidecar"
tsd_run systemctl stop container@a.service
assert_eq "$(elements_of a)" "" "no element of a after its stop through a new sidecar"
assert_eq "$(tsd_run ip -o link show type veth | grep -c 'nscontain:' || true)" 0 "no veth of a container left"
assert_eq "$(tsd_run nft -j list set inet nscontain masq4 | jq '.nftables[1].set.elem // [] | length')" 0 "masq4 is empty"

test_done
