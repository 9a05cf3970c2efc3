#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The helper's life cycle through a booted systemd (helper/main.c, spawn.c, init.c,
# supervisor.c): a start is active only once the payload has been exec'd, output goes
# to the journal, exit codes (0, 3, 128+9, 125, 126, 127) come through, restart on
# failure, stop forwarding and the stop_timeout SIGKILL, the init reaping zombies, the
# supervisor's memory, and docs/SECURITY.md row 1 (/proc/self/exe must not reach a writable
# helper binary), with and without a user namespace.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper busybox jq idmap

BASE=524288 # 0x80000: the fixed uid range of these containers

# Fixtures on the host's own filesystem (overlayfs refuses idmapped mounts).
FIX=$TSD_FIXDIR

ROOT=$FIX/root
"$TSD_LIBDIR/mkrootfs.sh" "$ROOT" >&2
OUT=$FIX/out
mkdir -p "$OUT"

# A root whose /bin/sh is "#!/proc/self/exe" (CVE-2019-5736). The helper's shared
# libraries are copied in, so that the helper binary, if the kernel runs it in there,
# really starts (in a plain busybox root its ELF interpreter would be missing).
EVIL=$FIX/evil
"$TSD_LIBDIR/mkrootfs.sh" "$EVIL" >&2
rm -f "$EVIL/bin/sh"
printf '#!/proc/self/exe\n' >"$EVIL/bin/sh"
chmod 755 "$EVIL/bin/sh"
while read -r lib; do
        mkdir -p "$EVIL$(dirname "$lib")"
        cp -L "$lib" "$EVIL$lib"
done < <(ldd "$NSC_BUILD_DIR/helper/nscontain-helper" "$NSC_BUILD_DIR/cli/nscontain" |
        awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && NF == 2 { print $1 }' | sort -u)
cat >"$EVIL/attack.sh" <<'EOF'
#!/bin/busybox sh
# PID 1 is the container's init (the exec stub): try to read it and to overwrite it; and
# run /bin/sh, whose "#!/proc/self/exe" leads back to busybox here.
o=/out/attack-$1
: >$o
i=0
while [ $i -lt 20 ]; do
        /bin/sh 2>/dev/null
        cat /proc/1/exe >/dev/null 2>&1 && echo "READ /proc/1/exe" >>$o
        (echo pwned >>/proc/1/exe) 2>/dev/null && echo "WROTE /proc/1/exe" >>$o
        (echo pwned >/proc/1/exe) 2>/dev/null && echo "TRUNCATED /proc/1/exe" >>$o
        i=$((i + 1))
done
echo done >>$o
EOF
chmod 755 "$EVIL/attack.sh"

tsd_install
tsd_boot

HELPER=$(cd "$TSD_UPPER" && find . -path '*/nscontain/nscontain-helper' -type f | head -1)
[[ -n $HELPER ]] || fail "the helper is not installed in the test system"
HELPER=${HELPER#.}

# conf NAME JSON-MEMBERS: a container on $ROOT with a fixed uid range, no network, and
# $OUT at /out; JSON-MEMBERS are more members of the config object.
conf() {
        tsd_write "/etc/nscontain.d/$1.json" "{
                \"rootfs\": \"${ROOTFS:-$ROOT}\",
                \"network\": {\"mode\": \"none\"},
                \"user_namespace\": {\"base\": $BASE},
                \"mounts\": [{\"source\": \"$OUT\", \"target\": \"/out\"}],
                $2
        }"
}
# conf_nouserns NAME JSON-MEMBERS: the same without a user namespace.
conf_nouserns() {
        tsd_write "/etc/nscontain.d/$1.json" "{
                \"rootfs\": \"${ROOTFS:-$ROOT}\",
                \"network\": {\"mode\": \"none\"},
                \"namespaces\": {\"user\": false},
                \"mounts\": [{\"source\": \"$OUT\", \"target\": \"/out\"}],
                $2
        }"
}
unit() {
        echo "container@$1.service"
}
prop() { # prop NAME PROPERTY
        tsd_run systemctl show -p "$2" --value "$(unit "$1")"
}
status_of() {
        tsd_status "$(unit "$1")" 20
}
start() {
        tsd_run systemctl start "$(unit "$1")"
}
# The container's PID 1 (in the test system's pid namespace): the helper's child.
container_pid1() {
        tsd_run pgrep -P "$(prop "$1" MainPID)"
}
wait_state() { # wait_state NAME STATE [SECS]
        tsd_wait_state "$(unit "$1")" "$2" "${3:-20}" || fail "$(unit "$1") is not $2: $(status_of "$1")"
}

