/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "config.h"
#include "strv.h"

/* machined's rule (systemd's machine_name_is_valid(), a hostname): labels of letters,
 * digits and '-' joined by single dots, no label starting or ending with '-', at most 64
 * characters. machined refuses anything else, and the container would never appear in
 * "machinectl list". Returns the offending character's index, or -1 when valid. */
static ssize_t name_first_invalid(const char *name) {
        size_t l = strlen(name);

        if (l == 0)
                return 0;
        for (size_t i = 0; i < l; i++) {
                char c = name[i], prev = i > 0 ? name[i - 1] : '.', next = name[i + 1];
                bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

                if (alnum)
                        continue;
                if (c == '.' && prev != '.' && prev != '-' && next != 0)
                        continue;
                if (c == '-' && prev != '.' && next != '.' && next != 0)
                        continue;
                return (ssize_t)i;
        }
        if (l > CONFIG_NAME_MAX)
                return CONFIG_NAME_MAX;
        return -1;
}

bool config_name_is_valid(const char *name) {
        return name && name_first_invalid(name) < 0;
}

const char *config_name_invalid_reason(const char *name, bool from_file, char *buf, size_t size) {
        ssize_t i;

        assert(buf && size > 0);

        if (!name)
                name = "";
        i = name_first_invalid(name);
        if (i < 0)
                return NULL;

        /* The mistake people make: '_' (fine in a unit name, refused by machined). When
         * mapping it to '-' gives a valid name, say which. */
        if (strchr(name, '_')) {
                char fixed[CONFIG_NAME_MAX + 1];
                size_t l = strlen(name);

                if (l <= CONFIG_NAME_MAX) {
                        for (size_t k = 0; k <= l; k++)
                                fixed[k] = name[k] == '_' ? '-' : name[k];
                        if (config_name_is_valid(fixed)) {
                                if (from_file)
                                        snprintf(buf, size,
                                                 "'_' is not allowed in a machine name: rename the file to "
                                                 "%s.json",
                                                 fixed);
                                else
                                        snprintf(buf, size,
                                                 "'_' is not allowed in a machine name: use \"%s\"", fixed);
                                return buf;
                        }
                }
        }
        snprintf(buf, size, "%s", CONFIG_NAME_RULE);
        return buf;
}

static int strv_split_append(char ***l, const char *s) {
        const char *p = s;

        for (;;) {
                size_t n = strcspn(p, ":");
                if (n > 0) {
                        _cleanup_free_ char *d = strndup(p, n);
                        if (!d)
                                return -ENOMEM;
                        if (!strv_contains(*l, d)) {
                                int r = strv_push(l, d);
                                if (r < 0)
                                        return r;
                                d = NULL;
                        }
                }
                if (p[n] == 0)
                        return 0;
                p += n + 1;
        }
}

