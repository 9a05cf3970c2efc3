/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A tiny assert style for the unit tests: every check names the file, the line and
 * both values, and aborts (so meson counts the test as failed). */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASSERT(expr)                                                                                 \
        do {                                                                                         \
                if (!(expr)) {                                                                       \
                        fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #expr); \
                        abort();                                                                     \
                }                                                                                    \
        } while (0)

#define ASSERT_STREQ(a, b)                                                                           \
        do {                                                                                         \
                const char *_a_ = (a), *_b_ = (b);                                                   \
                if (!_a_ || !_b_ || strcmp(_a_, _b_) != 0) {                                         \
                        fprintf(stderr, "%s:%d: %s == %s failed:\n  got:      %s\n  expected: %s\n", \
                                __FILE__, __LINE__, #a, #b, _a_ ?: "(null)", _b_ ?: "(null)");       \
                        abort();                                                                     \
                }                                                                                    \
        } while (0)

#define ASSERT_EQ(a, b)                                                                                   \
        do {                                                                                              \
                long long _a_ = (long long)(a), _b_ = (long long)(b);                                     \
                if (_a_ != _b_) {                                                                         \
                        fprintf(stderr, "%s:%d: %s == %s failed: %lld != %lld\n", __FILE__, __LINE__, #a, \
                                #b, _a_, _b_);                                                            \
                        abort();                                                                          \
                }                                                                                         \
        } while (0)

#define ASSERT_OK(expr)                                                                      \
        do {                                                                                 \
                long long _r_ = (long long)(expr);                                           \
                if (_r_ < 0) {                                                               \
                        fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr, \
                                strerror((int)-_r_));                                        \
                        abort();                                                             \
                }                                                                            \
        } while (0)

#define TEST(name) static void name(void)
#define RUN(name)                         \
        do {                              \
                name();                   \
                printf("ok %s\n", #name); \
        } while (0)

#include <fcntl.h>
#include <unistd.h>

/* Writes 'content' to 'path' (created or truncated): test fixtures. */
static inline void test_write_file(const char *path, const char *content) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT(fd >= 0);
        ASSERT_EQ(write(fd, content, strlen(content)), (ssize_t) strlen(content));
        close(fd);
}
