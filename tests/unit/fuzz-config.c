/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: config_parse() on arbitrary bytes must return a config or one
 * message, never crash, leak or read out of bounds; an accepted config renders to
 * JSON that parses back to the same rendering. Built with -Dfuzzing=true (clang). */

#include <string.h>

#include "lib/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Config *c = NULL;
        char *err = NULL;

        if (size > CONFIG_FILE_SIZE_MAX)
                return 0;
        int r = config_parse("web", "/etc/nscontain.d/web.json", (const char *)data, size, &c, &err);
        if (r < 0) {
                if (r == -EINVAL && (!err || strncmp(err, "web.json", 8) != 0))
                        __builtin_trap();
                free(err);
                return 0;
        }
        if (err)
                __builtin_trap();

        char *a = NULL, *b = NULL;
        Config *d = NULL;
        if (config_to_json(c, &a) < 0)
                __builtin_trap();
        if (config_parse("web", NULL, a, strlen(a), &d, NULL) < 0)
                __builtin_trap();
        if (config_to_json(d, &b) < 0 || strcmp(a, b) != 0)
                __builtin_trap();
        free(a);
        free(b);
        config_free(c);
        config_free(d);
        return 0;
}
