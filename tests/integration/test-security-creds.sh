#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# docs/SECURITY.md rows about what the payload inherits, through systemd and the probe:
#   2  leaked fds / cwd: the helper is started with extra fds (a directory among them);
#      the payload sees only 0-2 and getcwd() works.
#   6  capabilities carried over exec: the unit hands the helper ambient and
#      inheritable capabilities; the payload has CapInh = CapAmb = 0 and CapBnd = config.
#   7  ptrace of setup: with init: true, PID 1 (the mini-init) stays non-dumpable, so the
#      payload cannot open /proc/1/fd or /proc/1/exe, nor ptrace it. The same for the
#      process "nscontain exec" brings into a running container: stalled (failpoint)
#      after it took the container's credentials, while it still holds the host's stdin,
#      environment and binary, the payload cannot open any of them nor ptrace it, with
#      and without a user namespace (a process of the payload's own is the control).
#   8  TIOCSTI: denied by the filter even on a controlling pty (and with junk in the
#      upper 32 bits of the request); without the filter the same call works, so the
#      filter is what stops it.
#   and the i386 ABI: a denied syscall stays denied through int 0x80 (when the kernel
#   runs 32-bit code at all).
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper cli probe busybox jq dbus

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
/probe open /proc/1/fd/1 >/out/$n.fd1-of-1.json
/probe ptrace 1 >/out/$n.ptrace-1.json
/probe open-fds-of self >/out/$n.fds-of-self.json
/probe check-syscall32 288 >/out/$n.keyctl32.json 2>/dev/null || echo crashed >/out/$n.keyctl32.json
echo done >/out/$n.done
EOF
chmod 755 "$ROOT/check.sh"

