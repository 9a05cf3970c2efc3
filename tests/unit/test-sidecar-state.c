/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sidecar.h"
#include "tests.h"

TEST(test_roundtrip) {
        State s = {}, t = {};
        Entry *e;
        char *text = NULL, *error = NULL;
        size_t n_bad = 99;

        ASSERT_OK(state_get(&s, "web", &e));
        e->uid_base = 0x00a30000;
        e->uid_size = 65536;
        e->address = (10U << 24) | (77U << 16) | (3 << 8) | 4;
        ASSERT_OK(in_addr_parse("fd00:77::3:4", &e->address6));
        ASSERT_OK(state_get(&s, "db", &e));
        e->uid_base = 0x00080000;
        e->uid_size = 131072;
        ASSERT_OK(state_format(&s, &text));
        /* Sorted by name, one fact per line. */
        ASSERT(strstr(text, "range db 524288 131072\nrange web 10682368 65536\naddress web 10.77.3.4\n"
                            "address6 web fd00:77::3:4\n"));

        ASSERT_OK(state_parse(text, &t, &n_bad, &error));
        ASSERT_EQ(n_bad, 0);
        ASSERT(error == NULL);
        ASSERT(state_equal(&s, &t));
        free(text);
        state_done(&s);
        state_done(&t);
}

TEST(test_damaged_lines_keep_good_ones) {
        State t = {};
        char *error = NULL;
        size_t n_bad = 0;
        const char *text = "# comment\n"
                           "range a 524288 65536\n"
                           "range b 524288 65536\n"  /* overlaps a */
                           "range c 524289 65536\n"  /* not aligned */
                           "range .x 655360 65536\n" /* bad name */
                           "address a 10.77.0.9\n"
                           "address b 10.77.0.9\n" /* twice */
                           "address c 10.77.0\n"
                           "bogus line\n"
                           "range d 1879048192 65536\n" /* 0x70000000: outside */
                           "range e 1879048192";
        ASSERT_OK(state_parse(text, &t, &n_bad, &error));
        ASSERT_EQ(n_bad, 8);
        ASSERT_STREQ(error, "line 3: range of 'b' overlaps another container's");
        ASSERT_EQ(t.n_entries, 1);
        ASSERT_STREQ(t.entries[0].name, "a");
        ASSERT_EQ(t.entries[0].uid_base, 524288);
        ASSERT_EQ(t.entries[0].address, (10U << 24) | (77U << 16) | 9);
        free(error);
        state_done(&t);
}

TEST(test_truncated_file_is_reported) {
        State t = {};
        char *error = NULL;
        size_t n_bad = 0;

        ASSERT_OK(state_parse("range a 524288 65536\naddress a 10.77.0.9", &t, &n_bad, &error));
        ASSERT_EQ(n_bad, 1);
        ASSERT(strstr(error, "newline"));
        ASSERT_EQ(t.n_entries, 1);
        free(error);
        state_done(&t);
}

TEST(test_address6_lines) {
        State t = {};
        char *error = NULL;
        size_t n_bad = 0;

        ASSERT_OK(state_parse("address6 a fd00:77::9\n"
                              "address6 b fd00:77::9\n" /* twice */
                              "address6 c 10.77.0.9\n"  /* not IPv6 */
                              "address6 a fd00:77::a\n" /* a second one */
                              "address6 d\n",
                              &t, &n_bad, &error));
        ASSERT_EQ(n_bad, 4);
        ASSERT_STREQ(error, "line 2: address fd00:77::9 is reserved twice");
        ASSERT_EQ(state_find(&t, "a")->address6.family, AF_INET6);
        ASSERT(!state_find(&t, "b") || state_find(&t, "b")->address6.family == 0);
        free(error);
        state_done(&t);
}
