# SPDX-License-Identifier: LGPL-2.1-or-later
#
# lib.sh: what the parts of bench/helper share: paths, the fixtures (one busybox root,
# the nscontain configs, the OCI bundles), statistics over hyperfine's JSON and the
# markdown tables. Sourced by bench/helper/run and the section scripts it runs.

set -euo pipefail

BENCH_HELPER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NSC_SOURCE_DIR=${NSC_SOURCE_DIR:-$(cd "$BENCH_HELPER_DIR/../.." && pwd)}
NSC_BUILD_DIR=${NSC_BUILD_DIR:-$NSC_SOURCE_DIR/build}
# Fixtures and scratch state: on the host's disk (ext4, so the user-namespace row can use
# an idmapped root), never in the repository.
BENCH_WORK=${BENCH_WORK:-/var/tmp/nscontain-bench}
BENCH_OUT=${BENCH_OUT:-$NSC_SOURCE_DIR/bench/out/helper}
BENCH_RUNS=${BENCH_RUNS:-200}
BENCH_WARMUP=${BENCH_WARMUP:-20}
# The timed runs are split into this many rounds, each a hyperfine call over every
# command in a rotated order: a burst of load on the shared machine then hits all rows
# alike instead of the one that happened to be running.
BENCH_ROUNDS=${BENCH_ROUNDS:-10}
BENCH_ROOT=$BENCH_WORK/root
BENCH_HELPER=${BENCH_HELPER:-$NSC_BUILD_DIR/helper/nscontain-helper}
# A fixed range at the top of systemd's container range, away from what the sidecar
# hands out first.
BENCH_USERNS_BASE=$((0x6FFF0000))
export NSC_SOURCE_DIR NSC_BUILD_DIR BENCH_WORK BENCH_OUT BENCH_RUNS BENCH_WARMUP BENCH_ROUNDS BENCH_HELPER

# The helper runs in the foreground only without a notification socket.
unset NOTIFY_SOCKET

bench_die() {
        echo "bench: $*" >&2
        exit 1
}

bench_note() {
        echo "bench: $*" >&2
}

# One busybox-static root, shared by every tool. tests/lib/mkrootfs.sh (the harness's
# fixture builder) makes it when present; otherwise it is built here the same way.
# /usr must exist: systemd-nspawn refuses a directory without it as "not an OS tree".
bench_make_root() {
        local bb a
        if [[ -x $BENCH_ROOT/bin/busybox && -e $BENCH_ROOT/bin/true && -d $BENCH_ROOT/usr ]]; then
                return 0
        fi
        rm -rf --one-file-system "$BENCH_ROOT"
        mkdir -p "$BENCH_WORK"
        if [[ -x $NSC_SOURCE_DIR/tests/lib/mkrootfs.sh ]]; then
                "$NSC_SOURCE_DIR/tests/lib/mkrootfs.sh" "$BENCH_ROOT" >&2 ||
                        bench_die "tests/lib/mkrootfs.sh could not build $BENCH_ROOT"
        else
                bb=$(command -v busybox) || bench_die "busybox is not installed (Debian: busybox-static)"
                # ldd fails on a static binary ("not a dynamic executable").
                ! ldd "$bb" >/dev/null 2>&1 ||
                        bench_die "$bb is not statically linked (Debian: busybox-static)"
                mkdir -p "$BENCH_ROOT"/{bin,etc,proc,sys,dev,tmp,root}
                cp "$bb" "$BENCH_ROOT/bin/busybox"
                for a in $("$BENCH_ROOT/bin/busybox" --list); do
                        [[ -e $BENCH_ROOT/bin/$a ]] || ln -s busybox "$BENCH_ROOT/bin/$a"
                done
                echo 'root:x:0:0:root:/root:/bin/sh' >"$BENCH_ROOT/etc/passwd"
                echo 'root:x:0:' >"$BENCH_ROOT/etc/group"
                chmod 1777 "$BENCH_ROOT/tmp"
        fi
        mkdir -p "$BENCH_ROOT"/{usr,proc,sys,dev,tmp}
        [[ -x $BENCH_ROOT/bin/true && -x $BENCH_ROOT/bin/sleep ]] ||
                bench_die "$BENCH_ROOT has no /bin/true or /bin/sleep"
}

