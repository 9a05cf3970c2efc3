/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stddef.h>
#include <string.h>

#include "libsystemd.h"
#include "sidecar-bus.h"
#include "sidecar-client.h"

static int bus_get(sd_bus *bus, sd_bus **ret) {
        if (bus) {
                *ret = sym_sd_bus_ref(bus);
                return 0;
        }
        return sidecar_bus_open(ret);
}

/* Closes only a connection of our own: the caller's stays usable. */
static void bus_put(sd_bus *caller_bus, sd_bus *b) {
        if (caller_bus)
                sym_sd_bus_unref(b);
        else
                sym_sd_bus_flush_close_unref(b);
}

static int set_error(const sd_bus_error *e, int r, char **ret_error) {
        if (ret_error && !*ret_error) {
                const char *m = e && e->message ? e->message : strerror(r < 0 ? -r : r);
                *ret_error = strdup(m);
        }
        return r < 0 ? r : -EIO;
}

static int copy_string(char *dst, size_t size, const char *src) {
        size_t l = strlen(src);
        if (l >= size)
                return -EBADMSG;
        memcpy(dst, src, l + 1);
        return 0;
}

int sidecar_acquire_user_range(sd_bus *bus, const char *name, uint32_t size, uint32_t *ret_base,
                               char **ret_error) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus *b = NULL;
        uint32_t base = 0, got = 0;
        int r;

        r = bus_get(bus, &b);
        if (r >= 0)
                r = sym_sd_bus_message_new_method_call(b, &m, SIDECAR_BUS_NAME, SIDECAR_OBJECT_PATH,
                                                       SIDECAR_INTERFACE, SIDECAR_METHOD_ACQUIRE_USER_RANGE);
        if (r >= 0)
                r = sym_sd_bus_message_append(m, SIDECAR_SIGNATURE_ACQUIRE_IN, name, size);
        if (r >= 0)
                r = sidecar_call(b, m, &reply, ret_error);
        if (r >= 0)
                r = sym_sd_bus_message_read(reply, SIDECAR_SIGNATURE_ACQUIRE_OUT, &base, &got);
        if (r >= 0 && got < (size ?: SIDECAR_RANGE_ALIGN))
                r = -EBADMSG;
        if (r < 0)
                set_error(&error, r, ret_error);
        else
                *ret_base = base;
        sym_sd_bus_error_free(&error);
        sym_sd_bus_message_unref(reply);
        sym_sd_bus_message_unref(m);
        bus_put(bus, b);
        return r;
}

static int append_string_option(sd_bus_message *m, const char *key, const char *value) {
        if (!value || !*value)
                return 0;
        return sym_sd_bus_message_append(m, "{sv}", key, "s", value);
}

/* {"KEY": <as>} */
static int append_strv_option(sd_bus_message *m, const char *key, char *const *l) {
        int r;

        r = sym_sd_bus_message_open_container(m, 'e', "sv");
        if (r >= 0)
                r = sym_sd_bus_message_append(m, "s", key);
        if (r >= 0)
                r = sym_sd_bus_message_open_container(m, 'v', "as");
        if (r >= 0)
                r = sym_sd_bus_message_open_container(m, 'a', "s");
        for (char *const *s = l; r >= 0 && *s; s++)
                r = sym_sd_bus_message_append(m, "s", *s);
        if (r >= 0)
                r = sym_sd_bus_message_close_container(m);
        if (r >= 0)
                r = sym_sd_bus_message_close_container(m);
        if (r >= 0)
                r = sym_sd_bus_message_close_container(m);
        return r;
}

/* SetupNetworkEx's answer: the keys we know into *ret; others are skipped (the answer
 * may grow). */
