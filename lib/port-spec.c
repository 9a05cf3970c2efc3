/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "parse-util.h"
#include "port-spec.h"

#define SYNTAX "write [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp], e.g. \"8080:80\""

static int refuse(const char **ret_reason, const char *reason) {
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

/* One port: 1–5 digits, 1–65535. */
static int port_parse(const char *s, size_t l, uint16_t *ret) {
        uint64_t v;
        int r;

        if (l > 5)
                return -EINVAL;
        r = decimal_parse(s, l, 65535, &v);
        if (r < 0)
                return r;
        if (v == 0)
                return -ERANGE;
        *ret = (uint16_t)v;
        return 0;
}

/* "N" or "N-M" in s[0..l). */
static int range_parse(const char *s, size_t l, uint16_t *ret_first, uint16_t *ret_last,
                       const char **ret_reason) {
        const char *dash = memchr(s, '-', l);
        uint16_t first = 0, last = 0;
        int r;

        r = port_parse(s, dash ? (size_t)(dash - s) : l, &first);
        if (r >= 0 && dash)
                r = port_parse(dash + 1, l - (size_t)(dash - s) - 1, &last);
        else
                last = first;
        if (r == -ERANGE)
                return refuse(ret_reason, "ports are numbers from 1 to 65535");
        if (r < 0)
                return refuse(ret_reason, SYNTAX);
        if (first > last)
                return refuse(ret_reason, "a port range goes from low to high, e.g. \"9000-9009\"");
        *ret_first = first;
        *ret_last = last;
        return 0;
}

int port_spec_parse(const char *s, PortSpec *ret, const char **ret_reason) {
        PortSpec p = {.protocol = IPPROTO_TCP};
        const char *ports, *colon, *slash, *end;
        int r;

        if (!s || !*s)
                return refuse(ret_reason, SYNTAX);

        /* The protocol: after the last '/', which no address or port contains. */
        slash = strrchr(s, '/');
        end = slash ?: s + strlen(s);
        if (slash) {
                if (strcmp(slash + 1, "tcp") == 0)
                        p.protocol = IPPROTO_TCP;
                else if (strcmp(slash + 1, "udp") == 0)
                        p.protocol = IPPROTO_UDP;
                else
                        return refuse(ret_reason, "the protocol is \"/tcp\" or \"/udp\"");
        }

        /* The host address: in brackets for IPv6, else whatever precedes two more
         * colons. */
        ports = s;
        if (*s == '[') {
                char buf[INET6_ADDRSTRLEN];
                const char *close = memchr(s, ']', (size_t)(end - s));
                size_t l;

                if (!close || close[1] != ':')
                        return refuse(ret_reason, SYNTAX);
                l = (size_t)(close - s - 1);
                if (l == 0 || l >= sizeof(buf))
                        return refuse(ret_reason, "the host address in brackets is not an IPv6 address");
                memcpy(buf, s + 1, l);
                buf[l] = 0;
                if (in_addr_parse(buf, &p.host_address) < 0 || p.host_address.family != AF_INET6)
                        return refuse(ret_reason, "the host address in brackets is not an IPv6 address");
                ports = close + 2;
        } else {
                size_t colons = 0;

                for (const char *c = s; c < end; c++)
                        colons += *c == ':';
                if (colons > 2)
                        return refuse(ret_reason,
                                      "an IPv6 host address goes in brackets, e.g. \"[::1]:5353:53/udp\"");
                if (colons == 2) {
                        char buf[INET_ADDRSTRLEN];
                        size_t l = (size_t)(strchr(s, ':') - s);
                        bool ok = l > 0 && l < sizeof(buf);

                        if (ok) {
                                memcpy(buf, s, l);
                                buf[l] = 0;
                                ok = in_addr_parse(buf, &p.host_address) >= 0 &&
                                     p.host_address.family == AF_INET;
                        }
                        if (!ok)
                                return refuse(ret_reason, "the host address is not an IPv4 address (an IPv6 "
                                                          "address goes in brackets, e.g. "
                                                          "\"[::1]:5353:53/udp\")");
                        ports = s + l + 1;
                }
        }

        colon = memchr(ports, ':', (size_t)(end - ports));
        if (!colon)
                return refuse(ret_reason, SYNTAX);
        r = range_parse(ports, (size_t)(colon - ports), &p.host_port_first, &p.host_port_last, ret_reason);
        if (r < 0)
                return r;
        r = range_parse(colon + 1, (size_t)(end - colon - 1), &p.container_port_first,
                        &p.container_port_last, ret_reason);
        if (r < 0)
                return r;
        if (p.host_port_last - p.host_port_first != p.container_port_last - p.container_port_first)
                return refuse(ret_reason,
                              "the host and the container port ranges must have the same length");

        if (ret)
                *ret = p;
        return 0;
}

static int range_format(char *buf, size_t size, uint16_t first, uint16_t last) {
        if (first == last)
                return snprintf(buf, size, "%u", (unsigned)first);
        return snprintf(buf, size, "%u-%u", (unsigned)first, (unsigned)last);
}

const char *port_spec_to_string(const PortSpec *p, char buf[static PORT_SPEC_STRING_MAX]) {
        char a[INET6_ADDRSTRLEN];
        size_t k = 0;

        buf[0] = 0;
        if (p->host_address.family == AF_INET)
                k = (size_t)snprintf(buf, PORT_SPEC_STRING_MAX,
                                     "%s:", in_addr_to_string(&p->host_address, a));
        else if (p->host_address.family == AF_INET6)
                k = (size_t)snprintf(buf, PORT_SPEC_STRING_MAX,
                                     "[%s]:", in_addr_to_string(&p->host_address, a));
        k += (size_t)range_format(buf + k, PORT_SPEC_STRING_MAX - k, p->host_port_first, p->host_port_last);
        buf[k++] = ':';
        k += (size_t)range_format(buf + k, PORT_SPEC_STRING_MAX - k, p->container_port_first,
                                  p->container_port_last);
        snprintf(buf + k, PORT_SPEC_STRING_MAX - k, "/%s", p->protocol == IPPROTO_UDP ? "udp" : "tcp");
        return buf;
}

bool port_spec_conflict(const PortSpec *a, const PortSpec *b) {
        if (a->protocol != b->protocol)
                return false;
        if (a->host_port_last < b->host_port_first || b->host_port_last < a->host_port_first)
                return false;
        if (a->host_address.family == 0 || b->host_address.family == 0)
                return true;
        if (a->host_address.family != b->host_address.family)
                return false;
        return in_addr_is_any(&a->host_address) || in_addr_is_any(&b->host_address) ||
               in_addr_equal(&a->host_address, &b->host_address);
}
