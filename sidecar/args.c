/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <string.h>

#include "args.h"
#include "config.h"
#include "escape.h"
#include "ifname.h"

int arg_check_name(const char *name, sd_bus_error *error) {
        char q[QUOTE_BUF_SIZE];

        if (config_name_is_valid(name))
                return 0;
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                 "Invalid container name %s: " CONFIG_NAME_RULE, quote(name, q, sizeof(q)));
}

int arg_check_range_size(uint32_t size, sd_bus_error *error) {
        if (sidecar_check_range_size(size) >= 0)
                return 0;
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "invalid size %" PRIu32 ": %s", size,
                                 SIDECAR_RANGE_SIZE_RULE);
}

/* "Option 'KEY': invalid WHAT "VALUE": REASON": after the key, the config parser's
 * words for the same value. */
static int option_refused(sd_bus_error *error, const char *key, const char *what, const char *value,
                          const char *reason) {
        char m[VALUE_REFUSAL_SIZE];
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s': %s", key,
                                 value_refusal(what, value, reason, m));
}

void network_options_done(NetworkOptions *o) {
        if (!o)
                return;
        free(o->publish);
        o->publish = NULL;
        o->n_publish = 0;
}

static int publish_parse(sd_bus_message *m, NetworkOptions *o, sd_bus_error *error) {
        const char *s;
        int r;

        if (sd_bus_message_enter_container(m, 'v', "as") <= 0 ||
            sd_bus_message_enter_container(m, 'a', "s") <= 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Option 'publish' must be of type as");
        /* A later "publish" replaces an earlier one, like every other option. */
        network_options_done(o);
        while ((r = sd_bus_message_read(m, "s", &s)) > 0) {
                const char *reason = NULL;

                r = sidecar_publish_add(&o->publish, &o->n_publish, s, &reason);
                if (r == -EINVAL)
                        return option_refused(error, SIDECAR_OPTION_PUBLISH, SIDECAR_PUBLISH_WHAT, s,
                                              reason);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                        "Option 'publish' must be of type as");
        r = sd_bus_message_exit_container(m);
        if (r >= 0)
                r = sd_bus_message_exit_container(m);
        return r < 0 ? r : 0;
}

static int option_parse(sd_bus_message *m, const char *key, const Settings *settings, NetworkOptions *o,
                        sd_bus_error *error) {
        const char *s, *reason;
        char q[QUOTE_BUF_SIZE];
        InAddr a;

        if (streq(key, SIDECAR_OPTION_MTU)) {
                if (sd_bus_message_read(m, "v", "u", &o->mtu) < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "Option 'mtu' must be of type u");
                if (sidecar_check_mtu(o->mtu, true) < 0)
                        /* The config parser's words; 0 (the default) is only for callers. */
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "Option 'mtu': must be " SIDECAR_MTU_RULE);
                return 0;
        }

        if (streq(key, SIDECAR_OPTION_PUBLISH))
                return publish_parse(m, o, error);

        if (streq(key, SIDECAR_OPTION_IPV6)) {
                int b;
                if (sd_bus_message_read(m, "v", "b", &b) < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "Option 'ipv6' must be of type b");
                o->ipv6 = !!b;
                return 0;
        }

        if (!streq(key, SIDECAR_OPTION_BRIDGE) && !streq(key, SIDECAR_OPTION_ADDRESS) &&
            !streq(key, SIDECAR_OPTION_GATEWAY) && !streq(key, SIDECAR_OPTION_ADDRESS6))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Unknown option %s (known: " SIDECAR_OPTIONS_KNOWN ")",
                                         quote(key, q, sizeof(q)));
        if (sd_bus_message_read(m, "v", "s", &s) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be of type s",
                                         key);

        if (streq(key, SIDECAR_OPTION_BRIDGE)) {
                if (!ifname_is_valid(s))
                        return option_refused(error, key, IFNAME_WHAT, s, IFNAME_RULE);
                o->bridge = s;
                return 0;
        }

        /* "" and "auto": the default, also over an earlier value of the same key. */
        if (isempty(s) || streq(s, "auto"))
                s = NULL;
        if (streq(key, SIDECAR_OPTION_ADDRESS)) {
                if (s) {
                        if (sidecar_check_address(s, &a, &o->prefixlen, &reason) < 0)
                                return option_refused(error, key, SIDECAR_ADDRESS_WHAT, s, reason);
                        o->address_value = in_addr_ipv4(&a);
                        if (o->address_value == pool_gateway(&settings->pool))
                                return sd_bus_error_setf(error, SIDECAR_ERROR_ADDRESS_IN_USE,
                                                         "Address %s is the bridge's gateway address", s);
                }
                o->address = s;
                return 0;
        }
        if (streq(key, SIDECAR_OPTION_ADDRESS6)) {
                char reason_buf[SIDECAR_REASON_MAX];

                if (s) {
                        if (sidecar_check_address6(s, &settings->pool6, &a, &reason, reason_buf) < 0)
                                return option_refused(error, key, SIDECAR_ADDRESS6_WHAT, s, reason);
                        o->address6_value = a;
                }
                o->address6 = s;
                return 0;
        }
        if (s) {
                if (sidecar_check_gateway(s, &a, &reason) < 0)
                        return option_refused(error, key, SIDECAR_GATEWAY_WHAT, s, reason);
                o->gateway_value = in_addr_ipv4(&a);
        }
        o->gateway = s;
        return 0;
}

int network_options_parse(sd_bus_message *m, const Settings *settings, NetworkOptions *ret,
                          sd_bus_error *error) {
        _cleanup_(network_options_done) NetworkOptions o = {.bridge = settings->bridge, .ipv6 = -1};
        int r;

        assert(m && settings && ret);

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        for (;;) {
                const char *key;

                r = sd_bus_message_enter_container(m, 'e', "sv");
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
                r = sd_bus_message_read(m, "s", &key);
                if (r < 0)
                        return r;
                r = option_parse(m, key, settings, &o, error);
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_exit_container(m);
        if (r < 0)
                return r;
        *ret = o;
        o = (NetworkOptions){};
        return 0;
}
