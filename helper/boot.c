/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* "boot": true — the container-manager side of systemd's container interface. See
 * boot.h for the list; the comments here say why each piece is done the way it is.
 *
 * Two fds travel between parent and child over a channel of our own (a socketpair made
 * before clone3(), so the sync protocol of spawn.c stays as it is):
 *   parent → child: a detached mount of the host's os-release, cloned with host
 *     privileges (the child, root of its user namespace only, may not
 *     even walk /run/nscontain, which is 0700);
 *   child → parent: the master of the pty that the child allocated from the container's
 *     own devpts and mounted as /dev/console.
 * Both are CLOEXEC: nothing of it survives the exec of /sbin/init. */

#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include "libsystemd.h"
#include "notify.h"
#include <unistd.h>

#include "boot.h"
#include "fileio.h"
#include "log.h"
#include "spawn.h"
#include "fs-util.h"
#include "mount-api.h"
#include "strv.h"
#include "sync.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

#define BOOT_INIT        "/sbin/init"
#define BOOT_MANAGER     "nscontain"
#define BOOT_STATE_DIR   "/var/lib/nscontain/boot"
#define BOOT_CGROUP_ROOT "/sys/fs/cgroup"
#define BOOT_UUID_MAX    64

/* Capabilities a full system needs inside its user namespace, on top of the default set
 * of nscontain.json(5) ("capabilities"); systemd-nspawn's default set for a booted
 * container, less what is meaningless in a user namespace (CAP_AUDIT_CONTROL, the MAC
 * and module ones). They act on what the user namespace owns (its mount, UTS, IPC, net
 * and pid namespaces, the payload/ cgroup, files of mapped ids), never on the host:
 * this is why boot needs a user namespace. CAP_SYS_BOOT lets the inner systemd
 * reboot(2) its pid namespace, which is how it powers off and restarts. CAP_NET_ADMIN
 * only with a private netns. */
#define BOOT_CAPS                                                                              \
        ((1ULL << CAP_AUDIT_WRITE) | (1ULL << CAP_DAC_READ_SEARCH) | (1ULL << CAP_IPC_OWNER) | \
         (1ULL << CAP_LEASE) | (1ULL << CAP_LINUX_IMMUTABLE) | (1ULL << CAP_MKNOD) |           \
         (1ULL << CAP_NET_BROADCAST) | (1ULL << CAP_NET_RAW) | (1ULL << CAP_SYS_ADMIN) |       \
         (1ULL << CAP_SYS_BOOT) | (1ULL << CAP_SYS_NICE) | (1ULL << CAP_SYS_PTRACE) |          \
         (1ULL << CAP_SYS_RESOURCE) | (1ULL << CAP_SYS_TTY_CONFIG))

/* The strategy object of a booting container: its state, from boot_strategy_new() to
 * the helper's exit. The child has its own copy (clone3 copies the memory). */
typedef struct Boot {
        Strategy strategy; /* first: a Strategy * is a Boot * */
        char name[CONFIG_NAME_MAX + 1];
        char uuid[SD_ID128_UUID_STRING_MAX];
        char uuid_line[SD_ID128_UUID_STRING_MAX + 1]; /* child: /run/host/container-uuid */
        uid_t uid_base;
        bool new_netns;
        pid_t pid;

        int payload_cgroup_fd; /* parent: clone3(CLONE_INTO_CGROUP) */
        int channel[2];        /* [0] parent's end, [1] child's end */
        int console_fd;        /* parent: the pty master */
        int console_peer_fd;   /* parent: a slave kept open, so the master never hangs up */
        unsigned filter_state; /* escape-sequence filter across reads of the console */
} Boot;

static Boot *boot_of(Strategy *s) {
        return (Boot *)s;
}

/* ---- shared -------------------------------------------------------------------------- */

/* Receives the one message of this type the other side sends over the channel, with
 * exactly n fds. */
static int channel_receive(int fd, int flags, uint32_t type, int *ret_fds, size_t n) {
        SyncMessage m;
        int r;

        r = sync_receive(fd, flags, &m, ret_fds, n);
        if (r == 0)
                return -EPIPE;
        if (r < 0)
                return r;
        if (m.type != type || m.n_fds != n) {
                for (size_t i = 0; i < m.n_fds; i++)
                        safe_close(ret_fds[i]);
                return -EBADMSG;
        }
        return 0;
}

