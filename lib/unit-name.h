/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

#define CONTAINER_UNIT_PREFIX "container@"
#define CONTAINER_UNIT_SUFFIX ".service"

/* The generator's drop-in for container@NAME.service (nscontain-generator(8)), in the
 * generator's normal output directory: what "nscontain status" expects in force. */
#define GENERATOR_DROPIN_NAME "50-nscontain.conf"
#define GENERATOR_DROPIN_FMT                                                       \
        "/run/systemd/generator/" CONTAINER_UNIT_PREFIX "%s" CONTAINER_UNIT_SUFFIX \
        ".d/" GENERATOR_DROPIN_NAME

/* Escapes a string for use as a unit-name instance the way systemd-escape does:
 * characters outside [A-Za-z0-9:_.] and a leading '.' become "\xNN"; '/' becomes
 * '-'. A valid container NAME maps to itself except for '-' (→ "\x2d"). */
int unit_name_escape(const char *s, char **ret);
int unit_name_unescape(const char *s, char **ret);

/* "container@NAME.service" for a valid NAME. Since NAME is [A-Za-z0-9_.-] every
 * character is legal in a unit name and the instance is NAME unchanged: the unit is
 * what the admin types ("systemctl start container@my-web"), and %i gives NAME back. */
int container_unit_name(const char *name, char **ret);

/* The NAME of "container@NAME.service", or -EINVAL for any other unit. */
int container_name_from_unit(const char *unit, char **ret);
