#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# nscontain image import|list|rm|prune against a store in a temp dir
# ($NSCONTAIN_IMAGE_STORE), with images built here (tests/lib/mkimage.py; skopeo for
# docker-archive and oci-archive): several layers in gzip, zstd and plain tar, a
# whiteout, an opaque dir, a symlink and a hard link inside the layer, a setuid file,
# a file capability, an index with two architectures; the store holds each layer
# once; two imports of one layer at once unpack it once; a kill before a layer's
# rename leaves no half layer and the next import works; every hostile layer of
# docs/SECURITY.md row 14 is refused naming the entry and writes nothing outside its
# temp dir. Needs root (the store keeps the tar's owners, device whiteouts and
# trusted.* xattrs) but no systemd.
set -eu
. "$(dirname "$0")/../lib/lib.sh"

[[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set (run through meson test)"
NSC=$NSC_BUILD_DIR/cli/nscontain
[[ -x $NSC ]] || skip "nscontain is not built"
(($(id -u) == 0)) || skip "needs root (owners, whiteout devices and trusted.* xattrs of the store)"
MKIMAGE=$NSC_SOURCE_DIR/tests/lib/mkimage.py
# Debian's python3 directly: a pyenv shim on PATH costs seconds per call.
PY=$(command -v /usr/bin/python3 || command -v python3)

TMP=$(mktemp -d /var/tmp/test-image-import.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
export NSCONTAIN_IMAGE_STORE=$TMP/store
export NSCONTAIN_CONFIG_PATH=$TMP/configs
mkdir "$TMP/configs"
S=$NSCONTAIN_IMAGE_STORE

mkimage() { # mkimage DIR JSON
        echo "$2" >"$TMP/spec.json"
        "$PY" "$MKIMAGE" "$TMP/spec.json" "$1"
}
layers() { find "$S/layers" -mindepth 1 -maxdepth 1 -type d ! -name '.*' | wc -l; }
xattr() { "$PY" -c 'import os, sys; print(os.getxattr(sys.argv[1], sys.argv[2], follow_symlinks=False).hex())' "$@"; }

step "a three-layer image: gzip, zstd, plain; whiteout, opaque dir, links, setuid, capability"
CAP=0100000200200000000000000000000000000000 # VFS_CAP_REVISION_2, cap_net_raw permitted, effective
id=$(mkimage "$TMP/web" '{"tag": "1.0", "other_arch": "arm64",
  "config": {"Entrypoint": ["/bin/app"], "Cmd": ["serve"], "Env": ["A=1"], "Labels": {"org.example.role": "web"}},
  "layers": [
   {"compression": "gzip", "entries": [
     {"name": "bin", "type": "dir"},
     {"name": "bin/su", "data": "su", "mode": 2541},
     {"name": "bin/ping", "data": "ping", "xattrs": {"security.capability": "'$CAP'"}},
     {"name": "etc/passwd", "data": "root:x:0:0::/root:/bin/sh\n"},
     {"name": "home/user", "type": "dir", "uid": 1000, "gid": 1001, "mode": 448},
     {"name": "gone", "data": "1"}, {"name": "d/x", "data": "1"},
     {"name": "lnk", "type": "symlink", "target": "/etc/passwd"},
     {"name": "hl", "type": "hardlink", "target": "etc/passwd"}]},
   {"compression": "zstd", "entries": [
     {"name": ".wh.gone", "data": ""}, {"name": "d/.wh..wh..opq", "data": ""}, {"name": "d/y", "data": "2"}]},
   {"compression": "none", "entries": [{"name": "top", "data": "t"}]}]}')
out=$("$NSC" image import "oci:$TMP/web:1.0" web:1.0 2>&1) || fail "import failed: $out"
assert_contains "$out" "$id" "import prints the image id"
assert_eq "$(layers)" 3 "three layers in the store"
mapfile -t L < <(jq -r '.rootfs.diff_ids[] | sub("sha256:"; "")' "$S/images/$id/config.json")
assert_eq "${#L[@]}" 3 "the config lists three layers"
l0=$S/layers/${L[0]} l1=$S/layers/${L[1]} l2=$S/layers/${L[2]}
assert_eq "$(stat -c %a:%u:%g "$l0/bin/su")" 4755:0:0 "setuid kept"
assert_eq "$(xattr "$l0/bin/ping" security.capability)" "$CAP" "file capability kept"
assert_eq "$(stat -c %a:%u:%g "$l0/home/user")" 700:1000:1001 "owner and mode kept"
assert_eq "$(readlink "$l0/lnk")" /etc/passwd "symlink kept as written"
assert_eq "$(stat -c %i "$l0/hl")" "$(stat -c %i "$l0/etc/passwd")" "hard link inside the layer"
assert_eq "$(stat -c %F:%t:%T "$l1/gone")" "character special file:0:0" "whiteout is char 0:0"
assert_eq "$(xattr "$l1/d" trusted.overlay.opaque)" 79 "opaque dir marked (\"y\")"
assert_eq "$(cat "$l2/top")" t "plain tar layer"

step "the stacked layers show what docker shows"
mkdir "$TMP/mnt"
mount -t overlay overlay -o "ro,lowerdir=$l2:$l1:$l0" "$TMP/mnt"
view=$(cd "$TMP/mnt" && find . | sort | tr '\n' ' ')
umount "$TMP/mnt"
assert_eq "$view" ". ./bin ./bin/ping ./bin/su ./d ./d/y ./etc ./etc/passwd ./hl ./home ./home/user ./lnk ./top " \
        "overlay of the layers"

step "list --json: names, id, size, created, labels, used_by"
echo '{"image": "web:1.0", "network": {"mode": "none"}}' >"$TMP/configs/app.json"
json=$("$NSC" image list --json)
jq -e --arg id "$id" '.[0].id == $id and .[0].created == "2026-01-02T03:04:05Z" and .[0].size > 0
        and .[0].labels["org.example.role"] == "web" and .[0].used_by == ["app"]
        and ([.[0].names[].ref] | sort) == (["oci:'"$TMP"'/web:1.0", "web:1.0"] | sort)
        and (.[0].names[] | select(.ref == "web:1.0") | .name == "web" and .tag == "1.0")' <<<"$json" >/dev/null ||
        fail "image list --json: $json"
_lib_ok

step "rm is refused while a config names the image"
out=$("$NSC" image rm web:1.0 2>&1) && fail "rm of a used image succeeded"
assert_contains "$out" "used by app"
rm "$TMP/configs/app.json"

step "the store holds each layer once; two imports of one layer at once unpack it once"
id2=$(mkimage "$TMP/web2" '{"tag": "2", "layers": [
   {"compression": "gzip", "entries": [{"name": "base", "data": "shared base layer"}]},
   {"compression": "gzip", "entries": [{"name": "big", "size": 8388608}]}]}')
"$NSC" image import "oci:$TMP/web2:2" a:1 >"$TMP/a.out" 2>&1 &
"$NSC" image import "oci:$TMP/web2:2" b:1 >"$TMP/b.out" 2>&1 &
wait %1 || fail "first concurrent import: $(cat "$TMP/a.out")"
wait %2 || fail "second concurrent import: $(cat "$TMP/b.out")"
assert_eq "$(layers)" 5 "3 + 2 layers"
unpacked=$(cat "$TMP/a.out" "$TMP/b.out" | grep -c 'unpacking' || true)
assert_eq "$unpacked" 2 "each of the two layers unpacked by one import only"
id3=$(mkimage "$TMP/web3" '{"layers": [
   {"compression": "gzip", "entries": [{"name": "base", "data": "shared base layer"}]},
   {"compression": "none", "entries": [{"name": "own", "data": "3"}]}]}')
out=$("$NSC" image import "oci:$TMP/web3" 2>&1) || fail "import: $out"
assert_contains "$out" "Importing oci:$TMP/web3: layer 1/2, already in the store"
assert_eq "$(layers)" 6 "the shared base layer is stored once"

step "docker-archive and oci-archive (skopeo)"
if command -v skopeo >/dev/null; then
        skopeo copy -q "oci:$TMP/web2:2" "docker-archive:$TMP/d.tar:example/web:2" >/dev/null 2>&1 ||
                fail "skopeo copy to docker-archive"
        out=$("$NSC" image import "docker-archive:$TMP/d.tar:example/web:2" 2>&1) || fail "docker-archive: $out"
        assert_contains "$out" "$id2" "docker-archive gives the same image id"
        out=$("$NSC" image import "docker-archive:$TMP/d.tar:example/web:3" 2>&1) && fail "missing tag imported"
        assert_contains "$out" "no image tagged 'example/web:3'"
        skopeo copy -q "oci:$TMP/web2:2" "oci-archive:$TMP/o.tar:2" >/dev/null 2>&1 || fail "skopeo copy to oci-archive"
        out=$("$NSC" image import "oci-archive:$TMP/o.tar:2" 2>&1) || fail "oci-archive: $out"
        assert_contains "$out" "$id2"
        assert_eq "$(layers)" 6 "archives add no layer twice"
        assert_eq "$(find "$S" -maxdepth 1 -name '.src-*' | wc -l)" 0 "the unpacked archive is gone"
else
        not_checked "docker-archive and oci-archive" "skopeo is not installed"
fi

step "clear errors: missing tag, missing blob, digest mismatch, media type, diff-id"
out=$("$NSC" image import "oci:$TMP/web:9.9" 2>&1) && fail "missing tag imported"
assert_contains "$out" "no manifest tagged '9.9'"
mkimage "$TMP/bad" '{"layers": [{"compression": "none", "entries": [{"name": "x", "data": "12345678"}], "corrupt": "blob"}]}' >/dev/null
out=$("$NSC" image import "oci:$TMP/bad" 2>&1) && fail "corrupt blob imported"
assert_match "$out" "layer blobs/sha256/[0-9a-f]{64}: blob digest mismatch"
rm -rf "$TMP/bad"
mkimage "$TMP/bad" '{"layers": [{"entries": [{"name": "x", "data": "1"}], "corrupt": "diff_id"}]}' >/dev/null
out=$("$NSC" image import "oci:$TMP/bad" 2>&1) && fail "wrong diff-id imported"
assert_contains "$out" "diff-id mismatch: the config says sha256:ffff"
rm -rf "$TMP/bad"
mkimage "$TMP/bad" '{"layers": [{"entries": [{"name": "x", "data": "1"}], "corrupt": "media_type"}]}' >/dev/null
out=$("$NSC" image import "oci:$TMP/bad" 2>&1) && fail "xz layer imported"
assert_contains "$out" "unsupported media type 'application/vnd.oci.image.layer.v1.tar+xz'"
blob=$(find "$TMP/bad/blobs/sha256" -size +300c -type f | head -1)
rm -rf "$TMP/bad"
mkimage "$TMP/bad" '{"layers": [{"entries": [{"name": "x", "data": "1"}]}]}' >/dev/null
rm "$TMP/bad/blobs/sha256/$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$TMP/bad/index.json" |
        xargs -I{} jq -r '.layers[0].digest | sub("sha256:"; "")' "$TMP/bad/blobs/sha256/{}")"
