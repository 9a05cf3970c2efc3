/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/env-file.c: "env_files" read as systemd's EnvironmentFile= reads them. */

#include <unistd.h>

#include "env-file.h"
#include "strv.h"
#include "tests.h"

static char **parse_ok(const char *text) {
        char **env = NULL;
        unsigned line = 0;
        ASSERT_OK(env_file_parse(text, strlen(text), &env, &line));
        return env;
}

static void parse_bad(const char *text, unsigned want_line) {
        _cleanup_strv_free_ char **env = NULL;
        unsigned line = 0;
        ASSERT_EQ(env_file_parse(text, strlen(text), &env, &line), -EINVAL);
        ASSERT_EQ(line, want_line);
}

TEST(test_plain_and_comments) {
        _cleanup_strv_free_ char **env = parse_ok("# a comment\n; another\n\nA=1\n  B = two words  \nC=\n");
        ASSERT_EQ(strv_length(env), 3);
        ASSERT_STREQ(strv_env_get(env, "A"), "1");
        ASSERT_STREQ(strv_env_get(env, "B"), "two words");
        ASSERT_STREQ(strv_env_get(env, "C"), "");
}

TEST(test_quotes_and_escapes) {
        _cleanup_strv_free_ char **env = parse_ok("S='a \"b\" $c \\\\'\n"
                                                  "D=\"x \\\"y\\\" \\$HOME \\\\ \\n\"\n"
                                                  "U=a\\ b\\\\c\n"
                                                  "M=\"multi\nline\"\n"
                                                  "J=one\\\ntwo\n"
                                                  "A=1\nA=2\n");
        ASSERT_STREQ(strv_env_get(env, "S"), "a \"b\" $c \\\\");
        ASSERT_STREQ(strv_env_get(env, "D"), "x \"y\" $HOME \\ \\n");
        ASSERT_STREQ(strv_env_get(env, "U"), "a b\\c");
        ASSERT_STREQ(strv_env_get(env, "M"), "multi\nline");
        ASSERT_STREQ(strv_env_get(env, "J"), "onetwo");
        ASSERT_STREQ(strv_env_get(env, "A"), "2");
}

TEST(test_bad_lines) {
        parse_bad("A=1\nthis is not an assignment\n", 2);
        parse_bad("A=1\n\n1A=x\n", 3);
        parse_bad("A=1\nB='unterminated\nC=3\n", 2);
        parse_bad("=x\n", 1);
        parse_bad("A=\"x\nB=1\n", 1);
}

TEST(test_load_names_file_and_line) {
        char path[] = "/tmp/test-env-file.XXXXXX";
        int fd = mkstemp(path);
        _cleanup_strv_free_ char **env = NULL;
        _cleanup_free_ char *error = NULL, *want = NULL;

        ASSERT(fd >= 0);
        close(fd);
        test_write_file(path, "GOOD=1\n\nexport BAD=2\n");
        ASSERT_EQ(env_file_load(path, &env, &error), -EINVAL);
        ASSERT(asprintf(&want,
                        "%s:3: not an assignment: write KEY=VALUE (KEY of letters, digits and '_'), or "
                        "quote the "
                        "value completely",
                        path) > 0);
        ASSERT_STREQ(error, want);
        free(error);
        error = NULL;
        unlink(path);
        ASSERT_EQ(env_file_load(path, &env, &error), -ENOENT);
        free(want);
        ASSERT(asprintf(&want, "%s: No such file", path) > 0);
        ASSERT_STREQ(error, want);
}
