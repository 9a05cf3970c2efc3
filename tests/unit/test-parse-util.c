/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lib/parse-util.c's kernel release check (the helper's choice of how to stack an
 * image's layers, helper/image-root.c). */

#include <errno.h>

#include "lib/parse-util.h"
#include "tests.h"

TEST(test_kernel_release_at_least) {
        ASSERT_EQ(kernel_release_at_least("6.18.44-fc-v1272", 6, 15), 1);
        ASSERT_EQ(kernel_release_at_least("6.15", 6, 15), 1);
        ASSERT_EQ(kernel_release_at_least("6.15.0-rc1", 6, 15), 1);
        ASSERT_EQ(kernel_release_at_least("7.0.0", 6, 15), 1);
        ASSERT_EQ(kernel_release_at_least("6.12.48+deb13-amd64", 6, 15), 0);
        ASSERT_EQ(kernel_release_at_least("6.1.0-37-amd64", 6, 15), 0);
        ASSERT_EQ(kernel_release_at_least("5.19.17", 6, 15), 0);
        ASSERT_EQ(kernel_release_at_least("6.9", 6, 15), 0);
        ASSERT_EQ(kernel_release_at_least("6", 6, 15), -EINVAL);
        ASSERT_EQ(kernel_release_at_least("6.", 6, 15), -EINVAL);
        ASSERT_EQ(kernel_release_at_least("", 6, 15), -EINVAL);
        ASSERT_EQ(kernel_release_at_least("v6.18", 6, 15), -EINVAL);
        ASSERT_EQ(kernel_release_at_least("99999999999.1", 6, 15), -EINVAL);
}