out=$("$NSC" image import "oci:$TMP/bad" 2>&1) && fail "missing blob imported"
assert_match "$out" "layer blobs/sha256/[0-9a-f]{64}: cannot open the blob: No such file"
: "$blob"

step "hostile layers (docs/SECURITY.md row 14): refused, naming the entry, nothing written outside"
before=$(layers)
hostile() { # hostile ENTRIES-JSON EXPECTED-MESSAGE [IMPORT OPTIONS]
        rm -rf "$TMP/h"
        mkimage "$TMP/h" '{"layers": [{"compression": "zstd", "entries": ['"$1"']}]}' >/dev/null
        out=$("$NSC" image import ${3:-} "oci:$TMP/h" 2>&1) && fail "hostile layer imported: $1"
        assert_contains "$out" "$2" "$1"
        assert_eq "$(find "$TMP" -name 'nsc-escape*' | wc -l)" 0 "nothing written outside: $1"
        assert_eq "$(find "$S/layers" -maxdepth 1 -name '.tmp-*' | wc -l)" 0 "temp dir removed: $1"
}
hostile '{"name": "../../nsc-escape", "data": "x"}' "entry '../../nsc-escape': refused: absolute name or '..' component"
hostile '{"name": "a/../../../nsc-escape", "data": "x"}' "entry 'a/../../../nsc-escape': refused"
hostile "{\"name\": \"$TMP/nsc-escape\", \"data\": \"x\"}" "entry '$TMP/nsc-escape': refused: absolute name"
hostile "{\"name\": \"hop\", \"type\": \"symlink\", \"target\": \"$TMP\"}, {\"name\": \"hop/nsc-escape\", \"data\": \"x\"}" \
        "entry 'hop/nsc-escape': refused: path through a symlink"
