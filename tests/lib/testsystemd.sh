# SPDX-License-Identifier: LGPL-2.1-or-later
#
# testsystemd.sh: boot a real systemd (the host's /lib/systemd/systemd, or that of
# $TSD_SYSTEM_ROOT) in throwaway namespaces and drive it from outside, as the README's "TESTING" section describes.
# Source it from a bash test (it sources lib.sh, the assertions):
#
#     . "$(dirname "$0")/../lib/testsystemd.sh"
#     tsd_setup helper probe jq   # tsd_require + what the test needs + tsd_init
#     tsd_require             # skips (exit 77) when this machine cannot do it
#     tsd_init [NAME]         # this test's dir + cleanup trap (call it in the main shell)
#     tsd_install [BUILDDIR]  # DESTDIR install of $NSC_BUILD_DIR (before or after boot)
#     rootfs=$(tsd_mkrootfs web --probe)   # busybox root (+ /probe) on a real filesystem
#     tsd_bind HOSTDIR [DST]  # bind a host dir into the test system
#     tsd_write /etc/nscontain.d/web.json '{...}'   # or from stdin; before or after boot
#     tsd_cp_in SRC DST
#     tsd_boot                # sets TSD_PID, waits for running/degraded
#     tsd_run systemctl start container@web         # nsenter into all its namespaces
#     tsd_wait_state container@web active 20
#     tsd_journal container@web.service             # message text of one unit
#     tsd_root                # where its / is visible from the host
#
# Every test gets its own directory under $TSD_BASE (overlay upper/work dirs, logs), a
# fixture dir $TSD_FIXDIR under $TSD_FIXTURES, and its own cgroup; all mounts happen in
# the test's private mount namespace, so nothing is left on the host: tsd_cleanup (the
# EXIT trap, also run on INT/TERM) kills the whole tree and removes the dirs, and what
# a SIGKILLed test left is swept by the next tsd_init. TSD_KEEP=1 keeps the dirs.
#
# Facts about the test system: PID 1 is the host's systemd (252 on Debian 12) with
# container=nscontain-test, or, with TSD_SYSTEM_ROOT=DIR, the systemd of the Debian root DIR
# (tests/lib/mkdebian.sh --system: Debian 13's 257 for tests/matrix/run), which is then the
# overlay's lower dir instead of the host's / and runs every tsd_run command; /dev
# is the host's (rbind), so /dev/kmsg is the host's ring buffer, and journald inside
# reads it from its start: kernel-transport lines include the host's and other tests'
# messages (use unique names when asserting on them). The cgroup2 tree is the test's own
# subtree, without cpu or memory controllers here. dbus-daemon and systemd-machined are
# started on demand.

. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TSD_BASE=${TSD_BASE:-/var/tmp/nscontain-test}
# Host ext4 directory bind-mounted at the same path inside: root filesystem fixtures live
# here because overlayfs refuses idmapped mounts.
TSD_FIXTURES=${TSD_FIXTURES:-/var/tmp/nscontain-fixtures}
TSD_BOOT_TIMEOUT=${TSD_BOOT_TIMEOUT:-90}
# The root filesystem the test system boots (the overlay's lower dir): the host's / or a
# root made by tests/lib/mkdebian.sh --system.
TSD_SYSTEM_ROOT=${TSD_SYSTEM_ROOT:-/}
TSD_SYSTEM_ROOT=${TSD_SYSTEM_ROOT%/}/
# The default capability set (nscontain.json(5), "capabilities") as /proc/PID/status
# prints it: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID SETPCAP
# NET_BIND_SERVICE SYS_CHROOT SETFCAP.
TSD_CAPS_DEFAULT=00000000800405fb
TSD_LIBDIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TSD_DIR=
TSD_FIXDIR=
TSD_UPPER=
TSD_PID=
TSD_UNSHARE_PID=
TSD_CGROUP=
TSD_BOOT_SECONDS=

