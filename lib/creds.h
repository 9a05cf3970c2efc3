/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The identity and privileges a process gets inside a container: the helper applies
 * them before it execs the payload, "nscontain exec" before it execs a command in a
 * running container. Code that runs in a set-up child never logs: it fills a Failure
 * and returns -errno; the program that forked it logs one line. */

#include <stdarg.h>
#include <sys/types.h>

#include "config.h"
#include "failure.h"
#include "macro.h"

typedef struct ResolvedUser {
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary, may be NULL */
        size_t n_groups;
        char *home; /* may be NULL */
        char *name; /* may be NULL when given numerically and absent from passwd */
} ResolvedUser;

void resolved_user_done(ResolvedUser *u);

/* user.c — child side, after pivot_root: resolve config->user in /etc/passwd and
 * /etc/group of the container (numeric ids need no entry). */
int user_resolve(const Config *config, ResolvedUser *ret, Failure *f);

/* caps.c, seccomp.c, user.c — child side, the last steps before exec, in this order:
 *   creds_apply(): bounding set, setgroups/setgid/setuid keeping the caps we need,
 *   then all five capability sets explicitly (inheritable and ambient empty),
 *   PR_SET_NO_NEW_PRIVS when configured, and the seccomp filter (installed while we
 *   still may, i.e. before dropping CAP_SYS_ADMIN when no_new_privileges is off). */
int creds_apply(const Config *config, const ResolvedUser *u, Failure *f);
int caps_bounding_apply(uint64_t keep, Failure *f);
int caps_final_apply(uint64_t keep, Failure *f);
int seccomp_apply(const Config *config, Failure *f);
uint64_t caps_effective_set(const Config *config); /* default ∪ add ∖ drop */

/* user_resolve(), reading the image through root_fd (a directory fd of the container's
 * root; paths resolved with RESOLVE_IN_ROOT) instead of "/" after pivot_root.
 *
 * For the parent: in a user namespace with setgroups "deny" (docs/SECURITY.md row 10) the
 * child can never call setgroups(), so the supplementary groups a user should have
 * can only be given by the parent, setgroups() with the host gids (base + gid) right
 * before clone3() — the child inherits them, and creds_apply() checks that what it
 * inherited is exactly the user's list, failing the start otherwise. */
int user_resolve_in(int root_fd, const Config *config, ResolvedUser *ret, Failure *f);

/* exec.c — a sealed memfd holding the exec stub (stub/stub.c), made before the child is
 * forked: returns the fd (close-on-exec) or -errno (-EACCES: vm.memfd_noexec=2). With
 * may_use_file (a container with a user namespace), an O_PATH fd of the installed stub
 * where memfds may not be executed. */
int exec_stub_open(bool may_use_file);

/* exec-find.c — argv[0] in the container's PATH (from env), or argv[0] itself when it
 * holds a '/': the file to execute, or -errno with f filled in the words the start logs
 * (exit code 127 for not found, 126 for not executable). With stat_fn NULL the files are
 * looked at in our own root (the child, after pivot_root: stat() and access() as the
 * payload's user); otherwise through stat_fn (lib/preflight.c: the container's files
 * seen from outside), with the execute bits read for u. */
struct stat;
typedef int (*ExecStatFunc)(const char *path, struct stat *ret, void *userdata);
int exec_find(const char *cmd, char **env, ExecStatFunc stat_fn, void *userdata, const ResolvedUser *u,
              char **ret, Failure *f);

/* exec.c — child side, the very last step: finds argv[0] in the container's PATH (from
 * env) and executes it through the stub, which becomes the command's PID 1 with init.
 * Does not return on success: the stub sends SYNC_EXEC (lib/sync.h) over sync_fd right
 * before the command's execve and reports a failure of that execve itself. Otherwise returns -errno
 * with f filled (exit code 127 for not found, 126 for not executable). */
int exec_sealed(int stub_fd, int sync_fd, bool init, char *const *argv, char **env, Failure *f);
