#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "nscontain validate" on image configs where the store itself is the problem, against
# the helper run in the foreground (--config, no systemd) on the same config:
#   - a store on a filesystem that refuses idmapped mounts (an overlayfs): the start
#     fails idmapping the image's top layer, naming the filesystem and what to do, and
#     validate says so in the same words;
#   - validate without root: the image is not checked, and the line says why.
# Needs root and Linux >= 6.8 (overlayfs lowerdir+, as image roots do).
set -eu
. "$(dirname "$0")/../lib/lib.sh"

[[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set (run through meson test)"
NSC=$NSC_BUILD_DIR/cli/nscontain
HELPER=$NSC_BUILD_DIR/helper/nscontain-helper
[[ -x $NSC && -x $HELPER ]] || skip "nscontain or the helper is not built"
image_roots_needs
command -v setpriv >/dev/null || skip "setpriv is not installed (util-linux)"
PY=$(command -v /usr/bin/python3 || command -v python3) || skip "python3 is not installed"

TMP=$(mktemp -d /var/tmp/test-validate-image.XXXXXX)
cleanup() {
        umount "$TMP/ovl" 2>/dev/null || true
        rm -rf "$TMP"
}
trap cleanup EXIT
mkdir -p "$TMP/lower" "$TMP/upper" "$TMP/work" "$TMP/ovl" "$TMP/cfg"
mount -t overlay overlay -o "lowerdir=$TMP/lower,upperdir=$TMP/upper,workdir=$TMP/work" "$TMP/ovl"
export NSCONTAIN_IMAGE_STORE=$TMP/ovl/store NSCONTAIN_CONTAINER_STATE=$TMP/containers NSCONTAIN_CONFIG_PATH=$TMP/cfg

bash "$NSC_SOURCE_DIR/tests/lib/mkrootfs.sh" "$TMP/bb" >/dev/null
cat >"$TMP/spec.json" <<EOF
{"tag": "1", "config": {"Entrypoint": ["/bin/true"], "Env": ["PATH=/bin"]},
 "layers": [{"compression": "gzip", "dir": "$TMP/bb"},
  {"compression": "gzip", "entries": [{"name": "etc/os-release", "data": "ID=test\n"}]}]}
EOF
id=$("$PY" "$NSC_SOURCE_DIR/tests/lib/mkimage.py" "$TMP/spec.json" "$TMP/img")
id=${id#sha256:}
"$NSC" image import "oci:$TMP/img:1" t:1 >/dev/null 2>&1 || fail "import"
# The top layer: the last diff-id of the image's config.
top=$(jq -r '.rootfs.diff_ids[-1]' "$TMP/img/blobs/sha256/$id")
top=${top#sha256:}
[[ $top =~ ^[0-9a-f]{64}$ ]] || fail "no top layer digest: '$top'"
echo '{"image": "t:1", "network": {"mode": "none"}, "user_namespace": {"base": 1310720}}' >"$TMP/cfg/ovlstore.json"

step "a store on overlayfs: the start and validate fail idmapping the top layer, in the same words"
want="Failed to create an idmapped mount of layer $top of image t:1: the image store's filesystem (overlayfs) refuses idmapped mounts; keep the store on one that takes them (ext4, xfs, btrfs, tmpfs)"
out=$(timeout 60 "$HELPER" --config "$TMP/cfg/ovlstore.json" ovlstore 2>&1) && fail "started: $out"
assert_contains "$out" "ovlstore: $want" "the start"
rc=0
out=$("$NSC" validate "$TMP/cfg/ovlstore.json" 2>&1) || rc=$?
assert_eq "$rc:$out" "1:ovlstore.json: image: $want" "validate"

step "without root: not checked, and the line says why"
chmod 0755 "$TMP" "$TMP/cfg"
chmod 0644 "$TMP/cfg/ovlstore.json"
rc=0
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$NSC" validate "$TMP/cfg/ovlstore.json" 2>&1) || rc=$?
assert_eq "$rc:$out" "0:ovlstore.json: ok (not checked against the image: Failed to look up image 't:1': Permission denied)" "validate as nobody"

test_done
