/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* NULL-terminated string arrays. */

#include "macro.h"

size_t strv_length(char *const *l);
char **strv_free(char **l);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, strv_free);
#define _cleanup_strv_free_ _cleanup_(strv_freep)
/* Appends a copy of s; on failure *l is unchanged. */
int strv_extend(char ***l, const char *s);
/* Appends s itself (taking ownership on success). */
int strv_push(char ***l, char *s);
bool strv_contains(char *const *l, const char *s);
char **strv_copy(char *const *l);

/* Environment lists of "KEY=VALUE". */
const char *strv_env_get(char *const *l, const char *key);
/* Sets KEY to VALUE (value NULL: 'key' is a whole "KEY=VALUE"); an existing KEY is
 * replaced only when 'replace'. */
int strv_env_set(char ***l, const char *key, const char *value, bool replace);

#define STRV_FOREACH(s, l) for (char *const *s = (l); s && *s; s++)
