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
#     restart (reconcile), and after a SIGKILL of the sidecar, no element of it is left;
#   - published ports ("network.publish"): a busybox httpd published as 8080:80 answers
#     from the wan namespace, from the test system's 127.0.0.1, ::1 and uplink address,
#     and from another container (hairpin, through the uplink address and the gateway);
#     a 127.0.0.1:8443 publish answers on the test system's 127.0.0.1 and not from wan
#     nor on ::1; a UDP publish answers from wan, 127.0.0.1 and ::1; a second container
#     asking for 8080 is refused, naming the first and the port in its systemctl status;
#     the elements go with the stop;
#   - the host's loopback is answered by the container's relay (nscontain-proxy, in the
#     container's unit, as nobody without capabilities and with no_new_privs); a
#     container without a loopback publish has none; a loopback port taken by another
#     program fails the start naming it; after a SIGKILL of the helper nothing listens;
#   - ping with the default capabilities (no CAP_NET_RAW): an ICMP datagram socket
#     (tests/integration/icmp-ping.c) reaches another container and the gateway, as root
#     and as another user of the container, since net.ipv4.ping_group_range covers every
#     gid of the container;
#   - docs/SECURITY.md row 15: a container that routes 127.0.0.1 to its gateway (it may, with
#     CAP_NET_ADMIN in its own namespace) does not reach a service on the test system's
#     127.0.0.1, since route_localnet is off for the bridge; with it turned on by hand
#     the same packets do arrive (the attack is real), and the sidecar turns it off
#     again at the next container's start.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

. "$NSC_SOURCE_DIR/tests/lib/network.sh"

network_require

network_boot network c
# Larger than the relay's pipes many times over: what splice moves must arrive whole.
head -c 8M /dev/urandom >"$ROOT_WEB/www/big"
big_sum=$(sha256sum <"$ROOT_WEB/www/big")

config a "$ROOT_A"
config b "$ROOT_B"
tsd_write /etc/nscontain.d/web.json "{\"rootfs\": \"$ROOT_WEB\",
        \"command\": [\"/bin/sh\", \"-c\", \"httpd -p 80 -h /www; $UP\"],
        \"network\": {\"publish\": [\"8080:80\", \"127.0.0.1:8443:80\", \"5353:53/udp\", \"127.0.0.1:5354:53/udp\"]}}"
config c "$ROOT_C" ', "network": {"publish": ["8080:8080"]}'
tsd_run systemctl daemon-reload

# The IPv4 sets only: test-network6.sh checks the IPv6 ones.
elements_of() { nft_elements "$1" '4'; }
# For retry, which runs its command again and again ("$(...)" in its arguments is read once).
no_elements_of() { [[ -z $(elements_of "$1") ]]; }

step "the outside world: a wan namespace answering with the client's address"
wan_setup
assert_eq "$(tsd_run sysctl -n net.ipv4.ip_forward)" 0 "forwarding is off before any container"

step "outbound NAT: the container's request arrives from the uplink address"
start a
got=$(fetch a http://198.51.100.2:7777/) || fail "a cannot reach the wan server"
assert_eq "$got" "198.51.100.1" "a is masqueraded to the uplink address"
addr_a=$(tsd_in_container a /bin/busybox ip -o -4 addr show dev eth0 | awk '{ print $4 }')
assert_eq "$(elements_of a)" "masq4 ${addr_a%/*}" "a's address is an element of masq4, named a"
assert_eq "$(tsd_run sysctl -n net.ipv4.ip_forward)" 0 "net.ipv4.ip_forward stays off"
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.nsc0.forwarding)" 1 "forwarding on the bridge"
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.uplink.forwarding)" 1 "forwarding on the uplink (the default route)"
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.nsc0.route_localnet)" 0 "route_localnet stays off on the bridge"
assert_fail tsd_run nft list chain inet nscontain prerouting_raw
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.uplink.route_localnet)" 0 "route_localnet not on the uplink"
tsd_assert_journal nscontain-sidecar.service "Set net.ipv4.conf.nsc0.forwarding=1."

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
retry 5 no_elements_of b || true
assert_eq "$(elements_of b)" "" "no element of b after reconcile"
tsd_assert_journal nscontain-sidecar.service "Removed the nftables elements of b, which is not running."
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

