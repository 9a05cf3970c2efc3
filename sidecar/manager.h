/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The daemon's one object and the parts of it that talk to the bus and the kernel. */

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "args.h"
#include "firewall.h"
#include "sidecar.h"

#define SIDECAR_IDLE_USEC_DEFAULT (30ULL * 1000000ULL)
#define BRIDGE_ALIAS              "nscontain bridge"

/* reaper.c: veth deletions off the event loop (see there). */
typedef struct LinkReaper LinkReaper;
int link_reaper_new(LinkReaper **ret);
LinkReaper *link_reaper_free(LinkReaper *r);
int link_reaper_queue(LinkReaper *r, const LinkInfo *l);
bool link_reaper_pending(LinkReaper *r, int ifindex);
/* Until every queued deletion is done; false when there was none. */
bool link_reaper_wait(LinkReaper *r);
void links_drop_pending(LinkReaper *r, LinkInfo *links, size_t *n);

typedef struct Manager {
        sd_event *event;
        sd_bus *bus;
        Netlink *netlink;
        LinkReaper *reaper;
        /* The nft table: made ready at start (reconcile) or at the first SetupNetwork. */
        Firewall *firewall;
        /* The bridge we made sure of (exists, up, gateway address): later calls that
         * find it under the same ifindex in their link dump skip the checks. */
        int bridge_ready_ifindex;

        Settings settings;
        const char *settings_path;
        const char *state_dir;
        int state_dir_fd;
        State state;

        /* The host's users and groups and the ranges of other tools, as a new range
         * needs them (bus.c, manager_foreign_ids()): read at most every
         * FOREIGN_IDS_MAX_AGE_USEC, so that a burst of first starts reads /proc once,
         * not once per container. 0: never read. */
        IdSet foreign_ids;
        uint64_t foreign_ids_usec;
        /* When the interfaces holding a default route last got forwarding (bus.c). */
        uint64_t uplinks_usec;

        uint64_t idle_usec; /* 0: never exit when idle */
        bool reconcile;
} Manager;

extern const sd_bus_vtable sidecar_vtable[];

/* main.c */
int manager_save_state(Manager *m);

/* reconcile.c: deletes l in the reaper thread, or here when it cannot take more. On
 * success l has lost its name and alias at once (link_retire()), the deletion may
 * still be under way. */
int manager_delete_link_later(Manager *m, const LinkInfo *l);
/* reconcile.c: takes a veth out of the way before its (slow) deletion: renamed to
 * "nsc-~IFINDEX", which frees its name for the next start of its container, and
 * without an alias, so that nothing knows it as the network of a container any more.
 * Should we die before the deletion, reconcile removes it as an interrupted setup. */
int link_retire(Netlink *nl, int ifindex);
/* forwarding.c: forwarding on the bridge and (uplinks) on the interfaces holding a
 * default route, route_localnet off on the bridge; logs. */
int forwarding_enable(const char *bridge, bool uplinks);
/* forwarding.c: IPv6 forwarding for the bridge (force_forwarding, or before Linux 6.17
 * the global switch with accept_ra kept working) and (uplinks) the interfaces holding
 * an IPv6 default route; logs. */
int forwarding6_enable(const char *bridge, bool uplinks);
/* reconcile.c: the firewall's table written and its elements read; logs. */
int manager_firewall_ready(Manager *m);
/* reconcile.c: removes host veths and nft elements of containers that are not running. */
int manager_reconcile(Manager *m);
/* reconcile.c: NAME's host veth, looked up by its possible names (no listing of every
 * link): 1 and *ret when there is one, 0 when not. ret_free (IFNAMSIZ, may be NULL):
 * the first of NAME's names that was free, "" when none was looked up free. */
int manager_find_veth(Manager *m, const char *name, LinkInfo *ret, char *ret_free);
/* Whether the links hold a host veth for NAME; its entry in *ret when non-NULL. */
const LinkInfo *links_find_veth(const LinkInfo *links, size_t n, const char *name);
