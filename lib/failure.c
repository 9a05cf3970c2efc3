/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "failure.h"
#include "log.h"

int failf(Failure *f, int error, const char *fmt, ...) {
        va_list ap;

        error = error < 0 ? -error : error;
        if (error == 0)
                error = EIO;

        /* The first failure is the cause; whatever a caller adds while unwinding is noise. */
        if (f && f->message[0] == 0) {
                f->error = error;
                if (f->exit_code == 0)
                        f->exit_code = EXIT_SETUP_FAILED;
                va_start(ap, fmt);
                vsnprintf(f->message, sizeof(f->message), fmt, ap);
                va_end(ap);
                if (f->message[0] == 0)
                        snprintf(f->message, sizeof(f->message), "Setup failed");
        }
        return -error;
}

void failure_log(const char *name, const Failure *f) {
        if (f->error > 0)
                log_error_errno(f->error, "%s: %s: %m", name, f->message);
        else
                log_error("%s: %s", name, f->message);
}
