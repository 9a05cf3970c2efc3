/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <unistd.h>

#include "sidecar.h"
#include "tests.h"

TEST(test_defaults) {
        Settings s;

        settings_init(&s);
        ASSERT_STREQ(s.bridge, "nsc0");
        ASSERT_EQ(s.pool.network, (10U << 24) | (77U << 16));
        ASSERT_EQ(s.pool.prefixlen, 16);
        ASSERT_EQ(s.mtu, 0);
        ASSERT(!s.pool6_set);
}

TEST(test_pool6) {
        char path[] = "/tmp/test-sidecar-settings-XXXXXX", *error = NULL, buf[INET6_ADDRSTRLEN + 4];
        Settings s;
        Pool6 a, b;
        int fd;

        settings_init(&s);
        ASSERT_OK(settings_parse(&s, "Pool6=fd12:3456:789a:1::/64\n", &error));
        ASSERT(s.pool6_set);
        ASSERT_STREQ(pool6_to_string(&s.pool6, buf), "fd12:3456:789a:1::/64");

        /* The default: a ULA /64 from the machine ID, the same every time, another for
         * another ID. */
        fd = mkstemp(path);
        ASSERT(fd >= 0);
        ASSERT_EQ(write(fd, "0123456789abcdef0123456789abcdef\n", 33), 33);
        ASSERT_OK(sidecar_pool6_default(path, &a));
        ASSERT_OK(sidecar_pool6_default(path, &b));
        ASSERT(in_addr_equal(&a.network, &b.network));
        ASSERT_EQ(a.prefixlen, 64);
        ASSERT_EQ(a.network.bytes[0], 0xfd);
        for (size_t i = 6; i < 16; i++)
                ASSERT_EQ(a.network.bytes[i], 0);
        ASSERT_OK(pool6_parse(pool6_to_string(&a, buf), &b)); /* a valid Pool6= */
        ASSERT_OK(lseek(fd, 0, SEEK_SET) == 0 ? 0 : -1);
        ASSERT_EQ(write(fd, "1123456789abcdef0123456789abcdef\n", 33), 33);
        ASSERT_OK(sidecar_pool6_default(path, &b));
        ASSERT(!in_addr_equal(&a.network, &b.network));
        ASSERT_OK(ftruncate(fd, 10));
        ASSERT_EQ(sidecar_pool6_default(path, &b), -EBADMSG);

        /* settings_load: a missing file is the defaults, with the pool from the ID. */
        ASSERT_OK(ftruncate(fd, 0));
        ASSERT_OK(lseek(fd, 0, SEEK_SET) == 0 ? 0 : -1);
        ASSERT_EQ(write(fd, "0123456789abcdef0123456789abcdef\n", 33), 33);
        ASSERT_OK(settings_load(&s, "/nonexistent/sidecar.conf", path, &error));
        ASSERT(in_addr_equal(&s.pool6.network, &a.network));
        ASSERT_EQ(settings_load(&s, "/nonexistent/sidecar.conf", "/nonexistent/machine-id", &error),
                  -ENOENT);
        ASSERT(strstr(error, "no Pool6= and no default IPv6 pool: cannot read a machine ID from "
                             "/nonexistent/machine-id"));
        free(error);
        close(fd);
        unlink(path);
}

TEST(test_parse) {
        Settings s;
        char *error = NULL;

        settings_init(&s);
        ASSERT_OK(settings_parse(
                &s, "# comment\n[Sidecar]\n  Bridge = br-test \nPool=192.168.50.0/24\nMTU=1400\n\n",
                &error));
        ASSERT_STREQ(s.bridge, "br-test");
        ASSERT_EQ(s.pool.prefixlen, 24);
        ASSERT_EQ(s.mtu, 1400);
}

static void check_error(const char *text, const char *expected) {
        Settings s;
        char *error = NULL;

        settings_init(&s);
        ASSERT_EQ(settings_parse(&s, text, &error), -EINVAL);
        ASSERT_STREQ(error, expected);
        free(error);
}

TEST(test_errors) {
        check_error("Bridge=\n", "line 1: Bridge= is not a valid interface name");
        check_error("\nBridge=averyveryverylongname\n",
                    "line 2: Bridge=averyveryverylongname is not a valid interface name");
        check_error("Pool=10.77.0.1/16\n", "line 1: Pool=10.77.0.1/16 is not an IPv4 network with a prefix "
                                           "length of 8 to 30 (for example 10.77.0.0/16)");
        check_error("Pool6=fd00::/48\n",
                    "line 1: Pool6=fd00::/48 is not an IPv6 network with a prefix length "
                    "of 64 to 120 (for example fd00:77::/64)");
        check_error("MTU=12\n", "line 1: MTU=12 is not a number from 68 to 65535");
        check_error("Brigde=x\n", "line 1: unknown key 'Brigde' (known: Bridge, Pool, Pool6, MTU)");
        check_error("[Network]\n", "line 1: unknown section '[Network]', expected [Sidecar]");
        check_error("Bridge\n", "line 1: 'Bridge' is not of the form Key=Value");
}
