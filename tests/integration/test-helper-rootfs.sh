#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The container's root filesystem (helper/mount.c), end to end through systemd:
# idmapped read-only root, binds (ro, rw, idmap off), tmpfs options, the /dev set,
# masked and read-only API paths, /sys and cgroupfs read-only, on-disk ownership, and
# the start failures a broken root or mount gives (overlayfs root, missing rootfs,
# missing bind source), each visible in `systemctl status`.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper probe busybox idmap

BASE=524288 # 0x80000: the fixed uid range of these containers

# Fixtures on the host's own filesystem (overlayfs refuses idmapped mounts); cleanup
# removes them.
FIX=$TSD_FIXDIR
ROOT=$(tsd_mkrootfs root --probe)
mkdir -p "$FIX"/{data,ro,noidmap,out}
echo "read-only content" >"$FIX/ro/file"
echo "bound file" >"$FIX/single"
# With "idmap": false the container sees on-disk ids shifted by the map: give the
# directory to the range's root.
chown "$BASE:$BASE" "$FIX/noidmap"

cat >"$ROOT/check.sh" <<'EOF'
#!/bin/sh
# Runs inside the container; results go to /out (a rw bind) for the test to read.
o=/out
/probe >$o/probe.json
/probe write /rootfile >$o/write-root.json
/probe write /data/created >$o/write-data.json
/probe write /ro/new >$o/write-ro.json
/probe write /noidmap/created >$o/write-noidmap.json
/probe write /scratch/f >$o/write-scratch.json
/probe write /proc/sys/net/ipv4/ip_forward >$o/write-procsys.json
/probe write /sys/fs/cgroup/cgroup.procs >$o/write-cgroup.json
/probe write /sys/kernel/uevent_helper >$o/write-sys.json
/probe mknod-block /scratch/blk >$o/mknod.json
ls -A /dev | sort | tr '\n' ' ' >$o/dev.txt
ls -A /sys/firmware | wc -l >$o/firmware.txt
cat /ro/file >$o/ro.txt
cat /etc/single >$o/single.txt
cat /proc/self/mountinfo >$o/mountinfo.txt
for p in kcore keys timer_list latency_stats sched_debug; do
        [ -e /proc/$p ] && wc -c </proc/$p >$o/mask-$p.txt
done
[ -e /proc/sysrq-trigger ] && /probe write /proc/sysrq-trigger >$o/write-sysrq.json
readlink /dev/ptmx >$o/ptmx.txt
stat -c '%F %t:%T' /dev/null >$o/devnull.txt
echo done >$o/done
EOF
chmod 755 "$ROOT/check.sh"

tsd_install
tsd_boot


status_of() { tsd_status "container@$1.service"; }

