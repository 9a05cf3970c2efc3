#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Image containers through a booted systemd (nscontain.json(5) "image", "ephemeral";
# nscontain-helper(8)): "systemctl start container@web" with "image":
# "oci:/srv/images/web:1.4" imports the image at its first start (progress in the unit's
# status line, the start timeout extended while it works), runs it with the sidecar's
# user range and logs to the journal; two containers of one image keep their writes
# apart, a restart keeps them, "ephemeral" forgets them, "readonly" refuses them,
# "mounts" work on an image root; the store holds each layer once; a missing tag, a
# missing blob, a digest mismatch and an unsupported media type fail the start with
# one line naming the source and the blob; an importer killed at every step
# (failpoints) leaves no half-written store and the next start works.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper cli dbus busybox jq idmap
image_roots_needs
PY=$(command -v /usr/bin/python3 || command -v python3)
NSC=/usr/bin/nscontain

# The store and the containers' layers on the host's real filesystem (the test
# system's / is an overlayfs, which can be neither an upper layer nor idmapped).
mkdir -p "$TSD_FIXDIR/state" "$TSD_FIXDIR/images" "$TSD_FIXDIR/data"
tsd_bind "$TSD_FIXDIR/state" /var/lib/nscontain
tsd_bind "$TSD_FIXDIR/images" /srv/images
tsd_bind "$TSD_FIXDIR/data" /srv/data
IMAGES=$TSD_FIXDIR/images
STORE=$TSD_FIXDIR/state/images

mkimage() { # mkimage DIR JSON: an OCI layout; prints the image id
        echo "$2" >"$TSD_FIXDIR/spec.json"
        "$PY" "$TSD_LIBDIR/mkimage.py" "$TSD_FIXDIR/spec.json" "$1"
}

step "the image: a busybox layer, a layer with an owned dir, a 20 MiB layer"
"$TSD_LIBDIR/mkrootfs.sh" "$TSD_FIXDIR/bb" >/dev/null
WEB_ID=$(mkimage "$IMAGES/web" '{"tag": "1.4",
  "config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["echo hello from $HOSTNAME; trap \"exit 0\" TERM; sleep 1000 & wait"],
             "Env": ["PATH=/bin"], "WorkingDir": "/srv"},
  "layers": [{"compression": "gzip", "dir": "'"$TSD_FIXDIR/bb"'"},
   {"compression": "zstd", "entries": [{"name": "srv", "type": "dir", "uid": 1000, "gid": 1000},
      {"name": "srv/index.html", "data": "web 1.4\n"}]},
   {"compression": "gzip", "entries": [{"name": "opt/blob", "size": 20971520}]}]}')
mapfile -t WEB_LAYERS < <(jq -r '.rootfs.diff_ids[] | sub("sha256:"; "")' "$IMAGES/web/blobs/sha256/$WEB_ID")
assert_eq "${#WEB_LAYERS[@]}" 3 "the image has three layers"
src_sum=$(find "$IMAGES/web" -type f -exec sha256sum {} + | sort | sha256sum)

tsd_install
tsd_boot
tsd_run systemctl start dbus.socket

# The checksum of each layer of a clean import (file names, types, modes, owners,
# contents), to tell a complete layer from a half-written one.
layer_sum() { # layer_sum DIR
        (cd "$1" && find . -printf '%p %y %m %U %G %s\n' | sort && find . -type f -exec sha256sum {} + | sort) |
                sha256sum | cut -d' ' -f1
}
names() { find "$STORE/$1" -mindepth 1 -maxdepth 1 ! -name '.*' -printf '%f\n' | sort | tr '\n' ' '; }
status_text() { tsd_run systemctl show -p StatusText --value "$1"; }
container() { # container NAME JSON: writes the config and reloads
        tsd_write "/etc/nscontain.d/$1.json" "$2"
        tsd_run systemctl daemon-reload
}
# Runs CMD in container NAME (nscontain exec, as its root).
inside() {
        local name=$1
        shift
        tsd_run timeout 30 "$NSC" exec "$name" -- "$@"
}

