/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The command lookup of a container: the child's, right before the exec, and "nscontain
 * validate"'s, ahead of any start (lib/preflight.c), with the same words. */

#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "creds.h"
#include "strv.h"

/* What access(X_OK) would say for u, from the mode and the owner alone (no ACLs). Root
 * may execute a regular file with any execute bit, as the kernel allows. */
static int mode_allows_exec(const struct stat *st, const ResolvedUser *u) {
        mode_t bit;

        if (!S_ISREG(st->st_mode))
                return EACCES;
        if (!u || u->uid == 0)
                return st->st_mode & 0111 ? 0 : EACCES;
        if (st->st_uid == u->uid)
                bit = 0100;
        else {
                bool member = st->st_gid == u->gid;
                for (size_t i = 0; i < u->n_groups && !member; i++)
                        member = st->st_gid == u->groups[i];
                bit = member ? 0010 : 0001;
        }
        return st->st_mode & bit ? 0 : EACCES;
}

/* 0 when 'file' may be executed, else a positive errno. */
static int exec_check(const char *file, ExecStatFunc stat_fn, void *userdata, const ResolvedUser *u) {
        struct stat st;
        int r;

        if (stat_fn) {
                r = stat_fn(file, &st, userdata);
                return r < 0 ? -r : mode_allows_exec(&st, u);
        }
        if (stat(file, &st) < 0)
                return errno;
        if (!S_ISREG(st.st_mode))
                return EACCES;
        if (access(file, X_OK) < 0)
                return errno;
        return 0;
}

int exec_find(const char *cmd, char **env, ExecStatFunc stat_fn, void *userdata, const ResolvedUser *u,
              char **ret, Failure *f) {
        _cleanup_free_ char *denied = NULL;
        const char *path;
        int denied_errno = 0, e;

        assert(cmd && ret);

        /* A path: what its execve would say, in the exec stub's words. */
        if (strchr(cmd, '/')) {
                e = exec_check(cmd, stat_fn, userdata, u);
                if (e != 0) {
                        failf(f, e, "Failed to execute '%s'", cmd);
                        if (f)
                                f->exit_code =
                                        e == ENOENT || e == ENOTDIR ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
                        return -e;
                }
                char *copy = strdup(cmd);
                if (!copy)
                        return failf(f, ENOMEM, "Failed to allocate memory");
                *ret = copy;
                return 0;
        }

        /* Like execvp(), but in the container's PATH (never ours), absolute entries only,
         * and a file that is no valid executable is an error, not a shell script. A match
         * that may not be executed is remembered, and reported if nothing later in PATH
         * can run. */
        path = strv_env_get(env, "PATH") ?: DEFAULT_PATH_ENV + STRLEN("PATH=");
        for (const char *p = path; *p;) {
                size_t len = strcspn(p, ":");
                _cleanup_free_ char *file = NULL;

                /* Empty and relative entries mean the cwd; we only search absolute ones. */
                if (len > 0 && p[0] == '/' && asprintf(&file, "%.*s/%s", (int)len, p, cmd) >= 0) {
                        e = exec_check(file, stat_fn, userdata, u);
                        if (e == 0) {
                                *ret = TAKE_PTR(file);
                                return 0;
                        }
                        if ((e == EACCES || e == EPERM) && !denied) {
                                denied_errno = e;
                                denied = TAKE_PTR(file);
                        }
                }
                p += len;
                if (*p == ':')
                        p++;
        }

        if (denied) {
                failf(f, denied_errno, "Failed to execute '%s'", denied);
                if (f)
                        f->exit_code = EXIT_CANNOT_EXEC;
                return -denied_errno;
        }
        failx(f, ENOENT, "Command '%s' not found in the container's PATH (%s)", cmd, path);
        if (f)
                f->exit_code = EXIT_NOT_FOUND;
        return -ENOENT;
}
