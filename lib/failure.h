/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Why a set-up child failed, as it tells the program that forked it in a SYNC_FAILURE
 * message of the sync channel (lib/sync.h), and the exit codes. No includes: stub/stub.c,
 * built without a libc, writes these too. */

/* Exit codes, documented in nscontain-helper(8); the payload's own codes pass through. */
#define EXIT_RELAY_DIED   123 /* the loopback relay of published ports died (helper/proxy.h) */
#define EXIT_UNHEALTHY    124 /* ended by its health check (health.on_failure kill or restart) */
#define EXIT_SETUP_FAILED 125 /* anything before the exec */
#define EXIT_CANNOT_EXEC  126 /* the command exists but cannot be executed */
#define EXIT_NOT_FOUND    127 /* the command is not in the container's PATH */

typedef struct Failure {
        int error;          /* positive errno */
        int exit_code;      /* EXIT_SETUP_FAILED unless the step says otherwise */
        char message[1024]; /* "Failed to bind-mount '/srv/data' on '/data'"; the parent adds ": %m" */
        int explained;      /* the message says why already: no ": %m" (failx()) */
} Failure;

/* failure.c — records the first failure in f (later ones, added while unwinding, are
 * noise) and returns -abs(error), so that "return failf(f, r, …)" reads well. */
int failf(Failure *f, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* failure.c — the same for a message that says why on its own ("no such user in the
 * container's /etc/passwd"): the error's text is not appended to it. */
int failx(Failure *f, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* failure.c — the one line a failure is shown as, in the journal, the unit's status text
 * and by "nscontain validate": the message, then ": " and the error's text unless it is
 * explained. */
#define FAILURE_TEXT_MAX 1280
const char *failure_text(const Failure *f, char *buf, __SIZE_TYPE__ size);

/* failure.c — for the program that forked the child: the one log line of a failed setup
 * step, "web: Failed to …: errno", so that "systemctl status" shows the whole reason. */
void failure_log(const char *name, const Failure *f);
