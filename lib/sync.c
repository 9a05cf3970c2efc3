/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "macro.h"
#include "sync.h"

typedef union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(int) * SYNC_FDS_PER_MESSAGE)];
} SyncControl;

static int sync_send_one(int sock, const SyncMessage *m, const int *fds, size_t n) {
        SyncControl control;
        struct iovec iov = {.iov_base = (void *)m, .iov_len = sizeof(*m)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        ssize_t k;

        if (n > 0) {
                struct cmsghdr *cmsg;

                memset(&control, 0, sizeof(control));
                mh.msg_control = &control;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * n);
                cmsg = CMSG_FIRSTHDR(&mh);
                cmsg->cmsg_level = SOL_SOCKET;
                cmsg->cmsg_type = SCM_RIGHTS;
                cmsg->cmsg_len = CMSG_LEN(sizeof(int) * n);
                memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * n);
        }
        do
                k = sendmsg(sock, &mh, MSG_NOSIGNAL);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return negative_errno();
        return k == (ssize_t)sizeof(*m) ? 0 : -EIO;
}

int sync_send(int sock, const SyncMessage *m, const int *fds, size_t n) {
        SyncMessage copy = *m;
        size_t sent;
        int r;

        if (n > SYNC_FDS_MAX)
                return -E2BIG;
        copy.magic = SYNC_MAGIC;
        copy.n_fds = (uint32_t)n;

        sent = MIN(n, SYNC_FDS_PER_MESSAGE);
        r = sync_send_one(sock, &copy, fds, sent);
        while (r >= 0 && sent < n) {
                SyncMessage more = {.magic = SYNC_MAGIC, .type = SYNC_FDS};
                size_t k = MIN(n - sent, SYNC_FDS_PER_MESSAGE);

                more.n_fds = (uint32_t)k;
                r = sync_send_one(sock, &more, fds + sent, k);
                sent += k;
        }
        return r;
}

int sync_send_failure(int sock, const Failure *f) {
        SyncMessage m = {.type = SYNC_FAILURE, .failure = *f};

        return sync_send(sock, &m, NULL, 0);
}

static void close_fds(int *fds, size_t n) {
        for (size_t i = 0; i < n; i++)
                fds[i] = safe_close(fds[i]);
}

/* One packet: its fds go to fds[0 … *ret_n) (at most max_fds; more make it malformed).
 * 0 at EOF, 1 with a packet of the right size and magic. */
static int sync_receive_one(int sock, int flags, SyncMessage *ret, int *fds, size_t max_fds, size_t *ret_n) {
        SyncControl control = {};
        struct iovec iov = {.iov_base = ret, .iov_len = sizeof(*ret)};
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = &control,
                .msg_controllen = sizeof(control),
        };
        size_t n = 0;
        bool bad = false;
        ssize_t k;

        *ret_n = 0;
        do
                k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC | flags);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return negative_errno();

        /* Every fd that came is ours to close, whatever else is wrong. */
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                size_t m;

                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
                        continue;
                m = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                for (size_t i = 0; i < m; i++) {
                        int fd;

                        memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
                        if (n < max_fds)
                                fds[n++] = fd;
                        else {
                                safe_close(fd);
                                bad = true;
                        }
                }
        }
        if (k == 0 && n == 0)
                return 0;
        if (bad || (mh.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) || k != (ssize_t)sizeof(*ret) ||
            ret->magic != SYNC_MAGIC) {
                close_fds(fds, n);
                return -EBADMSG;
        }
        *ret_n = n;
        return 1;
}

int sync_receive(int sock, int flags, SyncMessage *ret, int *fds, size_t max_fds) {
        int spill[SYNC_FDS_PER_MESSAGE];
        size_t got = 0, seen, n;
        SyncMessage m;
        bool bad;
        int r;

        assert(ret);
        assert(fds || max_fds == 0);

        r = sync_receive_one(sock, flags, &m, spill, SYNC_FDS_PER_MESSAGE, &n);
        if (r <= 0)
                return r;

        /* The first packet carries the count of all its fds and the first of them; the
         * rest follow at once in SYNC_FDS packets. A message with more fds than the caller
         * takes is read whole all the same (what stayed would be taken for the next one),
         * its fds closed, and refused. */
        if (m.type == SYNC_FDS || m.n_fds > SYNC_FDS_MAX || n != MIN(m.n_fds, SYNC_FDS_PER_MESSAGE)) {
                close_fds(spill, n);
                return -EBADMSG;
        }
        bad = m.n_fds > max_fds;
        for (seen = 0;;) {
                if (!bad && r > 0) {
                        if (n > 0) /* fds may be NULL when none are taken */
                                memcpy(fds + got, spill, n * sizeof(int));
                        got += n;
                } else
                        close_fds(spill, n);
                seen += n;
                if (r < 0 || seen >= m.n_fds)
                        break;

                SyncMessage more;
                r = sync_receive_one(sock, flags & ~MSG_DONTWAIT, &more, spill,
                                     MIN(m.n_fds - seen, SYNC_FDS_PER_MESSAGE), &n);
                if (r == 0 || (r > 0 && (more.type != SYNC_FDS || n == 0 || more.n_fds != n)))
                        r = -EBADMSG;
        }
        if (r > 0 && bad)
                r = -EBADMSG;
        if (r < 0) {
                close_fds(fds, got);
                return r;
        }

        if (m.type == SYNC_FAILURE) {
                m.failure.message[sizeof(m.failure.message) - 1] = 0;
                if (m.failure.error <= 0)
                        m.failure.error = EIO;
                if (m.failure.exit_code <= 0 || m.failure.exit_code > 255)
                        m.failure.exit_code = EXIT_SETUP_FAILED;
        }
        *ret = m;
        return 1;
}
