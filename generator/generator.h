/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nscontain-generator: turns /etc/nscontain.d/NAME.json into a drop-in for
 * container@NAME.service (nscontain-generator(8); docs/ARCHITECTURE.md, "From a JSON
 * file to a running payload"). The pieces, one file each:
 *
 *   main.c     arguments, logging, the two modes (generator and --dry-run)
 *   dropin.c   rendering one config as unit-file text
 *   output.c   writing (or, for --dry-run, printing) the drop-ins and symlinks
 *
 * Loading the configs and the checks between them (dependencies on containers without
 * a valid config, ordering cycles) are lib/config-set.c's, shared with "nscontain
 * validate". */

#include <stdio.h>
#include <sys/uio.h>

#include "config-set.h"
#include "config.h"
#include "macro.h"

/* systemd gets TimeoutStopSec= = stop_timeout + this, so the helper's own SIGKILL of
 * the payload (after stop_timeout) happens first and the helper can still reap it,
 * report the exit status and exit on its own terms. */
#define STOP_TIMEOUT_MARGIN_USEC (5ULL * 1000000ULL)

/* systemd's DefaultTimeoutStartSec=, which a unit waiting for its first health check
 * gets on top of the check's start period. */
#define DEFAULT_START_TIMEOUT_USEC (90ULL * 1000000ULL)

#define WANTS_DIR   "machines.target.wants"

/* Where systemd runs the generator into (its "normal" directory), for --dry-run. */
#define GENERATOR_DIR_DEFAULT "/run/systemd/generator"

/* The drop-in text for one valid config. 'path' is the config's absolute path (the
 * unit's SourcePath=); 'snapshot' the absolute path of the generator's snapshot file
 * and 'offset' where this config's record starts in it, which the helper runs
 * (NSCONTAIN_CONFIG=, NSCONTAIN_CONFIG_OFFSET=; lib/config-snapshot.h). On a value a unit file cannot
 * carry returns -EINVAL and a message in *ret_error. 'absent' lists the containers
 * without a config (none, or masked): no Requires= on those, so that the helper starts
 * and says which one is missing (else systemd fails the unit on the dependency, with an
 * empty status text). */
int dropin_render(const Config *c, const char *path, const char *snapshot, uint64_t offset,
                  char *const *absent, char **ret, char **ret_error);
/* Formats a time span in a way systemd parses back exactly ("15s", "1500ms", "7us",
 * "infinity"). */
void format_usec(uint64_t usec, char buf[static 32]);

typedef struct Output {
        char *dir_path; /* the normal generator dir, absolute (GENERATOR_DIR_DEFAULT in dry-run mode) */
        int dir_fd;     /* the normal generator dir; -EBADF in dry-run mode */
        int wants_fd; /* machines.target.wants/, opened on first use */
        FILE *print;  /* dry-run: where to print instead of writing */
        bool printed_any;
        bool no_tmpfile; /* O_TMPFILE + linkat() failed once: write files the usual way */
        char *snapshot_path; /* absolute: the drop-ins name it */
        /* The records so far (lib/config-snapshot.h), written with one writev() loop
         * from the config set's own copies of the texts: two iovecs per record, its
         * header (after the previous record's closing newline) and its text. */
        struct iovec *snapshot_iov;
        size_t snapshot_n_iov, snapshot_iov_allocated;
        char *snapshot_headers; /* the headers, back to back */
        size_t snapshot_headers_size, snapshot_headers_allocated;
        uint64_t snapshot_size; /* bytes of records so far: where the next one starts */
} Output;

void output_done(Output *o);
int output_dropin(Output *o, const char *name, const char *text);
/* The snapshot of the configs: exactly the bytes each drop-in was rendered from, one
 * record per config in one file of the output dir (lib/config-snapshot.h). The helper
 * runs its record, so an edit of a file takes effect at the next daemon-reload as a
 * whole, as for any unit. output_snapshot_add() appends NAME's record, which refers to
 * 'text' (not copied: it must live until output_snapshot_write()), and
 * output_snapshot_write() writes them all at once (not in dry-run mode). */
int output_snapshot_add(Output *o, const char *name, const char *text, size_t size);
/* Room for 'records' more records, reserved up front: no growing buffer. */
int output_snapshot_reserve(Output *o, size_t records);
int output_snapshot_write(Output *o);
int output_autostart(Output *o, const char *name);
