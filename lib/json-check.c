/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "json-check.h"

typedef struct Frame {
        bool array;
        size_t count; /* elements started / keys seen; the current one is count-1 */
        char **keys;  /* object: decoded keys, for duplicate detection and paths */
        size_t *key_offsets;
        size_t allocated;
} Frame;

typedef struct Checker {
        const char *file;
        const char *text;
        size_t size;
        size_t pos;
        Frame stack[CONFIG_DEPTH_MAX];
        size_t depth;
        char *error;
} Checker;

typedef enum State {
        STATE_VALUE,
        STATE_KEY,
        STATE_AFTER_VALUE,
} State;

void json_offset_to_line_column(const char *text, size_t size, size_t offset, unsigned *ret_line,
                                unsigned *ret_column) {
        unsigned line = 1, column = 1;

        for (size_t i = 0; i < offset && i < size; i++) {
                if (text[i] == '\n') {
                        line++;
                        column = 1;
                } else if (((uint8_t)text[i] & 0xC0) != 0x80) /* count characters, not bytes */
                        column++;
        }
        *ret_line = line;
        *ret_column = column;
}

static bool key_is_plain(const char *key) {
        if (!*key)
                return false;
        for (const char *p = key; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '_' || *p == '-'))
                        return false;
        return true;
}

bool json_path_append_key(char *buf, size_t size, const char *key) {
        size_t l = strlen(buf);
        int r;

        if (key_is_plain(key))
                r = snprintf(buf + l, size - l, "%s%s", l > 0 ? "." : "", key);
        else {
                /* Quote keys that would make the path ambiguous; escape what a terminal
                 * should not see raw. */
                size_t k = l;
                if (k + 2 >= size)
                        return false;
                buf[k++] = '[';
                buf[k++] = '"';
                for (const char *p = key; *p; p++) {
                        char esc[8];
                        uint8_t b = (uint8_t)*p;
                        if (b < 0x20 || b == 0x7f)
                                snprintf(esc, sizeof(esc), "\\u%04x", b);
                        else if (b == '"' || b == '\\')
                                snprintf(esc, sizeof(esc), "\\%c", b);
                        else
                                snprintf(esc, sizeof(esc), "%c", b);
                        size_t el = strlen(esc);
                        if (k + el + 3 > size)
                                return false;
                        memcpy(buf + k, esc, el);
                        k += el;
                }
                buf[k++] = '"';
                buf[k++] = ']';
                buf[k] = 0;
                return true;
        }
        return r >= 0 && (size_t)r < size - l;
}

/* The JSON path of the current position through the outermost 'levels' frames. */
static void checker_path(Checker *c, size_t levels, char *buf, size_t size) {
        buf[0] = 0;
        for (size_t i = 0; i < levels && i < c->depth; i++) {
                Frame *f = &c->stack[i];
                size_t l = strlen(buf);
                bool ok;

                if (f->count == 0)
                        break;
                if (f->array) {
                        int r = snprintf(buf + l, size - l, "[%zu]", f->count - 1);
                        ok = r >= 0 && (size_t)r < size - l;
                } else
                        ok = json_path_append_key(buf, size, f->keys[f->count - 1]);
                if (!ok) {
                        /* Paths are bounded by depth and key length; truncate visibly. */
                        buf[l] = 0;
                        if (l + 4 < size)
                                strcat(buf, "...");
                        return;
                }
        }
}

