/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The default seccomp filter (the rules and why: seccomp-filter.c), as the BPF program
 * libseccomp made of them at build time (seccomp-export.c → seccomp-bpf.h): loading it
 * is one system call, with no rule compilation in every container's setup and no
 * libseccomp in the helper or the nscontain command. */

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include "creds.h"
#include "seccomp-bpf.h"

int seccomp_apply(const Config *config, Failure *f) {
        struct sock_fprog prog = {
                .len = ELEMENTSOF(seccomp_default_filter),
                .filter = (struct sock_filter *)seccomp_default_filter,
        };

        assert(config);

        if (!config->seccomp)
                return 0;
        /* No flags: no TSYNC (we are single-threaded), no NO_NEW_PRIVS (creds_apply()
         * sets it when configured, and holds CAP_SYS_ADMIN when it is not). */
        if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
                return failf(f, errno, "Failed to load the seccomp filter");
        return 0;
}
