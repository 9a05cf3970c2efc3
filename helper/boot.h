/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* "boot": true — the container's PID 1 is its own /sbin/init, and the helper is the
 * container manager of systemd's container interface (systemd's CONTAINER_INTERFACE.md):
 *
 *   $container=nscontain, $container_uuid (stable per NAME), /run/host/container-manager,
 *   /run/host/container-uuid, /run/host/os-release (the host's, read-only);
 *   a delegated cgroup: the unit's cgroup (Delegate=yes) gets supervisor/ (the helper)
 *   and payload/ (the container, cloned straight into it so that its cgroup namespace
 *   is rooted there), payload/ owned by the container's root;
 *   /run and /tmp tmpfs, /proc/sys/net writable with a private netns;
 *   a pty of the container's own devpts as /dev/console, relayed by the supervisor to
 *   its stdout (the unit's journal);
 *   $NOTIFY_SOCKET=/run/host/notify (the relay of notify.c, set up by main.c as for
 *   "notify", hearing only PID 1): "systemctl start" returns once the inner system is up;
 *   SIGRTMIN+3 stops it (the config's default stop signal with boot); the inner
 *   reboot(2) (PID 1 killed by SIGHUP) exits 133, which restarts the unit
 *   (RestartForceExitStatus=133); poweroff and halt (SIGINT) exit 0.
 *
 * Its mounts are rows of the mount table (mount.c, MODE_BOOT); everything else is a
 * strategy object (strategy.h) the helper calls at fixed points, holding its own
 * state: no globals. */

#include <signal.h>
#include <systemd/sd-id128.h>

#include "helper.h"
#include "strategy.h"

/* main.c — parent side, for a config with "boot": true, once the uid range is known,
 * before container_spawn(): checks what boot needs (a user and a cgroup namespace,
 * root as the user), turns the config into a booting one (/sbin/init, the
 * environment, the capabilities of a full system inside its user namespace), and
 * prepares the delegated cgroup and the channel that carries the console to the
 * supervisor. Logs its own errors. Returns the strategy (strategy.h)
 * the helper calls at its fixed points:
 *
 *   setgroups           "allow", not "deny" (docs/SECURITY.md row 10): a booted system's
 *                       services and logins (dbus-daemon, su, login, every User=
 *                       service) call setgroups(). Safe there as in systemd-nspawn:
 *                       the map is written by the privileged helper, and every group a
 *                       container process holds is one of its own range, so dropping
 *                       one can only ever lose access to the container's own files,
 *                       never gain access to the host's.
 *   clone_args          clone3() straight into the payload/ cgroup.
 *   child_mount_extras  the /run/host trees and the UUID for boot's mount rows;
 *   child_mounted       the console's pty master to the supervisor.
 *   supervise_start     READY=1 is the inner system's to send; picks up the console.
 *   poll_fds, dispatch  the console.
 *   exit_code           reboot → 133, poweroff or halt → 0, anything else unchanged;
 *                       flushes the console. */
int boot_strategy_new(Container *c, Strategy **ret);

/* The container's UUID ($container_uuid, /run/host/container-uuid), stable per NAME:
 * machine_id_for(NAME), the id it is registered with in systemd-machined; on a host
 * without a machine id, made once at random and kept in
 * /var/lib/nscontain/boot/NAME.uuid. It becomes the inner machine id when the image
 * has none. */
int boot_container_uuid(const char *name, sd_id128_t *ret);
