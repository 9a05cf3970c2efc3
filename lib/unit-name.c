/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "config.h"
#include "parse-util.h"
#include "unit-name.h"

static bool escape_char_is_valid(char ch) {
        return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
               ch == ':' || ch == '_' || ch == '.';
}

int unit_name_escape(const char *s, char **ret) {
        static const char hex[] = "0123456789abcdef";
        char *buf, *t;

        assert(s && ret);

        /* Every input byte becomes at most four ("\xNN"). */
        buf = malloc(strlen(s) * 4 + 1);
        if (!buf)
                return -ENOMEM;

        t = buf;
        for (const char *f = s; *f; f++) {
                if (*f == '/')
                        *t++ = '-';
                else if (!escape_char_is_valid(*f) || (f == s && *f == '.')) {
                        /* '-' and '\' are escaped too: '-' stands for '/' and '\' starts an escape. */
                        *t++ = '\\';
                        *t++ = 'x';
                        *t++ = hex[(uint8_t)*f >> 4];
                        *t++ = hex[(uint8_t)*f & 15];
                } else
                        *t++ = *f;
        }
        *t = 0;
        *ret = buf;
        return 0;
}

int unit_name_unescape(const char *s, char **ret) {
        _cleanup_free_ char *buf = NULL;
        char *t;

        assert(s && ret);

        buf = malloc(strlen(s) + 1);
        if (!buf)
                return -ENOMEM;

        t = buf;
        for (const char *f = s; *f; f++) {
                if (*f == '-')
                        *t++ = '/';
                else if (*f == '\\') {
                        int a, b;
                        if (f[1] != 'x')
                                return -EINVAL;
                        a = unhexchar(f[2]);
                        if (a < 0)
                                return -EINVAL;
                        b = unhexchar(f[3]);
                        if (b < 0)
                                return -EINVAL;
                        if (a == 0 && b == 0) /* a NUL would truncate the result */
                                return -EINVAL;
                        *t++ = (char)((a << 4) | b);
                        f += 3;
                } else
                        *t++ = *f;
        }
        *t = 0;
        *ret = TAKE_PTR(buf);
        return 0;
}

int container_unit_name(const char *name, char **ret) {
        char *u;

        assert(ret);

        if (!config_name_is_valid(name))
                return -EINVAL;
        if (asprintf(&u, CONTAINER_UNIT_PREFIX "%s" CONTAINER_UNIT_SUFFIX, name) < 0)
                return -ENOMEM;
        *ret = u;
        return 0;
}

int container_name_from_unit(const char *unit, char **ret) {
        size_t l, p = STRLEN(CONTAINER_UNIT_PREFIX), s = STRLEN(CONTAINER_UNIT_SUFFIX);
        char *name;

        assert(ret);

        if (!unit)
                return -EINVAL;
        l = strlen(unit);
        if (l <= p + s || strncmp(unit, CONTAINER_UNIT_PREFIX, p) != 0 ||
            strcmp(unit + l - s, CONTAINER_UNIT_SUFFIX) != 0)
                return -EINVAL;

        name = strndup(unit + p, l - p - s);
        if (!name)
                return -ENOMEM;
        if (!config_name_is_valid(name)) {
                free(name);
                return -EINVAL;
        }
        *ret = name;
        return 0;
}
