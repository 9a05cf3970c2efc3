/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* uid ranges that other tools own on this host, so that nscontain's never overlap them:
 * /etc/subuid and /etc/subgid (podman, rootless tools; subuid(5)), the lock files of
 * systemd-nspawn's "--private-users=pick" (/run/systemd/nspawn-uid/BASE, one 64K range
 * each), and the uid maps of running user namespaces (/proc/PID/uid_map). Read by the
 * sidecar when it hands out a range and by "nscontain status" to report a lease that
 * overlaps something new. Library code: it never logs. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UID_RANGES_SUBUID     "/etc/subuid"
#define UID_RANGES_SUBGID     "/etc/subgid"
#define UID_RANGES_NSPAWN_DIR "/run/systemd/nspawn-uid"
#define UID_RANGES_PROC       "/proc"

typedef struct UidRange {
        uint32_t first, last;
        /* "/etc/subuid: alice", "systemd-nspawn (/run/systemd/nspawn-uid/BASE)", "user namespace of PID 42"
         */
        char what[96];
        bool userns; /* from a uid_map: a container of our own shows up there with exactly its range */
} UidRange;

typedef struct UidRangeList {
        UidRange *ranges;
        size_t n;
} UidRangeList;

void uid_range_list_done(UidRangeList *l);
/* Adds [first, first + count - 1] (clamped to 32 bits); an identical range is kept once. */
int uid_range_list_add(UidRangeList *l, uint32_t first, uint64_t count, const char *what);
/* The first range overlapping [first, last], or NULL. */
const UidRange *uid_range_list_overlap(const UidRangeList *l, uint32_t first, uint32_t last);

/* "NAME:START:COUNT" lines of subuid(5)/subgid(5); a missing file adds nothing, bad lines
 * are skipped. */
int uid_ranges_read_subid(UidRangeList *l, const char *path);
/* One 64K range per file named by its decimal base uid in DIR. */
int uid_ranges_read_nspawn(UidRangeList *l, const char *dir);
/* The outside ranges of every uid_map under PROC (/proc) that is not the initial user
 * namespace's identity map; processes that vanish meanwhile are skipped. */
int uid_ranges_read_userns(UidRangeList *l, const char *proc);

/* All of the above at their usual places; the /proc scan only with 'userns'. */
int uid_ranges_collect(UidRangeList *l, bool userns);
