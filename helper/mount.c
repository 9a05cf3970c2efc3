/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The container's root filesystem, child side (nscontain-helper(8); docs/SECURITY.md rows
 * 3, 4, 5, 9, 11, 13; docs/ARCHITECTURE.md "Mounts").
 *
 * In the new user + mount namespace: propagation private first, the root tree the
 * parent cloned (mount-trees.c) is attached, then everything the container gets besides
 * its image comes from two tables, mount_table[] (the API filesystems /proc, /sys,
 * /dev and their contents; with "boot" also /run, /tmp, /run/host and the console)
 * before the config's own "mounts" (mount-user.c), and mask_table[] (masked and
 * read-only paths) after them, so that no bind can uncover what is masked. Each row
 * says which mode it belongs to (boot, user namespace, private namespaces): a mode adds
 * rows, never code paths. Every target is opened by fd below a directory fd, never by a
 * path built from the rootfs path and a path the image controls, and mounted onto that
 * fd with move_mount(): a symlink in the image cannot redirect a mount to the host. */

#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "failpoint.h"
#include "fileio.h"
#include "fs-util.h"
#include "helper.h"
#include "mount-api.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* Which containers a row is for: a row applies when the container has every mode in
 * its .needs and none in its .unless. */
typedef enum MountMode {
        MODE_BOOT = 1 << 0,     /* "boot": true */
        MODE_USERNS = 1 << 1,   /* a user namespace */
        MODE_PIDNS = 1 << 2,    /* a pid namespace of its own */
        MODE_NETNS = 1 << 3,    /* a network namespace of its own */
        MODE_CGROUPNS = 1 << 4, /* a cgroup namespace of its own */
        MODE_TTY_GID = 1 << 5,  /* gid 5 ("tty") is mapped: devpts may use it */
        MODE_NOTIFY = 1 << 6,   /* "notify" or "boot": the relay's socket at /run/host/notify */
        MODE_CREDS = 1 << 7,    /* "credentials" */
} MountMode;

/* The directories rows are relative to, each the fd of a mount a row made (or the root). */
typedef enum MountDir {
        DIR_ROOT,
        DIR_PROC,
        DIR_SYS,
        DIR_DEV,
        DIR_RUN,
        DIR_RUN_HOST,
        _DIR_MAX,
} MountDir;

static const char *const dir_path[_DIR_MAX] = {
        [DIR_ROOT] = "",    [DIR_PROC] = "/proc", [DIR_SYS] = "/sys",
        [DIR_DEV] = "/dev", [DIR_RUN] = "/run",   [DIR_RUN_HOST] = "/run/host",
};

typedef enum MountKind {
        MOUNT_API,         /* a fresh filesystem on a directory right below the root, never a symlink */
        MOUNT_FS,          /* a fresh filesystem on a directory below .dir */
        MOUNT_DIR,         /* no mount: the image's directory (MOUNT_IN_ROOT, created when missing) */
        MOUNT_DEV_MKNOD,   /* a device node of our own */
        MOUNT_DEV_BIND,    /* a read-only bind of the host's device node, checked */
        MOUNT_SYMLINK,     /* a symlink to .text */
        MOUNT_FILE,        /* a new read-only file holding .text, or the strategy's text .data */
        MOUNT_TREE,        /* the strategy's tree .data bound onto a new empty file */
        MOUNT_SEAL,        /* the mount of .dir made read-only (not recursively) */
        MOUNT_CONSOLE,     /* a pty of the container's devpts bound on /dev/console */
        MOUNT_MASK,        /* covered: files by /dev/null, directories by an empty read-only tmpfs */
        MOUNT_READONLY,    /* bound read-only onto itself, recursively */
        MOUNT_WRITABLE,    /* bound writable onto itself (below a read-only one) */
        MOUNT_CREDENTIALS, /* a tmpfs holding the credentials (credentials.c) */
} MountKind;

typedef enum MountFlags {
        MOUNT_MKDIR = 1 << 0,         /* MOUNT_FS: create the directory (it must not exist) */
        MOUNT_IN_ROOT = 1 << 1,       /* MOUNT_FS: resolve in the root, creating it when missing */
        MOUNT_HOST_FALLBACK = 1 << 2, /* clone the host's mount when a fresh one is refused (EPERM)
                                       * or the container lacks .fresh_needs */
        MOUNT_OPTIONAL = 1 << 3,      /* a missing target is skipped (not on every kernel) */
} MountFlags;