step "first start imports: progress in the status line, the start timeout extended"
# Each layer waits 3 s before its rename: 9 s of import under a 4 s TimeoutStartSec=,
# which only EXTEND_TIMEOUT_USEC lets through.
container web '{"image": "oci:/srv/images/web:1.4", "network": {"mode": "none"}}'
tsd_write /etc/systemd/system/container@web.service.d/50-test.conf "[Service]
TimeoutStartSec=4
Environment=NSCONTAIN_FAILPOINT=image:before-layer-rename:delay=3000"
tsd_run systemctl daemon-reload
tsd_run systemctl start --no-block container@web.service
seen=()
end=$((SECONDS + 90))
while ((SECONDS < end)); do
        s=$(status_text container@web.service)
        [[ $s == "Importing oci:/srv/images/web:1.4: layer "* && " ${seen[*]} " != *" $s "* ]] && seen+=("$s")
        state=$(tsd_run systemctl is-active container@web.service) || true
        echo "$state: $s" >>"$TSD_DIR/status-all"
        [[ $state == active || $state == failed ]] && break
        sleep 0.05
done
tsd_wait_state container@web.service active 60 || fail "web did not start: $(tsd_status container@web.service)"
printf '%s\n' "${seen[@]}" >"$TSD_DIR/status-seen"
sort -u "$TSD_DIR/status-all" >&2
assert_contains "$(cat "$TSD_DIR/status-seen")" "Importing oci:/srv/images/web:1.4: layer 1/3, unpacking" "status of layer 1"
assert_contains "$(cat "$TSD_DIR/status-seen")" "Importing oci:/srv/images/web:1.4: layer 3/3, 16 MiB" "status with the size"
log=$(tsd_journal container@web.service)
assert_contains "$log" "web: Importing oci:/srv/images/web:1.4: layer 2/3, unpacking" "progress in the journal"
assert_contains "$log" "web: Imported oci:/srv/images/web:1.4 as $WEB_ID." "the import's end in the journal"
retry 10 _tsd_status_has container@web.service "hello from web" || true
tsd_assert_journal container@web.service "hello from web" "the payload's output in the journal"
tsd_run rm -r /etc/systemd/system/container@web.service.d/50-test.conf
tsd_run systemctl daemon-reload

step "the stored image and the container's view"
assert_eq "$(names layers)" "$(printf '%s\n' "${WEB_LAYERS[@]}" | sort | tr '\n' ' ')" "the store holds the three layers"
declare -A REF
for l in "${WEB_LAYERS[@]}"; do
        REF[$l]=$(layer_sum "$STORE/layers/$l")
done
jq -e --arg id "$WEB_ID" '.[] | select(.id == $id) | .used_by == ["web"]' \
        <<<"$(tsd_run "$NSC" image list --json)" >/dev/null || fail "image list: $(tsd_run "$NSC" image list --json)"
assert_eq "$(inside web cat /srv/index.html)" "web 1.4" "the image's file"
assert_eq "$(inside web stat -c %u /srv)" 1000 "the layer's owner through the idmap"
# The payload: Entrypoint + Cmd in WorkingDir.
assert_eq "$(inside web sh -c 'readlink /proc/1/cwd; tr "\0" " " </proc/1/cmdline')" \
        $'/srv\n/bin/sh -c echo hello from $HOSTNAME; trap "exit 0" TERM; sleep 1000 & wait ' \
        "WorkingDir, Entrypoint and Cmd"
assert_match "$(inside web cat /proc/self/uid_map)" '^ +0 +[1-9][0-9]* +65536$' "the sidecar's user range"

step "two containers of one image: writes apart, kept across a restart"
container web2 '{"image": "oci:/srv/images/web:1.4", "network": {"mode": "none"}}'
tsd_run systemctl start container@web2.service || fail "web2: $(tsd_status container@web2.service)"
assert_not_contains "$(tsd_journal container@web2.service)" "Importing" "the second container does not import"
inside web sh -c 'echo one >/srv/mine; echo changed >/srv/index.html; rm /bin/vi'
inside web2 sh -c 'echo two >/srv/mine'
assert_eq "$(inside web cat /srv/mine /srv/index.html)" $'one\nchanged'
assert_eq "$(inside web2 cat /srv/mine /srv/index.html)" $'two\nweb 1.4'
assert_ok inside web2 test -e /bin/vi
tsd_run systemctl restart container@web.service || fail "restart: $(tsd_status container@web.service)"
assert_eq "$(inside web cat /srv/mine /srv/index.html)" $'one\nchanged' "web's writes after its restart"
assert_fail inside web test -e /bin/vi
assert_eq "$(names layers)" "$(printf '%s\n' "${WEB_LAYERS[@]}" | sort | tr '\n' ' ')" "still three layers"
for l in "${WEB_LAYERS[@]}"; do
        assert_eq "$(layer_sum "$STORE/layers/$l")" "${REF[$l]}" "layer $l unchanged by the containers"
