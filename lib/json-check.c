/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "escape.h"
#include "json-check.h"
#include "parse-util.h"

/* Keys of an object with more members than this are found through a hash table, so
 * that the duplicate check stays linear in the size of the text (a 1 MiB config of
 * objects with CONFIG_ARRAY_MAX keys each must not cost seconds at boot); up to it, a
 * scan of the members is cheaper. */
#define KEYS_SCANNED_MAX 16

typedef struct Frame {
        bool array;
        size_t count;    /* elements started / keys seen; the current one is count-1 */
        const char *key; /* object: the current member's key (in the tree's strings) */
        size_t value;    /* the container's index in the tree */
        size_t mask;     /* object with its keys hashed: slots - 1; else 0 */
} Frame;

/* Per nesting level, reused by the objects at that level: open addressing, each slot
 * the tree index of a member (0, the root, is never a member: empty). */
typedef struct KeyTable {
        uint32_t *slots;
        size_t allocated;
} KeyTable;

typedef struct Checker {
        const char *file;
        const char *text;
        size_t size;
        size_t pos;
        Frame stack[CONFIG_DEPTH_MAX];
        KeyTable tables[CONFIG_DEPTH_MAX];
        size_t depth;
        char *error;

        JsonTree tree;
        size_t strings_len; /* bytes of tree.strings in use */
        const char *key;    /* the key read for the value that comes next, if any */
        size_t key_offset;
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
                if (l + 4 > size)
                        return false;
                buf[l] = '[';
                if (!json_quote(key, 0, buf + l + 1, size - l - 2))
                        return false;
                strcat(buf + l, "]");
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
                        ok = json_path_append_key(buf, size, f->key);
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

static int parse_u_escape(Checker *c, size_t at, uint32_t *ret) {
        uint32_t v = 0;

        /* at points at the 'u' */
        if (c->size - at < 5)
                return fail_at(c, at - 1, "incomplete \\u escape: write four hex digits, e.g. \\u00e9");
        for (size_t i = 1; i <= 4; i++) {
                int h = unhexchar(c->text[at + i]);
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

/* Bytes that stand for themselves in a JSON string: ASCII from space on, but '"' and '\\'. */
static const bool plain_byte[256] = {
        [' ' ... '!'] = true,
        ['#' ... '['] = true,
        [']' ... 0x7f] = true,
};

/* Lexes the string at c->pos (an opening '"') and stores it, decoded and
 * NUL-terminated, in the tree's strings. */
static int lex_string(Checker *c, bool is_key, const char **ret) {
        char *out = c->tree.strings + c->strings_len;
        size_t start = c->pos, len = 0;

        c->pos++;
        for (;;) {
                char enc[4];
                size_t n;

                /* Most of a config is plain ASCII: copy runs of it without the checks
                 * below (the length limit is left to them). */
                size_t pos = c->pos, end = MIN(c->size, pos + (CONFIG_STRING_MAX - len));
                while (pos < end && plain_byte[(uint8_t)c->text[pos]])
                        out[len++] = c->text[pos++];
                c->pos = pos;

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

                        /* RFC 8259's escapes of one character: the letter, then what it stands for. */
                        static const char one_char[][2] = {
                                {'"', '"'},  {'\\', '\\'}, {'/', '/'},  {'b', '\b'},
                                {'f', '\f'}, {'n', '\n'},  {'r', '\r'}, {'t', '\t'},
                        };
                        size_t k;
                        for (k = 0; k < ELEMENTSOF(one_char) && one_char[k][0] != e; k++)
                                ;
                        if (k == ELEMENTSOF(one_char) && e != 'u')
                                return fail_at(c, esc,
                                               "invalid escape \"\\%c\" in a string: use \\\" \\\\ \\/ \\b "
                                               "\\f \\n \\r \\t or \\uXXXX (write \\\\ for a backslash)",
                                               e >= 0x20 && e < 0x7f ? e : '?');
                        if (k < ELEMENTSOF(one_char)) {
                                cp = (uint8_t)one_char[k][1];
                                c->pos += 2;
                        } else {
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
                /* Never longer than its encoding (an escape is longer than what it
                 * stands for): the strings buffer, as large as the text, has room. */
                memcpy(out + len, enc, n);
                len += n;
        }
        out[len] = 0;
        c->strings_len += len + 1;
        *ret = out;
        return 0;
}

/* The value of an integer as json-c has it (callers of the old json-c based parser
 * saw these): out of range clamps to the int64_t range, and its text in messages is
 * then the clamped number, as is "0" for "-0". */
static void integer_value(JsonValue *v, const char *s, size_t len) {
        bool negative = s[0] == '-';
        uint64_t m = 0;
        bool overflow = false;

        for (size_t i = negative; i < len; i++) {
                unsigned d = (unsigned)(s[i] - '0');
                if (m > (UINT64_MAX - d) / 10) {
                        overflow = true;
                        break;
                }
                m = m * 10 + d;
        }
        if (negative) {
                if (overflow || m > (uint64_t)INT64_MAX + 1) {
                        v->integer = INT64_MIN;
                        v->string = "-9223372036854775808";
                } else {
                        v->integer = m == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)m;
                        if (m == 0)
                                v->string = "0";
                }
        } else {
                v->integer = overflow || m > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)m;
                if (overflow)
                        v->string = "18446744073709551615";
        }
}

static int lex_number(Checker *c, JsonValue *v) {
        size_t start = c->pos;
        bool fraction = false;

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
                fraction = true;
                c->pos++;
                if (c->pos >= c->size || c->text[c->pos] < '0' || c->text[c->pos] > '9')
                        return fail_unexpected(c, "a digit after '.'");
                while (c->pos < c->size && c->text[c->pos] >= '0' && c->text[c->pos] <= '9')
                        c->pos++;
        }
        if (c->pos < c->size && (c->text[c->pos] == 'e' || c->text[c->pos] == 'E')) {
                fraction = true;
                c->pos++;
                if (c->pos < c->size && (c->text[c->pos] == '+' || c->text[c->pos] == '-'))
                        c->pos++;
                if (c->pos >= c->size || c->text[c->pos] < '0' || c->text[c->pos] > '9')
                        return fail_unexpected(c, "a digit in the exponent");
                while (c->pos < c->size && c->text[c->pos] >= '0' && c->text[c->pos] <= '9')
                        c->pos++;
        }
        size_t len = c->pos - start;
        if (len > 64)
                return fail_at(c, start, "number longer than 64 characters");

        /* A number is followed by a byte that stores nothing (',', ']', '}', space) or
         * ends the text: its copy with the NUL fits the strings buffer too. */
        char *s = c->tree.strings + c->strings_len;
        memcpy(s, c->text + start, len);
        s[len] = 0;
        c->strings_len += len + 1;
        v->string = s;
        if (fraction)
                v->type = JSON_FRACTION;
        else {
                v->type = JSON_INTEGER;
                integer_value(v, s, len);
        }
        return 0;
}

static int lex_literal(Checker *c, JsonValue *v) {
        static const struct {
                const char *text;
                JsonType type;
                bool value;
        } literals[] = {
                {"true", JSON_BOOLEAN, true},
                {"false", JSON_BOOLEAN, false},
                {"null", JSON_NULL, false},
        };

        for (size_t i = 0; i < ELEMENTSOF(literals); i++) {
                size_t l = strlen(literals[i].text);
                if (c->size - c->pos >= l && memcmp(c->text + c->pos, literals[i].text, l) == 0) {
                        c->pos += l;
                        v->type = literals[i].type;
                        v->boolean = literals[i].value;
                        v->string = literals[i].text;
                        return 0;
                }
        }
        return fail_unexpected(c, "a value");
}

/* Appends a value at c->pos to the tree; it is the member for the key just read, if
 * any. */
static JsonValue *new_value(Checker *c) {
        JsonTree *t = &c->tree;
        JsonValue *v;

        if (t->n == t->allocated) {
                size_t a = t->allocated ? t->allocated * 2 : 32;
                JsonValue *b = reallocarray(t->values, a, sizeof(JsonValue));
                if (!b)
                        return NULL;
                t->values = b;
                t->allocated = a;
        }
        v = &t->values[t->n++];
        *v = (JsonValue){.span = 1, .offset = (uint32_t)c->pos};
        if (c->key) {
                v->key = c->key;
                v->offset = (uint32_t)c->key_offset;
                c->key = NULL;
        }
        return v;
}

static int push(Checker *c, bool array) {
        JsonValue *v;

        if (c->depth >= CONFIG_DEPTH_MAX)
                return fail_at(c, c->pos, "nesting deeper than %d levels", CONFIG_DEPTH_MAX);
        v = new_value(c);
        if (!v)
                return -ENOMEM;
        v->type = array ? JSON_ARRAY : JSON_OBJECT;
        c->stack[c->depth++] = (Frame){.array = array, .value = c->tree.n - 1};
        c->pos++;
        return 0;
}

static void pop(Checker *c) {
        Frame *f;

        assert(c->depth > 0);
        f = &c->stack[--c->depth];
        c->tree.values[f->value].span = (uint32_t)(c->tree.n - f->value);
        c->tree.values[f->value].n = (uint32_t)f->count;
        c->pos++;
}

static uint32_t key_hash(const char *key) {
        uint32_t h = 2166136261U; /* FNV-1a */

        for (const char *k = key; *k; k++)
                h = (h ^ (uint8_t)*k) * 16777619U;
        return h;
}

/* Finds 'key' among the hashed members of f and, when absent, adds it as the member
 * at tree index 'idx'. Returns the earlier member's index, or 0. */
static size_t key_table_add(Checker *c, Frame *f, const char *key, size_t idx) {
        uint32_t *slots = c->tables[c->depth - 1].slots;

        for (size_t i = key_hash(key) & f->mask;; i = (i + 1) & f->mask) {
                if (slots[i] == 0) {
                        slots[i] = (uint32_t)idx;
                        return 0;
                }
                if (streq(c->tree.values[slots[i]].key, key))
                        return slots[i];
        }
}

/* (Re)builds the table of f from its complete members, at most half full after the
 * current one is added. */
static int key_table_build(Checker *c, Frame *f) {
        KeyTable *t = &c->tables[c->depth - 1];
        size_t n = 64;

        while (n < 4 * f->count)
                n *= 2;
        if (n > t->allocated) {
                uint32_t *s = reallocarray(t->slots, n, sizeof(uint32_t));
                if (!s)
                        return -ENOMEM;
                t->slots = s;
                t->allocated = n;
        }
        memset(t->slots, 0, n * sizeof(uint32_t));
        f->mask = n - 1;

        const JsonValue *m = &c->tree.values[f->value + 1];
        for (size_t i = 0; i + 1 < f->count; i++, m += m->span)
                (void)key_table_add(c, f, m->key, (size_t)(m - c->tree.values));
        return 0;
}

static int add_key(Checker *c, const char *key, size_t offset) {
        Frame *f = &c->stack[c->depth - 1];
        const JsonValue *dup = NULL;
        int r;

        if (f->count >= CONFIG_ARRAY_MAX)
                return fail_path(c, c->depth - 1, "more than %d keys in one object", CONFIG_ARRAY_MAX);
        f->count++;
        f->key = key;
        c->key = key;
        c->key_offset = offset;

        /* The members before this one are complete; this one's value will be the next
         * value in the tree. */
        if (f->count <= KEYS_SCANNED_MAX) {
                const JsonValue *m = &c->tree.values[f->value + 1];
                for (size_t i = 0; i + 1 < f->count && !dup; i++, m += m->span)
                        if (streq(m->key, key))
                                dup = m;
        } else {
                if (f->mask == 0 || 2 * f->count > f->mask + 1) {
                        r = key_table_build(c, f);
                        if (r < 0)
                                return r;
                }
                size_t i = key_table_add(c, f, key, c->tree.n);
                if (i > 0)
                        dup = &c->tree.values[i];
        }

        if (dup) {
                unsigned l1, l2, col;
                json_offset_to_line_column(c->text, c->size, dup->offset, &l1, &col);
                json_offset_to_line_column(c->text, c->size, offset, &l2, &col);
                if (l1 == l2)
                        return fail_path(c, c->depth, "duplicate key (line %u)", l1);
                return fail_path(c, c->depth, "duplicate key (lines %u and %u)", l1, l2);
        }
        return 0;
}

static int parse(Checker *c) {
        State state = STATE_VALUE;
        JsonValue *v;
        int r;

        if (c->size >= 3 && memcmp(c->text, "\xEF\xBB\xBF", 3) == 0)
                return fail_at(c, 0,
                               "byte order mark (BOM) at the start: save the file as UTF-8 without a BOM");

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
                                v = new_value(c);
                                if (!v)
                                        return -ENOMEM;
                                v->type = JSON_STRING;
                                r = lex_string(c, false, &v->string);
                                if (r < 0)
                                        return r;
                                state = STATE_AFTER_VALUE;
                                break;
                        case '-':
                        case '0' ... '9':
                                v = new_value(c);
                                if (!v)
                                        return -ENOMEM;
                                r = lex_number(c, v);
                                if (r < 0)
                                        return r;
                                state = STATE_AFTER_VALUE;
                                break;
                        default:
                                v = new_value(c);
                                if (!v)
                                        return -ENOMEM;
                                r = lex_literal(c, v);
                                if (r < 0)
                                        return r;
                                state = STATE_AFTER_VALUE;
                        }
                        break;

                case STATE_KEY: {
                        size_t offset = c->pos;
                        const char *key;
                        if (c->pos >= c->size || c->text[c->pos] != '"')
                                return fail_unexpected(c, "a key in double quotes");
                        r = lex_string(c, true, &key);
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

void json_tree_done(JsonTree *t) {
        free(t->values);
        free(t->strings);
        *t = (JsonTree){};
}

int json_parse(const char *file, const char *text, size_t size, JsonTree *ret, char **ret_error) {
        Checker c = {
                .file = file,
                .text = text,
                .size = size,
        };
        int r;

        assert(file && (text || size == 0) && ret);

        /* Offsets are kept in 32 bits; configs are limited to far less. */
        if (size >= UINT32_MAX)
                return -EFBIG;

        /* Decoded strings and number texts never need more than the text itself, plus
         * the NUL of a number that ends it. */
        c.tree.strings = malloc(size + 2);
        if (!c.tree.strings)
                return -ENOMEM;

        r = parse(&c);
        for (size_t i = 0; i < ELEMENTSOF(c.tables); i++)
                free(c.tables[i].slots);
        if (r < 0) {
                json_tree_done(&c.tree);
                if (ret_error)
                        *ret_error = TAKE_PTR(c.error);
                free(c.error);
                return r;
        }
        *ret = c.tree;
        return 0;
}

int json_check(const char *file, const char *text, size_t size, char **ret_error) {
        JsonTree t = {};
        int r;

        r = json_parse(file, text, size, &t, ret_error);
        json_tree_done(&t);
        return r;
}

const JsonValue *json_member(const JsonValue *o, const char *key) {
        if (!o || o->type != JSON_OBJECT)
                return NULL;
        JSON_FOREACH(m, o)
        if (streq(m->key, key))
                return m;
        return NULL;
}
