#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The nscontain command against a booted systemd (cli/): list and list --json agree
# with systemctl and the sidecar for running, stopped and failed containers; status
# and cat show config, drop-in, unit state, namespaces and log; exec runs in the
# container's namespaces (hostname, pid namespace, root, uid map observed by the
# probe), with its user, capabilities, no_new_privileges and seccomp filter, in its
# unit's cgroup, with exit codes passed through; exec -t under script(1) gets a
# terminal of the container's devpts; exec into a stopped or unknown container and the
# root-only verbs as another user fail with one clear line.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup cli helper probe busybox jq script setpriv

BASE=524288 # 0x80000: the fixed uid range of these containers

ROOT=$(tsd_mkrootfs root --probe)

config() { # config NAME COMMAND-JSON [EXTRA]
        tsd_write "/etc/nscontain.d/$1.json" "{
                \"rootfs\": \"$ROOT\",
                \"command\": $2,
                \"hostname\": \"host-$1\",
                \"network\": {\"mode\": \"none\"},
                \"user_namespace\": {\"base\": $BASE}
                ${3:-}
        }"
}
config web '["/bin/sh", "-c", "echo hello-from-web; exec sleep 100000"]'
config stopped '["/bin/sleep", "100000"]'
config broken '["/bin/sh", "-c", "echo about-to-fail; exit 3"]'
# "auto": the sidecar's range; listed (stopped) with the sidecar's base.
tsd_write /etc/nscontain.d/auto1.json "{\"rootfs\": \"$ROOT\", \"command\": [\"/bin/true\"]}"

tsd_install
tsd_boot

NSC=/usr/bin/nscontain
nsc() { tsd_run "$NSC" --no-pager "$@"; }
status_of() { tsd_status "container@$1.service"; }

tsd_run systemctl start container@web.service || fail "start of web failed: $(status_of web)"
tsd_run systemctl start container@broken.service || true
tsd_wait_state container@broken.service failed 20 || fail "broken did not fail: $(status_of broken)"

step "list: running and failed by default, every configured one with --all"
json=$(nsc list --json)
assert_json_text "$json" '[.[].name] | join(",")' "broken,web" "list shows running and failed"
json_all=$(nsc list --all --json)
assert_json_text "$json_all" '[.[].name] | join(",")' "auto1,broken,stopped,web" "list --all"
for n in auto1 broken stopped web; do
        u=container@$n.service
        want=$(tsd_run systemctl show -p ActiveState --value "$u")
        assert_json_text "$json_all" ".[] | select(.name == \"$n\") | .active_state" "$want" "$n: state as systemctl says"
        want=$(tsd_run systemctl show -p SubState --value "$u")
        assert_json_text "$json_all" ".[] | select(.name == \"$n\") | .sub_state" "$want" "$n: sub state as systemctl says"
        want=$(tsd_run systemctl show -p MainPID --value "$u")
        [[ $want == 0 ]] && want=null
        assert_json_text "$json_all" ".[] | select(.name == \"$n\") | .main_pid" "$want" "$n: main PID as systemctl says"
        assert_json_text "$json_all" ".[] | select(.name == \"$n\") | .unit" "$u" "$n: unit"
done
assert_json_text "$json" '.[] | select(.name == "web") | .uid_base' $BASE "web: fixed uid base"
assert_json_text "$json" '.[] | select(.name == "web") | .uptime_usec > 0' true "web: uptime"
assert_json_text "$json" '.[] | select(.name == "web") | .address' null "web: no address (network none)"
assert_json_text "$json" '.[] | select(.name == "broken") | .result' exit-code "broken: result"

# The sidecar's view: a range for auto1 (root outside any container unit may ask).
sidecar_base=$(tsd_run busctl call org.nscontain.Sidecar1 /org/nscontain/Sidecar1 org.nscontain.Sidecar1 \
        AcquireUserRange su auto1 65536 | awk '{ print $2 }') || fail "the sidecar did not give auto1 a range"
listed=$(tsd_run busctl --json=short call org.nscontain.Sidecar1 /org/nscontain/Sidecar1 \
        org.nscontain.Sidecar1 ListContainers | jq -r '.data[0][] | select(.[0] == "auto1") | .[1]')
assert_eq "$listed" "$sidecar_base" "the sidecar lists auto1's range"
json_all=$(nsc list --all --json)
assert_json_text "$json_all" '.[] | select(.name == "auto1") | .uid_base' "$sidecar_base" "auto1: uid base from the sidecar"

