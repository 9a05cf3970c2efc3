/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/nscontain/sidecar.conf through settings_parse(): never crashes or leaks; on
 * success the settings hold a valid bridge name, a pool of /8 to /30 with its host
 * bits clear and an MTU of 0 or 68–65535; on failure one "line N: …" message. */

#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "ifname.h"
#include "sidecar.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Settings s;
        char *text, *error = NULL;
        int r;

        if (size > 64 * 1024) /* the daemon reads a small file */
                return 0;
        text = fuzz_strndup(data, size);
        if (!text)
                return 0;

        settings_init(&s);
        r = settings_parse(&s, text, &error);
        if (r < 0) {
                fuzz_check(r == -EINVAL || r == -ENOMEM);
                if (r == -EINVAL)
                        fuzz_check(error && strncmp(error, "line ", 5) == 0);
        } else {
                fuzz_check(!error);
                fuzz_check(memchr(s.bridge, 0, sizeof(s.bridge)) && ifname_is_valid(s.bridge));
                fuzz_check(s.pool.prefixlen >= 8 && s.pool.prefixlen <= 30);
                fuzz_check((s.pool.network & ((1U << (32 - s.pool.prefixlen)) - 1)) == 0);
                fuzz_check(pool_contains(&s.pool, pool_gateway(&s.pool) + 1));
                fuzz_check(!pool_contains(&s.pool, pool_gateway(&s.pool)));
                fuzz_check(s.mtu == 0 || (s.mtu >= 68 && s.mtu <= 65535));
                if (s.pool6_set) {
                        /* A valid Pool6= written back is the same pool; its gateway is in it. */
                        char buf[INET6_ADDRSTRLEN + 4];
                        Pool6 again;
                        InAddr gw = pool6_address(&s.pool6, 1);
                        uint64_t off;

                        fuzz_check(pool6_parse(pool6_to_string(&s.pool6, buf), &again) == 0);
                        fuzz_check(in_addr_equal(&again.network, &s.pool6.network));
                        fuzz_check(pool6_offset(&s.pool6, &gw, &off) && off == 1);
                }
        }
        free(error);
        free(text);
        return 0;
}
