/* SPDX-License-Identifier: LGPL-2.1-or-later */

/* The container's mount trees, parent side (nscontain-helper(8); docs/ARCHITECTURE.md
 * "Mounts"): with the host's privileges, the rootfs and every bind source are cloned
 * into detached mount trees with open_tree(OPEN_TREE_CLONE), idmapped through the
 * child's user namespace and made read-only as configured. Only the host can make an
 * idmapped mount, and a detached tree cannot be swapped behind our back. With
 * "ownership": "chown" the rootfs is shifted first (ownership.c). The child attaches
 * the trees (mount.c). */

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helper.h"
#include "mount-api.h"
#include "preflight.h"

/* Clones 'path' into a detached tree. The path is opened first with O_PATH so that we can
 * tell "missing" from "not a directory" and report the config's own words. */
static int tree_clone_source(const char *path, bool want_dir, int *ret_fd, struct stat *ret_st) {
        _cleanup_close_ int fd = -EBADF, tree_fd = -EBADF;
        struct stat st;
        int r;

        /* The same open as "nscontain validate"'s (lib/preflight.c). */
        r = mount_source_open(path, want_dir, &fd, &st);
        if (r < 0)
                return r;

        /* Clone from the fd we inspected, not the path again: what we checked is what we
         * mount. AT_RECURSIVE brings submounts along (as a recursive bind does). */
        r = tree_clone(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &tree_fd);
        if (r < 0)
                return r;
        r = tree_make_private(tree_fd);
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
        int r;

        /* An image, or an "ephemeral" rootfs: an overlay under a layer of its own. */
        if (config->image || config->ephemeral)
                return image_root_mount(c, userns_fd, &c->root_tree_fd, f);

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
                return idmap_refused_fail(f, r, config, SIZE_MAX, tree_fd);
        if (r < 0)
                return failf(f, r, "Failed to set mount attributes of rootfs '%s'", config->rootfs);

        c->root_tree_fd = TAKE_FD(tree_fd);
        return 0;
}

static int prepare_bind_tree(Container *c, const MountSpec *m, size_t i, int userns_fd, int *ret_fd,
                             Failure *f) {
        _cleanup_close_ int tree_fd = -EBADF;
        uint64_t attr = 0;
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
                return idmap_refused_fail(f, r, c->config, i, tree_fd);
        if (r < 0)
                return failf(f, r, "Failed to set mount attributes of bind source '%s' (mounts[%zu])",
                             m->source, i);

        *ret_fd = TAKE_FD(tree_fd);
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

        /* An image's layers are idmapped, never shifted: "ownership" applies to a rootfs. */
        if (c->userns && config->user_namespace.ownership == OWNERSHIP_CHOWN && !config->image) {
                if (isempty(config->rootfs) || config->rootfs[0] != '/')
                        return failf(f, EINVAL, "Failed to open rootfs '%s': not an absolute path",
                                     strna(config->rootfs));
                r = ownership_shift(c, f);
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
        image_root_trees_close(c);
        for (size_t i = 0; i < _DNS_FILE_MAX; i++)
                c->dns_tree_fd[i] = safe_close(c->dns_tree_fd[i]);
        for (size_t i = 0; i < c->n_bind_tree_fds; i++)
                c->bind_tree_fds[i] = safe_close(c->bind_tree_fds[i]);
        free(c->bind_tree_fds);
        c->bind_tree_fds = NULL;
        c->n_bind_tree_fds = 0;
}
