/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <systemd/sd-bus.h>

#include "fileio.h"
#include "log.h"
#include "sidecar.h"
#include "unit-name.h"

/* Authorization (nscontain-sidecar(8), AUTHORIZATION; docs/SECURITY.md row 12).
 * lxc-user-nic (CVE-2017-5985, CVE-2022-47952) acted for whoever named a pid or a path;
 * here the caller is identified by the bus, the target process by a pidfd, and every
 * check that fails looks the same from outside: the reason goes to our log only. */

#ifndef PIDFS_IOCTL_MAGIC
#define PIDFS_IOCTL_MAGIC 0xFF
#endif
#ifndef PIDFD_GET_NET_NAMESPACE
#define PIDFD_GET_NET_NAMESPACE _IO(PIDFS_IOCTL_MAGIC, 4) /* Linux 6.11 */
#endif

#define CGROUP_FILE_MAX (64U * 1024U)

_printf_(1, 2) static int refuse(const char *fmt, ...) {
        char text[512];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        log_notice("Refused: %s", text);
        return -EACCES;
}

void caller_done(Caller *c) {
        assert(c);
        free(c->cgroup);
        free(c->unit);
        *c = (Caller){};
}

static int pidfd_is_alive(int pidfd) {
        /* Signal 0 is only the permission and existence check. It fails with EBADF for
         * an fd that is not a pidfd, and ESRCH once the process has exited. */
        return RET_NERRNO(syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0));
}

static int pidfd_get_pid(int pidfd, pid_t *ret) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        const char *p;
        long v;
        int r;

        snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
        r = read_full_file_at(AT_FDCWD, path, 64 * 1024, &text, NULL);
        if (r < 0)
                return r;
        p = strstr(text, "\nPid:");
        if (!p)
                return -EBADF; /* not a pidfd */
        v = strtol(p + 5, NULL, 10);
        /* 0: the process lives in a pid namespace we cannot see; -1: it has exited. */
        if (v <= 0)
                return -ESRCH;
        *ret = (pid_t)v;
        return 0;
}

int pid_get_cgroup(pid_t pid, char **ret) {
        _cleanup_free_ char *text = NULL;
        char path[64], *p;
        int r;

        assert(ret);
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
        r = read_full_file_at(AT_FDCWD, path, CGROUP_FILE_MAX, &text, NULL);
        if (r < 0)
                return r;
        /* The unified hierarchy's line, "0::/path" (also on hybrid systems). */
        for (p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
                if (strncmp(p, "0::", 3) == 0) {
                        size_t l = strcspn(p + 3, "\n");
                        char *c = strndup(p + 3, l);
                        if (!c)
                                return -ENOMEM;
                        *ret = c;
                        return 0;
                }
        return -ENOMEDIUM;
}

static bool endswith(const char *s, const char *suffix) {
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && streq(s + a - b, suffix);
}

int cgroup_path_get_unit(const char *path, char **ret) {
        const char *p = path;

        assert(path && ret);
        /* Like systemd's cg_path_get_unit(): skip the slices, the next component is the
         * unit. Sub-cgroups below it (Delegate=yes) belong to it too. */
        for (;;) {
                size_t l;
                char *c;

                p += strspn(p, "/");
                l = strcspn(p, "/");
                if (l == 0)
                        return -ENXIO;
                c = strndup(p, l);
                if (!c)
                        return -ENOMEM;
                if (endswith(c, ".slice")) {
                        free(c);
                        p += l;
                        continue;
                }
                if (strchr(c, '.') && !streq(c, "..") && !streq(c, ".") && c[0] != '.') {
                        *ret = c;
                        return 0;
                }
                free(c);
                return -ENXIO;
        }
}

/* The bus daemon's answer about a connection never changes: uid and pid are what
 * SO_PEERCRED said when it connected, and a unique name (":1.N") is never given to a
 * second connection while the daemon runs (and we do not outlive our connection to
 * it). So the answer is kept per unique name, and a caller that makes several calls
 * over one connection (AcquireUserRange, then SetupNetwork) costs one round trip to
 * the daemon, not one per call. Everything taken from /proc is read anew per call.
 * Large enough for many starts at once: between a helper's two calls, the calls of as
 * many other connections as dbus-daemon lets root have (256 by default) may come in. */
#define SENDER_CACHE_SIZE 1024

typedef struct SenderCreds {
        char name[64]; /* "" : free */
        uid_t uid;
        pid_t pid;
} SenderCreds;

static SenderCreds sender_cache[SENDER_CACHE_SIZE];
static unsigned sender_cache_next;

static const SenderCreds *sender_cache_find(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(sender_cache); i++)
                if (sender_cache[i].name[0] && streq(sender_cache[i].name, name))
                        return &sender_cache[i];
        return NULL;
}

static void sender_cache_add(const char *name, uid_t uid, pid_t pid) {
        SenderCreds *e;

        if (strlen(name) >= sizeof(e->name))
                return;
        e = &sender_cache[sender_cache_next++ % ELEMENTSOF(sender_cache)];
        strcpy(e->name, name);
        e->uid = uid;
        e->pid = pid;
}

