/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The loopback relay of a container's published ports (nscontain.json(5),
 * network.publish; docs/ARCHITECTURE.md "Published ports on the host's loopback").
 *
 * The kernel routes nothing from 127.0.0.1 or ::1 to another interface unless
 * route_localnet is on (and IPv6 has no such switch), and route_localnet is what
 * CVE-2020-8558 abused: so a port published on every address, on 127.0.0.1 or on
 * ::1 is answered on the host's loopback by a small process of the container's own
 * unit instead of by an nft rule. The helper binds its sockets (a port taken by
 * another program fails the start, naming it), then forks it: it lives in the unit's
 * cgroup, dies with the helper (PR_SET_PDEATHSIG) and the unit, runs as nobody with no
 * capabilities and no_new_privs, and relays each TCP connection with splice(2) and each
 * UDP client through a connected socket of its own to the container's address. A
 * container with no such publish gets no process. */

#include "failure.h"

/* Binds the loopback listeners for the canonical port specs 'publish' and forks the
 * relay to 'address' (the container's, "A.B.C.D/N"). *ret_pidfd: the relay's pidfd,
 * -EBADF when no spec needs one. On failure fills f and returns -errno. */
int proxy_start(const char *name, char *const *publish, const char *address, int *ret_pidfd, Failure *f);

/* Kills the relay and reaps it; *pidfd becomes -EBADF. Nothing when it is -EBADF. */
void proxy_stop(int *pidfd);

/* The relay's command name (/proc/PID/comm). */
#define PROXY_COMM "nscontain-proxy"
