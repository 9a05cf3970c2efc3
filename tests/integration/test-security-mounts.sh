#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# docs/SECURITY.md rows 3, 4, 5, 9, 11 and 13 against the real helper under the test systemd:
#   3  bind targets through symlinks to "/" and "../..", and a rootfs /dev that is a
#      symlink to a host directory, never create or mount anything outside the root;
#      nor does the race itself: a process swapping a component of the bind target
#      between a directory and such a symlink (rename-race.c) all through many starts;
#   4  a rootfs /proc (or /sys) that is a symlink makes the start fail, clearly;
#   5  masked paths stay masked even when the image's own /dev/null is a trap, writes
#      to /proc/sys fail with EROFS;
#   9  /dev is exactly the allowed set, mknod of a block device fails;
#  11  a mount made inside the container does not appear on the host (nor in the test
#      systemd), and neither do the container's own mounts;
#  13  /sys/fs/cgroup is read-only: writing cgroup.procs fails.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper probe busybox idmap

BASE=589824 # 0x90000

# Fixtures on the host's own filesystem (overlayfs refuses idmapped mounts).
FIX=$TSD_FIXDIR

# A snapshot of a directory tree (names, types, link targets) to prove nothing changed.
tree_of() {
        find "$1" -mindepth 1 -printf '%P %y %l\n' 2>/dev/null | sort
}

# --- fixtures -----------------------------------------------------------------------
# Row 3: the image plants symlinks that point out of the root, by absolute path, by
# "..", and to a directory that exists on the host at the very same path.
OUTSIDE=$FIX/outside # a host directory the image points at
mkdir -p "$OUTSIDE"
echo "host secret" >"$OUTSIDE/secret"
R3=$(tsd_mkrootfs r3 --probe)
mkdir "$R3/out"
ln -s / "$R3/to-root"
ln -s ../.. "$R3/up-up"
ln -s /etc "$R3/to-etc" # exists in the image and on the host
R3HOST=$(tsd_mkrootfs r3host --probe)
ln -s "$OUTSIDE" "$R3HOST/to-host" # exists on the host only
mkdir -p "$FIX/src"
echo "bind source" >"$FIX/src/marker"

# Row 3: /dev is a symlink to a host directory.
R3DEV=$(tsd_mkrootfs r3dev --probe)
rmdir "$R3DEV/dev"
HOSTDEV=$FIX/hostdev
mkdir -p "$HOSTDEV"
ln -s "$HOSTDEV" "$R3DEV/dev"

# Row 3's race: in R3RACE, "data" is a directory and "data-swap" a symlink out of the
# root (to "/", then "../..", then the host directory $OUTSIDE, which the root mirrors);
# the racer exchanges the two names for as long as the starts take.
R3RACE=$(tsd_mkrootfs r3race)
mkdir "$R3RACE/data"
mkdir -p "$R3RACE$OUTSIDE"
# The payload names where the bind landed: the mount point of the source as the
# container sees it (a mount outside its root would not be listed at all).
cat >"$R3RACE/where.sh" <<'EOF'
#!/bin/sh
exec awk '$4 ~ /\/race-src$/ { print $5 }' /proc/self/mountinfo
EOF
RACE_SRC=$FIX/race-src
mkdir -p "$RACE_SRC"
echo "race source" >"$RACE_SRC/marker"
RACER=$NSC_BUILD_DIR/tests/integration/rename-race
[[ -x $RACER ]] || fail "$RACER is not built"

# Row 4: /proc, then /sys, a symlink.
R4P=$(tsd_mkrootfs r4proc --probe)
mkdir -p "$FIX/fakeproc"
rmdir "$R4P/proc"
ln -s "$FIX/fakeproc" "$R4P/proc"
R4S=$(tsd_mkrootfs r4sys --probe)
rmdir "$R4S/sys"
ln -s ../tmp "$R4S/sys"

