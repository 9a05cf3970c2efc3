#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# env.sh CMD...: runs CMD in the environment every tool of the side-by-side benchmark
# shares; bench/helper/run starts it as "unshare --mount --propagation private env.sh".
#
# On a host with the hybrid cgroup layout (cgroup v1 controllers plus v2 at
# /sys/fs/cgroup/unified, as on this project's build machines) crun refuses to run at
# all ("cgroups in hybrid mode not supported, drop all controllers from cgroupv2"), even
# with --cgroup-manager=disabled. In this private mount namespace /sys/fs/cgroup becomes
# the plain cgroup2 hierarchy, as on a current systemd host, for every tool alike; the
# host's mounts are untouched.
set -euo pipefail

if [[ $(stat -f -c %T /sys/fs/cgroup) != cgroup2fs ]]; then
        # A bind of the host's cgroup2 mount, not a new one: mounting cgroup2 from the
        # initial cgroup namespace applies that mount's options to the one global
        # hierarchy (on a systemd host it would clear nsdelegate and memory_recursiveprot).
        unified=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
        if [[ -n $unified ]]; then
                mount --bind "$unified" /sys/fs/cgroup
        else
                mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
        fi
        export BENCH_CGROUP_NOTE="/sys/fs/cgroup was a hybrid (v1+v2) layout: every tool ran in a private mount namespace with cgroup2 mounted there (crun refuses hybrid mode)"
fi
exec "$@"