typedef struct MountPoint {
        MountKind kind;
        MountDir dir;               /* relative to this directory's fd */
        const char *where;          /* as the container sees it; below dir_path[dir] */
        const char *what;           /* fs type for fsopen(), or what messages call it */
        const char *const *options; /* key/value pairs for fsconfig() (NULL value: a flag) */
        uint64_t attr;              /* MOUNT_ATTR_* of the new mount */
        MountFlags flags;
        MountMode needs, unless, fresh_needs;
        MountDir keep;       /* remember the new mount's fd as this directory */
        unsigned long magic; /* the filesystem a fresh or host mount must be (0: any) */
        const char *text;
        unsigned major, minor;
        MountData data;
} MountPoint;

/* One device node: mknod'ed without a user namespace, a checked bind of the host's with one. */
// clang-format off
#define DEV_NODE(name, maj, min)                                                                        \
        {MOUNT_DEV_MKNOD, DIR_DEV, "/dev/" name, .unless = MODE_USERNS, .major = maj, .minor = min},    \
        {MOUNT_DEV_BIND, DIR_DEV, "/dev/" name, .needs = MODE_USERNS, .major = maj, .minor = min}
// clang-format on

static const char *const dev_options[] = {"mode", "0755", "size", "4m", "nr_inodes", "1k", NULL};
static const char *const pts_options[] = {"newinstance", NULL, "ptmxmode", "0666", "mode", "0620", NULL};
static const char *const pts_tty_options[] = {
        "newinstance", NULL, "ptmxmode", "0666", "mode", "0620", "gid", "5", NULL,
};
static const char *const shm_options[] = {"mode", "1777", NULL};
static const char *const run_options[] = {"mode", "0755", "size", "20%", "nr_inodes", "800k", NULL};
static const char *const tmp_options[] = {"mode", "1777", "size", "50%", "nr_inodes", "400k", NULL};
static const char *const run_host_options[] = {"mode", "0755", "size", "1m", "nr_inodes", "64", NULL};

