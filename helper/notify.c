/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "enter.h"
#include "fileio.h"
#include "log.h"
#include "mount-api.h"
#include "notify.h"

#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SCM_PIDFD
#define SCM_PIDFD 0x04
#endif

#define NOTIFY_RUN_DIR     "/run/nscontain"
#define NOTIFY_MESSAGE_MAX 4096 /* systemd's own limit for one notification */
#define NOTIFY_FDS_MAX     16
#define NOTIFY_DEPTH_MAX   64 /* ancestors walked up to the container's PID 1 */
#define NOTIFY_LOG_BURST   10 /* refusal lines per window */
#define NOTIFY_LOG_WINDOW  (10ULL * 1000000ULL)

/* On sock, or (-EBADF) a socket of its own. */
static int notify_send_on(int sock, const char *text, size_t size) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        const char *path = getenv("NOTIFY_SOCKET");
        _cleanup_close_ int fd = -EBADF;
        size_t len;

        if (isempty(path))
                return 0;
        len = strlen(path);
        if ((path[0] != '/' && path[0] != '@') || len >= sizeof(sa.sun_path))
                return -EAFNOSUPPORT; /* vsock: and the like are for VMs, not services */
        memcpy(sa.sun_path, path, len);
        if (path[0] == '@')
                sa.sun_path[0] = 0;

        if (sock < 0) {
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return negative_errno();
                sock = fd;
        }
        if (sendto(sock, text, size, MSG_NOSIGNAL, (struct sockaddr *)&sa,
                   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) < 0)
                return negative_errno();
        return 1;
}

int notify_send(const char *text) {
        return notify_send_on(-EBADF, text, strlen(text));
}

int notify_sendf(const char *fmt, ...) {
        _cleanup_free_ char *text = NULL;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        return notify_send(text);
}

/* ---- the relay ----------------------------------------------------------------------- */

int notify_relay_open(NotifyRelay *r, const char *name) {
        union {
                struct sockaddr sa;
                struct sockaddr_un un;
        } sa = {.un.sun_family = AF_UNIX};
        _cleanup_close_ int fd = -EBADF, tree = -EBADF;
        int one = 1, k;

        r->name = name;
        k = mkdir_p_at(AT_FDCWD, NOTIFY_RUN_DIR, 0700, NULL);
        if (k < 0)
                return log_error_errno(k, "%s: Failed to create %s: %m", name, NOTIFY_RUN_DIR);
        k = snprintf(r->path, sizeof(r->path), "%s/%s.notify", NOTIFY_RUN_DIR, name);
        if (k < 0 || (size_t)k >= sizeof(r->path))
                return log_error_errno(-ENAMETOOLONG, "%s: The notify socket's path is too long", name);
        memcpy(sa.un.sun_path, r->path, strlen(r->path));

        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return log_error_errno(errno, "%s: Failed to create the notify socket: %m", name);
        /* A socket left by a helper that was SIGKILLed. */
        if (unlink(r->path) < 0 && errno != ENOENT)
                return log_error_errno(errno, "%s: Failed to remove %s: %m", name, r->path);
        if (bind(fd, &sa.sa, sizeof(sa.un)) < 0)
                return log_error_errno(errno, "%s: Failed to bind the notify socket %s: %m", name, r->path);
        /* connect() needs write permission on the inode, which the container sees owned
         * by an unmapped id: only the "other" bits count there. Who may send is checked
         * per message (notify_sender_allowed()). */
        if (chmod(r->path, 0666) < 0)
                return log_error_errno(errno, "%s: Failed to chmod %s: %m", name, r->path);
        if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0)
                return log_error_errno(errno, "%s: Failed to enable credentials on the notify socket: %m",
                                       name);
        /* Linux 6.5+: a pidfd of the sender with each message, so that a pid reused after
         * the sender's exit is never taken for it. Older kernels: the pid alone. */
        (void)setsockopt(fd, SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one));

        k = tree_clone(AT_FDCWD, r->path, 0, &tree);
        if (k >= 0)
                k = tree_make_private(tree); /* a peer of the host's shared /run otherwise */
        if (k < 0)
                return log_error_errno(k, "%s: Failed to clone %s: %m", name, r->path);
        /* Not read-only: sending on a socket is a write to its inode. */
        k = tree_set_attr(tree, MOUNT_ATTR_SAFE, 0,
                          /* recursive= */ false, -EBADF);
        if (k < 0)
                return log_error_errno(k, "%s: Failed to set attributes of the notify socket's mount: %m",
                                       name);
        /* What the relay passes on goes out on a socket of its own, made once. */
        r->out_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (r->out_fd < 0)
                return log_error_errno(errno, "%s: Failed to create a socket: %m", name);
        r->fd = TAKE_FD(fd);
        r->tree_fd = TAKE_FD(tree);
        return 0;
}

