#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build-deb.sh [--clean] OUTDIR: builds the Debian package from this source tree (its
# working files, not only what is committed) with "dpkg-buildpackage -us -uc -b" in a copy
# under OUTDIR, runs lintian on the result, and leaves nscontain_*.deb (and the -dbgsym
# .ddeb) in OUTDIR. Prints the build time and lintian's tags; exits non-zero when the build
# fails or lintian reports an error (E:). Warnings left are listed in debian/README.source.
#
# --clean builds in a clean Debian 12 instead of on this machine: a throwaway overlay over
# the cached debootstrap root of the boot tests (tests/lib/mkdebian.sh: minbase with
# systemd, systemd-sysv and dbus), into which apt installs build-essential and then
# exactly the Build-Depends of debian/control ("apt-get build-dep ./"), from the mirror
# this machine uses: a Build-Depends missing from debian/control fails the build. Exits 77
# ("skipped: …") when that root cannot be made here.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src=$(cd "$here/../.." && pwd)
clean=false
if [[ ${1:-} == --clean ]]; then
        clean=true
        shift
fi
out=${1:?usage: build-deb.sh [--clean] OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)

start=$(date +%s)
if $clean; then
        base=$("$here/../lib/mkdebian.sh") || exit $?
        mirror=$("$here/../lib/mkdebian.sh" --print-mirror)
        work=$(mktemp -d /var/tmp/nscontain-debclean.XXXXXX)
        trap 'rm -rf --one-file-system "$work"' EXIT
        mkdir "$work/upper" "$work/work" "$work/root" "$work/upper/build"
        builddir=$work/upper/build
        mkdir -p "$work/upper/etc/apt"
        printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" \
                >"$work/upper/etc/apt/sources.list"
        cp -L /etc/resolv.conf "$work/upper/etc/resolv.conf"
else
        builddir=$out
fi
tree=$builddir/nscontain-${version%-*}

rm -rf "$tree" "$out"/nscontain_* "$out"/nscontain-dbgsym_*
mkdir -p "$tree"
# The source without build directories, version control or editor leftovers.
tar -C "$src" --exclude=.git --exclude='./build*' --exclude='./obj-*' --exclude=./debian/nscontain \
        --exclude=./debian/.debhelper --exclude=./debian/files --exclude='./debian/*.substvars' \
        --exclude=./debian/debhelper-build-stamp -cf - . | tar -C "$tree" -xf -

build_failed() {
        tail -n 40 "$out/build.log" >&2
        echo "build-deb.sh: dpkg-buildpackage failed (log: $out/build.log)" >&2
        exit 1
}
if $clean; then
        # In a mount namespace of its own: the overlay, /proc and /dev vanish with it.
        unshare --mount --pid --fork --propagation private /bin/bash -euc '
                root=$1 tree=$2
                mount -t overlay overlay -o "lowerdir=$3,upperdir=$4,workdir=$5" "$root"
                mount -t proc proc "$root/proc"
                mount --rbind /dev "$root/dev"
                mount -t tmpfs tmpfs "$root/tmp"
                exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
                        DEBIAN_FRONTEND=noninteractive DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" /bin/sh -ec "
                        apt-get update -q
                        apt-get install -y -q --no-install-recommends build-essential
                        cd $tree
                        apt-get build-dep -y -q --no-install-recommends ./
                        dpkg-buildpackage -us -uc -b"
        ' - "$work/root" "/build/${tree##*/}" "$base" "$work/upper" "$work/work" >"$out/build.log" 2>&1 ||
                build_failed
        cp "$builddir"/nscontain_* "$builddir"/nscontain-dbgsym_* "$out/"
        echo "build-deb.sh: apt and dpkg-buildpackage in a clean Debian 12 took $(($(date +%s) - start)) s"
else
        (cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
                build_failed
        echo "build-deb.sh: dpkg-buildpackage took $(($(date +%s) - start)) s"
fi
rm -rf "$tree"
ls "$out"/nscontain_*.deb "$out"/nscontain-dbgsym_*.*deb

lintian_out=$(lintian --no-tag-display-limit "$out"/nscontain_*.changes 2>&1 || true)
echo "$lintian_out"
if grep -q '^E: ' <<<"$lintian_out"; then
        echo "build-deb.sh: lintian reports errors" >&2
        exit 1
fi
