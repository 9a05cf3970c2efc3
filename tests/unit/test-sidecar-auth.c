/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <unistd.h>

#include "sidecar.h"
#include "tests.h"

static void check_unit(const char *path, const char *expected) {
        char *u = NULL;
        int r = cgroup_path_get_unit(path, &u);

        if (!expected) {
                ASSERT_EQ(r, -ENXIO);
                return;
        }
        ASSERT_OK(r);
        ASSERT_STREQ(u, expected);
        free(u);
}

TEST(test_cgroup_unit) {
        check_unit("/machine.slice/container@web.service", "container@web.service");
        check_unit("/machine.slice/container@web.service/payload/x", "container@web.service");
        check_unit("/system.slice/a.slice/b.slice/foo.scope", "foo.scope");
        check_unit("/init.scope", "init.scope");
        check_unit("/", NULL);
        check_unit("", NULL);
        check_unit("/system.slice", NULL);
        check_unit("/../../nscontain-test", NULL);
        check_unit("/user.slice/..", NULL);
}

TEST(test_own_cgroup) {
        char *c = NULL;

        /* Every process on a cgroup2 (or hybrid) system has a "0::" line. */
        if (pid_get_cgroup(getpid(), &c) == -ENOMEDIUM)
                TEST_SKIP("no unified cgroup hierarchy here (no \"0::\" line in /proc/self/cgroup)");
        ASSERT(c && c[0] == '/');
        free(c);
}
