/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nscontain-helper: the pieces of one container start, shared between the files of
 * this program. The flow (DESIGN.md "The helper"):
 *
 *   parent (host)                           child (new namespaces, PID 1 of its pidns)
 *   main.c: load + validate config
 *   spawn.c: clone3(CLONE_PIDFD|NEW*) ───►  waits on the sync socket
 *   userns.c: setgroups deny, uid/gid maps
 *   mount.c: mount_prepare_trees()           (detached, idmapped trees made with host
 *            sends the tree fds  ─────────►   privileges, attached by the child)
 *                                          mount.c: mount_setup_root() … pivot_root
 *                                          netif.c: netif_setup()
 *                                          sethostname
 *                                          user.c: user_resolve() (container's passwd)
 *                                          chdir(workdir)
 *                                          caps.c / seccomp.c / user.c: credentials
 *                                          close fds, execve  (sync socket is CLOEXEC:
 *   EOF on the sync socket = exec'd ◄──────   EOF tells the parent the exec happened)
 *   supervisor.c: READY=1, forward stop signal, SIGKILL after stop_timeout, reap,
 *                 exit with the payload's code or 128+N
 *
 * Code that runs in the child never logs: it fills a Failure and returns -errno; the
 * child sends it over the sync socket and _exit()s; the parent logs one line. */

#include <net/if.h>
#include <stdarg.h>
#include <sys/types.h>

#include "config.h"
#include "macro.h"

/* Exit codes, documented in nscontain-helper(8); the payload's own codes pass through. */
#define EXIT_SETUP_FAILED 125 /* anything before the exec */
#define EXIT_CANNOT_EXEC  126 /* the command exists but cannot be executed */
#define EXIT_NOT_FOUND    127 /* the command is not in the container's PATH */

typedef struct Failure {
        int error;     /* positive errno */
        int exit_code; /* EXIT_SETUP_FAILED unless the step says otherwise */
        char message[1024]; /* "Failed to bind-mount '/srv/data' on '/data'"; the parent adds ": %m" */
} Failure;

/* Records the first failure; returns -abs(error) so "return failf(f, r, …)" reads well. */
int failf(Failure *f, int error, const char *fmt, ...) _printf_(3, 4);

typedef struct ResolvedUser {
        uid_t uid;
        gid_t gid;
        gid_t *groups; /* supplementary, may be NULL */
        size_t n_groups;
        char *home; /* may be NULL */
        char *name; /* may be NULL when given numerically and absent from passwd */
} ResolvedUser;

void resolved_user_done(ResolvedUser *u);

typedef struct Container {
        Config *config;
        const char *name;

        bool userns;     /* config->namespaces.user */
        uid_t uid_base;  /* first host uid of the range (userns) */
        uint32_t uid_size;

        /* Made by the parent (mount_prepare_trees), closed there once sent; the child
         * receives its own copies over the sync socket. */
        int root_tree_fd;     /* detached mount of the rootfs (idmapped with userns) */
        int *bind_tree_fds;   /* per config->mounts[i]: a detached tree for binds, -EBADF for tmpfs */
        size_t n_bind_tree_fds;

        /* Network facts for the child (veth mode; set by the parent before "go"). */
        char ifname[IFNAMSIZ]; /* the peer's name as moved into the netns, renamed to eth0 */
        char address[64];      /* CIDR */
        char gateway[64];
        uint32_t mtu;

        int sync_fd; /* this side's end of the socketpair */
} Container;

/* mount.c — parent side: clone the root and each bind source into detached trees,
 * idmapped through userns_fd when c->userns (and the entry's idmap), read-only as
 * configured. Refuses a rootfs whose filesystem cannot be idmapped with a message
 * naming user_namespace.ownership "chown". */
int mount_prepare_trees(Container *c, int userns_fd, Failure *f);
void mount_trees_close(Container *c);

/* mount.c — child side, in the new mount namespace: propagation private first,
 * attach the root tree, /proc, /sys (ro), /dev, devpts, /dev/shm, /dev/mqueue, binds
 * and tmpfs entries (targets resolved inside the root with openat2 RESOLVE_IN_ROOT),
 * masked and read-only paths, /sys/fs/cgroup read-only, pivot_root, old root
 * detached. Afterwards "/" is the container's root and the cwd is "/". */
int mount_setup_root(Container *c, Failure *f);

/* netif.c — child side: lo up; for veth, rename c->ifname to eth0, address, MTU,
 * default route via the gateway. */
int netif_setup(Container *c, Failure *f);

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
