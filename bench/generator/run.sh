#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Times nscontain-generator on 1, 100, 1,000 and 10,000 configs against a floor (a
# program that only reads the same files and writes as many, floor.c), and prints
# the medians of wall-clock and CPU time. Target: 1,000 configs in under 50 ms, within 3x the floor, linear.
# Two columns that a busy machine does not disturb, where the tools are installed:
# system calls per config (strace -c, generator and floor) and instructions per config
# (valgrind's callgrind, exact and repeatable; the one to compare two versions by).
#
#   bench/generator/run.sh [--base GENERATOR] [--sizes "N..."] [GENERATOR] [RUNS]
# GENERATOR defaults to build/generator/nscontain-generator; RUNS (per size) to 11.
# --base also times another build's generator (another tree's, to compare two trees):
# its rows say "base". The commands alternate run by run (the generator, the base, the
# floor, the order rotating each round), so a load that changes during the run hits all
# of them alike; each ratio column is the median of the per-round ratios to the floor.
# --sizes replaces 1 100 1000 10000.
# BENCH_INSTRUCTIONS=0 leaves out the callgrind column (a minute for 10,000 configs).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
base_generator=
sizes=(1 100 1000 10000)
while (($#)); do
        case $1 in
        --base) base_generator=$2; shift 2 ;;
        --sizes) read -r -a sizes <<<"$2"; shift 2 ;;
        --) shift; break ;;
        -*) echo "bench/generator/run.sh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
        esac
done
generator=${1:-$here/../../build/generator/nscontain-generator}
runs=${2:-11}
[ -x "$generator" ] || { echo "no generator at $generator (build first, or pass its path)" >&2; exit 1; }
generator=$(realpath "$generator")
if [[ -n $base_generator ]]; then
        [ -x "$base_generator" ] || { echo "no base generator at $base_generator" >&2; exit 1; }
        base_generator=$(realpath "$base_generator")
fi

# Under systemd the output goes to /run/systemd/generator, a tmpfs: measure on one
# too (/dev/shm), or disk journaling dominates both numbers.
base=${BENCH_DIR:-/dev/shm}
[ -d "$base" ] && [ -w "$base" ] || base=${TMPDIR:-/tmp}
tmp=$(mktemp -d "$base/bench-generator.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

${CC:-cc} -O2 -o "$tmp/floor" "$here/floor.c"

# A realistic config: a bind mount, resources, restart policy; every tenth orders
# itself after the previous one and every other starts at boot.
make_configs() {
        local dir=$1 n=$2 i extra
        mkdir -p "$dir"
        for ((i = 0; i < n; i++)); do
                extra=""
                ((i % 10 == 9)) && extra+=", \"after\": [\"c$((i - 1))\"]"
                ((i % 2 == 0)) && extra+=", \"autostart\": true"
                printf '{\n  "rootfs": "/var/lib/machines/c%d",\n  "command": ["/bin/sh", "-c", "exec sleep infinity"],\n  "env": {"SERVICE": "c%d"},\n  "mounts": [{"source": "/srv/c%d", "target": "/data", "readonly": true}],\n  "resources": {"memory_max": "256M", "cpu_weight": "100", "tasks_max": "512"},\n  "restart": "on-failure",\n  "restart_sec": "2s",\n  "stop_timeout": "20s"%s\n}\n' \
                        "$i" "$i" "$i" "$extra" >"$dir/c$i.json"
        done
}

# RUNS rounds of the commands named by the arrays "$@" (each array holds one command
# line, to which OUT is appended), one run of each per round, the order rotating each
# round, with a fresh output directory per run (made and removed outside the timed
# part). Prints one line per command: "WALL_MS CPU_MS WALL_RATIO CPU_RATIO", medians
# over the rounds, CPU being user + system time (which a busy machine disturbs less
# than wall time) and the ratios those of the same round's run of the last command
# (the floor).
measure() {
        local names=("$@") k=$# i j c u s t0 t1 TIMEFORMAT='%3U %3S'
        local -a wall cpu cmd
        for ((i = 0; i < runs; i++)); do
                for ((j = 0; j < k; j++)); do
                        c=$(((i + j) % k))
                        eval "cmd=(\"\${${names[c]}[@]}\")"
                        rm -rf "$tmp/out" && mkdir "$tmp/out"
                        t0=$EPOCHREALTIME
                        read -r u s < <({ time "${cmd[@]}" "$tmp/out" >/dev/null 2>&1; } 2>&1)
                        t1=$EPOCHREALTIME
                        wall[i * k + c]=$((${t1/./} - ${t0/./}))
                        cpu[i * k + c]=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000000 }')
                done
        done
        med() { sort -g | awk '{ v[NR] = $1 } END { printf "%.6f", v[int((NR + 1) / 2)] }'; }
        ratios() { # ARRAY-NAME COMMAND-INDEX: one ratio per round to the last command's run
                local -n v=$1
                for ((i = 0; i < runs; i++)); do
                        awk -v a="${v[i * k + $2]}" -v b="${v[i * k + k - 1]}" \
                                'BEGIN { if (b > 0) printf "%.6f\n", a / b; else print "inf" }'
                done
        }
        for ((c = 0; c < k; c++)); do
                echo "$(for ((i = 0; i < runs; i++)); do echo "${wall[i * k + c]}"; done | med | awk '{ printf "%.3f", $1 / 1000 }')" \
                        "$(for ((i = 0; i < runs; i++)); do echo "${cpu[i * k + c]}"; done | med | awk '{ printf "%.3f", $1 / 1000 }')" \
                        "$(ratios wall "$c" | med)" "$(ratios cpu "$c" | med)"
        done
}