table=$(nsc list --all)
web_pid=$(tsd_run systemctl show -p MainPID --value container@web.service)
assert_match "$(grep '^web ' <<<"$table")" "^web +active +running +$web_pid +- +$BASE +[0-9]" "table row of web"
assert_match "$(grep '^stopped ' <<<"$table")" "^stopped +inactive +dead +- " "table row of stopped"
assert_contains "$table" "4 containers listed."
assert_not_contains "$(nsc list --no-legend)" "NAME" "--no-legend"

step "status and cat"
rc=0
out=$(nsc status web) || rc=$?
assert_eq "$rc" 0 "status of a running container"
assert_contains "$out" "Config: /etc/nscontain.d/web.json"
assert_contains "$out" "/run/systemd/generator/container@web.service.d/50-nscontain.conf"
assert_contains "$out" "active (running) since"
assert_contains "$out" "Main PID: $web_pid (nscontain-helpe"
assert_match "$out" "Init PID: [0-9]+ \\(sleep\\)"
init_pid=$(sed -n 's/.*Init PID: \([0-9]*\).*/\1/p' <<<"$out")
pidns=$(tsd_run stat -L -c %i "/proc/$init_pid/ns/pid")
assert_match "$out" "Namespaces: .*pid:$pidns " "namespaces of the container's PID 1"
assert_contains "$out" "UID base: $BASE (65536 ids)"
assert_contains "$out" "hello-from-web" "the log lines"
rc=0
out=$(nsc status broken) || rc=$?
assert_eq "$rc" 3 "status of a failed container"
assert_contains "$out" "failed"
assert_contains "$out" "about-to-fail"
assert_exit 4 tsd_run "$NSC" status nosuch

out=$(nsc cat web)
assert_contains "$out" "# /run/systemd/generator/nscontain.snapshot (what container@web.service runs: /etc/nscontain.d/web.json as of the last daemon-reload"
assert_eq "$(sed -n '/^{/,/^}/p' <<<"$out" | jq -r '.hostname + " " + .workdir + " " + (.no_new_privileges | tostring)')" \
        "host-web / true" "the resolved config with defaults"
assert_match "$out" "# /[a-z/]*/container@\\.service"
assert_contains "$out" "ExecStart=/usr/libexec/nscontain/nscontain-helper %i"
assert_contains "$out" "# /run/systemd/generator/container@web.service.d/50-nscontain.conf"
assert_exit 4 tsd_run "$NSC" cat nosuch

step "exec: hostname, namespaces, root, uid map, credentials"
assert_eq "$(nsc exec web -- hostname)" host-web "hostname"
assert_eq "$(nsc exec web hostname)" host-web "without --"
probe=$(nsc exec web -- /probe)
for ns in pid mnt uts ipc net user cgroup; do
        want=$(tsd_run stat -L -c %i "/proc/$init_pid/ns/$ns")
        assert_json_text "$probe" ".ns.$ns" "$want" "exec is in the container's $ns namespace"
done
assert_json_text "$probe" '.pid > 1 and .pid < 1000' true "a pid of the container's pid namespace, not its PID 1"
assert_json_text "$probe" '.uid_map | [splits(" +|\n") | select(. != "")] | join(" ")' "0 $BASE 65536" "uid map"
assert_json_text "$probe" '.uid' 0 "the config's user (root)"
assert_json_text "$probe" '.cwd' / "working directory"
assert_json_text "$probe" '[.mounts[] | select(.target == "/")] | length > 0' true "a root mount"
assert_eq "$(nsc exec web -- ls -a / | sort | tr '\n' ' ')" "$(ls -a "$ROOT" | sort | tr '\n' ' ')" "the container's root"
assert_json_text "$probe" '.CapBnd + " " + .CapEff + " " + .CapInh + " " + .CapAmb' \
        "$TSD_CAPS_DEFAULT $TSD_CAPS_DEFAULT 0000000000000000 0000000000000000" "capabilities"
assert_json_text "$probe" .NoNewPrivs 1 "no_new_privileges"
assert_json_text "$probe" .Seccomp 2 "seccomp filter"
assert_json_text "$probe" '.fds | join(",")' 0,1,2 "only fds 0-2"
probe=$(nsc exec -u app -w /tmp -e FOO=bar web -- /probe)
assert_json_text "$probe" '"\(.uid):\(.gid):\(.groups | sort | join(","))"' "1000:1000:50,100" "-u app"
assert_json_text "$probe" .cwd /tmp "-w"
assert_json_text "$probe" .env.FOO bar "-e"
assert_json_text "$probe" .env.HOME /home/app "HOME of app"
assert_json_text "$probe" .CapEff 0000000000000000 "a non-root user has no effective caps"

