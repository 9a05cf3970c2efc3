/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Numbers in the grammars users write (config values, bus options, "nscontain run -p"):
 * one parser each, shared by every program. Pure; 0 or a negative errno. */

#include <stddef.h>
#include <stdint.h>

/* s[0..len): decimal digits only (no sign, space or "0x"), at most 20 of them, value at
 * most max. -EINVAL for the syntax, -ERANGE above max. */
int decimal_parse(const char *s, size_t len, uint64_t max, uint64_t *ret);

/* v in decimal, NUL-terminated, at the end of buf; returns where it starts. Not
 * snprintf(): the generator formats numbers for every config it writes. */
#define DECIMAL_MAX 21 /* UINT64_MAX has 20 digits */
const char *decimal_format(uint64_t v, char buf[static DECIMAL_MAX]);

/* Whether a kernel release (uname(2)'s, "6.18.44-fc-v1272") is at least major.minor:
 * 1 or 0, -EINVAL when it does not start with "MAJOR.MINOR". */
int kernel_release_at_least(const char *release, unsigned major, unsigned minor);

/* The value of a hexadecimal digit (either case), or -EINVAL. */
int unhexchar(char c);

/* systemd's size grammar (MemoryMax= and the like, parse_size() to base 1024): a
 * decimal number, optionally with a fraction ("1.5"), optionally with one upper-case
 * suffix K M G T P E; or "infinity" (UINT64_MAX). -EINVAL for the syntax, -ERANGE
 * beyond 2^64-1. */
int size_parse(const char *s, uint64_t *ret_bytes);

/* A percentage as systemd takes it in permyriad: "50%", "12.5%", "12.25%" (at most two
 * decimals) → 5000, 1250, 1225. No upper bound here: the caller says what fits. */
int percent_parse(const char *s, uint64_t *ret_permyriad);

/* CPUWeight=, IOWeight=: a number from 1 to 10000. */
#define WEIGHT_MIN 1
#define WEIGHT_MAX 10000
int weight_parse(const char *s, uint64_t *ret);
