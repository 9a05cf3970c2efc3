#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "meson install" on a machine that is already running, as a new user does it: the
# build goes into the booted test system (no tmpfiles run, no reboot, dbus-daemon
# already up), then a config, daemon-reload, and the first default container (user
# namespace + veth) starts at once. The sidecar's unit makes its own state directory
# (StateDirectory=) and the container unit its own (StateDirectory=, RuntimeDirectory=),
# with the modes tmpfiles would have given them.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_setup helper probe busybox dbus jq
ROOT=$(tsd_mkrootfs hello --probe)

step "a running system without nscontain"
tsd_boot
tsd_run systemctl start dbus.service
for d in /var/lib/nscontain /run/nscontain /usr/lib/systemd/system/container@.service; do
        assert_fail tsd_run test -e "$d"
done

step "meson install into it, nothing else"
tsd_install
assert_ok tsd_run test -f /usr/lib/systemd/system/nscontain-sidecar.service
assert_fail tsd_run test -e /var/lib/nscontain
assert_fail tsd_run test -e /run/nscontain
tsd_write /etc/nscontain.d/hello.json \
        "{\"rootfs\": \"$ROOT\", \"command\": [\"/bin/sh\", \"-c\", \"/probe; exec sleep 1000\"]}"
tsd_run systemctl daemon-reload

step "the first default container starts at once"
t0=$(date +%s%N)
tsd_run systemctl start container@hello.service || fail "start failed: $(tsd_status container@hello.service)"
ms=$((($(date +%s%N) - t0) / 1000000))
echo "   first start after install: $ms ms" >&2
((ms < 10000)) || fail "the first start took $ms ms"
assert_eq "$(tsd_run systemctl is-active container@hello.service)" active "container@hello"
assert_eq "$(tsd_run systemctl is-active nscontain-sidecar.service)" active "the sidecar"
probe=
for i in $(seq 50); do
        probe=$(tsd_journal container@hello.service | grep '^{"pid"' | tail -n 1) || true
        [[ -n $probe ]] && break
        sleep 0.1
done
[[ -n $probe ]] || fail "no probe output: $(tsd_status container@hello.service)"
read -r inside base size <<<"$(jq -r .uid_map <<<"$probe")"
assert_eq "$inside $size" "0 65536" "user namespace with a range from the sidecar"
((base >= 0x80000)) || fail "range base $base below 0x80000"
assert_match "$(jq -r '[.interfaces[] | select(.name == "eth0") | .address | select(. != null and test("\\."))] | first' <<<"$probe")" \
        '^10\.77\.[0-9]+\.[0-9]+$' "eth0 address from the pool"

step "the directories came from the units, with tmpfiles' modes"
assert_eq "$(tsd_run stat -c '%a %U' /var/lib/nscontain)" "700 root" "/var/lib/nscontain"
assert_ok tsd_run test -s /var/lib/nscontain/sidecar.state
assert_eq "$(tsd_run stat -c '%a %U' /run/nscontain)" "700 root" "/run/nscontain"
assert_eq "$(tsd_run systemctl show -P StateDirectory nscontain-sidecar.service)" nscontain "sidecar StateDirectory="
# Stopping one container keeps the directories every other one shares.
tsd_run systemctl stop container@hello.service
assert_ok tsd_run test -d /run/nscontain
assert_ok tsd_run test -d /var/lib/nscontain
tsd_run systemctl start container@hello.service || fail "second start failed: $(tsd_status container@hello.service)"

test_done
