/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "failpoint.h"
#include "log.h"
#include "manager.h"

/* Every refusal, whatever its reason, is this one error: a caller must not learn
 * whether a pid exists, which unit it is in, or which check failed. */
static int reply_refused(sd_bus_error *error) {
        return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Access denied");
}

/* Runs the authorization for NAME; 1 when the call may go on, else the refusal has
 * been set in 'error' (or a negative errno for allocation failures). */
static int authorize(sd_bus_message *msg, const char *name, Caller *ret, sd_bus_error *error) {
        Caller c = {};
        int r;

        r = caller_get(msg, &c);
        if (r == -EACCES)
                return reply_refused(error);
        if (r < 0)
                return r;
        if (name) {
                r = caller_may_act_for(&c, name);
                if (r < 0) {
                        caller_done(&c);
                        return r == -EACCES ? reply_refused(error) : r;
                }
        }
        *ret = c;
        return 1;
}

/* Changes the state through 'mutate' and makes it durable, or leaves it unchanged. */
typedef int (*StateMutation)(Manager *m, void *userdata, bool *ret_changed);

/* A failed save is answered with its own error: a full disk is no "pool exhausted". */
static int state_transaction(Manager *m, StateMutation mutate, void *userdata, sd_bus_error *error) {
        State saved = {};
        bool changed = false;
        int r;

        r = state_copy(&m->state, &saved);
        if (r < 0)
                return r;
        r = mutate(m, userdata, &changed);
        failpoint("sidecar:after-alloc");
        if (r >= 0 && changed) {
                int k = manager_save_state(m);
                if (k < 0)
                        r = sd_bus_error_set_errnof(error, k, "Failed to save the state to %s/%s: %m",
                                                    m->state_dir, SIDECAR_STATE_FILE);
        }
        if (r < 0) {
                state_done(&m->state);
                m->state = saved;
        } else
                state_done(&saved);
        return r;
}

typedef struct RangeRequest {
        const char *name;
        uint32_t size, base, ret_size;
} RangeRequest;

/* A stored range stays NAME's for good (moving it would change the owner of every file
 * the container wrote), even when something else claimed ids in it since: that is said
 * in the log at each start (and by "nscontain status"), never fixed silently. Only the
 * cheap sources here; a start should not scan every process. */
static void range_report_conflict(Manager *m, const char *name, uint32_t base, uint32_t size) {
        IdSet foreign = {};
        const UidRange *u;

        if (idset_add_foreign(&foreign, &m->state, false) < 0) {
                idset_done(&foreign);
                return;
        }
        u = uid_range_list_overlap(&foreign.foreign, base, base + (size - 1));
        if (u)
                log_warning("The range 0x%08" PRIx32 "+%" PRIu32 " of %s overlaps %" PRIu32 "-%" PRIu32
                            " of %s: both may own the same files and processes; give the other tool a "
                            "range outside it",
                            base, size, name, u->first, u->last, u->what);
        idset_done(&foreign);
}

/* The host's users and groups and the ranges of other tools (/etc/subuid, systemd-nspawn,
 * running user namespaces), read anew once the last reading is older than this. A
 * reading is a snapshot whatever its age (another tool may take a range right after
 * it); the ranges we hand out meanwhile are in the state, which every allocation checks
 * too. 500 containers started at once each read /proc for every process before. */
#define FOREIGN_IDS_MAX_AGE_USEC (1000ULL * 1000ULL)

static int manager_foreign_ids(Manager *m, const IdSet **ret) {
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        IdSet ids = {};
        int r;

        if (m->foreign_ids_usec == 0 || now - m->foreign_ids_usec >= FOREIGN_IDS_MAX_AGE_USEC) {
                r = host_ids_collect(&ids);
                if (r < 0)
                        return log_error_errno(r, "Failed to enumerate the host's users and groups: %m");
                r = idset_add_foreign(&ids, &m->state, true);
                if (r < 0) {
                        idset_done(&ids);
                        return log_error_errno(r, "Failed to read the uid ranges of other tools: %m");
                }
                idset_done(&m->foreign_ids);
                m->foreign_ids = ids;
                m->foreign_ids_usec = now;
        }
        *ret = &m->foreign_ids;
        return 0;
}

