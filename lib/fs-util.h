/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Opening files inside a tree we do not trust (a container's root, a kernel filesystem
 * it could have raced): the one openat2(2) entry point (docs/SECURITY.md rows 3, 4, 16). */

#include <stdint.h>

/* openat2(2) with O_CLOEXEC added; the fd or -errno. RESOLVE_IN_ROOT and RESOLVE_BENEATH
 * fail with EAGAIN when a rename raced the lookup of ".."; that is retried, boundedly
 * (OPENAT2_EAGAIN_TRIES): a container that renames without pause must not stall the
 * caller for ever. glibc 2.36 has no wrapper. */
#define OPENAT2_EAGAIN_TRIES 64
int openat2_fd(int dir_fd, const char *path, int flags, uint64_t resolve);

/* 'path' (absolute, as the container sees it) inside the tree rooted at root_fd: ".."
 * and absolute symlinks are clamped to the root, magic links refused. */
int open_in_root(int root_fd, const char *path, int flags);

/* A name strictly below dir_fd of a kernel filesystem (procfs, sysfs, our own tmpfs): no
 * symlinks at all, no leaving the directory. */
int open_beneath(int dir_fd, const char *path, int flags);

/* 1 when fd is on a filesystem of this statfs magic, 0 when not, -errno. */
int fd_is_fs_type(int fd, unsigned long magic);
