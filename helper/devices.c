/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "devices" (nscontain.json(5); docs/SECURITY.md row 9), child side: each host node at
 * the same path in the container's own /dev tmpfs, after the standard nodes. The unit's
 * DeviceAllow= (from the same key) is what lets the container use it; this makes it
 * appear. Without a user namespace the node is the container's own (mknod, with the
 * host node's type, number, mode and owner); where the device cgroup refuses the mknod
 * (DeviceAllow= without "m") and with a user namespace (which cannot mknod) it is a
 * read-only bind of the host's node, checked by fd to be that device: the kernel then
 * applies the host node's owner and mode, seen through the mapping (an owner outside
 * the container's range is nobody, so its "other" bits apply). */

#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "helper.h"
#include "preflight.h"

/* The directories of 'name' below our /dev (a tmpfs of our own, nothing the image put
 * there): each component made with mkdirat() below the previous one's fd. */
static int dev_mkdir_parents(int dev_fd, const char *name, const char *where, int *ret_dir,
                             const char **ret_base, Failure *f) {
        _cleanup_close_ int dir_fd = fcntl(dev_fd, F_DUPFD_CLOEXEC, 3);
        const char *p = name;

        if (dir_fd < 0)
                return failf(f, errno, "Failed to create '%s'", where);
        for (;;) {
                size_t n = strcspn(p, "/");
                char component[NAME_MAX + 1];
                int fd;

                if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
                    (n == 2 && p[0] == '.' && p[1] == '.'))
                        return failx(f, EINVAL, "Failed to create '%s': not a plain path below /dev", where);
                if (p[n] == 0)
                        break;
                memcpy(component, p, n);
                component[n] = 0;
                if (mkdirat(dir_fd, component, 0755) < 0 && errno != EEXIST)
                        return failf(f, errno, "Failed to create '%s'", where);
                fd = openat(dir_fd, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return failf(f, errno, "Failed to create '%s'", where);
                safe_close(dir_fd);
                dir_fd = fd;
                p += n + 1;
        }
        *ret_dir = TAKE_FD(dir_fd);
        *ret_base = p;
        return 0;
}

static int device_mknod(int dir_fd, const char *base, const struct stat *st) {
        mode_t perms = st->st_mode & 07777;

        if (mknodat(dir_fd, base, (st->st_mode & S_IFMT) | perms, st->st_rdev) < 0)
                return negative_errno();
        /* Past the umask, and the host node's owner (we are the host's root here). */
        if (fchownat(dir_fd, base, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
            fchmodat(dir_fd, base, perms, 0) < 0) {
                int r = negative_errno();
                (void)unlinkat(dir_fd, base, 0);
                return r;
        }
        return 0;
}

int devices_mount(const Container *c, int dev_fd, Failure *f) {
        const Config *config = c->config;
        int r;

        for (size_t i = 0; i < config->n_devices; i++) {
                const char *where = config->devices[i].key;
                _cleanup_close_ int dir_fd = -EBADF;
                const char *base = NULL;
                struct stat st;

                /* The words of "nscontain validate" (lib/preflight.c). */
                r = device_source_check(config, i, &st, f);
                if (r < 0)
                        return r;
                r = dev_mkdir_parents(dev_fd, where + strlen("/dev/"), where, &dir_fd, &base, f);
                if (r < 0)
                        return r;
                if (!c->userns) {
                        r = device_mknod(dir_fd, base, &st);
                        if (r >= 0)
                                continue;
                        if (r != -EPERM)
                                return failf(f, r, "Failed to create device node '%s'", where);
                }
                r = dev_node_bind(dir_fd, base, where, st.st_mode & S_IFMT, st.st_rdev, f);
                if (r < 0)
                        return r;
        }
        return 0;
}