/* ---- parent side: the config ---------------------------------------------------------- */

/* The command is /sbin/init; a "command" given with boot holds its arguments (as the
 * arguments after systemd-nspawn -b). */
static int boot_command(Config *config) {
        _cleanup_strv_free_ char **argv = NULL;

        if (strv_extend(&argv, BOOT_INIT) < 0)
                return -ENOMEM;
        STRV_FOREACH (a, config->command)
                if (strv_extend(&argv, *a) < 0)
                        return -ENOMEM;
        strv_free(config->command);
        config->command = TAKE_PTR(argv);
        return 0;
}

int boot_container_uuid(const char *name, sd_id128_t *ret) {
        _cleanup_free_ char *text = NULL, *file = NULL;
        _cleanup_close_ int dir_fd = -EBADF;
        char s[SD_ID128_UUID_STRING_MAX + 1];
        sd_id128_t id;
        int r;

        assert(name && ret);

        r = libsystemd_load();
        if (r < 0)
                return r;

        /* The id machined registers the container with (main.c), so that the inner
         * machine id (systemd takes $container_uuid when /etc/machine-id is empty) and
         * machined's agree. Without a host machine id, a random one kept per NAME. */
        if (machine_id_for(name, &id) >= 0 && !sd_id128_is_null(id)) {
                *ret = id;
                return 0;
        }

        if (asprintf(&file, "%s.uuid", name) < 0)
                return -ENOMEM;
        r = mkdir_p_at(AT_FDCWD, BOOT_STATE_DIR, 0755, &dir_fd);
        if (r < 0)
                return r;

        r = read_full_file_at(dir_fd, file, BOOT_UUID_MAX, &text, NULL);
        if (r >= 0) {
                text[strcspn(text, "\n")] = 0;
                r = sym_sd_id128_from_string(text, &id);
                if (r >= 0 && !sd_id128_is_null(id)) {
                        *ret = id;
                        return 0;
                }
                /* A damaged record is replaced, not trusted. */
        } else if (r != -ENOENT)
                return r;

        r = sym_sd_id128_randomize(&id);
        if (r < 0)
                return r;
        snprintf(s, sizeof(s), "%s\n", sym_sd_id128_to_uuid_string(id, (char[SD_ID128_UUID_STRING_MAX]){}));
        r = write_file_atomic_at(dir_fd, file, s, strlen(s), 0644, /* durable= */ true);
        if (r < 0)
                return r;
        *ret = id;
        return 0;
}

static bool user_is_root(const char *user) {
        return !user || streq(user, "0") || streq(user, "root") || streq(user, "0:0") ||
               streq(user, "root:root") || streq(user, "root:0") || streq(user, "0:root");
}

/* ---- parent side: the delegated cgroup ------------------------------------------------ */

