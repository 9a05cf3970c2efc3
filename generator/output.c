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
        free(o->snapshot);
        o->snapshot = NULL;
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
static int write_new_file(Output *o, const char *dir, const char *path, const char *text, size_t size,
                          mode_t mode) {
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
        r = loop_write(fd, text, size);
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

        r = write_new_file(o, dir, path, text, strlen(text), 0644);
        if (r == 0)
                return 0;
        /* The generator dir is on tmpfs and rebuilt at every daemon-reload: no fsync. */
        if (r > 0)
                r = write_file_atomic_at(o->dir_fd, path, text, strlen(text), 0644, false);
        if (r < 0)
                return log_error_errno(r, "Failed to write '%s': %m", path);
        return 0;
}

int output_snapshot_reserve(Output *o, size_t more) {
        char *b;

        assert(o);
        if (more <= o->snapshot_allocated - o->snapshot_size)
                return 0;
        b = realloc(o->snapshot, o->snapshot_size + more);
        if (!b)
                return log_oom();
        o->snapshot = b;
        o->snapshot_allocated = o->snapshot_size + more;
        return 0;
}

int output_snapshot_add(Output *o, const char *name, const char *text, size_t size) {
        char header[CONFIG_SNAPSHOT_HEADER_MAX];
        size_t h = config_snapshot_header(header, name, size), need = h + size + 1;

        assert(o && text);
        if (need > o->snapshot_allocated - o->snapshot_size &&
            output_snapshot_reserve(o, MAX(o->snapshot_allocated, need)) < 0)
                return -ENOMEM;
        memcpy(o->snapshot + o->snapshot_size, header, h);
        memcpy(o->snapshot + o->snapshot_size + h, text, size);
        o->snapshot[o->snapshot_size + h + size] = '\n';
        o->snapshot_size += need;
        return 0;
}

int output_snapshot_write(Output *o) {
        int r;

        assert(o);
        if (o->print || o->snapshot_size == 0)
                return 0;
        /* Root's alone: a config may hold what its own file's mode keeps private (env). */
        r = write_new_file(o, ".", CONFIG_SNAPSHOT_FILE, o->snapshot ?: "", o->snapshot_size, 0600);
        if (r > 0)
                r = write_file_atomic_at(o->dir_fd, CONFIG_SNAPSHOT_FILE, o->snapshot ?: "", o->snapshot_size,
                                         0600, false);
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