void notify_relay_close(NotifyRelay *r) {
        r->fd = safe_close(r->fd);
        r->out_fd = safe_close(r->out_fd);
        r->tree_fd = safe_close(r->tree_fd);
        if (r->path[0] && unlink(r->path) < 0 && errno != ENOENT)
                log_debug_errno(errno, "%s: Failed to remove %s: %m", r->name, r->path);
        r->path[0] = 0;
}

/* One line per refusal, at most NOTIFY_LOG_BURST per window: a payload that floods the
 * socket cannot flood the journal. */
_printf_(2, 3) static void notify_refused(NotifyRelay *r, const char *fmt, ...) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        char text[512];
        va_list ap;

        if (now - r->log_window_usec > NOTIFY_LOG_WINDOW) {
                if (r->log_count > NOTIFY_LOG_BURST)
                        log_warning("%s: %u more notifications were refused.", r->name,
                                    r->log_count - NOTIFY_LOG_BURST);
                r->log_window_usec = now;
                r->log_count = 0;
        }
        if (r->log_count++ >= NOTIFY_LOG_BURST)
                return;
        va_start(ap, fmt);
        (void)vsnprintf(text, sizeof(text), fmt, ap);
        va_end(ap);
        log_warning("%s: %s", r->name, text);
}

/* The sender, as the kernel translated it into our pid namespace, must be the
 * container's PID 1 or (unless main_only) a process whose parents lead to it: the
 * payload's own process tree. A process that "nscontain exec" or a health check put into
 * the container has a parent on the host and is refused, and so is the host. */
static bool notify_sender_allowed(const NotifyRelay *r, pid_t pid, int pidfd) {
        pid_t p = pid;

        if (pid <= 0)
                return false;
        if (pid == r->pid)
                return true;
        if (r->main_only)
                return false;
        for (int i = 0; i < NOTIFY_DEPTH_MAX; i++) {
                p = proc_ppid(p);
                if (p <= 1)
                        return false;
                if (p == r->pid)
                        break;
        }
        if (p != r->pid)
                return false;
        /* The pid read was the sender's, not a later process's: it is still alive (a
         * zombie counts) or not reaped yet, so its number was not reused. */
        if (pidfd >= 0)
                return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) >= 0;
        return true;
}

static bool line_is(const char *line, const char *key) {
        return strncmp(line, key, strlen(key)) == 0;
}

/* What systemd may hear from the container, as lines it relays unchanged. */
static bool line_allowed(const char *line) {
        static const char *const exact[] = {"READY=1", "RELOADING=1", "STOPPING=1", "WATCHDOG=1",
                                            "WATCHDOG=trigger"};
        static const char *const prefix[] = {
                "STATUS=", "WATCHDOG_USEC=", "EXTEND_TIMEOUT_USEC=", "MONOTONIC_USEC=", "ERRNO="};

        for (size_t i = 0; i < ELEMENTSOF(exact); i++)
                if (streq(line, exact[i]))
                        return true;
        for (size_t i = 0; i < ELEMENTSOF(prefix); i++)
                if (line_is(line, prefix[i]))
                        return true;
        return false;
}

/* One datagram. Returns -EAGAIN when none is queued, 1 when the supervisor should look
 * at the relay's state, 0 otherwise. */
