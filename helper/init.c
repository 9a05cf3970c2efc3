/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/close_range.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "spawn.h"

/* "init": true. The payload usually does not expect to be PID 1: the kernel drops
 * signals to PID 1 that have no handler (SIGTERM to a "sleep" does nothing), and
 * orphaned grandchildren become zombies unless PID 1 reaps them. This process is
 * that PID 1: it runs the payload as its only child, reaps whatever is re-parented to
 * it, passes every signal on to the payload and exits with the payload's status.
 *
 * It runs after all setup — with the container's credentials, capabilities and
 * seccomp filter — and stays non-dumpable (it never execs), so the payload cannot
 * ptrace it or read its memory. */

static int exit_code_from_status(int status) {
        if (WIFEXITED(status))
                return WEXITSTATUS(status);
        if (WIFSIGNALED(status))
                return 128 + WTERMSIG(status);
        return EXIT_SETUP_FAILED;
}

/* Reaps every exited child; returns the payload's exit code once it is gone, else -1. */
static int init_reap(pid_t payload) {
        int code = -1;

        for (;;) {
                int status;
                pid_t p = waitpid(-1, &status, WNOHANG);

                if (p < 0 && errno == EINTR)
                        continue;
                if (p <= 0)
                        return code;
                if (p == payload)
                        code = exit_code_from_status(status);
        }
}

_noreturn_ void init_run(const Config *config, char **env, int sync_fd) {
        _cleanup_close_ int sfd = -EBADF;
        sigset_t all, none;
        Failure f = {};
        pid_t payload;

        /* Blocked signals are queued even for a namespace's PID 1 (the kernel only drops
         * unblocked ones without a handler); we read them through a signalfd. */
        sigfillset(&all);
        sigemptyset(&none);
        if (sigprocmask(SIG_SETMASK, &all, NULL) < 0) {
                failf(&f, errno, "Failed to block signals in the container's init");
                child_fail(sync_fd, &f);
        }
        sfd = signalfd(-1, &all, SFD_CLOEXEC);
        if (sfd < 0) {
                failf(&f, errno, "Failed to create a signalfd in the container's init");
                child_fail(sync_fd, &f);
        }
        /* Without a pid namespace we are not PID 1: become the reaper of orphans anyway. */
        if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0) {
                failf(&f, errno, "Failed to become the child subreaper");
                child_fail(sync_fd, &f);
        }

        payload = fork();
        if (payload < 0) {
                failf(&f, errno, "Failed to fork the payload from the container's init");
                child_fail(sync_fd, &f);
        }
        if (payload == 0) {
                /* fork() clears the death signal: the payload dies with its init. */
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
                (void)sigprocmask(SIG_SETMASK, &none, NULL);
                /* The sync socket is still open here: a failed exec reaches the helper. */
                (void)child_exec_payload(config, env, &f);
                child_fail(sync_fd, &f);
        }

        /* In ps: the container's PID 1 is ours, not the payload. */
        (void)prctl(PR_SET_NAME, "nscontain-init", 0, 0, 0);

        /* Our copy of the sync socket must go now, or the helper would wait for an EOF
         * only our exit brings; the payload's copy closes at its exec. Nothing else from
         * setup stays open either. */
        if (sfd > 3)
                (void)close_range(3, (unsigned)sfd - 1, 0);
        (void)close_range((unsigned)sfd + 1, ~0U, 0);

        for (;;) {
                struct signalfd_siginfo si;
                ssize_t n = read(sfd, &si, sizeof(si));
                int code;

                if (n < 0 && errno == EINTR)
                        continue;
                if (n != sizeof(si)) {
                        /* Cannot happen with a valid signalfd; stay a reaper without it. */
                        int status;

                        for (;;) {
                                pid_t p = waitpid(-1, &status, 0);
                                if (p == payload)
                                        _exit(exit_code_from_status(status));
                                if (p < 0 && errno == ECHILD)
                                        _exit(EXIT_SETUP_FAILED);
                        }
                }

                if (si.ssi_signo == SIGCHLD) {
                        code = init_reap(payload);
                        if (code >= 0)
                                /* As PID 1 our exit takes the rest of the namespace with us. */
                                _exit(code);
                        continue;
                }

                (void)kill(payload, (int)si.ssi_signo);
        }
}
