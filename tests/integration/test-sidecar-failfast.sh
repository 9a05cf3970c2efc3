#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A default container (user namespace + veth: it needs the sidecar) whose sidecar cannot
# run fails in under 5 s, and "systemctl status container@NAME" names the sidecar and
# why: masked, failing at exec (203/EXEC), failing to set up its namespace
# (226/NAMESPACE). Once the sidecar is fixed the next start works at once, although its
# unit still shows the earlier failure.
set -eu
. "$(dirname "$0")/../lib/lib.sh"
. "$NSC_SOURCE_DIR/tests/lib/testsystemd.sh"

tsd_setup helper busybox dbus
ROOT=$(tsd_mkrootfs a)
tsd_install
tsd_write /etc/nscontain.d/a.json "{\"rootfs\": \"$ROOT\", \"command\": [\"sleep\", \"1000\"]}"
tsd_boot
tsd_run systemctl start dbus.service
DROPIN=/etc/systemd/system/nscontain-sidecar.service.d/50-broken.conf

# fails_fast WHAT TEXT: starting container@a fails within 5 s and its status shows TEXT.
fails_fast() {
        local what=$1 text=$2 t0 ms
        t0=$(date +%s%N)
        assert_fail tsd_run systemctl start container@a.service
        ms=$((($(date +%s%N) - t0) / 1000000))
        echo "   $what: the start failed after $ms ms" >&2
        ((ms < 5000)) || fail "$what: the start took $ms ms to fail: $(tsd_status container@a.service)"
        tsd_assert_status container@a.service "$text" "$what"
        assert_eq "$(tsd_run systemctl is-active container@a.service || true)" failed "$what: unit state"
}

step "the sidecar masked"
tsd_run systemctl mask nscontain-sidecar.service
fails_fast masked "nscontain-sidecar.service is masked"
tsd_run systemctl unmask nscontain-sidecar.service

step "the sidecar failing at exec"
tsd_write "$DROPIN" $'[Service]\nExecStart=\nExecStart=/usr/libexec/nscontain/no-such-sidecar'
tsd_run systemctl daemon-reload
fails_fast "exec failure" \
        "nscontain-sidecar.service failed to start (203/EXEC): see journalctl -u nscontain-sidecar"

step "the sidecar failing to set up its mount namespace"
tsd_write "$DROPIN" $'[Service]\nReadWritePaths=/var/lib/no-such-directory'
tsd_run systemctl daemon-reload
fails_fast "namespace failure" \
        "nscontain-sidecar.service failed to start (226/NAMESPACE): see journalctl -u nscontain-sidecar"

step "fixed: the next start works without reset-failed"
tsd_run rm "$DROPIN"
tsd_run systemctl daemon-reload
assert_eq "$(tsd_run systemctl is-active nscontain-sidecar.service || true)" failed "the sidecar's unit before"
tsd_run systemctl start container@a.service || fail "start after the fix: $(tsd_status container@a.service)"
assert_eq "$(tsd_run systemctl is-active nscontain-sidecar.service)" active "the sidecar"

test_done
