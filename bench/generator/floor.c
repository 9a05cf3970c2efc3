/* SPDX-License-Identifier: LGPL-2.1-or-later */
#define _GNU_SOURCE
/* The floor for the generator benchmark: the least any generator must do for N
 * configs, which is to read every NAME.json of a directory and write one file per
 * config into a directory of its own (mkdir + create + write + close), with *at()
 * calls and no parsing. The generator's time is compared with this.
 *
 *   floor CONFIG-DIR OUTPUT-DIR */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char *argv[]) {
        static char buf[1 << 20];
        char path[512];
        int in_fd, out_fd;
        DIR *d;

        if (argc != 3) {
                fprintf(stderr, "usage: floor CONFIG-DIR OUTPUT-DIR\n");
                return 2;
        }
        in_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        out_fd = open(argv[2], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (in_fd < 0 || out_fd < 0 || !(d = fdopendir(in_fd))) {
                perror("open");
                return 1;
        }
        for (struct dirent *de; (de = readdir(d));) {
                size_t l = strlen(de->d_name);
                ssize_t n;
                int fd;

                if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
                        continue;
                fd = openat(dirfd(d), de->d_name, O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return perror(de->d_name), 1;
                n = read(fd, buf, sizeof(buf));
                close(fd);
                if (n < 0)
                        return perror(de->d_name), 1;

                snprintf(path, sizeof(path), "container@%.*s.service.d", (int)(l - 5), de->d_name);
                if (mkdirat(out_fd, path, 0755) < 0 && errno != EEXIST)
                        return perror(path), 1;
                strcat(path, "/50-nscontain.conf");
                fd = openat(out_fd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
                if (fd < 0 || write(fd, buf, (size_t)n) != n)
                        return perror(path), 1;
                close(fd);
        }
        closedir(d);
        return 0;
}
