#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Identity and privileges of the payload (helper/user.c, caps.c, seccomp.c, netif.c),
# end to end through systemd and observed by the static probe: hostname, env, user,
# group and supplementary groups from the image's passwd/group, workdir, the capability
# sets for root and for a named user (default, add, drop), no_new_privileges on and
# off, the seccomp filter on (with and without no_new_privileges) and off, the fixed
# uid map with setgroups "deny", loopback up in network "none", namespaces distinct
# from the host's with the payload as PID 1, and the start failure for an unknown user.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper probe busybox jq

BASE=524288 # 0x80000: the fixed uid range of these containers

# $TSD_CAPS_DEFAULT + NET_ADMIN (12) - CHOWN (0)
CAPS_ADD_DROP=00000000800415fa
ZERO=0000000000000000

ROOT=$(tsd_mkrootfs root --probe)
OUT=$TSD_FIXDIR/out
mkdir -p "$OUT"

# Each container runs this with its name: everything it sees goes to /out/NAME.*.
cat >"$ROOT/check.sh" <<'EOF'
#!/bin/sh
n=$1
/probe >/out/$n.json
/probe check-syscall keyctl >/out/$n.keyctl.json
/probe check-syscall bpf >/out/$n.bpf.json
/probe check-syscall getpid >/out/$n.getpid.json
echo done >/out/$n.done
EOF
chmod 755 "$ROOT/check.sh"

tsd_install
tsd_boot

# The host's view, for comparing namespace inodes: from inside the test systemd (its
# namespaces are the "host" of the containers).
tsd_cp_in "$NSC_PROBE" /usr/local/bin/nsc-probe
HOST=$(tsd_run /usr/local/bin/nsc-probe)
assert_json_text "$HOST" '.ns | [.ipc, .uts, .net, .pid, .mnt, .user, .cgroup] | all(type == "number")' true \
        "the host's namespace inodes"

status_of() { tsd_status "container@$1.service"; }

# run_container NAME EXTRA_JSON: starts a container running check.sh and waits for it
# to finish; EXTRA_JSON is spliced into the config object.
run_container() {
        local name=$1 extra=$2
        tsd_write "/etc/nscontain.d/$name.json" "{
                \"rootfs\": \"$ROOT\",
                \"command\": [\"/bin/sh\", \"/check.sh\", \"$name\"],
                \"network\": {\"mode\": \"none\"},
                \"user_namespace\": {\"base\": $BASE},
                \"mounts\": [{\"source\": \"$OUT\", \"target\": \"/out\", \"idmap\": false}]
                $extra
        }"
        tsd_run systemctl daemon-reload
        tsd_run systemctl start "container@$name.service" || fail "start of container@$name failed: $(status_of "$name")"
        tsd_wait_state "container@$name.service" inactive 20 || fail "container@$name did not finish: $(status_of "$name")"
        [[ -f $OUT/$name.done ]] || fail "container@$name did not run its checks: $(status_of "$name")"
}

# The output directory is a plain (not idmapped) bind: give it to the range.
chown "$BASE:$BASE" "$OUT"
chmod 0777 "$OUT"

# A uid_map or gid_map as "INSIDE OUTSIDE COUNT".
MAP='[splits(" +|\n") | select(. != "")] | join(" ")'

step "a named user with supplementary groups, workdir, env, hostname, caps add/drop"
run_container app ',
        "user": "app",
        "hostname": "creds-host",
        "workdir": "/home/app",
        "env": {"GREETING": "hello world", "PATH": "/bin:/sbin"},
        "capabilities": {"add": ["CAP_NET_ADMIN"], "drop": ["chown"]}'
assert_json "$OUT/app.json" '"\(.uid):\(.euid):\(.gid):\(.egid)"' "1000:1000:1000:1000" "uid/gid of user app"
assert_json "$OUT/app.json" '.groups | sort | join(",")' "50,100" "supplementary groups of app (staff, users)"
assert_json "$OUT/app.json" .hostname creds-host "hostname"
assert_json "$OUT/app.json" .cwd /home/app "working directory"
assert_json "$OUT/app.json" .env.GREETING "hello world" "env from the config"
assert_json "$OUT/app.json" .env.PATH /bin:/sbin "env overriding a default"
assert_json "$OUT/app.json" .env.container nscontain "default env"
assert_json "$OUT/app.json" .CapBnd $CAPS_ADD_DROP "bounding set = default + NET_ADMIN - CHOWN"
# A non-root user keeps nothing across execve (no ambient, no inheritable): docker's rule.
assert_json "$OUT/app.json" '.CapPrm + ":" + .CapEff' "$ZERO:$ZERO" "permitted/effective of a non-root user"
assert_json "$OUT/app.json" '.CapInh + ":" + .CapAmb' "$ZERO:$ZERO" "inheritable/ambient"
assert_json "$OUT/app.json" .NoNewPrivs 1 "no_new_privileges defaults to on"
assert_json "$OUT/app.json" .Seccomp 2 "seccomp filter mode"
assert_json "$OUT/app.keyctl.json" .errno 1 "keyctl is denied with EPERM"
assert_json "$OUT/app.bpf.json" .errno 1 "bpf is denied with EPERM"
assert_json "$OUT/app.getpid.json" .errno 0 "getpid is allowed"
assert_json "$OUT/app.json" ".uid_map | $MAP" "0 $BASE 65536" "uid map"
assert_json "$OUT/app.json" ".gid_map | $MAP" "0 $BASE 65536" "gid map"
assert_json "$OUT/app.json" .setgroups deny "setgroups (docs/SECURITY.md row 10)"