# Units that cannot work (or only slow the boot down) in a container without devices,
# network or a console. Masked in the overlay's /etc so is-system-running settles quickly.
TSD_MASK_UNITS=(
        systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket
        systemd-udev-trigger.service systemd-udev-settle.service systemd-hwdb-update.service
        getty.target console-getty.service getty@tty1.service serial-getty@.service
        systemd-networkd.service systemd-networkd.socket systemd-networkd-wait-online.service
        systemd-resolved.service systemd-timesyncd.service systemd-logind.service
        systemd-pstore.service systemd-firstboot.service systemd-random-seed.service
        systemd-machine-id-commit.service systemd-binfmt.service proc-sys-fs-binfmt_misc.automount
        sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount
        sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount
        systemd-modules-load.service kmod-static-nodes.service systemd-repart.service
        systemd-pcrphase.service systemd-pcrphase-sysinit.service systemd-update-utmp.service
        systemd-update-utmp-runlevel.service systemd-journal-flush.service systemd-sysusers.service
        systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.timer systemd-remount-fs.service
        systemd-journald-audit.socket systemd-user-sessions.service systemd-ask-password-wall.path
        systemd-ask-password-console.path ldconfig.service e2scrub_reap.service
        postgresql.service postgresql@.service cron.service ssh.service
        apt-daily.timer apt-daily-upgrade.timer dpkg-db-backup.timer e2scrub_all.timer
        fstrim.timer man-db.timer systemd-initctl.socket
        # kernel.* settings are global: the test system must not rewrite the host's.
        systemd-sysctl.service
)
# Generators that only look for disks, consoles and init scripts.
TSD_MASK_GENERATORS=(
        postgresql-generator systemd-cryptsetup-generator systemd-gpt-auto-generator
        systemd-hibernate-resume-generator systemd-integritysetup-generator
        systemd-veritysetup-generator systemd-sysv-generator systemd-getty-generator
        systemd-rc-local-generator systemd-system-update-generator
)

_tsd_die() {
        echo "tsd: $*" >&2
        exit 1
}

# Skips the test (exit 77) unless this machine can boot a test systemd.
tsd_require() {
        local cmd
        if [[ $(id -u) != 0 ]]; then
                echo "skipped: needs root to boot a test systemd"
                exit 77
        fi
        for cmd in unshare nsenter systemctl journalctl; do
                if ! command -v "$cmd" >/dev/null; then
                        echo "skipped: $cmd is not installed"
                        exit 77
                fi
        done
        if [[ ! -x ${TSD_SYSTEM_ROOT}lib/systemd/systemd ]]; then
                echo "skipped: ${TSD_SYSTEM_ROOT}lib/systemd/systemd is not installed"
                exit 77
        fi
        if [[ -z $(_tsd_cgroup2_root) ]]; then
                echo "skipped: no cgroup2 hierarchy mounted on this machine"
                exit 77
        fi
}

# tsd_setup NEED...: the start of a test that boots a test systemd. Skips (exit 77,
# saying why) unless this machine can (tsd_require), the build is known ($NSC_BUILD_DIR,
# set by meson test) and every NEED is met; then makes the test's dir (tsd_init). NEEDs:
#   helper, cli, probe  nscontain-helper, nscontain, the probe built in $NSC_BUILD_DIR
#   busybox             busybox-static, for tsd_mkrootfs
#   dbus                dbus-daemon           (these two in the test system's root)
#   machined            machinectl and systemd-machined (systemd-container)
#   idmap               $TSD_FIXDIR allows idmapped mounts (is not on overlayfs)
#   anything else       a command of that name
tsd_setup() {
        local need
        tsd_require
        [[ -n $NSC_BUILD_DIR ]] || skip "NSC_BUILD_DIR is not set (run through meson test)"
        for need; do
                case $need in
                helper) [[ -x $NSC_BUILD_DIR/helper/nscontain-helper ]] || skip "the helper is not built" ;;
                cli) [[ -x $NSC_BUILD_DIR/cli/nscontain ]] || skip "nscontain is not built" ;;
                probe) [[ -x $NSC_PROBE ]] || skip "the probe is not built ($NSC_PROBE)" ;;
                busybox) [[ -x /bin/busybox ]] || skip "busybox-static is not installed" ;;
                dbus) [[ -x ${TSD_SYSTEM_ROOT}usr/bin/dbus-daemon ]] || skip "dbus-daemon is not installed" ;;
                machined)
                        [[ -x ${TSD_SYSTEM_ROOT}usr/bin/machinectl ]] ||
                                skip "machinectl is not installed (systemd-container)"
                        [[ -x ${TSD_SYSTEM_ROOT}lib/systemd/systemd-machined ]] ||
                                skip "systemd-machined is not installed (systemd-container)"
                        ;;
                idmap) ;; # below: the fixture dir exists only after tsd_init
                *) command -v "$need" >/dev/null || skip "$need is not installed" ;;
                esac
        done
        tsd_init
        if [[ " $* " == *" idmap "* && $(stat -f -c %T "$TSD_FIXDIR") == overlayfs ]]; then
                skip "$TSD_FIXDIR is on overlayfs, which refuses idmapped mounts"
        fi
}

