/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON pre-check on its own: what valid JSON it must accept, paths and
 * positions in its messages. (Its errors as the admin sees them are in test-config.) */

#include <json-c/json.h>

#include "lib/config.h"
#include "lib/json-check.h"
#include "tests.h"

static void accepts(const char *text) {
        char *err = NULL;
        int r = json_check("t.json", text, strlen(text), &err);
        if (r < 0) {
                fprintf(stderr, "rejected valid JSON %s: %s\n", text, err ?: "(no message)");
                abort();
        }
        ASSERT(!err);

        /* Whatever we accept, json-c must parse to the end too. */
        struct json_tokener *tok = json_tokener_new();
        ASSERT(tok);
        json_object *o = json_tokener_parse_ex(tok, text, (int)strlen(text));
        if (json_tokener_get_error(tok) == json_tokener_continue)
                o = json_tokener_parse_ex(tok, "", 1);
        ASSERT_EQ(json_tokener_get_error(tok), json_tokener_success);
        json_object_put(o);
        json_tokener_free(tok);
}

static void rejects(const char *text, size_t size, const char *expected) {
        char *err = NULL;
        int r = json_check("t.json", text, size, &err);
        if (r != -EINVAL || !err || strcmp(err, expected) != 0) {
                fprintf(stderr, "expected: %s\n     got: %d %s\n", expected, r, err ?: "(no message)");
                abort();
        }
        free(err);
}
#define REJECTS(text, expected) rejects(text, strlen(text), expected)

/* Every escape decodes to what RFC 8259 says it stands for. */
TEST(test_escapes_decoded) {
        static const char text[] = "[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00\"]";
        JsonTree t = {};
        char *err = NULL;

        ASSERT_OK(json_parse("t.json", text, strlen(text), &t, &err));
        ASSERT(!err);
        ASSERT_EQ(t.values[0].n, 1);
        ASSERT_STREQ(t.values[1].string, "\" \\ / \b \f \n \r \t \xc3\xa9 \xf0\x9f\x98\x80");
        json_tree_done(&t);
}

TEST(test_valid) {
        accepts("{}");
        accepts("[]");
        accepts("0");
        accepts("-0");
        accepts("-0.0e+0");
        accepts("1E9");
        accepts("1.5e-3");
        accepts("true");
        accepts("false");
        accepts("null");
        accepts("\"\"");
        accepts(" \t\r\n{ \"a\" : [ 1 , 2 , { } , [ ] , \"x\" ] , \"b\" : { \"c\" : null } } \n");
        accepts("{\"esc\": \"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9 \\uD83D\\uDE00 \\uFFFF\"}");
        accepts("{\"utf8\": \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xef\xbf\xbf \xf4\x8f\xbf\xbf\"}");
        accepts("{\"\xc3\xa9\": 1, \"e\\u0301\": 2}"); /* distinct keys, even if they look alike */
        accepts("{\"a\": {\"a\": {\"a\": 1}}}");       /* same key at different levels */
        accepts("[{\"a\": 1}, {\"a\": 2}]");           /* same key in sibling objects */
        accepts("[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]");   /* exactly CONFIG_DEPTH_MAX levels */
}

