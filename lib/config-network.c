/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* "network": the mode, for veth the bridge, address, gateway, MTU and published ports, and
 * the name servers. */
#include <string.h>

#include "config-parse.h"
#include "in-addr.h"
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

static int address6_check(const char *s, const char **ret_reason) {
        char buf[SIDECAR_REASON_MAX];
        /* The syntax: whether it lies in the pool is the machine's (lib/preflight.c). */
        return sidecar_check_address6(s, NULL, NULL, ret_reason, buf);
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

static int dispatch_ipv6(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                         const ConfigField *f) {
        int r;

        r = veth_only(p, path, v, JSON_BOOLEAN, f);
        if (r < 0)
                return r;
        return config_dispatch_bool(p, path, v, dest, f);
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

static const ConfigEnum dns_modes = {
        .names = (const char *const[]){[NETWORK_DNS_AUTO] = "auto",
                                       [NETWORK_DNS_HOST] = "host",
                                       [NETWORK_DNS_NONE] = "none"},
        .n = 3,
        .noun = "dns setting",
        .list = "\"auto\", \"host\", \"none\" or an array of addresses",
};

#define DNS_WHAT "name server address"
#define DNS_RULE "write an IPv4 or IPv6 address, e.g. \"192.0.2.53\" or \"2001:db8::53\""

/* network.dns: "auto", "host", "none", or an array of addresses (lib/in-addr.h), stored
 * as inet_ntop(3) writes them. In every mode: the file is a bind, not the netns. */
static int dispatch_dns(Parser *p, const JPath *path, const JsonValue *v, void *dest, const ConfigField *f) {
        Network *n = dest;
        _cleanup_strv_free_ char **l = NULL;
        size_t i = 0;
        int r;

        if (v->type == JSON_STRING) {
                r = config_enum_lookup(p, path, v->string, &dns_modes);
                if (r < 0)
                        return r;
                n->dns = r;
                n->dns_servers = strv_free(n->dns_servers);
                return 0;
        }
        if (v->type != JSON_ARRAY)
                return config_error(p, path, "must be %s, not %s", f->what, config_type_phrase(v));
        JSON_FOREACH(e, v) {
                const JPath *jp = JP_INDEX(path, i++);
                char m[VALUE_REFUSAL_SIZE], buf[INET6_ADDRSTRLEN];
                InAddr a;

                if (e->type != JSON_STRING)
                        return config_error(p, jp, "must be a string (an address), not %s",
                                            config_type_phrase(e));
                if (in_addr_parse(e->string, &a) < 0)
                        return config_error(p, jp, "%s", value_refusal(DNS_WHAT, e->string, DNS_RULE, m));
                if (i > NETWORK_DNS_SERVERS_MAX)
                        return config_error(p, jp, "more than %u name servers; list at most %u",
                                            NETWORK_DNS_SERVERS_MAX, NETWORK_DNS_SERVERS_MAX);
                r = strv_extend(&l, in_addr_to_string(&a, buf));
                if (r < 0)
                        return r;
        }
        if (i == 0)
                return config_error(p, path, "is an empty list; use \"none\" for the image's own file");
        strv_free(n->dns_servers);
        n->dns_servers = TAKE_PTR(l);
        n->dns = NETWORK_DNS_LIST;
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
        {"dns", JSON_ANY, dispatch_dns, 0, 0,
         "\"auto\", \"host\", \"none\" or an array of addresses, e.g. [\"192.0.2.53\"]"},
        {"ipv6", JSON_ANY, dispatch_ipv6, offsetof(Network, ipv6), 0, "true or false"},
        {"address6", JSON_ANY, dispatch_address, offsetof(Network, address6), 0,
         "a string (\"auto\" or an IPv6 address)",
         &(const AddressKind){address6_check, SIDECAR_ADDRESS6_WHAT}},
};

static const ConfigObject network_object =
        CONFIG_OBJECT("an object, e.g. {\"mode\": \"veth\"}", network_fields, true);

/* After the whole object: what needs "ipv6" cannot be had without it. */
int config_check_network(Parser *p) {
        const Network *n = &p->config->network;
        const JPath *net = JP_KEY(NULL, "network");
        size_t i = 0;

        if (n->mode != NETWORK_VETH || n->ipv6)
                return 0;
        if (n->address6)
                return config_error(p, JP_KEY(net, "address6"), "needs \"ipv6\": true; remove one of them");
        STRV_FOREACH (s, n->publish) {
                PortSpec spec;
                char m[VALUE_REFUSAL_SIZE];

                if (port_spec_parse(*s, &spec, NULL) >= 0 && spec.host_address.family == AF_INET6)
                        return config_error(p, JP_INDEX(JP_KEY(net, "publish"), i), "%s",
                                            value_refusal(SIDECAR_PUBLISH_WHAT, *s,
                                                          "an IPv6 host address needs \"ipv6\": true", m));
                i++;
        }
        return 0;
}

int config_dispatch_network(Parser *p, const JPath *path, const JsonValue *v, void *dest,
                            const ConfigField *f) {
        return config_dispatch(p, path, v, &network_object, dest);
}