static int range_mutation(Manager *m, void *userdata, bool *ret_changed) {
        RangeRequest *q = userdata;
        const IdSet *host = NULL;
        Entry *e;
        int r;

        /* Only a new or growing range needs the host's users and groups and the ranges of
         * other tools. */
        e = state_find(&m->state, q->name);
        if (!e || e->uid_size < MAX(q->size, SIDECAR_RANGE_ALIGN)) {
                r = manager_foreign_ids(m, &host);
                if (r < 0)
                        return r;
        }
        r = uid_range_acquire(&m->state, q->name, q->size, host, &q->base, &q->ret_size, ret_changed);
        if (r >= 0 && e)
                range_report_conflict(m, q->name, q->base, q->ret_size);
        return r;
}

static int method_acquire_user_range(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(caller_done) Caller c = {};
        RangeRequest q = {};
        const char *name;
        uint32_t size;
        int r;

        r = sd_bus_message_read(msg, SIDECAR_SIGNATURE_ACQUIRE_IN, &name, &size);
        if (r < 0)
                return r;
        r = authorize(msg, name, &c, error);
        if (r <= 0)
                return r;
        r = arg_check_name(name, error) ?: arg_check_range_size(size, error);
        if (r < 0)
                return r;

        q = (RangeRequest){.name = name, .size = size};
        r = state_transaction(m, range_mutation, &q, error);
        if (r < 0 && sd_bus_error_is_set(error))
                return r;
        if (r == -ENOSPC)
                return sd_bus_error_setf(error, SIDECAR_ERROR_NO_SPACE,
                                         "No free uid range of %" PRIu32 " left",
                                         size ?: SIDECAR_RANGE_ALIGN);
        if (r == -EBUSY)
                return sd_bus_error_setf(error, SIDECAR_ERROR_CANNOT_GROW,
                                         "The range of '%s' is smaller than %" PRIu32
                                         " and the ids after it are taken",
                                         name, size);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to allocate a uid range for '%s': %m",
                                               name);

        log_info("Range 0x%08" PRIx32 "+%" PRIu32 " for %s.", q.base, q.ret_size, name);
        return sd_bus_reply_method_return(msg, "uu", q.base, q.ret_size);
}

/* The bridge, made with the pool's gateway address when it is ours and missing. Once
 * that was done for a bridge, a later call that finds it under the same ifindex and up
 * skips the address (a round trip): a bridge that was removed and made again has a new
 * ifindex and is checked again. */
static int bridge_ensure(Manager *m, const char *bridge, LinkInfo *ret, sd_bus_error *error) {
        bool ours = streq(bridge, m->settings.bridge);
        LinkInfo b = {};
        int r;

        r = link_get(m->netlink, bridge, &b);
        if (r >= 0 && b.ifindex == m->bridge_ready_ifindex && streq(b.kind, "bridge") &&
            (b.flags & IFF_UP)) {
                *ret = b;
                return 1;
        }
        if (r == -ENODEV && ours) {
                r = bridge_create(m->netlink, bridge, m->settings.mtu);
                if (r < 0 && r != -EEXIST)
                        return sd_bus_error_set_errnof(error, r, "Failed to create bridge '%s': %m", bridge);
                r = link_get(m->netlink, bridge, &b);
                if (r >= 0) {
                        r = link_change(m->netlink, b.ifindex, &(LinkChange){.alias = BRIDGE_ALIAS});
                        if (r >= 0)
                                strcpy(b.alias, BRIDGE_ALIAS);
                }
                log_info("Created bridge %s.", bridge);
        }
        if (r == -ENODEV)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Bridge '%s' does not exist (only '%s' is created on demand)",
                                         bridge, m->settings.bridge);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to look up bridge '%s': %m", bridge);
        if (!streq(b.kind, "bridge"))
                return sd_bus_error_setf(error, SIDECAR_ERROR_NOT_A_BRIDGE, "Interface '%s' is not a bridge",
                                         bridge);

        if (streq(b.alias, BRIDGE_ALIAS)) {
                /* REPLACE makes this idempotent; it also repairs a removed address. */
                uint32_t gw = htonl(pool_gateway(&m->settings.pool));
                InAddr gw6 = pool6_address(&m->settings.pool6, 1);

                r = address_add(m->netlink, b.ifindex, AF_INET, &gw, m->settings.pool.prefixlen);
                if (r >= 0)
                        r = address_add(m->netlink, b.ifindex, AF_INET6, gw6.bytes,
                                        m->settings.pool6.prefixlen);
                if (r < 0)
                        return sd_bus_error_set_errnof(
                                error, r, "Failed to add the gateway address to '%s': %m", bridge);
        }
        if (!(b.flags & IFF_UP)) {
                r = link_change(m->netlink, b.ifindex, &(LinkChange){.state = LINK_STATE_UP});
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to bring up bridge '%s': %m",
                                                       bridge);
                b.flags |= IFF_UP;
        }
        /* Only the settings' bridge: one we did not make may change behind our back. */
        if (ours)
                m->bridge_ready_ifindex = b.ifindex;
        *ret = b;
        return 1;
}

