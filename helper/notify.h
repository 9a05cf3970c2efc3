/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "macro.h"

/* sd_notify(3) without libsystemd: one datagram with TEXT ("READY=1\nSTATUS=…") to
 * $NOTIFY_SOCKET, a path or "@abstract" (the protocol systemd documents as stable).
 * 0 when there is no socket (not started by systemd), 1 when sent, -errno otherwise. */
int notify_send(const char *text);
int notify_sendf(const char *fmt, ...) _printf_(1, 2);

/* Where the container finds the relay: systemd's container interface puts the manager's
 * notify socket at /run/host/notify (systemd-nspawn does the same). */
#define NOTIFY_SOCKET_INSIDE "/run/host/notify"
#define NOTIFY_STATUS_MAX    1024

/* The relay of "notify": true and of "boot" (nscontain.json(5) "notify"): a datagram
 * socket, /run/nscontain/NAME.notify on the host, bound at /run/host/notify inside.
 * The supervisor reads it, checks who sent each message, and passes on to systemd (the
 * helper is the unit's main PID, NotifyAccess=main) only what describes the service:
 * READY=1, STATUS=, RELOADING=1 (with MONOTONIC_USEC=), STOPPING=1, WATCHDOG=1 or
 * =trigger, WATCHDOG_USEC=, EXTEND_TIMEOUT_USEC=, ERRNO=. Everything else (MAINPID=,
 * FDSTORE= and its fds, BARRIER=, …) is refused with one log line, and so is a message
 * from a process that is not the payload or one of its descendants (main_only: the
 * container's PID 1 itself, for a booted system whose services see the socket too). */
typedef struct NotifyRelay {
        int fd;      /* the socket (SO_PASSCRED, SO_PASSPIDFD where the kernel has it) */
        int out_fd;  /* where what it passes on to $NOTIFY_SOCKET is sent from */
        int tree_fd; /* parent, until the clone: a detached mount of it for the child */
        char path[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
        const char *name;
        pid_t pid;        /* the container's PID 1, as the helper sees it */
        bool main_only;   /* "boot": only PID 1 speaks for the container */
        bool hold_status; /* STATUS= is kept in status[] for the supervisor, not passed on */
        bool ready;       /* the payload said READY=1 */
        char status[NOTIFY_STATUS_MAX];
        uint64_t log_window_usec; /* rate limit of the refusal lines */
        unsigned log_count;
} NotifyRelay;

#define NOTIFY_RELAY_NULL \
        { .fd = -EBADF, .tree_fd = -EBADF }

/* Parent, before the clone: the socket and its detached mount. Logs. */
int notify_relay_open(NotifyRelay *r, const char *name);
/* Supervisor: reads what is queued (bounded), passes the allowed part of each message on.
 * Returns true when something changed that the supervisor shows (READY=1 seen, or a
 * held STATUS=). */
bool notify_relay_dispatch(NotifyRelay *r);
/* Closes the socket and removes its file. */
void notify_relay_close(NotifyRelay *r);
