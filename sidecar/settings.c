/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>

#include "config.h"
#include "ifname.h"
#include "sidecar.h"

#define DEFAULT_POOL "10.77.0.0/16"

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
                        return errorf(ret_error, line, "unknown key '%s' (known: Bridge, Pool, MTU)", key);
        }
        return 0;
}
