/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* probe: a static program copied into test root filesystems. Run as (part of) a
 * container's payload, it prints ONE line of JSON describing what the container sees,
 * so the tests assert on data rather than on shell output. Built with -static against
 * libc only: it must run in a root that holds nothing but busybox.
 *
 *   probe                      the report (see main() for the keys)
 *   probe check-syscall NAME   {"syscall":NAME,"errno":N}  (a denied one gives EPERM)
 *   probe tiocsti              {"tiocsti":{"result":R,"errno":N}}  (ioctl(0, TIOCSTI))
 *   probe write PATH           {"write":PATH,"errno":N}  (open O_WRONLY|O_CREAT + write)
 *   probe mknod-block PATH     {"mknod":PATH,"errno":N}  (block device 7:0)
 *   probe ptrace PID           {"ptrace":PID,"errno":N}  (PTRACE_ATTACH, then detach)
 *   probe open-fds-of PID      {"open_fds_of":"PID","errno":N,"fds":[…]}  (/proc/PID/fd)
 *   probe open PATH            {"open":PATH,"errno":N}  (O_RDONLY)
 *   probe check-syscall32 NR   {"syscall32":NR,"result":R}  (x86_64 only: the i386 ABI
 *                              through int 0x80, NR in that ABI's numbering; R is -errno)
 *   probe sleep SECONDS        the report, then sleeps (to be looked at from outside)
 *
 * errno 0 means the operation succeeded. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void put_str(const char *s) {
        putchar('"');
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if (*p == '"' || *p == '\\')
                        printf("\\%c", *p);
                else if (*p == '\n')
                        fputs("\\n", stdout);
                else if (*p == '\t')
                        fputs("\\t", stdout);
                else if (*p < 0x20 || *p >= 0x7f)
                        printf("\\u%04x", *p); /* bytes, not UTF-8 decoding: good enough for tests */
                else
                        putchar(*p);
        }
        putchar('"');
}

static void put_key(bool *first, const char *key) {
        if (!*first)
                putchar(',');
        *first = false;
        put_str(key);
        putchar(':');
}

/* Reads a small file into buf (NUL-terminated, trailing newline stripped); NULL on error. */
static char *read_small(const char *path, char *buf, size_t size) {
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        ssize_t n, total = 0;

        if (fd < 0)
                return NULL;
        while (total < (ssize_t)size - 1 && (n = read(fd, buf + total, size - 1 - (size_t)total)) > 0)
                total += n;
        close(fd);
        buf[total] = 0;
        while (total > 0 && buf[total - 1] == '\n')
                buf[--total] = 0;
        return buf;
}

static void put_file(bool *first, const char *key, const char *path) {
        char buf[4096];

        put_key(first, key);
        if (read_small(path, buf, sizeof(buf)))
                put_str(buf);
        else
                fputs("null", stdout);
}

/* "Name:\tvalue" lines of /proc/self/status. */
static void put_status_fields(bool *first) {
        static const char *const keys[] = {"CapInh", "CapPrm",     "CapEff", "CapBnd",
                                           "CapAmb", "NoNewPrivs", "Seccomp"};
        char buf[8192];

        if (!read_small("/proc/self/status", buf, sizeof(buf)))
                return;
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                size_t kl = strlen(keys[i]);
                for (char *line = buf; line && *line;
                     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
                        if (strncmp(line, keys[i], kl) != 0 || line[kl] != ':')
                                continue;
                        char *v = line + kl + 1;
                        v += strspn(v, " \t");
                        size_t vl = strcspn(v, "\n");
                        char val[64];
                        snprintf(val, sizeof(val), "%.*s", (int)vl, v);
                        put_key(first, keys[i]);
                        /* the caps stay hex strings; the two modes are numbers */
                        if (keys[i][0] == 'C')
                                put_str(val);
                        else
                                fputs(val, stdout);
                        break;
                }
        }
}

static void put_fds(bool *first, const char *key, const char *dir, bool exclude_self) {
        DIR *d = opendir(dir);
        bool f = true;

        put_key(first, key);
        if (!d) {
                fputs("null", stdout);
                return;
        }
        putchar('[');
        for (struct dirent *de; (de = readdir(d));) {
                if (de->d_name[0] == '.')
                        continue;
                if (exclude_self && atoi(de->d_name) == dirfd(d))
                        continue;
                printf("%s%s", f ? "" : ",", de->d_name);
                f = false;
        }
        putchar(']');
        closedir(d);
}

