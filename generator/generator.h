/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nscontain-generator: turns /etc/nscontain.d/NAME.json into a drop-in for
 * container@NAME.service (DESIGN.md "The units"). The pieces, one file each:
 *
 *   main.c     arguments, logging, the two modes (generator and --dry-run)
 *   registry.c the set of containers known in this run: loading, lookup by NAME
 *   deps.c     dependencies on containers without a valid config, ordering cycles
 *   dropin.c   rendering one config as unit-file text
 *   output.c   writing (or, for --dry-run, printing) the drop-ins and symlinks */

#include <stdio.h>

#include "config.h"
#include "macro.h"

/* systemd gets TimeoutStopSec= = stop_timeout + this, so the helper's own SIGKILL of
 * the payload (after stop_timeout) happens first and the helper can still reap it,
 * report the exit status and exit on its own terms. */
#define STOP_TIMEOUT_MARGIN_USEC (5ULL * 1000000ULL)

#define DROPIN_NAME "50-nscontain.conf"
#define WANTS_DIR   "machines.target.wants"

typedef enum EntryState {
        ENTRY_VALID,   /* parsed and validated: config is set */
        ENTRY_INVALID, /* bad name, unreadable, or failed validation */
        ENTRY_MASKED,  /* empty file or symlink to /dev/null */
        ENTRY_MISSING, /* named as a dependency, no NAME.json anywhere */
} EntryState;

typedef struct Entry {
        char *name;
        char *path;     /* absolute; NULL for ENTRY_MISSING */
        Config *config; /* ENTRY_VALID only */
        EntryState state;
        bool emit;    /* ours to render: everything on the search path, or the --dry-run FILEs */
        size_t order; /* when it was added: among equal names the first one given wins */

        /* Ordering graph (deps.c): indexes of the entries this one is ordered after. */
        size_t *edges;
        size_t n_edges;
} Entry;

typedef struct Registry {
        Entry *entries; /* sorted by name once registry_sort() ran */
        size_t n, allocated;
        bool sorted;
} Registry;

void registry_done(Registry *r);
/* Loads every NAME.json along the search path; logs each bad one. Returns the number
 * of bad files (>= 0), or a negative errno when the search itself failed. */
int registry_load_search_path(Registry *r);
/* Loads the given files (--dry-run FILE…), then, quietly, whatever they depend on
 * from the search path, so dependency checks see what daemon-reload would see.
 * Returns the number of bad files, or a negative errno. */
int registry_load_files(Registry *r, char *const *files);
/* Index of NAME, or -ENOENT. Needs a sorted registry. */
ssize_t registry_find(const Registry *r, const char *name);

/* Logs a warning for each dependency of an emitted entry on a container without a
 * valid config, and an error for each ordering cycle (after/requires/wants all order).
 * Returns the number of cycles found (>= 0) or -ENOMEM. */
int deps_check(Registry *r);

/* The drop-in text for one valid config. 'path' is the config's absolute path. On a
 * value a unit file cannot carry returns -EINVAL and a message in *ret_error. */
int dropin_render(const Config *c, const char *path, char **ret, char **ret_error);
/* Formats a time span in a way systemd parses back exactly ("15s", "1500ms", "7us",
 * "infinity"). */
void format_usec(uint64_t usec, char buf[static 32]);

typedef struct Output {
        int dir_fd;   /* the normal generator dir; -EBADF in dry-run mode */
        int wants_fd; /* machines.target.wants/, opened on first use */
        FILE *print;  /* dry-run: where to print instead of writing */
        bool printed_any;
        bool no_tmpfile; /* O_TMPFILE + linkat() failed once: write files the usual way */
} Output;

void output_done(Output *o);
int output_dropin(Output *o, const char *name, const char *text);
int output_autostart(Output *o, const char *name);
