/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resolving "user" (nscontain.json(5): "name", "uid", "uid:gid", "name:group") in the
 * container's own /etc/passwd and /etc/group, after pivot_root.
 *
 * Never through getpwnam() & co.: NSS reads /etc/nsswitch.conf and dlopen()s
 * libnss_*.so — after pivot_root those are the image's files, so the image's code would
 * run inside our still-privileged process (and a static helper cannot load them at all).
 * The files are parsed here, with limits: both were written by whoever built the image. */

#include <fcntl.h>
#include <inttypes.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>

#include "creds.h"
#include "fileio.h"
#include "fs-util.h"
#include "parse-util.h"

#define USER_DB_SIZE_MAX (4U * 1024U * 1024U) /* /etc/passwd or /etc/group */
#define USER_DB_LINE_MAX (64U * 1024U)        /* one entry; a big group is long, not this long */
#define USER_GROUPS_MAX  1024U                /* supplementary groups we accept */

void resolved_user_done(ResolvedUser *u) {
        if (!u)
                return;
        free(u->groups);
        free(u->home);
        free(u->name);
        *u = (ResolvedUser){};
}

/* Decimal id without sign, spaces or overflow; (uid_t) -1 is "no id" for the kernel. */
static int parse_id(const char *s, size_t len, uint32_t *ret) {
        uint64_t v;
        int r;

        if (len > 10)
                return -EINVAL;
        r = decimal_parse(s, len, UINT32_MAX - 1, &v);
        if (r < 0)
                return r;
        *ret = (uint32_t)v;
        return 0;
}

static bool is_number(const char *s) {
        return !isempty(s) && strspn(s, "0123456789") == strlen(s);
}

/* Opens a file of the container's /etc: no symlink as the last component, no magic
 * links (/proc/self/fd/N could lead to one of our own fds) on the way, nothing that is
 * not a regular file (a FIFO must not hang the start), bounded size. -ENOENT when absent. */
static int user_db_read(int root_fd, const char *path, char **ret) {
        _cleanup_close_ int fd = -EBADF;
        const int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK;
        int r;

        /* With a root fd (the parent reading the image before clone3), the image's
         * symlinks must not lead out of it. */
        fd = openat2_fd(root_fd >= 0 ? root_fd : AT_FDCWD, path, flags,
                        RESOLVE_NO_MAGICLINKS | (root_fd >= 0 ? RESOLVE_IN_ROOT : 0));
        if (fd == -ENOSYS && root_fd < 0) {
                fd = open(path, flags);
                if (fd < 0)
                        return negative_errno();
        }
        if (fd < 0)
                return fd;
        r = read_full_fd(fd, USER_DB_SIZE_MAX, ret, NULL);
        return r == -EISDIR ? -EBADFD : r;
}

/* Splits 'line' (NUL-terminated, no newline) at ':' into at most 'max' fields. */
static size_t split_fields(char *line, char **fields, size_t max) {
        size_t n = 0;

        fields[n++] = line;
        for (char *p = line; *p && n < max; p++)
                if (*p == ':') {
                        *p = 0;
                        fields[n++] = p + 1;
                }
        return n;
}

/* Calls 'cb' for each well-formed line (at least min_fields fields). Lines over the
 * limit, comments and NIS "+"/"-" entries are skipped, as glibc's files module does
 * for the latter. The buffer is modified. Stops when cb returns non-zero. */
typedef int (*db_line_cb)(char **fields, size_t n, void *userdata);

static int user_db_foreach(char *buf, size_t min_fields, size_t max_fields, db_line_cb cb, void *userdata) {
        char *fields[8];
        char *p = buf;

        assert(max_fields <= ELEMENTSOF(fields));

        while (*p) {
                char *eol = strchrnul(p, '\n');
                char *next = *eol ? eol + 1 : eol;
                size_t len = (size_t)(eol - p);

                *eol = 0;
                if (len > 0 && len <= USER_DB_LINE_MAX && !strchr("#+-", p[0])) {
                        size_t n = split_fields(p, fields, max_fields);
                        if (n >= min_fields) {
                                int r = cb(fields, n, userdata);
                                if (r != 0)
                                        return r;
                        }
                }
                p = next;
        }
        return 0;
}

