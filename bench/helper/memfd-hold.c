/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* memfd-hold BINARY: copies BINARY into a sealed memfd, prints the /proc path under
 * which it can be executed, and keeps the memfd open until stdin reaches EOF.
 *
 * The profile section executes the helper through that path: its /proc/self/exe is
 * then already a sealed memfd, so it skips the re-exec it does for CVE-2019-5736 —
 * which measures what that re-exec costs, with nothing in the helper changed. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        struct stat st;
        off_t offset = 0;
        char buf[64];
        int in, fd;

        if (argc != 2) {
                fprintf(stderr, "usage: memfd-hold BINARY\n");
                return 2;
        }
        in = open(argv[1], O_RDONLY | O_CLOEXEC);
        if (in < 0 || fstat(in, &st) < 0) {
                perror(argv[1]);
                return 1;
        }
        /* Not O_CLOEXEC and not inherited by anything: only reached through /proc. */
        fd = memfd_create("nscontain-helper", MFD_ALLOW_SEALING);
        if (fd < 0) {
                perror("memfd_create");
                return 1;
        }
        while (offset < st.st_size) {
                ssize_t n = sendfile(fd, in, &offset, (size_t)(st.st_size - offset));
                if (n <= 0) {
                        perror("sendfile");
                        return 1;
                }
        }
        if (fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
                perror("F_ADD_SEALS");
                return 1;
        }
        printf("/proc/%d/fd/%d\n", (int)getpid(), fd);
        fflush(stdout);
        while (read(STDIN_FILENO, buf, sizeof(buf)) > 0)
                ;
        return 0;
}
