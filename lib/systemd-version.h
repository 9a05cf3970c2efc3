/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>

/* The oldest systemd nscontain runs on (Debian 12): every unit setting and bus call the
 * generator and the programs use exists there; CI runs it and 257 (docs/ARCHITECTURE.md,
 * "Adding a test"). */
#define SYSTEMD_OLDEST_SUPPORTED 252U

/* The systemd version that added [Service] setting KEY, when that is newer than
 * SYSTEMD_OLDEST_SUPPORTED; 0 for any other key. For the "service" pass-through
 * (nscontain.json(5)): an older systemd ignores such a setting with a warning of its own
 * at daemon-reload, and the start says which one and why. */
unsigned unit_setting_since(const char *key);

/* The major version at the start of systemd's Version property ("252.38-1~deb12u1"). */
int systemd_version_major(const char *version, unsigned *ret);
