/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netlink.h"

/* Large enough for a dump batch of many links with all their attributes. */
#define NL_BUFFER_SIZE 32768
/* Requests are small: a few attributes. */
#define NL_REQUEST_SIZE 4096

struct Netlink {
        struct mnl_socket *sock;
        unsigned portid;
        unsigned seq;
        char buf[NL_BUFFER_SIZE];
};

int netlink_open(Netlink **ret) {
        Netlink *nl;

        assert(ret);
        nl = calloc(1, sizeof(Netlink));
        if (!nl)
                return -ENOMEM;
        nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
                int r = negative_errno();
                netlink_free(nl);
                return r;
        }
        nl->portid = mnl_socket_get_portid(nl->sock);
        *ret = nl;
        return 0;
}

Netlink *netlink_free(Netlink *nl) {
        if (!nl)
                return NULL;
        if (nl->sock)
                mnl_socket_close(nl->sock);
        free(nl);
        return NULL;
}

/* Sends one request and runs 'cb' on every answer until the ACK or NLMSG_DONE. The
 * request is built in its own buffer, the answers are read into nl->buf.
 *
 * Answers that belong to an earlier request (another sequence number) are dropped:
 * a call that gave up half-way (a callback error in the middle of a dump) leaves the
 * rest of its answer in the socket, and that must not poison every later call.
 * mnl_cb_run() turns NLMSG_ERROR into MNL_CB_ERROR with errno set, and an ACK (error
 * 0) or NLMSG_DONE into MNL_CB_STOP. */
static int nl_call(Netlink *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *userdata) {
        bool interrupted = false;
        unsigned seq;

        nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = seq = ++nl->seq;

        if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
                return negative_errno();
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
                int left;

                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                left = (int)n;
                for (const struct nlmsghdr *h = (const struct nlmsghdr *)nl->buf; mnl_nlmsg_ok(h, left);
                     h = mnl_nlmsg_next(h, &left)) {
                        int r;

                        if (h->nlmsg_seq != seq)
                                continue;
                        /* A dump that changed under us (NLM_F_DUMP_INTR, which libmnl
                         * turns into EINTR) is read to its end before we say so: the
                         * kernel refuses a new dump on a socket with one running (EBUSY). */
                        if (interrupted) {
                                if (h->nlmsg_type == NLMSG_DONE || h->nlmsg_type == NLMSG_ERROR)
                                        return -EINTR;
                                continue;
                        }
                        r = mnl_cb_run(h, h->nlmsg_len, seq, nl->portid, cb, userdata);
                        if (r == MNL_CB_ERROR && errno == EINTR && (h->nlmsg_flags & NLM_F_DUMP_INTR)) {
                                if (h->nlmsg_type == NLMSG_DONE)
                                        return -EINTR;
                                interrupted = true;
                                continue;
                        }
                        if (r == MNL_CB_ERROR)
                                return negative_errno();
                        if (r == MNL_CB_STOP)
                                return 0;
                }
        }
}

static int link_attr_cb(const struct nlattr *attr, void *data) {
        const struct nlattr **tb = data;
        int type = mnl_attr_get_type(attr);

        if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
                return MNL_CB_OK;
        tb[type] = attr;
        return MNL_CB_OK;
}

static int linkinfo_attr_cb(const struct nlattr *attr, void *data) {
        const struct nlattr **tb = data;
        int type = mnl_attr_get_type(attr);

        if (mnl_attr_type_valid(attr, IFLA_INFO_MAX) < 0)
                return MNL_CB_OK;
        tb[type] = attr;
        return MNL_CB_OK;
}

static void copy_attr_string(const struct nlattr *a, char *buf, size_t size) {
        size_t l = mnl_attr_get_payload_len(a);
        const char *s = mnl_attr_get_payload(a);

        l = strnlen(s, l);
        if (l >= size)
                l = size - 1;
        memcpy(buf, s, l);
        buf[l] = 0;
}

static int link_parse(const struct nlmsghdr *nlh, LinkInfo *ret) {
        const struct nlattr *tb[IFLA_MAX + 1] = {};
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

        if (nlh->nlmsg_type != RTM_NEWLINK)
                return -EBADMSG;
        if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, tb) < 0)
                return -EBADMSG;

        *ret = (LinkInfo){.ifindex = ifi->ifi_index, .flags = ifi->ifi_flags};
        if (tb[IFLA_IFNAME])
                copy_attr_string(tb[IFLA_IFNAME], ret->name, sizeof(ret->name));
        if (tb[IFLA_IFALIAS])
                copy_attr_string(tb[IFLA_IFALIAS], ret->alias, sizeof(ret->alias));
        if (tb[IFLA_MTU] && mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) >= 0)
                ret->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
        if (tb[IFLA_MASTER] && mnl_attr_validate(tb[IFLA_MASTER], MNL_TYPE_U32) >= 0)
                ret->master = (int)mnl_attr_get_u32(tb[IFLA_MASTER]);
        if (tb[IFLA_LINKINFO]) {
                const struct nlattr *ti[IFLA_INFO_MAX + 1] = {};
                if (mnl_attr_parse_nested(tb[IFLA_LINKINFO], linkinfo_attr_cb, ti) >= 0 &&
                    ti[IFLA_INFO_KIND])
                        copy_attr_string(ti[IFLA_INFO_KIND], ret->kind, sizeof(ret->kind));
        }
        return 0;
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data) {
        return link_parse(nlh, data) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int ifindex) {
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = type;
        nlh->nlmsg_flags = flags;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        return nlh;
}

