/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "failpoint.h"
#include "macro.h"
#include "tests.h"

#if ENABLE_FAILPOINTS

/* How a child that runs SPEC and reaches POINT ends: the wait status. */
static int child_status(const char *spec, const char *point) {
        pid_t pid;
        int status;

        pid = fork();
        ASSERT(pid >= 0);
        if (pid == 0) {
                /* "abort" must not leave a core file behind. */
                (void)setrlimit(RLIMIT_CORE, &(struct rlimit){0, 0});
                setenv(FAILPOINT_ENV, spec, 1);
                (void)failpoint("helper:after-config"); /* another point: nothing */
                (void)failpoint(point);
                _exit(42);
        }
        ASSERT(waitpid(pid, &status, 0) == pid);
        return status;
}

static long long now_ms(void) {
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

TEST(test_syntax) {
        ASSERT(failpoint_spec_check("") == 0);
        ASSERT(failpoint_spec_check("helper:after-clone") == 0);
        ASSERT(failpoint_spec_check("helper:after-clone:kill") == 0);
        ASSERT(failpoint_spec_check("helper:after-clone:abort@3") == 0);
        ASSERT(failpoint_spec_check("sidecar:before-state-write:error=ENOSPC,child:before-mount:delay=10") ==
               0);
        ASSERT(failpoint_spec_check("x:error=5") == 0);
        ASSERT(failpoint_spec_check("x@0") == -EINVAL);
        ASSERT(failpoint_spec_check("x@") == -EINVAL);
        ASSERT(failpoint_spec_check("x:delay=") == -EINVAL);
        ASSERT(failpoint_spec_check("x:delay=600001") == -EINVAL);
        ASSERT(failpoint_spec_check("x:error=ENOTANERRNO") == -EINVAL);
        ASSERT(failpoint_spec_check("x:error=0") == -EINVAL);
        ASSERT(failpoint_spec_check(":kill") == -EINVAL);
        ASSERT(failpoint_spec_check("a,b,c,d,e,f,g,h,i") == -EINVAL); /* more than 8 */
        ASSERT(failpoint_spec_check(
                       "a-name-that-is-longer-than-sixty-three-characters-which-is-the-limit-here") ==
               -EINVAL);
}

TEST(test_actions) {
        int status;

        /* Each in a child of its own (the environment is read once). */
        status = child_status("child:after-root", "child:after-root");
        ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        status = child_status("child:after-root:abort", "child:after-root");
        ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
        status = child_status("child:after-root:kill", "child:after-pivot");
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 42);
        status = child_status("bogus,nonsense:@", "child:after-root"); /* invalid: ignored */
        ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 42);
}

TEST(test_in_process) {
        long long t0;

        /* Error, hit counts, delay. */
        setenv(FAILPOINT_ENV,
               "sidecar:before-state-write:error=ENOSPC,sidecar:after-alloc:error=EIO@2,"
               "child:before-mount:delay=150",
               1);
        ASSERT(failpoint("helper:after-clone") == 0);
        ASSERT(failpoint("sidecar:before-state-write") == -ENOSPC);
        ASSERT(failpoint("sidecar:before-state-write") == -ENOSPC);
        ASSERT(failpoint("sidecar:after-alloc") == 0);
        ASSERT(failpoint("sidecar:after-alloc") == -EIO);
        ASSERT(failpoint("sidecar:after-alloc") == 0);
        t0 = now_ms();
        ASSERT(failpoint("child:before-mount") == 0);
        ASSERT(now_ms() - t0 >= 150);

        /* Read once: a later change of the environment changes nothing. */
        unsetenv(FAILPOINT_ENV);
        ASSERT(failpoint("sidecar:before-state-write") == -ENOSPC);
}

#else

TEST(test_failpoints) {
        TEST_SKIP("built without -Dfailpoints=true: the fault-injection points are not compiled in");
}

#endif
