/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "spawn.h"

void failure_log(const char *name, const Failure *f) {
        /* One line, so that "systemctl status" shows the whole reason. */
        if (f->error > 0)
                log_error_errno(f->error, "%s: %s: %m", name, f->message);
        else
                log_error("%s: %s", name, f->message);
}
