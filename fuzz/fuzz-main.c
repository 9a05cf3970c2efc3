/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Replays inputs through a fuzz target without libFuzzer: each argument is a file or
 * a directory of files. Used for the seed corpora and the crash reproducers in
 * ordinary (gcc, ASan, valgrind) builds, so a fixed crash stays fixed. */

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

#define INPUT_SIZE_MAX (4U * 1024U * 1024U)

static int replay_fd(int fd, const char *name) {
        struct stat st;
        uint8_t *buf;
        size_t size = 0;

        if (fstat(fd, &st) < 0) {
                fprintf(stderr, "%s: %s\n", name, strerror(errno));
                return -errno;
        }
        if (!S_ISREG(st.st_mode) || st.st_size > INPUT_SIZE_MAX) {
                fprintf(stderr, "%s: not a regular file of at most %u bytes\n", name, INPUT_SIZE_MAX);
                return -EINVAL;
        }
        /* Exactly the file's bytes in a buffer of exactly that size: ASan and valgrind
         * then see any read past the end, as libFuzzer's own copy makes them. */
        buf = malloc(st.st_size > 0 ? (size_t)st.st_size : 1);
        if (!buf)
                return -ENOMEM;
        while (size < (size_t)st.st_size) {
                ssize_t n = read(fd, buf + size, (size_t)st.st_size - size);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0) {
                        fprintf(stderr, "%s: short read\n", name);
                        free(buf);
                        return -EIO;
                }
                size += (size_t)n;
        }
        (void)LLVMFuzzerTestOneInput(buf, size);
        free(buf);
        return 0;
}

static int replay_path(int dir_fd, const char *path, unsigned *n) {
        struct stat st;
        int fd, r = 0;

        fd = openat(dir_fd, path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) {
                fprintf(stderr, "%s: %s\n", path, strerror(errno));
                return -errno;
        }
        if (fstat(fd, &st) < 0) {
                r = -errno;
        } else if (S_ISDIR(st.st_mode)) {
                DIR *d = fdopendir(fd);
                struct dirent **names = NULL;
                int k;

                if (!d) {
                        close(fd);
                        return -errno;
                }
                /* Sorted, so a failure names the same file every run. */
                k = scandirat(fd, ".", &names, NULL, alphasort);
                if (k < 0)
                        r = -errno;
                for (int i = 0; i < k; i++) {
                        if (names[i]->d_name[0] != '.' && r >= 0)
                                r = replay_path(fd, names[i]->d_name, n);
                        free(names[i]);
                }
                free(names);
                closedir(d);
                return r;
        } else {
                r = replay_fd(fd, path);
                if (r >= 0)
                        (*n)++;
        }
        close(fd);
        return r;
}

int main(int argc, char *argv[]) {
        unsigned n = 0;

        for (int i = 1; i < argc; i++)
                if (replay_path(AT_FDCWD, argv[i], &n) < 0)
                        return EXIT_FAILURE;
        /* A replay of nothing proves nothing: an empty corpus is a broken test. */
        if (n == 0) {
                fprintf(stderr, "no inputs\n");
                return EXIT_FAILURE;
        }
        printf("%u inputs replayed\n", n);
        return EXIT_SUCCESS;
}
