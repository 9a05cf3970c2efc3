/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The bus contract of nscontain-sidecar (nscontain-sidecar(8)):
 * names, methods and their signatures, SetupNetwork's option keys and the rules of
 * every value a caller sends. The sidecar (sidecar/bus.c, sidecar/args.c), its client
 * in the helper and the CLI use these, and the config parser checks network and
 * user_namespace values with the same rules, so that what "nscontain validate"
 * accepts the sidecar accepts, and what it refuses is refused in the same words. */

#include <stdint.h>

#include "in-addr.h"
#include "port-spec.h"
#include "sidecar-settings.h"

#define SIDECAR_BUS_NAME    "org.nscontain.Sidecar1"
#define SIDECAR_OBJECT_PATH "/org/nscontain/Sidecar1"
#define SIDECAR_INTERFACE   "org.nscontain.Sidecar1"

/* AcquireUserRange(s name, u size) → (u base, u size) */
#define SIDECAR_METHOD_ACQUIRE_USER_RANGE "AcquireUserRange"
#define SIDECAR_SIGNATURE_ACQUIRE_IN      "su"
#define SIDECAR_SIGNATURE_ACQUIRE_OUT     "uu"
/* SetupNetwork(s name, h pidfd, a{sv} options) → (s host_ifname, s address, s gateway, u mtu) */
#define SIDECAR_METHOD_SETUP_NETWORK "SetupNetwork"
#define SIDECAR_SIGNATURE_SETUP_IN   "sha{sv}"
#define SIDECAR_SIGNATURE_SETUP_OUT  "sssu"
/* SetupNetworkEx(s name, h pidfd, a{sv} options) → a{sv}: SetupNetwork with the IPv6
 * options (SIDECAR_OPTION_IPV6, SIDECAR_OPTION_ADDRESS6) and an answer that can grow,
 * the SIDECAR_REPLY_* keys. SetupNetwork itself sets up IPv4 only, as it always did
 * (its answer has no room for a second address). */
#define SIDECAR_METHOD_SETUP_NETWORK_EX "SetupNetworkEx"
#define SIDECAR_SIGNATURE_SETUP_EX_OUT  "a{sv}"
#define SIDECAR_REPLY_HOST_IFNAME       "host_ifname" /* s */
#define SIDECAR_REPLY_ADDRESS           "address"     /* s: CIDR */
#define SIDECAR_REPLY_GATEWAY           "gateway"     /* s: "" when none */
#define SIDECAR_REPLY_MTU               "mtu"         /* u */
#define SIDECAR_REPLY_ADDRESS6          "address6"    /* s: CIDR, "" without IPv6 */
#define SIDECAR_REPLY_GATEWAY6          "gateway6"    /* s: "" without IPv6 */
/* ReleaseNetwork(s name) */
#define SIDECAR_METHOD_RELEASE_NETWORK "ReleaseNetwork"
#define SIDECAR_SIGNATURE_RELEASE_IN   "s"
/* ListContainers() → a(suss): name, uid base, address, host interface */
#define SIDECAR_METHOD_LIST_CONTAINERS "ListContainers"
#define SIDECAR_SIGNATURE_LIST_OUT     "a(suss)"
#define SIDECAR_SIGNATURE_LIST_ENTRY   "(suss)"
/* ListContainersEx() → a(sa{sv}): name and the SIDECAR_LIST_* keys it has. */
#define SIDECAR_METHOD_LIST_CONTAINERS_EX "ListContainersEx"
#define SIDECAR_SIGNATURE_LIST_EX_OUT     "a(sa{sv})"
#define SIDECAR_SIGNATURE_LIST_EX_ENTRY   "(sa{sv})"
#define SIDECAR_LIST_UID_BASE             "uid_base"    /* u, when it has a range */
#define SIDECAR_LIST_UID_SIZE             "uid_size"    /* u */
#define SIDECAR_LIST_ADDRESS              "address"     /* s, CIDR when in the pool */
#define SIDECAR_LIST_ADDRESS6             "address6"    /* s, CIDR */
#define SIDECAR_LIST_HOST_IFNAME          "host_ifname" /* s, while its veth exists */

/* Errors besides the uniform org.freedesktop.DBus.Error.AccessDenied and InvalidArgs. */
#define SIDECAR_ERROR_NO_SPACE       "org.nscontain.Sidecar1.Error.NoSpace"
#define SIDECAR_ERROR_CANNOT_GROW    "org.nscontain.Sidecar1.Error.RangeCannotGrow"
#define SIDECAR_ERROR_ADDRESS_IN_USE "org.nscontain.Sidecar1.Error.AddressInUse"
#define SIDECAR_ERROR_NOT_A_BRIDGE   "org.nscontain.Sidecar1.Error.NotABridge"
/* A host port of network.publish that another running container publishes. */
#define SIDECAR_ERROR_PORT_IN_USE "org.nscontain.Sidecar1.Error.PortInUse"

