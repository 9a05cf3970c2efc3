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
 *   $NOTIFY_SOCKET=/run/host/notify: READY=1, STATUS= and STOPPING=1 of the inner
 *   PID 1 reach the unit, so "systemctl start" returns once the inner system is up;
 *   SIGRTMIN+3 stops it (the config's default stop signal with boot); the inner
 *   reboot(2) (PID 1 killed by SIGHUP) exits 133, which restarts the unit
 *   (RestartForceExitStatus=133); poweroff and halt (SIGINT) exit 0.
 *
 * Every function is a no-op (0, false, -EBADF or the code given back) when the
 * container does not boot, so the hooks in main.c, spawn.c, mount.c and supervisor.c
 * need no condition of their own. The state lives in boot.c: a helper runs one
 * container. */

#include <signal.h>
#include <systemd/sd-id128.h>

#include "helper.h"

struct clone_args;

/* main.c — parent side, once the uid range is known, before container_spawn(): checks
 * what boot needs (a user and a cgroup namespace, root as the user), turns the config
 * into a booting one (/sbin/init, the environment, the capabilities of a full system
 * inside its user namespace), and prepares the delegated cgroup, the notify socket and
 * the channel that carries the console to the supervisor. Logs its own errors. */
int boot_prepare(Container *c);

/* userns.c — what to write to /proc/PID/setgroups: "deny" (docs/SECURITY.md row 10), but
 * "allow" for a booted system, whose services and logins (dbus-daemon, su, login,
 * every User= service) call setgroups(). Safe there as in systemd-nspawn: the map is
 * written by the privileged helper, and every group a container process holds is one
 * of its own range, so dropping one can only ever lose access to the container's
 * own files, never gain access to the host's. */
const char *boot_setgroups_policy(void);

/* spawn.c — parent side, right before clone3(): clone into payload/. */
void boot_clone_args(struct clone_args *args);

/* spawn.c — child side, before mount_setup_root(): what boot's rows of the mount
 * table need (the /run/host trees, the UUID); after it: the console to the supervisor. */
int boot_child_mount_extras(const Container *c, MountExtras *x, Failure *f);
int boot_child_mounted(const Container *c, MountExtras *x, Failure *f);

/* supervisor.c — true when the container boots: READY=1 is then the inner system's to
 * send, not the supervisor's at once. Picks up the console. */
bool boot_supervise_start(pid_t pid);

/* supervisor.c — fds to poll (negative: none), and what to do when they are ready. */
int boot_notify_fd(void);
int boot_console_fd(void);
void boot_dispatch(short notify_revents, short console_revents);

/* supervisor.c — the helper's exit code once PID 1 is gone: reboot → 133, poweroff or
 * halt → 0, anything else 'code' unchanged. Flushes the console, removes the socket. */
int boot_exit_code(const siginfo_t *si, int code);

/* The container's UUID ($container_uuid, /run/host/container-uuid), stable per NAME:
 * machine_id_for(NAME), the id it is registered with in systemd-machined; on a host
 * without a machine id, made once at random and kept in
 * /var/lib/nscontain/boot/NAME.uuid. It becomes the inner machine id when the image
 * has none. */
int boot_container_uuid(const char *name, sd_id128_t *ret);
