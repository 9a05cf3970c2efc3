#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# "nscontain validate" predicts the start's failures (lib/preflight.c): a table of the
# mistakes admins make, each written as a config in a booted test systemd, validated
# there, then started. For every row validate's finding (JSON path and message, from
# --json) and the unit's StatusText (systemctl show -p StatusText) must be the same
# words: StatusText is "NAME: " and the message (with the JSON path for a dependency or
# an env file), exactly. A clean config passes both. The generator's --dry-run reports
# the same. Image configs (imported in a store on a tmpfs) are checked through their
# layers with the image's config applied, as the start sees them; an image not in the
# store is not checked, and says why. Two configs publishing one host port: validate
# names the other config's file, the start the running container.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper cli busybox jq idmap

BASE=524288 # a fixed uid range: no sidecar needed
ROOT=$(tsd_mkrootfs root)
FIX=$TSD_FIXDIR
mkdir -p "$FIX/data"
NSC=/usr/bin/nscontain
DEFAULT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

tsd_install
tsd_boot

# An overlayfs root (the test system's own /), which refuses idmapped mounts.
tsd_run mkdir -p /var/lib/ovl-root
tsd_run cp -a "$ROOT/." /var/lib/ovl-root/
assert_eq "$(tsd_run stat -f -c %T /var/lib/ovl-root)" overlayfs "the overlay fixture is on overlayfs"

# config NAME EXTRA: a config on $ROOT with a user namespace of a fixed base and no
# network; EXTRA (JSON members, starting with a comma) overrides.
config() {
        local cmd=', "command": ["/bin/true"]'
        [[ ${2:-} != *'"command"'* ]] || cmd=
        printf '{"rootfs": "%s"%s, "network": {"mode": "none"}, "user_namespace": {"base": %d}%s}\n' \
                "$ROOT" "$cmd" "$BASE" "${2:-}" >"$(tsd_root)/etc/nscontain.d/$1.json"
}
mkdir -p "$(tsd_root)/etc/nscontain.d"

# The table: NAME | JSON path of the finding | the start's message (after "NAME: ").
# A path "-" is a finding without one (the file name); "requires[0]" and "env_files[0]"
# rows carry the path in the status text too, as the helper says it.
ROWS=(
        "nocmd|command[0]|Failed to execute '/usr/sbin/nginx': No such file or directory"
        "notinpath|command[0]|Command 'frobnicate' not found in the container's PATH ($DEFAULT_PATH)"
        "noexec|command[0]|Failed to execute '/etc/passwd': Permission denied"
        "nouser|user|Failed to resolve user 'bob': no such user in the container's /etc/passwd"
        "nogroup|user|Failed to resolve user 'app:wheel': no such group 'wheel' in the container's /etc/group"
        "nobind|mounts[1].source|Failed to open bind source '$FIX/missing' (mounts[1]): No such file or directory"
        "noworkdir|workdir|Failed to change to the working directory '/srv/www': No such file or directory"
        "filewd|workdir|Failed to change to the working directory '/etc/passwd': Not a directory"
        "idmapfs|user_namespace.ownership|Failed to create an idmapped mount of rootfs '/var/lib/ovl-root': its filesystem (overlayfs) refuses idmapped mounts; set \"user_namespace\": {\"ownership\": \"chown\"} to shift its ownership once instead"
        "needsghost|requires[0]|container 'ghost' has no config file"
        "nocred|credentials.token|Failed to load credential 'token' from '/etc/missing-token': No such file or directory"
        "my_web|-|invalid container name \"my_web\": '_' is not allowed in a machine name: rename the file to my-web.json"
        "badenv|env_files[1]|$FIX/bad.env:2: not an assignment: write KEY=VALUE (KEY of letters, digits and '_'), or quote the value completely"
        "noenv|env_files[0]|$FIX/none.env: No such file"
        "needsbad|requires[0]|container 'broken' has an invalid config"
)
config nocmd ', "command": ["/usr/sbin/nginx", "-f"]'
config notinpath ', "command": ["frobnicate"]'
config noexec ', "command": ["/etc/passwd"]'
config nouser ', "user": "bob"'
config nogroup ', "user": "app:wheel"'
config nobind ", \"mounts\": [{\"source\": \"$FIX/data\", \"target\": \"/data\"}, {\"source\": \"$FIX/missing\", \"target\": \"/missing\"}]"
config noworkdir ', "workdir": "/srv/www"'
config filewd ', "workdir": "/etc/passwd"'
printf '{"rootfs": "/var/lib/ovl-root", "command": ["/bin/true"], "network": {"mode": "none"}, "user_namespace": {"base": %d}}\n' \
        "$BASE" >"$(tsd_root)/etc/nscontain.d/idmapfs.json"
