/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config_parse() on arbitrary bytes: it returns a config or exactly one message that
 * names the file, and never crashes, leaks or reads out of bounds. An accepted config
 * renders with config_to_json(), and that rendering is itself an accepted config that
 * renders to the same text (what "nscontain cat" shows is what would run). */

#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "lib/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        Config *c = NULL, *d = NULL;
        char *error = NULL, *json = NULL, *json2 = NULL;
        int r;

        /* config_load_file() refuses larger files before parsing. */
        if (size > CONFIG_FILE_SIZE_MAX)
                return 0;

        r = config_parse("web", "/etc/nscontain.d/web.json", (const char *)data, size, &c, &error);
        if (r < 0) {
                fuzz_check(r == -EINVAL || r == -ENOMEM);
                fuzz_check(c == NULL);
                if (r == -EINVAL)
                        fuzz_check(error && strncmp(error, "web.json", 8) == 0);
                free(error);
                return 0;
        }
        fuzz_check(c && !error);
        fuzz_check(streq(c->name, "web"));

        r = config_to_json(c, &json);
        fuzz_check(r >= 0 && json);
        r = config_parse("web", NULL, json, strlen(json), &d, &error);
        if (r < 0)
                fprintf(stderr, "rendering refused: %s\n%s\n", error, json);
        fuzz_check(r >= 0);
        r = config_to_json(d, &json2);
        fuzz_check(r >= 0 && streq(json, json2));

        free(json);
        free(json2);
        config_free(c);
        config_free(d);
        return 0;
}
