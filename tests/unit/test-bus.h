/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Bus messages for the sidecar's argument checks, without a bus daemon. */

#include <sys/socket.h>
#include <systemd/sd-bus.h>

#include "tests.h"

/* sd-bus makes messages only for an open bus: one end of a socketpair will do. */
static inline sd_bus *test_bus_open(void) {
        sd_bus *bus = NULL;
        int fds[2];

        ASSERT(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, fds) >= 0);
        ASSERT_OK(sd_bus_new(&bus));
        ASSERT_OK(sd_bus_set_fd(bus, fds[0], fds[0]));
        ASSERT_OK(sd_bus_start(bus));
        return bus;
}