_printf_(3, 4) static int fail_at(Checker *c, size_t offset, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        unsigned line, column;
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        json_offset_to_line_column(c->text, c->size, offset, &line, &column);
        if (asprintf(&c->error, "%s:%u:%u: %s", c->file, line, column, msg) < 0) {
                c->error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

_printf_(3, 4) static int fail_path(Checker *c, size_t levels, const char *fmt, ...) {
        _cleanup_free_ char *msg = NULL;
        char path[1024];
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&msg, fmt, ap);
        va_end(ap);
        if (r < 0)
                return -ENOMEM;

        checker_path(c, levels, path, sizeof(path));
        if (asprintf(&c->error, "%s: %s%s%s", c->file, path, path[0] ? ": " : "", msg) < 0) {
                c->error = NULL;
                return -ENOMEM;
        }
        return -EINVAL;
}

/* Length of the well-formed UTF-8 sequence at s (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_sequence_length(const uint8_t *s, size_t left) {
        uint8_t b = s[0];
        size_t n;
        uint8_t lo = 0x80, hi = 0xBF;

        if (b < 0x80)
                return 1;
        if (b >= 0xC2 && b <= 0xDF)
                n = 2;
        else if (b >= 0xE0 && b <= 0xEF) {
                n = 3;
                if (b == 0xE0)
                        lo = 0xA0;
                else if (b == 0xED)
                        hi = 0x9F;
        } else if (b >= 0xF0 && b <= 0xF4) {
                n = 4;
                if (b == 0xF0)
                        lo = 0x90;
                else if (b == 0xF4)
                        hi = 0x8F;
        } else
                return 0;

        if (left < n)
                return 0;
        if (s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < n; i++)
                if ((s[i] & 0xC0) != 0x80)
                        return 0;
        return n;
}

static size_t utf8_encode(uint32_t cp, char out[4]) {
        if (cp < 0x80) {
                out[0] = (char)cp;
                return 1;
        }
        if (cp < 0x800) {
                out[0] = (char)(0xC0 | (cp >> 6));
                out[1] = (char)(0x80 | (cp & 0x3F));
                return 2;
        }
        if (cp < 0x10000) {
                out[0] = (char)(0xE0 | (cp >> 12));
                out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[2] = (char)(0x80 | (cp & 0x3F));
                return 3;
        }
        out[0] = (char)(0xF0 | (cp >> 18));
        out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[3] = (char)(0x80 | (cp & 0x3F));
        return 4;
}

static int hex_value(char ch) {
        if (ch >= '0' && ch <= '9')
                return ch - '0';
        if (ch >= 'a' && ch <= 'f')
                return ch - 'a' + 10;
        if (ch >= 'A' && ch <= 'F')
                return ch - 'A' + 10;
        return -1;
}

static int parse_u_escape(Checker *c, size_t at, uint32_t *ret) {
        uint32_t v = 0;

        /* at points at the 'u' */
        if (c->size - at < 5)
                return fail_at(c, at - 1, "incomplete \\u escape: write four hex digits, e.g. \\u00e9");
        for (size_t i = 1; i <= 4; i++) {
                int h = hex_value(c->text[at + i]);
                if (h < 0)
                        return fail_at(c, at - 1, "invalid \\u escape: write four hex digits, e.g. \\u00e9");
                v = (v << 4) | (uint32_t)h;
        }
        *ret = v;
        return 0;
}

/* Describes the byte at pos for "unexpected ..." messages. */
static void describe_at(Checker *c, size_t pos, char *buf, size_t size) {
        if (pos >= c->size) {
                snprintf(buf, size, "end of file");
                return;
        }
        uint8_t b = (uint8_t)c->text[pos];
        if (b >= 0x20 && b < 0x7f)
                snprintf(buf, size, "'%c'", b);
        else if (b >= 0x80) {
                size_t n = utf8_sequence_length((const uint8_t *)c->text + pos, c->size - pos);
                if (n > 0)
                        snprintf(buf, size, "'%.*s'", (int)n, c->text + pos);
                else
                        snprintf(buf, size, "byte 0x%02x", b);
        } else
                snprintf(buf, size, "control character 0x%02x", b);
}

static int fail_unexpected_full(Checker *c, const char *expected, bool hints) {
        char what[32];
        const char *hint = "";

        if (c->pos < c->size) {
                uint8_t b = (uint8_t)c->text[c->pos];
                if (b == 0)
                        return fail_at(c, c->pos,
                                       "NUL byte (byte offset %zu): JSON is text and must not contain NUL",
                                       c->pos);
                if (b >= 0x80 &&
                    utf8_sequence_length((const uint8_t *)c->text + c->pos, c->size - c->pos) == 0)
                        return fail_at(c, c->pos, "invalid UTF-8 (byte offset %zu)", c->pos);
                if (!hints)
                        ;
                else if (b == '\'')
                        hint = " (strings and keys need double quotes, not single quotes)";
                else if (b == '/')
                        hint = " (comments are not allowed in JSON)";
                else if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || b == '_')
                        hint = " (strings and keys need double quotes)";
        }
        describe_at(c, c->pos, what, sizeof(what));
        return fail_at(c, c->pos, "expected %s, found %s%s", expected, what, hint);
}

static int fail_unexpected(Checker *c, const char *expected) {
        return fail_unexpected_full(c, expected, true);
}

