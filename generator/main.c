/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "build-config.h"
#include "config-snapshot.h"
#include "fileio.h"
#include "generator.h"
#include "log.h"
#include "preflight.h"
#include "strv.h"

static bool arg_dry_run = false;

static void help(void) {
        printf("Usage: nscontain-generator NORMAL-DIR [EARLY-DIR LATE-DIR]\n"
               "       nscontain-generator --dry-run [FILE...]\n"
               "\n"
               "Writes a drop-in for container@NAME.service for every NAME.json in\n"
               "/etc/nscontain.d, /run/nscontain.d and /usr/lib/nscontain.d\n"
               "($NSCONTAIN_CONFIG_PATH replaces that list).\n"
               "\n"
               "  -h --help      Show this help\n"
               "     --version  Show the version\n"
               "  -n --dry-run   Print what would be written, for the FILEs or the whole\n"
               "                 search path; exit non-zero if anything is wrong\n"
               "\n"
               "See nscontain-generator(8) and nscontain.json(5).\n");
}

/* systemd runs generators with stderr going nowhere useful: log to the kernel log,
 * as systemd's own generators do. By hand (a terminal, or --dry-run) use stderr.
 * $SYSTEMD_LOG_TARGET overrides, as for systemd's programs. */
static LogTarget pick_log_target(bool as_generator) {
        const char *e = getenv("SYSTEMD_LOG_TARGET");

        if (streq(e, "kmsg"))
                return LOG_TARGET_KMSG;
        if (streq(e, "console") || streq(e, "stderr"))
                return LOG_TARGET_STDERR;
        if (as_generator && !isatty(STDERR_FILENO) && access("/dev/kmsg", W_OK) >= 0)
                return LOG_TARGET_KMSG;
        return LOG_TARGET_STDERR;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_VERSION = 0x100 };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                {"dry-run", no_argument, NULL, 'n'},
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "hn", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("nscontain-generator %s\n", PACKAGE_VERSION);
                        return 0;
                case 'n':
                        arg_dry_run = true;
                        break;
                case '?':
                        return -EINVAL;
                default:
                        abort();
                }

        if (!arg_dry_run && argc - optind != 1 && argc - optind != 3)
                return log_error_errno(EINVAL,
                                       "Expected 1 or 3 output directories, or --dry-run; see --help.");
        return 1;
}

/* What the config set finds, logged as systemd's generators log. */
static void log_report(int level, const ConfigSetEntry *e, const char *file, const char *text,
                       void *userdata) {
        /* --dry-run's "checks skipped" (a rootfs not here) is no news worth a line. */
        if (level == LOG_INFO)
                level = LOG_DEBUG;
        if (file)
                log_full(level, "%s: %s", file, text);
        else
                log_full(level, "%s", text);
}

/* Renders and writes (or prints) everything for the checked, valid entries. Returns
 * the number of failures. */
static int emit_all(ConfigSet *s, Output *o) {
        size_t records = 0;
        int failed = 0;

        for (size_t i = 0; i < s->n; i++)
                if (s->entries[i].checked && s->entries[i].state == CONFIG_VALID)
                        records++;
        if (output_snapshot_reserve(o, records) < 0)
                return -ENOMEM;

        for (size_t i = 0; i < s->n; i++) {
                const ConfigSetEntry *e = &s->entries[i];
                _cleanup_free_ char *text = NULL, *error = NULL;
                int k;

                if (!e->checked || e->state != CONFIG_VALID)
                        continue;

                _cleanup_strv_free_ char **absent = NULL;
                STRV_FOREACH (d, e->config->requires) {
                        ssize_t t = config_set_find(s, *d);
                        /* No unit to require: the start says which (config_requires_missing()). */
                        if ((t < 0 || s->entries[t].state != CONFIG_VALID) && strv_extend(&absent, *d) < 0)
                                return log_oom();
                }

                uint64_t offset = o->snapshot_size;
                k = dropin_render(e->config, e->path, o->snapshot_path, offset, absent, &text, &error);
                if (k == -ENOMEM)
                        return log_oom();
                if (k < 0) {
                        log_error("%s", error ?: "Failed to render a drop-in");
                        failed++;
                        continue;
                }
                if (output_snapshot_add(o, e->name, e->text, e->text_size) < 0)
                        return -ENOMEM;
                if (output_dropin(o, e->name, text) < 0) {
                        failed++;
                        continue;
                }
                if (e->config->autostart && output_autostart(o, e->name) < 0)
                        failed++;
        }
        return failed;
}

/* The configs, kept until the process exits, which gives their memory back in one go:
 * freeing a thousand configs piece by piece cost a sixth of the generator's
 * instructions (bench/generator). Static, so that it stays reachable for leak checkers. */
static ConfigSet set = {.report = log_report, .keep_text = true};

static int run(char *const *files, const char *dest) {
        ConfigSet *s = &set;
        _cleanup_(output_done) Output o = {.dir_fd = -EBADF, .wants_fd = -EBADF};
        int bad, cycles, failed, deep = 0, k;

        if (dest) {
                /* systemd creates it; by hand it may not exist yet. */
                k = mkdir_p_at(AT_FDCWD, dest, 0755, &o.dir_fd);
                if (k < 0)
                        return log_error_errno(k, "Failed to open output directory '%s': %m", dest);
                /* The drop-in names the snapshot by absolute path; by hand DEST may be relative. */
                o.dir_path = realpath(dest, NULL);
                if (!o.dir_path)
                        return log_error_errno(errno, "Failed to resolve output directory '%s': %m", dest);
        } else {
                o.print = stdout;
                o.dir_path = strdup(GENERATOR_DIR_DEFAULT);
                if (!o.dir_path)
                        return log_oom();
        }
        if (asprintf(&o.snapshot_path, "%s/" CONFIG_SNAPSHOT_FILE, o.dir_path) < 0)
                return log_oom();

        bad = files ? config_set_load_files(s, files) : config_set_load_search_path(s);
        if (bad < 0)
                return log_error_errno(bad, "Failed to load the container configs: %m");

        cycles = config_set_check_dependencies(s);
        if (cycles < 0)
                return log_oom();

        /* --dry-run: also what a start would find wrong on this machine, as "nscontain
         * validate" does (lib/preflight.c). Never at boot: a generator looks at its
         * configs only. */
        if (!dest) {
                deep = config_set_check_ports(s);
                if (deep >= 0) {
                        int checks = preflight_config_set(s);
                        deep = checks < 0 ? checks : deep + checks;
                }
                if (deep < 0)
                        return log_oom();
        }

        failed = emit_all(s, &o);
        if (failed < 0)
                return failed;
        /* Before systemd reads a drop-in: the generator's output is read once it exits. */
        if (output_snapshot_write(&o) < 0)
                return -EIO;

        if (o.print && fflush(o.print) != 0)
                return log_error_errno(errno, "Failed to write to standard output: %m");

        /* Good configs are written whatever happened to the others; the exit status
         * still says that something was wrong, and systemd logs it. */
        return bad > 0 || cycles > 0 || failed > 0 || deep > 0 ? -EINVAL : 0;
}

int main(int argc, char *argv[]) {
        int r;

        /* Decide the log target before anything can log. */
        bool as_generator = argc == 2 || argc == 4;
        for (int i = 1; i < argc; i++)
                if (argv[i][0] == '-')
                        as_generator = false;
        log_setup("nscontain-generator", pick_log_target(as_generator));
        log_parse_environment();
        umask(0022);

        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        if (arg_dry_run)
                r = run(optind < argc ? argv + optind : NULL, NULL);
        else
                r = run(NULL, argv[optind]);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
