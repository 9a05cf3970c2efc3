#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Times nscontain-generator on 1, 100, 1,000 and 10,000 configs against a floor (a
# program that only reads the same files and writes as many, floor.c), and prints
# the medians. Target: 1,000 configs in under 50 ms, within 3x the floor, linear.
#
#   bench/generator/run.sh [GENERATOR] [RUNS]
# GENERATOR defaults to build/generator/nscontain-generator; RUNS (per size) to 11.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
generator=${1:-$here/../../build/generator/nscontain-generator}
runs=${2:-11}
[ -x "$generator" ] || { echo "no generator at $generator (build first, or pass its path)" >&2; exit 1; }
generator=$(realpath "$generator")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-generator.XXXXXX")
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

# Median wall time in ms (3 decimals) of RUNS runs of "$@" OUT, with a fresh output
# directory each run (made and removed outside the timed part).
median_ms() {
        local i t0 t1 times=()
        for ((i = 0; i < runs; i++)); do
                rm -rf "$tmp/out" && mkdir "$tmp/out"
                t0=$EPOCHREALTIME
                "$@" "$tmp/out" >/dev/null
                t1=$EPOCHREALTIME
                times+=("$(((${t1/./} - ${t0/./})))")
        done
        printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.3f", $1 / 1000 }'
}

printf '%8s %14s %10s %7s %16s\n' configs generator_ms floor_ms ratio per_config_us
for n in 1 100 1000 10000; do
        make_configs "$tmp/conf$n" "$n"
        export NSCONTAIN_CONFIG_PATH=$tmp/conf$n SYSTEMD_LOG_TARGET=console
        # Check once that the generator really wrote everything (and said nothing).
        rm -rf "$tmp/out" && mkdir "$tmp/out"
        "$generator" "$tmp/out"
        written=$(find "$tmp/out" -name 50-nscontain.conf | wc -l)
        [ "$written" = "$n" ] || { echo "generator wrote $written drop-ins for $n configs" >&2; exit 1; }

        g=$(median_ms "$generator")
        f=$(median_ms "$tmp/floor" "$tmp/conf$n")
        awk -v n="$n" -v g="$g" -v f="$f" \
                'BEGIN { printf "%8d %14.2f %10.2f %7.2f %16.1f\n", n, g, f, g / f, g * 1000 / n }'
done