step "a container with an idmapped read-only root, binds and a tmpfs"
tsd_start_container fs "{
        \"rootfs\": \"$ROOT\",
        \"command\": [\"/bin/sh\", \"/check.sh\"],
        \"readonly\": true,
        \"network\": {\"mode\": \"none\"},
        \"capabilities\": {\"add\": [\"CAP_NET_ADMIN\"]},
        \"user_namespace\": {\"base\": $BASE},
        \"mounts\": [
                {\"source\": \"$FIX/out\", \"target\": \"/out\"},
                {\"source\": \"$FIX/data\", \"target\": \"/data\"},
                {\"source\": \"$FIX/ro\", \"target\": \"/ro\", \"readonly\": true},
                {\"source\": \"$FIX/noidmap\", \"target\": \"/noidmap\", \"idmap\": false},
                {\"source\": \"$FIX/single\", \"target\": \"/etc/single\", \"readonly\": true},
                {\"type\": \"tmpfs\", \"target\": \"/scratch\", \"options\": \"size=1m,mode=0750\"}
        ]
}" || fail "start of container@fs failed: $(status_of fs)"
tsd_wait_state container@fs.service inactive 20 || fail "container@fs did not finish: $(status_of fs)"
[[ -f $FIX/out/done ]] || fail "the check script did not finish: $(status_of fs)"

# assert_errno FILE ERRNO WHAT: the probe's result in $FIX/out/FILE.
assert_errno() {
        assert_json "$FIX/out/$1" .errno "$2" "$3"
}
[[ -s $FIX/out/mountinfo.txt ]] || fail "the container wrote no mountinfo"
mountinfo_line() { # the mountinfo line whose mount point is $1
        awk -v m="$1" '$5 == m' "$FIX/out/mountinfo.txt"
}
# assert_mount POINT match|has|lacks TEXT WHAT: something is mounted on POINT in the
# container, and its mountinfo line matches the regex TEXT, contains or lacks TEXT.
assert_mount() {
        local line
        line=$(mountinfo_line "$1")
        [[ -n $line ]] || fail "$4: nothing is mounted on $1 in the container"
        case $2 in
        match) assert_match "$line" "$3" "$4" ;;
        has) assert_contains "$line" "$3" "$4" ;;
        lacks) assert_not_contains "$line" "$3" "$4" ;;
        esac
}

step "read-only root, binds read-write and read-only"
assert_errno write-root.json 30 "write to / (EROFS)"
assert_errno write-data.json 0 "write to the rw bind"
assert_errno write-ro.json 30 "write to the ro bind (EROFS)"
assert_eq "$(cat "$FIX/out/ro.txt")" "read-only content" "ro bind content"
assert_eq "$(cat "$FIX/out/single.txt")" "bound file" "file bind content"
assert_mount / match '^[0-9]+ [0-9]+ [^ ]+ [^ ]+ / ro,.*idmapped' "root mount is ro and idmapped"
assert_mount /ro match ' ro,.*idmapped' "ro bind"
assert_mount /noidmap lacks idmapped "idmap false bind"

step "files are owned on disk as the idmapped mounts dictate"
# Root in the container writes through the idmapped bind as on-disk uid 0 ...
assert_eq "$(stat -c %u:%g "$FIX/data/created")" 0:0 "owner of a file made through an idmapped bind"
assert_json "$FIX/out/probe.json" '.uid_map | [splits(" +|\n") | select(. != "")] | join(" ")' "0 $BASE 65536" \
        "the container's uid map"
assert_json "$FIX/out/probe.json" .uid 0 "the payload runs as the container's root"
# ... and through a plain bind as the range's base.
assert_errno write-noidmap.json 0 "write to the idmap-false bind"
assert_eq "$(stat -c %u:%g "$FIX/noidmap/created")" "$BASE:$BASE" "owner of a file made through a plain bind"

step "tmpfs options"
tmpfs_line=$(mountinfo_line /scratch)
assert_contains "$tmpfs_line" " - tmpfs " "/scratch is a tmpfs"
assert_contains "$tmpfs_line" "size=1024k" "tmpfs size"
assert_contains "$tmpfs_line" "mode=750" "tmpfs mode"
assert_match "$tmpfs_line" '^[^-]* rw,nosuid,nodev' "tmpfs mount flags"
assert_errno write-scratch.json 0 "write to the tmpfs"

step "/dev holds exactly the allowed devices"
assert_eq "$(cat "$FIX/out/dev.txt")" \
        "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero " "/dev contents"
assert_eq "$(cat "$FIX/out/ptmx.txt")" pts/ptmx "/dev/ptmx"
assert_eq "$(cat "$FIX/out/devnull.txt")" "character special file 1:3" "/dev/null"
assert_errno mknod.json 1 "mknod of a block device (EPERM)"
assert_mount /dev/pts has " - devpts " "/dev/pts"
assert_mount /dev/pts has "ptmxmode=666" "devpts ptmxmode"
assert_mount /dev/shm has " - tmpfs " "/dev/shm"
assert_mount /dev/mqueue has " - mqueue " "/dev/mqueue"
assert_mount /dev match ' rw,nosuid,noexec' "/dev flags"

step "masked and read-only API paths"
n_masked=0
for p in kcore keys timer_list latency_stats sched_debug; do
        if [[ -e /proc/$p ]]; then
                assert_eq "$(cat "$FIX/out/mask-$p.txt")" 0 "/proc/$p is empty"
                ((n_masked++)) || true
        fi
done
((n_masked > 0)) || fail "none of the masked /proc files exists on this kernel: nothing was checked"
assert_errno write-procsys.json 30 "write to /proc/sys (EROFS)"
if [[ -e /proc/sysrq-trigger ]]; then
        assert_json "$FIX/out/write-sysrq.json" '.errno | IN(13, 30)' true "write to /proc/sysrq-trigger (EACCES or EROFS)"
else
        not_checked "write to /proc/sysrq-trigger" "this kernel has no /proc/sysrq-trigger"
fi
assert_mount /proc/sys match ' ro,' "/proc/sys read-only"
assert_eq "$(cat "$FIX/out/firmware.txt")" 0 "/sys/firmware is empty"

step "/sys and /sys/fs/cgroup are read-only"
assert_mount /sys match ' ro,' "/sys read-only"
assert_mount /sys/fs/cgroup match ' ro,' "/sys/fs/cgroup read-only"
assert_mount /sys/fs/cgroup has " - cgroup2 " "/sys/fs/cgroup is cgroup2"
# cgroup.procs belongs to the host's root, unmapped here: permission is refused before
# the read-only mount is reached (the mount is checked above).
assert_errno write-cgroup.json 13 "write to cgroup.procs (EACCES)"
assert_errno write-sys.json 30 "write to /sys (EROFS)"

step "the old root is gone after pivot_root"
assert_eq "$(mountinfo_line / | wc -l)" 1 "mounts on / inside"

step "an overlayfs root is refused, naming \"chown\""
tsd_run mkdir -p /var/lib/ovl-root
tsd_run cp -a "$ROOT/." /var/lib/ovl-root/
assert_eq "$(tsd_run stat -f -c %T /var/lib/ovl-root)" overlayfs "the fixture is on overlayfs"
if tsd_start_container ovl "{
        \"rootfs\": \"/var/lib/ovl-root\",
        \"command\": [\"/bin/true\"],
        \"network\": {\"mode\": \"none\"},
        \"user_namespace\": {\"base\": $BASE}
}"; then
        fail "an overlayfs root started"
