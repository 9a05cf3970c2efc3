/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* json_check() on arbitrary bytes: never crashes or reads out of bounds; what it
 * accepts, json-c parses completely (config_parse() relies on that: after the check
 * json-c is expected to fail only on memory); a refusal is one message naming the
 * file; every line/column it computes lies inside the text. */

#include <errno.h>
#include <json-c/json.h>
#include <string.h>

#include "fuzz.h"
#include "lib/config.h"
#include "lib/json-check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *)data;
        char *error = NULL;
        unsigned line, column;
        int r;

        if (size > CONFIG_FILE_SIZE_MAX)
                return 0;

        r = json_check("t.json", text, size, &error);
        if (r < 0) {
                fuzz_check(r == -EINVAL || r == -ENOMEM);
                if (r == -EINVAL)
                        fuzz_check(error && strncmp(error, "t.json", 6) == 0);
                free(error);
        } else {
                struct json_tokener *tok;
                enum json_tokener_error jerr;

                fuzz_check(!error);
                tok = json_tokener_new_ex(CONFIG_DEPTH_MAX + 2);
                fuzz_check(tok);
                json_object *root = json_tokener_parse_ex(tok, text, (int)size);
                jerr = json_tokener_get_error(tok);
                if (jerr == json_tokener_continue) {
                        root = json_tokener_parse_ex(tok, "", 1);
                        jerr = json_tokener_get_error(tok);
                }
                if (jerr != json_tokener_success)
                        fprintf(stderr, "json-c: %s at %zu\n", json_tokener_error_desc(jerr),
                                json_tokener_get_parse_end(tok));
                fuzz_check(jerr == json_tokener_success);
                json_object_put(root);
                json_tokener_free(tok);
        }

        /* The position helper for the messages, at the end and past it. */
        json_offset_to_line_column(text, size, size, &line, &column);
        fuzz_check(line >= 1 && column >= 1 && line <= size + 1 && column <= size + 1);
        json_offset_to_line_column(text, size, size / 2, &line, &column);
        fuzz_check(line >= 1 && column >= 1);

        /* Keys as JSON paths: bounded, and true only when it fit. */
        char *key = fuzz_strndup(data, size < 200 ? size : 200);
        if (key) {
                char buf[64];
                /* Junk after the terminator, so a "fits" without a NUL shows. */
                memset(buf, 'Z', sizeof(buf));
                buf[0] = 'x';
                buf[1] = 0;
                if (json_path_append_key(buf, sizeof(buf), key))
                        fuzz_check(memchr(buf, 0, sizeof(buf)) && buf[0] == 'x');
                free(key);
        }
        return 0;
}
