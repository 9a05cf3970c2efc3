/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config_to_json(): a config with every default filled in, for "nscontain cat" and the
 * tests. Apart from the parser so that what only reads configs (the generator, at
 * every boot) does not load json-c. */
#include <json-c/json.h>
#include <string.h>

#include "config.h"
#include "strv.h"

static void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)

static int json_add(json_object *o, const char *key, json_object *v) {
        if (!v)
                return -ENOMEM;
        if (json_object_object_add(o, key, v) < 0) {
                json_object_put(v);
                return -ENOMEM;
        }
        return 0;
}

static json_object *json_strv(char *const *l) {
        json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        STRV_FOREACH (s, l) {
                json_object *e = json_object_new_string(*s);
                if (!e || json_object_array_add(a, e) < 0) {
                        json_object_put(e);
                        json_object_put(a);
                        return NULL;
                }
        }
        return a;
}

static json_object *json_caps(uint64_t mask) {
        json_object *a = json_object_new_array();
        if (!a)
                return NULL;
        for (int i = 0; i <= capability_last(); i++)
                if (mask & (1ULL << i)) {
                        json_object *e = json_object_new_string(capability_to_string(i));
                        if (!e || json_object_array_add(a, e) < 0) {
                                json_object_put(e);
                                json_object_put(a);
                                return NULL;
                        }
                }
        return a;
}

static json_object *json_string_or_null(const char *s) {
        return s ? json_object_new_string(s) : NULL;
}

/* json-c prints an empty array or object over two lines ("[\n  ]"); write "[]" and
 * "{}" instead. A raw newline only ever appears between tokens (json-c escapes it
 * inside strings), so the pattern cannot match string content. Adds a final newline. */
static int json_compact_empty(const char *s, char **ret) {
        size_t l = strlen(s), k = 0;
        char *out = malloc(l + 2);

        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < l; i++) {
                out[k++] = s[i];
                if ((s[i] == '[' || s[i] == '{') && s[i + 1] == '\n') {
                        size_t j = i + 1 + strspn(s + i + 1, "\n ");
                        if (s[j] == (s[i] == '[' ? ']' : '}')) {
                                out[k++] = s[j];
                                i = j;
                        }
                }
        }
        out[k++] = '\n';
        out[k] = 0;
        *ret = out;
        return 0;
}

