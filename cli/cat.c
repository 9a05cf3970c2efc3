/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <string.h>

#include "fileio.h"
#include "log.h"
#include "nscontain.h"
#include "strv.h"

static void help(void) {
        printf("nscontain cat [OPTIONS...] NAME\n\n"
               "Shows the config container NAME runs (the copy the last daemon-reload took, every\n"
               "default filled in; a note when the file on disk differs), then the unit files\n"
               "systemd runs it from: the unit and its drop-ins, as \"systemctl cat\" does.\n\n"
               "  -h --help       Show this help\n"
               "     --no-pager   Do not pipe output into a pager\n\n"
               "Exit status: 0 on success, 1 on failure (an invalid config, no unit), 2 on a\n"
               "usage error, 4 when there is no container NAME.\n");
}

static int cat_file(const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        int r;

        r = read_full_file_at(AT_FDCWD, path, 4 * 1024 * 1024, &text, &size);
        if (r < 0)
                return log_error_errno(r, "Failed to read '%s': %m", path);
        printf("\n# %s\n", path);
        fwrite(text, 1, size, stdout);
        if (size > 0 && text[size - 1] != '\n')
                putchar('\n');
        return 0;
}

/* Whether the file on disk is no longer the snapshot the unit runs (edited, or gone). */
static bool snapshot_differs(const ContainerRef *ref) {
        _cleanup_free_ char *b = NULL;
        size_t nb = 0;

        if (read_full_file_at(AT_FDCWD, ref->config_path, 4 * 1024 * 1024, &b, &nb) < 0)
                return true;
        return ref->snapshot_size != nb || memcmp(ref->snapshot, b, nb) != 0;
}

int verb_cat(int argc, char *argv[]) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                OPTION_NO_PAGER,
                {},
        };
        _cleanup_(container_ref_done) ContainerRef ref = {};
        _cleanup_config_free_ Config *config = NULL;
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(unit_info_done) UnitInfo unit = {};
        _cleanup_free_ char *json = NULL;
        const char *name;
        int c, r, ret = 0;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                default:
                        if (!output_option_parse(c))
                                return EXIT_USAGE;
                }
        if (container_name_argument(argc, argv, "cat", &name) < 0)
                return EXIT_USAGE;
        r = container_open(name, &ref, &bus, &unit);
        if (r != 0)
                return r;

        pager_open();

        r = container_ref_load(&ref, false, &config);
        if (r >= 0) {
                r = config_to_json(config, &json);
                if (r < 0) {
                        log_error_errno(r, "Failed to format the config of '%s': %m", ref.name);
                        ret = EXIT_FAILED;
                } else if (ref.snapshot_path)
                        printf("# %s (what %s runs: %s as of the last daemon-reload, with defaults)\n%s\n",
                               ref.snapshot_path, ref.unit, ref.config_path, json);
                else
                        printf("# %s (as read, with defaults)\n%s\n", ref.config_path, json);
        } else
                ret = EXIT_FAILED;
        if (ref.snapshot_path && snapshot_differs(&ref))
                printf("# %s differs from what runs: it takes effect at the next 'systemctl "
                       "daemon-reload'\n",
                       ref.config_path);

        if (isempty(unit.fragment_path)) {
                log_error("%s has no unit file (load state: %s).", ref.unit, strna(unit.load_state));
                return EXIT_FAILED;
        }
        if (cat_file(unit.fragment_path) < 0)
                ret = EXIT_FAILED;
        STRV_FOREACH (p, unit.dropin_paths)
                if (cat_file(*p) < 0)
                        ret = EXIT_FAILED;
        return ret;
}
