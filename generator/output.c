/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>

#include "config-snapshot.h"
#include "fileio.h"
#include "generator.h"
#include "log.h"
#include "unit-name.h"

#ifndef UNITDIR
#error "UNITDIR must be defined by the build (generator/meson.build)"
#endif

#define TEMPLATE_PATH UNITDIR "/" CONTAINER_UNIT_PREFIX CONTAINER_UNIT_SUFFIX

/* "container@NAME.service.d" with NAME at most CONFIG_NAME_MAX characters. */
#define UNIT_NAME_BUF (STRLEN(CONTAINER_UNIT_PREFIX CONTAINER_UNIT_SUFFIX ".d") + CONFIG_NAME_MAX + 1)

void output_done(Output *o) {
        free(o->dir_path);
        o->dir_path = NULL;
        free(o->snapshot_path);
        o->snapshot_path = NULL;
        free(o->snapshot_iov);
        o->snapshot_iov = NULL;
        free(o->snapshot_headers);
        o->snapshot_headers = NULL;
        o->dir_fd = safe_close(o->dir_fd);
        o->wants_fd = safe_close(o->wants_fd);
}

/* Opens (creating it if needed) a directory below the output dir. O_PATH is all the
 * *at() calls need; O_NOFOLLOW keeps a planted symlink from redirecting our writes. */
