#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Times nscontain-generator on 1, 100, 1,000 and 10,000 configs against a floor (a
# program that only reads the same files and writes as many, floor.c), and prints
# the medians of wall-clock and CPU time. Target: 1,000 configs in under 50 ms, within 3x the floor, linear.
# Two columns that a busy machine does not disturb, where the tools are installed:
# system calls per config (strace -c, generator and floor) and instructions per config
# (valgrind's callgrind, exact and repeatable; the one to compare two versions by).
#
#   bench/generator/run.sh [GENERATOR] [RUNS]
# GENERATOR defaults to build/generator/nscontain-generator; RUNS (per size) to 11.
# BENCH_INSTRUCTIONS=0 leaves out the callgrind column (a minute for 10,000 configs).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
generator=${1:-$here/../../build/generator/nscontain-generator}
runs=${2:-11}
[ -x "$generator" ] || { echo "no generator at $generator (build first, or pass its path)" >&2; exit 1; }
generator=$(realpath "$generator")

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

# Medians over RUNS runs of "$@" OUT, with a fresh output directory each run (made
# and removed outside the timed part): "WALL_MS CPU_MS", CPU being user + system
# time, which a busy machine disturbs less than wall time.
measure() {
        local i t0 t1 wall=() cpu=() TIMEFORMAT='%3U %3S' u s
        for ((i = 0; i < runs; i++)); do
                rm -rf "$tmp/out" && mkdir "$tmp/out"
                t0=$EPOCHREALTIME
                read -r u s < <({ time "$@" "$tmp/out" >/dev/null 2>&1; } 2>&1)
                t1=$EPOCHREALTIME
                wall+=("$(((${t1/./} - ${t0/./})))")
                cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%d", (u + s) * 1000000 }')")
        done
        med() { printf '%s\n' "$@" | sort -n | awk -v n=$# 'NR == int((n + 1) / 2) { printf "%.3f", $1 / 1000 }'; }
        echo "$(med "${wall[@]}") $(med "${cpu[@]}")"
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

echo "in $(df --output=fstype "$tmp" | tail -1) $tmp; median of $runs runs; load: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%8s %10s %10s %7s %10s %10s %7s %12s %9s %9s %10s\n' configs gen_ms floor_ms ratio gen_cpu floor_cpu \
        ratio us/config sys/conf floor_sys instr/conf
for n in 1 100 1000 10000; do
        make_configs "$tmp/conf$n" "$n"
        export NSCONTAIN_CONFIG_PATH=$tmp/conf$n SYSTEMD_LOG_TARGET=console
        # Check once that the generator really wrote everything (and said nothing).
        rm -rf "$tmp/out" && mkdir "$tmp/out"
        "$generator" "$tmp/out"
        written=$(find "$tmp/out" -name 50-nscontain.conf | wc -l)
        [ "$written" = "$n" ] || { echo "generator wrote $written drop-ins for $n configs" >&2; exit 1; }

        read -r gw gc < <(measure "$generator")
        read -r fw fc < <(measure "$tmp/floor" "$tmp/conf$n")
        gs=$(syscalls_per_config "$n" "$generator")
        fs=$(syscalls_per_config "$n" "$tmp/floor" "$tmp/conf$n")
        gi=$(instructions_per_config "$n" "$generator")
        awk -v n="$n" -v gw="$gw" -v fw="$fw" -v gc="$gc" -v fc="$fc" -v gs="$gs" -v fs="$fs" -v gi="$gi" 'BEGIN {
                cr = fc > 0 ? sprintf("%.2f", gc / fc) : "-"
                printf "%8d %10.2f %10.2f %7.2f %10.2f %10.2f %7s %12.1f %9s %9s %10s\n", n, gw, fw, gw / fw, gc, fc,
                        cr, gw * 1000 / n, gs, fs, gi }'
        rm -rf "$tmp/conf$n"
done