static void skip_whitespace(Checker *c) {
        while (c->pos < c->size) {
                char ch = c->text[c->pos];
                if (ch != ' ' && ch != '\t' && ch != '\n' && ch != '\r')
                        break;
                c->pos++;
        }
}

/* Lexes the string at c->pos (an opening '"'). With 'out' (CONFIG_STRING_MAX+1
 * bytes), the decoded string is stored there. */
static int lex_string(Checker *c, bool is_key, char *out) {
        size_t start = c->pos, len = 0;

        c->pos++;
        for (;;) {
                char enc[4];
                size_t n;

                if (c->pos >= c->size)
                        return fail_at(c, start, "unterminated string: a closing '\"' is missing");

                uint8_t b = (uint8_t)c->text[c->pos];
                if (b == '"') {
                        c->pos++;
                        break;
                }
                if (b == 0)
                        return fail_at(c, c->pos,
                                       "NUL byte (byte offset %zu): JSON is text and must not contain NUL",
                                       c->pos);
                if (b < 0x20)
                        return fail_at(c, c->pos,
                                       "control character 0x%02x in a string: write it as an escape (\\n, "
                                       "\\t or \\u00%02x)",
                                       b, b);
                if (b == '\\') {
                        size_t esc = c->pos;
                        if (c->pos + 1 >= c->size)
                                return fail_at(c, start, "unterminated string: a closing '\"' is missing");
                        char e = c->text[c->pos + 1];
                        uint32_t cp;
                        int r;

                        switch (e) {
                        case '"':
                        case '\\':
                        case '/':
                                cp = (uint8_t)e;
                                c->pos += 2;
                                break;
                        case 'b':
                                cp = '\b';
                                c->pos += 2;
                                break;
                        case 'f':
                                cp = '\f';
                                c->pos += 2;
                                break;
                        case 'n':
                                cp = '\n';
                                c->pos += 2;
                                break;
                        case 'r':
                                cp = '\r';
                                c->pos += 2;
                                break;
                        case 't':
                                cp = '\t';
                                c->pos += 2;
                                break;
                        case 'u':
                                r = parse_u_escape(c, c->pos + 1, &cp);
                                if (r < 0)
                                        return r;
                                c->pos += 6;
                                if (cp >= 0xDC00 && cp <= 0xDFFF)
                                        return fail_at(c, esc, "unpaired UTF-16 surrogate \\u%04X", cp);
                                if (cp >= 0xD800 && cp <= 0xDBFF) {
                                        uint32_t lo;
                                        if (c->size - c->pos < 2 || c->text[c->pos] != '\\' ||
                                            c->text[c->pos + 1] != 'u')
                                                return fail_at(c, esc, "unpaired UTF-16 surrogate \\u%04X",
                                                               cp);
                                        r = parse_u_escape(c, c->pos + 1, &lo);
                                        if (r < 0)
                                                return r;
                                        if (lo < 0xDC00 || lo > 0xDFFF)
                                                return fail_at(c, esc, "unpaired UTF-16 surrogate \\u%04X",
                                                               cp);
                                        c->pos += 6;
                                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                }
                                if (cp == 0) {
                                        /* Would silently cut the string short in C. */
                                        if (is_key || c->depth == 0)
                                                return fail_at(
                                                        c, esc,
                                                        "\"\\u0000\" (NUL) is not allowed in strings");
                                        return fail_path(c, c->depth,
                                                         "\"\\u0000\" (NUL) is not allowed in strings");
                                }
                                break;
                        default:
                                return fail_at(c, esc,
                                               "invalid escape \"\\%c\" in a string: use \\\" \\\\ \\/ \\b "
                                               "\\f \\n \\r \\t or \\uXXXX (write \\\\ for a backslash)",
                                               e >= 0x20 && e < 0x7f ? e : '?');
                        }
                        n = utf8_encode(cp, enc);
                } else if (b < 0x80) {
                        enc[0] = (char)b;
                        n = 1;
                        c->pos++;
                } else {
                        n = utf8_sequence_length((const uint8_t *)c->text + c->pos, c->size - c->pos);
                        if (n == 0)
                                return fail_at(c, c->pos, "invalid UTF-8 (byte offset %zu)", c->pos);
                        memcpy(enc, c->text + c->pos, n);
                        c->pos += n;
                }

                if (len + n > CONFIG_STRING_MAX) {
                        if (is_key || c->depth == 0)
                                return fail_at(c, start, "%s longer than %d bytes",
                                               is_key ? "key" : "string", CONFIG_STRING_MAX);
                        return fail_path(c, c->depth, "string longer than %d bytes", CONFIG_STRING_MAX);
                }
                if (out)
                        memcpy(out + len, enc, n);
                len += n;
        }
        if (out)
                out[len] = 0;
        return 0;
}

