/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the payload gets from the kernel: "rlimits", "sysctl" and "devices". */
#include <stdlib.h>
#include <string.h>

#include "config-parse.h"

#define RLIMIT_WHAT "a number, \"infinity\", or [SOFT, HARD] of those, e.g. 4096 or [1024, 4096]"

static int rlimit_value(Parser *p, const JPath *path, const JsonValue *v, uint64_t *ret) {
        if (v->type == JSON_STRING && streq(v->string, "infinity")) {
                *ret = RLIM_INFINITY;
                return 0;
        }
        if (v->type != JSON_INTEGER || v->integer < 0)
                return config_error(p, path, "must be %s", RLIMIT_WHAT);
        *ret = (uint64_t)v->integer;
        return 0;
}

int config_dispatch_rlimits(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        ConfigRlimit **limits = dest;
        int r;

        /* Allocated only for the configs that have the key: the array is most of a
         * Config's size, and a generator holds thousands of Configs. */
        if (!*limits) {
                *limits = calloc(CONFIG_RLIMIT_MAX, sizeof(ConfigRlimit));
                if (!*limits)
                        return -ENOMEM;
        }

        JSON_FOREACH(m, v) {
                const JPath *jp = JP_KEY(path, m->key);
                int resource = rlimit_from_string(m->key);
                ConfigRlimit l = {.set = true};

                if (resource < 0) {
                        const char *names[CONFIG_RLIMIT_MAX];
                        for (int i = 0; i < CONFIG_RLIMIT_MAX; i++)
                                names[i] = rlimit_to_string(i);
                        const char *g = config_closest(m->key, names, ELEMENTSOF(names));
                        if (g)
                                return config_error(p, jp, "unknown resource, did you mean \"%s\"?", g);
                        return config_error(
                                p, jp,
                                "unknown resource: use a name of setrlimit(2) without RLIMIT_, in "
                                "lower case, e.g. \"nofile\"");
                }
                if (m->type == JSON_ARRAY) {
                        if (m->n != 2)
                                return config_error(p, jp, "must be [SOFT, HARD], two values");
                        r = rlimit_value(p, JP_INDEX(jp, 0), m + 1, &l.soft);
                        if (r < 0)
                                return r;
                        r = rlimit_value(p, JP_INDEX(jp, 1), m + 1 + m[1].span, &l.hard);
                        if (r < 0)
                                return r;
                        if (l.soft > l.hard)
                                return config_error(p, jp, "the soft limit is above the hard limit");
                } else {
                        r = rlimit_value(p, jp, m, &l.soft);
                        if (r < 0)
                                return r;
                        l.hard = l.soft;
                }
                (*limits)[resource] = l;
        }
        return 0;
}

/* The sysctl keys a container may set: the kernel keeps them per namespace, so the
 * host's value never changes. */
typedef enum SysctlScope {
        SYSCTL_NET,
        SYSCTL_IPC,
        SYSCTL_UTS,
        SYSCTL_HOST,
} SysctlScope;

static SysctlScope sysctl_scope(const char *key) {
        static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",         "kernel.msgmni",
                                          "kernel.sem",    "kernel.shmall",         "kernel.shmmax",
                                          "kernel.shmmni", "kernel.shm_rmid_forced"};

        if (strncmp(key, "net.", 4) == 0)
                return SYSCTL_NET;
        if (strncmp(key, "fs.mqueue.", 10) == 0)
                return SYSCTL_IPC;
        for (size_t i = 0; i < ELEMENTSOF(ipc); i++)
                if (streq(key, ipc[i]))
                        return SYSCTL_IPC;
        if (streq(key, "kernel.domainname") || streq(key, "kernel.hostname"))
                return SYSCTL_UTS;
        return SYSCTL_HOST;
}

/* "a.b.c": components of letters, digits, '_' and '-' (interface names in net.* keys). */
static bool sysctl_key_is_valid(const char *s) {
        size_t l = strlen(s);

        if (l == 0 || l > 256 || s[0] == '.' || s[l - 1] == '.' || !strchr(s, '.'))
                return false;
        for (const char *c = s; *c; c++) {
                if (*c == '.' && c[1] == '.')
                        return false;
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '_' || *c == '-' || *c == '.'))
                        return false;
        }
        return true;
}

