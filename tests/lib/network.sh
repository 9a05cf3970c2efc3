# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# The network tests' pieces (tests/integration/test-network*.sh), after testsystemd.sh and
# tsd_boot: containers by NAME, the nft elements of one, and the outside world as a
# "wan" network namespace behind the test system's "uplink" (198.51.100.1/24 and, with
# wan_setup ipv6, 2001:db8:77::1/64; the wan side .2 and ::2, the default routes through
# it) with an HTTP server on port 7777 that answers with the client address it sees.

# What every network test needs besides the test system: skips without it.
network_require() {
        tsd_require
        [[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set (run through meson test)"
        [[ -x $NSC_BUILD_DIR/helper/nscontain-helper ]] || skip "the helper is not built"
        [[ -x $NSC_BUILD_DIR/tests/integration/icmp-ping ]] || skip "tests/integration/icmp-ping is not built"
        [[ -x /bin/busybox ]] || skip "busybox-static is not installed"
        [[ -x /usr/bin/dbus-daemon ]] || skip "dbus-daemon is not installed"
        [[ -x /lib/systemd/systemd-machined ]] || skip "systemd-machined is not installed (systemd-container)"
        command -v nft >/dev/null || skip "nft is not installed (nftables)"
        command -v jq >/dev/null || skip "jq is not installed"
        command -v python3 >/dev/null || skip "python3 is not installed"
}

# network_boot TEST [NAME…]: the test system booted with the roots ROOT_A, ROOT_B,
# ROOT_WEB (a web page in /www), ROOT_P (tests/integration/icmp-ping) and ROOT_NAME for
# each further NAME.
network_boot() {
        local n
        tsd_init "$1"
        shift
        for n in a b web p "$@"; do
                declare -g "ROOT_${n^^}=$(tsd_mkrootfs "$n")"
        done
        cp "$NSC_BUILD_DIR/tests/integration/icmp-ping" "$ROOT_P/icmp-ping"
        mkdir -p "$ROOT_WEB/www"
        echo "hello from web" >"$ROOT_WEB/www/index.html"
        tsd_install
        tsd_boot
        tsd_run systemctl start dbus.socket
}

# config NAME ROOTFS [', "KEY": VALUE…']: a container that waits until stopped.
UP="trap 'exit 0' TERM; sleep 1000 \u0026 wait"
config() {
        tsd_write "/etc/nscontain.d/$1.json" "{\"rootfs\": \"$2\", \"command\": [\"/bin/sh\", \"-c\", \"$UP\"] ${3:-}}"
}

status_of() { tsd_status "container@$1.service"; }
start() {
        tsd_run systemctl start "${@/#/container@}" || fail "start of $* failed: $(for n; do status_of "$n"; done)"
}
# fetch NAME URL: the body, fetched from inside NAME (busybox wget's -T crashes: timeout).
fetch() {
        tsd_run timeout 10 nsenter -t "$(tsd_leader "$1")" -a /bin/busybox wget -qO- "$2"
}
# nft_elements NAME [REGEX]: the elements of the table naming NAME, as "SET KEY" lines,
# of the sets whose name matches REGEX (all of them: masq4 masq6 publish4 publish6 …).
nft_elements() {
        tsd_run nft -j list table inet nscontain | jq -r --arg n "$1" --arg s "${2:-.}" '
                .nftables[] | (.set // .map) // empty | select(.name | test($s)) | .name as $s |
                (.elem // [])[] | (if type == "array" then .[0] else . end) |
                select(.elem.comment == $n) | "\($s) \(.elem.val | tostring)"'
}

# wan_setup [ipv6]: the wan namespace and its echo server (wan-echo.service).
wan_setup() {
        local listen=0.0.0.0 probe=127.0.0.1 family=AF_INET
        tsd_run sh -ec '
                ip netns add wan
                ip link add uplink type veth peer name wan0 netns wan
                ip addr add 198.51.100.1/24 dev uplink
                ip link set uplink up
                ip -n wan addr add 198.51.100.2/24 dev wan0
                ip -n wan link set wan0 up
                ip -n wan link set lo up
                ip route add default via 198.51.100.2'
        if [[ ${1:-} == ipv6 ]]; then
                tsd_run sh -ec '
                        ip addr add 2001:db8:77::1/64 dev uplink nodad
                        ip -n wan addr add 2001:db8:77::2/64 dev wan0 nodad
                        ip -6 route add default via 2001:db8:77::2 dev uplink'
                listen=:: probe=::1 family=AF_INET6
        fi
        tsd_run systemd-run -q --unit=wan-echo.service ip netns exec wan python3 -c '
import http.server, socket, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (self.client_address[0] + "\n").encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
class S(http.server.ThreadingHTTPServer):
    address_family = getattr(socket, sys.argv[2])
S((sys.argv[1], 7777), H).serve_forever()' "$listen" "$family"
        retry 10 tsd_run ip netns exec wan python3 -c 'import socket, sys; socket.create_connection((sys.argv[1], 7777), 1)' "$probe" ||
                fail "the wan echo server did not come up: $(tsd_status wan-echo.service)"
}

# assert_no_net_raw JOURNAL WHO: the last "CapEff:" line of a container's output has no
# CAP_NET_RAW (bit 13), or a ping test proves nothing.
assert_no_net_raw() {
        local capeff
        capeff=$(grep -o 'CapEff:.*' <<<"$1" | tail -n 1 | awk '{ print $2 }')
        [[ -n $capeff ]] || fail "$2 printed no CapEff"
        (((0x$capeff >> 13) & 1)) && fail "$2 has CAP_NET_RAW ($capeff): the test proves nothing"
        _lib_ok
}
