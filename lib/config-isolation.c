/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the container is cut off from: "namespaces", "user_namespace", "capabilities". */
#include <inttypes.h>
#include <string.h>
#include <strings.h>

#include "config-parse.h"

static int dispatch_net(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f) {
        p->net_given = true;
        return config_dispatch_bool(p, path, v, dest, f);
}

#define MOUNT_NS_REFUSED "the mount namespace is always new; remove this key"

static const ConfigField namespaces_fields[] = {
        {"mount", JSON_ANY, NULL, 0, CONFIG_FIELD_REFUSED, MOUNT_NS_REFUSED},
        {"mnt", JSON_ANY, NULL, 0, CONFIG_FIELD_REFUSED, MOUNT_NS_REFUSED},
        {"net", JSON_BOOLEAN, dispatch_net, offsetof(Namespaces, net)},
        {"ipc", JSON_BOOLEAN, config_dispatch_bool, offsetof(Namespaces, ipc)},
        {"uts", JSON_BOOLEAN, config_dispatch_bool, offsetof(Namespaces, uts)},
        {"pid", JSON_BOOLEAN, config_dispatch_bool, offsetof(Namespaces, pid)},
        {"user", JSON_BOOLEAN, config_dispatch_bool, offsetof(Namespaces, user)},
        {"cgroup", JSON_BOOLEAN, config_dispatch_bool, offsetof(Namespaces, cgroup)},
};

static const ConfigObject namespaces_object =
        CONFIG_OBJECT("an object of booleans, e.g. {\"net\": false}", namespaces_fields, true);

int config_dispatch_namespaces(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                               const ConfigField *f) {
        return config_dispatch(p, path, v, &namespaces_object, dest);
}

#define BASE_WHAT "\"auto\" or a number from 1 to 4294967294 (the first host uid of the range)"

static int dispatch_base(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        UserNamespace *u = (UserNamespace *)((uint8_t *)dest - offsetof(UserNamespace, base));
        char q[QUOTE_MAX];
        int r;

        if (v->type == JSON_STRING) {
                if (!streq(v->string, "auto"))
                        return config_error(
                                p, path,
                                "must be \"auto\" or a number (the first host uid of the range), not %s",
                                config_quote(v->string, q, sizeof(q)));
                u->base_auto = true;
                return 0;
        }
        r = config_check_type(p, path, v, JSON_INTEGER, BASE_WHAT);
        if (r < 0)
                return r;
        r = config_dispatch_uint32(p, path, v, &u->base, f);
        if (r < 0)
                return r;
        /* The range [base, base+size) must not reach (uid_t) -1. */
        if ((uint64_t)u->base + u->size > UINT32_MAX)
                return config_error(
                        p, path->parent,
                        "base %llu + size %u is beyond the last uid 4294967294; lower one of them",
                        (unsigned long long)u->base, u->size);
        u->base_auto = false;
        return 0;
}

static const ConfigEnum ownerships = {
        .names = (const char *const[]){[OWNERSHIP_IDMAP] = "idmap", [OWNERSHIP_CHOWN] = "chown"},
        .n = 2,
        .noun = "value",
        .list = "\"idmap\" or \"chown\"",
};

static const ConfigField userns_fields[] = {
        {"base", JSON_ANY, dispatch_base, offsetof(UserNamespace, base), 0, BASE_WHAT,
         &(const ConfigRange){1, UINT32_MAX - 1}},
        {"size", JSON_INTEGER, config_dispatch_uint32, offsetof(UserNamespace, size), 0,
         "a number from 1 to 4294967294, e.g. 65536", &(const ConfigRange){1, UINT32_MAX - 1}},
        {"ownership", JSON_STRING, config_dispatch_enum, offsetof(UserNamespace, ownership), 0,
         "\"idmap\" or \"chown\"", &ownerships},
};

/* "base" is checked against "size". */
static const uint8_t userns_order[] = {1, 0, 2};

static const ConfigObject userns_object = CONFIG_OBJECT_ORDERED(
        "an object, e.g. {\"base\": \"auto\", \"size\": 65536, \"ownership\": \"idmap\"}", userns_fields,
        true, userns_order);

int config_dispatch_user_namespace(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                   const ConfigField *f) {
        int r;

        r = config_dispatch(p, path, v, &userns_object, dest);
        if (r < 0)
                return r;
        /* With "auto" the sidecar allocates the range, in whole blocks (lib/sidecar-bus.h):
         * refused here in its words rather than at start. */
        UserNamespace *u = dest;
        if (u->base_auto && sidecar_check_range_size(u->size) < 0)
                return config_error(p, JP_KEY(path, "size"), "invalid size %" PRIu32 ": %s", u->size,
                                    SIDECAR_RANGE_SIZE_RULE);
        if (!p->config->namespaces.user)
                return config_error(
                        p, path,
                        "set, but \"namespaces\": {\"user\": false} turns the user namespace off; "
                        "remove one of them");
        return 0;
}

static int dispatch_capability_list(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                    const ConfigField *f) {
        char q[QUOTE_MAX];
        uint64_t mask = 0;
        size_t i = 0;

        JSON_FOREACH(e, v) {
                const JPath *jp = JP_INDEX(path, i++);
                if (e->type != JSON_STRING)
                        return config_error(
                                p, jp,
                                "must be a string (a capability name, e.g. \"CAP_NET_ADMIN\"), not %s",
                                config_type_phrase(e));
                const char *s = e->string;
                int cap = s[0] >= '0' && s[0] <= '9' ? -EINVAL : capability_from_string(s);
                if (cap < 0) {
                        const char *names[64] = {};
                        const char *bare = strncasecmp(s, "CAP_", 4) == 0 ? s + 4 : s;
                        for (int k = 0; k <= capability_last() && k < 64; k++)
                                names[k] = capability_to_string(k) + 4;
                        const char *g = config_closest(bare, names, ELEMENTSOF(names));
                        if (g)
                                return config_error(p, jp, "unknown capability %s, did you mean \"CAP_%s\"?",
                                                    config_quote(s, q, sizeof(q)), g);
                        return config_error(p, jp,
                                            "unknown capability %s (see capabilities(7) for the names)",
                                            config_quote(s, q, sizeof(q)));
                }
                if (mask & (1ULL << cap))
                        return config_error(p, jp, "%s is listed twice", capability_to_string(cap));
                mask |= 1ULL << cap;
        }
        *(uint64_t *)dest = mask;
        return 0;
}

#define CAPS_WHAT "an array of capability names, e.g. [\"CAP_NET_ADMIN\"]"

static const ConfigField capabilities_fields[] = {
        {"add", JSON_ARRAY, dispatch_capability_list, offsetof(Config, caps_add), 0, CAPS_WHAT},
        {"drop", JSON_ARRAY, dispatch_capability_list, offsetof(Config, caps_drop), 0, CAPS_WHAT},
};

static const ConfigObject capabilities_object =
        CONFIG_OBJECT("an object, e.g. {\"add\": [\"CAP_NET_ADMIN\"], \"drop\": [\"CAP_KILL\"]}",
                      capabilities_fields, true);

/* dest: the Config (the two masks are top-level fields). */
int config_dispatch_capabilities(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                                 const ConfigField *f) {
        Config *c = dest;
        int r;

        r = config_dispatch(p, path, v, &capabilities_object, c);
        if (r < 0)
                return r;
        uint64_t both = c->caps_add & c->caps_drop;
        if (both)
                return config_error(p, path,
                                    "%s is in both \"add\" and \"drop\"; remove it from one of them",
                                    capability_to_string(__builtin_ctzll(both)));
        return 0;
}