static int read_setup_reply(sd_bus_message *reply, SidecarNetwork *ret) {
        int r;

        r = sym_sd_bus_message_enter_container(reply, 'a', "{sv}");
        while (r >= 0 && (r = sym_sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                static const struct {
                        const char *key;
                        size_t offset, size;
                } strings[] = {
                        {SIDECAR_REPLY_HOST_IFNAME, offsetof(SidecarNetwork, host_ifname), IFNAMSIZ},
                        {SIDECAR_REPLY_ADDRESS, offsetof(SidecarNetwork, address), 64},
                        {SIDECAR_REPLY_GATEWAY, offsetof(SidecarNetwork, gateway), 64},
                        {SIDECAR_REPLY_ADDRESS6, offsetof(SidecarNetwork, address6), 64},
                        {SIDECAR_REPLY_GATEWAY6, offsetof(SidecarNetwork, gateway6), 64},
                };
                const char *key, *value;
                bool known = false;

                r = sym_sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        break;
                for (size_t i = 0; i < ELEMENTSOF(strings) && !known; i++)
                        if (streq(key, strings[i].key)) {
                                known = true;
                                r = sym_sd_bus_message_read(reply, "v", "s", &value);
                                if (r >= 0)
                                        r = copy_string((char *)ret + strings[i].offset, strings[i].size,
                                                        value);
                        }
                if (!known && streq(key, SIDECAR_REPLY_MTU)) {
                        known = true;
                        r = sym_sd_bus_message_read(reply, "v", "u", &ret->mtu);
                }
                if (!known)
                        r = sym_sd_bus_message_skip(reply, "v");
                if (r >= 0)
                        r = sym_sd_bus_message_exit_container(reply);
        }
        if (r >= 0)
                r = sym_sd_bus_message_exit_container(reply);
        if (r >= 0 && (!ret->host_ifname[0] || !ret->address[0]))
                r = -EBADMSG;
        return r;
}

int sidecar_setup_network(sd_bus *bus, const char *name, int pidfd, const Network *n, SidecarNetwork *ret,
                          char **ret_error) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus_message *m = NULL, *reply = NULL;
        sd_bus *b = NULL;
        SidecarNetwork out = {};
        int r;

        r = bus_get(bus, &b);
        if (r >= 0)
                r = sym_sd_bus_message_new_method_call(b, &m, SIDECAR_BUS_NAME, SIDECAR_OBJECT_PATH,
                                                       SIDECAR_INTERFACE, SIDECAR_METHOD_SETUP_NETWORK_EX);
        if (r >= 0)
                r = sym_sd_bus_message_append(m, "sh", name, pidfd);
        if (r >= 0)
                r = sym_sd_bus_message_open_container(m, 'a', "{sv}");
        if (r >= 0 && n) {
                r = append_string_option(m, SIDECAR_OPTION_BRIDGE, n->bridge);
                if (r >= 0)
                        r = append_string_option(m, SIDECAR_OPTION_ADDRESS, n->address);
                if (r >= 0)
                        r = append_string_option(m, SIDECAR_OPTION_GATEWAY, n->gateway);
                if (r >= 0 && n->mtu > 0)
                        r = sym_sd_bus_message_append(m, "{sv}", SIDECAR_OPTION_MTU, "u", n->mtu);
                if (r >= 0 && n->publish)
                        r = append_strv_option(m, SIDECAR_OPTION_PUBLISH, n->publish);
                if (r >= 0)
                        r = sym_sd_bus_message_append(m, "{sv}", SIDECAR_OPTION_IPV6, "b", (int)n->ipv6);
                if (r >= 0 && n->ipv6)
                        r = append_string_option(m, SIDECAR_OPTION_ADDRESS6, n->address6);
        }
        if (r >= 0)
                r = sym_sd_bus_message_close_container(m);
        if (r >= 0)
                r = sidecar_call(b, m, &reply, ret_error);
        if (r >= 0)
                r = read_setup_reply(reply, &out);
        if (r >= 0) {
                strcpy(out.peer_ifname, SIDECAR_PEER_IFNAME);
                *ret = out;
        } else
                set_error(&error, r, ret_error);
        sym_sd_bus_error_free(&error);
        sym_sd_bus_message_unref(reply);
        sym_sd_bus_message_unref(m);
        bus_put(bus, b);
        return r;
}

int sidecar_release_network(sd_bus *bus, const char *name, char **ret_error) {
        sd_bus_error error = SD_BUS_ERROR_NULL;
        sd_bus *b = NULL;
        int r;

        r = bus_get(bus, &b);
        if (r >= 0)
                sidecar_budget_extend_for_release();
        if (r >= 0)
                r = sym_sd_bus_call_method(b, SIDECAR_BUS_NAME, SIDECAR_OBJECT_PATH, SIDECAR_INTERFACE,
                                           SIDECAR_METHOD_RELEASE_NETWORK, &error, NULL,
                                           SIDECAR_SIGNATURE_RELEASE_IN, name);
        if (r < 0)
                set_error(&error, r, ret_error);
        sym_sd_bus_error_free(&error);
        bus_put(bus, b);
        return r;
}
