/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The health checker (health.h; nscontain.json(5) "health"). One check at a time, as a
 * small state machine in the supervisor's poll loop: idle (the timer is the interval),
 * running (the timer is the timeout; the fds are the check's intermediate process, its
 * output pipe and its sync socket). Nothing is allocated per check but the record's
 * JSON text. */

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "enter.h"
#include "health-state.h"
#include "health.h"
#include "log.h"
#include "sync.h"

enum { FD_TIMER, FD_PROCESS, FD_OUTPUT, FD_SYNC };

struct HealthChecker {
        char name[CONFIG_NAME_MAX + 1];
        Config *config;
        const Health *health;
        pid_t init;
        pid_t self;
        uint64_t started_usec; /* CLOCK_MONOTONIC of the payload's start */

        EnterTarget target;
        bool prepared;

        int timer_fd;
        bool running, stopped, timed_out, passed_once;
        pid_t process;    /* the check's intermediate (ours) */
        int process_fd;   /* its pidfd */
        pid_t command;    /* the command's pid (from SYNC_PID), 0 until known */
        int output_fd;    /* the read end of its stdout and stderr */
        int sync_fd;      /* our end of its sync socket */
        bool exec_marker; /* the command was executed */
        Failure failure;  /* why it could not be */
        size_t output_size;

        HealthRecord record;
};

static int timer_set(int fd, uint64_t usec) {
        struct itimerspec its = {
                .it_value.tv_sec = (time_t)(usec / 1000000),
                .it_value.tv_nsec = (long)(usec % 1000000) * 1000,
        };

        if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
                its.it_value.tv_nsec = 1; /* 0 would disarm */
        return RET_NERRNO(timerfd_settime(fd, 0, &its, NULL));
}

static void record_write(HealthChecker *h) {
        int r = health_record_write(h->name, h->self, &h->record);

        if (r < 0)
                log_debug_errno(r, "%s: Failed to write %s/%s.json: %m", h->name, HEALTH_STATE_DIR, h->name);
}

int health_checker_new(const char *name, Config *config, pid_t init, HealthChecker **ret) {
        HealthChecker *h;
        int r;

        if (!config->health.command) {
                *ret = NULL;
                return 0;
        }
        h = calloc(1, sizeof(HealthChecker));
        if (!h)
                return log_oom();
        snprintf(h->name, sizeof(h->name), "%s", name);
        h->config = config;
        h->health = &config->health;
        h->init = init;
        h->self = getpid();
        h->started_usec = now_usec(CLOCK_MONOTONIC);
        h->target = (EnterTarget)ENTER_TARGET_NULL;
        h->process_fd = h->output_fd = h->sync_fd = -EBADF;
        h->record.status = HEALTH_STARTING;

        h->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
        r = h->timer_fd < 0 ? negative_errno() : timer_set(h->timer_fd, h->health->interval_usec);
        if (r < 0) {
                log_error_errno(r, "%s: Failed to arm the health check's timer: %m", name);
                h->config = NULL; /* the caller's still */
                health_checker_free(h);
                return r;
        }
        record_write(h);
        *ret = h;
        return 0;
}

static void check_close(HealthChecker *h) {
        h->process_fd = safe_close(h->process_fd);
        h->output_fd = safe_close(h->output_fd);
        h->sync_fd = safe_close(h->sync_fd);
        h->process = h->command = 0;
        h->running = false;
}

static void check_kill(HealthChecker *h) {
        /* The command leads its own process group (setsid() in lib/enter.c): whatever it
         * started goes with it. Then the intermediate, which takes it along otherwise. */
        if (h->command > 0)
                (void)kill(-h->command, SIGKILL);
        if (h->process_fd >= 0)
                (void)syscall(SYS_pidfd_send_signal, h->process_fd, SIGKILL, NULL, 0);
}

void health_stop(HealthChecker *h) {
        if (!h || h->stopped)
                return;
        h->stopped = true;
        if (h->running) {
                check_kill(h);
                if (h->process > 0)
                        (void)waitid(P_PIDFD, (id_t)h->process_fd, &(siginfo_t){}, WEXITED);
                check_close(h);
        }
        if (h->timer_fd >= 0)
                (void)timer_set(h->timer_fd, 0), h->timer_fd = safe_close(h->timer_fd);
}

HealthChecker *health_checker_free(HealthChecker *h) {
        if (!h)
                return NULL;
        health_stop(h);
        (void)health_record_remove(h->name);
        enter_target_done(&h->target);
        config_free(h->config);
        free(h);
        return NULL;
}

bool health_holds_ready(const HealthChecker *h) {
        return h && h->health->ready_when_healthy;
}

