/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "failpoint.h"
#include "fileio.h"

int read_full_file_at(int dir_fd, const char *path, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_close_ int fd = -EBADF;

        assert(path && ret);

        /* O_NONBLOCK: a FIFO planted under a config name must not hang us. */
        fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return negative_errno();
        return read_full_fd(fd, max_size, ret, ret_size);
}

int read_full_fd(int fd, size_t max_size, char **ret, size_t *ret_size) {
        _cleanup_free_ char *buf = NULL;
        struct stat st;
        size_t n = 0, want;

        assert(fd >= 0 && ret);

        if (fstat(fd, &st) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if ((uint64_t) st.st_size > max_size)
                return -EFBIG;

        /* Files in /proc and /sys report size 0 and some (sysctls) return EOF on a read
         * that does not start at offset 0: read those with one large buffer. */
        want = MIN(st.st_size > 0 ? (size_t) st.st_size : 4096, max_size);
        buf = malloc(want + 1);
        if (!buf)
                return -ENOMEM;

        /* The size may change under us: read until EOF, never beyond max_size. When we
         * got exactly what fstat() promised, stop without a last read(). */
        for (;;) {
                if (n == want) {
                        if (want >= max_size) {
                                /* One byte more would be too much; EOF says it is all. */
                                char c;
                                ssize_t k = read(fd, &c, 1);
                                if (k < 0)
                                        return negative_errno();
                                if (k > 0)
                                        return -EFBIG;
                                break;
                        }
                        size_t w = MIN(want * 2, max_size);
                        char *b = realloc(buf, w + 1);
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        want = w;
                }
                ssize_t k = read(fd, buf + n, want - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        break;
                n += (size_t) k;
                if (st.st_size > 0 && n == (size_t) st.st_size)
                        break;
        }
        buf[n] = 0;
        *ret = TAKE_PTR(buf);
        if (ret_size)
                *ret_size = n;
        return 0;
}

ssize_t loop_pread(int fd, void *buf, size_t n, uint64_t offset) {
        size_t done = 0;

        while (done < n) {
                ssize_t k = pread(fd, (char *)buf + done, n - done, (off_t)(offset + done));
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                if (k == 0)
                        break;
                done += (size_t)k;
        }
        return (ssize_t)done;
}

int loop_write(int fd, const void *buf, size_t n) {
        return loop_writev(fd, &(const struct iovec){.iov_base = (void *)buf, .iov_len = n}, 1);
}

int loop_writev(int fd, const struct iovec *iov, size_t n) {
        struct iovec part = {}; /* the rest of a partly written iovec, written alone */

        for (;;) {
                bool alone = part.iov_len > 0;
                /* Empty ones write nothing: a writev() of only those would return 0. */
                while (!alone && n > 0 && iov->iov_len == 0)
                        iov++, n--;
                if (!alone && n == 0)
                        return 0;
                ssize_t k = alone ? writev(fd, &part, 1) : writev(fd, iov, (int)MIN(n, (size_t)IOV_MAX));
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (k == 0)
                        return -EIO;
                if (alone) {
                        part.iov_base = (char *)part.iov_base + k;
                        part.iov_len -= (size_t)k;
                        continue;
                }
                /* Skip what was written, keep the rest of a partly written one. */
                for (; n > 0 && (size_t)k >= iov->iov_len; iov++, n--)
                        k -= (ssize_t)iov->iov_len;
                if (n > 0 && k > 0) {
                        part = (struct iovec){.iov_base = (char *)iov->iov_base + k,
                                              .iov_len = iov->iov_len - (size_t)k};
                        iov++, n--;
                }
        }
}

int write_file_atomic_at(int dir_fd, const char *name, const void *data, size_t size, mode_t mode,
                         bool durable) {
        struct iovec iov = {.iov_base = (void *)data, .iov_len = size};

        return write_file_atomic_iov_at(dir_fd, name, &iov, 1, mode, durable);
}

int write_file_atomic_iov_at(int dir_fd, const char *name, const struct iovec *iov, size_t n_iov, mode_t mode,
                             bool durable) {
        _cleanup_close_ int fd = -EBADF;
        const char *base = strrchr(name, '/');
        int r;

        base = base ? base + 1 : name;
        if (strlen(name) > PATH_MAX - 32)
                return -ENAMETOOLONG;
        /* Same directory as the target, so rename() is atomic; unique per process. */
        char path[PATH_MAX];
        r = snprintf(path, sizeof(path), "%.*s.#%s.%ld", (int) (base - name), name,
                     strlen(base) > NAME_MAX - 24 ? "tmp" : base, (long) getpid());
        if (r < 0 || (size_t) r >= sizeof(path))
                return -ENAMETOOLONG;

        fd = openat(dir_fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return negative_errno();
        r = loop_writev(fd, iov, n_iov);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = negative_errno();
        if (r >= 0 && durable && fsync(fd) < 0)
                r = negative_errno();
        if (r >= 0)
                r = failpoint("write-atomic:before-rename");
        if (r >= 0 && renameat(dir_fd, path, dir_fd, name) < 0)
                r = negative_errno();
        if (r < 0) {
                (void) unlinkat(dir_fd, path, 0);
                return r;
        }
        if (durable) {
                /* Make the rename itself durable: fsync the directory. */
                _cleanup_close_ int dfd = -EBADF;
                if (base > name) {
                        _cleanup_free_ char *dir = strndup(name, (size_t) (base - name));
                        if (!dir)
                                return -ENOMEM;
                        dfd = openat(dir_fd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                } else
                        dfd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0 || fsync(dfd) < 0)
                        return negative_errno();
        }
        return 0;
}

int write_file_atomic_cleanup_at(int dir_fd, const char *name) {
        _cleanup_close_ int fd = -EBADF;
        char prefix[NAME_MAX + 1];
        DIR *d;
        int r = 0;

        /* The temporary names write_file_atomic_at() uses: ".#NAME.PID". */
        if (snprintf(prefix, sizeof(prefix), ".#%s.", name) >= (int) sizeof(prefix))
                return -ENAMETOOLONG;
        fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d)
                return negative_errno();
        TAKE_FD(fd);
        for (struct dirent *de; (de = readdir(d));)
                if (strncmp(de->d_name, prefix, strlen(prefix)) == 0 &&
                    unlinkat(dirfd(d), de->d_name, 0) < 0 && errno != ENOENT && r == 0)
                        r = negative_errno();
        closedir(d);
        return r;
}

int mkdir_p_at(int dir_fd, const char *path, mode_t mode, int *ret_fd) {
        _cleanup_close_ int fd = -EBADF;
        const char *p = path;

        assert(path);
        fd = openat(dir_fd, *p == '/' ? "/" : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();

        while (*p) {
                char comp[NAME_MAX + 1];
                size_t l;

                p += strspn(p, "/");
                l = strcspn(p, "/");
                if (l == 0)
                        break;
                if (l > NAME_MAX)
                        return -ENAMETOOLONG;
                memcpy(comp, p, l);
                comp[l] = 0;
                p += l;

                if (mkdirat(fd, comp, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                int nfd = openat(fd, comp, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (nfd < 0)
                        return negative_errno();
                safe_close(fd);
                fd = nfd;
        }
        if (ret_fd)
                *ret_fd = TAKE_FD(fd);
        return 0;
}

int write_string_file_at(int dir_fd, const char *path, const char *s) {
        _cleanup_close_ int fd = openat(dir_fd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        size_t n = strlen(s);
        ssize_t k = write(fd, s, n);
        if (k < 0)
                return negative_errno();
        return (size_t) k == n ? 0 : -EIO;
}

int opendir_at(int dir_fd, const char *path, DIR **ret) {
        int fd;
        DIR *d;

        fd = openat(dir_fd, path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d) {
                safe_close(fd);
                return negative_errno();
        }
        *ret = d;
        return 0;
}