hostile '{"name": "hop", "type": "symlink", "target": "/"}, {"name": "hop/etc/nsc-escape", "data": "x"}' \
        "entry 'hop/etc/nsc-escape': refused: path through a symlink"
hostile '{"name": "shadow", "type": "hardlink", "target": "../../etc/shadow"}' \
        "entry 'shadow': refused: hard link target outside the layer"
hostile '{"name": "hop", "type": "symlink", "target": "/etc"}, {"name": "shadow", "type": "hardlink", "target": "hop/shadow"}' \
        "entry 'shadow': refused: hard link target through a symlink"
hostile '{"name": "mem", "type": "char", "major": 1, "minor": 1}' "entry 'mem': refused: device node"
hostile '{"name": "sda", "type": "block", "major": 8, "minor": 0}' "entry 'sda': refused: device node"
hostile '{"name": "bomb", "size": 134217728}' "entry 'bomb': layer larger than 8388608 bytes (uncompressed)" --max-size=8388608
long=$(printf 'a%.0s' {1..200})
hostile "{\"name\": \"$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/$long/x\", \"data\": \"x\"}" \
        "refused: name longer than the limit"
assert_eq "$(layers)" "$before" "no hostile layer reached the store"

step "a kill before a layer's rename: no half layer, the next import works"
if [[ $(build_option failpoints) == true ]]; then
        id4=$(mkimage "$TMP/web4" '{"layers": [{"entries": [{"name": "k", "data": "killed once"}]}]}')
        rc=0
        NSCONTAIN_FAILPOINT=image:before-layer-rename "$NSC" image import "oci:$TMP/web4" >/dev/null 2>&1 || rc=$?
        assert_eq "$rc" 137 "killed at the failpoint"
        assert_eq "$(find "$S/layers" -maxdepth 1 -name '.tmp-*' | wc -l)" 1 "the temp dir is what is left"
        assert_eq "$(layers)" "$before" "no layer under its final name"
        out=$("$NSC" image import "oci:$TMP/web4" 2>&1) || fail "import after the kill: $out"
        assert_contains "$out" "$id4"
        assert_eq "$(find "$S/layers" -maxdepth 1 -name '.tmp-*' | wc -l)" 0 "the temp dir is gone"
        # In the middle of a layer: two of its four entries written into the temp dir.
        before=$(layers)
        id5=$(mkimage "$TMP/web5" '{"layers": [{"entries": [{"name": "m1", "data": "1"}, {"name": "m2", "data": "2"},
                {"name": "m3", "data": "3"}, {"name": "m4", "data": "4"}]}]}')
        rc=0
        NSCONTAIN_FAILPOINT=image:extract-entry:kill@3 "$NSC" image import "oci:$TMP/web5" >/dev/null 2>&1 || rc=$?
        assert_eq "$rc" 137 "killed at the third entry"
        tmp_left=$(find "$S/layers" -maxdepth 1 -name '.tmp-*')
        assert_eq "$(wc -l <<<"$tmp_left")" 1 "one temp dir is left"
        assert_eq "$(ls "$tmp_left" | tr '\n' ' ')" "m1 m2 " "it holds the entries before the kill"
        assert_eq "$(layers)" "$before" "no layer under its final name"
        out=$("$NSC" image import "oci:$TMP/web5" 2>&1) || fail "import after the kill mid-layer: $out"
        assert_contains "$out" "$id5"
        assert_eq "$(find "$S/layers" -maxdepth 1 -name '.tmp-*' | wc -l)" 0 "the temp dir is gone"
        l5=$(jq -r '.rootfs.diff_ids[0] | sub("sha256:"; "")' "$S/images/$id5/config.json")
        assert_eq "$(cat "$S/layers/$l5/m1" "$S/layers/$l5/m4")" "14" "the layer is whole"
