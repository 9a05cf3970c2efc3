/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <string.h>

#include "log.h"
#include "nscontain.h"
#include "sidecar-bus.h"
#include "strv.h"

#define SYSTEMD_SERVICE "org.freedesktop.systemd1"

void unit_info_done(UnitInfo *i) {
        free(i->id);
        free(i->load_state);
        free(i->active_state);
        free(i->sub_state);
        free(i->result);
        free(i->fragment_path);
        free(i->control_group);
        free(i->description);
        strv_free(i->dropin_paths);
        free(i->freezer_state);
        *i = (UnitInfo){};
}

int bus_open_system(sd_bus **ret) {
        int r = sd_bus_open_system(ret);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        return 0;
}

char *unit_object_path(const char *unit) {
        char *p = NULL;

        if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit, &p) < 0)
                return NULL;
        return p;
}

typedef struct PropertyMap {
        const char *name;
        char type; /* 's', 'u', 't', 'i', 'a' for "as", 'j' for the job id of "(uo)" */
        size_t offset;
} PropertyMap;

static int map_one(sd_bus_message *m, const PropertyMap *p, void *base) {
        void *dst = (uint8_t *)base + p->offset;
        const char *s;
        int r;

        switch (p->type) {
        case 's':
                r = sd_bus_message_read(m, "v", "s", &s);
                if (r < 0)
                        return r;
                free(*(char **)dst);
                *(char **)dst = strdup(s);
                return *(char **)dst ? 0 : -ENOMEM;
        case 'u':
                return sd_bus_message_read(m, "v", "u", (uint32_t *)dst);
        case 't':
                return sd_bus_message_read(m, "v", "t", (uint64_t *)dst);
        case 'i':
                return sd_bus_message_read(m, "v", "i", (int32_t *)dst);
        case 'j': /* "Job": (uo), id 0 when there is none */
                return sd_bus_message_read(m, "v", "(uo)", (uint32_t *)dst, &s);
        case 'a': {
                char **l = NULL;
                r = sd_bus_message_enter_container(m, 'v', "as");
                if (r < 0)
                        return r;
                r = sd_bus_message_read_strv(m, &l);
                if (r < 0)
                        return r;
                strv_free(*(char ***)dst);
                *(char ***)dst = l;
                return sd_bus_message_exit_container(m);
        }
        }
        return -EINVAL;
}

/* GetAll(interface) and copy the properties named in 'map' into 'base'. */
static int bus_map_all(sd_bus *bus, const char *path, const char *interface, const PropertyMap *map,
                       size_t n_map, void *base, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        int r;

        r = sd_bus_call_method(bus, SYSTEMD_SERVICE, path, "org.freedesktop.DBus.Properties", "GetAll",
                               error, &reply, "s", interface);
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const PropertyMap *p = NULL;
                const char *name;

                r = sd_bus_message_read(reply, "s", &name);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n_map && !p; i++)
                        if (streq(map[i].name, name))
                                p = &map[i];
                r = p ? map_one(reply, p, base) : sd_bus_message_skip(reply, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(reply);
}

int unit_info_get(sd_bus *bus, const char *unit, UnitInfo *ret) {
        static const PropertyMap unit_map[] = {
                {"Id", 's', offsetof(UnitInfo, id)},
                {"LoadState", 's', offsetof(UnitInfo, load_state)},
                {"ActiveState", 's', offsetof(UnitInfo, active_state)},
                {"SubState", 's', offsetof(UnitInfo, sub_state)},
                {"FragmentPath", 's', offsetof(UnitInfo, fragment_path)},
                {"Description", 's', offsetof(UnitInfo, description)},
                {"DropInPaths", 'a', offsetof(UnitInfo, dropin_paths)},
                {"ActiveEnterTimestamp", 't', offsetof(UnitInfo, active_enter_timestamp)},
                {"Job", 'j', offsetof(UnitInfo, job_id)},
                {"FreezerState", 's', offsetof(UnitInfo, freezer_state)},
        };
        static const PropertyMap service_map[] = {
                {"MainPID", 'u', offsetof(UnitInfo, main_pid)},
                {"Result", 's', offsetof(UnitInfo, result)},
                {"ControlGroup", 's', offsetof(UnitInfo, control_group)},
                {"MemoryCurrent", 't', offsetof(UnitInfo, memory_current)},
                {"CPUUsageNSec", 't', offsetof(UnitInfo, cpu_usage_nsec)},
                {"TasksCurrent", 't', offsetof(UnitInfo, tasks_current)},
                {"ExecMainCode", 'i', offsetof(UnitInfo, exec_main_code)},
                {"ExecMainStatus", 'i', offsetof(UnitInfo, exec_main_status)},
        };
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *path = NULL;
        UnitInfo i = {
                .memory_current = UINT64_MAX, .cpu_usage_nsec = UINT64_MAX, .tasks_current = UINT64_MAX};
        int r;

        path = unit_object_path(unit);
        if (!path)
                return log_oom();

        r = bus_map_all(bus, path, "org.freedesktop.systemd1.Unit", unit_map, ELEMENTSOF(unit_map), &i,
                        &error);
        if (r >= 0 && !streq(i.load_state, "not-found"))
                r = bus_map_all(bus, path, "org.freedesktop.systemd1.Service", service_map,
                                ELEMENTSOF(service_map), &i, &error);
        if (r < 0) {
                unit_info_done(&i);
                log_error("Failed to get the state of %s: %s", unit, error.message ?: strerror(-r));
                return r;
        }
        *ret = i;
        return 0;
}

