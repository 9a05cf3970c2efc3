/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A published port, as network.publish writes it (nscontain.json(5)), in docker's and
 * podman's syntax:
 *
 *     [HOST_IP:]HOST_PORT[-END]:CONTAINER_PORT[-END][/tcp|/udp]
 *
 * "8080:80", "127.0.0.1:8443:443/tcp", "5353:53/udp", "9000-9009:9000-9009",
 * "[::1]:5353:53/udp" (an IPv6 host address in brackets). Ports are 1–65535, a range
 * goes from low to high and both ranges have the same length; the protocol defaults
 * to tcp. The one parser for the config, the sidecar and the CLI. Pure. */

#include <stdbool.h>
#include <stdint.h>

#include "in-addr.h"

typedef struct PortSpec {
        InAddr host_address; /* family 0 (AF_UNSPEC): every address of the host, both families */
        uint16_t host_port_first, host_port_last; /* equal for one port */
        uint16_t container_port_first, container_port_last;
        int protocol; /* IPPROTO_TCP or IPPROTO_UDP */
} PortSpec;

/* "[" + IPv6 + "]:" + "65535-65535:65535-65535/udp" and the NUL. */
#define PORT_SPEC_STRING_MAX (INET6_ADDRSTRLEN + 3 + 28 + 1)

/* Parses s. On a refusal returns -EINVAL and points *ret_reason (when not NULL) at a
 * static sentence saying what is wrong, for a message "invalid port spec "S": REASON". */
int port_spec_parse(const char *s, PortSpec *ret, const char **ret_reason);

/* The canonical text ("8080:80/tcp", "[::1]:5353:53/udp", "9000-9009:9000-9009/tcp"),
 * which port_spec_parse() reads back to the same PortSpec. */
const char *port_spec_to_string(const PortSpec *p, char buf[static PORT_SPEC_STRING_MAX]);

/* Whether a and b claim a host port in common: the same protocol, intersecting host
 * port ranges, and host addresses that can meet (either unspecified, either the
 * wildcard of the other's family, or equal). */
bool port_spec_conflict(const PortSpec *a, const PortSpec *b);

/* The number of ports in the spec's ranges: 1 for a single port. */
static inline unsigned port_spec_count(const PortSpec *p) {
        return (unsigned)p->host_port_last - p->host_port_first + 1;
}
