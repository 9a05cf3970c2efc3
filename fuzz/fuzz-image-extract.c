/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The layer extractor (lib/image-extract.c, docs/SECURITY.md row 14) on arbitrary
 * bytes as a layer blob (plain, gzip or zstd tar): it unpacks or refuses with one
 * message, never crashes or leaks, and never creates anything outside the directory
 * it was given: a sibling directory stays empty and the parent holds only the two. */

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "lib/image.h"

static size_t entries(const char *path) {
        size_t n = 0;
        DIR *d = opendir(path);
        struct dirent *de;

        fuzz_check(d);
        while ((de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        n++;
        closedir(d);
        return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static char base[64];
        char layer[96], outside[96];
        const ImageLimits limits = {.max_size = 16U << 20, .max_entries = 4096, .max_path = 1024};
        LayerResult res;
        char *error = NULL;
        int blob, dest, r;

        if (!base[0]) {
                snprintf(base, sizeof(base), "/tmp/fuzz-image-extract.XXXXXX");
                fuzz_check(mkdtemp(base));
        }
        snprintf(layer, sizeof(layer), "%s/layer", base);
        snprintf(outside, sizeof(outside), "%s/outside", base);
        fuzz_check(mkdir(layer, 0700) == 0);
        fuzz_check(mkdir(outside, 0700) == 0);

        blob = memfd_create("layer", MFD_CLOEXEC);
        fuzz_check(blob >= 0);
        fuzz_check(size == 0 || write(blob, data, size) == (ssize_t)size);
        fuzz_check(lseek(blob, 0, SEEK_SET) == 0);
        dest = open(layer, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        fuzz_check(dest >= 0);

        r = layer_extract(blob, dest, &limits, NULL, NULL, &res, &error);
        fuzz_check(r < 0 ? error != NULL || r == -ENOMEM : error == NULL && res.size <= limits.max_size);
        free(error);
        close(dest);
        close(blob);

        fuzz_check(entries(outside) == 0);
        fuzz_check(entries(base) == 2);
        fuzz_check(image_rm_rf_at(AT_FDCWD, layer) == 0);
        fuzz_check(rmdir(outside) == 0);
        return 0;
}
