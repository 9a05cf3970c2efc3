/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "macro.h"
#include "mount-api.h"

int fs_open(const char *fstype, int *ret) {
        int fd = fsopen(fstype, FSOPEN_CLOEXEC);

        if (fd < 0)
                return negative_errno();
        *ret = fd;
        return 0;
}

int fs_set(int fs_fd, const char *key, const char *value) {
        return RET_NERRNO(fsconfig(fs_fd, value ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, key, value, 0));
}

int fs_mount(int fs_fd, uint64_t attr, int *ret) {
        int fd;

        if (fsconfig(fs_fd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
                return negative_errno();
        fd = fsmount(fs_fd, FSMOUNT_CLOEXEC, (unsigned)attr);
        if (fd < 0)
                return negative_errno();
        *ret = fd;
        return 0;
}

int fs_new_mount(const char *fstype, const char *const *options, uint64_t attr, int *ret) {
        _cleanup_close_ int fs_fd = -EBADF;
        int r;

        r = fs_open(fstype, &fs_fd);
        if (r < 0)
                return r;
        for (const char *const *o = options; o && *o; o += 2) {
                r = fs_set(fs_fd, o[0], o[1]);
                if (r < 0)
                        return r;
        }
        return fs_mount(fs_fd, attr, ret);
}

int tree_clone(int dir_fd, const char *path, unsigned flags, int *ret) {
        int fd = open_tree(dir_fd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | flags);

        if (fd < 0)
                return negative_errno();
        *ret = fd;
        return 0;
}

int tree_set_attr(int tree_fd, uint64_t attr_set, uint64_t attr_clr, bool recursive, int userns_fd) {
        struct mount_attr attr = {
                .attr_set = attr_set,
                .attr_clr = attr_clr,
                .userns_fd = (uint64_t)(attr_set & MOUNT_ATTR_IDMAP ? userns_fd : 0),
        };

        if (attr_set == 0 && attr_clr == 0)
                return 0;
        return RET_NERRNO(mount_setattr(tree_fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
                                        sizeof(attr)));
}

int tree_make_private(int tree_fd) {
        struct mount_attr attr = {.propagation = MS_PRIVATE};

        return RET_NERRNO(mount_setattr(tree_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)));
}

int tree_attach(int tree_fd, int target_fd) {
        return RET_NERRNO(
                move_mount(tree_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH));
}