static int notify_relay_receive(NotifyRelay *r) {
        char buf[NOTIFY_MESSAGE_MAX + 1], out[NOTIFY_MESSAGE_MAX + 1], refused[160] = "";
        union {
                struct cmsghdr align;
                char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int)) +
                         CMSG_SPACE(sizeof(int) * NOTIFY_FDS_MAX)];
        } control;
        struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        _cleanup_close_ int pidfd = -EBADF;
        const struct ucred *cred = NULL;
        size_t o = 0, n_fds = 0, rl = 0;
        bool changed = false;
        ssize_t n;

        n = recvmsg(r->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return errno == EINTR ? 0 : negative_errno();
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level != SOL_SOCKET)
                        continue;
                if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                        cred = (const struct ucred *)(void *)CMSG_DATA(c);
                else if (c->cmsg_type == SCM_PIDFD && c->cmsg_len == CMSG_LEN(sizeof(int)) && pidfd < 0)
                        memcpy(&pidfd, CMSG_DATA(c), sizeof(int));
                else if (c->cmsg_type == SCM_RIGHTS) {
                        /* Never kept (FDSTORE= is refused): closing them also releases a
                         * client waiting in sd_notify_barrier(). */
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        for (size_t i = 0; i < k; i++) {
                                int fd;
                                memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                                safe_close(fd);
                        }
                        n_fds += k;
                }
        }
        if (mh.msg_flags & MSG_CTRUNC)
                n_fds++; /* fds beyond our buffer: the kernel closed them */

        if (!cred || !notify_sender_allowed(r, cred->pid, pidfd)) {
                notify_refused(r,
                               "Refused a notification from pid %i (uid %u on the host): not %s of the "
                               "container",
                               cred ? (int)cred->pid : -1, cred ? (unsigned)cred->uid : 0U,
                               r->main_only ? "the PID 1" : "a process of the payload");
                return 0;
        }
        if ((size_t)n >= sizeof(buf) || (mh.msg_flags & MSG_TRUNC)) {
                notify_refused(r, "Refused a notification of more than %u bytes from pid %i",
                               NOTIFY_MESSAGE_MAX, (int)cred->pid);
                return 0;
        }
        buf[n] = 0;

        for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line;
             line = strtok_r(NULL, "\n", &save)) {
                if (!line_allowed(line)) {
                        size_t key = strcspn(line, "=");
                        int k = snprintf(refused + rl, sizeof(refused) - rl, "%s%.*s=", rl ? ", " : "",
                                         (int)MIN(key, (size_t)32), line);
                        if (k > 0 && (size_t)k < sizeof(refused) - rl)
                                rl += (size_t)k;
                        continue;
                }
                if (streq(line, "READY=1") && !r->ready) {
                        r->ready = true;
                        changed = true;
                        log_debug("%s: The container reported READY=1", r->name);
                }
                if (r->hold_status && line_is(line, "STATUS=")) {
                        snprintf(r->status, sizeof(r->status), "%s", line + STRLEN("STATUS="));
                        changed = true;
                        continue;
                }
                int k = snprintf(out + o, sizeof(out) - o, "%s\n", line);
                if (k < 0 || (size_t)k >= sizeof(out) - o)
                        break;
                o += (size_t)k;
        }
        if (rl > 0 || n_fds > 0)
                notify_refused(r, "Refused %s%s%s from pid %i: a container may not set them for its unit",
                               rl ? refused : "", rl && n_fds ? " and " : "",
                               n_fds ? "file descriptors" : "", (int)cred->pid);
        if (o > 0) {
                int k = notify_send_on(r->out_fd, out, o);
                if (k < 0)
                        log_debug_errno(k, "%s: Failed to pass a notification on to systemd: %m", r->name);
        }
        return changed;
}

bool notify_relay_dispatch(NotifyRelay *r) {
        bool changed = false;

        /* Bounded, so a chatty payload cannot starve the stop handling. */
        for (int i = 0; i < 64; i++) {
                int k = notify_relay_receive(r);
                if (k < 0)
                        break;
                changed = changed || k > 0;
        }
        return changed;
}
