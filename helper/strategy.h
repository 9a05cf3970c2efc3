/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A way of running a container that differs from the plain one (today "boot": true,
 * boot.c): an object the helper calls at fixed points of a start and of the
 * supervision (docs/ARCHITECTURE.md "Boot mode"). Its state lives in the object, never
 * in globals. A plain container has none (NULL), and each strategy_*() call below then
 * does what a plain container needs: nothing, "deny", false or the code given back.
 * What a mode mounts is not here: it adds rows to the mount table (mount.c), and hands
 * the data those rows need through MountExtras. */

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "helper.h"

struct clone_args;

/* The fds a strategy has the supervisor poll besides its own. */
#define STRATEGY_FDS_MAX 2

typedef struct Strategy Strategy;
struct Strategy {
        /* userns.c, parent: what to write to /proc/PID/setgroups (NULL: "deny"). */
        const char *setgroups;
        /* spawn.c, parent, right before clone3(). */
        void (*clone_args)(Strategy *s, struct clone_args *args);
        /* spawn.c, child: fill what the mode's mount rows need, before mount_setup_root();
         * take what they made, after it. */
        int (*child_mount_extras)(Strategy *s, MountExtras *x, Failure *f);
        int (*child_mounted)(Strategy *s, MountExtras *x, Failure *f);
        /* supervisor.c, once the payload runs: true when READY=1 is the payload's to send,
         * not the supervisor's at once. */
        bool (*supervise_start)(Strategy *s, pid_t pid);
        /* supervisor.c: fds to poll (negative: none), and what to do when they are ready. */
        void (*poll_fds)(Strategy *s, int ret_fds[STRATEGY_FDS_MAX]);
        void (*dispatch)(Strategy *s, const short revents[STRATEGY_FDS_MAX]);
        /* supervisor.c: the helper's exit code once PID 1 is gone ('code' as a plain
         * container would exit). */
        int (*exit_code)(Strategy *s, const siginfo_t *si, int code);
        /* Accepts NULL, returns NULL. */
        Strategy *(*free)(Strategy *s);
};

static inline const char *strategy_setgroups(const Strategy *s) {
        return s && s->setgroups ? s->setgroups : "deny";
}

static inline void strategy_clone_args(Strategy *s, struct clone_args *args) {
        if (s && s->clone_args)
                s->clone_args(s, args);
}

static inline int strategy_child_mount_extras(Strategy *s, MountExtras *x, Failure *f) {
        return s && s->child_mount_extras ? s->child_mount_extras(s, x, f) : 0;
}

static inline int strategy_child_mounted(Strategy *s, MountExtras *x, Failure *f) {
        return s && s->child_mounted ? s->child_mounted(s, x, f) : 0;
}

static inline bool strategy_supervise_start(Strategy *s, pid_t pid) {
        return s && s->supervise_start ? s->supervise_start(s, pid) : false;
}

static inline void strategy_poll_fds(Strategy *s, int ret_fds[STRATEGY_FDS_MAX]) {
        for (size_t i = 0; i < STRATEGY_FDS_MAX; i++)
                ret_fds[i] = -EBADF;
        if (s && s->poll_fds)
                s->poll_fds(s, ret_fds);
}

static inline void strategy_dispatch(Strategy *s, const short revents[STRATEGY_FDS_MAX]) {
        if (s && s->dispatch)
                s->dispatch(s, revents);
}

static inline int strategy_exit_code(Strategy *s, const siginfo_t *si, int code) {
        return s && s->exit_code ? s->exit_code(s, si, code) : code;
}

static inline Strategy *strategy_free(Strategy *s) {
        return s && s->free ? s->free(s) : NULL;
}

static inline void strategy_freep(Strategy **s) {
        *s = strategy_free(*s);
}
