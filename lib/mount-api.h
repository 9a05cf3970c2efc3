/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The new mount API (fsopen, fsconfig, fsmount, open_tree, mount_setattr, move_mount;
 * mount_setattr(2), fsopen(2)): every mount the helper makes is a detached tree first,
 * attached onto a target opened by fd, never by a path the container could redirect
 * (docs/SECURITY.md row 3). The one set of wrappers; each returns 0 or -errno. */

#include <stdbool.h>
#include <stdint.h>
#include <sys/mount.h>

#define MOUNT_ATTR_SAFE (MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

/* A filesystem context (fsopen), its options (value NULL: a flag option), and the
 * detached mount made from it (FSCONFIG_CMD_CREATE, fsmount with attr). */
int fs_open(const char *fstype, int *ret);
int fs_set(int fs_fd, const char *key, const char *value);
int fs_mount(int fs_fd, uint64_t attr, int *ret);

/* All three at once: a fresh superblock with options given as NULL-terminated
 * key/value pairs (a NULL value: a flag option; options NULL: none). */
int fs_new_mount(const char *fstype, const char *const *options, uint64_t attr, int *ret);

/* Clones what 'path' below dir_fd is (open_tree OPEN_TREE_CLONE; flags: AT_RECURSIVE,
 * AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW) into a detached tree. */
int tree_clone(int dir_fd, const char *path, unsigned flags, int *ret);

/* Sets attr_set on the tree (recursively, or on its top mount only), idmapped through
 * userns_fd when attr_set has MOUNT_ATTR_IDMAP. Nothing to set: nothing done. */
int tree_set_attr(int tree_fd, uint64_t attr_set, uint64_t attr_clr, bool recursive, int userns_fd);

/* Makes every mount of a detached tree private. A clone of a shared mount (a host whose
 * systemd made "/" shared) is a peer of its source: mounts on it would propagate to the
 * host (docs/SECURITY.md row 11), and pivot_root(2) refuses a shared new root. */
int tree_make_private(int tree_fd);

/* Attaches a detached tree onto target_fd (move_mount, both by fd). */
int tree_attach(int tree_fd, int target_fd);
