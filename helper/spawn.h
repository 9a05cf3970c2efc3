/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The helper's core, private to main.c, spawn.c, userns.c, init.c and supervisor.c
 * (the contract with mount.c, user.c, caps.c, seccomp.c and netif.c is helper.h). */

#include <signal.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-id128.h>

#include "helper.h"

/* The signals the helper handles itself. They are blocked from the start (so a stop
 * request that arrives during setup waits for the supervisor instead of killing the
 * helper half-way) and read through a signalfd by the supervisor. SIGTERM, SIGINT and
 * SIGHUP mean "stop the container"; SIGUSR1 and SIGUSR2 are passed on unchanged. */
void helper_signal_set(sigset_t *ret);

/* userns.c — parent side, before the child does anything: 'setgroups' ("deny", or the
 * strategy's) to setgroups, then uid_map and gid_map "0 BASE SIZE", each written to an
 * fd verified to be on procfs. */
int userns_write_maps(pid_t pid, uint32_t base, uint32_t size, const char *setgroups, Failure *f);

/* userns.c — an fd of the child's user namespace (for idmapped mounts), through the
 * pidfd where the kernel can (6.11+), else /proc/PID/ns/user; verified to be nsfs. */
int userns_open(int pidfd, pid_t pid, Failure *f);

/* spawn.c — called once the child has its "go" and builds its root, before it is sent
 * the network facts it waits for after pivot_root: what needs the child's pidfd from
 * outside, the network from nscontain-sidecar (main.c). Fills the network facts of c;
 * on failure fills f and returns -errno, and the start is given up. */
typedef int (*SpawnPrepare)(Container *c, pid_t pid, int pidfd, void *userdata, Failure *f);

/* spawn.c — called once the child has its "go" and sets up, while the parent waits for
 * its exec: work of the parent's that the child need not wait for (main.c: asking
 * machined to register it). */
typedef void (*SpawnStarted)(Container *c, pid_t pid, void *userdata);

/* spawn.c — clones the child into its namespaces, prepares it (prepare may be NULL)
 * and waits until the payload has been exec'd. On success returns 0 with the child's
 * pid and pidfd; on failure fills f (the child's or our own), reaps the child and
 * returns -errno. */
int container_spawn(Container *c, SpawnPrepare prepare, SpawnStarted started, void *userdata, pid_t *ret_pid,
                    int *ret_pidfd, Failure *f);

/* spawn.c — child side: sends f to the parent over the sync socket and _exit()s
 * with its exit code. */
_noreturn_ void child_fail(int sync_fd, const Failure *f);

/* machine.c — registration with systemd-machined (RegisterMachineWithNetwork): NAME,
 * a machine id stable per NAME, service "nscontain", class "container", the leader
 * (the container's PID 1 as the host sees it), its root directory and the host side
 * of its veth (ifindex 0: none). Asynchronous: _start() sends the call (and flushes it)
 * as soon as the child sets up; _wait() takes machined's answer once the payload runs,
 * and returns 0 when registered (a stale machine of NAME left by the previous run of
 * our own unit is replaced), -errno with machined's message in *ret_error (free() it)
 * when not, or -ECHILD without waiting on once pidfd says the container has ended (then
 * machined still acts on the call, and drops the machine with the unit). */
typedef struct sd_bus sd_bus;
typedef struct sd_bus_slot sd_bus_slot;
typedef struct MachineRegistration {
        const char *name;
        pid_t leader;
        const char *root_directory;
        int ifindex;
        sd_id128_t id;
        sd_bus_slot *slot; /* the call in flight */
        bool done;
        int r;
        sd_bus_error error;
} MachineRegistration;
int machine_register_start(sd_bus *bus, MachineRegistration *reg);
int machine_register_wait(sd_bus *bus, MachineRegistration *reg, int pidfd, char **ret_error);
/* The machine id registered for NAME (also boot's $container_uuid): stable per NAME,
 * derived from the host's machine id; fails without one. */
int machine_id_for(const char *name, sd_id128_t *ret);
/* Success when machined has dropped it already; waits for machined's answer up to
 * TIMEOUT_USEC (0: sd-bus's default). */
int machine_unregister(sd_bus *bus, const char *name, uint64_t timeout_usec, char **ret_error);
/* At the stop: a machined that does not answer holds up the unit's stop no longer than
 * this; it drops the machine with the unit anyway. */
#define MACHINED_STOP_TIMEOUT_USEC (3ULL * 1000000ULL)

/* supervisor.c — after the exec: READY=1 (at once, or the payload's through the relay,
 * or at the first passing health check), the relay, the watchdog, health checks, stop
 * forwarding, reaping. Returns the helper's exit code. */
typedef struct NotifyRelay NotifyRelay;
typedef struct HealthChecker HealthChecker;
typedef struct Supervisor {
        char name[CONFIG_NAME_MAX + 1];
        Strategy *strategy; /* "boot"; NULL: a plain container */
        pid_t pid;
        int pidfd;
        int stop_signal;
        uint64_t stop_timeout_usec;
        NotifyRelay *notify;    /* "notify" or "boot": the relay (notify.c); NULL: none */
        bool payload_ready;     /* READY=1 is the payload's to send (through the relay) */
        uint64_t watchdog_usec; /* feed systemd's watchdog every half of it ourselves; 0: no */
        HealthChecker *health;  /* "health" (health.c); NULL: none */
        int relay_pidfd;        /* the loopback relay of published ports (proxy.h), -EBADF: none */
} Supervisor;

int supervisor_run(Supervisor *s);

/* The payload's wait status as the helper's exit code: its code, or 128+N for signal N. */
int exit_code_from_siginfo(const siginfo_t *si);