/* Our cgroup, as "/machine.slice/container@web.service", from the unified hierarchy. */
static int cgroup_self(char **ret) {
        _cleanup_free_ char *text = NULL;
        char *line, *end;

        int r = read_full_file_at(AT_FDCWD, "/proc/self/cgroup", 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        for (line = text; line && *line; line = end ? end + 1 : NULL) {
                end = strchr(line, '\n');
                if (end)
                        *end = 0;
                if (strncmp(line, "0::", 3) == 0) {
                        char *p = strdup(line + 3);
                        if (!p)
                                return -ENOMEM;
                        *ret = p;
                        return 0;
                }
        }
        return -ENOMEDIUM;
}

/* systemd marks a cgroup it delegated (Delegate=yes) with this xattr; the unit's own
 * cgroup name is accepted too, for a manager that does not set it. Creating cgroups
 * anywhere else would be writing into a tree someone else manages. */
static bool cgroup_is_delegated(int fd, const char *path, const char *name) {
        _cleanup_free_ char *unit = NULL;
        const char *base = strrchr(path, '/');
        char v[8] = "";

        if (fgetxattr(fd, "trusted.delegate", v, sizeof(v) - 1) > 0 && v[0] == '1')
                return true;
        if (fgetxattr(fd, "user.delegate", v, sizeof(v) - 1) > 0 && v[0] == '1')
                return true;
        if (asprintf(&unit, "container@%s.service", name) < 0)
                return false;
        return base && streq(base + 1, unit);
}

/* The files of a cgroup that its delegatee may write: the kernel's list where it has
 * one (/sys/kernel/cgroup/delegate), the classic three otherwise. */
static int cgroup_chown_delegated(int cg_fd, uid_t uid, gid_t gid) {
        static const char *const fallback = "cgroup.procs\ncgroup.threads\ncgroup.subtree_control\n";
        _cleanup_free_ char *text = NULL;
        const char *list = fallback;
        char *save = NULL;

        if (fchownat(cg_fd, "", uid, gid, AT_EMPTY_PATH) < 0)
                return negative_errno();
        if (read_full_file_at(AT_FDCWD, "/sys/kernel/cgroup/delegate", 4096, &text, NULL) >= 0)
                list = text;
        _cleanup_free_ char *copy = strdup(list);
        if (!copy)
                return -ENOMEM;
        for (char *f = strtok_r(copy, "\n", &save); f; f = strtok_r(NULL, "\n", &save))
                if (fchownat(cg_fd, f, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 && errno != ENOENT)
                        return negative_errno();
        return 0;
}

/* Hands what our cgroup has on to payload/, for the inner systemd to use. A controller
 * the kernel will not enable (e.g. threaded-only) is skipped: the container boots
 * without it, as on a host where it is missing. */
static void cgroup_enable_controllers(Boot *b, int unit_fd) {
        _cleanup_free_ char *text = NULL;
        char *save = NULL;

        if (read_full_file_at(unit_fd, "cgroup.controllers", 4096, &text, NULL) < 0)
                return;
        for (char *c = strtok_r(text, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
                char s[64];
                int r;

                snprintf(s, sizeof(s), "+%s", c);
                r = write_string_file_at(unit_fd, "cgroup.subtree_control", s);
                if (r < 0)
                        log_debug_errno(r, "%s: Failed to enable the %s controller for the container: %m",
                                        b->name, c);
        }
}

static int boot_cgroup_setup(Boot *b) {
        _cleanup_free_ char *self = NULL, *path = NULL;
        _cleanup_close_ int root_fd = -EBADF, unit_fd = -EBADF, sup_fd = -EBADF, payload_fd = -EBADF;
        int r;

        root_fd = open(BOOT_CGROUP_ROOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return log_error_errno(errno, "%s: Failed to open %s: %m", b->name, BOOT_CGROUP_ROOT);
        r = fd_is_fs_type(root_fd, CGROUP2_SUPER_MAGIC);
        if (r <= 0)
                return log_error_errno(r < 0 ? r : -EOPNOTSUPP,
                                       "%s: \"boot\" needs the unified cgroup hierarchy (cgroup2) on %s",
                                       b->name, BOOT_CGROUP_ROOT);

        r = cgroup_self(&self);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to find the helper's cgroup: %m", b->name);
        if (streq(self, "/"))
                return log_error_errno(
                        -EPERM,
                        "%s: \"boot\" needs a delegated cgroup; run it as container@%s.service "
                        "(Delegate=yes), not in the root cgroup",
                        b->name, b->name);
        if (asprintf(&path, ".%s", self) < 0)
                return log_oom();
        unit_fd = openat(root_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (unit_fd < 0)
                return log_error_errno(errno, "%s: Failed to open the cgroup %s: %m", b->name, self);
        if (!cgroup_is_delegated(unit_fd, self, b->name))
                return log_error_errno(-EPERM,
                                       "%s: \"boot\" needs a delegated cgroup, and %s is not one; run it as "
                                       "container@%s.service or with systemd-run -p Delegate=yes",
                                       b->name, self, b->name);

        /* The helper leaves the unit's cgroup for supervisor/, so that the unit's cgroup
         * holds no process and may pass controllers down ("no internal processes"). */
        if (mkdirat(unit_fd, "supervisor", 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "%s: Failed to create the cgroup %s/supervisor: %m", b->name,
                                       self);
        if (mkdirat(unit_fd, "payload", 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "%s: Failed to create the cgroup %s/payload: %m", b->name,
                                       self);
        sup_fd = openat(unit_fd, "supervisor", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        payload_fd = openat(unit_fd, "payload", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sup_fd < 0 || payload_fd < 0)
                return log_error_errno(errno, "%s: Failed to open the cgroups below %s: %m", b->name, self);

        r = write_string_file_at(sup_fd, "cgroup.procs", "0");
        if (r < 0)
                return log_error_errno(r, "%s: Failed to move the helper to %s/supervisor: %m", b->name,
                                       self);

        cgroup_enable_controllers(b, unit_fd);

        /* As systemd-nspawn does: the container's root (host uid BASE) owns payload/ and
         * the files a delegatee writes, so the inner systemd manages its subtree, and
         * nothing above it (its cgroup namespace shows nothing above either). */
        r = cgroup_chown_delegated(payload_fd, b->uid_base, (gid_t)b->uid_base);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to hand %s/payload to the container's root: %m",
                                       b->name, self);

        b->payload_cgroup_fd = TAKE_FD(payload_fd);
        return 0;
}

static void boot_clone_args(Strategy *s, struct clone_args *args) {
        Boot *b = boot_of(s);

        if (b->payload_cgroup_fd < 0)
                return;
        /* Cloned straight into payload/: with CLONE_NEWCGROUP in the same call the new
         * cgroup namespace is rooted there, and the child never runs anywhere else. */
        args->flags |= CLONE_INTO_CGROUP;
        args->cgroup = (uint64_t)b->payload_cgroup_fd;
}

/* ---- parent side: host files ---------------------------------------------------------- */

/* A detached, read-only mount of the host's os-release, for the child to attach below
 * /run/host (the notify socket comes from the relay, notify.c). */
static int boot_send_host_files(Boot *b) {
        static const char *const os_release[] = {"/etc/os-release", "/usr/lib/os-release"};
        _cleanup_close_ int os_tree = -EBADF;
        int r = -ENOENT;

        for (size_t i = 0; i < ELEMENTSOF(os_release) && os_tree < 0; i++)
                r = tree_clone(AT_FDCWD, os_release[i], 0, &os_tree);
        if (r >= 0)
                r = tree_make_private(os_tree); /* a peer of the host's shared "/" otherwise */
        if (r < 0)
                return log_error_errno(r, "%s: Failed to clone the host's os-release: %m", b->name);
        r = tree_set_attr(os_tree, MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY, 0, /* recursive= */ false, -EBADF);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to make the host's os-release read-only: %m", b->name);
        r = sync_send(b->channel[0], &(SyncMessage){.type = SYNC_HOST_FILES}, &os_tree, 1);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to pass /run/host to the container: %m", b->name);
        return 0;
}

/* ---- child side ----------------------------------------------------------------------- */

static int boot_child_mount_extras(Strategy *s, MountExtras *x, Failure *f) {
        Boot *b = boot_of(s);
        int fd = -EBADF;
        int r;

        /* The parent sent it before clone3(): it is waiting. */
        r = channel_receive(b->channel[1], 0, SYNC_HOST_FILES, &fd, 1);
        if (r < 0)
                return failf(f, r, "Failed to receive /run/host from the helper");
        x->tree_fd[MOUNT_DATA_OS_RELEASE] = fd;
        snprintf(b->uuid_line, sizeof(b->uuid_line), "%s\n", b->uuid);
        x->text[MOUNT_DATA_CONTAINER_UUID] = b->uuid_line;
        return 0;
}

static int boot_child_mounted(Strategy *s, MountExtras *x, Failure *f) {
        Boot *b = boot_of(s);
        int r;
        if (x->console_fd < 0)
                return failf(f, EBADF, "Failed to pass the console to the helper: there is none");
        r = sync_send(b->channel[1], &(SyncMessage){.type = SYNC_CONSOLE}, &x->console_fd, 1);
        if (r < 0)
                return failf(f, r, "Failed to pass the console to the helper");
        return 0;
}

/* ---- supervisor ----------------------------------------------------------------------- */

static bool boot_supervise_start(Strategy *s, pid_t pid) {
        Boot *b = boot_of(s);
        int fd = -EBADF, r;
        b->pid = pid;
        b->payload_cgroup_fd = safe_close(b->payload_cgroup_fd);
        b->channel[1] = safe_close(b->channel[1]);

        /* The child sent the console before its exec, which the caller has seen. */
        r = channel_receive(b->channel[0], MSG_DONTWAIT, SYNC_CONSOLE, &fd, 1);
        b->channel[0] = safe_close(b->channel[0]);
        if (r < 0)
                log_warning_errno(r,
                                  "%s: Failed to receive the console from the container, its boot "
                                  "messages will not be shown: %m",
                                  b->name);
        else {
                b->console_fd = fd;
                if (fcntl(fd, F_SETFL, O_NONBLOCK) < 0)
                        log_debug_errno(errno, "%s: Failed to make the console non-blocking: %m", b->name);
                /* While no process holds the slave open (systemd closes and reopens
                 * /dev/console), the master would poll as hung up, and we would spin. */
                b->console_peer_fd = ioctl(fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
                if (b->console_peer_fd < 0)
                        log_debug_errno(errno, "%s: Failed to open the console's peer: %m", b->name);
        }

        (void)notify_sendf("STATUS=Booting container %s, PID %i", b->name, (int)pid);
        return true;
}

static void boot_poll_fds(Strategy *s, int ret_fds[STRATEGY_FDS_MAX]) {
        Boot *b = boot_of(s);

        ret_fds[0] = b->console_fd;
}

/* Keeps the console's text readable in the journal: drops carriage returns, other
 * control characters and terminal escape sequences (colours, cursor movement). */
static size_t console_filter(Boot *b, char *buf, size_t n) {
        enum { TEXT, ESC, CSI, OSC, OSC_ESC };
        size_t k = 0;

        for (size_t i = 0; i < n; i++) {
                unsigned char ch = (unsigned char)buf[i];

                switch (b->filter_state) {
                case TEXT:
                        if (ch == 0x1b)
                                b->filter_state = ESC;
                        else if (ch == '\n' || ch == '\t' || ch >= 0x20)
                                buf[k++] = (char)ch;
                        break;
                case ESC:
                        b->filter_state = ch == '[' ? CSI : ch == ']' ? OSC : TEXT;
                        break;
                case CSI:
                        if (ch >= 0x40 && ch <= 0x7e)
                                b->filter_state = TEXT;
                        break;
                case OSC:
                        if (ch == 0x07)
                                b->filter_state = TEXT;
                        else if (ch == 0x1b)
                                b->filter_state = OSC_ESC;
                        break;
                case OSC_ESC:
                        b->filter_state = ch == '\\' ? TEXT : OSC;
                        break;
                }
        }
        return k;
}

static void console_relay(Boot *b) {
        char buf[4096];

        /* Bounded, so a chatty console cannot starve the stop handling. */
        for (int i = 0; i < 64 && b->console_fd >= 0; i++) {
                ssize_t n = read(b->console_fd, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) {
                        /* EIO: every slave is gone; nothing more can come. */
                        b->console_fd = safe_close(b->console_fd);
                        return;
                }
                size_t k = console_filter(b, buf, (size_t)n);
                if (k > 0)
                        (void)loop_write(STDOUT_FILENO, buf, k);
        }
}

static void boot_dispatch(Strategy *s, const short revents[STRATEGY_FDS_MAX]) {
        Boot *b = boot_of(s);

        if (revents[0] && b->console_fd >= 0)
                console_relay(b);
}

static int boot_exit_code(Strategy *s, const siginfo_t *si, int code) {
        Boot *b = boot_of(s);

        console_relay(b);
        b->console_fd = safe_close(b->console_fd);
        b->console_peer_fd = safe_close(b->console_peer_fd);

        /* In a pid namespace the kernel turns reboot(2) by its init into the init's death
         * by SIGHUP (restart) or SIGINT (power-off, halt): systemd-nspawn's convention,
         * and container@.service restarts on 133 (RestartForceExitStatus=). */
        if (si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED) {
                if (si->si_status == SIGHUP) {
                        log_info("%s: The container rebooted.", b->name);
                        return 133;
                }
                if (si->si_status == SIGINT) {
                        log_info("%s: The container powered off.", b->name);
                        return 0;
                }
        }
        return code;
}

/* ---- the strategy ------------------------------------------------------------------- */

static Strategy *boot_free(Strategy *s) {
        Boot *b = boot_of(s);

        if (!b)
                return NULL;
        safe_close(b->payload_cgroup_fd);
        safe_close(b->channel[0]);
        safe_close(b->channel[1]);
        safe_close(b->console_fd);
        safe_close(b->console_peer_fd);
        free(b);
        return NULL;
}

static Strategy *boot_strategy_free(Boot *b) {
        return boot_free(b ? &b->strategy : NULL);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(Boot *, boot_strategy_free);

int boot_strategy_new(Container *c, Strategy **ret) {
        _cleanup_(boot_strategy_freep) Boot *b = NULL;
        Config *config = c->config;
        sd_id128_t id;
        int r;

        assert(config->boot && ret);

        b = calloc(1, sizeof(Boot));
        if (!b)
                return log_oom();
        b->strategy = (Strategy){
                /* "allow": boot.h, boot_strategy_new(). */
                .setgroups = "allow",
                .clone_args = boot_clone_args,
                .child_mount_extras = boot_child_mount_extras,
                .child_mounted = boot_child_mounted,
                .supervise_start = boot_supervise_start,
                .poll_fds = boot_poll_fds,
                .dispatch = boot_dispatch,
                .exit_code = boot_exit_code,
                .free = boot_free,
        };
        b->payload_cgroup_fd = b->console_fd = b->console_peer_fd = -EBADF;
        b->channel[0] = b->channel[1] = -EBADF;
        snprintf(b->name, sizeof(b->name), "%s", c->name);

        /* Checks the config layer cannot make alone: they are about what we grant. */
        if (!c->userns)
                return log_error_errno(-EPERM,
                                       "%s: \"boot\": true needs a user namespace: a booted system gets "
                                       "CAP_SYS_ADMIN and a writable cgroup, which without one are the "
                                       "host's; remove \"namespaces\": {\"user\": false}",
                                       c->name);
        if (!config->namespaces.cgroup)
                return log_error_errno(
                        -EPERM,
                        "%s: \"boot\": true needs a cgroup namespace (the inner systemd "
                        "manages its own cgroup tree); remove \"namespaces\": {\"cgroup\": false}",
                        c->name);
        if (!user_is_root(config->user))
                return log_error_errno(-EINVAL, "%s: \"user\" must be root with \"boot\": true (it is %s)",
                                       c->name, config->user);

        b->uid_base = c->uid_base;
        b->new_netns = config->namespaces.net && config->network.mode != NETWORK_HOST;

        r = boot_command(config);
        if (r < 0)
                return log_oom();

        r = boot_container_uuid(c->name, &id);
        if (r < 0)
                return log_error_errno(r, "%s: Failed to get the container's UUID from %s: %m", c->name,
                                       BOOT_STATE_DIR);
        sym_sd_id128_to_uuid_string(id, b->uuid);

        /* $container stays as configured (default "nscontain"); the rest is ours. TERM:
         * what systemd-nspawn gives a console without a terminal of its own. */
        if (strv_env_set(&config->env, "container", BOOT_MANAGER, false) < 0 ||
            strv_env_set(&config->env, "container_uuid", b->uuid, true) < 0 ||
            strv_env_set(&config->env, "TERM", "vt220", false) < 0)
                return log_oom();

        config->caps_add |= BOOT_CAPS | (b->new_netns ? 1ULL << CAP_NET_ADMIN : 0);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, b->channel) < 0)
                return log_error_errno(errno, "%s: Failed to create a socket pair: %m", c->name);

        r = boot_send_host_files(b);
        if (r < 0)
                return r;
        r = boot_cgroup_setup(b);
        if (r < 0)
                return r;

        (void)notify_sendf("STATUS=Booting container %s", c->name);
        *ret = &TAKE_PTR(b)->strategy;
        return 0;
}