step "published ports: from wan, from the test system's loopback and address, from another container"
start web b
web_addr=$(tsd_in_container web /bin/busybox ip -o -4 addr show dev eth0 | awk '{ print $4 }')
web_addr=${web_addr%/*}
assert_eq "$(elements_of web | sort)" "$(printf '%s\n' "masq4 $web_addr" \
        'publish4 {"concat":["127.0.0.1","tcp",8443]}' \
        'publish4 {"concat":["127.0.0.1","udp",5354]}' \
        'publish4_any {"concat":["tcp",8080]}' \
        'publish4_any {"concat":["udp",5353]}' | sort)" "web's elements"
wget_from_wan() { tsd_run timeout 10 ip netns exec wan busybox wget -qO- "$1"; }
assert_eq "$(wget_from_wan http://198.51.100.1:8080/)" "hello from web" "8080 from wan"
assert_eq "$(tsd_run timeout 10 busybox wget -qO- http://127.0.0.1:8080/)" "hello from web" "8080 from the test system's 127.0.0.1"
assert_eq "$(tsd_run timeout 10 busybox wget -qO- http://198.51.100.1:8080/)" "hello from web" "8080 from the test system's uplink address"
assert_eq "$(fetch b http://198.51.100.1:8080/)" "hello from web" "8080 from container b through the uplink address (hairpin)"
assert_eq "$(fetch b http://10.77.0.1:8080/)" "hello from web" "8080 from container b through the gateway"
assert_eq "$(tsd_run timeout 10 busybox wget -qO- http://127.0.0.1:8443/)" "hello from web" "127.0.0.1:8443 from the test system"
assert_fail wget_from_wan http://198.51.100.1:8443/
assert_fail fetch b http://198.51.100.1:8443/

step "the host's loopback: ::1, the relay's privileges, a container without a relay"
assert_eq "$(tsd_run timeout 10 busybox wget -qO- 'http://[::1]:8080/')" "hello from web" "8080 from the test system's ::1"
assert_fail tsd_run timeout 5 busybox wget -qO- 'http://[::1]:8443/'
for url in http://127.0.0.1:8080/big 'http://[::1]:8080/big'; do
        assert_eq "$(tsd_run sh -c 'timeout 30 busybox wget -qO- "$1" | sha256sum' sh "$url")" "$big_sum" "8 MiB through the relay ($url)"
done
# The relay of NAME: the nscontain-proxy process in container@NAME.service.
relay_of() {
        tsd_run sh -c 'for p in $(pgrep -x nscontain-proxy); do
                grep -q "/container@$1.service" /proc/$p/cgroup && echo $p; done; true' sh "$1"
}
relay=$(relay_of web)
[[ $relay =~ ^[0-9]+$ ]] || fail "web has no single relay process: '$relay'"
status=$(tsd_run cat "/proc/$relay/status")
assert_match "$status" $'Uid:\t65534\t65534\t65534\t65534' "the relay runs as nobody"
assert_match "$status" $'Gid:\t65534\t65534\t65534\t65534' "the relay's group is nogroup"
assert_match "$status" $'CapPrm:\t0000000000000000' "the relay has no permitted capability"
assert_match "$status" $'CapEff:\t0000000000000000' "the relay has no effective capability"
assert_match "$status" $'NoNewPrivs:\t1' "the relay has no_new_privs"
assert_eq "$(relay_of b)" "" "b (no publish) has no relay"
listening=$(tsd_run ss -Hlntup)
for a in 127.0.0.1:8080 '\[::1\]:8080' 127.0.0.1:8443 127.0.0.1:5353 '\[::1\]:5353'; do
        assert_match "$listening" "$a .*nscontain-proxy" "the relay listens on $a"
done
assert_not_contains "$listening" "[::1]:8443" "nothing on [::1]:8443"

step "ping with the default capabilities, as root and as another user"
b_addr=$(tsd_in_container b /bin/busybox ip -o -4 addr show dev eth0 | awk '{ print $4 }')
b_addr=${b_addr%/*}
for who in root app; do
        tsd_write "/etc/nscontain.d/ping-$who.json" "{\"rootfs\": \"$ROOT_P\", \"user\": \"$who\",
                \"command\": [\"/bin/sh\", \"-c\", \"id; grep CapEff /proc/self/status; /icmp-ping $b_addr \u0026\u0026 /icmp-ping 10.77.0.1\"]}"
done
tsd_run systemctl daemon-reload
for who in root app; do
        tsd_run systemctl start "container@ping-$who.service" || true
        tsd_wait_state "container@ping-$who.service" inactive 20 || fail "ping-$who did not finish: $(status_of "ping-$who")"
        out=$(tsd_journal "container@ping-$who.service")
        assert_contains "$out" "reply from $b_addr" "ping-$who pings b"
        assert_contains "$out" "reply from 10.77.0.1" "ping-$who pings the gateway"
        # Default capabilities: no CAP_NET_RAW in the effective set.
        assert_no_net_raw "$out" "ping-$who"
done
tsd_assert_journal container@ping-app.service "uid=1000(app)" "ping-app runs as app"

step "a UDP publish"
# The server runs in web's network namespace (busybox has no UDP server): it answers
# each datagram with the address it came from.
UDP='
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 53))
while True:
    data, peer = s.recvfrom(512)
    print("got", data.decode(), "from", peer[0], flush=True)
    s.sendto(("udp " + peer[0] + "\n").encode(), peer)'
tsd_run systemd-run -q --unit=web-udp.service nsenter -t "$(tsd_leader web)" -n python3 -c "$UDP"
UDP_CLIENT='
import socket, sys
s = socket.socket(socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1)
for i in range(5):
    s.sendto(b"ping", (sys.argv[1], int(sys.argv[2])))
    try:
        print(s.recvfrom(512)[0].decode().strip()); break
    except socket.timeout:
        pass
else:
    sys.exit(1)'
assert_eq "$(tsd_run ip netns exec wan python3 -c "$UDP_CLIENT" 198.51.100.1 5353)" "udp 198.51.100.2" "UDP 5353 from wan (the client's own address)"
# Through the relay the container sees its gateway, the host's address on the bridge.
udp_t0=$SECONDS # the relay's first UDP client
assert_eq "$(tsd_run python3 -c "$UDP_CLIENT" 127.0.0.1 5353)" "udp 10.77.0.1" "UDP 5353 from the test system's 127.0.0.1"
assert_eq "$(tsd_run python3 -c "$UDP_CLIENT" ::1 5353)" "udp 10.77.0.1" "UDP 5353 from the test system's ::1"
assert_eq "$(tsd_run python3 -c "$UDP_CLIENT" 127.0.0.1 5354)" "udp 10.77.0.1" "UDP 127.0.0.1:5354 from the test system"
# wan routes 127.0.0.1 to the test system and sends to 127.0.0.1:5354: the kernel drops
# the datagrams as martians, the DNAT must not turn them into datagrams for web first
# (no answer could come back, so web's server says what it got). wan's own loopback is
# not used again.
tsd_run ip netns exec wan sh -ec 'sysctl -qw net.ipv4.conf.wan0.route_localnet=1
        ip route del table local 127.0.0.0/8 dev lo
        ip route del table local 127.0.0.1 dev lo
        ip route add 127.0.0.1/32 via 198.51.100.1 dev wan0'
tsd_run ip netns exec wan python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(3):
    s.sendto(b"martian", ("127.0.0.1", 5354)); time.sleep(0.2)'
sleep 1
tsd_assert_journal web-udp.service "got ping from 10.77.0.1" "web's server logs what it gets"
assert_not_contains "$(tsd_journal web-udp.service)" "martian" "wan's datagrams for 127.0.0.1:5354 do not reach web"
tsd_run systemctl stop web-udp.service
# The relay keeps a socket connected to web per loopback client (127.0.0.1 and ::1 on
# 5353, 127.0.0.1 on 5354), until 60 s without traffic (checked before web's relay dies).
udp_flows() { tsd_run ss -Hun dst "$web_addr:53" | wc -l; }
no_udp_flows() { [[ $(udp_flows) == 0 ]]; }
(($(udp_flows) >= 3)) || fail "the relay holds no socket per UDP client: $(tsd_run ss -Hunp)"

step "a host port held by a running container: the second start is refused naming it"
assert_fail tsd_run systemctl start container@c.service
tsd_assert_status container@c.service "Host port 8080/tcp is published by the running container 'web'"
assert_eq "$(elements_of c)" "" "c has no element"
assert_eq "$(tsd_run ip -o link show type veth | grep -c 'nscontain:c$' || true)" 0 "c has no veth"
tsd_run systemctl reset-failed container@c.service

step "docs/SECURITY.md row 15: the test system's 127.0.0.1 services stay out of a container's reach"
# The attacker: b routes 127.0.0.1 to its gateway (what CAP_NET_ADMIN in its own
# network namespace allows), and the test system listens on 127.0.0.1 for UDP.
tsd_run nsenter -t "$(tsd_leader b)" -n sh -ec '
        sysctl -qw net.ipv4.conf.eth0.route_localnet=1
        ip route del table local 127.0.0.0/8 dev lo
        ip route del table local 127.0.0.1 dev lo
        ip route add 127.0.0.1/32 via 10.77.0.1 dev eth0'
LOCAL_UDP='
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 9999))
s.settimeout(3)
try:
    print(s.recvfrom(512)[0].decode())
except socket.timeout:
    print("nothing")'
attack() {
        tsd_run sh -c "python3 -c '$LOCAL_UDP' >/tmp/local-udp.out & sleep 0.5
                for i in 1 2 3; do nsenter -t $(tsd_leader b) -n python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b\"secret\", (\"127.0.0.1\", 9999))'; sleep 0.2; done
                wait; cat /tmp/local-udp.out"
}
assert_eq "$(attack)" "nothing" "b's datagrams to 127.0.0.1 do not reach the test system"
tsd_run sysctl -qw net.ipv4.conf.nsc0.route_localnet=1
assert_eq "$(attack)" "secret" "with route_localnet on the bridge they would (the attack is real)"
# What an earlier sidecar left on: the next start turns it off.
start a
assert_eq "$(tsd_run sysctl -n net.ipv4.conf.nsc0.route_localnet)" 0 "route_localnet is off again"
tsd_assert_journal nscontain-sidecar.service "Set net.ipv4.conf.nsc0.route_localnet=0."
assert_eq "$(attack)" "nothing" "and the datagrams do not arrive"
tsd_run systemctl stop container@a.service

step "a loopback port taken by another program fails the start, naming it"
tsd_run systemd-run -q --unit=squatter.service python3 -c 'import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 8090)); s.listen(); time.sleep(1000)'
retry 10 tsd_run sh -c 'ss -Hltn "sport = :8090" | grep -q 127.0.0.1' || fail "the squatter did not listen"
config busy "$ROOT_C" ', "network": {"publish": ["8090:80"]}'
tsd_run systemctl daemon-reload
assert_fail tsd_run systemctl start container@busy.service
tsd_assert_status container@busy.service "Host port 127.0.0.1:8090/tcp is in use by another program on the host"
assert_eq "$(elements_of busy)" "" "busy has no element"
assert_eq "$(tsd_run ip -o link show type veth | grep -c 'nscontain:busy$' || true)" 0 "busy has no veth"
assert_eq "$(relay_of busy)" "" "busy has no relay"
tsd_run systemctl stop squatter.service
tsd_run systemctl reset-failed container@busy.service

step "the relay forgets its UDP clients after 60 s without traffic"
((SECONDS - udp_t0 >= 55)) || sleep $((udp_t0 + 55 - SECONDS))
(($(udp_flows) >= 3)) || fail "the relay forgot its UDP clients before 60 s: $(tsd_run ss -Hunp)"
retry 20 no_udp_flows || fail "the relay still holds its UDP clients' sockets after 60 s: $(tsd_run ss -Hunp)"
tsd_run systemd-run -q --unit=web-udp2.service nsenter -t "$(tsd_leader web)" -n python3 -c "$UDP"
retry 10 tsd_run python3 -c "$UDP_CLIENT" 127.0.0.1 5353 >/dev/null || fail "UDP 5353 on 127.0.0.1 after the expiry"
assert_eq "$(udp_flows)" 1 "a new client, a new socket"
tsd_run systemctl stop web-udp2.service

step "the relay dies while web runs: the container stops with 123, saying why"
relay=$(relay_of web)
[[ $relay =~ ^[0-9]+$ ]] || fail "web has no relay"
tsd_run kill -KILL "$relay"
tsd_wait_state container@web.service failed 30 || fail "web did not fail after its relay died: $(status_of web)"
assert_eq "$(tsd_run systemctl show -P ExecMainStatus container@web.service)" 123 "the helper's exit status"
tsd_assert_status container@web.service \
        "Container web stopped: the loopback relay of its published ports (nscontain-proxy) was killed by SIGKILL"
tsd_assert_journal container@web.service \
        "web: The loopback relay of the published ports (nscontain-proxy) was killed by SIGKILL, stopping the container."
retry 10 no_elements_of web || fail "web's elements outlived its failure: $(elements_of web)"
assert_eq "$(tsd_run ss -Hltnu 'sport = :8080 or sport = :8443 or sport = :5353')" "" "nothing listens on web's ports"
tsd_run systemctl reset-failed container@web.service
start web
# The relay listens before READY=1; httpd in the container may still be starting.
web_answers_on_loopback() { [[ $(tsd_run timeout 5 busybox wget -qO- http://127.0.0.1:8080/) == "hello from web" ]]; }
retry 20 web_answers_on_loopback || fail "8080 on 127.0.0.1 does not answer after the restart: $(status_of web)"

step "a SIGKILL of the helper: the relay goes with it, nothing listens"
relay=$(relay_of web)
[[ $relay =~ ^[0-9]+$ ]] || fail "web has no relay"
tsd_run systemctl kill --kill-who=main -s KILL container@web.service
retry 20 tsd_run sh -c "! test -e /proc/$relay" || fail "the relay $relay outlived the helper"
assert_eq "$(tsd_run ss -Hltnu 'sport = :8080 or sport = :8443 or sport = :5353')" "" "nothing listens on web's ports"
assert_fail tsd_run timeout 5 busybox wget -qO- http://127.0.0.1:8080/
tsd_wait_state container@web.service failed 20 || tsd_wait_state container@web.service inactive 5 ||
        fail "web did not end: $(status_of web)"
tsd_run systemctl reset-failed container@web.service 2>/dev/null || true
start web

step "after the stop: web's elements are gone"
tsd_run systemctl stop container@web.service container@b.service
assert_eq "$(elements_of web)" "" "no element of web"
assert_fail wget_from_wan http://198.51.100.1:8080/
start c
assert_eq "$(elements_of c | grep -c publish4_any)" 1 "c takes 8080 once web is gone"
tsd_run systemctl stop container@c.service
for m in publish4 publish4_any; do
        assert_eq "$(tsd_run nft -j list map inet nscontain $m | jq '.nftables[1].map.elem // [] | length')" 0 "$m is empty"
done

test_done
