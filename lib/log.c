/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "log.h"

static const char *log_ident = "nscontain";
static LogTarget log_target = LOG_TARGET_STDERR;
static int log_max_level = LOG_INFO;
static int kmsg_fd = -EBADF;
static int journal_fd = -EBADF; /* LOG_TARGET_JOURNAL: -EBADF not tried yet, -EIO unreachable */

static const char *const level_names[] = {
        [LOG_EMERG] = "emerg",     [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit", [LOG_ERR] = "err",
        [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

void log_setup(const char *ident, LogTarget target) {
        log_ident = ident;
        log_target = target;
        if (target == LOG_TARGET_KMSG && kmsg_fd < 0) {
                kmsg_fd = open("/dev/kmsg", O_WRONLY | O_NOCTTY | O_CLOEXEC);
                if (kmsg_fd < 0)
                        log_target = LOG_TARGET_STDERR;
        }
}

void log_set_max_level(int level) {
        log_max_level = level;
}

int log_get_max_level(void) {
        return log_max_level;
}

int log_level_from_string(const char *s) {
        if (!s)
                return -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(level_names); i++)
                if (strcasecmp(s, level_names[i]) == 0)
                        return (int)i;
        if (strcasecmp(s, "error") == 0)
                return LOG_ERR;
        if (s[0] >= '0' && s[0] <= '7' && s[1] == 0)
                return s[0] - '0';
        return -EINVAL;
}

void log_parse_environment(void) {
        int l = log_level_from_string(getenv("SYSTEMD_LOG_LEVEL"));
        if (l >= 0)
                log_max_level = l;
}

/* The last error-level message, for a program that also reports it elsewhere. */
static char last_error[1024];

const char *log_last_error(void) {
        return last_error;
}

/* Whether stderr is the journal stream systemd gave us: $JOURNAL_STREAM is "DEV:INODE"
 * of it (systemd.exec(5)), inherited by children whose stderr may be something else
 * (the helper reads "nscontain image import" through a pipe). Decided once. */
static bool stderr_is_journal(void) {
        static int cached = -1;
        unsigned long long dev, ino;
        const char *e;
        struct stat st;

        if (cached >= 0)
                return cached;
        e = getenv("JOURNAL_STREAM");
        cached = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 && fstat(STDERR_FILENO, &st) >= 0 &&
                 (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
        return cached;
}

/* journald's stream protocol (what sd_journal_stream_fd(3) does): a header of seven
 * lines (identifier, unit, default priority, level prefix on, no forwarding), then lines
 * with a "<N>" prefix. journald takes the sender's unit from the connection, made while we
 * run, so a line written right before we exit is still the unit's. */
static int journal_stream_open(void) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX, .sun_path = "/run/systemd/journal/stdout"};
        char header[128];
        int fd, n;

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -EIO;
        n = snprintf(header, sizeof(header), "%s\n\n%i\n1\n0\n0\n0\n", log_ident, LOG_INFO);
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || shutdown(fd, SHUT_RD) < 0 || n < 0 ||
            (size_t)n >= sizeof(header) || write(fd, header, (size_t)n) != n) {
                close(fd);
                return -EIO;
        }
        return fd;
}

/* The line on our journal stream; false when it cannot be written there. */
static bool journal_stream_write(int level, const char *buf) {
        char prefix[8];
        int n;

        if (journal_fd == -EBADF)
                journal_fd = stderr_is_journal() ? journal_stream_open() : -EIO;
        if (journal_fd < 0)
                return false;
        n = snprintf(prefix, sizeof(prefix), "<%i>", level);
        struct iovec iov[] = {
                {.iov_base = prefix, .iov_len = (size_t)n},
                {.iov_base = (char *)buf, .iov_len = strlen(buf)},
                {.iov_base = (char *)"\n", .iov_len = 1},
        };
        size_t len = iov[0].iov_len + iov[1].iov_len + 1;
        if (writev(journal_fd, iov, ELEMENTSOF(iov)) == (ssize_t)len)
                return true;
        close(journal_fd);
        journal_fd = -EIO;
        return false;
}

int log_internal(int level, int error, const char *file, int line, const char *func, const char *fmt, ...) {
        char buf[2048];
        va_list ap;

        error = error < 0 ? -error : error;
        if (level > log_max_level)
                return error > 0 ? -error : -EIO;

        /* %m must expand to the error we were given, not whatever errno holds now. */
        errno = error;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        if (level <= LOG_ERR) {
                size_t n = strnlen(buf, sizeof(last_error) - 1);
                memcpy(last_error, buf, n);
                last_error[n] = 0;
        }

        if (log_target == LOG_TARGET_KMSG && kmsg_fd >= 0) {
                char prefix[64];
                int n = snprintf(prefix, sizeof(prefix), "<%i>%s[%i]: ", LOG_DAEMON | level, log_ident,
                                 (int)getpid());
                struct iovec iov[] = {
                        {.iov_base = prefix, .iov_len = (size_t)n},
                        {.iov_base = buf, .iov_len = strlen(buf)},
                        {.iov_base = (char *)"\n", .iov_len = 1},
                };
                (void)!writev(kmsg_fd, iov, ELEMENTSOF(iov));
        } else if (log_target == LOG_TARGET_JOURNAL && journal_stream_write(level, buf)) {
                ;
        } else {
                /* Under systemd, stderr goes to the journal: a <N> prefix sets the priority. */
                if (stderr_is_journal())
                        fprintf(stderr, "<%i>%s\n", level, buf);
                else
                        fprintf(stderr, "%s: %s\n", log_ident, buf);
        }
        (void)file;
        (void)line;
        (void)func;
        return error > 0 ? -error : -EIO;
}
