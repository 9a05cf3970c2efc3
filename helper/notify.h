/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* sd_notify(3) without libsystemd: one datagram with TEXT ("READY=1\nSTATUS=…") to
 * $NOTIFY_SOCKET, a path or "@abstract" (the protocol systemd documents as stable).
 * 0 when there is no socket (not started by systemd), 1 when sent, -errno otherwise. */
int notify_send(const char *text);
int notify_sendf(const char *fmt, ...) _printf_(1, 2);
