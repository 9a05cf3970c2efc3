/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <string.h>

#include "env-file.h"
#include "fileio.h"
#include "strv.h"

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

typedef struct Buf {
        char *s;
        size_t n, allocated;
} Buf;

static int buf_put(Buf *b, char c) {
        if (b->n + 2 > b->allocated) {
                size_t a = MAX(b->allocated * 2, (size_t)64);
                char *s = realloc(b->s, a);
                if (!s)
                        return -ENOMEM;
                b->s = s;
                b->allocated = a;
        }
        b->s[b->n++] = c;
        b->s[b->n] = 0;
        return 0;
}

/* After a quoted part: -EINVAL when the text ended before its closing quote. */
static int quote_end(const char **p, const char *end, int r) {
        if (r < 0)
                return r;
        if (*p >= end)
                return -EINVAL;
        (*p)++;
        return 0;
}

/* The rest of a 'single quoted' part after its opening quote: literal. */
static int read_single_quoted(const char **p, const char *end, Buf *v, unsigned *line) {
        int r = 0;

        for (; r >= 0 && *p < end && **p != '\''; (*p)++) {
                if (**p == '\n')
                        (*line)++;
                r = buf_put(v, **p);
        }
        return quote_end(p, end, r);
}

/* The rest of a "double quoted" part: \" \\ \` \$ escaped, backslash-newline joins. */
static int read_double_quoted(const char **p, const char *end, Buf *v, unsigned *line) {
        int r = 0;

        while (r >= 0 && *p < end && **p != '"') {
                if (**p == '\\' && *p + 1 < end) {
                        if ((*p)[1] == '\n') {
                                *p += 2;
                                (*line)++;
                                continue;
                        }
                        if (strchr("\"\\`$", (*p)[1]))
                                (*p)++;
                } else if (**p == '\n')
                        (*line)++;
                r = buf_put(v, *(*p)++);
        }
        return quote_end(p, end, r);
}

int env_file_parse(const char *text, size_t size, char ***env, unsigned *ret_line) {
        const char *p = text, *end = text + size;
        unsigned line = 1;
        int r;

        while (p < end) {
                _cleanup_free_ char *key = NULL;
                Buf v = {};
                unsigned start = line;
                size_t trailing = 0; /* bare whitespace at the end of the value so far */

                while (p < end && is_blank(*p))
                        p++;
                if (p < end && (*p == '#' || *p == ';')) {
                        while (p < end && *p != '\n')
                                p++;
                }
                if (p >= end)
                        break;
                if (*p == '\n' || *p == '\r') {
                        if (*p == '\n')
                                line++;
                        p++;
                        continue;
                }

                const char *k = p;
                while (p < end && ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' ||
                                   (p > k && *p >= '0' && *p <= '9')))
                        p++;
                size_t kl = (size_t)(p - k);
                while (p < end && is_blank(*p))
                        p++;
                if (kl == 0 || p >= end || *p != '=') {
                        *ret_line = start;
                        return -EINVAL;
                }
                p++;
                key = strndup(k, kl);
                if (!key)
                        return -ENOMEM;
                while (p < end && is_blank(*p))
                        p++;

                /* The value, up to the end of its (possibly continued) line. */
                r = buf_put(&v, 0);
                v.n = 0;
                while (r >= 0 && p < end && *p != '\n') {
                        char c = *p++;

                        if (c == '\'' || c == '"') {
                                /* A quoted part: it must end before the text does. */
                                r = c == '"' ? read_double_quoted(&p, end, &v, &line)
                                             : read_single_quoted(&p, end, &v, &line);
                                if (r == -EINVAL) {
                                        free(v.s);
                                        *ret_line = start;
                                        return r;
                                }
                                trailing = 0;
                        } else if (c == '\\') {
                                if (p < end && *p == '\n') {
                                        p++;
                                        line++;
                                        continue;
                                }
                                if (p < end)
                                        r = buf_put(&v, *p++);
                                trailing = 0;
                        } else if (c == '\r' && (p >= end || *p == '\n')) {
                                continue;
                        } else {
                                r = buf_put(&v, c);
                                trailing = is_blank(c) ? trailing + 1 : 0;
                        }
                }
                if (r < 0) {
                        free(v.s);
                        return r;
                }
                v.n -= trailing;
                v.s[v.n] = 0;
                r = strv_env_set(env, key, v.s, true);
                free(v.s);
                if (r < 0)
                        return r;
        }
        return 0;
}

int env_file_load(const char *path, char ***env, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        unsigned line = 0;
        size_t size;
        int r;

        r = read_full_file_at(AT_FDCWD, path, ENV_FILE_SIZE_MAX, &text, &size);
        if (r < 0) {
                if (asprintf(ret_error, "%s: %s", path,
                             r == -EFBIG    ? "larger than 1 MiB"
                             : r == -ENOENT ? "No such file"
                                            : strerror(-r)) < 0)
                        *ret_error = NULL;
                return r;
        }
        if (memchr(text, 0, size)) {
                if (asprintf(ret_error, "%s: contains a NUL byte", path) < 0)
                        *ret_error = NULL;
                return -EINVAL;
        }
        r = env_file_parse(text, size, env, &line);
        if (r == -EINVAL && asprintf(ret_error,
                                     "%s:%u: not an assignment: write KEY=VALUE (KEY of letters, digits and "
                                     "'_'), or quote the value completely",
                                     path, line) < 0)
                *ret_error = NULL;
        return r;
}

int env_files_apply(char *const *paths, char *const *keep, char ***env, char **ret_error) {
        size_t i = 0;

        STRV_FOREACH (path, paths) {
                _cleanup_strv_free_ char **file_env = NULL;
                _cleanup_free_ char *error = NULL;
                int r;

                r = env_file_load(*path, &file_env, &error);
                if (r < 0) {
                        if (asprintf(ret_error, "env_files[%zu]: %s", i, error ?: strerror(-r)) < 0)
                                *ret_error = NULL;
                        return r;
                }
                STRV_FOREACH (e, file_env) {
                        size_t kl = strcspn(*e, "=");
                        _cleanup_free_ char *key = strndup(*e, kl);
                        if (!key)
                                return -ENOMEM;
                        if (strv_env_get(keep, key))
                                continue;
                        r = strv_env_set(env, key, *e + kl + 1, /* replace= */ true);
                        if (r < 0)
                                return r;
                }
                i++;
        }
        return 0;
}
