/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/systemd-version.c: systemd's version string and the settings a newer systemd
 * added (checked against real systemds by tests/integration/test-systemd-version.sh). */

#include <errno.h>

#include "lib/systemd-version.h"
#include "tests.h"

static void major_is(const char *version, unsigned expected) {
        unsigned v = 0;

        ASSERT_OK(systemd_version_major(version, &v));
        ASSERT_EQ(v, expected);
}

TEST(test_version_major) {
        major_is("252", 252);
        major_is("252.38-1~deb12u1", 252);
        major_is("257.13-1~deb13u1", 257);
        major_is("258~rc1", 258);
        major_is("255.4-1ubuntu8 ", 255);
}

TEST(test_version_major_errors) {
        unsigned v = 7;

        ASSERT_EQ(systemd_version_major("", &v), -EINVAL);
        ASSERT_EQ(systemd_version_major("v252", &v), -EINVAL);
        ASSERT_EQ(systemd_version_major("252a", &v), -EINVAL);
        ASSERT_EQ(systemd_version_major("1234567", &v), -ERANGE);
        ASSERT_EQ(systemd_version_major(NULL, &v), -EINVAL);
        ASSERT_EQ(v, 7U);
}

TEST(test_setting_since) {
        ASSERT_EQ(unit_setting_since("RestartSteps"), 254U);
        ASSERT_EQ(unit_setting_since("MemoryZSwapMax"), 253U);
        ASSERT_EQ(unit_setting_since("PrivatePIDs"), 257U);
        /* Known to every supported systemd, or none at all: 0. */
        ASSERT_EQ(unit_setting_since("OOMScoreAdjust"), 0U);
        ASSERT_EQ(unit_setting_since("restartsteps"), 0U);
        ASSERT_EQ(unit_setting_since(""), 0U);
        ASSERT_EQ(unit_setting_since(NULL), 0U);
}