typedef struct AddressRequest {
        Manager *m;
        const char *name;
        const NetworkOptions *options;
        uint32_t address;
        unsigned prefixlen;
        bool ipv6;
        InAddr address6;
} AddressRequest;

static bool name_is_active(const char *name, void *userdata) {
        const AddressRequest *q = userdata;
        LinkInfo l;
        /* When we cannot tell, it counts as active: its address is not taken away. */
        return manager_find_veth(q->m, name, &l, NULL) != 0;
}

static int address_mutation(Manager *m, void *userdata, bool *ret_changed) {
        AddressRequest *q = userdata;
        bool changed6 = false;
        int r;

        if (q->options->address)
                r = pool_claim(&m->state, q->name, q->address, name_is_active, q, ret_changed);
        else {
                q->prefixlen = m->settings.pool.prefixlen;
                r = pool_acquire(&m->state, &m->settings.pool, q->name, name_is_active, q, &q->address,
                                 ret_changed);
        }
        if (r < 0 || !q->ipv6)
                return r;
        if (q->options->address6) {
                q->address6 = q->options->address6_value;
                r = pool6_claim(&m->state, &m->settings.pool6, q->name, &q->address6, name_is_active, q,
                                &changed6);
        } else
                r = pool6_acquire(&m->state, &m->settings.pool6, q->name, name_is_active, q, &q->address6,
                                  &changed6);
        if (changed6)
                *ret_changed = true;
        return r;
}

/* Outbound NAT and the published ports of a container on the sidecar's own bridge (on
 * another bridge the administrator routes). */
/* The host ports of the options, port by port and family by family: a spec without a
 * host address is published on both families (IPv6 when the container has it). */
static int published_ports(const NetworkOptions *o, bool ipv6, PublishedPort **ret, size_t *ret_n) {
        PublishedPort *ports = NULL;
        size_t n = 0;

        for (size_t i = 0; i < o->n_publish; i++)
                n += 2 * port_spec_count(&o->publish[i]);
        if (n > 0) {
                ports = calloc(n, sizeof(PublishedPort));
                if (!ports)
                        return -ENOMEM;
        }
        n = 0;
        for (size_t i = 0; i < o->n_publish; i++) {
                const PortSpec *p = &o->publish[i];

                for (int family = AF_INET; family != 0; family = family == AF_INET ? AF_INET6 : 0) {
                        if ((family == AF_INET6 && !ipv6) ||
                            (p->host_address.family != 0 && p->host_address.family != family))
                                continue;
                        for (unsigned k = 0; k < port_spec_count(p); k++)
                                ports[n++] = (PublishedPort){
                                        .family = family,
                                        .protocol = p->protocol,
                                        .host_address = p->host_address,
                                        .host_port = (uint16_t)(p->host_port_first + k),
                                        .container_port = (uint16_t)(p->container_port_first + k),
                                };
                }
        }
        *ret = ports;
        *ret_n = n;
        return 0;
}

