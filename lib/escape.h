/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Values quoted in messages, the one way for every program: in double quotes with
 * JSON's escapes, so that a message shows exactly what was written, a control
 * character cannot reach the terminal raw, and what the sidecar sends over the bus
 * stays valid UTF-8. */

#include <stdbool.h>
#include <stddef.h>

/* At most this many characters of a value are shown in a message. */
#define QUOTE_CHARS_MAX 64
/* Room for a quoted value in a message: what json_quote() writes at most is cut to it. */
#define QUOTE_BUF_SIZE 160

/* Writes "s" into buf: '"' and '\' with a backslash, control characters and DEL as
 * \u00XX, everything else (UTF-8 included) as it is. After max_chars characters (0: no
 * limit) the quote closes and "..." follows. Never cuts inside a UTF-8 character or an
 * escape. Returns false when buf (at least 8 bytes) was too small for all of it: buf
 * then holds a shorter, still closed quote. */
bool json_quote(const char *s, size_t max_chars, char *buf, size_t size);

/* s quoted for a message: json_quote() of at most QUOTE_CHARS_MAX characters (buf of
 * QUOTE_BUF_SIZE bytes holds them). Returns buf. */
const char *quote(const char *s, char *buf, size_t size);

/* The words for a refused value, the same wherever it is checked (the config parser,
 * the sidecar, the CLI): invalid WHAT "VALUE": REASON. Returns buf. */
#define VALUE_REFUSAL_SIZE 512
const char *value_refusal(const char *what, const char *value, const char *reason,
                          char buf[static VALUE_REFUSAL_SIZE]);

/* Whether s holds no control character and no DEL: what may stand on one line of a
 * unit file (the config refuses the rest; the generator checks again before writing). */
bool string_is_one_line(const char *s);
