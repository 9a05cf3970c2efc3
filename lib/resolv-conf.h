/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The text of a container's /etc/resolv.conf and /etc/hosts (network.dns in
 * nscontain.json(5)). Pure: text in, allocated text out, -errno; no file access. */

#include <stdbool.h>

/* Whether the host's resolv.conf names systemd-resolved's stub 127.0.0.53: then "auto"
 * reads /run/systemd/resolve/resolv.conf instead. */
bool resolv_conf_uses_stub(const char *text);

/* The host's file without its loopback name servers (127.0.0.0/8, ::1), which mean the
 * host's own resolver and are unreachable from a private network namespace. Other lines
 * (search, options, comments) are kept. */
int resolv_conf_without_loopback(const char *text, char **ret);

/* "nameserver A" for each address of 'servers' (a strv, already checked). */
int resolv_conf_from_servers(char *const *servers, char **ret);

/* 127.0.0.1 and ::1 as localhost, and 'address' (may be NULL: none) as 'hostname'. */
int hosts_file_text(const char *hostname, const char *address, const char *address6, char **ret);
