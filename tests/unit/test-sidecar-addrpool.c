/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>

#include "ifname.h"
#include "sidecar.h"
#include "tests.h"

static bool all_active(const char *name, void *userdata) {
        return true;
}
static bool none_active(const char *name, void *userdata) {
        return false;
}

TEST(test_parse) {
        Pool p;
        char buf[INET_ADDRSTRLEN];

        ASSERT_OK(pool_parse("10.77.0.0/16", &p));
        ASSERT_EQ(p.prefixlen, 16);
        ASSERT_STREQ(ipv4_format(pool_gateway(&p), buf), "10.77.0.1");
        ASSERT_EQ(pool_parse("10.77.0.1/16", &p), -EINVAL); /* host bits set */
        ASSERT_EQ(pool_parse("10.77.0.0/31", &p), -EINVAL);
        ASSERT_EQ(pool_parse("10.77.0.0", &p), -EINVAL);
        ASSERT_EQ(pool_parse("10.77/16", &p), -EINVAL);
        ASSERT_EQ(pool_parse("fd77::/64", &p), -EINVAL);
        ASSERT_EQ(pool_parse("10.0.0.0/7", &p), -EINVAL);
        ASSERT_OK(pool_parse("10.0.0.0/8", &p));
        ASSERT_OK(pool_parse("192.168.7.0/30", &p));
}

TEST(test_acquire_small_pool) {
        State s = {};
        Pool p;
        uint32_t a[5], x;
        bool changed;
        char name[16];

        /* /29: network .0, gateway .1, broadcast .7: five container addresses. */
        ASSERT_OK(pool_parse("10.1.2.0/29", &p));
        for (unsigned i = 0; i < 5; i++) {
                snprintf(name, sizeof(name), "n%u", i);
                ASSERT_OK(pool_acquire(&s, &p, name, all_active, NULL, &a[i], &changed));
                ASSERT(changed);
                ASSERT(pool_contains(&p, a[i]));
                ASSERT(a[i] != pool_gateway(&p));
                for (unsigned j = 0; j < i; j++)
                        ASSERT(a[i] != a[j]);
        }
        /* Stable. */
        ASSERT_OK(pool_acquire(&s, &p, "n3", all_active, NULL, &x, &changed));
        ASSERT(!changed);
        ASSERT_EQ(x, a[3]);
        /* Full of running containers. */
        ASSERT_EQ(pool_acquire(&s, &p, "late", all_active, NULL, &x, &changed), -ENOSPC);
        /* Full, but the others are down: one reservation is taken over. */
        ASSERT_OK(pool_acquire(&s, &p, "late", none_active, NULL, &x, &changed));
        ASSERT(pool_contains(&p, x));
        unsigned holders = 0;
        for (size_t i = 0; i < s.n_entries; i++)
                holders += s.entries[i].address == x;
        ASSERT_EQ(holders, 1);
        state_done(&s);
}

TEST(test_claim) {
        State s = {};
        Pool p;
        uint32_t a, b;
        bool changed;

        ASSERT_OK(pool_parse("10.77.0.0/16", &p));
        ASSERT_OK(pool_acquire(&s, &p, "one", NULL, NULL, &a, &changed));
        ASSERT_EQ(pool_claim(&s, "two", a, all_active, NULL, &changed), -EADDRINUSE);
        ASSERT_OK(pool_claim(&s, "two", a, none_active, NULL, &changed));
        ASSERT(changed);
        ASSERT_EQ(state_find(&s, "one")->address, 0);
        ASSERT_OK(pool_acquire(&s, &p, "one", NULL, NULL, &b, &changed));
        ASSERT(b != a);
        state_done(&s);
}

TEST(test_ifnames) {
        char a[IFNAMSIZ], b[IFNAMSIZ], c[IFNAMSIZ];

        veth_host_ifname("web", 0, a);
        ASSERT_STREQ(a, "nsc-web");
        veth_host_ifname("abcdefghijk", 0, a);
        ASSERT_STREQ(a, "nsc-abcdefghijk");
        veth_host_ifname("abcdefghijkl", 0, a);
        ASSERT_EQ(strlen(a), 15);
        ASSERT(strncmp(a, "nsc-abcde-", 10) == 0);
        veth_host_ifname("abcdefghijkm", 0, b);
        ASSERT(strcmp(a, b) != 0);
        veth_host_ifname("abcdefghijkl", 1, c);
        ASSERT(strcmp(a, c) != 0);
        ASSERT(ifname_is_valid(a) && ifname_is_valid(b) && ifname_is_valid(c));
}
