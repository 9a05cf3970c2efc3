/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/exec.c and the stub it runs (stub/stub.c), without a container: the stub's memfd
 * is sealed, and a command runs through it with the exec marker, the PATH lookup, the
 * exit codes and the failures the helper and "nscontain exec" rely on. */

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "creds.h"
#include "sync.h"
#include "tests.h"

typedef struct Outcome {
        int markers;
        Failure failure; /* .exit_code 0: none came */
        int exit_status;
} Outcome;

static Outcome run(bool init, const char *const *argv) {
        char *env[] = {(char *)"PATH=/nonexistent:/usr/bin:/bin", NULL};
        Outcome o = {};
        int pair[2], stub, status;
        pid_t pid;

        stub = exec_stub_open(false);
        ASSERT(stub >= 0);
        ASSERT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair), 0);
        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                Failure f = {};
                close(pair[0]);
                (void)exec_sealed(stub, pair[1], init, (char *const *)argv, env, &f);
                (void)sync_send_failure(pair[1], &f);
                _exit(f.exit_code);
        }
        close(pair[1]);
        close(stub);
        for (;;) {
                SyncMessage m;
                int r = sync_receive(pair[0], 0, &m, NULL, 0);
                ASSERT(r >= 0);
                if (r == 0)
                        break;
                if (m.type == SYNC_EXEC)
                        o.markers++;
                else {
                        ASSERT_EQ(m.type, (uint32_t)SYNC_FAILURE);
                        o.failure = m.failure;
                }
        }
        close(pair[0]);
        ASSERT_EQ(waitpid(pid, &status, 0), pid);
        ASSERT(WIFEXITED(status));
        o.exit_status = WEXITSTATUS(status);
        return o;
}

TEST(test_sealed) {
        int fd = exec_stub_open(false), seals;

        ASSERT(fd >= 0);
        seals = fcntl(fd, F_GET_SEALS);
        ASSERT_EQ(seals & (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE),
                  F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
        ASSERT_EQ(write(fd, "x", 1), -1);
        ASSERT_EQ(errno, EPERM);
        ASSERT_EQ(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
        close(fd);
}

TEST(test_path_lookup_and_exit_code) {
        /* Found in PATH past an entry that does not exist; its code comes through. */
        Outcome o = run(false, (const char *const[]){"sh", "-c", "exit 7", NULL});
        ASSERT_EQ(o.markers, 1);
        ASSERT_EQ(o.failure.exit_code, 0);
        ASSERT_EQ(o.exit_status, 7);
}

TEST(test_only_stdio_reaches_the_command) {
        /* Only fds 0-2 reach the command: the sync socket closes with its exec. */
        Outcome o =
                run(false, (const char *const[]){"sh", "-c", "ls /proc/self/fd | wc -l | grep -qx 4", NULL});
        ASSERT_EQ(o.exit_status, 0);
}

TEST(test_init) {
        /* The init forks the command, reaps, and exits with its status. */
        Outcome o = run(true, (const char *const[]){"sh", "-c", "sleep 0.1 & exit 5", NULL});
        ASSERT_EQ(o.markers, 1);
        ASSERT_EQ(o.exit_status, 5);

        /* Its command line, as ps shows the init: "nscontain-init COMMAND…". */
        o = run(true,
                (const char *const[]){
                        "sh", "-c",
                        "tr '\\0' ' ' </proc/$PPID/cmdline | grep -qx 'nscontain-init sh -c .* *'", NULL});
        ASSERT_EQ(o.exit_status, 0);
}

TEST(test_failures) {
        /* Not found: no marker, 127, the message names PATH. */
        Outcome o = run(false, (const char *const[]){"no-such-command-here", NULL});
        ASSERT_EQ(o.markers, 0);
        ASSERT_EQ(o.failure.exit_code, EXIT_NOT_FOUND);
        ASSERT_EQ(o.failure.error, ENOENT);
        ASSERT_STREQ(o.failure.message, "Command 'no-such-command-here' not found in the container's PATH "
                                        "(/nonexistent:/usr/bin:/bin)");
        ASSERT_EQ(o.exit_status, EXIT_NOT_FOUND);

        /* A path that may not be executed: found before the stub (as "nscontain validate"
         * finds it, lib/preflight.c), in the stub's words, 126; no marker. */
        o = run(false, (const char *const[]){"/etc/passwd", NULL});
        ASSERT_EQ(o.markers, 0);
        ASSERT_EQ(o.failure.exit_code, EXIT_CANNOT_EXEC);
        ASSERT_EQ(o.failure.error, EACCES);
        ASSERT_STREQ(o.failure.message, "Failed to execute '/etc/passwd'");
        ASSERT_EQ(o.exit_status, EXIT_CANNOT_EXEC);
        o = run(false, (const char *const[]){"/no/such/file", NULL});
        ASSERT_EQ(o.markers, 0);
        ASSERT_EQ(o.failure.exit_code, EXIT_NOT_FOUND);
        ASSERT_EQ(o.failure.error, ENOENT);
        ASSERT_STREQ(o.failure.message, "Failed to execute '/no/such/file'");

        /* The stub's own execve fails (an executable file the kernel cannot run): marker,
         * then its failure, 126. */
        char garbage[] = "/tmp/test-exec-garbage.XXXXXX";
        int gfd = mkstemp(garbage);
        ASSERT(gfd >= 0);
        ASSERT_EQ(write(gfd, "\x01\x02\x03\x04garbage", 11), 11);
        ASSERT_EQ(fchmod(gfd, 0755), 0);
        close(gfd);
        o = run(false, (const char *const[]){garbage, NULL});
        ASSERT_EQ(o.markers, 1);
        ASSERT_EQ(o.failure.exit_code, EXIT_CANNOT_EXEC);
        ASSERT_EQ(o.failure.error, ENOEXEC);
        ASSERT_EQ(o.exit_status, EXIT_CANNOT_EXEC);

        /* The same under the init: the forked child reports it, the init exits with it. */
        o = run(true, (const char *const[]){garbage, NULL});
        ASSERT_EQ(o.failure.exit_code, EXIT_CANNOT_EXEC);
        ASSERT_EQ(o.exit_status, EXIT_CANNOT_EXEC);
        unlink(garbage);
}
