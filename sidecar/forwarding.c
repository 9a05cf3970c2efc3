/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Forwarding for the containers' traffic, per interface, never the global switch
 * (net.ipv4.ip_forward would turn every interface of the host into a router).
 *
 * IPv4 forwards a packet only when forwarding is on for the interface it came in
 * through (measured: with it on for the bridge alone, replies from the uplink are not
 * forwarded back). So: the bridge, and every interface that holds a default route
 * when a container's network is set up.
 *
 * route_localnet stays off: it would let a container reach the host's 127.0.0.1
 * services through its gateway (CVE-2020-8558). The host's loopback reaches published
 * ports through each container's relay instead (nscontain-helper(8)).
 *
 * Only values that are off are turned on, and nothing else is turned off again: what
 * an administrator set stays as it is. The one exception is route_localnet on the
 * sidecar's own bridge, which an earlier nscontain-sidecar turned on itself. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "fileio.h"
#include "ifname.h"
#include "log.h"
#include "manager.h"

#define ROUTE_FILE_MAX (1024U * 1024U)

/* 1 when it was changed now, 0 when it was 'on' already. */
static int sysctl_set(const char *ifname, const char *key, bool on) {
        _cleanup_free_ char *value = NULL;
        char path[128];
        int r;

        snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/%s", ifname, key);
        r = read_full_file_at(AT_FDCWD, path, 64, &value, NULL);
        if (r < 0)
                return r;
        if ((value[0] == '1') == on)
                return 0;
        r = write_string_file_at(AT_FDCWD, path, on ? "1\n" : "0\n");
        if (r < 0)
                return r;
        log_info("Set net.ipv4.conf.%s.%s=%i.", ifname, key, on);
        return 1;
}

static int sysctl_enable(const char *ifname, const char *key) {
        return sysctl_set(ifname, key, true);
}

int forwarding_enable(const char *bridge) {
        _cleanup_free_ char *routes = NULL;
        char *line, *save = NULL;
        int r;

        assert(bridge);

        r = sysctl_enable(bridge, "forwarding");
        if (r >= 0)
                r = sysctl_set(bridge, "route_localnet", false);
        if (r < 0)
                return log_error_errno(r, "Failed to enable forwarding on %s: %m", bridge);

        /* "Iface Destination Gateway Flags …": destination and mask 00000000 is a
         * default route. */
        r = read_full_file_at(AT_FDCWD, "/proc/net/route", ROUTE_FILE_MAX, &routes, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read /proc/net/route: %m");
        for (line = strtok_r(routes, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char ifname[IFNAMSIZ + 1], destination[16], mask[16];

                if (sscanf(line, "%16s %15s %*s %*s %*s %*s %*s %15s", ifname, destination, mask) != 3 ||
                    !streq(destination, "00000000") || !streq(mask, "00000000") || !ifname_is_valid(ifname))
                        continue;
                r = sysctl_enable(ifname, "forwarding");
                if (r < 0)
                        return log_error_errno(r, "Failed to enable forwarding on %s: %m", ifname);
        }
        return 0;
}
