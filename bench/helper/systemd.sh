#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# systemd.sh: a /bin/true container started through systemd against the cheapest thing
# systemd can start, in a booted throwaway systemd (tests/lib/testsystemd.sh; run by
# bench/helper/run). Also the supervisor's private memory when systemd runs it.
#
# The comparison: both commands are timed from the client's exec until the unit has
# finished again, so neither side stops its clock early:
#   systemctl start --wait container@benchtrue   start job (done at READY=1, sent once
#                                                 the payload is exec'd), payload exits,
#                                                 helper reaps it and exits, unit inactive
#   systemd-run --wait /bin/true                 transient service started, /bin/true
#                                                 runs and exits, unit inactive
# Both are systemd's own clients, talking to PID 1 the same way and waiting for the
# unit's end through its PropertiesChanged signals. The difference is what the
# container costs: the template's settings (Delegate=, Slice=, device policy), the
# helper's config load, namespaces, root setup, seccomp and the notify round trip. Two
# reference rows separate the unit from the helper: container@benchunit is the same
# unit with /bin/true as ExecStart, bench-true.service a plain unit file running it.
. "$(dirname "$0")/lib.sh"

tsd=$NSC_SOURCE_DIR/tests/lib/testsystemd.sh
if [[ ! -f $tsd ]]; then
        echo "## Through systemd"
        echo
        echo "not measured: tests/lib/testsystemd.sh (the harness) is missing"
        exit 77
fi
. "$NSC_SOURCE_DIR/tests/lib/lib.sh"
. "$tsd"
tsd_require

for f in meson-info/intro-installed.json; do
        [[ -f $NSC_BUILD_DIR/$f ]] || bench_die "$NSC_BUILD_DIR is not a meson build dir"
done
prefix=$(jq -r '.[] | select(.name == "prefix") | .value' "$NSC_BUILD_DIR/meson-info/intro-buildoptions.json")
[[ $prefix == /usr ]] ||
        bench_die "$NSC_BUILD_DIR has prefix '$prefix': the systemd benchmark installs it into the test systemd and needs --prefix=/usr"

# Everything the test systemd needs from us (the root, the configs, the output) lives
# under $BENCH_WORK, bind-mounted at the same path: ext4, so idmapped mounts work.
xfer=$BENCH_WORK/tsd
rm -rf "$xfer"
mkdir -p "$xfer"
tsd_init bench-systemd
tsd_bind "$BENCH_WORK"
tsd_install "$NSC_BUILD_DIR"
# meson 1.0 (Debian 12) takes one name/value pair in pkgconfig_define; given several
# (the top meson.build at the time of writing) it installs units and the generator
# under a directory literally named "/usr=rootprefix=/usr=prefix=/usr/lib/...". Move
# such files to the path the name ends with, and say so in the output.
workaround=
while IFS= read -r -d '' f; do
        rel=${f#"$TSD_UPPER"}
        want=/${rel##*=/}
        mkdir -p "$TSD_UPPER$(dirname "$want")"
        mv "$f" "$TSD_UPPER$want"
        workaround+=" $want"
done < <(find "$TSD_UPPER" -path "$TSD_UPPER/*=*" \( -type f -o -type l \) -print0)
# tests/lib/testsystemd.sh now does the same itself and lists what it moved.
if [[ -s $TSD_DIR/install-fixups ]]; then
        workaround+=" $(tr '\n' ' ' <"$TSD_DIR/install-fixups")"
fi
if [[ -n $workaround ]]; then
        find "$TSD_UPPER" -maxdepth 1 -name '*=*' -exec rm -rf {} +
        bench_note "meson install put files under '…=rootprefix=…' directories (pkgconfig_define with several pairs needs meson >= 1.3?); moved to:$workaround"
fi
if [[ ! -f $TSD_UPPER/usr/lib/systemd/system/container@.service ]]; then
        where=$(cd "$TSD_UPPER" && find . -name 'container@.service' | head -n 1)
        echo "## Through systemd"
        echo
        echo "not measured: meson install did not put container@.service in /usr/lib/systemd/system"
        echo "(it went to '${where:-nowhere}'; see unitdir in the top meson.build)"
        exit 1
fi
for n in bench benchu benchsleep; do
        case $n in
        bench) unit=benchtrue ;;
        benchu) unit=benchtrueu ;;
        *) unit=$n ;;
        esac
        tsd_write "/etc/nscontain.d/$unit.json" <"$BENCH_WORK/configs/$n.json"
