/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The generator's snapshot of the configs (docs/ARCHITECTURE.md, "Who owns which
 * state"): at every daemon-reload the generator writes the bytes of each valid config
 * it rendered a drop-in from into one file in its output dir, and the drop-in names
 * the file and where the record starts (NSCONTAIN_CONFIG=, NSCONTAIN_CONFIG_OFFSET=).
 * The helper reads its record with one pread(), so an edit without daemon-reload
 * changes nothing that runs. One file for all configs: a file per config cost more
 * than everything else the generator does per config (bench/generator).
 *
 * A record is "nscontain-snapshot NAME SIZE\n", SIZE bytes of config, "\n". */

#include <stdint.h>
#include <sys/types.h>

#include "config.h"

#define CONFIG_SNAPSHOT_FILE "nscontain.snapshot"
#define CONFIG_SNAPSHOT_ENV "NSCONTAIN_CONFIG"
#define CONFIG_SNAPSHOT_OFFSET_ENV "NSCONTAIN_CONFIG_OFFSET"
#define CONFIG_SNAPSHOT_MAGIC "nscontain-snapshot "
/* "nscontain-snapshot " NAME " " SIZE "\n" */
#define CONFIG_SNAPSHOT_HEADER_MAX (STRLEN(CONFIG_SNAPSHOT_MAGIC) + CONFIG_NAME_MAX + 1 + 20 + 2)

/* Writes the header of NAME's record into buf; returns its length. */
size_t config_snapshot_header(char buf[static CONFIG_SNAPSHOT_HEADER_MAX], const char *name, size_t size);

/* The bytes of the record at 'offset' of the snapshot at 'path', which must be NAME's
 * (-ESTALE when it is another's or no record starts there), NUL-terminated. */
int config_snapshot_read(const char *path, uint64_t offset, const char *name, char **ret_text,
                         size_t *ret_size);

/* The same, looking NAME's record up in the whole file (-ENOENT: not in it). */
int config_snapshot_find(const char *path, const char *name, char **ret_text, size_t *ret_size);