config needsghost ', "requires": ["ghost"], "wants": ["ghost2"]'
config my_web
config nocred ', "credentials": {"token": "/etc/missing-token"}'
printf 'A=1\n' >"$FIX/good.env"
printf 'B=2\nthis is no assignment\n' >"$FIX/bad.env"
config badenv ", \"env_files\": [\"$FIX/good.env\", \"$FIX/bad.env\"]"
config noenv ", \"env_files\": [\"$FIX/none.env\"]"
# broken.json loads with an error of its own (not a row: its unit is never written).
config broken ', "hostnme": "x"'
config needsbad ', "requires": ["broken"], "wants": ["broken"]'
# Clean: a workdir made by a mount, a command found in the bind, a named user.
config clean ", \"user\": \"app\", \"workdir\": \"/data/sub\", \"command\": [\"/data/bin/hello\"], \"mounts\": [{\"source\": \"$FIX/data\", \"target\": \"/data\"}]"
mkdir -p "$FIX/data/sub" "$FIX/data/bin"
printf '#!/bin/sh\nexit 0\n' >"$FIX/data/bin/hello"
chmod 755 "$FIX/data/bin/hello"

# Image containers (Linux >= 6.8: overlayfs lowerdir+): the image's Entrypoint, Cmd,
# User, WorkingDir and Env apply as at start, and its layers stack with their whiteouts.
# The store and the containers' layers on a tmpfs: the test system's / is overlayfs.
IMAGES=
IFS=. read -r kmaj kmin _ <<<"$(uname -r)"
if ((kmaj < 6 || (kmaj == 6 && kmin < 8))); then
        not_checked "the image rows" "Linux $(uname -r) has no overlayfs lowerdir+ (6.8 needed)"
elif ! command -v python3 >/dev/null; then
        not_checked "the image rows" "python3 is not installed (tests/lib/mkimage.py)"
else
        IMAGES=1
        cat >"$FIX/good.spec" <<EOF
{"tag": "1", "config": {"Entrypoint": ["/bin/sh", "-c"], "Cmd": ["test \$(pwd) = /srv && test \$(id -u) = 1000"],
  "Env": ["PATH=/bin"], "WorkingDir": "/srv", "User": "app"},
 "layers": [{"compression": "gzip", "dir": "$ROOT"},
  {"compression": "gzip", "entries": [{"name": "srv", "type": "dir", "uid": 1000, "gid": 1000},
    {"name": "bin/.wh.true", "data": ""}]}]}
EOF
        cat >"$FIX/bad.spec" <<EOF
{"tag": "1", "config": {"Entrypoint": ["frobnicate"], "Env": ["PATH=/bin"], "WorkingDir": "/srv/www", "User": "bob"},
 "layers": [{"compression": "gzip", "dir": "$ROOT"}]}
