/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The JSON documents of an image (lib/image-manifest.c) on arbitrary bytes: an index,
 * a manifest, a config, a docker manifest.json. Each parser returns a result or an
 * error with one message, never crashes, leaks or reads out of bounds; what it accepts
 * holds only well-formed digests and no more layers than the limit. */

#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "lib/image.h"

static bool hex64(const char *s) {
        if (strlen(s) != IMAGE_DIGEST_LEN)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *)data;
        char *error = NULL;
        int r;

        if (size > IMAGE_JSON_MAX)
                return 0;

        for (int i = 0; i < 3; i++) {
                ImageDescriptor d = {};
                r = image_index_select(text, size, i == 1 ? "1.0" : NULL, i == 2 ? NULL : "amd64", &d,
                                       &error);
                fuzz_check(r < 0 ? error != NULL : (r == 0 || r == 1) && hex64(d.digest));
                image_descriptor_done(&d);
                free(error);
                error = NULL;
        }

        ImageManifest m = {};
        r = image_manifest_parse(text, size, &m, &error);
        fuzz_check(r < 0 ? error != NULL || r == -ENOMEM
                         : hex64(m.config.digest) && m.n_layers <= IMAGE_LAYERS_MAX);
        for (size_t i = 0; r >= 0 && i < m.n_layers; i++)
                fuzz_check(hex64(m.layers[i].digest) && image_layer_media_type(m.layers[i].media_type) >= 0);
        image_manifest_done(&m);
        free(error);
        error = NULL;

        ImageConfig c = {};
        r = image_config_parse(text, size, &c, &error);
        fuzz_check(r < 0 ? error != NULL || r == -ENOMEM : c.n_diff_ids <= IMAGE_LAYERS_MAX);
        for (size_t i = 0; r >= 0 && i < c.n_diff_ids; i++)
                fuzz_check(hex64(c.diff_ids[i]));
        image_config_done(&c);
        free(error);
        error = NULL;

        for (int i = 0; i < 2; i++) {
                DockerManifest dm = {};
                r = docker_manifest_parse(text, size, i ? "web:1" : NULL, &dm, &error);
                fuzz_check(r < 0 ? error != NULL || r == -ENOMEM
                                 : dm.config && dm.n_layers <= IMAGE_LAYERS_MAX);
                docker_manifest_done(&dm);
                free(error);
                error = NULL;
        }
        return 0;
}
