/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The container's root filesystem (nscontain-helper(8), ORDER OF WORK; docs/SECURITY.md
 * rows 3, 4, 5, 9, 11, 13).
 *
 * Parent side (host user namespace, full privileges): the rootfs and every bind source
 * are cloned into detached mount trees with open_tree(OPEN_TREE_CLONE), idmapped through
 * the child's user namespace and made read-only as configured. Only the host can make
 * an idmapped mount, and a detached tree cannot be swapped behind our back. With
 * "ownership": "chown" (filesystems that refuse idmapped mounts, such as overlayfs) the
 * tree is instead shifted into the range once, by an fd walk, and the shift recorded.
 *
 * Child side (new user + mount namespace): propagation private first, the root tree is
 * attached, and everything else is mounted with the new mount API, every target opened
 * inside the root by fd (openat2 RESOLVE_IN_ROOT) and mounted onto that fd with
 * move_mount(MOVE_MOUNT_T_EMPTY_PATH). No path is ever built by concatenating the
 * rootfs path with a path the image controls: a symlink in the image cannot redirect a
 * mount to the host. */

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "boot.h"
#include "failpoint.h"
#include "fileio.h"
#include "fs-util.h"
#include "helper.h"
#include "mount-api.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

static const char *fs_type_name(int fd, char *buf, size_t size) {
        static const struct {
                unsigned long magic;
                const char *name;
        } table[] = {
                {OVERLAYFS_SUPER_MAGIC, "overlayfs"},
                {EXT4_SUPER_MAGIC, "ext4"},
                {BTRFS_SUPER_MAGIC, "btrfs"},
                {XFS_SUPER_MAGIC, "xfs"},
                {TMPFS_MAGIC, "tmpfs"},
                {FUSE_SUPER_MAGIC, "fuse"},
                {NFS_SUPER_MAGIC, "nfs"},
                {SQUASHFS_MAGIC, "squashfs"},
                {0x01021997, "9p"},
                {0x2fc12fc1, "zfs"},
                {0xff534d42, "cifs"},
                {PROC_SUPER_MAGIC, "proc"},
                {SYSFS_MAGIC, "sysfs"},
        };
        struct statfs sfs;

        if (fstatfs(fd, &sfs) < 0)
                return "unknown";
        for (size_t i = 0; i < ELEMENTSOF(table); i++)
                if ((unsigned long)sfs.f_type == table[i].magic)
                        return table[i].name;
        snprintf(buf, size, "type 0x%lx", (unsigned long)sfs.f_type);
        return buf;
}

/* What mount_setattr(MOUNT_ATTR_IDMAP) returns when the filesystem cannot be idmapped. */
static bool idmap_refused(int r) {
        return r == -EINVAL || r == -EOPNOTSUPP;
}

/* ---------------------------------------------------------------------------------------- */
/* Parent side */

/* Clones 'path' into a detached tree. The path is opened first with O_PATH so that we can
 * tell "missing" from "not a directory" and report the config's own words. */
