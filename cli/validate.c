/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <string.h>

#include "log.h"
#include "nscontain.h"
#include "strv.h"

static void help(void) {
        printf("nscontain validate [OPTIONS...] [FILE...]\n\n"
               "Checks container configs as nscontain-generator and the helper do: every\n"
               "file's verdict on its own line, \"NAME.json: ok\" or the error. Without FILE,\n"
               "checks every config on the search path. Dependencies on containers without a\n"
               "valid config are warnings, as in the generator.\n\n"
               "  -h --help   Show this help\n"
               "  -q --quiet  Print errors and warnings only\n\n"
               "Exit status: 0 when every file is valid, 1 otherwise, 2 on a usage error.\n");
}

static const char *base_name(const char *path) {
        const char *s = strrchr(path, '/');
        return s ? s + 1 : path;
}

/* Why the container NAME would not satisfy a dependency, or NULL when it would: the
 * generator's words ("has no config file", "is masked", "has an invalid config"). The
 * FILEs being validated count as installed: they are checked together. */
static const char *dependency_problem(const char *name, char *const *names, Config *const *configs,
                                      size_t n) {
        _cleanup_config_free_ Config *c = NULL;
        _cleanup_free_ char *path = NULL;
        int r;

        for (size_t i = 0; i < n; i++)
                if (streq(names[i], name))
                        return configs[i] ? NULL : "has an invalid config";

        r = config_find(name, &path);
        if (r == -ERFKILL)
                return "is masked";
        if (r < 0)
                return "has no config file";
        if (config_load_file(path, name, &c, NULL) < 0)
                return "has an invalid config";
        return NULL;
}

static size_t warn_dependencies(const char *file, const Config *c, char *const *names,
                                Config *const *configs, size_t n) {
        const struct {
                const char *key;
                char *const *names;
        } lists[] = {
                {"after", c->after},
                {"requires", c->requires},
                {"wants", c->wants},
        };
        size_t warnings = 0;

        for (size_t j = 0; j < ELEMENTSOF(lists); j++) {
                size_t k = 0;
                STRV_FOREACH (d, lists[j].names) {
                        const char *why = dependency_problem(*d, names, configs, n);
                        if (why) {
                                fprintf(stderr, "%s: warning: %s[%zu]: container '%s' %s\n", file,
                                        lists[j].key, k, *d, why);
                                warnings++;
                        }
                        k++;
                }
        }
        return warnings;
}

static void configs_free(Config **c, size_t n) {
        for (size_t i = 0; i < n; i++)
                config_free(c[i]);
        free(c);
}

int verb_validate(int argc, char *argv[]) {
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"quiet", no_argument, NULL, 'q'},
                {},
        };
        _cleanup_strv_free_ char **paths = NULL, **names = NULL;
        Config **configs = NULL;
        ConfigEntry *entries = NULL;
        size_t n_entries = 0, n, errors = 0;
        bool quiet = false;
        int c, r;

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

        if (optind < argc) {
                for (int i = optind; i < argc; i++)
                        if (strv_extend(&paths, argv[i]) < 0)
                                return log_oom(), EXIT_FAILED;
        } else {
                r = config_enumerate(&entries, &n_entries);
                if (r < 0) {
                        log_error_errno(r, "Failed to read the config search path: %m");
                        return EXIT_FAILED;
                }
                for (size_t i = 0; i < n_entries; i++) {
                        if (entries[i].masked) {
                                if (!quiet)
                                        printf("%s: masked\n", base_name(entries[i].path));
                                continue;
                        }
                        if (strv_extend(&paths, entries[i].path) < 0) {
                                config_entries_free(entries, n_entries);
                                return log_oom(), EXIT_FAILED;
                        }
                }
                config_entries_free(entries, n_entries);
                if (!paths && n_entries == 0 && !quiet)
                        printf("No container configs in %s.\n",
                               getenv("NSCONTAIN_CONFIG_PATH") ?: CONFIG_SEARCH_PATH);
        }

        n = strv_length(paths);
        configs = calloc(n + 1, sizeof(Config *));
        if (!configs)
                return log_oom(), EXIT_FAILED;

        _cleanup_strv_free_ char **messages = calloc(n + 1, sizeof(char *));
        if (!messages) {
                configs_free(configs, n);
                return log_oom(), EXIT_FAILED;
        }

        /* Every file on its own first; dependencies are checked against all of them. */
        for (size_t i = 0; i < n; i++) {
                char *name = NULL;

                r = config_load_file(paths[i], NULL, &configs[i], &messages[i]);
                if (r < 0) {
                        configs[i] = NULL;
                        if (!messages[i] &&
                            asprintf(&messages[i], "%s: %s", base_name(paths[i]), strerror(-r)) < 0)
                                messages[i] = NULL;
                        errors++;
                }
                /* The NAME a file defines, for dependencies among the FILEs. */
                const char *b = base_name(paths[i]);
                size_t l = strlen(b);
                if (l > 5 && streq(b + l - 5, ".json"))
                        name = strndup(b, l - 5);
                else
                        name = strdup(b);
                if (!name || strv_push(&names, name) < 0) {
                        free(name);
                        configs_free(configs, n);
                        return log_oom(), EXIT_FAILED;
                }
        }

        /* Then the verdicts in order, each file's lines together. */
        for (size_t i = 0; i < n; i++) {
                size_t warnings;

                fflush(stdout);
                if (!configs[i]) {
                        fprintf(stderr, "%s\n", messages[i] ?: "out of memory");
                        continue;
                }
                warnings = warn_dependencies(base_name(paths[i]), configs[i], names, configs, n);
                if (quiet)
                        continue;
                if (warnings > 0)
                        printf("%s: ok (%zu warning%s)\n", base_name(paths[i]), warnings,
                               warnings == 1 ? "" : "s");
                else
                        printf("%s: ok\n", base_name(paths[i]));
        }
        configs_free(configs, n);
        return errors > 0 ? EXIT_FAILED : 0;
}
