#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What the service contract hands the payload, against a booted systemd (nscontain.json(5),
# "THE SERVICE CONTRACT"; nscontain-helper(8), "CREDENTIALS", "JOURNAL"):
# - credentials at $CREDENTIALS_DIRECTORY/NAME on a read-only tmpfs, mode 0400, owned by
#   the payload's user through the container's mapping, the value nowhere else (the
#   environment, the drop-in, systemctl show, the journal); a missing source fails the
#   start naming it;
# - the payload's lines carry the container's NAME (journalctl -t NAME, "web[PID]: …"),
#   the helper's keep nscontain-helper;
# - sysctl: namespaced keys (net.*, IPC, fs.mqueue.*, kernel.domainname) set inside, the
#   host's and the test system's values unchanged, an image's planted /proc file untouched
#   (docs/SECURITY.md row 16); vm.swappiness and net.* with the host's network refused;
# - devices: /dev/fuse opened inside, as the container's own node without a user
#   namespace and as a read-only bind of the host's with one; a missing node named.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup cli helper busybox jq

ROOT=$(tsd_mkrootfs root)
BASE=720896 # 0xb0000
SECRET="s3cr3t-$RANDOM-$RANDOM-value"

common="\"rootfs\": \"$ROOT\", \"network\": {\"mode\": \"none\"}, \"user_namespace\": {\"base\": $BASE}"
printf '%s\n' "$SECRET" | tsd_write /etc/web/token

# The payload reports what it sees; the credential's value only as its hash.
tsd_write /etc/nscontain.d/web.json "{$common, \"user\": \"1000:1001\",
        \"credentials\": {\"token\": \"/etc/web/token\"},
        \"command\": [\"/bin/sh\", \"-c\", \"d=\$CREDENTIALS_DIRECTORY; echo dir=\$d; stat -c 'file=%a:%u:%g' \$d/token; stat -c 'dirmode=%a:%u:%g' \$d; echo sha=\$(sha256sum < \$d/token | cut -d' ' -f1); echo envleak=\$(grep -c -F -f \$d/token /proc/self/environ); grep ' /run/host/credentials ' /proc/self/mountinfo | { read a b c d mp opts rest; echo mnt=\$opts \$rest; }; echo ready; exec sleep 100000\"]
}"
tsd_write /etc/nscontain.d/nocred.json "{$common, \"command\": [\"/bin/true\"], \"credentials\": {\"gone\": \"/etc/web/missing\"}}"

# sysctl: an image whose /proc is pre-populated with the file the sysctl names
# (docs/SECURITY.md row 16): the write lands on the container's own value only.
ROOT2=$(tsd_mkrootfs tuned)
mkdir -p "$ROOT2/proc/sys/net/ipv4"
echo planted >"$ROOT2/proc/sys/net/ipv4/ip_unprivileged_port_start"
tsd_write /etc/nscontain.d/tuned.json "{\"rootfs\": \"$ROOT2\", \"network\": {\"mode\": \"none\"}, \"user_namespace\": {\"base\": $((BASE + 65536))},
        \"sysctl\": {\"net.ipv4.ip_unprivileged_port_start\": \"81\", \"kernel.msgmax\": \"12345\", \"fs.mqueue.msg_max\": \"77\", \"kernel.domainname\": \"example.test\"},
        \"command\": [\"/bin/sh\", \"-c\", \"echo port=\$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start) msgmax=\$(cat /proc/sys/kernel/msgmax) mq=\$(cat /proc/sys/fs/mqueue/msg_max) domain=\$(cat /proc/sys/kernel/domainname); exec sleep 100000\"]
}"
tsd_write /etc/nscontain.d/swappy.json "{$common, \"command\": [\"/bin/true\"], \"sysctl\": {\"vm.swappiness\": \"10\"}}"
tsd_write /etc/nscontain.d/hostnet.json "{\"rootfs\": \"$ROOT\", \"network\": {\"mode\": \"host\"}, \"command\": [\"/bin/true\"], \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}}"

