/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "failure.h"
#include "log.h"

_printf_(4, 0) static int failv(Failure *f, int error, bool explained, const char *fmt, va_list ap) {
        error = error < 0 ? -error : error;
        if (error == 0)
                error = EIO;

        /* The first failure is the cause; whatever a caller adds while unwinding is noise. */
        if (f && f->message[0] == 0) {
                f->error = error;
                f->explained = explained;
                if (f->exit_code == 0)
                        f->exit_code = EXIT_SETUP_FAILED;
                vsnprintf(f->message, sizeof(f->message), fmt, ap);
                if (f->message[0] == 0)
                        snprintf(f->message, sizeof(f->message), "Setup failed");
        }
        return -error;
}

int failf(Failure *f, int error, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = failv(f, error, false, fmt, ap);
        va_end(ap);
        return r;
}

int failx(Failure *f, int error, const char *fmt, ...) {
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = failv(f, error, true, fmt, ap);
        va_end(ap);
        return r;
}

const char *failure_text(const Failure *f, char *buf, size_t size) {
        /* The message may come from another process: never trust its terminator. */
        int n = (int)strnlen(f->message, sizeof(f->message));

        if (f->error > 0 && !f->explained)
                snprintf(buf, size, "%.*s: %s", n, f->message, strerror(f->error));
        else
                snprintf(buf, size, "%.*s", n, f->message);
        return buf;
}

void failure_log(const char *name, const Failure *f) {
        char text[FAILURE_TEXT_MAX];

        /* One line, in the words "nscontain validate" uses (lib/preflight.c). */
        log_error("%s: %s", name, failure_text(f, text, sizeof(text)));
}