step "root with the default set, no_new_privileges off: the filter still loads"
run_container rootc ', "no_new_privileges": false'
assert_json "$OUT/rootc.json" '"\(.uid):\(.gid)"' "0:0" "default user is root"
assert_json "$OUT/rootc.json" '.groups | length' 0 "root has no supplementary groups"
assert_json "$OUT/rootc.json" .CapBnd $TSD_CAPS_DEFAULT "bounding set = default"
assert_json "$OUT/rootc.json" '.CapPrm + ":" + .CapEff' "$TSD_CAPS_DEFAULT:$TSD_CAPS_DEFAULT" "root's permitted/effective"
assert_json "$OUT/rootc.json" '.CapInh + ":" + .CapAmb' "$ZERO:$ZERO" "inheritable/ambient"
assert_json "$OUT/rootc.json" .NoNewPrivs 0 "no_new_privileges off"
assert_json "$OUT/rootc.json" .Seccomp 2 "the filter without no_new_privileges"
assert_json "$OUT/rootc.keyctl.json" .errno 1 "keyctl denied without no_new_privileges"
assert_json "$OUT/rootc.json" .hostname rootc "hostname defaults to the name"
assert_json "$OUT/rootc.json" .cwd / "workdir defaults to /"

step "namespaces: PID 1 of its own, distinct from the host's"
assert_json "$OUT/rootc.json" .ppid 1 "the payload (sh, the probe's parent) is PID 1"
for ns in ipc uts net pid mnt user cgroup; do
        host=$(jq -r ".ns.$ns" <<<"$HOST")
        assert_json "$OUT/rootc.json" ".ns.$ns | type == \"number\" and . != $host" true "$ns namespace is not the host's ($host)"
done
assert_json "$OUT/rootc.json" '[.interfaces[] | select(.name == "lo" and .up)] | length > 0' true "lo is up"
assert_json "$OUT/rootc.json" '[.interfaces[] | select(.name != "lo")] | length' 0 "network none: only lo"
assert_json "$OUT/rootc.json" '[.interfaces[] | select(.address == "127.0.0.1")] | length' 1 "127.0.0.1 on lo"

step "seccomp off"
run_container noseccomp ', "seccomp": false'
assert_json "$OUT/noseccomp.json" .Seccomp 0 "no filter"
# keyctl(0, 0, …): KEYCTL_GET_KEYRING_ID of keyring 0, which the kernel refuses itself.
assert_json "$OUT/noseccomp.keyctl.json" .errno 22 "keyctl reaches the kernel (EINVAL, not the filter's EPERM)"

step "numeric uid:gid without a passwd entry"
run_container numeric ', "user": "4242:4343"'
assert_json "$OUT/numeric.json" '"\(.uid):\(.gid)"' "4242:4343" "numeric uid:gid"
assert_json "$OUT/numeric.json" '.groups | length' 0 "no supplementary groups"
assert_json "$OUT/numeric.json" .env.HOME / "HOME of a user without an entry"

step "name:group"
run_container namegroup ', "user": "app:users"'
assert_json "$OUT/namegroup.json" '"\(.uid):\(.gid)"' "1000:100" "app:users"

step "an unknown user fails the start, saying so in systemctl status"
tsd_write /etc/nscontain.d/nouser.json "{
        \"rootfs\": \"$ROOT\",
        \"command\": [\"/probe\"],
        \"user\": \"bob\",
        \"network\": {\"mode\": \"none\"},
        \"user_namespace\": {\"base\": $BASE}
}"
tsd_run systemctl daemon-reload
if tsd_run systemctl start container@nouser.service; then
        fail "a container with an unknown user started"
fi
tsd_assert_status "container@nouser.service" "Failed to resolve user 'bob': no such user in the container's /etc/passwd" \
        "status names the user"

step "a uid outside the user namespace is refused"
tsd_write /etc/nscontain.d/bigid.json "{
        \"rootfs\": \"$ROOT\",
        \"command\": [\"/probe\"],
        \"user\": \"70000\",
        \"network\": {\"mode\": \"none\"},
        \"user_namespace\": {\"base\": $BASE}
}"
tsd_run systemctl daemon-reload
if tsd_run systemctl start container@bigid.service; then
        fail "a container with uid 70000 in a 65536 range started"
fi
tsd_assert_status "container@bigid.service" "uid 70000 is outside the user namespace" "status names the uid"

test_done
