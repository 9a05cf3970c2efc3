/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sidecar.h"
#include "tests.h"

TEST(test_defaults) {
        Settings s;

        settings_init(&s);
        ASSERT_STREQ(s.bridge, "nsc0");
        ASSERT_EQ(s.pool.network, (10U << 24) | (77U << 16));
        ASSERT_EQ(s.pool.prefixlen, 16);
        ASSERT_EQ(s.mtu, 0);
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
        check_error("MTU=12\n", "line 1: MTU=12 is not a number from 68 to 65535");
        check_error("Brigde=x\n", "line 1: unknown key 'Brigde' (known: Bridge, Pool, MTU)");
        check_error("[Network]\n", "line 1: unknown section '[Network]', expected [Sidecar]");
        check_error("Bridge\n", "line 1: 'Bridge' is not of the form Key=Value");
}
