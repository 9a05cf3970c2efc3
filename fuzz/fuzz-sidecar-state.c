/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The sidecar's state file (sidecar/state.c) as it may be found after a crash, a
 * full disk or an administrator's edit: state_parse() keeps the good lines and counts
 * the bad ones, never crashes or leaks. What it kept is a consistent state (no NAME
 * twice, no overlapping ranges, no address twice), and state_format() writes it back
 * as a file that parses to the same state with no bad line. */

#include <string.h>

#include "fuzz.h"
#include "sidecar.h"

static void check_consistent(const State *s) {
        for (size_t i = 0; i < s->n_entries; i++) {
                const Entry *a = &s->entries[i];

                fuzz_check(a->name && *a->name);
                if (a->uid_size != 0) {
                        fuzz_check(a->uid_base % SIDECAR_RANGE_ALIGN == 0 &&
                                   a->uid_size % SIDECAR_RANGE_ALIGN == 0);
                        fuzz_check(a->uid_base >= UID_RANGE_FIRST);
                        fuzz_check(a->uid_size - 1 <= UID_RANGE_LAST - a->uid_base);
                }
                for (size_t j = i + 1; j < s->n_entries; j++) {
                        const Entry *b = &s->entries[j];

                        fuzz_check(!streq(a->name, b->name));
                        if (a->address != 0)
                                fuzz_check(a->address != b->address);
                        if (a->uid_size != 0 && b->uid_size != 0)
                                fuzz_check(a->uid_base + (a->uid_size - 1) < b->uid_base ||
                                           b->uid_base + (b->uid_size - 1) < a->uid_base);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        State s = {}, t = {}, c = {};
        char *text, *error = NULL, *formatted = NULL, *error2 = NULL;
        size_t n_bad = 0, n_bad2 = 0;
        int r;

        /* The sidecar reads at most SIDECAR_STATE_SIZE_MAX; the fuzzer's inputs are far
         * smaller, but keep to what the daemon could be handed. */
        if (size > SIDECAR_STATE_SIZE_MAX)
                return 0;
        text = fuzz_strndup(data, size);
        if (!text)
                return 0;

        r = state_parse(text, &s, &n_bad, &error);
        if (r < 0) {
                fuzz_check(r == -ENOMEM);
                free(text);
                return 0;
        }
        /* A problem is reported exactly when some line was bad. */
        fuzz_check((n_bad > 0) == (error != NULL));
        check_consistent(&s);

        r = state_format(&s, &formatted);
        fuzz_check(r >= 0);
        r = state_parse(formatted, &t, &n_bad2, &error2);
        fuzz_check(r >= 0);
        if (n_bad2 != 0)
                fprintf(stderr, "formatted state refused: %s\n%s", error2, formatted);
        fuzz_check(n_bad2 == 0 && !error2);
        fuzz_check(state_equal(&s, &t) && state_equal(&t, &s));

        /* The copy the daemon makes before each transaction is equal too. */
        r = state_copy(&s, &c);
        fuzz_check(r >= 0 && state_equal(&s, &c));

        state_done(&s);
        state_done(&t);
        state_done(&c);
        free(text);
        free(error);
        free(formatted);
        return 0;
}