hash_before=$(sha256sum "$TSD_UPPER$HELPER" | cut -d' ' -f1)

step "start: active once the payload runs, its output in the journal, READY and STATUS from the helper"
conf web '"command": ["/bin/sh", "-c", "echo hello-from-web; echo started >/out/web; exec sleep 1000"], "stop_timeout": "2s"'
tsd_run systemctl daemon-reload
start web || fail "start failed: $(status_of web)"
assert_eq "$(tsd_run systemctl is-active "$(unit web)")" active "state after start"
retry 5 test -f "$OUT/web" || fail "the payload did not run"
main=$(prop web MainPID)
assert_eq "$(tsd_run cat /proc/"$main"/comm)" nscontain-helpe "the unit's main process is the helper"
assert_match "$(prop web StatusText)" "^Container web running, PID [0-9]+$" "StatusText"
for i in $(seq 50); do
        [[ $(tsd_journal "$(unit web)") == *hello-from-web* ]] && break
        sleep 0.1
done
tsd_assert_journal "$(unit web)" hello-from-web "payload output in the journal"

step "the supervisor's private memory is under 1 MiB"
private_kb=$(tsd_run awk '/^Private_(Clean|Dirty):/ { s += $2 } END { print s }' /proc/"$main"/smaps_rollup)
echo "supervisor private memory: ${private_kb} kB" >&2
if build_sanitized; then
        not_checked "the supervisor's private memory under 1 MiB" "sanitized build: ASan's shadow memory and allocator"
else
        ((private_kb > 0 && private_kb < 1024)) || fail "supervisor uses $private_kb kB of private memory"
fi

step "a payload that ignores SIGTERM (sleep as PID 1) is killed after stop_timeout"
t0=$(date +%s%N)
tsd_run systemctl stop "$(unit web)"
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
echo "stop took ${ms} ms" >&2
((ms >= 1800 && ms < 9000)) || fail "stop took $ms ms, expected about 2 s (stop_timeout)"
assert_eq "$(prop web ExecMainStatus)" 137 "exit status after the SIGKILL"
tsd_assert_journal "$(unit web)" "did not stop within 2s" "the escalation is logged"
assert_eq "$(prop web MainPID)" 0 "nothing left running"

step "a stop the payload obeys is clean: inactive, status 0, well before stop_timeout"
conf clean '"init": true, "command": ["sleep", "1000"]'
tsd_run systemctl daemon-reload
start clean || fail "start failed: $(status_of clean)"
t0=$(date +%s%N)
tsd_run systemctl stop "$(unit clean)"
ms=$((($(date +%s%N) - t0) / 1000000))
((ms < 5000)) || fail "stop took $ms ms: SIGTERM was not forwarded through the init"
assert_eq "$(tsd_run systemctl is-active "$(unit clean)" || true)" inactive "state after a clean stop"
assert_eq "$(prop clean ExecMainStatus)" 0 "exit status of a clean stop"

step "exit codes come through: 0, 3, 128+9"
conf ex0 '"command": ["/bin/sh", "-c", "exit 0"]'
conf ex3 '"command": ["/bin/sh", "-c", "exit 3"]'
conf ex9 '"init": true, "command": ["/bin/sh", "-c", "kill -9 $$"]'
conf kill9 '"command": ["sleep", "1000"]'
tsd_run systemctl daemon-reload
start ex0 || fail "start failed: $(status_of ex0)"
wait_state ex0 inactive
assert_eq "$(prop ex0 ExecMainStatus)" 0 "exit 0"
start ex3 || fail "start failed: $(status_of ex3)"
wait_state ex3 failed
assert_eq "$(prop ex3 ExecMainStatus)" 3 "exit 3"
start ex9 || fail "start failed: $(status_of ex9)"
wait_state ex9 failed
assert_eq "$(prop ex9 ExecMainStatus)" 137 "killed by SIGKILL (with init)"
start kill9 || fail "start failed: $(status_of kill9)"
pid1=$(container_pid1 kill9)
tsd_run kill -9 "$pid1"
wait_state kill9 failed
assert_eq "$(prop kill9 ExecMainStatus)" 137 "PID 1 SIGKILLed from outside"

step "restart on failure"
: >"$OUT/rs"
conf rs '"command": ["/bin/sh", "-c", "echo run >>/out/rs; sleep 0.2; exit 1"], "restart": "on-failure", "restart_sec": "100ms"'
tsd_run systemctl daemon-reload
start rs || fail "start failed: $(status_of rs)"
retry 15 bash -c "(( \$(wc -l <'$OUT/rs') >= 3 ))" || fail "no restarts: $(status_of rs)"
nr=$(prop rs NRestarts) # before the stop, which resets it
((nr >= 1)) || fail "NRestarts is $nr"
tsd_run systemctl stop "$(unit rs)"

