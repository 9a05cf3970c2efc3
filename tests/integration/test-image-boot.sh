#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "boot": true on an image whose root has systemd (nscontain.json(5) "image", "boot"):
# the Debian root of test-boot.sh (tests/lib/mkdebian.sh) as an OCI image of two layers,
# imported at the first "systemctl start", booted with its own systemd as PID 1 on the
# overlay of its idmapped layers: the inner system reaches "running" with no failed
# unit, machined knows it, what it writes (its machine id, its journal) lands in the
# container's own layer and stays across a restart, the stop is a clean inner shutdown,
# and the store's layers are never written.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper cli dbus machined jq idmap
image_roots_needs
PY=$(command -v /usr/bin/python3 || command -v python3)
rc=0
ROOT=$("$TSD_LIBDIR/mkdebian.sh") || rc=$? # the cache, only read here
if ((rc == 77)); then
        exit 77 # mkdebian.sh said "skipped: …"
fi
((rc == 0)) || fail "mkdebian.sh failed ($rc)"

mkdir -p "$TSD_FIXDIR/state" "$TSD_FIXDIR/images"
tsd_bind "$TSD_FIXDIR/state" /var/lib/nscontain
tsd_bind "$TSD_FIXDIR/images" /srv/images
STORE=$TSD_FIXDIR/state/images

step "the image: the Debian root as a layer (GNU tar keeps its owners; /dev empty, as in images docker makes), a layer on top"
tar --numeric-owner --xattrs --xattrs-include='*' --exclude='./dev/*' -C "$ROOT" -cf "$TSD_FIXDIR/debian.tar" .
cat >"$TSD_FIXDIR/spec.json" <<EOF
{"tag": "12", "config": {"Labels": {"org.example.boot": "yes"}},
 "layers": [{"compression": "none", "tar": "$TSD_FIXDIR/debian.tar"},
  {"compression": "gzip", "entries": [{"name": "etc/motd", "data": "an image booted by nscontain\n"}]}]}
EOF
ID=$("$PY" "$TSD_LIBDIR/mkimage.py" "$TSD_FIXDIR/spec.json" "$TSD_FIXDIR/images/debian")
rm "$TSD_FIXDIR/debian.tar"

# Written before the boot: the generator makes the unit at the test system's start.
tsd_write /etc/nscontain.d/deb.json '{"image": "oci:/srv/images/debian:12", "boot": true}'
U=container@deb.service
tsd_install
tsd_boot
tsd_run systemctl start dbus.socket
inside() {
        tsd_run timeout 60 /usr/bin/nscontain exec deb -- env SYSTEMD_PAGER= "$@"
}
store_sum() { find "$STORE/layers" -mindepth 1 -printf '%p %y %s %m %U %G %T@\n' | sort | sha256sum; }

step "first start: import, then the inner systemd boots"
tsd_run timeout 300 systemctl start "$U" || fail "start failed: $(tsd_status "$U" 40)"
log=$(tsd_journal "$U")
assert_contains "$log" "deb: Imported oci:/srv/images/debian:12 as $ID." "imported at the first start"
assert_contains "$log" "Welcome to Debian" "the inner systemd's banner on the console"
state=$(inside systemctl is-system-running --wait 2>&1) || true
failed=$(inside systemctl list-units --failed --no-legend --plain 2>&1) || true
[[ $state == running ]] || fail "inner system is '$state'; failed units: $failed"
assert_eq "$failed" "" "failed units inside"
assert_eq "$(inside cat /etc/motd)" "an image booted by nscontain" "the top layer"
assert_eq "$(inside cat /run/host/container-manager)" nscontain "the container interface"
assert_match "$(inside cat /proc/1/comm)" '^(systemd|init)$' "PID 1 is the image's systemd"
assert_match "$(inside cat /proc/self/uid_map)" '^ +0 +[1-9][0-9]* +65536$' "its own user range"
assert_contains "$(tsd_run machinectl list --no-legend)" deb "machined knows it"
n=$(inside journalctl --no-pager -q -o cat | wc -l)
((n > 10)) || fail "the inner journal has $n lines"
mid=$(inside cat /etc/machine-id)
inside sh -c 'echo kept >/root/kept'
sum=$(store_sum)

step "stop: a clean inner shutdown; a restart keeps what the system wrote"
tsd_run systemctl stop "$U"
assert_eq "$(tsd_run systemctl show -p Result --value "$U")" success "Result after stop"
tsd_assert_journal "$U" "powered off" "the helper saw the inner power-off"
assert_ok test -f "$TSD_FIXDIR/state/containers/deb/upper/root/kept"
tsd_run timeout 300 systemctl start "$U" || fail "second start failed: $(tsd_status "$U" 40)"
assert_eq "$(inside cat /root/kept)" kept "a write kept across the restart"
assert_eq "$(inside cat /etc/machine-id)" "$mid" "the same machine id"
state=$(inside systemctl is-system-running --wait 2>&1) || true
[[ $state == running ]] || fail "inner system is '$state' after the restart"
tsd_run systemctl stop "$U"
assert_eq "$(store_sum)" "$sum" "the store's layers are unchanged by the booted system"
assert_eq "$(find "$STORE/layers" -mindepth 1 -maxdepth 1 ! -name '.*' | wc -l)" 2 "two layers in the store"

test_done
