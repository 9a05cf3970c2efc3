/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "sidecar-bus.h"

#define ADDRESS_SYNTAX \
        "write \"auto\" or an IPv4 address with a prefix length from 8 to 30, e.g. \"10.77.0.5/16\""
#define GATEWAY_SYNTAX "write \"auto\" or an IPv4 address, e.g. \"10.77.0.1\""
#define IPV6_REFUSED   "an IPv6 address goes in \"address6\"; "
#define ADDRESS6_SYNTAX \
        "write \"auto\" or an IPv6 address of the sidecar's IPv6 pool (Pool6=), e.g. \"fd00:77::5\""

static int refuse(const char **ret_reason, const char *reason) {
        if (ret_reason)
                *ret_reason = reason;
        return -EINVAL;
}

int sidecar_check_address(const char *s, InAddr *ret, unsigned *ret_prefixlen, const char **ret_reason) {
        unsigned prefixlen;
        uint32_t a, host;
        InAddr addr;

        if (in_addr_prefix_parse(s, &addr, &prefixlen) < 0) {
                /* An IPv6 address, with or without its prefix, gets the reason that helps. */
                if (in_addr_parse(s, &addr) >= 0 && addr.family == AF_INET6)
                        return refuse(ret_reason, IPV6_REFUSED ADDRESS_SYNTAX);
                return refuse(ret_reason, ADDRESS_SYNTAX);
        }
        if (addr.family != AF_INET)
                return refuse(ret_reason, IPV6_REFUSED ADDRESS_SYNTAX);
        if (prefixlen < 8 || prefixlen > 30)
                return refuse(ret_reason, "the prefix length must be from 8 to 30");
        a = in_addr_ipv4(&addr);
        host = a & (UINT32_MAX >> prefixlen);
        if (host == 0)
                return refuse(ret_reason, "that is the network address of its subnet, not a host's");
        if (host == UINT32_MAX >> prefixlen)
                return refuse(ret_reason, "that is the broadcast address of its subnet, not a host's");
        if (ret)
                *ret = addr;
        if (ret_prefixlen)
                *ret_prefixlen = prefixlen;
        return 0;
}

int sidecar_check_address6(const char *s, const Pool6 *pool, InAddr *ret, const char **ret_reason,
                           char reason_buf[static SIDECAR_REASON_MAX]) {
        char p[INET6_ADDRSTRLEN + 4];
        unsigned prefixlen = 0;
        uint64_t offset;
        InAddr addr;

        if (in_addr_parse(s, &addr) < 0 && in_addr_prefix_parse(s, &addr, &prefixlen) < 0)
                return refuse(ret_reason, ADDRESS6_SYNTAX);
        if (addr.family != AF_INET6)
                return refuse(ret_reason, "an IPv4 address goes in \"address\"; " ADDRESS6_SYNTAX);
        if (pool) {
                pool6_to_string(pool, p);
                if ((prefixlen != 0 && prefixlen != pool->prefixlen) ||
                    !pool6_offset(pool, &addr, &offset)) {
                        snprintf(reason_buf, SIDECAR_REASON_MAX,
                                 "it is not in the sidecar's IPv6 pool %s (Pool6= in " SIDECAR_SETTINGS_FILE
                                 ")",
                                 p);
                        return refuse(ret_reason, reason_buf);
                }
                if (offset < 2) {
                        snprintf(reason_buf, SIDECAR_REASON_MAX,
                                 "the first two addresses of the IPv6 pool %s are not a container's", p);
                        return refuse(ret_reason, reason_buf);
                }
        }
        if (ret)
                *ret = addr;
        return 0;
}

int sidecar_check_gateway(const char *s, InAddr *ret, const char **ret_reason) {
        InAddr addr;

        if (in_addr_parse(s, &addr) < 0)
                return refuse(ret_reason, GATEWAY_SYNTAX);
        if (addr.family != AF_INET)
                return refuse(ret_reason,
                              "the IPv6 gateway is the bridge's address in the IPv6 pool; " GATEWAY_SYNTAX);
        if (ret)
                *ret = addr;
        return 0;
}

int sidecar_check_mtu(uint32_t mtu, bool allow_default) {
        if (mtu == 0 && allow_default)
                return 0;
        return mtu >= SIDECAR_MTU_MIN && mtu <= SIDECAR_MTU_MAX ? 0 : -ERANGE;
}

int sidecar_check_range_size(uint32_t size) {
        return size == 0 || (size % SIDECAR_RANGE_ALIGN == 0 && size <= SIDECAR_RANGE_SIZE_MAX) ? 0
                                                                                                : -ERANGE;
}

int sidecar_publish_add(PortSpec **list, size_t *n, const char *s, const char **ret_reason) {
        unsigned n_ports;
        PortSpec spec, *l;

        assert(list && n && s);

        if (port_spec_parse(s, &spec, ret_reason) < 0)
                return -EINVAL;
        n_ports = port_spec_count(&spec);
        for (size_t i = 0; i < *n; i++) {
                if (port_spec_conflict(&(*list)[i], &spec))
                        return refuse(ret_reason, "a host port of it is published by an earlier entry too");
                n_ports += port_spec_count(&(*list)[i]);
        }
        if (n_ports > SIDECAR_PUBLISH_PORTS_MAX)
                return refuse(ret_reason, "more than 1024 host ports are published in all");
        l = reallocarray(*list, *n + 1, sizeof(PortSpec));
        if (!l)
                return -ENOMEM;
        l[(*n)++] = spec;
        *list = l;
        return 0;
}