step "command not found (127) and not executable (126): the start fails, status says why"
conf nf '"command": ["no-such-command"]'
conf nx '"command": ["/etc/passwd"]'
tsd_run systemctl daemon-reload
assert_fail start nf
assert_eq "$(prop nf ExecMainStatus)" 127 "not found"
tsd_assert_status "$(unit nf)" "nf: Command 'no-such-command' not found in the container's PATH"
assert_fail start nx
assert_eq "$(prop nx ExecMainStatus)" 126 "not executable"
tsd_assert_status "$(unit nx)" "nx: Failed to execute '/etc/passwd': Permission denied"

step "a config that became invalid fails with one line"
conf bad '"command": ["true"]'
tsd_run systemctl daemon-reload
tsd_write /etc/nscontain.d/bad.json "{\"rootfs\": \"$ROOT\", \"command\": [\"true\"], \"hostnme\": \"x\"}"
# Loaded: the generator skips it, and the helper, without a drop-in, finds the file on
# the search path and validates it (until then the unit runs the generator's copy of
# the good one: test-config-snapshot.sh).
tsd_run systemctl daemon-reload
assert_fail start bad
assert_eq "$(prop bad ExecMainStatus)" 125 "invalid config"
tsd_assert_status "$(unit bad)" "bad.json: hostnme:"
# Also as the status text ("Status:" in systemctl status), which does not depend on when
# journald stamps the helper's line.
assert_contains "$(prop bad StatusText)" 'bad.json: hostnme: unknown key, did you mean "hostname"?' "StatusText of bad"
assert_contains "$(prop nf StatusText)" "nf: Command 'no-such-command' not found" "StatusText of nf"

step "init: true reaps zombies (without it they stay)"
conf z1 '"init": true, "command": ["/bin/sh", "-c", "(sleep 0.2 &); (sleep 0.2 &); exec sleep 1000"]'
conf z0 '"stop_timeout": "1s", "command": ["/bin/sh", "-c", "(sleep 0.2 &); (sleep 0.2 &); exec sleep 1000"]'
tsd_run systemctl daemon-reload
start z1 || fail "start failed: $(status_of z1)"
start z0 || fail "start failed: $(status_of z0)"
sleep 1.5
p1=$(container_pid1 z1)
assert_eq "$(tsd_run cat /proc/"$p1"/comm)" nscontain-init "PID 1 with init"
states1=$(tsd_run ps -o stat= --ppid "$p1" | tr -d ' ' | sort | tr '\n' ' ')
p0=$(container_pid1 z0)
states0=$(tsd_run ps -o stat= --ppid "$p0" | tr -d ' ' | sort | tr '\n' ' ')
assert_not_contains "$states1" Z "children of the init"
assert_contains "$states0" Z "children of a payload that is PID 1 and never reaps (the check works)"
tsd_run systemctl stop "$(unit z1)" "$(unit z0)"

if [[ $(jq -r '.[] | select(.name == "failpoints") | .value' "$NSC_BUILD_DIR/meson-info/intro-buildoptions.json") == true ]]; then
        step "a start is 'activating' during setup, active after the exec, failed after a slow failure"
        tsd_run systemctl set-environment NSCONTAIN_FAILPOINT_SETUP_DELAY_MS=2500
        conf slow '"init": true, "command": ["sleep", "1000"]'
        conf slowfail '"command": ["no-such-command"]'
        tsd_run systemctl daemon-reload
        tsd_run systemctl start --no-block "$(unit slow)" "$(unit slowfail)"
        sleep 1
        assert_eq "$(tsd_run systemctl is-active "$(unit slow)" || true)" activating "slow, during setup"
        assert_eq "$(tsd_run systemctl is-active "$(unit slowfail)" || true)" activating "slowfail, during setup"
        wait_state slow active 10
        wait_state slowfail failed 10
        assert_eq "$(prop slowfail ExecMainStatus)" 127 "slowfail"
        tsd_run systemctl stop "$(unit slow)"
        tsd_run systemctl unset-environment NSCONTAIN_FAILPOINT_SETUP_DELAY_MS
else
        not_checked "'activating' during a slow setup" "built without -Dfailpoints=true"
fi

