/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A new process inside a running container, as "nscontain exec" (cli/exec.c) and the
 * helper's health checks (helper/health.c) start one (docs/ARCHITECTURE.md, "From a JSON
 * file to a running payload"):
 *
 *   caller                       I (intermediate)                G (the command)
 *   enter_target_prepare()
 *   fork ──────────────────────► enter_intermediate_run():
 *                                non-dumpable, PDEATHSIG
 *                                setgroups (host gids)
 *                                setns(pidfd, every ns that differs)
 *                                fork ─────────────────────────► (in the container's pid ns)
 *   ◄──── SYNC_PID (G's pid) ─── wait for G, exit with its code   [wait_go: SYNC_GO]
 *                                                                 setsid, [setup hook],
 *                                                                 workdir, env, creds_apply()
 *   ◄──── SYNC_EXEC, EOF (exec'd), or SYNC_FAILURE ─────────────  execveat(stub) → command
 *
 * Every message is a SyncMessage (lib/sync.h). Nothing here logs. */

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "config.h"
#include "creds.h"

typedef struct EnterTarget {
        const Config *config; /* user, workdir, env, capabilities, seccomp of the container */
        ResolvedUser user;
        gid_t *host_groups; /* the user's supplementary groups as host gids (user namespace) */
        size_t n_host_groups;
        int ns_flags;     /* CLONE_NEW* of every namespace of PID 1 that is not ours */
        bool join_userns; /* one of them is a user namespace */
        int pidfd;        /* of the container's PID 1 */
        int stub_fd;      /* the sealed exec stub (lib/exec.c) */
} EnterTarget;

#define ENTER_TARGET_NULL \
        { .pidfd = -EBADF, .stub_fd = -EBADF }

/* For the container whose PID 1 is init (a pid of ours) and whose config is config (its
 * "user" and "workdir" as the process should get them): the namespaces to join, the user
 * resolved in the container's /etc/passwd and /etc/group through /proc/INIT/root (by fd,
 * RESOLVE_IN_ROOT), its groups mapped to the host through INIT's gid_map, a pidfd of
 * init and the exec stub. On failure f says why (its words are the start's). */
int enter_target_prepare(EnterTarget *t, const Config *config, pid_t init, Failure *f);
void enter_target_done(EnterTarget *t);

typedef struct EnterProcess {
        const EnterTarget *target;
        char *const *argv;
        char **env_extra; /* KEY=VALUE over the config's env (exec -e) */
        const char *term; /* $TERM where the env has none; NULL: none */
        bool wait_go;     /* G waits for SYNC_GO before anything else (exec: attached first) */
        /* G, after setsid() (exec -t: the terminal); may be NULL. */
        int (*setup)(int sync_fd, Failure *f);
        sigset_t exec_mask; /* G's signal mask at the exec */
} EnterProcess;

/* I, in a process forked by the caller: joins the namespaces, forks G, sends SYNC_PID
 * with G's pid (as the caller sees it), waits for G and exits with its code (128+N for
 * a signal). A failure before G's exec reaches the caller as SYNC_FAILURE. */
_noreturn_ void enter_intermediate_run(const EnterProcess *p, int sync_fd, pid_t parent);

/* The pid of init's parent, from /proc (-1 when unknown). */
pid_t proc_ppid(pid_t pid);