/* A host port of another container: refused naming it while it runs (its veth is up);
 * the elements of one that is not running (killed, before any reconcile) are removed. */
static int ports_check_free(Manager *m, const char *name, const PublishedPort *ports, size_t n_ports,
                            sd_bus_error *error) {
        for (size_t i = 0; i < n_ports; i++) {
                const char *holder;

                while ((holder = firewall_port_holder(m->firewall, name, &ports[i]))) {
                        char a[INET6_ADDRSTRLEN + 2] = "", b[INET6_ADDRSTRLEN];
                        const InAddr *h = &ports[i].host_address;
                        LinkInfo l;

                        if (manager_find_veth(m, holder, &l, NULL) == 0) {
                                log_info("Removed the nftables elements of %s, which is not running.",
                                         holder);
                                (void)firewall_remove_container(m->firewall, holder);
                                continue;
                        }
                        /* "8080/tcp", "127.0.0.1:8080/tcp", "[::]:8080/tcp": as the spec
                         * names it; a spec without an address clashes in IPv4 first. */
                        if (h->family == AF_INET)
                                snprintf(a, sizeof(a), "%s", in_addr_to_string(h, b));
                        else if (h->family == AF_INET6)
                                snprintf(a, sizeof(a), "[%s]", in_addr_to_string(h, b));
                        return sd_bus_error_setf(
                                error, SIDECAR_ERROR_PORT_IN_USE,
                                "Host port %s%s%u/%s is published by the running container '%s'", a,
                                a[0] ? ":" : "", ports[i].host_port,
                                ports[i].protocol == IPPROTO_UDP ? "udp" : "tcp", holder);
                }
        }
        return 0;
}

/* The uplinks' forwarding is looked at most this often (forwarding.c). */
#define UPLINKS_MAX_AGE_USEC (1000ULL * 1000ULL)

static int network_nat_setup(Manager *m, const char *name, const NetworkOptions *o, uint32_t address,
                             const InAddr *address6, const PublishedPort *ports, size_t n_ports,
                             sd_bus_error *error) {
        _cleanup_free_ char *message = NULL;
        int r;

        if (!streq(o->bridge, m->settings.bridge)) {
                if (firewall_is_ready(m->firewall))
                        (void)firewall_remove_container(m->firewall, name);
                return 0;
        }
        r = manager_firewall_ready(m);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to set up the nftables table %s %s: %m",
                                               FIREWALL_FAMILY, FIREWALL_TABLE);
        uint64_t now = now_usec(CLOCK_MONOTONIC);
        bool uplinks = m->uplinks_usec == 0 || now - m->uplinks_usec >= UPLINKS_MAX_AGE_USEC;
        r = forwarding_enable(o->bridge, uplinks);
        if (r >= 0 && address6)
                r = forwarding6_enable(o->bridge, uplinks);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to enable forwarding on %s: %m", o->bridge);
        /* Both families looked at: a call without IPv6 does not count. */
        if (uplinks && address6)
                m->uplinks_usec = now;
        r = firewall_set_container(m->firewall, name, address, address6, ports, n_ports, &message);
        if (r < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_FAILED,
                                         "Failed to add the nftables elements of '%s': %s", name,
                                         message ?: strerror(-r));
        return 0;
}