static int sender_get_creds(sd_bus_message *m, uid_t *ret_uid, pid_t *ret_pid) {
        _cleanup_(sd_bus_creds_unrefp) sd_bus_creds *creds = NULL;
        const SenderCreds *cached;
        const char *sender;
        uid_t uid;
        pid_t pid;
        int r;

        /* Only unique names: a well-known name can move to another connection. */
        sender = sd_bus_message_get_sender(m);
        cached = sender && sender[0] == ':' ? sender_cache_find(sender) : NULL;
        if (cached) {
                *ret_uid = cached->uid;
                *ret_pid = cached->pid;
                return 0;
        }

        /* Not augmented: uid and pid come from the bus daemon (SO_PEERCRED of the
         * connection), nothing from /proc of a process that may already be gone. */
        r = sd_bus_query_sender_creds(m, SD_BUS_CREDS_EUID | SD_BUS_CREDS_PID, &creds);
        if (r < 0)
                return refuse("cannot get the sender's credentials: %s", strerror(-r));
        r = sd_bus_creds_get_euid(creds, &uid);
        if (r < 0)
                return refuse("the bus did not tell the sender's uid");
        r = sd_bus_creds_get_pid(creds, &pid);
        if (r < 0 || pid <= 0)
                return refuse("the bus did not tell the sender's pid");
        if (sender && sender[0] == ':')
                sender_cache_add(sender, uid, pid);
        *ret_uid = uid;
        *ret_pid = pid;
        return 0;
}

int caller_get(sd_bus_message *m, Caller *ret) {
        _cleanup_close_ int pidfd = -EBADF;
        Caller c = {};
        uid_t uid = (uid_t)-1;
        pid_t pid = 0;
        int r;

        assert(m && ret);

        r = sender_get_creds(m, &uid, &pid);
        if (r < 0)
                return r;
        if (uid != 0)
                return refuse("caller uid %u is not root", (unsigned)uid);

        /* The cgroup comes from /proc, which names whatever process has that pid now:
         * pin the process with a pidfd first and check it is still alive after the
         * read, so a pid reused during the read is caught. */
        pidfd = RET_NERRNO(syscall(SYS_pidfd_open, pid, 0));
        if (pidfd < 0)
                return refuse("sender pid %d is gone", (int)pid);
        r = pid_get_cgroup(pid, &c.cgroup);
        if (r < 0)
                return refuse("cannot read the cgroup of sender pid %d: %s", (int)pid, strerror(-r));
        if (pidfd_is_alive(pidfd) < 0) {
                caller_done(&c);
                return refuse("sender pid %d exited during the check", (int)pid);
        }
        r = cgroup_path_get_unit(c.cgroup, &c.unit);
        if (r == -ENOMEM) {
                caller_done(&c);
                return r;
        }
        c.uid = uid;
        c.pid = pid;
        *ret = c;
        return 0;
}

int caller_may_act_for(const Caller *c, const char *name) {
        _cleanup_free_ char *own = NULL;
        int r;

        assert(c && name);
        if (c->uid != 0)
                return refuse("caller uid %u is not root", (unsigned)c->uid);
        if (!c->unit)
                return 0;
        r = container_name_from_unit(c->unit, &own);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return 0; /* root, in a unit that is not a container's */
        if (!streq(own, name))
                return refuse("%s (pid %d) asked for container '%s'", c->unit, (int)c->pid, name);
        return 0;
}

static int ns_same(int a, int b) {
        struct stat x, y;

        if (fstat(a, &x) < 0 || fstat(b, &y) < 0)
                return negative_errno();
        return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int caller_pidfd_netns(const Caller *c, int pidfd, int *ret_netns_fd) {
        _cleanup_free_ char *cgroup = NULL, *unit = NULL;
        _cleanup_close_ int netns = -EBADF, own = -EBADF;
        struct statfs sfs;
        pid_t pid;
        int r;

        assert(c && ret_netns_fd);

        r = pidfd_is_alive(pidfd);
        if (r < 0)
                return refuse("fd is not a pidfd of a live process: %s", strerror(-r));
        r = pidfd_get_pid(pidfd, &pid);
        if (r < 0)
                return refuse("cannot get the pid of the pidfd: %s", strerror(-r));

        r = pid_get_cgroup(pid, &cgroup);
        if (r < 0)
                return refuse("cannot read the cgroup of pid %d: %s", (int)pid, strerror(-r));
        r = cgroup_path_get_unit(cgroup, &unit);
        if (r == -ENOMEM)
                return r;
        /* The same unit as the caller; outside any unit, the very same cgroup. */
        if (c->unit ? !streq_ptr(unit, c->unit) : !streq(cgroup, c->cgroup))
                return refuse("pid %d is in %s, the caller in %s", (int)pid, unit ?: cgroup,
                              c->unit ?: c->cgroup);

        netns = ioctl(pidfd, PIDFD_GET_NET_NAMESPACE, 0);
        if (netns < 0) {
                /* Before Linux 6.11: through /proc, then re-check below that the pid
                 * still is the process of the pidfd. */
                char path[64];
                snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
                netns = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (netns < 0)
                        return refuse("cannot open the network namespace of pid %d: %m", (int)pid);
        } else if (fcntl(netns, F_SETFD, FD_CLOEXEC) < 0)
                return negative_errno();

        if (fstatfs(netns, &sfs) < 0 || sfs.f_type != NSFS_MAGIC)
                return refuse("the network namespace of pid %d is not an nsfs file", (int)pid);
        if (ioctl(netns, NS_GET_NSTYPE) != CLONE_NEWNET)
                return refuse("the namespace of pid %d is not a network namespace", (int)pid);

        own = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (own < 0)
                return negative_errno();
        r = ns_same(netns, own);
        if (r < 0)
                return r;
        if (r > 0)
                return refuse("pid %d is in the host's network namespace", (int)pid);

        /* Everything above was read through the pid: the process must still be alive,
         * so the pid was not reused for another process in the meantime. */
        if (pidfd_is_alive(pidfd) < 0)
                return refuse("pid %d exited during the check", (int)pid);

        *ret_netns_fd = TAKE_FD(netns);
        return 0;
}
