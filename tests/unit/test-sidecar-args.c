/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sidecar/args.c: what the sidecar accepts from a caller, and that every refusal
 * names the problem and can be sent back. */
#include <stdarg.h>

#include "args.h"
#include "test-bus.h"
#include "tests.h"

static sd_bus *bus;
static sd_bus_message *current; /* the options point into it */
static sd_bus_message *call;    /* sealed: what error replies answer */
static Settings settings;

static void bus_setup(void) {
        bus = test_bus_open();
        ASSERT_OK(sd_bus_message_new_method_call(bus, &call, SIDECAR_BUS_NAME, SIDECAR_OBJECT_PATH,
                                                 SIDECAR_INTERFACE, "SetupNetwork"));
        ASSERT_OK(sd_bus_message_seal(call, 1, 0));
        settings_init(&settings);
        ASSERT_OK(pool6_parse("fd00:77::/64", &settings.pool6));
}
TEST_SETUP(bus_setup);

static sd_bus_message *message_new(void) {
        current = sd_bus_message_unref(current);
        ASSERT_OK(sd_bus_message_new_method_call(bus, &current, SIDECAR_BUS_NAME, SIDECAR_OBJECT_PATH,
                                                 SIDECAR_INTERFACE, "SetupNetwork"));
        return current;
}

static int parse(NetworkOptions *o, sd_bus_error *e) {
        ASSERT_OK(sd_bus_message_seal(current, 1, 0));
        ASSERT_OK(sd_bus_message_rewind(current, true));
        return network_options_parse(current, &settings, o, e);
}

/* a{sv}: the number of entries, then each as sd_bus_message_append() takes it. */
static int options(NetworkOptions *o, sd_bus_error *e, ...) {
        va_list ap;
        int r;

        va_start(ap, e);
        r = sd_bus_message_appendv(message_new(), "a{sv}", ap);
        va_end(ap);
        ASSERT_OK(r);
        return parse(o, e);
}

static void expect_refused(int r, sd_bus_error *e, const char *error_name, const char *text) {
        sd_bus_message *reply = NULL;

        ASSERT(r < 0);
        ASSERT(sd_bus_error_is_set(e));
        if (!sd_bus_error_has_name(e, error_name) || !strstr(e->message, text)) {
                fprintf(stderr, "got %s: %s\nexpected %s: …%s…\n", e->name, e->message, error_name, text);
                abort();
        }
        /* It reaches the caller: sd-bus refuses an error message that is not UTF-8. */
        ASSERT_OK(sd_bus_message_new_method_error(call, &reply, e));
        sd_bus_message_unref(reply);
        sd_bus_error_free(e);
}

TEST(test_names) {
        sd_bus_error e = SD_BUS_ERROR_NULL;

        ASSERT_OK(arg_check_name("web", &e));
        ASSERT_OK(arg_check_name("a.b-c9", &e));
        ASSERT_OK(arg_check_name("0123456789012345678901234567890123456789012345678901234567890123", &e));
        ASSERT(!sd_bus_error_is_set(&e));

        expect_refused(arg_check_name("", &e), &e, SD_BUS_ERROR_INVALID_ARGS, "Invalid container name \"\"");
        expect_refused(arg_check_name("-x", &e), &e, SD_BUS_ERROR_INVALID_ARGS, "\"-x\"");
        expect_refused(arg_check_name(".x", &e), &e, SD_BUS_ERROR_INVALID_ARGS, "\".x\"");
        expect_refused(arg_check_name("../etc", &e), &e, SD_BUS_ERROR_INVALID_ARGS, "\"../etc\"");
        expect_refused(arg_check_name("a b", &e), &e, SD_BUS_ERROR_INVALID_ARGS, "1–64 of");
        expect_refused(arg_check_name("my_web", &e), &e, SD_BUS_ERROR_INVALID_ARGS, "(no '_')");
        expect_refused(
                arg_check_name("01234567890123456789012345678901234567890123456789012345678901234", &e), &e,
                SD_BUS_ERROR_INVALID_ARGS, "Invalid container name");
}

