/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* IPv4 and IPv6 addresses and prefixes as text: the one parser the config, the
 * sidecar, the helper and the CLI use, so that they read "10.77.0.5/16" alike. Pure
 * (no allocation, no logging); every function returns 0 or -EINVAL. */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct InAddr {
        int family; /* AF_INET or AF_INET6 */
        union {
                struct in_addr in;
                struct in6_addr in6;
                uint8_t bytes[16];
        };
} InAddr;

/* "10.77.0.5" (the dotted quad only: no "10.1" shorthand, no leading zeros) or an IPv6
 * address as inet_pton(3) reads it ("fd77::5", no zone, no brackets). */
int in_addr_parse(const char *s, InAddr *ret);
/* "ADDRESS/N", N in decimal from 0 to 32 (IPv4) or 128 (IPv6). */
int in_addr_prefix_parse(const char *s, InAddr *ret, unsigned *ret_prefixlen);

/* 4 or 16. */
size_t in_addr_size(const InAddr *a);
/* The bits of the family: 32 or 128. */
unsigned in_addr_bits(const InAddr *a);
bool in_addr_equal(const InAddr *a, const InAddr *b);
bool in_addr_is_any(const InAddr *a); /* 0.0.0.0 or :: */

/* IPv4 in host byte order, and back. */
uint32_t in_addr_ipv4(const InAddr *a);
InAddr in_addr_from_ipv4(uint32_t host_order);

/* The address as inet_ntop(3) writes it. */
const char *in_addr_to_string(const InAddr *a, char buf[static INET6_ADDRSTRLEN]);