int config_to_json(const Config *c, char **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        json_object *x;
        char buf[128];
        int r;

        assert(c && ret);
        if (!o)
                return -ENOMEM;

#define ADD(obj, key, val)                   \
        do {                                 \
                r = json_add(obj, key, val); \
                if (r < 0)                   \
                        return r;            \
        } while (0)

        if (c->image)
                ADD(o, "image", json_object_new_string(c->image));
        else
                ADD(o, "rootfs", json_object_new_string(strna(c->rootfs)));
        if (c->image || c->ephemeral)
                ADD(o, "ephemeral", json_object_new_boolean(c->ephemeral));
        if (c->args)
                ADD(o, "args", json_strv(c->args));
        if (c->command)
                ADD(o, "command", json_strv(c->command));
        ADD(o, "boot", json_object_new_boolean(c->boot));

        x = json_object_new_object();
        ADD(o, "env", x);
        STRV_FOREACH (e, c->env) {
                const char *eq = strchr(*e, '=');
                if (!eq)
                        continue;
                _cleanup_free_ char *k = strndup(*e, (size_t)(eq - *e));
                if (!k)
                        return -ENOMEM;
                ADD(x, k, json_object_new_string(eq + 1));
        }

        ADD(o, "user", json_object_new_string(strna(c->user)));
        ADD(o, "workdir", json_object_new_string(strna(c->workdir)));
        ADD(o, "hostname", json_object_new_string(c->hostname ?: c->name));
        ADD(o, "readonly", json_object_new_boolean(c->readonly));
        ADD(o, "init", json_object_new_boolean(c->init));

        x = json_object_new_array();
        ADD(o, "mounts", x);
        for (size_t i = 0; i < c->n_mounts; i++) {
                const MountSpec *m = &c->mounts[i];
                json_object *mo = json_object_new_object();
                if (!mo || json_object_array_add(x, mo) < 0) {
                        json_object_put(mo);
                        return -ENOMEM;
                }
                ADD(mo, "type", json_object_new_string(m->type == MOUNT_TMPFS ? "tmpfs" : "bind"));
                if (m->type == MOUNT_BIND)
                        ADD(mo, "source", json_object_new_string(strna(m->source)));
                ADD(mo, "target", json_object_new_string(strna(m->target)));
                ADD(mo, "readonly", json_object_new_boolean(m->readonly));
                if (m->type == MOUNT_BIND)
                        ADD(mo, "idmap", json_object_new_boolean(m->idmap));
                if (m->type == MOUNT_TMPFS && m->options)
                        ADD(mo, "options", json_object_new_string(m->options));
        }

        x = json_object_new_object();
        ADD(o, "namespaces", x);
        ADD(x, "net", json_object_new_boolean(c->namespaces.net));
        ADD(x, "ipc", json_object_new_boolean(c->namespaces.ipc));
        ADD(x, "uts", json_object_new_boolean(c->namespaces.uts));
        ADD(x, "pid", json_object_new_boolean(c->namespaces.pid));
        ADD(x, "user", json_object_new_boolean(c->namespaces.user));
        ADD(x, "cgroup", json_object_new_boolean(c->namespaces.cgroup));

        if (c->namespaces.user) {
                x = json_object_new_object();
                ADD(o, "user_namespace", x);
                ADD(x, "base",
                    c->user_namespace.base_auto ? json_object_new_string("auto")
                                                : json_object_new_int64(c->user_namespace.base));
                ADD(x, "size", json_object_new_int64(c->user_namespace.size));
                ADD(x, "ownership",
                    json_object_new_string(c->user_namespace.ownership == OWNERSHIP_CHOWN ? "chown"
                                                                                          : "idmap"));
        }

        x = json_object_new_object();
        ADD(o, "network", x);
        ADD(x, "mode",
            json_object_new_string(c->network.mode == NETWORK_HOST   ? "host"
                                   : c->network.mode == NETWORK_NONE ? "none"
                                                                     : "veth"));
        if (c->network.mode == NETWORK_VETH) {
                ADD(x, "bridge", json_object_new_string(c->network.bridge ?: DEFAULT_BRIDGE));
                ADD(x, "address", json_object_new_string(c->network.address ?: "auto"));
                ADD(x, "gateway", json_object_new_string(c->network.gateway ?: "auto"));
                if (c->network.mtu > 0)
                        ADD(x, "mtu", json_object_new_int64(c->network.mtu));
                ADD(x, "publish", json_strv(c->network.publish));
                ADD(x, "ipv6", json_object_new_boolean(c->network.ipv6));
                if (c->network.ipv6)
                        ADD(x, "address6", json_object_new_string(c->network.address6 ?: "auto"));
        }
        if (c->network.dns == NETWORK_DNS_LIST)
                ADD(x, "dns", json_strv(c->network.dns_servers));
        else
                ADD(x, "dns",
                    json_object_new_string(c->network.dns == NETWORK_DNS_HOST   ? "host"
                                           : c->network.dns == NETWORK_DNS_NONE ? "none"
                                                                                : "auto"));

        x = json_object_new_object();
        ADD(o, "capabilities", x);
        ADD(x, "add", json_caps(c->caps_add));
        ADD(x, "drop", json_caps(c->caps_drop));

        ADD(o, "no_new_privileges", json_object_new_boolean(c->no_new_privileges));
        ADD(o, "seccomp", json_object_new_boolean(c->seccomp));

        x = json_object_new_object();
        ADD(o, "resources", x);
        if (c->resources.memory_max)
                ADD(x, "memory_max", json_string_or_null(c->resources.memory_max));
        if (c->resources.memory_high)
                ADD(x, "memory_high", json_string_or_null(c->resources.memory_high));
        if (c->resources.cpu_weight)
                ADD(x, "cpu_weight", json_string_or_null(c->resources.cpu_weight));
        if (c->resources.cpu_quota)
                ADD(x, "cpu_quota", json_string_or_null(c->resources.cpu_quota));
        if (c->resources.tasks_max)
                ADD(x, "tasks_max", json_string_or_null(c->resources.tasks_max));
        if (c->resources.io_weight)
                ADD(x, "io_weight", json_string_or_null(c->resources.io_weight));

        ADD(o, "restart", json_object_new_string(c->restart ?: "no"));
        if (c->restart_sec)
                ADD(o, "restart_sec", json_object_new_string(c->restart_sec));
        ADD(o, "stop_signal", json_object_new_string(signal_to_string(c->stop_signal) ?: "SIGTERM"));
        r = format_timespan(c->stop_timeout_usec, buf, sizeof(buf));
        if (r < 0)
                return r;
        ADD(o, "stop_timeout", json_object_new_string(buf));
        ADD(o, "autostart", json_object_new_boolean(c->autostart));
        ADD(o, "after", json_strv(c->after));
        ADD(o, "requires", json_strv(c->requires));
        ADD(o, "wants", json_strv(c->wants));

        /* The service contract: shown when set. */
        if (c->notify)
                ADD(o, "notify", json_object_new_boolean(true));
        if (c->watchdog_sec)
                ADD(o, "watchdog_sec", json_object_new_string(c->watchdog_sec));
        if (c->health.command) {
                static const char *const on_failure[] = {"none", "kill", "restart"};
                x = json_object_new_object();
                ADD(o, "health", x);
                ADD(x, "command", json_strv(c->health.command));
                const struct {
                        const char *key;
                        uint64_t usec;
                } spans[] = {
                        {"interval", c->health.interval_usec},
                        {"timeout", c->health.timeout_usec},
                        {"start_period", c->health.start_period_usec},
                };
                for (size_t i = 0; i < ELEMENTSOF(spans); i++) {
                        r = format_timespan(spans[i].usec, buf, sizeof(buf));
                        if (r < 0)
                                return r;
                        ADD(x, spans[i].key, json_object_new_string(buf));
                }
                ADD(x, "retries", json_object_new_int64(c->health.retries));
                ADD(x, "on_failure", json_object_new_string(on_failure[c->health.on_failure]));
                ADD(x, "ready_when_healthy", json_object_new_boolean(c->health.ready_when_healthy));
        }
        const struct {
                const char *key;
                const ConfigPair *pairs;
                size_t n;
        } objects[] = {
                {"credentials", c->credentials, c->n_credentials},
                {"sysctl", c->sysctl, c->n_sysctl},
                {"service", c->service, c->n_service},
        };
        for (size_t i = 0; i < ELEMENTSOF(objects); i++) {
                if (objects[i].n == 0)
                        continue;
                x = json_object_new_object();
                ADD(o, objects[i].key, x);
                for (size_t j = 0; j < objects[i].n; j++)
                        ADD(x, objects[i].pairs[j].key, json_object_new_string(objects[i].pairs[j].value));
        }
        if (c->env_files)
                ADD(o, "env_files", json_strv(c->env_files));
        bool any_rlimit = false;
        for (int i = 0; c->rlimits && i < CONFIG_RLIMIT_MAX; i++)
                any_rlimit = any_rlimit || c->rlimits[i].set;
        if (any_rlimit) {
                x = json_object_new_object();
                ADD(o, "rlimits", x);
                for (int i = 0; i < CONFIG_RLIMIT_MAX; i++) {
                        const ConfigRlimit *l = &c->rlimits[i];
                        if (!l->set)
                                continue;
                        json_object *pair = json_object_new_array();
                        ADD(x, rlimit_to_string(i), pair);
                        for (int k = 0; k < 2; k++) {
                                uint64_t v = k == 0 ? l->soft : l->hard;
                                json_object *e = v == RLIM_INFINITY ? json_object_new_string("infinity")
                                                                    : json_object_new_int64((int64_t)v);
                                if (!e || json_object_array_add(pair, e) < 0) {
                                        json_object_put(e);
                                        return -ENOMEM;
                                }
                        }
                }
        }
        if (c->n_devices > 0) {
                x = json_object_new_array();
                ADD(o, "devices", x);
                for (size_t i = 0; i < c->n_devices; i++) {
                        json_object *d = json_object_new_object();
                        if (!d || json_object_array_add(x, d) < 0) {
                                json_object_put(d);
                                return -ENOMEM;
                        }
                        ADD(d, "path", json_object_new_string(c->devices[i].key));
                        ADD(d, "mode", json_object_new_string(c->devices[i].value));
                }
        }
#undef ADD

        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                  JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        return json_compact_empty(s, ret);
}
