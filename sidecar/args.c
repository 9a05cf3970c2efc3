/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <inttypes.h>
#include <string.h>

#include "args.h"
#include "config.h"

/* How many bytes of s to quote in an error: at most max, and never part of a UTF-8
 * character. sd-bus refuses to send an error message that is not UTF-8, and the caller
 * would wait for its timeout instead of reading the refusal (found by
 * fuzz-sidecar-args). What comes from the bus is valid UTF-8: backing off over the
 * continuation bytes at the cut is enough. */
static int quote_len(const char *s, size_t max) {
        size_t l = strnlen(s, max);

        if (s[l] != 0)
                while (l > 0 && ((unsigned char)s[l] & 0xC0) == 0x80)
                        l--;
        return (int)l;
}

int arg_check_name(const char *name, sd_bus_error *error) {
        if (config_name_is_valid(name))
                return 0;
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                 "Invalid container name '%.*s': " CONFIG_NAME_RULE, quote_len(name, 80),
                                 name);
}

int arg_check_range_size(uint32_t size, sd_bus_error *error) {
        if (size == 0 || (size % UID_RANGE_ALIGN == 0 && size <= UID_RANGE_SIZE_MAX))
                return 0;
        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                 "Invalid size %" PRIu32 ": must be a multiple of 65536, at most %u", size,
                                 UID_RANGE_SIZE_MAX);
}

static int option_parse(sd_bus_message *m, const char *key, const Settings *settings, NetworkOptions *o,
                        sd_bus_error *error) {
        const char *s;

        if (streq(key, "mtu")) {
                if (sd_bus_message_read(m, "v", "u", &o->mtu) < 0)
                        return sd_bus_error_set(error, SD_BUS_ERROR_INVALID_ARGS,
                                                "Option 'mtu' must be of type u");
                if (o->mtu != 0 && (o->mtu < 68 || o->mtu > 65535))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option 'mtu' %" PRIu32 " is not within 68-65535", o->mtu);
                return 0;
        }

        if (!streq(key, "bridge") && !streq(key, "address") && !streq(key, "gateway"))
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Unknown option '%.*s' (known: bridge, address, gateway, mtu)",
                                         quote_len(key, 40), key);
        if (sd_bus_message_read(m, "v", "s", &s) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS, "Option '%s' must be of type s",
                                         key);

        if (streq(key, "bridge")) {
                if (!ifname_is_valid(s))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option 'bridge': '%.*s' is not an interface name",
                                                 quote_len(s, 40), s);
                o->bridge = s;
                return 0;
        }

        /* "" and "auto": the default, also over an earlier value of the same key. */
        if (isempty(s) || streq(s, "auto"))
                s = NULL;
        if (streq(key, "address")) {
                if (s && (ipv4_parse(s, &o->address_value, &o->prefixlen) < 0 || o->prefixlen == 0 ||
                          o->prefixlen > 30 || o->address_value == 0))
                        return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                                 "Option 'address': '%.*s' is not \"auto\" or an IPv4 "
                                                 "address with a prefix length (A.B.C.D/N)",
                                                 quote_len(s, 40), s);
                if (s && o->address_value == pool_gateway(&settings->pool))
                        return sd_bus_error_setf(error, SIDECAR_ERROR_ADDRESS_IN_USE,
                                                 "Address %s is the bridge's gateway address", s);
                o->address = s;
                return 0;
        }
        if (s && ipv4_parse(s, &o->gateway_value, NULL) < 0)
                return sd_bus_error_setf(error, SD_BUS_ERROR_INVALID_ARGS,
                                         "Option 'gateway': '%.*s' is not \"auto\" or an IPv4 address",
                                         quote_len(s, 40), s);
        o->gateway = s;
        return 0;
}

int network_options_parse(sd_bus_message *m, const Settings *settings, NetworkOptions *ret,
                          sd_bus_error *error) {
        NetworkOptions o = {.bridge = settings->bridge};
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
        return 0;
}