step "exec: the process is in the container's cgroup"
cg=$(tsd_run systemctl show -p ControlGroup --value container@web.service)
tsd_run "$NSC" exec web -- sleep 4242 &
exec_job=$!
found=
for i in $(seq 100); do
        for pid in $(tsd_run cat "/sys/fs/cgroup$cg/cgroup.procs"); do
                if [[ $(tsd_run cat "/proc/$pid/cmdline" 2>/dev/null | tr '\0' ' ') == "sleep 4242 " ]]; then
                        found=$pid
                fi
        done
        [[ -n $found ]] && break
        sleep 0.1
done
[[ -n $found ]] || fail "the exec'd 'sleep 4242' is not in $cg"
_lib_ok
assert_eq "$(tsd_run sed -n 's/^0:://p' "/proc/$found/cgroup")" "$cg" "cgroup of the exec'd process"
tsd_run kill "$found"
rc=0
wait $exec_job || rc=$?
assert_eq "$rc" 143 "exec of a process killed by SIGTERM"

step "exec: exit codes"
assert_exit 42 tsd_run "$NSC" exec web -- sh -c 'exit 42'
assert_exit 0 tsd_run "$NSC" exec web -- true
assert_exit 137 tsd_run "$NSC" exec web -- sh -c 'kill -9 $$'
assert_exit 127 tsd_run "$NSC" exec web -- no-such-command
assert_exit 126 tsd_run "$NSC" exec web -- /etc/passwd
assert_eq "$(echo piped | nsc exec web -- cat)" piped "stdin passes through"

step "exec -t: a terminal of the container's devpts"
# script(1) answers EOF on its stdin by typing into the terminal: keep its stdin open.
term() { tsd_run script -qec "$1" /dev/null < <(sleep 30) | tr -d '\r'; }
out=$(term "$NSC exec -t web -- sh -c 'tty; test -c \$(tty) && echo is-a-tty-inside; ls -l /proc/self/fd/0'")
assert_match "$out" "^/dev/pts/[0-9]+"$'\n' "tty prints a /dev/pts/N"
assert_contains "$out" "is-a-tty-inside" "the pts exists in the container's /dev/pts"
assert_contains "$out" "-> $(head -1 <<<"$out")" "stdin is that terminal"
rc=0
tsd_run script -qec "$NSC exec -t web -- sh -c 'exit 5'" /dev/null < <(sleep 30) >/dev/null || rc=$?
assert_eq "$rc" 5 "exit code through the terminal"
# Keys typed on our terminal reach the shell inside, its output comes back.
out=$(printf 'echo typed-$((40+2))\nexit 3\n' | { tsd_run script -qec "$NSC exec -t web -- sh" /dev/null || echo "rc=$?"; } | tr -d '\r')
assert_contains "$out" "typed-42" "input relayed to the container's terminal"
assert_contains "$out" "rc=3" "exit code of the interactive shell"
# The probe pushes a byte into its terminal with TIOCSTI: refused (docs/SECURITY.md row 8).
probe=$(term "$NSC exec -t web -- /probe tiocsti")
assert_json_text "$probe" '"\(.tiocsti.result) \(.tiocsti.errno)"' "-1 1" "TIOCSTI on the exec terminal: EPERM"

step "exec into stopped and unknown containers, and as another user"
one_line_fail() { # one_line_fail WHAT EXPECTED-TEXT CMD...
        local what=$1 text=$2 out rc=0
        shift 2
        out=$("$@" 2>&1) || rc=$?
        ((rc != 0)) || fail "$what: exited 0"
        assert_eq "$(wc -l <<<"$out")" 1 "$what: one line ($out)"
        assert_contains "$out" "$text" "$what"
}
one_line_fail "exec into a stopped container" "is not running" tsd_run "$NSC" exec stopped -- true
one_line_fail "exec into a failed container" "is not running" tsd_run "$NSC" exec broken -- true
one_line_fail "exec into an unknown container" "No container 'nosuch'" tsd_run "$NSC" exec nosuch -- true
nobody() { tsd_run setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
one_line_fail "exec as nobody" "needs root privileges" nobody "$NSC" exec web -- true
one_line_fail "run as nobody" "needs root privileges" nobody "$NSC" run "$ROOT" /bin/true
assert_exit 2 tsd_run "$NSC" exec web
assert_exit 2 tsd_run "$NSC" bogus-verb

test_done
