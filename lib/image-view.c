/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "image-view.h"
#include "mount-api.h"
#include "preflight.h"
#include "strv.h"

int image_config_apply(Config *config, const ImageConfig *ic, Failure *f) {
        int r;

        if (!config->command) {
                _cleanup_strv_free_ char **argv = strv_copy(ic->entrypoint);
                char **tail = config->args ?: ic->cmd;

                if (ic->entrypoint && !argv)
                        return failf(f, ENOMEM, "Failed to allocate memory");
                STRV_FOREACH (a, tail)
                        if (strv_extend(&argv, *a) < 0)
                                return failf(f, ENOMEM, "Failed to allocate memory");
                if (strv_length(argv) == 0 && !config->boot)
                        return failx(
                                f, EINVAL,
                                "Image %s has neither Entrypoint nor Cmd, and the config no \"command\".",
                                config->image);
                config->command = TAKE_PTR(argv);
        } else if (config->args)
                STRV_FOREACH (a, config->args)
                        if (strv_extend(&config->command, *a) < 0)
                                return failf(f, ENOMEM, "Failed to allocate memory");

        /* The image's Env under the config's own "env" (its defaults, PATH included, give
         * way to the image's). */
        STRV_FOREACH (e, ic->env) {
                _cleanup_free_ char *key = strndup(*e, strcspn(*e, "="));
                if (!key)
                        return failf(f, ENOMEM, "Failed to allocate memory");
                if (!strchr(*e, '=') || strv_env_get(config->env_given, key))
                        continue;
                r = strv_env_set(&config->env, key, strchr(*e, '=') + 1, /* replace= */ true);
                if (r < 0)
                        return failf(f, r, "Failed to allocate memory");
        }
        if (!config->workdir_given && !isempty(ic->workdir)) {
                if (ic->workdir[0] != '/')
                        return failx(f, EINVAL, "Image %s has a relative WorkingDir '%s'.", config->image,
                                     ic->workdir);
                free(config->workdir);
                config->workdir = strdup(ic->workdir);
                if (!config->workdir)
                        return failf(f, ENOMEM, "Failed to allocate memory");
        }
        if (!config->user_given && !isempty(ic->user)) {
                free(config->user);
                config->user = strdup(ic->user);
                if (!config->user)
                        return failf(f, ENOMEM, "Failed to allocate memory");
        }
        return 0;
}

int image_view_open(ImageStore *store, const char *image, const ImageConfig *ic, const char *state_dir,
                    int *ret_fd, Failure *f) {
        _cleanup_close_ int fs = -EBADF, upper = -EBADF, tree = -EBADF;
        int r;

        if (ic->n_diff_ids == 0)
                return failx(f, EINVAL, "Image %s has no layers", image);

        /* What the container wrote before sits on top, read-only here. */
        if (state_dir) {
                _cleanup_close_ int dir = open(state_dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dir >= 0)
                        upper = openat(dir, "upper", O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        }
        /* One lower layer alone makes no overlay: that layer is the view. */
        if (upper < 0 && ic->n_diff_ids == 1) {
                r = image_store_layer_open(store, ic->diff_ids[0]);
                if (r < 0)
                        return failf(f, r, "Failed to open layer %s of image %s in the store",
                                     ic->diff_ids[0], image);
                *ret_fd = r;
                return 0;
        }

        r = fs_open("overlay", &fs);
        if (r < 0)
                return failf(f, r, "Failed to create an overlayfs for image %s", image);
        if (upper >= 0 && fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, upper) < 0)
                return failf(f, errno, "Failed to add the container's layer to the overlayfs");
        /* lowerdir+ appends below what is there: the top layer first. */
        for (size_t i = ic->n_diff_ids; i > 0; i--) {
                _cleanup_close_ int layer = image_store_layer_open(store, ic->diff_ids[i - 1]);
                if (layer < 0)
                        return failf(f, layer, "Failed to open layer %s of image %s in the store",
                                     ic->diff_ids[i - 1], image);
                if (fsconfig(fs, FSCONFIG_SET_FD, "lowerdir+", NULL, layer) < 0)
                        return failf(f, errno,
                                     "Failed to add layer %s to the overlayfs (Linux ≥ 6.8 needed)",
                                     ic->diff_ids[i - 1]);
        }
        r = fs_mount(fs, MOUNT_ATTR_RDONLY, &tree);
        if (r < 0)
                return failf(f, r, "Failed to mount the overlayfs of image %s", image);
        *ret_fd = TAKE_FD(tree);
        return 0;
}

int image_container_state_dir(const char *name, char **ret) {
        const char *base = getenv(CONTAINER_STATE_ENV);

        return asprintf(ret, "%s/%s", !isempty(base) ? base : CONTAINER_STATE_DIR, name) < 0 ? -ENOMEM : 0;
}

int image_layer_idmap_fail(Failure *f, int error, const char *image, const char *what, int fd) {
        char buf[32];

        if (!idmap_refused(-abs(error)))
                return failf(f, error, "Failed to create an idmapped mount of %s of image %s", what, image);
        return failx(
                f, error,
                "Failed to create an idmapped mount of %s of image %s: the image store's filesystem (%s) "
                "refuses idmapped mounts; keep the store on one that takes them (ext4, xfs, btrfs, tmpfs)",
                what, image, fs_type_name(fd, buf, sizeof(buf)));
}