static int lex_number(Checker *c) {
        size_t start = c->pos;

        if (c->text[c->pos] == '-')
                c->pos++;
        if (c->pos >= c->size || c->text[c->pos] < '0' || c->text[c->pos] > '9')
                return fail_unexpected(c, "a digit after '-'");
        if (c->text[c->pos] == '0') {
                c->pos++;
                if (c->pos < c->size && c->text[c->pos] >= '0' && c->text[c->pos] <= '9')
                        return fail_at(c, start, "numbers must not have leading zeros");
        } else
                while (c->pos < c->size && c->text[c->pos] >= '0' && c->text[c->pos] <= '9')
                        c->pos++;
        if (c->pos < c->size && c->text[c->pos] == '.') {
                c->pos++;
                if (c->pos >= c->size || c->text[c->pos] < '0' || c->text[c->pos] > '9')
                        return fail_unexpected(c, "a digit after '.'");
                while (c->pos < c->size && c->text[c->pos] >= '0' && c->text[c->pos] <= '9')
                        c->pos++;
        }
        if (c->pos < c->size && (c->text[c->pos] == 'e' || c->text[c->pos] == 'E')) {
                c->pos++;
                if (c->pos < c->size && (c->text[c->pos] == '+' || c->text[c->pos] == '-'))
                        c->pos++;
                if (c->pos >= c->size || c->text[c->pos] < '0' || c->text[c->pos] > '9')
                        return fail_unexpected(c, "a digit in the exponent");
                while (c->pos < c->size && c->text[c->pos] >= '0' && c->text[c->pos] <= '9')
                        c->pos++;
        }
        if (c->pos - start > 64)
                return fail_at(c, start, "number longer than 64 characters");
        return 0;
}

static int lex_literal(Checker *c) {
        static const char *const literals[] = {"true", "false", "null"};

        for (size_t i = 0; i < ELEMENTSOF(literals); i++) {
                size_t l = strlen(literals[i]);
                if (c->size - c->pos >= l && memcmp(c->text + c->pos, literals[i], l) == 0) {
                        c->pos += l;
                        return 0;
                }
        }
        return fail_unexpected(c, "a value");
}

static void frame_done(Frame *f) {
        for (size_t i = 0; i < f->count && f->keys; i++)
                free(f->keys[i]);
        free(f->keys);
        free(f->key_offsets);
        *f = (Frame){};
}

static int push(Checker *c, bool array) {
        if (c->depth >= CONFIG_DEPTH_MAX)
                return fail_at(c, c->pos, "nesting deeper than %d levels", CONFIG_DEPTH_MAX);
        c->stack[c->depth++] = (Frame){.array = array};
        c->pos++;
        return 0;
}

static void pop(Checker *c) {
        assert(c->depth > 0);
        frame_done(&c->stack[--c->depth]);
        c->pos++;
}

static int add_key(Checker *c, const char *key, size_t offset) {
        Frame *f = &c->stack[c->depth - 1];

        if (f->count >= CONFIG_ARRAY_MAX)
                return fail_path(c, c->depth - 1, "more than %d keys in one object", CONFIG_ARRAY_MAX);

        if (f->count == f->allocated) {
                size_t a = f->allocated ? f->allocated * 2 : 8;
                char **k = realloc(f->keys, a * sizeof(char *));
                if (!k)
                        return -ENOMEM;
                f->keys = k;
                size_t *o = realloc(f->key_offsets, a * sizeof(size_t));
                if (!o)
                        return -ENOMEM;
                f->key_offsets = o;
                f->allocated = a;
        }

        char *copy = strdup(key);
        if (!copy)
                return -ENOMEM;
        f->keys[f->count] = copy;
        f->key_offsets[f->count] = offset;
        f->count++;

        /* Linear: objects are small, and CONFIG_ARRAY_MAX bounds the worst case. */
        for (size_t i = 0; i + 1 < f->count; i++)
                if (streq(f->keys[i], key)) {
                        unsigned l1, l2, col;
                        json_offset_to_line_column(c->text, c->size, f->key_offsets[i], &l1, &col);
                        json_offset_to_line_column(c->text, c->size, offset, &l2, &col);
                        if (l1 == l2)
                                return fail_path(c, c->depth, "duplicate key (line %u)", l1);
                        return fail_path(c, c->depth, "duplicate key (lines %u and %u)", l1, l2);
                }
        return 0;
}

