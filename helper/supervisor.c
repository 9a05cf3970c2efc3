/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

#include "failpoint.h"
#include "health.h"
#include "log.h"
#include "notify.h"
#include "proxy.h"
#include "spawn.h"
#include "strategy.h"

/* The helper stays the unit's main process for the container's whole life, so it is
 * kept small: one poll() over a signalfd, the container's pidfd, (while stopping) a
 * timerfd, and what the config asks for: the notify relay, a watchdog timer, the
 * health checker's fds. No event loop library; a plain container allocates nothing. */

void helper_signal_set(sigset_t *ret) {
        sigemptyset(ret);
        sigaddset(ret, SIGTERM);
        sigaddset(ret, SIGINT);
        sigaddset(ret, SIGHUP);
        sigaddset(ret, SIGUSR1);
        sigaddset(ret, SIGUSR2);
        /* systemd's WatchdogSignal= (SIGABRT): the payload starved the watchdog. */
        sigaddset(ret, SIGABRT);
}

int exit_code_from_siginfo(const siginfo_t *si) {
        if (si->si_code == CLD_EXITED)
                return si->si_status & 0xff;
        return 128 + si->si_status; /* CLD_KILLED, CLD_DUMPED */
}

static int pidfd_send(int pidfd, int sig) {
        return RET_NERRNO(syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0));
}

static int timer_arm(int *tfd, uint64_t usec, bool repeat) {
        struct itimerspec its = {
                .it_value.tv_sec = (time_t)(usec / 1000000),
                .it_value.tv_nsec = (long)(usec % 1000000) * 1000,
        };

        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
                its.it_value.tv_nsec = 1; /* 0 would disarm */
        if (repeat)
                its.it_interval = its.it_value;

        *tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        if (*tfd < 0)
                return negative_errno();
        if (timerfd_settime(*tfd, 0, &its, NULL) < 0)
                return negative_errno();
        return 0;
}

/* signal: the stop signal (a stop request), or what systemd's watchdog sent us. */
static void supervisor_stop(Supervisor *s, int *tfd, int signal) {
        char span[64];
        int r;

        r = pidfd_send(s->pidfd, signal);
        if (r < 0 && r != -ESRCH)
                log_warning_errno(r, "%s: Failed to send %s to the container: %m", s->name,
                                  signal_to_string(signal));
        (void)notify_sendf("STOPPING=1\nSTATUS=Stopping container %s", s->name);

        /* As TimeoutStopSec=: 0 and infinity mean wait for ever. */
        if (s->stop_timeout_usec == 0 || s->stop_timeout_usec == UINT64_MAX)
                return;
        r = timer_arm(tfd, s->stop_timeout_usec, false);
        if (r < 0) {
                *tfd = safe_close(*tfd);
                (void)format_timespan(s->stop_timeout_usec, span, sizeof(span));
                log_warning_errno(r, "%s: Failed to arm the stop timeout of %s, killing now: %m", s->name,
                                  span);
                (void)pidfd_send(s->pidfd, SIGKILL);
        }
}

/* The unit's status line: the payload's own STATUS= where the relay holds it for us (with
 * health), else ours; and the health state. */
static void supervisor_status(Supervisor *s, bool ready) {
        char base[NOTIFY_STATUS_MAX + 64];

        if (s->notify && s->notify->hold_status && s->notify->status[0])
                snprintf(base, sizeof(base), "%s", s->notify->status);
        else if (!ready && s->payload_ready)
                snprintf(base, sizeof(base), "Container %s started, PID %i, waiting for its READY=1",
                         s->name, (int)s->pid);
        else if (!ready)
                snprintf(base, sizeof(base),
                         "Container %s started, PID %i, waiting for a passing health check", s->name,
                         (int)s->pid);
        else
                snprintf(base, sizeof(base), "Container %s running, PID %i", s->name, (int)s->pid);

        if (s->health)
                (void)notify_sendf("STATUS=%s; health: %s", base, health_describe(s->health));
        else
                (void)notify_sendf("STATUS=%s", base);
}

enum {
        P_CONTAINER,
        P_SIGNAL,
        P_STOP_TIMER,
        P_NOTIFY,
        P_WATCHDOG,
        P_RELAY,
        P_STRATEGY,
        P_HEALTH = P_STRATEGY + STRATEGY_FDS_MAX,
        _P_MAX = P_HEALTH + HEALTH_FDS_MAX,
};

