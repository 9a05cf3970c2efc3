#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# "nscontain validate" against nscontain-generator on the same 1,000 configs, each with
# its root filesystem present (so every deep check of lib/preflight.c runs: rootfs,
# bind source, idmap probe, /etc/passwd and /etc/group, workdir, the command in PATH,
# an env file; and lib/config-set.c's check of the host ports, one published each),
# measured side by side in one run, alternating, median of RUNS each.
# Target (issue 16): validate within 3x the generator.
#
#   bench/validate/run.sh [BUILDDIR] [N] [RUNS]     (defaults: build, 1000, 11)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(realpath "${1:-$here/../../build}")
n=${2:-1000}
runs=${3:-11}
nsc=$build/cli/nscontain
gen=$build/generator/nscontain-generator
[[ -x $nsc && -x $gen ]] || { echo "build $build first" >&2; exit 1; }
busybox=$(command -v busybox) || { echo "busybox needed" >&2; exit 1; }

# On a tmpfs, as the generator's output is under systemd (and roots take no disk).
base=${BENCH_DIR:-/dev/shm}
tmp=$(mktemp -d "$base/bench-validate.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/conf" "$tmp/roots" "$tmp/srv" "$tmp/env"

# The generator benchmark's config (bench/generator/run.sh), rootfs and bind source real.
for ((i = 0; i < n; i++)); do
        r=$tmp/roots/c$i
        mkdir -p "$r/bin" "$r/etc" "$r/data" "$tmp/srv/c$i"
        ln "$busybox" "$r/bin/sh" 2>/dev/null || cp "$busybox" "$r/bin/sh"
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n' >"$r/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' >"$r/etc/group"
        printf 'SERVICE_PORT=%d\n# a comment\nGREETING="hello from c%d"\n' $((10000 + i)) "$i" >"$tmp/env/c$i"
        extra=", \"env_files\": [\"$tmp/env/c$i\"], \"network\": {\"publish\": [\"$((10000 + i)):80\"]}"
        ((i % 10 == 9)) && extra+=", \"after\": [\"c$((i - 1))\"]"
        ((i % 2 == 0)) && extra+=", \"autostart\": true"
        printf '{\n  "rootfs": "%s",\n  "command": ["sh", "-c", "exec sleep infinity"],\n  "env": {"SERVICE": "c%d"},\n  "mounts": [{"source": "%s", "target": "/data", "readonly": true}],\n  "resources": {"memory_max": "256M", "cpu_weight": "100", "tasks_max": "512"},\n  "restart": "on-failure",\n  "restart_sec": "2s",\n  "stop_timeout": "20s"%s\n}\n' \
                "$r" "$i" "$tmp/srv/c$i" "$extra" >"$tmp/conf/c$i.json"
done
export NSCONTAIN_CONFIG_PATH=$tmp/conf

# Every config must be clean and checked against its root, or the comparison is void.
out=$("$nsc" validate --json) || { echo "validate found problems:" >&2; echo "$out" | head -40 >&2; exit 1; }
checked=$(jq '[.files[] | select(.status == "ok" and .checked_against_rootfs)] | length' <<<"$out")
[[ $checked == "$n" ]] || { echo "only $checked of $n configs were checked against their root" >&2; exit 1; }

ms() { # wall-clock milliseconds of "$@"
        local t0 t1
        t0=$EPOCHREALTIME
        "$@" >/dev/null 2>&1 || true
        t1=$EPOCHREALTIME
        echo $(((${t1/./} - ${t0/./}) / 1000))
}
gen_run() { rm -rf "$tmp/out" && mkdir "$tmp/out" && "$gen" "$tmp/out"; }
gen_ms=() val_ms=() dry_ms=()
for ((k = 0; k < runs; k++)); do
        rm -rf "$tmp/out" && mkdir "$tmp/out"
        gen_ms+=("$(ms "$gen" "$tmp/out")")
        val_ms+=("$(ms "$nsc" validate)")
        dry_ms+=("$(ms "$gen" --dry-run)")
done
med() { printf '%s\n' "$@" | sort -n | awk -v n=$# 'NR == int((n + 1) / 2)'; }
g=$(med "${gen_ms[@]}") v=$(med "${val_ms[@]}") d=$(med "${dry_ms[@]}")
echo "configs: $n (roots present, all checked), runs: $runs, medians of wall-clock ms"
echo "nscontain-generator (writes drop-ins): $g ms"
echo "nscontain validate (deep checks):      $v ms"
echo "nscontain-generator --dry-run (deep):  $d ms"
awk -v v="$v" -v g="$g" 'BEGIN { r = g > 0 ? v / g : 0; printf "validate / generator: %.2fx (target <= 3x): %s\n", r, r <= 3 ? "met" : "NOT met" }'
