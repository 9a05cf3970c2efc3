#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# profile.sh: where nscontain-helper's start time goes (run by bench/helper/run inside
# env.sh). Four independent views, each with its own limits:
#   ablation   hyperfine over the bench config with one feature switched off at a time
#              (wall-clock cost of that feature, including kernel work off the CPU)
#   loader     LD_DEBUG=statistics: objects loaded and relocation work per exec
#   perf       perf record -e cpu-clock -g over many runs: CPU samples by DSO and symbol
#              (on-CPU only; this VM has no hardware counters, cpu-clock works)
#   strace     syscall wall time (strace -f -w -c) and a phase timeline (strace -ttt);
#              tracing inflates every syscall, so read proportions, not absolutes
. "$(dirname "$0")/lib.sh"

C=$BENCH_WORK/configs
P=$BENCH_OUT/profile
mkdir -p "$P"
H=$BENCH_HELPER
runs=$((BENCH_RUNS / 2 > 30 ? BENCH_RUNS / 2 : 30))

# Ablation configs: bench.json with one change each.
jq '.seccomp = false' "$C/bench.json" >"$C/bench-noseccomp.json"
jq '.network = {"mode": "host"} | .namespaces.net = false' "$C/bench.json" >"$C/bench-hostnet.json"
jq '.seccomp = false | .network = {"mode": "host"} | .namespaces.net = false' "$C/bench.json" >"$C/bench-bare.json"
jq '.namespaces.cgroup = true' "$C/bench.json" >"$C/bench-cgroupns.json"

