/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The config's own JSON parser (lib/json-check.c: json_parse, json_check) on
 * arbitrary bytes: never crashes or reads out of bounds; a refusal is one message
 * naming the file; json_check() agrees with json_parse(). An accepted text gives a
 * well-formed tree (spans and counts add up, offsets inside the text, members have
 * keys, no key twice in one object: the hash table of large objects must find every
 * duplicate), and, when built with json-c, the very tree json-c reads from the same
 * text (differential: json-c is the long-used reference; ours replaced it). */

#include <errno.h>
#include <math.h>
#include <string.h>
#if HAVE_JSONC
#include <json-c/json.h>
#endif

#include "fuzz.h"
#include "lib/config.h"
#include "lib/json-check.h"

/* Checks the value at v and everything inside it; returns its span. */
static size_t check_value(const JsonTree *t, const JsonValue *v, size_t text_size) {
        fuzz_check(v >= t->values && v < t->values + t->n);
        fuzz_check(v->span >= 1 && (size_t)(v - t->values) + v->span <= t->n);
        fuzz_check(v->offset < text_size);

        switch (v->type) {
        case JSON_NULL:
        case JSON_BOOLEAN:
        case JSON_INTEGER:
        case JSON_FRACTION:
        case JSON_STRING:
                fuzz_check(v->span == 1 && v->string);
                fuzz_check(strlen(v->string) <= CONFIG_STRING_MAX);
                break;
        case JSON_ARRAY:
        case JSON_OBJECT: {
                size_t inside = 1, n = 0;

                fuzz_check(v->n <= CONFIG_ARRAY_MAX);
                JSON_FOREACH(c, v) {
                        if (v->type == JSON_OBJECT)
                                fuzz_check(c->key != NULL);
                        else
                                fuzz_check(c->key == NULL);
                        inside += check_value(t, c, text_size);
                        n++;
                }
                fuzz_check(inside == v->span && n == v->n);
                if (v->type == JSON_OBJECT)
                        JSON_FOREACH(a, v) {
                                for (const JsonValue *b = a + a->span; b < v + v->span; b += b->span)
                                        fuzz_check(!streq(a->key, b->key));
                                fuzz_check(json_member(v, a->key) == a);
                        }
                break;
        }
        default:
                fuzz_check(!"unknown type");
        }
        return v->span;
}

#if HAVE_JSONC
/* Our value v and json-c's o are the same JSON value. */
static void compare(const JsonValue *v, json_object *o) {
        switch (v->type) {
        case JSON_NULL:
                fuzz_check(o == NULL);
                break;
        case JSON_BOOLEAN:
                fuzz_check(json_object_is_type(o, json_type_boolean));
                fuzz_check(v->boolean == (bool)json_object_get_boolean(o));
                break;
        case JSON_INTEGER:
                /* Both clamp to the int64_t range. */
                fuzz_check(json_object_is_type(o, json_type_int));
                fuzz_check(v->integer == json_object_get_int64(o));
                break;
        case JSON_FRACTION: {
                fuzz_check(json_object_is_type(o, json_type_double));
                double a = strtod(v->string, NULL), b = json_object_get_double(o);
                fuzz_check(a == b || (isnan(a) && isnan(b)));
                break;
        }
        case JSON_STRING:
                fuzz_check(json_object_is_type(o, json_type_string));
                fuzz_check((size_t)json_object_get_string_len(o) == strlen(v->string));
                fuzz_check(memcmp(json_object_get_string(o), v->string, strlen(v->string)) == 0);
                break;
        case JSON_ARRAY: {
                size_t i = 0;
                fuzz_check(json_object_is_type(o, json_type_array));
                fuzz_check(json_object_array_length(o) == v->n);
                JSON_FOREACH(c, v)
                compare(c, json_object_array_get_idx(o, i++));
                break;
        }
        case JSON_OBJECT:
                fuzz_check(json_object_is_type(o, json_type_object));
                fuzz_check((size_t)json_object_object_length(o) == v->n);
                JSON_FOREACH(c, v) {
                        json_object *m = NULL;
                        fuzz_check(json_object_object_get_ex(o, c->key, &m));
                        compare(c, m);
                }
                break;
        }
}

static void compare_with_json_c(const JsonTree *t, const char *text, size_t size) {
        struct json_tokener *tok = json_tokener_new_ex(CONFIG_DEPTH_MAX + 2);
        enum json_tokener_error jerr;
        json_object *root;

        fuzz_check(tok);
        root = json_tokener_parse_ex(tok, text, (int)size);
        jerr = json_tokener_get_error(tok);
        if (jerr == json_tokener_continue) {
                /* A top-level scalar ("5") is complete only at a terminator. */
                root = json_tokener_parse_ex(tok, "", 1);
                jerr = json_tokener_get_error(tok);
        }
        if (jerr != json_tokener_success)
                fprintf(stderr, "json-c: %s at %zu\n", json_tokener_error_desc(jerr),
                        json_tokener_get_parse_end(tok));
        fuzz_check(jerr == json_tokener_success);
        compare(&t->values[0], root);
        json_object_put(root);
        json_tokener_free(tok);
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *)data;
        char *error = NULL, *error2 = NULL;
        JsonTree t = {};
        unsigned line, column;
        int r, k;

        if (size > CONFIG_FILE_SIZE_MAX)
                return 0;

        r = json_parse("t.json", text, size, &t, &error);
        k = json_check("t.json", text, size, &error2);
        fuzz_check(r == k);
        if (r < 0) {
                fuzz_check(r == -EINVAL || r == -ENOMEM);
                if (r == -EINVAL) {
                        fuzz_check(error && strncmp(error, "t.json", 6) == 0);
                        fuzz_check(error2 && streq(error, error2));
                }
        } else {
                fuzz_check(!error && !error2);
                fuzz_check(t.n >= 1 && check_value(&t, &t.values[0], size) == t.n);
#if HAVE_JSONC
                compare_with_json_c(&t, text, size);
#endif
        }
        json_tree_done(&t);
        free(error);
        free(error2);

        /* The position helper for the messages, at the end and past it. */
        json_offset_to_line_column(text, size, size, &line, &column);
        fuzz_check(line >= 1 && column >= 1 && line <= size + 1 && column <= size + 1);
        json_offset_to_line_column(text, size, size + 10, &line, &column);
        fuzz_check(line >= 1 && column >= 1 && line <= size + 1 && column <= size + 1);

        /* Keys as JSON paths: bounded, and terminated when it fit. */
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