else
        not_checked "kill before the rename" "build without -Dfailpoints=true"
fi

step "rm and prune"
assert_ok "$NSC" image rm "oci:$TMP/web:1.0"
jq -e --arg id "$id" '[.[] | select(.id == $id)] | length == 1' <<<"$("$NSC" image list --json)" >/dev/null ||
        fail "the image went with one of its two names"
_lib_ok
assert_ok "$NSC" image rm web:1.0
jq -e --arg id "$id" '[.[] | select(.id == $id)] | length == 0' <<<"$("$NSC" image list --json)" >/dev/null ||
        fail "the image stayed after its last name"
_lib_ok
n=$(layers)
# What a killed archive import leaves: its unpacked archive in a .src-* dir.
mkdir -p "$S/.src-KILLED/blobs"
out=$("$NSC" image prune)
assert_eq "$out" "Removed 3 layers." "the first image's three layers pruned"
assert_fail test -e "$S/.src-KILLED"
assert_eq "$(layers)" $((n - 3))
assert_ok "$NSC" image rm "$id3"
out=$("$NSC" image prune)
assert_eq "$out" "Removed 1 layer." "the shared base layer stays for the other images"
[[ -d $S/layers/$(jq -r '.rootfs.diff_ids[0] | sub("sha256:"; "")' "$S/images/$id2/config.json") ]] ||
        fail "the shared layer was pruned"
_lib_ok

test_done