{
        echo "## Where nscontain's start time goes"
        echo
        echo "### Ablation (wall clock, $runs runs each, one hyperfine run)"
        echo
        names=() cmds=()
        add() {
                # shellcheck disable=SC2086
                if why=$(bench_try $2); then
                        names+=("$1") cmds+=("$2")
                else
                        echo "- $1: cannot run ($why)"
                fi
        }
        add "nscontain (bench.json)" "$H --config $C/bench.json bench"
        add "seccomp off" "$H --config $C/bench-noseccomp.json bench"
        add "network host (no net ns)" "$H --config $C/bench-hostnet.json bench"
        add "seccomp off, no net ns" "$H --config $C/bench-bare.json bench"
        add "+cgroup ns (the product default)" "$H --config $C/bench-cgroupns.json bench"
        add "+userns" "$H --config $C/benchu.json benchu"
        add "floor: unshare+chroot" "unshare --mount --pid --uts --ipc --net --fork chroot $BENCH_ROOT /bin/true"
        add "floor without --net" "unshare --mount --pid --uts --ipc --fork chroot $BENCH_ROOT /bin/true"
        add "exec of the helper only (--help)" "$H --help"
        args=()
        for i in "${!names[@]}"; do
                args+=(-n "${names[$i]}" "${cmds[$i]}")
        done
        if ((${#args[@]})) && hyperfine -N -i --style basic --runs "$runs" --warmup 5 \
                --export-json "$P/ablation.json" "${args[@]}" >"$P/ablation.log" 2>&1; then
                echo "| variant | median ms | p90 ms | CPU ms | Δ median vs nscontain |"
                echo "| --- | ---: | ---: | ---: | ---: |"
                base=$(bench_stats "$P/ablation.json" | awk -F'\t' 'NR == 1 { print $2 }')
                bench_stats "$P/ablation.json" | while IFS=$'\t' read -r n m p _ _ _ c _; do
                        printf '| %s | %s | %s | %s | %s |\n' "$n" "$(bench_ms "$m")" "$(bench_ms "$p")" \
                                "$(bench_ms "$c")" "$(awk -v a="$m" -v b="$base" 'BEGIN { printf "%+.2f", a - b }')"
                done
        else
                echo "hyperfine failed: $(tail -n 3 "$P/ablation.log" 2>/dev/null)"
        fi
        echo

        echo "### Dynamic loader (LD_DEBUG=statistics, median of 20 runs)"
        echo
        mhz=$(awk -F: '/^cpu MHz/ { printf "%d", $2; exit }' /proc/cpuinfo)
        echo "| command | dynamic execs | objects loaded | relocations | loader cycles | ≈ ms at ${mhz:-?} MHz |"
        echo "| --- | ---: | ---: | ---: | ---: | ---: |"
        loader_row() {
                local name=$1 bin=$2 i f objs
                shift 2
                command -v "$bin" >/dev/null || return 0
                f=$P/ld.$name.txt
                : >"$f"
                for i in $(seq 20); do
                        LD_DEBUG=statistics LD_DEBUG_OUTPUT=$P/ld.tmp "$@" >/dev/null 2>&1 </dev/null || true
                        # One file per dynamically linked exec (the name ends in its pid).
                        awk '/total startup time in dynamic loader/ { cyc += $(NF - 1); n++ }
                             /number of relocations:/ { rel += $NF }
                             END { printf "%d %d %d\n", n, rel, cyc }' "$P"/ld.tmp.* 2>/dev/null >>"$f"
                        rm -f "$P"/ld.tmp.*
                done
                objs=$(ldd "$(command -v "$bin")" 2>/dev/null | wc -l)
                sort -n -k3 "$f" | awk -v name="$name" -v objs="$objs" -v mhz="${mhz:-0}" \
                        '{ l[NR] = $0 } END { split(l[int((NR + 1) / 2)], m, " ");
                           printf "| %s | %d | %d | %d | %d | %s |\n", name, m[1], objs, m[2], m[3],
                                  (mhz > 0) ? sprintf("%.2f", m[3] / (mhz * 1000)) : "n/a" }'
        }
        loader_row nscontain-helper "$H" "$H" --config "$C/bench.json" bench
        loader_row crun crun crun --cgroup-manager=disabled --root "$BENCH_WORK/state/crun" run -b "$BENCH_WORK/oci/true" bench-crun-ld
        loader_row bwrap bwrap bwrap --unshare-all --bind "$BENCH_ROOT" / --proc /proc --dev /dev /bin/true
        loader_row unshare+chroot unshare unshare --mount --pid --uts --ipc --net --fork chroot "$BENCH_ROOT" /bin/true
        echo
        echo "objects loaded: ldd's count for the tool's binary (libraries + vdso + ld.so);"
        echo "relocations and cycles: ld.so's own counters summed over every dynamically linked exec."
        echo

        # What one exec costs with the helper's libraries: an empty main() linked three
        # ways, timed like everything else. The helper pays this once per exec.
        echo "### Cost of one exec by linkage (empty main(), $runs runs each)"
        echo
        if command -v cc >/dev/null && command -v pkg-config >/dev/null; then
                echo 'int main(void) { return 0; }' >"$P/empty.c"
                libs=$(pkg-config --libs libsystemd json-c libcap libseccomp libmnl)
                cc -O2 -o "$P/empty-libc" "$P/empty.c"
                # shellcheck disable=SC2086
                cc -O2 -o "$P/empty-helperlibs" "$P/empty.c" -Wl,--no-as-needed $libs
                cc -O2 -o "$P/empty-libsystemd" "$P/empty.c" -Wl,--no-as-needed -lsystemd
                cc -O2 -o "$P/empty-nosystemd" "$P/empty.c" -Wl,--no-as-needed \
                        $(pkg-config --libs json-c libcap libseccomp libmnl)
                cc -O2 -static -o "$P/empty-static" "$P/empty.c" 2>/dev/null || true
                args=(-n "static" "$P/empty-static"
                        -n "libc only" "$P/empty-libc"
                        -n "libsystemd only" "$P/empty-libsystemd"
                        -n "json-c, libcap, libseccomp, libmnl (no libsystemd)" "$P/empty-nosystemd"
                        -n "the helper's libraries ($libs)" "$P/empty-helperlibs")
                [[ -x $P/empty-static ]] || args=("${args[@]:3}")
                if hyperfine -N --style basic --runs "$runs" --warmup 5 --export-json "$P/link.json" \
                        "${args[@]}" >"$P/link.log" 2>&1; then
                        echo "| empty main() linked with | median ms | p90 ms | CPU ms |"
                        echo "| --- | ---: | ---: | ---: |"
                        bench_stats "$P/link.json" | while IFS=$'\t' read -r n m p _ _ _ c _; do
                                printf '| %s | %s | %s | %s |\n' "$n" "$(bench_ms "$m")" "$(bench_ms "$p")" "$(bench_ms "$c")"
                        done
                else
                        echo "hyperfine failed: $(tail -n 3 "$P/link.log")"
                fi
        else
                echo "not measured: no C compiler or pkg-config"
        fi
        echo
        echo "Shared objects of nscontain-helper:"
        echo
        echo '```'
        ldd "$H" | awk '{ print $1 }'
        echo '```'
        echo

        if perf record -q -e cpu-clock -F 20000 -g -o "$P/perf.data" -- \
                bash -c 'for i in $(seq 100); do "$@" >/dev/null 2>&1; done' bench \
                "$H" --config "$C/bench.json" bench >"$P/perf.log" 2>&1; then
                echo "### perf: on-CPU samples of 100 runs (cpu-clock, 20 kHz)"
                echo
                echo "By process and object (self time; \"bash\" is the loop that starts the runs):"
                echo
                echo '```'
                perf report -i "$P/perf.data" --stdio --no-children --sort comm,dso 2>/dev/null |
                        grep -E '^ +[0-9]' | head -n 15 || true
                echo '```'
                echo
                echo "Hottest symbols of the helper (self time; \"memfd:nscontain\" is the helper after its"
                echo "re-exec from a sealed memfd, \"true\" the payload). In a paravirtualized guest kernel"
                echo "samples can land where interrupts are re-enabled (pvm_irq_enable here): read the"
                echo "kernel's share from the inclusive view below."
                echo
                echo '```'
                perf report -i "$P/perf.data" --stdio --no-children \
                        --comms nscontain-helpe,memfd:nscontain,true \
                        --sort dso,sym 2>/dev/null | grep -E '^ +[0-9]' | head -n 25 || true
                echo '```'
                echo
                echo "Inclusive time of chosen functions (children included, share of all samples):"
                echo
                echo '```'
                perf report -i "$P/perf.data" --stdio --children --sort sym 2>/dev/null |
                        grep -E '^ +[0-9]' |
                        grep -E '\] (_dl_start|_dl_relocate_object|_dl_map_object|__libc_start_main|seccomp_[a-z_]+|config_[a-z_]+|json_[a-z_]+|sd_[a-z_]+|mount_[a-z_]+|__x64_sys_(clone3|execve|mount|pivot_root|exit_group|unshare|openat2?|open_tree|move_mount|mount_setattr|seccomp)|copy_net_ns|copy_mnt_ns|put_mnt_ns|free_nsproxy|do_exit|load_elf_binary|asm_exc_page_fault|exit_mmap|copy_process|begin_new_exec|do_seccomp|bpf_prog_create_from_user)$' |
                        head -n 30 || true
                echo '```'
                echo
        else
                echo "perf record does not work here: $(tail -n 2 "$P/perf.log")"
                echo
        fi

        # Off-CPU time: every switch-out of the helper's processes with its kernel stack;
        # the wait before the next switch-in is charged to that stack.
        n=20
        if perf sched record -q -g -o "$P/sched.data" -- \
                bash -c 'for i in $(seq '"$n"'); do "$@" >/dev/null 2>&1; done' bench \
                "$H" --config "$C/bench.json" bench >"$P/sched.log" 2>&1; then
                echo "### perf sched: where the helper's processes wait, per run (mean of $n runs)"
                echo
                echo "State S: asleep until an event (the parent waiting for its child is overlap, not"
                echo "cost); D: uninterruptible (RCU grace periods, I/O); R/W: preempted or yielding, i.e."
                echo "waiting for a CPU that other processes hold (machine load, not ours)."
                echo
                echo '```'
                perf sched timehist -i "$P/sched.data" --state -g 2>/dev/null | awk -v n="$n" '
                        $3 ~ /^(nscontain-helpe|memfd:nscontain|true)\[/ {
                                task = $3; cs = ""
                                for (i = 8; i <= NF && i <= 15; i++) cs = cs " " $i
                                if (task in prev) w[prev[task]] += $4
                                run += $6; prev[task] = $7 " " cs
                        }
                        END {
                                printf "%8.2f ms  on CPU (run time)\n", run / n
                                for (k in w) printf "%8.2f ms  %s\n", w[k] / n, k
                        }' | sort -rn | head -n 16 || true
                echo '```'
                echo
        else
                echo "perf sched record does not work here: $(tail -n 2 "$P/sched.log")"
                echo
        fi

        if command -v strace >/dev/null; then
                echo "### strace: syscall wall time, 20 runs summed (strace -f -w -c)"
                echo
                for i in $(seq 20); do
                        strace -f -w -c -o "$P/strace-c.$i" "$H" --config "$C/bench.json" bench >/dev/null 2>&1 || true
                done
                echo '```'
                echo "  seconds    calls  syscall"
                cat "$P"/strace-c.* | awk '$NF ~ /^[a-z_0-9]+$/ && $1 ~ /^[0-9.]+$/ && NF >= 5 {
                                sec[$NF] += $2; calls[$NF] += $4 }
                        END { for (s in sec) printf "%9.6f %8d  %s\n", sec[s], calls[s], s }' |
                        sort -rn | head -n 18 || true
                echo '```'
                echo
                echo "### strace: phases of one start (median of 15 traced runs, ms; tracing inflates them)"
                echo
                for i in $(seq 15); do
                        strace -f -ttt -o "$P/strace-t.$i" "$H" --config "$C/bench.json" bench >/dev/null 2>&1 || true
                done
                echo "| phase | median ms |"
                echo "| --- | ---: |"
                for i in $(seq 15); do
                        awk '
                        NR == 1 { main = $1; t0 = $2; next }
                        !cfg && /open(at)?\(.*bench\.json/ { cfg = $2 }
                        !rx && cfg && $1 == main && /execve(at)?\(/ { rx = $2 }
                        !cl && $1 == main && /clone3?\(/ { cl = $2 }
                        !ex && $1 != main && /execve(at)?\(/ { ex = $2 }
                        { last = $2 }
                        END { if (cfg && cl && ex)
                                printf "%.3f %.3f %.3f %.3f %.3f %.3f\n", (cfg - t0) * 1000,
                                        rx ? (rx - cfg) * 1000 : 0, (cl - (rx ? rx : cfg)) * 1000,
                                        (ex - cl) * 1000, (last - ex) * 1000, (last - t0) * 1000 }' "$P/strace-t.$i"
                done >"$P/phases.txt"
                if [[ -s $P/phases.txt ]]; then
                        col=1
                        for ph in "exec → config opened (loader, libc and library init)" \
                                "config opened → re-exec from the sealed memfd (0: none)" \
                                "re-exec → clone (loader again, parse, validate, prepare)" \
                                "clone → payload exec'd (namespaces, root, caps, seccomp)" \
                                "payload exec'd → helper exits (payload, reap, teardown)" \
                                "total"; do
                                printf '| %s | %s |\n' "$ph" "$(cut -d' ' -f$col "$P/phases.txt" | sort -n |
                                        awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
                                col=$((col + 1))
                        done
                else
                        echo "| (the trace did not show the expected events: config open, clone, payload exec) | — |"
                fi
                echo
        fi
} | tee "$BENCH_OUT/profile.md"
