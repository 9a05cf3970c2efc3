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

TEST(test_pool6) {
        State s = {};
        Pool6 p;
        InAddr a, b, x;
        uint64_t off;
        bool changed;
        char buf[INET6_ADDRSTRLEN + 4];

        ASSERT_OK(pool6_parse("fd00:77::/64", &p));
        ASSERT_STREQ(pool6_to_string(&p, buf), "fd00:77::/64");
        ASSERT_EQ(pool6_parse("fd00:77::1/64", &p), -EINVAL); /* host bits */
        ASSERT_EQ(pool6_parse("fd00:77::/48", &p), -EINVAL);
        ASSERT_EQ(pool6_parse("fd00:77::/121", &p), -EINVAL);
        ASSERT_EQ(pool6_parse("10.77.0.0/16", &p), -EINVAL);
        ASSERT_OK(pool6_parse("fd00:77::100/120", &p));
        ASSERT_EQ(pool6_last(&p), 255);
        ASSERT_OK(pool6_parse("fd00:77::/64", &p));

        /* The bridge has offset 1; a container gets one of 2 … and keeps it. */
        x = pool6_address(&p, 1);
        ASSERT_STREQ(in_addr_to_string(&x, buf), "fd00:77::1");
        ASSERT_OK(pool6_acquire(&s, &p, "web", all_active, NULL, &a, &changed));
        ASSERT(changed);
        ASSERT(pool6_offset(&p, &a, &off) && off >= 2);
        ASSERT_OK(pool6_acquire(&s, &p, "web", all_active, NULL, &b, &changed));
        ASSERT(!changed);
        ASSERT(in_addr_equal(&a, &b));
        ASSERT_OK(pool6_acquire(&s, &p, "db", all_active, NULL, &b, &changed));
        ASSERT(!in_addr_equal(&a, &b));
        /* The IPv4 lease is apart. */
        ASSERT_EQ(state_find(&s, "web")->address, 0);

        /* A claim: in the pool only; a running holder keeps it, a stopped one loses it. */
        ASSERT_OK(in_addr_parse("fd00:78::5", &x));
        ASSERT_EQ(pool6_claim(&s, &p, "new", &x, all_active, NULL, &changed), -EINVAL);
        ASSERT_EQ(pool6_claim(&s, &p, "new", &a, all_active, NULL, &changed), -EADDRINUSE);
        ASSERT_OK(pool6_claim(&s, &p, "new", &a, none_active, NULL, &changed));
        ASSERT(changed);
        ASSERT_EQ(state_find(&s, "web")->address6.family, 0);
        state_done(&s);

        /* A pool never set (settings_init() alone) holds nothing, without undefined shifts. */
        Pool6 none = {};
        ASSERT(!pool6_offset(&none, &a, NULL));

        /* A small pool fills up like the IPv4 one. */
        ASSERT_OK(pool6_parse("fd00:77::/126", &p) == -EINVAL ? 0 : -1);
        ASSERT_OK(pool6_parse("fd00:77::/120", &p));
        for (unsigned i = 0; i < 254; i++) {
                char name[16];
                snprintf(name, sizeof(name), "n%u", i);
                ASSERT_OK(pool6_acquire(&s, &p, name, all_active, NULL, &a, &changed));
        }
        ASSERT_EQ(pool6_acquire(&s, &p, "late", all_active, NULL, &a, &changed), -ENOSPC);
        ASSERT_OK(pool6_acquire(&s, &p, "late", none_active, NULL, &a, &changed));
        state_done(&s);
}