static void put_namespaces(bool *first) {
        static const char *const ns[] = {"cgroup", "ipc", "mnt", "net", "pid", "user", "uts", "time"};
        bool f = true;

        put_key(first, "ns");
        putchar('{');
        for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
                char path[64];
                struct stat st;
                snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i]);
                if (stat(path, &st) < 0)
                        continue;
                put_key(&f, ns[i]);
                printf("%llu", (unsigned long long)st.st_ino);
        }
        putchar('}');
}

/* mountinfo: "36 35 98:0 /root /mnt rw,noatime master:1 - ext3 /dev/root rw,errors=continue";
 * we report target, fstype, per-mount options and super options. */
static void put_mounts(bool *first) {
        FILE *m = fopen("/proc/self/mountinfo", "re");
        char *line = NULL;
        size_t n = 0;
        bool f = true;

        put_key(first, "mounts");
        if (!m) {
                fputs("null", stdout);
                return;
        }
        putchar('[');
        while (getline(&line, &n, m) > 0) {
                char root[PATH_MAX], target[PATH_MAX], opts[1024], fstype[256], source[PATH_MAX],
                        sopts[1024];
                char *sep = strstr(line, " - ");
                if (!sep || sscanf(line, "%*s %*s %*s %4095s %4095s %1023s", root, target, opts) != 3 ||
                    sscanf(sep + 3, "%255s %4095s %1023s", fstype, source, sopts) != 3)
                        continue;
                printf("%s{", f ? "" : ",");
                f = false;
                bool g = true;
                put_key(&g, "target");
                put_str(target); /* octal escapes (\040) kept as the kernel wrote them */
                put_key(&g, "root");
                put_str(root);
                put_key(&g, "fstype");
                put_str(fstype);
                put_key(&g, "options");
                put_str(opts);
                put_key(&g, "super_options");
                put_str(sopts);
                putchar('}');
        }
        putchar(']');
        free(line);
        fclose(m);
}

static void put_interfaces(bool *first) {
        struct ifaddrs *ifa = NULL;
        bool f = true;

        put_key(first, "interfaces");
        if (getifaddrs(&ifa) < 0) {
                fputs("null", stdout);
                return;
        }
        putchar('[');
        for (struct ifaddrs *i = ifa; i; i = i->ifa_next) {
                char addr[INET6_ADDRSTRLEN] = "";
                if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET)
                        inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr,
                                  sizeof(addr));
                else if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6)
                        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, addr,
                                  sizeof(addr));
                /* else AF_PACKET: one entry per link, so links without addresses show too */
                printf("%s{", f ? "" : ",");
                f = false;
                bool g = true;
                put_key(&g, "name");
                put_str(i->ifa_name);
                put_key(&g, "up");
                fputs(i->ifa_flags & IFF_UP ? "true" : "false", stdout);
                put_key(&g, "address");
                if (*addr)
                        put_str(addr);
                else
                        fputs("null", stdout);
                if (i->ifa_netmask && *addr) {
                        unsigned prefix = 0;
                        const unsigned char *b;
                        size_t len;
                        if (i->ifa_addr->sa_family == AF_INET) {
                                b = (const unsigned char *)&((struct sockaddr_in *)i->ifa_netmask)->sin_addr;
                                len = 4;
                        } else {
                                b = (const unsigned char *)&((struct sockaddr_in6 *)i->ifa_netmask)
                                            ->sin6_addr;
                                len = 16;
                        }
                        for (size_t k = 0; k < len; k++)
                                prefix += (unsigned)__builtin_popcount(b[k]);
                        put_key(&g, "prefix");
                        printf("%u", prefix);
                }
                putchar('}');
        }
        putchar(']');
        freeifaddrs(ifa);
}

