/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "network": the mode, and for veth the bridge, address, gateway, MTU and published ports. */
#include <string.h>

#include "config-parse.h"
#include "strv.h"

static const ConfigEnum network_modes = {
        .names =
                (const char *const[]){
                        [NETWORK_VETH] = "veth", [NETWORK_NONE] = "none", [NETWORK_HOST] = "host"},
        .n = 3,
        .noun = "mode",
        .list = "\"veth\", \"none\" or \"host\"",
};

static int dispatch_mode(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        p->mode_given = true;
        return config_dispatch_enum(p, path, v, dest, f);
}

/* The veth settings mean nothing in the other modes: say so rather than ignore. The
 * mode's row runs first. */
static int veth_only(Parser *p, const JPath *path, const JsonValue *v, JsonType type, const ConfigField *f) {
        if (p->config->network.mode != NETWORK_VETH)
                return config_error(p, path, "only with \"mode\": \"veth\"; remove it");
        return config_check_type(p, path, v, type, f->what);
}

static int dispatch_bridge(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                           const ConfigField *f) {
        char m[VALUE_REFUSAL_SIZE];
        int r;

        r = veth_only(p, path, v, JSON_STRING, f);
        if (r < 0)
                return r;
        if (!ifname_is_valid(v->string))
                return config_error(p, path, "%s", value_refusal(IFNAME_WHAT, v->string, IFNAME_RULE, m));
        return free_and_strdup(dest, v->string);
}

typedef struct AddressKind {
        int (*check)(const char *s, const char **ret_reason); /* lib/sidecar-bus.h's rule */
        const char *what;
} AddressKind;

static int address_check(const char *s, const char **ret_reason) {
        return sidecar_check_address(s, NULL, NULL, ret_reason);
}

static int gateway_check(const char *s, const char **ret_reason) {
        return sidecar_check_gateway(s, NULL, ret_reason);
}

/* "auto" (the sidecar picks: stored as NULL) or what the sidecar accepts, refused in its
 * words: validate and a start never disagree. */
static int dispatch_address(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        const AddressKind *kind = f->arg;
        char m[VALUE_REFUSAL_SIZE];
        const char *reason;
        int r;

        r = veth_only(p, path, v, JSON_STRING, f);
        if (r < 0)
                return r;
        if (streq(v->string, "auto"))
                return 0;
        if (kind->check(v->string, &reason) < 0)
                return config_error(p, path, "%s", value_refusal(kind->what, v->string, reason, m));
        return free_and_strdup(dest, v->string);
}

static int dispatch_mtu(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f) {
        int r;

        r = veth_only(p, path, v, JSON_INTEGER, f);
        if (r < 0)
                return r;
        return config_dispatch_uint32(p, path, v, dest, f);
}

/* network.publish: port specs, by lib/sidecar-bus.h's rules; stored in their canonical
 * text ("8080:80/tcp"), which the helper hands to the sidecar. */
static int dispatch_publish(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ PortSpec *specs = NULL;
        size_t n = 0, i = 0;
        int r;

        r = veth_only(p, path, v, JSON_ARRAY, f);
        if (r < 0)
                return r;
        JSON_FOREACH(e, v) {
                const JPath *jp = JP_INDEX(path, i++);
                char m[VALUE_REFUSAL_SIZE], canonical[PORT_SPEC_STRING_MAX];
                const char *reason = NULL;

                if (e->type != JSON_STRING)
                        return config_error(p, jp,
                                            "must be a string (a port spec, e.g. \"8080:80\"), not %s",
                                            config_type_phrase(e));
                r = sidecar_publish_add(&specs, &n, e->string, &reason);
                if (r == -EINVAL)
                        return config_error(p, jp, "%s",
                                            value_refusal(SIDECAR_PUBLISH_WHAT, e->string, reason, m));
                if (r < 0)
                        return r;
                r = strv_extend(&l, port_spec_to_string(&specs[n - 1], canonical));
                if (r < 0)
                        return r;
        }
        strv_free(*(char ***)dest);
        *(char ***)dest = TAKE_PTR(l);
        return 0;
}

/* The veth rows check the mode before the value's type, so their callbacks check the
 * type (JSON_ANY here). */
static const ConfigField network_fields[] = {
        {"mode", JSON_STRING, dispatch_mode, offsetof(Network, mode), 0, "\"veth\", \"none\" or \"host\"",
         &network_modes},
        {"bridge", JSON_ANY, dispatch_bridge, offsetof(Network, bridge), 0, "a string (an interface name)"},
        {"address", JSON_ANY, dispatch_address, offsetof(Network, address), 0,
         "a string (\"auto\" or an address with prefix length)",
         &(const AddressKind){address_check, SIDECAR_ADDRESS_WHAT}},
        {"gateway", JSON_ANY, dispatch_address, offsetof(Network, gateway), 0,
         "a string (\"auto\" or an address)", &(const AddressKind){gateway_check, SIDECAR_GATEWAY_WHAT}},
        {"mtu", JSON_ANY, dispatch_mtu, offsetof(Network, mtu), 0, SIDECAR_MTU_RULE,
         &(const ConfigRange){SIDECAR_MTU_MIN, SIDECAR_MTU_MAX}},
        {"publish", JSON_ANY, dispatch_publish, offsetof(Network, publish), 0,
         "an array of port specs, e.g. [\"8080:80\"]"},
};

static const ConfigObject network_object =
        CONFIG_OBJECT("an object, e.g. {\"mode\": \"veth\"}", network_fields, true);

int config_dispatch_network(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        return config_dispatch(p, path, v, &network_object, dest);
}
