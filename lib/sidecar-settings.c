/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "fileio.h"
#include "ifname.h"
#include "parse-util.h"
#include "sidecar-settings.h"

#define DEFAULT_POOL      "10.77.0.0/16"
#define SETTINGS_SIZE_MAX (64U * 1024U)

void settings_init(Settings *s) {
        assert(s);
        *s = (Settings){};
        strcpy(s->bridge, DEFAULT_BRIDGE);
        (void)pool_parse(DEFAULT_POOL, &s->pool);
}

static char *strip(char *s) {
        char *e;

        while (isspace((unsigned char)*s))
                s++;
        e = s + strlen(s);
        while (e > s && isspace((unsigned char)e[-1]))
                *--e = 0;
        return s;
}

_printf_(3, 4) static int errorf(char **ret_error, unsigned line, const char *fmt, ...) {
        if (ret_error) {
                char *m = NULL;
                char text[512];
                va_list ap;

                va_start(ap, fmt);
                vsnprintf(text, sizeof(text), fmt, ap);
                va_end(ap);
                if (asprintf(&m, "line %u: %s", line, text) < 0)
                        return -ENOMEM;
                free(*ret_error);
                *ret_error = m;
        }
        return -EINVAL;
}

int settings_parse(Settings *s, const char *text, char **ret_error) {
        _cleanup_free_ char *copy = NULL;
        unsigned line = 0;
        char *p, *next;

        assert(s && text);

        copy = strdup(text);
        if (!copy)
                return -ENOMEM;

        for (p = copy; p; p = next) {
                char *key, *value, *eq;

                next = strchr(p, '\n');
                if (next)
                        *next++ = 0;
                line++;

                key = strip(p);
                if (*key == 0 || *key == '#' || *key == ';')
                        continue;
                /* A section header is allowed (and ignored) so the file may look like
                 * every other systemd-style configuration file. */
                if (*key == '[') {
                        if (!streq(key, "[Sidecar]"))
                                return errorf(ret_error, line, "unknown section '%s', expected [Sidecar]",
                                              key);
                        continue;
                }
                eq = strchr(key, '=');
                if (!eq)
                        return errorf(ret_error, line, "'%s' is not of the form Key=Value", key);
                *eq = 0;
                value = strip(eq + 1);
                key = strip(key);

                if (streq(key, "Bridge")) {
                        if (!ifname_is_valid(value))
                                return errorf(ret_error, line, "Bridge=%s is not a valid interface name",
                                              value);
                        strcpy(s->bridge, value);
                } else if (streq(key, "Pool")) {
                        if (pool_parse(value, &s->pool) < 0)
                                return errorf(
                                        ret_error, line,
                                        "Pool=%s is not an IPv4 network with a prefix length of 8 to 30 "
                                        "(for example 10.77.0.0/16)",
                                        value);
                } else if (streq(key, "Pool6")) {
                        if (pool6_parse(value, &s->pool6) < 0)
                                return errorf(ret_error, line,
                                              "Pool6=%s is not an IPv6 network with a prefix length of 64 "
                                              "to 120 (for example fd00:77::/64)",
                                              value);
                        s->pool6_set = true;
                } else if (streq(key, "MTU")) {
                        char *end = NULL;
                        unsigned long v;

                        errno = 0;
                        v = strtoul(value, &end, 10);
                        if (errno != 0 || !end || *end || end == value || v < 68 || v > 65535)
                                return errorf(ret_error, line, "MTU=%s is not a number from 68 to 65535",
                                              value);
                        s->mtu = (uint32_t)v;
                } else
                        return errorf(ret_error, line, "unknown key '%s' (known: Bridge, Pool, Pool6, MTU)",
                                      key);
        }
        return 0;
}

