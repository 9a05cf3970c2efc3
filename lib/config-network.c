/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "network": the mode, and for veth the bridge, address, gateway and MTU. */
#include <string.h>

#include "config-parse.h"

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
};

static const ConfigObject network_object =
        CONFIG_OBJECT("an object, e.g. {\"mode\": \"veth\"}", network_fields, true);

int config_dispatch_network(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        return config_dispatch(p, path, v, &network_object, dest);
}
