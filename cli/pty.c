/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>

#include "fileio.h"
#include "log.h"
#include "nscontain.h"

#define RELAY_BUFFER 16384

typedef struct Buffer {
        char data[RELAY_BUFFER];
        size_t len;
} Buffer;

static void winsize_copy(int master) {
        struct winsize ws;

        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) >= 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) >= 0)
                (void)ioctl(master, TIOCSWINSZ, &ws);
}

/* Writes what it can without blocking; keeps the rest. */
static int buffer_flush(Buffer *b, int fd) {
        while (b->len > 0) {
                ssize_t n = write(fd, b->data, b->len);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return negative_errno();
                }
                memmove(b->data, b->data + n, b->len - (size_t)n);
                b->len -= (size_t)n;
        }
        return 0;
}

/* Copies what the command printed to our stdout (blocking: our terminal is ours to
 * wait for). Returns 0 when the command's side hung up, 1 otherwise. */
static int master_drain(int master) {
        char buf[RELAY_BUFFER];

        for (;;) {
                ssize_t n = read(master, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 1;
                        return 0; /* EIO: every slave is closed */
                }
                if (n == 0)
                        return 0;
                if (loop_write(STDOUT_FILENO, buf, (size_t)n) < 0)
                        return 0;
        }
}

int pty_relay(int master, int wait_pidfd, int signal_pidfd) {
        _cleanup_close_ int sfd = -EBADF;
        struct termios saved, raw;
        bool restore = false, stdin_open = true, exited = false;
        sigset_t mask;
        Buffer in = {};
        int flags;

        /* Our end non-blocking, so that neither side can stall the other. */
        flags = fcntl(master, F_GETFL);
        if (flags < 0 || fcntl(master, F_SETFL, flags | O_NONBLOCK) < 0)
                return log_error_errno(errno, "Failed to make the terminal non-blocking: %m");

        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGQUIT);
        sigaddset(&mask, SIGUSR1);
        sigaddset(&mask, SIGUSR2);
        (void)sigprocmask(SIG_BLOCK, &mask, NULL);
        sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return log_error_errno(errno, "Failed to create a signalfd: %m");

        /* Raw mode: every key, ^C included, goes to the container's terminal, whose own
         * line discipline turns it into a signal for the command there. */
        if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) >= 0) {
                raw = saved;
                cfmakeraw(&raw);
                raw.c_oflag = saved.c_oflag; /* keep our own output processing */
                if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) >= 0)
                        restore = true;
        }
        winsize_copy(master);

        for (;;) {
                struct pollfd p[4] = {
                        {.fd = master, .events = POLLIN | (in.len > 0 ? POLLOUT : 0)},
                        {.fd = stdin_open && in.len < sizeof(in.data) ? STDIN_FILENO : -1, .events = POLLIN},
                        {.fd = sfd, .events = POLLIN},
                        {.fd = exited ? -1 : wait_pidfd, .events = POLLIN},
                };
                struct signalfd_siginfo si;

                if (poll(p, ELEMENTSOF(p), -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }

                if (p[0].revents & (POLLIN | POLLHUP | POLLERR))
                        if (master_drain(master) == 0)
                                break;
                if ((p[0].revents & POLLOUT) && buffer_flush(&in, master) < 0)
                        break;

                if (p[1].revents & (POLLIN | POLLHUP)) {
                        ssize_t n = read(STDIN_FILENO, in.data + in.len, sizeof(in.data) - in.len);
                        if (n > 0) {
                                in.len += (size_t)n;
                                (void)buffer_flush(&in, master);
                        } else if (n == 0 || (errno != EINTR && errno != EAGAIN))
                                stdin_open = false;
                }

                while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
                        if (si.ssi_signo == SIGWINCH)
                                winsize_copy(master);
                        else if (signal_pidfd >= 0)
                                (void)syscall(SYS_pidfd_send_signal, signal_pidfd, (int)si.ssi_signo, NULL,
                                              0);
                }

                if (p[3].revents & POLLIN) {
                        /* The command is gone. Whatever it printed is still in the pty:
                         * take it, and do not wait for background processes that keep
                         * the terminal open. */
                        exited = true;
                        (void)master_drain(master);
                        break;
                }
        }

        if (restore)
                (void)tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
        return 0;
}