done
# Each container's writes: its own layer, a few KiB; the image's 20 MiB are stored once.
kib=$(du -sk "$TSD_FIXDIR/state/containers/web" "$TSD_FIXDIR/state/containers/web2" | awk '{s += $1} END {print s}')
((kib < 512)) || fail "the two containers' own layers hold $kib KiB"
assert_eq "$(find "$IMAGES/web" -type f -exec sha256sum {} + | sort | sha256sum)" "$src_sum" "the source layout is untouched"

step "ephemeral forgets, readonly refuses"
container eph '{"image": "oci:/srv/images/web:1.4", "ephemeral": true, "network": {"mode": "none"}}'
tsd_run systemctl start container@eph.service || fail "eph: $(tsd_status container@eph.service)"
inside eph sh -c 'echo x >/srv/eph'
assert_eq "$(inside eph cat /srv/eph)" x
tsd_run systemctl restart container@eph.service
assert_fail inside eph test -e /srv/eph
assert_fail tsd_run test -e /var/lib/nscontain/containers/eph/upper
container ro '{"image": "oci:/srv/images/web:1.4", "readonly": true, "network": {"mode": "none"}}'
tsd_run systemctl start container@ro.service || fail "ro: $(tsd_status container@ro.service)"
assert_fail inside ro sh -c 'echo x >/srv/ro'
assert_eq "$(inside ro cat /srv/index.html)" "web 1.4"

step "ephemeral with rootfs (systemd-nspawn --volatile=overlay)"
rootfs_sum=$(find "$TSD_FIXDIR/bb" -printf '%p %s %m %U %T@\n' | sort | sha256sum)
container vol '{"rootfs": "'"$TSD_FIXDIR/bb"'", "ephemeral": true, "network": {"mode": "none"},
  "command": ["/bin/sh", "-c", "trap \"exit 0\" TERM; sleep 1000 & wait"]}'
tsd_run systemctl start container@vol.service || fail "vol: $(tsd_status container@vol.service)"
inside vol sh -c 'echo v >/etc/vol; rm /etc/passwd'
assert_eq "$(inside vol cat /etc/vol)" v
assert_eq "$(inside vol stat -f -c %t /)" 794c7630 "the root is an overlay (OVERLAYFS_SUPER_MAGIC)"
tsd_run systemctl restart container@vol.service || fail "vol restart: $(tsd_status container@vol.service)"
assert_fail inside vol test -e /etc/vol
assert_ok inside vol test -e /etc/passwd
assert_eq "$(find "$TSD_FIXDIR/bb" -printf '%p %s %m %U %T@\n' | sort | sha256sum)" "$rootfs_sum" "the rootfs is untouched"
assert_fail tsd_run test -e /var/lib/nscontain/containers/vol
tsd_run systemctl stop container@vol.service

step "mounts on an image root"
container mnt '{"image": "oci:/srv/images/web:1.4", "network": {"mode": "none"},
  "mounts": [{"source": "/srv/data", "target": "/data"}, {"type": "tmpfs", "target": "/srv/cache"}]}'
tsd_run systemctl start container@mnt.service || fail "mnt: $(tsd_status container@mnt.service)"
inside mnt sh -c 'echo from-mnt >/data/f; echo c >/srv/cache/c'
assert_eq "$(cat "$TSD_FIXDIR/data/f")" from-mnt "the bind's write on the host"
assert_eq "$(inside mnt stat -f -c %T /srv/cache)" tmpfs
assert_fail tsd_run test -e /var/lib/nscontain/containers/mnt/upper/srv/cache/c
assert_ok tsd_run test -d /var/lib/nscontain/containers/mnt/upper/data
tsd_run systemctl stop container@web.service container@web2.service container@eph.service \
        container@ro.service container@mnt.service

step "README: an image skopeo wrote as a docker-archive, imported by name, with a published port"
mkdir -p "$TSD_FIXDIR/www/www"
echo "hello from an image" >"$TSD_FIXDIR/www/www/index.html"
mkimage "$IMAGES/httpd" '{"tag": "1", "config": {"Cmd": ["/usr/sbin/httpd", "-f", "-p", "80", "-h", "/www"], "ExposedPorts": {"80/tcp": {}}},
  "layers": [{"compression": "gzip", "dir": "'"$TSD_FIXDIR/bb"'"}, {"compression": "gzip", "dir": "'"$TSD_FIXDIR/www"'"}]}' >/dev/null
