/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "uid-ranges.h"

/* nscontain-sidecar: the privileged bus service that owns the global facts of all
 * containers (nscontain-sidecar(8); docs/ARCHITECTURE.md, "Who owns which state"):
 * which uid range and which address belong to which NAME, and the host ends of the veth
 * pairs.
 *
 *   main.c       sd-event + sd-bus daemon, bus activation, exit when idle
 *   bus.c        the org.nscontain.Sidecar1 methods
 *   args.c       the checks of their arguments: NAME, sizes, SetupNetwork's options
 *   auth.c       who may call: bus credentials, cgroup → unit, pidfd checks
 *   settings     /etc/nscontain/sidecar.conf: lib/sidecar-settings.c
 *   state.c      /var/lib/nscontain/sidecar.state (ranges and address reservations)
 *   uidrange.c   the range allocator and the host's users and groups
 *   addrpool.c   the address pool and its allocator
 *   reconcile.c  at start: remove the veths of containers that are not running
 *
 * The files that do not talk to the bus or the kernel (state, uidrange,
 * addrpool, the interface naming in ifname.c) never log, so the unit tests can use
 * them directly. */

#include <net/if.h>
#include <netinet/in.h>
#include <stdint.h>

#include "macro.h"
#include "netlink.h"
#include "sidecar-bus.h"
#include "sidecar-settings.h"

#define SIDECAR_STATE_DIR      "/var/lib/nscontain"
#define SIDECAR_STATE_FILE     "sidecar.state"
#define SIDECAR_STATE_SIZE_MAX (16U * 1024U * 1024U)

/* systemd's range for container users (UIDS-GIDS.md), in slots of SIDECAR_RANGE_ALIGN. */
#define UID_RANGE_FIRST 0x00080000U
#define UID_RANGE_LAST  0x6FFFFFFFU

/* The alias written on every host-side veth: how we find them again (the interface
 * name is only a hash for long NAMEs) and how reconcile knows they are ours. */
#define VETH_ALIAS_PREFIX  "nscontain:"
#define VETH_IFNAME_PREFIX "nsc-"
/* How many of a NAME's interface names (veth_host_ifname()) are tried. */
#define VETH_IFNAME_ATTEMPTS 64

/* ---- state.c ---- */

typedef struct Entry {
        char *name;
        uint32_t uid_base, uid_size; /* uid_size 0: no range */
        uint32_t address;            /* host byte order; 0: no reservation */
        InAddr address6;             /* family 0: no IPv6 reservation */
} Entry;

typedef struct State {
        Entry *entries;
        size_t n_entries;
} State;

void state_done(State *s);
Entry *state_find(const State *s, const char *name);
/* Returns the entry of NAME, creating an empty one when missing. */
int state_get(State *s, const char *name, Entry **ret);
int state_copy(const State *s, State *ret);
bool state_equal(const State *a, const State *b);
/* Neither range nor address: nothing to keep. */
bool entry_is_empty(const Entry *e);
/* Parses the state file. Good lines are kept even when others are bad: the number of
 * bad lines is returned in *ret_n_bad and the first problem in *ret_error. Returns
 * <0 only on allocation failure. */
int state_parse(const char *text, State *ret, size_t *ret_n_bad, char **ret_error);
int state_format(const State *s, char **ret);

/* ---- uidrange.c ---- */

typedef struct IdSet {
        uint32_t *ids; /* sorted, unique */
        size_t n;
        UidRangeList foreign; /* ranges other tools own (lib/uid-ranges.h) */
} IdSet;

void idset_done(IdSet *s);
int idset_add(IdSet *s, uint32_t id);
void idset_sort(IdSet *s);
bool idset_overlaps(const IdSet *s, uint32_t first, uint32_t last);
/* Adds the foreign ranges of uid_ranges_collect() except user namespaces whose map is
 * exactly a range of the state (our own containers). */
int idset_add_foreign(IdSet *s, const State *state, bool userns);
/* Every uid of getpwent() and gid of getgrent() (all NSS sources), plus /etc/passwd
 * and /etc/group read directly. */
int host_ids_collect(IdSet *ret);

/* NAME's range: the stored one, or a new 64K-aligned one found by probing from a hint
 * derived from NAME. Size 0 means 65536. -EINVAL for a bad size, -EBUSY when NAME's
 * stored range is smaller and cannot grow in place, -ENOSPC when full. Sets
 * *ret_changed when the state was modified. */
int uid_range_acquire(State *s, const char *name, uint32_t size, const IdSet *host_ids, uint32_t *ret_base,
                      uint32_t *ret_size, bool *ret_changed);

/* ---- addrpool.c ---- */

bool pool_contains(const Pool *p, uint32_t a);
char *ipv4_format(uint32_t a, char buf[static INET_ADDRSTRLEN]);

/* Called with another NAME that holds a reservation: true when that container has
 * its network up right now (its reservation must not be taken). */
typedef bool (*NameIsActive)(const char *name, void *userdata);

/* NAME's address: its reservation when it lies in the pool, else a new one probed
 * from a hint derived from NAME, preferring addresses nobody ever had; when the pool
 * is full, the reservation of a NAME whose network is down is taken over. */
int pool_acquire(State *s, const Pool *p, const char *name, NameIsActive is_active, void *userdata,
                 uint32_t *ret_address, bool *ret_changed);
/* An explicit address for NAME: -EADDRINUSE when another active NAME holds it; an
 * inactive holder loses its reservation. */
int pool_claim(State *s, const char *name, uint32_t address, NameIsActive is_active, void *userdata,
               bool *ret_changed);

/* The same for the IPv6 pool: NAME's address6 (offsets 2 … pool6_last(p) of the
 * pool); pool6_claim() of an address outside the pool is -EINVAL. */
int pool6_acquire(State *s, const Pool6 *p, const char *name, NameIsActive is_active, void *userdata,
                  InAddr *ret_address, bool *ret_changed);
int pool6_claim(State *s, const Pool6 *p, const char *name, const InAddr *address, NameIsActive is_active,
                void *userdata, bool *ret_changed);

/* ---- ifname.c ---- */

uint64_t name_hash(const char *name, uint64_t salt);
/* The host-side interface name for NAME: "nsc-NAME" when it fits, else "nsc-" + the
 * first 5 characters + "-" + 5 hex digits of a hash. 'attempt' > 0 gives alternatives
 * for when another container holds the first one. */
void veth_host_ifname(const char *name, unsigned attempt, char ret[static IFNAMSIZ]);

/* ---- auth.c ---- */

typedef struct sd_bus_message sd_bus_message;

typedef struct Caller {
        uid_t uid;
        pid_t pid;
        char *cgroup; /* as in /proc/PID/cgroup, relative to our cgroup namespace */
        char *unit;   /* the unit the cgroup belongs to, NULL outside any unit */
} Caller;

void caller_done(Caller *c);
/* The sender of a call. Refusals are -EACCES (logged here with the reason: the caller
 * only ever learns "Access denied"). */
int caller_get(sd_bus_message *m, Caller *ret);
/* uid 0, and a caller in container@X.service may only name X. */
int caller_may_act_for(const Caller *c, const char *name);
/* The pidfd must be a live process in the caller's own unit, in a network namespace
 * other than ours; returns an fd of that namespace. */
int caller_pidfd_netns(const Caller *c, int pidfd, int *ret_netns_fd);

/* "/machine.slice/container@web.service/payload" → "container@web.service"; -ENXIO
 * when the path is in no unit. Pure, for the unit tests. */
int cgroup_path_get_unit(const char *path, char **ret);
int pid_get_cgroup(pid_t pid, char **ret);
