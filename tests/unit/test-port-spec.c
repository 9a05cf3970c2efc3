/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/port-spec.c: network.publish's port specs, both ways. */

#include <errno.h>

#include "macro.h"
#include "port-spec.h"
#include "tests.h"

static PortSpec parse_ok(const char *s) {
        const char *reason = NULL;
        PortSpec p;
        int r = port_spec_parse(s, &p, &reason);
        if (r < 0)
                fprintf(stderr, "'%s' refused: %s\n", s, reason);
        ASSERT_OK(r);
        return p;
}

static void refused(const char *s, const char *reason_expected) {
        const char *reason = NULL;
        PortSpec p = {.host_port_first = 4711};

        ASSERT_EQ(port_spec_parse(s, &p, &reason), -EINVAL);
        ASSERT_STREQ(reason, reason_expected);
        ASSERT_EQ(p.host_port_first, 4711); /* untouched on failure */
}

static void canonical(const char *s, const char *expected) {
        char buf[PORT_SPEC_STRING_MAX];
        PortSpec p = parse_ok(s), q;

        ASSERT_STREQ(port_spec_to_string(&p, buf), expected);
        /* The canonical text reads back to the same spec. */
        q = parse_ok(buf);
        ASSERT(memcmp(&p, &q, sizeof(p)) == 0);
}

TEST(test_accepted) {
        PortSpec p = parse_ok("8080:80");
        ASSERT_EQ(p.host_address.family, 0);
        ASSERT_EQ(p.host_port_first, 8080);
        ASSERT_EQ(p.host_port_last, 8080);
        ASSERT_EQ(p.container_port_first, 80);
        ASSERT_EQ(p.container_port_last, 80);
        ASSERT_EQ(p.protocol, IPPROTO_TCP);
        ASSERT_EQ(port_spec_count(&p), 1);

        p = parse_ok("127.0.0.1:8443:443/tcp");
        ASSERT_EQ(p.host_address.family, AF_INET);
        ASSERT_EQ(in_addr_ipv4(&p.host_address), 0x7f000001);
        ASSERT_EQ(p.host_port_first, 8443);
        ASSERT_EQ(p.container_port_first, 443);
        ASSERT_EQ(p.protocol, IPPROTO_TCP);

        p = parse_ok("5353:53/udp");
        ASSERT_EQ(p.protocol, IPPROTO_UDP);
        ASSERT_EQ(p.host_port_first, 5353);
        ASSERT_EQ(p.container_port_first, 53);

        p = parse_ok("9000-9009:9000-9009");
        ASSERT_EQ(p.host_port_first, 9000);
        ASSERT_EQ(p.host_port_last, 9009);
        ASSERT_EQ(p.container_port_first, 9000);
        ASSERT_EQ(p.container_port_last, 9009);
        ASSERT_EQ(port_spec_count(&p), 10);

        p = parse_ok("[::1]:5353:53/udp");
        ASSERT_EQ(p.host_address.family, AF_INET6);
        ASSERT_EQ(p.host_address.bytes[15], 1);
        ASSERT_EQ(p.protocol, IPPROTO_UDP);

        /* Shifted ranges of the same length, the limits, wildcards. */
        p = parse_ok("10000-10002:80-82/udp");
        ASSERT_EQ(p.container_port_last, 82);
        p = parse_ok("65535:1");
        ASSERT_EQ(p.host_port_first, 65535);
        ASSERT_EQ(p.container_port_first, 1);
        p = parse_ok("1-65535:1-65535");
        ASSERT_EQ(port_spec_count(&p), 65535);
        p = parse_ok("0.0.0.0:80:80");
        ASSERT(in_addr_is_any(&p.host_address));
        p = parse_ok("[::]:80:80");
        ASSERT(in_addr_is_any(&p.host_address) && p.host_address.family == AF_INET6);
        p = parse_ok("[fd77::1:2]:80:8080");
        ASSERT_EQ(p.container_port_first, 8080);
        p = parse_ok("[::ffff:10.0.0.1]:80:80");
        ASSERT_EQ(p.host_address.family, AF_INET6);
}

#define SYNTAX "write [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp], e.g. \"8080:80\""
#define RANGE  "ports are numbers from 1 to 65535"
#define ORDER  "a port range goes from low to high, e.g. \"9000-9009\""
#define LENGTH "the host and the container port ranges must have the same length"
#define PROTO  "the protocol is \"/tcp\" or \"/udp\""
#define V4                                                                                 \
        "the host address is not an IPv4 address (an IPv6 address goes in brackets, e.g. " \
        "\"[::1]:5353:53/udp\")"
