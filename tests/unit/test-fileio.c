/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/fileio.c: loop_writev() over more iovecs than one writev(2) takes, and
 * write_file_atomic_iov_at(), which the generator writes its snapshot with. */
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio.h"
#include "macro.h"
#include "tests.h"

#define N_IOV (3 * IOV_MAX + 7)

/* N_IOV pieces of 0 to 12 bytes each, and what they make together. */
static size_t make_pieces(struct iovec *iov, char *all) {
        size_t n = 0;

        for (size_t i = 0; i < N_IOV; i++) {
                char *p = all + n;
                size_t l = i % 13;
                for (size_t k = 0; k < l; k++)
                        p[k] = (char)('a' + (i + k) % 26);
                iov[i] = (struct iovec){.iov_base = p, .iov_len = l};
                n += l;
        }
        return n;
}

TEST(test_loop_writev_many) {
        static struct iovec iov[N_IOV];
        static char all[N_IOV * 13], back[N_IOV * 13 + 1];
        char path[] = "/tmp/test-fileio.XXXXXX";
        size_t n = make_pieces(iov, all);
        int fd = mkstemp(path);

        ASSERT(fd >= 0);
        ASSERT(unlink(path) == 0);
        ASSERT_OK(loop_writev(fd, iov, N_IOV));
        /* The iovecs are the caller's still. */
        ASSERT(iov[N_IOV - 1].iov_base == all + n - iov[N_IOV - 1].iov_len);
        ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t)n);
        ASSERT_EQ(loop_pread(fd, back, sizeof(back), 0), (ssize_t)n);
        ASSERT(memcmp(back, all, n) == 0);
        /* Nothing to write, or only empty pieces: nothing written, no error. */
        ASSERT_OK(loop_writev(fd, iov, 0));
        ASSERT_OK(loop_writev(fd, iov, 1)); /* iov[0] is empty */
        ASSERT_OK(loop_write(fd, "", 0));
        ASSERT_EQ(lseek(fd, 0, SEEK_END), (off_t)n);
        close(fd);
}

TEST(test_write_file_atomic_iov) {
        static struct iovec iov[N_IOV];
        static char all[N_IOV * 13];
        char dir[] = "/tmp/test-fileio.XXXXXX";
        _cleanup_free_ char *back = NULL;
        size_t n = make_pieces(iov, all), size = 0;
        struct stat st;
        int dfd;

        ASSERT(mkdtemp(dir));
        dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        ASSERT(dfd >= 0);
        /* Over an older file, which is replaced as a whole. */
        ASSERT_OK(write_file_atomic_at(dfd, "f", "old", 3, 0644, false));
        ASSERT_OK(write_file_atomic_iov_at(dfd, "f", iov, N_IOV, 0600, false));
        ASSERT_OK(read_full_file_at(dfd, "f", n + 1, &back, &size));
        ASSERT_EQ(size, n);
        ASSERT(memcmp(back, all, n) == 0);
        ASSERT(fstatat(dfd, "f", &st, 0) == 0);
        ASSERT_EQ(st.st_mode & 07777, 0600);
        ASSERT(unlinkat(dfd, "f", 0) == 0);
        close(dfd);
        ASSERT(rmdir(dir) == 0);
}
