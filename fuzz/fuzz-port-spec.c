/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* network.publish's port specs (lib/port-spec.c) come from a config file and reach the
 * sidecar's nftables rules. Never a crash; an accepted spec has ports in 1–65535,
 * ranges from low to high of the same length, tcp or udp, and its canonical text reads
 * back to the same spec; a refusal always says why. */

#include <string.h>

#include "fuzz.h"
#include "port-spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        char buf[PORT_SPEC_STRING_MAX];
        const char *reason = NULL;
        PortSpec p, q;
        char *s;

        if (size > 4096)
                return 0;
        s = fuzz_strndup(data, size);
        if (!s)
                return 0;

        if (port_spec_parse(s, &p, &reason) < 0) {
                fuzz_check(reason && *reason);
                free(s);
                return 0;
        }
        fuzz_check(p.host_port_first >= 1 && p.container_port_first >= 1);
        fuzz_check(p.host_port_first <= p.host_port_last);
        fuzz_check(p.container_port_first <= p.container_port_last);
        fuzz_check(p.host_port_last - p.host_port_first == p.container_port_last - p.container_port_first);
        fuzz_check(p.protocol == IPPROTO_TCP || p.protocol == IPPROTO_UDP);
        fuzz_check(p.host_address.family == 0 || p.host_address.family == AF_INET ||
                   p.host_address.family == AF_INET6);
        fuzz_check(port_spec_conflict(&p, &p));

        port_spec_to_string(&p, buf);
        fuzz_check(strlen(buf) < sizeof(buf));
        fuzz_check(port_spec_parse(buf, &q, NULL) == 0);
        fuzz_check(memcmp(&p, &q, sizeof(p)) == 0);
        free(s);
        return 0;
}
