#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# build-deb.sh OUTDIR: builds the Debian package from this source tree (its working
# files, not only what is committed) with "dpkg-buildpackage -us -uc -b" in a copy under
# OUTDIR, runs lintian on the result, and leaves nscontain_*.deb (and the -dbgsym .ddeb)
# in OUTDIR. Prints the build time and lintian's tags; exits non-zero when the build
# fails or lintian reports an error (E:). Warnings left are listed in debian/README.source.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?usage: build-deb.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree=$out/nscontain-${version%-*}

rm -rf "$tree" "$out"/nscontain_* "$out"/nscontain-dbgsym_*
mkdir -p "$tree"
# The source without build directories, version control or editor leftovers.
tar -C "$src" --exclude=.git --exclude='./build*' --exclude='./obj-*' --exclude=./debian/nscontain \
        --exclude=./debian/.debhelper --exclude=./debian/files --exclude='./debian/*.substvars' \
        --exclude=./debian/debhelper-build-stamp -cf - . | tar -C "$tree" -xf -

start=$(date +%s)
(cd "$tree" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 || {
        tail -n 40 "$out/build.log" >&2
        echo "build-deb.sh: dpkg-buildpackage failed (log: $out/build.log)" >&2
        exit 1
}
echo "build-deb.sh: dpkg-buildpackage took $(($(date +%s) - start)) s"
rm -rf "$tree"
ls "$out"/nscontain_*.deb "$out"/nscontain-dbgsym_*.*deb

lintian_out=$(lintian --no-tag-display-limit "$out"/nscontain_*.changes 2>&1 || true)
echo "$lintian_out"
if grep -q '^E: ' <<<"$lintian_out"; then
        echo "build-deb.sh: lintian reports errors" >&2
        exit 1
fi
