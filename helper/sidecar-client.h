/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The helper's client of nscontain-sidecar (org.nscontain.Sidecar1, see
 * nscontain-sidecar(8)). Self-contained: sd-bus only. Every function takes an optional
 * bus (NULL: a private system-bus connection for this one call), returns 0 or a
 * negative errno (-EACCES for the sidecar's uniform refusal), and on failure puts the
 * sidecar's message in *ret_error when that is non-NULL (free() it). */

#include <net/if.h>
#include <stdint.h>

#include "config.h"
#include "sidecar-bus.h"

typedef struct sd_bus sd_bus;
typedef struct sd_bus_message sd_bus_message;

typedef struct SidecarNetwork {
        char host_ifname[IFNAMSIZ]; /* the host side, on the bridge */
        char peer_ifname[IFNAMSIZ]; /* SIDECAR_PEER_IFNAME, in the container's netns */
        char address[64];           /* CIDR, e.g. "10.77.3.4/16" */
        char gateway[64];           /* "" when there is none */
        char address6[64];          /* CIDR, "" without IPv6 */
        char gateway6[64];          /* "" when there is none */
        uint32_t mtu;
} SidecarNetwork;

/* The longest a call may wait for an answer. A sidecar that cannot start is noticed
 * sooner, by its unit's state (sidecar-unit.c). */
#define SIDECAR_TIMEOUT_USEC (10ULL * 1000000ULL)

/* Sends m (a method call to the sidecar) and waits for its answer; gives up as soon as
 * nscontain-sidecar.service fails to start meanwhile. On failure *ret_error (when not
 * NULL) says why, naming the unit and its state when that is the cause. */
int sidecar_call(sd_bus *bus, sd_bus_message *m, sd_bus_message **ret_reply, char **ret_error);

/* NAME's uid/gid range: base of 'size' ids (0: 65536). */
int sidecar_acquire_user_range(sd_bus *bus, const char *name, uint32_t size, uint32_t *ret_base,
                               char **ret_error);

/* A veth pair for NAME (SetupNetworkEx): the peer goes into the network namespace of
 * the process behind pidfd (a process in the caller's own unit). n gives bridge,
 * address, gateway, mtu, publish, ipv6, address6 (NULL or "auto" fields: the sidecar's
 * defaults). */
int sidecar_setup_network(sd_bus *bus, const char *name, int pidfd, const Network *n, SidecarNetwork *ret,
                          char **ret_error);

/* Removes NAME's veth; success when there is none. */
int sidecar_release_network(sd_bus *bus, const char *name, char **ret_error);
