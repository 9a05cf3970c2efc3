/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The set of containers one run knows about, and the checks between their configs:
 * dependencies on containers without a valid config, and ordering cycles. The
 * generator and "nscontain validate" both run exactly these, so a config that
 * validates is one the generator takes.
 *
 * Library code: it never logs. What it finds goes to the caller's report function,
 * with a syslog level, which the generator logs and validate prints. */

#include <sys/types.h>

#include "config.h"

typedef enum ConfigState {
        CONFIG_VALID,   /* parsed and validated: config is set */
        CONFIG_INVALID, /* bad name, unreadable, or failed validation */
        CONFIG_MASKED,  /* empty file or symlink to /dev/null */
        CONFIG_MISSING, /* named as a dependency, no NAME.json anywhere */
} ConfigState;

typedef struct ConfigSetEntry {
        char *name;
        char *path;     /* absolute; NULL for CONFIG_MISSING */
        Config *config; /* CONFIG_VALID only */
        char *text;     /* the bytes parsed, with ConfigSet.keep_text (CONFIG_VALID only) */
        size_t text_size;
        ConfigState state;
        bool checked; /* ours to report on and render: everything on the search path, or the FILEs
                       * given; the others are only there as dependencies */
        size_t order; /* when it was added: among equal names the first one given wins */

        /* Ordering graph: indexes of the entries this one is ordered after. */
        size_t *edges;
        size_t n_edges;
} ConfigSetEntry;

/* 'level' is LOG_ERR, LOG_WARNING, LOG_NOTICE or LOG_DEBUG; 'e' the entry the message
 * is about (NULL for a cycle; it may be freed right after the call). The message is
 * "FILE: TEXT" when 'file' is set, else TEXT alone (a load error carries its file
 * name already, as config_load_file() words it). */
typedef void (*ConfigReportFunc)(int level, const ConfigSetEntry *e, const char *file, const char *text,
                                 void *userdata);

typedef struct ConfigSet {
        ConfigSetEntry *entries; /* sorted by name once loaded */
        size_t n, allocated;
        bool sorted;

        bool keep_text;         /* keep each valid file's bytes in its entry */
        bool whole_search_path; /* loaded by config_set_load_search_path() */

        ConfigReportFunc report;
        void *userdata;
} ConfigSet;

void config_set_done(ConfigSet *s);

/* Loads every NAME.json along the search path. Returns the number of bad files (>= 0),
 * or a negative errno when the search itself failed. */
int config_set_load_search_path(ConfigSet *s);

/* Loads the given files, then, quietly, whatever they depend on from the search path,
 * so that the dependency checks see what daemon-reload would see. Two FILEs for one
 * NAME: the first one given counts, the others are errors. Returns the number of bad
 * files, or a negative errno. */
int config_set_load_files(ConfigSet *s, char *const *files);

/* Index of NAME, or -ENOENT. */
ssize_t config_set_find(const ConfigSet *s, const char *name);

/* Reports, for each dependency of a checked entry on a container without a valid config,
 * an error for "requires" (the start fails) and a warning for "after" and "wants", and
 * an error for each ordering cycle (after, requires and wants all order). Returns the
 * number of errors (>= 0) or -ENOMEM. */
int config_set_check_dependencies(ConfigSet *s);

/* Reports each published host port (network.publish) of a checked entry that another
 * valid config publishes too on an address that meets it (port_spec_conflict()): the
 * sidecar refuses the second start while the first runs. Loads, quietly, the search
 * path's other configs when FILEs were given. An error when both configs start at boot
 * ("autostart"), a warning otherwise. Returns the number of errors, or -ENOMEM. */
int config_set_check_ports(ConfigSet *s);

/* Whether NAME's config is one a dependency can use: 0 when it loads, else why not in
 * the words above ("has no config file", "is masked", "has an invalid config") in
 * *ret_why and 1; -ENOMEM. */
int config_dependency_find(const char *name, const char **ret_why);

/* For the start: the first container of config->requires without a valid config on the
 * search path (none, a masked or an invalid one), as config_set_check_dependencies()
 * words it: "requires[0]: container 'db' has no config file" in *ret_text. 1 when there
 * is one, 0 when every one has a config, -ENOMEM. The generator writes no Requires= for
 * these (systemd would fail the start on the dependency with no word of why): this is
 * the start's check. */
int config_requires_missing(const Config *config, char **ret_text);
