/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The sync channel between a program and a process it set up (docs/ARCHITECTURE.md,
 * "The sync protocol"): a SOCK_SEQPACKET pair over which every request and every answer
 * is one SyncMessage, with fds attached where its type says so. One sender and one
 * receiver for all of them: the helper and its child (spawn.c), boot mode's channel
 * (boot.c), "nscontain exec" and its processes (cli/exec.c), and the exec stub, which
 * writes SYNC_EXEC and SYNC_FAILURE itself (stub/stub.c is built without a libc: this
 * header needs nothing but the compiler's own stddef.h and stdint.h).
 *
 * EOF after SYNC_EXEC: the command runs (the socket is close-on-exec); EOF without it:
 * the process died during setup. */

#include <stddef.h>
#include <stdint.h>

#include "failure.h"

#define SYNC_MAGIC 0x6e737963U /* "nsyc" */

/* The kernel takes at most SCM_MAX_FD (253) fds per message: more travel in SYNC_FDS
 * messages that follow the first. */
#define SYNC_FDS_PER_MESSAGE 250U
/* At most this many fds per message in all (the root tree, CONFIG_MOUNTS_MAX binds and
 * the helper's two generated /etc files). */
#define SYNC_FDS_MAX 259U

enum {
        SYNC_FAILURE = 1, /* child → parent: a step failed (failure) */
        SYNC_EXEC,        /* child → parent: right before the final execve */
        SYNC_GO,          /* parent → child: go on; helper: fds are the mount trees (go) */
        SYNC_NET,         /* helper → child: the network facts (net) */
        SYNC_PID,         /* exec: intermediate → nscontain: the command's pid (pid) */
        SYNC_PTY,         /* exec: command → nscontain: fd, the pty master */
        SYNC_HOST_FILES,  /* boot: helper → child: fds, the notify socket and os-release trees */
        SYNC_CONSOLE,     /* boot: child → helper: fd, the console's pty master */
        SYNC_FDS,         /* more fds of the message before (sync.c only) */
};

typedef struct SyncMessage {
        uint32_t magic; /* SYNC_MAGIC, set by sync_send() */
        uint32_t type;
        uint32_t n_fds; /* fds that come with it, set by sync_send() */
        union {
                Failure failure;
                int32_t pid;
                struct {
                        /* Which trees the fds are, in order: the root first, then
                         * binds[i] for each config->mounts[i] that has one. */
                        uint8_t has_tree[SYNC_FDS_MAX];
                } go;
                struct {
                        char ifname[16]; /* IFNAMSIZ */
                        char address[64];
                        char gateway[64];
                        char address6[64]; /* "" without IPv6 */
                        char gateway6[64];
                        uint32_t mtu;
                } net;
        };
} SyncMessage;

/* Sends m (magic and n_fds filled in here) with n fds attached. MSG_NOSIGNAL: a peer
 * that is gone is -EPIPE, not a signal. */
int sync_send(int sock, const SyncMessage *m, const int *fds, size_t n);

/* sync_send() of a SYNC_FAILURE carrying f. */
int sync_send_failure(int sock, const Failure *f);

/* Receives one message. Returns 1 with *ret filled and its fds (close-on-exec) in
 * fds[0 … ret->n_fds), 0 at EOF, -errno on failure: -EBADMSG for anything malformed
 * (wrong size or magic, more fds than max_fds, truncated; its fds are closed), -EAGAIN
 * with MSG_DONTWAIT in flags when nothing is there. EINTR is retried. A SYNC_FAILURE's
 * text is NUL-terminated, its error positive and its exit code in 1…255. */
int sync_receive(int sock, int flags, SyncMessage *ret, int *fds, size_t max_fds);