EOF
        python3 "$NSC_SOURCE_DIR/tests/lib/mkimage.py" "$FIX/good.spec" "$FIX/good.img" >/dev/null
        python3 "$NSC_SOURCE_DIR/tests/lib/mkimage.py" "$FIX/bad.spec" "$FIX/bad.img" >/dev/null
        tsd_run mount -t tmpfs -o mode=0755 nscontain-state /var/lib/nscontain
        tsd_run "$NSC" image import "oci:$FIX/good.img:1" good:1 >/dev/null 2>&1 || fail "import of good:1"
        tsd_run "$NSC" image import "oci:$FIX/bad.img:1" bad:1 >/dev/null 2>&1 || fail "import of bad:1"
        image() {
                printf '{"image": "%s", "network": {"mode": "none"}, "user_namespace": {"base": %d}%s}\n' \
                        "$2" "$BASE" "${3:-}" >"$(tsd_root)/etc/nscontain.d/$1.json"
        }
        # Each with one mistake of the image's: the config overrides the other two.
        image imgcmd bad:1 ', "user": "0", "workdir": "/"'
        image imguser bad:1 ', "command": ["/bin/sh", "-c", "true"], "workdir": "/"'
        image imgwd bad:1 ', "command": ["/bin/sh", "-c", "true"], "user": "0"'
        # good:1's second layer whites out /bin/true.
        image imgwh good:1 ', "command": ["/bin/true"]'
        ROWS+=(
                "imgcmd|image|Command 'frobnicate' not found in the container's PATH (/bin)"
                "imguser|image|Failed to resolve user 'bob': no such user in the container's /etc/passwd"
                "imgwd|image|Failed to change to the working directory '/srv/www': No such file or directory"
                "imgwh|command[0]|Failed to execute '/bin/true': No such file or directory"
        )
fi
tsd_run systemctl daemon-reload

step "validate over the search path: one line per file, exit 1"
rc=0
text=$(tsd_run "$NSC" validate 2>&1) || rc=$?
assert_eq "$rc" 1 "exit status"
assert_eq "$(grep -c ': ok' <<<"$text")" 1 "only the clean config is ok: $text"
assert_contains "$text" "clean.json: ok"
assert_contains "$text" "needsghost.json: warning: wants[0]: container 'ghost2' has no config file"
assert_contains "$text" "needsbad.json: warning: wants[0]: container 'broken' has an invalid config"
rc=0
json=$(tsd_run "$NSC" validate --json 2>/dev/null) || rc=$?
assert_eq "$rc" 1 "--json exit status"
jq -e '.files[] | select(.name == "clean") | .status == "ok" and .checked_against_rootfs' <<<"$json" >/dev/null ||
        fail "clean is not ok and checked: $json"

# The finding of NAME at PATH, from --json ("-": the one error finding without a path).
finding() {
        local file=/etc/nscontain.d/$1.json
        if [[ $2 == - ]]; then
                jq -r --arg f "$file" '[.findings[] | select(.file == $f and .severity == "error" and .path == null)
                        | .message] | if length == 1 then .[0] else error("not one finding") end' <<<"$json"
        else
                jq -r --arg f "$file" --arg p "$2" '[.findings[] | select(.file == $f and .path == $p)
                        | .message] | if length == 1 then .[0] else error("not one finding") end' <<<"$json"
        fi
}

status_text() {
        tsd_run systemctl show -p StatusText --value "container@$1.service"
}
status_is() {
        [[ $(status_text "$1") == "$2" ]]
}

for row in "${ROWS[@]}"; do
        IFS='|' read -r name path message <<<"$row"
        step "$name: $path"
        got=$(finding "$name" "$path") || fail "$name: no single finding at $path in: $json"
        assert_eq "$got" "$message" "$name: validate's finding"
        # Exactly one error for this file: each row holds one mistake.
        assert_eq "$(jq --arg f "/etc/nscontain.d/$name.json" \
                '[.findings[] | select(.file == $f and .severity == "error")] | length' <<<"$json")" 1 \
                "$name: one error"
        if tsd_run systemctl start "container@$name.service" 2>/dev/null; then
                fail "$name: the start succeeded"
        fi
        case $path in
        requires* | env_files*) want="$name: $path: $message" ;;
        -) want="$name.json: $message" ;;
        *) want="$name: $message" ;;
        esac
        retry 5 status_is "$name" "$want" || true
        assert_eq "$(status_text "$name")" "$want" "$name: StatusText of the failed start"
