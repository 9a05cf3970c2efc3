#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# tsd-pid1.sh DIR [LOWER]: PID 1 of a fresh pid namespace made by testsystemd.sh: builds
# the test systemd's root (an overlay over LOWER, default the host's /, so nothing there
# changes) and execs LOWER's systemd in it.
# Everything mounted here lives in this private mount namespace and disappears with it.
set -eu

dir=$1
lower=${2:-/}
root=$dir/root

mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$root"
# The test system starts without nscontain state, whatever the host holds (a whiteout in
# the upper dir: the host's directory is untouched).
rm -rf "$root/var/lib/nscontain"

mount -t proc proc "$root/proc"
mount --rbind /dev "$root/dev"
mount -t sysfs sysfs "$root/sys"
# We are in a fresh cgroup namespace rooted at this test's own cgroup, so the cgroup2
# mount shows only our subtree and systemd manages it as its whole tree.
mount -t cgroup2 cgroup2 "$root/sys/fs/cgroup"
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs "$root/run"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp"

# Host directories on their real filesystem (overlayfs refuses idmapped mounts).
if [[ -f $dir/binds ]]; then
        while IFS=: read -r src dst; do
                [[ -n $src ]] || continue
                mkdir -p "$root$dst"
                mount --bind "$src" "$root$dst"
        done <"$dir/binds"
fi

mkdir -p "$root/run/tsd-oldroot"
cd "$root"
pivot_root . run/tsd-oldroot
umount -l /run/tsd-oldroot
rmdir /run/tsd-oldroot
cd /
# Shared propagation inside, as on a host: systemd makes "/" rshared itself only when it is
# not in a container, and a container manager does it for the systemd it starts
# (systemd-nspawn does). Credentials (LoadCredential=) are set up in a child namespace and
# moved into place: without it a service sees an empty $CREDENTIALS_DIRECTORY. The
# namespace's mounts were made private first (unshare --propagation private): nothing
# reaches the host.
mount --make-rshared /

export container=nscontain-test
exec /lib/systemd/systemd --system