fi
st=$(status_of ovl)
assert_contains "$st" "overlayfs" "status names the filesystem"
assert_contains "$st" '"ownership": "chown"' "status names the way out"
assert_contains "$st" "/var/lib/ovl-root" "status names the rootfs"

step "\"ownership\": \"chown\" shifts an overlayfs root once into the range"
chown_json="{
        \"rootfs\": \"/var/lib/ovl-root\",
        \"command\": [\"/bin/sh\", \"-c\", \"stat -c %u:%g / /bin/busybox > /out/chown-owners; touch /chown-new\"],
        \"network\": {\"mode\": \"none\"},
        \"user_namespace\": {\"base\": $BASE, \"ownership\": \"chown\"},
        \"mounts\": [{\"source\": \"$FIX/out\", \"target\": \"/out\"}]
}"
tsd_start_container chowned "$chown_json" || fail "container@chowned did not start: $(status_of chowned)"
tsd_wait_state container@chowned.service inactive 20 || fail "container@chowned did not finish: $(status_of chowned)"
assert_eq "$(cat "$FIX/out/chown-owners")" $'0:0\n0:0' "the container sees its root as its own"
assert_eq "$(tsd_run stat -c %u:%g /var/lib/ovl-root /var/lib/ovl-root/bin/busybox /var/lib/ovl-root/chown-new)" \
        $'524288:524288\n524288:524288\n524288:524288' "owners on disk after the shift"
assert_contains "$(tsd_run cat /var/lib/nscontain/ownership/chowned)" "state=done" "the shift is recorded"
# Done once: a file given back to uid 0 is left alone by the next start.
tsd_run chown 0:0 /var/lib/ovl-root/etc/passwd
tsd_start_container chowned "$chown_json" || fail "second start of container@chowned failed: $(status_of chowned)"
tsd_wait_state container@chowned.service inactive 20 || fail "container@chowned did not finish: $(status_of chowned)"
assert_eq "$(tsd_run stat -c %u /var/lib/ovl-root/etc/passwd)" 0 "no second walk"
# Resumed: an interrupted shift (recorded as such) is finished by the next start.
tsd_run sed -i 's/^state=done$/state=shifting/' /var/lib/nscontain/ownership/chowned
tsd_start_container chowned "$chown_json" || fail "third start of container@chowned failed: $(status_of chowned)"
tsd_wait_state container@chowned.service inactive 20 || fail "container@chowned did not finish: $(status_of chowned)"
assert_eq "$(tsd_run stat -c %u /var/lib/ovl-root/etc/passwd)" "$BASE" "the interrupted shift was finished"
assert_contains "$(tsd_run cat /var/lib/nscontain/ownership/chowned)" "state=done" "recorded as done again"

step "a missing rootfs fails the start with the path"
if tsd_start_container norootfs "{
        \"rootfs\": \"$FIX/does-not-exist\",
        \"command\": [\"/bin/true\"],
        \"network\": {\"mode\": \"none\"},
        \"user_namespace\": {\"base\": $BASE}
}"; then
        fail "a missing rootfs started"
fi
tsd_assert_status "container@norootfs.service" "Failed to open rootfs '$FIX/does-not-exist'" "missing rootfs"

step "a missing bind source fails the start with the path"
if tsd_start_container nosource "{
        \"rootfs\": \"$ROOT\",
        \"command\": [\"/bin/true\"],
        \"network\": {\"mode\": \"none\"},
        \"user_namespace\": {\"base\": $BASE},
        \"mounts\": [{\"source\": \"$FIX/no-such-source\", \"target\": \"/x\"}]
}"; then
        fail "a missing bind source started"
fi
tsd_assert_status "container@nosource.service" "Failed to open bind source '$FIX/no-such-source'" "missing bind source"
[[ ! -e $ROOT/x ]] || fail "a failed start created the mount point /x in the rootfs"

test_done