done

step "a clean config passes both"
rc=0
out=$(tsd_run "$NSC" validate /etc/nscontain.d/clean.json 2>&1) || rc=$?
assert_eq "$rc:$out" "0:clean.json: ok" "validate"
tsd_run systemctl start container@clean.service || fail "clean did not start: $(tsd_status container@clean.service)"
tsd_wait_state container@clean.service inactive 20 || fail "clean did not finish"
assert_eq "$(tsd_run systemctl show -p Result --value container@clean.service)" success "clean: result"

if [[ -n $IMAGES ]]; then
        step "an image config: clean passes both; one not in the store is not checked, in the start's words"
        image imgclean good:1
        image imgnone missing:1
        tsd_run systemctl daemon-reload
        rc=0
        out=$(tsd_run "$NSC" validate /etc/nscontain.d/imgclean.json 2>&1) || rc=$?
        assert_eq "$rc:$out" "0:imgclean.json: ok" "validate"
        ij=$(tsd_run "$NSC" validate --json /etc/nscontain.d/imgclean.json 2>/dev/null)
        jq -e '.files[0].checked_against_rootfs == true and .findings == []' <<<"$ij" >/dev/null ||
                fail "imgclean is not checked against its image: $ij"
        tsd_run systemctl start container@imgclean.service ||
                fail "imgclean did not start: $(tsd_status container@imgclean.service)"
        tsd_wait_state container@imgclean.service inactive 20 || fail "imgclean did not finish"
        assert_eq "$(tsd_run systemctl show -p Result --value container@imgclean.service)" success "imgclean: result"

        none="No image 'missing:1' in the store /var/lib/nscontain/images (see 'nscontain image import')."
        rc=0
        out=$(tsd_run "$NSC" validate /etc/nscontain.d/imgnone.json 2>&1) || rc=$?
        assert_eq "$rc:$out" "0:imgnone.json: ok (not checked against the image: $none)" "validate"
        assert_fail tsd_run systemctl start container@imgnone.service
        retry 5 status_is imgnone "imgnone: $none" || true
        assert_eq "$(status_text imgnone)" "imgnone: $none" "imgnone: StatusText of the failed start"
        tsd_run rm /etc/nscontain.d/imgclean.json /etc/nscontain.d/imgnone.json

        step "an image named by a transport and not imported yet: not checked, and its first start imports it"
        cp -a "$FIX/good.img" "$FIX/other.img"
        image imgtrans "oci:$FIX/other.img:1"
        tsd_run systemctl daemon-reload
        rc=0
        out=$(tsd_run "$NSC" validate /etc/nscontain.d/imgtrans.json 2>&1) || rc=$?
        assert_eq "$rc:$out" "0:imgtrans.json: ok (not checked against the image: Image oci:$FIX/other.img:1 is not imported yet: its first start imports it)" "validate"
        ij=$(tsd_run "$NSC" validate --json /etc/nscontain.d/imgtrans.json 2>/dev/null)
        jq -e '.files[0].checked_against_rootfs == false and ([.findings[] | .severity] == ["info"])' <<<"$ij" >/dev/null ||
                fail "imgtrans: $ij"
        tsd_run systemctl start container@imgtrans.service ||
                fail "imgtrans did not start: $(tsd_status container@imgtrans.service)"
        tsd_wait_state container@imgtrans.service inactive 60 || fail "imgtrans did not finish"
        assert_eq "$(tsd_run systemctl show -p Result --value container@imgtrans.service)" success "imgtrans: result"
        rc=0
        out=$(tsd_run "$NSC" validate /etc/nscontain.d/imgtrans.json 2>&1) || rc=$?
        assert_eq "$rc:$out" "0:imgtrans.json: ok" "validate once it is imported: checked"
        tsd_run rm /etc/nscontain.d/imgtrans.json
fi