const char *health_describe(const HealthChecker *h) {
        return health_status_to_string(h->record.status);
}

void health_poll_fds(HealthChecker *h, int ret_fds[HEALTH_FDS_MAX]) {
        for (size_t i = 0; i < HEALTH_FDS_MAX; i++)
                ret_fds[i] = -EBADF;
        if (!h)
                return;
        ret_fds[FD_TIMER] = h->timer_fd;
        ret_fds[FD_PROCESS] = h->process_fd;
        ret_fds[FD_OUTPUT] = h->output_fd;
        ret_fds[FD_SYNC] = h->sync_fd;
}

/* A failure before the command could run (say, its user is gone from /etc/passwd): the
 * check fails with that as its output. */
static void check_failed_setup(HealthChecker *h, const Failure *f) {
        char text[FAILURE_TEXT_MAX];

        snprintf(h->record.last_output, sizeof(h->record.last_output), "%s",
                 failure_text(f, text, sizeof(text)));
        h->output_size = strlen(h->record.last_output);
}

static int check_start(HealthChecker *h) {
        _cleanup_close_pair_ int pair[2] = {-EBADF, -EBADF}, pipe_fds[2] = {-EBADF, -EBADF};
        EnterProcess p = {.target = &h->target, .argv = h->health->command};
        pid_t parent = getpid(), pid;
        Failure f = {};
        int r;

        h->failure = (Failure){};
        h->exec_marker = h->timed_out = false;
        h->output_size = 0;
        h->record.last_output[0] = 0;

        /* Once: the namespaces and the user stay the container's for its life. */
        if (!h->prepared) {
                enter_target_done(&h->target);
                r = enter_target_prepare(&h->target, h->config, h->init, &f);
                if (r < 0) {
                        h->failure = f;
                        return r;
                }
                h->prepared = true;
        }

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0 ||
            pipe2(pipe_fds, O_CLOEXEC) < 0)
                return failf(&h->failure, errno, "Failed to create the health check's sockets");
        sigemptyset(&p.exec_mask);

        pid = fork();
        if (pid < 0)
                return failf(&h->failure, errno, "Failed to fork the health check");
        if (pid == 0) {
                int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

                /* stdin empty, stdout and stderr to us; the exec closes the rest. */
                if (null_fd < 0 || dup2(null_fd, STDIN_FILENO) < 0 || dup2(pipe_fds[1], STDOUT_FILENO) < 0 ||
                    dup2(pipe_fds[1], STDERR_FILENO) < 0)
                        _exit(EXIT_SETUP_FAILED);
                enter_intermediate_run(&p, pair[1], parent);
        }

        h->process = pid;
        h->process_fd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (h->process_fd < 0) {
                r = failf(&h->failure, errno, "Failed to open the health check's process");
                (void)kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                h->process = 0;
                return r;
        }
        h->sync_fd = TAKE_FD(pair[0]);
        h->output_fd = TAKE_FD(pipe_fds[0]);
        (void)fcntl(h->output_fd, F_SETFL, O_NONBLOCK);
        h->running = true;
        (void)timer_set(h->timer_fd, h->health->timeout_usec);
        return 0;
}

static void output_read(HealthChecker *h) {
        char discard[1024];

        for (;;) {
                char *buf = h->record.last_output + h->output_size;
                size_t room = HEALTH_OUTPUT_MAX - h->output_size;
                ssize_t n;

                /* The first HEALTH_OUTPUT_MAX bytes are kept; the rest is read and dropped. */
                n = room > 0 ? read(h->output_fd, buf, room) : read(h->output_fd, discard, sizeof(discard));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0 && errno == EAGAIN)
                        return;
                if (n <= 0) {
                        h->output_fd = safe_close(h->output_fd);
                        return;
                }
                if (room > 0) {
                        h->output_size += (size_t)n;
                        h->record.last_output[h->output_size] = 0;
                }
        }
}

static void sync_read(HealthChecker *h) {
        SyncMessage m;
        int r;

        for (;;) {
                r = sync_receive(h->sync_fd, MSG_DONTWAIT, &m, NULL, 0);
                if (r == -EAGAIN)
                        return;
                if (r <= 0) {
                        h->sync_fd = safe_close(h->sync_fd); /* EOF: exec'd, or gone */
                        return;
                }
                if (m.type == SYNC_PID)
                        h->command = m.pid;
                else if (m.type == SYNC_EXEC)
                        h->exec_marker = true;
                else if (m.type == SYNC_FAILURE && h->failure.message[0] == 0)
                        h->failure = m.failure;
        }
}

/* The output on one line for the journal and the status: trailing white space cut,
 * line breaks and other control characters shown as spaces. */