/* SetupNetworkEx's answer, a{sv}. */
static int reply_setup_ex(sd_bus_message *msg, const char *ifname, const char *address, const char *gateway,
                          uint32_t mtu, const char *address6, const char *gateway6) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_append(reply, "a{sv}", 6, SIDECAR_REPLY_HOST_IFNAME, "s", ifname,
                                  SIDECAR_REPLY_ADDRESS, "s", address, SIDECAR_REPLY_GATEWAY, "s", gateway,
                                  SIDECAR_REPLY_MTU, "u", mtu, SIDECAR_REPLY_ADDRESS6, "s", address6,
                                  SIDECAR_REPLY_GATEWAY6, "s", gateway6);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int setup_network(sd_bus_message *msg, Manager *m, bool ex, sd_bus_error *error) {
        _cleanup_(caller_done) Caller c = {};
        _cleanup_close_ int netns = -EBADF;
        _cleanup_(network_options_done) NetworkOptions o = {};
        _cleanup_free_ PublishedPort *ports = NULL;
        size_t n_ports = 0;
        AddressRequest q = {};
        LinkInfo bridge = {}, host = {}, old = {};
        char ifname[IFNAMSIZ] = "", alias[STRLEN(VETH_ALIAS_PREFIX) + CONFIG_NAME_MAX + 1];
        char address[INET_ADDRSTRLEN + 4], gateway[INET_ADDRSTRLEN] = "";
        char address6[INET6_ADDRSTRLEN + 4] = "", gateway6[INET6_ADDRSTRLEN] = "";
        const char *name;
        uint32_t mtu;
        int pidfd, r;

        r = sd_bus_message_read(msg, "sh", &name, &pidfd);
        if (r < 0)
                return r;
        r = authorize(msg, name, &c, error);
        if (r <= 0)
                return r;
        r = caller_pidfd_netns(&c, pidfd, &netns);
        if (r == -EACCES)
                return reply_refused(error);
        if (r < 0)
                return r;
        r = arg_check_name(name, error);
        if (r < 0)
                return r;
        r = network_options_parse(msg, &m->settings, &o, error);
        if (r < 0)
                return r;

        if (!ex && (o.ipv6 >= 0 || o.address6))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Options '%s' and '%s' are SetupNetworkEx's", SIDECAR_OPTION_IPV6,
                                         SIDECAR_OPTION_ADDRESS6);
        q = (AddressRequest){.m = m, .name = name, .options = &o, .ipv6 = ex && o.ipv6 != 0};
        if (!q.ipv6 && o.address6)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Option 'address6' needs 'ipv6' to be true");
        for (size_t i = 0; i < o.n_publish && !q.ipv6; i++)
                if (o.publish[i].host_address.family == AF_INET6)
                        return sd_bus_error_set(
                                error, SD_BUS_ERROR_INVALID_ARGS,
                                "Option 'publish': an IPv6 host address needs 'ipv6' to be true");
        if (o.address) {
                q.address = o.address_value;
                q.prefixlen = o.prefixlen;
        }

        /* Links are looked up by name, never listed: the call costs the same with 10 or
         * 500 containers (bench/sidecar/nat-scale). Veths queued for deletion have been
         * renamed (link_retire()): their names are free. */
        r = bridge_ensure(m, o.bridge, &bridge, error);
        if (r <= 0)
                return r;

        if (o.n_publish > 0) {
                if (!streq(o.bridge, m->settings.bridge))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Ports are published only from the bridge %s, not %s",
                                                 m->settings.bridge, o.bridge);
                r = manager_firewall_ready(m);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r,
                                                       "Failed to set up the nftables table %s %s: %m",
                                                       FIREWALL_FAMILY, FIREWALL_TABLE);
                r = published_ports(&o, q.ipv6, &ports, &n_ports);
                if (r < 0)
                        return r;
                r = ports_check_free(m, name, ports, n_ports, error);
                if (r < 0)
                        return r;
        }

        /* A veth left from an earlier run of this container (its helper was killed):
         * its peer's namespace is gone or about to be, replace it. */
        r = manager_find_veth(m, name, &old, ifname);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to look up the interfaces of '%s': %m",
                                               name);
        if (r > 0) {
                ifname[0] = 0; /* its name is free now, and may come first */
                r = link_delete(m->netlink, old.ifindex);
                if (r < 0 && r != -ENODEV)
                        return sd_bus_error_set_errnof(error, r, "Failed to remove the old interface %s: %m",
                                                       old.name);
                log_info("Removed %s, left over from an earlier start of %s.", old.name, name);
        }

        r = state_transaction(m, address_mutation, &q, error);
        if (r < 0 && sd_bus_error_is_set(error))
                return r;
        if (r == -EADDRINUSE)
                return sd_bus_error_setf(error, SIDECAR_ERROR_ADDRESS_IN_USE,
                                         "Address %s is in use by another running container", o.address);
        if (r == -ENOSPC)
                return sd_bus_error_setf(error, SIDECAR_ERROR_NO_SPACE, "The address pool is exhausted");
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to lease an address for '%s': %m", name);

        /* The first free one of NAME's interface names: another container may hold one
         * (a clash of the hash for long names). Known already when the lookup above
         * found one free (no second round trip for the same name). */
        for (unsigned attempt = 0; attempt < VETH_IFNAME_ATTEMPTS && !ifname[0]; attempt++) {
                LinkInfo l;

                veth_host_ifname(name, attempt, ifname);
                r = link_get(m->netlink, ifname, &l);
                if (r >= 0)
                        ifname[0] = 0; /* taken */
                else if (r != -ENODEV)
                        return sd_bus_error_set_errnof(error, r, "Failed to look up %s: %m", ifname);
        }
        if (!ifname[0])
                return sd_bus_error_setf(error, SIDECAR_ERROR_NO_SPACE, "No free interface name for '%s'",
                                         name);

        mtu = o.mtu ?: m->settings.mtu ?: bridge.mtu;
        r = veth_create(m->netlink, ifname, SIDECAR_PEER_IFNAME, netns, mtu, bridge.ifindex, &host.ifindex);
        /* A released veth waits for its deletion under another name (link_retire()), but
         * its peer keeps its name: in a network namespace used for a second time, the
         * peer's name is free only once the deletions are done. */
        if (r == -EEXIST && m->reaper && link_reaper_wait(m->reaper))
                r = veth_create(m->netlink, ifname, SIDECAR_PEER_IFNAME, netns, mtu, bridge.ifindex,
                                &host.ifindex);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r,
                                               "Failed to create veth %s on bridge %s for '%s': %m", ifname,
                                               o.bridge, name);
        failpoint("sidecar:after-veth-create");

        /* The kernel ignores an alias given at creation. Until it is set, reconcile
         * knows the pair as an interrupted setup by its "nsc-" name. */
        snprintf(alias, sizeof(alias), VETH_ALIAS_PREFIX "%s", name);
        r = link_change(m->netlink, host.ifindex, &(LinkChange){.alias = alias});
        if (r < 0) {
                (void)link_delete(m->netlink, host.ifindex);
                return sd_bus_error_set_errnof(error, r, "Failed to label %s: %m", ifname);
        }

        r = network_nat_setup(m, name, &o, q.address, q.ipv6 ? &q.address6 : NULL, ports, n_ports, error);
        if (r < 0) {
                (void)link_delete(m->netlink, host.ifindex);
                return r;
        }

        ipv4_format(q.address, address);
        snprintf(address + strlen(address), sizeof(address) - strlen(address), "/%u", q.prefixlen);
        if (o.gateway)
                ipv4_format(o.gateway_value, gateway);
        else if (streq(o.bridge, m->settings.bridge) && pool_contains(&m->settings.pool, q.address))
                ipv4_format(pool_gateway(&m->settings.pool), gateway);

        if (q.ipv6) {
                char a6[INET6_ADDRSTRLEN];
                InAddr gw6 = pool6_address(&m->settings.pool6, 1);

                snprintf(address6, sizeof(address6), "%s/%u", in_addr_to_string(&q.address6, a6),
                         m->settings.pool6.prefixlen);
                if (streq(o.bridge, m->settings.bridge))
                        in_addr_to_string(&gw6, gateway6);
        }

        log_info("Network of %s: %s on %s, %s via %s%s%s%s%s, mtu %" PRIu32 ".", name, ifname, o.bridge,
                 address, gateway[0] ? gateway : "(none)", address6[0] ? ", " : "", address6,
                 address6[0] ? " via " : "", address6[0] ? (gateway6[0] ? gateway6 : "(none)") : "", mtu);
        if (ex)
                return reply_setup_ex(msg, ifname, address, gateway, mtu, address6, gateway6);
        return sd_bus_reply_method_return(msg, SIDECAR_SIGNATURE_SETUP_OUT, ifname, address, gateway, mtu);
}

