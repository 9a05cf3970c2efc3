#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# test-package.sh DEBDIR: the Debian package (tests/package/build-deb.sh) in a booted test
# system: "dpkg -i" enables and starts nothing, yet the first default container (user
# namespace + veth) starts at once; "dpkg -r" keeps the administrator's configs;
# "dpkg --purge" leaves none of the package's files, directories or state behind.
set -eu
NSC_SOURCE_DIR=$(cd "$(dirname "$0")/../.." && pwd)
. "$NSC_SOURCE_DIR/tests/lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

debdir=${1:?usage: test-package.sh DEBDIR}
deb=$(ls "$debdir"/nscontain_*.deb 2>/dev/null | head -1)
[[ -n $deb ]] || skip "no nscontain_*.deb in $debdir (tests/package/build-deb.sh makes it)"
tsd_require
tsd_init package
ROOT=$(tsd_mkrootfs hello)
cp "$deb" "$TSD_FIXDIR/"
deb=$TSD_FIXDIR/${deb##*/}

step "a running system without nscontain"
tsd_boot
tsd_run systemctl start dbus.service
assert_fail tsd_run test -e /usr/lib/systemd/system/container@.service

step "dpkg -i: installed, nothing enabled or started"
# man-db's trigger would rebuild the whole manual index for our five pages (minutes).
tsd_run rm -f /var/lib/man-db/auto-update
# The test system's / is an overlay over the host's: what the host has there already
# is not the package's.
had_state=$(tsd_run test -e /var/lib/nscontain && echo yes || echo no)
tsd_run dpkg -i "$deb" >"$TSD_DIR/dpkg-i.log" 2>&1 || fail "dpkg -i failed: $(cat "$TSD_DIR/dpkg-i.log")"
assert_eq "$(tsd_run dpkg-query -W -f '${Status}' nscontain)" "install ok installed" "package state"
assert_eq "$(tsd_run systemctl is-enabled nscontain-sidecar.service || true)" static "the sidecar's unit"
assert_eq "$(tsd_run systemctl is-active nscontain-sidecar.service || true)" inactive "the sidecar before use"
assert_eq "$(tsd_run find /etc/systemd -lname '*nscontain*' -o -lname '*container@*' | wc -l)" 0 "symlinks enabling our units"
assert_eq "$(tsd_run stat -c %a /etc/nscontain.d)" 755 "/etc/nscontain.d (tmpfiles)"
tsd_run dpkg -L nscontain | sort >"$TSD_DIR/files"

step "the first container starts at once"
tsd_write /etc/nscontain.d/hello.json "{\"rootfs\": \"$ROOT\", \"command\": [\"sleep\", \"1000\"], \"init\": true}"
tsd_run systemctl daemon-reload
tsd_run systemctl start container@hello.service || fail "start failed: $(tsd_status container@hello.service)"
assert_eq "$(tsd_run systemctl is-active container@hello.service)" active "container@hello"
assert_match "$(tsd_run nscontain status --no-pager hello)" "Address: 10\\.77\\." "veth address"
# The container's stop releases its network through the sidecar (activating it again).
tsd_run systemctl stop container@hello.service

step "dpkg -r keeps the configs; --purge leaves nothing of the package"
tsd_run dpkg -r nscontain >"$TSD_DIR/dpkg-r.log" 2>&1 || fail "dpkg -r failed: $(cat "$TSD_DIR/dpkg-r.log")"
assert_ok tsd_run test -f /etc/nscontain.d/hello.json
assert_eq "$(tsd_run systemctl is-active nscontain-sidecar.service || true)" inactive "the sidecar after dpkg -r"
tsd_run dpkg --purge nscontain >"$TSD_DIR/dpkg-p.log" 2>&1 || fail "dpkg --purge failed: $(cat "$TSD_DIR/dpkg-p.log")"
# The administrator's own file stays even then; without it nothing is left.
assert_ok tsd_run test -f /etc/nscontain.d/hello.json
tsd_run rm /etc/nscontain.d/hello.json
tsd_run rmdir /etc/nscontain.d
# Directories other packages own too (/usr/share/man/man1, ...) stay.
left=$(tsd_run sh -c 'while read -r f; do
        [ "$f" = /. ] && continue
        if [ -d "$f" ]; then
                # Merged /usr: Debian 12 records /lib/..., not /usr/lib/...
                dpkg -S "$f" >/dev/null 2>&1 || dpkg -S "${f#/usr}" >/dev/null 2>&1 || echo "$f"
        elif [ -e "$f" ]; then echo "$f"; fi
done' <"$TSD_DIR/files")
assert_eq "$left" "" "files of the package left after purge"
for d in /var/lib/nscontain/sidecar.state /run/nscontain /usr/libexec/nscontain /etc/nscontain; do
        assert_fail tsd_run test -e "$d"
done
if [[ $had_state == no ]]; then
        assert_fail tsd_run test -e /var/lib/nscontain
else
        not_checked "/var/lib/nscontain is gone" "the host this test system overlays has one of its own"
fi
assert_eq "$(tsd_run dpkg-query -W -f '${Status}' nscontain 2>&1 || true)" \
        "dpkg-query: no packages found matching nscontain" "package state after purge"

test_done
