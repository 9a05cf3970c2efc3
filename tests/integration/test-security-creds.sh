#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# SECURITY.md rows about what the payload inherits, through systemd and the probe:
#   2  leaked fds / cwd: the helper is started with extra fds (a directory among them);
#      the payload sees only 0-2 and getcwd() works.
#   6  capabilities carried over exec: the unit hands the helper ambient and
#      inheritable capabilities; the payload has CapInh = CapAmb = 0 and CapBnd = config.
#   7  ptrace of setup: with init: true, PID 1 (the mini-init) stays non-dumpable, so the
#      payload cannot open /proc/1/fd or /proc/1/exe, nor ptrace it.
#   8  TIOCSTI: denied by the filter even on a controlling pty (and with junk in the
#      upper 32 bits of the request); without the filter the same call works, so the
#      filter is what stops it.
#   and the i386 ABI: a denied syscall stays denied through int 0x80 (when the kernel
#   runs 32-bit code at all).
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper probe busybox jq

BASE=524288
ZERO=0000000000000000

ROOT=$(tsd_mkrootfs root --probe)
OUT=$TSD_FIXDIR/out
mkdir -p "$OUT"
chown "$BASE:$BASE" "$OUT"
chmod 0777 "$OUT"

cat >"$ROOT/check.sh" <<'EOF'
#!/bin/sh
n=$1
/probe >/out/$n.json
/probe tiocsti >/out/$n.tiocsti.json
/probe open-fds-of 1 >/out/$n.fds-of-1.json
/probe open /proc/1/exe >/out/$n.exe-of-1.json
/probe ptrace 1 >/out/$n.ptrace-1.json
/probe open-fds-of self >/out/$n.fds-of-self.json
/probe check-syscall32 288 >/out/$n.keyctl32.json 2>/dev/null || echo crashed >/out/$n.keyctl32.json
echo done >/out/$n.done
/probe open /proc/1/fd/1 >/out/$n.fd1-of-1.json
EOF
chmod 755 "$ROOT/check.sh"

tsd_install
tsd_boot

HELPER=$(tsd_run systemctl show -P ExecStart container@x.service | sed -n 's/^{ path=\([^ ;]*\).*/\1/p')
[[ -n $HELPER ]] || HELPER=$(cd "$(tsd_root)" && find usr -path '*/nscontain/nscontain-helper' | head -n1 | sed 's|^|/|')
[[ -n $HELPER ]] || fail "cannot find the installed helper"

status_of() { tsd_status "container@$1.service"; }

# run_container NAME EXTRA_JSON [DROPIN]: like test-helper-creds.sh, plus an optional
# unit drop-in (the way an administrator would start the helper differently).
run_container() {
        local name=$1 extra=$2 dropin=${3:-}
        tsd_write "/etc/nscontain.d/$name.json" "{
                \"rootfs\": \"$ROOT\",
                \"command\": [\"/bin/sh\", \"/check.sh\", \"$name\"],
                \"network\": {\"mode\": \"none\"},
                \"user_namespace\": {\"base\": $BASE},
                \"mounts\": [{\"source\": \"$OUT\", \"target\": \"/out\", \"idmap\": false}]
                $extra
        }"
        if [[ -n $dropin ]]; then
                tsd_write "/etc/systemd/system/container@$name.service.d/90-test.conf" "$dropin"
        fi
        tsd_run systemctl daemon-reload
        tsd_run systemctl start "container@$name.service" || fail "start of container@$name failed: $(status_of "$name")"
        tsd_wait_state "container@$name.service" inactive 20 || fail "container@$name did not finish: $(status_of "$name")"
        [[ -f $OUT/$name.done ]] || fail "container@$name did not run its checks: $(status_of "$name")"
}

q() { # q FILE JQ-FILTER
        jq -r "$2" "$OUT/$1.json"
}