typedef struct PasswdQuery {
        const char *name; /* match by name, or … */
        uint32_t uid;     /* … by uid when name is NULL */
        bool found;
        uint32_t found_uid, found_gid;
        char *found_name, *found_home;
} PasswdQuery;

static int passwd_match(char **fields, size_t n, void *userdata) {
        PasswdQuery *q = userdata;
        uint32_t uid, gid;

        /* name:password:uid:gid:gecos:home:shell */
        if (parse_id(fields[2], strlen(fields[2]), &uid) < 0 ||
            parse_id(fields[3], strlen(fields[3]), &gid) < 0)
                return 0;
        if (q->name ? !streq(fields[0], q->name) : uid != q->uid)
                return 0;

        q->found_name = strdup(fields[0]);
        q->found_home = n >= 6 && !isempty(fields[5]) ? strdup(fields[5]) : NULL;
        if (!q->found_name || (n >= 6 && !isempty(fields[5]) && !q->found_home))
                return -ENOMEM;
        q->found = true;
        q->found_uid = uid;
        q->found_gid = gid;
        return 1;
}

typedef struct GroupQuery {
        const char *name; /* the group to look up by name, or NULL */
        bool found;
        uint32_t found_gid;

        const char *member; /* collect every group listing this user, or NULL */
        gid_t *groups;
        size_t n_groups;
        int error;
} GroupQuery;

static bool member_listed(const char *members, const char *user) {
        size_t ul = strlen(user);

        for (const char *p = members; *p;) {
                size_t l = strcspn(p, ",");
                if (l == ul && strncmp(p, user, l) == 0)
                        return true;
                p += l;
                if (*p == ',')
                        p++;
        }
        return false;
}

static int group_match(char **fields, size_t n, void *userdata) {
        GroupQuery *q = userdata;
        uint32_t gid;

        /* name:password:gid:member,member,… */
        if (parse_id(fields[2], strlen(fields[2]), &gid) < 0)
                return 0;

        if (q->name && !q->found && streq(fields[0], q->name)) {
                q->found = true;
                q->found_gid = gid;
        }

        if (q->member && n >= 4 && member_listed(fields[3], q->member)) {
                for (size_t i = 0; i < q->n_groups; i++)
                        if (q->groups[i] == gid)
                                return 0;
                if (q->n_groups >= USER_GROUPS_MAX) {
                        q->error = E2BIG;
                        return 1;
                }
                gid_t *g = realloc(q->groups, (q->n_groups + 1) * sizeof(gid_t));
                if (!g)
                        return -ENOMEM;
                q->groups = g;
                q->groups[q->n_groups++] = gid;
        }
        return 0;
}

static int id_check_range(const Config *config, const char *what, uint32_t id, Failure *f) {
        if (!config->namespaces.user || id < config->user_namespace.size)
                return 0;
        return failx(f, ERANGE,
                     "Failed to resolve user '%s': %s %" PRIu32
                     " is outside the user namespace (size %" PRIu32 ")",
                     config->user, what, id, config->user_namespace.size);
}

