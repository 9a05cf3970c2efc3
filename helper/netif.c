/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's side of its network namespace, configured from inside it over
 * rtnetlink (lib/netlink.c): loopback up; in veth mode the peer the sidecar moved in is
 * renamed eth0, given its MTU and address, brought up, and the default route set. */

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "helper.h"
#include "in-addr.h"
#include "netlink.h"

#define CONTAINER_IFNAME "eth0"

int netif_setup(Container *c, Failure *f) {
        _cleanup_netlink_free_ Netlink *nl = NULL;
        const Config *config;
        int r, lo, ifindex;

        assert(c && c->config);
        config = c->config;

        /* Only a namespace of our own is ours to configure; with "host" (or the net
         * namespace turned off) the interfaces are the host's. */
        if (!config->namespaces.net || config->network.mode == NETWORK_HOST)
                return 0;

        r = netlink_open(&nl);
        if (r < 0)
                return failf(f, -r, "Failed to open a netlink socket");

        lo = (int)if_nametoindex("lo");
        if (lo == 0)
                return failf(f, errno, "Failed to find the loopback interface");
        r = link_change(nl, lo, &(LinkChange){.state = LINK_STATE_UP});
        if (r < 0)
                return failf(f, r, "Failed to bring up the loopback interface");

        if (isempty(c->ifname))
                return 0; /* "none": loopback only */

        InAddr addr = {}, gw = {};
        unsigned prefix = 0;
        if (!isempty(c->address) && in_addr_prefix_parse(c->address, &addr, &prefix) < 0)
                return failf(f, EINVAL, "Failed to configure %s: invalid address '%s'", CONTAINER_IFNAME,
                             c->address);
        if (!isempty(c->gateway) && in_addr_parse(c->gateway, &gw) < 0)
                return failf(f, EINVAL, "Failed to configure %s: invalid gateway '%s'", CONTAINER_IFNAME,
                             c->gateway);

        ifindex = (int)if_nametoindex(c->ifname);
        if (ifindex == 0)
                return failf(f, errno, "Failed to find interface '%s' in the container's network namespace",
                             c->ifname);

        /* Rename and MTU in one message; the link is still down (a moved veth arrives
         * down, and older kernels rename only a link that is down). */
        r = link_change(nl, ifindex, &(LinkChange){.name = CONTAINER_IFNAME, .mtu = c->mtu});
        if (r < 0)
                return failf(f, r, "Failed to rename '%s' to %s (mtu %" PRIu32 ")", c->ifname,
                             CONTAINER_IFNAME, c->mtu);

        if (addr.family != 0) {
                r = address_add(nl, ifindex, addr.family, addr.bytes, prefix);
                if (r < 0)
                        return failf(f, r, "Failed to add address %s to %s", c->address, CONTAINER_IFNAME);
        }

        r = link_change(nl, ifindex, &(LinkChange){.state = LINK_STATE_UP});
        if (r < 0)
                return failf(f, r, "Failed to bring up %s", CONTAINER_IFNAME);

        /* The route needs the link up (and for IPv4 the address's subnet to reach the
         * gateway), hence last. */
        if (gw.family != 0) {
                r = route_add_default(nl, ifindex, gw.family, gw.bytes);
                if (r < 0)
                        return failf(f, r, "Failed to add the default route via %s on %s", c->gateway,
                                     CONTAINER_IFNAME);
        }
        return 0;
}