step "the generator's --dry-run reports the same findings"
rc=0
GEN=$(tsd_run sh -c 'for d in /usr/lib /lib; do f=$d/systemd/system-generators/nscontain-generator; [ -x $f ] && echo $f && break; done')
[[ -n $GEN ]] || fail "nscontain-generator is not installed in the test system"
dry=$(tsd_run "$GEN" --dry-run 2>&1 >/dev/null) || rc=$?
assert_eq "$rc" 1 "--dry-run exit status"
for row in "${ROWS[@]}"; do
        IFS='|' read -r name path message <<<"$row"
        if [[ $path == - ]]; then
                assert_contains "$dry" "$name.json: $message" "$name: --dry-run"
        else
                assert_contains "$dry" "$name.json: $path: $message" "$name: --dry-run"
        fi
done
assert_not_contains "$dry" "clean.json" "--dry-run: nothing about the clean config"

# Published host ports: validate cannot know what runs, so it names the other config;
# the start (the sidecar) names the running holder. Same port, same container.
step "two configs publishing 8080/tcp: validate names the other config, the start the running one"
for need in /usr/bin/dbus-daemon /lib/systemd/systemd-machined /usr/sbin/nft; do
        [[ -x $need ]] || { not_checked "the published-port row" "$need is not installed"; need=; break; }
done
if [[ -n $need ]]; then
        UP="trap 'exit 0' TERM; sleep 1000 \u0026 wait"
        portcfg() { # NAME BASE PUBLISH
                printf '{"rootfs": "%s", "command": ["/bin/sh", "-c", "%s"], "user_namespace": {"base": %d}, "network": {"publish": ["%s"]}}\n' \
                        "$ROOT" "$UP" "$2" "$3" >"$(tsd_root)/etc/nscontain.d/$1.json"
        }
        portcfg porta "$BASE" 8080:80
        portcfg portb $((BASE + 65536)) 127.0.0.1:8080:8080
        tsd_run systemctl daemon-reload
        tsd_run systemctl start dbus.socket
        clash="Host port 127.0.0.1:8080/tcp is published by the container 'porta' too (/etc/nscontain.d/porta.json)"
        rc=0
        pj=$(tsd_run "$NSC" validate --json /etc/nscontain.d/portb.json 2>/dev/null) || rc=$?
        assert_eq "$rc" 3 "a warning only: exit 3"
        assert_eq "$(jq -r '[.findings[] | select(.path == "network.publish[0]" and .severity == "warning")
                | .message] | if length == 1 then .[0] else error("not one finding") end' <<<"$pj")" \
                "$clash: the one started second fails while the other runs" "validate's finding"
        rc=0
        tsd_run "$NSC" validate --strict /etc/nscontain.d/portb.json >/dev/null 2>&1 || rc=$?
        assert_eq "$rc" 1 "--strict: the warning is an error"
        tsd_run systemctl start container@porta.service || fail "porta did not start: $(tsd_status container@porta.service)"
        assert_fail tsd_run systemctl start container@portb.service
        want="portb: Failed to set up the network through nscontain-sidecar: Host port 127.0.0.1:8080/tcp is published by the running container 'porta'"
        retry 5 status_is portb "$want" || true
        assert_eq "$(status_text portb)" "$want" "portb: StatusText of the failed start"
        tsd_run systemctl stop container@porta.service

        step "both started at boot (autostart): an error"
        for n in porta portb; do
                tsd_run sed -i 's/^{/{"autostart": true, /' "/etc/nscontain.d/$n.json"
        done
        rc=0
        pj=$(tsd_run "$NSC" validate --json /etc/nscontain.d/portb.json 2>/dev/null) || rc=$?
        assert_eq "$rc" 1 "exit status"
        assert_eq "$(jq -r '[.findings[] | select(.path == "network.publish[0]" and .severity == "error") | .message] | .[0]' <<<"$pj")" \
                "$clash: both start at boot (autostart), and the one started second fails" "validate's error"
        tsd_run rm /etc/nscontain.d/porta.json /etc/nscontain.d/portb.json
fi

test_done