step "SECURITY row 1: /proc/self/exe never reaches a writable helper binary"
ROOTFS=$EVIL conf evilu '"command": ["/bin/sh"]'
ROOTFS=$EVIL conf_nouserns eviln '"command": ["/bin/sh"]'
ROOTFS=$EVIL conf attacku '"init": true, "command": ["/bin/busybox", "sh", "/attack.sh", "u"]'
ROOTFS=$EVIL conf_nouserns attackn '"init": true, "command": ["/bin/busybox", "sh", "/attack.sh", "n"]'
ROOTFS=$EVIL conf_nouserns sealed '"init": true, "command": ["sleep", "1000"]'
tsd_run systemctl daemon-reload
for i in $(seq 10); do
        for n in evilu eviln; do
                # "#!/proc/self/exe" runs whatever executes the payload once more, in the
                # container, with argv "/proc/self/exe /bin/sh": the sealed exec stub,
                # which refuses that argv and exits 125. Were it the helper's image (it
                # would start: its libraries are in this root), it would say "Invalid
                # container name '/bin/sh'".
                start "$n" || true
                wait_state "$n" failed
                assert_eq "$(prop "$n" ExecMainStatus)" 125 "$n: the stub ran inside"
                tsd_run systemctl reset-failed "$(unit "$n")"
        done
done
assert_not_contains "$(tsd_journal "$(unit evilu)")" "Invalid container name" "the helper's image never runs in the container (userns)"
assert_not_contains "$(tsd_journal "$(unit eviln)")" "Invalid container name" "the helper's image never runs in the container (no userns)"
for n in u n; do
        start "attack$n" || fail "start failed: $(status_of "attack$n")"
        wait_state "attack$n" inactive
        assert_eq "$(tail -1 "$OUT/attack-$n")" done "attack-$n ran"
        assert_not_contains "$(cat "$OUT/attack-$n")" "WROTE" "attack-$n"
        assert_not_contains "$(cat "$OUT/attack-$n")" "TRUNCATED" "attack-$n"
        assert_not_contains "$(cat "$OUT/attack-$n")" "READ" "attack-$n: the init is not dumpable"
done
# The container's init is the stub, run from a sealed memfd: even the host's root cannot
# write what its /proc/PID/exe leads to. The supervisor, the only process that runs the
# helper's image for the container's life, is outside the container's pid namespace.
start sealed || fail "start failed: $(status_of sealed)"
main=$(prop sealed MainPID)
pid1=$(container_pid1 sealed)
assert_contains "$(tsd_run readlink /proc/"$pid1"/exe)" "/memfd:nscontain-stub" "exe of the container's init"
assert_fail tsd_run sh -c "echo pwned >>/proc/$pid1/exe"
assert_eq "$(tsd_run readlink /proc/"$main"/exe)" "$HELPER" "exe of the supervisor"
assert_not_contains "$(tsd_run nsenter -t "$pid1" -p -m ps -o pid,args 2>&1)" "nscontain-helper" "the supervisor, seen from inside"
# "nscontain exec" runs commands through the same stub: "#!/proc/self/exe" never starts
# the host's nscontain inside (its libraries are in this root: it would start and say
# "Unknown verb '/bin/sh'"), only the stub, which refuses that argv (125, silently).
rc=0
out=$(tsd_run nscontain exec sealed /bin/sh 2>&1) || rc=$?
assert_eq "$rc" 125 "nscontain exec of a '#!/proc/self/exe' command"
assert_eq "$out" "" "what it said"
tsd_run systemctl stop "$(unit sealed)"
assert_eq "$(sha256sum "$TSD_UPPER$HELPER" | cut -d' ' -f1)" "$hash_before" "the installed helper is unchanged"

step "vm.memfd_noexec=2: with a user namespace the installed stub runs, without one the start says why"
# The sysctl is the test system's own (per pid namespace) and cannot be lowered in it
# again: this is the last step.
if tsd_run sh -c 'echo 2 >/proc/sys/vm/memfd_noexec' 2>/dev/null; then
        conf noexu '"command": ["/bin/sh", "-c", "echo ran >/out/noexu"]'
        conf_nouserns noexn '"command": ["true"]'
        tsd_run systemctl daemon-reload
        start noexu || fail "start failed: $(status_of noexu)"
        wait_state noexu inactive
        assert_eq "$(prop noexu ExecMainStatus)" 0 "noexu's status"
        assert_eq "$(cat "$OUT/noexu")" ran "the payload ran"
        assert_fail start noexn
        assert_eq "$(prop noexn ExecMainStatus)" 125 "noexn's status"
        tsd_assert_status "$(unit noexn)" "vm.memfd_noexec=2 forbids executable memfds"
else
        not_checked "vm.memfd_noexec=2" "no vm.memfd_noexec on this kernel (before 6.3)"
fi

test_done
