/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "health" (nscontain.json(5)): the supervisor's health checker. The check runs inside
 * the container as "nscontain exec" runs a command (lib/enter.h: the container's
 * namespaces, root, user, capabilities and seccomp filter), one at a time, `interval`
 * after the payload started and after each check ended; one still running at `timeout`
 * is killed with its process group and fails. The state (starting → healthy ↔ unhealthy)
 * goes to the unit's status line (the supervisor) and to /run/nscontain/health/NAME.json
 * (lib/health-state.h) for "nscontain status" and "nscontain list". */

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

#define HEALTH_FDS_MAX 4

typedef struct HealthChecker HealthChecker;

typedef enum HealthEvent {
        HEALTH_EVENT_CHANGED = 1 << 0, /* the state changed: show it */
        HEALTH_EVENT_PASSED = 1 << 1,  /* a check passed (the first one: READY=1 with ready_when_healthy) */
        HEALTH_EVENT_END = 1 << 2,     /* unhealthy with on_failure "kill" or "restart": end the container */
} HealthEvent;

/* Takes config (freed with the checker); init is the container's PID 1. NULL when the
 * config has no health check. Logs. */
int health_checker_new(const char *name, Config *config, pid_t init, HealthChecker **ret);
HealthChecker *health_checker_free(HealthChecker *h);

/* The supervisor's part of its poll loop (h may be NULL: all -EBADF, nothing). */
void health_poll_fds(HealthChecker *h, int ret_fds[HEALTH_FDS_MAX]);
HealthEvent health_dispatch(HealthChecker *h, const short revents[HEALTH_FDS_MAX]);
/* No more checks: a running one is killed (the container is ending). */
void health_stop(HealthChecker *h);

/* READY=1 waits for the first passing check ("ready_when_healthy"). */
bool health_holds_ready(const HealthChecker *h);
/* "starting", "healthy", "unhealthy" for the status line. */
const char *health_describe(const HealthChecker *h);