skopeo copy -q "oci:$IMAGES/httpd:1" "docker-archive:$IMAGES/httpd.tar:example/httpd:1"
out=$(tsd_run "$NSC" image import docker-archive:/srv/images/httpd.tar httpd:1 2>&1) || fail "import: $out"
HTTPD_ID=$(tail -1 <<<"$out")
container httpd '{"image": "httpd:1", "init": true, "network": {"publish": ["8080:80"]}}'
tsd_run systemctl start container@httpd.service || fail "httpd: $(tsd_status container@httpd.service)"
retry 10 tsd_run curl -sf http://127.0.0.1:8080/ >/dev/null || true
assert_eq "$(tsd_run curl -sf http://127.0.0.1:8080/)" "hello from an image" "the published port"
tsd_run systemctl stop container@httpd.service
assert_fail tsd_run "$NSC" image rm httpd:1
tsd_run rm /etc/nscontain.d/httpd.json
assert_ok tsd_run "$NSC" image rm "$HTTPD_ID"
assert_ok tsd_run "$NSC" image prune
assert_eq "$(names layers)" "$(printf '%s\n' "${WEB_LAYERS[@]}" | sort | tr '\n' ' ')" "rm and prune left web's layers"

step "a missing tag, a missing blob, a digest mismatch, an unsupported media type: one line"
bad_start() { # bad_start NAME SOURCE EXPECTED
        container "$1" "{\"image\": \"$2\", \"network\": {\"mode\": \"none\"}}"
        assert_fail tsd_run systemctl start "container@$1.service"
        assert_eq "$(tsd_run systemctl show -p ExecMainStatus --value "container@$1.service")" 125 "$1 exit status"
        assert_eq "$(status_text "container@$1.service")" "$1: $3" "$1's status line"
        tsd_assert_status "container@$1.service" "$1: $3"
}
bad_start tag oci:/srv/images/web:9.9 \
        "Failed to import oci:/srv/images/web:9.9: index: no manifest tagged '9.9' for $(dpkg --print-architecture)"
mkimage "$IMAGES/noblob" '{"tag": "1", "layers": [{"entries": [{"name": "a", "data": "a"}]}]}' >/dev/null
blob=$(jq -r '.layers[0].digest | sub("sha256:"; "")' \
        "$IMAGES/noblob/blobs/sha256/$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$IMAGES/noblob/index.json")")
rm "$IMAGES/noblob/blobs/sha256/$blob"
bad_start noblob oci:/srv/images/noblob:1 \
        "Failed to import oci:/srv/images/noblob:1: layer blobs/sha256/$blob: cannot open the blob: No such file or directory"
mkimage "$IMAGES/corrupt" '{"tag": "1", "layers": [{"compression": "none", "entries": [{"name": "a", "data": "a"}], "corrupt": "blob"}]}' >/dev/null
blob=$(jq -r '.layers[0].digest | sub("sha256:"; "")' \
        "$IMAGES/corrupt/blobs/sha256/$(jq -r '.manifests[0].digest | sub("sha256:"; "")' "$IMAGES/corrupt/index.json")")
has=$(sha256sum "$IMAGES/corrupt/blobs/sha256/$blob" | cut -d' ' -f1)
bad_start corrupt oci:/srv/images/corrupt:1 \
        "Failed to import oci:/srv/images/corrupt:1: layer blobs/sha256/$blob: blob digest mismatch (the blob has sha256:$has)"
mkimage "$IMAGES/media" '{"tag": "1", "layers": [{"entries": [{"name": "a", "data": "a"}], "corrupt": "media_type"}]}' >/dev/null
manifest=$(jq -r '.manifests[0].digest' "$IMAGES/media/index.json")
blob=$(jq -r '.layers[0].digest' "$IMAGES/media/blobs/sha256/${manifest#sha256:}")
bad_start media oci:/srv/images/media:1 \
        "Failed to import oci:/srv/images/media:1: manifest $manifest: manifest: layer $blob has unsupported media type 'application/vnd.oci.image.layer.v1.tar+xz'"
assert_eq "$(names images)" "$WEB_ID " "no failed import recorded an image"

step "the importer killed at every step: no half-written store, the next start works"
if [[ $(build_option failpoints) != true ]]; then
        not_checked "kills at every step" "build without -Dfailpoints=true"
