/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The one entry point every fuzz target defines. With -Dfuzzing=true libFuzzer
 * drives it; otherwise fuzz-main.c replays files (seed corpus, crash reproducers)
 * through it, so every finding stays a test in the ordinary build. */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant the target checks, not a crash it waits for: print it and abort, so
 * that libFuzzer saves the input and the replayer fails. */
#define fuzz_check(expr)                                                                             \
        do {                                                                                         \
                if (!(expr)) {                                                                       \
                        fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #expr); \
                        abort();                                                                     \
                }                                                                                    \
        } while (0)

/* Bytes as a NUL-terminated string (the parsers take C strings); NULL on ENOMEM. */
static inline char *fuzz_strndup(const uint8_t *data, size_t size) {
        char *s = malloc(size + 1);
        if (!s)
                return NULL;
        for (size_t i = 0; i < size; i++)
                s[i] = (char)data[i];
        s[size] = 0;
        return s;
}
