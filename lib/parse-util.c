/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdbool.h>

#include "parse-util.h"

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
