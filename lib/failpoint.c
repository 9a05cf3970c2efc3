/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "failpoint.h"
#include "macro.h"

#if ENABLE_FAILPOINTS

/* Fixed sizes and no allocation: points are reached in the helper's child after
 * clone3(), where the heap may be in any state. */
#define FAILPOINTS_MAX      8
#define FAILPOINT_NAME_MAX  64
#define FAILPOINT_DELAY_MAX 600000UL

typedef enum FailAction {
        FAIL_KILL,
        FAIL_ABORT,
        FAIL_DELAY,
        FAIL_ERROR,
} FailAction;

typedef struct FailSpec {
        char name[FAILPOINT_NAME_MAX];
        FailAction action;
        unsigned long arg; /* milliseconds for delay, errno for error */
        unsigned long hit; /* 0: every time */
        unsigned long count;
} FailSpec;

static const char *const known_points[] = {
        "helper:after-config",        "helper:after-user-range",    "helper:after-clone",
        "helper:after-maps",          "helper:after-network",       "child:before-mount",
        "child:after-root",           "child:after-api-mounts",     "child:after-binds",
        "child:after-pivot",          "child:before-exec",          "helper:after-ready",
        "sidecar:after-alloc",        "sidecar:before-state-write", "write-atomic:before-rename",
        "sidecar:after-state-write",  "sidecar:after-veth-create",  "exec:before-exec",
        "image:after-archive-unpack", "image:after-layer-extract",  "image:before-layer-rename",
        "image:after-layer-rename",   "image:before-image-rename",  "image:before-names-write",
        "helper:overlay-detached",    "image:extract-entry",
};

static const struct {
        const char *name;
        int value;
} errno_names[] = {
        {"EIO", EIO},       {"ENOSPC", ENOSPC}, {"ENOMEM", ENOMEM}, {"EACCES", EACCES},
        {"EPERM", EPERM},   {"EAGAIN", EAGAIN}, {"EBUSY", EBUSY},   {"EROFS", EROFS},
        {"EDQUOT", EDQUOT}, {"ENOENT", ENOENT}, {"EINTR", EINTR},   {"ETIMEDOUT", ETIMEDOUT},
        {"EEXIST", EEXIST}, {"EINVAL", EINVAL}, {"ENODEV", ENODEV}, {"ECONNRESET", ECONNRESET},
};

static FailSpec specs[FAILPOINTS_MAX];
static size_t n_specs;
static bool parsed;

