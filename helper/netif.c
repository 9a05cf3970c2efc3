/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's side of its network namespace, configured from inside it over
 * rtnetlink (libmnl): loopback up; in veth mode the peer the sidecar moved in is
 * renamed eth0, given its MTU and address, brought up, and the default route set. */

#include <arpa/inet.h>
#include <inttypes.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "helper.h"

#define CONTAINER_IFNAME "eth0"
/* Our requests are small and the answers are ACKs: a page-sized buffer is plenty
 * (MNL_SOCKET_BUFFER_SIZE is a sysconf() call, i.e. a VLA). */
#define RTNL_BUF_SIZE 8192

static void mnl_socket_closep(struct mnl_socket **nl) {
        if (*nl)
                mnl_socket_close(*nl);
}

/* Sends one request and waits for its ACK; returns the kernel's -errno. */
static int rtnl_call(struct mnl_socket *nl, struct nlmsghdr *nlh) {
        char buf[RTNL_BUF_SIZE];
        uint32_t portid = mnl_socket_get_portid(nl);
        ssize_t n;

        nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = (uint32_t)time(NULL) ^ nlh->nlmsg_type;

        if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
                return negative_errno();

        for (;;) {
                n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                /* mnl_cb_run() turns NLMSG_ERROR into -1 with errno set, and an ACK
                 * (error 0) into MNL_CB_STOP. */
                int r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, NULL, NULL);
                if (r < 0)
                        return negative_errno();
                if (r == MNL_CB_STOP)
                        return 0;
        }
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, int ifindex, struct ifinfomsg **ret_ifi) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = type;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        *ret_ifi = ifi;
        return nlh;
}

static int link_set_up(struct mnl_socket *nl, int ifindex) {
        char buf[RTNL_BUF_SIZE];
        struct ifinfomsg *ifi;
        struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, ifindex, &ifi);

        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
        return rtnl_call(nl, nlh);
}

/* Rename and MTU in one message; the link is still down (a moved veth arrives down,
 * and only a down link may be renamed). */
static int link_set_name_mtu(struct mnl_socket *nl, int ifindex, const char *name, uint32_t mtu) {
        char buf[RTNL_BUF_SIZE];
        struct ifinfomsg *ifi;
        struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, ifindex, &ifi);

        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (mtu > 0)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        return rtnl_call(nl, nlh);
}

typedef struct InAddr {
        int family;
        unsigned char bytes[16];
        size_t size;
} InAddr;

static int parse_addr(const char *s, InAddr *ret) {
        if (inet_pton(AF_INET, s, ret->bytes) == 1) {
                ret->family = AF_INET;
                ret->size = 4;
                return 0;
        }
        if (inet_pton(AF_INET6, s, ret->bytes) == 1) {
                ret->family = AF_INET6;
                ret->size = 16;
                return 0;
        }
        return -EINVAL;
}

/* "10.77.0.5/16" → address and prefix length. */
static int parse_cidr(const char *s, InAddr *ret, unsigned *ret_prefix) {
        char a[INET6_ADDRSTRLEN];
        const char *slash = strchr(s, '/');
        unsigned long prefix;
        char *end;

        if (!slash || (size_t)(slash - s) >= sizeof(a))
                return -EINVAL;
        memcpy(a, s, (size_t)(slash - s));
        a[slash - s] = 0;
        if (parse_addr(a, ret) < 0)
                return -EINVAL;
        errno = 0;
        prefix = strtoul(slash + 1, &end, 10);
        if (errno != 0 || end == slash + 1 || *end != 0 || prefix > ret->size * 8)
                return -EINVAL;
        *ret_prefix = (unsigned)prefix;
        return 0;
}

static int addr_add(struct mnl_socket *nl, int ifindex, const InAddr *a, unsigned prefix) {
        char buf[RTNL_BUF_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifaddrmsg *ifa;

        nlh->nlmsg_type = RTM_NEWADDR;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (unsigned char)a->family;
        ifa->ifa_prefixlen = (unsigned char)prefix;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = (unsigned)ifindex;
        mnl_attr_put(nlh, IFA_LOCAL, a->size, a->bytes);
        mnl_attr_put(nlh, IFA_ADDRESS, a->size, a->bytes);
        return rtnl_call(nl, nlh);
}

static int route_add_default(struct mnl_socket *nl, int ifindex, const InAddr *gw) {
        char buf[RTNL_BUF_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct rtmsg *rtm;

        nlh->nlmsg_type = RTM_NEWROUTE;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = (unsigned char)gw->family;
        rtm->rtm_dst_len = 0; /* default */
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        mnl_attr_put(nlh, RTA_GATEWAY, gw->size, gw->bytes);
        mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
        return rtnl_call(nl, nlh);
}

int netif_setup(Container *c, Failure *f) {
        __attribute__((cleanup(mnl_socket_closep))) struct mnl_socket *nl = NULL;
        const Config *config;
        int r, lo, ifindex;

        assert(c && c->config);
        config = c->config;

        /* Only a namespace of our own is ours to configure; with "host" (or the net
         * namespace turned off) the interfaces are the host's. */
        if (!config->namespaces.net || config->network.mode == NETWORK_HOST)
                return 0;

        nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl)
                return failf(f, errno, "Failed to open a netlink socket");
        if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
                return failf(f, errno, "Failed to bind the netlink socket");

        lo = (int)if_nametoindex("lo");
        if (lo == 0)
                return failf(f, errno, "Failed to find the loopback interface");
        r = link_set_up(nl, lo);
        if (r < 0)
                return failf(f, r, "Failed to bring up the loopback interface");

        if (isempty(c->ifname))
                return 0; /* "none": loopback only */

        InAddr addr = {}, gw = {};
        unsigned prefix = 0;
        if (!isempty(c->address) && parse_cidr(c->address, &addr, &prefix) < 0)
                return failf(f, EINVAL, "Failed to configure %s: invalid address '%s'", CONTAINER_IFNAME,
                             c->address);
        if (!isempty(c->gateway) && parse_addr(c->gateway, &gw) < 0)
                return failf(f, EINVAL, "Failed to configure %s: invalid gateway '%s'", CONTAINER_IFNAME,
                             c->gateway);

        ifindex = (int)if_nametoindex(c->ifname);
        if (ifindex == 0)
                return failf(f, errno, "Failed to find interface '%s' in the container's network namespace",
                             c->ifname);

        r = link_set_name_mtu(nl, ifindex, CONTAINER_IFNAME, c->mtu);
        if (r < 0)
                return failf(f, r, "Failed to rename '%s' to %s (mtu %" PRIu32 ")", c->ifname,
                             CONTAINER_IFNAME, c->mtu);

        if (addr.family != 0) {
                r = addr_add(nl, ifindex, &addr, prefix);
                if (r < 0)
                        return failf(f, r, "Failed to add address %s to %s", c->address, CONTAINER_IFNAME);
        }

        r = link_set_up(nl, ifindex);
        if (r < 0)
                return failf(f, r, "Failed to bring up %s", CONTAINER_IFNAME);

        /* The route needs the link up (and for IPv4 the address's subnet to reach the
         * gateway), hence last. */
        if (gw.family != 0) {
                r = route_add_default(nl, ifindex, &gw);
                if (r < 0)
                        return failf(f, r, "Failed to add the default route via %s on %s", c->gateway,
                                     CONTAINER_IFNAME);
        }
        return 0;
}
