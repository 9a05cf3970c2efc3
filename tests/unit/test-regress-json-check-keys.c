/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Regression (found while fuzzing, docs/SECURITY.md): json_check()'s duplicate-key
 * check compared each new key with every earlier key of its object, so a config of
 * many objects with CONFIG_ARRAY_MAX keys each took time quadratic in the keys per
 * object: about 2 s of CPU for one 1 MiB file, in the generator at every boot.
 *
 * Linear (or n log n) checking costs the same per byte whether the keys sit in a few
 * big objects or many small ones. The test measures both shapes at the same size
 * and fails when the big objects cost more than 4 times as much per byte (the
 * quadratic check: about 30 times). CPU time, best of 3, so a busy machine does not
 * decide. */

#include <errno.h>
#include <time.h>

#include "config.h"
#include "json-check.h"
#include "tests.h"

#define TEXT_SIZE (256 * 1024)

/* {"a0":[{"k0":0,...,"kN":0},...],"a1":[...],...} of about TEXT_SIZE bytes: arrays
 * of at most 512 objects, so that no array hits CONFIG_ARRAY_MAX. */
static char *objects_of(unsigned keys_per_object, size_t *ret_size) {
        char *text = malloc(TEXT_SIZE + 64 * 1024);
        size_t n = 0;
        unsigned arrays = 0;

        ASSERT(text);
        text[n++] = '{';
        while (n < TEXT_SIZE) {
                n += (size_t)sprintf(text + n, "%s\"a%u\":[", arrays > 0 ? "," : "", arrays);
                arrays++;
                for (unsigned o = 0; o < 512 && n < TEXT_SIZE; o++) {
                        n += (size_t)sprintf(text + n, "%s{", o > 0 ? "," : "");
                        for (unsigned k = 0; k < keys_per_object; k++)
                                n += (size_t)sprintf(text + n, "%s\"k%u\":0", k > 0 ? "," : "", k);
                        text[n++] = '}';
                }
                text[n++] = ']';
        }
        text[n++] = '}';
        text[n] = 0;
        *ret_size = n;
        return text;
}

static double cpu_seconds(void) {
        struct timespec ts;
        ASSERT(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Best of 3 CPU seconds per MiB for json_check() of 'text', which must pass. */
static double cost_per_mib(const char *text, size_t size) {
        double best = 1e9;

        for (int i = 0; i < 3; i++) {
                char *error = NULL;
                double t0 = cpu_seconds();
                int r = json_check("t.json", text, size, &error);
                double t = cpu_seconds() - t0;
                if (r < 0)
                        fprintf(stderr, "%s\n", error);
                ASSERT_OK(r);
                if (t < best)
                        best = t;
        }
        return best * (1024.0 * 1024.0) / (double)size;
}

TEST(test_keys_per_object_linear) {
        size_t small_size, big_size;
        char *small = objects_of(8, &small_size);
        char *big = objects_of(CONFIG_ARRAY_MAX, &big_size);
        double c_small = cost_per_mib(small, small_size), c_big = cost_per_mib(big, big_size);

        printf("json_check: %.3f s/MiB with 8 keys per object, %.3f s/MiB with %d\n", c_small, c_big,
               CONFIG_ARRAY_MAX);
        /* The floor keeps a very fast small case from making noise look like a ratio. */
        ASSERT(c_big <= 4 * (c_small > 0.01 ? c_small : 0.01));
        free(small);
        free(big);
}

/* The duplicate still has to be found, wherever in a full object it is. */
TEST(test_duplicate_in_full_object) {
        size_t size;
        char *text = objects_of(CONFIG_ARRAY_MAX - 1, &size);
        char *error = NULL;

        /* Turn the last key of the first object ("k1022") into a second "k1"... */
        char *p = strstr(text, "\"k1022\"");
        ASSERT(p);
        memcpy(p, "\"k1\"   ", 7);
        ASSERT_EQ(json_check("t.json", text, size, &error), -EINVAL);
        ASSERT(error && strstr(error, "duplicate key"));
        free(error);
        free(text);
}

int main(void) {
        RUN(test_duplicate_in_full_object);
        RUN(test_keys_per_object_linear);
        return 0;
}
