/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Registration with systemd-machined, so that machinectl list/status/terminate know the
 * container. We use RegisterMachineWithNetwork, not CreateMachine: the container
 * already runs in its own unit (container@NAME.service) and machined is to follow that
 * unit, not create a scope. machined takes the unit from the leader's cgroup, watches
 * it (a machine whose unit stops is dropped) and "machinectl terminate" stops it. */

#include <limits.h>
#include <poll.h>
#include <string.h>
#include <time.h>

#include "libsystemd.h"
#include "spawn.h"

#define MACHINED_DEST  "org.freedesktop.machine1"
#define MACHINED_PATH  "/org/freedesktop/machine1"
#define MACHINED_IFACE "org.freedesktop.machine1.Manager"
#define MACHINE_EXISTS "org.freedesktop.machine1.MachineExists"
/* machined is bus-activated: its first start may take a moment; a hung machined must
 * not hold up the container's start for long, registration is optional. */
#define MACHINED_TIMEOUT_USEC (10ULL * 1000000ULL)

/* The application id under which machine ids of containers are derived from the host's
 * machine id (sd_id128_get_machine_app_specific: an HMAC, so the host's id cannot be
 * recovered from a container's). */
#define NSCONTAIN_APP_ID SD_ID128_MAKE(3b, 6e, 0c, 52, 9a, 41, 4e, 8f, 8d, 27, c1, 55, 0e, 94, 7a, 13)

static uint64_t fnv1a64(const char *s, uint64_t h) {
        for (; *s; s++) {
                h ^= (unsigned char)*s;
                h *= 0x100000001b3ULL;
        }
        return h;
}

/* Stable per NAME on this host, distinct between NAMEs: the app id mixed with two
 * independent hashes of NAME, then keyed with the machine id. */
int machine_id_for(const char *name, sd_id128_t *ret) {
        sd_id128_t app = NSCONTAIN_APP_ID;
        uint64_t a = fnv1a64(name, 0xcbf29ce484222325ULL), b = fnv1a64(name, 0x84222325cbf29ce4ULL);
        int r;

        r = libsystemd_load();
        if (r < 0)
                return r;

        for (unsigned i = 0; i < 8; i++) {
                app.bytes[i] ^= (uint8_t)(a >> (8 * i));
                app.bytes[8 + i] ^= (uint8_t)(b >> (8 * i));
        }
        return sym_sd_id128_get_machine_app_specific(app, ret);
}

static void set_error(const sd_bus_error *e, int r, char **ret_error) {
        if (ret_error && !*ret_error)
                *ret_error = strdup(e && e->message ? e->message : strerror(r < 0 ? -r : r));
}

static int machine_register_message(sd_bus *bus, const MachineRegistration *reg, sd_bus_message **ret) {
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sym_sd_bus_message_new_method_call(bus, &m, MACHINED_DEST, MACHINED_PATH, MACHINED_IFACE,
                                               "RegisterMachineWithNetwork");
        if (r < 0)
                return r;
        r = sym_sd_bus_message_append(m, "s", reg->name);
        if (r >= 0)
                r = sym_sd_bus_message_append_array(m, 'y', &reg->id,
                                                    sd_id128_is_null(reg->id) ? 0 : sizeof(reg->id));
        if (r >= 0)
                r = sym_sd_bus_message_append(m, "ssus", "nscontain", "container", (uint32_t)reg->leader,
                                              reg->root_directory);
        if (r >= 0)
                r = sym_sd_bus_message_append_array(m, 'i', &reg->ifindex,
                                                    reg->ifindex > 0 ? sizeof(reg->ifindex) : 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}

static int machine_register_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        MachineRegistration *reg = userdata;
        const sd_bus_error *e = sym_sd_bus_message_get_error(reply);

        reg->done = true;
        reg->r = 0;
        if (e) {
                reg->r = sym_sd_bus_message_get_errno(reply);
                reg->r = reg->r > 0 ? -reg->r : -EIO;
                (void)sym_sd_bus_error_copy(&reg->error, e);
        }
        return 0;
}

/* A machine of NAME that machined still has from the previous run of our own unit
 * (its unit restarted before machined noticed the stop): it is ours to drop. A machine
 * of another unit, or any when we run outside a unit, is left alone. */
