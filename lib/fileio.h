/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <dirent.h>
#include <stdint.h>
#include <sys/uio.h>
#include <sys/types.h>

#include "macro.h"

/* Reads a whole regular file relative to dir_fd (AT_FDCWD for the cwd), refusing
 * anything that is not a regular file (-EISDIR, -EBADFD) and files larger than
 * max_size (-EFBIG). The result is NUL-terminated. */
int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size);
/* The same for an fd the caller opened (e.g. with openat2() inside a container root). */
int read_full_fd(int fd, size_t max_size, char **ret, size_t *ret_size);

/* Writes via a temporary file in the same directory, fsync()s it when 'durable',
 * and renames it over 'name': readers see the old content or the new, never a part. */
int write_file_atomic_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode,
                         bool durable);
/* The same for the bytes of n_iov iovecs. */
int write_file_atomic_iov_at(int dir_fd, const char *name, const struct iovec *iov, size_t n_iov, mode_t mode,
                             bool durable);

/* Removes the temporary files of write_file_atomic_at(…, name, …) that a writer killed
 * between write and rename left behind. Call it only while no writer can run. */
int write_file_atomic_cleanup_at(int dir_fd, const char *name);

/* opendir() of path relative to dir_fd (O_NOFOLLOW: the last component is no symlink). */
int opendir_at(int dir_fd, const char *path, DIR **ret);

/* mkdir -p relative to dir_fd; returns an O_PATH|O_DIRECTORY fd of the result in *ret_fd if non-NULL. */
int mkdir_p_at(int dir_fd, const char *path, mode_t mode, int *ret_fd);

/* Writes a string to a (proc/sys) file, once, with no truncation or creation. */
int write_string_file_at(int dir_fd, const char *path, const char *s);

/* A full write(2) loop. */
int loop_write(int fd, const void *buf, size_t n);
/* A full writev(2) loop over any number of iovecs (IOV_MAX at a time). */
int loop_writev(int fd, const struct iovec *iov, size_t n);
/* Reads n bytes at 'offset' (pread(2)), retrying on EINTR and short reads: returns the
 * number read, less than n only at the end of the file, or -errno. */
ssize_t loop_pread(int fd, void *buf, size_t n, uint64_t offset);