TEST(test_invalid) {
        rejects("", 0, "t.json:1:1: expected a value, found end of file");
        REJECTS("[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]", "t.json:1:17: nesting deeper than 16 levels");
        REJECTS("{\"a\":1,\"a\":2}", "t.json: a: duplicate key (line 1)");
        REJECTS("[{\"x\": {\"y\": 1,\n\"y\": 2}}]", "t.json: [0].x.y: duplicate key (lines 1 and 2)");
        REJECTS("{\"a b\": {\"c.d\": 1, \"c.d\": 2}}", "t.json: [\"a b\"][\"c.d\"]: duplicate key (line 1)");
        REJECTS("{\"q\\\"\": {\"k\": 1, \"k\": 1}}", "t.json: [\"q\\\"\"].k: duplicate key (line 1)");
        REJECTS("[1 2]", "t.json:1:4: expected ',' or ']' after an array element, found '2'");
        REJECTS("[1,]", "t.json:1:4: trailing comma before ']'");
        REJECTS("{,}", "t.json:1:2: expected a key in double quotes, found ','");
        REJECTS("{\"a\"}", "t.json:1:5: expected ':' after the key, found '}'");
        REJECTS("{\"a\":}", "t.json:1:6: expected a value, found '}'");
        REJECTS("[\"a\x01\"]", "t.json:1:4: control character 0x01 in a string: write it as an escape (\\n, "
                               "\\t or \\u0001)");
        REJECTS("[\x01]", "t.json:1:2: expected a value, found control character 0x01");
        REJECTS("[\"\\u0000\"]", "t.json: [0]: \"\\u0000\" (NUL) is not allowed in strings");
        REJECTS("{\"\\u0000\": 1}", "t.json:1:3: \"\\u0000\" (NUL) is not allowed in strings");
        REJECTS("\"\\u0000\"", "t.json:1:2: \"\\u0000\" (NUL) is not allowed in strings");
        REJECTS("[1e]", "t.json:1:4: expected a digit in the exponent, found ']'");
        REJECTS("[+1]", "t.json:1:2: expected a value, found '+'");
        REJECTS("[.5]", "t.json:1:2: expected a value, found '.'");
        REJECTS("[NaN]", "t.json:1:2: expected a value, found 'N' (strings and keys need double quotes)");
        REJECTS("[\xc3\xa9]", "t.json:1:2: expected a value, found '\xc3\xa9'");
        REJECTS("[11111111111111111111111111111111111111111111111111111111111111111]",
                "t.json:1:2: number longer than 64 characters");

        /* Without ret_error the verdict is the same. */
        ASSERT_EQ(json_check("t.json", "[1,]", 4, NULL), -EINVAL);
        ASSERT_EQ(json_check("t.json", "[1]", 3, NULL), 0);
}

TEST(test_line_column) {
        unsigned line, col;
        static const char text[] = "ab\ncd\xc3\xa9"
                                   "f\n\ng";

        json_offset_to_line_column(text, strlen(text), 0, &line, &col);
        ASSERT_EQ(line, 1);
        ASSERT_EQ(col, 1);
        json_offset_to_line_column(text, strlen(text), 2, &line, &col);
        ASSERT_EQ(line, 1);
        ASSERT_EQ(col, 3);
        json_offset_to_line_column(text, strlen(text), 3, &line, &col);
        ASSERT_EQ(line, 2);
        ASSERT_EQ(col, 1);
        json_offset_to_line_column(text, strlen(text), 7, &line, &col); /* 'f', after a two-byte 'é' */
        ASSERT_EQ(line, 2);
        ASSERT_EQ(col, 4);
        json_offset_to_line_column(text, strlen(text), 9, &line, &col); /* the empty line */
        ASSERT_EQ(line, 3);
        ASSERT_EQ(col, 1);
        json_offset_to_line_column(text, strlen(text), 10, &line, &col);
        ASSERT_EQ(line, 4);
        ASSERT_EQ(col, 1);
        json_offset_to_line_column(text, strlen(text), 999, &line, &col); /* clamped to the end */
        ASSERT_EQ(line, 4);
        ASSERT_EQ(col, 2);
}

TEST(test_path_append_key) {
        char buf[32] = "";

        ASSERT(json_path_append_key(buf, sizeof(buf), "env"));
        ASSERT_STREQ(buf, "env");
        ASSERT(json_path_append_key(buf, sizeof(buf), "FOO_1-x"));
        ASSERT_STREQ(buf, "env.FOO_1-x");
        ASSERT(json_path_append_key(buf, sizeof(buf), "a.b"));
        ASSERT_STREQ(buf, "env.FOO_1-x[\"a.b\"]");
        buf[0] = 0;
        ASSERT(json_path_append_key(buf, sizeof(buf), "\"\n"));
        ASSERT_STREQ(buf, "[\"\\\"\\u000a\"]");
        buf[0] = 0;
        ASSERT(json_path_append_key(buf, sizeof(buf), ""));
        ASSERT_STREQ(buf, "[\"\"]");
        /* Too long for the buffer: refused, never overflowing. */
        char small[8] = "abc";
        ASSERT(!json_path_append_key(small, sizeof(small), "defghij"));
        ASSERT(!json_path_append_key(small, sizeof(small), "x y z w"));
}
