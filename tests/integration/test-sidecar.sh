#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# nscontain-sidecar against a booted systemd with dbus-daemon: bus activation,
# introspection, uid ranges (aligned, stable across restarts and SIGKILL, avoiding host
# users), veth networking into a process's netns, idle exit, reconcile at start, and
# the refusals of docs/SECURITY.md row 12, each identical and without effect.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_require
[[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set"
command -v busctl >/dev/null || skip "busctl is not installed"
command -v dbus-send >/dev/null || skip "dbus-send is not installed"
[[ -x /usr/bin/python3 ]] || skip "python3 is needed to pass pidfds"
[[ -x /usr/bin/dbus-daemon ]] || skip "dbus-daemon is not installed"

DEST=org.nscontain.Sidecar1
OBJ=/org/nscontain/Sidecar1
STATE=/var/lib/nscontain/sidecar.state

tsd_init sidecar
tsd_install
root=$TSD_UPPER
# The transient units container@NAME.service below must not find the template.
find "$root" -name 'container@.service' -delete
# Where systemd and dbus look; fail clearly if the install put them elsewhere.
[[ -f $root/usr/share/dbus-1/system.d/$DEST.conf ]] || fail "D-Bus policy not installed in /usr/share/dbus-1/system.d"
[[ -f $root/usr/share/dbus-1/system-services/$DEST.service ]] || fail "activation file not installed"
unit=$(find "$root" -name nscontain-sidecar.service -path '*/systemd/system/*' | head -1)
[[ -n $unit ]] || fail "nscontain-sidecar.service not installed"
case $unit in
"$root"/usr/lib/systemd/system/* | "$root"/lib/systemd/system/*) ;;
*) fail "nscontain-sidecar.service installed outside the unit dir: ${unit#"$root"}" ;;
esac

# The helper's client module on the command line: passes pidfds, which busctl cannot.
# "nsc-call pid|file|dead|self NAME [PID] [OPTION=VALUE…]": SetupNetwork with the pidfd of
# PID, a plain file fd, the pidfd of a reaped child, or its own pidfd.
[[ -x $NSC_BUILD_DIR/sidecar/nsc-sidecar-call ]] || fail "sidecar/nsc-sidecar-call not built"
tsd_cp_in "$NSC_BUILD_DIR/sidecar/nsc-sidecar-call" /usr/local/bin/nsc-sidecar-call
tsd_write /usr/local/bin/nsc-call <<'EOF'
#!/bin/sh
kind=$1 name=$2
shift 2
exec nsc-sidecar-call setup "$name" "$kind" "$@"
EOF
chmod 755 "$root/usr/local/bin/nsc-call"
# A fast idle exit for the idle test; everything else keeps it busy enough.
mkdir -p "$root/etc/systemd/system/nscontain-sidecar.service.d"

tsd_boot
tsd_run systemctl start dbus.socket

sc() { tsd_run busctl call "$DEST" "$OBJ" "$DEST" "$@"; }
state() { tsd_run cat "$STATE" 2>/dev/null || true; }
# dbus-send shows the error name, busctl only the message.
ds() { tsd_run dbus-send --system --print-reply --dest="$DEST" "$OBJ" "$DEST.$1" "${@:2}" 2>&1 || true; }

step "bus activation and introspection"
assert_eq "$(tsd_run systemctl is-active nscontain-sidecar.service || true)" inactive "not running before the first call"
intro=$(tsd_run busctl introspect "$DEST" "$OBJ")
assert_contains "$intro" ".AcquireUserRange                   method    su        uu"
assert_contains "$intro" ".SetupNetwork                       method    sha{sv}   sssu"
assert_contains "$intro" ".ReleaseNetwork                     method    s         -"
assert_contains "$intro" ".ListContainers                     method    -         a(suss)"
assert_eq "$(tsd_run systemctl is-active nscontain-sidecar.service)" active "activated by the bus"

step "AcquireUserRange: aligned, in range, distinct, stable"
declare -A base
for n in web db a-long-container-name.with.dots-and-more-characters x; do
        out=$(sc AcquireUserRange su "$n" 0)
        read -r _ b size <<<"$out"
        assert_eq "$size" 65536 "size for $n"
        assert_eq $((b % 65536)) 0 "alignment of $n ($b)"
        ((b >= 0x80000 && b + size - 1 <= 0x6FFFFFFF)) || fail "range of $n outside the container range: $b"
        base[$n]=$b
done
assert_eq "$(printf '%s\n' "${base[@]}" | sort -u | wc -l)" 4 "four names, four ranges"
out=$(sc AcquireUserRange su web 131072)
assert_eq "$out" "uu ${base[web]} 131072" "web grows in place"
assert_eq "$(sc AcquireUserRange su web 65536)" "uu ${base[web]} 65536" "same start for a smaller request"
assert_contains "$(ds AcquireUserRange string:web uint32:1000)" "org.freedesktop.DBus.Error.InvalidArgs"
assert_contains "$(ds AcquireUserRange string:-bad uint32:0)" "Invalid container name"
tsd_run systemctl restart nscontain-sidecar.service
for n in "${!base[@]}"; do
        assert_eq "$(sc AcquireUserRange su "$n" 0)" "uu ${base[$n]} 65536" "$n after a restart"
done
assert_eq "$(tsd_run stat -c %a /var/lib/nscontain)" 700 "state dir mode"
assert_eq "$(tsd_run stat -c %a "$STATE")" 600 "state file mode"

step "AcquireUserRange: skips a range holding a host user"
# Forget "x" and put a host user inside its range: it must get another one.
tsd_run systemctl stop nscontain-sidecar.service
tsd_run sed -i '/ x /d' "$STATE"
hostuid=$((base[x] + 4242))
tsd_run sh -c "echo 'rangeuser:x:$hostuid:$hostuid::/:/bin/false' >>/etc/passwd"
read -r _ b size <<<"$(sc AcquireUserRange su x 0)"
assert_match "$b:$size" '^[0-9]+:[0-9]+$' "AcquireUserRange's answer"
assert_ne "$b" "${base[x]}" "x moved away from host uid $hostuid"
((hostuid < b || hostuid > b + size - 1)) || fail "new range $b of x holds host uid $hostuid"
base[x]=$b

step "AcquireUserRange: SIGKILL at any moment loses nothing that was answered"
tsd_run sh -c 'i=0; while [ $i -lt 60 ]; do
        busctl --timeout=5 call org.nscontain.Sidecar1 /org/nscontain/Sidecar1 org.nscontain.Sidecar1 \
                AcquireUserRange su k$i 0 2>/dev/null | sed "s/^/k$i /"; i=$((i+1)); done' >"$TSD_DIR/killed.out" &
caller=$!
for i in 1 2 3; do
        sleep 0.3
        tsd_run systemctl kill -s KILL nscontain-sidecar.service 2>/dev/null || true
done
wait "$caller" || true
tsd_run systemctl reset-failed nscontain-sidecar.service 2>/dev/null || true
answered=$(wc -l <"$TSD_DIR/killed.out")
((answered > 10)) || fail "only $answered calls answered during the kills"
while read -r n _ b size; do
        assert_eq "$(sc AcquireUserRange su "$n" 0)" "uu $b $size" "$n after SIGKILLs"
done <"$TSD_DIR/killed.out"
ranges=$(tsd_run awk '$1 == "range" { print $3 }' "$STATE")
assert_eq "$(sort <<<"$ranges" | uniq -d)" "" "no range handed out twice"
for n in "${!base[@]}"; do
        assert_eq "$(sc AcquireUserRange su "$n" 0)" "uu ${base[$n]} 65536" "$n after the kills"
done

step "SetupNetwork: veth into a fresh netns, on the bridge, address from the pool"
# The caller and the process behind the pidfd share one unit, as helper and payload do.
tsd_run systemd-run -q --unit=container@web.service -p Type=exec sh -c \
        'unshare -n sleep 1000 & p=$!; sleep 0.2; echo $p >/run/web.pid
         nsc-call pid web $p >/run/web.out 2>&1; echo $? >/run/web.rc; wait'
retry 10 tsd_run test -s /run/web.rc
assert_eq "$(tsd_run cat /run/web.rc)" 0 "SetupNetwork for web: $(tsd_run cat /run/web.out)"
read -r ifname addr gw mtu addr6 gw6 <<<"$(tsd_run cat /run/web.out)"
assert_eq "$ifname" nsc-web "host interface"
assert_match "$addr" '^10\.77\.[0-9]+\.[0-9]+/16$' "address from the pool"
assert_eq "$gw" 10.77.0.1 "gateway"
assert_eq "$mtu" 1500 "mtu"
# SetupNetworkEx: an address of the IPv6 pool (a ULA /64 by default), its gateway ::1.
read -r net6 first6 <<<"$(python3 -c 'import ipaddress, sys
i = ipaddress.ip_interface(sys.argv[1])
print(i.network if i.network.subnet_of(ipaddress.ip_network("fd00::/8")) else "-", i.network[1])' "$addr6")"
assert_match "$net6" '^fd[0-9a-f:]+::/64$' "IPv6 address from the pool, a ULA /64: $addr6"
assert_eq "$gw6" "$first6" "IPv6 gateway: the pool's first address"
link=$(tsd_run ip -o link show nsc-web)
assert_contains "$link" "master nsc0"
# Administratively up; the carrier comes when the helper brings the peer up inside.
assert_contains "$link" ",UP>"
assert_contains "$(tsd_run ip -o link show nsc-web)" "alias nscontain:web"
assert_contains "$(tsd_run ip -o -4 addr show nsc0)" "10.77.0.1/16"
webpid=$(tsd_run cat /run/web.pid)
assert_contains "$(tsd_run nsenter -t "$webpid" -n ip -o link show host0)" "host0"
assert_contains "$(tsd_run ip -o link show type veth)" "nsc-web"
list=$(sc ListContainers)
assert_contains "$list" "\"web\" ${base[web]} \"$addr\" \"nsc-web\""

# A long NAME gets a unique short interface name; a second start gets the same address.
long=a-long-container-name.with.dots-and-more-characters
tsd_run systemd-run -q --unit="container@$long.service" -p Type=exec sh -c \
        "unshare -n sleep 1000 & p=\$!; sleep 0.2; nsc-call pid $long \$p mtu=1400 >/run/long.out 2>&1; echo \$? >/run/long.rc; wait"
retry 10 tsd_run test -s /run/long.rc
assert_eq "$(tsd_run cat /run/long.rc)" 0 "SetupNetwork for $long: $(tsd_run cat /run/long.out)"
read -r lifname laddr _ lmtu laddr6 _ <<<"$(tsd_run cat /run/long.out)"
assert_eq "${#lifname}" 15 "long name's interface name length"
assert_match "$lifname" '^nsc-a-lon-[0-9a-f]{5}$'
assert_eq "$lmtu" 1400 "mtu option"
assert_match "$laddr" '^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$' "long name's address"
assert_ne "$laddr" "$addr" "distinct addresses"
tsd_run systemctl stop "container@$long.service"
retry 10 sh -c "! nsenter -t $TSD_PID -n ip link show $lifname"
tsd_run systemctl reset-failed "container@$long.service" 2>/dev/null || true
tsd_run rm -f /run/long.rc
tsd_run systemd-run -q --unit="container@$long.service" -p Type=exec sh -c \
        "unshare -n sleep 1000 & p=\$!; sleep 0.2; nsc-call pid $long \$p >/run/long.out 2>&1; echo \$? >/run/long.rc; wait"
retry 10 tsd_run test -s /run/long.rc
read -r _ laddr2 _ _ laddr62 _ <<<"$(tsd_run cat /run/long.out)"
assert_eq "$laddr2" "$laddr" "same address on the next start"
assert_ne "$laddr6" "$addr6" "distinct IPv6 addresses"
assert_eq "$laddr62" "$laddr6" "same IPv6 address on the next start"

step "ReleaseNetwork"
assert_eq "$(sc ReleaseNetwork s "$long")" "" "release"
assert_fail tsd_run ip link show "$lifname"
assert_eq "$(sc ReleaseNetwork s "$long")" "" "releasing twice is fine"
assert_ok tsd_run ip link show nsc-web

step "a network value the sidecar refuses: validate and the generator refuse it in its words"
# lib/sidecar-bus.h: one rule and one wording for SetupNetwork and the config parser,
# so that a config "nscontain validate" accepts never fails at start for its network.
gen=$(cd "$root" && find . -path '*/system-generators/nscontain-generator' | head -1)
gen=${gen#.}
[[ -n $gen ]] || fail "nscontain-generator is not installed"
i=0
for kv in address=10.77.9.9/31 address=10.77.9.9/32 address=fd77::9/64 address=10.77.0.0/16 \
        address=10.77.0.5 gateway=fd77::1 gateway=10.77.0.1/16 "bridge=br 0" mtu=67 address6=fd00:dead::5; do
        key=${kv%%=*} value=${kv#*=} n=refused$i
        i=$((i + 1))
        tsd_run systemd-run -q --unit="container@$n.service" -p Type=exec sh -c \
                "unshare -n sleep 1000 & p=\$!; sleep 0.2; nsc-call pid $n \$p '$kv' >/run/$n.out 2>&1; echo \$? >/run/$n.rc; kill \$p"
        retry 10 tsd_run test -s "/run/$n.rc"
        said=$(tsd_run cat "/run/$n.out")
        assert_eq "$(tsd_run cat "/run/$n.rc")" 1 "SetupNetwork refuses $kv: $said"
        prefix="Call failed: Option '$key': "
        [[ $said == "$prefix"?* ]] || fail "the sidecar's refusal of $kv: $said"
        words=${said#"$prefix"}
        json="\"$value\""
        [[ $key != mtu ]] || json=$value
        tsd_write "/etc/nscontain.d/$n.json" \
                "{\"rootfs\": \"/\", \"command\": [\"/bin/true\"], \"network\": {\"$key\": $json}}"
        rc=0
        out=$(tsd_run nscontain validate "/etc/nscontain.d/$n.json" 2>&1) || rc=$?
        # address6 against the pool is a check of this machine (lib/preflight.c), the
        # first of them: the others find more about rootfs "/" after it.
        [[ $key != address6 ]] || out=$(head -n 1 <<<"$out")
        assert_eq "$rc:$out" "1:$n.json: network.$key: $words" "nscontain validate on $kv"
        rc=0
        out=$(tsd_run "$gen" --dry-run "/etc/nscontain.d/$n.json" 2>&1 >/dev/null) || rc=$?
        [[ $key != address6 ]] || out=$(head -n 1 <<<"$out")
        assert_eq "$rc:$out" "1:nscontain-generator: $n.json: network.$key: $words" "the generator on $kv"
        tsd_run rm -f "/etc/nscontain.d/$n.json"
done
assert_eq "$i" 10 "every value was tried"
# Nothing of theirs was made: no veth, no reservation.
assert_not_contains "$(tsd_run ip -o link show)" "nsc-refused" "no veth for a refused call"
assert_not_contains "$(state)" "refused" "no reservation for a refused call"

step "refusals: all the same AccessDenied, none changes anything"
before=$(state)
links_before=$(tsd_run ip -o link show | awk '{ print $2 }' | sort)
denied() {
        local what=$1 out
        shift
        out=$("$@" 2>&1) && fail "$what: succeeded: $out"
        assert_eq "$out" "Call failed: Access denied" "$what"
}
# The bus policy stops a non-root caller first.
out=$(tsd_run setpriv --reuid=65534 --regid=65534 --clear-groups dbus-send --system --print-reply \
        --dest="$DEST" "$OBJ" "$DEST.AcquireUserRange" string:web uint32:0 2>&1 || true)
assert_contains "$out" "org.freedesktop.DBus.Error.AccessDenied" "non-root stopped by the bus policy"
# With the policy opened up for the test, the sidecar itself refuses the same way.
tsd_write /etc/dbus-1/system.d/zz-test-open.conf <<'EOF'
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig><policy context="default"><allow send_destination="org.nscontain.Sidecar1"/></policy></busconfig>
EOF
tsd_run busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig
denied "non-root caller" tsd_run setpriv --reuid=65534 --regid=65534 --clear-groups \
        busctl call "$DEST" "$OBJ" "$DEST" AcquireUserRange su newname 0
denied "non-root ListContainers" tsd_run setpriv --reuid=65534 --regid=65534 --clear-groups \
        busctl call "$DEST" "$OBJ" "$DEST" ListContainers
out=$(tsd_run setpriv --reuid=65534 --regid=65534 --clear-groups dbus-send --system --print-reply \
        --dest="$DEST" "$OBJ" "$DEST.AcquireUserRange" string:web uint32:0 2>&1 || true)
assert_eq "$out" "Error org.freedesktop.DBus.Error.AccessDenied: Access denied" "error name and message"
tsd_run rm /etc/dbus-1/system.d/zz-test-open.conf
tsd_run busctl call org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus ReloadConfig

# From inside container@a.service: for "a" yes, for "b" no.
inunit() {
        local u=$1
        shift
        tsd_run systemd-run -q --wait --pipe --collect --unit="$u" -p Type=exec "$@"
}
assert_match "$(inunit container@a.service busctl call "$DEST" "$OBJ" "$DEST" AcquireUserRange su a 0)" '^uu [0-9]+ 65536$'
before=$(state)
denied "container@a asks for b" inunit container@a.service busctl call "$DEST" "$OBJ" "$DEST" AcquireUserRange su b 0
denied "container@a releases web" inunit container@a.service busctl call "$DEST" "$OBJ" "$DEST" ReleaseNetwork s web
assert_ok tsd_run ip link show nsc-web
# Pidfds: a reaped child, a plain file, a process of another unit (PID 1), a process in
# the host's network namespace, all from the unit of the named container.
denied "dead pid's pidfd" inunit container@c.service nsc-call dead c
denied "plain file fd" inunit container@c.service nsc-call file c
denied "pidfd of another unit's process" inunit container@c.service nsc-call pid c 1
denied "pidfd of a process in the host netns" inunit container@c.service nsc-call self c
denied "pidfd of web's payload from c" inunit container@c.service nsc-call pid c "$webpid"
denied "root outside units, pidfd of web's payload" tsd_run nsc-call pid web "$webpid"
assert_eq "$(state)" "$before" "state unchanged by the refused calls"
assert_eq "$(tsd_run ip -o link show | awk '{ print $2 }' | sort)" "$links_before" "no interface made or removed"

step "reconcile at start: stale veths go, running containers' stay"
tsd_run ip link add nsc-ghost type veth peer name ghostpeer
tsd_run ip link set nsc-ghost alias nscontain:ghost
tsd_run ip link add nsc-half type veth peer name halfpeer
tsd_run systemctl restart nscontain-sidecar.service
# The restart returns once the sidecar owns its name, before its reconcile ran; calls
# are answered only after it: one round trip, then the links are as reconcile left them.
sc ListContainers >/dev/null
assert_fail tsd_run ip link show nsc-ghost
assert_fail tsd_run ip link show nsc-half
assert_ok tsd_run ip link show nsc-web
tsd_assert_journal nscontain-sidecar.service "Removed nsc-ghost, the network of ghost, which is not running."

step "a veth left by an earlier start of the same container is replaced"
tsd_run systemd-run -q --unit=container@again.service -p Type=exec sh -c \
        'unshare -n sleep 1000 & p=$!; sleep 0.2; nsc-call pid again $p >/run/again1.out 2>&1 &&
         nsc-call pid again $p >/run/again2.out 2>&1; echo $? >/run/again.rc; wait'
retry 10 tsd_run test -s /run/again.rc
assert_eq "$(tsd_run cat /run/again.rc)" 0 "second SetupNetwork: $(tsd_run cat /run/again2.out)"
assert_eq "$(tsd_run ip -o link show type veth | grep -c 'alias nscontain:again')" 1 "one veth for 'again'"
assert_eq "$(tsd_run cat /run/again1.out | cut -d' ' -f2)" "$(tsd_run cat /run/again2.out | cut -d' ' -f2)" "same address"
# Stopping the container ends its netns, and the kernel takes the pair with it.
tsd_run systemctl kill -s KILL container@again.service
retry 10 sh -c "! nsenter -t $TSD_PID -n ip link show nsc-again"

step "idle exit and re-activation"
tsd_write /etc/systemd/system/nscontain-sidecar.service.d/idle.conf <<EOF
[Service]
ExecStart=
ExecStart=$(tsd_run systemctl show -P ExecStart nscontain-sidecar.service | sed -n 's/.*path=\([^ ;]*\).*/\1/p') --idle-timeout=1
EOF
tsd_run systemctl daemon-reload
tsd_run systemctl restart nscontain-sidecar.service
retry 10 sh -c "[ \"\$(nsenter -t $TSD_PID -a systemctl is-active nscontain-sidecar.service)\" = inactive ]" ||
        fail "the sidecar did not exit when idle"
assert_eq "$(sc AcquireUserRange su web 0)" "uu ${base[web]} 65536" "answered after re-activation"
assert_eq "$(tsd_run systemctl show -P NRestarts nscontain-sidecar.service)" 0

test_done