int config_search_path(char ***ret) {
        _cleanup_strv_free_ char **l = NULL;
        const char *e;
        int r;

        assert(ret);

        e = getenv("NSCONTAIN_CONFIG_PATH");
        if (e) {
                /* As $SYSTEMD_UNIT_PATH: a trailing ':' appends the built-in path. */
                r = strv_split_append(&l, e);
                if (r < 0)
                        return r;
                if (*e && e[strlen(e) - 1] == ':') {
                        r = strv_split_append(&l, CONFIG_SEARCH_PATH);
                        if (r < 0)
                                return r;
                }
        } else {
                r = strv_split_append(&l, CONFIG_SEARCH_PATH);
                if (r < 0)
                        return r;
        }

        if (!l) {
                l = calloc(1, sizeof(char *));
                if (!l)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(l);
        return 0;
}

static bool stat_is_dev_null(const struct stat *st) {
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(1, 3);
}

/* Whether the entry 'fn' in dir_fd masks: an empty regular file, or a symlink
 * pointing to /dev/null (by text, so a chroot without /dev still sees the mask,
 * or by what it resolves to). Returns <0 when it does not exist. */
static int entry_is_masked(int dir_fd, const char *fn, unsigned char d_type, bool stat_regular) {
        struct stat st;

        if (d_type == DT_LNK || d_type == DT_UNKNOWN) {
                if (fstatat(dir_fd, fn, &st, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                if (S_ISLNK(st.st_mode)) {
                        char target[PATH_MAX];
                        ssize_t k = readlinkat(dir_fd, fn, target, sizeof(target) - 1);
                        if (k > 0) {
                                target[k] = 0;
                                if (streq(target, "/dev/null"))
                                        return true;
                        }
                        if (fstatat(dir_fd, fn, &st, 0) < 0)
                                return false; /* dangling or a loop: the loader reports it */
                        return stat_is_dev_null(&st) || (S_ISREG(st.st_mode) && st.st_size == 0);
                }
                return S_ISREG(st.st_mode) && st.st_size == 0;
        }
        if (d_type != DT_REG || !stat_regular)
                return false;
        if (fstatat(dir_fd, fn, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        return S_ISREG(st.st_mode) && st.st_size == 0;
}

static int path_join(const char *dir, const char *fn, char **ret) {
        size_t l = strlen(dir);
        if (asprintf(ret, "%s%s%s", dir, l > 0 && dir[l - 1] == '/' ? "" : "/", fn) < 0)
                return -ENOMEM;
        return 0;
}

int config_find(const char *name, char **ret_path) {
        _cleanup_strv_free_ char **dirs = NULL;
        _cleanup_free_ char *fn = NULL;
        int r;

        if (!config_name_is_valid(name))
                return -EINVAL;
        if (asprintf(&fn, "%s.json", name) < 0)
                return -ENOMEM;

        r = config_search_path(&dirs);
        if (r < 0)
                return r;

        STRV_FOREACH (d, dirs) {
                _cleanup_close_ int dfd = open(*d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (dfd < 0)
                        continue; /* a missing directory in the path is normal */

                r = entry_is_masked(dfd, fn, DT_UNKNOWN, true);
                if (r == -ENOENT || r == -ENOTDIR)
                        continue;
                if (r > 0)
                        return -ERFKILL;
                /* Other errors (EACCES, ...) still make it the winner: the loader says why. */
                if (ret_path) {
                        r = path_join(*d, fn, ret_path);
                        if (r < 0)
                                return r;
                }
                return 0;
        }
        return -ENOENT;
}

void config_entries_free(ConfigEntry *e, size_t n) {
        for (size_t i = 0; i < n && e; i++) {
                free(e[i].name);
                free(e[i].path);
        }
        free(e);
}

typedef struct Candidate {
        char *name;
        size_t dir; /* index in the search path: lower wins */
        unsigned char d_type;
} Candidate;

typedef struct Scan {
        char **dirs;
        size_t n_dirs;
        int *dir_fds;
        Candidate *cand;
        size_t n_cand, allocated;
} Scan;

static void scan_done(Scan *s) {
        for (size_t i = 0; i < s->n_dirs && s->dir_fds; i++)
                safe_close(s->dir_fds[i]);
        free(s->dir_fds);
        for (size_t i = 0; i < s->n_cand; i++)
                free(s->cand[i].name);
        free(s->cand);
        strv_free(s->dirs);
}

static int candidate_compare(const void *a, const void *b) {
        const Candidate *x = a, *y = b;
        int c = strcmp(x->name, y->name);
        if (c != 0)
                return c;
        return x->dir < y->dir ? -1 : x->dir > y->dir;
}

static void closedirp(DIR **d) {
        if (*d)
                closedir(*d);
}

static int scan_dir(Scan *s, size_t idx) {
        _cleanup_(closedirp) DIR *d = NULL;
        _cleanup_close_ int fd = -EBADF;
        struct dirent *de;

        fd = open(s->dirs[idx], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return 0; /* a missing directory in the path is normal */

        /* Keep our own fd for the mask checks of the winners; DIR owns the other. */
        s->dir_fds[idx] = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (s->dir_fds[idx] < 0)
                return negative_errno();
        d = fdopendir(fd);
        if (!d)
                return negative_errno();
        TAKE_FD(fd);

        for (;;) {
                errno = 0;
                de = readdir(d);
                if (!de)
                        return errno > 0 ? -errno : 0;

                size_t l = strlen(de->d_name);
                if (l < STRLEN(".json") || strcmp(de->d_name + l - STRLEN(".json"), ".json") != 0)
                        continue;
                if (s->n_cand == s->allocated) {
                        size_t a = s->allocated ? s->allocated * 2 : 64;
                        Candidate *c = realloc(s->cand, a * sizeof(Candidate));
                        if (!c)
                                return -ENOMEM;
                        s->cand = c;
                        s->allocated = a;
                }
                char *name = strndup(de->d_name, l - STRLEN(".json"));
                if (!name)
                        return -ENOMEM;
                s->cand[s->n_cand++] = (Candidate){.name = name, .dir = idx, .d_type = de->d_type};
        }
}

static int enumerate(ConfigEntry **ret, size_t *ret_n, bool stat_regular) {
        _cleanup_(scan_done) Scan s = {};
        ConfigEntry *entries;
        size_t n_entries = 0;
        const char *prev = NULL;
        int r;

        assert(ret && ret_n);

        r = config_search_path(&s.dirs);
        if (r < 0)
                return r;
        s.n_dirs = strv_length(s.dirs);
        s.dir_fds = malloc(sizeof(int) * (s.n_dirs + 1));
        if (!s.dir_fds)
                return -ENOMEM;
        for (size_t i = 0; i < s.n_dirs; i++)
                s.dir_fds[i] = -EBADF;

        /* One readdir per directory, then one sort: no per-file path resolution, and a
         * stat only for the winner of each NAME. */
        for (size_t i = 0; i < s.n_dirs; i++) {
                r = scan_dir(&s, i);
                if (r < 0)
                        return r;
        }
        if (s.n_cand > 0)
                qsort(s.cand, s.n_cand, sizeof(Candidate), candidate_compare);

        entries = calloc(s.n_cand > 0 ? s.n_cand : 1, sizeof(ConfigEntry));
        if (!entries)
                return -ENOMEM;

        r = 0;
        for (size_t i = 0; i < s.n_cand; i++) {
                _cleanup_free_ char *path = NULL;
                Candidate *c = &s.cand[i];

                if (streq(prev, c->name))
                        continue; /* a lower-precedence copy of the same NAME */

                /* DIR/NAME.json, built by hand: this runs for every config at boot. */
                const char *dir = s.dirs[c->dir];
                size_t dl = strlen(dir), nl = strlen(c->name);
                bool slash = dl > 0 && dir[dl - 1] == '/';
                path = malloc(dl + 1 + nl + STRLEN(".json") + 1);
                if (!path) {
                        r = -ENOMEM;
                        break;
                }
                memcpy(path, dir, dl);
                if (!slash)
                        path[dl++] = '/';
                memcpy(path + dl, c->name, nl);
                memcpy(path + dl + nl, ".json", STRLEN(".json") + 1);

                int m = entry_is_masked(s.dir_fds[c->dir], path + dl, c->d_type, stat_regular);
                if (m == -ENOENT)
                        continue; /* removed since readdir: a lower copy may win */

                ConfigEntry *e = &entries[n_entries];
                e->path = TAKE_PTR(path);
                e->name = TAKE_PTR(c->name);
                e->masked = m > 0;
                prev = e->name;
                n_entries++;
        }
        if (r < 0) {
                config_entries_free(entries, n_entries);
                return r;
        }

        *ret = entries;
        *ret_n = n_entries;
        return 0;
}

int config_enumerate(ConfigEntry **ret, size_t *ret_n) {
        return enumerate(ret, ret_n, true);
}

int config_enumerate_unchecked(ConfigEntry **ret, size_t *ret_n) {
        return enumerate(ret, ret_n, false);
}
