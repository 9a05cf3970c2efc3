#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# mkrootfs.sh [--probe FILE] DEST: makes DEST a minimal root filesystem from Debian's
# busybox-static: /bin/busybox with all its applet links, /etc/passwd and /etc/group
# (root, nobody, and "app" 1000:1000 in the supplementary groups staff and users), and
# the usual empty mount points. With --probe, FILE (the static tests/probe) becomes
# /probe. DEST must not exist, or be an empty directory.
#
# The tree is built once per content (busybox binary + this script) under
# $TSD_FIXTURES/cache and copied from there, so tests get a private copy they may
# modify (chown it, plant symlinks) in a few milliseconds.
set -euo pipefail

TSD_FIXTURES=${TSD_FIXTURES:-/var/tmp/nscontain-fixtures}
BUSYBOX=${BUSYBOX:-/bin/busybox}

usage() {
        echo "usage: $0 [--probe FILE] DEST" >&2
        exit 2
}

probe=
while (($#)); do
        case $1 in
        --probe)
                (($# >= 2)) || usage
                probe=$2
                shift 2
                ;;
        --) shift; break ;;
        -*) usage ;;
        *) break ;;
        esac
done
(($# == 1)) || usage
dest=$1

[[ -x $BUSYBOX ]] || {
        echo "mkrootfs: $BUSYBOX missing (install busybox-static)" >&2
        exit 1
}
# A dynamically linked busybox would need a libc inside the root.
if ! "$BUSYBOX" --list >/dev/null 2>&1 || ldd "$BUSYBOX" >/dev/null 2>&1; then
        echo "mkrootfs: $BUSYBOX is not a static busybox (install busybox-static)" >&2
        exit 1
fi
if [[ -n $probe && ! -f $probe ]]; then
        echo "mkrootfs: probe $probe not found" >&2
        exit 1
fi
if [[ -e $dest && -n $(ls -A "$dest" 2>/dev/null) ]]; then
        echo "mkrootfs: $dest exists and is not empty" >&2
        exit 1
fi

build_tree() {
        local root=$1 applet
        mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,var/tmp,tmp,root,home/app}
        chmod 1777 "$root/tmp" "$root/var/tmp"
        chmod 0700 "$root/root"
        install -m 0755 "$BUSYBOX" "$root/bin/busybox"
        # Absolute links: they resolve inside the container, whatever its host path.
        while read -r applet; do
                [[ $applet == bin/busybox ]] && continue
                ln -sfn /bin/busybox "$root/$applet"
        done < <("$BUSYBOX" --list-full)
        cat >"$root/etc/passwd" <<-EOF2
	root:x:0:0:root:/root:/bin/sh
	app:x:1000:1000:app:/home/app:/bin/sh
	nobody:x:65534:65534:nobody:/nonexistent:/bin/false
	EOF2
        cat >"$root/etc/group" <<-EOF2
	root:x:0:
	staff:x:50:app
	users:x:100:app
	app:x:1000:
	nogroup:x:65534:
	EOF2
        cat >"$root/etc/os-release" <<-EOF2
	ID=nscontain-busybox
	NAME="nscontain test root (busybox)"
	EOF2
        echo "nscontain-test" >"$root/etc/hostname"
        chown 1000:1000 "$root/home/app"
        chmod 0755 "$root/home/app"
}

key=$( (sha256sum "$BUSYBOX" "${BASH_SOURCE[0]}" | cut -d' ' -f1) | sha256sum | cut -c1-16)
cache=$TSD_FIXTURES/cache/busybox-$key
if [[ ! -d $cache ]]; then
        mkdir -p "$TSD_FIXTURES/cache"
        tmp=$(mktemp -d "$TSD_FIXTURES/cache/.build.XXXXXX")
        trap 'rm -rf "$tmp"' EXIT
        build_tree "$tmp"
        chmod 0755 "$tmp"
        # Another test may have built the same tree meanwhile: the first rename wins.
        mv -T "$tmp" "$cache" 2>/dev/null || rm -rf "$tmp"
        trap - EXIT
fi

mkdir -p "$dest"
cp -a "$cache/." "$dest/"
chmod 0755 "$dest"
if [[ -n $probe ]]; then
        install -m 0755 "$probe" "$dest/probe"
fi
