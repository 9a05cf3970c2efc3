/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one rtnetlink layer (libmnl) of the project: the helper's child configures its
 * own namespace with it (loopback, eth0, address, default route: helper/netif.c) and
 * the sidecar builds the host side (bridge, veth pairs with the peer created in the
 * container's namespace: sidecar/bus.c, sidecar/reconcile.c).
 *
 * Every function returns >= 0 on success or the kernel's -errno; nothing here logs. */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"

typedef struct Netlink Netlink;

typedef struct LinkInfo {
        int ifindex;
        char name[IFNAMSIZ];
        char kind[32];   /* IFLA_INFO_KIND: "bridge", "veth", … or "" */
        char alias[256]; /* IFLA_IFALIAS or "" */
        uint32_t mtu;
        int master; /* 0: none */
        unsigned flags;
} LinkInfo;

/* What link_change() changes; zero/NULL fields stay as they are. */
typedef enum LinkState {
        LINK_STATE_KEEP,
        LINK_STATE_UP,
        LINK_STATE_DOWN,
} LinkState;

typedef struct LinkChange {
        const char *name;  /* a new name (older kernels rename only links that are down: -EBUSY) */
        const char *alias; /* "" removes the alias */
        int master;
        uint32_t mtu;
        LinkState state;
} LinkChange;

int netlink_open(Netlink **ret);
Netlink *netlink_free(Netlink *nl);
DEFINE_TRIVIAL_CLEANUP_FUNC(Netlink *, netlink_free);
#define _cleanup_netlink_free_ _cleanup_(netlink_freep)

/* -ENODEV when there is no such link. */
int link_get(Netlink *nl, const char *name, LinkInfo *ret);
int link_dump(Netlink *nl, LinkInfo **ret, size_t *ret_n);
int link_change(Netlink *nl, int ifindex, const LinkChange *c);
int link_delete(Netlink *nl, int ifindex);
int bridge_create(Netlink *nl, const char *name, uint32_t mtu);
/* A veth pair: 'host' here, attached to 'master' (0: none) and up, 'peer' created
 * directly in the namespace of netns_fd. The host side's ifindex in *ret_ifindex. */
int veth_create(Netlink *nl, const char *host, const char *peer, int netns_fd, uint32_t mtu, int master,
                int *ret_ifindex);

/* Adds (or replaces) an address: family AF_INET or AF_INET6, 'address' 4 or 16 bytes
 * in network byte order. IPv4 addresses get their subnet's broadcast address. */
/* IPv6 addresses are added without duplicate address detection (IFA_F_NODAD). */
int address_add(Netlink *nl, int ifindex, int family, const void *address, unsigned prefixlen);
/* The default route of 'family' via 'gateway' on ifindex (-EEXIST when there is one). */
int route_add_default(Netlink *nl, int ifindex, int family, const void *gateway);
