#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The service contract's keys against a booted systemd (nscontain.json(5), "THE SERVICE
# CONTRACT"): rlimits reach the payload (ulimit -n, soft and hard) through the unit's
# Limit*= and the child's setrlimit; env_files are merged over the defaults and under
# "env", with systemd's quoting, and a bad line fails the start naming file and line;
# "service" settings reach the unit (OOMScoreAdjust of the payload) while ExecStart is
# refused by the generator and validate, as is a sysctl the kernel does not namespace.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup cli helper busybox jq

ROOT=$(tsd_mkrootfs root)
BASE=655360 # 0xa0000

common="\"rootfs\": \"$ROOT\", \"network\": {\"mode\": \"none\"}, \"user_namespace\": {\"base\": $BASE}"
tsd_write /etc/web/env <<'EOT'
# defaults for web
GREETING="hello \"world\""
FROM_FILE=yes
OVERRIDDEN=by-file
PATH=/bin:/usr/bin
EOT
tsd_write /etc/nscontain.d/web.json "{$common,
        \"command\": [\"/bin/sh\", \"-c\", \"echo soft=\$(ulimit -Sn) hard=\$(ulimit -Hn); echo greeting=\$GREETING; echo from_file=\$FROM_FILE overridden=\$OVERRIDDEN path=\$PATH; echo oom=\$(cat /proc/self/oom_score_adj); exec sleep 100000\"],
        \"rlimits\": {\"nofile\": [1234, 4321]},
        \"env_files\": [\"/etc/web/env\"],
        \"env\": {\"OVERRIDDEN\": \"by-env\"},
        \"service\": {\"OOMScoreAdjust\": \"321\"}
}"
tsd_write /etc/bad/env <<'EOT'
GOOD=1
this line is not an assignment
EOT
tsd_write /etc/nscontain.d/badenv.json "{$common, \"command\": [\"/bin/true\"], \"env_files\": [\"/etc/bad/env\"]}"
tsd_write /etc/nscontain.d/execstart.json "{$common, \"command\": [\"/bin/true\"], \"service\": {\"ExecStart\": \"/bin/sh\"}}"
tsd_write /etc/nscontain.d/swappy.json "{$common, \"command\": [\"/bin/true\"], \"sysctl\": {\"vm.swappiness\": \"10\"}}"

tsd_install
tsd_boot

prop() { tsd_run systemctl show -p "$2" --value "container@$1.service"; }

step "rlimits, env_files and a service setting reach the payload"
tsd_run systemctl start container@web.service || fail "start of web failed: $(tsd_status container@web.service)"
assert_eq "$(prop web LimitNOFILESoft):$(prop web LimitNOFILE)" "1234:4321" "the unit's LimitNOFILE="
retry 5 grep -q '^oom=' <(tsd_journal container@web.service) || fail "no output from web: $(tsd_status container@web.service)"
log=$(tsd_journal container@web.service)
assert_contains "$log" "soft=1234 hard=4321" "ulimit -n inside"
assert_contains "$log" 'greeting=hello "world"' "a double-quoted value with escaped quotes"
assert_contains "$log" "from_file=yes overridden=by-env path=/bin:/usr/bin" "files over the defaults, env over the files"
assert_contains "$log" "oom=321" "OOMScoreAdjust= passed through to the payload"
assert_eq "$(prop web OOMScoreAdjust)" 321 "the unit's OOMScoreAdjust="

step "a bad env file line fails the start with file and line"
assert_fail tsd_run systemctl start container@badenv.service
tsd_assert_status container@badenv.service "badenv: env_files[0]: /etc/bad/env:2: not an assignment" "badenv's status"

step "settings the helper relies on, and host-wide sysctls, are refused"
assert_eq "$(tsd_run systemctl show -p DropInPaths --value container@execstart.service)" "" "no drop-in for execstart"
out=$(tsd_run /usr/bin/nscontain validate 2>&1) || true
assert_contains "$out" "execstart.json: service.ExecStart: nscontain-helper relies on this setting of container@.service; it cannot be changed" "validate: ExecStart"
assert_contains "$out" "swappy.json: sysctl[\"vm.swappiness\"]: not a key the kernel keeps per container" "validate: vm.swappiness"
assert_contains "$(tsd_run journalctl -b --no-pager -o cat 2>&1)" "execstart.json: service.ExecStart: nscontain-helper relies on this setting" "the generator's log"

test_done
