/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <strings.h>

#include "config.h"

/* Names for the classic signals; real-time ones are spelled SIGRTMIN+N as systemd does. */
static const char *const signal_names[] = {
        [SIGHUP] = "HUP",   [SIGINT] = "INT",       [SIGQUIT] = "QUIT", [SIGILL] = "ILL",
        [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",     [SIGBUS] = "BUS",   [SIGFPE] = "FPE",
        [SIGKILL] = "KILL", [SIGUSR1] = "USR1",     [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
        [SIGPIPE] = "PIPE", [SIGALRM] = "ALRM",     [SIGTERM] = "TERM", [SIGSTKFLT] = "STKFLT",
        [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",     [SIGSTOP] = "STOP", [SIGTSTP] = "TSTP",
        [SIGTTIN] = "TTIN", [SIGTTOU] = "TTOU",     [SIGURG] = "URG",   [SIGXCPU] = "XCPU",
        [SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF", [SIGWINCH] = "WINCH",
        [SIGIO] = "IO",     [SIGPWR] = "PWR",       [SIGSYS] = "SYS",
};

static int parse_small_uint(const char *s, unsigned max, unsigned *ret) {
        unsigned v = 0;

        if (!*s)
                return -EINVAL;
        for (; *s; s++) {
                if (*s < '0' || *s > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(*s - '0');
                if (v > max)
                        return -ERANGE;
        }
        *ret = v;
        return 0;
}

int signal_from_string(const char *s) {
        unsigned n;

        if (isempty(s))
                return -EINVAL;
        if (s[0] >= '0' && s[0] <= '9') {
                if (parse_small_uint(s, (unsigned)SIGRTMAX, &n) < 0 || n == 0)
                        return -EINVAL;
                return (int)n;
        }

        if (strncasecmp(s, "SIG", 3) == 0)
                s += 3;

        /* "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N", as systemd and kill(1) accept. */
        if (strncasecmp(s, "RTMIN", 5) == 0 || strncasecmp(s, "RTMAX", 5) == 0) {
                bool max = strncasecmp(s, "RTMAX", 5) == 0;
                const char *p = s + 5;
                int sig = max ? SIGRTMAX : SIGRTMIN;

                if (*p == 0)
                        return sig;
                if (*p != (max ? '-' : '+'))
                        return -EINVAL;
                if (parse_small_uint(p + 1, (unsigned)(SIGRTMAX - SIGRTMIN), &n) < 0)
                        return -EINVAL;
                return max ? sig - (int)n : sig + (int)n;
        }

        for (size_t i = 0; i < ELEMENTSOF(signal_names); i++)
                if (signal_names[i] && strcasecmp(s, signal_names[i]) == 0)
                        return (int)i;
        /* Aliases Linux defines. */
        if (strcasecmp(s, "IOT") == 0)
                return SIGABRT;
        if (strcasecmp(s, "POLL") == 0)
                return SIGIO;
        if (strcasecmp(s, "CLD") == 0)
                return SIGCHLD;
        return -EINVAL;
}

const char *signal_to_string(int sig) {
        static _Thread_local char buf[32];

        if (sig > 0 && (size_t)sig < ELEMENTSOF(signal_names) && signal_names[sig]) {
                snprintf(buf, sizeof(buf), "SIG%s", signal_names[sig]);
                return buf;
        }
        if (sig == SIGRTMIN)
                return "SIGRTMIN";
        if (sig > SIGRTMIN && sig <= SIGRTMAX) {
                snprintf(buf, sizeof(buf), "SIGRTMIN+%d", sig - SIGRTMIN);
                return buf;
        }
        return NULL;
}

#define USEC_PER_MSEC   1000ULL
#define USEC_PER_SEC    1000000ULL
#define USEC_PER_MINUTE (60ULL * USEC_PER_SEC)
#define USEC_PER_HOUR   (60ULL * USEC_PER_MINUTE)
#define USEC_PER_DAY    (24ULL * USEC_PER_HOUR)
#define USEC_PER_WEEK   (7ULL * USEC_PER_DAY)
#define USEC_PER_MONTH  (2629800ULL * USEC_PER_SEC)  /* 30.44 days, as systemd */
#define USEC_PER_YEAR   (31557600ULL * USEC_PER_SEC) /* 365.25 days, as systemd */

/* systemd's time span suffixes (time-util.c), longest first where one is a prefix
 * of another ("ms" before "m", "min" before "m"). */
static const struct {
        const char *suffix;
        uint64_t usec;
} time_units[] = {
        {"seconds", USEC_PER_SEC},
        {"second", USEC_PER_SEC},
        {"sec", USEC_PER_SEC},
        {"s", USEC_PER_SEC},
        {"minutes", USEC_PER_MINUTE},
        {"minute", USEC_PER_MINUTE},
        {"min", USEC_PER_MINUTE},
        {"months", USEC_PER_MONTH},
        {"month", USEC_PER_MONTH},
        {"M", USEC_PER_MONTH},
        {"msec", USEC_PER_MSEC},
        {"ms", USEC_PER_MSEC},
        {"m", USEC_PER_MINUTE},
        {"hours", USEC_PER_HOUR},
        {"hour", USEC_PER_HOUR},
        {"hr", USEC_PER_HOUR},
        {"h", USEC_PER_HOUR},
        {"days", USEC_PER_DAY},
        {"day", USEC_PER_DAY},
        {"d", USEC_PER_DAY},
        {"weeks", USEC_PER_WEEK},
        {"week", USEC_PER_WEEK},
        {"w", USEC_PER_WEEK},
        {"years", USEC_PER_YEAR},
        {"year", USEC_PER_YEAR},
        {"y", USEC_PER_YEAR},
        {"usec", 1},
        {"us", 1},
        {"\xc2\xb5s", 1},
};

static bool is_space(char ch) {
        return ch == ' ' || ch == '\t' || ch == '\n';
}

int parse_timespan(const char *s, uint64_t *ret_usec) {
        uint64_t total = 0;
        bool any = false;

        if (!s)
                return -EINVAL;
        while (is_space(*s))
                s++;
        if (strcmp(s, "infinity") == 0) {
                if (ret_usec)
                        *ret_usec = UINT64_MAX;
                return 0;
        }

        for (;;) {
                uint64_t whole = 0, frac = 0, frac_div = 1, unit = 0;
                bool digits = false;

                while (is_space(*s))
                        s++;
                if (*s == 0)
                        break;

                while (*s >= '0' && *s <= '9') {
                        if (whole > (UINT64_MAX - 9) / 10)
                                return -ERANGE;
                        whole = whole * 10 + (uint64_t)(*s - '0');
                        s++;
                        digits = true;
                }
                if (*s == '.') {
                        s++;
                        /* As systemd: no "3.s", "3. 1" or "3.-1". */
                        if (*s < '0' || *s > '9')
                                return -EINVAL;
                        while (*s >= '0' && *s <= '9') {
                                /* Digits beyond microsecond precision of a year are noise. */
                                if (frac_div < 100000000000000000ULL) {
                                        frac = frac * 10 + (uint64_t)(*s - '0');
                                        frac_div *= 10;
                                }
                                s++;
                                digits = true;
                        }
                }
                if (!digits)
                        return -EINVAL;

                while (is_space(*s))
                        s++;
                if (*s == 0 || (*s >= '0' && *s <= '9')) {
                        /* A bare number means seconds, but only as the whole span ("5"),
                         * never in the middle of "1min 30". */
                        if (any || *s != 0)
                                return -EINVAL;
                        unit = USEC_PER_SEC;
                } else {
                        for (size_t i = 0; i < ELEMENTSOF(time_units); i++) {
                                size_t l = strlen(time_units[i].suffix);
                                if (strncmp(s, time_units[i].suffix, l) == 0) {
                                        const char *e = s + l;
                                        /* The suffix must end the component. */
                                        if (*e != 0 && !is_space(*e) && !(*e >= '0' && *e <= '9'))
                                                continue;
                                        unit = time_units[i].usec;
                                        s = e;
                                        break;
                                }
                        }
                        if (unit == 0)
                                return -EINVAL;
                }

                if (whole > UINT64_MAX / unit)
                        return -ERANGE;
                uint64_t v = whole * unit;
                /* frac/frac_div of a unit, truncated to microseconds; 128 bits since
                 * unit (< 2^45) times frac (< 10^17) does not fit 64. */
                uint64_t f = (uint64_t)((unsigned __int128)unit * frac / frac_div);
                if (v > UINT64_MAX - 1 - f || total > UINT64_MAX - 1 - v - f)
                        return -ERANGE;
                total += v + f;
                any = true;
        }
        if (!any)
                return -EINVAL;
        if (ret_usec)
                *ret_usec = total;
        return 0;
}

uint64_t now_usec(clockid_t clock) {
        struct timespec ts;

        if (clock_gettime(clock, &ts) < 0)
                return 0;
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000ULL;
}

int format_timespan(uint64_t usec, char *buf, size_t size) {
        static const struct {
                const char *suffix;
                uint64_t usec;
        } table[] = {
                {"y", USEC_PER_YEAR}, {"month", USEC_PER_MONTH}, {"w", USEC_PER_WEEK},
                {"d", USEC_PER_DAY},  {"h", USEC_PER_HOUR},      {"min", USEC_PER_MINUTE},
                {"s", USEC_PER_SEC},  {"ms", USEC_PER_MSEC},     {"us", 1},
        };
        size_t l = 0;
        int r;

        if (!buf || size == 0)
                return -EINVAL;
        if (usec == UINT64_MAX)
                r = snprintf(buf, size, "infinity");
        else if (usec == 0)
                r = snprintf(buf, size, "0");
        else {
                buf[0] = 0;
                for (size_t i = 0; i < ELEMENTSOF(table) && usec > 0; i++) {
                        if (usec < table[i].usec)
                                continue;
                        uint64_t n = usec / table[i].usec;
                        usec -= n * table[i].usec;
                        r = snprintf(buf + l, size - l, "%s%llu%s", l > 0 ? " " : "", (unsigned long long)n,
                                     table[i].suffix);
                        if (r < 0 || (size_t)r >= size - l)
                                return -ENOBUFS;
                        l += (size_t)r;
                }
                return 0;
        }
        if (r < 0 || (size_t)r >= size)
                return -ENOBUFS;
        return 0;
}

/* capabilities(7), by number; kept as a table so names do not depend on the libcap
 * version installed. */
static const char *const capability_names[] = {
        [CAP_CHOWN] = "CAP_CHOWN",
        [CAP_DAC_OVERRIDE] = "CAP_DAC_OVERRIDE",
        [CAP_DAC_READ_SEARCH] = "CAP_DAC_READ_SEARCH",
        [CAP_FOWNER] = "CAP_FOWNER",
        [CAP_FSETID] = "CAP_FSETID",
        [CAP_KILL] = "CAP_KILL",
        [CAP_SETGID] = "CAP_SETGID",
        [CAP_SETUID] = "CAP_SETUID",
        [CAP_SETPCAP] = "CAP_SETPCAP",
        [CAP_LINUX_IMMUTABLE] = "CAP_LINUX_IMMUTABLE",
        [CAP_NET_BIND_SERVICE] = "CAP_NET_BIND_SERVICE",
        [CAP_NET_BROADCAST] = "CAP_NET_BROADCAST",
        [CAP_NET_ADMIN] = "CAP_NET_ADMIN",
        [CAP_NET_RAW] = "CAP_NET_RAW",
        [CAP_IPC_LOCK] = "CAP_IPC_LOCK",
        [CAP_IPC_OWNER] = "CAP_IPC_OWNER",
        [CAP_SYS_MODULE] = "CAP_SYS_MODULE",
        [CAP_SYS_RAWIO] = "CAP_SYS_RAWIO",
        [CAP_SYS_CHROOT] = "CAP_SYS_CHROOT",
        [CAP_SYS_PTRACE] = "CAP_SYS_PTRACE",
        [CAP_SYS_PACCT] = "CAP_SYS_PACCT",
        [CAP_SYS_ADMIN] = "CAP_SYS_ADMIN",
        [CAP_SYS_BOOT] = "CAP_SYS_BOOT",
        [CAP_SYS_NICE] = "CAP_SYS_NICE",
        [CAP_SYS_RESOURCE] = "CAP_SYS_RESOURCE",
        [CAP_SYS_TIME] = "CAP_SYS_TIME",
        [CAP_SYS_TTY_CONFIG] = "CAP_SYS_TTY_CONFIG",
        [CAP_MKNOD] = "CAP_MKNOD",
        [CAP_LEASE] = "CAP_LEASE",
        [CAP_AUDIT_WRITE] = "CAP_AUDIT_WRITE",
        [CAP_AUDIT_CONTROL] = "CAP_AUDIT_CONTROL",
        [CAP_SETFCAP] = "CAP_SETFCAP",
        [CAP_MAC_OVERRIDE] = "CAP_MAC_OVERRIDE",
        [CAP_MAC_ADMIN] = "CAP_MAC_ADMIN",
        [CAP_SYSLOG] = "CAP_SYSLOG",
        [CAP_WAKE_ALARM] = "CAP_WAKE_ALARM",
        [CAP_BLOCK_SUSPEND] = "CAP_BLOCK_SUSPEND",
        [CAP_AUDIT_READ] = "CAP_AUDIT_READ",
        [38] = "CAP_PERFMON",
        [39] = "CAP_BPF",
        [40] = "CAP_CHECKPOINT_RESTORE",
};

int capability_last(void) {
        return (int)ELEMENTSOF(capability_names) - 1;
}

const char *capability_to_string(int cap) {
        if (cap < 0 || (size_t)cap >= ELEMENTSOF(capability_names))
                return NULL;
        return capability_names[cap];
}

int capability_from_string(const char *s) {
        unsigned n;

        if (isempty(s))
                return -EINVAL;
        if (s[0] >= '0' && s[0] <= '9') {
                if (parse_small_uint(s, (unsigned)capability_last(), &n) < 0)
                        return -EINVAL;
                return (int)n;
        }
        if (strncasecmp(s, "CAP_", 4) == 0)
                s += 4;
        for (size_t i = 0; i < ELEMENTSOF(capability_names); i++)
                if (strcasecmp(s, capability_names[i] + 4) == 0)
                        return (int)i;
        return -EINVAL;
}

uint64_t capability_default_set(void) {
        return (1ULL << CAP_CHOWN) | (1ULL << CAP_DAC_OVERRIDE) | (1ULL << CAP_FOWNER) |
               (1ULL << CAP_FSETID) | (1ULL << CAP_KILL) | (1ULL << CAP_NET_BIND_SERVICE) |
               (1ULL << CAP_SETFCAP) | (1ULL << CAP_SETGID) | (1ULL << CAP_SETPCAP) | (1ULL << CAP_SETUID) |
               (1ULL << CAP_SYS_CHROOT);
}

static const char *const rlimit_names[CONFIG_RLIMIT_MAX][2] = {
        [RLIMIT_CPU] = {"cpu", "LimitCPU"},
        [RLIMIT_FSIZE] = {"fsize", "LimitFSIZE"},
        [RLIMIT_DATA] = {"data", "LimitDATA"},
        [RLIMIT_STACK] = {"stack", "LimitSTACK"},
        [RLIMIT_CORE] = {"core", "LimitCORE"},
        [RLIMIT_RSS] = {"rss", "LimitRSS"},
        [RLIMIT_NPROC] = {"nproc", "LimitNPROC"},
        [RLIMIT_NOFILE] = {"nofile", "LimitNOFILE"},
        [RLIMIT_MEMLOCK] = {"memlock", "LimitMEMLOCK"},
        [RLIMIT_AS] = {"as", "LimitAS"},
        [RLIMIT_LOCKS] = {"locks", "LimitLOCKS"},
        [RLIMIT_SIGPENDING] = {"sigpending", "LimitSIGPENDING"},
        [RLIMIT_MSGQUEUE] = {"msgqueue", "LimitMSGQUEUE"},
        [RLIMIT_NICE] = {"nice", "LimitNICE"},
        [RLIMIT_RTPRIO] = {"rtprio", "LimitRTPRIO"},
        [RLIMIT_RTTIME] = {"rttime", "LimitRTTIME"},
};

const char *rlimit_to_string(int resource) {
        if (resource < 0 || resource >= CONFIG_RLIMIT_MAX)
                return NULL;
        return rlimit_names[resource][0];
}

const char *rlimit_to_setting(int resource) {
        if (resource < 0 || resource >= CONFIG_RLIMIT_MAX)
                return NULL;
        return rlimit_names[resource][1];
}

int rlimit_from_string(const char *s) {
        for (int i = 0; i < CONFIG_RLIMIT_MAX; i++)
                if (rlimit_names[i][0] && streq(s, rlimit_names[i][0]))
                        return i;
        return -EINVAL;
}