# The host directory of our own cgroup in the cgroup2 hierarchy (hybrid or unified).
_tsd_cgroup2_root() {
        local mnt own
        mnt=$(awk '$9 == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
        [[ -n $mnt ]] || return 0
        own=$(sed -n 's/^0:://p' /proc/self/cgroup)
        echo "$mnt${own%/}"
}

# Removes what earlier tests left when they were SIGKILLed before their EXIT trap ran.
_tsd_sweep() {
        local d owner cg
        for d in "$TSD_BASE"/*/; do
                [[ -f $d/owner ]] || continue
                owner=$(<"$d/owner")
                if [[ -n $owner ]] && kill -0 "$owner" 2>/dev/null; then
                        continue
                fi
                cg=
                [[ -f $d/cgroup ]] && cg=$(<"$d/cgroup")
                _tsd_kill_cgroup "$cg"
                d=${d%/}
                rm -rf --one-file-system "$TSD_FIXTURES/tests/${d##*/}" "$d"
        done
}

_tsd_kill_cgroup() {
        local cg=$1 i
        [[ -n $cg && -d $cg ]] || return 0
        echo 1 >"$cg/cgroup.kill" 2>/dev/null || true
        for i in $(seq 100); do
                # Removing the leaves first; fails while a process is still dying.
                find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null && return 0
                sleep 0.05
        done
        echo "tsd: could not remove cgroup $cg" >&2
}

