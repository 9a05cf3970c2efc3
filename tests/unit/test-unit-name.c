/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unit-name escaping (as systemd-escape does it) and container unit names. */

#include "lib/config.h"
#include "lib/unit-name.h"
#include "tests.h"

static void escape_is(const char *in, const char *expected) {
        char *out = NULL, *back = NULL;

        ASSERT_OK(unit_name_escape(in, &out));
        ASSERT_STREQ(out, expected);
        ASSERT_OK(unit_name_unescape(out, &back));
        /* '-' stands for '/', so the round trip gives the input back. */
        ASSERT_STREQ(back, in);
        free(out);
        free(back);
}

TEST(test_escape) {
        escape_is("web", "web");
        escape_is("my-web", "my\\x2dweb");
        escape_is("a/b", "a-b");
        escape_is("/a/b/", "-a-b-");
        escape_is(".hidden", "\\x2ehidden");
        escape_is("a.b", "a.b");
        escape_is("a:b_c", "a:b_c");
        escape_is("a b", "a\\x20b");
        escape_is("a\\b", "a\\x5cb");
        escape_is("caf\xc3\xa9", "caf\\xc3\\xa9");
        escape_is("@", "\\x40");
        escape_is("", "");
        escape_is("\x01\x7f", "\\x01\\x7f");
}

TEST(test_unescape_errors) {
        char *out = NULL;

        ASSERT_EQ(unit_name_unescape("a\\", &out), -EINVAL);
        ASSERT_EQ(unit_name_unescape("a\\y41", &out), -EINVAL);
        ASSERT_EQ(unit_name_unescape("a\\x4", &out), -EINVAL);
        ASSERT_EQ(unit_name_unescape("a\\xzz", &out), -EINVAL);
        ASSERT_EQ(unit_name_unescape("a\\x00", &out), -EINVAL);
        ASSERT(!out);
        ASSERT_OK(unit_name_unescape("\\x41\\x2D-", &out));
        ASSERT_STREQ(out, "A-/");
        free(out);
}

TEST(test_container_unit_name) {
        char *u = NULL, *n = NULL;

        ASSERT_OK(container_unit_name("web", &u));
        ASSERT_STREQ(u, "container@web.service");
        ASSERT_OK(container_name_from_unit(u, &n));
        ASSERT_STREQ(n, "web");
        free(u);
        free(n);

        /* NAME is the instance unchanged, '-' and '.' included. */
        ASSERT_OK(container_unit_name("my-web.v2-x", &u));
        ASSERT_STREQ(u, "container@my-web.v2-x.service");
        ASSERT_OK(container_name_from_unit(u, &n));
        ASSERT_STREQ(n, "my-web.v2-x");
        free(u);
        free(n);

        u = n = NULL;
        ASSERT_EQ(container_unit_name("a b", &u), -EINVAL);
        ASSERT_EQ(container_unit_name("", &u), -EINVAL);
        ASSERT_EQ(container_unit_name(".x", &u), -EINVAL);
        ASSERT_EQ(container_unit_name(NULL, &u), -EINVAL);
        ASSERT(!u);

        ASSERT_EQ(container_name_from_unit("container@.service", &n), -EINVAL);
        ASSERT_EQ(container_name_from_unit("container@web.socket", &n), -EINVAL);
        ASSERT_EQ(container_name_from_unit("containers@web.service", &n), -EINVAL);
        ASSERT_EQ(container_name_from_unit("web.service", &n), -EINVAL);
        ASSERT_EQ(container_name_from_unit("container@my\\x2dweb.service", &n), -EINVAL);
        ASSERT_EQ(container_name_from_unit("container@a b.service", &n), -EINVAL);
        ASSERT_EQ(container_name_from_unit("container@-x.service", &n), -EINVAL);
        ASSERT_EQ(container_name_from_unit("container@.service.service", &n), -EINVAL);
        ASSERT_EQ(container_name_from_unit(NULL, &n), -EINVAL);
        ASSERT(!n);

        /* Every valid NAME round-trips; longest allowed too. */
        static const char *const names[] = {
                "a",   "0",        "a.b",
                "a-b", "A.B-C--D", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                ASSERT_OK(container_unit_name(names[i], &u));
                ASSERT_OK(container_name_from_unit(u, &n));
                ASSERT_STREQ(n, names[i]);
                free(u);
                free(n);
        }
}