# devices: /dev/fuse as the container's own node (no user namespace) and as a read-only
# bind of the host's (with one); a node the host lacks.
fusecmd="\"command\": [\"/bin/sh\", \"-c\", \"stat -c 'node=%F %t:%T %a' /dev/fuse; if (exec 3<>/dev/fuse) 2>/dev/null; then echo fuse=open; else echo fuse=refused; fi; chmod 0600 /dev/fuse 2>/dev/null && echo chmod=ok || echo chmod=refused; exec sleep 100000\"]"
tsd_write /etc/nscontain.d/fuse.json "{\"rootfs\": \"$ROOT\", \"network\": {\"mode\": \"none\"}, \"namespaces\": {\"user\": false}, \"devices\": [\"/dev/fuse\"], $fusecmd}"
tsd_write /etc/nscontain.d/fuseu.json "{$common, \"devices\": [{\"path\": \"/dev/fuse\", \"mode\": \"rw\"}], $fusecmd}"
tsd_write /etc/nscontain.d/nodev.json "{$common, \"command\": [\"/bin/true\"], \"devices\": [\"/dev/nscontain-no-such-device\"]}"

tsd_install
tsd_boot

step "credentials: at \$CREDENTIALS_DIRECTORY/NAME, 0400, the payload's, read-only tmpfs"
tsd_run systemctl start container@web.service || fail "start of web failed: $(tsd_status container@web.service)"
retry 10 grep -q '^ready' <(tsd_journal container@web.service) || fail "no output from web: $(tsd_status container@web.service)"
log=$(tsd_journal container@web.service)
assert_contains "$log" "dir=/run/host/credentials" "\$CREDENTIALS_DIRECTORY"
assert_contains "$log" "file=400:1000:1001" "the credential's mode and owner inside"
assert_contains "$log" "dirmode=500:1000:1001" "the directory's mode and owner inside"
assert_contains "$log" "sha=$(printf '%s\n' "$SECRET" | sha256sum | cut -d' ' -f1)" "the credential's content"
assert_contains "$log" "envleak=0" "the value is not in the payload's environment"
assert_match "$log" "mnt=ro,nosuid,nodev,noexec[^ ]* (.* )?- tmpfs " "a read-only tmpfs"
# Through the mapping: the host sees the file owned by BASE+1000.
pid=$(tsd_run systemctl show -p MainPID --value container@web.service)
payload=$(tsd_run pgrep -P "$pid" -x sleep || tsd_run pgrep -f 'sleep 100000')
assert_eq "$(tsd_run stat -c %u:%g "/proc/$payload/root/run/host/credentials/token")" \
        "$((BASE + 1000)):$((BASE + 1001))" "the owner on the host"

step "credentials: the value is not in systemctl show, the drop-in or the journal"
show=$(tsd_run systemctl show --all container@web.service)
assert_contains "$show" "Id=container@web.service" "systemctl show --all"
assert_not_contains "$show" "$SECRET" "systemctl show"
dropin=$(tsd_run sh -c 'cat /run/systemd/generator/container@web.service.d/*')
assert_contains "$dropin" "LoadCredential=token:/etc/web/token" "the drop-in"
assert_not_contains "$dropin" "$SECRET" "the drop-in"
tsd_run journalctl --sync
assert_not_contains "$(tsd_run journalctl -b --no-pager -o export)" "$SECRET" "the journal"

step "journal: the payload's lines carry the NAME, the helper's its own"
short=$(tsd_run journalctl --no-pager -t web -o short)
assert_match "$short" "web\[[0-9]+\]: ready" "journalctl -t web"
assert_eq "$(tsd_run journalctl --no-pager -t web -o json | jq -sr 'map(select(.MESSAGE == "ready")) | .[0].SYSLOG_IDENTIFIER')" \
        web "SYSLOG_IDENTIFIER of the payload's line"

step "credentials: a missing source fails the start naming it; validate says the same"
assert_fail tsd_run systemctl start container@nocred.service
want="Failed to load credential 'gone' from '/etc/web/missing': No such file or directory"
tsd_assert_status container@nocred.service "nocred: $want" "nocred's status"
assert_contains "$(tsd_run /usr/bin/nscontain validate /etc/nscontain.d/nocred.json 2>&1 || true)" "credentials.gone: $want" "validate"
helper=$(tsd_run journalctl --no-pager -u container@nocred.service -t nscontain-helper -o cat)
assert_contains "$helper" "nocred: $want" "the helper's line, as nscontain-helper"
assert_not_contains "$(tsd_run journalctl --no-pager -t nocred -o cat)" "$want" "not under the container's identifier"