static int method_setup_network(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return setup_network(msg, userdata, false, error);
}

static int method_setup_network_ex(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return setup_network(msg, userdata, true, error);
}

static int method_release_network(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        Manager *m = userdata;
        _cleanup_(caller_done) Caller c = {};
        LinkInfo l;
        const char *name;
        int r;

        r = sd_bus_message_read(msg, SIDECAR_SIGNATURE_RELEASE_IN, &name);
        if (r < 0)
                return r;
        r = authorize(msg, name, &c, error);
        if (r <= 0)
                return r;
        r = arg_check_name(name, error);
        if (r < 0)
                return r;

        /* Releasing what is not there is success: the helper releases on every stop. The
         * deletion itself happens in the reaper thread: from now on no method sees it. */
        if (firewall_is_ready(m->firewall) && firewall_remove_container(m->firewall, name) > 0)
                log_info("Removed the nftables elements of %s.", name);
        r = manager_find_veth(m, name, &l, NULL);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to look up the interfaces of '%s': %m",
                                               name);
        if (r > 0) {
                r = manager_delete_link_later(m, &l);
                if (r < 0)
                        return sd_bus_error_set_errnof(error, r, "Failed to remove %s: %m", l.name);
                log_info("Released %s, the network of %s.", l.name, name);
        }
        return sd_bus_reply_method_return(msg, NULL);
}