/* Before the config's mounts, in this order. */
static const MountPoint mount_table[] = {
        /* A procfs of our own shows our pid namespace. Without one, or when the kernel
         * refuses (a user namespace that does not own the pid namespace), the host's
         * /proc is bound instead: still masked and read-only below. */
        {MOUNT_API, DIR_ROOT, "/proc", "proc", .attr = MOUNT_ATTR_SAFE, .flags = MOUNT_HOST_FALLBACK,
         .fresh_needs = MODE_PIDNS, .keep = DIR_PROC, .magic = PROC_SUPER_MAGIC},
        /* sysfs shows the network devices of the mounter's netns; a user namespace may
         * mount it only when it owns that netns. Otherwise the host's, read-only. */
        {MOUNT_API, DIR_ROOT, "/sys", "sysfs", .attr = MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY,
         .flags = MOUNT_HOST_FALLBACK, .keep = DIR_SYS, .magic = SYSFS_MAGIC},
        /* Writable cgroupfs lets a container escape its limits (CVE-2023-25809); only a
         * booted systemd gets its delegated subtree writable. Without a cgroup namespace
         * of our own we bind the host's mount, which shows the same tree: a fresh cgroup2
         * superblock made from the initial cgroup namespace would apply its (empty)
         * options to the one global hierarchy (clear systemd's nsdelegate and
         * memory_recursiveprot on the whole host). */
        {MOUNT_FS, DIR_SYS, "/sys/fs/cgroup", "cgroup2", .attr = MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY,
         .flags = MOUNT_HOST_FALLBACK, .unless = MODE_BOOT, .fresh_needs = MODE_CGROUPNS},
        {MOUNT_FS, DIR_SYS, "/sys/fs/cgroup", "cgroup2", .attr = MOUNT_ATTR_SAFE,
         .flags = MOUNT_HOST_FALLBACK, .needs = MODE_BOOT, .fresh_needs = MODE_CGROUPNS},
        {MOUNT_API, DIR_ROOT, "/dev", "tmpfs", dev_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
         .keep = DIR_DEV},
        /* The only devices a container gets (docs/SECURITY.md row 9). Without a user namespace
         * each is a node of the container's own /dev tmpfs (no host inode to reach, and
         * one system call instead of a mount); a user namespace cannot mknod, so there
         * each is a read-only bind mount of the host's node, checked to be the device it
         * claims. */
        DEV_NODE("null", 1, 3),
        DEV_NODE("zero", 1, 5),
        DEV_NODE("full", 1, 7),
        DEV_NODE("random", 1, 8),
        DEV_NODE("urandom", 1, 9),
        DEV_NODE("tty", 5, 0),
        /* gid=5 ("tty") only when the container can name it: devpts refuses a gid outside
         * the map. */
        {MOUNT_FS, DIR_DEV, "/dev/pts", "devpts", pts_tty_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
         MOUNT_MKDIR, .needs = MODE_TTY_GID},
        {MOUNT_FS, DIR_DEV, "/dev/pts", "devpts", pts_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC,
         MOUNT_MKDIR, .unless = MODE_TTY_GID},
        {MOUNT_FS, DIR_DEV, "/dev/shm", "tmpfs", shm_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
         MOUNT_MKDIR},
        /* Without an IPC namespace of our own (EPERM), the host's queues, as the IPC
         * namespace toggle asked for. */
        {MOUNT_FS, DIR_DEV, "/dev/mqueue", "mqueue", NULL, MOUNT_ATTR_SAFE,
         MOUNT_MKDIR | MOUNT_HOST_FALLBACK},
        {MOUNT_SYMLINK, DIR_DEV, "/dev/ptmx", .text = "pts/ptmx"},
        {MOUNT_SYMLINK, DIR_DEV, "/dev/fd", .text = "/proc/self/fd"},
        {MOUNT_SYMLINK, DIR_DEV, "/dev/stdin", .text = "/proc/self/fd/0"},
        {MOUNT_SYMLINK, DIR_DEV, "/dev/stdout", .text = "/proc/self/fd/1"},
        {MOUNT_SYMLINK, DIR_DEV, "/dev/stderr", .text = "/proc/self/fd/2"},

        /* "boot" (systemd's container interface; boot.c): fresh /run and /tmp, as on a
         * booted host (the inner systemd expects an empty /run, never the image's), and
         * /run/host, read-only once filled: the container may read it, never change
         * what it says. Before the config's mounts, which may mount over them. */
        {MOUNT_FS, DIR_ROOT, "/run", "tmpfs", run_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
         MOUNT_IN_ROOT, .needs = MODE_BOOT, .keep = DIR_RUN},
        {MOUNT_FS, DIR_ROOT, "/tmp", "tmpfs", tmp_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
         MOUNT_IN_ROOT, .needs = MODE_BOOT},
        /* "notify" (notify.c) without "boot": the image's own /run, with only a small
         * tmpfs of ours on /run/host for the socket. */
        {MOUNT_DIR, DIR_ROOT, "/run", .flags = MOUNT_IN_ROOT, .needs = MODE_NOTIFY, .unless = MODE_BOOT,
         .keep = DIR_RUN},
        {MOUNT_FS, DIR_RUN, "/run/host", "tmpfs", run_host_options, MOUNT_ATTR_SAFE, MOUNT_IN_ROOT,
         .needs = MODE_NOTIFY, .keep = DIR_RUN_HOST},
        {MOUNT_FILE, DIR_RUN_HOST, "/run/host/container-manager", .text = "nscontain\n", .needs = MODE_BOOT},
        {MOUNT_FILE, DIR_RUN_HOST, "/run/host/container-uuid", .needs = MODE_BOOT,
         .data = MOUNT_DATA_CONTAINER_UUID},
        {MOUNT_TREE, DIR_RUN_HOST, "/run/host/os-release", "the host's os-release", .needs = MODE_BOOT,
         .data = MOUNT_DATA_OS_RELEASE},
        {MOUNT_TREE, DIR_RUN_HOST, "/run/host/notify", "the notify socket", .needs = MODE_NOTIFY,
         .data = MOUNT_DATA_NOTIFY},
        /* Inside our /run/host before it is sealed; otherwise a row of mask_table[]. */
        {MOUNT_CREDENTIALS, DIR_RUN_HOST, "/run/host/credentials", .needs = MODE_NOTIFY | MODE_CREDS},
        /* Not recursive: the notify socket's mount must stay writable. */
        {MOUNT_SEAL, DIR_RUN_HOST, "/run/host", .needs = MODE_NOTIFY},
        {MOUNT_CONSOLE, DIR_DEV, "/dev/console", .needs = MODE_BOOT},
};

/* Hides /proc and /sys entries that leak host state or allow host-wide actions
 * (docs/SECURITY.md row 5; nscontain-helper(8)), after the config's mounts. */
#define MASK(d, path) \
        { MOUNT_MASK, d, path, .flags = MOUNT_OPTIONAL }
#define READONLY(path) \
        { MOUNT_READONLY, DIR_PROC, path, .flags = MOUNT_OPTIONAL }
static const MountPoint mask_table[] = {
        /* Not a mask: after the config's mounts too, so that none of them hides it. */
        {MOUNT_CREDENTIALS, DIR_ROOT, "/run/host/credentials", .needs = MODE_CREDS, .unless = MODE_NOTIFY},
        MASK(DIR_PROC, "/proc/acpi"),
        MASK(DIR_PROC, "/proc/asound"),
        MASK(DIR_PROC, "/proc/kcore"),
        MASK(DIR_PROC, "/proc/keys"),
        MASK(DIR_PROC, "/proc/latency_stats"),
        MASK(DIR_PROC, "/proc/timer_list"),
        MASK(DIR_PROC, "/proc/sched_debug"),
        MASK(DIR_PROC, "/proc/scsi"),
        MASK(DIR_SYS, "/sys/firmware"),
        READONLY("/proc/bus"),
        READONLY("/proc/fs"),
        READONLY("/proc/irq"),
        READONLY("/proc/sys"),
        READONLY("/proc/sysrq-trigger"),
        /* "boot": /proc/sys/net describes only the private network namespace the
         * container owns, and systemd-networkd, sysctl.d and the like write there: that
         * part is writable again, as systemd-nspawn does. */
        {MOUNT_WRITABLE, DIR_PROC, "/proc/sys/net", .flags = MOUNT_OPTIONAL,
         .needs = MODE_BOOT | MODE_NETNS},
};