static int parse_ulong(const char *s, size_t len, unsigned long max, unsigned long *ret) {
        unsigned long v = 0;

        if (len == 0 || len > 9)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned long)(s[i] - '0');
        }
        if (v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse_errno(const char *s, size_t len, unsigned long *ret) {
        for (size_t i = 0; i < ELEMENTSOF(errno_names); i++)
                if (strlen(errno_names[i].name) == len && strncmp(errno_names[i].name, s, len) == 0) {
                        *ret = (unsigned long)errno_names[i].value;
                        return 0;
                }
        return parse_ulong(s, len, 4095, ret) < 0 || *ret == 0 ? -EINVAL : 0;
}

/* ACTION is the part after the last ':' when it names one ("helper:after-clone" has a
 * ':' of its own and means "kill"). */
static int parse_action(const char *s, size_t len, FailSpec *spec) {
        if (len == 4 && strncmp(s, "kill", 4) == 0)
                spec->action = FAIL_KILL;
        else if (len == 5 && strncmp(s, "abort", 5) == 0)
                spec->action = FAIL_ABORT;
        else if (len >= 6 && strncmp(s, "delay=", 6) == 0) {
                spec->action = FAIL_DELAY;
                return parse_ulong(s + 6, len - 6, FAILPOINT_DELAY_MAX, &spec->arg);
        } else if (len >= 6 && strncmp(s, "error=", 6) == 0) {
                spec->action = FAIL_ERROR;
                return parse_errno(s + 6, len - 6, &spec->arg);
        } else
                return -ENOENT; /* not an action: part of the name */
        return 0;
}

static int parse_one(const char *s, size_t len, FailSpec *ret) {
        FailSpec spec = {.action = FAIL_KILL};
        const char *at, *colon = NULL;
        int r;

        at = memchr(s, '@', len);
        if (at) {
                r = parse_ulong(at + 1, len - (size_t)(at + 1 - s), 1000000, &spec.hit);
                if (r < 0 || spec.hit == 0)
                        return -EINVAL;
                len = (size_t)(at - s);
        }
        for (size_t i = len; i > 0; i--)
                if (s[i - 1] == ':') {
                        colon = s + i - 1;
                        break;
                }
        if (colon) {
                r = parse_action(colon + 1, len - (size_t)(colon + 1 - s), &spec);
                if (r == 0)
                        len = (size_t)(colon - s);
                else if (r != -ENOENT)
                        return r;
        }
        if (len == 0 || len >= sizeof(spec.name))
                return -EINVAL;
        memcpy(spec.name, s, len);
        spec.name[len] = 0;
        *ret = spec;
        return 0;
}

static int parse_spec(const char *text, FailSpec *ret, size_t *ret_n) {
        size_t n = 0;

        for (const char *p = text; *p;) {
                size_t len = strcspn(p, ",");
                int r;

                if (len > 0) {
                        if (n >= FAILPOINTS_MAX)
                                return -E2BIG;
                        r = parse_one(p, len, &ret[n]);
                        if (r < 0)
                                return r;
                        n++;
                }
                p += len;
                if (*p == ',')
                        p++;
        }
        *ret_n = n;
        return 0;
}

int failpoint_spec_check(const char *spec) {
        FailSpec s[FAILPOINTS_MAX];
        size_t n;

        return parse_spec(spec, s, &n) < 0 ? -EINVAL : 0;
}

static bool point_is_known(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(known_points); i++)
                if (streq(known_points[i], name))
                        return true;
        return false;
}

/* Test builds only: the one place in lib/ that writes to stderr, because the test
 * must be able to see that the point was reached. */
static void failpoint_parse_env(void) {
        const char *env = getenv(FAILPOINT_ENV);

        parsed = true;
        if (!env || !*env)
                return;
        if (parse_spec(env, specs, &n_specs) < 0) {
                n_specs = 0;
                dprintf(STDERR_FILENO, "failpoint: invalid $%s '%s', ignored\n", FAILPOINT_ENV, env);
                return;
        }
        for (size_t i = 0; i < n_specs; i++)
                if (!point_is_known(specs[i].name))
                        dprintf(STDERR_FILENO, "failpoint: unknown point %s\n", specs[i].name);
}

int failpoint_hit(const char *name) {
        if (!parsed)
                failpoint_parse_env();
        if (n_specs == 0)
                return 0;

        for (size_t i = 0; i < n_specs; i++) {
                FailSpec *s = &specs[i];

                if (!streq(s->name, name))
                        continue;
                s->count++;
                if (s->hit != 0 && s->count != s->hit)
                        continue;

                switch (s->action) {
                case FAIL_KILL:
                        dprintf(STDERR_FILENO, "failpoint %s: kill\n", name);
                        (void)kill(getpid(), SIGKILL);
                        /* PID 1 of a pid namespace ignores signals it sends itself. */
                        (void)syscall(SYS_exit_group, 128 + SIGKILL);
                        _exit(128 + SIGKILL);
                case FAIL_ABORT:
                        dprintf(STDERR_FILENO, "failpoint %s: abort\n", name);
                        abort();
                case FAIL_DELAY:
                        dprintf(STDERR_FILENO, "failpoint %s: delay %lu ms\n", name, s->arg);
                        {
                                struct timespec ts = {
                                        .tv_sec = (time_t)(s->arg / 1000),
                                        .tv_nsec = (long)(s->arg % 1000) * 1000000L,
                                };
                                while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                                        ;
                        }
                        break;
                case FAIL_ERROR:
                        dprintf(STDERR_FILENO, "failpoint %s: error %lu\n", name, s->arg);
                        return -(int)s->arg;
                }
        }
        return 0;
}

#endif
