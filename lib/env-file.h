/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Files of KEY=VALUE lines as systemd's EnvironmentFile= reads them ("env_files" of
 * nscontain.json(5)): empty lines and lines starting with '#' or ';' are skipped;
 * VALUE may be 'single quoted' (literal), "double quoted" (\" \\ \` \$ escaped, a
 * backslash before a line break joins lines) or bare (a backslash escapes the next
 * character, one at the end of a line joins it with the next, whitespace around it is
 * dropped). Library code: never logs. */

#include "macro.h"

#define ENV_FILE_SIZE_MAX (1024 * 1024)

/* Appends the assignments of 'text' to *env ("KEY=VALUE", a later KEY replacing an
 * earlier one). On a line that is not an assignment returns -EINVAL and its number
 * (1-based) in *ret_line. */
int env_file_parse(const char *text, size_t size, char ***env, unsigned *ret_line);

/* Reads PATH and parses it. Errors come back with a message "PATH:LINE: ..." or
 * "PATH: ..." in *ret_error. */
int env_file_load(const char *path, char ***env, char **ret_error);

/* A config's "env_files", in order: each file loaded, its assignments set in *env
 * unless KEY is in 'keep' (the config's own "env", which wins). The start and the
 * checks of lib/preflight.h call this: on an error its words, "env_files[I]: PATH:LINE:
 * ..." or "env_files[I]: PATH: No such file", are in *ret_error. */
int env_files_apply(char *const *paths, char *const *keep, char ***env, char **ret_error);
