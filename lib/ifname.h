/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Network interface names, as the config's "bridge", the sidecar's settings and its
 * SetupNetwork option take them: what the kernel accepts (dev_valid_name(): 1 to
 * IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or whitespace), kept to printable
 * ASCII and without '%' (a name with '%' is a template to the kernel). */

#include <stdbool.h>

#define IFNAME_WHAT "interface name"
#define IFNAME_RULE "use 1–15 characters, no spaces, \"/\", \":\" or \"%\""

bool ifname_is_valid(const char *s);
