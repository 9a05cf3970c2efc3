/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's side of its network namespace, configured from inside it over
 * rtnetlink (lib/netlink.c): loopback up; in veth mode the peer the sidecar moved in is
 * renamed eth0, given its MTU and addresses (IPv4, and IPv6 when the sidecar leased one),
 * brought up, and the default routes set. And
 * in every private network namespace, unprivileged ping (net.ipv4.ping_group_range). */

#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs-util.h"
#include "helper.h"
#include "in-addr.h"
#include "mount-api.h"
#include "netlink.h"

#define CONTAINER_IFNAME "eth0"

/* ICMP echo without CAP_NET_RAW (ICMP datagram sockets) for every gid of the container,
 * as docker and podman do with "0 2147483647". In a user namespace only its mapped gids
 * can be named, which are all the container has. The sysctl belongs to the network
 * namespace of the writer (ours); it is written as the config's "sysctl" keys are
 * (sysctl.c: a procfs instance of our own, docs/SECURITY.md row 16). */
static int ping_group_range_set(const Container *c, Failure *f) {
        _cleanup_close_ int mnt_fd = -EBADF;
        char value[32];
        uint32_t last_gid = c->config->namespaces.user && c->uid_size > 0 ? c->uid_size - 1 : INT32_MAX;
        int r;

        /* procfs of our own needs a pid namespace of our own (mount.c binds the host's
         * /proc without one): there the host's range applies. */
        if (!c->config->namespaces.pid)
                return 0;
        r = procfs_instance("net.ipv4.ping_group_range", &mnt_fd, f);
        if (r < 0)
                return r;
        snprintf(value, sizeof(value), "0 %" PRIu32, last_gid);
        return proc_sys_write(mnt_fd, "net.ipv4.ping_group_range", value, f);
}

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
        r = ping_group_range_set(c, f);
        if (r < 0)
                return r;

        if (isempty(c->ifname))
                return 0; /* "none": loopback only */

        InAddr addr = {}, gw = {}, addr6 = {}, gw6 = {};
        unsigned prefix = 0, prefix6 = 0;
        if (!isempty(c->address) && in_addr_prefix_parse(c->address, &addr, &prefix) < 0)
                return failf(f, EINVAL, "Failed to configure %s: invalid address '%s'", CONTAINER_IFNAME,
                             c->address);
        if (!isempty(c->gateway) && in_addr_parse(c->gateway, &gw) < 0)
                return failf(f, EINVAL, "Failed to configure %s: invalid gateway '%s'", CONTAINER_IFNAME,
                             c->gateway);
        if (!isempty(c->address6) && in_addr_prefix_parse(c->address6, &addr6, &prefix6) < 0)
                return failf(f, EINVAL, "Failed to configure %s: invalid address '%s'", CONTAINER_IFNAME,
                             c->address6);
        if (!isempty(c->gateway6) && in_addr_parse(c->gateway6, &gw6) < 0)
                return failf(f, EINVAL, "Failed to configure %s: invalid gateway '%s'", CONTAINER_IFNAME,
                             c->gateway6);

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
        /* Without duplicate address detection (lib/netlink.h): usable at once. */
        if (addr6.family != 0) {
                r = address_add(nl, ifindex, addr6.family, addr6.bytes, prefix6);
                if (r < 0)
                        return failf(f, r, "Failed to add address %s to %s", c->address6, CONTAINER_IFNAME);
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
        if (gw6.family != 0) {
                r = route_add_default(nl, ifindex, gw6.family, gw6.bytes);
                if (r < 0)
                        return failf(f, r, "Failed to add the default route via %s on %s", c->gateway6,
                                     CONTAINER_IFNAME);
        }
        return 0;
}