step "sysctl: namespaced keys set inside, the host's values unchanged"
sysctls="net/ipv4/ip_unprivileged_port_start kernel/msgmax fs/mqueue/msg_max kernel/domainname"
host_before=$(cd /proc/sys && cat $sysctls)
tsd_before=$(tsd_run sh -c "cd /proc/sys && cat $sysctls")
tsd_run systemctl start container@tuned.service || fail "start of tuned failed: $(tsd_status container@tuned.service)"
retry 10 grep -q '^port=' <(tsd_journal container@tuned.service) || fail "no output from tuned: $(tsd_status container@tuned.service)"
tsd_assert_journal container@tuned.service "port=81 msgmax=12345 mq=77 domain=example.test" "the values inside"
assert_eq "$(cd /proc/sys && cat $sysctls)" "$host_before" "the host's values"
assert_eq "$(tsd_run sh -c "cd /proc/sys && cat $sysctls")" "$tsd_before" "the test system's values"
assert_eq "$(cat "$ROOT2/proc/sys/net/ipv4/ip_unprivileged_port_start")" planted "the image's planted file"

step "sysctl: a key the kernel does not keep per container is an error naming it"
out=$(tsd_run /usr/bin/nscontain validate /etc/nscontain.d/swappy.json /etc/nscontain.d/hostnet.json 2>&1 || true)
assert_contains "$out" "swappy.json: sysctl[\"vm.swappiness\"]: not a key the kernel keeps per container" "vm.swappiness"
assert_contains "$out" "hostnet.json: sysctl[\"net.ipv4.ip_forward\"]: needs the container's own network namespace" "net.* with the host's network"
assert_fail tsd_run systemctl start container@swappy.service

step "devices: a node the host lacks fails the start naming it; validate says the same"
want="Failed to find device '/dev/nscontain-no-such-device' on the host: No such file or directory"
assert_fail tsd_run systemctl start container@nodev.service
tsd_assert_status container@nodev.service "nodev: $want" "nodev's status"
assert_contains "$(tsd_run /usr/bin/nscontain validate /etc/nscontain.d/nodev.json 2>&1 || true)" "devices[0]: $want" "validate"

[[ -c /dev/fuse ]] || skip "devices: the host has no /dev/fuse (the fuse module is not loaded)"
fuse_mode=$(stat -c %a /dev/fuse)
fuse_node="character special file a:e5"

step "devices: /dev/fuse usable inside without a user namespace (the container's own node)"
assert_contains "$(tsd_run systemctl show -p DeviceAllow --value container@fuse.service)" "/dev/fuse rw" "DeviceAllow="
tsd_run systemctl start container@fuse.service || fail "start of fuse failed: $(tsd_status container@fuse.service)"
retry 10 grep -q '^chmod=' <(tsd_journal container@fuse.service) || fail "no output from fuse: $(tsd_status container@fuse.service)"
log=$(tsd_journal container@fuse.service)
assert_contains "$log" "node=$fuse_node $fuse_mode" "the node inside: the host's type, number and mode"
assert_contains "$log" "fuse=open" "open(/dev/fuse) inside"

step "devices: with a user namespace, a read-only bind of the host's node, opened as its mode allows"
tsd_run systemctl start container@fuseu.service || fail "start of fuseu failed: $(tsd_status container@fuseu.service)"
retry 10 grep -q '^chmod=' <(tsd_journal container@fuseu.service) || fail "no output from fuseu: $(tsd_status container@fuseu.service)"
log=$(tsd_journal container@fuseu.service)
assert_contains "$log" "node=$fuse_node $fuse_mode" "the node inside"
# The host's root owns it: outside the container's range, so "other" bits apply.
if (( (8#$fuse_mode & 8#006) == 8#006 )); then want=open; else want=refused; fi
assert_contains "$log" "fuse=$want" "open(/dev/fuse) as the host node's mode $fuse_mode allows"
assert_contains "$log" "chmod=refused" "chmod of the host's node through the bind"
assert_eq "$(stat -c %a /dev/fuse)" "$fuse_mode" "the host node's mode"

test_done
