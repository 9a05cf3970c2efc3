/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "sysctl" (nscontain.json(5)), child side: only keys the kernel keeps per namespace
 * (the config refuses the others), written from inside the container's namespaces once
 * they exist, so each lands on the container's own value: /proc/sys/net resolves to the
 * writer's network namespace, the IPC keys and fs.mqueue.* to its IPC namespace,
 * kernel.domainname is its UTS namespace's (set with setdomainname(2), which a user
 * namespace's root may call where the procfs file stays the host root's).
 *
 * Every write goes through a procfs instance of our own, detached, that nothing in the
 * image or the config's mounts can reach or cover: each file opened beneath it with
 * openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)
 * and checked to be procfs itself (docs/SECURITY.md row 16). */

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "fs-util.h"
#include "helper.h"
#include "mount-api.h"

int procfs_instance(const char *what, int *ret, Failure *f) {
        _cleanup_close_ int mnt_fd = -EBADF;
        int r;

        r = fs_new_mount("proc", NULL, MOUNT_ATTR_SAFE, &mnt_fd);
        if (r < 0)
                return failf(f, r, "Failed to mount a procfs instance for %s", what);
        r = fd_is_fs_type(mnt_fd, PROC_SUPER_MAGIC);
        if (r <= 0)
                return failf(f, r < 0 ? r : EBADF, "Failed to mount a procfs instance for %s: not procfs",
                             what);
        *ret = TAKE_FD(mnt_fd);
        return 0;
}

int proc_sys_write(int proc_fd, const char *key, const char *value, Failure *f) {
        _cleanup_close_ int fd = -EBADF;
        char path[300];
        size_t n;
        int r;

        /* "net.ipv4.ping_group_range" → "sys/net/ipv4/ping_group_range" */
        n = (size_t)snprintf(path, sizeof(path), "sys/%s", key);
        if (n >= sizeof(path))
                return failf(f, ENAMETOOLONG, "Failed to set sysctl %s", key);
        for (char *p = path + 4; *p; p++)
                if (*p == '.')
                        *p = '/';

        fd = openat2_fd(proc_fd, path, O_WRONLY,
                        RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV);
        if (fd < 0)
                return failf(f, fd, "Failed to set sysctl %s: cannot open /proc/%s", key, path);
        r = fd_is_fs_type(fd, PROC_SUPER_MAGIC);
        if (r <= 0)
                return failf(f, r < 0 ? r : EBADF, "Failed to set sysctl %s: /proc/%s is not procfs", key,
                             path);
        /* One write(2) with the newline, as sysctl(8) does: procfs takes a value whole. */
        _cleanup_free_ char *line = NULL;
        if (asprintf(&line, "%s\n", value) < 0)
                return failf(f, ENOMEM, "Failed to allocate memory");
        ssize_t w = write(fd, line, strlen(line));
        if (w < 0)
                return failf(f, errno, "Failed to set sysctl %s to '%s'", key, value);
        if ((size_t)w != strlen(line))
                return failf(f, EIO, "Failed to set sysctl %s to '%s': a short write", key, value);
        return 0;
}

int sysctl_apply(const Container *c, Failure *f) {
        const Config *config = c->config;
        _cleanup_close_ int proc_fd = -EBADF;
        int r;

        for (size_t i = 0; i < config->n_sysctl; i++) {
                const char *key = config->sysctl[i].key, *value = config->sysctl[i].value;

                if (streq(key, "kernel.domainname")) {
                        if (setdomainname(value, strlen(value)) < 0)
                                return failf(f, errno, "Failed to set sysctl %s to '%s'", key, value);
                        continue;
                }
                if (proc_fd < 0) {
                        /* A procfs of our own needs the container's own pid namespace when
                         * it has a user namespace. */
                        r = procfs_instance("\"sysctl\"", &proc_fd, f);
                        if (r < 0)
                                return r;
                }
                r = proc_sys_write(proc_fd, key, value, f);
                if (r < 0)
                        return r;
        }
        return 0;
}
