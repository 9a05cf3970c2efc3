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

/* One registration per test: TEST(name) { ... } defines the function and puts an entry
 * for it in the "nsc_tests" section of the program; tests/unit/tests.c holds the one
 * main() every unit test links, which runs the entries in the order of the source
 * (as systemd's src/shared/tests.h does). A test that cannot run here calls
 * TEST_SKIP("why"): the program still runs the others, prints the reason, and exits
 * 77 so meson counts it as skipped, never as passed. TEST_SETUP(fn) and
 * TEST_TEARDOWN(fn) register functions run once before the first and after the last
 * test (fixtures such as a temporary directory). */
typedef enum TestKind {
        TEST_KIND_TEST,
        TEST_KIND_SETUP,
        TEST_KIND_TEARDOWN,
} TestKind;

typedef struct TestEntry {
        const char *name;
        void (*func)(void);
        TestKind kind;
        int line;
} TestEntry;

/* Not instrumented by clang's ASan: its redzones between the entries would break the
 * walk from __start_nsc_tests to __stop_nsc_tests. (gcc leaves variables in a section
 * of their own alone, and warns about the attribute on a variable.) */
#if defined(__clang__) && defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TEST_NO_SANITIZE_ADDRESS __attribute__((no_sanitize_address))
#endif
#endif
#ifndef TEST_NO_SANITIZE_ADDRESS
#define TEST_NO_SANITIZE_ADDRESS
#endif

#define TEST_REGISTER_(func_, name_, kind_)                                          \
        static const TestEntry test_entry_##func_                                    \
                __attribute__((section("nsc_tests"), used, aligned(sizeof(void *)))) \
                TEST_NO_SANITIZE_ADDRESS = {name_, func_, kind_, __LINE__}

#define TEST(name)                                   \
        static void name(void);                      \
        TEST_REGISTER_(name, #name, TEST_KIND_TEST); \
        static void name(void)
#define TEST_SETUP(fn)    TEST_REGISTER_(fn, #fn, TEST_KIND_SETUP)
#define TEST_TEARDOWN(fn) TEST_REGISTER_(fn, #fn, TEST_KIND_TEARDOWN)

/* The hand-written list of RUN() calls in a main() of each test is gone: TEST() registers
 * itself and tests.c has the one main(). */
#define RUN(name) \
        _Static_assert(0, "RUN() is gone: TEST() registers itself; delete the main() (tests/unit/tests.h)")

/* Marks the running test as skipped with a printf-style reason, and returns from it. */
void test_skip_(const char *format, ...) __attribute__((format(printf, 1, 2)));
#define TEST_SKIP(...)                   \
        do {                             \
                test_skip_(__VA_ARGS__); \
                return;                  \
        } while (0)

#include <fcntl.h>
#include <unistd.h>

/* Writes 'content' to 'path' (created or truncated): test fixtures. */
static inline void test_write_file(const char *path, const char *content) {
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        ASSERT(fd >= 0);
        ASSERT_EQ(write(fd, content, strlen(content)), (ssize_t)strlen(content));
        close(fd);
}
