/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The helper's client of nscontain-sidecar (org.nscontain.Sidecar1, see
 * nscontain-sidecar(8)). Self-contained: sd-bus only. Every function takes an optional
 * bus (NULL: a connection of sidecar_bus_open() for this one call), returns 0 or a
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

/* How long the helper waits (sidecar-unit.c, nscontain-helper(8) "MANY CONTAINERS AT
 * ONCE"): a connection and every call on it share the unit's start timeout
 * (TimeoutStartUSec, asked of systemd only once a wait has lasted SIDECAR_SLOW_USEC;
 * SIDECAR_DEFAULT_START_TIMEOUT_USEC, systemd's default, before that and outside a
 * unit), counted from sidecar_bus_open(), less a margin so that a start fails with the
 * helper's reason before systemd's own timeout. The start's calls share its first
 * connection; the stop's come on another. A wait that lasts says so as the unit's
 * status, and in the start extends systemd's start timeout to that deadline
 * (EXTEND_TIMEOUT_USEC). A sidecar that cannot start is noticed at once, by its unit's
 * state. */
#define SIDECAR_DEFAULT_START_TIMEOUT_USEC (90ULL * 1000000ULL)
#define SIDECAR_SLOW_USEC                  (1000ULL * 1000ULL)

/* A system-bus connection that the bus has accepted (its Hello answered), for this
 * start's calls. dbus-daemon refuses connections beyond its limits (by default 256 per
 * user, all helpers are root, and 64 still authenticating): a refused or dropped
 * connection is tried again after a pause that grows from 20 ms to 1 s (with jitter),
 * until the start's deadline. Other failures (no bus at all) are returned at once. */
int sidecar_bus_open(sd_bus **ret);

/* Sends m (a method call to the sidecar) and waits for its answer, until the start's
 * deadline; gives up as soon as nscontain-sidecar.service fails to start meanwhile. On
 * failure *ret_error (when not NULL) says why, naming the unit and its state when that
 * is the cause. */
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

/* In a start that gave up on a late answer of the sidecar: systemd's start timeout
 * extended for the release that follows (it waits behind the late call), so that the
 * start fails with the helper's reason, not systemd's timeout. A no-op otherwise. */
void sidecar_budget_extend_for_release(void);

/* Removes NAME's veth; success when there is none. */
int sidecar_release_network(sd_bus *bus, const char *name, char **ret_error);
