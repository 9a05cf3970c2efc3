#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# startup.sh: /bin/true in every tool, side by side in one hyperfine run (run by
# bench/helper/run inside env.sh). Prints one markdown table; hyperfine's JSON goes to
# $BENCH_OUT/startup.K.json and the chosen table to $BENCH_OUT/startup.md.
. "$(dirname "$0")/lib.sh"

R=$BENCH_ROOT
C=$BENCH_WORK/configs
names=() cmds=() notes=() skipped=()

# row NAME NOTE CMD: a row of the table, when its tool is installed and runs here.
row() {
        local name=$1 note=$2 cmd=$3 why
        # shellcheck disable=SC2086 # the command is a word list, as hyperfine splits it
        if ! why=$(bench_try $cmd); then
                skipped+=("$name: cannot run here ($why)")
                return 0
        fi
        names+=("$name") cmds+=("$cmd") notes+=("$note")
}

row nscontain "seccomp on (default filter), default caps, no_new_privileges" \
        "$BENCH_HELPER --config $C/bench.json bench"
row "nscontain +userns" "as above plus a user namespace (fixed base, idmapped root)" \
        "$BENCH_HELPER --config $C/benchu.json benchu"
if [[ -n ${BENCH_BASE_HELPER:-} ]]; then
        [[ -x $BENCH_BASE_HELPER ]] || bench_die "no helper at $BENCH_BASE_HELPER (--base)"
        row "nscontain (base)" "the same as nscontain, the --base build's helper" \
                "$BENCH_BASE_HELPER --config $C/bench.json bench"
        row "nscontain +userns (base)" "the same as nscontain +userns, the --base build's helper" \
                "$BENCH_BASE_HELPER --config $C/benchu.json benchu"
fi
if command -v crun >/dev/null; then
        row crun "--cgroup-manager=disabled; OCI default spec (no seccomp profile)" \
                "crun --cgroup-manager=disabled --root $BENCH_WORK/state/crun run -b $BENCH_WORK/oci/true bench-crun"
else
        skipped+=("crun: not installed (Debian: crun)")
fi
if command -v runc >/dev/null; then
        row runc "default cgroupfs driver: creates and removes a cgroup per run (runc has no 'disabled')" \
                "runc --root $BENCH_WORK/state/runc run -b $BENCH_WORK/oci/true bench-runc"
else
        skipped+=("runc: not installed (Debian: runc)")
fi
if command -v bwrap >/dev/null; then
        row bwrap "--unshare-all: also a user ns and a cgroup ns" \
                "bwrap --unshare-all --bind $R / --proc /proc --dev /dev /bin/true"
else
        skipped+=("bwrap: not installed (Debian: bubblewrap)")
fi
if command -v systemd-nspawn >/dev/null; then
        # No systemd as PID 1 here: --register=no (no machined), --keep-unit (no scope
        # through the bus; it makes its supervisor/payload sub-cgroups where it runs),
        # --private-network (its default shares the host's network).
        row systemd-nspawn "--register=no --keep-unit --private-network; also a cgroup ns" \
                "systemd-nspawn -q -D $R --register=no --keep-unit --private-network /bin/true"
else
        skipped+=("systemd-nspawn: not installed (Debian: systemd-container)")
fi
row "unshare+chroot (floor)" "namespaces and chroot only: no /proc, /dev, pivot_root, caps or seccomp" \
        "unshare --mount --pid --uts --ipc --net --fork chroot $R /bin/true"

