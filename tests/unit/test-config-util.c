/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Signal names, systemd time spans and capability names. */

#include <linux/capability.h>
#include <signal.h>

#include "lib/config.h"
#include "tests.h"

TEST(test_signal_from_string) {
        ASSERT_EQ(signal_from_string("SIGTERM"), SIGTERM);
        ASSERT_EQ(signal_from_string("TERM"), SIGTERM);
        ASSERT_EQ(signal_from_string("sigterm"), SIGTERM);
        ASSERT_EQ(signal_from_string("15"), 15);
        ASSERT_EQ(signal_from_string("SIGKILL"), SIGKILL);
        ASSERT_EQ(signal_from_string("SIGHUP"), SIGHUP);
        ASSERT_EQ(signal_from_string("INT"), SIGINT);
        ASSERT_EQ(signal_from_string("SIGWINCH"), SIGWINCH);
        ASSERT_EQ(signal_from_string("SIGSYS"), SIGSYS);
        ASSERT_EQ(signal_from_string("SIGIOT"), SIGABRT);
        ASSERT_EQ(signal_from_string("SIGPOLL"), SIGIO);
        ASSERT_EQ(signal_from_string("SIGCLD"), SIGCHLD);
        ASSERT_EQ(signal_from_string("SIGRTMIN"), SIGRTMIN);
        ASSERT_EQ(signal_from_string("SIGRTMIN+3"), SIGRTMIN + 3);
        ASSERT_EQ(signal_from_string("RTMIN+3"), SIGRTMIN + 3);
        ASSERT_EQ(signal_from_string("SIGRTMIN+0"), SIGRTMIN);
        ASSERT_EQ(signal_from_string("SIGRTMAX"), SIGRTMAX);
        ASSERT_EQ(signal_from_string("SIGRTMAX-1"), SIGRTMAX - 1);
        ASSERT_EQ(signal_from_string(NULL), -EINVAL);
        ASSERT_EQ(signal_from_string(""), -EINVAL);
        ASSERT_EQ(signal_from_string("0"), -EINVAL);
        ASSERT_EQ(signal_from_string("65"), -EINVAL);
        ASSERT_EQ(signal_from_string("-1"), -EINVAL);
        ASSERT_EQ(signal_from_string("15x"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIG"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIGTERMX"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIGRTMIN+"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIGRTMIN-1"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIGRTMAX+1"), -EINVAL);
        ASSERT_EQ(signal_from_string("SIGRTMIN+31"), -EINVAL); /* beyond SIGRTMAX */
        ASSERT_EQ(signal_from_string("SIGRTMIN+30"), SIGRTMIN + 30);
        ASSERT_EQ(signal_from_string(" SIGTERM"), -EINVAL);
}

TEST(test_signal_to_string) {
        ASSERT_STREQ(signal_to_string(SIGTERM), "SIGTERM");
        ASSERT_STREQ(signal_to_string(SIGKILL), "SIGKILL");
        ASSERT_STREQ(signal_to_string(SIGRTMIN), "SIGRTMIN");
        ASSERT_STREQ(signal_to_string(SIGRTMIN + 3), "SIGRTMIN+3");
        ASSERT_STREQ(signal_to_string(SIGRTMAX), "SIGRTMIN+30");
        ASSERT(!signal_to_string(0));
        ASSERT(!signal_to_string(-1));
        ASSERT(!signal_to_string(SIGRTMAX + 1));

        /* Every signal that has a name round-trips. */
        for (int sig = 1; sig <= SIGRTMAX; sig++) {
                const char *s = signal_to_string(sig);
                if (!s) {
                        /* Only glibc's reserved 32 and 33 have no name. */
                        ASSERT(sig > SIGSYS && sig < SIGRTMIN);
                        continue;
                }
                ASSERT_EQ(signal_from_string(s), sig);
        }
}

#define SEC  1000000ULL
#define MSEC 1000ULL

static uint64_t span(const char *s) {
        uint64_t u = 0;
        int r = parse_timespan(s, &u);
        if (r < 0) {
                fprintf(stderr, "parse_timespan(\"%s\") failed: %d\n", s, r);
                abort();
        }
        return u;
}

TEST(test_parse_timespan) {
        ASSERT_EQ(span("10s"), 10 * SEC);
        ASSERT_EQ(span("10"), 10 * SEC);
        ASSERT_EQ(span("0"), 0);
        ASSERT_EQ(span("500ms"), 500 * MSEC);
        ASSERT_EQ(span("1min 30s"), 90 * SEC);
        ASSERT_EQ(span("1min30s"), 90 * SEC);
        ASSERT_EQ(span("1m"), 60 * SEC);
        ASSERT_EQ(span("2 min"), 120 * SEC);
        ASSERT_EQ(span("1h"), 3600 * SEC);
        ASSERT_EQ(span("1hr"), 3600 * SEC);
        ASSERT_EQ(span("1d"), 86400 * SEC);
        ASSERT_EQ(span("1w"), 7 * 86400 * SEC);
        ASSERT_EQ(span("1M"), 2629800 * SEC);
        ASSERT_EQ(span("1y"), 31557600 * SEC);
        ASSERT_EQ(span("1.5s"), 1500 * MSEC);
        ASSERT_EQ(span(".5s"), 500 * MSEC);
        ASSERT_EQ(span("0.000001s"), 1);
        ASSERT_EQ(span("0.0000001s"), 0); /* below a microsecond: truncated */
        ASSERT_EQ(span("0.5y"), 15778800 * SEC);
        ASSERT_EQ(span("3us"), 3);
        ASSERT_EQ(span("3usec"), 3);
        ASSERT_EQ(span("3\xc2\xb5s"), 3);
        ASSERT_EQ(span("2msec"), 2 * MSEC);
        ASSERT_EQ(span("5 seconds"), 5 * SEC);
        ASSERT_EQ(span("1second"), SEC);
        ASSERT_EQ(span("3 minutes"), 180 * SEC);
        ASSERT_EQ(span("2hours 1sec"), 7201 * SEC);
        ASSERT_EQ(span("  1s  "), SEC);
        ASSERT_EQ(span("1d 2h 3min 4s 5ms 6us"), ((((1 * 24 + 2) * 60 + 3) * 60 + 4) * SEC) + 5 * MSEC + 6);
        ASSERT_EQ(span("infinity"), UINT64_MAX);

        uint64_t u = 42;
        ASSERT_EQ(parse_timespan("", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("  ", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("s", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("-1s", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("1x", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("1 parsec", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("1min 30", &u), -EINVAL); /* a bare number only as the whole span */
        ASSERT_EQ(parse_timespan("1.s", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("1sx", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("1ss", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("1 s s", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("infinity 1s", &u), -EINVAL);
        ASSERT_EQ(parse_timespan("99999999999999999999s", &u), -ERANGE);
        ASSERT_EQ(parse_timespan("999999999y", &u), -ERANGE);
        ASSERT_EQ(parse_timespan(NULL, &u), -EINVAL);
        ASSERT_EQ(u, 42); /* untouched on failure */
        ASSERT_OK(parse_timespan("1s", NULL));
}

TEST(test_format_timespan) {
        char buf[64];

        ASSERT_OK(format_timespan(10 * SEC, buf, sizeof(buf)));
        ASSERT_STREQ(buf, "10s");
        ASSERT_OK(format_timespan(90 * SEC, buf, sizeof(buf)));
        ASSERT_STREQ(buf, "1min 30s");
        ASSERT_OK(format_timespan(500 * MSEC, buf, sizeof(buf)));
        ASSERT_STREQ(buf, "500ms");
        ASSERT_OK(format_timespan(1500 * MSEC, buf, sizeof(buf)));
        ASSERT_STREQ(buf, "1s 500ms");
        ASSERT_OK(format_timespan(0, buf, sizeof(buf)));
        ASSERT_STREQ(buf, "0");
        ASSERT_OK(format_timespan(UINT64_MAX, buf, sizeof(buf)));
        ASSERT_STREQ(buf, "infinity");
        ASSERT_OK(format_timespan(3600 * SEC + 1, buf, sizeof(buf)));
        ASSERT_STREQ(buf, "1h 1us");
        ASSERT_EQ(format_timespan(90 * SEC, buf, 4), -ENOBUFS);
        ASSERT_EQ(format_timespan(UINT64_MAX, buf, 3), -ENOBUFS);

        /* Whatever is formatted parses back to the same value. */
        static const uint64_t values[] = {1,
                                          999,
                                          MSEC,
                                          SEC,
                                          61 * SEC,
                                          3601 * SEC + 7,
                                          86400 * SEC * 400 + 3,
                                          UINT64_MAX - 1,
                                          31557600 * SEC,
                                          2629800 * SEC + 1};
        for (size_t i = 0; i < ELEMENTSOF(values); i++) {
                ASSERT_OK(format_timespan(values[i], buf, sizeof(buf)));
                ASSERT_EQ(span(buf), values[i]);
        }
}

TEST(test_capabilities) {
        ASSERT_EQ(capability_from_string("CAP_NET_ADMIN"), CAP_NET_ADMIN);
        ASSERT_EQ(capability_from_string("net_admin"), CAP_NET_ADMIN);
        ASSERT_EQ(capability_from_string("Cap_Net_Admin"), CAP_NET_ADMIN);
        ASSERT_EQ(capability_from_string("cap_chown"), CAP_CHOWN);
        ASSERT_EQ(capability_from_string("CHOWN"), 0);
        ASSERT_EQ(capability_from_string("0"), 0);
        ASSERT_EQ(capability_from_string("40"), 40);
        ASSERT_EQ(capability_from_string("CAP_CHECKPOINT_RESTORE"), 40);
        ASSERT_EQ(capability_from_string("perfmon"), 38);
        ASSERT_EQ(capability_from_string("bpf"), 39);
        ASSERT_EQ(capability_from_string("41"), -EINVAL);
        ASSERT_EQ(capability_from_string(""), -EINVAL);
        ASSERT_EQ(capability_from_string(NULL), -EINVAL);
        ASSERT_EQ(capability_from_string("CAP_"), -EINVAL);
        ASSERT_EQ(capability_from_string("CAP_NET"), -EINVAL);
        ASSERT_EQ(capability_from_string("CAP_CAP_CHOWN"), -EINVAL);
        ASSERT_EQ(capability_from_string("ALL"), -EINVAL);

        /* Every capability the kernel headers know has a name, and names round-trip. */
        ASSERT_EQ(capability_last(), CAP_LAST_CAP);
        for (int i = 0; i <= capability_last(); i++) {
                const char *n = capability_to_string(i);
                ASSERT(n);
                ASSERT(strncmp(n, "CAP_", 4) == 0);
                ASSERT_EQ(capability_from_string(n), i);
                ASSERT_EQ(capability_from_string(n + 4), i);
        }
        ASSERT(!capability_to_string(-1));
        ASSERT(!capability_to_string(capability_last() + 1));
}

TEST(test_capability_default_set) {
        uint64_t expected = 0;
        static const char *const names[] = {"CHOWN",   "DAC_OVERRIDE",     "FOWNER",    "FSETID",
                                            "KILL",    "NET_BIND_SERVICE", "SETFCAP",   "SETGID",
                                            "SETPCAP", "SETUID",           "SYS_CHROOT"};
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                int c = capability_from_string(names[i]);
                ASSERT(c >= 0);
                expected |= 1ULL << c;
        }
        ASSERT_EQ(capability_default_set(), expected);
        ASSERT_EQ(__builtin_popcountll(capability_default_set()), 11);
        ASSERT(!(capability_default_set() & (1ULL << CAP_SYS_ADMIN)));
        ASSERT(!(capability_default_set() & (1ULL << CAP_NET_RAW)));
}