# System calls per config of "$@" OUT (strace counts them exactly), or "-".
syscalls_per_config() {
        local n=$1 total
        shift
        command -v strace >/dev/null || { echo -; return; }
        rm -rf "$tmp/out" && mkdir "$tmp/out"
        total=$(strace -f -c -o "$tmp/strace" "$@" "$tmp/out" >/dev/null 2>&1 &&
                awk '$NF == "total" { print $4 + 0 }' "$tmp/strace")
        awk -v t="${total:-0}" -v n="$n" 'BEGIN { if (t > 0) printf "%.1f", t / n; else print "-" }'
}

# Instructions per config of the generator under callgrind, or "-".
instructions_per_config() {
        local n=$1 ir
        shift
        if [[ ${BENCH_INSTRUCTIONS:-1} == 0 ]] || ! command -v valgrind >/dev/null; then
                echo -
                return
        fi
        rm -rf "$tmp/out" && mkdir "$tmp/out"
        ir=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" "$tmp/out" 2>&1 >/dev/null |
                awk '/Collected :/ { print $NF }')
        awk -v i="${ir:-0}" -v n="$n" 'BEGIN { if (i > 0) printf "%.0f", i / n; else print "-" }'
}

echo "in $(df --output=fstype "$tmp" | tail -1) $tmp; median of $runs rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "generator: $generator${base_generator:+; base: $base_generator}"
printf '%8s %5s %10s %10s %7s %10s %10s %7s %12s %9s %9s %10s\n' configs build gen_ms floor_ms ratio gen_cpu floor_cpu \
        ratio us/config sys/conf floor_sys instr/conf
for n in "${sizes[@]}"; do
        make_configs "$tmp/conf$n" "$n"
        export NSCONTAIN_CONFIG_PATH=$tmp/conf$n SYSTEMD_LOG_TARGET=console
        gen_cmd=("$generator")
        base_cmd=("$base_generator")
        floor_cmd=("$tmp/floor" "$tmp/conf$n")
        timed=(gen_cmd)
        [[ -z $base_generator ]] || timed+=(base_cmd)
        # Check once that each generator really wrote everything (and said nothing).
        for t in "${timed[@]}"; do
                eval "cmd=(\"\${$t[@]}\")"
                rm -rf "$tmp/out" && mkdir "$tmp/out"
                "${cmd[@]}" "$tmp/out"
                written=$(find "$tmp/out" -name 50-nscontain.conf | wc -l)
                [ "$written" = "$n" ] || { echo "${cmd[0]} wrote $written drop-ins for $n configs" >&2; exit 1; }
        done

        mapfile -t results < <(measure "${timed[@]}" floor_cmd)
        read -r fw fc _ < <(echo "${results[-1]}")
        fs=$(syscalls_per_config "$n" "${floor_cmd[@]}")
        for ((r = 0; r < ${#timed[@]}; r++)); do
                eval "cmd=(\"\${${timed[r]}[@]}\")"
                read -r gw gc wr cr < <(echo "${results[r]}")
                gs=$(syscalls_per_config "$n" "${cmd[@]}")
                gi=$(instructions_per_config "$n" "${cmd[@]}")
                label=new
                ((r == 1)) && label=base
                [[ -n $base_generator ]] || label=-
                awk -v n="$n" -v l="$label" -v gw="$gw" -v fw="$fw" -v gc="$gc" -v fc="$fc" -v wr="$wr" -v cr="$cr" \
                        -v gs="$gs" -v fs="$fs" -v gi="$gi" 'BEGIN {
                        cr = fc > 0 ? sprintf("%.2f", cr) : "-"
                        printf "%8d %5s %10.2f %10.2f %7.2f %10.2f %10.2f %7s %12.1f %9s %9s %10s\n", n, l, gw, fw, wr, gc, fc,
                                cr, gw * 1000 / n, gs, fs, gi }'
        done
        rm -rf "$tmp/conf$n"
done
