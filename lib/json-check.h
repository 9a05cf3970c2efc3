/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The config's JSON reader: a strict parser (a lexer with a bounded stack) that builds
 * a flat, read-only tree in one pass. It is our own rather than json-c's because
 * json-c keeps the last of duplicate keys silently, accepts lone surrogates and raw
 * control characters, and has its own depth limit with a terse message; and because
 * one pass with two allocations is what lets the generator read thousands of configs
 * at boot cheaply. It reports what it finds with a line, a column and a JSON path:
 *
 *   web.json:3:14: expected ',' or '}' after an object member, found 'x'
 *   web.json: env.FOO: duplicate key (lines 3 and 5)
 *   web.json:2:9: invalid UTF-8 (byte offset 17)
 *
 * Limits: nesting CONFIG_DEPTH_MAX, strings (and keys) CONFIG_STRING_MAX bytes decoded,
 * CONFIG_ARRAY_MAX elements per array or keys per object, no NUL anywhere (raw or
 * "\u0000"), UTF-8 only, no byte order mark, exactly one value in the text. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum JsonType {
        JSON_NULL,
        JSON_BOOLEAN,
        JSON_INTEGER,  /* a number without fraction or exponent */
        JSON_FRACTION, /* a number with a fraction or an exponent ("1.5", "1e3") */
        JSON_STRING,
        JSON_ARRAY,
        JSON_OBJECT,
} JsonType;

/* One value of the tree. The tree is an array in document order: the first child of a
 * container is the value right after it, and every value's next sibling is
 * 'span' values further on. Iterate with JSON_FOREACH. */
typedef struct JsonValue {
        JsonType type;
        uint32_t span;      /* this value and everything inside it */
        uint32_t n;         /* array: elements; object: members */
        uint32_t offset;    /* byte offset in the text: of the key for a member, else of the value */
        const char *key;    /* a member of an object: its key, decoded; NULL otherwise */
        const char *string; /* string: decoded; number: as written; true, false, null: the literal */
        int64_t integer;    /* JSON_INTEGER: the value, clamped to the int64_t range */
        bool boolean;       /* JSON_BOOLEAN */
} JsonValue;

typedef struct JsonTree {
        JsonValue *values; /* values[0] is the root */
        size_t n, allocated;
        char *strings; /* the decoded strings, keys and number texts, NUL-terminated */
} JsonTree;

#define JSON_FOREACH(c, v) \
        for (const JsonValue *c = (v) + 1, *_end_##c = (v) + (v)->span; c < _end_##c; c += c->span)

/* Parses 'size' bytes of text (which need not be NUL-terminated). Returns 0 and the
 * tree in *ret (free it with json_tree_done()), -EINVAL with a message (prefixed by
 * 'file') in *ret_error, or -ENOMEM. */
int json_parse(const char *file, const char *text, size_t size, JsonTree *ret, char **ret_error);
void json_tree_done(JsonTree *t);

/* Only checks the text: json_parse() without keeping the tree. */
int json_check(const char *file, const char *text, size_t size, char **ret_error);

/* The member 'key' of object 'o', or NULL. */
const JsonValue *json_member(const JsonValue *o, const char *key);

/* Line and column (both 1-based; the column counts characters, not bytes) of byte
 * 'offset' in 'text'. */
void json_offset_to_line_column(const char *text, size_t size, size_t offset, unsigned *ret_line,
                                unsigned *ret_column);

/* Appends the JSON-path form of a key to 'buf' ("a" → ".a", top level "a"; keys that
 * are not [A-Za-z0-9_-]+ as ["..."]). Returns false when it did not fit. */
bool json_path_append_key(char *buf, size_t size, const char *key);