# nscontain configs, under $BENCH_WORK/configs: NAME.json for NAME in
#   bench        /bin/true, mount+pid+uts+ipc+net (loopback only), no user or cgroup ns
#   benchu       the same plus a user namespace with a fixed base (idmapped root)
#   benchsleep   as bench, payload "sleep 1000" (memory)
#   benchsleepu  as benchu, payload "sleep 1000"
# The namespace set is exactly the OCI default's (crun spec/runc spec): no cgroup ns.
# Seccomp, capabilities and no_new_privileges stay at nscontain's defaults.
bench_write_configs() {
        local dir=$BENCH_WORK/configs
        mkdir -p "$dir"
        _bench_config() {
                local name=$1 userns=$2 cmd=$3 ns
                if [[ $userns == yes ]]; then
                        ns='"namespaces": {"cgroup": false},
  "user_namespace": {"base": '"$BENCH_USERNS_BASE"', "size": 65536},'
                else
                        ns='"namespaces": {"user": false, "cgroup": false},'
                fi
                cat >"$dir/$name.json" <<-EOF
		{
		  "rootfs": "$BENCH_ROOT",
		  "command": $cmd,
		  $ns
		  "network": {"mode": "none"}
		}
		EOF
        }
        _bench_config bench no '["/bin/true"]'
        _bench_config benchu yes '["/bin/true"]'
        _bench_config benchsleep no '["/bin/sleep", "1000"]'
        _bench_config benchsleepu yes '["/bin/sleep", "1000"]'
}

# OCI bundles for crun and runc under $BENCH_WORK/oci/{true,sleep}: "crun spec"'s
# default (pid, network, ipc, uts, mount namespaces; the default mounts, masked and
# read-only paths and capabilities; no seccomp profile), with the root read-write, no
# terminal and our payload. cgroupsPath keeps runc's cgroup inside the bench's own.
bench_write_oci() {
        local cgpath=$1 kind args tmp
        command -v crun >/dev/null || command -v runc >/dev/null || return 0
        for kind in true sleep; do
                case $kind in
                true) args='["/bin/true"]' ;;
                sleep) args='["/bin/sleep", "1000"]' ;;
                esac
                mkdir -p "$BENCH_WORK/oci/$kind"
                tmp=$(mktemp -d)
                if command -v crun >/dev/null; then
                        (cd "$tmp" && crun spec)
                else
                        (cd "$tmp" && runc spec)
                fi
                jq --arg root "$BENCH_ROOT" --argjson args "$args" --arg cg "$cgpath/oci-$kind" \
                        '.process.terminal = false | .process.args = $args
                         | .root = {"path": $root, "readonly": false}
                         | .hostname = "bench"
                         | .linux.cgroupsPath = $cg' \
                        "$tmp/config.json" >"$BENCH_WORK/oci/$kind/config.json"
                rm -rf "$tmp"
        done
}

# Statistics of hyperfine's --export-json (or of bench_merge's output), computed from
# the runs' times, one TSV line per command:
#   name  median_ms  p90_ms  mean_ms  stddev_ms  min_ms  cpu_ms(user+sys mean)  runs
# p90 is the nearest-rank 90th percentile of the measured runs.
bench_stats() {
        jq -r '.results[] |
                (.times | sort) as $t | ($t | length) as $n |
                ($t | add / $n) as $mean |
                [ .command,
                  (if $n % 2 == 1 then $t[($n - 1) / 2] else ($t[$n / 2 - 1] + $t[$n / 2]) / 2 end) * 1000,
                  ($t[(($n * 0.9) | ceil) - 1] * 1000),
                  ($mean * 1000),
                  (if $n > 1 then (($t | map(. - $mean | . * .) | add) / ($n - 1) | sqrt) * 1000 else 0 end),
                  ($t[0] * 1000),
                  ((.user + .system) * 1000),
                  $n ] | @tsv' "$1"
}

# Merges the hyperfine JSON files given into one with every run of each command (CPU
# times weighted by runs), written to stdout.
bench_merge() {
        jq -s '[.[].results[]] | group_by(.command) | map({
                command: .[0].command,
                times: (map(.times) | add),
                user: ((map(.user * (.times | length)) | add) / (map(.times | length) | add)),
                system: ((map(.system * (.times | length)) | add) / (map(.times | length) | add))
        }) | {results: .}' "$@"
}

# Formats milliseconds with two decimals (awk: bash has no floats).
bench_ms() {
        awk -v v="$1" 'BEGIN { printf "%.2f", v }'
}

bench_ratio() {
        awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'
}

# bench_lt A B: A < B as floats.
bench_lt() {
        awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'
}

bench_le() {
        awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'
}

# Runs a command once, as a check before timing it: prints nothing and succeeds, or
# prints why it failed (its last output lines) and fails.
bench_try() {
        local out rc=0
        out=$(timeout 30 "$@" 2>&1 </dev/null) || rc=$?
        if ((rc != 0)); then
                printf 'exit %s: %s' "$rc" "$(printf '%s' "$out" | tail -n 3 | tr '\n' ' ')"
                return 1
        fi
        return 0
}

# The load and a note on other processes competing for the CPUs, for the output header.
bench_machine_line() {
        printf '%s, %s CPUs, kernel %s, load average %s' \
                "$(. /etc/os-release && echo "$PRETTY_NAME")" "$(nproc)" "$(uname -r)" \
                "$(cut -d' ' -f1-3 /proc/loadavg)"
}