static const char *output_line(HealthChecker *h, char *buf, size_t size) {
        size_t n = 0;

        for (const char *p = h->record.last_output; *p && n + 1 < size; p++)
                buf[n++] = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
        while (n > 0 && buf[n - 1] == ' ')
                n--;
        buf[n] = 0;
        return n > 0 ? buf : "(none)";
}

static HealthEvent check_finished(HealthChecker *h, int code) {
        const Health *hc = h->health;
        uint32_t retries = MAX(hc->retries, 1U);
        HealthStatus before = h->record.status;
        HealthEvent e = 0;
        bool counted, passed;
        char line[512];

        if (h->failure.message[0] && h->output_size == 0)
                check_failed_setup(h, &h->failure);
        passed = code == 0 && !h->timed_out && h->failure.message[0] == 0;

        h->record.checks++;
        h->record.last_check_usec = now_usec(CLOCK_REALTIME);
        h->record.last_exit_code = h->timed_out ? -1 : code;
        if (h->timed_out) {
                char span[64];
                (void)format_timespan(hc->timeout_usec, span, sizeof(span));
                size_t l = strlen(h->record.last_output);
                snprintf(h->record.last_output + l, sizeof(h->record.last_output) - l,
                         "%sKilled at its timeout of %s.",
                         l > 0 && h->record.last_output[l - 1] != '\n' ? "\n" : "", span);
        }

        if (passed) {
                h->passed_once = true;
                h->record.failing_streak = 0;
                h->record.status = HEALTH_HEALTHY;
                e |= HEALTH_EVENT_PASSED;
                if (before == HEALTH_UNHEALTHY)
                        log_notice("%s: The health check passed again: healthy.", h->name);
        } else {
                h->record.failures++;
                /* Failures in the start period do not count, unless a check passed in it
                 * (the service is up then, as docker has it). */
                counted = h->passed_once ||
                          now_usec(CLOCK_MONOTONIC) - h->started_usec >= hc->start_period_usec;
                if (counted)
                        h->record.failing_streak++;
                if (counted && h->record.failing_streak >= retries && before != HEALTH_UNHEALTHY) {
                        h->record.status = HEALTH_UNHEALTHY;
                        log_warning("%s: The health check failed %u times in a row (last %s %i), the "
                                    "container is unhealthy%s. Its last output: %s",
                                    h->name, h->record.failing_streak,
                                    h->timed_out ? "killed at its timeout, status" : "exit status",
                                    h->timed_out ? 128 + SIGKILL : code,
                                    hc->on_failure == HEALTH_ON_FAILURE_NONE ? ""
                                    : hc->on_failure == HEALTH_ON_FAILURE_KILL
                                            ? ", ending it (on_failure \"kill\")"
                                            : ", ending it to be restarted (on_failure \"restart\")",
                                    output_line(h, line, sizeof(line)));
                        if (hc->on_failure != HEALTH_ON_FAILURE_NONE)
                                e |= HEALTH_EVENT_END;
                }
        }
        if (h->record.status != before)
                e |= HEALTH_EVENT_CHANGED;
        record_write(h);
        return e;
}

HealthEvent health_dispatch(HealthChecker *h, const short revents[HEALTH_FDS_MAX]) {
        HealthEvent e = 0;
        siginfo_t si = {};
        uint64_t n;
        int r;

        if (!h || h->stopped)
                return 0;

        if (revents[FD_OUTPUT] && h->output_fd >= 0)
                output_read(h);
        if (revents[FD_SYNC] && h->sync_fd >= 0)
                sync_read(h);

        if (revents[FD_TIMER] && read(h->timer_fd, &n, sizeof(n)) > 0) {
                if (h->running) {
                        /* Its timeout. */
                        h->timed_out = true;
                        check_kill(h);
                } else {
                        r = check_start(h);
                        if (r < 0) {
                                e |= check_finished(h, EXIT_SETUP_FAILED);
                                (void)timer_set(h->timer_fd, h->health->interval_usec);
                                return e;
                        }
                }
        }

        if (h->running && revents[FD_PROCESS] &&
            waitid(P_PIDFD, (id_t)h->process_fd, &si, WEXITED | WNOHANG) >= 0 && si.si_pid != 0) {
                int code = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;

                /* What is there still: its last words, a failure of the setup. */
                if (h->output_fd >= 0)
                        output_read(h);
                if (h->sync_fd >= 0)
                        sync_read(h);
                check_close(h);
                e |= check_finished(h, code);
                /* The next one an interval after this one ended. */
                (void)timer_set(h->timer_fd, h->health->interval_usec);
        }
        return e;
}
