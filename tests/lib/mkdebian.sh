#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkdebian.sh [--print-cache] [DEST]: the Debian root filesystem for "boot": true
# tests and benchmarks (the README's "TESTING" section): debootstrap
# --variant=minbase of the release this machine runs, with systemd, systemd-sysv (for
# /sbin/init) and dbus.
#
# The tree is built once under $TSD_FIXTURES/debian-SUITE (ext4 or another filesystem
# that allows idmapped mounts; never overlayfs) and rebuilt only when missing or when
# an earlier build did not finish. With DEST, a private copy is made there (a test may
# boot it, which writes to it) and its path printed; without, the cache's path.
#
# Exits 77 after printing "skipped: <reason>" when it cannot be made here (no
# debootstrap, no archive reachable), so a test can pass the status on:
#
#     root=$("$TSD_LIBDIR/mkdebian.sh" "$TSD_FIXDIR/debian") || exit $?
set -euo pipefail

TSD_FIXTURES=${TSD_FIXTURES:-/var/tmp/nscontain-fixtures}
SUITE=${NSC_DEBIAN_SUITE:-bookworm}
INCLUDE=systemd,systemd-sysv,dbus

skip() {
        echo "skipped: $*"
        exit 77
}

# The mirror apt uses on this machine (deb822 or one-line sources), so the fixture comes
# from the same place as every other package; Debian's own as the fallback.
mirror() {
        local f m
        for f in /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
                [[ -r $f ]] || continue
                m=$(awk '
                        /^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }
                        /^deb[ \t]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:\/\/.*\/debian\/?$/) { print $i; exit } }
                ' "$f")
                if [[ -n $m ]]; then
                        echo "$m"
                        return
                fi
        done
        echo http://deb.debian.org/debian
}

build() {
        local cache=$1 tmp log
        command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"
        [[ $(id -u) == 0 ]] || skip "debootstrap needs root"
        tmp=$cache.tmp
        log=$cache.log
        rm -rf --one-file-system "$tmp"
        mkdir -p "$tmp"
        echo "mkdebian: debootstrap $SUITE from $(mirror) into $cache (once; log $log)" >&2
        if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$(mirror)" >"$log" 2>&1; then
                tail -n 5 "$log" >&2
                rm -rf --one-file-system "$tmp"
                skip "debootstrap of $SUITE failed (see $log)"
        fi
        # Each boot makes its own machine id (systemd's "uninitialized" first boot
        # semantics): a copied image must not share one.
        : >"$tmp/etc/machine-id"
        rm -f "$tmp/var/lib/dbus/machine-id"
        # No apt caches in the image: smaller, faster to copy.
        rm -rf "$tmp"/var/cache/apt/*.bin "$tmp"/var/lib/apt/lists/*
        touch "$tmp/.nscontain-fixture-complete"
        mv -T "$tmp" "$cache"
}

print_cache=false
if [[ ${1:-} == --print-cache ]]; then
        print_cache=true
        shift
fi
(($# <= 1)) || {
        echo "usage: $0 [--print-cache] [DEST]" >&2
        exit 2
}
dest=${1:-}

cache=$TSD_FIXTURES/debian-$SUITE
if $print_cache; then
        echo "$cache"
        exit 0
fi

mkdir -p "$TSD_FIXTURES"
fstype=$(stat -f -c %T "$TSD_FIXTURES")
[[ $fstype != overlayfs ]] || skip "$TSD_FIXTURES is on overlayfs, which refuses idmapped mounts"

# One builder at a time; the others wait for its result.
exec {lock}>"$TSD_FIXTURES/.debian-$SUITE.lock"
flock "$lock"
if [[ ! -f $cache/.nscontain-fixture-complete ]]; then
        rm -rf --one-file-system "$cache"
        build "$cache"
fi
flock -u "$lock"

if [[ -z $dest ]]; then
        echo "$cache"
        exit 0
fi
[[ ! -e $dest ]] || rmdir "$dest" 2>/dev/null || {
        echo "mkdebian: $dest exists and is not an empty directory" >&2
        exit 1
}
mkdir -p "$(dirname "$dest")"
cp -a "$cache" "$dest.tmp"
rm -f "$dest.tmp/.nscontain-fixture-complete"
mv -T "$dest.tmp" "$dest"
echo "$dest"
