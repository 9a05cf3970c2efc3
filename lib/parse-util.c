/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "parse-util.h"

const char *decimal_format(uint64_t v, char buf[static DECIMAL_MAX]) {
        char *p = buf + DECIMAL_MAX - 1;

        *p = 0;
        do
                *--p = (char)('0' + v % 10);
        while ((v /= 10) > 0);
        return p;
}

int decimal_parse(const char *s, size_t len, uint64_t max, uint64_t *ret) {
        uint64_t v = 0;
        bool over = false;

        if (len == 0 || len > 20)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                unsigned d;

                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                d = (unsigned)(s[i] - '0');
                if (v > (UINT64_MAX - d) / 10)
                        over = true;
                else
                        v = v * 10 + d;
        }
        if (over || v > max)
                return -ERANGE;
        *ret = v;
        return 0;
}

#define DIGITS "0123456789"

int kernel_release_at_least(const char *release, unsigned major, unsigned minor) {
        uint64_t v[2];
        const char *p = release;

        for (size_t i = 0; i < 2; i++) {
                size_t n = strspn(p, "0123456789");

                if (decimal_parse(p, n, UINT32_MAX, &v[i]) < 0 || (i == 0 && p[n] != '.'))
                        return -EINVAL;
                p += n + 1;
        }
        return v[0] > major || (v[0] == major && v[1] >= minor);
}

int unhexchar(char c) {
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -EINVAL;
}

int size_parse(const char *s, uint64_t *ret_bytes) {
        static const char suffixes[] = "KMGTPE";
        uint64_t whole, frac = 0, frac_div = 1, mul = 1, bytes;
        const char *p;
        size_t n;
        int r;

        if (strcmp(s, "infinity") == 0) {
                *ret_bytes = UINT64_MAX;
                return 0;
        }
        n = strspn(s, DIGITS);
        r = decimal_parse(s, n, UINT64_MAX, &whole);
        if (r < 0)
                return r;
        p = s + n;
        if (*p == '.') {
                size_t f = strspn(p + 1, DIGITS);
                if (f == 0)
                        return -EINVAL;
                /* Beyond 18 digits a fraction changes nothing a byte count can show. */
                for (size_t i = 0; i < f && i < 18; i++) {
                        frac = frac * 10 + (uint64_t)(p[1 + i] - '0');
                        frac_div *= 10;
                }
                p += 1 + f;
        }
        if (*p) {
                const char *x = strchr(suffixes, *p);
                if (!x || p[1] != 0)
                        return -EINVAL;
                mul = 1ULL << (10 * (x - suffixes + 1));
        }
        if (whole > UINT64_MAX / mul)
                return -ERANGE;
        bytes = whole * mul;
        /* frac/frac_div < 1, so this part is below mul: no overflow before the add. */
        uint64_t part = (uint64_t)((unsigned __int128)frac * mul / frac_div);
        if (bytes > UINT64_MAX - part)
                return -ERANGE;
        *ret_bytes = bytes + part;
        return 0;
}

int percent_parse(const char *s, uint64_t *ret_permyriad) {
        uint64_t whole, frac = 0;
        const char *p;
        size_t n;
        int r;

        n = strspn(s, DIGITS);
        r = decimal_parse(s, n, UINT64_MAX / 10000, &whole);
        if (r < 0)
                return r;
        p = s + n;
        if (*p == '.') {
                size_t f = strspn(p + 1, DIGITS);
                if (f == 0 || f > 2)
                        return -EINVAL;
                frac = (uint64_t)(p[1] - '0') * 10 + (f == 2 ? (uint64_t)(p[2] - '0') : 0);
                p += 1 + f;
        }
        if (strcmp(p, "%") != 0)
                return -EINVAL;
        *ret_permyriad = whole * 100 + frac;
        return 0;
}

int weight_parse(const char *s, uint64_t *ret) {
        uint64_t v;
        int r;

        r = decimal_parse(s, strlen(s), WEIGHT_MAX, &v);
        if (r < 0)
                return r;
        if (v < WEIGHT_MIN)
                return -ERANGE;
        *ret = v;
        return 0;
}
