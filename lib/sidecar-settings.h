/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* /etc/nscontain/sidecar.conf (nscontain-sidecar(8), "SETTINGS"): the bridge, the
 * address pools and the MTU. The sidecar runs by them; "nscontain validate" and the
 * generator's --dry-run read the same file to check a config's "address6" against the
 * IPv6 pool the start would lease from (lib/preflight.c). Library code: never logs. */

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "in-addr.h"

#define SIDECAR_SETTINGS_FILE "/etc/nscontain/sidecar.conf"
#define SIDECAR_MACHINE_ID    "/etc/machine-id"

typedef struct Pool {
        uint32_t network; /* host byte order */
        unsigned prefixlen;
} Pool;

/* The IPv6 pool: the network (the bits after the prefix are zero), a prefix length from
 * SIDECAR_POOL6_PREFIX_MIN to SIDECAR_POOL6_PREFIX_MAX. Offset 1 is the bridge's
 * address (the containers' gateway), 0 the subnet-router anycast address. */
typedef struct Pool6 {
        InAddr network;
        unsigned prefixlen;
} Pool6;

#define SIDECAR_POOL6_PREFIX_MIN 64
#define SIDECAR_POOL6_PREFIX_MAX 120

typedef struct Settings {
        char bridge[IFNAMSIZ];
        Pool pool;
        Pool6 pool6;
        bool pool6_set; /* Pool6= given; else the default of sidecar_pool6_default() */
        uint32_t mtu;   /* 0: leave the bridge's */
} Settings;

void settings_init(Settings *s);
/* Parses the "Key=Value" text of sidecar.conf. On error returns -EINVAL and a message
 * "line N: …" in *ret_error. Unknown keys are errors too (a typo must not silently
 * give the default). */
int settings_parse(Settings *s, const char *text, char **ret_error);
/* settings_init(), then the file at path when it exists, then the default IPv6 pool
 * from machine_id_path when Pool6= is not set. On error *ret_error says what (the
 * file's "line N: …", or that the machine ID cannot be read). */
int settings_load(Settings *s, const char *path, const char *machine_id_path, char **ret_error);

int pool_parse(const char *s, Pool *ret);
uint32_t pool_gateway(const Pool *p);

/* "fd12:3456:789a::/64": an IPv6 network, the prefix length as above, no host bits. */
int pool6_parse(const char *s, Pool6 *ret);
/* The default IPv6 pool: a ULA /64 (RFC 4193) whose 40-bit Global ID is a hash of the
 * machine ID (the file's 128 bits, never the ID itself), subnet ID 0: the same on every
 * start of one machine, different between machines. -errno when the file is missing or
 * not a machine ID. */
int sidecar_pool6_default(const char *machine_id_path, Pool6 *ret);
/* The pool's address at offset (the offset's bits OR'ed into the host part). */
InAddr pool6_address(const Pool6 *p, uint64_t offset);
/* The address's offset in the pool; false when it is outside. */
bool pool6_offset(const Pool6 *p, const InAddr *a, uint64_t *ret);
/* The number of offsets in the pool minus one: offsets 0 … pool6_last(p). */
uint64_t pool6_last(const Pool6 *p);
/* "fd12:3456:789a::/64" */
const char *pool6_to_string(const Pool6 *p, char buf[static INET6_ADDRSTRLEN + 4]);

/* FNV-1a over the salt's 8 bytes and then the data: a hash that is the same on every
 * machine and in every version, for the allocators' hints and the default pool. */
uint64_t sidecar_hash(const void *data, size_t size, uint64_t salt);
