/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

bool json_quote(const char *s, size_t max_chars, char *buf, size_t size) {
        size_t k = 0, shown = 0;

        /* Room kept at every step: the closing quote, "..." and the NUL. */
        if (size < 8) {
                if (size > 0)
                        buf[0] = 0;
                return false;
        }
        buf[k++] = '"';
        for (const char *f = s; *f; f++) {
                uint8_t b = (uint8_t)*f;
                char esc[8];
                size_t el;

                if ((b & 0xC0) != 0x80) { /* the start of a character */
                        if (max_chars > 0 && shown >= max_chars) {
                                memcpy(buf + k, "\"...", 5);
                                return true;
                        }
                        shown++;
                }
                if (b < 0x20 || b == 0x7f)
                        el = (size_t)snprintf(esc, sizeof(esc), "\\u%04x", b);
                else if (b == '"' || b == '\\')
                        el = (size_t)snprintf(esc, sizeof(esc), "\\%c", b);
                else {
                        esc[0] = (char)b;
                        el = 1;
                }
                if (k + el + 5 > size) {
                        /* In the middle of a character: back off to its first byte. */
                        if ((b & 0xC0) == 0x80) {
                                while (k > 1 && ((uint8_t)buf[k - 1] & 0xC0) == 0x80)
                                        k--;
                                if (k > 1)
                                        k--;
                        }
                        memcpy(buf + k, "\"...", 5);
                        return false;
                }
                memcpy(buf + k, esc, el);
                k += el;
        }
        buf[k++] = '"';
        buf[k] = 0;
        return true;
}

const char *quote(const char *s, char *buf, size_t size) {
        (void)json_quote(s, QUOTE_CHARS_MAX, buf, size);
        return buf;
}

const char *value_refusal(const char *what, const char *value, const char *reason,
                          char buf[static VALUE_REFUSAL_SIZE]) {
        char q[QUOTE_BUF_SIZE];

        snprintf(buf, VALUE_REFUSAL_SIZE, "invalid %s %s: %s", what, quote(value, q, sizeof(q)), reason);
        return buf;
}

bool string_is_one_line(const char *s) {
        for (const unsigned char *c = (const unsigned char *)s; *c; c++)
                if (*c < ' ' || *c == 0x7f)
                        return false;
        return true;
}
