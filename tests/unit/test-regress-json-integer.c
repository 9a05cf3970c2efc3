/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Regression (fuzz-json-check, differential against json-c): an integer too large for
 * uint64_t kept the value of its first 19 digits instead of clamping to INT64_MAX,
 * e.g. 44444444444444444444 read as 4444444444444444444, so a message about an
 * out-of-range number named a different number. json_parse() promises json-c's
 * values: the int64_t range, clamped. Input: fuzz/regress/fuzz-json-check/. */

#include <stdint.h>

#include "json-check.h"
#include "tests.h"

static void check_integer(const char *text, int64_t expected) {
        JsonTree t = {};
        char *error = NULL;
        int r = json_parse("t.json", text, strlen(text), &t, &error);

        if (r < 0)
                fprintf(stderr, "%s\n", error);
        ASSERT_OK(r);
        ASSERT_EQ(t.values[0].type, JSON_INTEGER);
        if (t.values[0].integer != expected)
                fprintf(stderr, "%s read as %lld\n", text, (long long)t.values[0].integer);
        ASSERT_EQ(t.values[0].integer, expected);
        json_tree_done(&t);
}

TEST(test_integer_clamps) {
        check_integer("9223372036854775807", INT64_MAX);
        check_integer("9223372036854775808", INT64_MAX);
        check_integer("18446744073709551615", INT64_MAX);
        /* Past UINT64_MAX: the overflow itself must clamp. */
        check_integer("18446744073709551616", INT64_MAX);
        check_integer("44444444444444444444", INT64_MAX);
        check_integer("4444444444444442444444444444444444444444444444444444444444444444", INT64_MAX);
        check_integer("-9223372036854775808", INT64_MIN);
        check_integer("-9223372036854775809", INT64_MIN);
        check_integer("-99999999999999999999", INT64_MIN);
        check_integer("-0", 0);
        check_integer("65536", 65536);
}