# Rows 5, 9, 11, 13: the image ships its own /dev with a "null" that is a regular file
# holding a secret and a symlink "zero" to a host file; the runtime must ignore both
# (its /dev is a fresh tmpfs) and mask with a verified 1:3 device (CVE-2025-31133).
R5=$(tsd_mkrootfs r5 --probe)
mkdir "$R5/out"
mkdir -p "$R5/dev" "$R5/mnt"
echo "image secret" >"$R5/dev/null"
ln -s /etc/passwd "$R5/dev/zero"
cat >"$R5/check.sh" <<'EOF'
#!/bin/sh
o=/out
for p in kcore keys timer_list latency_stats sched_debug; do
        [ -e /proc/$p ] && cat /proc/$p >$o/mask-$p.txt
done
/probe write /proc/sys/kernel/hostname >$o/write-hostname.json
/probe write /proc/sys/net/ipv4/ip_forward >$o/write-procsys.json
[ -e /proc/sysrq-trigger ] && /probe write /proc/sysrq-trigger >$o/write-sysrq.json
/probe write /sys/fs/cgroup/cgroup.procs >$o/write-cgroup.json
/probe mknod-block /tmp/blk >$o/mknod.json
stat -c '%F %t:%T' /dev/null /dev/zero >$o/devnodes.txt
chmod 666 /dev/null 2>$o/chmod-null.txt
ls -A /dev | sort | tr '\n' ' ' >$o/dev.txt
# Row 11: a mount of our own; then stay up so the test can look from outside.
mount -t tmpfs -o size=1m nsc-row11-marker /mnt && echo mounted >$o/mounted
echo done >$o/done
exec sleep 1000
EOF
chmod 755 "$R5/check.sh"

tsd_install
tsd_boot


status_of() { tsd_status "container@$1.service"; }

container_json() { # ROOTFS COMMAND-JSON [MOUNTS-JSON] [EXTRA]
        echo "{
                \"rootfs\": \"$1\",
                \"command\": $2,
                \"network\": {\"mode\": \"none\"},
                \"user_namespace\": {\"base\": $BASE},
                \"mounts\": ${3:-[]}
                ${4:-}
        }"
}