# Creates this test's directory and installs the cleanup trap. Called by the other
# functions when needed; call it directly to choose the name.
tsd_init() {
        local name=${1:-$(basename "$0" .sh)}
        [[ -z $TSD_DIR ]] || return 0
        # Made in a subshell ($(tsd_mkrootfs …) first), the test system would be torn
        # down as soon as that subshell ends.
        [[ $BASHPID == "$$" ]] || _tsd_die "call tsd_init (or tsd_install/tsd_boot) first, outside \$(...)"
        mkdir -p "$TSD_BASE" "$TSD_FIXTURES"
        _tsd_sweep
        TSD_DIR=$(mktemp -d "$TSD_BASE/$name.XXXXXX")
        TSD_UPPER=$TSD_DIR/upper
        mkdir "$TSD_UPPER" "$TSD_DIR/work" "$TSD_DIR/root"
        TSD_FIXDIR=$TSD_FIXTURES/tests/${TSD_DIR##*/}
        mkdir -p "$TSD_FIXDIR"
        echo $$ >"$TSD_DIR/owner"
        : >"$TSD_DIR/binds"
        trap tsd_cleanup EXIT
        trap 'exit 130' INT
        trap 'exit 143' TERM
        tsd_bind "$TSD_FIXTURES" "$TSD_FIXTURES"
}

# tsd_mkrootfs NAME [--probe]: makes a busybox root (tests/lib/mkrootfs.sh) named NAME
# in this test's fixture dir (a real filesystem, same path inside and outside) and
# prints its path. --probe copies the static probe ($NSC_PROBE, lib.sh) to /probe.
tsd_mkrootfs() {
        local name=$1 args=()
        tsd_init
        if [[ ${2:-} == --probe ]]; then
                [[ -x $NSC_PROBE ]] || _tsd_die "probe not built: $NSC_PROBE"
                args=(--probe "$NSC_PROBE")
        fi
        TSD_FIXTURES=$TSD_FIXTURES "$TSD_LIBDIR/mkrootfs.sh" "${args[@]}" "$TSD_FIXDIR/$name" >&2 ||
                _tsd_die "mkrootfs $name failed"
        echo "$TSD_FIXDIR/$name"
}

# Bind-mounts host directory SRC at DST inside the test systemd (before tsd_boot).
tsd_bind() {
        local src=$1 dst=${2:-$1}
        tsd_init
        [[ -z $TSD_PID ]] || _tsd_die "tsd_bind must come before tsd_boot"
        [[ -d $src ]] || _tsd_die "tsd_bind: $src is not a directory"
        [[ $src != *:* && $dst != *:* ]] || _tsd_die "tsd_bind: ':' in a path"
        echo "$src:$dst" >>"$TSD_DIR/binds"
}

# The path where the test system's "/" is reachable from the host: the live root once
# booted, the overlay's upper dir before.
tsd_root() {
        tsd_init
        if [[ -n $TSD_PID ]]; then
                echo "/proc/$TSD_PID/root"
        else
                echo "$TSD_UPPER"
        fi
}

# meson < 1.3 joins several pkgconfig_define pairs into one bogus value, which shows up
# as files under "usr=rootprefix=/usr=prefix=/usr/lib/...": a build bug. Move such files
# where the value after the last "=" says, so the tests can go on, and record it in
# $TSD_DIR/install-fixups (test-harness fails on it; everyone else gets a warning).
_tsd_install_fixup() {
        local root=$1 f rel dst
        for f in "$root"/*=*; do
                [[ -e $f ]] || continue
                while IFS= read -r -d '' rel; do
                        rel=${rel#"$root"/}
                        dst=${rel##*=}
                        [[ $dst == /* ]] || dst=/$dst
                        mkdir -p "$root$(dirname "$dst")"
                        mv -f "$root/$rel" "$root$dst"
                        echo "/$rel -> $dst" >>"$TSD_DIR/install-fixups"
                done < <(find "$f" \( -type f -o -type l \) -print0)
                rm -rf "$f"
        done
        if [[ -s $TSD_DIR/install-fixups ]]; then
                echo "tsd: WARNING: meson install used broken directories (pkgconfig_define in meson.build); moved:" >&2
                sed 's/^/tsd:     /' "$TSD_DIR/install-fixups" >&2
        fi
}

# Installs a meson build (default $NSC_BUILD_DIR) into the test system: before tsd_boot
# into the overlay's upper dir, after it into the running system's root (as
# "meson install" on a live machine: nothing runs tmpfiles or reloads anything).
tsd_install() {
        local build=${1:-${NSC_BUILD_DIR:-}} d log prefix root
        [[ -n $build ]] || _tsd_die "tsd_install: no build dir (NSC_BUILD_DIR unset)"
        tsd_init
        root=$(tsd_root)
        log=$TSD_DIR/install.log
        # D-Bus reads policies only from /usr/share and /etc: a /usr/local build would
        # install but not work.
        prefix=$(python3 -c 'import json, sys
print(next(o["value"] for o in json.load(open(sys.argv[1])) if o["name"] == "prefix"))' \
                "$build/meson-info/intro-buildoptions.json") || _tsd_die "$build is not a meson build dir"
        [[ $prefix == /usr ]] || _tsd_die "$build is configured with prefix $prefix; integration tests need --prefix=/usr"
        if ! DESTDIR=$root meson install -C "$build" --no-rebuild --quiet >"$log" 2>&1; then
                cat "$log" >&2
                _tsd_die "meson install into the test system failed"
        fi
        _tsd_install_fixup "$root"
        # A real directory here would hide the host's /lib -> usr/lib (merged /usr)
        # symlink inside the overlay and break every binary.
        for d in bin sbin lib lib32 lib64 libx32; do
                if [[ -e $root/$d && ! -L $root/$d ]]; then
                        _tsd_die "meson install created /$d instead of /usr/$d (wrong prefix?)"
                fi
        done
}

# Writes CONTENT (or stdin when no CONTENT is given) to FILE inside the test system.
tsd_write() {
        local file=$1 root
        root=$(tsd_root)
        mkdir -p "$root$(dirname "$file")"
        if (($# > 1)); then
                printf '%s\n' "$2" >"$root$file"
        else
                cat >"$root$file"
        fi
}

# Copies host path SRC to DST inside the test system.
tsd_cp_in() {
        local src=$1 dst=$2 root
        root=$(tsd_root)
        mkdir -p "$root$(dirname "$dst")"
        cp -a "$src" "$root$dst"
}

# The masks and settings of _tsd_etc_build, made once per content and copied into each
# test's overlay with one cp: forks are slow on a loaded machine.
_tsd_etc_build() {
        local etc=$1/etc u g
        mkdir -p "$etc/systemd/system" "$etc/systemd/system-generators" \
                "$etc/systemd/journald.conf.d"
        for u in "${TSD_MASK_UNITS[@]}"; do
                ln -sfn /dev/null "$etc/systemd/system/$u"
        done
        for g in "${TSD_MASK_GENERATORS[@]}"; do
                ln -sfn /dev/null "$etc/systemd/system-generators/$g"
        done
        ln -sfn /lib/systemd/system/multi-user.target "$etc/systemd/system/default.target"
        # As Debian's systemd-container enables it: containers with "autostart" hang
        # off machines.target.
        mkdir -p "$etc/systemd/system/multi-user.target.wants"
        ln -sfn /lib/systemd/system/machines.target \
                "$etc/systemd/system/multi-user.target.wants/machines.target"
        # The journal stays in /run (nothing written to the overlay) and keeps every line.
        cat >"$etc/systemd/journald.conf.d/50-tsd.conf" <<-EOF2
	[Journal]
	Storage=volatile
	RateLimitBurst=0
	EOF2
}

_tsd_prepare() {
        local key template tmp
        key=$(printf '%s\n' "${TSD_MASK_UNITS[@]}" "${TSD_MASK_GENERATORS[@]}" "$(declare -f _tsd_etc_build)" | cksum)
        template=$TSD_BASE/.etc-${key// /-}
        if [[ ! -d $template ]]; then
                tmp=$(mktemp -d "$TSD_BASE/.etc-build.XXXXXX")
                _tsd_etc_build "$tmp"
                # Copied onto the upper dir's root: it becomes the mode of "/" inside.
                chmod 0755 "$tmp"
                mv -T "$tmp" "$template" 2>/dev/null || rm -rf "$tmp"
        fi
        cp -a "$template/." "$TSD_UPPER/"
        echo "tsd-${TSD_DIR##*.}" >"$TSD_UPPER/etc/hostname"
        if build_sanitized; then
                _tsd_sanitizer_env
        fi
}

# The sanitizer options of tests/run-sanitized for every service of the test system
# (the helper, the sidecar): systemd starts them with its own environment, where UBSan
# would print a report and go on. tsd_cleanup fails the test on any report in the journal.
TSD_ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
TSD_UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
_tsd_sanitizer_env() {
        mkdir -p "$TSD_UPPER/etc/systemd/system.conf.d"
        printf '[Manager]\nDefaultEnvironment="ASAN_OPTIONS=%s" "UBSAN_OPTIONS=%s"\n' \
                "$TSD_ASAN_OPTIONS" "$TSD_UBSAN_OPTIONS" >"$TSD_UPPER/etc/systemd/system.conf.d/50-tsd-sanitize.conf"
}

# Prints the sanitizer reports in the test system's journal (none: nothing, status 1).
# Kernel-transport lines are left out: /dev/kmsg is shared with the host and other tests.
_tsd_sanitizer_reports() {
        tsd_run journalctl --sync >/dev/null 2>&1 || true
        tsd_run journalctl --no-pager -o short-monotonic _TRANSPORT=journal _TRANSPORT=stdout \
                _TRANSPORT=syslog 2>/dev/null |
                grep -E -A 30 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]+Sanitizer'
}

# Boots the test systemd. Sets TSD_PID (its pid on the host) and TSD_BOOT_SECONDS, and
# returns once "systemctl is-system-running --wait" says running or degraded.
tsd_boot() {
        local start end state children i
        tsd_init
        [[ -z $TSD_PID ]] || _tsd_die "already booted"
        _tsd_prepare
        TSD_CGROUP=$(_tsd_cgroup2_root)/nscontain-test-${TSD_DIR##*/}
        mkdir "$TSD_CGROUP"
        echo "$TSD_CGROUP" >"$TSD_DIR/cgroup"

        start=$(date +%s%N)
        # The subshell moves itself into the test's cgroup first, so the new cgroup
        # namespace (and the cgroup2 mount systemd sees) is rooted there.
        (
                echo "$BASHPID" >"$TSD_CGROUP/cgroup.procs"
                exec unshare --pid --fork --kill-child --mount --uts --ipc --cgroup --net \
                        --propagation private "$TSD_LIBDIR/tsd-pid1.sh" "$TSD_DIR" "$TSD_SYSTEM_ROOT"
        ) </dev/null >"$TSD_DIR/console.log" 2>&1 &
        TSD_UNSHARE_PID=$!
        # Not a job of ours: bash would otherwise report "Killed" at cleanup.
        disown "$TSD_UNSHARE_PID"

        for i in $(seq 500); do
                children=$(cat "/proc/$TSD_UNSHARE_PID/task/$TSD_UNSHARE_PID/children" 2>/dev/null) || true
                if [[ -n $children && $(cat "/proc/${children%% *}/comm" 2>/dev/null) == systemd ]]; then
                        TSD_PID=${children%% *}
                        break
                fi
                kill -0 "$TSD_UNSHARE_PID" 2>/dev/null || break
                sleep 0.01
        done
        if [[ -z $TSD_PID ]]; then
                cat "$TSD_DIR/console.log" >&2
                _tsd_die "the test systemd did not start"
        fi
        echo "$TSD_PID" >"$TSD_DIR/pid"

        # systemctl calls a system "offline" until PID 1 has made its private socket.
        for i in $(seq $((TSD_BOOT_TIMEOUT * 100))); do
                [[ -S /proc/$TSD_PID/root/run/systemd/private ]] && break
                kill -0 "$TSD_PID" 2>/dev/null || break
                sleep 0.01
        done

        state=$(timeout "$TSD_BOOT_TIMEOUT" nsenter -t "$TSD_PID" -a \
                systemctl is-system-running --wait 2>&1) || true
        end=$(date +%s%N)
        TSD_BOOT_SECONDS=$(printf '%d.%02d' $(((end - start) / 1000000000)) $(((end - start) / 10000000 % 100)))
        case $state in
        running | degraded)
                echo "tsd: booted ($state) in ${TSD_BOOT_SECONDS}s, pid $TSD_PID, dir $TSD_DIR" >&2
                ;;
        *)
                echo "tsd: boot failed, state '$state'; console:" >&2
                tail -n 50 "$TSD_DIR/console.log" >&2
                _tsd_die "the test systemd did not reach running or degraded"
                ;;
        esac
}

