/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks of single config values that need no message of their own: the callbacks in
 * the section files turn a "no" into the message for their key. */
#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

#include "config-parse.h"

/* Normalizes an absolute path ("//a/./b/" → "/a/b"). -EINVAL when not absolute,
 * -ELOOP for a ".." component (it could step out of the root it is resolved in),
 * -ENAMETOOLONG beyond PATH_MAX. */
int path_normalize(const char *in, char **ret) {
        _cleanup_free_ char *out = NULL;
        size_t k = 0;

        if (!in || in[0] != '/')
                return -EINVAL;
        if (strlen(in) >= PATH_MAX)
                return -ENAMETOOLONG;
        out = malloc(strlen(in) + 2);
        if (!out)
                return -ENOMEM;

        for (const char *s = in;;) {
                s += strspn(s, "/");
                if (!*s)
                        break;
                size_t l = strcspn(s, "/");
                if (l == 1 && s[0] == '.') {
                        s += l;
                        continue;
                }
                if (l == 2 && s[0] == '.' && s[1] == '.')
                        return -ELOOP;
                out[k++] = '/';
                memcpy(out + k, s, l);
                k += l;
                s += l;
        }
        if (k == 0)
                out[k++] = '/';
        out[k] = 0;
        *ret = TAKE_PTR(out);
        return 0;
}

bool env_name_is_valid(const char *s) {
        /* systemd's rule (env_name_is_valid): letters, digits, '_', not starting with a digit. */
        if (isempty(s) || (s[0] >= '0' && s[0] <= '9'))
                return false;
        for (const char *c = s; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '_'))
                        return false;
        return true;
}

bool hostname_is_valid(const char *s) {
        size_t l;

        if (isempty(s))
                return false;
        l = strlen(s);
        if (l > 64)
                return false;
        if (s[0] == '-' || s[0] == '.' || s[l - 1] == '-' || s[l - 1] == '.')
                return false;
        for (const char *c = s; *c; c++) {
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
                      *c == '-' || *c == '.'))
                        return false;
                if (c[0] == '.' && c[1] == '.') /* empty label */
                        return false;
        }
        return true;
}

/* The default hostname: NAME, with what a hostname cannot hold ('_', "..", a
 * trailing '.' or '-') mapped so that the result is one. */
int hostname_from_name(const char *name, char **ret) {
        _cleanup_free_ char *h = malloc(strlen(name) + 1);
        size_t k = 0;

        if (!h)
                return -ENOMEM;
        for (const char *c = name; *c; c++) {
                char ch = *c == '_' ? '-' : *c;
                if (ch == '.' && (k == 0 || h[k - 1] == '.'))
                        continue;
                if (ch == '-' && k == 0)
                        continue;
                h[k++] = ch;
        }
        while (k > 0 && (h[k - 1] == '.' || h[k - 1] == '-'))
                k--;
        h[k] = 0;
        if (!hostname_is_valid(h))
                return free_and_strdup(ret, "container");
        *ret = TAKE_PTR(h);
        return 0;
}

static bool uid_part_is_valid(const char *s, size_t l) {
        if (l == 0 || l > 255)
                return false;
        bool numeric = true;
        for (size_t i = 0; i < l; i++)
                if (s[i] < '0' || s[i] > '9')
                        numeric = false;
        if (numeric) {
                /* (uid_t) -1 means "unchanged" to the kernel: never a real id. */
                uint64_t v = 0;
                if (l > 10)
                        return false;
                for (size_t i = 0; i < l; i++)
                        v = v * 10 + (uint64_t)(s[i] - '0');
                return v < UINT32_MAX;
        }
        /* A name as useradd and systemd accept: [A-Za-z0-9_.-], not starting with '-'
         * or '.', optionally ending in '$' (machine accounts). */
        if (s[0] == '-' || s[0] == '.')
                return false;
        for (size_t i = 0; i < l; i++) {
                char c = s[i];
                if (c == '$' && i == l - 1 && l > 1)
                        continue;
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '_' || c == '.' || c == '-'))
                        return false;
        }
        return true;
}

bool user_is_valid(const char *s) {
        const char *colon = strchr(s, ':');
        if (!colon)
                return uid_part_is_valid(s, strlen(s));
        if (strchr(colon + 1, ':'))
                return false;
        return uid_part_is_valid(s, (size_t)(colon - s)) && uid_part_is_valid(colon + 1, strlen(colon + 1));
}