typedef struct MountContext {
        const Container *c;
        MountMode mode;
        int dir_fd[_DIR_MAX]; /* DIR_ROOT: the root tree's fd, not ours to close */
        int null_fd;          /* our /dev/null, for the masks */
        MountExtras *extras;
} MountContext;

static void mount_context_done(MountContext *ctx) {
        for (size_t i = DIR_ROOT + 1; i < _DIR_MAX; i++)
                ctx->dir_fd[i] = safe_close(ctx->dir_fd[i]);
        ctx->null_fd = safe_close(ctx->null_fd);
}

static MountMode container_mount_mode(const Container *c) {
        const Config *config = c->config;
        MountMode mode = 0;

        if (config->boot)
                mode |= MODE_BOOT;
        if (c->userns)
                mode |= MODE_USERNS;
        if (config->namespaces.pid)
                mode |= MODE_PIDNS;
        if (config->namespaces.net && config->network.mode != NETWORK_HOST)
                mode |= MODE_NETNS;
        if (config->namespaces.cgroup)
                mode |= MODE_CGROUPNS;
        if (!c->userns || c->uid_size > 5)
                mode |= MODE_TTY_GID;
        if (config->boot || config->notify)
                mode |= MODE_NOTIFY;
        if (config->n_credentials > 0)
                mode |= MODE_CREDS;
        return mode;
}

static bool row_applies(const MountPoint *m, MountMode mode) {
        return (mode & m->needs) == m->needs && !(mode & m->unless);
}

/* The row's name below its directory. */
static const char *row_name(const MountPoint *m) {
        return m->where + strlen(dir_path[m->dir]) + 1;
}

static bool stat_is_chr(const struct stat *st, unsigned major, unsigned minor) {
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(major, minor);
}

/* /proc, /sys and /dev directly below the root: a symlink there would make us mount the
 * API filesystem somewhere the image chose (CVE-2019-16884, CVE-2019-19921), so refuse. */
