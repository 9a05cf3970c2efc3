/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Numbers in the grammars users write (config values, bus options, "nscontain run -p"):
 * one parser each, shared by every program. Pure; 0 or a negative errno. */

#include <stddef.h>
#include <stdint.h>

/* s[0..len): decimal digits only (no sign, space or "0x"), at most 20 of them, value at
 * most max. -EINVAL for the syntax, -ERANGE above max. */
int decimal_parse(const char *s, size_t len, uint64_t max, uint64_t *ret);
