#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What a newer systemd adds, against the booted one (lib/systemd-version.c; run on 252 by
# tests/run and on 257 by tests/matrix/run): every row of the table of [Service]
# settings added after 252 is unknown to a systemd older than the row says and known to
# one as new ("systemd-analyze verify"); a container whose "service" pass-through holds
# such settings starts either way, and on an older systemd its start says which setting
# needs which version (nscontain.json(5), "service"), while a setting every supported
# systemd has is not named.
set -eu
. "$(dirname "$0")/../lib/testsystemd.sh"

tsd_setup helper busybox

tsd_install
rootfs=$(tsd_mkrootfs rootfs)
tsd_boot

version=$(tsd_run busctl get-property org.freedesktop.systemd1 /org/freedesktop/systemd1 \
        org.freedesktop.systemd1.Manager Version) || fail "PID 1's Version property could not be read"
running=${version#s \"}
running=${running%%[!0-9]*}
assert_match "$running" '^[0-9]+$' "PID 1's major version"
echo "test system: systemd $running" >&2

step "the table's rows against systemd $running"
mapfile -t rows < <(sed -n 's/^ *{"\([A-Za-z]*\)", \([0-9]*\)},$/\1 \2/p' "$NSC_SOURCE_DIR/lib/systemd-version.c")
((${#rows[@]} >= 20)) || fail "lib/systemd-version.c: only ${#rows[@]} rows read"
# A control row that no systemd knows, last: a verify that stopped early fails it.
rows+=("NscontainNoSuchSetting 100000")
files=()
for row in "${rows[@]}"; do
        key=${row% *}
        tsd_write "/var/tmp/sv/$key.service" "[Service]
ExecStart=/bin/true
$key=yes"
        files+=("/var/tmp/sv/$key.service")
done
out=$(tsd_run systemd-analyze verify "${files[@]}" 2>&1) || true
known=0
for row in "${rows[@]}"; do
        key=${row% *} since=${row#* }
        if ((since <= running)); then
                assert_not_contains "$out" "$key.service:3: Unknown key" "systemd $running knows $key= (since $since)"
                known=$((known + 1))
        else
                assert_contains "$out" "$key.service:3: Unknown key" "systemd $running does not know $key= (since $since)"
        fi
done
echo "systemd $running knows $known of the $((${#rows[@]} - 1)) settings" >&2

step "a container with newer settings in \"service\" starts, and says what it needs"
name=sv$RANDOM
tsd_start_container "$name" "{
  \"rootfs\": \"$rootfs\",
  \"command\": [\"/bin/sleep\", \"1000\"],
  \"network\": {\"mode\": \"none\"},
  \"service\": {\"RestartSteps\": \"3\", \"MemoryZSwapMax\": \"0\", \"OOMScoreAdjust\": \"100\"}
}" || fail "the start failed: $(tsd_status "container@$name.service")"
tsd_wait_state "container@$name.service" active 20 || fail "not active: $(tsd_status "container@$name.service")"
assert_eq "$(tsd_run systemctl show -p OOMScoreAdjust --value "container@$name.service")" 100 "OOMScoreAdjust="
log=$(tsd_journal "container@$name.service")
assert_not_contains "$log" "OOMScoreAdjust= needs" "a setting of every supported systemd"
for row in "RestartSteps 254" "MemoryZSwapMax 253"; do
        key=${row% *} since=${row#* }
        if ((running < since)); then
                retry 5 sh -c "nsenter -t $TSD_PID -a journalctl --no-pager -o cat -u container@$name.service | grep -qF '$key= needs'" || true
                tsd_assert_journal "container@$name.service" \
                        "$name: \"service\": $key= needs systemd $since or newer; this is systemd $running, which ignores it." \
                        "the start's word on $key="
        else
                assert_not_contains "$log" "$key= needs" "$key= on systemd $running"
        fi
done
if ((running >= 254)); then
        assert_eq "$(tsd_run systemctl show -p RestartSteps --value "container@$name.service")" 3 "RestartSteps= in force"
fi
tsd_run systemctl stop "container@$name.service"

test_done
