/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "helper.h"

/* user_resolve(), reading the image through root_fd (a directory fd of the container's
 * root; paths resolved with RESOLVE_IN_ROOT) instead of "/" after pivot_root.
 *
 * For the parent: in a user namespace with setgroups "deny" (SECURITY.md row 10) the
 * child can never call setgroups(), so the supplementary groups a user should have
 * can only be given by the parent, setgroups() with the host gids (base + gid) right
 * before clone3() — the child inherits them, and creds_apply() checks that what it
 * inherited is exactly the user's list, failing the start otherwise. */
int user_resolve_in(int root_fd, const Config *config, ResolvedUser *ret, Failure *f);