/* SetupNetwork's options (a{sv}); "" or "auto" for a string option is the default. */
#define SIDECAR_OPTION_BRIDGE   "bridge"   /* s: an interface name (lib/ifname.h) */
#define SIDECAR_OPTION_ADDRESS  "address"  /* s: sidecar_check_address() */
#define SIDECAR_OPTION_GATEWAY  "gateway"  /* s: sidecar_check_gateway() */
#define SIDECAR_OPTION_MTU      "mtu"      /* u: 0 (default) or SIDECAR_MTU_MIN–SIDECAR_MTU_MAX */
#define SIDECAR_OPTION_PUBLISH  "publish"  /* as: port specs, each sidecar_publish_add() */
#define SIDECAR_OPTION_IPV6     "ipv6"     /* b: SetupNetworkEx only; default true */
#define SIDECAR_OPTION_ADDRESS6 "address6" /* s: SetupNetworkEx only; sidecar_check_address6() */
#define SIDECAR_OPTIONS_KNOWN   "bridge, address, gateway, mtu, publish, ipv6, address6"

#define SIDECAR_MTU_MIN  68
#define SIDECAR_MTU_MAX  65535
#define SIDECAR_MTU_RULE "a number from 68 to 65535"

/* The veth peer's name in the container's network namespace, where SetupNetwork
 * creates it and the helper's child renames it eth0. */
#define SIDECAR_PEER_IFNAME "host0"

/* AcquireUserRange's size: 0 (the default, 65536) or whole 64K blocks, at most 16. */
#define SIDECAR_RANGE_ALIGN     0x00010000U
#define SIDECAR_RANGE_SIZE_MAX  (16U * SIDECAR_RANGE_ALIGN)
#define SIDECAR_RANGE_SIZE_RULE "must be a multiple of 65536, at most 1048576"

/* The value checks. Each returns 0, or -EINVAL with *ret_reason (when not NULL) a
 * static sentence for value_refusal() (lib/escape.h): the sidecar and the config
 * parser word a refusal "invalid WHAT "VALUE": REASON" with WHAT and REASON from here.
 *
 * address: an IPv4 address with a prefix length from 8 to 30 (the pool's limits: a
 * container needs room for itself, the gateway, the network and the broadcast
 * address), not the subnet's network or broadcast address. IPv6 addresses are
 * "address6"'s. */
#define SIDECAR_ADDRESS_WHAT "address"
int sidecar_check_address(const char *s, InAddr *ret, unsigned *ret_prefixlen, const char **ret_reason);
/* address6: an IPv6 address, with no prefix length or the pool's. With pool (NULL:
 * the syntax only, what the config parser can check without the machine's settings)
 * also inside the pool and not its first two addresses (the subnet-router anycast and
 * the bridge's); that reason names the pool, in reason_buf. */
#define SIDECAR_ADDRESS6_WHAT "address6"
#define SIDECAR_REASON_MAX    192
int sidecar_check_address6(const char *s, const Pool6 *pool, InAddr *ret, const char **ret_reason,
                           char reason_buf[static SIDECAR_REASON_MAX]);
/* gateway: an IPv4 address without a prefix length. */
#define SIDECAR_GATEWAY_WHAT "gateway"
int sidecar_check_gateway(const char *s, InAddr *ret, const char **ret_reason);
/* mtu: SIDECAR_MTU_MIN–SIDECAR_MTU_MAX, or 0 when allow_default. */
int sidecar_check_mtu(uint32_t mtu, bool allow_default);
/* A range size: SIDECAR_RANGE_SIZE_RULE, or 0 (the default). */
int sidecar_check_range_size(uint32_t size);

/* publish: the published ports of one container (network.publish, the "publish"
 * option). Each spec as lib/port-spec.h reads it, with an IPv4 or IPv6 host address or
 * none (then both families, as far as the container has them); no host port twice; at most
 * SIDECAR_PUBLISH_PORTS_MAX host ports in all (a range counts port by port). Appends
 * the spec of s to *list, or returns -EINVAL with *ret_reason, or -ENOMEM. */
#define SIDECAR_PUBLISH_WHAT      "port spec"
#define SIDECAR_PUBLISH_PORTS_MAX 1024
int sidecar_publish_add(PortSpec **list, size_t *n, const char *s, const char **ret_reason);