# Runs CMD inside the test systemd's namespaces, in a clean environment.
tsd_run() {
        [[ -n $TSD_PID ]] || _tsd_die "tsd_run before tsd_boot"
        # Run from the test's cgroup (the root of its cgroup namespace), not the host's:
        # then /proc/self/cgroup reads "0::/" inside as for any process systemd did not start.
        (
                echo "$BASHPID" >"$TSD_CGROUP/cgroup.procs" 2>/dev/null || true
                exec nsenter -t "$TSD_PID" -a env -i \
                        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
                        LANG=C.UTF-8 SYSTEMD_PAGER= SYSTEMD_COLORS=0 \
                        ${ASAN_OPTIONS+"ASAN_OPTIONS=$ASAN_OPTIONS"} ${UBSAN_OPTIONS+"UBSAN_OPTIONS=$UBSAN_OPTIONS"} "$@"
        )
}

# The journal lines of UNIT (message text only), after making journald write out.
tsd_journal() {
        local unit=$1
        shift
        tsd_run journalctl --sync >/dev/null 2>&1 || true
        tsd_run journalctl --no-pager -o cat -u "$unit" "$@"
}

# tsd_assert_journal UNIT TEXT [WHAT]: the journal of UNIT has TEXT, within 5 s. A
# program that fails fast exits before journald has read its last lines from its stream
# (the helper logs on a stream of its own), and "journalctl --sync" does not wait for those.
_tsd_journal_has() {
        [[ $(tsd_journal "$1") == *"$2"* ]]
}
tsd_assert_journal() {
        retry 5 _tsd_journal_has "$1" "$2" || true
        assert_contains "$(tsd_journal "$1")" "$2" "${3:-journal of $1}"
}

