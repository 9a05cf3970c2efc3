/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include <json-c/json.h>

#include "log.h"
#include "nscontain.h"

static pid_t pager_pid = 0;

/* Like systemctl: output to a terminal goes through $SYSTEMD_PAGER, $PAGER or less,
 * unless --no-pager; "cat" or an empty value means no pager. */
void pager_open(void) {
        const char *pager;
        int fds[2];
        pid_t pid;

        if (arg_no_pager || pager_pid > 0 || !isatty(STDOUT_FILENO))
                return;
        pager = getenv("SYSTEMD_PAGER") ?: getenv("PAGER") ?: "less";
        if (isempty(pager) || streq(pager, "cat"))
                return;

        fflush(stdout);
        if (pipe2(fds, O_CLOEXEC) < 0)
                return; /* no pager is not an error */
        pid = fork();
        if (pid < 0) {
                safe_close(fds[0]);
                safe_close(fds[1]);
                return;
        }
        if (pid == 0) {
                if (dup2(fds[0], STDIN_FILENO) < 0)
                        _exit(EXIT_FAILURE);
                /* F: quit if one screen, R: colors, S: chop long lines, X: keep the screen, K: ^C quits. */
                setenv("LESS", "FRSXMK", 0);
                execl("/bin/sh", "sh", "-c", pager, (char *)NULL);
                _exit(EXIT_FAILURE);
        }
        if (dup2(fds[1], STDOUT_FILENO) < 0) {
                safe_close(fds[0]);
                safe_close(fds[1]);
                kill(pid, SIGTERM);
                (void)waitpid(pid, NULL, 0);
                return;
        }
        safe_close(fds[0]);
        safe_close(fds[1]);
        /* The pager quitting early must not kill us half-way through a cleanup. */
        signal(SIGPIPE, SIG_IGN);
        pager_pid = pid;
}

void pager_close(void) {
        if (pager_pid <= 0)
                return;
        fflush(stdout);
        /* EOF for the pager: close every copy of its input. */
        (void)close(STDOUT_FILENO);
        while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
                ;
        pager_pid = 0;
}

char *format_bytes(char *buf, size_t size, uint64_t bytes) {
        static const char suffixes[] = "KMGTPE";
        double v = (double)bytes;
        size_t i = 0;

        if (bytes < 1024) {
                snprintf(buf, size, "%" PRIu64 "B", bytes);
                return buf;
        }
        v /= 1024.0;
        while (v >= 1024.0 && i + 2 < sizeof(suffixes)) {
                v /= 1024.0;
                i++;
        }
        snprintf(buf, size, "%.1f%c", v, suffixes[i]);
        return buf;
}

/* A coarse span for humans: the two largest units ("2h 5min", "12s", "340ms"). */
char *format_usec_span(char *buf, size_t size, uint64_t usec) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } table[] = {
                {"d", 86400ULL * 1000000ULL},
                {"h", 3600ULL * 1000000ULL},
                {"min", 60ULL * 1000000ULL},
                {"s", 1000000ULL},
                {"ms", 1000ULL},
        };
        size_t l = 0;
        int parts = 0;

        buf[0] = 0;
        for (size_t i = 0; i < ELEMENTSOF(table) && parts < 2; i++) {
                if (usec < table[i].usec)
                        continue;
                uint64_t n = usec / table[i].usec;
                usec -= n * table[i].usec;
                int r = snprintf(buf + l, size - l, "%s%" PRIu64 "%s", l > 0 ? " " : "", n, table[i].suffix);
                if (r < 0 || (size_t)r >= size - l)
                        break;
                l += (size_t)r;
                parts++;
        }
        if (l == 0)
                snprintf(buf, size, "%" PRIu64 "us", usec);
        return buf;
}

char *format_timestamp(char *buf, size_t size, uint64_t realtime_usec) {
        time_t t = (time_t)(realtime_usec / 1000000ULL);
        struct tm tm;

        if (realtime_usec == 0 || !localtime_r(&t, &tm) ||
            strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, size, "n/a");
        return buf;
}

/* One clear line for verbs that act with privileges systemd and the kernel only grant
 * to root (entering namespaces, starting units). */
int require_root(const char *verb) {
        if (geteuid() == 0)
                return 0;
        log_error("'nscontain %s' needs root privileges (run it as root or with sudo).", verb);
        return -EPERM;
}

int json_print(json_object *o) {
        const char *s = o ? json_object_to_json_string_ext(o, JSON_OUTPUT_FLAGS) : NULL;
        int r = s ? 0 : log_oom();

        if (s)
                puts(s);
        json_object_put(o);
        return r;
}