else
        # One image of three layers, the first shared with web (already stored).
        KILL_ID=$(mkimage "$IMAGES/kill" '{"tag": "1", "config": {"Cmd": ["/bin/sh", "-c", "cat /k; exec sleep 1000"]},
          "layers": [{"compression": "gzip", "dir": "'"$TSD_FIXDIR/bb"'"},
           {"compression": "gzip", "entries": [{"name": "k", "data": "killed and resumed\n"}]},
           {"compression": "zstd", "entries": [{"name": "k2", "size": 1048576}]}]}')
        skopeo copy -q "oci:$IMAGES/kill:1" "oci-archive:$IMAGES/kill.tar:1" >/dev/null
        mapfile -t KILL_LAYERS < <(jq -r '.rootfs.diff_ids[] | sub("sha256:"; "")' "$IMAGES/kill/blobs/sha256/$KILL_ID")
        # The reference: a clean import into a store of its own.
        NSCONTAIN_IMAGE_STORE=$TSD_FIXDIR/ref "$NSC_BUILD_DIR/cli/nscontain" image import "oci:$IMAGES/kill:1" >/dev/null 2>&1
        for l in "${KILL_LAYERS[@]}"; do
                REF[$l]=$(layer_sum "$TSD_FIXDIR/ref/layers/$l")
        done
        # Every named layer is whole, and the image is recorded only when all are.
        store_whole() {
                local l
                for l in $(names layers); do
                        [[ -n ${REF[$l]:-} ]] || fail "unknown layer $l in the store"
                        assert_eq "$(layer_sum "$STORE/layers/$l")" "${REF[$l]}" "layer $l is whole"
                done
                if [[ -e $STORE/images/$KILL_ID ]]; then
                        for l in "${KILL_LAYERS[@]}"; do
                                [[ -d $STORE/layers/$l ]] || fail "image recorded without its layer $l"
                        done
                fi
        }
        n=0
        # Layer 1 is web's (stored); each kill leaves the store further on, and the
        # next import goes on from there: layer 2 unpacked, renamed; layer 3; the record.
        for point in image:after-archive-unpack image:after-layer-extract image:before-layer-rename \
                image:after-layer-rename image:after-layer-extract image:after-layer-rename \
                image:before-image-rename image:before-names-write; do
                n=$((n + 1))
                name=kill$n
                container "$name" '{"image": "oci-archive:/srv/images/kill.tar:1", "network": {"mode": "none"}}'
                tsd_write "/etc/systemd/system/container@$name.service.d/50-test.conf" "[Service]
Environment=NSCONTAIN_FAILPOINT=$point:kill"
                tsd_run systemctl daemon-reload
                assert_fail tsd_run systemctl start "container@$name.service"
                tsd_assert_journal "container@$name.service" "failpoint $point: kill" "$point reached"
                assert_eq "$(status_text "container@$name.service")" \
                        "$name: Failed to import oci-archive:/srv/images/kill.tar:1: nscontain image import was killed by SIGKILL" \
                        "the status after the kill at $point"
                store_whole
                assert_eq "$(find "$STORE" -maxdepth 1 -name '.src-*' | wc -l)" "$n" "each killed import's archive dir is left for prune"
        done
        assert_eq "$(find "$STORE/layers" -maxdepth 1 -name '.tmp-*' | wc -l)" 0 "no temp layer left behind"
        # The last kill's unit, with its failpoint gone, starts and imports what is missing.
        tsd_run rm "/etc/systemd/system/container@$name.service.d/50-test.conf"
        tsd_run systemctl daemon-reload
        tsd_run systemctl start "container@$name.service" || fail "start after the kills: $(tsd_status "container@$name.service")"
        retry 10 _tsd_status_has "container@$name.service" "killed and resumed" || true
        tsd_assert_journal "container@$name.service" "killed and resumed" "the image runs"
        store_whole
        assert_ok tsd_run test -d "/var/lib/nscontain/images/images/$KILL_ID"
        assert_ok tsd_run "$NSC" image prune
        assert_eq "$(find "$STORE" -maxdepth 1 -name '.src-*' | wc -l)" 0 "prune removed the killed imports' archive dirs"
        assert_eq "$(names layers)" "$(printf '%s\n' "${WEB_LAYERS[@]}" "${KILL_LAYERS[@]:1}" | sort | tr '\n' ' ')" \
                "prune kept every layer in use"
        tsd_run systemctl stop "container@$name.service"
fi

test_done