int link_get(Netlink *nl, const char *name, LinkInfo *ret) {
        char buf[NL_REQUEST_SIZE];
        struct nlmsghdr *nlh;
        LinkInfo info = {};
        int r;

        assert(nl && name && ret);
        if (name[0] == 0 || strlen(name) >= IFNAMSIZ)
                return -EINVAL;

        nlh = link_msg(buf, RTM_GETLINK, 0, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        r = nl_call(nl, nlh, link_get_cb, &info);
        if (r < 0)
                return r;
        if (info.ifindex <= 0)
                return -ENODEV;
        *ret = info;
        return 0;
}

typedef struct DumpData {
        LinkInfo *links;
        size_t n;
        int error;
} DumpData;

static int link_dump_cb(const struct nlmsghdr *nlh, void *data) {
        DumpData *d = data;
        LinkInfo *n;

        n = reallocarray(d->links, d->n + 1, sizeof(LinkInfo));
        if (!n) {
                d->error = -ENOMEM;
                return MNL_CB_OK;
        }
        d->links = n;
        if (link_parse(nlh, &d->links[d->n]) >= 0)
                d->n++;
        return MNL_CB_OK;
}

int link_dump(Netlink *nl, LinkInfo **ret, size_t *ret_n) {
        char buf[NL_REQUEST_SIZE];
        struct nlmsghdr *nlh;
        DumpData d = {};
        int r;

        assert(nl && ret && ret_n);

        /* A dump that links changed under (NLM_F_DUMP_INTR: another thread deleting a
         * veth) is EINTR from libmnl: start it again. */
        for (unsigned tries = 0;; tries++) {
                nlh = link_msg(buf, RTM_GETLINK, NLM_F_DUMP, 0);
                /* Without the statistics: a third of the size of every answer. */
                mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
                r = nl_call(nl, nlh, link_dump_cb, &d);
                if (r != -EINTR || tries >= 16)
                        break;
                d.n = 0;
        }
        if (r >= 0 && d.error < 0)
                r = d.error;
        if (r < 0) {
                free(d.links);
                return r;
        }
        *ret = d.links;
        *ret_n = d.n;
        return 0;
}

int link_change(Netlink *nl, int ifindex, const LinkChange *c) {
        char buf[NL_REQUEST_SIZE];
        struct nlmsghdr *nlh;
        struct ifinfomsg *ifi;

        assert(nl && ifindex > 0 && c);

        nlh = link_msg(buf, RTM_NEWLINK, 0, ifindex);
        ifi = mnl_nlmsg_get_payload(nlh);
        if (c->state != LINK_STATE_KEEP) {
                ifi->ifi_flags = c->state == LINK_STATE_UP ? IFF_UP : 0;
                ifi->ifi_change = IFF_UP;
        }
        if (c->name)
                mnl_attr_put_strz(nlh, IFLA_IFNAME, c->name);
        if (c->master > 0)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)c->master);
        if (c->alias) {
                if (c->alias[0])
                        mnl_attr_put_strz(nlh, IFLA_IFALIAS, c->alias);
                else
                        mnl_attr_put(nlh, IFLA_IFALIAS, 0, NULL); /* empty: the alias is removed */
        }
        if (c->mtu > 0)
                mnl_attr_put_u32(nlh, IFLA_MTU, c->mtu);
        return nl_call(nl, nlh, NULL, NULL);
}

int link_delete(Netlink *nl, int ifindex) {
        char buf[NL_REQUEST_SIZE];

        assert(nl && ifindex > 0);
        return nl_call(nl, link_msg(buf, RTM_DELLINK, 0, ifindex), NULL, NULL);
}

int bridge_create(Netlink *nl, const char *name, uint32_t mtu) {
        char buf[NL_REQUEST_SIZE];
        struct nlmsghdr *nlh;
        struct nlattr *info;

        assert(nl && name);

        nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
        if (mtu > 0)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(nlh, info);
        return nl_call(nl, nlh, NULL, NULL);
}

typedef struct LinkEcho {
        const char *name;
        int ifindex;
} LinkEcho;