# tsd_status UNIT [LINES]: "systemctl status" of UNIT with its last LINES (default 30)
# log lines, after making journald write out; for failure messages, so it never fails.
tsd_status() {
        tsd_run journalctl --sync >/dev/null 2>&1 || true
        tsd_run systemctl status --no-pager -l -n "${2:-30}" "$1" 2>&1 || true
}

# tsd_assert_status UNIT TEXT [WHAT]: "systemctl status UNIT" shows TEXT, within 5 s. A
# helper that fails fast exits before journald has read its last line from the stream,
# and systemd logs the failure on another socket: for a moment status may show only that.
_tsd_status_has() {
        [[ $(tsd_status "$1") == *"$2"* ]]
}
tsd_assert_status() {
        retry 5 _tsd_status_has "$1" "$2" || true
        assert_contains "$(tsd_status "$1")" "$2" "${3:-status of $1}"
}

# tsd_start_container NAME JSON: writes /etc/nscontain.d/NAME.json, reloads and starts
# container@NAME.service; returns the start's status.
tsd_start_container() {
        tsd_write "/etc/nscontain.d/$1.json" "$2"
        tsd_run systemctl daemon-reload
        tsd_run systemctl start "container@$1.service"
}

# The PID 1 of the running container NAME, as machined knows it.
tsd_leader() {
        tsd_run machinectl show --property=Leader --value "$1"
}

