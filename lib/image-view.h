/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* An image container's process and root as its start sees them (nscontain.json(5)
 * "image"), for the helper and for the checks of lib/preflight.h alike: the image's
 * config merged under the container's, and a read-only view of the image's files.
 * Library code: it never logs; failures come back in a Failure. */

#include "config.h"
#include "failure.h"
#include "image.h"

/* Applies the image's config to config as the start does: Entrypoint + Cmd (or "args")
 * unless "command" (then "args" are appended), the image's Env under the config's own
 * "env", WorkingDir and User unless "workdir"/"user" were given. */
int image_config_apply(Config *config, const ImageConfig *ic, Failure *f);

/* The image's tree as the container will see it at its next start, not idmapped and
 * read-only: an overlay (a detached mount: no mount namespace needed) of the store's
 * layers under the container's own upper layer (state_dir/upper, when state_dir is
 * given and it exists), or the one layer alone. Needs CAP_SYS_ADMIN and, for more than
 * one layer, overlayfs's lowerdir+ (Linux >= 6.8). */
int image_view_open(ImageStore *store, const char *image, const ImageConfig *ic, const char *state_dir,
                    int *ret_fd, Failure *f);

/* The directory of the container NAME's own layer: $NSCONTAIN_CONTAINER_STATE or
 * CONTAINER_STATE_DIR, then NAME. */
int image_container_state_dir(const char *name, char **ret);

/* The words of an image layer ('what': "layer DIFF_ID") the start cannot idmap into the
 * container's range, and of validate's probe of it: when the store's filesystem (fd's)
 * refuses idmapped mounts, which one and what to do about it. Returns -abs(error). */
int image_layer_idmap_fail(Failure *f, int error, const char *image, const char *what, int fd);
