/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The config's "mounts" (nscontain.json(5)), child side: binds of the trees the parent
 * cloned (mount-trees.c) and tmpfs entries, each onto a target opened inside the root
 * by fd (docs/SECURITY.md row 3). */

#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "helper.h"
#include "mount-api.h"

/* Opens the mount point 'path' inside the root, creating what is missing. Every step is
 * resolved from root_fd with RESOLVE_IN_ROOT, and every new entry is made with *at()
 * below a directory fd that was itself resolved in the root: a symlink to "/" or
 * "../.." in the image leads back into the root, never out (CVE-2021-30465). */
int mount_point_open(int root_fd, const char *path, bool dir, int *ret) {
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

static int mount_user_entry(const Container *c, int root_fd, size_t i, Failure *f) {
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

        r = mount_point_open(root_fd, m->target, dir, &target_fd);
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

int mount_user_entries(const Container *c, int root_fd, Failure *f) {
        int r;

        for (size_t i = 0; i < c->config->n_mounts; i++) {
                r = mount_user_entry(c, root_fd, i, f);
                if (r < 0)
                        return r;
        }
        return 0;
}
