/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config parser's messages: where a value is (its JSON path) and how it is shown.
 * Every error a parse reports is "FILE: PATH: MESSAGE", the first one found. */
#include <stdarg.h>
#include <string.h>

#include "config-parse.h"
#include "escape.h"

#define JPATH_MAX 1024

static const char *jpath_format(const JPath *path, char buf[static JPATH_MAX]) {
        const JPath *chain[CONFIG_DEPTH_MAX + 1];
        size_t n = 0;

        buf[0] = 0;
        for (const JPath *j = path; j && n < ELEMENTSOF(chain); j = j->parent)
                chain[n++] = j;
        while (n > 0) {
                const JPath *j = chain[--n];
                size_t l = strlen(buf);

                if (!j->key)
                        snprintf(buf + l, JPATH_MAX - l, "[%zu]", j->index);
                else if (!json_path_append_key(buf, JPATH_MAX, j->key)) {
                        /* Only a key of thousands of bytes gets here: show where it is. */
                        buf[MIN(l, (size_t)1000)] = 0;
                        strcat(buf, "...");
                }
        }
        return buf;
}

int config_error(Parser *p, const JPath *path, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        char jp[JPATH_MAX];
        va_list ap;
        int r;

        if (p->error) /* the first error is the one reported */
                return -EINVAL;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;
        jpath_format(path, jp);
        if (asprintf(&p->error, "%s: %s%s%s", p->file, jp, *jp ? ": " : "", msg) < 0) {
                p->error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

const char *config_quote(const char *s, char *buf, size_t size) {
        return quote(s, buf, size);
}

const char *config_type_phrase(const JsonValue *o) {
        switch (o->type) {
        case JSON_NULL:
                return "null";
        case JSON_BOOLEAN:
                return o->boolean ? "true" : "false";
        case JSON_FRACTION:
                return "a fractional number";
        case JSON_INTEGER:
                return "a number";
        case JSON_STRING:
                return "a string";
        case JSON_ARRAY:
                return "an array";
        case JSON_OBJECT:
                return "an object";
        }
        return "something else";
}

static char ascii_lower(char c) {
        return (char)(c | ((c >= 'A' && c <= 'Z') ? 0x20 : 0));
}

/* Optimal string alignment distance (Damerau–Levenshtein without repeated edits of
 * a substring), case-insensitive: "hostnme" → "hostname" is 1, "mdoe" → "mode" 1. */
static size_t edit_distance(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        size_t d[65][65];

        if (la > 64 || lb > 64)
                return SIZE_MAX;
        for (size_t i = 0; i <= la; i++)
                d[i][0] = i;
        for (size_t j = 0; j <= lb; j++)
                d[0][j] = j;
        for (size_t i = 1; i <= la; i++)
                for (size_t j = 1; j <= lb; j++) {
                        char ca = ascii_lower(a[i - 1]), cb = ascii_lower(b[j - 1]);
                        size_t v = MIN(d[i - 1][j] + 1, d[i][j - 1] + 1);
                        v = MIN(v, d[i - 1][j - 1] + (ca == cb ? 0 : 1));
                        if (i > 1 && j > 1 && ca == ascii_lower(b[j - 2]) && ascii_lower(a[i - 2]) == cb)
                                v = MIN(v, d[i - 2][j - 2] + 1);
                        d[i][j] = v;
                }
        return d[la][lb];
}

const char *config_closest(const char *s, const char *const *candidates, size_t n) {
        const char *best = NULL;
        size_t best_d = SIZE_MAX;

        for (size_t i = 0; i < n; i++) {
                if (!candidates[i])
                        continue;
                size_t d = edit_distance(s, candidates[i]);
                if (d < best_d) {
                        best = candidates[i];
                        best_d = d;
                }
        }
        if (best && best_d <= 2 && best_d < strlen(best))
                return best;
        return NULL;
}

int config_join_quoted(const char *const *l, size_t n, char **ret) {
        _cleanup_free_ char *s = NULL;
        size_t len = 0;

        for (size_t i = 0; i < n; i++)
                len += strlen(l[i]) + 4;
        s = malloc(len + 1);
        if (!s)
                return -ENOMEM;
        s[0] = 0;
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        strcat(s, ", ");
                strcat(s, "\"");
                strcat(s, l[i]);
                strcat(s, "\"");
        }
        *ret = TAKE_PTR(s);
        return 0;
}
