/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* args.c: the checks of what a caller sends, before the sidecar acts on any of it
 * (NAME, a range size, SetupNetwork's a{sv} options). Pure: it reads the message and
 * fills an sd_bus_error, never logs, never touches the kernel or the state, so
 * tests/unit/test-sidecar-args.c and fuzz/fuzz-sidecar-args.c call it directly.
 *
 * Every function returns 0 when the argument is good, or a negative errno: with
 * 'error' set when the caller sent something we refuse (the answer to send), without
 * it on allocation failure or a message that cannot be read. */

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-bus.h>

#include "sidecar-bus.h"
#include "sidecar.h"

typedef struct NetworkOptions {
        const char *bridge;  /* the settings' bridge, or a valid interface name */
        const char *address; /* as given; NULL: auto */
        uint32_t address_value;
        unsigned prefixlen;  /* 8–30 when address is set */
        const char *gateway; /* as given; NULL: auto */
        uint32_t gateway_value;
        uint32_t mtu;      /* 0: the settings' or the bridge's, else 68–65535 */
        PortSpec *publish; /* owned: network_options_done() */
        size_t n_publish;
        int ipv6;              /* -1: not given (SetupNetworkEx: true; SetupNetwork: false) */
        const char *address6;  /* as given; NULL: auto */
        InAddr address6_value; /* in the settings' IPv6 pool */
} NetworkOptions;

void network_options_done(NetworkOptions *o);

int arg_check_name(const char *name, sd_bus_error *error);
/* AcquireUserRange's size: sidecar_check_range_size() (lib/sidecar-bus.h). */
int arg_check_range_size(uint32_t size, sd_bus_error *error);
/* Reads SetupNetwork's options, the a{sv} at the message's read position, with the
 * rules of lib/sidecar-bus.h: "bridge", "address", "gateway", "address6" (s; "" or
 * "auto" for the default), "mtu" (u), "publish" (as) and "ipv6" (b). Unknown keys and wrong types are
 * refused: a typo must not silently give the default. Strings in *ret point into the message. */
int network_options_parse(sd_bus_message *m, const Settings *settings, NetworkOptions *ret,
                          sd_bus_error *error);
