#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# memory.sh: private memory of what each tool leaves running on the host while its
# container runs "sleep 1000" (run by bench/helper/run inside env.sh). Private memory
# is Private_Clean + Private_Dirty + Private_Hugetlb from /proc/PID/smaps_rollup: the
# pages no other process shares, i.e. what one more container costs.
. "$(dirname "$0")/lib.sh"

R=$BENCH_ROOT
C=$BENCH_WORK/configs
rows=()

# The pids of PID's process tree, PID first.
tree() {
        local p=$1 c
        echo "$p"
        for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
                tree "$c"
        done
}

# "private_kib rss_kib pss_kib" of one process.
smaps() {
        awk '/^Rss:/ { rss = $2 } /^Pss:/ { pss = $2 }
             /^Private_(Clean|Dirty|Hugetlb):/ { priv += $2 }
             END { printf "%d %d %d\n", priv, rss, pss }' "/proc/$1/smaps_rollup"
}

# measure NAME NOTE CMD...: starts CMD, waits for the payload (a "sleep" in its tree),
# sums the memory of every other process of the tree, then SIGKILLs the payload (PID 1
# of its pid namespace: the tool then exits by itself).
measure() {
        local name=$1 note=$2 pid payload= p i comm list=() main_priv=0 sum_priv=0 sum_rss=0 sum_pss=0 pr rs ps memfd=0
        shift 2
        "$@" </dev/null >"$BENCH_OUT/memory.$$.log" 2>&1 &
        pid=$!
        for i in $(seq 200); do
                for p in $(tree "$pid"); do
                        if [[ $(cat "/proc/$p/comm" 2>/dev/null) == sleep ]]; then
                                payload=$p
                                break 2
                        fi
                done
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05
        done
        if [[ -z $payload ]]; then
                kill -KILL "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
                rows+=("| $name | — | — | — | — | — | — | cannot run here: $(tail -n 2 "$BENCH_OUT/memory.$$.log" | tr '\n' ' ') |")
                return 0
        fi
        # Let the tool settle (a supervisor may still be finishing its setup).
        sleep 0.5
        for p in $(tree "$pid"); do
                [[ $p == "$payload" ]] && continue
                comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
                read -r pr rs ps < <(smaps "$p") || continue
                [[ $p == "$pid" ]] && main_priv=$pr
                sum_priv=$((sum_priv + pr)) sum_rss=$((sum_rss + rs)) sum_pss=$((sum_pss + ps))
                # A binary re-executed from a memfd (the CVE-2019-5736 defence) keeps its
                # whole copy in memory (shmem), of which smaps shows only mapped pages.
                if [[ $(readlink "/proc/$p/exe" 2>/dev/null) == /memfd:* ]]; then
                        memfd=$((memfd + $(stat -L -c %s "/proc/$p/exe") / 1024))
                fi
                list+=("$comm")
        done
        kill -KILL "$payload" 2>/dev/null || true
        for i in $(seq 100); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05
        done
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        rows+=("| $name | ${list[*]} | $main_priv | $sum_priv | $sum_rss | $sum_pss | $memfd | $note |")
        if [[ $name == nscontain ]]; then
                NSC_PRIV=$main_priv
        fi
}

NSC_PRIV=
measure nscontain "the helper: the supervisor that stays (foreground, no NOTIFY_SOCKET)" \
        "$BENCH_HELPER" --config "$C/benchsleep.json" benchsleep
measure "nscontain +userns" "same, with a user namespace" \
        "$BENCH_HELPER" --config "$C/benchsleepu.json" benchsleepu
if command -v crun >/dev/null; then
        measure crun "crun run (foreground): waits for the container, like a supervisor" \
                crun --cgroup-manager=disabled --root "$BENCH_WORK/state/crun" run -b "$BENCH_WORK/oci/sleep" bench-crun-mem
fi
if command -v runc >/dev/null; then
        measure runc "runc run (foreground, Go)" \
                runc --root "$BENCH_WORK/state/runc" run -b "$BENCH_WORK/oci/sleep" bench-runc-mem
fi
if command -v bwrap >/dev/null; then
        measure bwrap "the outer bwrap plus its PID 1 monitor inside the pid namespace" \
                bwrap --unshare-all --bind "$R" / --proc /proc --dev /dev /bin/sleep 1000
fi
if command -v systemd-nspawn >/dev/null; then
        measure systemd-nspawn "the nspawn process that stays as the container's supervisor" \
                systemd-nspawn -q -D "$R" --register=no --keep-unit --private-network /bin/sleep 1000
fi
measure "unshare --fork (floor)" "util-linux unshare waiting for its child" \
        unshare --mount --pid --uts --ipc --net --fork chroot "$R" /bin/sleep 1000
rm -f "$BENCH_OUT/memory.$$.log"

{
        echo "## Memory of the host-side processes while the container runs"
        echo
        echo "Private = Private_Clean + Private_Dirty + Private_Hugetlb of /proc/PID/smaps_rollup,"
        echo "in KiB; the payload (sleep) itself is not counted. memfd copy: the size of an executable"
        echo "the tool re-executed from a memfd, held in memory (shmem) per container on top of"
        echo "the mapped pages that smaps counts."
        echo
        echo "| tool | processes | main private KiB | all private KiB | all Rss KiB | all Pss KiB | memfd copy KiB | notes |"
        echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"
        printf '%s\n' "${rows[@]}"
        echo
        if [[ -n $NSC_PRIV ]]; then
                ((NSC_PRIV < 1024)) && v=MET || v=MISSED
                echo "- Target supervisor private memory < 1024 KiB: $NSC_PRIV KiB: $v"
        else
                echo "- nscontain-helper could not run: no verdict on the memory target"
        fi
} | tee "$BENCH_OUT/memory.md"
