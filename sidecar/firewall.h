/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* firewall.c: the host's NAT for the containers, in an nftables table of our own
 * ("inet nscontain", through libnftables), see nscontain-sidecar(8):
 *
 *   set masq4, masq6     container addresses whose traffic leaving the host other
 *                        than through the bridge is masqueraded (NAT66 for IPv6)
 *   map publish4, publish6   HOST_ADDRESS . PROTOCOL . HOST_PORT : ADDRESS . PORT,
 *                        the ports published on one address of the host
 *   map publish4_any, publish6_any   PROTOCOL . HOST_PORT : ADDRESS . PORT, those
 *                        published on every local address of the family
 *   chains prerouting, output    DNAT through publishN, then publishN_any, for local
 *                        destinations outside 127.0.0.0/8 and ::1 (the host's loopback
 *                        is each container's relay: nscontain-helper(8))
 *   chain postrouting    masquerade of masq4 and masq6; and of DNATed connections
 *                        entering the bridge from another container (hairpin)
 *
 * The rules are written once per sidecar start (firewall_setup()); a container's
 * entries are elements, each commented with its NAME, added at SetupNetwork and
 * removed at ReleaseNetwork (or by reconcile when its container is not running). The
 * sidecar keeps a copy of every element it knows, read back from the kernel at start:
 * the port-clash check and the removals need no listing of the table. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "in-addr.h"
#include "sidecar.h"

#define FIREWALL_FAMILY "inet"
#define FIREWALL_TABLE  "nscontain"

typedef struct Firewall Firewall;

/* One host port of a container in one family: protocol IPPROTO_TCP/IPPROTO_UDP, the
 * host address (family 0 or the any address: every local address of 'family'), the port
 * on the host and in the container. */
typedef struct PublishedPort {
        int family; /* AF_INET or AF_INET6 */
        int protocol;
        InAddr host_address;
        uint16_t host_port;
        uint16_t container_port;
} PublishedPort;

int firewall_new(Firewall **ret);
Firewall *firewall_free(Firewall *fw);
DEFINE_TRIVIAL_CLEANUP_FUNC(Firewall *, firewall_free);

/* Creates the table and (re)writes its chains for the bridge and the pool, keeping
 * every element, then reads the elements back. On failure *ret_error is the message of
 * libnftables (when it gave one). */
int firewall_setup(Firewall *fw, const char *bridge, const Pool *pool, const Pool6 *pool6, char **ret_error);
bool firewall_is_ready(const Firewall *fw);

/* The NAME of the container holding a host port that 'p' would also take, or NULL. A
 * container's own ports never clash with it. */
const char *firewall_port_holder(const Firewall *fw, const char *name, const PublishedPort *p);
/* Replaces NAME's elements by masquerade of 'address' (host order; 0: none) and of
 * 'address6' (NULL: none) and the published ports of each family the container has an
 * address of, in one transaction. */
int firewall_set_container(Firewall *fw, const char *name, uint32_t address, const InAddr *address6,
                           const PublishedPort *ports, size_t n_ports, char **ret_error);
/* Removes every element of NAME: 1 when it had some, 0 when none. */
int firewall_remove_container(Firewall *fw, const char *name);

/* The NAMEs that have elements, each once, into a NULL-terminated array of pointers
 * into fw (valid until its next change). */
int firewall_names(const Firewall *fw, const char ***ret);
