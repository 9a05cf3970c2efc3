/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* libsystemd, loaded with dlopen() when a start first needs it: for the bus (a uid
 * range or the network from nscontain-sidecar, systemd-machined) and the machine id.
 * A container that needs neither (a fixed range, no veth, run by hand) never maps it
 * nor the compressors and libgcrypt it depends on (Debian's libsystemd links them),
 * which cost more than the rest of the helper's start. sd_notify() needs none of it
 * (notify.c); sym_sd_notifyf is for a wait on the bus, which has loaded it anyway. Call sites use sym_NAME
 * for NAME. */

#include <systemd/sd-bus.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-id128.h>
#include <systemd/sd-login.h>

#define LIBSYSTEMD_SYMBOLS(X)                \
        X(sd_bus_call)                       \
        X(sd_bus_call_async)                 \
        X(sd_bus_call_method_async)          \
        X(sd_bus_call_method)                \
        X(sd_bus_error_copy)                 \
        X(sd_bus_error_free)                 \
        X(sd_bus_error_has_name)             \
        X(sd_bus_flush)                      \
        X(sd_bus_flush_close_unref)          \
        X(sd_bus_get_fd)                     \
        X(sd_bus_get_property_string)        \
        X(sd_bus_get_property_trivial)       \
        X(sd_bus_get_timeout)                \
        X(sd_bus_is_ready)                   \
        X(sd_bus_message_append)             \
        X(sd_bus_message_append_array)       \
        X(sd_bus_message_close_container)    \
        X(sd_bus_message_enter_container)    \
        X(sd_bus_message_exit_container)     \
        X(sd_bus_message_get_destination)    \
        X(sd_bus_message_get_errno)          \
        X(sd_bus_message_get_member)         \
        X(sd_bus_message_get_error)          \
        X(sd_bus_message_new_method_call)    \
        X(sd_bus_message_open_container)     \
        X(sd_bus_message_read)               \
        X(sd_bus_message_ref)                \
        X(sd_bus_message_set_expect_reply)   \
        X(sd_bus_message_skip)               \
        X(sd_bus_message_unref)              \
        X(sd_bus_open_system)                \
        X(sd_bus_process)                    \
        X(sd_bus_ref)                        \
        X(sd_bus_send)                       \
        X(sd_bus_slot_unref)                 \
        X(sd_bus_unref)                      \
        X(sd_bus_wait)                       \
        X(sd_id128_from_string)              \
        X(sd_id128_get_machine_app_specific) \
        X(sd_id128_randomize)                \
        X(sd_id128_to_uuid_string)           \
        X(sd_notifyf)                        \
        X(sd_pid_get_unit)

#define LIBSYSTEMD_DECLARE(name) extern typeof(name) *sym_##name;
LIBSYSTEMD_SYMBOLS(LIBSYSTEMD_DECLARE)

/* Loads libsystemd.so.0 and resolves every symbol above, once; later calls return the
 * first result. 0, or -ELIBACC when it cannot be loaded (dlerror() is logged). */
int libsystemd_load(void);

static inline void sym_sd_bus_message_unrefp(sd_bus_message **m) {
        if (*m)
                sym_sd_bus_message_unref(*m);
}

static inline void sym_sd_bus_error_freep(sd_bus_error *e) {
        sym_sd_bus_error_free(e);
}
