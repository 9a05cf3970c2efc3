/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The main() of every unit test: runs the TEST() entries of tests.h in source order,
 * or only those named on the command line, or all but those named after --except
 * (tests/unit/meson.build runs a test that may skip on its own that way), and prints
 * one line per test:
 *
 *     ok NAME
 *     skip NAME: WHY
 *
 * Exit status: 0 when every test passed, 77 (meson's "skipped") when at least one was
 * skipped and none failed; a failed assertion aborts, which meson counts as failed. */

#include <stdarg.h>
#include <stdbool.h>

#include "tests.h"

extern const TestEntry __start_nsc_tests[], __stop_nsc_tests[];

static char skip_reason[256];
static bool skipped;

void test_skip_(const char *format, ...) {
        va_list ap;

        va_start(ap, format);
        vsnprintf(skip_reason, sizeof(skip_reason), format, ap);
        va_end(ap);
        skipped = true;
}

static int entry_compare(const void *a, const void *b) {
        const TestEntry *x = *(const TestEntry *const *)a, *y = *(const TestEntry *const *)b;

        return (x->line > y->line) - (x->line < y->line);
}

static const TestEntry **entries; /* reachable from here when an assertion aborts */
static bool except; /* the names on the command line are the ones not to run */

static bool selected(const TestEntry *e, int argc, char **argv) {
        if (argc <= 1)
                return true;
        for (int i = 1; i < argc; i++)
                if (strcmp(argv[i], e->name) == 0)
                        return !except;
        return except;
}

static void run_kind(size_t n, TestKind kind) {
        for (size_t i = 0; i < n; i++)
                if (entries[i]->kind == kind)
                        entries[i]->func();
}

int main(int argc, char **argv) {
        size_t n = (size_t)(__stop_nsc_tests - __start_nsc_tests), ran = 0, n_skipped = 0;

        entries = calloc(n ?: 1, sizeof(*entries));
        ASSERT(entries);
        for (size_t i = 0; i < n; i++)
                entries[i] = &__start_nsc_tests[i];
        /* The linker keeps the entries of one file in order of definition in practice,
         * but does not promise it: the line numbers do. */
        qsort(entries, n, sizeof(*entries), entry_compare);

        if (argc > 1 && strcmp(argv[1], "--except") == 0) {
                except = true;
                argv[1] = argv[0];
                argc--;
                argv++;
        }
        for (int i = 1; i < argc; i++) {
                size_t j = 0;
                while (j < n &&
                       !(entries[j]->kind == TEST_KIND_TEST && strcmp(entries[j]->name, argv[i]) == 0))
                        j++;
                if (j == n) {
                        fprintf(stderr, "%s: no test named '%s'\n", argv[0], argv[i]);
                        free(entries);
                        return EXIT_FAILURE;
                }
        }

        run_kind(n, TEST_KIND_SETUP);
        for (size_t i = 0; i < n; i++) {
                const TestEntry *e = entries[i];

                if (e->kind != TEST_KIND_TEST || !selected(e, argc, argv))
                        continue;
                skipped = false;
                e->func();
                ran++;
                if (skipped) {
                        printf("skip %s: %s\n", e->name, skip_reason);
                        n_skipped++;
                } else
                        printf("ok %s\n", e->name);
                fflush(stdout);
        }
        run_kind(n, TEST_KIND_TEARDOWN);
        free(entries);

        if (ran == 0) {
                fprintf(stderr, "%s: no test ran\n", argv[0]);
                return EXIT_FAILURE;
        }
        printf("# %zu passed, %zu skipped\n", ran - n_skipped, n_skipped);
        return n_skipped > 0 ? 77 : EXIT_SUCCESS;
}