static int open_subdir(int dir_fd, const char *name, int *ret_fd) {
        int fd;

        if (mkdirat(dir_fd, name, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        fd = openat(dir_fd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        *ret_fd = fd;
        return 0;
}

/* Writes 'path' (in 'dir', below the output dir), which is expected not to exist yet:
 * as an unnamed file that gets its name only once complete (O_TMPFILE, then linkat),
 * so that nobody ever sees it half written. That is as atomic as a temporary file
 * renamed into place, and two system calls cheaper per file, which counts at boot
 * with thousands of containers. Returns 1 when this way is not available (the file
 * exists already, a filesystem without O_TMPFILE, no CAP_DAC_READ_SEARCH for linkat
 * of an fd on older kernels): the caller then writes it the usual way. The mode goes
 * through the generator's umask (main.c). */
static int write_new_file(Output *o, const char *dir, const char *path, const struct iovec *iov,
                          size_t n_iov, mode_t mode) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (o->no_tmpfile)
                return 1;
        fd = openat(o->dir_fd, dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
        if (fd < 0) {
                if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) {
                        o->no_tmpfile = true;
                        return 1;
                }
                return negative_errno();
        }
        r = loop_writev(fd, iov, n_iov);
        if (r < 0)
                return r;
        if (linkat(fd, "", o->dir_fd, path, AT_EMPTY_PATH) < 0) {
                if (errno == EEXIST)
                        return 1;
                if (errno == ENOENT || errno == EPERM) {
                        /* linkat() of an fd wants CAP_DAC_READ_SEARCH before Linux 6.10. */
                        o->no_tmpfile = true;
                        return 1;
                }
                return negative_errno();
        }
        return 0;
}

/* "container@NAME.service" followed by 'suffix' into buf (UNIT_NAME_BUF + strlen(suffix)
 * bytes). Returns the length of the unit name, or -ENAMETOOLONG. Not snprintf(): this
 * runs several times for every container. */
static int unit_name_with(char *buf, const char *name, const char *suffix) {
        size_t l = strlen(name), k = 0;

        /* NAME is at most 64 characters, so this cannot overflow; check anyway. */
        if (l > CONFIG_NAME_MAX)
                return -ENAMETOOLONG;
        memcpy(buf, CONTAINER_UNIT_PREFIX, STRLEN(CONTAINER_UNIT_PREFIX));
        k += STRLEN(CONTAINER_UNIT_PREFIX);
        memcpy(buf + k, name, l);
        k += l;
        memcpy(buf + k, CONTAINER_UNIT_SUFFIX, STRLEN(CONTAINER_UNIT_SUFFIX));
        k += STRLEN(CONTAINER_UNIT_SUFFIX);
        strcpy(buf + k, suffix);
        return (int)k;
}

int output_dropin(Output *o, const char *name, const char *text) {
        char dir[UNIT_NAME_BUF], path[UNIT_NAME_BUF + STRLEN("/" GENERATOR_DROPIN_NAME)];
        int r;

        assert(o && name && text);

        r = unit_name_with(path, name, ".d/" GENERATOR_DROPIN_NAME);
        if (r < 0)
                return log_error_errno(r, "Container name too long: %s", name);
        memcpy(dir, path, (size_t)r + 2);
        dir[r + 2] = 0;

        if (o->print) {
                fprintf(o->print, "%s==> %s <==\n%s", o->printed_any ? "\n" : "", path, text);
                o->printed_any = true;
                return 0;
        }

        if (mkdirat(o->dir_fd, dir, 0755) < 0 && errno != EEXIST)
                return log_error_errno(errno, "Failed to create directory '%s': %m", dir);

        struct iovec iov = {.iov_base = (char *)text, .iov_len = strlen(text)};
        r = write_new_file(o, dir, path, &iov, 1, 0644);
        if (r == 0)
                return 0;
        /* The generator dir is on tmpfs and rebuilt at every daemon-reload: no fsync. */
        if (r > 0)
                r = write_file_atomic_iov_at(o->dir_fd, path, &iov, 1, 0644, false);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", path);
        return 0;
}

/* One header per record, with the previous record's closing newline in front. */
#define HEADER_ROOM (1 + CONFIG_SNAPSHOT_HEADER_MAX)

int output_snapshot_reserve(Output *o, size_t records) {
        size_t n_iov = o->snapshot_n_iov + 2 * records + 1,
               headers = o->snapshot_headers_size + HEADER_ROOM * records;

        assert(o);
        if (n_iov > o->snapshot_iov_allocated) {
                struct iovec *v = reallocarray(o->snapshot_iov, n_iov, sizeof(struct iovec));
                if (!v)
                        return log_oom();
                o->snapshot_iov = v;
                o->snapshot_iov_allocated = n_iov;
        }
        if (headers > o->snapshot_headers_allocated) {
                /* The header iovecs point into the buffer: offsets while it moves. */
                for (size_t i = 0; i < o->snapshot_n_iov; i += 2)
                        o->snapshot_iov[i].iov_base =
                                (void *)(uintptr_t)((char *)o->snapshot_iov[i].iov_base - o->snapshot_headers);
                char *h = realloc(o->snapshot_headers, headers);
                if (h) {
                        o->snapshot_headers = h;
                        o->snapshot_headers_allocated = headers;
                }
                for (size_t i = 0; i < o->snapshot_n_iov; i += 2)
                        o->snapshot_iov[i].iov_base = o->snapshot_headers + (uintptr_t)o->snapshot_iov[i].iov_base;
                if (!h)
                        return log_oom();
        }
        return 0;
}

int output_snapshot_add(Output *o, const char *name, const char *text, size_t size) {
        size_t h, first = o->snapshot_n_iov == 0 ? 0 : 1;
        char *p;

        assert(o && text);
        if ((o->snapshot_n_iov + 3 > o->snapshot_iov_allocated ||
             o->snapshot_headers_size + HEADER_ROOM > o->snapshot_headers_allocated) &&
            output_snapshot_reserve(o, MAX(o->snapshot_n_iov / 2, 16u)) < 0)
                return -ENOMEM;

        p = o->snapshot_headers + o->snapshot_headers_size;
        p[0] = '\n'; /* the previous record's end */
        h = config_snapshot_header(p + 1, name, size);
        o->snapshot_iov[o->snapshot_n_iov++] =
                (struct iovec){.iov_base = p + 1 - first, .iov_len = h + first};
        o->snapshot_iov[o->snapshot_n_iov++] = (struct iovec){.iov_base = (char *)text, .iov_len = size};
        o->snapshot_headers_size += h + 1;
        o->snapshot_size += h + size + 1;
        return 0;
}

int output_snapshot_write(Output *o) {
        int r;

        assert(o);
        if (o->print || o->snapshot_n_iov == 0)
                return 0;
        /* The last record's end; there is room for it (output_snapshot_reserve()). */
        o->snapshot_iov[o->snapshot_n_iov++] = (struct iovec){.iov_base = (char *)"\n", .iov_len = 1};

        /* Root's alone: a config may hold what its own file's mode keeps private (env). */
        r = write_new_file(o, ".", CONFIG_SNAPSHOT_FILE, o->snapshot_iov, o->snapshot_n_iov, 0600);
        if (r > 0)
                r = write_file_atomic_iov_at(o->dir_fd, CONFIG_SNAPSHOT_FILE, o->snapshot_iov,
                                             o->snapshot_n_iov, 0600, false);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", CONFIG_SNAPSHOT_FILE);
        return 0;
}

int output_autostart(Output *o, const char *name) {
        char link[UNIT_NAME_BUF];
        int r;

        assert(o && name);

        r = unit_name_with(link, name, "");
        if (r < 0)
                return log_error_errno(r, "Container name too long: %s", name);

        if (o->print) {
                fprintf(o->print, "%s==> " WANTS_DIR "/%s -> " TEMPLATE_PATH " <==\n",
                        o->printed_any ? "\n" : "", link);
                o->printed_any = true;
                return 0;
        }

        if (o->wants_fd < 0) {
                r = open_subdir(o->dir_fd, WANTS_DIR, &o->wants_fd);
                if (r < 0)
                        return log_error_errno(r, "Failed to create directory '" WANTS_DIR "': %m");
        }

        if (symlinkat(TEMPLATE_PATH, o->wants_fd, link) >= 0)
                return 0;
        if (errno != EEXIST)
                return log_error_errno(errno, "Failed to create symlink '" WANTS_DIR "/%s': %m", link);

        /* Something is there already (a rerun into the same dir): replace it
         * atomically, by a temporary symlink renamed over it. */
        char tmp[UNIT_NAME_BUF + 32];
        snprintf(tmp, sizeof(tmp), ".#%s.%ld", link, (long)getpid());
        (void)unlinkat(o->wants_fd, tmp, 0);
        if (symlinkat(TEMPLATE_PATH, o->wants_fd, tmp) < 0 ||
            renameat(o->wants_fd, tmp, o->wants_fd, link) < 0) {
                r = negative_errno();
                (void)unlinkat(o->wants_fd, tmp, 0);
                return log_error_errno(r, "Failed to create symlink '" WANTS_DIR "/%s': %m", link);
        }
        return 0;
}
