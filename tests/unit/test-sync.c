/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/sync.c: the one message type of the sync channel, with its fds: a round trip,
 * more fds than one SCM_RIGHTS message takes, and what the receiver refuses (a packet
 * of the wrong size or magic, more fds than the caller takes) without leaking an fd. */

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "sync.h"
#include "tests.h"

static int open_fds(void) {
        int n = 0;

        for (int fd = 0; fd < 4096; fd++)
                if (fcntl(fd, F_GETFD) >= 0)
                        n++;
        return n;
}

static void pair_make(int pair[2]) {
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
}

TEST(test_roundtrip) {
        int pair[2], fd = -EBADF, devnull;
        SyncMessage m;
        struct stat a, b;

        pair_make(pair);
        devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT(devnull >= 0);

        ASSERT_OK(sync_send(pair[0], &(SyncMessage){.type = SYNC_PID, .pid = 4242}, NULL, 0));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, NULL, 0), 1);
        ASSERT_EQ(m.magic, SYNC_MAGIC);
        ASSERT_EQ(m.type, (uint32_t)SYNC_PID);
        ASSERT_EQ(m.pid, 4242);
        ASSERT_EQ(m.n_fds, 0);

        ASSERT_OK(sync_send(pair[0], &(SyncMessage){.type = SYNC_PTY}, &devnull, 1));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, &fd, 1), 1);
        ASSERT_EQ(m.type, (uint32_t)SYNC_PTY);
        ASSERT_EQ(m.n_fds, 1);
        ASSERT(fd >= 0 && fd != devnull);
        ASSERT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
        ASSERT_EQ(fstat(fd, &a), 0);
        ASSERT_EQ(fstat(devnull, &b), 0);
        ASSERT_EQ(a.st_rdev, b.st_rdev);
        close(fd);

        /* A failure arrives with its text terminated and its codes in range. */
        Failure f = {.error = 0, .exit_code = 300};
        memset(f.message, 'x', sizeof(f.message));
        ASSERT_OK(sync_send_failure(pair[0], &f));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, NULL, 0), 1);
        ASSERT_EQ(m.type, (uint32_t)SYNC_FAILURE);
        ASSERT_EQ(strlen(m.failure.message), sizeof(m.failure.message) - 1);
        ASSERT_EQ(m.failure.error, EIO);
        ASSERT_EQ(m.failure.exit_code, EXIT_SETUP_FAILED);

        /* Nothing there: -EAGAIN; the peer gone: EOF. */
        ASSERT_EQ(sync_receive(pair[1], MSG_DONTWAIT, &m, NULL, 0), -EAGAIN);
        close(pair[0]);
        ASSERT_EQ(sync_receive(pair[1], 0, &m, NULL, 0), 0);
        close(pair[1]);
        close(devnull);
}

/* The root and CONFIG_MOUNTS_MAX bind trees: more than one SCM_RIGHTS message holds. */
TEST(test_many_fds) {
        int pair[2], devnull, fds[SYNC_FDS_MAX], got[SYNC_FDS_MAX];
        int before = open_fds();
        SyncMessage m;

        pair_make(pair);
        /* The socket buffer must take it all before anyone reads. */
        ASSERT_EQ(setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &(int){1 << 20}, sizeof(int)), 0);
        devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT(devnull >= 0);
        for (size_t i = 0; i < SYNC_FDS_MAX; i++)
                fds[i] = devnull;

        ASSERT_OK(sync_send(pair[0], &(SyncMessage){.type = SYNC_GO, .go.has_tree = {1, 1}}, fds,
                            SYNC_FDS_MAX));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, got, SYNC_FDS_MAX), 1);
        ASSERT_EQ(m.type, (uint32_t)SYNC_GO);
        ASSERT_EQ(m.n_fds, SYNC_FDS_MAX);
        ASSERT_EQ(m.go.has_tree[1], 1);
        for (size_t i = 0; i < SYNC_FDS_MAX; i++) {
                ASSERT(got[i] >= 0);
                close(got[i]);
        }
        ASSERT_EQ(sync_send(pair[0], &(SyncMessage){.type = SYNC_GO}, fds, SYNC_FDS_MAX + 1), -E2BIG);

        /* More fds than the receiver takes: refused, and none of them stays open. */
        ASSERT_OK(sync_send(pair[0], &(SyncMessage){.type = SYNC_GO}, fds, 3));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, got, 2), -EBADMSG);
        ASSERT_OK(sync_send(pair[0], &(SyncMessage){.type = SYNC_GO}, fds, SYNC_FDS_MAX));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, got, SYNC_FDS_MAX - 1), -EBADMSG);

        close(pair[0]);
        close(pair[1]);
        close(devnull);
        ASSERT_EQ(open_fds(), before);
}

TEST(test_malformed) {
        int pair[2];
        SyncMessage m = {.magic = SYNC_MAGIC, .type = SYNC_EXEC};
        uint32_t old_marker = 0x63657865U;

        pair_make(pair);
        /* The exec stub's old marker, four bytes: not a message. */
        ASSERT_EQ(send(pair[0], &old_marker, sizeof(old_marker), 0), (ssize_t)sizeof(old_marker));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, NULL, 0), -EBADMSG);
        /* The right size, the wrong magic. */
        m.magic = 0;
        ASSERT_EQ(send(pair[0], &m, sizeof(m), 0), (ssize_t)sizeof(m));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, NULL, 0), -EBADMSG);
        /* A count of fds that did not come. */
        m = (SyncMessage){.magic = SYNC_MAGIC, .type = SYNC_GO, .n_fds = 2};
        ASSERT_EQ(send(pair[0], &m, sizeof(m), 0), (ssize_t)sizeof(m));
        ASSERT_EQ(sync_receive(pair[1], 0, &m, (int[2]){}, 2), -EBADMSG);
        close(pair[0]);
        close(pair[1]);
}
