/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "manager.h"
#include "strv.h"
#include "unit-name.h"

const LinkInfo *links_find_veth(const LinkInfo *links, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(links[i].kind, "veth") &&
                    strncmp(links[i].alias, VETH_ALIAS_PREFIX, STRLEN(VETH_ALIAS_PREFIX)) == 0 &&
                    streq(links[i].alias + STRLEN(VETH_ALIAS_PREFIX), name))
                        return &links[i];
        return NULL;
}

int link_retire(Netlink *nl, int ifindex) {
        char name[IFNAMSIZ];
        int r;

        assert(nl && ifindex > 0);

        /* "nsc-~N": '~' is in no NAME, so no container's interface can ever want it. */
        snprintf(name, sizeof(name), VETH_IFNAME_PREFIX "~%d", ifindex);
        r = link_change(nl, ifindex, &(LinkChange){.name = name, .alias = ""});
        if (r != -EBUSY)
                return r;

        /* Older kernels rename only links that are down (EBUSY). */
        r = link_change(nl, ifindex, &(LinkChange){.state = LINK_STATE_DOWN});
        if (r < 0)
                return r;
        return link_change(nl, ifindex, &(LinkChange){.name = name, .alias = ""});
}

int manager_find_veth(Manager *m, const char *name, LinkInfo *ret, char *ret_free) {
        unsigned misses = 0;

        if (ret_free)
                ret_free[0] = 0;

        /* A new veth takes the first free one of NAME's names (bus.c), so NAME's is among
         * the first; a name freed since may leave a gap: two free names in a row end the
         * search. */
        for (unsigned attempt = 0; attempt < VETH_IFNAME_ATTEMPTS && misses < 2; attempt++) {
                char ifname[IFNAMSIZ];
                LinkInfo l;
                int r;

                veth_host_ifname(name, attempt, ifname);
                r = link_get(m->netlink, ifname, &l);
                if (r == -ENODEV) {
                        if (ret_free && !ret_free[0])
                                strcpy(ret_free, ifname);
                        misses++;
                        continue;
                }
                if (r < 0)
                        return r;
                misses = 0;
                if (links_find_veth(&l, 1, name) &&
                    !(m->reaper && link_reaper_pending(m->reaper, l.ifindex))) {
                        *ret = l;
                        return 1;
                }
        }
        return 0;
}

int manager_delete_link_later(Manager *m, const LinkInfo *l) {
        int r;

        /* A deletion takes the kernel 20 ms and more, and deletions queue up behind
         * each other: a container that starts again before the reaper got to its old
         * veth must neither wait for it nor find its name taken. When it cannot be
         * renamed, it is deleted here and now. */
        if (m->reaper) {
                r = link_retire(m->netlink, l->ifindex);
                if (r == -ENODEV)
                        return 0;
                if (r >= 0 && link_reaper_queue(m->reaper, l) >= 0)
                        return 0;
                if (r < 0)
                        log_debug_errno(r, "Failed to rename %s before its deletion: %m", l->name);
        }
        r = link_delete(m->netlink, l->ifindex);
        return r == -ENODEV ? 0 : r;
}

/* 1: running (or on its way up or down), 0: not running, <0: cannot tell. */
static int container_is_running(Manager *m, const char *name) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *unit = NULL, *path = NULL, *state = NULL;
        int r;

        r = container_unit_name(name, &unit);
        if (r < 0)
                return r;
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &path);
        if (r < 0)
                return r;
        /* Reading a property of the unit's object loads the unit if needed, so a unit
         * systemd has never heard of simply reads "inactive". */
        r = sd_bus_get_property_string(m->bus, "org.freedesktop.systemd1", path,
                                       "org.freedesktop.systemd1.Unit", "ActiveState", &error, &state);
        if (r < 0) {
                log_warning("Cannot get the state of %s, keeping its network: %s", unit,
                            error.message ?: strerror(-r));
                return r;
        }
        return streq(state, "active") || streq(state, "activating") || streq(state, "reloading") ||
               streq(state, "deactivating");
}

int manager_firewall_ready(Manager *m) {
        _cleanup_free_ char *error = NULL;
        int r;

        if (firewall_is_ready(m->firewall))
                return 0;
        if (!m->firewall) {
                r = firewall_new(&m->firewall);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up libnftables: %m");
        }
        r = firewall_setup(m->firewall, m->settings.bridge, &m->settings.pool, &m->settings.pool6, &error);
        if (r < 0)
                return log_error_errno(
                        r, "Failed to set up the nftables table " FIREWALL_FAMILY " " FIREWALL_TABLE ": %s",
                        error ?: strerror(-r));
        return 0;
}

static void reconcile_firewall(Manager *m) {
        _cleanup_free_ const char **names = NULL;
        _cleanup_strv_free_ char **stale = NULL;

        if (manager_firewall_ready(m) < 0 || firewall_names(m->firewall, &names) < 0)
                return;
        /* Collected first: removing changes what 'names' points into. */
        for (size_t i = 0; names[i]; i++)
                if (container_is_running(m, names[i]) == 0 && strv_extend(&stale, names[i]) < 0)
                        return (void)log_oom();
        for (size_t i = 0; stale && stale[i]; i++)
                if (firewall_remove_container(m->firewall, stale[i]) > 0)
                        log_info("Removed the nftables elements of %s, which is not running.", stale[i]);
}

int manager_reconcile(Manager *m) {
        _cleanup_free_ LinkInfo *links = NULL;
        size_t n = 0;
        int r;

        r = link_dump(m->netlink, &links, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to list network interfaces: %m");

        for (size_t i = 0; i < n; i++) {
                const LinkInfo *l = &links[i];
                const char *name;

                if (!streq(l->kind, "veth"))
                        continue;
                if (isempty(l->alias)) {
                        /* Ours but never finished: we died between creating the pair and
                         * labelling it. Nobody can be using it. */
                        if (strncmp(l->name, VETH_IFNAME_PREFIX, STRLEN(VETH_IFNAME_PREFIX)) != 0)
                                continue;
                        name = NULL;
                } else if (strncmp(l->alias, VETH_ALIAS_PREFIX, STRLEN(VETH_ALIAS_PREFIX)) == 0) {
                        name = l->alias + STRLEN(VETH_ALIAS_PREFIX);
                        r = container_is_running(m, name);
                        if (r != 0)
                                continue;
                } else
                        continue;

                r = link_delete(m->netlink, l->ifindex);
                if (r < 0 && r != -ENODEV)
                        log_warning_errno(r, "Failed to remove stale interface %s: %m", l->name);
                else
                        log_info("Removed %s, the network of %s, which is not running.", l->name,
                                 name ?: "an interrupted setup");
        }
        reconcile_firewall(m);
        return 0;
}
