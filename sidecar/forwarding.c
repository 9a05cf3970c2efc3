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
 * IPv6 (forwarding6_enable()): from Linux 6.17 on, force_forwarding is the same per
 * interface switch (for packets coming in through it), set on the bridge and on the
 * interfaces holding an IPv6 default route. Before 6.17 only net.ipv6.conf.all.forwarding
 * forwards IPv6 at all; it also makes every interface a router, which stops it from
 * taking router advertisements where accept_ra is 1. So accept_ra=1 becomes 2 (take
 * them even when forwarding) on every interface and on "default", first; then
 * all.forwarding=1. nscontain-sidecar(8) says so.
 *
 * The interfaces holding a default route are looked for at most once a second
 * (bus.c, UPLINKS_MAX_AGE_USEC): /proc/net/ipv6_route lists a route or more per running
 * container's veth (4.7 ms to read with 500), and starts come in bursts. A default
 * route that appears gets forwarding at the first start a second after.
 *
 * Only values that are off are turned on, and nothing else is turned off again: what
 * an administrator set stays as it is. The one exception is route_localnet on the
 * sidecar's own bridge, which an earlier nscontain-sidecar turned on itself. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fileio.h"
#include "ifname.h"
#include "log.h"
#include "manager.h"

#define ROUTE_FILE_MAX (1024U * 1024U)

/* net.ipvN.conf.IFNAME.KEY from 'from' to 'to': 1 when it was changed now, 0 when it
 * held another value (left as it is). */
static int sysctl_change(const char *ipv, const char *ifname, const char *key, char from, char to) {
        _cleanup_free_ char *value = NULL;
        char path[128], text[3] = {to, '\n', 0};
        int r;

        snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", ipv, ifname, key);
        r = read_full_file_at(AT_FDCWD, path, 64, &value, NULL);
        if (r < 0)
                return r;
        if (value[0] != from || (value[1] != '\n' && value[1] != 0))
                return 0;
        r = write_string_file_at(AT_FDCWD, path, text);
        if (r < 0)
                return r;
        log_info("Set net.%s.conf.%s.%s=%c.", ipv, ifname, key, to);
        return 1;
}

/* 1 when it was turned on now, 0 when it was on already. */
static int sysctl_enable(const char *ifname, const char *key) {
        return sysctl_change("ipv4", ifname, key, '0', '1');
}

int forwarding_enable(const char *bridge, bool uplinks) {
        _cleanup_free_ char *routes = NULL;
        char *line, *save = NULL;
        int r;

        assert(bridge);

        r = sysctl_enable(bridge, "forwarding");
        if (r >= 0)
                r = sysctl_change("ipv4", bridge, "route_localnet", '1', '0');
        if (r < 0)
                return log_error_errno(r, "Failed to enable forwarding on %s: %m", bridge);
        if (!uplinks)
                return 0;

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

/* The interfaces of IPv6 default routes, from /proc/net/ipv6_route: "DEST PLEN SRC
 * SPLEN NEXTHOP METRIC REF USE FLAGS IFACE", a default route has DEST 0 and PLEN 00;
 * RTF_REJECT (0x200) marks the kernel's unreachable ones on lo. */
static int ipv6_default_route_enable(const char *key) {
        _cleanup_free_ char *routes = NULL;
        char *line, *save = NULL;
        int r;

        r = read_full_file_at(AT_FDCWD, "/proc/net/ipv6_route", ROUTE_FILE_MAX, &routes, NULL);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return log_error_errno(r, "Failed to read /proc/net/ipv6_route: %m");
        for (line = strtok_r(routes, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                char destination[33], plen[3], flags[9], ifname[IFNAMSIZ + 1];
                unsigned long f;

                if (sscanf(line, "%32s %2s %*s %*s %*s %*s %*s %*s %8s %16s", destination, plen, flags,
                           ifname) != 4 ||
                    strspn(destination, "0") != 32 || !streq(plen, "00") || !ifname_is_valid(ifname) ||
                    streq(ifname, "lo"))
                        continue;
                f = strtoul(flags, NULL, 16);
                if (f & 0x200)
                        continue;
                r = sysctl_change("ipv6", ifname, key, '0', '1');
                if (r < 0)
                        return log_error_errno(r, "Failed to set net.ipv6.conf.%s.%s: %m", ifname, key);
        }
        return 0;
}

int forwarding6_enable(const char *bridge, bool uplinks) {
        _cleanup_free_ char *value = NULL;
        char path[128];
        int r;

        assert(bridge);

        snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/force_forwarding", bridge);
        if (access(path, F_OK) >= 0) {
                r = sysctl_change("ipv6", bridge, "force_forwarding", '0', '1');
                if (r < 0)
                        return log_error_errno(r, "Failed to set net.ipv6.conf.%s.force_forwarding: %m",
                                               bridge);
                return uplinks ? ipv6_default_route_enable("force_forwarding") : 0;
        }
        if (errno != ENOENT)
                return log_error_errno(errno, "Failed to look for %s: %m", path);

        /* Before Linux 6.17: the global switch, once, keeping router advertisements. */
        r = read_full_file_at(AT_FDCWD, "/proc/sys/net/ipv6/conf/all/forwarding", 64, &value, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to read net.ipv6.conf.all.forwarding: %m");
        if (value[0] != '0')
                return 0;
        DIR *d = opendir("/proc/sys/net/ipv6/conf");
        if (!d)
                return log_error_errno(errno, "Failed to open /proc/sys/net/ipv6/conf: %m");
        r = 0;
        for (struct dirent *de; r >= 0 && (de = readdir(d));) {
                if (de->d_name[0] == '.' || streq(de->d_name, "all") || streq(de->d_name, "lo"))
                        continue;
                r = sysctl_change("ipv6", de->d_name, "accept_ra", '1', '2');
                if (r == -ENOENT)
                        r = 0; /* gone meanwhile */
                else if (r < 0)
                        log_error_errno(r, "Failed to set net.ipv6.conf.%s.accept_ra: %m", de->d_name);
        }
        closedir(d);
        if (r < 0)
                return r;
        r = sysctl_change("ipv6", "all", "forwarding", '0', '1');
        if (r < 0)
                return log_error_errno(r, "Failed to set net.ipv6.conf.all.forwarding: %m");
        return 0;
}
