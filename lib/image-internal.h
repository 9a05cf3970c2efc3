/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared between the image-*.c files of lib/, not part of the library's interface. */

#include <json-c/json.h>
#include <stdarg.h>

#include "image.h"
#include "strv.h"

/* Sets *ret_error (when non-NULL) to the formatted message and returns r. */
int image_errorf(char **ret_error, int r, const char *fmt, ...) _printf_(3, 4);

/* openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV)
 * with O_CLOEXEC|O_NOFOLLOW added: 'path' strictly below dir_fd, no symlink anywhere. */
int image_open_beneath(int dir_fd, const char *path, int flags);

static inline void json_object_putp(json_object **o) {
        if (*o)
                json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_object_putp)
