/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "sidecar.h"

uint64_t name_hash(const char *name, uint64_t salt) {
        /* Stable across versions and machines, which is all the allocators need (the
         * hint only has to be the same every time). */
        return sidecar_hash(name, strlen(name), salt);
}

void veth_host_ifname(const char *name, unsigned attempt, char ret[static IFNAMSIZ]) {
        const size_t room = IFNAMSIZ - 1 - STRLEN(VETH_IFNAME_PREFIX); /* 11 */

        assert(name);

        if (attempt == 0 && strlen(name) <= room) {
                snprintf(ret, IFNAMSIZ, VETH_IFNAME_PREFIX "%s", name);
                return;
        }
        /* "nsc-" + 5 characters of NAME + "-" + 5 hex digits (20 bits) of a hash: the
         * prefix keeps it recognizable, the hash unique; a clash (checked through the
         * interface alias) moves on to the next attempt. */
        snprintf(ret, IFNAMSIZ, VETH_IFNAME_PREFIX "%.5s-%05x", name,
                 (unsigned)(name_hash(name, attempt) & 0xfffff));
}
