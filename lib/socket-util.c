/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "socket-util.h"

int send_fds(int sock, const int *fds, size_t n) {
        for (size_t sent = 0; sent < n;) {
                uint32_t count = (uint32_t)MIN(n - sent, FDS_PER_MESSAGE);
                union {
                        struct cmsghdr align;
                        char buf[CMSG_SPACE(sizeof(int) * FDS_PER_MESSAGE)];
                } control = {};
                struct iovec iov = {.iov_base = &count, .iov_len = sizeof(count)};
                struct msghdr mh = {
                        .msg_iov = &iov,
                        .msg_iovlen = 1,
                        .msg_control = &control,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * count),
                };
                struct cmsghdr *cmsg = CMSG_FIRSTHDR(&mh);

                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int) * count);
                memcpy(CMSG_DATA(cmsg), fds + sent, sizeof(int) * count);
                if (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                        return negative_errno();
                sent += count;
        }
        return 0;
}