done
# Two references that run no helper, to see what a unit costs by itself: the same
# container unit (template, generated drop-in) with /bin/true as its ExecStart, and a
# plain unit file that runs /bin/true, both started with systemctl like the container.
tsd_write /etc/nscontain.d/benchunit.json <"$BENCH_WORK/configs/bench.json"
tsd_write /etc/systemd/system/container@benchunit.service.d/90-bench-true.conf "[Service]
Type=exec
ExecStart=
ExecStart=/bin/true"
tsd_write /etc/systemd/system/bench-true.service "[Service]
Type=exec
ExecStart=/bin/true"
tsd_boot

names=() cmds=() skipped=()
row() {
        local name=$1 cmd=$2 out rc=0
        # shellcheck disable=SC2086
        out=$(tsd_run timeout 60 $cmd 2>&1) || rc=$?
        if ((rc != 0)); then
                local unit=${cmd##* }
                skipped+=("$name: fails here (exit $rc: $(printf '%s' "$out" | tail -n 2 | tr '\n' ' '))")
                if [[ $unit == container@* ]]; then
                        tsd_run systemctl status --no-pager -n 20 "$unit" >&2 || true
                fi
                return 0
        fi
        names+=("$name") cmds+=("$cmd")
}
row "container@benchtrue" "systemctl start --wait container@benchtrue"
row "container@benchtrueu (+userns)" "systemctl start --wait container@benchtrueu"
row "container@benchunit (/bin/true as ExecStart)" "systemctl start --wait container@benchunit"
row "bench-true.service (a plain unit, /bin/true)" "systemctl start --wait bench-true.service"
row "systemd-run /bin/true (floor)" "systemd-run --wait -q /bin/true"

declare -A med p90 mean sd
per_round=0 rounds=0 warm=0
if ((${#names[@]})); then
        # Rounds in rotated order, as in startup.sh: a burst of load hits every row.
        rounds=$BENCH_ROUNDS
        ((rounds >= 1)) || rounds=1
        per_round=$(((BENCH_RUNS + rounds - 1) / rounds))
        ((per_round >= 2)) || per_round=2
        warm=$(((BENCH_WARMUP + rounds - 1) / rounds))
        ((warm >= 1)) || warm=1
        nrows=${#names[@]}
        files=()
        for r in $(seq "$rounds"); do
                args=()
                for j in $(seq 0 $((nrows - 1))); do
                        i=$(((j + r - 1) % nrows))
                        args+=(-n "${names[$i]}" "${cmds[$i]}")
                done
                tsd_run hyperfine -N --style basic --runs "$per_round" --warmup "$warm" \
                        --export-json "$xfer/systemd.$r.json" "${args[@]}" >"$BENCH_OUT/systemd.log" 2>&1 ||
                        {
                                cat "$BENCH_OUT/systemd.log" >&2
                                bench_die "hyperfine in the test systemd failed (log above)"
                        }
                files+=("$xfer/systemd.$r.json")
        done
        bench_merge "${files[@]}" >"$xfer/systemd.json"
        cp "$xfer/systemd.json" "$BENCH_OUT/systemd.json"
        while IFS=$'\t' read -r n m p a s _; do
                med[$n]=$m p90[$n]=$p mean[$n]=$a sd[$n]=$s
        done < <(bench_stats "$BENCH_OUT/systemd.json")
fi

# The supervisor's memory when systemd runs it (sd_notify, journal stream as stdout).
mem_row=
if tsd_run systemctl start container@benchsleep >/dev/null 2>&1; then
        sleep 0.5
        mp=$(tsd_run systemctl show -P MainPID container@benchsleep)
        if [[ -n $mp && $mp != 0 ]]; then
                read -r mpriv mrss mpss < <(tsd_run awk '/^Rss:/ { rss = $2 } /^Pss:/ { pss = $2 }
                        /^Private_(Clean|Dirty|Hugetlb):/ { priv += $2 }
                        END { printf "%d %d %d\n", priv, rss, pss }' "/proc/$mp/smaps_rollup")
                memfd=0
                if [[ $(tsd_run readlink "/proc/$mp/exe") == /memfd:* ]]; then
                        memfd=$(($(tsd_run stat -L -c %s "/proc/$mp/exe") / 1024))
                fi
                mem_row="| container@benchsleep | $mpriv | $mrss | $mpss | $memfd |"
        fi
        tsd_run systemctl stop container@benchsleep >/dev/null 2>&1 || true
else
        tsd_run systemctl status --no-pager -n 20 container@benchsleep >&2 || true
fi

floor="systemd-run /bin/true (floor)"
n="container@benchtrue"
{
        echo "## Through systemd"
        echo
        echo "A booted throwaway systemd 252 (tests/lib/testsystemd.sh) with this build installed;"
        echo "each command timed from its start until the unit is inactive again: \`systemctl start"
        echo "--wait\` returns when the container unit has stopped (READY=1 after the payload's exec,"
        echo "payload exit, helper exit), \`systemd-run --wait\` when its transient service has."
        echo "$((per_round * rounds)) runs of each command in $rounds rotated rounds, $warm warmup runs per round"
        echo "(boot took ${TSD_BOOT_SECONDS}s)."
        [[ -z $workaround ]] || echo "Note: meson install misplaced files (top meson.build, pkgconfig_define); the benchmark moved them to:$workaround."
        echo
        echo "| command | median ms | p90 ms | mean ± sd ms | × floor |"
        echo "| --- | ---: | ---: | ---: | ---: |"
        for i in "${!names[@]}"; do
                x=${names[$i]}
                if [[ -n ${med[$floor]:-} ]]; then
                        ratio=$(bench_ratio "${med[$x]}" "${med[$floor]}")
                else
                        ratio=n/a
                fi
                printf '| `%s` | %s | %s | %s ± %s | %s |\n' "${cmds[$i]}" \
                        "$(bench_ms "${med[$x]}")" "$(bench_ms "${p90[$x]}")" \
                        "$(bench_ms "${mean[$x]}")" "$(bench_ms "${sd[$x]}")" "$ratio"
        done
        for s in "${skipped[@]}"; do
                echo "| ${s%%:*} | — | — | — | ${s#*: } |"
        done
        echo
        if [[ -n ${med[$n]:-} && -n ${med[$floor]:-} ]]; then
                r=$(bench_ratio "${med[$n]}" "${med[$floor]}")
                bench_le "$r" 1.3 && v=MET || v=MISSED
                echo "- Target systemctl start <= 1.3 × systemd-run: $r × ($(bench_ms "${med[$n]}") vs $(bench_ms "${med[$floor]}") ms): $v"
        else
                echo "- Target systemctl start <= 1.3 × systemd-run: not measured (a row failed, see above)"
        fi
        echo
        echo "Supervisor memory under systemd (MainPID of container@benchsleep, KiB):"
        echo
        echo "| unit | private KiB | Rss KiB | Pss KiB | memfd copy KiB |"
        echo "| --- | ---: | ---: | ---: | ---: |"
        if [[ -n $mem_row ]]; then
                echo "$mem_row"
        else
                echo "| container@benchsleep | — | — | — | — (did not start, status above) |"
        fi
} | tee "$BENCH_OUT/systemd.md"