/* The relay ended while the container runs: it never does on its own, so it was killed
 * or crashed, and the container's ports on the host's loopback answer no more. Stop
 * the container and say why; the unit's Restart= brings both back, as it would after
 * any other failure. */
static void supervisor_relay_died(Supervisor *s) {
        siginfo_t si = {};
        char how[64];

        /* Reaped here; proxy_stop() finds it gone. */
        if (waitid(P_PIDFD, (id_t)s->relay_pidfd, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
                snprintf(how, sizeof(how), "ended");
        else if (si.si_code == CLD_EXITED)
                snprintf(how, sizeof(how), "exited with status %i", si.si_status);
        else
                snprintf(how, sizeof(how), "was killed by %s", signal_to_string(si.si_status));
        log_error("%s: The loopback relay of the published ports (" PROXY_COMM
                  ") %s, stopping the container.",
                  s->name, how);
        (void)notify_sendf(
                "STATUS=Container %s stopped: the loopback relay of its published ports (" PROXY_COMM ") %s",
                s->name, how);
}

int supervisor_run(Supervisor *s) {
        _cleanup_close_ int sfd = -EBADF, tfd = -EBADF, wfd = -EBADF;
        bool stopping = false, ready = false;
        int forced_code = -1, relay = s->relay_pidfd;
        sigset_t mask;
        int r;

        helper_signal_set(&mask);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0) {
                log_error_errno(errno, "%s: Failed to create a signalfd: %m", s->name);
                (void)pidfd_send(s->pidfd, SIGKILL);
        }

        /* A booted system says itself when it is up; so does a payload with "notify"
         * (READY=1 through the relay); with "ready_when_healthy", the first passing check. */
        if (strategy_supervise_start(s->strategy, s->pid))
                s->payload_ready = true;
        if (s->notify)
                s->notify->pid = s->pid;
        if (!s->payload_ready && !health_holds_ready(s->health)) {
                ready = true;
                if (s->health)
                        (void)notify_send("READY=1");
                else
                        (void)notify_sendf("READY=1\nSTATUS=Container %s running, PID %i", s->name,
                                           (int)s->pid);
        }
        /* "notify" without health said it while the child set up (main.c). */
        if (s->health || (!ready && !s->strategy && !s->notify))
                supervisor_status(s, ready);
        failpoint("helper:after-ready");

        if (s->watchdog_usec > 0) {
                r = timer_arm(&wfd, s->watchdog_usec / 2, true);
                if (r < 0)
                        log_warning_errno(r, "%s: Failed to arm the watchdog timer: %m", s->name);
                (void)notify_send("WATCHDOG=1");
        }

        for (;;) {
                struct pollfd p[_P_MAX] = {
                        [P_CONTAINER] = {.fd = s->pidfd, .events = POLLIN},
                        [P_SIGNAL] = {.fd = sfd, .events = POLLIN},
                        [P_STOP_TIMER] = {.fd = tfd, .events = POLLIN},
                        [P_NOTIFY] = {.fd = s->notify ? s->notify->fd : -EBADF, .events = POLLIN},
                        [P_WATCHDOG] = {.fd = wfd, .events = POLLIN},
                        [P_RELAY] = {.fd = relay, .events = POLLIN},
                };
                int extra[STRATEGY_FDS_MAX], hfds[HEALTH_FDS_MAX];
                short revents[STRATEGY_FDS_MAX], hrevents[HEALTH_FDS_MAX];

                strategy_poll_fds(s->strategy, extra); /* "boot" only, else -EBADF */
                for (size_t i = 0; i < STRATEGY_FDS_MAX; i++)
                        p[P_STRATEGY + i] = (struct pollfd){.fd = extra[i], .events = POLLIN};
                health_poll_fds(s->health, hfds);
                for (size_t i = 0; i < HEALTH_FDS_MAX; i++)
                        p[P_HEALTH + i] = (struct pollfd){.fd = hfds[i], .events = POLLIN};

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error_errno(errno, "%s: poll() failed: %m", s->name);
                        (void)pidfd_send(s->pidfd, SIGKILL);
                        p[P_CONTAINER].revents = POLLIN;
                }

                for (size_t i = 0; i < STRATEGY_FDS_MAX; i++)
                        revents[i] = p[P_STRATEGY + i].revents;
                strategy_dispatch(s->strategy, revents);

                if (p[P_NOTIFY].revents && notify_relay_dispatch(s->notify)) {
                        if (s->payload_ready && s->notify->ready)
                                ready = true;
                        if (s->health)
                                supervisor_status(s, ready);
                }

                if (wfd >= 0 && p[P_WATCHDOG].revents) {
                        uint64_t n;
                        if (read(wfd, &n, sizeof(n)) > 0 && !stopping)
                                (void)notify_send("WATCHDOG=1");
                }

                if (s->health) {
                        HealthEvent e;

                        for (size_t i = 0; i < HEALTH_FDS_MAX; i++)
                                hrevents[i] = p[P_HEALTH + i].revents;
                        e = health_dispatch(s->health, hrevents);
                        if ((e & HEALTH_EVENT_PASSED) && !ready && !s->payload_ready) {
                                ready = true;
                                (void)notify_send("READY=1");
                        }
                        if (e & (HEALTH_EVENT_CHANGED | HEALTH_EVENT_PASSED))
                                supervisor_status(s, ready);
                        /* on_failure "kill" and "restart": end the container as a stop
                         * would, and exit with the status that says why. */
                        if ((e & HEALTH_EVENT_END) && !stopping) {
                                stopping = true;
                                forced_code = EXIT_UNHEALTHY;
                                health_stop(s->health);
                                supervisor_stop(s, &tfd, s->stop_signal);
                        }
                }

                if (p[P_RELAY].revents) {
                        relay = -EBADF; /* readable for ever now */
                        if (!stopping) {
                                stopping = true;
                                forced_code = EXIT_RELAY_DIED;
                                health_stop(s->health);
                                supervisor_stop(s, &tfd, s->stop_signal);
                                supervisor_relay_died(s);
                        }
                }

                if (p[P_CONTAINER].revents) {
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
                        health_stop(s->health);
                        /* "boot": reboot → 133, poweroff → 0 (boot.c). */
                        code = strategy_exit_code(s->strategy, &si, exit_code_from_siginfo(&si));
                        if (s->notify)
                                (void)notify_relay_dispatch(s->notify); /* its last words */
                        if (forced_code >= 0)
                                return forced_code;

                        /* A stop we forwarded that ended the payload (by the signal itself, or
                         * by a shell's 128+N) is a clean stop, not a failure of the unit. */
                        if (stopping && code == 128 + s->stop_signal) {
                                log_debug("%s: stopped", s->name);
                                return 0;
                        }
                        log_debug("%s: container exited with status %i", s->name, code);
                        return code;
                }

                if (p[P_SIGNAL].revents) {
                        struct signalfd_siginfo si;

                        while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                                int sig = (int)si.ssi_signo;

                                if (sig == SIGUSR1 || sig == SIGUSR2) {
                                        (void)pidfd_send(s->pidfd, sig);
                                        continue;
                                }
                                if (stopping)
                                        continue; /* repeats change nothing */
                                stopping = true;
                                health_stop(s->health);
                                /* The watchdog fired: the payload hangs. systemd sends its
                                 * main process SIGABRT so that it dumps core; ours is the
                                 * helper, so the payload gets it (SIGKILL after
                                 * stop_timeout). */
                                if (sig == SIGABRT) {
                                        log_warning("%s: The watchdog fired (the container did not send "
                                                    "WATCHDOG=1 in time), sending it SIGABRT.",
                                                    s->name);
                                        supervisor_stop(s, &tfd, SIGABRT);
                                } else /* SIGTERM, SIGINT, SIGHUP: stop, once */
                                        supervisor_stop(s, &tfd, s->stop_signal);
                        }
                }

                if (tfd >= 0 && p[P_STOP_TIMER].revents) {
                        char span[64];

                        tfd = safe_close(tfd);
                        (void)format_timespan(s->stop_timeout_usec, span, sizeof(span));
                        log_warning("%s: Container did not stop within %s after %s, killing it.", s->name,
                                    span, signal_to_string(s->stop_signal));
                        (void)pidfd_send(s->pidfd, SIGKILL);
                }
        }
}