static int check(Checker *c) {
        _cleanup_free_ char *key = NULL;
        State state = STATE_VALUE;
        int r;

        if (c->size >= 3 && memcmp(c->text, "\xEF\xBB\xBF", 3) == 0)
                return fail_at(c, 0,
                               "byte order mark (BOM) at the start: save the file as UTF-8 without a BOM");

        key = malloc(CONFIG_STRING_MAX + 1);
        if (!key)
                return -ENOMEM;

        for (;;) {
                skip_whitespace(c);

                switch (state) {
                case STATE_VALUE:
                        if (c->pos >= c->size)
                                return fail_unexpected(c, "a value");
                        switch (c->text[c->pos]) {
                        case '{':
                                r = push(c, false);
                                if (r < 0)
                                        return r;
                                skip_whitespace(c);
                                if (c->pos < c->size && c->text[c->pos] == '}') {
                                        pop(c);
                                        state = STATE_AFTER_VALUE;
                                } else
                                        state = STATE_KEY;
                                break;
                        case '[':
                                r = push(c, true);
                                if (r < 0)
                                        return r;
                                skip_whitespace(c);
                                if (c->pos < c->size && c->text[c->pos] == ']') {
                                        pop(c);
                                        state = STATE_AFTER_VALUE;
                                } else
                                        c->stack[c->depth - 1].count = 1;
                                break;
                        case '"':
                                r = lex_string(c, false, NULL);
                                if (r < 0)
                                        return r;
                                state = STATE_AFTER_VALUE;
                                break;
                        case '-':
                        case '0' ... '9':
                                r = lex_number(c);
                                if (r < 0)
                                        return r;
                                state = STATE_AFTER_VALUE;
                                break;
                        default:
                                r = lex_literal(c);
                                if (r < 0)
                                        return r;
                                state = STATE_AFTER_VALUE;
                        }
                        break;

                case STATE_KEY: {
                        size_t offset = c->pos;
                        if (c->pos >= c->size || c->text[c->pos] != '"')
                                return fail_unexpected(c, "a key in double quotes");
                        r = lex_string(c, true, key);
                        if (r < 0)
                                return r;
                        r = add_key(c, key, offset);
                        if (r < 0)
                                return r;
                        skip_whitespace(c);
                        if (c->pos >= c->size || c->text[c->pos] != ':')
                                return fail_unexpected_full(c, "':' after the key", false);
                        c->pos++;
                        state = STATE_VALUE;
                        break;
                }

                case STATE_AFTER_VALUE: {
                        if (c->depth == 0) {
                                if (c->pos >= c->size)
                                        return 0;
                                return fail_unexpected_full(c, "the end of the file after the JSON value",
                                                            false);
                        }
                        Frame *f = &c->stack[c->depth - 1];
                        char close = f->array ? ']' : '}';
                        if (c->pos < c->size && c->text[c->pos] == ',') {
                                c->pos++;
                                skip_whitespace(c);
                                if (c->pos < c->size && c->text[c->pos] == close)
                                        return fail_at(c, c->pos, "trailing comma before '%c'", close);
                                if (f->array) {
                                        if (f->count >= CONFIG_ARRAY_MAX)
                                                return fail_path(c, c->depth - 1,
                                                                 "more than %d elements in one array",
                                                                 CONFIG_ARRAY_MAX);
                                        f->count++;
                                        state = STATE_VALUE;
                                } else
                                        state = STATE_KEY;
                        } else if (c->pos < c->size && c->text[c->pos] == close) {
                                pop(c);
                        } else
                                return fail_unexpected_full(c,
                                                            f->array ? "',' or ']' after an array element"
                                                                     : "',' or '}' after an object member",
                                                            false);
                        break;
                }
                }
        }
}

int json_check(const char *file, const char *text, size_t size, char **ret_error) {
        Checker c = {
                .file = file,
                .text = text,
                .size = size,
        };
        int r;

        r = check(&c);
        while (c.depth > 0)
                frame_done(&c.stack[--c.depth]);
        if (r < 0) {
                if (ret_error)
                        *ret_error = TAKE_PTR(c.error);
                free(c.error);
                return r;
        }
        return 0;
}