((${#names[@]})) || bench_die "no tool could run"

rounds=$BENCH_ROUNDS
((rounds >= 1)) || rounds=1
per_round=$(((BENCH_RUNS + rounds - 1) / rounds))
((per_round >= 2)) || per_round=2
warm=$(((BENCH_WARMUP + rounds - 1) / rounds))
((warm >= 1)) || warm=1
nrows=${#names[@]}

best= best_score=
for k in $(seq "$BENCH_REPEAT"); do
        files=()
        for r in $(seq "$rounds"); do
                # Round r starts at row (r - 1) mod nrows.
                args=()
                for j in $(seq 0 $((nrows - 1))); do
                        i=$(((j + r - 1) % nrows))
                        args+=(-n "${names[$i]}" "${cmds[$i]}")
                done
                f=$BENCH_OUT/startup.$k.round$r.json
                hyperfine -N --style basic --runs "$per_round" --warmup "$warm" \
                        --export-json "$f" "${args[@]}" >"$BENCH_OUT/startup.$k.log" 2>&1 ||
                        {
                                cat "$BENCH_OUT/startup.$k.log" >&2
                                bench_die "hyperfine failed (log above)"
                        }
                files+=("$f")
        done
        bench_merge "${files[@]}" >"$BENCH_OUT/startup.$k.json"
        rm -f "${files[@]}"
        # The quietest repetition: the smallest geometric mean of all medians.
        score=$(bench_stats "$BENCH_OUT/startup.$k.json" | awk -F'\t' '{ s += log($2); n++ } END { printf "%.6f", s / n }')
        if [[ -z $best ]] || bench_lt "$score" "$best_score"; then
                best=$k best_score=$score
        fi
done
json=$BENCH_OUT/startup.$best.json

declare -A med p90 mean sd cpu
while IFS=$'\t' read -r n m p a s _ c _; do
        med[$n]=$m p90[$n]=$p mean[$n]=$a sd[$n]=$s cpu[$n]=$c
done < <(bench_stats "$json")

{
        echo "## Start of a /bin/true container"
        echo
        echo "mount, pid, uts, ipc and net (loopback only) namespaces, no user namespace unless"
        echo "stated; $((per_round * rounds)) runs of each command in $rounds rounds of $per_round (each round one"
        echo "hyperfine call over all commands, the order rotated; $warm warmup runs per command and round)"
        if ((BENCH_REPEAT > 1)); then
                echo "(repetition $best of $BENCH_REPEAT, the quietest: smallest geometric mean of the medians)"
        fi
        echo
        echo "| tool | median ms | p90 ms | mean ± sd ms | CPU ms | × crun | notes |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
        for i in "${!names[@]}"; do
                n=${names[$i]}
                if [[ -n ${med[crun]:-} ]]; then
                        ratio=$(bench_ratio "${med[$n]}" "${med[crun]}")
                else
                        ratio=n/a
                fi
                printf '| %s | %s | %s | %s ± %s | %s | %s | %s |\n' "$n" \
                        "$(bench_ms "${med[$n]}")" "$(bench_ms "${p90[$n]}")" \
                        "$(bench_ms "${mean[$n]}")" "$(bench_ms "${sd[$n]}")" \
                        "$(bench_ms "${cpu[$n]}")" "$ratio" "${notes[$i]}"
        done
        for s in "${skipped[@]}"; do
                echo "| ${s%%:*} | — | — | — | — | — | ${s#*: } |"
        done
        echo
        echo "CPU ms: user + system time of the whole process tree per run (hyperfine's mean)."
        [[ -z ${BENCH_CGROUP_NOTE:-} ]] || echo "Note: $BENCH_CGROUP_NOTE."
        echo
        n=nscontain
        if [[ -n ${med[$n]:-} ]]; then
                if [[ -n ${med[crun]:-} ]]; then
                        r=$(bench_ratio "${med[$n]}" "${med[crun]}")
                        bench_le "$r" 0.5 && v=MET || v=MISSED
                        echo "- Target median <= 0.5 × crun: $r × ($(bench_ms "${med[$n]}") vs $(bench_ms "${med[crun]}") ms): $v"
                else
                        echo "- Target median <= 0.5 × crun: not measured (crun could not run)"
                fi
                if [[ -n ${med[bwrap]:-} ]]; then
                        bench_lt "${med[$n]}" "${med[bwrap]}" && v=MET || v=MISSED
                        echo "- Target median below bwrap's: $(bench_ms "${med[$n]}") vs $(bench_ms "${med[bwrap]}") ms: $v"
                else
                        echo "- Target median below bwrap's: not measured (bwrap could not run)"
                fi
        else
                echo "- nscontain-helper could not run: no verdict on the targets"
        fi
} | tee "$BENCH_OUT/startup.md"