# tsd_in_container NAME CMD...: CMD in every namespace of the running container NAME.
tsd_in_container() {
        local n=$1
        shift
        tsd_run nsenter -t "$(tsd_leader "$n")" -a "$@"
}

# Waits until "systemctl is-active UNIT" prints STATE (default active), up to SECS.
tsd_wait_state() {
        local unit=$1 want=${2:-active} secs=${3:-20} i state
        for i in $(seq $((secs * 20))); do
                state=$(tsd_run systemctl is-active "$unit" 2>/dev/null) || true
                [[ $state == "$want" ]] && return 0
                sleep 0.05
        done
        echo "tsd: $unit is '$state', expected '$want' after ${secs}s" >&2
        return 1
}

# Kills the test systemd and everything it started, removes its dir. The EXIT trap.
tsd_cleanup() {
        local rc=$? i
        trap - EXIT INT TERM
        # Only the shell that made the test system tears it down (not a subshell that
        # happened to inherit the trap).
        if [[ -n $TSD_DIR && $(<"$TSD_DIR/owner") != "$BASHPID" ]]; then
                exit "$rc"
        fi
        # A report from a service fails only that service, and not always the test.
        if [[ -n $TSD_PID && $rc == 0 ]] && build_sanitized && _tsd_sanitizer_reports >"$TSD_DIR/sanitizer" 2>&1; then
                echo "FAIL ${0##*/}: sanitizer reports in the test system's journal:" >&2
                cat "$TSD_DIR/sanitizer" >&2
                rc=1
        fi
        if [[ -n $TSD_PID && $rc != 0 && $rc != 77 ]]; then
                echo "--- tsd: failed units and last journal lines of the test systemd ---" >&2
                tsd_run systemctl --failed --no-legend >&2 2>&1 || true
                # Without the host kernel's messages, which journald reads from /dev/kmsg.
                tsd_run journalctl --no-pager -n 60 _TRANSPORT=journal _TRANSPORT=stdout \
                        _TRANSPORT=syslog _TRANSPORT=driver >&2 2>&1 || true
        fi
        if [[ -n $TSD_PID ]]; then
                kill -KILL "$TSD_PID" 2>/dev/null || true
        fi
        _tsd_kill_cgroup "$TSD_CGROUP"
        if [[ -n $TSD_UNSHARE_PID ]]; then
                for i in $(seq 200); do
                        kill -0 "$TSD_UNSHARE_PID" 2>/dev/null || break
                        sleep 0.01
                done
        fi
        if [[ -n $TSD_DIR ]]; then
                if [[ -n ${TSD_KEEP:-} ]]; then
                        echo "tsd: kept $TSD_DIR" >&2
                else
                        rm -rf --one-file-system "$TSD_DIR" "$TSD_FIXDIR"
                fi
        fi
        TSD_PID= TSD_DIR= TSD_FIXDIR= TSD_CGROUP= TSD_UNSHARE_PID=
        exit "$rc"
}
