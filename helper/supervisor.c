/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include "notify.h"

#include "failpoint.h"
#include "log.h"
#include "spawn.h"
#include "strategy.h"

/* The helper stays the unit's main process for the container's whole life, so it is
 * kept small: one poll() over a signalfd, the container's pidfd and (while stopping)
 * a timerfd. No event loop library, nothing allocated. */

void helper_signal_set(sigset_t *ret) {
        sigemptyset(ret);
        sigaddset(ret, SIGTERM);
        sigaddset(ret, SIGINT);
        sigaddset(ret, SIGHUP);
        sigaddset(ret, SIGUSR1);
        sigaddset(ret, SIGUSR2);
}

int exit_code_from_siginfo(const siginfo_t *si) {
        if (si->si_code == CLD_EXITED)
                return si->si_status & 0xff;
        return 128 + si->si_status; /* CLD_KILLED, CLD_DUMPED */
}

static int pidfd_send(int pidfd, int sig) {
        return RET_NERRNO(syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0));
}

static int timer_arm(int *tfd, uint64_t usec) {
        struct itimerspec its = {
                .it_value.tv_sec = (time_t)(usec / 1000000),
                .it_value.tv_nsec = (long)(usec % 1000000) * 1000,
        };

        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
                its.it_value.tv_nsec = 1; /* 0 would disarm */

        *tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (*tfd < 0)
                return negative_errno();
        if (timerfd_settime(*tfd, 0, &its, NULL) < 0)
                return negative_errno();
        return 0;
}

static void supervisor_stop(Supervisor *s, int *tfd) {
        char span[64];
        int r;

        r = pidfd_send(s->pidfd, s->stop_signal);
        if (r < 0 && r != -ESRCH)
                log_warning_errno(r, "%s: Failed to send %s to the container: %m", s->name,
                                  signal_to_string(s->stop_signal));
        (void)notify_sendf("STOPPING=1\nSTATUS=Stopping container %s", s->name);

        /* As TimeoutStopSec=: 0 and infinity mean wait for ever. */
        if (s->stop_timeout_usec == 0 || s->stop_timeout_usec == UINT64_MAX)
                return;
        r = timer_arm(tfd, s->stop_timeout_usec);
        if (r < 0) {
                *tfd = safe_close(*tfd);
                (void)format_timespan(s->stop_timeout_usec, span, sizeof(span));
                log_warning_errno(r, "%s: Failed to arm the stop timeout of %s, killing now: %m", s->name,
                                  span);
                (void)pidfd_send(s->pidfd, SIGKILL);
        }
}

int supervisor_run(Supervisor *s) {
        _cleanup_close_ int sfd = -EBADF, tfd = -EBADF;
        bool stopping = false;
        sigset_t mask;

        helper_signal_set(&mask);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                log_error_errno(errno, "%s: Failed to create a signalfd: %m", s->name);
                (void)pidfd_send(s->pidfd, SIGKILL);
        }

        /* A booted system says itself when it is up (boot.c relays its READY=1). */
        if (!strategy_supervise_start(s->strategy, s->pid))
                (void)notify_sendf("READY=1\nSTATUS=Container %s running, PID %i", s->name, (int)s->pid);
        failpoint("helper:after-ready");

        for (;;) {
                int extra[STRATEGY_FDS_MAX];

                strategy_poll_fds(s->strategy, extra); /* "boot" only, else -EBADF */
                struct pollfd p[3 + STRATEGY_FDS_MAX] = {
                        {.fd = s->pidfd, .events = POLLIN},
                        {.fd = sfd, .events = POLLIN},
                        {.fd = tfd, .events = POLLIN},
                };
                short revents[STRATEGY_FDS_MAX];

                for (size_t i = 0; i < STRATEGY_FDS_MAX; i++)
                        p[3 + i] = (struct pollfd){.fd = extra[i], .events = POLLIN};

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error_errno(errno, "%s: poll() failed: %m", s->name);
                        (void)pidfd_send(s->pidfd, SIGKILL);
                        p[0].revents = POLLIN;
                }

                for (size_t i = 0; i < STRATEGY_FDS_MAX; i++)
                        revents[i] = p[3 + i].revents;
                strategy_dispatch(s->strategy, revents);

                if (p[0].revents) {
                        siginfo_t si = {};
                        int code;

                        /* Blocking: a readable pidfd means the process is gone or going. */
                        if (waitid(P_PIDFD, (id_t)s->pidfd, &si, WEXITED) < 0) {
                                if (errno == EINTR)
                                        continue;
                                return log_error_errno(errno, "%s: Failed to reap the container: %m",
                                                       s->name),
                                       EXIT_SETUP_FAILED;
                        }
                        /* "boot": reboot → 133, poweroff → 0 (boot.c). */
                        code = strategy_exit_code(s->strategy, &si, exit_code_from_siginfo(&si));

                        /* A stop we forwarded that ended the payload (by the signal itself, or
                         * by a shell's 128+N) is a clean stop, not a failure of the unit. */
                        if (stopping && code == 128 + s->stop_signal) {
                                log_debug("%s: stopped", s->name);
                                return 0;
                        }
                        log_debug("%s: container exited with status %i", s->name, code);
                        return code;
                }

                if (p[1].revents) {
                        struct signalfd_siginfo si;

                        while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                int sig = (int)si.ssi_signo;

                                if (sig == SIGUSR1 || sig == SIGUSR2) {
                                        (void)pidfd_send(s->pidfd, sig);
                                        continue;
                                }
                                /* SIGTERM, SIGINT, SIGHUP: stop, once; repeats change nothing. */
                                if (!stopping) {
                                        stopping = true;
                                        supervisor_stop(s, &tfd);
                                }
                        }
                }

                if (tfd >= 0 && p[2].revents) {
                        char span[64];

                        tfd = safe_close(tfd);
                        (void)format_timespan(s->stop_timeout_usec, span, sizeof(span));
                        log_warning("%s: Container did not stop within %s after %s, killing it.", s->name,
                                    span, signal_to_string(s->stop_signal));
                        (void)pidfd_send(s->pidfd, SIGKILL);
                }
        }
}