# --- row 3 -----------------------------------------------------------------------------
step "row 3: bind targets through symlinks stay inside the root"
host_root_before=$(ls -A /)
tsd_root_before=$(tsd_run ls -A /)
outside_before=$(tree_of "$OUTSIDE")
tsd_start_container r3 "$(container_json "$R3" \
        '["/bin/sh", "-c", "cat /to-root/a/marker /up-up/b/marker /to-etc/nsc-row3-c/marker > /out/seen"]' "[
                {\"source\": \"$FIX/src\", \"target\": \"/to-root/a\"},
                {\"source\": \"$FIX/src\", \"target\": \"/up-up/b\"},
                {\"source\": \"$FIX/src\", \"target\": \"/to-etc/nsc-row3-c\"},
                {\"source\": \"$R3/out\", \"target\": \"/out\"}
        ]")" || fail "container@r3 did not start: $(status_of r3)"
tsd_wait_state container@r3.service inactive 20 || fail "container@r3 did not finish: $(status_of r3)"
assert_eq "$(cat "$R3/out/seen")" $'bind source\nbind source\nbind source' "binds visible inside"
# Each mount point was created inside the root, where the symlink leads within it ...
assert_ok test -d "$R3/a"
assert_ok test -d "$R3/b"
assert_ok test -d "$R3/etc/nsc-row3-c"
# ... and nothing outside it: not on the host, not in the test systemd.
assert_eq "$(ls -A /)" "$host_root_before" "host / after row 3"
assert_eq "$(tsd_run ls -A /)" "$tsd_root_before" "test systemd / after row 3"
assert_fail test -e /etc/nsc-row3-c
assert_fail tsd_run test -e /etc/nsc-row3-c

step "row 3: a bind target through a symlink to a host-only path fails, creating nothing"
if tsd_start_container r3host "$(container_json "$R3HOST" '["/bin/true"]' \
        "[{\"source\": \"$FIX/src\", \"target\": \"/to-host/c\"}]")"; then
        fail "a bind target through a symlink to a host path started"
fi
tsd_assert_status "container@r3host.service" "Failed to create mount point '/to-host/c'" "status names the target"
assert_eq "$(tree_of "$OUTSIDE")" "$outside_before" "the host dir the image pointed at"
assert_fail test -e "$R3HOST$OUTSIDE"

step "row 3: a rootfs /dev that is a symlink to a host directory creates nothing outside"
if tsd_start_container r3dev "$(container_json "$R3DEV" '["/bin/true"]')"; then
        fail "a rootfs with /dev a symlink started"
fi
assert_eq "$(tree_of "$HOSTDEV")" "" "the host directory /dev pointed at"
tsd_assert_status "container@r3dev.service" "rootfs /dev is a symlink" "status names the reason"
assert_eq "$(grep -c "$HOSTDEV" /proc/self/mountinfo || true)" 0 "host mountinfo"

step "row 3: the race: a bind target's parent swapped between a directory and a symlink out of the root during setup"
HELPER=$(cd "$(tsd_root)" && find usr -path '*/nscontain/nscontain-helper' | head -n1 | sed 's|^|/|')
[[ -n $HELPER ]] || fail "cannot find the installed helper"
per_link=${NSC_TEST_RACE_STARTS:-60} # starts per symlink target
host_root_before=$(ls -A /)
tsd_root_before=$(tsd_run ls -A /)
outside_before=$(tree_of "$OUTSIDE")
declare -A outcome=()
i=0 swaps=0
for link in / ../.. "$OUTSIDE"; do
        ln -sfn "$link" "$R3RACE/data-swap"
        # Where "/data/sN" leads while "data" is the symlink, resolved in the root.
        [[ $link == "$OUTSIDE" ]] && via=$OUTSIDE || via=
        "$RACER" "$R3RACE" data data-swap >"$FIX/race.count" 2>"$FIX/race.err" &
        racer=$!
        for ((j = 0; j < per_link; j++, i++)); do
                if ((i % 2)); then
                        ns='"namespaces": {"user": false}'
                else
                        ns="\"user_namespace\": {\"base\": $BASE}"
                fi
                cat >"$FIX/race.json" <<EOF
{"rootfs": "$R3RACE", "network": {"mode": "none"}, $ns, "command": ["/bin/sh", "/where.sh"],
 "mounts": [{"source": "$RACE_SRC", "target": "/data/s$i"}]}
EOF
                rc=0
                tsd_run timeout 60 "$HELPER" --config "$FIX/race.json" race >"$FIX/race.out" 2>"$FIX/race.log" || rc=$?
                out=$(<"$FIX/race.out")
                if ((rc == 0)); then
                        # Inside the root: in the directory (under either of its names, the
                        # racer swaps them), or where the symlink leads resolved in the root.
                        case $out in
                        "/data/s$i" | "/data-swap/s$i") outcome[dir]=$((${outcome[dir]:-0} + 1)) ;;
                        "$via/s$i") outcome[link]=$((${outcome[link]:-0} + 1)) ;;
                        *) fail "start $i (/data/s$i, data-swap -> $link): the bind landed at '$out'" ;;
                        esac
                else
                        ((rc != 124)) || fail "start $i hung"
                        assert_eq "$out" "" "start $i failed, and its payload did not run"
                        assert_match "$(<"$FIX/race.log")" "Failed to [a-z]" "start $i fails with a message (exit $rc)"
                        outcome[failed]=$((${outcome[failed]:-0} + 1))
                fi
        done
        kill -TERM "$racer"
        wait "$racer" || fail "the racer failed: $(<"$FIX/race.err")"
        swaps=$((swaps + $(<"$FIX/race.count")))
        assert_ok test -d "$R3RACE/data" -a ! -L "$R3RACE/data"
done
echo "   $i starts during $swaps swaps: ${outcome[dir]:-0} bound in the directory," \
        "${outcome[link]:-0} where the symlink leads inside the root, ${outcome[failed]:-0} failed cleanly" >&2
((swaps > i * 100)) || fail "the racer made only $swaps swaps"
# Both states were met during setup: the race was on.
((${outcome[dir]:-0} > 0 && ${outcome[link]:-0} + ${outcome[failed]:-0} > 0)) ||
        fail "the race never changed an outcome: ${outcome[*]}"
assert_eq "$(ls -A /)" "$host_root_before" "host / after the race"
assert_eq "$(tsd_run ls -A /)" "$tsd_root_before" "test systemd / after the race"
assert_eq "$(tree_of "$OUTSIDE")" "$outside_before" "the host directory data-swap pointed at"
assert_eq "$(cd "$FIX/.." && find . -maxdepth 1 -name 's[0-9]*')" "" "the directory ../.. leads to on the host"
assert_eq "$(find / -maxdepth 1 -name 's[0-9]*')" "" "the host's /"
assert_eq "$(grep -c -e "$R3RACE" -e race-src /proc/self/mountinfo || true)" 0 "host mountinfo after the race"
assert_eq "$(tsd_run grep -c -e "$R3RACE" -e race-src /proc/self/mountinfo || true)" 0 \
        "test systemd mountinfo after the race"
assert_eq "$(tsd_run pgrep -c -f "$HELPER" || true)" 0 "no helper left running"
# What the starts made in the root: mount points sN in "data", in the root itself or in
# its mirror of $OUTSIDE, nothing else.
while read -r d; do
        case $d in
        . | ./data | ".$OUTSIDE") _lib_ok ;;
        *) fail "a mount point was made in $d" ;;
        esac