int user_resolve_in(int root_fd, const Config *config, ResolvedUser *ret, Failure *f) {
        _cleanup_free_ char *spec = NULL, *passwd = NULL, *group = NULL;
        _cleanup_(resolved_user_done) ResolvedUser u = {};
        PasswdQuery pq = {};
        GroupQuery gq = {};
        const char *user_part, *group_part;
        int r;

        assert(config && ret);

        spec = strdup(isempty(config->user) ? "0" : config->user);
        if (!spec)
                return failf(f, ENOMEM, "Failed to resolve user");
        user_part = spec;
        char *colon = strchr(spec, ':');
        group_part = colon ? colon + 1 : NULL;
        if (colon)
                *colon = 0;
        if (isempty(user_part) || (group_part && isempty(group_part)))
                return failx(f, EINVAL,
                             "Failed to resolve user '%s': expected name, uid, uid:gid or name:group",
                             config->user);

        r = user_db_read(root_fd, "/etc/passwd", &passwd);
        if (r < 0 && r != -ENOENT)
                return failf(f, r, "Failed to read the container's /etc/passwd");

        /* The passwd entry: by name, or by uid (optional for a numeric uid). */
        if (is_number(user_part)) {
                r = parse_id(user_part, strlen(user_part), &pq.uid);
                if (r < 0)
                        return failx(f, r, "Failed to resolve user '%s': invalid uid '%s'", config->user,
                                     user_part);
        } else
                pq.name = user_part;
        if (passwd) {
                r = user_db_foreach(passwd, 4, 7, passwd_match, &pq);
                if (r < 0) {
                        free(pq.found_name);
                        free(pq.found_home);
                        return failf(f, r, "Failed to resolve user '%s'", config->user);
                }
        }
        if (!pq.found && pq.name)
                return failx(f, ESRCH,
                             "Failed to resolve user '%s': no such user in the container's /etc/passwd",
                             user_part);

        if (pq.found) {
                u.uid = pq.found_uid;
                u.gid = pq.found_gid;
                u.name = pq.found_name;
                u.home = pq.found_home;
        } else {
                /* A bare number with no entry: like a numeric --user in podman, but with
                 * the group equal to the uid rather than 0, so it is never root's group. */
                u.uid = pq.uid;
                u.gid = pq.uid;
        }

        r = user_db_read(root_fd, "/etc/group", &group);
        if (r < 0 && r != -ENOENT)
                return failf(f, r, "Failed to read the container's /etc/group");

        if (group_part) {
                if (is_number(group_part)) {
                        uint32_t gid;
                        r = parse_id(group_part, strlen(group_part), &gid);
                        if (r < 0)
                                return failx(f, r, "Failed to resolve user '%s': invalid gid '%s'",
                                             config->user, group_part);
                        u.gid = gid;
                } else
                        gq.name = group_part;
        }

        /* Supplementary groups: every group that lists the user by name. A uid without
         * a passwd entry has no name, hence none. */
        gq.member = u.name;
        if (group && (gq.name || gq.member)) {
                r = user_db_foreach(group, 3, 4, group_match, &gq);
                if (r < 0) {
                        free(gq.groups);
                        return failf(f, r, "Failed to resolve user '%s'", config->user);
                }
        }
        u.groups = TAKE_PTR(gq.groups);
        u.n_groups = gq.n_groups;
        if (gq.error != 0)
                return failx(f, gq.error, "Failed to resolve user '%s': member of more than %u groups",
                             config->user, USER_GROUPS_MAX);
        if (gq.name) {
                if (!gq.found)
                        return failx(f, ESRCH,
                                     "Failed to resolve user '%s': no such group '%s' in the container's "
                                     "/etc/group",
                                     config->user, gq.name);
                u.gid = gq.found_gid;
        }

        r = id_check_range(config, "uid", u.uid, f);
        if (r < 0)
                return r;
        r = id_check_range(config, "gid", u.gid, f);
        if (r < 0)
                return r;
        for (size_t i = 0; i < u.n_groups; i++) {
                r = id_check_range(config, "supplementary gid", u.groups[i], f);
                if (r < 0)
                        return r;
        }

        *ret = u;
        u = (ResolvedUser){};
        return 0;
}

int user_resolve(const Config *config, ResolvedUser *ret, Failure *f) {
        return user_resolve_in(-EBADF, config, ret, f);
}