static int open_api_dir(int root_fd, const char *name, const char *fstype, int *ret, Failure *f) {
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = openat(root_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
                if (mkdirat(root_fd, name, 0755) < 0 && errno != EEXIST)
                        return failf(f, errno, "Failed to create mount point '/%s' in the rootfs", name);
                fd = openat(root_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        }
        if (fd < 0)
                return failf(f, errno, "Failed to open mount point '/%s' in the rootfs", name);
        if (fstat(fd, &st) < 0)
                return failf(f, errno, "Failed to stat mount point '/%s' in the rootfs", name);
        if (S_ISLNK(st.st_mode))
                return failf(f, ELOOP, "rootfs /%s is a symlink: refusing to mount %s over it", name,
                             fstype);
        if (!S_ISDIR(st.st_mode))
                return failf(f, ENOTDIR, "rootfs /%s is not a directory: refusing to mount %s over it", name,
                             fstype);

        *ret = TAKE_FD(fd);
        return 0;
}

/* The mount point of a MOUNT_FS row. */
static int open_fs_target(const MountContext *ctx, const MountPoint *m, int *ret, Failure *f) {
        int dir_fd = ctx->dir_fd[m->dir], fd;
        const char *name = row_name(m);

        if (m->flags & MOUNT_IN_ROOT) {
                /* A directory of the image: a symlinked /run leads back into the root. */
                fd = open_in_root(dir_fd, name, O_PATH | O_DIRECTORY);
                if (fd == -ENOENT) {
                        if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
                                return failf(f, errno, "Failed to create mount point '%s' in the rootfs",
                                             m->where);
                        fd = open_in_root(dir_fd, name, O_PATH | O_DIRECTORY);
                }
                if (fd < 0)
                        return failf(f, fd, "Failed to open mount point '%s' in the rootfs", m->where);
        } else {
                /* Below a kernel filesystem or a tmpfs of our own. */
                if ((m->flags & MOUNT_MKDIR) && mkdirat(dir_fd, name, 0755) < 0)
                        return failf(f, errno, "Failed to create mount point '%s'", m->where);
                fd = open_beneath(dir_fd, name, O_PATH | O_DIRECTORY);
                if (fd < 0)
                        return failf(f, fd, "Failed to open '%s'", m->where);
        }
        *ret = fd;
        return 0;
}

/* MOUNT_DIR: a directory of the image that later rows mount below. */
static int mount_dir(MountContext *ctx, const MountPoint *m, Failure *f) {
        int fd = -EBADF, r;

        r = open_fs_target(ctx, m, &fd, f);
        if (r < 0)
                return r;
        safe_close(ctx->dir_fd[m->keep]);
        ctx->dir_fd[m->keep] = fd;
        return 0;
}

/* MOUNT_API, MOUNT_FS: a fresh filesystem, or the host's mount where allowed. */
static int mount_fs(MountContext *ctx, const MountPoint *m, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        const char *fsname = streq(m->what, "proc") ? "procfs" : m->what;
        int r;

        if (m->kind == MOUNT_API)
                r = open_api_dir(ctx->dir_fd[m->dir], row_name(m), fsname, &target_fd, f);
        else
                r = open_fs_target(ctx, m, &target_fd, f);
        if (r < 0)
                return r;

        r = (ctx->mode & m->fresh_needs) == m->fresh_needs
                    ? fs_new_mount(m->what, m->options, m->attr, &mnt_fd)
                    : -EPERM;
        if (r == -EPERM && (m->flags & MOUNT_HOST_FALLBACK)) {
                r = tree_clone(AT_FDCWD, m->where, AT_RECURSIVE | AT_SYMLINK_NOFOLLOW, &mnt_fd);
                if (r >= 0)
                        r = tree_set_attr(mnt_fd, m->attr, 0, /* recursive= */ true, -EBADF);
                if (r < 0 && m->kind == MOUNT_API)
                        return failf(f, r, "Failed to bind-mount the host's '%s' on '%s'", m->where,
                                     m->where);
        }
        if (r < 0)
                return failf(f, r, "Failed to mount %s on '%s'", fsname, m->where);

        /* Everything we later mask or write below /proc and /sys goes through this fd:
         * make sure it really is what it claims. */
        if (m->magic != 0) {
                r = fd_is_fs_type(mnt_fd, m->magic);
                if (r < 0)
                        return failf(f, r, "Failed to check the filesystem of '%s'", m->where);
                if (r == 0)
                        return failf(f, EBADF, "Failed to mount '%s': not %s", m->where, fsname);
        }

        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to attach %s on '%s'", fsname, m->where);

        if (m->keep != DIR_ROOT)
                ctx->dir_fd[m->keep] = TAKE_FD(mnt_fd);
        return 0;
}

static int mount_dev_mknod(MountContext *ctx, const MountPoint *m, Failure *f) {
        int dev_fd = ctx->dir_fd[m->dir];
        const char *name = row_name(m);

        if (mknodat(dev_fd, name, S_IFCHR | 0666, makedev(m->major, m->minor)) < 0 ||
            fchmodat(dev_fd, name, 0666, 0) < 0) /* past the umask */
                return failf(f, errno, "Failed to create '%s'", m->where);
        return 0;
}

int dev_node_bind(int dir_fd, const char *name, const char *where, mode_t type, dev_t rdev, Failure *f) {
        _cleanup_close_ int src_fd = -EBADF, target_fd = -EBADF;
        struct stat st;
        int r;

        r = tree_clone(AT_FDCWD, where, AT_SYMLINK_NOFOLLOW, &src_fd);
        if (r < 0)
                return failf(f, r, "Failed to clone the host's '%s'", where);
        if (fstat(src_fd, &st) < 0)
                return failf(f, errno, "Failed to stat the host's '%s'", where);
        if ((st.st_mode & S_IFMT) != type || st.st_rdev != rdev)
                return failf(f, ENODEV,
                             "Failed to bind-mount '%s': the host's node is not the %s device %u:%u", where,
                             type == S_IFBLK ? "block" : "character", major(rdev), minor(rdev));

        /* Read-only: the inode is the host's, and container root could chmod, chown or
         * touch the host's /dev/null through it. A read-only mount refuses those; reads
         * and writes of a device are no changes to the file system and still work. */
        r = tree_set_attr(src_fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY, 0,
                          /* recursive= */ true, -EBADF);
        if (r < 0)
                return failf(f, r, "Failed to set mount attributes of '%s'", where);

        target_fd = openat(dir_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (target_fd < 0)
                return failf(f, errno, "Failed to create mount point '%s'", where);

        r = tree_attach(src_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to bind-mount '%s'", where);
        return 0;
}

static int mount_dev_bind(MountContext *ctx, const MountPoint *m, Failure *f) {
        return dev_node_bind(ctx->dir_fd[m->dir], row_name(m), m->where, S_IFCHR,
                             makedev(m->major, m->minor), f);
}

static int write_new_file(int dir_fd, const char *name, const char *text, mode_t mode) {
        _cleanup_close_ int fd = -EBADF;

        fd = openat(dir_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return negative_errno();
        return loop_write(fd, text, strlen(text));
}

static int mount_file(MountContext *ctx, const MountPoint *m, Failure *f) {
        const char *text = m->text ?: ctx->extras->text[m->data];
        int r;

        if (!text)
                return failf(f, EINVAL, "Failed to write '%s': no text for it", m->where);
        r = write_new_file(ctx->dir_fd[m->dir], row_name(m), text, 0444);
        if (r < 0)
                return failf(f, r, "Failed to write '%s'", m->where);
        return 0;
}

static int mount_tree(MountContext *ctx, const MountPoint *m, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF;
        int dir_fd = ctx->dir_fd[m->dir], tree_fd = ctx->extras->tree_fd[m->data], r;

        if (tree_fd < 0)
                return failf(f, EBADF, "Failed to bind %s on '%s': no tree for it", m->what, m->where);
        r = write_new_file(dir_fd, row_name(m), "", 0444);
        if (r >= 0) {
                target_fd = openat(dir_fd, row_name(m), O_PATH | O_NOFOLLOW | O_CLOEXEC);
                r = target_fd < 0 ? negative_errno() : tree_attach(tree_fd, target_fd);
        }
        if (r < 0)
                return failf(f, r, "Failed to bind %s on '%s'", m->what, m->where);
        return 0;
}

static int mount_seal(MountContext *ctx, const MountPoint *m, Failure *f) {
        int r = tree_set_attr(ctx->dir_fd[m->dir], MOUNT_ATTR_RDONLY, 0, /* recursive= */ false, -EBADF);

        if (r < 0)
                return failf(f, r, "Failed to make '%s' read-only", m->where);
        return 0;
}

/* /dev/console: a pty of the container's own devpts instance (one it may open, chown and
 * reset like any terminal, and which leads nowhere on the host). Its master goes to the
 * strategy (extras->console_fd), which passes it to the supervisor. */
static int mount_console(MountContext *ctx, const MountPoint *m, Failure *f) {
        _cleanup_close_ int ptmx = -EBADF, peer = -EBADF, tree = -EBADF, target = -EBADF;
        int dev_fd = ctx->dir_fd[m->dir], unlock = 0, r;

        ptmx = open_beneath(dev_fd, "pts/ptmx", O_RDWR | O_NOCTTY);
        if (ptmx < 0)
                return failf(f, ptmx, "Failed to open '/dev/pts/ptmx'");
        r = fd_is_fs_type(ptmx, DEVPTS_SUPER_MAGIC);
        if (r <= 0)
                return failf(f, r < 0 ? r : EBADF,
                             "Failed to allocate the console: '/dev/pts' is not devpts");
        if (ioctl(ptmx, TIOCSPTLCK, &unlock) < 0)
                return failf(f, errno, "Failed to unlock the console pty");
        peer = ioctl(ptmx, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (peer < 0)
                return failf(f, errno, "Failed to open the console pty");

        r = write_new_file(dev_fd, row_name(m), "", 0600);
        if (r < 0)
                return failf(f, r, "Failed to create '%s'", m->where);
        target = openat(dev_fd, row_name(m), O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (target < 0)
                return failf(f, errno, "Failed to open '%s'", m->where);
        r = tree_clone(peer, "", AT_EMPTY_PATH, &tree);
        if (r < 0)
                return failf(f, r, "Failed to clone the console pty");
        r = tree_attach(tree, target);
        if (r < 0)
                return failf(f, r, "Failed to mount the console pty on '%s'", m->where);

        safe_close(ctx->extras->console_fd);
        ctx->extras->console_fd = TAKE_FD(ptmx);
        return 0;
}

/* Files are covered by our /dev/null, checked by fd to be the character device 1:3
 * right before it is cloned: a /dev/null swapped for a symlink or a regular file would
 * unmask the path or expose a host file (CVE-2025-31133). Directories get an empty
 * read-only tmpfs. */
static int mount_mask(MountContext *ctx, const MountPoint *m, int target_fd, Failure *f) {
        _cleanup_close_ int mnt_fd = -EBADF;
        struct stat st;
        int r;

        if (fstat(target_fd, &st) < 0)
                return failf(f, errno, "Failed to stat '%s'", m->where);

        if (S_ISDIR(st.st_mode)) {
                static const char *const options[] = {"mode", "0555", "size", "4k", "nr_inodes", "1", NULL};

                r = fs_new_mount("tmpfs", options, MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY, &mnt_fd);
                if (r < 0)
                        return failf(f, r, "Failed to mount tmpfs over '%s'", m->where);
        } else {
                if (ctx->null_fd < 0) {
                        ctx->null_fd = open_beneath(ctx->dir_fd[DIR_DEV], "null", O_PATH);
                        if (ctx->null_fd < 0)
                                return failf(f, ctx->null_fd, "Failed to open '/dev/null'");
                }
                r = tree_clone(ctx->null_fd, "", AT_EMPTY_PATH, &mnt_fd);
                if (r < 0)
                        return failf(f, r, "Failed to clone '/dev/null' to mask '%s'", m->where);
                /* Check what we are about to mount, not a path. */
                if (fstat(mnt_fd, &st) < 0)
                        return failf(f, errno, "Failed to stat '/dev/null'");
                if (!stat_is_chr(&st, 1, 3))
                        return failf(f, ENODEV,
                                     "Failed to mask '%s': '/dev/null' is not the character device 1:3",
                                     m->where);
                /* Not nodev: the mask must read as an empty file, not fail to open. */
                r = tree_set_attr(mnt_fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY, 0,
                                  /* recursive= */ true, -EBADF);
                if (r < 0)
                        return failf(f, r, "Failed to make the mask of '%s' read-only", m->where);
        }

        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to mask '%s'", m->where);
        return 0;
}

/* Below /run/host: a directory of the image's (made where missing, resolved in the root)
 * or of boot mode's own tmpfs. */
static int mount_credentials(MountContext *ctx, const MountPoint *m, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF;
        int r;

        if (m->dir == DIR_ROOT)
                r = mount_point_open(ctx->dir_fd[DIR_ROOT], m->where, /* dir= */ true, &target_fd);
        else {
                r = mkdirat(ctx->dir_fd[m->dir], row_name(m), 0755) < 0 ? negative_errno() : 0;
                if (r >= 0) {
                        target_fd = open_beneath(ctx->dir_fd[m->dir], row_name(m), O_PATH | O_DIRECTORY);
                        r = target_fd < 0 ? target_fd : 0;
                }
        }
        if (r < 0)
                return failf(f, r, "Failed to create mount point '%s'", m->where);
        safe_close(ctx->extras->credentials_fd);
        ctx->extras->credentials_fd = -EBADF;
        return credentials_mount(ctx->c, target_fd, &ctx->extras->credentials_fd, f);
}

/* MOUNT_READONLY, MOUNT_WRITABLE: the path bound onto itself with other attributes. */
static int mount_rebind(const MountPoint *m, int target_fd, Failure *f) {
        bool ro = m->kind == MOUNT_READONLY;
        _cleanup_close_ int mnt_fd = -EBADF;
        int r;

        r = tree_clone(target_fd, "", AT_EMPTY_PATH | (ro ? AT_RECURSIVE : 0), &mnt_fd);
        if (r < 0)
                return failf(f, r, "Failed to clone '%s'", m->where);
        r = ro ? tree_set_attr(mnt_fd, MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY, 0, /* recursive= */ true, -EBADF)
               : tree_set_attr(mnt_fd, 0, MOUNT_ATTR_RDONLY, /* recursive= */ false, -EBADF);
        if (r < 0)
                return failf(f, r, ro ? "Failed to make '%s' read-only" : "Failed to make '%s' writable",
                             m->where);
        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, ro ? "Failed to mount '%s' read-only" : "Failed to mount '%s' writable",
                             m->where);
        return 0;
}

static int mount_over(MountContext *ctx, const MountPoint *m, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF;

        target_fd = open_beneath(ctx->dir_fd[m->dir], row_name(m), O_PATH);
        if (target_fd == -ENOENT && (m->flags & MOUNT_OPTIONAL))
                return 0; /* this kernel does not have it */
        if (target_fd < 0)
                return failf(f, target_fd, "Failed to open '%s'", m->where);
        if (m->kind == MOUNT_MASK)
                return mount_mask(ctx, m, target_fd, f);
        return mount_rebind(m, target_fd, f);
}

static int mount_point_apply(MountContext *ctx, const MountPoint *m, Failure *f) {
        if (ctx->dir_fd[m->dir] < 0)
                return failf(f, EBADF, "Failed to set up '%s': '%s' is not mounted", m->where,
                             dir_path[m->dir]);

        switch (m->kind) {
        case MOUNT_API:
        case MOUNT_FS:
                return mount_fs(ctx, m, f);
        case MOUNT_DIR:
                return mount_dir(ctx, m, f);
        case MOUNT_DEV_MKNOD:
                return mount_dev_mknod(ctx, m, f);
        case MOUNT_DEV_BIND:
                return mount_dev_bind(ctx, m, f);
        case MOUNT_SYMLINK:
                if (symlinkat(m->text, ctx->dir_fd[m->dir], row_name(m)) < 0)
                        return failf(f, errno, "Failed to create symlink '%s'", m->where);
                return 0;
        case MOUNT_FILE:
                return mount_file(ctx, m, f);
        case MOUNT_TREE:
                return mount_tree(ctx, m, f);
        case MOUNT_SEAL:
                return mount_seal(ctx, m, f);
        case MOUNT_CONSOLE:
                return mount_console(ctx, m, f);
        case MOUNT_CREDENTIALS:
                return mount_credentials(ctx, m, f);
        case MOUNT_MASK:
        case MOUNT_READONLY:
        case MOUNT_WRITABLE:
                return mount_over(ctx, m, f);
        }
        return failf(f, EINVAL, "Failed to set up '%s': unknown kind of mount", m->where);
}

static int mount_table_apply(MountContext *ctx, const MountPoint *table, size_t n, Failure *f) {
        int r;

        for (size_t i = 0; i < n; i++) {
                if (!row_applies(&table[i], ctx->mode))
                        continue;
                r = mount_point_apply(ctx, &table[i], f);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Not recursive: only the top mount of the rootfs, never what we mounted on it. */
static int root_set_readonly(int root_fd, bool readonly) {
        return tree_set_attr(root_fd, readonly ? MOUNT_ATTR_RDONLY : 0, readonly ? 0 : MOUNT_ATTR_RDONLY,
                             /* recursive= */ false, -EBADF);
}

int mount_setup_root(Container *c, MountExtras *extras, Failure *f) {
        _cleanup_(mount_context_done) MountContext ctx = {.c = c, .null_fd = -EBADF, .extras = extras};
        const Config *config;
        int root_fd, r;

        assert(c && c->config && extras && f);
        config = c->config;

        if (c->root_tree_fd < 0)
                return failf(f, EBADF, "Failed to set up rootfs '%s': no root tree", strna(config->rootfs));
        if (config->n_mounts > CONFIG_MOUNTS_MAX)
                return failf(f, E2BIG, "Failed to set up rootfs '%s': more than %d mounts", config->rootfs,
                             CONFIG_MOUNTS_MAX);

        /* Before anything else: nothing we mount may propagate to the host (row 11). */
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return failf(f, errno, "Failed to make '/' private");

        /* Attach the detached root tree on top of our (private) "/". Not on the rootfs
         * path: as the namespace's root we may no longer be allowed to walk the host
         * directories leading to it (a 0700 parent owned by the host's root). Lookups
         * start below the stacked mount, so host paths such as /dev/null still resolve
         * until pivot_root. From here on the tree fd is the root every target is
         * resolved in. */
        root_fd = c->root_tree_fd;
        if (move_mount(root_fd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0)
                return failf(f, errno, "Failed to attach rootfs '%s'", config->rootfs);
        failpoint("child:after-root");

        /* A read-only root is writable at its top only while we create mount points. */
        if (config->readonly)
                (void)root_set_readonly(root_fd, false);

        ctx.mode = container_mount_mode(c);
        ctx.dir_fd[DIR_ROOT] = root_fd;
        for (size_t i = DIR_ROOT + 1; i < _DIR_MAX; i++)
                ctx.dir_fd[i] = -EBADF;

        r = mount_table_apply(&ctx, mount_table, ELEMENTSOF(mount_table), f);
        if (r < 0)
                return r;
        failpoint("child:after-api-mounts");

        r = dns_files_mount(c, root_fd, f);
        if (r < 0)
                return r;
        if (config->n_devices > 0) {
                r = devices_mount(c, ctx.dir_fd[DIR_DEV], f);
                if (r < 0)
                        return r;
        }

        r = mount_user_entries(c, root_fd, f);
        if (r < 0)
                return r;
        failpoint("child:after-binds");

        r = mount_table_apply(&ctx, mask_table, ELEMENTSOF(mask_table), f);
        if (r < 0)
                return r;

        if (config->readonly) {
                r = root_set_readonly(root_fd, true);
                if (r < 0)
                        return failf(f, r, "Failed to make rootfs '%s' read-only", config->rootfs);
        }

        if (fchdir(root_fd) < 0)
                return failf(f, errno, "Failed to enter rootfs '%s'", config->rootfs);
        /* pivot_root(".", ".") stacks the old root on top of the new one; detaching it
         * leaves nothing of the host reachable. */
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return failf(f, errno, "Failed to pivot_root into '%s'", config->rootfs);
        if (umount2(".", MNT_DETACH) < 0)
                return failf(f, errno, "Failed to detach the old root");
        failpoint("child:after-pivot");
        if (chdir("/") < 0)
                return failf(f, errno, "Failed to change directory to '/'");

        /* Everything was mounted; the child keeps no fd into the old tree. */
        mount_trees_close(c);
        return 0;
}
