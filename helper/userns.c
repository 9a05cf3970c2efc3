/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "fs-util.h"
#include "spawn.h"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* Since Linux 6.11 a pidfd hands out the namespaces of its process without a trip
 * through /proc (linux/pidfd.h; Debian 12's headers predate it). */
#ifndef PIDFD_GET_USER_NAMESPACE
#define PIDFS_IOCTL_MAGIC        0xFF
#define PIDFD_GET_USER_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 9)
#endif

/* A container image or a confused mount table could put something that is not procfs
 * where we expect /proc (CVE-2019-16884): every proc file we write is checked by its
 * fd, after opening, so there is no window between the check and the write. */
static int proc_write(int proc_pid_fd, pid_t pid, const char *file, const char *text, Failure *f) {
        _cleanup_close_ int fd = -EBADF;
        size_t n = strlen(text);
        ssize_t k;

        fd = openat(proc_pid_fd, file, O_WRONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY);
        if (fd < 0)
                return failf(f, errno, "Failed to open /proc/%i/%s", (int)pid, file);
        if (fd_is_fs_type(fd, PROC_SUPER_MAGIC) <= 0)
                return failf(f, EXDEV, "Refusing to write /proc/%i/%s: not on procfs", (int)pid, file);

        /* The map files take exactly one write(2). */
        k = write(fd, text, n);
        if (k < 0)
                return failf(f, errno, "Failed to write '%.*s' to /proc/%i/%s", (int)strcspn(text, "\n"),
                             text, (int)pid, file);
        if ((size_t)k != n)
                return failf(f, EIO, "Short write to /proc/%i/%s", (int)pid, file);
        return 0;
}

int userns_write_maps(pid_t pid, uint32_t base, uint32_t size, const char *setgroups, Failure *f) {
        _cleanup_close_ int dir_fd = -EBADF;
        char path[64], line[64];
        int r;

        if (size == 0 || (uint64_t)base + size - 1 > UINT32_MAX - 1)
                return failf(f, EINVAL, "Invalid user namespace range %" PRIu32 "+%" PRIu32, base, size);

        snprintf(path, sizeof(path), "/proc/%i", (int)pid);
        dir_fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0)
                return failf(f, errno, "Failed to open %s", path);

        /* CVE-2014-8989: with setgroups allowed, a process in the namespace could drop
         * supplementary groups that deny it access (negative group permissions). It must
         * be written before gid_map, after which the kernel refuses the change. */
        r = proc_write(dir_fd, pid, "setgroups", setgroups, f); /* "allow" for boot: boot.h */
        if (r < 0)
                return r;

        snprintf(line, sizeof(line), "0 %" PRIu32 " %" PRIu32 "\n", base, size);
        r = proc_write(dir_fd, pid, "uid_map", line, f);
        if (r < 0)
                return r;
        return proc_write(dir_fd, pid, "gid_map", line, f);
}

int userns_open(int pidfd, pid_t pid, Failure *f) {
        _cleanup_close_ int fd = -EBADF;
        char path[64];

        fd = ioctl(pidfd, PIDFD_GET_USER_NAMESPACE, 0);
        if (fd < 0) {
                if (errno != ENOTTY && errno != EINVAL && errno != EOPNOTSUPP)
                        return failf(f, errno, "Failed to get the user namespace of PID %i", (int)pid);

                /* Older kernels: the pid cannot be recycled under us, since it is our
                 * unreaped child. */
                snprintf(path, sizeof(path), "/proc/%i/ns/user", (int)pid);
                fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return failf(f, errno, "Failed to open %s", path);
        }
        if (fd_is_fs_type(fd, NSFS_MAGIC) <= 0)
                return failf(f, EXDEV, "The user namespace of PID %i is not on nsfs", (int)pid);

        return TAKE_FD(fd);
}
