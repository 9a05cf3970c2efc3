#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkdebian.sh [--print-cache | --print-mirror] [DEST]: the Debian root filesystem for "boot": true
# tests and benchmarks (the README's "TESTING" section): debootstrap
# --variant=minbase of the release this machine runs, with systemd, systemd-sysv (for
# /sbin/init) and dbus.
#
# The tree is built once under $TSD_FIXTURES/debian-SUITE (ext4 or another filesystem
# that allows idmapped mounts; never overlayfs) and rebuilt only when missing or when
# an earlier build did not finish. With DEST, a private copy is made there (a test may
# boot it, which writes to it) and its path printed; without, the cache's path.
#
# mkdebian.sh --system SUITE: the root a test systemd boots instead of the host's /
# (testsystemd.sh's TSD_SYSTEM_ROOT, tests/matrix/run): SUITE's systemd, dbus-daemon and
# systemd-machined, the tools the integration tests run inside, and the shared libraries
# this build links (built on Debian 12, run there as they are). Cached, never copied (the
# test system's overlay keeps it unchanged), at $TSD_FIXTURES/cache/SUITE; prints its path.
#
# Exits 77 after printing "skipped: <reason>" when it cannot be made here (no
# debootstrap, no archive reachable), so a test can pass the status on:
#
#     root=$("$TSD_LIBDIR/mkdebian.sh" "$TSD_FIXDIR/debian") || exit $?
set -euo pipefail

TSD_FIXTURES=${TSD_FIXTURES:-/var/tmp/nscontain-fixtures}
SUITE=${NSC_DEBIAN_SUITE:-bookworm}
INCLUDE=systemd,systemd-sysv,dbus
system=false

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
        # The marker holds the package list: a test system's root is rebuilt when it changes.
        echo "$INCLUDE" >"$tmp/.nscontain-fixture-complete"
        mv -T "$tmp" "$cache"
}

# A test system's root: what tsd_setup's NEEDs and the tests' tsd_run commands use
# (systemd-container: machinectl and machined; iproute2: ip; procps: ps, pgrep; the rest
# of util-linux and coreutils are in minbase), and the libraries of nscontain's binaries
# under the SUITE's package names (the t64 renames of Debian 13).
system_include() {
        local base=systemd,systemd-sysv,dbus,systemd-container,iproute2,procps,libjson-c5,libmount1,libcap2,libseccomp2,libmnl0,libnftables1
        case $1 in
        bookworm) echo "$base,libarchive13,libssl3" ;;
        trixie | forky | sid) echo "$base,libarchive13t64,libssl3t64" ;;
        *) return 1 ;;
        esac
}

print_cache=false
# --print-mirror: the mirror apt uses here (tests/package/build-deb-clean.sh's too).
if [[ ${1:-} == --print-mirror ]]; then
        mirror
        exit 0
fi
if [[ ${1:-} == --print-cache ]]; then
        print_cache=true
        shift
fi
if [[ ${1:-} == --system ]]; then
        (($# == 2)) || {
                echo "usage: $0 --system SUITE" >&2
                exit 2
        }
        system=true SUITE=$2
        INCLUDE=$(system_include "$SUITE") || {
                echo "mkdebian: no package list for a $SUITE test system" >&2
                exit 2
        }
        set --
fi
(($# <= 1)) || {
        echo "usage: $0 [--print-cache] [DEST]" >&2
        exit 2
}
dest=${1:-}

cache=$TSD_FIXTURES/debian-$SUITE
lockname=.debian-$SUITE.lock
if $system; then
        cache=$TSD_FIXTURES/cache/$SUITE
        lockname=cache/.$SUITE.lock
fi
if $print_cache; then
        echo "$cache"
        exit 0
fi

mkdir -p "$TSD_FIXTURES" "$(dirname "$cache")"
fstype=$(stat -f -c %T "$TSD_FIXTURES")
[[ $fstype != overlayfs ]] || skip "$TSD_FIXTURES is on overlayfs, which refuses idmapped mounts"

# One builder at a time; the others wait for its result.
exec {lock}>"$TSD_FIXTURES/$lockname"
flock "$lock"
if [[ ! -f $cache/.nscontain-fixture-complete ]] ||
        { $system && [[ $(<"$cache/.nscontain-fixture-complete") != "$INCLUDE" ]]; }; then
        rm -rf --one-file-system "$cache"
        build "$cache"
fi
flock -u "$lock"

if [[ -z $dest ]] || $system; then
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
