/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "in-addr.h"
#include "parse-util.h"

int in_addr_parse(const char *s, InAddr *ret) {
        InAddr a = {};

        if (!s || !*s)
                return -EINVAL;
        /* glibc's inet_pton takes the dotted quad only (no "10.1", no octal) for IPv4
         * and no zone index ("%eth0") for IPv6. */
        if (inet_pton(AF_INET, s, &a.in) == 1)
                a.family = AF_INET;
        else if (inet_pton(AF_INET6, s, &a.in6) == 1)
                a.family = AF_INET6;
        else
                return -EINVAL;
        if (ret)
                *ret = a;
        return 0;
}

int in_addr_prefix_parse(const char *s, InAddr *ret, unsigned *ret_prefixlen) {
        char buf[INET6_ADDRSTRLEN];
        const char *slash;
        uint64_t prefixlen;
        InAddr a;
        size_t l;

        if (!s)
                return -EINVAL;
        slash = strchr(s, '/');
        if (!slash)
                return -EINVAL;
        l = (size_t)(slash - s);
        if (l == 0 || l >= sizeof(buf))
                return -EINVAL;
        memcpy(buf, s, l);
        buf[l] = 0;
        if (in_addr_parse(buf, &a) < 0)
                return -EINVAL;

        /* Digits only: no sign, no space, no "0x" (strtoul would take " +16"). */
        l = strlen(slash + 1);
        if (l > 3 || decimal_parse(slash + 1, l, in_addr_bits(&a), &prefixlen) < 0)
                return -EINVAL;

        if (ret)
                *ret = a;
        if (ret_prefixlen)
                *ret_prefixlen = (unsigned)prefixlen;
        return 0;
}

size_t in_addr_size(const InAddr *a) {
        return a->family == AF_INET6 ? 16 : 4;
}

unsigned in_addr_bits(const InAddr *a) {
        return (unsigned)in_addr_size(a) * 8;
}

bool in_addr_equal(const InAddr *a, const InAddr *b) {
        return a->family == b->family && memcmp(a->bytes, b->bytes, in_addr_size(a)) == 0;
}

bool in_addr_is_any(const InAddr *a) {
        static const uint8_t zero[16];
        return memcmp(a->bytes, zero, in_addr_size(a)) == 0;
}

uint32_t in_addr_ipv4(const InAddr *a) {
        return ntohl(a->in.s_addr);
}

InAddr in_addr_from_ipv4(uint32_t host_order) {
        return (InAddr){.family = AF_INET, .in.s_addr = htonl(host_order)};
}

const char *in_addr_to_string(const InAddr *a, char buf[static INET6_ADDRSTRLEN]) {
        return inet_ntop(a->family, a->bytes, buf, INET6_ADDRSTRLEN);
}