TEST(test_range_sizes) {
        sd_bus_error e = SD_BUS_ERROR_NULL;

        ASSERT_OK(arg_check_range_size(0, &e));
        ASSERT_OK(arg_check_range_size(65536, &e));
        ASSERT_OK(arg_check_range_size(16 * 65536, &e));
        expect_refused(arg_check_range_size(1, &e), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "invalid size 1: must be a multiple of 65536, at most 1048576");
        expect_refused(arg_check_range_size(65535, &e), &e, SD_BUS_ERROR_INVALID_ARGS, "multiple of 65536");
        expect_refused(arg_check_range_size(17 * 65536, &e), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "at most 1048576");
        expect_refused(arg_check_range_size(UINT32_MAX, &e), &e, SD_BUS_ERROR_INVALID_ARGS, "4294967295");
}

TEST(test_options_accepted) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        NetworkOptions o;

        /* None: the settings' bridge, everything else automatic. */
        ASSERT_OK(options(&o, &e, 0));
        ASSERT_STREQ(o.bridge, "nsc0");
        ASSERT(!o.address && !o.gateway && !o.address6);
        ASSERT_EQ(o.mtu, 0);
        ASSERT_EQ(o.ipv6, -1);

        ASSERT_OK(options(&o, &e, 2, "ipv6", "b", 1, "address6", "s", "fd00:77::9"));
        ASSERT_EQ(o.ipv6, 1);
        ASSERT_STREQ(o.address6, "fd00:77::9");
        ASSERT_EQ(o.address6_value.bytes[15], 9);
        ASSERT_OK(options(&o, &e, 2, "ipv6", "b", 0, "address6", "s", "fd00:77::ffff:ffff:ffff:ffff/64"));
        ASSERT_EQ(o.ipv6, 0);
        ASSERT_OK(options(&o, &e, 1, "address6", "s", "auto"));
        ASSERT(!o.address6);

        ASSERT_OK(options(&o, &e, 4, "bridge", "s", "br-lan", "address", "s", "192.168.7.9/24", "gateway",
                          "s", "192.168.7.1", "mtu", "u", 9000));
        ASSERT_STREQ(o.bridge, "br-lan");
        ASSERT_STREQ(o.address, "192.168.7.9/24");
        ASSERT_EQ(o.address_value, 0xC0A80709);
        ASSERT_EQ(o.prefixlen, 24);
        ASSERT_STREQ(o.gateway, "192.168.7.1");
        ASSERT_EQ(o.gateway_value, 0xC0A80701);
        ASSERT_EQ(o.mtu, 9000);
        ASSERT(sd_bus_message_at_end(current, true) > 0);

        /* "" and "auto" are the default; mtu 0 is too; the limits are inclusive. */
        ASSERT_OK(options(&o, &e, 3, "address", "s", "auto", "gateway", "s", "", "mtu", "u", 0));
        ASSERT(!o.address && !o.gateway && o.mtu == 0);
        ASSERT_OK(options(&o, &e, 1, "mtu", "u", 68));
        ASSERT_EQ(o.mtu, 68);
        ASSERT_OK(options(&o, &e, 1, "mtu", "u", 65535));
        ASSERT_EQ(o.mtu, 65535);
        ASSERT_OK(options(&o, &e, 1, "address", "s", "10.77.0.2/30"));
        ASSERT_EQ(o.prefixlen, 30);
        /* A later key wins, as in the config the helper sends it from. */
        ASSERT_OK(options(&o, &e, 2, "address", "s", "10.77.0.2/16", "address", "s", "auto"));
        ASSERT(!o.address);
        ASSERT(!sd_bus_error_is_set(&e));
}

