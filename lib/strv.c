/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <string.h>

#include "strv.h"

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

char **strv_free(char **l) {
        STRV_FOREACH (s, l)
                free(*s);
        free(l);
        return NULL;
}

int strv_push(char ***l, char *s) {
        size_t n = strv_length(*l);
        char **c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c)
                return -ENOMEM;
        c[n] = s;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_extend(char ***l, const char *s) {
        char *c = strdup(s);
        if (!c)
                return -ENOMEM;
        int r = strv_push(l, c);
        if (r < 0)
                free(c);
        return r;
}

bool strv_contains(char *const *l, const char *s) {
        STRV_FOREACH (i, l)
                if (streq(*i, s))
                        return true;
        return false;
}

char **strv_copy(char *const *l) {
        char **c = calloc(strv_length(l) + 1, sizeof(char *));
        if (!c)
                return NULL;
        size_t n = 0;
        STRV_FOREACH (s, l) {
                c[n] = strdup(*s);
                if (!c[n])
                        return strv_free(c);
                n++;
        }
        return c;
}

const char *strv_env_get(char *const *l, const char *key) {
        size_t n = strlen(key);

        STRV_FOREACH (e, l)
                if (strncmp(*e, key, n) == 0 && (*e)[n] == '=')
                        return *e + n + 1;
        return NULL;
}

int strv_env_set(char ***l, const char *key, const char *value, bool replace) {
        size_t n = value ? strlen(key) : strcspn(key, "=");
        char *s;

        if (value ? asprintf(&s, "%s=%s", key, value) < 0 : !(s = strdup(key)))
                return -ENOMEM;
        for (char **e = *l; e && *e; e++)
                if (strncmp(*e, s, n) == 0 && (*e)[n] == '=') {
                        if (replace) {
                                free(*e);
                                *e = s;
                        } else
                                free(s);
                        return 0;
                }
        if (strv_push(l, s) < 0) {
                free(s);
                return -ENOMEM;
        }
        return 0;
}