done < <(cd "$R3RACE" && find . -name 's[0-9]*' -printf '%h\n' | sort -u)

# --- row 4 -----------------------------------------------------------------------------
step "row 4: a rootfs /proc that is a symlink fails the start clearly"
if tsd_start_container r4proc "$(container_json "$R4P" '["/bin/true"]')"; then
        fail "a rootfs with /proc a symlink started"
fi
tsd_assert_status "container@r4proc.service" "rootfs /proc is a symlink: refusing to mount procfs over it" "status"
assert_eq "$(tree_of "$FIX/fakeproc")" "" "the directory /proc pointed at"

step "row 4: a rootfs /sys that is a symlink fails the start clearly"
if tsd_start_container r4sys "$(container_json "$R4S" '["/bin/true"]')"; then
        fail "a rootfs with /sys a symlink started"
fi
tsd_assert_status "container@r4sys.service" "rootfs /sys is a symlink: refusing to mount sysfs over it" "status"
assert_eq "$(tree_of "$R4S/tmp")" "" "the directory /sys pointed at"

# --- rows 5, 9, 11, 13 -----------------------------------------------------------------
step "rows 5, 9, 11, 13: a running container"
tsd_start_container r5 "$(container_json "$R5" '["/bin/sh", "/check.sh"]' \
        "[{\"source\": \"$R5/out\", \"target\": \"/out\"}]" \
        ', "capabilities": {"add": ["CAP_SYS_ADMIN", "CAP_NET_ADMIN"]}, "seccomp": false')" ||
        fail "container@r5 did not start: $(status_of r5)"
retry 20 test -f "$R5/out/done" || fail "the check script did not finish: $(status_of r5)"
assert_eq "$(tsd_run systemctl is-active container@r5.service)" active "container@r5 still running"

# assert_errno FILE ERRNO WHAT: the probe's result in $R5/out/FILE.
assert_errno() {
        assert_json "$R5/out/$1" .errno "$2" "$3"
}

step "row 5: masked paths"
n_masked=0
for p in kcore keys timer_list latency_stats sched_debug; do
        if [[ -e /proc/$p ]]; then
                assert_eq "$(wc -c <"$R5/out/mask-$p.txt")" 0 "/proc/$p is empty"
                ((n_masked++)) || true
        fi
done
((n_masked > 0)) || fail "none of the masked /proc files exists on this kernel: nothing was checked"
assert_not_contains "$(cat "$R5"/out/mask-*.txt)" "image secret" "masks do not use the image's /dev/null"
assert_errno write-procsys.json 30 "write to /proc/sys/net (EROFS)"
# The host's root owns it and is unmapped here: refused before the read-only mount.
assert_errno write-hostname.json 13 "write to /proc/sys/kernel/hostname (EACCES)"
if [[ -e /proc/sysrq-trigger ]]; then
        assert_json "$R5/out/write-sysrq.json" '.errno | IN(13, 30)' true "write to /proc/sysrq-trigger (EACCES or EROFS)"
else
        not_checked "write to /proc/sysrq-trigger" "this kernel has no /proc/sysrq-trigger"
fi

step "row 9: only the allowed devices"
assert_eq "$(cat "$R5/out/dev.txt")" \
        "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " "/dev contents"
assert_eq "$(cat "$R5/out/devnodes.txt")" $'character special file 1:3\ncharacter special file 1:5' \
        "/dev/null and /dev/zero are the real devices, not the image's"
assert_errno mknod.json 1 "mknod of a block device (EPERM)"

step "row 9: no device node of the container is one of the host's inodes that it could change"
# Without a user namespace the nodes are the container's own (mknod in its /dev tmpfs),
# never the host's inodes (which container root could chmod, chown and touch); with one
# (r5 above) they are read-only binds of the host's. No real change is tried: were the
# defence gone, it would be the host's /dev/null that changed.
R9=$(tsd_mkrootfs r9)
mkdir "$R9/out"
tsd_start_container r9n "{\"rootfs\": \"$R9\", \"namespaces\": {\"user\": false}, \"network\": {\"mode\": \"none\"},
        \"mounts\": [{\"source\": \"$R9/out\", \"target\": \"/out\"}],
        \"command\": [\"/bin/sh\", \"-c\", \"stat -c %d:%i:%t:%T:%a /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty >/out/nodes; echo x >/dev/null && head -c 8 /dev/zero | wc -c >/out/io; echo done >/out/done\"]}" ||
        fail "container@r9n did not start: $(status_of r9n)"
retry 10 test -f "$R9/out/done" || fail "r9n did not finish: $(status_of r9n)"
i=0
for n in null zero full random urandom tty; do
        i=$((i + 1))
        line=$(sed -n "${i}p" "$R9/out/nodes")
        assert_match "$line" '^[0-9]+:[0-9]+:[0-9a-f]+:[0-9a-f]+:[0-7]+$' "/dev/$n: stat inside"
        assert_ne "${line%:*:*:*}" "$(stat -c %d:%i "/dev/$n")" "/dev/$n is not the host's inode"
        assert_eq "${line#*:*:}" "$(stat -c %t:%T /dev/$n):666" "/dev/$n: the device and mode 0666"
done
assert_eq "$(tr -d ' ' <"$R9/out/io")" 8 "reads and writes of the devices work"
assert_contains "$(cat "$R5/out/chmod-null.txt")" "Read-only file system" "with a user namespace /dev/null is a read-only bind"

step "row 13: cgroupfs is read-only"
assert_errno write-cgroup.json 13 "write to /sys/fs/cgroup/cgroup.procs (EACCES)"

step "row 11: mounts inside the container stay inside"
assert_eq "$(cat "$R5/out/mounted")" mounted "the container could mount (so the check below means something)"
assert_eq "$(grep -c nsc-row11-marker /proc/self/mountinfo || true)" 0 "the container's mount on the host"
assert_eq "$(tsd_run grep -c nsc-row11-marker /proc/self/mountinfo || true)" 0 \
        "the container's mount in the test systemd"
assert_eq "$(grep -c "$R5" /proc/self/mountinfo || true)" 0 "the container's root on the host"
assert_eq "$(tsd_run grep -c "$R5" /proc/self/mountinfo || true)" 0 "the container's root in the test systemd"
helper_pid=$(tsd_run systemctl show -P MainPID container@r5.service)
assert_match "$helper_pid" '^[1-9][0-9]*$' "the helper's pid"
assert_eq "$(tsd_run grep -c "$R5" "/proc/$helper_pid/mountinfo" || true)" 0 "the container's root in the helper's mounts"

tsd_run systemctl stop container@r5.service
test_done
