/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <string.h>
#include <syslog.h>

#include "config-set.h"
#include "log.h"
#include "nscontain.h"
#include "strv.h"

static void help(void) {
        printf("nscontain validate [OPTIONS...] [FILE...]\n\n"
               "Checks container configs as nscontain-generator and the helper do: every\n"
               "file's verdict on its own line, \"NAME.json: ok\" or the error. Without FILE,\n"
               "checks every config on the search path. Dependencies on containers without a\n"
               "valid config are warnings and ordering cycles errors, as in the generator.\n\n"
               "  -h --help   Show this help\n"
               "  -q --quiet  Print errors and warnings only\n\n"
               "Exit status: 0 when every file is valid, 1 otherwise, 2 on a usage error.\n");
}

/* What the config set reported, by the entry's 'order' (the position of its FILE, or
 * on the search path), so that each file's lines are printed together, in order. */
typedef struct FileReport {
        char **lines; /* errors and warnings, for standard error */
        size_t warnings;
        char *notice; /* e.g. why a FILE is masked */
} FileReport;

typedef struct Reports {
        FileReport *files;
        size_t n_files;
        char **general; /* not about one file: ordering cycles */
        bool oom;
} Reports;

static void reports_done(Reports *r) {
        for (size_t i = 0; i < r->n_files; i++) {
                strv_free(r->files[i].lines);
                free(r->files[i].notice);
        }
        free(r->files);
        strv_free(r->general);
}

static FileReport *reports_file(Reports *r, size_t order) {
        if (order >= r->n_files) {
                FileReport *f = reallocarray(r->files, order + 1, sizeof(FileReport));
                if (!f)
                        return NULL;
                memset(f + r->n_files, 0, (order + 1 - r->n_files) * sizeof(FileReport));
                r->files = f;
                r->n_files = order + 1;
        }
        return &r->files[order];
}

static void collect(int level, const ConfigSetEntry *e, const char *file, const char *text, void *userdata) {
        Reports *r = userdata;
        FileReport *f;
        char *line;

        if (level >= LOG_INFO) /* "is masked, skipping": the verdict line says so */
                return;
        if (!e) {
                if (strv_extend(&r->general, text) < 0)
                        r->oom = true;
                return;
        }
        f = reports_file(r, e->order);
        if (!f) {
                r->oom = true;
                return;
        }
        if (level == LOG_NOTICE) {
                free(f->notice);
                f->notice = strdup(text);
                return;
        }
        if (level == LOG_WARNING)
                f->warnings++;
        if (asprintf(&line, "%s%s%s%s", file ?: "", file ? ": " : "",
                     level == LOG_WARNING ? "warning: " : "", text) < 0 ||
            strv_push(&f->lines, line) < 0)
                r->oom = true;
}

static const char *base_name(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

int verb_validate(int argc, char *argv[]) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"quiet", no_argument, NULL, 'q'},
                {},
        };
        _cleanup_(reports_done) Reports reports = {};
        _cleanup_(config_set_done) ConfigSet s = {.report = collect, .userdata = &reports};
        _cleanup_free_ const ConfigSetEntry **by_order = NULL;
        size_t n_orders;
        bool quiet = false;
        int bad, cycles, c;

        while ((c = getopt_long(argc, argv, "hq", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'q':
                        quiet = true;
                        break;
                default:
                        return EXIT_USAGE;
                }

        /* The generator's own loading and checks; only the words are ours. */
        bad = optind < argc ? config_set_load_files(&s, argv + optind) : config_set_load_search_path(&s);
        if (bad < 0) {
                log_error_errno(bad, "Failed to load the container configs: %m");
                return EXIT_FAILED;
        }
        cycles = config_set_check_dependencies(&s);
        if (cycles < 0 || reports.oom)
                return log_oom(), EXIT_FAILED;

        if (optind >= argc && s.n == 0 && !quiet)
                printf("No container configs in %s.\n",
                       getenv("NSCONTAIN_CONFIG_PATH") ?: CONFIG_SEARCH_PATH);

        /* Verdicts in the order of the FILEs (or of the search path), each file's lines
         * together. A FILE dropped as a second definition of its NAME has lines but no
         * entry. */
        n_orders = MAX(reports.n_files, s.n);
        for (size_t i = 0; i < s.n; i++)
                n_orders = MAX(n_orders, s.entries[i].order + 1);
        by_order = calloc(n_orders + 1, sizeof(ConfigSetEntry *));
        if (!by_order)
                return log_oom(), EXIT_FAILED;
        for (size_t i = 0; i < s.n; i++)
                if (s.entries[i].checked)
                        by_order[s.entries[i].order] = &s.entries[i];

        for (size_t i = 0; i < n_orders; i++) {
                const ConfigSetEntry *e = by_order[i];
                const FileReport *f = i < reports.n_files ? &reports.files[i] : NULL;

                fflush(stdout);
                STRV_FOREACH (l, f ? f->lines : NULL)
                        fprintf(stderr, "%s\n", *l);
                if (!e || quiet)
                        continue;
                if (e->state == CONFIG_MASKED && f && f->notice)
                        printf("%s\n", f->notice);
                else if (e->state == CONFIG_MASKED)
                        printf("%s: masked\n", base_name(e->path));
                else if (e->state == CONFIG_VALID && f && f->warnings > 0)
                        printf("%s: ok (%zu warning%s)\n", base_name(e->path), f->warnings,
                               f->warnings == 1 ? "" : "s");
                else if (e->state == CONFIG_VALID)
                        printf("%s: ok\n", base_name(e->path));
        }
        fflush(stdout);
        STRV_FOREACH (l, reports.general)
                fprintf(stderr, "%s\n", *l);

        return bad > 0 || cycles > 0 ? EXIT_FAILED : 0;
}