static int entry_ptr_cmp(const void *a, const void *b) {
        return strcmp((*(const Entry *const *)a)->name, (*(const Entry *const *)b)->name);
}

/* ListContainers: (suss) for each NAME; ListContainersEx: NAME with what the sidecar
 * holds of it, a{sv}. */
static int append_entry(sd_bus_message *reply, Manager *m, const Entry *e, const LinkInfo *l) {
        char a[INET_ADDRSTRLEN + 4] = "";

        if (e->address != 0) {
                ipv4_format(e->address, a);
                if (pool_contains(&m->settings.pool, e->address))
                        snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%u", m->settings.pool.prefixlen);
        }
        return sd_bus_message_append(reply, SIDECAR_SIGNATURE_LIST_ENTRY, e->name,
                                     e->uid_size ? e->uid_base : 0, a, l ? l->name : "");
}

static int append_entry_ex(sd_bus_message *reply, Manager *m, const Entry *e, const LinkInfo *l) {
        char a[INET_ADDRSTRLEN + 4], a6[INET6_ADDRSTRLEN + 4];
        int r;

        r = sd_bus_message_open_container(reply, 'r', "sa{sv}");
        if (r >= 0)
                r = sd_bus_message_append(reply, "s", e->name);
        if (r >= 0)
                r = sd_bus_message_open_container(reply, 'a', "{sv}");
        if (r >= 0 && e->uid_size != 0)
                r = sd_bus_message_append(reply, "{sv}{sv}", SIDECAR_LIST_UID_BASE, "u", e->uid_base,
                                          SIDECAR_LIST_UID_SIZE, "u", e->uid_size);
        if (r >= 0 && e->address != 0) {
                ipv4_format(e->address, a);
                if (pool_contains(&m->settings.pool, e->address))
                        snprintf(a + strlen(a), sizeof(a) - strlen(a), "/%u", m->settings.pool.prefixlen);
                r = sd_bus_message_append(reply, "{sv}", SIDECAR_LIST_ADDRESS, "s", a);
        }
        if (r >= 0 && e->address6.family != 0) {
                in_addr_to_string(&e->address6, a6);
                if (pool6_offset(&m->settings.pool6, &e->address6, NULL))
                        snprintf(a6 + strlen(a6), sizeof(a6) - strlen(a6), "/%u",
                                 m->settings.pool6.prefixlen);
                r = sd_bus_message_append(reply, "{sv}", SIDECAR_LIST_ADDRESS6, "s", a6);
        }
        if (r >= 0 && l)
                r = sd_bus_message_append(reply, "{sv}", SIDECAR_LIST_HOST_IFNAME, "s", l->name);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        if (r >= 0)
                r = sd_bus_message_close_container(reply);
        return r;
}

