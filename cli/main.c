/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>
#include <string.h>

#include "build-config.h"
#include "log.h"
#include "nscontain.h"

static void help(void) {
        printf("%s [OPTIONS...] COMMAND ...\n\n"
               "Look inside, enter, check and run nscontain containers.\n\n"
               "Commands:\n"
               "  list [--all] [--json]         List running (or all) containers\n"
               "  status [--json] NAME          Show a container's state, resources and log\n"
               "  kill NAME [SIGNAL]            Send a signal to every process of a container\n"
               "  pause NAME / resume NAME      Freeze and thaw a container\n"
               "  exec [-t] [-u USER] [-w DIR] [-e K=V] NAME -- CMD...\n"
               "                                Run a command inside a running container\n"
               "  validate [FILE...]            Check configs (default: the search path)\n"
               "  cat NAME                      Show the resolved config and the unit files\n"
               "  run [--name N] [-p PROP=VALUE...] [--rm] [-d] ROOTFS CMD...\n"
               "                                Run a one-off container as a transient unit\n"
               "  image import|list|rm|prune    Import and manage OCI images\n\n"
               "Options:\n"
               "  -h --help       Show this help (COMMAND --help for a command's)\n"
               "     --version    Show the version\n"
               "     --no-pager   Do not pipe output into a pager\n"
               "     --no-legend  Do not print column headers and footers\n\n"
               "See nscontain(1).\n",
               program_invocation_short_name);
}

static const struct {
        const char *name;
        int (*run)(int argc, char *argv[]);
} verbs[] = {
        {"list", verb_list},         {"status", verb_status}, {"exec", verb_exec},
        {"validate", verb_validate}, {"cat", verb_cat},       {"run", verb_run},
        {"kill", verb_kill},         {"pause", verb_pause},   {"resume", verb_resume},
        {"image", verb_image},
};

int main(int argc, char *argv[]) {
        enum { ARG_VERSION = ARG_VERB_FIRST };
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, ARG_VERSION},
                OPTION_NO_PAGER,
                OPTION_NO_LEGEND,
                {},
        };
        int c, r;

        log_setup("nscontain", LOG_TARGET_STDERR);
        log_parse_environment();

        /* "+": stop at the verb; everything after it is the verb's to parse. */
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("nscontain %s\n", PACKAGE_VERSION);
                        return 0;
                default:
                        if (!output_option_parse(c))
                                return EXIT_USAGE;
                }

        if (optind >= argc) {
                log_error("Missing command; see 'nscontain --help'.");
                return EXIT_USAGE;
        }

        for (size_t i = 0; i < ELEMENTSOF(verbs); i++)
                if (streq(argv[optind], verbs[i].name)) {
                        char **vargv = argv + optind;
                        int vargc = argc - optind;

                        optind = 0; /* a fresh getopt run for the verb */
                        r = verbs[i].run(vargc, vargv);
                        pager_close();
                        return r;
                }

        log_error("Unknown command '%s'; see 'nscontain --help'.", argv[optind]);
        return EXIT_USAGE;
}
