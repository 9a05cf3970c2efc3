/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A pre-scan of raw JSON text, run before json-c sees it. json-c keeps the last of
 * duplicate keys silently, accepts lone surrogates and raw control characters, and
 * has its own depth limit with a terse message; this checker is a full JSON syntax
 * validator (a lexer with a bounded stack, no tree) that enforces our limits and
 * reports what it finds with a line, a column and a JSON path:
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

/* Returns 0 when 'text' passes, -EINVAL with a message (prefixed by 'file') in
 * *ret_error, or -ENOMEM. */
int json_check(const char *file, const char *text, size_t size, char **ret_error);

/* Line and column (both 1-based; the column counts characters, not bytes) of byte
 * 'offset' in 'text'. */
void json_offset_to_line_column(const char *text, size_t size, size_t offset, unsigned *ret_line,
                                unsigned *ret_column);

/* Appends the JSON-path form of a key to 'buf' ("a" → ".a", top level "a"; keys that
 * are not [A-Za-z0-9_-]+ as ["..."]). Returns false when it did not fit. */
bool json_path_append_key(char *buf, size_t size, const char *key);