static int list_containers(sd_bus_message *msg, Manager *m, bool ex, sd_bus_error *error) {
        _cleanup_(caller_done) Caller c = {};
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ LinkInfo *links = NULL;
        _cleanup_free_ const Entry **sorted = NULL;
        size_t n = 0;
        int r;

        r = authorize(msg, NULL, &c, error);
        if (r <= 0)
                return r;
        r = link_dump(m->netlink, &links, &n);
        if (r < 0)
                return sd_bus_error_set_errnof(error, r, "Failed to list network interfaces: %m");
        links_drop_pending(m->reaper, links, &n);

        r = sd_bus_message_new_method_return(msg, &reply);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(
                reply, 'a', ex ? SIDECAR_SIGNATURE_LIST_EX_ENTRY : SIDECAR_SIGNATURE_LIST_ENTRY);
        if (r < 0)
                return r;
        /* Sorted by NAME, like the state file. */
        sorted = calloc(m->state.n_entries + 1, sizeof(Entry *));
        if (!sorted)
                return -ENOMEM;
        for (size_t i = 0; i < m->state.n_entries; i++)
                sorted[i] = &m->state.entries[i];
        qsort(sorted, m->state.n_entries, sizeof(Entry *), entry_ptr_cmp);
        for (size_t i = 0; i < m->state.n_entries; i++) {
                const Entry *e = sorted[i];
                const LinkInfo *l = links_find_veth(links, n, e->name);

                if (entry_is_empty(e) && !l)
                        continue;
                r = ex ? append_entry_ex(reply, m, e, l) : append_entry(reply, m, e, l);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(reply);
        if (r < 0)
                return r;
        return sd_bus_send(NULL, reply, NULL);
}

static int method_list_containers(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return list_containers(msg, userdata, false, error);
}

static int method_list_containers_ex(sd_bus_message *msg, void *userdata, sd_bus_error *error) {
        return list_containers(msg, userdata, true, error);
}

const sd_bus_vtable sidecar_vtable[] = {
        SD_BUS_VTABLE_START(0),
        /* UNPRIVILEGED: sd-bus's own CAP_SYS_ADMIN check would answer differently from
         * ours; authorize() does every check. */
        SD_BUS_METHOD_WITH_NAMES(SIDECAR_METHOD_ACQUIRE_USER_RANGE, SIDECAR_SIGNATURE_ACQUIRE_IN,
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(size), SIDECAR_SIGNATURE_ACQUIRE_OUT,
                                 SD_BUS_PARAM(base) SD_BUS_PARAM(size), method_acquire_user_range,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES(
                SIDECAR_METHOD_SETUP_NETWORK, SIDECAR_SIGNATURE_SETUP_IN,
                SD_BUS_PARAM(name) SD_BUS_PARAM(pidfd) SD_BUS_PARAM(options), SIDECAR_SIGNATURE_SETUP_OUT,
                SD_BUS_PARAM(host_ifname) SD_BUS_PARAM(address) SD_BUS_PARAM(gateway) SD_BUS_PARAM(mtu),
                method_setup_network, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES(SIDECAR_METHOD_SETUP_NETWORK_EX, SIDECAR_SIGNATURE_SETUP_IN,
                                 SD_BUS_PARAM(name) SD_BUS_PARAM(pidfd) SD_BUS_PARAM(options),
                                 SIDECAR_SIGNATURE_SETUP_EX_OUT, SD_BUS_PARAM(network),
                                 method_setup_network_ex, SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES(SIDECAR_METHOD_RELEASE_NETWORK, SIDECAR_SIGNATURE_RELEASE_IN,
                                 SD_BUS_PARAM(name), "", , method_release_network,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES(SIDECAR_METHOD_LIST_CONTAINERS, "", , SIDECAR_SIGNATURE_LIST_OUT,
                                 SD_BUS_PARAM(containers), method_list_containers,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_METHOD_WITH_NAMES(SIDECAR_METHOD_LIST_CONTAINERS_EX, "", , SIDECAR_SIGNATURE_LIST_EX_OUT,
                                 SD_BUS_PARAM(containers), method_list_containers_ex,
                                 SD_BUS_VTABLE_UNPRIVILEGED),
        SD_BUS_VTABLE_END,
};
