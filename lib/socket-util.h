/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* The kernel takes at most SCM_MAX_FD (253) fds per message. */
#define FDS_PER_MESSAGE 250U

/* Sends n fds over a unix socket as messages of a uint32 count plus that many fds in
 * SCM_RIGHTS, at most FDS_PER_MESSAGE to a message. */
int send_fds(int sock, const int *fds, size_t n);