bool unit_is_running(const UnitInfo *i) {
        return streq(i->active_state, "active") || streq(i->active_state, "activating") ||
               streq(i->active_state, "deactivating") || streq(i->active_state, "reloading");
}

void sidecar_entries_free(SidecarEntry *e, size_t n) {
        for (size_t i = 0; i < n; i++) {
                free(e[i].name);
                free(e[i].address);
                free(e[i].address6);
                free(e[i].host_ifname);
        }
        free(e);
}

/* One entry's a{sv}: the keys we know, the others skipped (the answer may grow). */
static int sidecar_entry_read(sd_bus_message *reply, SidecarEntry *e) {
        int r;

        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key, *s;
                char **dest = NULL;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        break;
                if (streq(key, SIDECAR_LIST_ADDRESS))
                        dest = &e->address;
                else if (streq(key, SIDECAR_LIST_ADDRESS6))
                        dest = &e->address6;
                else if (streq(key, SIDECAR_LIST_HOST_IFNAME))
                        dest = &e->host_ifname;
                if (dest) {
                        r = sd_bus_message_read(reply, "v", "s", &s);
                        if (r >= 0) {
                                free(*dest);
                                *dest = strdup(s);
                                r = *dest ? 0 : -ENOMEM;
                        }
                } else if (streq(key, SIDECAR_LIST_UID_BASE))
                        r = sd_bus_message_read(reply, "v", "u", &e->uid_base);
                else
                        r = sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r >= 0)
                r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        /* "" for what the sidecar does not hold. */
        if ((!e->address && !(e->address = strdup(""))) || (!e->address6 && !(e->address6 = strdup(""))) ||
            (!e->host_ifname && !(e->host_ifname = strdup(""))))
                return -ENOMEM;
        return 0;
}

int sidecar_list(sd_bus *bus, SidecarEntry **ret, size_t *ret_n, sd_bus_error *error) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        SidecarEntry *e = NULL;
        size_t n = 0;
        int r;

        r = sd_bus_call_method(bus, SIDECAR_BUS_NAME, SIDECAR_OBJECT_PATH, SIDECAR_INTERFACE,
                               SIDECAR_METHOD_LIST_CONTAINERS_EX, error, &reply, "");
        if (r < 0)
                return r;
        r = sd_bus_message_enter_container(reply, 'a', SIDECAR_SIGNATURE_LIST_EX_ENTRY);
        while (r >= 0 && (r = sd_bus_message_enter_container(reply, 'r', "sa{sv}")) > 0) {
                const char *name;
                SidecarEntry *ne;

                ne = reallocarray(e, n + 1, sizeof(*e));
                if (!ne) {
                        r = -ENOMEM;
                        break;
                }
                e = ne;
                e[n] = (SidecarEntry){};
                n++;
                r = sd_bus_message_read(reply, "s", &name);
                if (r >= 0)
                        r = (e[n - 1].name = strdup(name)) ? 0 : -ENOMEM;
                if (r >= 0)
                        r = sidecar_entry_read(reply, &e[n - 1]);
                if (r >= 0)
                        r = sd_bus_message_exit_container(reply);
        }
        if (r < 0) {
                sidecar_entries_free(e, n);
                return r;
        }
        *ret = e;
        *ret_n = n;
        return 0;
}

const SidecarEntry *sidecar_find(const SidecarEntry *e, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (streq(e[i].name, name))
                        return &e[i];
        return NULL;
}