static int machine_is_stale_of_our_unit(sd_bus *bus, const char *name) {
        _cleanup_(sym_sd_bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_free_ char *ours = NULL, *theirs = NULL;
        const char *path;
        int r;

        r = sym_sd_pid_get_unit(0, &ours);
        if (r < 0)
                return 0;
        r = sym_sd_bus_call_method(bus, MACHINED_DEST, MACHINED_PATH, MACHINED_IFACE, "GetMachine", &error,
                                   &reply, "s", name);
        if (r < 0)
                return r;
        r = sym_sd_bus_message_read(reply, "o", &path);
        if (r < 0)
                return r;
        r = sym_sd_bus_get_property_string(bus, MACHINED_DEST, path, "org.freedesktop.machine1.Machine",
                                           "Unit", &error, &theirs);
        if (r < 0)
                return r;
        return streq(ours, theirs);
}

int machine_register_start(sd_bus *bus, MachineRegistration *reg) {
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        assert(bus && reg && reg->name && reg->leader > 0 && reg->root_directory);

        /* Without a machine id (an empty /etc/machine-id) machined is told "unknown". */
        if (machine_id_for(reg->name, &reg->id) < 0)
                reg->id = SD_ID128_NULL;

        r = machine_register_message(bus, reg, &m);
        if (r >= 0)
                r = sym_sd_bus_call_async(bus, &reg->slot, m, machine_register_reply, reg,
                                          MACHINED_TIMEOUT_USEC);
        /* On its way now (the connection's authentication included): machined works on
         * it while the container sets up; machine_register_wait() takes the answer. */
        if (r >= 0)
                r = sym_sd_bus_flush(bus);
        if (r < 0) {
                reg->done = true;
                reg->r = r;
        }
        return r;
}

static int machine_register_wait_reply(sd_bus *bus, MachineRegistration *reg, int pidfd) {
        int r;

        for (;;) {
                uint64_t until = UINT64_MAX;
                struct pollfd p[] = {
                        {.fd = sym_sd_bus_get_fd(bus), .events = POLLIN},
                        {.fd = pidfd, .events = POLLIN},
                };
                int timeout = -1;

                r = sym_sd_bus_process(bus, NULL);
                if (r < 0)
                        return r;
                if (reg->done)
                        return 0;
                if (r > 0)
                        continue;

                /* The call's own timeout, as sd-bus counts it. */
                if (sym_sd_bus_get_timeout(bus, &until) >= 0 && until != UINT64_MAX) {
                        struct timespec ts;
                        uint64_t now;

                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        now = (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
                        timeout = until <= now ? 0 : (int)MIN((until - now + 999) / 1000, (uint64_t)INT_MAX);
                }
                if (poll(p, ELEMENTSOF(p), timeout) < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (p[1].revents)
                        return -ECHILD;
        }
}

int machine_register_wait(sd_bus *bus, MachineRegistration *reg, int pidfd, char **ret_error) {
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = machine_register_wait_reply(bus, reg, pidfd);
        reg->slot = sym_sd_bus_slot_unref(reg->slot);
        if (r == 0)
                r = reg->r;
        if (r == -ECHILD) {
                sym_sd_bus_error_free(&reg->error);
                return r;
        }

        if (r < 0 && sym_sd_bus_error_has_name(&reg->error, MACHINE_EXISTS) &&
            machine_is_stale_of_our_unit(bus, reg->name) > 0) {
                sym_sd_bus_error_free(&reg->error);
                r = machine_unregister(bus, reg->name, MACHINED_TIMEOUT_USEC, NULL);
                if (r >= 0)
                        r = machine_register_message(bus, reg, &m);
                if (r >= 0)
                        r = sym_sd_bus_call(bus, m, MACHINED_TIMEOUT_USEC, &reg->error, NULL);
        }
        if (r < 0)
                set_error(&reg->error, r, ret_error);
        sym_sd_bus_error_free(&reg->error);
        return r;
}

int machine_unregister(sd_bus *bus, const char *name, uint64_t timeout_usec, char **ret_error) {
        _cleanup_(sym_sd_bus_error_freep) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sym_sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        assert(bus && name);

        r = sym_sd_bus_message_new_method_call(bus, &m, MACHINED_DEST, MACHINED_PATH, MACHINED_IFACE,
                                               "UnregisterMachine");
        if (r >= 0)
                r = sym_sd_bus_message_append(m, "s", name);
        if (r >= 0)
                r = sym_sd_bus_call(bus, m, timeout_usec, &error, NULL);
        /* Gone already: machined dropped it when the leader's unit went down. */
        if (r < 0 && sym_sd_bus_error_has_name(&error, "org.freedesktop.machine1.NoSuchMachine"))
                return 0;
        if (r < 0)
                set_error(&error, r, ret_error);
        return r;
}