/* The echo of our own request, among whatever else the kernel echoes. */
static int link_echo_cb(const struct nlmsghdr *nlh, void *data) {
        LinkEcho *e = data;
        LinkInfo l;

        if (link_parse(nlh, &l) >= 0 && streq(l.name, e->name) && l.ifindex > 0)
                e->ifindex = l.ifindex;
        return MNL_CB_OK;
}

int veth_create(Netlink *nl, const char *host, const char *peer, int netns_fd, uint32_t mtu, int master,
                int *ret_ifindex) {
        char buf[NL_REQUEST_SIZE];
        struct nlmsghdr *nlh;
        struct nlattr *info, *data, *peer_nest;
        struct ifinfomsg *ifi, *pifi;
        LinkInfo made = {};
        LinkEcho echo;
        int r;

        assert(nl && host && peer && netns_fd >= 0 && ret_ifindex);

        /* One request does it all: create, attach, up (the kernel unregisters the pair
         * again if attaching fails). NLM_F_ECHO: the kernel (6.1 and later) sends us the
         * new link's RTM_NEWLINK, its ifindex, before the ACK; an echo that comes after
         * it carries this request's sequence number, and nl_call() drops it. Without
         * an echo (older kernels) the link is looked up by name. */
        nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL | NLM_F_ECHO, 0);
        ifi = mnl_nlmsg_get_payload(nlh);
        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
        if (mtu > 0)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        if (master > 0)
                mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
        info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
        mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
        data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
        peer_nest = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
        /* VETH_INFO_PEER carries a struct ifinfomsg before the peer's attributes. */
        pifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifi));
        pifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
        /* The peer is born in the container's namespace: its name can never clash
         * with a host interface and it is never visible on the host. */
        mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)netns_fd);
        if (mtu > 0)
                mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
        mnl_attr_nest_end(nlh, peer_nest);
        mnl_attr_nest_end(nlh, data);
        mnl_attr_nest_end(nlh, info);
        echo = (LinkEcho){.name = host};
        r = nl_call(nl, nlh, link_echo_cb, &echo);
        if (r >= 0 && echo.ifindex <= 0) {
                r = link_get(nl, host, &made);
                echo.ifindex = made.ifindex;
        }
        if (r < 0)
                return r;
        *ret_ifindex = echo.ifindex;
        return 0;
}

static int family_size(int family) {
        return family == AF_INET ? 4 : family == AF_INET6 ? 16 : -EAFNOSUPPORT;
}

int address_add(Netlink *nl, int ifindex, int family, const void *address, unsigned prefixlen) {
        char buf[NL_REQUEST_SIZE];
        struct nlmsghdr *nlh;
        struct ifaddrmsg *ifa;
        int size = family_size(family);

        assert(nl && ifindex > 0 && address);
        if (size < 0)
                return size;
        if (prefixlen > (unsigned)size * 8)
                return -EINVAL;

        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_NEWADDR;
        /* REPLACE makes this idempotent (and repairs a changed prefix). */
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_REPLACE;
        ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
        ifa->ifa_family = (unsigned char)family;
        ifa->ifa_prefixlen = (unsigned char)prefixlen;
        ifa->ifa_scope = RT_SCOPE_UNIVERSE;
        ifa->ifa_index = (unsigned)ifindex;
        mnl_attr_put(nlh, IFA_LOCAL, (size_t)size, address);
        mnl_attr_put(nlh, IFA_ADDRESS, (size_t)size, address);
        /* No duplicate address detection: the sidecar leases each address to one
         * container, and a tentative address would be unusable for a second. */
        if (family == AF_INET6)
                mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
        if (family == AF_INET && prefixlen > 0 && prefixlen < 31) {
                uint32_t a;
                memcpy(&a, address, sizeof(a));
                uint32_t b = htonl(ntohl(a) | (UINT32_MAX >> prefixlen));
                mnl_attr_put(nlh, IFA_BROADCAST, sizeof(b), &b);
        }
        return nl_call(nl, nlh, NULL, NULL);
}

int route_add_default(Netlink *nl, int ifindex, int family, const void *gateway) {
        char buf[NL_REQUEST_SIZE];
        struct nlmsghdr *nlh;
        struct rtmsg *rtm;
        int size = family_size(family);

        assert(nl && ifindex > 0 && gateway);
        if (size < 0)
                return size;

        nlh = mnl_nlmsg_put_header(buf);
        nlh->nlmsg_type = RTM_NEWROUTE;
        nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
        rtm->rtm_family = (unsigned char)family;
        rtm->rtm_dst_len = 0; /* default */
        rtm->rtm_table = RT_TABLE_MAIN;
        rtm->rtm_protocol = RTPROT_STATIC;
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
        rtm->rtm_type = RTN_UNICAST;
        mnl_attr_put(nlh, RTA_GATEWAY, (size_t)size, gateway);
        mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
        return nl_call(nl, nlh, NULL, NULL);
}
