/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* notify-client [-i MS] [-u FILE] [-l MS] [-f] LINE...: sd_notify(3) without libsystemd,
 * for a busybox root (built -static by the tests): one datagram of the LINEs joined by
 * newlines to $NOTIFY_SOCKET.
 *   -i MS    send it again every MS milliseconds, for ever (a watchdog feeder)
 *   -u FILE  with -i: stop sending once FILE exists, and stay (starve the watchdog)
 *   -l MS    stay MS milliseconds after sending (the receiver checks a live sender)
 *   -f       attach an fd to the message (FDSTORE=1 needs one)
 *   -d MS    wait MS milliseconds before the first send
 *   -T       add a line STATUS=sent NS: CLOCK_MONOTONIC right before the send, in ns
 *            (bench/notify: the relay's own latency)
 * Exits 0 when sent, 1 with the error otherwise. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void sleep_ms(long ms) {
        struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
                ;
}

int main(int argc, char *argv[]) {
        const char *path = getenv("NOTIFY_SOCKET"), *until = NULL;
        long interval = 0, linger = 0, delay = 0;
        int fd, opt, attach = 0, stamp = 0;
        char text[4096] = "";
        size_t n = 0;
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        while ((opt = getopt(argc, argv, "i:u:l:d:fT")) >= 0)
                switch (opt) {
                case 'i':
                        interval = atol(optarg);
                        break;
                case 'u':
                        until = optarg;
                        break;
                case 'l':
                        linger = atol(optarg);
                        break;
                case 'f':
                        attach = 1;
                        break;
                case 'd':
                        delay = atol(optarg);
                        break;
                case 'T':
                        stamp = 1;
                        break;
                default:
                        return 2;
                }
        if (!path || strlen(path) >= sizeof(sa.sun_path)) {
                fprintf(stderr, "notify-client: no usable $NOTIFY_SOCKET\n");
                return 1;
        }
        for (int i = optind; i < argc; i++)
                n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", n ? "\n" : "", argv[i]);
        memcpy(sa.sun_path, path, strlen(path));
        if (path[0] == '@')
                sa.sun_path[0] = 0;
        fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
                perror("notify-client: socket");
                return 1;
        }
        if (delay > 0)
                sleep_ms(delay);
        for (;;) {
                if (!until || access(until, F_OK) < 0) {
                        size_t len = n;
                        if (stamp) {
                                struct timespec ts;
                                clock_gettime(CLOCK_MONOTONIC, &ts);
                                len += (size_t)snprintf(text + n, sizeof(text) - n, "%sSTATUS=sent %lld",
                                                        n ? "\n" : "",
                                                        (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
                        }
                        struct iovec iov = {.iov_base = text, .iov_len = len};
                        union {
                                struct cmsghdr align;
                                char buf[CMSG_SPACE(sizeof(int))];
                        } control = {};
                        struct msghdr mh = {
                                .msg_name = &sa,
                                .msg_namelen =
                                        (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path)),
                                .msg_iov = &iov,
                                .msg_iovlen = 1,
                        };
                        if (attach) {
                                struct cmsghdr *c;
                                int one = 0;
                                mh.msg_control = &control;
                                mh.msg_controllen = sizeof(control.buf);
                                c = CMSG_FIRSTHDR(&mh);
                                c->cmsg_level = SOL_SOCKET;
                                c->cmsg_type = SCM_RIGHTS;
                                c->cmsg_len = CMSG_LEN(sizeof(int));
                                memcpy(CMSG_DATA(c), &one, sizeof(int));
                        }
                        if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0) {
                                perror("notify-client: sendmsg");
                                return 1;
                        }
                }
                if (interval <= 0)
                        break;
                sleep_ms(interval);
        }
        if (linger > 0)
                sleep_ms(linger);
        return 0;
}
