/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"

int openat2_fd(int dir_fd, const char *path, int flags, uint64_t resolve) {
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .resolve = resolve,
        };
        unsigned tries = 0;
        int fd;

        do
                fd = (int)syscall(SYS_openat2, dir_fd, path, &how, sizeof(how));
        while (fd < 0 && errno == EAGAIN && ++tries < OPENAT2_EAGAIN_TRIES);

        return fd < 0 ? negative_errno() : fd;
}

int open_in_root(int root_fd, const char *path, int flags) {
        return openat2_fd(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
}

int open_beneath(int dir_fd, const char *path, int flags) {
        return openat2_fd(dir_fd, path, flags,
                          RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS);
}

int fd_is_fs_type(int fd, unsigned long magic) {
        struct statfs sfs;

        if (fstatfs(fd, &sfs) < 0)
                return negative_errno();
        return (unsigned long)sfs.f_type == magic;
}