static int report(void) {
        bool first = true;
        char buf[PATH_MAX];
        gid_t groups[256];
        int n;

        putchar('{');
        put_key(&first, "pid");
        printf("%d", (int)getpid());
        put_key(&first, "ppid");
        printf("%d", (int)getppid());
        put_key(&first, "uid");
        printf("%u", (unsigned)getuid());
        put_key(&first, "euid");
        printf("%u", (unsigned)geteuid());
        put_key(&first, "gid");
        printf("%u", (unsigned)getgid());
        put_key(&first, "egid");
        printf("%u", (unsigned)getegid());
        put_key(&first, "groups");
        n = getgroups(sizeof(groups) / sizeof(groups[0]), groups);
        putchar('[');
        for (int i = 0; i < n; i++)
                printf("%s%u", i ? "," : "", (unsigned)groups[i]);
        putchar(']');
        put_file(&first, "uid_map", "/proc/self/uid_map");
        put_file(&first, "gid_map", "/proc/self/gid_map");
        put_file(&first, "setgroups", "/proc/self/setgroups");
        put_status_fields(&first);
        put_key(&first, "dumpable");
        printf("%d", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
        put_key(&first, "hostname");
        if (gethostname(buf, sizeof(buf)) == 0)
                put_str(buf);
        else
                fputs("null", stdout);
        put_key(&first, "cwd");
        if (getcwd(buf, sizeof(buf)))
                put_str(buf);
        else
                fputs("null", stdout);
        put_key(&first, "cwd_errno");
        printf("%d", getcwd(buf, sizeof(buf)) ? 0 : errno);
        put_key(&first, "env");
        putchar('{');
        bool f = true;
        for (char **e = environ; e && *e; e++) {
                char *eq = strchr(*e, '=');
                if (!eq)
                        continue;
                *eq = 0;
                put_key(&f, *e);
                put_str(eq + 1);
                *eq = '=';
        }
        putchar('}');
        put_fds(&first, "fds", "/proc/self/fd", true);
        put_namespaces(&first);
        put_mounts(&first);
        put_interfaces(&first);
        puts("}");
        return fflush(stdout) == 0 ? 0 : 1;
}

static const struct {
        const char *name;
        long nr;
} syscalls[] = {
#define S(x) \
        { #x, SYS_##x }
        S(keyctl),
        S(add_key),
        S(request_key),
        S(bpf),
        S(perf_event_open),
        S(kexec_load),
        S(kexec_file_load),
        S(init_module),
        S(finit_module),
        S(delete_module),
        S(open_by_handle_at),
        S(iopl),
        S(ioperm),
        S(swapon),
        S(swapoff),
        S(acct),
        S(userfaultfd),
        S(io_uring_setup),
        S(quotactl),
        S(syslog),
        S(settimeofday),
        S(clock_settime),
        S(clock_adjtime),
        S(personality),
        S(getpid),
        S(unshare),
        S(reboot),
        S(name_to_handle_at),
#undef S
};

/* Calls the syscall with harmless arguments (zeros: null pointers, invalid fds), so
 * only the filter's answer is interesting: EPERM from the filter versus EFAULT,
 * EINVAL, EBADF… from the kernel. "personality" takes its argument from argv[3]. */
static int check_syscall(const char *name, const char *arg) {
        for (size_t i = 0; i < sizeof(syscalls) / sizeof(syscalls[0]); i++) {
                if (strcmp(syscalls[i].name, name) != 0)
                        continue;
                unsigned long a0 = arg ? strtoul(arg, NULL, 0) : 0;
                long r;
                if (syscalls[i].nr == SYS_reboot)
                        /* invalid magic: EINVAL when allowed, EPERM when filtered or without CAP_SYS_BOOT */
                        r = syscall(SYS_reboot, 0, 0, 0, NULL);
                else if (syscalls[i].nr == SYS_unshare)
                        r = syscall(SYS_unshare, a0);
                else if (syscalls[i].nr == SYS_personality) {
                        r = syscall(SYS_personality, a0);
                        if (r >= 0)
                                (void)syscall(SYS_personality, (unsigned long)r); /* restore */
                } else
                        r = syscall(syscalls[i].nr, a0, 0, 0, 0, 0, 0);
                int e = r < 0 ? errno : 0;
                printf("{\"syscall\":");
                put_str(name);
                printf(",\"result\":%ld,\"errno\":%d}\n", r, e);
                return 0;
        }
        fprintf(stderr, "probe: unknown syscall '%s'\n", name);
        return 2;
}

/* TIOCSTI on fd 0, and on a fresh pty made our controlling terminal: there the kernel
 * itself would allow it (unless dev.tty.legacy_tiocsti=0: EIO), so EPERM can only come
 * from the seccomp filter. "pty_high" passes the request with junk in the upper 32
 * bits, which the kernel ignores and a careless filter would not. */
static int tiocsti(void) {
        char c = '#';
        long r0, r1 = -1, r2 = -1;
        int e0, e1 = 0, e2 = 0, master, slave = -1;

        r0 = ioctl(0, TIOCSTI, &c);
        e0 = r0 < 0 ? errno : 0;

        (void)setsid(); /* fails (EPERM) when we already lead a session: fine */
        master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master >= 0 && grantpt(master) == 0 && unlockpt(master) == 0) {
                const char *name = ptsname(master);
                slave = name ? open(name, O_RDWR | O_CLOEXEC) : -1;
        }
        if (slave >= 0) {
                (void)ioctl(slave, TIOCSCTTY, 0);
                r1 = ioctl(slave, TIOCSTI, &c);
                e1 = r1 < 0 ? errno : 0;
                r2 = syscall(SYS_ioctl, slave, (unsigned long)TIOCSTI | (1UL << 32), &c);
                e2 = r2 < 0 ? errno : 0;
        } else
                e1 = e2 = errno;
        printf("{\"tiocsti\":{\"result\":%ld,\"errno\":%d},\"pty\":{\"result\":%ld,\"errno\":%d},"
               "\"pty_high\":{\"result\":%ld,\"errno\":%d}}\n",
               r0, e0, r1, e1, r2, e2);
        return 0;
}

static int usage(void) {
        fputs("usage: probe [check-syscall NAME [ARG] | tiocsti | write PATH | mknod-block PATH | ptrace "
              "PID |\n"
              "              open-fds-of PID | open PATH | sleep SECONDS]\n",
              stderr);
        return 2;
}

int main(int argc, char **argv) {
        const char *verb = argc > 1 ? argv[1] : NULL;
        const char *arg = argc > 2 ? argv[2] : NULL;
        int r, e;

        if (!verb)
                return report();

        if (strcmp(verb, "sleep") == 0 && arg) {
                r = report();
                sleep((unsigned)atoi(arg));
                return r;
        }
        if (strcmp(verb, "check-syscall") == 0 && arg)
                return check_syscall(arg, argc > 3 ? argv[3] : NULL);

#ifdef __x86_64__
        if (strcmp(verb, "check-syscall32") == 0 && arg) {
                /* A filter that only knew the native ABI would let these through. */
                long nr = strtol(arg, NULL, 0), ret;
                __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(0), "c"(0), "d"(0) : "memory");
                printf("{\"syscall32\":%ld,\"result\":%ld}\n", nr, ret);
                return 0;
        }
#endif
        if (strcmp(verb, "tiocsti") == 0)
                return tiocsti();
        if (strcmp(verb, "write") == 0 && arg) {
                int fd = open(arg, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
                e = 0;
                if (fd < 0)
                        e = errno;
                else {
                        if (write(fd, "probe\n", 6) < 0)
                                e = errno;
                        close(fd);
                }
                printf("{\"write\":");
                put_str(arg);
                printf(",\"errno\":%d}\n", e);
                return 0;
        }
        if (strcmp(verb, "open") == 0 && arg) {
                int fd = open(arg, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                e = fd < 0 ? errno : 0;
                if (fd >= 0)
                        close(fd);
                printf("{\"open\":");
                put_str(arg);
                printf(",\"errno\":%d}\n", e);
                return 0;
        }
        if (strcmp(verb, "mknod-block") == 0 && arg) {
                r = mknod(arg, S_IFBLK | 0600, makedev(7, 0));
                printf("{\"mknod\":");
                put_str(arg);
                printf(",\"errno\":%d}\n", r < 0 ? errno : 0);
                if (r == 0)
                        unlink(arg);
                return 0;
        }
        if (strcmp(verb, "ptrace") == 0 && arg) {
                pid_t pid = (pid_t)atoi(arg);
                long p = ptrace(PTRACE_ATTACH, pid, NULL, NULL);
                e = p < 0 ? errno : 0;
                if (p == 0) {
                        (void)waitpid(pid, NULL, __WALL);
                        (void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
                }
                printf("{\"ptrace\":%d,\"errno\":%d}\n", (int)pid, e);
                return 0;
        }
        if (strcmp(verb, "open-fds-of") == 0 && arg) {
                char path[64];
                bool first = true;
                snprintf(path, sizeof(path), "/proc/%.20s/fd", arg); /* a pid or "self" */
                DIR *d = opendir(path);
                e = d ? 0 : errno;
                if (d)
                        closedir(d);
                printf("{\"open_fds_of\":");
                put_str(arg);
                printf(",\"errno\":%d,", e);
                put_fds(&first, "fds", path, false);
                puts("}");
                return 0;
        }
        return usage();
}
