/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* nscontain-helper: the pieces of one container start, shared between the files of
 * this program. The flow (docs/ARCHITECTURE.md, "From a JSON file to a running
 * payload"; nscontain-helper(8), ORDER OF WORK):
 *
 *   parent (host)                           child (new namespaces, PID 1 of its pidns)
 *   main.c: load + validate config
 *   spawn.c: clone3(CLONE_PIDFD|NEW*) ───►  waits on the sync socket
 *   userns.c: setgroups deny, uid/gid maps
 *   mount-trees.c: mount_prepare_trees()     (detached, idmapped trees made with host
 *            sends the tree fds  ─────────►   privileges, attached by the child)
 *                                          mount.c: mount_setup_root() … pivot_root
 *                                          netif.c: netif_setup()
 *                                          sethostname
 *                                          user.c: user_resolve() (container's passwd)
 *                                          chdir(workdir)
 *                                          caps.c / seccomp.c / user.c: credentials
 *                                          close fds, execveat(sealed stub)
 *                                          stub/stub.c: marker, execve ("init": fork
 *   marker, then EOF = exec'd ◄───────────    first); the CLOEXEC sync socket closes)
 *   supervisor.c: READY=1, forward stop signal, SIGKILL after stop_timeout, reap,
 *                 exit with the payload's code or 128+N
 *
 * Code that runs in the child never logs: it fills a Failure and returns -errno; the
 * child sends it over the sync socket and _exit()s; the parent logs one line. */

#include <net/if.h>
#include <stdarg.h>
#include <sys/types.h>

#include "config.h"
#include "image.h"
#include "creds.h"
#include "macro.h"

typedef struct Strategy Strategy; /* strategy.h */

/* The files the helper generates for the container (dns.c). */
typedef enum DnsFile {
        DNS_FILE_RESOLV_CONF, /* network.dns */
        DNS_FILE_HOSTS,       /* its name and address, with a network namespace */
        _DNS_FILE_MAX,
} DnsFile;

typedef struct Container {
        Config *config;
        const char *name;
        Strategy *strategy; /* "boot" (boot.c); NULL: a plain container */

        bool userns;    /* config->namespaces.user */
        uid_t uid_base; /* first host uid of the range (userns) */
        uint32_t uid_size;

        /* Made by the parent (mount_prepare_trees), closed there once sent; the child
         * receives its own copies over the sync socket. */
        int root_tree_fd;   /* detached mount of the rootfs (idmapped with userns) */
        int *bind_tree_fds; /* per config->mounts[i]: a detached tree for binds, -EBADF for tmpfs */
        size_t n_bind_tree_fds;

        /* Network facts for the child (veth mode; set by the parent before "go"). */
        char ifname[IFNAMSIZ]; /* the peer's name as moved into the netns, renamed to eth0 */
        char address[64];      /* CIDR */
        char gateway[64];
        char address6[64]; /* CIDR; "" without IPv6 */
        char gateway6[64];
        uint32_t mtu;

        /* "notify" or "boot": the detached mount of the relay's socket (notify.c), made
         * before the clone; the child inherits it and binds it at /run/host/notify. */
        int notify_tree_fd;

        /* dns.c: detached read-only mounts of the generated /etc files, sent with the
         * trees (-EBADF: none), and the parent's writable fd of the hosts file, written
         * again once the address is known. */
        int dns_tree_fd[_DNS_FILE_MAX];
        int hosts_fd;

        /* "credentials" (credentials.c): per config->credentials[i], its contents opened
         * by the parent before the clone (the child inherits them). */
        int *credential_fds;
        size_t n_credential_fds;

        int sync_fd; /* this side's end of the socketpair */
        int stub_fd; /* the sealed exec stub (lib/exec.c), inherited by the child */

        /* image-root.c: what the root's overlay was built from: the forked process
         * that built it (before Linux 6.15), reaped once the payload runs
         * (image_root_reap()), or the detached trees its layers lie in (the first
         * n_image_trees), closed once the child has the root (mount_trees_close()). */
        pid_t image_staging_pid;
        int image_trees[2];
        size_t n_image_trees;

        /* "image" (image-root.c): the image in the store, and the container's own dir
         * (/var/lib/nscontain/containers/NAME) for its upper layer. */
        char image_id[IMAGE_DIGEST_LEN + 1];
        ImageInfo image;
        char *state_dir;
} Container;

/* image-root.c — before the clone: the image found in the store (imported first when
 * the config names a transport the store lacks, progress in the unit's status line)
 * and its config applied to c->config (command, env, workdir, user). Logs. */
int image_root_resolve(Container *c);
/* image-root.c — parent side: the overlay of the image's layers, each idmapped through
 * userns_fd (with a user namespace), under the container's upper layer (persistent, or
 * a tmpfs with "ephemeral"); or of an "ephemeral" rootfs (idmapped as its "ownership"
 * says) under a tmpfs: a detached mount for the child to attach as its root. */
int image_root_mount(Container *c, int userns_fd, int *ret_tree, Failure *f);
/* image-root.c — closes the detached trees image_root_mount() built the overlay from
 * (each close dissolves one, an RCU grace period: done once the child has the root
 * tree, while it sets up, by mount_trees_close()). */
void image_root_trees_close(Container *c);
/* image-root.c — the same, and waits for the process image_root_mount() built the
 * overlay in before Linux 6.15, once the payload runs. */
void image_root_reap(Container *c);
/* image-root.c — parent side: the image's tree as the container will see it, not
 * idmapped and read-only (the container's own layer on top), for reading its
 * /etc/passwd and /etc/group before the clone: the one layer that holds both when
 * there is one, else an overlay of them all. */
int image_root_view(Container *c, int *ret_fd, Failure *f);

/* mount-trees.c — parent side: clone the root and each bind source into detached trees,
 * idmapped through userns_fd when c->userns (and the entry's idmap), read-only as
 * configured. Refuses a rootfs whose filesystem cannot be idmapped with a message
 * naming user_namespace.ownership "chown". */
int mount_prepare_trees(Container *c, int userns_fd, Failure *f);
void mount_trees_close(Container *c);

/* ownership.c — parent side, before the root tree is cloned, for "ownership": "chown":
 * shifts the rootfs's ids from 0… into the container's range once, recorded in
 * /var/lib/nscontain/ownership/NAME so that it is not done again, resumed when
 * interrupted, and redone for another image or base. */
int ownership_shift(const Container *c, Failure *f);

/* What a strategy (boot.c) gives the mount table's rows that need it, by MountData. */
typedef enum MountData {
        MOUNT_DATA_NONE,
        MOUNT_DATA_CONTAINER_UUID, /* text: /run/host/container-uuid */
        MOUNT_DATA_OS_RELEASE,     /* tree: the host's os-release, for /run/host/os-release */
        MOUNT_DATA_NOTIFY,         /* tree: the notify socket, for /run/host/notify */
        _MOUNT_DATA_MAX,
} MountData;

typedef struct MountExtras {
        const char *text[_MOUNT_DATA_MAX];
        int tree_fd[_MOUNT_DATA_MAX]; /* -EBADF: none */
        int console_fd;               /* out: the master of /dev/console's pty, -EBADF: none */
        int credentials_fd;           /* out: the tmpfs of the credentials, still writable */
} MountExtras;

/* mount.c — a read-only bind of the host's device node 'where' (checked by fd to be
 * that type and rdev) on a new file 'name' below dir_fd. */
int dev_node_bind(int dir_fd, const char *name, const char *where, mode_t type, dev_t rdev, Failure *f);
/* devices.c — child side, after the /dev rows: the config's "devices" in our /dev. */
int devices_mount(const Container *c, int dev_fd, Failure *f);

/* credentials.c — "credentials" at $CREDENTIALS_DIRECTORY inside the container. */
#define CONTAINER_CREDENTIALS_DIR "/run/host/credentials"
/* Parent side, before the clone: each source checked (the start fails naming a missing
 * one) and opened from the helper's $CREDENTIALS_DIRECTORY (or, run by hand, from its
 * path) into c->credential_fds. */
int credentials_open(Container *c, Failure *f);
void credentials_close(Container *c);
/* Child side, from a row of the mount table: a tmpfs holding a copy of each (0400)
 * attached on target_fd; its fd in *ret_mnt for credentials_seal(). */
int credentials_mount(const Container *c, int target_fd, int *ret_mnt, Failure *f);
/* Child side, once the payload's user is resolved: the files and the directory given to
 * it, the mount made read-only. */
int credentials_seal(const Container *c, int mnt_fd, const ResolvedUser *u, Failure *f);

/* mount.c — child side, in the new mount namespace: propagation private first, attach
 * the root tree, then the rows of mount_table[] that apply to this container (/proc,
 * /sys read-only, /sys/fs/cgroup, /dev and its nodes, devpts, /dev/shm, /dev/mqueue;
 * "boot": /run, /tmp, /run/host, /dev/console), the config's mounts (mount-user.c),
 * the rows of mask_table[] (masked and read-only paths), pivot_root, old root
 * detached. Afterwards "/" is the container's root and the cwd is "/". */
int mount_setup_root(Container *c, MountExtras *extras, Failure *f);

/* dns.c — parent side, before the trees are sent: the container's /etc/resolv.conf
 * (network.dns; none with "none") and /etc/hosts (with a network namespace of its own)
 * in a tmpfs of their own, as detached read-only mounts in c->dns_tree_fd[]. */
int dns_files_prepare(Container *c, Failure *f);
/* dns.c — parent side, once c->address is known (veth): /etc/hosts names it. */
int dns_hosts_update(Container *c, Failure *f);
void dns_files_close(Container *c);
/* dns.c — child side, before the config's mounts (which may cover them): each file
 * bound over the image's, resolved in the root; a missing one gets an empty mount
 * point, a dangling symlink is left alone. */
int dns_files_mount(Container *c, int root_fd, Failure *f);

/* mount-user.c — child side: the config's "mounts", binds of the parent's trees and
 * tmpfs entries, targets resolved inside the root with openat2 RESOLVE_IN_ROOT. */
int mount_user_entries(const Container *c, int root_fd, Failure *f);

/* mount-user.c — opens the mount point 'path' (absolute, as the container sees it)
 * inside the root, creating what is missing (a directory, or with !dir an empty file). */
int mount_point_open(int root_fd, const char *path, bool dir, int *ret);

/* sysctl.c — child side: a detached procfs instance of our own, checked to be procfs
 * ('what' names the reason in the failure). */
int procfs_instance(const char *what, int *ret, Failure *f);
/* sysctl.c — writes key ("net.ipv4.ping_group_range") = value beneath proc_fd, the file
 * opened without symlinks or mount crossings and checked to be procfs. */
int proc_sys_write(int proc_fd, const char *key, const char *value, Failure *f);
/* sysctl.c — child side, in the container's namespaces: the config's "sysctl" keys. */
int sysctl_apply(const Container *c, Failure *f);

/* netif.c — child side: lo up; for veth, rename c->ifname to eth0, address, MTU,
 * default route via the gateway. */
int netif_setup(Container *c, Failure *f);