TEST(test_options_refused) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        NetworkOptions o;

        /* Wrong types. */
        expect_refused(options(&o, &e, 1, "mtu", "s", "1500"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'mtu' must be of type u");
        expect_refused(options(&o, &e, 1, "mtu", "i", 1500), &e, SD_BUS_ERROR_INVALID_ARGS, "of type u");
        expect_refused(options(&o, &e, 1, "mtu", "t", (uint64_t)1500), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "of type u");
        expect_refused(options(&o, &e, 1, "bridge", "u", 7), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'bridge' must be of type s");
        expect_refused(options(&o, &e, 1, "address", "as", 1, "10.0.0.2/8"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'address' must be of type s");
        expect_refused(options(&o, &e, 1, "gateway", "v", "s", "10.0.0.1"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'gateway' must be of type s");

        /* Unknown keys, also near misses: a typo must not give the default. */
        expect_refused(
                options(&o, &e, 1, "MTU", "u", 1500), &e, SD_BUS_ERROR_INVALID_ARGS,
                "Unknown option \"MTU\" (known: bridge, address, gateway, mtu, publish, ipv6, address6)");
        expect_refused(options(&o, &e, 2, "mtu", "u", 1500, "", "s", ""), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Unknown option \"\"");

        /* MTU out of range. */
        expect_refused(options(&o, &e, 1, "mtu", "u", 67), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'mtu': must be a number from 68 to 65535");
        expect_refused(options(&o, &e, 1, "mtu", "u", 65536), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'mtu': must be a number from 68 to 65535");
        expect_refused(options(&o, &e, 1, "mtu", "u", UINT32_MAX), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'mtu': must be a number from 68 to 65535");

        /* Bridges. */
        expect_refused(options(&o, &e, 1, "bridge", "s", ""), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option \'bridge\': invalid interface name \"\": use 1–15 characters, no spaces, "
                       "\"/\", \":\" or \"%\"");
        expect_refused(options(&o, &e, 1, "bridge", "s", "a/b"), &e, SD_BUS_ERROR_INVALID_ARGS, "\"a/b\"");
        expect_refused(options(&o, &e, 1, "bridge", "s", "sixteen-chars-no"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "invalid interface name");
        expect_refused(options(&o, &e, 1, "bridge", "s", ".."), &e, SD_BUS_ERROR_INVALID_ARGS, "\"..\"");

        /* Addresses: IPv4 with a prefix length of 8-30, a host's address, not the gateway;
         * the refusal says why, in the config parser's words (lib/sidecar-bus.c). */
        expect_refused(options(&o, &e, 1, "address", "s", "10.77.0.9"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'address': invalid address \"10.77.0.9\": write \"auto\" or an IPv4 address "
                       "with a prefix length from 8 to 30, e.g. \"10.77.0.5/16\"");
        expect_refused(
                options(&o, &e, 1, "address", "s", "10.77.0.9/31"), &e, SD_BUS_ERROR_INVALID_ARGS,
                "Option 'address': invalid address \"10.77.0.9/31\": the prefix length must be from 8 "
                "to 30");
        expect_refused(options(&o, &e, 1, "address", "s", "10.77.0.9/32"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"10.77.0.9/32\": the prefix length must be from 8 to 30");
        expect_refused(options(&o, &e, 1, "address", "s", "10.77.0.9/0"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"10.77.0.9/0\": the prefix length must be from 8 to 30");
        expect_refused(options(&o, &e, 1, "address", "s", "10.77.0.9/7"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"10.77.0.9/7\": the prefix length must be from 8 to 30");
        expect_refused(options(&o, &e, 1, "address", "s", "0.0.0.0/8"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"0.0.0.0/8\": that is the network address of its subnet, not a host's");
        expect_refused(options(&o, &e, 1, "address", "s", "10.77.255.255/16"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"10.77.255.255/16\": that is the broadcast address of its subnet, not a host's");
        expect_refused(options(&o, &e, 1, "address", "s", "fd77::9/64"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'address': invalid address \"fd77::9/64\": an IPv6 address goes in "
                       "\"address6\"; write "
                       "\"auto\"");
        expect_refused(options(&o, &e, 1, "address", "s", "256.1.1.1/8"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"256.1.1.1/8\": write \"auto\"");
        expect_refused(options(&o, &e, 1, "address", "s", "10.77.0.9/16 "), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"10.77.0.9/16 \": write \"auto\" or an IPv4 address");
        expect_refused(options(&o, &e, 1, "address", "s", "10.77.0.9/+16"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"10.77.0.9/+16\": write");
        expect_refused(options(&o, &e, 1, "address", "s", "10.77.0.1/16"), &e, SIDECAR_ERROR_ADDRESS_IN_USE,
                       "Address 10.77.0.1/16 is the bridge's gateway address");
        expect_refused(
                options(&o, &e, 1, "gateway", "s", "10.77.0.1/16"), &e, SD_BUS_ERROR_INVALID_ARGS,
                "Option 'gateway': invalid gateway \"10.77.0.1/16\": write \"auto\" or an IPv4 address, "
                "e.g. \"10.77.0.1\"");
        expect_refused(options(&o, &e, 1, "gateway", "s", "fd77::1"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'gateway': invalid gateway \"fd77::1\": the IPv6 gateway is the bridge's");
        /* address6: in the settings' IPv6 pool, fd00:77::/64, not its first two addresses. */
        expect_refused(options(&o, &e, 1, "address6", "s", "fd00:78::5"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'address6': invalid address6 \"fd00:78::5\": it is not in the sidecar's IPv6 "
                       "pool fd00:77::/64 (Pool6= in /etc/nscontain/sidecar.conf)");
        expect_refused(options(&o, &e, 1, "address6", "s", "fd00:77::5/60"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"fd00:77::5/60\": it is not in the sidecar's IPv6 pool fd00:77::/64");
        expect_refused(options(&o, &e, 1, "address6", "s", "fd00:77::1"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\"fd00:77::1\": the first two addresses of the IPv6 pool fd00:77::/64 are not a "
                       "container's");
        expect_refused(options(&o, &e, 1, "ipv6", "s", "yes"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'ipv6' must be of type b");
        expect_refused(options(&o, &e, 1, "gateway", "s", "gw"), &e, SD_BUS_ERROR_INVALID_ARGS, "\"gw\"");

        /* The first bad option is the answer, whatever follows. */
        expect_refused(options(&o, &e, 2, "mtu", "u", 1, "bogus", "u", 1), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'mtu': must be a number from 68 to 65535");
}

/* Long values are quoted cut short, never in the middle of a UTF-8 character: sd-bus
 * cannot send an error message that is not UTF-8 (fuzz/regress/fuzz-sidecar-args).
 * The quote is lib/escape.c's, the config parser's too. */
TEST(test_quotes_stay_utf8) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        NetworkOptions o;
        char name[200], value[400];

        /* 63 characters, then a 4-byte one as the 64th: shown whole, then the cut. */
        memset(name, 'a', 63);
        strcpy(name + 63, "\xf0\x9f\x90\xb3 and more");
        expect_refused(arg_check_name(name, &e), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "aaaa\xf0\x9f\x90\xb3\"...: a machine name is");
        /* 3-byte characters: the quote's buffer fills up in the middle of one. */
        for (size_t i = 0; i < 100; i++)
                memcpy(value + 3 * i, "\xe2\x82\xac", 3);
        value[300] = 0;
        expect_refused(options(&o, &e, 1, "bridge", "s", value), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\xe2\x82\xac\"...: use 1–15 characters");
        expect_refused(options(&o, &e, 1, "address", "s", value), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\xe2\x82\xac\"...: write \"auto\"");
        expect_refused(options(&o, &e, 1, "gateway", "s", value), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "\xe2\x82\xac\"...: write \"auto\"");
        expect_refused(options(&o, &e, 1, value, "u", 1), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Unknown option \"\xe2\x82\xac");
        /* Control characters are escaped, never sent raw. */
        expect_refused(options(&o, &e, 1, "bridge", "s", "br\n0\x1b"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "invalid interface name \"br\\u000a0\\u001b\":");
        /* Exactly at the limit: nothing is cut. */
        memset(value, 'b', 62);
        strcpy(value + 62, "\xc3\xa4");
        expect_refused(options(&o, &e, 1, value, "u", 1), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "bb\xc3\xa4\" (known");
}

static void bus_teardown(void) {
        current = sd_bus_message_unref(current);
        call = sd_bus_message_unref(call);
        bus = sd_bus_close_unref(bus); /* never connected: nothing to flush */
}
TEST_TEARDOWN(bus_teardown);

TEST(test_options_publish) {
        sd_bus_error e = SD_BUS_ERROR_NULL;
        NetworkOptions o;

        ASSERT_OK(
                options(&o, &e, 1, "publish", "as", 3, "8080:80", "127.0.0.1:8443:443/tcp", "5353:53/udp"));
        ASSERT_EQ(o.n_publish, 3);
        ASSERT_EQ(o.publish[0].host_port_first, 8080);
        ASSERT_EQ(o.publish[0].container_port_first, 80);
        ASSERT_EQ(o.publish[0].protocol, IPPROTO_TCP);
        ASSERT_EQ(o.publish[0].host_address.family, 0);
        ASSERT_EQ(o.publish[1].host_address.family, AF_INET);
        ASSERT_EQ(o.publish[2].protocol, IPPROTO_UDP);
        network_options_done(&o);

        /* tcp and udp are different ports; a range counts port by port. */
        ASSERT_OK(options(&o, &e, 1, "publish", "as", 2, "53:53/tcp", "53:53/udp"));
        network_options_done(&o);
        ASSERT_OK(options(&o, &e, 1, "publish", "as", 1, "9000-9009:9000-9009"));
        ASSERT_EQ(o.publish[0].host_port_last, 9009);
        network_options_done(&o);

        /* In the config parser's words (lib/sidecar-bus.h): validate and a start agree. */
        expect_refused(options(&o, &e, 1, "publish", "as", 1, "80"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'publish': invalid port spec \"80\": write [HOST_IP:]HOST_PORT");
        expect_refused(options(&o, &e, 1, "publish", "as", 1, "70000:80"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "invalid port spec \"70000:80\"");
        expect_refused(options(&o, &e, 1, "publish", "as", 2, "8080:80", "127.0.0.1:8080:81"), &e,
                       SD_BUS_ERROR_INVALID_ARGS,
                       "\"127.0.0.1:8080:81\": a host port of it is published by an earlier entry too");
        /* IPv6 host addresses: each family its own ports. */
        ASSERT_OK(options(&o, &e, 1, "publish", "as", 3, "[::]:8080:80", "127.0.0.1:8080:80",
                          "[2001:db8::1]:8443:443"));
        ASSERT_EQ(o.publish[0].host_address.family, AF_INET6);
        ASSERT_EQ(o.publish[2].host_address.family, AF_INET6);
        network_options_done(&o);
        expect_refused(options(&o, &e, 1, "publish", "as", 2, "8080:80", "[::]:8080:81"), &e,
                       SD_BUS_ERROR_INVALID_ARGS, "a host port of it is published by an earlier entry too");
        expect_refused(options(&o, &e, 1, "publish", "as", 1, "1-2000:1-2000"), &e,
                       SD_BUS_ERROR_INVALID_ARGS, "more than 1024 host ports are published in all");
        expect_refused(options(&o, &e, 1, "publish", "s", "8080:80"), &e, SD_BUS_ERROR_INVALID_ARGS,
                       "Option 'publish' must be of type as");
}