static int tree_clone_source(const char *path, bool want_dir, int *ret_fd, struct stat *ret_st) {
        _cleanup_close_ int fd = -EBADF, tree_fd = -EBADF;
        struct stat st;
        int r;

        fd = open(path, O_PATH | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (want_dir && !S_ISDIR(st.st_mode))
                return -ENOTDIR;

        /* Clone from the fd we inspected, not the path again: what we checked is what we
         * mount. AT_RECURSIVE brings submounts along (as a recursive bind does). */
        r = tree_clone(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &tree_fd);
        if (r < 0)
                return r;

        if (ret_st)
                *ret_st = st;
        *ret_fd = TAKE_FD(tree_fd);
        return 0;
}

static int prepare_root_tree(Container *c, int userns_fd, Failure *f) {
        const Config *config = c->config;
        _cleanup_close_ int tree_fd = -EBADF;
        uint64_t attr = 0;
        char buf[32];
        int r;

        if (isempty(config->rootfs) || config->rootfs[0] != '/')
                return failf(f, EINVAL, "Failed to open rootfs '%s': not an absolute path",
                             strna(config->rootfs));

        r = tree_clone_source(config->rootfs, /* want_dir= */ true, &tree_fd, NULL);
        if (r < 0)
                return failf(f, r, "Failed to open rootfs '%s'", config->rootfs);

        if (c->userns && config->user_namespace.ownership == OWNERSHIP_IDMAP)
                attr |= MOUNT_ATTR_IDMAP;
        /* Read-only from the start; the child lifts it on the top mount only while it
         * creates mount points, and sets it again before pivot_root. */
        if (config->readonly)
                attr |= MOUNT_ATTR_RDONLY;

        r = tree_set_attr(tree_fd, attr, 0, /* recursive= */ true, userns_fd);
        if (r < 0 && (attr & MOUNT_ATTR_IDMAP) && idmap_refused(r))
                return failf(
                        f, r,
                        "Failed to create an idmapped mount of rootfs '%s': its filesystem (%s) refuses "
                        "idmapped mounts; set \"user_namespace\": {\"ownership\": \"chown\"} to shift "
                        "its ownership once instead",
                        config->rootfs, fs_type_name(tree_fd, buf, sizeof(buf)));
        if (r < 0)
                return failf(f, r, "Failed to set mount attributes of rootfs '%s'", config->rootfs);

        c->root_tree_fd = TAKE_FD(tree_fd);
        return 0;
}

static int prepare_bind_tree(Container *c, const MountSpec *m, size_t i, int userns_fd, int *ret_fd,
                             Failure *f) {
        _cleanup_close_ int tree_fd = -EBADF;
        uint64_t attr = 0;
        char buf[32];
        int r;

        if (isempty(m->source) || m->source[0] != '/')
                return failf(f, EINVAL,
                             "Failed to open bind source '%s' (mounts[%zu]): not an absolute path",
                             strna(m->source), i);

        r = tree_clone_source(m->source, /* want_dir= */ false, &tree_fd, NULL);
        if (r < 0)
                return failf(f, r, "Failed to open bind source '%s' (mounts[%zu])", m->source, i);

        if (c->userns && m->idmap)
                attr |= MOUNT_ATTR_IDMAP;
        if (m->readonly)
                attr |= MOUNT_ATTR_RDONLY;

        r = tree_set_attr(tree_fd, attr, 0, /* recursive= */ true, userns_fd);
        if (r < 0 && (attr & MOUNT_ATTR_IDMAP) && idmap_refused(r))
                return failf(f, r,
                             "Failed to create an idmapped mount of bind source '%s' (mounts[%zu]): its "
                             "filesystem (%s) refuses idmapped mounts; set \"idmap\": false on this mount",
                             m->source, i, fs_type_name(tree_fd, buf, sizeof(buf)));
        if (r < 0)
                return failf(f, r, "Failed to set mount attributes of bind source '%s' (mounts[%zu])",
                             m->source, i);

        *ret_fd = TAKE_FD(tree_fd);
        return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Parent side: "ownership": "chown" */

/* Where the shift of each container's rootfs is recorded. */
#define CHOWN_STATE_DIR  "/var/lib/nscontain/ownership"
#define CHOWN_DEPTH_MAX  1024
#define CHOWN_RECORD_MAX (8 * 1024)

/* The record of a shift: which tree (by device and inode, so that a replaced image is
 * shifted again), from which range to which, and whether it finished. */
typedef struct ChownRecord {
        uint64_t dev, ino;
        uint32_t from, to, size;
        bool done;
} ChownRecord;

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int chown_record_read(int state_fd, const char *name, ChownRecord *ret) {
        _cleanup_free_ char *text = NULL;
        ChownRecord rec = {};
        char state[16] = "";
        int r;

        r = read_full_file_at(state_fd, name, CHOWN_RECORD_MAX, &text, NULL);
        if (r < 0)
                return r;
        if (sscanf(text,
                   "dev=%" SCNu64 "\nino=%" SCNu64 "\nfrom=%" SCNu32 "\nto=%" SCNu32 "\nsize=%" SCNu32
                   "\nstate=%15s",
                   &rec.dev, &rec.ino, &rec.from, &rec.to, &rec.size, state) != 6)
                return -EBADMSG;
        if (!streq(state, "done") && !streq(state, "shifting"))
                return -EBADMSG;
        rec.done = streq(state, "done");
        *ret = rec;
        return 0;
}

static int chown_record_write(int state_fd, const char *name, const ChownRecord *rec) {
        char text[256];
        int n;

        n = snprintf(text, sizeof(text),
                     "dev=%" PRIu64 "\nino=%" PRIu64 "\nfrom=%" PRIu32 "\nto=%" PRIu32 "\nsize=%" PRIu32
                     "\nstate=%s\n",
                     rec->dev, rec->ino, rec->from, rec->to, rec->size, rec->done ? "done" : "shifting");
        return write_file_atomic_at(state_fd, name, text, (size_t)n, 0644, /* durable= */ true);
}

/* Ids of the source range move; everything else (ids already in the target range, from
 * an interrupted run, or ids the map cannot show) stays. This makes the walk idempotent:
 * an interrupted shift is simply run again. */
static uint32_t shift_id(uint32_t id, const ChownRecord *rec) {
        return id >= rec->from && id - rec->from < rec->size ? id - rec->from + rec->to : id;
}

/* Shifts one entry, named relative to dir_fd ("" = dir_fd itself). */
static int shift_entry(int dir_fd, const char *name, const struct stat *st, const ChownRecord *rec) {
        uid_t uid = shift_id(st->st_uid, rec);
        gid_t gid = shift_id(st->st_gid, rec);
        int r;

        if (uid == st->st_uid && gid == st->st_gid)
                return 0;

        r = RET_NERRNO(fchownat(dir_fd, name, uid, gid, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)));
        if (r < 0)
                return r;

        /* chown() clears setuid/setgid on files: put them back, through an O_PATH fd of
         * exactly the inode we changed (never by following a name again). */
        if (S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID))) {
                _cleanup_close_ int fd = -EBADF;
                char path[64];

                fd = openat(dir_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return negative_errno();
                snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
                r = RET_NERRNO(chmod(path, st->st_mode & 07777));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Walks the tree below dir_fd by fd (openat O_NOFOLLOW, never a path from the top),
 * staying on its filesystem. 'rel' holds the path for messages. */
static int shift_tree(int dir_fd, dev_t dev, const ChownRecord *rec, char *rel, size_t rel_len,
                      unsigned depth) {
        _cleanup_(closedirp) DIR *d = NULL;
        int fd, r;

        if (depth > CHOWN_DEPTH_MAX)
                return -ELOOP;

        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }

        for (;;) {
                struct dirent *de;
                struct stat st;
                size_t n;

                errno = 0;
                de = readdir(d);
                if (!de)
                        return errno != 0 ? negative_errno() : 0;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;

                n = strlen(de->d_name);
                if (rel_len + 1 + n >= PATH_MAX)
                        return -ENAMETOOLONG;
                rel[rel_len] = '/';
                memcpy(rel + rel_len + 1, de->d_name, n + 1);

                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                if (st.st_dev != dev)
                        continue; /* another filesystem mounted inside the tree: not ours */

                r = shift_entry(dirfd(d), de->d_name, &st, rec);
                if (r < 0)
                        return r;

                if (S_ISDIR(st.st_mode)) {
                        _cleanup_close_ int sub_fd = -EBADF;

                        sub_fd = openat(dirfd(d), de->d_name,
                                        O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        if (sub_fd < 0)
                                return negative_errno();
                        r = shift_tree(sub_fd, dev, rec, rel, rel_len + 1 + n, depth + 1);
                        if (r < 0)
                                return r;
                }
                rel[rel_len] = '\0';
        }
}

/* The one-time shift of the rootfs into the container's range (nscontain.json(5),
 * user_namespace.ownership "chown"), for filesystems that refuse idmapped mounts.
 * Recorded in CHOWN_STATE_DIR/NAME: done once, resumed when interrupted, redone for a
 * new image (another inode) or a new base. Limits: ids inside POSIX ACLs and the rootid
 * of v3 file capabilities are not rewritten, and chown() drops file capabilities. */
static int rootfs_chown(Container *c, Failure *f) {
        const Config *config = c->config;
        _cleanup_close_ int root_fd = -EBADF, state_fd = -EBADF;
        _cleanup_free_ char *rel = NULL;
        ChownRecord rec, old;
        struct stat st;
        int r;

        root_fd = open(config->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root_fd < 0)
                return failf(f, errno, "Failed to open rootfs '%s'", config->rootfs);
        if (fstat(root_fd, &st) < 0)
                return failf(f, errno, "Failed to stat rootfs '%s'", config->rootfs);

        r = mkdir_p_at(AT_FDCWD, CHOWN_STATE_DIR, 0755, &state_fd);
        if (r < 0)
                return failf(f, r, "Failed to create '%s'", CHOWN_STATE_DIR);

        rec = (ChownRecord){
                .dev = (uint64_t)st.st_dev,
                .ino = (uint64_t)st.st_ino,
                .from = 0,
                .to = c->uid_base,
                .size = c->uid_size,
        };

        r = chown_record_read(state_fd, c->name, &old);
        if (r < 0 && r != -ENOENT)
                return failf(f, r, "Failed to read '%s/%s'", CHOWN_STATE_DIR, c->name);
        if (r >= 0 && old.dev == rec.dev && old.ino == rec.ino) {
                if (old.done && old.to == rec.to && old.size == rec.size)
                        return 0; /* shifted before */
                if (old.size != rec.size)
                        return failf(f, EINVAL,
                                     "Failed to shift ownership of rootfs '%s': it was shifted with range "
                                     "size %" PRIu32 ", now %" PRIu32,
                                     config->rootfs, old.size, rec.size);
                if (!old.done && old.to != rec.to)
                        return failf(f, EBUSY,
                                     "Failed to shift ownership of rootfs '%s': an interrupted shift to "
                                     "base %" PRIu32
                                     " is recorded in '%s/%s'; finish it with that base first",
                                     config->rootfs, old.to, CHOWN_STATE_DIR, c->name);
                /* Resume an interrupted shift, or move a finished one to the new base. */
                rec.from = old.done ? old.to : old.from;
        }

        /* Overlapping ranges would make "already shifted" ambiguous. */
        if (rec.from != rec.to && rec.from < rec.to + rec.size && rec.to < rec.from + rec.size)
                return failf(f, EINVAL,
                             "Failed to shift ownership of rootfs '%s': ranges %" PRIu32 "+%" PRIu32
                             " and %" PRIu32 "+%" PRIu32 " overlap",
                             config->rootfs, rec.from, rec.size, rec.to, rec.size);

        r = chown_record_write(state_fd, c->name, &rec);
        if (r < 0)
                return failf(f, r, "Failed to write '%s/%s'", CHOWN_STATE_DIR, c->name);

        rel = calloc(1, PATH_MAX);
        if (!rel)
                return failf(f, ENOMEM, "Failed to shift ownership of rootfs '%s'", config->rootfs);

        r = shift_tree(root_fd, st.st_dev, &rec, rel, 0, 0);
        if (r < 0)
                return failf(f, r, "Failed to shift ownership of '%s%s' into the range %" PRIu32 "+%" PRIu32,
                             config->rootfs, rel, rec.to, rec.size);
        r = shift_entry(root_fd, "", &st, &rec);
        if (r < 0)
                return failf(f, r, "Failed to shift ownership of rootfs '%s'", config->rootfs);

        rec.done = true;
        r = chown_record_write(state_fd, c->name, &rec);
        if (r < 0)
                return failf(f, r, "Failed to write '%s/%s'", CHOWN_STATE_DIR, c->name);
        return 0;
}

int mount_prepare_trees(Container *c, int userns_fd, Failure *f) {
        const Config *config;
        int r;

        assert(c && c->config && f);
        config = c->config;

        c->root_tree_fd = -EBADF;
        c->bind_tree_fds = NULL;
        c->n_bind_tree_fds = 0;

        if (c->userns && userns_fd < 0)
                return failf(f, EBADF, "Failed to prepare rootfs '%s': no user namespace fd",
                             strna(config->rootfs));

        if (c->userns && config->user_namespace.ownership == OWNERSHIP_CHOWN) {
                if (isempty(config->rootfs) || config->rootfs[0] != '/')
                        return failf(f, EINVAL, "Failed to open rootfs '%s': not an absolute path",
                                     strna(config->rootfs));
                r = rootfs_chown(c, f);
                if (r < 0)
                        return r;
        }

        r = prepare_root_tree(c, userns_fd, f);
        if (r < 0)
                return r;

        if (config->n_mounts > 0) {
                c->bind_tree_fds = malloc(config->n_mounts * sizeof(int));
                if (!c->bind_tree_fds) {
                        mount_trees_close(c);
                        return failf(f, ENOMEM, "Failed to prepare the mounts of rootfs '%s'",
                                     config->rootfs);
                }
                for (size_t i = 0; i < config->n_mounts; i++)
                        c->bind_tree_fds[i] = -EBADF;
                c->n_bind_tree_fds = config->n_mounts;
        }

        for (size_t i = 0; i < config->n_mounts; i++) {
                const MountSpec *m = &config->mounts[i];

                if (m->type != MOUNT_BIND)
                        continue;

                r = prepare_bind_tree(c, m, i, userns_fd, &c->bind_tree_fds[i], f);
                if (r < 0) {
                        mount_trees_close(c);
                        return r;
                }
        }

        return 0;
}

void mount_trees_close(Container *c) {
        if (!c)
                return;

        c->root_tree_fd = safe_close(c->root_tree_fd);
        for (size_t i = 0; i < c->n_bind_tree_fds; i++)
                c->bind_tree_fds[i] = safe_close(c->bind_tree_fds[i]);
        free(c->bind_tree_fds);
        c->bind_tree_fds = NULL;
        c->n_bind_tree_fds = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Child side */

/* Clones a mount of our (still host-shaped) mount namespace, for the fallbacks where
 * the kernel will not let a user namespace create a fresh superblock. */
static int host_tree_clone(const char *path, uint64_t attr, int *ret) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = tree_clone(AT_FDCWD, path, AT_RECURSIVE | AT_SYMLINK_NOFOLLOW, &fd);
        if (r < 0)
                return r;
        r = tree_set_attr(fd, attr, 0, /* recursive= */ true, -EBADF);
        if (r < 0)
                return r;
        *ret = TAKE_FD(fd);
        return 0;
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

static int mount_proc(const Container *c, int root_fd, int *ret_proc_fd, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        int r = -EPERM;

        r = open_api_dir(root_fd, "proc", "procfs", &target_fd, f);
        if (r < 0)
                return r;

        /* A procfs of our own shows our pid namespace. Without one, or when the kernel
         * refuses (a user namespace that does not own the pid namespace), the host's
         * /proc is bound instead: still masked and read-only below. */
        r = -EPERM;
        if (c->config->namespaces.pid) {
                r = fs_new_mount("proc", NULL, MOUNT_ATTR_SAFE, &mnt_fd);
                if (r < 0 && r != -EPERM)
                        return failf(f, r, "Failed to mount procfs on '/proc'");
        }
        if (r == -EPERM) {
                r = host_tree_clone("/proc", MOUNT_ATTR_SAFE, &mnt_fd);
                if (r < 0)
                        return failf(f, r, "Failed to bind-mount the host's '/proc' on '/proc'");
        }

        /* Everything we later mask or write below /proc goes through this fd: make sure
         * it really is procfs. */
        r = fd_is_fs_type(mnt_fd, PROC_SUPER_MAGIC);
        if (r < 0)
                return failf(f, r, "Failed to check the filesystem of '/proc'");
        if (r == 0)
                return failf(f, EBADF, "Failed to mount '/proc': not procfs");

        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to attach procfs on '/proc'");

        *ret_proc_fd = TAKE_FD(mnt_fd);
        return 0;
}

static int mount_cgroup(const Container *c, int sys_fd, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        /* Writable cgroupfs lets a container escape its limits (CVE-2023-25809); only a
         * booted systemd gets its delegated subtree writable. */
        uint64_t attr = MOUNT_ATTR_SAFE | (c->config->boot ? 0 : MOUNT_ATTR_RDONLY);
        int r;

        target_fd = open_beneath(sys_fd, "fs/cgroup", O_PATH | O_DIRECTORY);
        if (target_fd < 0)
                return failf(f, target_fd, "Failed to open '/sys/fs/cgroup'");

        /* Without a cgroup namespace of our own we bind the host's mount, which shows
         * the same tree. A fresh cgroup2 superblock made from the initial cgroup
         * namespace would apply its (empty) options to the one global hierarchy: clear
         * systemd's nsdelegate and memory_recursiveprot on the whole host, and wait for
         * an RCU grace period when it flips favordynmods. */
        r = c->config->namespaces.cgroup ? fs_new_mount("cgroup2", NULL, attr, &mnt_fd) : -EPERM;
        if (r == -EPERM) /* no cgroup namespace, or one a user namespace may not mount */
                r = host_tree_clone("/sys/fs/cgroup", attr, &mnt_fd);
        if (r < 0)
                return failf(f, r, "Failed to mount cgroup2 on '/sys/fs/cgroup'");

        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to attach cgroup2 on '/sys/fs/cgroup'");
        return 0;
}

static int mount_sys(const Container *c, int root_fd, int *ret_sys_fd, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        int r;

        r = open_api_dir(root_fd, "sys", "sysfs", &target_fd, f);
        if (r < 0)
                return r;

        /* sysfs shows the network devices of the mounter's netns; a user namespace may
         * mount it only when it owns that netns. Otherwise bind the host's, read-only. */
        r = fs_new_mount("sysfs", NULL, MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY, &mnt_fd);
        if (r == -EPERM) {
                r = host_tree_clone("/sys", MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY, &mnt_fd);
                if (r < 0)
                        return failf(f, r, "Failed to bind-mount the host's '/sys' on '/sys'");
        }
        if (r < 0)
                return failf(f, r, "Failed to mount sysfs on '/sys'");

        r = fd_is_fs_type(mnt_fd, SYSFS_MAGIC);
        if (r < 0)
                return failf(f, r, "Failed to check the filesystem of '/sys'");
        if (r == 0)
                return failf(f, EBADF, "Failed to mount '/sys': not sysfs");

        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to attach sysfs on '/sys'");

        r = mount_cgroup(c, mnt_fd, f);
        if (r < 0)
                return r;

        *ret_sys_fd = TAKE_FD(mnt_fd);
        return 0;
}

/* The only devices a container gets (docs/SECURITY.md row 9). Without a user namespace
 * each is a node of the container's own /dev tmpfs (mknod: no host inode to reach, and
 * one system call instead of a mount); a user namespace cannot mknod, so there each is
 * a read-only bind mount of the host's node, checked to be the device it claims. */
static const struct {
        const char *name;
        unsigned major, minor;
} dev_nodes[] = {
        {"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

static bool stat_is_chr(const struct stat *st, unsigned major, unsigned minor) {
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(major, minor);
}

static int bind_dev_node(int dev_fd, const char *name, unsigned major, unsigned minor, Failure *f) {
        _cleanup_close_ int src_fd = -EBADF, target_fd = -EBADF;
        char path[64];
        struct stat st;
        int r;

        snprintf(path, sizeof(path), "/dev/%s", name);

        r = tree_clone(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, &src_fd);
        if (r < 0)
                return failf(f, r, "Failed to clone the host's '%s'", path);
        if (fstat(src_fd, &st) < 0)
                return failf(f, errno, "Failed to stat the host's '%s'", path);
        if (!stat_is_chr(&st, major, minor))
                return failf(f, ENODEV,
                             "Failed to bind-mount '%s': the host's node is not the character device %u:%u",
                             path, major, minor);

        /* Read-only: the inode is the host's, and without a user namespace container root
         * (CAP_FOWNER, CAP_CHOWN) could chmod, chown or touch the host's /dev/null through
         * it. A read-only mount refuses those; reads and writes of a device are no changes
         * to the file system and still work. */
        r = tree_set_attr(src_fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY, 0, true,
                          -EBADF);
        if (r < 0)
                return failf(f, r, "Failed to set mount attributes of '%s'", path);

        target_fd = openat(dev_fd, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0666);
        if (target_fd < 0)
                return failf(f, errno, "Failed to create mount point '%s'", path);

        r = tree_attach(src_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to bind-mount '%s'", path);
        return 0;
}

static int mount_dev_sub(int dev_fd, const char *name, const char *fstype, const char *const *options,
                         uint64_t attr, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        int r;

        if (mkdirat(dev_fd, name, 0755) < 0)
                return failf(f, errno, "Failed to create mount point '/dev/%s'", name);
        target_fd = open_beneath(dev_fd, name, O_PATH | O_DIRECTORY);
        if (target_fd < 0)
                return failf(f, target_fd, "Failed to open '/dev/%s'", name);

        r = fs_new_mount(fstype, options, attr, &mnt_fd);
        if (r == -EPERM && streq(fstype, "mqueue"))
                /* No IPC namespace of our own: show the host's queues, as the IPC
                 * namespace toggle asked for. */
                r = host_tree_clone("/dev/mqueue", attr, &mnt_fd);
        if (r < 0)
                return failf(f, r, "Failed to mount %s on '/dev/%s'", fstype, name);

        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to attach %s on '/dev/%s'", fstype, name);
        return 0;
}

static int mount_dev(const Container *c, int root_fd, int *ret_dev_fd, Failure *f) {
        static const char *const dev_options[] = {"mode", "0755", "size", "4m", "nr_inodes", "1k", NULL};
        static const char *const shm_options[] = {"mode", "1777", NULL};
        static const char *const links[][2] = {
                {"ptmx", "pts/ptmx"},          {"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
                {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
        };
        _cleanup_close_ int target_fd = -EBADF, dev_fd = -EBADF;
        int r;

        r = open_api_dir(root_fd, "dev", "tmpfs", &target_fd, f);
        if (r < 0)
                return r;

        r = fs_new_mount("tmpfs", dev_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, &dev_fd);
        if (r < 0)
                return failf(f, r, "Failed to mount tmpfs on '/dev'");
        r = tree_attach(dev_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to attach tmpfs on '/dev'");

        for (size_t i = 0; i < ELEMENTSOF(dev_nodes); i++) {
                if (!c->userns) {
                        if (mknodat(dev_fd, dev_nodes[i].name, S_IFCHR | 0666,
                                    makedev(dev_nodes[i].major, dev_nodes[i].minor)) < 0 ||
                            fchmodat(dev_fd, dev_nodes[i].name, 0666, 0) < 0) /* past the umask */
                                return failf(f, errno, "Failed to create '/dev/%s'", dev_nodes[i].name);
                        continue;
                }
                r = bind_dev_node(dev_fd, dev_nodes[i].name, dev_nodes[i].major, dev_nodes[i].minor, f);
                if (r < 0)
                        return r;
        }

        /* gid=5 ("tty") only when the container can name it; a gid outside the map is
         * refused by devpts. */
        bool tty_gid = !c->userns || c->uid_size > 5;
        const char *const pts_options[] = {
                "newinstance", NULL, "ptmxmode", "0666", "mode", "0620", tty_gid ? "gid" : NULL, "5", NULL,
        };
        r = mount_dev_sub(dev_fd, "pts", "devpts", pts_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, f);
        if (r < 0)
                return r;
        r = mount_dev_sub(dev_fd, "shm", "tmpfs", shm_options, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, f);
        if (r < 0)
                return r;
        r = mount_dev_sub(dev_fd, "mqueue", "mqueue", NULL, MOUNT_ATTR_SAFE, f);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                if (symlinkat(links[i][1], dev_fd, links[i][0]) < 0)
                        return failf(f, errno, "Failed to create symlink '/dev/%s'", links[i][0]);

        *ret_dev_fd = TAKE_FD(dev_fd);
        return 0;
}

/* Opens the mount point 'path' inside the root, creating what is missing. Every step is
 * resolved from root_fd with RESOLVE_IN_ROOT, and every new entry is made with *at()
 * below a directory fd that was itself resolved in the root: a symlink to "/" or
 * "../.." in the image leads back into the root, never out (CVE-2021-30465). */
static int open_mount_point(int root_fd, const char *path, bool dir, int *ret) {
        _cleanup_free_ char *p = NULL;
        _cleanup_close_ int cur_fd = -EBADF;
        struct stat st;
        char *s;
        int fd;

        fd = open_in_root(root_fd, path, O_PATH);
        if (fd == -ENOENT) {
                p = strdup(path);
                if (!p)
                        return -ENOMEM;

                cur_fd = open_in_root(root_fd, "/", O_PATH | O_DIRECTORY);
                if (cur_fd < 0)
                        return cur_fd;

                for (s = p; *s == '/'; s++)
                        ;
                while (*s) {
                        char *e = strchrnul(s, '/'), *n = e, saved = *e;
                        bool last;
                        int next_fd;

                        while (*n == '/')
                                n++;
                        last = *n == '\0';
                        *e = '\0'; /* p is now the prefix up to and including this component */

                        next_fd = open_in_root(root_fd, p, O_PATH);
                        if (next_fd == -ENOENT) {
                                if (!last || dir) {
                                        if (mkdirat(cur_fd, s, 0755) < 0 && errno != EEXIST)
                                                return negative_errno();
                                } else {
                                        int file_fd = openat(
                                                cur_fd, s,
                                                O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
                                        if (file_fd < 0 && errno != EEXIST)
                                                return negative_errno();
                                        safe_close(file_fd);
                                }
                                next_fd = open_in_root(root_fd, p, O_PATH);
                        }
                        if (next_fd < 0)
                                return next_fd;

                        safe_close(cur_fd);
                        cur_fd = next_fd;
                        *e = saved;
                        s = n;
                }
                fd = TAKE_FD(cur_fd);
        }
        if (fd < 0)
                return fd;

        if (fstat(fd, &st) < 0) {
                safe_close(fd);
                return negative_errno();
        }
        if (dir != !!S_ISDIR(st.st_mode)) {
                safe_close(fd);
                return dir ? -ENOTDIR : -EISDIR;
        }

        *ret = fd;
        return 0;
}

/* tmpfs options: mount flags become mount attributes, the rest goes to the filesystem.
 * nosuid and nodev always hold. */
static int tmpfs_configure(int fs_fd, const char *options, uint64_t *attr, char **ret_bad) {
        _cleanup_free_ char *copy = NULL;
        char *state = NULL;

        *ret_bad = NULL;
        if (isempty(options))
                return 0;

        copy = strdup(options);
        if (!copy)
                return -ENOMEM;

        for (char *o = strtok_r(copy, ",", &state); o; o = strtok_r(NULL, ",", &state)) {
                static const struct {
                        const char *name;
                        uint64_t set, clear;
                } flags[] = {
                        {"ro", MOUNT_ATTR_RDONLY, 0},
                        {"rw", 0, MOUNT_ATTR_RDONLY},
                        {"noexec", MOUNT_ATTR_NOEXEC, 0},
                        {"exec", 0, MOUNT_ATTR_NOEXEC},
                        {"nosuid", MOUNT_ATTR_NOSUID, 0},
                        {"nodev", MOUNT_ATTR_NODEV, 0},
                        {"noatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME},
                        {"relatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME},
                        {"strictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME},
                        {"nodiratime", MOUNT_ATTR_NODIRATIME, 0},
                };
                bool done = false;
                char *eq;
                int r;

                for (size_t i = 0; i < ELEMENTSOF(flags); i++)
                        if (streq(o, flags[i].name)) {
                                *attr = (*attr & ~flags[i].clear) | flags[i].set;
                                done = true;
                        }
                if (done)
                        continue;

                if (streq(o, "suid") || streq(o, "dev")) {
                        *ret_bad = strdup(o);
                        return -EPERM;
                }

                eq = strchr(o, '=');
                if (eq)
                        *eq++ = '\0';
                r = fs_set(fs_fd, o, eq);
                if (r < 0) {
                        if (eq)
                                eq[-1] = '=';
                        *ret_bad = strdup(o);
                        return r;
                }
        }
        return 0;
}

static int mount_entry(const Container *c, int root_fd, size_t i, Failure *f) {
        const MountSpec *m = &c->config->mounts[i];
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF, fs_fd = -EBADF;
        bool dir = true;
        int r;

        if (m->type == MOUNT_BIND) {
                struct stat st;

                if (i >= c->n_bind_tree_fds || c->bind_tree_fds[i] < 0)
                        return failf(f, EBADF, "Failed to bind-mount '%s' on '%s': source tree missing",
                                     strna(m->source), m->target);
                if (fstat(c->bind_tree_fds[i], &st) < 0)
                        return failf(f, errno, "Failed to stat bind source '%s'", strna(m->source));
                dir = S_ISDIR(st.st_mode);
        }

        r = open_mount_point(root_fd, m->target, dir, &target_fd);
        if (r < 0)
                return failf(f, r, "Failed to create mount point '%s' (mounts[%zu]) in the rootfs",
                             m->target, i);

        if (m->type == MOUNT_BIND) {
                r = tree_attach(c->bind_tree_fds[i], target_fd);
                if (r < 0)
                        return failf(f, r, "Failed to bind-mount '%s' on '%s'", strna(m->source), m->target);
                return 0;
        }

        _cleanup_free_ char *bad = NULL;
        uint64_t attr = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

        r = fs_open("tmpfs", &fs_fd);
        if (r < 0)
                return failf(f, r, "Failed to mount tmpfs on '%s'", m->target);
        r = tmpfs_configure(fs_fd, m->options, &attr, &bad);
        if (r == -ENOMEM && !bad)
                return failf(f, r, "Failed to mount tmpfs on '%s'", m->target);
        if (r < 0)
                return failf(f, r, "Failed to mount tmpfs on '%s': option '%s' refused", m->target,
                             strna(bad));
        r = fs_mount(fs_fd, attr, &mnt_fd);
        if (r < 0)
                return failf(f, r, "Failed to mount tmpfs on '%s' with options '%s'", m->target,
                             strna(m->options));
        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to attach tmpfs on '%s'", m->target);
        return 0;
}

/* Hides /proc and /sys entries that leak host state or allow host-wide actions
 * (docs/SECURITY.md row 5). Files are covered by our /dev/null, checked by fd to be the
 * character device 1:3 right before it is cloned: a /dev/null swapped for a symlink or
 * a regular file would unmask the path or expose a host file (CVE-2025-31133).
 * Directories get an empty read-only tmpfs. */
static int mask_path(int dir_fd, const char *dir_name, const char *name, int null_fd, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        struct stat st;
        int r;

        target_fd = open_beneath(dir_fd, name, O_PATH);
        if (target_fd == -ENOENT)
                return 0; /* this kernel does not have it */
        if (target_fd < 0)
                return failf(f, target_fd, "Failed to open '/%s/%s' to mask it", dir_name, name);
        if (fstat(target_fd, &st) < 0)
                return failf(f, errno, "Failed to stat '/%s/%s'", dir_name, name);

        if (S_ISDIR(st.st_mode)) {
                static const char *const options[] = {"mode", "0555", "size", "4k", "nr_inodes", "1", NULL};

                r = fs_new_mount("tmpfs", options, MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY, &mnt_fd);
                if (r < 0)
                        return failf(f, r, "Failed to mount tmpfs over '/%s/%s'", dir_name, name);
        } else {
                r = tree_clone(null_fd, "", AT_EMPTY_PATH, &mnt_fd);
                if (r < 0)
                        return failf(f, r, "Failed to clone '/dev/null' to mask '/%s/%s'", dir_name, name);
                /* Check what we are about to mount, not a path. */
                if (fstat(mnt_fd, &st) < 0)
                        return failf(f, errno, "Failed to stat '/dev/null'");
                if (!stat_is_chr(&st, 1, 3))
                        return failf(f, ENODEV,
                                     "Failed to mask '/%s/%s': '/dev/null' is not the character device 1:3",
                                     dir_name, name);
                /* Not nodev: the mask must read as an empty file, not fail to open. */
                r = tree_set_attr(mnt_fd, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_RDONLY, 0, true,
                                  -EBADF);
                if (r < 0)
                        return failf(f, r, "Failed to make the mask of '/%s/%s' read-only", dir_name, name);
        }

        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to mask '/%s/%s'", dir_name, name);
        return 0;
}

static int make_readonly(int dir_fd, const char *dir_name, const char *name, Failure *f) {
        _cleanup_close_ int target_fd = -EBADF, mnt_fd = -EBADF;
        int r;

        target_fd = open_beneath(dir_fd, name, O_PATH);
        if (target_fd == -ENOENT)
                return 0;
        if (target_fd < 0)
                return failf(f, target_fd, "Failed to open '/%s/%s'", dir_name, name);

        r = tree_clone(target_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &mnt_fd);
        if (r < 0)
                return failf(f, r, "Failed to clone '/%s/%s'", dir_name, name);
        r = tree_set_attr(mnt_fd, MOUNT_ATTR_SAFE | MOUNT_ATTR_RDONLY, 0, true, -EBADF);
        if (r < 0)
                return failf(f, r, "Failed to make '/%s/%s' read-only", dir_name, name);
        r = tree_attach(mnt_fd, target_fd);
        if (r < 0)
                return failf(f, r, "Failed to mount '/%s/%s' read-only", dir_name, name);
        return 0;
}

static int mount_masks(int proc_fd, int sys_fd, int dev_fd, Failure *f) {
        static const char *const proc_masked[] = {
                "acpi", "asound", "kcore", "keys", "latency_stats", "timer_list", "sched_debug", "scsi",
        };
        static const char *const proc_readonly[] = {"bus", "fs", "irq", "sys", "sysrq-trigger"};
        _cleanup_close_ int null_fd = -EBADF;
        int r;

        null_fd = open_beneath(dev_fd, "null", O_PATH);
        if (null_fd < 0)
                return failf(f, null_fd, "Failed to open '/dev/null'");

        for (size_t i = 0; i < ELEMENTSOF(proc_masked); i++) {
                r = mask_path(proc_fd, "proc", proc_masked[i], null_fd, f);
                if (r < 0)
                        return r;
        }
        r = mask_path(sys_fd, "sys", "firmware", null_fd, f);
        if (r < 0)
                return r;

        for (size_t i = 0; i < ELEMENTSOF(proc_readonly); i++) {
                r = make_readonly(proc_fd, "proc", proc_readonly[i], f);
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

int mount_setup_root(Container *c, Failure *f) {
        const Config *config;
        _cleanup_close_ int proc_fd = -EBADF, sys_fd = -EBADF, dev_fd = -EBADF;
        int root_fd, r;

        assert(c && c->config && f);
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

        r = mount_proc(c, root_fd, &proc_fd, f);
        if (r < 0)
                return r;
        r = mount_sys(c, root_fd, &sys_fd, f);
        if (r < 0)
                return r;
        r = mount_dev(c, root_fd, &dev_fd, f);
        if (r < 0)
                return r;
        failpoint("child:after-api-mounts");
        /* "boot": /run, /tmp, /run/host, /dev/console (boot.c); before the binds, which
         * may mount over them. */
        r = boot_mount_setup(c, root_fd, f);
        if (r < 0)
                return r;

        for (size_t i = 0; i < config->n_mounts; i++) {
                r = mount_entry(c, root_fd, i, f);
                if (r < 0)
                        return r;
        }
        failpoint("child:after-binds");

        r = mount_masks(proc_fd, sys_fd, dev_fd, f);
        if (r < 0)
                return r;
        r = boot_mount_finish(c, root_fd, f); /* "boot": /proc/sys/net writable again */
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