int config_dispatch_sysctl(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        Config *c = p->config;
        int r;

        JSON_FOREACH(m, v) {
                const JPath *jp = JP_KEY(path, m->key);
                const char *key = m->key;

                if (!sysctl_key_is_valid(key))
                        return config_error(p, jp,
                                            "invalid key: write it with dots, e.g. \"net.ipv4.ip_forward\"");
                switch (sysctl_scope(key)) {
                case SYSCTL_NET:
                        if (!c->namespaces.net || c->network.mode == NETWORK_HOST)
                                return config_error(p, jp,
                                                    "needs the container's own network namespace; with the "
                                                    "host's it would change the host");
                        break;
                case SYSCTL_IPC:
                        if (!c->namespaces.ipc)
                                return config_error(p, jp,
                                                    "needs the container's own IPC namespace; with \"ipc\": "
                                                    "false it would change the host");
                        break;
                case SYSCTL_UTS:
                        if (streq(key, "kernel.hostname"))
                                return config_error(p, jp,
                                                    "set by the \"hostname\" key of the config; use that");
                        if (!c->namespaces.uts)
                                return config_error(p, jp,
                                                    "needs the container's own UTS namespace; with \"uts\": "
                                                    "false it would change the host");
                        break;
                case SYSCTL_HOST:
                        return config_error(p, jp,
                                            "not a key the kernel keeps per container: only net.*, "
                                            "kernel.shm*, kernel.msg*, kernel.sem, kernel.domainname and "
                                            "fs.mqueue.* can be set without changing the host");
                }
                r = config_check_string_value(p, jp, m);
                if (r < 0)
                        return r;
                if (isempty(m->string) || strpbrk(m->string, "\n\r"))
                        return config_error(p, jp, "must be a value on one line, e.g. \"1\"");
                r = config_pairs_add(&c->sysctl, &c->n_sysctl, key, m->string);
                if (r < 0)
                        return r;
        }
        return 0;
}

static bool device_mode_is_valid(const char *s) {
        bool seen[3] = {};

        if (isempty(s) || strlen(s) > 3)
                return false;
        for (const char *c = s; *c; c++) {
                const char *i = strchr("rwm", *c);
                if (!i || !*c || seen[i - "rwm"])
                        return false;
                seen[i - "rwm"] = true;
        }
        return true;
}

typedef struct DeviceSpec {
        char *path, *mode;
} DeviceSpec;

static int dispatch_device_path(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f) {
        char **node = dest;
        int r;

        if (!v)
                return config_error(p, path, "required: the device node, e.g. \"/dev/fuse\"");
        r = config_dispatch_path(p, path, v, dest, f);
        if (r < 0)
                return r;
        if (strncmp(*node, "/dev/", 5) != 0)
                return config_error(p, path, "must be a device node in /dev, e.g. \"/dev/fuse\"");
        return 0;
}

static int dispatch_device_mode(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                const ConfigField *f) {
        if (!device_mode_is_valid(v->string))
                return config_error(p, path,
                                    "must be the access as DeviceAllow= writes it: \"r\", \"w\", \"m\" or a "
                                    "combination, e.g. \"rw\"");
        return free_and_strdup(dest, v->string);
}

static const ConfigField device_fields[] = {
        {"path", JSON_STRING, dispatch_device_path, offsetof(DeviceSpec, path), CONFIG_FIELD_ABSENT,
         "a string (an absolute path)", "/dev/fuse"},
        {"mode", JSON_STRING, dispatch_device_mode, offsetof(DeviceSpec, mode), 0, "a string, e.g. \"rw\""},
};

static const ConfigObject device_object = CONFIG_OBJECT(
        "a path or an object, e.g. \"/dev/fuse\" or {\"path\": \"/dev/fuse\", \"mode\": \"rw\"}",
        device_fields, true);

int config_dispatch_devices(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        Config *c = p->config;
        char q[QUOTE_MAX];
        size_t i = 0;
        int r;

        JSON_FOREACH(e, v) {
                const JPath *jp = JP_INDEX(path, i++);
                _cleanup_free_ char *node = NULL, *mode = NULL;

                if (e->type == JSON_STRING)
                        r = dispatch_device_path(p, jp, e, &node, &device_fields[0]);
                else {
                        DeviceSpec d = {};
                        r = config_dispatch(p, jp, e, &device_object, &d);
                        node = d.path;
                        mode = d.mode;
                }
                if (r < 0)
                        return r;
                for (size_t j = 0; j < c->n_devices; j++)
                        if (streq(c->devices[j].key, node))
                                return config_error(p, jp, "%s is listed twice",
                                                    config_quote(node, q, sizeof(q)));
                r = config_pairs_add(&c->devices, &c->n_devices, node, mode ?: "rw");
                if (r < 0)
                        return r;
        }
        return 0;
}