# The payload as an attacker: waits for the process "nscontain exec" brings in (comm
# "nscontain") to run with the payload's own uids, gids and capabilities (from then on
# only its non-dumpability protects it), then tries to reach into it. A sleep of its own
# is the control: same credentials, dumpable.
cat >"$ROOT/watch.sh" <<'EOF'
#!/bin/sh
n=$1
creds() { grep -E '^(Uid|Gid|CapEff):' "$1"; }
mine=$(creds /proc/self/status)
/bin/busybox sleep 100000 </out/control &
/probe open /proc/$!/fd/0 >/out/$n.control-fd0.json
/probe open /proc/$!/environ >/out/$n.control-environ.json
echo ready >/out/$n.ready
while :; do
        for d in /proc/[0-9]*; do
                [ "$(cat "$d/comm" 2>/dev/null)" = nscontain ] || continue
                [ "$(creds "$d/status" 2>/dev/null)" = "$mine" ] || continue
                p=${d#/proc/}
                /probe open-fds-of "$p" >/out/$n.fds.json
                /probe open "$d/fd/0" >/out/$n.fd0.json
                /probe open "$d/exe" >/out/$n.exe.json
                /probe open "$d/environ" >/out/$n.environ.json
                /probe ptrace "$p" >/out/$n.ptrace.json
                cat "$d/fd/0" >/out/$n.stdin 2>&1
                cat "$d/environ" >/out/$n.environ 2>&1
                readlink "$d/exe" >/out/$n.exe 2>&1
                # Still before its exec: the tries met the process while it held all that.
                cat "$d/comm" >/out/$n.comm-after
                exec sleep 100000
        done
done
EOF
chmod 755 "$ROOT/watch.sh"
echo "a file of the payload's own" >"$OUT/control"

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
assert_json "$OUT/leak.json" '.fds | join(",")' "0,1,2" "only fds 0-2 in the payload"
assert_json "$OUT/leak.json" .cwd_errno 0 "getcwd() works"
assert_json "$OUT/leak.json" .cwd / "cwd inside the root"
assert_json "$OUT/leak.json" .CapAmb $ZERO "ambient set of the payload"
assert_json "$OUT/leak.json" .CapInh $ZERO "inheritable set of the payload"
assert_json "$OUT/leak.json" .CapBnd $TSD_CAPS_DEFAULT "bounding set equals the config"
assert_json "$OUT/leak.json" .CapEff $TSD_CAPS_DEFAULT "effective set equals the config"
assert_json "$OUT/leak.json" .NoNewPrivs 1 "NoNewPrivs"

step "row 7: the payload cannot look into or trace the mini-init"
run_container initc ', "init": true'
assert_json "$OUT/initc.json" '.pid > 1' true "the payload runs under the mini-init"
assert_json "$OUT/initc.fds-of-self.json" .errno 0 "the payload may open its own /proc/self/fd"
# The init is the exec stub, exec'd inside: its /proc/1/fd belongs to the container's
# root, who may list the numbers but follow none of them (ptrace access is needed), and
# it holds nothing from setup: 0-2, or less.
assert_json "$OUT/initc.fds-of-1.json" '[.fds[] | select(. > 2)] | length' 0 "PID 1 holds only fds 0-2"
assert_json "$OUT/initc.fd1-of-1.json" .errno 13 "open /proc/1/fd/1 (EACCES)"
assert_json "$OUT/initc.exe-of-1.json" .errno 13 "open /proc/1/exe (EACCES)"
assert_json "$OUT/initc.ptrace-1.json" .errno 1 "ptrace PID 1 (EPERM)"

step "row 7: a process joining through nscontain exec cannot be looked into while it holds host fds"
if [[ $(build_option failpoints) != true ]]; then
        not_checked "row 7 for nscontain exec" "built without -Dfailpoints=true: the joining process cannot be stalled"
else
        secret=host-secret-$RANDOM$RANDOM
        # Outside every container root: the command's stdin, and its environment.
        echo "$secret" >"$TSD_FIXDIR/secret"
        # joinn is the case that needs cli/exec.c's PR_SET_DUMPABLE (without it the
        # payload reads the secret): the command keeps host uid 0, the payload's own.
        # In joinu its setuid() into the range makes the kernel drop dumpability too.
        for n in joinn joinu; do
                if [[ $n == joinn ]]; then
                        ns='"namespaces": {"user": false}'
                else
                        ns="\"user_namespace\": {\"base\": $BASE}"
                fi
                tsd_write "/etc/nscontain.d/$n.json" "{
                        \"rootfs\": \"$ROOT\",
                        \"command\": [\"/bin/sh\", \"/watch.sh\", \"$n\"],
                        \"init\": true,
                        \"network\": {\"mode\": \"none\"},
                        $ns,
                        \"mounts\": [{\"source\": \"$OUT\", \"target\": \"/out\", \"idmap\": false}]
                }"
                tsd_run systemctl daemon-reload
                tsd_run systemctl start "container@$n.service" || fail "start of container@$n failed: $(status_of "$n")"
                retry 10 test -f "$OUT/$n.ready" || fail "$n: the watcher did not start: $(status_of "$n")"
                assert_json "$OUT/$n.control-fd0.json" .errno 0 "$n: control: the payload opens fd 0 of a dumpable process"
                assert_json "$OUT/$n.control-environ.json" .errno 0 "$n: control: and its environ"
                # The command process stalls 3 s right before its execve(), after
                # creds_apply(); the watcher acts within that window.
                step "$n: nscontain exec, stalled before the exec"
                assert_ok tsd_run env NSCONTAIN_FAILPOINT=exec:before-exec:delay=3000 NSC_TEST_SECRET="$secret" \
                        /usr/bin/nscontain exec "$n" -- /bin/busybox true <"$TSD_FIXDIR/secret"
                retry 5 test -f "$OUT/$n.comm-after" || fail "$n: the watcher never saw the joining process"
                assert_eq "$(<"$OUT/$n.comm-after")" nscontain "$n: the tries came before the command's exec"
                for f in fd0 exe environ; do
                        assert_json "$OUT/$n.$f.json" .errno 13 "$n: open of the joining process's $f (EACCES)"
                done
                # Without a user namespace the payload's root is the owner of the directory
                # (non-dumpable: root's) and may list the numbers, but follow none (above).
                if [[ $n == joinu ]]; then
                        assert_json "$OUT/$n.fds.json" .errno 13 "$n: open of the joining process's fd directory (EACCES)"
                fi
                assert_json "$OUT/$n.ptrace.json" .errno 1 "$n: ptrace of the joining process (EPERM)"
                for f in stdin environ exe; do
                        assert_not_contains "$(<"$OUT/$n.$f")" "$secret" "$n: the host's secret through /proc/PID/$f"
                done
                assert_not_contains "$(<"$OUT/$n.exe")" /usr/bin/nscontain "$n: the host binary through /proc/PID/exe"
                tsd_run systemctl stop "container@$n.service"
        done
fi

step "row 8: TIOCSTI"
assert_json "$OUT/initc.tiocsti.json" .pty.errno 1 "TIOCSTI on a controlling pty: EPERM"
assert_json "$OUT/initc.tiocsti.json" .pty_high.errno 1 "TIOCSTI with upper bits set: EPERM"
assert_json "$OUT/initc.tiocsti.json" .tiocsti.errno 1 "TIOCSTI on stdin: EPERM"
run_container nofilter ', "seccomp": false'
# The control: without the filter the same call reaches the tty (0, or EIO when the
# kernel's dev.tty.legacy_tiocsti is off). Anything but EPERM shows the filter decided.
assert_json "$OUT/nofilter.tiocsti.json" '.pty.errno | IN(0, 5)' true "TIOCSTI without the filter: done, or EIO"

step "the i386 ABI is filtered too"
# Whether this kernel runs i386 code at all: asked of the real probe on the host (a
# property of the machine, also when $NSC_TEST_PROBE replaces the one in the root).
host32=$("$NSC_BUILD_DIR/tests/probe" check-syscall32 288 2>/dev/null) || host32=
if [[ -z $host32 ]]; then
        not_checked "keyctl through int 0x80" "this kernel does not run i386 code (int 0x80 faults)"
else
        assert_json "$OUT/initc.keyctl32.json" .result -1 "keyctl through int 0x80: -EPERM"
fi

test_done
