/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/uid-ranges.c: the ranges of other tools read from subuid(5) files, systemd-nspawn's
 * lock directory and /proc-like trees, and the overlap check the sidecar relies on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests.h"
#include "uid-ranges.h"

static char *tmpdir(void) {
        char *d = strdup("/tmp/test-uid-ranges.XXXXXX");
        ASSERT(d && mkdtemp(d));
        return d;
}

static void put(const char *dir, const char *name, const char *text) {
        char path[512];
        FILE *f;

        snprintf(path, sizeof(path), "%s/%s", dir, name);
        f = fopen(path, "we");
        ASSERT(f);
        fputs(text, f);
        ASSERT_EQ(fclose(f), 0);
}

static void rm_rf(const char *d) {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d);
        ASSERT_EQ(system(cmd), 0);
}

TEST(test_subid) {
        char *d = tmpdir(), path[512];
        UidRangeList l = {};

        put(d, "subuid",
            "# comment\n"
            "alice:100000:65536\n"
            "bob:1048576:1000000000\n"
            "broken line\n"
            "carol:x:5\n"
            "dave:5:\n"
            "1000:4294967290:100\n");
        snprintf(path, sizeof(path), "%s/subuid", d);
        ASSERT_OK(uid_ranges_read_subid(&l, path));
        ASSERT_EQ(l.n, 3);
        ASSERT_EQ(l.ranges[0].first, 100000);
        ASSERT_EQ(l.ranges[0].last, 165535);
        ASSERT(strstr(l.ranges[0].what, "subuid: alice"));
        ASSERT_EQ(l.ranges[1].first, 1048576);
        ASSERT_EQ(l.ranges[1].last, 1048576 + 1000000000 - 1);
        /* Clamped to the 32-bit id space. */
        ASSERT_EQ(l.ranges[2].last, UINT32_MAX);

        ASSERT(uid_range_list_overlap(&l, 165535, 200000) == &l.ranges[0]);
        ASSERT(uid_range_list_overlap(&l, 165536, 1048575) == NULL);
        ASSERT(uid_range_list_overlap(&l, 0x10000000, 0x1000FFFF) == &l.ranges[1]);

        /* A missing file is no error; an identical range is kept once. */
        snprintf(path, sizeof(path), "%s/nothing", d);
        ASSERT_OK(uid_ranges_read_subid(&l, path));
        ASSERT_OK(uid_range_list_add(&l, 100000, 65536, "again"));
        ASSERT_EQ(l.n, 3);
        uid_range_list_done(&l);
        rm_rf(d);
        free(d);
}

TEST(test_nspawn_locks) {
        char *d = tmpdir();
        UidRangeList l = {};

        put(d, "1879048192", "");
        put(d, "not-a-number", "");
        ASSERT_OK(uid_ranges_read_nspawn(&l, d));
        ASSERT_EQ(l.n, 1);
        ASSERT_EQ(l.ranges[0].first, 1879048192u);
        ASSERT_EQ(l.ranges[0].last, 1879048192u + 65535);
        ASSERT(strstr(l.ranges[0].what, "systemd-nspawn"));
        uid_range_list_done(&l);
        ASSERT_OK(uid_ranges_read_nspawn(&l, "/nonexistent/nspawn-uid"));
        ASSERT_EQ(l.n, 0);
        rm_rf(d);
        free(d);
}

TEST(test_userns_maps) {
        char *d = tmpdir(), sub[512];
        UidRangeList l = {};

        const struct {
                const char *pid, *map;
        } procs[] = {
                {"1", "         0          0 4294967295\n"},
                {"42", "         0     524288      65536\n"},
                {"43", "         0     524288      65536\n"}, /* same namespace: once */
                {"77", "         0       1000          1\n         1     200000      65536\n"},
        };
        for (size_t i = 0; i < sizeof(procs) / sizeof(*procs); i++) {
                snprintf(sub, sizeof(sub), "%s/%s", d, procs[i].pid);
                ASSERT_EQ(mkdir(sub, 0755), 0);
                put(sub, "uid_map", procs[i].map);
        }
        snprintf(sub, sizeof(sub), "%s/self", d);
        ASSERT_EQ(mkdir(sub, 0755), 0);
        put(sub, "uid_map", "0 7 1\n");
        /* Namespaces by their ns/user link: our own (self's) is never read, another one
         * only at its first process. */
        const struct {
                const char *pid, *ns, *map;
        } linked[] = {
                {"self", "user:[9]", NULL},
                {"2", "user:[9]", "         0     900000      65536\n"},
                {"42", "user:[5]", NULL},
                {"44", "user:[5]", "         0     700000          1\n"},
        };
        for (size_t i = 0; i < sizeof(linked) / sizeof(*linked); i++) {
                snprintf(sub, sizeof(sub), "%s/%s", d, linked[i].pid);
                if (linked[i].map) {
                        ASSERT_EQ(mkdir(sub, 0755), 0);
                        put(sub, "uid_map", linked[i].map);
                }
                snprintf(sub, sizeof(sub), "%s/%s/ns", d, linked[i].pid);
                ASSERT_EQ(mkdir(sub, 0755), 0);
                snprintf(sub, sizeof(sub), "%s/%s/ns/user", d, linked[i].pid);
                ASSERT_EQ(symlink(linked[i].ns, sub), 0);
        }

        ASSERT_OK(uid_range_list_add(&l, 1, 1, "/etc/subuid: x"));
        ASSERT_OK(uid_ranges_read_userns(&l, d));
        ASSERT_EQ(l.n, 4);
        ASSERT(!l.ranges[0].userns);
        for (size_t i = 1; i < l.n; i++)
                ASSERT(l.ranges[i].userns);
        ASSERT(uid_range_list_overlap(&l, 524288, 524288));
        ASSERT(uid_range_list_overlap(&l, 1000, 1000));
        ASSERT(uid_range_list_overlap(&l, 265535, 300000));
        ASSERT(!uid_range_list_overlap(&l, 265536, 524287));
        ASSERT(!uid_range_list_overlap(&l, 7, 7));
        ASSERT(!uid_range_list_overlap(&l, 900000, 900000)); /* our own namespace */
        ASSERT(!uid_range_list_overlap(&l, 700000, 700000)); /* 42's, read at 42 */
        uid_range_list_done(&l);
        rm_rf(d);
        free(d);
}