#define V6       "the host address in brackets is not an IPv6 address"
#define BRACKETS "an IPv6 host address goes in brackets, e.g. \"[::1]:5353:53/udp\""

TEST(test_refused) {
        refused("", SYNTAX);
        refused("80", SYNTAX); /* docker's "container port only" needs a host port here */
        refused("80/tcp", SYNTAX);
        refused(":80", SYNTAX);
        refused("80:", SYNTAX);
        refused("8080:80:", V4);
        refused("a:80", SYNTAX);
        refused("+80:80", SYNTAX);
        refused(" 80:80", SYNTAX);
        refused("80:80 ", SYNTAX);
        refused("123456:80", SYNTAX);
        refused("80-:80", SYNTAX);
        refused("-80:80", SYNTAX);
        refused("80-81-82:80-82", SYNTAX);
        refused("0:80", RANGE);
        refused("80:0", RANGE);
        refused("65536:80", RANGE);
        refused("80:99999", RANGE);
        refused("1-65536:1-65536", RANGE);
        refused("9009-9000:9000-9009", ORDER);
        refused("9000-9009:9000-9008", LENGTH);
        refused("9000-9009:80", LENGTH);
        refused("80:80-81", LENGTH);
        refused("80:80/sctp", PROTO);
        refused("80:80/TCP", PROTO);
        refused("80:80/", PROTO);
        refused("80:80/tcp/udp", SYNTAX);
        refused("localhost:80:80", V4);
        refused("10.1:80:80", V4);
        refused(":80:80", V4);
        refused("::1:80:80", BRACKETS);
        refused("fd77::1:5353:53/udp", BRACKETS);
        refused("[127.0.0.1]:80:80", V6);
        refused("[]:80:80", V6);
        refused("[::1%lo]:80:80", V6);
        refused("[::1]80:80", SYNTAX);
        refused("[::1:80:80", SYNTAX);
        refused("[::1]:80", SYNTAX);
        refused("[::1]:1:2:3", SYNTAX);
        refused("127.0.0.1:8443", SYNTAX);
}

TEST(test_canonical) {
        canonical("8080:80", "8080:80/tcp");
        canonical("127.0.0.1:8443:443/tcp", "127.0.0.1:8443:443/tcp");
        canonical("5353:53/udp", "5353:53/udp");
        canonical("9000-9009:9000-9009", "9000-9009:9000-9009/tcp");
        canonical("[::1]:5353:53/udp", "[::1]:5353:53/udp");
        canonical("[0:0::1]:5353:53/udp", "[::1]:5353:53/udp");
        canonical("00080:080", "80:80/tcp");
        canonical("7-7:8-8", "7:8/tcp");
        canonical("[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65534-65535:65534-65535/udp",
                  "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe]:65534-65535:65534-65535/udp");
}

TEST(test_conflict) {
        PortSpec a = parse_ok("8080:80"), b = parse_ok("127.0.0.1:8080:81"), c = parse_ok("8080:80/udp"),
                 d = parse_ok("8000-8080:8000-8080"), e = parse_ok("8081:80"),
                 f = parse_ok("127.0.0.2:8080:80"), g = parse_ok("[::1]:8080:80"),
                 h = parse_ok("0.0.0.0:8080:80"), i = parse_ok("[::]:8080:80");

        ASSERT(port_spec_conflict(&a, &b));  /* every address includes 127.0.0.1 */
        ASSERT(!port_spec_conflict(&a, &c)); /* tcp and udp are apart */
        ASSERT(port_spec_conflict(&a, &d));  /* 8080 is in both */
        ASSERT(!port_spec_conflict(&a, &e));
        ASSERT(!port_spec_conflict(&b, &f)); /* two loopback addresses */
        ASSERT(!port_spec_conflict(&b, &g)); /* two families */
        ASSERT(port_spec_conflict(&a, &g));
        ASSERT(port_spec_conflict(&f, &h)); /* 0.0.0.0 includes 127.0.0.2 */
        ASSERT(!port_spec_conflict(&h, &i));
        ASSERT(port_spec_conflict(&g, &i));
        ASSERT(port_spec_conflict(&b, &b));
}
