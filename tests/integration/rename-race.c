/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rename-race DIR A B [A B...]: the attacker of docs/SECURITY.md row 3's race. Swaps each
 * pair of names in DIR with renameat2(RENAME_EXCHANGE) as fast as it can: a directory
 * and a symlink trade places atomically, so at every instant each name exists and is
 * one or the other. Runs until SIGTERM or SIGINT, ends on an even number of rounds (every
 * name back where it was), and prints the number of swaps. Exits 1 if a swap fails. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig) {
        (void)sig;
        stop = 1;
}

int main(int argc, char **argv) {
        struct sigaction sa = {.sa_handler = on_signal};
        unsigned long long rounds = 0;
        int dir_fd;

        if (argc < 4 || argc % 2 != 0) {
                fputs("usage: rename-race DIR A B [A B...]\n", stderr);
                return 2;
        }
        dir_fd = open(argv[1], O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (dir_fd < 0) {
                fprintf(stderr, "rename-race: %s: %s\n", argv[1], strerror(errno));
                return 1;
        }
        if (sigaction(SIGTERM, &sa, NULL) < 0 || sigaction(SIGINT, &sa, NULL) < 0)
                return 1;

        while (!stop || rounds % 2 != 0) {
                for (int i = 2; i + 1 < argc; i += 2)
                        if (renameat2(dir_fd, argv[i], dir_fd, argv[i + 1], RENAME_EXCHANGE) < 0) {
                                fprintf(stderr, "rename-race: %s <-> %s: %s\n", argv[i], argv[i + 1],
                                        strerror(errno));
                                return 1;
                        }
                rounds++;
        }
        printf("%llu\n", rounds * (unsigned long long)((argc - 2) / 2));
        return 0;
}
