/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Fault injection for the tests: named points in the helper and the sidecar where a
 * test build (meson -Dfailpoints=true) can be made to die, stall or fail, so that the
 * tests can show that a kill at any step leaves nothing behind. Without the option
 * failpoint() is an inline "return 0" and no code of this file is linked in.
 *
 * At run time, $NSCONTAIN_FAILPOINT (read once, at the first point reached) selects
 * points and what they do, comma-separated:
 *
 *     NSCONTAIN_FAILPOINT=NAME[:ACTION][@HIT][,NAME[:ACTION][@HIT]...]
 *
 *     ACTION  kill        SIGKILL ourselves (the default). In a process that is PID 1
 *                         of its pid namespace, where a signal sent to oneself is
 *                         ignored, exit_group(137) instead: no cleanup runs either way
 *             abort       abort(): SIGABRT, a core where enabled
 *             delay=MS    sleep MS milliseconds (at most 600000), then go on
 *             error=ERR   make failpoint() return -ERR (a number or a name such as
 *                         ENOSPC); only points whose caller checks the result fail
 *     @HIT    act on the HIT-th time the point is reached only (1-based; default every
 *             time). Counted per process; a forked child continues the count.
 *
 * Every action first writes "failpoint NAME: ACTION" to stderr (the unit's journal),
 * so a test can tell that the point was reached. An unknown NAME is reported there
 * once too ("failpoint: unknown point NAME"), so a typo in a test cannot pass unseen.
 *
 * The points (a NAME's prefix says which process reaches it):
 *
 *   helper:after-config       the config is loaded and valid
 *   helper:after-user-range   AcquireUserRange answered
 *   helper:after-clone        the parent, right after clone3()
 *   helper:after-maps         the parent, uid/gid maps written
 *   helper:after-network      SetupNetwork answered (veth made, address leased)
 *   child:before-mount        the child, maps in place, before any mount
 *   child:after-root          the child, the root tree attached
 *   child:after-api-mounts    the child, /proc, /sys and /dev mounted
 *   child:after-binds         the child, the configured mounts done
 *   child:after-pivot         the child, pivot_root done, old root detached
 *   child:before-exec         the child, credentials dropped, right before execve()
 *   helper:after-ready        the supervisor, READY=1 sent
 *   sidecar:after-alloc       a range or address allocated in memory, not yet saved
 *   sidecar:before-state-write  before the state file is written (error= checked)
 *   write-atomic:before-rename  the temp file written and synced, not yet renamed
 *   sidecar:after-state-write the state file renamed into place, no reply sent yet
 *   sidecar:after-veth-create the veth pair exists, not yet labelled
 *   exec:before-exec          nscontain exec's command process, in the container with
 *                             its credentials, right before execve()
 *   image:after-archive-unpack  an image import (the CLI's, also run by the helper at a
 *                             first start) of an archive: the archive unpacked into the
 *                             store's .src-* dir, no layer read yet
 *   image:extract-entry       an import, before each entry of a layer's tar is written into
 *                             the layer's temp dir (with @HIT: in the middle of a layer)
 *   image:after-layer-extract an import, a layer unpacked into its temp dir, its digests
 *                             not yet compared
 *   image:before-layer-rename an import, a layer unpacked and verified in its temp dir,
 *                             not yet renamed
 *   image:after-layer-rename  an import, a layer complete in the store, the image not
 *                             yet recorded
 *   image:before-image-rename an import, the image's record written in its temp dir,
 *                             not yet renamed
 *   image:before-names-write  an import, the image recorded, its names not yet written
 *   helper:overlay-detached   the parent, an image's (or an ephemeral rootfs's) overlay
 *                             configured with detached layers, not yet created (error=
 *                             checked: error=EINVAL is a kernel before 6.15 refusing
 *                             them, and the start stages the layers instead)
 */

#include "build-config.h"

#define FAILPOINT_ENV "NSCONTAIN_FAILPOINT"

#if ENABLE_FAILPOINTS
/* 0, or -errno for an "error=" action; does not return for "kill" and "abort". */
int failpoint_hit(const char *name);

/* Parses a failpoint specification as in $NSCONTAIN_FAILPOINT: 0 when valid, else
 * -EINVAL. Exposed for the unit test. */
int failpoint_spec_check(const char *spec);

static inline int failpoint(const char *name) {
        return failpoint_hit(name);
}
#else
static inline int failpoint(const char *name) {
        (void)name;
        return 0;
}
#endif
