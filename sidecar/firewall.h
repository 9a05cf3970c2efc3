/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* firewall.c: the host's NAT for the containers, in an nftables table of our own
 * ("inet nscontain", through libnftables), see nscontain-sidecar(8):
 *
 *   set masq4            container addresses whose traffic leaving the host other
 *                        than through the bridge is masqueraded
 *   map publish4         HOST_ADDRESS . PROTOCOL . HOST_PORT : ADDRESS . PORT, the
 *                        ports published on one address of the host
 *   map publish4_any     PROTOCOL . HOST_PORT : ADDRESS . PORT, those published on
 *                        every local address
 *   chains prerouting, output    DNAT through publish4, then publish4_any, for local
 *                        destinations outside 127.0.0.0/8 (the host's loopback is
 *                        each container's relay: nscontain-helper(8))
 *   chain postrouting    masquerade of masq4; and of DNATed connections entering the
 *                        bridge from another container (hairpin)
 *
 * The rules are written once per sidecar start (firewall_setup()); a container's
 * entries are elements, each commented with its NAME, added at SetupNetwork and
 * removed at ReleaseNetwork (or by reconcile when its container is not running). The
 * sidecar keeps a copy of every element it knows, read back from the kernel at start:
 * the port-clash check and the removals need no listing of the table. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sidecar.h"

#define FIREWALL_FAMILY "inet"
#define FIREWALL_TABLE  "nscontain"

typedef struct Firewall Firewall;

/* One host port of a container: protocol IPPROTO_TCP/IPPROTO_UDP, the host address
 * (host order, 0 for every local address), the port on the host and in the container. */
typedef struct PublishedPort {
        int protocol;
        uint32_t host_address;
        uint16_t host_port;
        uint16_t container_port;
} PublishedPort;

int firewall_new(Firewall **ret);
Firewall *firewall_free(Firewall *fw);
DEFINE_TRIVIAL_CLEANUP_FUNC(Firewall *, firewall_free);

/* Creates the table and (re)writes its chains for the bridge and the pool, keeping
 * every element, then reads the elements back. On failure *ret_error is the message of
 * libnftables (when it gave one). */
int firewall_setup(Firewall *fw, const char *bridge, const Pool *pool, char **ret_error);
bool firewall_is_ready(const Firewall *fw);

/* The NAME of the container holding a host port that 'p' would also take, or NULL. A
 * container's own ports never clash with it. */
const char *firewall_port_holder(const Firewall *fw, const char *name, const PublishedPort *p);
/* Replaces NAME's elements by masquerade of 'address' (host order; 0: none) and the
 * published ports, in one transaction. */
int firewall_set_container(Firewall *fw, const char *name, uint32_t address, const PublishedPort *ports,
                           size_t n_ports, char **ret_error);
/* Removes every element of NAME: 1 when it had some, 0 when none. */
int firewall_remove_container(Firewall *fw, const char *name);

/* The NAMEs that have elements, each once, into a NULL-terminated array of pointers
 * into fw (valid until its next change). */
int firewall_names(const Firewall *fw, const char ***ret);