int settings_load(Settings *s, const char *path, const char *machine_id_path, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        int r;

        assert(s && path && machine_id_path);

        settings_init(s);
        r = read_full_file_at(AT_FDCWD, path, SETTINGS_SIZE_MAX, &text, NULL);
        if (r < 0 && r != -ENOENT) {
                if (ret_error && asprintf(ret_error, "cannot read it: %s", strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        if (r >= 0) {
                r = settings_parse(s, text, ret_error);
                if (r < 0)
                        return r;
        }
        if (s->pool6_set)
                return 0;
        r = sidecar_pool6_default(machine_id_path, &s->pool6);
        if (r < 0 && ret_error &&
            asprintf(ret_error, "no Pool6= and no default IPv6 pool: cannot read a machine ID from %s: %s",
                     machine_id_path, strerror(-r)) < 0)
                *ret_error = NULL;
        return r;
}

static uint32_t prefix_mask(unsigned prefixlen) {
        return prefixlen == 0 ? 0 : UINT32_MAX << (32 - prefixlen);
}

int pool_parse(const char *s, Pool *ret) {
        unsigned prefixlen;
        InAddr addr;
        uint32_t a;

        assert(ret);
        if (in_addr_prefix_parse(s, &addr, &prefixlen) < 0 || addr.family != AF_INET)
                return -EINVAL;
        a = in_addr_ipv4(&addr);
        /* At least one address for a container besides network, gateway, broadcast. */
        if (prefixlen < 8 || prefixlen > 30)
                return -EINVAL;
        if ((a & ~prefix_mask(prefixlen)) != 0)
                return -EINVAL;
        *ret = (Pool){.network = a, .prefixlen = prefixlen};
        return 0;
}

uint32_t pool_gateway(const Pool *p) {
        return p->network + 1;
}

/* The host part: the low 128 - prefixlen bits, at most 64 of them (a pool that was
 * never set, prefix length 0, counts as a /64 of ::). */
static uint64_t host_mask(unsigned prefixlen) {
        if (prefixlen <= 64)
                return UINT64_MAX;
        if (prefixlen >= 128)
                return 0;
        return UINT64_MAX >> (prefixlen - 64);
}

static uint64_t low64(const InAddr *a) {
        uint64_t v = 0;
        for (size_t i = 8; i < 16; i++)
                v = v << 8 | a->bytes[i];
        return v;
}

int pool6_parse(const char *s, Pool6 *ret) {
        unsigned prefixlen;
        InAddr addr;

        assert(ret);
        if (in_addr_prefix_parse(s, &addr, &prefixlen) < 0 || addr.family != AF_INET6)
                return -EINVAL;
        if (prefixlen < SIDECAR_POOL6_PREFIX_MIN || prefixlen > SIDECAR_POOL6_PREFIX_MAX)
                return -EINVAL;
        if ((low64(&addr) & host_mask(prefixlen)) != 0)
                return -EINVAL;
        *ret = (Pool6){.network = addr, .prefixlen = prefixlen};
        return 0;
}

uint64_t sidecar_hash(const void *data, size_t size, uint64_t salt) {
        uint64_t h = 0xcbf29ce484222325ULL;
        const uint8_t *p = data;

        for (unsigned i = 0; i < 8; i++) {
                h ^= (salt >> (8 * i)) & 0xff;
                h *= 0x100000001b3ULL;
        }
        for (size_t i = 0; i < size; i++) {
                h ^= p[i];
                h *= 0x100000001b3ULL;
        }
        return h;
}

int sidecar_pool6_default(const char *machine_id_path, Pool6 *ret) {
        _cleanup_free_ char *text = NULL;
        uint8_t id[16];
        uint64_t h;
        InAddr a = {.family = AF_INET6};
        int r;

        assert(machine_id_path && ret);

        r = read_full_file_at(AT_FDCWD, machine_id_path, 64, &text, NULL);
        if (r < 0)
                return r;
        /* 32 lowercase hex digits and a newline (machine-id(5)). */
        for (size_t i = 0; i < 16; i++) {
                int hi = unhexchar(text[2 * i]), lo = hi < 0 ? -1 : unhexchar(text[2 * i + 1]);
                if (hi < 0 || lo < 0)
                        return -EBADMSG;
                id[i] = (uint8_t)(hi << 4 | lo);
        }
        if (text[32] != 0 && text[32] != '\n')
                return -EBADMSG;

        /* fd00::/8 and a 40-bit Global ID (RFC 4193 3.2); the salt keeps it apart from
         * any other hash of the same machine ID. */
        h = sidecar_hash(id, sizeof(id), 0x6e73632d706f6f36ULL /* "nsc-poo6" */);
        a.bytes[0] = 0xfd;
        for (size_t i = 0; i < 5; i++)
                a.bytes[1 + i] = (uint8_t)(h >> (8 * i));
        *ret = (Pool6){.network = a, .prefixlen = 64};
        return 0;
}

InAddr pool6_address(const Pool6 *p, uint64_t offset) {
        InAddr a = p->network;
        uint64_t low = low64(&a) | (offset & host_mask(p->prefixlen));

        for (size_t i = 16; i > 8; i--, low >>= 8)
                a.bytes[i - 1] = (uint8_t)low;
        return a;
}

bool pool6_offset(const Pool6 *p, const InAddr *a, uint64_t *ret) {
        uint64_t m = host_mask(p->prefixlen);

        if (a->family != AF_INET6 || memcmp(a->bytes, p->network.bytes, 8) != 0 ||
            (low64(a) & ~m) != (low64(&p->network) & ~m))
                return false;
        if (ret)
                *ret = low64(a) & m;
        return true;
}

uint64_t pool6_last(const Pool6 *p) {
        return host_mask(p->prefixlen);
}

const char *pool6_to_string(const Pool6 *p, char buf[static INET6_ADDRSTRLEN + 4]) {
        char a[INET6_ADDRSTRLEN];

        snprintf(buf, INET6_ADDRSTRLEN + 4, "%s/%u", in_addr_to_string(&p->network, a), p->prefixlen);
        return buf;
}