step "row 2 and 6: a helper started with extra fds and ambient/inheritable capabilities"
# The shell plants fd 7 (a directory outside the container) and fd 8 (a host file)
# before exec'ing the helper; systemd raises CAP_NET_RAW and CAP_SYS_ADMIN into the
# helper's ambient (hence inheritable) sets.
run_container leak ', "init": false' "[Service]
AmbientCapabilities=CAP_NET_RAW CAP_SYS_ADMIN
ExecStart=
ExecStart=/bin/bash -c 'exec 7</etc 8</etc/passwd 9<>/dev/null; exec $HELPER %i'"
# The planted fds really reached the helper: its ExecStart ran through bash.
assert_contains "$(tsd_run systemctl show -P ExecStart container@leak.service)" "exec 7</etc" "the drop-in is in effect"
assert_eq "$(q leak '.fds | join(",")')" "0,1,2" "only fds 0-2 in the payload"
assert_eq "$(q leak .cwd_errno)" 0 "getcwd() works"
assert_eq "$(q leak .cwd)" / "cwd inside the root"
assert_eq "$(q leak .CapAmb)" $ZERO "ambient set of the payload"
assert_eq "$(q leak .CapInh)" $ZERO "inheritable set of the payload"
assert_eq "$(q leak .CapBnd)" $TSD_CAPS_DEFAULT "bounding set equals the config"
assert_eq "$(q leak .CapEff)" $TSD_CAPS_DEFAULT "effective set equals the config"
assert_eq "$(q leak .NoNewPrivs)" 1 "NoNewPrivs"

step "row 7: the payload cannot look into or trace the mini-init"
run_container initc ', "init": true'
assert_ne "$(q initc .pid)" 1 "the payload runs under the mini-init"
assert_eq "$(jq -r .errno "$OUT/initc.fds-of-self.json")" 0 "the payload may open its own /proc/self/fd"
# The init is the exec stub, exec'd inside: its /proc/1/fd belongs to the container's
# root, who may list the numbers but follow none of them (ptrace access is needed), and
# it holds nothing from setup: 0-2, or less.
assert_eq "$(jq -r '[.fds[] | select(. > 2)] | length' "$OUT/initc.fds-of-1.json")" 0 "PID 1 holds only fds 0-2"
assert_ne "$(jq -r .errno "$OUT/initc.fd1-of-1.json")" 0 "open /proc/1/fd/1"
assert_ne "$(jq -r .errno "$OUT/initc.exe-of-1.json")" 0 "open /proc/1/exe"
assert_ne "$(jq -r .errno "$OUT/initc.ptrace-1.json")" 0 "ptrace PID 1"

step "row 8: TIOCSTI"
assert_eq "$(jq -r .pty.errno "$OUT/initc.tiocsti.json")" 1 "TIOCSTI on a controlling pty: EPERM"
assert_eq "$(jq -r .pty_high.errno "$OUT/initc.tiocsti.json")" 1 "TIOCSTI with upper bits set: EPERM"
assert_ne "$(jq -r .tiocsti.errno "$OUT/initc.tiocsti.json")" 0 "TIOCSTI on stdin"
run_container nofilter ', "seccomp": false'
# The control: without the filter the same call reaches the tty (0, or EIO when the
# kernel's dev.tty.legacy_tiocsti is off). Anything but EPERM shows the filter decided.
assert_ne "$(jq -r .pty.errno "$OUT/nofilter.tiocsti.json")" 1 "TIOCSTI without the filter"

step "the i386 ABI is filtered too"
host32=$("$NSC_BUILD_DIR/tests/probe" check-syscall32 288 2>/dev/null) || host32=
if [[ -z $host32 ]]; then
        echo "note: this kernel does not run i386 code (int 0x80 faults): i386 check not possible" >&2
else
        assert_eq "$(jq -r .result "$OUT/initc.keyctl32.json")" -1 "keyctl through int 0x80: -EPERM"
fi

test_done
